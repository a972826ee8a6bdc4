#!/usr/bin/python3
"""The session's parse cache (src/exec/engine.c, parsed_get): a simple-query
string run again reuses its parse tree, and a query the event loop hands to
a worker is parsed once.  Only the grammar's tree is kept, so a repeated
string must still see every catalog change, every parameter and every
transaction state: these checks run the same strings across such changes,
through psycopg2 (which sends the simple query protocol).

Usage: test_parse_cache.py RINGDB
"""
import time

import test_sql
from test_sql import check, expect_error, q

test_sql.Server.PORTS = (40000 - 400, 40000 - 1)


def test_catalog_changes(srv):
    """The same SELECT text after ALTER, DROP/CREATE, and a view redefined."""
    c = srv.connect()
    c.autocommit = True
    sel = "SELECT * FROM pc ORDER BY 1"
    q(c, "CREATE TABLE pc (a int PRIMARY KEY, b text)")
    q(c, "INSERT INTO pc VALUES (1, 'x'), (2, 'y')")
    check(q(c, sel) == [(1, "x"), (2, "y")], "first run")
    q(c, "ALTER TABLE pc ADD COLUMN c int DEFAULT 7")
    check(q(c, sel) == [(1, "x", 7), (2, "y", 7)], "after ADD COLUMN: %r" % q(c, sel))
    q(c, "ALTER TABLE pc DROP COLUMN b")
    check(q(c, sel) == [(1, 7), (2, 7)], "after DROP COLUMN")
    q(c, "DROP TABLE pc")
    expect_error(c, sel, "42P01", 'relation "pc" does not exist')
    q(c, "CREATE TABLE pc (z text PRIMARY KEY)")
    q(c, "INSERT INTO pc VALUES ('only')")
    check(q(c, sel) == [("only",)], "after DROP and CREATE")
    # the same DDL text twice: parsed again, runs again
    for _ in range(2):
        q(c, "CREATE TABLE IF NOT EXISTS pc2 (a int)")
        q(c, "DROP TABLE pc2")
    # many distinct strings, then the first again (evicted, parsed anew)
    for i in range(40):
        check(q(c, "SELECT %d" % i) == [(i,)], "SELECT %d" % i)
    check(q(c, sel) == [("only",)], "after eviction")
    c.close()


def test_session_state(srv):
    """Repeated strings under SET, search_path, and failed/open blocks."""
    c = srv.connect()
    c.autocommit = True
    q(c, "CREATE SCHEMA s1")
    q(c, "CREATE TABLE s1.t (v text)")
    q(c, "CREATE TABLE public.t (v text)")
    q(c, "INSERT INTO s1.t VALUES ('s1')")
    q(c, "INSERT INTO public.t VALUES ('public')")
    sel = "SELECT v FROM t"
    check(q(c, sel) == [("public",)], "public first")
    q(c, "SET search_path = s1, public")
    check(q(c, sel) == [("s1",)], "search_path not applied to a repeated string")
    q(c, "SET search_path = public")
    check(q(c, sel) == [("public",)], "search_path back")
    # an error is not kept as a tree and keeps failing the same way
    for _ in range(3):
        expect_error(c, "SELEC 1", "42601", 'syntax error at or near "SELEC"', 1)
    # a repeated string inside a failed block is refused, then runs again
    c.autocommit = False
    q(c, "SELECT 1")
    expect_error(c, "SELECT 1/0", "22012")
    expect_error(c, "SELECT 1", "25P02")
    c.rollback()
    check(q(c, "SELECT 1") == [(1,)], "after rollback")
    c.rollback()
    c.autocommit = True
    # several statements in one string, twice; each run does all of them
    cur = c.cursor()
    for i in range(2):
        cur.execute("INSERT INTO public.t VALUES ('m'); INSERT INTO public.t VALUES ('m'); "
                    "SELECT count(*) FROM public.t WHERE v = 'm'")
        got = cur.fetchall()
        check(got == [(2 * (i + 1),)], "multi-statement run %d: %r" % (i, got))
    # a set-returning function in the select list (the binder rewrites it
    # into a FROM item: on a copy, never in the kept tree)
    for i in range(3):
        got = q(c, "SELECT generate_series(1, 3), 'x'")
        check(got == [(1, "x"), (2, "x"), (3, "x")], "SRF run %d: %r" % (i, got))
    # now() is evaluated per run, not kept with the tree
    a = q(c, "SELECT clock_timestamp()")[0][0]
    time.sleep(0.01)
    b = q(c, "SELECT clock_timestamp()")[0][0]
    check(b > a, "clock_timestamp() repeated the same value")
    c.close()


def test_copy_repeated(srv):
    """COPY FROM STDIN followed by another statement in the same string, twice:
    the rest of the string resumes after the data each time."""
    import io
    c = srv.connect()
    c.autocommit = True
    q(c, "CREATE TABLE cp (a int)")
    cur = c.cursor()
    for i in range(2):
        cur.copy_expert("COPY cp FROM STDIN", io.StringIO("1\n2\n3\n"))
    check(q(c, "SELECT count(*), sum(a) FROM cp") == [(6, 12)], "COPY twice")
    c.close()


def main():
    test_sql.run_tests([test_catalog_changes, test_session_state, test_copy_repeated])


if __name__ == "__main__":
    main()
