-- x [NOT] IN / = ANY (uncorrelated subquery) whose values exceed hash
-- memory: PostgreSQL plans a plain subplan over a materialized result,
-- ringdb keeps the set in sorted runs on disk (rowset.h).  NOT IN's NULL
-- rules hold either way.
SET work_mem = '64kB';
SELECT count(*), sum(g) FROM generate_series(1, 4000) g
  WHERE g IN (SELECT x * 3 FROM generate_series(1, 3000) x);
SELECT count(*) FROM generate_series(1, 4000) g
  WHERE g NOT IN (SELECT x * 3 FROM generate_series(1, 3000) x);
SELECT count(*) FROM generate_series(1, 4000) g
  WHERE g = ANY (SELECT x * 3 FROM generate_series(1, 3000) x);
-- a NULL in the subquery: NOT IN is never true
CREATE TABLE sn (x int);
INSERT INTO sn SELECT CASE WHEN x = 77 THEN NULL ELSE x * 3 END FROM generate_series(1, 3000) x;
SELECT count(*), count(g NOT IN (SELECT x FROM sn)), count(*) FILTER (WHERE g IN (SELECT x FROM sn))
  FROM generate_series(1, 4000) g;
SELECT g, g NOT IN (SELECT x FROM sn) AS ni, g IN (SELECT x FROM sn) AS i
  FROM generate_series(229, 234) g ORDER BY g;
-- a NULL probe
SELECT NULL::int IN (SELECT x FROM generate_series(1, 3000) x) AS a,
       NULL::int NOT IN (SELECT x FROM generate_series(1, 3000) x) AS b,
       NULL::int IN (SELECT x FROM generate_series(1, 3000) x WHERE x < 0) AS c,
       NULL::int NOT IN (SELECT x FROM generate_series(1, 3000) x WHERE x < 0) AS d;
-- text values
CREATE TABLE sv (t text);
INSERT INTO sv SELECT md5((x * 4)::text) FROM generate_series(1, 3000) x;
SELECT count(*), max(m) FROM (SELECT md5(g::text) m FROM generate_series(1, 2000) g) s
  WHERE m IN (SELECT t FROM sv);
SELECT count(*) FROM (SELECT md5(g::text) m FROM generate_series(1, 2000) g) s
  WHERE m NOT IN (SELECT t FROM sv);
-- from a table, with duplicates in the subquery
CREATE TABLE ss (id int PRIMARY KEY, k int, t text);
INSERT INTO ss SELECT g, g % 3000, md5((g % 3000)::text) FROM generate_series(1, 6000) g;
SELECT count(*) FROM generate_series(1, 2000) g WHERE g IN (SELECT k FROM ss);
SELECT count(*) FROM generate_series(1, 4000) g WHERE g NOT IN (SELECT k FROM ss);
SELECT id, k FROM ss WHERE t NOT IN (SELECT t FROM ss WHERE k < 2990) ORDER BY id LIMIT 12;
RESET work_mem;
DROP TABLE ss, sn, sv;
