/*
 * hash.c — XXH3-64 wrapper (see hash.h).
 */
#include "common/hash.h"

#include <xxhash.h>

uint64_t rdb_hash64(const void *data, size_t n, uint64_t seed)
{
    return XXH3_64bits_withSeed(data, n, seed);
}
