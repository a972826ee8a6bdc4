/*
 * network.c — the network address types inet and cidr as PostgreSQL 15
 * has them: text input (cidr's abbreviated and classful forms and its
 * "bits set to right of mask" check) and output, binary inet_send /
 * inet_recv, the order-preserving sort key (network_cmp's order), the
 * casts between inet, cidr and text, and the functions and operators
 * (host, netmask, network, broadcast, masklen, set_masklen, abbrev,
 * inet_merge..., << <<= >> >>= && ~ & | + -).
 *
 * Both types are held as their canonical text (value.h): inet prints the
 * /bits only when they are not the whole address, cidr always; so a cidr
 * value coerced to inet (binary-coercible, as in PG) keeps printing its
 * /bits, as PG's does.  Everything here decodes that text into a net_t.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sql/types/fn_reg.h"

typedef struct {
    int           v6;     /* 0: IPv4, 1: IPv6 */
    int           bits;
    unsigned char a[16];
} net_t;

#define NET_MAX(n) ((n)->v6 ? 128 : 32)
#define NET_LEN(n) ((n)->v6 ? 16 : 4)
#define CI SQL_OID_CIDR
#define IN SQL_OID_INET

/* Decode a canonical text (any damage reads as 0.0.0.0/32: values are
 * only ever built by this file). */
static void net_get(const sql_value_t *v, net_t *n)
{
    char buf[INET6_ADDRSTRLEN + 8];
    size_t len = v->u.v.len < sizeof buf - 1 ? v->u.v.len : sizeof buf - 1;
    memcpy(buf, v->u.v.ptr, len);
    buf[len] = 0;
    char *slash = strchr(buf, '/');
    if (slash)
        *slash = 0;
    memset(n, 0, sizeof *n);
    n->v6 = strchr(buf, ':') != NULL;
    if (inet_pton(n->v6 ? AF_INET6 : AF_INET, buf, n->a) != 1)
        memset(n->a, 0, 16);
    n->bits = slash ? atoi(slash + 1) : NET_MAX(n);
    if (n->bits < 0 || n->bits > NET_MAX(n))
        n->bits = NET_MAX(n);
}

/* The canonical text of n as inet (cidr: always with /bits). */
static sql_value_t net_put(rdb_arena_t *a, const net_t *n, bool cidr)
{
    char txt[INET6_ADDRSTRLEN + 8];
    if (!inet_ntop(n->v6 ? AF_INET6 : AF_INET, n->a, txt, INET6_ADDRSTRLEN))
        snprintf(txt, sizeof txt, "0.0.0.0");
    if (cidr || n->bits != NET_MAX(n))
        snprintf(txt + strlen(txt), 8, "/%d", n->bits);
    size_t len = strlen(txt);
    return sql_bytes(rdb_arena_memdup(a, txt, len), (uint32_t)len);
}

/* Does n have bits set to the right of its mask? */
static bool net_host_bits(const net_t *n)
{
    for (int i = 0; i < NET_LEN(n); i++) {
        int keep = n->bits - 8 * i;
        unsigned char m = keep >= 8 ? 0xff : keep <= 0 ? 0 : (unsigned char)(0xff << (8 - keep));
        if (n->a[i] & ~m)
            return true;
    }
    return false;
}

/* Clear (set = false) or set the bits right of the mask. */
static void net_fill_host(net_t *n, bool set)
{
    for (int i = 0; i < NET_LEN(n); i++) {
        int keep = n->bits - 8 * i;
        unsigned char m = keep >= 8 ? 0xff : keep <= 0 ? 0 : (unsigned char)(0xff << (8 - keep));
        n->a[i] = set ? (unsigned char)(n->a[i] | ~m) : (unsigned char)(n->a[i] & m);
    }
}

/* Compare the first bits bits of two addresses, as PG's bitncmp. */
static int bitncmp(const unsigned char *l, const unsigned char *r, int bits)
{
    int b = bits / 8, c = memcmp(l, r, (size_t)b);
    if (c || bits % 8 == 0)
        return c;
    int m = 0xff << (8 - bits % 8);
    int x = l[b] & m, y = r[b] & m;
    return x < y ? -1 : x > y;
}

/* ---- input ------------------------------------------------------------ */

/* IPv4 as PG's inet_cidr_pton_ipv4 for cidr: 1 to 4 octets, then /bits or
 * the classful default widened to the octets given.  -1 if malformed. */
