/*
 * node_part.c — range partitions on the node and data moves: the partition
 * maps' cache (partmap.h) kept current from the store, placement of keys of
 * range-partitioned spaces, split / merge while serving, and streaming a new
 * member its ranges when it joins.
 *
 * Placement.  The replica's token function (node_key_token) gives a key of
 * a range-partitioned space the token of its partition (partmap.h), so
 * every part of the node that works on tokens (replica sets of writes and
 * reads, range reads' answers, Merkle trees, anti-entropy, the join stream
 * below) follows the partition map without knowing about it.  Only writes
 * need more: during a move they also go to the replicas of the key's
 * partition in the next map (node_write_replicas).
 *
 * Split / merge (clu_node_partition_change, run on the caller's thread):
 *   1. write the map record {cur, next} at ALL: every member now sends
 *      writes of the space to the replicas of both maps, reads still
 *      follow cur;
 *   2. for each key range whose partition token changes between cur and
 *      next and whose replica set differs, read it at QUORUM (newest
 *      version of every key, tombstones included) and write it back with
 *      the original versions at ALL: blind puts, so a copy the new
 *      replicas already have (from step 1's double writes) is harmless;
 *   3. wait for writes coordinated under the old map to land (the write
 *      timeout, at most 1 s) and stream the changed ranges again, only
 *      the versions stamped at most max-clock-offset + write-timeout
 *      before the moving map (a coordinator applying that map moved its
 *      clock past the map's stamp, so later writes went to both sides);
 *   4. write {next, nil} at ALL: reads follow the new map.
 * Reads and writes that miss their level in time are tried up to three
 * times.  A failure at any step leaves the map in its moving state (writes keep
 * going to both replica sets) and returns the error; running the command
 * again resumes the move.  Each map record is written with a
 * compare-and-set on the map version the change read (write_map): of two
 * changes of one space at the same time at most one goes on, the other
 * fails with 40001.
 * Data left on replicas that no longer own a range is not deleted.
 *
 * Join.  When the ring gains a member while this node is part of a
 * cluster, for every vnode range the new member now replicates, the first
 * other replica of the range that is up streams its records of the range to
 * it (RANGE_DATA push frames of anti-entropy, node_ae_push_ranges); the
 * lowest up old member also streams the catalog.  Writes reach the new
 * member from the moment the coordinators' rings include it.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cluster/client.h"
#include "cluster/node_int.h"
#include "common/log.h"
#include "common/mem.h"

#define PART_STREAM_BATCH 2000
#define PART_WRITE_TRIES  3

/* ---- placement ------------------------------------------------------------ */

uint64_t node_key_token(const void *key, size_t klen, void *ctx)
{
    clu_node_t *n = ctx;
    clu_place_t pl;
    if (clu_pmap_place(n->pmap, key, klen, &pl) && pl.has_cur)
        return pl.cur_token;
    return n->o.key_token ? n->o.key_token(key, klen, n->o.key_token_ctx) : clu_token(key, klen);
}

static size_t add_unique(uint16_t *out, size_t k, const uint16_t *more, size_t m)
{
    for (size_t i = 0; i < m; i++) {
        bool have = false;
        for (size_t j = 0; j < k && !have; j++)
            have = out[j] == more[i];
        if (!have)
            out[k++] = more[i];
    }
    return k;
}

size_t node_write_replicas(clu_node_t *n, const void *key, size_t klen, uint16_t *out)
{
    size_t k = node_replicas(n, key, klen, out);
    clu_place_t pl;
    if (n->ring.nvn && clu_pmap_place(n->pmap, key, klen, &pl) && pl.moving) {
        uint16_t more[NODE_MAX_RF];
        size_t m = clu_ring_replicas(&n->ring, pl.next_token, more);
        k = add_unique(out, k, more, m);
    }
    return k;
}

size_t node_part_scan_sets(clu_node_t *n, const void *lo, size_t lolen, const void *hi,
                           size_t hilen, uint16_t **sets, uint8_t **setn)
{
    uint64_t *tokens;
    size_t np = n->ring.nvn ? clu_pmap_range_tokens(n->pmap, lo, lolen, hi, hilen, &tokens) : 0;
    *sets = NULL;
    *setn = NULL;
    if (!np)
        return 0;
    *sets = rdb_calloc(np * NODE_MAX_RF, sizeof **sets);
    *setn = rdb_calloc(np, sizeof **setn);
    for (size_t p = 0; p < np; p++)
        (*setn)[p] = (uint8_t)clu_ring_replicas(&n->ring, tokens[p], *sets + p * NODE_MAX_RF);
    free(tokens);
    return np;
}

/* ---- the cache follows the store ------------------------------------------- */

static bool load_fn(const clu_record_t *rec, uint64_t token, void *ctx)
{
    (void)token;
    clu_node_t *n = ctx;
    if (!rec->tombstone)
        clu_pmap_apply(n->pmap, rec->key, rec->klen, rec->value, rec->vlen, rec->version);
    return true;
}

void node_part_load(clu_node_t *n)
{
    rdb_err_t e = RDB_ERR_INIT;
    const char lo[] = CLU_PMAP_KEY, hi[] = "\x01Q";
    if (clu_replica_walk_keys(&n->rep, lo, CLU_PMAP_KEY_LEN, hi, 2, load_fn, n, &e) != RDB_OK) {
        RDB_LOG_WARN("node", "loading partition maps: %s", e.msg);
        rdb_err_clear(&e);
    }
    if (clu_pmap_count(n->pmap))
        RDB_LOG_INFO("node", "%zu range-partitioned key spaces", clu_pmap_count(n->pmap));
}

