/*
 * node_read.c — coordinated reads and read repair.
 *
 * A read at QUORUM/ALL asks every live replica of the key's partition,
 * answers as soon as `required` replicas replied (newest version wins,
 * tombstones read as "not found"), keeps listening until every asked
 * replica replied or the timeout, then writes the newest version back to
 * every replica that answered with an older one or none (read repair).  At
 * ONE the local replica answers; with probability read-repair-chance the
 * others are asked too, for repair only.
 *
 * Frames:  READ [reqid, key]   READ_REPLY [reqid, status, value, hlc, node]
 * status: 0 absent, 1 value, 2 tombstone.
 */
#include <stdlib.h>
#include <string.h>

#include "cluster/node_int.h"
#include "common/log.h"
#include "common/mem.h"

rreq_t *node_rreq_new(clu_node_t *n, const void *key, size_t klen, clu_consistency_t cl)
{
    rreq_t *r = rdb_calloc(1, sizeof *r);
    r->node = n;
    r->cl = cl;
    r->key = rdb_memdup(key, klen ? klen : 1);
    r->klen = klen;
    return r;
}

void node_rreq_free(rreq_t *r)
{
    if (!r)
        return;
    free(r->key);
    rdb_buf_free(&r->best_val);
    free(r);
}

static void rreq_reply(clu_node_t *n, rreq_t *r, const rdb_err_t *err)
{
    if (r->replied)
        return;
    r->replied = true;
    if (!err) {
        bool found = r->have_best && !r->best_tomb;
        if (r->out_found)
            *r->out_found = found;
        if (r->out_ver)
            *r->out_ver = r->best_v;
        if (r->out_val && found) {
            rdb_buf_reset(r->out_val);
            rdb_buf_append(r->out_val, r->best_val.data, r->best_val.len);
        }
    }
    if (r->cb)
        r->cb(r->ctx, err);
}

/* Every asked replica answered or time ran out: repair, then free. */
static void rreq_finish(clu_node_t *n, rreq_t *r)
{
    ev_timer_stop(n->loop, &r->timer);
    for (rreq_t **pp = &n->rtab[r->id & (NODE_WTAB - 1)]; *pp; pp = &(*pp)->next)
        if (*pp == r) {
            *pp = r->next;
            break;
        }
    if (r->have_best) {
        clu_record_t rec = { .key = r->key, .klen = r->klen, .version = r->best_v,
                             .tombstone = r->best_tomb };
        if (!r->best_tomb) {
            rec.value = r->best_val.data ? r->best_val.data : "";
            rec.vlen = r->best_val.len;
        }
        for (size_t i = 0; i < r->nn; i++) {
            if (!r->answered[i])
                continue;
            if (r->answered[i] == 2 || lsm_version_cmp(r->ver[i], r->best_v) < 0) {
                RDB_LOG_DEBUG("node", "read repair: node %u was stale", r->nodes[i]);
                node_repair_send(n, r->nodes[i], &rec);
            }
        }
    }
    node_rreq_free(r);
}

static void rreq_eval(clu_node_t *n, rreq_t *r)
{
    if (r->t.state == CLU_TALLY_OK) {
        rreq_reply(n, r, NULL);
    } else if (r->t.state == CLU_TALLY_FAILED) {
        rdb_err_t e = RDB_ERR_INIT;
        clu_tally_error(&r->t, &e);
        rreq_reply(n, r, &e);
        rdb_err_clear(&e);
    }
    size_t asked = 0, answered = 0;
    for (size_t i = 0; i < r->nn; i++) {
        asked += r->ver[i].node_id != 0xffff;
        answered += r->answered[i] != 0;
    }
    if (answered >= asked)
        rreq_finish(n, r);
}

