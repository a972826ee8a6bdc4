--
-- DELETE: WHERE, USING, RETURNING, subqueries.
--
CREATE TABLE de_t (id integer PRIMARY KEY, grp text, v integer);
INSERT INTO de_t SELECT g, CASE WHEN g % 3 = 0 THEN 'x' WHEN g % 3 = 1 THEN 'y' ELSE NULL END, g * 10
    FROM generate_series(1, 12) g;
DELETE FROM de_t WHERE id = 1;
DELETE FROM de_t WHERE id = 1;
DELETE FROM de_t WHERE id = 2 RETURNING id, v;
DELETE FROM de_t WHERE grp IS NULL;
SELECT * FROM de_t ORDER BY id;
DELETE FROM de_t WHERE v > 100 RETURNING *;
-- USING
CREATE TABLE de_kill (grp text);
INSERT INTO de_kill VALUES ('x');
DELETE FROM de_t USING de_kill k WHERE de_t.grp = k.grp AND de_t.id > 7 RETURNING de_t.id;
SELECT * FROM de_t ORDER BY id;
-- subquery
DELETE FROM de_t WHERE id = (SELECT min(id) FROM de_t) RETURNING id;
DELETE FROM de_t WHERE grp IN (SELECT grp FROM de_kill);
SELECT * FROM de_t ORDER BY id;
-- delete everything, then reuse the keys
DELETE FROM de_t;
SELECT count(*) FROM de_t;
INSERT INTO de_t VALUES (4, 'again', 1);
SELECT * FROM de_t;
DELETE FROM de_t AS d WHERE d.v = 1 RETURNING d.grp;
-- errors
DELETE FROM nosuch;
DELETE FROM de_t WHERE nosuch = 1;
DELETE FROM de_t WHERE id = 'x';
DROP TABLE de_t, de_kill;
