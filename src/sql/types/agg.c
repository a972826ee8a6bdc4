/*
 * agg.c — aggregates: count, sum, avg, min, max, bool_and/bool_or/every,
 * string_agg and the stddev/variance family, with PG's result types, and
 * combine / serialize / deserialize for partial aggregation.
 *
 * One state layout serves all: counters, an exact 128-bit integer sum,
 * float sums (Welford-free: sum and sum of squares in long double), a
 * numeric running sum, the current min/max value, and a text buffer.
 */
#include <math.h>
#include <string.h>
#include <strings.h>

#include "sql/types/types_int.h"

typedef enum { A_COUNT, A_COUNTSTAR, A_SUM, A_AVG, A_MIN, A_MAX, A_BOOLAND, A_BOOLOR, A_STRAGG,
               A_VARPOP, A_VARSAMP, A_STDPOP, A_STDSAMP, A_BITAND, A_BITOR } agg_kind_t;

typedef struct {
    rdb_arena_t *a;
    agg_kind_t   kind;
    sql_type_t   in;
    int64_t      count;
    __int128     isum;
    long double  fsum, fsq;
    __int128     isq;    /* sum of squares of int2/int4 inputs */
    sql_value_t  num;    /* numeric running sum (numeric inputs; int8 ones of variances) */
    sql_value_t  num2;   /* numeric sum of squares (variances of numeric and int8 inputs) */
    __int128     nacc;   /* sum/avg: num plus this pending part, nacc / 10^nscale, */
    int          nscale; /* while nacc_on: values of one scale and at most */
    bool         nacc_on;/* 36 digits are summed here without allocating */
    sql_value_t  mm;     /* min/max; bool result */
    sql_interval_t iv;
    char        *txt;
    size_t       tlen, tcap;
    bool         have;
} agg_state_t;

static const struct { const char *name; agg_kind_t k; } agg_names[] = {
    { "count", A_COUNT }, { "sum", A_SUM }, { "avg", A_AVG }, { "min", A_MIN }, { "max", A_MAX },
    { "bool_and", A_BOOLAND }, { "every", A_BOOLAND }, { "bool_or", A_BOOLOR },
    { "string_agg", A_STRAGG }, { "var_pop", A_VARPOP }, { "var_samp", A_VARSAMP },
    { "variance", A_VARSAMP }, { "stddev_pop", A_STDPOP }, { "stddev_samp", A_STDSAMP },
    { "stddev", A_STDSAMP }, { "bit_and", A_BITAND }, { "bit_or", A_BITOR },
};

bool sql_is_agg_name(const char *name)
{
    if (sqlt_coll_agg_name(name)) return true;
    for (size_t i = 0; i < sizeof agg_names / sizeof agg_names[0]; i++)
        if (strcasecmp(agg_names[i].name, name) == 0) return true;
    return false;
}

static agg_kind_t kind_of(const sql_resolved_agg_t *agg) { return (agg_kind_t)(intptr_t)agg->extra; }

static void *agg_init(rdb_arena_t *a, const sql_resolved_agg_t *agg)
{
    agg_state_t *s = rdb_arena_calloc(a, sizeof *s);
    s->a = a;
    s->kind = kind_of(agg);
    s->in = agg->nargs ? agg->argtypes[0] : (sql_type_t){ 0, -1 };
    return s;
}

/* The whole numeric sum of s (num plus the pending part), in a. */
static sql_value_t num_total(rdb_arena_t *a, const agg_state_t *s, rdb_err_t *err)
{
    if (!s->nacc_on) return s->num;
    sql_value_t p = sqlt_numeric_from_i128(a, s->nacc, s->nscale), r;
    if (!s->num.u.v.ptr) return p;
    if (sqlt_numeric_arith(a, '+', &s->num, &p, &r, err) != RDB_OK) return s->num;
    return r;
}

static void num_flush(agg_state_t *s, rdb_err_t *err)
{
    if (!s->nacc_on) return;
    s->num = num_total(s->a, s, err);
    s->nacc_on = false;
}

#define NACC_LIMIT ((__int128)1000000000000000000 * 1000000000000000000) /* 10^36 */

