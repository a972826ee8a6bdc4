/*
 * io.c — text and binary input/output of values (sql_value_in/out,
 * sql_value_recv/send) and sql_value_copy.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sql/types/types_int.h"

rdb_status_t sqlt_json_in(rdb_arena_t *a, uint32_t oid, const char *s, size_t len,
                          sql_value_t *out, rdb_err_t *err);

static void trim(const char **s, size_t *len)
{
    const char *p = *s, *e = *s + *len;
    while (p < e && isspace((unsigned char)*p)) p++;
    while (e > p && isspace((unsigned char)e[-1])) e--;
    *s = p;
    *len = (size_t)(e - p);
}

static rdb_status_t int_in(uint32_t oid, const char *s0, size_t len0, sql_value_t *out, rdb_err_t *err)
{
    const char *s = s0;
    size_t len = len0;
    trim(&s, &len);
    const char *p = s, *e = s + len;
    bool neg = false;
    if (p < e && (*p == '+' || *p == '-')) { neg = *p == '-'; p++; }
    if (p == e) return sqlt_err_syntax(err, oid, s0, len0);
    uint64_t v = 0;
    bool over = false;
    for (; p < e; p++) {
        if (*p == '_' ) return sqlt_err_syntax(err, oid, s0, len0);
        if (*p < '0' || *p > '9') return sqlt_err_syntax(err, oid, s0, len0);
        if (v > (UINT64_MAX - 9) / 10) over = true;
        v = v * 10 + (uint64_t)(*p - '0');
    }
    int64_t lo, hi;
    sqlt_int_range(oid, &lo, &hi);
    if (over || (!neg && v > (uint64_t)hi) || (neg && v > (uint64_t)hi + 1) || (neg && lo == 0 && v))
        return rdb_err_set(err, RDB_SQL, "22003", "value \"%.*s\" is out of range for type %s",
                           (int)len0, s0, sqlt_sql_name(oid));
    *out = sql_int(neg ? (int64_t)(0 - v) : (int64_t)v);
    return RDB_OK;
}

static rdb_status_t float_in(uint32_t oid, const char *s0, size_t len0, sql_value_t *out, rdb_err_t *err)
{
    const char *s = s0;
    size_t len = len0;
    trim(&s, &len);
    char tmp[128];
    if (len == 0 || len >= sizeof tmp) return sqlt_err_syntax(err, oid, s0, len0);
    memcpy(tmp, s, len);
    tmp[len] = 0;
    double d;
    if (strcasecmp(tmp, "nan") == 0) d = NAN;
    else if (strcasecmp(tmp, "infinity") == 0 || strcasecmp(tmp, "+infinity") == 0 || strcasecmp(tmp, "inf") == 0 ||
             strcasecmp(tmp, "+inf") == 0) d = INFINITY;
    else if (strcasecmp(tmp, "-infinity") == 0 || strcasecmp(tmp, "-inf") == 0) d = -INFINITY;
    else {
        char *end;
        errno = 0;
        d = strtod(tmp, &end);
        if (end == tmp || *end || isnan(d) || isinf(d)) {
            if (end != tmp && !*end && isinf(d)) errno = ERANGE;
            else return sqlt_err_syntax(err, oid, s0, len0);
        }
        if (errno == ERANGE && d != 0 && !isinf(d)) errno = 0; /* denormals are values, as in PG */
        if (errno == ERANGE || (oid == SQL_OID_FLOAT4 && (isinf((float)d) || (d != 0 && (float)d == 0))))
            return rdb_err_set(err, RDB_SQL, "22003", "\"%.*s\" is out of range for type %s",
                               (int)len0, s0, oid == SQL_OID_FLOAT4 ? "real" : "double precision");
    }
    if (oid == SQL_OID_FLOAT4) d = (float)d;
    *out = sql_float(d);
    return RDB_OK;
}

/* Shortest round-trip output with PG's layout (exponent when < -4 or
 * >= 15 digits for float8, 6 for float4 ... PG uses the precision). */
