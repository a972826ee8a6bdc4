/*
 * array_fn.c — the array functions and operators (PostgreSQL's
 * array_append, array_cat, ||, @>, <@, &&, comparisons, array_length,
 * array_position, array_to_string, string_to_array, ...) and the
 * resolution of their polymorphic arguments (anyarray, anycompatible,
 * anycompatiblearray: the element types of every polymorphic input must
 * have a common type, as PostgreSQL's enforce_generic_type_consistency
 * checks for the anycompatible family).
 */
#include <string.h>

#include "sql/array.h"
#include "sql/types/types_int.h"

#define AA SQL_OID_ANYARRAY
#define AC SQL_OID_ANYCOMPAT
#define ACA SQL_OID_ANYCOMPATARRAY
#define I4 SQL_OID_INT4
#define TX SQL_OID_TEXT
#define BO SQL_OID_BOOL

static bool is_arr_poly(uint32_t o) { return o == AA || o == ACA; }
static bool is_elem_poly(uint32_t o) { return o == AC; }

bool sqlt_fdef_anycompat(const fdef_t *d)
{
    for (int i = 0; i < d->nargs; i++)
        if (is_arr_poly(d->args[i]) || is_elem_poly(d->args[i]))
            return true;
    return false;
}

bool sqlt_anycompat_match(const fdef_t *d, int nargs, const sql_type_t *at, sql_type_t *rt,
                          sql_type_t *ret, int *exact)
{
    sql_type_t elems[SQL_MAX_FN_ARGS];
    int ne = 0;
    for (int k = 0; k < nargs && k < SQL_MAX_FN_ARGS; k++) {
        uint32_t want = d->args[k < d->nargs ? k : d->nargs - 1];
        if (at[k].oid == SQL_OID_UNKNOWN)
            continue;
        if (is_arr_poly(want)) {
            if (!sql_type_is_array(at[k].oid))
                return false;
            elems[ne++] = (sql_type_t){ sql_array_elem_oid(at[k].oid), -1 };
        } else if (is_elem_poly(want)) {
            elems[ne++] = (sql_type_t){ at[k].oid, -1 };
        }
    }
    if (ne == 0)
        return false;
    sql_type_t common;
    rdb_err_t e = RDB_ERR_INIT;
    if (sql_type_common(ne, elems, "", &common, &e) != RDB_OK) {
        rdb_err_clear(&e);
        return false;
    }
    for (int i = 0; i < ne; i++)
        if (!sql_type_can_coerce(elems[i], common, SQL_CAST_IMPLICIT))
            return false;
    uint32_t arr = sql_array_oid_of(common.oid);
    if (!arr)
        return false;
    *exact = 0;
    for (int k = 0; k < nargs && k < SQL_MAX_FN_ARGS; k++) {
        uint32_t want = d->args[k < d->nargs ? k : d->nargs - 1];
        if (is_arr_poly(want))
            rt[k] = (sql_type_t){ arr, -1 };
        else if (is_elem_poly(want))
            rt[k] = (sql_type_t){ common.oid, -1 };
        else {
            if (at[k].oid != want && at[k].oid != SQL_OID_UNKNOWN &&
                !sql_type_can_coerce(at[k], (sql_type_t){ want, -1 }, SQL_CAST_IMPLICIT))
                return false;
            rt[k] = (sql_type_t){ want, -1 };
        }
        /* as in PG, a polymorphic parameter never counts as an exact match */
        if (!is_arr_poly(want) && !is_elem_poly(want) && at[k].oid == rt[k].oid)
            (*exact)++;
    }
    *ret = (sql_type_t){ is_arr_poly(d->ret) ? arr : is_elem_poly(d->ret) ? common.oid : d->ret, -1 };
    return true;
}

/* ---- bodies ------------------------------------------------------------ */

#define FN(name) static rdb_status_t name(sql_fn_ctx_t *ctx, int nargs, const sql_value_t *args, \
    const sql_type_t *argtypes, sql_type_t rettype, sql_value_t *res, rdb_err_t *err)

static rdb_status_t dec(sql_fn_ctx_t *ctx, sql_type_t t, const sql_value_t *v, sql_array_t *x,
                        rdb_err_t *err)
{
    return sql_array_decode(ctx->arena, t, v, x, err);
}

