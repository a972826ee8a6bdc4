/*
 * crc32c.c — CRC-32C, hardware (SSE4.2) or slicing-by-8 (see crc32c.h).
 */
#include "common/crc32c.h"

#include <pthread.h>
#include <string.h>

#define POLY 0x82f63b78u /* reflected Castagnoli polynomial */

static uint32_t table[8][256];
static pthread_once_t table_once = PTHREAD_ONCE_INIT;

static void build_table(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = (c & 1) ? (c >> 1) ^ POLY : c >> 1;
        table[0][i] = c;
    }
    for (uint32_t i = 0; i < 256; i++)
        for (int t = 1; t < 8; t++)
            table[t][i] = (table[t - 1][i] >> 8) ^ table[0][table[t - 1][i] & 0xff];
}

uint32_t rdb_crc32c_extend_sw(uint32_t crc, const void *data, size_t n)
{
    pthread_once(&table_once, build_table);
    const uint8_t *p = data;
    crc = ~crc;
    while (n && ((uintptr_t)p & 7)) {
        crc = table[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
        n--;
    }
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        w ^= crc;
        crc = table[7][w & 0xff] ^ table[6][(w >> 8) & 0xff] ^
              table[5][(w >> 16) & 0xff] ^ table[4][(w >> 24) & 0xff] ^
              table[3][(w >> 32) & 0xff] ^ table[2][(w >> 40) & 0xff] ^
              table[1][(w >> 48) & 0xff] ^ table[0][w >> 56];
        p += 8;
        n -= 8;
    }
    while (n--)
        crc = table[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
    return ~crc;
}

#if defined(__x86_64__)
/* The crc32 instruction takes 3 cycles and the next one waits for it, but
 * the CPU can start one per cycle: three streams over three neighbouring
 * stretches of STRIDE bytes run at once, and are joined by the "zeros
 * operator": the CRC register after STRIDE zero bytes is linear in the
 * register before, so it is four table look-ups (zeros_tab, built once
 * with the instruction itself).  Then reg(c, A B) = shift(reg(c, A)) ^
 * reg(0, B) for |B| = STRIDE. */
#define STRIDE 256
static uint32_t zeros_tab[4][256];

__attribute__((target("sse4.2")))
static uint32_t zeros_hw(uint32_t c)
{
    uint64_t x = c;
    for (int i = 0; i < STRIDE / 8; i++)
        x = __builtin_ia32_crc32di(x, 0);
    return (uint32_t)x;
}

static void build_zeros(void)
{
    for (int k = 0; k < 4; k++)
        for (uint32_t b = 0; b < 256; b++)
            zeros_tab[k][b] = zeros_hw(b << (8 * k));
}

static inline uint64_t shift_stride(uint64_t c)
{
    return zeros_tab[0][c & 0xff] ^ zeros_tab[1][(c >> 8) & 0xff] ^
           zeros_tab[2][(c >> 16) & 0xff] ^ zeros_tab[3][(c >> 24) & 0xff];
}

__attribute__((target("sse4.2")))
static uint32_t crc32c_hw(uint32_t crc, const void *data, size_t n)
{
    const uint8_t *p = data;
    uint64_t c = ~crc;
    while (n && ((uintptr_t)p & 7)) {
        c = __builtin_ia32_crc32qi((uint32_t)c, *p++);
        n--;
    }
    while (n >= 3 * STRIDE) {
        uint64_t c1 = 0, c2 = 0, w0, w1, w2;
        for (const uint8_t *end = p + STRIDE; p < end; p += 8) {
            memcpy(&w0, p, 8);
            memcpy(&w1, p + STRIDE, 8);
            memcpy(&w2, p + 2 * STRIDE, 8);
            c = __builtin_ia32_crc32di(c, w0);
            c1 = __builtin_ia32_crc32di(c1, w1);
            c2 = __builtin_ia32_crc32di(c2, w2);
        }
        c = shift_stride(c) ^ c1;
        c = shift_stride(c) ^ c2;
        p += 2 * STRIDE;
        n -= 3 * STRIDE;
    }
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        c = __builtin_ia32_crc32di(c, w);
        p += 8;
        n -= 8;
    }
    while (n--)
        c = __builtin_ia32_crc32qi((uint32_t)c, *p++);
    return ~(uint32_t)c;
}
#endif

typedef uint32_t (*crc_fn)(uint32_t, const void *, size_t);
static crc_fn chosen;
static pthread_once_t choose_once = PTHREAD_ONCE_INIT;

static void choose(void)
{
#if defined(__x86_64__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("sse4.2")) {
        build_zeros();
        chosen = crc32c_hw;
        return;
    }
#endif
    chosen = rdb_crc32c_extend_sw;
}

uint32_t rdb_crc32c_extend(uint32_t crc, const void *data, size_t n)
{
    pthread_once(&choose_once, choose);
    return chosen(crc, data, n);
}

int rdb_crc32c_hw(void)
{
    pthread_once(&choose_once, choose);
    return chosen != rdb_crc32c_extend_sw;
}
