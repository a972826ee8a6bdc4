/*
 * window.c — the P_WINDOW operator (see window.h).
 *
 * On the first next() the whole input is read into a sort (extsort.h,
 * which spills to disk beyond work_mem), each row widened to
 *   [child columns][one result per call][partition keys][order keys]
 * [input position], sorted by (partition keys, order keys, position).
 * Partitions are then read back one at a time into memory (counted
 * against the query's memory limit: 53200 beyond it) and each is walked
 * once: ranking functions follow the peer groups (rows equal on the order
 * keys), lag/lead/first/last/nth_value read the buffered rows, aggregates
 * run over each row's frame, continuing the previous row's state while the
 * frame only grows at its end (the default frame and UNBOUNDED PRECEDING
 * frames), recomputed otherwise.  Its rows are then streamed in sorted
 * order before the next partition is read.  GROUPS frames count peer
 * groups (peer_groups numbers them per partition); an EXCLUDE clause
 * leaves rows out of the frame, so its aggregates are computed afresh per
 * row and first/last/nth_value step over the excluded rows.
 */
#include "exec/exec.h"
#include "exec/aggsort.h"
#include "exec/extsort.h"
#include "exec/window.h"

#include <stdlib.h>
#include <string.h>

#include "common/mem.h"

struct ex_window {
    ex_run_t        *r;
    const plan_t    *p;
    const plan_window_t *w;
    ex_node_t       *child;
    int              cw;        /* child columns */
    int              kbase;     /* first key column */
    sql_value_t    **rows;
    int64_t          nrows, cap, pos;
    bool             started, eof;
    int64_t         *soff, *eoff;   /* per call: ROWS offsets */
    ex_sort_t       *xs;            /* the widened input, sorted */
    int              width;
    const sql_type_t *types;        /* of the widened rows */
    rdb_arena_t      pa, la;        /* the partition's rows; the lookahead row */
    const sql_value_t *look;        /* first row of the next partition */
    /* GROUPS frames: the partition's peer groups (gstart[ngr] = end) and
     * each row's group (rebuilt per partition, when a call needs them) */
    int64_t         *gstart, *gidx;
    int64_t          ngr, capg;
};

static int key_cmp(sql_type_t t, const sql_value_t *a, const sql_value_t *b, bool desc, bool nulls_first)
{
    return ex_sortval_cmp(t, a, b, desc, nulls_first);
}

static int part_cmp(const ex_window_t *x, const sql_value_t *a, const sql_value_t *b)
{
    const plan_window_t *w = x->w;
    for (int i = 0; i < w->npart; i++) {
        int c = key_cmp(w->part[i]->type, &a[x->kbase + i], &b[x->kbase + i], false, false);
        if (c)
            return c;
    }
    return 0;
}

static int order_cmp(const ex_window_t *x, const sql_value_t *a, const sql_value_t *b)
{
    const plan_window_t *w = x->w;
    int base = x->kbase + w->npart;
    for (int i = 0; i < w->norder; i++) {
        int c = key_cmp(w->order[i]->type, &a[base + i], &b[base + i], w->okeys[i].desc,
                        w->okeys[i].nulls_first);
        if (c)
            return c;
    }
    return 0;
}

static int row_cmp(const void *x, const void *y, void *arg)
{
    const sql_value_t *a = *(sql_value_t *const *)x, *b = *(sql_value_t *const *)y;
    const ex_window_t *w = arg;
    int c = part_cmp(w, a, b);
    if (!c)
        c = order_cmp(w, a, b);
    if (!c) {   /* stable: peers keep their input order, as PostgreSQL's usually do */
        int seq = w->kbase + w->w->npart + w->w->norder;
        c = (a[seq].u.i > b[seq].u.i) - (a[seq].u.i < b[seq].u.i);
    }
    return c;
}

