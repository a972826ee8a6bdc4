/*
 * node_remove.c — taking a dead member out of the cluster (`ringdb-ctl
 * removenode ID`, Cassandra's removenode), and the confirmations that
 * removenode and leave wait for instead of fixed pauses.
 *
 * Confirmations.
 *   node_wait_seen: every member whose link is up has gossiped to this node
 *     a member table in which the member in question is leaving (at least
 *     the version of its leave) or removed.  A member changes its ring
 *     before it gossips the table that shows the change, and a link
 *     delivers frames in order, so once its gossip has arrived here every
 *     write it coordinated under the old ring and sent to this node has
 *     arrived too.
 *   node_apply_barrier: everything received so far is applied (visible in
 *     the store), so a walk of the store started afterwards sees it.
 * Members that are down are not waited for: they coordinate nothing now,
 * and learn the change from gossip when they are back.
 *
 * removenode ID (the node receiving the command coordinates):
 *   1. refuse unless ID is a member that is down (an up or suspect member
 *      leaves with `leave`, which hands its own data off);
 *   2. mark ID removed in the member table (members.h: sticky, gossiped):
 *      every member drops it from the ring and the partition placement
 *      (range partitions are ring tokens), drops the hints it held for it
 *      and refuses its links from then on, so a removed node that comes
 *      back cannot rejoin with stale data;
 *   3. wait until every up member has seen the removal (node_wait_seen);
 *   4. ask every up member, itself included, to re-replicate ("rereplicate
 *      ID" on its control port, concurrently): the member waits until every
 *      up member's gossip shows the removal and its applier caught up, then
 *      walks its store and writes every record of which it was a replica
 *      together with ID under the old ring (the ring plus ID) to the
 *      record's replicas under the new ring at ALL, with the record's own
 *      version (blind puts: LWW makes a second copy harmless).  ALL counts
 *      durable acknowledgements, so when every member answered, every range
 *      ID held is back at the replication factor on disk;
 *   5. answer {"removed":ID,"records_streamed":N,"members":[...]}.
 * A failure (a member down, a write not acknowledged in time: 57P03; the
 * confirmation timing out) answers the error; running removenode again
 * resumes at step 3 (the mark stays).
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cluster/client.h"
#include "cluster/node_int.h"
#include "common/log.h"
#include "common/mem.h"

#define REMOVE_TIMEOUT_MS 60000   /* default of each confirmation */

/* ---- calling another member's control port ------------------------------------ */

rdb_status_t node_call_addr(clu_node_t *n, const char *addr, const char *cmd,
                            const char *const *args, const size_t *lens, size_t nargs,
                            int timeout_ms, rdb_buf_t *reply, rdb_err_t *err)
{
    char host[CLU_ADDR_MAX];
    snprintf(host, sizeof host, "%s", addr);
    char *colon = strrchr(host, ':');
    if (!colon)
        return rdb_err_set(err, RDB_UNAVAILABLE, RDB_SQLSTATE_UNAVAILABLE,
                           "no peer address \"%s\"", addr);
    *colon = 0;
    clu_client_t *cl;
    rdb_status_t st = clu_client_connect(host, atoi(colon + 1), n->secret, timeout_ms, &cl, err);
    if (st != RDB_OK)
        return st;
    rdb_buf_t out = RDB_BUF_INIT;
    st = clu_client_call(cl, cmd, args, lens, nargs, CLU_CL_ONE, &out, err);
    clu_client_close(cl);
    if (st == RDB_OK && reply)
        rdb_buf_append(reply, out.data, out.len);
    if (st == RDB_SQL) {  /* the member's error, with its SQLSTATE */
        json_t *j = json_loadb(out.data, out.len, 0, NULL);
        const char *ss = json_string_value(json_object_get(j, "sqlstate"));
        const char *msg = json_string_value(json_object_get(j, "error"));
        rdb_err_clear(err);
        rdb_err_set(err, RDB_UNAVAILABLE, ss && strlen(ss) == 5 ? ss : RDB_SQLSTATE_UNAVAILABLE,
                    "%s", msg ? msg : "the member failed");
        st = err->code;
        json_decref(j);
    }
    rdb_buf_free(&out);
    return st;
}

