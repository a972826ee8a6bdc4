/*
 * parallel.h — parallel scans on one node (DESIGN.md §6 and §8).
 *
 * A leaf fragment (a full scan of a hash-partitioned table, through
 * filters, projections, hash joins it probes and index nested loops over
 * a primary key it drives, under a partial aggregate or a top-N) runs as
 * nparts token slices at once: slice 0 on the calling thread, the others
 * on pooled threads (common/tpool.h), each with its own copy of the run
 * (ex_run_t: arena, error, tick counter) and its own operator nodes, over
 * the statement's one snapshot.  The caller merges the slices' results
 * (exec.c: combine aggregate states, merge top-N heaps) — PostgreSQL's
 * Gather / Partial Aggregate / Finalize Aggregate.  The statement already
 * runs off the event loop (engine.c offloads every scan), so no loop waits
 * for it.
 *
 * Results equal a serial run's: slice i holds the tokens below slice i+1's,
 * so slices taken in order are the serial scan's order (group order, ties
 * of a top-N); only float sums may round differently, as in PostgreSQL.
 * Cancel and statement_timeout reach every slice (the session's cancel
 * flag and deadline are shared); an error is the lowest failing slice's,
 * the one a serial scan would have met first.
 */
#ifndef RDB_EXEC_PARALLEL_H
#define RDB_EXEC_PARALLEL_H

#include "exec/exec.h"

/* Tables with fewer rows than this (ANALYZE's count, or else an estimate
 * from a sample, sql_table_estimate_rows) are scanned serially: threads
 * cost more than they save (PostgreSQL's min_parallel_table_scan_size). */
#define EX_PARALLEL_MIN_ROWS 50000
/* A key range read as point lookups (a hash-partitioned table's integer
 * key) is read in slices from this many keys on. */
#define EX_PARALLEL_MIN_POINTS 512

/* Can e be evaluated in a slice's thread, or ahead of its row (nlbatch.h):
 * no subquery, session function, sequence, set-returning or volatile
 * function; outer: EX_OUTER one frame up (a LATERAL join's left row,
 * which is the slice's own) too. */
bool ex_expr_par_safe(const ex_expr_t *e, bool outer);

/* Mark the nodes of p that qualify (plan.h `parallel`) with `workers`
 * (an aggregate or top-N over a sliced scan; a key range read as point
 * lookups, unless its constant bounds span fewer than
 * EX_PARALLEL_MIN_POINTS keys)
 * (max_parallel_workers_per_gather; 0 leaves p serial).  rows(ctx, t)
 * estimates a table's row count.  Subqueries are left serial. */
void ex_plan_parallel(plan_t *p, int workers, uint64_t (*rows)(void *ctx, const sql_table_t *t),
                      void *ctx);

/* Is p's input a chain of filters, projections and joins (probing: the
 * left side) over a full scan that slices can split?  *scan gets it. */
bool ex_par_input_ok(const plan_t *p, const plan_t **scan);

/* Run fn(wr, part, arg) for part = 0 .. nparts-1 at once, part 0 on the
 * calling thread.  Each wr is a copy of r with its own arena, error and
 * counters, and wr->part / wr->nparts / wr->par_scan set (scan_next reads
 * its slice of par_scan, every other scan whole).
 * Returns the runs (their arenas hold what fn kept) after all parts have
 * ended; on error r->err holds the lowest failing part's error and the
 * result is NULL (everything freed).  Free with ex_par_free after merging. */
typedef rdb_status_t (*ex_par_fn)(ex_run_t *wr, int part, void *arg);
typedef struct ex_par ex_par_t;
ex_par_t *ex_par_run(ex_run_t *r, int nparts, const plan_t *par_scan, ex_par_fn fn, void *arg);
ex_run_t *ex_par_part(ex_par_t *par, int part);
void ex_par_free(ex_par_t *par);

#endif
