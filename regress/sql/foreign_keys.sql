--
-- FOREIGN KEY constraints: column and table syntax, the referenced primary
-- key by default, MATCH SIMPLE with NULLs, ON DELETE / ON UPDATE actions,
-- ALTER TABLE ADD / DROP CONSTRAINT, DROP TABLE and TRUNCATE of a
-- referenced table.  \echo :SQLSTATE shows the error code.
--
CREATE TABLE fk_p (a integer PRIMARY KEY, b text UNIQUE, c integer);
INSERT INTO fk_p VALUES (1, 'one', 10), (2, 'two', 20), (3, 'three', 30);
-- column-level REFERENCES defaults to the primary key
CREATE TABLE fk_c (id integer PRIMARY KEY, x integer REFERENCES fk_p);
INSERT INTO fk_c VALUES (1, 1), (2, 2), (3, NULL);
INSERT INTO fk_c VALUES (4, 5);
\echo :SQLSTATE
INSERT INTO fk_c VALUES (4, 1), (5, 7);
\echo :SQLSTATE
UPDATE fk_c SET x = 9 WHERE id = 1;
\echo :SQLSTATE
UPDATE fk_c SET x = 3 WHERE id = 1;
SELECT * FROM fk_c ORDER BY id;
-- NO ACTION (the default) on the referenced side
DELETE FROM fk_p WHERE a = 2;
\echo :SQLSTATE
UPDATE fk_p SET a = 5 WHERE a = 3;
\echo :SQLSTATE
-- an unreferenced row can go
DELETE FROM fk_p WHERE a = 1;
UPDATE fk_p SET c = 21 WHERE a = 2;
SELECT * FROM fk_p ORDER BY a;
-- a self-reference is checked at the end of the statement: a child row
-- may come before its parent
CREATE TABLE fk_tree (id integer PRIMARY KEY, parent integer REFERENCES fk_tree (id));
INSERT INTO fk_tree VALUES (2, 1), (1, NULL), (3, 2);
INSERT INTO fk_tree VALUES (4, 40);
\echo :SQLSTATE
DELETE FROM fk_tree WHERE id = 1;
\echo :SQLSTATE
DELETE FROM fk_tree WHERE id IN (1, 2, 3);
SELECT count(*) FROM fk_tree;
-- table-level syntax, referenced UNIQUE column, named constraint
CREATE TABLE fk_c2 (id integer PRIMARY KEY, pb text,
                    CONSTRAINT fk_c2_named FOREIGN KEY (pb) REFERENCES fk_p (b));
INSERT INTO fk_c2 VALUES (1, 'two');
INSERT INTO fk_c2 VALUES (2, 'nine');
\echo :SQLSTATE
DELETE FROM fk_p WHERE b = 'two';
\echo :SQLSTATE
-- errors at CREATE time
CREATE TABLE fk_bad (x integer REFERENCES fk_p (c));
\echo :SQLSTATE
CREATE TABLE fk_bad (x integer REFERENCES fk_nosuch);
\echo :SQLSTATE
CREATE TABLE fk_bad (x integer, FOREIGN KEY (y) REFERENCES fk_p);
\echo :SQLSTATE
CREATE TABLE fk_bad (x integer, FOREIGN KEY (x) REFERENCES fk_p (zz));
\echo :SQLSTATE
CREATE TABLE fk_bad (x integer, y integer, FOREIGN KEY (x, y) REFERENCES fk_p);
\echo :SQLSTATE
CREATE TABLE fk_bad (x text REFERENCES fk_p);
\echo :SQLSTATE
CREATE TABLE fk_nopk (a integer);
CREATE TABLE fk_bad (x integer REFERENCES fk_nopk);
\echo :SQLSTATE
-- integer types mix
CREATE TABLE fk_big (x bigint REFERENCES fk_p);
INSERT INTO fk_big VALUES (2);
INSERT INTO fk_big VALUES (4);
\echo :SQLSTATE
DROP TABLE fk_big;
-- MATCH SIMPLE and MATCH FULL with composite keys
CREATE TABLE fk_mp (a integer, b integer, PRIMARY KEY (a, b));
INSERT INTO fk_mp VALUES (1, 1), (1, 2);
CREATE TABLE fk_ms (id integer PRIMARY KEY, a integer, b integer,
                    FOREIGN KEY (a, b) REFERENCES fk_mp);
INSERT INTO fk_ms VALUES (1, 1, 1), (2, 1, NULL), (3, NULL, 99), (4, NULL, NULL);
INSERT INTO fk_ms VALUES (5, 1, 3);
\echo :SQLSTATE
CREATE TABLE fk_mf (id integer PRIMARY KEY, a integer, b integer,
                    FOREIGN KEY (a, b) REFERENCES fk_mp MATCH FULL);
