/*
 * skiplist.h — the memtable: an arena-backed skiplist of internal keys.
 *
 * One writer at a time (the caller serialises inserts); any number of
 * readers run concurrently without locks: nodes are published with release
 * stores and read with acquire loads, and never removed until the whole
 * memtable is freed.  Reference-counted so that iterators pin it.
 * Each entry: internal key then value, stored in one arena allocation.
 */
#ifndef RDB_LSM_SKIPLIST_H
#define RDB_LSM_SKIPLIST_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lsm/iter.h"

typedef struct lsm_mem lsm_mem_t;

lsm_mem_t *lsm_mem_new(void);
void lsm_mem_ref(lsm_mem_t *m);
void lsm_mem_unref(lsm_mem_t *m);
/* Writer only.  An entry with an equal internal key replaces nothing: the
 * newer insert is ignored (the same version applied twice is harmless). */
void lsm_mem_add(lsm_mem_t *m, const char *ikey, size_t klen, const void *val, size_t vlen);
size_t lsm_mem_usage(const lsm_mem_t *m);
size_t lsm_mem_count(const lsm_mem_t *m);
/* Writer only: how many nodes the inserts' searches stepped over so far
 * (a search costs O(log n) steps; tests check that it stays so). */
size_t lsm_mem_writer_steps(const lsm_mem_t *m);
/* First entry >= ikey, or false at the end; pointers stay valid while
 * the memtable is referenced. */
bool lsm_mem_seek(lsm_mem_t *m, const char *ikey, size_t n, const char **k, size_t *kn,
                  const char **v, size_t *vn);
/* Iterator that holds a reference to m. */
lsm_it_t *lsm_mem_iter(lsm_mem_t *m);

#endif
