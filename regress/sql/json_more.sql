--
-- More json/jsonb: input errors, numbers and escapes, path operators on
-- every kind of document, modification corner cases, jsonb ordering of
-- mixed types, building functions, expanders' errors.
--
SELECT '{"a":1, "b":[1,2,{"c":null}], "d":"x\ty"}'::jsonb, '[1e2, 1.0E-2, -0, 0.0]'::jsonb, '"\ud83d\ude00"'::jsonb;
SELECT '{"a":1,"a":2,"aa":0,"b":3}'::jsonb, '  {"a" : 1 }  '::json;
SELECT 'tru'::jsonb;
SELECT '{"a" 1}'::jsonb;
SELECT '[1,2'::jsonb;
SELECT '{1:2}'::jsonb;
SELECT '[1,]'::jsonb;
SELECT '"\x"'::jsonb;
SELECT '01'::jsonb;
SELECT '{"a":1} x'::jsonb;
SELECT 'null-0'::jsonb;
SELECT '"\u0000"'::jsonb;
SELECT '{"a": [1, 2]}'::jsonb -> 'a' -> -1, '{"a": [1, 2]}'::jsonb ->> 'a', '[1,2]'::jsonb -> 5, '{"a":1}'::jsonb -> 0, '"x"'::jsonb -> 0;
SELECT '{"a": {"b": [10, 20]}}'::jsonb #> '{a,b,1}', '{"a": {"b": [10, 20]}}'::jsonb #>> '{a,b}', '{"a":1}'::jsonb #> '{}', '{"a":1}'::json #>> '{}', 'null'::json #>> '{}';
SELECT '[1, [2, 3]]'::jsonb @> '[[3]]', '{"a": [1,2]}'::jsonb @> '{"a": [2]}', '["a"]'::jsonb @> '"a"', '1'::jsonb @> '1';
SELECT '["a","b"]'::jsonb ? 'a', '"a"'::jsonb ? 'a', '{"a":1}'::jsonb ?| '{x,y}', '{"a":1}'::jsonb ?& '{}';
SELECT '[1,2]'::jsonb || '3', '1'::jsonb || '[2]', '{"a":1}'::jsonb || '[2]', '{"a":1}'::jsonb || '2', '"a"'::jsonb || '"b"';
SELECT '["a","b","a"]'::jsonb - 'a', '{"a":1,"b":2,"c":3}'::jsonb - '{a,c}'::text[], '[1,2,3]'::jsonb - -1, '[1,2]'::jsonb - 5;
SELECT '{"a":1}'::jsonb - 0;
SELECT '1'::jsonb - 'a';
SELECT '[1, [2, 3]]'::jsonb #- '{1,0}', '{"a":1}'::jsonb #- '{b}', '[]'::jsonb #- '{a}';
SELECT '[[0], 1]'::jsonb #- '{a,1}';
SELECT jsonb_set('[1,2,3]', '{1}', '"x"'), jsonb_set('[1,2,3]', '{10}', '"x"'), jsonb_set('[1,2,3]', '{-10}', '"x"'), jsonb_set('{"a":1}', '{b,c}', '2'), jsonb_set('{"a":1}', '{b}', '2', false);
SELECT jsonb_insert('{"a":[1,2]}', '{a,0}', '0', true), jsonb_insert('{"a":1}', '{b}', '2');
SELECT jsonb_insert('{"a":1}', '{a}', '2');
SELECT jsonb_typeof('1.5'), jsonb_array_length('[]'), json_array_length('[1,[2]]');
SELECT jsonb_array_length('5');
SELECT json_strip_nulls('{"a":null,"b":[null,{"c":null}]}'), jsonb_strip_nulls('[null]');
SELECT to_json(ARRAY[1,2]), to_json('2024-01-02 03:04:05'::timestamp), to_json('NaN'::float8), to_json('a"b'::text), to_jsonb('{"x":1}'::json), to_json(NULL::int), to_jsonb(1.0::numeric);
SELECT to_json(ARRAY['a',NULL]), to_json('2024-01-02'::date), to_json('1 day'::interval), array_to_json('{1,NULL}'::int[]);
SELECT json_build_object('a', ARRAY[1,2], 'b', '{"x":1}'::json), json_build_array(), json_build_object(), jsonb_build_object('b', 1, 'a', 2);
SELECT json_build_object('a');
SELECT json_build_object(NULL, 1);
SELECT jsonb_extract_path('{"a":{"b":[1,2]}}', 'a', 'b', '1'), jsonb_extract_path_text('{"a":{"b":"x"}}', 'a', 'b'), json_extract_path('{"a": {"b" : 1}}', 'a');
SELECT jsonb_pretty('[]'), jsonb_pretty('{"a":{}}'), jsonb_pretty('1');
SELECT * FROM json_each('{"a":1,"a":"x","b":[1, 2]}');
SELECT * FROM json_each_text('{"a":null,"b":"s"}');
SELECT * FROM jsonb_array_elements('{"a":1}');
SELECT * FROM jsonb_each('[1]');
SELECT * FROM json_each('[1]');
SELECT json_object_keys('[1]');
SELECT json_array_elements('[1, {"a" : 2}]') AS e;
SELECT json_agg(x), jsonb_agg(x), json_object_agg(x, x * 2), jsonb_object_agg(x::text, NULL) FROM generate_series(1, 3) x;
SELECT json_agg(x) FROM generate_series(1, 0) x;
SELECT '1'::jsonb::float8, '1.7'::jsonb::int, 'true'::jsonb::bool, '1'::jsonb::numeric(5,2), '{"a":1}'::jsonb::json, '{"a": 1}'::json::text;
SELECT 'null'::jsonb::int;
SELECT '[1]'::jsonb::int;
SELECT '[]'::jsonb < '{}', 'null'::jsonb < '"a"', '"a"'::jsonb < '1', '1'::jsonb < 'true', 'true'::jsonb < '[]', '[1,2]'::jsonb > '[3]', '{"b":1}'::jsonb > '{"a":2}';
SELECT x FROM (VALUES ('1'::jsonb), ('"a"'), ('null'), ('[1]'), ('{"a":1}'), ('true'), ('1.5')) v (x) ORDER BY x;
SELECT count(DISTINCT x) FROM (VALUES ('1'::jsonb), ('1.0'), ('1.00'), ('{"a":1.0}'), ('{"a":1}')) v (x);
SELECT '{"a":1}'::json -> 'a', '{"a": "x" }'::json -> 'a', '[1, "a" , null]'::json -> 1, '[1, {"b" :  2}]'::json ->> 1;
