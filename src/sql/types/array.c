/*
 * array.c — one-dimensional arrays (sql/array.h): the encoding, text input
 * and output as PostgreSQL's array_in/array_out, binary array_send/
 * array_recv, the MessagePack row form, comparison (btree array_cmp),
 * hashing, the order-preserving key encoding and element-wise casts.
 *
 * Invariant: an encoded array is only ever built by sql_array_encode, so
 * decoding trusts the element payload sizes only after checking them
 * against the value's length (a damaged value is XX001, never a crash).
 */
#include <assert.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "common/hash.h"
#include "sql/array.h"
#include "sql/types/types_int.h"

static const struct { uint32_t arr, elem; } array_types[] = {
    { SQL_OID_BOOL_ARRAY, SQL_OID_BOOL }, { SQL_OID_BYTEA_ARRAY, SQL_OID_BYTEA },
    { SQL_OID_NAME_ARRAY, SQL_OID_NAME }, { SQL_OID_INT2_ARRAY, SQL_OID_INT2 },
    { SQL_OID_INT4_ARRAY, SQL_OID_INT4 }, { SQL_OID_TEXT_ARRAY, SQL_OID_TEXT },
    { SQL_OID_BPCHAR_ARRAY, SQL_OID_BPCHAR }, { SQL_OID_VARCHAR_ARRAY, SQL_OID_VARCHAR },
    { SQL_OID_INT8_ARRAY, SQL_OID_INT8 }, { SQL_OID_FLOAT4_ARRAY, SQL_OID_FLOAT4 },
    { SQL_OID_FLOAT8_ARRAY, SQL_OID_FLOAT8 }, { SQL_OID_OID_ARRAY, SQL_OID_OID },
    { SQL_OID_REGTYPE_ARRAY, SQL_OID_REGTYPE },
    { SQL_OID_TIMESTAMP_ARRAY, SQL_OID_TIMESTAMP }, { SQL_OID_DATE_ARRAY, SQL_OID_DATE },
    { SQL_OID_TIME_ARRAY, SQL_OID_TIME }, { SQL_OID_TIMESTAMPTZ_ARRAY, SQL_OID_TIMESTAMPTZ },
    { SQL_OID_INTERVAL_ARRAY, SQL_OID_INTERVAL }, { SQL_OID_NUMERIC_ARRAY, SQL_OID_NUMERIC },
    { SQL_OID_UUID_ARRAY, SQL_OID_UUID }, { SQL_OID_JSON_ARRAY, SQL_OID_JSON },
    { SQL_OID_JSONB_ARRAY, SQL_OID_JSONB }, { SQL_OID_INET_ARRAY, SQL_OID_INET },
    { SQL_OID_CIDR_ARRAY, SQL_OID_CIDR }, { SQL_OID_MACADDR_ARRAY, SQL_OID_MACADDR },
    { SQL_OID_MACADDR8_ARRAY, SQL_OID_MACADDR8 },
};

uint32_t sql_array_elem_oid(uint32_t oid)
{
    for (size_t i = 0; i < sizeof array_types / sizeof array_types[0]; i++)
        if (array_types[i].arr == oid)
            return array_types[i].elem;
    return 0;
}

uint32_t sql_array_oid_of(uint32_t elem)
{
    for (size_t i = 0; i < sizeof array_types / sizeof array_types[0]; i++)
        if (array_types[i].elem == elem)
            return array_types[i].arr;
    return 0;
}

/* ---- encoding --------------------------------------------------------- */

typedef enum { P_1, P_8, P_16, P_VAR } payload_t;

static payload_t payload_of(uint32_t elem)
{
    switch (sqlt_kind(elem)) {
    case K_BOOL: return P_1;
    case K_INT: case K_FLOAT: case K_DATE: case K_TIME: case K_TS: case K_TSTZ: return P_8;
    case K_INTERVAL: return P_16;
    default: return P_VAR;
    }
}

static uint32_t get_le32(const char *p)
{
    const unsigned char *u = (const unsigned char *)p;
    return (uint32_t)u[0] | (uint32_t)u[1] << 8 | (uint32_t)u[2] << 16 | (uint32_t)u[3] << 24;
}

static char *put_le32(char *d, uint32_t v)
{
    d[0] = (char)v;
    d[1] = (char)(v >> 8);
    d[2] = (char)(v >> 16);
    d[3] = (char)(v >> 24);
    return d + 4;
}

static size_t elem_size(payload_t pk, const sql_value_t *v)
{
    if (v->isnull) return 1;
    switch (pk) {
    case P_1: return 2;
    case P_8: return 9;
    case P_16: return 17;
    default: return 5 + (size_t)v->u.v.len;
    }
}

/* Write one element at d (elem_size bytes); returns the end. */
static char *put_elem(char *d, payload_t pk, const sql_value_t *v)
{
    if (v->isnull) {
        *d++ = 0;
        return d;
    }
    *d++ = 1;
    switch (pk) {
    case P_1: *d++ = v->u.b ? 1 : 0; break;
    case P_8: memcpy(d, &v->u.i, 8); d += 8; break;   /* int64 and double share the bytes */
    case P_16:
        memcpy(d, &v->u.iv.usec, 8);
        memcpy(d + 8, &v->u.iv.days, 4);
        memcpy(d + 12, &v->u.iv.months, 4);
        d += 16;
        break;
    case P_VAR:
        d = put_le32(d, v->u.v.len);
        if (v->u.v.len) memcpy(d, v->u.v.ptr, v->u.v.len);
        d += v->u.v.len;
        break;
    }
    return d;
}

