/*
 * syscat_fns.c — the functions clients call on catalog rows:
 * format_type, pg_table_is_visible, pg_get_userbyid, obj_description,
 * col_description, pg_get_indexdef, pg_get_constraintdef, pg_get_viewdef,
 * pg_get_expr, pg_encoding_to_char, the has_*_privilege family (ringdb
 * has no privileges: true), pg_total_relation_size and friends, ...
 *
 * The binder resolves a call here (sql_syscat_func_resolve) before the
 * type library's functions.  A function that reads the catalog gets the
 * statement's session from sql_fn_ctx_t.session and a snapshot through
 * the source the engine registered (sql_syscat_set_env_source), released
 * before it returns.  These functions are stable, never constant-folded.
 */
#include <stdio.h>
#include <string.h>

#include "common/buf.h"
#include "sql/syscat_int.h"

static bool (*env_acquire)(void *session, sql_syscat_env_t *env, rdb_err_t *err);
static void (*env_release)(sql_syscat_env_t *env);

void sql_syscat_set_env_source(bool (*acquire)(void *, sql_syscat_env_t *, rdb_err_t *),
                               void (*release)(sql_syscat_env_t *))
{
    env_acquire = acquire;
    env_release = release;
}

static rdb_status_t get_env(sql_fn_ctx_t *ctx, sql_syscat_env_t *env, rdb_err_t *err)
{
    memset(env, 0, sizeof *env);
    if (!env_acquire || !ctx->session)
        return rdb_err_set(err, RDB_SQL, "0A000", "catalog functions need a session");
    return env_acquire(ctx->session, env, err) ? RDB_OK : RDB_SQL;
}

static sql_value_t textv(rdb_arena_t *a, const char *s)
{
    return s ? sv_dup(a, s) : sql_null();
}

static char *cstr(rdb_arena_t *a, const sql_value_t *v)
{
    return rdb_arena_strndup(a, v->u.v.ptr, v->u.v.len);
}

#define FN(name) static rdb_status_t name(sql_fn_ctx_t *ctx, int nargs, const sql_value_t *args, \
                                          const sql_type_t *argtypes, sql_type_t rettype,      \
                                          sql_value_t *out, rdb_err_t *err)
#define UNUSED (void)ctx, (void)nargs, (void)args, (void)argtypes, (void)rettype, (void)err

FN(f_format_type)
{
    UNUSED;
    if (args[0].isnull) {
        *out = sql_null();
        return RDB_OK;
    }
    sql_type_t t = { (uint32_t)args[0].u.i, nargs > 1 && !args[1].isnull ? (int32_t)args[1].u.i : -1 };
    if (!sql_type_by_oid(t.oid)) {
        *out = sv_dup(ctx->arena, "???");
        return RDB_OK;
    }
    *out = sv_text(syscat_format_type(t, ctx->arena));
    return RDB_OK;
}

FN(f_true)
{
    UNUSED;
    *out = sql_bool(true);
    return RDB_OK;
}

FN(f_false)
{
    UNUSED;
    *out = sql_bool(false);
    return RDB_OK;
}

FN(f_null)
{
    UNUSED;
    *out = sql_null();
    return RDB_OK;
}

FN(f_zero)
{
    UNUSED;
    *out = sql_int(0);
    return RDB_OK;
}

FN(f_empty)
{
    UNUSED;
    *out = sv_text("");
    return RDB_OK;
}

FN(f_type_visible)
{
    UNUSED;
    *out = sql_bool(sql_type_by_oid((uint32_t)args[0].u.i) != NULL);
    return RDB_OK;
}

FN(f_encoding)
{
    UNUSED;
    *out = sv_text(args[0].u.i == 6 ? "UTF8" : args[0].u.i == 0 ? "SQL_ASCII" : "");
    return RDB_OK;
}

FN(f_get_expr)
{
    UNUSED;
    *out = args[0];
    return RDB_OK;
}

FN(f_size_pretty)
{
    UNUSED;
    int64_t v = args[0].u.i;
    static const char *const units[] = { "bytes", "kB", "MB", "GB", "TB", "PB" };
    int u = 0;
    int64_t limit = 10 * 1024;
    while (u < 5 && (v < 0 ? -v : v) >= limit) {
        /* PostgreSQL halves, rounds, then halves again */
        v = u == 0 ? v / 512 : v / 1024;
        if (u == 0)
            v = (v + (v < 0 ? -1 : 1)) / 2;
        u++;
        limit = 20 * 1024;
    }
    *out = sv_dup(ctx->arena, rdb_arena_sprintf(ctx->arena, "%lld %s", (long long)v, units[u]));
    return RDB_OK;
}

