--
-- GROUP BY and HAVING: grouping keys, expressions, positions, NULL groups,
-- HAVING with and without GROUP BY, ORDER BY aggregates.
--
CREATE TABLE gh_sales (id integer PRIMARY KEY, region text, product text, qty integer, price numeric(8,2));
INSERT INTO gh_sales VALUES
    (1, 'north', 'apple', 10, 1.00), (2, 'north', 'pear', 5, 2.00), (3, 'south', 'apple', 7, 1.10),
    (4, 'south', 'apple', 3, 1.20), (5, 'east', 'plum', 1, 5.00), (6, NULL, 'apple', 2, 1.00),
    (7, 'north', 'apple', 4, 0.90), (8, NULL, NULL, 6, 3.00);
SELECT region, count(*), sum(qty) FROM gh_sales GROUP BY region ORDER BY region;
SELECT region, product, sum(qty * price) AS revenue FROM gh_sales GROUP BY region, product
    ORDER BY region NULLS FIRST, product NULLS FIRST;
SELECT product, count(*) AS n FROM gh_sales GROUP BY 1 ORDER BY n DESC, product;
SELECT upper(region) AS r, max(price) FROM gh_sales GROUP BY upper(region) ORDER BY r;
SELECT qty % 2 AS parity, count(*), min(id) FROM gh_sales GROUP BY qty % 2 ORDER BY parity;
SELECT region IS NULL AS unknown, sum(qty) FROM gh_sales GROUP BY region IS NULL ORDER BY 1;
-- grouping by a column not in the target list, ordering by an aggregate
SELECT sum(qty) FROM gh_sales GROUP BY product ORDER BY sum(qty);
SELECT product FROM gh_sales GROUP BY product ORDER BY max(price) DESC, product;
-- grouping by the primary key allows the other columns
SELECT id, region, sum(qty) FROM gh_sales GROUP BY id ORDER BY id LIMIT 3;
-- HAVING
SELECT region, sum(qty) FROM gh_sales GROUP BY region HAVING sum(qty) > 8 ORDER BY region;
SELECT region, count(*) FROM gh_sales GROUP BY region HAVING count(*) > 1 AND min(price) < 1.1 ORDER BY region;
SELECT product FROM gh_sales GROUP BY product HAVING count(DISTINCT region) >= 2 ORDER BY product;
SELECT region FROM gh_sales GROUP BY region HAVING region LIKE 's%';
SELECT sum(qty) FROM gh_sales HAVING sum(qty) > 10;
SELECT sum(qty) FROM gh_sales HAVING sum(qty) > 1000;
SELECT 1 AS one FROM gh_sales HAVING count(*) > 0;
-- aggregates and grouping in subqueries
SELECT avg(total) FROM (SELECT region, sum(qty) AS total FROM gh_sales GROUP BY region) s;
SELECT region, total FROM (SELECT region, sum(qty) AS total FROM gh_sales GROUP BY region) s
    WHERE total > (SELECT avg(qty) * 2 FROM gh_sales) ORDER BY region;
-- GROUP BY over empty input yields no group; without GROUP BY one row
SELECT region, count(*) FROM gh_sales WHERE false GROUP BY region;
SELECT count(*) FROM gh_sales WHERE false;
-- many groups
SELECT g % 10 AS k, count(*), sum(g) FROM generate_series(1, 1000) g GROUP BY g % 10 ORDER BY k;
-- errors
SELECT region, product, count(*) FROM gh_sales GROUP BY region;
SELECT region FROM gh_sales GROUP BY 9;
SELECT region, count(*) FROM gh_sales GROUP BY region HAVING qty > 1;
SELECT region FROM gh_sales GROUP BY count(*);
DROP TABLE gh_sales;
