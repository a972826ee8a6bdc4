/*
 * table.h — rows and index entries of a table in the key/value store.
 *
 * Owned by the catalog/DDL side; the executor calls it.  Everything about
 * the key layout (catalog.h) stays here: the executor hands whole rows in
 * and gets whole rows out.
 *
 * A row is an array of t->nrowcols sql_value_t indexed by colid (entries of
 * dropped columns are NULL).  Decoded variable-length bytes live in the
 * arena passed in.
 *
 * Constraints checked here: PRIMARY KEY and UNIQUE (23505, with PostgreSQL's
 * message 'duplicate key value violates unique constraint "t_pkey"' and
 * detail 'Key (id)=(1) already exists.'), except DEFERRABLE UNIQUE ones,
 * which the executor checks later (exec/fkey.h, sql_table_unique_recheck).
 * NOT NULL, CHECK and defaults need expressions and are the executor's,
 * before it calls insert/update.
 */
#ifndef RDB_SQL_TABLE_H
#define RDB_SQL_TABLE_H

#include "common/arena.h"
#include "common/buf.h"
#include "sql/catalog.h"
#include "txn/txn.h"

/* Insert a new row.  on_conflict_nothing: a duplicate key is not an error,
 * *inserted says whether the row went in (ON CONFLICT DO NOTHING). */
rdb_status_t sql_table_insert(txn_t *t, const sql_table_t *tab, const sql_value_t *row,
                              bool on_conflict_nothing, bool *inserted, rdb_err_t *err);
/* The same with ON CONFLICT (cols) / ON CONSTRAINT: only a conflict on the
 * arbiter index (NULL = any) is skipped, another index's raises 23505. */
rdb_status_t sql_table_insert_arbiter(txn_t *t, const sql_table_t *tab, const sql_value_t *row,
                                      bool on_conflict_nothing, const sql_index_t *arbiter,
                                      bool *inserted, rdb_err_t *err);
/* Bulk inserts (COPY FROM, txn.h's txn_put_new): a table without UNIQUE
 * indexes besides its primary key may take its rows this way.  Each row's
 * key is checked against the snapshot and the transaction's earlier writes
 * at once (23505), duplicates among the bulk's own rows only by
 * sql_table_check_new, which the caller must call before it commits: it
 * raises 23505 for the earliest repeated row and sets *tag to its tag.
 * bk holds buffers reused from row to row (zeroed first; sql_bulk_free). */
typedef struct sql_bulk {
    rdb_buf_t pk, key, val;
    int       empty;  /* the table had no row at the first insert: 1, else -1 (0: not known yet) */
} sql_bulk_t;
bool sql_table_bulk_ok(const sql_table_t *tab);
rdb_status_t sql_table_insert_new(txn_t *t, const sql_table_t *tab, const sql_value_t *row,
                                  uint64_t tag, sql_bulk_t *bk, rdb_err_t *err);
rdb_status_t sql_table_check_new(txn_t *t, const sql_table_t *tab, rdb_arena_t *a, uint64_t *tag,
                                 rdb_err_t *err);
void sql_bulk_free(sql_bulk_t *bk);
/* Replace old (as read by a scan) by new; handles a changed primary key and
 * index maintenance. */
rdb_status_t sql_table_update(txn_t *t, const sql_table_t *tab, const sql_value_t *oldrow,
                              const sql_value_t *newrow, rdb_err_t *err);
rdb_status_t sql_table_delete(txn_t *t, const sql_table_t *tab, const sql_value_t *row,
                              rdb_err_t *err);
/* Delete every row and index entry of the table (TRUNCATE). */
rdb_status_t sql_table_truncate(txn_t *t, const sql_table_t *tab, rdb_err_t *err);

/* A DEFERRABLE unique index's check, run later than the writes (which
 * skip it): 23505 with PostgreSQL's message and detail if more than one
 * live row holds row's values of ix's columns (none NULL). */
rdb_status_t sql_table_unique_recheck(txn_t *t, const sql_table_t *tab, const sql_index_t *ix,
                                      const sql_value_t *row, rdb_err_t *err);

/* The key of the lock on row's value of unique index ix (exec/dml.h's
 * ex_lock_unique): be32 index id ‖ the indexed columns' encoding, appended
 * to k.  Index and table ids come from one counter, so it never equals a
 * row lock's key (be32 table id ‖ primary key).  False (nothing appended)
 * when ix is not unique or one of its columns is NULL in row: no check. */
bool sql_table_unique_lock_key(rdb_buf_t *k, const sql_table_t *tab, const sql_index_t *ix,
                               const sql_value_t *row);

/* Point lookup by primary key (npk values in pk_colids order). */
rdb_status_t sql_table_get(txn_t *t, const sql_table_t *tab, const sql_value_t *pk,
                           rdb_arena_t *a, sql_value_t *row, bool *found, rdb_err_t *err);

/* Is there a row with that primary key (npk values in pk_colids order)? */
/* sql_table_get of n keys (pkv: n x npk values, rows: n x nrowcols,
 * found: n), read together (txn_get_many); rows live in a. */
rdb_status_t sql_table_get_many(txn_t *t, const sql_table_t *tab, int n, const sql_value_t *pkv,
                                rdb_arena_t *a, sql_value_t *rows, bool *found, rdb_err_t *err);
rdb_status_t sql_table_exists(txn_t *t, const sql_table_t *tab, const sql_value_t *pk, bool *found,
                              rdb_err_t *err);

/* Scans.  A full scan, or (range-partitioned tables, and hash-partitioned
 * ones with the whole key given) a range over the leading primary-key
 * columns: lo / hi hold nlo / nhi leading pk values, NULL = unbounded. */
