#!/usr/bin/python3
"""The system relations (pg_catalog, information_schema) and catalog
functions as drivers use them (src/sql/syscat*.c): a real build/ringdb
driven by psycopg2 with the catalog queries psycopg2, the PostgreSQL JDBC
driver (DatabaseMetaData.getTables / getColumns / getPrimaryKeys style),
node-postgres users and psql send; each expected answer is what
PostgreSQL 15 returns for the same schema.

Usage: test_syscat.py RINGDB
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "sql"))
import test_sql  # noqa: E402
from test_sql import check, expect_error, q  # noqa: E402

test_sql.Server.PORTS = (40600, 40999)

SCHEMA = [
    "CREATE TABLE sc_t (id integer PRIMARY KEY, name varchar(20) NOT NULL DEFAULT 'x',"
    " price numeric(8,2) CHECK (price > 0), at timestamptz, flag boolean DEFAULT true)",
    "CREATE UNIQUE INDEX sc_t_name_idx ON sc_t (name)",
    "CREATE TABLE sc_s (id bigserial PRIMARY KEY, t_id integer, note text UNIQUE)",
    "CREATE VIEW sc_v AS SELECT id, name FROM sc_t",
    "CREATE SEQUENCE sc_seq",
    "COMMENT ON TABLE sc_t IS 'the t table'",
    "COMMENT ON COLUMN sc_t.name IS 'its name'",
]

# DatabaseMetaData.getTables (pgjdbc 42.x), for schema public and every name.
JDBC_TABLES = """
SELECT NULL AS TABLE_CAT, n.nspname AS TABLE_SCHEM, c.relname AS TABLE_NAME,
 CASE n.nspname ~ '^pg_' OR n.nspname = 'information_schema'
 WHEN true THEN CASE
   WHEN n.nspname = 'pg_catalog' OR n.nspname = 'information_schema' THEN CASE c.relkind
     WHEN 'r' THEN 'SYSTEM TABLE' WHEN 'v' THEN 'SYSTEM VIEW' WHEN 'i' THEN 'SYSTEM INDEX' ELSE NULL END
   WHEN n.nspname = 'pg_toast' THEN CASE c.relkind
     WHEN 'r' THEN 'SYSTEM TOAST TABLE' WHEN 'i' THEN 'SYSTEM TOAST INDEX' ELSE NULL END
   ELSE CASE c.relkind WHEN 'r' THEN 'TEMPORARY TABLE' WHEN 'p' THEN 'TEMPORARY TABLE'
     WHEN 'i' THEN 'TEMPORARY INDEX' WHEN 'S' THEN 'TEMPORARY SEQUENCE' WHEN 'v' THEN 'TEMPORARY VIEW'
     ELSE NULL END END
 WHEN false THEN CASE c.relkind WHEN 'r' THEN 'TABLE' WHEN 'p' THEN 'PARTITIONED TABLE'
   WHEN 'i' THEN 'INDEX' WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW' WHEN 'c' THEN 'TYPE'
   WHEN 'f' THEN 'FOREIGN TABLE' WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE NULL END
 ELSE NULL END AS TABLE_TYPE, d.description AS REMARKS,
 '' as TYPE_CAT, '' as TYPE_SCHEM, '' as TYPE_NAME, '' AS SELF_REFERENCING_COL_NAME, '' AS REF_GENERATION
FROM pg_catalog.pg_namespace n, pg_catalog.pg_class c
LEFT JOIN pg_catalog.pg_description d ON (c.oid = d.objoid AND d.objsubid = 0 and d.classoid = 'pg_class'::regclass)
WHERE c.relnamespace = n.oid AND n.nspname LIKE 'public' AND c.relname LIKE 'sc\\_%'
ORDER BY TABLE_TYPE, TABLE_SCHEM, TABLE_NAME
"""

# DatabaseMetaData.getColumns, its core (pgjdbc joins the same relations).
JDBC_COLUMNS = """
SELECT n.nspname, c.relname, a.attname, a.atttypid, a.attnotnull OR (t.typtype = 'd' AND t.typnotnull) AS attnotnull,
 a.atttypmod, a.attlen, t.typtypmod, a.attnum, pg_catalog.pg_get_expr(def.adbin, def.adrelid) AS adsrc,
 dsc.description, t.typbasetype, t.typtype, pg_catalog.format_type(a.atttypid, a.atttypmod) AS fmt
FROM pg_catalog.pg_namespace n JOIN pg_catalog.pg_class c ON (c.relnamespace = n.oid)
JOIN pg_catalog.pg_attribute a ON (a.attrelid = c.oid) JOIN pg_catalog.pg_type t ON (a.atttypid = t.oid)
LEFT JOIN pg_catalog.pg_attrdef def ON (a.attrelid = def.adrelid AND a.attnum = def.adnum)
LEFT JOIN pg_catalog.pg_description dsc ON (c.oid = dsc.objoid AND a.attnum = dsc.objsubid)
LEFT JOIN pg_catalog.pg_class dc ON (dc.oid = dsc.classoid AND dc.relname = 'pg_class')
LEFT JOIN pg_catalog.pg_namespace dn ON (dc.relnamespace = dn.oid AND dn.nspname = 'pg_catalog')
WHERE c.relkind in ('r','p','v','f','m') AND a.attnum > 0 AND NOT a.attisdropped
 AND n.nspname LIKE 'public' AND c.relname LIKE 'sc_t'
