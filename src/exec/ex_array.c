/*
 * ex_array.c — ARRAY[...], subscripts and slices (a[i], a[i:j], and
 * UPDATE's a[i] = v), op ANY/ALL (array), with PostgreSQL's semantics:
 * subscripts count from the array's lower bound, an index out of range
 * reads NULL, a slice is clipped to the array and starts at 1, and
 * assignment past either end of a one-dimensional array pads with NULLs.
 * A multi-dimensional array is assigned to (a[i][j] = v, a[1:2][2:3] =
 * array) only within its bounds (2202E "array subscript out of range"), as
 * PostgreSQL's array_set_element / array_set_slice.
 */
#include <string.h>

#include "exec/ex_array.h"
#include "sql/array.h"

/* ARRAY[sub-array, ...]: one more dimension; the sub-arrays must have the
 * same shape (NULL and empty ones count as empty, allowed only if all are),
 * as PG's ExecEvalArrayExpr. */
static rdb_status_t array_of_arrays(ex_run_t *r, const ex_expr_t *e, const sql_value_t *v,
                                    rdb_arena_t *a, sql_value_t *out)
{
    sql_array_t res = { .elem = sql_array_elem_type(e->type), .ndim = 0 };
    bool haveempty = false;
    int64_t total = 0;
    sql_array_t *x = rdb_arena_alloc(a, sizeof(sql_array_t) * (size_t)e->nargs);
    for (int i = 0; i < e->nargs; i++) {
        x[i].n = 0;
        if (v[i].isnull || sql_array_count(&v[i]) == 0) {
            haveempty = true;
            continue;
        }
        if (sql_array_decode(a, e->type, &v[i], &x[i], r->err) != RDB_OK)
            return RDB_SQL;
        if (res.ndim == 0) {
            res.ndim = x[i].ndim + 1;
            if (res.ndim > SQL_ARRAY_MAXDIM)
                return rdb_err_set(r->err, RDB_SQL, "54000", "number of array dimensions (%d) exceeds "
                                   "the maximum allowed (%d)", res.ndim, SQL_ARRAY_MAXDIM);
            memcpy(res.dims + 1, x[i].dims, sizeof(int) * (size_t)x[i].ndim);
            memcpy(res.lbs + 1, x[i].lbs, sizeof(int32_t) * (size_t)x[i].ndim);
        } else if (x[i].ndim + 1 != res.ndim ||
                   memcmp(res.dims + 1, x[i].dims, sizeof(int) * (size_t)x[i].ndim) != 0 ||
                   memcmp(res.lbs + 1, x[i].lbs, sizeof(int32_t) * (size_t)x[i].ndim) != 0) {
            goto mismatch;
        }
        total += x[i].n;
    }
    if (res.ndim == 0) {
        *out = sql_array_encode(a, res.elem, 1, 0, NULL);
        return RDB_OK;
    }
    if (haveempty)
        goto mismatch;
    if (total > SQL_ARRAY_MAX_ELEMS)
        return rdb_err_set(r->err, RDB_SQL, "54000", "array size exceeds the maximum allowed (%d)",
                           SQL_ARRAY_MAX_ELEMS);
    res.dims[0] = e->nargs;
    res.lbs[0] = 1;
    res.v = rdb_arena_alloc(a, sizeof(sql_value_t) * (size_t)total);
    for (int i = 0, k = 0; i < e->nargs; k += x[i].n, i++)
        memcpy(res.v + k, x[i].v, sizeof(sql_value_t) * (size_t)x[i].n);
    *out = sql_array_encode_like(a, &res);
    return RDB_OK;
mismatch:
    return rdb_err_set(r->err, RDB_SQL, "2202E", "multidimensional arrays must have array expressions "
                       "with matching dimensions");
}

rdb_status_t ex_eval_array(ex_run_t *r, const ex_expr_t *e, const sql_value_t *row,
                           rdb_arena_t *a, sql_value_t *out)
{
    sql_value_t *v = rdb_arena_alloc(a, sizeof(sql_value_t) * (size_t)(e->nargs ? e->nargs : 1));
    for (int i = 0; i < e->nargs; i++)
        if (ex_eval(r, e->args[i], row, a, &v[i]) != RDB_OK)
            return RDB_SQL;
    if (e->flag == 1)
        return array_of_arrays(r, e, v, a, out);
    *out = sql_array_encode(a, sql_array_elem_type(e->type), 1, e->nargs, v);
    return RDB_OK;
}

