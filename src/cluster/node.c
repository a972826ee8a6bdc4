/*
 * node.c — the node's life cycle, thread and loop, membership (heartbeat,
 * failure detection, gossip, persistence), frame dispatch and status.  See
 * node.h for the contract and node_int.h for the state.
 *
 * Loop structure: peer frames arrive through clu_net callbacks; API calls
 * arrive through a locked queue and `wake` (ev_async); replicated writes
 * received in one loop iteration are handed to the applier thread as one
 * batch (one fsync) in the ev_prepare hook, before the loop sleeps, and
 * their acks go out when it is done (group commit, node_apply.c).
 */
#include "cluster/node.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cluster/client.h"
#include "cluster/node_int.h"
#include "cluster/options.h"
#include "common/clock.h"
#include "common/log.h"
#include "common/mem.h"

uint64_t node_mono_ms(void)
{
    return rdb_now_us() / 1000;
}

void clu_node_opts_default(clu_node_opts_t *o)
{
    memset(o, 0, sizeof *o);
    o->peer_host = "127.0.0.1";
    o->rf = CLU_RING_DEFAULT_RF;
    o->vnodes = CLU_RING_DEFAULT_VNODES;
    o->max_clock_offset_ms = 500;
    o->heartbeat_ms = 200;
    o->failure_timeout_ms = 2000;
    o->write_timeout_ms = 2000;
    o->hint_limit = 256u << 20;
    o->hint_window_ms = 3ull * 3600 * 1000;
    o->tombstone_grace_ms = 10ull * 86400 * 1000;
    o->ae_interval_ms = 600000;
    o->read_repair_pct = 10;
    o->auto_split_cooldown_ms = 30000;
    o->sync = true;
}

rdb_status_t clu_node_opts_from_config(clu_node_opts_t *o, const rdb_config_t *cfg,
                                       rdb_err_t *err)
{
    clu_node_opts_default(o);
    int64_t id = rdb_config_int(cfg, "node-id");
    if (id < 1 || id > 65535)
        return rdb_err_set(err, RDB_INVALID, RDB_SQLSTATE_INVALID_PARAMETER,
                           "invalid node id %lld: must be between 1 and 65535", (long long)id);
    o->node_id = (uint16_t)id;
    o->data_dir = rdb_config_str(cfg, "data-dir");
    o->peer_host = rdb_config_str(cfg, "peer-host");
    o->peer_port = (int)rdb_config_int(cfg, "peer-port");
    o->peers = rdb_config_str(cfg, "peers");
    o->join = rdb_config_str(cfg, "join");
    o->secret = rdb_config_str(cfg, "cluster-secret");
    const char *sf = rdb_config_str(cfg, "cluster-secret-file");
    if (sf) {
        /* Kept for the process's life: the options hold borrowed strings. */
        static char *file_secret;
        free(file_secret);
        file_secret = clu_read_secret_file(sf);
        if (!file_secret)
            return rdb_err_set(err, RDB_IOERROR, RDB_SQLSTATE_IO_ERROR,
                               "could not read cluster secret file \"%s\": %s", sf,
                               strerror(errno));
        o->secret = file_secret;
    }
    if (!o->secret || !*o->secret)
        return rdb_err_set(err, RDB_INVALID, RDB_SQLSTATE_INVALID_PARAMETER,
                           "a cluster node needs --cluster-secret or --cluster-secret-file");
    int64_t rf = rdb_config_int(cfg, "replication-factor");
    int64_t vn = rdb_config_int(cfg, "vnodes");
    if (rf < 1 || rf > NODE_MAX_RF)
        return rdb_err_set(err, RDB_INVALID, RDB_SQLSTATE_INVALID_PARAMETER,
                           "invalid replication factor %lld: must be between 1 and %d",
                           (long long)rf, NODE_MAX_RF);
    if (vn < 1 || vn > CLU_RING_MAX_VNODES)
        return rdb_err_set(err, RDB_INVALID, RDB_SQLSTATE_INVALID_PARAMETER,
                           "invalid vnode count %lld", (long long)vn);
    o->rf = (uint32_t)rf;
    o->vnodes = (uint32_t)vn;
    o->max_clock_offset_ms = (uint64_t)rdb_config_ms(cfg, "max-clock-offset");
    o->heartbeat_ms = (uint64_t)rdb_config_ms(cfg, "heartbeat-interval");
    o->failure_timeout_ms = (uint64_t)rdb_config_ms(cfg, "failure-timeout");
    o->write_timeout_ms = (uint64_t)rdb_config_ms(cfg, "write-timeout");
    o->hint_limit = (uint64_t)rdb_config_size(cfg, "hint-limit");
    o->hint_window_ms = (uint64_t)rdb_config_ms(cfg, "hint-window");
    o->tombstone_grace_ms = (uint64_t)rdb_config_ms(cfg, "tombstone-grace");
    o->ae_interval_ms = (uint64_t)rdb_config_ms(cfg, "anti-entropy-interval");
    o->read_repair_pct = (int)rdb_config_int(cfg, "read-repair-chance");
    int64_t asr = rdb_config_int(cfg, "auto-split-rate");
    o->auto_split_rate = asr > 0 ? (uint64_t)asr : 0;
    o->auto_split_cooldown_ms = (uint64_t)rdb_config_ms(cfg, "auto-split-cooldown");
    o->sync = rdb_config_bool(cfg, "write-sync");
    if (o->heartbeat_ms == 0 || o->failure_timeout_ms == 0 || o->write_timeout_ms == 0)
        return rdb_err_set(err, RDB_INVALID, RDB_SQLSTATE_INVALID_PARAMETER,
                           "heartbeat-interval, failure-timeout and write-timeout must be > 0");
    if (o->hint_window_ms >= o->tombstone_grace_ms)
        return rdb_err_set(err, RDB_INVALID, RDB_SQLSTATE_INVALID_PARAMETER,
                           "hint-window must be shorter than tombstone-grace");
    return RDB_OK;
}

/* ---- small helpers shared by the node files ------------------------------ */

peer_state_t *node_peer(clu_node_t *n, uint16_t id)
{
    if (!n->ps[id]) {
        n->ps[id] = rdb_calloc(1, sizeof *n->ps[id]);
        n->ps[id]->id = id;
        n->ps[id]->down_since_ms = node_mono_ms();
    }
    return n->ps[id];
}

void node_send(clu_node_t *n, uint16_t peer, const rdb_buf_t *frame)
{
    rdb_status_t st = clu_net_send(n->net, peer, frame->data, frame->len);
    if (st != RDB_OK)
        RDB_LOG_DEBUG("node", "frame to node %u not sent (%s)", peer, rdb_status_name(st));
}

