/*
 * rangemap.h — range partitioning with explicit split points (DESIGN.md §5).
 *
 * For range-partitioned tables the key space is cut at sorted split keys
 * s[0] < s[1] < ... < s[n-1]: partition 0 is [-inf, s[0]), partition i is
 * [s[i-1], s[i]), partition n is [s[n-1], +inf).  Keys compare as unsigned
 * bytes (memcmp, shorter prefix first), the order of the LSM.  The map is a
 * versioned record like the ring.  Not thread safe.
 */
#ifndef RDB_CLUSTER_RANGEMAP_H
#define RDB_CLUSTER_RANGEMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/error.h"

typedef struct clu_split {
    char  *key;   /* owned */
    size_t len;
} clu_split_t;

typedef struct clu_rangemap {
    uint64_t     version;
    clu_split_t *s;      /* sorted, unique */
    size_t       n;
} clu_rangemap_t;

void   clu_rangemap_init(clu_rangemap_t *m);
void   clu_rangemap_free(clu_rangemap_t *m);
/* Add a split point; false if already present. */
bool   clu_rangemap_split(clu_rangemap_t *m, const void *key, size_t len, uint64_t version);
/* Remove a split point (merging two partitions); false if absent. */
bool   clu_rangemap_merge(clu_rangemap_t *m, const void *key, size_t len, uint64_t version);
/* Partition index of key, in [0, n]. */
size_t clu_rangemap_find(const clu_rangemap_t *m, const void *key, size_t len);
int    clu_key_cmp(const void *a, size_t alen, const void *b, size_t blen);
void         clu_rangemap_encode(const clu_rangemap_t *m, rdb_buf_t *out);
rdb_status_t clu_rangemap_decode(clu_rangemap_t *m, const void *data, size_t len,
                                 rdb_err_t *err);

#endif
