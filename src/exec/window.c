/*
 * window.c — the P_WINDOW operator (see window.h).
 *
 * On the first next() the whole input is read into a sort (extsort.h,
 * which spills to disk beyond work_mem), each row widened to
 *   [child columns][one slot per call][partition keys][order keys]
 * [input position], sorted by (partition keys, order keys, position).
 * Partitions are then read back one at a time into a tuplestore
 * (tstore.h: in memory up to work_mem, on disk beyond, read by
 * position), as PostgreSQL's WindowAgg buffers its partition, and rows
 * are returned one by one, each call's result computed for that row:
 * ranking functions follow the peer groups (rows equal on the order
 * keys), lag/lead/first/last/nth_value read the rows they name by
 * position, aggregates run over the row's frame, continuing the previous
 * row's state while the frame only grows at its end (the default frame
 * and UNBOUNDED PRECEDING frames), restarted otherwise.  Frame bounds
 * only move forward from row to row, so RANGE and GROUPS offset bounds
 * are cursors that walk the partition once (PostgreSQL's frame head and
 * tail read pointers), and nothing held grows with the partition but the
 * store's block offsets (8 bytes per 64 rows on disk).  An EXCLUDE clause
 * leaves rows out of the frame: its aggregates are computed afresh per
 * row and first/last/nth_value step over the excluded rows.
 *
 * Memory: the store (work_mem), the aggregates' states (one arena per
 * call, reset when a state restarts) and the output row's values (reset
 * per row) are counted against the query's limit (53200 beyond it).
 */
#include "exec/exec.h"
#include "exec/aggsort.h"
#include "exec/explain.h"
#include "exec/extsort.h"
#include "exec/tstore.h"
#include "exec/window.h"

#include <stdlib.h>
#include <string.h>

#include "common/mem.h"

/* A GROUPS frame bound's cursor: pos is the first row of peer group grp. */
typedef struct win_gcur {
    int64_t pos, grp;
} win_gcur_t;

/* Per call, over the current partition */
typedef struct win_state {
    rdb_arena_t  a;         /* the aggregate's state and what it keeps */
    void        *agg;       /* NULL: none yet */
    int64_t      fs, fe;    /* the rows it holds: [fs, fe) */
    int64_t      rs, re;    /* RANGE offset bounds' cursors */
    win_gcur_t   hs, he;    /* GROUPS offset bounds' cursors */
} win_state_t;

