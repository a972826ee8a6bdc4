/*
 * lsm.h — ringdb's storage engine: a multi-version ordered key/value store.
 *
 * One lsm_db_t per node holds every byte of its state (DESIGN.md §3).  Every
 * record is (user_key, version) -> value | tombstone, where a version is
 * (hlc, node_id), totally ordered by hlc then node_id.  Internally the key is
 * user_key ‖ version with newer versions sorting first.
 *
 * Reads take a snapshot: an HLC value S.  A read returns, per user key, the
 * newest version whose hlc <= S (LSM_SNAPSHOT_LATEST sees everything), and
 * hides the key when that version is a tombstone.  Writes are blind puts of
 * a given version: applying the same version twice is harmless and applying
 * versions in any order converges, so replication never reads before writing.
 *
 * Garbage collection: compaction may drop a version shadowed by a newer one,
 * and a tombstone with nothing older below it, only when both are older than
 * the GC horizon the caller sets with lsm_set_gc_horizon (the oldest open
 * snapshot minus the tombstone grace period, computed above this layer).
 * Until the first call the horizon is 0: nothing is ever dropped.
 *
 * Threads: every function is thread-safe.  Many readers and writers run at
 * once; readers never wait for flushes or compactions.  An iterator belongs
 * to one thread at a time and pins the files it reads until freed.
 * Batches are atomic across crashes; a reader running concurrently with
 * lsm_write may see part of a batch that is being applied (there are no
 * sequence numbers: visibility is by version, i.e. by snapshot HLC).
 *
 * Errors: functions return RDB_OK, RDB_NOTFOUND (lsm_get only), or an error
 * status with err set; corruption is RDB_CORRUPTION with a message naming
 * the file and offset.  Detected corruption is never served as data.
 *
 * Ownership: the caller owns batches, iterators and buffers it passes in;
 * pointers returned by iterator accessors are valid until the iterator
 * moves or is freed.
 */
#ifndef RDB_LSM_LSM_H
#define RDB_LSM_LSM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/error.h"
#include "common/log.h"

typedef struct lsm_db lsm_db_t;
typedef struct lsm_batch lsm_batch_t;
typedef struct lsm_iter lsm_iter_t;

typedef struct lsm_version {
    uint64_t hlc;     /* physical ms << 16 | logical counter (DESIGN.md §4) */
    uint16_t node_id; /* tie-breaker: equal hlc, higher node_id is newer   */
} lsm_version_t;

#define LSM_SNAPSHOT_LATEST UINT64_MAX
#define LSM_MAX_KEY_SIZE    (64u * 1024u)         /* user key, bytes */
#define LSM_MAX_VALUE_SIZE  (256u * 1024u * 1024u)

/* <0, 0, >0 as a is older than, equal to, newer than b. */
static inline int lsm_version_cmp(lsm_version_t a, lsm_version_t b)
{
    if (a.hlc != b.hlc)
        return a.hlc < b.hlc ? -1 : 1;
    return a.node_id < b.node_id ? -1 : a.node_id > b.node_id;
}

typedef enum lsm_sync_mode {
    LSM_SYNC_COMMIT = 0,   /* fdatasync before lsm_write returns (group commit) */
    LSM_SYNC_PERIODIC,     /* fdatasync every sync_period_ms                     */
    LSM_SYNC_NONE,         /* leave it to the OS (benchmarks, tests)            */
} lsm_sync_mode_t;

typedef enum lsm_compression {
    LSM_COMPRESS_NONE = 0, /* DO NOT CHANGE: embedded in the on-disk format */
    LSM_COMPRESS_LZ4 = 1,
    LSM_COMPRESS_ZSTD = 2,
} lsm_compression_t;

typedef struct lsm_env lsm_env_t; /* file-system layer; NULL = the real one */

