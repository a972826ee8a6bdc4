/*
 * node_int.h — the node's internal state, shared by node.c (life cycle,
 * membership, gossip), node_write.c (replication, hints), node_read.c
 * (coordinated reads, read repair), node_ae.c (anti-entropy thread) and
 * node_ctl.c (control clients).  Everything here belongs to the node thread
 * unless a field says otherwise.
 */
#ifndef RDB_CLUSTER_NODE_INT_H
#define RDB_CLUSTER_NODE_INT_H

#include <ev.h>
#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>

#include "cluster/consistency.h"
#include "cluster/frame.h"
#include "cluster/hints.h"
#include "cluster/hlc.h"
#include "cluster/members.h"
#include "cluster/merkle.h"
#include "cluster/node.h"
#include "cluster/partmap.h"
#include "cluster/peer.h"
#include "cluster/replica.h"
#include "cluster/ring.h"

#define NODE_MAX_RF        16
#define NODE_AE_DEPTH      8
#define NODE_FIFO_MAX      (32u << 20)   /* unacked bytes per peer before hinting */
#define NODE_HINT_BATCH    16384  /* records per hint frame (and 4 MB) */
#define NODE_SEQ_RESERVE   65536
#define NODE_WTAB          16384  /* buckets of the pending write/read tables */
#define NODE_OSEQ_KEY      "\x00oseq"
#define NODE_OSEQ_KEY_LEN  5

/* clu_node_write flag (internal): the records are a data move, not load
 * (partition load counters skip them). */
#define CLU_W_NOLOAD 0x100u
/* node_part_change flags: run here (forwarded by another member, never
 * forwarded again); an automatic split (refused within the cooldown). */
#define PART_FWD  1u
#define PART_AUTO 2u

/* A member's promise for one map change (node_part.c, node thread). */
#define NODE_PROMISES 16
typedef struct part_promise {
    char          space[CLU_PMAP_MAX_SPACE];
    size_t        slen;
    lsm_version_t expect, next;
    uint64_t      expires_ms;  /* monotonic; 0 = free */
} part_promise_t;

/* WRITE frame kinds. */
enum { W_LIVE = 0, W_HINT = 1, W_REPAIR = 2, W_ADVANCE = 3 /* internal */ };

/* A sent, unacknowledged live WRITE frame to one peer.  Turned into hints
 * if the link dies first. */
typedef struct inflight {
    uint64_t         fid;
    uint64_t         reqid;      /* coordinating request, 0 = none */
    uint64_t         seq_lo, seq_hi; /* origin seqs in the frame (contiguous) */
    uint64_t         sent_ms;        /* monotonic, for the lag in status */
    rdb_buf_t        frame;
    struct inflight *next;
} inflight_t;

typedef struct peer_state {
    uint16_t    id;
    uint64_t    out_seq;         /* last origin seq assigned for this peer  */
    uint64_t    seq_reserved;    /* durable bound: out_seq never passes it  */
    uint64_t    acked_seq;       /* highest seq acknowledged durable        */
    uint64_t    visible_seq;     /* highest seq acknowledged applied (live) */
    uint64_t    next_fid;
    inflight_t *fifo, *fifo_tail;
    size_t      fifo_bytes, fifo_count;
    bool        hint_inflight;   /* a hint batch awaits its ack             */
    uint64_t    hint_upto;
    uint64_t    down_since_ms;   /* monotonic, 0 = link up                  */
    uint64_t    rtt_us;
    uint64_t    remote_contig;   /* peer's vv[self] from its last gossip    */
    uint64_t    hinted, delivered;
    bool        join_push;       /* new member: stream its ranges when up   */
    rdb_buf_t   gossip_mem;      /* its member table, as last gossiped to us */
    bool        removed_done;    /* its removal handled here (hints dropped) */
    uint64_t    refused_log_ms;  /* last "refused" log line (monotonic)     */
    bool        redirect_inflight; /* gone member: a batch of its hints is being
                                    * written to the new replicas (node_hints.c) */
    uint64_t    redirected;      /* its hints redirected so far             */
    uint64_t    redirect_blocked_log_ms;
} peer_state_t;