static void add_num(agg_state_t *s, const sql_value_t *v, rdb_err_t *err)
{
    if (s->kind != A_SUM && s->kind != A_AVG) {
        /* exact variance: the sum and the sum of squares, as numerics */
        sql_value_t sq, r;
        sqlt_numeric_arith(s->a, '*', v, v, &sq, err);
        if (!s->num.u.v.ptr) {
            s->num = sql_value_copy(s->a, (sql_type_t){ SQL_OID_NUMERIC, -1 }, *v);
            s->num2 = sq;
            return;
        }
        sqlt_numeric_arith(s->a, '+', &s->num, v, &r, err);
        s->num = r;
        sqlt_numeric_arith(s->a, '+', &s->num2, &sq, &r, err);
        s->num2 = r;
        return;
    }
    __int128 c;
    int scale;
    if (sqlt_numeric_to_i128(v, &c, &scale)) {
        if (s->nacc_on && (scale != s->nscale || s->nacc > NACC_LIMIT || s->nacc < -NACC_LIMIT))
            num_flush(s, err);
        if (!s->nacc_on) { s->nacc = 0; s->nscale = scale; s->nacc_on = true; }
        s->nacc += c;
        return;
    }
    num_flush(s, err);
    if (!s->num.u.v.ptr) { s->num = sql_value_copy(s->a, s->in, *v); return; }
    sql_value_t r;
    sqlt_numeric_arith(s->a, '+', &s->num, v, &r, err);
    s->num = r;
}

/* Exact variance / standard deviation of integer and numeric inputs, as
 * PostgreSQL's numeric_stddev_internal: (N*sumX2 - sumX^2) / (N*(N-1))
 * (N*N for the population forms) at select_div_scale's scale; the square
 * root rounded to that same scale. */
static rdb_status_t num_isqrt(rdb_arena_t *a, const sql_value_t *v, sql_value_t *out, rdb_err_t *err)
{
    sql_value_t x, one = sqlt_numeric_from_int(a, 1), two = sqlt_numeric_from_int(a, 2), t, q;
    if (sqlt_numeric_from_double(a, floor(sqrt(sqlt_numeric_to_double(v))), &x, err) != RDB_OK)
        x = one;
    if (sqlt_numeric_round(a, &x, 0, true, &x, err) != RDB_OK)
        return RDB_SQL;
    if (sqlt_numeric_cmp(&x, &one) < 0)
        x = one;
    for (int i = 0; i < 200; i++) {
        if (sqlt_numeric_arith(a, '/', v, &x, &q, err) || sqlt_numeric_round(a, &q, 0, true, &q, err) ||
            sqlt_numeric_arith(a, '+', &x, &q, &t, err) || sqlt_numeric_arith(a, '/', &t, &two, &t, err) ||
            sqlt_numeric_round(a, &t, 0, true, &t, err))
            return RDB_SQL;
        if (sqlt_numeric_cmp(&t, &x) == 0)
            break;
        x = t;
    }
    for (;;) {   /* x*x <= v < (x+1)^2 */
        if (sqlt_numeric_arith(a, '*', &x, &x, &t, err)) return RDB_SQL;
        if (sqlt_numeric_cmp(&t, v) <= 0) break;
        if (sqlt_numeric_arith(a, '-', &x, &one, &x, err)) return RDB_SQL;
    }
    for (;;) {
        sql_value_t x1;
        if (sqlt_numeric_arith(a, '+', &x, &one, &x1, err) || sqlt_numeric_arith(a, '*', &x1, &x1, &t, err))
            return RDB_SQL;
        if (sqlt_numeric_cmp(&t, v) > 0) break;
        x = x1;
    }
    *out = x;
    return RDB_OK;
}

