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

#endif
