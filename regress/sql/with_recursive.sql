--
-- WITH (common table expressions) and WITH RECURSIVE.
--
CREATE TABLE wr_tree (id integer PRIMARY KEY, parent integer, name text);
INSERT INTO wr_tree VALUES (1, NULL, 'root'), (2, 1, 'a'), (3, 1, 'b'), (4, 2, 'a1'),
    (5, 2, 'a2'), (6, 4, 'a1x'), (7, 3, 'b1');
WITH t AS (SELECT id, name FROM wr_tree WHERE parent = 1) SELECT * FROM t ORDER BY id;
WITH a AS (SELECT 1 AS x), b AS (SELECT x + 1 AS y FROM a) SELECT * FROM a, b;
WITH t (n, m) AS (VALUES (1, 2), (3, 4)) SELECT n + m FROM t ORDER BY 1;
WITH t AS (SELECT id FROM wr_tree) SELECT count(*) FROM t a JOIN t b ON a.id = b.id;
WITH t AS MATERIALIZED (SELECT 42 AS v) SELECT v FROM t;
WITH t AS NOT MATERIALIZED (SELECT 42 AS v) SELECT v FROM t;
-- a CTE hides a table of the same name
WITH wr_tree AS (SELECT 'shadow' AS name) SELECT name FROM wr_tree;
-- CTEs in subqueries
SELECT (WITH m AS (SELECT max(id) AS v FROM wr_tree) SELECT v FROM m) AS top;
-- recursive: counting, a tree walk with depth and path, termination by WHERE
WITH RECURSIVE c (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 10) SELECT sum(n), count(*) FROM c;
WITH RECURSIVE sub AS (
    SELECT id, name, 0 AS depth, name AS path FROM wr_tree WHERE parent IS NULL
    UNION ALL
    SELECT t.id, t.name, s.depth + 1, s.path || '/' || t.name
    FROM wr_tree t JOIN sub s ON t.parent = s.id
) SELECT id, depth, path FROM sub ORDER BY path;
WITH RECURSIVE anc (id, parent) AS (
    SELECT id, parent FROM wr_tree WHERE id = 6
    UNION
    SELECT t.id, t.parent FROM wr_tree t, anc WHERE t.id = anc.parent
) SELECT id FROM anc ORDER BY id;
-- UNION (not ALL) stops a cycle
WITH RECURSIVE cyc (n) AS (SELECT 1 UNION SELECT (n % 3) + 1 FROM cyc) SELECT n FROM cyc ORDER BY n;
-- fibonacci
WITH RECURSIVE fib (i, a, b) AS (SELECT 1, 0::bigint, 1::bigint UNION ALL SELECT i + 1, b, a + b FROM fib WHERE i < 50)
    SELECT i, a FROM fib WHERE i IN (1, 2, 10, 50) ORDER BY i;
-- data-modifying statements are not required; a plain CTE used twice
WITH x AS (SELECT id FROM wr_tree WHERE id > 5) SELECT (SELECT count(*) FROM x), (SELECT min(id) FROM x);
-- errors
WITH RECURSIVE bad (n) AS (SELECT 1 UNION ALL SELECT 'x' FROM bad) SELECT * FROM bad;
WITH t AS (SELECT 1), t AS (SELECT 2) SELECT * FROM t;
WITH t (a, b) AS (SELECT 1) SELECT * FROM t;
WITH RECURSIVE r (n) AS (SELECT n FROM r) SELECT * FROM r;
DROP TABLE wr_tree;