static rdb_status_t num_stddev(rdb_arena_t *a, const agg_state_t *s, sql_value_t sx, sql_value_t sx2,
                               bool samp, bool sd, sql_value_t *res, rdb_err_t *err)
{
    sql_value_t n = sqlt_numeric_from_int(a, s->count), n1 = sqlt_numeric_from_int(a, s->count - 1);
    sql_value_t t1, t2, num, den, var;
    if (sqlt_numeric_arith(a, '*', &n, &sx2, &t1, err) || sqlt_numeric_arith(a, '*', &sx, &sx, &t2, err) ||
        sqlt_numeric_arith(a, '-', &t1, &t2, &num, err))
        return RDB_SQL;
    if (sqlt_numeric_cmp(&num, &(sql_value_t){ .u.v = { "+\0\0" "0", 4 } }) <= 0) {
        *res = sqlt_numeric_from_int(a, 0);
        return RDB_OK;
    }
    if (sqlt_numeric_arith(a, '*', &n, samp ? &n1 : &n, &den, err) || sqlt_numeric_arith(a, '/', &num, &den, &var, err))
        return RDB_SQL;
    if (!sd) {
        *res = var;
        return RDB_OK;
    }
    /* sqrt(var) to var's scale r: isqrt(var * 10^(2r+2)), rounded by its last digit */
    int r = (unsigned char)var.u.v.ptr[1] | (unsigned char)var.u.v.ptr[2] << 8;
    rdb_buf_t b = RDB_BUF_INIT;
    sql_value_out(NULL, (sql_type_t){ SQL_OID_NUMERIC, -1 }, &var, &b);
    rdb_buf_t d = RDB_BUF_INIT;
    for (size_t i = 0; i < b.len; i++)
        if (b.data[i] != '.') rdb_buf_append_u8(&d, (uint8_t)b.data[i]);
    for (int i = 0; i < r + 2; i++) rdb_buf_append_u8(&d, '0');
    sql_value_t big, root, five = sqlt_numeric_from_int(a, 5);
    rdb_status_t rc = sqlt_numeric_in(a, d.data, d.len, &big, err);
    rdb_buf_free(&b);
    rdb_buf_free(&d);
    if (rc || num_isqrt(a, &big, &root, err) || sqlt_numeric_arith(a, '+', &root, &five, &root, err))
        return RDB_SQL;
    /* root = sqrt * 10^(r+1) + 5: drop its last digit, place the decimal point */
    rdb_buf_t o = RDB_BUF_INIT;
    sql_value_out(NULL, (sql_type_t){ SQL_OID_NUMERIC, -1 }, &root, &o);
    o.len = o.len > 1 ? o.len - 1 : 0;
    if (!o.len) rdb_buf_append_u8(&o, '0');
    rdb_buf_t t = RDB_BUF_INIT;
    if ((int)o.len <= r)
        for (int i = 0; i < r - (int)o.len + 1; i++) rdb_buf_append_u8(&t, '0');
    rdb_buf_append(&t, o.data, o.len);
    rdb_buf_t f = RDB_BUF_INIT;
    rdb_buf_append(&f, t.data, t.len - (size_t)r);
    if (r) {
        rdb_buf_append_u8(&f, '.');
        rdb_buf_append(&f, t.data + t.len - r, (size_t)r);
    }
    rc = sqlt_numeric_in(a, f.data, f.len, res, err);
    rdb_buf_free(&o);
    rdb_buf_free(&t);
    rdb_buf_free(&f);
    return rc;
}

