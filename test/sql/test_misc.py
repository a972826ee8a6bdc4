#!/usr/bin/python3
"""Session and catalog odds and ends (issue #4) against a real build/ringdb:
inet_client_addr() / inet_client_port() / inet_server_addr() /
inet_server_port() over TCP (the addresses and ports of the connection) and
over the Unix socket (NULL, as PostgreSQL); the inet type's input and
output; pg_proc filled from the function registry with PostgreSQL 15's OIDs
(lower(text) 870, count(*) 2803, ...) so that psql's \\df and \\df+ and
JDBC's getFunctions query answer; pg_relation_size and friends giving the
store's approximate size of a table's and an index's key ranges (growing
with the rows, 0 for a view, NULL for no relation).

Usage: test_misc.py RINGDB
"""
import os
import subprocess
import sys

import psycopg2

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ringnode  # noqa: E402

RINGDB = sys.argv[1]
PORTS = range(43100, 43199)
T = ringnode.Checks()
ok = T.ok


def psql(d, port, *cmds, host="127.0.0.1"):
    args = ["psql", "-X", "-q", "-h", host, "-p", str(port), "-U", "postgres", "-d", "postgres",
            "-v", "ON_ERROR_STOP=1"]
    for c in cmds:
        args += ["-c", c]
    p = subprocess.run(args, capture_output=True, text=True, timeout=60,
                       env=dict(os.environ, LC_ALL="C", PGOPTIONS=""))
    return p.returncode, p.stdout, p.stderr


def libpq_binary(port):
    """inet results in binary, and inet parameters in binary, through
    libpq (ctypes): hex of the results, text of the parameters' round trip."""
    import ctypes
    pq = ctypes.CDLL("libpq.so.5")
    pq.PQconnectdb.restype = ctypes.c_void_p
    pq.PQexecParams.restype = ctypes.c_void_p
    pq.PQgetvalue.restype = ctypes.c_void_p
    pq.PQresultErrorField.restype = ctypes.c_char_p
    c = ctypes.c_void_p(pq.PQconnectdb(
        ("host=127.0.0.1 port=%d user=postgres dbname=postgres" % port).encode()))
    out = []
    for sql, param in [("SELECT '10.1.2.3/8'::inet", None), ("SELECT '::1'::inet", None),
                       ("SELECT $1::text", bytes([2, 24, 0, 4, 192, 168, 1, 0])),
                       ("SELECT $1::text", bytes([9, 24, 0, 4, 192, 168, 1, 0]))]:
        n = 1 if param else 0
        vals = (ctypes.c_char_p * 1)(param) if param else None
        lens = (ctypes.c_int * 1)(len(param)) if param else None
        fmts = (ctypes.c_int * 1)(1) if param else None
        types = (ctypes.c_uint * 1)(869) if param else None
        r = ctypes.c_void_p(pq.PQexecParams(c, sql.encode(), n, types, vals, lens, fmts,
                                            0 if param else 1))
        if pq.PQresultStatus(r) != 2:
            out.append("ERR " + pq.PQresultErrorField(r, ord("C")).decode())
        else:
            v = ctypes.string_at(pq.PQgetvalue(r, 0, 0), pq.PQgetlength(r, 0, 0))
            out.append(v.decode() if param else v.hex())
        pq.PQclear(r)
    pq.PQfinish(c)
    return out


