/*
 * bench_ringdb.c — lsm-bench driving ringdb's LSM through src/lsm/lsm.h.
 *
 * Configuration: the common memtable, block cache and bloom sizes; every
 * other option is lsm_options_default's (LZ4 blocks, one compaction
 * thread).  Every write is a one-record batch with sync_mode COMMIT and
 * wo.sync set only for fillsync, so the WAL is always written.
 *
 * Versions: each put takes the next value of one process-wide counter as its
 * hlc, so later puts are newer, as they would be under an HLC.  settle()
 * moves the GC horizon to the newest version before compacting: with no
 * snapshot open that is what the database above would do, and it lets
 * compaction drop overwritten versions as RocksDB and LevelDB do.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_engine.h"
#include "lsm/lsm.h"

static uint64_t ringdb_hlc; /* last version handed out; atomic */

typedef struct ringdb_ctx {
    lsm_db_t    *db;
    lsm_batch_t *batch;
    rdb_buf_t    value;
    lsm_iter_t  *it;
} ringdb_ctx_t;

static int ringdb_fail(const char *op, rdb_err_t *err)
{
    fprintf(stderr, "ringdb: %s: %s: %s\n", op, rdb_status_name(err->code),
            err->msg ? err->msg : "?");
    rdb_err_clear(err);
    return -1;
}

static void *ringdb_open(const char *dir, const bench_cfg_t *cfg)
{
    lsm_options_t o;
    lsm_db_t *db = NULL;
    rdb_err_t err = RDB_ERR_INIT;
    lsm_options_default(&o);
    o.memtable_size = cfg->memtable_bytes;
    o.block_cache_size = cfg->cache_bytes;
    o.bloom_bits_per_key = cfg->bloom_bits;
    o.sync_mode = LSM_SYNC_COMMIT;
    o.create_if_missing = true;
    if (lsm_open(dir, &o, &db, &err) != RDB_OK) {
        ringdb_fail("open", &err);
        return NULL;
    }
    return db;
}

static void ringdb_close(void *p)
{
    if (p)
        lsm_close(p);
}

static int ringdb_settle(void *p)
{
    lsm_db_t *db = p;
    rdb_err_t err = RDB_ERR_INIT;
    lsm_set_gc_horizon(db, __atomic_load_n(&ringdb_hlc, __ATOMIC_RELAXED) + 1);
    if (lsm_flush(db, &err) != RDB_OK)
        return ringdb_fail("flush", &err);
    if (lsm_compact_range(db, NULL, 0, NULL, 0, &err) != RDB_OK)
        return ringdb_fail("compact", &err);
    return 0;
}

static void *ringdb_ctx_new(void *p)
{
    ringdb_ctx_t *c = calloc(1, sizeof(*c));
    if (!c)
        return NULL;
    c->db = p;
    c->batch = lsm_batch_new();
    rdb_buf_init(&c->value, 256);
    return c;
}

static void ringdb_ctx_free(void *p)
{
    ringdb_ctx_t *c = p;
    if (c->it)
        lsm_iter_free(c->it);
    lsm_batch_free(c->batch);
    rdb_buf_free(&c->value);
    free(c);
}

static int ringdb_put(void *p, const char *k, size_t kl, const char *v, size_t vl, bool sync)
{
    ringdb_ctx_t *c = p;
    rdb_err_t err = RDB_ERR_INIT;
    lsm_write_options_t wo = { .sync = sync };
    lsm_version_t ver = { __atomic_add_fetch(&ringdb_hlc, 1, __ATOMIC_RELAXED), 1 };
    lsm_batch_clear(c->batch);
    lsm_batch_put(c->batch, k, kl, ver, v, vl);
    if (lsm_write(c->db, &wo, c->batch, &err) != RDB_OK)
        return ringdb_fail("put", &err);
    return 0;
}

static int ringdb_get(void *p, const char *k, size_t kl, bool *found)
{
    ringdb_ctx_t *c = p;
    rdb_err_t err = RDB_ERR_INIT;
    rdb_status_t st = lsm_get(c->db, NULL, k, kl, &c->value, NULL, &err);
    if (st != RDB_OK && st != RDB_NOTFOUND)
        return ringdb_fail("get", &err);
    *found = st == RDB_OK;
    return 0;
}

static int ringdb_seek_next(void *p, const char *k, size_t kl, int n, int *seen)
{
    ringdb_ctx_t *c = p;
    rdb_err_t err = RDB_ERR_INIT;
    int got = 0;
    if (!c->it) {
        lsm_read_options_t ro;
        lsm_read_options_default(&ro);
        c->it = lsm_iter_new(c->db, &ro);
    }
    lsm_iter_seek(c->it, k, kl);
    for (int i = 0; i <= n && lsm_iter_valid(c->it); i++) {
        size_t len;
        (void)lsm_iter_key(c->it, &len);
        (void)lsm_iter_value(c->it, &len);
        got++;
        if (i < n)
            lsm_iter_next(c->it);
    }
    if (lsm_iter_status(c->it, &err) != RDB_OK)
        return ringdb_fail("iterate", &err);
    *seen = got;
    return 0;
}

static void ringdb_report(void *p, FILE *f)
{
    lsm_stats_t st;
    rdb_buf_t out = RDB_BUF_INIT;
    lsm_get_stats(p, &st);
    lsm_stats_format(&st, &out);
    const char *s = rdb_buf_cstr(&out);
    while (*s) {
        const char *nl = strchr(s, '\n');
        int len = nl ? (int)(nl - s) : (int)strlen(s);
        fprintf(f, "# ringdb: %.*s\n", len, s);
        s += len + (nl != NULL);
    }
    rdb_buf_free(&out);
}

const bench_engine_t bench_engine_ringdb = {
    .name = "ringdb",
    .open = ringdb_open,
    .close = ringdb_close,
    .settle = ringdb_settle,
    .ctx_new = ringdb_ctx_new,
    .ctx_free = ringdb_ctx_free,
    .put = ringdb_put,
    .get = ringdb_get,
    .seek_next = ringdb_seek_next,
    .report = ringdb_report,
};
