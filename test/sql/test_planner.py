#!/usr/bin/python3
"""The cost-based planner (exec/plan_order.c, exec/plan_join.c) against a
real build/ringdb.  Checked here:

- ORDER BY ... LIMIT on an indexed column reads the index in order (EXPLAIN
  shows Limit over "Index Scan using ..." and no Sort), with a range on the
  column, after an equality on a leading column, through a DESC index,
  backward ("Index Scan Backward": DESC over an ASC index), with ties
  broken by the primary key, and the primary key of a range-partitioned
  table; without a LIMIT, with mixed directions, on a hash-partitioned
  table's key or where no index gives the order a Sort stays;
- random ORDER BY / LIMIT / OFFSET / WHERE queries over columns with NULLs
  and duplicates give the rows that the same query gives with
  SET enable_indexscan = off (a Sort), ASC/DESC, NULLS FIRST/LAST, with and
  without a tie-breaker, before and after ANALYZE, after UPDATEs, and in a
  transaction whose own writes the scans merge;
- joins inside correlated subqueries, LATERAL and EXISTS keep their outer
  references; UPDATE ... FROM keeps its rows;
- a join whose FROM order is bad (big x big x tiny with a selective filter
  on tiny) starts from tiny and probes the big tables' keys (EXPLAIN), and
  with join_collapse_limit = 1 keeps the written order;
- random inner joins of 3 to 6 tables (mixed with LEFT JOINs, which are not
  reordered across) give the rows that the same query gives with
  join_collapse_limit = 1, with each join method turned off and with the
  greedy order (join_collapse_limit = 2);
- random UPDATE ... FROM / DELETE ... USING over 2 to 4 FROM items leave
  the table that join_collapse_limit = 1 leaves, and some are reordered;
- merge joins (exec/mergejoin.c): two range-partitioned tables joined on
  their keys merge without sorts (EXPLAIN: Merge Join, Merge Cond), and
  random inner / left / right / full joins on one or two keys (int and
  text), with join filters, duplicates and NULLs on both sides, forced to
  merge (enable_hashjoin and enable_nestloop off) give the rows of the hash
  join and of the nested loop, also with a work_mem small enough that an
  inner group of duplicates spills to disk;
- on a skewed column ANALYZE's MCV list (pg_stats) makes a common value
  read the table and a rare one the index, and EXPLAIN's row estimates of
  =, <, >, BETWEEN, IS NULL, IN and AND stay within 2x of the actual rows;
- the switches: SHOW, SET to a non-Boolean (22023), RESET; enable_seqscan off
  reads an unselective range through its index.

Usage: test_planner.py RINGDB        (ports 41700-41999)
"""
import os
import random
import sys

import psycopg2

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ringnode  # noqa: E402

RINGDB = sys.argv[1]
PORTS = range(41700, 41999)
T = ringnode.Checks()
ok = T.ok
rnd = random.Random(11)
NROWS = 3000


rows, plan = ringnode.rows, ringnode.plan


def setup_order(cur):
    cur.execute("CREATE TABLE o (id int PRIMARY KEY, b int, c text, d int NOT NULL, e int)")
    cur.execute("CREATE INDEX o_b ON o(b)")
    cur.execute("CREATE INDEX o_c ON o(c DESC)")
    cur.execute("CREATE INDEX o_db ON o(d, b)")
    data = []
    for i in range(1, NROWS + 1):
        b = None if i % 13 == 0 else rnd.randrange(0, 400)
        c = None if i % 7 == 0 else "s%03d" % rnd.randrange(0, 300)
        data.append((i, b, c, rnd.randrange(0, 20), rnd.randrange(0, 1000)))
    cur.executemany("INSERT INTO o VALUES (%s, %s, %s, %s, %s)", data)
    cur.execute("CREATE TABLE r (id int PRIMARY KEY, v int) PARTITION BY RANGE (id)")
    cur.execute("INSERT INTO r SELECT g, g % 17 FROM generate_series(1, 2000) g")


