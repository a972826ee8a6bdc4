#!/usr/bin/python3
"""Acknowledged SQL commits survive SIGKILL, at ONE, QUORUM and ALL.

Since branch clulag4 a SQL commit hands its batch to the replicas BEFORE
its local WAL write and fsync (cluster_glue.c, commit_start), so that they
apply it meanwhile; the commit is still acknowledged only after the local
fsync AND the level's replies.  Three writers on node 1 (one per level)
insert without pause; node 1 is killed with SIGKILL in the middle.

(a) Node 1 restarted ALONE (nodes 2 and 3 stopped first: nothing can be
    handed back to it): it holds every commit it acknowledged, at every
    level (its own fsync came before each acknowledgement).
(b) Nodes 2 and 3 without node 1: every commit acknowledged at ALL is on
    both, every one acknowledged at QUORUM on at least one of them.
(c) All three back: after an anti-entropy round on node 1 the replicas
    converge.  (A commit node 1 had sent but not yet written when it died,
    never acknowledged, may be on nodes 2 and 3 only: the round brings it
    back to node 1; periodic anti-entropy is off in these tests.)

Usage: test_sqldurable.py RINGDB RINGDB_CTL
"""
import os
import sys
import threading
import time

import psycopg2

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sqlclient import connect, poll, query  # noqa: E402
from cluster import Checks, Cluster, merkle_agree  # noqa: E402

RINGDB, CTL = sys.argv[1], sys.argv[2]
T = Checks("multinode-sqldurable")
LEVELS = ("ONE", "QUORUM", "ALL")


def ids(conn):
    return {i for (i,) in query(conn, "SELECT id FROM dk")}


def main():
    c = Cluster(RINGDB, CTL, n=3, base_port=36700, rf=3)
    conns = []
    try:
        c.start()
        c.wait_up(timeout=20)
        n1, n2, n3 = c.nodes
        c1 = connect(n1)
        query(c1, "CREATE TABLE dk (id int PRIMARY KEY, cl text)")
        for n in (n2, n3):
            conn = connect(n)
            T.check(poll(lambda: query(conn, "SELECT count(*) FROM dk"), [(0,)]) == [(0,)],
                    "node %d sees the table" % n.id)
            conn.close()
        c1.close()
        acked = {cl: [] for cl in LEVELS}
        errors = []
        stop, killing = threading.Event(), threading.Event()

        def writer(cl, base):
            conn = connect(n1)
            query(conn, "SET ringdb.consistency = '%s'" % cl)
            i = 0
            while not stop.is_set():
                try:
                    query(conn, "INSERT INTO dk VALUES (%s, %s)", (base + i, cl))
                except psycopg2.Error as e:
                    if not killing.is_set():
                        errors.append("%s: %s" % (cl, str(e).strip()))
                    return
                acked[cl].append(base + i)
                i += 1

        ts = [threading.Thread(target=writer, args=(cl, k * 1000000))
              for k, cl in enumerate(LEVELS)]
        for t in ts:
            t.start()
        time.sleep(1.5)
        killing.set()
        n1.kill()                              # SIGKILL while commits go on
        stop.set()
        for t in ts:
            t.join()
        T.check(not errors, "no commit failed before the kill: %s" % errors[:1])
        for cl in LEVELS:
            T.check(len(acked[cl]) > 0, "commits acknowledged at %s: %d" % (cl, len(acked[cl])))

        # (a) node 1 alone
        n2.stop()
        n3.stop()
        n1.start()
        c1 = connect(n1, timeout=30)
        got = ids(c1)
        for cl in LEVELS:
            lost = [k for k in acked[cl] if k not in got]
            T.check(not lost, "node 1 alone holds every commit it acknowledged at %s "
                    "(%d lost of %d)" % (cl, len(lost), len(acked[cl])))
        c1.close()
        n1.stop()

        # (b) nodes 2 and 3 without node 1
        n2.start()
        n3.start()
        c.wait_up(nodes=[n2, n3], timeout=20)
        c2, c3 = connect(n2), connect(n3)
        g2, g3 = ids(c2), ids(c3)
        lost = [k for k in acked["ALL"] if k not in g2 or k not in g3]
        T.check(not lost, "every ALL commit is on nodes 2 and 3 (%d missing of %d)" % (
            len(lost), len(acked["ALL"])))
        lost = [k for k in acked["QUORUM"] if k not in g2 and k not in g3]
        T.check(not lost, "every QUORUM commit is on node 2 or 3 (%d missing of %d)" % (
            len(lost), len(acked["QUORUM"])))
        c2.close()
        c3.close()

        # (c) all back
        n1.start()
        c.wait_up(timeout=20)
        T.check(c.wait_hints_delivered(timeout=20), "hints delivered")
        ok, r = n1.call("ae")
        T.check(ok and all(p["ok"] for p in r["peers"]), "anti-entropy round on node 1: %s" % r)
        T.check(not c.wait_converged(15), "replicas converge")
        T.check(merkle_agree(c.live()), "merkle roots agree")
    finally:
        return c.finish(T, conns)


if __name__ == "__main__":
    sys.exit(main())