INSERT INTO fk_mf VALUES (1, 1, 2), (2, NULL, NULL);
INSERT INTO fk_mf VALUES (3, 1, NULL);
\echo :SQLSTATE
DELETE FROM fk_mp WHERE a = 1 AND b = 2;
\echo :SQLSTATE
DROP TABLE fk_mf, fk_ms, fk_mp;
-- ON DELETE CASCADE, ON UPDATE CASCADE
CREATE TABLE fk_ap (a integer PRIMARY KEY, n text);
INSERT INTO fk_ap VALUES (1, 'a'), (2, 'b'), (3, 'c');
CREATE TABLE fk_ac (id integer PRIMARY KEY,
                    x integer REFERENCES fk_ap ON DELETE CASCADE ON UPDATE CASCADE);
INSERT INTO fk_ac VALUES (1, 1), (2, 1), (3, 2), (4, 3), (5, NULL);
DELETE FROM fk_ap WHERE a = 1;
SELECT * FROM fk_ac ORDER BY id;
UPDATE fk_ap SET a = 20 WHERE a = 2;
SELECT * FROM fk_ac ORDER BY id;
-- a cascade two levels down
CREATE TABLE fk_ac2 (id integer PRIMARY KEY, y integer REFERENCES fk_ac ON DELETE CASCADE);
INSERT INTO fk_ac2 VALUES (1, 3), (2, 4);
DELETE FROM fk_ap WHERE a = 20;
SELECT * FROM fk_ac ORDER BY id;
SELECT * FROM fk_ac2 ORDER BY id;
-- RESTRICT below a cascade stops it
CREATE TABLE fk_ar (id integer PRIMARY KEY, z integer REFERENCES fk_ac ON DELETE RESTRICT);
INSERT INTO fk_ar VALUES (1, 4);
DELETE FROM fk_ap WHERE a = 3;
\echo :SQLSTATE
SELECT * FROM fk_ap ORDER BY a;
DROP TABLE fk_ar, fk_ac2;
-- ON DELETE SET NULL / SET DEFAULT, ON UPDATE SET NULL
CREATE TABLE fk_sp (a integer PRIMARY KEY);
INSERT INTO fk_sp VALUES (0), (1), (2), (3);
CREATE TABLE fk_sn (id integer PRIMARY KEY,
                    x integer REFERENCES fk_sp ON DELETE SET NULL ON UPDATE SET NULL);
CREATE TABLE fk_sd (id integer PRIMARY KEY,
                    x integer DEFAULT 0 REFERENCES fk_sp ON DELETE SET DEFAULT);
INSERT INTO fk_sn VALUES (1, 1), (2, 2), (3, 3);
INSERT INTO fk_sd VALUES (1, 1), (2, 2), (3, 3);
DELETE FROM fk_sp WHERE a = 1;
UPDATE fk_sp SET a = 22 WHERE a = 2;
SELECT * FROM fk_sn ORDER BY id;
SELECT * FROM fk_sd ORDER BY id;
-- SET DEFAULT to a value that is not there
DELETE FROM fk_sp WHERE a = 0;
\echo :SQLSTATE
-- SET NULL on a NOT NULL column
CREATE TABLE fk_snn (id integer PRIMARY KEY,
                     x integer NOT NULL REFERENCES fk_sp ON DELETE SET NULL);
