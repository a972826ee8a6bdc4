/*
 * catalog.c — the type table (pg_type subset), names, typmods, session
 * format defaults and the error helpers shared by the module.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "sql/array.h"
#include "sql/types/types_int.h"

static const sql_typeinfo_t type_table[] = {
    { SQL_OID_BOOL, "bool", "boolean", 1, true, 'B', true, 0, SQL_OID_BOOL_ARRAY },
    { SQL_OID_BYTEA, "bytea", "bytea", -1, false, 'U', false, 0, SQL_OID_BYTEA_ARRAY },
    { SQL_OID_NAME, "name", "name", 64, false, 'S', false, 0, SQL_OID_NAME_ARRAY },
    { SQL_OID_INT8, "int8", "bigint", 8, true, 'N', false, 0, SQL_OID_INT8_ARRAY },
    { SQL_OID_INT2, "int2", "smallint", 2, true, 'N', false, 0, SQL_OID_INT2_ARRAY },
    { SQL_OID_INT4, "int4", "integer", 4, true, 'N', false, 0, SQL_OID_INT4_ARRAY },
    { SQL_OID_TEXT, "text", "text", -1, false, 'S', true, 0, SQL_OID_TEXT_ARRAY },
    { SQL_OID_OID, "oid", "oid", 4, true, 'N', false, 0, SQL_OID_OID_ARRAY },
    { SQL_OID_JSON, "json", "json", -1, false, 'U', false, 0, SQL_OID_JSON_ARRAY },
    { SQL_OID_FLOAT4, "float4", "real", 4, true, 'N', false, 0, SQL_OID_FLOAT4_ARRAY },
    { SQL_OID_FLOAT8, "float8", "double precision", 8, true, 'N', true, 0, SQL_OID_FLOAT8_ARRAY },
    { SQL_OID_UNKNOWN, "unknown", "unknown", -2, false, 'X', false, 0, 0 },
    { SQL_OID_BPCHAR, "bpchar", "character", -1, false, 'S', false, 0, SQL_OID_BPCHAR_ARRAY },
    { SQL_OID_VARCHAR, "varchar", "character varying", -1, false, 'S', false, 0, SQL_OID_VARCHAR_ARRAY },
    { SQL_OID_DATE, "date", "date", 4, true, 'D', false, 0, SQL_OID_DATE_ARRAY },
    { SQL_OID_TIME, "time", "time without time zone", 8, true, 'D', false, 0, SQL_OID_TIME_ARRAY },
    { SQL_OID_TIMESTAMP, "timestamp", "timestamp without time zone", 8, true, 'D', false, 0, SQL_OID_TIMESTAMP_ARRAY },
    { SQL_OID_TIMETZ, "timetz", "time with time zone", 12, false, 'D', false, 0, 0 },
    { SQL_OID_TIMESTAMPTZ, "timestamptz", "timestamp with time zone", 8, true, 'D', true, 0, SQL_OID_TIMESTAMPTZ_ARRAY },
    { SQL_OID_INTERVAL, "interval", "interval", 16, false, 'T', true, 0, SQL_OID_INTERVAL_ARRAY },
    { SQL_OID_NUMERIC, "numeric", "numeric", -1, false, 'N', false, 0, SQL_OID_NUMERIC_ARRAY },
    { SQL_OID_UUID, "uuid", "uuid", 16, false, 'U', false, 0, SQL_OID_UUID_ARRAY },
    { SQL_OID_INET, "inet", "inet", -1, false, 'I', true, 0, SQL_OID_INET_ARRAY },
    { SQL_OID_CIDR, "cidr", "cidr", -1, false, 'I', false, 0, SQL_OID_CIDR_ARRAY },
    { SQL_OID_JSONB, "jsonb", "jsonb", -1, false, 'U', false, 0, SQL_OID_JSONB_ARRAY },
    { SQL_OID_RECORD, "record", "record", -1, false, 'P', false, 0, 0 },
    { SQL_OID_VOID, "void", "void", 4, true, 'P', false, 0, 0 },
    { SQL_OID_REGCLASS, "regclass", "regclass", 4, true, 'N', false, 0, 0 },
    { SQL_OID_REGTYPE, "regtype", "regtype", 4, true, 'N', false, 0, SQL_OID_REGTYPE_ARRAY },
    { SQL_OID_REGTYPE_ARRAY, "_regtype", "regtype[]", -1, false, 'A', false, SQL_OID_REGTYPE, 0 },
    { SQL_OID_BOOL_ARRAY, "_bool", "boolean[]", -1, false, 'A', false, SQL_OID_BOOL, 0 },
    { SQL_OID_INT2_ARRAY, "_int2", "smallint[]", -1, false, 'A', false, SQL_OID_INT2, 0 },
    { SQL_OID_INT4_ARRAY, "_int4", "integer[]", -1, false, 'A', false, SQL_OID_INT4, 0 },
    { SQL_OID_INT8_ARRAY, "_int8", "bigint[]", -1, false, 'A', false, SQL_OID_INT8, 0 },
    { SQL_OID_TEXT_ARRAY, "_text", "text[]", -1, false, 'A', false, SQL_OID_TEXT, 0 },
    { SQL_OID_FLOAT8_ARRAY, "_float8", "double precision[]", -1, false, 'A', false, SQL_OID_FLOAT8, 0 },
    { SQL_OID_BYTEA_ARRAY, "_bytea", "bytea[]", -1, false, 'A', false, SQL_OID_BYTEA, 0 },
    { SQL_OID_NAME_ARRAY, "_name", "name[]", -1, false, 'A', false, SQL_OID_NAME, 0 },
    { SQL_OID_BPCHAR_ARRAY, "_bpchar", "character[]", -1, false, 'A', false, SQL_OID_BPCHAR, 0 },
    { SQL_OID_VARCHAR_ARRAY, "_varchar", "character varying[]", -1, false, 'A', false, SQL_OID_VARCHAR, 0 },
    { SQL_OID_FLOAT4_ARRAY, "_float4", "real[]", -1, false, 'A', false, SQL_OID_FLOAT4, 0 },
    { SQL_OID_OID_ARRAY, "_oid", "oid[]", -1, false, 'A', false, SQL_OID_OID, 0 },
    { SQL_OID_TIMESTAMP_ARRAY, "_timestamp", "timestamp without time zone[]", -1, false, 'A', false, SQL_OID_TIMESTAMP, 0 },
    { SQL_OID_DATE_ARRAY, "_date", "date[]", -1, false, 'A', false, SQL_OID_DATE, 0 },
    { SQL_OID_TIME_ARRAY, "_time", "time without time zone[]", -1, false, 'A', false, SQL_OID_TIME, 0 },
    { SQL_OID_TIMESTAMPTZ_ARRAY, "_timestamptz", "timestamp with time zone[]", -1, false, 'A', false, SQL_OID_TIMESTAMPTZ, 0 },
    { SQL_OID_INTERVAL_ARRAY, "_interval", "interval[]", -1, false, 'A', false, SQL_OID_INTERVAL, 0 },
    { SQL_OID_NUMERIC_ARRAY, "_numeric", "numeric[]", -1, false, 'A', false, SQL_OID_NUMERIC, 0 },
    { SQL_OID_UUID_ARRAY, "_uuid", "uuid[]", -1, false, 'A', false, SQL_OID_UUID, 0 },
    { SQL_OID_INET_ARRAY, "_inet", "inet[]", -1, false, 'A', false, SQL_OID_INET, 0 },
    { SQL_OID_CIDR_ARRAY, "_cidr", "cidr[]", -1, false, 'A', false, SQL_OID_CIDR, 0 },
    { SQL_OID_JSON_ARRAY, "_json", "json[]", -1, false, 'A', false, SQL_OID_JSON, 0 },
    { SQL_OID_JSONB_ARRAY, "_jsonb", "jsonb[]", -1, false, 'A', false, SQL_OID_JSONB, 0 },
    { SQL_OID_CHAR, "char", "\"char\"", 1, true, 'Z', false, 0, 0 },
    { SQL_OID_ANYELEMENT, "anyelement", "anyelement", 4, true, 'P', false, 0, 0 },
    { SQL_OID_ANYARRAY, "anyarray", "anyarray", -1, false, 'P', false, 0, 0 },
    { SQL_OID_ANY, "any", "\"any\"", 4, true, 'P', false, 0, 0 },
    { SQL_OID_REGPROC, "regproc", "regproc", 4, true, 'N', false, 0, 0 },
    { SQL_OID_REGNAMESPACE, "regnamespace", "regnamespace", 4, true, 'N', false, 0, 0 },
    { SQL_OID_REGROLE, "regrole", "regrole", 4, true, 'N', false, 0, 0 },
};

static const struct { const char *alias; uint32_t oid; } aliases[] = {
    { "boolean", SQL_OID_BOOL }, { "integer", SQL_OID_INT4 }, { "int", SQL_OID_INT4 },
    { "smallint", SQL_OID_INT2 }, { "bigint", SQL_OID_INT8 }, { "real", SQL_OID_FLOAT4 },
    { "double precision", SQL_OID_FLOAT8 }, { "float", SQL_OID_FLOAT8 },
    { "decimal", SQL_OID_NUMERIC }, { "character varying", SQL_OID_VARCHAR },
    { "character", SQL_OID_BPCHAR }, { "char", SQL_OID_BPCHAR },
    { "timestamp without time zone", SQL_OID_TIMESTAMP },
    { "timestamp with time zone", SQL_OID_TIMESTAMPTZ },
    { "time without time zone", SQL_OID_TIME },
};

const sql_typeinfo_t *sql_type_by_oid(uint32_t oid)
{
    for (size_t i = 0; i < sizeof type_table / sizeof type_table[0]; i++)
        if (type_table[i].oid == oid)
            return &type_table[i];
    return NULL;
}

const sql_typeinfo_t *sql_type_by_name(const char *name)
{
    if (strncasecmp(name, "pg_catalog.", 11) == 0)
        name += 11;
    for (size_t i = 0; i < sizeof type_table / sizeof type_table[0]; i++)
        if (type_table[i].oid != SQL_OID_CHAR && strcasecmp(type_table[i].name, name) == 0)
            return &type_table[i];
    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
        if (strcasecmp(aliases[i].alias, name) == 0)
            return sql_type_by_oid(aliases[i].oid);
    return NULL;
}

const char *sqlt_sql_name(uint32_t oid)
{
    const sql_typeinfo_t *ti = sql_type_by_oid(oid);
    return ti ? ti->sql_name : "unknown";
}

void sql_type_format(sql_type_t t, rdb_buf_t *out)
{
    const sql_typeinfo_t *ti = sql_type_by_oid(t.oid);
    if (!ti) {
        rdb_buf_printf(out, "%u", t.oid);
        return;
    }
    if (ti->elem_oid && t.typmod >= 0) {   /* varchar(3)[] */
        sql_type_format((sql_type_t){ ti->elem_oid, t.typmod }, out);
        rdb_buf_append_str(out, "[]");
        return;
    }
    if (t.typmod >= 4 && (t.oid == SQL_OID_VARCHAR || t.oid == SQL_OID_BPCHAR)) {
        rdb_buf_printf(out, "%s(%d)", ti->sql_name, t.typmod - 4);
        return;
    }
    if (t.typmod >= 4 && t.oid == SQL_OID_NUMERIC) {
        int32_t m = t.typmod - 4;
        rdb_buf_printf(out, "numeric(%d,%d)", (m >> 16) & 0xffff, m & 0xffff);
        return;
    }
    rdb_buf_append_str(out, ti->sql_name);
}

