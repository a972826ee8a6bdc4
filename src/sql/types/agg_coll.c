/*
 * agg_coll.c — the aggregates that collect their inputs: array_agg,
 * json_agg / jsonb_agg and json_object_agg / jsonb_object_agg.
 *
 * The state keeps every input value (copied into the state's arena);
 * final builds the result and leaves the state intact (window frames call
 * it again).  NULL inputs are kept: they are NULL elements or JSON nulls.
 * Partial states serialize as the count and the key encodings of the
 * values, so any type round-trips exactly.
 */
#include <string.h>
#include <strings.h>

#include "sql/array.h"
#include "sql/types/types_int.h"

typedef enum { C_ARRAY, C_JSON, C_JSONB, C_JSON_OBJ, C_JSONB_OBJ,
               C_ARRAY_ARR /* array_agg(anyarray): one more dimension */ } coll_kind_t;

static const struct { const char *name; coll_kind_t k; int nargs; } coll_names[] = {
    { "array_agg", C_ARRAY, 1 }, { "json_agg", C_JSON, 1 }, { "jsonb_agg", C_JSONB, 1 },
    { "json_object_agg", C_JSON_OBJ, 2 }, { "jsonb_object_agg", C_JSONB_OBJ, 2 },
};

typedef struct {
    rdb_arena_t *a;
    coll_kind_t  kind;
    int          w;        /* values per input: 1, or 2 for the object aggregates */
    sql_type_t   t[2];
    int64_t      n;
    /* the first COLL_CHUNK inputs in a vector that doubles (most groups are
     * small), the rest in chunks of COLL_CHUNK, so nothing large is copied */
    sql_value_t *first;
    int64_t      capfirst;
    sql_value_t **chunk;
    int64_t      nchunk, capchunk;
} coll_t;

#define COLL_CHUNK 1024

static sql_value_t *coll_at(const coll_t *s, int64_t i)
{
    if (i < COLL_CHUNK)
        return &s->first[i * s->w];
    i -= COLL_CHUNK;
    return &s->chunk[i / COLL_CHUNK][(i % COLL_CHUNK) * s->w];
}

bool sqlt_coll_agg_name(const char *name)
{
    for (size_t i = 0; i < sizeof coll_names / sizeof coll_names[0]; i++)
        if (strcasecmp(coll_names[i].name, name) == 0)
            return true;
    return false;
}

static void *coll_init(rdb_arena_t *a, const sql_resolved_agg_t *agg)
{
    coll_t *s = rdb_arena_calloc(a, sizeof *s);
    s->a = a;
    s->kind = (coll_kind_t)(intptr_t)agg->extra;
    s->w = agg->nargs;
    s->t[0] = agg->argtypes[0];
    s->t[1] = agg->nargs > 1 ? agg->argtypes[1] : agg->argtypes[0];
    return s;
}

static void coll_push(coll_t *s, const sql_value_t *vals)
{
    if (s->n < COLL_CHUNK && s->n == s->capfirst) {
        int64_t cap = s->capfirst ? s->capfirst * 2 : 8;
        s->first = rdb_arena_grow(s->a, s->first, (size_t)(s->n * s->w), (size_t)(cap * s->w), sizeof(sql_value_t));
        s->capfirst = cap;
    } else if (s->n >= COLL_CHUNK && (s->n - COLL_CHUNK) % COLL_CHUNK == 0) {
        if (s->nchunk == s->capchunk) {
            s->capchunk = s->capchunk ? s->capchunk * 2 : 8;
            s->chunk = rdb_arena_grow(s->a, s->chunk, (size_t)s->nchunk, (size_t)s->capchunk, sizeof *s->chunk);
        }
        s->chunk[s->nchunk++] = rdb_arena_alloc(s->a, sizeof(sql_value_t) * (size_t)s->w * COLL_CHUNK);
    }
    sql_value_t *d = coll_at(s, s->n);
    for (int k = 0; k < s->w; k++)
        d[k] = sql_value_copy(s->a, s->t[k], vals[k]);
    s->n++;
}

static rdb_status_t coll_trans(sql_fn_ctx_t *ctx, void *st, const sql_value_t *args, rdb_err_t *err)
{
    (void)ctx;
    coll_t *s = st;
    if (s->w == 2 && args[0].isnull)
        return rdb_err_set(err, RDB_SQL, "22023", "field name must not be null");
    if (s->kind == C_ARRAY_ARR && args[0].isnull)
        return rdb_err_set(err, RDB_SQL, "22004", "cannot accumulate null arrays");
    if (s->kind == C_ARRAY_ARR && sql_array_count(&args[0]) == 0)   /* as PG: only a first input */
        return rdb_err_set(err, RDB_SQL, "2202E", s->n ? "cannot accumulate arrays of different dimensionality"
                                                       : "cannot accumulate empty arrays");
    coll_push(s, args);
    return RDB_OK;
}

