#!/usr/bin/python3
"""Runtime key filters of hash joins (exec/hashjoin.c, branch sqlscan2)
against a real build/ringdb:

- a hash join whose table is complete drops, at the build of the hash
  join right below it on its outer side, the inner rows that cannot match
  its keys; a hash join whose table holds few keys reads its outer table
  by primary key instead of scanning it.  Random three-table joins in the
  written order (join_collapse_limit = 1), inner / LEFT / RIGHT / FULL /
  semi / anti at either level, give the same rows with
  ringdb.join_key_filter on and off, and as PostgreSQL's rules say
  (checked by hand on a few);
- keys of every kind a primary key takes here (int2/int4/int8, text,
  numeric with equal values of different scales, uuid, date), NULL keys,
  duplicate keys on the inner side, tables with dropped and added columns
  (dropped columns leave a nil, added ones are appended: the key reads
  decode such rows), wide rows, a qual on the scan read by key;
- EXPLAIN ANALYZE shows the effect: the outer scan reads only the matching
  rows with the filter, every row without; and in parallel slices
  (a table past the parallel threshold) the results equal the serial run's.

Usage: test_keyfilter.py RINGDB        (ports 23200-23299)
"""
import os
import random
import re
import sys

import psycopg2

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ringnode  # noqa: E402

RINGDB = sys.argv[1]
PORTS = range(23200, 23299)
T = ringnode.Checks()
ok = T.ok
seed = int(os.environ.get("SEED", random.randrange(1 << 30)))
rnd = random.Random(seed)
OFF = "SET ringdb.join_key_filter = off"
ON = "SET ringdb.join_key_filter = on"


def rows(cur, q, args=None):
    cur.execute(q, args)
    return cur.fetchall()


def both(cur, q):
    """q's rows (sorted) with the filters on and off."""
    cur.execute(ON)
    a = sorted(rows(cur, q), key=repr)
    cur.execute(OFF)
    b = sorted(rows(cur, q), key=repr)
    cur.execute(ON)
    return a, b


def scan_rows(cur, q, alias):
    """EXPLAIN ANALYZE's actual rows of the scan of alias."""
    for (line,) in rows(cur, "EXPLAIN ANALYZE " + q):
        if re.search(r"Scan on \w+ %s " % alias, line):
            m = re.search(r"actual time=\S+ rows=(\d+)", line)
            return int(m.group(1)) if m else None
    return None


