--
-- Joins: inner, left, right, full, cross, comma joins, USING, NATURAL,
-- self joins, multi-way joins, join conditions with NULLs.
--
CREATE TABLE jn_a (id integer PRIMARY KEY, k integer, a text);
CREATE TABLE jn_b (id integer PRIMARY KEY, k integer, b text);
CREATE TABLE jn_c (k integer, c text);
INSERT INTO jn_a VALUES (1, 1, 'a1'), (2, 2, 'a2'), (3, 2, 'a3'), (4, NULL, 'a4'), (5, 5, 'a5');
INSERT INTO jn_b VALUES (10, 2, 'b2'), (11, 3, 'b3'), (12, 2, 'b2x'), (13, NULL, 'bnull'), (14, 1, 'b1');
INSERT INTO jn_c VALUES (1, 'c1'), (3, 'c3'), (3, 'c3x');
-- inner
SELECT a.id, a.a, b.id, b.b FROM jn_a a JOIN jn_b b ON a.k = b.k ORDER BY a.id, b.id;
SELECT a.id, b.id FROM jn_a a INNER JOIN jn_b b ON a.k = b.k AND b.b <> 'b2x' ORDER BY a.id, b.id;
SELECT a.id, b.id FROM jn_a a, jn_b b WHERE a.k = b.k ORDER BY 1, 2;
SELECT a.id, b.id FROM jn_a a JOIN jn_b b ON a.k < b.k WHERE a.id < 3 ORDER BY 1, 2;
-- left
SELECT a.id, a.k, b.id, b.b FROM jn_a a LEFT JOIN jn_b b ON a.k = b.k ORDER BY a.id, b.id;
SELECT a.id FROM jn_a a LEFT JOIN jn_b b ON a.k = b.k WHERE b.id IS NULL ORDER BY a.id;
SELECT a.id, b.id FROM jn_a a LEFT OUTER JOIN jn_b b ON a.k = b.k AND b.id > 11 ORDER BY a.id, b.id;
-- right
SELECT a.id, b.id, b.b FROM jn_a a RIGHT JOIN jn_b b ON a.k = b.k ORDER BY b.id, a.id;
-- full
SELECT a.id, a.k, b.id, b.k FROM jn_a a FULL JOIN jn_b b ON a.k = b.k
    ORDER BY a.id NULLS LAST, b.id NULLS LAST;
SELECT count(*) FROM jn_a a FULL OUTER JOIN jn_b b ON false;
-- cross
SELECT a.id, c.c FROM jn_a a CROSS JOIN jn_c c WHERE a.id <= 2 ORDER BY a.id, c.c;
SELECT count(*) FROM jn_a, jn_b, jn_c;
-- USING and NATURAL: the join column appears once
SELECT * FROM jn_a JOIN jn_c USING (k) ORDER BY id, c;
SELECT k, a.id, c FROM jn_a a LEFT JOIN jn_c USING (k) ORDER BY a.id, c;
SELECT k, b, c FROM jn_b FULL JOIN jn_c USING (k) ORDER BY k NULLS FIRST, b, c;
SELECT * FROM jn_a NATURAL JOIN jn_c ORDER BY id, c;
SELECT * FROM (SELECT k, a FROM jn_a) x NATURAL JOIN (SELECT k, b FROM jn_b) y ORDER BY k, a, b;
SELECT * FROM jn_a NATURAL JOIN jn_b;
SELECT jn_a.id, x.* FROM jn_a NATURAL LEFT JOIN (SELECT id, 'z' AS z FROM jn_b) x ORDER BY jn_a.id;
-- self join
SELECT x.id, y.id FROM jn_a x JOIN jn_a y ON x.k = y.k AND x.id < y.id ORDER BY 1, 2;
-- three-way and mixed joins
SELECT a.id, b.id, c.c FROM jn_a a JOIN jn_b b ON a.k = b.k LEFT JOIN jn_c c ON c.k = a.k ORDER BY 1, 2, 3;
SELECT a.id, b.id, c.c FROM jn_a a LEFT JOIN (jn_b b JOIN jn_c c ON b.k = c.k) ON a.k = b.k ORDER BY 1, 2, 3;
SELECT a.id, c.c FROM jn_c c RIGHT JOIN jn_a a ON a.k = c.k LEFT JOIN jn_b b ON b.k = c.k ORDER BY 1, 2;
-- join with aggregates
SELECT a.id, count(b.id) FROM jn_a a LEFT JOIN jn_b b ON a.k = b.k GROUP BY a.id ORDER BY a.id;
-- joins on expressions and larger inputs
SELECT count(*), sum(x.g + y.g) FROM generate_series(1, 300) x(g) JOIN generate_series(1, 300) y(g) ON x.g = y.g;
SELECT count(*) FROM generate_series(1, 100) x(g) JOIN generate_series(1, 100) y(g) ON x.g % 10 = y.g % 10;
SELECT count(*) FROM generate_series(1, 50) x(g) LEFT JOIN generate_series(1, 100, 3) y(g) ON x.g = y.g WHERE y.g IS NULL;
-- errors
SELECT * FROM jn_a JOIN jn_b;
SELECT * FROM jn_a JOIN jn_b USING (nosuch);
SELECT id FROM jn_a JOIN jn_b ON jn_a.k = jn_b.k;
SELECT * FROM jn_a a JOIN jn_b b ON a.k = c.k;
DROP TABLE jn_a, jn_b, jn_c;
