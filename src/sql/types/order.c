/*
 * order.c — comparison, hashing, order-preserving key encoding and the
 * MessagePack row encoding of values.
 *
 * Key encoding: a tag byte (0x00 NULL, 0x01 value), then per kind:
 *   ints/dates/timestamps: 8 bytes big endian, sign bit flipped;
 *   floats: -0 -> 0, NaN canonical (sorts last), IEEE bits with the sign
 *           bit flipped for positives and all bits flipped for negatives;
 *   text/bytea/json: bytes with 0x00 escaped as 0x00 0xFF, then 0x00 0x01;
 *   uuid: 16 bytes;  bool: 1 byte;
 *   interval: the 128-bit span (months*30 days + days, µs) big endian,
 *           then the three fields for decoding;
 *   numeric: class byte (1 neg, 2 zero, 3 pos, 4 NaN), then for pos the
 *           biased exponent (u16 BE) and the significant digits as bytes
 *           '1'..'9'/'0' terminated by 0x00; neg stores the complement.
 *           Decoding yields the minimal scale (1.50 -> 1.5).
 * desc complements every byte after (and including) the tag, so NULL
 * sorts last in descending order.
 */
#include <math.h>
#include <string.h>

#include "common/hash.h"
#include "sql/types/types_int.h"

static __int128 iv_span(const sql_interval_t *iv)
{
    return ((__int128)iv->months * 30 + iv->days) * (__int128)USECS_PER_DAY + iv->usec;
}

static int bytes_cmp(const sql_value_t *a, const sql_value_t *b)
{
    uint32_t n = a->u.v.len < b->u.v.len ? a->u.v.len : b->u.v.len;
    int c = n ? memcmp(a->u.v.ptr, b->u.v.ptr, n) : 0;
    if (c) return c < 0 ? -1 : 1;
    return a->u.v.len < b->u.v.len ? -1 : a->u.v.len > b->u.v.len;
}

/* bpchar compares without trailing blanks */
static uint32_t bp_len(const sql_value_t *v)
{
    uint32_t n = v->u.v.len;
    while (n > 0 && v->u.v.ptr[n - 1] == ' ') n--;
    return n;
}

int sql_value_cmp(sql_type_t t, const sql_value_t *a, const sql_value_t *b)
{
    switch (sqlt_kind(t.oid)) {
    case K_BOOL: return (int)a->u.b - (int)b->u.b;
    case K_INT: case K_DATE: case K_TIME: case K_TS: case K_TSTZ:
        return a->u.i < b->u.i ? -1 : a->u.i > b->u.i;
    case K_FLOAT: {
        bool na = isnan(a->u.f), nb = isnan(b->u.f);
        if (na || nb) return (int)na - (int)nb;
        return a->u.f < b->u.f ? -1 : a->u.f > b->u.f;
    }
    case K_NUMERIC: return sqlt_numeric_cmp(a, b);
    case K_ARRAY: return sqlt_array_cmp(t, a, b);
    case K_JSON: if (t.oid == SQL_OID_JSONB) return sqlt_jsonb_cmp(a, b); return bytes_cmp(a, b);
    case K_INTERVAL: {
        __int128 x = iv_span(&a->u.iv), y = iv_span(&b->u.iv);
        return x < y ? -1 : x > y;
    }
    case K_TEXT:
        if (sqlt_is_net(t.oid)) {
            unsigned char x[SQLT_INET_KEY6], y[SQLT_INET_KEY6];
            size_t nx = sqlt_inet_sortkey(a, x), ny = sqlt_inet_sortkey(b, y);
            int c = memcmp(x, y, nx < ny ? nx : ny);
            return c ? (c < 0 ? -1 : 1) : (nx > ny) - (nx < ny);
        }
        if (t.oid == SQL_OID_BPCHAR) {
            sql_value_t x = *a, y = *b;
            x.u.v.len = bp_len(a);
            y.u.v.len = bp_len(b);
            return bytes_cmp(&x, &y);
        }
        return bytes_cmp(a, b);
    default: return bytes_cmp(a, b);
    }
}

