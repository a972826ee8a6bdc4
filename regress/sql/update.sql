--
-- UPDATE: expressions, several columns, WHERE, FROM, RETURNING, DEFAULT.
--
CREATE TABLE up_t (id integer PRIMARY KEY, name text, n integer DEFAULT -1, m numeric(6,2));
INSERT INTO up_t VALUES (1, 'a', 10, 1.5), (2, 'b', 20, 2.5), (3, 'c', 30, NULL), (4, 'd', NULL, 4);
UPDATE up_t SET n = n + 1;
SELECT * FROM up_t ORDER BY id;
UPDATE up_t SET name = upper(name), m = m * 2 WHERE id % 2 = 0;
SELECT * FROM up_t ORDER BY id;
UPDATE up_t SET n = DEFAULT WHERE id = 4;
UPDATE up_t SET (name, n) = ('x', 99) WHERE id = 3;
UPDATE up_t SET n = NULL, m = 0 WHERE n > 1000;
SELECT * FROM up_t ORDER BY id;
-- RETURNING sees the new row (one row: the order of several is not defined)
UPDATE up_t SET n = n * 2 WHERE id <= 2;
UPDATE up_t SET n = n * 2 WHERE id = 2 RETURNING id, n, n / 2 AS old_n;
UPDATE up_t SET name = name || '!' WHERE id = 99 RETURNING *;
-- all right-hand sides see the old row
UPDATE up_t SET n = id, id = id + 10 WHERE id = 1 RETURNING *;
-- update of the primary key
UPDATE up_t SET id = 2 WHERE id = 11;
UPDATE up_t SET id = 5 WHERE id = 11;
SELECT * FROM up_t ORDER BY id;
-- UPDATE ... FROM
CREATE TABLE up_price (id integer, delta integer);
INSERT INTO up_price VALUES (2, 1000), (3, 2000), (42, 1);
UPDATE up_t SET n = up_t.n + p.delta FROM up_price p WHERE p.id = up_t.id;
UPDATE up_t SET n = up_t.n + p.delta FROM up_price p WHERE p.id = up_t.id AND p.id = 3
    RETURNING up_t.id, up_t.n, p.delta;
SELECT id, n FROM up_t ORDER BY id;
-- subqueries in SET and WHERE
UPDATE up_t SET m = (SELECT max(delta) FROM up_price) WHERE id IN (SELECT id FROM up_price WHERE delta > 1500);
SELECT id, m FROM up_t ORDER BY id;
-- errors
UPDATE up_t SET nosuch = 1;
UPDATE up_t SET n = 'abc';
UPDATE up_t SET m = 123456;
UPDATE up_t SET n = 1 WHERE nosuch = 1;
UPDATE nosuch SET n = 1;
UPDATE up_t SET n = 1, n = 2;
SELECT * FROM up_t ORDER BY id;
DROP TABLE up_t, up_price;
