/*
 * aggsort.h — the inputs of one DISTINCT or ORDER BY aggregate in one
 * group, sorted through the spilling sort (extsort.h) once they are many.
 *
 * exec.c keeps such inputs in memory (a set of the DISTINCT values seen,
 * a buffer of the ORDER BY inputs) while they are few; a group whose
 * inputs pass a share of work_mem moves them here, and every later input
 * of that aggregate in that group comes here too.  At the end of the
 * group they are sorted (ORDER BY keys, then, for DISTINCT, the
 * arguments) and fed to the transition function in that order, DISTINCT
 * skipping a row whose arguments equal the previous row's (NULL equal to
 * NULL).  So one group's DISTINCT / ordered inputs are bounded by the
 * sort's work_mem, not by their number (PostgreSQL sorts them likewise).
 *
 * Rows: the aggregate's arguments (nargs), then its ORDER BY values
 * (norder), as plan_agg_t's okeys number them.
 */
#ifndef RDB_EXEC_AGGSORT_H
#define RDB_EXEC_AGGSORT_H

#include "exec/exec.h"

typedef struct ex_aggsort ex_aggsort_t;

/* ag is borrowed (the plan outlives the run). */
ex_aggsort_t *ex_aggsort_new(ex_run_t *r, const plan_agg_t *ag);
/* RDB_OK or an error in r->err. */
rdb_status_t ex_aggsort_add(ex_aggsort_t *s, const sql_value_t *row);
/* Sort and run ag's transitions over state st in order (ctx: the
 * transition's function context); the rows are dropped after. */
rdb_status_t ex_aggsort_feed(ex_aggsort_t *s, sql_fn_ctx_t *ctx, void *st);
/* The memory one such sort holds before it writes a run (a quarter of
 * work_mem, at least 64kB): the aggregate counts it per sort not fed yet. */
size_t ex_aggsort_budget(const ex_run_t *r);
/* Rows per group kept in memory before moving here, for rows of w values. */
int64_t ex_aggsort_threshold(const ex_run_t *r, int w);
/* One sort key's comparison: NULLs first or last, then the type's order,
 * reversed for DESC (also window.c's). */
int ex_sortval_cmp(sql_type_t t, const sql_value_t *a, const sql_value_t *b, bool desc, bool nulls_first);
/* Frees s and removes its files; NULL is fine. */
void ex_aggsort_free(ex_aggsort_t *s);

#endif
