#!/usr/bin/python3
"""Arrays and json through real clients against a real build/ringdb
(issue #4): psycopg2 gets arrays of every base type back as Python lists
(RowDescription carries the array OIDs, the text format is PostgreSQL's),
sends lists as parameters, arrays survive a restart (MessagePack rows) and
serve as primary keys (key encoding); then libpq_array checks the binary
format (array_send / array_recv).

Usage: test_arrays.py RINGDB [LIBPQ_ARRAY]
"""
import datetime
import json
import os
import shutil
import subprocess
import sys
import uuid
from decimal import Decimal

import psycopg2
import psycopg2.extras

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ringnode  # noqa: E402

RINGDB = sys.argv[1]
LIBPQ = sys.argv[2] if len(sys.argv) > 2 else None
PORTS = range(38000, 38499, 3)
T = ringnode.Checks()
check, check_err, check_types = T.check, T.check_err, T.check_types


TEXTS = ["plain", "with space", "a,b", 'quo"te', "back\\slash", "{brace}", "NULL", "", "  pad  ", "é"]
ROWS = [
    (1, [1, None, -3], [9000000000, 0], [Decimal("1.50"), Decimal("-0.001")], [True, False, None],
     [1.5, -0.25], TEXTS, [datetime.date(2024, 2, 29)], [datetime.datetime(2024, 1, 2, 3, 4, 5)],
     [uuid.UUID("0f0e0d0c-0b0a-0908-0706-050403020100")], ["abc", None]),
    (2, [], [], [], [], [], [], [], [], [], []),
    (3, None, None, None, None, None, None, None, None, None, None),
]
COLS = "id, i4, i8, num, b, f8, t, d, ts, u, vc"


def check_rows(cur, what):
    cur.execute("SELECT %s FROM ar_types ORDER BY id" % COLS)
    got = cur.fetchall()
    want = [tuple(r) for r in ROWS]
    T.ok(got == want, "%s:\n  got      %r\n  expected %r" % (what, got, want))


