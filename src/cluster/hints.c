/*
 * hints.c — durable per-peer hint queues on an LSM; see hints.h.
 *
 * Record encoding (value):  varint klen, key, u8 tombstone, varint hlc,
 * varint node_id, varint origin, varint seq, varint vlen, value.
 * A hint key is written with version {seq, 0} and deleted with {seq, 1}.
 * Invariant: st[peer].next_seq > every stored seq of that peer.
 */
#include "cluster/hints.h"

#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/coding.h"
#include "common/mem.h"

typedef struct hint_peer {
    uint64_t next_seq, count, bytes, dropped;
    uint64_t acked;     /* every hint with seq <= acked is deleted: scans
                         * seek past it instead of walking its tombstones */
} hint_peer_t;

struct clu_hints {
    lsm_db_t    *db;
    uint64_t     limit;
    hint_peer_t *p;     /* indexed by peer id, 65536 entries */
};

static void hint_key(char k[10], uint16_t peer, uint64_t seq)
{
    rdb_put_u16_be(k, peer);
    rdb_put_u64_be(k + 2, seq);
}

static void hint_encode(rdb_buf_t *b, const clu_record_t *r)
{
    char t[RDB_MAX_VARINT64_LEN];
    rdb_buf_append(b, t, rdb_encode_varint64(t, r->klen));
    rdb_buf_append(b, r->key, r->klen);
    rdb_buf_append_u8(b, r->tombstone ? 1 : 0);
    rdb_buf_append(b, t, rdb_encode_varint64(t, r->version.hlc));
    rdb_buf_append(b, t, rdb_encode_varint64(t, r->version.node_id));
    rdb_buf_append(b, t, rdb_encode_varint64(t, r->origin));
    rdb_buf_append(b, t, rdb_encode_varint64(t, r->seq));
    size_t vlen = r->tombstone ? 0 : r->vlen;
    rdb_buf_append(b, t, rdb_encode_varint64(t, vlen));
    if (vlen)
        rdb_buf_append(b, r->value, vlen);
}

static bool hint_decode(const char *p, size_t n, clu_record_t *r)
{
    const char *end = p + n;
    uint64_t kl, hlc, node, origin, seq, vl;
    memset(r, 0, sizeof *r);
    if (!(p = rdb_decode_varint64(p, end, &kl)) || kl > (uint64_t)(end - p))
        return false;
    r->key = p;
    r->klen = kl;
    p += kl;
    if (p >= end || (unsigned char)*p > 1)
        return false;
    r->tombstone = *p++ == 1;
    if (!(p = rdb_decode_varint64(p, end, &hlc)) || !(p = rdb_decode_varint64(p, end, &node)) ||
        node > UINT16_MAX || !(p = rdb_decode_varint64(p, end, &origin)) ||
        origin > UINT16_MAX || !(p = rdb_decode_varint64(p, end, &seq)) ||
        !(p = rdb_decode_varint64(p, end, &vl)) || vl != (uint64_t)(end - p))
        return false;
    r->version.hlc = hlc;
    r->version.node_id = (uint16_t)node;
    r->origin = (uint16_t)origin;
    r->seq = seq;
    r->value = r->tombstone ? NULL : p;
    r->vlen = r->tombstone ? 0 : vl;
    return true;
}

rdb_status_t clu_hints_open(const char *dir, uint64_t limit_bytes, clu_hints_t **out,
                            rdb_err_t *err)
{
    clu_hints_t *h = rdb_calloc(1, sizeof *h);
    h->limit = limit_bytes ? limit_bytes : (256u << 20);
    h->p = rdb_calloc(65536, sizeof *h->p);
    lsm_options_t o;
    lsm_options_default(&o);
    o.memtable_size = 4u << 20;
    rdb_status_t st = lsm_open(dir, &o, &h->db, err);
    if (st != RDB_OK) {
        rdb_err_prefix(err, "hint store");
        free(h->p);
        free(h);
        return st;
    }
    /* Recover counters from what is stored. */
    lsm_iter_t *it = lsm_iter_new(h->db, NULL);
    for (lsm_iter_seek_first(it); lsm_iter_valid(it); lsm_iter_next(it)) {
        size_t kl, vl;
        const char *k = lsm_iter_key(it, &kl);
        lsm_iter_value(it, &vl);
        if (kl != 10)
            continue;
        hint_peer_t *hp = &h->p[rdb_get_u16_be(k)];
        uint64_t seq = rdb_get_u64_be(k + 2);
        hp->count++;
        hp->bytes += vl;
        if (seq >= hp->next_seq)
            hp->next_seq = seq + 1;
    }
    st = lsm_iter_status(it, err);
    lsm_iter_free(it);
    if (st != RDB_OK) {
        clu_hints_close(h);
        return st;
    }
    *out = h;
    return RDB_OK;
}

void clu_hints_close(clu_hints_t *h)
{
    if (!h)
        return;
    lsm_close(h->db);
    free(h->p);
    free(h);
}

rdb_status_t clu_hints_add(clu_hints_t *h, uint16_t peer, const clu_record_t *rec,
                           rdb_err_t *err)
{
    size_t added;
    rdb_status_t st = clu_hints_add_batch(h, peer, rec, 1, &added, err);
    if (st == RDB_OK && added == 0)
        st = rdb_err_set(err, RDB_BUSY, RDB_SQLSTATE_OUT_OF_MEMORY,
                         "hint store for node %u is full (%llu bytes)", peer,
                         (unsigned long long)h->p[peer].bytes);
    return st;
}