/* The catalog-reading ones: one snapshot per call. */
typedef enum {
    C_VISIBLE, C_USERBYID, C_OBJDESC, C_COLDESC, C_INDEXDEF, C_CONDEF, C_VIEWDEF, C_SERIALSEQ,
    C_TO_REGCLASS, C_REGCLASSIN, C_RELSIZE, C_TABLESIZE, C_INDEXESSIZE, C_TOTALSIZE, C_DBSIZE,
} cfn_t;

/* Approximate bytes of the keys of a table's rows (kind 0x02) or an
 * index's entries (0x03): catalog.h's key layout, 0x0N ‖ id (4 bytes BE). */
static uint64_t keys_size(const sql_syscat_env_t *env, uint8_t kind, uint32_t id)
{
    unsigned char lo[5] = { kind, (unsigned char)(id >> 24), (unsigned char)(id >> 16),
                            (unsigned char)(id >> 8), (unsigned char)id };
    unsigned char hi[5];
    memcpy(hi, lo, 5);
    for (int i = 4; i >= 0; i--)   /* the next id (kind + 1 past the last) */
        if (++hi[i] != 0)
            break;
    return env->key_range_size ? env->key_range_size(env->ctx, lo, 5, hi, 5) : 0;
}

/* The sizes of pg_relation_size and friends; a relation that does not
 * exist (or a view, a system relation) has none: NULL / 0 as PostgreSQL. */
static rdb_status_t rel_size(const sql_syscat_env_t *env, cfn_t which, const sql_value_t *arg,
                             sql_type_t at, rdb_arena_t *a, sql_value_t *out, rdb_err_t *err)
{
    uint32_t oid;
    if (at.oid == SQL_OID_TEXT || at.oid == SQL_OID_UNKNOWN || at.oid == SQL_OID_VARCHAR ||
        at.oid == SQL_OID_NAME) {
        if (which == C_DBSIZE) {
            char *db = cstr(a, arg);
            if (!sql_cat_database_exists(env->snap, db))
                return rdb_err_set(err, RDB_SQL, "3D000", "database \"%s\" does not exist", db);
            *out = sql_int((int64_t)env->key_range_size(env->ctx, NULL, 0, NULL, 0));
            return RDB_OK;
        }
        if (sql_syscat_regclass_in(env->snap, env->path, env->npath, cstr(a, arg), &oid, err) != RDB_OK)
            return RDB_SQL;
    } else {
        oid = (uint32_t)arg->u.i;
    }
    if (which == C_DBSIZE) {   /* by OID: the one database ringdb keeps */
        *out = sql_int((int64_t)env->key_range_size(env->ctx, NULL, 0, NULL, 0));
        return RDB_OK;
    }
    const sql_table_t *t = sql_cat_by_id(env->snap, oid);
    uint64_t n = 0;
    if (t && t->relkind != SQL_REL_VIEW) {
        if (which != C_INDEXESSIZE)
            n += keys_size(env, 0x02, t->id);
        if (which == C_INDEXESSIZE || which == C_TOTALSIZE)
            for (int i = 0; i < t->nindexes; i++)
                n += keys_size(env, 0x03, t->indexes[i].id);
    } else if (!t) {
        bool found = false;
        for (int i = 0; i < sql_cat_count(env->snap) && !found; i++) {
            const sql_table_t *q = sql_cat_at(env->snap, i);
            for (int k = 0; k < q->nindexes && !found; k++)
                if (q->indexes[k].id == oid) {
                    found = true;
                    if (which != C_INDEXESSIZE)
                        n = keys_size(env, 0x03, oid);
                }
            if (q->pk_index_id == oid)
                found = true;   /* the row keys are the index: no entries of its own */
        }
        if (!found && !sql_syscat_by_id(oid)) {
            *out = sql_null();
            return RDB_OK;
        }
    }
    *out = sql_int((int64_t)n);
    return RDB_OK;
}

