/*
 * colstats.c — MCV lists and histograms from a row sample (colstats.h).
 *
 * Per column, as compute_scalar_stats (PostgreSQL 15, analyze.c): the
 * sampled non-NULL values are sorted; a value seen more than once is a
 * candidate MCV, the candidates ranked by count (ties in value order) and
 * the first 100 kept.  When every distinct value was seen more than once
 * and they fit, all of them are the MCV list and there is no histogram;
 * otherwise, when the table was not sampled whole, analyze_mcv_list keeps
 * only the values whose count stands above what a uniform distribution
 * of the other values would give (by more than two standard deviations).
 * The histogram's bounds are equally spaced (by position) among the
 * sorted values that are not MCVs, at most 101 of them, none when fewer
 * than two distinct values remain.  Frequencies are of all sampled rows,
 * NULLs included.
 */
#include <math.h>
#include <msgpack.h>
#include <stdlib.h>
#include <string.h>

#include "common/mem.h"
#include "sql/colstats.h"
#include "sql/types.h"

struct sql_sample {
    const sql_table_t *t;
    uint64_t  seen;
    int       n;
    char    **rows;    /* packed rows: an array of t->ncols values */
    size_t   *lens;
    uint64_t *ord;     /* each row's position in the scan (storage key order) */
    uint64_t  rng;
};

sql_sample_t *sql_sample_new(const sql_table_t *t)
{
    sql_sample_t *s = rdb_calloc(1, sizeof *s);
    s->t = t;
    s->rows = rdb_calloc(SQL_STATS_SAMPLE, sizeof(char *));
    s->lens = rdb_calloc(SQL_STATS_SAMPLE, sizeof(size_t));
    s->ord = rdb_calloc(SQL_STATS_SAMPLE, sizeof(uint64_t));
    s->rng = 0x9e3779b97f4a7c15ull ^ t->id;
    return s;
}

static uint64_t next_rand(sql_sample_t *s)
{
    /* xorshift64* */
    s->rng ^= s->rng >> 12;
    s->rng ^= s->rng << 25;
    s->rng ^= s->rng >> 27;
    return s->rng * 2685821657736338717ull;
}

void sql_sample_add(sql_sample_t *s, const sql_value_t *row)
{
    s->seen++;
    int slot;
    if (s->n < SQL_STATS_SAMPLE) {
        slot = s->n++;
    } else {
        uint64_t j = next_rand(s) % s->seen;
        if (j >= SQL_STATS_SAMPLE)
            return;
        slot = (int)j;
        free(s->rows[slot]);
    }
    msgpack_sbuffer sb;
    msgpack_sbuffer_init(&sb);
    msgpack_packer pk;
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    const sql_table_t *t = s->t;
    msgpack_pack_array(&pk, (size_t)t->ncols);
    for (int c = 0; c < t->ncols; c++)
        sql_value_pack(&pk, t->cols[c].type, &row[t->cols[c].colid]);
    s->rows[slot] = sb.data;   /* malloc'd by the sbuffer: ours now */
    s->lens[slot] = sb.size;
    s->ord[slot] = s->seen;
}

void sql_sample_free(sql_sample_t *s)
{
    if (!s)
        return;
    for (int i = 0; i < s->n; i++)
        free(s->rows[i]);
    free(s->rows);
    free(s->lens);
    free(s->ord);
    free(s);
}

typedef struct { sql_type_t t; } cmpctx_t;

static int val_cmp(const void *x, const void *y, void *arg)
{
    const cmpctx_t *c = arg;
    return sql_value_cmp(c->t, x, y);
}

/* Sort positions by value, then by position (PostgreSQL's
 * compare_scalars breaks ties by tuple number). */
typedef struct { sql_type_t t; const sql_value_t *vals; } poscmp_t;

static int pos_cmp(const void *x, const void *y, void *arg)
{
    const poscmp_t *c = arg;
    int a = *(const int *)x, b = *(const int *)y;
    int r = sql_value_cmp(c->t, &c->vals[a], &c->vals[b]);
    return r ? r : (a > b) - (a < b);
}

/* The correlation between the storage order of the nv sampled non-NULL
 * values (vals, in scan order) and their sort order, as PostgreSQL's
 * compute_scalar_stats computes it over its sample in physical order:
 * Pearson's coefficient of (sorted position, scan position). */