typedef struct sql_scan sql_scan_t;
typedef struct sql_scan_range {
    int                nlo, nhi;
    const sql_value_t *lo, *hi;
    bool               lo_incl, hi_incl;
} sql_scan_range_t;
sql_scan_t *sql_scan_open(txn_t *t, const sql_table_t *tab, const sql_scan_range_t *range);
/* Next row into row (nrowcols values, bytes in a); false at end or error. */
bool sql_scan_next(sql_scan_t *s, rdb_arena_t *a, sql_value_t *row);
rdb_status_t sql_scan_status(const sql_scan_t *s, rdb_err_t *err);
/* A full scan of slice part of nparts of a hash-partitioned table: the
 * token space cut into nparts equal ranges (a parallel scan runs one per
 * thread; together they see every row once).  REQUIRES: tab->hash_partitioned,
 * 0 <= part < nparts.  Scans of one txn may run in different threads at
 * once only while the txn buffers no writes (txn_has_writes false). */
sql_scan_t *sql_scan_open_part(txn_t *t, const sql_table_t *tab, int part, int nparts);

/* For a caller that uses each row only until its next call (the executor):
 * variable-length values point into the storage iterator's buffers instead
 * of being copied into a, and only the columns with need[colid] set
 * (nrowcols entries; NULL = all) are decoded, the others read as NULL.
 * Rows are then valid until the next sql_scan_next or sql_scan_close.
 * Call before the first sql_scan_next; need is copied. */
void sql_scan_set_borrow(sql_scan_t *s, const bool *need);
/* An index scan reads its entries ahead and their rows together
 * (txn_get_many): n in the first batch (a LIMIT's rows; 0: a few), twice
 * as many in each next, up to 64.  Call before the first sql_scan_next. */
void sql_scan_set_ahead(sql_scan_t *s, int n);
/* Read the scan's range in descending key order (an Index Scan Backward).
 * REQUIRES: before the first sql_scan_next; not a hash-partitioned
 * table's key range (that one filters a whole-table scan). */
void sql_scan_reverse(sql_scan_t *s);
void sql_scan_close(sql_scan_t *s);

/* A rough row count of a hash-partitioned table, from the rows of a
 * small slice of its token space (a planning estimate without ANALYZE;
 * costs one short scan). */
uint64_t sql_table_estimate_rows(txn_store_t *st, const sql_table_t *tab);

/* Index scan: rows whose indexed columns equal the nvals leading values
 * (or fall in the range), in index order. */
sql_scan_t *sql_index_scan_open(txn_t *t, const sql_table_t *tab, const sql_index_t *ix,
                                const sql_scan_range_t *range);

/* --- whole-table work for DDL (catalog/DDL side extensions) --- */

/* Write the entries of index ix (already part of t) for every row of t;
 * 23505 'could not create unique index "ix"' with detail
 * 'Key (a)=(1) is duplicated.' for a unique index over duplicates. */
rdb_status_t sql_index_build(txn_t *t, const sql_table_t *tab, const sql_index_t *ix,
                             rdb_err_t *err);
/* Delete every entry of an index (DROP INDEX / DROP CONSTRAINT). */
rdb_status_t sql_index_delete_entries(txn_t *t, const sql_index_t *ix, rdb_err_t *err);
/* Move every row from the key layout of `from` to that of `to` (same id;
 * e.g. ADD PRIMARY KEY: hidden row id -> pk, or DROP of the primary key),
 * rewriting the index entries of both.  23505 / 23502 as PostgreSQL's
 * index build reports them. */
rdb_status_t sql_table_rewrite(txn_t *t, const sql_table_t *from, const sql_table_t *to,
                               rdb_err_t *err);
/* As sql_table_rewrite, with fn changing each row (decoded with `from`'s
 * layout, nrowcols of the wider of the two) before it is written with
 * `to`'s: ALTER COLUMN TYPE.  Values fn makes may live in a. */
typedef rdb_status_t (*sql_row_map_fn)(void *arg, sql_value_t *row, rdb_arena_t *a,
                                       rdb_err_t *err);
rdb_status_t sql_table_rewrite_map(txn_t *t, const sql_table_t *from, const sql_table_t *to,
                                   sql_row_map_fn fn, void *arg, rdb_err_t *err);
/* 23502 'column "c" of relation "t" contains null values' if a row has
 * NULL in colid (SET NOT NULL). */
rdb_status_t sql_table_check_not_null(txn_t *t, const sql_table_t *tab, uint16_t colid,
                                      rdb_err_t *err);

/* "Key (a, b)=(1, x)" of the columns colids of row, for error details. */
void sql_key_detail(rdb_buf_t *b, const sql_table_t *t, int ncols, const uint16_t *colids,
                    const sql_value_t *row);

/* Encode/decode a row value (for COPY fast paths and tests). */
/* Erase the index entries that older versions of the row at rowkey implied
 * and its newest version does not (the losers of concurrent UPDATEs of an
 * indexed column on different nodes): each at the newest version's stamp,
 * replicated like a commit (txn_store_erase_at).  *erased: how many. */
rdb_status_t sql_table_sweep_row(txn_store_t *st, const sql_table_t *t, const char *rowkey,
                                 size_t rklen, size_t *erased, rdb_err_t *err);
void sql_row_encode(rdb_buf_t *out, const sql_table_t *tab, const sql_value_t *row);
rdb_status_t sql_row_decode(rdb_arena_t *a, const sql_table_t *tab, const char *p, size_t len,
                            sql_value_t *row, rdb_err_t *err);

#endif
