/*
 * peer.h — peer links: authenticated, framed TCP between cluster nodes.
 *
 * One clu_net_t per node, driven by one libev loop (not thread safe: call
 * everything from the loop's thread).  It listens on the peer port, dials
 * the addresses it is given (reconnecting with exponential backoff), runs
 * the HMAC handshake (auth.h) on every connection, and then delivers frames
 * (frame.h) to on_frame.  Every frame's HLC is fed to the node's clock
 * first; a peer whose stamps run beyond the max offset is flagged (counted,
 * logged) and its clock not followed.
 *
 * One connection per peer pair: if two authenticated links to the same peer
 * exist (both dialled at once), the one dialled by the lower node id is kept.
 * Control clients (ringdb-ctl) authenticate with the same secret as node 0;
 * their links are never deduplicated and never reported through on_state.
 * Send queues are bounded (max_queue bytes per peer): clu_net_send returns
 * RDB_BUSY when full, so the caller applies back-pressure or stores a hint.
 */
#ifndef RDB_CLUSTER_PEER_H
#define RDB_CLUSTER_PEER_H

#include <ev.h>
#include <stdbool.h>
#include <stdint.h>

#include "cluster/frame.h"
#include "cluster/hlc.h"
#include "common/buf.h"
#include "common/error.h"

/* Seconds a link may take from connect() to an authenticated UP state. */
#define CLU_NET_HANDSHAKE_TIMEOUT 3.0

typedef struct clu_net clu_net_t;

/* A frame from an authenticated peer; f is released after the call. */
typedef void (*clu_net_frame_cb)(clu_net_t *net, uint16_t from, clu_frame_t *f, void *ctx);
/* A frame from an authenticated control client (ringdb-ctl: node id 0 in
 * the handshake).  client identifies the link for clu_net_reply. */
typedef void (*clu_net_client_cb)(clu_net_t *net, uint32_t client, clu_frame_t *f, void *ctx);
/* A peer link came up (up = true) or went down. */
typedef void (*clu_net_state_cb)(clu_net_t *net, uint16_t peer, bool up, void *ctx);

typedef struct clu_net_opts {
    uint16_t         node_id;
    const char      *secret;        /* cluster secret, required non-empty */
    const char      *listen_host;   /* NULL = 127.0.0.1                   */
    int              listen_port;   /* 0 = any free port                  */
    size_t           max_queue;     /* bytes per peer; 0 = 64 MB          */
    uint64_t         backoff_min_ms, backoff_max_ms; /* 0 = 50 / 2000     */
    clu_hlc_t       *hlc;           /* required                           */
    clu_net_frame_cb on_frame;
    clu_net_state_cb on_state;
    clu_net_client_cb on_client;    /* NULL: control clients are ignored  */
    void            *ctx;
} clu_net_opts_t;

typedef struct clu_net_peer_stats {
    bool     up;
    size_t   queued_bytes;
    uint64_t frames_in, frames_out;
    uint64_t clock_flags;           /* frames whose HLC ran too far ahead */
} clu_net_peer_stats_t;

rdb_status_t clu_net_open(struct ev_loop *loop, const clu_net_opts_t *o, clu_net_t **out,
                          rdb_err_t *err);
/* Close every link and free the net (not from inside one of its callbacks). */
void clu_net_close(clu_net_t *net);
int  clu_net_port(const clu_net_t *net);
/* Keep a link to host:port (its node id is learnt in the handshake). */
rdb_status_t clu_net_dial(clu_net_t *net, const char *host, int port, rdb_err_t *err);
/* Queue a finished frame (frame.h) for peer.  RDB_UNAVAILABLE: no link;
 * RDB_BUSY: the queue is full.  The bytes are copied. */
rdb_status_t clu_net_send(clu_net_t *net, uint16_t peer, const void *frame, size_t len);
/* Write what the links hold now, without waiting for the loop (call before
 * slow work such as an fsync, so frames are not held behind it). */
void clu_net_flush(clu_net_t *net);
bool clu_net_is_up(const clu_net_t *net, uint16_t peer);
void clu_net_peer_stats(const clu_net_t *net, uint16_t peer, clu_net_peer_stats_t *st);
/* Queue a finished frame for a control client; as clu_net_send. */
rdb_status_t clu_net_reply(clu_net_t *net, uint32_t client, const void *frame, size_t len);
/* Close every link to peer now (a failure detector decided it is dead);
 * on_state reports it down and the dial slot re-dials with backoff. */
void clu_net_drop(clu_net_t *net, uint16_t peer);
void clu_net_drop_client(clu_net_t *net, uint32_t client);
/* Refuse peer (a member removed from the cluster): send what is queued to
 * it, close its links, and dial it again only after the longest backoff
 * (callable from on_state). */
void clu_net_refuse(clu_net_t *net, uint16_t peer);
/* Authentication failures seen (wrong secret), for status and tests. */
uint64_t clu_net_auth_failures(const clu_net_t *net);

#endif