static rdb_status_t agg_trans(sql_fn_ctx_t *ctx, void *st, const sql_value_t *args, rdb_err_t *err)
{
    agg_state_t *s = st;
    if (s->kind == A_COUNTSTAR) { s->count++; return RDB_OK; }
    const sql_value_t *v = &args[0];
    if (v->isnull) return RDB_OK;
    sqlt_kind_t k = sqlt_kind(s->in.oid);
    switch (s->kind) {
    case A_COUNT: break;
    case A_SUM: case A_AVG: case A_VARPOP: case A_VARSAMP: case A_STDPOP: case A_STDSAMP:
        if (k == K_INT) {
            s->isum += v->u.i;
            s->fsum += (long double)v->u.i;
            s->fsq += (long double)v->u.i * (long double)v->u.i;
            if (s->kind != A_SUM && s->kind != A_AVG) {   /* exact variance: squares */
                if (s->in.oid == SQL_OID_INT8) {
                    sql_value_t nv = sqlt_numeric_from_int(s->a, v->u.i);
                    add_num(s, &nv, err);
                } else
                    s->isq += (__int128)v->u.i * v->u.i;
            }
        } else if (k == K_FLOAT) {
            s->fsum += v->u.f;
            s->fsq += (long double)v->u.f * v->u.f;
        } else if (k == K_NUMERIC) {
            add_num(s, v, err);
            if (s->kind != A_SUM && s->kind != A_AVG) {
                double d = sqlt_numeric_to_double(v);
                s->fsum += d;
                s->fsq += (long double)d * d;
            }
        } else if (k == K_INTERVAL) {
            s->iv.months += v->u.iv.months;
            s->iv.days += v->u.iv.days;
            s->iv.usec += v->u.iv.usec;
        }
        break;
    case A_MIN: case A_MAX:
        if (!s->have) s->mm = sql_value_copy(s->a, s->in, *v);
        else {
            int c = sql_value_cmp(s->in, v, &s->mm);
            if (s->kind == A_MIN ? c < 0 : c > 0) s->mm = sql_value_copy(s->a, s->in, *v);
        }
        break;
    case A_BITAND: s->mm = sql_int(s->have ? s->mm.u.i & v->u.i : v->u.i); break;
    case A_BITOR: s->mm = sql_int(s->have ? s->mm.u.i | v->u.i : v->u.i); break;
    case A_BOOLAND: s->mm = sql_bool(s->have ? s->mm.u.b && v->u.b : v->u.b); break;
    case A_BOOLOR: s->mm = sql_bool(s->have ? s->mm.u.b || v->u.b : v->u.b); break;
    case A_STRAGG: {
        /* as PG: every value is stored with its delimiter in front; the
         * first delimiter's length (kept in isum) is cut off at final, so
         * combining two partial states is a plain concatenation */
        const sql_value_t *d = &args[1];
        size_t dl = d->isnull ? 0 : d->u.v.len;
        size_t need = s->tlen + v->u.v.len + dl;
        if (need > s->tcap) {
            size_t nc = s->tcap ? s->tcap * 2 : 64;
            while (nc < need) nc *= 2;
            char *nb = rdb_arena_alloc(s->a, nc);
            if (s->tlen) memcpy(nb, s->txt, s->tlen);
            s->txt = nb;
            s->tcap = nc;
        }
        if (!s->have) s->isum = (__int128)dl;
        if (dl) { memcpy(s->txt + s->tlen, d->u.v.ptr, dl); s->tlen += dl; }
        memcpy(s->txt + s->tlen, v->u.v.ptr, v->u.v.len);
        s->tlen += v->u.v.len;
        break;
    }
    default: break;
    }
    s->count++;
    s->have = true;
    return rdb_err_is_set(err) ? RDB_SQL : RDB_OK;
}

