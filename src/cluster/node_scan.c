/*
 * node_scan.c — coordinated range reads and their read repair (the SQL
 * engine's scans at QUORUM / ALL, clu_node_scan).
 *
 * A range read of the user keys in [lo, hi) asks every ring member whose
 * link is up (self included) for the newest version, tombstones included,
 * of each key of the range that it replicates.  The answers are counted
 * per partition (vnode range) of the ring: once every partition has the
 * level's number of answers among its replicas, the caller gets, for each
 * key, the newest version among all answers.  If some partition cannot
 * reach its level (too few replicas reachable, or not in time) the caller
 * gets 57P03 and no rows: never a partial result.  A range inside one
 * range-partitioned space (partmap.h, not moving) is counted per range
 * partition it overlaps instead, and only those partitions' replicas are
 * asked.
 *
 * When every asked member answered, or at the timeout, each replica that
 * answered without the newest version of a key it replicates gets that
 * version written back (read repair; the local replica through the
 * applier, like node_read.c's repairs).
 *
 * Frames:  SCAN [reqid, lo, hi | nil]   SCAN_REPLY [reqid, status, [record...]]
 * status 0: ok; 1: the answer would not fit in one frame (the coordinator
 * then fails the read with 54000).  Records are node_pack_record's.
 *
 * The answering member walks its store on the node thread, so range reads
 * suit the ranges a SQL statement reads at QUORUM, not bulk export.
 */
#include <stdlib.h>
#include <string.h>

#include "cluster/node_int.h"
#include "common/log.h"
#include "common/mem.h"

/* Keep an answer below the frame limit, with room for the header. */
#define SCAN_REPLY_MAX (CLU_FRAME_MAX - (1u << 20))

enum { S_WAIT = 0, S_DONE = 1, S_NONE = 2 };

sreq_t *node_sreq_new(const void *lo, size_t lolen, const void *hi, size_t hilen,
                      clu_consistency_t cl)
{
    sreq_t *s = rdb_calloc(1, sizeof *s);
    s->cl = cl;
    s->lo = rdb_memdup(lo, lolen ? lolen : 1);
    s->lolen = lolen;
    if (hi) {
        s->hi = rdb_memdup(hi, hilen ? hilen : 1);
        s->hilen = hilen;
    }
    return s;
}

static void sreq_free(sreq_t *s)
{
    free(s->lo);
    free(s->hi);
    free(s->nodes);
    free(s->state);
    free(s->from);
    free(s->parts);
    free(s->partn);
    clu_rows_free(&s->got);
    free(s);
}

static size_t member_index(const sreq_t *s, uint16_t id)
{
    for (size_t i = 0; i < s->nn; i++)
        if (s->nodes[i] == id)
            return i;
    return s->nn;
}

/* The level over every partition: 1 met, 0 pending, -1 cannot be met.  For
 * an error, *worst gets the tally of the partition furthest from it. */
static int scan_level(clu_node_t *n, const sreq_t *s, clu_tally_t *worst)
{
    int res = 1;
    long worst_gap = -1;
    size_t nparts = s->nparts ? s->nparts : n->ring.nvn ? n->ring.nvn : 1;
    for (size_t p = 0; p < nparts; p++) {
        uint16_t reps[NODE_MAX_RF * 4];
        size_t nr;
        if (s->nparts) { /* the range partitions the read overlaps */
            nr = s->partn[p];
            memcpy(reps, s->parts + p * NODE_MAX_RF, nr * sizeof *reps);
        } else if (n->ring.nvn) {
            nr = clu_ring_replicas(&n->ring, n->ring.vn[p].token, reps);
        } else {
            reps[0] = n->o.node_id;
            nr = 1;
        }
        size_t acks = 0, waiting = 0;
        for (size_t j = 0; j < nr; j++) {
            size_t i = member_index(s, reps[j]);
            if (i < s->nn && s->state[i] == S_DONE)
                acks++;
            else if (i < s->nn && s->state[i] == S_WAIT)
                waiting++;
        }
        size_t req = clu_consistency_required(s->cl, nr);
        if (acks >= req)
            continue;
        long gap = (long)(req - acks);
        if (gap > worst_gap) {
            worst_gap = gap;
            clu_tally_init_acked(worst, s->cl, nr, acks + waiting, acks);
        }
        if (acks + waiting < req)
            res = -1;
        else if (res == 1)
            res = 0;
    }
    return res;
}

static int row_cmp(const clu_rows_t *g, const clu_row_t *a, const clu_row_t *b)
{
    size_t n = a->klen < b->klen ? a->klen : b->klen;
    int c = memcmp(g->store.data + a->koff, g->store.data + b->koff, n);
    if (c)
        return c;
    if (a->klen != b->klen)
        return a->klen < b->klen ? -1 : 1;
    return -lsm_version_cmp(a->version, b->version); /* newest first */
}

