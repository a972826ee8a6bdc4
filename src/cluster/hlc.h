/*
 * hlc.h — the node's hybrid logical clock (DESIGN.md §4).
 *
 * A stamp is (physical ms << 16 | logical counter), 64 bits.  The clock
 * issues strictly increasing stamps that never fall behind physical time:
 * now() returns max(wall << 16, last + 1).  Every peer frame carries the
 * sender's stamp; clu_hlc_update() moves the clock past it, so a write that
 * causally follows another always gets a larger stamp.
 *
 * Bounded drift: a received stamp whose physical part is more than
 * max_offset_ms ahead of our own wall clock is refused (RDB_INVALID), counted
 * and logged: one node with a broken clock must not drag every other clock
 * forward and win every conflict.  The caller flags the peer.
 *
 * Thread safety: all functions may be called from any thread.
 */
#ifndef RDB_CLUSTER_HLC_H
#define RDB_CLUSTER_HLC_H

#include <pthread.h>
#include <stdint.h>

#include "common/error.h"

#define CLU_HLC_LOGICAL_BITS 16
#define CLU_HLC_MAKE(ms, logical) (((uint64_t)(ms) << CLU_HLC_LOGICAL_BITS) | (uint64_t)(logical))
#define CLU_HLC_MS(ts)      ((ts) >> CLU_HLC_LOGICAL_BITS)
#define CLU_HLC_LOGICAL(ts) ((ts) & 0xffffu)

/* Wall-clock source in milliseconds since the epoch (injectable for tests). */
typedef uint64_t (*clu_wall_fn)(void *ctx);

typedef struct clu_hlc {
    pthread_mutex_t mu;
    uint64_t        last;          /* largest stamp issued or accepted      */
    uint64_t        max_offset_ms; /* refuse stamps further ahead than this */
    clu_wall_fn     wall;
    void           *wall_ctx;
    uint64_t        refused;       /* stamps refused for running ahead      */
    uint64_t        max_seen_ahead_ms; /* largest refused lead, for status  */
} clu_hlc_t;

/* wall NULL = rdb_wall_ms().  max_offset_ms 0 = 500 ms. */
void     clu_hlc_init(clu_hlc_t *h, uint64_t max_offset_ms, clu_wall_fn wall, void *ctx);
void     clu_hlc_destroy(clu_hlc_t *h);
/* A fresh stamp, strictly larger than every stamp issued or accepted. */
uint64_t clu_hlc_now(clu_hlc_t *h);
/* The current value without advancing (for frames that only inform). */
uint64_t clu_hlc_peek(clu_hlc_t *h);
/* Advance past a received stamp.  RDB_INVALID (and err set, SQLSTATE 22023)
 * when remote runs more than max_offset_ms ahead of our wall clock; the clock
 * is then left unchanged.  from_node is only used in the log line. */
rdb_status_t clu_hlc_update(clu_hlc_t *h, uint64_t remote, int from_node, rdb_err_t *err);
/* Restore after restart: the clock never issues a stamp <= floor. */
void     clu_hlc_floor(clu_hlc_t *h, uint64_t floor);
uint64_t clu_hlc_refused(clu_hlc_t *h);

#endif