static rdb_status_t agg_final(sql_fn_ctx_t *ctx, void *st, sql_value_t *res, rdb_err_t *err)
{
    agg_state_t *s = st;
    rdb_arena_t *a = ctx->arena;
    sqlt_kind_t k = sqlt_kind(s->in.oid);
    if (s->kind == A_COUNT || s->kind == A_COUNTSTAR) { *res = sql_int(s->count); return RDB_OK; }
    if (!s->have) { *res = sql_null(); return RDB_OK; }
    switch (s->kind) {
    case A_SUM:
        if (k == K_INT) {
            if (s->in.oid == SQL_OID_INT8) { *res = sqlt_numeric_from_i128(a, s->isum, 0); return RDB_OK; }
            if (s->isum > INT64_MAX || s->isum < INT64_MIN) return rdb_err_set(err, RDB_SQL, "22003", "bigint out of range");
            *res = sql_int((int64_t)s->isum);
            return RDB_OK;
        }
        if (k == K_FLOAT) { *res = sql_float(s->in.oid == SQL_OID_FLOAT4 ? (float)s->fsum : (double)s->fsum); return RDB_OK; }
        if (k == K_NUMERIC) { *res = num_total(a, s, err); return rdb_err_is_set(err) ? RDB_SQL : RDB_OK; }
        if (k == K_INTERVAL) { res->isnull = false; res->u.iv = s->iv; return RDB_OK; }
        break;
    case A_AVG:
        if (k == K_INT || k == K_NUMERIC) {
            sql_value_t sum = k == K_INT ? sqlt_numeric_from_i128(a, s->isum, 0) : num_total(a, s, err);
            sql_value_t cnt = sqlt_numeric_from_int(a, s->count);
            return sqlt_numeric_arith(a, '/', &sum, &cnt, res, err);
        }
        if (k == K_FLOAT) { *res = sql_float((double)(s->fsum / (long double)s->count)); return RDB_OK; }
        if (k == K_INTERVAL) {
            double f = 1.0 / (double)s->count;
            double mo = s->iv.months * f, d = s->iv.days * f;
            int64_t imo = (int64_t)mo;
            double fd = (mo - (double)imo) * 30 + d;
            int64_t id = (int64_t)fd;
            res->isnull = false;
            res->u.iv = (sql_interval_t){ (int64_t)llrint((fd - (double)id) * 86400e6 + (double)s->iv.usec * f), (int32_t)id, (int32_t)imo };
            return RDB_OK;
        }
        break;
    case A_MIN: case A_MAX: case A_BOOLAND: case A_BOOLOR: case A_BITAND: case A_BITOR:
        *res = s->mm;
        return RDB_OK;
    case A_STRAGG:
        *res = sql_bytes(s->txt ? s->txt + (size_t)s->isum : "", (uint32_t)(s->tlen - (size_t)s->isum));
        return RDB_OK;
    case A_VARPOP: case A_VARSAMP: case A_STDPOP: case A_STDSAMP: {
        bool samp = s->kind == A_VARSAMP || s->kind == A_STDSAMP;
        if (samp && s->count < 2) { *res = sql_null(); return RDB_OK; }
        bool sd = s->kind == A_STDPOP || s->kind == A_STDSAMP;
        if (k == K_INT && s->in.oid != SQL_OID_INT8)
            return num_stddev(a, s, sqlt_numeric_from_i128(a, s->isum, 0), sqlt_numeric_from_i128(a, s->isq, 0), samp, sd, res, err);
        if (k == K_INT || k == K_NUMERIC)
            return num_stddev(a, s, s->num, s->num2, samp, sd, res, err);
        long double n = (long double)s->count;
        long double var = (s->fsq - s->fsum * s->fsum / n) / (samp ? n - 1 : n);
        if (var < 0) var = 0;
        double r = (double)var;
        if (s->kind == A_STDPOP || s->kind == A_STDSAMP) r = sqrt(r);
        if (k == K_FLOAT) { *res = sql_float(r); return RDB_OK; }
        /* numeric result: PG computes exactly; we round the float result */
        sql_value_t nv;
        rdb_status_t st2 = sqlt_numeric_from_double(a, r, &nv, err);
        if (st2) return st2;
        return sqlt_numeric_round(a, &nv, 16, false, res, err);
    }
    default: break;
    }
    return rdb_err_set(err, RDB_SQL, "XX000", "aggregate final: unsupported input type");
}