void node_part_applied(void *ctx, const clu_record_t *recs, size_t nrec)
{
    clu_node_t *n = ctx;
    for (size_t i = 0; i < nrec; i++)
        if (!recs[i].tombstone && clu_pmap_is_key(recs[i].key, recs[i].klen) &&
            clu_pmap_apply(n->pmap, recs[i].key, recs[i].klen, recs[i].value, recs[i].vlen,
                           recs[i].version))
            atomic_store(&n->pmap_changed, true);
    if (n->user_applied)
        n->user_applied(n->user_applied_ctx, recs, nrec);
}

/* ---- join: stream a new member its ranges ---------------------------------- */

size_t node_vnode_replicas(clu_node_t *n, size_t i, uint64_t *lo, uint64_t *hi, uint16_t *reps)
{
    clu_ring_vnode_range(&n->ring, i, lo, hi);
    return clu_ring_replicas(&n->ring, *hi, reps);
}

static bool ring_has(const clu_ring_t *r, uint16_t id) { return clu_ring_has(r, id); }

static void join_push(clu_node_t *n, uint16_t peer)
{
    peer_state_t *ps = node_peer(n, peer);
    ps->join_push = false;
    if (!clu_ring_has(&n->ring, peer))
        return;
    ae_range_t *ranges = rdb_calloc(n->ring.nvn + 1, sizeof *ranges);
    size_t k = 0;
    for (size_t i = 0; i < n->ring.nvn; i++) {
        uint64_t lo, hi;
        uint16_t reps[NODE_MAX_RF];
        size_t nr = node_vnode_replicas(n, i, &lo, &hi, reps);
        bool theirs = false;
        for (size_t x = 0; x < nr; x++)
            theirs |= reps[x] == peer;
        if (!theirs)
            continue;
        /* The first other replica that is up sends. */
        for (size_t x = 0; x < nr; x++) {
            if (reps[x] == peer || !node_peer_up(n, reps[x]))
                continue;
            if (reps[x] == n->o.node_id)
                ranges[k++] = (ae_range_t){ lo, hi, false };
            break;
        }
    }
    uint16_t first = 0;
    for (size_t i = 0; i < n->ring.nnodes && !first; i++)
        if (n->ring.nodes[i] != peer && node_peer_up(n, n->ring.nodes[i]))
            first = n->ring.nodes[i];
    if (first == n->o.node_id)
        ranges[k++] = (ae_range_t){ 0, 0, true };
    if (!k) {
        free(ranges);
        return;
    }
    RDB_LOG_INFO("node", "new member %u: streaming it %zu ranges", peer, k);
    node_ae_push_ranges(n, peer, ranges, k);
}

void node_part_ring_changed(clu_node_t *n, const clu_ring_t *old, const clu_ring_t *cur)
{
    /* Only a node that was already part of a cluster streams (not one that
     * is joining, nor the first ring built at start). */
    if (old->nnodes < 2 || !ring_has(old, n->o.node_id))
        return;
    for (size_t i = 0; i < cur->nnodes; i++) {
        uint16_t id = cur->nodes[i];
        if (id == n->o.node_id || ring_has(old, id))
            continue;
        node_peer(n, id)->join_push = true;
        if (node_peer_up(n, id))
            join_push(n, id);
    }
}

void node_part_peer_up(clu_node_t *n, uint16_t peer)
{
    if (node_peer(n, peer)->join_push)
        join_push(n, peer);
}

/* ---- introspection ----------------------------------------------------------- */

json_t *node_hex_json(const void *p, size_t len)
{
    static const char hx[] = "0123456789abcdef";
    char *s = rdb_malloc(len * 2 + 1);
    for (size_t i = 0; i < len; i++) {
        s[2 * i] = hx[((const unsigned char *)p)[i] >> 4];
        s[2 * i + 1] = hx[((const unsigned char *)p)[i] & 15];
    }
    s[len * 2] = 0;
    json_t *j = json_string(s);
    free(s);
    return j;
}

static json_t *token_json(uint64_t t)
{
    char b[24];
    snprintf(b, sizeof b, "%016llx", (unsigned long long)t);
    return json_string(b);
}

static json_t *load_json(const clu_pload_t *l)
{
    json_t *j = json_object();
    json_object_set_new(j, "reads", json_integer((json_int_t)l->reads));
    json_object_set_new(j, "writes", json_integer((json_int_t)l->writes));
    json_object_set_new(j, "bytes", json_integer((json_int_t)l->bytes));
    json_object_set_new(j, "read_rate", json_real((double)(int64_t)(l->read_rate * 10) / 10));
    json_object_set_new(j, "write_rate", json_real((double)(int64_t)(l->write_rate * 10) / 10));
    json_object_set_new(j, "cluster_write_rate",
                        json_real((double)(int64_t)(l->cluster_write_rate * 10) / 10));
    json_object_set_new(j, "byte_rate", json_real((double)(int64_t)(l->byte_rate * 10) / 10));
    json_object_set_new(j, "hot_ticks", json_integer((json_int_t)l->hot_ticks));
    return j;
}

/* Partitions of m in space, with replicas and (load not NULL) this node's
 * load of each (node thread: reads the ring). */
