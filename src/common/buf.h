/*
 * buf.h — growable byte buffer.
 *
 * The buffer owns its heap storage; rdb_buf_free releases it.  data is not
 * NUL-terminated unless rdb_buf_cstr is called.  Appends never fail (mem.h).
 * Multi-byte integers are appended big-endian (network order, as the
 * PostgreSQL protocol and ringdb's order-preserving keys want) by the _be
 * functions and little-endian by the _le ones (on-disk formats).
 */
#ifndef RDB_COMMON_BUF_H
#define RDB_COMMON_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct rdb_buf {
    char  *data;
    size_t len;
    size_t cap;
} rdb_buf_t;

#define RDB_BUF_INIT { NULL, 0, 0 }

void rdb_buf_init(rdb_buf_t *b, size_t cap);
void rdb_buf_free(rdb_buf_t *b);
void rdb_buf_grow(rdb_buf_t *b, size_t extra); /* ensure cap >= len + extra */
static inline void rdb_buf_reserve(rdb_buf_t *b, size_t extra)
{
    if (b->cap - b->len < extra)
        rdb_buf_grow(b, extra);
}
static inline void rdb_buf_reset(rdb_buf_t *b) { b->len = 0; }
/* Drop the first n bytes (consumed input), moving the rest to the front. */
void rdb_buf_consume(rdb_buf_t *b, size_t n);
/* Take ownership of the storage out of the buffer; *len gets its length. */
char *rdb_buf_detach(rdb_buf_t *b, size_t *len);
/* NUL-terminate (not counted in len) and return data. */
const char *rdb_buf_cstr(rdb_buf_t *b);

static inline void rdb_buf_append(rdb_buf_t *b, const void *p, size_t n)
{
    rdb_buf_reserve(b, n);
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
}
static inline void rdb_buf_append_str(rdb_buf_t *b, const char *s) { rdb_buf_append(b, s, strlen(s)); }
static inline void rdb_buf_append_u8(rdb_buf_t *b, uint8_t v)
{
    rdb_buf_reserve(b, 1);
    b->data[b->len++] = (char)v;
}
void rdb_buf_append_u16_be(rdb_buf_t *b, uint16_t v);
void rdb_buf_append_u32_be(rdb_buf_t *b, uint32_t v);
void rdb_buf_append_u64_be(rdb_buf_t *b, uint64_t v);
void rdb_buf_append_u32_le(rdb_buf_t *b, uint32_t v);
void rdb_buf_append_u64_le(rdb_buf_t *b, uint64_t v);
void rdb_buf_append_varint32(rdb_buf_t *b, uint32_t v);
void rdb_buf_append_varint64(rdb_buf_t *b, uint64_t v);
/* varint length followed by the bytes (LevelDB's length-prefixed slice). */
void rdb_buf_append_lenprefixed(rdb_buf_t *b, const void *p, size_t n);
void rdb_buf_printf(rdb_buf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void rdb_buf_vprintf(rdb_buf_t *b, const char *fmt, va_list ap);

#endif