static rdb_status_t subscript_error(ex_run_t *r, const char *msg)
{
    return rdb_err_set(r->err, RDB_SQL, "2202E", "%s", msg);
}

/* Assignment with k subscripts to x, an array of 2 or more dimensions or
 * an empty one (a new array of k dimensions): nv the element, or for a
 * slice the source array whose first elements fill the slice in row-major
 * order.  lo/hi as ex_eval_subscript gives them. */
static rdb_status_t assign_md(ex_run_t *r, const ex_expr_t *e, rdb_arena_t *a, sql_array_t *x, int k,
                              const sql_value_t *lo, const sql_value_t *hi, sql_value_t nv, sql_value_t *out)
{
    bool slice = e->flag & EX_SUB_SLICE;
    int64_t from[SQL_ARRAY_MAXDIM], to[SQL_ARRAY_MAXDIM];
    for (int d = 0; d < k; d++) {
        int om = slice ? ex_sub_omitted(e, d) : 0;
        if ((lo[d].isnull && !(om & EX_SUB_NO_LOWER)) || (slice && hi[d].isnull && !(om & EX_SUB_NO_UPPER)))
            return rdb_err_set(r->err, RDB_SQL, "22004", "array subscript in assignment must not be null");
    }
    if (slice && nv.isnull) {   /* a NULL source leaves the array as it was ('{}' for NULL) */
        *out = sql_array_encode_like(a, x);
        return RDB_OK;
    }
    sql_array_t src = { .n = 1, .v = &nv };
    if (slice && sql_array_decode(a, e->type, &nv, &src, r->err) != RDB_OK)
        return RDB_SQL;
    if (x->ndim == 0) {
        /* a new array of k dimensions: one element, or the slice's shape */
        sql_array_t res = { .elem = x->elem, .ndim = k };
        int64_t n = 1;
        for (int d = 0; d < k; d++)
            if (slice && (ex_sub_omitted(e, d) & (EX_SUB_NO_LOWER | EX_SUB_NO_UPPER))) {
                rdb_err_set(r->err, RDB_SQL, "2202E", "array slice subscript must provide both boundaries");
                rdb_err_detail(r->err, "When assigning to a slice of an empty array value, slice boundaries "
                                       "must be fully specified.");
                return RDB_SQL;
            }
        for (int d = 0; d < k; d++) {
            int64_t f = lo[d].u.i, t = slice ? hi[d].u.i : f;
            /* an extent 0 (a[2:1]) makes an empty array, a negative one is
             * PostgreSQL's ArrayGetNItems error */
            if (t - f + 1 < 0 || (n *= t - f + 1) > SQL_ARRAY_MAX_ELEMS)
                return rdb_err_set(r->err, RDB_SQL, "54000", "array size exceeds the maximum allowed (%d)",
                                   SQL_ARRAY_MAX_ELEMS);
            res.dims[d] = (int)(t - f + 1);
            res.lbs[d] = (int32_t)f;
        }
        if (src.n < n)
            return subscript_error(r, "source array too small");
        if (n == 0) {
            *out = sql_array_encode(a, x->elem, 1, 0, NULL);
            return RDB_OK;
        }
        res.n = (int)n;
        res.v = src.v;
        *out = sql_array_encode_like(a, &res);
        return RDB_OK;
    }
    if (slice ? x->ndim < k : x->ndim != k)
        return subscript_error(r, "wrong number of array subscripts");
    int64_t n = 1;
    for (int d = 0; d < x->ndim; d++) {
        int om = d >= k ? EX_SUB_NO_LOWER | EX_SUB_NO_UPPER : slice ? ex_sub_omitted(e, d) : 0;
        int64_t lb = x->lbs[d], ub = lb + x->dims[d] - 1;
        from[d] = (om & EX_SUB_NO_LOWER) ? lb : lo[d].u.i;
        to[d] = !slice ? from[d] : (om & EX_SUB_NO_UPPER) ? ub : hi[d].u.i;
        if (to[d] < from[d])
            return subscript_error(r, "upper bound cannot be less than lower bound");
        if (d < k && (from[d] < lb || to[d] > ub))
            return subscript_error(r, "array subscript out of range");
        n *= to[d] - from[d] + 1;
    }
    if (src.n < n)
        return subscript_error(r, "source array too small");
    sql_value_t *v = rdb_arena_memdup(a, x->v, sizeof(sql_value_t) * (size_t)x->n);
    int64_t idx[SQL_ARRAY_MAXDIM];
    for (int d = 0; d < x->ndim; d++)
        idx[d] = from[d];
    for (int64_t j = 0; j < n; j++) {
        int64_t off = 0;
        for (int d = 0; d < x->ndim; d++)
            off = off * x->dims[d] + (idx[d] - x->lbs[d]);
        v[off] = src.v[j];
        for (int d = x->ndim - 1; d >= 0 && ++idx[d] > to[d]; d--)
            idx[d] = from[d];
    }
    x->v = v;
    *out = sql_array_encode_like(a, x);
    return RDB_OK;
}

