/*
 * tabstat.c — per-node table and index counters (tabstat.h).
 *
 * A slot is claimed for a relation OID by a compare-and-swap on its key
 * and never given back (pg_stat_reset zeroes the counters, not the keys),
 * so a reader may read a slot without a lock; linear probing from the
 * OID's hash.  Counts are relaxed: a reader may see one counter of a
 * statement before another, as PostgreSQL's readers may.
 */
#include "sql/tabstat.h"

#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>

#include "common/mem.h"

typedef struct slot {
    _Atomic uint32_t relid;   /* 0: free */
    _Atomic int64_t  c[TS_NCOUNTERS];
} slot_t;

static slot_t slots[SQL_TABSTAT_SLOTS];

static slot_t *find(uint32_t relid, int create)
{
    if (!relid)
        return NULL;
    uint32_t h = (relid * 2654435761u) % SQL_TABSTAT_SLOTS;
    for (uint32_t i = 0; i < SQL_TABSTAT_SLOTS; i++) {
        slot_t *s = &slots[(h + i) % SQL_TABSTAT_SLOTS];
        uint32_t k = atomic_load_explicit(&s->relid, memory_order_acquire);
        if (k == relid)
            return s;
        if (k == 0) {
            if (!create)
                return NULL;
            uint32_t zero = 0;
            if (atomic_compare_exchange_strong(&s->relid, &zero, relid) || zero == relid)
                return s;
        }
    }
    return NULL;
}

void sql_tabstat_add(uint32_t relid, sql_tabstat_counter_t c, int64_t delta)
{
    slot_t *s = delta ? find(relid, 1) : NULL;
    if (s)
        atomic_fetch_add_explicit(&s->c[c], delta, memory_order_relaxed);
}

/* A transaction's row changes per table, until it ends. */
typedef struct pend_rel {
    uint32_t relid;
    int64_t  ins, upd, del;
} pend_rel_t;

struct sql_tabstat_pending {
    pend_rel_t *rel;
    int         n, cap;
};

static void settle(uint32_t relid, int64_t ins, int64_t upd, int64_t del, bool committed)
{
    slot_t *s = find(relid, 1);
    if (!s)
        return;
    if (committed) {
        atomic_fetch_add_explicit(&s->c[TS_LIVE_TUP], ins - del, memory_order_relaxed);
        /* an UPDATE or DELETE leaves the old version until compaction drops it */
        atomic_fetch_add_explicit(&s->c[TS_DEAD_TUP], upd + del, memory_order_relaxed);
    } else {
        atomic_fetch_add_explicit(&s->c[TS_DEAD_TUP], ins + upd, memory_order_relaxed);
    }
}

void sql_tabstat_changed(sql_tabstat_pending_t **pend, uint32_t relid, int64_t ins, int64_t upd,
                         int64_t del)
{
    slot_t *s = ins || upd || del ? find(relid, 1) : NULL;
    if (!s)
        return;
    atomic_fetch_add_explicit(&s->c[TS_TUP_INS], ins, memory_order_relaxed);
    atomic_fetch_add_explicit(&s->c[TS_TUP_UPD], upd, memory_order_relaxed);
    atomic_fetch_add_explicit(&s->c[TS_TUP_DEL], del, memory_order_relaxed);
    atomic_fetch_add_explicit(&s->c[TS_MOD_SINCE_ANALYZE], ins + upd + del, memory_order_relaxed);
    atomic_fetch_add_explicit(&s->c[TS_INS_SINCE_VACUUM], ins, memory_order_relaxed);
    if (!pend) {
        settle(relid, ins, upd, del, true);
        return;
    }
    if (!*pend)
        *pend = rdb_calloc(1, sizeof **pend);
    sql_tabstat_pending_t *p = *pend;
    pend_rel_t *r = NULL;
    for (int i = 0; i < p->n && !r; i++)
        if (p->rel[i].relid == relid)
            r = &p->rel[i];
    if (!r) {
        if (p->n == p->cap) {
            p->cap = p->cap ? p->cap * 2 : 8;
            p->rel = rdb_realloc(p->rel, sizeof *p->rel * (size_t)p->cap);
        }
        r = &p->rel[p->n++];
        *r = (pend_rel_t){ relid, 0, 0, 0 };
    }
    r->ins += ins;
    r->upd += upd;
    r->del += del;
}

void sql_tabstat_end(sql_tabstat_pending_t **pend, bool committed)
{
    sql_tabstat_pending_t *p = *pend;
    if (!p)
        return;
    for (int i = 0; i < p->n; i++)
        settle(p->rel[i].relid, p->rel[i].ins, p->rel[i].upd, p->rel[i].del, committed);
    free(p->rel);
    free(p);
    *pend = NULL;
}

void sql_tabstat_analyzed(uint32_t relid, int64_t rows, int64_t now)
{
    slot_t *s = find(relid, 1);
    if (!s)
        return;
    atomic_store_explicit(&s->c[TS_LIVE_TUP], rows, memory_order_relaxed);
    atomic_store_explicit(&s->c[TS_MOD_SINCE_ANALYZE], 0, memory_order_relaxed);
    atomic_store_explicit(&s->c[TS_LAST_ANALYZE], now, memory_order_relaxed);
    atomic_fetch_add_explicit(&s->c[TS_ANALYZE_COUNT], 1, memory_order_relaxed);
}

int64_t sql_tabstat_get(uint32_t relid, sql_tabstat_counter_t c)
{
    slot_t *s = find(relid, 0);
    return s ? atomic_load_explicit(&s->c[c], memory_order_relaxed) : 0;
}

void sql_tabstat_reset(void)
{
    for (size_t i = 0; i < SQL_TABSTAT_SLOTS; i++)
        for (int c = 0; c < TS_NCOUNTERS; c++)
            atomic_store_explicit(&slots[i].c[c], 0, memory_order_relaxed);
}