def order_plans(cur):
    p = plan(cur, "SELECT * FROM o ORDER BY b LIMIT 10")
    ok(p == ["Limit", "Index Scan using o_b on o"], "ORDER BY b LIMIT: %r" % p)
    p = plan(cur, "SELECT * FROM o WHERE b > 5 ORDER BY b LIMIT 10")
    ok(p == ["Limit", "Index Scan using o_b on o", "Index Cond: (b > 5)"], "range ORDER BY: %r" % p)
    p = plan(cur, "SELECT id, b FROM o WHERE b >= 100 ORDER BY b, id LIMIT 10")
    ok(p[:2] == ["Limit", "Index Scan using o_b on o"], "ties broken by the key: %r" % p)
    p = plan(cur, "SELECT * FROM o ORDER BY c DESC LIMIT 5")
    ok(p == ["Limit", "Index Scan using o_c on o"], "DESC index: %r" % p)
    p = plan(cur, "SELECT * FROM o WHERE d = 3 ORDER BY b NULLS FIRST LIMIT 5")
    ok(p == ["Limit", "Index Scan using o_db on o", "Index Cond: (d = 3)"], "after an equality: %r" % p)
    p = plan(cur, "SELECT * FROM r ORDER BY id LIMIT 5")
    ok(p == ["Limit", "Index Scan using r_pkey on r"], "range-partitioned primary key: %r" % p)
    p = plan(cur, "SELECT * FROM r WHERE id > 1500 ORDER BY id LIMIT 5")
    ok(p[:3] == ["Limit", "Index Scan using r_pkey on r", "Index Cond: (id > 1500)"],
       "range-partitioned key range: %r" % p)
    p = plan(cur, "SELECT * FROM o ORDER BY b DESC LIMIT 10")
    ok(p == ["Limit", "Index Scan Backward using o_b on o"], "DESC over an ASC index: %r" % p)
    p = plan(cur, "SELECT * FROM o WHERE b < 50 ORDER BY b DESC, id DESC LIMIT 10")
    ok(p == ["Limit", "Index Scan Backward using o_b on o", "Index Cond: (b < 50)"],
       "backward with a range and the key: %r" % p)
    p = plan(cur, "SELECT * FROM o ORDER BY c LIMIT 5")
    ok(p == ["Limit", "Index Scan Backward using o_c on o"], "ASC over a DESC index: %r" % p)
    p = plan(cur, "SELECT * FROM r ORDER BY id DESC LIMIT 5")
    ok(p == ["Limit", "Index Scan Backward using r_pkey on r"], "range-partitioned key backward: %r" % p)
    p = plan(cur, "SELECT * FROM o ORDER BY b DESC, id LIMIT 10")
    ok("Sort" in p, "mixed directions: a sort: %r" % p)
    p = plan(cur, "SELECT * FROM o ORDER BY id LIMIT 10")
    ok("Sort" in p, "hash-partitioned primary key has no order: %r" % p)
    p = plan(cur, "SELECT * FROM o ORDER BY e LIMIT 10")
    ok("Sort" in p, "no index: %r" % p)
    p = plan(cur, "SELECT * FROM o ORDER BY b LIMIT 10", )
    cur.execute("SET enable_indexscan = off")
    p = plan(cur, "SELECT * FROM o ORDER BY b LIMIT 10")
    cur.execute("RESET enable_indexscan")
    ok(p[:2] == ["Limit", "Sort"], "enable_indexscan off: %r" % p)
    p = plan(cur, "SELECT * FROM o WHERE b > 5")
    ok(p[:1] == ["Seq Scan on o"], "unselective range: %r" % p)
    cur.execute("SET enable_seqscan = off")
    p = plan(cur, "SELECT * FROM o WHERE b > 5")
    got = rows(cur, "SELECT * FROM o WHERE b > 5 ORDER BY id")
    cur.execute("RESET enable_seqscan")
    ok(p[:2] == ["Index Scan using o_b on o", "Index Cond: (b > 5)"], "enable_seqscan off: %r" % p)
    ok(got == rows(cur, "SELECT * FROM o WHERE b > 5 ORDER BY id"), "enable_seqscan off: same rows")