static rdb_status_t agg_combine(sql_fn_ctx_t *ctx, void *st, const void *other, rdb_err_t *err)
{
    agg_state_t *s = st;
    const agg_state_t *o = other;
    if (!o->have && o->kind != A_COUNTSTAR) return RDB_OK;
    if (s->kind == A_COUNTSTAR || s->kind == A_COUNT) { s->count += o->count; s->have |= o->have; return RDB_OK; }
    if (!s->have) {
        agg_state_t keep = *s;
        *s = *o;
        s->a = keep.a;
        if (o->kind == A_MIN || o->kind == A_MAX) s->mm = sql_value_copy(s->a, s->in, o->mm);
        if (o->num.u.v.ptr) s->num = sql_value_copy(s->a, (sql_type_t){ SQL_OID_NUMERIC, -1 }, o->num);
        if (o->num2.u.v.ptr) s->num2 = sql_value_copy(s->a, (sql_type_t){ SQL_OID_NUMERIC, -1 }, o->num2);
        /* o's pending part (nacc) came along by value */
        if (o->tlen) {
            s->txt = rdb_arena_memdup(s->a, o->txt, o->tlen);
            s->tcap = o->tlen;
        }
        return RDB_OK;
    }
    switch (s->kind) {
    case A_MIN: case A_MAX: {
        int c = sql_value_cmp(s->in, &o->mm, &s->mm);
        if (s->kind == A_MIN ? c < 0 : c > 0) s->mm = sql_value_copy(s->a, s->in, o->mm);
        break;
    }
    case A_BITAND: s->mm.u.i &= o->mm.u.i; break;
    case A_BITOR: s->mm.u.i |= o->mm.u.i; break;
    case A_BOOLAND: s->mm.u.b = s->mm.u.b && o->mm.u.b; break;
    case A_BOOLOR: s->mm.u.b = s->mm.u.b || o->mm.u.b; break;
    case A_STRAGG: {
        /* other's buffer starts with its first delimiter: concatenate */
        char *nb = rdb_arena_alloc(s->a, s->tlen + o->tlen + 1);
        memcpy(nb, s->txt, s->tlen);
        memcpy(nb + s->tlen, o->txt, o->tlen);
        s->txt = nb;
        s->tlen += o->tlen;
        s->tcap = s->tlen;
        break;
    }
    default:
        s->isum += o->isum;
        s->isq += o->isq;
        s->fsum += o->fsum;
        s->fsq += o->fsq;
        s->iv.months += o->iv.months;
        s->iv.days += o->iv.days;
        s->iv.usec += o->iv.usec;
        {
            num_flush(s, err);
            sql_value_t on = num_total(s->a, o, err), r;
            if (on.u.v.ptr && !s->num.u.v.ptr) {
                s->num = sql_value_copy(s->a, (sql_type_t){ SQL_OID_NUMERIC, -1 }, on);
            } else if (on.u.v.ptr) {
                if (sqlt_numeric_arith(s->a, '+', &s->num, &on, &r, err)) return RDB_SQL;
                s->num = r;
            }
        }
        if (s->num2.u.v.ptr && o->num2.u.v.ptr) {
            sql_value_t r;
            if (sqlt_numeric_arith(s->a, '+', &s->num2, &o->num2, &r, err)) return RDB_SQL;
            s->num2 = r;
        }
        break;
    }
    s->count += o->count;
    return RDB_OK;
}

static void agg_serialize(const void *st, rdb_buf_t *out)
{
    const agg_state_t *s = st;
    rdb_buf_append_u8(out, (uint8_t)s->kind);
    rdb_buf_append_u8(out, s->have);
    rdb_buf_append_u64_be(out, (uint64_t)s->count);
    rdb_buf_append_u64_be(out, (uint64_t)(s->isum >> 64));
    rdb_buf_append_u64_be(out, (uint64_t)s->isum);
    double f = (double)s->fsum, q = (double)s->fsq;
    uint64_t b;
    memcpy(&b, &f, 8); rdb_buf_append_u64_be(out, b);
    memcpy(&b, &q, 8); rdb_buf_append_u64_be(out, b);
    rdb_buf_append_u64_be(out, (uint64_t)s->iv.usec);
    rdb_buf_append_u32_be(out, (uint32_t)s->iv.days);
    rdb_buf_append_u32_be(out, (uint32_t)s->iv.months);
    sql_value_t mm = s->have && (s->kind == A_MIN || s->kind == A_MAX || s->kind == A_BOOLAND || s->kind == A_BOOLOR || s->kind == A_BITAND || s->kind == A_BITOR) ? s->mm : sql_null();
    sql_type_t mt = s->kind == A_BOOLAND || s->kind == A_BOOLOR ? (sql_type_t){ SQL_OID_BOOL, -1 } : s->in;
    sql_key_encode(out, mt, &mm, false);
    rdb_arena_t na;
    rdb_arena_init(&na, 256);
    rdb_err_t ne = RDB_ERR_INIT;
    sql_value_t num = num_total(&na, s, &ne);
    if (!s->have || !num.u.v.ptr) num = sql_null();
    sql_key_encode(out, (sql_type_t){ SQL_OID_NUMERIC, -1 }, &num, false);
    sql_value_t num2 = s->have && s->num2.u.v.ptr ? s->num2 : sql_null();
    sql_key_encode(out, (sql_type_t){ SQL_OID_NUMERIC, -1 }, &num2, false);
    rdb_buf_append_u64_be(out, (uint64_t)(s->isq >> 64));
    rdb_buf_append_u64_be(out, (uint64_t)s->isq);
    rdb_arena_destroy(&na);
    rdb_err_clear(&ne);
    rdb_buf_append_u32_be(out, (uint32_t)s->tlen);
    rdb_buf_append(out, s->txt, s->tlen);
}

