#!/usr/bin/python3
"""Secondary indexes under conflicting UPDATEs on a 3-node cluster (RF 3).

A row and its index entries are LWW keys of their own.  When the winning
version of a row left an indexed column alone while a losing concurrent
UPDATE changed it, the loser's tombstone of the old entry used to win and
the row lacked its entry on every node (docs/cluster.md).

Table t (id, v, n) has a UNIQUE index on n; every update keeps
n = id (mod 100), so n stays unique whatever version of each row wins.
(a) Deterministic: node 1 opens a transaction and updates only v of every
    row (reading the old n); nodes 2 and 3 then change n of the same rows
    and commit; node 1 commits last, so its versions win by LWW with the
    old n.
(b) Racing: the three nodes run conflicting UPDATEs of all rows at once
    (one touches only v, two change n), several rounds.
After each part, on every node: the index holds exactly one live entry per
row (ringdb-ctl dump), and for every row a seq scan returns, the index
knows its n: inserting another row with that n fails with 23505 (the
UNIQUE check looks the value up through the index, sql/table.c) and an
index scan (SELECT ... WHERE n = k) returns exactly that row.

Usage: test_sqlindex.py RINGDB RINGDB_CTL
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
T = Checks("multinode-sqlindex")
NROWS = 40


def converged(c, what, timeout=15):
    T.check(not c.wait_converged(timeout), "%s: replicas converge" % what)
    T.check(merkle_agree(c.live()), "%s: merkle roots agree" % what)


def rows_missing_from_index(conn):
    """Rows (id, n) of a full scan whose n the UNIQUE index does not know."""
    missing = []
    for rid, n in query(conn, "SELECT id, n FROM t ORDER BY id"):
        try:
            query(conn, "INSERT INTO t VALUES (%s, 'dup', %s)", (rid + 10000, n))
            query(conn, "DELETE FROM t WHERE id = %s", (rid + 10000,))
            missing.append((rid, n))
        except psycopg2.Error as e:
            if e.pgcode != "23505":
                missing.append((rid, n, e.pgcode))
    return missing


def live_index_entries(node):
    return sum(1 for key, v in node.dump().items() if key.startswith("03") and not v[2])


def check_index(c, conns, what):
    converged(c, what)
    want = [query(conn, "SELECT id, v, n FROM t ORDER BY id") for conn in conns]
    T.check(want[0] == want[1] == want[2], "%s: every node reads the same rows" % what)
    for k, conn in enumerate(conns, 1):
        bad = rows_missing_from_index(conn)
        T.check(bad == [], "%s: node %d: the index knows every row's n (missing: %d, e.g. %r)"
                % (what, k, len(bad), bad[:3]))
    for k, conn in enumerate(conns, 1):
        # index scans (t_n) find each row by its n and nothing else
        plan = [r[0].strip() for r in query(conn, "EXPLAIN (COSTS OFF) SELECT * FROM t WHERE n = 1")]
        T.check(plan[:1] == ["Index Scan using t_n on t"], "%s: node %d: plan %r" % (what, k, plan))
        wrong = [r for r in want[k - 1]
                 if query(conn, "SELECT id, v, n FROM t WHERE n = %s", (r[2],)) != [r]]
        T.check(wrong == [], "%s: node %d: index scans by n miss or add rows (e.g. %r)"
                % (what, k, wrong[:3]))
    for node in c.live():
        got = poll(lambda: live_index_entries(node), NROWS)
        T.check(got == NROWS, "%s: node %d holds %r live index entries for %d rows"
                % (what, node.id, got, NROWS))


def test_winner_left_column_alone(c, conns):
    c1, c2, c3 = conns
    c1.autocommit = False
    try:
        query(c1, "UPDATE t SET v = 'node1-wins'")        # reads every row's old n
        query(c2, "UPDATE t SET n = n + 100")             # committed on node 2
        query(c3, "UPDATE t SET n = n + 700 WHERE id % 2 = 0")
        # node 1 has the other commits (its HLC passed their stamps) before
        # it commits: its versions are the newest
        poll(lambda: query(c3, "SELECT count(*) FROM t WHERE n >= 100"), [(NROWS,)])
        time.sleep(0.3)
        c1.commit()
    finally:
        c1.autocommit = True
    got = poll(lambda: query(c2, "SELECT count(*) FROM t WHERE v = 'node1-wins' AND n = id"),
               [(NROWS,)])
    T.check(got == [(NROWS,)], "node 1's later commit wins every row with the old n: %r" % got)
    check_index(c, conns, "winner left n alone")


def test_racing_updates(c, conns):
    for rnd in range(4):
        barrier = threading.Barrier(3)
        stmts = ["UPDATE t SET v = 'r%d-node1'" % rnd,
                 "UPDATE t SET n = n + 100",
                 "UPDATE t SET n = n + 300 WHERE id %% 3 <> %d" % (rnd % 3)]

        def run(conn, sql):
            barrier.wait()
            query(conn, sql)

        run_parallel([lambda cc=cc, s=s: run(cc, s) for cc, s in zip(conns, stmts)])
        check_index(c, conns, "racing round %d" % rnd)


def main():
    c = Cluster(RINGDB, CTL, n=3, base_port=36400, rf=3)
    conns = []
    try:
        c.start()
        c.wait_up(timeout=20)
        conns = [connect(n) for n in c.nodes]
        query(conns[0], "CREATE TABLE t (id int PRIMARY KEY, v text, n int)")
        query(conns[0], "CREATE UNIQUE INDEX t_n ON t (n)")
        for i in range(1, NROWS + 1):
            query(conns[0], "INSERT INTO t VALUES (%s, %s, %s)", (i, "a%d" % i, i))
        for conn in conns:
            poll(lambda: query(conn, "SELECT count(*) FROM t"), [(NROWS,)])
        test_winner_left_column_alone(c, conns)
        test_racing_updates(c, conns)
    finally:
        return c.finish(T, conns)


if __name__ == "__main__":
    sys.exit(main())
