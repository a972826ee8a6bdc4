/*
 * table_cache.c — see table_cache.h.
 *
 * A chained hash table of entries by file number and an LRU list, newest
 * at the head, under one mutex.  Each entry holds one reference to its
 * table; lsm_tcache_get hands out another.  Invariant after every insert:
 * count <= max_open, and the tables' charges (lsm_table_charge) sum to at
 * most the byte budget unless only the newest table is left.
 */
#include "lsm/table_cache.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/hash.h"
#include "common/mem.h"

typedef struct entry {
    uint64_t number;
    lsm_table_t *table;
    struct entry *hnext;
    struct entry *lprev, *lnext;
} entry_t;

struct lsm_tcache {
    pthread_mutex_t mu;
    char *dir;
    int max_open;
    lsm_cache_t *blocks;
    uint64_t *hits, *misses;
    entry_t **tab;
    size_t nbuckets;
    int count;
    size_t bytes, budget; /* charges of the tables held; their bound (0: none) */
    uint64_t opens;
    entry_t lru; /* sentinel */
};

lsm_tcache_t *lsm_tcache_new(const char *dir, int max_open, lsm_cache_t *blocks,
                             uint64_t *block_hits, uint64_t *block_misses)
{
    lsm_tcache_t *tc = rdb_calloc(1, sizeof(*tc));
    pthread_mutex_init(&tc->mu, NULL);
    tc->dir = rdb_strdup(dir);
    tc->max_open = max_open > 0 ? max_open : 1;
    tc->blocks = blocks;
    tc->budget = blocks ? lsm_cache_capacity(blocks) / LSM_TCACHE_BUDGET_DIV : 0;
    tc->hits = block_hits;
    tc->misses = block_misses;
    tc->nbuckets = 64;
    while (tc->nbuckets < (size_t)tc->max_open && tc->nbuckets < (1u << 20))
        tc->nbuckets *= 2;
    tc->tab = rdb_calloc(tc->nbuckets, sizeof(*tc->tab));
    tc->lru.lnext = tc->lru.lprev = &tc->lru;
    return tc;
}

static entry_t **slot(lsm_tcache_t *tc, uint64_t number)
{
    entry_t **pp = &tc->tab[rdb_hash_u64(number) & (tc->nbuckets - 1)];
    while (*pp && (*pp)->number != number)
        pp = &(*pp)->hnext;
    return pp;
}

static void lru_unlink(entry_t *e)
{
    e->lprev->lnext = e->lnext;
    e->lnext->lprev = e->lprev;
}

static void lru_push(lsm_tcache_t *tc, entry_t *e)
{
    e->lnext = tc->lru.lnext;
    e->lprev = &tc->lru;
    tc->lru.lnext->lprev = e;
    tc->lru.lnext = e;
}

/* Unlink e from both structures; returns its table reference to drop
 * (outside the lock: closing a file is a system call). */
static lsm_table_t *remove_entry(lsm_tcache_t *tc, entry_t *e)
{
    entry_t **pp = slot(tc, e->number);
    *pp = e->hnext;
    lru_unlink(e);
    tc->count--;
    lsm_table_t *t = e->table;
    tc->bytes -= lsm_table_charge(t);
    free(e);
    return t;
}

void lsm_tcache_free(lsm_tcache_t *tc)
{
    if (!tc)
        return;
    while (tc->lru.lnext != &tc->lru)
        lsm_table_unref(remove_entry(tc, tc->lru.lnext));
    free(tc->tab);
    free(tc->dir);
    pthread_mutex_destroy(&tc->mu);
    free(tc);
}

