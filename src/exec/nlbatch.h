/*
 * nlbatch.h — an index nested loop over a primary key, in batches.
 *
 * plan_join.c's index nested loop is a LATERAL join whose right side is a
 * primary-key read (a P_SCAN point) keyed by the left row.  Run row by row
 * (exec.c lateral_next), each left row opens, reads and closes a scan and
 * makes one point read.  Here the left rows come NLB_BATCH at a time: their
 * keys are evaluated, read with one sql_table_get_many (lsm_get_many
 * overlaps the reads' cache misses), and the rows are emitted in the
 * left rows' order, each left row followed by its match (a key reads at
 * most one row) or, for LEFT, by its NULL-extended row: the row-by-row
 * loop's output exactly.  The left side is read ahead by up to a batch
 * (never under row locks: ex_nlb_ok).  EXPLAIN ANALYZE counts a loop per
 * left row on the right node, and pg_stat an index scan per key, as the
 * row-by-row loop does.  SET ringdb.nestloop_batch = off runs row by row.
 */
#ifndef RDB_EXEC_NLBATCH_H
#define RDB_EXEC_NLBATCH_H

#include "exec/exec.h"
#include "exec/plan.h"

#define NLB_BATCH 64

typedef struct ex_nlb ex_nlb_t;

/* Can the LATERAL join p run in batches? */
bool ex_nlb_ok(const plan_t *p);
/* Set nl_batch on every join of p's tree that can (after ex_plan_parallel:
 * a slice runs its batches as the serial plan does). */
void ex_plan_nlbatch(plan_t *p);
/* The join p (ex_nlb_ok) over the open left child (borrowed); out: a row
 * buffer of p->ncols (borrowed). */
ex_nlb_t *ex_nlb_new(ex_run_t *r, const plan_t *p, ex_node_t *left, sql_value_t *out);
/* The next joined row (in out), NULL at the end or on error (r->err). */
const sql_value_t *ex_nlb_next(ex_nlb_t *b);
void ex_nlb_free(ex_nlb_t *b);

#endif
