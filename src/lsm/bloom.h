/*
 * bloom.h — per-table bloom filter over user keys (not versions), so a point
 * read at any snapshot can skip a table.  Filter: bit array then one byte k.
 * DO NOT CHANGE: embedded in the on-disk format (hash = rdb_hash64 seed 0).
 */
#ifndef RDB_LSM_BLOOM_H
#define RDB_LSM_BLOOM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"

static inline uint64_t lsm_bloom_hash(const void *key, size_t n);
/* Build a filter for hashes[0..n) at bits_per_key into out (appended). */
void lsm_bloom_build(const uint64_t *hashes, size_t n, int bits_per_key, rdb_buf_t *out);
/* false: key surely absent.  A malformed filter says true (may match). */
bool lsm_bloom_may_match(const char *filter, size_t len, uint64_t hash);
/* lsm_bloom_may_match in two halves, so that the caller can do other work
 * while the probed cache lines load: lsm_bloom_prefetch puts the probed bit
 * positions in pos (room for LSM_BLOOM_MAX_PROBES), prefetches them and
 * returns their count, 0 for a malformed filter (which may match);
 * lsm_bloom_check tests them. */
#define LSM_BLOOM_MAX_PROBES 30
int lsm_bloom_prefetch(const char *filter, size_t len, uint64_t hash, uint32_t *pos);
bool lsm_bloom_check(const char *filter, const uint32_t *pos, int k);

#include "common/hash.h"
static inline uint64_t lsm_bloom_hash(const void *key, size_t n) { return rdb_hash64(key, n, 0); }

#endif
