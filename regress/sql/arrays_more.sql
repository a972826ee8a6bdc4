--
-- More one-dimensional arrays: literal syntax and its errors, lower bounds,
-- casts, NULL elements in functions and comparisons, slices and element
-- assignment, set-returning functions beside tables, arrays as keys.
--
SELECT '{1,2,NULL}'::int[] AS a, '{}'::int[] AS e, '{"a b","c,d","e\"f","g\\h",NULL,"NULL"}'::text[] AS t;
SELECT '[0:2]={1,2,3}'::int[] AS lb, ('[0:2]={1,2,3}'::int[])[0] AS zero, array_lower('[0:2]={1,2,3}'::int[], 1) AS lower;
SELECT '{ 1 , 2 }'::int[] AS spaced, '{  a  b  , c }'::text[] AS inner_spaces;
SELECT '1,2'::int[];
SELECT '{1,2}x'::int[];
SELECT '{1,,2}'::int[];
SELECT '{"a"b}'::text[];
SELECT '[1:3]={1}'::int[];
SELECT ARRAY[1.5, 2]::int[] AS rounded, ARRAY['1', '2']::int[] AS from_text, ARRAY[1, 2]::text[] AS to_text, ARRAY[1, 2]::text AS as_text;
SELECT ARRAY[1, 2] || NULL AS cat_null, NULL || ARRAY[1, 2] AS null_cat, ARRAY[1.5] || 1 AS num_int, ARRAY[1] || 1.5 AS int_num;
SELECT array_append(NULL, 1), array_prepend(1, NULL), array_cat(NULL, ARRAY[1]);
SELECT array_position(ARRAY[1, NULL, 3], NULL), array_position(ARRAY[1, 2, 1], 1, 2), array_positions(ARRAY['a', 'b', 'a'], 'a');
SELECT array_position(ARRAY[1, 2], NULL::int, NULL), array_position('{}'::int[], 1, NULL);
SELECT array_position(ARRAY[1, NULL], 5, NULL);
SELECT array_remove(ARRAY[1, NULL, 2], NULL), array_replace(ARRAY[1, NULL], NULL, 5);
SELECT array_to_string(ARRAY['a', NULL, 'c'], ','), array_to_string(ARRAY['a', NULL, 'c'], ',', '*');
SELECT string_to_array('a,b,,c', ','), string_to_array('abc', NULL), string_to_array('', ','), string_to_array('a|b||c', '|', '');
SELECT array_dims(ARRAY[1, 2]), array_ndims(ARRAY[1]), array_length(ARRAY[1, 2], 2), cardinality('{}'::int[]);
SELECT 1 = ANY ('{1,2}'), 3 <> ALL (ARRAY[1, 2]), NULL = ANY (ARRAY[1]), 1 = ANY (NULL::int[]), 1 < ANY (ARRAY[1.5, 0.5]);
SELECT ARRAY[1] IN (ARRAY[1], ARRAY[2]) AS in_list, ARRAY[1, NULL] < ARRAY[1, 2] AS null_last, ARRAY[1, 2] @> ARRAY[NULL::int] AS null_contained;
SELECT (ARRAY[1, 2, 3])[2:], (ARRAY[1, 2, 3])[:1], (ARRAY[1, 2, 3])[5:6], (ARRAY[1, 2, 3])[NULL], (ARRAY[1, 2, 3])[3:1], (ARRAY[1, 2])['1'], (ARRAY[1, 2])[1.7];
SELECT ARRAY(SELECT 1 WHERE false) AS empty, ARRAY(SELECT x FROM generate_series(1, 3) x ORDER BY x DESC) AS desc3;
SELECT ARRAY['2024-01-01'::date], ARRAY['1 day'::interval], ARRAY['\x01'::bytea], ARRAY['{"a":1}'::jsonb], ARRAY['a'::char(3)], ARRAY[true, false];
SELECT pg_typeof(ARRAY[1]), pg_typeof(ARRAY['a']), pg_typeof(ARRAY[1::bigint]);
SELECT max(a), min(a) FROM (VALUES (ARRAY[1, 2]), (ARRAY[1, 3])) v (a);
SELECT a, count(*) FROM (VALUES (ARRAY[1, 2]), (ARRAY[1, 2]), (NULL)) v (a) GROUP BY a ORDER BY a;
SELECT x, y FROM unnest(ARRAY[1, 2, 3], ARRAY['a']) AS t (x, y);
SELECT * FROM generate_subscripts(ARRAY[5, 6, 7], 1) g;
SELECT generate_subscripts(ARRAY[5, 6, 7], 1, true) AS s;
SELECT unnest(ARRAY[1, 2]) AS a, unnest(ARRAY['a', 'b', 'c']) AS b;
SELECT * FROM ROWS FROM (generate_series(1, 2), unnest(ARRAY['a', 'b', 'c'])) AS t (a, b);
-- tables: element and slice assignment, functions beside tables
CREATE TABLE am_t (id int PRIMARY KEY, a int[], j jsonb);
INSERT INTO am_t VALUES (1, '{1,2,3}', '{"x": 1}'), (2, NULL, '[1, 2]'), (3, '{}', NULL), (4, '{4,5,6}', '{"a": [1], "b": 2}');
UPDATE am_t SET a[2:3] = '{8,9}' WHERE id = 1;
UPDATE am_t SET a[5:6] = ARRAY[5, 6, 7] WHERE id = 1;
SELECT a FROM am_t WHERE id = 1;
UPDATE am_t SET a[0:1] = ARRAY[0, 1] WHERE id = 1;
UPDATE am_t SET a[1:3] = '{1}' WHERE id = 1;
UPDATE am_t SET a[2:3] = '{4,5}' WHERE id = 2;
UPDATE am_t SET a[-2] = 4 WHERE id = 3;
SELECT id, a, array_lower(a, 1) FROM am_t ORDER BY id;
UPDATE am_t SET a[1][1] = 4 WHERE id = 1;
SELECT id, generate_series(1, id) AS g FROM am_t ORDER BY id, g;
SELECT id, unnest(a) AS u, generate_subscripts(a, 1) AS s FROM am_t ORDER BY id, s;
SELECT id, jsonb_object_keys(j) AS k FROM am_t WHERE jsonb_typeof(j) = 'object' ORDER BY id, k;
SELECT am_t.id, e.value FROM am_t LEFT JOIN LATERAL jsonb_array_elements(j) e ON true WHERE jsonb_typeof(j) <> 'object' OR j IS NULL ORDER BY 1, 2;
SELECT id, (SELECT sum(v) FROM unnest(a) v) AS total FROM am_t ORDER BY id;
-- arrays as keys
CREATE TABLE am_k (k int[] PRIMARY KEY, v text);
INSERT INTO am_k VALUES ('{2}', 'b'), ('{1,2}', 'a'), ('{1}', 'c'), ('{}', 'e'), ('{1,NULL}', 'n');
SELECT k, v FROM am_k ORDER BY k;
SELECT v FROM am_k WHERE k > '{1,2}' ORDER BY k DESC;
INSERT INTO am_k VALUES ('{1,2}', 'dup');
-- array_fill, trim_array
SELECT array_fill(7, ARRAY[3]), array_fill('x'::text, ARRAY[2], ARRAY[0]), array_fill(1, ARRAY[0]), array_fill(NULL::int, ARRAY[2]);
SELECT array_fill(1, NULL);
SELECT array_fill(1, ARRAY[2], ARRAY[1, 2]);
SELECT trim_array(ARRAY[1, 2, 3], 1), trim_array(ARRAY[1, 2], 0), trim_array(ARRAY[1, 2], 2);
SELECT trim_array(ARRAY[1, 2], 3);
DROP TABLE am_t, am_k;
