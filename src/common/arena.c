/*
 * arena.c — block allocator behind rdb_arena_t (see arena.h).
 *
 * Invariant: a->ptr and a->end delimit the free tail of a->blocks (the newest
 * block); an allocation larger than a quarter of the block size gets a block
 * of its own, linked *behind* the current one so the current tail stays
 * usable.
 */
#include "common/arena.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/mem.h"

struct rdb_arena_block {
    rdb_arena_block_t *next;
    size_t             size;   /* usable bytes after the header */
    max_align_t        data[]; /* 16-byte aligned payload       */
};

void rdb_arena_init(rdb_arena_t *a, size_t block_size)
{
    memset(a, 0, sizeof(*a));
    a->block_size = block_size ? block_size : RDB_ARENA_DEFAULT_BLOCK;
}

static rdb_arena_block_t *new_block(rdb_arena_t *a, size_t size)
{
    rdb_arena_block_t *b = rdb_malloc(sizeof(*b) + size);
    b->size = size;
    a->allocated += sizeof(*b) + size;
    return b;
}

void *rdb_arena_alloc_slow(rdb_arena_t *a, size_t n)
{
    size_t need = (n + 15) & ~(size_t)15;
    if (need == 0)
        need = 16;
    if ((size_t)(a->end - a->ptr) >= need) {
        void *p = a->ptr;
        a->ptr += need;
        return p;
    }
    if (need > a->block_size / 4) {
        /* Large: a dedicated block, kept behind the current one. */
        rdb_arena_block_t *b = new_block(a, need);
        if (a->blocks) {
            b->next = a->blocks->next;
            a->blocks->next = b;
        } else {
            b->next = NULL;
            a->blocks = b;
            a->ptr = a->end = (char *)b->data + need;
        }
        return b->data;
    }
    rdb_arena_block_t *b = new_block(a, a->block_size);
    b->next = a->blocks;
    a->blocks = b;
    a->ptr = (char *)b->data + need;
    a->end = (char *)b->data + b->size;
    return b->data;
}

void *rdb_arena_calloc(rdb_arena_t *a, size_t n)
{
    void *p = rdb_arena_alloc(a, n);
    memset(p, 0, n);
    return p;
}

void *rdb_arena_grow(rdb_arena_t *a, const void *old, size_t n, size_t newcap, size_t elem)
{
    char *d = rdb_arena_alloc(a, newcap * elem);
    if (n)
        memcpy(d, old, n * elem);
    memset(d + n * elem, 0, (newcap - n) * elem);
    return d;
}

void *rdb_arena_memdup(rdb_arena_t *a, const void *p, size_t n)
{
    void *d = rdb_arena_alloc(a, n);
    if (n)
        memcpy(d, p, n);
    return d;
}

char *rdb_arena_strndup(rdb_arena_t *a, const char *s, size_t n)
{
    size_t len = strnlen(s, n);
    char *d = rdb_arena_alloc(a, len + 1);
    memcpy(d, s, len);
    d[len] = '\0';
    return d;
}

char *rdb_arena_strdup(rdb_arena_t *a, const char *s)
{
    return rdb_arena_memdup(a, s, strlen(s) + 1);
}

char *rdb_arena_sprintf(rdb_arena_t *a, const char *fmt, ...)
{
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    char *s = rdb_arena_alloc(a, (size_t)n + 1);
    vsnprintf(s, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    return s;
}

static void free_chain(rdb_arena_block_t *b)
{
    while (b) {
        rdb_arena_block_t *next = b->next;
        free(b);
        b = next;
    }
}

struct rdb_arena_cb {
    rdb_arena_cb_t *next;
    void          (*fn)(void *arg);
    void           *arg;
};

void rdb_arena_on_reset(rdb_arena_t *a, void (*fn)(void *arg), void *arg)
{
    rdb_arena_cb_t *cb = rdb_arena_alloc(a, sizeof *cb);
    cb->fn = fn;
    cb->arg = arg;
    cb->next = a->cbs;
    a->cbs = cb;
}

static void run_cbs(rdb_arena_t *a)
{
    while (a->cbs) {
        rdb_arena_cb_t *cb = a->cbs;
        a->cbs = cb->next;
        cb->fn(cb->arg);
    }
}

void rdb_arena_reset(rdb_arena_t *a)
{
    run_cbs(a);
    if (!a->blocks)
        return;
    /* Keep the oldest ordinary-sized block: the common case of a context
     * that fits in one block then never calls malloc again. */
    rdb_arena_block_t *keep = NULL, *b = a->blocks, *rest = NULL;
    while (b) {
        rdb_arena_block_t *next = b->next;
        if (!keep && b->size == a->block_size && next == NULL) {
            keep = b;
        } else {
            b->next = rest;
            rest = b;
        }
        b = next;
    }
    free_chain(rest);
    a->blocks = keep;
    if (keep) {
        keep->next = NULL;
        a->allocated = sizeof(*keep) + keep->size;
        a->ptr = (char *)keep->data;
        a->end = a->ptr + keep->size;
    } else {
        a->allocated = 0;
        a->ptr = a->end = NULL;
    }
}

void rdb_arena_destroy(rdb_arena_t *a)
{
    run_cbs(a);
    free_chain(a->blocks);
    a->blocks = NULL;
    a->ptr = a->end = NULL;
    a->allocated = 0;
}
