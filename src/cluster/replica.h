/*
 * replica.h — a node's replica store: versioned records applied blindly to
 * the LSM, Merkle trees built from it, token ranges streamed out of it.
 *
 * Replication, hinted handoff, read repair and anti-entropy all end in
 * clu_replica_apply: a blind put of (key, version, value | tombstone).  The
 * LSM keeps every version and shows the newest, so applying a record twice
 * or in any order converges (LWW, DESIGN.md §3).  When the record carries an
 * origin sequence, the version vector records it in the same atomic batch
 * (reserved key CLU_VV_KEY), so a restarted replica knows what it has.
 *
 * Keys starting with byte 0x00 are reserved for this module and are neither
 * hashed into Merkle trees nor streamed.  Not thread safe: one owner.
 */
#ifndef RDB_CLUSTER_REPLICA_H
#define RDB_CLUSTER_REPLICA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cluster/merkle.h"
#include "cluster/vv.h"
#include "common/error.h"
#include "lsm/lsm.h"

#define CLU_VV_KEY     "\x00vv"
#define CLU_VV_KEY_LEN 3

typedef struct clu_record {
    const void   *key;
    size_t        klen;
    const void   *value;   /* NULL for a tombstone */
    size_t        vlen;
    lsm_version_t version;
    bool          tombstone;
    uint16_t      origin;  /* 0 = no origin sequence (repair traffic) */
    uint64_t      seq;
} clu_record_t;

/* Placement token of a user key (DESIGN.md §3); NULL = clu_token(). */
typedef uint64_t (*clu_token_fn)(const void *key, size_t klen, void *ctx);

/* Records just applied to the store (clu_replica_apply); see
 * clu_node_set_applied_hook. */
typedef void (*clu_applied_fn)(void *ctx, const clu_record_t *recs, size_t n);

typedef struct clu_replica {
    lsm_db_t    *db;        /* borrowed; must outlive the replica */
    clu_vv_t     vv;
    uint64_t     vv_ver;    /* version of the stored vector record */
    uint64_t     meta_ver;  /* version for clu_replica_apply_meta's key (caller seeds it) */
    uint64_t     applied, duplicates;
    clu_token_fn token_fn;  /* set after open; NULL = clu_token */
    void        *token_ctx;
    clu_applied_fn applied_fn; /* NULL: none; called after each successful apply */
    void        *applied_ctx;
} clu_replica_t;

/* Load the persisted version vector.  db is borrowed. */
rdb_status_t clu_replica_open(clu_replica_t *r, lsm_db_t *db, rdb_err_t *err);
void         clu_replica_close(clu_replica_t *r);
/* Apply n records atomically.  Records whose (origin, seq) were applied
 * before are skipped (counted as duplicates). */
rdb_status_t clu_replica_apply(clu_replica_t *r, const clu_record_t *recs, size_t n,
                               bool sync, rdb_err_t *err);
/* As clu_replica_apply, plus one reserved key (first byte 0x00) written in
 * the same atomic batch with version {++meta_ver, 0}: the caller's own
 * bookkeeping (the node's outbound sequence counters). */
rdb_status_t clu_replica_apply_meta(clu_replica_t *r, const clu_record_t *recs, size_t n,
                                    const void *mkey, size_t mklen, const void *mval,
                                    size_t mvlen, bool sync, rdb_err_t *err);
uint64_t clu_replica_token(const clu_replica_t *r, const void *key, size_t klen);
/* Call fn with the newest version of every user key and its token, in key
 * order; fn returning false stops. */
typedef bool (*clu_walk_fn)(const clu_record_t *rec, uint64_t token, void *ctx);
rdb_status_t clu_replica_walk(clu_replica_t *r, clu_walk_fn fn, void *ctx, rdb_err_t *err);
/* As clu_replica_walk, over the user keys in [lo, hi) (hi NULL: to the end). */
rdb_status_t clu_replica_walk_keys(clu_replica_t *r, const void *lo, size_t lolen, const void *hi,
                                   size_t hilen, clu_walk_fn fn, void *ctx, rdb_err_t *err);

/* The newest version of each key of a range, in key order (a coordinated
 * range read's answer, clu_node_scan).  Keys and values live in store at
 * the offsets given; tombstones are kept (vlen 0, tombstone true). */
typedef struct clu_row {
    size_t        koff, klen, voff, vlen;
    lsm_version_t version;
    bool          tombstone;
} clu_row_t;
typedef struct clu_rows {
    rdb_buf_t  store;
    clu_row_t *r;
    size_t     n, cap;
} clu_rows_t;
void clu_rows_add(clu_rows_t *rows, const clu_record_t *rec);
void clu_rows_free(clu_rows_t *rows);
/* Tombstone grace (DESIGN.md §3, §5): allow the LSM to drop tombstones and
 * shadowed versions only once they are older than grace_ms before now_hlc,
 * so a replica returning within the grace period cannot resurrect deleted
 * data.  Returns the horizon passed to lsm_set_gc_horizon.  The caller
 * also keeps the hint window shorter than grace_ms. */
uint64_t clu_replica_set_grace(clu_replica_t *r, uint64_t now_hlc, uint64_t grace_ms);
/* Newest version of key, tombstones included (RDB_NOTFOUND if none). */
rdb_status_t clu_replica_get(clu_replica_t *r, const void *key, size_t klen, rdb_buf_t *value,
                             lsm_version_t *v, bool *tombstone, rdb_err_t *err);
/* Add the newest version of every user key whose token lies in the tree's
 * range. */
rdb_status_t clu_replica_merkle(clu_replica_t *r, clu_merkle_t *m, rdb_err_t *err);
/* Call fn with the newest version of every user key whose token lies in
 * (range.lo, range.hi] (whole ring if lo == hi).  fn returning false stops. */
typedef bool (*clu_record_fn)(const clu_record_t *rec, void *ctx);
rdb_status_t clu_replica_scan_range(clu_replica_t *r, clu_token_range_t range, clu_record_fn fn,
                                    void *ctx, rdb_err_t *err);

#endif
