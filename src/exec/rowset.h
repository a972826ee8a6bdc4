/*
 * rowset.h — a set of distinct rows that spills to disk beyond its budget.
 *
 * A hash set in memory while it fits (budget: by default hash memory, PG
 * 15's work_mem x hash_mem_multiplier 2.0); when it would grow beyond, the
 * rows held are sorted and written as one sorted run (a temporary row
 * file, extsort.h) and memory starts empty again.  Each run keeps a sparse
 * index in memory (its first row of every RS_BLOCK rows and their offsets),
 * so a probe is a hash look-up, then per run a binary search over the
 * index and one block read (pread, one block cached per run).  Beyond
 * RS_MAXRUNS runs they are merged into one (the runs are disjoint: a row
 * is only added when no run holds it).
 *
 * Equality is ex_key_eq's (NULL equal to NULL, sql_value_cmp otherwise),
 * the same as the hash tables of exec.c.
 *
 * Users: x = ANY (uncorrelated subquery) beyond hash memory (expr.c; one
 * column), the seen rows of WITH RECURSIVE ... UNION (exec.c).
 */
#ifndef RDB_EXEC_ROWSET_H
#define RDB_EXEC_ROWSET_H

#include "exec/exec.h"

typedef struct ex_rowset ex_rowset_t;

/* Rows of ncols columns of types (borrowed: must outlive the set);
 * budget: bytes of rows held in memory (0: 2 x the run's work_mem). */
ex_rowset_t *ex_rowset_new(ex_run_t *r, const sql_type_t *types, int ncols, size_t budget);
/* Is row in the set (*found)?  When it is not and add is true, add a copy.
 * RDB_OK, or an error in r->err (58030 naming the file). */
rdb_status_t ex_rowset_probe(ex_rowset_t *s, const sql_value_t *row, bool add, bool *found);
/* Rows in the set. */
int64_t ex_rowset_count(const ex_rowset_t *s);
/* Memory held now (bytes: the rows in memory and the runs' indexes). */
size_t ex_rowset_mem(const ex_rowset_t *s);
/* Did rows go to disk?  *kb: the disk space written (or NULL). */
bool ex_rowset_spilled(const ex_rowset_t *s, int64_t *kb);
/* Frees s and removes its files; NULL is fine. */
void ex_rowset_free(ex_rowset_t *s);

#endif
