/*
 * arena.h — region allocator; ringdb's memory contexts.
 *
 * An arena hands out memory from large blocks and frees it all at once, as
 * PostgreSQL's memory contexts do: one arena per connection, transaction,
 * statement or row, reset at the end of that lifetime instead of freeing
 * pieces.  Allocation never fails (see mem.h); an optional byte budget lets
 * the owner notice when a query has used too much (rdb_arena_over_budget)
 * and fail it with 53200 at a safe point.
 *
 * Not thread-safe: an arena belongs to one thread at a time.
 */
#ifndef RDB_COMMON_ARENA_H
#define RDB_COMMON_ARENA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct rdb_arena_block rdb_arena_block_t;
typedef struct rdb_arena_cb rdb_arena_cb_t;

typedef struct rdb_arena {
    char              *ptr;        /* next free byte in the current block */
    char              *end;        /* end of the current block            */
    rdb_arena_block_t *blocks;     /* newest first                        */
    size_t             block_size; /* size of ordinary blocks             */
    size_t             allocated;  /* bytes obtained from malloc          */
    size_t             budget;     /* 0 = unlimited                       */
    rdb_arena_cb_t    *cbs;        /* rdb_arena_on_reset, newest first    */
} rdb_arena_t;

#define RDB_ARENA_DEFAULT_BLOCK (8 * 1024)

/* block_size 0 picks RDB_ARENA_DEFAULT_BLOCK. */
void  rdb_arena_init(rdb_arena_t *a, size_t block_size);
/* Free everything except the first block, which is kept for reuse. */
void  rdb_arena_reset(rdb_arena_t *a);
void  rdb_arena_destroy(rdb_arena_t *a);
/* Call fn(arg) when a is next reset or destroyed (newest first, before
 * its memory goes), as PostgreSQL's MemoryContextRegisterResetCallback:
 * for what lives as long as the arena but holds more than its memory
 * (temporary files, malloc'd buffers). */
void  rdb_arena_on_reset(rdb_arena_t *a, void (*fn)(void *arg), void *arg);

/* Memory aligned to 16 bytes (max_align_t).  n == 0 returns a valid pointer. */
void *rdb_arena_alloc_slow(rdb_arena_t *a, size_t n);
static inline void *rdb_arena_alloc(rdb_arena_t *a, size_t n)
{
    size_t need = (n + 15) & ~(size_t)15;
    if ((size_t)(a->end - a->ptr) >= need && need) {
        void *p = a->ptr;
        a->ptr += need;
        return p;
    }
    return rdb_arena_alloc_slow(a, n);
}
void *rdb_arena_calloc(rdb_arena_t *a, size_t n);
char *rdb_arena_strdup(rdb_arena_t *a, const char *s);
char *rdb_arena_strndup(rdb_arena_t *a, const char *s, size_t n);
void *rdb_arena_memdup(rdb_arena_t *a, const void *p, size_t n);
/* Growing an array that lives in an arena: a new block of newcap elements
 * of elem bytes, the first n copied from old, the rest zeroed.  (The old
 * block stays in the arena until it is reset.) */
void *rdb_arena_grow(rdb_arena_t *a, const void *old, size_t n, size_t newcap, size_t elem);
char *rdb_arena_sprintf(rdb_arena_t *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static inline size_t rdb_arena_memory_usage(const rdb_arena_t *a) { return a->allocated; }
static inline void rdb_arena_set_budget(rdb_arena_t *a, size_t bytes) { a->budget = bytes; }
static inline bool rdb_arena_over_budget(const rdb_arena_t *a)
{
    return a->budget && a->allocated > a->budget;
}

#define RDB_ARENA_NEW(a, type) ((type *)rdb_arena_calloc((a), sizeof(type)))
#define RDB_ARENA_NEWN(a, type, n) ((type *)rdb_arena_calloc((a), sizeof(type) * (n)))

#endif
