/*
 * partmap.c — partition maps of range-partitioned spaces; see partmap.h.
 * Invariant: each entry holds the newest record applied for its space.
 */
#include "cluster/partmap.h"

#include <assert.h>
#include <msgpack.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "cluster/ring.h"
#include "common/log.h"
#include "common/mem.h"

typedef struct pm_entry {
    char           space[CLU_PMAP_MAX_SPACE];
    size_t         slen;
    clu_pmap_rec_t rec;
} pm_entry_t;

struct clu_pmap {
    pthread_rwlock_t mu;
    pm_entry_t      *e;
    size_t           n;
    atomic_size_t    count;   /* n, read without the lock */
};

void clu_pmap_rec_init(clu_pmap_rec_t *r)
{
    memset(r, 0, sizeof *r);
    clu_rangemap_init(&r->cur);
    clu_rangemap_init(&r->next);
}

void clu_pmap_rec_free(clu_pmap_rec_t *r)
{
    clu_rangemap_free(&r->cur);
    clu_rangemap_free(&r->next);
    memset(r, 0, sizeof *r);
}

static void rangemap_copy(clu_rangemap_t *dst, const clu_rangemap_t *src)
{
    clu_rangemap_init(dst);
    for (size_t i = 0; i < src->n; i++)
        clu_rangemap_split(dst, src->s[i].key, src->s[i].len, src->version);
    dst->version = src->version;
}

void clu_pmap_rec_copy(clu_pmap_rec_t *dst, const clu_pmap_rec_t *src)
{
    clu_pmap_rec_init(dst);
    dst->version = src->version;
    dst->has_cur = src->has_cur;
    dst->moving = src->moving;
    rangemap_copy(&dst->cur, &src->cur);
    rangemap_copy(&dst->next, &src->next);
}

static int buf_write(void *data, const char *buf, size_t len)
{
    rdb_buf_append((rdb_buf_t *)data, buf, len);
    return 0;
}

static void pack_map(msgpack_packer *p, const clu_rangemap_t *m)
{
    if (!m) {
        msgpack_pack_nil(p);
        return;
    }
    rdb_buf_t b = RDB_BUF_INIT;
    clu_rangemap_encode(m, &b);
    msgpack_pack_bin(p, b.len);
    msgpack_pack_bin_body(p, b.data, b.len);
    rdb_buf_free(&b);
}

void clu_pmap_rec_encode(const clu_rangemap_t *cur, const clu_rangemap_t *next, rdb_buf_t *out)
{
    msgpack_packer p;
    msgpack_packer_init(&p, out, buf_write);
    msgpack_pack_array(&p, 2);
    pack_map(&p, cur);
    pack_map(&p, next);
}

static rdb_status_t unpack_map(const msgpack_object *o, bool *has, clu_rangemap_t *m,
                               rdb_err_t *err)
{
    *has = false;
    if (o->type == MSGPACK_OBJECT_NIL)
        return RDB_OK;
    if (o->type != MSGPACK_OBJECT_BIN)
        return rdb_err_set(err, RDB_PROTOCOL, RDB_SQLSTATE_PROTOCOL_VIOLATION,
                           "malformed partition map record");
    *has = true;
    return clu_rangemap_decode(m, o->via.bin.ptr, o->via.bin.size, err);
}

rdb_status_t clu_pmap_rec_decode(clu_pmap_rec_t *r, const void *data, size_t len,
                                 rdb_err_t *err)
{
    clu_pmap_rec_init(r);
    msgpack_unpacked up;
    msgpack_unpacked_init(&up);
    size_t off = 0;
    rdb_status_t st;
    if (msgpack_unpack_next(&up, data, len, &off) != MSGPACK_UNPACK_SUCCESS ||
        up.data.type != MSGPACK_OBJECT_ARRAY || up.data.via.array.size != 2) {
        st = rdb_err_set(err, RDB_PROTOCOL, RDB_SQLSTATE_PROTOCOL_VIOLATION,
                         "malformed partition map record (%zu bytes)", len);
    } else {
        const msgpack_object *a = up.data.via.array.ptr;
        st = unpack_map(&a[0], &r->has_cur, &r->cur, err);
        if (st == RDB_OK)
            st = unpack_map(&a[1], &r->moving, &r->next, err);
    }
    msgpack_unpacked_destroy(&up);
    if (st != RDB_OK)
        clu_pmap_rec_free(r);
    return st;
}

