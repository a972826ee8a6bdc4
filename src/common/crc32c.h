/*
 * crc32c.h — CRC-32C (Castagnoli), the checksum on every WAL record,
 * SSTable block and peer frame.
 *
 * Uses the SSE4.2 crc32 instruction when the CPU has it (checked once at
 * start-up), a slicing-by-8 table otherwise; both give identical results.
 * rdb_crc32c_mask is LevelDB's masking for CRCs stored next to the data they
 * cover (a CRC of a string that contains CRCs is otherwise weak).
 */
#ifndef RDB_COMMON_CRC32C_H
#define RDB_COMMON_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/* Extend crc (0 to start) over n bytes. */
uint32_t rdb_crc32c_extend(uint32_t crc, const void *data, size_t n);
static inline uint32_t rdb_crc32c(const void *data, size_t n) { return rdb_crc32c_extend(0, data, n); }

static inline uint32_t rdb_crc32c_mask(uint32_t crc)
{
    return ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
}
static inline uint32_t rdb_crc32c_unmask(uint32_t masked)
{
    uint32_t rot = masked - 0xa282ead8u;
    return (rot >> 17) | (rot << 15);
}

/* 1 if the hardware path is in use (for tests and the startup log). */
int rdb_crc32c_hw(void);
/* Software path, exposed so tests can check both paths agree. */
uint32_t rdb_crc32c_extend_sw(uint32_t crc, const void *data, size_t n);

#endif