rdb_status_t sql_type_make_typmod(uint32_t oid, int nmods, const int32_t *mods, int32_t *typmod,
                                  rdb_err_t *err)
{
    *typmod = -1;
    if (nmods == 0)
        return RDB_OK;
    if (oid == SQL_OID_VARCHAR || oid == SQL_OID_BPCHAR) {
        const char *n = oid == SQL_OID_VARCHAR ? "varchar" : "char";
        if (nmods != 1)
            return rdb_err_set(err, RDB_SQL, "42601", "invalid type modifier");
        if (mods[0] < 1)
            return rdb_err_set(err, RDB_SQL, "22023", "length for type %s must be at least 1", n);
        if (mods[0] > 10485760)
            return rdb_err_set(err, RDB_SQL, "22023", "length for type %s cannot exceed 10485760", n);
        *typmod = mods[0] + 4;
        return RDB_OK;
    }
    if (oid == SQL_OID_NUMERIC) {
        if (nmods > 2)
            return rdb_err_set(err, RDB_SQL, "22023", "invalid NUMERIC type modifier");
        int32_t p = mods[0], s = nmods == 2 ? mods[1] : 0;
        if (p < 1 || p > 1000)
            return rdb_err_set(err, RDB_SQL, "22023",
                               "NUMERIC precision %d must be between 1 and 1000", p);
        if (s < 0 || s > p)
            return rdb_err_set(err, RDB_SQL, "22023",
                               "NUMERIC scale %d must be between 0 and precision %d", s, p);
        *typmod = ((p << 16) | s) + 4;
        return RDB_OK;
    }
    if (oid == SQL_OID_INTERVAL) {
        /* the field range (PG's INTERVAL_MASK bits) as libpg_query gives it,
         * then an optional precision (ignored: values keep µs) */
        int32_t range = mods[0] & 0x7FFF;
        *typmod = range == 0x7FFF ? -1 : (range << 16) | 0xFFFF;
        return RDB_OK;
    }
    if (oid == SQL_OID_TIMESTAMP || oid == SQL_OID_TIMESTAMPTZ || oid == SQL_OID_TIME ||
        oid == SQL_OID_TIMETZ) {
        *typmod = -1; /* precision accepted and ignored: values keep µs */
        return RDB_OK;
    }
    return rdb_err_set(err, RDB_SQL, "42601", "type modifier is not allowed for type \"%s\"",
                       sql_type_by_oid(oid) ? sql_type_by_oid(oid)->name : "?");
}

