/*
 * node_apply.c — group commit on threads of their own: an applier that
 * makes writes visible, a syncer that makes them durable.
 *
 * Everything a node must apply to its store — records of the writes it
 * coordinates, records replicated to it, version-vector advances — is
 * collected in the loop's batch `acc`.  At the end of each loop iteration
 * (node_rx_flush) the batch is handed to the applier thread if it is idle:
 * one clu_replica_apply WITHOUT fsync (WAL append in the page cache and
 * memtable insert: the records are visible to readers from then on).  The
 * applier then asks the syncer for an fsync up to this batch's epoch and
 * wakes the loop, which completes the batch's visible part (the APPLIED
 * acknowledgement of each live frame) and hands over the next batch at
 * once: the next apply runs while the previous fsync is under way.  When
 * the syncer's fdatasync covers an epoch, the loop completes what was owed
 * on durability (n->dq, in epoch order): DURABLE acknowledgements (the only
 * ones a coordinator counts for a consistency level or for dropping a
 * frame or a hint), the coordinator's own answer for its writes, and the
 * version vector it gossips.  One fdatasync covers every batch applied
 * before it started, so under load fsyncs are grouped over many batches.
 * With --write-sync off there is no syncer: durable = applied.
 *
 * Invariants: at most one batch is with the applier (ap_busy); batches are
 * applied in the order they were filled, so an ADVANCE is applied after
 * every record that arrived before it; dq is in epoch order and an item
 * is completed only once sy_done >= its epoch (ok iff sy_ok >= its epoch:
 * after a failed fsync sy_ok never moves again and the store refuses
 * writes).  The applier touches only `job`, under ap_mu hand-off, and the
 * replica under rep_mu.  A replica that crashes between its APPLIED and its
 * DURABLE acknowledgement loses the write; the coordinator still holds the
 * frame (or the hint) and sends it again.
 */
#include <stdlib.h>
#include <string.h>

#include "cluster/node_int.h"
#include "common/log.h"
#include "common/mem.h"

/* ---- filling (node thread) ---------------------------------------------- */

void node_rx_add(clu_node_t *n, const clu_record_t *r)
{
    apply_batch_t *b = &n->acc;
    if (b->nrx == b->caprx) {
        b->caprx = b->caprx ? b->caprx * 2 : 256;
        b->rx = rdb_realloc(b->rx, b->caprx * sizeof *b->rx);
    }
    rx_rec_t *x = &b->rx[b->nrx++];
    x->koff = b->store.len;
    x->klen = r->klen;
    rdb_buf_append(&b->store, r->key, r->klen);
    x->voff = b->store.len;
    x->vlen = r->tombstone ? 0 : r->vlen;
    if (!r->tombstone)
        rdb_buf_append(&b->store, r->value, r->vlen);
    x->v = r->version;
    x->tomb = r->tombstone;
    x->origin = r->origin;
    x->seq = r->seq;
}

void node_rx_ack(clu_node_t *n, const rx_ack_t *a)
{
    apply_batch_t *b = &n->acc;
    if (b->nacks == b->capacks) {
        b->capacks = b->capacks ? b->capacks * 2 : 64;
        b->acks = rdb_realloc(b->acks, b->capacks * sizeof *b->acks);
    }
    b->acks[b->nacks++] = *a;
}

void node_wprep_add(clu_node_t *n, wreq_t *w)
{
    apply_batch_t *b = &n->acc;
    w->pnext = NULL;
    if (b->wprep_tail)
        b->wprep_tail->pnext = w;
    else
        b->wprep = w;
    b->wprep_tail = w;
}

static void batch_reset(apply_batch_t *b)
{
    b->nrx = b->nacks = b->nrecs = 0;
    b->wprep = b->wprep_tail = NULL;
    rdb_buf_reset(&b->store);
    if (b->store.cap > (8u << 20))
        rdb_buf_free(&b->store);
    b->ok = true;
}

static void batch_free(apply_batch_t *b)
{
    rdb_buf_free(&b->store);
    rdb_buf_free(&b->vv_enc);
    free(b->rx);
    free(b->acks);
    free(b->recs);
    memset(b, 0, sizeof *b);
}

/* Build the record array the applier writes (pointers into the batch's
 * store and into the coordinated requests, which stay alive: in_prep). */
