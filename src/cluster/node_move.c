/*
 * node_move.c — handing off the data a node no longer replicates to the
 * replicas that own it, then dropping this node's copy; and leaving the
 * cluster with such a handoff (DESIGN.md §5: "data moves by streaming the
 * partition's key range").
 *
 * Handoff (clu_node_handoff, blocking, not on the node thread):
 *   1. on the node thread: a copy of the ring and a bound B (a fresh HLC
 *      stamp: every version of the store written before is at most B);
 *   2. walk the store's user keys (the catalog, 0x01..., lives on every
 *      member and is never foreign).  A key is foreign when this node is
 *      not among the ring's replicas of its token (node_key_token: the
 *      range partition's token for a range-partitioned space).  Keys of a
 *      space whose map is moving are left alone: the move streams them,
 *      and they are foreign or not once it ends;
 *   3. write the foreign records (newest version of each key, tombstones
 *      included, with their own versions) at ALL to their replicas, in
 *      batches (CLU_W_APPLIED: nothing is applied here).  ALL counts
 *      durable acknowledgements, so when a batch succeeds every owner has
 *      those versions on disk: the handoff is confirmed;
 *   4. if every batch succeeded (and purge is asked): install the purge
 *      (the ring copy, B) as the store's compaction filter
 *      (lsm_set_drop_filter) and compact the store.  The filter drops every
 *      version <= B of a key that is foreign under the ring copy and not in
 *      a moving space; no tombstone is written (a tombstone would shadow the
 *      data should the range come back).  The purge stays in force for later
 *      compactions until the ring changes (node_move_ring_changed).
 * A batch that fails (an owner down or slow: 57P03) stops the handoff with
 * that error and nothing is dropped: the old copy stays until a later
 * handoff is confirmed.  The records are read in one walk and written as
 * they come (the walk holds no lock); a key written after the walk passed
 * it has a version above B and is kept.
 *
 * Runs.  `ringdb-ctl cleanup` runs one (purge on), and so does every node
 * by itself (auto_cleanup) a few seconds after its ring changed (a join or
 * a leave) or a partition map of a space finished moving, once every ring
 * member is up.  `ringdb-ctl leave [TIMEOUT_S]` marks the node as leaving
 * (every member drops it from the ring), waits until every up member has
 * gossiped back a table showing the leave (so it routes by the new ring,
 * and the writes it coordinated under the old one and sent here have
 * arrived: a link keeps frames in order) and until this node's applier
 * caught up (node_remove.c), then hands off every key it holds (all are
 * foreign now) at ALL, and answers once every batch is acknowledged
 * durable by the new replicas.  A member that does not confirm within the
 * timeout (60 s) fails the command with 57P03; it can be run again.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cluster/node_int.h"
#include "common/log.h"
#include "common/mem.h"

#define MOVE_BATCH        2000
#define MOVE_TRIES        3
#define AUTO_CLEANUP_MS   5000   /* after a ring or map change */

/* ---- the purge filter (compaction threads) ------------------------------------ */

static bool foreign_under(clu_node_t *n, const clu_ring_t *ring, const void *key, size_t klen)
{
    if (!klen || ((const unsigned char *)key)[0] <= 0x01 || !ring->nvn)
        return false;
    clu_place_t pl;
    if (clu_pmap_place(n->pmap, key, klen, &pl) && (pl.moving || !pl.has_cur))
        return false;
    uint16_t reps[NODE_MAX_RF];
    size_t nr = clu_ring_replicas(ring, node_key_token(key, klen, n), reps);
    for (size_t i = 0; i < nr; i++)
        if (reps[i] == n->o.node_id)
            return false;
    return true;
}

