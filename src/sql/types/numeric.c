/*
 * numeric.c — exact decimal arithmetic for numeric(p,s).
 *
 * Encoding (types_int.h): sign byte '+', '-' or 'N' (NaN), dscale as u16
 * little endian, then the coefficient in ASCII digits without leading
 * zeros.  Arithmetic works on digit strings (schoolbook), allocated in the
 * statement arena.  Result scales follow PostgreSQL: + - take max(scale),
 * * takes the sum, / uses select_div_scale's rule (at least 16 significant
 * digits, computed on base-10000 weights like PG).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "common/hash.h"
#include "sql/types/types_int.h"

typedef struct {
    int         sign; /* -1, 0, 1; 2 = NaN */
    int         scale;
    const char *d;    /* digits, no leading zeros; "0" for zero */
    size_t      n;
} num_t;

#define NUM_MAX_SCALE 1000

static num_t num_get(const sql_value_t *v)
{
    num_t x;
    const unsigned char *p = (const unsigned char *)v->u.v.ptr;
    x.scale = p[1] | (p[2] << 8);
    x.d = v->u.v.ptr + 3;
    x.n = v->u.v.len - 3;
    x.sign = p[0] == 'N' ? 2 : p[0] == 'I' ? 3 : p[0] == 'i' ? -3
           : (x.n == 1 && x.d[0] == '0') ? 0 : p[0] == '-' ? -1 : 1;
    return x;
}

static sql_value_t num_make(rdb_arena_t *a, int sign, int scale, const char *d, size_t n)
{
    while (n > 1 && d[0] == '0') { d++; n--; }
    if (n == 0) { d = "0"; n = 1; }
    if (n == 1 && d[0] == '0' && sign != 2 && sign != 3 && sign != -3) sign = 0;
    char *p = rdb_arena_alloc(a, n + 3);
    p[0] = sign == 2 ? 'N' : sign == 3 ? 'I' : sign == -3 ? 'i' : sign < 0 ? '-' : '+';
    p[1] = (char)(scale & 0xff);
    p[2] = (char)((scale >> 8) & 0xff);
    memcpy(p + 3, d, n);
    return sql_bytes(p, (uint32_t)(n + 3));
}

static sql_value_t num_nan(rdb_arena_t *a) { return num_make(a, 2, 0, "0", 1); }
static sql_value_t num_inf(rdb_arena_t *a, int sg) { return num_make(a, sg < 0 ? -3 : 3, 0, "0", 1); }
#define NUM_SPECIAL(x) ((x).sign == 2 || (x).sign == 3 || (x).sign == -3)

/* Magnitude helpers on digit strings. */
static int mag_cmp(const char *a, size_t na, const char *b, size_t nb)
{
    while (na > 1 && *a == '0') { a++; na--; }
    while (nb > 1 && *b == '0') { b++; nb--; }
    if (na != nb) return na < nb ? -1 : 1;
    int c = memcmp(a, b, na);
    return c < 0 ? -1 : c > 0;
}

static char *mag_add(rdb_arena_t *ar, const char *a, size_t na, const char *b, size_t nb, size_t *nr)
{
    size_t n = (na > nb ? na : nb) + 1;
    char *r = rdb_arena_alloc(ar, n);
    int carry = 0;
    for (size_t i = 0; i < n; i++) {
        int s = carry;
        if (i < na) s += a[na - 1 - i] - '0';
        if (i < nb) s += b[nb - 1 - i] - '0';
        r[n - 1 - i] = (char)('0' + s % 10);
        carry = s / 10;
    }
    *nr = n;
    return r;
}

/* a >= b */
static char *mag_sub(rdb_arena_t *ar, const char *a, size_t na, const char *b, size_t nb, size_t *nr)
{
    char *r = rdb_arena_alloc(ar, na);
    int borrow = 0;
    for (size_t i = 0; i < na; i++) {
        int s = a[na - 1 - i] - '0' - borrow;
        if (i < nb) s -= b[nb - 1 - i] - '0';
        borrow = s < 0;
        if (s < 0) s += 10;
        r[na - 1 - i] = (char)('0' + s);
    }
    *nr = na;
    return r;
}

