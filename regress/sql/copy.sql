--
-- COPY FROM STDIN and COPY TO STDOUT in text and CSV format: NULLs,
-- escapes, column lists, defaults, and errors in the data.
--
CREATE TABLE cp_t (id integer PRIMARY KEY, name text, score numeric(5,1), day date DEFAULT '2024-01-01', tags text[]);
COPY cp_t FROM STDIN;
1	ann	9.5	2024-02-03	{a,b}
2	bob	\N	2024-02-04	{}
3	tab\there	7	\N	\N
4	back\\slash	0.25	2024-02-29	{"x y"}
\.
SELECT * FROM cp_t ORDER BY id;
COPY cp_t (id, name) FROM STDIN;
5	defaults
\.
SELECT id, name, score, day FROM cp_t WHERE id = 5;
COPY cp_t (id, name, score) FROM STDIN (FORMAT csv, HEADER true);
id,name,score
6,"comma, inside",1.5
7,"quote ""q""",
8,,2
\.
SELECT id, name, score, name IS NULL AS null_name FROM cp_t WHERE id >= 6 ORDER BY id;
COPY (SELECT * FROM cp_t ORDER BY id) TO STDOUT;
COPY (SELECT id, name FROM cp_t WHERE id IN (6, 7, 8) ORDER BY id) TO STDOUT WITH (FORMAT csv, HEADER);
COPY (SELECT name, id FROM cp_t ORDER BY id) TO STDOUT WITH (DELIMITER '|', NULL 'NULL');
-- a whole table and a column list (one row: a table's order is the scan's)
CREATE TABLE cp_one (a integer, b text, c date);
INSERT INTO cp_one VALUES (1, 'x y', NULL);
COPY cp_one TO STDOUT;
COPY cp_one (c, a) TO STDOUT WITH (DELIMITER '|', NULL 'NULL');
-- a bigger load
CREATE TABLE cp_big (k integer PRIMARY KEY, v text);
INSERT INTO cp_big SELECT g, md5(g::text) FROM generate_series(1, 2000) g;
SELECT count(*), min(k), max(k), count(DISTINCT v) FROM cp_big;
-- errors: bad data, a duplicate key, too many columns; nothing is loaded
COPY cp_t (id, score) FROM STDIN;
9	not-a-number
\.
COPY cp_t (id) FROM STDIN;
10
1
\.
COPY cp_t (id, name) FROM STDIN;
11	a	extra
\.
SELECT count(*) FROM cp_t WHERE id >= 9;
COPY nosuch FROM STDIN;
COPY cp_t (nosuch) FROM STDIN;
DROP TABLE cp_t, cp_big, cp_one;