/* Encode with header: ndim > 1 writes the multi-dimensional form. */
static sql_value_t encode(rdb_arena_t *a, sql_type_t elem, int ndim, const int *dims,
                          const int32_t *lbs, int n, const sql_value_t *elems)
{
    payload_t pk = payload_of(elem.oid);
    size_t hdr = ndim > 1 ? 12 + 8 * (size_t)ndim : 8, size = hdr;
    for (int i = 0; i < n; i++)
        size += elem_size(pk, &elems[i]);
    char *buf = rdb_arena_alloc(a, size), *d = buf;
    d = put_le32(d, (uint32_t)lbs[0]);
    if (ndim > 1) {
        d = put_le32(d, (uint32_t)n | SQL_ARRAY_MD);
        d = put_le32(d, (uint32_t)ndim);
        for (int i = 0; i < ndim; i++)
            d = put_le32(d, (uint32_t)dims[i]);
        for (int i = 0; i < ndim; i++)
            d = put_le32(d, (uint32_t)lbs[i]);
    } else {
        d = put_le32(d, (uint32_t)n);
    }
    for (int i = 0; i < n; i++)
        d = put_elem(d, pk, &elems[i]);
    return sql_bytes(buf, (uint32_t)size);
}

sql_value_t sql_array_encode(rdb_arena_t *a, sql_type_t elem, int32_t lbound, int n,
                             const sql_value_t *elems)
{
    int dims[1] = { n };
    return encode(a, elem, 1, dims, &lbound, n, elems);
}

void sql_array_build_begin(rdb_buf_t *b)
{
    rdb_buf_reset(b);
    rdb_buf_append(b, "\1\0\0\0\0\0\0\0", 8);   /* lower bound 1, n patched at the end */
}

void sql_array_build_add(rdb_buf_t *b, sql_type_t elem, const sql_value_t *v)
{
    payload_t pk = payload_of(elem.oid);
    size_t sz = elem_size(pk, v);
    rdb_buf_reserve(b, sz);
    put_elem(b->data + b->len, pk, v);
    b->len += sz;
}

sql_value_t sql_array_build_end(rdb_arena_t *a, rdb_buf_t *b, int n)
{
    assert(b->len >= 8 && n >= 0 && n <= SQL_ARRAY_MAX_ELEMS);
    put_le32(b->data + 4, (uint32_t)n);
    char *buf = rdb_arena_alloc(a, b->len);
    memcpy(buf, b->data, b->len);
    return sql_bytes(buf, (uint32_t)b->len);
}

sql_value_t sql_array_encode_md(rdb_arena_t *a, sql_type_t elem, int ndim, const int *dims,
                                const int32_t *lbs, const sql_value_t *elems)
{
    int64_t n = ndim > 0 ? 1 : 0;
    for (int i = 0; i < ndim; i++)
        n *= dims[i];
    if (n == 0)
        return sql_array_encode(a, elem, 1, 0, NULL);
    if (ndim == 1)
        return sql_array_encode(a, elem, lbs[0], (int)n, elems);
    assert(ndim <= SQL_ARRAY_MAXDIM && n <= SQL_ARRAY_MAX_ELEMS);
    return encode(a, elem, ndim, dims, lbs, (int)n, elems);
}

/* The header of an encoding: shape, element count and header size; false
 * if it is damaged. */
static bool hdr_parse(const sql_value_t *v, int *ndim, int *dims, int32_t *lbs, uint32_t *n,
                      size_t *hdr)
{
    if (v->u.v.len < 8)
        return false;
    const char *p = v->u.v.ptr;
    uint32_t cnt = get_le32(p + 4);
    lbs[0] = (int32_t)get_le32(p);
    if (!(cnt & SQL_ARRAY_MD)) {
        *n = cnt;
        *hdr = 8;
        *ndim = cnt ? 1 : 0;
        dims[0] = (int)cnt;
        return cnt <= SQL_ARRAY_MAX_ELEMS && cnt <= v->u.v.len;
    }
    cnt &= ~SQL_ARRAY_MD;
    if (v->u.v.len < 12)
        return false;
    uint32_t k = get_le32(p + 8);
    if (k < 2 || k > SQL_ARRAY_MAXDIM || v->u.v.len < 12 + 8 * k)
        return false;
    uint64_t prod = 1;
    for (uint32_t i = 0; i < k; i++) {
        dims[i] = (int)get_le32(p + 12 + 4 * i);
        lbs[i] = (int32_t)get_le32(p + 12 + 4 * k + 4 * i);
        if (dims[i] <= 0 || (prod *= (uint64_t)dims[i]) > SQL_ARRAY_MAX_ELEMS)
            return false;
    }
    if (prod != cnt || cnt > v->u.v.len)
        return false;
    *ndim = (int)k;
    *n = cnt;
    *hdr = 12 + 8 * (size_t)k;
    return true;
}

/* A cursor over the elements of an encoded array: no allocation. */
typedef struct {
    const char *p, *end;
    payload_t   pk;
    int         left;
    bool        bad;
    int         ndim;
    int         dims[SQL_ARRAY_MAXDIM];
    int32_t     lbs[SQL_ARRAY_MAXDIM];
} arr_it_t;

static bool it_init(arr_it_t *it, uint32_t elem_oid, const sql_value_t *v, int32_t *lbound)
{
    memset(it, 0, sizeof *it);
    uint32_t n;
    size_t hdr;
    if (!hdr_parse(v, &it->ndim, it->dims, it->lbs, &n, &hdr)) {
        it->bad = true;
        it->ndim = 0;
        return false;
    }
    it->p = v->u.v.ptr + hdr;
    it->end = v->u.v.ptr + v->u.v.len;
    it->pk = payload_of(elem_oid);
    if (lbound)
        *lbound = it->lbs[0];
    it->left = (int)n;
    return true;
}

