/*
 * coding.c — varint encoders and bounds-checked decoders (see coding.h).
 */
#include "common/coding.h"

size_t rdb_encode_varint32(void *dst, uint32_t v)
{
    return rdb_encode_varint64(dst, v);
}

size_t rdb_encode_varint64(void *dst, uint64_t v)
{
    uint8_t *p = dst;
    size_t n = 0;
    while (v >= 0x80) {
        p[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    p[n++] = (uint8_t)v;
    return n;
}

size_t rdb_varint_length(uint64_t v)
{
    size_t n = 1;
    while (v >= 0x80) {
        v >>= 7;
        n++;
    }
    return n;
}

const char *rdb_decode_varint64(const char *p, const char *end, uint64_t *v)
{
    uint64_t result = 0;
    for (unsigned shift = 0; shift <= 63 && p < end; shift += 7) {
        uint64_t byte = (uint8_t)*p++;
        if (shift == 63 && byte > 1)
            return NULL; /* overflows 64 bits */
        result |= (byte & 0x7f) << shift;
        if (!(byte & 0x80)) {
            *v = result;
            return p;
        }
    }
    return NULL;
}

const char *rdb_decode_varint32(const char *p, const char *end, uint32_t *v)
{
    uint32_t result = 0;
    for (unsigned shift = 0; shift <= 28 && p < end; shift += 7) {
        uint32_t byte = (uint8_t)*p++;
        if (shift == 28 && byte > 0x0f)
            return NULL; /* overflows 32 bits */
        result |= (byte & 0x7f) << shift;
        if (!(byte & 0x80)) {
            *v = result;
            return p;
        }
    }
    return NULL;
}

const char *rdb_decode_lenprefixed(const char *p, const char *end,
                                   const char **data, uint32_t *len)
{
    p = rdb_decode_varint32(p, end, len);
    if (!p || (size_t)(end - p) < *len)
        return NULL;
    *data = p;
    return p + *len;
}
