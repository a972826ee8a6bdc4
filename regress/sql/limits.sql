--
-- Work beyond work_mem (sorts, aggregates, DISTINCT, joins and set
-- operations that must spill or otherwise cope give the same answers) and
-- statement_timeout (57014 stops a running query).
--
SET work_mem = '64kB';
SELECT g FROM generate_series(1, 50000) g ORDER BY g % 1000 DESC, g DESC OFFSET 49995;
SELECT count(*), sum(c), max(c) FROM (SELECT g % 20000 AS k, count(*) AS c FROM generate_series(1, 50000) g GROUP BY 1) s;
SELECT count(*) FROM (SELECT DISTINCT g % 30000 FROM generate_series(1, 50000) g) s;
SELECT count(*), sum(a.g) FROM generate_series(1, 30000) a(g) JOIN generate_series(1, 60000, 2) b(g) ON a.g = b.g;
SELECT count(*) FROM (SELECT g FROM generate_series(1, 30000) g EXCEPT SELECT g * 2 FROM generate_series(1, 30000) g) s;
SELECT string_agg(x::text, ',') FROM (SELECT g AS x FROM generate_series(1, 30000) g ORDER BY md5(g::text) LIMIT 5) s;
SELECT sum(r) FROM (SELECT row_number() OVER (ORDER BY g DESC) AS r FROM generate_series(1, 30000) g) s;
CREATE TABLE li_t (id integer PRIMARY KEY, pad text);
INSERT INTO li_t SELECT g, repeat('x', 100) FROM generate_series(1, 5000) g;
SELECT id FROM li_t ORDER BY pad, id DESC LIMIT 3;
SELECT count(*), count(DISTINCT pad || id) FROM li_t;
RESET work_mem;
-- statement_timeout cancels a long statement with 57014, and the session goes on
SET statement_timeout = '200ms';
SELECT pg_sleep(5);
\echo :SQLSTATE
SELECT count(*) FROM generate_series(1, 1000000000);
\echo :SQLSTATE
SELECT count(*) FROM li_t a, li_t b;
\echo :SQLSTATE
RESET statement_timeout;
SELECT count(*) FROM li_t;
DROP TABLE li_t;
