/*
 * expr.c — evaluation of bound expressions (exec.h).
 *
 * A tree walk: each node evaluates its arguments, then itself.  NULL
 * follows SQL's three-valued logic: strict functions and operators return
 * NULL on a NULL argument without being called; AND/OR short-circuit
 * only on a definite false/true.  Uncorrelated subqueries run once per
 * statement execution and their rows are kept (ex_subcache); correlated
 * ones run again for each outer row with that row pushed as a frame.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/clock.h"
#include "exec/ex_array.h"
#include "exec/exec.h"
#include "exec/rowset.h"
#include "exec/tstore.h"
#include "sql/array.h"
#include "sql/types.h"
#include "sql/tabstat.h"

typedef struct ex_subcache {
    bool          done;
    int           nrows;
    int           cap;
    sql_value_t **rows;
    /* x = ANY (uncorrelated subquery): its values (sub_set_ok), and
     * whether one was NULL */
    struct ex_rowset *set;
    bool          has_null;
    uint32_t      nslots;
    uint64_t     *hashes;
    sql_value_t  *slots;      /* isnull = empty slot */
    /* keyed form: slot -> row index + 1 (0 = empty), the no-row value */
    int32_t      *rowidx;
    sql_value_t   empty;
    /* x op ANY / ALL (uncorrelated subquery) not answered by a set: the
     * rows in a tuplestore (on disk beyond work_mem), read for each probe */
    struct ex_tstore *ts;
    /* ARRAY (uncorrelated subquery): its value */
    sql_value_t   arr;
} ex_subcache_t;

sql_value_t *ex_copy_row(rdb_arena_t *a, const sql_type_t *types, int n, const sql_value_t *row)
{
    sql_value_t *out = rdb_arena_alloc(a, sizeof(sql_value_t) * (size_t)(n ? n : 1));
    for (int i = 0; i < n; i++)
        out[i] = row[i].isnull ? row[i] : sql_value_copy(a, types[i], row[i]);
    return out;
}

rdb_status_t ex_check(ex_run_t *r)
{
    return ex_check_mem(r, 0);
}

rdb_status_t ex_check_mem(ex_run_t *r, size_t held)
{
    if (r->cancel && atomic_load(r->cancel))
        return rdb_err_set(r->err, RDB_CANCELLED, "57014", "canceling statement due to user request");
    if (r->deadline_ns && (int64_t)rdb_now_ns() > r->deadline_ns)
        return rdb_err_set(r->err, RDB_CANCELLED, "57014", "canceling statement due to statement timeout");
    if (r->mem_limit && rdb_arena_memory_usage(r->a) + held > r->mem_limit)
        return ex_mem_error(r, rdb_arena_memory_usage(r->a) + held);
    return RDB_OK;
}

rdb_status_t ex_mem_error(ex_run_t *r, size_t size)
{
    rdb_err_set(r->err, RDB_NOMEM, "53200", "out of memory");
    rdb_err_detail(r->err, "Failed on request of size %zu in memory context \"ExecutorState\".", size);
    rdb_err_hint(r->err, "The query may hold %zu kB (ringdb.query_mem_limit, by default 256 x work_mem).",
                 r->mem_limit / 1024);
    return RDB_NOMEM;
}

static rdb_status_t eval_sublink(ex_run_t *r, const ex_expr_t *e, const sql_value_t *row,
                                 rdb_arena_t *a, sql_value_t *out);

