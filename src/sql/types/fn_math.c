/*
 * fn_math.c — math operators and functions beyond the four arithmetic
 * operators of funcs.c: ^, |/, ||/, @, the integer bitwise operators, div,
 * gcd/lcm/factorial, trigonometry, and numeric sqrt/exp/ln/log/power with
 * PostgreSQL's result-scale rules (at least 16 significant digits, never
 * fewer fraction digits than the input's; PG 15's rules for integral
 * exponents).  numeric sqrt is exact; exp/ln/log/non-integral powers are
 * computed in long double and rounded to the chosen scale, so digits past
 * the 18th may differ from PostgreSQL's.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sql/types/fn_reg.h"

#define NUM_MIN_SIG 16
#define NUM_MAX_DISPLAY 1000

static rdb_status_t overflow(rdb_err_t *err) { return rdb_err_set(err, RDB_SQL, "22003", "value out of range: overflow"); }

/* ---- float ---------------------------------------------------------- */

FN(f_pow)
{
    UNUSED_FN_ARGS;
    double x = A0.u.f, y = A1.u.f;
    if (x == 0 && y < 0) return rdb_err_set(err, RDB_SQL, "2201F", "zero raised to a negative power is undefined");
    if (x < 0 && floor(y) != y && !isinf(y)) return rdb_err_set(err, RDB_SQL, "2201F", "a negative number raised to a non-integer power yields a complex result");
    double r = pow(x, y);
    if (isinf(r) && !isinf(x) && !isinf(y)) return overflow(err);
    if (r == 0 && x != 0 && !isinf(y) && !isinf(x)) return rdb_err_set(err, RDB_SQL, "22003", "value out of range: underflow");
    *res = sql_float(r);
    return RDB_OK;
}
FN(f_sqrt_op)
{
    UNUSED_FN_ARGS;
    if (A0.u.f < 0) return rdb_err_set(err, RDB_SQL, "2201F", "cannot take square root of a negative number");
    *res = sql_float(sqrt(A0.u.f));
    return RDB_OK;
}
FN(f_cbrt_op) { UNUSED_FN_ARGS; *res = sql_float(cbrt(A0.u.f)); return RDB_OK; }
FN(f_degrees) { UNUSED_FN_ARGS; *res = sql_float(A0.u.f * (180.0 / M_PI)); return RDB_OK; }
FN(f_radians) { UNUSED_FN_ARGS; *res = sql_float(A0.u.f * (M_PI / 180.0)); return RDB_OK; }

static rdb_status_t trig(double (*f)(double), double x, bool bounded, sql_value_t *res, rdb_err_t *err)
{
    if (isnan(x)) { *res = sql_float(NAN); return RDB_OK; }
    if ((bounded && (x < -1 || x > 1)) || (!bounded && isinf(x)))
        return rdb_err_set(err, RDB_SQL, "22003", "input is out of range");
    *res = sql_float(f(x));
    return RDB_OK;
}
FN(f_sin) { UNUSED_FN_ARGS; return trig(sin, A0.u.f, false, res, err); }
FN(f_cos) { UNUSED_FN_ARGS; return trig(cos, A0.u.f, false, res, err); }
FN(f_tan) { UNUSED_FN_ARGS; return trig(tan, A0.u.f, false, res, err); }
FN(f_asin) { UNUSED_FN_ARGS; return trig(asin, A0.u.f, true, res, err); }
FN(f_acos) { UNUSED_FN_ARGS; return trig(acos, A0.u.f, true, res, err); }
FN(f_atan) { UNUSED_FN_ARGS; *res = sql_float(atan(A0.u.f)); return RDB_OK; }
FN(f_atan2) { UNUSED_FN_ARGS; *res = sql_float(atan2(A0.u.f, A1.u.f)); return RDB_OK; }
FN(f_cot)
{
    UNUSED_FN_ARGS;
    if (isinf(A0.u.f)) return rdb_err_set(err, RDB_SQL, "22003", "input is out of range");
    *res = sql_float(1.0 / tan(A0.u.f));
    return RDB_OK;
}

/* ---- integers ------------------------------------------------------- */

