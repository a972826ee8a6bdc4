#!/usr/bin/python3
"""SQL on a 3-node cluster (RF 3), real processes, psycopg2 clients.

(a) CREATE TABLE (with a secondary index) and INSERT on node 1 are readable
    with SELECT on nodes 2 and 3; UPDATE / DELETE on node 2 are seen
    everywhere, and the index answers the same on every node.
(b) Node 3 killed with SIGKILL while nodes 1 and 2 keep writing with SQL:
    after its restart it catches up (hinted handoff; anti-entropy is off)
    and SELECT on node 3 equals node 1.
(c) Conflicting UPDATEs of one row sent to the three nodes at once
    converge to the same value everywhere, one of the values written;
    concurrent `n = n + 1` on three nodes ends with one count everywhere
    (LWW may lose increments: the count is between 1 and 3); the losers'
    index entries are swept: every node's index holds one entry per row.
(d) ringdb.consistency: SET / SHOW, a bad value is 22023; with 2 of 3
    nodes down a QUORUM commit fails with 57P03 and ONE still commits.
Each part ends with the convergence checker and Merkle roots agreeing.

Usage: test_sql.py RINGDB RINGDB_CTL
"""
import os
import sys
import threading
import time

import psycopg2

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sqlclient import connect, poll, query  # noqa: E402
from cluster import Checks, Cluster, merkle_agree, run_parallel  # noqa: E402

RINGDB, CTL = sys.argv[1], sys.argv[2]
T = Checks("multinode-sql")


def rows(conn, table="t"):
    return query(conn, "SELECT id, v, n FROM %s ORDER BY id" % table)


def converged(c, what, timeout=10):
    T.check(not c.wait_converged(timeout), "%s: replicas converge" % what)
    T.check(merkle_agree(c.live()), "%s: merkle roots agree" % what)


def test_replicated_sql(c, conns):
    c1, c2, c3 = conns
    query(c1, "CREATE TABLE t (id int PRIMARY KEY, v text, n int)")
    query(c1, "CREATE INDEX t_n ON t (n)")
    for i in range(1, 21):
        query(c1, "INSERT INTO t VALUES (%s, %s, %s)", (i, "a%d" % i, i % 5))
    want = rows(c1)
    T.check(len(want) == 20, "node 1 reads its 20 rows")
    for k, conn in ((2, c2), (3, c3)):
        got = poll(lambda: rows(conn), want)
        T.check(got == want, "node %d sees the table and rows created on node 1: %r" % (k, got))
    # UPDATE and DELETE on node 2
    query(c2, "UPDATE t SET v = 'b' || id WHERE id <= 5")
    query(c2, "DELETE FROM t WHERE id > 15")
    want = rows(c2)
    T.check(len(want) == 15 and want[0][1] == "b1", "node 2 sees its update/delete")
    for k, conn in ((1, c1), (3, c3)):
        got = poll(lambda: rows(conn), want)
        T.check(got == want, "node %d sees node 2's UPDATE/DELETE" % k)
    # the secondary index entries travelled with their rows
    iq = "SELECT id FROM t WHERE n = 3 ORDER BY id"
    exp = [(i,) for i in range(1, 16) if i % 5 == 3]
    for k, conn in enumerate(conns, 1):
        T.check(poll(lambda: query(conn, iq), exp) == exp, "index lookup on node %d" % k)
    converged(c, "after DDL and DML")


def test_sigkill_catch_up(c, conns):
    n1, n2, n3 = c.nodes
    c1, c2, c3 = conns
    query(c1, "CREATE TABLE w (id int PRIMARY KEY, v text, n int)")
    poll(lambda: query(c3, "SELECT count(*) FROM w"), [(0,)])
    stop = threading.Event()
    errors = []

    def writer(conn, base):
        i = 0
        while not stop.is_set():
            try:
                query(conn, "INSERT INTO w VALUES (%s, %s, %s)", (base + i, "x", i))
                if i % 4 == 3:
                    query(conn, "UPDATE w SET v = 'y' WHERE id = %s", (base + i - 2,))
                    query(conn, "DELETE FROM w WHERE id = %s", (base + i - 3,))
            except psycopg2.Error as e:
                errors.append(str(e))
                return
            i += 1

    ts = [threading.Thread(target=writer, args=(conn, base))
          for conn, base in ((c1, 100000), (c2, 200000))]
    for t in ts:
        t.start()
    time.sleep(0.5)
    c3.close()
    n3.kill()                              # SIGKILL while SQL writes go on
    time.sleep(1.5)
    stop.set()
    for t in ts:
        t.join()
    T.check(not errors, "SQL writes on nodes 1-2 with node 3 down: %s" % errors[:1])
    sel = "SELECT id, v, n FROM w ORDER BY id"
    # ONE: the last commits of each writer reach the other node shortly after
    deadline = time.time() + 10
    while True:
        want, other = query(c1, sel), query(c2, sel)
        if want == other or time.time() > deadline:
            break
        time.sleep(0.1)
    T.check(want == other, "node 2 equals node 1 while node 3 is down")
    n3.start()
    c.wait_up(timeout=20)
    c3 = connect(n3)
    conns[2] = c3
    T.check(c.wait_hints_delivered(timeout=15), "hints delivered to node 3")
    got = poll(lambda: query(c3, sel), want)
    T.check(got == want, "restarted node 3 caught up: %d rows, node 1 has %d" % (
        len(got) if isinstance(got, list) else -1, len(want)))
    converged(c, "after SIGKILL and restart")


