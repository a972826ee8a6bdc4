/*
 * log.c — the global logger (see log.h).
 */
#include "common/log.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

volatile int rdb_log_level = RDB_LOG_LEVEL_INFO;

static FILE *log_out; /* NULL = stderr */
static pthread_mutex_t log_mu = PTHREAD_MUTEX_INITIALIZER;

static const char *const level_names[] = { "ERROR", "WARN", "INFO", "DEBUG", "TRACE" };

void rdb_log_set_level(rdb_log_level_t level)
{
    rdb_log_level = (int)level;
}

int rdb_log_level_parse(const char *name)
{
    for (size_t i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++)
        if (strcasecmp(name, level_names[i]) == 0)
            return (int)i;
    if (strcasecmp(name, "warning") == 0)
        return RDB_LOG_LEVEL_WARN;
    return -1;
}

int rdb_log_set_file(const char *path)
{
    FILE *f = NULL;
    if (path) {
        f = fopen(path, "a");
        if (!f)
            return -1;
        setvbuf(f, NULL, _IOLBF, 0);
    }
    pthread_mutex_lock(&log_mu);
    FILE *old = log_out;
    log_out = f;
    pthread_mutex_unlock(&log_mu);
    if (old)
        fclose(old);
    return 0;
}

void rdb_log_vwrite(rdb_log_level_t level, const char *subsys, const char *fmt, va_list ap)
{
    char line[2048];
    struct timeval tv;
    struct tm tm;
    gettimeofday(&tv, NULL);
    gmtime_r(&tv.tv_sec, &tm);
    int n = snprintf(line, sizeof(line), "%04d-%02d-%02d %02d:%02d:%02d.%03d UTC [%d] %s %s: ",
                     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                     tm.tm_sec, (int)(tv.tv_usec / 1000), (int)getpid(),
                     level_names[level <= RDB_LOG_LEVEL_TRACE ? level : RDB_LOG_LEVEL_TRACE],
                     subsys ? subsys : "-");
    if (n < 0)
        return;
    int m = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
    size_t len = (size_t)n + (m < 0 ? 0 : (size_t)m);
    if (len > sizeof(line) - 2)
        len = sizeof(line) - 2; /* truncated: keep the newline */
    line[len++] = '\n';
    pthread_mutex_lock(&log_mu);
    FILE *out = log_out ? log_out : stderr;
    fwrite(line, 1, len, out);
    fflush(out);
    pthread_mutex_unlock(&log_mu);
}

void rdb_log_write(rdb_log_level_t level, const char *subsys, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    rdb_log_vwrite(level, subsys, fmt, ap);
    va_end(ap);
}

static void default_write(void *ctx, rdb_log_level_t level, const char *subsys,
                          const char *fmt, va_list ap)
{
    (void)ctx;
    if ((int)level <= rdb_log_level)
        rdb_log_vwrite(level, subsys, fmt, ap);
}

const rdb_logger_t *rdb_logger_default(void)
{
    static const rdb_logger_t lg = { default_write, NULL, RDB_LOG_LEVEL_TRACE };
    return &lg;
}

void rdb_logger_log(const rdb_logger_t *lg, rdb_log_level_t level, const char *subsys,
                    const char *fmt, ...)
{
    if (!lg || (int)level > lg->level)
        return;
    va_list ap;
    va_start(ap, fmt);
    lg->write(lg->ctx, level, subsys, fmt, ap);
    va_end(ap);
}