/* Records packed for one WRITE frame (no array header yet). */
typedef struct packed {
    rdb_buf_t raw;
    size_t    n;
    uint64_t  seq_lo, seq_hi;
} packed_t;

/* One destination of a write request. */
typedef struct wdest {
    uint16_t      id;
    bool          live;      /* link up: send; else hint */
    packed_t      pk;
    clu_record_t *hints;     /* numbered records to keep as hints */
    size_t        nhints;
} wdest_t;

/* One replica set within a write request and its acknowledgement tally. */
typedef struct wgroup {
    uint16_t    nodes[NODE_MAX_RF * 4];
    size_t      nn;
    clu_tally_t t;
} wgroup_t;

typedef struct wreq {
    uint64_t         id;
    clu_consistency_t cl;
    unsigned         flags;
    clu_done_cb      cb;
    void            *ctx;
    clu_record_t    *recs;       /* copies; keys/values in store */
    size_t           nrec;
    rdb_buf_t        store;
    size_t          *grp_of;     /* group index per record */
    wgroup_t        *g;
    size_t           ng;
    wdest_t         *dest;
    size_t           nd;
    bool             done;
    bool             in_prep;    /* awaiting this iteration's local apply */
    bool             self_local; /* some record has self as a replica */
    struct wreq     *pnext;      /* n->wprep list */
    ev_timer         timer;
    struct clu_node *node;
    struct wreq     *next;       /* incoming queue, then pending list */
} wreq_t;

/* A record received, copied into the batch's store. */
typedef struct rx_rec {
    size_t        koff, klen, voff, vlen;
    lsm_version_t v;
    bool          tomb;
    uint16_t      origin;
    uint64_t      seq;
} rx_rec_t;

/* An acknowledgement owed once the batch is applied (or an ADVANCE to
 * apply after its records: kind W_ADVANCE, seq in hint_upto). */
typedef struct rx_ack {
    uint16_t peer;
    uint64_t fid, reqid, hint_upto, seq_hi;
    int      kind;
    bool     ok;
} rx_ack_t;

/* Records applied together, with one fsync (node_apply.c). */
typedef struct apply_batch {
    rdb_buf_t     store;
    rx_rec_t     *rx;
    size_t        nrx, caprx;
    rx_ack_t     *acks;
    size_t        nacks, capacks;
    struct wreq  *wprep, *wprep_tail;  /* coordinated writes of the batch */
    clu_record_t *recs;                /* built at hand-off */
    size_t        nrecs, caprecs;
    bool          ok;
    uint64_t      epoch;               /* hand-off number (node_apply.c) */
    rdb_buf_t     vv_enc;              /* the vector after the apply      */
} apply_batch_t;

/* Work owed once the batches up to `epoch` are durable (node_apply.c):
 * a durable WRITE_ACK, a coordinated write's own answer, or the version
 * vector to gossip from then on. */
typedef struct dur_item {
    uint64_t     epoch;
    int          what;      /* DUR_ACK, DUR_WRITE, DUR_VV */
    rx_ack_t     a;
    struct wreq *w;
    rdb_buf_t    vv;
} dur_item_t;
enum { DUR_ACK = 1, DUR_WRITE = 2, DUR_VV = 3 };

/* A coordinated read. */
typedef struct rreq {
    uint64_t          id;
    clu_consistency_t cl;
    char             *key;
    size_t            klen;
    uint16_t          nodes[NODE_MAX_RF * 4];
    uint8_t           answered[NODE_MAX_RF * 4];  /* 0 no, 1 found, 2 absent */
    lsm_version_t     ver[NODE_MAX_RF * 4];
    size_t            nn;
    clu_tally_t       t;
    bool              have_best, best_tomb, replied;
    bool              ask_all;  /* ask every replica even at ONE (repair) */
    lsm_version_t     best_v;
    rdb_buf_t         best_val;
    clu_done_cb       cb;       /* generic completion (err) */
    void             *ctx;
    rdb_buf_t        *out_val;  /* result slots for the caller */
    lsm_version_t    *out_ver;
    bool             *out_found;
    ev_timer          timer;
    struct clu_node  *node;
    struct rreq      *next;
} rreq_t;

/* A coordinated range read (node_scan.c).  Asked members are every ring
 * member whose link is up, self included; state[i]: 0 waiting, 1 answered,
 * 2 not asked or failed.  Answers accumulate in got (from[j]: who sent
 * got.r[j]). */
