/*
 * regexp.h — the set-returning regular-expression functions
 * (regexp_matches, regexp_split_to_table) for the executor's function
 * scan; implemented in src/sql/types/fn_string.c with the scalar ones.
 */
#ifndef RDB_SQL_REGEXP_H
#define RDB_SQL_REGEXP_H

#include "sql/types.h"

typedef enum { SQL_REGEXP_MATCHES, SQL_REGEXP_SPLIT } sql_regexp_srf_t;

/* All rows of regexp_matches(s, p[, flags]) (text[] values) or of
 * regexp_split_to_table(s, p[, flags]) (text values), allocated in a;
 * args are the non-NULL arguments as text. */
rdb_status_t sql_regexp_rows(rdb_arena_t *a, sql_regexp_srf_t what, int nargs, const sql_value_t *args,
                             int *n, sql_value_t **rows, rdb_err_t *err);

#endif
