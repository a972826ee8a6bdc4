/*
 * node.h — the cluster node runtime: the piece that turns the library parts
 * of src/cluster/ (HLC, ring, peer links, replica store, hints, members,
 * Merkle trees) into a running replica of a multi-leader LWW cluster
 * (DESIGN.md §4-5).
 *
 * THREADS.  A node owns one thread running its own libev loop: peer links,
 * heartbeat and gossip, write/read coordination, hint delivery, control
 * clients (ringdb-ctl).  Anti-entropy scans (Merkle builds, range streaming)
 * run on a second, background thread so a scan never stalls the loop.
 * Every public function below is thread-safe and may be called from any
 * thread EXCEPT the blocking ones (clu_node_write, clu_node_read), which
 * must not be called from the node's own thread (a callback).
 *
 * STORE.  The node replicates into one lsm_db_t: opts.db if the caller opened
 * one (the SQL engine, which then owns it and closes it after clu_node_stop),
 * else DATA_DIR/kv, opened and owned by the node.  Hints live in
 * DATA_DIR/hints, membership in DATA_DIR/members.  Keys starting with 0x00
 * are reserved (version vector, sequence counters).
 *
 * PLACEMENT.  A key's partition is given by a 64-bit token on the ring
 * (vnodes, RF replicas clockwise).  opts.key_token computes it; the default
 * hashes the whole key (clu_token).  SQL row keys are
 * 0x02 ‖ table_id ‖ token ‖ pk: the SQL layer passes a key_token that
 * extracts the embedded token so a table's rows spread by partition key.
 * Keys of a range-partitioned space (a prefix with a partition map record,
 * partmap.h) take the token of their range partition instead, so each
 * partition has RF replicas of its own (node_part.c).
 * Keys starting with 0x01 (the system catalog) are replicated to EVERY
 * member, whatever the ring says, and the consistency level counts all
 * members.
 *
 * WRITES (the API for the SQL layer).
 *   clu_node_commit_batch(node, recs, n, cl, flags, cb, ctx)
 * replicates n versioned records (clu_record_t: key, value or tombstone,
 * version) to the replicas of their partitions.  Records with version.hlc
 * == 0 are stamped here with one fresh HLC stamp and this node's id
 * (clu_node_now() gives a stamp to a caller that stamps itself, e.g. a
 * transaction's commit timestamp).  Flags:
 *   CLU_W_APPLIED  the caller has already written the records to the store
 *                  (use as a commit hook after a local lsm_write); otherwise
 *                  the node applies them locally first (durably, then sends).
 * The records are copied; the call never blocks on the network.  cb(ctx,
 * err) runs exactly once ON THE NODE THREAD (it must not block): err NULL
 * means the consistency level was met; otherwise err is RDB_UNAVAILABLE /
 * SQLSTATE 57P03 "consistency level QUORUM not reached: 1 of 2 required
 * replicas answered" (never a partial success).  A write that failed its
 * level may still be applied on the replicas that answered and reach the
 * others through hints and anti-entropy (it is not rolled back: LWW).
 * Replicas that are down get durable hints; those that answer late still
 * apply the write.
 *   clu_node_write()  the same, blocking until cb would have run.
 *
 * READS.  clu_node_read(node, key, cl, ...) returns the newest version among
 * `required` replicas (tombstones reported as not found), repairs stale
 * replicas (always at QUORUM/ALL, with probability read-repair-chance at
 * ONE).  A local snapshot read needs no node call: read opts.db directly.
 *
 * IN THE SERVER.  build/ringdb starts a node when --node-id is given
 * (src/server/server.c), before the engine's init runs, and stops it after
 * the wire protocol shut down; the engine finds it with rdb_server_node()
 * (server/options.h) and should then use clu_node_db(node) as its store
 * (DATA_DIR/kv) and clu_node_hlc(node) as its clock, and call
 * clu_node_commit_batch(..., CLU_W_APPLIED, ...) after each local commit.
 * An engine that opens its own store instead starts its own node with
 * opts.db set (and no --node-id for the server).
 *
 * THREADS, MORE PRECISELY.  Besides the loop thread and the anti-entropy
 * thread, an applier thread writes each batch of records (group commit,
 * node_apply.c).  Callbacks (clu_done_cb) run on the loop thread.
 *
 * CONSISTENCY.  ONE: one replica applied it durably (normally this node).
 * QUORUM: rf/2+1 replicas of every partition touched.  ALL: every replica.
 * Conflicts are resolved by LWW on (hlc, node_id) everywhere.
 */