static rdb_status_t eval_offset(ex_window_t *x, const ex_expr_t *e, const char *which, int64_t *out)
{
    sql_value_t v;
    if (ex_eval(x->r, e, NULL, x->r->a, &v) != RDB_OK)
        return RDB_SQL;
    if (v.isnull)
        return rdb_err_set(x->r->err, RDB_SQL, "22004", "frame %s offset must not be null", which);
    if (v.u.i < 0)
        return rdb_err_set(x->r->err, RDB_SQL, "22013", "frame %s offset must not be negative", which);
    *out = v.u.i;
    return RDB_OK;
}

ex_window_t *ex_window_open(ex_run_t *r, const plan_t *p, ex_node_t *child)
{
    ex_window_t *x = RDB_ARENA_NEW(r->a, ex_window_t);
    x->r = r;
    x->p = p;
    x->w = p->win;
    x->child = child;
    x->cw = p->ncols - p->win->nfns;
    x->kbase = p->ncols;
    x->soff = RDB_ARENA_NEWN(r->a, int64_t, x->w->nfns + 1);
    x->eoff = RDB_ARENA_NEWN(r->a, int64_t, x->w->nfns + 1);
    return x;
}

/* Read the whole input into the sort (extsort.h: beyond work_mem it
 * spills), each row widened with its keys and input position. */
static rdb_status_t load(ex_window_t *x)
{
    ex_run_t *r = x->r;
    const plan_window_t *w = x->w;
    const plan_t *cp = x->p->left;
    int width = x->kbase + w->npart + w->norder + 1;   /* + input position */
    sql_type_t *types = RDB_ARENA_NEWN(r->a, sql_type_t, width + 1);
    for (int i = 0; i < x->kbase; i++)
        types[i] = i < x->cw ? cp->types[i] : x->p->types[i];
    for (int i = 0; i < w->npart + w->norder; i++)
        types[x->kbase + i] = (i < w->npart ? w->part[i] : w->order[i - w->npart])->type;
    types[width - 1] = (sql_type_t){ SQL_OID_INT8, -1 };
    x->width = width;
    x->types = types;
    x->xs = ex_sort_new(r, types, width, row_cmp, x);
    rdb_arena_t tmp;
    rdb_arena_init(&tmp, 0);
    sql_value_t *k = RDB_ARENA_NEWN(r->a, sql_value_t, width + 1);
    const sql_value_t *row;
    rdb_status_t rc = RDB_OK;
    int64_t n = 0;
    while ((row = ex_next(x->child))) {
        rdb_arena_reset(&tmp);
        for (int i = 0; i < width; i++)
            k[i] = i < x->cw ? row[i] : sql_null();
        for (int i = 0; i < w->npart + w->norder; i++) {
            const ex_expr_t *e = i < w->npart ? w->part[i] : w->order[i - w->npart];
            if ((rc = ex_eval(r, e, k, &tmp, &k[x->kbase + i])) != RDB_OK)
                goto out;
        }
        k[width - 1] = sql_int(n++);
        if ((rc = ex_sort_add(x->xs, k)) != RDB_OK)
            goto out;
        if ((n & 255) == 0 && (rc = ex_check(r)) != RDB_OK)
            goto out;
    }
    if (rdb_err_is_set(r->err) || (rc = ex_check(r)) != RDB_OK || (rc = ex_sort_done(x->xs)) != RDB_OK) {
        rc = RDB_SQL;
        goto out;
    }
out:
    rdb_arena_destroy(&tmp);
    return rc;
}

/* The next partition of the sorted input into rows[0, nrows) (in the
 * partition arena, counted against the query's memory limit). */
