/*
 * cast.c — the cast matrix (PG's pg_cast contexts for the supported types),
 * cast application with typmod coercion, and select_common_type.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "sql/array.h"
#include "sql/types/types_int.h"

rdb_status_t sqlt_text_typmod(rdb_arena_t *a, uint32_t oid, int32_t typmod, bool explicit_,
                              sql_value_t *v, rdb_err_t *err);

static bool is_str(uint32_t o) { return o == SQL_OID_TEXT || o == SQL_OID_VARCHAR || o == SQL_OID_BPCHAR || o == SQL_OID_NAME; }
static bool is_int(uint32_t o) { return o == SQL_OID_INT2 || o == SQL_OID_INT4 || o == SQL_OID_INT8; }
static bool is_reg(uint32_t o)
{
    return o == SQL_OID_REGCLASS || o == SQL_OID_REGTYPE || o == SQL_OID_REGPROC ||
           o == SQL_OID_REGNAMESPACE || o == SQL_OID_REGROLE;
}
static int num_rank(uint32_t o)
{
    switch (o) {
    case SQL_OID_INT2: return 1; case SQL_OID_INT4: return 2; case SQL_OID_INT8: return 3;
    case SQL_OID_NUMERIC: return 4; case SQL_OID_FLOAT4: return 5; case SQL_OID_FLOAT8: return 6;
    default: return 0;
    }
}

/* The pg_cast context of from -> to, or -1 if no cast exists. */
static int cast_context(uint32_t from, uint32_t to)
{
    if (from == to) return SQL_CAST_IMPLICIT;
    if (from == SQL_OID_UNKNOWN) return SQL_CAST_IMPLICIT;
    int rf = num_rank(from), rt = num_rank(to);
    if (rf && rt) return rt > rf ? SQL_CAST_IMPLICIT : SQL_CAST_ASSIGNMENT;
    if ((from == SQL_OID_OID && is_int(to)) || (is_int(from) && to == SQL_OID_OID))
        return from == SQL_OID_OID ? SQL_CAST_ASSIGNMENT : SQL_CAST_IMPLICIT; /* as pg_cast */
    if (is_reg(from) && (to == SQL_OID_OID || is_int(to)))
        return to == SQL_OID_OID ? SQL_CAST_IMPLICIT : SQL_CAST_ASSIGNMENT;
    if (is_reg(to) && (from == SQL_OID_OID || is_int(from)))
        return SQL_CAST_IMPLICIT;
    if (is_str(from) && is_str(to)) {
        if (to == SQL_OID_TEXT || to == SQL_OID_VARCHAR || to == SQL_OID_BPCHAR) return SQL_CAST_IMPLICIT;
        return from == SQL_OID_TEXT || from == SQL_OID_VARCHAR || from == SQL_OID_BPCHAR ? SQL_CAST_IMPLICIT : SQL_CAST_ASSIGNMENT;
    }
    if (from == SQL_OID_BOOL && to == SQL_OID_INT4) return SQL_CAST_EXPLICIT;
    if (from == SQL_OID_INT4 && to == SQL_OID_BOOL) return SQL_CAST_EXPLICIT;
    if (from == SQL_OID_DATE && (to == SQL_OID_TIMESTAMP || to == SQL_OID_TIMESTAMPTZ)) return SQL_CAST_IMPLICIT;
    if (from == SQL_OID_TIMESTAMP && to == SQL_OID_TIMESTAMPTZ) return SQL_CAST_IMPLICIT;
    if (from == SQL_OID_TIMESTAMPTZ && to == SQL_OID_TIMESTAMP) return SQL_CAST_ASSIGNMENT;
    if ((from == SQL_OID_TIMESTAMP || from == SQL_OID_TIMESTAMPTZ) && (to == SQL_OID_DATE || to == SQL_OID_TIME))
        return SQL_CAST_ASSIGNMENT;
    if (from == SQL_OID_TIME && to == SQL_OID_INTERVAL) return SQL_CAST_IMPLICIT;
    if (from == SQL_OID_INTERVAL && to == SQL_OID_TIME) return SQL_CAST_ASSIGNMENT;
    if (from == SQL_OID_TIMESTAMPTZ && to == SQL_OID_TIMETZ) return SQL_CAST_ASSIGNMENT;
    if (from == SQL_OID_TIMETZ && to == SQL_OID_TIME) return SQL_CAST_ASSIGNMENT;
    if (from == SQL_OID_TIME && to == SQL_OID_TIMETZ) return SQL_CAST_IMPLICIT;
    if (from == SQL_OID_CIDR && to == SQL_OID_INET) return SQL_CAST_IMPLICIT;
    if (from == SQL_OID_INET && to == SQL_OID_CIDR) return SQL_CAST_ASSIGNMENT;
    if (from == SQL_OID_JSON && to == SQL_OID_JSONB) return SQL_CAST_ASSIGNMENT;
    if (from == SQL_OID_JSONB && to == SQL_OID_JSON) return SQL_CAST_ASSIGNMENT;
    if (from == SQL_OID_JSONB && (num_rank(to) || to == SQL_OID_BOOL)) return SQL_CAST_EXPLICIT;
    if (sqlt_kind(from) == K_ARRAY && sqlt_kind(to) == K_ARRAY) {
        uint32_t ef = sql_array_elem_oid(from), et = sql_array_elem_oid(to);
        return ef == et ? SQL_CAST_IMPLICIT : cast_context(ef, et);
    }
    if (sql_type_by_oid(from) && sql_type_by_oid(to)) {
        /* I/O conversion casts: to a string type is assignment, from one explicit */
        if (is_str(to)) return SQL_CAST_ASSIGNMENT;
        if (is_str(from) && sqlt_kind(to) != K_OTHER) return SQL_CAST_EXPLICIT;
    }
    return -1;
}

