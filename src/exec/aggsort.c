/*
 * aggsort.c — sorted inputs of a DISTINCT / ORDER BY aggregate (aggsort.h).
 */
#include "exec/aggsort.h"

#include <stdlib.h>
#include <string.h>

#include "common/mem.h"
#include "exec/extsort.h"
#include "exec/hashjoin.h"

struct ex_aggsort {
    ex_run_t         *r;
    const plan_agg_t *ag;
    sql_type_t       *types;   /* args, then order values */
    int               w;
    ex_sort_t        *xs;      /* NULL once fed */
};

int ex_sortval_cmp(sql_type_t t, const sql_value_t *a, const sql_value_t *b, bool desc, bool nulls_first)
{
    if (a->isnull || b->isnull) {
        if (a->isnull && b->isnull)
            return 0;
        return (a->isnull == nulls_first) ? -1 : 1;
    }
    int c = sql_value_cmp(t, a, b);
    return desc ? -c : c;
}

/* ORDER BY keys, then (DISTINCT) every argument: equal arguments end up
 * next to each other. */
static int row_cmp(const void *x, const void *y, void *arg)
{
    const ex_aggsort_t *s = arg;
    const plan_agg_t *ag = s->ag;
    const sql_value_t *a = *(const sql_value_t *const *)x, *b = *(const sql_value_t *const *)y;
    for (int i = 0; i < ag->norder; i++) {
        const plan_sortkey_t *k = &ag->okeys[i];
        int c = ex_sortval_cmp(k->type, &a[k->col], &b[k->col], k->desc, k->nulls_first);
        if (c)
            return c;
    }
    for (int i = 0; ag->distinct && i < ag->nargs; i++) {
        int c = ex_sortval_cmp(s->types[i], &a[i], &b[i], false, false);
        if (c)
            return c;
    }
    return 0;
}

ex_aggsort_t *ex_aggsort_new(ex_run_t *r, const plan_agg_t *ag)
{
    ex_aggsort_t *s = rdb_calloc(1, sizeof *s);
    s->r = r;
    s->ag = ag;
    s->w = ag->nargs + ag->norder;
    s->types = rdb_calloc((size_t)s->w + 1, sizeof *s->types);
    for (int i = 0; i < ag->nargs; i++)
        s->types[i] = ag->agg.argtypes[i];
    for (int i = 0; i < ag->norder; i++)
        s->types[ag->nargs + i] = ag->okeys[i].type;
    s->xs = ex_sort_new(r, s->types, s->w, row_cmp, s);
    ex_sort_set_mem(s->xs, ex_aggsort_budget(r));
    return s;
}

rdb_status_t ex_aggsort_add(ex_aggsort_t *s, const sql_value_t *row)
{
    return ex_sort_add(s->xs, row);
}

rdb_status_t ex_aggsort_feed(ex_aggsort_t *s, sql_fn_ctx_t *ctx, void *st)
{
    const plan_agg_t *ag = s->ag;
    rdb_status_t rc = ex_sort_done(s->xs);
    rdb_arena_t prev;
    rdb_arena_init(&prev, 0);
    sql_value_t *last = NULL;
    const sql_value_t *row;
    while (rc == RDB_OK && (row = ex_sort_next(s->xs))) {
        if (ag->distinct) {
            if (last && ex_key_eq(s->types, ag->nargs, last, row))
                continue;
            rdb_arena_reset(&prev);
            last = ex_copy_row(&prev, s->types, ag->nargs, row);
        }
        /* the state may keep its argument's bytes: give it its own copy */
        sql_value_t *args = ag->agg.copies_args ? (sql_value_t *)row
                                                : ex_copy_row(ctx->arena, s->types, ag->nargs, row);
        rc = ag->agg.trans(ctx, st, args, s->r->err);
        /* the state grows in ctx->arena (the groups'): it counts against
         * the query's limit as the groups do (exec.c agg_held) */
        if (rc == RDB_OK && (++s->r->tick & 255) == 0)
            rc = ex_check_mem(s->r, rdb_arena_memory_usage(ctx->arena));
    }
    if (rc == RDB_OK && rdb_err_is_set(s->r->err))
        rc = RDB_SQL;
    rdb_arena_destroy(&prev);
    ex_sort_free(s->xs);
    s->xs = NULL;
    return rc;
}

size_t ex_aggsort_budget(const ex_run_t *r)
{
    size_t wm = ex_work_mem(r);
    return wm / 4 < 64 * 1024 ? 64 * 1024 : wm / 4;
}

int64_t ex_aggsort_threshold(const ex_run_t *r, int w)
{
    size_t wm = ex_work_mem(r);
    int64_t n = (int64_t)(wm / 4 / (sizeof(sql_value_t) * (size_t)(w + 1) + 48));
    return n < 64 ? 64 : n;
}

void ex_aggsort_free(ex_aggsort_t *s)
{
    if (!s)
        return;
    ex_sort_free(s->xs);
    free(s->types);
    free(s);
}
