-- Multidimensional arrays: literals, ARRAY[...] constructors, dimensions
-- functions, subscripts and slices, unnest, array_agg of arrays,
-- comparison, storage in tables and keys, and the errors PostgreSQL gives.

-- literals and constructors
SELECT ARRAY[[1,2],[3,4]];
SELECT ARRAY[ARRAY[1,2], ARRAY[3,4]] AS nested;
SELECT ARRAY[[['a','b'],['c','d']],[['e','f'],['g','h']]];
SELECT '{{1,2},{3,4}}'::int[];
SELECT '{{1,2},{3,4}}'::int[][];
SELECT '[0:1][1:2]={{1,2},{3,4}}'::int[];
SELECT '[0:1]={1,2}'::int[];
SELECT '{{"a b",NULL},{"",c}}'::text[];
SELECT '{ { 1 , 2 } , { 3 , 4 } }'::int[];
SELECT '{{{1},{2}},{{3},{4}}}'::int[];
SELECT ARRAY[[1.5,2],[3,4.25]];
SELECT ARRAY[[true,false],[NULL,true]];
SELECT ARRAY[['2024-01-02'::date]];
SELECT ARRAY[NULL::int[], NULL::int[]];
SELECT ARRAY['{}'::int[], '{}'::int[]];

-- dimension functions
SELECT array_dims(ARRAY[[1,2,3],[4,5,6]]), array_ndims(ARRAY[[1,2,3],[4,5,6]]);
SELECT array_dims('[0:1][-2:-1]={{1,2},{3,4}}'::int[]);
SELECT array_length(ARRAY[[1,2,3],[4,5,6]], 1), array_length(ARRAY[[1,2,3],[4,5,6]], 2),
       array_length(ARRAY[[1,2,3],[4,5,6]], 3), array_length(ARRAY[[1,2,3],[4,5,6]], 0);
SELECT array_lower('[0:1][3:4]={{1,2},{3,4}}'::int[], 1), array_lower('[0:1][3:4]={{1,2},{3,4}}'::int[], 2),
       array_upper('[0:1][3:4]={{1,2},{3,4}}'::int[], 1), array_upper('[0:1][3:4]={{1,2},{3,4}}'::int[], 2),
       array_upper('[0:1][3:4]={{1,2},{3,4}}'::int[], 3);
SELECT cardinality(ARRAY[[1,2,3],[4,5,6]]), cardinality('{}'::int[]), array_ndims('{}'::int[]);
SELECT array_ndims(ARRAY[[[1]]]), array_dims(ARRAY[[[1,2]],[[3,4]]]);

-- subscripts and slices
SELECT (ARRAY[[1,2,3],[4,5,6]])[2][3] AS a23, (ARRAY[[1,2,3],[4,5,6]])[1][1] AS a11;
SELECT (ARRAY[[1,2,3],[4,5,6]])[1] AS one_subscript, (ARRAY[[1,2,3],[4,5,6]])[3][1] AS out_of_range,
       (ARRAY[[1,2,3],[4,5,6]])[1][1][1] AS too_many;
SELECT (ARRAY[[1,2,3],[4,5,6]])[1:2][2:3] AS s1, (ARRAY[[1,2,3],[4,5,6]])[2:2] AS s2,
       (ARRAY[[1,2,3],[4,5,6]])[1:2][2] AS s3, (ARRAY[[1,2,3],[4,5,6]])[:1][2:] AS s4;
SELECT (ARRAY[[1,2,3],[4,5,6]])[3:4][1:1] AS empty_slice, (ARRAY[[1,2,3],[4,5,6]])[0:5][0:5] AS clipped;
SELECT ('[0:1][1:2]={{1,2},{3,4}}'::int[])[0][2] AS lb0, ('[0:1][1:2]={{1,2},{3,4}}'::int[])[0:0] AS lb0_slice;
SELECT (ARRAY[[1,2],[3,4]])[NULL][1] AS null_subscript;

-- unnest, generate_subscripts, array_agg of arrays
SELECT unnest(ARRAY[[1,2],[3,4]]) AS u;
SELECT x FROM unnest('{{a,b},{c,d}}'::text[]) AS x ORDER BY x DESC;
SELECT generate_subscripts(ARRAY[[1,2,3],[4,5,6]], 2) AS s;
SELECT generate_subscripts(ARRAY[[1,2,3],[4,5,6]], 3) AS s;
SELECT array_agg(a ORDER BY a) FROM (VALUES (ARRAY[1,2]), (ARRAY[3,4]), (ARRAY[0,9])) v(a);
SELECT array_agg(a) FROM (VALUES ('{{1,2}}'::int[]), ('{{3,4}}'::int[])) v(a);
SELECT g, array_agg(ARRAY[g, x] ORDER BY x) FROM (VALUES (1, 10), (1, 11), (2, 20)) v(g, x) GROUP BY g ORDER BY g;