def main():
    d, port, proc = ringnode.start(RINGDB, "misc-test-", PORTS)
    try:
        conn = psycopg2.connect(host="127.0.0.1", port=port, user="postgres", dbname="postgres")
        conn.autocommit = True
        cur = conn.cursor()

        # --- inet_* over TCP and over the Unix socket
        cur.execute("SELECT inet_client_addr(), inet_client_port(), inet_server_addr(), inet_server_port(),"
                    " pg_typeof(inet_client_addr())::text")
        ca, cp, sa, sp, ty = cur.fetchone()
        local = conn.info.backend_pid  # noqa: F841 (just a live session)
        ok((ca, sa, sp, ty) == ("127.0.0.1", "127.0.0.1", port, "inet"),
           "inet functions over TCP: %r" % ((ca, cp, sa, sp, ty),))
        ok(isinstance(cp, int) and cp > 0, "client port %r" % cp)
        u = psycopg2.connect(host=d, port=port, user="postgres", dbname="postgres")
        uc = u.cursor()
        uc.execute("SELECT inet_client_addr() IS NULL, inet_client_port() IS NULL,"
                   " inet_server_addr() IS NULL, inet_server_port() IS NULL")
        ok(uc.fetchone() == (True, True, True, True), "inet functions over a Unix socket are NULL")
        u.close()
        cur.execute("SELECT '10.1.2.3/8'::inet::text, '::1'::inet::text, '192.168.0.1/32'::inet::text,"
                    " '2001:DB8::0:1'::inet::text")
        # inet -> text is PG's network_show: always with the /bits
        ok(cur.fetchone() == ("10.1.2.3/8", "::1/128", "192.168.0.1/32", "2001:db8::1/128"), "inet output")
        for bad in ["x", "1.2.3.4/33", "1.2.3", "::1/129"]:
            try:
                cur.execute("SELECT %s::inet", (bad,))
                ok(False, "inet %r accepted" % bad)
            except psycopg2.Error as e:
                ok(e.pgcode == "22P02" and 'invalid input syntax for type inet: "%s"' % bad in e.pgerror,
                   "inet %r: %s %s" % (bad, e.pgcode, e.pgerror))

        # inet's binary form through libpq (PostgreSQL's inet_send / inet_recv)
        got = libpq_binary(port)
        ok(got == ["020800040a010203", "0380001000000000000000000000000000000001",
                   "192.168.1.0/24", "ERR 22P03"], "inet binary send / recv: %r" % got)

        # --- pg_proc
        cur.execute("SELECT oid, prokind, prorettype, proargtypes::text, pronargs, proretset FROM pg_proc"
                    " WHERE proname = 'lower' ORDER BY oid")
        ok(cur.fetchall() == [(870, "f", 25, "{25}", 1, False)], "pg_proc lower(text)")
        cur.execute("SELECT oid, pronargs FROM pg_proc WHERE proname = 'count' AND prokind = 'a' ORDER BY oid")
        ok(cur.fetchall() == [(2147, 1), (2803, 0)], "count's two aggregate rows")
        cur.execute("SELECT prokind FROM pg_proc WHERE proname = 'row_number'")
        ok(cur.fetchall() == [("w",)], "row_number is a window function")
        cur.execute("SELECT bool_and(proretset) FROM pg_proc WHERE proname = 'generate_series'")
        ok(cur.fetchone() == (True,), "generate_series returns a set")
        cur.execute("SELECT count(*), count(DISTINCT oid), count(*) FILTER (WHERE pronamespace <> 11)"
                    " FROM pg_proc")
        n, nd, other = cur.fetchone()
        ok(n > 300 and n == nd and other == 0, "pg_proc: %d rows, %d OIDs, %d outside pg_catalog" % (n, nd, other))
        cur.execute("SELECT pg_get_function_result(oid), pg_get_function_arguments(oid) FROM pg_proc"
                    " WHERE proname = 'substr' ORDER BY oid")
        ok(cur.fetchall() == [("text", "text, integer, integer"), ("text", "text, integer"),
                              ("bytea", "bytea, integer, integer"), ("bytea", "bytea, integer")],
           "substr's signatures")
        cur.execute("SELECT pg_get_function_result(2), pg_get_function_arguments(0)")
        ok(cur.fetchone() == (None, None), "no function: NULL")
        # JDBC's DatabaseMetaData.getFunctions
        cur.execute("""SELECT current_database() AS FUNCTION_CAT, n.nspname AS FUNCTION_SCHEM,
              p.proname AS FUNCTION_NAME, d.description AS REMARKS,
              CASE WHEN (format_type(p.prorettype, null) = 'unknown') THEN 0
                   WHEN (substring(pg_get_function_result(p.oid) from 0 for 6) = 'TABLE') OR
                        (substring(pg_get_function_result(p.oid) from 0 for 6) = 'SETOF') THEN 2
                   ELSE 1 END AS FUNCTION_TYPE,
              p.proname || '_' || p.oid AS SPECIFIC_NAME
            FROM pg_catalog.pg_proc p INNER JOIN pg_catalog.pg_namespace n ON p.pronamespace = n.oid
            LEFT JOIN pg_catalog.pg_description d ON p.oid = d.objoid
            WHERE pg_function_is_visible(p.oid) AND n.nspname LIKE 'pg_catalog'
              AND p.proname LIKE 'upper' ORDER BY FUNCTION_SCHEM, FUNCTION_NAME, p.oid::text""")
        ok(cur.fetchall() == [("postgres", "pg_catalog", "upper", "uppercase", 1, "upper_871")],
           "JDBC getFunctions('upper')")
        rc, out, err = psql(d, port, "\\df+ lower")
        lines = [l for l in out.splitlines() if "| lower " in l]
        ok(rc == 0 and len(lines) == 1 and "| text " in lines[0] and "| internal " in lines[0]
           and "| immutable " in lines[0] and lines[0].rstrip().endswith("| lowercase"),
           "\\df+ lower: %r %r" % (out, err))
        rc, out, err = psql(d, port, "\\df count")
        ok(rc == 0 and '"any"' in out and "| *" in out and "(2 rows)" in out, "\\df count: %r %r" % (out, err))
        rc, out, err = psql(d, port, "\\df")
        ok(rc == 0 and "(0 rows)" in out, "\\df (no user functions): %r %r" % (out, err))

        # --- sizes
        cur.execute("CREATE TABLE s (id int PRIMARY KEY, v text)")
        cur.execute("CREATE INDEX s_v ON s (v)")
        cur.execute("CREATE VIEW sv AS SELECT * FROM s")
        cur.execute("CREATE TABLE other (id int PRIMARY KEY)")
        cur.execute("INSERT INTO other SELECT generate_series(1, 20000)")
        cur.execute("SELECT pg_relation_size('s'), pg_total_relation_size('s')")
        ok(cur.fetchone() == (0, 0), "an empty table has no bytes (others' rows not counted)")
        cur.execute("INSERT INTO s SELECT g, md5(g::text) FROM generate_series(1, 10000) g")
        cur.execute("""SELECT pg_relation_size('s'), pg_table_size('s'), pg_indexes_size('s'),
                              pg_total_relation_size('s'::regclass), pg_relation_size('s_v'),
                              pg_relation_size('sv'), pg_relation_size(987654321),
                              pg_database_size('postgres'), pg_database_size(current_database()),
                              pg_size_pretty(pg_total_relation_size('s'))""")
        rel, tab, idx, tot, ix, view, none, db, db2, pretty = cur.fetchone()
        ok(10000 * 40 < rel < 10000 * 200, "pg_relation_size of 10,000 rows: %r" % rel)
        ok(tab == rel and 10000 * 40 < idx < 10000 * 200 and tot == rel + idx and ix == idx,
           "table / indexes / total: %r" % ((rel, tab, idx, tot, ix),))
        ok(view == 0 and none is None, "a view: 0, no relation: NULL (%r, %r)" % (view, none))
        ok(db >= tot and db == db2, "database size %r >= %r" % (db, tot))
        ok(pretty.endswith(" kB"), "pg_size_pretty: %r" % pretty)
        cur.execute("INSERT INTO s SELECT g, md5(g::text) FROM generate_series(10001, 20000) g")
        cur.execute("SELECT pg_relation_size('s')")
        ok(cur.fetchone()[0] > rel * 1.5, "the size grows with the rows")
        for q, code, msg in [("SELECT pg_relation_size('nope')", "42P01", 'relation "nope" does not exist'),
                             ("SELECT pg_database_size('nope')", "3D000", 'database "nope" does not exist')]:
            try:
                cur.execute(q)
                ok(False, "%s: no error" % q)
            except psycopg2.Error as e:
                ok(e.pgcode == code and msg in e.pgerror, "%s: %s %s" % (q, e.pgcode, e.pgerror))
        conn.close()
    finally:
        rc = ringnode.finish(T, "test_misc", proc, d)
    sys.exit(rc)


if __name__ == "__main__":
    main()