def random_order_query():
    """(query, total): total when the ORDER BY orders every row."""
    where = rnd.choice(["", "", "WHERE b > %d" % rnd.randrange(0, 400),
                        "WHERE b BETWEEN %d AND %d" % (rnd.randrange(0, 200), rnd.randrange(200, 400)),
                        "WHERE d = %d" % rnd.randrange(0, 20), "WHERE c >= 's%03d'" % rnd.randrange(0, 300),
                        "WHERE d = %d AND b < %d" % (rnd.randrange(0, 20), rnd.randrange(0, 400)),
                        "WHERE e < %d" % rnd.randrange(0, 1000), "WHERE b IS NULL", "WHERE c IS NOT NULL"])
    col = rnd.choice(["b", "b", "c", "d"])
    key = col + rnd.choice(["", " ASC", " DESC", " NULLS FIRST", " NULLS LAST", " DESC NULLS LAST",
                            " ASC NULLS FIRST", " DESC NULLS FIRST"])
    keys = [key]
    if col == "d" and rnd.random() < 0.6:
        keys.append("b" + rnd.choice(["", " NULLS FIRST", " DESC"]))
    total = rnd.random() < 0.5
    if total:
        keys.append("id")
    lim = rnd.choice(["LIMIT %d" % rnd.randrange(0, 40), "LIMIT %d OFFSET %d" % (rnd.randrange(1, 30),
                      rnd.randrange(0, 300)), "OFFSET %d" % rnd.randrange(2900, 3100), "LIMIT ALL",
                      "LIMIT %d" % rnd.randrange(100, 3500)])
    cols = "*" if total else ", ".join(k.split()[0] for k in keys)
    return "SELECT %s FROM o %s ORDER BY %s %s" % (cols, where, ", ".join(keys), lim), total


