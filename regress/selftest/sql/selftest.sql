--
-- The runner's own test (suite 'regress'): statements that even the
-- built-in handler of an early build/ringdb answers as PostgreSQL 15 does.
--
SELECT 1 AS one;
SELECT 'hello' AS greeting, 42 AS answer;
SELECT * FROM generate_series(1, 3);
SELECT 1/0;
\echo :SQLSTATE
SHOW TimeZone;
