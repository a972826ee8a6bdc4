/*
 * txn.h — transactions over the node's versioned store (DESIGN.md §7).
 *
 * Every SQL statement, DDL included, reads and writes through a txn_t:
 *
 *   - reads see a snapshot: for every key, the newest version whose hlc is
 *     at or below the snapshot taken at txn_begin, overlaid with the
 *     transaction's own buffered writes (read-your-writes);
 *   - writes (puts and deletes) are buffered in the transaction, in memory,
 *     and nothing reaches the store before txn_commit;
 *   - txn_commit stamps every write with ONE version (a fresh HLC tick and
 *     this node's id) and applies them as ONE atomic lsm batch, then hands
 *     the batch to the commit hook (the cluster layer replicates it).
 *
 * So a statement that fails half-way is undone by txn_abort, and a crash
 * leaves a transaction either wholly applied or absent.  Conflict detection
 * (first committer wins), row locks and 2PL are the transactions issue's and
 * will sit behind this same interface (txn_commit may then fail with 40001).
 *
 * Catalog generation.  The store counts changes to the system catalog (keys
 * starting with TXN_PREFIX_CATALOG): every commit that writes one, and every
 * replicated batch applied through txn_store_apply that holds one, bumps
 * txn_store_catalog_gen().  Catalog caches compare it to know when to reload,
 * so a catalog change made on another node takes effect here too.
 *
 * Threads.  A txn_store_t is shared by all sessions of a node and is
 * thread-safe.  One txn_t is used by one thread at a time.
 */
#ifndef RDB_TXN_TXN_H
#define RDB_TXN_TXN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cluster/hlc.h"
#include "cluster/replica.h"
#include "common/buf.h"
#include "common/error.h"
#include "lsm/lsm.h"

/* Key prefixes of DESIGN.md §3.  Keys starting with 0x00 are node-local
 * bookkeeping (e.g. the clock ceiling) and are never replicated. */
#define TXN_PREFIX_LOCAL   0x00
#define TXN_PREFIX_CATALOG 0x01
#define TXN_PREFIX_ROW     0x02
#define TXN_PREFIX_INDEX   0x03

typedef struct txn_store txn_store_t;
typedef struct txn       txn_t;
typedef struct txn_iter  txn_iter_t;

/* Called after a commit was applied locally (and is durable as the store's
 * sync mode says), with the batch and its version, on the committing
 * thread.  An error fails the commit as the caller sees it (e.g. 57P03 when
 * a QUORUM was not reached); the local write stays, as in any LWW store. */
typedef rdb_status_t (*txn_commit_hook_fn)(void *ctx, lsm_batch_t *batch, lsm_version_t version,
                                           rdb_err_t *err);

/* db and hlc are borrowed and must outlive the store. */
rdb_status_t txn_store_open(lsm_db_t *db, uint16_t node_id, clu_hlc_t *hlc, txn_store_t **out,
                            rdb_err_t *err);
void txn_store_close(txn_store_t *st);
void txn_store_set_commit_hook(txn_store_t *st, txn_commit_hook_fn fn, void *ctx);
/* A commit hook in two halves, used by commits instead of the hook when
 * set (the hook still serves txn_store_erase_at): start runs BEFORE the
 * local write, with the batch and its version, starts the replication
 * without waiting for replicas and sets *pending; finish runs after the
 * local write (whatever its result) with that pending state, and waits
 * for what the consistency level needs.  So replicas receive a commit
 * while its local WAL write is fsynced, not after.  A commit returns
 * after both the local write and finish: its acknowledgement still means
 * local durability plus the level's replies.  A failed start fails the
 * commit before the local write; an error from finish fails it after
 * (the local write stays, as with the hook).  If the local write fails
 * after start, replicas may still apply the commit (LWW: as a commit
 * whose acknowledgement was lost). */
typedef rdb_status_t (*txn_commit_start_fn)(void *ctx, lsm_batch_t *batch, lsm_version_t version,
                                            void **pending, rdb_err_t *err);
typedef rdb_status_t (*txn_commit_finish_fn)(void *ctx, void *pending, rdb_err_t *err);
void txn_store_set_commit_split(txn_store_t *st, txn_commit_start_fn start,
                                txn_commit_finish_fn finish);
/* A commit hook is set: commits are replicated (cluster_glue.c), and other
 * nodes' versions of the same keys compete with them by LWW. */
