--
-- SELECT ... FOR UPDATE / NO KEY UPDATE / SHARE / KEY SHARE in one
-- session: the rows returned, OF, NOWAIT / SKIP LOCKED on rows this
-- transaction holds, and the shapes PostgreSQL refuses.
--
CREATE TABLE rl_a (id integer PRIMARY KEY, v integer, note text);
CREATE TABLE rl_b (id integer PRIMARY KEY, a_id integer, label text);
INSERT INTO rl_a SELECT g, g * 10, 'a' || g FROM generate_series(1, 6) g;
INSERT INTO rl_b VALUES (1, 1, 'x'), (2, 2, 'y'), (3, 9, 'z');
SELECT * FROM rl_a WHERE id = 2 FOR UPDATE;
SELECT id, v FROM rl_a WHERE v > 20 ORDER BY id FOR SHARE;
SELECT id FROM rl_a ORDER BY id DESC LIMIT 2 FOR NO KEY UPDATE;
SELECT id FROM rl_a ORDER BY id LIMIT 2 OFFSET 1 FOR KEY SHARE;
SELECT id FROM rl_a ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED;
SELECT id FROM rl_a WHERE id < 3 ORDER BY id FOR UPDATE NOWAIT;
SELECT v + 1 AS w FROM rl_a WHERE id = 3 FOR UPDATE;
SELECT a.id, b.label FROM rl_a a JOIN rl_b b ON b.a_id = a.id ORDER BY a.id FOR UPDATE OF a;
SELECT a.id, b.label FROM rl_a a, rl_b b WHERE b.a_id = a.id ORDER BY a.id FOR SHARE OF a, b;
SELECT a.id FROM rl_a a JOIN rl_b b ON b.a_id = a.id ORDER BY a.id FOR UPDATE OF b FOR SHARE OF a;
SELECT id FROM rl_a WHERE id IN (SELECT a_id FROM rl_b) ORDER BY id FOR UPDATE;
SELECT * FROM (SELECT id FROM rl_a WHERE id = 1 FOR UPDATE) s;
SELECT a.id, g FROM rl_a a, generate_series(1, 2) g WHERE a.id = 1 ORDER BY g FOR UPDATE;
-- subqueries and views in FROM lock their tables; WITH queries only when named
CREATE VIEW rl_v AS SELECT id, v FROM rl_a WHERE v >= 30;
SELECT * FROM rl_v WHERE id < 5 ORDER BY id FOR UPDATE;
SELECT s.id, b.label FROM (SELECT id FROM rl_a WHERE id < 3) s JOIN rl_b b ON b.a_id = s.id ORDER BY s.id FOR SHARE;
WITH w AS (SELECT id FROM rl_a WHERE id = 2) SELECT a.id FROM rl_a a, w WHERE a.id = w.id FOR UPDATE;
WITH w AS (SELECT id FROM rl_a WHERE id = 2) SELECT a.id FROM rl_a a, w WHERE a.id = w.id FOR UPDATE OF w;
SELECT id FROM (SELECT id FROM rl_a GROUP BY id) s FOR UPDATE;
DROP VIEW rl_v;
BEGIN;
SELECT id FROM rl_a WHERE id = 4 FOR UPDATE;
SELECT id FROM rl_a WHERE id = 4 FOR UPDATE NOWAIT;
SELECT id FROM rl_a WHERE id = 4 FOR KEY SHARE SKIP LOCKED;
UPDATE rl_a SET note = 'locked' WHERE id = 4;
SELECT id, note FROM rl_a WHERE id = 4 FOR SHARE;
DELETE FROM rl_a WHERE id = 5;
SELECT id FROM rl_a WHERE id >= 4 ORDER BY id FOR UPDATE;
ROLLBACK;
SELECT id, note FROM rl_a WHERE id >= 4 ORDER BY id FOR UPDATE;
-- refused
SELECT count(*) FROM rl_a FOR UPDATE;
SELECT v FROM rl_a GROUP BY v FOR UPDATE;
SELECT DISTINCT v FROM rl_a FOR SHARE;
SELECT id FROM rl_a GROUP BY id HAVING id > 1 FOR KEY SHARE;
SELECT id, row_number() OVER (ORDER BY id) FROM rl_a FOR UPDATE;
SELECT id FROM rl_a UNION SELECT id FROM rl_b FOR UPDATE;
VALUES (1) FOR UPDATE;
SELECT id FROM rl_a FOR UPDATE OF nosuch;
SELECT a.id FROM rl_a a FOR UPDATE OF rl_a;
SELECT a.id FROM rl_a a LEFT JOIN rl_b b ON b.a_id = a.id FOR UPDATE;
SELECT a.id FROM rl_a a LEFT JOIN rl_b b ON b.a_id = a.id FOR UPDATE OF b;
SELECT g FROM generate_series(1, 2) g FOR UPDATE OF g;
DROP TABLE rl_b;
DROP TABLE rl_a;
