#!/usr/bin/python3
"""Key sets and key ranges read as point lookups (planner.c key_set,
exec.c kset_* and scan_points, sql_table_get_many) against a real
build/ringdb: tables with a primary key and indexes (k*) and the same rows
in tables without either (n*, always a Seq Scan) must answer alike.
Checked here:

- random IN lists and = ANY (array) on an int primary key, a bigint
  primary key (int lists, values beyond int4), a text primary key and a
  numeric primary key (1.5 = 1.50), and on the first column of secondary
  indexes (int with NULLs and duplicates, text): with NULLs, repeats,
  absent values, empty arrays, a NULL array, ANDed with other conditions;
- random short ranges of the integer primary key (read as batches of
  point lookups), some longer than a batch;
- the same in a transaction block that inserted, updated and deleted rows
  (its own writes visible, the deleted rows gone), after a ROLLBACK the
  old rows again;
- = ANY ($1) through the extended protocol (libpq PQexecPrepared) with
  different arrays, NULL elements and a NULL array;
- an aggregate and a top-N over a table big enough to run in slices
  (parallel.c) over a key set: the keys read once;
- EXPLAIN: "Index Scan using kt_pkey on kt" with
  "Index Cond: (id = ANY ('{1,5,9}'::integer[]))" for an IN list, the
  index for an indexed column, "Filter" for the rest of the conditions.

Usage: test_keyset.py RINGDB        (ports 41200-41299)
"""
import decimal
import os
import random
import sys

import psycopg2

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ringnode  # noqa: E402

RINGDB = sys.argv[1]
PORTS = range(41200, 41299)
NROWS = 1200
T = ringnode.Checks()
ok = T.ok
rnd = random.Random(11)

TABLES = {
    # name: (columns, primary key column, rows)
    "t": ("(id int %s, a int, b text, c numeric(8,2))", "id"),
    "g": ("(id bigint %s, a int)", "id"),
    "s": ("(k text %s, a int)", "k"),
    "m": ("(k numeric(8,2) %s, a int)", "k"),
}
INDEXES = ["CREATE INDEX kt_a ON kt(a)", "CREATE INDEX kt_b ON kt(b)"]


