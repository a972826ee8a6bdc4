--
-- Bulk DML on tens of thousands of rows (enough to go beyond a memtable's
-- worth of small writes): insert, update and delete by predicate, point
-- and range reads by key, reinsertion of deleted keys, and a table without
-- a primary key whose duplicate rows stay separate.
--
CREATE TABLE bu_t (id integer PRIMARY KEY, grp integer NOT NULL, v text, n numeric(12,2));
INSERT INTO bu_t SELECT g, g % 97, md5(g::text), g * 1.25 FROM generate_series(1, 50000) g;
SELECT count(*), sum(id), count(DISTINCT grp), sum(n), min(v), max(v) FROM bu_t;
UPDATE bu_t SET n = n * 2, v = upper(v) WHERE id % 2 = 0;
DELETE FROM bu_t WHERE grp = 13 OR id % 5 = 0;
SELECT count(*), sum(id), sum(n), count(*) FILTER (WHERE v = upper(v)) AS upper_rows FROM bu_t;
-- point and range reads
SELECT id, grp, v, n FROM bu_t WHERE id IN (1, 2, 13, 25000, 49998, 49999) ORDER BY id;
SELECT count(*), min(id), max(id), sum(n) FROM bu_t WHERE id BETWEEN 10000 AND 20000;
SELECT id FROM bu_t WHERE id > 49990 ORDER BY id DESC;
SELECT id FROM bu_t WHERE id >= 100 ORDER BY id LIMIT 5;
SELECT grp, count(*), sum(n) FROM bu_t WHERE grp IN (0, 13, 96) GROUP BY grp ORDER BY grp;
-- reinsert the deleted keys
INSERT INTO bu_t SELECT g, 0, 'again', 0 FROM generate_series(5, 50000, 5) g;
INSERT INTO bu_t VALUES (10, 0, 'dup', 0);
SELECT count(*), count(*) FILTER (WHERE v = 'again') AS again FROM bu_t;
UPDATE bu_t SET n = id WHERE v = 'again' AND id % 1000 = 0;
SELECT sum(n) FROM bu_t WHERE v = 'again';
-- a table without a primary key: duplicates stay separate rows
CREATE TABLE bu_nopk (a integer, b text);
INSERT INTO bu_nopk SELECT g % 10, 'x' FROM generate_series(1, 10000) g;
DELETE FROM bu_nopk WHERE a = 3;
UPDATE bu_nopk SET b = 'y' WHERE a < 5;
INSERT INTO bu_nopk SELECT * FROM bu_nopk WHERE a = 9;
SELECT a, b, count(*) FROM bu_nopk GROUP BY a, b ORDER BY a;
-- TRUNCATE and DROP of large tables
TRUNCATE bu_nopk;
SELECT count(*) FROM bu_nopk;
DELETE FROM bu_t WHERE id > 100;
SELECT count(*), sum(id) FROM bu_t;
DROP TABLE bu_t, bu_nopk;
