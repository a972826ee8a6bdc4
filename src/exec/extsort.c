/*
 * extsort.c — external merge sort (extsort.h).
 *
 * Memory.  Rows held in memory live in the sort's own arena, which is
 * reset after each run is written, so a sort holds at most about work_mem
 * of rows whatever its input; the run arena (r->a) only holds the few
 * structures of the sort.
 *
 * Run file format (private to one statement, never read by another
 * process or version): a sequence of records
 *
 *   u32 length of what follows (host order)
 *   per column: u8 tag  0 = NULL
 *                       1 = by value: the sql_value_t's union, raw
 *                       2 = by reference: u32 n, then n bytes
 *
 * Whether a column is by reference is learnt from its first non-NULL
 * value (sql_value_copy copies exactly the by-reference kinds).
 */
#include "exec/extsort.h"

#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/log.h"
#include "common/mem.h"

#define EXS_FILE_PREFIX "rdbtmp."
#define EXS_IOBUF       (32 * 1024)

typedef ex_tmpfile_t run_t;

struct ex_sort {
    ex_run_t         *r;
    ex_rowfmt_t       fmt;
    const sql_type_t *types;
    int               ncols;
    ex_sort_cmp_fn    cmp;
    void             *arg;
    size_t            work_mem;
    rdb_arena_t       mem;           /* rows held in memory */
    sql_value_t     **rows;
    int64_t           nrows, caprows, pos;
    run_t            *runs;          /* written runs not yet merged away */
    int               nruns, capruns;
    int              *heap;          /* merge: indexes into runs */
    int               nheap;
    bool              merging, done;
    rdb_arena_t       out;           /* the row returned by next */
};

static atomic_uint exs_seq;

static rdb_status_t io_error(ex_rowfmt_t *fmt, const char *what, const char *path)
{
    rdb_err_set(fmt->r->err, RDB_IOERROR, RDB_SQLSTATE_IO_ERROR, "could not %s temporary file \"%s\": %s", what,
                path, strerror(errno ? errno : EIO));
    return RDB_IOERROR;
}

ex_sort_t *ex_sort_new(ex_run_t *r, const sql_type_t *types, int ncols, ex_sort_cmp_fn cmp, void *arg)
{
    ex_sort_t *s = rdb_calloc(1, sizeof *s);
    s->r = r;
    s->types = types;
    s->ncols = ncols;
    s->cmp = cmp;
    s->arg = arg;
    s->work_mem = ex_work_mem(r);
    rdb_arena_init(&s->mem, 0);
    rdb_arena_init(&s->out, 0);
    ex_rowfmt_init(&s->fmt, r, types, ncols);
    return s;
}

void ex_rowfmt_init(ex_rowfmt_t *fmt, ex_run_t *r, const sql_type_t *types, int ncols)
{
    memset(fmt, 0, sizeof *fmt);
    fmt->r = r;
    fmt->types = types;
    fmt->ncols = ncols;
    rdb_arena_init(&fmt->scratch, 0);
    fmt->byref = rdb_malloc((size_t)ncols + 1);
    memset(fmt->byref, -1, (size_t)ncols + 1);
}

void ex_rowfmt_destroy(ex_rowfmt_t *fmt)
{
    free(fmt->byref);
    fmt->byref = NULL;
    rdb_buf_free(&fmt->w);
    rdb_arena_destroy(&fmt->scratch);
}

static size_t held(const ex_sort_t *s)
{
    return rdb_arena_memory_usage(&s->mem) + (size_t)s->caprows * sizeof(sql_value_t *);
}

/* --- writing runs ----------------------------------------------------------- */

