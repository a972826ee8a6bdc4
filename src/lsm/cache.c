/*
 * cache.c — see cache.h.
 *
 * Each shard is an open-addressed hash table (linear probing, at most one
 * entry per two slots) whose slots hold the key's hash, the entry's address
 * and its CLOCK bit, and a CLOCK queue of (hash, address) pairs in the
 * order the entries came in.  A lookup compares hashes in the slots and
 * touches only the entry it finds (the block follows the entry's header in
 * one allocation); a hit sets the bit in the slot.  Eviction takes the
 * queue's head: an entry referenced since it was last there gets its bit
 * cleared and goes to the tail, the first one not referenced goes.  New
 * entries join at the tail, unreferenced.  The sweep reads the queue and
 * the slots, which are dense, and touches only the entry it evicts: in a
 * cache larger than the CPU's each entry touched is a memory miss, and an
 * LRU list or a linked ring would touch several per hit or per eviction.
 * A removal shifts the probe run after it back (no tombstones).  An entry
 * removed other than by the sweep (replaced, or too large) leaves its
 * queue item behind: the sweep drops items whose address is not in the
 * table, and the queue is compacted when such items pile up.
 *
 * Pins are counted in the entry (atomically: lsm_cache_release takes no
 * lock unless it drops the last one); the table holds one of them.
 *
 * Buffers of evicted entries are kept (a few per shard, SPARES) for the
 * next block read into the shard (lsm_cache_buf_get): in a cache smaller
 * than the data every miss evicts a block about the size of the one it
 * reads, and reusing its buffer saves malloc and free their walks over
 * cold chunk headers.
 *
 * Usage counts what the entries hold, not only their blocks: a block's
 * entry header and its buffer's whole capacity (rounded up to BUF_ROUND),
 * and the spare buffers, which go first when room is needed (blocks of
 * 4.1-4.3 KB held 6.8 % more than their lengths in malloc's count).
 */
#include "lsm/cache.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>

#include "common/hash.h"
#include "common/mem.h"

#define SHARDS 16
#define SPARES 4         /* evicted buffers kept per shard */
#define BUF_ROUND 256    /* buffer capacities round up to this */
#define REF_BIT ((uintptr_t)1)

struct lsm_cache_handle {
    uint64_t file, off, hv;
    char *data;
    size_t n;
    size_t cap;        /* inline data: bytes allocated after the handle */
    atomic_int refs;   /* pins, plus one while in the table */
    bool inline_data;  /* data follows the handle in its allocation */
};

/* hp: the entry's address | REF_BIT when hit since its queue item was last
 * at the head; 0 when the slot is empty. */
typedef struct slot {
    uint64_t hv;
    uintptr_t hp;
} slot_t;

typedef struct qitem {
    uint64_t hv;
    lsm_cache_handle_t *h;
} qitem_t;

typedef struct shard {
    pthread_mutex_t mu;
    slot_t *tab;
    size_t nslots, count, capacity;
    size_t usage;       /* entry_bytes of the entries in the table */
    size_t spare_bytes; /* entry_bytes of the spares */
    size_t room;        /* the room at the last eviction (shard_room) */
    qitem_t *q;        /* CLOCK queue: circular, qcap a power of two */
    size_t qhead, qlen, qcap;
    lsm_cache_handle_t *spare[SPARES]; /* headers of free inline buffers */
    int nspare;
} shard_t;

struct lsm_cache {
    shard_t shards[SHARDS];
    size_t capacity;
    _Atomic size_t charged; /* lsm_cache_charge: memory held outside the entries */
};

static uint64_t hkey(uint64_t file, uint64_t off) { return rdb_hash_u64(file * 0x9e3779b97f4a7c15ULL ^ off); }
static shard_t *shard_of(lsm_cache_t *c, uint64_t hv) { return &c->shards[hv >> 60]; }
static lsm_cache_handle_t *slot_handle(const slot_t *sl) { return (lsm_cache_handle_t *)(sl->hp & ~REF_BIT); }

lsm_cache_t *lsm_cache_new(size_t capacity)
{
    lsm_cache_t *c = rdb_calloc(1, sizeof(*c));
    c->capacity = capacity;
    for (int i = 0; i < SHARDS; i++) {
        shard_t *s = &c->shards[i];
        pthread_mutex_init(&s->mu, NULL);
        s->nslots = 256;
        s->tab = rdb_calloc(s->nslots, sizeof(*s->tab));
        s->qcap = 128;
        s->q = rdb_malloc(s->qcap * sizeof(*s->q));
        s->capacity = capacity / SHARDS;
        s->room = s->capacity;
    }
    atomic_init(&c->charged, 0);
    return c;
}