bool node_peer_up(clu_node_t *n, uint16_t peer)
{
    return peer == n->o.node_id || clu_net_is_up(n->net, peer);
}

size_t node_replicas(clu_node_t *n, const void *key, size_t klen, uint16_t *out)
{
    if (klen && ((const unsigned char *)key)[0] == 0x01) {
        size_t k = 0;
        for (size_t i = 0; i < n->ring.nnodes && k < NODE_MAX_RF * 4; i++)
            out[k++] = n->ring.nodes[i];
        return k;
    }
    if (n->ring.nvn == 0) {
        out[0] = n->o.node_id;
        return 1;
    }
    return clu_ring_replicas(&n->ring, clu_replica_token(&n->rep, key, klen), out);
}

void node_pack_record(msgpack_packer *pk, const clu_record_t *r)
{
    msgpack_pack_array(pk, 6);
    msgpack_pack_bin(pk, r->klen);
    msgpack_pack_bin_body(pk, r->key, r->klen);
    if (r->tombstone) {
        msgpack_pack_nil(pk);
    } else {
        msgpack_pack_bin(pk, r->vlen);
        msgpack_pack_bin_body(pk, r->value, r->vlen);
    }
    msgpack_pack_uint64(pk, r->version.hlc);
    msgpack_pack_uint16(pk, r->version.node_id);
    msgpack_pack_uint16(pk, r->origin);
    msgpack_pack_uint64(pk, r->seq);
}

static bool obj_bin(const msgpack_object *o, const char **p, size_t *n)
{
    if (o->type == MSGPACK_OBJECT_BIN) {
        *p = o->via.bin.ptr;
        *n = o->via.bin.size;
        return true;
    }
    if (o->type == MSGPACK_OBJECT_STR) {
        *p = o->via.str.ptr;
        *n = o->via.str.size;
        return true;
    }
    return false;
}

bool node_unpack_record(const msgpack_object *o, clu_record_t *r)
{
    memset(r, 0, sizeof *r);
    if (o->type != MSGPACK_OBJECT_ARRAY || o->via.array.size != 6)
        return false;
    const msgpack_object *a = o->via.array.ptr;
    const char *p;
    size_t len;
    if (!obj_bin(&a[0], &p, &len) || len == 0 || len > LSM_MAX_KEY_SIZE ||
        (unsigned char)p[0] == 0x00)
        return false;
    r->key = p;
    r->klen = len;
    if (a[1].type == MSGPACK_OBJECT_NIL) {
        r->tombstone = true;
    } else if (obj_bin(&a[1], &p, &len)) {
        r->value = p;
        r->vlen = len;
    } else {
        return false;
    }
    for (int i = 2; i < 6; i++)
        if (a[i].type != MSGPACK_OBJECT_POSITIVE_INTEGER)
            return false;
    if (a[3].via.u64 > UINT16_MAX || a[4].via.u64 > UINT16_MAX)
        return false;
    r->version.hlc = a[2].via.u64;
    r->version.node_id = (uint16_t)a[3].via.u64;
    r->origin = (uint16_t)a[4].via.u64;
    r->seq = a[5].via.u64;
    return true;
}

/* ---- membership ---------------------------------------------------------- */

static void node_dial(clu_node_t *n, const char *addr)
{
    if (!addr || !*addr || strcmp(addr, n->addr) == 0)
        return;
    for (size_t i = 0; i < n->ndialled; i++)
        if (strcmp(n->dialled[i], addr) == 0)
            return;
    const char *colon = strrchr(addr, ':');
    if (!colon || colon == addr) {
        RDB_LOG_WARN("node", "ignoring peer address \"%s\": expected HOST:PORT", addr);
        return;
    }
    char host[CLU_ADDR_MAX];
    size_t hl = (size_t)(colon - addr);
    if (hl >= sizeof host)
        return;
    memcpy(host, addr, hl);
    host[hl] = 0;
    rdb_err_t e = RDB_ERR_INIT;
    if (clu_net_dial(n->net, host, atoi(colon + 1), &e) != RDB_OK) {
        RDB_LOG_WARN("node", "cannot dial %s: %s", addr, e.msg);
        rdb_err_clear(&e);
        return;
    }
    n->dialled = rdb_realloc(n->dialled, (n->ndialled + 1) * sizeof *n->dialled);
    n->dialled[n->ndialled++] = rdb_strdup(addr);
}

static void node_dial_list(clu_node_t *n, const char *list)
{
    if (!list)
        return;
    char *copy = rdb_strdup(list), *save = NULL;
    for (char *t = strtok_r(copy, ", ", &save); t; t = strtok_r(NULL, ", ", &save))
        node_dial(n, t);
    free(copy);
}

/* The ring follows the member table: every member not leaving. */
static void node_rebuild_ring(clu_node_t *n)
{
    clu_ring_t r;
    clu_ring_init(&r, n->o.vnodes, n->o.rf);
    uint64_t ver = 0;
    for (size_t i = 0; i < n->mem.n; i++) {
        const clu_member_t *m = &n->mem.m[i];
        if (m->version > ver)
            ver = m->version;
        if (!m->leaving)
            clu_ring_add(&r, m->id, 0);
    }
    r.version = ver;
    bool same = r.nnodes == n->ring.nnodes &&
                (r.nnodes == 0 || memcmp(r.nodes, n->ring.nodes, r.nnodes * 2) == 0);
    clu_ring_t old = n->ring;
    n->ring = r;
    if (!same) {
        node_part_ring_changed(n, &old, &n->ring);
        node_move_ring_changed(n, &old, &n->ring);
    }
    clu_ring_free(&old);
    if (!same) {
        char list[512] = "";
        size_t off = 0;
        for (size_t i = 0; i < r.nnodes && off < sizeof list - 8; i++)
            off += (size_t)snprintf(list + off, sizeof list - off, "%s%u", i ? "," : "", r.nodes[i]);
        RDB_LOG_INFO("node", "ring: %zu members [%s], rf %u, %zu partitions", r.nnodes, list,
                     r.rf, r.nvn);
    }
}

static void node_send_gossip(clu_node_t *n, uint16_t peer);

/* A member removed by removenode: its links are closed (clu_net_refuse)
 * and its hints go to the new replicas (node_hints.c); if it is this node,
 * every link is refused from now on. */
