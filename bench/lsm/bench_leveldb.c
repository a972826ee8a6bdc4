/*
 * bench_leveldb.c — lsm-bench driving LevelDB through its C API (leveldb/c.h).
 *
 * Configuration: write_buffer_size = memtable, an LRU block cache of the
 * common size, the built-in bloom filter at the common bits per key, Snappy
 * block compression (LevelDB 1.23's only codec), the WAL on.  LevelDB runs
 * one background compaction thread.
 */
#include <leveldb/c.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench_engine.h"

typedef struct ldb_db {
    leveldb_t              *db;
    leveldb_options_t      *opts;
    leveldb_cache_t        *cache;
    leveldb_filterpolicy_t *filter;
} ldb_db_t;

typedef struct ldb_ctx {
    ldb_db_t               *l;
    leveldb_writeoptions_t *wo_nosync;
    leveldb_writeoptions_t *wo_sync;
    leveldb_readoptions_t  *ro;
    leveldb_iterator_t     *it;
} ldb_ctx_t;

static int ldb_fail(const char *op, char *err)
{
    fprintf(stderr, "leveldb: %s: %s\n", op, err ? err : "?");
    leveldb_free(err);
    return -1;
}

static void ldb_close(void *p)
{
    ldb_db_t *l = p;
    if (!l)
        return;
    if (l->db)
        leveldb_close(l->db);
    if (l->opts)
        leveldb_options_destroy(l->opts);
    if (l->cache)
        leveldb_cache_destroy(l->cache);
    if (l->filter)
        leveldb_filterpolicy_destroy(l->filter);
    free(l);
}

static void *ldb_open(const char *dir, const bench_cfg_t *cfg)
{
    ldb_db_t *l = calloc(1, sizeof(*l));
    char *err = NULL;
    if (!l)
        return NULL;
    l->opts = leveldb_options_create();
    leveldb_options_set_create_if_missing(l->opts, 1);
    leveldb_options_set_write_buffer_size(l->opts, cfg->memtable_bytes);
    leveldb_options_set_compression(l->opts, leveldb_snappy_compression);
    l->cache = leveldb_cache_create_lru(cfg->cache_bytes);
    leveldb_options_set_cache(l->opts, l->cache);
    if (cfg->bloom_bits > 0) {
        l->filter = leveldb_filterpolicy_create_bloom(cfg->bloom_bits);
        leveldb_options_set_filter_policy(l->opts, l->filter);
    }
    l->db = leveldb_open(l->opts, dir, &err);
    if (err) {
        ldb_fail("open", err);
        ldb_close(l);
        return NULL;
    }
    return l;
}

/* LevelDB's CompactRange flushes the memtable first, then compacts every
 * level; there is no separate flush call in the C API. */
static int ldb_settle(void *p)
{
    ldb_db_t *l = p;
    leveldb_compact_range(l->db, NULL, 0, NULL, 0);
    return 0;
}

static void *ldb_ctx_new(void *p)
{
    ldb_ctx_t *c = calloc(1, sizeof(*c));
    if (!c)
        return NULL;
    c->l = p;
    c->wo_nosync = leveldb_writeoptions_create();
    c->wo_sync = leveldb_writeoptions_create();
    leveldb_writeoptions_set_sync(c->wo_sync, 1);
    c->ro = leveldb_readoptions_create();
    return c;
}

static void ldb_ctx_free(void *p)
{
    ldb_ctx_t *c = p;
    if (c->it)
        leveldb_iter_destroy(c->it);
    leveldb_writeoptions_destroy(c->wo_nosync);
    leveldb_writeoptions_destroy(c->wo_sync);
    leveldb_readoptions_destroy(c->ro);
    free(c);
}

static int ldb_put(void *p, const char *k, size_t kl, const char *v, size_t vl, bool sync)
{
    ldb_ctx_t *c = p;
    char *err = NULL;
    leveldb_put(c->l->db, sync ? c->wo_sync : c->wo_nosync, k, kl, v, vl, &err);
    return err ? ldb_fail("put", err) : 0;
}

static int ldb_get(void *p, const char *k, size_t kl, bool *found)
{
    ldb_ctx_t *c = p;
    char *err = NULL;
    size_t vl = 0;
    char *v = leveldb_get(c->l->db, c->ro, k, kl, &vl, &err);
    if (err)
        return ldb_fail("get", err);
    *found = v != NULL;
    leveldb_free(v);
    return 0;
}

static int ldb_seek_next(void *p, const char *k, size_t kl, int n, int *seen)
{
    ldb_ctx_t *c = p;
    char *err = NULL;
    int got = 0;
    if (!c->it)
        c->it = leveldb_create_iterator(c->l->db, c->ro);
    leveldb_iter_seek(c->it, k, kl);
    for (int i = 0; i <= n && leveldb_iter_valid(c->it); i++) {
        size_t len;
        (void)leveldb_iter_key(c->it, &len);
        (void)leveldb_iter_value(c->it, &len);
        got++;
        if (i < n)
            leveldb_iter_next(c->it);
    }
    leveldb_iter_get_error(c->it, &err);
    if (err)
        return ldb_fail("iterate", err);
    *seen = got;
    return 0;
}

const bench_engine_t bench_engine_leveldb = {
    .name = "leveldb",
    .open = ldb_open,
    .close = ldb_close,
    .settle = ldb_settle,
    .ctx_new = ldb_ctx_new,
    .ctx_free = ldb_ctx_free,
    .put = ldb_put,
    .get = ldb_get,
    .seek_next = ldb_seek_next,
};