/* ---- confirmations ---------------------------------------------------------------- */

typedef struct seen_call {
    uint16_t id;
    uint64_t version;
    bool     removed;
    uint16_t lag;      /* out: a member that has not confirmed, 0 none */
} seen_call_t;

static void seen_fn(clu_node_t *n, void *arg)
{
    seen_call_t *c = arg;
    c->lag = 0;
    for (size_t i = 0; i < n->mem.n && !c->lag; i++) {
        const clu_member_t *m = &n->mem.m[i];
        if (m->id == n->o.node_id || m->id == c->id || m->leaving || !node_peer_up(n, m->id))
            continue;
        const rdb_buf_t *g = &node_peer(n, m->id)->gossip_mem;
        clu_member_t v;
        bool ok = g->len && clu_members_peek_encoded(g->data, g->len, c->id, &v) &&
                  (c->removed ? v.removed : v.leaving && v.version >= c->version);
        if (!ok)
            c->lag = m->id;
    }
}

rdb_status_t node_wait_seen(clu_node_t *n, uint16_t id, uint64_t version, bool removed,
                            uint64_t timeout_ms, rdb_err_t *err)
{
    uint64_t deadline = node_mono_ms() + timeout_ms;
    seen_call_t c = { .id = id, .version = version, .removed = removed };
    for (;;) {
        node_call_sync(n, seen_fn, &c);
        if (!c.lag)
            return RDB_OK;
        if (atomic_load(&n->bg_stop))
            return rdb_err_set(err, RDB_UNAVAILABLE, RDB_SQLSTATE_UNAVAILABLE,
                               "the cluster node is shutting down");
        if (node_mono_ms() >= deadline)
            return rdb_err_set(err, RDB_UNAVAILABLE, RDB_SQLSTATE_UNAVAILABLE,
                               "node %u has not acknowledged that node %u %s within %llu ms",
                               c.lag, id, removed ? "was removed" : "is leaving",
                               (unsigned long long)timeout_ms);
        node_sleep_ms(20);
    }
}

static void epoch_fn(clu_node_t *n, void *arg)
{
    const apply_batch_t *a = &n->acc;
    *(uint64_t *)arg = n->ap_epoch + (a->nrx || a->nacks || a->wprep ? 1 : 0);
}

static void applied_fn(clu_node_t *n, void *arg) { *(uint64_t *)arg = n->ap_applied; }

void node_apply_barrier(clu_node_t *n)
{
    uint64_t target = 0, done = 0;
    node_call_sync(n, epoch_fn, &target);
    for (int i = 0; i < 2000 && !atomic_load(&n->bg_stop); i++) {
        node_call_sync(n, applied_fn, &done);
        if (done >= target)
            return;
        node_sleep_ms(5);
    }
    RDB_LOG_WARN("node", "the applier did not catch up within 10 s");
}

/* ---- rereplicate (every surviving member) ------------------------------------------ */

static void mark_fn(clu_node_t *n, void *arg)
{
    uint16_t id = *(uint16_t *)arg;
    if (clu_members_remove(&n->mem, id, clu_hlc_now(&n->hlc))) {
        RDB_LOG_INFO("node", "node %u removed from the cluster", id);
        node_members_changed(n);
        node_gossip_now(n);
    }
}

static rdb_status_t rereplicate(clu_node_t *n, uint16_t id, uint64_t timeout_ms,
                                uint64_t *sent, rdb_err_t *err)
{
    node_call_sync(n, mark_fn, &id);   /* normally known already (gossip) */
    rdb_status_t st = node_wait_seen(n, id, 0, true, timeout_ms, err);
    if (st != RDB_OK)
        return st;
    node_apply_barrier(n);
    st = node_rereplicate_walk(n, id, sent, err);
    if (st == RDB_OK)   /* and the hints held here for it (node_hints.c) */
        st = node_hints_wait_gone(n, id, timeout_ms, err);
    if (st == RDB_OK)
        RDB_LOG_INFO("node", "re-replicated %llu records of ranges node %u held",
                     (unsigned long long)*sent, id);
    return st;
}

