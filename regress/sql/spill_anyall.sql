-- x op ANY / ALL (uncorrelated subquery) with other operators than =,
-- row operands, and ARRAY (subquery), over subqueries larger than a small
-- work_mem and (ringdb) query memory limit: ringdb keeps such a
-- subquery's rows in a tuplestore that goes to disk (tstore.h), answers
-- <> ALL from its set of values (rowset.h) as it does = ANY, and builds
-- ARRAY (subquery) without keeping the rows.  PostgreSQL reads
-- ringdb.query_mem_limit as a placeholder setting.
SET work_mem = '64kB';
CREATE TABLE sa (id int PRIMARY KEY, v int, t text);
INSERT INTO sa SELECT g, (g * 7919) % 100003, 't' || (g % 1000) FROM generate_series(1, 100000) g;
SET ringdb.query_mem_limit = '2MB';
-- < ANY, > ALL, <= ALL, >= ANY over 100000 rows
SELECT g, g * 1000 < ANY (SELECT v FROM sa) AS lt_any, g * 1000 > ALL (SELECT v FROM sa) AS gt_all,
       g <= ALL (SELECT v FROM sa) AS le_all, g * 1000 >= ANY (SELECT v FROM sa WHERE v > 99000) AS ge_any
  FROM generate_series(97, 102) g ORDER BY g;
SELECT count(*) FILTER (WHERE g < ANY (SELECT v - 99990 FROM sa)) AS lt_any,
       count(*) FILTER (WHERE g >= ALL (SELECT v - 99990 FROM sa)) AS ge_all
  FROM generate_series(1, 20) g;
-- <> ALL (NOT IN without its NULL) over many values
SELECT count(*) FROM generate_series(99990, 103000) g WHERE g <> ALL (SELECT v FROM sa);
SELECT count(*) FROM generate_series(1, 3000) g WHERE g * 3 <> ALL (SELECT v FROM sa WHERE v % 3 = 0);
SELECT count(*) FROM (VALUES ('t5'), ('t999'), ('x'), ('t1000'), ('')) x(t) WHERE t <> ALL (SELECT t FROM sa);
-- a NULL among the values, a NULL probe, no values
RESET ringdb.query_mem_limit;
INSERT INTO sa VALUES (0, NULL, NULL);
SET ringdb.query_mem_limit = '2MB';
SELECT count(*), count(g <> ALL (SELECT v FROM sa)), count(*) FILTER (WHERE g <> ALL (SELECT v FROM sa))
  FROM generate_series(1, 300) g;
SELECT NULL::int <> ALL (SELECT v FROM sa) AS a, NULL::int <> ALL (SELECT v FROM sa WHERE false) AS b,
       5 <> ALL (SELECT v FROM sa WHERE false) AS c, NULL::int < ANY (SELECT v FROM sa) AS d,
       1 < ANY (SELECT v FROM sa WHERE v IS NULL) AS e, 1 > ALL (SELECT v FROM sa WHERE v IS NULL OR v = 0) AS f;
-- row operands
SELECT g, (g, 't' || g) IN (SELECT id % 1000, t FROM sa) AS r_in,
       (g, g) = ANY (SELECT id, v FROM sa) AS r_any,
       (g, 't' || (g % 1000)) <> ALL (SELECT id, t FROM sa) AS r_ne_all,
       (g, 'zzz') NOT IN (SELECT id, t FROM sa WHERE id > 0) AS r_not_in
  FROM generate_series(0, 4) g ORDER BY g;
SELECT (NULL::int, 't1') IN (SELECT id, t FROM sa) AS a,
       (1, NULL::text) = ANY (SELECT id, t FROM sa WHERE id > 5) AS b,
       (1, NULL::text) = ANY (SELECT id, t FROM sa) AS c;
-- ARRAY (subquery) over 100000 rows
SELECT array_length(a, 1), a[1], a[100000], (SELECT sum(x) FROM unnest(a) x)
  FROM (SELECT ARRAY(SELECT v FROM sa WHERE id > 0 ORDER BY id) AS a) s;
SELECT cardinality(ARRAY(SELECT t FROM sa WHERE id > 0)),
       md5(array_to_string(ARRAY(SELECT t FROM sa WHERE id > 0 ORDER BY id), ','));
SELECT cardinality(ARRAY(SELECT v FROM sa)), array_position(ARRAY(SELECT v FROM sa ORDER BY id), NULL);
-- correlated, and empty
SELECT g, ARRAY(SELECT id FROM sa WHERE id BETWEEN g AND g + 3 ORDER BY id) FROM generate_series(1, 3) g ORDER BY g;
SELECT ARRAY(SELECT v FROM sa WHERE id < 0) AS a, ARRAY(SELECT t FROM sa WHERE id < 0) AS b;
RESET ringdb.query_mem_limit;
RESET work_mem;
DROP TABLE sa;