def setup(cur):
    # big: the table the top of the join reads; a dropped and an added
    # column, NULLs, wide rows
    cur.execute("CREATE TABLE big (id int PRIMARY KEY, gone text, v numeric(12,2), s text, pad text)")
    cur.execute("INSERT INTO big SELECT g, 'x', g / 4.0, CASE WHEN g % 7 = 0 THEN NULL ELSE 's' || (g % 9) END, "
                "CASE WHEN g % 50 = 0 THEN repeat('w', 3000 + g % 100) ELSE 'p' END "
                "FROM generate_series(1, 3000) g")
    cur.execute("ALTER TABLE big DROP COLUMN gone")
    cur.execute("ALTER TABLE big ADD COLUMN extra int")
    cur.execute("UPDATE big SET extra = id % 5 WHERE id % 3 = 0")
    # mid: joins big (several rows per big id, some NULL) and small
    cur.execute("CREATE TABLE mid (m_id int PRIMARY KEY, big_id int, small_id int, q int)")
    data = []
    for i in range(1, 1201):
        bid = None if rnd.random() < 0.04 else rnd.randrange(-10, 3100)
        sid = None if rnd.random() < 0.04 else rnd.randrange(0, 60)
        data.append((i, bid, sid, rnd.randrange(0, 30)))
    cur.executemany("INSERT INTO mid VALUES (%s, %s, %s, %s)", data)
    cur.execute("CREATE TABLE small (id int PRIMARY KEY, cat text)")
    cur.execute("INSERT INTO small SELECT g, 'c' || (g % 6) FROM generate_series(0, 49) g")
    # keys of other types: the key reads look them up by the table's key
    cur.execute("CREATE TABLE kt (k8 bigint PRIMARY KEY, k2 smallint, t text, n numeric, u uuid, d date)")
    cur.execute("INSERT INTO kt SELECT g, (g % 300)::smallint, 't' || g, (g % 400) / 8.0, "
                "md5(g::text)::uuid, date '2020-01-01' + g FROM generate_series(1, 2400) g")
    for col, typ in (("k2", "smallint"), ("t", "text"), ("n", "numeric"), ("u", "uuid"), ("d", "date")):
        cur.execute("CREATE TABLE by_%s (key %s PRIMARY KEY, val int, note text)" % (col, typ))
        cur.execute("INSERT INTO by_%s SELECT DISTINCT ON (%s) %s, k8::int, 'n' || k8 FROM kt "
                    "WHERE %s IS NOT NULL ORDER BY %s, k8" % (col, col, col, col, col))
    # numeric keys of another scale than the stored ones (1.50 = 1.5)
    cur.execute("INSERT INTO kt VALUES (5000, 1, 'x', 1.50, NULL, NULL), (5001, 2, NULL, 2.000, NULL, NULL)")
    cur.execute("CREATE TABLE pick (id int PRIMARY KEY, k8 bigint)")
    cur.execute("INSERT INTO pick SELECT g, g * 37 % 2500 FROM generate_series(1, 40) g")
    cur.execute("INSERT INTO pick VALUES (41, 5000), (42, 5001), (43, NULL)")
    for t in ("big", "mid", "small", "kt", "pick", "by_k2", "by_t", "by_n", "by_u", "by_d"):
        cur.execute("ANALYZE " + t)


JOINS = ["JOIN", "LEFT JOIN", "RIGHT JOIN", "FULL JOIN"]


def random_query():
    j1, j2 = rnd.choice(JOINS), rnd.choice(JOINS)
    conds = ["s.cat = 'c%d'" % rnd.randrange(6), "s.id < %d" % rnd.randrange(5, 60),
             "b.s = 's%d'" % rnd.randrange(9), "m.q < %d" % rnd.randrange(30), "b.extra IS NULL",
             "s.id IN (%d, %d)" % (rnd.randrange(60), rnd.randrange(60))]
    where = " AND ".join(rnd.sample(conds, rnd.randrange(0, 3)))
    sel = rnd.choice(["count(*), sum(b.v), count(m.m_id), count(s.id)",
                      "b.id, b.v, b.s, length(b.pad), b.extra, m.m_id, s.cat",
                      "count(*), min(b.id), max(m.q)"])
    group = ""
    if rnd.random() < 0.2:
        sel, group = "s.cat, count(*), sum(b.v)", " GROUP BY s.cat"
    q = ("SELECT %s FROM big b %s mid m ON m.big_id = b.id %s small s ON s.id = m.small_id"
         % (sel, j1, j2))
    if rnd.random() < 0.25:   # the join below on the right-hand side
        q = ("SELECT %s FROM small s %s (big b %s mid m ON m.big_id = b.id) ON m.small_id = s.id"
             % (sel, j2, j1))
    return q + (" WHERE " + where if where else "") + group


def compare(cur, n):
    cur.execute("SET join_collapse_limit = 1")
    for _ in range(n):
        q = random_query()
        a, b = both(cur, q)
        ok(a == b, "filters on = off: %s\n  on  %r\n  off %r" % (q, a[:5], b[:5]))
    # semi and anti joins under and over the filter
    for q in ["SELECT count(*), sum(b.v) FROM big b WHERE b.id IN "
              "(SELECT m.big_id FROM mid m JOIN small s ON s.id = m.small_id WHERE s.cat = 'c1')",
              "SELECT count(*) FROM big b WHERE b.id NOT IN (SELECT big_id FROM mid WHERE big_id IS NOT NULL)",
              "SELECT count(*) FROM big b WHERE NOT EXISTS (SELECT 1 FROM mid m WHERE m.big_id = b.id)",
              "SELECT count(*) FROM (big b JOIN mid m ON m.big_id = b.id) WHERE EXISTS "
              "(SELECT 1 FROM small s WHERE s.id = m.small_id AND s.cat = 'c2')"]:
        a, b = both(cur, q)
        ok(a == b, "semi/anti: %s\n  on %r\n  off %r" % (q, a, b))
    cur.execute("RESET join_collapse_limit")