typedef struct sreq {
    uint64_t          id;
    clu_consistency_t cl;
    char             *lo, *hi;       /* hi NULL: to the end              */
    size_t            lolen, hilen;
    uint16_t         *nodes;
    uint8_t          *state;
    size_t            nn;
    clu_rows_t        got;
    uint16_t         *parts;         /* range partitions' replica sets, */
    uint8_t          *partn;         /* NODE_MAX_RF slots each; nparts  */
    size_t            nparts;        /* 0: every partition of the ring  */
    uint16_t         *from;
    size_t            from_cap;
    bool              replied, too_big;
    clu_done_cb       cb;
    void             *ctx;
    clu_rows_t       *out;           /* the caller's result              */
    ev_timer          timer;
    struct clu_node  *node;
    struct sreq      *next;
} sreq_t;

/* A request posted to the node thread from outside (API calls). */
typedef struct post {
    int          kind;          /* POST_WRITE, POST_READ, POST_CALL */
    wreq_t      *w;
    rreq_t      *r;
    void       (*fn)(struct clu_node *n, void *arg);  /* POST_CALL */
    void        *arg;
    struct post *next;
} post_t;
enum { POST_WRITE = 1, POST_READ = 2, POST_CALL = 3 };

/* A range anti-entropy compares: a partition's token range, or (cat) the
 * system catalog (keys 0x01...), which every member holds whole. */
typedef struct ae_range {
    uint64_t lo, hi;
    bool     cat;
} ae_range_t;

/* Anti-entropy job, run on the AE thread, finished on the node thread. */
typedef struct ae_job ae_job_t;
typedef void (*ae_fn)(struct clu_node *n, ae_job_t *j);
struct ae_job {
    ae_fn              run;        /* AE thread */
    ae_fn              done;       /* node thread */
    ae_range_t        *ranges;
    size_t             nranges;
    clu_merkle_t      *trees;      /* TREES result, one per range */
    unsigned           depth;
    uint16_t           peer;       /* SCAN: destination */
    uint32_t           client;     /* control client waiting, 0 = none */
    uint64_t           ctl_id;
    uint64_t           round;
    int                purpose;
    rdb_buf_t         *frames;     /* SCAN: finished frames to send */
    size_t             nframes;
    uint64_t           nrecords;
    rdb_err_t          err;
    void              *arg;        /* other jobs' state, freed by free_arg */
    void             (*free_arg)(void *arg);
    ae_job_t          *next;
};

/* An anti-entropy round started here. */
typedef struct ae_peer {
    uint16_t       id;
    clu_merkle_t  *theirs;        /* decoded from MERKLE */
    size_t         ntheirs;
    bool           got_trees, diffed, data_done, push_done, failed;
    uint64_t       ranges_diff, recs_in, recs_out;
    ae_range_t    *shared;        /* ranges shared with this peer */
    size_t         nshared;
} ae_peer_t;

typedef struct ae_round {
    uint64_t       id;
    bool           active;
    uint32_t       client;        /* ctl waiting, 0 none */
    uint64_t       ctl_id;
    ae_range_t    *mine;          /* my ranges, trees[i] for mine[i] */
    clu_merkle_t  *trees;
    size_t         nmine;
    bool           have_mine;
    ae_peer_t     *p;
    size_t         np;
    uint64_t       started_ms;
    ev_timer       timer;
} ae_round_t;

