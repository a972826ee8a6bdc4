#!/usr/bin/python3
"""EXPLAIN and EXPLAIN ANALYZE (issue #4) against a real build/ringdb through
psycopg2: the plan shapes the planner must choose (a primary-key point lookup
and a key range use the primary key, joins show a join node, grouping, sorting
and limits show theirs), PostgreSQL's text layout, the options (COSTS OFF,
ANALYZE with TIMING OFF, FORMAT JSON), ANALYZE's row counts against the real
ones, and the errors.

Usage: test_explain.py RINGDB
"""
import ctypes
import re

import test_sql
from test_sql import check, expect_error, run_tests

test_sql.Server.PORTS = (40100, 40499)


def plan(cur, sql):
    cur.execute(sql)
    return [r[0] for r in cur.fetchall()]


def expect(cond, what, lines):
    check(cond, "%s\n    plan:\n      %s" % (what, "\n      ".join(lines)))


def has(lines, regex):
    return any(re.search(regex, l) for l in lines)


def actual_rows(lines, node_regex):
    """rows= and loops= of the first line matching node_regex."""
    for l in lines:
        if re.search(node_regex, l):
            m = re.search(r"actual (?:time=\S+ )?rows=(\d+) loops=(\d+)", l)
            if m:
                return int(m.group(1)), int(m.group(2))
    return None


def extended_explain(port, sql):
    """EXPLAIN through the extended protocol with libpq: Parse, Describe
    (the one column, its name and type), Bind/Execute; returns (column name,
    type oid, lines) or an error text."""
    pq = ctypes.CDLL("libpq.so.5")
    pq.PQconnectdb.restype = ctypes.c_void_p
    pq.PQprepare.restype = ctypes.c_void_p
    pq.PQdescribePrepared.restype = ctypes.c_void_p
    pq.PQexecPrepared.restype = ctypes.c_void_p
    pq.PQfname.restype = ctypes.c_char_p
    pq.PQgetvalue.restype = ctypes.c_char_p
    pq.PQresultErrorMessage.restype = ctypes.c_char_p
    for f in ("PQprepare", "PQdescribePrepared", "PQexecPrepared", "PQresultStatus", "PQnfields", "PQfname",
              "PQftype", "PQntuples", "PQgetvalue", "PQclear", "PQfinish", "PQresultErrorMessage"):
        getattr(pq, f).argtypes = None
    conn = pq.PQconnectdb(("host=127.0.0.1 port=%d user=postgres dbname=postgres" % port).encode())
    conn = ctypes.c_void_p(conn)
    try:
        r = ctypes.c_void_p(pq.PQprepare(conn, b"ex", sql.encode(), 0, None))
        if pq.PQresultStatus(r) != 1:  # PGRES_COMMAND_OK
            return pq.PQresultErrorMessage(r).decode()
        pq.PQclear(r)
        d = ctypes.c_void_p(pq.PQdescribePrepared(conn, b"ex"))
        if pq.PQnfields(d) != 1:
            return "describe: %d columns" % pq.PQnfields(d)
        name, oid = pq.PQfname(d, 0).decode(), pq.PQftype(d, 0)
        pq.PQclear(d)
        e = ctypes.c_void_p(pq.PQexecPrepared(conn, b"ex", 0, None, None, None, 0))
        if pq.PQresultStatus(e) != 2:  # PGRES_TUPLES_OK
            return pq.PQresultErrorMessage(e).decode()
        lines = [pq.PQgetvalue(e, i, 0).decode() for i in range(pq.PQntuples(e))]
        pq.PQclear(e)
        return name, oid, lines
    finally:
        pq.PQfinish(conn)