/* a[i] = v, or a[i:j] = array, into a non-empty one-dimensional array:
 * the elements outside the array's bounds become NULLs; a slice takes the
 * source's first j-i+1 elements.  With more subscripts, an array of more
 * dimensions or an empty (or NULL) one: assign_md. */
static rdb_status_t assign(ex_run_t *r, const ex_expr_t *e, const sql_value_t *row, rdb_arena_t *a,
                           sql_value_t arr, int k, const sql_value_t *los, const sql_value_t *his,
                           sql_value_t *out)
{
    sql_value_t nv, lo = los[0], hi = his[0];
    if (ex_eval(r, e->args[e->nargs - 1], row, a, &nv) != RDB_OK)
        return RDB_SQL;
    bool slice = e->flag & EX_SUB_SLICE;
    sql_type_t et = sql_array_elem_type(e->type);
    sql_array_t x = { .elem = et, .lbound = 1, .n = 0, .v = NULL };
    if (!arr.isnull && sql_array_decode(a, e->args[0]->type, &arr, &x, r->err) != RDB_OK)
        return RDB_SQL;
    bool empty = x.n == 0;
    if (k > 1 || x.ndim > 1 || empty) {
        if (empty)
            x.ndim = 0;
        return assign_md(r, e, a, &x, k, los, his, nv, out);
    }
    if ((lo.isnull && !(e->flag & EX_SUB_NO_LOWER)) || (slice && hi.isnull && !(e->flag & EX_SUB_NO_UPPER)))
        return rdb_err_set(r->err, RDB_SQL, "22004", "array subscript in assignment must not be null");
    if (slice && nv.isnull) {   /* a NULL source leaves the array as it was */
        *out = arr;
        return RDB_OK;
    }
    int64_t from = (e->flag & EX_SUB_NO_LOWER) ? x.lbound : lo.u.i;
    int64_t to = !slice ? from : (e->flag & EX_SUB_NO_UPPER) ? x.lbound + x.n - 1 : hi.u.i;
    if (to < from)  /* a slice only */
        return rdb_err_set(r->err, RDB_SQL, "2202E", "upper bound cannot be less than lower bound");
    sql_array_t src = { .n = 1, .v = &nv };
    if (slice) {
        if (sql_array_decode(a, e->type, &nv, &src, r->err) != RDB_OK)
            return RDB_SQL;
        if (src.n < to - from + 1)
            return rdb_err_set(r->err, RDB_SQL, "2202E", "source array too small");
    }
    int64_t first = x.lbound < from ? x.lbound : from;
    int64_t last = x.lbound + x.n - 1 > to ? x.lbound + x.n - 1 : to;
    if (last - first + 1 > SQL_ARRAY_MAX_ELEMS || first < INT32_MIN || last > INT32_MAX)
        return rdb_err_set(r->err, RDB_SQL, "54000", "array size exceeds the maximum allowed (%d)",
                           SQL_ARRAY_MAX_ELEMS);
    int n = (int)(last - first + 1);
    sql_value_t *v = rdb_arena_alloc(a, sizeof(sql_value_t) * (size_t)n);
    for (int i = 0; i < n; i++)
        v[i] = sql_null();
    for (int i = 0; i < x.n; i++)
        v[x.lbound - first + i] = x.v[i];
    for (int64_t i = from; i <= to; i++)
        v[i - first] = src.v[i - from];
    *out = sql_array_encode(a, et, (int32_t)first, n, v);
    return RDB_OK;
}

