/*
 * funcs.c — the operator and function registry and PG-style overload
 * resolution (exact match; implicit-coercible candidates; most exact
 * matches; preferred types; unknown literals take the other operand's
 * type or the string category), plus the built-in function bodies.
 */
#include <ctype.h>
#include <math.h>
#include <openssl/evp.h>
#include <regex.h>
#include <sys/random.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sql/types/types_int.h"

rdb_status_t sqlt_cast_value(sql_fn_ctx_t *ctx, sql_type_t from, sql_type_t to, bool explicit_,
                             const sql_value_t *in, sql_value_t *out, rdb_err_t *err);

#include "sql/types/fn_reg.h"

rdb_status_t sqlt_int_result(int64_t v, bool ovf, sql_type_t rt, sql_value_t *res, rdb_err_t *err)
{
    int64_t lo, hi;
    sqlt_int_range(rt.oid, &lo, &hi);
    if (ovf || v < lo || v > hi) return rdb_err_set(err, RDB_SQL, "22003", "%s out of range", sqlt_sql_name(rt.oid));
    *res = sql_int(v);
    return RDB_OK;
}

FN(int_add) { int64_t r; bool o = __builtin_add_overflow(A0.u.i, A1.u.i, &r); return sqlt_int_result(r, o, rettype, res, err); }
FN(int_sub) { int64_t r; bool o = __builtin_sub_overflow(A0.u.i, A1.u.i, &r); return sqlt_int_result(r, o, rettype, res, err); }
FN(int_mul) { int64_t r; bool o = __builtin_mul_overflow(A0.u.i, A1.u.i, &r); return sqlt_int_result(r, o, rettype, res, err); }
FN(int_div)
{
    if (A1.u.i == 0) return rdb_err_set(err, RDB_SQL, "22012", "division by zero");
    if (A1.u.i == -1) { int64_t r; bool o = __builtin_sub_overflow(0, A0.u.i, &r); return sqlt_int_result(r, o, rettype, res, err); }
    *res = sql_int(A0.u.i / A1.u.i);
    return RDB_OK;
}
FN(int_mod)
{
    if (A1.u.i == 0) return rdb_err_set(err, RDB_SQL, "22012", "division by zero");
    *res = sql_int(A1.u.i == -1 ? 0 : A0.u.i % A1.u.i);
    return RDB_OK;
}
FN(int_neg) { int64_t r; bool o = __builtin_sub_overflow(0, A0.u.i, &r); return sqlt_int_result(r, o, rettype, res, err); }
FN(int_abs) { int64_t r = A0.u.i; bool o = false; if (r < 0) o = __builtin_sub_overflow(0, r, &r); return sqlt_int_result(r, o, rettype, res, err); }

static rdb_status_t float_result(double v, bool inputs_inf, bool zero_ok, sql_type_t rt, sql_value_t *res, rdb_err_t *err)
{
    if (rt.oid == SQL_OID_FLOAT4) v = (float)v;
    if (isinf(v) && !inputs_inf) return rdb_err_set(err, RDB_SQL, "22003", "value out of range: overflow");
    *res = sql_float(v);
    (void)zero_ok;
    return RDB_OK;
}
#define FINF (isinf(A0.u.f) || isinf(A1.u.f))
FN(flt_add) { return float_result(A0.u.f + A1.u.f, FINF, true, rettype, res, err); }
FN(flt_sub) { return float_result(A0.u.f - A1.u.f, FINF, true, rettype, res, err); }
FN(flt_mul) { return float_result(A0.u.f * A1.u.f, FINF, true, rettype, res, err); }
FN(flt_div)
{
    if (A1.u.f == 0) return rdb_err_set(err, RDB_SQL, "22012", "division by zero");
    return float_result(A0.u.f / A1.u.f, FINF, true, rettype, res, err);
}
FN(flt_neg) { *res = sql_float(-A0.u.f); return RDB_OK; }
FN(flt_abs) { *res = sql_float(fabs(A0.u.f)); return RDB_OK; }

FN(num_add) { return sqlt_numeric_arith(ctx->arena, '+', &A0, &A1, res, err); }
FN(num_sub) { return sqlt_numeric_arith(ctx->arena, '-', &A0, &A1, res, err); }
FN(num_mul) { return sqlt_numeric_arith(ctx->arena, '*', &A0, &A1, res, err); }
FN(num_div) { return sqlt_numeric_arith(ctx->arena, '/', &A0, &A1, res, err); }
FN(num_mod) { return sqlt_numeric_arith(ctx->arena, '%', &A0, &A1, res, err); }
FN(num_neg) { *res = sqlt_numeric_neg(ctx->arena, &A0); return RDB_OK; }
FN(num_abs) { *res = A0; if (sqlt_numeric_cmp(&A0, &(sql_value_t){ .u.v = { "+\0\0" "0", 4 } }) < 0) *res = sqlt_numeric_neg(ctx->arena, &A0); return RDB_OK; }

/* comparisons: one body per op, using sql_value_cmp on argtypes[0] */
FN(cmp_eq) { *res = sql_bool(sql_value_cmp(argtypes[0], &A0, &A1) == 0); return RDB_OK; }
FN(cmp_ne) { *res = sql_bool(sql_value_cmp(argtypes[0], &A0, &A1) != 0); return RDB_OK; }
FN(cmp_lt) { *res = sql_bool(sql_value_cmp(argtypes[0], &A0, &A1) < 0); return RDB_OK; }
FN(cmp_le) { *res = sql_bool(sql_value_cmp(argtypes[0], &A0, &A1) <= 0); return RDB_OK; }
FN(cmp_gt) { *res = sql_bool(sql_value_cmp(argtypes[0], &A0, &A1) > 0); return RDB_OK; }
FN(cmp_ge) { *res = sql_bool(sql_value_cmp(argtypes[0], &A0, &A1) >= 0); return RDB_OK; }
FN(bool_not) { *res = sql_bool(!A0.u.b); return RDB_OK; }

sql_value_t sqlt_text_result(rdb_arena_t *a, const char *p, size_t n)
{
    char *d = rdb_arena_alloc(a, n ? n : 1);
    if (n) memcpy(d, p, n);
    return sql_bytes(d, (uint32_t)n);
}

static void as_text(sql_fn_ctx_t *ctx, sql_type_t t, const sql_value_t *v, rdb_buf_t *b)
{
    sql_value_out(ctx->settings, t, v, b);
}

FN(text_cat)
{
    rdb_buf_t b;
    rdb_buf_init(&b, 64);
    for (int k = 0; k < 2; k++) {
        size_t from = b.len;
        if (argtypes[k].oid == SQL_OID_BOOL) /* || casts to text: 'true', not the output 't' */
            rdb_buf_append_str(&b, args[k].u.b ? "true" : "false");
        else
            as_text(ctx, argtypes[k], &args[k], &b);
        if (argtypes[k].oid == SQL_OID_BPCHAR) /* bpchar -> text drops the padding */
            while (b.len > from && b.data[b.len - 1] == ' ') b.len--;
    }
    *res = sqlt_text_result(ctx->arena, b.data, b.len);
    rdb_buf_free(&b);
    return RDB_OK;
}

