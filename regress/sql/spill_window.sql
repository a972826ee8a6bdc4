-- Window functions over partitions far larger than work_mem: the
-- partition is buffered on disk and frames read back by position
-- (ringdb: tstore.h; PostgreSQL: WindowAgg's tuplestore).
SET work_mem = '64kB';
CREATE TABLE sw (id int PRIMARY KEY, p int, k int, v int, t text);
INSERT INTO sw SELECT g, g % 3, nullif(g % 500, 7), (g * 37) % 1001, md5(g::text)
  FROM generate_series(1, 30000) g;
-- ROWS frames, lag / lead with defaults, first / last / nth_value
SELECT count(*), sum(rn), sum(l), sum(ld), sum(s), sum(fv), sum(lv), sum(nv), max(lt), min(ft) FROM (
  SELECT row_number() OVER w rn, lag(v, 3) OVER w l, lead(v, 2, -1) OVER w ld,
         sum(v) OVER (ORDER BY id ROWS BETWEEN 5 PRECEDING AND 2 FOLLOWING) s,
         first_value(v) OVER (ORDER BY id ROWS BETWEEN 10 PRECEDING AND CURRENT ROW) fv,
         last_value(v) OVER (ORDER BY id ROWS BETWEEN CURRENT ROW AND 4 FOLLOWING) lv,
         nth_value(v, 3) OVER (ORDER BY id ROWS BETWEEN 2 PRECEDING AND 2 FOLLOWING) nv,
         lag(t, 1000) OVER w lt,
         first_value(t) OVER (ORDER BY id ROWS BETWEEN 3 PRECEDING AND CURRENT ROW) ft
  FROM sw WINDOW w AS (ORDER BY id)) s;
-- RANGE frames: offsets, NULL order keys at either end, DESC, peers
SELECT sum(a), sum(b), sum(c), sum(d), sum(e) FROM (
  SELECT sum(v) OVER (ORDER BY k RANGE BETWEEN 2 PRECEDING AND 3 FOLLOWING) a,
         count(*) OVER (ORDER BY k DESC NULLS LAST RANGE BETWEEN 1 PRECEDING AND CURRENT ROW) b,
         last_value(id) OVER (ORDER BY id / 10 RANGE BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) c,
         sum(v) OVER (ORDER BY k NULLS FIRST RANGE BETWEEN 1 FOLLOWING AND 4 FOLLOWING) d,
         min(v) OVER (ORDER BY k RANGE UNBOUNDED PRECEDING) e
  FROM sw) s;
-- GROUPS frames and EXCLUDE (over frames whose rows as a set, not their
-- order among peers, decide the result)
SELECT sum(a), sum(b), sum(c), sum(d), sum(e) FROM (
  SELECT sum(v) OVER (ORDER BY id / 7 GROUPS BETWEEN 1 PRECEDING AND 1 FOLLOWING) a,
         count(*) OVER (ORDER BY id / 5 GROUPS BETWEEN 2 PRECEDING AND 1 FOLLOWING EXCLUDE TIES) b,
         max(v) OVER (ORDER BY id / 3 GROUPS BETWEEN 1 PRECEDING AND 1 FOLLOWING EXCLUDE GROUP) c,
         min(v) OVER (ORDER BY id / 4 GROUPS BETWEEN CURRENT ROW AND 2 FOLLOWING EXCLUDE CURRENT ROW) d,
         sum(v) OVER (ORDER BY id / 4 GROUPS BETWEEN 3 PRECEDING AND 1 PRECEDING) e
  FROM sw) s;
SELECT sum(a), sum(b), sum(c) FROM (
  SELECT nth_value(v, 3) OVER (ORDER BY id GROUPS BETWEEN 1 PRECEDING AND 3 FOLLOWING) a,
         last_value(v) OVER (ORDER BY id ROWS BETWEEN CURRENT ROW AND 2 FOLLOWING EXCLUDE CURRENT ROW) b,
         first_value(v) OVER (ORDER BY id ROWS BETWEEN 2 PRECEDING AND 2 FOLLOWING EXCLUDE GROUP) c
  FROM sw) s;
-- ranking over three large partitions
SELECT p, sum(rk), sum(dr), sum(nt), round(sum(pr)::numeric, 6), round(sum(cd)::numeric, 6), count(*)
FROM (SELECT p, rank() OVER w rk, dense_rank() OVER w dr, ntile(7) OVER w nt,
             percent_rank() OVER w pr, cume_dist() OVER w cd
      FROM sw WINDOW w AS (PARTITION BY p ORDER BY v / 10)) s
GROUP BY p ORDER BY p;
-- rows themselves, from the middle of a spilled partition
SELECT id, v, lag(v) OVER w, lead(t, 5000) OVER w, sum(v) OVER (ORDER BY id ROWS 2 PRECEDING),
       avg(v) OVER (ORDER BY id ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING)
FROM sw WINDOW w AS (ORDER BY id) ORDER BY id OFFSET 20000 LIMIT 5;
-- an aggregate's state over a growing frame, and FILTER
SELECT max(length(s)), sum(c) FROM (
  SELECT string_agg(t, '') OVER (ORDER BY id ROWS BETWEEN 20 PRECEDING AND CURRENT ROW) s,
         count(*) FILTER (WHERE v > 500) OVER (ORDER BY id) c
  FROM sw) x;
RESET work_mem;
DROP TABLE sw;
