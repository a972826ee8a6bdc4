/*
 * db_impl.h — the lsm_db struct shared by db.c (open, write, read,
 * background work) and db_iter.c.
 */
#ifndef RDB_LSM_DB_IMPL_H
#define RDB_LSM_DB_IMPL_H

#include <pthread.h>
#include <stdatomic.h>

#include "lsm/cache.h"
#include "lsm/log.h"
#include "lsm/lsm.h"
#include "lsm/skiplist.h"
#include "lsm/table_cache.h"
#include "lsm/version.h"

/* A thread in lsm_write (or lsm_flush), queued on db->sq (a synced write)
 * or db->wq (an unsynced write, a flush, or a synced group's entry).  It
 * waits on its own mu/cv, not on db->mu, until the leader of its group says
 * it is done or that it leads the next group (state). */
typedef struct lsm_writer {
    lsm_batch_t *batch;   /* NULL: a flush request */
    bool sync;
    int state;            /* under mu: LSM_WRITER_WAIT, _DONE or _LEAD */
    rdb_status_t status;  /* set before state becomes _DONE */
    rdb_err_t err;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct lsm_writer *next;
    /* a synced group's entry on db->wq: the writers first..last of db->sq
     * (linked by next there), whose batches it appends as one WAL write */
    struct lsm_writer *first, *last;
} lsm_writer_t;

enum { LSM_WRITER_WAIT, LSM_WRITER_DONE, LSM_WRITER_LEAD };

/* A write group between its WAL write and its completion (db->gq). */
typedef struct lsm_group {
    lsm_mem_t *mem;       /* the memtable of the WAL it was written to */
    struct lsm_group *next;
} lsm_group_t;

/* A WAL fdatasync in progress (db->syncs). */
typedef struct lsm_wal_sync {
    uint64_t id;
    struct lsm_wal_sync *next;
} lsm_wal_sync_t;

struct lsm_db {
    char *dir;
    lsm_options_t o;
    int lock_fd;
    pthread_mutex_t mu;
    pthread_cond_t bg_cv, done_cv;
    pthread_t *bg;         /* o.compaction_threads of them */
    int nbg;
    pthread_t syncer;      /* LSM_SYNC_PERIODIC only */
    bool has_syncer;
    pthread_cond_t sync_cv;
    bool shutting_down;
    bool opened;           /* recovery done: see lsm_db_delete_obsolete */
    bool flushing;         /* a thread is writing imm to L0 (until its
                              edit is installed)                         */
    bool manifest_busy;    /* a thread writes an edit (lsm_db_log_and_apply) */
    bool manifest_failed;  /* a manifest write or sync failed: no more edits */
    pthread_cond_t manifest_cv; /* manifest_busy went false               */
    bool manual_running;   /* lsm_compact_all runs: nothing else starts  */
    struct lsm_running *running; /* compactions in progress (compact.c)   */
    int nrunning, max_running;   /* now, and the most at once (stats)     */
    uint64_t manual_req, manual_done; /* lsm_compact_range tickets */
    rdb_buf_t compact_ptr[LSM_MAX_LEVELS]; /* round robin per level  */
    rdb_err_t bg_err;

