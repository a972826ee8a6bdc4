--
-- Query shapes: LATERAL anywhere in FROM, row constructors, GROUP BY a
-- primary key, FETCH FIRST ... WITH TIES, WITH RECURSIVE beyond the basics.
--
CREATE TABLE qs_a (id integer PRIMARY KEY, n integer, name text);
CREATE TABLE qs_b (id integer PRIMARY KEY, a_id integer, m integer);
INSERT INTO qs_a VALUES (1, 1, 'one'), (2, 2, 'two'), (3, 3, 'three');
INSERT INTO qs_b VALUES (10, 1, 100), (20, 1, 200), (30, 3, 300);
-- LATERAL after several FROM items, inside a join, in a join's right side
SELECT a.id, b.id, s.v FROM qs_a a, qs_b b, LATERAL (SELECT a.n * b.m AS v) s ORDER BY 1, 2;
SELECT a.id, b.id, s.v FROM qs_a a, qs_b b JOIN LATERAL (SELECT a.n + b.m AS v) s ON true ORDER BY 1, 2;
SELECT a.id, s.v FROM qs_a a JOIN (qs_b b JOIN LATERAL (SELECT a.n + b.m AS v) s ON s.v > 150) ON b.a_id = a.id
    ORDER BY 1, 2;
SELECT a.id, c.cnt FROM qs_a a LEFT JOIN LATERAL (SELECT count(*) AS cnt FROM qs_b b WHERE b.a_id = a.id) c ON true
    ORDER BY 1;
SELECT a.id, t.top FROM qs_a a, LATERAL (SELECT m AS top FROM qs_b b WHERE b.a_id = a.id ORDER BY m DESC LIMIT 1) t
    ORDER BY 1;
-- functions in FROM see the items before them
SELECT a.id, g FROM qs_a a, generate_series(a.n, 2) g ORDER BY 1, 2;
SELECT a.id, g FROM qs_a a JOIN generate_series(1, a.n) g ON g > 1 ORDER BY 1, 2;
-- a lateral subquery in a correlated subquery
SELECT a.id, (SELECT sum(s.v) FROM qs_b b, LATERAL (SELECT b.m + a.n AS v) s WHERE b.a_id = a.id) FROM qs_a a
    ORDER BY 1;
-- row constructors
SELECT id FROM qs_b WHERE (a_id, m) IN (SELECT a_id, max(m) FROM qs_b GROUP BY a_id) ORDER BY id;
SELECT id FROM qs_b WHERE (a_id, m) NOT IN (SELECT a_id, max(m) FROM qs_b GROUP BY a_id) ORDER BY id;
SELECT id, (a_id, m) IN (SELECT 1, 100 UNION ALL SELECT NULL, 300) AS r FROM qs_b ORDER BY id;
SELECT id FROM qs_b WHERE (a_id, m) IN ((1, 200), (3, 300)) ORDER BY id;
SELECT id FROM qs_b WHERE (a_id, m) = (1, 200);
SELECT id FROM qs_b WHERE (a_id, m) <> (1, 200) ORDER BY id;
SELECT id FROM qs_b WHERE (a_id, m) = ANY (SELECT 3, 300);
SELECT id FROM qs_b WHERE (a_id, m) IN (SELECT a_id FROM qs_b);
SELECT id FROM qs_b WHERE (a_id, m) IN (SELECT a_id, m, id FROM qs_b);
SELECT id FROM qs_b WHERE (a_id, m) = (1, 2, 3);
-- IN over a larger uncorrelated subquery (looked up in a hash set), with NULLs
SELECT count(*) FROM generate_series(1, 100) g WHERE g IN (SELECT x FROM generate_series(1, 50) x);
SELECT count(*) FROM generate_series(1, 100) g WHERE g NOT IN (SELECT x FROM generate_series(1, 50) x);
SELECT count(*) FROM generate_series(1, 100) g
    WHERE g IN (SELECT CASE WHEN x = 3 THEN NULL ELSE x END FROM generate_series(1, 50) x);