static bool elem_eq(sql_type_t t, const sql_value_t *a, const sql_value_t *b)
{
    if (a->isnull || b->isnull)
        return a->isnull && b->isnull;
    return sql_value_cmp(t, a, b) == 0;
}

static rdb_status_t concat(sql_fn_ctx_t *ctx, sql_type_t rt, const sql_array_t *x, int nx,
                           const sql_array_t *y, int ny, int32_t lb, sql_value_t *res)
{
    int n = nx + ny;
    sql_value_t *v = rdb_arena_alloc(ctx->arena, sizeof(sql_value_t) * (size_t)(n ? n : 1));
    if (nx) memcpy(v, x->v, sizeof(sql_value_t) * (size_t)nx);
    if (ny) memcpy(v + nx, y->v, sizeof(sql_value_t) * (size_t)ny);
    *res = sql_array_encode(ctx->arena, sql_array_elem_type(rt), n ? lb : 1, n, v);
    return RDB_OK;
}

FN(f_array_cat)
{
    (void)nargs;
    if (args[0].isnull && args[1].isnull) { *res = sql_null(); return RDB_OK; }
    if (args[0].isnull) { *res = args[1]; return RDB_OK; }
    if (args[1].isnull) { *res = args[0]; return RDB_OK; }
    sql_array_t x, y;
    if (dec(ctx, argtypes[0], &args[0], &x, err) || dec(ctx, argtypes[1], &args[1], &y, err))
        return RDB_CORRUPTION;
    if (x.ndim <= 1 && y.ndim <= 1)
        return concat(ctx, rettype, &x, x.n, &y, y.n, x.n ? x.lbound : y.lbound, res);
    if (x.ndim == 0) { *res = args[1]; return RDB_OK; }
    if (y.ndim == 0) { *res = args[0]; return RDB_OK; }
    /* PG's array_cat: equal ranks join along the first dimension; a rank
     * one lower is an element of the other, prepended or appended */
    const sql_array_t *big = x.ndim >= y.ndim ? &x : &y, *small = big == &x ? &y : &x;
    int off = big->ndim - small->ndim;
    if (off > 1) {
        rdb_err_set(err, RDB_SQL, "2202E", "cannot concatenate incompatible arrays");
        rdb_err_detail(err, "Arrays of %d and %d dimensions are not compatible for concatenation.",
                       x.ndim, y.ndim);
        return RDB_SQL;
    }
    for (int d = off ? 0 : 1; d < small->ndim; d++)
        if (small->dims[d] != big->dims[d + off] || (!off && small->lbs[d] != big->lbs[d])) {
            rdb_err_set(err, RDB_SQL, "2202E", "cannot concatenate incompatible arrays");
            rdb_err_detail(err, off ? "Arrays with differing dimensions are not compatible for concatenation."
                                    : "Arrays with differing element dimensions are not compatible for concatenation.");
            return RDB_SQL;
        }
    sql_array_t r = *big;
    r.dims[0] += off ? 1 : small->dims[0];
    if (!off) memcpy(r.lbs, x.lbs, sizeof r.lbs);
    if ((int64_t)x.n + y.n > SQL_ARRAY_MAX_ELEMS)
        return rdb_err_set(err, RDB_SQL, "54000", "array size exceeds the maximum allowed (%d)",
                           SQL_ARRAY_MAX_ELEMS);
    r.n = x.n + y.n;
    r.v = rdb_arena_alloc(ctx->arena, sizeof(sql_value_t) * (size_t)r.n);
    memcpy(r.v, x.v, sizeof(sql_value_t) * (size_t)x.n);
    memcpy(r.v + x.n, y.v, sizeof(sql_value_t) * (size_t)y.n);
    r.elem = sql_array_elem_type(rettype);
    *res = sql_array_encode_like(ctx->arena, &r);
    return RDB_OK;
}

static rdb_status_t need_1d(const sql_array_t *x, rdb_err_t *err)
{
    if (x->ndim <= 1)
        return RDB_OK;
    return rdb_err_set(err, RDB_SQL, "22000", "argument must be empty or one-dimensional array");
}