static bool it_next(arr_it_t *it, sql_value_t *out)
{
    if (it->left <= 0 || it->bad)
        return false;
    if (it->p >= it->end)
        goto bad;
    it->left--;
    uint8_t tag = (uint8_t)*it->p++;
    if (tag == 0) {
        *out = sql_null();
        return true;
    }
    if (tag != 1)
        goto bad;
    size_t need = it->pk == P_1 ? 1 : it->pk == P_8 ? 8 : it->pk == P_16 ? 16 : 4;
    if ((size_t)(it->end - it->p) < need)
        goto bad;
    out->isnull = false;
    switch (it->pk) {
    case P_1: out->u.b = *it->p != 0; break;
    case P_8: memcpy(&out->u.i, it->p, 8); break;
    case P_16:
        memcpy(&out->u.iv.usec, it->p, 8);
        memcpy(&out->u.iv.days, it->p + 8, 4);
        memcpy(&out->u.iv.months, it->p + 12, 4);
        break;
    case P_VAR: {
        uint32_t len = get_le32(it->p);
        if ((size_t)(it->end - it->p - 4) < len)
            goto bad;
        out->u.v.ptr = it->p + 4;
        out->u.v.len = len;
        need = 4 + (size_t)len;
        break;
    }
    }
    it->p += need;
    return true;
bad:
    it->bad = true;
    return false;
}

static rdb_status_t corrupt(rdb_err_t *err)
{
    return rdb_err_set(err, RDB_CORRUPTION, "XX001", "malformed array value");
}

int sql_array_count(const sql_value_t *v)
{
    return v->u.v.len >= 8 ? (int)(get_le32(v->u.v.ptr + 4) & ~SQL_ARRAY_MD) : 0;
}

int sql_array_shape(const sql_value_t *v, int *dims, int32_t *lbs)
{
    int d[SQL_ARRAY_MAXDIM], ndim = 0;
    int32_t l[SQL_ARRAY_MAXDIM];
    uint32_t n;
    size_t hdr;
    if (!hdr_parse(v, &ndim, d, l, &n, &hdr))
        ndim = 0;
    for (int i = 0; i < ndim; i++) {
        if (dims) dims[i] = d[i];
        if (lbs) lbs[i] = l[i];
    }
    return ndim;
}

int32_t sql_array_lbound(const sql_value_t *v)
{
    return v->u.v.len >= 8 ? (int32_t)get_le32(v->u.v.ptr) : 1;
}

rdb_status_t sql_array_decode(rdb_arena_t *a, sql_type_t arrt, const sql_value_t *v,
                              sql_array_t *out, rdb_err_t *err)
{
    out->elem = sql_array_elem_type(arrt);
    arr_it_t it;
    if (!it_init(&it, out->elem.oid, v, &out->lbound))
        return corrupt(err);
    out->n = it.left;
    out->ndim = it.ndim;
    memcpy(out->dims, it.dims, sizeof out->dims);
    memcpy(out->lbs, it.lbs, sizeof out->lbs);
    if (!out->ndim) {
        out->dims[0] = 0;
        out->lbs[0] = out->lbound;
    }
    out->v = rdb_arena_alloc(a, sizeof(sql_value_t) * (size_t)(out->n ? out->n : 1));
    for (int i = 0; i < out->n; i++)
        if (!it_next(&it, &out->v[i]))
            return corrupt(err);
    return RDB_OK;
}

/* ---- text input (array_in) -------------------------------------------- */

static bool arr_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static rdb_status_t malformed(rdb_err_t *err, const char *s, size_t len, const char *detail)
{
    rdb_err_set(err, RDB_SQL, "22P02", "malformed array literal: \"%.*s\"", (int)len, s);
    rdb_err_detail(err, "%s", detail);
    return RDB_SQL;
}

static bool parse_int(const char **pp, const char *e, int32_t *out)
{
    const char *p = *pp;
    bool neg = false;
    if (p < e && (*p == '-' || *p == '+')) neg = *p++ == '-';
    if (p >= e || !isdigit((unsigned char)*p)) return false;
    int64_t v = 0;
    while (p < e && isdigit((unsigned char)*p)) {
        v = v * 10 + (*p++ - '0');
        if (v > INT32_MAX) return false;
    }
    *out = (int32_t)(neg ? -v : v);
    *pp = p;
    return true;
}

static rdb_status_t too_many_dims(rdb_err_t *err, int n)
{
    return rdb_err_set(err, RDB_SQL, "54000", "number of array dimensions (%d) exceeds the maximum "
                       "allowed (%d)", n, SQL_ARRAY_MAXDIM);
}

#define MATCHING "Multidimensional arrays must have sub-arrays with matching dimensions."

