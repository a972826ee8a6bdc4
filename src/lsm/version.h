/*
 * version.h — the set of live SSTables per level, and the MANIFEST edits
 * that change it.
 *
 * A version is immutable and reference-counted: readers pin one while they
 * read.  L0 files may overlap and are kept newest first; deeper levels are
 * sorted by smallest key and do not overlap.
 * Edit encoding (a MANIFEST record): varint32 tag then fields;
 * 1 log_number v64 | 2 next_file v64 | 3 add: level v32, number v64,
 * size v64, smallest, largest (length-prefixed ikeys) | 4 delete: level,
 * number.  DO NOT CHANGE: embedded in the on-disk format.
 */
#ifndef RDB_LSM_VERSION_H
#define RDB_LSM_VERSION_H

#include <stdatomic.h>
#include <stdint.h>

#include "common/buf.h"
#include "lsm/lsm.h"
#include "lsm/table.h"
#include "lsm/table_cache.h"

typedef struct lsm_file {
    uint64_t number, size;
    rdb_buf_t smallest, largest; /* ikeys */
    atomic_int refs;             /* the table itself: lsm_tcache_get(number) */
    /* Set when an edit drops the file from the current version; versions
     * that readers pin may still hold it, so the file is removed (by
     * on_obsolete, when set) only as the last reference goes. */
    atomic_bool obsolete;
    bool compacting;             /* an input of a running compaction (mu) */
    void (*on_obsolete)(void *ctx, uint64_t number);
    void *ctx;
} lsm_file_t;

typedef struct lsm_vers {
    lsm_file_t **files[LSM_MAX_LEVELS];
    int nfiles[LSM_MAX_LEVELS];
    atomic_int refs;
} lsm_vers_t;

void lsm_file_unref(lsm_file_t *f);

/* level_iter.c: one iterator over the sorted, non-overlapping files of a
 * level (L1 and deeper), tables taken from tc; files[] must outlive it
 * (pin their version). */
lsm_it_t *lsm_level_iter_new(lsm_tcache_t *tc, lsm_file_t *const *files, int n,
                             bool fill_cache);
lsm_vers_t *lsm_vers_new(void);
void lsm_vers_ref(lsm_vers_t *v);
void lsm_vers_unref(lsm_vers_t *v);

typedef struct lsm_edit {
    bool has_log, has_next;
    uint64_t log_number, next_file;
    int nadd, ndel;
    struct { int level; lsm_file_t *f; } add[1024];
    struct { int level; uint64_t number; } del[1024];
} lsm_edit_t;

void lsm_edit_encode(const lsm_edit_t *e, rdb_buf_t *out);
/* Decoded adds get files without tables (table NULL), refs 1. */
rdb_status_t lsm_edit_decode(lsm_edit_t *e, const char *p, size_t n, rdb_err_t *err);
/* New version = base + edit (takes refs on the files it keeps/adds). */
lsm_vers_t *lsm_vers_apply(const lsm_vers_t *base, const lsm_edit_t *e);

#endif
