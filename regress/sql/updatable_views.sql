-- INSERT, UPDATE and DELETE through automatically updatable views,
-- WITH CHECK OPTION, and the views that are not updatable.
CREATE TABLE uv_base (id int PRIMARY KEY, a int, b text DEFAULT 'dflt', c int);
INSERT INTO uv_base VALUES (1, 10, 'one', 100), (2, 20, 'two', 200), (3, 30, 'three', 300);

-- a plain projection with renamed and computed columns
CREATE VIEW uv1 AS SELECT id, a AS x, b, a * 2 AS twice FROM uv_base;
INSERT INTO uv1 (id, x, b) VALUES (4, 40, 'four');
INSERT INTO uv1 (id, x) VALUES (5, 50);
INSERT INTO uv1 VALUES (6, 60, 'six');
INSERT INTO uv1 (id, x, b) VALUES (7, 70, 'seven') RETURNING *;
INSERT INTO uv1 (id, x) VALUES (8, 80) RETURNING id, x, twice, b;
SELECT * FROM uv_base ORDER BY id;
UPDATE uv1 SET x = x + 1 WHERE twice > 100;
UPDATE uv1 SET b = 'TWO' WHERE id = 2 RETURNING id, x, b, twice;
UPDATE uv1 AS v SET b = upper(v.b) WHERE v.x < 20 RETURNING v.*;
DELETE FROM uv1 WHERE x = 51;
DELETE FROM uv1 WHERE twice >= 160 RETURNING id, twice;
SELECT * FROM uv1 ORDER BY id;

-- a view with a WHERE: UPDATE and DELETE see only its rows
CREATE VIEW uv2 AS SELECT id, a, b FROM uv_base WHERE a >= 30;
UPDATE uv2 SET b = b || '!';
DELETE FROM uv2 WHERE id = 6;
SELECT * FROM uv_base ORDER BY id;
-- without CHECK OPTION a new row may fall outside the view
INSERT INTO uv2 VALUES (9, 5, 'outside');
UPDATE uv2 SET a = 1 WHERE id = 3;
SELECT * FROM uv2 ORDER BY id;
SELECT * FROM uv_base ORDER BY id;

-- a view on a view, and star
CREATE VIEW uv3 AS SELECT * FROM uv2 WHERE id < 100;
INSERT INTO uv3 VALUES (10, 100, 'ten');
UPDATE uv3 SET b = 'TEN' WHERE id = 10;
SELECT * FROM uv3 ORDER BY id;
DELETE FROM uv3 WHERE id = 10;
SELECT count(*) FROM uv_base;

-- WITH CHECK OPTION
CREATE VIEW uvc AS SELECT id, a, b FROM uv_base WHERE a > 0 AND a < 1000 WITH CHECK OPTION;
INSERT INTO uvc VALUES (20, 500, 'ok');
INSERT INTO uvc VALUES (21, 5000, 'too big');
INSERT INTO uvc VALUES (22, NULL, 'null a');
UPDATE uvc SET a = -1 WHERE id = 20;
UPDATE uvc SET a = 501 WHERE id = 20 RETURNING *;
SELECT * FROM uv_base WHERE id >= 20 ORDER BY id;
-- LOCAL and CASCADED
CREATE VIEW uvl AS SELECT * FROM uv2 WHERE a < 1000 WITH LOCAL CHECK OPTION;
INSERT INTO uvl VALUES (23, 1, 'below uv2');
INSERT INTO uvl VALUES (24, 2000, 'above uvl');
CREATE VIEW uvcc AS SELECT * FROM uv2 WHERE a < 1000 WITH CASCADED CHECK OPTION;
INSERT INTO uvcc VALUES (25, 1, 'below uv2');
INSERT INTO uvcc VALUES (26, 40, 'fine');
CREATE VIEW uvdef AS SELECT * FROM uv2 WITH CHECK OPTION;
INSERT INTO uvdef VALUES (27, 2, 'below uv2');
SELECT * FROM uv_base WHERE id >= 20 ORDER BY id;

-- columns that cannot be assigned
INSERT INTO uv1 (id, twice) VALUES (30, 1);
UPDATE uv1 SET twice = 3 WHERE id = 1;
INSERT INTO uv1 (id, nosuch) VALUES (31, 1);
UPDATE uv1 SET x = 1 WHERE nosuch = 1;
UPDATE uv1 SET x = 1 WHERE uv1.nosuch = 1;

-- views that are not automatically updatable
CREATE VIEW nu_distinct AS SELECT DISTINCT a FROM uv_base;
CREATE VIEW nu_group AS SELECT a, count(*) AS n FROM uv_base GROUP BY a;
CREATE VIEW nu_agg AS SELECT max(a) AS m FROM uv_base;
CREATE VIEW nu_limit AS SELECT id, a FROM uv_base ORDER BY id LIMIT 2;
CREATE VIEW nu_union AS SELECT id FROM uv_base UNION SELECT id FROM uv_base;
CREATE VIEW nu_join AS SELECT x.id, y.a FROM uv_base x JOIN uv_base y ON x.id = y.id;
CREATE VIEW nu_window AS SELECT id, row_number() OVER (ORDER BY id) AS rn FROM uv_base;
CREATE VIEW nu_nocols AS SELECT a + 1 AS a1 FROM uv_base;
CREATE VIEW nu_const AS SELECT 1 AS one;
INSERT INTO nu_distinct VALUES (1);
UPDATE nu_distinct SET a = 1;
DELETE FROM nu_distinct;
DELETE FROM nu_group;
DELETE FROM nu_agg;
DELETE FROM nu_limit;
DELETE FROM nu_union;
DELETE FROM nu_join;
DELETE FROM nu_window;
INSERT INTO nu_nocols VALUES (1);
DELETE FROM nu_nocols WHERE a1 = 2000;
DELETE FROM nu_const;
CREATE VIEW nu_check AS SELECT DISTINCT a FROM uv_base WITH CHECK OPTION;

SELECT table_name, check_option, is_updatable, is_insertable_into
  FROM information_schema.views WHERE table_schema = 'public' ORDER BY table_name;

DROP VIEW nu_distinct, nu_group, nu_agg, nu_limit, nu_union, nu_join, nu_window, nu_nocols, nu_const;
DROP VIEW uvdef, uvcc, uvl, uvc, uv3, uv2, uv1;
DROP TABLE uv_base;