static rdb_status_t eval_session(ex_run_t *r, const ex_expr_t *e, const sql_value_t *row,
                                 rdb_arena_t *a, sql_value_t *out)
{
    char *args[3] = { NULL, NULL, NULL };
    for (int i = 0; i < e->nargs && i < 3; i++) {
        sql_value_t v;
        if (e->flag == EX_S_PG_TYPEOF)
            break;
        if (ex_eval(r, e->args[i], row, a, &v) != RDB_OK)
            return RDB_SQL;
        if (v.isnull) {
            *out = sql_null();
            return RDB_OK;
        }
        rdb_buf_t b = RDB_BUF_INIT;
        sql_value_out(r->fn.settings, e->args[i]->type, &v, &b);
        args[i] = rdb_arena_strndup(a, b.data ? b.data : "", b.len);
        rdb_buf_free(&b);
    }
    switch ((ex_session_fn_t)e->flag) {
    case EX_S_PG_TYPEOF:
        *out = e->val;
        return RDB_OK;
    case EX_S_PG_SLEEP: {
        double secs = atof(args[0]);
        int64_t end = (int64_t)rdb_now_ns() + (int64_t)(secs * 1e9);
        while ((int64_t)rdb_now_ns() < end) {
            if (ex_check(r) != RDB_OK)
                return RDB_SQL;
            struct timespec ts = { 0, 10 * 1000 * 1000 };
            nanosleep(&ts, NULL);
        }
        *out = sql_null();
        return RDB_OK;
    }
    case EX_S_LOCALTIMESTAMP:
        *out = sql_int(r->fn.txn_ts);   /* UTC sessions: local = UTC */
        return RDB_OK;
    case EX_S_PG_STAT_RESET:
        sql_tabstat_reset();
        *out = sql_null();
        return RDB_OK;
    default:
        break;
    }
    if (!r->sess)
        return rdb_err_set(r->err, RDB_SQL, "0A000", "this function needs a session");
    const char *v = r->sess->value(r->sess->ctx, (ex_session_fn_t)e->flag, args[0], args[1], r->err);
    if (!v)
        return rdb_err_is_set(r->err) ? RDB_SQL : (*out = sql_null(), RDB_OK);
    return sql_value_in(a, r->fn.settings, e->type, v, strlen(v), out, r->err);
}

static rdb_status_t eval_nextval(ex_run_t *r, const ex_expr_t *e, const sql_value_t *row,
                                 rdb_arena_t *a, sql_value_t *out)
{
    sql_value_t args[3];
    for (int i = 0; i < e->nargs; i++) {
        if (ex_eval(r, e->args[i], row, a, &args[i]) != RDB_OK)
            return RDB_SQL;
        if (args[i].isnull) {
            *out = sql_null();
            return RDB_OK;
        }
    }
    const sql_table_t *seq = e->rel;
    if (!seq) {
        char *name = rdb_arena_strndup(a, args[0].u.v.ptr, args[0].u.v.len);
        seq = sql_cat_find(r->snap, NULL, name, NULL, 0);
        if (!seq)
            return rdb_err_set(r->err, RDB_SQL, "42P01", "relation \"%s\" does not exist", name);
        if (seq->relkind != SQL_REL_SEQUENCE)
            return rdb_err_set(r->err, RDB_SQL, "42809", "\"%s\" is not a sequence", name);
    }
    int64_t v;
    if (e->flag == 0) {
        if (sql_seq_nextval(r->cat, seq, &v, r->err) != RDB_OK)
            return RDB_SQL;
        if (r->sess && r->sess->seq_last)
            r->sess->seq_last(r->sess->ctx, seq->id, true, &v);
    } else if (e->flag == 1) {
        if (!r->sess || !r->sess->seq_last || !r->sess->seq_last(r->sess->ctx, seq->id, false, &v))
            return rdb_err_set(r->err, RDB_SQL, "55000", "currval of sequence \"%s\" is not yet defined "
                               "in this session", seq->name);
    } else {
        v = args[1].u.i;
        bool called = e->nargs < 3 || args[2].u.b;
        if (sql_seq_setval(r->cat, seq, v, called, r->err) != RDB_OK)
            return RDB_SQL;
        if (r->sess && r->sess->seq_last)
            r->sess->seq_last(r->sess->ctx, seq->id, true, &v);
    }
    *out = sql_int(v);
    return RDB_OK;
}

