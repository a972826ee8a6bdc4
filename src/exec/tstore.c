/*
 * tstore.c — a tuplestore that spills beyond its budget (tstore.h).
 *
 * State: the memory rows (an array of row pointers into mem), the file
 * (a row file read by position, extsort.h; path NULL until the first row
 * that does not fit) and the read cursor: pos counts rows read so far;
 * rows [0, nmem) come from memory, the rest from the file.
 */
#include "exec/tstore.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "common/mem.h"
#include "exec/extsort.h"

struct ex_tstore {
    ex_run_t         *r;
    const sql_type_t *types;
    int               ncols;
    size_t            budget;
    rdb_arena_t       mem;
    sql_value_t     **rows;
    int64_t           nmem, cap;
    ex_rowfmt_t       fmt;
    ex_bfile_t        file;      /* t.path NULL: not spilled */
    int64_t           pos;
    int64_t           max_disk;
};

ex_tstore_t *ex_tstore_new(ex_run_t *r, const sql_type_t *types, int ncols, size_t budget)
{
    ex_tstore_t *t = rdb_calloc(1, sizeof *t);
    t->r = r;
    t->types = types;
    t->ncols = ncols;
    t->budget = budget ? budget : ex_work_mem(r);
    rdb_arena_init(&t->mem, 0);
    ex_rowfmt_init(&t->fmt, r, types, ncols);
    return t;
}

size_t ex_tstore_mem(const ex_tstore_t *t)
{
    return rdb_arena_memory_usage(&t->mem) + (size_t)t->cap * sizeof *t->rows;
}

rdb_status_t ex_tstore_put(ex_tstore_t *t, const sql_value_t *row)
{
    if (!t->file.t.path && ex_tstore_mem(t) < t->budget) {
        if (t->nmem == t->cap) {
            t->cap = t->cap ? t->cap * 2 : 64;
            t->rows = rdb_realloc(t->rows, sizeof *t->rows * (size_t)t->cap);
        }
        t->rows[t->nmem++] = ex_copy_row(&t->mem, t->types, t->ncols, row);
        return RDB_OK;
    }
    if (ex_bfile_put(&t->fmt, &t->file, row) != RDB_OK)
        return RDB_IOERROR;
    if (t->file.t.bytes > t->max_disk)
        t->max_disk = t->file.t.bytes;
    return RDB_OK;
}

rdb_status_t ex_tstore_rewind(ex_tstore_t *t)
{
    t->pos = 0;
    return RDB_OK;
}

const sql_value_t *ex_tstore_read(ex_tstore_t *t, int64_t *ord)
{
    if (ord)
        *ord = t->pos;
    if (t->pos >= ex_tstore_rows(t))
        return NULL;
    return ex_tstore_get(t, t->pos++);
}

const sql_value_t *ex_tstore_get(ex_tstore_t *t, int64_t pos)
{
    assert(pos >= 0 && pos < ex_tstore_rows(t));
    if (pos < t->nmem)
        return t->rows[pos];
    return ex_bfile_get(&t->fmt, &t->file, pos - t->nmem);
}

int64_t ex_tstore_rows(const ex_tstore_t *t)
{
    return t->nmem + t->file.nrows;
}

bool ex_tstore_spilled(const ex_tstore_t *t, int64_t *kb)
{
    if (kb)
        *kb = (t->max_disk + 1023) / 1024;
    return t->max_disk > 0;
}

void ex_tstore_clear(ex_tstore_t *t)
{
    ex_bfile_drop(&t->file);
    rdb_arena_reset(&t->mem);
    t->nmem = 0;
    t->pos = 0;
}

void ex_tstore_free(ex_tstore_t *t)
{
    if (!t)
        return;
    ex_bfile_drop(&t->file);
    free(t->rows);
    rdb_arena_destroy(&t->mem);
    ex_rowfmt_destroy(&t->fmt);
    free(t);
}
