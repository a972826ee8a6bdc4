/*
 * level_iter.c — one iterator over a level of sorted, non-overlapping files
 * (L1 and deeper), as LevelDB's concatenating iterator.
 *
 * Only the table holding the current position has an open iterator, so a
 * seek searches one table's index however many files the level holds,
 * instead of every file of the level taking part in the merge.
 *
 * Invariant: files[] are in increasing key order and do not overlap; they
 * belong to a version the caller pins for the iterator's lifetime.  A table
 * iterator that fails ends the level iterator with its error.
 */
#include <stdlib.h>

#include "common/mem.h"
#include "lsm/ikey.h"
#include "lsm/version.h"

typedef struct level_it {
    lsm_it_t base;
    lsm_tcache_t *tc;
    lsm_file_t *const *files;
    int n;
    int idx;      /* file of t; meaningless when t is NULL */
    lsm_it_t *t;  /* table iterator of files[idx], or NULL */
    bool fill;
    rdb_err_t err;
} level_it_t;

static void close_table(level_it_t *i)
{
    if (!i->t)
        return;
    if (!rdb_err_is_set(&i->err))
        i->t->ops->status(i->t, &i->err);
    i->t->ops->free(i->t);
    i->t = NULL;
}

/* Make t the iterator of file idx (kept if it already is). */
static void open_table(level_it_t *i, int idx)
{
    if (i->t && i->idx == idx)
        return;
    close_table(i);
    i->idx = idx;
    if (idx >= 0 && idx < i->n && !rdb_err_is_set(&i->err))
        i->t = lsm_tcache_iter(i->tc, i->files[idx]->number, i->fill);
}

static bool li_valid(lsm_it_t *it)
{
    level_it_t *i = (level_it_t *)it;
    return i->t && i->t->ops->valid(i->t);
}

static bool failed(level_it_t *i)
{
    return rdb_err_is_set(&i->err) || (i->t && i->t->ops->status(i->t, NULL) != RDB_OK);
}

static void skip_fwd(level_it_t *i)
{
    while (i->t && !i->t->ops->valid(i->t)) {
        if (failed(i) || i->idx + 1 >= i->n) {
            close_table(i);
            return;
        }
        open_table(i, i->idx + 1);
        if (i->t)
            i->t->ops->seek_first(i->t);
    }
}

static void skip_back(level_it_t *i)
{
    while (i->t && !i->t->ops->valid(i->t)) {
        if (failed(i) || i->idx == 0) {
            close_table(i);
            return;
        }
        open_table(i, i->idx - 1);
        if (i->t)
            i->t->ops->seek_last(i->t);
    }
}

static void li_first(lsm_it_t *it)
{
    level_it_t *i = (level_it_t *)it;
    open_table(i, 0);
    if (i->t)
        i->t->ops->seek_first(i->t);
    skip_fwd(i);
}

static void li_last(lsm_it_t *it)
{
    level_it_t *i = (level_it_t *)it;
    open_table(i, i->n - 1);
    if (i->t)
        i->t->ops->seek_last(i->t);
    skip_back(i);
}

static void li_seek(lsm_it_t *it, const char *k, size_t n)
{
    level_it_t *i = (level_it_t *)it;
    int lo = 0, hi = i->n;
    while (lo < hi) { /* first file whose largest key >= k */
        int mid = lo + (hi - lo) / 2;
        const rdb_buf_t *l = &i->files[mid]->largest;
        if (lsm_ikey_cmp(l->data, l->len, k, n) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo >= i->n) {
        close_table(i);
        return;
    }
    open_table(i, lo);
    if (i->t)
        i->t->ops->seek(i->t, k, n);
    skip_fwd(i);
}

static void li_next(lsm_it_t *it)
{
    level_it_t *i = (level_it_t *)it;
    i->t->ops->next(i->t);
    skip_fwd(i);
}

static void li_prev(lsm_it_t *it)
{
    level_it_t *i = (level_it_t *)it;
    i->t->ops->prev(i->t);
    skip_back(i);
}

static const char *li_key(lsm_it_t *it, size_t *n)
{
    level_it_t *i = (level_it_t *)it;
    return i->t->ops->key(i->t, n);
}

static const char *li_value(lsm_it_t *it, size_t *n)
{
    level_it_t *i = (level_it_t *)it;
    return i->t->ops->value(i->t, n);
}

static rdb_status_t li_status(lsm_it_t *it, rdb_err_t *err)
{
    level_it_t *i = (level_it_t *)it;
    if (!rdb_err_is_set(&i->err) && i->t)
        return i->t->ops->status(i->t, err);
    if (!rdb_err_is_set(&i->err))
        return RDB_OK;
    return rdb_err_set(err, i->err.code, i->err.sqlstate, "%s", i->err.msg);
}

static void li_free(lsm_it_t *it)
{
    level_it_t *i = (level_it_t *)it;
    if (i->t)
        i->t->ops->free(i->t);
    rdb_err_clear(&i->err);
    free(i);
}

static const lsm_it_ops_t level_ops = { li_valid, li_first, li_last, li_seek, li_next,
                                        li_prev, li_key, li_value, li_status, li_free };

lsm_it_t *lsm_level_iter_new(lsm_tcache_t *tc, lsm_file_t *const *files, int n,
                             bool fill_cache)
{
    level_it_t *i = rdb_calloc(1, sizeof(*i));
    i->tc = tc;
    rdb_err_t e = RDB_ERR_INIT;
    i->err = e;
    i->base.ops = &level_ops;
    i->files = files;
    i->n = n;
    i->fill = fill_cache;
    return &i->base;
}
