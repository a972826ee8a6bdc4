/*
 * batch.h — a write batch's encoding, which is also a WAL record's payload.
 *
 * count (u32 le), then per record: kind (1) | varint32 klen | key |
 * hlc (u64 le) | node_id (u16 le) | [varint32 vlen | value] for puts.
 * DO NOT CHANGE: embedded in the on-disk format.
 */
#ifndef RDB_LSM_BATCH_H
#define RDB_LSM_BATCH_H

#include "common/buf.h"
#include "lsm/lsm.h"

struct lsm_batch {
    rdb_buf_t rep;
    size_t count;
    size_t max_klen;
};

typedef rdb_status_t (*lsm_batch_fn)(void *arg, int kind, const char *key, size_t klen,
                                     lsm_version_t v, const char *val, size_t vlen);
/* Decode rep; RDB_CORRUPTION (message without file context) on bad input. */
rdb_status_t lsm_batch_iterate(const char *rep, size_t n, lsm_batch_fn fn, void *arg,
                               rdb_err_t *err);

#endif
