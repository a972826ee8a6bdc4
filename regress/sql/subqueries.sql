--
-- Subqueries: scalar, IN / NOT IN, EXISTS / NOT EXISTS, ANY / SOME / ALL,
-- correlated, in FROM, LATERAL.
--
CREATE TABLE su_dept (id integer PRIMARY KEY, name text);
CREATE TABLE su_emp (id integer PRIMARY KEY, dept integer, name text, pay integer);
INSERT INTO su_dept VALUES (1, 'eng'), (2, 'ops'), (3, 'empty');
INSERT INTO su_emp VALUES (1, 1, 'ann', 100), (2, 1, 'bob', 80), (3, 2, 'cy', 90),
    (4, 2, 'dee', NULL), (5, NULL, 'eve', 70);
-- scalar subqueries
SELECT (SELECT max(pay) FROM su_emp) AS top, (SELECT name FROM su_dept WHERE id = 2) AS d;
SELECT name, pay - (SELECT avg(pay) FROM su_emp)::integer AS above FROM su_emp ORDER BY id;
SELECT (SELECT name FROM su_dept WHERE id = 99) IS NULL AS missing;
SELECT name FROM su_emp WHERE pay = (SELECT min(pay) FROM su_emp);
-- correlated scalar subqueries
SELECT d.name, (SELECT count(*) FROM su_emp e WHERE e.dept = d.id) AS n,
       (SELECT max(pay) FROM su_emp e WHERE e.dept = d.id) AS top
    FROM su_dept d ORDER BY d.id;
SELECT name FROM su_emp e WHERE pay > (SELECT avg(pay) FROM su_emp x WHERE x.dept = e.dept) ORDER BY id;
-- IN and NOT IN, with NULLs
SELECT name FROM su_emp WHERE dept IN (SELECT id FROM su_dept WHERE name <> 'ops') ORDER BY id;
SELECT name FROM su_dept WHERE id NOT IN (SELECT dept FROM su_emp WHERE dept IS NOT NULL) ORDER BY id;
SELECT name FROM su_dept WHERE id NOT IN (SELECT dept FROM su_emp);
SELECT 1 IN (SELECT dept FROM su_emp) AS a, 3 IN (SELECT dept FROM su_emp) AS b,
       3 NOT IN (SELECT dept FROM su_emp) AS c, NULL IN (SELECT 1 WHERE false) AS d;
SELECT name FROM su_emp WHERE (dept, pay) IN (SELECT dept, max(pay) FROM su_emp GROUP BY dept) ORDER BY id;
-- EXISTS
SELECT name FROM su_dept d WHERE EXISTS (SELECT 1 FROM su_emp e WHERE e.dept = d.id) ORDER BY id;
SELECT name FROM su_dept d WHERE NOT EXISTS (SELECT * FROM su_emp e WHERE e.dept = d.id) ORDER BY id;
SELECT EXISTS (SELECT 1 FROM su_emp WHERE pay > 1000) AS rich, EXISTS (SELECT NULL) AS some_row;
-- ANY / SOME / ALL
SELECT name FROM su_emp WHERE pay > ANY (SELECT pay FROM su_emp WHERE dept = 2) ORDER BY id;
SELECT name FROM su_emp WHERE pay >= ALL (SELECT pay FROM su_emp WHERE pay IS NOT NULL) ORDER BY id;
SELECT name FROM su_emp WHERE pay >= ALL (SELECT pay FROM su_emp);
SELECT name FROM su_emp WHERE pay = SOME (SELECT pay FROM su_emp WHERE dept = 1) ORDER BY id;
SELECT 5 > ALL (SELECT 1 WHERE false) AS all_empty, 5 > ANY (SELECT 1 WHERE false) AS any_empty;
SELECT 2 = ANY (ARRAY[1, 2, 3]) AS a, 4 <> ALL (ARRAY[1, 2, 3]) AS b, 1 = ANY (ARRAY[NULL, 2]) AS c;
-- subqueries in FROM
SELECT s.dept, s.total FROM (SELECT dept, sum(pay) AS total FROM su_emp GROUP BY dept) AS s
    WHERE s.total > 75 ORDER BY s.dept;
SELECT * FROM (SELECT * FROM (SELECT id, name FROM su_emp WHERE id < 4) a WHERE id > 1) b ORDER BY id;
SELECT count(*) FROM (SELECT 1 FROM su_emp, su_dept) x;
-- LATERAL
SELECT d.name, t.name, t.pay FROM su_dept d,
    LATERAL (SELECT name, pay FROM su_emp e WHERE e.dept = d.id ORDER BY pay DESC NULLS LAST LIMIT 1) t
    ORDER BY d.id;
SELECT d.name, t.name FROM su_dept d
    LEFT JOIN LATERAL (SELECT name FROM su_emp e WHERE e.dept = d.id ORDER BY id LIMIT 1) t ON true
    ORDER BY d.id;
SELECT x, y FROM generate_series(1, 3) x, LATERAL generate_series(1, x) y ORDER BY x, y;
SELECT e.name, s.doubled FROM su_emp e, LATERAL (SELECT e.pay * 2 AS doubled) s WHERE e.id <= 2 ORDER BY e.id;
-- subqueries in other clauses
SELECT name FROM su_emp ORDER BY (SELECT d.name FROM su_dept d WHERE d.id = su_emp.dept) NULLS FIRST, id;
SELECT dept, count(*) FROM su_emp GROUP BY dept HAVING count(*) > (SELECT count(*) / 3 FROM su_emp)
    ORDER BY dept;
UPDATE su_emp SET pay = (SELECT max(pay) FROM su_emp) WHERE pay IS NULL;
SELECT name, pay FROM su_emp WHERE id = 4;
-- errors
SELECT (SELECT id FROM su_emp);
SELECT (SELECT id, name FROM su_emp WHERE id = 1);
SELECT name FROM su_emp WHERE dept IN (SELECT id, name FROM su_dept);
SELECT * FROM (SELECT 1);
SELECT d.name FROM su_dept d, (SELECT name FROM su_emp e WHERE e.dept = d.id) t;
DROP TABLE su_dept, su_emp;
