--
-- INSERT: multi-row VALUES, INSERT ... SELECT, column lists, DEFAULT,
-- RETURNING, ON CONFLICT DO NOTHING / DO UPDATE, implicit casts.
--
CREATE TABLE in_t (id integer PRIMARY KEY, name text DEFAULT 'anon', n integer DEFAULT 0, note varchar(8));
INSERT INTO in_t VALUES (1, 'one', 1, 'a');
INSERT INTO in_t VALUES (2, 'two', 2, 'b'), (3, 'three', 3, NULL), (4, DEFAULT, DEFAULT, DEFAULT);
INSERT INTO in_t (id) VALUES (5);
INSERT INTO in_t (n, id) VALUES (60, 6);
INSERT INTO in_t (id, name) VALUES (7, NULL);
SELECT * FROM in_t ORDER BY id;
-- implicit casts from literals and other types
INSERT INTO in_t VALUES ('8', 8, '80', 12345);
INSERT INTO in_t VALUES (9.4, 'nine', 9.6, 'x');
INSERT INTO in_t VALUES (10, 'ten', 2147483648);
SELECT * FROM in_t WHERE id >= 8 ORDER BY id;
-- RETURNING
INSERT INTO in_t VALUES (11, 'eleven', 11) RETURNING *;
INSERT INTO in_t (id, name) VALUES (12, 'twelve'), (13, 'thirteen') RETURNING id, upper(name) AS shout, n + 1;
INSERT INTO in_t (id) VALUES (14) RETURNING name, n, note IS NULL AS null_note;
-- INSERT ... SELECT
CREATE TABLE in_copy (id integer, name text);
INSERT INTO in_copy SELECT id, name FROM in_t WHERE id <= 3;
INSERT INTO in_copy (name, id) SELECT name || '!', id + 100 FROM in_t WHERE id = 1 RETURNING *;
INSERT INTO in_copy SELECT g, 'gen' || g FROM generate_series(20, 22) g;
SELECT * FROM in_copy ORDER BY id;
-- ON CONFLICT DO NOTHING
INSERT INTO in_t VALUES (1, 'dup') ON CONFLICT DO NOTHING;
INSERT INTO in_t VALUES (1, 'dup'), (15, 'fifteen') ON CONFLICT (id) DO NOTHING RETURNING id, name;
SELECT id, name FROM in_t WHERE id IN (1, 15) ORDER BY id;
-- ON CONFLICT DO UPDATE
INSERT INTO in_t VALUES (2, 'TWO', 20) ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, n = in_t.n + EXCLUDED.n;
SELECT * FROM in_t WHERE id = 2;
INSERT INTO in_t AS t VALUES (3, 'x', 30), (16, 'sixteen', 16)
    ON CONFLICT (id) DO UPDATE SET n = t.n * 100 WHERE t.n < 10 RETURNING *;
INSERT INTO in_t VALUES (3, 'x', 30) ON CONFLICT (id) DO UPDATE SET n = 0 WHERE in_t.n < 10 RETURNING *;
SELECT * FROM in_t WHERE id IN (3, 16) ORDER BY id;
CREATE TABLE in_kv (k text PRIMARY KEY, v integer NOT NULL, hits integer DEFAULT 1);
INSERT INTO in_kv VALUES ('a', 1) ON CONFLICT (k) DO UPDATE SET hits = in_kv.hits + 1;
INSERT INTO in_kv VALUES ('a', 2) ON CONFLICT (k) DO UPDATE SET hits = in_kv.hits + 1, v = EXCLUDED.v;
INSERT INTO in_kv VALUES ('a', 3), ('b', 4) ON CONFLICT (k) DO UPDATE SET hits = in_kv.hits + 1, v = EXCLUDED.v;
SELECT * FROM in_kv ORDER BY k;
-- one statement may not touch the same row twice
INSERT INTO in_kv VALUES ('c', 1), ('c', 2) ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v;
INSERT INTO in_kv VALUES ('c', 1), ('c', 2) ON CONFLICT (k) DO NOTHING;
SELECT * FROM in_kv WHERE k = 'c';
-- ON CONFLICT on a column without a unique constraint
INSERT INTO in_kv VALUES ('d', 1) ON CONFLICT (v) DO NOTHING;
-- a failing row makes the whole statement fail
INSERT INTO in_t VALUES (17, 'ok'), (1, 'dup');
SELECT count(*) FROM in_t WHERE id = 17;
-- errors
INSERT INTO in_t VALUES (18, 'a', 'not a number');
INSERT INTO in_t (id, nosuch) VALUES (18, 1);
INSERT INTO in_t (id, id) VALUES (18, 1);
INSERT INTO in_t (id, name) VALUES (18);
INSERT INTO in_t (id) VALUES (18, 'x');
INSERT INTO in_t VALUES (18, 'a', 1, 'b', 'extra');
INSERT INTO in_t VALUES (18, 'a', 1, 'too long!');
INSERT INTO nosuch VALUES (1);
SELECT count(*) FROM in_t;
DROP TABLE in_t, in_copy, in_kv;
