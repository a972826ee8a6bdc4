--
-- generate_series over integers, numerics and timestamps; in FROM, in the
-- target list, joined, aggregated, and its argument errors.
--
SELECT * FROM generate_series(1, 5);
SELECT * FROM generate_series(5, 1);
SELECT * FROM generate_series(5, 1, -2);
SELECT * FROM generate_series(1, 10, 3);
SELECT * FROM generate_series(1, 1);
SELECT generate_series(1, 3) AS g;
SELECT g, g * g AS sq FROM generate_series(1, 4) AS g ORDER BY g;
SELECT t.x FROM generate_series(2, 6, 2) AS t(x) ORDER BY x DESC;
SELECT * FROM generate_series(9223372036854775805, 9223372036854775807);
SELECT * FROM generate_series(1.5, 3.5, 0.5);
SELECT * FROM generate_series(1, NULL);
SELECT count(*), sum(g), min(g), max(g) FROM generate_series(1, 100000) g;
SELECT * FROM generate_series(TIMESTAMP '2024-01-30', TIMESTAMP '2024-03-01', interval '10 days');
SELECT * FROM generate_series(DATE '2024-02-27', DATE '2024-03-02', interval '1 day');
SELECT * FROM generate_series(TIMESTAMPTZ '2024-01-01 00:00+00', TIMESTAMPTZ '2024-01-01 02:00+00', interval '45 minutes');
SELECT a.g, b.g FROM generate_series(1, 2) a(g) CROSS JOIN generate_series(1, 2) b(g) ORDER BY 1, 2;
SELECT g % 3 AS r, count(*) FROM generate_series(1, 10) g GROUP BY 1 ORDER BY 1;
-- errors
SELECT * FROM generate_series(1, 10, 0);
SELECT * FROM generate_series(TIMESTAMP '2024-01-01', TIMESTAMP '2024-01-02', interval '0');
SELECT * FROM generate_series('a', 'b');
