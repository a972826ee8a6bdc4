#!/usr/bin/python3
"""Old owners drop moved data; a leaving node hands its data off first
(real processes, psycopg2 clients; anti-entropy is off in the harness, so
only the handoff moves data).

(a) 3 nodes, RF 2: a hash-partitioned and a range-partitioned table (split
    at 100, 200, 300), 400 rows each written on node 1 (which therefore
    holds rows it does not replicate).  A 4th node joins (--join) while a
    writer inserts at QUORUM.  `ringdb-ctl cleanup` on node 1 answers with
    the records it handed off; then (by hand on node 1, by themselves on
    the others: automatic clean-up after a ring change) every node's own
    store holds exactly the rows whose replicas include it (checked per
    row with ringdb_key_placement), node 1 reports purged versions, every
    row is readable at ALL, and the convergence checker is clean.
(b) node 2 leaves (`ringdb-ctl leave`) while the writer goes on: the
    command answers only after the handoff ("left", records handed off),
    confirmed by every member's gossip (no fixed wait), and node 2 is
    killed (SIGKILL) the moment it answers,
    every ring drops node 2, and without any anti-entropy each remaining
    node holds every row of its new share; every acknowledged row is
    readable at ALL; convergence clean over the remaining nodes.

Usage: test_cleanup.py RINGDB RINGDB_CTL
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sqlclient import (Writer, connect, hash_and_range_tables, local_ids, owners,  # noqa: E402
                       poll, query)
from cluster import Checks, Cluster, convergence  # noqa: E402

RINGDB, CTL = sys.argv[1], sys.argv[2]
T = Checks("multinode-cleanup")


def exact_shares(conns, table, ids, nodes, what, timeout=30):
    """Poll until each node's own store holds exactly its share of ids."""
    own = owners(conns[nodes[0]], table, ids)

    def mismatches():
        bad = []
        for nid in nodes:
            have = local_ids(conns[nid], table) & set(ids)
            want = own.get(nid, set())
            if have != want:
                bad.append((nid, len(have), len(want), len(want - have), len(have - want)))
        return bad
    bad = poll(mismatches, [], timeout, interval=0.5)
    T.check(not bad, "%s: every node holds exactly its share of %s "
            "(node, have, want, missing, foreign): %r" % (what, table, bad))
    return own


def read_all(conn, table, ids, what):
    query(conn, "SET ringdb.consistency = 'all'")
    got = {r[0] for r in query(conn, "SELECT id FROM %s" % table)}
    T.check(set(ids) <= got, "%s: every row of %s readable at ALL (%d missing)"
            % (what, table, len(set(ids) - got)))
    sample = sorted(ids)[::37]
    vals = [query(conn, "SELECT id FROM %s WHERE id = %%s" % table, (i,)) for i in sample]
    T.check(all(v == [(i,)] for v, i in zip(vals, sample)), "%s: point reads of %s at ALL"
            % (what, table))
    query(conn, "SET ringdb.consistency = 'one'")


def run(c):
    n1, n2, n3, n4 = c.nodes
    conns = {n.id: connect(n) for n in (n1, n2, n3)}
    a = conns[1]
    hash_and_range_tables(a)
    T.check(c.wait_hints_delivered(), "3-node replication settles")
    T.check(len(local_ids(a, "h")) == 400, "node 1 (the writer) holds every row before the join")

    # (a) join, then clean-up
    w = Writer(n1, "h", 5000)
    w.start()
    c.start_joining(n4, n1)
    c.wait_up(c.nodes)
    conns[4] = connect(n4)
    T.check(all(n.status()["ring"]["nodes"] == [1, 2, 3, 4] for n in c.nodes),
            "every ring has the new node")
    time.sleep(1.0)
    w.stop()
    T.check(not w.errors, "the writer never failed during the join: %s" % w.errors[:5])
    T.check(c.wait_hints_delivered(), "replication settles after the join")
    t0 = time.time()
    rep = n1.ctl("cleanup")
    print("cleanup on node 1: %r in %.1fs" % (rep, time.time() - t0), flush=True)
    # node 1's automatic clean-up (5 s after the ring change) may have run
    # first on a slow machine: then it handed the rows off, and cleanup
    # finds nothing left
    auto = [l for l in n1.log_text().splitlines() if "foreign records confirmed" in l]
    T.check(rep.get("cleaned") and (rep.get("records_handed_off", 0) > 0 or
                                    (len(auto) >= 2 and " 0 foreign" not in auto[0])),
            "ringdb-ctl cleanup on node 1 hands off the rows it does not replicate: %r %r"
            % (rep, auto))
    hids = list(range(400)) + w.acked
    for table, ids in (("h", hids), ("r", list(range(400)))):
        exact_shares(conns, table, ids, [1, 2, 3, 4], "after the join and clean-up")
        read_all(conns[3], table, ids, "after the clean-up")
    T.check(n1.status().get("purged_versions", 0) > 0, "node 1 purged versions")
    text = "".join(n.log_text() for n in (n2, n3))
    T.check("foreign records confirmed on their replicas" in text,
            "nodes 2 and 3 cleaned up by themselves after the ring change")
    T.check(c.wait_converged() == [], "replicas converge after the clean-up")

    # (b) node 2 leaves under load
    w = Writer(n1, "h", 20000)
    w.start()
    time.sleep(0.5)
    t0 = time.time()
    rep = n2.ctl("leave")
    took = time.time() - t0
    print("leave of node 2: %r in %.1fs" % (rep, took), flush=True)
    T.check(rep.get("left") is True and rep.get("records_handed_off", 0) > 0,
            "leave answers after handing off node 2's data: %r (%.1fs)" % (rep, took))
    # leave answered: its data is safe, so the node may die at once
    n2.kill()
    conns.pop(2).close()
    T.check("acknowledged that node 2" not in n2.log_text(), "the leave was confirmed")
    time.sleep(0.5)
    w.stop()
    T.check(not w.errors, "the writer never failed during the leave: %s" % w.errors[:5])
    rest = [n1, n3, n4]
    T.check(all(n.status()["ring"]["nodes"] == [1, 3, 4] for n in rest),
            "every ring dropped node 2")

    def settled():
        return all(m["hints"]["count"] + m["unacked_frames"] == 0
                   for n in rest for m in n.status()["members"] if "hints" in m and m["id"] != 2)
    poll(settled, True, 15, interval=0.2)
    T.check(settled(), "replication among the remaining nodes settles after the leave")
    hids += w.acked
    for table, ids in (("h", hids), ("r", list(range(400)))):
        own = owners(conns[1], table, ids)
        for nid in (1, 3, 4):
            have = local_ids(conns[nid], table)
            T.check(own.get(nid, set()) <= have,
                    "node %d holds its whole new share of %s without anti-entropy (%d missing)"
                    % (nid, table, len(own.get(nid, set()) - have)))
        read_all(conns[4], table, ids, "after the leave")
    T.check(convergence(rest) == [], "the remaining replicas converge after the leave")
    for conn in conns.values():
        conn.close()


def main():
    c = Cluster(RINGDB, CTL, n=4, base_port=30500, rf=2)
    n4 = c.nodes[3]
    c.nodes = c.nodes[:3]   # the first three know only each other
    try:
        c.start()
        c.wait_up()
        c.nodes.append(n4)
        t0 = time.time()
        run(c)
        print("run: %.1fs" % (time.time() - t0), flush=True)
    except Exception as e:  # noqa: BLE001
        import traceback
        traceback.print_exc()
        T.check(False, "exception: %s" % e)
    return c.finish(T)


if __name__ == "__main__":
    sys.exit(main())
