/*
 * bench_rocksdb.c — lsm-bench driving RocksDB through its C API (rocksdb/c.h).
 *
 * Configuration: write_buffer_size = memtable, a block-based table with an
 * LRU block cache of the common size and a full bloom filter at the common
 * bits per key, LZ4 block compression (ringdb's default), the WAL on.  All
 * else is RocksDB's default (two background jobs, leveled compaction).
 */
#include <rocksdb/c.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench_engine.h"

typedef struct rocks_db {
    rocksdb_t                             *db;
    rocksdb_options_t                     *opts;
    rocksdb_block_based_table_options_t   *topts;
    rocksdb_cache_t                       *cache;
} rocks_db_t;

typedef struct rocks_ctx {
    rocks_db_t            *r;
    rocksdb_writeoptions_t *wo_nosync;
    rocksdb_writeoptions_t *wo_sync;
    rocksdb_readoptions_t  *ro;
    rocksdb_iterator_t     *it;
} rocks_ctx_t;

static int rocks_fail(const char *op, char *err)
{
    fprintf(stderr, "rocksdb: %s: %s\n", op, err ? err : "?");
    rocksdb_free(err);
    return -1;
}

static void rocks_close(void *p)
{
    rocks_db_t *r = p;
    if (!r)
        return;
    if (r->db)
        rocksdb_close(r->db);
    if (r->opts)
        rocksdb_options_destroy(r->opts);
    if (r->topts)
        rocksdb_block_based_options_destroy(r->topts);
    if (r->cache)
        rocksdb_cache_destroy(r->cache);
    free(r);
}

static void *rocks_open(const char *dir, const bench_cfg_t *cfg)
{
    rocks_db_t *r = calloc(1, sizeof(*r));
    char *err = NULL;
    if (!r)
        return NULL;
    r->opts = rocksdb_options_create();
    rocksdb_options_set_create_if_missing(r->opts, 1);
    rocksdb_options_set_write_buffer_size(r->opts, cfg->memtable_bytes);
    rocksdb_options_set_compression(r->opts, rocksdb_lz4_compression);
    r->topts = rocksdb_block_based_options_create();
    r->cache = rocksdb_cache_create_lru(cfg->cache_bytes);
    rocksdb_block_based_options_set_block_cache(r->topts, r->cache);
    if (cfg->bloom_bits > 0)
        rocksdb_block_based_options_set_filter_policy(
            r->topts, rocksdb_filterpolicy_create_bloom_full(cfg->bloom_bits));
    rocksdb_options_set_block_based_table_factory(r->opts, r->topts);
    r->db = rocksdb_open(r->opts, dir, &err);
    if (err) {
        rocks_fail("open", err);
        rocks_close(r);
        return NULL;
    }
    return r;
}

static int rocks_settle(void *p)
{
    rocks_db_t *r = p;
    char *err = NULL;
    rocksdb_flushoptions_t *fo = rocksdb_flushoptions_create();
    rocksdb_flushoptions_set_wait(fo, 1);
    rocksdb_flush(r->db, fo, &err);
    rocksdb_flushoptions_destroy(fo);
    if (err)
        return rocks_fail("flush", err);
    rocksdb_compact_range(r->db, NULL, 0, NULL, 0);
    return 0;
}

static void *rocks_ctx_new(void *p)
{
    rocks_ctx_t *c = calloc(1, sizeof(*c));
    if (!c)
        return NULL;
    c->r = p;
    c->wo_nosync = rocksdb_writeoptions_create();
    c->wo_sync = rocksdb_writeoptions_create();
    rocksdb_writeoptions_set_sync(c->wo_sync, 1);
    c->ro = rocksdb_readoptions_create();
    return c;
}

static void rocks_ctx_free(void *p)
{
    rocks_ctx_t *c = p;
    if (c->it)
        rocksdb_iter_destroy(c->it);
    rocksdb_writeoptions_destroy(c->wo_nosync);
    rocksdb_writeoptions_destroy(c->wo_sync);
    rocksdb_readoptions_destroy(c->ro);
    free(c);
}

static int rocks_put(void *p, const char *k, size_t kl, const char *v, size_t vl, bool sync)
{
    rocks_ctx_t *c = p;
    char *err = NULL;
    rocksdb_put(c->r->db, sync ? c->wo_sync : c->wo_nosync, k, kl, v, vl, &err);
    return err ? rocks_fail("put", err) : 0;
}

static int rocks_get(void *p, const char *k, size_t kl, bool *found)
{
    rocks_ctx_t *c = p;
    char *err = NULL;
    size_t vl = 0;
    char *v = rocksdb_get(c->r->db, c->ro, k, kl, &vl, &err);
    if (err)
        return rocks_fail("get", err);
    *found = v != NULL;
    rocksdb_free(v);
    return 0;
}

static int rocks_seek_next(void *p, const char *k, size_t kl, int n, int *seen)
{
    rocks_ctx_t *c = p;
    char *err = NULL;
    int got = 0;
    if (!c->it)
        c->it = rocksdb_create_iterator(c->r->db, c->ro);
    rocksdb_iter_seek(c->it, k, kl);
    for (int i = 0; i <= n && rocksdb_iter_valid(c->it); i++) {
        size_t len;
        (void)rocksdb_iter_key(c->it, &len);
        (void)rocksdb_iter_value(c->it, &len);
        got++;
        if (i < n)
            rocksdb_iter_next(c->it);
    }
    rocksdb_iter_get_error(c->it, &err);
    if (err)
        return rocks_fail("iterate", err);
    *seen = got;
    return 0;
}

const bench_engine_t bench_engine_rocksdb = {
    .name = "rocksdb",
    .open = rocks_open,
    .close = rocks_close,
    .settle = rocks_settle,
    .ctx_new = rocks_ctx_new,
    .ctx_free = rocks_ctx_free,
    .put = rocks_put,
    .get = rocks_get,
    .seek_next = rocks_seek_next,
};