static bool purge_filter(void *ctx, const void *key, size_t klen, lsm_version_t v)
{
    clu_node_t *n = ctx;
    bool drop = false;
    if (!atomic_load_explicit(&n->purge_active, memory_order_relaxed))
        return false;
    pthread_mutex_lock(&n->purge_mu);
    if (n->purge_active && v.hlc <= n->purge_bound && foreign_under(n, &n->purge_ring, key, klen))
        drop = true;
    pthread_mutex_unlock(&n->purge_mu);
    if (drop)
        atomic_fetch_add(&n->purged, 1);
    return drop;
}

void node_move_init(clu_node_t *n)
{
    pthread_mutex_init(&n->purge_mu, NULL);
    clu_ring_init(&n->purge_ring, n->o.vnodes, n->o.rf);
    lsm_set_drop_filter(n->db, purge_filter, n);
}

void node_move_free(clu_node_t *n)
{
    if (n->db)
        lsm_set_drop_filter(n->db, NULL, NULL);
    clu_ring_free(&n->purge_ring);
    pthread_mutex_destroy(&n->purge_mu);
}

void node_move_ring_changed(clu_node_t *n, const clu_ring_t *old, const clu_ring_t *cur)
{
    (void)cur;
    pthread_mutex_lock(&n->purge_mu);
    n->purge_active = false;
    pthread_mutex_unlock(&n->purge_mu);
    /* Ranges moved only if this node was already part of a cluster (not
     * the rings built while it starts or joins). */
    if (old->nnodes >= 2 && clu_ring_has(old, n->o.node_id))
        n->cleanup_due_ms = node_mono_ms() + AUTO_CLEANUP_MS;
}

/* ---- handoff ------------------------------------------------------------------ */

typedef struct snap_call {
    clu_ring_t ring;
    uint64_t   bound;
} snap_call_t;

static void snap_fn(clu_node_t *n, void *arg)
{
    snap_call_t *c = arg;
    clu_ring_copy(&c->ring, &n->ring);
    c->bound = clu_hlc_now(&n->hlc);
}

/* Under ring (which still has `removed`), removed and this node were both
 * replicas of key: this node re-replicates it after the removal. */
static bool lost_replica(clu_node_t *n, const clu_ring_t *ring, uint16_t removed,
                         const void *key, size_t klen)
{
    if (!klen || ((const unsigned char *)key)[0] <= 0x01 || !ring->nvn)
        return false;
    uint16_t reps[NODE_MAX_RF];
    size_t nr = clu_ring_replicas(ring, node_key_token(key, klen, n), reps);
    bool had = false, mine = false;
    for (size_t i = 0; i < nr; i++) {
        had |= reps[i] == removed;
        mine |= reps[i] == n->o.node_id;
    }
    return had && mine;
}

typedef struct walk_ctx {
    clu_node_t   *n;
    clu_ring_t   *ring;
    clu_record_t *recs;
    rdb_buf_t     store;
    size_t        k;
    uint64_t      since;     /* only versions stamped at or after this */
    uint16_t      removed;   /* rereplicate: the removed member, else 0 */
    uint64_t      sent;
    rdb_status_t  st;
    rdb_err_t    *err;
} walk_ctx_t;

static rdb_status_t send_batch(walk_ctx_t *w)
{
    if (!w->k)
        return RDB_OK;
    /* The records point into w->store, which may have moved while growing. */
    size_t off = 0;
    for (size_t i = 0; i < w->k; i++) {
        w->recs[i].key = w->store.data + off;
        off += w->recs[i].klen;
        if (!w->recs[i].tombstone) {
            w->recs[i].value = w->store.data + off;
            off += w->recs[i].vlen;
        }
    }
    rdb_status_t st = RDB_OK;
    for (int attempt = 0; attempt < MOVE_TRIES; attempt++) {
        if (attempt)
            rdb_err_clear(w->err);
        st = clu_node_write(w->n, w->recs, w->k, CLU_CL_ALL, CLU_W_APPLIED | CLU_W_NOLOAD, NULL,
                            w->err);
        if (st != RDB_UNAVAILABLE)
            break;
    }
    if (st == RDB_OK)
        w->sent += w->k;
    w->k = 0;
    rdb_buf_reset(&w->store);
    return st;
}