static int cidr_v4(const char *s, unsigned char a[4])
{
    int n = 0, bits = -1;
    memset(a, 0, 4);
    const char *p = s;
    for (;;) {
        if (*p < '0' || *p > '9' || n == 4)
            return -1;
        long v = 0;
        int digits = 0;
        while (*p >= '0' && *p <= '9') {
            v = v * 10 + (*p++ - '0');
            if (++digits > 3 || v > 255)
                return -1;
        }
        a[n++] = (unsigned char)v;
        if (*p == '.') {
            p++;
            continue;
        }
        break;
    }
    if (*p == '/') {
        p++;
        if (*p < '0' || *p > '9')
            return -1;
        bits = 0;
        while (*p >= '0' && *p <= '9') {
            bits = bits * 10 + (*p++ - '0');
            if (bits > 32)
                return -1;
        }
    }
    if (*p)
        return -1;
    if (bits == -1) {
        bits = a[0] >= 240 ? 32 : a[0] >= 224 ? 8 : a[0] >= 192 ? 24 : a[0] >= 128 ? 16 : 8;
        if (bits < n * 8)
            bits = n * 8;
        if (bits == 8 && a[0] == 224)
            bits = 4;
    }
    return bits;
}

rdb_status_t sqlt_net_in(rdb_arena_t *a, uint32_t oid, const char *s, size_t len, sql_value_t *out,
                         rdb_err_t *err)
{
    bool cidr = oid == CI;
    const char *tn = cidr ? "cidr" : "inet";
    char buf[128];
    net_t n;
    memset(&n, 0, sizeof n);
    if (len == 0 || len >= sizeof buf)
        goto bad;
    memcpy(buf, s, len);
    buf[len] = 0;
    n.v6 = strchr(buf, ':') != NULL;
    if (cidr && !n.v6) {
        if ((n.bits = cidr_v4(buf, n.a)) < 0)
            goto bad;
    } else {
        char *slash = strchr(buf, '/');
        n.bits = -1;
        if (slash) {
            char *end;
            *slash = 0;
            if (!slash[1] || slash[1] < '0' || slash[1] > '9')
                goto bad;
            long bits = strtol(slash + 1, &end, 10);
            if (*end || bits > (n.v6 ? 128 : 32))
                goto bad;
            n.bits = (int)bits;
        }
        if (inet_pton(n.v6 ? AF_INET6 : AF_INET, buf, n.a) != 1)
            goto bad;
        if (n.bits < 0)
            n.bits = NET_MAX(&n);
    }
    if (cidr && net_host_bits(&n)) {
        rdb_err_set(err, RDB_SQL, "22P02", "invalid cidr value: \"%.*s\"", (int)len, s);
        rdb_err_detail(err, "Value has bits set to right of mask.");
        return RDB_SQL;
    }
    *out = net_put(a, &n, cidr);
    return RDB_OK;
bad:
    return rdb_err_set(err, RDB_SQL, "22P02", "invalid input syntax for type %s: \"%.*s\"", tn, (int)len, s);
}

/* ---- keys ------------------------------------------------------------- */

size_t sqlt_inet_sortkey(const sql_value_t *v, unsigned char *out)
{
    net_t n;
    net_get(v, &n);
    int nb = NET_LEN(&n);
    out[0] = (unsigned char)n.v6;
    net_t m = n;
    net_fill_host(&m, false);
    memcpy(out + 1, m.a, (size_t)nb);
    out[1 + nb] = (unsigned char)n.bits;
    memcpy(out + 2 + nb, n.a, (size_t)nb);
    return n.v6 ? SQLT_INET_KEY6 : SQLT_INET_KEY4;
}

sql_value_t sqlt_inet_from_sortkey(rdb_arena_t *a, const unsigned char *k, bool cidr)
{
    net_t n;
    memset(&n, 0, sizeof n);
    n.v6 = k[0] == 1;
    int nb = NET_LEN(&n);
    n.bits = k[1 + nb] <= NET_MAX(&n) ? k[1 + nb] : NET_MAX(&n);
    memcpy(n.a, k + 2 + nb, (size_t)nb);
    return net_put(a, &n, cidr);
}

/* ---- binary (inet_send / inet_recv) ----------------------------------- */

/* family (2 = AF_INET, 3 = PGSQL_AF_INET6), bits, is_cidr, address length,
 * address bytes. */
