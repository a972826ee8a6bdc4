-- WITH RECURSIVE ... UNION (not ALL) whose distinct rows exceed work_mem:
-- the rows seen go on in sorted runs on disk (ringdb: rowset.h).
SET work_mem = '64kB';
-- many new rows a round, many duplicates
WITH RECURSIVE r(n) AS (
  SELECT g FROM generate_series(1, 10) g
  UNION SELECT (n * k + k - 2) % 100003 FROM r, (VALUES (2), (3)) v(k))
SELECT count(*), sum(n), min(n), max(n) FROM r;
-- one new row a round until a cycle closes, text columns
WITH RECURSIVE r(n, t) AS (
  SELECT 1, md5('1')
  UNION SELECT (n * 7 + 3) % 200003, md5(((n * 7 + 3) % 200003)::text) FROM r)
SELECT count(*), sum(n), max(t) FROM r;
-- a graph with cycles, NULLs in rows
CREATE TABLE edge (a int, b int);
INSERT INTO edge SELECT g, (g * 13) % 5000 FROM generate_series(0, 4999) g;
INSERT INTO edge SELECT g, (g + 1) % 5000 FROM generate_series(0, 4999) g;
WITH RECURSIVE reach(node, tag) AS (
  SELECT 0, NULL::text
  UNION SELECT e.b, CASE WHEN e.b % 2 = 0 THEN NULL ELSE 'odd' END FROM reach r JOIN edge e ON e.a = r.node)
SELECT count(*), count(tag), sum(node) FROM reach;
WITH RECURSIVE reach(node) AS (
  SELECT 0 UNION SELECT e.b FROM reach r JOIN edge e ON e.a = r.node)
SELECT node FROM reach ORDER BY node DESC LIMIT 5;
RESET work_mem;
DROP TABLE edge;
