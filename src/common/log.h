/*
 * log.h — leveled logging with timestamps and a subsystem prefix.
 *
 *     RDB_LOG_INFO("pgwire", "listening on %s:%d", addr, port);
 *
 * The macros test the level before anything is formatted, so a disabled
 * DEBUG line costs one load and a branch.  Lines go to stderr (or the file
 * set by rdb_log_set_file) whole: concurrent threads never interleave inside
 * a line.  Format: `2026-11-24 22:15:03.123 UTC [pid] LEVEL subsys: msg`.
 *
 * Libraries that must not depend on the global logger (src/lsm/) take an
 * rdb_logger_t; rdb_logger_default() forwards to the global one.
 */
#ifndef RDB_COMMON_LOG_H
#define RDB_COMMON_LOG_H

#include <stdarg.h>
#include <stdio.h>

typedef enum rdb_log_level {
    RDB_LOG_LEVEL_ERROR = 0,
    RDB_LOG_LEVEL_WARN,
    RDB_LOG_LEVEL_INFO,
    RDB_LOG_LEVEL_DEBUG,
    RDB_LOG_LEVEL_TRACE,
} rdb_log_level_t;

extern volatile int rdb_log_level; /* lines above this level are dropped */

void rdb_log_set_level(rdb_log_level_t level);
/* Parse "error", "warn", "info", "debug", "trace"; -1 if unknown. */
int  rdb_log_level_parse(const char *name);
/* Append log lines to path (NULL: back to stderr).  Returns 0 or -1. */
int  rdb_log_set_file(const char *path);
void rdb_log_write(rdb_log_level_t level, const char *subsys, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void rdb_log_vwrite(rdb_log_level_t level, const char *subsys, const char *fmt, va_list ap);

#define RDB_LOG(level, subsys, ...)                        \
    do {                                                   \
        if ((int)(level) <= rdb_log_level)                 \
            rdb_log_write((level), (subsys), __VA_ARGS__); \
    } while (0)
#define RDB_LOG_ERROR(s, ...) RDB_LOG(RDB_LOG_LEVEL_ERROR, s, __VA_ARGS__)
#define RDB_LOG_WARN(s, ...)  RDB_LOG(RDB_LOG_LEVEL_WARN, s, __VA_ARGS__)
#define RDB_LOG_INFO(s, ...)  RDB_LOG(RDB_LOG_LEVEL_INFO, s, __VA_ARGS__)
#define RDB_LOG_DEBUG(s, ...) RDB_LOG(RDB_LOG_LEVEL_DEBUG, s, __VA_ARGS__)
#define RDB_LOG_TRACE(s, ...) RDB_LOG(RDB_LOG_LEVEL_TRACE, s, __VA_ARGS__)

/* A logger handed to a library. */
typedef struct rdb_logger {
    void (*write)(void *ctx, rdb_log_level_t level, const char *subsys,
                  const char *fmt, va_list ap);
    void *ctx;
    int   level; /* lines above this level are dropped */
} rdb_logger_t;

/* Forwards to the global logger at the global level. */
const rdb_logger_t *rdb_logger_default(void);
void rdb_logger_log(const rdb_logger_t *lg, rdb_log_level_t level, const char *subsys,
                    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif
