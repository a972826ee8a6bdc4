--
-- The system catalogs that clients and drivers read: information_schema
-- and the pg_catalog relations psql and drivers query, for objects this
-- file creates (no OIDs are printed).
--
CREATE TABLE ca_t (id integer PRIMARY KEY, name varchar(20) NOT NULL DEFAULT 'x', price numeric(8,2), at timestamptz);
CREATE VIEW ca_v AS SELECT id, name FROM ca_t;
SELECT table_schema, table_name, table_type FROM information_schema.tables
    WHERE table_name LIKE 'ca\_%' ORDER BY table_name;
SELECT column_name, ordinal_position, data_type, is_nullable, character_maximum_length, numeric_precision, numeric_scale, column_default
    FROM information_schema.columns WHERE table_name = 'ca_t' ORDER BY ordinal_position;
SELECT schema_name FROM information_schema.schemata WHERE schema_name IN ('public', 'pg_catalog', 'information_schema') ORDER BY 1;
SELECT c.relname, c.relkind, n.nspname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relname IN ('ca_t', 'ca_v') ORDER BY 1;
SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull FROM pg_attribute a
    WHERE a.attrelid = 'ca_t'::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum;
SELECT typname, typlen FROM pg_type WHERE typname IN ('int4', 'text', 'bool', 'numeric', 'timestamptz') ORDER BY typname;
SELECT 'ca_t'::regclass, 'integer'::regtype, 'pg_catalog.text'::regtype;
SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE 'ca\_%';
SELECT count(*) > 0 AS has_self FROM pg_database WHERE datname = current_database();
SELECT 'nosuch'::regclass;
DROP VIEW ca_v;
DROP TABLE ca_t;