static void batch_build(clu_node_t *n, apply_batch_t *b)
{
    size_t need = b->nrx;
    for (wreq_t *w = b->wprep; w; w = w->pnext)
        need += w->nrec;
    if (need > b->caprecs) {
        b->caprecs = need;
        b->recs = rdb_realloc(b->recs, need * sizeof *b->recs);
    }
    size_t k = 0;
    for (wreq_t *w = b->wprep; w; w = w->pnext)
        if (!(w->flags & CLU_W_APPLIED) && w->self_local)
            for (size_t i = 0; i < w->nrec; i++)
                if (node_group_has(&w->g[w->grp_of[i]], n->o.node_id))
                    b->recs[k++] = w->recs[i];
    for (size_t i = 0; i < b->nrx; i++, k++) {
        rx_rec_t *x = &b->rx[i];
        clu_record_t *r = &b->recs[k];
        r->key = b->store.data + x->koff;
        r->klen = x->klen;
        r->value = x->tomb ? NULL : b->store.data + x->voff;
        r->vlen = x->vlen;
        r->version = x->v;
        r->tombstone = x->tomb;
        r->origin = x->origin;
        r->seq = x->seq;
    }
    b->nrecs = k;
}

void node_rx_flush(clu_node_t *n)
{
    apply_batch_t *a = &n->acc;
    if (a->nrx == 0 && a->nacks == 0 && !a->wprep)
        return;
    pthread_mutex_lock(&n->ap_mu);
    bool busy = n->ap_busy;
    pthread_mutex_unlock(&n->ap_mu);
    if (busy)
        return; /* keeps filling; handed over when the applier finishes */
    /* Frames of this iteration leave before the fsync. */
    clu_net_flush(n->net);
    apply_batch_t t = n->job;
    n->job = n->acc;
    n->acc = t;
    batch_reset(&n->acc);
    batch_build(n, &n->job);
    node_stage(n, CLU_STAGE_HANDOFF, n->job.recs, n->job.nrecs);
    n->job.ok = true;
    n->job.epoch = ++n->ap_epoch;
    pthread_mutex_lock(&n->ap_mu);
    n->ap_busy = true;
    n->ap_done = false;
    pthread_cond_signal(&n->ap_cv);
    pthread_mutex_unlock(&n->ap_mu);
}

/* ---- the applier thread -------------------------------------------------- */

static void apply_job(clu_node_t *n, apply_batch_t *b)
{
    rdb_err_t e = RDB_ERR_INIT;
    pthread_mutex_lock(&n->rep_mu);
    if (b->nrecs && clu_replica_apply(&n->rep, b->recs, b->nrecs, false, &e) != RDB_OK) {
        RDB_LOG_ERROR("node", "applying %zu records failed: %s", b->nrecs, e.msg);
        rdb_err_clear(&e);
        b->ok = false;
    }
    for (size_t i = 0; i < b->nacks; i++) {
        rx_ack_t *a = &b->acks[i];
        if (a->kind != W_ADVANCE)
            continue;
        uint64_t before = clu_vv_contig(&n->rep.vv, a->peer);
        clu_vv_advance(&n->rep.vv, a->peer, a->hint_upto);
        if (a->hint_upto > before)
            RDB_LOG_INFO("node", "version vector for node %u advanced from %llu to %llu "
                         "(records it could not deliver are left to anti-entropy)", a->peer,
                         (unsigned long long)before, (unsigned long long)a->hint_upto);
    }
    rdb_buf_reset(&b->vv_enc);
    clu_vv_encode(&n->rep.vv, &b->vv_enc);
    pthread_mutex_unlock(&n->rep_mu);
}

/* Holding ap_mu: tell the stopping thread and the loop that a batch is
 * applied or made durable (the wake-up is sent without the lock). */
static void wake_loop(clu_node_t *n)
{
    pthread_cond_broadcast(&n->ap_done_cv);
    pthread_mutex_unlock(&n->ap_mu);
    ev_async_send(n->loop, &n->wake);
    pthread_mutex_lock(&n->ap_mu);
}

static void *applier(void *arg)
{
    clu_node_t *n = arg;
    pthread_mutex_lock(&n->ap_mu);
    for (;;) {
        while (!(n->ap_busy && !n->ap_done) && !n->ap_stop)
            pthread_cond_wait(&n->ap_cv, &n->ap_mu);
        if (!(n->ap_busy && !n->ap_done))
            break; /* stopping with nothing to do */
        pthread_mutex_unlock(&n->ap_mu);
        apply_job(n, &n->job);
        pthread_mutex_lock(&n->ap_mu);
        n->ap_done = true;
        if (n->sy_started && n->job.epoch > n->sy_req) {
            n->sy_req = n->job.epoch; /* the fsync starts now, not after the loop */
            pthread_cond_signal(&n->sy_cv);
        }
        wake_loop(n);
    }
    pthread_mutex_unlock(&n->ap_mu);
    return NULL;
}

/* ---- the syncer thread --------------------------------------------------- */

