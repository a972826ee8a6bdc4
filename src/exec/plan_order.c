/*
 * plan_order.c — ordered scans instead of sorts (planner_int.h
 * pl_order_sort).
 *
 * A secondary index's entries are `index_id ‖ indexed columns ‖ pk` in
 * the order-preserving key encoding (DESIGN.md §3), so a scan through it
 * yields rows in the order of its columns: ASC NULLS FIRST for an ASC
 * column, DESC NULLS LAST for a DESC one.  A range-partitioned table's
 * rows are stored in primary-key order (its key has no token), so its
 * plain scan is ordered by the key; a hash-partitioned table's is not.
 * On a cluster the order still holds: a scan is one ordered iteration of
 * the key range, the replicas' rows merged in key order by the read path
 * (txn.h txn_reader_t scan).
 *
 * A sort over [projections / filters over] one base-table scan is
 * replaced by a scan in that order when the sort keys are the index's
 * columns after those its equalities bind, all in the index's direction
 * or all against it (a backward scan), and the NULL placement matches, or the
 * column has no NULLs to place (NOT NULL, a range condition on it), or
 * it is the first free column: then the scan reads its NULLs in a second
 * pass (nulls_moved), which gives PostgreSQL's default NULLS LAST / DESC
 * NULLS FIRST.  A scan may also run backward (the index's order reversed,
 * NULLs too: ORDER BY b DESC over an index on b).  The choice is by cost: the sort reads its whole input
 * (the table, or the chosen index range) and sorts it; the ordered scan
 * reads index entries and fetches rows until the LIMIT (plus OFFSET) is
 * met, scaled by the selectivity of the conditions the range does not
 * apply.  Without a LIMIT the ordered scan wins only when its range is a
 * small part of the table.
 */
#include <math.h>
#include <string.h>

#include "exec/planner_int.h"
#include "sql/analyze.h"
#include "sql/syscat.h"

/* Relative costs, one sequentially read row = 1. */
#define COST_INDEX_ROW 4.0   /* index entry + row fetch by primary key */
#define COST_SORT_ROW  0.05  /* per row and per log2(rows) compared     */
#define DISABLED       1e10  /* a switch turned off (enable_sort)       */

/* Key types whose key encoding orders as the type's comparison does. */
static bool order_type_ok(uint32_t oid)
{
    switch (oid) {
    case SQL_OID_INT2: case SQL_OID_INT4: case SQL_OID_INT8:
    case SQL_OID_TEXT: case SQL_OID_VARCHAR: case SQL_OID_NUMERIC:
    case SQL_OID_DATE: case SQL_OID_TIMESTAMP: case SQL_OID_TIMESTAMPTZ:
    case SQL_OID_BOOL:
        return true;
    default:
        return false;
    }
}

/* The scan below the sort and the scan column of each sort key; NULL if
 * the input is not projections / filters over one base-table scan or a
 * key is not a plain column. */
static plan_t *sort_scan(const plan_t *sort, int *colids)
{
    for (int k = 0; k < sort->nsort; k++)
        colids[k] = sort->sort[k].col;
    plan_t *c = sort->left;
    while (c) {
        if (c->kind == P_FILTER) {
            c = c->left;
            continue;
        }
        if (c->kind == P_PROJECT) {
            for (int k = 0; k < sort->nsort; k++) {
                const ex_expr_t *e = colids[k] < c->nexprs ? c->exprs[colids[k]] : NULL;
                if (!e || e->kind != EX_COL)
                    return NULL;
                colids[k] = e->idx;
            }
            c = c->left;
            continue;
        }
        break;
    }
    if (!c || c->kind != P_SCAN || !c->tab || sql_syscat_is(c->tab) || c->point || c->kset)
        return NULL;
    return c;
}

/* Is there a conjunct of q that no row with colid NULL passes (a strict
 * comparison of the column, or IS NOT NULL)? */