rdb_status_t ex_eval(ex_run_t *r, const ex_expr_t *e, const sql_value_t *row, rdb_arena_t *a,
                     sql_value_t *out)
{
    switch (e->kind) {
    case EX_CONST:
        *out = e->val;
        return RDB_OK;
    case EX_PARAM:
        if (e->idx >= r->nparams)
            return rdb_err_set(r->err, RDB_SQL, "08P01", "there is no parameter $%d", e->idx + 1);
        *out = r->params[e->idx];
        return RDB_OK;
    case EX_COL:
        *out = row[e->idx];
        return RDB_OK;
    case EX_OUTER:
        if (e->levelsup > r->nframes)
            return rdb_err_set(r->err, RDB_SQL, "XX000", "outer reference without an outer row");
        *out = r->frames[r->nframes - e->levelsup][e->idx];
        return RDB_OK;
    case EX_FUNC: {
        sql_value_t args[SQL_MAX_FN_ARGS];
        sql_type_t types[SQL_MAX_FN_ARGS];
        int n = e->nargs > SQL_MAX_FN_ARGS ? SQL_MAX_FN_ARGS : e->nargs;
        for (int i = 0; i < n; i++) {
            if (ex_eval(r, e->args[i], row, a, &args[i]) != RDB_OK)
                return RDB_SQL;
            if (args[i].isnull && e->fn->strict) {
                /* still evaluate nothing else: NULL in, NULL out */
                *out = sql_null();
                return RDB_OK;
            }
            types[i] = e->args[i]->type;
        }
        sql_fn_ctx_t ctx = r->fn;
        ctx.arena = a;
        out->isnull = false;
        return e->fn->fn(&ctx, n, args, types, e->type, out, r->err);
    }
    case EX_CAST: {
        sql_value_t in;
        if (ex_eval(r, e->args[0], row, a, &in) != RDB_OK)
            return RDB_SQL;
        if (in.isnull || (!e->cast->fn && e->type.typmod < 0)) {
            *out = in;
            return RDB_OK;
        }
        sql_fn_ctx_t ctx = r->fn;
        ctx.arena = a;
        return sql_cast_apply(&ctx, e->cast, e->args[0]->type, &in, out, r->err);
    }
    case EX_AND:
    case EX_OR: {
        bool isand = e->kind == EX_AND, sawnull = false;
        for (int i = 0; i < e->nargs; i++) {
            sql_value_t v;
            if (ex_eval(r, e->args[i], row, a, &v) != RDB_OK)
                return RDB_SQL;
            if (v.isnull)
                sawnull = true;
            else if (v.u.b != isand) {
                *out = sql_bool(!isand);
                return RDB_OK;
            }
        }
        *out = sawnull ? sql_null() : sql_bool(isand);
        return RDB_OK;
    }
    case EX_NOT: {
        sql_value_t v;
        if (ex_eval(r, e->args[0], row, a, &v) != RDB_OK)
            return RDB_SQL;
        *out = v.isnull ? v : sql_bool(!v.u.b);
        return RDB_OK;
    }
    case EX_NULLTEST: {
        sql_value_t v;
        if (ex_eval(r, e->args[0], row, a, &v) != RDB_OK)
            return RDB_SQL;
        *out = sql_bool(e->flag ? !v.isnull : v.isnull);
        return RDB_OK;
    }
    case EX_BOOLTEST: {
        sql_value_t v;
        if (ex_eval(r, e->args[0], row, a, &v) != RDB_OK)
            return RDB_SQL;
        bool res;
        switch (e->flag) {
        case 0: res = !v.isnull && v.u.b; break;
        case 1: res = v.isnull || !v.u.b; break;
        case 2: res = !v.isnull && !v.u.b; break;
        case 3: res = v.isnull || v.u.b; break;
        case 4: res = v.isnull; break;
        default: res = !v.isnull; break;
        }
        *out = sql_bool(res);
        return RDB_OK;
    }
    case EX_CASE: {
        int nw = e->nargs / 2;
        for (int i = 0; i < nw; i++) {
            sql_value_t w;
            if (ex_eval(r, e->args[2 * i], row, a, &w) != RDB_OK)
                return RDB_SQL;
            if (!w.isnull && w.u.b)
                return ex_eval(r, e->args[2 * i + 1], row, a, out);
        }
        return ex_eval(r, e->args[e->nargs - 1], row, a, out);
    }
    case EX_COALESCE:
        for (int i = 0; i < e->nargs; i++) {
            if (ex_eval(r, e->args[i], row, a, out) != RDB_OK)
                return RDB_SQL;
            if (!out->isnull)
                return RDB_OK;
        }
        *out = sql_null();
        return RDB_OK;
    case EX_MINMAX: {
        bool have = false;
        sql_value_t best = sql_null();
        for (int i = 0; i < e->nargs; i++) {
            sql_value_t v;
            if (ex_eval(r, e->args[i], row, a, &v) != RDB_OK)
                return RDB_SQL;
            if (v.isnull)
                continue;
            int c = have ? sql_value_cmp(e->type, &v, &best) : 0;
            if (!have || (e->flag ? c > 0 : c < 0)) {
                best = v;
                have = true;
            }
        }
        *out = best;
        return RDB_OK;
    }
    case EX_NULLIF:
    case EX_DISTINCT: {
        sql_value_t v[2];
        sql_type_t types[2] = { e->args[0]->type, e->args[1]->type };
        for (int i = 0; i < 2; i++)
            if (ex_eval(r, e->args[i], row, a, &v[i]) != RDB_OK)
                return RDB_SQL;
        bool equal;
        if (v[0].isnull || v[1].isnull) {
            equal = v[0].isnull && v[1].isnull;
        } else {
            sql_fn_ctx_t ctx = r->fn;
            ctx.arena = a;
            sql_value_t eq;
            if (e->fn->fn(&ctx, 2, v, types, (sql_type_t){ SQL_OID_BOOL, -1 }, &eq, r->err) != RDB_OK)
                return RDB_SQL;
            equal = !eq.isnull && eq.u.b;
        }
        if (e->kind == EX_NULLIF)
            *out = equal && !v[0].isnull ? sql_null() : v[0];
        else
            *out = sql_bool(e->flag ? equal : !equal);
        return RDB_OK;
    }
    case EX_SUBLINK:
        return eval_sublink(r, e, row, a, out);
    case EX_SESSION:
        return eval_session(r, e, row, a, out);
    case EX_NEXTVAL:
        return eval_nextval(r, e, row, a, out);
    case EX_ARRAY:
        return ex_eval_array(r, e, row, a, out);
    case EX_SUBSCRIPT:
        return ex_eval_subscript(r, e, row, a, out);
    case EX_ARRAYCMP:
        return ex_eval_arraycmp(r, e, row, a, out);
    case EX_SRF:
        break;
    }
    return rdb_err_set(r->err, RDB_SQL, "XX000", "unknown expression node %d", e->kind);
}

