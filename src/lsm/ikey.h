/*
 * ikey.h — internal keys: user_key ‖ trailer, newest version first.
 *
 * The 11-byte trailer is ~hlc (8, big-endian), ~node_id (2, big-endian) and a
 * kind byte, so that for one user key memcmp of trailers orders versions from
 * newest to oldest.  Internal keys compare by user key (bytewise), then
 * trailer.  A seek target (ukey, snapshot) uses the smallest trailer with
 * hlc == snapshot, so the first entry >= it is the newest version <= snapshot.
 * DO NOT CHANGE: embedded in the on-disk format.
 */
#ifndef RDB_LSM_IKEY_H
#define RDB_LSM_IKEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "common/coding.h"
#include "lsm/lsm.h"

#define LSM_IKEY_TRAILER 11
enum { LSM_KIND_PUT = 1, LSM_KIND_DELETE = 2 };

static inline void lsm_ikey_trailer(char *dst, lsm_version_t v, int kind)
{
    rdb_put_u64_be(dst, ~v.hlc);
    rdb_put_u16_be(dst + 8, (uint16_t)~v.node_id);
    dst[10] = (char)kind;
}

static inline lsm_version_t lsm_ikey_version(const char *ikey, size_t n)
{
    const char *t = ikey + n - LSM_IKEY_TRAILER;
    lsm_version_t v = { ~rdb_get_u64_be(t), (uint16_t)~rdb_get_u16_be(t + 8) };
    return v;
}

static inline int lsm_ikey_kind(const char *ikey, size_t n) { return (unsigned char)ikey[n - 1]; }

static inline int lsm_ukey_cmp(const void *a, size_t an, const void *b, size_t bn)
{
    int c = memcmp(a, b, an < bn ? an : bn);
    if (c)
        return c;
    return an < bn ? -1 : an > bn;
}

/* Both must be well-formed (length >= trailer). */
static inline int lsm_ikey_cmp(const char *a, size_t an, const char *b, size_t bn)
{
    int c = lsm_ukey_cmp(a, an - LSM_IKEY_TRAILER, b, bn - LSM_IKEY_TRAILER);
    if (c)
        return c;
    return memcmp(a + an - LSM_IKEY_TRAILER, b + bn - LSM_IKEY_TRAILER, LSM_IKEY_TRAILER);
}

/* Build a seek key for (ukey, snapshot) into buf (room klen + trailer). */
static inline size_t lsm_ikey_seek(char *buf, const void *ukey, size_t klen, uint64_t snapshot)
{
    memcpy(buf, ukey, klen);
    lsm_version_t v = { snapshot, 0xffff };
    lsm_ikey_trailer(buf + klen, v, 0);
    return klen + LSM_IKEY_TRAILER;
}

#endif
