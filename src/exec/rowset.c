/*
 * rowset.c — a set of distinct rows spilling to sorted runs (rowset.h).
 *
 * State: the rows in memory (a chained hash table in mem, buckets in
 * their own array) and the runs on disk, each a row file read by position
 * (extsort.h ex_bfile_t) holding its rows in sorted order, with a copy of
 * the first row of each of its blocks (keys, in the set's index arena) to
 * find the one block a row could be in, and a Bloom filter of its rows'
 * hashes, so that a row in no run (the common probe of a recursion)
 * reads no block.  Invariant: no row is in two places (memory, or one
 * run).
 */
#include "exec/rowset.h"

#include <stdlib.h>
#include <string.h>

#include "common/mem.h"
#include "exec/extsort.h"
#include "exec/hashjoin.h"

#define RS_MAXRUNS 8
#define RS_BLOOM_BITS 10   /* per row, 4 probes: ~1% false positives */

typedef struct rs_entry {
    struct rs_entry *next;
    uint64_t         hash;
    sql_value_t     *row;
} rs_entry_t;

typedef struct rs_run {
    ex_bfile_t    bf;
    sql_value_t **keys;       /* first row of each block, in ia */
    int64_t       nkeys;
    uint64_t     *bloom;      /* RS_BLOOM_BITS bits per row, a power of two */
    uint64_t      mask;       /* bits - 1 */
} rs_run_t;

struct ex_rowset {
    ex_run_t         *r;
    const sql_type_t *types;
    int               ncols;
    size_t            budget;
    ex_rowfmt_t       fmt;
    rdb_arena_t       mem;        /* the rows in memory and their entries */
    rs_entry_t      **b;
    size_t            nb, n;
    rs_run_t         *runs;
    int               nruns;
    rdb_arena_t       ia;         /* the runs' keys */
    int64_t           count;
};

ex_rowset_t *ex_rowset_new(ex_run_t *r, const sql_type_t *types, int ncols, size_t budget)
{
    ex_rowset_t *s = rdb_calloc(1, sizeof *s);
    s->r = r;
    s->types = types;
    s->ncols = ncols;
    s->budget = budget ? budget : ex_hash_mem(r);
    ex_rowfmt_init(&s->fmt, r, types, ncols);
    rdb_arena_init(&s->mem, 0);
    rdb_arena_init(&s->ia, 0);
    s->runs = rdb_calloc(RS_MAXRUNS + 1, sizeof *s->runs);
    return s;
}

static int row_cmp(const ex_rowset_t *s, const sql_value_t *a, const sql_value_t *b)
{
    for (int i = 0; i < s->ncols; i++) {
        if (a[i].isnull || b[i].isnull) {
            if (a[i].isnull != b[i].isnull)
                return a[i].isnull ? -1 : 1;
            continue;
        }
        int c = sql_value_cmp(s->types[i], &a[i], &b[i]);
        if (c)
            return c;
    }
    return 0;
}

static int row_qcmp(const void *x, const void *y, void *arg)
{
    return row_cmp(arg, *(sql_value_t *const *)x, *(sql_value_t *const *)y);
}

size_t ex_rowset_mem(const ex_rowset_t *s)
{
    size_t n = rdb_arena_memory_usage(&s->mem) + s->nb * sizeof *s->b + rdb_arena_memory_usage(&s->ia);
    for (int i = 0; i < s->nruns; i++)
        n += (s->runs[i].mask + 1) / 8;
    return n;
}

int64_t ex_rowset_count(const ex_rowset_t *s)
{
    return s->count;
}

bool ex_rowset_spilled(const ex_rowset_t *s, int64_t *kb)
{
    if (kb)
        *kb = (s->fmt.disk_bytes + 1023) / 1024;
    return s->fmt.disk_bytes > 0;
}

/* A new run of about n rows: its Bloom filter. */
static void run_begin(rs_run_t *run, int64_t n)
{
    uint64_t bits = 64;
    while (bits < (uint64_t)n * RS_BLOOM_BITS)
        bits *= 2;
    run->bloom = rdb_calloc(bits / 64, sizeof *run->bloom);
    run->mask = bits - 1;
}

