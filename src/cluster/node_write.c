/*
 * node_write.c — the write path: coordinating a replicated write, applying
 * received writes in groups, acknowledgements, hinted handoff.
 *
 * Origin sequences.  For every peer P this node numbers the records it sends
 * to P: 1, 2, 3, ... (ps->out_seq).  Numbers are reserved in blocks of
 * NODE_SEQ_RESERVE: the end of the block is made durable before any number
 * in it is sent, and a restart continues after it, so a number is never
 * reused even though frames leave before the local fsync.  P's version vector
 * entry for us is then "every record up to seq k arrived", whether it came
 * live or as a hint.  Every assigned seq is, at any time, either
 * acknowledged by P, in flight on the link (ps->fifo), in the hint store, or
 * deliberately dropped (hint store full, hints dropped by an operator, hint
 * window passed) or never used (the rest of a block at a restart).  When
 * the link comes up or the hint queue empties we send ADVANCE(min(unacked)
 * - 1) so P's vector skips those; the data of dropped ones is
 * anti-entropy's job.
 *
 * Latency.  A write's frames go out as soon as the request is numbered;
 * the coordinator's own apply happens at the end of the loop iteration,
 * grouped with every record received in that iteration, and the
 * coordinator counts itself as an answer once that apply is durable.  So
 * an ALL write costs one fsync on each replica, in parallel, plus a round
 * trip; it is visible on each replica before that, as soon as applied.
 *
 * Frames:
 *   WRITE     [reqid, kind, fid, hint_upto, seq_hi, [record...]]
 *   WRITE_ACK [reqid, kind, fid, hint_upto, seq_hi, ok, durable]
 *   ADVANCE   [seq]
 * kind: LIVE (acked per frame, fid = position in the FIFO), HINT (acked
 * once; hint_upto = last hint-store seq in the batch), REPAIR (no ack).
 * A replica acknowledges a LIVE frame twice (node_apply.c): durable 0 once
 * the records are applied (visible to its readers; visible_seq in status),
 * durable 1 once they are fsynced.  Only the durable acknowledgement counts
 * for a consistency level, takes the frame out of the FIFO, or (HINT)
 * deletes hints: a replica that dies before its fsync gets them again.
 * Absent (older senders), durable is 1.
 */
#include <stdlib.h>
#include <string.h>

#include "cluster/node_int.h"
#include "common/coding.h"
#include "common/log.h"
#include "common/mem.h"

/* ---- request objects ----------------------------------------------------- */

wreq_t *node_wreq_new(clu_node_t *n, const clu_record_t *recs, size_t nrec,
                      clu_consistency_t cl, unsigned flags, clu_done_cb cb, void *ctx)
{
    wreq_t *w = rdb_calloc(1, sizeof *w);
    w->node = n;
    w->cl = cl;
    w->flags = flags;
    w->cb = cb;
    w->ctx = ctx;
    w->nrec = nrec;
    w->recs = rdb_calloc(nrec ? nrec : 1, sizeof *w->recs);
    size_t total = 0;
    for (size_t i = 0; i < nrec; i++)
        total += recs[i].klen + (recs[i].tombstone ? 0 : recs[i].vlen);
    rdb_buf_init(&w->store, total + 1);
    for (size_t i = 0; i < nrec; i++) {
        clu_record_t *r = &w->recs[i];
        *r = recs[i];
        r->key = w->store.data + w->store.len;
        rdb_buf_append(&w->store, recs[i].key, recs[i].klen);
        if (!r->tombstone) {
            r->value = w->store.data + w->store.len;
            rdb_buf_append(&w->store, recs[i].value, recs[i].vlen);
        } else {
            r->value = NULL;
            r->vlen = 0;
        }
        r->origin = 0;
        r->seq = 0;
    }
    return w;
}

void node_wreq_free(wreq_t *w)
{
    if (!w)
        return;
    free(w->recs);
    free(w->grp_of);
    free(w->g);
    for (size_t x = 0; x < w->nd; x++) {
        rdb_buf_free(&w->dest[x].pk.raw);
        free(w->dest[x].hints);
    }
    free(w->dest);
    rdb_buf_free(&w->store);
    free(w);
}

/* ---- sequence counters --------------------------------------------------- */

