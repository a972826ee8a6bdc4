#!/usr/bin/python3
"""The operators that held everything in memory until branch sqlspill2
(issue 4) spill to disk beyond work_mem, against a real build/ringdb:
window functions over one partition far larger than work_mem (tstore read
by position: ROWS / RANGE / GROUPS frames with offsets, EXCLUDE, lag /
lead / first / last / nth_value, ranking, aggregates over frames),
x [NOT] IN / = ANY (uncorrelated subquery) whose set exceeds hash memory
(rowset: sorted runs on disk; NOT IN's NULL rules), and WITH RECURSIVE
... UNION whose seen rows exceed hash memory.  Each query runs at
work_mem = 64kB and at 1GB and must return what Python computes; at 64kB
the node's debug log shows temporary files written, at 1GB none, and none
is left; EXPLAIN ANALYZE shows WindowAgg's "Storage: Disk" at 64kB.  A query limit of 2MB (ringdb.query_mem_limit) does not stop
them.  Fresh nodes compare peak RSS (VmHWM) spilling and in memory (not
under AddressSanitizer, whose quarantine holds freed memory).

Usage: test_spill_more.py RINGDB
"""
import hashlib
import os
import re
import sys
from collections import Counter

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ringnode  # noqa: E402

RINGDB = sys.argv[1]
T = ringnode.Checks()
ok = T.ok
PORTS = range(26600, 26700)


def md5(s):
    return hashlib.md5(s.encode()).hexdigest()


def both(cur, d, what, sql, exp, sort=False):
    return ringnode.spill_pair(T, cur, d, what, sql, exp, sort)


# ---- window functions over one partition ------------------------------------

N = 100000


def groups_frames(keys, before, after):
    """For rows sorted by keys: each row's GROUPS BETWEEN before PRECEDING
    AND after FOLLOWING frame [start, end) and its number of peers."""
    first, end, num = {}, {}, []
    for q, k in enumerate(keys):
        if not num or keys[q - 1] != k:
            first[len(first)] = q
        num.append(len(first) - 1)
        end[num[-1]] = q + 1
    for q in range(len(keys)):
        g = num[q]
        yield first[max(g - before, 0)], end[min(g + after, len(first) - 1)], end[g] - first[g]


