/* bloom.c — see bloom.h. */
#include "lsm/bloom.h"

void lsm_bloom_build(const uint64_t *hashes, size_t n, int bits_per_key, rdb_buf_t *out)
{
    int k = (int)(bits_per_key * 0.69);
    if (k < 1)
        k = 1;
    if (k > 30)
        k = 30;
    size_t bits = n * (size_t)bits_per_key;
    if (bits < 64)
        bits = 64;
    size_t bytes = (bits + 7) / 8;
    bits = bytes * 8;
    size_t start = out->len;
    rdb_buf_reserve(out, bytes + 1);
    memset(out->data + start, 0, bytes);
    out->len += bytes;
    uint8_t *a = (uint8_t *)out->data + start;
    for (size_t i = 0; i < n; i++) {
        uint32_t h = (uint32_t)hashes[i], delta = (uint32_t)(hashes[i] >> 32) | 1;
        for (int j = 0; j < k; j++) {
            uint32_t b = (uint32_t)(h % bits);
            a[b / 8] |= (uint8_t)(1u << (b % 8));
            h += delta;
        }
    }
    rdb_buf_append_u8(out, (uint8_t)k);
}

bool lsm_bloom_may_match(const char *filter, size_t len, uint64_t hash)
{
    if (len < 2)
        return true;
    int k = (unsigned char)filter[len - 1];
    if (k < 1 || k > 30)
        return true;
    size_t bits = (len - 1) * 8;
    const uint8_t *a = (const uint8_t *)filter;
    uint32_t h = (uint32_t)hash, delta = (uint32_t)(hash >> 32) | 1;
    /* The probes land on unrelated cache lines of a filter larger than the
     * CPU's caches: compute them all and prefetch first, so that the misses
     * overlap instead of following one another. */
    uint32_t pos[30];
    bool narrow = bits <= UINT32_MAX; /* a 32-bit division is the cheaper */
    for (int j = 0; j < k; j++) {
        pos[j] = narrow ? h % (uint32_t)bits : (uint32_t)(h % bits);
        __builtin_prefetch(a + pos[j] / 8);
        h += delta;
    }
    for (int j = 0; j < k; j++)
        if (!(a[pos[j] / 8] & (1u << (pos[j] % 8))))
            return false;
    return true;
}