static void rreq_answer(clu_node_t *n, rreq_t *r, size_t i, int status, const void *val,
                        size_t vlen, lsm_version_t v, bool tally)
{
    if (r->answered[i])
        return;
    r->answered[i] = status == 0 ? 2 : 1;
    r->ver[i] = status == 0 ? (lsm_version_t){ 0, 0 } : v;
    if (status != 0 && (!r->have_best || lsm_version_cmp(v, r->best_v) > 0)) {
        r->have_best = true;
        r->best_v = v;
        r->best_tomb = status == 2;
        rdb_buf_reset(&r->best_val);
        if (status == 1)
            rdb_buf_append(&r->best_val, val, vlen);
    }
    if (tally)
        clu_tally_ack(&r->t);
}

static void rreq_timeout_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
    rreq_t *r = t->data;
    clu_node_t *n = r->node;
    clu_tally_timeout(&r->t);
    if (r->t.state == CLU_TALLY_FAILED && !r->replied) {
        rdb_err_t e = RDB_ERR_INIT;
        clu_tally_error(&r->t, &e);
        rreq_reply(n, r, &e);
        rdb_err_clear(&e);
    }
    rreq_finish(n, r);
}

void node_read_start(clu_node_t *n, rreq_t *r)
{
    n->reads_coord++;
    clu_pmap_note(n->pmap, r->key, r->klen, false, 0);
    r->id = ++n->next_req;
    uint16_t self = n->o.node_id;
    r->nn = node_replicas(n, r->key, r->klen, r->nodes);
    bool self_rep = false;
    for (size_t i = 0; i < r->nn; i++)
        self_rep |= r->nodes[i] == self;
    bool ask_all = r->ask_all || r->cl != CLU_CL_ONE || !self_rep ||
                   (n->o.read_repair_pct > 0 && rand() % 100 < n->o.read_repair_pct);
    /* ver[i].node_id == 0xffff marks "not asked". */
    size_t sent = 0;
    for (size_t i = 0; i < r->nn; i++) {
        bool ask = r->nodes[i] == self || (ask_all && clu_net_is_up(n->net, r->nodes[i]));
        r->ver[i].node_id = ask ? 0 : 0xffff;
        sent += ask;
    }
    /* The local replica answers first, so an unreachable level still
     * reports it among those that answered. */
    size_t me = r->nn;
    bool local_ok = false;
    for (size_t i = 0; i < r->nn; i++)
        if (r->nodes[i] == self)
            me = i;
    if (me < r->nn) {
        rdb_buf_t v = RDB_BUF_INIT;
        lsm_version_t ver = { 0, 0 };
        bool tomb = false;
        rdb_err_t e = RDB_ERR_INIT;
        rdb_status_t rs = clu_replica_get(&n->rep, r->key, r->klen, &v, &ver, &tomb, &e);
        if (rs == RDB_OK || rs == RDB_NOTFOUND) {
            rreq_answer(n, r, me, rs == RDB_NOTFOUND ? 0 : tomb ? 2 : 1, v.data, v.len, ver, false);
            local_ok = true;
        } else {
            RDB_LOG_WARN("node", "local read failed: %s", e.msg);
            r->answered[me] = 2;
            sent--;
        }
        rdb_err_clear(&e);
        rdb_buf_free(&v);
    }
    clu_tally_init_acked(&r->t, r->cl, r->nn, sent, local_ok ? 1 : 0);
    rreq_t **b = &n->rtab[r->id & (NODE_WTAB - 1)];
    r->next = *b;
    *b = r;
    ev_timer_init(&r->timer, rreq_timeout_cb, (double)n->o.write_timeout_ms / 1000.0, 0.0);
    r->timer.data = r;
    ev_timer_start(n->loop, &r->timer);
    rdb_buf_t f = RDB_BUF_INIT;
    msgpack_packer p;
    size_t st = clu_frame_start(&f, &p, CLU_MSG_READ, self, clu_hlc_peek(&n->hlc), 2);
    msgpack_pack_uint64(&p, r->id);
    msgpack_pack_bin(&p, r->klen);
    msgpack_pack_bin_body(&p, r->key, r->klen);
    clu_frame_finish(&f, st);
    for (size_t i = 0; i < r->nn; i++)
        if (r->nodes[i] != self && r->ver[i].node_id != 0xffff)
            node_send(n, r->nodes[i], &f);
    rdb_buf_free(&f);
    rreq_eval(n, r);
}