static bool walk_fn(const clu_record_t *rec, uint64_t token, void *ctx)
{
    (void)token;
    walk_ctx_t *w = ctx;
    if (atomic_load(&w->n->bg_stop)) {
        w->st = rdb_err_set(w->err, RDB_UNAVAILABLE, RDB_SQLSTATE_UNAVAILABLE,
                            "the cluster node is shutting down");
        return false;
    }
    if (rec->version.hlc < w->since ||
        !(w->removed ? lost_replica(w->n, w->ring, w->removed, rec->key, rec->klen)
                     : foreign_under(w->n, w->ring, rec->key, rec->klen)))
        return true;
    clu_record_t *r = &w->recs[w->k++];
    *r = *rec;
    r->origin = 0;
    r->seq = 0;
    rdb_buf_append(&w->store, rec->key, rec->klen);
    if (!rec->tombstone)
        rdb_buf_append(&w->store, rec->value, rec->vlen);
    if (w->k == MOVE_BATCH || w->store.len >= (4u << 20))
        w->st = send_batch(w);
    return w->st == RDB_OK;
}

/* Walk the user keys, sending those w wants; the records sent in *sent. */
static rdb_status_t walk_send(walk_ctx_t *w, uint64_t *sent)
{
    w->recs = rdb_calloc(MOVE_BATCH, sizeof *w->recs);
    w->st = RDB_OK;
    static const char lo[] = { 0x02 };
    rdb_status_t st = clu_replica_walk_keys(&w->n->rep, lo, 1, NULL, 0, walk_fn, w, w->err);
    if (st == RDB_OK)
        st = w->st;
    if (st == RDB_OK)
        st = send_batch(w);
    *sent = w->sent;
    free(w->recs);
    rdb_buf_free(&w->store);
    return st;
}

rdb_status_t node_handoff(clu_node_t *n, bool purge, uint64_t since, uint64_t *bound,
                          uint64_t *sent, rdb_err_t *err)
{
    snap_call_t c;
    node_call_sync(n, snap_fn, &c);
    if (bound)
        *bound = c.bound;
    walk_ctx_t w = { .n = n, .ring = &c.ring, .err = err, .since = since };
    rdb_status_t st = walk_send(&w, sent);
    if (st != RDB_OK || !purge) {
        clu_ring_free(&c.ring);
        return st;
    }
    pthread_mutex_lock(&n->purge_mu);
    clu_ring_free(&n->purge_ring);
    n->purge_ring = c.ring;
    n->purge_bound = c.bound;
    n->purge_active = true;
    pthread_mutex_unlock(&n->purge_mu);
    uint64_t before = atomic_load(&n->purged);
    st = lsm_compact_range(n->db, NULL, 0, NULL, 0, err);
    RDB_LOG_INFO("node", "handoff: %llu foreign records confirmed on their replicas, %llu "
                 "versions dropped here", (unsigned long long)w.sent,
                 (unsigned long long)(atomic_load(&n->purged) - before));
    return st;
}

rdb_status_t node_rereplicate_walk(clu_node_t *n, uint16_t removed, uint64_t *sent,
                                   rdb_err_t *err)
{
    snap_call_t c;
    node_call_sync(n, snap_fn, &c);
    clu_ring_add(&c.ring, removed, c.ring.version);   /* the ring before the removal */
    walk_ctx_t w = { .n = n, .ring = &c.ring, .err = err, .removed = removed };
    rdb_status_t st = walk_send(&w, sent);
    clu_ring_free(&c.ring);
    return st;
}

/* ---- background runs ----------------------------------------------------------- */

