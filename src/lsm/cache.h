/*
 * cache.h — sharded LRU cache of decompressed blocks, keyed by
 * (file number, block offset), shared by all readers.
 *
 * lsm_cache_lookup/insert return a pinned handle; lsm_cache_release unpins.
 * An evicted block stays alive until its last pin goes.  Thread-safe.
 */
#ifndef RDB_LSM_CACHE_H
#define RDB_LSM_CACHE_H

#include <stddef.h>
#include <stdint.h>

typedef struct lsm_cache lsm_cache_t;
typedef struct lsm_cache_handle lsm_cache_handle_t;

lsm_cache_t *lsm_cache_new(size_t capacity);
void lsm_cache_free(lsm_cache_t *c);
lsm_cache_handle_t *lsm_cache_lookup(lsm_cache_t *c, uint64_t file, uint64_t off);
/* Start loading the bucket that lsm_cache_lookup(c, file, off) will read. */
void lsm_cache_prefetch(lsm_cache_t *c, uint64_t file, uint64_t off);
/* Then (once the bucket is likely loaded) start loading its first entry. */
void lsm_cache_prefetch_entry(lsm_cache_t *c, uint64_t file, uint64_t off);
/* Takes ownership of data (malloc'd). Returns a pinned handle. */
lsm_cache_handle_t *lsm_cache_insert(lsm_cache_t *c, uint64_t file, uint64_t off, char *data,
                                     size_t n);
/* A buffer of n bytes with the entry's header allocated in front of it, so
 * that lsm_cache_insert_buf needs no allocation of its own and the entry
 * and its data share one allocation.  lsm_cache_buf_free it if it is not
 * inserted after all. */
char *lsm_cache_buf_new(size_t n);
void lsm_cache_buf_free(char *buf);
/* lsm_cache_buf_new, or the buffer of an entry evicted from the shard that
 * (file, off) falls in when one of the right size is kept there. */
char *lsm_cache_buf_get(lsm_cache_t *c, uint64_t file, uint64_t off, size_t n);
/* lsm_cache_insert of a buffer from lsm_cache_buf_new (ownership passes). */
lsm_cache_handle_t *lsm_cache_insert_buf(lsm_cache_t *c, uint64_t file, uint64_t off, char *buf,
                                         size_t n);
const char *lsm_cache_data(const lsm_cache_handle_t *h, size_t *n);
void lsm_cache_release(lsm_cache_t *c, lsm_cache_handle_t *h);
/* Bytes the entries hold (a block from lsm_cache_buf_new: its header and
 * whole buffer) plus the spare buffers kept for reuse. */
size_t lsm_cache_usage(lsm_cache_t *c);
size_t lsm_cache_capacity(const lsm_cache_t *c);
/* Memory held elsewhere that counts against the capacity (the open tables'
 * index blocks, filters and summaries): the entries get capacity - charged.
 * lsm_cache_charge evicts at once to make the room. */
void lsm_cache_charge(lsm_cache_t *c, size_t n);
void lsm_cache_uncharge(lsm_cache_t *c, size_t n);
size_t lsm_cache_charged(lsm_cache_t *c);

#endif
