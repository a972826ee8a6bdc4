/* batch.c — see batch.h. */
#include "lsm/batch.h"

#include <stdlib.h>
#include <string.h>

#include "common/coding.h"
#include "common/mem.h"
#include "lsm/ikey.h"

lsm_batch_t *lsm_batch_new(void)
{
    lsm_batch_t *b = rdb_calloc(1, sizeof(*b));
    lsm_batch_clear(b);
    return b;
}

void lsm_batch_free(lsm_batch_t *b)
{
    if (!b)
        return;
    rdb_buf_free(&b->rep);
    free(b);
}

void lsm_batch_clear(lsm_batch_t *b)
{
    rdb_buf_reset(&b->rep);
    rdb_buf_append_u32_le(&b->rep, 0);
    b->count = 0;
    b->max_klen = 0;
}

/* One record, encoded in place after a single reserve. */
static void add(lsm_batch_t *b, int kind, const void *key, size_t klen, lsm_version_t v,
                const void *value, size_t vlen)
{
    rdb_buf_reserve(&b->rep, 1 + 5 + klen + 10 + 5 + vlen);
    char *p = b->rep.data + b->rep.len, *p0 = p;
    *p++ = (char)kind;
    p += rdb_encode_varint32(p, (uint32_t)klen);
    if (klen)
        memcpy(p, key, klen);
    p += klen;
    rdb_put_u64_le(p, v.hlc);
    p[8] = (char)(v.node_id & 0xff);
    p[9] = (char)(v.node_id >> 8);
    p += 10;
    if (kind == LSM_KIND_PUT) {
        p += rdb_encode_varint32(p, (uint32_t)vlen);
        if (vlen)
            memcpy(p, value, vlen);
        p += vlen;
    }
    b->rep.len += (size_t)(p - p0);
    b->count++;
    rdb_put_u32_le(b->rep.data, (uint32_t)b->count);
    if (klen > b->max_klen)
        b->max_klen = klen;
}

void lsm_batch_put(lsm_batch_t *b, const void *key, size_t klen, lsm_version_t v,
                   const void *value, size_t vlen)
{
    add(b, LSM_KIND_PUT, key, klen, v, value, vlen);
}

void lsm_batch_delete(lsm_batch_t *b, const void *key, size_t klen, lsm_version_t v)
{
    add(b, LSM_KIND_DELETE, key, klen, v, NULL, 0);
}

void lsm_batch_reserve(lsm_batch_t *b, size_t bytes) { rdb_buf_reserve(&b->rep, bytes); }

size_t lsm_batch_count(const lsm_batch_t *b) { return b->count; }
size_t lsm_batch_byte_size(const lsm_batch_t *b) { return b->rep.len; }

rdb_status_t lsm_batch_iterate(const char *rep, size_t n, lsm_batch_fn fn, void *arg,
                               rdb_err_t *err)
{
    if (n < 4)
        return rdb_err_set(err, RDB_CORRUPTION, RDB_SQLSTATE_DATA_CORRUPTED, "batch too short");
    uint32_t count = rdb_get_u32_le(rep);
    const char *p = rep + 4, *end = rep + n;
    for (uint32_t i = 0; i < count; i++) {
        if (p >= end)
            goto bad;
        int kind = (unsigned char)*p++;
        const char *k, *v = NULL;
        uint32_t kl, vl = 0;
        p = rdb_decode_lenprefixed(p, end, &k, &kl);
        if (!p || end - p < 10)
            goto bad;
        lsm_version_t ver = { rdb_get_u64_le(p), (uint16_t)((unsigned char)p[8] | ((unsigned char)p[9] << 8)) };
        p += 10;
        if (kind == LSM_KIND_PUT) {
            p = rdb_decode_lenprefixed(p, end, &v, &vl);
            if (!p)
                goto bad;
        } else if (kind != LSM_KIND_DELETE) {
            goto bad;
        }
        rdb_status_t s = fn(arg, kind, k, kl, ver, v, vl);
        if (s != RDB_OK)
            return s;
    }
    if (p != end)
        goto bad;
    return RDB_OK;
bad:
    return rdb_err_set(err, RDB_CORRUPTION, RDB_SQLSTATE_DATA_CORRUPTED,
                       "malformed write batch at byte %td", p ? p - rep : (ptrdiff_t)-1);
}