typedef struct lsm_options {
    size_t              memtable_size;      /* bytes before a memtable is frozen (64 MiB) */
    size_t              block_cache_size;   /* shared block cache, bytes (64 MiB)          */
    size_t              block_size;         /* SSTable data block target (4 KiB)          */
    size_t              target_file_size;   /* SSTable size target (64 MiB)               */
    int                 bloom_bits_per_key; /* 10 -> ~1% false positives; 0 = none        */
    lsm_compression_t   compression;        /* LSM_COMPRESS_LZ4                           */
    lsm_sync_mode_t     sync_mode;          /* LSM_SYNC_COMMIT                            */
    int                 sync_period_ms;     /* for LSM_SYNC_PERIODIC (100)                */
    int                 l0_slowdown_trigger;/* L0 files before writes are slowed (8)      */
    int                 l0_stop_trigger;    /* L0 files before writes stall (12)          */
    int                 compaction_threads; /* background threads: flushes and compactions
                                               on disjoint inputs, in parallel (2)        */
    int                 max_open_files;     /* tables kept open, LRU (1000); their index,
                                               filter and summary bytes are charged to the
                                               block cache, at most half of it             */
    bool                create_if_missing;  /* true                                       */
    bool                error_if_exists;    /* false                                      */
    const rdb_logger_t *logger;             /* NULL = rdb_logger_default()                */
    lsm_env_t          *env;                /* NULL = real file system                    */
    /* Tests: called on the syncing thread before each fdatasync of the
     * WAL by a write or lsm_sync_wal; a non-zero errno fails that sync as
     * if fdatasync had (NULL: none). */
    int               (*wal_sync_hook)(void *ctx);
    void               *wal_sync_hook_ctx;
    /* Tests: called on the background thread writing a version edit to the
     * MANIFEST (a flush's or a compaction's), after the write and before
     * its fdatasync, without the store's mutex; a non-zero errno fails
     * that sync (NULL: none). */
    int               (*manifest_sync_hook)(void *ctx);
    void               *manifest_sync_hook_ctx;
} lsm_options_t;

void lsm_options_default(lsm_options_t *opts);

rdb_status_t lsm_open(const char *dir, const lsm_options_t *opts, lsm_db_t **out, rdb_err_t *err);
/* Waits for background work, syncs the WAL, frees everything. */
void lsm_close(lsm_db_t *db);

/* --- writes -------------------------------------------------------------- */

lsm_batch_t *lsm_batch_new(void);
void lsm_batch_free(lsm_batch_t *b);
void lsm_batch_clear(lsm_batch_t *b);
void lsm_batch_put(lsm_batch_t *b, const void *key, size_t klen, lsm_version_t v,
                   const void *value, size_t vlen);
void lsm_batch_delete(lsm_batch_t *b, const void *key, size_t klen, lsm_version_t v);
/* Room for about `bytes` more of records, so that a large batch built
 * in one go grows its buffer once. */
void lsm_batch_reserve(lsm_batch_t *b, size_t bytes);
size_t lsm_batch_count(const lsm_batch_t *b);
size_t lsm_batch_byte_size(const lsm_batch_t *b);

typedef struct lsm_write_options {
    bool sync; /* false: skip the fsync even in LSM_SYNC_COMMIT mode */
} lsm_write_options_t;

/* Atomically apply every record of the batch: after a crash either all of it
 * or none of it is visible.  With LSM_SYNC_COMMIT (and wo->sync or wo NULL)
 * the batch is durable on return, and visible only once it and every batch
 * written to the WAL before it are.  An unsynced batch (wo->sync false) is
 * visible on return even if a synced batch written before it is still in
 * its fsync (that one has not returned to anyone yet); a crash keeps a
 * prefix of the WAL, so the unsynced batch never survives without the
 * earlier ones.  Keys over LSM_MAX_KEY_SIZE: RDB_INVALID. */