static void *syncer(void *arg)
{
    clu_node_t *n = arg;
    pthread_mutex_lock(&n->ap_mu);
    for (;;) {
        while ((n->sy_req <= n->sy_done || n->sy_hold) && !n->ap_stop)
            pthread_cond_wait(&n->sy_cv, &n->ap_mu);
        if (n->sy_req <= n->sy_done)
            break; /* stopping with nothing to do */
        uint64_t target = n->sy_req;
        pthread_mutex_unlock(&n->ap_mu);
        rdb_err_t e = RDB_ERR_INIT;
        bool ok = lsm_sync_wal(n->db, &e) == RDB_OK;
        if (!ok) {
            RDB_LOG_ERROR("node", "making applied writes durable failed: %s", e.msg);
            rdb_err_clear(&e);
        }
        pthread_mutex_lock(&n->ap_mu);
        n->sy_done = target;
        if (ok && !n->sy_failed)
            n->sy_ok = target;
        else
            n->sy_failed = true;
        wake_loop(n);
    }
    pthread_mutex_unlock(&n->ap_mu);
    return NULL;
}

/* ---- completion (node thread) -------------------------------------------- */

/* WRITE_ACK [reqid, kind, fid, hint_upto, seq_hi, ok, durable]: durable 0
 * says the records are applied (visible), 1 that they are also durable
 * (the answer that counts); a frame gets the first (live frames only)
 * then the second, or one failed durable answer. */
static void send_ack(clu_node_t *n, const rx_ack_t *a, bool ok, bool durable)
{
    rdb_buf_t f = RDB_BUF_INIT;
    msgpack_packer p;
    size_t fs = clu_frame_start(&f, &p, CLU_MSG_WRITE_ACK, n->o.node_id, clu_hlc_peek(&n->hlc), 7);
    msgpack_pack_uint64(&p, a->reqid);
    msgpack_pack_int(&p, a->kind);
    msgpack_pack_uint64(&p, a->fid);
    msgpack_pack_uint64(&p, a->hint_upto);
    msgpack_pack_uint64(&p, a->seq_hi);
    msgpack_pack_uint64(&p, ok && a->ok ? 1 : 0);
    msgpack_pack_uint64(&p, durable ? 1 : 0);
    clu_frame_finish(&f, fs);
    node_send(n, a->peer, &f);
    rdb_buf_free(&f);
}

static dur_item_t *dq_push(clu_node_t *n, uint64_t epoch, int what)
{
    if (n->dq_head + n->dq_n == n->dq_cap) {
        if (n->dq_head) {
            memmove(n->dq, n->dq + n->dq_head, n->dq_n * sizeof *n->dq);
            n->dq_head = 0;
        } else {
            n->dq_cap = n->dq_cap ? n->dq_cap * 2 : 64;
            n->dq = rdb_realloc(n->dq, n->dq_cap * sizeof *n->dq);
        }
    }
    dur_item_t *d = &n->dq[n->dq_head + n->dq_n++];
    memset(d, 0, sizeof *d);
    d->epoch = epoch;
    d->what = what;
    return d;
}

static void dur_run(clu_node_t *n, dur_item_t *d, bool ok)
{
    switch (d->what) {
    case DUR_ACK:
        send_ack(n, &d->a, ok, true);
        break;
    case DUR_WRITE:
        node_write_applied(n, d->w, ok);
        break;
    case DUR_VV:
        if (ok) {
            rdb_buf_t t = n->gossip_vv;
            n->gossip_vv = d->vv;
            d->vv = t;
        }
        rdb_buf_free(&d->vv);
        break;
    }
}

/* Complete what the syncer made durable. */
static void dur_complete(clu_node_t *n)
{
    if (n->dq_n == 0)
        return;
    pthread_mutex_lock(&n->ap_mu);
    uint64_t done = n->sy_done, okupto = n->sy_ok;
    pthread_mutex_unlock(&n->ap_mu);
    bool any = false;
    while (n->dq_n && n->dq[n->dq_head].epoch <= done) {
        dur_item_t d = n->dq[n->dq_head++];
        n->dq_n--;
        dur_run(n, &d, d.epoch <= okupto);
        any = true;
    }
    if (n->dq_n == 0)
        n->dq_head = 0;
    if (any)
        clu_net_flush(n->net);
}

/* Does the local apply of this batch hold records of w?  (Else its own
 * part is done once the batch is through: nothing of it awaits an fsync.) */
static bool wreq_applies_here(const clu_node_t *n, const wreq_t *w)
{
    return !(w->flags & CLU_W_APPLIED) && w->self_local;
}