static json_t *parts_json(clu_node_t *n, const void *space, size_t slen, const clu_rangemap_t *m,
                          const clu_pload_t *load)
{
    json_t *a = json_array();
    for (size_t i = 0; i <= m->n; i++) {
        json_t *p = json_object();
        json_object_set_new(p, "index", json_integer((json_int_t)i));
        json_object_set_new(p, "start", i ? node_hex_json(m->s[i - 1].key, m->s[i - 1].len) : json_null());
        json_object_set_new(p, "end", i < m->n ? node_hex_json(m->s[i].key, m->s[i].len) : json_null());
        uint64_t t = clu_pmap_part_token(space, slen, m, i);
        json_object_set_new(p, "token", token_json(t));
        json_t *r = json_array();
        uint16_t reps[NODE_MAX_RF];
        size_t nr = n->ring.nvn ? clu_ring_replicas(&n->ring, t, reps) : 0;
        for (size_t x = 0; x < nr; x++)
            json_array_append_new(r, json_integer(reps[x]));
        json_object_set_new(p, "replicas", r);
        if (load)
            json_object_set_new(p, "load", load_json(&load[i]));
        json_array_append_new(a, p);
    }
    return a;
}

static json_t *rec_json(clu_node_t *n, const void *space, size_t slen, const clu_pmap_rec_t *rec,
                        const clu_pload_t *load)
{
    json_t *j = json_object();
    json_object_set_new(j, "space", node_hex_json(space, slen));
    json_object_set_new(j, "version", json_integer((json_int_t)rec->version.hlc));
    json_object_set_new(j, "version_node", json_integer(rec->version.node_id));
    json_object_set_new(j, "moving", json_boolean(rec->moving));
    if (rec->has_cur) {
        json_t *sp = json_array();
        for (size_t i = 0; i < rec->cur.n; i++)
            json_array_append_new(sp, node_hex_json(rec->cur.s[i].key, rec->cur.s[i].len));
        json_object_set_new(j, "splits", sp);
        json_object_set_new(j, "partitions", parts_json(n, space, slen, &rec->cur, load));
    } else {
        json_object_set_new(j, "splits", json_null());
        json_object_set_new(j, "partitions", json_null());
    }
    if (rec->moving)
        json_object_set_new(j, "next_partitions", parts_json(n, space, slen, &rec->next, NULL));
    return j;
}

typedef struct each_ctx {
    clu_node_t *n;
    json_t     *arr;
    const void *space;   /* NULL: every space */
    size_t      slen;
} each_ctx_t;

static void status_each(void *ctx, const void *space, size_t slen, const clu_pmap_rec_t *rec,
                        const clu_pload_t *load)
{
    each_ctx_t *c = ctx;
    if (!c->space || (c->slen == slen && memcmp(c->space, space, slen) == 0))
        json_array_append_new(c->arr, rec_json(c->n, space, slen, rec, load));
}

void node_part_status_json(clu_node_t *n, json_t *root)
{
    each_ctx_t c = { n, json_array(), NULL, 0 };
    clu_pmap_each(n->pmap, status_each, &c);
    json_object_set_new(root, "partition_maps", c.arr);
    json_object_set_new(root, "auto_splits", json_integer((json_int_t)atomic_load(&n->auto_splits)));
    json_object_set_new(root, "purged_versions", json_integer((json_int_t)atomic_load(&n->purged)));
}

typedef struct part_call {
    const void *space, *key;
    size_t      slen, klen;
    rdb_buf_t  *out;
} part_call_t;

static void dump_json(json_t *j, rdb_buf_t *out)
{
    char *s = json_dumps(j, JSON_COMPACT);
    rdb_buf_append_str(out, s);
    free(s);
    json_decref(j);
}

static void partitions_fn(clu_node_t *n, void *arg)
{
    part_call_t *c = arg;
    each_ctx_t e = { n, json_array(), c->space, c->slen };
    clu_pmap_each(n->pmap, status_each, &e);
    if (json_array_size(e.arr))
        dump_json(json_incref(json_array_get(e.arr, 0)), c->out);
    else
        rdb_buf_append_str(c->out, "null");
    json_decref(e.arr);
}

void clu_node_partitions_json(clu_node_t *n, const void *space, size_t slen, rdb_buf_t *out)
{
    part_call_t c = { .space = space, .slen = slen, .out = out };
    node_call_sync(n, partitions_fn, &c);
}

static void placement_fn(clu_node_t *n, void *arg)
{
    part_call_t *c = arg;
    json_t *j = json_object();
    clu_place_t pl;
    bool ranged = clu_pmap_place(n->pmap, c->key, c->klen, &pl);
    if (ranged && pl.has_cur)
        json_object_set_new(j, "partition", json_integer((json_int_t)pl.cur_part));
    json_object_set_new(j, "token", token_json(clu_replica_token(&n->rep, c->key, c->klen)));
    uint16_t reps[NODE_MAX_RF * 4];
    size_t nr = node_replicas(n, c->key, c->klen, reps);
    json_t *r = json_array();
    for (size_t i = 0; i < nr; i++)
        json_array_append_new(r, json_integer(reps[i]));
    json_object_set_new(j, "replicas", r);
    if (ranged && pl.moving) {
        nr = node_write_replicas(n, c->key, c->klen, reps);
        r = json_array();
        for (size_t i = 0; i < nr; i++)
            json_array_append_new(r, json_integer(reps[i]));
        json_object_set_new(j, "write_replicas", r);
    }
    dump_json(j, c->out);
}

