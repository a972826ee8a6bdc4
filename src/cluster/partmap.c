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

#define PL_SAMPLE     64     /* keys sampled per partition            */
#define PL_SAMPLE_MAX 256    /* longest key suffix sampled            */
#define PL_DECAY      0.3    /* weight of the last tick in the rates  */
#define PL_PEERS      16     /* other members' reports kept per partition */
#define PL_REPORT_MS  3000   /* a report older than this no longer counts */

/* Another member's write rate of a partition, from its gossip. */
typedef struct peer_load {
    uint16_t id;             /* 0: free slot */
    double   rate;
    uint64_t ms;             /* when it arrived (the caller's clock) */
    char    *key;            /* its proposed split key (median), or NULL */
    size_t   klen;
} peer_load_t;

/* One partition's load: counters bumped under the read lock (atomics),
 * rates and ticks under the write lock, the key sample under smu. */
typedef struct part_load {
    atomic_uint_fast64_t reads, writes, bytes;
    uint64_t             last_r, last_w, last_b;
    clu_pload_t          pub;
    char                *sample[PL_SAMPLE];
    size_t               samplen[PL_SAMPLE];
    unsigned             nsample, spos;
    peer_load_t          peers[PL_PEERS];   /* under smu */
} part_load_t;

typedef struct pm_entry {
    char           space[CLU_PMAP_MAX_SPACE];
    size_t         slen;
    clu_pmap_rec_t rec;
    part_load_t   *load;      /* rec.cur.n + 1 when rec.has_cur, else NULL */
    uint64_t       changed_ms;  /* tick time of the last change (0: before any tick) */
} pm_entry_t;

struct clu_pmap {
    pthread_rwlock_t mu;
    pthread_mutex_t  smu;     /* the key samples */
    pm_entry_t      *e;
    size_t           n;
    atomic_size_t    count;   /* n, read without the lock */
    uint64_t         now_ms;  /* the last tick's time */
    /* Range spaces without a map (clu_pmap_set_space_fn): one entry each,
     * rec "none" (version 0, no cur), load[1] for the whole space.  They
     * only count load and propose a first split; placement ignores them. */
    pm_entry_t      *imp;
    size_t           nimp;
    clu_space_fn     space_fn;    /* under mu */
    void            *space_ctx;
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
    pthread_mutex_init(&pm->smu, NULL);
    return pm;
}

static void load_free(part_load_t *l, size_t n)
{
    for (size_t i = 0; l && i < n; i++) {
        for (unsigned k = 0; k < l[i].nsample; k++)
            free(l[i].sample[k]);
        for (unsigned k = 0; k < PL_PEERS; k++)
            free(l[i].peers[k].key);
    }
    free(l);
}

static size_t nparts(const clu_pmap_rec_t *r) { return r->has_cur ? r->cur.n + 1 : 0; }

/* Partitions with load counters: the map's, or the one of a space without
 * a map (pm->imp). */
static size_t eparts(const pm_entry_t *e) { return e->rec.has_cur ? e->rec.cur.n + 1 : e->load ? 1 : 0; }

/* Entry i of the mapped spaces, then of those without a map (lock held). */
static pm_entry_t *entry_at(clu_pmap_t *pm, size_t i)
{
    return i < pm->n ? &pm->e[i] : &pm->imp[i - pm->n];
}

static pm_entry_t *find_in(pm_entry_t *e, size_t n, const void *space, size_t slen)
{
    for (size_t i = 0; i < n; i++)
        if (e[i].slen == slen && memcmp(e[i].space, space, slen) == 0)
            return &e[i];
    return NULL;
}

static bool same_bound(const clu_split_t *a, const clu_split_t *b)
{
    if (!a || !b)
        return a == b;
    return clu_key_cmp(a->key, a->len, b->key, b->len) == 0;
}

/* Loads for nrec's partitions: those whose bounds did not change keep
 * theirs (moved out of old), the others start at 0. */