void sqlt_net_send(uint32_t oid, const sql_value_t *v, rdb_buf_t *out)
{
    net_t n;
    net_get(v, &n);
    rdb_buf_append_u8(out, n.v6 ? 3 : 2);
    rdb_buf_append_u8(out, (uint8_t)n.bits);
    rdb_buf_append_u8(out, oid == CI);
    rdb_buf_append_u8(out, (uint8_t)NET_LEN(&n));
    rdb_buf_append(out, n.a, (size_t)NET_LEN(&n));
}

rdb_status_t sqlt_net_recv(rdb_arena_t *a, uint32_t oid, const char *p, size_t len, sql_value_t *out,
                           rdb_err_t *err)
{
    const char *tn = oid == CI ? "cidr" : "inet";
    net_t n;
    memset(&n, 0, sizeof n);
    if (len < 4 || (p[0] != 2 && p[0] != 3))
        return rdb_err_set(err, RDB_SQL, "22P03", "invalid address family in external \"%s\" value", tn);
    n.v6 = p[0] == 3;
    n.bits = (unsigned char)p[1];
    if (n.bits > NET_MAX(&n))
        return rdb_err_set(err, RDB_SQL, "22P03", "invalid bits in external \"%s\" value", tn);
    if ((unsigned char)p[3] != NET_LEN(&n) || len != 4 + (size_t)NET_LEN(&n))
        return rdb_err_set(err, RDB_SQL, "22P03", "invalid length in external \"%s\" value", tn);
    memcpy(n.a, p + 4, (size_t)NET_LEN(&n));
    if (oid == CI && net_host_bits(&n)) {
        rdb_err_set(err, RDB_SQL, "22P03", "invalid external \"cidr\" value");
        rdb_err_detail(err, "Value has bits set to right of mask.");
        return RDB_SQL;
    }
    *out = net_put(a, &n, oid == CI);
    return RDB_OK;
}

/* ---- casts ------------------------------------------------------------ */

/* inet -> cidr (host bits cleared), inet/cidr -> text (always with /bits,
 * PG's network_show), text -> inet/cidr (the input function). */
rdb_status_t sqlt_net_cast(rdb_arena_t *a, uint32_t from, uint32_t to, const sql_value_t *in,
                           sql_value_t *out, rdb_err_t *err)
{
    bool fnet = from == IN || from == CI, tnet = to == IN || to == CI;
    if (fnet && tnet) {
        if (to == IN) {
            *out = *in;
            return RDB_OK;
        }
        net_t n;
        net_get(in, &n);
        net_fill_host(&n, false);
        *out = net_put(a, &n, true);
        return RDB_OK;
    }
    if (fnet) {
        net_t n;
        net_get(in, &n);
        *out = net_put(a, &n, true);
        return RDB_OK;
    }
    return sqlt_net_in(a, to, in->u.v.ptr, in->u.v.len, out, err);
}

/* ---- functions -------------------------------------------------------- */

FN(f_host)
{
    UNUSED_FN_ARGS;
    net_t n;
    net_get(&A0, &n);
    n.bits = NET_MAX(&n);
    *res = net_put(ctx->arena, &n, false);
    return RDB_OK;
}

FN(f_text)
{
    UNUSED_FN_ARGS;
    net_t n;
    net_get(&A0, &n);
    *res = net_put(ctx->arena, &n, true);
    return RDB_OK;
}

FN(f_masklen)
{
    UNUSED_FN_ARGS;
    net_t n;
    net_get(&A0, &n);
    *res = sql_int(n.bits);
    return RDB_OK;
}

FN(f_family)
{
    UNUSED_FN_ARGS;
    net_t n;
    net_get(&A0, &n);
    *res = sql_int(n.v6 ? 6 : 4);
    return RDB_OK;
}

/* netmask (host = false) or hostmask (true) as a whole address */
static void mask_of(const sql_value_t *v, bool host, rdb_arena_t *a, sql_value_t *res)
{
    net_t n;
    net_get(v, &n);
    memset(n.a, 0, 16);
    net_fill_host(&n, true);
    if (!host)
        for (int i = 0; i < NET_LEN(&n); i++)
            n.a[i] = (unsigned char)~n.a[i];
    n.bits = NET_MAX(&n);
    *res = net_put(a, &n, false);
}