struct clu_node {
    clu_node_opts_t o;
    char           *data_dir, *peer_host, *peers, *join, *secret, *addr;
    lsm_db_t       *db;
    bool            own_db;
    clu_hlc_t       hlc;
    clu_replica_t   rep;
    clu_hints_t    *hints;
    clu_members_t   mem;
    clu_ring_t      ring;
    clu_pmap_t     *pmap;        /* range partition maps (node_part.c)      */
    pthread_mutex_t part_mu;     /* map changes coordinated here, one at a time */
    part_promise_t  promises[NODE_PROMISES]; /* map compare-and-set (node thread) */
    ev_timer        load_timer;  /* partition load rates, automatic splits  */
    uint64_t        load_last_ms;
    pthread_t       bg_thr;      /* an automatic split (node_part.c)        */
    bool            bg_started;
    atomic_bool     bg_running, bg_stop;
    clu_hot_t       bg_hot;
    atomic_uint_fast64_t auto_splits;
    atomic_uint     ctl_threads; /* node_ctl_thread threads running        */
    /* handoff and purge of foreign data (node_move.c) */
    pthread_mutex_t purge_mu;    /* purge_*: read by compaction threads     */
    atomic_bool     purge_active; /* written under purge_mu */
    clu_ring_t      purge_ring;
    uint64_t        purge_bound;
    atomic_uint_fast64_t purged;  /* versions the filter dropped             */
    atomic_bool     pmap_changed; /* set by the applier: a map record changed */
    uint64_t        cleanup_due_ms; /* node thread: automatic clean-up, 0 none */
    clu_applied_fn  user_applied; /* the engine's hook (rep_mu)             */
    void           *user_applied_ctx;
    char           *members_path;
    clu_net_t      *net;
    struct ev_loop *loop;
    pthread_t       thr;
    bool            thr_started;
    ev_async        wake;
    ev_timer        hb_timer, gossip_timer, hint_timer, grace_timer, ae_timer;
    ev_prepare      prep;        /* hands the iteration's batch to the applier */
    bool            self_removed; /* removed by removenode: refuses every link */

    /* posted from other threads (qmu) */
    pthread_mutex_t qmu;
    post_t         *q_head, *q_tail;
    bool            stopping;

    peer_state_t  **ps;           /* [65536], lazily allocated */
    char          **dialled;      /* addresses dialled */
    size_t          ndialled;
    bool            oseq_dirty;

    uint64_t        next_req;
    wreq_t         *wtab[NODE_WTAB]; /* writes awaiting answers, by id */
    size_t          npending;
    rreq_t         *rtab[NODE_WTAB]; /* reads awaiting answers, by id */
    sreq_t         *scans;           /* range reads awaiting answers */

    /* apply: the batch filling on the loop, the one being applied */
    apply_batch_t   acc, job;
    pthread_t       ap_thr;
    pthread_mutex_t ap_mu;
    pthread_cond_t  ap_cv, ap_done_cv;
    bool            ap_busy, ap_done, ap_stop, ap_started;
    /* durability: the syncer thread fsyncs what the applier wrote without
     * fsync (visible at once); epochs count hand-offs.  sy_* under ap_mu. */
    pthread_t       sy_thr;
    pthread_cond_t  sy_cv;
    bool            sy_started;
    uint64_t        ap_epoch;        /* node thread: last epoch handed over  */
    uint64_t        ap_applied;      /* node thread: last epoch applied (visible) */
    uint64_t        sy_req, sy_done; /* epochs to make durable, made durable */
    uint64_t        sy_ok;           /* made durable without error           */
    bool            sy_failed;       /* an fsync failed: nothing is ok since */
    bool            sy_hold;         /* clu_node_hold_durable (tests)        */
    dur_item_t     *dq;              /* node thread: owed work, epoch order  */
    size_t          dq_head, dq_n, dq_cap;
    pthread_mutex_t rep_mu;      /* rep: vv and counters, apply calls */
    rdb_buf_t       gossip_vv;   /* the durable vector, encoded (node thread) */

    /* anti-entropy */
    pthread_t       ae_thr;
    pthread_mutex_t ae_mu;
    pthread_cond_t  ae_cv;
    ae_job_t       *ae_q, *ae_done;
    bool            ae_stop, ae_started;
    ae_round_t      round;
    uint64_t        next_round;

    /* counters */
    uint64_t        writes_coord, writes_failed, reads_coord, repairs_sent, ae_rounds,
                    ae_records_in, rx_applied, rx_frames, hints_dropped_window;
};