/* Sort the answers (an index array: got and from stay aligned), key
 * ascending, newest version first. */
static int idx_cmp(const void *x, const void *y, void *ctx)
{
    const clu_rows_t *g = ctx;
    return row_cmp(g, &g->r[*(const size_t *)x], &g->r[*(const size_t *)y]);
}

static size_t *sorted_answers(sreq_t *s)
{
    size_t *idx = rdb_malloc((s->got.n ? s->got.n : 1) * sizeof *idx);
    for (size_t i = 0; i < s->got.n; i++)
        idx[i] = i;
    qsort_r(idx, s->got.n, sizeof *idx, idx_cmp, &s->got);
    return idx;
}

static clu_record_t row_record(const clu_rows_t *g, const clu_row_t *r)
{
    clu_record_t rec = { .key = g->store.data + r->koff, .klen = r->klen, .version = r->version,
                         .tombstone = r->tombstone };
    if (!r->tombstone) {
        rec.value = r->vlen ? g->store.data + r->voff : "";
        rec.vlen = r->vlen;
    }
    return rec;
}

static void sreq_reply(clu_node_t *n, sreq_t *s, const rdb_err_t *err)
{
    if (s->replied)
        return;
    s->replied = true;
    if (!err && s->out) {
        size_t *idx = sorted_answers(s);
        for (size_t i = 0; i < s->got.n; i++) {
            const clu_row_t *r = &s->got.r[idx[i]];
            if (i > 0) {
                const clu_row_t *p = &s->got.r[idx[i - 1]];
                if (p->klen == r->klen &&
                    memcmp(s->got.store.data + p->koff, s->got.store.data + r->koff, r->klen) == 0)
                    continue; /* an older answer for the same key */
            }
            clu_record_t rec = row_record(&s->got, r);
            clu_rows_add(s->out, &rec);
        }
        free(idx);
    }
    if (s->cb)
        s->cb(s->ctx, err);
}

/* Write the newest version of each key back to the replicas that answered
 * without it. */
static void scan_repair(clu_node_t *n, sreq_t *s)
{
    size_t *idx = sorted_answers(s);
    for (size_t i = 0; i < s->got.n;) {
        const clu_row_t *best = &s->got.r[idx[i]];
        const char *key = s->got.store.data + best->koff;
        size_t j = i + 1;
        while (j < s->got.n && s->got.r[idx[j]].klen == best->klen &&
               memcmp(s->got.store.data + s->got.r[idx[j]].koff, key, best->klen) == 0)
            j++;
        uint16_t reps[NODE_MAX_RF * 4];
        size_t nr = node_replicas(n, key, best->klen, reps);
        clu_record_t rec = row_record(&s->got, best);
        for (size_t k = 0; k < nr; k++) {
            size_t m = member_index(s, reps[k]);
            if (m == s->nn || s->state[m] != S_DONE)
                continue;
            bool has = false;
            for (size_t x = i; x < j && !has; x++)
                has = s->from[idx[x]] == reps[k] &&
                      lsm_version_cmp(s->got.r[idx[x]].version, best->version) == 0;
            if (!has) {
                RDB_LOG_DEBUG("node", "read repair (range): node %u was stale", reps[k]);
                node_repair_send(n, reps[k], &rec);
            }
        }
        i = j;
    }
    free(idx);
}

static void sreq_unlink(clu_node_t *n, sreq_t *s)
{
    for (sreq_t **pp = &n->scans; *pp; pp = &(*pp)->next)
        if (*pp == s) {
            *pp = s->next;
            break;
        }
    ev_timer_stop(n->loop, &s->timer);
}

static void sreq_fail(clu_node_t *n, sreq_t *s, const clu_tally_t *t)
{
    rdb_err_t e = RDB_ERR_INIT;
    if (s->too_big)
        rdb_err_set(&e, RDB_UNAVAILABLE, "54000",
                    "range read at consistency level %s is too large for one reply",
                    clu_consistency_name(s->cl));
    else
        clu_tally_error(t, &e);
    sreq_reply(n, s, &e);
    rdb_err_clear(&e);
}

/* After an answer or at the timeout (timed_out): reply if the level is
 * decided, repair and free once nobody is awaited. */
static void sreq_eval(clu_node_t *n, sreq_t *s, bool timed_out)
{
    clu_tally_t worst = { 0 };
    int lvl = s->too_big ? -1 : scan_level(n, s, &worst);
    if (lvl == 1)
        sreq_reply(n, s, NULL);
    else if (lvl == -1 || timed_out)
        sreq_fail(n, s, &worst);
    bool waiting = false;
    for (size_t i = 0; i < s->nn; i++)
        waiting |= s->state[i] == S_WAIT;
    if (waiting && !timed_out)
        return;
    sreq_unlink(n, s);
    scan_repair(n, s);
    sreq_free(s);
}

