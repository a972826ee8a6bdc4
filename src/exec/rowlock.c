/*
 * rowlock.c — see rowlock.h.  A chained hash table from key bytes to the
 * key's holders (owner, mode), grown by doubling; an owner remembers its
 * keys to release them at the end of its transaction.  Deadlock
 * detection walks the waits-for graph from the owners that block a new
 * waiter: an owner waiting for key k in mode m waits for every other
 * holder of k whose mode conflicts with m.
 */
#include "exec/rowlock.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/coding.h"

typedef struct rl_hold {
    rowlock_owner_t *owner;
    int              mode;
} rl_hold_t;

typedef struct rl_entry {
    struct rl_entry *next;
    uint64_t         hash;
    int              nh, caph;
    rl_hold_t       *h;
    size_t           klen;
    char             key[];
} rl_entry_t;

struct rowlocks {
    pthread_mutex_t mu;
    pthread_cond_t  cv;
    rl_entry_t    **b;
    size_t          nb, n;
};

/* conflicts[m]: the modes that conflict with m, as bits */
static const unsigned conflicts[4] = {
    [ROWLOCK_KEY_SHARE] = 1u << ROWLOCK_UPDATE,
    [ROWLOCK_SHARE] = 1u << ROWLOCK_NO_KEY_UPDATE | 1u << ROWLOCK_UPDATE,
    [ROWLOCK_NO_KEY_UPDATE] = 1u << ROWLOCK_SHARE | 1u << ROWLOCK_NO_KEY_UPDATE | 1u << ROWLOCK_UPDATE,
    [ROWLOCK_UPDATE] = 0xf,
};

bool rowlock_conflicts(int a, int b)
{
    return a >= 0 && a < 4 && b >= 0 && b < 4 && (conflicts[a] >> b & 1u);
}

const char *rowlock_mode_name(int mode)
{
    static const char *const names[4] = { "FOR KEY SHARE", "FOR SHARE", "FOR NO KEY UPDATE", "FOR UPDATE" };
    return mode >= 0 && mode < 4 ? names[mode] : "FOR UPDATE";
}

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

static void entry_free(rl_entry_t *e)
{
    free(e->h);
    free(e);
}

