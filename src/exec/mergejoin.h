/*
 * mergejoin.h — merge join: both inputs sorted on the join keys, read
 * once each, side by side (PostgreSQL's Merge Join).
 *
 * Inputs.  The planner (plan_merge.c) puts both inputs in ascending
 * order of their keys (plan.h lkeys / rkeys), NULLs last, by a Sort or
 * by a scan that reads in that order; the keys' type's '=' is the
 * equality of sql_value_cmp (exec.h ex_hash_eq_type).  Inner, left,
 * right and full joins; the join's qual is a join filter over the
 * joined row, applied to each key match.
 *
 * Duplicates.  The inner (right) rows of one key value are a group,
 * kept in a tuplestore (tstore.h: memory up to work_mem, a temporary
 * file beyond it) and read again for each outer row with that key: the
 * mark and restore of PostgreSQL's merge join, bounded in memory however
 * many duplicates there are.  A bit per group row remembers matches for
 * RIGHT and FULL joins; the group's unmatched rows are emitted when the
 * outer side moves past its key.
 *
 * NULLs.  A row with a NULL key matches nothing: it is emitted unmatched
 * (LEFT, FULL for outer rows; RIGHT, FULL for inner rows) or skipped.
 * Since NULLs sort last in every key column the other rows stay in key
 * order, so skipping them keeps the merge correct.
 *
 * Output rows point into the children's rows and the group's store:
 * valid until the next call.
 */
#ifndef RDB_EXEC_MERGEJOIN_H
#define RDB_EXEC_MERGEJOIN_H

#include "exec/exec.h"

typedef struct ex_mjoin ex_mjoin_t;

/* A merge join of plan p (P_JOIN, merge, J_INNER / J_LEFT / J_RIGHT /
 * J_FULL) over the open children left and right (borrowed); out: a row
 * buffer of p->ncols values (borrowed). */
ex_mjoin_t *ex_mjoin_new(ex_run_t *r, const plan_t *p, ex_node_t *left, ex_node_t *right, sql_value_t *out);
/* The next joined row (in out), NULL at the end or on error (r->err). */
const sql_value_t *ex_mjoin_next(ex_mjoin_t *m);
/* Frees m and removes its group's file; NULL is fine. */
void ex_mjoin_free(ex_mjoin_t *m);

#endif
