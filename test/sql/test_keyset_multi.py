#!/usr/bin/python3
"""Key sets over multi-column primary keys (planner.c key_set_multi,
exec/keyset.c) against a real build/ringdb: km has PRIMARY KEY (a, b),
nm the same rows without a key (always a Seq Scan); both must answer alike.
Checked here:

- random row IN lists (a, b) IN ((..), ..) with repeats, NULLs, absent
  keys, values beyond int4, the columns in either order;
- random products a = x AND b = ANY (array), a IN (..) AND b IN (..),
  with NULL elements, empty and NULL arrays, ANDed with other conditions;
- the same in a transaction block that inserted, updated and deleted rows,
  and after its ROLLBACK;
- the key set through the extended protocol (libpq PQexecPrepared) with
  different parameter values and NULLs;
- EXPLAIN: "Index Scan using km_pkey on km" with the key set as "Index
  Cond" and only the other conditions as "Filter"; a product over 10000
  keys stays a Seq Scan.

Usage: test_keyset_multi.py RINGDB        (ports 25100-25199)
"""
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ringnode  # noqa: E402

RINGDB = sys.argv[1]
PORTS = range(25100, 25199)
T = ringnode.Checks()
ok = T.ok
rnd = random.Random(7)


def v():
    r = rnd.random()
    if r < 0.05:
        return "NULL"
    if r < 0.08:
        return str(rnd.choice([3000000000, -3000000000]))
    return str(rnd.randrange(-2, 45))


def row_in():
    n = rnd.randrange(1, 12)
    if rnd.random() < 0.5:
        return "(a, b) IN (%s)" % ", ".join("(%s, %s)" % (v(), v()) for _ in range(n))
    return "(b, a) IN (%s)" % ", ".join("(%s, %s)" % (v(), v()) for _ in range(n))


def col_list(c):
    r = rnd.random()
    vals = [v() for _ in range(rnd.randrange(0, 8))]
    if r < 0.3:
        return "%s = %s" % (c, v())
    if r < 0.6 and vals:
        return "%s IN (%s)" % (c, ", ".join(vals))
    if r < 0.65:
        return "%s = ANY (NULL::int[])" % c
    return "%s = ANY ('{%s}'::int[])" % (c, ",".join(x for x in vals if x != "3000000000" and x != "-3000000000"))


def product():
    q = "%s AND %s" % (col_list("a"), col_list("b"))
    if rnd.random() < 0.3:
        q += " AND v <> 'v%d'" % rnd.randrange(0, 400)
    return q


def compare(cur, what):
    for i in range(60):
        w = row_in() if i % 2 == 0 else product()
        out = []
        for t in ("km", "nm"):
            cur.execute("SELECT a, b, v FROM %s WHERE %s ORDER BY a, b" % (t, w))
            out.append(cur.fetchall())
        ok(out[0] == out[1], "%s: %s: %r vs %r" % (what, w, out[0][:5], out[1][:5]))


def plan(cur, q):
    cur.execute("EXPLAIN (COSTS OFF) " + q)
    return [r[0] for r in cur.fetchall()]


def main():
    d, port, proc = ringnode.start(RINGDB, "keyset-multi-test-", PORTS)
    try:
        conn = ringnode.connect(port)
        cur = conn.cursor()
        cur.execute("CREATE TABLE km (a int, b int, v text, PRIMARY KEY (a, b))")
        cur.execute("CREATE TABLE nm (a int, b int, v text)")
        for t in ("km", "nm"):
            cur.execute("INSERT INTO %s SELECT i / 10, i %% 10, 'v' || i FROM generate_series(0, 399) i" % t)
        compare(cur, "committed")

        cur.execute("BEGIN")
        for t in ("km", "nm"):
            cur.execute("INSERT INTO %s VALUES (41, 1, 'n1'), (42, 2, 'n2')" % t)
            cur.execute("DELETE FROM %s WHERE a = 3 AND b IN (1, 2, 3)" % t)
            cur.execute("UPDATE %s SET v = 'u' || v WHERE (a, b) IN ((5, 5), (6, 6))" % t)
        compare(cur, "in a block")
        cur.execute("ROLLBACK")
        compare(cur, "after ROLLBACK")

        # the extended protocol: parameters
        pq = ringnode.Libpq("host=127.0.0.1 port=%d user=postgres dbname=postgres" % port, ok)
        pq.prepare("p1", "SELECT a, b, v FROM km WHERE a = $1::int AND b = ANY ($2::int[]) ORDER BY b")
        ok(pq.run("p1", ["2", "{3,1,3,99}"]) == [("2", "1", "v21"), ("2", "3", "v23")], "p1 (2, {3,1,3,99})")
        ok(pq.run("p1", ["4", None]) == [], "p1 NULL array")
        ok(pq.run("p1", [None, "{1}"]) == [], "p1 NULL a")
        ok(pq.run("p1", ["5", "{NULL,0}"]) == [("5", "0", "v50")], "p1 NULL element")
        pq.prepare("p2", "SELECT a, b FROM km WHERE (a, b) IN (($1::int, $2::int), ($3::int, $4::int)) ORDER BY a, b")
        ok(pq.run("p2", ["7", "8", "1", "1"]) == [("1", "1"), ("7", "8")], "p2 two keys")
        ok(pq.run("p2", ["7", "8", "7", "8"]) == [("7", "8")], "p2 one key twice")
        ok(pq.run("p2", ["7", None, "99", "1"]) == [], "p2 NULL and absent")
        pq.close()

        # plans
        p = plan(cur, "SELECT * FROM km WHERE (a, b) IN ((1, 2), (3, 4))")
        ok(p == ["Index Scan using km_pkey on km",
                 "  Index Cond: (((a = 1) AND (b = 2)) OR ((a = 3) AND (b = 4)))"], "row IN plan: %r" % p)
        p = plan(cur, "SELECT * FROM km WHERE a = 1 AND b IN (1, 2) AND v <> 'x'")
        ok(p == ["Index Scan using km_pkey on km",
                 "  Index Cond: ((a = 1) AND (b = ANY ('{1,2}'::integer[])))",
                 "  Filter: (v <> 'x'::text)"], "product plan: %r" % p)
        p = plan(cur, "SELECT * FROM km WHERE a = ANY ('{%s}') AND b = ANY ('{%s}')"
                 % (",".join(map(str, range(200))), ",".join(map(str, range(200)))))
        ok(p[0].startswith("Seq Scan on km"), "40000 keys: a Seq Scan: %r" % p[:1])
        cur.execute("EXPLAIN ANALYZE SELECT * FROM km WHERE a IN (1, 2, 90) AND b IN (3, 4)")
        p = [r[0] for r in cur.fetchall()]
        ok("rows=4 loops=1" in p[0], "EXPLAIN ANALYZE reads 4 rows: %r" % p[0])
        conn.close()
    finally:
        rc = ringnode.finish(T, "test_keyset_multi", proc, d)
    return rc


if __name__ == "__main__":
    sys.exit(main())
