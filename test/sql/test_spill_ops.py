#!/usr/bin/python3
"""Operators that spill to disk beyond work_mem (issue 4, branch sqlspill)
against a real build/ringdb: hash joins of every type (grace partitions,
one skewed key joined in blocks, NULL keys, a residual condition), nested
loops over a spilling inner side, INTERSECT / EXCEPT [ALL], count(DISTINCT)
and ORDER BY aggregates, WITH RECURSIVE.  Each query runs with work_mem =
64kB over data much larger than that and must return what Python computes
and what the same query returns with work_mem = 1GB; the node's debug log
shows temporary files were written, and none is left afterwards.
EXPLAIN ANALYZE shows the Hash node's "Buckets: N  Batches: N  Memory
Usage: NkB".  A second node compares its peak RSS (VmHWM) over a join
that spills with the same join in memory.  What still has no bound (an
aggregate's state) fails with 53200 and PostgreSQL's detail under
ringdb.query_mem_limit, and the session goes on.

Usage: test_spill_ops.py RINGDB
"""
import hashlib
import os
import re
import sys
import time
from collections import Counter, defaultdict

import psycopg2

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ringnode  # noqa: E402

RINGDB = sys.argv[1]
T = ringnode.Checks()
ok = T.ok


def md5(s):
    return hashlib.md5(s.encode()).hexdigest()


tmp_files = ringnode.tmp_files
spilled = ringnode.spilled


# ---- the data, and what the joins should return --------------------------

NL, NR = 60000, 40000


def lk(i):
    if i <= 20:
        return -1            # the skewed key: 20 outer rows ...
    return None if i % 97 == 0 else i % 5000


def rk(i):
    if i % 4 == 0:
        return -1            # ... times 10,000 inner rows
    return None if i % 89 == 0 else i % 7000


L = [(i, lk(i)) for i in range(1, NL + 1)]
R = [(i, rk(i)) for i in range(1, NR + 1)]


def join_pairs(cond=None):
    by = defaultdict(list)
    for j, k in R:
        if k is not None:
            by[k].append(j)
    pairs = []
    for i, k in L:
        if k is None:
            continue
        for j in by.get(k, ()):
            if cond is None or cond(i, j):
                pairs.append((i, j))
    return pairs


def expected_joins():
    inner = join_pairs()
    lm = {i for i, _ in inner}
    rm = {j for _, j in inner}
    lun = [i for i, _ in L if i not in lm]
    run = [j for j, _ in R if j not in rm]
    si, sj = sum(i for i, _ in inner), sum(j for _, j in inner)
    exp = {}
    exp["inner"] = (len(inner), si, sj)
    exp["left"] = (len(inner) + len(lun), si + sum(lun), len(inner), sj)
    exp["right"] = (len(inner) + len(run), len(inner), si, sj + sum(run))
    exp["full"] = (len(inner) + len(lun) + len(run), len(inner) + len(lun), si + sum(lun),
                   len(inner) + len(run), sj + sum(run))
    q = join_pairs(lambda i, j: (i + j) % 3 == 0)
    qlm = {i for i, _ in q}
    qrm = {j for _, j in q}
    qlun = [i for i, _ in L if i not in qlm]
    qrun = [j for j, _ in R if j not in qrm]
    exp["full_qual"] = (len(q) + len(qlun) + len(qrun), sum(i for i, _ in q) + sum(qlun),
                        sum(j for _, j in q) + sum(qrun))
    exp["semi"] = (len(lm), sum(lm))
    anti = [i for i, _ in L if i not in lm]
    exp["anti"] = (len(anti), sum(anti))
    exp["rows"] = sorted(p for p in inner if p[0] <= 3000)
    return exp


