--
-- Window functions: row_number, rank, dense_rank, ntile, lag, lead,
-- first_value, last_value, nth_value, and aggregates over partitions and
-- frames (ROWS / RANGE, UNBOUNDED, CURRENT ROW, offsets), named windows.
--
CREATE TABLE wi_t (id integer PRIMARY KEY, grp text, v integer);
INSERT INTO wi_t VALUES (1, 'a', 10), (2, 'a', 20), (3, 'a', 20), (4, 'b', 5), (5, 'b', NULL),
    (6, 'b', 15), (7, 'c', 30), (8, 'a', 40);
SELECT id, grp, v, row_number() OVER (ORDER BY id) AS rn,
       row_number() OVER (PARTITION BY grp ORDER BY id) AS rn_grp FROM wi_t ORDER BY id;
SELECT id, grp, v, rank() OVER w, dense_rank() OVER w, percent_rank() OVER w, cume_dist() OVER w
    FROM wi_t WINDOW w AS (PARTITION BY grp ORDER BY v) ORDER BY grp, v, id;
SELECT id, v, ntile(3) OVER (ORDER BY id) FROM wi_t ORDER BY id;
SELECT id, v, lag(v) OVER (ORDER BY id), lead(v) OVER (ORDER BY id), lag(v, 2, -1) OVER (ORDER BY id),
       lead(v, 3, 0) OVER (ORDER BY id) FROM wi_t ORDER BY id;
SELECT id, grp, v, first_value(v) OVER w AS first, last_value(v) OVER w AS last_default_frame,
       last_value(v) OVER (PARTITION BY grp ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS last,
       nth_value(v, 2) OVER w AS second
    FROM wi_t WINDOW w AS (PARTITION BY grp ORDER BY id) ORDER BY id;
-- aggregates as window functions
SELECT id, grp, v, sum(v) OVER (PARTITION BY grp) AS grp_sum, count(*) OVER (PARTITION BY grp) AS grp_n,
       avg(v) OVER (PARTITION BY grp) AS grp_avg, max(v) OVER () AS all_max FROM wi_t ORDER BY id;
SELECT id, v, sum(v) OVER (ORDER BY id) AS running, count(v) OVER (ORDER BY id) AS running_n FROM wi_t ORDER BY id;
-- frames
SELECT id, v, sum(v) OVER (ORDER BY id ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING) AS moving3,
       sum(v) OVER (ORDER BY id ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) AS rest,
       sum(v) OVER (ORDER BY id ROWS 2 PRECEDING) AS last3,
       min(v) OVER (ORDER BY id ROWS BETWEEN 2 FOLLOWING AND 3 FOLLOWING) AS ahead
    FROM wi_t ORDER BY id;
-- RANGE frames: peers (equal ORDER BY values) share a frame
SELECT id, v, sum(v) OVER (ORDER BY v) AS range_default, sum(v) OVER (ORDER BY v, id ROWS UNBOUNDED PRECEDING) AS rows_frame,
       count(*) OVER (ORDER BY v RANGE BETWEEN 5 PRECEDING AND 5 FOLLOWING) AS near
    FROM wi_t WHERE v IS NOT NULL ORDER BY v, id;
-- window functions over grouped results, in expressions and subqueries
SELECT grp, sum(v) AS total, rank() OVER (ORDER BY sum(v) DESC) AS place FROM wi_t GROUP BY grp ORDER BY place, grp;
SELECT id, v, v - avg(v) OVER (PARTITION BY grp) AS diff FROM wi_t WHERE grp = 'a' ORDER BY id;
SELECT * FROM (SELECT id, grp, row_number() OVER (PARTITION BY grp ORDER BY v DESC NULLS LAST, id) AS r FROM wi_t) s
    WHERE r = 1 ORDER BY grp;
SELECT id, row_number() OVER (ORDER BY v DESC NULLS LAST, id) AS r FROM wi_t ORDER BY r LIMIT 3;
-- errors
SELECT id FROM wi_t WHERE row_number() OVER (ORDER BY id) > 1;
SELECT id, rank() FROM wi_t;
SELECT id, sum(v) OVER w FROM wi_t;
SELECT id, ntile(0) OVER (ORDER BY id) FROM wi_t;
DROP TABLE wi_t;
