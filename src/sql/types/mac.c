/*
 * mac.c — the MAC address types macaddr (6 bytes) and macaddr8 (8 bytes)
 * as PostgreSQL 15 has them: text input in every form PG accepts, output
 * in lower-case colon form, binary send/recv, the casts between the two,
 * trunc, macaddr8_set7bit and the ~ & | operators.
 *
 * Both are held as their canonical text (value.h: "08:00:2b:01:02:03"):
 * fixed-width lower-case hex, so byte order is text order and the generic
 * text comparison, hashing and key encoding serve them unchanged.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "sql/types/fn_reg.h"

#define MA SQL_OID_MACADDR
#define M8 SQL_OID_MACADDR8

static int mac_len(uint32_t oid) { return oid == M8 ? 8 : 6; }

static sql_value_t mac_put(rdb_arena_t *a, const unsigned char *b, int n)
{
    char txt[24];
    size_t k = 0;
    for (int i = 0; i < n; i++)
        k += (size_t)snprintf(txt + k, sizeof txt - k, i ? ":%02x" : "%02x", b[i]);
    return sql_bytes(rdb_arena_memdup(a, txt, k), (uint32_t)k);
}

/* The bytes of a canonical text (n of them by its length). */
static int mac_get(const sql_value_t *v, unsigned char *b)
{
    int n = v->u.v.len >= 23 ? 8 : 6;
    for (int i = 0; i < n; i++) {
        unsigned x = 0;
        for (int k = 0; k < 2; k++) {
            char c = (size_t)(3 * i + k) < v->u.v.len ? v->u.v.ptr[3 * i + k] : '0';
            x = x << 4 | (unsigned)(c >= 'a' ? c - 'a' + 10 : c >= 'A' ? c - 'A' + 10 : c - '0');
        }
        b[i] = (unsigned char)x;
    }
    return n;
}

/* PG's macaddr_in: the first of its sscanf forms that reads six values. */
static rdb_status_t macaddr_in(rdb_arena_t *a, const char *str, sql_value_t *out, rdb_err_t *err)
{
    static const char *const forms[] = {
        "%x:%x:%x:%x:%x:%x%1s", "%x-%x-%x-%x-%x-%x%1s", "%2x%2x%2x:%2x%2x%2x%1s",
        "%2x%2x%2x-%2x%2x%2x%1s", "%2x%2x.%2x%2x.%2x%2x%1s", "%2x%2x-%2x%2x-%2x%2x%1s",
        "%2x%2x%2x%2x%2x%2x%1s",
    };
    int v[6], count = 0;
    char junk[2];
    for (size_t f = 0; f < sizeof forms / sizeof forms[0] && count != 6; f++)
        count = sscanf(str, forms[f], &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], junk);
    if (count != 6)
        return rdb_err_set(err, RDB_SQL, "22P02", "invalid input syntax for type macaddr: \"%s\"", str);
    unsigned char b[6];
    for (int i = 0; i < 6; i++) {
        if (v[i] < 0 || v[i] > 255)
            return rdb_err_set(err, RDB_SQL, "22003", "invalid octet value in \"macaddr\" value: \"%s\"", str);
        b[i] = (unsigned char)v[i];
    }
    *out = mac_put(a, b, 6);
    return RDB_OK;
}

static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
         : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* PG's macaddr8_in: pairs of hex digits with one consistent optional
 * separator (: - .), 6 bytes (widened with ff:fe) or 8. */
static rdb_status_t macaddr8_in(rdb_arena_t *a, const char *str, sql_value_t *out, rdb_err_t *err)
{
    const char *p = str;
    unsigned char b[8];
    int count = 0;
    char spacer = 0;
    while (*p && isspace((unsigned char)*p))
        p++;
    while (*p && p[1]) {
        int hi = hexval(p[0]), lo = hexval(p[1]);
        if (hi < 0 || lo < 0 || count == 8)
            goto fail;
        b[count++] = (unsigned char)(hi << 4 | lo);
        p += 2;
        if (*p == ':' || *p == '-' || *p == '.') {
            if (!spacer)
                spacer = *p;
            else if (spacer != *p)
                goto fail;
            p++;
        }
        if ((count == 6 || count == 8) && isspace((unsigned char)*p)) {
            while (*++p && isspace((unsigned char)*p))
                ;
            if (*p)
                goto fail;
        }
    }
    if (*p)
        goto fail;
    if (count == 6) {
        memmove(b + 5, b + 3, 3);
        b[3] = 0xff;
        b[4] = 0xfe;
    } else if (count != 8) {
        goto fail;
    }
    *out = mac_put(a, b, 8);
    return RDB_OK;
fail:
    return rdb_err_set(err, RDB_SQL, "22P02", "invalid input syntax for type macaddr8: \"%s\"", str);
}

rdb_status_t sqlt_mac_in(rdb_arena_t *a, uint32_t oid, const char *s, size_t len, sql_value_t *out,
                         rdb_err_t *err)
{
    char buf[128];
    size_t n = len < sizeof buf - 1 ? len : sizeof buf - 1;
    memcpy(buf, s, n);
    buf[n] = 0;
    if (len >= sizeof buf || memchr(s, 0, len))
        return rdb_err_set(err, RDB_SQL, "22P02", "invalid input syntax for type %s: \"%.*s\"",
                           oid == M8 ? "macaddr8" : "macaddr", (int)n, buf);
    return oid == M8 ? macaddr8_in(a, buf, out, err) : macaddr_in(a, buf, out, err);
}

