--
-- DISTINCT and DISTINCT ON.
--
CREATE TABLE di_t (id integer PRIMARY KEY, a integer, b text);
INSERT INTO di_t VALUES (1, 1, 'x'), (2, 1, 'x'), (3, 1, 'y'), (4, 2, 'x'), (5, NULL, 'y'),
    (6, NULL, 'y'), (7, 2, NULL), (8, NULL, NULL);
SELECT DISTINCT a FROM di_t ORDER BY a;
SELECT DISTINCT a, b FROM di_t ORDER BY a, b;
SELECT DISTINCT b FROM di_t ORDER BY b DESC;
SELECT count(*) FROM (SELECT DISTINCT a, b FROM di_t) s;
SELECT DISTINCT a % 2 AS parity FROM di_t ORDER BY 1;
SELECT ALL a FROM di_t ORDER BY a, id LIMIT 3;
-- DISTINCT ON keeps the first row of each group in ORDER BY order
SELECT DISTINCT ON (a) a, id, b FROM di_t ORDER BY a, id;
SELECT DISTINCT ON (a) a, id, b FROM di_t ORDER BY a, id DESC;
SELECT DISTINCT ON (b) b, a FROM di_t ORDER BY b, a DESC NULLS LAST;
SELECT DISTINCT ON (a, b) a, b, id FROM di_t ORDER BY a, b, id;
-- DISTINCT on expressions and numbers that compare equal
SELECT count(DISTINCT x), count(x) FROM (VALUES (1.0), (1.00), (2), (1)) v (x);
SELECT DISTINCT upper(b) FROM di_t ORDER BY 1;
-- errors
SELECT DISTINCT ON (a) a, b FROM di_t ORDER BY b;
SELECT DISTINCT a FROM di_t ORDER BY b;
DROP TABLE di_t;