static void put_row(ex_rowfmt_t *s, const sql_value_t *row)
{
    rdb_buf_t *w = &s->w;
    size_t start = w->len;
    rdb_buf_append(w, "\0\0\0\0", 4);
    for (int i = 0; i < s->ncols; i++) {
        const sql_value_t *v = &row[i];
        if (v->isnull) {
            rdb_buf_append_u8(w, 0);
            continue;
        }
        if (s->byref[i] < 0) {
            rdb_arena_reset(&s->scratch);
            sql_value_t c = sql_value_copy(&s->scratch, s->types[i], *v);
            s->byref[i] = c.u.v.ptr != v->u.v.ptr;
        }
        if (s->byref[i]) {
            uint32_t n = v->u.v.len;
            rdb_buf_append_u8(w, 2);
            rdb_buf_append(w, &n, 4);
            rdb_buf_append(w, v->u.v.ptr, n);
        } else {
            rdb_buf_append_u8(w, 1);
            rdb_buf_append(w, &v->u, sizeof v->u);
        }
    }
    uint32_t len = (uint32_t)(w->len - start - 4);
    memcpy(w->data + start, &len, 4);
}

rdb_status_t ex_tmpfile_create(ex_rowfmt_t *fmt, ex_tmpfile_t *run)
{
    memset(run, 0, sizeof *run);
    rdb_arena_init(&run->a, 0);
    const char *dir = fmt->r->tmp_dir ? fmt->r->tmp_dir : "/tmp";
    size_t n = strlen(dir) + 64;
    run->path = rdb_malloc(n);
    snprintf(run->path, n, "%s/%s%d.%u", dir, EXS_FILE_PREFIX, (int)getpid(),
             atomic_fetch_add(&exs_seq, 1));
    run->f = fopen(run->path, "w+b");
    if (!run->f)
        return io_error(fmt, "create", run->path);
    setvbuf(run->f, NULL, _IOFBF, EXS_IOBUF);
    return RDB_OK;
}

static rdb_status_t new_run(ex_sort_t *s, run_t **out)
{
    if (s->nruns == s->capruns) {
        s->capruns = s->capruns ? s->capruns * 2 : 16;
        s->runs = rdb_realloc(s->runs, sizeof *s->runs * (size_t)s->capruns);
    }
    run_t *run = &s->runs[s->nruns++];
    *out = run;
    return ex_tmpfile_create(&s->fmt, run);
}

rdb_status_t ex_tmpfile_put(ex_rowfmt_t *s, ex_tmpfile_t *run, const sql_value_t *row)
{
    rdb_buf_reset(&s->w);
    put_row(s, row);
    if (fwrite(s->w.data, 1, s->w.len, run->f) != s->w.len)
        return io_error(s, "write to", run->path);
    run->nrows++;
    run->bytes += (int64_t)s->w.len;
    s->disk_bytes += (int64_t)s->w.len;
    return RDB_OK;
}

rdb_status_t ex_tmpfile_rewind(ex_rowfmt_t *s, ex_tmpfile_t *run)
{
    if (fflush(run->f) != 0 || fseek(run->f, 0, SEEK_SET) != 0)
        return io_error(s, "write to", run->path);
    run->left = run->nrows;
    return RDB_OK;
}

/* Sort the rows held and write them as one run. */
static rdb_status_t spill(ex_sort_t *s)
{
    qsort_r(s->rows, (size_t)s->nrows, sizeof *s->rows, s->cmp, s->arg);
    run_t *run;
    rdb_status_t rc = new_run(s, &run);
    for (int64_t i = 0; rc == RDB_OK && i < s->nrows; i++)
        rc = ex_tmpfile_put(&s->fmt, run, s->rows[i]);
    if (rc == RDB_OK)
        rc = ex_tmpfile_rewind(&s->fmt, run);
    s->nrows = 0;
    rdb_arena_reset(&s->mem);
    if (rc == RDB_OK)
        rc = ex_check(s->r);
    return rc;
}

void ex_sort_set_mem(ex_sort_t *s, size_t bytes)
{
    s->work_mem = bytes;
}

rdb_status_t ex_sort_add(ex_sort_t *s, const sql_value_t *row)
{
    if (s->nrows == s->caprows) {
        s->caprows = s->caprows ? s->caprows * 2 : 256;
        s->rows = rdb_realloc(s->rows, sizeof *s->rows * (size_t)s->caprows);
    }
    s->rows[s->nrows++] = ex_copy_row(&s->mem, s->types, s->ncols, row);
    if (held(s) > s->work_mem && s->nrows > 1)
        return spill(s);
    return RDB_OK;
}

/* --- merging ------------------------------------------------------------------ */