/* ---- control commands ------------------------------------------------------------- */

typedef struct rm_member {
    uint16_t     id;
    char         addr[CLU_ADDR_MAX];
    pthread_t    thr;
    bool         started;
    struct ctl_rm *c;
    rdb_status_t st;
    uint64_t     sent;
    rdb_err_t    err;
} rm_member_t;

typedef struct ctl_rm {
    clu_node_t  *n;
    uint32_t     client;
    uint64_t     id;
    uint16_t     node;        /* the member removed */
    uint64_t     timeout_ms;
    bool         coord;       /* removenode (else rereplicate) */
    rm_member_t *m;           /* up members, self first */
    size_t       nm;
    rdb_status_t st;
    uint64_t     sent;
    rdb_err_t    err;
} ctl_rm_t;

static void rm_reply(clu_node_t *n, void *arg)
{
    ctl_rm_t *c = arg;
    if (c->st != RDB_OK) {
        node_ctl_reply_err(n, c->client, c->id, &c->err);
        return;
    }
    json_t *j = json_object();
    if (c->coord) {
        json_object_set_new(j, "removed", json_integer(c->node));
        json_t *a = json_array();
        for (size_t i = 0; i < c->nm; i++)
            json_array_append_new(a, json_integer(c->m[i].id));
        json_object_set_new(j, "members", a);
    }
    json_object_set_new(j, "records_streamed", json_integer((json_int_t)c->sent));
    char *s = json_dumps(j, JSON_COMPACT);
    node_ctl_reply(n, c->client, c->id, true, s, strlen(s));
    free(s);
    json_decref(j);
}

static void *rm_member_main(void *arg)
{
    rm_member_t *m = arg;
    ctl_rm_t *c = m->c;
    if (m->id == c->n->o.node_id) {
        m->st = rereplicate(c->n, c->node, c->timeout_ms, &m->sent, &m->err);
        return NULL;
    }
    char ids[8], tms[24];
    snprintf(ids, sizeof ids, "%u", c->node);
    snprintf(tms, sizeof tms, "%llu", (unsigned long long)(c->timeout_ms / 1000));
    const char *args[2] = { ids, tms };
    size_t lens[2] = { strlen(ids), strlen(tms) };
    rdb_buf_t reply = RDB_BUF_INIT;
    m->st = node_call_addr(c->n, m->addr, "rereplicate", args, lens, 2,
                           (int)(c->timeout_ms * 3 + 600000), &reply, &m->err);
    if (m->st == RDB_OK) {
        json_t *j = json_loadb(reply.data, reply.len, 0, NULL);
        m->sent = (uint64_t)json_integer_value(json_object_get(j, "records_streamed"));
        json_decref(j);
    }
    rdb_buf_free(&reply);
    return NULL;
}

static void up_members_fn(clu_node_t *n, void *arg)
{
    ctl_rm_t *c = arg;
    c->m = rdb_calloc(n->mem.n + 1, sizeof *c->m);
    c->m[c->nm++].id = n->o.node_id;
    for (size_t i = 0; i < n->mem.n; i++) {
        const clu_member_t *m = &n->mem.m[i];
        if (m->id == n->o.node_id || m->leaving || !node_peer_up(n, m->id))
            continue;
        rm_member_t *r = &c->m[c->nm++];
        r->id = m->id;
        snprintf(r->addr, sizeof r->addr, "%s", m->addr);
    }
}

