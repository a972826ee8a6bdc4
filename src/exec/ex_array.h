/*
 * ex_array.h — evaluation of the array expression nodes (EX_ARRAY,
 * EX_SUBSCRIPT, EX_ARRAYCMP) and the set-returning function scan
 * (P_FUNCSCAN); internal to src/exec/.
 */
#ifndef RDB_EXEC_EX_ARRAY_H
#define RDB_EXEC_EX_ARRAY_H

#include "exec/exec.h"

rdb_status_t ex_eval_array(ex_run_t *r, const ex_expr_t *e, const sql_value_t *row,
                           rdb_arena_t *a, sql_value_t *out);
rdb_status_t ex_eval_subscript(ex_run_t *r, const ex_expr_t *e, const sql_value_t *row,
                               rdb_arena_t *a, sql_value_t *out);
/* One comparison l op x of op ANY/ALL (any: ANY): *done once the answer
 * is known (it is then any); *sawnull when it was NULL. */
rdb_status_t ex_anyall_step(ex_run_t *r, const sql_resolved_fn_t *fn, const sql_type_t *types,
                            sql_value_t l, sql_value_t x, rdb_arena_t *a, bool any, bool *sawnull,
                            bool *done);
rdb_status_t ex_eval_arraycmp(ex_run_t *r, const ex_expr_t *e, const sql_value_t *row,
                              rdb_arena_t *a, sql_value_t *out);

/* P_FUNCSCAN: the functions run (and their rows are kept) at the first
 * next, when a lateral join has pushed the row their arguments read. */
typedef struct ex_srfscan ex_srfscan_t;
ex_srfscan_t *ex_srfscan_open(ex_run_t *r, const plan_t *p);
/* The next row into out (p->ncols values), false at the end or on error. */
bool ex_srfscan_next(ex_srfscan_t *s, sql_value_t *out);
void ex_srfscan_close(ex_srfscan_t *s);

#endif
