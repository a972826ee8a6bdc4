/*
 * setop.c — sorted INTERSECT / EXCEPT [ALL] (setop.h).
 *
 * State: the two sorts, each side's head row (copied into head arenas:
 * a sort's row lives only until its next call), the group being emitted
 * (its row and how many copies are left).
 */
#include "exec/setop.h"

#include <stdlib.h>
#include <string.h>

#include "common/mem.h"
#include "exec/extsort.h"
#include "sql/ast.h"

struct ex_msetop {
    ex_run_t     *r;
    const plan_t *p;
    ex_sort_t    *ls, *rs;
    bool          started;
    const sql_value_t *lh, *rh;      /* heads (NULL: side exhausted) */
    rdb_arena_t   la, ra, ga;        /* head copies; the group's row */
    sql_value_t  *grow;
    int64_t       left;              /* copies of grow still to emit */
};

/* Whole-row order: every column ascending, NULLs last (equal to each
 * other, as set operations compare rows). */
static int row_cmp(const plan_t *p, const sql_value_t *a, const sql_value_t *b)
{
    for (int i = 0; i < p->ncols; i++) {
        if (a[i].isnull || b[i].isnull) {
            if (a[i].isnull != b[i].isnull)
                return a[i].isnull ? 1 : -1;
            continue;
        }
        int c = sql_value_cmp(p->types[i], &a[i], &b[i]);
        if (c)
            return c;
    }
    return 0;
}

static int sort_cmp(const void *x, const void *y, void *arg)
{
    return row_cmp(arg, *(const sql_value_t *const *)x, *(const sql_value_t *const *)y);
}

ex_msetop_t *ex_msetop_new(ex_run_t *r, const plan_t *p)
{
    ex_msetop_t *m = rdb_calloc(1, sizeof *m);
    m->r = r;
    m->p = p;
    m->ls = ex_sort_new(r, p->types, p->ncols, sort_cmp, (void *)p);
    m->rs = ex_sort_new(r, p->types, p->ncols, sort_cmp, (void *)p);
    rdb_arena_init(&m->la, 0);
    rdb_arena_init(&m->ra, 0);
    rdb_arena_init(&m->ga, 0);
    return m;
}

rdb_status_t ex_msetop_add_right(ex_msetop_t *m, const sql_value_t *row, int64_t count)
{
    for (int64_t i = 0; i < count; i++)
        if (ex_sort_add(m->rs, row) != RDB_OK)
            return RDB_IOERROR;
    return RDB_OK;
}

static rdb_status_t drain(ex_run_t *r, ex_node_t *c, ex_sort_t *s)
{
    const sql_value_t *row;
    while ((row = ex_next(c)))
        if (ex_sort_add(s, row) != RDB_OK)
            return RDB_IOERROR;
    if (rdb_err_is_set(r->err) || ex_check(r) != RDB_OK)
        return RDB_SQL;
    return ex_sort_done(s);
}

rdb_status_t ex_msetop_run(ex_msetop_t *m, ex_node_t *left, ex_node_t *right)
{
    if ((right ? drain(m->r, right, m->rs) : ex_sort_done(m->rs)) != RDB_OK || drain(m->r, left, m->ls) != RDB_OK)
        return RDB_SQL;
    return RDB_OK;
}

/* Advance a side: its next row copied into a (NULL at its end). */
static const sql_value_t *advance(ex_msetop_t *m, ex_sort_t *s, rdb_arena_t *a)
{
    const sql_value_t *row = ex_sort_next(s);
    if (!row)
        return NULL;
    rdb_arena_reset(a);
    return ex_copy_row(a, m->p->types, m->p->ncols, row);
}

/* Count the rows of side (head *h) equal to g, moving past them. */
static int64_t count_eq(ex_msetop_t *m, ex_sort_t *s, rdb_arena_t *a, const sql_value_t **h, const sql_value_t *g)
{
    int64_t n = 0;
    while (*h && row_cmp(m->p, *h, g) == 0) {
        n++;
        *h = advance(m, s, a);
        if ((++m->r->tick & 255) == 0 && ex_check(m->r) != RDB_OK)
            return n;
    }
    return n;
}

const sql_value_t *ex_msetop_next(ex_msetop_t *m)
{
    const plan_t *p = m->p;
    if (!m->started) {
        m->started = true;
        m->lh = advance(m, m->ls, &m->la);
        m->rh = advance(m, m->rs, &m->ra);
    }
    bool intersect = p->setop == AST_SETOP_INTERSECT;
    for (;;) {
        if (rdb_err_is_set(m->r->err))
            return NULL;
        if (m->left > 0) {
            m->left--;
            return m->grow;
        }
        if (!m->lh)
            return NULL;   /* no left row left: nothing more comes out */
        /* the next group: the smaller head (the left's when equal) */
        const sql_value_t *g = m->lh;
        if (m->rh && row_cmp(p, m->rh, g) < 0)
            g = m->rh;
        rdb_arena_reset(&m->ga);
        m->grow = ex_copy_row(&m->ga, p->types, p->ncols, g);
        int64_t cl = count_eq(m, m->ls, &m->la, &m->lh, m->grow);
        int64_t cr = count_eq(m, m->rs, &m->ra, &m->rh, m->grow);
        if (intersect)
            m->left = p->all ? (cl < cr ? cl : cr) : (cl > 0 && cr > 0);
        else
            m->left = p->all ? (cl > cr ? cl - cr : 0) : (cl > 0 && cr == 0);
    }
}

bool ex_msetop_spilled(const ex_msetop_t *m, int64_t *kb)
{
    int64_t a = 0, b = 0;
    bool sa = ex_sort_spilled(m->ls, &a), sb = ex_sort_spilled(m->rs, &b);
    if (kb)
        *kb = (sa ? a : 0) + (sb ? b : 0);
    return sa || sb;
}

void ex_msetop_free(ex_msetop_t *m)
{
    if (!m)
        return;
    ex_sort_free(m->ls);
    ex_sort_free(m->rs);
    rdb_arena_destroy(&m->la);
    rdb_arena_destroy(&m->ra);
    rdb_arena_destroy(&m->ga);
    free(m);
}