static void oseq_encode(clu_node_t *n, rdb_buf_t *out)
{
    size_t cnt = 0;
    for (size_t i = 0; i < n->mem.n; i++)
        if (n->ps[n->mem.m[i].id] && n->ps[n->mem.m[i].id]->seq_reserved)
            cnt++;
    rdb_buf_append_varint64(out, cnt);
    for (size_t i = 0; i < n->mem.n; i++) {
        peer_state_t *ps = n->ps[n->mem.m[i].id];
        if (ps && ps->seq_reserved) {
            rdb_buf_append_varint64(out, ps->id);
            rdb_buf_append_varint64(out, ps->seq_reserved);
        }
    }
}

void node_oseq_load(clu_node_t *n)
{
    rdb_buf_t v = RDB_BUF_INIT;
    lsm_version_t ver;
    rdb_err_t e = RDB_ERR_INIT;
    if (lsm_get(n->db, NULL, NODE_OSEQ_KEY, NODE_OSEQ_KEY_LEN, &v, &ver, &e) == RDB_OK) {
        n->rep.meta_ver = ver.hlc;
        const char *p = v.data, *end = v.data + v.len;
        uint64_t cnt, id, seq;
        if ((p = rdb_decode_varint64(p, end, &cnt)) != NULL) {
            for (uint64_t i = 0; i < cnt && p; i++) {
                if (!(p = rdb_decode_varint64(p, end, &id)) || id == 0 || id > UINT16_MAX ||
                    !(p = rdb_decode_varint64(p, end, &seq)))
                    break;
                peer_state_t *ps = node_peer(n, (uint16_t)id);
                /* Continue after the reserved block: its unused numbers
                 * are skipped by ADVANCE when the link comes up. */
                ps->out_seq = ps->acked_seq = ps->seq_reserved = seq;
            }
        }
        if (!p)
            RDB_LOG_WARN("node", "stored sequence counters are corrupt; peers' vectors may show gaps");
    }
    rdb_err_clear(&e);
    rdb_buf_free(&v);
}

/* Make the reservations of every peer durable (rare: once per block). */
static rdb_status_t oseq_persist(clu_node_t *n, rdb_err_t *err)
{
    rdb_buf_t meta = RDB_BUF_INIT;
    oseq_encode(n, &meta);
    pthread_mutex_lock(&n->rep_mu);
    rdb_status_t st = clu_replica_apply_meta(&n->rep, NULL, 0, NODE_OSEQ_KEY, NODE_OSEQ_KEY_LEN,
                                             meta.data, meta.len, true, err);
    pthread_mutex_unlock(&n->rep_mu);
    rdb_buf_free(&meta);
    return st;
}

/* ---- sending ------------------------------------------------------------- */

static int raw_write(void *data, const char *buf, size_t len)
{
    rdb_buf_append((rdb_buf_t *)data, buf, len);
    return 0;
}

static void packed_add(packed_t *pk, const clu_record_t *r)
{
    msgpack_packer p;
    msgpack_packer_init(&p, &pk->raw, raw_write);
    node_pack_record(&p, r);
    if (r->seq && (pk->seq_lo == 0 || r->seq < pk->seq_lo))
        pk->seq_lo = r->seq;
    if (r->seq > pk->seq_hi)
        pk->seq_hi = r->seq;
    pk->n++;
}

static void build_write(clu_node_t *n, rdb_buf_t *f, uint64_t reqid, int kind, uint64_t fid,
                        uint64_t hint_upto, const packed_t *pk)
{
    msgpack_packer p;
    size_t st = clu_frame_start(f, &p, CLU_MSG_WRITE, n->o.node_id, clu_hlc_peek(&n->hlc), 6);
    msgpack_pack_uint64(&p, reqid);
    msgpack_pack_int(&p, kind);
    msgpack_pack_uint64(&p, fid);
    msgpack_pack_uint64(&p, hint_upto);
    msgpack_pack_uint64(&p, pk->seq_hi);
    msgpack_pack_array(&p, pk->n);
    rdb_buf_append(f, pk->raw.data, pk->raw.len);
    clu_frame_finish(f, st);
}