static part_load_t *load_carry(part_load_t *old, const clu_pmap_rec_t *orec,
                               const clu_pmap_rec_t *nrec)
{
    size_t nn = nparts(nrec), no = old ? nparts(orec) : 0;
    if (!nn)
        return NULL;
    part_load_t *l = rdb_calloc(nn, sizeof *l);
    for (size_t i = 0; i < nn; i++) {
        const clu_rangemap_t *m = &nrec->cur;
        const clu_split_t *lo = i ? &m->s[i - 1] : NULL, *hi = i < m->n ? &m->s[i] : NULL;
        for (size_t j = 0; j < no; j++) {
            const clu_rangemap_t *om = &orec->cur;
            if (same_bound(lo, j ? &om->s[j - 1] : NULL) &&
                same_bound(hi, j < om->n ? &om->s[j] : NULL)) {
                memcpy(&l[i], &old[j], sizeof l[i]);
                memset(&old[j], 0, sizeof old[j]);   /* samples moved */
                break;
            }
        }
    }
    return l;
}

void clu_pmap_free(clu_pmap_t *pm)
{
    if (!pm)
        return;
    for (size_t i = 0; i < pm->n + pm->nimp; i++) {
        pm_entry_t *e = entry_at(pm, i);
        load_free(e->load, eparts(e));
        clu_pmap_rec_free(&e->rec);
    }
    free(pm->e);
    free(pm->imp);
    pthread_rwlock_destroy(&pm->mu);
    pthread_mutex_destroy(&pm->smu);
    free(pm);
}

/* The entry of exactly this space (lock held). */
static pm_entry_t *find_space(clu_pmap_t *pm, const void *space, size_t slen)
{
    return find_in(pm->e, pm->n, space, slen);
}

/* A space without a map, created if absent (write lock held). */
static pm_entry_t *imp_get(clu_pmap_t *pm, const void *space, size_t slen)
{
    pm_entry_t *e = find_in(pm->imp, pm->nimp, space, slen);
    if (e || slen == 0 || slen > CLU_PMAP_MAX_SPACE)
        return e;
    pm->imp = rdb_realloc(pm->imp, (pm->nimp + 1) * sizeof *pm->imp);
    e = &pm->imp[pm->nimp++];
    memset(e, 0, sizeof *e);
    memcpy(e->space, space, slen);
    e->slen = slen;
    clu_pmap_rec_init(&e->rec);
    e->load = rdb_calloc(1, sizeof *e->load);
    return e;
}

/* The space got a map: its entry without one goes (write lock held). */
static void imp_drop(clu_pmap_t *pm, const void *space, size_t slen)
{
    pm_entry_t *e = find_in(pm->imp, pm->nimp, space, slen);
    if (!e)
        return;
    load_free(e->load, 1);
    clu_pmap_rec_free(&e->rec);
    size_t i = (size_t)(e - pm->imp);
    memmove(e, e + 1, (pm->nimp - i - 1) * sizeof *e);
    pm->nimp--;
}

void clu_pmap_set_space_fn(clu_pmap_t *pm, clu_space_fn fn, void *ctx)
{
    pthread_rwlock_wrlock(&pm->mu);
    pm->space_fn = fn;
    pm->space_ctx = ctx;
    pthread_rwlock_unlock(&pm->mu);
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
        e->load = load_carry(NULL, NULL, &e->rec);
        e->changed_ms = pm->now_ms;
        changed = true;
        atomic_store(&pm->count, pm->n);
        imp_drop(pm, space, slen);
    } else if (lsm_version_cmp(v, e->rec.version) > 0) {
        part_load_t *l = load_carry(e->load, &e->rec, &rec);
        load_free(e->load, nparts(&e->rec));
        e->load = l;
        clu_pmap_rec_free(&e->rec);
        e->rec = rec;
        e->changed_ms = pm->now_ms;
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
    {
        pm_entry_t *e = &pm->e[i];
        size_t np = nparts(&e->rec);
        clu_pload_t *l = np ? rdb_calloc(np, sizeof *l) : NULL;
        for (size_t p = 0; p < np; p++) {
            l[p] = e->load[p].pub;
            l[p].reads = atomic_load(&e->load[p].reads);
            l[p].writes = atomic_load(&e->load[p].writes);
            l[p].bytes = atomic_load(&e->load[p].bytes);
        }
        fn(ctx, e->space, e->slen, &e->rec, l);
        free(l);
    }
    pthread_rwlock_unlock(&pm->mu);
}