/* node.c */
void node_status_json(clu_node_t *n, rdb_buf_t *out);
/* Run fn(n, arg) on the node thread; the calling thread waits. */
void node_call_sync(clu_node_t *n, void (*fn)(clu_node_t *n, void *arg), void *arg);
/* Persist the member table, dial new members, rebuild the ring. */
void node_members_changed(clu_node_t *n);
/* Gossip the member table to every linked member now. */
void node_gossip_now(clu_node_t *n);
/* peer is removed from the cluster, or this node is: no frames, no link. */
bool node_refused(clu_node_t *n, uint16_t peer);
peer_state_t *node_peer(clu_node_t *n, uint16_t id);
void node_send(clu_node_t *n, uint16_t peer, const rdb_buf_t *frame);
bool node_peer_up(clu_node_t *n, uint16_t peer);
/* Replica set of a key (catalog keys: every ring member); returns count. */
size_t node_replicas(clu_node_t *n, const void *key, size_t klen, uint16_t *out);
uint64_t node_mono_ms(void);
/* Pack a record as [key, value|nil, hlc, node, origin, seq]. */
void node_pack_record(msgpack_packer *pk, const clu_record_t *r);
/* Unpack one; false if malformed.  Pointers into the frame. */
bool node_unpack_record(const msgpack_object *o, clu_record_t *r);

/* node_write.c */
void node_write_start(clu_node_t *n, wreq_t *w);
void node_on_write(clu_node_t *n, uint16_t from, clu_frame_t *f);
void node_on_write_ack(clu_node_t *n, uint16_t from, clu_frame_t *f);
void node_on_advance(clu_node_t *n, uint16_t from, clu_frame_t *f);
void node_write_applied(clu_node_t *n, wreq_t *w, bool ok);
bool node_group_has(const wgroup_t *g, uint16_t node);

/* node_apply.c */
void node_apply_start(clu_node_t *n);
/* Finish every batch (node thread stopped), then stop the applier. */
void node_apply_stop(clu_node_t *n);
void node_rx_add(clu_node_t *n, const clu_record_t *r);
void node_rx_ack(clu_node_t *n, const rx_ack_t *a);
void node_wprep_add(clu_node_t *n, wreq_t *w);
/* Hand the filled batch to the applier if it is idle. */
void node_rx_flush(clu_node_t *n);
/* Run the completion of an applied batch, if one is done, and of the
 * batches made durable since the last call. */
void node_apply_complete(clu_node_t *n);
void node_peer_down(clu_node_t *n, uint16_t peer);
void node_peer_up_writes(clu_node_t *n, uint16_t peer);
void node_hints_pump(clu_node_t *n, uint16_t peer);
void node_send_advance(clu_node_t *n, uint16_t peer);
void node_oseq_load(clu_node_t *n);
void node_write_fail_all(clu_node_t *n);
/* Repair: blind put to one replica (self: local apply). */
void node_repair_send(clu_node_t *n, uint16_t peer, const clu_record_t *r);
/* Drop hints (all peers if peer == 0); returns how many. */
uint64_t node_drop_hints(clu_node_t *n, uint16_t peer);
wreq_t *node_wreq_new(clu_node_t *n, const clu_record_t *recs, size_t nrec,
                      clu_consistency_t cl, unsigned flags, clu_done_cb cb, void *ctx);
void node_wreq_free(wreq_t *w);

/* node_read.c */
void node_read_start(clu_node_t *n, rreq_t *r);
void node_on_read(clu_node_t *n, uint16_t from, clu_frame_t *f);
void node_on_read_reply(clu_node_t *n, uint16_t from, clu_frame_t *f);
void node_read_fail_all(clu_node_t *n);
rreq_t *node_rreq_new(clu_node_t *n, const void *key, size_t klen, clu_consistency_t cl);
void node_rreq_free(rreq_t *r);

/* node_scan.c */
sreq_t *node_sreq_new(const void *lo, size_t lolen, const void *hi, size_t hilen,
                      clu_consistency_t cl);