FN(f_array_append)
{
    (void)nargs;
    sql_array_t x = { .n = 0, .lbound = 1 }, y = { .n = 1, .v = (sql_value_t *)&args[1] };
    if (!args[0].isnull && dec(ctx, argtypes[0], &args[0], &x, err))
        return RDB_CORRUPTION;
    if (need_1d(&x, err))
        return RDB_SQL;
    return concat(ctx, rettype, &x, x.n, &y, 1, x.n ? x.lbound : 1, res);
}

FN(f_array_prepend)
{
    (void)nargs;
    sql_array_t x = { .n = 1, .v = (sql_value_t *)&args[0] }, y = { .n = 0, .lbound = 1 };
    if (!args[1].isnull && dec(ctx, argtypes[1], &args[1], &y, err))
        return RDB_CORRUPTION;
    if (need_1d(&y, err))
        return RDB_SQL;
    return concat(ctx, rettype, &x, 1, &y, y.n, 1, res);
}

static int arr_cmp_args(const sql_type_t *argtypes, const sql_value_t *args)
{
    return sql_value_cmp(argtypes[0], &args[0], &args[1]);
}
FN(f_arr_eq) { (void)ctx; (void)nargs; (void)rettype; (void)err; *res = sql_bool(arr_cmp_args(argtypes, args) == 0); return RDB_OK; }
FN(f_arr_ne) { (void)ctx; (void)nargs; (void)rettype; (void)err; *res = sql_bool(arr_cmp_args(argtypes, args) != 0); return RDB_OK; }
FN(f_arr_lt) { (void)ctx; (void)nargs; (void)rettype; (void)err; *res = sql_bool(arr_cmp_args(argtypes, args) < 0); return RDB_OK; }
FN(f_arr_le) { (void)ctx; (void)nargs; (void)rettype; (void)err; *res = sql_bool(arr_cmp_args(argtypes, args) <= 0); return RDB_OK; }
FN(f_arr_gt) { (void)ctx; (void)nargs; (void)rettype; (void)err; *res = sql_bool(arr_cmp_args(argtypes, args) > 0); return RDB_OK; }
FN(f_arr_ge) { (void)ctx; (void)nargs; (void)rettype; (void)err; *res = sql_bool(arr_cmp_args(argtypes, args) >= 0); return RDB_OK; }

/* Does every non-NULL element of y occur in x?  (NULLs never match, as
 * in PostgreSQL's array_contain_compare.)  any: does some element of y? */
static rdb_status_t contains(sql_fn_ctx_t *ctx, const sql_type_t *argtypes, const sql_value_t *args,
                             int xi, bool any, bool *out, rdb_err_t *err)
{
    sql_array_t x, y;
    if (dec(ctx, argtypes[xi], &args[xi], &x, err) || dec(ctx, argtypes[1 - xi], &args[1 - xi], &y, err))
        return RDB_CORRUPTION;
    for (int j = 0; j < y.n; j++) {
        bool found = false;
        for (int i = 0; i < x.n && !found && !y.v[j].isnull; i++)
            found = !x.v[i].isnull && sql_value_cmp(x.elem, &x.v[i], &y.v[j]) == 0;
        if (any && found) { *out = true; return RDB_OK; }
        if (!any && !found) { *out = false; return RDB_OK; }
    }
    *out = !any;
    return RDB_OK;
}
FN(f_arr_contains) { (void)nargs; (void)rettype; bool b; if (contains(ctx, argtypes, args, 0, false, &b, err)) return RDB_SQL; *res = sql_bool(b); return RDB_OK; }
FN(f_arr_contained) { (void)nargs; (void)rettype; bool b; if (contains(ctx, argtypes, args, 1, false, &b, err)) return RDB_SQL; *res = sql_bool(b); return RDB_OK; }
FN(f_arr_overlap) { (void)nargs; (void)rettype; bool b; if (contains(ctx, argtypes, args, 0, true, &b, err)) return RDB_SQL; *res = sql_bool(b); return RDB_OK; }

/* The extent / lower bound of dimension args[1] (counted from 1), false
 * when the array has no such dimension. */