static void node_handle_removed(clu_node_t *n)
{
    for (size_t i = 0; i < n->mem.n; i++) {
        const clu_member_t *m = &n->mem.m[i];
        if (!m->removed)
            continue;
        if (m->id == n->o.node_id) {
            if (!n->self_removed)
                RDB_LOG_ERROR("node", "this node (%u) was removed from the cluster "
                              "(ringdb-ctl removenode): it refuses its peers and they refuse "
                              "it; wipe its data directory and join it under a new node id",
                              n->o.node_id);
            n->self_removed = true;
            continue;
        }
        peer_state_t *ps = node_peer(n, m->id);
        if (ps->removed_done)
            continue;
        ps->removed_done = true;
        ps->join_push = false;
        RDB_LOG_INFO("node", "member %u was removed from the cluster: its links are refused "
                     "and its hints redirected to the new replicas", m->id);
        clu_net_refuse(n->net, m->id);
    }
    if (n->self_removed)
        for (size_t i = 0; i < n->mem.n; i++)
            if (n->mem.m[i].id != n->o.node_id)
                clu_net_refuse(n->net, n->mem.m[i].id);
}

bool node_refused(clu_node_t *n, uint16_t peer)
{
    const clu_member_t *m;
    return n->self_removed || ((m = clu_members_get(&n->mem, peer)) != NULL && m->removed);
}

void node_members_changed(clu_node_t *n)
{
    rdb_err_t e = RDB_ERR_INIT;
    if (clu_members_save(&n->mem, n->members_path, &e) != RDB_OK) {
        RDB_LOG_WARN("node", "%s", e.msg);
        rdb_err_clear(&e);
    }
    node_handle_removed(n);
    for (size_t i = 0; i < n->mem.n; i++)
        if (n->mem.m[i].id != n->o.node_id && !n->mem.m[i].leaving)
            node_dial(n, n->mem.m[i].addr);
    node_rebuild_ring(n);
    /* Hints for members that left or were removed: to the new replicas. */
    for (size_t i = 0; i < n->mem.n; i++)
        node_hints_redirect(n, n->mem.m[i].id);
}

static void node_send_gossip(clu_node_t *n, uint16_t peer)
{
    rdb_buf_t mem = RDB_BUF_INIT, vv = RDB_BUF_INIT, f = RDB_BUF_INIT;
    clu_members_encode(&n->mem, &mem);
    /* The vector as of the last durable batch (node_apply.c): never what
     * is only applied, nor waiting for the applier's rep_mu. */
    rdb_buf_append(&vv, n->gossip_vv.data, n->gossip_vv.len);
    msgpack_packer pk;
    size_t st = clu_frame_start(&f, &pk, CLU_MSG_GOSSIP, n->o.node_id, clu_hlc_peek(&n->hlc), 3);
    msgpack_pack_bin(&pk, mem.len);
    msgpack_pack_bin_body(&pk, mem.data, mem.len);
    msgpack_pack_bin(&pk, vv.len);
    msgpack_pack_bin_body(&pk, vv.data, vv.len);
    /* This node's partition write rates (partmap.h: cluster-wide load). */
    clu_pmap_pack_report(n->pmap, 0.5, &pk);
    clu_frame_finish(&f, st);
    if (peer) {
        node_send(n, peer, &f);
    } else {
        for (size_t i = 0; i < n->mem.n; i++)
            if (n->mem.m[i].id != n->o.node_id && clu_net_is_up(n->net, n->mem.m[i].id))
                node_send(n, n->mem.m[i].id, &f);
    }
    rdb_buf_free(&mem);
    rdb_buf_free(&vv);
    rdb_buf_free(&f);
}

static void node_on_gossip(clu_node_t *n, uint16_t from, clu_frame_t *f)
{
    const char *p;
    size_t len, changed = 0;
    rdb_err_t e = RDB_ERR_INIT;
    if (!clu_field_bin(f, 0, &p, &len) ||
        clu_members_merge_encoded(&n->mem, p, len, &changed, &e) != RDB_OK) {
        RDB_LOG_WARN("node", "bad gossip from node %u: %s", from, e.msg ? e.msg : "malformed");
        rdb_err_clear(&e);
        return;
    }
    peer_state_t *ps = node_peer(n, from);
    rdb_buf_reset(&ps->gossip_mem);
    rdb_buf_append(&ps->gossip_mem, p, len);
    if (clu_field_bin(f, 1, &p, &len)) {
        clu_vv_t vv;
        clu_vv_init(&vv);
        if (clu_vv_decode(&vv, p, len, &e) == RDB_OK)
            node_peer(n, from)->remote_contig = clu_vv_contig(&vv, n->o.node_id);
        rdb_err_clear(&e);
        clu_vv_free(&vv);
    }
    if (f->nfields > 2)
        clu_pmap_peer_report(n->pmap, from, node_mono_ms(), &f->fields[2]);
    if (changed)
        node_members_changed(n);
}

static void node_send_ping(clu_node_t *n, uint16_t peer, clu_msg_type_t type, uint64_t t)
{
    rdb_buf_t f = RDB_BUF_INIT;
    msgpack_packer pk;
    size_t st = clu_frame_start(&f, &pk, type, n->o.node_id, clu_hlc_peek(&n->hlc), 1);
    msgpack_pack_uint64(&pk, t);
    clu_frame_finish(&f, st);
    node_send(n, peer, &f);
    rdb_buf_free(&f);
}

static void hb_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
    clu_node_t *n = w->data;
    uint64_t now = node_mono_ms();
    for (size_t i = 0; i < n->mem.n; i++) {
        uint16_t id = n->mem.m[i].id;
        if (id != n->o.node_id && clu_net_is_up(n->net, id))
            node_send_ping(n, id, CLU_MSG_PING, rdb_now_us());
    }
    clu_mstate_t before[n->mem.n];
    for (size_t i = 0; i < n->mem.n; i++)
        before[i] = n->mem.m[i].state;
    size_t nm = n->mem.n;
    if (clu_members_tick(&n->mem, now) == 0)
        return;
    for (size_t i = 0; i < nm && i < n->mem.n; i++) {
        clu_member_t *m = &n->mem.m[i];
        if (m->state == before[i])
            continue;
        RDB_LOG_INFO("node", "member %u (%s) is now %s", m->id, m->addr, clu_mstate_name(m->state));
        /* A link that stays open to a silent peer (a firewall drops its
         * packets) is closed, so its writes turn into hints. */
        if (m->state == CLU_M_DOWN && clu_net_is_up(n->net, m->id))
            clu_net_drop(n->net, m->id);
    }
}

void node_gossip_now(clu_node_t *n)
{
    node_send_gossip(n, 0);
}