rdb_status_t lsm_tcache_get(lsm_tcache_t *tc, uint64_t number, lsm_table_t **out,
                            rdb_err_t *err)
{
    pthread_mutex_lock(&tc->mu);
    entry_t *e = *slot(tc, number);
    if (e) {
        if (tc->lru.lnext != e) {
            lru_unlink(e);
            lru_push(tc, e);
        }
        lsm_table_ref(e->table);
        *out = e->table;
        pthread_mutex_unlock(&tc->mu);
        return RDB_OK;
    }
    pthread_mutex_unlock(&tc->mu);

    size_t pn = strlen(tc->dir) + 32;
    char *path = rdb_malloc(pn);
    snprintf(path, pn, "%s/%06" PRIu64 ".sst", tc->dir, number);
    lsm_table_t *t;
    rdb_status_t s = lsm_table_open(path, number, tc->blocks, &t, err);
    free(path);
    if (s != RDB_OK)
        return s;
    lsm_table_set_counters(t, tc->hits, tc->misses);

    lsm_table_t *drop[2] = { NULL, NULL }, **more = NULL;
    size_t nmore = 0;
    pthread_mutex_lock(&tc->mu);
    tc->opens++;
    entry_t **pp = slot(tc, number);
    if (*pp) {
        /* another thread opened it meanwhile: use theirs */
        drop[0] = t;
        t = (*pp)->table;
    } else {
        e = rdb_calloc(1, sizeof(*e));
        e->number = number;
        e->table = t;
        *pp = e;
        lru_push(tc, e);
        tc->count++;
        tc->bytes += lsm_table_charge(t);
        if (tc->count > tc->max_open)
            drop[1] = remove_entry(tc, tc->lru.lprev);
        /* over the byte budget: close the least recently used others */
        while (tc->budget && tc->bytes > tc->budget && tc->count > 1) {
            more = rdb_realloc(more, (nmore + 1) * sizeof(*more));
            more[nmore++] = remove_entry(tc, tc->lru.lprev);
        }
    }
    lsm_table_ref(t);
    *out = t;
    pthread_mutex_unlock(&tc->mu);
    lsm_table_unref(drop[0]);
    lsm_table_unref(drop[1]);
    for (size_t i = 0; i < nmore; i++)
        lsm_table_unref(more[i]);
    free(more);
    return RDB_OK;
}

void lsm_tcache_evict(lsm_tcache_t *tc, uint64_t number)
{
    pthread_mutex_lock(&tc->mu);
    entry_t *e = *slot(tc, number);
    lsm_table_t *t = e ? remove_entry(tc, e) : NULL;
    pthread_mutex_unlock(&tc->mu);
    lsm_table_unref(t);
}

void lsm_tcache_counts(lsm_tcache_t *tc, int *open, uint64_t *opens, size_t *bytes,
                       size_t *budget)
{
    pthread_mutex_lock(&tc->mu);
    *open = tc->count;
    *opens = tc->opens;
    *bytes = tc->bytes;
    *budget = tc->budget;
    pthread_mutex_unlock(&tc->mu);
}

lsm_it_t *lsm_tcache_iter(lsm_tcache_t *tc, uint64_t number, bool fill_cache)
{
    lsm_table_t *t;
    rdb_err_t err = RDB_ERR_INIT;
    if (lsm_tcache_get(tc, number, &t, &err) != RDB_OK) {
        lsm_it_t *it = lsm_error_iter_new(&err);
        rdb_err_clear(&err);
        return it;
    }
    lsm_it_t *it = lsm_table_iter(t, fill_cache); /* takes its own reference */
    lsm_table_unref(t);
    return it;
}

/* --- the error iterator ---------------------------------------------------- */

typedef struct err_it {
    lsm_it_t base;
    rdb_err_t err;
} err_it_t;

static bool ei_valid(lsm_it_t *it) { (void)it; return false; }
static void ei_move(lsm_it_t *it) { (void)it; }
static void ei_seek(lsm_it_t *it, const char *k, size_t n) { (void)it; (void)k; (void)n; }
static const char *ei_none(lsm_it_t *it, size_t *n)
{
    (void)it;
    *n = 0;
    return "";
}
static rdb_status_t ei_status(lsm_it_t *it, rdb_err_t *err)
{
    err_it_t *i = (err_it_t *)it;
    return rdb_err_set(err, i->err.code, i->err.sqlstate, "%s", i->err.msg);
}
static void ei_free(lsm_it_t *it)
{
    err_it_t *i = (err_it_t *)it;
    rdb_err_clear(&i->err);
    free(i);
}

static const lsm_it_ops_t err_ops = { ei_valid, ei_move, ei_move, ei_seek, ei_move,
                                      ei_move, ei_none, ei_none, ei_status, ei_free };

lsm_it_t *lsm_error_iter_new(const rdb_err_t *err)
{
    err_it_t *i = rdb_calloc(1, sizeof(*i));
    i->base.ops = &err_ops;
    rdb_err_set(&i->err, rdb_err_is_set(err) ? err->code : RDB_IOERROR,
                rdb_err_is_set(err) ? err->sqlstate : NULL, "%s",
                err && err->msg ? err->msg : "could not open table");
    return &i->base;
}
