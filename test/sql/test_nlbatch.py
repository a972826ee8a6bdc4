#!/usr/bin/python3
"""The per-statement costs of branch sqlscan against a real build/ringdb:

- an index nested loop over a primary key in batches (exec/nlbatch.h):
  random joins whose inner side is read by its key (enable_hashjoin and
  enable_mergejoin off make the planner choose index nested loops) give
  the same rows in the same order with ringdb.nestloop_batch on and off,
  and the same as a hash join: NULL keys,
  two-column keys, conditions on the inner side that
  read the outer row, conditions of the join itself, LIMIT, duplicates;
  EXPLAIN ANALYZE counts a loop per outer row on the inner scan; the
  pg_stat index scan counters grow alike on and off;
- the same joins under a parallel aggregate (the outer side sliced, each
  slice probing the inner side by key): EXPLAIN shows Gather over the
  Nested Loop, results equal the serial run's;
- ORDER BY an indexed column LIMIT k (k small) runs on the connection's
  loop: results equal a sort's, with a parameter for k too; index entries
  read ahead with their rows read together (a LIMIT's rows first, then
  batches) skip stale entries as before;
- statements handed to pooled threads (common/tpool.h): many connections
  at once, each running statements off the loop and in parallel slices,
  get their own results; statement_timeout still stops one.

Usage: test_nlbatch.py RINGDB        (ports 23100-23199)
"""
import os
import random
import sys
import threading

import psycopg2

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ringnode  # noqa: E402

RINGDB = sys.argv[1]
PORTS = range(23100, 23199)
T = ringnode.Checks()
ok = T.ok
seed = int(os.environ.get("SEED", random.randrange(1 << 30)))
rnd = random.Random(seed)
NL = ["SET enable_hashjoin = off", "SET enable_mergejoin = off"]


rows, plan = ringnode.rows, ringnode.plan


def setup(cur):
    cur.execute("CREATE TABLE inner1 (id int PRIMARY KEY, a int, s text, v numeric(10,2))")
    cur.execute("INSERT INTO inner1 SELECT g, g % 17, 's' || (g % 5), g / 7.0 FROM generate_series(1, 3000) g")
    cur.execute("CREATE TABLE inner2 (x int, y text, z int, PRIMARY KEY (x, y))")
    cur.execute("INSERT INTO inner2 SELECT g % 50, 'y' || (g % 3), g FROM generate_series(1, 150) g")
    cur.execute("CREATE TABLE outer1 (id int PRIMARY KEY, k int, k2 int, t text, b int)")
    data = []
    for i in range(1, 701):
        r = rnd.random()
        k = None if r < 0.05 else rnd.randrange(-5, 3200)
        data.append((i, k, rnd.randrange(0, 55), rnd.choice(["y0", "y1", "y2", "y9", None]),
                     rnd.randrange(0, 20)))
    cur.executemany("INSERT INTO outer1 VALUES (%s, %s, %s, %s, %s)", data)
    # two-table joins keep their written form (plan_join.c): a third
    # table makes the planner choose the method
    cur.execute("CREATE TABLE tiny (id int PRIMARY KEY, name text)")
    cur.execute("INSERT INTO tiny SELECT g, 'n' || g FROM generate_series(0, 19) g")
    for t in ("inner1", "inner2", "outer1", "tiny"):
        cur.execute("ANALYZE " + t)


def random_query():
    join = "LEFT JOIN" if rnd.random() < 0.25 else "JOIN"
    if rnd.random() < 0.7:
        on = "i.id = o.k"
        extra = rnd.choice(["", " AND i.a < o.b", " AND i.s <> 's1'", " AND i.a + o.b > 10"])
        src = "inner1 i"
        cols = "o.id, o.k, i.id, i.a, i.s, i.v"
    else:
        on = "i.x = o.k2 AND i.y = o.t"
        extra = rnd.choice(["", " AND i.z > o.b", " AND i.z % 2 = 0"])
        src = "inner2 i"
        cols = "o.id, o.k2, o.t, i.x, i.y, i.z"
    where = rnd.choice(["", " WHERE o.b < 10", " WHERE o.id % 3 = 0", " WHERE o.t IS NOT NULL"])
    q = "SELECT %s, x.name FROM outer1 o JOIN tiny x ON x.id = o.b %s %s ON %s%s%s ORDER BY o.id" % (
        cols, join, src, on, extra, where)
    if rnd.random() < 0.2:
        q += " LIMIT %d" % rnd.randrange(1, 100)
    return q