static void gossip_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
    node_send_gossip(w->data, 0);
}

static void grace_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
    clu_node_t *n = w->data;
    clu_replica_set_grace(&n->rep, clu_hlc_peek(&n->hlc), n->o.tombstone_grace_ms);
}

static void ae_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
    clu_node_t *n = w->data;
    if (!n->round.active)
        node_ae_round(n, 0, 0);
}

static void load_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
    node_part_tick(w->data);
    node_move_tick(w->data);
}

static void hint_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
    clu_node_t *n = w->data;
    for (size_t i = 0; i < n->mem.n; i++)
        if (n->mem.m[i].id != n->o.node_id)
            node_hints_pump(n, n->mem.m[i].id);
}

/* ---- frames -------------------------------------------------------------- */

static void on_frame(clu_net_t *net, uint16_t from, clu_frame_t *f, void *ctx)
{
    clu_node_t *n = ctx;
    if (node_refused(n, from))
        return;   /* a removed member's frames, until its link closes */
    clu_members_heard(&n->mem, from, node_mono_ms());
    uint64_t t;
    switch (f->type) {
    case CLU_MSG_PING:
        if (clu_field_u64(f, 0, &t))
            node_send_ping(n, from, CLU_MSG_PONG, t);
        break;
    case CLU_MSG_PONG:
        if (clu_field_u64(f, 0, &t) && t <= rdb_now_us())
            node_peer(n, from)->rtt_us = rdb_now_us() - t;
        break;
    case CLU_MSG_GOSSIP:      node_on_gossip(n, from, f); break;
    case CLU_MSG_WRITE:       node_on_write(n, from, f); break;
    case CLU_MSG_WRITE_ACK:   node_on_write_ack(n, from, f); break;
    case CLU_MSG_READ:        node_on_read(n, from, f); break;
    case CLU_MSG_READ_REPLY:  node_on_read_reply(n, from, f); break;
    case CLU_MSG_SCAN:        node_on_scan(n, from, f); break;
    case CLU_MSG_SCAN_REPLY:  node_on_scan_reply(n, from, f); break;
    case CLU_MSG_MERKLE_REQ:  node_on_merkle_req(n, from, f); break;
    case CLU_MSG_MERKLE:      node_on_merkle(n, from, f); break;
    case CLU_MSG_RANGE_REQ:   node_on_range_req(n, from, f); break;
    case CLU_MSG_RANGE_DATA:  node_on_range_data(n, from, f); break;
    case CLU_MSG_AE_DONE:     node_on_ae_done(n, from, f); break;
    case CLU_MSG_ADVANCE:     node_on_advance(n, from, f); break;
    default:
        RDB_LOG_DEBUG("node", "ignoring frame type %u from node %u", f->type, from);
    }
}

static void on_state(clu_net_t *net, uint16_t peer, bool up, void *ctx)
{
    clu_node_t *n = ctx;
    if (up && node_refused(n, peer)) {
        /* Tell it (our table says it is removed) and close the link. */
        peer_state_t *ps = node_peer(n, peer);
        if (!ps->refused_log_ms || node_mono_ms() - ps->refused_log_ms > 10000) {
            ps->refused_log_ms = node_mono_ms();
            if (n->self_removed)
                RDB_LOG_WARN("node", "refused link to node %u: this node was removed from the "
                             "cluster", peer);
            else
                RDB_LOG_WARN("node", "refused node %u: it was removed from the cluster "
                             "(ringdb-ctl removenode) and may not rejoin with its old data",
                             peer);
        }
        node_send_gossip(n, peer);
        clu_net_refuse(net, peer);
        return;
    }
    if (up) {
        clu_members_heard(&n->mem, peer, node_mono_ms());
        node_peer(n, peer)->down_since_ms = 0;
        node_send_gossip(n, peer);
        node_peer_up_writes(n, peer);
        node_part_peer_up(n, peer);
    } else {
        RDB_LOG_INFO("node", "link to node %u down", peer);
        node_peer(n, peer)->down_since_ms = node_mono_ms();
        node_peer_down(n, peer);
        node_ae_peer_down(n, peer);
    }
}

/* ---- posted requests ----------------------------------------------------- */

static void wake_cb(struct ev_loop *loop, ev_async *w, int revents)
{
    clu_node_t *n = w->data;
    pthread_mutex_lock(&n->qmu);
    post_t *p = n->q_head;
    n->q_head = n->q_tail = NULL;
    bool stop = n->stopping;
    pthread_mutex_unlock(&n->qmu);
    while (p) {
        post_t *next = p->next;
        if (p->kind == POST_WRITE)
            node_write_start(n, p->w);
        else if (p->kind == POST_READ)
            node_read_start(n, p->r);
        else
            p->fn(n, p->arg);
        free(p);
        p = next;
    }
    node_apply_complete(n);
    node_ae_drain(n);
    if (stop)
        ev_break(loop, EVBREAK_ALL);
}

static void node_post(clu_node_t *n, post_t *p)
{
    pthread_mutex_lock(&n->qmu);
    if (n->q_tail)
        n->q_tail->next = p;
    else
        n->q_head = p;
    n->q_tail = p;
    pthread_mutex_unlock(&n->qmu);
    ev_async_send(n->loop, &n->wake);
}

/* Before the loop sleeps (every callback of the iteration has run): hand
 * what the iteration gathered to the applier (group commit). */
static void prepare_cb(struct ev_loop *loop, ev_prepare *w, int revents)
{
    node_rx_flush(w->data);
}

static void *node_thread(void *arg)
{
    clu_node_t *n = arg;
    sigset_t set;
    sigfillset(&set);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    ev_run(n->loop, 0);
    return NULL;
}

/* ---- start / stop -------------------------------------------------------- */

static void node_free(clu_node_t *n)
{
    if (n->net)
        clu_net_close(n->net);
    if (n->hints)
        clu_hints_close(n->hints);
    if (n->pmap)
        node_move_free(n);   /* the store's compaction filter points here */
    clu_replica_close(&n->rep);
    if (n->own_db && n->db)
        lsm_close(n->db);
    clu_members_free(&n->mem);
    clu_ring_free(&n->ring);
    clu_pmap_free(n->pmap);
    pthread_mutex_destroy(&n->part_mu);
    clu_hlc_destroy(&n->hlc);
    if (n->ps) {
        for (size_t i = 0; i < 65536; i++) {
            if (!n->ps[i])
                continue;
            for (inflight_t *x = n->ps[i]->fifo, *nx; x; x = nx) {
                nx = x->next;
                rdb_buf_free(&x->frame);
                free(x);
            }
            rdb_buf_free(&n->ps[i]->gossip_mem);
            free(n->ps[i]);
        }
        free(n->ps);
    }
    for (size_t i = 0; i < n->ndialled; i++)
        free(n->dialled[i]);
    free(n->dialled);
    if (n->loop)
        ev_loop_destroy(n->loop);
    pthread_mutex_destroy(&n->qmu);
    pthread_mutex_destroy(&n->rep_mu);
    rdb_buf_free(&n->gossip_vv);
    free(n->data_dir);
    free(n->peer_host);
    free(n->peers);
    free(n->join);
    free(n->secret);
    free(n->addr);
    free(n->members_path);
    free(n);
}