bool sql_type_can_coerce(sql_type_t from, sql_type_t to, sql_cast_context_t ctx)
{
    int c = cast_context(from.oid, to.oid);
    return c >= 0 && c <= (int)ctx;
}

static rdb_status_t cast_generic(sql_fn_ctx_t *ctx, int nargs, const sql_value_t *args,
                                 const sql_type_t *argtypes, sql_type_t to, sql_value_t *out,
                                 rdb_err_t *err);

static rdb_status_t cast_explicit(sql_fn_ctx_t *ctx, int nargs, const sql_value_t *args,
                                  const sql_type_t *argtypes, sql_type_t to, sql_value_t *out,
                                  rdb_err_t *err)
{
    sql_value_t a2[2] = { args[0], sql_null() };
    sql_type_t t2[2] = { argtypes[0], argtypes[0] };
    return cast_generic(ctx, 2, a2, t2, to, out, err);
}

rdb_status_t sql_cast_resolve(sql_type_t from, sql_type_t to, sql_cast_context_t ctx,
                              sql_resolved_cast_t *out, rdb_err_t *err)
{
    int c = cast_context(from.oid, to.oid);
    if (c < 0 || c > (int)ctx) {
        rdb_buf_t a, b;
        rdb_buf_init(&a, 32);
        rdb_buf_init(&b, 32);
        sql_type_format(from, &a);
        sql_type_format(to, &b);
        rdb_err_set(err, RDB_SQL, c < 0 || ctx == SQL_CAST_EXPLICIT ? "42846" : "42846",
                    "cannot cast type %.*s to %.*s", (int)a.len, a.data, (int)b.len, b.data);
        rdb_buf_free(&a);
        rdb_buf_free(&b);
        return RDB_SQL;
    }
    out->to = to;
    bool needs_typmod = to.typmod >= 4 && (to.oid == SQL_OID_VARCHAR || to.oid == SQL_OID_BPCHAR || to.oid == SQL_OID_NUMERIC);
    if (from.oid == to.oid && !needs_typmod) out->fn = NULL;
    else if (is_str(from.oid) && is_str(to.oid) && !needs_typmod && to.oid != SQL_OID_BPCHAR &&
             from.oid != SQL_OID_BPCHAR) out->fn = NULL; /* bpchar -> text drops the padding */
    else out->fn = cast_generic;
    /* explicit casts truncate varchar(n)/char(n) silently (PG) */
    if (ctx == SQL_CAST_EXPLICIT && out->fn) out->fn = cast_explicit;
    return RDB_OK;
}

static rdb_status_t int_check(int64_t v, uint32_t to, sql_value_t *out, rdb_err_t *err)
{
    int64_t lo, hi;
    sqlt_int_range(to, &lo, &hi);
    if (v < lo || v > hi) return sqlt_err_range(err, to);
    *out = sql_int(v);
    return RDB_OK;
}