static rdb_status_t coll_combine(sql_fn_ctx_t *ctx, void *st, const void *other, rdb_err_t *err)
{
    (void)ctx;
    (void)err;
    coll_t *s = st;
    const coll_t *o = other;
    for (int64_t i = 0; i < o->n; i++)
        coll_push(s, coll_at(o, i));
    return RDB_OK;
}

/* array_agg(anyarray): the inputs (none NULL or empty) stacked along a new
 * first dimension; all must have the first one's extents, as PG's
 * accumArrayResultArr. */
static rdb_status_t final_arrays(sql_fn_ctx_t *ctx, coll_t *s, sql_value_t *res, rdb_err_t *err)
{
    sql_array_t r = { .elem = sql_array_elem_type(s->t[0]) };
    int64_t total = 0;
    sql_value_t *all = NULL;
    for (int64_t i = 0; i < s->n; i++) {
        sql_array_t x;
        if (sql_array_decode(ctx->arena, s->t[0], coll_at(s, i), &x, err) != RDB_OK)
            return RDB_CORRUPTION;
        if (i == 0) {
            if (x.ndim + 1 > SQL_ARRAY_MAXDIM)
                return rdb_err_set(err, RDB_SQL, "54000", "number of array dimensions (%d) exceeds the "
                                   "maximum allowed (%d)", x.ndim + 1, SQL_ARRAY_MAXDIM);
            if ((int64_t)x.n * s->n > SQL_ARRAY_MAX_ELEMS)
                return rdb_err_set(err, RDB_SQL, "54000", "array size exceeds the maximum allowed (%d)",
                                   SQL_ARRAY_MAX_ELEMS);
            r.ndim = x.ndim + 1;
            memcpy(r.dims + 1, x.dims, sizeof(int) * (size_t)x.ndim);
            memcpy(r.lbs + 1, x.lbs, sizeof(int32_t) * (size_t)x.ndim);
            all = rdb_arena_alloc(ctx->arena, sizeof(sql_value_t) * (size_t)(x.n * s->n));
        } else if (x.ndim + 1 != r.ndim || memcmp(r.dims + 1, x.dims, sizeof(int) * (size_t)x.ndim) != 0) {
            return rdb_err_set(err, RDB_SQL, "2202E", "cannot accumulate arrays of different dimensionality");
        }
        memcpy(all + total, x.v, sizeof(sql_value_t) * (size_t)x.n);
        total += x.n;
    }
    r.dims[0] = (int)s->n;
    r.lbs[0] = 1;
    r.n = (int)total;
    r.v = all;
    *res = sql_array_encode_like(ctx->arena, &r);
    return RDB_OK;
}

static rdb_status_t coll_final(sql_fn_ctx_t *ctx, void *st, sql_value_t *res, rdb_err_t *err)
{
    coll_t *s = st;
    if (s->n == 0) {
        *res = sql_null();
        return RDB_OK;
    }
    if (s->kind == C_ARRAY_ARR)
        return final_arrays(ctx, s, res, err);
    if (s->kind == C_ARRAY) {
        if (s->n > SQL_ARRAY_MAX_ELEMS)
            return rdb_err_set(err, RDB_SQL, "54000", "array size exceeds the maximum allowed (%d)",
                               SQL_ARRAY_MAX_ELEMS);
        sql_value_t *all = s->first;
        if (s->n > COLL_CHUNK) {
            all = rdb_arena_alloc(ctx->arena, sizeof(sql_value_t) * (size_t)s->n);
            memcpy(all, s->first, sizeof(sql_value_t) * COLL_CHUNK);
            for (int64_t c = 0; c < s->nchunk; c++) {
                int64_t left = s->n - COLL_CHUNK - c * COLL_CHUNK;
                memcpy(all + COLL_CHUNK + c * COLL_CHUNK, s->chunk[c],
                       sizeof(sql_value_t) * (size_t)(left < COLL_CHUNK ? left : COLL_CHUNK));
            }
        }
        *res = sql_array_encode(ctx->arena, s->t[0], 1, (int)s->n, all);
        return RDB_OK;
    }
    bool obj = s->kind == C_JSON_OBJ || s->kind == C_JSONB_OBJ;
    rdb_buf_t b = RDB_BUF_INIT;
    rdb_buf_append_str(&b, obj ? "{ " : "[");
    for (int64_t i = 0; i < s->n; i++) {
        if (i)
            rdb_buf_append_str(&b, ", ");
        const sql_value_t *v = coll_at(s, i);
        if (obj) {
            sqlt_json_key(ctx->settings, s->t[0], &v[0], &b);
            rdb_buf_append_str(&b, " : ");
            sqlt_json_from_value(ctx->settings, s->t[1], &v[1], &b);
        } else {
            sqlt_json_from_value(ctx->settings, s->t[0], &v[0], &b);
        }
    }
    rdb_buf_append_str(&b, obj ? " }" : "]");
    rdb_status_t rc = RDB_OK;
    if (s->kind == C_JSONB || s->kind == C_JSONB_OBJ)
        rc = sqlt_json_in(ctx->arena, SQL_OID_JSONB, b.data, b.len, res, err);
    else
        *res = sql_bytes(rdb_arena_memdup(ctx->arena, b.data, b.len), (uint32_t)b.len);
    rdb_buf_free(&b);
    return rc;
}