void sql_format_settings_default(sql_format_settings_t *fs)
{
    memset(fs, 0, sizeof *fs);
    fs->datestyle = SQL_DATESTYLE_ISO;
    fs->dateorder = SQL_DATEORDER_MDY;
    fs->intervalstyle = SQL_INTERVAL_POSTGRES;
    fs->extra_float_digits = 1;
    fs->bytea_hex = true;
    fs->timezone = "UTC";
}

void sql_types_init(void) {}

sqlt_kind_t sqlt_kind(uint32_t oid)
{
    switch (oid) {
    case SQL_OID_BOOL: return K_BOOL;
    case SQL_OID_INT2: case SQL_OID_INT4: case SQL_OID_INT8: case SQL_OID_OID:
    case SQL_OID_REGCLASS: case SQL_OID_REGTYPE: case SQL_OID_REGPROC: return K_INT;
    case SQL_OID_REGNAMESPACE: case SQL_OID_REGROLE: return K_INT;
    case SQL_OID_FLOAT4: case SQL_OID_FLOAT8: return K_FLOAT;
    case SQL_OID_TEXT: case SQL_OID_VARCHAR: case SQL_OID_BPCHAR: case SQL_OID_NAME:
    case SQL_OID_UNKNOWN: case SQL_OID_CHAR: case SQL_OID_INET: case SQL_OID_CIDR: return K_TEXT;
    case SQL_OID_BYTEA: return K_BYTEA;
    case SQL_OID_UUID: return K_UUID;
    case SQL_OID_NUMERIC: return K_NUMERIC;
    case SQL_OID_DATE: return K_DATE;
    case SQL_OID_TIME: case SQL_OID_TIMETZ: return K_TIME;
    case SQL_OID_TIMESTAMP: return K_TS;
    case SQL_OID_TIMESTAMPTZ: return K_TSTZ;
    case SQL_OID_INTERVAL: return K_INTERVAL;
    case SQL_OID_JSON: case SQL_OID_JSONB: return K_JSON;
    default: return sql_array_elem_oid(oid) ? K_ARRAY : K_OTHER;
    }
}