/* LIKE with % _ and backslash escape; ci = ILIKE (ASCII case folding). */
static bool like_match(const char *s, size_t sn, const char *p, size_t pn, bool ci)
{
    size_t si = 0, pi = 0, star_p = (size_t)-1, star_s = 0;
    while (si < sn) {
        if (pi < pn && p[pi] == '%') { star_p = ++pi; star_s = si; continue; }
        if (pi < pn) {
            char pc = p[pi];
            size_t adv = 1;
            bool any = pc == '_';
            if (pc == '\\' && pi + 1 < pn) { pc = p[pi + 1]; adv = 2; any = false; }
            /* '_' matches one UTF-8 character */
            if (any) {
                size_t k = si + 1;
                while (k < sn && ((unsigned char)s[k] & 0xC0) == 0x80) k++;
                si = k; pi += 1; continue;
            }
            if (ci ? tolower((unsigned char)pc) == tolower((unsigned char)s[si]) : pc == s[si]) { si++; pi += adv; continue; }
        }
        if (star_p == (size_t)-1) return false;
        pi = star_p;
        si = ++star_s;
    }
    while (pi < pn && p[pi] == '%') pi++;
    return pi == pn;
}
FN(op_like) { *res = sql_bool(like_match(TXT(A0), TXT(A1), false)); return RDB_OK; }
FN(op_nlike) { *res = sql_bool(!like_match(TXT(A0), TXT(A1), false)); return RDB_OK; }
FN(op_ilike) { *res = sql_bool(like_match(TXT(A0), TXT(A1), true)); return RDB_OK; }
FN(op_nilike) { *res = sql_bool(!like_match(TXT(A0), TXT(A1), true)); return RDB_OK; }

static rdb_status_t regex_match(sql_fn_ctx_t *ctx, const sql_value_t *s, const sql_value_t *p, bool ci,
                                bool *m, rdb_err_t *err)
{
    char *str = rdb_arena_strndup(ctx->arena, s->u.v.ptr, s->u.v.len);
    regex_t re;
    if (sqlt_regex_compile(ctx->arena, p->u.v.ptr, p->u.v.len, ci, true, &re, err) != RDB_OK)
        return RDB_SQL;
    *m = regexec(&re, str, 0, NULL, 0) == 0;
    regfree(&re);
    return RDB_OK;
}
FN(op_re) { bool m = false; rdb_status_t s = regex_match(ctx, &A0, &A1, false, &m, err); *res = sql_bool(m); return s; }
FN(op_nre) { bool m = false; rdb_status_t s = regex_match(ctx, &A0, &A1, false, &m, err); *res = sql_bool(!m); return s; }
FN(op_rei) { bool m = false; rdb_status_t s = regex_match(ctx, &A0, &A1, true, &m, err); *res = sql_bool(m); return s; }
FN(op_nrei) { bool m = false; rdb_status_t s = regex_match(ctx, &A0, &A1, true, &m, err); *res = sql_bool(!m); return s; }