-- concatenation, other functions
SELECT ARRAY[[1,2],[3,4]] || ARRAY[[5,6]] AS cat, ARRAY[[1,2],[3,4]] || ARRAY[5,6] AS append_row,
       ARRAY[0,0] || ARRAY[[1,2],[3,4]] AS prepend_row;
SELECT array_cat(ARRAY[[1,2]], ARRAY[[3,4]]), array_cat('{}'::int[], ARRAY[[1,2]]);
SELECT array_replace(ARRAY[[1,2],[3,2]], 2, 9), array_to_string(ARRAY[[1,2],[3,NULL]], ',', '*');
SELECT array_to_json(ARRAY[[1,2],[3,4]]), to_jsonb(ARRAY[['a','b']]);
SELECT ARRAY[[1,2],[3,4]]::text[] AS cast_text, '{{1,2},{3,4}}'::text[]::int[] AS cast_int;
SELECT ARRAY[['1.5','2']]::numeric[];
SELECT 3 = ANY (ARRAY[[1,2],[3,4]]) AS any_md, 5 = ANY (ARRAY[[1,2],[3,4]]) AS any_md2;

-- comparison
SELECT ARRAY[[1,2],[3,4]] = '{{1,2},{3,4}}'::int[] AS eq, ARRAY[[1,2],[3,4]] = ARRAY[1,2,3,4] AS eq_flat,
       ARRAY[[1,2],[3,4]] <> ARRAY[[1,2],[3,5]] AS ne;
SELECT ARRAY[1,2,3,4] < ARRAY[[1,2],[3,4]] AS lt_ndims, ARRAY[[1,2,3,4]] < ARRAY[[1,2],[3,4]] AS lt_dims,
       ARRAY[[1,2],[3,4]] < ARRAY[[1,3]] AS lt_elems;
SELECT '[2:3][1:2]={{1,2},{3,4}}'::int[] > '{{1,2},{3,4}}'::int[] AS gt_lbound;

-- storage
CREATE TABLE md (id int PRIMARY KEY, a int[], t text[][], n numeric[]);
INSERT INTO md VALUES (1, '{{1,2},{3,4}}', '{{a,b},{"c d",NULL}}', '{{1.5},{2}}'),
                      (2, '{1,2}', '{}', NULL),
                      (3, ARRAY[[[1,2]],[[3,4]]], ARRAY[['x']], '{{{0}}}'),
                      (4, '[0:1][5:6]={{7,8},{9,10}}', NULL, '{}');
SELECT * FROM md ORDER BY id;
SELECT id, a[1][2] AS a12, t[2][1] AS t21, array_dims(a) FROM md ORDER BY id;
SELECT id FROM md WHERE a = '{{1,2},{3,4}}';
UPDATE md SET a = a || ARRAY[[5,6]] WHERE id = 1;
SELECT a FROM md WHERE id = 1;
SELECT id, a FROM md ORDER BY a, id;
SELECT a, count(*) FROM (SELECT a FROM md UNION ALL SELECT a FROM md) s GROUP BY a ORDER BY a;
CREATE TABLE mdk (a int[] PRIMARY KEY, note text);
INSERT INTO mdk VALUES ('{{1,2},{3,4}}', '2x2'), ('{1,2,3,4}', 'flat'), ('{{1,2,3,4}}', '1x4'),
                       ('[0:1][1:2]={{1,2},{3,4}}', 'lb0'), ('{{1,2}}', '1x2');
SELECT * FROM mdk ORDER BY a;
SELECT note FROM mdk WHERE a = '{{1,2},{3,4}}';
INSERT INTO mdk VALUES ('{{1,2},{3,4}}', 'dup');
SELECT note FROM mdk WHERE a > '{1,2,3,4}' ORDER BY a;
DROP TABLE md;
DROP TABLE mdk;

-- errors
SELECT ARRAY[[1,2],[3]];
SELECT ARRAY[[1,2],3];
SELECT ARRAY[ARRAY[1,2], NULL];
SELECT ARRAY['[0:1]={1,2}'::int[], '{3,4}'::int[]];
SELECT '{{1,2},{3}}'::int[];
SELECT '{{1,2},3}'::int[];
SELECT '{1,{2}}'::int[];
SELECT '{{1,2}'::int[];
SELECT '[1:2][1:2]={{1,2}}'::int[];
SELECT '[1:2]={{1,2},{3,4}}'::int[];
SELECT '{{{{{{{1}}}}}}}'::int[];
SELECT array_append(ARRAY[[1,2]], 3);
SELECT array_position(ARRAY[[1,2]], 2);
SELECT array_remove(ARRAY[[1,2]], 2);
SELECT ARRAY[[1,2]] || ARRAY[[1,2,3]];
SELECT array_agg(a) FROM (VALUES (ARRAY[1,2]), (ARRAY[3])) v(a);
SELECT array_agg(a) FROM (VALUES (ARRAY[1,2]), (NULL)) v(a);
SELECT array_agg(a) FROM (VALUES (ARRAY[1,2]), ('{}')) v(a);