def main():
    psycopg2.extras.register_uuid()
    d, port, proc = ringnode.start(RINGDB, "arrays-test-", PORTS)
    try:
        conn = psycopg2.connect(host="127.0.0.1", port=port, user="postgres", dbname="postgres")
        conn.autocommit = True
        cur = conn.cursor()
        # every base type's array: lists in, lists out
        cur.execute("CREATE TABLE ar_types (id int PRIMARY KEY, i4 int[], i8 bigint[], num numeric[], "
                    "b boolean[], f8 float8[], t text[], d date[], ts timestamp[], u uuid[], "
                    "vc varchar(5)[])")
        for r in ROWS:
            cur.execute("INSERT INTO ar_types VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s::uuid[], %s)",
                        r)
        check_rows(cur, "lists round trip")
        check_types(cur, "SELECT %s FROM ar_types" % COLS,
                    [23, 1007, 1016, 1231, 1000, 1022, 1009, 1182, 1115, 2951, 1015])
        check_types(cur, "SELECT ARRAY[1::smallint], ARRAY[1::real], ARRAY['1 day'::interval], "
                    "ARRAY['{}'::jsonb], ARRAY['x'::bytea], ARRAY[now()], ARRAY['x'::char(2)]",
                    [1005, 1021, 1187, 3807, 1001, 1185, 1014])
        # text elements that need quoting come back exactly
        check(cur, "SELECT t FROM ar_types WHERE id = 1", [(TEXTS,)])
        check(cur, "SELECT t::text FROM ar_types WHERE id = 1",
              [('{plain,"with space","a,b","quo\\"te","back\\\\slash","{brace}","NULL","","  pad  ",é}',)])
        check(cur, "SELECT unnest(t) FROM ar_types WHERE id = 1 ORDER BY 1 LIMIT 3", [("",), ("  pad  ",), ("NULL",)])
        # element access, functions, operators
        check(cur, "SELECT i4[1], i4[2], i4[4], i4[2:3], array_length(t, 1), cardinality(i8) FROM ar_types "
              "WHERE id = 1", [(1, None, None, [None, -3], 10, 2)])
        check(cur, "SELECT id FROM ar_types WHERE 1 = ANY (i4) OR 'abc' = ANY (vc) ORDER BY id", [(1,)])
        check(cur, "SELECT id, i4 || 4, 0 || i4, i4 @> ARRAY[-3] FROM ar_types ORDER BY id",
              [(1, [1, None, -3, 4], [0, 1, None, -3], True), (2, [4], [0], False), (3, [4], [0], None)])
        check(cur, "SELECT array_agg(id ORDER BY id DESC), array_agg(DISTINCT b[1]) FROM ar_types",
              [([3, 2, 1], [True, None])])
        check(cur, "SELECT ARRAY(SELECT id FROM ar_types WHERE id > %s ORDER BY id)", [([2, 3],)], (1,))
        check(cur, "SELECT %s::int[] || %s::int[]", [([1, 2, 3],)], ([1, 2], [3]))
        check(cur, "SELECT n, v FROM unnest(%s::text[]) WITH ORDINALITY AS x(v, n) ORDER BY n",
              [(1, "a"), (2, None)], (["a", None],))
        check(cur, "SELECT string_to_array('a|b||c', '|', ''), array_to_string(ARRAY[1, NULL, 2], '-', '?')",
              [(["a", "b", None, "c"], "1-?-2")])
        # UPDATE of one element, beyond the end
        cur.execute("UPDATE ar_types SET i4[5] = 50 WHERE id = 1")
        check(cur, "SELECT i4 FROM ar_types WHERE id = 1", [([1, None, -3, None, 50],)])
        cur.execute("UPDATE ar_types SET i4 = i4[1:3] WHERE id = 1")
        check_rows(cur, "rows after element updates")
        # varchar(5)[] enforces its element length
        check_err(cur, "INSERT INTO ar_types (id, vc) VALUES (9, ARRAY['toolong'])", "22001",
                  "value too long for type character varying(5)")
        # arrays as primary keys (order-preserving key encoding) and in GROUP BY
        cur.execute("CREATE TABLE ar_keys (k int[] PRIMARY KEY, v text)")
        cur.execute("INSERT INTO ar_keys VALUES ('{2}', 'b'), ('{1,2}', 'a'), ('{1}', 'c'), ('{}', 'e'), "
                    "('{1,NULL}', 'n')")
        check(cur, "SELECT k, v FROM ar_keys ORDER BY k",
              [([], "e"), ([1], "c"), ([1, 2], "a"), ([1, None], "n"), ([2], "b")])
        check(cur, "SELECT v FROM ar_keys WHERE k = %s", [("a",)], ([1, 2],))
        check(cur, "SELECT v FROM ar_keys WHERE k > '{1,2}' ORDER BY k DESC", [("b",), ("n",)])
        check(cur, "SELECT v FROM ar_keys WHERE k < '{1,NULL}' AND k >= '{1}' ORDER BY k", [("c",), ("a",)])
        check_err(cur, "INSERT INTO ar_keys VALUES ('{1,2}', 'dup')", "23505", "duplicate key")
        check(cur, "SELECT k[1], count(*) FROM ar_keys GROUP BY k[1] ORDER BY 1",
              [(1, 3), (2, 1), (None, 1)])
        # json and jsonb through the client
        check(cur, "SELECT '{\"b\": 1, \"a\": [1, 2.50]}'::jsonb, %s::jsonb -> 'x'",
              [({"a": [1, Decimal("2.50")], "b": 1}, [1, 2])], (json.dumps({"x": [1, 2]}),))
        check(cur, "SELECT jsonb_agg(id ORDER BY id), json_build_object('n', 1)::text FROM ar_types",
              [([1, 2, 3], '{"n" : 1}')])
        # jsonb and jsonb[] columns: normalized once, kept across the restart below
        cur.execute("CREATE TABLE ar_js (id int PRIMARY KEY, j jsonb, ja jsonb[], raw json)")
        cur.execute("INSERT INTO ar_js VALUES (1, '{\"b\": 1.50, \"a\": [true, null]}', "
                    "ARRAY['{\"y\":1,\"x\":2}'::jsonb, NULL], '{\"b\":1,  \"a\":2}')")
        check(cur, "SELECT j::text, ja::text, raw::text FROM ar_js",
              [('{"a": [true, null], "b": 1.50}', '{"{\\"x\\": 2, \\"y\\": 1}",NULL}', '{"b":1,  "a":2}')])
        # errors with their SQLSTATEs
        check_err(cur, "SELECT '{1,2'::int[]", "22P02", 'malformed array literal: "{1,2"')
        check(cur, "SELECT '{{1},{2}}'::int[], ARRAY[['a','b']], %s::int[]", [([[1], [2]], [['a', 'b']], [[1, 2], [3, 4]])],
              ([[1, 2], [3, 4]],))
        check_err(cur, "SELECT '{{1},{2,3}}'::int[]", "22P02", "malformed array literal")
        check_err(cur, "SELECT ARRAY[[1],[2,3]]", "2202E", "matching dimensions")
        check_err(cur, "SELECT (1)[1]", "42804", "cannot subscript type integer")
        check_err(cur, "SELECT ARRAY[1] || ARRAY['x'::text]", "42883", "operator does not exist")
        check_err(cur, "UPDATE ar_types SET i4[NULL] = 1", "22004", "must not be null")
        check_err(cur, "SELECT 1 = ANY (1)", "42809", "requires array on right side")
        conn.close()

        # rows on disk: the same lists after a restart
        ringnode.stop(proc)
        proc = ringnode.launch(RINGDB, d, port)
        conn = psycopg2.connect(host="127.0.0.1", port=port, user="postgres", dbname="postgres")
        conn.autocommit = True
        cur = conn.cursor()
        check_rows(cur, "lists after restart")
        check(cur, "SELECT count(*) FROM ar_keys WHERE k >= '{1}' AND k < '{2}'", [(3,)])
        check(cur, "SELECT j::text, ja::text, raw::text FROM ar_js",
              [('{"a": [true, null], "b": 1.50}', '{"{\\"x\\": 2, \\"y\\": 1}",NULL}', '{"b":1,  "a":2}')])
        conn.close()

        # binary format through libpq
        if LIBPQ:
            out = subprocess.run([LIBPQ, "host=127.0.0.1 port=%d user=postgres dbname=postgres" % port],
                                 capture_output=True, text=True, timeout=120)
            sys.stdout.write(out.stdout)
            T.ok(out.returncode == 0, "libpq_array failed:\n" + out.stdout + out.stderr)
    finally:
        ringnode.stop(proc)
        shutil.rmtree(d, ignore_errors=True)
    return T.report("test_arrays")


if __name__ == "__main__":
    sys.exit(main())
