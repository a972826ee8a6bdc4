#!/usr/bin/python3
"""Parallel scans on one node (exec/parallel.h) against a real build/ringdb:
an aggregate or a top-N over a full scan of a big hash-partitioned table
runs as token slices on threads.  Checked here:

- EXPLAIN's shape, as PostgreSQL's: Finalize Aggregate / Gather (Workers
  Planned: 2) / Partial Aggregate / Parallel Seq Scan; Finalize
  HashAggregate with its Group Key; Limit / Gather Merge / Sort; hash
  joins probed by the sliced scan, each slice building the small sides; a
  RIGHT JOIN, a small table, max_parallel_workers_per_gather = 0, a volatile function or a
  DISTINCT aggregate stay serial; EXPLAIN ANALYZE says Workers Launched: 0
  (it runs serially, its counters are per node);
- results equal the serial run's (max_parallel_workers_per_gather = 0),
  row for row and in the same order: numeric sums and averages, min/max of
  text, groups, filters, top-N with ties and OFFSET, rows inserted but not
  committed in the same transaction block;
- an error in one slice is the serial run's error (22012), and the session
  goes on;
- statement_timeout and a cancel request stop a parallel scan promptly
  with 57014, and the session goes on.

Usage: test_parallel.py RINGDB        (ports 41500-41599)
"""
import os
import shutil
import sys
import threading
import time

import psycopg2

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ringnode  # noqa: E402

RINGDB = sys.argv[1]
PORTS = range(41500, 41599)
NROWS = 200000
failures = []
checks = 0


def ok(cond, what):
    global checks
    checks += 1
    if not cond:
        failures.append(what)


def plan(cur, q):
    cur.execute("RESET max_parallel_workers_per_gather")
    cur.execute("EXPLAIN (COSTS OFF) " + q)
    return [r[0].strip().replace("->  ", "") for r in cur.fetchall()]


def rows(cur, q, workers, args=None):
    cur.execute("SET max_parallel_workers_per_gather = %d" % workers)
    cur.execute(q, args)
    return cur.fetchall()


def sqlstate_of(cur, q):
    try:
        cur.execute(q)
        cur.fetchall()
        return None
    except psycopg2.Error as e:
        return e.pgcode