static rdb_status_t catalog_fn(cfn_t which, sql_fn_ctx_t *ctx, int nargs, const sql_value_t *args,
                               sql_type_t at0, sql_value_t *out, rdb_err_t *err)
{
    sql_syscat_env_t env;
    if (get_env(ctx, &env, err) != RDB_OK)
        return RDB_SQL;
    rdb_arena_t *a = ctx->arena;
    uint32_t oid = (uint32_t)args[0].u.i;
    rdb_status_t rc = RDB_OK;
    switch (which) {
    case C_VISIBLE:
        *out = sql_bool(sql_syscat_table_visible(&env, oid));
        break;
    case C_USERBYID:
        *out = textv(a, sql_syscat_username(env.snap, oid, a));
        break;
    case C_OBJDESC:
        if (nargs > 1 && args[1].u.v.len == 7 && memcmp(args[1].u.v.ptr, "pg_proc", 7) == 0) {
            const sql_pgproc_t *p = syscat_proc_by_oid(oid);
            *out = textv(a, p ? p->desc : NULL);
            break;
        }
        *out = nargs > 1 && strncmp(args[1].u.v.ptr, "pg_class", args[1].u.v.len) != 0
                   ? sql_null() : textv(a, sql_syscat_description(env.snap, oid, 0));
        break;
    case C_COLDESC:
        *out = textv(a, sql_syscat_description(env.snap, oid, (int)args[1].u.i));
        break;
    case C_INDEXDEF:
        *out = textv(a, sql_syscat_indexdef(&env, oid, nargs > 1 ? (int)args[1].u.i : 0, a));
        break;
    case C_CONDEF:
        *out = textv(a, sql_syscat_constraintdef(&env, oid, nargs > 1 && args[1].u.b, a));
        break;
    case C_VIEWDEF:
        *out = textv(a, sql_syscat_viewdef(env.snap, oid, a));
        break;
    case C_SERIALSEQ: {
        uint32_t relid;
        char *tn = cstr(a, &args[0]), *cn = cstr(a, &args[1]);
        rc = sql_syscat_regclass_in(env.snap, env.path, env.npath, tn, &relid, err);
        if (rc != RDB_OK)
            break;
        const sql_table_t *t = sql_syscat_rel(env.snap, relid);
        const sql_column_t *col = t ? sql_table_column(t, cn) : NULL;
        if (!col) {
            rc = rdb_err_set(err, RDB_SQL, "42703", "column \"%s\" of relation \"%s\" does not exist",
                             cn, t ? t->name : tn);
            break;
        }
        *out = sql_null();
        for (int i = 0; i < sql_cat_count(env.snap); i++) {
            const sql_table_t *q = sql_cat_at(env.snap, i);
            if (q->relkind == SQL_REL_SEQUENCE && q->seq && q->seq->owned_by_table == t->id &&
                q->seq->owned_by_colid == col->colid)
                *out = sv_dup(a, rdb_arena_sprintf(a, "%s.%s", q->schema, q->name));
        }
        break;
    }
    case C_TO_REGCLASS:
    case C_REGCLASSIN: {
        uint32_t relid;
        rdb_err_t e2 = RDB_ERR_INIT;
        bool found = sql_syscat_regclass_in(env.snap, env.path, env.npath, cstr(a, &args[0]), &relid,
                                            &e2) == RDB_OK;
        *out = found ? sql_int(relid) : sql_null();
        if (!found && which == C_REGCLASSIN) {
            rdb_err_move(err, &e2);
            rc = RDB_SQL;
        }
        rdb_err_clear(&e2);
        break;
    }
    case C_RELSIZE: case C_TABLESIZE: case C_INDEXESSIZE: case C_TOTALSIZE: case C_DBSIZE:
        rc = rel_size(&env, which, &args[0], at0, a, out, err);
        break;
    }
    if (env_release)
        env_release(&env);
    return rc;
}

#define CFN(name, which) FN(name) { UNUSED; \
    return catalog_fn(which, ctx, nargs, args, nargs ? argtypes[0] : (sql_type_t){ 0, -1 }, out, err); }
CFN(f_visible, C_VISIBLE)
CFN(f_userbyid, C_USERBYID)
CFN(f_objdesc, C_OBJDESC)
CFN(f_coldesc, C_COLDESC)
CFN(f_indexdef, C_INDEXDEF)
CFN(f_condef, C_CONDEF)
CFN(f_viewdef, C_VIEWDEF)
CFN(f_serialseq, C_SERIALSEQ)
CFN(f_to_regclass, C_TO_REGCLASS)
CFN(f_regclassin, C_REGCLASSIN)
CFN(f_relsize, C_RELSIZE)
CFN(f_tablesize, C_TABLESIZE)
CFN(f_indexessize, C_INDEXESSIZE)
CFN(f_totalsize, C_TOTALSIZE)
CFN(f_dbsize, C_DBSIZE)