uint64_t sql_value_hash(sql_type_t t, const sql_value_t *v)
{
    switch (sqlt_kind(t.oid)) {
    case K_BOOL: return rdb_hash_u64(v->u.b);
    case K_INT: case K_DATE: case K_TIME: case K_TS: case K_TSTZ: return rdb_hash_u64((uint64_t)v->u.i);
    case K_FLOAT: {
        double d = v->u.f;
        if (d == 0) d = 0;
        if (isnan(d)) d = NAN;
        uint64_t b;
        memcpy(&b, &d, 8);
        return rdb_hash_u64(b);
    }
    case K_NUMERIC: return sqlt_numeric_hash(v);
    case K_ARRAY: return sqlt_array_hash(t, v);
    case K_JSON: if (t.oid == SQL_OID_JSONB) return sqlt_jsonb_hash(v); return rdb_hash64(v->u.v.ptr, v->u.v.len, 0);
    case K_INTERVAL: {
        __int128 s = iv_span(&v->u.iv);
        return rdb_hash_u64((uint64_t)s ^ rdb_hash_u64((uint64_t)(s >> 64)));
    }
    case K_TEXT:
        if (t.oid == SQL_OID_BPCHAR) return rdb_hash64(v->u.v.ptr, bp_len(v), 0);
        if (sqlt_is_net(t.oid)) {   /* equal by network_cmp: 1.2.3.4 and 1.2.3.4/32 */
            unsigned char k[SQLT_INET_KEY6];
            return rdb_hash64(k, sqlt_inet_sortkey(v, k), 0);
        }
        return rdb_hash64(v->u.v.ptr, v->u.v.len, 0);
    default: return rdb_hash64(v->u.v.ptr, v->u.v.len, 0);
    }
}

static void put_escaped(rdb_buf_t *out, const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        rdb_buf_append_u8(out, (uint8_t)p[i]);
        if (p[i] == 0) rdb_buf_append_u8(out, 0xFF);
    }
    rdb_buf_append_u8(out, 0x00);
    rdb_buf_append_u8(out, 0x01);
}

void sql_key_encode(rdb_buf_t *out, sql_type_t t, const sql_value_t *v, bool desc)
{
    size_t start = out->len;
    if (v->isnull) {
        rdb_buf_append_u8(out, 0x00);
        goto done;
    }
    rdb_buf_append_u8(out, 0x01);
    switch (sqlt_kind(t.oid)) {
    case K_BOOL: rdb_buf_append_u8(out, v->u.b ? 1 : 0); break;
    case K_INT: case K_DATE: case K_TIME: case K_TS: case K_TSTZ:
        rdb_buf_append_u64_be(out, (uint64_t)v->u.i ^ (UINT64_C(1) << 63));
        break;
    case K_FLOAT: {
        double d = v->u.f;
        if (d == 0) d = 0;
        if (isnan(d)) d = NAN;
        uint64_t b;
        memcpy(&b, &d, 8);
        if (isnan(d)) b = UINT64_MAX >> 1 | (UINT64_C(1) << 63) ; /* above +inf after flip */
        else if (b >> 63) b = ~b;
        else b |= UINT64_C(1) << 63;
        if (isnan(d)) b = UINT64_MAX;
        rdb_buf_append_u64_be(out, b);
        break;
    }
    case K_INTERVAL: {
        __int128 s = iv_span(&v->u.iv);
        unsigned __int128 u = (unsigned __int128)s ^ ((unsigned __int128)1 << 127);
        rdb_buf_append_u64_be(out, (uint64_t)(u >> 64));
        rdb_buf_append_u64_be(out, (uint64_t)u);
        rdb_buf_append_u64_be(out, (uint64_t)v->u.iv.usec);
        rdb_buf_append_u32_be(out, (uint32_t)v->u.iv.days);
        rdb_buf_append_u32_be(out, (uint32_t)v->u.iv.months);
        break;
    }
    case K_NUMERIC: {
        int sign, e; const char *d; size_t n;
        sqlt_numeric_parts(v, &sign, &e, &d, &n);
        /* -Infinity 0, negative 1, zero 2, positive 3, NaN 4, +Infinity 5 would
         * misplace NaN: +Infinity is class 4 followed by 0x01, NaN 4 then 0x02 */
        int sp = sqlt_numeric_special(v);
        if (sp) {
            rdb_buf_append_u8(out, sp == 3 ? 0 : 4);
            if (sp != 3) rdb_buf_append_u8(out, sp == 2 ? 1 : 2);
            break;
        }
        uint8_t cls = sign == 2 ? 4 : sign < 0 ? 1 : sign == 0 ? 2 : 3;
        rdb_buf_append_u8(out, cls);
        if (cls == 1 || cls == 3) {
            uint8_t x = cls == 1 ? 0xFF : 0x00;
            uint16_t be = (uint16_t)(e + 0x8000);
            rdb_buf_append_u8(out, (uint8_t)(be >> 8) ^ x);
            rdb_buf_append_u8(out, (uint8_t)be ^ x);
            for (size_t i = 0; i < n; i++) rdb_buf_append_u8(out, (uint8_t)(d[i] - '0' + 1) ^ x);
            rdb_buf_append_u8(out, x);
        }
        break;
    }
    case K_UUID: rdb_buf_append(out, v->u.v.ptr, 16); break;
    case K_ARRAY: sqlt_array_key_encode(out, t, v); break;
    case K_TEXT:
        if (t.oid == SQL_OID_BPCHAR) { put_escaped(out, v->u.v.ptr, bp_len(v)); break; }
        if (sqlt_is_net(t.oid)) {    /* fixed length by its first byte */
            unsigned char k[SQLT_INET_KEY6];
            rdb_buf_append(out, k, sqlt_inet_sortkey(v, k));
            break;
        }
        /* fallthrough */
    default: put_escaped(out, v->u.v.ptr, v->u.v.len); break;
    }
done:
    if (desc)
        for (size_t i = start; i < out->len; i++) out->data[i] = (char)~out->data[i];
}