rdb_status_t sqlt_array_in(rdb_arena_t *a, const sql_format_settings_t *fs, sql_type_t t,
                           const char *s, size_t len, sql_value_t *out, rdb_err_t *err)
{
    sql_type_t et = sql_array_elem_type(t);
    const char *p = s, *e = s + len;
    int nspec = 0;                           /* '[lb:ub]...=' given: how many */
    int32_t slb[SQL_ARRAY_MAXDIM], sub[SQL_ARRAY_MAXDIM];
    while (p < e && arr_space(*p)) p++;
    while (p < e && *p == '[') {
        p++;
        if (nspec == SQL_ARRAY_MAXDIM)
            return too_many_dims(err, nspec + 1);
        int32_t x, y;
        if (!parse_int(&p, e, &x))
            return malformed(err, s, len, "\"[\" must introduce explicitly-specified array dimensions.");
        if (p < e && *p == ':') {
            p++;
            if (!parse_int(&p, e, &y))
                return malformed(err, s, len, "Missing array dimension value.");
            slb[nspec] = x;
            sub[nspec] = y;
        } else {
            slb[nspec] = 1;
            sub[nspec] = x;
        }
        if (p >= e || *p != ']')
            return malformed(err, s, len, "Missing \"]\" after array dimensions.");
        p++;
        if (sub[nspec] < slb[nspec])
            return rdb_err_set(err, RDB_SQL, "2202E", "upper bound cannot be less than lower bound");
        nspec++;
    }
    if (nspec) {
        while (p < e && arr_space(*p)) p++;
        if (p >= e || *p != '=')
            return malformed(err, s, len, "Missing \"=\" after array dimensions.");
        p++;
        while (p < e && arr_space(*p)) p++;
    }
    if (p >= e || *p != '{')
        return malformed(err, s, len, nspec ? "Array contents must start with \"{\"."
                                            : "Array value must start with \"{\" or dimension information.");
    /* as PG, errors in the contents quote the literal from its brace on */
    const char *s0 = s;
    size_t len0 = len;
    len -= (size_t)(p - s);
    s = p;
    p++;
    int n = 0, cap = 8;
    sql_value_t *vals = rdb_arena_alloc(a, sizeof(sql_value_t) * (size_t)cap);
    rdb_buf_t el = RDB_BUF_INIT;
    rdb_status_t rc = RDB_OK;
    /* depth: braces open; cnt[d]: items so far at level d; dims[d]: the
     * extent every sub-array at level d must have (-1 until known);
     * leaf: the depth at which elements sit (0 until the first one) */
    int depth = 1, leaf = 0, cnt[SQL_ARRAY_MAXDIM + 1], dims[SQL_ARRAY_MAXDIM + 1];
    bool closed = false, expect_elem = true, first = true, empty_sub = false;
    cnt[0] = 0;
    for (int i = 0; i <= SQL_ARRAY_MAXDIM; i++) dims[i] = -1;
    while (p < e) {
        while (p < e && arr_space(*p)) p++;
        if (p >= e) break;
        if (*p == '}') {
            if (expect_elem && !first) { rc = malformed(err, s, len, "Unexpected \"}\" character."); goto done; }
            int lvl = depth - 1;
            if (first && depth > 1)
                empty_sub = true;
            if ((dims[lvl] >= 0 && dims[lvl] != cnt[lvl]) || (leaf && !first && depth > leaf)) {
                rc = malformed(err, s, len, MATCHING);
                goto done;
            }
            dims[lvl] = cnt[lvl];
            p++;
            if (--depth == 0) {
                closed = true;
                break;
            }
            expect_elem = false;
            first = false;
            continue;
        }
        if (!expect_elem) {
            if (*p == ',') { p++; expect_elem = true; continue; }
            rc = malformed(err, s, len, "Unexpected array element.");
            goto done;
        }
        if (*p == '{') {
            if (leaf && depth >= leaf) { rc = malformed(err, s, len, "Unexpected \"{\" character."); goto done; }
            if (depth == SQL_ARRAY_MAXDIM) { rc = too_many_dims(err, depth + 1); goto done; }
            cnt[depth - 1]++;
            cnt[depth++] = 0;
            p++;
            expect_elem = true;
            first = true;
            continue;
        }
        if (*p == ',') { rc = malformed(err, s, len, "Unexpected \",\" character."); goto done; }
        if ((leaf && depth != leaf) || (!leaf && dims[depth] >= 0)) {
            rc = malformed(err, s, len, "Unexpected array element.");
            goto done;
        }
        leaf = depth;
        /* one element: quoted or not; backslash escapes in both */
        rdb_buf_reset(&el);
        bool isnull = false, any_escape = false;
        if (*p == '"') {
            p++;
            for (;;) {
                if (p >= e) { rc = malformed(err, s, len, "Unexpected end of input."); goto done; }
                if (*p == '\\') {
                    if (++p >= e) { rc = malformed(err, s, len, "Unexpected end of input."); goto done; }
                    rdb_buf_append_u8(&el, (uint8_t)*p++);
                } else if (*p == '"') {
                    p++;
                    break;
                } else {
                    rdb_buf_append_u8(&el, (uint8_t)*p++);
                }
            }
        } else {
            size_t keep = 0;   /* length up to the last escaped or non-space char */
            while (p < e && *p != ',' && *p != '}') {
                if (*p == '\\') {
                    if (++p >= e) { rc = malformed(err, s, len, "Unexpected end of input."); goto done; }
                    rdb_buf_append_u8(&el, (uint8_t)*p++);
                    keep = el.len;
                    any_escape = true;
                } else if (*p == '"' || *p == '{') {
                    rc = malformed(err, s, len, *p == '"' ? "Unexpected array element."
                                                          : "Unexpected \"{\" character.");
                    goto done;
                } else {
                    rdb_buf_append_u8(&el, (uint8_t)*p);
                    if (!arr_space(*p)) keep = el.len;
                    p++;
                }
            }
            el.len = keep;
            if (!any_escape && el.len == 4 && strncasecmp(el.data, "NULL", 4) == 0)
                isnull = true;
        }
        if (n == cap) {
            cap *= 2;
            vals = rdb_arena_grow(a, vals, (size_t)n, (size_t)cap, sizeof *vals);
        }
        /* the raw text for now: as PG, the structure is checked before any element is read */
        vals[n] = isnull ? sql_null() : sql_bytes(el.len ? rdb_arena_memdup(a, el.data, el.len) : "", (uint32_t)el.len);
        n++;
        cnt[depth - 1]++;
        if (n > SQL_ARRAY_MAX_ELEMS) {
            rc = rdb_err_set(err, RDB_SQL, "54000", "array size exceeds the maximum allowed (%d)",
                             SQL_ARRAY_MAX_ELEMS);
            goto done;
        }
        expect_elem = false;
        first = false;
    }
    if (!closed) { rc = malformed(err, s, len, "Unexpected end of input."); goto done; }
    while (p < e && arr_space(*p)) p++;
    if (p < e) { rc = malformed(err, s, len, "Junk after closing right brace."); goto done; }
    if (empty_sub && n) { rc = malformed(err, s, len, MATCHING); goto done; }
    int ndim = n ? leaf : 0;
    int32_t lbs[SQL_ARRAY_MAXDIM];
    for (int i = 0; i < ndim; i++)
        lbs[i] = 1;
    if (nspec) {
        bool ok = nspec == ndim;
        for (int i = 0; ok && i < ndim; i++) {
            ok = (int64_t)sub[i] - slb[i] + 1 == dims[i];
            lbs[i] = slb[i];
        }
        if (!ok) {
            rc = malformed(err, s0, len0, "Specified array dimensions do not match array contents.");
            goto done;
        }
    }
    for (int i = 0; i < n; i++)
        if (!vals[i].isnull &&
            (rc = sql_value_in(a, fs, et, vals[i].u.v.ptr, vals[i].u.v.len, &vals[i], err)) != RDB_OK)
            goto done;
    *out = sql_array_encode_md(a, et, ndim, dims, lbs, vals);
done:
    rdb_buf_free(&el);
    return rc;
}

