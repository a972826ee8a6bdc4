--
-- ORDER BY / LIMIT / OFFSET over indexed columns: the rows an ordered
-- index scan gives (ringdb: exec/plan_order.c) must be the sorted ones,
-- with NULLs, DESC, NULLS FIRST/LAST, ties and OFFSET.
--
CREATE TABLE oli (id int PRIMARY KEY, b int, c text, d int NOT NULL);
CREATE INDEX oli_b ON oli (b);
CREATE INDEX oli_c ON oli (c DESC);
CREATE INDEX oli_db ON oli (d, b);
INSERT INTO oli
SELECT g,
       CASE WHEN g % 9 = 0 THEN NULL ELSE (g * 37) % 23 END,
       CASE WHEN g % 7 = 0 THEN NULL ELSE 's' || lpad(((g * 11) % 17)::text, 2, '0') END,
       g % 4
FROM generate_series(1, 200) g;
ANALYZE oli;

SELECT id, b FROM oli ORDER BY b, id LIMIT 12;
SELECT id, b FROM oli ORDER BY b NULLS FIRST, id LIMIT 12;
SELECT id, b FROM oli ORDER BY b, id LIMIT 5 OFFSET 175;
SELECT id, b FROM oli ORDER BY b NULLS FIRST, id OFFSET 195;
SELECT b FROM oli ORDER BY b LIMIT 10;
SELECT b FROM oli ORDER BY b DESC LIMIT 10;
SELECT b FROM oli ORDER BY b DESC NULLS LAST LIMIT 10;
SELECT id, b FROM oli WHERE b > 20 ORDER BY b, id LIMIT 10;
SELECT id, b FROM oli WHERE b >= 3 AND b < 5 ORDER BY b, id LIMIT 8 OFFSET 4;
SELECT id, b FROM oli WHERE b < 2 ORDER BY b DESC, id LIMIT 10;
SELECT id, b FROM oli WHERE b IS NULL ORDER BY b, id LIMIT 5;
SELECT id, c FROM oli ORDER BY c DESC, id LIMIT 10;
SELECT id, c FROM oli ORDER BY c DESC NULLS LAST, id LIMIT 10;
SELECT id, c FROM oli ORDER BY c, id LIMIT 10;
SELECT c FROM oli ORDER BY c NULLS FIRST LIMIT 3 OFFSET 27;
SELECT id, c FROM oli WHERE c > 's10' ORDER BY c DESC, id LIMIT 6;
SELECT id, d, b FROM oli WHERE d = 2 ORDER BY b, id LIMIT 10;
SELECT id, d, b FROM oli WHERE d = 2 ORDER BY b NULLS FIRST, id LIMIT 10;
SELECT id, d, b FROM oli WHERE d = 1 AND b > 10 ORDER BY b, id LIMIT 7;
SELECT id, d, b FROM oli WHERE d = 3 ORDER BY d, b DESC, id LIMIT 5;
SELECT id, b FROM oli ORDER BY b, id FETCH FIRST 3 ROWS ONLY;
SELECT * FROM (SELECT id, b FROM oli ORDER BY b FETCH FIRST 2 ROWS WITH TIES) s ORDER BY id;
SELECT id, b FROM oli WHERE b = 7 ORDER BY b, id LIMIT 4;
SELECT b, count(*) FROM (SELECT b FROM oli ORDER BY b LIMIT 30) s GROUP BY b ORDER BY b;
SELECT id, b FROM oli ORDER BY b, id LIMIT 0;

-- after updates that move rows within the index
UPDATE oli SET b = NULL WHERE id % 10 = 1;
UPDATE oli SET b = b + 100 WHERE id % 10 = 2;
DELETE FROM oli WHERE id % 10 = 3;
SELECT id, b FROM oli ORDER BY b, id LIMIT 8;
SELECT id, b FROM oli ORDER BY b NULLS FIRST, id LIMIT 8 OFFSET 30;
SELECT id, b FROM oli WHERE b > 100 ORDER BY b, id LIMIT 5;

DROP TABLE oli;
