--
-- Key sets: IN lists and = ANY (array) on a primary key and on indexed
-- columns, and short ranges of an integer primary key (read as point
-- lookups on a hash-partitioned table).  Results only: the plans differ
-- from PostgreSQL's (test/sql/test_keyset.py checks ringdb's EXPLAIN).
--
CREATE TABLE ks_int (id int PRIMARY KEY, a int, b text, c numeric(8,2));
INSERT INTO ks_int SELECT g, CASE WHEN g % 7 = 0 THEN NULL ELSE g % 10 END,
    'v' || (g % 13), g * 1.25 FROM generate_series(1, 300) g;
CREATE INDEX ks_int_a ON ks_int (a);
CREATE INDEX ks_int_b ON ks_int (b);
CREATE TABLE ks_big (id bigint PRIMARY KEY, v text);
INSERT INTO ks_big VALUES (1, 'one'), (2, 'two'), (3000000000, 'big'), (-5, 'neg');
CREATE TABLE ks_text (k text PRIMARY KEY, n int);
INSERT INTO ks_text VALUES ('a', 1), ('b', 2), ('c', 3), ('', 0), ('A', 10);
CREATE TABLE ks_num (k numeric(6,2) PRIMARY KEY, n int);
INSERT INTO ks_num VALUES (1.5, 1), (2, 2), (2.25, 3), (-1, 4);

-- primary key: IN lists, repeats, NULLs, absent keys
SELECT * FROM ks_int WHERE id IN (3, 1, 2) ORDER BY id;
SELECT * FROM ks_int WHERE id IN (5, 5, 5, 4) ORDER BY id;
SELECT * FROM ks_int WHERE id IN (7, NULL, 1000, -1) ORDER BY id;
SELECT * FROM ks_int WHERE id IN (NULL);
SELECT count(*) FROM ks_int WHERE id IN (1, 2, 3) AND a > 1;
SELECT id FROM ks_int WHERE id IN (10, 20, 30) OR id = 40 ORDER BY id;
SELECT id FROM ks_int WHERE id NOT IN (1, 2, 3) AND id < 6 ORDER BY id;
SELECT id FROM ks_int WHERE id IN (1, 2, NULL) IS NULL ORDER BY id LIMIT 3;
-- = ANY (array): constants, empty and NULL arrays, NULL elements
SELECT id, a FROM ks_int WHERE id = ANY ('{9,8,9,NULL}') ORDER BY id;
SELECT id FROM ks_int WHERE id = ANY (ARRAY[1, 2 + 1, 300, 301]) ORDER BY id;
SELECT count(*) FROM ks_int WHERE id = ANY ('{}');
SELECT count(*) FROM ks_int WHERE id = ANY (NULL::int[]);
SELECT count(*) FROM ks_int WHERE id = ANY ('{NULL,NULL}'::int[]);
-- cross-type: an int list on a bigint key, a bigint beyond int4 on an int key
SELECT * FROM ks_big WHERE id IN (1, 3000000000, 4) ORDER BY id;
SELECT * FROM ks_big WHERE id = ANY ('{-5,2}'::int[]) ORDER BY id;
SELECT id FROM ks_int WHERE id IN (1, 3000000000) ORDER BY id;
SELECT id FROM ks_int WHERE id = ANY ('{2,3000000000}'::bigint[]) ORDER BY id;
-- text and numeric keys
SELECT * FROM ks_text WHERE k IN ('b', 'a', 'zz', '', NULL) ORDER BY k COLLATE "C";
SELECT * FROM ks_text WHERE k = ANY ('{A,c}') ORDER BY n;
SELECT * FROM ks_num WHERE k IN (1.50, 2, 2.250, 3) ORDER BY k;
SELECT * FROM ks_num WHERE k = ANY ('{-1.0,1.5}'::numeric[]) ORDER BY k;
-- secondary indexes
SELECT id, a FROM ks_int WHERE a IN (3, NULL, 3) AND id < 60 ORDER BY id;
SELECT count(*), sum(id) FROM ks_int WHERE a IN (0, 9);
SELECT count(*) FROM ks_int WHERE a = ANY ('{1,NULL}');
SELECT id, b FROM ks_int WHERE b IN ('v1', 'v12') AND id > 250 ORDER BY id;
SELECT count(*) FROM ks_int WHERE b = ANY ('{}'::text[]);
-- short ranges of the integer key
SELECT count(*), min(id), max(id) FROM ks_int WHERE id BETWEEN 17 AND 290;
SELECT id FROM ks_int WHERE id > 295 AND id <= 1000 ORDER BY id;
SELECT id FROM ks_int WHERE id >= -3 AND id < 3 ORDER BY id;
SELECT count(*) FROM ks_int WHERE id BETWEEN 10 AND 5;
-- in a transaction: own writes are seen, deleted rows are not
BEGIN;
INSERT INTO ks_int VALUES (1001, 3, 'new', 0);
UPDATE ks_int SET a = 3 WHERE id = 10;
DELETE FROM ks_int WHERE id = 2;
SELECT id, a FROM ks_int WHERE id IN (1, 2, 10, 1001) ORDER BY id;
SELECT id FROM ks_int WHERE a IN (3) AND (id < 30 OR id > 1000) ORDER BY id;
SELECT id FROM ks_int WHERE id BETWEEN 1 AND 3 ORDER BY id;
ROLLBACK;
SELECT id, a FROM ks_int WHERE id IN (1, 2, 10, 1001) ORDER BY id;
-- joins and subqueries over key sets
SELECT t.id, b.v FROM ks_int t JOIN ks_big b ON b.id = t.id WHERE t.id IN (1, 2, 3) ORDER BY 1;
SELECT (SELECT count(*) FROM ks_int WHERE id IN (1, 2, x)) FROM (VALUES (3), (500)) v(x);
DROP TABLE ks_int, ks_big, ks_text, ks_num;
