--
-- Index scans on secondary indexes: plans PostgreSQL picks too, and results.
--
CREATE TABLE ixs (id int PRIMARY KEY, a int, b text, c int, d numeric);
INSERT INTO ixs SELECT g, g, 'v' || (g % 1000), g % 7, g / 4.0 FROM generate_series(1, 10000) g;
INSERT INTO ixs VALUES (10001, NULL, NULL, NULL, NULL), (10002, NULL, 'v5', 1, NULL);
CREATE INDEX ixs_a ON ixs(a);
CREATE INDEX ixs_b ON ixs(b);
CREATE INDEX ixs_d ON ixs(d DESC);
ANALYZE ixs;
EXPLAIN (COSTS OFF) SELECT * FROM ixs WHERE a = 5;
EXPLAIN (COSTS OFF) SELECT * FROM ixs WHERE 42 = a;
EXPLAIN (COSTS OFF) SELECT * FROM ixs WHERE a = 5 AND c = 5;
EXPLAIN (COSTS OFF) SELECT id, b FROM ixs WHERE a BETWEEN 10 AND 20;
EXPLAIN (COSTS OFF) SELECT id FROM ixs WHERE a = 7 ORDER BY id;
EXPLAIN (COSTS OFF) SELECT id FROM ixs WHERE a = 8 AND id > 2;
EXPLAIN (COSTS OFF) SELECT id FROM ixs WHERE d BETWEEN 100.0 AND 101.5;
SELECT id FROM ixs WHERE a = 8 AND id > 2;
SELECT id FROM ixs WHERE a = 8 AND id > 9;
SELECT * FROM ixs WHERE a = 5;
SELECT * FROM ixs WHERE 42 = a;
SELECT * FROM ixs WHERE a = 5 AND c = 5;
SELECT * FROM ixs WHERE a = 12 AND c = 5;
SELECT id, b FROM ixs WHERE a BETWEEN 10 AND 20 ORDER BY id;
SELECT id FROM ixs WHERE a > 9990 ORDER BY id;
SELECT id FROM ixs WHERE a >= 9990 AND a < 9995 ORDER BY id;
SELECT id FROM ixs WHERE a = NULL;
SELECT count(*) FROM ixs WHERE a IS NULL;
SELECT id, a, c FROM ixs WHERE b = 'v5' ORDER BY id;
SELECT id, a FROM ixs WHERE b = 'v5' AND c = 1 ORDER BY id;
SELECT id, d FROM ixs WHERE d = 2.5;
SELECT id, d FROM ixs WHERE d BETWEEN 100 AND 101 ORDER BY id;
SELECT id, d FROM ixs WHERE d > 2499.5 ORDER BY id;
SELECT id FROM ixs WHERE a = 5::bigint;
SELECT id FROM ixs WHERE a = 5.0;
-- rows whose indexed value moved, rows deleted
UPDATE ixs SET a = a + 100000 WHERE id BETWEEN 1 AND 5;
DELETE FROM ixs WHERE id = 6;
SELECT id, a FROM ixs WHERE a = 5;
SELECT id, a FROM ixs WHERE a = 100005;
SELECT id FROM ixs WHERE a = 6;
SELECT id, a FROM ixs WHERE a BETWEEN 1 AND 10 ORDER BY id;
-- UPDATE and DELETE through the index
UPDATE ixs SET c = -1 WHERE a = 20;
SELECT id, a, c FROM ixs WHERE a = 20;
DELETE FROM ixs WHERE a = 21;
SELECT id FROM ixs WHERE a BETWEEN 19 AND 22 ORDER BY id;
-- multi-column index: equality then range
CREATE TABLE ixm (id int PRIMARY KEY, k text, t timestamp, v int);
INSERT INTO ixm SELECT g, 'k' || (g % 100), timestamp '2024-01-01' + g * interval '1 hour', g FROM generate_series(1, 5000) g;
CREATE INDEX ixm_kt ON ixm(k, t);
ANALYZE ixm;
SELECT id, t FROM ixm WHERE k = 'k7' AND t < '2024-01-20' ORDER BY id;
SELECT id FROM ixm WHERE k = 'k7' AND t BETWEEN '2024-02-01' AND '2024-02-10' ORDER BY id;
SELECT count(*) FROM ixm WHERE k = 'k99';
SELECT count(*) FROM ixm WHERE k = 'nope';
DROP TABLE ixm;
DROP TABLE ixs;