/* extra_float_digits <= 0: PG's %.*g with DBL_DIG / FLT_DIG + efd digits */
static void float_out_efd(double f, bool is4, int efd, rdb_buf_t *out)
{
    if (efd > 0 || isnan(f) || isinf(f)) { sqlt_float_out(f, is4, out); return; }
    int prec = (is4 ? 6 : 15) + efd;
    if (prec < 1) prec = 1;
    char tmp[64];
    snprintf(tmp, sizeof tmp, "%.*g", prec, is4 ? (double)(float)f : f);
    rdb_buf_append_str(out, tmp);
}

void sqlt_float_out(double f, bool is4, rdb_buf_t *out)
{
    if (isnan(f)) { rdb_buf_append_str(out, "NaN"); return; }
    if (isinf(f)) { rdb_buf_append_str(out, f > 0 ? "Infinity" : "-Infinity"); return; }
    if (f == 0) { rdb_buf_append_str(out, signbit(f) ? "-0" : "0"); return; }
    char tmp[64];
    int prec;
    for (prec = 1; prec <= 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*e", prec - 1, f);
        if (is4 ? (float)strtod(tmp, NULL) == (float)f : strtod(tmp, NULL) == f) break;
    }
    /* tmp = [-]d.ddde[+-]XX */
    char *ep = strchr(tmp, 'e');
    int exp10 = atoi(ep + 1);
    *ep = 0;
    char digits[32];
    int nd = 0;
    bool neg = tmp[0] == '-';
    for (char *c = tmp + neg; *c; c++) if (isdigit((unsigned char)*c)) digits[nd++] = *c;
    while (nd > 1 && digits[nd - 1] == '0') nd--;
    if (neg) rdb_buf_append_u8(out, '-');
    int maxe = is4 ? 6 : 15;
    if (exp10 < -4 || exp10 >= maxe) {
        rdb_buf_append_u8(out, (uint8_t)digits[0]);
        if (nd > 1) { rdb_buf_append_u8(out, '.'); rdb_buf_append(out, digits + 1, (size_t)nd - 1); }
        rdb_buf_printf(out, "e%c%02d", exp10 < 0 ? '-' : '+', abs(exp10));
    } else if (exp10 < 0) {
        rdb_buf_append_str(out, "0.");
        for (int i = 0; i < -exp10 - 1; i++) rdb_buf_append_u8(out, '0');
        rdb_buf_append(out, digits, (size_t)nd);
    } else {
        for (int i = 0; i <= exp10; i++) rdb_buf_append_u8(out, i < nd ? (uint8_t)digits[i] : '0');
        if (nd > exp10 + 1) { rdb_buf_append_u8(out, '.'); rdb_buf_append(out, digits + exp10 + 1, (size_t)(nd - exp10 - 1)); }
    }
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static size_t utf8_chars(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++) n += ((unsigned char)s[i] & 0xC0) != 0x80;
    return n;
}

/* byte offset of the first `chars` characters */
static size_t utf8_prefix(const char *s, size_t len, size_t chars)
{
    size_t i = 0, n = 0;
    while (i < len) {
        if (((unsigned char)s[i] & 0xC0) != 0x80) { if (n == chars) break; n++; }
        i++;
    }
    return i;
}

rdb_status_t sqlt_text_typmod(rdb_arena_t *a, uint32_t oid, int32_t typmod, bool explicit_,
                              sql_value_t *v, rdb_err_t *err);
