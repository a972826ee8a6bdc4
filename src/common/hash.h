/*
 * hash.h — fast 64-bit hashing (XXH3 from Debian's libxxhash).
 *
 * rdb_hash64 is the hash behind partition tokens (DESIGN.md §3): its output
 * is embedded in stored keys, so the function and seed must never change.
 * DO NOT CHANGE: embedded in the on-disk format.
 */
#ifndef RDB_COMMON_HASH_H
#define RDB_COMMON_HASH_H

#include <stddef.h>
#include <stdint.h>

uint64_t rdb_hash64(const void *data, size_t n, uint64_t seed);
/* Mix one 64-bit integer (for hash tables keyed by integers). */
static inline uint64_t rdb_hash_u64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

#endif