static void scan_timeout_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
    (void)loop;
    (void)revents;
    sreq_t *s = t->data;
    sreq_eval(s->node, s, true);
}

static int buf_write(void *data, const char *p, size_t len)
{
    rdb_buf_append((rdb_buf_t *)data, p, len);
    return 0;
}

typedef struct collect {
    clu_node_t *n;
    clu_rows_t *rows;
    rdb_buf_t  *packed;     /* or pack into this */
    size_t      npacked;
    bool        too_big;
} collect_t;

static bool collect_fn(const clu_record_t *rec, uint64_t token, void *ctx)
{
    (void)token;
    collect_t *c = ctx;
    uint16_t reps[NODE_MAX_RF * 4];
    size_t nr = node_replicas(c->n, rec->key, rec->klen, reps);
    bool mine = false;
    for (size_t i = 0; i < nr && !mine; i++)
        mine = reps[i] == c->n->o.node_id;
    if (!mine)
        return true;
    if (c->packed) {
        msgpack_packer p;
        msgpack_packer_init(&p, c->packed, buf_write);
        node_pack_record(&p, rec);
        c->npacked++;
        if (c->packed->len > SCAN_REPLY_MAX) {
            c->too_big = true;
            return false;
        }
        return true;
    }
    clu_rows_add(c->rows, rec);
    if (c->rows->store.len > SCAN_REPLY_MAX) {
        c->too_big = true;
        return false;
    }
    return true;
}

static void add_answer(sreq_t *s, uint16_t from, const clu_record_t *rec)
{
    clu_rows_add(&s->got, rec);
    if (s->got.cap > s->from_cap) {
        s->from_cap = s->got.cap;
        s->from = rdb_realloc(s->from, s->from_cap * sizeof *s->from);
    }
    s->from[s->got.n - 1] = from;
}

void node_scan_start(clu_node_t *n, void *arg)
{
    sreq_t *s = arg;
    s->node = n;
    s->id = ++n->next_req;
    n->reads_coord++;
    uint16_t self = n->o.node_id;
    size_t nm = n->ring.nnodes ? n->ring.nnodes : 1;
    s->nodes = rdb_calloc(nm, sizeof *s->nodes);
    s->state = rdb_calloc(nm, sizeof *s->state);
    if (n->ring.nnodes)
        memcpy(s->nodes, n->ring.nodes, nm * sizeof *s->nodes);
    else
        s->nodes[0] = self;
    s->nn = nm;
    for (size_t i = 0; i < nm; i++)
        s->state[i] = s->nodes[i] == self || clu_net_is_up(n->net, s->nodes[i]) ? S_WAIT : S_NONE;
    /* Inside a range-partitioned space: ask only the replicas of the
     * partitions the range overlaps. */
    s->nparts = node_part_scan_sets(n, s->lo, s->lolen, s->hi, s->hilen, &s->parts, &s->partn);
    for (size_t i = 0; s->nparts && i < nm; i++) {
        bool owner = s->nodes[i] == self;
        for (size_t p = 0; p < s->nparts && !owner; p++)
            for (size_t x = 0; x < s->partn[p] && !owner; x++)
                owner = s->parts[p * NODE_MAX_RF + x] == s->nodes[i];
        if (!owner)
            s->state[i] = S_NONE;
    }
    s->next = n->scans;
    n->scans = s;
    ev_timer_init(&s->timer, scan_timeout_cb, (double)n->o.write_timeout_ms / 1000.0, 0.0);
    s->timer.data = s;
    ev_timer_start(n->loop, &s->timer);
    /* Ask the others, then answer for self. */
    rdb_buf_t f = RDB_BUF_INIT;
    msgpack_packer p;
    size_t st = clu_frame_start(&f, &p, CLU_MSG_SCAN, self, clu_hlc_peek(&n->hlc), 3);
    msgpack_pack_uint64(&p, s->id);
    msgpack_pack_bin(&p, s->lolen);
    msgpack_pack_bin_body(&p, s->lo, s->lolen);
    if (s->hi) {
        msgpack_pack_bin(&p, s->hilen);
        msgpack_pack_bin_body(&p, s->hi, s->hilen);
    } else {
        msgpack_pack_nil(&p);
    }
    clu_frame_finish(&f, st);
    for (size_t i = 0; i < nm; i++)
        if (s->nodes[i] != self && s->state[i] == S_WAIT)
            node_send(n, s->nodes[i], &f);
    rdb_buf_free(&f);
    size_t me = member_index(s, self);
    clu_rows_t mine = { 0 };
    collect_t c = { .n = n, .rows = &mine };
    rdb_err_t e = RDB_ERR_INIT;
    rdb_status_t rs = clu_replica_walk_keys(&n->rep, s->lo, s->lolen, s->hi, s->hilen, collect_fn,
                                            &c, &e);
    if (me < s->nn) {
        if (rs != RDB_OK) {
            RDB_LOG_WARN("node", "local range read failed: %s", e.msg);
            s->state[me] = S_NONE;
        } else {
            s->too_big |= c.too_big;
            for (size_t i = 0; i < mine.n; i++) {
                clu_record_t rec = row_record(&mine, &mine.r[i]);
                add_answer(s, self, &rec);
            }
            s->state[me] = S_DONE;
        }
    }
    rdb_err_clear(&e);
    clu_rows_free(&mine);
    sreq_eval(n, s, false);
}

