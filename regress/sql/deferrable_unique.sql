-- DEFERRABLE UNIQUE constraints: checked at the end of the statement
-- (INITIALLY IMMEDIATE) or at COMMIT (INITIALLY DEFERRED, SET CONSTRAINTS).

-- a plain UNIQUE is checked row by row: the shift hits the next row's key
CREATE TABLE du_plain (id int PRIMARY KEY, u int UNIQUE);
INSERT INTO du_plain VALUES (1, 1), (2, 2), (3, 3);
UPDATE du_plain SET u = u + 1;
SELECT id, u FROM du_plain ORDER BY id;

-- DEFERRABLE (INITIALLY IMMEDIATE): checked at the end of the statement
CREATE TABLE du_imm (id int PRIMARY KEY, u int UNIQUE DEFERRABLE);
INSERT INTO du_imm VALUES (1, 1), (2, 2), (3, 3);
UPDATE du_imm SET u = u + 1;
SELECT id, u FROM du_imm ORDER BY id;
UPDATE du_imm SET u = 10 - u;
SELECT id, u FROM du_imm ORDER BY id;
-- still a duplicate at the end of the statement
UPDATE du_imm SET u = 5 WHERE id IN (1, 2);
INSERT INTO du_imm VALUES (4, 7);
INSERT INTO du_imm VALUES (4, 100), (5, 100);
SELECT id, u FROM du_imm ORDER BY id;
-- NULLs never conflict
INSERT INTO du_imm VALUES (6, NULL), (7, NULL);
SELECT count(*) FROM du_imm WHERE u IS NULL;
-- in a block, an immediate check fails the statement
BEGIN;
INSERT INTO du_imm VALUES (8, 50);
INSERT INTO du_imm VALUES (9, 50);
COMMIT;
SELECT id, u FROM du_imm WHERE id >= 8 ORDER BY id;

-- SET CONSTRAINTS ... DEFERRED moves the check to COMMIT
BEGIN;
SET CONSTRAINTS du_imm_u_key DEFERRED;
INSERT INTO du_imm VALUES (10, 9);
UPDATE du_imm SET u = 9 WHERE id = 1;
SELECT id, u FROM du_imm WHERE u = 9 ORDER BY id;
UPDATE du_imm SET u = 99 WHERE id = 10;
COMMIT;
SELECT id, u FROM du_imm WHERE u IN (9, 99) ORDER BY id;

-- a duplicate at COMMIT fails the commit and rolls everything back
BEGIN;
SET CONSTRAINTS ALL DEFERRED;
INSERT INTO du_imm VALUES (11, 11);
INSERT INTO du_imm VALUES (12, 11);
COMMIT;
SELECT count(*) FROM du_imm WHERE id IN (11, 12);

-- INITIALLY DEFERRED, table constraint with a name
CREATE TABLE du_def (id int PRIMARY KEY, a int, b text,
                     CONSTRAINT du_def_ab UNIQUE (a, b) DEFERRABLE INITIALLY DEFERRED);
INSERT INTO du_def VALUES (1, 1, 'x'), (2, 2, 'x');
BEGIN;
UPDATE du_def SET a = 2 WHERE id = 1;
SELECT id, a, b FROM du_def ORDER BY id;
UPDATE du_def SET a = 1 WHERE id = 2;
COMMIT;
SELECT id, a, b FROM du_def ORDER BY id;
BEGIN;
INSERT INTO du_def VALUES (3, 1, 'x');
COMMIT;
SELECT id, a, b FROM du_def ORDER BY id;
-- a single statement outside a block commits at once: checked then
INSERT INTO du_def VALUES (3, 2, 'x');
SELECT count(*) FROM du_def;
-- SET CONSTRAINTS ... IMMEDIATE checks what is waiting
BEGIN;
INSERT INTO du_def VALUES (3, 2, 'x');
SET CONSTRAINTS du_def_ab IMMEDIATE;
ROLLBACK;
BEGIN;
INSERT INTO du_def VALUES (3, 3, 'x');
SET CONSTRAINTS du_def_ab IMMEDIATE;
INSERT INTO du_def VALUES (4, 3, 'x');
ROLLBACK;
BEGIN;
SET CONSTRAINTS ALL IMMEDIATE;
INSERT INTO du_def VALUES (4, 1, 'x');
ROLLBACK;
-- a duplicate removed again before COMMIT is no error
BEGIN;
INSERT INTO du_def VALUES (5, 1, 'x');
DELETE FROM du_def WHERE id = 2;
COMMIT;
SELECT id, a, b FROM du_def ORDER BY id;
-- swap two keys in two statements
BEGIN;
UPDATE du_def SET a = 1 WHERE id = 1;
UPDATE du_def SET a = 2 WHERE id = 5;
COMMIT;
SELECT id, a, b FROM du_def ORDER BY id;

-- ON CONFLICT cannot use a deferrable constraint as arbiter
INSERT INTO du_def VALUES (9, 1, 'x') ON CONFLICT DO NOTHING;
INSERT INTO du_def VALUES (9, 1, 'x') ON CONFLICT (a, b) DO NOTHING;
INSERT INTO du_def VALUES (1, 7, 'y') ON CONFLICT (id) DO NOTHING;
SELECT id, a, b FROM du_def ORDER BY id;

-- ALTER TABLE ADD CONSTRAINT ... DEFERRABLE
CREATE TABLE du_alt (id int PRIMARY KEY, v int);
INSERT INTO du_alt VALUES (1, 1), (2, 2);
ALTER TABLE du_alt ADD CONSTRAINT du_alt_v UNIQUE (v) DEFERRABLE INITIALLY IMMEDIATE;
UPDATE du_alt SET v = 3 - v;
SELECT id, v FROM du_alt ORDER BY id;

-- catalogs
SELECT conname, contype, condeferrable, condeferred FROM pg_constraint
 WHERE conrelid IN ('du_imm'::regclass, 'du_def'::regclass, 'du_alt'::regclass, 'du_plain'::regclass)
 ORDER BY conname;
SELECT constraint_name, is_deferrable, initially_deferred FROM information_schema.table_constraints
 WHERE table_name IN ('du_imm', 'du_def', 'du_alt') AND constraint_type <> 'CHECK'
 ORDER BY constraint_name;
SELECT pg_get_constraintdef(oid) FROM pg_constraint
 WHERE conrelid IN ('du_imm'::regclass, 'du_def'::regclass, 'du_alt'::regclass) AND contype = 'u'
 ORDER BY conname;
SELECT c.relname, i.indimmediate FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
 WHERE i.indrelid IN ('du_imm'::regclass, 'du_def'::regclass) ORDER BY c.relname;

-- errors
CREATE TABLE du_ref (x int, y text, FOREIGN KEY (x, y) REFERENCES du_def (a, b));
CREATE TABLE du_ref (x int REFERENCES du_imm (u));
SET CONSTRAINTS du_plain_u_key DEFERRED;
SET CONSTRAINTS du_nosuch DEFERRED;
CREATE TABLE du_bad (id int UNIQUE INITIALLY DEFERRED);
INSERT INTO du_bad VALUES (1), (2);
BEGIN;
INSERT INTO du_bad VALUES (1);
SELECT count(*) FROM du_bad;
COMMIT;
SELECT count(*) FROM du_bad;

DROP TABLE du_plain, du_imm, du_def, du_alt, du_bad;
