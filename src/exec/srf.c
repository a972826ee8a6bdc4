/*
 * srf.c — P_FUNCSCAN: set-returning functions in FROM (unnest,
 * generate_subscripts, generate_series over numeric and timestamps, the
 * json expanders), zipped as ROWS FROM does (a function that runs out
 * first yields NULLs while the others go on), WITH ORDINALITY numbering
 * the rows from 1.
 *
 * Each function runs to completion at the first next and its rows are
 * kept in the scan's own arena, freed at close: the inputs are values in
 * memory already (an array, a document) or a series bounded by 53200
 * through the run's checks.
 */
#include <stdlib.h>
#include <string.h>

#include "exec/ex_array.h"
#include "sql/array.h"
#include "sql/json.h"
#include "sql/regexp.h"

typedef struct srf_rows {
    int           ncols;
    int64_t       n, cap;
    sql_value_t  *v;          /* n * ncols */
} srf_rows_t;

struct ex_srfscan {
    ex_run_t     *r;
    const plan_t *p;
    rdb_arena_t   a;
    bool          started;
    srf_rows_t   *f;
    int64_t       pos, total;
};

ex_srfscan_t *ex_srfscan_open(ex_run_t *r, const plan_t *p)
{
    ex_srfscan_t *s = calloc(1, sizeof *s);
    s->r = r;
    s->p = p;
    rdb_arena_init(&s->a, 0);
    return s;
}

void ex_srfscan_close(ex_srfscan_t *s)
{
    if (!s)
        return;
    rdb_arena_destroy(&s->a);
    free(s);
}

static sql_value_t *emit(srf_rows_t *o, rdb_arena_t *a)
{
    if (o->n == o->cap) {
        o->cap = o->cap ? o->cap * 2 : 16;
        o->v = rdb_arena_grow(a, o->v, (size_t)(o->n * o->ncols), (size_t)(o->cap * o->ncols),
                              sizeof(sql_value_t));
    }
    return &o->v[o->n++ * o->ncols];
}

/* Room for n more rows at once (the set's size is known up front). */
static void reserve(srf_rows_t *o, rdb_arena_t *a, int64_t n)
{
    if (o->n + n <= o->cap)
        return;
    int64_t cap = o->n + n;
    sql_value_t *v = rdb_arena_alloc(a, sizeof(sql_value_t) * (size_t)(cap * o->ncols + 1));
    if (o->n)
        memcpy(v, o->v, sizeof(sql_value_t) * (size_t)(o->n * o->ncols));
    o->v = v;
    o->cap = cap;
}

static rdb_status_t run_series(ex_srfscan_t *s, const ex_expr_t *e, const sql_value_t *args,
                               srf_rows_t *o)
{
    ex_run_t *r = s->r;
    bool num = e->flag == EX_SRF_SERIES_NUMERIC;
    sql_type_t vt = e->type, st = num ? vt : (sql_type_t){ SQL_OID_INTERVAL, -1 };
    sql_value_t step = e->nargs > 2 ? args[2] : sql_null();
    if (num && e->nargs < 3) {
        rdb_err_t e2 = RDB_ERR_INIT;
        if (sql_value_in(&s->a, NULL, vt, "1", 1, &step, &e2) != RDB_OK)
            return rdb_err_set(r->err, RDB_SQL, "XX000", "numeric constant");
    }
    sql_value_t zero;
    rdb_err_t e2 = RDB_ERR_INIT;
    if (sql_value_in(&s->a, NULL, st, num ? "0" : "0", 1, &zero, &e2) != RDB_OK) {
        rdb_err_clear(&e2);
        return rdb_err_set(r->err, RDB_SQL, "XX000", "series step");
    }
    int dir = sql_value_cmp(st, &step, &zero);
    if (dir == 0)
        return rdb_err_set(r->err, RDB_SQL, "22023", "step size cannot equal zero");
    sql_resolved_fn_t add;
    if (sql_oper_resolve("+", vt, st, &add, r->err) != RDB_OK)
        return RDB_SQL;
    sql_fn_ctx_t ctx = r->fn;
    ctx.arena = &s->a;
    sql_value_t cur = args[0];
    for (;;) {
        int c = sql_value_cmp(vt, &cur, &args[1]);
        if (dir > 0 ? c > 0 : c < 0)
            break;
        if ((++r->tick & 255) == 0 && ex_check(r) != RDB_OK)
            return RDB_SQL;
        emit(o, &s->a)[0] = cur;
        sql_value_t in[2] = { cur, step }, next;
        sql_type_t ts[2] = { add.argtypes[0], add.argtypes[1] };
        next.isnull = false;
        if (add.fn(&ctx, 2, in, ts, add.rettype, &next, r->err) != RDB_OK) {
            /* overflowing past the end of the range just ends the series */
            rdb_err_clear(r->err);
            break;
        }
        cur = next;
    }
    return RDB_OK;
}

