/*
 * consistency.h — consistency levels and the acknowledgement tally of one
 * replicated request (write or read) at its coordinator.
 *
 * A request goes to n replicas (the coordinator's own apply counts as one
 * answer).  It succeeds once `required` replicas acknowledged, and fails as
 * soon as success has become impossible (too many refusals or replicas
 * unreachable) or the deadline passes: the caller then reports an error
 * with SQLSTATE 57P03 naming how many answered, and never success.
 */
#ifndef RDB_CLUSTER_CONSISTENCY_H
#define RDB_CLUSTER_CONSISTENCY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

typedef enum clu_consistency { CLU_CL_ONE = 1, CLU_CL_QUORUM, CLU_CL_ALL } clu_consistency_t;

typedef enum clu_tally_state { CLU_TALLY_PENDING, CLU_TALLY_OK, CLU_TALLY_FAILED } clu_tally_state_t;

typedef struct clu_tally {
    clu_consistency_t cl;
    size_t            rf;        /* replicas the level is computed from */
    size_t            required;
    size_t            acks, fails, sent;
    clu_tally_state_t state;
} clu_tally_t;

/* "one", "quorum", "all" (case-insensitive); RDB_INVALID otherwise. */
rdb_status_t clu_consistency_parse(const char *s, clu_consistency_t *out, rdb_err_t *err);
const char  *clu_consistency_name(clu_consistency_t cl);
/* Replicas needed out of rf: ONE 1, QUORUM rf/2 + 1, ALL rf. */
size_t       clu_consistency_required(clu_consistency_t cl, size_t rf);
/* sent: replicas the request actually went to (up ones, self included). */
void clu_tally_init(clu_tally_t *t, clu_consistency_t cl, size_t rf, size_t sent);
/* As init, with `acked` of the sent replicas already answered (the
 * coordinator's own durable apply), so an impossible level reports them. */
void clu_tally_init_acked(clu_tally_t *t, clu_consistency_t cl, size_t rf, size_t sent,
                          size_t acked);
clu_tally_state_t clu_tally_ack(clu_tally_t *t);
clu_tally_state_t clu_tally_fail(clu_tally_t *t);
/* Count an answer that came after the outcome was decided, so that the
 * error reports every replica that did answer. */
void clu_tally_late_ack(clu_tally_t *t);
/* The deadline passed: OK if already OK, else FAILED. */
clu_tally_state_t clu_tally_timeout(clu_tally_t *t);
/* Fill err for a FAILED tally (RDB_UNAVAILABLE, 57P03). */
rdb_status_t clu_tally_error(const clu_tally_t *t, rdb_err_t *err);

#endif
