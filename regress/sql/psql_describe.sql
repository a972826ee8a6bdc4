--
-- psql's describe commands (\d and friends) over objects this file
-- creates: psql 15 sends its catalog queries (pg_class, pg_attribute,
-- pg_index, pg_sequence, pg_depend, pg_proc, ...) and prints what the
-- server answers.  Patterns keep the output to this file's objects; no
-- OIDs are printed.  psql_describe_table holds \d of a table, \du and
-- \l, whose queries need arrays.
--
CREATE SCHEMA pd_s;
CREATE TABLE pd_t (
    id integer PRIMARY KEY,
    name varchar(20) NOT NULL DEFAULT 'x',
    price numeric(8,2) CHECK (price > 0),
    qty bigint
);
CREATE UNIQUE INDEX pd_t_name_idx ON pd_t (name);
CREATE INDEX pd_t_qty_idx ON pd_t (qty DESC, price);
CREATE TABLE pd_s.pd_u (a int, b text UNIQUE);
CREATE TABLE pd_w (id serial PRIMARY KEY, "Mixed Case" text);
CREATE VIEW pd_v AS SELECT id, name, price * 2 AS twice FROM pd_t;
CREATE SEQUENCE pd_seq INCREMENT BY 5 MINVALUE 10 MAXVALUE 1000 CYCLE;
\dt pd_*
\di pd_*
\dv pd_*
\ds pd_*
\dn pd_*
\dt pd_s.*
\di pd_s.*
\d pd_v
\d pd_seq
\d pd_w_id_seq
\d pd_t_pkey
\d pd_t_qty_idx
\d pd_s.pd_u_b_key
\df pd_*
\d nosuch
\dt nosuch
DROP VIEW pd_v;
DROP SEQUENCE pd_seq;
DROP TABLE pd_t;
DROP TABLE pd_w;
DROP TABLE pd_s.pd_u;
DROP SCHEMA pd_s;
