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

#endif
