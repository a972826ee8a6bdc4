--
-- WHERE and three-valued logic: comparisons with NULL, AND/OR/NOT truth
-- tables, IS [NOT] NULL, IS [NOT] DISTINCT FROM, IS TRUE/FALSE/UNKNOWN,
-- BETWEEN, IN lists with NULLs.
--
CREATE TABLE w3_b (id integer PRIMARY KEY, v boolean);
INSERT INTO w3_b VALUES (1, true), (2, false), (3, NULL);
-- truth tables
SELECT a.v AS a, b.v AS b, a.v AND b.v AS "and", a.v OR b.v AS "or", NOT a.v AS not_a
    FROM w3_b a, w3_b b ORDER BY a.id, b.id;
SELECT v, v IS TRUE AS is_true, v IS NOT TRUE AS is_not_true, v IS FALSE AS is_false,
       v IS NOT FALSE AS is_not_false, v IS UNKNOWN AS is_unknown, v IS NULL AS is_null
    FROM w3_b ORDER BY id;
-- comparisons with NULL
SELECT NULL = NULL AS eq, NULL <> 1 AS ne, 1 < NULL AS lt, NULL IS NULL AS isnull,
       NULL IS DISTINCT FROM NULL AS dist, 1 IS DISTINCT FROM NULL AS dist1,
       1 IS NOT DISTINCT FROM 1 AS notdist;
CREATE TABLE w3_t (id integer PRIMARY KEY, a integer, s text);
INSERT INTO w3_t VALUES (1, 1, 'x'), (2, 2, NULL), (3, NULL, 'y'), (4, 4, 'x'), (5, NULL, NULL);
SELECT id FROM w3_t WHERE a = 1 ORDER BY id;
SELECT id FROM w3_t WHERE a <> 1 ORDER BY id;
SELECT id FROM w3_t WHERE NOT (a = 1) ORDER BY id;
SELECT id FROM w3_t WHERE a IS NULL ORDER BY id;
SELECT id FROM w3_t WHERE a IS NOT NULL AND s IS NOT NULL ORDER BY id;
SELECT id FROM w3_t WHERE a = 1 OR s = 'y' ORDER BY id;
SELECT id FROM w3_t WHERE a > 1 OR a IS NULL ORDER BY id;
SELECT id FROM w3_t WHERE a IS DISTINCT FROM 2 ORDER BY id;
SELECT id FROM w3_t WHERE a IS NOT DISTINCT FROM NULL ORDER BY id;
SELECT id FROM w3_t WHERE s = NULL;
SELECT id FROM w3_t WHERE (a = 4) IS UNKNOWN ORDER BY id;
SELECT id FROM w3_t WHERE true ORDER BY id;
SELECT id FROM w3_t WHERE false;
SELECT id FROM w3_t WHERE NULL;
-- BETWEEN
SELECT id FROM w3_t WHERE a BETWEEN 2 AND 4 ORDER BY id;
SELECT id FROM w3_t WHERE a NOT BETWEEN 2 AND 4 ORDER BY id;
SELECT id FROM w3_t WHERE a BETWEEN 4 AND 2;
SELECT id FROM w3_t WHERE a BETWEEN SYMMETRIC 4 AND 2 ORDER BY id;
SELECT 1 BETWEEN NULL AND 2 AS b1, 3 BETWEEN NULL AND 2 AS b2;
-- IN lists
SELECT id FROM w3_t WHERE a IN (1, 4) ORDER BY id;
SELECT id FROM w3_t WHERE a NOT IN (1, 4) ORDER BY id;
SELECT id FROM w3_t WHERE a NOT IN (1, NULL);
SELECT 1 IN (1, NULL) AS in1, 2 IN (1, NULL) AS in2, 2 NOT IN (1, NULL) AS notin2,
       NULL IN (1, 2) AS nullin;
SELECT id FROM w3_t WHERE s IN ('x', 'z') ORDER BY id;
-- expressions on both sides and column-to-column comparisons
SELECT id FROM w3_t WHERE a * 2 = id + a ORDER BY id;
SELECT id FROM w3_t WHERE a = id ORDER BY id;
-- boolean columns as conditions
SELECT id FROM w3_b WHERE v ORDER BY id;
SELECT id FROM w3_b WHERE NOT v ORDER BY id;
SELECT id FROM w3_b WHERE v IS NOT TRUE ORDER BY id;
-- NULL in arithmetic and string operations
SELECT 1 + NULL AS add, NULL || 'x' AS cat, -NULL::integer AS neg, NULL::integer / 0 AS div;
-- errors
SELECT id FROM w3_t WHERE a;
SELECT id FROM w3_t WHERE s > 1;
SELECT id FROM w3_t WHERE 1;
DROP TABLE w3_b, w3_t;