static rdb_status_t corrupt(rdb_err_t *err)
{
    return rdb_err_set(err, RDB_CORRUPTION, "XX001", "malformed key encoding");
}

static uint8_t kb(const char *p, bool desc) { return desc ? (uint8_t)~(uint8_t)*p : (uint8_t)*p; }

static uint64_t k64(const char *p, bool desc)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) v = v << 8 | kb(p + i, desc);
    return v;
}

rdb_status_t sql_key_decode(rdb_arena_t *a, sql_type_t t, bool desc, const char **pp,
                            const char *end, sql_value_t *out, rdb_err_t *err)
{
    const char *p = *pp;
    if (p >= end) return corrupt(err);
    uint8_t tag = kb(p++, desc);
    if (tag == 0) { *out = sql_null(); *pp = p; return RDB_OK; }
    if (tag != 1) return corrupt(err);
    switch (sqlt_kind(t.oid)) {
    case K_BOOL:
        if (end - p < 1) return corrupt(err);
        *out = sql_bool(kb(p++, desc) != 0);
        break;
    case K_INT: case K_DATE: case K_TIME: case K_TS: case K_TSTZ:
        if (end - p < 8) return corrupt(err);
        *out = sql_int((int64_t)(k64(p, desc) ^ (UINT64_C(1) << 63)));
        p += 8;
        break;
    case K_FLOAT: {
        if (end - p < 8) return corrupt(err);
        uint64_t b = k64(p, desc);
        p += 8;
        double d;
        if (b == UINT64_MAX) d = NAN;
        else {
            if (b >> 63) b &= ~(UINT64_C(1) << 63);
            else b = ~b;
            memcpy(&d, &b, 8);
        }
        *out = sql_float(d);
        break;
    }
    case K_INTERVAL:
        if (end - p < 32) return corrupt(err);
        p += 16;
        out->isnull = false;
        out->u.iv.usec = (int64_t)k64(p, desc);
        out->u.iv.days = (int32_t)(k64(p + 8, desc) >> 32);
        out->u.iv.months = (int32_t)(k64(p + 8, desc) & 0xffffffffu);
        p += 16;
        break;
    case K_NUMERIC: {
        if (end - p < 1) return corrupt(err);
        uint8_t cls = kb(p++, desc);
        if (cls == 2) { *out = sqlt_numeric_from_int(a, 0); break; }
        if (cls == 0) { *out = sqlt_numeric_special_value(a, 3); break; }
        if (cls == 4) {
            if (end - p < 1) return corrupt(err);
            *out = sqlt_numeric_special_value(a, kb(p++, desc) == 1 ? 2 : 1);
            break;
        }
        if (cls != 1 && cls != 3) return corrupt(err);
        uint8_t x = cls == 1 ? 0xFF : 0;
        if (end - p < 2) return corrupt(err);
        int e = (int)(((kb(p, desc) ^ x) << 8) | (kb(p + 1, desc) ^ x)) - 0x8000;
        p += 2;
        const char *ds = p;
        while (p < end && (kb(p, desc) ^ x) != 0) p++;
        if (p >= end) return corrupt(err);
        size_t n = (size_t)(p - ds);
        p++;
        /* value = 0.d1d2... * 10^(e+1); build text */
        char *txt = rdb_arena_alloc(a, n + 16);
        size_t k = 0;
        if (cls == 1) txt[k++] = '-';
        for (size_t i = 0; i < n; i++) {
            uint8_t dg = kb(ds + i, desc) ^ x;
            if (dg < 1 || dg > 10) return corrupt(err);
            txt[k++] = (char)('0' + dg - 1);
        }
        k += (size_t)snprintf(txt + k, 16, "e%d", e - (int)n + 1);
        if (sqlt_numeric_in(a, txt, k, out, err) != RDB_OK) return corrupt(err);
        break;
    }
    case K_ARRAY:
        if (!a || sqlt_array_key_decode(a, t, desc, &p, end, out, err) != RDB_OK) return corrupt(err);
        break;
    case K_TEXT:
        if (sqlt_is_net(t.oid)) {
            unsigned char k[SQLT_INET_KEY6];
            if (end - p < 1 || !a) return corrupt(err);
            size_t n = kb(p, desc) == 0 ? SQLT_INET_KEY4 : SQLT_INET_KEY6;
            if ((size_t)(end - p) < n) return corrupt(err);
            for (size_t i = 0; i < n; i++) k[i] = kb(p + i, desc);
            *out = sqlt_inet_from_sortkey(a, k, t.oid == SQL_OID_CIDR);
            p += n;
            break;
        }
        goto escaped;
    case K_UUID: {
        if (end - p < 16) return corrupt(err);
        char *u = a ? rdb_arena_alloc(a, 16) : NULL;
        if (!u) return corrupt(err);
        for (int i = 0; i < 16; i++) u[i] = (char)kb(p + i, desc);
        *out = sql_bytes(u, 16);
        p += 16;
        break;
    }
    default:
    escaped: {
        /* escaped bytes */
        size_t n = 0;
        const char *q = p;
        for (;;) {
            if (q >= end) return corrupt(err);
            uint8_t c = kb(q, desc);
            if (c == 0) {
                if (q + 1 >= end) return corrupt(err);
                uint8_t c2 = kb(q + 1, desc);
                if (c2 == 1) break;
                if (c2 != 0xFF) return corrupt(err);
                q += 2;
            } else q++;
            n++;
        }
        if (!a) return corrupt(err);
        char *s = rdb_arena_alloc(a, n + 1);
        size_t i = 0;
        while (p < q) {
            uint8_t c = kb(p, desc);
            s[i++] = (char)c;
            p += c == 0 ? 2 : 1;
        }
        p = q + 2;
        *out = sql_bytes(s, (uint32_t)n);
        break;
    }
    }
    *pp = p;
    return RDB_OK;
}