FN(f_netmask) { UNUSED_FN_ARGS; mask_of(&A0, false, ctx->arena, res); return RDB_OK; }
FN(f_hostmask) { UNUSED_FN_ARGS; mask_of(&A0, true, ctx->arena, res); return RDB_OK; }

FN(f_network)
{
    UNUSED_FN_ARGS;
    net_t n;
    net_get(&A0, &n);
    net_fill_host(&n, false);
    *res = net_put(ctx->arena, &n, true);
    return RDB_OK;
}

FN(f_broadcast)
{
    UNUSED_FN_ARGS;
    net_t n;
    net_get(&A0, &n);
    net_fill_host(&n, true);
    *res = net_put(ctx->arena, &n, false);
    return RDB_OK;
}

FN(f_set_masklen)
{
    UNUSED_FN_ARGS;
    net_t n;
    net_get(&A0, &n);
    int64_t bits = A1.u.i;
    if (bits == -1)
        bits = NET_MAX(&n);
    if (bits < 0 || bits > NET_MAX(&n))
        return rdb_err_set(err, RDB_SQL, "22023", "invalid mask length: %lld", (long long)A1.u.i);
    n.bits = (int)bits;
    bool cidr = rettype.oid == CI;
    if (cidr)
        net_fill_host(&n, false);
    *res = net_put(ctx->arena, &n, cidr);
    return RDB_OK;
}

/* abbrev(cidr) of an IPv6 network, as PG's inet_cidr_ntop_ipv6: only the
 * 16-bit words the mask covers (at least two), the longest run of zero
 * words (even a single one) as "::", an IPv4-mapped tail in dotted form. */
static size_t abbrev_v6(const net_t *n, char *buf, size_t size)
{
    unsigned w[8];
    int nw = (n->bits + 15) / 16, best = -1, blen = 0, cur = -1, clen = 0;
    if (nw < 2)
        nw = 2;
    for (int i = 0; i < 8; i++)
        w[i] = (unsigned)n->a[2 * i] << 8 | n->a[2 * i + 1];
    for (int i = 0; i < nw; i++) {
        if (w[i] == 0) {
            if (cur < 0) cur = i, clen = 0;
            clen++;
        } else if (cur >= 0) {
            if (best < 0 || clen > blen) best = cur, blen = clen;
            cur = -1;
        }
    }
    if (cur >= 0 && (best < 0 || clen > blen))
        best = cur, blen = clen;
    size_t k = 0;
    for (int i = 0; i < nw; i++) {
        if (best >= 0 && i >= best && i < best + blen) {
            if (i == best)
                k += (size_t)snprintf(buf + k, size - k, ":");
            continue;
        }
        if (i)
            k += (size_t)snprintf(buf + k, size - k, ":");
        if (i == 6 && best == 0 && (blen == 6 || (blen == 5 && w[5] == 0xffff))) {
            int oct = (n->bits - 96 + 7) / 8;
            for (int j = 0; j < oct; j++)
                k += (size_t)snprintf(buf + k, size - k, j ? ".%u" : "%u", n->a[12 + j]);
            break;
        }
        k += (size_t)snprintf(buf + k, size - k, "%x", w[i]);
    }
    if (best >= 0 && best + blen == nw)
        k += (size_t)snprintf(buf + k, size - k, ":");
    k += (size_t)snprintf(buf + k, size - k, "/%d", n->bits);
    return k;
}

/* abbrev(inet) is inet's output; abbrev(cidr) leaves out the zero octets
 * (words) past the mask, as PG's inet_cidr_ntop. */
FN(f_abbrev)
{
    UNUSED_FN_ARGS;
    net_t n;
    net_get(&A0, &n);
    if (argtypes[0].oid != CI) {
        *res = A0;      /* the canonical text is the output */
        return RDB_OK;
    }
    char buf[64];
    if (n.v6) {
        size_t k = abbrev_v6(&n, buf, sizeof buf);
        *res = sqlt_text_result(ctx->arena, buf, k);
        return RDB_OK;
    }
    size_t k = 0;
    if (n.bits == 0)
        buf[k++] = '0';
    for (int b = n.bits / 8, i = 0; b > 0; b--, i++)
        k += (size_t)snprintf(buf + k, sizeof buf - k, b > 1 ? "%u." : "%u", n.a[i]);
    if (n.bits % 8) {
        int m = ((1 << (n.bits % 8)) - 1) << (8 - n.bits % 8);
        k += (size_t)snprintf(buf + k, sizeof buf - k, "%s%u", k ? "." : "", n.a[n.bits / 8] & m);
    }
    k += (size_t)snprintf(buf + k, sizeof buf - k, "/%d", n.bits);
    *res = sqlt_text_result(ctx->arena, buf, k);
    return RDB_OK;
}