static rdb_status_t float_to_int(double d, uint32_t to, sql_value_t *out, rdb_err_t *err)
{
    d = rint(d);
    if (isnan(d) || d < -9.2233720368547758e18 || d >= 9.2233720368547758e18) return sqlt_err_range(err, to);
    return int_check((int64_t)d, to, out, err);
}

/* Convert a value between any two supported types. */
static rdb_status_t cast_generic(sql_fn_ctx_t *ctx, int nargs, const sql_value_t *args,
                                 const sql_type_t *argtypes, sql_type_t to, sql_value_t *out,
                                 rdb_err_t *err)
{
    const sql_value_t *v = &args[0];
    sql_type_t from = argtypes[0];
    rdb_arena_t *a = ctx->arena;
    bool explicit_ = nargs > 1;
    sqlt_kind_t kf = sqlt_kind(from.oid), kt = sqlt_kind(to.oid);
    rdb_status_t st = RDB_OK;
    if (v->isnull) { *out = *v; return RDB_OK; }
    if (kf == K_ARRAY && kt == K_ARRAY)
        return sqlt_array_cast(ctx, from, to, explicit_, v, out, err);
    if (from.oid == SQL_OID_JSONB && (kt == K_INT || kt == K_FLOAT || kt == K_NUMERIC || kt == K_BOOL))
        return sqlt_jsonb_cast(ctx, v, to, out, err);
    if (from.oid != to.oid && (sqlt_is_net(from.oid) || sqlt_is_net(to.oid))) {
        if ((st = sqlt_net_cast(a, from.oid, to.oid, v, out, err)) != RDB_OK) return st;
        if (sqlt_is_net(to.oid)) return RDB_OK;
        return sqlt_text_typmod(a, to.oid, to.typmod, explicit_, out, err);
    }
    if (from.oid == to.oid || (kf == K_TEXT && kt == K_TEXT)) {
        *out = *v;
        if (kt == K_NUMERIC) return sqlt_numeric_typmod(a, v, to.typmod, out, err);
        if (kt == K_TEXT && from.oid == SQL_OID_BPCHAR && to.oid != SQL_OID_BPCHAR) {
            uint32_t n = out->u.v.len;
            while (n > 0 && out->u.v.ptr[n - 1] == ' ') n--;
            out->u.v.len = n;
        }
        if (kt == K_TEXT) return sqlt_text_typmod(a, to.oid, to.typmod, explicit_, out, err);
        return RDB_OK;
    }
    if (from.oid == SQL_OID_BOOL && kt == K_TEXT) {   /* PG's booltext: 'true' / 'false' */
        *out = v->u.b ? sql_bytes("true", 4) : sql_bytes("false", 5);
        return sqlt_text_typmod(a, to.oid, to.typmod, explicit_, out, err);
    }
    if (kf == K_INT && kt == K_INT) return int_check(v->u.i, to.oid, out, err);
    if (kf == K_INT && kt == K_FLOAT) { *out = sql_float(to.oid == SQL_OID_FLOAT4 ? (float)v->u.i : (double)v->u.i); return RDB_OK; }
    if (kf == K_INT && kt == K_NUMERIC) {
        *out = sqlt_numeric_from_int(a, v->u.i);
        return sqlt_numeric_typmod(a, out, to.typmod, out, err);
    }
    if (kf == K_FLOAT && kt == K_INT) return float_to_int(v->u.f, to.oid, out, err);
    if (kf == K_FLOAT && kt == K_FLOAT) {
        double d = v->u.f;
        if (to.oid == SQL_OID_FLOAT4) {
            float f = (float)d;
            if (isinf(f) && !isinf(d)) return rdb_err_set(err, RDB_SQL, "22003", "value out of range: overflow");
            if (f == 0 && d != 0) return rdb_err_set(err, RDB_SQL, "22003", "value out of range: underflow");
            d = f;
        }
        *out = sql_float(d);
        return RDB_OK;
    }
    if (kf == K_FLOAT && kt == K_NUMERIC) {
        if ((st = sqlt_numeric_from_double(a, v->u.f, out, err))) return st;
        return sqlt_numeric_typmod(a, out, to.typmod, out, err);
    }
    if (kf == K_NUMERIC && kt == K_INT) {
        int64_t i;
        if ((st = sqlt_numeric_to_int(v, to.oid, &i, err))) return st;
        *out = sql_int(i);
        return RDB_OK;
    }
    if (kf == K_NUMERIC && kt == K_FLOAT) {
        double d = sqlt_numeric_to_double(v);
        *out = sql_float(to.oid == SQL_OID_FLOAT4 ? (float)d : d);
        return RDB_OK;
    }
    if (from.oid == SQL_OID_BOOL && kt == K_INT) { *out = sql_int(v->u.b); return RDB_OK; }
    if (kf == K_INT && to.oid == SQL_OID_BOOL) { *out = sql_bool(v->u.i != 0); return RDB_OK; }
    if (kf == K_DATE && (kt == K_TS || kt == K_TSTZ)) {
        if (v->u.i == INT32_MAX) *out = sql_int(INT64_MAX);
        else if (v->u.i == INT32_MIN) *out = sql_int(INT64_MIN);
        else if (kt == K_TSTZ) /* midnight in the session zone */
            *out = sql_int(sqlt_tz_local_to_utc(ctx->settings ? ctx->settings->timezone : NULL, v->u.i * USECS_PER_DAY));
        else *out = sql_int(v->u.i * USECS_PER_DAY);
        return RDB_OK;
    }
    if ((kf == K_TS || kf == K_TSTZ) && (kt == K_TS || kt == K_TSTZ)) {
        *out = *v;
        const char *zone = ctx->settings ? ctx->settings->timezone : NULL;
        if (kf == kt || v->u.i == INT64_MAX || v->u.i == INT64_MIN) return RDB_OK;
        if (kf == K_TSTZ) out->u.i += (int64_t)sqlt_tz_offset(zone, v->u.i) * USECS_PER_SEC;
        else out->u.i = sqlt_tz_local_to_utc(zone, v->u.i);
        return RDB_OK;
    }
    sql_value_t local;
    if (kf == K_TSTZ && (kt == K_DATE || kt == K_TIME) && v->u.i != INT64_MAX && v->u.i != INT64_MIN) {
        local = sql_int(v->u.i + (int64_t)sqlt_tz_offset(ctx->settings ? ctx->settings->timezone : NULL, v->u.i) * USECS_PER_SEC);
        v = &local;
    }
    if ((kf == K_TS || kf == K_TSTZ) && kt == K_DATE) {
        if (v->u.i == INT64_MAX) { *out = sql_int(INT32_MAX); return RDB_OK; }
        if (v->u.i == INT64_MIN) { *out = sql_int(INT32_MIN); return RDB_OK; }
        int64_t d = v->u.i / USECS_PER_DAY;
        if (v->u.i % USECS_PER_DAY < 0) d--;
        *out = sql_int(d);
        return RDB_OK;
    }
    if ((kf == K_TS || kf == K_TSTZ) && kt == K_TIME) {
        int64_t r = v->u.i % USECS_PER_DAY;
        if (r < 0) r += USECS_PER_DAY;
        *out = sql_int(r);
        return RDB_OK;
    }
    if (from.oid == SQL_OID_INTERVAL && kt == K_TIME) {
        int64_t r = v->u.iv.usec % USECS_PER_DAY;
        *out = sql_int(r < 0 ? r + USECS_PER_DAY : r);
        return RDB_OK;
    }
    if (from.oid == SQL_OID_TIMETZ && to.oid == SQL_OID_TIME) { *out = sql_int(sqlt_timetz_tod(v->u.i)); return RDB_OK; }
    if (from.oid == SQL_OID_TIME && to.oid == SQL_OID_TIMETZ) {
        int32_t off = sqlt_tz_offset(ctx->settings ? ctx->settings->timezone : NULL, ctx->txn_ts);
        *out = sql_int(sqlt_timetz_pack(v->u.i, off));
        return RDB_OK;
    }
    if (from.oid == SQL_OID_TIMESTAMPTZ && to.oid == SQL_OID_TIMETZ) {
        if (v->u.i == INT64_MAX || v->u.i == INT64_MIN) return rdb_err_set(err, RDB_SQL, "22008", "timestamp out of range");
        int32_t off = sqlt_tz_offset(ctx->settings ? ctx->settings->timezone : NULL, v->u.i);
        int64_t loc = v->u.i + (int64_t)off * USECS_PER_SEC;
        *out = sql_int(sqlt_timetz_pack(((loc % USECS_PER_DAY) + USECS_PER_DAY) % USECS_PER_DAY, off));
        return RDB_OK;
    }
    if (kf == K_TIME && kt == K_INTERVAL) {
        out->isnull = false;
        out->u.iv = (sql_interval_t){ v->u.i, 0, 0 };
        return RDB_OK;
    }
    /* I/O conversion */
    rdb_buf_t b;
    rdb_buf_init(&b, 64);
    sql_value_out(ctx->settings, from, v, &b);
    if (kt == K_TEXT) {
        *out = sql_bytes(rdb_arena_memdup(a, b.data, b.len ? b.len : 1), (uint32_t)b.len);
        rdb_buf_free(&b);
        return sqlt_text_typmod(a, to.oid, to.typmod, explicit_, out, err);
    }
    st = sql_value_in(a, ctx->settings, to, b.data, b.len, out, err);
    rdb_buf_free(&b);
    return st;
}