static uint64_t g64(const char *p) { uint64_t v = 0; for (int i = 0; i < 8; i++) v = v << 8 | (unsigned char)p[i]; return v; }

static rdb_status_t agg_deserialize(rdb_arena_t *a, const sql_resolved_agg_t *agg, const char *p,
                                    size_t len, void **out, rdb_err_t *err)
{
    const char *e = p + len;
    agg_state_t *s = agg_init(a, agg);
    if (len < 2 + 8 * 6 + 8) goto bad;
    if ((agg_kind_t)(uint8_t)p[0] != s->kind) goto bad;
    s->have = p[1] != 0;
    p += 2;
    s->count = (int64_t)g64(p); p += 8;
    s->isum = (__int128)(((unsigned __int128)g64(p) << 64) | g64(p + 8)); p += 16;
    double f, q;
    uint64_t b = g64(p); memcpy(&f, &b, 8); p += 8;
    b = g64(p); memcpy(&q, &b, 8); p += 8;
    s->fsum = f; s->fsq = q;
    s->iv.usec = (int64_t)g64(p); p += 8;
    s->iv.days = (int32_t)(g64(p) >> 32);
    s->iv.months = (int32_t)(g64(p) & 0xffffffffu); p += 8;
    sql_type_t mt = s->kind == A_BOOLAND || s->kind == A_BOOLOR ? (sql_type_t){ SQL_OID_BOOL, -1 } : s->in;
    if (mt.oid == 0) mt.oid = SQL_OID_INT8;
    if (sql_key_decode(a, mt, false, &p, e, &s->mm, err)) goto bad;
    if (sql_key_decode(a, (sql_type_t){ SQL_OID_NUMERIC, -1 }, false, &p, e, &s->num, err)) goto bad;
    if (sql_key_decode(a, (sql_type_t){ SQL_OID_NUMERIC, -1 }, false, &p, e, &s->num2, err)) goto bad;
    if (s->num.isnull) s->num = (sql_value_t){ 0 };
    if (s->num2.isnull) s->num2 = (sql_value_t){ 0 };
    if (e - p < 20) goto bad;
    s->isq = (__int128)(((unsigned __int128)g64(p) << 64) | g64(p + 8));
    p += 16;
    uint32_t tl = (uint32_t)(g64(p - 4) & 0xffffffffu);
    tl = ((uint32_t)(unsigned char)p[0] << 24) | ((uint32_t)(unsigned char)p[1] << 16) | ((uint32_t)(unsigned char)p[2] << 8) | (unsigned char)p[3];
    p += 4;
    if ((size_t)(e - p) != tl) goto bad;
    if (tl) { s->txt = rdb_arena_memdup(a, p, tl); s->tlen = s->tcap = tl; }
    if (s->kind == A_STRAGG && (s->isum < 0 || s->isum > (__int128)tl)) goto bad;
    *out = s;
    return RDB_OK;
bad:
    rdb_err_clear(err);
    return rdb_err_set(err, RDB_PROTOCOL, "08P01", "malformed partial aggregate state");
}

