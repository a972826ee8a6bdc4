/*
 * iter.h — the internal iterator interface every source implements
 * (memtable, block, table, merge), over internal keys in ikey order.
 *
 * key/value stay valid until the iterator moves.  status reports a
 * corruption or I/O error that made the iterator invalid.
 */
#ifndef RDB_LSM_ITER_H
#define RDB_LSM_ITER_H

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"

typedef struct lsm_it lsm_it_t;
typedef struct lsm_it_ops {
    bool (*valid)(lsm_it_t *it);
    void (*seek_first)(lsm_it_t *it);
    void (*seek_last)(lsm_it_t *it);
    void (*seek)(lsm_it_t *it, const char *ikey, size_t n); /* first >= ikey */
    void (*next)(lsm_it_t *it);
    void (*prev)(lsm_it_t *it);
    const char *(*key)(lsm_it_t *it, size_t *n);
    const char *(*value)(lsm_it_t *it, size_t *n);
    rdb_status_t (*status)(lsm_it_t *it, rdb_err_t *err);
    void (*free)(lsm_it_t *it);
} lsm_it_ops_t;

struct lsm_it {
    const lsm_it_ops_t *ops;
};

lsm_it_t *lsm_merge_iter_new(lsm_it_t **children, int n); /* takes ownership */

#endif
