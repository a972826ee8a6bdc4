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
    int restart_interval; /* LSM_BLOCK_RESTART_INTERVAL unless set after init */
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

/* The same iterator embedded in a caller's struct, so that moving from
 * block to block (table iterators, point reads) allocates nothing: the key
 * lives in inline storage unless it outgrows it.  Fields are private.
 * lsm_block_it_init may be called again on the same struct to point it at
 * another block; lsm_block_it_destroy frees what it holds (not the struct,
 * not the block).  base.ops->free is lsm_block_it_destroy. */
#define LSM_BLOCK_KEY_INLINE 80
typedef struct lsm_block_it {
    lsm_it_t base;
    const char *data;
    uint32_t restarts;  /* offset of the restart array */
    uint32_t nrestarts;
    uint32_t cur;       /* offset of current entry; == restarts when invalid */
    uint32_t next_off;  /* offset just past the current entry */
    char *key;          /* inline or malloc'd */
    uint32_t klen, kcap;
    const char *val;
    uint32_t vlen;
    void (*release)(void *);
    void *arg;
    rdb_err_t err;
    const char *file;
    uint64_t off;
    char inline_key[LSM_BLOCK_KEY_INLINE];
} lsm_block_it_t;

/* Position i at entry idx of a block whose every entry is a restart point
 * (index blocks are written so); invalid if idx is past the last entry. */
void lsm_block_it_seek_entry(lsm_block_it_t *i, uint32_t idx);

/* REQUIRES: i zeroed, or initialised before (then its key storage is kept). */
void lsm_block_it_init(lsm_block_it_t *i, const char *data, size_t n, const char *file,
                       uint64_t off);
void lsm_block_it_destroy(lsm_block_it_t *i);

/* A block whose every entry is a restart point (index blocks), read in
 * place: entry idx's key and value without copying.  lsm_block_flat_init
 * checks every entry once (lengths in bounds, nothing shared, entries back
 * to back), so lsm_block_flat_entry need not; false if any check fails. */
typedef struct lsm_block_flat {
    const char *data;
    const char *restarts; /* u32 le offsets */
    uint32_t n;           /* entries */
} lsm_block_flat_t;

bool lsm_block_flat_init(lsm_block_flat_t *f, const char *data, size_t n);
void lsm_block_flat_entry(const lsm_block_flat_t *f, uint32_t idx, const char **k, size_t *kn,
                          const char **v, size_t *vn);

#endif