void clu_node_key_placement_json(clu_node_t *n, const void *key, size_t klen, rdb_buf_t *out)
{
    part_call_t c = { .key = key, .klen = klen, .out = out };
    node_call_sync(n, placement_fn, &c);
}

/* ---- split / merge ------------------------------------------------------------ */

/* The key ranges (after the space prefix) to stream: pieces between the
 * boundaries of both maps whose replica set changes.  Computed on the node
 * thread (ring). */
typedef struct piece {
    char  *lo, *hi;       /* NULL: open end */
    size_t lolen, hilen;
} piece_t;

typedef struct move_plan {
    const void           *space;
    size_t                slen;
    const clu_pmap_rec_t *rec;     /* cur (maybe none) -> next */
    piece_t              *p;
    size_t                np;
} move_plan_t;

static bool same_set(const uint16_t *a, size_t na, const uint16_t *b, size_t nb)
{
    if (na != nb)
        return false;
    for (size_t i = 0; i < na; i++) {
        bool f = false;
        for (size_t j = 0; j < nb && !f; j++)
            f = a[i] == b[j];
        if (!f)
            return false;
    }
    return true;
}

static void plan_fn(clu_node_t *n, void *arg)
{
    move_plan_t *mp = arg;
    const clu_pmap_rec_t *rec = mp->rec;
    /* Boundaries: the union of both maps' splits, sorted. */
    clu_rangemap_t b;
    clu_rangemap_init(&b);
    for (size_t i = 0; rec->has_cur && i < rec->cur.n; i++)
        clu_rangemap_split(&b, rec->cur.s[i].key, rec->cur.s[i].len, 0);
    for (size_t i = 0; i < rec->next.n; i++)
        clu_rangemap_split(&b, rec->next.s[i].key, rec->next.s[i].len, 0);
    mp->p = rdb_calloc(b.n + 1, sizeof *mp->p);
    for (size_t i = 0; i <= b.n; i++) {
        const char *lo = i ? b.s[i - 1].key : "";
        size_t lolen = i ? b.s[i - 1].len : 0;
        bool move = !rec->has_cur;
        if (!move && n->ring.nvn) {
            uint16_t a[NODE_MAX_RF], c[NODE_MAX_RF];
            size_t na = clu_ring_replicas(
                &n->ring,
                clu_pmap_part_token(mp->space, mp->slen, &rec->cur,
                                    clu_rangemap_find(&rec->cur, lo, lolen)), a);
            size_t nc = clu_ring_replicas(
                &n->ring,
                clu_pmap_part_token(mp->space, mp->slen, &rec->next,
                                    clu_rangemap_find(&rec->next, lo, lolen)), c);
            move = !same_set(a, na, c, nc);
        }
        if (!move)
            continue;
        piece_t *p = &mp->p[mp->np++];
        if (i) {
            p->lo = rdb_memdup(b.s[i - 1].key, b.s[i - 1].len + 1);
            p->lolen = b.s[i - 1].len;
        }
        if (i < b.n) {
            p->hi = rdb_memdup(b.s[i].key, b.s[i].len + 1);
            p->hilen = b.s[i].len;
        }
    }
    clu_rangemap_free(&b);
}

static void plan_free(move_plan_t *mp)
{
    for (size_t i = 0; i < mp->np; i++) {
        free(mp->p[i].lo);
        free(mp->p[i].hi);
    }
    free(mp->p);
}

/* space ‖ suffix; suffix NULL: the end of the space (space + 1). */
static void space_key(rdb_buf_t *k, const void *space, size_t slen, const char *suffix,
                      size_t sulen, bool end)
{
    rdb_buf_reset(k);
    rdb_buf_append(k, space, slen);
    if (!end) {
        if (sulen)
            rdb_buf_append(k, suffix, sulen);
        return;
    }
    /* The smallest key after every key with this prefix. */
    unsigned char *p = (unsigned char *)k->data;
    size_t len = k->len;
    while (len && p[len - 1] == 0xff)
        len--;
    k->len = len;
    if (len)
        p[len - 1]++;
}

/* Write at ALL; a level not met in time (a busy replica) is tried again:
 * the records are blind versioned puts, so a second copy is harmless. */
static rdb_status_t write_all(clu_node_t *n, const clu_record_t *recs, size_t nrec,
                              rdb_err_t *err)
{
    rdb_status_t st = RDB_OK;
    for (int attempt = 0; attempt < PART_WRITE_TRIES; attempt++) {
        if (attempt)
            rdb_err_clear(err);
        st = clu_node_write(n, recs, nrec, CLU_CL_ALL, CLU_W_NOLOAD, NULL, err);
        if (st != RDB_UNAVAILABLE)
            break;
    }
    return st;
}