INSERT INTO fk_snn VALUES (1, 3);
DELETE FROM fk_sp WHERE a = 3;
\echo :SQLSTATE
DROP TABLE fk_snn, fk_sn, fk_sd, fk_sp;
-- ALTER TABLE ADD CONSTRAINT checks the rows already there
CREATE TABLE fk_lp (a integer PRIMARY KEY);
INSERT INTO fk_lp VALUES (1), (2);
CREATE TABLE fk_lc (id integer PRIMARY KEY, x integer);
INSERT INTO fk_lc VALUES (1, 1), (2, 5), (3, NULL);
ALTER TABLE fk_lc ADD CONSTRAINT fk_lc_x FOREIGN KEY (x) REFERENCES fk_lp;
\echo :SQLSTATE
DELETE FROM fk_lc WHERE id = 2;
ALTER TABLE fk_lc ADD CONSTRAINT fk_lc_x FOREIGN KEY (x) REFERENCES fk_lp;
INSERT INTO fk_lc VALUES (4, 3);
\echo :SQLSTATE
ALTER TABLE fk_lc ADD CONSTRAINT fk_lc_x FOREIGN KEY (x) REFERENCES fk_lp;
\echo :SQLSTATE
ALTER TABLE fk_lc ADD FOREIGN KEY (id) REFERENCES fk_lp ON DELETE CASCADE;
\echo :SQLSTATE
ALTER TABLE fk_lc DROP CONSTRAINT fk_lc_x;
INSERT INTO fk_lc VALUES (4, 3);
\echo :SQLSTATE
ALTER TABLE fk_lc DROP CONSTRAINT fk_lc_x;
\echo :SQLSTATE
-- the referenced primary key cannot go while it is referenced
ALTER TABLE fk_ap DROP CONSTRAINT fk_ap_pkey;
\echo :SQLSTATE
-- TRUNCATE of a referenced table
TRUNCATE fk_ap;
\echo :SQLSTATE
TRUNCATE fk_ap, fk_ac;
SELECT count(*) FROM fk_ac;
-- DROP TABLE of a referenced table
DROP TABLE fk_ap;
\echo :SQLSTATE
DROP TABLE fk_ap CASCADE;
INSERT INTO fk_ac VALUES (9, 99);
SELECT * FROM fk_ac ORDER BY id;
-- dropping both at once needs no CASCADE
DROP TABLE fk_lp, fk_lc;
-- inside a transaction block: the check sees the block's own rows
BEGIN;
INSERT INTO fk_p VALUES (7, 'seven', 70);
INSERT INTO fk_c VALUES (7, 7);
COMMIT;
SELECT * FROM fk_c ORDER BY id;
BEGIN;
INSERT INTO fk_c VALUES (8, 8);
\echo :SQLSTATE
ROLLBACK;
-- COPY checks each row
COPY fk_c FROM STDIN;
20	7
21	99
\.
SELECT count(*) FROM fk_c WHERE id >= 20;
-- ON CONFLICT DO UPDATE moving a key to a missing value
INSERT INTO fk_c VALUES (7, 2) ON CONFLICT (id) DO UPDATE SET x = 42;
\echo :SQLSTATE
INSERT INTO fk_c VALUES (7, 2) ON CONFLICT (id) DO UPDATE SET x = EXCLUDED.x;
SELECT * FROM fk_c WHERE id = 7;
-- a column added with REFERENCES is checked against the rows there
ALTER TABLE fk_c ADD COLUMN y integer DEFAULT 3 REFERENCES fk_p;
ALTER TABLE fk_c ADD COLUMN z integer DEFAULT 8 REFERENCES fk_p;
\echo :SQLSTATE
INSERT INTO fk_c VALUES (30, 2, 4);
\echo :SQLSTATE
-- dropping a referencing column drops its constraint; a referenced one
-- needs CASCADE
ALTER TABLE fk_c DROP COLUMN y;
INSERT INTO fk_c VALUES (30, 2);
ALTER TABLE fk_p DROP COLUMN b;
\echo :SQLSTATE
ALTER TABLE fk_p DROP COLUMN b CASCADE;
INSERT INTO fk_c2 VALUES (3, 'anything');
-- a tree deleted by cascade from its root
CREATE TABLE fk_node (id integer PRIMARY KEY, up integer REFERENCES fk_node ON DELETE CASCADE);
INSERT INTO fk_node VALUES (1, NULL), (2, 1), (3, 1), (4, 2), (5, 4), (6, NULL);
DELETE FROM fk_node WHERE id = 1;
SELECT id FROM fk_node ORDER BY id;
-- ON UPDATE CASCADE through two levels
CREATE TABLE fk_u1 (a integer PRIMARY KEY);
CREATE TABLE fk_u2 (b integer PRIMARY KEY REFERENCES fk_u1 ON UPDATE CASCADE);
CREATE TABLE fk_u3 (c integer REFERENCES fk_u2 ON UPDATE CASCADE);
INSERT INTO fk_u1 VALUES (1), (2);
INSERT INTO fk_u2 VALUES (1), (2);
INSERT INTO fk_u3 VALUES (1), (1), (2);
UPDATE fk_u1 SET a = a + 10;
SELECT * FROM fk_u2 ORDER BY b;
SELECT * FROM fk_u3 ORDER BY c;
DROP TABLE fk_u3, fk_u2, fk_u1, fk_node;
-- the catalog: pg_constraint rows and their definitions, as psql's \d reads them
CREATE TABLE fk_dp (a integer PRIMARY KEY, b text UNIQUE);
CREATE TABLE fk_dc (id integer PRIMARY KEY, x integer REFERENCES fk_dp ON DELETE CASCADE, y text,
                    FOREIGN KEY (y) REFERENCES fk_dp (b) MATCH FULL ON UPDATE SET NULL);
SELECT conname, pg_catalog.pg_get_constraintdef(r.oid, true) AS condef
FROM pg_catalog.pg_constraint r WHERE r.conrelid = 'fk_dc'::regclass AND r.contype = 'f' ORDER BY 1;
SELECT conname, conrelid::pg_catalog.regclass AS ontable
FROM pg_catalog.pg_constraint c WHERE confrelid = 'fk_dp'::regclass AND contype = 'f' ORDER BY conname;
SELECT conname, contype, confupdtype, confdeltype, confmatchtype, conkey, confkey
FROM pg_constraint WHERE conrelid = 'fk_dc'::regclass ORDER BY conname;
DROP TABLE fk_dc, fk_dp;
DROP TABLE fk_c2, fk_c, fk_p, fk_tree, fk_nopk, fk_ac;
