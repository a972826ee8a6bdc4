/*
 * table.h — SSTables: immutable sorted files of internal keys.
 *
 * Layout: data blocks | filter block | index block | footer (48 bytes).
 * Data blocks may be separated by zero bytes (the builder lines blocks up
 * with pages, table_builder.c): readers find every block by its handle.
 * Each block is followed by a 5-byte trailer: compression type (1) and the
 * masked crc32c of block bytes and type (4); every read verifies it.  The
 * index maps the last key of each data block to varint64 offset, size.
 * Footer: filter off, filter size, index off, index size (u64 le each),
 * crc32c of those 32 bytes (u32), 0 (u32), magic (u64).
 * DO NOT CHANGE: embedded in the on-disk format.
 */
#ifndef RDB_LSM_TABLE_H
#define RDB_LSM_TABLE_H

#include <stdbool.h>
#include <stdint.h>

#include "common/buf.h"
#include "lsm/cache.h"
#include "lsm/iter.h"
#include "lsm/lsm.h"

#define LSM_TABLE_MAGIC 0x72696e6764627462ULL /* "ringdbtb" */
#define LSM_FOOTER_SIZE 48

typedef struct lsm_table_builder lsm_table_builder_t;

lsm_table_builder_t *lsm_table_builder_new(const char *path, const lsm_options_t *o,
                                           rdb_err_t *err);
/* Keys in strictly increasing ikey order. */
rdb_status_t lsm_table_builder_add(lsm_table_builder_t *b, const char *k, size_t kn,
                                   const char *v, size_t vn, rdb_err_t *err);
uint64_t lsm_table_builder_size(const lsm_table_builder_t *b);
uint64_t lsm_table_builder_entries(const lsm_table_builder_t *b);
/* Writes filter, index, footer; fsyncs; closes. */
rdb_status_t lsm_table_builder_finish(lsm_table_builder_t *b, rdb_err_t *err);
void lsm_table_builder_abandon(lsm_table_builder_t *b);

typedef struct lsm_table lsm_table_t;

rdb_status_t lsm_table_open(const char *path, uint64_t number, lsm_cache_t *cache,
                            lsm_table_t **out, rdb_err_t *err);
void lsm_table_ref(lsm_table_t *t);
void lsm_table_unref(lsm_table_t *t);
uint64_t lsm_table_file_size(const lsm_table_t *t);
/* Bytes the open table holds in memory (index, filter, index summary),
 * charged to the block cache from open until the last reference goes;
 * 0 when it has no cache. */
size_t lsm_table_charge(const lsm_table_t *t);
/* Point read: RDB_OK with found set if a version of ukey <= snapshot is in
 * the table (then *kind and *ver filled, and value (may be NULL) replaced
 * by its value unless newer_than is given and the version found is not
 * newer than *newer_than); bloom_skip set if the filter ruled the table
 * out.  Allocates nothing unless the block is read from disk. */
rdb_status_t lsm_table_get(lsm_table_t *t, const char *seek_ikey, size_t sn, bool fill_cache,
                           bool *found, int *kind, lsm_version_t *ver, rdb_buf_t *value,
                           const lsm_version_t *newer_than, bool *bloom_skip, bool *cache_hit,
                           rdb_err_t *err);
lsm_it_t *lsm_table_iter(lsm_table_t *t, bool fill_cache);
/* One read of lsm_table_get_many: t, seek and (has_newer, newer) are
 * inputs, the rest outputs.  found/kind/ver as lsm_table_get's; when the
 * version found is newer than `newer` (or has_newer is false) its value is
 * appended to vals at voff (vlen bytes) and copied is set. */
typedef struct lsm_table_probe {
    lsm_table_t  *t;
    const char   *seek;
    size_t        sn;
    bool          has_newer;
    lsm_version_t newer;
    bool          found, copied, bloom_skip;
    int           kind;
    lsm_version_t ver;
    size_t        voff, vlen;
    int           key;       /* the caller's: which key this probes */
} lsm_table_probe_t;
/* n point reads (of any tables, in any order) at once: the results of
 * lsm_table_get on each, with the cache misses of different reads
 * overlapping.  Stops at the first error (results after it undefined). */
rdb_status_t lsm_table_get_many(lsm_table_probe_t *pr, int n, bool fill_cache, rdb_buf_t *vals,
                                rdb_err_t *err);
/* Approximate file offset of the first key >= ikey. */
uint64_t lsm_table_offset_of(lsm_table_t *t, const char *ikey, size_t n);
/* Cache hits/misses counters the table bumps (shared, may be NULL). */
void lsm_table_set_counters(lsm_table_t *t, uint64_t *hits, uint64_t *misses);

#endif
