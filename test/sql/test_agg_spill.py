#!/usr/bin/python3
"""Hash aggregation and hash DISTINCT that spill to disk beyond hash
memory (issue #4) against a real build/ringdb, with work_mem = 64kB (hard
per-query limit 256 x work_mem = 16 MB, which the in-memory hash tables of
these queries exceeded): GROUP BY with hundreds of thousands to a million
groups, text and NULL keys, DISTINCT / ORDER BY / FILTER aggregates,
HAVING, SELECT DISTINCT and UNION return exactly the rows Python computes;
the node's temporary files (<data-dir>/tmp) are written (its debug log
names each as it is removed) and are all gone after each statement, also
after an error in the middle of a spilled aggregate; one group whose state
outgrows the hard limit fails with 53200 and the session goes on.

Usage: test_agg_spill.py RINGDB
"""
import hashlib
import os
import re
import sys
from collections import defaultdict

import psycopg2

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ringnode  # noqa: E402

RINGDB = sys.argv[1]
PORTS = range(43000, 43099)
T = ringnode.Checks()
ok = T.ok


tmp_files = ringnode.tmp_files
spilled = ringnode.spilled


def md5(s):
    return hashlib.md5(s.encode()).hexdigest()


def main():
    d, port, proc = ringnode.start(RINGDB, "agg-spill-test-", PORTS, "debug")
    try:
        conn = psycopg2.connect(host="127.0.0.1", port=port, user="postgres", dbname="postgres")
        conn.autocommit = True
        cur = conn.cursor()
        # (loaded under the default work_mem: the INSERT keeps its rows)
        cur.execute("CREATE TABLE big (id int PRIMARY KEY, k text, v int)")
        cur.execute("""INSERT INTO big SELECT g, CASE WHEN g % 1000 = 0 THEN NULL
                       ELSE md5((g % 90000)::text) END, g % 7 FROM generate_series(1, 300000) g""")
        cur.execute("SET work_mem = '64kB'")

        # 200,000 groups of 3 rows each, from generate_series
        before = spilled(d)
        cur.execute("""SELECT k, count(*), sum(g) FROM (SELECT g, g % 200000 AS k
                       FROM generate_series(1, 600000) g) s GROUP BY k""")
        got = sorted(cur.fetchall())
        exp = [(k, 3, (k or 200000) * 3 + 600000) for k in range(200000)]
        ok(got == exp, "GROUP BY over 200,000 groups: %d rows, first %r" % (len(got), got[:3]))
        ok(spilled(d) > before, "the aggregate wrote temporary files (debug log)")
        ok(tmp_files(d) == [], "temporary files left after the aggregate: %r" % tmp_files(d))

        # EXPLAIN ANALYZE says so, as PostgreSQL does
        cur.execute("""EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)
                       SELECT g % 50000, count(*) FROM generate_series(1, 200000) g GROUP BY 1""")
        lines = [r[0].strip() for r in cur.fetchall()]
        m = [re.fullmatch(r"Batches: (\d+)  Memory Usage: (\d+)kB  Disk Usage: \d+kB", l) for l in lines]
        m = [x for x in m if x]
        ok(len(m) == 1 and int(m[0].group(1)) > 1 and int(m[0].group(2)) < 1024,
           "EXPLAIN ANALYZE of a spilled HashAggregate: %r" % lines)
        ok(tmp_files(d) == [], "temporary files left after EXPLAIN ANALYZE: %r" % tmp_files(d))

        # a table: text keys with NULLs, several aggregates, HAVING
        rows = []
        for g in range(1, 300001):
            rows.append((g, None if g % 1000 == 0 else md5(str(g % 90000)), g % 7))
        groups = defaultdict(list)
        for g, k, v in rows:
            groups[k].append((g, v))
        before = spilled(d)
        cur.execute("""SELECT k, count(*), sum(id), min(id), max(v), count(DISTINCT v),
                              string_agg(id::text, ',' ORDER BY id DESC),
                              count(*) FILTER (WHERE v = 3)
                       FROM big GROUP BY k""")
        got = cur.fetchall()
        exp = []
        for k, l in groups.items():
            ids = [g for g, _ in l]
            vs = [v for _, v in l]
            exp.append((k, len(l), sum(ids), min(ids), max(vs), len(set(vs)),
                        ",".join(str(i) for i in sorted(ids, reverse=True)),
                        sum(1 for v in vs if v == 3)))
        key = lambda r: (r[0] is None, r[0] or "")
        ok(sorted(got, key=key) == sorted(exp, key=key),
           "GROUP BY text over a table: %d rows of %d" % (len(got), len(exp)))
        ok(sum(1 for r in got if r[0] is None) == 1, "one NULL group")
        ok(spilled(d) > before, "the table's aggregate spilled")
        cur.execute("SELECT k, count(*) FROM big GROUP BY k HAVING sum(id) % 97 = 0")
        got = sorted(cur.fetchall(), key=key)
        exp = sorted([(k, len(l)) for k, l in groups.items() if sum(g for g, _ in l) % 97 == 0], key=key)
        ok(got == exp, "HAVING over a spilled aggregate: %d rows of %d" % (len(got), len(exp)))

        # a million distinct keys: finishes within the limit
        cur.execute("""SELECT count(*), sum(c), sum(g) FROM (SELECT g, count(*) AS c
                       FROM generate_series(1, 1000000) g GROUP BY g) s""")
        ok(cur.fetchone() == (1000000, 1000000, 500000500000), "a million groups")
        ok(tmp_files(d) == [], "temporary files left: %r" % tmp_files(d))

        # SELECT DISTINCT and UNION spill the same way
        before = spilled(d)
        cur.execute("SELECT DISTINCT g % 250000 FROM generate_series(1, 600000) g")
        got = sorted(r[0] for r in cur.fetchall())
        ok(got == list(range(250000)), "SELECT DISTINCT over 250,000 values: %d rows" % len(got))
        ok(spilled(d) > before, "the DISTINCT spilled")
        cur.execute("SELECT DISTINCT k, v FROM big")
        got = sorted(cur.fetchall(), key=lambda r: (r[0] is None, r[0] or "", r[1]))
        exp = sorted({(k, v) for _, k, v in rows}, key=lambda r: (r[0] is None, r[0] or "", r[1]))
        ok(got == exp, "SELECT DISTINCT k, v: %d rows of %d" % (len(got), len(exp)))
        cur.execute("""SELECT count(*), sum(g) FROM (SELECT g FROM generate_series(1, 300000) g
                       UNION SELECT g FROM generate_series(200001, 500000) g) s""")
        ok(cur.fetchone() == (500000, 125000250000), "UNION of 500,000 rows")
        ok(tmp_files(d) == [], "temporary files left after DISTINCT: %r" % tmp_files(d))

        # an error in the middle of a spilled aggregate: the files go with it
        ringnode.spill_error(T, cur, d, """SELECT g % 300000, sum(1 / (g - 550000)) FROM generate_series(1, 600000) g
                                           GROUP BY 1""", "partitions")

        # one group larger than the hard limit: 53200, cleanly, grouped or not
        for q in ["SELECT length(string_agg(md5(g::text), ',')) FROM generate_series(1, 1000000) g",
                  """SELECT g % 2, length(string_agg(md5(g::text), ',')) FROM generate_series(1, 1000000) g
                     GROUP BY 1"""]:
            try:
                cur.execute(q)
                ok(False, "53200 expected, got %r" % (cur.fetchall(),))
            except psycopg2.Error as e:
                ok(e.pgcode == "53200", "error code %s %s" % (e.pgcode, e.pgerror))
            ok(tmp_files(d) == [], "temporary files left after 53200: %r" % tmp_files(d))
        cur.execute("SELECT 1")
        ok(cur.fetchone() == (1,), "the session goes on")

        # with the default work_mem the same aggregate stays in memory
        cur.execute("RESET work_mem")
        before = spilled(d)
        cur.execute("SELECT count(*) FROM (SELECT g % 5000, count(*) FROM generate_series(1, 20000) g GROUP BY 1) s")
        ok(cur.fetchone()[0] == 5000 and spilled(d) == before, "an in-memory aggregate writes no file")
        cur.execute("""EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)
                       SELECT DISTINCT g % 5000 FROM generate_series(1, 20000) g""")
        lines = [r[0].strip() for r in cur.fetchall()]
        ok(any(re.fullmatch(r"Batches: 1  Memory Usage: \d+kB", l) for l in lines),
           "EXPLAIN ANALYZE of an in-memory DISTINCT: %r" % lines)
        conn.close()
    finally:
        rc = ringnode.finish(T, "test_agg_spill", proc, d)
    sys.exit(rc)


if __name__ == "__main__":
    main()
