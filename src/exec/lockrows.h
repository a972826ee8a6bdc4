/*
 * lockrows.h — the executor's P_LOCKROWS (plan.h): SELECT ... FOR UPDATE /
 * NO KEY UPDATE / SHARE / KEY SHARE, as PostgreSQL's LockRows node.
 */
#ifndef RDB_EXEC_LOCKROWS_H
#define RDB_EXEC_LOCKROWS_H

#include "exec/exec.h"
#include "exec/plan.h"

/* The next row of child that p locks (NULL at the end or on error, r->err
 * set): child's row as it is, or rebuilt into out (p->ncols values, in
 * ra, which this resets) over the newest versions of the locked rows. */
const sql_value_t *ex_lockrows_next(ex_run_t *r, const plan_t *p, ex_node_t *child, rdb_arena_t *ra,
                                    sql_value_t *out);

#endif
