/*
 * hlc.c — hybrid logical clock; see hlc.h for the rules.
 *
 * Invariant: every stamp returned by clu_hlc_now() is > h->last before the
 * call, and h->last never decreases.
 */
#include "cluster/hlc.h"

#include "common/clock.h"
#include "common/log.h"

static uint64_t hlc_default_wall(void *ctx)
{
    (void)ctx;
    return rdb_wall_ms();
}

void clu_hlc_init(clu_hlc_t *h, uint64_t max_offset_ms, clu_wall_fn wall, void *ctx)
{
    pthread_mutex_init(&h->mu, NULL);
    h->last = 0;
    h->max_offset_ms = max_offset_ms ? max_offset_ms : 500;
    h->wall = wall ? wall : hlc_default_wall;
    h->wall_ctx = ctx;
    h->refused = 0;
    h->max_seen_ahead_ms = 0;
}

void clu_hlc_destroy(clu_hlc_t *h)
{
    pthread_mutex_destroy(&h->mu);
}

uint64_t clu_hlc_now(clu_hlc_t *h)
{
    pthread_mutex_lock(&h->mu);
    uint64_t pt = CLU_HLC_MAKE(h->wall(h->wall_ctx), 0);
    /* Logical overflow simply carries into the ms field: still monotonic,
     * and it can only happen at 65536 stamps within one ms. */
    h->last = pt > h->last ? pt : h->last + 1;
    uint64_t ts = h->last;
    pthread_mutex_unlock(&h->mu);
    return ts;
}

uint64_t clu_hlc_peek(clu_hlc_t *h)
{
    pthread_mutex_lock(&h->mu);
    uint64_t ts = h->last;
    pthread_mutex_unlock(&h->mu);
    return ts;
}

rdb_status_t clu_hlc_update(clu_hlc_t *h, uint64_t remote, int from_node, rdb_err_t *err)
{
    pthread_mutex_lock(&h->mu);
    uint64_t wall = h->wall(h->wall_ctx);
    uint64_t rms = CLU_HLC_MS(remote);
    if (rms > wall + h->max_offset_ms) {
        uint64_t ahead = rms - wall;
        h->refused++;
        if (ahead > h->max_seen_ahead_ms)
            h->max_seen_ahead_ms = ahead;
        pthread_mutex_unlock(&h->mu);
        RDB_LOG_WARN("hlc", "refusing stamp from node %d: %llu ms ahead of local clock "
                     "(max offset %llu ms)", from_node, (unsigned long long)ahead,
                     (unsigned long long)h->max_offset_ms);
        return rdb_err_set(err, RDB_INVALID, RDB_SQLSTATE_INVALID_PARAMETER,
                           "clock of node %d runs %llu ms ahead, beyond max offset %llu ms",
                           from_node, (unsigned long long)ahead,
                           (unsigned long long)h->max_offset_ms);
    }
    if (remote > h->last)
        h->last = remote;
    pthread_mutex_unlock(&h->mu);
    return RDB_OK;
}

void clu_hlc_floor(clu_hlc_t *h, uint64_t floor)
{
    pthread_mutex_lock(&h->mu);
    if (floor > h->last)
        h->last = floor;
    pthread_mutex_unlock(&h->mu);
}

uint64_t clu_hlc_refused(clu_hlc_t *h)
{
    pthread_mutex_lock(&h->mu);
    uint64_t n = h->refused;
    pthread_mutex_unlock(&h->mu);
    return n;
}