rdb_status_t ex_qual(ex_run_t *r, const ex_expr_t *e, const sql_value_t *row, rdb_arena_t *a,
                     bool *out)
{
    if (!e) {
        *out = true;
        return RDB_OK;
    }
    sql_value_t v;
    if (ex_eval(r, e, row, a, &v) != RDB_OK)
        return RDB_SQL;
    *out = !v.isnull && v.u.b;
    return RDB_OK;
}

/* Run a subquery to the end (or to its first row for EXISTS), keeping rows. */
static rdb_status_t run_sub(ex_run_t *r, const ex_expr_t *e, ex_subcache_t *c, rdb_arena_t *a,
                            int maxrows)
{
    ex_node_t *n = ex_open(r, e->sub);
    if (!n)
        return RDB_SQL;
    const sql_value_t *row;
    c->nrows = 0;
    while ((maxrows == 0 || c->nrows < maxrows) && (row = ex_next(n))) {
        if (c->nrows == c->cap) {
            c->cap = c->cap ? c->cap * 2 : 16;
            c->rows = rdb_arena_grow(a, c->rows, (size_t)c->nrows, (size_t)c->cap, sizeof *c->rows);
        }
        c->rows[c->nrows++] = ex_copy_row(a, e->sub->types, e->sub->ncols, row);
    }
    ex_close(n);
    if (rdb_err_is_set(r->err))
        return RDB_SQL;
    return ex_check(r);
}