rdb_status_t lsm_write(lsm_db_t *db, const lsm_write_options_t *wo, lsm_batch_t *b, rdb_err_t *err);
/* Make every lsm_write that returned before this call durable (fdatasync of
 * the WAL), without holding up writers meanwhile: a writer that skipped the
 * fsync (wo->sync false) is visible at once and durable after this.  No-op
 * with LSM_SYNC_NONE.  A failed fsync leaves the WAL in an unknown state:
 * it is reported, and every later write fails; so is a failure of any WAL
 * fsync that overlapped this one (the kernel reports a write-back error to
 * one fsync only), which may make it wait for that one to end. */
rdb_status_t lsm_sync_wal(lsm_db_t *db, rdb_err_t *err);

/* --- reads --------------------------------------------------------------- */

typedef struct lsm_read_options {
    uint64_t    snapshot;    /* HLC; LSM_SNAPSHOT_LATEST = newest          */
    const void *lower_bound; /* inclusive, NULL = none (iterators)         */
    size_t      lower_len;
    const void *upper_bound; /* exclusive, NULL = none (iterators)         */
    size_t      upper_len;
    bool        fill_cache;  /* default true; false for scans that would flush the cache */
    bool        raw;         /* iterators: every version, tombstones too   */
} lsm_read_options_t;

void lsm_read_options_default(lsm_read_options_t *ro);

/* Newest visible version of key at ro->snapshot (ro NULL = latest).
 * RDB_NOTFOUND if absent or deleted.  value (may be NULL) is replaced by the
 * value; version (may be NULL) gets the version read. */
rdb_status_t lsm_get(lsm_db_t *db, const lsm_read_options_t *ro, const void *key, size_t klen,
                     rdb_buf_t *value, lsm_version_t *version, rdb_err_t *err);
/* n point reads at one snapshot: the results of lsm_get on each key
 * (keys[i], klens[i] bytes; any order, repeats allowed), read together
 * so that their cache misses overlap (one pin of the memtables and
 * files for all).  res[i].found; a found key's value is appended to vals
 * (res[i].voff, res[i].vlen: offsets, as vals may move while it grows). */
typedef struct lsm_get_result {
    bool   found;
    size_t voff, vlen;
} lsm_get_result_t;
rdb_status_t lsm_get_many(lsm_db_t *db, const lsm_read_options_t *ro, int n, const void *const *keys,
                          const size_t *klens, lsm_get_result_t *res, rdb_buf_t *vals, rdb_err_t *err);
/* As lsm_get, but a tombstone is returned (RDB_OK, *is_tombstone = true)
 * with its version: for read repair and replication. */
rdb_status_t lsm_get_versioned(lsm_db_t *db, const lsm_read_options_t *ro, const void *key,
                               size_t klen, rdb_buf_t *value, lsm_version_t *version,
                               bool *is_tombstone, rdb_err_t *err);

/* Iterators.  Default mode: one entry per user key, the newest version
 * visible at the snapshot, tombstoned keys skipped.  Raw mode: every
 * version of every key in (user_key asc, version desc) order, tombstones
 * included.  Bounds restrict both. */
lsm_iter_t *lsm_iter_new(lsm_db_t *db, const lsm_read_options_t *ro);
void lsm_iter_free(lsm_iter_t *it);
void lsm_iter_seek_first(lsm_iter_t *it);
void lsm_iter_seek_last(lsm_iter_t *it);
void lsm_iter_seek(lsm_iter_t *it, const void *key, size_t klen);     /* first key >= key */
void lsm_iter_seek_for_prev(lsm_iter_t *it, const void *key, size_t klen); /* last key <= key */
void lsm_iter_next(lsm_iter_t *it);
void lsm_iter_prev(lsm_iter_t *it);
bool lsm_iter_valid(const lsm_iter_t *it);
const char *lsm_iter_key(const lsm_iter_t *it, size_t *klen);
const char *lsm_iter_value(const lsm_iter_t *it, size_t *vlen);
lsm_version_t lsm_iter_version(const lsm_iter_t *it);
bool lsm_iter_is_tombstone(const lsm_iter_t *it); /* raw mode only */
/* RDB_OK, or the error that made the iterator invalid (e.g. corruption). */
rdb_status_t lsm_iter_status(const lsm_iter_t *it, rdb_err_t *err);