    lsm_mem_t *mem, *imm;
    uint64_t pending_from;   /* tables numbered >= this may be compaction
                                outputs in progress: never obsolete */
    atomic_bool imm_pending; /* imm is waiting: compactions yield to it */
    lsm_vers_t *cur;
    lsm_log_writer_t wal;
    uint64_t wal_number, log_number, next_file, manifest_number;
    /* The WAL switch (db.c, switch_memtable) does no file I/O under mu:
     * the next segment is created ahead (next_wal, fd -1 if none), and the
     * segment switched from (prev_wal, fd -1 once closed) is fdatasynced
     * and closed by the flush of its memtable.  Every wal_sync syncs
     * prev_wal first while it is unsynced, so no sync of a newer segment
     * completes before the older one is durable.  The first group written
     * to a new segment starts with a marker (wal_mark) naming the segment
     * before it and its length, which recovery checks. */
    lsm_log_writer_t next_wal, prev_wal;
    uint64_t next_wal_number;
    bool prev_synced;
    bool wal_mark;
    uint64_t mark_number, mark_size;
    lsm_log_writer_t manifest;
    lsm_writer_t *wq_head, *wq_tail;
    /* Synced writers (db.c, sync_write): the head's group is in its WAL
     * write or fdatasync; those behind it form the next group. */
    lsm_writer_t *sq_head, *sq_tail;
    int sq_len;           /* writers on sq, in a group or waiting          */
    int sq_free;          /* those not yet taken into a group              */
    int sq_want;          /* a gathering leader waits for this many (sq_cv) */
    int sq_last;          /* writers of the last synced group              */
    uint64_t sync_us;     /* group fdatasync time, moving average          */
    pthread_cond_t sq_cv;
    rdb_buf_t group;      /* leader's framed records */
    /* Write groups in the WAL but not yet applied (pipelined group
     * commit, db.c), in WAL order: a synced group completes once every
     * earlier one has; an unsynced one as soon as it is in the memtable. */
    lsm_group_t *gq_head, *gq_tail;
    int inflight;
    bool mem_busy;        /* a group is inserting into the memtable */
    bool wal_failed;      /* a WAL write or sync failed: later groups fail */
    pthread_cond_t commit_cv;
    /* WAL fdatasyncs running (wal_sync): they share the file's error
     * state, so a sync is good only if none that overlapped it failed. */
    lsm_wal_sync_t *syncs;
    uint64_t sync_ids;

    lsm_cache_t *cache;
    lsm_tcache_t *tcache;    /* open tables, at most o.max_open_files */
    _Atomic uint64_t horizon;
    pthread_rwlock_t drop_mu;   /* held (read) by a compaction for its run */
    lsm_drop_fn      drop_fn;   /* lsm_set_drop_filter, under drop_mu     */
    void            *drop_ctx;

    /* statistics (atomics or under mu) */
    uint64_t cache_hits, cache_misses;
    _Atomic uint64_t bloom_useful, slowdowns, stalls, stall_micros, compactions, cbytes_read,
        cbytes_written, flushes, wal_bytes, wal_syncs, writes, sync_groups,
        sync_micros, gather_micros;
};

typedef struct lsm_out_table {
    lsm_table_builder_t *b;
    lsm_file_t *f;
    char *path;
} lsm_out_table_t;

/* Helpers db.c shares with compact.c.  "Holds mu" ones expect db->mu on
 * entry and return with it; "releases" ones let it go for their I/O
 * (file deletions, the manifest's write and fsync), so the caller
 * re-checks any state it read before. */
rdb_status_t lsm_db_log_and_apply(lsm_db_t *db, lsm_edit_t *e, rdb_err_t *err); /* releases */
void lsm_db_delete_obsolete(lsm_db_t *db);                                     /* releases */
/* Drops a reference to v with mu released: the last one deletes the
 * tables only v still held. */
void lsm_db_vers_unref_unlocked(lsm_db_t *db, lsm_vers_t *v);                  /* releases */
rdb_status_t lsm_db_flush_imm(lsm_db_t *db, rdb_err_t *err);                   /* releases */
rdb_status_t lsm_db_out_open(lsm_db_t *db, uint64_t num, lsm_out_table_t *o, rdb_err_t *err);
void lsm_db_out_add(lsm_out_table_t *o, const char *k, size_t kn, const char *v, size_t vn,
                    rdb_status_t *s, rdb_err_t *err);
rdb_status_t lsm_db_out_finish(lsm_db_t *db, lsm_out_table_t *o, rdb_status_t s, rdb_err_t *err);

/* compact.c; all hold mu (released while merging). */
bool lsm_compact_needed(lsm_db_t *db);
/* Runs the compaction of the level most over its budget whose inputs no
 * running compaction holds; *did false if every candidate was busy. */
rdb_status_t lsm_compact_some(lsm_db_t *db, bool *did, rdb_err_t *err);
rdb_status_t lsm_compact_all(lsm_db_t *db, rdb_err_t *err);   /* everything to one bottom level */
void lsm_compact_free_running(lsm_db_t *db);                  /* at close */

/* Pins the current memtables and version for a reader. */
void lsm_db_pin(lsm_db_t *db, lsm_mem_t **mem, lsm_mem_t **imm, lsm_vers_t **v);

#endif
