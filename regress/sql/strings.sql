--
-- Strings: text, varchar(n), char(n); concatenation, the common string
-- functions, LIKE / ILIKE / SIMILAR TO, regular expression operators.
--
SELECT length('hello'), char_length('héllo'), octet_length('héllo'), bit_length('ab');
SELECT upper('MiXeD ß'), lower('MiXeD'), initcap('hello wORLD foo-bar');
SELECT substring('abcdef' FROM 2 FOR 3), substring('abcdef' FROM 4), substring('abcdef', 2, 2),
       substr('abcdef', 3), substr('abcdef', 0, 3), substring('abc' FROM -1 FOR 3);
SELECT position('cd' IN 'abcdef'), position('x' IN 'abc'), strpos('abcabc', 'ca');
SELECT trim('  pad  ') || '|', ltrim('  pad  ') || '|', rtrim('  pad  ') || '|',
       trim(BOTH 'x' FROM 'xxaxx'), trim(LEADING 'x' FROM 'xxaxx'), btrim('xyaxy', 'xy');
SELECT lpad('7', 3, '0'), rpad('ab', 5, '-'), lpad('toolong', 3), repeat('ab', 3), repeat('x', 0);
SELECT replace('banana', 'an', 'AN'), translate('hello', 'el', 'ip'), reverse('abc');
SELECT left('abcdef', 2), right('abcdef', 2), left('abcdef', -2), right('abcdef', -2);
SELECT split_part('a,b,,c', ',', 2), split_part('a,b,,c', ',', 3), split_part('a,b,c', ',', 9), split_part('a,b,c', ',', -1);
SELECT concat('a', NULL, 1, true), concat_ws('-', 'a', NULL, 'b'), 'a' || NULL AS null_concat;
SELECT ascii('A'), chr(66), md5('abc'), to_hex(255), quote_ident('a b'), quote_literal('it''s');
SELECT format('%s is %s years', 'ann', 30), format('%I.%L', 'T', 'v'), format('[%5s][%-5s]', 'ab', 'cd');
SELECT starts_with('hello', 'he'), 'abc' < 'abd' AS lt, 'a' < 'B' AS c_order, 'abc' = 'abc ' AS eq;
SELECT string_to_array('a,b,c', ','), array_to_string(ARRAY['x', NULL, 'z'], ':', '*');
-- E'' strings and escapes, dollar quoting
SELECT E'tab\there', E'quote\'s', $$dollar 'quoted'$$, $tag$a$$b$tag$, U&'\0041';
-- varchar(n) and char(n)
CREATE TABLE st_t (id integer PRIMARY KEY, v varchar(5), c char(4), t text);
INSERT INTO st_t VALUES (1, 'abc', 'ab', 'x'), (2, 'abcde', 'abcd', 'y'), (3, 'ab   ', 'a', '');
SELECT id, v, c, '[' || c || ']' AS c_concat, length(c) AS c_len, octet_length(c) AS c_octets, length(v) FROM st_t ORDER BY id;
SELECT id FROM st_t WHERE c = 'ab' ORDER BY id;
SELECT id FROM st_t WHERE c = 'ab  ' ORDER BY id;
SELECT 'ab'::char(4) = 'ab'::char(2) AS bpchar_eq, 'a '::text = 'a'::text AS text_eq;
-- explicit casts truncate, assignments raise 22001 (trailing spaces are cut silently)
SELECT 'abcdefgh'::varchar(3), 'abcdefgh'::char(3), CAST('xyz' AS varchar(2));
INSERT INTO st_t VALUES (4, 'abcdef', 'a', 'x');
INSERT INTO st_t VALUES (4, 'abc', 'abcde', 'x');
INSERT INTO st_t VALUES (4, 'abcde   ', 'abcd  ', 'x');
SELECT id, v, c FROM st_t WHERE id = 4;
UPDATE st_t SET v = v || 'xyz' WHERE id = 1;
-- LIKE and ILIKE
CREATE TABLE st_like (s text);
INSERT INTO st_like VALUES ('apple'), ('Apple'), ('banana'), ('a_b'), ('a%b'), ('axb'), (''), (NULL);
SELECT s FROM st_like WHERE s LIKE 'a%' ORDER BY s;
SELECT s FROM st_like WHERE s LIKE '%an%' ORDER BY s;
SELECT s FROM st_like WHERE s LIKE 'a_b' ORDER BY s;
SELECT s FROM st_like WHERE s LIKE 'a\_b' ORDER BY s;
SELECT s FROM st_like WHERE s LIKE 'a#%b' ESCAPE '#' ORDER BY s;
SELECT s FROM st_like WHERE s ILIKE 'APP%' ORDER BY s;
SELECT s FROM st_like WHERE s NOT LIKE '%a%' ORDER BY s;
SELECT s FROM st_like WHERE s NOT ILIKE 'a%' ORDER BY s;
SELECT s FROM st_like WHERE s LIKE '' ORDER BY s;
SELECT 'abc' LIKE 'abc' AS a, 'abc' LIKE 'ABC' AS b, 'abc' ~~ 'a%' AS c, 'ABC' ~~* 'a%' AS d, 'abc' !~~ 'a%' AS e, NULL LIKE 'a' AS f;
-- SIMILAR TO
SELECT 'abc' SIMILAR TO 'abc' AS a, 'abc' SIMILAR TO 'a' AS b, 'abc' SIMILAR TO '%(b|d)%' AS c,
       'abc' SIMILAR TO '(a|b)%' AS d, 'aaa' SIMILAR TO 'a{2,3}' AS e, 'ab' NOT SIMILAR TO 'a_' AS f;
-- regular expressions
SELECT 'abc123' ~ '[0-9]+' AS a, 'ABC' ~ 'abc' AS b, 'ABC' ~* 'abc' AS c, 'abc' !~ 'z' AS d, 'abc' !~* 'A' AS e;
SELECT s FROM st_like WHERE s ~ '^a.b$' ORDER BY s;
SELECT regexp_replace('2024-01-15', '(\d+)-(\d+)-(\d+)', '\3/\2/\1'), regexp_replace('aaa', 'a', 'b'),
       regexp_replace('aaa', 'a', 'b', 'g');
SELECT regexp_match('foo123bar45', '(\d+)\D+(\d+)'), regexp_matches('a1b22c333', '\d+', 'g') ORDER BY 1, 2;
SELECT substring('foo123bar' FROM '[0-9]+'), substring('foobar' FROM 'o(.)b');
SELECT regexp_split_to_array('a1b22c', '\d+');
-- errors
SELECT 'a' ~ '(';
SELECT repeat('x', -1) = '' AS empty;
SELECT chr(0);
SELECT length(1);
DROP TABLE st_t, st_like;
