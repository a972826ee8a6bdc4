--
-- SELECT basics: target lists, aliases, expressions, FROM-less SELECT,
-- VALUES lists, table and column aliases, qualified names, star.
--
SELECT 1;
SELECT 1 AS one, 'two' AS two, 3.0 AS three, NULL AS nothing, true AS yes;
SELECT 1 + 2 * 3 AS arith, (1 + 2) * 3 AS paren, -5 % 3 AS modulo, 2 ^ 10 AS power;
SELECT 'a' || 'b' || 'c' AS concat, 'x' || 1 AS mixed;
SELECT 7 / 2 AS intdiv, 7.0 / 2 AS numdiv, 7 / 2.0 AS numdiv2, 7::float8 / 2 AS floatdiv;
CREATE TABLE sb_emp (id integer PRIMARY KEY, name text NOT NULL, dept text, salary integer, boss integer);
INSERT INTO sb_emp VALUES
    (1, 'alice', 'eng', 120, NULL),
    (2, 'bob', 'eng', 100, 1),
    (3, 'carol', 'ops', 90, 1),
    (4, 'dave', 'ops', 85, 3),
    (5, 'erin', NULL, 70, 3);
SELECT * FROM sb_emp ORDER BY id;
SELECT name, salary * 12 AS yearly, salary > 95 AS senior FROM sb_emp ORDER BY id;
SELECT e.name, e.dept FROM sb_emp e WHERE e.id = 3;
SELECT sb_emp.name FROM sb_emp WHERE sb_emp.id = 2;
SELECT public.sb_emp.name FROM public.sb_emp WHERE id = 4;
SELECT e.* FROM sb_emp AS e WHERE id = 5;
SELECT x.a, x.b FROM sb_emp AS x (a, b) ORDER BY a LIMIT 2;
SELECT id, id, id * 2 FROM sb_emp WHERE id < 3 ORDER BY id;
SELECT name AS "Name", dept AS "dept!" FROM sb_emp ORDER BY 1;
-- column names psql shows for unnamed expressions
SELECT id + 1, upper(name), count(*) OVER (), CAST(id AS text), id::text, 'lit', NULL
    FROM sb_emp WHERE id = 1;
-- VALUES lists
VALUES (1, 'one'), (2, 'two'), (3, NULL);
SELECT * FROM (VALUES (1, 'one'), (2, 'two')) AS v (n, word) ORDER BY n DESC;
SELECT column1, column2 FROM (VALUES (1.5, true)) v;
VALUES (1), (2.5), (NULL);
-- subquery in FROM
SELECT s.dept, s.top FROM (SELECT dept, max(salary) AS top FROM sb_emp GROUP BY dept) s ORDER BY s.dept;
-- casts in the target list
SELECT '42'::integer + 1 AS a, CAST('3.5' AS numeric) * 2 AS b, 1::boolean AS c, 't'::boolean AS d;
SELECT 10::smallint * 10::smallint AS small, 3000000000::bigint AS big, 1e3::integer AS e3;
-- errors
SELECT nosuch FROM sb_emp;
SELECT e.name FROM sb_emp;
SELECT * FROM sb_emp e, sb_emp e;
SELECT id FROM sb_emp, sb_emp s2;
SELECT sb_emp.id FROM sb_emp e;
SELECT *;
DROP TABLE sb_emp;