struct ex_window {
    ex_run_t        *r;
    const plan_t    *p;
    const plan_window_t *w;
    ex_node_t       *child;
    int              cw;        /* child columns */
    int              kbase;     /* first key column */
    bool             started, eof, range;
    int64_t         *soff, *eoff;   /* per call: ROWS / GROUPS offsets */
    ex_sort_t       *xs;            /* the widened input, sorted */
    int              width;
    const sql_type_t *types;        /* of the widened rows */
    ex_tstore_t     *ts;            /* the partition's rows */
    int64_t          n, i;          /* rows in it; the next to return */
    int64_t          gs, ge, g;     /* row i's peers [gs, ge), group g (0-based) */
    int64_t          nlo, nhi;      /* rows with a non-NULL order key (range) */
    win_state_t     *st;            /* per call */
    rdb_arena_t      la;            /* the lookahead row, the partition's first */
    const sql_value_t *look;        /* first row of the next partition */
    rdb_arena_t      oa, xa;        /* the output row's values; one aggregate input's */
    sql_value_t     *out;           /* the output row (p->ncols) */
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
    x->st = RDB_ARENA_NEWN(r->a, win_state_t, x->w->nfns + 1);
    x->out = RDB_ARENA_NEWN(r->a, sql_value_t, p->ncols + 1);
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
    x->ts = ex_tstore_new(r, types, width, 0);
    for (int f = 0; f < w->nfns; f++)
        rdb_arena_init(&x->st[f].a, 0);
    rdb_arena_init(&x->la, 0);
    rdb_arena_init(&x->oa, 0);
    rdb_arena_init(&x->xa, 0);
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

/* The row at position i of the partition (NULL on error, r->err set). */
static inline const sql_value_t *prow(ex_window_t *x, int64_t i)
{
    return ex_tstore_get(x->ts, i);
}

/* Memory held beyond the run's arena: the partition's rows in memory and
 * the aggregates' states. */
static size_t held(const ex_window_t *x)
{
    size_t n = ex_tstore_mem(x->ts);
    for (int f = 0; f < x->w->nfns; f++)
        n += rdb_arena_memory_usage(&x->st[f].a);
    return n;
}

/* The next partition of the sorted input into the partition store, and
 * the per-call state reset. */
static rdb_status_t next_partition(ex_window_t *x)
{
    ex_run_t *r = x->r;
    ex_tstore_clear(x->ts);
    x->n = x->i = 0;
    x->gs = x->ge = 0;
    x->g = -1;
    if (x->look) {
        if (ex_tstore_put(x->ts, x->look) != RDB_OK)
            return RDB_SQL;
        x->look = NULL;
    }
    const sql_value_t *first = NULL;
    for (;;) {
        const sql_value_t *row = ex_sort_next(x->xs);
        if (!row) {
            x->eof = true;
            break;
        }
        if (!first && ex_tstore_rows(x->ts))
            first = ex_copy_row(&x->la, x->types, x->width, prow(x, 0));
        if (first && part_cmp(x, first, row) != 0) {
            rdb_arena_reset(&x->la);   /* first goes, the lookahead stays */
            x->look = ex_copy_row(&x->la, x->types, x->width, row);
            break;
        }
        if (ex_tstore_put(x->ts, row) != RDB_OK)
            return RDB_SQL;
        if (!first)
            first = ex_copy_row(&x->la, x->types, x->width, row);
        if ((ex_tstore_rows(x->ts) & 255) == 0 && ex_check_mem(r, held(x)) != RDB_OK)
            return RDB_SQL;
    }
    if (rdb_err_is_set(r->err))
        return RDB_SQL;
    x->n = ex_tstore_rows(x->ts);
    if (x->n == 0)
        return RDB_OK;
    if (r->instr) {     /* EXPLAIN ANALYZE: the partition store's Storage line */
        ex_instr_t *in = ex_instr_get(r->instr, x->p);
        int64_t kb;
        bool disk = ex_tstore_spilled(x->ts, &kb);
        if (!disk)
            kb = (int64_t)(ex_tstore_mem(x->ts) + 1023) / 1024;
        if (disk && !in->store_disk)
            in->store_kb = 0;
        in->store_disk |= disk;
        if ((disk || !in->store_disk) && kb > in->store_kb)
            in->store_kb = kb;
    }
    for (int f = 0; f < x->w->nfns; f++) {
        win_state_t *st = &x->st[f];
        rdb_arena_reset(&st->a);
        st->agg = NULL;
        st->rs = st->re = 0;
        st->hs = st->he = (win_gcur_t){ 0, 0 };
    }
    if (x->range) {     /* the rows with a non-NULL first order key: [nlo, nhi) */
        int col = x->kbase + x->w->npart;
        const sql_value_t *v;
        x->nlo = 0;
        x->nhi = x->n;
        while (x->nlo < x->n && (v = prow(x, x->nlo)) && v[col].isnull)
            x->nlo++;
        while (x->nhi > x->nlo && (v = prow(x, x->nhi - 1)) && v[col].isnull)
            x->nhi--;
    }
    return rdb_err_is_set(r->err) ? RDB_SQL : RDB_OK;
}

/* Are rows a and b (positions) peers (equal on the order keys)? */
static rdb_status_t peers(ex_window_t *x, int64_t a, int64_t b, bool *eq)
{
    const sql_value_t *ra = prow(x, a), *rb = prow(x, b);
    if (!ra || !rb)
        return RDB_SQL;
    *eq = order_cmp(x, ra, rb) == 0;
    return RDB_OK;
}

/* RANGE offset bound, as a cursor moving forward: the first row of
 * [nlo, nhi) whose order key is past bound (after: strictly past; else
 * at or past), nhi if none.  The bounds of successive rows never move
 * back (the order key plus or minus one offset follows the order). */
static rdb_status_t range_seek(ex_window_t *x, int64_t *cur, const sql_value_t *bound, bool after)
{
    const plan_sortkey_t *k = &x->w->okeys[0];
    int col = x->kbase + x->w->npart;
    if (*cur < x->nlo)
        *cur = x->nlo;
    for (; *cur < x->nhi; (*cur)++) {
        const sql_value_t *row = prow(x, *cur);
        if (!row)
            return RDB_SQL;
        int c = sql_value_cmp(k->type, &row[col], bound);
        if (k->desc)
            c = -c;
        if (after ? c > 0 : c >= 0)
            break;
    }
    return RDB_OK;
}

/* GROUPS offset bound, as a cursor moving forward over peer groups: the
 * first row of group target (0-based), or the partition's end if there
 * is no such group. */
static rdb_status_t group_seek(ex_window_t *x, win_gcur_t *c, int64_t target, int64_t *out)
{
    if (target <= 0) {
        *out = 0;
        return RDB_OK;
    }
    while (c->grp < target && c->pos < x->n) {
        int64_t q = c->pos + 1;
        bool eq = true;
        while (q < x->n && eq) {
            if (peers(x, c->pos, q, &eq) != RDB_OK)
                return RDB_SQL;
            if (eq)
                q++;
        }
        c->pos = q;
        c->grp++;
    }
    *out = c->grp >= target ? c->pos : x->n;
    return RDB_OK;
}

/* The frame [*fs, *fe) of the current row i (its peers: [gs, ge), group g). */
static rdb_status_t frame_of(ex_window_t *x, int f, int64_t i, int64_t *fs, int64_t *fe)
{
    const plan_winfn_t *fn = &x->w->fns[f];
    win_state_t *st = &x->st[f];
    int o = fn->frameopts;
    bool rows = o & WIN_F_ROWS;
    int64_t s = 0, e = x->n, gs = x->gs, ge = x->ge;
    if (o & WIN_F_GROUPS) {
        int64_t g = x->g;
        rdb_status_t rc = RDB_OK;
        if (o & WIN_F_START_CUR)
            s = gs;
        else if (o & WIN_F_START_OFF_PREC)
            rc = group_seek(x, &st->hs, g - x->soff[f], &s);
        else if (o & WIN_F_START_OFF_FOLL)
            rc = group_seek(x, &st->hs, g + x->soff[f], &s);
        if (o & WIN_F_END_CUR)
            e = ge;
        else if (o & WIN_F_END_OFF_PREC)
            rc = rc != RDB_OK ? rc : g - x->eoff[f] < 0 ? (e = 0, RDB_OK)
                                                        : group_seek(x, &st->he, g - x->eoff[f] + 1, &e);
        else if (o & WIN_F_END_OFF_FOLL)
            rc = rc != RDB_OK ? rc : group_seek(x, &st->he, g + x->eoff[f] + 1, &e);
        if (rc != RDB_OK)
            return rc;
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
        const sql_value_t *row = prow(x, i);
        if (!row)
            return RDB_SQL;
        sql_value_t v;
        if (row[x->kbase + x->w->npart].isnull) {
            v = sql_null();     /* a NULL key's offset frame is its peers */
        } else if (ex_eval(x->r, bounds[b], row, &x->oa, &v) != RDB_OK) {
            return RDB_SQL;
        }
        if (v.isnull) {
            if (b == 0)
                s = gs;
            else
                e = ge;
        } else if (range_seek(x, b == 0 ? &st->rs : &st->re, &v, b == 1) != RDB_OK) {
            return RDB_SQL;
        } else if (b == 0) {
            s = st->rs;
        } else {
            e = st->re;
        }
    }
    if (s < 0) s = 0;
    if (s > x->n) s = x->n;
    if (e < 0) e = 0;
    if (e > x->n) e = x->n;
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

/* Add row q to call f's aggregate state. */
static rdb_status_t agg_add(ex_window_t *x, int f, int64_t q)
{
    ex_run_t *r = x->r;
    const plan_agg_t *ag = &x->w->fns[f].agg;
    win_state_t *st = &x->st[f];
    const sql_value_t *row = prow(x, q);
    if (!row)
        return RDB_SQL;
    rdb_arena_reset(&x->xa);
    if (ag->filter) {
        bool pass;
        if (ex_qual(r, ag->filter, row, &x->xa, &pass) != RDB_OK)
            return RDB_SQL;
        if (!pass)
            return RDB_OK;
    }
    sql_value_t args[2];
    for (int k = 0; k < ag->nargs; k++) {
        if (ex_eval(r, ag->args[k], row, &x->xa, &args[k]) != RDB_OK)
            return RDB_SQL;
        if (args[k].isnull && ag->agg.strict)
            return RDB_OK;
        if (!args[k].isnull)    /* the state may keep it */
            args[k] = sql_value_copy(&st->a, ag->agg.argtypes[k], args[k]);
    }
    sql_fn_ctx_t ctx = r->fn;
    ctx.arena = &st->a;
    return ag->agg.trans(&ctx, st->agg, args, r->err);
}

static rdb_status_t eval_int_at(ex_window_t *x, const ex_expr_t *e, int64_t i, int64_t *out, bool *isnull)
{
    const sql_value_t *row = prow(x, i);
    sql_value_t v;
    if (!row || ex_eval(x->r, e, row, &x->oa, &v) != RDB_OK)
        return RDB_SQL;
    *isnull = v.isnull;
    *out = v.isnull ? 0 : v.u.i;
    return RDB_OK;
}

/* Evaluate e over row j into *res (in the output row's arena). */
static rdb_status_t eval_at(ex_window_t *x, const ex_expr_t *e, int64_t j, sql_value_t *res)
{
    const sql_value_t *row = prow(x, j);
    if (!row || ex_eval(x->r, e, row, &x->oa, res) != RDB_OK)
        return RDB_SQL;
    if (!res->isnull)   /* it may point into a block read later calls replace */
        *res = sql_value_copy(&x->oa, e->type, *res);
    return RDB_OK;
}

/* Call f's result for the current row i (peers [gs, ge), group g). */
static rdb_status_t run_fn(ex_window_t *x, int f, int64_t i, sql_value_t *res)
{
    ex_run_t *r = x->r;
    const plan_winfn_t *fn = &x->w->fns[f];
    win_state_t *st = &x->st[f];
    int64_t n = x->n, gs = x->gs, ge = x->ge;
    int excl = fn->frameopts & WIN_F_EXCL_ANY;
    int64_t fs, fe, k;
    bool isnull;
    switch (fn->fn) {
    case WF_ROW_NUMBER: *res = sql_int(i + 1); break;
    case WF_RANK: *res = sql_int(gs + 1); break;
    case WF_DENSE_RANK: *res = sql_int(x->g + 1); break;
    case WF_PERCENT_RANK: *res = sql_float(n > 1 ? (double)gs / (double)(n - 1) : 0.0); break;
    case WF_CUME_DIST: *res = sql_float((double)ge / (double)n); break;
    case WF_NTILE: {
        if (eval_int_at(x, fn->args[0], i, &k, &isnull) != RDB_OK)
            return RDB_SQL;
        if (isnull) {
            *res = sql_null();
            break;
        }
        if (k <= 0)
            return rdb_err_set(r->err, RDB_SQL, "22014", "argument of ntile must be greater than zero");
        int64_t q = n / k, rem = n % k;
        int64_t bucket = i < rem * (q + 1) ? i / (q + 1) : rem + (i - rem * (q + 1)) / q;
        *res = sql_int(bucket + 1);
        break;
    }
    case WF_LAG:
    case WF_LEAD: {
        int64_t off = 1;
        isnull = false;
        if (fn->nargs > 1 && eval_int_at(x, fn->args[1], i, &off, &isnull) != RDB_OK)
            return RDB_SQL;
        if (isnull) {
            *res = sql_null();
            break;
        }
        int64_t j = fn->fn == WF_LAG ? i - off : i + off;
        if (j >= 0 && j < n)
            return eval_at(x, fn->args[0], j, res);
        if (fn->nargs > 2)
            return eval_at(x, fn->args[2], i, res);
        *res = sql_null();
        break;
    }
    case WF_FIRST_VALUE:
    case WF_LAST_VALUE:
    case WF_NTH_VALUE: {
        if (frame_of(x, f, i, &fs, &fe) != RDB_OK)
            return RDB_SQL;
        int64_t j = fn->fn == WF_FIRST_VALUE ? fs : fe - 1;
        int64_t nth = 1;
        if (fn->fn == WF_NTH_VALUE) {
            if (eval_int_at(x, fn->args[1], i, &k, &isnull) != RDB_OK)
                return RDB_SQL;
            if (isnull) {
                *res = sql_null();
                break;
            }
            if (k <= 0)
                return rdb_err_set(r->err, RDB_SQL, "22016", "argument of nth_value must be greater than zero");
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
        return eval_at(x, fn->args[0], j, res);
    }
    case WF_AGG: {
        const sql_resolved_agg_t *ag = &fn->agg.agg;
        if (frame_of(x, f, i, &fs, &fe) != RDB_OK)
            return RDB_SQL;
        if (excl || !st->agg || fs != st->fs || fe < st->fe) {
            /* a new state: the frame lost rows (or leaves some out) */
            rdb_arena_reset(&st->a);
            st->agg = ag->init(&st->a, ag);
            st->fs = st->fe = fs;
        }
        for (; st->fe < fe; st->fe++) {
            if ((!excl || !excluded(excl, st->fe, i, gs, ge)) && agg_add(x, f, st->fe) != RDB_OK)
                return RDB_SQL;
            if ((st->fe & 4095) == 4095 && ex_check_mem(r, held(x)) != RDB_OK)
                return RDB_SQL;
        }
        void *state = st->agg;
        sql_fn_ctx_t ctx = r->fn;
        ctx.arena = &x->oa;
        if (ag->final(&ctx, state, res, r->err) != RDB_OK)
            return RDB_SQL;
        if (!res->isnull)
            *res = sql_value_copy(&x->oa, fn->type, *res);
        break;
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
        if (fn->start_bound || fn->end_bound)
            x->range = true;
    }
    return RDB_OK;
}

const sql_value_t *ex_window_next(ex_window_t *x)
{
    ex_run_t *r = x->r;
    if (!x->started) {
        x->started = true;
        if (offsets(x) != RDB_OK || load(x) != RDB_OK)
            return NULL;
    }
    while (x->i >= x->n) {
        if (x->eof || next_partition(x) != RDB_OK)
            return NULL;
    }
    int64_t i = x->i++;
    rdb_arena_reset(&x->oa);
    if (i >= x->ge) {       /* the next peer group */
        bool eq = true;
        x->gs = i;
        x->ge = i + 1;
        while (x->ge < x->n && eq) {
            if (peers(x, x->gs, x->ge, &eq) != RDB_OK)
                return NULL;
            if (eq)
                x->ge++;
        }
        x->g++;
    }
    if ((i & 255) == 0 && ex_check_mem(r, held(x)) != RDB_OK)
        return NULL;
    for (int f = 0; f < x->w->nfns; f++)
        if (run_fn(x, f, i, &x->out[x->cw + f]) != RDB_OK)
            return NULL;
    const sql_value_t *row = prow(x, i);
    if (!row)
        return NULL;
    memcpy(x->out, row, sizeof *row * (size_t)x->cw);
    return x->out;
}

void ex_window_close(ex_window_t *x)
{
    if (!x->started)
        return;
    ex_sort_free(x->xs);
    ex_tstore_free(x->ts);
    for (int f = 0; f < x->w->nfns; f++)
        rdb_arena_destroy(&x->st[f].a);
    rdb_arena_destroy(&x->la);
    rdb_arena_destroy(&x->oa);
    rdb_arena_destroy(&x->xa);
}
