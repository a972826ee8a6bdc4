/*
 * rowlock.c — see rowlock.h.  A chained hash table from key bytes to the
 * owning rowlock_owner_t, grown by doubling; an owner remembers its keys to
 * release them at the end of its transaction.
 */
#include "exec/rowlock.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/coding.h"
#include "common/hash.h"

typedef struct rl_entry {
    struct rl_entry *next;
    uint64_t         hash;
    rowlock_owner_t *owner;
    size_t           klen;
    char             key[];
} rl_entry_t;

struct rowlocks {
    pthread_mutex_t mu;
    pthread_cond_t  cv;
    rl_entry_t    **b;
    size_t          nb, n;
};

static uint64_t hash_key(const char *k, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (uint8_t)k[i]) * 1099511628211ull;
    return h;
}

rowlocks_t *rowlocks_new(void)
{
    rowlocks_t *l = calloc(1, sizeof *l);
    pthread_mutex_init(&l->mu, NULL);
    pthread_cond_init(&l->cv, NULL);
    l->nb = 1024;
    l->b = calloc(l->nb, sizeof *l->b);
    return l;
}

void rowlocks_free(rowlocks_t *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->nb; i++)
        for (rl_entry_t *e = l->b[i], *n; e; e = n) {
            n = e->next;
            free(e);
        }
    free(l->b);
    pthread_mutex_destroy(&l->mu);
    pthread_cond_destroy(&l->cv);
    free(l);
}

static void grow(rowlocks_t *l)
{
    size_t nb = l->nb * 2;
    rl_entry_t **b = calloc(nb, sizeof *b);
    for (size_t i = 0; i < l->nb; i++)
        for (rl_entry_t *e = l->b[i], *n; e; e = n) {
            n = e->next;
            e->next = b[e->hash & (nb - 1)];
            b[e->hash & (nb - 1)] = e;
        }
    free(l->b);
    l->b = b;
    l->nb = nb;
}

int rowlock_acquire(rowlocks_t *l, rowlock_owner_t *o, const char *key, size_t klen, bool wait,
                    int (*stop)(void *arg), void *arg)
{
    uint64_t h = hash_key(key, klen);
    pthread_mutex_lock(&l->mu);
    for (;;) {
        rl_entry_t *e = l->b[h & (l->nb - 1)];
        for (; e; e = e->next)
            if (e->hash == h && e->klen == klen && memcmp(e->key, key, klen) == 0)
                break;
        if (!e)
            break;
        if (e->owner == o) {
            pthread_mutex_unlock(&l->mu);
            return ROWLOCK_HELD;
        }
        if (!wait) {
            pthread_mutex_unlock(&l->mu);
            return ROWLOCK_BUSY;
        }
        /* would waiting close a cycle? */
        rowlock_owner_t *w = e->owner;
        for (int i = 0; w && i < 1024; i++, w = w->waiting_for)
            if (w == o) {
                pthread_mutex_unlock(&l->mu);
                return ROWLOCK_DEADLOCK;
            }
        o->waiting_for = e->owner;
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 5 * 1000 * 1000;
        if (ts.tv_nsec >= 1000000000) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000;
        }
        pthread_cond_timedwait(&l->cv, &l->mu, &ts);
        o->waiting_for = NULL;
        if (stop && stop(arg)) {
            pthread_mutex_unlock(&l->mu);
            return ROWLOCK_STOPPED;
        }
    }
    if (l->n >= l->nb)
        grow(l);
    rl_entry_t *e = malloc(sizeof *e + klen);
    e->hash = h;
    e->owner = o;
    e->klen = klen;
    memcpy(e->key, key, klen);
    e->next = l->b[h & (l->nb - 1)];
    l->b[h & (l->nb - 1)] = e;
    l->n++;
    pthread_mutex_unlock(&l->mu);
    rdb_buf_append_lenprefixed(&o->keys, key, klen);
    o->n++;
    return ROWLOCK_NEW;
}

void rowlock_release_all(rowlocks_t *l, rowlock_owner_t *o)
{
    if (!o->n)
        return;
    pthread_mutex_lock(&l->mu);
    const char *p = o->keys.data, *end = o->keys.data + o->keys.len;
    while (p < end) {
        uint32_t klen;
        p = rdb_decode_varint32(p, end, &klen);
        if (!p)
            break;
        uint64_t h = hash_key(p, klen);
        rl_entry_t **pp = &l->b[h & (l->nb - 1)];
        for (; *pp; pp = &(*pp)->next) {
            rl_entry_t *e = *pp;
            if (e->hash == h && e->klen == klen && memcmp(e->key, p, klen) == 0 && e->owner == o) {
                *pp = e->next;
                free(e);
                l->n--;
                break;
            }
        }
        p += klen;
    }
    pthread_cond_broadcast(&l->cv);
    pthread_mutex_unlock(&l->mu);
    rdb_buf_reset(&o->keys);
    o->n = 0;
}