void node_scan_start(clu_node_t *n, void *sreq);   /* a POST_CALL fn */
void node_on_scan(clu_node_t *n, uint16_t from, clu_frame_t *f);
void node_on_scan_reply(clu_node_t *n, uint16_t from, clu_frame_t *f);
void node_scan_fail_all(clu_node_t *n);
/* A range read that never started (node stopped): fail it, free it. */
void node_sreq_abort(sreq_t *s, const rdb_err_t *err);
/* node_ae.c */
void node_ae_start_thread(clu_node_t *n);
void node_ae_stop_thread(clu_node_t *n);
void node_ae_drain(clu_node_t *n);    /* run finished jobs' done() */
/* Queue a job for the background thread (j->run there, j->done here). */
void node_ae_post(clu_node_t *n, ae_job_t *j);
/* Start a round; client != 0: reply to that ctl when finished. */
void node_ae_round(clu_node_t *n, uint32_t client, uint64_t ctl_id);
void node_ae_merkle_ctl(clu_node_t *n, uint32_t client, uint64_t ctl_id);
void node_on_merkle_req(clu_node_t *n, uint16_t from, clu_frame_t *f);
void node_on_merkle(clu_node_t *n, uint16_t from, clu_frame_t *f);
void node_on_range_req(clu_node_t *n, uint16_t from, clu_frame_t *f);
void node_on_range_data(clu_node_t *n, uint16_t from, clu_frame_t *f);
void node_on_ae_done(clu_node_t *n, uint16_t from, clu_frame_t *f);
void node_ae_peer_down(clu_node_t *n, uint16_t peer);
/* My partitions (vnode ranges where self is a replica), then the catalog
 * (malloc'd). */
size_t node_my_ranges(clu_node_t *n, ae_range_t **out);

/* node_part.c */
/* Lower-case hex of p as a JSON string. */
json_t *node_hex_json(const void *p, size_t len);
/* Ring partition i's range (lo, hi] and replicas (NODE_MAX_RF slots). */
size_t node_vnode_replicas(clu_node_t *n, size_t i, uint64_t *lo, uint64_t *hi, uint16_t *reps);
/* Placement token: the range partition's (partmap.h), else opts.key_token. */
uint64_t node_key_token(const void *key, size_t klen, void *ctx);
/* The replicas a write goes to: node_replicas, plus during a partition move
 * the replicas of the key's partition in the map being moved to. */
size_t node_write_replicas(clu_node_t *n, const void *key, size_t klen, uint16_t *out);
/* Load the stored maps (start). */
void node_part_load(clu_node_t *n);
/* The replica's applied hook: maps first, then the engine's hook. */
void node_part_applied(void *ctx, const clu_record_t *recs, size_t nrec);
/* Members added to the ring: stream them their ranges (node thread). */
void node_part_ring_changed(clu_node_t *n, const clu_ring_t *old, const clu_ring_t *cur);
void node_part_peer_up(clu_node_t *n, uint16_t peer);
void node_part_status_json(clu_node_t *n, json_t *root);
/* Split (or merge) through the coordinator (node_part.c, PART_* flags). */
rdb_status_t node_part_change(clu_node_t *n, const void *space, size_t slen, const void *key,
                              size_t klen, bool split, unsigned flags, rdb_buf_t *report,
                              rdb_err_t *err);
/* ctl "pmap-promise SPACE EXPECT NEXT": this member's half of a map
 * compare-and-set (node thread). */
void node_part_promise_ctl(clu_node_t *n, uint32_t client, uint64_t id, const char *space,
                           size_t slen, const char *ex, size_t exl, const char *nx, size_t nxl);
/* Every second (node thread): load rates; start an automatic split. */
void node_part_tick(clu_node_t *n);
/* Before the node thread stops: end the automatic split's thread. */
void node_part_stop(clu_node_t *n);
void node_sleep_ms(uint64_t ms);
/* Start fn(n) as the node's one background job (bg_running; fn clears it
 * when done).  Node thread. */
bool node_bg_start(clu_node_t *n, void *(*fn)(void *));

/* node_move.c: handoff of foreign data, purge, leave. */
void node_move_init(clu_node_t *n);
void node_move_free(clu_node_t *n);
void node_move_ring_changed(clu_node_t *n, const clu_ring_t *old, const clu_ring_t *cur);
void node_move_tick(clu_node_t *n);
/* Hand the records this node does not replicate (versions stamped at or
 * after since) to their replicas at ALL; then (purge) drop them here.
 * *bound (may be NULL) gets the stamp taken at the start.  Blocking, not
 * on the node thread. */
rdb_status_t node_handoff(clu_node_t *n, bool purge, uint64_t since, uint64_t *bound,
                          uint64_t *sent, rdb_err_t *err);
/* ctl "cleanup" (leave false) or the handoff of "leave" (leave_version:
 * this node's member entry marking the leave): answers when done. */