FN(i_and) { UNUSED_FN_ARGS; *res = sql_int(A0.u.i & A1.u.i); return RDB_OK; }
FN(i_or) { UNUSED_FN_ARGS; *res = sql_int(A0.u.i | A1.u.i); return RDB_OK; }
FN(i_xor) { UNUSED_FN_ARGS; *res = sql_int(A0.u.i ^ A1.u.i); return RDB_OK; }
FN(i_not) { UNUSED_FN_ARGS; *res = sql_int(~A0.u.i); return RDB_OK; }
static int width(uint32_t oid) { return oid == SQL_OID_INT2 ? 16 : oid == SQL_OID_INT4 ? 32 : 64; }
static int64_t sext(uint64_t v, int w) { return w == 64 ? (int64_t)v : (int64_t)(v << (64 - w)) >> (64 - w); }
FN(i_shl)
{
    UNUSED_FN_ARGS;
    int w = width(rettype.oid);
    int64_t n = A1.u.i;
    /* C semantics on the machine word, as PG: the count is taken modulo the width */
    n &= w - 1;
    *res = sql_int(sext((uint64_t)A0.u.i << n, w));
    return RDB_OK;
}
FN(i_shr)
{
    UNUSED_FN_ARGS;
    int w = width(rettype.oid);
    int64_t n = A1.u.i & (w - 1);
    *res = sql_int(A0.u.i >> n);
    return RDB_OK;
}

static int64_t gcd64(int64_t a, int64_t b)
{
    while (b) { int64_t t = a % b; a = b; b = t; }
    return a;
}
FN(i_gcd)
{
    UNUSED_FN_ARGS;
    int64_t lo, hi;
    sqlt_int_range(rettype.oid, &lo, &hi);
    int64_t a = A0.u.i, b = A1.u.i;
    if ((a == lo && (b == 0 || b == lo)) || (b == lo && a == 0))
        return sqlt_int_result(0, true, rettype, res, err);
    int64_t g = gcd64(a, b);
    if (g < 0) g = -g;
    *res = sql_int(g);
    return RDB_OK;
}
FN(i_lcm)
{
    UNUSED_FN_ARGS;
    int64_t a = A0.u.i, b = A1.u.i;
    if (a == 0 || b == 0) { *res = sql_int(0); return RDB_OK; }
    int64_t g = gcd64(a, b), r;
    bool o = __builtin_mul_overflow(a / g, b, &r);
    if (r < 0) o |= __builtin_sub_overflow(0, r, &r);
    return sqlt_int_result(r, o, rettype, res, err);
}

/* ---- numeric -------------------------------------------------------- */

static int clamp_scale(int r, int dscale)
{
    if (r < dscale) r = dscale;
    if (r < 0) r = 0;
    if (r > NUM_MAX_DISPLAY) r = NUM_MAX_DISPLAY;
    return r;
}

static bool num_is_zero(const sql_value_t *v) { int s, e; const char *d; size_t n; sqlt_numeric_parts(v, &s, &e, &d, &n); return s == 0; }
static int num_sign(const sql_value_t *v) { int s, e; const char *d; size_t n; sqlt_numeric_parts(v, &s, &e, &d, &n); return s; }
static int num_exp10(const sql_value_t *v) { int s, e; const char *d; size_t n; sqlt_numeric_parts(v, &s, &e, &d, &n); return e; }

/* A finite numeric as long double, read from its decimal text (no detour
 * through double: ln(0.99) needs the 18th digit). */
static long double num_ld(const sql_value_t *v)
{
    rdb_buf_t b;
    rdb_buf_init(&b, 64);
    sqlt_numeric_out(v, &b);
    rdb_buf_append_u8(&b, 0);
    long double r = strtold(b.data, NULL);
    rdb_buf_free(&b);
    return r;
}

/* PG's estimate_ln_dweight. */
static int ln_dweight(const sql_value_t *v)
{
    long double x = num_ld(v);
    if (x <= 0) return 0;
    if (x >= 0.9L && x <= 1.1L) { /* ln(x) ~ x - 1: its leading digit, exactly */
        rdb_arena_t a;
        rdb_arena_init(&a, 0);
        rdb_err_t e2 = RDB_ERR_INIT;
        sql_value_t one = sqlt_numeric_from_int(&a, 1), d;
        int r = 0;
        if (sqlt_numeric_arith(&a, '-', v, &one, &d, &e2) == RDB_OK && !num_is_zero(&d)) r = num_exp10(&d);
        rdb_err_clear(&e2);
        rdb_arena_destroy(&a);
        return r;
    }
    long double l = logl(x);
    return l == 0 ? 0 : (int)log10l(fabsl(l));
}