/* Read one piece at QUORUM and write it back to its replicas at ALL. */
static rdb_status_t stream_piece(clu_node_t *n, const void *space, size_t slen, const piece_t *p,
                                 uint64_t since, uint64_t *nrec, rdb_err_t *err)
{
    rdb_buf_t lo = RDB_BUF_INIT, hi = RDB_BUF_INIT;
    space_key(&lo, space, slen, p->lo, p->lolen, false);
    bool open_end = !p->hi;
    space_key(&hi, space, slen, p->hi, p->hilen, open_end);
    clu_rows_t rows = { 0 };
    rdb_status_t st = RDB_OK;
    for (int attempt = 0; attempt < PART_WRITE_TRIES; attempt++) {
        if (attempt)
            rdb_err_clear(err);
        st = clu_node_scan(n, lo.data, lo.len, hi.len ? hi.data : NULL, hi.len, CLU_CL_QUORUM,
                           &rows, err);
        if (st != RDB_UNAVAILABLE)
            break;
    }
    clu_record_t *recs = rdb_calloc(PART_STREAM_BATCH, sizeof *recs);
    for (size_t i = 0; st == RDB_OK && i < rows.n;) {
        size_t k = 0;
        for (; k < PART_STREAM_BATCH && i < rows.n; i++) {
            const clu_row_t *r = &rows.r[i];
            if (r->version.hlc < since)
                continue;
            clu_record_t *rec = &recs[k];
            memset(rec, 0, sizeof *rec);
            rec->key = rows.store.data + r->koff;
            rec->klen = r->klen;
            rec->tombstone = r->tombstone;
            rec->value = r->tombstone ? NULL : rows.store.data + r->voff;
            rec->vlen = r->tombstone ? 0 : r->vlen;
            rec->version = r->version;
            k++;
        }
        if (!k)
            break;
        st = write_all(n, recs, k, err);
        *nrec += k;
    }
    free(recs);
    clu_rows_free(&rows);
    rdb_buf_free(&lo);
    rdb_buf_free(&hi);
    return st;
}

/* ---- compare-and-set of a map record ------------------------------------------ */

/* A member promises, for one space, to let only the map version `next`
 * replace the version `expect` it holds now (node thread only).  The
 * coordinator of a change writes a map record only after every member
 * promised it, and each member gives one promise per (space, expect) at a
 * time, so of two coordinators that read the same map version (two nodes
 * that each think they coordinate, membership views disagreeing) at most
 * one writes the next version; the other fails with 40001 before it
 * writes anything.  Both may fail (each got some promises): both retry; a
 * coordinator's new attempt replaces its own earlier promises.  A
 * promise lapses after PROMISE_TTL_MS (a coordinator that died after its
 * promises); a coordinator that took more than half of that between its
 * promises and its write gives up (40001) rather than write late. */
#define PROMISE_TTL_MS(n) (10000 + 2 * PART_WRITE_TRIES * (n)->o.write_timeout_ms)

typedef struct promise_call {
    const void   *space;
    size_t        slen;
    lsm_version_t expect, next;
    rdb_status_t  st;
    uint16_t      holder;   /* out: the node whose promise stands in the way */
} promise_call_t;

static void promise_fn(clu_node_t *n, void *arg)
{
    promise_call_t *c = arg;
    uint64_t now = node_mono_ms();
    clu_pmap_rec_t rec;
    lsm_version_t cur = { 0, 0 };
    if (clu_pmap_get(n->pmap, c->space, c->slen, &rec)) {
        cur = rec.version;
        clu_pmap_rec_free(&rec);
    }
    c->st = RDB_BUSY;
    c->holder = 0;
    if (lsm_version_cmp(cur, c->next) == 0) {
        c->st = RDB_OK;   /* the write is already here: a repeated promise */
        return;
    }
    if (lsm_version_cmp(cur, c->expect) != 0)
        return;   /* the map changed since the coordinator read it */
    part_promise_t *slot = NULL;
    for (size_t i = 0; i < NODE_PROMISES; i++) {
        part_promise_t *p = &n->promises[i];
        bool live = p->expires_ms > now;
        if (live && p->slen == c->slen && memcmp(p->space, c->space, c->slen) == 0) {
            if (lsm_version_cmp(p->expect, c->expect) == 0 &&
                lsm_version_cmp(p->next, c->next) != 0 && p->next.node_id != c->next.node_id) {
                c->holder = p->next.node_id;
                return;   /* promised to another coordinator's version */
            }
            /* else: a stale promise, or the same coordinator's earlier
             * attempt (it runs one change at a time: that one is over) */
            slot = p;     /* a stale promise of this space: replaced */
            break;
        }
        if (!live && !slot)
            slot = p;
    }
    if (!slot)
        return;
    memcpy(slot->space, c->space, c->slen);
    slot->slen = c->slen;
    slot->expect = c->expect;
    slot->next = c->next;
    slot->expires_ms = now + PROMISE_TTL_MS(n);
    c->st = RDB_OK;
}

static rdb_status_t cas_conflict(rdb_err_t *err, uint16_t who)
{
    return rdb_err_set(err, RDB_BUSY, RDB_SQLSTATE_SERIALIZATION,
                       "could not change the partition map: it was changed concurrently "
                       "(refused by node %u)", who);
}

typedef struct cas_member {
    uint16_t id;
    bool     up;
    char     addr[CLU_ADDR_MAX];
} cas_member_t;

typedef struct cas_members {
    cas_member_t *m;
    size_t        n;
} cas_members_t;

static void cas_members_fn(clu_node_t *n, void *arg)
{
    cas_members_t *c = arg;
    c->m = rdb_calloc(n->mem.n + 1, sizeof *c->m);
    for (size_t i = 0; i < n->mem.n; i++) {
        const clu_member_t *m = &n->mem.m[i];
        if (m->leaving)
            continue;
        cas_member_t *x = &c->m[c->n++];
        x->id = m->id;
        x->up = node_peer_up(n, m->id);
        snprintf(x->addr, sizeof x->addr, "%s", m->addr);
    }
}