/* Sub row i of c (its rows, or its tuplestore's); NULL on error. */
static const sql_value_t *sub_row(const ex_subcache_t *c, int i)
{
    return c->ts ? ex_tstore_get(c->ts, i) : c->rows[i];
}

/* The row form: each sub row compared column by column with the row
 * (rowcmp[i] over [row values, sub row]); a row is equal when every
 * column is (=), or differs when one does (<>, levelsup 1); NULL when
 * that is unknown. */
static rdb_status_t eval_row_sublink(ex_run_t *r, const ex_expr_t *e, const ex_subcache_t *c,
                                     const sql_value_t *row, rdb_arena_t *a, sql_value_t *out)
{
    int k = e->nrowcmp;
    bool any = e->flag == 1, ne = e->levelsup == 1, sawnull = false;
    sql_value_t *both = rdb_arena_alloc(a, sizeof(sql_value_t) * (size_t)(2 * k));
    for (int i = 0; i < k; i++)
        if (ex_eval(r, e->args[i], row, a, &both[i]) != RDB_OK)
            return RDB_SQL;
    for (int n = 0; n < c->nrows; n++) {
        const sql_value_t *sr = sub_row(c, n);
        if (!sr)
            return RDB_SQL;
        memcpy(both + k, sr, sizeof(sql_value_t) * (size_t)k);
        /* = : false if a column is false; <> : true if a column is true */
        bool decided = false, unknown = false;
        for (int i = 0; i < k && !decided; i++) {
            sql_value_t v;
            if (ex_eval(r, e->rowcmp[i], both, a, &v) != RDB_OK)
                return RDB_SQL;
            if (v.isnull)
                unknown = true;
            else if (v.u.b == ne)
                decided = true;
        }
        bool res = decided ? ne : !ne;
        if (!decided && unknown)
            sawnull = true;
        else if (res == any) {
            *out = sql_bool(any);
            return RDB_OK;
        }
    }
    *out = sawnull ? sql_null() : sql_bool(!any);
    return RDB_OK;
}

/* Types whose '=' is exactly sql_value_cmp's equality, with a matching
 * sql_value_hash. */
bool ex_hash_eq_type(uint32_t oid)
{
    switch (oid) {
    case SQL_OID_INT2: case SQL_OID_INT4: case SQL_OID_INT8: case SQL_OID_TEXT: case SQL_OID_VARCHAR:
    case SQL_OID_BOOL: case SQL_OID_DATE: case SQL_OID_TIMESTAMP: case SQL_OID_TIMESTAMPTZ:
    case SQL_OID_UUID:
        return true;
    default:
        return false;
    }
}

/* x = ANY (uncorrelated subquery) with '=' of one hashable type: the
 * subquery's values go into a set (rowset.h), as PostgreSQL's hashed
 * subplan; beyond hash memory the set goes on in sorted runs on disk,
 * where PostgreSQL would plan a plain subplan rescanning its materialized
 * result (same answers, a probe costs a block read instead of a rescan). */
static bool sub_set_ok(const ex_expr_t *e)
{
    /* x = ANY (S), and x <> ALL (S), which is NOT (x = ANY (S)) */
    return ((e->flag == 1 && e->fn && e->fn->name && strcmp(e->fn->name, "=") == 0) ||
            (e->flag == 2 && e->fn && e->fn->name && strcmp(e->fn->name, "<>") == 0)) &&
           !e->nrowcmp && e->args[0]->type.oid == e->args[1]->type.oid && ex_hash_eq_type(e->args[1]->type.oid);
}

static void sub_set_free(void *arg)
{
    ex_rowset_free(arg);
}

static void sub_ts_free(void *arg)
{
    ex_tstore_free(arg);
}

/* Run an uncorrelated ANY / ALL subquery into c->ts, as PostgreSQL's
 * plain subplan materializes its result (a tuplestore that goes to disk
 * beyond work_mem); each probe reads it through. */