def main():
    d, port, proc = ringnode.start(RINGDB, "parallel-test-", PORTS)
    try:
        conn = psycopg2.connect(host="127.0.0.1", port=port, user="postgres", dbname="postgres")
        conn.autocommit = True
        cur = conn.cursor()
        cur.execute("CREATE TABLE big (id integer PRIMARY KEY, grp integer NOT NULL, val numeric(12,2),"
                    " pad text, flag boolean)")
        cur.execute("INSERT INTO big SELECT g, g % 97, (g * 7919 % 1000003) / 100.0, 'pad-' || (g % 1000),"
                    " g % 3 = 0 FROM generate_series(1, " + str(NROWS) + ") g")
        cur.execute("CREATE TABLE small (id integer PRIMARY KEY, val numeric)")
        cur.execute("INSERT INTO small SELECT g, g FROM generate_series(1, 1000) g")
        cur.execute("CREATE TABLE dim (id integer PRIMARY KEY, name text)")
        cur.execute("INSERT INTO dim SELECT g, 'name-' || (g % 13) FROM generate_series(0, 80) g")

        # EXPLAIN: PostgreSQL's shape
        agg = "SELECT count(*), sum(val), avg(val) FROM big"
        ok(plan(cur, agg) == ["Finalize Aggregate", "Gather", "Workers Planned: 2", "Partial Aggregate",
                              "Parallel Seq Scan on big"], "EXPLAIN of the aggregate: %r" % plan(cur, agg))
        grouped = "SELECT grp, count(*), sum(val) FROM big WHERE id % 5 <> 0 GROUP BY grp"
        ok(plan(cur, grouped) == ["Finalize HashAggregate", "Group Key: grp", "Gather", "Workers Planned: 2",
                                  "Partial HashAggregate", "Group Key: grp", "Parallel Seq Scan on big",
                                  "Filter: ((id % 5) <> 0)"], "EXPLAIN grouped: %r" % plan(cur, grouped))
        topn = "SELECT * FROM big ORDER BY val DESC LIMIT 10"
        ok(plan(cur, topn) == ["Limit", "Gather Merge", "Workers Planned: 2", "Sort", "Sort Key: val DESC",
                               "Parallel Seq Scan on big"], "EXPLAIN top-N: %r" % plan(cur, topn))
        join = ("SELECT d.name, count(*), sum(b.val) FROM big b JOIN dim d ON d.id = b.grp"
                " JOIN small s ON s.id = b.id % 1000 + 1 GROUP BY d.name ORDER BY 1")
        ok(plan(cur, join) == ["Sort", "Sort Key: d.name", "Finalize HashAggregate", "Group Key: d.name",
                               "Gather", "Workers Planned: 2", "Partial HashAggregate", "Group Key: d.name",
                               "Hash Join", "Hash Cond: (((b.id % 1000) + 1) = s.id)", "Hash Join",
                               "Hash Cond: (b.grp = d.id)", "Parallel Seq Scan on big b", "Hash",
                               "Seq Scan on dim d", "Hash", "Seq Scan on small s"],
           "EXPLAIN of a join: %r" % plan(cur, join))
        for q in ["SELECT count(*), sum(val) FROM small", "SELECT count(DISTINCT grp) FROM big",
                  "SELECT d.name, count(b.id) FROM big b RIGHT JOIN dim d ON d.id = b.grp GROUP BY d.name",
                  "SELECT sum(val * random()) FROM big", "SELECT string_agg(pad, ',') FROM big"]:
            ok(not any("Gather" in l for l in plan(cur, q)), "serial plan expected: %s: %r" % (q, plan(cur, q)))
        cur.execute("SET max_parallel_workers_per_gather = 0")
        cur.execute("EXPLAIN (COSTS OFF) " + agg)
        got = [r[0].strip().replace("->  ", "") for r in cur.fetchall()]
        ok(got == ["Aggregate", "Seq Scan on big"], "workers 0: %r" % got)
        cur.execute("RESET max_parallel_workers_per_gather")
        cur.execute("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) " + agg)
        lines = [r[0].strip() for r in cur.fetchall()]
        ok("Workers Launched: 0" in lines and lines[0].startswith("Finalize Aggregate (actual rows=1 loops=1)"),
           "EXPLAIN ANALYZE: %r" % lines)
        cur.execute("EXPLAIN (FORMAT JSON, COSTS OFF) " + agg)
        j = cur.fetchone()[0][0]["Plan"]
        ok(j.get("Partial Mode") == "Finalize" and j["Plans"][0]["Node Type"] == "Gather" and
           j["Plans"][0]["Plans"][0]["Plans"][0].get("Parallel Aware") is True, "JSON plan: %r" % j)

        # results equal the serial run's, in order
        queries = [
            agg,
            "SELECT count(*), sum(val), avg(val), min(val), max(val), min(pad), max(pad), bool_and(flag),"
            " bool_or(flag), count(flag) FILTER (WHERE flag) FROM big",
            grouped,
            "SELECT grp, pad, count(*), avg(val), max(id) FROM big WHERE val > 5000 GROUP BY grp, pad",
            "SELECT sum(val), count(*) FROM big WHERE id < 0",
            "SELECT count(*) FROM big GROUP BY grp HAVING count(*) > 2000",
            topn,
            "SELECT id, grp FROM big ORDER BY grp, pad LIMIT 50",
            "SELECT id, grp, pad FROM big ORDER BY pad DESC LIMIT 25 OFFSET 7",
            "SELECT grp FROM big ORDER BY grp LIMIT 3000",
            "SELECT id * 2, upper(pad) FROM big WHERE flag ORDER BY val LIMIT 5",
            join,
            "SELECT d.name, b.grp, count(*), max(b.pad) FROM big b LEFT JOIN dim d ON d.id = b.grp"
            " GROUP BY d.name, b.grp",
            "SELECT b.id, d.name FROM big b JOIN dim d ON d.id = b.grp ORDER BY d.name DESC, b.val LIMIT 20",
        ]
        for q in queries:
            par = plan(cur, q)
            ok(any("Gather" in l for l in par), "parallel plan expected: %s: %r" % (q, par))
            a, b = rows(cur, q, 2), rows(cur, q, 0)
            ok(a == b and len(a) > 0, "parallel result differs from serial: %s\n  %r\n  %r" % (q, a[:5], b[:5]))
        cur.execute("RESET max_parallel_workers_per_gather")

        # writes not yet committed are seen by every slice
        conn.autocommit = False
        cur.execute("INSERT INTO big SELECT g, 1000, 1.25, 'new', true FROM generate_series(%d, %d) g"
                    % (NROWS + 1, NROWS + 300))
        cur.execute("SELECT count(*), sum(val) FROM big WHERE grp = 1000")
        ok(cur.fetchone() == (300, 375), "uncommitted rows in a parallel aggregate")
        cur.execute("SELECT id FROM big ORDER BY grp DESC, id LIMIT 3")
        ok(cur.fetchall() == [(NROWS + 1,), (NROWS + 2,), (NROWS + 3,)], "uncommitted rows in a parallel top-N")
        conn.rollback()
        conn.autocommit = True

        # an error in a slice is the serial one
        q = "SELECT sum(1 / (id - 150000)) FROM big"
        ok(sqlstate_of(cur, q) == "22012", "division by zero in a slice")
        cur.execute("SELECT 1")
        ok(cur.fetchone() == (1,), "session after an error in a slice")

        # statement_timeout stops every slice
        slow = "SELECT max(md5(md5(md5(pad || id)))), sum(val * val) FROM big WHERE md5(pad) <> md5(id::text)"
        ok(any("Gather" in l for l in plan(cur, slow)), "the slow query is parallel: %r" % plan(cur, slow))
        cur.execute("SET statement_timeout = '200ms'")
        t0 = time.time()
        st = sqlstate_of(cur, slow)
        took = time.time() - t0
        ok(st == "57014", "statement_timeout in a parallel scan: %r" % st)
        ok(took < 10, "statement_timeout took %.1fs" % took)
        cur.execute("RESET statement_timeout")

        # a cancel request too
        def cancel_soon():
            time.sleep(0.3)
            conn.cancel()
        th = threading.Thread(target=cancel_soon)
        th.start()
        t0 = time.time()
        st = sqlstate_of(cur, slow)
        took = time.time() - t0
        th.join()
        ok(st == "57014", "cancel of a parallel scan: %r" % st)
        ok(took < 10, "cancel took %.1fs" % took)
        cur.execute("SELECT count(*) FROM big")
        ok(cur.fetchone() == (NROWS,), "session after cancel")
        conn.close()
    finally:
        proc.terminate()
        proc.wait()
        if not failures:
            shutil.rmtree(d, ignore_errors=True)
    if proc.returncode not in (0, -15):
        failures.append("ringdb exited with %s" % proc.returncode)
    for f in failures:
        print("FAIL:", f)
    print("%d checks, %d failed" % (checks, len(failures)))
    sys.exit(1 if failures else 0)


main()