def test_explain(srv):
    conn = srv.connect()
    conn.autocommit = True
    cur = conn.cursor()
    cur.execute("CREATE TABLE ex_a (id int PRIMARY KEY, v int, name text)")
    cur.execute("CREATE TABLE ex_b (id int PRIMARY KEY, a_id int, w text)")
    cur.execute("CREATE TABLE ex_r (k bigint PRIMARY KEY, s text) PARTITION BY RANGE (k)")
    cur.execute("INSERT INTO ex_a SELECT g, g % 10, 'n' || g FROM generate_series(1, 100) g")
    cur.execute("INSERT INTO ex_b SELECT g, g % 100 + 1, 'w' FROM generate_series(1, 300) g")
    cur.execute("INSERT INTO ex_r SELECT g, 's' FROM generate_series(1, 1000) g")

    # point lookup by primary key
    p = plan(cur, "EXPLAIN SELECT * FROM ex_a WHERE id = 5")
    expect(re.match(r"Index Scan using ex_a_pkey on ex_a  \(cost=\d+\.\d\d\.\.\d+\.\d\d rows=1 width=\d+\)$",
                    p[0]), "point lookup uses the primary key", p)
    expect(p[1] == "  Index Cond: (id = 5)" and len(p) == 2, "point lookup's Index Cond", p)
    p = plan(cur, "EXPLAIN SELECT name FROM ex_a WHERE id = 5 AND v > 1")
    expect(p[0].startswith("Index Scan using ex_a_pkey on ex_a") and "  Filter: (v > 1)" in p,
           "point lookup with a residual Filter", p)
    # key ranges
    p = plan(cur, "EXPLAIN SELECT * FROM ex_a WHERE id BETWEEN 10 AND 20")
    expect(p[0].startswith("Index Scan using ex_a_pkey on ex_a") and
           "  Index Cond: ((id >= 10) AND (id <= 20))" in p, "integer range uses the primary key", p)
    p = plan(cur, "EXPLAIN SELECT * FROM ex_r WHERE k > 990")
    expect(p[0].startswith("Index Scan using ex_r_pkey on ex_r") and "  Index Cond: (k > 990)" in p,
           "open range on a range-partitioned table uses the key", p)
    # no usable key
    p = plan(cur, "EXPLAIN SELECT * FROM ex_a WHERE v = 3")
    expect(p[0].startswith("Seq Scan on ex_a  (cost=") and p[1] == "  Filter: (v = 3)",
           "a non-key condition is a Seq Scan with a Filter", p)
    # joins
    p = plan(cur, "EXPLAIN SELECT a.name, b.w FROM ex_a a JOIN ex_b b ON a.id = b.a_id")
    expect(p[0].startswith("Hash Join  (cost=") and "  Hash Cond: (a.id = b.a_id)" in p,
           "an equi-join is a Hash Join", p)
    expect(has(p, r"^  ->  Seq Scan on ex_a a  \(cost=") and has(p, r"^  ->  Hash  \(cost=") and
           has(p, r"^        ->  Seq Scan on ex_b b  \(cost="), "join children and indentation", p)
    p = plan(cur, "EXPLAIN (COSTS OFF) SELECT * FROM ex_a a LEFT JOIN ex_b b ON a.id = b.a_id")
    expect(p[0] == "Hash Left Join", "a LEFT JOIN is a Hash Left Join", p)
    p = plan(cur, "EXPLAIN (COSTS OFF) SELECT * FROM ex_a a JOIN ex_b b ON a.id < b.a_id")
    expect(p[0] == "Nested Loop" and "  Join Filter: (a.id < b.a_id)" in p,
           "a non-equi join is a Nested Loop with a Join Filter", p)
    p = plan(cur, "EXPLAIN (COSTS OFF) SELECT * FROM ex_a a, LATERAL (SELECT count(*) FROM ex_b b "
                  "WHERE b.a_id = a.id) s")
    expect(p[0] == "Nested Loop" and "  ->  Aggregate" in p and "              Filter: (b.a_id = a.id)" in p,
           "LATERAL is a Nested Loop over the subquery", p)
    # grouping, sorting, limits, set operations, subqueries
    p = plan(cur, "EXPLAIN (COSTS OFF) SELECT v, count(*) FROM ex_a GROUP BY v HAVING count(*) > 1 "
                  "ORDER BY v LIMIT 3")
    expect(p == ["Limit", "  ->  Sort", "        Sort Key: v", "        ->  HashAggregate",
                 "              Group Key: v", "              Filter: (count(*) > 1)",
                 "              ->  Seq Scan on ex_a"], "Limit / Sort / HashAggregate", p)
    p = plan(cur, "EXPLAIN (COSTS OFF) SELECT count(*), max(v) FROM ex_a")
    expect(p == ["Aggregate", "  ->  Seq Scan on ex_a"], "plain Aggregate", p)
    p = plan(cur, "EXPLAIN (COSTS OFF) SELECT name FROM ex_a ORDER BY v DESC, id")
    expect(p[0] == "Sort" and p[1] == "  Sort Key: v DESC, id", "Sort Key with DESC", p)
    p = plan(cur, "EXPLAIN (COSTS OFF) SELECT id FROM ex_a UNION ALL SELECT id FROM ex_b")
    expect(p[0] == "Append" and len([l for l in p if "Seq Scan" in l]) == 2, "UNION ALL is an Append", p)
    p = plan(cur, "EXPLAIN (COSTS OFF) SELECT * FROM ex_a a WHERE EXISTS "
                  "(SELECT 1 FROM ex_b b WHERE b.a_id > a.id)")
    expect("  Filter: (SubPlan 1)" in p and "  SubPlan 1" in p, "a correlated EXISTS is a SubPlan", p)
    p = plan(cur, "EXPLAIN (COSTS OFF) SELECT * FROM ex_a a WHERE EXISTS "
                  "(SELECT 1 FROM ex_b b WHERE b.a_id = a.id AND b.w = 'w')")
    expect(p[:2] == ["Hash Semi Join", "  Hash Cond: (a.id = b.a_id)"] and
           "              Filter: (b.w = 'w'::text)" in p, "EXISTS correlated by = is a Hash Semi Join", p)
    p = plan(cur, "EXPLAIN (COSTS OFF) SELECT * FROM ex_a a WHERE NOT EXISTS "
                  "(SELECT 1 FROM ex_b b WHERE b.a_id = a.id)")
    expect(p[0] == "Hash Anti Join", "NOT EXISTS correlated by = is a Hash Anti Join", p)
    p = plan(cur, "EXPLAIN (COSTS OFF) SELECT id, (SELECT count(*) FROM ex_b b WHERE b.a_id = a.id) FROM ex_a a")
    expect(p == ["Seq Scan on ex_a a", "  SubPlan 1", "    ->  HashAggregate", "          Group Key: a_id",
                 "          ->  Seq Scan on ex_b b"],
           "a scalar aggregate subquery correlated by = runs once, grouped", p)
    cur.execute("SELECT sum(c) FROM (SELECT (SELECT count(*) FROM ex_b b WHERE b.a_id = a.id) c FROM ex_a a) x")
    expect(cur.fetchone()[0] == 300, "the grouped subquery's counts", p)
    for neg in ("", "NOT "):
        cur.execute("SELECT count(*) FROM ex_a a WHERE %sEXISTS (SELECT 1 FROM ex_b b WHERE b.a_id = a.id "
                    "AND b.id < 50)" % neg)
        n = cur.fetchone()[0]
        p = plan(cur, "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) SELECT * FROM ex_a a WHERE %sEXISTS "
                      "(SELECT 1 FROM ex_b b WHERE b.a_id = a.id AND b.id < 50)" % neg)
        expect(actual_rows(p, r"^Hash (Semi|Anti) Join") == (n, 1) and n in (49, 51),
               "ANALYZE: %sEXISTS rows are the real count (%d)" % (neg, n), p)
    p = plan(cur, "EXPLAIN (COSTS OFF) WITH RECURSIVE r (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r "
                  "WHERE n < 5) SELECT * FROM r")
    expect(p[0] == "Recursive Union" and "  ->  WorkTable Scan on r" in p, "WITH RECURSIVE's plan", p)
    # DML
    p = plan(cur, "EXPLAIN (COSTS OFF) UPDATE ex_a SET v = 0 WHERE id = 7")
    expect(p[0] == "Update on ex_a" and p[1].startswith("  ->  Index Scan using ex_a_pkey on ex_a"),
           "UPDATE by key", p)
    cur.execute("SELECT v FROM ex_a WHERE id = 7")
    expect(cur.fetchone()[0] == 7, "EXPLAIN without ANALYZE does not run the UPDATE", p)

    # ANALYZE: the real row counts
    p = plan(cur, "EXPLAIN ANALYZE SELECT * FROM ex_a WHERE v = 3")
    expect(re.match(r"Seq Scan on ex_a  \(cost=\S+ rows=\d+ width=\d+\) \(actual time=\d+\.\d{3}\.\.\d+\.\d{3} "
                    r"rows=10 loops=1\)$", p[0]), "ANALYZE: rows of a filtered scan", p)
    expect(re.match(r"Planning Time: \d+\.\d{3} ms$", p[-2]) and re.match(r"Execution Time: \d+\.\d{3} ms$", p[-1]),
           "ANALYZE: Planning Time and Execution Time", p)
    cur.execute("SELECT count(*) FROM ex_a a JOIN ex_b b ON a.id = b.a_id WHERE a.v = 1")
    njoin = cur.fetchone()[0]
    p = plan(cur, "EXPLAIN (ANALYZE, TIMING OFF, COSTS OFF) SELECT a.name FROM ex_a a JOIN ex_b b "
                  "ON a.id = b.a_id WHERE a.v = 1")
    expect(p[0] == "Hash Join (actual rows=%d loops=1)" % njoin, "ANALYZE: join rows are the real count", p)
    expect(actual_rows(p, r"Seq Scan on ex_a a") == (10, 1) and actual_rows(p, r"Seq Scan on ex_b b") == (300, 1),
           "ANALYZE: rows of each join input", p)
    expect(not has(p, r"time=") and not has(p, r"cost="), "TIMING OFF and COSTS OFF leave them out", p)
    p = plan(cur, "EXPLAIN (ANALYZE, TIMING OFF, COSTS OFF) SELECT * FROM ex_a a, LATERAL "
                  "(SELECT count(*) FROM ex_b b WHERE b.a_id = a.id) s WHERE a.id <= 4")
    expect(actual_rows(p, r"^Nested Loop") == (4, 1) and actual_rows(p, r"->  Aggregate") == (1, 4),
           "ANALYZE: the LATERAL side runs once per outer row (loops=4)", p)
    p = plan(cur, "EXPLAIN (ANALYZE, TIMING OFF, COSTS OFF) SELECT v, count(*) FROM ex_a GROUP BY v "
                  "ORDER BY v LIMIT 3")
    expect(actual_rows(p, r"^Limit") == (3, 1) and actual_rows(p, r"HashAggregate") == (10, 1) and
           actual_rows(p, r"Seq Scan on ex_a") == (100, 1), "ANALYZE: Limit / HashAggregate / scan rows", p)
    p = plan(cur, "EXPLAIN (ANALYZE, TIMING OFF, COSTS OFF) WITH RECURSIVE r (n) AS (SELECT 1 UNION ALL "
                  "SELECT n + 1 FROM r WHERE n < 5) SELECT * FROM r")
    expect(actual_rows(p, r"^Recursive Union") == (5, 1) and actual_rows(p, r"WorkTable Scan") == (1, 5),
           "ANALYZE: a recursive union's rounds are the WorkTable's loops", p)
    p = plan(cur, "EXPLAIN (ANALYZE, TIMING OFF, COSTS OFF) SELECT * FROM ex_a WHERE v = 3")
    expect("  Rows Removed by Filter: 90" in p, "ANALYZE: rows the Filter removed", p)
    p = plan(cur, "EXPLAIN (VERBOSE, COSTS OFF) SELECT name, v + 1 FROM ex_a WHERE v = 3 ORDER BY name")
    expect(p[:3] == ["Sort", "  Output: name, (v + 1)", "  Sort Key: name"] and
           "        Output: name, (v + 1)" in p, "VERBOSE: Output lists", p)
    p = plan(cur, "EXPLAIN (ANALYZE, TIMING OFF, COSTS OFF) SELECT * FROM ex_a WHERE v = 100")
    expect(actual_rows(p, r"Seq Scan") == (0, 1), "ANALYZE: no rows", p)
    p = plan(cur, "EXPLAIN (ANALYZE, COSTS OFF) UPDATE ex_a SET v = 0 WHERE id = 7")
    expect(p[0].startswith("Update on ex_a (actual"), "ANALYZE of an UPDATE", p)
    cur.execute("SELECT v FROM ex_a WHERE id = 7")
    expect(cur.fetchone()[0] == 0, "EXPLAIN ANALYZE runs the UPDATE", p)
    p = plan(cur, "EXPLAIN (ANALYZE, SUMMARY OFF, TIMING OFF) SELECT 1")
    expect(not has(p, "Time:"), "SUMMARY OFF", p)

    # FORMAT JSON (the column is json: psycopg2 decodes it)
    cur.execute("EXPLAIN (FORMAT JSON) SELECT a.name FROM ex_a a JOIN ex_b b ON a.id = b.a_id WHERE a.id = 3")
    rows = cur.fetchall()
    doc = rows[0][0]
    top = doc[0]["Plan"] if isinstance(doc, list) and doc else {}
    lines = [repr(doc)]
    expect(len(rows) == 1 and top.get("Node Type") == "Hash Join" and top.get("Join Type") == "Inner" and
           top.get("Hash Cond") == "(a.id = b.a_id)" and isinstance(top.get("Total Cost"), float) and
           isinstance(top.get("Plan Rows"), int), "FORMAT JSON: the top node", lines)
    kids = top.get("Plans", [])
    expect(len(kids) == 2 and kids[0].get("Node Type") == "Index Scan" and
           kids[0].get("Index Name") == "ex_a_pkey" and kids[0].get("Relation Name") == "ex_a" and
           kids[0].get("Alias") == "a" and kids[0].get("Index Cond") == "(a.id = 3)" and
           kids[1].get("Node Type") == "Hash" and kids[1]["Plans"][0].get("Relation Name") == "ex_b",
           "FORMAT JSON: children", lines)
    cur.execute("EXPLAIN (ANALYZE, FORMAT JSON) SELECT * FROM ex_a WHERE v = 3")
    doc = cur.fetchone()[0]
    lines = [repr(doc)]
    expect(doc[0]["Plan"].get("Actual Rows") == 10 and doc[0]["Plan"].get("Actual Loops") == 1 and
           "Actual Total Time" in doc[0]["Plan"] and "Execution Time" in doc[0] and
           "Planning Time" in doc[0], "FORMAT JSON with ANALYZE", lines)

    # the extended protocol: Describe gives the one column, Execute the plan
    got = extended_explain(srv.port, "EXPLAIN (COSTS OFF) SELECT * FROM ex_a WHERE id = 5")
    expect(got == ("QUERY PLAN", 25, ["Index Scan using ex_a_pkey on ex_a", "  Index Cond: (id = 5)"]),
           "EXPLAIN through Parse/Describe/Execute", [repr(got)])
    got = extended_explain(srv.port, "EXPLAIN (FORMAT JSON) SELECT 1")
    expect(isinstance(got, tuple) and got[1] == 114 and len(got[2]) == 1, "FORMAT JSON's column is json",
           [repr(got)])

    # errors
    expect_error(conn, "EXPLAIN (TIMING) SELECT 1", "22023", "EXPLAIN option TIMING requires ANALYZE")
    expect_error(conn, "EXPLAIN (FOO) SELECT 1", "42601", 'unrecognized EXPLAIN option "foo"')
    expect_error(conn, "EXPLAIN (FORMAT XML2) SELECT 1", "22023", 'unrecognized value for EXPLAIN option "format"')
    expect_error(conn, "EXPLAIN SELECT * FROM ex_nosuch", "42P01", 'relation "ex_nosuch" does not exist')
    # the connection still works, and a failed EXPLAIN in a block aborts it as PostgreSQL does
    p = plan(cur, "EXPLAIN (COSTS OFF) SELECT 1")
    expect(p == ["Result"], "SELECT without FROM is a Result", p)
    cur.execute("DROP TABLE ex_a, ex_b, ex_r")
    conn.close()


if __name__ == "__main__":
    run_tests([test_explain])