void sqlt_int_range(uint32_t oid, int64_t *lo, int64_t *hi)
{
    switch (oid) {
    case SQL_OID_INT2: *lo = INT16_MIN; *hi = INT16_MAX; break;
    case SQL_OID_INT4: *lo = INT32_MIN; *hi = INT32_MAX; break;
    case SQL_OID_OID: case SQL_OID_REGCLASS: case SQL_OID_REGTYPE: case SQL_OID_REGPROC:
    case SQL_OID_REGNAMESPACE: case SQL_OID_REGROLE:
        *lo = 0; *hi = UINT32_MAX; break;
    default: *lo = INT64_MIN; *hi = INT64_MAX; break;
    }
}

rdb_status_t sqlt_err_syntax(rdb_err_t *err, uint32_t oid, const char *s, size_t len)
{
    const char *n = sqlt_sql_name(oid);
    if (oid == SQL_OID_FLOAT8) n = "double precision";
    if (oid == SQL_OID_TIMESTAMP) n = "timestamp";
    if (oid == SQL_OID_TIMESTAMPTZ) n = "timestamp with time zone";
    if (oid == SQL_OID_TIME) n = "time";
    if (oid == SQL_OID_TIMETZ) n = "time with time zone";
    /* date/time input errors are 22007 invalid_datetime_format in PG */
    bool dt = oid == SQL_OID_DATE || oid == SQL_OID_TIME || oid == SQL_OID_TIMETZ || oid == SQL_OID_TIMESTAMP ||
              oid == SQL_OID_TIMESTAMPTZ || oid == SQL_OID_INTERVAL;
    return rdb_err_set(err, RDB_SQL, dt ? "22007" : "22P02", "invalid input syntax for type %s: \"%.*s\"", n,
                       (int)len, s);
}

rdb_status_t sqlt_err_range(rdb_err_t *err, uint32_t oid)
{
    return rdb_err_set(err, RDB_SQL, "22003", "%s out of range", sqlt_sql_name(oid));
}