static void version_str(char *b, size_t cap, lsm_version_t v)
{
    snprintf(b, cap, "%llu:%u", (unsigned long long)v.hlc, v.node_id);
}

static bool parse_version(const char *a, size_t al, lsm_version_t *v)
{
    char b[48] = "";
    if (!a || al >= sizeof b)
        return false;
    memcpy(b, a, al);
    char *colon = strchr(b, ':');
    if (!colon)
        return false;
    v->hlc = strtoull(b, NULL, 10);
    v->node_id = (uint16_t)strtoul(colon + 1, NULL, 10);
    return true;
}

/* ctl "pmap-promise SPACE EXPECT NEXT" (versions as HLC:NODE). */
void node_part_promise_ctl(clu_node_t *n, uint32_t client, uint64_t id, const char *space,
                           size_t slen, const char *ex, size_t exl, const char *nx, size_t nxl)
{
    promise_call_t c = { .space = space, .slen = slen };
    rdb_err_t e = RDB_ERR_INIT;
    if (!slen || slen > CLU_PMAP_MAX_SPACE || !parse_version(ex, exl, &c.expect) ||
        !parse_version(nx, nxl, &c.next)) {
        rdb_err_set(&e, RDB_INVALID, RDB_SQLSTATE_INVALID_PARAMETER,
                    "pmap-promise needs a key space and two versions HLC:NODE");
        node_ctl_reply_err(n, client, id, &e);
    } else {
        promise_fn(n, &c);
        if (c.st == RDB_OK) {
            node_ctl_reply(n, client, id, true, "{\"promised\":true}", 17);
        } else {
            cas_conflict(&e, n->o.node_id);
            node_ctl_reply_err(n, client, id, &e);
        }
    }
    rdb_err_clear(&e);
}

/* Every member's promise that the map version `expect` is replaced by
 * `next` only: the compare half of the compare-and-set. */
static rdb_status_t promise_all(clu_node_t *n, const void *space, size_t slen,
                                lsm_version_t expect, lsm_version_t next, rdb_err_t *err)
{
    cas_members_t ms = { 0 };
    node_call_sync(n, cas_members_fn, &ms);
    rdb_status_t st = RDB_OK;
    char ex[48], nx[48];
    version_str(ex, sizeof ex, expect);
    version_str(nx, sizeof nx, next);
    for (size_t i = 0; i < ms.n && st == RDB_OK; i++) {
        cas_member_t *m = &ms.m[i];
        if (!m->up) {
            st = rdb_err_set(err, RDB_UNAVAILABLE, RDB_SQLSTATE_UNAVAILABLE,
                             "node %u is down: the partition map is changed with every "
                             "member up", m->id);
        } else if (m->id == n->o.node_id) {
            promise_call_t c = { .space = space, .slen = slen, .expect = expect, .next = next };
            node_call_sync(n, promise_fn, &c);
            if (c.st != RDB_OK)
                st = cas_conflict(err, m->id);
        } else {
            const char *args[3] = { space, ex, nx };
            size_t lens[3] = { slen, strlen(ex), strlen(nx) };
            st = node_call_addr(n, m->addr, "pmap-promise", args, lens, 3,
                                (int)n->o.write_timeout_ms + 5000, NULL, err);
        }
    }
    free(ms.m);
    return st;
}

/* Write the map record {cur, next} at ALL, if the space's map is still at
 * version `expect` ({0, 0}: none) on every member: the change's
 * compare-and-set.  *written gets the new version. */
static rdb_status_t write_map(clu_node_t *n, const void *space, size_t slen,
                              const clu_rangemap_t *cur, const clu_rangemap_t *next,
                              lsm_version_t expect, lsm_version_t *written, rdb_err_t *err)
{
    rdb_buf_t k = RDB_BUF_INIT, v = RDB_BUF_INIT;
    clu_pmap_key(space, slen, &k);
    clu_pmap_rec_encode(cur, next, &v);
    clu_record_t rec = { .key = k.data, .klen = k.len, .value = v.data, .vlen = v.len };
    rec.version = (lsm_version_t){ clu_node_now(n), clu_node_id(n) };
    *written = rec.version;
    uint64_t t0 = node_mono_ms();
    rdb_status_t st = promise_all(n, space, slen, expect, rec.version, err);
    if (st == RDB_OK && node_mono_ms() - t0 > PROMISE_TTL_MS(n) / 2)
        st = rdb_err_set(err, RDB_BUSY, RDB_SQLSTATE_SERIALIZATION,
                         "could not change the partition map: its promises took too long");
    if (st == RDB_OK)
        st = write_all(n, &rec, 1, err);
    rdb_buf_free(&k);
    rdb_buf_free(&v);
    return st;
}