/* pg_get_function_result / _arguments of a pg_proc row (syscat_proc.c);
 * NULL for an OID that is no function. */
FN(f_func_result)
{
    UNUSED;
    const sql_pgproc_t *p = syscat_proc_by_oid((uint32_t)args[0].u.i);
    if (!p) {
        *out = sql_null();
        return RDB_OK;
    }
    const char *t = syscat_format_type((sql_type_t){ p->ret, -1 }, ctx->arena);
    *out = sv_text(p->retset ? rdb_arena_sprintf(ctx->arena, "SETOF %s", t) : t);
    return RDB_OK;
}

FN(f_func_args)
{
    UNUSED;
    const sql_pgproc_t *p = syscat_proc_by_oid((uint32_t)args[0].u.i);
    if (!p) {
        *out = sql_null();
        return RDB_OK;
    }
    rdb_buf_t b;
    rdb_buf_init(&b, 64);
    if (p->kind == 'a' && p->nargs == 0)
        rdb_buf_append_str(&b, "*");   /* count(*) */
    for (int k = 0; k < p->nargs; k++) {
        if (k)
            rdb_buf_append_str(&b, ", ");
        if (p->variadic && k == p->nargs - 1)
            rdb_buf_append_str(&b, "VARIADIC ");
        rdb_buf_append_str(&b, syscat_format_type((sql_type_t){ p->args[k], -1 }, ctx->arena));
    }
    *out = sql_bytes(rdb_arena_memdup(ctx->arena, b.data ? b.data : "", b.len), (uint32_t)b.len);
    rdb_buf_free(&b);
    return RDB_OK;
}

FN(f_regtypein)
{
    UNUSED;
    uint32_t oid;
    if (sql_syscat_regtype_in(cstr(ctx->arena, &args[0]), &oid, err) != RDB_OK)
        return RDB_SQL;
    *out = sql_int(oid);
    return RDB_OK;
}

#define O SQL_OID_OID
#define I SQL_OID_INT4
#define B SQL_OID_BOOL
#define T SQL_OID_TEXT
#define N SQL_OID_NAME
#define A SQL_OID_ANY

typedef struct sdef {
    const char *name;
    int         nargs;
    uint32_t    args[3];
    uint32_t    ret;
    sql_fn_t    fn;
    bool        strict;
} sdef_t;