JOINS = {
    "inner": "SELECT count(*), sum(l.id), sum(r.id) FROM l JOIN r ON l.k = r.k",
    "left": "SELECT count(*), sum(l.id), count(r.id), sum(r.id) FROM l LEFT JOIN r ON l.k = r.k",
    "right": "SELECT count(*), count(l.id), sum(l.id), sum(r.id) FROM l RIGHT JOIN r ON l.k = r.k",
    "full": """SELECT count(*), count(l.id), sum(l.id), count(r.id), sum(r.id)
               FROM l FULL JOIN r ON l.k = r.k""",
    "full_qual": """SELECT count(*), sum(l.id), sum(r.id) FROM l FULL JOIN r
                    ON l.k = r.k AND (l.id + r.id) % 3 = 0""",
    "semi": "SELECT count(*), sum(id) FROM l WHERE EXISTS (SELECT 1 FROM r WHERE r.k = l.k)",
    "anti": "SELECT count(*), sum(id) FROM l WHERE NOT EXISTS (SELECT 1 FROM r WHERE r.k = l.k)",
    "rows": "SELECT l.id, r.id FROM l JOIN r ON l.k = r.k WHERE l.id <= 3000",
}


def run(cur, sql):
    cur.execute(sql)
    rows = [tuple(r) for r in cur.fetchall()]
    return rows


def run_both(cur, d, what, sql, exp, sort=False, must_spill=True):
    """sql at 64kB (spilling) and at 1GB (in memory) both equal exp."""
    ringnode.spill_pair(T, cur, d, what, sql, exp, sort, must_spill)


def test_joins(cur, d):
    cur.execute("CREATE TABLE l (id int PRIMARY KEY, k int, pad text)")
    cur.execute("CREATE TABLE r (id int PRIMARY KEY, k int, pad text)")
    cur.execute("""INSERT INTO l SELECT g, CASE WHEN g <= 20 THEN -1 WHEN g %% 97 = 0 THEN NULL
                   ELSE g %% 5000 END, md5(g::text) FROM generate_series(1, %d) g""" % NL)
    cur.execute("""INSERT INTO r SELECT g, CASE WHEN g %% 4 = 0 THEN -1 WHEN g %% 89 = 0 THEN NULL
                   ELSE g %% 7000 END, md5(g::text) FROM generate_series(1, %d) g""" % NR)
    exp = expected_joins()
    for name, sql in JOINS.items():
        e = exp[name] if name == "rows" else [exp[name]]
        run_both(cur, d, "join " + name, sql, e, sort=(name == "rows"))

    # EXPLAIN ANALYZE: the Hash node's line, batches > 1 only when spilling
    q = "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT count(*) FROM l JOIN r ON l.k = r.k"
    for wm, many in (("64kB", True), ("1GB", False)):
        cur.execute("SET work_mem = '%s'" % wm)
        lines = [x[0].strip() for x in run(cur, q)]
        m = [re.fullmatch(r"Buckets: (\d+)  Batches: (\d+)  Memory Usage: (\d+)kB", x) for x in lines]
        m = [x for x in m if x]
        good = len(m) == 1 and (int(m[0].group(2)) > 1) == many
        if good and many:
            good = int(m[0].group(3)) < 512    # about hash memory, 128kB, per batch
        ok(good, "EXPLAIN ANALYZE Hash at %s: %r" % (wm, lines))
    ok(tmp_files(d) == [], "temporary files left after EXPLAIN ANALYZE: %r" % tmp_files(d))

    # nested loop (no equality): the inner side in a tuplestore on disk
    a = [(i, lk(i)) for i in range(1, 1501)]
    b = [(j, rk(j)) for j in range(1, 1501)]
    inner = [(i, j) for i, _ in a for j, _ in b if i < j < i + 4]
    exp_nl = [(len(inner), sum(i for i, _ in inner), sum(j for _, j in inner))]
    run_both(cur, d, "nested loop", """SELECT count(*), sum(a.id), sum(b.id)
             FROM (SELECT * FROM l WHERE id <= 1500) a JOIN (SELECT * FROM r WHERE id <= 1500) b
             ON a.id < b.id AND b.id < a.id + 4""", exp_nl)
    rm = {j for _, j in inner}
    un = [j for j, _ in b if j not in rm]
    exp_nlr = [(len(inner) + len(un), len(inner), sum(j for _, j in inner) + sum(un))]
    run_both(cur, d, "nested loop right join", """SELECT count(*), count(a.id), sum(b.id)
             FROM (SELECT * FROM l WHERE id <= 1500) a RIGHT JOIN (SELECT * FROM r WHERE id <= 1500) b
             ON a.id < b.id AND b.id < a.id + 4""", exp_nlr)

    # an error in the middle of a spilled join: its files go with it
    cur.execute("SET work_mem = '64kB'")
    ringnode.spill_error(T, cur, d, "SELECT sum(1 / (l.id - 59001)) FROM l JOIN r ON l.k = r.k",
                         "the join's partitions")


