--
-- json and jsonb: input and output (json keeps text, jsonb normalizes),
-- equality, the -> ->> #> #>> @> ? operators, building and set functions.
--
SELECT '{"b": 1, "a": [1, 2.50, "x", null, true]}'::json AS j, '{"b": 1, "a": [1, 2.50, "x", null, true]}'::jsonb AS jb;
SELECT '{"a": 1, "a": 2}'::json AS dup_json, '{"a": 1, "a": 2}'::jsonb AS dup_jsonb, '  [1,  2 ]'::json AS spaces, '  [1,  2 ]'::jsonb AS spaces_b;
SELECT '"text"'::jsonb, '123.4500'::jsonb, 'null'::jsonb, '[]'::jsonb, '{}'::jsonb, '"\u00e9\n"'::jsonb;
-- operators
CREATE TABLE js_t (id integer PRIMARY KEY, doc jsonb, raw json);
INSERT INTO js_t VALUES
    (1, '{"name": "ann", "age": 30, "tags": ["a", "b"], "addr": {"city": "Oslo", "zip": "0150"}}', '{"k": "v1"}'),
    (2, '{"name": "bob", "age": null, "tags": [], "addr": {"city": "Rome"}}', '{"k": "v2", "n": [1, 2]}'),
    (3, '{"name": "cy", "extra": true}', '[10, 20, 30]'),
    (4, NULL, NULL);
SELECT id, doc -> 'name' AS name_json, doc ->> 'name' AS name_text, doc -> 'age' AS age, doc ->> 'age' AS age_text FROM js_t ORDER BY id;
SELECT id, doc -> 'tags' -> 0 AS tag0, doc -> 'tags' ->> 1 AS tag1, doc #> '{addr,city}' AS city, doc #>> '{addr,zip}' AS zip FROM js_t ORDER BY id;
SELECT id, raw -> 'k' AS k, raw ->> 'k' AS k_text, raw -> 1 AS second, raw ->> -1 AS last, raw #> '{n,1}' AS n1 FROM js_t ORDER BY id;
SELECT id FROM js_t WHERE doc ->> 'name' = 'bob';
SELECT id FROM js_t WHERE (doc ->> 'age')::integer > 20;
SELECT id FROM js_t WHERE doc @> '{"addr": {"city": "Oslo"}}';
SELECT id FROM js_t WHERE doc ? 'extra';
SELECT id FROM js_t WHERE doc ?| ARRAY['extra', 'tags'] ORDER BY id;
SELECT id FROM js_t WHERE doc ?& ARRAY['name', 'tags'] ORDER BY id;
SELECT '{"a": 1}'::jsonb <@ '{"a": 1, "b": 2}'::jsonb AS contained, '[1, 2, 3]'::jsonb @> '[3, 1]'::jsonb AS arr_contains;
-- equality and ordering of jsonb
SELECT '{"a": 1, "b": 2}'::jsonb = '{"b": 2, "a": 1}'::jsonb AS eq, '1.0'::jsonb = '1'::jsonb AS num_eq, '[1, 2]'::jsonb = '[2, 1]'::jsonb AS arr_eq;
SELECT doc -> 'name' AS n FROM js_t WHERE doc IS NOT NULL ORDER BY doc -> 'name';
SELECT DISTINCT doc -> 'addr' -> 'city' AS city FROM js_t ORDER BY 1;
-- modification operators
SELECT '{"a": 1}'::jsonb || '{"b": 2}'::jsonb AS concat, '{"a": 1, "b": 2}'::jsonb - 'a' AS minus_key,
       '[1, 2, 3]'::jsonb - 1 AS minus_index, '{"a": {"b": 1}}'::jsonb #- '{a,b}' AS minus_path;
SELECT jsonb_set('{"a": {"b": 1}}', '{a,b}', '2'), jsonb_set('{"a": 1}', '{c}', '"new"'), jsonb_insert('[1, 3]', '{1}', '2');
-- functions
SELECT jsonb_typeof('1'), jsonb_typeof('"s"'), jsonb_typeof('[]'), jsonb_typeof('{}'), jsonb_typeof('null'), json_typeof('true');
SELECT jsonb_array_length('[1, 2, 3]'), json_array_length('[]'), jsonb_strip_nulls('{"a": null, "b": 1}');
SELECT to_json('text'::text), to_jsonb(42), to_jsonb(ARRAY[1, 2]), to_jsonb(NULL::text), to_jsonb(true), to_json(1.50);
SELECT json_build_object('a', 1, 'b', 'two', 'c', NULL), jsonb_build_object('x', ARRAY[1, 2]), json_build_array(1, 'a', NULL), jsonb_build_array();
SELECT jsonb_pretty('{"a": [1, {"b": 2}]}');
SELECT key, value FROM jsonb_each('{"b": 2, "a": {"c": 1}}') ORDER BY key;
SELECT key, value FROM jsonb_each_text('{"b": 2, "a": "x"}') ORDER BY key;
SELECT jsonb_object_keys('{"b": 1, "a": 2, "c": 3}') AS k ORDER BY k;
SELECT value FROM jsonb_array_elements('[3, "x", {"y": 1}]') WITH ORDINALITY AS t (value, n) ORDER BY n;
SELECT value FROM jsonb_array_elements_text('["a", "b", null]') WITH ORDINALITY AS t (value, n) ORDER BY n;
SELECT jsonb_agg(id ORDER BY id) AS ids, jsonb_object_agg(id, doc ->> 'name' ORDER BY id) AS names, json_agg(raw ORDER BY id) FILTER (WHERE id < 3) AS raws FROM js_t;
-- casts to and from json
SELECT '{"a": 1}'::json::jsonb, '{"a":1}'::jsonb::text, '5'::jsonb::integer, '"x"'::jsonb::text, 'true'::jsonb::boolean, '1.5'::jsonb::numeric;
-- errors
SELECT '{"a": }'::jsonb;
SELECT '"x"'::jsonb::integer;
SELECT '{"a": 1}'::json = '{"a": 1}'::json;
SELECT jsonb_array_length('{}');
DROP TABLE js_t;