/* Decode one record (rec, len) into row (ncols values in a); by-reference
 * values point into rec. */
static rdb_status_t decode_row(ex_rowfmt_t *s, const char *path, const char *rec, uint32_t len,
                               sql_value_t *row)
{
    const char *p = rec, *end = rec + len;
    for (int i = 0; i < s->ncols; i++) {
        if (p >= end)
            goto bad;
        uint8_t tag = (uint8_t)*p++;
        if (tag == 0) {
            row[i] = sql_null();
        } else if (tag == 1) {
            if ((size_t)(end - p) < sizeof row[i].u)
                goto bad;
            row[i].isnull = false;
            memcpy(&row[i].u, p, sizeof row[i].u);
            p += sizeof row[i].u;
        } else {
            uint32_t n;
            if (end - p < 4)
                goto bad;
            memcpy(&n, p, 4);
            p += 4;
            if ((size_t)(end - p) < n)
                goto bad;
            row[i] = sql_bytes(p, n); /* points into rec */
            p += n;
        }
    }
    return RDB_OK;
bad:
    return rdb_err_set(s->r->err, RDB_CORRUPTION, RDB_SQLSTATE_DATA_CORRUPTED,
                       "temporary file \"%s\" is corrupt", path);
}

/* Read the run's next row into run->row (NULL at its end). */
rdb_status_t ex_tmpfile_read(ex_rowfmt_t *s, ex_tmpfile_t *run)
{
    run->row = NULL;
    if (run->left == 0)
        return RDB_OK;
    uint32_t len;
    errno = 0;
    if (fread(&len, 4, 1, run->f) != 1)
        return io_error(s, "read from", run->path);
    if (len > run->reccap) {
        run->reccap = len * 2u + 64;
        run->rec = rdb_realloc(run->rec, run->reccap);
    }
    if (len && fread(run->rec, len, 1, run->f) != 1)
        return io_error(s, "read from", run->path);
    run->left--;
    rdb_arena_reset(&run->a);
    sql_value_t *row = RDB_ARENA_NEWN(&run->a, sql_value_t, s->ncols + 1);
    if (decode_row(s, run->path, run->rec, len, row) != RDB_OK)
        return RDB_CORRUPTION;
    run->row = row;
    return RDB_OK;
}

rdb_status_t ex_tmpfile_pread(ex_rowfmt_t *s, ex_tmpfile_t *t, int64_t off, size_t bytes, int n,
                              char *buf, rdb_arena_t *a, sql_value_t **rows)
{
    if (t->f && fflush(t->f) != 0)
        return io_error(s, "write to", t->path);
    size_t got = 0;
    while (got < bytes) {
        errno = 0;
        ssize_t k = pread(fileno(t->f), buf + got, bytes - got, (off_t)(off + (int64_t)got));
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return io_error(s, "read from", t->path);
        got += (size_t)k;
    }
    const char *p = buf, *end = buf + bytes;
    for (int i = 0; i < n; i++) {
        uint32_t len;
        if (end - p < 4)
            goto bad;
        memcpy(&len, p, 4);
        p += 4;
        if ((size_t)(end - p) < len)
            goto bad;
        rows[i] = RDB_ARENA_NEWN(a, sql_value_t, s->ncols + 1);
        if (decode_row(s, t->path, p, len, rows[i]) != RDB_OK)
            return RDB_CORRUPTION;
        p += len;
    }
    return RDB_OK;
bad:
    return rdb_err_set(s->r->err, RDB_CORRUPTION, RDB_SQLSTATE_DATA_CORRUPTED,
                       "temporary file \"%s\" is corrupt", t->path);
}

void ex_tmpfile_drop(ex_tmpfile_t *run)
{
    if (run->f) {
        fclose(run->f);
        run->f = NULL;
    }
    if (run->path) {
        RDB_LOG_DEBUG("exec", "temporary file: path \"%s\", size %lld", run->path,
                      (long long)run->bytes);
        unlink(run->path);
        free(run->path);
        run->path = NULL;
    }
    free(run->rec);
    run->rec = NULL;
    rdb_arena_destroy(&run->a);
}

/* --- row files read by position ---------------------------------------------- */