void node_move_ctl(clu_node_t *n, uint32_t client, uint64_t id, bool leave,
                   uint64_t leave_version, uint64_t timeout_ms);
/* After the removal of member `removed`: write every record of which this
 * node and removed were replicas to its replicas under the current ring,
 * at ALL (blocking, not on the node thread). */
rdb_status_t node_rereplicate_walk(clu_node_t *n, uint16_t removed, uint64_t *sent,
                                   rdb_err_t *err);

/* node_remove.c: removenode, and the confirmations of leave / removenode. */
/* ctl "removenode ID [TIMEOUT_S]" (coord) or "rereplicate ID [TIMEOUT_S]". */
void node_remove_ctl(clu_node_t *n, uint32_t client, uint64_t id, const char *arg, size_t al,
                     const char *tmo, size_t tl, bool coord);
/* Wait until every up member other than id has gossiped a member table in
 * which id is removed (removed) or leaving at >= version; 57P03 after
 * timeout_ms.  Blocking, not on the node thread. */
rdb_status_t node_wait_seen(clu_node_t *n, uint16_t id, uint64_t version, bool removed,
                            uint64_t timeout_ms, rdb_err_t *err);
/* Wait until every record received so far is applied to the store. */
void node_apply_barrier(clu_node_t *n);
/* Run cmd on the control port of the member at addr (HOST:PPORT); its
 * error comes back with its SQLSTATE. */
rdb_status_t node_call_addr(clu_node_t *n, const char *addr, const char *cmd,
                            const char *const *args, const size_t *lens, size_t nargs,
                            int timeout_ms, rdb_buf_t *reply, rdb_err_t *err);
/* A range read inside one range-partitioned space: the replica sets of the
 * partitions it overlaps (malloc'd, NODE_MAX_RF slots each) and their
 * count; 0 when the range is not (the ring's partitions apply). */
size_t node_part_scan_sets(clu_node_t *n, const void *lo, size_t lolen, const void *hi,
                           size_t hilen, uint16_t **sets, uint8_t **setn);

/* node_hints.c: hints held for a member that left or was removed. */
/* peer is a member that is leaving, has left or was removed (not self). */
bool node_peer_gone(clu_node_t *n, uint16_t peer);
/* Write a batch of peer's hints to the new replicas at ALL, deleting them
 * once acknowledged (node thread; a no-op unless peer is gone). */
void node_hints_redirect(clu_node_t *n, uint16_t peer);
/* Wait until this node holds no hints for peer (blocking, not on the node
 * thread); 57P03 after timeout_ms. */
rdb_status_t node_hints_wait_gone(clu_node_t *n, uint16_t peer, uint64_t timeout_ms,
                                  rdb_err_t *err);
/* ctl "hints-redirect ID [TIMEOUT_S]": answers once no hint for ID is left
 * here (redirected), or 57P03. */
void node_hints_ctl(clu_node_t *n, uint32_t client, uint64_t id, const char *a, size_t al,
                    const char *tmo, size_t tl);
/* Run "hints-redirect peer" on every other up member, one after the other
 * (blocking, not on the node thread). */
rdb_status_t node_hints_wait_members(clu_node_t *n, uint16_t peer, uint64_t timeout_ms,
                                     rdb_err_t *err);

/* node_ae.c: push my records of ranges to peer (RANGE_DATA frames). */
void node_ae_push_ranges(clu_node_t *n, uint16_t peer, ae_range_t *ranges, size_t nranges);

/* node_ctl.c */
void node_on_ctl(clu_net_t *net, uint32_t client, clu_frame_t *f, void *ctx);
/* Reply to a control client: ok/error and a payload (JSON text). */
void node_ctl_reply(clu_node_t *n, uint32_t client, uint64_t id, bool ok, const char *payload,
                    size_t len);
void node_ctl_reply_err(clu_node_t *n, uint32_t client, uint64_t id, const rdb_err_t *err);
/* Run fn(arg) on a detached thread for a control command that blocks
 * (counted in ctl_threads: clu_node_stop waits for them); false (the
 * client told, arg not used) if it could not start. */
bool node_ctl_thread(clu_node_t *n, uint32_t client, uint64_t id, void *(*fn)(void *), void *arg);

#endif
