/*
 * clock.h — monotonic and wall-clock time in the units ringdb uses.
 */
#ifndef RDB_COMMON_CLOCK_H
#define RDB_COMMON_CLOCK_H

#include <stdint.h>

uint64_t rdb_now_ns(void);       /* CLOCK_MONOTONIC, nanoseconds        */
uint64_t rdb_now_us(void);       /* CLOCK_MONOTONIC, microseconds       */
uint64_t rdb_wall_ms(void);      /* CLOCK_REALTIME, ms since the epoch  */
void     rdb_sleep_ms(uint64_t ms);

#endif