/* date/time arithmetic */
static rdb_status_t ts_check(int64_t v, bool ovf, sql_value_t *res, rdb_err_t *err)
{
    if (ovf || v >= INT64_C(9223371331200000000) || v < INT64_C(-211813488000000000))
        return rdb_err_set(err, RDB_SQL, "22008", "timestamp out of range");
    *res = sql_int(v);
    return RDB_OK;
}
rdb_status_t sqlt_ts_plus_iv(int64_t ts, const sql_interval_t *iv, int sg, sql_value_t *res, rdb_err_t *err)
{
    if (ts == INT64_MAX || ts == INT64_MIN) { *res = sql_int(ts); return RDB_OK; }
    if (iv->months) {
        int64_t days = ts / USECS_PER_DAY, us = ts % USECS_PER_DAY;
        if (us < 0) { us += USECS_PER_DAY; days--; }
        int64_t y; int m, d;
        sqlt_civil_from_days(days, &y, &m, &d);
        int64_t mm = y * 12 + (m - 1) + sg * (int64_t)iv->months;
        y = mm >= 0 ? mm / 12 : -((-mm + 11) / 12);
        m = (int)(mm - y * 12) + 1;
        static const int dm[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
        int mx = dm[m - 1] + (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
        if (d > mx) d = mx;
        ts = sqlt_days_from_civil(y, m, d) * USECS_PER_DAY + us;
    }
    int64_t r;
    bool o = __builtin_add_overflow(ts, sg * (int64_t)iv->days * USECS_PER_DAY, &r);
    o |= __builtin_add_overflow(r, sg * iv->usec, &r);
    return ts_check(r, o, res, err);
}
FN(ts_add_iv) { return sqlt_ts_plus_iv(A0.u.i, &A1.u.iv, 1, res, err); }
FN(iv_add_ts) { return sqlt_ts_plus_iv(A1.u.i, &A0.u.iv, 1, res, err); }
FN(ts_sub_iv) { return sqlt_ts_plus_iv(A0.u.i, &A1.u.iv, -1, res, err); }
FN(date_add_iv) { return sqlt_ts_plus_iv(A0.u.i * USECS_PER_DAY, &A1.u.iv, 1, res, err); }
FN(date_sub_iv) { return sqlt_ts_plus_iv(A0.u.i * USECS_PER_DAY, &A1.u.iv, -1, res, err); }
FN(ts_sub_ts)
{
    if (A0.u.i == INT64_MAX || A0.u.i == INT64_MIN || A1.u.i == INT64_MAX || A1.u.i == INT64_MIN)
        return rdb_err_set(err, RDB_SQL, "22008", "cannot subtract infinite timestamps");
    int64_t d = A0.u.i - A1.u.i;
    res->isnull = false;
    res->u.iv.months = 0;
    res->u.iv.days = (int32_t)(d / USECS_PER_DAY); /* justify_hours, as PG */
    res->u.iv.usec = d % USECS_PER_DAY;
    return RDB_OK;
}
FN(date_sub_date) { return sqlt_int_result(A0.u.i - A1.u.i, false, (sql_type_t){ SQL_OID_INT4, -1 }, res, err); }
FN(date_add_int)
{
    if (A0.u.i == INT32_MAX || A0.u.i == INT32_MIN || A1.u.i == INT32_MAX || A1.u.i == INT32_MIN) {
        /* infinite dates stay infinite */
        *res = argtypes[0].oid == SQL_OID_DATE ? A0 : A1;
        return RDB_OK;
    }
    int64_t r = A0.u.i + (nargs == 2 && argtypes[0].oid == SQL_OID_DATE ? A1.u.i : A0.u.i * 0 + A1.u.i);
    if (argtypes[0].oid != SQL_OID_DATE) r = A1.u.i + A0.u.i;
    if (r < -2451545 || r > 2145031948) return rdb_err_set(err, RDB_SQL, "22008", "date out of range");
    *res = sql_int(r);
    return RDB_OK;
}
FN(date_sub_int)
{
    if (A0.u.i == INT32_MAX || A0.u.i == INT32_MIN) { *res = A0; return RDB_OK; }
    int64_t r = A0.u.i - A1.u.i;
    if (r < -2451545 || r > 2145031948) return rdb_err_set(err, RDB_SQL, "22008", "date out of range");
    *res = sql_int(r);
    return RDB_OK;
}
rdb_status_t sqlt_iv_make(int64_t mo, int64_t d, int64_t us, sql_value_t *res, rdb_err_t *err)
{
    if (mo < INT32_MIN || mo > INT32_MAX || d < INT32_MIN || d > INT32_MAX)
        return rdb_err_set(err, RDB_SQL, "22008", "interval out of range");
    res->isnull = false;
    res->u.iv = (sql_interval_t){ us, (int32_t)d, (int32_t)mo };
    return RDB_OK;
}
FN(iv_add) { return sqlt_iv_make((int64_t)A0.u.iv.months + A1.u.iv.months, (int64_t)A0.u.iv.days + A1.u.iv.days, A0.u.iv.usec + A1.u.iv.usec, res, err); }
FN(iv_sub) { return sqlt_iv_make((int64_t)A0.u.iv.months - A1.u.iv.months, (int64_t)A0.u.iv.days - A1.u.iv.days, A0.u.iv.usec - A1.u.iv.usec, res, err); }
FN(iv_neg) { return sqlt_iv_make(-(int64_t)A0.u.iv.months, -(int64_t)A0.u.iv.days, -A0.u.iv.usec, res, err); }
/* PG's interval_mul / interval_div: fractional months become days (30
 * each), fractional days seconds rounded to µs, then the time part. */
static rdb_status_t iv_scale(const sql_interval_t *iv, double f, bool div, sql_value_t *res, rdb_err_t *err)
{
    double mo = div ? iv->months / f : iv->months * f, d = div ? iv->days / f : iv->days * f;
    if (isnan(mo) || isnan(d) || fabs(mo) > INT32_MAX || fabs(d) > INT32_MAX)
        return rdb_err_set(err, RDB_SQL, "22008", "interval out of range");
    int32_t rm = (int32_t)mo, rd = (int32_t)d;
    double month_rem_days = (mo - rm) * 30;
    if (div) month_rem_days = rint(month_rem_days * 1e6) / 1e6; /* PG 15's interval_div rounds it to µs */
    double sec_rem = (d - rd + month_rem_days - (int32_t)month_rem_days) * 86400.0;
    sec_rem = rint(sec_rem * 1e6) / 1e6;
    int64_t days = rd;
    if (fabs(sec_rem) >= 86400) {
        days += (int64_t)(sec_rem / 86400);
        sec_rem -= (double)(int64_t)(sec_rem / 86400) * 86400;
    }
    days += (int32_t)month_rem_days;
    double us = rint((div ? (double)iv->usec / f : (double)iv->usec * f) + sec_rem * 1e6);
    if (isnan(us) || fabs(us) >= 9.2233720368547758e18) return rdb_err_set(err, RDB_SQL, "22008", "interval out of range");
    return sqlt_iv_make(rm, days, (int64_t)us, res, err);
}
FN(iv_mul) { return iv_scale(&A0.u.iv, A1.u.f, false, res, err); }
FN(flt_mul_iv) { return iv_scale(&A1.u.iv, A0.u.f, false, res, err); }
FN(iv_div)
{
    if (A1.u.f == 0) return rdb_err_set(err, RDB_SQL, "22012", "division by zero");
    return iv_scale(&A0.u.iv, A1.u.f, true, res, err);
}

/* ---- string functions -------------------------------------------------- */

static size_t u8len(const char *s, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++) c += ((unsigned char)s[i] & 0xC0) != 0x80;
    return c;
}
static size_t u8off(const char *s, size_t n, int64_t chars)
{
    size_t i = 0;
    int64_t c = 0;
    if (chars <= 0) return 0;
    while (i < n) {
        if (((unsigned char)s[i] & 0xC0) != 0x80) { if (c == chars) break; c++; }
        i++;
    }
    return i;
}
FN(f_length)
{
    uint32_t n = A0.u.v.len;
    if (argtypes[0].oid == SQL_OID_BPCHAR) while (n > 0 && A0.u.v.ptr[n - 1] == ' ') n--;
    *res = sql_int((int64_t)u8len(A0.u.v.ptr, n));
    return RDB_OK;
}
FN(f_octet_length) { *res = sql_int(A0.u.v.len); return RDB_OK; }
FN(f_lower)
{
    char *d = rdb_arena_alloc(ctx->arena, A0.u.v.len + 1);
    for (uint32_t i = 0; i < A0.u.v.len; i++) d[i] = (char)tolower((unsigned char)A0.u.v.ptr[i]);
    *res = sql_bytes(d, A0.u.v.len);
    return RDB_OK;
}
FN(f_upper)
{
    char *d = rdb_arena_alloc(ctx->arena, A0.u.v.len + 1);
    for (uint32_t i = 0; i < A0.u.v.len; i++) d[i] = (char)toupper((unsigned char)A0.u.v.ptr[i]);
    *res = sql_bytes(d, A0.u.v.len);
    return RDB_OK;
}
FN(f_initcap)
{
    char *d = rdb_arena_alloc(ctx->arena, A0.u.v.len + 1);
    bool start = true;
    for (uint32_t i = 0; i < A0.u.v.len; i++) {
        unsigned char c = (unsigned char)A0.u.v.ptr[i];
        d[i] = (char)(start ? toupper(c) : tolower(c));
        start = !isalnum(c);
    }
    *res = sql_bytes(d, A0.u.v.len);
    return RDB_OK;
}
FN(f_substr)
{
    int64_t start = A1.u.i, cnt = nargs > 2 ? args[2].u.i : INT64_MAX / 4;
    if (nargs > 2 && cnt < 0) return rdb_err_set(err, RDB_SQL, "22011", "negative substring length not allowed");
    int64_t end = start + cnt;
    if (start < 1) start = 1;
    if (end <= start) { *res = sql_bytes("", 0); return RDB_OK; }
    size_t b = u8off(A0.u.v.ptr, A0.u.v.len, start - 1), e = u8off(A0.u.v.ptr, A0.u.v.len, end - 1);
    *res = sql_bytes(A0.u.v.ptr + b, (uint32_t)(e - b));
    return RDB_OK;
}
FN(f_strpos)
{
    if (A1.u.v.len == 0) { *res = sql_int(1); return RDB_OK; }
    const char *f = memmem(A0.u.v.ptr, A0.u.v.len, A1.u.v.ptr, A1.u.v.len);
    *res = sql_int(f ? (int64_t)u8len(A0.u.v.ptr, (size_t)(f - A0.u.v.ptr)) + 1 : 0);
    return RDB_OK;
}
static void do_trim(const sql_value_t *s, const char *set, size_t setn, bool l, bool r, sql_value_t *res)
{
    const char *p = s->u.v.ptr, *e = p + s->u.v.len;
    if (l) while (p < e && memchr(set, *p, setn)) p++;
    if (r) while (e > p && memchr(set, e[-1], setn)) e--;
    *res = sql_bytes(p, (uint32_t)(e - p));
}
FN(f_btrim) { do_trim(&A0, nargs > 1 ? A1.u.v.ptr : " ", nargs > 1 ? A1.u.v.len : 1, true, true, res); return RDB_OK; }
FN(f_ltrim) { do_trim(&A0, nargs > 1 ? A1.u.v.ptr : " ", nargs > 1 ? A1.u.v.len : 1, true, false, res); return RDB_OK; }
FN(f_rtrim) { do_trim(&A0, nargs > 1 ? A1.u.v.ptr : " ", nargs > 1 ? A1.u.v.len : 1, false, true, res); return RDB_OK; }
FN(f_replace)
{
    const sql_value_t *f = &A1, *t = &args[2];
    if (f->u.v.len == 0) { *res = A0; return RDB_OK; }
    rdb_buf_t b;
    rdb_buf_init(&b, A0.u.v.len + 16);
    const char *p = A0.u.v.ptr, *e = p + A0.u.v.len;
    while (p < e) {
        const char *m = memmem(p, (size_t)(e - p), f->u.v.ptr, f->u.v.len);
        if (!m) { rdb_buf_append(&b, p, (size_t)(e - p)); break; }
        rdb_buf_append(&b, p, (size_t)(m - p));
        rdb_buf_append(&b, t->u.v.ptr, t->u.v.len);
        p = m + f->u.v.len;
    }
    *res = sqlt_text_result(ctx->arena, b.data, b.len);
    rdb_buf_free(&b);
    return RDB_OK;
}
FN(f_split_part)
{
    int64_t n = args[2].u.i;
    if (n == 0) return rdb_err_set(err, RDB_SQL, "22023", "field position must not be zero");
    const char *p = A0.u.v.ptr, *e = p + A0.u.v.len;
    if (A1.u.v.len == 0) { *res = (n == 1 || n == -1) ? A0 : sql_bytes("", 0); return RDB_OK; }
    /* collect fields */
    int64_t cnt = 1;
    for (const char *q = p; (q = memmem(q, (size_t)(e - q), A1.u.v.ptr, A1.u.v.len)); q += A1.u.v.len) cnt++;
    if (n < 0) n = cnt + n + 1;
    if (n < 1 || n > cnt) { *res = sql_bytes("", 0); return RDB_OK; }
    for (int64_t i = 1; i < n; i++) p = (const char *)memmem(p, (size_t)(e - p), A1.u.v.ptr, A1.u.v.len) + A1.u.v.len;
    const char *m = memmem(p, (size_t)(e - p), A1.u.v.ptr, A1.u.v.len);
    *res = sql_bytes(p, (uint32_t)((m ? m : e) - p));
    return RDB_OK;
}
FN(f_concat)
{
    rdb_buf_t b;
    rdb_buf_init(&b, 64);
    for (int i = 0; i < nargs; i++)
        if (!args[i].isnull) as_text(ctx, argtypes[i], &args[i], &b);
    *res = sqlt_text_result(ctx->arena, b.data, b.len);
    rdb_buf_free(&b);
    return RDB_OK;
}
FN(f_concat_ws)
{
    if (A0.isnull) { *res = sql_null(); return RDB_OK; }
    rdb_buf_t b;
    rdb_buf_init(&b, 64);
    bool first = true;
    for (int i = 1; i < nargs; i++) {
        if (args[i].isnull) continue;
        if (!first) rdb_buf_append(&b, A0.u.v.ptr, A0.u.v.len);
        first = false;
        as_text(ctx, argtypes[i], &args[i], &b);
    }
    *res = sqlt_text_result(ctx->arena, b.data, b.len);
    rdb_buf_free(&b);
    return RDB_OK;
}
FN(f_left)
{
    int64_t n = A1.u.i, len = (int64_t)u8len(TXT(A0));
    if (n < 0) n = len + n;
    if (n < 0) n = 0;
    *res = sql_bytes(A0.u.v.ptr, (uint32_t)u8off(A0.u.v.ptr, A0.u.v.len, n));
    return RDB_OK;
}
FN(f_right)
{
    int64_t n = A1.u.i, len = (int64_t)u8len(TXT(A0));
    int64_t skip = n < 0 ? -n : len - n;
    if (skip < 0) skip = 0;
    size_t o = u8off(A0.u.v.ptr, A0.u.v.len, skip);
    *res = sql_bytes(A0.u.v.ptr + o, A0.u.v.len - (uint32_t)o);
    return RDB_OK;
}
static rdb_status_t pad(sql_fn_ctx_t *ctx, int nargs, const sql_value_t *args, bool left, sql_value_t *res, rdb_err_t *err)
{
    int64_t n = A1.u.i;
    const char *f = nargs > 2 ? args[2].u.v.ptr : " ";
    size_t fn = nargs > 2 ? args[2].u.v.len : 1;
    if (n > 10 * 1024 * 1024) return rdb_err_set(err, RDB_SQL, "54000", "requested length too large");
    int64_t len = (int64_t)u8len(TXT(A0));
    if (n <= len || fn == 0) {
        if (n < 0) n = 0;
        *res = sql_bytes(A0.u.v.ptr, (uint32_t)u8off(A0.u.v.ptr, A0.u.v.len, n < len ? n : len));
        return RDB_OK;
    }
    rdb_buf_t b;
    rdb_buf_init(&b, (size_t)n * 2 + A0.u.v.len);
    if (!left) rdb_buf_append(&b, A0.u.v.ptr, A0.u.v.len);
    int64_t need = n - len;
    size_t fi = 0;
    while (need-- > 0) {
        size_t k = fi + 1;
        while (k < fn && ((unsigned char)f[k] & 0xC0) == 0x80) k++;
        rdb_buf_append(&b, f + fi, k - fi);
        fi = k >= fn ? 0 : k;
    }
    if (left) rdb_buf_append(&b, A0.u.v.ptr, A0.u.v.len);
    *res = sqlt_text_result(ctx->arena, b.data, b.len);
    rdb_buf_free(&b);
    return RDB_OK;
}
FN(f_lpad) { return pad(ctx, nargs, args, true, res, err); }
FN(f_rpad) { return pad(ctx, nargs, args, false, res, err); }
FN(f_repeat)
{
    int64_t n = A1.u.i < 0 ? 0 : A1.u.i;
    if ((uint64_t)n * A0.u.v.len > 256u * 1024 * 1024) return rdb_err_set(err, RDB_SQL, "54000", "requested length too large");
    size_t tot = (size_t)n * A0.u.v.len;
    char *d = rdb_arena_alloc(ctx->arena, tot ? tot : 1);
    for (int64_t i = 0; i < n; i++) memcpy(d + (size_t)i * A0.u.v.len, A0.u.v.ptr, A0.u.v.len);
    *res = sql_bytes(d, (uint32_t)tot);
    return RDB_OK;
}
FN(f_reverse)
{
    uint32_t n = A0.u.v.len;
    char *d = rdb_arena_alloc(ctx->arena, n ? n : 1);
    const char *s = A0.u.v.ptr;
    uint32_t i = 0;
    while (i < n) {
        uint32_t k = i + 1;
        while (k < n && ((unsigned char)s[k] & 0xC0) == 0x80) k++;
        memcpy(d + (n - k), s + i, k - i);
        i = k;
    }
    *res = sql_bytes(d, n);
    return RDB_OK;
}
FN(f_starts_with) { *res = sql_bool(A0.u.v.len >= A1.u.v.len && memcmp(A0.u.v.ptr, A1.u.v.ptr, A1.u.v.len) == 0); return RDB_OK; }
FN(f_chr)
{
    int64_t c = A0.u.i;
    if (c <= 0) return rdb_err_set(err, RDB_SQL, "54000", "null character not permitted");
    if (c > 0x10FFFF) return rdb_err_set(err, RDB_SQL, "54000", "requested character too large for encoding: %lld", (long long)c);
    char b[4];
    uint32_t n;
    if (c < 0x80) { b[0] = (char)c; n = 1; }
    else if (c < 0x800) { b[0] = (char)(0xC0 | (c >> 6)); b[1] = (char)(0x80 | (c & 0x3F)); n = 2; }
    else if (c < 0x10000) { b[0] = (char)(0xE0 | (c >> 12)); b[1] = (char)(0x80 | ((c >> 6) & 0x3F)); b[2] = (char)(0x80 | (c & 0x3F)); n = 3; }
    else { b[0] = (char)(0xF0 | (c >> 18)); b[1] = (char)(0x80 | ((c >> 12) & 0x3F)); b[2] = (char)(0x80 | ((c >> 6) & 0x3F)); b[3] = (char)(0x80 | (c & 0x3F)); n = 4; }
    *res = sqlt_text_result(ctx->arena, b, n);
    return RDB_OK;
}
FN(f_to_hex)
{
    char b[24];
    int n = argtypes[0].oid == SQL_OID_INT4 ? snprintf(b, sizeof b, "%x", (unsigned)(uint32_t)A0.u.i)
                                            : snprintf(b, sizeof b, "%llx", (unsigned long long)A0.u.i);
    *res = sqlt_text_result(ctx->arena, b, (size_t)n);
    return RDB_OK;
}

/* ---- math ---------------------------------------------------------------- */
static double fget(const sql_type_t *t, const sql_value_t *v)
{
    return sqlt_kind(t->oid) == K_INT ? (double)v->u.i : sqlt_kind(t->oid) == K_NUMERIC ? sqlt_numeric_to_double(v) : v->u.f;
}
FN(f_ceil) { *res = sql_float(ceil(A0.u.f)); return RDB_OK; }
FN(f_floor) { *res = sql_float(floor(A0.u.f)); return RDB_OK; }
FN(f_round) { *res = sql_float(rint(A0.u.f)); return RDB_OK; }
FN(f_trunc) { *res = sql_float(trunc(A0.u.f)); return RDB_OK; }
FN(f_sign) { *res = sql_float(A0.u.f > 0 ? 1 : A0.u.f < 0 ? -1 : 0); return RDB_OK; }
FN(n_round) { return sqlt_numeric_round(ctx->arena, &A0, nargs > 1 ? (int)A1.u.i : 0, false, res, err); }
FN(n_trunc) { return sqlt_numeric_round(ctx->arena, &A0, nargs > 1 ? (int)A1.u.i : 0, true, res, err); }
FN(n_ceil)
{
    sql_value_t t;
    sqlt_numeric_round(ctx->arena, &A0, 0, true, &t, err);
    if (sqlt_numeric_cmp(&t, &A0) < 0) { sql_value_t one = sqlt_numeric_from_int(ctx->arena, 1); return sqlt_numeric_arith(ctx->arena, '+', &t, &one, res, err); }
    *res = t;
    return RDB_OK;
}
FN(n_floor)
{
    sql_value_t t;
    sqlt_numeric_round(ctx->arena, &A0, 0, true, &t, err);
    if (sqlt_numeric_cmp(&t, &A0) > 0) { sql_value_t one = sqlt_numeric_from_int(ctx->arena, 1); return sqlt_numeric_arith(ctx->arena, '-', &t, &one, res, err); }
    *res = t;
    return RDB_OK;
}
FN(f_sqrt)
{
    double d = fget(&argtypes[0], &A0);
    if (d < 0) return rdb_err_set(err, RDB_SQL, "2201F", "cannot take square root of a negative number");
    *res = sql_float(sqrt(d));
    return RDB_OK;
}
FN(f_cbrt) { *res = sql_float(cbrt(A0.u.f)); return RDB_OK; }
FN(f_exp) { double r = exp(A0.u.f); if (isinf(r) && !isinf(A0.u.f)) return rdb_err_set(err, RDB_SQL, "22003", "value out of range: overflow"); *res = sql_float(r); return RDB_OK; }
FN(f_ln)
{
    if (A0.u.f == 0) return rdb_err_set(err, RDB_SQL, "2201E", "cannot take logarithm of zero");
    if (A0.u.f < 0) return rdb_err_set(err, RDB_SQL, "2201E", "cannot take logarithm of a negative number");
    *res = sql_float(log(A0.u.f));
    return RDB_OK;
}
FN(f_log10)
{
    if (A0.u.f == 0) return rdb_err_set(err, RDB_SQL, "2201E", "cannot take logarithm of zero");
    if (A0.u.f < 0) return rdb_err_set(err, RDB_SQL, "2201E", "cannot take logarithm of a negative number");
    *res = sql_float(log10(A0.u.f));
    return RDB_OK;
}
FN(f_power)
{
    if (A0.u.f == 0 && A1.u.f < 0) return rdb_err_set(err, RDB_SQL, "2201F", "zero raised to a negative power is undefined");
    if (A0.u.f < 0 && floor(A1.u.f) != A1.u.f) return rdb_err_set(err, RDB_SQL, "2201F", "a negative number raised to a non-integer power yields a complex result");
    double r = pow(A0.u.f, A1.u.f);
    if (isinf(r) && !isinf(A0.u.f) && !isinf(A1.u.f)) return rdb_err_set(err, RDB_SQL, "22003", "value out of range: overflow");
    *res = sql_float(r);
    return RDB_OK;
}
FN(f_pi) { *res = sql_float(M_PI); return RDB_OK; }
FN(f_random)
{
    static __thread uint64_t s;
    if (!s) s = (uint64_t)(uintptr_t)&s ^ 0x9E3779B97F4A7C15ull ^ (uint64_t)ctx->stmt_ts;
    s ^= s << 13; s ^= s >> 7; s ^= s << 17;
    *res = sql_float((double)(s >> 11) / 9007199254740992.0);
    return RDB_OK;
}
FN(f_width_bucket)
{
    double op = A0.u.f, lo = A1.u.f, hi = args[2].u.f;
    int64_t n = args[3].u.i;
    if (n <= 0) return rdb_err_set(err, RDB_SQL, "2201G", "count must be greater than zero");
    if (lo == hi) return rdb_err_set(err, RDB_SQL, "2201G", "lower bound cannot equal upper bound");
    int64_t r;
    if (lo < hi) r = op < lo ? 0 : op >= hi ? n + 1 : (int64_t)((op - lo) / (hi - lo) * (double)n) + 1;
    else r = op > lo ? 0 : op <= hi ? n + 1 : (int64_t)((lo - op) / (lo - hi) * (double)n) + 1;
    *res = sql_int(r);
    return RDB_OK;
}
FN(i_mod) { return int_mod(ctx, nargs, args, argtypes, rettype, res, err); }

/* ---- date/time functions ------------------------------------------------- */
FN(f_now) { *res = sql_int(ctx->txn_ts); return RDB_OK; }
FN(f_stmt_ts) { *res = sql_int(ctx->stmt_ts); return RDB_OK; }
FN(f_current_date) { int64_t d = ctx->txn_ts / USECS_PER_DAY; if (ctx->txn_ts % USECS_PER_DAY < 0) d--; *res = sql_int(d); return RDB_OK; }
FN(f_clock_ts)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    *res = sql_int(((int64_t)ts.tv_sec - INT64_C(946684800)) * USECS_PER_SEC + ts.tv_nsec / 1000);
    return RDB_OK;
}
FN(f_md5)
{
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    if (!EVP_Digest(A0.u.v.ptr, A0.u.v.len, d, &n, EVP_md5(), NULL) || n != 16)
        return rdb_err_set(err, RDB_SQL, "XX000", "could not compute MD5 hash");
    char *h = rdb_arena_alloc(ctx->arena, 32);
    for (int i = 0; i < 16; i++) { h[2 * i] = "0123456789abcdef"[d[i] >> 4]; h[2 * i + 1] = "0123456789abcdef"[d[i] & 15]; }
    *res = sql_bytes(h, 32);
    return RDB_OK;
}
FN(f_gen_uuid)
{
    unsigned char *u = rdb_arena_alloc(ctx->arena, 16);
    if (getrandom(u, 16, 0) != 16) return rdb_err_set(err, RDB_SQL, "XX000", "could not generate random values");
    u[6] = (unsigned char)((u[6] & 0x0F) | 0x40);
    u[8] = (unsigned char)((u[8] & 0x3F) | 0x80);
    *res = sql_bytes((const char *)u, 16);
    return RDB_OK;
}