/* What an entry is charged: a buffer from lsm_cache_buf_new (every block
 * a table reads) its header and whole capacity; lsm_cache_insert's data
 * the n its caller gives. */
static size_t entry_bytes(const lsm_cache_handle_t *h)
{
    return h->inline_data ? sizeof(*h) + h->cap : h->n;
}

/* The entry's last reference is gone: free it, or keep its buffer among
 * s's spares (counted with the entries).  Inside evict, which goes on until
 * entries and spares fit, a spare is kept whenever there is a free place
 * for it; elsewhere (the last pin of an entry evicted earlier) only when
 * it fits in the room.  REQUIRES: s->mu held. */
static void dispose(shard_t *s, lsm_cache_handle_t *h, bool fit)
{
    if (!h->inline_data)
        free(h->data);
    else if (s->nspare < SPARES &&
             (!fit || s->usage + s->spare_bytes + entry_bytes(h) <= s->room)) {
        s->spare[s->nspare++] = h;
        s->spare_bytes += entry_bytes(h);
        return;
    }
    free(h);
}

static void unref_locked(shard_t *s, lsm_cache_handle_t *h)
{
    if (atomic_fetch_sub_explicit(&h->refs, 1, memory_order_acq_rel) == 1)
        dispose(s, h, false);
}

void lsm_cache_free(lsm_cache_t *c)
{
    if (!c)
        return;
    for (int i = 0; i < SHARDS; i++) {
        shard_t *s = &c->shards[i];
        for (size_t j = 0; j < s->nslots; j++)
            if (s->tab[j].hp)
                unref_locked(s, slot_handle(&s->tab[j]));
        for (int j = 0; j < s->nspare; j++)
            free(s->spare[j]);
        free(s->tab);
        free(s->q);
        pthread_mutex_destroy(&s->mu);
    }
    free(c);
}

/* The slot holding (file, off), or nslots when absent.  REQUIRES: s->mu. */
static size_t find_slot(const shard_t *s, uint64_t hv, uint64_t file, uint64_t off)
{
    size_t mask = s->nslots - 1;
    for (size_t i = hv & mask;; i = (i + 1) & mask) {
        const slot_t *sl = &s->tab[i];
        if (!sl->hp)
            return s->nslots;
        if (sl->hv == hv) {
            const lsm_cache_handle_t *h = slot_handle(sl);
            if (h->file == file && h->off == off)
                return i;
        }
    }
}

/* Empty slot i and move back the entries of the probe run after it that
 * may live there (backward-shift deletion).  REQUIRES: s->mu. */
static void slot_clear(shard_t *s, size_t i)
{
    size_t mask = s->nslots - 1;
    for (size_t j = i;;) {
        s->tab[i].hp = 0;
        for (;;) {
            j = (j + 1) & mask;
            if (!s->tab[j].hp)
                return;
            size_t home = s->tab[j].hv & mask;
            /* it stays if its home lies cyclically in (i, j] */
            if (i <= j ? (i < home && home <= j) : (i < home || home <= j))
                continue;
            break;
        }
        s->tab[i] = s->tab[j];
        i = j;
    }
}

/* Take the entry in slot i out of the table; its pins keep it alive. */
static void remove_at(shard_t *s, size_t i)
{
    lsm_cache_handle_t *h = slot_handle(&s->tab[i]);
    slot_clear(s, i);
    s->count--;
    s->usage -= entry_bytes(h);
    unref_locked(s, h);
}

lsm_cache_handle_t *lsm_cache_lookup(lsm_cache_t *c, uint64_t file, uint64_t off)
{
    uint64_t hv = hkey(file, off);
    shard_t *s = shard_of(c, hv);
    lsm_cache_handle_t *h = NULL;
    pthread_mutex_lock(&s->mu);
    size_t i = find_slot(s, hv, file, off);
    if (i < s->nslots) {
        slot_t *sl = &s->tab[i];
        h = slot_handle(sl);
        atomic_fetch_add_explicit(&h->refs, 1, memory_order_relaxed);
        if (!(sl->hp & REF_BIT))
            sl->hp |= REF_BIT;
    }
    pthread_mutex_unlock(&s->mu);
    return h;
}