static rdb_status_t num_from_ld(sql_fn_ctx_t *ctx, long double v, int rscale, sql_value_t *res, rdb_err_t *err)
{
    if (isinf(v)) return rdb_err_set(err, RDB_SQL, "22003", "value overflows numeric format");
    char tmp[2200];
    int n = snprintf(tmp, sizeof tmp, "%.*Lf", rscale, v);
    if (n < 0 || (size_t)n >= sizeof tmp) return rdb_err_set(err, RDB_SQL, "22003", "value overflows numeric format");
    return sqlt_numeric_in(ctx->arena, tmp, (size_t)n, res, err);
}


FN(n_sqrt)
{
    UNUSED_FN_ARGS;
    int sp = sqlt_numeric_special(&A0);
    if (sp == 1 || sp == 2) { *res = A0; return RDB_OK; }
    if (sp == 3 || num_sign(&A0) < 0)
        return rdb_err_set(err, RDB_SQL, "2201F", "cannot take square root of a negative number");
    int e = num_exp10(&A0);
    int weight = e >= 0 ? e / 4 : -((-e + 3) / 4);
    int sweight = (weight + 1) * 4 / 2 - 1;
    int rscale = clamp_scale(NUM_MIN_SIG - sweight, sqlt_numeric_dscale(&A0));
    *res = sqlt_numeric_sqrt(ctx->arena, &A0, rscale);
    return RDB_OK;
}
FN(n_exp)
{
    UNUSED_FN_ARGS;
    int sp = sqlt_numeric_special(&A0);
    if (sp == 1 || sp == 2) { *res = A0; return RDB_OK; }
    if (sp == 3) { *res = sqlt_numeric_from_int(ctx->arena, 0); return RDB_OK; }
    double val = sqlt_numeric_to_double(&A0) * 0.434294481903252;
    if (val > 1000) val = 1000;
    if (val < -1000) val = -1000;
    int rscale = clamp_scale(NUM_MIN_SIG - (int)val, sqlt_numeric_dscale(&A0));
    return num_from_ld(ctx, expl(num_ld(&A0)), rscale, res, err);
}
static rdb_status_t ln_check(const sql_value_t *v, rdb_err_t *err)
{
    int sp = sqlt_numeric_special(v);
    if (sp == 3 || (sp == 0 && num_sign(v) < 0)) return rdb_err_set(err, RDB_SQL, "2201E", "cannot take logarithm of a negative number");
    if (sp == 0 && num_is_zero(v)) return rdb_err_set(err, RDB_SQL, "2201E", "cannot take logarithm of zero");
    return RDB_OK;
}
FN(n_ln)
{
    UNUSED_FN_ARGS;
    if (ln_check(&A0, err) != RDB_OK) return RDB_SQL;
    if (sqlt_numeric_special(&A0)) { *res = A0; return RDB_OK; }
    int rscale = clamp_scale(NUM_MIN_SIG - ln_dweight(&A0), sqlt_numeric_dscale(&A0));
    return num_from_ld(ctx, logl(num_ld(&A0)), rscale, res, err);
}
FN(n_log)
{
    UNUSED_FN_ARGS;
    sql_value_t b, x;
    if (nargs == 1) { b = sqlt_numeric_from_int(ctx->arena, 10); x = A0; }
    else { b = A0; x = A1; }
    if (ln_check(&b, err) != RDB_OK || ln_check(&x, err) != RDB_OK) return RDB_SQL;
    if (sqlt_numeric_special(&b) || sqlt_numeric_special(&x)) { *res = sqlt_numeric_special_value(ctx->arena, 1); return RDB_OK; }
    long double lb = logl(num_ld(&b));
    if (lb == 0) return rdb_err_set(err, RDB_SQL, "22012", "division by zero");
    int rscale = NUM_MIN_SIG - (ln_dweight(&x) - ln_dweight(&b));
    int ds = sqlt_numeric_dscale(&b) > sqlt_numeric_dscale(&x) ? sqlt_numeric_dscale(&b) : sqlt_numeric_dscale(&x);
    rscale = clamp_scale(rscale, ds);
    long double r = logl(num_ld(&x)) / lb;
    /* log10 of an exact power of ten is exact */
    if (nargs == 1) r = log10l(num_ld(&x));
    return num_from_ld(ctx, r, rscale, res, err);
}
FN(n_power)
{
    UNUSED_FN_ARGS;
    const sql_value_t *b = &A0, *x = &A1;
    int sb = sqlt_numeric_special(b), sx = sqlt_numeric_special(x);
    if (sb == 1 || sx == 1) {
        /* 1 ^ NaN and NaN ^ 0 are 1, as in PG */
        sql_value_t one = sqlt_numeric_from_int(ctx->arena, 1);
        if ((sb == 0 && sqlt_numeric_cmp(b, &one) == 0) || (sx == 0 && num_is_zero(x))) { *res = one; return RDB_OK; }
        *res = sqlt_numeric_special_value(ctx->arena, 1);
        return RDB_OK;
    }
    if (sb || sx) {
        double r = pow(sqlt_numeric_to_double(b), sqlt_numeric_to_double(x));
        if (isnan(r)) return rdb_err_set(err, RDB_SQL, "2201F", "a negative number raised to a non-integer power yields a complex result");
        return sqlt_numeric_from_double(ctx->arena, r, res, err);
    }
    bool bz = num_is_zero(b);
    int xsg = num_sign(x);
    if (bz && xsg < 0) return rdb_err_set(err, RDB_SQL, "2201F", "zero raised to a negative power is undefined");
    sql_value_t xi;
    rdb_err_t e2 = RDB_ERR_INIT;
    sqlt_numeric_round(ctx->arena, x, 0, true, &xi, &e2);
    bool integral = sqlt_numeric_cmp(&xi, x) == 0;
    if (num_sign(b) < 0 && !integral)
        return rdb_err_set(err, RDB_SQL, "2201F", "a negative number raised to a non-integer power yields a complex result");
    int64_t n = 0;
    if (integral && sqlt_numeric_to_int(&xi, SQL_OID_INT4, &n, &e2) == RDB_OK) {
        rdb_err_clear(&e2);
        /* PG 15's power_var: integral exponents get scale max(16, base's) */
        int rscale = clamp_scale(NUM_MIN_SIG, sqlt_numeric_dscale(b));
        int64_t m = n < 0 ? -n : n;
        double est = fabs(log10(fabs(sqlt_numeric_to_double(b)))) * (double)m;
        if (n > 0 && est > 131072)
            return rdb_err_set(err, RDB_SQL, "22003", "value overflows numeric format");
        if (n >= 0 && est <= 4000) {
            sql_value_t acc = sqlt_numeric_from_int(ctx->arena, 1), p = *b;
            while (m) {
                if (m & 1 && sqlt_numeric_arith(ctx->arena, '*', &acc, &p, &acc, err) != RDB_OK) return RDB_SQL;
                m >>= 1;
                if (m && sqlt_numeric_arith(ctx->arena, '*', &p, &p, &p, err) != RDB_OK) return RDB_SQL;
            }
            return sqlt_numeric_round(ctx->arena, &acc, rscale, false, res, err);
        }
        return num_from_ld(ctx, powl(num_ld(b), (long double)n), rscale, res, err);
    }
    rdb_err_clear(&e2);
    if (bz) { *res = sqlt_numeric_from_int(ctx->arena, 0); return RDB_OK; }
    long double lb = logl(fabsl(num_ld(b)));
    long double val = lb * num_ld(x);
    if (fabsl(val) > 1000 * 3.01L) {
        if (val > 0) return rdb_err_set(err, RDB_SQL, "22003", "value overflows numeric format");
        *res = sqlt_numeric_from_int(ctx->arena, 0);
        return RDB_OK;
    }
    int rscale = NUM_MIN_SIG - (int)(val * 0.434294481903252L);
    int ds = sqlt_numeric_dscale(b) > sqlt_numeric_dscale(x) ? sqlt_numeric_dscale(b) : sqlt_numeric_dscale(x);
    rscale = clamp_scale(rscale, ds);
    return num_from_ld(ctx, expl(val), rscale, res, err);
}
FN(n_scale)
{
    UNUSED_FN_ARGS;
    if (sqlt_numeric_special(&A0)) { *res = sql_null(); return RDB_OK; }
    *res = sql_int(sqlt_numeric_dscale(&A0));
    return RDB_OK;
}
FN(n_sign)
{
    UNUSED_FN_ARGS;
    int sp = sqlt_numeric_special(&A0);
    if (sp == 1) { *res = A0; return RDB_OK; }
    int s = sp == 2 ? 1 : sp == 3 ? -1 : num_sign(&A0);
    *res = sqlt_numeric_from_int(ctx->arena, s);
    return RDB_OK;
}
FN(n_div)
{
    UNUSED_FN_ARGS;
    sql_value_t q;
    if (sqlt_numeric_special(&A0) || sqlt_numeric_special(&A1)) {
        if (!sqlt_numeric_special(&A1) && num_is_zero(&A1)) return rdb_err_set(err, RDB_SQL, "22012", "division by zero");
        return sqlt_numeric_arith(ctx->arena, '/', &A0, &A1, res, err);
    }
    if (num_is_zero(&A1)) return rdb_err_set(err, RDB_SQL, "22012", "division by zero");
    /* trunc(x / y) computed exactly: (x - x % y) / y */
    sql_value_t r;
    if (sqlt_numeric_arith(ctx->arena, '%', &A0, &A1, &r, err) != RDB_OK ||
        sqlt_numeric_arith(ctx->arena, '-', &A0, &r, &q, err) != RDB_OK ||
        sqlt_numeric_arith(ctx->arena, '/', &q, &A1, &q, err) != RDB_OK)
        return RDB_SQL;
    return sqlt_numeric_round(ctx->arena, &q, 0, true, res, err);
}
FN(n_factorial)
{
    UNUSED_FN_ARGS;
    int64_t n = A0.u.i;
    if (n < 0) return rdb_err_set(err, RDB_SQL, "2201F", "factorial of a negative number is undefined");
    if (n > 32177) return rdb_err_set(err, RDB_SQL, "22003", "value overflows numeric format");
    sql_value_t acc = sqlt_numeric_from_int(ctx->arena, 1);
    for (int64_t i = 2; i <= n; i++) {
        sql_value_t k = sqlt_numeric_from_int(ctx->arena, i);
        if (sqlt_numeric_arith(ctx->arena, '*', &acc, &k, &acc, err) != RDB_OK) return RDB_SQL;
    }
    *res = acc;
    return RDB_OK;
}
FN(n_gcd)
{
    UNUSED_FN_ARGS;
    if (sqlt_numeric_special(&A0) || sqlt_numeric_special(&A1)) { *res = sqlt_numeric_special_value(ctx->arena, 1); return RDB_OK; }
    sql_value_t a = A0, b = A1, t;
    if (num_sign(&a) < 0) a = sqlt_numeric_neg(ctx->arena, &a);
    if (num_sign(&b) < 0) b = sqlt_numeric_neg(ctx->arena, &b);
    while (!num_is_zero(&b)) {
        if (sqlt_numeric_arith(ctx->arena, '%', &a, &b, &t, err) != RDB_OK) return RDB_SQL;
        a = b;
        b = t;
    }
    *res = a;
    return RDB_OK;
}
FN(n_lcm)
{
    UNUSED_FN_ARGS;
    if (sqlt_numeric_special(&A0) || sqlt_numeric_special(&A1)) { *res = sqlt_numeric_special_value(ctx->arena, 1); return RDB_OK; }
    if (num_is_zero(&A0) || num_is_zero(&A1)) { *res = sqlt_numeric_from_int(ctx->arena, 0); return RDB_OK; }
    sql_value_t g, p;
    if (n_gcd(ctx, nargs, args, argtypes, rettype, &g, err) != RDB_OK ||
        sqlt_numeric_arith(ctx->arena, '*', &A0, &A1, &p, err) != RDB_OK)
        return RDB_SQL;
    if (num_sign(&p) < 0) p = sqlt_numeric_neg(ctx->arena, &p);
    sql_value_t q;
    if (n_div(ctx, 2, (sql_value_t[]){ p, g }, argtypes, rettype, &q, err) != RDB_OK) return RDB_SQL;
    int s = sqlt_numeric_dscale(&A0) > sqlt_numeric_dscale(&A1) ? sqlt_numeric_dscale(&A0) : sqlt_numeric_dscale(&A1);
    return sqlt_numeric_round(ctx->arena, &q, s, false, res, err);
}
FN(n_min_scale)
{
    UNUSED_FN_ARGS;
    if (sqlt_numeric_special(&A0)) { *res = sql_null(); return RDB_OK; }
    int s, e; const char *d; size_t n;
    sqlt_numeric_parts(&A0, &s, &e, &d, &n);
    int ms = s == 0 ? 0 : (int)n - 1 - e;
    *res = sql_int(ms < 0 ? 0 : ms);
    return RDB_OK;
}
FN(n_trim_scale)
{
    UNUSED_FN_ARGS;
    sql_value_t ms;
    n_min_scale(ctx, nargs, args, argtypes, rettype, &ms, err);
    if (ms.isnull) { *res = A0; return RDB_OK; }
    return sqlt_numeric_round(ctx->arena, &A0, (int)ms.u.i, false, res, err);
}