FN(unary_plus) { *res = A0; return RDB_OK; }
FN(op_json_get) { return sqlt_json_get(ctx, &A0, argtypes[0].oid, &A1, argtypes[1].oid, false, res, err); }
FN(op_json_get_text) { return sqlt_json_get(ctx, &A0, argtypes[0].oid, &A1, argtypes[1].oid, true, res, err); }

/* ---- registry ---------------------------------------------------------- */

#define ARITH(t, add, sub, mul, div, neg) \
    { "+", 2, { t, t }, t, add, 0 }, { "-", 2, { t, t }, t, sub, 0 }, \
    { "*", 2, { t, t }, t, mul, 0 }, { "/", 2, { t, t }, t, div, 0 }, \
    { "-", 1, { t }, t, neg, 0 }, { "+", 1, { t }, t, unary_plus, 0 }
#define CMP(t) \
    { "=", 2, { t, t }, BO, cmp_eq, 0 }, { "<>", 2, { t, t }, BO, cmp_ne, 0 }, \
    { "<", 2, { t, t }, BO, cmp_lt, 0 }, { "<=", 2, { t, t }, BO, cmp_le, 0 }, \
    { ">", 2, { t, t }, BO, cmp_gt, 0 }, { ">=", 2, { t, t }, BO, cmp_ge, 0 }

