-- ANALYZE's statistics in pg_stats (sql/colstats.c): null fraction,
-- distinct values, most common values and their frequencies, histogram
-- bounds, as PostgreSQL computes them from a table it samples whole.
CREATE TABLE st (id int PRIMARY KEY, skew int, cat text, tri int, u int, nul int);
INSERT INTO st SELECT g,
  CASE WHEN g % 2 = 0 THEN 1 WHEN g % 5 = 0 THEN 2 WHEN g % 7 = 0 THEN 3 ELSE g END,
  CASE WHEN g % 10 = 0 THEN NULL ELSE 'c' || (g % 7) END,
  g % 3,
  (g * 37) % 1009,
  NULL::int
  FROM generate_series(1, 2000) g;
ANALYZE st;
SELECT attname, null_frac, n_distinct, most_common_vals, most_common_freqs
  FROM pg_stats WHERE tablename = 'st' ORDER BY attname;
SELECT attname, histogram_bounds FROM pg_stats WHERE tablename = 'st' ORDER BY attname;
SELECT attname, avg_width FROM pg_stats WHERE tablename = 'st' AND attname <> 'nul' ORDER BY attname;
-- a few values seen once among many duplicates: MCVs and a histogram
CREATE TABLE st2 (v int, w text);
INSERT INTO st2 SELECT g % 40, 'w' || (g % 13) FROM generate_series(1, 3000) g;
INSERT INTO st2 SELECT 1000 + g, 'once' || g FROM generate_series(1, 200) g;
ANALYZE st2;
SELECT attname, null_frac, n_distinct, most_common_vals, most_common_freqs, histogram_bounds
  FROM pg_stats WHERE tablename = 'st2' ORDER BY attname;
-- no statistics before ANALYZE, none for an empty table
CREATE TABLE st3 (a int);
SELECT count(*) FROM pg_stats WHERE tablename = 'st3';
ANALYZE st3;
SELECT count(*) FROM pg_stats WHERE tablename = 'st3';
DROP TABLE st, st2, st3;