static char *dupz(const char *s)
{
    return s ? rdb_strdup(s) : NULL;
}

static char *path_join(const char *dir, const char *name)
{
    size_t a = strlen(dir), b = strlen(name);
    char *p = rdb_malloc(a + b + 2);
    memcpy(p, dir, a);
    p[a] = '/';
    memcpy(p + a + 1, name, b + 1);
    return p;
}

rdb_status_t clu_node_start(const clu_node_opts_t *o, clu_node_t **out, rdb_err_t *err)
{
    if (o->node_id == 0 || !o->data_dir || !o->secret || !*o->secret)
        return rdb_err_set(err, RDB_INVALID, RDB_SQLSTATE_INVALID_PARAMETER,
                           "a cluster node needs a node id, a data directory and a secret");
    if (mkdir(o->data_dir, 0700) != 0 && errno != EEXIST)
        return rdb_err_set(err, RDB_IOERROR, RDB_SQLSTATE_IO_ERROR,
                           "could not create data directory \"%s\": %s", o->data_dir,
                           strerror(errno));
    clu_node_t *n = rdb_calloc(1, sizeof *n);
    n->o = *o;
    n->data_dir = rdb_strdup(o->data_dir);
    n->peer_host = rdb_strdup(o->peer_host ? o->peer_host : "127.0.0.1");
    n->peers = dupz(o->peers);
    n->join = dupz(o->join);
    n->secret = rdb_strdup(o->secret);
    n->o.data_dir = n->data_dir;
    n->o.peer_host = n->peer_host;
    n->o.peers = n->peers;
    n->o.join = n->join;
    n->o.secret = n->secret;
    if (!n->o.rf)
        n->o.rf = CLU_RING_DEFAULT_RF;
    if (!n->o.vnodes)
        n->o.vnodes = CLU_RING_DEFAULT_VNODES;
    if (!n->o.heartbeat_ms)
        n->o.heartbeat_ms = 200;
    if (!n->o.failure_timeout_ms)
        n->o.failure_timeout_ms = 2000;
    if (!n->o.write_timeout_ms)
        n->o.write_timeout_ms = 2000;
    pthread_mutex_init(&n->qmu, NULL);
    pthread_mutex_init(&n->rep_mu, NULL);
    n->ps = rdb_calloc(65536, sizeof *n->ps);
    clu_hlc_init(&n->hlc, o->max_clock_offset_ms, NULL, NULL);
    clu_members_init(&n->mem, o->node_id, n->o.failure_timeout_ms);
    clu_ring_init(&n->ring, n->o.vnodes, n->o.rf);
    n->members_path = path_join(n->data_dir, "members");
    rdb_status_t st;

    if (o->db) {
        n->db = o->db;
    } else {
        char *kv = path_join(n->data_dir, "kv");
        lsm_options_t lo;
        lsm_options_default(&lo);
        st = lsm_open(kv, &lo, &n->db, err);
        free(kv);
        if (st != RDB_OK)
            goto fail;
        n->own_db = true;
    }
    if ((st = clu_replica_open(&n->rep, n->db, err)) != RDB_OK)
        goto fail;
    n->pmap = clu_pmap_new();
    pthread_mutex_init(&n->part_mu, NULL);
    node_move_init(n);
    n->rep.token_fn = node_key_token;
    n->rep.token_ctx = n;
    n->rep.applied_fn = node_part_applied;
    n->rep.applied_ctx = n;
    node_part_load(n);
    char *hd = path_join(n->data_dir, "hints");
    st = clu_hints_open(hd, o->hint_limit, &n->hints, err);
    free(hd);
    if (st != RDB_OK)
        goto fail;
    node_oseq_load(n);

    n->loop = ev_loop_new(EVFLAG_AUTO);
    clu_net_opts_t no = {
        .node_id = o->node_id, .secret = n->secret, .listen_host = n->peer_host,
        .listen_port = o->peer_port, .hlc = &n->hlc, .on_frame = on_frame,
        .on_state = on_state, .on_client = node_on_ctl, .ctx = n,
    };
    if ((st = clu_net_open(n->loop, &no, &n->net, err)) != RDB_OK)
        goto fail;
    size_t al = strlen(n->peer_host) + 8;
    n->addr = rdb_malloc(al);
    snprintf(n->addr, al, "%s:%d", n->peer_host, clu_net_port(n->net));

    rdb_err_t le = RDB_ERR_INIT;
    if (clu_members_load(&n->mem, n->members_path, &le) == RDB_CORRUPTION)
        RDB_LOG_WARN("node", "%s; starting from the configured peers", le.msg);
    rdb_err_clear(&le);
    const clu_member_t *me = clu_members_get(&n->mem, o->node_id);
    uint64_t myver = clu_hlc_now(&n->hlc);
    if (me && me->version >= myver)
        myver = me->version + 1;
    clu_members_merge(&n->mem, o->node_id, n->addr, myver, false);
    node_members_changed(n);
    node_dial_list(n, n->peers);
    node_dial(n, n->join);

    ev_async_init(&n->wake, wake_cb);
    n->wake.data = n;
    ev_async_start(n->loop, &n->wake);
    ev_prepare_init(&n->prep, prepare_cb);
    n->prep.data = n;
    ev_prepare_start(n->loop, &n->prep);
    double hb = (double)n->o.heartbeat_ms / 1000.0;
    ev_timer_init(&n->hb_timer, hb_timer_cb, hb, hb);
    ev_timer_init(&n->gossip_timer, gossip_timer_cb, 1.0, 1.0);
    ev_timer_init(&n->hint_timer, hint_timer_cb, 0.25, 0.25);
    ev_timer_init(&n->grace_timer, grace_timer_cb, 0.0, 10.0);
    ev_timer_init(&n->load_timer, load_timer_cb, 1.0, 1.0);
    n->load_timer.data = n;
    ev_timer_start(n->loop, &n->load_timer);
    n->hb_timer.data = n->gossip_timer.data = n->hint_timer.data = n->grace_timer.data = n;
    ev_timer_start(n->loop, &n->hb_timer);
    ev_timer_start(n->loop, &n->gossip_timer);
    ev_timer_start(n->loop, &n->hint_timer);
    ev_timer_start(n->loop, &n->grace_timer);
    if (n->o.ae_interval_ms) {
        double ae = (double)n->o.ae_interval_ms / 1000.0;
        ev_timer_init(&n->ae_timer, ae_timer_cb, ae, ae);
        n->ae_timer.data = n;
        ev_timer_start(n->loop, &n->ae_timer);
    }
    node_ae_start_thread(n);
    node_apply_start(n);
    if (pthread_create(&n->thr, NULL, node_thread, n) != 0) {
        node_apply_stop(n);
        node_ae_stop_thread(n);
        st = rdb_err_set(err, RDB_IOERROR, RDB_SQLSTATE_INTERNAL, "could not start node thread");
        goto fail;
    }
    pthread_setname_np(n->thr, "clu-node"); /* for top, perf */
    n->thr_started = true;
    RDB_LOG_INFO("node", "node %u listening for peers on %s (rf %u, %u vnodes)", o->node_id,
                 n->addr, n->o.rf, n->o.vnodes);
    *out = n;
    return RDB_OK;
fail:
    node_free(n);
    return st;
}

