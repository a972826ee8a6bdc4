/*
 * table_cache.h — open SSTables by file number, at most max_open of them.
 *
 * An open table holds a file descriptor and its index and filter blocks in
 * memory; lsm_options_t.max_open_files bounds how many stay open.  Beyond
 * that the least recently used is closed, and opened again (footer, index
 * and filter read and verified) the next time it is needed.  What the open
 * tables hold in memory is charged to the block cache (lsm_table_charge)
 * and bounded as well: at most 1/LSM_TCACHE_BUDGET_DIV of the block cache's
 * capacity, beyond which the least recently used tables are closed, so that
 * memory stays within the cache's budget however large the data grows.  A table in
 * use when it is evicted lives until its last reference is dropped.
 * Thread-safe; opening a file happens outside the cache's lock.
 */
#ifndef RDB_LSM_TABLE_CACHE_H
#define RDB_LSM_TABLE_CACHE_H

#include <stdbool.h>
#include <stdint.h>

#include "lsm/cache.h"
#include "lsm/iter.h"
#include "lsm/table.h"

typedef struct lsm_tcache lsm_tcache_t;

#define LSM_TCACHE_BUDGET_DIV 2

/* dir is copied; blocks (the block cache) and the counters must outlive it. */
lsm_tcache_t *lsm_tcache_new(const char *dir, int max_open, lsm_cache_t *blocks,
                             uint64_t *block_hits, uint64_t *block_misses);
void lsm_tcache_free(lsm_tcache_t *tc);
/* *out gets a reference (lsm_table_unref it) to table number, opened if it
 * is not in the cache. */
rdb_status_t lsm_tcache_get(lsm_tcache_t *tc, uint64_t number, lsm_table_t **out,
                            rdb_err_t *err);
/* A table iterator over number; if the table cannot be opened, an
 * iterator that is never valid and whose status is the error. */
lsm_it_t *lsm_tcache_iter(lsm_tcache_t *tc, uint64_t number, bool fill_cache);
/* Forget number: its file is being deleted. */
void lsm_tcache_evict(lsm_tcache_t *tc, uint64_t number);
/* Tables open in the cache now, opens since it was created, the bytes
 * they hold and the bound on those. */
void lsm_tcache_counts(lsm_tcache_t *tc, int *open, uint64_t *opens, size_t *bytes,
                       size_t *budget);

/* An iterator that is never valid and reports err (copied). */
lsm_it_t *lsm_error_iter_new(const rdb_err_t *err);

#endif