static rdb_status_t run_sub_ts(ex_run_t *r, const ex_expr_t *e, ex_subcache_t *c)
{
    c->ts = ex_tstore_new(r, e->sub->types, e->sub->ncols, 0);
    rdb_arena_on_reset(r->a, sub_ts_free, c->ts);
    ex_node_t *n = ex_open(r, e->sub);
    if (!n)
        return RDB_SQL;
    rdb_status_t rc = RDB_OK;
    const sql_value_t *row;
    int64_t k = 0;
    while ((row = ex_next(n))) {
        if ((rc = ex_tstore_put(c->ts, row)) != RDB_OK)
            break;
        if ((++k & 1023) == 0 && (rc = ex_check_mem(r, ex_tstore_mem(c->ts))) != RDB_OK)
            break;
    }
    ex_close(n);
    if (rc != RDB_OK || rdb_err_is_set(r->err))
        return RDB_SQL;
    if (k > INT32_MAX)
        return ex_mem_error(r, (size_t)k);
    c->nrows = (int)k;
    return ex_tstore_rewind(c->ts) != RDB_OK ? RDB_SQL : ex_check(r);
}

/* ARRAY (subquery) of a non-array column: the elements go straight into
 * the array's encoding (sql_array_build_*), no row kept, so the query
 * holds about the array's size; beyond the query's memory limit 53200
 * (PostgreSQL holds the array in memory too, up to 1 GB). */
static rdb_status_t run_sub_array(ex_run_t *r, const ex_expr_t *e, rdb_arena_t *a, sql_value_t *out)
{
    ex_node_t *n = ex_open(r, e->sub);
    if (!n)
        return RDB_SQL;
    sql_type_t et = sql_array_elem_type(e->type);
    rdb_buf_t b = RDB_BUF_INIT;
    sql_array_build_begin(&b);
    rdb_status_t rc = RDB_OK;
    const sql_value_t *row;
    int64_t k = 0;
    while ((row = ex_next(n))) {
        sql_array_build_add(&b, et, &row[0]);
        if (++k > SQL_ARRAY_MAX_ELEMS) {
            rc = rdb_err_set(r->err, RDB_SQL, "54000", "array size exceeds the maximum allowed (%d)",
                             SQL_ARRAY_MAX_ELEMS);
            break;
        }
        if ((k & 1023) == 0 && (rc = ex_check_mem(r, b.cap)) != RDB_OK)
            break;
    }
    ex_close(n);
    if (rc == RDB_OK && rdb_err_is_set(r->err))
        rc = RDB_SQL;
    if (rc == RDB_OK && (rc = ex_check_mem(r, b.cap)) == RDB_OK)
        *out = sql_array_build_end(a, &b, (int)k);
    rdb_buf_free(&b);
    return rc;
}

/* Run the subquery into c->set (its non-NULL values; has_null, nrows). */
static rdb_status_t run_sub_set(ex_run_t *r, const ex_expr_t *e, ex_subcache_t *c)
{
    sql_type_t *t = RDB_ARENA_NEW(r->a, sql_type_t);
    *t = e->args[1]->type;
    c->set = ex_rowset_new(r, t, 1, 0);
    rdb_arena_on_reset(r->a, sub_set_free, c->set);
    ex_node_t *n = ex_open(r, e->sub);
    if (!n)
        return RDB_SQL;
    rdb_arena_t tmp;
    rdb_arena_init(&tmp, 0);
    rdb_status_t rc = RDB_OK;
    const sql_value_t *row;
    c->nrows = 0;
    while ((row = ex_next(n))) {
        rdb_arena_reset(&tmp);
        sql_value_t v;
        bool found;
        c->nrows++;
        if ((rc = ex_eval(r, e->args[1], row, &tmp, &v)) != RDB_OK)
            break;
        if (v.isnull)
            c->has_null = true;
        else if ((rc = ex_rowset_probe(c->set, &v, true, &found)) != RDB_OK)
            break;
        if ((c->nrows & 1023) == 0 && (rc = ex_check_mem(r, ex_rowset_mem(c->set))) != RDB_OK)
            break;
    }
    ex_close(n);
    rdb_arena_destroy(&tmp);
    if (rc != RDB_OK || rdb_err_is_set(r->err))
        return RDB_SQL;
    return ex_check(r);
}

