#!/usr/bin/python3
"""Index scans on secondary indexes (exec/planner.c index_range) against a
real build/ringdb: a table with indexes (ix) and the same rows in a table
without any (nx) must answer every query alike.  Checked here:

- random predicates (=, <, <=, >, >=, BETWEEN, constants on either side,
  cross-type constants, NULL constants, ANDed with other conditions) over
  int with NULLs and duplicates, a UNIQUE column, a DESC numeric index, a
  two-column (text, timestamp) index with equality on the first and a
  range on the second, and an index on a table without a primary key;
- after UPDATEs that move rows' indexed values and DELETEs, with and
  without ANALYZE statistics, inside a transaction block that changed rows;
- UPDATE and DELETE whose WHERE picks the index change the same rows;
- PREPARE with $1 bounds, run several times with different values;
- EXPLAIN shows "Index Scan using ix_a on ix" with "Index Cond: (a = 5)"
  for a selective equality, and a Seq Scan for an unselective range.

Usage: test_index_scan.py RINGDB        (ports 44000-44499)
"""
import os
import random
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ringnode  # noqa: E402

RINGDB = sys.argv[1]
PORTS = range(44000, 44499)
NROWS = 3000
T = ringnode.Checks()
ok = T.ok
rnd = random.Random(4)

DDL = "(id int PRIMARY KEY, a int, e int, b text, d timestamp, c numeric(10,2))"
INDEXES = [
    "CREATE INDEX ix_a ON ix(a)",
    "CREATE UNIQUE INDEX ix_e ON ix(e)",
    "CREATE INDEX ix_bd ON ix(b, d)",
    "CREATE INDEX ix_c ON ix(c DESC)",
]


def row(i):
    a = None if i % 17 == 0 else rnd.randrange(0, 300)
    e = None if i % 29 == 0 else i * 7
    b = None if i % 23 == 0 else "k%02d" % rnd.randrange(0, 40)
    d = "2024-01-%02d %02d:00:00" % (1 + rnd.randrange(0, 28), rnd.randrange(0, 24))
    c = None if i % 31 == 0 else "%d.%02d" % (rnd.randrange(0, 500), rnd.randrange(0, 100))
    return (i, a, e, b, d, c)


def pred():
    """One random condition over ix's columns (as text)."""
    k = rnd.randrange(0, 12)
    ops = ["=", "<", "<=", ">", ">="]
    op = rnd.choice(ops)
    if k == 0:
        return "a %s %d" % (op, rnd.randrange(-5, 305))
    if k == 1:
        return "%d %s a" % (rnd.randrange(-5, 305), op)
    if k == 2:
        lo = rnd.randrange(0, 300)
        return "a BETWEEN %d AND %d" % (lo, lo + rnd.randrange(0, 20))
    if k == 3:
        return "e %s %d" % (op, rnd.randrange(0, NROWS * 7))
    if k == 4:
        return "b %s 'k%02d'" % (op, rnd.randrange(0, 40))
    if k == 5:
        return "b = 'k%02d' AND d %s '2024-01-%02d'" % (rnd.randrange(0, 40), op, 1 + rnd.randrange(0, 28))
    if k == 6:
        return "b = 'k%02d' AND d BETWEEN '2024-01-05' AND '2024-01-%02d 12:00'" % (
            rnd.randrange(0, 40), 5 + rnd.randrange(0, 20))
    if k == 7:
        return "c %s %d.%d" % (op, rnd.randrange(0, 500), rnd.randrange(0, 10))
    if k == 8:
        return "c BETWEEN %d AND %d" % (rnd.randrange(0, 400), rnd.randrange(0, 500))
    if k == 9:
        return "a = %d::bigint" % rnd.randrange(0, 300)   # cross-type: int4 column, int8 value
    if k == 10:
        return "a %s NULL" % op
    return "a = %d AND e > %d" % (rnd.randrange(0, 300), rnd.randrange(0, NROWS * 7))


def compare(cur, n, what):
    bad = 0
    for _ in range(n):
        p = pred()
        if rnd.random() < 0.3:
            p = "%s AND %s" % (p, pred())
        q = "SELECT * FROM %s WHERE " + p + " ORDER BY id"
        cur.execute(q % "ix")
        got = cur.fetchall()
        cur.execute(q % "nx")
        want = cur.fetchall()
        if got != want:
            bad += 1
            ok(False, "%s: %s: %d rows, expected %d" % (what, p, len(got), len(want)))
    ok(bad == 0, "%s: %d of %d predicates differ" % (what, bad, n))


plan = ringnode.plan


def same_tables(cur, what):
    cur.execute("SELECT * FROM ix ORDER BY id")
    a = cur.fetchall()
    cur.execute("SELECT * FROM nx ORDER BY id")
    ok(a == cur.fetchall(), "%s: tables differ" % what)


