-- Assignment to elements and slices of multi-dimensional arrays, and
-- multi-dimensional array_fill.
CREATE TABLE amd (id int PRIMARY KEY, a int[], t text[]);
INSERT INTO amd VALUES
  (1, '{{1,2,3},{4,5,6}}', '{{a,b},{c,d}}'),
  (2, '[0:1][2:3]={{1,2},{3,4}}', NULL),
  (3, NULL, '{}'),
  (4, '{}', '{x,y}'),
  (5, '{{{1,2},{3,4}},{{5,6},{7,8}}}', NULL);

-- elements
UPDATE amd SET a[2][3] = 60 WHERE id = 1;
UPDATE amd SET a[1][1] = NULL, t[2][1] = 'C' WHERE id = 1;
SELECT id, a, t FROM amd WHERE id = 1;
UPDATE amd SET a[0][3] = 30 WHERE id = 2;
SELECT a, array_dims(a) FROM amd WHERE id = 2;
UPDATE amd SET a[2][2][1] = 70 WHERE id = 5;
SELECT a FROM amd WHERE id = 5;
-- a NULL or empty array becomes a new one of that many dimensions
UPDATE amd SET a[2][3] = 9 WHERE id = 3;
UPDATE amd SET a[-1][0][5] = 8 WHERE id = 4;
UPDATE amd SET t[1][1] = 'z' WHERE id = 3;
SELECT id, a, array_dims(a), t, array_dims(t) FROM amd WHERE id IN (3, 4) ORDER BY id;
-- out of range, wrong number of subscripts, NULL subscripts
UPDATE amd SET a[3][1] = 1 WHERE id = 1;
UPDATE amd SET a[1][0] = 1 WHERE id = 1;
UPDATE amd SET a[1][4] = 1 WHERE id = 1;
UPDATE amd SET a[1] = 1 WHERE id = 1;
UPDATE amd SET a[1][1][1] = 1 WHERE id = 1;
UPDATE amd SET a[1][2] = 1 WHERE id = 5;
UPDATE amd SET a[NULL][1] = 1 WHERE id = 1;
UPDATE amd SET a[1][NULL] = 1 WHERE id = 1;
UPDATE amd SET t[2][1] = 'q' WHERE id = 4;
SELECT id, a, t FROM amd ORDER BY id;

-- slices
UPDATE amd SET a[1:2][2:3] = '{{20,30},{50,66}}' WHERE id = 1;
SELECT a FROM amd WHERE id = 1;
UPDATE amd SET a[1:2][1:1] = ARRAY[100, 400] WHERE id = 1;
SELECT a FROM amd WHERE id = 1;
UPDATE amd SET a[2:2] = '{7,8,9}' WHERE id = 1;
SELECT a FROM amd WHERE id = 1;
UPDATE amd SET a[:1][2:] = '{-1,-2,-3}' WHERE id = 1;
SELECT a FROM amd WHERE id = 1;
UPDATE amd SET a[1:1][1:3] = '{{5,5},{6,6}}' WHERE id = 1;
SELECT a FROM amd WHERE id = 1;
UPDATE amd SET a[1:2][2] = '{11,22,33,44,55}' WHERE id = 1;
SELECT a FROM amd WHERE id = 1;
UPDATE amd SET a[1:2][1:2] = NULL WHERE id = 1;
SELECT a FROM amd WHERE id = 1;
UPDATE amd SET a[2:2][1:2][2:2] = '{0,0}' WHERE id = 5;
SELECT a FROM amd WHERE id = 5;
-- slices of a NULL or empty array need both bounds
UPDATE amd SET t[1:2][1:2] = '{p,q,r,s,extra}' WHERE id = 3;
SELECT t, array_dims(t) FROM amd WHERE id = 3;
UPDATE amd SET a[1:2][1:3] = '{1,2,3,4,5,6}' WHERE id = 4;
SELECT a, array_dims(a) FROM amd WHERE id = 4;
UPDATE amd SET a = NULL WHERE id = 4;
UPDATE amd SET a[1:2][:3] = '{1,2,3,4,5,6}' WHERE id = 4;
UPDATE amd SET a[1:2][1:3] = '{1,2,3}' WHERE id = 4;
UPDATE amd SET a[2:1][1:1] = '{1,2,3}' WHERE id = 4;
-- errors on a non-empty array
UPDATE amd SET a[1:3][1:1] = '{1,2,3}' WHERE id = 1;
UPDATE amd SET a[0:1][1:1] = '{1,2}' WHERE id = 1;
UPDATE amd SET a[2:1][1:1] = '{1,2}' WHERE id = 1;
UPDATE amd SET a[1:2][1:3] = '{1,2,3,4,5}' WHERE id = 1;
UPDATE amd SET a[1:1][1:1][1:1] = '{1}' WHERE id = 1;
UPDATE amd SET a[NULL:1][1:1] = '{1}' WHERE id = 1;
SELECT id, a FROM amd ORDER BY id;

-- several assignments to one column's elements apply in order
UPDATE amd SET a[1][1] = 7, t[1][1] = 'q', a[2][3] = a[1][1] + 1, a[1:1][2:3] = '{8,9}' WHERE id = 1
  RETURNING id, a, t;
UPDATE amd SET a[2][3] = 1, a[2][3] = a[2][3] * 10 WHERE id = 3 RETURNING a;
UPDATE amd SET a = '{}', a[1] = 3 WHERE id = 1;
UPDATE amd SET a[1][1] = 3, a = '{}' WHERE id = 1;

-- array_fill
SELECT array_fill(7, ARRAY[2, 3]);
SELECT array_fill('x'::text, ARRAY[2, 2], ARRAY[0, 5]);
SELECT array_fill(NULL::int, ARRAY[1, 2, 1]), array_dims(array_fill(1.5, ARRAY[2, 1, 3], ARRAY[-1, 1, 10]));
SELECT array_fill(1, ARRAY[2, 0]), array_fill(1, '{}'::int[]), array_fill(1, ARRAY[0, 5], ARRAY[1, 1]);
SELECT array_fill(1, ARRAY[1, 1, 1, 1, 1, 1]);
SELECT array_fill(1, ARRAY[1, 1, 1, 1, 1, 1, 1]);
SELECT array_fill(1, ARRAY[2, 2], ARRAY[1]);
SELECT array_fill(1, ARRAY[2, NULL]);
SELECT array_fill(1, ARRAY[2, 2], ARRAY[1, NULL]);
SELECT array_fill(1, '{{2,2}}'::int[]);
SELECT array_fill(1, '[0:1]={2,2}'::int[]);
SELECT array_fill(1, ARRAY[2, 2], '{{1,1}}'::int[]);
SELECT array_fill(1, ARRAY[2, 2], '[2:3]={1,1}'::int[]);
SELECT array_fill(1, ARRAY[2, 2], NULL);
SELECT array_fill(1, ARRAY[1], ARRAY[2147483647]);
SELECT (array_fill(4, ARRAY[2, 2]))[2][1];

DROP TABLE amd;