def test_conflicts(c, conns):
    c1, c2, c3 = conns
    query(c1, "CREATE TABLE k (id int PRIMARY KEY, v text)")
    query(c1, "CREATE UNIQUE INDEX k_v ON k (v)")
    query(c1, "INSERT INTO k VALUES (1, 'start')")
    for conn in conns:
        poll(lambda: query(conn, "SELECT v FROM k WHERE id = 1"), [("start",)])
    for rnd in range(5):
        vals = ["r%d-node%d" % (rnd, i) for i in (1, 2, 3)]
        barrier = threading.Barrier(3)

        def upd(conn, val):
            barrier.wait()
            query(conn, "UPDATE k SET v = %s WHERE id = 1", (val,))

        run_parallel([lambda cc=cc, vv=vv: upd(cc, vv) for cc, vv in zip(conns, vals)])
        first = None
        deadline = time.time() + 10
        while time.time() < deadline:
            seen = [query(conn, "SELECT v FROM k WHERE id = 1") for conn in conns]
            if seen[0] == seen[1] == seen[2]:
                first = seen[0]
                break
            time.sleep(0.1)
        T.check(first is not None, "round %d: all nodes agree on the row" % rnd)
        T.check(first is not None and first[0][0] in vals,
                "round %d: the value is one of those written: %r" % (rnd, first))
    # the losers' index entries (rows and entries are separate LWW keys) are
    # no duplicates: only the winning value is taken
    if first is not None:
        for i, val in enumerate(vals):
            try:
                query(c2, "INSERT INTO k VALUES (%s, %s)", (10 + i, val))
                taken = False
            except psycopg2.Error as e:
                taken = e.pgcode == "23505"
            T.check(taken == (val == first[0][0]),
                    "UNIQUE after conflicts: %s %s" % (val, "taken" if taken else "free"))
        query(c2, "DELETE FROM k WHERE id >= 10")
        for k, conn in enumerate(conns, 1):
            got = poll(lambda: query(conn, "SELECT id, v FROM k WHERE v > 'r' ORDER BY v"),
                       [(1, first[0][0])])
            T.check(got == [(1, first[0][0])], "index range scan on node %d shows the row "
                    "once: %r" % (k, got))
    # the losers' entries were erased by the sweeper of the nodes that
    # applied the conflicting rows (a tombstone at the winning row's
    # version, replicated): every node's indexes hold one live entry per
    # row (t_n on t, k_v on k)
    want_idx = query(c1, "SELECT count(*) FROM t")[0][0] + query(c1, "SELECT count(*) FROM k")[0][0]

    def index_keys(node):
        return sum(1 for key, v in node.dump().items() if key.startswith("03") and not v[2])

    for node in c.live():
        got = poll(lambda: index_keys(node), want_idx)
        T.check(got == want_idx, "node %d: %r live index entries for %d rows" % (node.id, got,
                                                                                 want_idx))
    # read-modify-write outside a transaction on three nodes at once: LWW
    # keeps one of the increments (a lost update, docs/cluster.md), but
    # every node ends with the same count
    query(c1, "CREATE TABLE cnt (id int PRIMARY KEY, n int)")
    query(c1, "INSERT INTO cnt VALUES (1, 0)")
    for conn in conns:
        poll(lambda: query(conn, "SELECT n FROM cnt"), [(0,)])
    barrier = threading.Barrier(3)

    def incr(conn):
        barrier.wait()
        query(conn, "UPDATE cnt SET n = n + 1 WHERE id = 1")

    run_parallel([lambda cc=cc: incr(cc) for cc in conns])
    final = {query(conn, "SELECT n FROM cnt")[0][0] for conn in conns}
    deadline = time.time() + 10
    while len(final) > 1 and time.time() < deadline:
        time.sleep(0.1)
        final = {query(conn, "SELECT n FROM cnt")[0][0] for conn in conns}
    T.check(len(final) == 1 and 1 <= next(iter(final)) <= 3,
            "concurrent increments: one count everywhere, between 1 and 3: %r" % final)
    print("concurrent increments on 3 nodes kept %s of 3" % final, flush=True)
    converged(c, "after conflicting updates")


