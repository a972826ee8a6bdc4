/* block.c — see block.h. */
#include "lsm/block.h"

#include <stdlib.h>
#include <string.h>

#include "common/coding.h"
#include "common/mem.h"
#include "lsm/ikey.h"

void lsm_block_builder_init(lsm_block_builder_t *b)
{
    memset(b, 0, sizeof(*b));
    lsm_block_builder_reset(b);
}

void lsm_block_builder_free(lsm_block_builder_t *b)
{
    rdb_buf_free(&b->buf);
    rdb_buf_free(&b->restarts);
    rdb_buf_free(&b->last);
}

void lsm_block_builder_reset(lsm_block_builder_t *b)
{
    rdb_buf_reset(&b->buf);
    rdb_buf_reset(&b->restarts);
    rdb_buf_reset(&b->last);
    rdb_buf_append_u32_le(&b->restarts, 0);
    b->counter = 0;
    b->entries = 0;
    if (b->restart_interval <= 0)
        b->restart_interval = LSM_BLOCK_RESTART_INTERVAL;
}

void lsm_block_add(lsm_block_builder_t *b, const char *k, size_t kn, const char *v, size_t vn)
{
    size_t shared = 0;
    if (b->counter < b->restart_interval) {
        size_t m = RDB_MIN(kn, b->last.len);
        while (shared < m && b->last.data[shared] == k[shared])
            shared++;
    } else {
        rdb_buf_append_u32_le(&b->restarts, (uint32_t)b->buf.len);
        b->counter = 0;
    }
    rdb_buf_reserve(&b->buf, 15 + kn - shared + vn);
    rdb_buf_append_varint32(&b->buf, (uint32_t)shared);
    rdb_buf_append_varint32(&b->buf, (uint32_t)(kn - shared));
    rdb_buf_append_varint32(&b->buf, (uint32_t)vn);
    rdb_buf_append(&b->buf, k + shared, kn - shared);
    rdb_buf_append(&b->buf, v, vn);
    rdb_buf_reset(&b->last);
    rdb_buf_append(&b->last, k, kn);
    b->counter++;
    b->entries++;
}

size_t lsm_block_size_estimate(const lsm_block_builder_t *b)
{
    return b->buf.len + b->restarts.len + 4;
}

void lsm_block_finish(lsm_block_builder_t *b)
{
    rdb_buf_append(&b->buf, b->restarts.data, b->restarts.len);
    rdb_buf_append_u32_le(&b->buf, (uint32_t)(b->restarts.len / 4));
}

/* --- reader --------------------------------------------------------------- */

typedef lsm_block_it_t block_it_t;

static void corrupt(block_it_t *i, const char *why)
{
    if (!rdb_err_is_set(&i->err))
        rdb_err_set(&i->err, RDB_CORRUPTION, RDB_SQLSTATE_DATA_CORRUPTED,
                    "%s in block of \"%s\" at offset %llu", why, i->file,
                    (unsigned long long)i->off);
    i->cur = i->restarts;
    i->nrestarts = 0;
    i->klen = 0;
}

static uint32_t restart_at(block_it_t *i, uint32_t idx)
{
    return rdb_get_u32_le(i->data + i->restarts + 4 * idx);
}

/* The three lengths of the entry at p; most are below 128 and take one
 * byte each, decoded inline.  NULL if malformed or past end. */
static inline const char *decode_lengths(const char *p, const char *end, uint32_t *shared,
                                         uint32_t *unshared, uint32_t *vlen)
{
    if (end - p >= 3) {
        uint32_t a = (uint8_t)p[0], b = (uint8_t)p[1], c = (uint8_t)p[2];
        if ((a | b | c) < 128) {
            *shared = a;
            *unshared = b;
            *vlen = c;
            return p + 3;
        }
    }
    if (!(p = rdb_decode_varint32(p, end, shared)) ||
        !(p = rdb_decode_varint32(p, end, unshared)) || !(p = rdb_decode_varint32(p, end, vlen)))
        return NULL;
    return p;
}

static void key_reserve(block_it_t *i, size_t n)
{
    if (n <= i->kcap)
        return;
    size_t cap = RDB_MAX((size_t)i->kcap * 2, n);
    char *k = rdb_malloc(cap);
    memcpy(k, i->key, i->klen);
    if (i->key != i->inline_key)
        free(i->key);
    i->key = k;
    i->kcap = (uint32_t)cap;
}

/* Parse the entry at off using the current key as the previous key.
 * false on corruption. */