/* Keep records for a peer that cannot take them now: one durable write. */
static void hints_keep(clu_node_t *n, uint16_t peer, const clu_record_t *recs, size_t nrec)
{
    peer_state_t *ps = node_peer(n, peer);
    if (nrec == 0)
        return;
    if (ps->down_since_ms && n->o.hint_window_ms &&
        node_mono_ms() - ps->down_since_ms > n->o.hint_window_ms) {
        n->hints_dropped_window += nrec;
        return;
    }
    size_t added = 0;
    rdb_err_t e = RDB_ERR_INIT;
    if (clu_hints_add_batch(n->hints, peer, recs, nrec, &added, &e) != RDB_OK) {
        RDB_LOG_WARN("node", "%zu hints for node %u lost: %s", nrec, peer, e.msg);
        rdb_err_clear(&e);
    } else if (added < nrec) {
        RDB_LOG_WARN("node", "hint store for node %u full: %zu hints dropped", peer,
                     nrec - added);
    }
    ps->hinted += added;
}

/* Turn unacknowledged WRITE frames (a list linked by next, or one frame)
 * back into hints, in order, with one durable write. */
static void frames_to_hints(clu_node_t *n, uint16_t peer, inflight_t *list)
{
    size_t nf = 0, cap = 0, nrec = 0, caprec = 0;
    clu_frame_t *fs = NULL;
    clu_record_t *recs = NULL;
    for (inflight_t *x = list; x; x = x->next) {
        if (nf == cap) {
            cap = cap ? cap * 2 : 16;
            fs = rdb_realloc(fs, cap * sizeof *fs);
        }
        size_t used;
        rdb_err_t e = RDB_ERR_INIT;
        if (clu_frame_parse(x->frame.data, x->frame.len, &used, &fs[nf], &e) != RDB_OK) {
            rdb_err_clear(&e);
            continue;
        }
        clu_frame_t *f = &fs[nf++];
        if (f->nfields < 6 || f->fields[5].type != MSGPACK_OBJECT_ARRAY)
            continue;
        const msgpack_object_array *a = &f->fields[5].via.array;
        for (uint32_t i = 0; i < a->size; i++) {
            if (nrec == caprec) {
                caprec = caprec ? caprec * 2 : 64;
                recs = rdb_realloc(recs, caprec * sizeof *recs);
            }
            if (node_unpack_record(&a->ptr[i], &recs[nrec]))
                nrec++;
        }
    }
    hints_keep(n, peer, recs, nrec);
    for (size_t i = 0; i < nf; i++)
        clu_frame_release(&fs[i]);
    free(fs);
    free(recs);
}

static void frame_to_hints(clu_node_t *n, uint16_t peer, inflight_t *x)
{
    inflight_t *next = x->next;
    x->next = NULL;
    frames_to_hints(n, peer, x);
    x->next = next;
}

static void fifo_push(peer_state_t *ps, inflight_t *x)
{
    x->next = NULL;
    if (ps->fifo_tail)
        ps->fifo_tail->next = x;
    else
        ps->fifo = x;
    ps->fifo_tail = x;
    ps->fifo_bytes += x->frame.len;
    ps->fifo_count++;
}

static inflight_t *fifo_take(peer_state_t *ps, uint64_t fid)
{
    inflight_t *prev = NULL;
    for (inflight_t *x = ps->fifo; x; prev = x, x = x->next) {
        if (x->fid != fid)
            continue;
        if (prev)
            prev->next = x->next;
        else
            ps->fifo = x->next;
        if (ps->fifo_tail == x)
            ps->fifo_tail = prev;
        ps->fifo_bytes -= x->frame.len;
        ps->fifo_count--;
        return x;
    }
    return NULL;
}

/* ---- coordination -------------------------------------------------------- */

static void wreq_finish(clu_node_t *n, wreq_t *w, const rdb_err_t *err)
{
    if (w->done)
        return;
    w->done = true;
    ev_timer_stop(n->loop, &w->timer);
    for (wreq_t **pp = &n->wtab[w->id & (NODE_WTAB - 1)]; *pp; pp = &(*pp)->next)
        if (*pp == w) {
            *pp = w->next;
            n->npending--;
            break;
        }
    if (err)
        n->writes_failed++;
    w->cb(w->ctx, err);
    if (!w->in_prep)
        node_wreq_free(w); /* else the flush frees it */
}

