--
-- One-dimensional arrays: literals, ARRAY[], subscripts and slices, the
-- array operators and functions, unnest, arrays in tables.
--
SELECT ARRAY[1, 2, 3] AS ints, ARRAY['a', 'b c', NULL, '"q"', ''] AS texts, '{1,2,3}'::integer[] AS literal, '{}'::text[] AS empty;
SELECT ARRAY[1.5, 2] AS nums, ARRAY[true, NULL] AS bools, ARRAY[DATE '2024-01-01'] AS dates, ARRAY[]::integer[] AS empty_ints;
SELECT (ARRAY[10, 20, 30])[1] AS first, (ARRAY[10, 20, 30])[3] AS last, (ARRAY[10, 20, 30])[4] AS beyond, (ARRAY[10, 20, 30])[0] AS zero;
SELECT (ARRAY[10, 20, 30, 40])[2:3] AS slice, (ARRAY[10, 20, 30, 40])[:2] AS head, (ARRAY[10, 20, 30, 40])[3:] AS tail;
SELECT ARRAY[1, 2] || ARRAY[3] AS cat, ARRAY[1, 2] || 3 AS append, 0 || ARRAY[1, 2] AS prepend, ARRAY[1] || NULL::integer[] AS with_null;
SELECT array_length(ARRAY[1, 2, 3], 1), cardinality(ARRAY[1, 2]), array_length('{}'::integer[], 1), array_lower(ARRAY[5, 6], 1), array_upper(ARRAY[5, 6], 1);
SELECT array_append(ARRAY[1], 2), array_prepend(0, ARRAY[1]), array_cat(ARRAY[1], ARRAY[2, 3]), array_remove(ARRAY[1, 2, 1], 1), array_replace(ARRAY[1, 2, 1], 1, 9);
SELECT array_position(ARRAY['a', 'b', 'c'], 'b'), array_positions(ARRAY[1, 2, 1], 1), array_to_string(ARRAY[1, NULL, 3], ','), array_dims(ARRAY[1, 2, 3]);
-- comparison and containment
SELECT ARRAY[1, 2] = ARRAY[1, 2] AS eq, ARRAY[1, 2] < ARRAY[1, 3] AS lt, ARRAY[1, 2] < ARRAY[1, 2, 0] AS shorter,
       ARRAY[1, 2, 3] @> ARRAY[3, 1] AS contains, ARRAY[1] <@ ARRAY[1, 2] AS contained, ARRAY[1, 2] && ARRAY[2, 5] AS overlap;
SELECT 3 = ANY (ARRAY[1, 2, 3]) AS any3, 5 = ANY (ARRAY[1, NULL]) AS any_null, 0 < ALL (ARRAY[1, 2]) AS all_pos, 1 = ALL ('{}'::integer[]) AS all_empty;
-- unnest
SELECT unnest(ARRAY[3, 1, 2]) AS v ORDER BY v;
SELECT * FROM unnest(ARRAY['x', 'y', 'z']) WITH ORDINALITY AS t (v, n) ORDER BY n DESC;
SELECT n, v FROM unnest(ARRAY[1, 2], ARRAY['a', 'b', 'c']) AS t (n, v) ORDER BY v;
-- arrays in tables
CREATE TABLE ar_t (id integer PRIMARY KEY, tags text[], scores integer[]);
INSERT INTO ar_t VALUES (1, '{red,green}', ARRAY[90, 80]), (2, ARRAY['blue'], '{}'), (3, NULL, ARRAY[NULL, 5]::integer[]), (4, '{red}', '{70,60,50}');
SELECT * FROM ar_t ORDER BY id;
SELECT id, tags[1] AS first_tag, scores[2] AS second_score, array_length(scores, 1) AS n FROM ar_t ORDER BY id;
SELECT id FROM ar_t WHERE 'red' = ANY (tags) ORDER BY id;
SELECT id FROM ar_t WHERE tags @> ARRAY['red', 'green'];
UPDATE ar_t SET scores[1] = 100 WHERE id = 4;
UPDATE ar_t SET tags = array_append(tags, 'new') WHERE id = 2;
SELECT id, tags, scores FROM ar_t WHERE id IN (2, 4) ORDER BY id;
SELECT id, t FROM ar_t, unnest(tags) t ORDER BY id, t;
SELECT array_agg(id ORDER BY id) FROM ar_t WHERE tags IS NOT NULL;
SELECT scores FROM ar_t ORDER BY scores, id;
-- array of text output quoting
SELECT ARRAY['a,b', 'c"d', 'e\f', 'NULL', ' sp'] AS quoted, ARRAY[NULL::text] AS null_elem;
-- errors
SELECT '{1,2'::integer[];
SELECT '{a,b}'::integer[];
SELECT ARRAY[1, 'x'];
SELECT ARRAY[1, 2] || ARRAY['a'];
SELECT array_length(1, 1);
DROP TABLE ar_t;