static bool parse_at(block_it_t *i, uint32_t off)
{
    const char *p = i->data + off, *end = i->data + i->restarts;
    uint32_t shared, unshared, vlen;
    if (!(p = decode_lengths(p, end, &shared, &unshared, &vlen)) ||
        (size_t)(end - p) < (size_t)unshared + vlen || shared > i->klen) {
        corrupt(i, "malformed entry");
        return false;
    }
    key_reserve(i, (size_t)shared + unshared);
    memcpy(i->key + shared, p, unshared);
    i->klen = shared + unshared;
    if (i->klen < LSM_IKEY_TRAILER) {
        corrupt(i, "short key");
        return false;
    }
    i->val = p + unshared;
    i->vlen = vlen;
    i->cur = off;
    i->next_off = (uint32_t)(p + unshared + vlen - i->data);
    return true;
}

static void seek_restart(block_it_t *i, uint32_t idx)
{
    i->klen = 0;
    uint32_t off = restart_at(i, idx);
    if (off >= i->restarts) {
        corrupt(i, "bad restart offset");
        return;
    }
    parse_at(i, off);
}

static bool bi_valid(lsm_it_t *it)
{
    block_it_t *i = (block_it_t *)it;
    return i->cur < i->restarts;
}

static void bi_next(lsm_it_t *it)
{
    block_it_t *i = (block_it_t *)it;
    if (i->next_off >= i->restarts) {
        i->cur = i->restarts;
        return;
    }
    parse_at(i, i->next_off);
}

static void bi_first(lsm_it_t *it)
{
    block_it_t *i = (block_it_t *)it;
    if (i->nrestarts == 0) {
        i->cur = i->restarts;
        return;
    }
    seek_restart(i, 0);
}

static void bi_last(lsm_it_t *it)
{
    block_it_t *i = (block_it_t *)it;
    if (i->nrestarts == 0) {
        i->cur = i->restarts;
        return;
    }
    seek_restart(i, i->nrestarts - 1);
    while (bi_valid(it) && i->next_off < i->restarts)
        bi_next(it);
}

static void bi_seek(lsm_it_t *it, const char *k, size_t n)
{
    block_it_t *i = (block_it_t *)it;
    if (i->nrestarts == 0) {
        i->cur = i->restarts;
        return;
    }
    /* Binary search for the last restart point whose key < k.  A restart
     * entry shares nothing with its predecessor, so its key is compared
     * where it lies, without decoding the entry into the key buffer. */
    const char *end = i->data + i->restarts;
    uint32_t lo = 0, hi = i->nrestarts - 1;
    while (lo < hi) {
        uint32_t mid = (lo + hi + 1) / 2;
        uint32_t off = restart_at(i, mid), shared, unshared, vlen;
        const char *p;
        if (off >= i->restarts) {
            corrupt(i, "bad restart offset");
            return;
        }
        if (!(p = decode_lengths(i->data + off, end, &shared, &unshared, &vlen)) ||
            shared != 0 || (size_t)(end - p) < (size_t)unshared + vlen) {
            corrupt(i, "malformed entry");
            return;
        }
        if (unshared < LSM_IKEY_TRAILER) {
            corrupt(i, "short key");
            return;
        }
        if (lsm_ikey_cmp(p, unshared, k, n) < 0)
            lo = mid;
        else
            hi = mid - 1;
    }
    seek_restart(i, lo);
    while (bi_valid(it) && lsm_ikey_cmp(i->key, i->klen, k, n) < 0)
        bi_next(it);
}

void lsm_block_it_seek_entry(lsm_block_it_t *i, uint32_t idx)
{
    if (idx >= i->nrestarts) {
        i->cur = i->restarts;
        return;
    }
    seek_restart(i, idx);
}

static void bi_prev(lsm_it_t *it)
{
    block_it_t *i = (block_it_t *)it;
    uint32_t target = i->cur;
    /* last restart strictly before target */
    uint32_t lo = 0, hi = i->nrestarts;
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        if (restart_at(i, mid) < target)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0) {
        i->cur = i->restarts;
        return;
    }
    seek_restart(i, lo - 1);
    while (bi_valid(it) && i->next_off < target)
        bi_next(it);
}