void rowlocks_free(rowlocks_t *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->nb; i++)
        for (rl_entry_t *e = l->b[i], *n; e; e = n) {
            n = e->next;
            entry_free(e);
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

static rl_entry_t **find(rowlocks_t *l, uint64_t h, const char *key, size_t klen)
{
    rl_entry_t **pp = &l->b[h & (l->nb - 1)];
    for (; *pp; pp = &(*pp)->next)
        if ((*pp)->hash == h && (*pp)->klen == klen && memcmp((*pp)->key, key, klen) == 0)
            break;
    return pp;
}

static rl_hold_t *holder(rl_entry_t *e, const rowlock_owner_t *o)
{
    for (int i = 0; e && i < e->nh; i++)
        if (e->h[i].owner == o)
            return &e->h[i];
    return NULL;
}

/* Is there a path from the owners blocking (e, mode, o) back to o?  An
 * explicit stack; the graph is small (one edge set per waiting owner), and
 * a step bound keeps a pathological graph from spinning under the mutex. */
static bool closes_cycle(rowlocks_t *l, rl_entry_t *e, int mode, rowlock_owner_t *o)
{
    enum { MAXST = 256 };
    rowlock_owner_t *st[MAXST];
    int n = 0, steps = 0;
    for (int i = 0; i < e->nh && n < MAXST; i++)
        if (e->h[i].owner != o && rowlock_conflicts(e->h[i].mode, mode))
            st[n++] = e->h[i].owner;
    while (n > 0 && steps++ < 4096) {
        rowlock_owner_t *w = st[--n];
        if (w == o)
            return true;
        if (!w->waiting)
            continue;
        rl_entry_t *we = *find(l, w->wait_hash, w->wait_key.data, w->wait_key.len);
        for (int i = 0; we && i < we->nh && n < MAXST; i++)
            if (we->h[i].owner != w && rowlock_conflicts(we->h[i].mode, w->wait_mode))
                st[n++] = we->h[i].owner;
    }
    return false;
}

int rowlock_acquire(rowlocks_t *l, rowlock_owner_t *o, const char *key, size_t klen, int mode, bool wait,
                    int (*stop)(void *arg), void *arg)
{
    uint64_t h = hash_key(key, klen);
    pthread_mutex_lock(&l->mu);
    rl_entry_t *e;
    for (;;) {
        e = *find(l, h, key, klen);
        rl_hold_t *mine = holder(e, o);
        if (mine && mine->mode >= mode) {
            pthread_mutex_unlock(&l->mu);
            return ROWLOCK_HELD;
        }
        bool blocked = false;
        for (int i = 0; e && i < e->nh && !blocked; i++)
            blocked = e->h[i].owner != o && rowlock_conflicts(e->h[i].mode, mode);
        if (!blocked) {
            if (mine) {
                mine->mode = mode;
                pthread_mutex_unlock(&l->mu);
                return ROWLOCK_NEW;
            }
            break;
        }
        if (!wait) {
            pthread_mutex_unlock(&l->mu);
            return ROWLOCK_BUSY;
        }
        if (closes_cycle(l, e, mode, o)) {
            pthread_mutex_unlock(&l->mu);
            return ROWLOCK_DEADLOCK;
        }
        o->waiting = true;
        o->wait_mode = mode;
        o->wait_hash = h;
        rdb_buf_reset(&o->wait_key);
        rdb_buf_append(&o->wait_key, key, klen);
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 5 * 1000 * 1000;
        if (ts.tv_nsec >= 1000000000) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000;
        }
        pthread_cond_timedwait(&l->cv, &l->mu, &ts);
        o->waiting = false;
        if (stop && stop(arg)) {
            pthread_mutex_unlock(&l->mu);
            return ROWLOCK_STOPPED;
        }
    }
    if (!e) {
        if (l->n >= l->nb)
            grow(l);
        e = calloc(1, sizeof *e + klen);
        e->hash = h;
        e->klen = klen;
        memcpy(e->key, key, klen);
        e->next = l->b[h & (l->nb - 1)];
        l->b[h & (l->nb - 1)] = e;
        l->n++;
    }
    if (e->nh == e->caph) {
        e->caph = e->caph ? e->caph * 2 : 2;
        e->h = realloc(e->h, sizeof *e->h * (size_t)e->caph);
    }
    e->h[e->nh++] = (rl_hold_t){ o, mode };
    pthread_mutex_unlock(&l->mu);
    rdb_buf_append_lenprefixed(&o->keys, key, klen);
    o->n++;
    return ROWLOCK_NEW;
}

int rowlock_held(rowlocks_t *l, const rowlock_owner_t *o, const char *key, size_t klen)
{
    pthread_mutex_lock(&l->mu);
    rl_hold_t *mine = holder(*find(l, hash_key(key, klen), key, klen), o);
    int m = mine ? mine->mode : -1;
    pthread_mutex_unlock(&l->mu);
    return m;
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
        rl_entry_t **pp = find(l, hash_key(p, klen), p, klen);
        rl_entry_t *e = *pp;
        rl_hold_t *mine = holder(e, o);
        if (mine) {
            *mine = e->h[--e->nh];
            if (e->nh == 0) {
                *pp = e->next;
                entry_free(e);
                l->n--;
            }
        }
        p += klen;
    }
    pthread_cond_broadcast(&l->cv);
    pthread_mutex_unlock(&l->mu);
    rdb_buf_reset(&o->keys);
    o->n = 0;
}

void rowlock_owner_free(rowlock_owner_t *o)
{
    rdb_buf_free(&o->keys);
    rdb_buf_free(&o->wait_key);
}