def compare_orders(cur, n, what):
    used = 0
    for _ in range(n):
        q, _total = random_order_query()
        p = plan(cur, q)
        used += any(x.startswith("Index Scan") for x in p) and "Sort" not in p
        got = rows(cur, q)
        want = rows(cur, q, ["SET enable_indexscan = off"])
        # a partial ORDER BY selects only its key columns: equal either way
        ok(got == want, "%s: %s: %d rows vs %d" % (what, q, len(got), len(want)))
    ok(used > n // 5, "%s: ordered scans used in %d of %d queries" % (what, used, n))


def setup_joins(cur):
    cur.execute("CREATE TABLE big1 (id int PRIMARY KEY, k int, v text)")
    cur.execute("CREATE TABLE big2 (id int PRIMARY KEY, k int, w int)")
    cur.execute("CREATE TABLE tiny (id int PRIMARY KEY, name text)")
    cur.execute("INSERT INTO big1 SELECT g, g % 500, 'a' || g FROM generate_series(1, 8000) g")
    cur.execute("INSERT INTO big2 SELECT g, g % 400, g % 7 FROM generate_series(1, 8000) g")
    cur.execute("INSERT INTO tiny SELECT g, 'n' || g FROM generate_series(1, 60) g")
    for t in ("big1", "big2", "tiny"):
        cur.execute("ANALYZE " + t)
    # random small tables for the random joins
    for i in range(1, 7):
        cur.execute("CREATE TABLE j%d (id int PRIMARY KEY, a int, b int, s text)" % i)
        n = rnd.choice([5, 20, 80, 300])
        data = [(k, None if rnd.random() < 0.1 else rnd.randrange(0, 12),
                 rnd.randrange(0, 30), rnd.choice(["x", "y", "z", None])) for k in range(1, n + 1)]
        cur.executemany("INSERT INTO j%d VALUES (%%s, %%s, %%s, %%s)" % i, data)
        if rnd.random() < 0.5:
            cur.execute("CREATE INDEX j%d_a ON j%d(a)" % (i, i))
        if rnd.random() < 0.6:
            cur.execute("ANALYZE j%d" % i)


BAD = ("SELECT big1.id, big2.w, tiny.name FROM big1, big2, tiny "
       "WHERE big1.k = big2.k AND big2.id = tiny.id AND tiny.name = 'n7' ORDER BY 1, 2")


def join_plans(cur):
    p = plan(cur, BAD)
    # tiny (one row after its filter) joins big2 first, probing its key;
    # big1 joins that one row last
    ok("Index Scan using big2_pkey on big2" in p and "Index Cond: (big2.id = tiny.id)" in p,
       "tiny first, big2 probed by its key: %r" % p)
    cur.execute("EXPLAIN " + BAD)
    text = "\n".join(r[0] for r in cur.fetchall())
    ok("rows=" in text and "cost=" in text, "estimates shown: %r" % text)
    cur.execute("SET join_collapse_limit = 1")
    p = plan(cur, BAD)
    cur.execute("RESET join_collapse_limit")
    ok("Hash Cond: (big1.k = big2.k)" in p and "Index Cond: (big2.id = tiny.id)" not in p,
       "join_collapse_limit = 1 keeps the order: %r" % p)
    want = rows(cur, BAD, ["SET join_collapse_limit = 1"])
    ok(rows(cur, BAD) == want and len(want) > 0, "bad order: same rows (%d)" % len(want))


def random_join_query():
    n = rnd.randrange(3, 7)
    tabs = rnd.sample(range(1, 7), n)
    items = ["j%d t0" % tabs[0]]
    conds = []
    for i in range(1, n):
        other = rnd.randrange(0, i)
        ca, cb = rnd.choice([("a", "a"), ("id", "b"), ("b", "b"), ("a", "id"), ("b", "id")])
        on = "t%d.%s = t%d.%s" % (i, ca, other, cb)
        kind = rnd.random()
        if kind < 0.15:
            items.append("LEFT JOIN j%d t%d ON %s" % (tabs[i], i, on))
        elif kind < 0.55:
            items.append("JOIN j%d t%d ON %s" % (tabs[i], i, on))
        else:
            items.append(", j%d t%d" % (tabs[i], i))
            conds.append(on)
    for _ in range(rnd.randrange(0, 3)):
        i = rnd.randrange(0, n)
        conds.append(rnd.choice(["t%d.s = 'x'" % i, "t%d.b < %d" % (i, rnd.randrange(0, 30)),
                                 "t%d.a IS NULL" % i, "t%d.id <> t%d.b" % (i, rnd.randrange(0, n))]))
    # a comma after a JOIN: the JOIN chain is one FROM item
    sql = "SELECT count(*), sum(t0.id), min(t%d.b) FROM " % (n - 1)
    sql += " ".join(items).replace(" ,", ",")
    if conds:
        sql += " WHERE " + " AND ".join(conds)
    return sql


def compare_joins(cur, n):
    reordered = 0
    for _ in range(n):
        q = random_join_query()
        try:
            got = rows(cur, q)
        except psycopg2.Error as e:
            # a comma item referred to in a later JOIN's ON is PostgreSQL's
            # 42P01 too (the ON sees only its JOIN's items): skip those
            ok(e.pgcode == "42P01", "%s: %s" % (q, e))
            continue
        want = rows(cur, q, ["SET join_collapse_limit = 1"])
        ok(got == want, "join order: %s: %r vs %r" % (q, got, want))
        for s in ("SET enable_hashjoin = off", "SET enable_nestloop = off", "SET enable_indexscan = off",
                  "SET join_collapse_limit = 2"):   # the last: greedy order
            other = rows(cur, q, [s])
            ok(other == want, "%s: %s: %r vs %r" % (s, q, other, want))
        p1, p2 = plan(cur, q), None
        cur.execute("SET join_collapse_limit = 1")
        p2 = plan(cur, q)
        cur.execute("RESET join_collapse_limit")
        reordered += p1 != p2
    ok(reordered > 0, "some join order changed (%d of %d)" % (reordered, n))
    # joins inside correlated subqueries and LATERAL items: their outer
    # references must keep reading the outer row
    for q in ["SELECT t.id, (SELECT count(*) FROM j1 a JOIN j2 b ON a.a = b.a JOIN j3 c ON c.id = b.b "
              "WHERE c.a = t.a) FROM j4 t ORDER BY 1",
              "SELECT t.id, (SELECT sum(c.b) FROM j1 a, j2 b, j3 c WHERE a.id = b.b AND b.id = c.id "
              "AND a.b = t.b + c.a) FROM j5 t ORDER BY 1",
              "SELECT t.id, s.n FROM j6 t, LATERAL (SELECT count(*) AS n FROM j1 a, j2 b, j3 c "
              "WHERE a.id = b.id AND c.id = b.b AND c.a = t.a) s ORDER BY 1",
              "SELECT t.id FROM j4 t WHERE EXISTS (SELECT 1 FROM j1 a, j2 b, j3 c WHERE a.id = b.id "
              "AND b.a = c.a AND c.id = t.b) ORDER BY 1"]:
        want = rows(cur, q, ["SET join_collapse_limit = 1"])
        ok(rows(cur, q) == want, "correlated: %s" % q)
        ok(rows(cur, q, ["SET enable_hashjoin = off"]) == want, "correlated, no hash joins: %s" % q)
    # UPDATE ... FROM keeps its order (and its rows)
    cur.execute("CREATE TABLE ju AS SELECT * FROM j1")
    cur.execute("UPDATE ju SET b = ju.b + 1 FROM j2 b, j3 c WHERE ju.a = b.a AND b.b = c.b AND c.s = 'x'")
    want = rows(cur, "SELECT count(*) FROM j1 WHERE EXISTS (SELECT 1 FROM j2 b, j3 c "
                "WHERE j1.a = b.a AND b.b = c.b AND c.s = 'x')")
    T.check(cur, "SELECT count(*) FROM ju JOIN j1 ON j1.id = ju.id WHERE ju.b = j1.b + 1", want)


MERGE = ["SET enable_hashjoin = off", "SET enable_nestloop = off"]


def setup_merge(cur):
    cur.execute("CREATE TABLE mr (id int PRIMARY KEY, v int) PARTITION BY RANGE (id)")
    cur.execute("CREATE TABLE ms (id int PRIMARY KEY, w text) PARTITION BY RANGE (id)")
    cur.execute("INSERT INTO mr SELECT g, g % 13 FROM generate_series(1, 3000) g")
    cur.execute("INSERT INTO ms SELECT g * 2, 'w' || g FROM generate_series(1, 3000) g")
    cur.execute("ANALYZE mr")
    cur.execute("ANALYZE ms")
    for t in ("ma", "mb"):
        cur.execute("CREATE TABLE %s (id int PRIMARY KEY, k int, g int, s text, x int)" % t)
        n = rnd.choice([200, 400])
        data = [(i, None if rnd.random() < 0.1 else rnd.randrange(0, 40),
                 None if rnd.random() < 0.1 else rnd.randrange(0, 3),
                 None if rnd.random() < 0.1 else rnd.choice(["p", "q", "r", "s", "t"]),
                 rnd.randrange(0, 100)) for i in range(1, n + 1)]
        cur.executemany("INSERT INTO %s VALUES (%%s, %%s, %%s, %%s, %%s)" % t, data)
    # one key with many duplicates on both sides: its inner group spills
    # with a small work_mem
    cur.execute("CREATE TABLE mdup (id int PRIMARY KEY, k int, pad text)")
    cur.execute("INSERT INTO mdup SELECT g, CASE WHEN g % 10 = 0 THEN NULL WHEN g % 3 = 0 THEN g ELSE 7 END, "
                "repeat('x', 60) || g FROM generate_series(1, 6000) g")
    cur.execute("ANALYZE mdup")


def merge_plans(cur):
    q = "SELECT mr.id, mr.v, ms.w FROM mr JOIN ms ON mr.id = ms.id"
    p = plan(cur, q)
    ok("Merge Join" in p and "Merge Cond: (mr.id = ms.id)" in p and not any("Sort" in x for x in p),
       "range-partitioned keys merge without sorts: %r" % p)
    got = rows(cur, q + " ORDER BY 1")
    ok(len(got) == 1500 and got[0] == (2, 2, "w1") and got[-1] == (3000, 3000 % 13, "w1500"),
       "merge join rows: %d %r" % (len(got), got[:2]))
    ok(rows(cur, q + " ORDER BY 1", ["SET enable_mergejoin = off"]) == got, "same rows as the hash join")
    p = plan(cur, "SELECT count(*) FROM mr, ms WHERE mr.id = ms.id")
    ok("Merge Join" in p, "comma join merges: %r" % p)
    # one input ordered: a sort of the other beats a hash join that spills
    cur.execute("SET work_mem = '64kB'")
    p = plan(cur, "SELECT count(*) FROM mr JOIN mdup ON mdup.id = mr.id")
    cur.execute("RESET work_mem")
    ok("Merge Join" in p and "Index Scan using mr_pkey on mr" in p,
       "hash memory would spill: a merge join: %r" % p)
    p = plan(cur, "SELECT * FROM mr FULL JOIN ms ON mr.id = ms.id")
    ok("Merge Full Join" in p, "full join merges: %r" % p)
    cur.execute("SET enable_mergejoin = off")
    p = plan(cur, q)
    cur.execute("RESET enable_mergejoin")
    ok("Hash Join" in p, "enable_mergejoin = off: hash join: %r" % p)
    cur.execute("SET enable_hashjoin = off")
    p = plan(cur, "SELECT * FROM ma JOIN mb ON ma.k = mb.k AND ma.s = mb.s WHERE ma.x < mb.x")
    cur.execute("RESET enable_hashjoin")
    ok("Merge Join" in p and "Merge Cond: ((ma.k = mb.k) AND (ma.s = mb.s))" in p and
       "Join Filter: (ma.x < mb.x)" in p and sum("Sort Key" in x for x in p) == 2,
       "hash joins off: a merge join over two sorts: %r" % p)


def random_merge_query():
    jt = rnd.choice(["JOIN", "LEFT JOIN", "RIGHT JOIN", "FULL JOIN"])
    conds = [rnd.choice(["a.k = b.k", "a.g = b.g", "a.s = b.s", "a.k = b.g", "a.id = b.k"])]
    if rnd.random() < 0.4:
        conds.append(rnd.choice(["a.g = b.g", "a.s = b.s", "a.x = b.x"]))
    if rnd.random() < 0.4:
        conds.append(rnd.choice(["a.x < b.x", "a.x + b.x > 100", "a.s <> b.s", "b.x % 3 = 0"]))
    q = "SELECT a.id, b.id, a.k, b.k, a.s, b.s FROM ma a %s mb b ON %s" % (jt, " AND ".join(conds))
    if rnd.random() < 0.3:
        q += rnd.choice([" WHERE a.x < 50", " WHERE b.id IS NULL", " WHERE a.id IS NULL OR b.g = 1"])
    return q + " ORDER BY 1, 2"


def compare_merges(cur, n):
    merged = 0
    for _ in range(n):
        q = random_merge_query()
        want = rows(cur, q, ["SET enable_mergejoin = off"])
        got = rows(cur, q, MERGE)
        ok(got == want, "merge join: %s: %d rows vs %d" % (q, len(got), len(want)))
        nl = rows(cur, q, ["SET enable_hashjoin = off", "SET enable_mergejoin = off"])
        ok(nl == want, "nested loop: %s: %d rows vs %d" % (q, len(nl), len(want)))
        for s in MERGE:
            cur.execute(s)
        merged += any("Merge" in x for x in plan(cur, q))
        for s in MERGE:
            cur.execute("RESET " + s.split()[1])
    ok(merged > n * 3 // 4, "merge joins chosen with hash joins and nested loops off: %d of %d" % (merged, n))
    # the inner group of key 7 (4000 rows of 70 bytes) beyond work_mem 64kB
    for jt in ("JOIN", "LEFT JOIN", "RIGHT JOIN", "FULL JOIN"):
        q = ("SELECT count(*), count(a.id), count(b.id), sum(a.id::bigint * 7 + b.id) FROM mdup a %s "
             "(SELECT * FROM mdup WHERE id %% 2 = 0) b ON a.k = b.k" % jt)
        want = rows(cur, q, ["SET enable_mergejoin = off"])
        got = rows(cur, q, MERGE + ["SET work_mem = '64kB'"])
        ok(got == want, "spilled duplicates, %s: %r vs %r" % (jt, got, want))
    cur.execute("SET work_mem = '64kB'")
    cur.execute("SET enable_hashjoin = off")
    cur.execute("SET enable_nestloop = off")
    cur.execute("EXPLAIN (ANALYZE, COSTS OFF) SELECT count(*) FROM mdup a JOIN mdup b ON a.k = b.k")
    text = "\n".join(r[0] for r in cur.fetchall())
    for s in ("work_mem", "enable_hashjoin", "enable_nestloop"):
        cur.execute("RESET " + s)
    ok("Merge Join" in text and "actual" in text, "EXPLAIN ANALYZE of a spilling merge join: %r" % text)


def table_rows(cur, t):
    cur.execute("SELECT * FROM %s ORDER BY 1" % t)
    return cur.fetchall()


def random_dml():
    n = rnd.randrange(2, 5)
    tabs = rnd.sample(range(2, 7), n)
    froms = ["j%d f%d" % (tabs[i], i) for i in range(n)]
    conds = []
    for i in range(n):
        other = "u" if i == 0 else "f%d" % rnd.randrange(0, i)
        ca, cb = rnd.choice([("a", "a"), ("id", "b"), ("b", "b"), ("a", "id")])
        conds.append("f%d.%s = %s.%s" % (i, ca, other, cb))
    if rnd.random() < 0.5:
        conds.append(rnd.choice(["f0.s = 'x'", "u.b < 20", "f%d.a IS NOT NULL" % (n - 1)]))
    where = " AND ".join(conds)
    if rnd.random() < 0.5:
        return "UPDATE ju u SET b = u.b + 1 FROM %s WHERE %s" % (", ".join(froms), where)
    return "DELETE FROM ju u USING %s WHERE %s" % (", ".join(froms), where)


def compare_dml(cur, n):
    """UPDATE ... FROM / DELETE ... USING: the FROM items go through the
    join planner; the table afterwards equals the one join_collapse_limit = 1
    leaves."""
    cur.execute("DROP TABLE IF EXISTS ju")
    cur.execute("CREATE TABLE ju (id int PRIMARY KEY, a int, b int, s text)")
    cur.execute("INSERT INTO ju SELECT * FROM j1")
    reordered = 0
    for _ in range(n):
        q = random_dml()
        res = []
        plans = []
        for s in ([], ["SET join_collapse_limit = 1"]):
            for x in s:
                cur.execute(x)
            cur.execute("EXPLAIN (COSTS OFF) " + q)
            plans.append([r[0] for r in cur.fetchall()])
            cur.execute("BEGIN")
            cur.execute(q)
            count = cur.rowcount
            res.append((count, table_rows(cur, "ju")))
            cur.execute("ROLLBACK")
            for x in s:
                cur.execute("RESET " + x.split()[1])
        ok(res[0] == res[1], "DML join order: %s: %d rows vs %d" % (q, res[0][0], res[1][0]))
        reordered += plans[0] != plans[1]
    ok(reordered > 0, "DML FROM items reordered in %d of %d statements" % (reordered, n))


def est_rows(cur, q):
    cur.execute("EXPLAIN " + q)
    import re
    return int(re.search(r"rows=(\d+)", cur.fetchall()[0][0]).group(1))


def skewed_stats(cur):
    """ANALYZE's MCV list and histogram drive the estimates: a value half
    the table holds reads the table, a rare one the index; EXPLAIN's rows
    within a factor of 2 of the actual counts."""
    cur.execute("CREATE TABLE sk (id int PRIMARY KEY, a int, b text)")
    cur.execute("INSERT INTO sk SELECT g, CASE WHEN g % 2 = 0 THEN 1 WHEN g % 5 = 0 THEN 2 ELSE g END, "
                "CASE WHEN g % 10 = 0 THEN NULL ELSE 'x' || (g % 7) END FROM generate_series(1, 20000) g")
    cur.execute("CREATE INDEX sk_a ON sk(a)")
    cur.execute("ANALYZE sk")
    T.check(cur, "SELECT most_common_vals, most_common_freqs FROM pg_stats WHERE tablename = 'sk' AND attname = 'a'",
            [("{1,2}", [0.50005, 0.1])])   # a = 1: the even rows and row 1
    p = plan(cur, "SELECT * FROM sk WHERE a = 1")
    ok(p[0] == "Seq Scan on sk", "a common value: a Seq Scan: %r" % p)
    p = plan(cur, "SELECT * FROM sk WHERE a = 7")
    ok(p[0].startswith("Index Scan using sk_a"), "a rare value: the index: %r" % p)
    for w in ("a = 1", "a = 2", "a = 7", "a < 100", "a > 15000", "a BETWEEN 1000 AND 3000", "b = 'x3'",
              "b IS NULL", "a IN (1, 2)", "a = 1 AND b = 'x2'"):
        q = "SELECT * FROM sk WHERE " + w
        (n,), = rows(cur, "SELECT count(*) FROM sk WHERE " + w)
        e = est_rows(cur, q)
        ok(max(n, 1) / 2 <= e <= max(n, 1) * 2, "estimate within 2x: %s: %d vs %d" % (w, e, n))


def switches(cur):
    T.check(cur, "SHOW enable_sort", [("on",)])
    cur.execute("SET enable_hashjoin = false")
    T.check(cur, "SHOW enable_hashjoin", [("off",)])
    cur.execute("RESET enable_hashjoin")
    T.check(cur, "SHOW enable_hashjoin", [("on",)])
    T.check_err(cur, "SET enable_nestloop = 'sometimes'", "22023",
                'parameter "enable_nestloop" requires a Boolean value')
    T.check_err(cur, "SET join_collapse_limit = 0", "22023",
                '0 is outside the valid range for parameter "join_collapse_limit" (1 .. 2147483647)')
    T.check(cur, "SHOW join_collapse_limit", [("8",)])
    T.check(cur, "SHOW enable_mergejoin", [("on",)])


def main():
    d, port, proc = ringnode.start(RINGDB, "planner-test-", PORTS)
    try:
        conn = ringnode.connect(port)
        cur = conn.cursor()
        switches(cur)
        setup_order(cur)
        compare_orders(cur, 60, "no stats")
        cur.execute("ANALYZE o")
        cur.execute("ANALYZE r")
        order_plans(cur)
        p = plan(cur, "SELECT * FROM o ORDER BY b")
        ok("Sort" in p, "no LIMIT: a sort: %r" % p)
        compare_orders(cur, 150, "stats")
        cur.execute("UPDATE o SET b = NULL WHERE id % 11 = 0")
        cur.execute("UPDATE o SET b = b + 1000 WHERE id % 17 = 0")
        cur.execute("DELETE FROM o WHERE id % 19 = 0")
        compare_orders(cur, 60, "after updates")
        # inside a transaction: its own writes merge into the ordered scans
        cur.execute("BEGIN")
        cur.execute("INSERT INTO o SELECT g, CASE WHEN g % 3 = 0 THEN NULL ELSE g % 500 END, 's' || g, g % 20, g"
                    " FROM generate_series(5001, 5200) g")
        cur.execute("UPDATE o SET b = 5000 + id, c = NULL WHERE id % 23 = 0")
        cur.execute("DELETE FROM o WHERE id % 29 = 0")
        compare_orders(cur, 60, "own writes")
        cur.execute("ROLLBACK")
        T.check(cur, "SELECT id FROM r WHERE id > 1995 ORDER BY id LIMIT 3", [(1996,), (1997,), (1998,)])
        T.check(cur, "SELECT id FROM r WHERE id < 1000 ORDER BY id DESC LIMIT 2 OFFSET 1", [(998,), (997,)])
        setup_joins(cur)
        join_plans(cur)
        compare_joins(cur, 120)
        compare_dml(cur, 40)
        setup_merge(cur)
        merge_plans(cur)
        compare_merges(cur, 80)
        skewed_stats(cur)
        conn.close()
    except BaseException:
        ringnode.stop(proc)
        raise
    sys.exit(ringnode.finish(T, "test_planner", proc, d))


main()
