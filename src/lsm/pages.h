/*
 * pages.h — memory that grows with the data and is held for a table's
 * lifetime or a table build: an open table's index block, bloom filter and
 * index summary, a table builder's key hashes.
 *
 * Allocations of LSM_PAGES_MIN bytes or more are mapped from the kernel
 * (mmap) and given back to it when freed (munmap); smaller ones come from
 * malloc.  Why: glibc's malloc serves a large allocation by mmap only until
 * the first such chunk is freed; from then on (its dynamic threshold, up to
 * 32 MiB) it carves them out of the allocating thread's arena, and a freed
 * one stays resident as a hole between the blocks and tables still in use.  The
 * background threads open and close tables of 1-2 MB of metadata each,
 * so those holes were 40-50 MB of the memory check's resident set, outside
 * every budget (bench/HISTORY.md, "Memory: glibc arenas").  Mapped, a closed
 * table's metadata leaves the process, and what is resident is what the
 * block cache is charged for.
 *
 * Thread-safe.  A size must be passed back to lsm_pages_free and
 * lsm_pages_realloc exactly as it was allocated.
 */
#ifndef RDB_LSM_PAGES_H
#define RDB_LSM_PAGES_H

#include <stddef.h>

#define LSM_PAGES_MIN (64u << 10)

/* Never NULL (allocation failure aborts, as rdb_malloc does); n may be 0. */
void *lsm_pages_alloc(size_t n);
void lsm_pages_free(void *p, size_t n);
/* Contents kept up to min(old, n). */
void *lsm_pages_realloc(void *p, size_t old, size_t n);
/* The bytes an allocation of n holds: n rounded up to whole pages when
 * mapped (what a memory budget is charged). */
size_t lsm_pages_size(size_t n);
/* Bytes mapped now by this module, all threads (tests, statistics). */
size_t lsm_pages_mapped(void);

#endif