rdb_status_t sqlt_text_typmod(rdb_arena_t *a, uint32_t oid, int32_t typmod, bool explicit_,
                              sql_value_t *v, rdb_err_t *err)
{
    if (typmod < 4 || (oid != SQL_OID_VARCHAR && oid != SQL_OID_BPCHAR)) return RDB_OK;
    size_t maxc = (size_t)(typmod - 4);
    size_t nch = utf8_chars(v->u.v.ptr, v->u.v.len);
    if (nch > maxc) {
        size_t cut = utf8_prefix(v->u.v.ptr, v->u.v.len, maxc);
        if (!explicit_) {
            for (size_t i = cut; i < v->u.v.len; i++)
                if (v->u.v.ptr[i] != ' ')
                    return rdb_err_set(err, RDB_SQL, "22001", "value too long for type %s(%zu)",
                                       oid == SQL_OID_VARCHAR ? "character varying" : "character", maxc);
        }
        v->u.v.len = (uint32_t)cut;
        return RDB_OK;
    }
    if (oid == SQL_OID_BPCHAR && nch < maxc) {
        char *p = rdb_arena_alloc(a, v->u.v.len + (maxc - nch));
        memcpy(p, v->u.v.ptr, v->u.v.len);
        memset(p + v->u.v.len, ' ', maxc - nch);
        *v = sql_bytes(p, v->u.v.len + (uint32_t)(maxc - nch));
    }
    return RDB_OK;
}

static rdb_status_t bool_in(const char *s0, size_t len0, sql_value_t *out, rdb_err_t *err)
{
    const char *s = s0;
    size_t len = len0;
    trim(&s, &len);
    static const char *const t[] = { "true", "yes", "on", "1" }, *const f[] = { "false", "no", "off", "0" };
    if (len > 0) {
        for (int i = 0; i < 4; i++) {
            size_t min = i == 2 ? 2 : 1;
            if (len >= min && len <= strlen(t[i]) && strncasecmp(s, t[i], len) == 0) { *out = sql_bool(true); return RDB_OK; }
            min = i == 2 ? 3 : 1;
            if (len >= min && len <= strlen(f[i]) && strncasecmp(s, f[i], len) == 0) { *out = sql_bool(false); return RDB_OK; }
        }
    }
    return rdb_err_set(err, RDB_SQL, "22P02", "invalid input syntax for type boolean: \"%.*s\"", (int)len0, s0);
}

static rdb_status_t uuid_in(rdb_arena_t *a, const char *s, size_t len, sql_value_t *out, rdb_err_t *err)
{
    unsigned char *u = rdb_arena_alloc(a, 16);
    size_t i = 0, k = 0;
    if (len && s[0] == '{') i = 1;
    for (; i < len && k < 32; i++) {
        if (s[i] == '-' && k % 4 == 0 && k > 0) continue;
        int h = hexval((unsigned char)s[i]);
        if (h < 0) break;
        if (k % 2 == 0) u[k / 2] = (unsigned char)(h << 4);
        else u[k / 2] |= (unsigned char)h;
        k++;
    }
    if (i < len && s[0] == '{' && s[i] == '}') i++;
    if (k != 32 || i != len)
        return rdb_err_set(err, RDB_SQL, "22P02", "invalid input syntax for type uuid: \"%.*s\"", (int)len, s);
    *out = sql_bytes((const char *)u, 16);
    return RDB_OK;
}