static char *mag_mul(rdb_arena_t *ar, const char *a, size_t na, const char *b, size_t nb, size_t *nr)
{
    size_t n = na + nb;
    int *acc = rdb_arena_calloc(ar, n * sizeof(int));
    for (size_t i = 0; i < na; i++)
        for (size_t j = 0; j < nb; j++)
            acc[i + j + 1] += (a[i] - '0') * (b[j] - '0');
    for (size_t k = n - 1; k > 0; k--) {
        acc[k - 1] += acc[k] / 10;
        acc[k] %= 10;
    }
    char *r = rdb_arena_alloc(ar, n);
    for (size_t k = 0; k < n; k++) r[k] = (char)('0' + acc[k]);
    *nr = n;
    return r;
}

/* q = a / b (integer), remainder in r.  b nonzero. */
static void mag_divmod(rdb_arena_t *ar, const char *a, size_t na, const char *b, size_t nb,
                       char **q, size_t *nq, char **r, size_t *nr)
{
    char *quo = rdb_arena_alloc(ar, na);
    char *rem = rdb_arena_alloc(ar, nb + 2);
    size_t nrem = 0;
    for (size_t i = 0; i < na; i++) {
        /* rem = rem*10 + a[i] */
        if (nrem == 1 && rem[0] == '0') nrem = 0;
        rem[nrem++] = a[i];
        int dig = 0;
        while (mag_cmp(rem, nrem, b, nb) >= 0) {
            size_t nn;
            char *t = mag_sub(ar, rem, nrem, b, nb, &nn);
            size_t k = 0;
            while (k + 1 < nn && t[k] == '0') k++;
            memcpy(rem, t + k, nn - k);
            nrem = nn - k;
            dig++;
        }
        quo[i] = (char)('0' + dig);
    }
    if (nrem == 0) { rem[0] = '0'; nrem = 1; }
    *q = quo; *nq = na; *r = rem; *nr = nrem;
}

/* coefficient with `extra` zeros appended */
static const char *mag_shift(rdb_arena_t *ar, const char *d, size_t n, int extra, size_t *nr)
{
    if (extra <= 0) { *nr = n; return d; }
    char *r = rdb_arena_alloc(ar, n + (size_t)extra);
    memcpy(r, d, n);
    memset(r + n, '0', (size_t)extra);
    *nr = n + (size_t)extra;
    return r;
}