/* ---- load ------------------------------------------------------------------ */

void clu_pmap_note(clu_pmap_t *pm, const void *key, size_t klen, bool write, size_t bytes)
{
    if (atomic_load(&pm->count) == 0 && !pm->space_fn)
        return;
    pthread_rwlock_rdlock(&pm->mu);
    size_t nall = pm->n + pm->nimp;
    bool known = false;
    for (size_t i = 0; i < nall; i++) {
        pm_entry_t *e = entry_at(pm, i);
        if (klen < e->slen || memcmp(key, e->space, e->slen) != 0)
            continue;
        known = true;
        if (!e->load)
            break;
        const char *rest = (const char *)key + e->slen;
        size_t rlen = klen - e->slen;
        part_load_t *l = &e->load[clu_rangemap_find(&e->rec.cur, rest, rlen)];
        if (!write) {
            atomic_fetch_add(&l->reads, 1);
            break;
        }
        uint64_t w = atomic_fetch_add(&l->writes, 1);
        atomic_fetch_add(&l->bytes, bytes);
        if (rlen <= PL_SAMPLE_MAX && w % 4 == 0) {  /* every 4th write's key */
            pthread_mutex_lock(&pm->smu);
            unsigned at = l->spos++ % PL_SAMPLE;
            if (at >= l->nsample)
                l->nsample = at + 1;
            free(l->sample[at]);
            l->sample[at] = rdb_memdup(rest, rlen ? rlen : 1);
            l->samplen[at] = rlen;
            pthread_mutex_unlock(&pm->smu);
        }
        break;
    }
    size_t slen = !known && write && pm->space_fn ? pm->space_fn(pm->space_ctx, key, klen) : 0;
    pthread_rwlock_unlock(&pm->mu);
    if (slen && slen <= klen) {
        /* First write seen of a range space without a map: from the next
         * one on, it is counted as the space's single partition. */
        pthread_rwlock_wrlock(&pm->mu);
        if (!find_space(pm, key, slen))
            imp_get(pm, key, slen);
        pthread_rwlock_unlock(&pm->mu);
    }
}

typedef struct skey {
    const char *k;
    size_t      len;
} skey_t;

static int skey_cmp(const void *a, const void *b)
{
    const skey_t *x = a, *y = b;
    return clu_key_cmp(x->k, x->len, y->k, y->len);
}

/* The median sampled key of partition p, strictly inside its bounds (the
 * next larger sample if the median is its start); false if none. */
static bool median_split(const pm_entry_t *e, size_t p, rdb_buf_t *out)
{
    const part_load_t *l = &e->load[p];
    const clu_rangemap_t *m = &e->rec.cur;
    if (l->nsample < PL_SAMPLE / 4)
        return false;
    skey_t *k = rdb_calloc(l->nsample, sizeof *k);
    for (unsigned i = 0; i < l->nsample; i++)
        k[i] = (skey_t){ l->sample[i], l->samplen[i] };
    qsort(k, l->nsample, sizeof *k, skey_cmp);
    bool ok = false;
    for (unsigned i = l->nsample / 2; i < l->nsample && !ok; i++) {
        bool above = !p || clu_key_cmp(k[i].k, k[i].len, m->s[p - 1].key, m->s[p - 1].len) > 0;
        bool below = p == m->n || clu_key_cmp(k[i].k, k[i].len, m->s[p].key, m->s[p].len) < 0;
        if (above && below && (i == 0 || skey_cmp(&k[i], &k[0]) > 0)) {
            rdb_buf_reset(out);
            rdb_buf_append(out, k[i].k, k[i].len);
            ok = true;
        }
    }
    free(k);
    return ok;
}

/* The other members' rate of partition l (reports younger than
 * PL_REPORT_MS at now_ms); *key the split key of the busiest of them. */
