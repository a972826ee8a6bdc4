--
-- boolean, bytea, uuid and the casts between the common types (implicit
-- in assignment, explicit with CAST and ::), with their input errors.
--
-- boolean input forms and output
SELECT 'true'::boolean, 'FALSE'::boolean, 't'::boolean, 'no'::boolean, 'on'::boolean, 'off'::boolean, '1'::boolean, ' yes '::boolean;
SELECT true AND NOT false AS t, true::text, false::integer, 1::boolean, 0::boolean, true > false AS ordered;
SELECT b FROM (VALUES (true), (false), (NULL)) v (b) ORDER BY b;
-- bytea
SELECT '\x48656c6c6f'::bytea, 'Hello'::bytea, '\000\001abc'::bytea, ''::bytea, E'\\x00ff'::bytea;
SELECT length('\x010203'::bytea), octet_length('abc'::bytea), '\x01'::bytea || '\x02'::bytea, md5('abc'::bytea);
SELECT encode('Hello'::bytea, 'hex'), encode('Hello'::bytea, 'base64'), decode('48656c6c6f', 'hex'), decode('SGVsbG8=', 'base64'), convert_from('\x48c3a9'::bytea, 'UTF8');
SELECT get_byte('\x0aff'::bytea, 1), substring('\x0102030405'::bytea FROM 2 FOR 2), '\x01'::bytea < '\x0100'::bytea AS shorter_first;
-- uuid
SELECT 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid, 'A0EEBC999C0B4EF8BB6D6BB9BD380A11'::uuid, '{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}'::uuid;
SELECT 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid = 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11'::uuid AS eq,
       '00000000-0000-0000-0000-000000000001'::uuid < 'ffffffff-0000-0000-0000-000000000000'::uuid AS lt,
       gen_random_uuid() IS NOT NULL AS generated, length(gen_random_uuid()::text) AS text_len;
CREATE TABLE ty_t (id uuid PRIMARY KEY, flag boolean NOT NULL DEFAULT false, blob bytea);
INSERT INTO ty_t VALUES ('11111111-1111-1111-1111-111111111111', true, '\xdeadbeef'),
    ('00000000-0000-0000-0000-000000000000', DEFAULT, NULL), ('ffffffff-ffff-ffff-ffff-ffffffffffff', 'no', 'text');
SELECT * FROM ty_t ORDER BY id;
SELECT id FROM ty_t WHERE flag;
SELECT count(*) FROM ty_t WHERE id = '11111111-1111-1111-1111-111111111111';
INSERT INTO ty_t VALUES ('11111111-1111-1111-1111-111111111111', false, NULL);
-- casts: text to and from everything
SELECT 42::text, 4.20::text, 1e10::float8::text, true::text, DATE '2024-01-02'::text, interval '1 day'::text, ARRAY[1, 2]::text, '{"a":1}'::jsonb::text;
SELECT '42'::smallint, '42'::bigint, '4.2'::real, '4.2'::numeric(3,1), 'x'::char, 'abc'::name, '2024-01-02'::timestamptz;
SELECT CAST(3.7 AS integer), CAST('  7 ' AS integer), CAST(7 AS numeric(5,2)), CAST(65 AS text), CAST(NULL AS date) IS NULL AS null_cast;
SELECT 1::integer::boolean, 300::bigint::smallint, '2024-01-01 10:00'::timestamp::date, '2024-01-01'::date::timestamp, '10:00'::time::interval;
-- implicit casts on assignment
CREATE TABLE ty_cast (i integer, t text, n numeric(6,2), f float8, d date, b boolean);
INSERT INTO ty_cast VALUES (1.6, 123, 4, 5, '2024-03-04', 't');
INSERT INTO ty_cast (i, t) VALUES ('  9', DATE '2024-01-01');
SELECT * FROM ty_cast ORDER BY i;
INSERT INTO ty_cast (b) VALUES (1);
INSERT INTO ty_cast (d) VALUES (20240101);
INSERT INTO ty_cast (i) VALUES (true);
-- errors
SELECT 'maybe'::boolean;
SELECT '\xzz'::bytea;
SELECT '1234'::uuid;
SELECT get_byte('\x01'::bytea, 5);
SELECT 'abc'::integer::text;
SELECT true::numeric;
SELECT DATE '2024-01-01'::integer;
DROP TABLE ty_t, ty_cast;
