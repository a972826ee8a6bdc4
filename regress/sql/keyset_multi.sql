-- Key sets over multi-column primary keys: (a, b) IN ((...), ...) and
-- a = x AND b = ANY (...) (ringdb reads them as point lookups; the answers
-- must be PostgreSQL's).
CREATE TABLE km (a int, b int, v text, PRIMARY KEY (a, b));
INSERT INTO km SELECT i / 10, i % 10, 'v' || i FROM generate_series(0, 999) i;
CREATE TABLE kt (k text, n bigint, x numeric(6,2), v int, PRIMARY KEY (k, n, x));
INSERT INTO kt SELECT 'k' || (i % 7), i % 5, (i % 3) / 2.0, i FROM generate_series(1, 300) i
  ON CONFLICT DO NOTHING;

-- row IN lists
SELECT * FROM km WHERE (a, b) IN ((1, 2), (3, 4)) ORDER BY a, b;
SELECT * FROM km WHERE (a, b) IN ((3, 4), (1, 2), (3, 4), (1000, 1), (NULL, 1), (2, NULL)) ORDER BY a, b;
SELECT * FROM km WHERE (b, a) IN ((2, 1), (9, 99)) ORDER BY a, b;
SELECT * FROM km WHERE (a, b) IN ((1, 2), (5, 5)) AND v <> 'v12' ORDER BY a, b;
SELECT count(*) FROM km WHERE (a, b) IN ((1, 2), (3000000000, 1));
SELECT * FROM km WHERE (a, b) NOT IN ((0, 0), (0, 1)) AND a = 0 ORDER BY b;
SELECT * FROM km WHERE ((a = 7 AND b = 1) OR (b = 2 AND a = 8)) ORDER BY a, b;

-- one column equal, the other a list
SELECT * FROM km WHERE a = 1 AND b = ANY ('{1,2}') ORDER BY b;
SELECT * FROM km WHERE a = 1 AND b = ANY ('{2,1,NULL,2,77}') ORDER BY b;
SELECT * FROM km WHERE a = 1 AND b = ANY ('{}') ORDER BY b;
SELECT * FROM km WHERE a = 1 AND b = ANY (NULL::int[]) ORDER BY b;
SELECT * FROM km WHERE b = 3 AND a IN (5, 3, 7, 3) ORDER BY a;
SELECT * FROM km WHERE a IN (1, 2) AND b IN (3, 4) ORDER BY a, b;
SELECT * FROM km WHERE a IN (1, 2) AND b IN (3, 4) AND v <> 'v23' ORDER BY a DESC, b DESC;
SELECT a, count(*), min(v) FROM km WHERE a = ANY ('{1,2,3}') AND b = ANY ('{0,9}') GROUP BY a ORDER BY a;
SELECT * FROM km WHERE a = 1 AND b = ANY (ARRAY[1, 2 + 3]) ORDER BY b;
SELECT * FROM km WHERE a = 1 AND b = ANY ('{5000000000}'::bigint[]) ORDER BY b;

-- text, bigint and numeric key columns
SELECT * FROM kt WHERE (k, n, x) IN (('k1', 1, 0.5), ('k2', 2, 0), ('k9', 1, 0)) ORDER BY k, n, x;
SELECT * FROM kt WHERE k = 'k3' AND n IN (0, 4) AND x = ANY ('{0.50,1.0,0}') ORDER BY k, n, x;
SELECT * FROM kt WHERE k IN ('k0', 'k6') AND n = 3 AND x = 0.5 ORDER BY k;

-- in a transaction block: own writes seen, deleted rows gone
BEGIN;
INSERT INTO km VALUES (1000, 1, 'new');
DELETE FROM km WHERE a = 1 AND b = 2;
UPDATE km SET v = 'upd' WHERE a = 3 AND b = 4;
SELECT * FROM km WHERE (a, b) IN ((1, 2), (3, 4), (1000, 1)) ORDER BY a, b;
SELECT * FROM km WHERE a IN (1, 1000) AND b IN (1, 2) ORDER BY a, b;
ROLLBACK;
SELECT * FROM km WHERE (a, b) IN ((1, 2), (3, 4), (1000, 1)) ORDER BY a, b;

-- UPDATE and DELETE through a key set
UPDATE km SET v = v || '!' WHERE (a, b) IN ((4, 4), (5, 5));
DELETE FROM km WHERE a = 6 AND b IN (1, 2, 3);
SELECT * FROM km WHERE a IN (4, 5, 6) AND b IN (1, 4, 5) ORDER BY a, b;

-- a join probing with a key set
SELECT km.a, km.b, km.v FROM (VALUES (1), (2)) s(x) JOIN km ON km.a = s.x AND km.b IN (0, 9)
 ORDER BY 1, 2;

-- prepared, with parameters
PREPARE kq(int, int[]) AS SELECT * FROM km WHERE a = $1 AND b = ANY ($2) ORDER BY b;
EXECUTE kq(2, '{3,1}');
EXECUTE kq(2, NULL);
EXECUTE kq(NULL, '{1}');
PREPARE kr(int, int, int, int) AS SELECT * FROM km WHERE (a, b) IN (($1, $2), ($3, $4)) ORDER BY a, b;
EXECUTE kr(2, 3, 7, 8);
EXECUTE kr(2, 3, 2, 3);
DEALLOCATE ALL;

DROP TABLE km, kt;