static const sdef_t defs[] = {
    { "format_type", 2, { O, I }, T, f_format_type, false },
    { "pg_table_is_visible", 1, { O }, B, f_visible, true },
    { "pg_type_is_visible", 1, { O }, B, f_type_visible, true },
    { "pg_function_is_visible", 1, { O }, B, f_true, true },
    { "pg_operator_is_visible", 1, { O }, B, f_true, true },
    { "pg_opclass_is_visible", 1, { O }, B, f_true, true },
    { "pg_opfamily_is_visible", 1, { O }, B, f_true, true },
    { "pg_collation_is_visible", 1, { O }, B, f_true, true },
    { "pg_conversion_is_visible", 1, { O }, B, f_true, true },
    { "pg_statistics_obj_is_visible", 1, { O }, B, f_true, true },
    { "pg_ts_config_is_visible", 1, { O }, B, f_true, true },
    { "pg_ts_dict_is_visible", 1, { O }, B, f_true, true },
    { "pg_ts_parser_is_visible", 1, { O }, B, f_true, true },
    { "pg_ts_template_is_visible", 1, { O }, B, f_true, true },
    { "pg_get_userbyid", 1, { O }, N, f_userbyid, true },
    { "obj_description", 1, { O }, T, f_objdesc, true },
    { "obj_description", 2, { O, N }, T, f_objdesc, true },
    { "col_description", 2, { O, I }, T, f_coldesc, true },
    { "shobj_description", 2, { O, N }, T, f_null, true },
    { "pg_get_indexdef", 1, { O }, T, f_indexdef, true },
    { "pg_get_indexdef", 3, { O, I, B }, T, f_indexdef, true },
    { "pg_get_constraintdef", 1, { O }, T, f_condef, true },
    { "pg_get_constraintdef", 2, { O, B }, T, f_condef, true },
    { "pg_get_viewdef", 1, { O }, T, f_viewdef, true },
    { "pg_get_viewdef", 2, { O, B }, T, f_viewdef, true },
    { "pg_get_expr", 2, { T, O }, T, f_get_expr, true },
    { "pg_get_expr", 3, { T, O, B }, T, f_get_expr, true },
    { "pg_get_triggerdef", 1, { O }, T, f_null, true },
    { "pg_get_triggerdef", 2, { O, B }, T, f_null, true },
    { "pg_get_ruledef", 1, { O }, T, f_null, true },
    { "pg_get_ruledef", 2, { O, B }, T, f_null, true },
    { "pg_get_partkeydef", 1, { O }, T, f_null, true },
    { "pg_get_function_result", 1, { O }, T, f_func_result, true },
    { "pg_get_function_arguments", 1, { O }, T, f_func_args, true },
    { "pg_get_function_identity_arguments", 1, { O }, T, f_func_args, true },
    { "pg_get_function_sqlbody", 1, { O }, T, f_null, true },
    { "pg_get_statisticsobjdef_columns", 1, { O }, T, f_null, true },
    { "pg_relation_is_publishable", 1, { A }, B, f_false, true },
    { "pg_encoding_to_char", 1, { I }, N, f_encoding, true },
    { "pg_get_serial_sequence", 2, { T, T }, T, f_serialseq, true },
    { "to_regclass", 1, { T }, SQL_OID_REGCLASS, f_to_regclass, true },
    { "regclassin", 1, { T }, SQL_OID_REGCLASS, f_regclassin, true },
    { "regtypein", 1, { T }, SQL_OID_REGTYPE, f_regtypein, true },
    { "has_table_privilege", 2, { A, A }, B, f_true, true },
    { "has_table_privilege", 3, { A, A, A }, B, f_true, true },
    { "has_schema_privilege", 2, { A, A }, B, f_true, true },
    { "has_schema_privilege", 3, { A, A, A }, B, f_true, true },
    { "has_database_privilege", 2, { A, A }, B, f_true, true },
    { "has_database_privilege", 3, { A, A, A }, B, f_true, true },
    { "has_sequence_privilege", 2, { A, A }, B, f_true, true },
    { "has_sequence_privilege", 3, { A, A, A }, B, f_true, true },
    { "has_column_privilege", 3, { A, A, A }, B, f_true, true },
    { "has_function_privilege", 2, { A, A }, B, f_true, true },
    { "pg_has_role", 2, { A, A }, B, f_true, true },
    { "pg_has_role", 3, { A, A, A }, B, f_true, true },
    { "pg_total_relation_size", 1, { A }, SQL_OID_INT8, f_totalsize, true },
    { "pg_relation_size", 1, { A }, SQL_OID_INT8, f_relsize, true },
    { "pg_relation_size", 2, { A, A }, SQL_OID_INT8, f_relsize, true },
    { "pg_table_size", 1, { A }, SQL_OID_INT8, f_tablesize, true },
    { "pg_indexes_size", 1, { A }, SQL_OID_INT8, f_indexessize, true },
    { "pg_database_size", 1, { A }, SQL_OID_INT8, f_dbsize, true },
    { "pg_size_pretty", 1, { SQL_OID_INT8 }, T, f_size_pretty, true },
    { "pg_is_in_recovery", 0, { 0 }, B, f_false, true },
    { "pg_tablespace_location", 1, { O }, T, f_empty, true },
    { "pg_my_temp_schema", 0, { 0 }, O, f_zero, true },
    { "pg_is_other_temp_schema", 1, { O }, B, f_false, true },
};

void syscat_fns_each(sql_func_each_fn fn, void *arg)
{
    for (size_t i = 0; i < sizeof defs / sizeof defs[0]; i++)
        fn(arg, defs[i].name, defs[i].nargs, defs[i].args, defs[i].ret, 's', defs[i].strict);
}

bool sql_syscat_func_resolve(const char *name, int nargs, sql_resolved_fn_t *out)
{
    for (size_t i = 0; i < sizeof defs / sizeof defs[0]; i++) {
        const sdef_t *d = &defs[i];
        if (d->nargs != nargs || strcmp(d->name, name) != 0)
            continue;
        memset(out, 0, sizeof *out);
        out->fn = d->fn;
        out->name = d->name;
        out->nargs = nargs;
        for (int k = 0; k < nargs; k++)
            out->argtypes[k] = (sql_type_t){ d->args[k], -1 };
        out->rettype = (sql_type_t){ d->ret, -1 };
        out->strict = d->strict;
        out->stable = true;
        return true;
    }
    return false;
}