void node_sleep_ms(uint64_t ms)
{
    struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

/* Runs on the coordinator, under part_mu. */
static rdb_status_t change_here(clu_node_t *n, const void *space, size_t slen, const void *key,
                                size_t klen, bool split, unsigned flags, rdb_buf_t *report,
                                rdb_err_t *err)
{
    clu_pmap_rec_t rec;
    if (!clu_pmap_get(n->pmap, space, slen, &rec))
        clu_pmap_rec_init(&rec); /* none yet: default placement, no splits */
    /* The target: the map being moved to (a move left unfinished resumes),
     * else the current one, with the change applied. */
    clu_rangemap_t target;
    clu_rangemap_init(&target);
    const clu_rangemap_t *base = rec.moving ? &rec.next : &rec.cur;
    for (size_t i = 0; i < base->n; i++)
        clu_rangemap_split(&target, base->s[i].key, base->s[i].len, 0);
    bool ok = split ? clu_rangemap_split(&target, key, klen, 0)
                    : clu_rangemap_merge(&target, key, klen, 0);
    rdb_status_t st = RDB_OK;
    move_plan_t mp = { .space = space, .slen = slen, .rec = &rec };
    uint64_t nrec = 0;
    clu_pmap_rec_t now;
    lsm_version_t mine;
    uint64_t age_ms = CLU_HLC_MS(clu_node_now(n)) - CLU_HLC_MS(rec.version.hlc);
    if ((flags & PART_AUTO) && (rec.moving || age_ms < n->o.auto_split_cooldown_ms)) {
        st = rdb_err_set(err, RDB_BUSY, "55006" /* object_in_use */,
                         "automatic split refused: the partition map changed %llu ms ago",
                         (unsigned long long)age_ms);
        goto out;
    }
    if (!ok) {
        st = rdb_err_set(err, RDB_INVALID, RDB_SQLSTATE_INVALID_PARAMETER,
                         split ? "the partition map already splits at this key"
                               : "the partition map has no split point at this key");
        goto out;
    }
    clu_rangemap_free(&rec.next);
    rec.next = target;
    clu_rangemap_init(&target);
    rec.moving = true;
    if ((st = write_map(n, space, slen, rec.has_cur ? &rec.cur : NULL, &rec.next, rec.version,
                        &mine, err)) != RDB_OK)
        goto out;
    node_call_sync(n, plan_fn, &mp);
    /* Pass 2 takes only versions stamped shortly before the moving map
     * (writes that a coordinator may have routed by the old map): every
     * coordinator's clock passed the map's stamp when it applied it. */
    uint64_t moving_at = clu_pmap_get(n->pmap, space, slen, &now) ? now.version.hlc : 0;
    if (moving_at)
        clu_pmap_rec_free(&now);
    uint64_t slack = (n->o.max_clock_offset_ms + n->o.write_timeout_ms) << 16;
    for (int pass = 0; pass < 2 && st == RDB_OK; pass++) {
        uint64_t since = pass && moving_at > slack ? moving_at - slack : 0;
        if (pass)
            node_sleep_ms(n->o.write_timeout_ms < 1000 ? n->o.write_timeout_ms : 1000);
        for (size_t i = 0; i < mp.np && st == RDB_OK; i++) {
            if (atomic_load(&n->bg_stop))
                st = rdb_err_set(err, RDB_UNAVAILABLE, RDB_SQLSTATE_UNAVAILABLE,
                                 "the cluster node is shutting down");
            else
                st = stream_piece(n, space, slen, &mp.p[i], since, &nrec, err);
        }
    }
    if (st != RDB_OK ||
        (st = write_map(n, space, slen, &rec.next, NULL, mine, &mine, err)) != RDB_OK)
        goto out;
    if (report && clu_pmap_get(n->pmap, space, slen, &now)) {
        rdb_buf_printf(report,
                       "{\"version\":%llu,\"partitions\":%zu,\"moved_ranges\":%zu,"
                       "\"records_streamed\":%llu}",
                       (unsigned long long)now.version.hlc, now.cur.n + 1, mp.np,
                       (unsigned long long)nrec);
        clu_pmap_rec_free(&now);
    }
    RDB_LOG_INFO("node", "partition map %s%s: %zu partitions, %zu ranges moved, %llu records",
                 (flags & PART_AUTO) ? "automatic " : "", split ? "split" : "merge",
                 rec.next.n + 1, mp.np, (unsigned long long)nrec);
out:
    plan_free(&mp);
    clu_rangemap_free(&target);
    clu_pmap_rec_free(&rec);
    return st;
}


/* ---- one coordinator for map changes ------------------------------------------ */

/* Map changes are serialised through one coordinator: the lowest member of
 * the ring whose link is up (every member computes the same one while
 * membership is stable).  A change asked elsewhere is forwarded to it over
 * its peer port (the control command "split"/"merge" with a third argument
 * "fwd", which is never forwarded again), where part_mu runs them one at a
 * time.  Each map record it writes is a compare-and-set on the map version
 * it read (write_map: every member promises first), so a map written
 * meanwhile by another coordinator (membership views disagreeing) makes it
 * fail with 40001 rather than overwrite that map. */
typedef struct coord_call {
    uint16_t id;
    char     addr[CLU_ADDR_MAX];
} coord_call_t;

static void coord_fn(clu_node_t *n, void *arg)
{
    coord_call_t *c = arg;
    c->id = n->o.node_id;
    for (size_t i = 0; i < n->ring.nnodes; i++)
        if (node_peer_up(n, n->ring.nodes[i])) {
            c->id = n->ring.nodes[i];
            break;
        }
    const clu_member_t *m = clu_members_get(&n->mem, c->id);
    if (m)
        snprintf(c->addr, sizeof c->addr, "%s", m->addr);
}

static rdb_status_t forward(clu_node_t *n, const coord_call_t *c, const void *space,
                            size_t slen, const void *key, size_t klen, bool split,
                            unsigned flags, rdb_buf_t *report, rdb_err_t *err)
{
    const char *fwd = (flags & PART_AUTO) ? "fwd-auto" : "fwd";
    const char *args[3] = { space, key, fwd };
    size_t lens[3] = { slen, klen, strlen(fwd) };
    return node_call_addr(n, c->addr, split ? "split" : "merge", args, lens, 3, 300000, report,
                          err);
}

rdb_status_t node_part_change(clu_node_t *n, const void *space, size_t slen, const void *key,
                              size_t klen, bool split, unsigned flags, rdb_buf_t *report,
                              rdb_err_t *err)
{
    if (slen == 0 || slen > CLU_PMAP_MAX_SPACE)
        return rdb_err_set(err, RDB_INVALID, RDB_SQLSTATE_INVALID_PARAMETER,
                           "invalid key space for a partition map");
    if (!(flags & PART_FWD)) {
        coord_call_t c = { 0 };
        node_call_sync(n, coord_fn, &c);
        if (c.id != n->o.node_id)
            return forward(n, &c, space, slen, key, klen, split, flags, report, err);
    }
    pthread_mutex_lock(&n->part_mu);
    rdb_status_t st = change_here(n, space, slen, key, klen, split, flags, report, err);
    pthread_mutex_unlock(&n->part_mu);
    return st;
}

rdb_status_t clu_node_partition_change(clu_node_t *n, const void *space, size_t slen,
                                       const void *key, size_t klen, bool split,
                                       rdb_buf_t *report, rdb_err_t *err)
{
    return node_part_change(n, space, slen, key, klen, split, 0, report, err);
}

/* ---- load and automatic splits -------------------------------------------------- */

#define AUTO_SPLIT_TICKS 3   /* ticks (s) above the rate before a split */

static void *auto_split_main(void *arg)
{
    clu_node_t *n = arg;
    clu_hot_t *h = &n->bg_hot;
    rdb_err_t e = RDB_ERR_INIT;
    rdb_buf_t rep = RDB_BUF_INIT;
    RDB_LOG_INFO("node", "partition written %.0f times a second in the cluster: splitting it",
                 h->write_rate);
    if (node_part_change(n, h->space, h->slen, h->split.data, h->split.len, true, PART_AUTO,
                         &rep, &e) == RDB_OK) {
        atomic_fetch_add(&n->auto_splits, 1);
        RDB_LOG_INFO("node", "automatic split done: %.*s", (int)rep.len, rep.data);
    } else {
        RDB_LOG_INFO("node", "automatic split not done: %s", e.msg);
    }
    rdb_err_clear(&e);
    rdb_buf_free(&rep);
    atomic_store(&n->bg_running, false);
    return NULL;
}

void clu_node_set_range_space(clu_node_t *n, clu_space_fn fn, void *ctx)
{
    clu_pmap_set_space_fn(n->pmap, fn, ctx);
}

void node_part_tick(clu_node_t *n)
{
    uint64_t now = node_mono_ms();
    double dt = n->load_last_ms ? (double)(now - n->load_last_ms) / 1000.0 : 1.0;
    n->load_last_ms = now;
    /* Only the map coordinator (the lowest up ring member) decides, on the
     * cluster-wide rate (its own plus the members' gossiped reports). */
    uint16_t coord = 0;
    for (size_t i = 0; i < n->ring.nnodes && !coord; i++)
        if (node_peer_up(n, n->ring.nodes[i]))
            coord = n->ring.nodes[i];
    bool can = n->o.auto_split_rate && !atomic_load(&n->bg_running) && !n->stopping &&
               coord == n->o.node_id;
    clu_hot_t hot;
    memset(&hot, 0, sizeof hot);
    bool found = clu_pmap_tick(n->pmap, dt, now, can ? (double)n->o.auto_split_rate : 0,
                               AUTO_SPLIT_TICKS, n->o.auto_split_cooldown_ms, &hot);
    if (!found || !can) {
        rdb_buf_free(&hot.split);
        return;
    }
    rdb_buf_free(&n->bg_hot.split);
    n->bg_hot = hot;
    node_bg_start(n, auto_split_main);
}

bool node_bg_start(clu_node_t *n, void *(*fn)(void *))
{
    if (n->bg_started)
        pthread_join(n->bg_thr, NULL);   /* finished: bg_running is false */
    n->bg_started = false;
    atomic_store(&n->bg_running, true);
    if (pthread_create(&n->bg_thr, NULL, fn, n) != 0) {
        atomic_store(&n->bg_running, false);
        return false;
    }
    n->bg_started = true;
    return true;
}

void node_part_stop(clu_node_t *n)
{
    atomic_store(&n->bg_stop, true);
    if (n->bg_started)
        pthread_join(n->bg_thr, NULL);
    n->bg_started = false;
    rdb_buf_free(&n->bg_hot.split);
    /* Control commands running on threads of their own (split, merge,
     * cleanup, leave) stop at their next step; wait for them (at most
     * 30 s: a forwarded command waits on another node). */
    for (int i = 0; i < 3000 && atomic_load(&n->ctl_threads) > 0; i++)
        node_sleep_ms(10);
    if (atomic_load(&n->ctl_threads) > 0)
        RDB_LOG_WARN("node", "stopping with %u control commands still running",
                     (unsigned)atomic_load(&n->ctl_threads));
}

void clu_node_note_read(clu_node_t *n, const void *key, size_t klen)
{
    clu_pmap_note(n->pmap, key, klen, false, 0);
}