static bool dim_of(const sql_value_t *args, int *dim, int32_t *lb)
{
    int dims[SQL_ARRAY_MAXDIM];
    int32_t lbs[SQL_ARRAY_MAXDIM];
    int ndim = sql_array_shape(&args[0], dims, lbs);
    if (args[1].u.i < 1 || args[1].u.i > ndim)
        return false;
    *dim = dims[args[1].u.i - 1];
    *lb = lbs[args[1].u.i - 1];
    return true;
}

FN(f_array_length)
{
    (void)ctx; (void)nargs; (void)argtypes; (void)rettype; (void)err;
    int d;
    int32_t lb;
    *res = dim_of(args, &d, &lb) ? sql_int(d) : sql_null();
    return RDB_OK;
}
FN(f_cardinality) { (void)ctx; (void)nargs; (void)argtypes; (void)rettype; (void)err; *res = sql_int(sql_array_count(&args[0])); return RDB_OK; }
FN(f_array_ndims)
{
    (void)ctx; (void)nargs; (void)argtypes; (void)rettype; (void)err;
    int ndim = sql_array_shape(&args[0], NULL, NULL);
    *res = ndim ? sql_int(ndim) : sql_null();
    return RDB_OK;
}
FN(f_array_lower)
{
    (void)ctx; (void)nargs; (void)argtypes; (void)rettype; (void)err;
    int d;
    int32_t lb;
    *res = dim_of(args, &d, &lb) ? sql_int(lb) : sql_null();
    return RDB_OK;
}
FN(f_array_upper)
{
    (void)ctx; (void)nargs; (void)argtypes; (void)rettype; (void)err;
    int d;
    int32_t lb;
    *res = dim_of(args, &d, &lb) ? sql_int((int64_t)lb + d - 1) : sql_null();
    return RDB_OK;
}
FN(f_array_dims)
{
    (void)nargs; (void)argtypes; (void)rettype; (void)err;
    int dims[SQL_ARRAY_MAXDIM];
    int32_t lbs[SQL_ARRAY_MAXDIM];
    int ndim = sql_array_shape(&args[0], dims, lbs);
    if (!ndim) { *res = sql_null(); return RDB_OK; }
    rdb_buf_t b = RDB_BUF_INIT;
    for (int d = 0; d < ndim; d++)
        rdb_buf_printf(&b, "[%d:%d]", lbs[d], (int)((int64_t)lbs[d] + dims[d] - 1));
    *res = sql_bytes(rdb_arena_memdup(ctx->arena, b.data, b.len), (uint32_t)b.len);
    rdb_buf_free(&b);
    return RDB_OK;
}

FN(f_array_position)
{
    (void)rettype;
    if (args[0].isnull) { *res = sql_null(); return RDB_OK; }
    sql_array_t x;
    if (dec(ctx, argtypes[0], &args[0], &x, err))
        return RDB_CORRUPTION;
    if (x.ndim > 1)
        return rdb_err_set(err, RDB_SQL, "0A000", "searching for elements in multidimensional arrays is not supported");
    /* PG's order: an empty array, or a NULL sought where there is none, is NULL first */
    bool hasnull = false;
    for (int i = 0; i < x.n; i++)
        hasnull |= x.v[i].isnull;
    if (x.n == 0 || (args[1].isnull && !hasnull)) { *res = sql_null(); return RDB_OK; }
    int start = 0;
    if (nargs > 2) {
        if (args[2].isnull)
            return rdb_err_set(err, RDB_SQL, "22004", "initial position must not be null");
        start = (int)(args[2].u.i - x.lbound);
        if (start < 0) start = 0;
    }
    for (int i = start; i < x.n; i++)
        if (elem_eq(x.elem, &x.v[i], &args[1])) { *res = sql_int(x.lbound + i); return RDB_OK; }
    *res = sql_null();
    return RDB_OK;
}

