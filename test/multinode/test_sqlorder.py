#!/usr/bin/python3
"""Ordered scans (exec/plan_order.c) on a 3-node cluster (RF 3).

Rows of a hash-partitioned table with a secondary index and of a
range-partitioned table (split into three partitions) are written through
every node.  On every node, at consistency ONE (local reads) and QUORUM
(reads through the other replicas: their answers merged in key order),
ORDER BY ... LIMIT over the indexed column and the range-partitioned key,
forward and backward, with NULLs, must use the ordered scan (EXPLAIN) and
give the rows the same query gives with enable_indexscan = off (a Sort).

Usage: test_sqlorder.py RINGDB RINGDB_CTL
"""
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sqlclient import connect, poll, query  # noqa: E402
from cluster import Checks, Cluster  # noqa: E402

RINGDB, CTL = sys.argv[1], sys.argv[2]
T = Checks("multinode-sqlorder")
NROWS = 300

QUERIES = [
    ("SELECT id, b FROM t ORDER BY b, id LIMIT 15", "Index Scan using t_b on t"),
    ("SELECT id, b FROM t ORDER BY b DESC, id DESC LIMIT 15", "Index Scan Backward using t_b on t"),
    ("SELECT id, b FROM t WHERE b > 40 ORDER BY b, id LIMIT 10 OFFSET 5", "Index Scan using t_b on t"),
    ("SELECT id, b FROM t ORDER BY b NULLS FIRST, id LIMIT 25", "Index Scan using t_b on t"),
    ("SELECT id, v FROM r ORDER BY id LIMIT 12 OFFSET 95", "Index Scan using r_pkey on r"),
    ("SELECT id, v FROM r ORDER BY id DESC LIMIT 12 OFFSET 95", "Index Scan Backward using r_pkey on r"),
    ("SELECT id, v FROM r WHERE id >= 150 ORDER BY id LIMIT 10", "Index Scan using r_pkey on r"),
]


def main():
    c = Cluster(RINGDB, CTL, n=3, base_port=41800, rf=3)
    conns = []
    rnd = random.Random(5)
    try:
        c.start()
        c.wait_up(timeout=20)
        conns = [connect(n) for n in c.nodes]
        query(conns[0], "CREATE TABLE t (id int PRIMARY KEY, b int, pad text)")
        query(conns[0], "CREATE INDEX t_b ON t (b)")
        query(conns[0], "CREATE TABLE r (id int PRIMARY KEY, v int) PARTITION BY RANGE (id)")
        for k in ("100", "200"):
            poll(lambda: query(conns[0], "SELECT ringdb_split_partition('r', %s) IS NOT NULL", (k,)), [(True,)])
        for i in range(1, NROWS + 1):
            b = None if i % 11 == 0 else rnd.randrange(0, 60)
            query(conns[i % 3], "INSERT INTO t VALUES (%s, %s, 'p')", (i, b))
            query(conns[(i + 1) % 3], "INSERT INTO r VALUES (%s, %s)", (i, i % 7))
        for conn in conns:
            poll(lambda: query(conn, "SELECT (SELECT count(*) FROM t), (SELECT count(*) FROM r)"),
                 [(NROWS, NROWS)])
        for k, conn in enumerate(conns, 1):
            for level in ("one", "quorum"):
                query(conn, "SET ringdb.consistency = " + level)
                for q, scan in QUERIES:
                    plan = [r[0].strip().replace("->  ", "") for r in query(conn, "EXPLAIN (COSTS OFF) " + q)]
                    T.check(scan in plan and "Sort" not in plan,
                            "node %d %s: %s: plan %r" % (k, level, q, plan))
                    got = query(conn, q)
                    query(conn, "SET enable_indexscan = off")
                    want = query(conn, q)
                    query(conn, "RESET enable_indexscan")
                    T.check(got == want and len(want) > 0,
                            "node %d %s: %s: %r vs %r" % (k, level, q, got[:4], want[:4]))
    finally:
        return c.finish(T, conns)


if __name__ == "__main__":
    sys.exit(main())