SELECT count(*) FROM generate_series(1, 100) g
    WHERE g NOT IN (SELECT CASE WHEN x = 3 THEN NULL ELSE x END FROM generate_series(1, 50) x);
SELECT g, g IN (SELECT CASE WHEN x = 3 THEN NULL ELSE x END FROM generate_series(1, 50) x) AS r
    FROM generate_series(2, 4) g;
SELECT NULL::integer IN (SELECT x FROM generate_series(1, 50) x) AS r;
SELECT count(*) FROM generate_series(1, 100) g WHERE 'n' || g IN (SELECT 'n' || x FROM generate_series(1, 50) x);
SELECT count(*) FROM generate_series(1, 100) g WHERE g::bigint = ANY (SELECT x FROM generate_series(1, 50) x);
-- [NOT] EXISTS correlated by equalities (run as hash semi and anti joins), NULLs on both sides
INSERT INTO qs_b VALUES (40, NULL, 400);
INSERT INTO qs_a VALUES (4, NULL, NULL);
SELECT id FROM qs_a a WHERE EXISTS (SELECT 1 FROM qs_b b WHERE b.a_id = a.id) ORDER BY id;
SELECT id FROM qs_a a WHERE NOT EXISTS (SELECT 1 FROM qs_b b WHERE b.a_id = a.id) ORDER BY id;
SELECT id FROM qs_a a WHERE EXISTS (SELECT 1 FROM qs_b b WHERE b.a_id = a.n AND b.m > 150) ORDER BY id;
SELECT id FROM qs_a a WHERE NOT EXISTS (SELECT 1 FROM qs_b b WHERE a.n = b.a_id AND b.m > 150) ORDER BY id;
SELECT id FROM qs_a a WHERE EXISTS (SELECT b.m FROM qs_b b WHERE b.a_id + 1 = a.id + 1 AND b.id = 10) ORDER BY id;
SELECT a.id, b.id FROM qs_a a JOIN qs_b b ON b.a_id = a.id
    WHERE EXISTS (SELECT 1 FROM qs_b c WHERE c.a_id = a.id AND c.m = b.m + 100) ORDER BY 1, 2;
SELECT id FROM qs_a a WHERE EXISTS (SELECT 1 FROM qs_b b WHERE b.a_id = a.id)
    AND NOT EXISTS (SELECT 1 FROM qs_b b WHERE b.a_id = a.id AND b.m = 300) ORDER BY id;
SELECT (SELECT count(*) FROM qs_a a WHERE EXISTS (SELECT 1 FROM qs_b b WHERE b.a_id = a.id AND b.m > o.x))
    FROM (VALUES (50), (150), (250)) o(x) ORDER BY 1;
DELETE FROM qs_b WHERE id = 40;
DELETE FROM qs_a WHERE id = 4;
-- scalar aggregate subqueries correlated by equalities (run once grouped, looked up per row)
INSERT INTO qs_b VALUES (40, NULL, 400);
INSERT INTO qs_a VALUES (4, NULL, NULL);
SELECT a.id, (SELECT count(*) FROM qs_b b WHERE b.a_id = a.id) AS c,
    (SELECT sum(m) FROM qs_b b WHERE b.a_id = a.id) AS s,
    (SELECT coalesce(max(m), -1) + a.id FROM qs_b b WHERE b.a_id = a.id AND b.m < 300) AS mx
    FROM qs_a a ORDER BY a.id;
SELECT a.id FROM qs_a a WHERE (SELECT count(*) FROM qs_b b WHERE b.a_id = a.id) = 0 ORDER BY a.id;
SELECT a.id, (SELECT count(*) FROM qs_b b WHERE b.a_id = a.n AND b.m = a.n * 100) FROM qs_a a ORDER BY a.id;
SELECT a.id, (SELECT string_agg(b.id::text, ',' ORDER BY b.id) FROM qs_b b WHERE b.a_id::bigint = a.id)
    FROM qs_a a ORDER BY a.id;
