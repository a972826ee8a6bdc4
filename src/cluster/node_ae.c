/*
 * node_ae.c — anti-entropy: Merkle comparison of partitions between
 * replicas, streaming only the differing token ranges.
 *
 * Scans of the store (building trees, collecting the records of ranges)
 * run on a background thread, one job at a time, so the node's loop never
 * waits on a full-store walk; the loop only sends and applies frames.
 *
 * A round started on node A (periodically or by `ringdb-ctl ae`):
 *   A -> B   MERKLE_REQ [round, depth, [[lo, hi]...]]  the partitions A and
 *            B both replicate; A builds its own trees meanwhile
 *   B -> A   MERKLE     [round, [tree...]]             B's trees, same order
 *   A        diffs each pair of trees -> differing token ranges D
 *   A -> B   RANGE_REQ  [round, D]; and A pushes its own records in D:
 *   A -> B   RANGE_DATA [round, PUSH, last, [record...]] ...
 *   B -> A   RANGE_DATA [round, REPLY, last, [record...]] ...  B's records in D
 *   B -> A   AE_DONE    [round]   after applying A's last push frame
 * Both sides apply what they receive as blind versioned puts (LWW), so both
 * converge on the newest version of every key in D.  The round ends when
 * every peer finished or failed (link down) or after 60 s.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cluster/node_int.h"
#include "common/log.h"
#include "common/mem.h"

enum { AE_ROUND_MINE = 1, AE_REPLY_MERKLE, AE_CTL_MERKLE, AE_SCAN_PUSH, AE_SCAN_REPLY };
enum { RD_PUSH = 0, RD_REPLY = 1 };

#define AE_CHUNK_BYTES (1u << 20)
#define AE_CHUNK_RECS  2000

static void ae_done_scan(clu_node_t *n, ae_job_t *j);
static void round_free_parts(ae_round_t *r);

/* ---- the background thread ----------------------------------------------- */

static void job_free(ae_job_t *j)
{
    if (j->trees) {
        for (size_t i = 0; i < j->nranges; i++)
            clu_merkle_free(&j->trees[i]);
        free(j->trees);
    }
    for (size_t i = 0; i < j->nframes; i++)
        rdb_buf_free(&j->frames[i]);
    free(j->frames);
    free(j->ranges);
    if (j->free_arg)
        j->free_arg(j->arg);
    rdb_err_clear(&j->err);
    free(j);
}

static void *ae_thread(void *arg)
{
    clu_node_t *n = arg;
    pthread_mutex_lock(&n->ae_mu);
    for (;;) {
        while (!n->ae_q && !n->ae_stop)
            pthread_cond_wait(&n->ae_cv, &n->ae_mu);
        if (n->ae_stop)
            break;
        ae_job_t *j = n->ae_q;
        n->ae_q = j->next;
        pthread_mutex_unlock(&n->ae_mu);
        j->run(n, j);
        pthread_mutex_lock(&n->ae_mu);
        /* Keep completion order: append. */
        j->next = NULL;
        ae_job_t **pp = &n->ae_done;
        while (*pp)
            pp = &(*pp)->next;
        *pp = j;
        pthread_mutex_unlock(&n->ae_mu);
        ev_async_send(n->loop, &n->wake);
        pthread_mutex_lock(&n->ae_mu);
    }
    pthread_mutex_unlock(&n->ae_mu);
    return NULL;
}

void node_ae_start_thread(clu_node_t *n)
{
    pthread_mutex_init(&n->ae_mu, NULL);
    pthread_cond_init(&n->ae_cv, NULL);
    n->ae_started = pthread_create(&n->ae_thr, NULL, ae_thread, n) == 0;
}

void node_ae_stop_thread(clu_node_t *n)
{
    if (!n->ae_started)
        return;
    pthread_mutex_lock(&n->ae_mu);
    n->ae_stop = true;
    pthread_cond_signal(&n->ae_cv);
    pthread_mutex_unlock(&n->ae_mu);
    pthread_join(n->ae_thr, NULL);
    n->ae_started = false;
    while (n->ae_q) {
        ae_job_t *j = n->ae_q;
        n->ae_q = j->next;
        job_free(j);
    }
    while (n->ae_done) {
        ae_job_t *j = n->ae_done;
        n->ae_done = j->next;
        job_free(j);
    }
    ae_round_t *r = &n->round;
    if (r->active)
        ev_timer_stop(n->loop, &r->timer);
    round_free_parts(r);
    memset(r, 0, sizeof *r);
}