void sql_value_pack(msgpack_packer *pk, sql_type_t t, const sql_value_t *v)
{
    if (v->isnull) { msgpack_pack_nil(pk); return; }
    switch (sqlt_kind(t.oid)) {
    case K_BOOL: if (v->u.b) msgpack_pack_true(pk); else msgpack_pack_false(pk); return;
    case K_INT: case K_DATE: case K_TIME: case K_TS: case K_TSTZ: msgpack_pack_int64(pk, v->u.i); return;
    case K_FLOAT: msgpack_pack_double(pk, v->u.f); return;
    case K_INTERVAL:
        msgpack_pack_array(pk, 3);
        msgpack_pack_int64(pk, v->u.iv.usec);
        msgpack_pack_int32(pk, v->u.iv.days);
        msgpack_pack_int32(pk, v->u.iv.months);
        return;
    case K_ARRAY: sqlt_array_pack(pk, t, v); return;
    case K_TEXT: case K_JSON:
        msgpack_pack_str(pk, v->u.v.len);
        msgpack_pack_str_body(pk, v->u.v.ptr, v->u.v.len);
        return;
    default:
        msgpack_pack_bin(pk, v->u.v.len);
        msgpack_pack_bin_body(pk, v->u.v.ptr, v->u.v.len);
        return;
    }
}

