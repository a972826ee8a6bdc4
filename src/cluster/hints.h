/*
 * hints.h — durable hinted handoff (DESIGN.md §5): the per-peer outbox.
 *
 * Writes meant for a replica that is down are kept here, in their own LSM
 * (a directory of their own), keyed peer (2 bytes BE) ‖ seq (8 bytes BE), so
 * each peer's hints come back in the order they were added and survive a
 * restart of the coordinator.  Delivery is peek (clu_hints_for_each) then
 * acknowledge (clu_hints_ack up to a seq), so a crash between the two only
 * redelivers, and redelivery is harmless (blind versioned puts).
 *
 * Bounded: at most limit bytes of hints per peer; beyond it clu_hints_add
 * refuses (RDB_BUSY) and counts the drop: anti-entropy repairs what hints
 * could not.  Not thread safe: one owner.
 */
#ifndef RDB_CLUSTER_HINTS_H
#define RDB_CLUSTER_HINTS_H

#include <stddef.h>
#include <stdint.h>

#include "cluster/replica.h"
#include "common/error.h"

typedef struct clu_hints clu_hints_t;

typedef struct clu_hint_stats {
    uint64_t count, bytes;   /* pending for the peer            */
    uint64_t dropped;        /* refused since start (over limit) */
} clu_hint_stats_t;

rdb_status_t clu_hints_open(const char *dir, uint64_t limit_bytes, clu_hints_t **out,
                            rdb_err_t *err);
void         clu_hints_close(clu_hints_t *h);
/* Keep rec for peer (copied).  RDB_BUSY when the peer's outbox is full. */
rdb_status_t clu_hints_add(clu_hints_t *h, uint16_t peer, const clu_record_t *rec,
                           rdb_err_t *err);
/* Keep n records for peer in one durable write (one fsync); records over
 * the limit are dropped and counted.  *added: how many were kept. */
rdb_status_t clu_hints_add_batch(clu_hints_t *h, uint16_t peer, const clu_record_t *recs,
                                 size_t n, size_t *added, rdb_err_t *err);
/* Call fn on up to max pending hints of peer, oldest first; *last_seq gets
 * the seq of the last one visited (0 if none).  fn returning false stops. */
rdb_status_t clu_hints_for_each(clu_hints_t *h, uint16_t peer, size_t max, clu_record_fn fn,
                                void *ctx, uint64_t *last_seq, rdb_err_t *err);
/* Drop peer's hints with seq <= upto (delivered).  Not synced: after a
 * crash some may come back, to be delivered again. */
rdb_status_t clu_hints_ack(clu_hints_t *h, uint16_t peer, uint64_t upto, rdb_err_t *err);
void         clu_hints_stats(const clu_hints_t *h, uint16_t peer, clu_hint_stats_t *st);

#endif
