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
}

void lsm_block_add(lsm_block_builder_t *b, const char *k, size_t kn, const char *v, size_t vn)
{
    size_t shared = 0;
    if (b->counter < LSM_BLOCK_RESTART_INTERVAL) {
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

typedef struct block_it {
    lsm_it_t base;
    const char *data;
    uint32_t restarts;  /* offset of the restart array */
    uint32_t nrestarts;
    uint32_t cur;       /* offset of current entry; == restarts when invalid */
    uint32_t next_off;  /* offset just past the current entry */
    rdb_buf_t key;
    const char *val;
    uint32_t vlen;
    void (*release)(void *);
    void *arg;
    rdb_err_t err;
    const char *file;
    uint64_t off;
} block_it_t;

static void corrupt(block_it_t *i, const char *why)
{
    if (!rdb_err_is_set(&i->err))
        rdb_err_set(&i->err, RDB_CORRUPTION, RDB_SQLSTATE_DATA_CORRUPTED,
                    "%s in block of \"%s\" at offset %llu", why, i->file,
                    (unsigned long long)i->off);
    i->cur = i->restarts;
    i->nrestarts = 0;
    i->key.len = 0;
}

static uint32_t restart_at(block_it_t *i, uint32_t idx)
{
    return rdb_get_u32_le(i->data + i->restarts + 4 * idx);
}

/* Parse the entry at off using key as the previous key.  false on corruption. */
static bool parse_at(block_it_t *i, uint32_t off)
{
    const char *p = i->data + off, *end = i->data + i->restarts;
    uint32_t shared, unshared, vlen;
    if (!(p = rdb_decode_varint32(p, end, &shared)) ||
        !(p = rdb_decode_varint32(p, end, &unshared)) ||
        !(p = rdb_decode_varint32(p, end, &vlen)) ||
        (size_t)(end - p) < (size_t)unshared + vlen || shared > i->key.len) {
        corrupt(i, "malformed entry");
        return false;
    }
    i->key.len = shared;
    rdb_buf_append(&i->key, p, unshared);
    if (i->key.len < LSM_IKEY_TRAILER) {
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
    i->key.len = 0;
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
    uint32_t lo = 0, hi = i->nrestarts - 1;
    while (lo < hi) {
        uint32_t mid = (lo + hi + 1) / 2;
        seek_restart(i, mid);
        if (!bi_valid(it))
            return;
        if (lsm_ikey_cmp(i->key.data, i->key.len, k, n) < 0)
            lo = mid;
        else
            hi = mid - 1;
    }
    seek_restart(i, lo);
    while (bi_valid(it) && lsm_ikey_cmp(i->key.data, i->key.len, k, n) < 0)
        bi_next(it);
}

static void bi_prev(lsm_it_t *it)
{
    block_it_t *i = (block_it_t *)it;
    uint32_t target = i->cur;
    uint32_t idx = 0;
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
    idx = lo - 1;
    seek_restart(i, idx);
    while (bi_valid(it) && i->next_off < target)
        bi_next(it);
}

static const char *bi_key(lsm_it_t *it, size_t *n)
{
    block_it_t *i = (block_it_t *)it;
    *n = i->key.len;
    return i->key.data;
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
static void bi_free(lsm_it_t *it)
{
    block_it_t *i = (block_it_t *)it;
    if (i->release)
        i->release(i->arg);
    rdb_buf_free(&i->key);
    rdb_err_clear(&i->err);
    free(i);
}

static const lsm_it_ops_t block_ops = { bi_valid, bi_first, bi_last, bi_seek, bi_next,
                                        bi_prev, bi_key, bi_value, bi_status, bi_free };

lsm_it_t *lsm_block_iter(const char *data, size_t n, void (*release)(void *), void *arg,
                         const char *file, uint64_t off)
{
    block_it_t *i = rdb_calloc(1, sizeof(*i));
    rdb_err_t e = RDB_ERR_INIT;
    i->err = e;
    i->base.ops = &block_ops;
    i->data = data;
    i->release = release;
    i->arg = arg;
    i->file = file ? file : "?";
    i->off = off;
    if (n < 4) {
        i->restarts = 0;
        corrupt(i, "block too short");
        return &i->base;
    }
    uint32_t nr = rdb_get_u32_le(data + n - 4);
    if (nr == 0 || (size_t)nr > (n - 4) / 4) {
        i->restarts = 0;
        corrupt(i, "bad restart count");
        return &i->base;
    }
    i->nrestarts = nr;
    i->restarts = (uint32_t)(n - 4 - 4 * (size_t)nr);
    i->cur = i->restarts;
    return &i->base;
}
