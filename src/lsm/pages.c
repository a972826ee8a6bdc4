/* pages.c — see pages.h. */
#include "lsm/pages.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common/mem.h"

static atomic_size_t mapped;

static size_t page_round(size_t n)
{
    size_t pg = (size_t)sysconf(_SC_PAGESIZE); /* per table open or close: cheap enough */
    return (n + pg - 1) & ~(pg - 1);
}

static bool is_mapped(size_t n) { return n >= LSM_PAGES_MIN; }

size_t lsm_pages_size(size_t n) { return is_mapped(n) ? page_round(n) : n; }
size_t lsm_pages_mapped(void) { return atomic_load(&mapped); }

void *lsm_pages_alloc(size_t n)
{
    if (!is_mapped(n))
        return rdb_malloc(n ? n : 1);
    size_t len = page_round(n);
    void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        rdb_oom();
    atomic_fetch_add(&mapped, len);
    return p;
}

void lsm_pages_free(void *p, size_t n)
{
    if (!p)
        return;
    if (!is_mapped(n)) {
        free(p);
        return;
    }
    size_t len = page_round(n);
    munmap(p, len);
    atomic_fetch_sub(&mapped, len);
}

void *lsm_pages_realloc(void *p, size_t old, size_t n)
{
    if (!p)
        return lsm_pages_alloc(n);
    if (is_mapped(old) && is_mapped(n)) {
        size_t from = page_round(old), to = page_round(n);
        if (from == to)
            return p;
        void *q = mremap(p, from, to, MREMAP_MAYMOVE);
        if (q == MAP_FAILED)
            rdb_oom();
        if (to > from)
            atomic_fetch_add(&mapped, to - from);
        else
            atomic_fetch_sub(&mapped, from - to);
        return q;
    }
    if (!is_mapped(old) && !is_mapped(n))
        return rdb_realloc(p, n ? n : 1);
    void *q = lsm_pages_alloc(n);
    memcpy(q, p, RDB_MIN(old, n));
    lsm_pages_free(p, old);
    return q;
}
