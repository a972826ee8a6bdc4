/*
 * sysscan.c — the engine's side of the system relations (sql/syscat.h):
 * what a scan of pg_class & co. and a catalog function see of the
 * session (search_path, user, database, settings), and the rows of a
 * system relation for the executor's scan.
 *
 * A scan reads the rows from the run's snapshot (the statement's); a
 * catalog function acquires the session's current one (its transaction's
 * private snapshot after DDL in the same transaction) and releases it
 * before returning.
 */
#include <string.h>

#include "exec/engine_int.h"
#include "exec/sysscan.h"
#include "sql/syscat.h"

static const char *setting_at(void *ctx, int i, const char **value, const char **desc)
{
    rdb_session_t *s = ctx;
    const char *name = eng_guc_def_at(i, desc);
    if (name)
        *value = eng_guc_get(s, name) ? eng_guc_get(s, name) : "";
    return name;
}

static uint64_t key_range_size(void *ctx, const void *lo, size_t llen, const void *hi, size_t hlen)
{
    rdb_session_t *s = ctx;
    return s->e->db ? lsm_approximate_size(s->e->db, lo, llen, hi, hlen) : 0;
}

static const char *prepared_at(void *ctx, int i, const char **text, int64_t *time, int *nparams,
                               const uint32_t **ptypes, int64_t *execs, bool *from_sql)
{
    return eng_prepared_at(ctx, i, text, time, nparams, ptypes, execs, from_sql);
}

static void fill(rdb_session_t *s, sql_syscat_env_t *env)
{
    env->cat = s->e->cat;
    env->path = (const char *const *)s->path;
    env->npath = s->npath;
    env->user = s->user;
    env->database = s->database;
    env->backend_pid = s->pid;
    env->application_name = eng_guc_get(s, "application_name");
    env->setting = setting_at;
    env->key_range_size = key_range_size;
    env->prepared = prepared_at;
    env->ctx = s;
}

static bool acquire(void *session, sql_syscat_env_t *env, rdb_err_t *err)
{
    rdb_session_t *s = session;
    fill(s, env);
    env->snap = sql_catalog_acquire(s->e->cat, s->txn, err);
    return env->snap != NULL;
}

static void release(sql_syscat_env_t *env)
{
    if (env->snap)
        sql_catalog_release((sql_catsnap_t *)env->snap);
    env->snap = NULL;
}

static __thread rdb_session_t *tls_session;

void eng_syscat_session(rdb_session_t *s)
{
    tls_session = s;
}

void eng_syscat_session_gone(rdb_session_t *s)
{
    if (tls_session == s)
        tls_session = NULL;
}

static bool reg_out(uint32_t typoid, int64_t oid, rdb_buf_t *out)
{
    if (typoid == SQL_OID_REGTYPE) {
        if (!sql_type_by_oid((uint32_t)oid))
            return false;
        sql_type_format((sql_type_t){ (uint32_t)oid, -1 }, out);
        return true;
    }
    if (!tls_session)
        return false;
    sql_syscat_env_t env;
    rdb_err_t err = RDB_ERR_INIT;
    if (!acquire(tls_session, &env, &err)) {
        rdb_err_clear(&err);
        return false;
    }
    rdb_arena_t a;
    rdb_arena_init(&a, 0);
    const char *name = NULL;
    if (typoid == SQL_OID_REGCLASS) {
        name = sql_syscat_relname(&env, (uint32_t)oid, &a);
    } else if (typoid == SQL_OID_REGNAMESPACE) {
        const sql_schema_t *sc = sql_cat_schema_by_id(env.snap, (uint32_t)oid);
        name = sc ? sc->name : NULL;
    } else {
        for (int i = 0; i < sql_cat_role_count(env.snap) && !name; i++)
            if (sql_cat_role_at(env.snap, i)->id == (uint32_t)oid)
                name = sql_cat_role_at(env.snap, i)->name;
    }
    if (name)
        rdb_buf_append_str(out, name);
    rdb_arena_destroy(&a);
    release(&env);
    return name != NULL;
}

void eng_syscat_init(void)
{
    sql_syscat_set_env_source(acquire, release);
    sql_value_out_reg_hook = reg_out;
}

/* Does e read the scanned row (or need one to be evaluated)? */
static bool reads_row(const ex_expr_t *e)
{
    if (!e)
        return false;
    if (e->kind == EX_COL || e->kind == EX_SUBLINK || e->kind == EX_NEXTVAL)
        return true;
    for (int i = 0; i < e->nargs; i++)
        if (reads_row(e->args[i]))
            return true;
    return false;
}

static bool oid_like(uint32_t t)
{
    return t == SQL_OID_OID || t == SQL_OID_REGCLASS || t == SQL_OID_INT2 || t == SQL_OID_INT4 ||
           t == SQL_OID_INT8;
}

/* A conjunct "col = value" of the qual, col one of cols, value computable
 * before the scan (constants, parameters, outer rows): its value. */
static uint32_t qual_rel(ex_run_t *r, const ex_expr_t *e, const int *cols, int ncols, rdb_arena_t *a)
{
    if (!e)
        return 0;
    if (e->kind == EX_AND) {
        for (int i = 0; i < e->nargs; i++) {
            uint32_t o = qual_rel(r, e->args[i], cols, ncols, a);
            if (o)
                return o;
        }
        return 0;
    }
    if (e->kind != EX_FUNC || e->nargs != 2 || !e->fn || !e->fn->name || strcmp(e->fn->name, "=") != 0)
        return 0;
    for (int side = 0; side < 2; side++) {
        const ex_expr_t *c = e->args[side], *v = e->args[1 - side];
        while (c->kind == EX_CAST && oid_like(c->type.oid))
            c = c->args[0];
        if (!oid_like(v->type.oid))
            continue;
        bool fixed = false;
        for (int k = 0; k < ncols; k++)
            fixed |= c->kind == EX_COL && c->idx == cols[k];
        if (!fixed || reads_row(v))
            continue;
        sql_value_t val;
        if (ex_eval(r, v, NULL, a, &val) != RDB_OK) {
            rdb_err_clear(r->err);
            return 0;
        }
        if (!val.isnull && val.u.i > 0 && val.u.i <= UINT32_MAX)
            return (uint32_t)val.u.i;
    }
    return 0;
}

rdb_status_t ex_sysscan_rows(ex_run_t *r, const plan_t *p, rdb_arena_t *a, sql_value_t ***rows,
                             int *nrows)
{
    sql_syscat_env_t env;
    memset(&env, 0, sizeof env);
    if (r->fn.session)
        fill(r->fn.session, &env);
    env.cat = r->cat;
    env.snap = r->snap;
    int cols[2];
    int nc = sql_syscat_filter_cols(p->tab, cols);
    if (nc)
        env.only_rel = qual_rel(r, p->qual, cols, nc, a);
    return sql_syscat_rows(&env, p->tab, a, rows, nrows, r->err);
}
