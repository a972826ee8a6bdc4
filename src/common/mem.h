/*
 * mem.h — the one place where allocation failure is handled.
 *
 * rdb_malloc and friends never return NULL: running out of address space is
 * not something a database node can recover from piecemeal, so it logs and
 * aborts (as Redis's zmalloc does).  Memory *budgets* (work_mem, memtable
 * size, a query's limit) are a different matter: they are checked by the
 * layers that own them and fail the statement with SQLSTATE 53200.
 */
#ifndef RDB_COMMON_MEM_H
#define RDB_COMMON_MEM_H

#include <stddef.h>

void *rdb_malloc(size_t n);
void *rdb_calloc(size_t count, size_t size);
void *rdb_realloc(void *p, size_t n);
char *rdb_strdup(const char *s);
char *rdb_strndup(const char *s, size_t n);
void *rdb_memdup(const void *p, size_t n);
__attribute__((noreturn)) void rdb_oom(void);

#define RDB_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define RDB_MIN(a, b) ((a) < (b) ? (a) : (b))
#define RDB_MAX(a, b) ((a) > (b) ? (a) : (b))
/* container_of: from an embedded member back to its struct (libev habit). */
#define RDB_CONTAINER_OF(ptr, type, member) \
    ((type *)((char *)(ptr) - offsetof(type, member)))

#endif
