-- Operators beyond work_mem (64kB, the least PostgreSQL allows): hash
-- joins of every type, nested loops, INTERSECT / EXCEPT [ALL], UNION,
-- DISTINCT and ORDER BY aggregates, WITH RECURSIVE.  ringdb spills them
-- to disk; the answers must not change.
SET work_mem = '64kB';
CREATE TABLE sp_l (id int PRIMARY KEY, k int, pad text);
CREATE TABLE sp_r (id int PRIMARY KEY, k int, pad text);
INSERT INTO sp_l SELECT g, CASE WHEN g <= 10 THEN -1 WHEN g % 97 = 0 THEN NULL ELSE g % 3000 END,
  md5(g::text) FROM generate_series(1, 30000) g;
INSERT INTO sp_r SELECT g, CASE WHEN g % 5 = 0 THEN -1 WHEN g % 89 = 0 THEN NULL ELSE g % 4000 END,
  md5(g::text) FROM generate_series(1, 20000) g;
-- hash joins
SELECT count(*), sum(l.id), sum(r.id) FROM sp_l l JOIN sp_r r ON l.k = r.k;
SELECT count(*), sum(l.id), count(r.id), sum(r.id) FROM sp_l l LEFT JOIN sp_r r ON l.k = r.k;
SELECT count(*), count(l.id), sum(l.id), sum(r.id) FROM sp_l l RIGHT JOIN sp_r r ON l.k = r.k;
SELECT count(*), count(l.id), sum(l.id), count(r.id), sum(r.id) FROM sp_l l FULL JOIN sp_r r ON l.k = r.k;
SELECT count(*), sum(l.id), sum(r.id) FROM sp_l l FULL JOIN sp_r r ON l.k = r.k AND (l.id + r.id) % 3 = 0;
SELECT count(*), sum(id) FROM sp_l l WHERE EXISTS (SELECT 1 FROM sp_r r WHERE r.k = l.k);
SELECT count(*), sum(id) FROM sp_l l WHERE NOT EXISTS (SELECT 1 FROM sp_r r WHERE r.k = l.k);
SELECT l.id, r.id, r.pad FROM sp_l l JOIN sp_r r ON l.k = r.k AND l.pad < r.pad
  WHERE l.id BETWEEN 100 AND 103 ORDER BY 1, 2;
SELECT count(*), sum(l.id) FROM sp_l l JOIN sp_r r ON l.k = r.k AND l.pad = r.pad;
-- nested loop
SELECT count(*), sum(a.id), sum(b.id) FROM (SELECT * FROM sp_l WHERE id <= 800) a
  JOIN (SELECT * FROM sp_r WHERE id <= 800) b ON a.id < b.id AND b.id < a.id + 4;
-- set operations
SELECT count(*), sum(x), count(x) FROM (SELECT k AS x FROM sp_l INTERSECT SELECT k FROM sp_r) s;
SELECT count(*), sum(x), count(x) FROM (SELECT k AS x FROM sp_l INTERSECT ALL SELECT k FROM sp_r) s;
SELECT count(*), sum(x), count(x) FROM (SELECT k AS x FROM sp_l EXCEPT SELECT k FROM sp_r) s;
SELECT count(*), sum(x), count(x) FROM (SELECT k AS x FROM sp_l EXCEPT ALL SELECT k FROM sp_r) s;
SELECT count(*), sum(x), count(x) FROM (SELECT k AS x FROM sp_r EXCEPT ALL SELECT k FROM sp_l) s;
SELECT count(*), count(p) FROM (SELECT pad AS p FROM sp_l UNION SELECT pad FROM sp_r) s;
SELECT count(*), sum(x) FROM (SELECT g % 20000 AS x FROM generate_series(1, 60000) g
  EXCEPT SELECT g FROM generate_series(1, 100) g) s;
-- DISTINCT and ORDER BY aggregates
SELECT count(DISTINCT k), count(DISTINCT pad), sum(DISTINCT k % 100) FROM sp_l;
SELECT md5(string_agg(pad, ',' ORDER BY pad DESC)), md5(string_agg(DISTINCT (k % 500)::text, ',' ORDER BY (k % 500)::text))
  FROM sp_l;
SELECT k % 3 AS m, count(DISTINCT id), md5(string_agg(id::text, ',' ORDER BY id DESC)),
  (array_agg(DISTINCT k ORDER BY k))[1:4] FROM sp_l GROUP BY 1 ORDER BY 1;
-- WITH RECURSIVE
WITH RECURSIVE t(n, s) AS (SELECT 1, md5('1') UNION ALL SELECT n + 1, md5(s) FROM t WHERE n < 20000)
SELECT count(*), sum(n), max(s) FROM t;
WITH RECURSIVE t(a, b) AS (SELECT id, 0 FROM sp_l UNION ALL SELECT a, b + 1 FROM t WHERE b < 3)
SELECT count(*), sum(a * b) FROM t;
WITH RECURSIVE t(n) AS (SELECT 1 UNION SELECT (n * 7) % 10007 FROM t) SELECT count(*), sum(n) FROM t;
DROP TABLE sp_l;
DROP TABLE sp_r;
RESET work_mem;
