#!/usr/bin/python3
"""Regression checks for SQL engine correctness bugs of issue #4 (found by the
random-query test and the regression suite), each compared by hand with
PostgreSQL 15: a real build/ringdb driven by psycopg2.

Usage: test_fixes.py RINGDB
"""
import test_sql
from test_sql import check, expect_error, q

test_sql.Server.PORTS = (37500, 37999)


def table_rows(c, name):
    return q(c, "SELECT * FROM %s ORDER BY 1" % name)


def test_atomicity(srv):
    """A statement that fails part-way leaves its table unchanged, in
    autocommit and inside a block (then failed, 25P02, ROLLBACK restores)."""
    c = srv.connect()
    c.autocommit = True
    q(c, "CREATE TABLE at (a int PRIMARY KEY, b int)")
    q(c, "INSERT INTO at VALUES (1, 1), (2, 2), (3, 0), (4, 4)")
    before = table_rows(c, "at")
    for sql, state in [("DELETE FROM at WHERE 10 / b > 1", "22012"),
                       ("DELETE FROM at WHERE a < 4 RETURNING 10 / b", "22012"),
                       ("UPDATE at SET b = 10 / b", "22012"),
                       ("UPDATE at SET a = a + 1", "23505"),
                       ("INSERT INTO at VALUES (10, 1), (11, 1), (1, 1)", "23505"),
                       ("INSERT INTO at SELECT a + 100, 10 / b FROM at", "22012")]:
        expect_error(c, sql, state)
        check(table_rows(c, "at") == before, "autocommit %r changed the table" % sql)
        c.autocommit = False
        expect_error(c, sql, state)
        expect_error(c, "SELECT 1", "25P02", "current transaction is aborted")
        c.rollback()
        c.autocommit = True
        check(table_rows(c, "at") == before, "block with %r changed the table" % sql)
    # a block's earlier work survives until its ROLLBACK, then is gone too
    c.autocommit = False
    q(c, "INSERT INTO at VALUES (50, 5)")
    expect_error(c, "DELETE FROM at WHERE 10 / b > 1", "22012")
    c.rollback()
    c.autocommit = True
    check(table_rows(c, "at") == before, "ROLLBACK after a failed DELETE did not restore")
    c.close()


def test_statement_snapshot(srv):
    """INSERT ... SELECT from its own table reads the rows as they were when
    the statement began (found by randomq: count(*) saw the new rows, and a
    self-insert hit its own rows with 23505)."""
    c = srv.connect()
    c.autocommit = True
    q(c, "CREATE TABLE ss (a int PRIMARY KEY, b int)")
    q(c, "INSERT INTO ss VALUES (1, 1), (2, 2)")
    q(c, "INSERT INTO ss SELECT a + 10, (SELECT count(*) FROM ss x WHERE x.a > s.a - 100) FROM ss s")
    check(table_rows(c, "ss") == [(1, 1), (2, 2), (11, 2), (12, 2)],
          "INSERT ... SELECT saw its own rows: %r" % table_rows(c, "ss"))
    q(c, "INSERT INTO ss SELECT a + 100, b FROM ss")
    check(q(c, "SELECT count(*) FROM ss") == [(8,)], "self-insert doubled wrongly")
    q(c, "CREATE TABLE sn (a int, b text)")   # no primary key
    q(c, "INSERT INTO sn VALUES (1, 'x'), (2, 'y')")
    q(c, "INSERT INTO sn SELECT (SELECT count(*) FROM sn x WHERE x.b = s.b OR true), 'z' FROM sn s")
    got = q(c, "SELECT a, b FROM sn ORDER BY b, a")
    check(got == [(1, "x"), (2, "y"), (2, "z"), (2, "z")], "INSERT ... SELECT without a key: %r" % got)
    # UPDATE: every SET subquery sees the rows as they were before it
    q(c, "CREATE TABLE su (a int PRIMARY KEY, b int)")
    q(c, "INSERT INTO su VALUES (1, 1), (2, 2), (3, 4)")
    q(c, "UPDATE su SET b = (SELECT sum(b) FROM su x WHERE x.a <> su.a)")
    got = table_rows(c, "su")
    check(got == [(1, 6), (2, 5), (3, 3)], "UPDATE's subquery saw its own writes: %r" % got)
    c.close()