bool txn_store_replicated(const txn_store_t *st);
lsm_db_t *txn_store_db(txn_store_t *st);
uint16_t txn_store_node_id(const txn_store_t *st);
uint64_t txn_store_catalog_gen(txn_store_t *st);
/* A fresh HLC stamp (for hidden row ids and the like). */
uint64_t txn_store_now(txn_store_t *st);
/* Apply a batch that came from elsewhere (replication) and bump the catalog
 * generation if it touches the catalog. */
rdb_status_t txn_store_apply(txn_store_t *st, lsm_batch_t *batch, bool has_catalog, rdb_err_t *err);
/* Someone else (the cluster node) applied catalog records to the store:
 * bump the catalog generation so caches reload. */
void txn_store_catalog_changed(txn_store_t *st);

/* The newest version of key in the store, tombstones included (*tomb);
 * RDB_NOTFOUND when it has none. */
rdb_status_t txn_store_version(txn_store_t *st, const void *key, size_t klen, lsm_version_t *v,
                               bool *tomb, rdb_err_t *err);
/* Every version of key the store still holds, newest first: fn(ctx,
 * value, vlen, version, tombstone); fn returning false stops. */
typedef bool (*txn_version_fn)(void *ctx, const char *val, size_t vlen, lsm_version_t v, bool tomb);
rdb_status_t txn_store_versions(txn_store_t *st, const void *key, size_t klen, txn_version_fn fn,
                                void *ctx, rdb_err_t *err);
/* Delete key at version v (not a fresh one): one atomic batch, handed to
 * the commit hook like a commit at ONE, so every replica drops the key too
 * unless a write newer than v put it back.  For garbage only (a stale
 * index entry, erased at the version of the row that outdated it). */
rdb_status_t txn_store_erase_at(txn_store_t *st, const void *key, size_t klen, lsm_version_t v,
                                rdb_err_t *err);

/* Start a transaction; its snapshot is a fresh HLC stamp. */
txn_t *txn_begin(txn_store_t *st);
uint64_t txn_snapshot(const txn_t *t);
/* Move the snapshot of t to snap (txn_store_now(): the newest committed
 * state) and return the old one; the buffered writes stay and still
 * overlay every read.  READ COMMITTED's re-checks use it: a row lock's
 * re-read of the locked row, and FOREIGN KEY checks (PostgreSQL's RI
 * triggers read at a fresh snapshot), then put the old snapshot back.
 * Iterators opened before keep the snapshot they were opened with. */
uint64_t txn_set_snapshot(txn_t *t, uint64_t snap);
txn_store_t *txn_store(const txn_t *t);
/* True once the transaction has buffered any write; true for the catalog
 * when it wrote a catalog key (a session's catalog view must then include
 * the transaction's own uncommitted catalog changes). */
bool txn_has_writes(const txn_t *t);
bool txn_wrote_catalog(const txn_t *t);
/* Number of buffered writes (puts + deletes, after overwrites coalesce). */
size_t txn_write_count(const txn_t *t);

/* Reads that consult other replicas (the cluster glue at QUORUM / ALL, and
 * read repair at ONE; DESIGN.md §5).  Set on a transaction, a reader is
 * asked first for every read of user data (row keys 0x02, index entries
 * 0x03) that the transaction's own writes do not answer:
 *   get   point read: the newest version among the replicas, *found false
 *         when absent or deleted;
 *   scan  the range [lo, hi) (hi NULL: to the end): the newest version of
 *         every key, appended to rows in key order, tombstones included.
 * Either sets *handled false to let the local snapshot answer.  Their
 * answers may be newer than the snapshot (the newest a quorum holds).  An
 * error fails the read (an iterator then ends with it: no partial result).
 * The reader is borrowed: it must outlive the transaction's reads. */
typedef struct txn_reader {
    rdb_status_t (*get)(void *ctx, const void *key, size_t klen, rdb_buf_t *val, bool *found,
                        bool *handled, rdb_err_t *err);
    rdb_status_t (*scan)(void *ctx, const void *lo, size_t lolen, const void *hi, size_t hilen,
                         clu_rows_t *rows, bool *handled, rdb_err_t *err);
    void *ctx;
} txn_reader_t;
/* NULL: local reads only (the default). */
void txn_set_reader(txn_t *t, const txn_reader_t *r);
/* Is a reader set (reads may go to other nodes)? */
bool txn_has_reader(const txn_t *t);