static bool not_null_cond(const plan_t *scan, const pl_quals_t *q, int colid)
{
    for (int i = 0; i < q->n; i++) {
        const ex_expr_t *e = q->q[i];
        if (e->kind == EX_NULLTEST && e->flag == 1) {
            const ex_expr_t *c = pl_strip_col(e->args[0], scan);
            if (c && c->idx == colid)
                return true;
        }
        if (e->kind == EX_FUNC && e->nargs == 2 && e->fn->name && e->fn->strict && pl_cmp_kind(e->fn->name) >= 0)
            for (int s = 0; s < 2; s++) {
                const ex_expr_t *c = pl_strip_col(e->args[s], scan);
                if (c && c->idx == colid)
                    return true;
            }
    }
    return false;
}

/* A LIMIT / OFFSET count: its constant (under the cast to int8), else a
 * guess of 100 (a parameter). */
static double count_of(const ex_expr_t *e)
{
    if (e->kind == EX_CAST && e->nargs == 1 && e->args[0]->kind == EX_CONST &&
        (e->args[0]->type.oid == SQL_OID_INT4 || e->args[0]->type.oid == SQL_OID_INT2))
        e = e->args[0];
    if (e->kind == EX_CONST && !e->val.isnull)
        return (double)e->val.u.i;
    return 100;
}

static double limit_rows(const plan_t *sort)
{
    if (!sort->limit)
        return -1;
    double n = count_of(sort->limit) + (sort->offset ? count_of(sort->offset) : 0);
    return n < 1 ? 1 : n;
}

typedef struct cand {
    const sql_index_t *ix;   /* NULL: the primary key (range-partitioned) */
    pl_bounds_t        b;
    bool               nulls_moved, backward;
    double             cost, rows;
} cand_t;

/* Does the key (ncols columns colids / desc) give the sort's order after
 * the columns b binds by equality?  Sets c->nulls_moved. */
static bool order_matches(const plan_t *sort, const plan_t *scan, const int *sc, const pl_quals_t *q,
                          int ncols, const uint16_t *colids, const bool *desc, cand_t *c)
{
    const sql_table_t *t = scan->tab;
    int pos = c->b.neq;   /* next key column the order must follow */
    c->nulls_moved = false;
    for (int k = 0; k < sort->nsort; k++) {
        const plan_sortkey_t *sk = &sort->sort[k];
        /* a key column an equality binds is constant: any order */
        bool bound = false;
        for (int i = 0; i < c->b.neq; i++)
            if (colids[i] == sc[k])
                bound = true;
        if (bound && pos == c->b.neq)
            continue;
        if (pos >= ncols || colids[pos] != sc[k] || !order_type_ok(scan->types[sc[k]].oid))
            return false;
        /* forward: a column's key order; backward: the reverse.  NULL is
         * the smallest key either way: NULLS FIRST ascending, LAST
         * descending */
        bool d = (desc && desc[pos]) != c->backward;
        if (sk->desc != d)
            return false;
        if (sk->nulls_first != !d) {
            const sql_column_t *col = sql_table_column_by_id(t, (uint16_t)sc[k]);
            bool nonull = (col && col->not_null) || (pos == c->b.neq && (c->b.lo || c->b.hi)) ||
                          not_null_cond(scan, q, sc[k]);
            if (!c->ix || pos >= c->ix->ncols)
                nonull = true; /* primary-key columns */
            if (!nonull) {
                if (pos != c->b.neq)
                    return false;
                c->nulls_moved = true;
            }
        }
        pos++;
    }
    return true;
}