/* Evaluate every group: all OK -> success; any FAILED -> error. */
static void wreq_eval(clu_node_t *n, wreq_t *w)
{
    /* Nothing is reported before this node's own part is done: its apply
     * (so an error counts it) and its hints (so every acknowledged write
     * reaches a down replica by handoff, even if peers answered first). */
    if (w->in_prep)
        return;
    bool all_ok = true;
    for (size_t i = 0; i < w->ng; i++) {
        if (w->g[i].t.state == CLU_TALLY_FAILED) {
            rdb_err_t e = RDB_ERR_INIT;
            clu_tally_error(&w->g[i].t, &e);
            wreq_finish(n, w, &e);
            rdb_err_clear(&e);
            return;
        }
        if (w->g[i].t.state != CLU_TALLY_OK)
            all_ok = false;
    }
    if (all_ok)
        wreq_finish(n, w, NULL);
}

static void wreq_timeout_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
    wreq_t *w = t->data;
    for (size_t i = 0; i < w->ng; i++)
        clu_tally_timeout(&w->g[i].t);
    wreq_eval(w->node, w);
}

bool node_group_has(const wgroup_t *g, uint16_t node)
{
    for (size_t i = 0; i < g->nn; i++)
        if (g->nodes[i] == node)
            return true;
    return false;
}

static int cmp_u16(const void *a, const void *b)
{
    return (int)*(const uint16_t *)a - (int)*(const uint16_t *)b;
}

static void wreq_fail_now(clu_node_t *n, wreq_t *w, rdb_status_t code, const char *sqlstate,
                          const char *msg)
{
    rdb_err_t e = RDB_ERR_INIT;
    rdb_err_set(&e, code, sqlstate, "%s", msg);
    wreq_finish(n, w, &e);
    rdb_err_clear(&e);
}

/* When the request arrives: validate, stamp, group the records by replica
 * set, number them per destination, send the frames and start the tallies.
 * The local apply and the hints follow in node_rx_flush, once per loop
 * iteration for every request of the iteration (one fsync); only then does
 * this node count as an answer. */