static void *ctl_rm_main(void *arg)
{
    ctl_rm_t *c = arg;
    clu_node_t *n = c->n;
    if (!c->coord) {
        c->st = rereplicate(n, c->node, c->timeout_ms, &c->sent, &c->err);
    } else if ((c->st = node_wait_seen(n, c->node, 0, true, c->timeout_ms, &c->err)) == RDB_OK) {
        node_call_sync(n, up_members_fn, c);
        for (size_t i = 0; i < c->nm; i++) {
            c->m[i].c = c;
            c->m[i].err = (rdb_err_t)RDB_ERR_INIT;
            c->m[i].started = pthread_create(&c->m[i].thr, NULL, rm_member_main, &c->m[i]) == 0;
            if (!c->m[i].started)
                rm_member_main(&c->m[i]);
        }
        for (size_t i = 0; i < c->nm; i++) {
            rm_member_t *m = &c->m[i];
            if (m->started)
                pthread_join(m->thr, NULL);
            c->sent += m->sent;
            if (m->st != RDB_OK && c->st == RDB_OK) {
                c->st = rdb_err_set(&c->err, m->st, m->err.sqlstate,
                                    "re-replication on node %u failed: %s", m->id,
                                    m->err.msg ? m->err.msg : "error");
            }
            rdb_err_clear(&m->err);
        }
        if (c->st == RDB_OK)
            RDB_LOG_INFO("node", "removenode %u done: %llu records re-replicated by %zu members",
                         c->node, (unsigned long long)c->sent, c->nm);
    }
    node_call_sync(n, rm_reply, c);
    rdb_err_clear(&c->err);
    free(c->m);
    free(c);
    return NULL;
}

static uint64_t arg_u64(const char *a, size_t al)
{
    char b[24] = "";
    memcpy(b, a, al < sizeof b - 1 ? al : sizeof b - 1);
    return strtoull(b, NULL, 10);
}

void node_remove_ctl(clu_node_t *n, uint32_t client, uint64_t id, const char *arg, size_t al,
                     const char *tmo, size_t tl, bool coord)
{
    rdb_err_t e = RDB_ERR_INIT;
    uint64_t node = arg_u64(arg, al);
    const clu_member_t *m = node && node <= UINT16_MAX ? clu_members_get(&n->mem, (uint16_t)node)
                                                       : NULL;
    if (!m) {
        rdb_err_set(&e, RDB_INVALID, RDB_SQLSTATE_INVALID_PARAMETER,
                    "node %.*s is not a member of the cluster", (int)al, arg);
    } else if (coord && m->id == n->o.node_id) {
        rdb_err_set(&e, RDB_INVALID, RDB_SQLSTATE_INVALID_PARAMETER,
                    "node %u cannot remove itself: run ringdb-ctl leave on it", m->id);
    } else if (coord && !m->removed &&
               (clu_net_is_up(n->net, m->id) || m->state == CLU_M_UP ||
                m->state == CLU_M_SUSPECT)) {
        rdb_err_set(&e, RDB_BUSY, "55006" /* object_in_use */,
                    "node %u is %s: removenode is for a dead node; run ringdb-ctl leave on it "
                    "to take it out of the cluster", m->id,
                    m->state == CLU_M_SUSPECT ? "suspect, not down yet" : "up");
    }
    if (e.code != RDB_OK) {
        node_ctl_reply_err(n, client, id, &e);
        rdb_err_clear(&e);
        return;
    }
    uint16_t rid = m->id;
    if (coord)
        mark_fn(n, &rid);
    ctl_rm_t *c = rdb_calloc(1, sizeof *c);
    c->n = n;
    c->client = client;
    c->id = id;
    c->node = rid;
    c->coord = coord;
    c->err = (rdb_err_t)RDB_ERR_INIT;
    c->timeout_ms = tmo && tl ? arg_u64(tmo, tl) * 1000 : REMOVE_TIMEOUT_MS;
    if (!c->timeout_ms)
        c->timeout_ms = REMOVE_TIMEOUT_MS;
    if (!node_ctl_thread(n, client, id, ctl_rm_main, c))
        free(c);
}