FN(f_same_family)
{
    UNUSED_FN_ARGS;
    net_t x, y;
    net_get(&A0, &x);
    net_get(&A1, &y);
    *res = sql_bool(x.v6 == y.v6);
    return RDB_OK;
}

FN(f_inet_merge)
{
    UNUSED_FN_ARGS;
    net_t x, y;
    net_get(&A0, &x);
    net_get(&A1, &y);
    if (x.v6 != y.v6)
        return rdb_err_set(err, RDB_SQL, "22023", "cannot merge addresses from different families");
    int bits = x.bits < y.bits ? x.bits : y.bits;
    while (bits > 0 && bitncmp(x.a, y.a, bits) != 0)
        bits--;
    x.bits = bits;
    net_fill_host(&x, false);
    *res = net_put(ctx->arena, &x, true);
    return RDB_OK;
}

/* ---- operators -------------------------------------------------------- */

/* x << y (strict) or x <<= y: x inside network y */
static bool sub(const net_t *x, const net_t *y, bool eq)
{
    return x->v6 == y->v6 && (eq ? x->bits >= y->bits : x->bits > y->bits) && bitncmp(x->a, y->a, y->bits) == 0;
}

#define NETREL(name, expr) \
    FN(name) \
    { \
        UNUSED_FN_ARGS; \
        net_t x, y; \
        net_get(&A0, &x); \
        net_get(&A1, &y); \
        *res = sql_bool(expr); \
        return RDB_OK; \
    }
NETREL(op_sub, sub(&x, &y, false))
NETREL(op_subeq, sub(&x, &y, true))
NETREL(op_sup, sub(&y, &x, false))
NETREL(op_supeq, sub(&y, &x, true))
NETREL(op_overlap, x.v6 == y.v6 && bitncmp(x.a, y.a, x.bits < y.bits ? x.bits : y.bits) == 0)

FN(op_not)
{
    UNUSED_FN_ARGS;
    net_t n;
    net_get(&A0, &n);
    for (int i = 0; i < NET_LEN(&n); i++)
        n.a[i] = (unsigned char)~n.a[i];
    *res = net_put(ctx->arena, &n, false);
    return RDB_OK;
}

static rdb_status_t bitop(sql_fn_ctx_t *ctx, const sql_value_t *args, bool and_, sql_value_t *res,
                          rdb_err_t *err)
{
    net_t x, y;
    net_get(&A0, &x);
    net_get(&A1, &y);
    if (x.v6 != y.v6)
        return rdb_err_set(err, RDB_SQL, "22023", "cannot %s inet values of different sizes", and_ ? "AND" : "OR");
    for (int i = 0; i < NET_LEN(&x); i++)
        x.a[i] = and_ ? (unsigned char)(x.a[i] & y.a[i]) : (unsigned char)(x.a[i] | y.a[i]);
    x.bits = x.bits > y.bits ? x.bits : y.bits;
    *res = net_put(ctx->arena, &x, false);
    return RDB_OK;
}

FN(op_and) { UNUSED_FN_ARGS; return bitop(ctx, args, true, res, err); }
FN(op_or) { UNUSED_FN_ARGS; return bitop(ctx, args, false, res, err); }

/* n + d as PG's internal_inetpl: carries across the address, 22003 when
 * it leaves the family's range. */
static rdb_status_t add(sql_fn_ctx_t *ctx, const sql_value_t *v, int64_t d, sql_value_t *res, rdb_err_t *err)
{
    net_t n;
    net_get(v, &n);
    int carry = 0;
    for (int i = NET_LEN(&n) - 1; i >= 0; i--) {
        carry = n.a[i] + (int)(d & 0xFF) + carry;
        n.a[i] = (unsigned char)carry;
        carry >>= 8;
        d >>= 8;    /* arithmetic: a negative addend sign-extends */
    }
    /* the address overflowed iff what is left of d plus the carry is not 0
     * (positive overflow) or -1 (negative, i.e. no borrow out) */
    if (!((d == 0 && carry == 0) || (d == -1 && carry == 1)))
        return rdb_err_set(err, RDB_SQL, "22003", "result is out of range");
    *res = net_put(ctx->arena, &n, false);
    return RDB_OK;
}