def main():
    d, port, proc = ringnode.start(RINGDB, "ixscan-test-", PORTS)
    try:
        conn = ringnode.connect(port)
        cur = conn.cursor()
        for t in ("ix", "nx"):
            cur.execute("CREATE TABLE %s %s" % (t, DDL))
        for s in INDEXES:
            cur.execute(s)
        rows = [row(i) for i in range(1, NROWS + 1)]
        for t in ("ix", "nx"):
            cur.executemany("INSERT INTO " + t + " VALUES (%s, %s, %s, %s, %s, %s)", rows)

        # without statistics: equality picks the index
        p = plan(cur, "SELECT * FROM ix WHERE a = 5")
        ok(p[:2] == ["Index Scan using ix_a on ix", "Index Cond: (a = 5)"], "plan without stats: %r" % p)
        compare(cur, 150, "no stats")

        cur.execute("ANALYZE ix")
        cur.execute("ANALYZE nx")
        p = plan(cur, "SELECT * FROM ix WHERE a = 5 AND b > 'k10'")
        ok(p == ["Index Scan using ix_a on ix", "Index Cond: (a = 5)", "Filter: (b > 'k10'::text)"],
           "plan with stats: %r" % p)
        p = plan(cur, "SELECT * FROM ix WHERE 7 = e")
        ok(p[:2] == ["Index Scan using ix_e on ix", "Index Cond: (e = 7)"], "unique: %r" % p)
        p = plan(cur, "SELECT * FROM ix WHERE b = 'k01' AND d >= '2024-01-05'")
        ok(p[:1] == ["Index Scan using ix_bd on ix"] and "Index Cond" in p[1] and "(d >=" in p[1],
           "two-column: %r" % p)
        p = plan(cur, "SELECT * FROM ix WHERE a > 5")
        ok(p[:1] == ["Seq Scan on ix"], "open range stays a seq scan: %r" % p)
        p = plan(cur, "SELECT * FROM ix WHERE a = 5 AND id > 100")
        ok(p[:3] == ["Index Scan using ix_a on ix", "Index Cond: (a = 5)", "Filter: (id > 100)"],
           "a primary-key range on a hash-partitioned table: %r" % p)
        p = plan(cur, "SELECT * FROM ix WHERE c > 10.5 AND c <= 12.25")
        ok(p[:2] == ["Index Scan using ix_c on ix", "Index Cond: ((c > 10.5) AND (c <= 12.25))"],
           "DESC index range: %r" % p)
        p = plan(cur, "SELECT * FROM ix WHERE id = 5 AND a = 5")
        ok(p[:1] == ["Index Scan using ix_pkey on ix"], "the primary key first: %r" % p)
        compare(cur, 250, "stats")

        # rows whose indexed values moved, rows deleted
        for t in ("ix", "nx"):
            cur.execute("UPDATE %s SET a = a + 1, b = 'k05', c = c * 2 WHERE id %% 5 = 0" % t)
            cur.execute("UPDATE %s SET e = -e WHERE id %% 7 = 0" % t)
            cur.execute("DELETE FROM %s WHERE id %% 11 = 0" % t)
        compare(cur, 200, "after update/delete")

        # UPDATE / DELETE whose WHERE takes the index
        for i in range(20):
            v = rnd.randrange(0, 300)
            for t in ("ix", "nx"):
                cur.execute("UPDATE %s SET a = %d, d = d + interval '1 day' WHERE a = %d" % (t, v + 1, v))
            v = rnd.randrange(0, 300)
            for t in ("ix", "nx"):
                cur.execute("DELETE FROM %s WHERE a = %d AND e > 100" % (t, v))
        same_tables(cur, "update/delete through the index")
        compare(cur, 100, "after indexed update/delete")

        # a transaction block that changed indexed values
        cur.execute("BEGIN")
        for t in ("ix", "nx"):
            cur.execute("UPDATE %s SET a = 77 WHERE id %% 13 = 0" % t)
            cur.execute("INSERT INTO %s VALUES (100001, 77, 999999, 'k77', '2024-02-01', 1.5)" % t)
        compare(cur, 60, "in a transaction block")
        cur.execute("ROLLBACK")

        # prepared statements with parameters (extended protocol through libpq)
        pq = ringnode.Libpq("host=127.0.0.1 port=%d user=postgres dbname=postgres" % port, ok)
        for t in ("ix", "nx"):
            pq.prepare("a_" + t, "SELECT * FROM %s WHERE a = $1 ORDER BY id" % t)
            pq.prepare("bd_" + t, "SELECT * FROM %s WHERE b = $1 AND d < $2 ORDER BY id" % t)
        for _ in range(15):
            v = str(rnd.randrange(0, 300))
            got, want = pq.run("a_ix", [v]), pq.run("a_nx", [v])
            ok(got == want and got is not None, "prepared a = %s: %r vs %r" % (v, got, want))
            b, dd = "k%02d" % rnd.randrange(0, 40), "2024-01-%02d" % (1 + rnd.randrange(0, 28))
            got, want = pq.run("bd_ix", [b, dd]), pq.run("bd_nx", [b, dd])
            ok(got == want and got is not None, "prepared b = %s, d < %s" % (b, dd))
        ok(pq.run("a_ix", [None]) == [], "a = NULL parameter")
        ok(pq.run("a_ix", ["3000000000"]) is None, "out of range parameter is an error")
        pq.close()
        cur.execute("SELECT count(*) FROM ix WHERE a = 3")   # the session goes on

        # a table without a primary key
        cur.execute("CREATE TABLE np (a int, b text)")
        cur.execute("CREATE INDEX np_a ON np(a)")
        cur.execute("INSERT INTO np SELECT g % 50, 'x' || g FROM generate_series(1, 1000) g")
        p = plan(cur, "SELECT * FROM np WHERE a = 7")
        ok(p[:1] == ["Index Scan using np_a on np"], "no primary key: %r" % p)
        T.check(cur, "SELECT count(*), min(b), max(b) FROM np WHERE a = 7", [(20, "x107", "x957")])
        cur.execute("DELETE FROM np WHERE a = 7 AND b > 'x5'")
        left = len([g for g in range(1, 1001) if g % 50 == 7 and not "x%d" % g > "x5"])
        T.check(cur, "SELECT count(*) FROM np WHERE a = 7", [(left,)])
        conn.close()
    finally:
        ringnode.stop(proc)
    if T.failures:
        print("log kept in", d)
    else:
        shutil.rmtree(d, ignore_errors=True)
    sys.exit(T.report("test_index_scan"))


main()