static uint64_t keys_hash(const sql_type_t *types, int k, const sql_value_t *v)
{
    uint64_t h = 0x9E3779B97F4A7C15ull;
    for (int i = 0; i < k; i++)
        h = (h ^ (v[i].isnull ? 0x5bd1e995u : sql_value_hash(types[i], &v[i]))) * 0x100000001b3ull;
    return h;
}

static bool keys_eq(const sql_type_t *types, int k, const sql_value_t *x, const sql_value_t *y)
{
    for (int i = 0; i < k; i++)
        if (x[i].isnull || y[i].isnull || sql_value_cmp(types[i], &x[i], &y[i]) != 0)
            return false;
    return true;
}

/* The keyed form: the grouped subquery runs once; each outer row looks its
 * keys up (a NULL key matches no row: the value over no rows). */
static rdb_status_t eval_keyed_sublink(ex_run_t *r, const ex_expr_t *e, const sql_value_t *row,
                                       rdb_arena_t *a, sql_value_t *out)
{
    if (e->subid >= r->nsubs)
        return rdb_err_set(r->err, RDB_SQL, "XX000", "keyed subquery without its cache");
    ex_subcache_t *c = &r->subs[e->subid];
    int k = e->nkeyed;
    const sql_type_t *kt = e->sub->types;
    if (!c->done) {
        if (run_sub(r, e, c, r->a, 0) != RDB_OK)
            return RDB_SQL;
        ex_node_t *n = ex_open(r, e->empty);
        const sql_value_t *er = n ? ex_next(n) : NULL;
        c->empty = er ? sql_value_copy(r->a, e->empty->types[0], er[0]) : sql_null();
        ex_close(n);
        if (rdb_err_is_set(r->err))
            return RDB_SQL;
        uint32_t ns = 64;
        while (ns < (uint32_t)c->nrows * 2)
            ns *= 2;
        c->nslots = ns;
        c->hashes = rdb_arena_calloc(r->a, sizeof(uint64_t) * ns);
        c->rowidx = rdb_arena_calloc(r->a, sizeof(int32_t) * ns);
        for (int i = 0; i < c->nrows; i++) {
            uint64_t h = keys_hash(kt, k, c->rows[i]);
            uint32_t s = (uint32_t)h & (ns - 1);
            while (c->rowidx[s])
                s = (s + 1) & (ns - 1);
            c->hashes[s] = h;
            c->rowidx[s] = i + 1;
        }
        c->done = true;
    }
    sql_value_t *key = rdb_arena_alloc(a, sizeof(sql_value_t) * (size_t)k);
    for (int i = 0; i < k; i++) {
        if (ex_eval(r, e->args[i], row, a, &key[i]) != RDB_OK)
            return RDB_SQL;
        if (key[i].isnull) {
            *out = c->empty;
            return RDB_OK;
        }
    }
    uint64_t h = keys_hash(kt, k, key);
    for (uint32_t s = (uint32_t)h & (c->nslots - 1); c->rowidx[s]; s = (s + 1) & (c->nslots - 1)) {
        const sql_value_t *g = c->rows[c->rowidx[s] - 1];
        if (c->hashes[s] == h && keys_eq(kt, k, g, key)) {
            *out = g[k];
            return RDB_OK;
        }
    }
    *out = c->empty;
    return RDB_OK;
}