static void *cleanup_main(void *arg)
{
    clu_node_t *n = arg;
    rdb_err_t e = RDB_ERR_INIT;
    uint64_t sent = 0;
    if (node_handoff(n, true, 0, NULL, &sent, &e) != RDB_OK) {
        RDB_LOG_INFO("node", "automatic clean-up of foreign data not done (kept): %s", e.msg);
        n->cleanup_due_ms = node_mono_ms() + AUTO_CLEANUP_MS;   /* try again */
    }
    rdb_err_clear(&e);
    atomic_store(&n->bg_running, false);
    return NULL;
}

/* Every second (node thread): start a due clean-up when no other
 * background job runs and every ring member is up. */
void node_move_tick(clu_node_t *n)
{
    if (atomic_exchange(&n->pmap_changed, false))  /* a map changed: its moves may have ended */
        n->cleanup_due_ms = node_mono_ms() + AUTO_CLEANUP_MS;
    if (!n->cleanup_due_ms || node_mono_ms() < n->cleanup_due_ms || n->stopping ||
        atomic_load(&n->bg_running) || n->ring.nnodes < 2 ||
        !clu_ring_has(&n->ring, n->o.node_id))
        return;
    for (size_t i = 0; i < n->ring.nnodes; i++)
        if (!node_peer_up(n, n->ring.nodes[i]))
            return;
    n->cleanup_due_ms = 0;
    node_bg_start(n, cleanup_main);
}

/* ---- control: cleanup, leave ------------------------------------------------------ */

typedef struct ctl_move {
    clu_node_t  *n;
    uint32_t     client;
    uint64_t     id;
    bool         leave;
    uint64_t     leave_version;  /* this node's member entry with the leave */
    uint64_t     timeout_ms;
    rdb_status_t st;
    uint64_t     sent;
    rdb_err_t    err;
} ctl_move_t;

static void ctl_move_reply(clu_node_t *n, void *arg)
{
    ctl_move_t *c = arg;
    if (c->st != RDB_OK) {
        node_ctl_reply_err(n, c->client, c->id, &c->err);
        return;
    }
    char b[128];
    int len = snprintf(b, sizeof b, "{\"%s\":true,\"records_handed_off\":%llu}",
                       c->leave ? "left" : "cleaned", (unsigned long long)c->sent);
    node_ctl_reply(n, c->client, c->id, true, b, (size_t)len);
}

static void *ctl_move_main(void *arg)
{
    ctl_move_t *c = arg;
    clu_node_t *n = c->n;
    c->st = RDB_OK;
    if (c->leave) {
        /* Every up member routes by the ring without this node, and what it
         * sent here before is applied (node_remove.c): then one pass hands
         * off everything, confirmed durable at ALL. */
        c->st = node_wait_seen(n, n->o.node_id, c->leave_version, false, c->timeout_ms,
                               &c->err);
        if (c->st == RDB_OK)
            node_apply_barrier(n);
    }
    if (c->st == RDB_OK)
        c->st = node_handoff(n, !c->leave, 0, NULL, &c->sent, &c->err);
    /* The hints the others held for this node: on the new replicas too. */
    if (c->st == RDB_OK && c->leave)
        c->st = node_hints_wait_members(n, n->o.node_id, c->timeout_ms, &c->err);
    if (c->st == RDB_OK && c->leave)
        RDB_LOG_INFO("node", "left the cluster: %llu records handed off to their replicas",
                     (unsigned long long)c->sent);
    node_call_sync(c->n, ctl_move_reply, c);
    rdb_err_clear(&c->err);
    free(c);
    return NULL;
}

void node_move_ctl(clu_node_t *n, uint32_t client, uint64_t id, bool leave,
                   uint64_t leave_version, uint64_t timeout_ms)
{
    ctl_move_t *c = rdb_calloc(1, sizeof *c);
    c->n = n;
    c->client = client;
    c->id = id;
    c->leave = leave;
    c->leave_version = leave_version;
    c->timeout_ms = timeout_ms ? timeout_ms : 60000;
    c->err = (rdb_err_t)RDB_ERR_INIT;
    if (!node_ctl_thread(n, client, id, ctl_move_main, c))
        free(c);
}