def compare(cur, n):
    batched = 0
    for _ in range(n):
        q = random_query()
        p = plan(cur, q, NL)
        batched += any(x.startswith("Index Cond: (i.") for x in p)
        got = rows(cur, q, NL)
        off = rows(cur, q, NL + ["SET ringdb.nestloop_batch = off"])
        hashed = rows(cur, q)
        ok(got == off, "batched vs row by row: %s: %d vs %d rows" % (q, len(got), len(off)))
        ok(got == hashed, "batched vs default plan: %s: %d vs %d rows" % (q, len(got), len(hashed)))
    ok(batched > n // 5, "index nested loops in %d of %d plans" % (batched, n))
    # unordered output: the batch keeps the outer order too
    q = "SELECT o.id, i.id FROM outer1 o JOIN tiny x ON x.id = o.b JOIN inner1 i ON i.id = o.k"
    ok(any("Index Cond" in x for x in plan(cur, q, NL)), "index nested loop: %s" % q)
    ok(rows(cur, q, NL) == rows(cur, q, NL + ["SET ringdb.nestloop_batch = off"]), "outer order kept")
    # an aggregate over the join (counts, sums)
    q = "SELECT count(*), sum(i.v), count(o.k) FROM outer1 o JOIN tiny x ON x.id = o.b JOIN inner1 i ON i.id = o.k"
    ok(rows(cur, q, NL) == rows(cur, q), "aggregate over the join")


def explain_and_stats(cur):
    q = "SELECT o.id, i.a FROM outer1 o JOIN tiny x ON x.id = o.b JOIN inner1 i ON i.id = o.k WHERE o.b < 5"
    nouter = rows(cur, "SELECT count(*) FROM outer1 WHERE b < 5")[0][0]
    text = [r[0] for r in rows(cur, "EXPLAIN ANALYZE " + q, NL)]
    inner = [x for x in text if "Index Scan using inner1_pkey" in x]
    ok(len(inner) == 1 and ("loops=%d)" % nouter) in inner[0],
       "EXPLAIN ANALYZE: a loop per outer row (%d): %r" % (nouter, text))
    counts = []
    for sets in (NL, NL + ["SET ringdb.nestloop_batch = off"]):
        cur.execute("SELECT pg_stat_reset()")
        rows(cur, q, sets)
        counts.append(rows(cur, "SELECT idx_scan, idx_tup_fetch FROM pg_stat_user_tables WHERE relname = 'inner1'"))
    ok(counts[0] == counts[1] and counts[0][0][0] > 0, "pg_stat on and off: %r" % counts)
    T.check(cur, "SHOW ringdb.nestloop_batch", [("on",)])
    T.check_err(cur, "SET ringdb.nestloop_batch = 'maybe'", "22023", "requires a Boolean value")


def parallel(cur):
    cur.execute("CREATE TABLE ord (o_id int PRIMARY KEY, p_id int, qty int)")
    cur.execute("INSERT INTO ord SELECT g, g % 1000 + 1, g % 20 FROM generate_series(1, 60000) g")
    cur.execute("CREATE TABLE acc (id int PRIMARY KEY, val numeric(12,2))")
    cur.execute("INSERT INTO acc SELECT g, g / 3.0 FROM generate_series(1, 70000, 2) g")
    cur.execute("CREATE TABLE prod (p_id int PRIMARY KEY, cat text)")
    cur.execute("INSERT INTO prod SELECT g, 'cat-' || (g % 23) FROM generate_series(1, 1000) g")
    for t in ("ord", "acc", "prod"):
        cur.execute("ANALYZE " + t)
    q = ("SELECT count(*), sum(a.val), min(a.id), max(o.qty) FROM acc a JOIN ord o ON o.o_id = a.id "
         "JOIN prod p ON p.p_id = o.p_id WHERE p.cat = 'cat-5' AND p.p_id < 300")
    p = plan(cur, q)
    ok("Gather" in p and "Nested Loop" in p and "Parallel Seq Scan on ord o" in p
       and "Index Cond: (a.id = o.o_id)" in p, "parallel index nested loop: %r" % p)
    want = rows(cur, q, ["SET max_parallel_workers_per_gather = 0", "SET ringdb.nestloop_batch = off"])
    ok(want[0][0] > 0, "rows joined: %r" % want)
    for sets in ([], ["SET ringdb.nestloop_batch = off"], ["SET max_parallel_workers_per_gather = 0"]):
        got = rows(cur, q, sets)
        ok(got == want, "%r: %r vs %r" % (sets, got, want))
    lq = ("SELECT count(*), sum(a.val), count(o.qty) FROM ord o JOIN prod p ON p.p_id = o.p_id "
          "JOIN acc a ON a.id = o.o_id WHERE o.qty < 3")
    ok("Gather" in plan(cur, lq, NL), "in slices: %r" % plan(cur, lq, NL))
    ok(rows(cur, lq, NL) == rows(cur, lq, ["SET max_parallel_workers_per_gather = 0",
                                           "SET ringdb.nestloop_batch = off"]), "index nested loop in slices")


def limit_on_loop(cur):
    cur.execute("CREATE TABLE li (id int PRIMARY KEY, g int NOT NULL, v text)")
    cur.execute("INSERT INTO li SELECT g, (g * 37) % 101, 'v' || g FROM generate_series(1, 5000) g")
    cur.execute("CREATE INDEX li_g ON li (g)")
    cur.execute("ANALYZE li")
    for q in ("SELECT g, id FROM li ORDER BY g, id LIMIT 10", "SELECT g FROM li ORDER BY g DESC LIMIT 7 OFFSET 3",
              "SELECT g, id FROM li WHERE g > 50 ORDER BY g LIMIT 5"):
        p = plan(cur, q)
        got = rows(cur, q)
        want = rows(cur, q, ["SET enable_indexscan = off"])
        if "id" in q.split("ORDER BY")[1]:
            ok(got == want, "%s: %r vs %r" % (q, got, want))
        else:
            ok([r[0] for r in got] == [r[0] for r in want], "%s: %r vs %r (%r)" % (q, got, want, p))
    ok("Index Scan using li_g on li" in plan(cur, "SELECT * FROM li ORDER BY g LIMIT 10"), "ordered scan")
    # entries read ahead (table.c: a LIMIT's rows, then batches of up to
    # 64) over stale entries: rows whose indexed value moved or were deleted
    cur.execute("UPDATE li SET g = g + 3 WHERE id % 4 = 0")
    cur.execute("DELETE FROM li WHERE id % 9 = 0")
    for k in (1, 5, 10, 63, 64, 65, 200, 3000):
        q = "SELECT g, id, v FROM li ORDER BY g, id LIMIT %d" % k
        ok(k > 200 or any(x.startswith("Index Scan") for x in plan(cur, q)), "ordered scan: %s" % q)
        ok(rows(cur, q) == rows(cur, q, ["SET enable_indexscan = off"]), "after update/delete: %s" % q)
    q = "SELECT g, v FROM li WHERE g BETWEEN 10 AND 30 ORDER BY g DESC, v LIMIT 17 OFFSET 5"
    ok(rows(cur, q) == rows(cur, q, ["SET enable_indexscan = off"]), q)
    # a prepared LIMIT $1, small and large
    cur.execute("PREPARE lim(int) AS SELECT g FROM li ORDER BY g LIMIT $1")
    for k in (3, 4000):
        cur.execute("EXECUTE lim(%d)" % k)
        got = [r[0] for r in cur.fetchall()]
        ok(got == sorted(got) and len(got) == k, "LIMIT $1 = %d: %d rows" % (k, len(got)))
    cur.execute("DEALLOCATE lim")


def pooled(port):
    errors = []

    def client(i):
        try:
            c = ringnode.connect(port)
            k = c.cursor()
            for j in range(15):
                lo = (i * 131 + j * 17) % 60000 + 1
                k.execute("SELECT count(*), sum(qty) FROM ord WHERE p_id = %s", (lo % 1000 + 1,))
                a = k.fetchone()
                k.execute("SELECT count(*) FROM ord WHERE p_id = %s AND o_id > 0" % (lo % 1000 + 1))
                if k.fetchone()[0] != a[0]:
                    errors.append("client %d: counts differ" % i)
                k.execute("SELECT count(*) FROM ord WHERE o_id BETWEEN %s AND %s", (lo, lo + 999))
                n = k.fetchone()[0]
                if n != min(1000, 60001 - lo):
                    errors.append("client %d: range %d: %d rows" % (i, lo, n))
            c.close()
        except psycopg2.Error as e:
            errors.append("client %d: %s" % (i, e))
    ths = [threading.Thread(target=client, args=(i,)) for i in range(8)]
    for t in ths:
        t.start()
    for t in ths:
        t.join()
    ok(not errors, "pooled threads, 8 clients: %r" % errors[:5])
    c = ringnode.connect(port, autocommit=False)
    k = c.cursor()
    k.execute("SET statement_timeout = 200")
    try:
        k.execute("SELECT count(*) FROM ord a, ord b WHERE a.qty + b.qty = -1")
        ok(False, "statement_timeout on a pooled thread: no error")
    except psycopg2.Error as e:
        ok(e.pgcode == "57014", "statement_timeout on a pooled thread: %s" % e.pgcode)
    c.rollback()
    k.execute("SELECT 1")
    ok(k.fetchone() == (1,), "session after the timeout")
    c.close()


def main():
    d, port, proc = ringnode.start(RINGDB, "nlbatch-test-", PORTS)
    try:
        conn = ringnode.connect(port)
        cur = conn.cursor()
        setup(cur)
        compare(cur, 30)
        explain_and_stats(cur)
        parallel(cur)
        limit_on_loop(cur)
        pooled(port)
        conn.close()
    except Exception:
        print("seed", seed)
        raise
    if T.failures:
        print("seed", seed)
    sys.exit(ringnode.finish(T, "test_nlbatch", proc, d))


main()