void clu_pmap_key(const void *space, size_t slen, rdb_buf_t *out)
{
    rdb_buf_append(out, CLU_PMAP_KEY, CLU_PMAP_KEY_LEN);
    rdb_buf_append(out, space, slen);
}

bool clu_pmap_is_key(const void *key, size_t klen)
{
    return klen > CLU_PMAP_KEY_LEN && memcmp(key, CLU_PMAP_KEY, CLU_PMAP_KEY_LEN) == 0;
}

uint64_t clu_pmap_part_token(const void *space, size_t slen, const clu_rangemap_t *m,
                             size_t part)
{
    assert(slen <= CLU_PMAP_MAX_SPACE && part <= m->n);
    const clu_split_t *start = part ? &m->s[part - 1] : NULL;
    size_t len = slen + (start ? start->len : 0);
    char stackbuf[256];
    char *b = len <= sizeof stackbuf ? stackbuf : rdb_malloc(len);
    memcpy(b, space, slen);
    if (start)
        memcpy(b + slen, start->key, start->len);
    uint64_t t = clu_token(b, len);
    if (b != stackbuf)
        free(b);
    return t;
}

clu_pmap_t *clu_pmap_new(void)
{
    clu_pmap_t *pm = rdb_calloc(1, sizeof *pm);
    pthread_rwlock_init(&pm->mu, NULL);
    return pm;
}

void clu_pmap_free(clu_pmap_t *pm)
{
    if (!pm)
        return;
    for (size_t i = 0; i < pm->n; i++)
        clu_pmap_rec_free(&pm->e[i].rec);
    free(pm->e);
    pthread_rwlock_destroy(&pm->mu);
    free(pm);
}

/* The entry of exactly this space (lock held). */
static pm_entry_t *find_space(clu_pmap_t *pm, const void *space, size_t slen)
{
    for (size_t i = 0; i < pm->n; i++)
        if (pm->e[i].slen == slen && memcmp(pm->e[i].space, space, slen) == 0)
            return &pm->e[i];
    return NULL;
}

bool clu_pmap_apply(clu_pmap_t *pm, const void *key, size_t klen, const void *val, size_t vlen,
                    lsm_version_t v)
{
    if (!clu_pmap_is_key(key, klen) || !val)
        return false;
    const char *space = (const char *)key + CLU_PMAP_KEY_LEN;
    size_t slen = klen - CLU_PMAP_KEY_LEN;
    if (slen > CLU_PMAP_MAX_SPACE)
        return false;
    clu_pmap_rec_t rec;
    rdb_err_t err = RDB_ERR_INIT;
    if (clu_pmap_rec_decode(&rec, val, vlen, &err) != RDB_OK) {
        RDB_LOG_WARN("node", "ignoring a partition map record: %s", err.msg);
        rdb_err_clear(&err);
        return false;
    }
    rec.version = v;
    bool changed = false;
    pthread_rwlock_wrlock(&pm->mu);
    pm_entry_t *e = find_space(pm, space, slen);
    if (!e) {
        pm->e = rdb_realloc(pm->e, (pm->n + 1) * sizeof *pm->e);
        e = &pm->e[pm->n++];
        memset(e, 0, sizeof *e);
        memcpy(e->space, space, slen);
        e->slen = slen;
        e->rec = rec;
        changed = true;
        atomic_store(&pm->count, pm->n);
    } else if (lsm_version_cmp(v, e->rec.version) > 0) {
        clu_pmap_rec_free(&e->rec);
        e->rec = rec;
        changed = true;
    }
    pthread_rwlock_unlock(&pm->mu);
    if (!changed)
        clu_pmap_rec_free(&rec);
    return changed;
}