def rows(name):
    out = []
    for i in range(1, NROWS + 1):
        if name == "t":
            out.append((i, None if i % 13 == 0 else rnd.randrange(0, 200),
                        None if i % 11 == 0 else "v%03d" % rnd.randrange(0, 300),
                        "%d.%02d" % (rnd.randrange(0, 100), rnd.randrange(0, 100))))
        elif name == "g":
            out.append((i * 3 if i % 5 else 3000000000 + i, i % 7))
        elif name == "s":
            out.append(("key%05d" % (i * 2), i % 9))
        else:
            out.append(("%d.%d" % (i // 10, i % 10), i % 4))
    return out


def val(name):
    """One list element for table name's key (as SQL text)."""
    r = rnd.random()
    if r < 0.08:
        return "NULL"
    if name == "t":   # rows from the start, and rows change() inserts
        return str(rnd.choice([rnd.randrange(-5, NROWS + 10), NROWS + 1000 + rnd.randrange(0, 60),
                               NROWS + 2000 + rnd.randrange(0, 60)]))
    if name == "g":
        return str(rnd.choice([rnd.randrange(0, NROWS * 3 + 5), 3000000000 + rnd.randrange(0, NROWS)]))
    if name == "s":
        return "'key%05d'" % rnd.randrange(0, NROWS * 2 + 4)
    return rnd.choice(["%d.%d" % (rnd.randrange(0, NROWS // 10), rnd.randrange(0, 10)),
                       "%d.%d0" % (rnd.randrange(0, NROWS // 10), rnd.randrange(0, 10))])


def elems(name, n):
    vs = [val(name) for _ in range(n)]
    if vs and rnd.random() < 0.3:
        vs.append(rnd.choice(vs))   # a repeat
    return vs


def pred(name):
    key = TABLES[name][1]
    k = rnd.randrange(0, 9)
    n = rnd.choice([1, 2, 3, 5, 10, 40, 300])
    vs = elems(name, n)
    typ = {"t": "int", "g": "bigint", "s": "text", "m": "numeric"}[name]
    if k <= 2:
        return "%s IN (%s)" % (key, ", ".join(vs))
    if k == 3:
        return "%s = ANY (ARRAY[%s]::%s[])" % (key, ", ".join(vs), typ)
    if k == 4:
        return "%s = ANY ('{}'::%s[])" % (key, typ)
    if k == 5 and name == "t":
        return "a IN (%s)" % ", ".join(str(rnd.randrange(-2, 205)) if rnd.random() > 0.1 else "NULL"
                                      for _ in range(rnd.randrange(1, 6)))
    if k == 6 and name == "t":
        return "b IN (%s)" % ", ".join("'v%03d'" % rnd.randrange(0, 305) for _ in range(rnd.randrange(1, 6)))
    if k == 7 and name in ("t", "g"):
        lo = rnd.randrange(-10, NROWS * (3 if name == "g" else 1))
        return "%s BETWEEN %d AND %d" % (key, lo, lo + rnd.choice([0, 5, 99, 300, 700]))
    if k == 8 and name == "t":
        return "%s IN (%s) AND a %s %d" % (key, ", ".join(vs), rnd.choice(["<", ">", "="]),
                                         rnd.randrange(0, 200))
    return "%s IN (%s)" % (key, ", ".join(vs))


def compare(cur, n, what):
    bad = 0
    for _ in range(n):
        name = rnd.choice(list(TABLES))
        p = pred(name)
        q = "SELECT * FROM %s WHERE " + p + " ORDER BY 1"
        try:
            cur.execute(q % ("k" + name))
            got = cur.fetchall()
        except psycopg2.Error as e:
            ok(False, "%s: %s: error %s" % (what, p, e.pgerror))
            cur.connection.rollback() if not cur.connection.autocommit else None
            bad += 1
            continue
        cur.execute(q % ("n" + name))
        want = cur.fetchall()
        if got != want:
            bad += 1
            ok(False, "%s: %s on %s: %d rows, expected %d" % (what, p, name, len(got), len(want)))
    ok(bad == 0, "%s: %d of %d predicates differ" % (what, bad, n))


plan = ringnode.plan


def change(cur, rnd_, base):
    """The same random writes to kt and nt (new rows from id base on)."""
    for j in range(60):
        i = rnd_.randrange(1, NROWS + 50)
        r = rnd_.random()
        for t in ("kt", "nt"):
            if r < 0.3:
                cur.execute("DELETE FROM %s WHERE id = %%s" % t, (i,))
            elif r < 0.6:
                cur.execute("UPDATE %s SET a = %%s, b = 'w' WHERE id = %%s" % t, (i % 5, i))
            else:
                cur.execute("INSERT INTO %s VALUES (%%s, %%s, 'ins', 1.5)" % t, (base + j, i % 3))


def main():
    d, port, proc = ringnode.start(RINGDB, "keyset-test-", PORTS)
    try:
        conn = ringnode.connect(port)
        cur = conn.cursor()
        for name, (cols, _) in TABLES.items():
            rs = rows(name)
            cur.execute("CREATE TABLE k%s %s" % (name, cols % "PRIMARY KEY"))
            cur.execute("CREATE TABLE n%s %s" % (name, cols % ""))
            ph = ", ".join(["%s"] * len(rs[0]))
            for t in ("k" + name, "n" + name):
                cur.executemany("INSERT INTO %s VALUES (%s)" % (t, ph), rs)
        for s in INDEXES:
            cur.execute(s)

        p = plan(cur, "SELECT * FROM kt WHERE id IN (9, 1, 5)")
        ok(p == ["Index Scan using kt_pkey on kt", "Index Cond: (id = ANY ('{9,1,5}'::integer[]))"],
           "IN list on the primary key: %r" % p)
        p = plan(cur, "SELECT * FROM kt WHERE id = ANY ('{1,2}') AND a > 3")
        ok(p == ["Index Scan using kt_pkey on kt", "Index Cond: (id = ANY ('{1,2}'::integer[]))",
                 "Filter: (a > 3)"], "= ANY on the primary key: %r" % p)
        p = plan(cur, "SELECT * FROM kt WHERE a IN (1, 2)")
        ok(p[:2] == ["Index Scan using kt_a on kt", "Index Cond: (a = ANY ('{1,2}'::integer[]))"],
           "IN list on an index: %r" % p)
        p = plan(cur, "SELECT * FROM ks WHERE k IN ('a', 'b')")
        ok(p[:2] == ["Index Scan using ks_pkey on ks", "Index Cond: (k = ANY ('{a,b}'::text[]))"],
           "text key: %r" % p)
        p = plan(cur, "SELECT * FROM nt WHERE id IN (1, 2)")
        ok(p[:1] == ["Seq Scan on nt"], "no key: %r" % p)

        T.check(cur, "SELECT id FROM kt WHERE id IN (3, 1, NULL, 3, -4, 99999) ORDER BY id", [(1,), (3,)])
        T.check(cur, "SELECT id FROM kt WHERE id = ANY (NULL::int[])", [])
        T.check(cur, "SELECT count(*) FROM kt WHERE id = ANY ('{}')", [(0,)])
        T.check(cur, "SELECT id FROM kg WHERE id IN (3, 3000000005, 4) ORDER BY id", [(3,), (3000000005,)])
        T.check(cur, "SELECT k FROM km WHERE k IN (1.5, 1.50, 2) ORDER BY k",
                [(decimal.Decimal("1.50"),), (decimal.Decimal("2.00"),)])
        compare(cur, 300, "committed")

        cur.execute("ANALYZE kt")
        compare(cur, 100, "with statistics")

        # a transaction block's own writes
        conn.autocommit = False
        w = random.Random(5)
        change(cur, w, NROWS + 1000)
        compare(cur, 150, "in a transaction")
        conn.rollback()
        compare(cur, 60, "after rollback")
        change(cur, random.Random(6), NROWS + 2000)
        conn.commit()
        conn.autocommit = True
        compare(cur, 100, "after commit")

        # an aggregate or top-N over a big table runs in slices: a key set
        # under it must be read once, not once per slice
        cur.execute("CREATE TABLE big (id int PRIMARY KEY, g int)")
        cur.execute("CREATE INDEX big_g ON big (g)")
        cur.execute("INSERT INTO big SELECT i, i % 1000 FROM generate_series(1, 60000) i")
        T.check(cur, "SELECT count(*), sum(id) FROM big WHERE id IN (1, 2, 3, 70000)", [(3, 6)])
        T.check(cur, "SELECT count(*) FROM big WHERE id = ANY ('{5,6,NULL}')", [(2,)])
        T.check(cur, "SELECT count(*), sum(id) FROM big WHERE g IN (7, 8)", [(120, 60 * 7 + 60 * 8 + 1000 * 3540)])
        T.check(cur, "SELECT id FROM big WHERE id IN (10, 20, 30) ORDER BY g DESC LIMIT 2", [(30,), (20,)])
        T.check(cur, "SELECT count(*), sum(id) FROM big WHERE id BETWEEN 101 AND 1100", [(1000, 600500)])

        # = ANY ($1) through the extended protocol
        pq = ringnode.Libpq("host=127.0.0.1 port=%d user=postgres dbname=postgres" % port, ok)
        pq.prepare("q1", "SELECT id, a FROM kt WHERE id = ANY ($1) ORDER BY id")
        pq.prepare("q2", "SELECT id, a FROM nt WHERE id = ANY ($1) ORDER BY id")
        pq.prepare("q3", "SELECT id FROM kt WHERE a = ANY ($1::int[]) ORDER BY id")
        pq.prepare("q4", "SELECT id FROM nt WHERE a = ANY ($1::int[]) ORDER BY id")
        bad = 0
        for i in range(40):
            arr = "{%s}" % ",".join("NULL" if rnd.random() < 0.1 else str(rnd.randrange(0, NROWS + 100))
                                    for _ in range(rnd.randrange(0, 30)))
            if pq.run("q1", [arr]) != pq.run("q2", [arr]) or pq.run("q1", [arr]) is None:
                bad += 1
            arr = "{%s}" % ",".join(str(rnd.randrange(0, 205)) for _ in range(rnd.randrange(1, 4)))
            if pq.run("q3", [arr]) != pq.run("q4", [arr]):
                bad += 1
        ok(pq.run("q1", [None]) == [], "= ANY (NULL)")
        ok(bad == 0, "prepared = ANY ($1): %d of 80 differ" % bad)
        pq.close()
        conn.close()
    except Exception as e:  # noqa: BLE001
        ok(False, "exception: %r" % e)
    return ringnode.finish(T, "test_keyset", proc, d)


if __name__ == "__main__":
    sys.exit(main())