def test_setops(cur, d):
    # left: NULL and g % 70000 (g = 1 .. 200000); right: 3 NULLs and g % 50000 (g = 0 .. 150000)
    src = """SELECT CASE WHEN g = 0 THEN NULL ELSE g %% 70000 END FROM generate_series(0, 200000) g
             %s SELECT CASE WHEN g < 0 THEN NULL ELSE g %% 50000 END FROM generate_series(-3, 150000) g"""
    cx = Counter([g % 70000 for g in range(1, 200001)] + [None])
    ycount = Counter([g % 50000 for g in range(0, 150001)] + [None] * 3)
    exp = {
        "INTERSECT": [k for k in cx if k in ycount],
        "INTERSECT ALL": list((cx & ycount).elements()),
        "EXCEPT": [k for k in cx if k not in ycount],
        "EXCEPT ALL": list((cx - ycount).elements()),
    }
    key = lambda v: (v is None, v or 0)
    for op, e in exp.items():
        cur.execute("SET work_mem = '64kB'")
        before = spilled(d)
        got = sorted((r[0] for r in run(cur, src % op)), key=key)
        wrote = spilled(d) > before
        cur.execute("SET work_mem = '1GB'")
        big = sorted((r[0] for r in run(cur, src % op)), key=key)
        want = sorted(e, key=key)
        ok(got == want, "%s spilling: %d rows, expected %d" % (op, len(got), len(want)))
        ok(big == want, "%s in memory: %d rows, expected %d" % (op, len(big), len(want)))
        ok(wrote, "%s at 64kB wrote temporary files" % op)
        ok(tmp_files(d) == [], "%s: temporary files left: %r" % (op, tmp_files(d)))
    # EXCEPT whose left side alone outgrows hash memory while streaming
    run_both(cur, d, "EXCEPT (left side large)", """SELECT count(*), sum(x) FROM (SELECT g % 150000 AS x
             FROM generate_series(1, 300000) g EXCEPT SELECT g FROM generate_series(1, 100) g) s""",
             [(149900, sum(range(150000)) - sum(range(1, 101)))])


def test_aggs(cur, d):
    gs = range(1, 200001)
    exp = [(70000, 200000, sum(set(g % 1000 for g in gs)),
            md5(",".join(str(g) for g in sorted(gs, reverse=True))),
            md5(",".join(sorted(set(str(g % 5000) for g in gs)))))]
    run_both(cur, d, "count(DISTINCT) / ordered aggregates", """SELECT count(DISTINCT g % 70000),
             count(DISTINCT g::text), sum(DISTINCT g % 1000), md5(string_agg(g::text, ',' ORDER BY g DESC)),
             md5(string_agg(DISTINCT (g % 5000)::text, ',' ORDER BY (g % 5000)::text))
             FROM generate_series(1, 200000) g""", exp)
    exp = []
    for k in range(3):
        v = [g for g in gs if g % 3 == k]
        exp.append((k, len(v), md5(",".join(str(g) for g in sorted(v, reverse=True))),
                    "{" + ",".join(str(x) for x in sorted(set(g % 4000 for g in v))[:5]) + "}"))
    run_both(cur, d, "grouped DISTINCT / ordered aggregates", """SELECT g % 3, count(DISTINCT g),
             md5(string_agg(g::text, ',' ORDER BY g DESC)), (array_agg(DISTINCT g % 4000))[1:5]::text
             FROM generate_series(1, 200000) g GROUP BY 1 ORDER BY 1""", exp)


