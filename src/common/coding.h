/*
 * coding.h — fixed-width and variable-width integer encodings.
 *
 * Fixed-width: *_le for on-disk formats (WAL, SSTable), *_be for network
 * protocols and order-preserving keys.  Varints are LevelDB's/protobuf's
 * base-128 little-endian groups.  Decoders are bounds-checked: they take the
 * end of the input and return NULL on truncated or overlong input, so data
 * read from disk or the network can never run them off the end.
 */
#ifndef RDB_COMMON_CODING_H
#define RDB_COMMON_CODING_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define RDB_MAX_VARINT32_LEN 5
#define RDB_MAX_VARINT64_LEN 10

static inline void rdb_put_u16_be(void *dst, uint16_t v)
{
    uint8_t *p = dst;
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}
static inline void rdb_put_u32_be(void *dst, uint32_t v)
{
    v = __builtin_bswap32(v);
    memcpy(dst, &v, 4);
}
static inline void rdb_put_u64_be(void *dst, uint64_t v)
{
    v = __builtin_bswap64(v);
    memcpy(dst, &v, 8);
}
static inline uint16_t rdb_get_u16_be(const void *src)
{
    const uint8_t *p = src;
    return (uint16_t)((p[0] << 8) | p[1]);
}
static inline uint32_t rdb_get_u32_be(const void *src)
{
    uint32_t v;
    memcpy(&v, src, 4);
    return __builtin_bswap32(v);
}
static inline uint64_t rdb_get_u64_be(const void *src)
{
    uint64_t v;
    memcpy(&v, src, 8);
    return __builtin_bswap64(v);
}
/* x86-64 and aarch64 Linux are little-endian; the build asserts it. */
static inline void rdb_put_u32_le(void *dst, uint32_t v) { memcpy(dst, &v, 4); }
static inline void rdb_put_u64_le(void *dst, uint64_t v) { memcpy(dst, &v, 8); }
static inline uint32_t rdb_get_u32_le(const void *src) { uint32_t v; memcpy(&v, src, 4); return v; }
static inline uint64_t rdb_get_u64_le(const void *src) { uint64_t v; memcpy(&v, src, 8); return v; }

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "ringdb assumes a little-endian host");

/* Encode into dst (room for RDB_MAX_VARINT*_LEN); returns bytes written. */
size_t rdb_encode_varint32(void *dst, uint32_t v);
size_t rdb_encode_varint64(void *dst, uint64_t v);
size_t rdb_varint_length(uint64_t v);

/* Decode from [p, end); returns the byte after the varint, or NULL. */
const char *rdb_decode_varint32(const char *p, const char *end, uint32_t *v);
const char *rdb_decode_varint64(const char *p, const char *end, uint64_t *v);
/* A varint32 length then that many bytes; NULL if either is truncated. */
const char *rdb_decode_lenprefixed(const char *p, const char *end,
                                   const char **data, uint32_t *len);

static inline uint64_t rdb_zigzag_encode(int64_t v) { return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63); }
static inline int64_t  rdb_zigzag_decode(uint64_t v) { return (int64_t)(v >> 1) ^ -(int64_t)(v & 1); }

#endif