rdb_status_t clu_hints_add_batch(clu_hints_t *h, uint16_t peer, const clu_record_t *recs,
                                 size_t n, size_t *added, rdb_err_t *err)
{
    hint_peer_t *hp = &h->p[peer];
    if (hp->next_seq == 0)
        hp->next_seq = 1;
    lsm_batch_t *b = lsm_batch_new();
    rdb_buf_t v = RDB_BUF_INIT;
    uint64_t seq = hp->next_seq, bytes = 0;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        rdb_buf_reset(&v);
        hint_encode(&v, &recs[i]);
        if (hp->bytes + bytes + v.len > h->limit) {
            hp->dropped++;
            continue;
        }
        char key[10];
        hint_key(key, peer, seq);
        lsm_batch_put(b, key, sizeof key, (lsm_version_t){ seq, 0 }, v.data, v.len);
        seq++;
        bytes += v.len;
        k++;
    }
    rdb_status_t st = k ? lsm_write(h->db, NULL, b, err) : RDB_OK;
    lsm_batch_free(b);
    rdb_buf_free(&v);
    *added = 0;
    if (st == RDB_OK) {
        hp->next_seq = seq;
        hp->count += k;
        hp->bytes += bytes;
        *added = k;
    }
    return st;
}

/* An iterator over peer's hints, positioned on the first one not yet
 * acknowledged (delivery in batches would otherwise walk the tombstones of
 * every batch delivered before: quadratic in the backlog). */
static lsm_iter_t *hints_iter(clu_hints_t *h, uint16_t peer, char lo[2], char hi[10])
{
    lsm_read_options_t ro;
    lsm_read_options_default(&ro);
    rdb_put_u16_be(lo, peer);
    ro.lower_bound = lo;
    ro.lower_len = 2;
    if (peer < UINT16_MAX) {
        rdb_put_u16_be(hi, (uint16_t)(peer + 1));
        ro.upper_bound = hi;
        ro.upper_len = 2;
    }
    lsm_iter_t *it = lsm_iter_new(h->db, &ro);
    char start[10];
    hint_key(start, peer, h->p[peer].acked + 1);
    lsm_iter_seek(it, start, sizeof start);
    return it;
}

rdb_status_t clu_hints_for_each(clu_hints_t *h, uint16_t peer, size_t max, clu_record_fn fn,
                                void *ctx, uint64_t *last_seq, rdb_err_t *err)
{
    char lo[2], hi[10];
    lsm_iter_t *it = hints_iter(h, peer, lo, hi);
    *last_seq = 0;
    size_t n = 0;
    rdb_status_t st = RDB_OK;
    for (; lsm_iter_valid(it) && n < max; lsm_iter_next(it), n++) {
        size_t kl, vl;
        const char *k = lsm_iter_key(it, &kl);
        const char *v = lsm_iter_value(it, &vl);
        clu_record_t rec;
        if (kl != 10 || !hint_decode(v, vl, &rec)) {
            st = rdb_err_set(err, RDB_CORRUPTION, RDB_SQLSTATE_DATA_CORRUPTED,
                             "corrupt hint for node %u", peer);
            break;
        }
        *last_seq = rdb_get_u64_be(k + 2);
        if (!fn(&rec, ctx))
            break;
    }
    if (st == RDB_OK)
        st = lsm_iter_status(it, err);
    lsm_iter_free(it);
    return st;
}

rdb_status_t clu_hints_ack(clu_hints_t *h, uint16_t peer, uint64_t upto, rdb_err_t *err)
{
    char lo[2], hi[10];
    lsm_iter_t *it = hints_iter(h, peer, lo, hi);
    lsm_batch_t *b = lsm_batch_new();
    uint64_t n = 0, bytes = 0;
    for (; lsm_iter_valid(it); lsm_iter_next(it)) {
        size_t kl, vl;
        const char *k = lsm_iter_key(it, &kl);
        lsm_iter_value(it, &vl);
        if (kl != 10)
            continue;
        uint64_t seq = rdb_get_u64_be(k + 2);
        if (seq > upto)
            break;
        lsm_batch_delete(b, k, kl, (lsm_version_t){ seq, 1 });
        n++;
        bytes += vl;
    }
    rdb_status_t st = lsm_iter_status(it, err);
    lsm_iter_free(it);
    /* Not synced: a deletion lost in a crash only delivers those hints
     * again (harmless), and an fsync here would stall the node's loop. */
    lsm_write_options_t wo = { .sync = false };
    if (st == RDB_OK && n)
        st = lsm_write(h->db, &wo, b, err);
    lsm_batch_free(b);
    if (st == RDB_OK) {
        h->p[peer].count -= n;
        h->p[peer].bytes -= bytes;
        if (upto > h->p[peer].acked && h->p[peer].next_seq > 0)
            h->p[peer].acked = upto < h->p[peer].next_seq ? upto : h->p[peer].next_seq - 1;
    }
    return st;
}

void clu_hints_stats(const clu_hints_t *h, uint16_t peer, clu_hint_stats_t *st)
{
    st->count = h->p[peer].count;
    st->bytes = h->p[peer].bytes;
    st->dropped = h->p[peer].dropped;
}