void node_ae_post(clu_node_t *n, ae_job_t *j)
{
    pthread_mutex_lock(&n->ae_mu);
    j->next = NULL;
    ae_job_t **pp = &n->ae_q;
    while (*pp)
        pp = &(*pp)->next;
    *pp = j;
    pthread_cond_signal(&n->ae_cv);
    pthread_mutex_unlock(&n->ae_mu);
}

void node_ae_drain(clu_node_t *n)
{
    pthread_mutex_lock(&n->ae_mu);
    ae_job_t *j = n->ae_done;
    n->ae_done = NULL;
    pthread_mutex_unlock(&n->ae_mu);
    while (j) {
        ae_job_t *next = j->next;
        j->done(n, j);
        job_free(j);
        j = next;
    }
}

/* ---- job bodies (AE thread) ---------------------------------------------- */

static bool is_catalog(const clu_record_t *rec)
{
    return rec->klen && ((const unsigned char *)rec->key)[0] == 0x01;
}

static bool trees_fn(const clu_record_t *rec, uint64_t token, void *ctx)
{
    ae_job_t *j = ctx;
    bool cat = is_catalog(rec);
    for (size_t i = 0; i < j->nranges; i++)
        if (j->ranges[i].cat == cat && clu_merkle_covers(&j->trees[i], token)) {
            clu_merkle_add(&j->trees[i], token, rec->key, rec->klen, rec->version, rec->tombstone);
            break;
        }
    return true;
}

static void run_trees(clu_node_t *n, ae_job_t *j)
{
    j->trees = rdb_calloc(j->nranges ? j->nranges : 1, sizeof *j->trees);
    for (size_t i = 0; i < j->nranges; i++)
        clu_merkle_init(&j->trees[i], j->ranges[i].lo, j->ranges[i].hi, j->depth);
    clu_replica_walk(&n->rep, trees_fn, j, &j->err);
    for (size_t i = 0; i < j->nranges; i++)
        clu_merkle_root(&j->trees[i]);
}

typedef struct scan_ctx {
    clu_node_t *n;
    ae_job_t   *j;
    rdb_buf_t   raw;
    size_t      cnt;
} scan_ctx_t;

static int raw_write(void *data, const char *buf, size_t len)
{
    rdb_buf_append((rdb_buf_t *)data, buf, len);
    return 0;
}

static void scan_emit(scan_ctx_t *s, bool last)
{
    ae_job_t *j = s->j;
    j->frames = rdb_realloc(j->frames, (j->nframes + 1) * sizeof *j->frames);
    rdb_buf_t *f = &j->frames[j->nframes++];
    memset(f, 0, sizeof *f);
    msgpack_packer p;
    size_t st = clu_frame_start(f, &p, CLU_MSG_RANGE_DATA, s->n->o.node_id,
                                clu_hlc_peek(&s->n->hlc), 4);
    msgpack_pack_uint64(&p, j->round);
    msgpack_pack_int(&p, j->purpose == AE_SCAN_PUSH ? RD_PUSH : RD_REPLY);
    msgpack_pack_int(&p, last ? 1 : 0);
    msgpack_pack_array(&p, s->cnt);
    rdb_buf_append(f, s->raw.data, s->raw.len);
    clu_frame_finish(f, st);
    rdb_buf_reset(&s->raw);
    s->cnt = 0;
}

static bool range_covers(ae_range_t r, uint64_t t)
{
    if (r.lo == r.hi)
        return true;
    if (r.lo < r.hi)
        return t > r.lo && t <= r.hi;
    return t > r.lo || t <= r.hi;
}

static bool scan_fn(const clu_record_t *rec, uint64_t token, void *ctx)
{
    scan_ctx_t *s = ctx;
    ae_job_t *j = s->j;
    bool cat = is_catalog(rec);
    for (size_t i = 0; i < j->nranges; i++)
        if (j->ranges[i].cat == cat && range_covers(j->ranges[i], token)) {
            msgpack_packer p;
            msgpack_packer_init(&p, &s->raw, raw_write);
            clu_record_t r = *rec;
            r.origin = 0;
            r.seq = 0;
            node_pack_record(&p, &r);
            s->cnt++;
            j->nrecords++;
            if (s->cnt >= AE_CHUNK_RECS || s->raw.len >= AE_CHUNK_BYTES)
                scan_emit(s, false);
            break;
        }
    return true;
}

