/*
 * explain.h — EXPLAIN and EXPLAIN ANALYZE: a plan (plan.h) shown as
 * PostgreSQL shows one, in its text layout ("Seq Scan on t  (cost=...
 * rows=N width=W)", "  ->  " under the parent, "Index Cond:", "Filter:",
 * "Sort Key:", ...) or as its FORMAT JSON document (what the web UI's
 * plan view reads).
 *
 * ANALYZE counts per plan node: exec.c calls ex_instr_get when it opens
 * a node of a run whose instr map is set, and adds the rows each next
 * returns, the time spent in it (inclusive of its children, as
 * PostgreSQL's) and the time until its first row.  A node opened several
 * times (the inner side of a LATERAL join, a correlated subquery, a
 * recursive union's recursive term) adds a loop each time; the numbers
 * shown are per loop, as PostgreSQL's.
 *
 * Costs are estimates from the binder's and planner's row estimates with
 * a simple model (a page per 50 rows, PostgreSQL's default per-row CPU
 * costs); ringdb's planner is rule based, so they explain the plan but
 * did not choose it.
 */
#ifndef RDB_EXEC_EXPLAIN_H
#define RDB_EXEC_EXPLAIN_H

#include "exec/exec.h"

typedef struct ex_instr {
    uint64_t loops, rows;
    uint64_t ns, first_ns;    /* all loops: inclusive time, time to the first row */
    uint64_t removed;         /* rows its Filter rejected */
    /* a Sort: 1 quicksort, 2 external merge, 3 top-N heapsort (0: not run)
     * and the memory or disk space it took, kB */
    int      sort_method;
    int64_t  sort_kb;
    /* a hash aggregate / DISTINCT: batches run (0: not run; 1: in memory),
     * the most memory one held and the disk its spill files took, kB */
    int64_t  hash_batches, hash_mem_kb, hash_disk_kb;
    /* a hash join (hashjoin.c): the most buckets and memory its table
     * held, its batches (1: in memory) and the disk its partitions took */
    int64_t  hj_buckets, hj_batches, hj_mem_kb, hj_disk_kb;
    /* a WindowAgg's partition store: went to disk?, the most it took, kB */
    bool     store_disk;
    int64_t  store_kb;
} ex_instr_t;

typedef struct ex_instr_map ex_instr_map_t;

/* A map from plan node to counters, in arena a; timing false: rows and
 * loops only (EXPLAIN (ANALYZE, TIMING OFF)). */
ex_instr_map_t *ex_instr_new(rdb_arena_t *a, bool timing);
bool ex_instr_timing(const ex_instr_map_t *m);
/* The counters of p, made on first use. */
ex_instr_t *ex_instr_get(ex_instr_map_t *m, const plan_t *p);

typedef struct ex_explain {
    bool        analyze, costs, timing, summary, json, verbose;
    const char *dml;          /* "Insert", "Update", "Delete" or NULL */
    const sql_table_t *dml_tab;
    uint64_t    dml_rows;     /* ANALYZE of DML: rows changed */
    const ex_instr_map_t *instr;   /* ANALYZE: the run's counters */
    double      plan_ms, exec_ms;
} ex_explain_t;

/* The lines of EXPLAIN's output for plan p (text: one per line; JSON:
 * one), in a. */
void ex_explain_render(rdb_arena_t *a, const plan_t *p, const ex_explain_t *o, int *nlines,
                       const char ***lines);

#endif