rdb_status_t sqlt_numeric_in(rdb_arena_t *a, const char *s, size_t len, sql_value_t *out,
                             rdb_err_t *err)
{
    const char *p = s, *e = s + len;
    while (p < e && (*p == ' ' || *p == '\t' || *p == '\n')) p++;
    while (e > p && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n')) e--;
    if (e - p == 3 && strncasecmp(p, "nan", 3) == 0) { *out = num_nan(a); return RDB_OK; }
    {
        const char *q = p;
        int sg = 1;
        if (q < e && (*q == '+' || *q == '-')) sg = *q++ == '-' ? -1 : 1;
        if ((e - q == 8 && strncasecmp(q, "infinity", 8) == 0) || (e - q == 3 && strncasecmp(q, "inf", 3) == 0)) {
            *out = num_inf(a, sg);
            return RDB_OK;
        }
    }
    int sign = 1;
    if (p < e && (*p == '+' || *p == '-')) { sign = *p == '-' ? -1 : 1; p++; }
    char *dig = rdb_arena_alloc(a, (size_t)(e - p) + 1);
    size_t nd = 0;
    int scale = 0, seen = 0, dot = 0;
    while (p < e) {
        if (*p >= '0' && *p <= '9') { dig[nd++] = *p; seen = 1; if (dot) scale++; }
        else if (*p == '.' && !dot) dot = 1;
        else break;
        p++;
    }
    long ex = 0;
    if (seen && p < e && (*p == 'e' || *p == 'E')) {
        p++;
        int es = 1;
        if (p < e && (*p == '+' || *p == '-')) { es = *p == '-' ? -1 : 1; p++; }
        if (p >= e) return sqlt_err_syntax(err, SQL_OID_NUMERIC, s, len);
        while (p < e && *p >= '0' && *p <= '9') {
            ex = ex * 10 + (*p++ - '0');
            if (ex > 100000) return rdb_err_set(err, RDB_SQL, "22003", "value overflows numeric format");
        }
        ex *= es;
    }
    if (!seen || p != e) return sqlt_err_syntax(err, SQL_OID_NUMERIC, s, len);
    long newscale = scale - ex;
    size_t n = nd;
    const char *d = dig;
    if (newscale < 0) { d = mag_shift(a, dig, nd, (int)-newscale, &n); newscale = 0; }
    if (newscale > NUM_MAX_SCALE) return rdb_err_set(err, RDB_SQL, "22003", "value overflows numeric format");
    *out = num_make(a, sign, (int)newscale, d, n);
    return RDB_OK;
}

void sqlt_numeric_out(const sql_value_t *v, rdb_buf_t *out)
{
    num_t x = num_get(v);
    if (x.sign == 2) { rdb_buf_append_str(out, "NaN"); return; }
    if (x.sign == 3 || x.sign == -3) { rdb_buf_append_str(out, x.sign < 0 ? "-Infinity" : "Infinity"); return; }
    if (x.sign < 0) rdb_buf_append_u8(out, '-');
    if ((size_t)x.scale >= x.n) {
        rdb_buf_append_u8(out, '0');
        if (x.scale > 0) {
            rdb_buf_append_u8(out, '.');
            for (size_t i = x.n; i < (size_t)x.scale; i++) rdb_buf_append_u8(out, '0');
            rdb_buf_append(out, x.d, x.n);
        }
        return;
    }
    rdb_buf_append(out, x.d, x.n - (size_t)x.scale);
    if (x.scale > 0) {
        rdb_buf_append_u8(out, '.');
        rdb_buf_append(out, x.d + x.n - x.scale, (size_t)x.scale);
    }
}

/* Both operands scaled to the same scale, with a temp arena. */
static int num_cmp_mag_aligned(const num_t *x, const num_t *y)
{
    /* compare x.d * 10^(S-sx) vs y.d * 10^(S-sy) without allocating */
    long ix = (long)x->n - x->scale, iy = (long)y->n - y->scale; /* integer digit counts */
    int xz = x->sign == 0, yz = y->sign == 0;
    if (xz || yz) return xz && yz ? 0 : xz ? -1 : 1;
    if (ix != iy) return ix < iy ? -1 : 1;
    size_t m = x->n > y->n ? x->n : y->n;
    for (size_t i = 0; i < m; i++) {
        char a = i < x->n ? x->d[i] : '0', b = i < y->n ? y->d[i] : '0';
        if (a != b) return a < b ? -1 : 1;
    }
    return 0;
}

int sqlt_numeric_cmp(const sql_value_t *a, const sql_value_t *b)
{
    num_t x = num_get(a), y = num_get(b);
    if (x.sign == 2 || y.sign == 2) return (x.sign == 2) - (y.sign == 2);
    if (x.sign != y.sign) return x.sign < y.sign ? -1 : 1;
    if (x.sign == 3 || x.sign == -3) return 0;
    int c = num_cmp_mag_aligned(&x, &y);
    return x.sign < 0 ? -c : c;
}

uint64_t sqlt_numeric_hash(const sql_value_t *v)
{
    int sign, e; const char *d; size_t n;
    sqlt_numeric_parts(v, &sign, &e, &d, &n);
    uint64_t h = rdb_hash64(d, n, (uint64_t)(sign + 7));
    return h ^ rdb_hash_u64((uint64_t)(int64_t)e);
}

void sqlt_numeric_parts(const sql_value_t *v, int *sign, int *exp10, const char **digits,
                        size_t *ndigits)
{
    num_t x = num_get(v);
    *sign = x.sign;
    size_t n = x.n;
    while (n > 1 && x.d[n - 1] == '0') n--;
    *digits = x.d;
    *ndigits = x.sign == 0 || NUM_SPECIAL(x) ? 0 : n;
    *exp10 = x.sign == 0 || NUM_SPECIAL(x) ? 0 : (int)x.n - 1 - x.scale;
}

sql_value_t sqlt_numeric_from_int(rdb_arena_t *a, int64_t i)
{
    char tmp[32];
    uint64_t u = i < 0 ? (uint64_t)0 - (uint64_t)i : (uint64_t)i;
    int n = snprintf(tmp, sizeof tmp, "%llu", (unsigned long long)u);
    return num_make(a, i < 0 ? -1 : 1, 0, tmp, (size_t)n);
}

sql_value_t sqlt_numeric_from_i128(rdb_arena_t *a, __int128 c, int scale)
{
    char rev[48];
    int n = 0;
    unsigned __int128 u = c < 0 ? -(unsigned __int128)c : (unsigned __int128)c;
    do { rev[n++] = (char)('0' + (int)(u % 10)); u /= 10; } while (u);
    char d[48];
    for (int i = 0; i < n; i++) d[i] = rev[n - 1 - i];
    return num_make(a, c < 0 ? -1 : 1, scale, d, (size_t)n);
}

bool sqlt_numeric_to_i128(const sql_value_t *v, __int128 *c, int *scale)
{
    num_t x = num_get(v);
    if (x.sign == 2 || x.n > 36) return false;
    /* the first 18 digits in 64 bits: 128-bit multiplies only beyond */
    uint64_t lo = 0;
    size_t i = 0;
    for (; i < x.n && i < 18; i++) lo = lo * 10 + (uint64_t)(x.d[i] - '0');
    __int128 r = (__int128)lo;
    for (; i < x.n; i++) r = r * 10 + (x.d[i] - '0');
    *c = x.sign < 0 ? -r : r;
    *scale = x.scale;
    return true;
}

rdb_status_t sqlt_numeric_from_double(rdb_arena_t *a, double d, sql_value_t *out, rdb_err_t *err)
{
    if (isnan(d)) { *out = num_nan(a); return RDB_OK; }
    if (isinf(d)) { *out = num_inf(a, d < 0 ? -1 : 1); return RDB_OK; }
    char tmp[64];
    int n = snprintf(tmp, sizeof tmp, "%.15g", d); /* PG uses DBL_DIG digits */
    return sqlt_numeric_in(a, tmp, (size_t)n, out, err);
}

double sqlt_numeric_to_double(const sql_value_t *v)
{
    char tmp[1100];
    rdb_buf_t b;
    rdb_buf_init(&b, 64);
    sqlt_numeric_out(v, &b);
    size_t n = b.len < sizeof tmp - 1 ? b.len : sizeof tmp - 1;
    memcpy(tmp, b.data, n);
    tmp[n] = 0;
    rdb_buf_free(&b);
    if (strcmp(tmp, "NaN") == 0) return NAN;
    if (strcmp(tmp, "Infinity") == 0) return INFINITY;
    if (strcmp(tmp, "-Infinity") == 0) return -INFINITY;
    return strtod(tmp, NULL);
}

rdb_status_t sqlt_numeric_round(rdb_arena_t *a, const sql_value_t *xv, int scale, bool trunc,
                                sql_value_t *out, rdb_err_t *err)
{
    num_t x = num_get(xv);
    if (NUM_SPECIAL(x)) { *out = *xv; return RDB_OK; }
    if (scale < -NUM_MAX_SCALE) scale = -NUM_MAX_SCALE;
    if (scale > NUM_MAX_SCALE) scale = NUM_MAX_SCALE;
    if (scale >= x.scale) {
        size_t n;
        const char *d = mag_shift(a, x.d, x.n, scale - x.scale, &n);
        *out = num_make(a, x.sign, scale, d, n);
        return RDB_OK;
    }
    int drop = x.scale - scale; /* digits to drop */
    size_t keep = x.n > (size_t)drop ? x.n - (size_t)drop : 0;
    bool up = !trunc && (x.n >= (size_t)drop) && x.d[keep] >= '5';
    if (!trunc && x.n < (size_t)drop) up = false;
    const char *d = keep ? x.d : "0";
    size_t n = keep ? keep : 1;
    if (up) d = mag_add(a, d, n, "1", 1, &n);
    int rs = scale < 0 ? 0 : scale;
    if (scale < 0) d = mag_shift(a, d, n, -scale, &n);
    *out = num_make(a, x.sign, rs, d, n);
    return RDB_OK;
}

rdb_status_t sqlt_numeric_typmod(rdb_arena_t *a, const sql_value_t *x, int32_t typmod,
                                 sql_value_t *out, rdb_err_t *err)
{
    if (typmod < 4) { *out = *x; return RDB_OK; }
    int p = ((typmod - 4) >> 16) & 0xffff, s = (typmod - 4) & 0xffff;
    if (num_get(x).sign == 2) { *out = *x; return RDB_OK; }
    if (NUM_SPECIAL(num_get(x))) {
        rdb_err_set(err, RDB_SQL, "22003", "numeric field overflow");
        rdb_err_detail(err, "A field with precision %d, scale %d cannot hold an infinite value.", p, s);
        return RDB_SQL;
    }
    sqlt_numeric_round(a, x, s, false, out, err);
    num_t r = num_get(out);
    long intdigits = r.sign == 0 ? 0 : (long)r.n - r.scale;
    if (intdigits > p - s) {
        rdb_err_set(err, RDB_SQL, "22003", "numeric field overflow");
        rdb_err_detail(err, "A field with precision %d, scale %d must round to an absolute value less than %s%d.",
                       p, s, p - s == 0 ? "" : "10^", p - s == 0 ? 1 : p - s);
        return RDB_SQL;
    }
    return RDB_OK;
}

sql_value_t sqlt_numeric_neg(rdb_arena_t *a, const sql_value_t *xv)
{
    num_t x = num_get(xv);
    if (x.sign == 2) return *xv;
    return num_make(a, -x.sign, x.scale, x.d, x.n);
}

rdb_status_t sqlt_numeric_to_int(const sql_value_t *v, uint32_t oid, int64_t *out, rdb_err_t *err)
{
    num_t x = num_get(v);
    if (x.sign == 2)
        return rdb_err_set(err, RDB_SQL, "0A000", "cannot convert NaN to %s", sqlt_sql_name(oid));
    if (NUM_SPECIAL(x))
        return rdb_err_set(err, RDB_SQL, "0A000", "cannot convert infinity to %s", sqlt_sql_name(oid));
    /* round half away from zero */
    long intn = (long)x.n - x.scale;
    if (intn > 20) return sqlt_err_range(err, oid);
    unsigned __int128 m = 0;
    for (long i = 0; i < intn; i++) m = m * 10 + (unsigned)(x.d[i] - '0');
    if (intn >= 0 && (size_t)intn < x.n && x.d[intn] >= '5') m++;
    if (intn < 0 && false) m = 0;
    int64_t lo, hi;
    sqlt_int_range(oid, &lo, &hi);
    if (x.sign >= 0) {
        if (m > (unsigned __int128)hi) return sqlt_err_range(err, oid);
        *out = (int64_t)m;
    } else {
        if (m > (unsigned __int128)hi + 1 || (lo == 0 && m > 0)) return sqlt_err_range(err, oid);
        *out = (int64_t)(0 - (uint64_t)m);
    }
    return RDB_OK;
}

/* PG's base-10000 weight and first group of a nonzero value. */
static void num_weight(const num_t *x, int *weight, int *first)
{
    int e = (int)x->n - 1 - x->scale; /* decimal exponent of leading digit */
    int w = e >= 0 ? e / 4 : -((-e + 3) / 4);
    int cnt = e - 4 * w + 1; /* digits of the leading group, 1..4 */
    int f = 0;
    for (int i = 0; i < cnt; i++) f = f * 10 + ((size_t)i < x->n ? x->d[i] - '0' : 0);
    *weight = w;
    *first = f;
}

rdb_status_t sqlt_numeric_arith(rdb_arena_t *a, char op, const sql_value_t *xv,
                                const sql_value_t *yv, sql_value_t *out, rdb_err_t *err)
{
    num_t x = num_get(xv), y = num_get(yv);
    if (x.sign == 2 || y.sign == 2) {
        if ((op == '/' || op == '%') && y.sign == 0 && x.sign != 2)
            return rdb_err_set(err, RDB_SQL, "22012", "division by zero");
        *out = num_nan(a);
        return RDB_OK;
    }
    if (NUM_SPECIAL(x) || NUM_SPECIAL(y)) {
        int xi = x.sign == 3 ? 1 : x.sign == -3 ? -1 : 0, yi = y.sign == 3 ? 1 : y.sign == -3 ? -1 : 0;
        int xs = x.sign > 0 ? 1 : x.sign < 0 ? -1 : 0, ys = y.sign > 0 ? 1 : y.sign < 0 ? -1 : 0;
        switch (op) {
        case '+': case '-':
            if (op == '-') yi = -yi;
            if (xi && yi && xi != yi) { *out = num_nan(a); return RDB_OK; }
            *out = num_inf(a, xi ? xi : yi);
            return RDB_OK;
        case '*':
            if (xs == 0 || ys == 0) { *out = num_nan(a); return RDB_OK; }
            *out = num_inf(a, xs * ys);
            return RDB_OK;
        default: /* '/' and '%' */
            if (ys == 0) return rdb_err_set(err, RDB_SQL, "22012", "division by zero");
            if (xi && yi) { *out = num_nan(a); return RDB_OK; }
            if (xi) { if (op == '%') { *out = num_nan(a); return RDB_OK; } *out = num_inf(a, xs * ys); return RDB_OK; }
            /* finite / infinity */
            if (op == '%') { *out = *xv; return RDB_OK; }
            *out = sqlt_numeric_from_int(a, 0);
            return RDB_OK;
        }
    }
    size_t n, nx, ny;
    if (op == '+' || op == '-') {
        int ysign = op == '-' ? -y.sign : y.sign;
        int s = x.scale > y.scale ? x.scale : y.scale;
        const char *dx = mag_shift(a, x.d, x.n, s - x.scale, &nx);
        const char *dy = mag_shift(a, y.d, y.n, s - y.scale, &ny);
        const char *d;
        int sign;
        if (x.sign == 0) { d = dy; n = ny; sign = ysign; }
        else if (ysign == 0) { d = dx; n = nx; sign = x.sign; }
        else if (x.sign == ysign) { d = mag_add(a, dx, nx, dy, ny, &n); sign = x.sign; }
        else {
            int c = mag_cmp(dx, nx, dy, ny);
            if (c >= 0) { d = mag_sub(a, dx, nx, dy, ny, &n); sign = x.sign; }
            else { d = mag_sub(a, dy, ny, dx, nx, &n); sign = ysign; }
        }
        *out = num_make(a, sign, s, d, n);
        return RDB_OK;
    }
    if (op == '*') {
        const char *d = mag_mul(a, x.d, x.n, y.d, y.n, &n);
        int s = x.scale + y.scale;
        *out = num_make(a, x.sign * y.sign, s, d, n);
        if (s > NUM_MAX_SCALE) return sqlt_numeric_round(a, out, NUM_MAX_SCALE, false, out, err);
        return RDB_OK;
    }
    if (y.sign == 0) return rdb_err_set(err, RDB_SQL, "22012", "division by zero");
    if (op == '%') {
        /* x - trunc(x/y)*y, scale max */
        int s = x.scale > y.scale ? x.scale : y.scale;
        const char *dx = mag_shift(a, x.d, x.n, s - x.scale, &nx);
        const char *dy = mag_shift(a, y.d, y.n, s - y.scale, &ny);
        char *q, *r; size_t nq, nr;
        mag_divmod(a, dx, nx, dy, ny, &q, &nq, &r, &nr);
        *out = num_make(a, x.sign, s, r, nr);
        return RDB_OK;
    }
    /* division */
    int rscale;
    {
        int w1 = 0, f1 = 0, w2, f2; /* PG's select_div_scale: zero has weight 0, digit 0 */
        if (x.sign != 0) num_weight(&x, &w1, &f1);
        num_weight(&y, &w2, &f2);
        int qweight = w1 - w2;
        if (f1 <= f2) qweight--;
        rscale = 16 - qweight * 4;
    }
    if (rscale < x.scale) rscale = x.scale;
    if (rscale < y.scale) rscale = y.scale;
    if (rscale < 0) rscale = 0;
    if (rscale > NUM_MAX_SCALE) rscale = NUM_MAX_SCALE;
    /* q = x.d*10^(rscale+1 + y.scale - x.scale) / y.d, then round the last digit */
    int shift = rscale + 1 + y.scale - x.scale;
    const char *dx = x.d, *dy = y.d;
    nx = x.n; ny = y.n;
    if (shift >= 0) dx = mag_shift(a, x.d, x.n, shift, &nx);
    else dy = mag_shift(a, y.d, y.n, -shift, &ny);
    char *q, *r; size_t nq, nr;
    mag_divmod(a, dx, nx, dy, ny, &q, &nq, &r, &nr);
    sql_value_t tmp = num_make(a, x.sign * y.sign, rscale + 1, q, nq);
    return sqlt_numeric_round(a, &tmp, rscale, false, out, err);
}

/* PG's binary numeric: int16 ndigits, weight, sign, dscale, then base-10000
 * digits, the decimal point between the weight-th and the next group. */
void sqlt_numeric_send(const sql_value_t *v, rdb_buf_t *out)
{
    num_t x = num_get(v);
    if (NUM_SPECIAL(x)) {
        rdb_buf_append_u16_be(out, 0);
        rdb_buf_append_u16_be(out, 0);
        rdb_buf_append_u16_be(out, x.sign == 2 ? 0xC000 : x.sign > 0 ? 0xD000 : 0xF000);
        rdb_buf_append_u16_be(out, 0);
        return;
    }
    long ipl = (long)x.n - x.scale; /* digits before the point (<= 0: leading fraction zeros) */
    long ilen = ipl > 0 ? ipl : 0;
    long lead = (4 - ilen % 4) % 4;
    long flen = (long)x.n - ilen + (ipl < 0 ? -ipl : 0);
    long trail = (4 - flen % 4) % 4;
    long total = lead + ilen + flen + trail;
    uint16_t groups[total / 4 + 1];
    long ng = total / 4, gi = 0;
    /* digit k of the padded string */
    for (long g = 0; g < ng; g++) {
        int val = 0;
        for (long k = g * 4; k < g * 4 + 4; k++) {
            long pos = k - lead; /* position in int part + frac string */
            int dg = 0;
            if (pos >= 0 && pos < ilen) dg = x.d[pos] - '0';
            else if (pos >= ilen && pos < ilen + flen) {
                long fpos = pos - ilen; /* within fraction */
                long zeros = ipl < 0 ? -ipl : 0;
                if (fpos >= zeros) dg = x.d[ilen + fpos - zeros] - '0';
            }
            val = val * 10 + dg;
        }
        groups[gi++] = (uint16_t)val;
    }
    long weight = (lead + ilen) / 4 - 1;
    long first = 0, last = ng;
    while (first < last && groups[first] == 0) { first++; weight--; }
    while (last > first && groups[last - 1] == 0) last--;
    if (first == last) weight = 0;
    rdb_buf_append_u16_be(out, (uint16_t)(last - first));
    rdb_buf_append_u16_be(out, (uint16_t)(int16_t)weight);
    rdb_buf_append_u16_be(out, x.sign < 0 ? 0x4000 : 0);
    rdb_buf_append_u16_be(out, (uint16_t)x.scale);
    for (long g = first; g < last; g++) rdb_buf_append_u16_be(out, groups[g]);
}

rdb_status_t sqlt_numeric_recv(rdb_arena_t *a, const char *p, size_t len, sql_value_t *out,
                               rdb_err_t *err)
{
#define U16(i) ((uint16_t)(((unsigned char)p[(i)] << 8) | (unsigned char)p[(i) + 1]))
    if (len < 8) goto bad;
    uint16_t nd = U16(0), sign = U16(4), dscale = U16(6);
    int16_t weight = (int16_t)U16(2);
    if (len != 8 + 2 * (size_t)nd || dscale > NUM_MAX_SCALE) goto bad;
    if (sign == 0xC000) { *out = num_nan(a); return RDB_OK; }
    if (sign == 0xD000 || sign == 0xF000) { *out = num_inf(a, sign == 0xF000 ? -1 : 1); return RDB_OK; }
    if (sign != 0 && sign != 0x4000) goto bad;
    rdb_buf_t b;
    rdb_buf_init(&b, 8 + nd * 4 + 16);
    if (sign) rdb_buf_append_u8(&b, '-');
    for (int i = 0; i < nd; i++) {
        uint16_t g = U16(8 + 2 * i);
        if (g >= 10000) { rdb_buf_free(&b); goto bad; }
        rdb_buf_printf(&b, "%04u", g);
    }
    if (nd == 0) rdb_buf_append_u8(&b, '0');
    rdb_buf_printf(&b, "e%d", nd ? (weight + 1 - nd) * 4 : 0);
    rdb_status_t st = sqlt_numeric_in(a, b.data, b.len, out, err);
    rdb_buf_free(&b);
    if (st != RDB_OK) return st;
    return sqlt_numeric_round(a, out, dscale, false, out, err);
bad:
    return rdb_err_set(err, RDB_SQL, "22P03", "invalid numeric binary data");
#undef U16
}

/* Special values: 0 finite, 1 NaN, 2 +Infinity, 3 -Infinity. */
int sqlt_numeric_special(const sql_value_t *v)
{
    num_t x = num_get(v);
    return x.sign == 2 ? 1 : x.sign == 3 ? 2 : x.sign == -3 ? 3 : 0;
}

int sqlt_numeric_dscale(const sql_value_t *v) { return num_get(v).scale; }

sql_value_t sqlt_numeric_special_value(rdb_arena_t *a, int which)
{
    return which == 1 ? num_nan(a) : num_inf(a, which == 3 ? -1 : 1);
}

/* sqrt of a finite value >= 0, rounded to rscale digits (exact: integer
 * square root by Newton's method on the digit strings). */
sql_value_t sqlt_numeric_sqrt(rdb_arena_t *a, const sql_value_t *xv, int rscale)
{
    num_t x = num_get(xv);
    if (x.sign == 0) return num_make(a, 1, rscale, "0", 1);
    /* N = coef * 10^(2(rscale+1) - scale): sqrt(N) = sqrt(x) * 10^(rscale+1) */
    int k = 2 * (rscale + 1) - x.scale;
    size_t nn;
    const char *N = k >= 0 ? mag_shift(a, x.d, x.n, k, &nn) : x.d;
    if (k < 0) nn = x.n; /* cannot happen: rscale >= scale */
    /* start above the root: 10^ceil(digits/2) */
    size_t ny = (nn + 1) / 2 + 1;
    char *y = rdb_arena_alloc(a, ny);
    y[0] = '1';
    memset(y + 1, '0', ny - 1);
    const char *cur = y;
    size_t ncur = ny;
    for (int it = 0; it < 10000; it++) {
        char *q, *r;
        size_t nq, nr, ns, nh;
        mag_divmod(a, N, nn, cur, ncur, &q, &nq, &r, &nr);
        char *sum = mag_add(a, cur, ncur, q, nq, &ns);
        /* halve */
        char *h = rdb_arena_alloc(a, ns);
        int rem = 0;
        for (size_t i = 0; i < ns; i++) {
            int v = rem * 10 + (sum[i] - '0');
            h[i] = (char)('0' + v / 2);
            rem = v % 2;
        }
        nh = ns;
        const char *hp = h;
        while (nh > 1 && *hp == '0') { hp++; nh--; }
        if (mag_cmp(hp, nh, cur, ncur) >= 0) break;
        cur = hp;
        ncur = nh;
    }
    sql_value_t t = num_make(a, 1, rscale + 1, cur, ncur);
    rdb_err_t e2 = RDB_ERR_INIT;
    sqlt_numeric_round(a, &t, rscale, false, &t, &e2);
    rdb_err_clear(&e2);
    return t;
}