static bool bloom_bit(const rs_run_t *run, uint64_t h, int i, bool set)
{
    uint64_t b = (h + (uint64_t)i * ((h >> 32) | 1)) & run->mask;
    if (set)
        run->bloom[b / 64] |= 1ull << (b % 64);
    return run->bloom[b / 64] & (1ull << (b % 64));
}

/* Append row to run, keeping its block's first row as a key. */
static rdb_status_t run_put(ex_rowset_t *s, rs_run_t *run, const sql_value_t *row, int64_t *capkeys)
{
    uint64_t h = ex_key_hash(s->types, s->ncols, row);
    for (int i = 0; i < 4; i++)
        bloom_bit(run, h, i, true);
    if (run->bf.nrows % EX_BF_BLOCK == 0) {
        if (run->nkeys == *capkeys) {
            *capkeys = *capkeys ? *capkeys * 2 : 64;
            run->keys = rdb_realloc(run->keys, sizeof *run->keys * (size_t)*capkeys);
        }
        run->keys[run->nkeys++] = ex_copy_row(&s->ia, s->types, s->ncols, row);
    }
    return ex_bfile_put(&s->fmt, &run->bf, row);
}

static void run_drop(rs_run_t *run)
{
    ex_bfile_drop(&run->bf);
    free(run->keys);
    free(run->bloom);
    memset(run, 0, sizeof *run);
}

/* The keys of every run again (after the runs changed): ia holds only
 * live keys. */
static void rekey(ex_rowset_t *s)
{
    rdb_arena_t na;
    rdb_arena_init(&na, 0);
    for (int i = 0; i < s->nruns; i++)
        for (int64_t k = 0; k < s->runs[i].nkeys; k++)
            s->runs[i].keys[k] = ex_copy_row(&na, s->types, s->ncols, s->runs[i].keys[k]);
    rdb_arena_destroy(&s->ia);
    s->ia = na;
}

/* Merge every run into one (they are disjoint: nothing to drop). */
static rdb_status_t merge_runs(ex_rowset_t *s)
{
    rs_run_t out = { 0 };
    int64_t cap = 0, *pos = rdb_calloc((size_t)s->nruns, sizeof *pos), total = 0;
    for (int i = 0; i < s->nruns; i++)
        total += s->runs[i].bf.nrows;
    run_begin(&out, total);
    rdb_status_t rc = RDB_OK;
    for (;;) {
        const sql_value_t *min = NULL;
        int mi = -1;
        for (int i = 0; i < s->nruns && rc == RDB_OK; i++) {
            if (pos[i] >= s->runs[i].bf.nrows)
                continue;
            const sql_value_t *row = ex_bfile_get(&s->fmt, &s->runs[i].bf, pos[i]);
            if (!row)
                rc = RDB_IOERROR;
            else if (!min || row_cmp(s, row, min) < 0) {
                min = row;
                mi = i;
            }
        }
        if (rc != RDB_OK || mi < 0)
            break;
        if ((rc = run_put(s, &out, min, &cap)) != RDB_OK)
            break;
        if ((++pos[mi] & 4095) == 0 && (rc = ex_check(s->r)) != RDB_OK)
            break;
    }
    free(pos);
    for (int i = 0; i < s->nruns; i++)
        run_drop(&s->runs[i]);
    s->nruns = 0;
    s->runs[s->nruns++] = out;
    rekey(s);
    return rc;
}