void node_write_start(clu_node_t *n, wreq_t *w)
{
    n->writes_coord++;
    w->id = ++n->next_req;
    uint16_t self = n->o.node_id;
    for (size_t i = 0; i < w->nrec; i++) {
        const clu_record_t *r = &w->recs[i];
        if (r->klen == 0 || ((const unsigned char *)r->key)[0] == 0x00 ||
            r->klen > LSM_MAX_KEY_SIZE) {
            wreq_fail_now(n, w, RDB_INVALID, RDB_SQLSTATE_INVALID_PARAMETER,
                          "keys must be 1 to 65536 bytes and must not start with byte 0x00");
            return;
        }
    }
    if (!(w->flags & CLU_W_NOLOAD))
        for (size_t i = 0; i < w->nrec; i++)
            clu_pmap_note(n->pmap, w->recs[i].key, w->recs[i].klen, true,
                          w->recs[i].klen + w->recs[i].vlen);
    lsm_version_t stamp = { 0, self };
    for (size_t i = 0; i < w->nrec; i++)
        if (w->recs[i].version.hlc == 0) {
            if (!stamp.hlc)
                stamp.hlc = clu_hlc_now(&n->hlc);
            w->recs[i].version = stamp;
        }

    /* Group records by replica set. */
    w->grp_of = rdb_calloc(w->nrec ? w->nrec : 1, sizeof *w->grp_of);
    w->g = rdb_calloc(w->nrec ? w->nrec : 1, sizeof *w->g);
    for (size_t i = 0; i < w->nrec; i++) {
        wgroup_t g = { .nn = 0 };
        g.nn = node_write_replicas(n, w->recs[i].key, w->recs[i].klen, g.nodes);
        qsort(g.nodes, g.nn, sizeof g.nodes[0], cmp_u16);
        size_t k = 0;
        for (; k < w->ng; k++)
            if (w->g[k].nn == g.nn && memcmp(w->g[k].nodes, g.nodes, g.nn * 2) == 0)
                break;
        if (k == w->ng)
            w->g[w->ng++] = g;
        w->grp_of[i] = k;
        w->self_local |= node_group_has(&w->g[k], self);
    }

    /* Destinations other than self, and whether each gets the frame live. */
    for (size_t k = 0; k < w->ng; k++)
        for (size_t j = 0; j < w->g[k].nn; j++) {
            uint16_t d = w->g[k].nodes[j];
            bool seen = d == self;
            for (size_t x = 0; x < w->nd && !seen; x++)
                seen = w->dest[x].id == d;
            if (!seen) {
                w->dest = rdb_realloc(w->dest, (w->nd + 1) * sizeof *w->dest);
                wdest_t *wd = &w->dest[w->nd++];
                memset(wd, 0, sizeof *wd);
                wd->id = d;
                peer_state_t *ps = node_peer(n, d);
                wd->live = clu_net_is_up(n->net, d) && ps->fifo_bytes < NODE_FIFO_MAX;
            }
        }
    bool reserve = false;
    for (size_t i = 0; i < w->nrec; i++) {
        wgroup_t *g = &w->g[w->grp_of[i]];
        for (size_t x = 0; x < w->nd; x++) {
            wdest_t *wd = &w->dest[x];
            if (!node_group_has(g, wd->id))
                continue;
            peer_state_t *ps = node_peer(n, wd->id);
            clu_record_t r = w->recs[i];
            r.origin = self;
            r.seq = ++ps->out_seq;
            if (ps->out_seq > ps->seq_reserved) {
                ps->seq_reserved = ps->out_seq + NODE_SEQ_RESERVE - 1;
                reserve = true;
            }
            if (wd->live) {
                packed_add(&wd->pk, &r);
            } else {
                /* Hint: the record itself stays in w until the flush. */
                wd->hints = rdb_realloc(wd->hints, (wd->nhints + 1) * sizeof *wd->hints);
                wd->hints[wd->nhints++] = r;
            }
        }
    }
    if (reserve) {
        rdb_err_t e = RDB_ERR_INIT;
        if (oseq_persist(n, &e) != RDB_OK) {
            RDB_LOG_ERROR("node", "could not reserve sequence numbers: %s", e.msg);
            wreq_finish(n, w, &e);
            rdb_err_clear(&e);
            return;
        }
    }
    /* Tallies: every live destination and self count as asked; self answers
     * at the flush (or now, if the caller already applied the records). */
    bool self_done = (w->flags & CLU_W_APPLIED) != 0;
    for (size_t k = 0; k < w->ng; k++) {
        wgroup_t *g = &w->g[k];
        size_t sent = 0;
        for (size_t j = 0; j < g->nn; j++) {
            uint16_t d = g->nodes[j];
            if (d == self) {
                sent++;
                continue;
            }
            for (size_t x = 0; x < w->nd; x++)
                if (w->dest[x].id == d && w->dest[x].live)
                    sent++;
        }
        clu_tally_init_acked(&g->t, w->cl, g->nn, sent, self_done && node_group_has(g, self) ? 1 : 0);
    }
    for (size_t x = 0; x < w->nd; x++) {
        wdest_t *wd = &w->dest[x];
        if (!wd->live || wd->pk.n == 0)
            continue;
        peer_state_t *ps = node_peer(n, wd->id);
        inflight_t *f = rdb_calloc(1, sizeof *f);
        f->fid = ++ps->next_fid;
        f->reqid = w->id;
        f->seq_lo = wd->pk.seq_lo;
        f->seq_hi = wd->pk.seq_hi;
        f->sent_ms = node_mono_ms();
        build_write(n, &f->frame, w->id, W_LIVE, f->fid, 0, &wd->pk);
        if (clu_net_send(n->net, wd->id, f->frame.data, f->frame.len) != RDB_OK) {
            /* The queue is full or the link just went: keep it as hints. */
            frame_to_hints(n, wd->id, f);
            rdb_buf_free(&f->frame);
            free(f);
            for (size_t k = 0; k < w->ng; k++)
                if (node_group_has(&w->g[k], wd->id))
                    clu_tally_fail(&w->g[k].t);
            continue;
        }
        fifo_push(ps, f);
    }
    wreq_t **b = &n->wtab[w->id & (NODE_WTAB - 1)];
    w->next = *b;
    *b = w;
    n->npending++;
    ev_timer_init(&w->timer, wreq_timeout_cb, (double)n->o.write_timeout_ms / 1000.0, 0.0);
    w->timer.data = w;
    ev_timer_start(n->loop, &w->timer);
    /* Until the flush: w stays alive even if it finishes (in_prep). */
    w->in_prep = true;
    node_wprep_add(n, w);
    wreq_eval(n, w);
}

