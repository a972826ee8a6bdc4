--
-- ORDER BY (several keys, ASC/DESC, NULLS FIRST/LAST, by alias, position
-- and expression), LIMIT/OFFSET, FETCH FIRST.
--
CREATE TABLE ol_t (id integer PRIMARY KEY, g text, v integer, f float8);
INSERT INTO ol_t VALUES
    (1, 'b', 10, 1.5), (2, 'a', NULL, -2), (3, 'b', 30, NULL), (4, 'c', 10, 0),
    (5, NULL, 20, 3.25), (6, 'a', 20, 'Infinity'), (7, 'c', NULL, '-Infinity'), (8, 'b', 5, 'NaN');
SELECT id, v FROM ol_t ORDER BY v, id;
SELECT id, v FROM ol_t ORDER BY v DESC, id;
SELECT id, v FROM ol_t ORDER BY v NULLS FIRST, id;
SELECT id, v FROM ol_t ORDER BY v DESC NULLS LAST, id DESC;
SELECT id, g, v FROM ol_t ORDER BY g, v DESC, id;
SELECT id, g FROM ol_t ORDER BY g DESC NULLS LAST, id;
-- floats: -Infinity < numbers < Infinity < NaN, NULL last
SELECT id, f FROM ol_t ORDER BY f;
SELECT id, f FROM ol_t ORDER BY f DESC;
-- by alias, by position, by expression, by a column not selected
SELECT id, v * -1 AS neg FROM ol_t WHERE v IS NOT NULL ORDER BY neg, id;
SELECT g, id FROM ol_t ORDER BY 2 DESC;
SELECT id FROM ol_t ORDER BY v % 3, id;
SELECT id FROM ol_t ORDER BY g || id DESC NULLS LAST;
SELECT g FROM ol_t ORDER BY id DESC;
SELECT id, g FROM ol_t ORDER BY coalesce(g, 'zz'), id;
-- text ordering is by byte (C collation)
SELECT s FROM (VALUES ('b'), ('B'), ('a'), ('A'), ('ab'), (''), ('_'), ('1')) v (s) ORDER BY s;
-- LIMIT and OFFSET
SELECT id FROM ol_t ORDER BY id LIMIT 3;
SELECT id FROM ol_t ORDER BY id LIMIT 3 OFFSET 2;
SELECT id FROM ol_t ORDER BY id OFFSET 6;
SELECT id FROM ol_t ORDER BY id OFFSET 20;
SELECT id FROM ol_t ORDER BY id LIMIT 0;
SELECT id FROM ol_t ORDER BY id LIMIT ALL;
SELECT id FROM ol_t ORDER BY id LIMIT NULL;
SELECT id FROM ol_t ORDER BY id LIMIT 2 + 1;
SELECT id FROM ol_t ORDER BY v DESC NULLS LAST, id LIMIT 4;
-- FETCH FIRST
SELECT id FROM ol_t ORDER BY id FETCH FIRST 2 ROWS ONLY;
SELECT id FROM ol_t ORDER BY id OFFSET 1 ROW FETCH NEXT 1 ROW ONLY;
SELECT id FROM ol_t ORDER BY id FETCH FIRST ROW ONLY;
SELECT v FROM ol_t ORDER BY v FETCH FIRST 2 ROWS WITH TIES;
-- top-N with a large input
SELECT g FROM generate_series(1, 1000) g ORDER BY g % 100 DESC, g LIMIT 5;
-- errors
SELECT id FROM ol_t ORDER BY 5;
SELECT id FROM ol_t ORDER BY nosuch;
SELECT id FROM ol_t LIMIT -1;
SELECT id FROM ol_t OFFSET -1;
SELECT id FROM ol_t LIMIT 'x';
DROP TABLE ol_t;