/* Unpacked bytes: copied into a when given; an empty string may come with
 * a NULL pointer from msgpack, and values never carry NULL pointers. */
static const char *unpack_bytes(rdb_arena_t *a, const char *p, uint32_t n)
{
    if (n == 0)
        return "";
    return a ? rdb_arena_memdup(a, p, n) : p;
}

int sql_value_packed_as(uint32_t oid)
{
    switch (sqlt_kind(oid)) {
    case K_INT: case K_DATE: case K_TIME: case K_TS: case K_TSTZ: return SQL_PACKED_INT;
    case K_FLOAT: return SQL_PACKED_FLOAT;
    default: return SQL_PACKED_OTHER;
    }
}

rdb_status_t sql_value_unpack(rdb_arena_t *a, sql_type_t t, const msgpack_object *o,
                              sql_value_t *out, rdb_err_t *err)
{
    if (o->type == MSGPACK_OBJECT_NIL) { *out = sql_null(); return RDB_OK; }
    switch (sqlt_kind(t.oid)) {
    case K_BOOL:
        if (o->type != MSGPACK_OBJECT_BOOLEAN) break;
        *out = sql_bool(o->via.boolean);
        return RDB_OK;
    case K_INT: case K_DATE: case K_TIME: case K_TS: case K_TSTZ:
        if (o->type == MSGPACK_OBJECT_POSITIVE_INTEGER) *out = sql_int((int64_t)o->via.u64);
        else if (o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER) *out = sql_int(o->via.i64);
        else break;
        return RDB_OK;
    case K_FLOAT:
        if (o->type != MSGPACK_OBJECT_FLOAT64 && o->type != MSGPACK_OBJECT_FLOAT32) break;
        *out = sql_float(o->via.f64);
        return RDB_OK;
    case K_ARRAY: return sqlt_array_unpack(a, t, o, out, err);
    case K_INTERVAL: {
        if (o->type != MSGPACK_OBJECT_ARRAY || o->via.array.size != 3) break;
        const msgpack_object *e = o->via.array.ptr;
        for (int i = 0; i < 3; i++)
            if (e[i].type != MSGPACK_OBJECT_POSITIVE_INTEGER && e[i].type != MSGPACK_OBJECT_NEGATIVE_INTEGER)
                goto bad;
        out->isnull = false;
        out->u.iv.usec = e[0].via.i64;
        out->u.iv.days = (int32_t)e[1].via.i64;
        out->u.iv.months = (int32_t)e[2].via.i64;
        return RDB_OK;
    }
    default:
        if (o->type == MSGPACK_OBJECT_STR) {
            *out = sql_bytes(unpack_bytes(a, o->via.str.ptr, o->via.str.size), o->via.str.size);
            return RDB_OK;
        }
        if (o->type == MSGPACK_OBJECT_BIN) {
            if (sqlt_kind(t.oid) == K_UUID && o->via.bin.size != 16) break;
            if (sqlt_kind(t.oid) == K_NUMERIC && (o->via.bin.size < 4 || (o->via.bin.ptr[0] != '+' && o->via.bin.ptr[0] != '-' && o->via.bin.ptr[0] != 'N' && o->via.bin.ptr[0] != 'I' && o->via.bin.ptr[0] != 'i'))) break;
            *out = sql_bytes(unpack_bytes(a, o->via.bin.ptr, o->via.bin.size), o->via.bin.size);
            return RDB_OK;
        }
        break;
    }
bad:
    return rdb_err_set(err, RDB_CORRUPTION, "XX001", "stored value does not match column type %s",
                       sqlt_sql_name(t.oid));
}