FN(f_array_positions)
{
    (void)nargs; (void)rettype;
    if (args[0].isnull) { *res = sql_null(); return RDB_OK; }
    sql_array_t x;
    if (dec(ctx, argtypes[0], &args[0], &x, err))
        return RDB_CORRUPTION;
    if (x.ndim > 1)
        return rdb_err_set(err, RDB_SQL, "0A000", "searching for elements in multidimensional arrays is not supported");
    sql_value_t *v = rdb_arena_alloc(ctx->arena, sizeof(sql_value_t) * (size_t)(x.n ? x.n : 1));
    int n = 0;
    for (int i = 0; i < x.n; i++)
        if (elem_eq(x.elem, &x.v[i], &args[1]))
            v[n++] = sql_int(x.lbound + i);
    *res = sql_array_encode(ctx->arena, (sql_type_t){ I4, -1 }, 1, n, v);
    return RDB_OK;
}

FN(f_array_remove)
{
    (void)nargs; (void)rettype;
    if (args[0].isnull) { *res = sql_null(); return RDB_OK; }
    sql_array_t x;
    if (dec(ctx, argtypes[0], &args[0], &x, err))
        return RDB_CORRUPTION;
    if (x.ndim > 1)
        return rdb_err_set(err, RDB_SQL, "0A000", "removing elements from multidimensional arrays is not supported");
    int n = 0;
    for (int i = 0; i < x.n; i++)
        if (!elem_eq(x.elem, &x.v[i], &args[1]))
            x.v[n++] = x.v[i];
    *res = n == x.n ? args[0] : sql_array_encode(ctx->arena, x.elem, 1, n, x.v);
    return RDB_OK;
}

FN(f_array_replace)
{
    (void)nargs; (void)rettype;
    if (args[0].isnull) { *res = sql_null(); return RDB_OK; }
    sql_array_t x;
    if (dec(ctx, argtypes[0], &args[0], &x, err))
        return RDB_CORRUPTION;
    for (int i = 0; i < x.n; i++)
        if (elem_eq(x.elem, &x.v[i], &args[1]))
            x.v[i] = args[2];
    *res = sql_array_encode_like(ctx->arena, &x);
    return RDB_OK;
}

FN(f_array_to_string)
{
    (void)rettype;
    if (args[0].isnull || args[1].isnull) { *res = sql_null(); return RDB_OK; }
    sql_array_t x;
    if (dec(ctx, argtypes[0], &args[0], &x, err))
        return RDB_CORRUPTION;
    bool usenull = nargs > 2 && !args[2].isnull;
    rdb_buf_t b = RDB_BUF_INIT;
    bool first = true;
    for (int i = 0; i < x.n; i++) {
        if (x.v[i].isnull && !usenull)
            continue;
        if (!first)
            rdb_buf_append(&b, args[1].u.v.ptr, args[1].u.v.len);
        first = false;
        if (x.v[i].isnull)
            rdb_buf_append(&b, args[2].u.v.ptr, args[2].u.v.len);
        else
            sql_value_out(ctx->settings, x.elem, &x.v[i], &b);
    }
    *res = sql_bytes(b.len ? rdb_arena_memdup(ctx->arena, b.data, b.len) : "", (uint32_t)b.len);
    rdb_buf_free(&b);
    return RDB_OK;
}

FN(f_string_to_array)
{
    (void)argtypes; (void)rettype; (void)err;
    if (args[0].isnull) { *res = sql_null(); return RDB_OK; }
    const char *s = args[0].u.v.ptr;
    size_t len = args[0].u.v.len;
    sql_type_t tt = { TX, -1 };
    if (len == 0) { *res = sql_array_encode(ctx->arena, tt, 1, 0, NULL); return RDB_OK; }
    sql_value_t *v = rdb_arena_alloc(ctx->arena, sizeof(sql_value_t) * (len + 1));
    int n = 0;
    if (args[1].isnull) {           /* each character */
        for (size_t i = 0; i < len;) {
            size_t k = i + 1;
            while (k < len && ((unsigned char)s[k] & 0xC0) == 0x80) k++;
            v[n++] = sql_bytes(s + i, (uint32_t)(k - i));
            i = k;
        }
    } else if (args[1].u.v.len == 0) {
        v[n++] = args[0];
    } else {
        const char *d = args[1].u.v.ptr;
        size_t dl = args[1].u.v.len, i = 0;
        for (;;) {
            const char *f = memmem(s + i, len - i, d, dl);
            size_t e = f ? (size_t)(f - s) : len;
            v[n++] = sql_bytes(s + i, (uint32_t)(e - i));
            if (!f) break;
            i = e + dl;
        }
    }
    if (nargs > 2 && !args[2].isnull)
        for (int i = 0; i < n; i++)
            if (v[i].u.v.len == args[2].u.v.len && memcmp(v[i].u.v.ptr, args[2].u.v.ptr, v[i].u.v.len) == 0)
                v[i] = sql_null();
    *res = sql_array_encode(ctx->arena, tt, 1, n, v);
    return RDB_OK;
}