void lsm_cache_prefetch(lsm_cache_t *c, uint64_t file, uint64_t off)
{
    uint64_t hv = hkey(file, off);
    shard_t *s = shard_of(c, hv);
    /* unlocked reads of the table's address: a hint, never dereferenced
     * for data (a stale slot is a wasted prefetch, nothing more) */
    slot_t *tab = __atomic_load_n(&s->tab, __ATOMIC_RELAXED);
    size_t ns = __atomic_load_n(&s->nslots, __ATOMIC_RELAXED);
    __builtin_prefetch(&tab[hv & (ns - 1)]);
}

void lsm_cache_prefetch_entry(lsm_cache_t *c, uint64_t file, uint64_t off)
{
    uint64_t hv = hkey(file, off);
    shard_t *s = shard_of(c, hv);
    lsm_cache_handle_t *h = NULL;
    pthread_mutex_lock(&s->mu);
    size_t mask = s->nslots - 1;
    for (size_t i = hv & mask; s->tab[i].hp; i = (i + 1) & mask)
        if (s->tab[i].hv == hv) {
            h = slot_handle(&s->tab[i]);
            break;
        }
    pthread_mutex_unlock(&s->mu);
    if (h) /* only an address: the entry may go once the lock is released */
        __builtin_prefetch(h);
}

/* Put h (CLOCK bit as given) in its probe run.  REQUIRES: room. */
static void slot_put(slot_t *tab, size_t nslots, uint64_t hv, uintptr_t hp)
{
    size_t mask = nslots - 1, i = hv & mask;
    while (tab[i].hp)
        i = (i + 1) & mask;
    tab[i].hv = hv;
    tab[i].hp = hp;
}

static void grow(shard_t *s)
{
    size_t ns = s->nslots * 2;
    slot_t *t = rdb_calloc(ns, sizeof(*t));
    for (size_t i = 0; i < s->nslots; i++)
        if (s->tab[i].hp)
            slot_put(t, ns, s->tab[i].hv, s->tab[i].hp);
    free(s->tab);
    s->tab = t;
    s->nslots = ns;
}

/* A shard's room for entries: its share of the capacity less its share of
 * what lsm_cache_charge holds. */
static size_t shard_room(lsm_cache_t *c, const shard_t *s)
{
    size_t ch = atomic_load_explicit(&c->charged, memory_order_relaxed) / SHARDS;
    return ch < s->capacity ? s->capacity - ch : 0;
}

/* The slot holding entry h (hash hv), or nslots when it is not in the
 * table; compares addresses only.  REQUIRES: s->mu. */
static size_t find_handle(const shard_t *s, uint64_t hv, const lsm_cache_handle_t *h)
{
    size_t mask = s->nslots - 1;
    for (size_t i = hv & mask; s->tab[i].hp; i = (i + 1) & mask)
        if (slot_handle(&s->tab[i]) == h)
            return i;
    return s->nslots;
}

static void q_push(shard_t *s, uint64_t hv, lsm_cache_handle_t *h);

/* Drop the queue's items for entries no longer in the table (keeping the
 * order of the rest).  REQUIRES: s->mu. */
static void q_compact(shard_t *s)
{
    size_t n = 0, mask = s->qcap - 1;
    for (size_t k = 0; k < s->qlen; k++) {
        qitem_t it = s->q[(s->qhead + k) & mask];
        if (find_handle(s, it.hv, it.h) < s->nslots)
            s->q[(s->qhead + n++) & mask] = it;
    }
    s->qlen = n;
}

static void q_push(shard_t *s, uint64_t hv, lsm_cache_handle_t *h)
{
    if (s->qlen > 2 * s->count + 64)
        q_compact(s);
    if (s->qlen == s->qcap) {
        qitem_t *q = rdb_malloc(2 * s->qcap * sizeof(*q));
        for (size_t k = 0; k < s->qlen; k++)
            q[k] = s->q[(s->qhead + k) & (s->qcap - 1)];
        free(s->q);
        s->q = q;
        s->qhead = 0;
        s->qcap *= 2;
    }
    s->q[(s->qhead + s->qlen++) & (s->qcap - 1)] = (qitem_t){ hv, h };
}

