-- Merge joins on integer keys of different widths (int2 / int4 = int8):
-- hash joins and nested loops off, so ringdb merges the inputs sorted on
-- their own columns (exec/plan_merge.c).  Values beyond int4 on the int8
-- side, negative values, duplicates and NULLs on both sides, every join
-- type, two keys; [NOT] EXISTS as merge semi / anti joins.
SET enable_hashjoin = off;
SET enable_nestloop = off;
CREATE TABLE mji_a (id int PRIMARY KEY, k int, s smallint, g text);
CREATE TABLE mji_b (id int PRIMARY KEY, k bigint, g text);
INSERT INTO mji_a SELECT x, CASE WHEN x % 10 = 0 THEN NULL ELSE x % 37 - 5 END, (x % 11)::smallint, 'g' || (x % 3)
  FROM generate_series(1, 300) x;
INSERT INTO mji_b SELECT x, CASE WHEN x % 13 = 0 THEN NULL WHEN x % 17 = 0 THEN 4294967296 + x ELSE x % 29 - 3 END,
  'g' || (x % 4) FROM generate_series(1, 200) x;
SELECT count(*), sum(a.id), sum(b.id) FROM mji_a a JOIN mji_b b ON a.k = b.k;
SELECT a.k, count(*) FROM mji_a a JOIN mji_b b ON a.k = b.k GROUP BY a.k ORDER BY a.k;
SELECT count(*), count(b.id), sum(b.k) FROM mji_a a LEFT JOIN mji_b b ON a.k = b.k;
SELECT count(*), count(a.id), sum(b.k) FROM mji_a a RIGHT JOIN mji_b b ON a.k = b.k;
SELECT count(*), count(a.id), count(b.id) FROM mji_a a FULL JOIN mji_b b ON a.k = b.k;
SELECT b.id, b.k FROM mji_a a RIGHT JOIN mji_b b ON a.k = b.k WHERE a.id IS NULL ORDER BY b.id;
-- int8 on the left, int4 on the right
SELECT count(*), sum(a.id * b.id) FROM mji_b b JOIN mji_a a ON b.k = a.k;
-- smallint = bigint, and two keys
SELECT count(*), sum(a.id), sum(b.id) FROM mji_a a JOIN mji_b b ON a.s = b.k;
SELECT count(*), sum(a.id), sum(b.id) FROM mji_a a JOIN mji_b b ON a.k = b.k AND a.g = b.g;
SELECT a.id, b.id FROM mji_a a JOIN mji_b b ON a.k = b.k AND a.g = b.g WHERE a.id < 40 ORDER BY 1, 2;
-- [NOT] EXISTS correlated by equalities: merge semi and anti joins
SELECT count(*), sum(a.id) FROM mji_a a WHERE EXISTS (SELECT 1 FROM mji_b b WHERE b.k = a.k);
SELECT count(*), sum(a.id) FROM mji_a a WHERE NOT EXISTS (SELECT 1 FROM mji_b b WHERE b.k = a.k);
SELECT a.id FROM mji_a a WHERE NOT EXISTS (SELECT 1 FROM mji_b b WHERE b.k = a.k AND b.g = a.g) AND a.id < 60
  ORDER BY a.id;
SELECT count(*), sum(b.id) FROM mji_b b WHERE EXISTS (SELECT 1 FROM mji_a a WHERE a.k = b.k AND a.s > 3);
SELECT b.id, b.k FROM mji_b b WHERE NOT EXISTS (SELECT 1 FROM mji_a a WHERE a.k = b.k) ORDER BY b.id;
SELECT count(*) FROM mji_a a WHERE EXISTS (SELECT 1 FROM mji_a a2 WHERE a2.s = a.k AND a2.id > 250);
RESET enable_hashjoin;
RESET enable_nestloop;
DROP TABLE mji_a, mji_b;
