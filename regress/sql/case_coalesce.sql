--
-- CASE, COALESCE, NULLIF, GREATEST, LEAST.
--
CREATE TABLE cc_t (id integer PRIMARY KEY, a integer, b integer, s text);
INSERT INTO cc_t VALUES (1, 1, 10, 'x'), (2, 2, NULL, NULL), (3, NULL, 30, 'z'), (4, NULL, NULL, ''), (5, 5, 5, 'x');
SELECT id, CASE WHEN a = 1 THEN 'one' WHEN a = 2 THEN 'two' ELSE 'other' END AS c FROM cc_t ORDER BY id;
SELECT id, CASE a WHEN 1 THEN 'one' WHEN 2 THEN 'two' END AS c FROM cc_t ORDER BY id;
SELECT id, CASE WHEN a IS NULL THEN b WHEN b IS NULL THEN a ELSE a + b END AS c FROM cc_t ORDER BY id;
SELECT id, CASE WHEN a > 1 THEN 1.5 ELSE 0 END AS num FROM cc_t ORDER BY id;
SELECT CASE WHEN NULL THEN 'null is not true' ELSE 'else' END AS c;
SELECT CASE NULL WHEN NULL THEN 'matched' ELSE 'not matched' END AS c;
-- only the chosen branch is evaluated
SELECT CASE WHEN 1 > 0 THEN 1 ELSE 1 / 0 END AS lazy;
SELECT id, CASE WHEN a <> 0 THEN 100 / a END AS safe FROM cc_t ORDER BY id;
SELECT sum(CASE WHEN s = 'x' THEN 1 ELSE 0 END) AS xs, count(CASE WHEN b > 5 THEN 1 END) AS big FROM cc_t;
-- COALESCE
SELECT id, coalesce(a, b, -1) AS c, coalesce(s, '(null)') AS s FROM cc_t ORDER BY id;
SELECT coalesce(NULL, NULL, 3, 4) AS c, coalesce(NULL::integer) AS n, coalesce(1, 1 / 0) AS lazy;
SELECT coalesce(1, 2.5) AS num, coalesce(NULL, 'text') AS t;
-- NULLIF
SELECT id, nullif(a, b) AS n, nullif(s, '') AS s FROM cc_t ORDER BY id;
SELECT nullif(1, 1) AS a, nullif(1, 2) AS b, nullif(NULL, 1) AS c, 10 / nullif(0, 0) AS d;
-- GREATEST and LEAST ignore NULLs
SELECT id, greatest(a, b) AS g, least(a, b) AS l, greatest(a, b, 7) AS g7 FROM cc_t ORDER BY id;
SELECT greatest(1, 2.5, 2) AS g, least('b', 'a', 'c') AS l, greatest(NULL, NULL) AS n;
SELECT greatest(DATE '2024-01-01', DATE '2023-12-31') AS d;
-- nested
SELECT id, CASE WHEN coalesce(a, 0) > 1 THEN greatest(a, coalesce(b, 0)) ELSE nullif(b, 10) END AS v
    FROM cc_t ORDER BY id;
-- errors
SELECT CASE WHEN true THEN 1 ELSE 'x' END;
SELECT CASE WHEN 1 THEN 1 END;
SELECT coalesce(1, 'x');
SELECT greatest(1, 'x');
DROP TABLE cc_t;