static void coll_serialize(const void *st, rdb_buf_t *out)
{
    const coll_t *s = st;
    rdb_buf_append_u64_be(out, (uint64_t)s->n);
    for (int64_t i = 0; i < s->n; i++)
        for (int k = 0; k < s->w; k++)
            sql_key_encode(out, s->t[k], &coll_at(s, i)[k], false);
}

static rdb_status_t coll_deserialize(rdb_arena_t *a, const sql_resolved_agg_t *agg, const char *p,
                                     size_t len, void **out, rdb_err_t *err)
{
    coll_t *s = coll_init(a, agg);
    const char *e = p + len;
    if (len < 8)
        goto bad;
    uint64_t n = 0;
    for (int i = 0; i < 8; i++)
        n = n << 8 | (unsigned char)p[i];
    p += 8;
    if (n > len)
        goto bad;
    for (uint64_t i = 0; i < n; i++) {
        sql_value_t v[2];
        for (int k = 0; k < s->w; k++)
            if (sql_key_decode(a, s->t[k], false, &p, e, &v[k], err) != RDB_OK)
                goto bad;
        coll_push(s, v);
    }
    if (p != e)
        goto bad;
    *out = s;
    return RDB_OK;
bad:
    rdb_err_clear(err);
    return rdb_err_set(err, RDB_PROTOCOL, "08P01", "malformed partial aggregate state");
}

/* RDB_NOTFOUND: not one of these aggregates. */
rdb_status_t sqlt_coll_agg_resolve(const char *name, int nargs, const sql_type_t *argtypes,
                                   sql_resolved_agg_t *out, rdb_err_t *err)
{
    int k = -1;
    for (size_t i = 0; i < sizeof coll_names / sizeof coll_names[0] && k < 0; i++)
        if (strcasecmp(coll_names[i].name, name) == 0)
            k = (int)i;
    if (k < 0)
        return RDB_NOTFOUND;
    if (nargs != coll_names[k].nargs)
        return RDB_NOTFOUND;
    memset(out, 0, sizeof *out);
    out->name = coll_names[k].name;
    out->nargs = nargs;
    for (int i = 0; i < nargs; i++)
        out->argtypes[i] = argtypes[i].oid == SQL_OID_UNKNOWN ? (sql_type_t){ SQL_OID_TEXT, -1 } : argtypes[i];
    switch (coll_names[k].k) {
    case C_ARRAY: {
        if (sql_type_is_array(out->argtypes[0].oid)) {
            out->rettype = out->argtypes[0];
            break;
        }
        uint32_t ao = sql_array_oid_of(out->argtypes[0].oid);
        if (!ao)
            return rdb_err_set(err, RDB_SQL, "42704", "could not find array type for data type %s",
                               sqlt_sql_name(out->argtypes[0].oid));
        out->rettype = (sql_type_t){ ao, out->argtypes[0].typmod };
        break;
    }
    case C_JSON: case C_JSON_OBJ: out->rettype = (sql_type_t){ SQL_OID_JSON, -1 }; break;
    default: out->rettype = (sql_type_t){ SQL_OID_JSONB, -1 }; break;
    }
    out->strict = false;
    out->init = coll_init;
    out->trans = coll_trans;
    out->combine = coll_combine;
    out->final = coll_final;
    out->serialize = coll_serialize;
    out->deserialize = coll_deserialize;
    out->extra = (const void *)(intptr_t)coll_names[k].k;
    if (coll_names[k].k == C_ARRAY && sql_type_is_array(out->argtypes[0].oid))
        out->extra = (const void *)(intptr_t)C_ARRAY_ARR;
    return RDB_OK;
}