void node_apply_complete(clu_node_t *n)
{
    pthread_mutex_lock(&n->ap_mu);
    bool done = n->ap_busy && n->ap_done;
    pthread_mutex_unlock(&n->ap_mu);
    if (!done) {
        dur_complete(n);
        return;
    }
    apply_batch_t *b = &n->job;
    bool defer = n->sy_started && b->ok; /* else durable = applied (or failed) */
    n->rx_applied += b->nrx;
    n->ap_applied = b->epoch;
    for (wreq_t *w = b->wprep, *next; w; w = next) {
        next = w->pnext;
        if (defer && wreq_applies_here(n, w))
            dq_push(n, b->epoch, DUR_WRITE)->w = w;
        else
            node_write_applied(n, w, b->ok);
    }
    for (size_t i = 0; i < b->nacks; i++) {
        rx_ack_t *a = &b->acks[i];
        if (a->kind == W_ADVANCE)
            continue;
        if (!defer) {
            send_ack(n, a, b->ok, true);
            continue;
        }
        if (a->kind == W_LIVE && a->ok)
            send_ack(n, a, true, false); /* visible here from now on */
        dq_push(n, b->epoch, DUR_ACK)->a = *a;
    }
    if (defer) {
        dur_item_t *d = dq_push(n, b->epoch, DUR_VV);
        d->vv = b->vv_enc;
        b->vv_enc = (rdb_buf_t)RDB_BUF_INIT;
    } else if (b->ok) {
        rdb_buf_t t = n->gossip_vv;
        n->gossip_vv = b->vv_enc;
        b->vv_enc = t;
    }
    clu_net_flush(n->net);
    batch_reset(b);
    pthread_mutex_lock(&n->ap_mu);
    n->ap_busy = false;
    n->ap_done = false;
    pthread_mutex_unlock(&n->ap_mu);
    node_rx_flush(n); /* what gathered meanwhile: applied during the fsync */
    dur_complete(n);
}

void node_apply_start(clu_node_t *n)
{
    pthread_mutex_init(&n->ap_mu, NULL);
    pthread_cond_init(&n->ap_cv, NULL);
    pthread_cond_init(&n->ap_done_cv, NULL);
    pthread_cond_init(&n->sy_cv, NULL);
    n->acc.ok = n->job.ok = true;
    /* What the store holds at start is durable (recovered from the WAL). */
    rdb_buf_reset(&n->gossip_vv);
    clu_vv_encode(&n->rep.vv, &n->gossip_vv);
    n->ap_started = pthread_create(&n->ap_thr, NULL, applier, n) == 0;
    if (n->ap_started)
        pthread_setname_np(n->ap_thr, "clu-apply"); /* for top, perf */
    if (n->ap_started && n->o.sync)
        n->sy_started = pthread_create(&n->sy_thr, NULL, syncer, n) == 0;
    if (n->sy_started)
        pthread_setname_np(n->sy_thr, "clu-sync");
}

void clu_node_hold_durable(clu_node_t *n, bool hold)
{
    pthread_mutex_lock(&n->ap_mu);
    n->sy_hold = hold;
    pthread_cond_signal(&n->sy_cv);
    pthread_mutex_unlock(&n->ap_mu);
}

void node_apply_stop(clu_node_t *n)
{
    if (!n->ap_started) {
        batch_free(&n->acc);
        batch_free(&n->job);
        return;
    }
    clu_node_hold_durable(n, false);
    /* Drain: finish the batch with the applier, hand over the rest, wait
     * for the last fsync and complete what it owes. */
    for (;;) {
        pthread_mutex_lock(&n->ap_mu);
        while ((n->ap_busy && !n->ap_done) || (n->dq_n && n->sy_done < n->sy_req))
            pthread_cond_wait(&n->ap_done_cv, &n->ap_mu);
        bool busy = n->ap_busy;
        pthread_mutex_unlock(&n->ap_mu);
        if (busy) {
            node_apply_complete(n); /* hands over acc if it holds anything */
            continue;
        }
        dur_complete(n);
        if (n->acc.nrx == 0 && n->acc.nacks == 0 && !n->acc.wprep && n->dq_n == 0)
            break;
        node_rx_flush(n);
    }
    pthread_mutex_lock(&n->ap_mu);
    n->ap_stop = true;
    pthread_cond_signal(&n->ap_cv);
    pthread_cond_signal(&n->sy_cv);
    pthread_mutex_unlock(&n->ap_mu);
    pthread_join(n->ap_thr, NULL);
    if (n->sy_started)
        pthread_join(n->sy_thr, NULL);
    n->ap_started = n->sy_started = false;
    pthread_mutex_destroy(&n->ap_mu);
    pthread_cond_destroy(&n->ap_cv);
    pthread_cond_destroy(&n->ap_done_cv);
    pthread_cond_destroy(&n->sy_cv);
    batch_free(&n->acc);
    batch_free(&n->job);
    free(n->dq);
    n->dq = NULL;
    n->dq_n = n->dq_head = n->dq_cap = 0;
}