static void free_spares(shard_t *s, size_t room)
{
    while (s->usage + s->spare_bytes > room && s->nspare) {
        lsm_cache_handle_t *h = s->spare[--s->nspare];
        s->spare_bytes -= entry_bytes(h);
        free(h);
    }
}

/* Evict until the entries and the spares fit in room, sparing keep (just
 * inserted; NULL for none) unless it is all that is left; then free spares
 * if that is not enough.  An evicted entry's buffer becomes a spare while
 * there are fewer than SPARES, so the entries get room less the spares.
 * Each item comes back to the head at most once more after its bit is
 * cleared, so this ends. */
static void evict(shard_t *s, size_t room, const lsm_cache_handle_t *keep)
{
    s->room = room;
    while (s->usage + s->spare_bytes > room && s->count && s->qlen) {
        qitem_t it = s->q[s->qhead];
        s->qhead = (s->qhead + 1) & (s->qcap - 1);
        s->qlen--;
        size_t i = find_handle(s, it.hv, it.h);
        if (i == s->nslots)
            continue; /* removed already */
        slot_t *sl = &s->tab[i];
        if (it.h == keep && s->count == 1) {
            q_push(s, it.hv, it.h);
            break;
        }
        if (it.h != keep && !(sl->hp & REF_BIT)) {
            remove_at(s, i);
            continue;
        }
        sl->hp &= ~REF_BIT;
        q_push(s, it.hv, it.h);
    }
    free_spares(s, room);
    /* the next eviction here reads the head's entry: load it meanwhile (a
     * hint only; the address may be stale) */
    if (s->qlen)
        __builtin_prefetch(s->q[s->qhead].h);
}

/* The header in front of a buffer from lsm_cache_buf_new. */
static lsm_cache_handle_t *buf_handle(char *buf)
{
    return (lsm_cache_handle_t *)(void *)(buf - sizeof(lsm_cache_handle_t));
}

char *lsm_cache_buf_new(size_t n)
{
    size_t cap = n ? (n + BUF_ROUND - 1) / BUF_ROUND * BUF_ROUND : 1;
    lsm_cache_handle_t *h = rdb_malloc(sizeof(*h) + cap);
    h->cap = cap;
    return (char *)(h + 1);
}

char *lsm_cache_buf_get(lsm_cache_t *c, uint64_t file, uint64_t off, size_t n)
{
    shard_t *s = shard_of(c, hkey(file, off));
    lsm_cache_handle_t *h = NULL;
    pthread_mutex_lock(&s->mu);
    /* a spare that fits without wasting more than a quarter of itself */
    if (s->nspare) {
        lsm_cache_handle_t *top = s->spare[s->nspare - 1];
        if (top->cap >= n && top->cap - n <= top->cap / 4) {
            h = top;
            s->nspare--;
            s->spare_bytes -= entry_bytes(h);
        }
    }
    pthread_mutex_unlock(&s->mu);
    return h ? (char *)(h + 1) : lsm_cache_buf_new(n);
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
    h->cap = 0;
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
    h->file = file;
    h->off = off;
    h->hv = hv;
    h->data = data;
    h->n = n;
    atomic_init(&h->refs, 2);
    pthread_mutex_lock(&s->mu);
    /* replace an existing entry for the same key */
    size_t i = find_slot(s, hv, file, off);
    if (i < s->nslots)
        remove_at(s, i);
    if (2 * (s->count + 1) > s->nslots)
        grow(s);
    slot_put(s->tab, s->nslots, hv, (uintptr_t)h);
    s->count++;
    q_push(s, hv, h);
    s->usage += entry_bytes(h);
    size_t room = shard_room(c, s);
    evict(s, room, h);
    if (s->usage > room) /* larger than the shard: serve uncached */
        remove_at(s, find_slot(s, hv, file, off));
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
    /* the table's own reference outlives every pin of an entry in it, so
     * only the last pin of an entry already out of the table locks */
    if (atomic_fetch_sub_explicit(&h->refs, 1, memory_order_acq_rel) != 1)
        return;
    shard_t *s = shard_of(c, h->hv);
    pthread_mutex_lock(&s->mu);
    dispose(s, h, true);
    pthread_mutex_unlock(&s->mu);
}

size_t lsm_cache_usage(lsm_cache_t *c)
{
    size_t u = 0;
    for (int i = 0; i < SHARDS; i++) {
        pthread_mutex_lock(&c->shards[i].mu);
        u += c->shards[i].usage + c->shards[i].spare_bytes;
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