static void run_scan(clu_node_t *n, ae_job_t *j)
{
    scan_ctx_t s = { .n = n, .j = j, .raw = RDB_BUF_INIT };
    clu_replica_walk(&n->rep, scan_fn, &s, &j->err);
    scan_emit(&s, true);
    rdb_buf_free(&s.raw);
}

/* ---- helpers --------------------------------------------------------------- */

size_t node_my_ranges(clu_node_t *n, ae_range_t **out)
{
    *out = rdb_calloc(n->ring.nvn + 1, sizeof **out);
    size_t k = 0;
    for (size_t i = 0; i < n->ring.nvn; i++) {
        uint64_t lo, hi;
        uint16_t reps[NODE_MAX_RF];
        size_t nr = node_vnode_replicas(n, i, &lo, &hi, reps);
        for (size_t x = 0; x < nr; x++)
            if (reps[x] == n->o.node_id) {
                (*out)[k++] = (ae_range_t){ lo, hi, false };
                break;
            }
    }
    (*out)[k++] = (ae_range_t){ 0, 0, true };
    return k;
}

static bool range_has_replica(clu_node_t *n, ae_range_t r, uint16_t node)
{
    if (r.cat)
        return true;
    uint16_t reps[NODE_MAX_RF];
    size_t nr = clu_ring_replicas(&n->ring, r.hi, reps);
    for (size_t x = 0; x < nr; x++)
        if (reps[x] == node)
            return true;
    return false;
}

static void pack_ranges(msgpack_packer *p, const ae_range_t *r, size_t nr)
{
    msgpack_pack_array(p, nr);
    for (size_t i = 0; i < nr; i++) {
        msgpack_pack_array(p, 3);
        msgpack_pack_uint64(p, r[i].lo);
        msgpack_pack_uint64(p, r[i].hi);
        msgpack_pack_uint64(p, r[i].cat ? 1 : 0);
    }
}

static bool unpack_ranges(const clu_frame_t *f, size_t idx, ae_range_t **out, size_t *nr)
{
    if (idx >= f->nfields || f->fields[idx].type != MSGPACK_OBJECT_ARRAY)
        return false;
    const msgpack_object_array *a = &f->fields[idx].via.array;
    *out = rdb_calloc(a->size ? a->size : 1, sizeof **out);
    for (uint32_t i = 0; i < a->size; i++) {
        const msgpack_object *e = &a->ptr[i];
        if (e->type != MSGPACK_OBJECT_ARRAY || e->via.array.size != 3 ||
            e->via.array.ptr[0].type != MSGPACK_OBJECT_POSITIVE_INTEGER ||
            e->via.array.ptr[1].type != MSGPACK_OBJECT_POSITIVE_INTEGER ||
            e->via.array.ptr[2].type != MSGPACK_OBJECT_POSITIVE_INTEGER) {
            free(*out);
            *out = NULL;
            return false;
        }
        (*out)[i].lo = e->via.array.ptr[0].via.u64;
        (*out)[i].hi = e->via.array.ptr[1].via.u64;
        (*out)[i].cat = e->via.array.ptr[2].via.u64 != 0;
    }
    *nr = a->size;
    return true;
}

static void send_simple(clu_node_t *n, uint16_t peer, clu_msg_type_t type, uint64_t round,
                        const ae_range_t *r, size_t nr, int depth)
{
    rdb_buf_t f = RDB_BUF_INIT;
    msgpack_packer p;
    size_t nf = type == CLU_MSG_MERKLE_REQ ? 3 : type == CLU_MSG_RANGE_REQ ? 2 : 1;
    size_t st = clu_frame_start(&f, &p, type, n->o.node_id, clu_hlc_peek(&n->hlc), nf);
    msgpack_pack_uint64(&p, round);
    if (type == CLU_MSG_MERKLE_REQ)
        msgpack_pack_int(&p, depth);
    if (r)
        pack_ranges(&p, r, nr);
    clu_frame_finish(&f, st);
    node_send(n, peer, &f);
    rdb_buf_free(&f);
}

static json_t *hex_u64(uint64_t v)
{
    char b[24];
    snprintf(b, sizeof b, "%016llx", (unsigned long long)v);
    return json_string(b);
}

