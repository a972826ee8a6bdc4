/*
 * cache.c — see cache.h.
 *
 * Each shard is a chained hash table (at most one entry per two buckets)
 * and a CLOCK ring: a hit only sets the entry's reference bit, so a lookup
 * touches the bucket and the entry and nothing else (an LRU list would
 * rewrite both neighbours on every hit, two more cache misses on a cache
 * larger than the CPU's).  Eviction sweeps the hand round the ring: an entry
 * referenced since the last sweep gets its bit cleared and is passed over,
 * the first one not referenced goes.  New entries enter just behind the
 * hand, the last place it reaches.
 */
#include "lsm/cache.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>

#include "common/hash.h"
#include "common/mem.h"

#define SHARDS 16

struct lsm_cache_handle {
    uint64_t file, off, hv;
    char *data;
    size_t n;
    int refs;          /* pins, plus one while in the table */
    bool in_table;
    bool referenced;   /* CLOCK bit: hit since the hand last passed */
    bool inline_data;  /* data follows the handle in its allocation */
    struct lsm_cache_handle *hnext;         /* hash chain */
    struct lsm_cache_handle *cprev, *cnext; /* CLOCK ring */
};

typedef struct shard {
    pthread_mutex_t mu;
    lsm_cache_handle_t **tab;
    size_t nbuckets, count, usage, capacity;
    lsm_cache_handle_t *hand; /* next entry the sweep looks at; NULL when empty */
} shard_t;

struct lsm_cache {
    shard_t shards[SHARDS];
    size_t capacity;
    _Atomic size_t charged; /* lsm_cache_charge: memory held outside the entries */
};

static uint64_t hkey(uint64_t file, uint64_t off) { return rdb_hash_u64(file * 0x9e3779b97f4a7c15ULL ^ off); }

lsm_cache_t *lsm_cache_new(size_t capacity)
{
    lsm_cache_t *c = rdb_calloc(1, sizeof(*c));
    c->capacity = capacity;
    for (int i = 0; i < SHARDS; i++) {
        shard_t *s = &c->shards[i];
        pthread_mutex_init(&s->mu, NULL);
        s->nbuckets = 256;
        s->tab = rdb_calloc(s->nbuckets, sizeof(*s->tab));
        s->capacity = capacity / SHARDS;
    }
    atomic_init(&c->charged, 0);
    return c;
}

static void unref(lsm_cache_handle_t *h)
{
    if (--h->refs == 0) {
        if (!h->inline_data)
            free(h->data);
        free(h);
    }
}

void lsm_cache_free(lsm_cache_t *c)
{
    if (!c)
        return;
    for (int i = 0; i < SHARDS; i++) {
        shard_t *s = &c->shards[i];
        for (size_t b = 0; b < s->nbuckets; b++)
            for (lsm_cache_handle_t *h = s->tab[b], *n; h; h = n) {
                n = h->hnext;
                unref(h);
            }
        free(s->tab);
        pthread_mutex_destroy(&s->mu);
    }
    free(c);
}

static shard_t *shard_of(lsm_cache_t *c, uint64_t hv) { return &c->shards[hv >> 60]; }

static void ring_unlink(shard_t *s, lsm_cache_handle_t *h)
{
    if (h->cnext == h) {
        s->hand = NULL;
    } else {
        if (s->hand == h)
            s->hand = h->cnext;
        h->cprev->cnext = h->cnext;
        h->cnext->cprev = h->cprev;
    }
}

/* Just behind the hand: the sweep reaches it last. */
static void ring_insert(shard_t *s, lsm_cache_handle_t *h)
{
    if (!s->hand) {
        h->cprev = h->cnext = h;
        s->hand = h;
        return;
    }
    lsm_cache_handle_t *at = s->hand;
    h->cnext = at;
    h->cprev = at->cprev;
    at->cprev->cnext = h;
    at->cprev = h;
}