/* ---- text output (array_out) ------------------------------------------ */

void sqlt_array_out(const sql_format_settings_t *fs, sql_type_t t, const sql_value_t *v,
                    rdb_buf_t *out)
{
    sql_type_t et = sql_array_elem_type(t);
    arr_it_t it;
    if (!it_init(&it, et.oid, v, NULL) || it.ndim == 0) {
        rdb_buf_append_str(out, "{}");
        return;
    }
    int ndim = it.ndim, idx[SQL_ARRAY_MAXDIM] = { 0 };
    bool lbs1 = true;
    for (int d = 0; d < ndim; d++)
        lbs1 &= it.lbs[d] == 1;
    if (!lbs1) {
        for (int d = 0; d < ndim; d++)
            rdb_buf_printf(out, "[%d:%d]", it.lbs[d], (int)((int64_t)it.lbs[d] + it.dims[d] - 1));
        rdb_buf_append_u8(out, '=');
    }
    for (int d = 0; d < ndim; d++)
        rdb_buf_append_u8(out, '{');
    rdb_buf_t tmp = RDB_BUF_INIT;
    sql_value_t x;
    while (it_next(&it, &x)) {
        if (x.isnull) {
            rdb_buf_append_str(out, "NULL");
        } else {
            rdb_buf_reset(&tmp);
            sql_value_out(fs, et, &x, &tmp);
            bool quote = tmp.len == 0 || (tmp.len == 4 && strncasecmp(tmp.data, "NULL", 4) == 0);
            for (size_t i = 0; i < tmp.len && !quote; i++) {
                char c = tmp.data[i];
                quote = c == '{' || c == '}' || c == ',' || c == '"' || c == '\\' || arr_space(c);
            }
            if (!quote) {
                rdb_buf_append(out, tmp.data, tmp.len);
            } else {
                rdb_buf_append_u8(out, '"');
                for (size_t i = 0; i < tmp.len; i++) {
                    if (tmp.data[i] == '"' || tmp.data[i] == '\\')
                        rdb_buf_append_u8(out, '\\');
                    rdb_buf_append_u8(out, (uint8_t)tmp.data[i]);
                }
                rdb_buf_append_u8(out, '"');
            }
        }
        /* step the row-major index: close the dimensions that wrap */
        int d = ndim - 1, wrapped = 0;
        for (; d >= 0; d--, wrapped++) {
            if (++idx[d] < it.dims[d])
                break;
            idx[d] = 0;
            rdb_buf_append_u8(out, '}');
        }
        if (d >= 0) {
            rdb_buf_append_u8(out, ',');
            for (int i = 0; i < wrapped; i++)
                rdb_buf_append_u8(out, '{');
        }
    }
    rdb_buf_free(&tmp);
}

/* ---- binary (array_send / array_recv) --------------------------------- */

void sqlt_array_send(sql_type_t t, const sql_value_t *v, rdb_buf_t *out)
{
    sql_type_t et = sql_array_elem_type(t);
    arr_it_t it;
    int32_t lb = 1;
    it_init(&it, et.oid, v, &lb);
    int n = it.left;
    bool hasnull = false;
    arr_it_t scan = it;
    sql_value_t x;
    while (it_next(&scan, &x))
        hasnull |= x.isnull;
    (void)lb;
    rdb_buf_append_u32_be(out, n ? (uint32_t)it.ndim : 0);
    rdb_buf_append_u32_be(out, hasnull ? 1 : 0);
    rdb_buf_append_u32_be(out, et.oid);
    for (int d = 0; n && d < it.ndim; d++) {
        rdb_buf_append_u32_be(out, (uint32_t)it.dims[d]);
        rdb_buf_append_u32_be(out, (uint32_t)it.lbs[d]);
    }
    rdb_buf_t tmp = RDB_BUF_INIT;
    while (it_next(&it, &x)) {
        if (x.isnull) {
            rdb_buf_append_u32_be(out, UINT32_MAX);
            continue;
        }
        rdb_buf_reset(&tmp);
        sql_value_send(et, &x, &tmp);
        rdb_buf_append_u32_be(out, (uint32_t)tmp.len);
        rdb_buf_append(out, tmp.data, tmp.len);
    }
    rdb_buf_free(&tmp);
}

static uint32_t be32(const char *p)
{
    const unsigned char *u = (const unsigned char *)p;
    return (uint32_t)u[0] << 24 | (uint32_t)u[1] << 16 | (uint32_t)u[2] << 8 | u[3];
}