static const fdef_t ops[] = {
    ARITH(I2, int_add, int_sub, int_mul, int_div, int_neg), ARITH(I4, int_add, int_sub, int_mul, int_div, int_neg),
    ARITH(I8, int_add, int_sub, int_mul, int_div, int_neg), ARITH(F4, flt_add, flt_sub, flt_mul, flt_div, flt_neg),
    ARITH(F8, flt_add, flt_sub, flt_mul, flt_div, flt_neg), ARITH(NU, num_add, num_sub, num_mul, num_div, num_neg),
    /* PG's float48 / float84 cross-type operators */
    { "+", 2, { F4, F8 }, F8, flt_add, 0 }, { "-", 2, { F4, F8 }, F8, flt_sub, 0 },
    { "*", 2, { F4, F8 }, F8, flt_mul, 0 }, { "/", 2, { F4, F8 }, F8, flt_div, 0 },
    { "+", 2, { F8, F4 }, F8, flt_add, 0 }, { "-", 2, { F8, F4 }, F8, flt_sub, 0 },
    { "*", 2, { F8, F4 }, F8, flt_mul, 0 }, { "/", 2, { F8, F4 }, F8, flt_div, 0 },
    { "%", 2, { I2, I2 }, I2, int_mod, 0 }, { "%", 2, { I4, I4 }, I4, int_mod, 0 },
    { "%", 2, { I8, I8 }, I8, int_mod, 0 }, { "%", 2, { NU, NU }, NU, num_mod, 0 },
    CMP(I2), CMP(I4), CMP(I8), CMP(F4), CMP(F8), CMP(NU), CMP(TX), CMP(BP), CMP(BO), CMP(DA),
    CMP(TM), CMP(TS), CMP(TZ), CMP(IV), CMP(BY), CMP(UU), CMP(SQL_OID_OID), CMP(SQL_OID_NAME),
    CMP(SQL_OID_INET),
    { "||", 2, { TX, TX }, TX, text_cat, 0 }, { "||", 2, { TX, AE }, TX, text_cat, 0 },
    { "||", 2, { AE, TX }, TX, text_cat, 0 },
    { "~~", 2, { TX, TX }, BO, op_like, 0 }, { "!~~", 2, { TX, TX }, BO, op_nlike, 0 },
    { "~~*", 2, { TX, TX }, BO, op_ilike, 0 }, { "!~~*", 2, { TX, TX }, BO, op_nilike, 0 },
    { "~", 2, { TX, TX }, BO, op_re, 0 }, { "!~", 2, { TX, TX }, BO, op_nre, 0 },
    { "~*", 2, { TX, TX }, BO, op_rei, 0 }, { "!~*", 2, { TX, TX }, BO, op_nrei, 0 },
    { "+", 2, { TS, IV }, TS, ts_add_iv, 0 }, { "+", 2, { IV, TS }, TS, iv_add_ts, 0 },
    { "-", 2, { TS, IV }, TS, ts_sub_iv, 0 },
    { "+", 2, { DA, IV }, TS, date_add_iv, 0 }, { "-", 2, { DA, IV }, TS, date_sub_iv, 0 },
    { "-", 2, { TS, TS }, IV, ts_sub_ts, 0 }, { "-", 2, { TZ, TZ }, IV, ts_sub_ts, 0 },
    { "-", 2, { DA, DA }, I4, date_sub_date, 0 }, { "+", 2, { DA, I4 }, DA, date_add_int, 0 },
    { "+", 2, { I4, DA }, DA, date_add_int, 0 }, { "-", 2, { DA, I4 }, DA, date_sub_int, 0 },
    { "+", 2, { IV, IV }, IV, iv_add, 0 }, { "-", 2, { IV, IV }, IV, iv_sub, 0 },
    { "-", 1, { IV }, IV, iv_neg, 0 }, { "*", 2, { IV, F8 }, IV, iv_mul, 0 },
    { "*", 2, { F8, IV }, IV, flt_mul_iv, 0 }, { "/", 2, { IV, F8 }, IV, iv_div, 0 },
    { "NOT", 1, { BO }, BO, bool_not, 0 },
    { "->", 2, { SQL_OID_JSONB, TX }, SQL_OID_JSONB, op_json_get, 0 },
    { "->", 2, { SQL_OID_JSONB, I4 }, SQL_OID_JSONB, op_json_get, 0 },
    { "->>", 2, { SQL_OID_JSONB, TX }, TX, op_json_get_text, 0 },
    { "->>", 2, { SQL_OID_JSONB, I4 }, TX, op_json_get_text, 0 },
    { "->", 2, { SQL_OID_JSON, TX }, SQL_OID_JSON, op_json_get, 0 },
    { "->", 2, { SQL_OID_JSON, I4 }, SQL_OID_JSON, op_json_get, 0 },
    { "->>", 2, { SQL_OID_JSON, TX }, TX, op_json_get_text, 0 },
    { "->>", 2, { SQL_OID_JSON, I4 }, TX, op_json_get_text, 0 },
};

