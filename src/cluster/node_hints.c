/*
 * node_hints.c — hints held for a member that is gone: one that left
 * (`ringdb-ctl leave`) or was removed (`ringdb-ctl removenode`).
 *
 * Such a member is off the ring and will never take its hints again (a
 * leaving node hands off what it holds once; a removed node is refused), but
 * a hint may be the only copy of an acknowledged write that the member's
 * replacement lacks: the coordinator wrote at ONE while the member was down,
 * the member left or was removed before it came back, and the surviving
 * replicas were not sent the record (they are the replicas under the new
 * ring, not the old one) or were themselves unreachable.  So hints for a
 * gone member are not delivered and not dropped: they are *redirected*.
 *
 * Redirect (node thread, from node_hints_pump, i.e. every hint tick, every
 * acknowledgement and every membership change):
 *   1. read a batch of the member's hints (oldest first, at most
 *      REDIRECT_RECS records and 1 MB);
 *   2. if every replica of every record under the current ring (and the
 *      map being moved to, node_write_replicas) has its link up, write the
 *      batch at ALL with the records' own versions (blind puts: a copy that
 *      is already there is harmless), applied here too where this node is a
 *      replica; otherwise wait for the next tick (the hints are durable
 *      where they are);
 *   3. once the write succeeded (ALL counts durable acknowledgements) the
 *      batch's hints are deleted; on failure they stay and the next tick
 *      tries again.
 * One batch per member is in flight at a time, one every hint tick (250 ms).  A hint batch already in
 * flight to a member when it started leaving is acknowledged as usual: the
 * leaving member applies it before its own handoff (node_move.c).
 *
 * Confirmation: node_hints_wait_gone blocks until this node holds no hints
 * for the member; removenode's re-replication and leave call it on every
 * up member (ctl "hints-redirect ID [TIMEOUT_S]"), so the command answers
 * only once every hint for the member is on its ranges' new replicas.
 */
#include <stdlib.h>
#include <string.h>

#include "cluster/node_int.h"
#include "common/log.h"
#include "common/mem.h"

#define REDIRECT_RECS  2000   /* per ALL write: well within the write timeout */
#define REDIRECT_BYTES (1u << 20)

bool node_peer_gone(clu_node_t *n, uint16_t peer)
{
    const clu_member_t *m = clu_members_get(&n->mem, peer);
    return peer != n->o.node_id && m && m->leaving;
}

typedef struct redir_collect {
    clu_node_t   *n;
    clu_record_t *recs;
    size_t        nrec, cap;
    rdb_buf_t     store;
    bool          blocked;   /* a new replica is not reachable */
    uint16_t      blocker;
} redir_collect_t;

static bool collect_fn(const clu_record_t *r, void *ctx)
{
    redir_collect_t *c = ctx;
    uint16_t reps[NODE_MAX_RF * 4];
    size_t nr = node_write_replicas(c->n, r->key, r->klen, reps);
    for (size_t i = 0; i < nr; i++)
        if (!node_peer_up(c->n, reps[i]) || node_refused(c->n, reps[i])) {
            c->blocked = true;
            c->blocker = reps[i];
            return false;
        }
    if (c->nrec == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 256;
        c->recs = rdb_realloc(c->recs, c->cap * sizeof *c->recs);
    }
    clu_record_t *x = &c->recs[c->nrec++];
    *x = *r;
    /* Offsets for now: the store may move while it grows. */
    x->key = (const char *)(uintptr_t)c->store.len;
    rdb_buf_append(&c->store, r->key, r->klen);
    if (!r->tombstone) {
        x->value = (const char *)(uintptr_t)c->store.len;
        rdb_buf_append(&c->store, r->value, r->vlen);
    }
    return c->store.len < REDIRECT_BYTES;
}

typedef struct redir_ctx {
    clu_node_t *n;
    uint16_t    peer;
    uint64_t    upto;
    size_t      nrec;
} redir_ctx_t;