rdb_status_t sqlt_array_recv(rdb_arena_t *a, sql_type_t t, const char *p, size_t len,
                             sql_value_t *out, rdb_err_t *err)
{
    sql_type_t et = sql_array_elem_type(t);
    const char *e = p + len;
    if (len < 12)
        return rdb_err_set(err, RDB_SQL, "22P03", "insufficient data left in message");
    int32_t ndim = (int32_t)be32(p), flags = (int32_t)be32(p + 4);
    uint32_t eoid = be32(p + 8);
    p += 12;
    if (ndim < 0 || ndim > SQL_ARRAY_MAXDIM)
        return rdb_err_set(err, RDB_SQL, "22P03", "invalid number of dimensions: %d", ndim);
    if (flags != 0 && flags != 1)
        return rdb_err_set(err, RDB_SQL, "22P03", "invalid array flags");
    if (eoid != et.oid) {
        const char *have = sql_type_by_oid(eoid) ? sql_type_by_oid(eoid)->sql_name : "unknown";
        return rdb_err_set(err, RDB_SQL, "42804", "binary data has array element type %u (%s) instead "
                           "of expected %u (%s)", eoid, have, et.oid, sqlt_sql_name(et.oid));
    }
    int dims[SQL_ARRAY_MAXDIM];
    int32_t lbs[SQL_ARRAY_MAXDIM];
    int64_t n = ndim ? 1 : 0;
    if (e - p < 8 * ndim)
        return rdb_err_set(err, RDB_SQL, "22P03", "insufficient data left in message");
    for (int d = 0; d < ndim; d++) {
        int32_t dim = (int32_t)be32(p);
        lbs[d] = (int32_t)be32(p + 4);
        p += 8;
        if (dim < 0)
            return rdb_err_set(err, RDB_SQL, "22P03", "invalid array dimension: %d", dim);
        if ((int64_t)lbs[d] + dim - 1 > INT32_MAX)
            return rdb_err_set(err, RDB_SQL, "54000", "array upper bound is too large: %d", dim);
        dims[d] = dim;
        n *= dim;
        if (n > SQL_ARRAY_MAX_ELEMS)
            return rdb_err_set(err, RDB_SQL, "54000", "array size exceeds the maximum allowed (%d)",
                               SQL_ARRAY_MAX_ELEMS);
    }
    sql_value_t *vals = rdb_arena_alloc(a, sizeof(sql_value_t) * (size_t)(n ? n : 1));
    for (int32_t i = 0; i < n; i++) {
        if (e - p < 4)
            return rdb_err_set(err, RDB_SQL, "22P03", "insufficient data left in message");
        int32_t el = (int32_t)be32(p);
        p += 4;
        if (el == -1) {
            vals[i] = sql_null();
            continue;
        }
        if (el < 0 || e - p < el)
            return rdb_err_set(err, RDB_SQL, "22P03", "insufficient data left in message");
        if (sql_value_recv(a, et, p, (size_t)el, &vals[i], err) != RDB_OK)
            return RDB_SQL;
        p += el;
    }
    if (p != e)
        return rdb_err_set(err, RDB_SQL, "22P03", "incorrect binary data format in array element");
    *out = sql_array_encode_md(a, et, ndim, dims, lbs, vals);
    return RDB_OK;
}

/* ---- rows on disk: MessagePack [lbound, elem...] ---------------------- */

void sqlt_array_pack(msgpack_packer *pk, sql_type_t t, const sql_value_t *v)
{
    sql_type_t et = sql_array_elem_type(t);
    arr_it_t it;
    int32_t lb = 1;
    it_init(&it, et.oid, v, &lb);
    msgpack_pack_array(pk, (uint32_t)it.left + 1);
    if (it.ndim > 1) {
        msgpack_pack_array(pk, 1 + 2 * (uint32_t)it.ndim);
        msgpack_pack_int32(pk, it.ndim);
        for (int d = 0; d < it.ndim; d++)
            msgpack_pack_int32(pk, it.dims[d]);
        for (int d = 0; d < it.ndim; d++)
            msgpack_pack_int32(pk, it.lbs[d]);
    } else {
        msgpack_pack_int32(pk, lb);
    }
    sql_value_t x;
    while (it_next(&it, &x))
        sql_value_pack(pk, et, &x);
}

static bool mp_int(const msgpack_object *o, int64_t *v)
{
    if (o->type != MSGPACK_OBJECT_POSITIVE_INTEGER && o->type != MSGPACK_OBJECT_NEGATIVE_INTEGER)
        return false;
    *v = o->via.i64;
    return true;
}

/* The shape a stored array's first item gives: a lower bound (one
 * dimension) or [k, extents..., lower bounds...]; false if damaged. */
static bool mp_shape(const msgpack_object *o, uint32_t n, int *ndim, int *dims, int32_t *lbs)
{
    int64_t x;
    if (mp_int(o, &x)) {
        *ndim = 1;
        dims[0] = (int)n;
        lbs[0] = (int32_t)x;
        return true;
    }
    if (o->type != MSGPACK_OBJECT_ARRAY || o->via.array.size < 1 || !mp_int(&o->via.array.ptr[0], &x) ||
        x < 2 || x > SQL_ARRAY_MAXDIM || o->via.array.size != 1 + 2 * (uint32_t)x)
        return false;
    *ndim = (int)x;
    int64_t prod = 1, y;
    for (int d = 0; d < *ndim; d++) {
        if (!mp_int(&o->via.array.ptr[1 + d], &x) || !mp_int(&o->via.array.ptr[1 + *ndim + d], &y) ||
            x <= 0 || x > SQL_ARRAY_MAX_ELEMS)
            return false;
        dims[d] = (int)x;
        lbs[d] = (int32_t)y;
        prod *= x;
        if (prod > SQL_ARRAY_MAX_ELEMS)
            return false;
    }
    return prod == n;
}

