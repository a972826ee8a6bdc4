/*
 * tstore.h — a tuplestore: rows kept in memory up to a budget, written to
 * a temporary file beyond it, read back in the order they were put, as
 * many times as needed, or by position.
 *
 * PostgreSQL's tuplestore in its simplest use (append, then read from the
 * start, rewind, read again).  The rows put while the memory held stays
 * within the budget are copied into the store's own arena; every later
 * row goes to one temporary row file (extsort.h: in the run's tmp_dir,
 * removed by ex_tstore_clear / ex_tstore_free and at engine start).  A
 * read returns the memory rows first, then the file's, so the order is
 * always the order of put.
 *
 * Random access: ex_tstore_get reads the row at any position (the file
 * keeps every EX_BF_BLOCK-th row's offset and reads whole blocks, a few
 * cached), as PostgreSQL's WindowAgg reads its partition's tuplestore
 * through several read pointers.
 *
 * Users: the inner side of a nested loop join (hashjoin.c), the working
 * and intermediate tables of WITH RECURSIVE (exec.c), a window
 * function's partition (window.c).
 *
 * REQUIRES: put rows, rewind, read (rewind again to read again);
 * ex_tstore_clear starts over.
 */
#ifndef RDB_EXEC_TSTORE_H
#define RDB_EXEC_TSTORE_H

#include "exec/exec.h"

typedef struct ex_tstore ex_tstore_t;

/* Rows of ncols columns of types (borrowed: must outlive the store);
 * budget: bytes of rows kept in memory (0: the run's work_mem). */
ex_tstore_t *ex_tstore_new(ex_run_t *r, const sql_type_t *types, int ncols, size_t budget);
/* Append a copy of row; RDB_OK or an error in r->err (58030 naming the
 * file). */
rdb_status_t ex_tstore_put(ex_tstore_t *t, const sql_value_t *row);
/* Read from the first row again. */
rdb_status_t ex_tstore_rewind(ex_tstore_t *t);
/* The next row, valid until the next read (a memory row: until clear);
 * NULL at the end or on error (r->err set).  *ord, when not NULL: the
 * row's position (0-based) in put order. */
const sql_value_t *ex_tstore_read(ex_tstore_t *t, int64_t *ord);
/* The row at pos (0-based, < ex_tstore_rows): a memory row lives until
 * clear, a file row until EX_BF_CACHE other blocks are read (extsort.h);
 * NULL on error (r->err set). */
const sql_value_t *ex_tstore_get(ex_tstore_t *t, int64_t pos);
int64_t ex_tstore_rows(const ex_tstore_t *t);
/* Memory held now (bytes). */
size_t ex_tstore_mem(const ex_tstore_t *t);
/* Did rows go to disk?  *kb: the most disk space it took (or NULL). */
bool ex_tstore_spilled(const ex_tstore_t *t, int64_t *kb);
/* Drop every row (and the file); the store is empty and writable again. */
void ex_tstore_clear(ex_tstore_t *t);
/* Frees t and removes its file; NULL is fine. */
void ex_tstore_free(ex_tstore_t *t);

#endif