/* ---- rounds ---------------------------------------------------------------- */

static void round_free_parts(ae_round_t *r)
{
    for (size_t i = 0; i < r->np; i++) {
        for (size_t k = 0; k < r->p[i].ntheirs; k++)
            clu_merkle_free(&r->p[i].theirs[k]);
        free(r->p[i].theirs);
        free(r->p[i].shared);
    }
    free(r->p);
    r->p = NULL;
    r->np = 0;
    if (r->trees) {
        for (size_t i = 0; i < r->nmine; i++)
            clu_merkle_free(&r->trees[i]);
        free(r->trees);
    }
    r->trees = NULL;
    free(r->mine);
    r->mine = NULL;
    r->nmine = 0;
}

static void round_finish(clu_node_t *n, bool timed_out)
{
    ae_round_t *r = &n->round;
    ev_timer_stop(n->loop, &r->timer);
    json_t *j = json_object(), *pa = json_array();
    uint64_t diff = 0, in = 0, out = 0;
    size_t failed = 0;
    for (size_t i = 0; i < r->np; i++) {
        ae_peer_t *p = &r->p[i];
        bool ok = !p->failed && p->data_done && p->push_done;
        failed += !ok;
        diff += p->ranges_diff;
        in += p->recs_in;
        out += p->recs_out;
        json_t *e = json_object();
        json_object_set_new(e, "node", json_integer(p->id));
        json_object_set_new(e, "ok", json_boolean(ok));
        json_object_set_new(e, "partitions_compared", json_integer((json_int_t)p->nshared));
        json_object_set_new(e, "ranges_differing", json_integer((json_int_t)p->ranges_diff));
        json_object_set_new(e, "records_received", json_integer((json_int_t)p->recs_in));
        json_object_set_new(e, "records_sent", json_integer((json_int_t)p->recs_out));
        json_array_append_new(pa, e);
    }
    json_object_set_new(j, "round", json_integer((json_int_t)r->id));
    json_object_set_new(j, "peers", pa);
    json_object_set_new(j, "timed_out", json_boolean(timed_out));
    json_object_set_new(j, "ms", json_integer((json_int_t)(node_mono_ms() - r->started_ms)));
    RDB_LOG_INFO("node", "anti-entropy round %llu: %zu peers, %llu differing ranges, "
                 "%llu records received, %llu sent, %zu failed, %llu ms",
                 (unsigned long long)r->id, r->np, (unsigned long long)diff,
                 (unsigned long long)in, (unsigned long long)out, failed,
                 (unsigned long long)(node_mono_ms() - r->started_ms));
    n->ae_rounds++;
    if (r->client) {
        char *s = json_dumps(j, JSON_COMPACT);
        node_ctl_reply(n, r->client, r->ctl_id, failed == 0 && !timed_out, s, strlen(s));
        free(s);
    }
    json_decref(j);
    round_free_parts(r);
    r->active = false;
    r->client = 0;
}

static void round_check(clu_node_t *n)
{
    ae_round_t *r = &n->round;
    if (!r->active || !r->have_mine)
        return;
    for (size_t i = 0; i < r->np; i++) {
        ae_peer_t *p = &r->p[i];
        if (!p->failed && !(p->data_done && p->push_done))
            return;
    }
    round_finish(n, false);
}

static void round_timeout_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
    round_finish(w->data, true);
}

static ae_peer_t *round_peer(clu_node_t *n, uint64_t round, uint16_t id)
{
    ae_round_t *r = &n->round;
    if (!r->active || r->id != round)
        return NULL;
    for (size_t i = 0; i < r->np; i++)
        if (r->p[i].id == id)
            return &r->p[i];
    return NULL;
}