/* After this iteration's local apply: keep the hints, count self. */
void node_write_applied(clu_node_t *n, wreq_t *w, bool ok)
{
    for (size_t x = 0; x < w->nd; x++)
        hints_keep(n, w->dest[x].id, w->dest[x].hints, w->dest[x].nhints);
    w->in_prep = false;
    if (w->done) {
        node_wreq_free(w);
        return;
    }
    if (!(w->flags & CLU_W_APPLIED)) {
        for (size_t k = 0; k < w->ng; k++)
            if (node_group_has(&w->g[k], n->o.node_id)) {
                if (!ok)
                    clu_tally_fail(&w->g[k].t);
                else if (w->g[k].t.state == CLU_TALLY_PENDING)
                    clu_tally_ack(&w->g[k].t);
                else
                    clu_tally_late_ack(&w->g[k].t);
            }
    }
    wreq_eval(n, w);
}

static wreq_t *wreq_find(clu_node_t *n, uint64_t id)
{
    for (wreq_t *w = n->wtab[id & (NODE_WTAB - 1)]; w; w = w->next)
        if (w->id == id)
            return w;
    return NULL;
}

static void wreq_peer_answer(clu_node_t *n, uint64_t reqid, uint16_t peer, bool ok)
{
    wreq_t *w = wreq_find(n, reqid);
    if (!w)
        return;
    for (size_t k = 0; k < w->ng; k++)
        if (node_group_has(&w->g[k], peer)) {
            if (ok)
                clu_tally_ack(&w->g[k].t);
            else
                clu_tally_fail(&w->g[k].t);
        }
    wreq_eval(n, w);
}

/* ---- receiving ----------------------------------------------------------- */

void node_on_write(clu_node_t *n, uint16_t from, clu_frame_t *f)
{
    uint64_t reqid, fid, hint_upto, seq_hi, kind;
    if (!clu_field_u64(f, 0, &reqid) || !clu_field_u64(f, 1, &kind) ||
        !clu_field_u64(f, 2, &fid) || !clu_field_u64(f, 3, &hint_upto) ||
        !clu_field_u64(f, 4, &seq_hi) || f->nfields < 6 ||
        f->fields[5].type != MSGPACK_OBJECT_ARRAY) {
        RDB_LOG_WARN("node", "malformed WRITE from node %u", from);
        return;
    }
    const msgpack_object_array *a = &f->fields[5].via.array;
    bool ok = true;
    size_t first = n->acc.nrx, first_store = n->acc.store.len;
    for (uint32_t i = 0; i < a->size; i++) {
        clu_record_t r;
        if (!node_unpack_record(&a->ptr[i], &r)) {
            ok = false;
            break;
        }
        if (kind == W_REPAIR)
            r.origin = 0, r.seq = 0;
        node_rx_add(n, &r);
    }
    if (!ok) {
        RDB_LOG_WARN("node", "malformed record in WRITE from node %u", from);
        n->acc.nrx = first;
        n->acc.store.len = first_store;
    }
    n->rx_frames++;
    if (kind == W_REPAIR)
        return;
    node_rx_ack(n, &(rx_ack_t){ .peer = from, .fid = fid, .reqid = reqid, .hint_upto = hint_upto,
                                .seq_hi = seq_hi, .kind = (int)kind, .ok = ok });
}

