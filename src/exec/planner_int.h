/*
 * planner_int.h — what the planner's parts share: planner.c (push-down,
 * key ranges, index ranges), plan_order.c (ordered scans instead of
 * sorts) and plan_join.c (cost-based join order).
 *
 * Everything lives in the arena of the statement being planned.
 */
#ifndef RDB_EXEC_PLANNER_INT_H
#define RDB_EXEC_PLANNER_INT_H

#include "exec/planner.h"

/* Conjuncts of a condition. */
typedef struct pl_quals {
    int         n, cap;
    ex_expr_t **q;
} pl_quals_t;

void pl_quals_add(rdb_arena_t *a, pl_quals_t *l, ex_expr_t *e);
void pl_split_and(rdb_arena_t *a, ex_expr_t *e, pl_quals_t *l);
ex_expr_t *pl_join_and(rdb_arena_t *a, ex_expr_t **q, int n);
/* Column span [*lo, *hi] of e's EX_COLs; *fixed set if e may not move
 * (correlated subquery, volatile function). */
void pl_span(const ex_expr_t *e, int *lo, int *hi, bool *fixed);
/* The planner over p with conditions in (over p's row) pushed down. */
plan_t *pl_opt(rdb_arena_t *a, plan_t *p, pl_quals_t *in);
/* Make e (over join j's row, left width wl) a hash key of j if it is an
 * equality between the two sides; false otherwise. */
bool pl_hash_key(rdb_arena_t *a, plan_t *j, ex_expr_t *e, int wl);
bool pl_key_compatible(sql_type_t col, sql_type_t val);
/* Strip binary-compatible casts: the EX_COL under e, or NULL. */
const ex_expr_t *pl_strip_col(const ex_expr_t *e, const plan_t *scan);
/* Comparison op name -> 0 '=', 1 '<', 2 '<=', 3 '>', 4 '>=', -1 other. */
int pl_cmp_kind(const char *op);

/* Bounds of the leading key columns colids[0..ncols) in conjuncts q of
 * scan: equalities on neq leading columns, then at most a range on the
 * next (lo/hi in value order, not key order). */
typedef struct pl_bounds {
    ex_expr_t **eq;
    int         neq;
    ex_expr_t  *lo, *hi;
    bool        lo_incl, hi_incl;
} pl_bounds_t;
void pl_find_bounds(rdb_arena_t *a, const plan_t *scan, const pl_quals_t *q, int ncols,
                    const uint16_t *colids, pl_bounds_t *b);
/* Set scan's key range from b (desc: the range column is DESC in the key). */
void pl_set_bounds(rdb_arena_t *a, plan_t *scan, const pl_bounds_t *b, bool desc);
/* Estimated rows of scan within bounds b of index ix (planner.c index_rows). */
double pl_index_rows(const plan_t *scan, const sql_index_t *ix, const pl_bounds_t *b, bool *known);

/* The session's planner switches (PostgreSQL's enable_* settings and
 * join_collapse_limit) for the statement being planned on this thread. */
const plan_opts_t *pl_opts(void);
/* Rows of t: ANALYZE's count, else plan_opts_t's table_rows, else 1000. */
double pl_table_rows(const sql_table_t *t);

/* plan_order.c: a sort whose input can come in index order (an ordered
 * Index Scan, or the primary key of a range-partitioned table) when that
 * is cheaper, above all with a LIMIT: returns the sort's replacement, or
 * the sort itself.  REQUIRES: sort->left already optimised. */
plan_t *pl_order_sort(rdb_arena_t *a, plan_t *sort);

/* plan_sel.c: the fraction of scan's rows that pass the conjuncts q
 * (over its row), from ANALYZE's statistics (MCVs, histogram, n_distinct,
 * null_frac) or PostgreSQL's default selectivities. */
double pl_quals_sel(rdb_arena_t *a, const plan_t *scan, const pl_quals_t *q);
/* Selectivity of c1 = c2 over the product of their tables (PostgreSQL's
 * eqjoinsel: the MCV lists matched, else 1 / the larger n_distinct), -1
 * without statistics. */
double pl_eqjoin_sel(const sql_column_t *c1, const sql_column_t *c2);
/* Selectivity of scan's column colid = eq, or within (lo, hi) (either may
 * be NULL), from its statistics; -1 without them or without constants. */
double pl_bound_sel(const plan_t *scan, uint16_t colid, const ex_expr_t *eq, const ex_expr_t *lo, bool lo_incl,
                    const ex_expr_t *hi, bool hi_incl);
/* The analysed base-table column that e (over p's row) reads, when p is
 * a scan (under filters), else NULL. */
const sql_column_t *pl_plan_col(const plan_t *p, const ex_expr_t *e);

/* plan_merge.c: make join j (equality keys set, both inputs optimised) a
 * merge join over ordered inputs when that costs less than the hash join;
 * returns whether it did. */
bool pl_merge_join(rdb_arena_t *a, plan_t *j);

/* plan_join.c: inner joins of three or more relations in the order and
 * with the methods of least estimated cost (dynamic programming over
 * subsets up to join_collapse_limit relations, greedy beyond); in holds
 * the conditions pushed from above (over j's row).  NULL: j is not such
 * a join (then the rule-based path plans it). */
plan_t *pl_join_reorder(rdb_arena_t *a, plan_t *j, pl_quals_t *in);

#endif