static rdb_status_t next_partition(ex_window_t *x)
{
    ex_run_t *r = x->r;
    rdb_arena_reset(&x->pa);
    x->nrows = x->pos = 0;
    if (x->look) {
        x->rows[x->nrows++] = ex_copy_row(&x->pa, x->types, x->width, x->look);
        x->look = NULL;
        rdb_arena_reset(&x->la);
    }
    for (;;) {
        const sql_value_t *row = ex_sort_next(x->xs);
        if (!row) {
            x->eof = true;
            break;
        }
        if (x->nrows && part_cmp(x, x->rows[0], row) != 0) {
            x->look = ex_copy_row(&x->la, x->types, x->width, row);
            break;
        }
        if (x->nrows == x->cap) {
            x->cap = x->cap ? x->cap * 2 : 256;
            x->rows = rdb_realloc(x->rows, sizeof *x->rows * (size_t)x->cap);
        }
        x->rows[x->nrows++] = ex_copy_row(&x->pa, x->types, x->width, row);
        if ((x->nrows & 255) == 0) {
            if (ex_check_mem(r, rdb_arena_memory_usage(&x->pa)) != RDB_OK)
                return RDB_SQL;
        }
    }
    return rdb_err_is_set(r->err) ? RDB_SQL : RDB_OK;
}

/* RANGE offset bound: the first row of [ps, pe) whose order key is past
 * bound (after = true: strictly past; false: at or past), NULL keys (which
 * sort together at one end) never in. */