static void remove_from_table(shard_t *s, lsm_cache_handle_t *h)
{
    lsm_cache_handle_t **pp = &s->tab[h->hv & (s->nbuckets - 1)];
    while (*pp != h)
        pp = &(*pp)->hnext;
    *pp = h->hnext;
    ring_unlink(s, h);
    h->in_table = false;
    s->count--;
    s->usage -= h->n;
    unref(h);
}

lsm_cache_handle_t *lsm_cache_lookup(lsm_cache_t *c, uint64_t file, uint64_t off)
{
    uint64_t hv = hkey(file, off);
    shard_t *s = shard_of(c, hv);
    pthread_mutex_lock(&s->mu);
    lsm_cache_handle_t *h = s->tab[hv & (s->nbuckets - 1)];
    while (h && !(h->hv == hv && h->file == file && h->off == off))
        h = h->hnext;
    if (h) {
        h->refs++;
        if (!h->referenced)
            h->referenced = true;
    }
    pthread_mutex_unlock(&s->mu);
    return h;
}

void lsm_cache_prefetch(lsm_cache_t *c, uint64_t file, uint64_t off)
{
    uint64_t hv = hkey(file, off);
    shard_t *s = shard_of(c, hv);
    /* unlocked reads of the table's address: a hint, never dereferenced
     * for data (a stale bucket is a wasted prefetch, nothing more) */
    lsm_cache_handle_t **tab = __atomic_load_n(&s->tab, __ATOMIC_RELAXED);
    size_t nb = __atomic_load_n(&s->nbuckets, __ATOMIC_RELAXED);
    __builtin_prefetch(&tab[hv & (nb - 1)]);
}

void lsm_cache_prefetch_entry(lsm_cache_t *c, uint64_t file, uint64_t off)
{
    uint64_t hv = hkey(file, off);
    shard_t *s = shard_of(c, hv);
    pthread_mutex_lock(&s->mu);
    lsm_cache_handle_t *h = s->tab[hv & (s->nbuckets - 1)];
    pthread_mutex_unlock(&s->mu);
    if (h) /* only an address: the entry may go once the lock is released */
        __builtin_prefetch(h);
}

static void grow(shard_t *s)
{
    size_t nb = s->nbuckets * 2;
    lsm_cache_handle_t **t = rdb_calloc(nb, sizeof(*t));
    for (size_t b = 0; b < s->nbuckets; b++)
        for (lsm_cache_handle_t *h = s->tab[b], *n; h; h = n) {
            n = h->hnext;
            h->hnext = t[h->hv & (nb - 1)];
            t[h->hv & (nb - 1)] = h;
        }
    free(s->tab);
    s->tab = t;
    s->nbuckets = nb;
}

/* A shard's room for entries: its share of the capacity less its share of
 * what lsm_cache_charge holds. */
static size_t shard_room(lsm_cache_t *c, const shard_t *s)
{
    size_t ch = atomic_load_explicit(&c->charged, memory_order_relaxed) / SHARDS;
    return ch < s->capacity ? s->capacity - ch : 0;
}

/* Evict until usage fits in room, sparing keep (just inserted; NULL for
 * none) unless it is all that is left.  Each entry is passed over at most
 * once per sweep, so this ends after two turns of the ring at most. */
static void evict(shard_t *s, size_t room, lsm_cache_handle_t *keep)
{
    while (s->usage > room && s->hand) {
        lsm_cache_handle_t *h = s->hand;
        if (h == keep && h->cnext == h)
            break;
        if (h != keep && !h->referenced) {
            remove_from_table(s, h); /* moves the hand on */
            continue;
        }
        h->referenced = false;
        s->hand = h->cnext;
    }
}

/* The header in front of a buffer from lsm_cache_buf_new. */
static lsm_cache_handle_t *buf_handle(char *buf)
{
    return (lsm_cache_handle_t *)(void *)(buf - sizeof(lsm_cache_handle_t));
}