void clu_node_stop(clu_node_t *n)
{
    if (!n)
        return;
    if (n->thr_started) {
        node_part_stop(n);
        pthread_mutex_lock(&n->qmu);
        n->stopping = true;
        pthread_mutex_unlock(&n->qmu);
        ev_async_send(n->loop, &n->wake);
        pthread_join(n->thr, NULL);
    }
    node_apply_stop(n);
    node_ae_stop_thread(n);
    node_write_fail_all(n);
    node_read_fail_all(n);
    node_scan_fail_all(n);
    /* Requests posted after the loop stopped. */
    pthread_mutex_lock(&n->qmu);
    post_t *p = n->q_head;
    n->q_head = n->q_tail = NULL;
    pthread_mutex_unlock(&n->qmu);
    for (; p; p = n->q_head) {
        n->q_head = p->next;
        rdb_err_t e = RDB_ERR_INIT;
        rdb_err_set(&e, RDB_UNAVAILABLE, RDB_SQLSTATE_UNAVAILABLE, "the cluster node is shutting down");
        if (p->kind == POST_WRITE) {
            p->w->cb(p->w->ctx, &e);
            node_wreq_free(p->w);
        } else if (p->kind == POST_READ) {
            if (p->r->cb)
                p->r->cb(p->r->ctx, &e);
            node_rreq_free(p->r);
        } else if (p->fn == node_scan_start) {
            node_sreq_abort(p->arg, &e);
        } else {
            p->fn(n, p->arg);
        }
        rdb_err_clear(&e);
        free(p);
    }
    RDB_LOG_INFO("node", "node %u stopped", n->o.node_id);
    node_free(n);
}

uint16_t clu_node_id(const clu_node_t *n) { return n->o.node_id; }
lsm_db_t *clu_node_db(const clu_node_t *n) { return n->db; }
int clu_node_peer_port(const clu_node_t *n) { return clu_net_port(n->net); }
uint64_t clu_node_now(clu_node_t *n) { return clu_hlc_now(&n->hlc); }
clu_hlc_t *clu_node_hlc(clu_node_t *n) { return &n->hlc; }

void clu_node_set_applied_hook(clu_node_t *n, clu_applied_fn fn, void *ctx)
{
    pthread_mutex_lock(&n->rep_mu);
    n->user_applied = fn;
    n->user_applied_ctx = ctx;
    pthread_mutex_unlock(&n->rep_mu);
}

rdb_status_t clu_node_commit_batch(clu_node_t *n, const clu_record_t *recs, size_t nrec,
                                   clu_consistency_t cl, unsigned flags, clu_done_cb cb,
                                   void *ctx)
{
    if (flags & CLU_W_APPLIED) /* maps the caller committed itself */
        for (size_t i = 0; i < nrec; i++)
            if (clu_pmap_is_key(recs[i].key, recs[i].klen))
                clu_pmap_apply(n->pmap, recs[i].key, recs[i].klen, recs[i].value, recs[i].vlen,
                               recs[i].version);
    post_t *p = rdb_calloc(1, sizeof *p);
    p->kind = POST_WRITE;
    p->w = node_wreq_new(n, recs, nrec, cl, flags, cb, ctx);
    node_post(n, p);
    return RDB_OK;
}

/* Blocking wrappers: a condition variable the node thread signals. */
typedef struct waiter {
    pthread_mutex_t mu;
    pthread_cond_t  cv;
    bool            done;
    rdb_err_t       err;
} waiter_t;

static void waiter_cb(void *ctx, const rdb_err_t *err)
{
    waiter_t *w = ctx;
    pthread_mutex_lock(&w->mu);
    if (err && err->code != RDB_OK) {
        rdb_err_set(&w->err, err->code, err->sqlstate, "%s", err->msg ? err->msg : "error");
        if (err->detail)
            rdb_err_detail(&w->err, "%s", err->detail);
    }
    w->done = true;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

static rdb_status_t waiter_wait(waiter_t *w, rdb_err_t *err)
{
    pthread_mutex_lock(&w->mu);
    while (!w->done)
        pthread_cond_wait(&w->cv, &w->mu);
    pthread_mutex_unlock(&w->mu);
    rdb_status_t st = w->err.code;
    if (st != RDB_OK && err)
        rdb_err_move(err, &w->err);
    rdb_err_clear(&w->err);
    pthread_mutex_destroy(&w->mu);
    pthread_cond_destroy(&w->cv);
    return st;
}

rdb_status_t clu_node_write(clu_node_t *n, const clu_record_t *recs, size_t nrec,
                            clu_consistency_t cl, unsigned flags, lsm_version_t *version_out,
                            rdb_err_t *err)
{
    assert(!pthread_equal(pthread_self(), n->thr));
    waiter_t w = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, false, RDB_ERR_INIT };
    post_t *p = rdb_calloc(1, sizeof *p);
    p->kind = POST_WRITE;
    p->w = node_wreq_new(n, recs, nrec, cl, flags, waiter_cb, &w);
    if (p->w->nrec && p->w->recs[0].version.hlc == 0) {
        /* Stamp here so the caller learns the version. */
        lsm_version_t v = { clu_hlc_now(&n->hlc), n->o.node_id };
        for (size_t i = 0; i < p->w->nrec; i++)
            if (p->w->recs[i].version.hlc == 0)
                p->w->recs[i].version = v;
    }
    if (version_out && p->w->nrec)
        *version_out = p->w->recs[0].version;
    node_post(n, p);
    return waiter_wait(&w, err);
}