bool clu_pmap_place(clu_pmap_t *pm, const void *key, size_t klen, clu_place_t *out)
{
    if (atomic_load(&pm->count) == 0)
        return false;
    bool found = false;
    pthread_rwlock_rdlock(&pm->mu);
    for (size_t i = 0; i < pm->n && !found; i++) {
        const pm_entry_t *e = &pm->e[i];
        if (klen < e->slen || memcmp(key, e->space, e->slen) != 0)
            continue;
        found = true;
        const char *rest = (const char *)key + e->slen;
        size_t rlen = klen - e->slen;
        memset(out, 0, sizeof *out);
        out->has_cur = e->rec.has_cur;
        if (out->has_cur) {
            out->cur_part = clu_rangemap_find(&e->rec.cur, rest, rlen);
            out->cur_token = clu_pmap_part_token(e->space, e->slen, &e->rec.cur, out->cur_part);
        }
        out->moving = e->rec.moving;
        if (out->moving) {
            out->next_part = clu_rangemap_find(&e->rec.next, rest, rlen);
            out->next_token = clu_pmap_part_token(e->space, e->slen, &e->rec.next, out->next_part);
        }
    }
    pthread_rwlock_unlock(&pm->mu);
    return found;
}

/* True if key is the first key after every key starting with prefix. */
static bool is_prefix_end(const char *prefix, size_t plen, const char *key, size_t klen)
{
    while (plen && (unsigned char)prefix[plen - 1] == 0xff)
        plen--;
    if (!plen || klen != plen || memcmp(prefix, key, plen - 1) != 0)
        return false;
    return (unsigned char)key[plen - 1] == (unsigned char)prefix[plen - 1] + 1;
}

size_t clu_pmap_range_tokens(clu_pmap_t *pm, const void *lo, size_t lolen, const void *hi,
                             size_t hilen, uint64_t **tokens)
{
    *tokens = NULL;
    if (!hi || atomic_load(&pm->count) == 0)
        return 0;
    size_t n = 0;
    pthread_rwlock_rdlock(&pm->mu);
    for (size_t i = 0; i < pm->n; i++) {
        const pm_entry_t *e = &pm->e[i];
        if (lolen < e->slen || memcmp(lo, e->space, e->slen) != 0)
            continue;
        if (!e->rec.has_cur || e->rec.moving)
            break;
        const clu_rangemap_t *m = &e->rec.cur;
        size_t first = clu_rangemap_find(m, (const char *)lo + e->slen, lolen - e->slen), last;
        if (hilen >= e->slen && memcmp(hi, e->space, e->slen) == 0) {
            const char *hr = (const char *)hi + e->slen;
            size_t hrl = hilen - e->slen;
            last = clu_rangemap_find(m, hr, hrl);
            /* hi is exclusive: a partition starting at hi is not read */
            if (last && clu_key_cmp(m->s[last - 1].key, m->s[last - 1].len, hr, hrl) == 0)
                last--;
        } else if (is_prefix_end(e->space, e->slen, hi, hilen)) {
            last = m->n;
        } else {
            break;
        }
        if (last < first)
            last = first;
        n = last - first + 1;
        *tokens = rdb_malloc(n * sizeof **tokens);
        for (size_t p = first; p <= last; p++)
            (*tokens)[p - first] = clu_pmap_part_token(e->space, e->slen, m, p);
        break;
    }
    pthread_rwlock_unlock(&pm->mu);
    return n;
}

bool clu_pmap_get(clu_pmap_t *pm, const void *space, size_t slen, clu_pmap_rec_t *out)
{
    pthread_rwlock_rdlock(&pm->mu);
    pm_entry_t *e = find_space(pm, space, slen);
    if (e)
        clu_pmap_rec_copy(out, &e->rec);
    pthread_rwlock_unlock(&pm->mu);
    return e != NULL;
}

size_t clu_pmap_count(clu_pmap_t *pm) { return atomic_load(&pm->count); }

void clu_pmap_each(clu_pmap_t *pm, clu_pmap_each_fn fn, void *ctx)
{
    pthread_rwlock_rdlock(&pm->mu);
    for (size_t i = 0; i < pm->n; i++)
        fn(ctx, pm->e[i].space, pm->e[i].slen, &pm->e[i].rec);
    pthread_rwlock_unlock(&pm->mu);
}
