/*
 * extsort.h — a sort that spills to disk beyond work_mem (external merge).
 *
 * Rows go in one by one; while the rows held fit in work_mem they stay in
 * memory (one quicksort at the end, PostgreSQL's "Sort Method: quicksort").
 * Beyond it the rows held are sorted and written out as a sorted run, and
 * at the end the runs are merged, at most EXS_FANIN at a time (several
 * passes if there are more runs), PostgreSQL's "external merge".
 *
 * Temporary files live in the run's tmp_dir (the node's data directory
 * /tmp), one per run, named rdbtmp.<pid>.<n>; each is removed as soon as
 * it has been merged, and ex_sort_free removes whatever is left, so they
 * are gone at the end of the statement whatever way it ends (the engine
 * also empties the folder when it starts, after a crash).
 *
 * Rows are copied in (deep copies, the row types given); the row
 * ex_sort_next returns stays valid until the next call.
 */
#ifndef RDB_EXEC_EXTSORT_H
#define RDB_EXEC_EXTSORT_H

#include "exec/exec.h"

#define EXS_FANIN 64

typedef struct ex_sort ex_sort_t;
/* qsort_r-style comparison of two (sql_value_t *) elements. */
typedef int (*ex_sort_cmp_fn)(const void *x, const void *y, void *arg);

/* types: ncols column types (borrowed, must outlive the sort). */
ex_sort_t *ex_sort_new(ex_run_t *r, const sql_type_t *types, int ncols, ex_sort_cmp_fn cmp,
                       void *arg);
/* RDB_OK, or an error in r->err (I/O: 58030 naming the file). */
rdb_status_t ex_sort_add(ex_sort_t *s, const sql_value_t *row);
/* No more rows: sort, and merge runs down to at most EXS_FANIN. */
rdb_status_t ex_sort_done(ex_sort_t *s);
/* The next row in order; NULL at the end or on error (r->err set). */
const sql_value_t *ex_sort_next(ex_sort_t *s);
/* Did it write to disk?  *kb: the disk space it wrote, or the memory it
 * held when it did not (EXPLAIN ANALYZE's Sort Method line). */
bool ex_sort_spilled(const ex_sort_t *s, int64_t *kb);
/* Frees s and removes its files; NULL is fine. */
void ex_sort_free(ex_sort_t *s);

/* Remove leftover temporary files in dir (engine start). */
void ex_sort_clean_dir(const char *dir);

#endif
