#!/usr/bin/python3
"""Window functions (issue #4) against a real build/ringdb: each function's
results as literal expected rows (values worked out by hand and checked
against PostgreSQL's definitions), frames, named windows, several windows,
window calls in ORDER BY, and the SQLSTATEs of the errors.

Usage: test_window.py RINGDB
"""
import os
import shutil
import sys
from decimal import Decimal

import psycopg2

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ringnode  # noqa: E402

RINGDB = sys.argv[1]
PORTS = range(37100, 37499, 3)
T = ringnode.Checks()
check, check_err = T.check, T.check_err


def start():
    return ringnode.start(RINGDB, "window-test-", PORTS)


def main():
    d, port, proc = start()
    try:
        conn = psycopg2.connect(host="127.0.0.1", port=port, user="postgres", dbname="postgres")
        conn.autocommit = True
        cur = conn.cursor()
        cur.execute("create table t (id int primary key, g int, v int)")
        cur.execute("insert into t values (1,1,10),(2,1,20),(3,1,20),(4,2,5),(5,2,null),(6,3,7)")
        w = " from t window w as (partition by g order by v, id) order by id"
        check(cur, "select id, row_number() over w" + w, [(1, 1), (2, 2), (3, 3), (4, 1), (5, 2), (6, 1)])
        pw = " from t window w as (partition by g order by v) order by id"
        check(cur, "select id, rank() over w, dense_rank() over w" + pw,
              [(1, 1, 1), (2, 2, 2), (3, 2, 2), (4, 1, 1), (5, 2, 2), (6, 1, 1)])
        check(cur, "select id, percent_rank() over w, cume_dist() over w" + pw,
              [(1, 0.0, 1 / 3), (2, 0.5, 1.0), (3, 0.5, 1.0), (4, 0.0, 0.5), (5, 1.0, 1.0), (6, 0.0, 1.0)])
        check(cur, "select id, ntile(4) over (order by id) from t order by id",
              [(1, 1), (2, 1), (3, 2), (4, 2), (5, 3), (6, 4)])
        check(cur, "select id, lag(v) over (order by id), lead(v) over (order by id) from t order by id",
              [(1, None, 20), (2, 10, 20), (3, 20, 5), (4, 20, None), (5, 5, 7), (6, None, None)])
        check(cur, "select id, lag(v, 2, -1) over (order by id), lead(v, 3, 0) over (order by id)"
                   " from t order by id",
              [(1, -1, 5), (2, -1, None), (3, 10, 7), (4, 20, 0), (5, 20, 0), (6, 5, 0)])
        check(cur, "select id, first_value(v) over w, last_value(v) over w, nth_value(v, 2) over w"
                   " from t window w as (order by id) order by id",
              [(1, 10, 10, None), (2, 10, 20, 20), (3, 10, 20, 20), (4, 10, 5, 20), (5, 10, None, 20),
               (6, 10, 7, 20)])
        check(cur, "select id, last_value(id) over (partition by g order by v, id rows between unbounded"
                   " preceding and unbounded following) from t order by id",
              [(1, 3), (2, 3), (3, 3), (4, 5), (5, 5), (6, 6)])
        # default frame: RANGE UNBOUNDED PRECEDING .. CURRENT ROW with peers
        check(cur, "select id, sum(v) over (partition by g order by v), count(v) over (partition by g"
                   " order by v) from t order by id",
              [(1, 10, 1), (2, 50, 3), (3, 50, 3), (4, 5, 1), (5, 5, 1), (6, 7, 1)])
        check(cur, "select id, count(*) over (), max(v) over (), min(v) over (partition by g) from t order by id",
              [(1, 6, 20, 10), (2, 6, 20, 10), (3, 6, 20, 10), (4, 6, 20, 5), (5, 6, 20, 5), (6, 6, 20, 7)])
        check(cur, "select id, avg(v) over (order by id rows between 1 preceding and 1 following),"
                   " sum(v) over (order by id rows between current row and 2 following)"
                   " from t order by id",
              [(1, Decimal("15.0000000000000000"), 50), (2, Decimal("16.6666666666666667"), 45),
               (3, Decimal("15.0000000000000000"), 25), (4, Decimal("12.5000000000000000"), 12),
               (5, Decimal("6.0000000000000000"), 7), (6, Decimal("7.0000000000000000"), 7)])
        check(cur, "select id, sum(id) over (order by id rows between 2 preceding and 1 preceding),"
                   " sum(id) over (order by id rows unbounded preceding) from t order by id",
              [(1, None, 1), (2, 1, 3), (3, 3, 6), (4, 5, 10), (5, 7, 15), (6, 9, 21)])
        check(cur, "select id, string_agg(id::text, ',') over (partition by g order by id) from t order by id",
              [(1, "1"), (2, "1,2"), (3, "1,2,3"), (4, "4"), (5, "4,5"), (6, "6")])
        check(cur, "select id, count(*) filter (where v > 6) over (order by id) from t order by id",
              [(1, 1), (2, 2), (3, 3), (4, 3), (5, 3), (6, 4)])
        # after GROUP BY; in ORDER BY; several windows
        check(cur, "select g, sum(v), rank() over (order by sum(v) desc) from t group by g order by 3",
              [(1, 50, 1), (3, 7, 2), (2, 5, 3)])
        check(cur, "select id from t order by row_number() over (order by v desc nulls last, id)",
              [(2,), (3,), (1,), (6,), (4,), (5,)])
        check(cur, "select id, row_number() over (order by id desc), row_number() over (partition by g"
                   " order by id), sum(id) over (order by id) from t order by id",
              [(1, 6, 1, 1), (2, 5, 2, 3), (3, 4, 3, 6), (4, 3, 1, 10), (5, 2, 2, 15), (6, 1, 1, 21)])
        check(cur, "select id, rank() over (w2 order by v) from t window w2 as (partition by g)"
                   " order by id", [(1, 1), (2, 2), (3, 2), (4, 1), (5, 2), (6, 1)])
        check(cur, "select * from (select id, row_number() over (order by id desc) rn from t) s"
                   " where rn <= 2 order by id", [(5, 2), (6, 1)])
        check(cur, "select distinct dense_rank() over (order by g) from t order by 1", [(1,), (2,), (3,)])
        check(cur, "select id, lag(v::text, 1, 'x') over (order by id) from t where id < 3 order by id",
              [(1, "x"), (2, "10")])
        check(cur, "select id, count(*) over (order by v range between 5 preceding and 5 following),"
                   " sum(id) over (order by v desc range between current row and 10 following)"
                   " from t where v is not null order by id",
              [(1, 3, 11), (2, 2, 6), (3, 2, 6), (4, 3, 4), (6, 3, 10)])
        # '' in the first row stays '' (DataRow once sent it as NULL)
        check(cur, "select '' as c, lead(v::text, 1, '') over (order by id) from t where id > 5",
              [("", "")])
        # errors
        check_err(cur, "select rank() from t", "42809", "window function rank requires an OVER clause")
        check_err(cur, "select count(*) over (order by v, id range 1 preceding) from t", "42P20",
                  "RANGE with offset PRECEDING/FOLLOWING requires exactly one ORDER BY column")
        check_err(cur, "select id from t where row_number() over () > 1", "42P20",
                  "window functions are not allowed in WHERE")
        check_err(cur, "select g from t group by g having rank() over () > 1", "42P20",
                  "window functions are not allowed in HAVING")
        check_err(cur, "select lag(row_number() over ()) over () from t", "42P20",
                  "window function calls cannot be nested")
        check_err(cur, "select sum(row_number() over ()) from t", "42803",
                  "aggregate function calls cannot contain window function calls")
        check_err(cur, "select count(*) over (groups between 1 preceding and current row) from t",
                  "42P20", "GROUPS mode requires an ORDER BY clause")
        check_err(cur, "select rank() over w from t", "42704", 'window "w" does not exist')
        check_err(cur, "select upper('a') over () from t", "42809", "is not a window function")
        check_err(cur, "select ntile(0) over () from t", "22014", "argument of ntile must be greater than zero")
        check_err(cur, "select nth_value(v, 0) over () from t", "22016",
                  "argument of nth_value must be greater than zero")
        check_err(cur, "select sum(v) over (rows between -1 preceding and current row) from t", "22013",
                  "frame starting offset must not be negative")
        # one partition far beyond work_mem (and the query's limit, 256 x
        # work_mem) is buffered on disk, not a 53200 (test_spill_window.py)
        cur.execute("set work_mem = '64kB'")
        check(cur, "select count(*), max(rn), sum(rn) from (select row_number() over (order by g desc) rn"
                   " from generate_series(1, 200000) g) s", [(200000, 200000, 200000 * 200001 // 2)])
        cur.execute("reset work_mem")
        check(cur, "select max(rn), sum(s)::bigint from (select row_number() over (order by g desc) rn,"
                   " sum(g) over (order by g rows between 1 preceding and 1 following) s"
                   " from generate_series(1, 1000) g) x", [(1000, 1500499)])
        conn.close()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        shutil.rmtree(d, ignore_errors=True)
    sys.exit(T.report("test_window"))


main()