rdb_status_t sql_cast_apply(sql_fn_ctx_t *ctx, const sql_resolved_cast_t *c, sql_type_t from,
                            const sql_value_t *in, sql_value_t *out, rdb_err_t *err)
{
    if (in->isnull || !c->fn) {
        *out = *in;
        return RDB_OK;
    }
    sql_type_t ft[1] = { from };
    return c->fn(ctx, 1, in, ft, c->to, out, err);
}

rdb_status_t sqlt_cast_value(sql_fn_ctx_t *ctx, sql_type_t from, sql_type_t to, bool explicit_,
                             const sql_value_t *in, sql_value_t *out, rdb_err_t *err)
{
    sql_value_t args[2] = { *in, sql_null() };
    sql_type_t ft[2] = { from, from };
    return cast_generic(ctx, explicit_ ? 2 : 1, args, ft, to, out, err);
}

rdb_status_t sql_type_common(int n, const sql_type_t *types, const char *context,
                             sql_type_t *out, rdb_err_t *err)
{
    /* PG's select_common_type */
    int first = -1;
    for (int i = 0; i < n; i++)
        if (types[i].oid != SQL_OID_UNKNOWN) { first = i; break; }
    if (first < 0) { *out = (sql_type_t){ SQL_OID_TEXT, -1 }; return RDB_OK; }
    sql_type_t pt = types[first];
    const sql_typeinfo_t *pi = sql_type_by_oid(pt.oid);
    char pcat = pi ? pi->category : 'X';
    bool all_same_typmod = true;
    for (int i = 0; i < n; i++) {
        sql_type_t t = types[i];
        if (t.oid == SQL_OID_UNKNOWN) continue;
        if (t.oid == pt.oid) { if (t.typmod != pt.typmod) all_same_typmod = false; continue; }
        const sql_typeinfo_t *ti = sql_type_by_oid(t.oid);
        char cat = ti ? ti->category : 'X';
        if (cat != pcat) {
            rdb_buf_t a, b;
            rdb_buf_init(&a, 32);
            rdb_buf_init(&b, 32);
            sql_type_format(pt, &a);
            sql_type_format(t, &b);
            rdb_err_set(err, RDB_SQL, "42804", "%s types %.*s and %.*s cannot be matched", context,
                        (int)a.len, a.data, (int)b.len, b.data);
            rdb_buf_free(&a);
            rdb_buf_free(&b);
            return RDB_SQL;
        }
        bool pref = pi && pi->preferred;
        /* as PG 15 behaves: (varchar, text) -> text, (bpchar, varchar) -> varchar */
        if (!pref && sql_type_can_coerce(pt, t, SQL_CAST_IMPLICIT)) {
            pt = t;
            pi = ti;
            all_same_typmod = true;
        }
    }
    /* PG's select_common_typmod: the inputs' typmod only when every input
     * already has the common type with that typmod (bigint UNION
     * numeric(10,2) is plain numeric: 0, not 0.00) */
    for (int i = 0; i < n && all_same_typmod; i++)
        if (types[i].oid != pt.oid || types[i].typmod != pt.typmod)
            all_same_typmod = false;
    if (!all_same_typmod) pt.typmod = -1;
    *out = pt;
    return RDB_OK;
}