static const fdef_t funcs[] = {
    { "length", 1, { TX }, I4, f_length, 0 }, { "length", 1, { BP }, I4, f_length, 0 },
    { "char_length", 1, { TX }, I4, f_length, 0 }, { "character_length", 1, { TX }, I4, f_length, 0 },
    { "octet_length", 1, { TX }, I4, f_octet_length, 0 }, { "length", 1, { BY }, I4, f_octet_length, 0 },
    { "octet_length", 1, { BY }, I4, f_octet_length, 0 },
    { "lower", 1, { TX }, TX, f_lower, 0 }, { "upper", 1, { TX }, TX, f_upper, 0 },
    { "initcap", 1, { TX }, TX, f_initcap, 0 },
    { "substr", 2, { TX, I4 }, TX, f_substr, 0 }, { "substr", 3, { TX, I4, I4 }, TX, f_substr, 0 },
    { "substring", 2, { TX, I4 }, TX, f_substr, 0 }, { "substring", 3, { TX, I4, I4 }, TX, f_substr, 0 },
    { "strpos", 2, { TX, TX }, I4, f_strpos, 0 }, { "position", 2, { TX, TX }, I4, f_strpos, 0 },
    { "btrim", 1, { TX }, TX, f_btrim, 0 }, { "btrim", 2, { TX, TX }, TX, f_btrim, 0 },
    { "ltrim", 1, { TX }, TX, f_ltrim, 0 }, { "ltrim", 2, { TX, TX }, TX, f_ltrim, 0 },
    { "rtrim", 1, { TX }, TX, f_rtrim, 0 }, { "rtrim", 2, { TX, TX }, TX, f_rtrim, 0 },
    { "replace", 3, { TX, TX, TX }, TX, f_replace, 0 },
    { "split_part", 3, { TX, TX, I4 }, TX, f_split_part, 0 },
    { "concat", 1, { AE }, TX, f_concat, F_VARIADIC | F_NONSTRICT },
    { "concat_ws", 2, { TX, AE }, TX, f_concat_ws, F_VARIADIC | F_NONSTRICT },
    { "left", 2, { TX, I4 }, TX, f_left, 0 }, { "right", 2, { TX, I4 }, TX, f_right, 0 },
    { "lpad", 2, { TX, I4 }, TX, f_lpad, 0 }, { "lpad", 3, { TX, I4, TX }, TX, f_lpad, 0 },
    { "rpad", 2, { TX, I4 }, TX, f_rpad, 0 }, { "rpad", 3, { TX, I4, TX }, TX, f_rpad, 0 },
    { "repeat", 2, { TX, I4 }, TX, f_repeat, 0 }, { "reverse", 1, { TX }, TX, f_reverse, 0 },
    { "starts_with", 2, { TX, TX }, BO, f_starts_with, 0 },
    { "chr", 1, { I4 }, TX, f_chr, 0 },
    { "to_hex", 1, { I4 }, TX, f_to_hex, 0 }, { "to_hex", 1, { I8 }, TX, f_to_hex, 0 },
    { "abs", 1, { I2 }, I2, int_abs, 0 }, { "abs", 1, { I4 }, I4, int_abs, 0 },
    { "abs", 1, { I8 }, I8, int_abs, 0 }, { "abs", 1, { F4 }, F4, flt_abs, 0 },
    { "abs", 1, { F8 }, F8, flt_abs, 0 }, { "abs", 1, { NU }, NU, num_abs, 0 },
    { "ceil", 1, { F8 }, F8, f_ceil, 0 }, { "ceiling", 1, { F8 }, F8, f_ceil, 0 },
    { "floor", 1, { F8 }, F8, f_floor, 0 }, { "round", 1, { F8 }, F8, f_round, 0 },
    { "trunc", 1, { F8 }, F8, f_trunc, 0 }, { "sign", 1, { F8 }, F8, f_sign, 0 },
    { "ceil", 1, { NU }, NU, n_ceil, 0 }, { "ceiling", 1, { NU }, NU, n_ceil, 0 },
    { "floor", 1, { NU }, NU, n_floor, 0 },
    { "round", 1, { NU }, NU, n_round, 0 }, { "round", 2, { NU, I4 }, NU, n_round, 0 },
    { "trunc", 1, { NU }, NU, n_trunc, 0 }, { "trunc", 2, { NU, I4 }, NU, n_trunc, 0 },
    { "mod", 2, { I2, I2 }, I2, i_mod, 0 }, { "mod", 2, { I4, I4 }, I4, i_mod, 0 },
    { "mod", 2, { I8, I8 }, I8, i_mod, 0 }, { "mod", 2, { NU, NU }, NU, num_mod, 0 },
    { "sqrt", 1, { F8 }, F8, f_sqrt, 0 }, { "cbrt", 1, { F8 }, F8, f_cbrt, 0 },
    { "exp", 1, { F8 }, F8, f_exp, 0 }, { "ln", 1, { F8 }, F8, f_ln, 0 },
    { "log", 1, { F8 }, F8, f_log10, 0 }, { "log10", 1, { F8 }, F8, f_log10, 0 },
    { "power", 2, { F8, F8 }, F8, f_power, 0 }, { "pow", 2, { F8, F8 }, F8, f_power, 0 },
    { "pi", 0, { 0 }, F8, f_pi, 0 }, { "random", 0, { 0 }, F8, f_random, F_VOLATILE },
    { "width_bucket", 4, { F8, F8, F8, I4 }, I4, f_width_bucket, 0 },
    { "now", 0, { 0 }, TZ, f_now, F_STABLE }, { "transaction_timestamp", 0, { 0 }, TZ, f_now, F_STABLE },
    { "current_timestamp", 0, { 0 }, TZ, f_now, F_STABLE },
    { "statement_timestamp", 0, { 0 }, TZ, f_stmt_ts, F_STABLE },
    { "clock_timestamp", 0, { 0 }, TZ, f_clock_ts, F_VOLATILE },
    { "md5", 1, { TX }, TX, f_md5, 0 }, { "md5", 1, { BY }, TX, f_md5, 0 },
    { "current_date", 0, { 0 }, DA, f_current_date, F_STABLE },
    { "gen_random_uuid", 0, { 0 }, UU, f_gen_uuid, F_VOLATILE },
};