def test_recursive(cur, d):
    s, rows = md5("1"), []
    for n in range(1, 100001):
        rows.append(s)
        s = md5(s)
    exp = [(100000, sum(range(1, 100001)), max(rows))]
    run_both(cur, d, "WITH RECURSIVE (one row per round)", """WITH RECURSIVE t(n, s) AS (SELECT 1, md5('1')
             UNION ALL SELECT n + 1, md5(s) FROM t WHERE n < 100000) SELECT count(*), sum(n), max(s) FROM t""",
             exp, must_spill=False)   # one row per round: nothing to spill
    exp = [(300000, sum(a * b for a in range(1, 50001) for b in range(6)))]
    run_both(cur, d, "WITH RECURSIVE (wide rounds)", """WITH RECURSIVE t(a, b) AS (SELECT g, 0
             FROM generate_series(1, 50000) g UNION ALL SELECT a, b + 1 FROM t WHERE b < 5)
             SELECT count(*), sum(a * b) FROM t""", exp)


def test_limit(cur, d):
    cur.execute("SET work_mem = '64kB'")
    cur.execute("SET ringdb.query_mem_limit = '2MB'")
    cur.execute("SHOW ringdb.query_mem_limit")
    ok(cur.fetchone()[0] == "2MB", "SHOW ringdb.query_mem_limit")
    # spilling operators stay within the limit
    cur.execute("SELECT count(*) FROM l JOIN r ON l.k = r.k")
    ok(cur.fetchone()[0] == expected_joins()["inner"][0], "a spilled join under a 2MB query limit")
    # one window partition beyond the limit is buffered on disk (branch sqlspill2)
    cur.execute("SELECT max(x) FROM (SELECT lag(pad) OVER (ORDER BY id) AS x FROM l) s")
    ok(cur.fetchone()[0] == max(md5(str(i)) for i in range(1, NL)), "one window partition under a 2MB query limit")
    # an aggregate state beyond the limit: 53200
    try:
        cur.execute("SELECT length(string_agg(pad || pad, ',')) FROM l")
        ok(False, "53200 expected, got %r" % (cur.fetchall(),))
    except psycopg2.Error as e:
        ok(e.pgcode == "53200" and e.diag.message_primary == "out of memory" and
           re.fullmatch(r'Failed on request of size \d+ in memory context "ExecutorState"\.',
                        e.diag.message_detail or ""), "53200: %s %r %r" % (e.pgcode, e.pgerror, e.diag.message_detail))
    ok(tmp_files(d) == [], "temporary files left after 53200: %r" % tmp_files(d))
    try:
        cur.execute("SET ringdb.query_mem_limit = '100kB'")
        ok(False, "22023 expected")
    except psycopg2.Error as e:
        ok(e.pgcode == "22023", "query_mem_limit below 1MB: %s" % e.pgcode)
    cur.execute("RESET ringdb.query_mem_limit")
    cur.execute("SELECT 1")
    ok(cur.fetchone() == (1,), "the session goes on")


def test_rss(d0):
    """Peak RSS of a fresh node over a 300,000 x 300,000 join: spilling at
    64kB first, then in memory at 1GB (VmHWM only grows)."""
    with ringnode.scratch(RINGDB, "spill-rss-test-", range(42700, 42799)) as (proc, cur):
        q = """SELECT count(*), sum(a.g), max(b.m) FROM (SELECT g FROM generate_series(1, 300000) g) a
               JOIN (SELECT g, md5(g::text) AS m FROM generate_series(1, 300000) g) b ON a.g = b.g"""
        exp = (300000, 300000 * 300001 // 2, max(md5(str(g)) for g in range(1, 300001)))
        spill, mem = ringnode.rss_pair(T, cur, proc.pid, "join", q, exp)
        if ringnode.sanitized(RINGDB):
            print("sanitizer build: peak RSS not compared")
        else:
            ok(mem > 20000 and spill * 3 < mem, "peak RSS: spilling +%d kB, in memory +%d kB" % (spill, mem))


def main():
    d, port, proc = ringnode.start(RINGDB, "spill-ops-test-", range(42600, 42699), "debug")
    try:
        conn = ringnode.connect(port)
        cur = conn.cursor()
        test_joins(cur, d)
        test_setops(cur, d)
        test_aggs(cur, d)
        test_recursive(cur, d)
        test_limit(cur, d)
        conn.close()
        test_rss(d)
    finally:
        rc = ringnode.finish(T, "test_spill_ops", proc, d)
    sys.exit(rc)


if __name__ == "__main__":
    main()
