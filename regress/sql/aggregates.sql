--
-- Aggregates: count, count(DISTINCT), sum, avg, min, max, bool_and, bool_or,
-- string_agg, array_agg, stddev, variance; over empty input, NULLs, types.
--
CREATE TABLE ag_t (id integer PRIMARY KEY, i integer, b bigint, n numeric(10,3), f float8,
    s text, ok boolean, d date);
INSERT INTO ag_t VALUES
    (1, 10, 100, 1.5, 0.5, 'b', true, '2024-01-03'),
    (2, 20, NULL, 2.25, 1.5, 'a', true, '2024-01-01'),
    (3, NULL, 300, NULL, NULL, NULL, NULL, NULL),
    (4, 20, 400, 4.125, 2.5, 'c', false, '2023-12-31'),
    (5, 40, 500, -1, -3, 'a', true, '2024-02-29');
SELECT count(*), count(i), count(b), count(DISTINCT i), count(DISTINCT s), count(1) FROM ag_t;
SELECT sum(i), sum(b), sum(n), sum(f) FROM ag_t;
SELECT avg(i), avg(b), avg(n), avg(f) FROM ag_t;
SELECT min(i), max(i), min(n), max(n), min(s), max(s), min(d), max(d), min(f), max(f) FROM ag_t;
SELECT bool_and(ok), bool_or(ok), bool_and(ok) FILTER (WHERE id < 3), every(ok) FROM ag_t;
SELECT string_agg(s, ',' ORDER BY s, id) AS sorted, string_agg(DISTINCT s, '|' ORDER BY s) AS uniq FROM ag_t;
SELECT array_agg(i ORDER BY id) AS ids, array_agg(DISTINCT i ORDER BY i) AS uniq, array_agg(s ORDER BY s DESC NULLS FIRST) FROM ag_t;
SELECT stddev(i), stddev_samp(i), stddev_pop(i), variance(i), var_samp(i), var_pop(i) FROM ag_t;
SELECT round(stddev(f)::numeric, 6) AS sd, round(variance(f)::numeric, 6) AS var FROM ag_t;
SELECT sum(DISTINCT i), avg(DISTINCT i) FROM ag_t;
SELECT count(*) FILTER (WHERE i > 15) AS big, sum(i) FILTER (WHERE ok) AS ok_sum FROM ag_t;
-- expressions over aggregates and aggregates over expressions
SELECT sum(i) / count(i) AS mean, max(i) - min(i) AS spread, sum(i * 2 + 1) FROM ag_t;
SELECT count(*) + 1, coalesce(sum(i), 0) FROM ag_t WHERE id > 100;
-- empty input: count is 0, the others are NULL
SELECT count(*), count(i), sum(i), avg(i), min(s), max(s), bool_and(ok), string_agg(s, ','),
       array_agg(i), stddev(i) FROM ag_t WHERE false;
-- one row: sample statistics are NULL
SELECT stddev(i), variance(i), stddev_pop(i), var_pop(i) FROM ag_t WHERE id = 1;
-- result types: sum of integer is bigint, sum of bigint is numeric, avg is numeric
SELECT sum(x) FROM (VALUES (2147483647), (2147483647)) v (x);
SELECT sum(x) FROM (VALUES (9223372036854775807::bigint), (9223372036854775807::bigint)) v (x);
SELECT avg(x) FROM (VALUES (1), (2)) v (x);
SELECT avg(x) FROM (VALUES (1::float8), (2)) v (x);
SELECT sum(x), avg(x) FROM (VALUES (0.1::numeric), (0.2)) v (x);
SELECT sum(x) FROM (VALUES (1::smallint), (2::smallint)) v (x);
-- aggregates over many rows
SELECT count(*), sum(g), avg(g), min(g), max(g), sum(g::numeric * g) FROM generate_series(1, 10000) g;
SELECT count(DISTINCT g % 7), string_agg((g % 3)::text, '' ORDER BY g) FROM generate_series(1, 12) g;
-- errors
SELECT sum(s) FROM ag_t;
SELECT avg(ok) FROM ag_t;
SELECT i, count(*) FROM ag_t;
SELECT count(*) FROM ag_t WHERE sum(i) > 0;
SELECT sum(sum(i)) FROM ag_t;
SELECT nosuchagg(i) FROM ag_t;
DROP TABLE ag_t;