def test_consistency(c, conns):
    n1, n2, n3 = c.nodes
    c1 = conns[0]
    T.check(query(c1, "SHOW ringdb.consistency") == [("ONE",)], "default consistency ONE")
    try:
        query(c1, "SET ringdb.consistency = 'most'")
        T.check(False, "a bad level is refused")
    except psycopg2.Error as e:
        T.check(e.pgcode == "22023", "a bad level is 22023: %s" % e.pgcode)
    query(c1, "SET ringdb.consistency = 'all'")
    T.check(query(c1, "SHOW ringdb.consistency") == [("ALL",)], "SHOW says ALL")
    query(c1, "CREATE TABLE q (id int PRIMARY KEY, v text)")
    query(c1, "INSERT INTO q VALUES (1, 'all ok')")
    T.check(query(conns[1], "SELECT v FROM q") == [("all ok",)] and
            query(conns[2], "SELECT v FROM q") == [("all ok",)],
            "an ALL commit on node 1 is on nodes 2 and 3 once acknowledged")
    query(c1, "SET ringdb.consistency = 'QUORUM'")
    T.check(query(c1, "SHOW ringdb.consistency") == [("QUORUM",)], "SHOW says QUORUM")
    for conn in conns[1:]:
        conn.close()
    n2.kill()
    n3.kill()
    time.sleep(1.2)                   # failure timeout: both are down
    try:
        query(c1, "INSERT INTO q VALUES (2, 'lonely')")
        T.check(False, "QUORUM with 2 of 3 down must fail")
    except psycopg2.Error as e:
        T.check(e.pgcode == "57P03", "QUORUM with 2 of 3 down is 57P03: %s %s" % (
            e.pgcode, str(e).strip()))
    query(c1, "SET ringdb.consistency = 'one'")
    query(c1, "INSERT INTO q VALUES (3, 'one ok')")
    got = query(c1, "SELECT id FROM q ORDER BY id")
    # the INSERT at QUORUM reads at QUORUM too (its primary-key check):
    # it fails there, before writing anything
    T.check(got == [(1,), (3,)], "ONE commits alone; the QUORUM INSERT wrote nothing: %r" % got)
    # a table without a primary key: the INSERT reads nothing, its commit
    # fails its level, and the local write stays (LWW, docs/cluster.md)
    query(c1, "CREATE TABLE qn (v text)")
    query(c1, "SET ringdb.consistency = 'quorum'")
    try:
        query(c1, "INSERT INTO qn VALUES ('lonely')")
        T.check(False, "QUORUM commit with 2 of 3 down must fail")
    except psycopg2.Error as e:
        T.check(e.pgcode == "57P03", "QUORUM commit with 2 of 3 down is 57P03: %s" % e.pgcode)
    query(c1, "SET ringdb.consistency = 'one'")
    T.check(query(c1, "SELECT v FROM qn") == [("lonely",)],
            "the failed QUORUM commit stays locally (LWW)")
    n2.start()
    n3.start()
    c.wait_up(timeout=20)
    c.wait_hints_delivered(timeout=15)
    c2 = connect(n2)
    T.check(poll(lambda: query(c2, "SELECT id FROM q ORDER BY id"), got) == got,
            "node 2 gets both writes after its restart")
    c2.close()
    converged(c, "after the QUORUM failure")


def main():
    c = Cluster(RINGDB, CTL, n=3, base_port=36100, rf=3)
    conns = []
    try:
        c.start()
        c.wait_up(timeout=20)
        conns = [connect(n) for n in c.nodes]
        test_replicated_sql(c, conns)
        test_sigkill_catch_up(c, conns)
        test_conflicts(c, conns)
        test_consistency(c, conns)
    finally:
        return c.finish(T, conns)


if __name__ == "__main__":
    sys.exit(main())
