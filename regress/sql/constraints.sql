--
-- Constraint violations: 23505 unique, 23502 not null, 23514 check, with
-- PostgreSQL's message and detail.  \echo :SQLSTATE shows the error code
-- of the statement before it.
--
CREATE TABLE co_t (
    id    integer PRIMARY KEY,
    email text UNIQUE,
    name  text NOT NULL,
    age   integer CHECK (age >= 0 AND age < 200),
    lo    integer,
    hi    integer,
    CONSTRAINT co_range CHECK (lo <= hi)
);
INSERT INTO co_t VALUES (1, 'a@x', 'ann', 30, 1, 2);
-- unique
INSERT INTO co_t VALUES (1, 'b@x', 'bob', 40, 1, 2);
\echo :SQLSTATE
INSERT INTO co_t VALUES (2, 'a@x', 'bob', 40, 1, 2);
\echo :SQLSTATE
INSERT INTO co_t VALUES (2, NULL, 'bob', 40, 1, 2), (3, NULL, 'cy', 50, 1, 2);
UPDATE co_t SET id = 1 WHERE id = 2;
\echo :SQLSTATE
UPDATE co_t SET email = 'a@x' WHERE id = 3;
\echo :SQLSTATE
-- moving every key past the existing ones
UPDATE co_t SET id = id + 10;
SELECT id FROM co_t ORDER BY id;
-- not null
INSERT INTO co_t (id, email) VALUES (4, 'c@x');
\echo :SQLSTATE
INSERT INTO co_t VALUES (4, 'c@x', NULL, 1, 1, 1);
\echo :SQLSTATE
UPDATE co_t SET name = NULL WHERE id = 11;
\echo :SQLSTATE
INSERT INTO co_t VALUES (NULL, 'c@x', 'cy', 1, 1, 1);
\echo :SQLSTATE
-- check
INSERT INTO co_t VALUES (4, 'd@x', 'dee', -1, 1, 2);
\echo :SQLSTATE
INSERT INTO co_t VALUES (4, 'd@x', 'dee', 10, 5, 2);
\echo :SQLSTATE
UPDATE co_t SET age = 500 WHERE id = 11;
\echo :SQLSTATE
-- a check that evaluates to NULL passes
INSERT INTO co_t VALUES (4, 'd@x', 'dee', NULL, NULL, 2);
SELECT * FROM co_t ORDER BY id;
-- composite keys and values with quotes in the detail
CREATE TABLE co_k (a text, b integer, c text, PRIMARY KEY (a, b));
INSERT INTO co_k VALUES ('it''s', 1, 'x');
INSERT INTO co_k VALUES ('it''s', 1, 'y');
\echo :SQLSTATE
INSERT INTO co_k VALUES (NULL, 1, 'y');
\echo :SQLSTATE
-- long values are not shortened in the detail of a unique violation
CREATE TABLE co_u (t text UNIQUE);
INSERT INTO co_u VALUES (repeat('x', 40)), (repeat('x', 40));
\echo :SQLSTATE
-- a violation in a multi-row insert leaves no row behind
INSERT INTO co_u VALUES ('p'), ('q'), ('p');
SELECT count(*) FROM co_u;
-- ON CONFLICT does not hide other violations
INSERT INTO co_t VALUES (20, 'z@x', NULL, 1, 1, 1) ON CONFLICT DO NOTHING;
\echo :SQLSTATE
INSERT INTO co_t VALUES (21, 'a@x', 'dup', 1, 1, 1) ON CONFLICT (id) DO NOTHING;
\echo :SQLSTATE
DROP TABLE co_t, co_k, co_u;
