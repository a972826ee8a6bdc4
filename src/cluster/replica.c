/*
 * replica.c — blind versioned apply, Merkle build and range scan over the
 * LSM; see replica.h.
 *
 * Scans use raw iterators (every version, tombstones included, newest first
 * per key) and keep only the first entry of each user key.
 */
#include "cluster/replica.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "cluster/hlc.h"
#include "cluster/ring.h"
#include "common/buf.h"
#include "common/mem.h"

rdb_status_t clu_replica_open(clu_replica_t *r, lsm_db_t *db, rdb_err_t *err)
{
    memset(r, 0, sizeof *r);
    r->db = db;
    clu_vv_init(&r->vv);
    rdb_buf_t v = RDB_BUF_INIT;
    lsm_version_t ver = { 0, 0 };
    rdb_status_t st = lsm_get(db, NULL, CLU_VV_KEY, CLU_VV_KEY_LEN, &v, &ver, err);
    r->vv_ver = ver.hlc;
    if (st == RDB_NOTFOUND) {
        rdb_err_clear(err);
        st = RDB_OK;
    } else if (st == RDB_OK) {
        st = clu_vv_decode(&r->vv, v.data, v.len, err);
        if (st != RDB_OK)
            rdb_err_prefix(err, "stored version vector");
    }
    rdb_buf_free(&v);
    return st;
}

void clu_replica_close(clu_replica_t *r)
{
    clu_vv_free(&r->vv);
}

rdb_status_t clu_replica_apply(clu_replica_t *r, const clu_record_t *recs, size_t n,
                               bool sync, rdb_err_t *err)
{
    return clu_replica_apply_meta(r, recs, n, NULL, 0, NULL, 0, sync, err);
}

rdb_status_t clu_replica_apply_meta(clu_replica_t *r, const clu_record_t *recs, size_t n,
                                    const void *mkey, size_t mklen, const void *mval,
                                    size_t mvlen, bool sync, rdb_err_t *err)
{
    lsm_batch_t *b = lsm_batch_new();
    bool vv_changed = false;
    for (size_t i = 0; i < n; i++) {
        const clu_record_t *x = &recs[i];
        if (x->klen == 0 || ((const unsigned char *)x->key)[0] == 0x00) {
            lsm_batch_free(b);
            return rdb_err_set(err, RDB_INVALID, RDB_SQLSTATE_INVALID_PARAMETER,
                               "keys starting with byte 0x00 are reserved");
        }
        if (x->origin && x->seq) {
            if (!clu_vv_apply(&r->vv, x->origin, x->seq)) {
                r->duplicates++;
                continue;
            }
            vv_changed = true;
        }
        if (x->tombstone)
            lsm_batch_delete(b, x->key, x->klen, x->version);
        else
            lsm_batch_put(b, x->key, x->klen, x->version, x->value, x->vlen);
        r->applied++;
    }
    if (vv_changed) {
        rdb_buf_t enc = RDB_BUF_INIT;
        clu_vv_encode(&r->vv, &enc);
        /* The vector's own version only orders its successive states. */
        lsm_version_t vv = { ++r->vv_ver, 0 };
        lsm_batch_put(b, CLU_VV_KEY, CLU_VV_KEY_LEN, vv, enc.data, enc.len);
        rdb_buf_free(&enc);
    }
    if (mkey) {
        assert(mklen > 0 && ((const unsigned char *)mkey)[0] == 0x00);
        lsm_batch_put(b, mkey, mklen, (lsm_version_t){ ++r->meta_ver, 0 }, mval, mvlen);
    }
    rdb_status_t st = RDB_OK;
    if (lsm_batch_count(b)) {
        lsm_write_options_t wo = { .sync = sync };
        st = lsm_write(r->db, &wo, b, err);
    }
    lsm_batch_free(b);
    if (st == RDB_OK && n && r->applied_fn)
        r->applied_fn(r->applied_ctx, recs, n);
    return st;
}

uint64_t clu_replica_set_grace(clu_replica_t *r, uint64_t now_hlc, uint64_t grace_ms)
{
    uint64_t now_ms = CLU_HLC_MS(now_hlc);
    uint64_t horizon = now_ms > grace_ms ? CLU_HLC_MAKE(now_ms - grace_ms, 0) : 0;
    lsm_set_gc_horizon(r->db, horizon);
    return horizon;
}

rdb_status_t clu_replica_get(clu_replica_t *r, const void *key, size_t klen, rdb_buf_t *value,
                             lsm_version_t *v, bool *tombstone, rdb_err_t *err)
{
    return lsm_get_versioned(r->db, NULL, key, klen, value, v, tombstone, err);
}