rdb_status_t ex_eval_subscript(ex_run_t *r, const ex_expr_t *e, const sql_value_t *row,
                               rdb_arena_t *a, sql_value_t *out)
{
    sql_value_t arr, lo[SQL_ARRAY_MAXDIM], hi[SQL_ARRAY_MAXDIM];
    int k = (e->flag & EX_SUB_ASSIGN) ? (e->nargs - 2) / 2 : (e->nargs - 1) / 2;
    if (ex_eval(r, e->args[0], row, a, &arr) != RDB_OK)
        return RDB_SQL;
    for (int d = 0; d < k; d++)
        if (ex_eval(r, e->args[1 + 2 * d], row, a, &lo[d]) != RDB_OK ||
            ex_eval(r, e->args[2 + 2 * d], row, a, &hi[d]) != RDB_OK)
            return RDB_SQL;
    if (e->flag & EX_SUB_ASSIGN)
        return assign(r, e, row, a, arr, k, lo, hi, out);
    bool slice = e->flag & EX_SUB_SLICE;
    *out = sql_null();
    if (arr.isnull)
        return RDB_OK;
    for (int d = 0; d < k; d++) {
        int om = ex_sub_omitted(e, d);
        if ((lo[d].isnull && !(om & EX_SUB_NO_LOWER)) || (slice && hi[d].isnull && !(om & EX_SUB_NO_UPPER)))
            return RDB_OK;
    }
    sql_array_t x;
    if (sql_array_decode(a, e->args[0]->type, &arr, &x, r->err) != RDB_OK)
        return RDB_SQL;
    if (!slice) {
        /* as PG: the wrong number of subscripts, or one out of range, reads NULL */
        if (k != x.ndim)
            return RDB_OK;
        int64_t off = 0;
        for (int d = 0; d < k; d++) {
            int64_t i = lo[d].u.i;
            if (i < x.lbs[d] || i > (int64_t)x.lbs[d] + x.dims[d] - 1)
                return RDB_OK;
            off = off * x.dims[d] + (i - x.lbs[d]);
        }
        *out = x.v[off];
        return RDB_OK;
    }
    /* a slice: clipped to the array, lower bounds 1; dimensions without a
     * subscript are taken whole; more subscripts than dimensions, or an
     * empty range, give an empty array */
    sql_array_t res = { .elem = x.elem, .ndim = x.ndim };
    int64_t from[SQL_ARRAY_MAXDIM];
    bool empty = k > x.ndim || x.ndim == 0;
    for (int d = 0; d < x.ndim && !empty; d++) {
        int om = d < k ? ex_sub_omitted(e, d) : EX_SUB_NO_LOWER | EX_SUB_NO_UPPER;
        int64_t lb = x.lbs[d], ub = lb + x.dims[d] - 1;
        int64_t f = (om & EX_SUB_NO_LOWER) ? lb : lo[d].u.i, t = (om & EX_SUB_NO_UPPER) ? ub : hi[d].u.i;
        if (f < lb) f = lb;
        if (t > ub) t = ub;
        if (f > t)
            empty = true;
        from[d] = f - lb;
        res.dims[d] = (int)(t - f + 1);
        res.lbs[d] = 1;
    }
    if (empty) {
        *out = sql_array_encode(a, x.elem, 1, 0, NULL);
        return RDB_OK;
    }
    int64_t n = 1;
    for (int d = 0; d < res.ndim; d++)
        n *= res.dims[d];
    res.n = (int)n;
    res.v = rdb_arena_alloc(a, sizeof(sql_value_t) * (size_t)n);
    int idx[SQL_ARRAY_MAXDIM] = { 0 };
    for (int64_t j = 0; j < n; j++) {
        int64_t off = 0;
        for (int d = 0; d < res.ndim; d++)
            off = off * x.dims[d] + from[d] + idx[d];
        res.v[j] = x.v[off];
        for (int d = res.ndim - 1; d >= 0 && ++idx[d] == res.dims[d]; d--)
            idx[d] = 0;
    }
    *out = sql_array_encode_like(a, &res);
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