void sqlt_mac_send(const sql_value_t *v, rdb_buf_t *out)
{
    unsigned char b[8];
    int n = mac_get(v, b);
    rdb_buf_append(out, b, (size_t)n);
}

rdb_status_t sqlt_mac_recv(rdb_arena_t *a, uint32_t oid, const char *p, size_t len, sql_value_t *out,
                           rdb_err_t *err)
{
    size_t want = (size_t)mac_len(oid);
    if (oid == M8 && len == 6) {    /* macaddr8_recv takes a 6-byte address too */
        unsigned char b[8] = { (unsigned char)p[0], (unsigned char)p[1], (unsigned char)p[2], 0xff, 0xfe,
                               (unsigned char)p[3], (unsigned char)p[4], (unsigned char)p[5] };
        *out = mac_put(a, b, 8);
        return RDB_OK;
    }
    if (len < want)
        return rdb_err_set(err, RDB_SQL, "08P01", "insufficient data left in message");
    if (len > want)
        return rdb_err_set(err, RDB_SQL, "22P03", "incorrect binary data format");
    *out = mac_put(a, (const unsigned char *)p, (int)want);
    return RDB_OK;
}

/* macaddr -> macaddr8 (ff:fe in the middle) and back (only such ones). */
rdb_status_t sqlt_mac_cast(rdb_arena_t *a, uint32_t to, const sql_value_t *in, sql_value_t *out,
                           rdb_err_t *err)
{
    unsigned char b[8];
    int n = mac_get(in, b);
    if (to == M8 && n == 6) {
        unsigned char w[8] = { b[0], b[1], b[2], 0xff, 0xfe, b[3], b[4], b[5] };
        *out = mac_put(a, w, 8);
        return RDB_OK;
    }
    if (to == MA && n == 8) {
        if (b[3] != 0xff || b[4] != 0xfe) {
            rdb_err_set(err, RDB_SQL, "22003", "macaddr8 data out of range to convert to macaddr");
            rdb_err_hint(err, "Only addresses that have FF and FE as values in the 4th and 5th bytes from "
                         "the left, for example xx:xx:xx:ff:fe:xx:xx:xx, are eligible to be converted "
                         "from macaddr8 to macaddr.");
            return RDB_SQL;
        }
        unsigned char s[6] = { b[0], b[1], b[2], b[5], b[6], b[7] };
        *out = mac_put(a, s, 6);
        return RDB_OK;
    }
    *out = *in;
    return RDB_OK;
}

/* ---- functions and operators ------------------------------------------ */

FN(f_trunc)
{
    UNUSED_FN_ARGS;
    unsigned char b[8];
    int n = mac_get(&A0, b);
    memset(b + 3, 0, (size_t)n - 3);
    *res = mac_put(ctx->arena, b, n);
    return RDB_OK;
}

FN(f_set7bit)
{
    UNUSED_FN_ARGS;
    unsigned char b[8];
    int n = mac_get(&A0, b);
    b[0] |= 0x02;
    *res = mac_put(ctx->arena, b, n);
    return RDB_OK;
}

FN(op_not)
{
    UNUSED_FN_ARGS;
    unsigned char b[8];
    int n = mac_get(&A0, b);
    for (int i = 0; i < n; i++)
        b[i] = (unsigned char)~b[i];
    *res = mac_put(ctx->arena, b, n);
    return RDB_OK;
}

static void bitop(sql_fn_ctx_t *ctx, const sql_value_t *args, bool and_, sql_value_t *res)
{
    unsigned char x[8], y[8];
    int n = mac_get(&A0, x);
    mac_get(&A1, y);
    for (int i = 0; i < n; i++)
        x[i] = and_ ? (unsigned char)(x[i] & y[i]) : (unsigned char)(x[i] | y[i]);
    *res = mac_put(ctx->arena, x, n);
}

FN(op_and) { UNUSED_FN_ARGS; bitop(ctx, args, true, res); return RDB_OK; }
FN(op_or) { UNUSED_FN_ARGS; bitop(ctx, args, false, res); return RDB_OK; }

const fdef_t sqlt_fn_mac[] = {
    { "trunc", 1, { MA }, MA, f_trunc, 0 },
    { "trunc", 1, { M8 }, M8, f_trunc, 0 },
    { "macaddr8_set7bit", 1, { M8 }, M8, f_set7bit, 0 },
    { NULL, 0, { 0 }, 0, NULL, 0 },
};

const fdef_t sqlt_op_mac[] = {
    { "~", 1, { MA }, MA, op_not, 0 }, { "&", 2, { MA, MA }, MA, op_and, 0 }, { "|", 2, { MA, MA }, MA, op_or, 0 },
    { "~", 1, { M8 }, M8, op_not, 0 }, { "&", 2, { M8, M8 }, M8, op_and, 0 }, { "|", 2, { M8, M8 }, M8, op_or, 0 },
    { NULL, 0, { 0 }, 0, NULL, 0 },
};
