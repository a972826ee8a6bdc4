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

#endif