char *lsm_cache_buf_new(size_t n)
{
    lsm_cache_handle_t *h = rdb_malloc(sizeof(*h) + (n ? n : 1));
    return (char *)(h + 1);
}

void lsm_cache_buf_free(char *buf)
{
    if (buf)
        free(buf_handle(buf));
}

static lsm_cache_handle_t *insert(lsm_cache_t *c, lsm_cache_handle_t *h, uint64_t file,
                                  uint64_t off, char *data, size_t n);

lsm_cache_handle_t *lsm_cache_insert(lsm_cache_t *c, uint64_t file, uint64_t off, char *data,
                                     size_t n)
{
    lsm_cache_handle_t *h = rdb_malloc(sizeof(*h));
    h->inline_data = false;
    return insert(c, h, file, off, data, n);
}

lsm_cache_handle_t *lsm_cache_insert_buf(lsm_cache_t *c, uint64_t file, uint64_t off, char *buf,
                                         size_t n)
{
    lsm_cache_handle_t *h = buf_handle(buf);
    h->inline_data = true;
    return insert(c, h, file, off, buf, n);
}

static lsm_cache_handle_t *insert(lsm_cache_t *c, lsm_cache_handle_t *h, uint64_t file,
                                  uint64_t off, char *data, size_t n)
{
    uint64_t hv = hkey(file, off);
    shard_t *s = shard_of(c, hv);
    h->referenced = false;
    h->hnext = h->cprev = h->cnext = NULL;
    h->file = file;
    h->off = off;
    h->hv = hv;
    h->data = data;
    h->n = n;
    h->refs = 2;
    h->in_table = true;
    pthread_mutex_lock(&s->mu);
    /* replace an existing entry for the same key */
    lsm_cache_handle_t *o = s->tab[hv & (s->nbuckets - 1)];
    while (o && !(o->hv == hv && o->file == file && o->off == off))
        o = o->hnext;
    if (o)
        remove_from_table(s, o);
    if (2 * (s->count + 1) > s->nbuckets)
        grow(s);
    h->hnext = s->tab[hv & (s->nbuckets - 1)];
    s->tab[hv & (s->nbuckets - 1)] = h;
    ring_insert(s, h);
    s->count++;
    s->usage += n;
    size_t room = shard_room(c, s);
    evict(s, room, h);
    if (s->usage > room)
        remove_from_table(s, h); /* larger than the shard: serve uncached */
    pthread_mutex_unlock(&s->mu);
    return h;
}

const char *lsm_cache_data(const lsm_cache_handle_t *h, size_t *n)
{
    *n = h->n;
    return h->data;
}

void lsm_cache_release(lsm_cache_t *c, lsm_cache_handle_t *h)
{
    shard_t *s = shard_of(c, h->hv);
    pthread_mutex_lock(&s->mu);
    unref(h);
    pthread_mutex_unlock(&s->mu);
}

size_t lsm_cache_usage(lsm_cache_t *c)
{
    size_t u = 0;
    for (int i = 0; i < SHARDS; i++) {
        pthread_mutex_lock(&c->shards[i].mu);
        u += c->shards[i].usage;
        pthread_mutex_unlock(&c->shards[i].mu);
    }
    return u;
}
size_t lsm_cache_capacity(const lsm_cache_t *c) { return c->capacity; }

void lsm_cache_charge(lsm_cache_t *c, size_t n)
{
    atomic_fetch_add(&c->charged, n);
    for (int i = 0; i < SHARDS; i++) { /* make room at once, not at the next insert */
        shard_t *s = &c->shards[i];
        pthread_mutex_lock(&s->mu);
        evict(s, shard_room(c, s), NULL);
        pthread_mutex_unlock(&s->mu);
    }
}

void lsm_cache_uncharge(lsm_cache_t *c, size_t n) { atomic_fetch_sub(&c->charged, n); }
size_t lsm_cache_charged(lsm_cache_t *c) { return atomic_load(&c->charged); }