ORDER BY nspname, c.relname, attnum
"""


def schema(srv):
    c = srv.connect()
    c.autocommit = True
    for s in SCHEMA:
        q(c, s)
    return c


def test_jdbc(srv):
    c = schema(srv)
    rows = q(c, JDBC_TABLES)
    got = [(r[1], r[2], r[3], r[4]) for r in rows]
    check(got == [("public", "sc_s_note_key", "INDEX", None), ("public", "sc_s_pkey", "INDEX", None),
                  ("public", "sc_t_name_idx", "INDEX", None), ("public", "sc_t_pkey", "INDEX", None),
                  ("public", "sc_s_id_seq", "SEQUENCE", None), ("public", "sc_seq", "SEQUENCE", None),
                  ("public", "sc_s", "TABLE", None), ("public", "sc_t", "TABLE", "the t table"),
                  ("public", "sc_v", "VIEW", None)], "getTables: %r" % (got,))
    rows = q(c, JDBC_COLUMNS)
    got = [(r[2], r[3], r[4], r[5], r[9], r[10], r[13]) for r in rows]
    check(got == [("id", 23, True, -1, None, None, "integer"),
                  ("name", 1043, True, 24, "'x'::character varying", "its name", "character varying(20)"),
                  ("price", 1700, False, 524294, None, None, "numeric(8,2)"),
                  ("at", 1184, False, -1, None, None, "timestamp with time zone"),
                  ("flag", 16, False, -1, "true", None, "boolean")], "getColumns: %r" % (got,))
    # getPrimaryKeys through information_schema (as older drivers and ORMs do)
    rows = q(c, """SELECT kcu.column_name, kcu.ordinal_position, tc.constraint_name
                   FROM information_schema.table_constraints tc
                   JOIN information_schema.key_column_usage kcu
                     ON kcu.constraint_name = tc.constraint_name AND kcu.table_name = tc.table_name
                   WHERE tc.constraint_type = 'PRIMARY KEY' AND tc.table_name = 'sc_s'""")
    check(rows == [("id", 1, "sc_s_pkey")], "primary key: %r" % (rows,))
    rows = q(c, """SELECT i.relname, x.indisunique, x.indisprimary,
                          pg_catalog.pg_get_indexdef(x.indexrelid)
                   FROM pg_catalog.pg_index x JOIN pg_catalog.pg_class i ON i.oid = x.indexrelid
                   WHERE x.indrelid = 'sc_t'::regclass ORDER BY 1""")
    check(rows == [("sc_t_name_idx", True, False, "CREATE UNIQUE INDEX sc_t_name_idx ON public.sc_t USING btree (name)"),
                   ("sc_t_pkey", True, True, "CREATE UNIQUE INDEX sc_t_pkey ON public.sc_t USING btree (id)")],
          "indexes: %r" % (rows,))
    rows = q(c, """SELECT conname, contype, pg_catalog.pg_get_constraintdef(oid, true)
                   FROM pg_catalog.pg_constraint WHERE conrelid = 'sc_t'::regclass ORDER BY 1""")
    check(rows == [("sc_t_pkey", "p", "PRIMARY KEY (id)"), ("sc_t_price_check", "c", "CHECK (price > 0::numeric)")],
          "constraints: %r" % (rows,))


def test_psycopg2_and_functions(srv):
    c = schema(srv)
    # psycopg2.extras.register_* and other drivers look types up by name
    rows = q(c, "SELECT typname, oid, typarray FROM pg_catalog.pg_type WHERE typname IN ('int4', 'text', 'jsonb', 'uuid') ORDER BY 1")
    check(rows == [("int4", 23, 1007), ("jsonb", 3802, 3807), ("text", 25, 1009), ("uuid", 2950, 2951)],
          "pg_type: %r" % (rows,))
    rows = q(c, "SELECT 'sc_t'::regclass, 'sc_t'::regclass::oid > 16383, 'integer[]'::regtype, to_regclass('nosuch')")
    check(rows == [("sc_t", True, "integer[]", None)], "regclass/regtype: %r" % (rows,))
    cur = c.cursor()
    cur.execute("SELECT 'sc_t'::regclass")
    check(cur.description[0].type_code == 2205, "regclass column type %r" % (cur.description[0].type_code,))
    rows = q(c, "SELECT pg_get_serial_sequence('sc_s', 'id'), has_table_privilege('sc_t', 'SELECT'),"
                " pg_table_is_visible('sc_t'::regclass), obj_description('sc_t'::regclass, 'pg_class'),"
                " col_description('sc_t'::regclass, 2), pg_get_userbyid(relowner) = current_user,"
                " pg_encoding_to_char(6), format_type(1043, 24)"
                " FROM pg_class WHERE relname = 'sc_t'")
    check(rows == [("public.sc_s_id_seq", True, True, "the t table", "its name", True, "UTF8",
                    "character varying(20)")], "functions: %r" % (rows,))
    rows = q(c, "SELECT setting FROM pg_settings WHERE name = 'server_version_num'")
    check(rows == [("150004",)], "pg_settings: %r" % (rows,))
    q(c, "SET application_name = 'syscat-test'")
    rows = q(c, "SELECT pid = pg_backend_pid(), usename, datname, application_name, state"
                " FROM pg_stat_activity WHERE pid = pg_backend_pid()")
    check(rows == [(True, "postgres", "postgres", "syscat-test", "active")], "pg_stat_activity: %r" % (rows,))
    rows = q(c, "SELECT column_name, data_type, is_nullable, character_maximum_length, column_default"
                " FROM information_schema.columns WHERE table_name = 'sc_v' ORDER BY ordinal_position")
    check(rows == [("id", "integer", "YES", None, None), ("name", "character varying", "YES", 20, None)],
          "view columns: %r" % (rows,))
    rows = q(c, "SELECT table_name, table_type FROM information_schema.tables"
                " WHERE table_schema = 'public' AND table_name LIKE 'sc%' ORDER BY 1")
    check(rows == [("sc_s", "BASE TABLE"), ("sc_t", "BASE TABLE"), ("sc_v", "VIEW")], "tables: %r" % (rows,))
    rows = q(c, "SELECT sequence_name, data_type, start_value FROM information_schema.sequences ORDER BY 1")
    check(rows == [("sc_s_id_seq", "bigint", "1"), ("sc_seq", "bigint", "1")], "sequences: %r" % (rows,))
    expect_error(c, "SELECT 'nosuch'::regclass", "42P01", 'relation "nosuch" does not exist', 8)
    rows = q(c, "SELECT relname::regclass, typname::regtype FROM pg_class JOIN pg_type ON typname = 'int4'"
                " WHERE relname IN ('sc_t', 'pg_type') ORDER BY 1")
    check(rows == [("pg_type", "integer"), ("sc_t", "integer")], "regclass of a column: %r" % (rows,))
    expect_error(c, "SELECT ('no' || 'such')::regclass", "42P01", 'relation "nosuch" does not exist')
    expect_error(c, "SELECT 'nosuchtype'::regtype", "42704", 'type "nosuchtype" does not exist')
    c.close()


def test_catalog_follows_ddl(srv):
    """A statement sees the catalog of its snapshot: DDL of another session
    after it commits, a transaction's own DDL before it commits."""
    a = schema(srv)
    b = srv.connect()
    b.autocommit = False
    q(b, "CREATE TABLE sc_new (x int)")
    check(q(b, "SELECT count(*) FROM pg_class WHERE relname = 'sc_new'") == [(1,)], "own DDL not seen")
    check(q(a, "SELECT count(*) FROM pg_class WHERE relname = 'sc_new'") == [(0,)], "uncommitted DDL seen")
    b.commit()
    check(q(a, "SELECT count(*) FROM pg_tables WHERE tablename = 'sc_new'") == [(1,)], "committed DDL not seen")
    q(a, "ALTER TABLE sc_new ADD COLUMN y text")
    rows = q(a, "SELECT attname FROM pg_attribute WHERE attrelid = 'sc_new'::regclass AND attnum > 0 ORDER BY attnum")
    check(rows == [("x",), ("y",)], "columns after ALTER: %r" % (rows,))
    # a scan bounded by its relation (attrelid = x) finds what a full scan finds
    for sql in ("SELECT %s FROM pg_attribute WHERE attrelid = 'sc_t'::regclass",
                "SELECT %s FROM pg_class WHERE oid = 'sc_t_pkey'::regclass",
                "SELECT %s FROM pg_index WHERE indexrelid = 'sc_t_pkey'::regclass",
                "SELECT %s FROM pg_constraint WHERE conrelid = 'sc_t'::regclass"):
        bounded = q(a, sql % "count(*)")
        full = q(a, (sql % "count(*)").replace(" = '", "::text = '").replace("::regclass", "::regclass::oid::text"))
        check(bounded == full and bounded[0][0] > 0, "%s: %r vs %r" % (sql, bounded, full))
    rows = q(a, "SELECT a.attname, (SELECT count(*) FROM pg_attrdef d WHERE d.adrelid = a.attrelid AND d.adnum = a.attnum)"
                " FROM pg_attribute a WHERE a.attrelid = 'sc_t'::regclass AND a.attnum > 0 ORDER BY a.attnum")
    check(rows == [("id", 0), ("name", 1), ("price", 0), ("at", 0), ("flag", 1)], "correlated pg_attrdef: %r" % (rows,))
    # OIDs are stable: the same relation keeps its OID across statements and sessions
    o1 = q(a, "SELECT oid FROM pg_class WHERE relname = 'sc_t'")
    o2 = q(b, "SELECT 'sc_t'::regclass::oid")
    check(o1 == o2, "OIDs differ: %r %r" % (o1, o2))
    b.close()
    a.close()


if __name__ == "__main__":
    test_sql.run_tests([test_jdbc, test_psycopg2_and_functions, test_catalog_follows_ddl])
