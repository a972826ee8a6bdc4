/*
 * planner.h — rewrites the binder's logical plan into the plan to run.
 */
#ifndef RDB_EXEC_PLANNER_H
#define RDB_EXEC_PLANNER_H

#include "exec/plan.h"

/* Push WHERE and JOIN conditions down to the scans, turn primary-key
 * conditions into key ranges and point lookups, turn equality conditions
 * between the two sides of a join into hash-join keys, and do the same
 * inside every subquery.  Returns the plan to run (nodes may be shared
 * with the input; everything new lives in a). */
plan_t *plan_optimize(rdb_arena_t *a, plan_t *p);

/* Planner switches, PostgreSQL's names (SET enable_indexscan = off, ...):
 * indexscan off: no secondary-index scans, ordered scans or index nested
 * loops; sort off: an ordered scan wherever one gives the order; hashjoin
 * / mergejoin / nestloop off: that join method only where no other is
 * possible (plan_merge.c chooses merge joins); join_collapse_limit:
 * inner joins of up to that many relations are reordered by dynamic
 * programming, more greedily, 1 keeps the written order; seqscan off:
 * any index the conditions bound is read, however unselective. */
typedef struct plan_opts {
    bool indexscan, sort, hashjoin, mergejoin, nestloop, seqscan;
    int  join_collapse_limit;
    /* rows of a hash-partitioned table without ANALYZE statistics (a
     * short sample scan), or NULL: 1000 */
    uint64_t (*table_rows)(void *ctx, const sql_table_t *t);
    void *rows_ctx;
    size_t work_mem;   /* bytes (0: 4MB): where a hash join or sort would spill */
} plan_opts_t;
extern const plan_opts_t plan_opts_default;
/* plan_optimize with switches o (NULL: the defaults). */
plan_t *plan_optimize_opts(rdb_arena_t *a, plan_t *p, const plan_opts_t *o);

#endif
