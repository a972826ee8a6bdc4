/*
 * dml.h — INSERT, UPDATE and DELETE over sql/table.h.
 */
#ifndef RDB_EXEC_DML_H
#define RDB_EXEC_DML_H

#include "exec/exec.h"
#include "sql/analyze.h"
#include "sql/table.h"

/* A RETURNING row (or nothing when the statement has no RETURNING). */
typedef rdb_status_t (*ex_row_fn)(void *arg, const sql_value_t *row, rdb_err_t *err);

/* Run a bound INSERT/UPDATE/DELETE; *count = rows affected. */
rdb_status_t ex_dml_run(ex_run_t *r, const sql_bound_t *b, ex_row_fn fn, void *arg, uint64_t *count);

/* Insert one row given as d->ncols values for d->colids (COPY FROM):
 * defaults, NOT NULL, CHECK, then the table. */
rdb_status_t ex_insert_values(ex_run_t *r, const sql_dml_t *d, const sql_value_t *vals,
                              rdb_arena_t *a, bool *inserted);
/* The same through sql_table_insert_new (a bulk: see sql/table.h; the
 * table must be sql_table_bulk_ok), the row tagged with tag. */
rdb_status_t ex_insert_new(ex_run_t *r, const sql_dml_t *d, const sql_value_t *vals, rdb_arena_t *a,
                           uint64_t tag, sql_bulk_t *bk);

/* NOT NULL (23502) and CHECK (23514) of a new version of a stored row of
 * d->tab, with PostgreSQL's messages ("Failing row contains ..."). */
rdb_status_t ex_check_row(ex_run_t *r, const sql_dml_t *d, const sql_value_t *row, rdb_arena_t *a);

/* Locks on UNIQUE values.  A row lock (rowlock.h) keyed by the index and
 * the value (sql_table_unique_lock_key), FOR UPDATE, held to the end of
 * the transaction, taken before the value's uniqueness is checked, and the
 * check then reads the newest committed state: so of two transactions
 * writing one value, the second waits for the first to end and then finds
 * its row (23505) or not (it rolled back), as PostgreSQL's check waits for
 * the inserting transaction.  Nothing is locked when r->lock_key is NULL
 * or a column of the value is NULL (no check).
 *
 * ex_lock_unique_value locks row's value of ix (a DEFERRABLE index's
 * check, exec/fkey.c).  ex_unique_lock locks newrow's values of t's plain
 * (not deferrable) UNIQUE indexes that a write of newrow over oldrow (NULL:
 * an insert) sets, then moves the snapshot to the newest committed state
 * when it locked any, giving the snapshot to put back with
 * ex_unique_unlock (0: none) after the write.  ex_update_locked is
 * sql_table_update between the two. */
rdb_status_t ex_lock_unique_value(ex_run_t *r, const sql_table_t *t, const sql_index_t *ix,
                                  const sql_value_t *row);
rdb_status_t ex_unique_lock(ex_run_t *r, const sql_table_t *t, const sql_value_t *oldrow,
                            const sql_value_t *newrow, uint64_t *snap);
void ex_unique_unlock(ex_run_t *r, uint64_t snap);
rdb_status_t ex_update_locked(ex_run_t *r, const sql_table_t *t, const sql_value_t *oldrow,
                              const sql_value_t *newrow);

#endif
