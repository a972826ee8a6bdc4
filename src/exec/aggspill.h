/*
 * aggspill.h — spill partitions for hash aggregation and hash DISTINCT.
 *
 * PostgreSQL 13's scheme (nodeAgg.c's "hash_spill"): while its groups fit
 * in work_mem, a hash aggregate (or hash DISTINCT) keeps them all in
 * memory.  Once they do not, it stops making new groups: an input row
 * whose group is in memory is still added to it, any other row is
 * written, whole, to one of EX_HSPILL_FANOUT partition files chosen by
 * bits of its group's hash.  When the input ends the groups in memory are
 * emitted and dropped, then each partition is read back as a new input in
 * the same way (its rows spilling one level deeper, by other hash bits).
 * Every group lives in exactly one partition, so every group is emitted
 * exactly once, whole.  No aggregate state is ever written to disk.
 *
 * Partitions wait on a stack: a partition's own spill files are read
 * before its siblings, so at most about fanout x depth files exist.
 * Below EX_HSPILL_MAXDEPTH levels (hash bits run out: only many groups
 * with one hash get there) nothing spills and the run's hard memory limit
 * decides (53200).
 *
 * Files are the sort's temporary row files (extsort.h): in the run's
 * tmp_dir, removed as each partition is read and by ex_hspill_free.
 */
#ifndef RDB_EXEC_AGGSPILL_H
#define RDB_EXEC_AGGSPILL_H

#include "exec/exec.h"

#define EX_HSPILL_FANOUT   32
#define EX_HSPILL_MAXDEPTH 12

typedef struct ex_hspill ex_hspill_t;

/* The partition (0 .. EX_HSPILL_FANOUT-1) of a hash at a level: 5 bits
 * per level from the top of a remixed hash, so hash tables (which use the
 * low bits of the hash itself) still spread a partition's rows over all
 * their buckets.  Also the hash join's partitions (hashjoin.c). */
int ex_hspill_part(uint64_t h, int level);
/* Rows of ncols columns of types (borrowed: must outlive the spill). */
ex_hspill_t *ex_hspill_new(ex_run_t *r, const sql_type_t *types, int ncols);
/* May rows still spill at the current level (see MAXDEPTH)? */
bool ex_hspill_can_spill(const ex_hspill_t *s);
/* Write row to the partition of its group's hash at the current level;
 * RDB_OK or an error in r->err (58030 naming the file). */
rdb_status_t ex_hspill_put(ex_hspill_t *s, uint64_t hash, const sql_value_t *row);
/* Move on to the next partition written and not yet read: true when there
 * is one (its rows come from ex_hspill_read, and rows spilled from now on
 * go one level deeper); false at the end or on error (r->err set). */
bool ex_hspill_next_part(ex_hspill_t *s);
/* The current partition's next row, valid until the next call; NULL at
 * its end or on error (r->err set). */
const sql_value_t *ex_hspill_read(ex_hspill_t *s);
/* Partitions written so far, and the disk space they took (kB). */
int64_t ex_hspill_batches(const ex_hspill_t *s, int64_t *disk_kb);
/* Frees s and removes its files; NULL is fine. */
void ex_hspill_free(ex_hspill_t *s);

#endif