void node_on_scan(clu_node_t *n, uint16_t from, clu_frame_t *f)
{
    uint64_t id;
    const char *lo, *hi = NULL;
    size_t lolen, hilen = 0;
    if (!clu_field_u64(f, 0, &id) || !clu_field_bin(f, 1, &lo, &lolen) || lolen == 0 ||
        (unsigned char)lo[0] == 0 || f->nfields < 3)
        return;
    if (f->fields[2].type != MSGPACK_OBJECT_NIL && !clu_field_bin(f, 2, &hi, &hilen))
        return;
    rdb_buf_t packed = RDB_BUF_INIT;
    collect_t c = { .n = n, .packed = &packed };
    rdb_err_t e = RDB_ERR_INIT;
    rdb_status_t rs = clu_replica_walk_keys(&n->rep, lo, lolen, hi, hilen, collect_fn, &c, &e);
    if (rs != RDB_OK) {
        RDB_LOG_WARN("node", "range read for node %u failed: %s", from, e.msg);
        rdb_err_clear(&e);
        rdb_buf_free(&packed);
        return; /* the coordinator times out on us */
    }
    rdb_buf_t fr = RDB_BUF_INIT;
    msgpack_packer p;
    size_t st = clu_frame_start(&fr, &p, CLU_MSG_SCAN_REPLY, n->o.node_id, clu_hlc_peek(&n->hlc), 3);
    msgpack_pack_uint64(&p, id);
    msgpack_pack_int(&p, c.too_big ? 1 : 0);
    msgpack_pack_array(&p, c.too_big ? 0 : c.npacked);
    if (!c.too_big)
        rdb_buf_append(&fr, packed.data, packed.len);
    clu_frame_finish(&fr, st);
    node_send(n, from, &fr);
    rdb_buf_free(&fr);
    rdb_buf_free(&packed);
}

void node_on_scan_reply(clu_node_t *n, uint16_t from, clu_frame_t *f)
{
    uint64_t id, status;
    if (!clu_field_u64(f, 0, &id) || !clu_field_u64(f, 1, &status) || f->nfields < 3 ||
        f->fields[2].type != MSGPACK_OBJECT_ARRAY)
        return;
    sreq_t *s = n->scans;
    while (s && s->id != id)
        s = s->next;
    if (!s)
        return;
    size_t i = member_index(s, from);
    if (i == s->nn || s->state[i] != S_WAIT)
        return;
    const msgpack_object_array *a = &f->fields[2].via.array;
    for (uint32_t k = 0; k < a->size; k++) {
        clu_record_t rec;
        if (!node_unpack_record(&a->ptr[k], &rec)) {
            RDB_LOG_WARN("node", "malformed range read answer from node %u", from);
            s->state[i] = S_NONE;
            sreq_eval(n, s, false);
            return;
        }
        add_answer(s, from, &rec);
    }
    s->too_big |= status == 1;
    s->state[i] = S_DONE;
    sreq_eval(n, s, false);
}

void node_scan_fail_all(clu_node_t *n)
{
    while (n->scans) {
        sreq_t *s = n->scans;
        n->scans = s->next;
        ev_timer_stop(n->loop, &s->timer);
        if (!s->replied) {
            rdb_err_t e = RDB_ERR_INIT;
            rdb_err_set(&e, RDB_UNAVAILABLE, RDB_SQLSTATE_UNAVAILABLE,
                        "the cluster node is shutting down");
            sreq_reply(n, s, &e);
            rdb_err_clear(&e);
        }
        sreq_free(s);
    }
}

void node_sreq_abort(sreq_t *s, const rdb_err_t *err)
{
    if (s->cb)
        s->cb(s->ctx, err);
    sreq_free(s);
}