def test_null_order(srv):
    """NULLs sort as in PostgreSQL: last for ASC, first for DESC; NULLS
    FIRST/LAST honoured, in ORDER BY and in an aggregate's ORDER BY."""
    c = srv.connect()
    c.autocommit = True
    q(c, "CREATE TABLE nu (a int PRIMARY KEY, b int)")
    q(c, "INSERT INTO nu VALUES (1, NULL), (2, 3), (3, NULL), (4, 1)")
    cases = [("ORDER BY b, a", [4, 2, 1, 3]),
             ("ORDER BY b DESC, a", [1, 3, 2, 4]),
             ("ORDER BY b DESC NULLS LAST, a", [2, 4, 1, 3]),
             ("ORDER BY b NULLS FIRST, a", [1, 3, 4, 2]),
             ("ORDER BY b DESC, a LIMIT 3", [1, 3, 2])]
    for order, want in cases:
        got = [r[0] for r in q(c, "SELECT a FROM nu " + order)]
        check(got == want, "%s: %r, wanted %r" % (order, got, want))
    agg = [("b DESC", "N,N,3,1"), ("b", "1,3,N,N"), ("b DESC NULLS LAST", "3,1,N,N"),
           ("b NULLS FIRST", "N,N,1,3")]
    for order, want in agg:
        got = q(c, "SELECT string_agg(coalesce(b::text, 'N'), ',' ORDER BY %s) FROM nu" % order)
        check(got == [(want,)], "string_agg ORDER BY %s: %r, wanted %r" % (order, got, want))
    c.close()


def test_common_type(srv):
    """A UNION / CASE / COALESCE column keeps its inputs' typmod only when
    all have it (PG's select_common_typmod; found by randomq), and a CASE
    is named after its ELSE's column or function (PG's FigureColname)."""
    c = srv.connect()
    c.autocommit = True
    q(c, "CREATE TABLE tm (a int PRIMARY KEY, n numeric(10,2))")
    q(c, "INSERT INTO tm VALUES (1, 1.5)")
    cur = c.cursor()
    for sql, want in [("SELECT sum(0) FROM tm UNION ALL SELECT n FROM tm ORDER BY 1", ["0", "1.50"]),
                      ("SELECT n FROM tm UNION ALL SELECT n FROM tm", ["1.50", "1.50"]),
                      ("SELECT coalesce(n, 0) FROM tm", ["1.50"]),
                      ("SELECT CASE WHEN a > 1 THEN n ELSE 2 END FROM tm", ["2"])]:
        cur.execute(sql.replace("SELECT ", "SELECT (", 1).replace(" FROM", ")::text FROM", 1)
                    if "UNION" not in sql else "SELECT x::text FROM (%s) s(x)" % sql)
        got = [r[0] for r in cur.fetchall()]
        check(got == want, "%s: %r, wanted %r" % (sql, got, want))
    cur.execute("SELECT CASE WHEN a > 0 THEN n ELSE a END, CASE WHEN true THEN 1 ELSE 2 END, "
                "CASE WHEN true THEN 'x' ELSE lower('a') END, CASE WHEN true THEN 1 END FROM tm")
    names = [d[0] for d in cur.description]
    check(names == ["a", "case", "lower", "case"], "CASE column names %r" % names)
    c.close()


