-- LEFT JOIN by nested loop over the inner side's primary key: outer rows
-- without a match, NULL keys, outer keys repeated (the same inner row for
-- many outer rows), keys the inner column cannot hold, conditions on the
-- inner side and on the join, outer row counts around 64 (the batch of
-- ringdb's batched index nested loop, exec/nlbatch.c), with
-- ringdb.nestloop_batch on and off (PostgreSQL reads it as a placeholder
-- setting).  Today ringdb's planner runs these LEFT JOINs as plain nested
-- loops (an index nested loop is only chosen inside a group of inner
-- joins), so nlbatch's LEFT path is not reached from SQL yet; the answers
-- must be PostgreSQL's either way.
SET enable_hashjoin = off;
SET enable_mergejoin = off;
CREATE TABLE nbl_inner (id int PRIMARY KEY, a int, s text);
INSERT INTO nbl_inner SELECT g, g % 17, 's' || (g % 5) FROM generate_series(1, 300) g WHERE g % 7 <> 0;
CREATE TABLE nbl_inner2 (x int, y text, z int, PRIMARY KEY (x, y));
INSERT INTO nbl_inner2 SELECT g % 40, 'y' || (g % 3), g FROM generate_series(1, 120) g;
CREATE TABLE nbl_outer (id int PRIMARY KEY, k int, k8 bigint, b int, t text);
INSERT INTO nbl_outer SELECT g,
  CASE WHEN g % 11 = 0 THEN NULL WHEN g % 5 = 0 THEN (g % 13) * 3 ELSE (g * 37) % 331 - 10 END,
  CASE WHEN g % 9 = 0 THEN 4294967296 + g WHEN g % 10 = 0 THEN NULL ELSE g END,
  g % 20,
  CASE WHEN g % 6 = 0 THEN NULL ELSE 'y' || (g % 4) END
  FROM generate_series(1, 200) g;
CREATE TABLE nbl_tiny (id int PRIMARY KEY, name text);
INSERT INTO nbl_tiny SELECT g, 'n' || g FROM generate_series(0, 19) g;
ANALYZE nbl_inner;
ANALYZE nbl_inner2;
ANALYZE nbl_outer;
ANALYZE nbl_tiny;
-- every outer row, matched or not (200 rows: four batches)
SELECT o.id, o.k, i.id, i.a, i.s, x.name
  FROM nbl_outer o JOIN nbl_tiny x ON x.id = o.b LEFT JOIN nbl_inner i ON i.id = o.k
  ORDER BY o.id;
-- the same row by row
SET ringdb.nestloop_batch = off;
SELECT count(*), count(i.id), sum(i.a), count(DISTINCT i.id)
  FROM nbl_outer o JOIN nbl_tiny x ON x.id = o.b LEFT JOIN nbl_inner i ON i.id = o.k;
RESET ringdb.nestloop_batch;
SELECT count(*), count(i.id), sum(i.a), count(DISTINCT i.id)
  FROM nbl_outer o JOIN nbl_tiny x ON x.id = o.b LEFT JOIN nbl_inner i ON i.id = o.k;
-- outer row counts around the batch size
SELECT n, (SELECT count(*) FROM nbl_outer o JOIN nbl_tiny x ON x.id = o.b
             LEFT JOIN nbl_inner i ON i.id = o.k WHERE o.id <= n) AS rows,
          (SELECT count(i.id) FROM nbl_outer o JOIN nbl_tiny x ON x.id = o.b
             LEFT JOIN nbl_inner i ON i.id = o.k WHERE o.id <= n) AS matched
  FROM (VALUES (1), (63), (64), (65), (127), (128), (129), (192), (193)) v(n) ORDER BY n;
SELECT o.id, i.id FROM nbl_outer o JOIN nbl_tiny x ON x.id = o.b LEFT JOIN nbl_inner i ON i.id = o.k
  WHERE o.id BETWEEN 60 AND 70 ORDER BY o.id;
-- outer keys repeated: one inner row for many outer rows
SELECT i.id, count(*), min(o.id), max(o.id)
  FROM nbl_outer o JOIN nbl_tiny x ON x.id = o.b LEFT JOIN nbl_inner i ON i.id = o.k
  WHERE o.id % 5 = 0 GROUP BY i.id ORDER BY i.id NULLS FIRST;
-- a condition on the inner side: a found row that fails it is no match
SELECT o.id, o.k, i.id, i.s
  FROM nbl_outer o JOIN nbl_tiny x ON x.id = o.b LEFT JOIN nbl_inner i ON i.id = o.k AND i.s <> 's1'
  WHERE o.id <= 80 ORDER BY o.id;
-- a condition of the join over both sides
SELECT o.id, o.b, i.id, i.a
  FROM nbl_outer o JOIN nbl_tiny x ON x.id = o.b LEFT JOIN nbl_inner i ON i.id = o.k AND i.a < o.b
  WHERE o.id > 120 ORDER BY o.id;
-- WHERE on the null-extended side after the join (anti-join shape)
SELECT o.id, o.k FROM nbl_outer o JOIN nbl_tiny x ON x.id = o.b LEFT JOIN nbl_inner i ON i.id = o.k
  WHERE i.id IS NULL ORDER BY o.id;
-- bigint keys beyond int: no row can match
SELECT o.id, o.k8, i.id FROM nbl_outer o JOIN nbl_tiny x ON x.id = o.b LEFT JOIN nbl_inner i ON i.id = o.k8
  WHERE o.id <= 40 ORDER BY o.id;
-- a two-column key, NULL in one column
SELECT o.id, o.b, o.t, i.x, i.y, i.z
  FROM nbl_outer o JOIN nbl_tiny x ON x.id = o.b LEFT JOIN nbl_inner2 i ON i.x = o.id % 45 AND i.y = o.t
  WHERE o.id <= 90 ORDER BY o.id;
-- LIMIT across a batch boundary
SELECT o.id, i.id, i.a FROM nbl_outer o JOIN nbl_tiny x ON x.id = o.b LEFT JOIN nbl_inner i ON i.id = o.k
  ORDER BY o.id LIMIT 5 OFFSET 62;
-- an empty inner table: every row null-extended
CREATE TABLE nbl_empty (id int PRIMARY KEY, v int);
SELECT count(*), count(e.id) FROM nbl_outer o JOIN nbl_tiny x ON x.id = o.b LEFT JOIN nbl_empty e ON e.id = o.k;
RESET enable_hashjoin;
RESET enable_mergejoin;
DROP TABLE nbl_inner, nbl_inner2, nbl_outer, nbl_tiny, nbl_empty;