static bool correlation(sql_type_t t, const sql_value_t *vals, int nv, float *out)
{
    if (nv < 2)
        return false;
    int *pos = rdb_malloc(sizeof(int) * (size_t)nv);
    for (int i = 0; i < nv; i++)
        pos[i] = i;
    poscmp_t pc = { t, vals };
    qsort_r(pos, (size_t)nv, sizeof *pos, pos_cmp, &pc);
    double xysum = 0;
    for (int i = 0; i < nv; i++)
        xysum += (double)i * (double)pos[i];
    free(pos);
    double n = nv;
    double xsum = (n - 1) * n / 2.0;
    double x2sum = (n - 1) * n * (2 * n - 1) / 6.0;
    *out = (float)((n * xysum - xsum * xsum) / (n * x2sum - xsum * xsum));
    return true;
}

typedef struct track {
    int count, first;
} track_t;

/* PostgreSQL's analyze_mcv_list: how many of the num_mcv candidates
 * (counts in descending order) are common enough to keep. */
static int mcv_keep(const track_t *tr, int num_mcv, double stadistinct, double nullfrac, double samplerows,
                    double totalrows)
{
    if (samplerows >= totalrows || totalrows <= 1.0)
        return num_mcv;
    double ndistinct_table = stadistinct < 0 ? -stadistinct * totalrows : stadistinct;
    double sumcount = 0;
    for (int i = 0; i < num_mcv - 1; i++)
        sumcount += tr[i].count;
    while (num_mcv > 0) {
        double selec = 1.0 - sumcount / samplerows - nullfrac;
        selec = selec < 0 ? 0 : selec > 1 ? 1 : selec;
        double otherdistinct = ndistinct_table - (num_mcv - 1);
        if (otherdistinct > 1)
            selec /= otherdistinct;
        double N = totalrows, n = samplerows, K = N * tr[num_mcv - 1].count / n;
        double variance = n * K * (N - K) * (N - n) / (N * N * (N - 1));
        if (tr[num_mcv - 1].count > selec * samplerows + 2 * sqrt(variance) + 0.5)
            break;
        num_mcv--;
        if (num_mcv == 0)
            break;
        sumcount -= tr[num_mcv - 1].count;
    }
    return num_mcv;
}

/* One column from its sampled values vals[0..nv) (non-NULL) of
 * samplerows rows. */
static void column_stats(rdb_arena_t *a, sql_column_t *col, sql_value_t *vals, int nv, int samplerows,
                         uint64_t totalrows)
{
    col->nmcv = col->nhist = 0;
    col->mcv = col->hist = NULL;
    col->mcv_freq = NULL;
    col->avg_width = 0;
    col->has_correlation = correlation(col->type, vals, nv, &col->correlation);
    if (nv == 0)
        return;
    /* PostgreSQL's stored width: typlen, or a varlena's bytes and header
     * (1 byte up to 126 bytes) */
    const sql_typeinfo_t *ti = sql_type_by_oid(col->type.oid);
    double width = 0;
    for (int i = 0; i < nv; i++)
        width += ti && ti->typlen > 0 ? (double)ti->typlen : vals[i].u.v.len + (vals[i].u.v.len <= 126 ? 1.0 : 4.0);
    col->avg_width = (int)(width / nv);
    cmpctx_t cc = { col->type };
    qsort_r(vals, (size_t)nv, sizeof *vals, val_cmp, &cc);
    track_t tr[SQL_STATS_TARGET];
    int ntrack = 0, ndistinct = 0, nmultiple = 0;
    for (int i = 0; i < nv;) {
        int j = i + 1;
        while (j < nv && sql_value_cmp(col->type, &vals[j], &vals[i]) == 0)
            j++;
        int dups = j - i;
        ndistinct++;
        if (dups > 1) {
            nmultiple++;
            if (ntrack < SQL_STATS_TARGET || dups > tr[ntrack - 1].count) {
                if (ntrack < SQL_STATS_TARGET)
                    ntrack++;
                int k;
                for (k = ntrack - 1; k > 0 && dups > tr[k - 1].count; k--)
                    tr[k] = tr[k - 1];
                tr[k] = (track_t){ dups, i };
            }
        }
        i = j;
    }
    double nullfrac = 1.0 - (double)nv / samplerows;
    /* stadistinct as PostgreSQL computes it from the sample */
    double stadistinct;
    if (nmultiple == 0) {
        stadistinct = -1.0 * (1.0 - nullfrac);
    } else if (nmultiple == ndistinct) {
        stadistinct = ndistinct;
    } else {
        double f1 = ndistinct - nmultiple, d = ndistinct;
        double numer = (double)samplerows * d;
        double denom = (samplerows - f1) + f1 * (double)samplerows / (double)totalrows;
        stadistinct = floor(numer / denom + 0.5);
        if (stadistinct < d)
            stadistinct = d;
        if (stadistinct > (double)totalrows)
            stadistinct = (double)totalrows;
    }
    if (stadistinct > 0.1 * (double)totalrows)
        stadistinct = -(stadistinct / (double)totalrows);
    int num_mcv = SQL_STATS_TARGET;
    if (ntrack == ndistinct && stadistinct > 0 && ntrack <= num_mcv) {
        num_mcv = ntrack;
    } else {
        if (num_mcv > ntrack)
            num_mcv = ntrack;
        if (num_mcv > 0)
            num_mcv = mcv_keep(tr, num_mcv, stadistinct, nullfrac, samplerows, (double)totalrows);
    }
    if (num_mcv > 0) {
        col->nmcv = num_mcv;
        col->mcv = RDB_ARENA_NEWN(a, sql_value_t, num_mcv);
        col->mcv_freq = RDB_ARENA_NEWN(a, float, num_mcv);
        for (int i = 0; i < num_mcv; i++) {
            col->mcv[i] = sql_value_copy(a, col->type, vals[tr[i].first]);
            col->mcv_freq[i] = (float)((double)tr[i].count / samplerows);
        }
    }
    int num_hist = ndistinct - num_mcv;
    if (num_hist > SQL_STATS_TARGET)
        num_hist = SQL_STATS_TARGET + 1;
    if (num_hist < 2)
        return;
    /* the values that are not MCVs, in order */
    bool *drop = rdb_calloc((size_t)nv, 1);
    for (int i = 0; i < num_mcv; i++)
        for (int k = tr[i].first; k < tr[i].first + tr[i].count; k++)
            drop[k] = true;
    int n = 0;
    for (int i = 0; i < nv; i++)
        if (!drop[i])
            vals[n++] = vals[i];
    free(drop);
    col->nhist = num_hist;
    col->hist = RDB_ARENA_NEWN(a, sql_value_t, num_hist);
    int delta = (n - 1) / (num_hist - 1), deltafrac = (n - 1) % (num_hist - 1), pos = 0, posfrac = 0;
    for (int i = 0; i < num_hist; i++) {
        col->hist[i] = sql_value_copy(a, col->type, vals[pos]);
        pos += delta;
        posfrac += deltafrac;
        if (posfrac >= num_hist - 1) {
            pos++;
            posfrac -= num_hist - 1;
        }
    }
}