rdb_status_t clu_node_read(clu_node_t *n, const void *key, size_t klen, clu_consistency_t cl,
                           rdb_buf_t *value, lsm_version_t *version, bool *found,
                           rdb_err_t *err)
{
    assert(!pthread_equal(pthread_self(), n->thr));
    waiter_t w = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, false, RDB_ERR_INIT };
    post_t *p = rdb_calloc(1, sizeof *p);
    p->kind = POST_READ;
    p->r = node_rreq_new(n, key, klen, cl);
    p->r->cb = waiter_cb;
    p->r->ctx = &w;
    p->r->out_val = value;
    p->r->out_ver = version;
    p->r->out_found = found;
    *found = false;
    node_post(n, p);
    return waiter_wait(&w, err);
}

rdb_status_t clu_node_scan(clu_node_t *n, const void *lo, size_t lolen, const void *hi,
                           size_t hilen, clu_consistency_t cl, clu_rows_t *out, rdb_err_t *err)
{
    assert(!pthread_equal(pthread_self(), n->thr));
    waiter_t w = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, false, RDB_ERR_INIT };
    sreq_t *s = node_sreq_new(lo, lolen, hi, hilen, cl);
    s->cb = waiter_cb;
    s->ctx = &w;
    s->out = out;
    post_t *p = rdb_calloc(1, sizeof *p);
    p->kind = POST_CALL;
    p->fn = node_scan_start;
    p->arg = s;
    node_post(n, p);
    return waiter_wait(&w, err);
}

void clu_node_repair_key(clu_node_t *n, const void *key, size_t klen)
{
    post_t *p = rdb_calloc(1, sizeof *p);
    p->kind = POST_READ;
    p->r = node_rreq_new(n, key, klen, CLU_CL_ONE);
    p->r->ask_all = true;
    node_post(n, p);
}

bool clu_node_repair_due(clu_node_t *n)
{
    int pct = n->o.read_repair_pct;
    return pct > 0 && (pct >= 100 || rand() % 100 < pct);
}

/* ---- status -------------------------------------------------------------- */

static json_t *hex_u64(uint64_t v)
{
    char b[24];
    snprintf(b, sizeof b, "%016llx", (unsigned long long)v);
    return json_string(b);
}

void node_status_json(clu_node_t *n, rdb_buf_t *out)
{
    json_t *j = json_object();
    json_object_set_new(j, "node", json_integer(n->o.node_id));
    json_object_set_new(j, "addr", json_string(n->addr));
    json_object_set_new(j, "hlc", json_integer((json_int_t)clu_hlc_peek(&n->hlc)));
    json_t *ring = json_object();
    json_object_set_new(ring, "version", json_integer((json_int_t)n->ring.version));
    json_object_set_new(ring, "rf", json_integer(n->ring.rf));
    json_object_set_new(ring, "vnodes_per_node", json_integer(n->ring.vnodes_per_node));
    json_t *rn = json_array();
    for (size_t i = 0; i < n->ring.nnodes; i++)
        json_array_append_new(rn, json_integer(n->ring.nodes[i]));
    json_object_set_new(ring, "nodes", rn);
    json_t *parts = json_array();
    for (size_t i = 0; i < n->ring.nvn; i++) {
        uint64_t lo, hi;
        clu_ring_vnode_range(&n->ring, i, &lo, &hi);
        uint16_t reps[NODE_MAX_RF];
        size_t nr = clu_ring_replicas(&n->ring, hi, reps);
        json_t *p = json_object(), *ra = json_array();
        json_object_set_new(p, "lo", hex_u64(lo));
        json_object_set_new(p, "hi", hex_u64(hi));
        for (size_t k = 0; k < nr; k++)
            json_array_append_new(ra, json_integer(reps[k]));
        json_object_set_new(p, "replicas", ra);
        json_array_append_new(parts, p);
    }
    json_object_set_new(ring, "partitions", parts);
    json_object_set_new(j, "ring", ring);
    json_t *ms = json_array();
    for (size_t i = 0; i < n->mem.n; i++) {
        const clu_member_t *m = &n->mem.m[i];
        json_t *e = json_object();
        json_object_set_new(e, "id", json_integer(m->id));
        json_object_set_new(e, "addr", json_string(m->addr));
        json_object_set_new(e, "state", json_string(clu_mstate_name(m->state)));
        json_object_set_new(e, "version", json_integer((json_int_t)m->version));
        if (m->id != n->o.node_id) {
            peer_state_t *ps = node_peer(n, m->id);
            clu_hint_stats_t hs;
            clu_hints_stats(n->hints, m->id, &hs);
            clu_net_peer_stats_t ns;
            clu_net_peer_stats(n->net, m->id, &ns);
            json_object_set_new(e, "link", json_boolean(ns.up));
            json_object_set_new(e, "rtt_us", json_integer((json_int_t)ps->rtt_us));
            json_object_set_new(e, "out_seq", json_integer((json_int_t)ps->out_seq));
            json_object_set_new(e, "acked_seq", json_integer((json_int_t)ps->acked_seq));
            /* durable implies visible (hints and ADVANCE move acked_seq only) */
            json_object_set_new(e, "visible_seq",
                                json_integer((json_int_t)(ps->visible_seq > ps->acked_seq
                                                              ? ps->visible_seq
                                                              : ps->acked_seq)));
            json_object_set_new(e, "lag", json_integer((json_int_t)(ps->out_seq - ps->acked_seq)));
            json_object_set_new(e, "unacked_frames", json_integer((json_int_t)ps->fifo_count));
            json_object_set_new(e, "oldest_unacked_ms",
                                json_integer(ps->fifo ? (json_int_t)(node_mono_ms() -
                                                                     ps->fifo->sent_ms) : 0));
            json_object_set_new(e, "queued_bytes", json_integer((json_int_t)ns.queued_bytes));
            json_object_set_new(e, "their_vv_of_me", json_integer((json_int_t)ps->remote_contig));
            json_object_set_new(e, "clock_flags", json_integer((json_int_t)ns.clock_flags));
            json_t *h = json_object();
            json_object_set_new(h, "count", json_integer((json_int_t)hs.count));
            json_object_set_new(h, "bytes", json_integer((json_int_t)hs.bytes));
            json_object_set_new(h, "dropped", json_integer((json_int_t)hs.dropped));
            json_object_set_new(h, "delivered", json_integer((json_int_t)ps->delivered));
            json_object_set_new(h, "redirected", json_integer((json_int_t)ps->redirected));
            json_object_set_new(e, "hints", h);
        }
        json_array_append_new(ms, e);
    }
    json_object_set_new(j, "members", ms);
    json_t *vv = json_object();
    pthread_mutex_lock(&n->rep_mu);
    uint64_t applied = n->rep.applied, dups = n->rep.duplicates;
    for (size_t i = 0; i < n->rep.vv.n; i++) {
        char k[8];
        snprintf(k, sizeof k, "%u", n->rep.vv.e[i].node);
        json_object_set_new(vv, k, json_integer((json_int_t)n->rep.vv.e[i].contig));
    }
    pthread_mutex_unlock(&n->rep_mu);
    json_object_set_new(j, "vv", vv);
    json_t *c = json_object();
    json_object_set_new(c, "writes_coordinated", json_integer((json_int_t)n->writes_coord));
    json_object_set_new(c, "writes_failed", json_integer((json_int_t)n->writes_failed));
    json_object_set_new(c, "reads_coordinated", json_integer((json_int_t)n->reads_coord));
    json_object_set_new(c, "records_applied", json_integer((json_int_t)applied));
    json_object_set_new(c, "duplicates", json_integer((json_int_t)dups));
    json_object_set_new(c, "repairs_sent", json_integer((json_int_t)n->repairs_sent));
    json_object_set_new(c, "ae_rounds", json_integer((json_int_t)n->ae_rounds));
    json_object_set_new(c, "ae_records_in", json_integer((json_int_t)n->ae_records_in));
    json_object_set_new(c, "auth_failures", json_integer((json_int_t)clu_net_auth_failures(n->net)));
    json_object_set_new(c, "clock_refused", json_integer((json_int_t)clu_hlc_refused(&n->hlc)));
    json_object_set_new(j, "counters", c);
    node_part_status_json(n, j);
    char *s = json_dumps(j, JSON_COMPACT);
    rdb_buf_append_str(out, s);
    free(s);
    json_decref(j);
}

