/*
 * partmap.h — the partition maps of range-partitioned key spaces and the
 * placement they give (DESIGN.md §3, §5).
 *
 * A "space" is a key prefix (for SQL: 0x02 ‖ be32 table_id, the rows of a
 * PARTITION BY RANGE table).  Its map is one catalog record
 *
 *   KEY   CLU_PMAP_KEY ‖ space          (0x01 'P' ‖ space)
 *   VALUE MessagePack [cur, next]       cur: bin, clu_rangemap_encode of the
 *                                       split points routing reads; next: nil,
 *                                       or bin, the map being moved to
 *
 * Being under 0x01, the record is replicated to every member like the rest
 * of the catalog.  The map's version is the record's version (hlc, node):
 * the cache below keeps, per space, the record with the newest version and
 * ignores an older one whatever order records arrive in, which is the LWW
 * of the store itself, so every node converges on the same map.
 *
 * Placement.  Partition i of a space is [s[i-1], s[i]) of the key bytes
 * after the space prefix.  Its token is clu_token(space ‖ start of i) (the
 * first partition's start is empty), and its replicas are the ring's
 * replicas of that token: so a partition has RF owners spread like any
 * ring range, the ring's preference lists, hints and anti-entropy apply to
 * it unchanged, and adding a member moves whole partitions.
 *
 * While next is set (a split or merge moving data), reads are routed by cur
 * and writes go to the replicas of both cur and next.  A space with no cur
 * (the first change of a table created before any map: cur is "none") keeps
 * its default placement (the caller's token) for reads until the move ends.
 *
 * The cache is thread-safe (a read-write lock): the node's loop, applier and
 * anti-entropy threads ask it for tokens.
 *
 * Load.  Next to each space's current map the cache keeps per-partition
 * load counters of this node (clu_pmap_note: reads, writes, bytes written;
 * clu_pmap_tick: their rates, decayed) and a sample of the keys recently
 * written to each partition, from which clu_pmap_tick proposes a split
 * point (the median sampled key) for a partition whose write rate stayed
 * above a threshold.  A partition keeps its counters across map versions
 * as long as its bounds do not change; the halves of a split start at 0.
 *
 * Cluster-wide load.  A write is counted where it is coordinated, so one
 * node sees only its share of a partition's writes.  Each member packs its
 * rates (clu_pmap_pack_report, with its median key per partition) into its
 * gossip; the others keep them per partition (clu_pmap_peer_report, for
 * the same map version only, for PL_REPORT_MS) and clu_pmap_tick decides
 * on cluster_write_rate, this node's rate plus the fresh reports, taking
 * its own median key or else the busiest reporter's.
 */
#ifndef RDB_CLUSTER_PARTMAP_H
#define RDB_CLUSTER_PARTMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <msgpack.h>

#include "cluster/rangemap.h"
#include "common/buf.h"
#include "common/error.h"
#include "lsm/lsm.h"

/* DO NOT CHANGE: part of the stored catalog key. */
#define CLU_PMAP_KEY     "\x01P"
#define CLU_PMAP_KEY_LEN 2
#define CLU_PMAP_MAX_SPACE 64

/* One decoded map record. */
typedef struct clu_pmap_rec {
    lsm_version_t  version;
    bool           has_cur;   /* false: default placement ("none")        */
    clu_rangemap_t cur;
    bool           moving;
    clu_rangemap_t next;
} clu_pmap_rec_t;

/* Where a key goes. */
typedef struct clu_place {
    bool     has_cur;
    uint64_t cur_token;       /* valid if has_cur                          */
    size_t   cur_part;
    bool     moving;
    uint64_t next_token;      /* valid if moving                           */
    size_t   next_part;
} clu_place_t;

/* Load of one partition on this node. */
typedef struct clu_pload {
    uint64_t reads, writes, bytes;          /* since the partition got its bounds */
    double   read_rate, write_rate, byte_rate; /* per second, decayed (~3 s)    */
    double   cluster_write_rate;            /* write_rate plus the other members' */
    uint32_t hot_ticks;                     /* consecutive ticks above the split rate */
} clu_pload_t;

/* A split proposed by clu_pmap_tick. */
typedef struct clu_hot {
    char     space[CLU_PMAP_MAX_SPACE];
    size_t   slen;
    rdb_buf_t split;                        /* the split key (after the prefix) */
    double   write_rate;
} clu_hot_t;

typedef struct clu_pmap clu_pmap_t;

