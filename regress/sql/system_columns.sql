-- The tableoid system column.
CREATE TABLE sc1 (a int PRIMARY KEY, b text);
CREATE TABLE sc2 (a int PRIMARY KEY, c int);
INSERT INTO sc1 VALUES (1, 'x'), (2, 'y');
INSERT INTO sc2 VALUES (1, 10), (3, 30);
SELECT tableoid::regclass, a FROM sc1 ORDER BY a;
SELECT sc1.tableoid::regclass AS t1, sc2.tableoid::regclass AS t2, a FROM sc1 JOIN sc2 USING (a);
SELECT s.tableoid::regclass, s.a FROM sc2 s ORDER BY s.a;
SELECT count(*) FROM sc1 WHERE tableoid = 'sc1'::regclass;
SELECT tableoid = 'sc1'::regclass::oid AS same FROM sc1 WHERE a = 1;
SELECT a, (SELECT tableoid::regclass FROM sc2 WHERE sc2.a = sc1.a) FROM sc1 ORDER BY a;
INSERT INTO sc2 VALUES (4, 40) RETURNING tableoid::regclass, a;
UPDATE sc2 SET c = 0 WHERE a = 4 RETURNING tableoid::regclass, c;
DELETE FROM sc2 WHERE a = 4 RETURNING tableoid::regclass;
-- errors
SELECT tableoid FROM sc1 JOIN sc2 USING (a);
SELECT sc3.tableoid FROM sc1;
CREATE VIEW scv AS SELECT a FROM sc1;
SELECT tableoid FROM scv;
DROP VIEW scv;
DROP TABLE sc1, sc2;
