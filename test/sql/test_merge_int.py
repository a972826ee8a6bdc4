#!/usr/bin/python3
"""Merge joins on integer keys of different widths (issue 4): with hash
joins and nested loops off, int4 = int8 and int2 = int8 keys (the binder
widens one side with a cast) plan as a Merge Join whose inputs are
sorted on their own columns, and return the hash join's rows, for every
join type; [NOT] EXISTS correlated by such an equality plans as a merge
semi (anti) join.  (regress/sql/merge_join_int.sql compares the answers with
PostgreSQL 15's.)

Usage: test_merge_int.py RINGDB        (ports 24300-24399)
"""
import os
import re
import sys

import psycopg2

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ringnode  # noqa: E402

RINGDB = sys.argv[1]
T = ringnode.Checks()
MERGE = ["SET enable_hashjoin = off", "SET enable_nestloop = off"]


def rows(cur, q, sets=()):
    for s in sets:
        cur.execute(s)
    try:
        cur.execute(q)
        return cur.fetchall()
    finally:
        for s in sets:
            cur.execute("RESET " + s.split()[1])


def checks(port):
    c = psycopg2.connect(host="127.0.0.1", port=port, user="postgres", dbname="postgres")
    c.autocommit = True
    cur = c.cursor()
    cur.execute("CREATE TABLE a (id int PRIMARY KEY, k int, s smallint)")
    cur.execute("CREATE TABLE b (id int PRIMARY KEY, k bigint)")
    cur.execute("INSERT INTO a SELECT x, CASE WHEN x % 10 = 0 THEN NULL ELSE x % 37 - 5 END, (x % 11)::smallint "
                "FROM generate_series(1, 3000) x")
    cur.execute("INSERT INTO b SELECT x, CASE WHEN x % 13 = 0 THEN NULL WHEN x % 17 = 0 THEN 4294967296 + x "
                "ELSE x % 29 - 3 END FROM generate_series(1, 2000) x")
    cur.execute("ANALYZE a")
    cur.execute("ANALYZE b")
    for jt in ("JOIN", "LEFT JOIN", "RIGHT JOIN", "FULL JOIN"):
        for on in ("a.k = b.k", "b.k = a.k", "a.s = b.k"):
            q = "SELECT a.id, b.id FROM a %s b ON %s ORDER BY 1, 2" % (jt, on)
            p = [r[0] for r in rows(cur, "EXPLAIN (COSTS OFF) " + q, MERGE)]
            T.ok(any(re.search(r"Merge( \w+)? Join", x) for x in p) and any("Merge Cond" in x for x in p),
                 "%s: a merge join: %r" % (q, p))
            T.ok(rows(cur, q, MERGE) == rows(cur, q, ["SET enable_mergejoin = off"]),
                 "%s: merge join rows equal the hash join's" % q)
    # [NOT] EXISTS correlated by an equality: a merge semi (anti) join
    for q in ("SELECT a.id FROM a WHERE EXISTS (SELECT 1 FROM b WHERE b.k = a.k) ORDER BY 1",
              "SELECT a.id FROM a WHERE NOT EXISTS (SELECT 1 FROM b WHERE b.k = a.k) ORDER BY 1",
              "SELECT b.id FROM b WHERE EXISTS (SELECT 1 FROM a WHERE a.s = b.k AND a.id > 100) ORDER BY 1",
              "SELECT b.id FROM b WHERE NOT EXISTS (SELECT 1 FROM a WHERE a.k = b.k AND a.id % 2 = 0) ORDER BY 1"):
        p = [r[0] for r in rows(cur, "EXPLAIN (COSTS OFF) " + q, MERGE)]
        kind = "Anti" if "NOT EXISTS" in q else "Semi"
        T.ok(any("Merge" in x and kind in x for x in p), "%s: a merge %s join: %r" % (q, kind, p))
        want = rows(cur, q, ["SET enable_mergejoin = off"])
        T.ok(rows(cur, q, MERGE) == want and len(want) > 0, "%s: merge rows equal the hash join's" % q)
    c.close()


def main():
    d, port, proc = ringnode.start(RINGDB, "merge-int-test-", range(24300, 24400))
    try:
        checks(port)
    except Exception:
        ringnode.stop(proc)
        raise
    sys.exit(ringnode.finish(T, "test_merge_int", proc, d))


main()