rdb_status_t sqlt_array_unpack(rdb_arena_t *a, sql_type_t t, const msgpack_object *o,
                               sql_value_t *out, rdb_err_t *err)
{
    int ndim, dims[SQL_ARRAY_MAXDIM];
    int32_t lbs[SQL_ARRAY_MAXDIM];
    if (o->type != MSGPACK_OBJECT_ARRAY || o->via.array.size < 1 ||
        !mp_shape(&o->via.array.ptr[0], o->via.array.size - 1, &ndim, dims, lbs))
        return rdb_err_set(err, RDB_CORRUPTION, "XX001", "stored value does not match column type %s",
                           sqlt_sql_name(t.oid));
    if (!a)
        return rdb_err_set(err, RDB_CORRUPTION, "XX000", "an array column needs a row arena");
    sql_type_t et = sql_array_elem_type(t);
    int n = (int)o->via.array.size - 1;
    sql_value_t *vals = rdb_arena_alloc(a, sizeof(sql_value_t) * (size_t)(n ? n : 1));
    rdb_arena_t tmp;
    rdb_arena_init(&tmp, 0);
    rdb_status_t rc = RDB_OK;
    for (int i = 0; i < n && rc == RDB_OK; i++)
        rc = sql_value_unpack(&tmp, et, &o->via.array.ptr[i + 1], &vals[i], err);
    if (rc == RDB_OK)
        *out = ndim > 1 ? sql_array_encode_md(a, et, ndim, dims, lbs, vals)
                        : sql_array_encode(a, et, lbs[0], n, vals);
    rdb_arena_destroy(&tmp);
    return rc;
}

/* ---- comparison, hashing, keys ---------------------------------------- */

/* PostgreSQL's array_cmp: element by element in row-major order (a NULL
 * element sorts after any value), then the shorter array first, then the
 * fewer dimensions, then the extents, then the lower bounds. */
int sqlt_array_cmp(sql_type_t t, const sql_value_t *x, const sql_value_t *y)
{
    sql_type_t et = sql_array_elem_type(t);
    arr_it_t i1, i2;
    int32_t lb1 = 1, lb2 = 1;
    it_init(&i1, et.oid, x, &lb1);
    it_init(&i2, et.oid, y, &lb2);
    int n1 = i1.left, n2 = i2.left;
    sql_value_t a, b;
    while (it_next(&i1, &a) && it_next(&i2, &b)) {
        if (a.isnull || b.isnull) {
            if (a.isnull && b.isnull) continue;
            return a.isnull ? 1 : -1;
        }
        int c = sql_value_cmp(et, &a, &b);
        if (c) return c < 0 ? -1 : 1;
    }
    if (n1 != n2) return n1 < n2 ? -1 : 1;
    if (i1.ndim != i2.ndim) return i1.ndim < i2.ndim ? -1 : 1;
    for (int d = 0; d < i1.ndim; d++)
        if (i1.dims[d] != i2.dims[d]) return i1.dims[d] < i2.dims[d] ? -1 : 1;
    for (int d = 0; d < i1.ndim; d++)
        if (i1.lbs[d] != i2.lbs[d]) return i1.lbs[d] < i2.lbs[d] ? -1 : 1;
    (void)lb1; (void)lb2;
    return 0;
}

uint64_t sqlt_array_hash(sql_type_t t, const sql_value_t *v)
{
    sql_type_t et = sql_array_elem_type(t);
    arr_it_t it;
    it_init(&it, et.oid, v, NULL);
    uint64_t h = 0x9e3779b97f4a7c15ULL;
    sql_value_t x;
    while (it_next(&it, &x))
        h = rdb_hash_u64(h ^ (x.isnull ? 0x5bd1e995 : sql_value_hash(et, &x)));
    return h;
}

/* Key: per element 0x02 and the element's key encoding (0x03 alone for a
 * NULL element, so that it sorts after every value as in array_cmp), then
 * 0x01 (a shorter array first) and the lower bound.  A multi-dimensional
 * array writes 0xffffffff where the lower bound goes (so it sorts after
 * the one-dimensional arrays with the same elements), then k, the extents
 * and the lower bounds.  (A one-dimensional array whose lower bound is
 * INT32_MAX writes the same four bytes: it decodes as one-dimensional
 * unless a byte 2..6 follows; no other SQL value starts with such a
 * byte after an array, as no array key is followed by another column in
 * practice.) */
void sqlt_array_key_encode(rdb_buf_t *out, sql_type_t t, const sql_value_t *v)
{
    sql_type_t et = sql_array_elem_type(t);
    arr_it_t it;
    int32_t lb = 1;
    it_init(&it, et.oid, v, &lb);
    sql_value_t x;
    while (it_next(&it, &x)) {
        rdb_buf_append_u8(out, x.isnull ? 0x03 : 0x02);
        if (!x.isnull)
            sql_key_encode(out, et, &x, false);
    }
    rdb_buf_append_u8(out, 0x01);
    if (it.ndim <= 1) {
        rdb_buf_append_u32_be(out, (uint32_t)lb ^ 0x80000000u);
        return;
    }
    rdb_buf_append_u32_be(out, UINT32_MAX);
    rdb_buf_append_u8(out, (uint8_t)it.ndim);
    for (int d = 0; d < it.ndim; d++)
        rdb_buf_append_u32_be(out, (uint32_t)it.dims[d]);
    for (int d = 0; d < it.ndim; d++)
        rdb_buf_append_u32_be(out, (uint32_t)it.lbs[d] ^ 0x80000000u);
}