/* --- maintenance and introspection -------------------------------------- */

void lsm_set_gc_horizon(lsm_db_t *db, uint64_t hlc);
/* A compaction filter: compactions that rewrite a record ask fn whether to
 * drop it (true: the version is left out of the output, tombstone or not,
 * with no tombstone in its place).  For data this store no longer has to
 * keep (a cluster node's copy of ranges moved to other replicas); fn is
 * called on compaction threads, must be thread-safe and quick.  Records in
 * the memtable are filtered once flushed; lsm_compact_range rewrites every
 * file.  Setting (or clearing, fn NULL) waits for running compactions, so
 * after it returns the old fn is no longer called. */
typedef bool (*lsm_drop_fn)(void *ctx, const void *key, size_t klen, lsm_version_t v);
void lsm_set_drop_filter(lsm_db_t *db, lsm_drop_fn fn, void *ctx);
/* Freeze the memtable and wait until it is on disk as an SSTable. */
rdb_status_t lsm_flush(lsm_db_t *db, rdb_err_t *err);
/* Compact every file overlapping [start, end) (NULL = unbounded) down the
 * levels, waiting until done. */
rdb_status_t lsm_compact_range(lsm_db_t *db, const void *start, size_t slen,
                               const void *end, size_t elen, rdb_err_t *err);
/* Approximate bytes on disk (plus memtable) for user keys in [start, end). */
uint64_t lsm_approximate_size(lsm_db_t *db, const void *start, size_t slen,
                              const void *end, size_t elen);

#define LSM_MAX_LEVELS 7

typedef struct lsm_stats {
    int      level_files[LSM_MAX_LEVELS];
    uint64_t level_bytes[LSM_MAX_LEVELS];
    uint64_t memtable_bytes;        /* active + immutable                */
    uint64_t block_cache_bytes;     /* in use                            */
    uint64_t block_cache_capacity;
    uint64_t block_cache_hits;
    uint64_t block_cache_misses;
    uint64_t bloom_useful;          /* point reads a bloom filter skipped */
    int      open_tables;           /* in the table cache (<= max_open_files) */
    uint64_t table_opens;           /* tables opened since lsm_open      */
    uint64_t write_slowdowns;       /* writes delayed by L0 pressure     */
    uint64_t write_stalls;          /* writes that waited for a stall    */
    uint64_t stall_micros;
    uint64_t compactions;
    int      compactions_parallel_max; /* most compactions running at once */
    uint64_t compaction_bytes_read;
    uint64_t compaction_bytes_written;
    uint64_t flushes;
    uint64_t wal_bytes;
    uint64_t wal_syncs;             /* fdatasync calls (group commit)    */
    uint64_t writes;                /* lsm_write calls                   */
    uint64_t sync_groups;           /* groups of synced writes (one fdatasync each) */
    int      sync_queued;           /* synced writes in a group or waiting for one */
    uint64_t sync_micros;           /* in the groups' fdatasyncs          */
    uint64_t gather_micros;         /* leaders waiting for their group    */
    uint64_t memtable_switches;     /* new WAL segment + memtable          */
    uint64_t switch_max_micros;     /* the longest a switch held the store mutex */
    /* The open tables' index blocks, filters and index summaries: charged
     * to the block cache (block_cache_bytes + block_cache_charged stay
     * within block_cache_capacity) and bounded by table_meta_budget (half
     * the cache), beyond which the least recently used tables are closed. */
    uint64_t table_meta_bytes;      /* held by the table cache's tables  */
    uint64_t table_meta_budget;
    uint64_t block_cache_charged;   /* by every open table, in use too   */
} lsm_stats_t;

void lsm_get_stats(lsm_db_t *db, lsm_stats_t *stats);
/* Human-readable multi-line summary, appended to out. */
void lsm_stats_format(const lsm_stats_t *stats, rdb_buf_t *out);

#endif
