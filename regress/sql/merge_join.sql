-- Merge joins (exec/mergejoin.c): hash joins and nested loops off, so
-- ringdb merges sorted inputs; results of every join type, with
-- duplicates and NULL keys on both sides, one and two keys, join filters.
SET enable_hashjoin = off;
SET enable_nestloop = off;
CREATE TABLE mj_a (id int PRIMARY KEY, k int, g text, x int);
CREATE TABLE mj_b (id int PRIMARY KEY, k int, g text, y int);
INSERT INTO mj_a VALUES (1, 1, 'p', 10), (2, 2, 'q', 20), (3, 2, 'q', 30), (4, NULL, 'p', 40),
  (5, 3, NULL, 50), (6, 5, 'r', 60), (7, 5, 'r', 70), (8, 5, 's', 80), (9, NULL, NULL, 90), (10, 8, 'p', 100);
INSERT INTO mj_b VALUES (1, 2, 'q', 1), (2, 2, 'q', 2), (3, 2, 'r', 3), (4, NULL, 'p', 4),
  (5, 4, 'p', 5), (6, 5, 'r', 60), (7, 5, NULL, 75), (8, NULL, NULL, 8), (9, 9, 's', 9), (10, 0, 'p', 10);
SELECT a.id, b.id FROM mj_a a JOIN mj_b b ON a.k = b.k ORDER BY 1, 2;
SELECT a.id, b.id FROM mj_a a LEFT JOIN mj_b b ON a.k = b.k ORDER BY 1, 2;
SELECT a.id, b.id FROM mj_a a RIGHT JOIN mj_b b ON a.k = b.k ORDER BY 1, 2;
SELECT a.id, b.id FROM mj_a a FULL JOIN mj_b b ON a.k = b.k ORDER BY 1, 2;
-- two keys
SELECT a.id, b.id FROM mj_a a JOIN mj_b b ON a.k = b.k AND a.g = b.g ORDER BY 1, 2;
SELECT a.id, b.id FROM mj_a a FULL JOIN mj_b b ON a.k = b.k AND a.g = b.g ORDER BY 1, 2;
-- a join filter beside the merge keys
SELECT a.id, b.id, a.x, b.y FROM mj_a a JOIN mj_b b ON a.k = b.k AND a.x > b.y ORDER BY 1, 2;
SELECT a.id, b.id FROM mj_a a LEFT JOIN mj_b b ON a.k = b.k AND a.x <= b.y ORDER BY 1, 2;
SELECT a.id, b.id FROM mj_a a RIGHT JOIN mj_b b ON a.k = b.k AND b.y < 3 ORDER BY 1, 2;
-- WHERE above an outer join
SELECT a.id, b.id FROM mj_a a LEFT JOIN mj_b b ON a.k = b.k WHERE b.id IS NULL ORDER BY 1;
SELECT a.id, b.id FROM mj_a a FULL JOIN mj_b b ON a.g = b.g WHERE a.id IS NULL OR b.id IS NULL ORDER BY 1, 2;
-- text keys, many duplicates
SELECT a.g, count(*) FROM mj_a a JOIN mj_b b ON a.g = b.g GROUP BY a.g ORDER BY 1;
-- larger inputs: every key duplicated on both sides
CREATE TABLE mj_c AS SELECT g AS id, g % 50 AS k FROM generate_series(1, 1000) g;
CREATE TABLE mj_d AS SELECT g AS id, CASE WHEN g % 9 = 0 THEN NULL ELSE g % 70 END AS k FROM generate_series(1, 700) g;
SELECT count(*), sum(c.id), sum(d.id) FROM mj_c c JOIN mj_d d ON c.k = d.k;
SELECT count(*), count(c.id), count(d.id) FROM mj_c c LEFT JOIN mj_d d ON c.k = d.k;
SELECT count(*), count(c.id), count(d.id) FROM mj_c c RIGHT JOIN mj_d d ON c.k = d.k;
SELECT count(*), count(c.id), count(d.id) FROM mj_c c FULL JOIN mj_d d ON c.k = d.k AND c.id < d.id;
-- the inner duplicates beyond work_mem
SET work_mem = '64kB';
SELECT count(*), sum(c.id::bigint * d.id) FROM mj_c c JOIN mj_c d ON c.k = d.k;
RESET work_mem;
-- three tables
SELECT count(*) FROM mj_a a JOIN mj_b b ON a.k = b.k JOIN mj_c c ON c.k = b.k;
RESET enable_hashjoin;
RESET enable_nestloop;
DROP TABLE mj_a, mj_b, mj_c, mj_d;