/* array_fill's dimension or lower-bound array: one-dimensional (its
 * own lower bound does not matter in PostgreSQL 15), no NULL. */
static rdb_status_t fill_dims_ok(const sql_array_t *d, rdb_err_t *err)
{
    if (d->ndim > 1) {
        rdb_err_set(err, RDB_SQL, "2202E", "wrong number of array subscripts");
        rdb_err_detail(err, "Dimension array must be one dimensional.");
        return RDB_SQL;
    }
    for (int i = 0; i < d->n; i++)
        if (d->v[i].isnull)
            return rdb_err_set(err, RDB_SQL, "22004", "dimension values cannot be null");
    return RDB_OK;
}

/* array_fill(value, dims int[] [, lbounds int[]]): an array of
 * len(dims) dimensions (0 to 6) of extents dims, lower bounds lbounds
 * (default 1), every element value. */
FN(f_array_fill)
{
    (void)rettype;
    if (args[1].isnull || (nargs > 2 && args[2].isnull))
        return rdb_err_set(err, RDB_SQL, "22004", "dimension array or low bound array cannot be null");
    sql_array_t d, l = { .n = 0 };
    if (dec(ctx, argtypes[1], &args[1], &d, err) || (nargs > 2 && dec(ctx, argtypes[2], &args[2], &l, err)))
        return RDB_CORRUPTION;
    if (fill_dims_ok(&d, err) != RDB_OK)
        return RDB_SQL;
    if (d.n > SQL_ARRAY_MAXDIM)
        return rdb_err_set(err, RDB_SQL, "54000", "number of array dimensions (%d) exceeds the maximum allowed (%d)",
                           d.n, SQL_ARRAY_MAXDIM);
    if (nargs > 2) {
        if (fill_dims_ok(&l, err) != RDB_OK)
            return RDB_SQL;
        if (d.n != l.n) {
            rdb_err_set(err, RDB_SQL, "2202E", "wrong number of array subscripts");
            rdb_err_detail(err, "Low bound array has different size than dimensions array.");
            return RDB_SQL;
        }
    }
    int dims[SQL_ARRAY_MAXDIM];
    int32_t lbs[SQL_ARRAY_MAXDIM];
    int64_t n = 1;
    for (int i = 0; i < d.n; i++) {
        /* a negative extent: PostgreSQL's ArrayGetNItems */
        if (d.v[i].u.i < 0 || (n *= d.v[i].u.i) > SQL_ARRAY_MAX_ELEMS)
            return rdb_err_set(err, RDB_SQL, "54000", "array size exceeds the maximum allowed (%d)",
                               SQL_ARRAY_MAX_ELEMS);
        dims[i] = (int)d.v[i].u.i;
        lbs[i] = l.n ? (int32_t)l.v[i].u.i : 1;
        if ((int64_t)lbs[i] + dims[i] > INT32_MAX)
            return rdb_err_set(err, RDB_SQL, "54000", "array lower bound is too large: %d", lbs[i]);
    }
    sql_type_t et = sql_array_elem_type(rettype);
    if (d.n == 0 || n == 0) {
        *res = sql_array_encode(ctx->arena, et, 1, 0, NULL);
        return RDB_OK;
    }
    sql_value_t *v = rdb_arena_alloc(ctx->arena, sizeof(sql_value_t) * (size_t)n);
    for (int64_t i = 0; i < n; i++)
        v[i] = args[0];
    *res = sql_array_encode_md(ctx->arena, et, d.n, dims, lbs, v);
    return RDB_OK;
}