#ifndef RDB_CLUSTER_NODE_H
#define RDB_CLUSTER_NODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cluster/consistency.h"
#include "cluster/hlc.h"
#include "cluster/partmap.h"
#include "cluster/replica.h"
#include "common/buf.h"
#include "common/config.h"
#include "common/error.h"
#include "lsm/lsm.h"

typedef struct clu_node clu_node_t;

typedef struct clu_node_opts {
    uint16_t     node_id;            /* required, 1..65535                      */
    const char  *data_dir;           /* required                                */
    lsm_db_t    *db;                 /* borrowed store, or NULL: DATA_DIR/kv    */
    const char  *peer_host;          /* listen address (127.0.0.1)              */
    int          peer_port;          /* 0: any free port                        */
    const char  *peers;              /* "HOST:PPORT,..." to dial, or NULL       */
    const char  *join;               /* "HOST:PPORT" of a running member        */
    const char  *secret;             /* cluster secret, required non-empty      */
    uint32_t     rf;                 /* replication factor (3)                  */
    uint32_t     vnodes;             /* vnodes per member (16)                  */
    uint64_t     max_clock_offset_ms;/* 500                                     */
    uint64_t     heartbeat_ms;       /* 200                                     */
    uint64_t     failure_timeout_ms; /* suspect after, down after twice (2000)  */
    uint64_t     write_timeout_ms;   /* QUORUM/ALL wait (2000)                  */
    uint64_t     hint_limit;         /* bytes per peer (256 MB)                 */
    uint64_t     hint_window_ms;     /* no new hints for a peer down longer (3h) */
    uint64_t     tombstone_grace_ms; /* 10 days                                 */
    uint64_t     ae_interval_ms;     /* periodic anti-entropy (10 min; 0 = off) */
    int          read_repair_pct;    /* ONE reads that repair (10)              */
    bool         sync;               /* fsync applied writes (true)             */
    uint64_t     auto_split_rate;    /* writes/s of a partition here that split it (0: off) */
    uint64_t     auto_split_cooldown_ms; /* per table, after its last map change (30 s) */
    clu_token_fn key_token;          /* NULL: clu_token of the whole key        */
    void        *key_token_ctx;
} clu_node_opts_t;

/* Record already written by the caller (commit hook). */
#define CLU_W_APPLIED 1u

typedef void (*clu_done_cb)(void *ctx, const rdb_err_t *err);

void clu_node_opts_default(clu_node_opts_t *o);
/* Fill o from the server options (cluster/options.c plus data-dir).  Strings
 * point into cfg (or a secret read from cluster-secret-file, owned by the
 * config's lifetime through a static copy). */
rdb_status_t clu_node_opts_from_config(clu_node_opts_t *o, const rdb_config_t *cfg,
                                       rdb_err_t *err);

/* Open the store, hints and membership, listen on the peer port, dial the
 * peers and start the node thread.  o's strings are copied. */
rdb_status_t clu_node_start(const clu_node_opts_t *o, clu_node_t **out, rdb_err_t *err);
/* SIGHUP: apply the reloadable options of cfg (heartbeat-interval,
 * failure-timeout, write-timeout, hint-window, read-repair-chance,
 * anti-entropy-interval) to a running node. */
void clu_node_reconfigure(clu_node_t *n, const rdb_config_t *cfg);
/* Stop the thread, close links, flush and free (closing the store only if
 * the node opened it).  Pending requests fail with 57P03. */
void clu_node_stop(clu_node_t *n);

uint16_t  clu_node_id(const clu_node_t *n);
lsm_db_t *clu_node_db(const clu_node_t *n);
int       clu_node_peer_port(const clu_node_t *n);
/* A fresh HLC stamp (strictly increasing, past every stamp seen). */
uint64_t  clu_node_now(clu_node_t *n);
/* The node's clock itself (thread-safe, see hlc.h): an engine in the same
 * process must stamp its commits with this clock, not one of its own, so
 * that versions follow what this node has seen from its peers. */
clu_hlc_t *clu_node_hlc(clu_node_t *n);

/* Call fn(ctx, recs, n) after records were applied to the store by the
 * node: replicated from peers, hints, read repair, anti-entropy, and the
 * writes it coordinates itself (not those committed with CLU_W_APPLIED).
 * It runs on the applier or anti-entropy thread with the replica locked:
 * it must be quick and must not call into the node.  Records already
 * applied before may be passed again.  The records are visible to readers
 * of the store when fn runs, not necessarily durable yet (node_apply.c).
 * fn NULL removes the hook; once this returns, the previous hook is no
 * longer running. */