rdb_status_t ex_bfile_put(ex_rowfmt_t *fmt, ex_bfile_t *bf, const sql_value_t *row)
{
    if (!bf->t.path) {
        for (int i = 0; i < EX_BF_CACHE; i++)
            bf->c[i].b = -1;
        if (ex_tmpfile_create(fmt, &bf->t) != RDB_OK)
            return RDB_IOERROR;
    }
    if (bf->nrows % EX_BF_BLOCK == 0) {
        int64_t b = bf->nrows / EX_BF_BLOCK;
        if (b + 2 > bf->capoff) {
            bf->capoff = bf->capoff ? bf->capoff * 2 : 64;
            bf->off = rdb_realloc(bf->off, sizeof *bf->off * (size_t)bf->capoff);
        }
        bf->off[b] = bf->t.bytes;
    }
    if (ex_tmpfile_put(fmt, &bf->t, row) != RDB_OK)
        return RDB_IOERROR;
    bf->nrows++;
    return RDB_OK;
}

const sql_value_t *ex_bfile_get(ex_rowfmt_t *fmt, ex_bfile_t *bf, int64_t pos)
{
    assert(pos >= 0 && pos < bf->nrows);
    int64_t b = pos / EX_BF_BLOCK;
    struct ex_bf_block *c = &bf->c[0];
    for (int i = 0; i < EX_BF_CACHE; i++) {
        if (bf->c[i].b == b) {
            c = &bf->c[i];
            c->used = ++bf->clock;
            return c->rows[pos % EX_BF_BLOCK];
        }
        if (bf->c[i].used < c->used)
            c = &bf->c[i];
    }
    /* the block's bytes: up to the next block's first row, or the end */
    int64_t first = b * EX_BF_BLOCK;
    int n = bf->nrows - first < EX_BF_BLOCK ? (int)(bf->nrows - first) : EX_BF_BLOCK;
    int64_t end = first + n < bf->nrows ? bf->off[b + 1] : bf->t.bytes;
    size_t bytes = (size_t)(end - bf->off[b]);
    if (!c->rows) {
        c->rows = rdb_malloc(sizeof *c->rows * EX_BF_BLOCK);
        rdb_arena_init(&c->a, 0);
    }
    if (bytes > c->cap) {
        c->cap = bytes * 2;
        c->buf = rdb_realloc(c->buf, c->cap);
    }
    rdb_arena_reset(&c->a);
    c->b = -1;
    if (ex_tmpfile_pread(fmt, &bf->t, bf->off[b], bytes, n, c->buf, &c->a, c->rows) != RDB_OK)
        return NULL;
    c->b = b;
    c->used = ++bf->clock;
    bf->reads++;
    return c->rows[pos % EX_BF_BLOCK];
}

void ex_bfile_drop(ex_bfile_t *bf)
{
    ex_tmpfile_drop(&bf->t);
    free(bf->off);
    for (int i = 0; i < EX_BF_CACHE; i++) {
        free(bf->c[i].rows);
        free(bf->c[i].buf);
        if (bf->c[i].rows)
            rdb_arena_destroy(&bf->c[i].a);
    }
    memset(bf, 0, sizeof *bf);
}

static int heap_less(ex_sort_t *s, int x, int y)
{
    const sql_value_t *a = s->runs[x].row, *b = s->runs[y].row;
    int c = s->cmp(&a, &b, s->arg);
    return c < 0 || (c == 0 && x < y);
}

static void sift_down(ex_sort_t *s, int i)
{
    for (;;) {
        int l = 2 * i + 1, r = l + 1, m = i;
        if (l < s->nheap && heap_less(s, s->heap[l], s->heap[m]))
            m = l;
        if (r < s->nheap && heap_less(s, s->heap[r], s->heap[m]))
            m = r;
        if (m == i)
            return;
        int t = s->heap[i];
        s->heap[i] = s->heap[m];
        s->heap[m] = t;
        i = m;
    }
}