def expected_frames():
    g = list(range(1, N + 1))
    rows_sum = sum(sum(g[max(0, i - 5):i + 3]) for i in range(N))
    first_v = sum(g[max(0, i - 10)] for i in range(N))
    lag3 = sum(g[i - 3] for i in range(3, N))
    # nth_value(g, 3) over (order by g / 7 groups between 1 preceding and 1 following)
    nth = sum(g[fs + 2] if fs + 2 < fe else 0 for fs, fe, _ in groups_frames([x // 7 for x in g], 1, 1))
    # sum(g) over (order by g range between 100 preceding and 50 following)
    rng = sum(sum(range(max(1, x - 100), min(N, x + 50) + 1)) for x in g)
    # count(*) over (order by g / 5 groups between 2 preceding and 1 following exclude ties)
    cnt = sum((fe - fs) - (peers - 1) for fs, fe, peers in groups_frames([x // 5 for x in g], 2, 1))
    return [(N, N * (N + 1) // 2, lag3, rows_sum, first_v, N * N, nth, rng, cnt)]


FRAMES = """SELECT count(*), sum(rn), sum(l), sum(s), sum(fv), sum(lv), sum(nv), sum(rs), sum(gr) FROM (
  SELECT row_number() OVER w rn, lag(g, 3) OVER w l,
         sum(g) OVER (ORDER BY g ROWS BETWEEN 5 PRECEDING AND 2 FOLLOWING) s,
         first_value(g) OVER (ORDER BY g ROWS BETWEEN 10 PRECEDING AND CURRENT ROW) fv,
         last_value(g) OVER (ORDER BY g / 10 RANGE BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) lv,
         nth_value(g, 3) OVER (ORDER BY g / 7 GROUPS BETWEEN 1 PRECEDING AND 1 FOLLOWING) nv,
         sum(g) OVER (ORDER BY g RANGE BETWEEN 100 PRECEDING AND 50 FOLLOWING) rs,
         count(*) OVER (ORDER BY g / 5 GROUPS BETWEEN 2 PRECEDING AND 1 FOLLOWING EXCLUDE TIES) gr
  FROM generate_series(1, %d) g WINDOW w AS (ORDER BY g)) s""" % N


def expected_ranks():
    rank = dense = lead = ntile = 0
    for p in range(3):
        g = [x for x in range(1, N + 1) if x % 3 == p]
        keys = [x // 10 for x in g]
        c = Counter(keys)
        smaller, dsmaller = 0, 0
        for k in sorted(c):
            rank += c[k] * (smaller + 1)
            dense += c[k] * (dsmaller + 1)
            smaller += c[k]
            dsmaller += 1
        lead += sum(g[i + 2] if i + 2 < len(g) else -1 for i in range(len(g)))
        n = len(g)
        q, rem = divmod(n, 7)
        for i in range(n):
            ntile += (i // (q + 1) if i < rem * (q + 1) else rem + (i - rem * (q + 1)) // q) + 1
    t = [md5(str(x)) for x in range(1, N + 1)]
    return [(rank, dense, lead, ntile, max(t[:N - 1000]), min(t[max(0, i - 3)] for i in range(N)))]


RANKS = """SELECT sum(rk), sum(dr), sum(ld), sum(nt), max(lt), min(ft) FROM (
  SELECT rank() OVER p rk, dense_rank() OVER p dr,
         lead(g, 2, -1) OVER (PARTITION BY g %% 3 ORDER BY g) ld,
         ntile(7) OVER (PARTITION BY g %% 3 ORDER BY g) nt,
         lag(md5(g::text), 1000) OVER (ORDER BY g) lt,
         first_value(md5(g::text)) OVER (ORDER BY g ROWS BETWEEN 3 PRECEDING AND CURRENT ROW) ft
  FROM generate_series(1, %d) g WINDOW p AS (PARTITION BY g %% 3 ORDER BY g / 10)) s""" % N

# RANGE offsets with NULL order keys at either end, DESC, peers, EXCLUDE:
# compared between the spilling and the in-memory runs only (and with
# PostgreSQL by regress/sql/spill_window.sql on smaller data)
MIXED = """SELECT sum(a), sum(b), sum(c), sum(d), sum(e), md5(string_agg(f::text, ',' ORDER BY g)) FROM (
  SELECT g, sum(g) OVER (ORDER BY nullif(g %% 500, 7) RANGE BETWEEN 2 PRECEDING AND 3 FOLLOWING) a,
         count(*) OVER (ORDER BY nullif(g %% 500, 7) DESC NULLS LAST RANGE BETWEEN 1 PRECEDING AND CURRENT ROW) b,
         max(g) OVER (ORDER BY g / 3 ROWS BETWEEN 2 PRECEDING AND 2 FOLLOWING EXCLUDE GROUP) c,
         last_value(g) OVER (ORDER BY g / 4 GROUPS BETWEEN CURRENT ROW AND 2 FOLLOWING EXCLUDE CURRENT ROW) d,
         avg(g) OVER (ORDER BY g / 4 GROUPS BETWEEN 3 PRECEDING AND 1 PRECEDING)::bigint e,
         percent_rank() OVER (ORDER BY g / 100) * cume_dist() OVER (ORDER BY g / 100) f
  FROM generate_series(1, %d) g) s""" % N


def test_window(cur, d):
    # EXPLAIN ANALYZE: WindowAgg's Storage line (PostgreSQL 17's form)
    q = """EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT count(x) FROM
           (SELECT lag(g) OVER (ORDER BY g) x FROM generate_series(1, 50000) g) s"""
    for wm, kind in (("64kB", "Disk"), ("1GB", "Memory")):
        cur.execute("SET work_mem = '%s'" % wm)
        cur.execute(q)
        lines = [x[0].strip() for x in cur.fetchall()]
        ok(any(re.fullmatch(r"Storage: %s  Maximum Storage: \d+kB" % kind, x) for x in lines),
           "EXPLAIN ANALYZE at %s: WindowAgg storage %s: %r" % (wm, kind, lines))
    both(cur, d, "window frames over one partition", FRAMES, expected_frames())
    both(cur, d, "window ranks, lag/lead, text values", RANKS, expected_ranks())
    cur.execute("SET work_mem = '1GB'")
    cur.execute(MIXED)
    exp = cur.fetchall()
    both(cur, d, "window RANGE with NULLs, DESC, EXCLUDE", MIXED, exp)


# ---- x [NOT] IN / = ANY (subquery) ------------------------------------------

M = 300000


def test_subplan(cur, d):
    both(cur, d, "IN (subquery)", """SELECT count(*), sum(g) FROM generate_series(1, %d) g
         WHERE g IN (SELECT x * 3 FROM generate_series(1, 200000) x)""" % M,
         [(100000, sum(range(3, M + 1, 3)))])
    both(cur, d, "NOT IN (subquery)", """SELECT count(*) FROM generate_series(1, %d) g
         WHERE g NOT IN (SELECT x * 3 FROM generate_series(1, 200000) x)""" % M, [(200000,)])
    # a NULL in the subquery: NOT IN is never true, IN is true or NULL
    nul = "SELECT CASE WHEN x = 77 THEN NULL ELSE x * 3 END FROM generate_series(1, 200000) x"
    both(cur, d, "NOT IN (subquery with a NULL)", """SELECT count(*), count(g NOT IN (%s)),
         count(*) FILTER (WHERE g NOT IN (%s) IS NULL), count(*) FILTER (WHERE g IN (%s))
         FROM generate_series(1, %d) g""" % (nul, nul, nul, M), [(M, 99999, M - 99999, 99999)])
    both(cur, d, "= ANY (subquery), text", """SELECT count(*), max(m) FROM (SELECT md5(g::text) m
         FROM generate_series(1, 100000) g) s WHERE m = ANY (SELECT md5((x * 4)::text)
         FROM generate_series(1, 100000) x)""", [(25000, max(md5(str(x)) for x in range(4, 100001, 4)))])
    # a NULL probe: NULL over a non-empty set, false (IN) / true (NOT IN) over an empty one
    both(cur, d, "NULL probe", """SELECT NULL::int IN (SELECT x FROM generate_series(1, 100000) x),
         NULL::int NOT IN (SELECT x FROM generate_series(1, 100000) x),
         NULL::int IN (SELECT x FROM generate_series(1, 100000) x WHERE x < 0),
         NULL::int NOT IN (SELECT x FROM generate_series(1, 100000) x WHERE x < 0),
         5 IN (SELECT x FROM generate_series(1, 100000) x), 0 NOT IN (SELECT x FROM generate_series(1, 100000) x)""",
         [(None, None, False, True, True, True)])


# ---- WITH RECURSIVE ... UNION -----------------------------------------------

P = 100003


def closure(start, steps):
    seen, todo = set(start), list(start)
    while todo:
        nxt = []
        for n in todo:
            for f in steps:
                m = f(n)
                if m not in seen:
                    seen.add(m)
                    nxt.append(m)
        todo = nxt
    return seen


def test_recursive(cur, d):
    s = closure(range(1, 11), [lambda n: (n * 2) % P, lambda n: (n * 3 + 1) % P])
    both(cur, d, "WITH RECURSIVE UNION (many distinct rows)", """WITH RECURSIVE r(n) AS (
         SELECT g FROM generate_series(1, 10) g
         UNION SELECT (n * k + k - 2) %% %d FROM r, (VALUES (2), (3)) v(k))
         SELECT count(*), sum(n) FROM r""" % P, [(len(s), sum(s))])
    # one new row a round (a cycle of 9,091), text rows
    seq, n = [], 1
    while n not in seq:
        seq.append(n)
        n = (n * 7 + 3) % 200003
    both(cur, d, "WITH RECURSIVE UNION (one row a round, text)", """WITH RECURSIVE r(n, t) AS (
         SELECT 1, md5('1') UNION SELECT (n * 7 + 3) % 200003, md5(((n * 7 + 3) % 200003)::text) FROM r)
         SELECT count(*), sum(n), max(t) FROM r""", [(len(seq), sum(seq), max(md5(str(x)) for x in seq))])


def test_limit(cur, d):
    """A 2MB query limit (32 x 64kB) stops none of them."""
    cur.execute("SET work_mem = '64kB'")
    cur.execute("SET ringdb.query_mem_limit = '2MB'")
    cur.execute(FRAMES)
    ok(cur.fetchall() == expected_frames(), "window frames under a 2MB query limit")
    cur.execute("""SELECT count(*) FROM generate_series(1, %d) g
                   WHERE g NOT IN (SELECT x * 3 FROM generate_series(1, 200000) x)""" % M)
    ok(cur.fetchone() == (200000,), "NOT IN under a 2MB query limit")
    cur.execute("""WITH RECURSIVE r(n) AS (SELECT 1 UNION SELECT (n * 7 + 3) % 200003 FROM r)
                   SELECT count(*) FROM r""")
    ok(cur.fetchone() == (9091,), "recursive UNION under a 2MB query limit")
    cur.execute("RESET ringdb.query_mem_limit")
    ok(ringnode.tmp_files(d) == [], "no temporary file left")


RSS = {
    "window": ("""SELECT count(*), max(x) FROM (SELECT lag(md5(g::text), 5) OVER (ORDER BY g) x
                  FROM generate_series(1, 400000) g) s""", lambda: (400000, max(md5(str(x)) for x in range(1, 399996)))),
    "NOT IN": ("""SELECT count(*) FROM (SELECT md5(g::text) m FROM generate_series(1, 100000) g) s
                  WHERE m NOT IN (SELECT md5(x::text) FROM generate_series(50001, 450000) x)""", lambda: (50000,)),
    "recursive": ("""WITH RECURSIVE r(n, t) AS (SELECT g, md5(g::text) FROM generate_series(1, 1000) g
                     UNION SELECT n + 1000, md5((n + 1000)::text) FROM r WHERE n <= 299000)
                     SELECT count(*) FROM r""", lambda: (300000,)),
}


def test_rss():
    """Peak RSS growth of a fresh node per query: spilling at 64kB first,
    then in memory at 1GB (VmHWM only grows).  A coarse bound only."""
    for what, (q, exp) in RSS.items():
        with ringnode.scratch(RINGDB, "spill-more-rss-", PORTS) as (proc, cur):
            spill, mem = ringnode.rss_pair(T, cur, proc.pid, what, q, exp())
            if not ringnode.sanitized(RINGDB):
                ok(mem > 15000 and spill * 2 < mem, "peak RSS %s: spilling +%d kB, in memory +%d kB" % (what, spill, mem))


def main():
    d, port, proc = ringnode.start(RINGDB, "spill-more-test-", PORTS, "debug")
    try:
        conn = ringnode.connect(port)
        cur = conn.cursor()
        test_window(cur, d)
        test_subplan(cur, d)
        test_recursive(cur, d)
        test_limit(cur, d)
        conn.close()
        test_rss()
    finally:
        rc = ringnode.finish(T, "test_spill_more", proc, d)
    sys.exit(rc)


if __name__ == "__main__":
    main()
