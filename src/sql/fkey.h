/*
 * fkey.h — FOREIGN KEY lookups over table.h (the catalog/DDL side's part).
 *
 * A foreign key (sql_fkey_t, catalog.h) lives in the record of the
 * referencing table ("child"); the referenced table ("parent") learns of it
 * through sql_table_t.refby when a catalog snapshot loads.  These functions
 * read through the caller's transaction (its snapshot plus its own writes):
 *
 *   - the referencing-side check probes the parent's PRIMARY KEY (a point
 *     read of the row key) or the UNIQUE index the constraint names (a
 *     prefix seek), never a scan;
 *   - the referenced side finds the child rows through a child index whose
 *     leading columns are the foreign key's (or the child's primary key),
 *     else by scanning the child.
 *
 * MATCH SIMPLE: a child key with any NULL column references nothing.
 * MATCH FULL: all NULL references nothing, a mix of NULL and non-NULL is
 * an error.  Child values are compared as values of the parent's column
 * types (int4 referencing int8 and the like); DDL admits only type pairs
 * sql_fk_types_ok accepts.
 *
 * Errors are PostgreSQL's, SQLSTATE 23503.  exec/fkey.c decides when to
 * check (at the end of each statement) and runs the ON DELETE / ON UPDATE
 * actions.
 */
#ifndef RDB_SQL_FKEY_H
#define RDB_SQL_FKEY_H

#include "common/arena.h"
#include "sql/catalog.h"
#include "txn/txn.h"

/* Can a column of type fk reference one of type pk (PostgreSQL: fk
 * implicitly coercible to pk)? */
bool sql_fk_types_ok(sql_type_t fk, sql_type_t pk);

/* The referencing-side check of one row of child for fk (parent is the
 * referenced table): 23503 'insert or update on table "c" violates foreign
 * key constraint "c_x_fkey"' with detail 'Key (x)=(5) is not present in
 * table "p".' (MATCH FULL's mixed NULLs: its own detail). */
rdb_status_t sql_fk_check(txn_t *t, const sql_table_t *child, const sql_fkey_t *fk,
                          const sql_table_t *parent, const sql_value_t *row, rdb_err_t *err);

/* The row of parent that row (a row of child) references through fk,
 * decoded into a; *prow NULL when there is none or the key has a NULL.
 * The referencing-side check locks it (FOR KEY SHARE) before checking. */
rdb_status_t sql_fk_parent_row(txn_t *t, const sql_table_t *child, const sql_fkey_t *fk,
                               const sql_table_t *parent, const sql_value_t *row, rdb_arena_t *a,
                               sql_value_t **prow, rdb_err_t *err);

/* Is there (still) a row of parent whose referenced columns equal those
 * of prow (a row of parent)?  NO ACTION's re-check at the statement end. */
rdb_status_t sql_fk_key_present(txn_t *t, const sql_table_t *parent, const sql_fkey_t *fk,
                                const sql_value_t *prow, bool *present, rdb_err_t *err);

/* The rows of child that reference prow (a row of parent) through fk,
 * decoded into a (nrowcols values each); at most max rows (0 = all).
 * None when prow's key has a NULL. */
rdb_status_t sql_fk_referencing(txn_t *t, const sql_table_t *child, const sql_fkey_t *fk,
                                const sql_table_t *parent, const sql_value_t *prow,
                                rdb_arena_t *a, int64_t max, sql_value_t ***rows, int64_t *n,
                                rdb_err_t *err);

/* 23503 'update or delete on table "p" violates foreign key constraint
 * "c_x_fkey" on table "c"', detail 'Key (a)=(1) is still referenced from
 * table "c".' */
rdb_status_t sql_fk_still_referenced(rdb_err_t *err, const sql_table_t *parent,
                                     const sql_fkey_t *fk, const sql_table_t *child,
                                     const sql_value_t *prow);

/* Do rows x and y differ in any of the n columns (NULL equals NULL)? */
bool sql_fk_cols_differ(const sql_table_t *t, int n, const uint16_t *colids,
                        const sql_value_t *x, const sql_value_t *y);

/* v (a value of type from) as one of type to, for key comparison
 * (implicit) or to store into a referencing column (ON UPDATE CASCADE:
 * assignment, with 22003 for an integer out of the column's range). */
rdb_status_t sql_fk_convert(rdb_arena_t *a, sql_type_t from, sql_type_t to, bool assign,
                            const sql_value_t *v, sql_value_t *out, rdb_err_t *err);

/* A deep copy of a stored row of t into a (the hidden row id by value). */
sql_value_t *sql_fk_row_copy(rdb_arena_t *a, const sql_table_t *t, const sql_value_t *row);

/* ALTER TABLE ADD FOREIGN KEY: sql_fk_check over every row of child. */
rdb_status_t sql_fk_validate(txn_t *t, const sql_table_t *child, const sql_fkey_t *fk,
                             const sql_table_t *parent, rdb_err_t *err);

#endif