static rdb_status_t bytea_in(rdb_arena_t *a, const char *s, size_t len, sql_value_t *out, rdb_err_t *err)
{
    if (len >= 2 && s[0] == '\\' && s[1] == 'x') {
        char *p = rdb_arena_alloc(a, len / 2 + 1);
        size_t n = 0;
        for (size_t i = 2; i < len;) {
            if (isspace((unsigned char)s[i])) { i++; continue; }
            int h = hexval((unsigned char)s[i]);
            if (h < 0) return rdb_err_set(err, RDB_SQL, "22023", "invalid hexadecimal digit: \"%c\"", s[i]);
            if (i + 1 >= len) return rdb_err_set(err, RDB_SQL, "22023", "invalid hexadecimal data: odd number of digits");
            int l = hexval((unsigned char)s[i + 1]);
            if (l < 0) return rdb_err_set(err, RDB_SQL, "22023", "invalid hexadecimal digit: \"%c\"", s[i + 1]);
            p[n++] = (char)(h << 4 | l);
            i += 2;
        }
        *out = sql_bytes(p, (uint32_t)n);
        return RDB_OK;
    }
    char *p = rdb_arena_alloc(a, len + 1);
    size_t n = 0;
    for (size_t i = 0; i < len;) {
        if (s[i] != '\\') { p[n++] = s[i++]; continue; }
        if (i + 1 < len && s[i + 1] == '\\') { p[n++] = '\\'; i += 2; continue; }
        if (i + 3 < len && s[i + 1] >= '0' && s[i + 1] <= '3' && s[i + 2] >= '0' && s[i + 2] <= '7' &&
            s[i + 3] >= '0' && s[i + 3] <= '7') {
            p[n++] = (char)((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
            i += 4;
            continue;
        }
        return rdb_err_set(err, RDB_SQL, "22P02", "invalid input syntax for type bytea");
    }
    *out = sql_bytes(p, (uint32_t)n);
    return RDB_OK;
}

rdb_status_t sql_value_in(rdb_arena_t *a, const sql_format_settings_t *fs, sql_type_t t,
                          const char *s, size_t len, sql_value_t *out, rdb_err_t *err)
{
    sql_format_settings_t def;
    if (!fs) { sql_format_settings_default(&def); fs = &def; }
    switch (sqlt_kind(t.oid)) {
    case K_BOOL: return bool_in(s, len, out, err);
    case K_INT: return int_in(t.oid, s, len, out, err);
    case K_FLOAT: return float_in(t.oid, s, len, out, err);
    case K_TEXT: {
        if (sqlt_is_net(t.oid))
            return sqlt_net_in(a, t.oid, s, len, out, err);
        if (sqlt_is_mac(t.oid))
            return sqlt_mac_in(a, t.oid, s, len, out, err);
        if (memchr(s, 0, len))
            return rdb_err_set(err, RDB_SQL, "22021", "invalid byte sequence for encoding \"UTF8\": 0x00");
        *out = sql_bytes(rdb_arena_memdup(a, s, len), (uint32_t)len);
        if (t.oid == SQL_OID_BPCHAR && t.typmod < 4) { /* strip trailing blanks is not done by PG input */ }
        return sqlt_text_typmod(a, t.oid, t.typmod, false, out, err);
    }
    case K_BYTEA: return bytea_in(a, s, len, out, err);
    case K_UUID: return uuid_in(a, s, len, out, err);
    case K_NUMERIC: {
        rdb_status_t st = sqlt_numeric_in(a, s, len, out, err);
        if (st != RDB_OK) return st;
        return sqlt_numeric_typmod(a, out, t.typmod, out, err);
    }
    case K_DATE: case K_TIME: case K_TS: case K_TSTZ: return sqlt_dt_in(fs, t.oid, s, len, out, err);
    case K_INTERVAL: return sqlt_interval_in(s, len, t.typmod, out, err);
    case K_JSON: return sqlt_json_in(a, t.oid, s, len, out, err);
    case K_ARRAY: return sqlt_array_in(a, fs, t, s, len, out, err);
    default:
        return rdb_err_set(err, RDB_SQL, "0A000", "input of type %s is not supported", sqlt_sql_name(t.oid));
    }
}

bool (*sql_value_out_reg_hook)(uint32_t typoid, int64_t oid, rdb_buf_t *out);

/* An integer in decimal (as "%lld", without printf's parsing of a format
 * per value: a column of integers is printed once per row). */
static void int_out(int64_t i, rdb_buf_t *out)
{
    char b[24];
    int n = sizeof b;
    uint64_t u = i < 0 ? 0 - (uint64_t)i : (uint64_t)i;
    do {
        b[--n] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (i < 0)
        b[--n] = '-';
    rdb_buf_append(out, b + n, sizeof b - (size_t)n);
}

void sql_value_out(const sql_format_settings_t *fs, sql_type_t t, const sql_value_t *v, rdb_buf_t *out)
{
    if ((t.oid == SQL_OID_REGCLASS || t.oid == SQL_OID_REGTYPE || t.oid == SQL_OID_REGNAMESPACE ||
         t.oid == SQL_OID_REGROLE) && sql_value_out_reg_hook &&
        sql_value_out_reg_hook(t.oid, v->u.i, out))
        return;
    sql_format_settings_t def;
    if (!fs) { sql_format_settings_default(&def); fs = &def; }
    switch (sqlt_kind(t.oid)) {
    case K_BOOL: rdb_buf_append_u8(out, v->u.b ? 't' : 'f'); return;
    case K_INT: int_out(v->u.i, out); return;
    case K_FLOAT: float_out_efd(v->u.f, t.oid == SQL_OID_FLOAT4, fs->extra_float_digits, out); return;
    case K_TEXT: case K_JSON: rdb_buf_append(out, v->u.v.ptr, v->u.v.len); return;
    case K_BYTEA:
        if (!fs->bytea_hex) { /* bytea_output = escape */
            for (uint32_t i = 0; i < v->u.v.len; i++) {
                unsigned char c = (unsigned char)v->u.v.ptr[i];
                if (c == '\\') rdb_buf_append_str(out, "\\\\");
                else if (c < 0x20 || c > 0x7e) rdb_buf_printf(out, "\\%03o", c);
                else rdb_buf_append_u8(out, c);
            }
            return;
        }
        rdb_buf_append_str(out, "\\x");
        for (uint32_t i = 0; i < v->u.v.len; i++) rdb_buf_printf(out, "%02x", (unsigned char)v->u.v.ptr[i]);
        return;
    case K_UUID: {
        const unsigned char *u = (const unsigned char *)v->u.v.ptr;
        for (int i = 0; i < 16; i++) {
            if (i == 4 || i == 6 || i == 8 || i == 10) rdb_buf_append_u8(out, '-');
            rdb_buf_printf(out, "%02x", u[i]);
        }
        return;
    }
    case K_NUMERIC: sqlt_numeric_out(v, out); return;
    case K_DATE: case K_TIME: case K_TS: case K_TSTZ: sqlt_dt_out(fs, t.oid, v, out); return;
    case K_INTERVAL: sqlt_interval_out(v, out); return;
    case K_ARRAY: sqlt_array_out(fs, t, v, out); return;
    default: rdb_buf_append_str(out, "???"); return;
    }
}

static uint64_t rd_be(const char *p, int n)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++) v = v << 8 | (unsigned char)p[i];
    return v;
}

rdb_status_t sql_value_recv(rdb_arena_t *a, sql_type_t t, const char *p, size_t len,
                            sql_value_t *out, rdb_err_t *err)
{
    size_t want = 0;
    switch (t.oid) {
    case SQL_OID_BOOL: want = 1; break;
    case SQL_OID_INT2: want = 2; break;
    case SQL_OID_INT4: case SQL_OID_OID: case SQL_OID_FLOAT4: case SQL_OID_DATE: want = 4; break;
    case SQL_OID_REGCLASS: case SQL_OID_REGTYPE: case SQL_OID_REGPROC: case SQL_OID_REGNAMESPACE:
    case SQL_OID_REGROLE: want = 4; break;
    case SQL_OID_CHAR: want = 1; break;
    case SQL_OID_TIMETZ: want = 12; break;
    case SQL_OID_INT8: case SQL_OID_FLOAT8: case SQL_OID_TIME: case SQL_OID_TIMESTAMP:
    case SQL_OID_TIMESTAMPTZ: want = 8; break;
    case SQL_OID_INTERVAL: case SQL_OID_UUID: want = 16; break;
    default: break;
    }
    if (want && len < want)     /* as PG's pq_getmsg* on a short value */
        return rdb_err_set(err, RDB_SQL, "08P01", "insufficient data left in message");
    if (want && len > want)
        return rdb_err_set(err, RDB_SQL, "22P03", "incorrect binary data format");
    switch (t.oid) {
    case SQL_OID_BOOL: *out = sql_bool(p[0] != 0); return RDB_OK;
    case SQL_OID_INT2: *out = sql_int((int16_t)rd_be(p, 2)); return RDB_OK;
    case SQL_OID_INT4: case SQL_OID_DATE: *out = sql_int((int32_t)rd_be(p, 4)); return RDB_OK;
    case SQL_OID_OID: case SQL_OID_REGCLASS: case SQL_OID_REGTYPE: case SQL_OID_REGPROC:
    case SQL_OID_REGNAMESPACE: case SQL_OID_REGROLE:
        *out = sql_int((uint32_t)rd_be(p, 4)); return RDB_OK;
    case SQL_OID_CHAR: *out = sql_bytes(rdb_arena_memdup(a, p, 1), p[0] ? 1 : 0); return RDB_OK;
    case SQL_OID_TIMETZ: {    /* PG's timetz_recv: µs of the day, zone in seconds west of UTC */
        int64_t tod = (int64_t)rd_be(p, 8);
        int32_t zone = (int32_t)rd_be(p + 8, 4);
        if (tod < 0 || tod > INT64_C(86400000000))
            return rdb_err_set(err, RDB_SQL, "22008", "time out of range");
        if (zone < -15 * 3600 - 59 * 60 - 59 || zone > 15 * 3600 + 59 * 60 + 59)
            return rdb_err_set(err, RDB_SQL, "22009", "time zone displacement out of range");
        *out = sql_int(sqlt_timetz_pack(tod, -zone));
        return RDB_OK;
    }
    case SQL_OID_INT8: case SQL_OID_TIME: case SQL_OID_TIMESTAMP: case SQL_OID_TIMESTAMPTZ:
        *out = sql_int((int64_t)rd_be(p, 8)); return RDB_OK;
    case SQL_OID_FLOAT4: { uint32_t b = (uint32_t)rd_be(p, 4); float f; memcpy(&f, &b, 4); *out = sql_float(f); return RDB_OK; }
    case SQL_OID_FLOAT8: { uint64_t b = rd_be(p, 8); double f; memcpy(&f, &b, 8); *out = sql_float(f); return RDB_OK; }
    case SQL_OID_INTERVAL:
        out->isnull = false;
        out->u.iv.usec = (int64_t)rd_be(p, 8);
        out->u.iv.days = (int32_t)rd_be(p + 8, 4);
        out->u.iv.months = (int32_t)rd_be(p + 12, 4);
        return RDB_OK;
    case SQL_OID_JSON:
        return sqlt_json_in(a, t.oid, p, len, out, err);
    case SQL_OID_TEXT: case SQL_OID_VARCHAR: case SQL_OID_BPCHAR: case SQL_OID_NAME:
        if (memchr(p, 0, len))
            return rdb_err_set(err, RDB_SQL, "22021", "invalid byte sequence for encoding \"UTF8\": 0x00");
        if (t.oid == SQL_OID_VARCHAR || t.oid == SQL_OID_BPCHAR) {   /* varchar(n) / char(n) as PG's recv */
            *out = sql_bytes(rdb_arena_memdup(a, p, len ? len : 1), (uint32_t)len);
            return sqlt_text_typmod(a, t.oid, t.typmod, false, out, err);
        }
        /* fallthrough */
    case SQL_OID_UUID: case SQL_OID_BYTEA:
        *out = sql_bytes(rdb_arena_memdup(a, p, len ? len : 1), (uint32_t)len);
        return RDB_OK;
    case SQL_OID_NUMERIC: {
        rdb_status_t st = sqlt_numeric_recv(a, p, len, out, err);
        return st != RDB_OK ? st : sqlt_numeric_typmod(a, out, t.typmod, out, err);
    }
    case SQL_OID_JSONB:
        if (len < 1 || p[0] != 1)
            return rdb_err_set(err, RDB_SQL, "22P03", "unsupported jsonb version number %d", len ? p[0] : -1);
        return sqlt_json_in(a, t.oid, p + 1, len - 1, out, err);
    case SQL_OID_INET: case SQL_OID_CIDR:
        return sqlt_net_recv(a, t.oid, p, len, out, err);
    case SQL_OID_MACADDR: case SQL_OID_MACADDR8:
        return sqlt_mac_recv(a, t.oid, p, len, out, err);
    default: {
        if (sqlt_kind(t.oid) == K_ARRAY)
            return sqlt_array_recv(a, t, p, len, out, err);
        return rdb_err_set(err, RDB_SQL, "0A000", "binary input of type %s is not supported",
                           sqlt_sql_name(t.oid));
    }
    }
}

void sql_value_send(sql_type_t t, const sql_value_t *v, rdb_buf_t *out)
{
    switch (t.oid) {
    case SQL_OID_BOOL: rdb_buf_append_u8(out, v->u.b ? 1 : 0); return;
    case SQL_OID_INT2: rdb_buf_append_u16_be(out, (uint16_t)v->u.i); return;
    case SQL_OID_INT4: case SQL_OID_OID: case SQL_OID_DATE: rdb_buf_append_u32_be(out, (uint32_t)v->u.i); return;
    case SQL_OID_REGCLASS: case SQL_OID_REGTYPE: case SQL_OID_REGPROC: case SQL_OID_REGNAMESPACE:
    case SQL_OID_REGROLE:
        rdb_buf_append_u32_be(out, (uint32_t)v->u.i); return;
    case SQL_OID_CHAR: rdb_buf_append_u8(out, v->u.v.len ? (uint8_t)v->u.v.ptr[0] : 0); return;
    case SQL_OID_TIMETZ:
        rdb_buf_append_u64_be(out, (uint64_t)sqlt_timetz_tod(v->u.i));
        rdb_buf_append_u32_be(out, (uint32_t)-sqlt_timetz_off(v->u.i));
        return;
    case SQL_OID_INT8: case SQL_OID_TIME: case SQL_OID_TIMESTAMP: case SQL_OID_TIMESTAMPTZ:
        rdb_buf_append_u64_be(out, (uint64_t)v->u.i); return;
    case SQL_OID_FLOAT4: { float f = (float)v->u.f; uint32_t b; memcpy(&b, &f, 4); rdb_buf_append_u32_be(out, b); return; }
    case SQL_OID_FLOAT8: { uint64_t b; memcpy(&b, &v->u.f, 8); rdb_buf_append_u64_be(out, b); return; }
    case SQL_OID_INTERVAL:
        rdb_buf_append_u64_be(out, (uint64_t)v->u.iv.usec);
        rdb_buf_append_u32_be(out, (uint32_t)v->u.iv.days);
        rdb_buf_append_u32_be(out, (uint32_t)v->u.iv.months);
        return;
    case SQL_OID_UUID: case SQL_OID_BYTEA: case SQL_OID_TEXT: case SQL_OID_VARCHAR:
    case SQL_OID_BPCHAR: case SQL_OID_NAME: case SQL_OID_JSON:
        rdb_buf_append(out, v->u.v.ptr, v->u.v.len); return;
    case SQL_OID_NUMERIC: sqlt_numeric_send(v, out); return;
    case SQL_OID_JSONB:
        rdb_buf_append_u8(out, 1); /* jsonb binary format version */
        rdb_buf_append(out, v->u.v.ptr, v->u.v.len);
        return;
    case SQL_OID_INET: case SQL_OID_CIDR:
        sqlt_net_send(t.oid, v, out);
        return;
    case SQL_OID_MACADDR: case SQL_OID_MACADDR8:
        sqlt_mac_send(v, out);
        return;
    default:
        if (sqlt_kind(t.oid) == K_ARRAY) {
            sqlt_array_send(t, v, out);
            return;
        }
        sql_value_out(NULL, t, v, out); /* text form for the rest */
        return;
    }
}

sql_value_t sql_value_copy(rdb_arena_t *a, sql_type_t t, sql_value_t v)
{
    if (v.isnull) return v;
    switch (sqlt_kind(t.oid)) {
    case K_TEXT: case K_BYTEA: case K_UUID: case K_NUMERIC: case K_JSON: case K_OTHER: case K_ARRAY:
        if (sqlt_kind(t.oid) == K_OTHER && !sql_type_by_oid(t.oid)) return v;
        if (sqlt_kind(t.oid) == K_OTHER && sql_type_by_oid(t.oid)->typlen > 0) return v;
        v.u.v.ptr = rdb_arena_memdup(a, v.u.v.ptr, v.u.v.len ? v.u.v.len : 1);
        return v;
    default:
        return v;
    }
}
