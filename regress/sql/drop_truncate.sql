--
-- DROP TABLE [IF EXISTS] [CASCADE] with several names, TRUNCATE.
--
CREATE TABLE dt_a (x integer PRIMARY KEY);
CREATE TABLE dt_b (x integer);
CREATE TABLE dt_c (x integer);
INSERT INTO dt_a VALUES (1), (2), (3);
INSERT INTO dt_b VALUES (1);
INSERT INTO dt_c VALUES (1);
-- TRUNCATE
TRUNCATE dt_a;
SELECT count(*) FROM dt_a;
INSERT INTO dt_a VALUES (1), (2);
SELECT * FROM dt_a ORDER BY x;
TRUNCATE TABLE dt_a, dt_b;
SELECT (SELECT count(*) FROM dt_a) AS a, (SELECT count(*) FROM dt_b) AS b,
       (SELECT count(*) FROM dt_c) AS c;
TRUNCATE nosuch;
-- a primary key is free again after TRUNCATE
INSERT INTO dt_a VALUES (1);
SELECT * FROM dt_a;
-- DROP TABLE
DROP TABLE dt_a;
SELECT * FROM dt_a;
DROP TABLE dt_a;
DROP TABLE IF EXISTS dt_a;
DROP TABLE IF EXISTS dt_a, dt_b;
SELECT * FROM dt_b;
DROP TABLE dt_c, nosuch;
SELECT count(*) FROM dt_c;
DROP TABLE dt_c;
DROP TABLE IF EXISTS dt_c;
-- a dropped table's name can be used again, and the new table is empty
CREATE TABLE dt_a (y text);
SELECT * FROM dt_a;
INSERT INTO dt_a VALUES ('again');
SELECT * FROM dt_a;
-- CASCADE and RESTRICT with a dependent view
CREATE VIEW dt_v AS SELECT y FROM dt_a;
DROP TABLE dt_a;
DROP TABLE dt_a RESTRICT;
SELECT * FROM dt_v;
DROP TABLE dt_a CASCADE;
SELECT * FROM dt_v;
-- DROP of something that is not a table
CREATE VIEW dt_v2 AS SELECT 1 AS one;
DROP TABLE dt_v2;
DROP VIEW dt_v2;