static double peers_rate(const part_load_t *l, uint64_t now_ms, const peer_load_t **key)
{
    double sum = 0, best = -1;
    *key = NULL;
    for (unsigned k = 0; k < PL_PEERS; k++) {
        const peer_load_t *p = &l->peers[k];
        if (!p->id || now_ms - p->ms > PL_REPORT_MS)
            continue;
        sum += p->rate;
        if (p->key && p->rate > best) {
            best = p->rate;
            *key = p;
        }
    }
    return sum;
}

/* A split key of partition p strictly inside it. */
static bool inside(const pm_entry_t *e, size_t p, const char *k, size_t len)
{
    const clu_rangemap_t *m = &e->rec.cur;
    return (!p ? len > 0 : clu_key_cmp(k, len, m->s[p - 1].key, m->s[p - 1].len) > 0) &&
           (p == m->n || clu_key_cmp(k, len, m->s[p].key, m->s[p].len) < 0);
}

bool clu_pmap_tick(clu_pmap_t *pm, double dt, uint64_t now_ms, double split_rate,
                   uint32_t min_ticks, uint64_t cooldown_ms, clu_hot_t *hot)
{
    bool found = false;
    if (dt <= 0)
        dt = 1;
    pthread_rwlock_wrlock(&pm->mu);
    pm->now_ms = now_ms;
    pthread_mutex_lock(&pm->smu);
    for (size_t i = 0; i < pm->n + pm->nimp; i++) {
        pm_entry_t *e = entry_at(pm, i);
        if (!e->changed_ms)
            e->changed_ms = now_ms;
        /* A space without a map never changed: no cooldown. */
        bool nomap = !e->rec.has_cur && e->load;
        bool cool = !e->rec.moving && (nomap || now_ms - e->changed_ms >= cooldown_ms);
        for (size_t p = 0; p < eparts(e); p++) {
            part_load_t *l = &e->load[p];
            uint64_t r = atomic_load(&l->reads), w = atomic_load(&l->writes),
                     b = atomic_load(&l->bytes);
            l->pub.read_rate += PL_DECAY * ((double)(r - l->last_r) / dt - l->pub.read_rate);
            l->pub.write_rate += PL_DECAY * ((double)(w - l->last_w) / dt - l->pub.write_rate);
            l->pub.byte_rate += PL_DECAY * ((double)(b - l->last_b) / dt - l->pub.byte_rate);
            l->last_r = r;
            l->last_w = w;
            l->last_b = b;
            const peer_load_t *pk;
            l->pub.cluster_write_rate = l->pub.write_rate + peers_rate(l, now_ms, &pk);
            double rate = l->pub.cluster_write_rate;
            if (split_rate > 0 && rate >= split_rate)
                l->pub.hot_ticks++;
            else
                l->pub.hot_ticks = 0;
            if (split_rate > 0 && cool && l->pub.hot_ticks >= min_ticks &&
                (!found || rate > hot->write_rate)) {
                bool ok = median_split(e, p, &hot->split);
                if (!ok && pk && inside(e, p, pk->key, pk->klen)) {
                    rdb_buf_reset(&hot->split);
                    rdb_buf_append(&hot->split, pk->key, pk->klen);
                    ok = true;
                }
                if (ok) {
                    memcpy(hot->space, e->space, e->slen);
                    hot->slen = e->slen;
                    hot->write_rate = rate;
                    found = true;
                }
            }
        }
    }
    pthread_mutex_unlock(&pm->smu);
    pthread_rwlock_unlock(&pm->mu);
    return found;
}

/* ---- load reports between members --------------------------------------------- */