FN(f_trim_array)
{
    (void)nargs; (void)rettype;
    sql_array_t x;
    if (dec(ctx, argtypes[0], &args[0], &x, err))
        return RDB_CORRUPTION;
    if (args[1].u.i < 0 || args[1].u.i > x.n)
        return rdb_err_set(err, RDB_SQL, "2202E", "number of elements to trim must be between 0 and %d", x.n);
    *res = sql_array_encode(ctx->arena, x.elem, x.lbound, x.n - (int)args[1].u.i, x.v);
    return RDB_OK;
}

const fdef_t sqlt_array_ops[] = {
    { "||", 2, { ACA, ACA }, ACA, f_array_cat, F_NONSTRICT },
    { "||", 2, { ACA, AC }, ACA, f_array_append, F_NONSTRICT },
    { "||", 2, { AC, ACA }, ACA, f_array_prepend, F_NONSTRICT },
    { "=", 2, { AA, AA }, BO, f_arr_eq, 0 }, { "<>", 2, { AA, AA }, BO, f_arr_ne, 0 },
    { "<", 2, { AA, AA }, BO, f_arr_lt, 0 }, { "<=", 2, { AA, AA }, BO, f_arr_le, 0 },
    { ">", 2, { AA, AA }, BO, f_arr_gt, 0 }, { ">=", 2, { AA, AA }, BO, f_arr_ge, 0 },
    { "@>", 2, { AA, AA }, BO, f_arr_contains, 0 }, { "<@", 2, { AA, AA }, BO, f_arr_contained, 0 },
    { "&&", 2, { AA, AA }, BO, f_arr_overlap, 0 },
};
const size_t sqlt_array_nops = sizeof sqlt_array_ops / sizeof sqlt_array_ops[0];

const fdef_t sqlt_array_funcs[] = {
    { "array_cat", 2, { ACA, ACA }, ACA, f_array_cat, F_NONSTRICT },
    { "array_append", 2, { ACA, AC }, ACA, f_array_append, F_NONSTRICT },
    { "array_prepend", 2, { AC, ACA }, ACA, f_array_prepend, F_NONSTRICT },
    { "array_length", 2, { AA, I4 }, I4, f_array_length, 0 },
    { "cardinality", 1, { AA }, I4, f_cardinality, 0 },
    { "array_ndims", 1, { AA }, I4, f_array_ndims, 0 },
    { "array_lower", 2, { AA, I4 }, I4, f_array_lower, 0 },
    { "array_upper", 2, { AA, I4 }, I4, f_array_upper, 0 },
    { "array_dims", 1, { AA }, TX, f_array_dims, 0 },
    { "array_position", 2, { ACA, AC }, I4, f_array_position, F_NONSTRICT },
    { "array_position", 3, { ACA, AC, I4 }, I4, f_array_position, F_NONSTRICT },
    { "array_positions", 2, { ACA, AC }, SQL_OID_INT4_ARRAY, f_array_positions, F_NONSTRICT },
    { "array_remove", 2, { ACA, AC }, ACA, f_array_remove, F_NONSTRICT },
    { "array_replace", 3, { ACA, AC, AC }, ACA, f_array_replace, F_NONSTRICT },
    { "array_fill", 2, { AC, SQL_OID_INT4_ARRAY }, ACA, f_array_fill, F_NONSTRICT },
    { "array_fill", 3, { AC, SQL_OID_INT4_ARRAY, SQL_OID_INT4_ARRAY }, ACA, f_array_fill, F_NONSTRICT },
    { "trim_array", 2, { AA, I4 }, AA, f_trim_array, 0 },
    { "array_to_string", 2, { AA, TX }, TX, f_array_to_string, 0 },
    { "array_to_string", 3, { AA, TX, TX }, TX, f_array_to_string, F_NONSTRICT },
    { "string_to_array", 2, { TX, TX }, SQL_OID_TEXT_ARRAY, f_string_to_array, F_NONSTRICT },
    { "string_to_array", 3, { TX, TX, TX }, SQL_OID_TEXT_ARRAY, f_string_to_array, F_NONSTRICT },
};
const size_t sqlt_array_nfuncs = sizeof sqlt_array_funcs / sizeof sqlt_array_funcs[0];
