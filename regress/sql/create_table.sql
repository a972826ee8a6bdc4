--
-- CREATE TABLE: column types, defaults, constraints, IF NOT EXISTS,
-- AS SELECT, table options, schemas, COMMENT ON, VACUUM and ANALYZE.
--
CREATE TABLE ct_types (
    b   boolean,
    i2  smallint,
    i4  integer,
    i8  bigint,
    f4  real,
    f8  double precision,
    n   numeric(10,2),
    nn  numeric,
    t   text,
    vc  varchar(5),
    c   char(3),
    by  bytea,
    d   date,
    tm  time,
    ts  timestamp,
    tz  timestamptz,
    iv  interval,
    u   uuid,
    j   json,
    jb  jsonb,
    ai  integer[],
    at  text[]
);
INSERT INTO ct_types VALUES (true, 1, 2, 3, 1.5, 2.25, 12.345, 1e20, 'text', 'abc', 'x',
    '\x0102ff', '2024-02-29', '12:34:56', '2024-02-29 12:34:56.789', '2024-02-29 12:34:56+02',
    '1 day 2 hours', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{"a": 1}', '{"b": [1, 2], "a": 1}',
    '{1,2,3}', '{x,"y z"}');
INSERT INTO ct_types DEFAULT VALUES;
SELECT * FROM ct_types ORDER BY i4 NULLS LAST;
SELECT count(*) FROM ct_types;
-- type aliases
CREATE TABLE ct_alias (a int, b int4, c int8, d int2, e float, f float4, g float8,
    h decimal(5,1), i bool, j character varying(4), k character(2), l varchar, m serial);
INSERT INTO ct_alias (a, b, c, d, e, f, g, h, i, j, k, l)
    VALUES (1, 2, 3, 4, 5.5, 6.5, 7.5, 8.25, 'yes', 'abcd', 'z', 'long text');
SELECT * FROM ct_alias;
-- defaults, including expressions
CREATE TABLE ct_defaults (
    id integer,
    a  integer DEFAULT 42,
    b  text DEFAULT 'none',
    c  integer DEFAULT 2 * 21 + 1,
    d  boolean DEFAULT false,
    e  text DEFAULT NULL
);
INSERT INTO ct_defaults (id) VALUES (1);
INSERT INTO ct_defaults (id, a, b) VALUES (2, DEFAULT, 'given');
SELECT * FROM ct_defaults ORDER BY id;
-- constraints in column and table form
CREATE TABLE ct_cons (
    id    integer PRIMARY KEY,
    code  text NOT NULL UNIQUE,
    qty   integer CHECK (qty >= 0),
    price numeric(8,2) NOT NULL DEFAULT 0,
    CONSTRAINT ct_cons_price_qty CHECK (price >= 0 OR qty = 0)
);
INSERT INTO ct_cons VALUES (1, 'a', 3, 9.99), (2, 'b', 0, 0);
SELECT * FROM ct_cons ORDER BY id;
CREATE TABLE ct_pk2 (a integer, b text, c integer, PRIMARY KEY (a, b), UNIQUE (c));
INSERT INTO ct_pk2 VALUES (1, 'x', 1), (1, 'y', 2), (2, 'x', NULL), (3, 'x', NULL);
SELECT * FROM ct_pk2 ORDER BY a, b;
-- a table without a primary key keeps duplicate rows
CREATE TABLE ct_nopk (a integer, b text);
INSERT INTO ct_nopk VALUES (1, 'x'), (1, 'x'), (NULL, NULL);
SELECT a, b, count(*) FROM ct_nopk GROUP BY a, b ORDER BY a;
-- IF NOT EXISTS
CREATE TABLE ct_nopk (z integer);
CREATE TABLE IF NOT EXISTS ct_nopk (z integer);
SELECT * FROM ct_nopk ORDER BY a NULLS FIRST;
-- AS SELECT
CREATE TABLE ct_as AS SELECT id, code, qty * 2 AS qty2 FROM ct_cons WHERE id > 0;
SELECT * FROM ct_as ORDER BY id;
CREATE TABLE ct_as_empty AS SELECT * FROM ct_cons WITH NO DATA;
SELECT count(*) FROM ct_as_empty;
INSERT INTO ct_as_empty VALUES (5, 'e', 1, 1);
SELECT * FROM ct_as_empty;
CREATE TABLE ct_as_cols (x, y) AS VALUES (1, 'one'), (2, 'two');
SELECT * FROM ct_as_cols ORDER BY x;
CREATE TABLE IF NOT EXISTS ct_as_cols AS SELECT 1;
CREATE TABLE ct_as_cols AS SELECT 1;
-- table options
CREATE TABLE ct_opts (a integer PRIMARY KEY, b text) WITH (fillfactor = 90);
INSERT INTO ct_opts VALUES (1, 'one');
SELECT * FROM ct_opts;
-- quoted and case-folded identifiers
CREATE TABLE "CT Mixed" ("Col A" integer, colb integer, "select" text);
INSERT INTO "CT Mixed" VALUES (1, 2, 'kw');
SELECT "Col A", COLB, "select" FROM "CT Mixed";
SELECT "COLB" FROM "CT Mixed";
SELECT * FROM "ct mixed";
-- schemas
CREATE SCHEMA ct_s;
CREATE TABLE ct_s.t (a integer);
INSERT INTO ct_s.t VALUES (10);
SELECT * FROM ct_s.t;
SELECT * FROM public.ct_defaults ORDER BY id;
CREATE SCHEMA IF NOT EXISTS ct_s;
CREATE SCHEMA ct_s;
-- COMMENT ON, VACUUM, ANALYZE are accepted
COMMENT ON TABLE ct_cons IS 'constraint test table';
COMMENT ON COLUMN ct_cons.qty IS 'quantity';
VACUUM ct_cons;
ANALYZE ct_cons;
VACUUM;
ANALYZE;
-- errors
CREATE TABLE ct_bad (a integer, a text);
CREATE TABLE ct_bad (a nosuchtype);
CREATE TABLE ct_bad (a integer PRIMARY KEY, b integer PRIMARY KEY);
CREATE TABLE ct_bad (a integer, PRIMARY KEY (b));
CREATE TABLE ct_bad (a varchar(0));
CREATE TABLE ct_bad (a numeric(1001));
CREATE TABLE ct_bad (a integer DEFAULT 'x');
CREATE TABLE nosuchschema.t (a integer);
CREATE TABLE ct_bad (a integer CHECK (b > 0));
SELECT * FROM ct_bad;
DROP TABLE ct_types, ct_alias, ct_defaults, ct_cons, ct_pk2, ct_nopk, ct_as, ct_as_empty,
    ct_as_cols, ct_opts, "CT Mixed";
DROP SCHEMA ct_s CASCADE;