static rdb_status_t run_one(ex_srfscan_t *s, const ex_expr_t *e, srf_rows_t *o)
{
    ex_run_t *r = s->r;
    sql_value_t args[SQL_MAX_FN_ARGS];
    for (int i = 0; i < e->nargs && i < SQL_MAX_FN_ARGS; i++) {
        if (ex_eval(r, e->args[i], NULL, &s->a, &args[i]) != RDB_OK)
            return RDB_SQL;
        if (args[i].isnull)
            return RDB_OK;      /* strict: no rows */
    }
    switch ((ex_srf_t)e->flag) {
    case EX_SRF_UNNEST: {
        sql_array_t x;
        if (sql_array_decode(&s->a, e->args[0]->type, &args[0], &x, r->err) != RDB_OK)
            return RDB_SQL;
        reserve(o, &s->a, x.n);
        for (int i = 0; i < x.n; i++)
            emit(o, &s->a)[0] = x.v[i];
        return RDB_OK;
    }
    case EX_SRF_SUBSCRIPTS: {
        int dims[SQL_ARRAY_MAXDIM];
        int32_t lbs[SQL_ARRAY_MAXDIM];
        int ndim = sql_array_shape(&args[0], dims, lbs);
        bool rev = e->nargs > 2 && args[2].u.b;
        if (args[1].u.i < 1 || args[1].u.i > ndim)
            return RDB_OK;
        int n = dims[args[1].u.i - 1];
        int32_t lb = lbs[args[1].u.i - 1];
        reserve(o, &s->a, n);
        for (int i = 0; i < n; i++)
            emit(o, &s->a)[0] = sql_int(rev ? lb + n - 1 - i : lb + i);
        return RDB_OK;
    }
    case EX_SRF_SERIES_NUMERIC:
    case EX_SRF_SERIES_TS:
        return run_series(s, e, args, o);
    case EX_SRF_REGEXP_MATCHES:
    case EX_SRF_REGEXP_SPLIT: {
        int n;
        sql_value_t *rows;
        if (sql_regexp_rows(&s->a, e->flag == EX_SRF_REGEXP_MATCHES ? SQL_REGEXP_MATCHES : SQL_REGEXP_SPLIT,
                            e->nargs, args, &n, &rows, r->err) != RDB_OK)
            return RDB_SQL;
        for (int i = 0; i < n; i++)
            emit(o, &s->a)[0] = rows[i];
        return RDB_OK;
    }
    case EX_SRF_JSON_EACH:
    case EX_SRF_JSON_EACH_TEXT:
    case EX_SRF_JSON_ELEMENTS:
    case EX_SRF_JSON_ELEMENTS_TEXT:
    case EX_SRF_JSON_KEYS: {
        sql_json_expand_t what = e->flag == EX_SRF_JSON_KEYS ? SQL_JSON_KEYS
                               : e->flag <= EX_SRF_JSON_EACH_TEXT ? SQL_JSON_EACH : SQL_JSON_ELEMENTS;
        bool astext = e->flag == EX_SRF_JSON_EACH_TEXT || e->flag == EX_SRF_JSON_ELEMENTS_TEXT;
        int n;
        sql_value_t *keys, *vals;
        if (sql_json_expand(&s->a, e->args[0]->type.oid, &args[0], what, astext, &n, &keys, &vals,
                            r->err) != RDB_OK)
            return RDB_SQL;
        reserve(o, &s->a, n);
        for (int i = 0; i < n; i++) {
            sql_value_t *row = emit(o, &s->a);
            if (what == SQL_JSON_EACH) {
                row[0] = keys[i];
                row[1] = vals[i];
            } else {
                row[0] = what == SQL_JSON_KEYS ? keys[i] : vals[i];
            }
        }
        return RDB_OK;
    }
    }
    return rdb_err_set(r->err, RDB_SQL, "XX000", "unknown set-returning function %d", e->flag);
}

bool ex_srfscan_next(ex_srfscan_t *s, sql_value_t *out)
{
    const plan_t *p = s->p;
    if (!s->started) {
        s->started = true;
        s->f = RDB_ARENA_NEWN(&s->a, srf_rows_t, p->nexprs + 1);
        for (int i = 0; i < p->nexprs; i++) {
            s->f[i].ncols = p->exprs[i]->idx;
            if (run_one(s, p->exprs[i], &s->f[i]) != RDB_OK)
                return false;
            if (s->f[i].n > s->total)
                s->total = s->f[i].n;
        }
    }
    if (s->pos >= s->total)
        return false;
    int col = 0;
    for (int i = 0; i < p->nexprs; i++) {
        const srf_rows_t *f = &s->f[i];
        for (int k = 0; k < f->ncols; k++)
            out[col++] = s->pos < f->n ? f->v[s->pos * f->ncols + k] : sql_null();
    }
    s->pos++;
    if (p->ordinality)
        out[col] = sql_int(s->pos);
    return true;
}