static rdb_status_t eval_sublink(ex_run_t *r, const ex_expr_t *e, const sql_value_t *row,
                                 rdb_arena_t *a, sql_value_t *out)
{
    if (e->nkeyed)
        return eval_keyed_sublink(r, e, row, a, out);
    ex_subcache_t local = { 0 }, *c = &local;
    int maxrows = e->flag == 0 /* EXISTS */ ? 1 : e->flag == 3 /* EXPR */ ? 2 : 0;   /* ARRAY: all */
    bool stream_array = e->flag == 4 && e->sub && !sql_type_is_array(e->sub->types[0].oid);
    if (stream_array && (e->correlated || e->subid >= r->nsubs)) {
        if (r->nframes >= 32)
            return rdb_err_set(r->err, RDB_SQL, "54001", "subqueries nested too deeply");
        r->frames[r->nframes++] = row;
        rdb_status_t rc = run_sub_array(r, e, a, out);
        r->nframes--;
        return rc;
    }
    if (!e->correlated && e->subid < r->nsubs) {
        c = &r->subs[e->subid];
        if (!c->done) {
            rdb_status_t rc = stream_array                   ? run_sub_array(r, e, r->a, &c->arr)
                              : sub_set_ok(e)                ? run_sub_set(r, e, c)
                              : e->flag == 1 || e->flag == 2 ? run_sub_ts(r, e, c)
                                                             : run_sub(r, e, c, r->a, maxrows);
            if (rc != RDB_OK)
                return RDB_SQL;
            c->done = true;
        }
        if (stream_array) {
            *out = c->arr;
            return RDB_OK;
        }
    } else {
        if (r->nframes >= 32)
            return rdb_err_set(r->err, RDB_SQL, "54001", "subqueries nested too deeply");
        r->frames[r->nframes++] = row;
        rdb_status_t rc = run_sub(r, e, c, a, maxrows);
        r->nframes--;
        if (rc != RDB_OK)
            return rc;
    }
    switch (e->flag) {
    case 0: /* EXISTS */
        *out = sql_bool(c->nrows > 0);
        return RDB_OK;
    case 4: { /* ARRAY (subquery) */
        sql_value_t *v = rdb_arena_alloc(a, sizeof(sql_value_t) * (size_t)(c->nrows ? c->nrows : 1));
        for (int i = 0; i < c->nrows; i++)
            v[i] = c->rows[i][0];
        if (e->sub && sql_type_is_array(e->sub->types[0].oid))   /* ARRAY(SELECT an array): one more dimension */
            return sql_array_stack(a, e->type, c->nrows, v, out, r->err);
        *out = sql_array_encode(a, sql_array_elem_type(e->type), 1, c->nrows, v);
        return RDB_OK;
    }
    case 3: /* EXPR */
        if (c->nrows > 1)
            return rdb_err_set(r->err, RDB_SQL, "21000", "more than one row returned by a subquery "
                               "used as an expression");
        *out = c->nrows ? c->rows[0][0] : sql_null();
        return RDB_OK;
    default: {  /* ANY (1) / ALL (2) */
        bool any = e->flag == 1, sawnull = false;
        if (e->nrowcmp)
            return eval_row_sublink(r, e, c, row, a, out);
        sql_value_t lhs;
        if (ex_eval(r, e->args[0], row, a, &lhs) != RDB_OK)
            return RDB_SQL;
        if (c->set) {
            /* x = ANY (rows): true if found; else NULL if x or a row is
             * NULL (x NULL over no rows: false).  x <> ALL (rows) is its
             * negation. */
            bool found = false;
            if (!lhs.isnull && ex_rowset_probe(c->set, &lhs, false, &found) != RDB_OK)
                return RDB_SQL;
            if (found)
                *out = sql_bool(any);
            else if (c->nrows && (lhs.isnull || c->has_null))
                *out = sql_null();
            else
                *out = sql_bool(!any);
            return RDB_OK;
        }
        bool done = false;
        sql_type_t types[2] = { e->args[0]->type, e->args[1]->type };
        for (int i = 0; i < c->nrows && !done; i++) {
            sql_value_t x;
            const sql_value_t *sr = sub_row(c, i);
            if (!sr || ex_eval(r, e->args[1], sr, a, &x) != RDB_OK ||
                ex_anyall_step(r, e->fn, types, lhs, x, a, any, &sawnull, &done) != RDB_OK)
                return RDB_SQL;
        }
        if (done) {
            *out = sql_bool(any);
            return RDB_OK;
        }
        *out = sawnull ? sql_null() : sql_bool(!any);
        return RDB_OK;
    }
    }
}

void ex_run_init_subs(ex_run_t *r, int nsubs)
{
    r->nsubs = nsubs;
    r->subs = nsubs ? rdb_arena_calloc(r->a, sizeof(ex_subcache_t) * (size_t)nsubs) : NULL;
}
