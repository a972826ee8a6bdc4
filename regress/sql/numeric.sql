--
-- numeric(p,s): exact decimal arithmetic, rounding on assignment, scale of
-- results, comparison, special values, overflow.
--
SELECT 0.1 + 0.2 AS exact, 0.1 + 0.2 = 0.3 AS equal, 1.10 + 2.205 AS scale, 10.0 / 3 AS div, 1 / 3.0 * 3 AS back;
SELECT 123456789012345678901234567890.123 + 1 AS big, 99999999999999999999 * 99999999999999999999 AS product;
SELECT 1.5 * 2.25, 7.00 - 0.005, -0.0, 0.000, 1e-5::numeric, 1.23e4::numeric, 100::numeric / 8;
SELECT 2::numeric ^ 100 AS pow, sqrt(2::numeric) AS root2, exp(1::numeric) AS e, ln(2::numeric) AS ln2, 10::numeric % 3.3 AS modulo;
SELECT round(2.345, 2), round(2.355, 2), round(-2.345, 2), round(2.5), trunc(2.349, 2), ceil(2.001), floor(-2.001), scale(1.2300);
SELECT 1.0 = 1.00 AS eq, 1.0 < 1.01 AS lt, 'NaN'::numeric = 'NaN'::numeric AS nan_eq, 'NaN'::numeric > 1e100 AS nan_big;
SELECT 'Infinity'::numeric, '-Infinity'::numeric + 1, 'NaN'::numeric * 0, '1.5'::numeric, ' -0.50 '::numeric;
-- numeric(p,s) columns round on assignment
CREATE TABLE nu_t (id integer PRIMARY KEY, a numeric(5,2), b numeric(10), c numeric);
INSERT INTO nu_t VALUES (1, 1.005, 1.5, 1.005), (2, 123.456, 2.5, 0.000001), (3, -999.994, -2.5, 1e20), (4, NULL, 12345678.9, NULL);
SELECT * FROM nu_t ORDER BY id;
SELECT sum(a), avg(a), sum(c), max(b), min(a) FROM nu_t;
SELECT id, a * b AS ab, a / 3 AS a3, c + a AS ca FROM nu_t ORDER BY id;
SELECT a FROM nu_t ORDER BY a DESC NULLS LAST;
-- casts
SELECT 12.5::integer, 12.5::bigint, 13.5::smallint, 1.5::float8, 0.1::float8::numeric, 1e15::numeric::float8, 42::numeric(5,1);
SELECT 123.456::numeric(5,2), 123.456::numeric(6,1), 0.5::numeric(1,0), CAST(1 AS numeric(4,3));
-- errors
INSERT INTO nu_t VALUES (5, 1000, 1, 1);
INSERT INTO nu_t VALUES (5, 999.996, 1, 1);
SELECT 12345.6::numeric(4,1);
SELECT 'abc'::numeric;
SELECT 1::numeric / 0;
SELECT 'NaN'::numeric::integer;
SELECT 1e200::numeric::integer;
SELECT sqrt(-1::numeric);
DROP TABLE nu_t;