static const char *bi_key(lsm_it_t *it, size_t *n)
{
    block_it_t *i = (block_it_t *)it;
    *n = i->klen;
    return i->key;
}
static const char *bi_value(lsm_it_t *it, size_t *n)
{
    block_it_t *i = (block_it_t *)it;
    *n = i->vlen;
    return i->val;
}
static rdb_status_t bi_status(lsm_it_t *it, rdb_err_t *err)
{
    block_it_t *i = (block_it_t *)it;
    if (!rdb_err_is_set(&i->err))
        return RDB_OK;
    return rdb_err_set(err, i->err.code, i->err.sqlstate, "%s", i->err.msg);
}

void lsm_block_it_destroy(lsm_block_it_t *i)
{
    if (i->release)
        i->release(i->arg);
    i->release = NULL;
    if (i->key != i->inline_key)
        free(i->key);
    i->key = i->inline_key;
    i->kcap = sizeof i->inline_key;
    i->klen = 0;
    rdb_err_clear(&i->err);
}

static void bi_destroy(lsm_it_t *it) { lsm_block_it_destroy((block_it_t *)it); }
static void bi_free(lsm_it_t *it)
{
    lsm_block_it_destroy((block_it_t *)it);
    free(it);
}

static const lsm_it_ops_t block_ops = { bi_valid, bi_first, bi_last, bi_seek, bi_next,
                                        bi_prev, bi_key, bi_value, bi_status, bi_free };
static const lsm_it_ops_t embedded_ops = { bi_valid, bi_first, bi_last, bi_seek, bi_next,
                                           bi_prev, bi_key, bi_value, bi_status, bi_destroy };

void lsm_block_it_init(lsm_block_it_t *i, const char *data, size_t n, const char *file,
                       uint64_t off)
{
    if (!i->key) {
        i->key = i->inline_key;
        i->kcap = sizeof i->inline_key;
    }
    if (rdb_err_is_set(&i->err))
        rdb_err_clear(&i->err);
    i->base.ops = &embedded_ops;
    i->data = data;
    i->release = NULL;
    i->arg = NULL;
    i->file = file ? file : "?";
    i->off = off;
    i->klen = 0;
    i->val = NULL;
    i->vlen = 0;
    i->cur = i->restarts = i->nrestarts = i->next_off = 0;
    if (n < 4) {
        corrupt(i, "block too short");
        return;
    }
    uint32_t nr = rdb_get_u32_le(data + n - 4);
    if (nr == 0 || (size_t)nr > (n - 4) / 4) {
        corrupt(i, "bad restart count");
        return;
    }
    i->nrestarts = nr;
    i->restarts = (uint32_t)(n - 4 - 4 * (size_t)nr);
    i->cur = i->restarts;
}

lsm_it_t *lsm_block_iter(const char *data, size_t n, void (*release)(void *), void *arg,
                         const char *file, uint64_t off)
{
    block_it_t *i = rdb_calloc(1, sizeof(*i));
    lsm_block_it_init(i, data, n, file, off);
    i->base.ops = &block_ops;
    i->release = release;
    i->arg = arg;
    return &i->base;
}

bool lsm_block_flat_init(lsm_block_flat_t *f, const char *data, size_t n)
{
    if (n < 4)
        return false;
    uint32_t nr = rdb_get_u32_le(data + n - 4);
    if (nr == 0 || (size_t)nr > (n - 4) / 4)
        return false;
    uint32_t restarts = (uint32_t)(n - 4 - 4 * (size_t)nr);
    const char *end = data + restarts;
    uint32_t expect = 0;
    for (uint32_t idx = 0; idx < nr; idx++) {
        uint32_t off = rdb_get_u32_le(data + restarts + 4 * (size_t)idx), shared, unshared, vlen;
        const char *p;
        if (off != expect || off >= restarts ||
            !(p = decode_lengths(data + off, end, &shared, &unshared, &vlen)) || shared != 0 ||
            unshared < LSM_IKEY_TRAILER || (size_t)(end - p) < (size_t)unshared + vlen)
            return false;
        expect = (uint32_t)(p + unshared + vlen - data);
    }
    if (expect != restarts)
        return false;
    f->data = data;
    f->restarts = data + restarts;
    f->n = nr;
    return true;
}

void lsm_block_flat_entry(const lsm_block_flat_t *f, uint32_t idx, const char **k, size_t *kn,
                          const char **v, size_t *vn)
{
    uint32_t shared, unshared, vlen;
    const char *p = f->data + rdb_get_u32_le(f->restarts + 4 * (size_t)idx);
    p = decode_lengths(p, f->restarts, &shared, &unshared, &vlen); /* checked at init */
    *k = p;
    *kn = unshared;
    *v = p + unshared;
    *vn = vlen;
}