rdb_status_t sql_agg_resolve(const char *name, int nargs, const sql_type_t *argtypes,
                             sql_resolved_agg_t *out, rdb_err_t *err)
{
    rdb_status_t crc = sqlt_coll_agg_resolve(name, nargs, argtypes, out, err);
    if (crc != RDB_NOTFOUND) return crc;
    int found = -1;
    for (size_t i = 0; i < sizeof agg_names / sizeof agg_names[0]; i++)
        if (strcasecmp(agg_names[i].name, name) == 0) { found = (int)i; break; }
    agg_kind_t k = found >= 0 ? agg_names[found].k : A_COUNT;
    if (k == A_COUNT && nargs == 0) k = A_COUNTSTAR;
    memset(out, 0, sizeof *out);
    sql_type_t in = nargs ? argtypes[0] : (sql_type_t){ 0, -1 };
    if (in.oid == SQL_OID_UNKNOWN) in = (sql_type_t){ SQL_OID_TEXT, -1 };
    sqlt_kind_t ik = sqlt_kind(in.oid);
    sql_type_t rt = { 0, -1 };
    bool ok = found >= 0;
    int want = k == A_COUNTSTAR ? 0 : k == A_STRAGG ? 2 : 1;
    if (nargs != want) ok = false;
    if (ok) switch (k) {
    case A_COUNT: case A_COUNTSTAR: rt.oid = SQL_OID_INT8; break;
    case A_SUM:
        if (in.oid == SQL_OID_INT2 || in.oid == SQL_OID_INT4) rt.oid = SQL_OID_INT8;
        else if (in.oid == SQL_OID_INT8 || ik == K_NUMERIC) rt.oid = SQL_OID_NUMERIC;
        else if (ik == K_FLOAT || ik == K_INTERVAL) rt.oid = in.oid;
        else ok = false;
        break;
    case A_AVG:
        if (ik == K_INT && in.oid != SQL_OID_OID) rt.oid = SQL_OID_NUMERIC;
        else if (ik == K_NUMERIC) rt.oid = SQL_OID_NUMERIC;
        else if (ik == K_FLOAT) rt.oid = SQL_OID_FLOAT8;
        else if (ik == K_INTERVAL) rt.oid = SQL_OID_INTERVAL;
        else ok = false;
        break;
    case A_MIN: case A_MAX:
        if (ik == K_OTHER || ik == K_JSON || sqlt_is_mac(in.oid)) ok = false;   /* PG has none for macaddr */
        rt = in;
        if (in.oid == SQL_OID_VARCHAR) rt.oid = SQL_OID_TEXT;
        break;
    case A_BITAND: case A_BITOR:
        if (in.oid != SQL_OID_INT2 && in.oid != SQL_OID_INT4 && in.oid != SQL_OID_INT8) ok = false;
        rt = in;
        break;
    case A_BOOLAND: case A_BOOLOR:
        if (in.oid != SQL_OID_BOOL) ok = false;
        rt.oid = SQL_OID_BOOL;
        break;
    case A_STRAGG:
        if (ik != K_TEXT || sqlt_kind(argtypes[1].oid) != K_TEXT) ok = false;
        in = (sql_type_t){ SQL_OID_TEXT, -1 };
        rt.oid = SQL_OID_TEXT;
        break;
    default:
        if (ik == K_FLOAT) rt.oid = SQL_OID_FLOAT8;
        else if (ik == K_INT || ik == K_NUMERIC) rt.oid = SQL_OID_NUMERIC;
        else ok = false;
        break;
    }
    if (!ok) {
        rdb_buf_t b;
        rdb_buf_init(&b, 64);
        for (int i = 0; i < nargs; i++) {
            if (i) rdb_buf_append_str(&b, ", ");
            sql_type_format(argtypes[i], &b);
        }
        rdb_err_set(err, RDB_SQL, "42883", "function %s(%.*s) does not exist", name, (int)b.len, b.data);
        rdb_err_hint(err, "No function matches the given name and argument types. You might need to add explicit type casts.");
        rdb_buf_free(&b);
        return RDB_SQL;
    }
    out->name = agg_names[found].name;
    out->nargs = nargs;
    if (nargs > 0) out->argtypes[0] = in;
    if (nargs > 1) out->argtypes[1] = (sql_type_t){ SQL_OID_TEXT, -1 };
    out->rettype = rt;
    out->strict = k != A_STRAGG; /* string_agg skips NULL values itself but accepts a NULL delimiter */
    out->init = agg_init;
    out->trans = agg_trans;
    /* agg_trans copies what it keeps (min/max, string_agg, numeric sums);
     * a kind added there that keeps pointers into args must clear this */
    out->copies_args = true;
    out->combine = agg_combine;
    out->final = agg_final;
    out->serialize = agg_serialize;
    out->deserialize = agg_deserialize;
    out->extra = (const void *)(intptr_t)k;
    return RDB_OK;
}