static int32_t cat_of(uint32_t oid)
{
    const sql_typeinfo_t *ti = sql_type_by_oid(oid);
    return ti ? ti->category : 'X';
}
static bool preferred(uint32_t oid)
{
    const sql_typeinfo_t *ti = sql_type_by_oid(oid);
    return ti && ti->preferred;
}

static bool poly(uint32_t o) { return o == AE || o == SQL_OID_ANY; }

typedef struct { const fdef_t *d; int exact; int pref; int strcat; bool ap; sql_type_t rt[SQL_MAX_FN_ARGS]; sql_type_t ret; } cand_t;
typedef struct { const fdef_t *t; size_t n; } ftab_t;

size_t sqlt_fdef_count(const fdef_t *t)
{
    size_t n = 0;
    while (t[n].name) n++;
    return n;
}

static rdb_status_t resolve(const ftab_t *tabs, int ntabs, const char *name, int nargs,
                            const sql_type_t *at, bool is_op, sql_resolved_fn_t *out, rdb_err_t *err)
{
    cand_t c[64];
    int nc = 0;
    for (int ti = 0; ti < ntabs; ti++)
    for (size_t i = 0; i < tabs[ti].n && nc < 64; i++) {
        const fdef_t *d = &tabs[ti].t[i];
        if (strcasecmp(d->name, name) != 0) continue;
        bool var = d->flags & F_VARIADIC;
        if (var ? nargs < d->nargs : d->nargs != nargs) continue;
        if (sqlt_fdef_anycompat(d)) {   /* anyarray / anycompatible(array): array.c */
            cand_t *x = &c[nc];
            if (!sqlt_anycompat_match(d, nargs, at, x->rt, &x->ret, &x->exact)) continue;
            x->d = d;
            x->pref = x->strcat = 0;
            x->ap = true;
            nc++;
            continue;
        }
        bool ok = true;
        int exact = 0, pref = 0, sc = 0;
        for (int k = 0; k < nargs && ok; k++) {
            uint32_t want = d->args[k < d->nargs ? k : d->nargs - 1];
            uint32_t have = at[k].oid;
            if (poly(want)) {
                if (is_op && have == SQL_OID_UNKNOWN) ok = false; /* text || unknown is text || text */
                continue;
            }
            if (have == want) { exact++; continue; }
            if (have == SQL_OID_UNKNOWN) {
                if (cat_of(want) == 'S') sc++;
                if (preferred(want)) pref++;
                continue;
            }
            if (!sql_type_can_coerce(at[k], (sql_type_t){ want, -1 }, SQL_CAST_IMPLICIT)) ok = false;
            else if (preferred(want)) pref++;
        }
        if (!ok) continue;
        c[nc].d = d;
        c[nc].exact = exact;
        c[nc].pref = pref;
        c[nc].strcat = sc;
        c[nc++].ap = false;
    }
    const fdef_t *best = NULL;
    if (nc == 1) best = c[0].d;
    else if (nc > 1) {
        /* binary operator with one unknown side: assume the other side's type */
        if (is_op && nargs == 2 && (at[0].oid == SQL_OID_UNKNOWN) != (at[1].oid == SQL_OID_UNKNOWN)) {
            uint32_t known = at[0].oid == SQL_OID_UNKNOWN ? at[1].oid : at[0].oid;
            for (int i = 0; i < nc; i++)
                if (c[i].ap ? c[i].rt[0].oid == known && c[i].rt[1].oid == known
                            : c[i].d->args[0] == known && c[i].d->args[1] == known) { best = c[i].d; c[0] = c[i]; break; }
        }
        if (!best) {
            int key[3] = { 0, 0, 0 };
            int nbest = 0;
            for (int pass = 0; pass < 3 && !best; pass++) {
                int mx = -1;
                for (int i = 0; i < nc; i++) {
                    int v = pass == 0 ? c[i].exact : pass == 1 ? c[i].pref : c[i].strcat;
                    if (v > mx) mx = v;
                }
                key[pass] = mx;
                int k = 0;
                for (int i = 0; i < nc; i++) {
                    int v = pass == 0 ? c[i].exact : pass == 1 ? c[i].pref : c[i].strcat;
                    if (v == mx) c[k++] = c[i];
                }
                nc = k;
                nbest = nc;
                if (nc == 1) best = c[0].d;
            }
            (void)key;
            (void)nbest;
        }
    }
    if (!best) {
        rdb_buf_t b;
        rdb_buf_init(&b, 64);
        for (int k = 0; k < nargs; k++) {
            if (k && !is_op) rdb_buf_append_str(&b, ", ");
            if (is_op && k == 1) rdb_buf_printf(&b, " %s ", name);
            sql_type_format(at[k], &b);
        }
        if (is_op && nargs == 1) {
            char tmp[256];
            snprintf(tmp, sizeof tmp, "%s %.*s", name, (int)b.len, b.data);
            rdb_buf_reset(&b);
            rdb_buf_append_str(&b, tmp);
        }
        if (nc > 1) {
            if (is_op) rdb_err_set(err, RDB_SQL, "42725", "operator is not unique: %.*s", (int)b.len, b.data);
            else rdb_err_set(err, RDB_SQL, "42725", "function %s(%.*s) is not unique", name, (int)b.len, b.data);
            rdb_err_hint(err, is_op ? "Could not choose a best candidate operator. You might need to add explicit type casts."
                                    : "Could not choose a best candidate function. You might need to add explicit type casts.");
        } else if (is_op) {
            rdb_err_set(err, RDB_SQL, "42883", "operator does not exist: %.*s", (int)b.len, b.data);
            rdb_err_hint(err, "No operator matches the given name and argument types. You might need to add explicit type casts.");
        } else {
            rdb_err_set(err, RDB_SQL, "42883", "function %s(%.*s) does not exist", name, (int)b.len, b.data);
            rdb_err_hint(err, "No function matches the given name and argument types. You might need to add explicit type casts.");
        }
        rdb_buf_free(&b);
        return RDB_SQL;
    }
    memset(out, 0, sizeof *out);
    out->fn = best->fn;
    out->name = best->name;
    out->nargs = nargs;
    uint32_t polyt = 0;
    for (int k = 0; k < nargs && c[0].ap; k++)
        out->argtypes[k] = c[0].rt[k];
    for (int k = 0; k < nargs && !c[0].ap; k++) {
        uint32_t want = best->args[k < best->nargs ? k : best->nargs - 1];
        if (poly(want)) {
            uint32_t have = at[k].oid == SQL_OID_UNKNOWN ? SQL_OID_TEXT : at[k].oid;
            out->argtypes[k] = (sql_type_t){ have, at[k].oid == SQL_OID_UNKNOWN ? -1 : at[k].typmod };
            if (!polyt) polyt = have;
        } else
            out->argtypes[k] = (sql_type_t){ want, -1 };
    }
    out->rettype = c[0].ap ? c[0].ret : (sql_type_t){ poly(best->ret) ? polyt : best->ret, -1 };
    out->strict = !(best->flags & F_NONSTRICT);
    out->volatile_ = best->flags & F_VOLATILE;
    out->stable = (best->flags & (F_STABLE | F_VOLATILE)) != 0;
    out->variadic = best->flags & F_VARIADIC;
    return RDB_OK;
}