static int64_t range_seek(const ex_window_t *x, int64_t ps, int64_t pe, const sql_value_t *bound, bool after)
{
    const plan_sortkey_t *k = &x->w->okeys[0];
    int col = x->kbase + x->w->npart;
    int64_t lo = ps, hi = pe;
    while (lo < pe && x->rows[lo][col].isnull)
        lo++;
    while (hi > lo && x->rows[hi - 1][col].isnull)
        hi--;
    while (lo < hi) {       /* first j with key beyond (or at) the bound */
        int64_t mid = lo + (hi - lo) / 2;
        int c = sql_value_cmp(k->type, &x->rows[mid][col], bound);
        if (k->desc)
            c = -c;
        if (after ? c > 0 : c >= 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

/* The peer groups of the partition [ps, pe) (GROUPS frames). */
static void peer_groups(ex_window_t *x, int64_t ps, int64_t pe)
{
    if (x->capg < pe - ps + 2) {
        x->capg = pe - ps + 2;
        x->gstart = rdb_realloc(x->gstart, sizeof *x->gstart * (size_t)x->capg);
        x->gidx = rdb_realloc(x->gidx, sizeof *x->gidx * (size_t)x->capg);
    }
    x->ngr = 0;
    for (int64_t i = ps; i < pe; i++) {
        if (i == ps || order_cmp(x, x->rows[i - 1], x->rows[i]) != 0)
            x->gstart[x->ngr++] = i;
        x->gidx[i - ps] = x->ngr - 1;
    }
    x->gstart[x->ngr] = pe;
}

/* GROUPS offset bound: the first row of group g (start) or the end of
 * group g (end), clamped to the partition. */
static int64_t group_bound(const ex_window_t *x, int64_t g, bool end, int64_t ps, int64_t pe)
{
    if (end)
        g++;
    if (g <= 0)
        return ps;
    if (g >= x->ngr)
        return pe;
    return x->gstart[g];
}

/* The frame [*fs, *fe) of row i in partition [ps, pe) whose peers are [gs, ge). */
static rdb_status_t frame_of(ex_window_t *x, int f, int64_t i, int64_t ps, int64_t pe, int64_t gs,
                             int64_t ge, int64_t *fs, int64_t *fe)
{
    const plan_winfn_t *fn = &x->w->fns[f];
    int o = fn->frameopts;
    bool rows = o & WIN_F_ROWS;
    int64_t s = ps, e = pe;
    if (o & WIN_F_GROUPS) {
        int64_t g = x->gidx[i - ps];
        if (o & WIN_F_START_CUR)
            s = gs;
        else if (o & WIN_F_START_OFF_PREC)
            s = group_bound(x, g - x->soff[f], false, ps, pe);
        else if (o & WIN_F_START_OFF_FOLL)
            s = group_bound(x, g + x->soff[f], false, ps, pe);
        if (o & WIN_F_END_CUR)
            e = ge;
        else if (o & WIN_F_END_OFF_PREC)
            e = g - x->eoff[f] < 0 ? ps : group_bound(x, g - x->eoff[f], true, ps, pe);
        else if (o & WIN_F_END_OFF_FOLL)
            e = group_bound(x, g + x->eoff[f], true, ps, pe);
        *fs = s;
        *fe = e < s ? s : e;
        return RDB_OK;
    }
    if (o & WIN_F_START_CUR)
        s = rows ? i : gs;
    else if (fn->start_bound || fn->end_bound) {
        /* RANGE offsets below */
    } else if (o & WIN_F_START_OFF_PREC)
        s = i - x->soff[f];
    else if (o & WIN_F_START_OFF_FOLL)
        s = i + x->soff[f];
    if (o & WIN_F_END_CUR)
        e = rows ? i + 1 : ge;
    else if (fn->start_bound || fn->end_bound) {
        /* RANGE offsets below */
    } else if (o & WIN_F_END_OFF_PREC)
        e = i - x->eoff[f] + 1;
    else if (o & WIN_F_END_OFF_FOLL)
        e = i + x->eoff[f] + 1;
    const ex_expr_t *bounds[2] = { fn->start_bound, fn->end_bound };
    for (int b = 0; b < 2; b++) {
        if (!bounds[b])
            continue;
        sql_value_t v;
        if (x->rows[i][x->kbase + x->w->npart].isnull) {
            v = sql_null();     /* a NULL key's offset frame is its peers */
        } else if (ex_eval(x->r, bounds[b], x->rows[i], x->r->a, &v) != RDB_OK) {
            return RDB_SQL;
        }
        if (b == 0)
            s = v.isnull ? gs : range_seek(x, ps, pe, &v, false);
        else
            e = v.isnull ? ge : range_seek(x, ps, pe, &v, true);
    }
    if (s < ps) s = ps;
    if (s > pe) s = pe;
    if (e < ps) e = ps;
    if (e > pe) e = pe;
    *fs = s;
    *fe = e;
    return RDB_OK;
}

/* Is row j left out of row i's frame by its EXCLUDE clause (peers [gs, ge))? */
static bool excluded(int o, int64_t j, int64_t i, int64_t gs, int64_t ge)
{
    if (o & WIN_F_EXCL_CUR)
        return j == i;
    if (o & WIN_F_EXCL_GROUP)
        return j >= gs && j < ge;
    if (o & WIN_F_EXCL_TIES)
        return j >= gs && j < ge && j != i;
    return false;
}

#define WIN_F_EXCL_ANY (WIN_F_EXCL_CUR | WIN_F_EXCL_GROUP | WIN_F_EXCL_TIES)

static rdb_status_t agg_add(ex_window_t *x, const plan_agg_t *ag, void *st, const sql_value_t *row)
{
    ex_run_t *r = x->r;
    if (ag->filter) {
        bool pass;
        if (ex_qual(r, ag->filter, row, r->a, &pass) != RDB_OK)
            return RDB_SQL;
        if (!pass)
            return RDB_OK;
    }
    sql_value_t args[2];
    for (int k = 0; k < ag->nargs; k++) {
        if (ex_eval(r, ag->args[k], row, r->a, &args[k]) != RDB_OK)
            return RDB_SQL;
        if (args[k].isnull && ag->agg.strict)
            return RDB_OK;
        if (!args[k].isnull)
            args[k] = sql_value_copy(r->a, ag->agg.argtypes[k], args[k]);
    }
    sql_fn_ctx_t ctx = r->fn;
    ctx.arena = r->a;
    return ag->agg.trans(&ctx, st, args, r->err);
}

static rdb_status_t eval_int_at(ex_window_t *x, const ex_expr_t *e, const sql_value_t *row,
                                int64_t *out, bool *isnull)
{
    sql_value_t v;
    if (ex_eval(x->r, e, row, x->r->a, &v) != RDB_OK)
        return RDB_SQL;
    *isnull = v.isnull;
    *out = v.isnull ? 0 : v.u.i;
    return RDB_OK;
}

/* Compute call f for the partition [ps, pe). */
static rdb_status_t run_fn(ex_window_t *x, int f, int64_t ps, int64_t pe)
{
    ex_run_t *r = x->r;
    const plan_winfn_t *fn = &x->w->fns[f];
    int col = x->cw + f;
    int64_t n = pe - ps;
    int64_t gs = ps, ge = ps, ngroups = 0;
    void *st = NULL;
    int64_t sfs = 0, sfe = 0;
    int excl = fn->frameopts & WIN_F_EXCL_ANY;
    if (fn->frameopts & WIN_F_GROUPS)
        peer_groups(x, ps, pe);
    for (int64_t i = ps; i < pe; i++) {
        sql_value_t *row = x->rows[i];
        sql_value_t *res = &row[col];
        if (i >= ge) {      /* next peer group */
            gs = i;
            ge = i + 1;
            while (ge < pe && order_cmp(x, x->rows[gs], x->rows[ge]) == 0)
                ge++;
            ngroups++;
        }
        if ((i & 255) == 0 && ex_check(r) != RDB_OK)
            return RDB_SQL;
        int64_t fs, fe, k;
        bool isnull;
        switch (fn->fn) {
        case WF_ROW_NUMBER: *res = sql_int(i - ps + 1); break;
        case WF_RANK: *res = sql_int(gs - ps + 1); break;
        case WF_DENSE_RANK: *res = sql_int(ngroups); break;
        case WF_PERCENT_RANK: *res = sql_float(n > 1 ? (double)(gs - ps) / (double)(n - 1) : 0.0); break;
        case WF_CUME_DIST: *res = sql_float((double)(ge - ps) / (double)n); break;
        case WF_NTILE: {
            if (eval_int_at(x, fn->args[0], row, &k, &isnull) != RDB_OK)
                return RDB_SQL;
            if (isnull) {
                *res = sql_null();
                break;
            }
            if (k <= 0)
                return rdb_err_set(r->err, RDB_SQL, "22014", "argument of ntile must be greater than zero");
            int64_t q = n / k, rem = n % k, idx = i - ps;
            int64_t bucket = idx < rem * (q + 1) ? idx / (q + 1) : rem + (idx - rem * (q + 1)) / q;
            *res = sql_int(bucket + 1);
            break;
        }
        case WF_LAG:
        case WF_LEAD: {
            int64_t off = 1;
            isnull = false;
            if (fn->nargs > 1 && eval_int_at(x, fn->args[1], row, &off, &isnull) != RDB_OK)
                return RDB_SQL;
            if (isnull) {
                *res = sql_null();
                break;
            }
            int64_t j = fn->fn == WF_LAG ? i - off : i + off;
            if (j >= ps && j < pe) {
                if (ex_eval(r, fn->args[0], x->rows[j], r->a, res) != RDB_OK)
                    return RDB_SQL;
            } else if (fn->nargs > 2) {
                if (ex_eval(r, fn->args[2], row, r->a, res) != RDB_OK)
                    return RDB_SQL;
            } else {
                *res = sql_null();
            }
            break;
        }
        case WF_FIRST_VALUE:
        case WF_LAST_VALUE:
        case WF_NTH_VALUE: {
            if (frame_of(x, f, i, ps, pe, gs, ge, &fs, &fe) != RDB_OK)
                return RDB_SQL;
            int64_t j = fn->fn == WF_FIRST_VALUE ? fs : fe - 1;
            int64_t nth = 1;
            if (fn->fn == WF_NTH_VALUE) {
                if (eval_int_at(x, fn->args[1], row, &k, &isnull) != RDB_OK)
                    return RDB_SQL;
                if (isnull) {
                    *res = sql_null();
                    break;
                }
                if (k <= 0)
                    return rdb_err_set(r->err, RDB_SQL, "22016",
                                       "argument of nth_value must be greater than zero");
                j = fs + k - 1;
                nth = k;
            }
            if (excl) {     /* the nth row of the frame that is not excluded */
                bool last = fn->fn == WF_LAST_VALUE;
                int64_t seen = 0;
                j = -1;
                for (int64_t q = last ? fe - 1 : fs; last ? q >= fs : q < fe; q += last ? -1 : 1)
                    if (!excluded(excl, q, i, gs, ge) && ++seen == (last ? 1 : nth)) {
                        j = q;
                        break;
                    }
            }
            if (fs >= fe || j < fs || j >= fe) {
                *res = sql_null();
                break;
            }
            if (ex_eval(r, fn->args[0], x->rows[j], r->a, res) != RDB_OK)
                return RDB_SQL;
            break;
        }
        case WF_AGG: {
            if (frame_of(x, f, i, ps, pe, gs, ge, &fs, &fe) != RDB_OK)
                return RDB_SQL;
            if (excl) {     /* the frame less its excluded rows: computed afresh */
                st = fn->agg.agg.init(r->a, &fn->agg.agg);
                for (int64_t q = fs; q < fe; q++)
                    if (!excluded(excl, q, i, gs, ge) && agg_add(x, &fn->agg, st, x->rows[q]) != RDB_OK)
                        return RDB_SQL;
                sfs = sfe = -1;
            } else if (!st || fs != sfs || fe < sfe) {
                st = fn->agg.agg.init(r->a, &fn->agg.agg);
                sfs = sfe = fs;
            }
            for (; sfe >= 0 && sfe < fe; sfe++)
                if (agg_add(x, &fn->agg, st, x->rows[sfe]) != RDB_OK)
                    return RDB_SQL;
            sql_fn_ctx_t ctx = r->fn;
            ctx.arena = r->a;
            if (fn->agg.agg.final(&ctx, st, res, r->err) != RDB_OK)
                return RDB_SQL;
            if (!res->isnull)
                *res = sql_value_copy(r->a, fn->type, *res);
            break;
        }
        }
    }
    return RDB_OK;
}

static rdb_status_t offsets(ex_window_t *x)
{
    const plan_window_t *w = x->w;
    for (int f = 0; f < w->nfns; f++) {
        const plan_winfn_t *fn = &w->fns[f];
        if (fn->start_off && eval_offset(x, fn->start_off, "starting", &x->soff[f]) != RDB_OK)
            return RDB_SQL;
        if (fn->end_off && eval_offset(x, fn->end_off, "ending", &x->eoff[f]) != RDB_OK)
            return RDB_SQL;
    }
    return RDB_OK;
}

const sql_value_t *ex_window_next(ex_window_t *x)
{
    if (!x->started) {
        x->started = true;
        rdb_arena_init(&x->pa, 0);
        rdb_arena_init(&x->la, 0);
        if (offsets(x) != RDB_OK || load(x) != RDB_OK)
            return NULL;
    }
    /* one partition at a time: read it, run every call over it, stream it */
    while (x->pos >= x->nrows) {
        if (x->eof)
            return NULL;
        if (next_partition(x) != RDB_OK)
            return NULL;
        for (int f = 0; f < x->w->nfns && x->nrows; f++)
            if (run_fn(x, f, 0, x->nrows) != RDB_OK)
                return NULL;
        if (ex_check(x->r) != RDB_OK)
            return NULL;
    }
    return x->rows[x->pos++];
}

void ex_window_close(ex_window_t *x)
{
    if (!x->started)
        return;
    ex_sort_free(x->xs);
    free(x->rows);
    free(x->gstart);
    free(x->gidx);
    rdb_arena_destroy(&x->pa);
    rdb_arena_destroy(&x->la);
}
