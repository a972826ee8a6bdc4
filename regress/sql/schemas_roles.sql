--
-- Schemas (CREATE/DROP SCHEMA, search_path, qualified names) and roles
-- (CREATE/ALTER/DROP ROLE | USER ... PASSWORD).  Roles are global: the
-- file drops every role it creates.
--
CREATE SCHEMA sr_a;
CREATE SCHEMA IF NOT EXISTS sr_b;
CREATE TABLE sr_a.t (x integer);
CREATE TABLE sr_b.t (x integer);
CREATE TABLE public.sr_t (x integer);
INSERT INTO sr_a.t VALUES (1);
INSERT INTO sr_b.t VALUES (2);
INSERT INTO sr_t VALUES (3);
SELECT x FROM sr_a.t UNION ALL SELECT x FROM sr_b.t ORDER BY 1;
SELECT * FROM t;
SET search_path = sr_b, public;
SELECT x FROM t;
SELECT x FROM sr_t;
CREATE TABLE sr_new (y integer);
SELECT count(*) FROM sr_b.sr_new;
SET search_path = sr_a, sr_b;
SELECT x FROM t;
SELECT count(*) FROM sr_new;
SELECT current_schema();
SELECT x FROM sr_t;
RESET search_path;
SELECT current_schema();
-- DROP SCHEMA
DROP SCHEMA sr_a;
DROP SCHEMA sr_a CASCADE;
SELECT * FROM sr_a.t;
DROP SCHEMA IF EXISTS sr_a;
DROP SCHEMA sr_nosuch;
CREATE TABLE sr_nosuch.t (x integer);
-- system schemas are reserved
CREATE SCHEMA pg_bad;
-- roles
CREATE ROLE sr_reader;
CREATE USER sr_writer PASSWORD 'secret';
CREATE ROLE sr_admin WITH LOGIN SUPERUSER PASSWORD 'x';
ALTER ROLE sr_reader WITH LOGIN PASSWORD 'pw';
ALTER USER sr_writer PASSWORD NULL;
ALTER ROLE sr_admin NOSUPERUSER;
CREATE ROLE sr_reader;
ALTER ROLE sr_nosuch LOGIN;
DROP ROLE sr_reader, sr_writer;
DROP USER sr_admin;
DROP ROLE sr_reader;
DROP ROLE IF EXISTS sr_reader;
-- cleanup
DROP TABLE sr_t, sr_b.sr_new;
DROP SCHEMA sr_b CASCADE;
