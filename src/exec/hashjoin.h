/*
 * hashjoin.h — the non-LATERAL joins: hash join (join keys) and nested
 * loop (no keys), both bounded in memory.
 *
 * Hash join.  The inner (right) side is read into a hash table on its join
 * keys while it fits in hash memory (work_mem x hash_mem_multiplier 2.0,
 * PostgreSQL 15's default); the outer (left) side then probes it row by
 * row.  When the inner side does not fit, the join turns into a grace hash
 * join: every inner row, those in memory first, is written to one of
 * EX_HJ_FANOUT partition files chosen by bits of its key hash, then every
 * outer row to the partition of the same number on its side, and the
 * partitions are joined pair by pair.  A partition pair whose inner side
 * is still too big is partitioned again by other bits of the hash (depth
 * first: its children are joined before its siblings), down to
 * EX_HJ_MAXDEPTH levels.  An inner partition that cannot be split (all its
 * rows have one hash: one skewed key) is joined in blocks: as many inner
 * rows as fit, probed by every outer row of the partition (a bit per outer
 * row remembers which matched in an earlier block), then the next block.
 * So memory stays about hash memory whatever the sizes, and what is on
 * disk is about the two inputs' size.
 *
 * Join types.  Matching rows: a key match that passes the residual
 * condition (semi and anti joins: a key match).  A NULL key never
 * matches: such outer rows go straight to the output (LEFT, FULL, anti)
 * or away; such inner rows are kept aside (RIGHT, FULL: a tuplestore,
 * emitted at the end) or dropped.  RIGHT and FULL emit a partition's (or
 * block's) unmatched inner rows once every outer row of it was probed.
 *
 * Merge join (plan.h merge): mergejoin.h, run from here.
 *
 * Nested loop (no keys).  The inner side goes to a tuplestore (tstore.h,
 * spilling beyond work_mem) read once per outer row; a bit per inner row
 * remembers matches for RIGHT and FULL.
 *
 * Rows come out in no particular order (spilling changes it).  Temporary
 * files are the sort's (extsort.h), removed as each partition is done and
 * by ex_join_free.
 */
#ifndef RDB_EXEC_HASHJOIN_H
#define RDB_EXEC_HASHJOIN_H

#include "exec/exec.h"

#define EX_HJ_FANOUT   32      /* = EX_HSPILL_FANOUT: its partitions */
#define EX_HJ_MAXDEPTH 8
/* Runtime key filters (hashjoin.c): a filter on at most this many keys;
 * an outer scan read by key when the table has at most one key per this
 * many of the scan's estimated rows. */
#define EX_HJ_RF_MAXK  4
#define EX_HJ_POINTS_RATIO 16

typedef struct ex_join ex_join_t;

/* A join of plan p (P_JOIN, not lateral) over the open children left and
 * right (borrowed); out: a row buffer of p->ncols (borrowed). */
ex_join_t *ex_join_new(ex_run_t *r, const plan_t *p, ex_node_t *left, ex_node_t *right, sql_value_t *out);
/* The next joined row (in out), NULL at the end or on error (r->err). */
const sql_value_t *ex_join_next(ex_join_t *j);
/* Frees j and removes its files; NULL is fine. */
void ex_join_free(ex_join_t *j);

/* SET ringdb.join_key_filter = off: the hash joins of p's join tree
 * (not of subqueries in expressions) use no runtime key filters. */
void ex_plan_key_filter_off(plan_t *p);

/* Hash and equality of n key values (NULL equal to NULL), as every
 * executor hash table uses them. */
uint64_t ex_key_hash(const sql_type_t *types, int n, const sql_value_t *k);
bool ex_key_eq(const sql_type_t *types, int n, const sql_value_t *a, const sql_value_t *b);

#endif
