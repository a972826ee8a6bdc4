/*
 * fkey.h — FOREIGN KEY checks and ON DELETE / ON UPDATE actions at the end
 * of a statement (the executor's part; sql/fkey.h does the lookups).
 *
 * INSERT, UPDATE and DELETE note each row they wrote (ex_fk_note) and run
 * the queue after their last write (ex_fk_fire), as PostgreSQL's RI
 * triggers fire at the end of the statement: a row may reference one the
 * same statement inserts later, and NO ACTION only fails if the key is
 * referenced once the statement is done.  COPY FROM fires after each row.
 */
#ifndef RDB_EXEC_FKEY_H
#define RDB_EXEC_FKEY_H

#include "exec/exec.h"

typedef struct ex_fkq ex_fkq_t;

/* Note a row of tab the statement wrote: oldrow NULL for an INSERT,
 * newrow NULL for a DELETE.  Costs nothing when no foreign key is
 * concerned; otherwise the rows are copied into r->a.  *q is created on
 * first use. */
void ex_fk_note(ex_run_t *r, ex_fkq_t **q, const sql_table_t *tab, const sql_value_t *oldrow,
                const sql_value_t *newrow);
/* Run the checks and actions of q (NULL: nothing to do) and free it.
 * Cascaded changes are written to r->txn and checked in turn. */
rdb_status_t ex_fk_fire(ex_run_t *r, ex_fkq_t *q);
/* Free q without running it (the statement failed). */
void ex_fk_discard(ex_fkq_t *q);

/* DEFERRABLE foreign keys.  A check of a foreign key that is deferred
 * (INITIALLY DEFERRED, or SET CONSTRAINTS ... DEFERRED in the
 * transaction) is not run at the statement's end but kept in
 * *r->fk_deferred: the referencing side's check of a row, and NO ACTION's
 * check of a referenced row's old key (RESTRICT and the actions never
 * wait, as in PostgreSQL).  At COMMIT, ex_fk_deferred_run checks them
 * all; a referencing row deleted or changed since is skipped (its change
 * made its own check). */
typedef struct ex_fk_deferred ex_fk_deferred_t;
/* Are checks waiting in d (NULL: none)? */
bool ex_fk_deferred_pending(const ex_fk_deferred_t *d);
/* Run the waiting checks of *r->fk_deferred: all of them (at COMMIT), or
 * those whose constraint is no longer deferred (after SET CONSTRAINTS ...
 * IMMEDIATE).  A check that fails fails the call (23503). */
rdb_status_t ex_fk_deferred_run(ex_run_t *r, bool all);
/* SET CONSTRAINTS ALL (nnames 0) | names DEFERRED | IMMEDIATE, then the
 * checks it made immediate.  42704 for an unknown name, 42809 for a
 * constraint that is not DEFERRABLE. */
rdb_status_t ex_fk_set_constraints(ex_run_t *r, int nnames, const char *const *names, bool deferred);
void ex_fk_deferred_free(ex_fk_deferred_t *d);

#endif