/* Start merging runs[first .. first+n). */
static rdb_status_t merge_start(ex_sort_t *s, int first, int n)
{
    s->heap = rdb_realloc(s->heap, sizeof *s->heap * (size_t)(n + 1));
    s->nheap = 0;
    for (int i = first; i < first + n; i++) {
        if (ex_tmpfile_read(&s->fmt, &s->runs[i]) != RDB_OK)
            return RDB_SQL;
        if (s->runs[i].row)
            s->heap[s->nheap++] = i;
    }
    for (int i = s->nheap / 2 - 1; i >= 0; i--)
        sift_down(s, i);
    return RDB_OK;
}

/* The smallest current row, copied into s->out; advances its run. */
static const sql_value_t *merge_pop(ex_sort_t *s)
{
    if (s->nheap == 0)
        return NULL;
    int k = s->heap[0];
    rdb_arena_reset(&s->out);
    sql_value_t *row = ex_copy_row(&s->out, s->types, s->ncols, s->runs[k].row);
    if (ex_tmpfile_read(&s->fmt, &s->runs[k]) != RDB_OK)
        return NULL;
    if (!s->runs[k].row) {
        ex_tmpfile_drop(&s->runs[k]);
        s->heap[0] = s->heap[--s->nheap];
    }
    if (s->nheap)
        sift_down(s, 0);
    return row;
}

rdb_status_t ex_sort_done(ex_sort_t *s)
{
    s->done = true;
    if (s->nruns == 0) {
        if (s->nrows > 1)
            qsort_r(s->rows, (size_t)s->nrows, sizeof *s->rows, s->cmp, s->arg);
        return RDB_OK;
    }
    rdb_status_t rc = RDB_OK;
    if (s->nrows)
        rc = spill(s);
    /* Merge passes: the oldest EXS_FANIN runs into one, until few remain. */
    while (rc == RDB_OK && s->nruns > EXS_FANIN) {
        run_t *out;
        if ((rc = merge_start(s, 0, EXS_FANIN)) != RDB_OK || (rc = new_run(s, &out)) != RDB_OK)
            break;
        int oi = s->nruns - 1;
        const sql_value_t *row;
        int64_t k = 0;
        while ((row = merge_pop(s))) {
            if ((rc = ex_tmpfile_put(&s->fmt, &s->runs[oi], row)) != RDB_OK)
                break;
            if ((++k & 4095) == 0 && (rc = ex_check(s->r)) != RDB_OK)
                break;
        }
        if (rc == RDB_OK && rdb_err_is_set(s->r->err))
            rc = RDB_SQL;
        if (rc == RDB_OK)
            rc = ex_tmpfile_rewind(&s->fmt, &s->runs[oi]);
        if (rc != RDB_OK)
            break;
        /* the merged runs are dropped (run_drop at their end): remove them */
        memmove(s->runs, s->runs + EXS_FANIN, sizeof *s->runs * (size_t)(s->nruns - EXS_FANIN));
        s->nruns -= EXS_FANIN;
    }
    if (rc == RDB_OK) {
        s->merging = true;
        rc = merge_start(s, 0, s->nruns);
    }
    return rc;
}

const sql_value_t *ex_sort_next(ex_sort_t *s)
{
    if (!s->merging)
        return s->pos < s->nrows ? s->rows[s->pos++] : NULL;
    if ((s->pos++ & 4095) == 4095 && ex_check(s->r) != RDB_OK)
        return NULL;
    return merge_pop(s);
}

bool ex_sort_spilled(const ex_sort_t *s, int64_t *kb)
{
    if (kb)
        *kb = ((s->fmt.disk_bytes ? s->fmt.disk_bytes : (int64_t)held(s)) + 1023) / 1024;
    return s->fmt.disk_bytes > 0;
}

void ex_sort_free(ex_sort_t *s)
{
    if (!s)
        return;
    for (int i = 0; i < s->nruns; i++)
        ex_tmpfile_drop(&s->runs[i]);
    free(s->runs);
    free(s->heap);
    free(s->rows);
    ex_rowfmt_destroy(&s->fmt);
    rdb_arena_destroy(&s->mem);
    rdb_arena_destroy(&s->out);
    free(s);
}

void ex_sort_clean_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strncmp(e->d_name, EXS_FILE_PREFIX, strlen(EXS_FILE_PREFIX)) != 0)
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        unlink(path);
    }
    closedir(d);
}
