/*
 * setop.h — INTERSECT / EXCEPT [ALL] by sorting, for inputs too big to
 * hash (PostgreSQL's sorted SetOp strategy).
 *
 * exec.c runs a set operation hashed (the right input's distinct rows
 * with their counts in a hash table, the left input streamed past it)
 * while that table fits in hash memory.  When it does not, the rows
 * counted so far (each as many times as it was counted) and the rest of
 * both inputs go into two sorts (extsort.h, spilling beyond work_mem); the
 * two sorted streams are then walked side by side a group of equal rows at
 * a time, NULLs equal to NULLs as in SQL set operations, and each group
 * comes out 0, 1 or n times:
 *
 *   INTERSECT      once if on both sides     INTERSECT ALL  min(l, r) times
 *   EXCEPT         once if only on the left  EXCEPT ALL     max(l - r, 0)
 *
 * Rows come out sorted instead of in input order (SQL leaves it open).
 */
#ifndef RDB_EXEC_SETOP_H
#define RDB_EXEC_SETOP_H

#include "exec/exec.h"

typedef struct ex_msetop ex_msetop_t;

/* For P_SETOP p (types borrowed from it). */
ex_msetop_t *ex_msetop_new(ex_run_t *r, const plan_t *p);
/* A right-side row, count times; RDB_OK or an error in r->err. */
rdb_status_t ex_msetop_add_right(ex_msetop_t *m, const sql_value_t *row, int64_t count);
/* Read the rest of right (NULL: none), then the rest of left, and sort
 * both. */
rdb_status_t ex_msetop_run(ex_msetop_t *m, ex_node_t *left, ex_node_t *right);
/* The next result row (valid until the next call), NULL at the end or on
 * error (r->err set). */
const sql_value_t *ex_msetop_next(ex_msetop_t *m);
/* Did the sorts write to disk?  *kb: what they wrote. */
bool ex_msetop_spilled(const ex_msetop_t *m, int64_t *kb);
/* Frees m and removes its files; NULL is fine. */
void ex_msetop_free(ex_msetop_t *m);

#endif
