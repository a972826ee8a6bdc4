/*
 * members.h — the membership table: who is in the cluster, at which peer
 * address, and in what state (up, suspect, down, joining, leaving).
 *
 * Each member's entry is owned by that member: it carries a version (the
 * owner's HLC when it last changed its address or leaving flag) and gossip
 * merges entries by keeping the higher version.  Liveness is local: a peer
 * heard from (any frame, including heartbeats) within suspect_ms is UP,
 * within 2 * suspect_ms SUSPECT, later DOWN; never heard: JOINING.  A member
 * that announced it is leaving is LEAVING.  A member taken out by another
 * (`ringdb-ctl removenode`, for a dead node) is REMOVED: that mark is
 * sticky, whatever version the removed node's own entry carries later, so
 * a removed node that comes back is refused instead of rejoining with stale
 * data (it must join again under a new id with an empty data directory).
 * The table is persisted (atomic rename, CRC32C) so a restarted node knows
 * whom to dial.  Not thread safe.
 */
#ifndef RDB_CLUSTER_MEMBERS_H
#define RDB_CLUSTER_MEMBERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/error.h"

typedef enum clu_mstate {
    CLU_M_JOINING, CLU_M_UP, CLU_M_SUSPECT, CLU_M_DOWN, CLU_M_LEAVING, CLU_M_REMOVED
} clu_mstate_t;

#define CLU_ADDR_MAX 64

typedef struct clu_member {
    uint16_t     id;
    char         addr[CLU_ADDR_MAX];  /* HOST:PPORT */
    uint64_t     version;
    bool         leaving;             /* also set when removed */
    bool         removed;             /* sticky (removenode) */
    uint64_t     last_heard_ms;       /* local monotonic ms, 0 = never */
    clu_mstate_t state;
} clu_member_t;

typedef struct clu_members {
    uint16_t      self;
    uint64_t      suspect_ms;
    clu_member_t *m;     /* sorted by id, owned */
    size_t        n;
} clu_members_t;

const char *clu_mstate_name(clu_mstate_t s);
void clu_members_init(clu_members_t *ms, uint16_t self, uint64_t suspect_ms);
void clu_members_free(clu_members_t *ms);
const clu_member_t *clu_members_get(const clu_members_t *ms, uint16_t id);
/* Merge one entry (from config, gossip or disk): inserted if new, replaced
 * if version is higher.  Returns true if the table changed.  An address
 * longer than CLU_ADDR_MAX - 1 is refused (false). */
bool clu_members_merge(clu_members_t *ms, uint16_t id, const char *addr, uint64_t version,
                       bool leaving);
/* Mark id removed (and leaving) at version; sticky from then on.  Returns
 * true if the table changed (false: unknown id or already removed). */
bool clu_members_remove(clu_members_t *ms, uint16_t id, uint64_t version);
/* The entry for id in an encoded table (another member's view), without
 * merging it anywhere; false if absent or malformed. */
bool clu_members_peek_encoded(const void *data, size_t len, uint16_t id, clu_member_t *out);
void clu_members_heard(clu_members_t *ms, uint16_t id, uint64_t now_ms);
/* Recompute states at now_ms; returns how many changed. */
size_t clu_members_tick(clu_members_t *ms, uint64_t now_ms);
bool clu_members_is_up(const clu_members_t *ms, uint16_t id);

/* Wire / disk form: varint count, then per entry varint id, varint addr
 * length, addr, varint version, u8 flags; if flags has CLU_MF_EXT, a varint
 * length and that many bytes of fields added by a later version follow.
 * DO NOT CHANGE the bits below (gossip and the members file).  A decoder
 * ignores flag bits it does not know and skips the extension, so a newer
 * node's table (a new state, a new field) is read by an older one as far
 * as it understands it instead of being refused whole. */
#define CLU_MF_LEAVING 0x01u
#define CLU_MF_REMOVED 0x02u  /* (removed implies leaving) */
#define CLU_MF_EXT     0x80u
void         clu_members_encode(const clu_members_t *ms, rdb_buf_t *out);
/* Merge every entry of an encoded table into ms; returns changes in *changed. */
rdb_status_t clu_members_merge_encoded(clu_members_t *ms, const void *data, size_t len,
                                       size_t *changed, rdb_err_t *err);
rdb_status_t clu_members_save(const clu_members_t *ms, const char *path, rdb_err_t *err);
/* RDB_NOTFOUND if the file does not exist; RDB_CORRUPTION on a bad file. */
rdb_status_t clu_members_load(clu_members_t *ms, const char *path, rdb_err_t *err);

#endif