static uint32_t key_u32(const char *p, bool desc)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) v = v << 8 | (desc ? (uint8_t)~(uint8_t)p[i] : (uint8_t)p[i]);
    return v;
}

rdb_status_t sqlt_array_key_decode(rdb_arena_t *a, sql_type_t t, bool desc, const char **pp,
                                   const char *end, sql_value_t *out, rdb_err_t *err)
{
    sql_type_t et = sql_array_elem_type(t);
    const char *p = *pp;
    int n = 0, cap = 8;
    sql_value_t *vals = rdb_arena_alloc(a, sizeof(sql_value_t) * (size_t)cap);
    for (;;) {
        if (p >= end) return corrupt(err);
        uint8_t m = desc ? (uint8_t)~(uint8_t)*p : (uint8_t)*p;
        p++;
        if (m == 0x01) break;
        if (m != 0x02 && m != 0x03) return corrupt(err);
        if (n == cap) {
            cap *= 2;
            vals = rdb_arena_grow(a, vals, (size_t)n, (size_t)cap, sizeof *vals);
        }
        if (m == 0x03)
            vals[n++] = sql_null();
        else if (sql_key_decode(a, et, desc, &p, end, &vals[n++], err) != RDB_OK)
            return RDB_CORRUPTION;
    }
    if (end - p < 4) return corrupt(err);
    uint32_t lb = key_u32(p, desc);
    p += 4;
    uint8_t k = p < end ? (desc ? (uint8_t)~(uint8_t)*p : (uint8_t)*p) : 0;
    if (lb == UINT32_MAX && k >= 2 && k <= SQL_ARRAY_MAXDIM) {
        int dims[SQL_ARRAY_MAXDIM];
        int32_t lbs[SQL_ARRAY_MAXDIM];
        p++;
        if (end - p < 8 * k) return corrupt(err);
        int64_t prod = 1;
        for (int d = 0; d < k; d++) {
            dims[d] = (int)key_u32(p + 4 * d, desc);
            lbs[d] = (int32_t)(key_u32(p + 4 * (k + d), desc) ^ 0x80000000u);
            if (dims[d] <= 0 || (prod *= dims[d]) > SQL_ARRAY_MAX_ELEMS) return corrupt(err);
        }
        if (prod != n) return corrupt(err);
        p += 8 * k;
        *out = sql_array_encode_md(a, et, k, dims, lbs, vals);
    } else {
        *out = sql_array_encode(a, et, (int32_t)(lb ^ 0x80000000u), n, vals);
    }
    *pp = p;
    return RDB_OK;
}

rdb_status_t sql_array_stack(rdb_arena_t *a, sql_type_t arrt, int n, const sql_value_t *arrays,
                             sql_value_t *out, rdb_err_t *err)
{
    sql_array_t r = { .elem = sql_array_elem_type(arrt) };
    int64_t total = 0;
    sql_value_t *all = NULL;
    for (int i = 0; i < n; i++) {
        sql_array_t x;
        if (arrays[i].isnull)
            return rdb_err_set(err, RDB_SQL, "22004", "cannot accumulate null arrays");
        if (sql_array_decode(a, arrt, &arrays[i], &x, err) != RDB_OK)
            return RDB_CORRUPTION;
        if (i == 0) {
            if (x.ndim == 0)
                return rdb_err_set(err, RDB_SQL, "2202E", "cannot accumulate empty arrays");
            if (x.ndim + 1 > SQL_ARRAY_MAXDIM)
                return too_many_dims(err, x.ndim + 1);
            if ((int64_t)x.n * n > SQL_ARRAY_MAX_ELEMS)
                return rdb_err_set(err, RDB_SQL, "54000", "array size exceeds the maximum allowed (%d)",
                                   SQL_ARRAY_MAX_ELEMS);
            r.ndim = x.ndim + 1;
            memcpy(r.dims + 1, x.dims, sizeof(int) * (size_t)x.ndim);
            memcpy(r.lbs + 1, x.lbs, sizeof(int32_t) * (size_t)x.ndim);
            all = rdb_arena_alloc(a, sizeof(sql_value_t) * (size_t)x.n * (size_t)n);
        } else if (x.ndim + 1 != r.ndim || memcmp(r.dims + 1, x.dims, sizeof(int) * (size_t)x.ndim) != 0) {
            return rdb_err_set(err, RDB_SQL, "2202E", "cannot accumulate arrays of different dimensionality");
        }
        memcpy(all + total, x.v, sizeof(sql_value_t) * (size_t)x.n);
        total += x.n;
    }
    if (n == 0) {
        *out = sql_array_encode(a, r.elem, 1, 0, NULL);
        return RDB_OK;
    }
    r.dims[0] = n;
    r.lbs[0] = 1;
    r.n = (int)total;
    r.v = all;
    *out = sql_array_encode_like(a, &r);
    return RDB_OK;
}

/* ---- casts ------------------------------------------------------------ */

/* T[] -> U[]: each element cast as T -> U. */
rdb_status_t sqlt_array_cast(sql_fn_ctx_t *ctx, sql_type_t from, sql_type_t to, bool explicit_,
                             const sql_value_t *in, sql_value_t *out, rdb_err_t *err)
{
    sql_array_t arr;
    if (sql_array_decode(ctx->arena, from, in, &arr, err) != RDB_OK)
        return RDB_CORRUPTION;
    sql_type_t et = sql_array_elem_type(to);
    for (int i = 0; i < arr.n; i++) {
        if (arr.v[i].isnull)
            continue;
        if (sqlt_cast_value(ctx, arr.elem, et, explicit_, &arr.v[i], &arr.v[i], err) != RDB_OK)
            return RDB_SQL;
    }
    arr.elem = et;
    *out = sql_array_encode_like(ctx->arena, &arr);
    return RDB_OK;
}