def test_on_conflict_arbiter(srv):
    """ON CONFLICT (cols) / ON CONSTRAINT skips only the arbiter's conflict:
    another unique index's raises 23505 (regress/constraints)."""
    c = srv.connect()
    c.autocommit = True
    q(c, "CREATE TABLE oc (id int PRIMARY KEY, email text UNIQUE, k int, l int, UNIQUE (k, l))")
    q(c, "INSERT INTO oc VALUES (1, 'a', 1, 1)")
    for sql, state in [("INSERT INTO oc VALUES (1, 'b', 2, 2) ON CONFLICT (id) DO NOTHING", None),
                       ("INSERT INTO oc VALUES (2, 'a', 3, 3) ON CONFLICT (id) DO NOTHING", "23505"),
                       ("INSERT INTO oc VALUES (2, 'a', 3, 3) ON CONFLICT (email) DO NOTHING", None),
                       ("INSERT INTO oc VALUES (1, 'c', 4, 4) ON CONFLICT (email) DO NOTHING", "23505"),
                       ("INSERT INTO oc VALUES (5, 'e', 1, 1) ON CONFLICT (l, k) DO NOTHING", None),
                       ("INSERT INTO oc VALUES (5, 'e', 1, 1) ON CONFLICT ON CONSTRAINT oc_pkey DO NOTHING",
                        "23505"),
                       ("INSERT INTO oc VALUES (6, 'a', 1, 1) ON CONFLICT ON CONSTRAINT nosuch DO NOTHING",
                        "42704"),
                       ("INSERT INTO oc VALUES (6, 'a', 1, 1) ON CONFLICT (k) DO NOTHING", "42P10"),
                       ("INSERT INTO oc VALUES (6, 'a', 1, 1) ON CONFLICT (nosuch) DO NOTHING", "42703"),
                       ("INSERT INTO oc VALUES (6, 'a', 1, 1) ON CONFLICT DO NOTHING", None)]:
        if state:
            expect_error(c, sql, state)
        else:
            q(c, sql)
    got = table_rows(c, "oc")
    check(got == [(1, "a", 1, 1)], "ON CONFLICT left %r" % got)
    c.close()


def test_distinct_on_order(srv):
    """DISTINCT ON keys must match the leading ORDER BY keys (42P10 at the
    DISTINCT ON expression), as PostgreSQL's transformDistinctOnClause."""
    c = srv.connect()
    c.autocommit = True
    q(c, "CREATE TABLE di (a int, b text, c int)")
    q(c, "INSERT INTO di VALUES (1, 'x', 1), (2, 'x', 2), (NULL, 'y', 3), (1, 'z', 4)")
    for sql, pos in [("SELECT DISTINCT ON (a) a, b FROM di ORDER BY b", 21),
                     ("SELECT DISTINCT ON (a, b) a, b FROM di ORDER BY b, c, a", 21),
                     ("SELECT DISTINCT ON (a, b) a, b FROM di ORDER BY b, c", 21),
                     ("SELECT DISTINCT ON (1) a, b FROM di ORDER BY b", 21)]:
        expect_error(c, sql, "42P10", "must match initial ORDER BY expressions", pos)
    for sql, want in [("SELECT DISTINCT ON (a) a, b FROM di ORDER BY a, b", [(1, "x"), (2, "x"), (None, "y")]),
                      ("SELECT DISTINCT ON (b) a, b FROM di ORDER BY b, a", [(1, "x"), (None, "y"), (1, "z")]),
                      ("SELECT DISTINCT ON (a, b) b, a FROM di ORDER BY b, a, c",
                       [("x", 1), ("x", 2), ("y", None), ("z", 1)])]:
        got = q(c, sql)
        check(got == want, "%s: %r, wanted %r" % (sql, got, want))
    c.close()


def test_coerce_position(srv):
    """A literal that cannot take the CASE / COALESCE / GREATEST type is
    reported at its own position (regress/case_coalesce)."""
    c = srv.connect()
    c.autocommit = True
    for sql, pos in [("SELECT CASE WHEN true THEN 1 ELSE 'x' END", 35),
                     ("SELECT CASE WHEN true THEN 'x' ELSE 1 END", 28),
                     ("SELECT coalesce(1, 'x')", 20),
                     ("SELECT greatest(1, 'x')", 20)]:
        expect_error(c, sql, "22P02", 'invalid input syntax for type integer: "x"', pos)
    c.close()


def main():
    test_sql.run_tests([test_atomicity, test_statement_snapshot, test_null_order, test_common_type,
             test_on_conflict_arbiter, test_distinct_on_order, test_coerce_position])


if __name__ == "__main__":
    main()