def by_hand(cur):
    cur.execute("SET join_collapse_limit = 1")
    q = ("SELECT count(*), sum(b.v) FROM big b JOIN mid m ON m.big_id = b.id "
         "JOIN small s ON s.id = m.small_id WHERE s.cat = 'c3' AND s.id < 40")
    exp = rows(cur, "SELECT count(*), sum(b.v) FROM mid m, big b, small s WHERE m.big_id = b.id AND "
               "s.id = m.small_id AND s.cat = 'c3' AND s.id < 40")
    got = rows(cur, q)
    ok(got == exp and got[0][0] > 0, "3-way join in the written order: %r / %r" % (got, exp))
    # the outer scan reads only the matching rows with the filters, every row without
    n_on = scan_rows(cur, q, "b")
    cur.execute(OFF)
    n_off = scan_rows(cur, q, "b")
    cur.execute(ON)
    nmatch = rows(cur, "SELECT count(DISTINCT m.big_id) FROM mid m JOIN small s ON s.id = m.small_id "
                  "JOIN big b ON b.id = m.big_id WHERE s.cat = 'c3' AND s.id < 40")[0][0]
    ok(n_on == nmatch, "big read by key: %r rows, %r distinct matching keys" % (n_on, nmatch))
    ok(n_off == 3000, "without the filters big is scanned: %r" % n_off)
    # a qual on the scan read by key still applies
    q2 = q + " AND b.s IS NOT NULL AND b.v > 100"
    a, b = both(cur, q2)
    ok(a == b and a[0][0] > 0, "qual on the keyed scan: %r / %r" % (a, b))
    # the table below still counts every inner row of a LEFT join above
    q3 = ("SELECT count(*), count(s.id) FROM big b JOIN mid m ON m.big_id = b.id "
          "LEFT JOIN small s ON s.id = m.small_id AND s.cat = 'c0'")
    exp3 = rows(cur, "SELECT count(*), count(s.id) FROM mid m JOIN big b ON m.big_id = b.id "
                "LEFT JOIN small s ON s.id = m.small_id AND s.cat = 'c0'")
    ok(rows(cur, q3) == exp3, "LEFT JOIN above: no filter: %r" % exp3)
    # an empty table above: nothing read below
    q4 = ("SELECT count(*) FROM big b JOIN mid m ON m.big_id = b.id JOIN small s ON s.id = m.small_id "
          "WHERE s.cat = 'none'")
    ok(rows(cur, q4) == [(0,)], "empty table above")
    ok(scan_rows(cur, q4, "b") in (0, None), "empty table above: big not read: %r" % scan_rows(cur, q4, "b"))
    # prepared, run several times (the plan is reused, the filters are per run)
    cur.execute("PREPARE kf(text) AS SELECT count(*), sum(b.v) FROM big b JOIN mid m ON m.big_id = b.id "
                "JOIN small s ON s.id = m.small_id WHERE s.cat = $1")
    for c in ("c0", "c1", "c5", "c0"):
        got = rows(cur, "EXECUTE kf(%s)", (c,))
        exp = rows(cur, "SELECT count(*), sum(b.v) FROM mid m, big b, small s WHERE m.big_id = b.id AND "
                   "s.id = m.small_id AND s.cat = %s", (c,))
        ok(got == exp, "prepared %s: %r / %r" % (c, got, exp))
    cur.execute("DEALLOCATE kf")
    # in a transaction with its own writes (read by key through the write set)
    cur.execute("BEGIN")
    cur.execute("UPDATE big SET v = v + 1000 WHERE id IN (SELECT big_id FROM mid WHERE small_id = 3)")
    cur.execute("DELETE FROM big WHERE id IN (SELECT big_id FROM mid WHERE small_id = 9)")
    a, b = both(cur, q)
    ok(a == b, "own writes: %r / %r" % (a, b))
    cur.execute("ROLLBACK")
    cur.execute("RESET join_collapse_limit")