/* A call run on the node thread while the calling thread waits. */
typedef struct sync_call {
    void          (*fn)(clu_node_t *n, void *arg);
    void           *arg;
    pthread_mutex_t mu;
    pthread_cond_t  cv;
    bool            done;
} sync_call_t;

static void sync_call_fn(clu_node_t *n, void *arg)
{
    sync_call_t *c = arg;
    c->fn(n, c->arg);
    pthread_mutex_lock(&c->mu);
    c->done = true;
    pthread_cond_signal(&c->cv);
    pthread_mutex_unlock(&c->mu);
}

void node_call_sync(clu_node_t *n, void (*fn)(clu_node_t *n, void *arg), void *arg)
{
    if (pthread_equal(pthread_self(), n->thr)) {
        fn(n, arg);
        return;
    }
    sync_call_t c = { fn, arg, PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, false };
    post_t *p = rdb_calloc(1, sizeof *p);
    p->kind = POST_CALL;
    p->fn = sync_call_fn;
    p->arg = &c;
    node_post(n, p);
    pthread_mutex_lock(&c.mu);
    while (!c.done)
        pthread_cond_wait(&c.cv, &c.mu);
    pthread_mutex_unlock(&c.mu);
    pthread_mutex_destroy(&c.mu);
    pthread_cond_destroy(&c.cv);
}

/* From another thread the status is built on the node thread. */
static void status_call_fn(clu_node_t *n, void *arg) { node_status_json(n, arg); }

void clu_node_status_json(clu_node_t *n, rdb_buf_t *out)
{
    node_call_sync(n, status_call_fn, out);
}

/* ---- reload ---------------------------------------------------------------- */

static void reconfigure_fn(clu_node_t *n, void *arg)
{
    clu_node_opts_t *o = arg;
    if (o->heartbeat_ms != n->o.heartbeat_ms) {
        n->o.heartbeat_ms = o->heartbeat_ms;
        double hb = (double)o->heartbeat_ms / 1000.0;
        ev_timer_stop(n->loop, &n->hb_timer);
        ev_timer_set(&n->hb_timer, hb, hb);
        ev_timer_start(n->loop, &n->hb_timer);
    }
    n->o.failure_timeout_ms = o->failure_timeout_ms;
    n->mem.suspect_ms = o->failure_timeout_ms;
    n->o.write_timeout_ms = o->write_timeout_ms;
    n->o.hint_window_ms = o->hint_window_ms;
    n->o.read_repair_pct = o->read_repair_pct;
    n->o.auto_split_rate = o->auto_split_rate;
    n->o.auto_split_cooldown_ms = o->auto_split_cooldown_ms;
    if (o->ae_interval_ms != n->o.ae_interval_ms) {
        n->o.ae_interval_ms = o->ae_interval_ms;
        ev_timer_stop(n->loop, &n->ae_timer);
        if (o->ae_interval_ms) {
            double ae = (double)o->ae_interval_ms / 1000.0;
            ev_timer_init(&n->ae_timer, ae_timer_cb, ae, ae);
            n->ae_timer.data = n;
            ev_timer_start(n->loop, &n->ae_timer);
        }
    }
    RDB_LOG_INFO("node", "reloaded: heartbeat %llu ms, failure timeout %llu ms, write timeout "
                 "%llu ms, anti-entropy every %llu ms", (unsigned long long)n->o.heartbeat_ms,
                 (unsigned long long)n->o.failure_timeout_ms,
                 (unsigned long long)n->o.write_timeout_ms,
                 (unsigned long long)n->o.ae_interval_ms);
    free(o);
}

void clu_node_reconfigure(clu_node_t *n, const rdb_config_t *cfg)
{
    clu_node_opts_t *o = rdb_calloc(1, sizeof *o);
    rdb_err_t e = RDB_ERR_INIT;
    if (clu_node_opts_from_config(o, cfg, &e) != RDB_OK) {
        RDB_LOG_WARN("node", "cluster options not reloaded: %s", e.msg);
        rdb_err_clear(&e);
        free(o);
        return;
    }
    post_t *p = rdb_calloc(1, sizeof *p);
    p->kind = POST_CALL;
    p->fn = reconfigure_fn;
    p->arg = o;
    node_post(n, p);
}