SELECT a.id, (SELECT count(DISTINCT b.m / 200) FROM qs_b b WHERE a.id = b.a_id) FROM qs_a a ORDER BY a.id;
DELETE FROM qs_b WHERE id = 40;
DELETE FROM qs_a WHERE id = 4;
-- GROUP BY a primary key: its table's other columns, in joins, HAVING and ORDER BY
SELECT a.id, a.name, count(b.id) FROM qs_a a LEFT JOIN qs_b b ON b.a_id = a.id GROUP BY a.id ORDER BY a.name;
SELECT a.name, sum(b.m) FROM qs_a a JOIN qs_b b ON b.a_id = a.id GROUP BY a.id HAVING max(a.n) > 1 ORDER BY a.n;
SELECT a.name, b.m FROM qs_a a JOIN qs_b b ON b.a_id = a.id GROUP BY a.id;
SELECT n, name FROM qs_a GROUP BY n;
-- FETCH FIRST ... WITH TIES
SELECT a_id FROM qs_b ORDER BY a_id FETCH FIRST 1 ROWS WITH TIES;
SELECT a_id FROM qs_b ORDER BY a_id DESC OFFSET 1 ROWS FETCH FIRST 1 ROW WITH TIES;
SELECT a_id FROM qs_b ORDER BY a_id FETCH FIRST 0 ROWS WITH TIES;
SELECT a_id FROM qs_b FETCH FIRST 1 ROWS WITH TIES;
-- set operations read untyped literals as the other side's type
SELECT 1 AS x UNION SELECT NULL ORDER BY 1;
SELECT '2' UNION ALL SELECT 1 ORDER BY 1;
SELECT 'x' INTERSECT SELECT 'x';
-- WITH RECURSIVE: several CTEs, a CTE that refers to a recursive one, UNION over cycles
WITH RECURSIVE up (id, depth) AS (SELECT 1, 0 UNION ALL SELECT id + 1, depth + 1 FROM up WHERE id < 3),
    named AS (SELECT u.depth, a.name FROM up u JOIN qs_a a ON a.id = u.id)
    SELECT * FROM named ORDER BY depth;
WITH RECURSIVE g (x, y) AS (VALUES (1, 2), (2, 3), (3, 1)),
    reach (n) AS (SELECT 1 UNION SELECT g.y FROM g JOIN reach r ON g.x = r.n)
    SELECT n FROM reach ORDER BY n;
WITH RECURSIVE t (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 3)
    SELECT a.n, b.n FROM t a CROSS JOIN t b WHERE a.n = b.n ORDER BY 1;
SELECT a.id, (WITH RECURSIVE c (k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM c WHERE k < a.n) SELECT count(*) FROM c)
    FROM qs_a a ORDER BY 1;
WITH RECURSIVE t (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 3) SELECT n FROM t ORDER BY n DESC;
-- WITH RECURSIVE errors
WITH RECURSIVE t (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM qs_a LEFT JOIN t ON true) SELECT * FROM t;
WITH RECURSIVE t (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n IN (SELECT n FROM t)) SELECT * FROM t;
WITH RECURSIVE t (n) AS (SELECT 1 UNION ALL SELECT a.n + 1 FROM t a, t b) SELECT * FROM t;
WITH RECURSIVE t (n) AS (SELECT 1 UNION ALL SELECT count(*) FROM t) SELECT * FROM t;
WITH RECURSIVE t (n) AS (SELECT 1 UNION ALL SELECT (n + 1)::bigint FROM t WHERE n < 3) SELECT * FROM t;
WITH RECURSIVE t (n) AS (SELECT n FROM t UNION ALL SELECT 1) SELECT * FROM t;
WITH RECURSIVE t (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t ORDER BY 1) SELECT * FROM t;
-- error hints
SELECT qs_a.id FROM qs_a a;
SELECT * FROM qs_a x, qs_b x;
DROP TABLE qs_a, qs_b;