static void round_try_diff(clu_node_t *n, ae_peer_t *p)
{
    ae_round_t *r = &n->round;
    if (!r->have_mine || !p->got_trees || p->diffed || p->failed)
        return;
    p->diffed = true;
    ae_range_t *d = NULL;
    size_t nd = 0;
    for (size_t k = 0; k < p->nshared && k < p->ntheirs; k++) {
        clu_merkle_t *mine = NULL;
        for (size_t i = 0; i < r->nmine; i++)
            if (r->mine[i].lo == p->shared[k].lo && r->mine[i].hi == p->shared[k].hi &&
                r->mine[i].cat == p->shared[k].cat)
                mine = &r->trees[i];
        if (!mine)
            continue;
        clu_token_range_t *out = NULL;
        size_t no = 0;
        rdb_err_t e = RDB_ERR_INIT;
        if (clu_merkle_diff(mine, &p->theirs[k], &out, &no, &e) != RDB_OK) {
            rdb_err_clear(&e);
            /* Shapes differ: stream the whole partition. */
            out = rdb_malloc(sizeof *out);
            out[0] = (clu_token_range_t){ p->shared[k].lo, p->shared[k].hi };
            no = 1;
        }
        if (no) {
            d = rdb_realloc(d, (nd + no) * sizeof *d);
            for (size_t x = 0; x < no; x++)
                d[nd + x] = (ae_range_t){ out[x].lo, out[x].hi, p->shared[k].cat };
            nd += no;
        }
        free(out);
    }
    p->ranges_diff = nd;
    if (nd == 0) {
        p->data_done = p->push_done = true;
        free(d);
        round_check(n);
        return;
    }
    send_simple(n, p->id, CLU_MSG_RANGE_REQ, r->id, d, nd, 0);
    ae_job_t *j = rdb_calloc(1, sizeof *j);
    j->run = run_scan;
    j->purpose = AE_SCAN_PUSH;
    j->peer = p->id;
    j->round = r->id;
    j->ranges = d;
    j->nranges = nd;
    j->done = ae_done_scan;
    node_ae_post(n, j);
}

static void ae_done_round_mine(clu_node_t *n, ae_job_t *j)
{
    ae_round_t *r = &n->round;
    if (!r->active || r->id != j->round)
        return;
    if (j->err.code != RDB_OK) {
        RDB_LOG_WARN("node", "anti-entropy scan failed: %s", j->err.msg);
        for (size_t i = 0; i < r->np; i++)
            r->p[i].failed = true;
    }
    /* Take the trees. */
    r->trees = j->trees;
    j->trees = NULL;
    r->have_mine = true;
    for (size_t i = 0; i < r->np; i++)
        round_try_diff(n, &r->p[i]);
    round_check(n);
}

static void ae_done_scan(clu_node_t *n, ae_job_t *j)
{
    for (size_t i = 0; i < j->nframes; i++)
        node_send(n, j->peer, &j->frames[i]);
    ae_peer_t *p = j->purpose == AE_SCAN_PUSH ? round_peer(n, j->round, j->peer) : NULL;
    if (p)
        p->recs_out += j->nrecords;
}

void node_ae_round(clu_node_t *n, uint32_t client, uint64_t ctl_id)
{
    ae_round_t *r = &n->round;
    if (r->active) {
        if (client) {
            const char *m = "{\"error\":\"an anti-entropy round is already running\"}";
            node_ctl_reply(n, client, ctl_id, false, m, strlen(m));
        }
        return;
    }
    memset(r, 0, sizeof *r);
    r->active = true;
    r->id = ++n->next_round;
    r->client = client;
    r->ctl_id = ctl_id;
    r->started_ms = node_mono_ms();
    r->nmine = node_my_ranges(n, &r->mine);
    r->p = rdb_calloc(n->mem.n ? n->mem.n : 1, sizeof *r->p);
    for (size_t i = 0; i < n->mem.n; i++) {
        uint16_t id = n->mem.m[i].id;
        if (id == n->o.node_id || !clu_net_is_up(n->net, id) || !clu_ring_has(&n->ring, id))
            continue;
        ae_peer_t *p = &r->p[r->np];
        p->id = id;
        p->shared = rdb_calloc(r->nmine ? r->nmine : 1, sizeof *p->shared);
        for (size_t k = 0; k < r->nmine; k++)
            if (range_has_replica(n, r->mine[k], id))
                p->shared[p->nshared++] = r->mine[k];
        if (p->nshared == 0) {
            free(p->shared);
            memset(p, 0, sizeof *p);
            continue;
        }
        r->np++;
        send_simple(n, id, CLU_MSG_MERKLE_REQ, r->id, p->shared, p->nshared, NODE_AE_DEPTH);
    }
    ev_timer_init(&r->timer, round_timeout_cb, 60.0, 0.0);
    r->timer.data = n;
    ev_timer_start(n->loop, &r->timer);
    ae_job_t *j = rdb_calloc(1, sizeof *j);
    j->run = run_trees;
    j->done = ae_done_round_mine;
    j->purpose = AE_ROUND_MINE;
    j->round = r->id;
    j->depth = NODE_AE_DEPTH;
    j->nranges = r->nmine;
    j->ranges = rdb_memdup(r->mine, (r->nmine ? r->nmine : 1) * sizeof *r->mine);
    node_ae_post(n, j);
}