void         clu_pmap_rec_init(clu_pmap_rec_t *r);
void         clu_pmap_rec_free(clu_pmap_rec_t *r);
void         clu_pmap_rec_copy(clu_pmap_rec_t *dst, const clu_pmap_rec_t *src);
/* cur NULL: "none"; next NULL: not moving. */
void         clu_pmap_rec_encode(const clu_rangemap_t *cur, const clu_rangemap_t *next,
                                 rdb_buf_t *out);
rdb_status_t clu_pmap_rec_decode(clu_pmap_rec_t *r, const void *data, size_t len,
                                 rdb_err_t *err);
/* The catalog key of a space's map. */
void         clu_pmap_key(const void *space, size_t slen, rdb_buf_t *out);
bool         clu_pmap_is_key(const void *key, size_t klen);
/* Token of partition `part` of map m in space. */
uint64_t     clu_pmap_part_token(const void *space, size_t slen, const clu_rangemap_t *m,
                                 size_t part);

clu_pmap_t *clu_pmap_new(void);
void        clu_pmap_free(clu_pmap_t *pm);
/* A map record stored at key with version v (value NULL: a tombstone,
 * ignored).  It replaces the space's map only if v is newer than the one
 * held; returns true if it did.  Keys that are not map keys and malformed
 * values (logged) return false. */
bool        clu_pmap_apply(clu_pmap_t *pm, const void *key, size_t klen, const void *val,
                           size_t vlen, lsm_version_t v);
/* Placement of key: false if it lies in no range-partitioned space. */
bool        clu_pmap_place(clu_pmap_t *pm, const void *key, size_t klen, clu_place_t *out);
/* The tokens of the partitions that [lo, hi) overlaps (malloc'd) and
 * their count, when the range lies inside one space whose map has a cur
 * and is not moving; 0 otherwise.  hi may be the space's end (the prefix
 * plus one), never NULL. */
size_t      clu_pmap_range_tokens(clu_pmap_t *pm, const void *lo, size_t lolen, const void *hi,
                                  size_t hilen, uint64_t **tokens);
/* A copy of the space's record (caller frees with clu_pmap_rec_free);
 * false if the space has none. */
bool        clu_pmap_get(clu_pmap_t *pm, const void *space, size_t slen, clu_pmap_rec_t *out);
/* Number of spaces with a map. */
size_t      clu_pmap_count(clu_pmap_t *pm);
/* Call fn for every space's record and the load of its current partitions
 * (cur.n + 1 entries, NULL without cur) (read lock held: fn must not call
 * back). */
typedef void (*clu_pmap_each_fn)(void *ctx, const void *space, size_t slen,
                                 const clu_pmap_rec_t *rec, const clu_pload_t *load);
void        clu_pmap_each(clu_pmap_t *pm, clu_pmap_each_fn fn, void *ctx);

/* The length of the range-partitioned space (key prefix) that key belongs
 * to, or 0 (the SQL engine: 0x02 ‖ table id of a PARTITION BY RANGE
 * table's row key).  Must be cheap and thread-safe. */
typedef size_t (*clu_space_fn)(void *ctx, const void *key, size_t klen);
/* With fn set, the writes of a range space that has no map yet are counted
 * too, as the space's one partition (from its second write seen here), are
 * gossiped (map version 0) and may propose the space's first split; such a
 * space stays out of placement (clu_pmap_place, _get, _each) until its map
 * arrives.  fn NULL: only spaces with a map count. */
void        clu_pmap_set_space_fn(clu_pmap_t *pm, clu_space_fn fn, void *ctx);
/* Count a read or a write (bytes: key and value) of key on this node
 * against its partition in the current map; a no-op for other keys. */
void        clu_pmap_note(clu_pmap_t *pm, const void *key, size_t klen, bool write, size_t bytes);
/* Once per tick of dt seconds: update the decayed rates.  With split_rate
 * > 0, a partition whose cluster-wide write rate stayed at or above it for min_ticks
 * ticks, in a space that is not moving and whose map last changed at
 * least cooldown_ms before now_ms (monotonic), with a sampled median key
 * strictly inside it, is proposed in *hot (the hottest one; true). */
bool        clu_pmap_tick(clu_pmap_t *pm, double dt, uint64_t now_ms, double split_rate,
                          uint32_t min_ticks, uint64_t cooldown_ms, clu_hot_t *hot);

/* This node's load report: [[space, map hlc, map node, partition, write
 * rate, median key | nil]...] for partitions written at least min_rate a
 * second here. */
void        clu_pmap_pack_report(clu_pmap_t *pm, double min_rate, msgpack_packer *pk);
/* A member's report (as packed above), received at now_ms (the clock of
 * clu_pmap_tick's now_ms). */
void        clu_pmap_peer_report(clu_pmap_t *pm, uint16_t peer, uint64_t now_ms,
                                 const msgpack_object *rep);

#endif
