--
-- ALTER TABLE: ADD/DROP/RENAME COLUMN, SET/DROP DEFAULT, SET/DROP NOT NULL,
-- ADD/DROP CONSTRAINT (including a primary key on a filled table), RENAME.
--
CREATE TABLE at_t (a integer, b text);
INSERT INTO at_t VALUES (1, 'one'), (2, 'two'), (3, 'three');
-- add columns, with and without defaults
ALTER TABLE at_t ADD COLUMN c integer;
ALTER TABLE at_t ADD COLUMN d text DEFAULT 'dflt';
ALTER TABLE at_t ADD e boolean NOT NULL DEFAULT true;
SELECT * FROM at_t ORDER BY a;
INSERT INTO at_t (a, b) VALUES (4, 'four');
SELECT * FROM at_t ORDER BY a;
ALTER TABLE at_t ADD COLUMN IF NOT EXISTS c integer;
ALTER TABLE at_t ADD COLUMN c integer;
ALTER TABLE at_t ADD COLUMN f integer NOT NULL;
-- drop columns
ALTER TABLE at_t DROP COLUMN c;
ALTER TABLE at_t DROP COLUMN IF EXISTS c;
ALTER TABLE at_t DROP COLUMN c;
SELECT * FROM at_t ORDER BY a;
-- a dropped column can be added again and starts empty
ALTER TABLE at_t ADD COLUMN c text;
SELECT a, c FROM at_t ORDER BY a;
-- rename columns and tables
ALTER TABLE at_t RENAME COLUMN b TO name;
ALTER TABLE at_t RENAME d TO note;
SELECT a, name, note FROM at_t ORDER BY a;
SELECT b FROM at_t;
ALTER TABLE at_t RENAME COLUMN nosuch TO x;
ALTER TABLE at_t RENAME COLUMN a TO name;
ALTER TABLE at_t RENAME TO at_renamed;
SELECT count(*) FROM at_t;
SELECT count(*) FROM at_renamed;
ALTER TABLE at_renamed RENAME TO at_t;
-- defaults
ALTER TABLE at_t ALTER COLUMN note SET DEFAULT 'changed';
INSERT INTO at_t (a, name) VALUES (5, 'five');
ALTER TABLE at_t ALTER COLUMN note DROP DEFAULT;
INSERT INTO at_t (a, name) VALUES (6, 'six');
SELECT a, name, note FROM at_t WHERE a >= 4 ORDER BY a;
-- NOT NULL
ALTER TABLE at_t ALTER COLUMN note SET NOT NULL;
DELETE FROM at_t WHERE note IS NULL;
ALTER TABLE at_t ALTER COLUMN note SET NOT NULL;
INSERT INTO at_t (a, name) VALUES (7, 'seven');
ALTER TABLE at_t ALTER COLUMN note DROP NOT NULL;
INSERT INTO at_t (a, name) VALUES (7, 'seven');
SELECT a, name, note FROM at_t ORDER BY a;
-- constraints on a filled table
ALTER TABLE at_t ADD CONSTRAINT at_t_a_pos CHECK (a > 0);
INSERT INTO at_t (a) VALUES (-1);
ALTER TABLE at_t ADD CONSTRAINT at_t_a_small CHECK (a < 3);
ALTER TABLE at_t DROP CONSTRAINT at_t_a_pos;
INSERT INTO at_t (a) VALUES (-1);
DELETE FROM at_t WHERE a = -1;
ALTER TABLE at_t DROP CONSTRAINT nosuch;
ALTER TABLE at_t DROP CONSTRAINT IF EXISTS nosuch;
ALTER TABLE at_t ADD CONSTRAINT at_t_name_key UNIQUE (name);
INSERT INTO at_t (a, name) VALUES (8, 'one');
-- ADD PRIMARY KEY on a filled table, as pgbench does
CREATE TABLE at_accounts (aid integer NOT NULL, bid integer, abalance integer, filler char(84));
INSERT INTO at_accounts SELECT g, (g - 1) / 10 + 1, 0, '' FROM generate_series(1, 30) g;
ALTER TABLE at_accounts ADD PRIMARY KEY (aid);
INSERT INTO at_accounts VALUES (5, 1, 0, '');
SELECT aid, bid FROM at_accounts WHERE aid = 17;
SELECT count(*), sum(aid), min(bid), max(bid) FROM at_accounts;
ALTER TABLE at_accounts ADD PRIMARY KEY (bid);
-- a primary key that the data violates
CREATE TABLE at_dup (a integer, b integer);
INSERT INTO at_dup VALUES (1, 1), (1, 2), (NULL, 3);
ALTER TABLE at_dup ADD PRIMARY KEY (a);
ALTER TABLE at_dup ADD CONSTRAINT at_dup_a_key UNIQUE (a);
ALTER TABLE at_dup ADD PRIMARY KEY (b);
ALTER TABLE at_dup ADD PRIMARY KEY (a);
ALTER TABLE at_dup DROP CONSTRAINT at_dup_pkey;
INSERT INTO at_dup VALUES (1, 1);
SELECT * FROM at_dup ORDER BY b;
-- several actions in one statement
ALTER TABLE at_dup ADD COLUMN x integer DEFAULT 0, ADD COLUMN y integer, DROP COLUMN a;
SELECT * FROM at_dup ORDER BY b;
-- errors
ALTER TABLE nosuch ADD COLUMN z integer;
ALTER TABLE IF EXISTS nosuch ADD COLUMN z integer;
ALTER TABLE at_t ALTER COLUMN nosuch SET DEFAULT 1;
ALTER TABLE at_t ADD COLUMN z nosuchtype;
DROP TABLE at_t, at_accounts, at_dup;
