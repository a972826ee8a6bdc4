/*
 * ex_array.c — ARRAY[...], subscripts and slices (a[i], a[i:j], and
 * UPDATE's a[i] = v), op ANY/ALL (array), with PostgreSQL's semantics:
 * subscripts count from the array's lower bound, an index out of range
 * reads NULL, a slice is clipped to the array and starts at 1, and
 * assignment past either end pads with NULLs.
 */
#include <string.h>

#include "exec/ex_array.h"
#include "sql/array.h"

rdb_status_t ex_eval_array(ex_run_t *r, const ex_expr_t *e, const sql_value_t *row,
                           rdb_arena_t *a, sql_value_t *out)
{
    sql_value_t *v = rdb_arena_alloc(a, sizeof(sql_value_t) * (size_t)(e->nargs ? e->nargs : 1));
    for (int i = 0; i < e->nargs; i++)
        if (ex_eval(r, e->args[i], row, a, &v[i]) != RDB_OK)
            return RDB_SQL;
    *out = sql_array_encode(a, sql_array_elem_type(e->type), 1, e->nargs, v);
    return RDB_OK;
}

rdb_status_t ex_eval_subscript(ex_run_t *r, const ex_expr_t *e, const sql_value_t *row,
                               rdb_arena_t *a, sql_value_t *out)
{
    sql_value_t arr, lo, hi, nv = sql_null();
    if (ex_eval(r, e->args[0], row, a, &arr) != RDB_OK ||
        ex_eval(r, e->args[1], row, a, &lo) != RDB_OK ||
        ex_eval(r, e->args[2], row, a, &hi) != RDB_OK)
        return RDB_SQL;
    if (e->flag == EX_SUB_ASSIGN) {
        if (ex_eval(r, e->args[3], row, a, &nv) != RDB_OK)
            return RDB_SQL;
        if (lo.isnull)
            return rdb_err_set(r->err, RDB_SQL, "22004", "array subscript in assignment must not be null");
        sql_type_t et = sql_array_elem_type(e->type);
        if (arr.isnull) {
            *out = sql_array_encode(a, et, (int32_t)lo.u.i, 1, &nv);
            return RDB_OK;
        }
        sql_array_t x;
        if (sql_array_decode(a, e->args[0]->type, &arr, &x, r->err) != RDB_OK)
            return RDB_SQL;
        if (x.n == 0)
            x.lbound = (int32_t)lo.u.i;
        int64_t first = x.lbound < lo.u.i ? x.lbound : lo.u.i;
        int64_t last = x.lbound + x.n - 1 > lo.u.i ? x.lbound + x.n - 1 : lo.u.i;
        if (last - first + 1 > SQL_ARRAY_MAX_ELEMS)
            return rdb_err_set(r->err, RDB_SQL, "54000", "array size exceeds the maximum allowed (%d)",
                               SQL_ARRAY_MAX_ELEMS);
        int n = (int)(last - first + 1);
        sql_value_t *v = rdb_arena_alloc(a, sizeof(sql_value_t) * (size_t)n);
        for (int i = 0; i < n; i++)
            v[i] = sql_null();
        for (int i = 0; i < x.n; i++)
            v[x.lbound - first + i] = x.v[i];
        v[lo.u.i - first] = nv;
        *out = sql_array_encode(a, et, (int32_t)first, n, v);
        return RDB_OK;
    }
    bool slice = e->flag & EX_SUB_SLICE;
    if (arr.isnull || (lo.isnull && !(e->flag & EX_SUB_NO_LOWER)) ||
        (slice && hi.isnull && !(e->flag & EX_SUB_NO_UPPER))) {
        *out = sql_null();
        return RDB_OK;
    }
    int n = sql_array_count(&arr);
    int64_t lb = sql_array_lbound(&arr), ub = lb + n - 1;
    if (!slice) {
        int64_t i = lo.u.i;
        if (i < lb || i > ub) {
            *out = sql_null();
            return RDB_OK;
        }
        sql_array_t x;
        if (sql_array_decode(a, e->args[0]->type, &arr, &x, r->err) != RDB_OK)
            return RDB_SQL;
        *out = x.v[i - lb];
        return RDB_OK;
    }
    int64_t from = (e->flag & EX_SUB_NO_LOWER) ? lb : lo.u.i;
    int64_t to = (e->flag & EX_SUB_NO_UPPER) ? ub : hi.u.i;
    if (from < lb)
        from = lb;
    if (to > ub)
        to = ub;
    sql_array_t x;
    if (sql_array_decode(a, e->args[0]->type, &arr, &x, r->err) != RDB_OK)
        return RDB_SQL;
    int cnt = from > to ? 0 : (int)(to - from + 1);
    *out = sql_array_encode(a, x.elem, 1, cnt, cnt ? x.v + (from - lb) : x.v);
    return RDB_OK;
}

rdb_status_t ex_anyall_step(ex_run_t *r, const sql_resolved_fn_t *fn, const sql_type_t *types,
                            sql_value_t l, sql_value_t x, rdb_arena_t *a, bool any, bool *sawnull,
                            bool *done)
{
    sql_value_t v[2] = { l, x }, res;
    if ((l.isnull || x.isnull) && fn->strict) {
        *sawnull = true;
        return RDB_OK;
    }
    sql_fn_ctx_t ctx = r->fn;
    ctx.arena = a;
    res.isnull = false;
    if (fn->fn(&ctx, 2, v, types, fn->rettype, &res, r->err) != RDB_OK)
        return RDB_SQL;
    if (res.isnull)
        *sawnull = true;
    else if (res.u.b == any)
        *done = true;
    return RDB_OK;
}

rdb_status_t ex_eval_arraycmp(ex_run_t *r, const ex_expr_t *e, const sql_value_t *row,
                              rdb_arena_t *a, sql_value_t *out)
{
    sql_value_t l, arr;
    if (ex_eval(r, e->args[0], row, a, &l) != RDB_OK || ex_eval(r, e->args[1], row, a, &arr) != RDB_OK)
        return RDB_SQL;
    if (arr.isnull) {
        *out = sql_null();
        return RDB_OK;
    }
    sql_array_t x;
    if (sql_array_decode(a, e->args[1]->type, &arr, &x, r->err) != RDB_OK)
        return RDB_SQL;
    bool any = e->flag == 1, sawnull = false, done = false;
    sql_type_t types[2] = { e->args[0]->type, x.elem };
    for (int i = 0; i < x.n && !done; i++)
        if (ex_anyall_step(r, e->fn, types, l, x.v[i], a, any, &sawnull, &done) != RDB_OK)
            return RDB_SQL;
    if (done) {
        *out = sql_bool(any);
        return RDB_OK;
    }
    *out = sawnull ? sql_null() : sql_bool(!any);
    return RDB_OK;
}