def key_types(cur):
    cur.execute("SET join_collapse_limit = 1")
    for col in ("k2", "t", "n", "u", "d"):
        q = ("SELECT x.key, x.val, x.note, p.id FROM by_%s x JOIN kt ON kt.%s = x.key "
             "JOIN pick p ON p.k8 = kt.k8" % (col, col))
        a, b = both(cur, q)
        ok(a == b and len(a) > 0, "key type %s: %d rows / %d" % (col, len(a), len(b)))
        # 43 keys: read by key from a table of 2400 rows, scanned in one
        # of 300 or 400 (EX_HJ_POINTS_RATIO)
        n = scan_rows(cur, q, "x")
        size = rows(cur, "SELECT count(*) FROM by_" + col)[0][0]
        if size >= 43 * 16:
            ok(n is not None and n <= 42, "by_%s read by key: %r rows" % (col, n))
        else:
            ok(n == size, "by_%s (%d rows) scanned: %r rows" % (col, size, n))
    # numeric of another scale: 1.50 finds 1.5
    q = "SELECT x.key, x.val FROM by_n x JOIN kt ON kt.n = x.key JOIN pick p ON p.k8 = kt.k8 WHERE p.id > 40"
    a, b = both(cur, q)
    ok(a == b and len(a) == 2, "numeric scales: %r / %r" % (a, b))
    cur.execute("RESET join_collapse_limit")


def parallel(cur):
    cur.execute("CREATE TABLE pbig (id int PRIMARY KEY, v int, pad text)")
    cur.execute("INSERT INTO pbig SELECT g, g % 97, 'pad' || g FROM generate_series(1, 60000) g")
    cur.execute("ANALYZE pbig")
    cur.execute("SET join_collapse_limit = 1")
    q = ("SELECT count(*), sum(b.v), min(b.pad) FROM pbig b JOIN mid m ON m.big_id = b.id "
         "JOIN small s ON s.id = m.small_id WHERE s.cat = 'c4'")
    plan = "\n".join(r[0] for r in rows(cur, "EXPLAIN (COSTS OFF) " + q))
    ok("Gather" in plan, "parallel plan:\n" + plan)
    a, b = both(cur, q)
    cur.execute("SET max_parallel_workers_per_gather = 0")
    c = rows(cur, q)
    cur.execute("RESET max_parallel_workers_per_gather")
    ok(a == b == c and a[0][0] > 0, "slices = serial: %r / %r / %r" % (a, b, c))
    # the 60k-row table is the build side's probe, read by key in the slices
    n = scan_rows(cur, q, "b")
    ok(n is not None and n < 1000, "pbig read by key in slices: %r rows" % n)
    for _ in range(5):
        cat = "c%d" % rnd.randrange(6)
        jt = rnd.choice(["JOIN", "LEFT JOIN"])
        q = ("SELECT count(*), sum(b.v) FROM pbig b JOIN mid m ON m.big_id = b.id "
             "%s small s ON s.id = m.small_id AND s.cat = '%s'" % (jt, cat))
        a, b = both(cur, q)
        ok(a == b, "slices, %s %s: %r / %r" % (jt, cat, a, b))
    cur.execute("RESET join_collapse_limit")


def main():
    d, port, proc = ringnode.start(RINGDB, "keyfilter-test-", PORTS)
    try:
        conn = psycopg2.connect(host="127.0.0.1", port=port, user="postgres", dbname="postgres")
        conn.autocommit = True
        cur = conn.cursor()
        setup(cur)
        by_hand(cur)
        key_types(cur)
        compare(cur, 60)
        parallel(cur)
        conn.close()
    except Exception:
        print("seed", seed)
        raise
    if T.failures:
        print("seed", seed)
    sys.exit(ringnode.finish(T, "test_keyfilter", proc, d))


main()
