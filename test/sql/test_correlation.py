#!/usr/bin/python3
"""pg_stats.correlation (issue 4): ANALYZE computes, per column, the
correlation between the storage order of the rows (their key order: a
seq scan's order) and the order of the column's values, with PostgreSQL's
formula (compute_scalar_stats: Pearson's coefficient of sorted position
and physical position of the sampled non-NULL values, ties by position).

  - a hash-partitioned table sampled whole: every column's correlation
    equals the formula applied to the rows in seq-scan order;
  - a range-partitioned table (rows stored in primary-key order): the key
    and a column rising with it give 1, a falling one -1;
  - a table larger than the sample (30000 rows, a reservoir): the key of a
    range-partitioned table still gives 1 (the sample is put back in scan
    order);
  - all NULL or a single row: NULL; the statistics survive a restart.

Usage: test_correlation.py RINGDB        (ports 24100-24199)
"""
import os
import struct
import sys

import psycopg2

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ringnode  # noqa: E402

RINGDB = sys.argv[1]
T = ringnode.Checks()


def f4(x):
    return struct.unpack("f", struct.pack("f", x))[0]


def pg_correlation(vals):
    """PostgreSQL's formula over the non-NULL values in physical order."""
    vals = [v for v in vals if v is not None]
    n = len(vals)
    if n < 2:
        return None
    order = sorted(range(n), key=lambda i: (vals[i], i))
    xysum = 0.0
    for i, p in enumerate(order):
        xysum += float(i) * float(p)
    xsum = (n - 1) * n / 2.0
    x2sum = (n - 1) * n * (2 * n - 1) / 6.0
    return f4((n * xysum - xsum * xsum) / (n * x2sum - xsum * xsum))


def stats(cur, table):
    cur.execute("SELECT attname, correlation FROM pg_stats WHERE tablename = %s ORDER BY attname", (table,))
    return dict(cur.fetchall())


def close(a, b):
    if a is None or b is None:
        return a is b
    return abs(a - b) <= 1e-6


def main():
    d, port, proc = ringnode.start(RINGDB, "correlation-test-", range(24100, 24200))
    try:
        proc = checks(d, port, proc)
    except Exception:
        ringnode.stop(proc)
        raise
    sys.exit(ringnode.finish(T, "test_correlation", proc, d))


def checks(d, port, proc):
    c = psycopg2.connect(host="127.0.0.1", port=port, user="postgres", dbname="postgres")
    c.autocommit = True
    cur = c.cursor()
    cur.execute("SET max_parallel_workers_per_gather = 0")
    # hash-partitioned (the default): storage order is the keys' hash order
    cur.execute("CREATE TABLE h (id int PRIMARY KEY, up int, down int, dup int, t text, n int, s int)")
    cur.execute("INSERT INTO h SELECT g, g * 2, -g, g % 7, md5(g::text), NULL::int, "
                "CASE WHEN g % 3 = 0 THEN NULL ELSE g % 50 END FROM generate_series(1, 3000) g")
    cur.execute("ANALYZE h")
    cur.execute("SELECT id, up, down, dup, t, n, s FROM h")
    rows = cur.fetchall()
    got = stats(cur, "h")
    names = ["id", "up", "down", "dup", "t", "n", "s"]
    for k, name in enumerate(names):
        want = pg_correlation([r[k] for r in rows])
        T.ok(close(got.get(name), want), "hash table, %s: correlation %r, expected %r" % (name, got.get(name), want))
    T.ok(abs(got["id"]) < 0.2, "hash order is not the key order: id correlation %r" % got["id"])
    # range-partitioned: storage order is the primary key's
    cur.execute("CREATE TABLE r (id int PRIMARY KEY, up int, down int, t text) PARTITION BY RANGE (id)")
    cur.execute("INSERT INTO r SELECT g, g * 3, 5000 - g, md5(g::text) FROM generate_series(1, 4000) g")
    cur.execute("ANALYZE r")
    got = stats(cur, "r")
    T.ok(got["id"] == 1.0 and got["up"] == 1.0 and got["down"] == -1.0,
         "range table: id/up/down correlation %r %r %r" % (got["id"], got["up"], got["down"]))
    cur.execute("SELECT t FROM r")
    want = pg_correlation([x for (x,) in cur.fetchall()])
    T.ok(close(got["t"], want), "range table, t: %r, expected %r" % (got["t"], want))
    # more rows than the sample holds: the reservoir is put back in scan order
    cur.execute("CREATE TABLE big (id int PRIMARY KEY, v int) PARTITION BY RANGE (id)")
    cur.execute("INSERT INTO big SELECT g, -g FROM generate_series(1, 45000) g")
    cur.execute("ANALYZE big")
    got = stats(cur, "big")
    T.ok(got["id"] == 1.0 and got["v"] == -1.0, "sampled table: correlation %r" % got)
    # a single row: no correlation
    cur.execute("CREATE TABLE one (id int PRIMARY KEY, v int)")
    cur.execute("INSERT INTO one VALUES (1, 1)")
    cur.execute("ANALYZE one")
    T.ok(stats(cur, "one") == {"id": None, "v": None}, "one row: %r" % stats(cur, "one"))
    before = stats(cur, "h")
    c.close()
    ringnode.stop(proc)
    proc = ringnode.launch(RINGDB, d, port)
    c = psycopg2.connect(host="127.0.0.1", port=port, user="postgres", dbname="postgres")
    c.autocommit = True
    cur = c.cursor()
    T.ok(stats(cur, "h") == before, "after a restart: %r vs %r" % (stats(cur, "h"), before))
    c.close()
    return proc


main()