FN(op_plus) { UNUSED_FN_ARGS; return add(ctx, &A0, A1.u.i, res, err); }
FN(op_plus_r) { UNUSED_FN_ARGS; return add(ctx, &A1, A0.u.i, res, err); }
FN(op_minus_int)
{
    UNUSED_FN_ARGS;
    if (A1.u.i == INT64_MIN)
        return rdb_err_set(err, RDB_SQL, "22003", "result is out of range");
    return add(ctx, &A0, -A1.u.i, res, err);
}

FN(op_minus)
{
    UNUSED_FN_ARGS;
    net_t x, y;
    net_get(&A0, &x);
    net_get(&A1, &y);
    if (x.v6 != y.v6)
        return rdb_err_set(err, RDB_SQL, "22023", "cannot subtract inet values of different sizes");
    /* x - y in two's complement over the address, which must fit int64 */
    int nb = NET_LEN(&x), borrow = 0;
    unsigned char d[16];
    for (int i = nb - 1; i >= 0; i--) {
        int t = x.a[i] - y.a[i] - borrow;
        borrow = t < 0;
        d[i] = (unsigned char)t;
    }
    /* sign of the difference = borrow; the bytes above the low 8 must be
     * all 0 (positive) or all 0xff (negative), with a matching top bit */
    unsigned char ext = borrow ? 0xff : 0;
    for (int i = 0; i < nb - 8; i++)
        if (d[i] != ext)
            return rdb_err_set(err, RDB_SQL, "22003", "result is out of range");
    uint64_t r = borrow ? UINT64_MAX : 0;
    for (int i = nb > 8 ? nb - 8 : 0; i < nb; i++)
        r = r << 8 | d[i];
    if (nb > 8 && ((r >> 63) != (uint64_t)borrow))
        return rdb_err_set(err, RDB_SQL, "22003", "result is out of range");
    *res = sql_int((int64_t)r);
    return RDB_OK;
}

const fdef_t sqlt_fn_network[] = {
    { "host", 1, { IN }, TX, f_host, 0 },
    { "text", 1, { IN }, TX, f_text, 0 },
    { "masklen", 1, { IN }, I4, f_masklen, 0 },
    { "family", 1, { IN }, I4, f_family, 0 },
    { "netmask", 1, { IN }, IN, f_netmask, 0 },
    { "hostmask", 1, { IN }, IN, f_hostmask, 0 },
    { "network", 1, { IN }, CI, f_network, 0 },
    { "broadcast", 1, { IN }, IN, f_broadcast, 0 },
    { "set_masklen", 2, { IN, I4 }, IN, f_set_masklen, 0 },
    { "set_masklen", 2, { CI, I4 }, CI, f_set_masklen, 0 },
    { "abbrev", 1, { IN }, TX, f_abbrev, 0 },
    { "abbrev", 1, { CI }, TX, f_abbrev, 0 },
    { "inet_same_family", 2, { IN, IN }, BO, f_same_family, 0 },
    { "inet_merge", 2, { IN, IN }, CI, f_inet_merge, 0 },
    { "cidr", 1, { IN }, CI, f_network, 0 },
    { NULL, 0, { 0 }, 0, NULL, 0 },
};

const fdef_t sqlt_op_network[] = {
    { "<<", 2, { IN, IN }, BO, op_sub, 0 }, { "<<=", 2, { IN, IN }, BO, op_subeq, 0 },
    { ">>", 2, { IN, IN }, BO, op_sup, 0 }, { ">>=", 2, { IN, IN }, BO, op_supeq, 0 },
    { "&&", 2, { IN, IN }, BO, op_overlap, 0 },
    { "~", 1, { IN }, IN, op_not, 0 },
    { "&", 2, { IN, IN }, IN, op_and, 0 }, { "|", 2, { IN, IN }, IN, op_or, 0 },
    { "+", 2, { IN, I8 }, IN, op_plus, 0 }, { "+", 2, { I8, IN }, IN, op_plus_r, 0 },
    { "-", 2, { IN, I8 }, IN, op_minus_int, 0 }, { "-", 2, { IN, IN }, I8, op_minus, 0 },
    { NULL, 0, { 0 }, 0, NULL, 0 },
};
