#!/usr/bin/python3
"""A large SQL transaction on a 3-node cluster (RF 3) with short failure
timeouts (100 ms heartbeat, 500 ms failure timeout, as every multinode
test): one COPY of ROWS rows (and their secondary-index entries) on node
1 must reach nodes 2 and 3 completely, whether live or through hints
after a link flapped under the burst, and the convergence checker must
come out clean.

Usage: test_sqlbulk.py RINGDB RINGDB_CTL [ROWS]
"""
import io
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sqlclient import connect, query  # noqa: E402
from cluster import Checks, Cluster, convergence  # noqa: E402

RINGDB, CTL = sys.argv[1], sys.argv[2]
ROWS = int(sys.argv[3]) if len(sys.argv) > 3 else 10000
T = Checks("multinode-sqlbulk")


def main():
    c = Cluster(RINGDB, CTL, n=3, base_port=36300)
    conns = []
    try:
        c.start()
        c.wait_up(timeout=20)
        conns = [connect(n) for n in c.nodes]
        c1 = conns[0]
        query(c1, "CREATE TABLE big (id int PRIMARY KEY, a int, filler text)")
        query(c1, "CREATE INDEX big_a ON big (a)")
        data = "".join("%d\t%d\t%s\n" % (i, i % 97, "x" * 80) for i in range(ROWS))
        t0 = time.time()
        with c1.cursor() as cur:
            cur.copy_expert("COPY big FROM STDIN", io.StringIO(data))
        print("COPY of %d rows on node 1: %.1fs" % (ROWS, time.time() - t0), flush=True)
        want = [(ROWS,)]
        per = [(ROWS // 97 + (1 if 5 < ROWS % 97 else 0),)]
        deadline = time.time() + 40
        while True:
            got = [query(conn, "SELECT count(*) FROM big") for conn in conns]
            if all(g == want for g in got) or time.time() > deadline:
                break
            time.sleep(0.5)
        print("replicated after %.1fs: %r" % (time.time() - t0, got), flush=True)
        for k, g in enumerate(got, 1):
            T.check(g == want, "node %d holds all %d rows: %r" % (k, ROWS, g))
        for k, conn in enumerate(conns, 1):
            g = query(conn, "SELECT count(*) FROM big WHERE a = 5")
            T.check(g == per, "node %d: index lookup finds %r rows: %r" % (k, per, g))
        T.check(c.wait_hints_delivered(timeout=40), "no hints left")
        T.check(not convergence(c.live()), "replicas converge")
    finally:
        return c.finish(T, conns)


if __name__ == "__main__":
    sys.exit(main())
