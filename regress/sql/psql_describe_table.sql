--
-- psql's \d of a table (columns, collation, nullable, default, indexes,
-- check constraints), \d+, \du and \l.  Their queries use ARRAY(SELECT
-- ...), = ANY (array) and array_to_string, so this file passes once
-- ringdb has arrays; psql_describe holds the rest of the describe
-- commands.  No OIDs are printed.
--
CREATE SCHEMA pdt_s;
CREATE TABLE pdt_t (
    id integer PRIMARY KEY,
    name varchar(20) NOT NULL DEFAULT 'x',
    price numeric(8,2) CHECK (price > 0),
    qty bigint,
    note text,
    at timestamptz,
    flag boolean DEFAULT true
);
CREATE UNIQUE INDEX pdt_t_name_idx ON pdt_t (name);
CREATE INDEX pdt_t_qty_idx ON pdt_t (qty DESC);
CREATE TABLE pdt_s.pdt_u (a int, b text UNIQUE);
CREATE TABLE pdt_w (id serial PRIMARY KEY, n int NOT NULL CHECK (n > 0 AND n < 100));
COMMENT ON TABLE pdt_t IS 'describe me';
COMMENT ON COLUMN pdt_t.note IS 'a note';
CREATE ROLE pdt_role LOGIN CREATEDB;
\d pdt_t
\d+ pdt_t
\d pdt_s.pdt_u
\d pdt_w
\d pdt_*
\du pdt_*
\l postgres
DROP ROLE pdt_role;
DROP TABLE pdt_t;
DROP TABLE pdt_w;
DROP TABLE pdt_s.pdt_u;
DROP SCHEMA pdt_s;