static void redirect_done(void *arg, const rdb_err_t *err)
{
    redir_ctx_t *c = arg;
    clu_node_t *n = c->n;
    peer_state_t *ps = node_peer(n, c->peer);
    ps->redirect_inflight = false;
    if (err && err->code != RDB_OK) {
        RDB_LOG_INFO("node", "redirecting %zu hints of node %u: %s (kept; retried)", c->nrec,
                     c->peer, err->msg ? err->msg : "failed");
        free(c);
        return;
    }
    rdb_err_t e = RDB_ERR_INIT;
    clu_hint_stats_t hs;
    if (clu_hints_ack(n->hints, c->peer, c->upto, &e) != RDB_OK) {
        RDB_LOG_WARN("node", "%s", e.msg);
        rdb_err_clear(&e);
        free(c);
        return;
    }
    ps->redirected += c->nrec;
    clu_hints_stats(n->hints, c->peer, &hs);
    if (hs.count == 0)
        RDB_LOG_INFO("node", "hints of node %u (gone from the ring) redirected to the new "
                     "replicas: %llu records", c->peer, (unsigned long long)ps->redirected);
    free(c);   /* the next batch goes at the next hint tick */
}

void node_hints_redirect(clu_node_t *n, uint16_t peer)
{
    peer_state_t *ps = node_peer(n, peer);
    if (!n->ap_started /* still starting: no loop yet */ || ps->redirect_inflight ||
        n->stopping || n->self_removed || !node_peer_gone(n, peer))
        return;
    clu_hint_stats_t hs;
    clu_hints_stats(n->hints, peer, &hs);
    if (hs.count == 0)
        return;
    redir_collect_t c = { .n = n, .store = RDB_BUF_INIT };
    uint64_t last = 0;
    rdb_err_t e = RDB_ERR_INIT;
    if (clu_hints_for_each(n->hints, peer, REDIRECT_RECS, collect_fn, &c, &last, &e) !=
        RDB_OK) {
        RDB_LOG_WARN("node", "reading hints for node %u: %s", peer, e.msg);
        rdb_err_clear(&e);
        c.nrec = 0;
    }
    if (c.blocked) {
        /* last is the blocked record's seq: nothing is sent this time. */
        if (!ps->redirect_blocked_log_ms || node_mono_ms() - ps->redirect_blocked_log_ms > 10000) {
            ps->redirect_blocked_log_ms = node_mono_ms();
            RDB_LOG_INFO("node", "%llu hints of node %u (gone from the ring) wait for node %u, "
                         "a new replica, to be up", (unsigned long long)hs.count, peer,
                         c.blocker);
        }
        c.nrec = 0;
    }
    if (c.nrec) {
        for (size_t i = 0; i < c.nrec; i++) {
            clu_record_t *r = &c.recs[i];
            r->key = c.store.data + (uintptr_t)r->key;
            if (!r->tombstone)
                r->value = c.store.data + (uintptr_t)r->value;
        }
        redir_ctx_t *x = rdb_calloc(1, sizeof *x);
        x->n = n;
        x->peer = peer;
        x->upto = last;
        x->nrec = c.nrec;
        ps->redirect_inflight = true;
        /* Copies the records; applied here where this node is a replica. */
        wreq_t *w = node_wreq_new(n, c.recs, c.nrec, CLU_CL_ALL, CLU_W_NOLOAD, redirect_done, x);
        node_write_start(n, w);
    }
    free(c.recs);
    rdb_buf_free(&c.store);
}

/* ---- confirmation ------------------------------------------------------------------ */

typedef struct count_call {
    uint16_t peer;
    uint64_t count;
} count_call_t;

static void count_fn(clu_node_t *n, void *arg)
{
    count_call_t *c = arg;
    clu_hint_stats_t hs;
    node_hints_redirect(n, c->peer);
    clu_hints_stats(n->hints, c->peer, &hs);
    c->count = hs.count;
}

rdb_status_t node_hints_wait_gone(clu_node_t *n, uint16_t peer, uint64_t timeout_ms,
                                  rdb_err_t *err)
{
    uint64_t deadline = node_mono_ms() + timeout_ms;
    count_call_t c = { .peer = peer };
    for (;;) {
        node_call_sync(n, count_fn, &c);
        if (c.count == 0)
            return RDB_OK;
        if (atomic_load(&n->bg_stop))
            return rdb_err_set(err, RDB_UNAVAILABLE, RDB_SQLSTATE_UNAVAILABLE,
                               "the cluster node is shutting down");
        if (node_mono_ms() >= deadline)
            return rdb_err_set(err, RDB_UNAVAILABLE, RDB_SQLSTATE_UNAVAILABLE,
                               "node %u still holds %llu hints for node %u after %llu ms: "
                               "a new replica is down or slow", n->o.node_id,
                               (unsigned long long)c.count, peer,
                               (unsigned long long)timeout_ms);
        node_sleep_ms(50);
    }
}