void node_ae_peer_down(clu_node_t *n, uint16_t peer)
{
    ae_round_t *r = &n->round;
    if (!r->active)
        return;
    for (size_t i = 0; i < r->np; i++)
        if (r->p[i].id == peer)
            r->p[i].failed = true;
    round_check(n);
}

/* ---- peer side ------------------------------------------------------------- */

static void ae_done_reply_merkle(clu_node_t *n, ae_job_t *j)
{
    rdb_buf_t f = RDB_BUF_INIT;
    msgpack_packer p;
    size_t st = clu_frame_start(&f, &p, CLU_MSG_MERKLE, n->o.node_id, clu_hlc_peek(&n->hlc), 2);
    msgpack_pack_uint64(&p, j->round);
    msgpack_pack_array(&p, j->nranges);
    for (size_t i = 0; i < j->nranges; i++) {
        rdb_buf_t t = RDB_BUF_INIT;
        clu_merkle_encode(&j->trees[i], &t);
        msgpack_pack_bin(&p, t.len);
        msgpack_pack_bin_body(&p, t.data, t.len);
        rdb_buf_free(&t);
    }
    clu_frame_finish(&f, st);
    node_send(n, j->peer, &f);
    rdb_buf_free(&f);
}

void node_on_merkle_req(clu_node_t *n, uint16_t from, clu_frame_t *f)
{
    uint64_t round, depth;
    ae_range_t *r = NULL;
    size_t nr = 0;
    if (!clu_field_u64(f, 0, &round) || !clu_field_u64(f, 1, &depth) || depth > CLU_MERKLE_MAX_DEPTH ||
        !unpack_ranges(f, 2, &r, &nr)) {
        RDB_LOG_WARN("node", "malformed MERKLE_REQ from node %u", from);
        return;
    }
    ae_job_t *j = rdb_calloc(1, sizeof *j);
    j->run = run_trees;
    j->done = ae_done_reply_merkle;
    j->purpose = AE_REPLY_MERKLE;
    j->peer = from;
    j->round = round;
    j->depth = (unsigned)depth;
    j->ranges = r;
    j->nranges = nr;
    node_ae_post(n, j);
}

void node_on_merkle(clu_node_t *n, uint16_t from, clu_frame_t *f)
{
    uint64_t round;
    if (!clu_field_u64(f, 0, &round) || f->nfields < 2 || f->fields[1].type != MSGPACK_OBJECT_ARRAY)
        return;
    ae_peer_t *p = round_peer(n, round, from);
    if (!p || p->got_trees)
        return;
    const msgpack_object_array *a = &f->fields[1].via.array;
    p->theirs = rdb_calloc(a->size ? a->size : 1, sizeof *p->theirs);
    for (uint32_t i = 0; i < a->size; i++) {
        const msgpack_object *o = &a->ptr[i];
        rdb_err_t e = RDB_ERR_INIT;
        if (o->type != MSGPACK_OBJECT_BIN ||
            clu_merkle_decode(&p->theirs[i], o->via.bin.ptr, o->via.bin.size, &e) != RDB_OK) {
            rdb_err_clear(&e);
            p->failed = true;
            break;
        }
        p->ntheirs++;
    }
    p->got_trees = true;
    round_try_diff(n, p);
    round_check(n);
}

void node_on_range_req(clu_node_t *n, uint16_t from, clu_frame_t *f)
{
    uint64_t round;
    ae_range_t *r = NULL;
    size_t nr = 0;
    if (!clu_field_u64(f, 0, &round) || !unpack_ranges(f, 1, &r, &nr))
        return;
    ae_job_t *j = rdb_calloc(1, sizeof *j);
    j->run = run_scan;
    j->done = ae_done_scan;
    j->purpose = AE_SCAN_REPLY;
    j->peer = from;
    j->round = round;
    j->ranges = r;
    j->nranges = nr;
    node_ae_post(n, j);
}