FN(i_abs_op) { UNUSED_FN_ARGS; int64_t r = A0.u.i; bool o = false; if (r < 0) o = __builtin_sub_overflow(0, r, &r); return sqlt_int_result(r, o, rettype, res, err); }
FN(f_abs_op) { UNUSED_FN_ARGS; *res = sql_float(fabs(A0.u.f)); return RDB_OK; }
FN(n_abs_op) { UNUSED_FN_ARGS; *res = num_sign(&A0) < 0 || sqlt_numeric_special(&A0) == 3 ? sqlt_numeric_neg(ctx->arena, &A0) : A0; return RDB_OK; }

#define BITOPS(t) \
    { "&", 2, { t, t }, t, i_and, 0 }, { "|", 2, { t, t }, t, i_or, 0 }, { "#", 2, { t, t }, t, i_xor, 0 }, \
    { "~", 1, { t }, t, i_not, 0 }, { "<<", 2, { t, I4 }, t, i_shl, 0 }, { ">>", 2, { t, I4 }, t, i_shr, 0 }

const fdef_t sqlt_op_math[] = {
    { "^", 2, { F8, F8 }, F8, f_pow, 0 }, { "^", 2, { NU, NU }, NU, n_power, 0 },
    { "|/", 1, { F8 }, F8, f_sqrt_op, 0 }, { "||/", 1, { F8 }, F8, f_cbrt_op, 0 },
    BITOPS(I2), BITOPS(I4), BITOPS(I8),
    { "@", 1, { I2 }, I2, i_abs_op, 0 }, { "@", 1, { I4 }, I4, i_abs_op, 0 }, { "@", 1, { I8 }, I8, i_abs_op, 0 },
    { "@", 1, { F4 }, F4, f_abs_op, 0 }, { "@", 1, { F8 }, F8, f_abs_op, 0 }, { "@", 1, { NU }, NU, n_abs_op, 0 },
    { NULL, 0, { 0 }, 0, NULL, 0 },
};