void clu_node_set_applied_hook(clu_node_t *n, clu_applied_fn fn, void *ctx);
/* How to tell a range-partitioned space's keys (partmap.h clu_space_fn):
 * with it, a range-partitioned table that has no partition map yet counts
 * its load as one partition and splits automatically (--auto-split-rate)
 * like any other.  fn NULL: only tables with a map split by themselves. */
void clu_node_set_range_space(clu_node_t *n, clu_space_fn fn, void *ctx);

rdb_status_t clu_node_commit_batch(clu_node_t *n, const clu_record_t *recs, size_t nrec,
                                   clu_consistency_t cl, unsigned flags, clu_done_cb cb,
                                   void *ctx);
/* Blocking form; *version_out (may be NULL) gets the stamp of the first
 * record as written. */
rdb_status_t clu_node_write(clu_node_t *n, const clu_record_t *recs, size_t nrec,
                            clu_consistency_t cl, unsigned flags, lsm_version_t *version_out,
                            rdb_err_t *err);
/* Blocking read at cl.  *found false when absent or deleted; *version (may
 * be NULL) the newest version's stamp, tombstone or not. */
rdb_status_t clu_node_read(clu_node_t *n, const void *key, size_t klen, clu_consistency_t cl,
                           rdb_buf_t *value, lsm_version_t *version, bool *found,
                           rdb_err_t *err);
/* Blocking range read at cl (QUORUM / ALL): the newest version of every
 * user key in [lo, hi) (hi NULL: to the end) among the replicas, appended
 * to out in key order, tombstones included; stale replicas are repaired.
 * Fails with 57P03 when some partition's level is not met in time (out
 * untouched), 54000 when the range does not fit in one reply (32 MB). */
rdb_status_t clu_node_scan(clu_node_t *n, const void *lo, size_t lolen, const void *hi,
                           size_t hilen, clu_consistency_t cl, clu_rows_t *out, rdb_err_t *err);
/* Read repair for a point read at ONE, in the background: ask the other
 * replicas for key and write the newest version back where it is missing.
 * Never blocks. */
void clu_node_repair_key(clu_node_t *n, const void *key, size_t klen);
/* True with probability read-repair-chance: a read at ONE should repair. */
bool clu_node_repair_due(clu_node_t *n);
/* Introspection as JSON (members, ring, lag, hints, version vector),
 * appended to out. */
void clu_node_status_json(clu_node_t *n, rdb_buf_t *out);
/* Tests: while held, writes this node applies stay visible but are not
 * made durable (no fsync, no durable acknowledgement) until released.
 * Stopping the node releases it. */
void clu_node_hold_durable(clu_node_t *n, bool hold);

/* RANGE PARTITIONS (partmap.h, node_part.c).  A space is a key prefix whose
 * keys are placed by a partition map (for SQL: 0x02 ‖ be32 table_id of a
 * PARTITION BY RANGE table).  clu_node_partition_change adds (split) or
 * removes (merge) the split point key (the bytes after the prefix) as a new
 * map version, streaming every key range whose replicas change to its new
 * replicas before reads follow the new map; writes go to both replica sets
 * meanwhile.  Blocking (not on the node thread); needs every member up
 * (the map and the streamed records are written at ALL).  report (may be
 * NULL) gets a JSON summary.  Errors: 22023 when the split point exists
 * (split) or does not (merge); the 57P03 of a write or read that failed,
 * after which the map stays moving and the command can be run again. */
rdb_status_t clu_node_partition_change(clu_node_t *n, const void *space, size_t slen,
                                       const void *key, size_t klen, bool split,
                                       rdb_buf_t *report, rdb_err_t *err);
/* The space's map as JSON (version, split points and partitions in hex,
 * each partition's token and replicas), or null. */
void clu_node_partitions_json(clu_node_t *n, const void *space, size_t slen, rdb_buf_t *out);
/* Count a read of key at ONE served from the local store (the SQL engine's
 * point reads) in its range partition's load (thread-safe, cheap). */
void clu_node_note_read(clu_node_t *n, const void *key, size_t klen);
/* Where key is placed: {"partition"?, "token", "replicas", "write_replicas"?}. */
void clu_node_key_placement_json(clu_node_t *n, const void *key, size_t klen, rdb_buf_t *out);

#endif
