-- SQL-level PREPARE / EXECUTE / DEALLOCATE, pg_prepared_statements,
-- EXPLAIN EXECUTE, and their errors.
CREATE TABLE prep_t (a int PRIMARY KEY, b text, c numeric);
INSERT INTO prep_t VALUES (1, 'one', 1.5), (2, 'two', 2.5), (3, 'three', 3.5);

-- no parameters
PREPARE q1 AS SELECT a, b FROM prep_t ORDER BY a;
EXECUTE q1;
EXECUTE q1();

-- typed parameters
PREPARE q2(int) AS SELECT b FROM prep_t WHERE a = $1;
EXECUTE q2(2);
EXECUTE q2(4);
EXECUTE q2(NULL);
-- an argument is an expression, coerced to the parameter's type
EXECUTE q2(1 + 2);
EXECUTE q2('1');
EXECUTE q2(2.4);
PREPARE q3(text, numeric) AS SELECT a FROM prep_t WHERE b = $1 OR c > $2 ORDER BY a;
EXECUTE q3('one', 3);
EXECUTE q3('two', 2.5::float8);

-- parameter types inferred from their use
PREPARE q4 AS SELECT a + $1 AS s FROM prep_t WHERE b = $2 ORDER BY a;
EXECUTE q4(10, 'three');

-- DML
PREPARE ins(int, text, numeric) AS INSERT INTO prep_t VALUES ($1, $2, $3);
EXECUTE ins(4, 'four', 4.5);
EXECUTE ins(5, 'five', NULL);
PREPARE upd(text, int) AS UPDATE prep_t SET b = $1 WHERE a = $2 RETURNING a, b;
EXECUTE upd('FOUR', 4);
PREPARE del(int) AS DELETE FROM prep_t WHERE a >= $1;
EXECUTE del(5);
SELECT * FROM prep_t ORDER BY a;
EXECUTE ins(4, 'dup', 0);

-- pg_prepared_statements
SELECT name, statement, parameter_types, from_sql
  FROM pg_prepared_statements ORDER BY name;

-- errors
PREPARE q1 AS SELECT 1;
EXECUTE nosuch;
EXECUTE nosuch(1);
DEALLOCATE nosuch;
DEALLOCATE PREPARE nosuch;
EXECUTE q2;
EXECUTE q2(1, 2);
EXECUTE q1(1);
EXECUTE q2(true);
EXECUTE q2('x');
EXECUTE q2(now());
PREPARE bad1 AS SELECT $1;
PREPARE bad2 AS SELECT $2::int;
PREPARE bad3(nosuchtype) AS SELECT $1;
PREPARE bad4 AS SELECT * FROM nosuch_table;
PREPARE bad5(int) AS SELECT nosuch_col FROM prep_t;
PREPARE bad6(int) AS SELECT $1 + 'x';
SELECT name FROM pg_prepared_statements ORDER BY name;

-- the statement sees data changed after PREPARE
INSERT INTO prep_t VALUES (10, 'ten', 10);
EXECUTE q1;

-- in a transaction block: a failed EXECUTE fails the block
BEGIN;
EXECUTE ins(20, 'twenty', 20);
EXECUTE q2(20);
EXECUTE ins(20, 'again', 20);
EXECUTE q2(20);
ROLLBACK;
EXECUTE q2(20);

-- PREPARE inside a block survives its rollback (as in PostgreSQL)
BEGIN;
PREPARE inblock AS SELECT count(*) FROM prep_t;
ROLLBACK;
EXECUTE inblock;

-- EXPLAIN EXECUTE shows the plan for the given values
CREATE TABLE prep_big (id int PRIMARY KEY, a int, b text);
INSERT INTO prep_big SELECT g, g, 'v' || (g % 100) FROM generate_series(1, 10000) g;
CREATE INDEX prep_big_a ON prep_big(a);
ANALYZE prep_big;
PREPARE pbig(int) AS SELECT * FROM prep_big WHERE a = $1;
EXPLAIN (COSTS OFF) EXECUTE pbig(5);
EXECUTE pbig(5);
PREPARE pbig2(text, int) AS SELECT count(*) FROM prep_big WHERE b = $1 OR id < $2;
EXPLAIN (COSTS OFF) EXECUTE pbig2('v1', 3);
EXECUTE pbig2('v1', 3);
EXPLAIN (COSTS OFF) EXECUTE nosuch(1);
EXPLAIN (COSTS OFF) EXECUTE q2(1, 2);

-- DEALLOCATE
DEALLOCATE q1;
EXECUTE q1;
DEALLOCATE PREPARE q2;
SELECT name FROM pg_prepared_statements ORDER BY name;
DEALLOCATE ALL;
SELECT count(*) FROM pg_prepared_statements;
-- the name can be used again
PREPARE q1(int) AS SELECT $1 * 2 AS twice;
EXECUTE q1(21);
DEALLOCATE PREPARE ALL;
SELECT count(*) FROM pg_prepared_statements;

DROP TABLE prep_t;
DROP TABLE prep_big;
