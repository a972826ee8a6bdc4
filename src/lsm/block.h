/*
 * block.h — SSTable blocks: sorted entries with prefix compression and
 * restart points (every 16 entries a full key, found by binary search).
 *
 * Entry: varint32 shared | varint32 unshared | varint32 vlen | key delta |
 * value.  Tail: restart offsets (u32 le each) then their count (u32 le).
 * Keys are internal keys (ikey.h) in data and index blocks alike.
 * The reader never trusts the bytes: a malformed entry makes the iterator
 * invalid with RDB_CORRUPTION.
 * DO NOT CHANGE: embedded in the on-disk format.
 */
#ifndef RDB_LSM_BLOCK_H
#define RDB_LSM_BLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "lsm/iter.h"

#define LSM_BLOCK_RESTART_INTERVAL 16

typedef struct lsm_block_builder {
    rdb_buf_t buf;
    rdb_buf_t restarts; /* u32 le each */
    rdb_buf_t last;
    int counter;
    size_t entries;
} lsm_block_builder_t;

void lsm_block_builder_init(lsm_block_builder_t *b);
void lsm_block_builder_free(lsm_block_builder_t *b);
void lsm_block_builder_reset(lsm_block_builder_t *b);
/* Keys must be added in increasing ikey order. */
void lsm_block_add(lsm_block_builder_t *b, const char *k, size_t kn, const char *v, size_t vn);
size_t lsm_block_size_estimate(const lsm_block_builder_t *b);
/* Append restarts; the result is b->buf until the next reset. */
void lsm_block_finish(lsm_block_builder_t *b);

/* Iterator over data[0..n).  release(arg) is called when it is freed.
 * file and off name the block in error messages ("file" at offset N);
 * file is not copied and must outlive the iterator. */
lsm_it_t *lsm_block_iter(const char *data, size_t n, void (*release)(void *), void *arg,
                         const char *file, uint64_t off);

#endif
