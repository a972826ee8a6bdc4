/*
 * mem.c — allocation wrappers that abort on failure (see mem.h).
 */
#include "common/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void rdb_oom(void)
{
    static const char msg[] = "ringdb: out of memory, aborting\n";
    ssize_t r = write(STDERR_FILENO, msg, sizeof(msg) - 1);
    (void)r;
    abort();
}

void *rdb_malloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        rdb_oom();
    return p;
}

void *rdb_calloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p)
        rdb_oom();
    return p;
}

void *rdb_realloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        rdb_oom();
    return q;
}

char *rdb_strdup(const char *s)
{
    return rdb_memdup(s, strlen(s) + 1);
}

char *rdb_strndup(const char *s, size_t n)
{
    size_t len = strnlen(s, n);
    char *d = rdb_malloc(len + 1);
    memcpy(d, s, len);
    d[len] = '\0';
    return d;
}

void *rdb_memdup(const void *p, size_t n)
{
    void *d = rdb_malloc(n);
    if (n)
        memcpy(d, p, n);
    return d;
}