void node_on_write_ack(clu_node_t *n, uint16_t from, clu_frame_t *f)
{
    uint64_t reqid, kind, fid, hint_upto, seq_hi, ok, durable = 1;
    if (!clu_field_u64(f, 0, &reqid) || !clu_field_u64(f, 1, &kind) ||
        !clu_field_u64(f, 2, &fid) || !clu_field_u64(f, 3, &hint_upto) ||
        !clu_field_u64(f, 4, &seq_hi) || !clu_field_u64(f, 5, &ok))
        return;
    if (f->nfields > 6 && !clu_field_u64(f, 6, &durable))
        return;
    peer_state_t *ps = node_peer(n, from);
    if (!durable) {
        /* Applied (visible) on the replica, not yet durable: the frame stays
         * in the FIFO, to become hints if the link dies before the durable
         * acknowledgement, and counts for no consistency level. */
        if (kind == W_LIVE && ok && seq_hi > ps->visible_seq)
            ps->visible_seq = seq_hi;
        return;
    }
    if (kind == W_HINT) {
        if (!ps->hint_inflight || hint_upto != ps->hint_upto)
            return;
        ps->hint_inflight = false;
        if (!ok)
            return; /* stays in the store; the hint timer retries */
        rdb_err_t e = RDB_ERR_INIT;
        clu_hint_stats_t before, after;
        clu_hints_stats(n->hints, from, &before);
        if (clu_hints_ack(n->hints, from, hint_upto, &e) != RDB_OK) {
            RDB_LOG_WARN("node", "%s", e.msg);
            rdb_err_clear(&e);
            return;
        }
        clu_hints_stats(n->hints, from, &after);
        ps->delivered += before.count - after.count;
        if (seq_hi > ps->acked_seq)
            ps->acked_seq = seq_hi;
        if (after.count == 0) {
            RDB_LOG_INFO("node", "hinted handoff to node %u complete (%llu delivered)", from,
                         (unsigned long long)ps->delivered);
            node_send_advance(n, from);
        } else {
            node_hints_pump(n, from);
        }
        return;
    }
    inflight_t *x = fifo_take(ps, fid);
    if (!x)
        return;
    if (ok) {
        if (x->seq_hi > ps->acked_seq)
            ps->acked_seq = x->seq_hi;
        if (x->seq_hi > ps->visible_seq)
            ps->visible_seq = x->seq_hi;
    } else {
        frame_to_hints(n, from, x);
    }
    rdb_buf_free(&x->frame);
    free(x);
    wreq_peer_answer(n, reqid, from, ok != 0);
}

/* ---- peers going and coming ------------------------------------------------ */

void node_peer_down(clu_node_t *n, uint16_t peer)
{
    peer_state_t *ps = node_peer(n, peer);
    size_t nf = ps->fifo_count;
    inflight_t *list = ps->fifo;
    ps->fifo = ps->fifo_tail = NULL;
    ps->fifo_bytes = 0;
    ps->fifo_count = 0;
    ps->hint_inflight = false;
    frames_to_hints(n, peer, list);
    while (list) {
        inflight_t *x = list;
        list = x->next;
        uint64_t reqid = x->reqid;
        rdb_buf_free(&x->frame);
        free(x);
        wreq_peer_answer(n, reqid, peer, false);
    }
    if (nf)
        RDB_LOG_INFO("node", "%zu unacknowledged frames to node %u kept as hints", nf, peer);
}

typedef struct min_ctx {
    uint64_t min;
} min_ctx_t;

static bool min_seq_fn(const clu_record_t *r, void *ctx)
{
    min_ctx_t *m = ctx;
    if (r->seq && (m->min == 0 || r->seq < m->min))
        m->min = r->seq;
    return true;
}

void node_send_advance(clu_node_t *n, uint16_t peer)
{
    peer_state_t *ps = node_peer(n, peer);
    if (!clu_net_is_up(n->net, peer) || ps->out_seq == 0)
        return;
    min_ctx_t m = { 0 };
    uint64_t last;
    rdb_err_t e = RDB_ERR_INIT;
    if (clu_hints_for_each(n->hints, peer, SIZE_MAX, min_seq_fn, &m, &last, &e) != RDB_OK) {
        rdb_err_clear(&e);
        return;
    }
    for (inflight_t *x = ps->fifo; x; x = x->next)
        if (x->seq_lo && (m.min == 0 || x->seq_lo < m.min))
            m.min = x->seq_lo;
    uint64_t upto = m.min ? m.min - 1 : ps->out_seq;
    if (upto == 0)
        return;
    rdb_buf_t f = RDB_BUF_INIT;
    msgpack_packer p;
    size_t st = clu_frame_start(&f, &p, CLU_MSG_ADVANCE, n->o.node_id, clu_hlc_peek(&n->hlc), 1);
    msgpack_pack_uint64(&p, upto);
    clu_frame_finish(&f, st);
    node_send(n, peer, &f);
    rdb_buf_free(&f);
    if (upto > ps->acked_seq)
        ps->acked_seq = upto;
}