/* Iterate newest versions of user keys (skipping reserved keys). */
uint64_t clu_replica_token(const clu_replica_t *r, const void *key, size_t klen)
{
    return r->token_fn ? r->token_fn(key, klen, r->token_ctx) : clu_token(key, klen);
}

rdb_status_t clu_replica_walk_keys(clu_replica_t *r, const void *lo, size_t lolen, const void *hi,
                                   size_t hilen, clu_walk_fn fn, void *ctx, rdb_err_t *err)
{
    static const char lower[] = { 0x01 };
    lsm_read_options_t ro;
    lsm_read_options_default(&ro);
    ro.raw = true;
    ro.fill_cache = false;
    bool user = lolen && ((const unsigned char *)lo)[0] >= 0x01;
    ro.lower_bound = user ? lo : lower;
    ro.lower_len = user ? lolen : 1;
    ro.upper_bound = hi;
    ro.upper_len = hi ? hilen : 0;
    lsm_iter_t *it = lsm_iter_new(r->db, &ro);
    rdb_buf_t prev = RDB_BUF_INIT;
    bool have_prev = false;
    for (lsm_iter_seek(it, ro.lower_bound, ro.lower_len); lsm_iter_valid(it); lsm_iter_next(it)) {
        size_t kl, vl;
        const char *k = lsm_iter_key(it, &kl);
        if (have_prev && prev.len == kl && memcmp(prev.data, k, kl) == 0)
            continue; /* an older version of the same key */
        rdb_buf_reset(&prev);
        rdb_buf_append(&prev, k, kl);
        have_prev = true;
        clu_record_t rec = { 0 };
        rec.key = k;
        rec.klen = kl;
        rec.version = lsm_iter_version(it);
        rec.tombstone = lsm_iter_is_tombstone(it);
        if (!rec.tombstone)
            rec.value = lsm_iter_value(it, &vl), rec.vlen = vl;
        if (!fn(&rec, clu_replica_token(r, k, kl), ctx))
            break;
    }
    rdb_status_t st = lsm_iter_status(it, err);
    lsm_iter_free(it);
    rdb_buf_free(&prev);
    return st;
}

rdb_status_t clu_replica_walk(clu_replica_t *r, clu_walk_fn fn, void *ctx, rdb_err_t *err)
{
    return clu_replica_walk_keys(r, NULL, 0, NULL, 0, fn, ctx, err);
}

void clu_rows_add(clu_rows_t *rows, const clu_record_t *rec)
{
    if (rows->n == rows->cap) {
        rows->cap = rows->cap ? rows->cap * 2 : 64;
        rows->r = rdb_realloc(rows->r, rows->cap * sizeof *rows->r);
    }
    clu_row_t *w = &rows->r[rows->n++];
    w->koff = rows->store.len;
    w->klen = rec->klen;
    rdb_buf_append(&rows->store, rec->key, rec->klen);
    w->voff = rows->store.len;
    w->vlen = rec->tombstone ? 0 : rec->vlen;
    if (w->vlen)
        rdb_buf_append(&rows->store, rec->value, rec->vlen);
    w->version = rec->version;
    w->tombstone = rec->tombstone;
}

void clu_rows_free(clu_rows_t *rows)
{
    rdb_buf_free(&rows->store);
    free(rows->r);
    memset(rows, 0, sizeof *rows);
}

static bool merkle_add_fn(const clu_record_t *rec, uint64_t token, void *ctx)
{
    clu_merkle_t *m = ctx;
    if (clu_merkle_covers(m, token))
        clu_merkle_add(m, token, rec->key, rec->klen, rec->version, rec->tombstone);
    return true;
}

rdb_status_t clu_replica_merkle(clu_replica_t *r, clu_merkle_t *m, rdb_err_t *err)
{
    return clu_replica_walk(r, merkle_add_fn, m, err);
}

typedef struct scan_ctx {
    clu_merkle_t   range;   /* only lo/hi used, for clu_merkle_covers */
    clu_record_fn  fn;
    void          *ctx;
} scan_ctx_t;

static bool scan_fn(const clu_record_t *rec, uint64_t token, void *ctx)
{
    scan_ctx_t *s = ctx;
    if (!clu_merkle_covers(&s->range, token))
        return true;
    return s->fn(rec, s->ctx);
}

rdb_status_t clu_replica_scan_range(clu_replica_t *r, clu_token_range_t range, clu_record_fn fn,
                                    void *ctx, rdb_err_t *err)
{
    scan_ctx_t s = { .fn = fn, .ctx = ctx };
    s.range.lo = range.lo;
    s.range.hi = range.hi;
    return clu_replica_walk(r, scan_fn, &s, err);
}