/* ---- leave: every up member's confirmation ---------------------------------------- */

typedef struct hctl {
    clu_node_t  *n;
    uint32_t     client;
    uint64_t     id;
    uint16_t     peer;
    uint64_t     timeout_ms;
    rdb_status_t st;
    rdb_err_t    err;
} hctl_t;

static void hctl_reply(clu_node_t *n, void *arg)
{
    hctl_t *c = arg;
    if (c->st == RDB_OK)
        node_ctl_reply(n, c->client, c->id, true, "{\"hints\":0}", 11);
    else
        node_ctl_reply_err(n, c->client, c->id, &c->err);
}

static void *hctl_main(void *arg)
{
    hctl_t *c = arg;
    c->err = (rdb_err_t)RDB_ERR_INIT;
    c->st = node_hints_wait_gone(c->n, c->peer, c->timeout_ms, &c->err);
    node_call_sync(c->n, hctl_reply, c);
    rdb_err_clear(&c->err);
    free(c);
    return NULL;
}

void node_hints_ctl(clu_node_t *n, uint32_t client, uint64_t id, const char *a, size_t al,
                    const char *tmo, size_t tl)
{
    char b[24] = "";
    memcpy(b, a, al < sizeof b - 1 ? al : sizeof b - 1);
    unsigned long peer = strtoul(b, NULL, 10);
    if (!peer || peer > UINT16_MAX) {
        rdb_err_t e = RDB_ERR_INIT;
        rdb_err_set(&e, RDB_INVALID, RDB_SQLSTATE_INVALID_PARAMETER, "no node id \"%.*s\"",
                    (int)al, a);
        node_ctl_reply_err(n, client, id, &e);
        rdb_err_clear(&e);
        return;
    }
    hctl_t *c = rdb_calloc(1, sizeof *c);
    c->n = n;
    c->client = client;
    c->id = id;
    c->peer = (uint16_t)peer;
    memset(b, 0, sizeof b);
    if (tmo)
        memcpy(b, tmo, tl < sizeof b - 1 ? tl : sizeof b - 1);
    c->timeout_ms = strtoull(b, NULL, 10) * 1000;
    if (!c->timeout_ms)
        c->timeout_ms = 60000;
    if (!node_ctl_thread(n, client, id, hctl_main, c))
        free(c);
}

typedef struct up_list {
    char     (*addr)[CLU_ADDR_MAX];
    uint16_t  *id;
    size_t     n;
} up_list_t;

static void up_fn(clu_node_t *n, void *arg)
{
    up_list_t *u = arg;
    u->addr = rdb_calloc(n->mem.n + 1, sizeof *u->addr);
    u->id = rdb_calloc(n->mem.n + 1, sizeof *u->id);
    for (size_t i = 0; i < n->mem.n; i++) {
        const clu_member_t *m = &n->mem.m[i];
        if (m->id == n->o.node_id || m->leaving || !node_peer_up(n, m->id))
            continue;
        u->id[u->n] = m->id;
        snprintf(u->addr[u->n++], CLU_ADDR_MAX, "%s", m->addr);
    }
}

rdb_status_t node_hints_wait_members(clu_node_t *n, uint16_t peer, uint64_t timeout_ms,
                                     rdb_err_t *err)
{
    up_list_t u = { 0 };
    node_call_sync(n, up_fn, &u);
    char ids[8], tms[24];
    snprintf(ids, sizeof ids, "%u", peer);
    snprintf(tms, sizeof tms, "%llu", (unsigned long long)(timeout_ms / 1000 + 1));
    const char *args[2] = { ids, tms };
    size_t lens[2] = { strlen(ids), strlen(tms) };
    rdb_status_t st = RDB_OK;
    for (size_t i = 0; i < u.n && st == RDB_OK; i++)
        st = node_call_addr(n, u.addr[i], "hints-redirect", args, lens, 2,
                            (int)(timeout_ms + 30000), NULL, err);
    free(u.addr);
    free(u.id);
    return st;
}