/* Point read: RDB_OK and *found, with the value appended to val (cleared
 * first); not found or deleted gives *found = false. */
rdb_status_t txn_get(txn_t *t, const void *key, size_t klen, rdb_buf_t *val, bool *found,
                     rdb_err_t *err);
/* n point reads (txn_get on each key; any order, repeats allowed), the
 * snapshot's share read together (lsm_get_many).  res[i].found; a found
 * key's value is appended to vals at res[i].voff (res[i].vlen bytes). */
rdb_status_t txn_get_many(txn_t *t, int n, const void *const *keys, const size_t *klens,
                          lsm_get_result_t *res, rdb_buf_t *vals, rdb_err_t *err);
/* Buffer a write; a later write of the same key replaces an earlier one. */
void txn_put(txn_t *t, const void *key, size_t klen, const void *val, size_t vlen);
void txn_delete(txn_t *t, const void *key, size_t klen);

/* Bulk inserts (COPY FROM).  txn_put_new buffers a put of a key that the
 * caller found absent with txn_get_before_new, without hashing it: a run of
 * them costs an append each, and whether two of the run's keys are equal is
 * settled once, by txn_check_new, which ends the run.  tag (the caller's
 * row number) names a write in that answer.  Every other read or write of
 * the transaction (txn_get, iterators, txn_put, ...) first hashes the run's
 * keys, so it sees them as usual; a duplicate met there is kept for
 * txn_check_new.  The caller must call txn_check_new before the commit and
 * fail the statement when it reports a duplicate. */
void txn_put_new(txn_t *t, const void *key, size_t klen, const void *val, size_t vlen,
                 uint64_t tag);
/* txn_get that does not see the current run's keys (those it has not
 * hashed yet): the snapshot and the transaction's other writes. */
rdb_status_t txn_get_before_new(txn_t *t, const void *key, size_t klen, rdb_buf_t *val,
                                bool *found, rdb_err_t *err);
/* End the run of txn_put_new: false when its keys are all distinct;
 * otherwise true with the write that repeated an earlier key of the run
 * (of all such, the one with the smallest tag): its tag and value (valid
 * until the transaction ends).  When the transaction holds nothing but the
 * run, this sorts it and the commit reuses the order. */
bool txn_check_new(txn_t *t, uint64_t *tag, const char **val, size_t *vlen);

/* Iterate the keys in [lo, hi) (hi NULL = to the end of the key space) in
 * ascending order: the snapshot overlaid with the buffered writes, deleted
 * keys hidden.  Writes made to the transaction while an iterator is open
 * may or may not be seen by it; the iterator stays valid. */
txn_iter_t *txn_iter_new(txn_t *t, const void *lo, size_t lolen, const void *hi, size_t hilen);
/* Iterate in descending order instead (from the last key < hi down to
 * lo).  REQUIRES: before the first txn_iter_next; no txn_iter_seek. */
void txn_iter_reverse(txn_iter_t *it);
/* Position on the first key >= key (within the bounds). */
void txn_iter_seek(txn_iter_t *it, const void *key, size_t klen);
/* Advance; the first call after txn_iter_new / seek positions on the first
 * key.  Returns false at the end or on error (then see txn_iter_status). */
bool txn_iter_next(txn_iter_t *it);
const char *txn_iter_key(const txn_iter_t *it, size_t *klen);
const char *txn_iter_value(const txn_iter_t *it, size_t *vlen);
rdb_status_t txn_iter_status(const txn_iter_t *it, rdb_err_t *err);
void txn_iter_free(txn_iter_t *it);

/* Commit: one version for every write, one atomic batch, then the hook.
 * Frees t whatever the outcome.  A transaction without writes commits
 * trivially. */
rdb_status_t txn_commit(txn_t *t, rdb_err_t *err);
/* As txn_commit, with the given version instead of a fresh stamp: for
 * records every node writes alike on its own (the catalog's bootstrap, at
 * TXN_BOOTSTRAP_VERSION), so that no node's copy wins over another's and
 * any later change wins over all of them. */
#define TXN_BOOTSTRAP_VERSION ((lsm_version_t){ .hlc = 1, .node_id = 0 })
rdb_status_t txn_commit_at(txn_t *t, lsm_version_t v, rdb_err_t *err);
/* Drop every buffered write; frees t. */
void txn_abort(txn_t *t);

#endif
