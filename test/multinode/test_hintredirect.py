#!/usr/bin/python3
"""Hints held for a member that leaves or is removed are redirected to the
new replicas (real processes, SQL through psycopg2, ringdb-ctl).

RF 1 on 3 nodes, so each row has one replica: a row written at ONE on
node 1 while its replica (node 3) is down exists only in node 1's hint
store for node 3 (and as a foreign copy in node 1's store, which no read
of the row's replicas sees).  Such a write is acknowledged (a SQL commit
at ONE is durable locally).

removenode: node 3 is killed, rows are inserted on node 1 (hints for node
3 accumulate there), `removenode 3` answers; right after it every row
reads back at ALL on nodes 1 and 2 (the scan asks the new replicas only),
and no hint for node 3 is left on either.

leave: a fresh cluster; node 3 is killed, rows inserted on node 1 (hints
for 3), node 1 is stopped, node 3 restarted and `leave` run on it (node 1
is down: not waited for; node 3 holds no rows), node 3 stopped; node 1
restarted learns of the leave from node 2's gossip and redirects its hints
for node 3 to the new replicas (polled with a deadline); then every row
reads back at ALL on nodes 1 and 2 and node 1's status shows the hints as
redirected.

Usage: test_hintredirect.py RINGDB RINGDB_CTL
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cluster import Checks, Cluster  # noqa: E402
from sqlclient import connect, one, query  # noqa: E402

RINGDB, CTL = sys.argv[1], sys.argv[2]
T = Checks("multinode-hintredirect")
ROWS = 300


def member(st, nid):
    return next((m for m in st["members"] if m["id"] == nid), None)


def wait_until(fn, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if fn():
                return True
        except Exception:  # noqa: BLE001 - a node still starting
            pass
        time.sleep(0.2)
    return False


def state_of(node, nid):
    return (member(node.status(), nid) or {}).get("state")


def hints_for(node, nid):
    return (member(node.status(), nid) or {}).get("hints", {"count": 0, "redirected": 0})


def insert_rows(conn, table, lo, hi):
    """One commit per 10 rows at ONE; the ids inserted."""
    query(conn, "SET ringdb.consistency = 'one'")
    ids = []
    for a in range(lo, hi, 10):
        b = min(a + 10, hi)
        query(conn, "INSERT INTO %s SELECT g, 'v' || g FROM generate_series(%d, %d) g"
              % (table, a, b - 1))
        ids += list(range(a, b))
    return ids


def check_all(nodes, table, ids, what):
    for n in nodes:
        conn = connect(n)
        query(conn, "SET ringdb.consistency = 'all'")
        rows = dict(query(conn, "SELECT id, v FROM %s" % table))
        conn.close()
        missing = [i for i in ids if rows.get(i) != "v%d" % i]
        T.check(not missing, "%s: node %d reads every row at ALL (%d missing of %d%s)"
                % (what, n.id, len(missing), len(ids),
                   ", e.g. %s" % missing[:5] if missing else ""))


def removal(c):
    n1, n2, n3 = c.nodes
    conn = connect(n1)
    query(conn, "CREATE TABLE r (id int PRIMARY KEY, v text)")
    T.check(wait_until(lambda: one(connect(n3), "SELECT count(*) FROM r") == 0, 20),
            "removal: the table reached node 3")
    n3.kill()
    T.check(wait_until(lambda: state_of(n1, 3) == "down" and state_of(n2, 3) == "down"),
            "removal: nodes 1 and 2 see node 3 down")
    ids = insert_rows(conn, "r", 1, ROWS + 1)
    conn.close()
    h = hints_for(n1, 3)
    T.check(h["count"] > 0, "removal: node 1 holds hints for node 3 (%d)" % h["count"])
    ok, r = n1.call("removenode", "3")
    T.check(ok, "removal: removenode 3 answers ok: %s" % r)
    for n in (n1, n2):
        h = hints_for(n, 3)
        T.check(h["count"] == 0, "removal: node %d holds no hint for node 3 (%d)"
                % (n.id, h["count"]))
    T.check(hints_for(n1, 3)["redirected"] > 0, "removal: node 1 redirected its hints")
    check_all((n1, n2), "r", ids, "removal")


def leave(c):
    n1, n2, n3 = c.nodes
    n3.kill()
    T.check(wait_until(lambda: state_of(n1, 3) == "down" and state_of(n2, 3) == "down"),
            "leave: nodes 1 and 2 see node 3 down")
    conn = connect(n1)
    query(conn, "CREATE TABLE l (id int PRIMARY KEY, v text)")
    T.check(wait_until(lambda: one(connect(n2), "SELECT count(*) FROM l") == 0, 20),
            "leave: the table reached node 2")
    ids = insert_rows(conn, "l", 1, ROWS + 1)
    conn.close()
    h = hints_for(n1, 3)
    T.check(h["count"] > 0, "leave: node 1 holds hints for node 3 (%d)" % h["count"])
    n1.stop()
    n3.start()
    c.wait_up([n2, n3], timeout=30)
    ok, r = n3.call("leave", "30")
    T.check(ok and r.get("left"), "leave: node 3 left with node 1 down: %s" % r)
    n3.stop()
    n1.start()
    c.wait_up([n1, n2], timeout=30)
    T.check(wait_until(lambda: state_of(n1, 3) == "leaving", 20),
            "leave: node 1 learned that node 3 left")
    T.check(wait_until(lambda: hints_for(n1, 3)["count"] == 0, 30),
            "leave: node 1's hints for node 3 are redirected (left: %d)"
            % hints_for(n1, 3)["count"])
    T.check(hints_for(n1, 3)["redirected"] > 0, "leave: node 1 counts them as redirected")
    check_all((n1, n2), "l", ids, "leave")
    T.check("redirected to the new replicas" in n1.log_text(),
            "leave: node 1 logged the redirection")


def main():
    status = 0
    for name, fn in (("removal", removal), ("leave", leave)):
        c = Cluster(RINGDB, CTL, n=3, rf=1, base_port=30700)
        try:
            c.start()
            c.wait_up()
            t0 = time.time()
            fn(c)
            print("%s: %.1fs" % (name, time.time() - t0), flush=True)
        except Exception as e:  # noqa: BLE001
            import traceback
            traceback.print_exc()
            T.check(False, "%s: exception: %s" % (name, e))
        for p in c.stop(keep=bool(T.fails)):
            T.check(False, p)
        if T.fails:
            print("logs kept in", c.tmp)
            status = 1
            break
    return T.done() or status


if __name__ == "__main__":
    sys.exit(main())