plan_t *pl_order_sort(rdb_arena_t *a, plan_t *sort)
{
    const plan_opts_t *o = pl_opts();
    if (sort->kind != P_SORT || sort->nsort == 0 || sort->nsort > 32 || !o->indexscan)
        return sort;
    int sc[32];
    plan_t *scan = sort_scan(sort, sc);
    if (!scan)
        return sort;
    const sql_table_t *t = scan->tab;
    pl_quals_t q = { 0 };
    pl_split_and(a, scan->qual, &q);

    /* the sort's plan: its input (the table or the chosen range), sorted */
    double nrows = pl_table_rows(t);
    double in_rows = scan->est_rows > 0 ? scan->est_rows : nrows;
    double read = scan->index ? in_rows * COST_INDEX_ROW
                : (scan->nlo || scan->nhi) && !t->hash_partitioned ? in_rows : nrows;
    double out = in_rows;
    for (int i = 0; i < q.n; i++)
        out /= 2;
    if (out < 1)
        out = 1;
    double lim = limit_rows(sort);
    double sorted = lim > 0 && lim < out ? lim : out;
    double sort_cost = read + out * COST_SORT_ROW * log2(sorted + 1);
    if (!o->sort)
        sort_cost += DISABLED;

    cand_t best = { 0 };
    bool have = false;
    for (int i = -1; i < t->nindexes; i++) {
        cand_t c = { 0 };
        int ncols;
        const uint16_t *colids;
        const bool *desc = NULL;
        if (i < 0) {
            if (t->hash_partitioned || t->npk == 0)
                continue;
            ncols = t->npk;
            colids = t->pk_colids;
        } else {
            c.ix = &t->indexes[i];
            if (c.ix == t->pk_index || c.ix->id == t->pk_index_id)
                continue;
            /* an entry is the indexed columns, then the primary key (ASC):
             * rows equal on the first come in key order */
            ncols = c.ix->ncols + t->npk;
            uint16_t *cols = RDB_ARENA_NEWN(a, uint16_t, ncols);
            bool *dsc = RDB_ARENA_NEWN(a, bool, ncols);
            for (int k = 0; k < c.ix->ncols; k++) {
                cols[k] = c.ix->colids[k];
                dsc[k] = c.ix->desc && c.ix->desc[k];
            }
            for (int k = 0; k < t->npk; k++)
                cols[c.ix->ncols + k] = t->pk_colids[k];
            colids = cols;
            desc = dsc;
        }
        pl_find_bounds(a, scan, &q, c.ix ? c.ix->ncols : ncols, colids, &c.b);
        if (c.b.neq == (c.ix ? c.ix->ncols : ncols))
            c.b.lo = c.b.hi = NULL;
        if (!order_matches(sort, scan, sc, &q, ncols, colids, desc, &c)) {
            c.backward = true;
            if (!order_matches(sort, scan, sc, &q, ncols, colids, desc, &c))
                continue;
        }
        /* rows in the range; the conditions the range leaves are assumed
         * to pass half of them each */
        double range_rows = nrows;
        if (c.ix) {
            bool known;
            range_rows = pl_index_rows(scan, c.ix, &c.b, &known);
        } else if (c.b.neq || c.b.lo || c.b.hi) {
            range_rows = nrows / 10 + 1;
        }
        int napplied = c.b.neq + (c.b.lo != NULL) + (c.b.hi != NULL);
        double pass = 1;
        for (int k = napplied; k < q.n; k++)
            pass /= 2;
        double need = lim > 0 ? lim / pass : range_rows;
        if (need > range_rows)
            need = range_rows;
        c.cost = need * (c.ix ? COST_INDEX_ROW : 1.0);
        c.rows = range_rows;
        if (!have || c.cost < best.cost) {
            best = c;
            have = true;
        }
    }
    /* without a LIMIT a sort of a few rows in memory costs next to
     * nothing: keep it (and PostgreSQL's plan shape) */
    if (!have || best.cost >= sort_cost || (lim < 0 && out <= 1000 && o->sort))
        return sort;

    /* the scan reads in key order from now on */
    scan->index = best.ix;
    scan->point = false;
    scan->nlo = scan->nhi = 0;
    scan->lo = scan->hi = NULL;
    scan->nkey = 0;
    if (best.b.neq || best.b.lo || best.b.hi) {
        int pos = best.b.neq;
        bool d = best.ix && best.ix->desc && pos < best.ix->ncols && best.ix->desc[pos];
        pl_set_bounds(a, scan, &best.b, d);
    }
    scan->nkey = best.b.neq;
    scan->ordered = true;
    scan->nulls_moved = best.nulls_moved;
    scan->backward = best.backward;
    scan->est_rows = best.rows;
    /* the sort's bound (top-N) is the LIMIT node's above it, which stops
     * pulling rows once it has them */
    return sort->left;
}
