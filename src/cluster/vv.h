/*
 * vv.h — version vectors (DESIGN.md §4).
 *
 * For every origin node, the highest *contiguous* origin sequence number
 * applied here: origin seqs start at 1, and contig = n means 1..n are all
 * applied.  Sequences that arrive out of order (a hint delivered after a live
 * write) are kept in a small sorted pending set until the gap closes.
 * Applying a sequence twice is detected (clu_vv_apply returns false), which
 * is what makes replication idempotent at the log level; the store itself is
 * idempotent anyway because versions are blind puts.
 *
 * Peers exchange vectors (encode/decode) to know exactly what the other
 * lacks.  Not thread safe: the owner serialises access.
 */
#ifndef RDB_CLUSTER_VV_H
#define RDB_CLUSTER_VV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/error.h"

typedef struct clu_vv_entry {
    uint16_t  node;
    uint64_t  contig;       /* 1..contig applied                         */
    uint64_t *pending;      /* sorted, all > contig + 1, owned           */
    size_t    npending, cappending;
} clu_vv_entry_t;

typedef struct clu_vv {
    clu_vv_entry_t *e;      /* sorted by node, owned */
    size_t          n, cap;
} clu_vv_t;

typedef enum clu_vv_order {
    CLU_VV_EQUAL, CLU_VV_BEFORE, CLU_VV_AFTER, CLU_VV_CONCURRENT
} clu_vv_order_t;

#define CLU_VV_MAX_PENDING 65536  /* beyond this a gap is treated as corrupt */

void     clu_vv_init(clu_vv_t *vv);
void     clu_vv_free(clu_vv_t *vv);
/* Record that (origin, seq) was applied.  Returns true if it is new, false
 * for a duplicate.  seq 0 is invalid (asserted). */
bool     clu_vv_apply(clu_vv_t *vv, uint16_t origin, uint64_t seq);
bool     clu_vv_has(const clu_vv_t *vv, uint16_t origin, uint64_t seq);
uint64_t clu_vv_contig(const clu_vv_t *vv, uint16_t origin);
/* Raise contig to at least seq (after a full catch-up from a peer). */
void     clu_vv_advance(clu_vv_t *vv, uint16_t origin, uint64_t seq);
/* Compare the contiguous parts. */
clu_vv_order_t clu_vv_compare(const clu_vv_t *a, const clu_vv_t *b);
/* Contiguous part only, as varints: count, then (node, contig) pairs. */
void         clu_vv_encode(const clu_vv_t *vv, rdb_buf_t *out);
rdb_status_t clu_vv_decode(clu_vv_t *vv, const void *data, size_t len, rdb_err_t *err);

#endif