void clu_pmap_pack_report(clu_pmap_t *pm, double min_rate, msgpack_packer *pk)
{
    pthread_rwlock_rdlock(&pm->mu);
    pthread_mutex_lock(&pm->smu);
    uint32_t cnt = 0;
    for (size_t i = 0; i < pm->n + pm->nimp; i++)
        for (size_t p = 0; p < eparts(entry_at(pm, i)); p++)
            cnt += entry_at(pm, i)->load[p].pub.write_rate >= min_rate;
    msgpack_pack_array(pk, cnt);
    rdb_buf_t key = RDB_BUF_INIT;
    for (size_t i = 0; i < pm->n + pm->nimp; i++) {
        const pm_entry_t *e = entry_at(pm, i);
        for (size_t p = 0; p < eparts(e); p++) {
            const part_load_t *l = &e->load[p];
            if (l->pub.write_rate < min_rate)
                continue;
            msgpack_pack_array(pk, 6);
            msgpack_pack_bin(pk, e->slen);
            msgpack_pack_bin_body(pk, e->space, e->slen);
            msgpack_pack_uint64(pk, e->rec.version.hlc);
            msgpack_pack_uint16(pk, e->rec.version.node_id);
            msgpack_pack_uint64(pk, p);
            msgpack_pack_double(pk, l->pub.write_rate);
            if (median_split(e, p, &key)) {
                msgpack_pack_bin(pk, key.len);
                msgpack_pack_bin_body(pk, key.data, key.len);
            } else {
                msgpack_pack_nil(pk);
            }
        }
    }
    rdb_buf_free(&key);
    pthread_mutex_unlock(&pm->smu);
    pthread_rwlock_unlock(&pm->mu);
}

static bool obj_u64(const msgpack_object *o, uint64_t *v)
{
    if (o->type != MSGPACK_OBJECT_POSITIVE_INTEGER)
        return false;
    *v = o->via.u64;
    return true;
}

void clu_pmap_peer_report(clu_pmap_t *pm, uint16_t peer, uint64_t now_ms,
                          const msgpack_object *rep)
{
    if (!peer || rep->type != MSGPACK_OBJECT_ARRAY)
        return;
    pthread_rwlock_wrlock(&pm->mu);   /* may add a space without a map */
    pthread_mutex_lock(&pm->smu);
    for (uint32_t i = 0; i < rep->via.array.size; i++) {
        const msgpack_object *x = &rep->via.array.ptr[i];
        uint64_t hlc, node, part;
        if (x->type != MSGPACK_OBJECT_ARRAY || x->via.array.size != 6)
            continue;
        const msgpack_object *f = x->via.array.ptr;
        if (f[0].type != MSGPACK_OBJECT_BIN || !obj_u64(&f[1], &hlc) || !obj_u64(&f[2], &node) ||
            !obj_u64(&f[3], &part) || (f[4].type != MSGPACK_OBJECT_FLOAT64 &&
                                       f[4].type != MSGPACK_OBJECT_FLOAT32))
            continue;
        pm_entry_t *e = find_space(pm, f[0].via.bin.ptr, f[0].via.bin.size);
        if (!e && hlc == 0 && node == 0)   /* the reporter's space without a map */
            e = imp_get(pm, f[0].via.bin.ptr, f[0].via.bin.size);
        if (!e || e->rec.version.hlc != hlc || e->rec.version.node_id != node ||
            part >= eparts(e))
            continue;   /* another map version than ours: not comparable */
        part_load_t *l = &e->load[part];
        peer_load_t *slot = NULL;
        for (unsigned k = 0; k < PL_PEERS && !slot; k++)
            if (l->peers[k].id == peer)
                slot = &l->peers[k];
        for (unsigned k = 0; k < PL_PEERS && !slot; k++)
            if (!l->peers[k].id || now_ms - l->peers[k].ms > PL_REPORT_MS)
                slot = &l->peers[k];
        if (!slot)
            continue;
        free(slot->key);
        slot->id = peer;
        slot->rate = f[4].via.f64;
        slot->ms = now_ms;
        slot->key = NULL;
        slot->klen = 0;
        if (f[5].type == MSGPACK_OBJECT_BIN && f[5].via.bin.size <= PL_SAMPLE_MAX) {
            slot->key = rdb_memdup(f[5].via.bin.ptr, f[5].via.bin.size + 1);
            slot->klen = f[5].via.bin.size;
        }
    }
    pthread_mutex_unlock(&pm->smu);
    pthread_rwlock_unlock(&pm->mu);
}