void node_on_range_data(clu_node_t *n, uint16_t from, clu_frame_t *f)
{
    uint64_t round, kind, last;
    if (!clu_field_u64(f, 0, &round) || !clu_field_u64(f, 1, &kind) ||
        !clu_field_u64(f, 2, &last) || f->nfields < 4 || f->fields[3].type != MSGPACK_OBJECT_ARRAY)
        return;
    const msgpack_object_array *a = &f->fields[3].via.array;
    clu_record_t *recs = rdb_calloc(a->size ? a->size : 1, sizeof *recs);
    size_t k = 0;
    for (uint32_t i = 0; i < a->size; i++)
        if (node_unpack_record(&a->ptr[i], &recs[k])) {
            recs[k].origin = 0;
            recs[k].seq = 0;
            k++;
        }
    if (k) {
        rdb_err_t e = RDB_ERR_INIT;
        pthread_mutex_lock(&n->rep_mu);
        rdb_status_t st = clu_replica_apply(&n->rep, recs, k, false, &e);
        pthread_mutex_unlock(&n->rep_mu);
        if (st != RDB_OK) {
            RDB_LOG_WARN("node", "anti-entropy apply from node %u failed: %s", from, e.msg);
            rdb_err_clear(&e);
        }
        n->ae_records_in += k;
    }
    free(recs);
    if (kind == RD_REPLY) {
        ae_peer_t *p = round_peer(n, round, from);
        if (p) {
            p->recs_in += k;
            if (last) {
                p->data_done = true;
                round_check(n);
            }
        }
    } else if (last) {
        send_simple(n, from, CLU_MSG_AE_DONE, round, NULL, 0, 0);
    }
}

void node_on_ae_done(clu_node_t *n, uint16_t from, clu_frame_t *f)
{
    uint64_t round;
    if (!clu_field_u64(f, 0, &round))
        return;
    ae_peer_t *p = round_peer(n, round, from);
    if (p) {
        p->push_done = true;
        round_check(n);
    }
}

/* ---- streaming ranges to a new member (node_part.c) ------------------------ */

void node_ae_push_ranges(clu_node_t *n, uint16_t peer, ae_range_t *ranges, size_t nranges)
{
    ae_job_t *j = rdb_calloc(1, sizeof *j);
    j->run = run_scan;
    j->done = ae_done_scan;
    j->purpose = AE_SCAN_PUSH;
    j->peer = peer;
    j->round = 0; /* no round: the receiver's AE_DONE is ignored */
    j->ranges = ranges;
    j->nranges = nranges;
    node_ae_post(n, j);
}

/* ---- ringdb-ctl merkle ----------------------------------------------------- */

static void ae_done_ctl_merkle(clu_node_t *n, ae_job_t *j)
{
    json_t *o = json_object(), *pa = json_array();
    json_object_set_new(o, "node", json_integer(n->o.node_id));
    json_object_set_new(o, "ring_version", json_integer((json_int_t)n->ring.version));
    for (size_t i = 0; i < j->nranges; i++) {
        json_t *e = json_object();
        uint64_t keys = 0;
        for (size_t l = 0; l < (1u << j->trees[i].depth); l++)
            keys += j->trees[i].count[l];
        json_object_set_new(e, "lo", hex_u64(j->ranges[i].lo));
        json_object_set_new(e, "hi", hex_u64(j->ranges[i].hi));
        json_object_set_new(e, "root", hex_u64(clu_merkle_root(&j->trees[i])));
        json_object_set_new(e, "keys", json_integer((json_int_t)keys));
        if (j->ranges[i].cat)
            json_object_set_new(e, "catalog", json_true());
        json_array_append_new(pa, e);
    }
    json_object_set_new(o, "partitions", pa);
    char *s = json_dumps(o, JSON_COMPACT);
    node_ctl_reply(n, j->client, j->ctl_id, j->err.code == RDB_OK, s, strlen(s));
    free(s);
    json_decref(o);
}

void node_ae_merkle_ctl(clu_node_t *n, uint32_t client, uint64_t ctl_id)
{
    ae_job_t *j = rdb_calloc(1, sizeof *j);
    j->run = run_trees;
    j->done = ae_done_ctl_merkle;
    j->purpose = AE_CTL_MERKLE;
    j->client = client;
    j->ctl_id = ctl_id;
    j->depth = NODE_AE_DEPTH;
    j->nranges = node_my_ranges(n, &j->ranges);
    node_ae_post(n, j);
}
