/*
 * colstats.h — ANALYZE's per-column distributions: the most common values
 * (MCV list) with their frequencies, and an equi-depth histogram of the
 * other values, from a random sample of the table's rows, as PostgreSQL's
 * compute_scalar_stats computes them (default_statistics_target 100: up
 * to 100 MCVs, 101 histogram bounds, a sample of 300 x 100 rows).
 *
 * The sample is a reservoir (Vitter's algorithm R, seeded by the table
 * id, so ANALYZE of the same rows gives the same statistics): every row
 * while fewer than SQL_STATS_SAMPLE were seen, a uniformly random subset
 * after.  A sampled row is kept packed (MessagePack, one malloc'd buffer
 * per row), so memory stays about the sample's size however many rows
 * pass.  A table of at most SQL_STATS_SAMPLE rows is sampled whole, and
 * then the statistics are exactly PostgreSQL's.
 *
 * The results live in sql_column_t (catalog.h: mcv, mcv_freq, hist) and
 * are stored with the table's catalog record; pg_stats shows them and the
 * planner's selectivities read them (exec/plan_sel.c).
 */
#ifndef RDB_SQL_COLSTATS_H
#define RDB_SQL_COLSTATS_H

#include "sql/catalog.h"

#define SQL_STATS_TARGET 100
#define SQL_STATS_SAMPLE (300 * SQL_STATS_TARGET)

typedef struct sql_sample sql_sample_t;

/* A sample of t's rows (t borrowed: must outlive it). */
sql_sample_t *sql_sample_new(const sql_table_t *t);
/* Offer one stored row (indexed by colid) to the sample. */
void sql_sample_add(sql_sample_t *s, const sql_value_t *row);
/* Set the MCV list and histogram of every column of c (a clone of the
 * sample's table) from the sample, in a; totalrows: the rows scanned.
 * RDB_CORRUPTION if a sampled row cannot be read back. */
rdb_status_t sql_sample_stats(sql_sample_t *s, rdb_arena_t *a, sql_table_t *c, uint64_t totalrows,
                              rdb_err_t *err);
void sql_sample_free(sql_sample_t *s);

#endif