rdb_status_t sql_func_resolve(const char *name, int nargs, const sql_type_t *argtypes,
                              sql_resolved_fn_t *out, rdb_err_t *err)
{
    static size_t ndt, nst, nma, nnw;
    if (!nma) { /* idempotent: racing threads store the same counts */
        ndt = sqlt_fdef_count(sqlt_fn_datetime);
        nst = sqlt_fdef_count(sqlt_fn_string);
        nnw = sqlt_fdef_count(sqlt_fn_network);
        nma = sqlt_fdef_count(sqlt_fn_math);
    }
    const ftab_t tabs[] = { { funcs, sizeof funcs / sizeof funcs[0] },
                            { sqlt_array_funcs, sqlt_array_nfuncs }, { sqlt_json_funcs, sqlt_json_nfuncs },
                            { sqlt_fn_datetime, ndt }, { sqlt_fn_string, nst }, { sqlt_fn_math, nma },
                            { sqlt_fn_network, nnw } };
    return resolve(tabs, sizeof tabs / sizeof tabs[0], name, nargs, argtypes, false, out, err);
}

void sql_func_each(sql_func_each_fn fn, void *arg)
{
    const ftab_t tabs[] = { { funcs, sizeof funcs / sizeof funcs[0] },
                            { sqlt_array_funcs, sqlt_array_nfuncs }, { sqlt_json_funcs, sqlt_json_nfuncs },
                            { sqlt_fn_datetime, sqlt_fdef_count(sqlt_fn_datetime) },
                            { sqlt_fn_string, sqlt_fdef_count(sqlt_fn_string) },
                            { sqlt_fn_math, sqlt_fdef_count(sqlt_fn_math) },
                            { sqlt_fn_network, sqlt_fdef_count(sqlt_fn_network) } };
    for (size_t t = 0; t < sizeof tabs / sizeof tabs[0]; t++)
        for (size_t i = 0; i < tabs[t].n; i++) {
            const fdef_t *d = &tabs[t].t[i];
            if (!d->name)
                continue;
            char vol = d->flags & F_VOLATILE ? 'v' : d->flags & F_STABLE ? 's' : 'i';
            fn(arg, d->name, d->nargs, d->args, d->ret, vol, !(d->flags & F_NONSTRICT));
        }
}

rdb_status_t sql_oper_resolve(const char *op, sql_type_t left, sql_type_t right,
                              sql_resolved_fn_t *out, rdb_err_t *err)
{
    sql_type_t at[2];
    int n = 0;
    if (left.oid) at[n++] = left;
    at[n++] = right;
    const char *name = op;
    if (!strcmp(op, "!=")) name = "<>";
    rdb_err_t tmp = RDB_ERR_INIT;
    static size_t nom, nos, nod, non;
    if (!nom) {
        nos = sqlt_fdef_count(sqlt_op_string);
        nod = sqlt_fdef_count(sqlt_op_datetime);
        non = sqlt_fdef_count(sqlt_op_network);
        nom = sqlt_fdef_count(sqlt_op_math);
    }
    const ftab_t tabs[] = { { ops, sizeof ops / sizeof ops[0] }, { sqlt_array_ops, sqlt_array_nops },
                            { sqlt_json_ops, sqlt_json_nops }, { sqlt_op_math, nom }, { sqlt_op_string, nos },
                            { sqlt_op_datetime, nod }, { sqlt_op_network, non } };
    rdb_status_t s = resolve(tabs, sizeof tabs / sizeof tabs[0], name, n, at, true, out, err ? err : &tmp);
    rdb_err_clear(&tmp);
    return s;
}