/* Memory is full: its rows, sorted, become a new run. */
static rdb_status_t flush(ex_rowset_t *s)
{
    sql_value_t **rows = rdb_malloc(sizeof *rows * (s->n ? s->n : 1));
    size_t k = 0;
    for (size_t i = 0; i < s->nb; i++)
        for (rs_entry_t *e = s->b[i]; e; e = e->next)
            rows[k++] = e->row;
    qsort_r(rows, k, sizeof *rows, row_qcmp, s);
    rs_run_t *run = &s->runs[s->nruns++];
    run_begin(run, (int64_t)k);
    int64_t cap = 0;
    rdb_status_t rc = RDB_OK;
    for (size_t i = 0; i < k && rc == RDB_OK; i++)
        rc = run_put(s, run, rows[i], &cap);
    free(rows);
    rdb_arena_reset(&s->mem);
    free(s->b);
    s->b = NULL;
    s->nb = s->n = 0;
    if (rc == RDB_OK && s->nruns > RS_MAXRUNS)
        rc = merge_runs(s);
    return rc == RDB_OK ? ex_check(s->r) : rc;
}

/* Is row (of hash h) in run? */
static rdb_status_t run_has(ex_rowset_t *s, rs_run_t *run, const sql_value_t *row, uint64_t h, bool *found)
{
    *found = false;
    for (int i = 0; i < 4; i++)
        if (!bloom_bit(run, h, i, false))
            return RDB_OK;
    int64_t lo = 0, hi = run->nkeys;     /* the last block whose first row <= row */
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (row_cmp(s, run->keys[mid], row) <= 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0)
        return RDB_OK;
    int64_t first = (lo - 1) * EX_BF_BLOCK;
    int64_t a = first, b = first + EX_BF_BLOCK < run->bf.nrows ? first + EX_BF_BLOCK : run->bf.nrows;
    while (a < b) {
        int64_t mid = a + (b - a) / 2;
        const sql_value_t *x = ex_bfile_get(&s->fmt, &run->bf, mid);
        if (!x)
            return RDB_IOERROR;
        int c = row_cmp(s, x, row);
        if (c == 0) {
            *found = true;
            return RDB_OK;
        }
        if (c < 0)
            a = mid + 1;
        else
            b = mid;
    }
    return RDB_OK;
}

rdb_status_t ex_rowset_probe(ex_rowset_t *s, const sql_value_t *row, bool add, bool *found)
{
    uint64_t h = ex_key_hash(s->types, s->ncols, row);
    *found = false;
    if (s->nb)
        for (rs_entry_t *e = s->b[h & (s->nb - 1)]; e; e = e->next)
            if (e->hash == h && ex_key_eq(s->types, s->ncols, e->row, row)) {
                *found = true;
                return RDB_OK;
            }
    for (int i = 0; i < s->nruns; i++) {
        if (run_has(s, &s->runs[i], row, h, found) != RDB_OK)
            return RDB_IOERROR;
        if (*found)
            return RDB_OK;
    }
    if (!add)
        return RDB_OK;
    if (s->n >= s->nb) {
        size_t nb = s->nb ? s->nb * 2 : 256;
        rs_entry_t **b = rdb_calloc(nb, sizeof *b);
        for (size_t i = 0; i < s->nb; i++)
            for (rs_entry_t *e = s->b[i], *next; e; e = next) {
                next = e->next;
                e->next = b[e->hash & (nb - 1)];
                b[e->hash & (nb - 1)] = e;
            }
        free(s->b);
        s->b = b;
        s->nb = nb;
    }
    rs_entry_t *e = RDB_ARENA_NEW(&s->mem, rs_entry_t);
    e->hash = h;
    e->row = ex_copy_row(&s->mem, s->types, s->ncols, row);
    e->next = s->b[h & (s->nb - 1)];
    s->b[h & (s->nb - 1)] = e;
    s->n++;
    s->count++;
    if (rdb_arena_memory_usage(&s->mem) + s->nb * sizeof *s->b > s->budget)
        return flush(s);
    return RDB_OK;
}

void ex_rowset_free(ex_rowset_t *s)
{
    if (!s)
        return;
    for (int i = 0; i < s->nruns; i++)
        run_drop(&s->runs[i]);
    free(s->runs);
    free(s->b);
    rdb_arena_destroy(&s->mem);
    rdb_arena_destroy(&s->ia);
    ex_rowfmt_destroy(&s->fmt);
    free(s);
}
