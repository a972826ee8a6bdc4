/*
 * merkle.h — Merkle trees over a token range, for anti-entropy (DESIGN.md §5).
 *
 * A tree covers the token range (lo, hi] (lo == hi: the whole ring) and splits
 * it into 2^depth equal sub-ranges.  Leaf i holds a digest of the newest
 * version of every key whose token falls in sub-range i: the sum (mod 2^64)
 * of hash(key, version, tombstone) over those keys.  The sum is order
 * independent, so keys may be added in any order (a scan in key order is not
 * token order for range-partitioned keys) and one key can be removed again.
 * Inner nodes hash their two children; the root summarises the range.
 *
 * Two replicas build trees of the same shape, exchange them (encode/decode:
 * the leaves only, inner nodes are recomputed), and clu_merkle_diff returns
 * exactly the sub-ranges whose leaves differ, merged when adjacent, so only
 * those token ranges are streamed.
 */
#ifndef RDB_CLUSTER_MERKLE_H
#define RDB_CLUSTER_MERKLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/error.h"
#include "lsm/lsm.h"

#define CLU_MERKLE_MAX_DEPTH 16

typedef struct clu_merkle {
    uint64_t  lo, hi;      /* token range (lo, hi]                        */
    unsigned  depth;       /* 2^depth leaves                              */
    uint64_t *node;        /* heap layout: node[1] root, leaves at [L, 2L) */
    uint64_t *count;       /* keys per leaf                               */
    bool      dirty;       /* inner nodes need recomputing                */
} clu_merkle_t;

/* A differing token range (lo, hi]. */
typedef struct clu_token_range {
    uint64_t lo, hi;
} clu_token_range_t;

void     clu_merkle_init(clu_merkle_t *m, uint64_t lo, uint64_t hi, unsigned depth);
void     clu_merkle_free(clu_merkle_t *m);
/* True if token lies in (lo, hi]. */
bool     clu_merkle_covers(const clu_merkle_t *m, uint64_t token);
/* Leaf index of a covered token (REQUIRES: clu_merkle_covers). */
size_t   clu_merkle_leaf_of(const clu_merkle_t *m, uint64_t token);
/* The token range (lo, hi] of leaf i. */
clu_token_range_t clu_merkle_leaf_range(const clu_merkle_t *m, size_t i);
/* Add (or with remove=true, take back) the newest version of a key. */
void     clu_merkle_add(clu_merkle_t *m, uint64_t token, const void *key, size_t klen,
                        lsm_version_t v, bool tombstone);
void     clu_merkle_remove(clu_merkle_t *m, uint64_t token, const void *key, size_t klen,
                           lsm_version_t v, bool tombstone);
uint64_t clu_merkle_root(clu_merkle_t *m);
/* Differing sub-ranges of two trees of the same shape, adjacent ones merged.
 * *out is malloc'd (caller frees), *n its length.  RDB_INVALID when the
 * shapes differ. */
rdb_status_t clu_merkle_diff(clu_merkle_t *a, clu_merkle_t *b, clu_token_range_t **out,
                             size_t *n, rdb_err_t *err);
/* Wire form: lo, hi, depth, leaves. */
void         clu_merkle_encode(const clu_merkle_t *m, rdb_buf_t *out);
rdb_status_t clu_merkle_decode(clu_merkle_t *m, const void *data, size_t len, rdb_err_t *err);

#endif