void node_on_read(clu_node_t *n, uint16_t from, clu_frame_t *f)
{
    uint64_t id;
    const char *key;
    size_t klen;
    if (!clu_field_u64(f, 0, &id) || !clu_field_bin(f, 1, &key, &klen) || klen == 0 ||
        (unsigned char)key[0] == 0)
        return;
    rdb_buf_t v = RDB_BUF_INIT;
    lsm_version_t ver = { 0, 0 };
    bool tomb = false;
    rdb_err_t e = RDB_ERR_INIT;
    rdb_status_t rs = clu_replica_get(&n->rep, key, klen, &v, &ver, &tomb, &e);
    int status = rs == RDB_OK ? (tomb ? 2 : 1) : 0;
    if (rs != RDB_OK && rs != RDB_NOTFOUND) {
        RDB_LOG_WARN("node", "read for node %u failed: %s", from, e.msg);
        rdb_err_clear(&e);
        rdb_buf_free(&v);
        return; /* the coordinator times out on us */
    }
    rdb_err_clear(&e);
    rdb_buf_t fr = RDB_BUF_INIT;
    msgpack_packer p;
    size_t st = clu_frame_start(&fr, &p, CLU_MSG_READ_REPLY, n->o.node_id, clu_hlc_peek(&n->hlc), 5);
    msgpack_pack_uint64(&p, id);
    msgpack_pack_int(&p, status);
    msgpack_pack_bin(&p, status == 1 ? v.len : 0);
    if (status == 1)
        msgpack_pack_bin_body(&p, v.data, v.len);
    msgpack_pack_uint64(&p, ver.hlc);
    msgpack_pack_uint16(&p, ver.node_id);
    clu_frame_finish(&fr, st);
    node_send(n, from, &fr);
    rdb_buf_free(&fr);
    rdb_buf_free(&v);
}

void node_on_read_reply(clu_node_t *n, uint16_t from, clu_frame_t *f)
{
    uint64_t id, status, hlc, node;
    const char *val;
    size_t vlen;
    if (!clu_field_u64(f, 0, &id) || !clu_field_u64(f, 1, &status) || status > 2 ||
        !clu_field_bin(f, 2, &val, &vlen) || !clu_field_u64(f, 3, &hlc) ||
        !clu_field_u64(f, 4, &node) || node > UINT16_MAX)
        return;
    rreq_t *r = n->rtab[id & (NODE_WTAB - 1)];
    while (r && r->id != id)
        r = r->next;
    if (!r)
        return;
    for (size_t i = 0; i < r->nn; i++)
        if (r->nodes[i] == from && r->ver[i].node_id != 0xffff) {
            rreq_answer(n, r, i, (int)status, val, vlen, (lsm_version_t){ hlc, (uint16_t)node },
                        true);
            rreq_eval(n, r);
            return;
        }
}

void node_read_fail_all(clu_node_t *n)
{
    for (size_t i = 0; i < NODE_WTAB; i++)
        while (n->rtab[i]) {
            rreq_t *r = n->rtab[i];
            if (!r->replied) {
                rdb_err_t e = RDB_ERR_INIT;
                rdb_err_set(&e, RDB_UNAVAILABLE, RDB_SQLSTATE_UNAVAILABLE,
                            "the cluster node is shutting down");
                rreq_reply(n, r, &e);
                rdb_err_clear(&e);
            }
            n->rtab[i] = r->next;
            ev_timer_stop(n->loop, &r->timer);
            node_rreq_free(r);
        }
}
