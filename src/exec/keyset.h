/*
 * keyset.h — the keys of a multi-column primary key's key set (plan.h,
 * P_SCAN with kset and kcol -1): WHERE (a, b) IN ((1, 2), (3, 4)) and
 * WHERE a = 1 AND b = ANY ('{...}'), read as batches of point lookups
 * (exec.c's pt_mode, sql_table_get_many) instead of a scan.
 */
#ifndef RDB_EXEC_KEYSET_H
#define RDB_EXEC_KEYSET_H

#include "exec/exec.h"
#include "exec/plan.h"

/* The keys p->kset gives, p->tab->npk values each, in key order without
 * repeats; keys with a NULL, or a value the key column cannot hold (an
 * int4 column is never 2^40), are left out, as no row can match them.
 * *out lives in a. */
rdb_status_t ex_kset_multi_keys(ex_run_t *r, const plan_t *p, rdb_arena_t *a, sql_value_t **out,
                                int64_t *nout);

/* The values a key set conjunct e gives a key column of type ct: col =
 * ANY (array), an OR of col = value, or one col = value; sorted, without
 * repeats, NULLs and values the column cannot hold.  *out lives in a. */
rdb_status_t ex_kset_values(ex_run_t *r, const ex_expr_t *e, sql_type_t ct, rdb_arena_t *a,
                            sql_value_t **out, int *nout);

/* Is conjunct e of p's qual one every key of p's key set satisfies (the
 * key set, or with kcol -1 one of the AND's conjuncts)?  REQUIRES p->kset. */
bool ex_kset_covers(const plan_t *p, const ex_expr_t *e);

#endif