const fdef_t sqlt_fn_math[] = {
    { "degrees", 1, { F8 }, F8, f_degrees, 0 }, { "radians", 1, { F8 }, F8, f_radians, 0 },
    { "sin", 1, { F8 }, F8, f_sin, 0 }, { "cos", 1, { F8 }, F8, f_cos, 0 }, { "tan", 1, { F8 }, F8, f_tan, 0 },
    { "asin", 1, { F8 }, F8, f_asin, 0 }, { "acos", 1, { F8 }, F8, f_acos, 0 },
    { "atan", 1, { F8 }, F8, f_atan, 0 }, { "atan2", 2, { F8, F8 }, F8, f_atan2, 0 },
    { "cot", 1, { F8 }, F8, f_cot, 0 },
    { "gcd", 2, { I4, I4 }, I4, i_gcd, 0 }, { "gcd", 2, { I8, I8 }, I8, i_gcd, 0 }, { "gcd", 2, { NU, NU }, NU, n_gcd, 0 },
    { "lcm", 2, { I4, I4 }, I4, i_lcm, 0 }, { "lcm", 2, { I8, I8 }, I8, i_lcm, 0 }, { "lcm", 2, { NU, NU }, NU, n_lcm, 0 },
    { "factorial", 1, { I8 }, NU, n_factorial, 0 },
    { "div", 2, { NU, NU }, NU, n_div, 0 },
    { "sqrt", 1, { NU }, NU, n_sqrt, 0 }, { "exp", 1, { NU }, NU, n_exp, 0 },
    { "ln", 1, { NU }, NU, n_ln, 0 }, { "log", 1, { NU }, NU, n_log, 0 }, { "log10", 1, { NU }, NU, n_log, 0 },
    { "log", 2, { NU, NU }, NU, n_log, 0 },
    { "power", 2, { NU, NU }, NU, n_power, 0 }, { "pow", 2, { NU, NU }, NU, n_power, 0 },
    { "scale", 1, { NU }, I4, n_scale, 0 }, { "sign", 1, { NU }, NU, n_sign, 0 },
    { "min_scale", 1, { NU }, I4, n_min_scale, 0 }, { "trim_scale", 1, { NU }, NU, n_trim_scale, 0 },
    { NULL, 0, { 0 }, 0, NULL, 0 },
};
