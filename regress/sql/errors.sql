--
-- General errors and their SQLSTATEs: \echo :SQLSTATE shows the code of
-- the statement before it.  22003 numeric value out of range, 22012
-- division by zero, 22P02 invalid text representation, 22001 string data
-- right truncation, 22008 datetime field overflow, 22007 invalid datetime
-- format, 42601 syntax error (with its position), 42P01 undefined table,
-- 42703 undefined column, 42883 undefined function, 42804 datatype
-- mismatch, 42P07 duplicate table, 0A000 feature not supported, 21000
-- cardinality violation.
--
CREATE TABLE er_t (id integer PRIMARY KEY, s varchar(3), d date, n numeric(4,2));
-- 22003
SELECT 2147483647 + 1;
\echo :SQLSTATE
SELECT 'x'::text, 100000::smallint;
\echo :SQLSTATE
INSERT INTO er_t (id, n) VALUES (1, 100);
\echo :SQLSTATE
SELECT 9223372036854775807::bigint * 2;
\echo :SQLSTATE
-- 22012
SELECT 1 / 0;
\echo :SQLSTATE
SELECT 1.0 % 0;
\echo :SQLSTATE
SELECT id / 0 FROM (VALUES (1)) v (id);
\echo :SQLSTATE
-- 22P02
SELECT 'twelve'::integer;
\echo :SQLSTATE
SELECT 'maybe'::boolean;
\echo :SQLSTATE
INSERT INTO er_t (id) VALUES ('one');
\echo :SQLSTATE
SELECT 'g0000000-0000-0000-0000-000000000000'::uuid;
\echo :SQLSTATE
-- 22001
INSERT INTO er_t (id, s) VALUES (1, 'abcd');
\echo :SQLSTATE
SELECT 'abcd'::varchar(3);
\echo :SQLSTATE
-- 22008 and 22007
INSERT INTO er_t (id, d) VALUES (1, '2023-02-29');
\echo :SQLSTATE
SELECT '2024-01-01 24:00:01'::timestamp;
\echo :SQLSTATE
SELECT 'yesterday-ish'::date;
\echo :SQLSTATE
SELECT DATE '5874897-12-31' + 1;
\echo :SQLSTATE
-- 42601 with the position of the error
SELEC 1;
\echo :SQLSTATE
SELECT 1 +;
\echo :SQLSTATE
SELECT * FROM er_t WHERE;
\echo :SQLSTATE
SELECT 1 2;
\echo :SQLSTATE
CREATE TABLE er_bad (a integer,);
\echo :SQLSTATE
INSERT INTO er_t VALUES (1, 'a', '2024-01-01', 1.0)
  ,
  (2, 'b' '2024-01-02', 2.0);
\echo :SQLSTATE
SELECT id FROM er_t ORDER;
\echo :SQLSTATE
-- 42P01 and 42703
SELECT * FROM er_nosuch;
\echo :SQLSTATE
SELECT * FROM public.er_nosuch;
\echo :SQLSTATE
SELECT nosuch FROM er_t;
\echo :SQLSTATE
SELECT er_t.nosuch FROM er_t;
\echo :SQLSTATE
INSERT INTO er_t (id, nosuch) VALUES (1, 1);
\echo :SQLSTATE
-- 42883 and 42804
SELECT nosuchfunc(1);
\echo :SQLSTATE
SELECT 'a'::text + 1;
\echo :SQLSTATE
SELECT CASE WHEN true THEN 1 ELSE false END;
\echo :SQLSTATE
-- 42P07
CREATE TABLE er_t (x integer);
\echo :SQLSTATE
-- 21000
SELECT (SELECT g FROM generate_series(1, 2) g);
\echo :SQLSTATE
-- 0A000: a feature PostgreSQL does not support either
SELECT count(*) FROM er_t FOR UPDATE;
\echo :SQLSTATE
CREATE TABLE er_oids (a integer) WITH (oids = true);
\echo :SQLSTATE
-- errors leave the session usable, and nothing half-done behind
SELECT count(*) FROM er_t;
\echo :SQLSTATE
DROP TABLE er_t;
