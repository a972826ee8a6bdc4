/*
 * sysscan.h — the executor's and the engine's hooks for the system
 * relations and catalog functions (sysscan.c; sql/syscat.h).
 */
#ifndef RDB_EXEC_SYSSCAN_H
#define RDB_EXEC_SYSSCAN_H

#include "common/backend.h"
#include "exec/exec.h"

/* Register the engine as the source of catalog functions' snapshots. */
void eng_syscat_init(void);
/* The session whose statement runs on this thread (regclass output by
 * name); forget it when it closes. */
void eng_syscat_session(rdb_session_t *s);
void eng_syscat_session_gone(rdb_session_t *s);
/* The rows of the system relation scan p reads, at the run's snapshot,
 * in a: every row, or (when p's qual fixes the relation, as in
 * attrelid = 'x'::regclass) a superset of those the qual keeps. */
rdb_status_t ex_sysscan_rows(ex_run_t *r, const plan_t *p, rdb_arena_t *a, sql_value_t ***rows,
                             int *nrows);

#endif
