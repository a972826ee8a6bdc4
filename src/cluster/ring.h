/*
 * ring.h — the consistent-hash ring and the partition map (DESIGN.md §5).
 *
 * Each member owns vnodes_per_node tokens on a 64-bit ring.  A vnode's token
 * is a fixed hash of (node id, vnode index), so every node computes the same
 * ring from the member list alone; the ring therefore replicates as a small
 * versioned record (members, vnodes, rf, version) and never as a token list.
 * A token t belongs to the first vnode clockwise whose token >= t (wrapping);
 * its replicas are the next rf *distinct* nodes from there.
 *
 * Adding a node only takes ranges that its new vnodes now precede, so about
 * 1/N of the token space moves, and only *to* the new node.
 *
 * The partition map is versioned: every change bumps version (the caller
 * passes an HLC stamp, so concurrent changes order like any other write and
 * the highest version wins when maps are exchanged).
 * Not thread safe: the owner serialises access (copy-on-write if shared).
 */
#ifndef RDB_CLUSTER_RING_H
#define RDB_CLUSTER_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/error.h"

#define CLU_RING_DEFAULT_VNODES 16
#define CLU_RING_DEFAULT_RF     3
#define CLU_RING_MAX_NODES      1024
#define CLU_RING_MAX_VNODES     1024
/* DO NOT CHANGE: the vnode token seed is part of every node's ring. */
#define CLU_RING_TOKEN_SEED     0x72696e67646276ULL

typedef struct clu_vnode {
    uint64_t token;
    uint16_t node;
} clu_vnode_t;

typedef struct clu_ring {
    uint64_t     version;
    uint32_t     vnodes_per_node;
    uint32_t     rf;
    uint16_t    *nodes;     /* sorted member ids, owned */
    size_t       nnodes;
    clu_vnode_t *vn;        /* sorted by (token, node), owned */
    size_t       nvn;
} clu_ring_t;

/* Liveness predicate for preference lists. */
typedef bool (*clu_node_up_fn)(uint16_t node, void *ctx);

void clu_ring_init(clu_ring_t *r, uint32_t vnodes_per_node, uint32_t rf);
void clu_ring_free(clu_ring_t *r);
/* Deep copy into dst (dst uninitialised). */
void clu_ring_copy(clu_ring_t *dst, const clu_ring_t *src);
/* Add / remove a member; version becomes `version`.  Adding a present node or
 * removing an absent one is a no-op returning false. */
bool clu_ring_add(clu_ring_t *r, uint16_t node, uint64_t version);
bool clu_ring_remove(clu_ring_t *r, uint16_t node, uint64_t version);
bool clu_ring_has(const clu_ring_t *r, uint16_t node);
/* The token of a user key (the partition key's hash, DESIGN.md §3). */
uint64_t clu_token(const void *key, size_t len);
/* The vnode index that owns token (REQUIRES: nvn > 0). */
size_t clu_ring_vnode_of(const clu_ring_t *r, uint64_t token);
/* Natural replicas of token: up to min(rf, nnodes) distinct nodes clockwise.
 * Returns the count written to out (which holds at least rf entries). */
size_t clu_ring_replicas(const clu_ring_t *r, uint64_t token, uint16_t *out);
/* Preference list for a write: the natural replicas that are up, followed by
 * further distinct up nodes clockwise until rf are found (sloppy quorum).
 * The down natural replicas are written to down_out (may be NULL) so the
 * coordinator keeps hints for them.  Returns the count in out. */
size_t clu_ring_preference(const clu_ring_t *r, uint64_t token, clu_node_up_fn up,
                           void *ctx, uint16_t *out, uint16_t *down_out, size_t *ndown);
/* The token range (lo, hi] owned by vnode i: lo is the previous vnode's
 * token.  With one vnode the range is the whole ring (lo == hi). */
void clu_ring_vnode_range(const clu_ring_t *r, size_t i, uint64_t *lo, uint64_t *hi);

/* The versioned record: version, vnodes, rf, members. */
void         clu_ring_encode(const clu_ring_t *r, rdb_buf_t *out);
rdb_status_t clu_ring_decode(clu_ring_t *r, const void *data, size_t len, rdb_err_t *err);

#endif