static int ord_cmp(const void *x, const void *y, void *arg)
{
    const uint64_t *ord = arg;
    uint64_t a = ord[*(const int *)x], b = ord[*(const int *)y];
    return (a > b) - (a < b);
}

rdb_status_t sql_sample_stats(sql_sample_t *s, rdb_arena_t *a, sql_table_t *c, uint64_t totalrows, rdb_err_t *err)
{
    const sql_table_t *t = s->t;
    rdb_arena_t va;
    rdb_arena_init(&va, 0);
    sql_value_t *vals = rdb_malloc(sizeof(sql_value_t) * (size_t)(s->n + 1));
    msgpack_unpacked up;
    msgpack_unpacked_init(&up);
    rdb_status_t rc = RDB_OK;
    /* the sample in scan order (the reservoir replaced slots at random) */
    int *byord = rdb_malloc(sizeof(int) * (size_t)(s->n + 1));
    for (int i = 0; i < s->n; i++)
        byord[i] = i;
    qsort_r(byord, (size_t)s->n, sizeof *byord, ord_cmp, s->ord);
    for (int k = 0; k < t->ncols && k < c->ncols && rc == RDB_OK; k++) {
        int nv = 0;
        for (int j = 0; j < s->n; j++) {
            int i = byord[j];
            size_t off = 0;
            if (msgpack_unpack_next(&up, s->rows[i], s->lens[i], &off) != MSGPACK_UNPACK_SUCCESS ||
                up.data.type != MSGPACK_OBJECT_ARRAY || up.data.via.array.size != (uint32_t)t->ncols) {
                rc = rdb_err_set(err, RDB_CORRUPTION, "XX000", "ANALYZE: a sampled row of \"%s\" is damaged",
                                 t->name);
                break;
            }
            sql_value_t v;
            if (sql_value_unpack(&va, t->cols[k].type, &up.data.via.array.ptr[k], &v, err) != RDB_OK) {
                rc = RDB_CORRUPTION;
                break;
            }
            if (!v.isnull)
                vals[nv++] = sql_value_copy(&va, t->cols[k].type, v);
        }
        if (rc == RDB_OK)
            column_stats(a, &c->cols[k], vals, nv, s->n, totalrows > (uint64_t)s->n ? totalrows : (uint64_t)s->n);
        rdb_arena_reset(&va);
    }
    msgpack_unpacked_destroy(&up);
    free(byord);
    free(vals);
    rdb_arena_destroy(&va);
    return rc;
}
