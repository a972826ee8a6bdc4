--
-- CREATE/DROP VIEW.
--
CREATE TABLE vw_t (id integer PRIMARY KEY, name text, score integer);
INSERT INTO vw_t VALUES (1, 'ann', 90), (2, 'bob', 70), (3, 'cy', NULL), (4, 'dee', 85);
CREATE VIEW vw_good AS SELECT id, name FROM vw_t WHERE score >= 80;
SELECT * FROM vw_good ORDER BY id;
-- a view sees later changes of its table
INSERT INTO vw_t VALUES (5, 'eve', 99);
UPDATE vw_t SET score = 10 WHERE id = 1;
SELECT * FROM vw_good ORDER BY id;
-- column names, expressions and aggregates
CREATE VIEW vw_stats (n, avg_score) AS SELECT count(*), avg(score) FROM vw_t;
SELECT * FROM vw_stats;
CREATE VIEW vw_expr AS SELECT id, upper(name) AS uname, score * 2 AS double FROM vw_t;
SELECT * FROM vw_expr WHERE id < 3 ORDER BY id;
-- views in joins and subqueries, and views on views
SELECT g.name, e.double FROM vw_good g JOIN vw_expr e USING (id) ORDER BY g.id;
CREATE VIEW vw_top AS SELECT * FROM vw_good WHERE id > 4;
SELECT * FROM vw_top;
SELECT count(*) FROM (SELECT * FROM vw_expr) s;
-- OR REPLACE
CREATE VIEW vw_good AS SELECT 1;
CREATE OR REPLACE VIEW vw_good AS SELECT id, name FROM vw_t WHERE score >= 50;
SELECT * FROM vw_good ORDER BY id;
-- DROP VIEW
DROP VIEW vw_good;
DROP VIEW vw_top;
DROP VIEW vw_good;
DROP VIEW IF EXISTS vw_good;
DROP VIEW vw_t;
DROP VIEW vw_stats, vw_expr;
SELECT * FROM vw_stats;
-- errors
CREATE VIEW vw_bad AS SELECT nosuch FROM vw_t;
CREATE VIEW vw_bad AS SELECT * FROM nosuch;
DROP TABLE vw_t;