void node_on_advance(clu_node_t *n, uint16_t from, clu_frame_t *f)
{
    uint64_t seq;
    if (!clu_field_u64(f, 0, &seq))
        return;
    /* Applied after every record received before it (node_apply.c). */
    node_rx_ack(n, &(rx_ack_t){ .peer = from, .hint_upto = seq, .kind = W_ADVANCE });
}

void node_peer_up_writes(clu_node_t *n, uint16_t peer)
{
    node_send_advance(n, peer);
    node_hints_pump(n, peer);
}

typedef struct pump_ctx {
    packed_t pk;
    size_t   bytes;
} pump_ctx_t;

static bool pump_fn(const clu_record_t *r, void *ctx)
{
    pump_ctx_t *p = ctx;
    packed_add(&p->pk, r);
    return p->pk.raw.len < (4u << 20);
}

void node_hints_pump(clu_node_t *n, uint16_t peer)
{
    if (node_peer_gone(n, peer)) {   /* left or removed: to the new replicas */
        node_hints_redirect(n, peer);
        return;
    }
    peer_state_t *ps = node_peer(n, peer);
    if (ps->hint_inflight || !clu_net_is_up(n->net, peer))
        return;
    clu_hint_stats_t hs;
    clu_hints_stats(n->hints, peer, &hs);
    if (hs.count == 0)
        return;
    pump_ctx_t pc = { .pk = { .raw = RDB_BUF_INIT } };
    uint64_t last = 0;
    rdb_err_t e = RDB_ERR_INIT;
    if (clu_hints_for_each(n->hints, peer, NODE_HINT_BATCH, pump_fn, &pc, &last, &e) != RDB_OK) {
        RDB_LOG_WARN("node", "reading hints for node %u: %s", peer, e.msg);
        rdb_err_clear(&e);
        rdb_buf_free(&pc.pk.raw);
        return;
    }
    if (pc.pk.n && last) {
        rdb_buf_t f = RDB_BUF_INIT;
        build_write(n, &f, 0, W_HINT, 0, last, &pc.pk);
        if (clu_net_send(n->net, peer, f.data, f.len) == RDB_OK) {
            ps->hint_inflight = true;
            ps->hint_upto = last;
        }
        rdb_buf_free(&f);
    }
    rdb_buf_free(&pc.pk.raw);
}

uint64_t node_drop_hints(clu_node_t *n, uint16_t peer)
{
    uint64_t dropped = 0;
    for (size_t i = 0; i < n->mem.n; i++) {
        uint16_t id = n->mem.m[i].id;
        if (id == n->o.node_id || (peer && id != peer))
            continue;
        clu_hint_stats_t hs;
        clu_hints_stats(n->hints, id, &hs);
        if (hs.count == 0)
            continue;
        rdb_err_t e = RDB_ERR_INIT;
        if (clu_hints_ack(n->hints, id, UINT64_MAX, &e) != RDB_OK) {
            RDB_LOG_WARN("node", "%s", e.msg);
            rdb_err_clear(&e);
            continue;
        }
        node_peer(n, id)->hint_inflight = false;
        dropped += hs.count;
        RDB_LOG_WARN("node", "dropped %llu hints for node %u on request",
                     (unsigned long long)hs.count, id);
        node_send_advance(n, id);
    }
    return dropped;
}

void node_repair_send(clu_node_t *n, uint16_t peer, const clu_record_t *r)
{
    clu_record_t x = *r;
    x.origin = 0;
    x.seq = 0;
    n->repairs_sent++;
    if (peer == n->o.node_id) {
        node_rx_add(n, &x); /* applied with this iteration's batch */
        return;
    }
    packed_t pk = { .raw = RDB_BUF_INIT };
    packed_add(&pk, &x);
    rdb_buf_t f = RDB_BUF_INIT;
    build_write(n, &f, 0, W_REPAIR, 0, 0, &pk);
    node_send(n, peer, &f);
    rdb_buf_free(&f);
    rdb_buf_free(&pk.raw);
}

void node_write_fail_all(clu_node_t *n)
{
    for (size_t i = 0; i < NODE_WTAB; i++)
        while (n->wtab[i]) {
            rdb_err_t e = RDB_ERR_INIT;
            rdb_err_set(&e, RDB_UNAVAILABLE, RDB_SQLSTATE_UNAVAILABLE,
                        "the cluster node is shutting down");
            wreq_finish(n, n->wtab[i], &e);
            rdb_err_clear(&e);
        }
}
