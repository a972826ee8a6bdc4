/*
 * buf.c — rdb_buf_t growth and typed appends (see buf.h).
 */
#include "common/buf.h"

#include <stdio.h>
#include <stdlib.h>

#include "common/coding.h"
#include "common/mem.h"

void rdb_buf_init(rdb_buf_t *b, size_t cap)
{
    b->data = cap ? rdb_malloc(cap) : NULL;
    b->len = 0;
    b->cap = cap;
}

void rdb_buf_free(rdb_buf_t *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

void rdb_buf_grow(rdb_buf_t *b, size_t extra)
{
    size_t need = b->len + extra;
    if (need < b->len)
        rdb_oom(); /* size_t overflow */
    if (need <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = cap * 2 > cap ? cap * 2 : need;
    b->data = rdb_realloc(b->data, cap);
    b->cap = cap;
}

void rdb_buf_consume(rdb_buf_t *b, size_t n)
{
    if (n >= b->len) {
        b->len = 0;
        return;
    }
    memmove(b->data, b->data + n, b->len - n);
    b->len -= n;
}

char *rdb_buf_detach(rdb_buf_t *b, size_t *len)
{
    char *d = b->data;
    if (len)
        *len = b->len;
    b->data = NULL;
    b->len = b->cap = 0;
    return d;
}

const char *rdb_buf_cstr(rdb_buf_t *b)
{
    rdb_buf_reserve(b, 1);
    b->data[b->len] = '\0';
    return b->data;
}

void rdb_buf_append_u16_be(rdb_buf_t *b, uint16_t v)
{
    rdb_buf_reserve(b, 2);
    rdb_put_u16_be(b->data + b->len, v);
    b->len += 2;
}

void rdb_buf_append_u32_be(rdb_buf_t *b, uint32_t v)
{
    rdb_buf_reserve(b, 4);
    rdb_put_u32_be(b->data + b->len, v);
    b->len += 4;
}

void rdb_buf_append_u64_be(rdb_buf_t *b, uint64_t v)
{
    rdb_buf_reserve(b, 8);
    rdb_put_u64_be(b->data + b->len, v);
    b->len += 8;
}

void rdb_buf_append_u32_le(rdb_buf_t *b, uint32_t v)
{
    rdb_buf_reserve(b, 4);
    rdb_put_u32_le(b->data + b->len, v);
    b->len += 4;
}

void rdb_buf_append_u64_le(rdb_buf_t *b, uint64_t v)
{
    rdb_buf_reserve(b, 8);
    rdb_put_u64_le(b->data + b->len, v);
    b->len += 8;
}

void rdb_buf_append_varint32(rdb_buf_t *b, uint32_t v)
{
    rdb_buf_reserve(b, RDB_MAX_VARINT32_LEN);
    b->len += rdb_encode_varint32(b->data + b->len, v);
}

void rdb_buf_append_varint64(rdb_buf_t *b, uint64_t v)
{
    rdb_buf_reserve(b, RDB_MAX_VARINT64_LEN);
    b->len += rdb_encode_varint64(b->data + b->len, v);
}

void rdb_buf_append_lenprefixed(rdb_buf_t *b, const void *p, size_t n)
{
    rdb_buf_append_varint32(b, (uint32_t)n);
    rdb_buf_append(b, p, n);
}

void rdb_buf_vprintf(rdb_buf_t *b, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    rdb_buf_reserve(b, 64);
    int n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
    if (n < 0) {
        va_end(ap2);
        return;
    }
    if ((size_t)n >= b->cap - b->len) {
        rdb_buf_reserve(b, (size_t)n + 1);
        vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap2);
    }
    va_end(ap2);
    b->len += (size_t)n;
}

void rdb_buf_printf(rdb_buf_t *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    rdb_buf_vprintf(b, fmt, ap);
    va_end(ap);
}
