/*
 * planner.c — rule-based rewrites of a bound plan (see planner.h).
 *
 * Decisions.  Predicates are split into conjuncts and pushed as far down
 * as the join types allow (through inner joins to either side; through
 * a LEFT join only to the preserved side for WHERE conditions and to the
 * nullable side for ON conditions; never below a FULL join).  A conjunct
 * that compares the two sides of a join with '=' on equal types becomes a
 * hash-join key; what remains is the join's residual condition.  At a
 * scan, conjuncts comparing leading primary-key columns with constants or
 * parameters become a key range (hash-partitioned tables: only the whole
 * key, as a point lookup), and equality on every key column a point
 * lookup.  Without a primary-key range, equalities and ranges on the
 * leading columns of a secondary index pick an index scan when the index
 * reads a small part of the table (index_range).  The conditions stay on
 * the scan as well, so the key range is only ever an optimisation.  Conjuncts holding correlated subqueries are
 * not moved (their outer references are positions in the original row).
 *
 * No node here assumes one node: a scan is the unit that an Exchange will
 * later wrap (the distributed executor ships a scan with its key range and
 * conditions to the replicas of its partitions).
 */
#include "exec/planner.h"

#include <string.h>

#include "exec/exec.h"
#include "exec/planner_int.h"
#include "sql/analyze.h"
#include "sql/array.h"
#include "sql/syscat.h"

typedef pl_quals_t qlist_t;

static void ql_add(rdb_arena_t *a, qlist_t *l, ex_expr_t *e)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 8;
        l->q = rdb_arena_grow(a, l->q, (size_t)l->n, (size_t)l->cap, sizeof *l->q);
    }
    l->q[l->n++] = e;
}

static void split_and(rdb_arena_t *a, ex_expr_t *e, qlist_t *l)
{
    if (!e)
        return;
    if (e->kind == EX_AND) {
        for (int i = 0; i < e->nargs; i++)
            split_and(a, e->args[i], l);
        return;
    }
    ql_add(a, l, e);
}

static ex_expr_t *join_and(rdb_arena_t *a, ex_expr_t **q, int n)
{
    if (n == 0)
        return NULL;
    if (n == 1)
        return q[0];
    ex_expr_t *e = RDB_ARENA_NEW(a, ex_expr_t);
    e->kind = EX_AND;
    e->type.oid = SQL_OID_BOOL;
    e->type.typmod = -1;
    e->nargs = n;
    e->args = RDB_ARENA_NEWN(a, ex_expr_t *, n);
    memcpy(e->args, q, sizeof(*q) * n);
    return e;
}

/* Column span of e; *fixed false if it holds something that may not move. */
static void span(const ex_expr_t *e, int *lo, int *hi, bool *fixed)
{
    if (!e)
        return;
    if (e->kind == EX_COL) {
        if (e->idx < *lo) *lo = e->idx;
        if (e->idx > *hi) *hi = e->idx;
    }
    if (e->kind == EX_SUBLINK && e->correlated)
        *fixed = true;
    if (e->kind == EX_NEXTVAL || (e->kind == EX_FUNC && e->fn->volatile_))
        *fixed = true;
    for (int i = 0; i < e->nargs; i++)
        if (!ex_arg_over_sub(e, i))
            span(e->args[i], lo, hi, fixed);
}

static bool is_const_like(const ex_expr_t *e)
{
    switch (e->kind) {
    case EX_CONST:
    case EX_PARAM:
        return true;
    case EX_CAST:
        return is_const_like(e->args[0]);
    case EX_FUNC:
        if (e->fn->volatile_ || e->fn->stable)
            return false;
        for (int i = 0; i < e->nargs; i++)
            if (!is_const_like(e->args[i]))
                return false;
        return true;
    default:
        return false;
    }
}

static bool is_int(uint32_t oid)
{
    return oid == SQL_OID_INT2 || oid == SQL_OID_INT4 || oid == SQL_OID_INT8;
}
static bool is_text(uint32_t oid)
{
    return oid == SQL_OID_TEXT || oid == SQL_OID_VARCHAR || oid == SQL_OID_NAME;
}

/* The column under binary-compatible relabels or integer widenings. */
static const ex_expr_t *strip_col(const ex_expr_t *e, const plan_t *scan)
{
    while (e->kind == EX_CAST) {
        const ex_expr_t *in = e->args[0];
        bool ok = !e->cast->fn || (is_int(in->type.oid) && is_int(e->type.oid));
        if (!ok)
            return NULL;
        e = in;
    }
    return e->kind == EX_COL ? e : NULL;
}

static bool key_compatible(sql_type_t col, sql_type_t val)
{
    if (col.oid == val.oid)
        return true;
    if (is_int(col.oid) && is_int(val.oid))
        return true;
    if (is_text(col.oid) && is_text(val.oid))
        return col.oid != SQL_OID_NAME;
    return false;
}

/* Comparison op name -> kind: 0 '=', 1 '<', 2 '<=', 3 '>', 4 '>='. */
static int cmp_kind(const char *op)
{
    static const char *k[] = { "=", "<", "<=", ">", ">=" };
    for (int i = 0; i < 5; i++)
        if (strcmp(op, k[i]) == 0)
            return i;
    return -1;
}

/* Conjuncts of q bounding the leading columns of a key (colids[0..ncols)):
 * equalities on a prefix, then at most a range on the next column. */
typedef struct kbounds {
    ex_expr_t **eq;
    int         neq;
    ex_expr_t  *lo, *hi;
    bool        lo_incl, hi_incl;
} kbounds_t;

static void find_bounds(rdb_arena_t *a, const plan_t *scan, const qlist_t *q, int ncols,
                        const uint16_t *colids, kbounds_t *b)
{
    memset(b, 0, sizeof *b);
    b->eq = RDB_ARENA_NEWN(a, ex_expr_t *, ncols);
    for (int k = 0; k < ncols; k++) {
        int colid = colids[k];
        b->lo = b->hi = NULL;
        for (int i = 0; i < q->n; i++) {
            ex_expr_t *e = q->q[i];
            if (e->kind != EX_FUNC || e->nargs != 2 || !e->fn->name)
                continue;
            int ck = cmp_kind(e->fn->name);
            if (ck < 0)
                continue;
            for (int side = 0; side < 2; side++) {
                const ex_expr_t *c = strip_col(e->args[side], scan);
                ex_expr_t *v = e->args[1 - side];
                if (!c || c->idx != colid || !is_const_like(v))
                    continue;
                if (!key_compatible(scan->types[colid], v->type))
                    continue;
                int kk = ck;
                if (side == 1 && kk) /* v < col  ==  col > v */
                    kk = kk == 1 ? 3 : kk == 2 ? 4 : kk == 3 ? 1 : 2;
                if (kk == 0 && !b->eq[k])
                    b->eq[k] = v;
                else if ((kk == 3 || kk == 4) && !b->lo) {
                    b->lo = v;
                    b->lo_incl = kk == 4;
                } else if ((kk == 1 || kk == 2) && !b->hi) {
                    b->hi = v;
                    b->hi_incl = kk == 2;
                }
            }
        }
        if (!b->eq[k])
            break;
        b->neq++;
    }
    if (b->neq == ncols)
        b->lo = b->hi = NULL;
}

/* Set scan's key range from b (lo/hi in key order: a DESC range column
 * swaps them). */
static void set_bounds(rdb_arena_t *a, plan_t *scan, const kbounds_t *b, bool desc)
{
    int neq = b->neq, n = neq + 1;
    ex_expr_t *lo = desc ? b->hi : b->lo, *hi = desc ? b->lo : b->hi;
    scan->lo = RDB_ARENA_NEWN(a, ex_expr_t *, n);
    scan->hi = RDB_ARENA_NEWN(a, ex_expr_t *, n);
    memcpy(scan->lo, b->eq, sizeof(*b->eq) * neq);
    memcpy(scan->hi, b->eq, sizeof(*b->eq) * neq);
    scan->nlo = scan->nhi = neq;
    scan->lo_incl = scan->hi_incl = true;
    if (lo) {
        scan->lo[scan->nlo++] = lo;
        scan->lo_incl = desc ? b->hi_incl : b->lo_incl;
    }
    if (hi) {
        scan->hi[scan->nhi++] = hi;
        scan->hi_incl = desc ? b->lo_incl : b->hi_incl;
    }
    scan->nkey = neq;
}

/* Estimated rows of scan's table within bounds b of index ix: with
 * ANALYZE statistics the MCV / histogram selectivity of a constant
 * (plan_sel.c), else rows / n_distinct (NULLs left out) per equality and
 * 1/3 per open, 1/10 per closed range; *known false without them. */
static double index_rows(const plan_t *scan, const sql_index_t *ix, const kbounds_t *b, bool *known)
{
    const sql_table_t *t = scan->tab;
    double rows = t->rowcount_est ? (double)t->rowcount_est : 1000, sel = 1;
    *known = t->rowcount_est != 0;
    for (int k = 0; k < b->neq; k++) {
        const sql_column_t *c = sql_table_column_by_id(t, ix->colids[k]);
        double ms = b->eq && b->eq[k] ? pl_bound_sel(scan, ix->colids[k], b->eq[k], NULL, false, NULL, false) : -1;
        if (ms >= 0)
            sel *= ms;   /* the MCV list knows a skewed value */
        else if (c && c->n_distinct > 0)
            sel *= (1 - c->null_frac) / c->n_distinct;
        else if (c && *known && c->null_frac >= 1)
            sel = 0;
        else {
            *known = false;
            sel *= 0.005;
        }
    }
    if (ix->unique && b->neq == ix->ncols)
        return 1;
    if (b->lo || b->hi) {
        double rs = b->neq < ix->ncols ? pl_bound_sel(scan, ix->colids[b->neq], NULL, b->lo, b->lo_incl, b->hi,
                                                      b->hi_incl) : -1;
        sel *= rs >= 0 ? rs : b->lo && b->hi ? 0.1 : 1.0 / 3;
    }
    return rows * sel + 1;
}

/* No primary-key range: the most selective secondary index whose leading
 * columns the conditions bound, if it reads well under a tenth of the
 * table (without statistics: when it has an equality). */
static void index_range(rdb_arena_t *a, plan_t *scan, const qlist_t *q)
{
    const sql_table_t *t = scan->tab;
    const sql_index_t *best = NULL;
    kbounds_t bb = { 0 };
    double best_rows = 0, rows = t->rowcount_est ? (double)t->rowcount_est : 1000;
    if (sql_syscat_is(t) || !pl_opts()->indexscan)
        return;
    for (int i = 0; i < t->nindexes; i++) {
        const sql_index_t *ix = &t->indexes[i];
        kbounds_t b;
        find_bounds(a, scan, q, ix->ncols, ix->colids, &b);
        if (b.neq == 0 && !b.lo && !b.hi)
            continue;
        bool known;
        double r = index_rows(scan, ix, &b, &known);
        if (pl_opts()->seqscan && (known ? r > rows * 0.15 : b.neq == 0))
            continue;
        if (!best || r < best_rows) {
            best = ix;
            bb = b;
            best_rows = r;
        }
    }
    if (!best)
        return;
    scan->index = best;
    set_bounds(a, scan, &bb, bb.neq < best->ncols && best->desc && best->desc[bb.neq]);
    scan->est_rows = best_rows;
}

/* --- key sets: col IN (...), col = ANY (array) ---------------------------- */

/* The value side of one equality of an OR key set: the side other than
 * the column; NULL if e is not col = value on a key-comparable type. */
static const ex_expr_t *kset_eq_value(const plan_t *scan, const ex_expr_t *e, int *col)
{
    if (e->kind != EX_FUNC || e->nargs != 2 || !e->fn || !e->fn->name || strcmp(e->fn->name, "=") != 0)
        return NULL;
    for (int side = 0; side < 2; side++) {
        const ex_expr_t *c = strip_col(e->args[side], scan);
        const ex_expr_t *v = e->args[1 - side];
        if (c && is_const_like(v) && key_compatible(scan->types[c->idx], v->type)) {
            *col = c->idx;
            return v;
        }
    }
    return NULL;
}

static bool kset_array_ok(const ex_expr_t *e)
{
    if (e->kind != EX_ARRAY)
        return is_const_like(e);
    for (int i = 0; i < e->nargs; i++)
        if (!is_const_like(e->args[i]))
            return false;
    return true;
}

/* The column whose values conjunct e lists (col = ANY (array) or an OR
 * of col = value, values constant or parameters), -1 if none; *nvals an
 * estimate of how many. */
static int kset_col(const plan_t *scan, const ex_expr_t *e, int *nvals)
{
    if (e->kind == EX_ARRAYCMP) {
        if (e->flag != 1 || !e->fn || !e->fn->name || strcmp(e->fn->name, "=") != 0)
            return -1;
        const ex_expr_t *c = strip_col(e->args[0], scan);
        if (!c || !kset_array_ok(e->args[1]) ||
            !key_compatible(scan->types[c->idx], sql_array_elem_type(e->args[1]->type)))
            return -1;
        *nvals = e->args[1]->kind == EX_CONST && !e->args[1]->val.isnull ? sql_array_count(&e->args[1]->val)
               : e->args[1]->kind == EX_ARRAY ? e->args[1]->nargs : 10;
        return c->idx;
    }
    if (e->kind != EX_OR || e->nargs < 1)
        return -1;
    int col = -1;
    for (int i = 0; i < e->nargs; i++) {
        int c;
        if (!kset_eq_value(scan, e->args[i], &c) || (col >= 0 && c != col))
            return -1;
        col = c;
    }
    *nvals = e->nargs;
    return col;
}

/* An OR of col = constant, every one with the same operator and the
 * column on the left, as PostgreSQL shows an IN list: col = ANY
 * ('{...}'::type[]) (the same truth value, NULLs included); e itself
 * otherwise. */
static ex_expr_t *kset_as_any(rdb_arena_t *a, ex_expr_t *e)
{
    if (e->kind != EX_OR)
        return e;
    const sql_resolved_fn_t *fn = e->args[0]->fn;
    for (int i = 0; i < e->nargs; i++) {
        const ex_expr_t *x = e->args[i];
        if (x->fn->fn != fn->fn || x->fn->argtypes[0].oid != fn->argtypes[0].oid ||
            x->fn->argtypes[1].oid != fn->argtypes[1].oid || x->args[1]->kind != EX_CONST || x->args[0]->kind == EX_CONST ||
            x->args[1]->type.oid != e->args[0]->args[1]->type.oid)
            return e;
    }
    sql_type_t et = e->args[0]->args[1]->type;
    uint32_t at = sql_array_oid_of(et.oid);
    if (!at)
        return e;
    sql_value_t *vals = RDB_ARENA_NEWN(a, sql_value_t, e->nargs);
    for (int i = 0; i < e->nargs; i++)
        vals[i] = e->args[i]->args[1]->val;
    ex_expr_t *arr = RDB_ARENA_NEW(a, ex_expr_t);
    arr->kind = EX_CONST;
    arr->type = (sql_type_t){ at, et.typmod };
    arr->val = sql_array_encode(a, et, 1, e->nargs, vals);
    ex_expr_t *any = RDB_ARENA_NEW(a, ex_expr_t);
    any->kind = EX_ARRAYCMP;
    any->type = e->type;
    any->flag = 1;
    any->fn = e->args[0]->fn;
    any->nargs = 2;
    any->args = RDB_ARENA_NEWN(a, ex_expr_t *, 2);
    any->args[0] = e->args[0]->args[0];
    any->args[1] = arr;
    return any;
}

/* Replace conjunct old of scan's qual (and of q) by new. */
static void qual_replace(plan_t *scan, qlist_t *q, ex_expr_t *old, ex_expr_t *new_)
{
    for (int i = 0; i < q->n; i++)
        if (q->q[i] == old)
            q->q[i] = new_;
    if (scan->qual == old)
        scan->qual = new_;
    else if (scan->qual && scan->qual->kind == EX_AND)
        for (int i = 0; i < scan->qual->nargs; i++)
            if (scan->qual->args[i] == old)
                scan->qual->args[i] = new_;
}

/* A conjunct listing values of a one-column primary key, or else of the
 * first column of a secondary index (when it reads well under a tenth of
 * the table, as index_range decides): the scan reads those keys
 * (scan->kset).  False if there is none. */
static bool key_set(rdb_arena_t *a, plan_t *scan, qlist_t *q)
{
    const sql_table_t *t = scan->tab;
    if (sql_syscat_is(t))
        return false;
    double rows = t->rowcount_est ? (double)t->rowcount_est : 1000;
    ex_expr_t *best = NULL;
    const sql_index_t *bix = NULL;
    double best_rows = 0;
    for (int i = 0; i < q->n; i++) {
        int nv, col = kset_col(scan, q->q[i], &nv);
        if (col < 0)
            continue;
        if (t->npk == 1 && col == t->pk_colids[0]) {
            best = q->q[i];
            bix = NULL;
            best_rows = nv;
            break;
        }
        for (int k = 0; k < t->nindexes; k++) {
            const sql_index_t *ix = &t->indexes[k];
            if (ix->colids[0] != col)
                continue;
            const sql_column_t *c = sql_table_column_by_id(t, col);
            bool known = t->rowcount_est && c && c->n_distinct > 0;
            double r = known ? nv * rows * (1 - c->null_frac) / c->n_distinct + 1 : nv * rows * 0.005 + 1;
            if (ix->unique && ix->ncols == 1)
                r = nv;
            if (known && r > rows * 0.15)
                continue;
            if (!best || r < best_rows) {
                best = q->q[i];
                bix = ix;
                best_rows = r;
            }
        }
    }
    if (!best)
        return false;
    int nv;
    ex_expr_t *any = kset_as_any(a, best);
    if (any != best)
        qual_replace(scan, q, best, any);
    scan->kset = any;
    scan->kcol = kset_col(scan, any, &nv);
    scan->index = bix;
    scan->nlo = scan->nhi = scan->nkey = 0;
    scan->point = false;
    scan->est_rows = best_rows;
    return true;
}

/* The primary-key column position of scan column col, -1 if none. */
static int pk_pos(const sql_table_t *t, int col)
{
    for (int k = 0; k < t->npk; k++)
        if (t->pk_colids[k] == col)
            return k;
    return -1;
}

/* Is e an OR of ANDs that each give every column of a multi-column
 * primary key once, = a constant or parameter: (a, b) IN ((1, 2), ...)? */
static bool kset_rows_ok(const plan_t *scan, const ex_expr_t *e)
{
    const sql_table_t *t = scan->tab;
    if (e->kind != EX_OR || e->nargs < 1)
        return false;
    for (int i = 0; i < e->nargs; i++) {
        const ex_expr_t *arm = e->args[i];
        if (arm->kind != EX_AND || arm->nargs != t->npk)
            return false;
        uint32_t seen = 0;
        for (int j = 0; j < arm->nargs; j++) {
            int c, k;
            if (!kset_eq_value(scan, arm->args[j], &c) || (k = pk_pos(t, c)) < 0 || (seen & (1u << k)))
                return false;
            seen |= 1u << k;
        }
    }
    return true;
}

/* A key set over a primary key of 2 to 32 columns (plan.h, kcol -1):
 * the OR of ANDs kset_rows_ok takes, or one conjunct per key column,
 * col = value or a list of values (= ANY (array), IN), whose product
 * has at most 10000 keys. */
static bool key_set_multi(rdb_arena_t *a, plan_t *scan, qlist_t *q)
{
    const sql_table_t *t = scan->tab;
    if (t->npk < 2 || t->npk > 32 || sql_syscat_is(t))
        return false;
    for (int i = 0; i < q->n; i++)
        if (kset_rows_ok(scan, q->q[i])) {
            scan->kset = q->q[i];
            scan->est_rows = q->q[i]->nargs;
            goto done;
        }
    ex_expr_t **per = RDB_ARENA_NEWN(a, ex_expr_t *, t->npk);
    double keys = 1;
    bool list = false;
    for (int k = 0; k < t->npk; k++) {
        for (int i = 0; i < q->n && !per[k]; i++) {
            int c, nv = 1;
            if (kset_eq_value(scan, q->q[i], &c) && c == t->pk_colids[k]) {
                per[k] = q->q[i];
            } else if (kset_col(scan, q->q[i], &nv) == t->pk_colids[k]) {
                per[k] = kset_as_any(a, q->q[i]);
                if (per[k] != q->q[i])
                    qual_replace(scan, q, q->q[i], per[k]);
                keys *= nv;
                list = true;
            }
        }
        if (!per[k])
            return false;
    }
    if (!list || keys > 10000)
        return false;
    ex_expr_t *and = RDB_ARENA_NEW(a, ex_expr_t);
    and->kind = EX_AND;
    and->type = (sql_type_t){ SQL_OID_BOOL, -1 };
    and->nargs = t->npk;
    and->args = per;
    scan->kset = and;
    scan->est_rows = keys;
done:
    scan->kcol = -1;
    scan->index = NULL;
    scan->nlo = scan->nhi = scan->nkey = 0;
    scan->point = false;
    return true;
}

static void key_ranges(rdb_arena_t *a, plan_t *scan, qlist_t *q)
{
    const sql_table_t *t = scan->tab;
    kbounds_t b = { 0 };
    if (t->npk)
        find_bounds(a, scan, q, t->npk, t->pk_colids, &b);
    if (t->npk && b.neq == t->npk) {
        scan->point = true;
        scan->nkey = b.neq;
        scan->lo = b.eq;
        scan->nlo = b.neq;
        scan->est_rows = 1;
        return;
    }
    if (key_set_multi(a, scan, q) || key_set(a, scan, q))
        return;
    /* hash-partitioned tables: the executor turns a short integer range
     * into point lookups, and scans everything otherwise: a secondary
     * index goes first there */
    bool none = b.neq == 0 && !b.lo && !b.hi;
    if (none || (t->hash_partitioned && !(t->npk == 1 && b.lo && b.hi &&
                                          is_int(scan->types[t->pk_colids[0]].oid)))) {
        index_range(a, scan, q);
        if (none || scan->index)
            return;
    }
    set_bounds(a, scan, &b, false);
    scan->est_rows = scan->est_rows / 10 + 1;
}

static plan_t *opt(rdb_arena_t *a, plan_t *p, qlist_t *in);

static plan_t *wrap_filter(rdb_arena_t *a, plan_t *p, qlist_t *q)
{
    if (!q || q->n == 0)
        return p;
    plan_t *f = plan_new(a, P_FILTER, p->ncols);
    memcpy(f->types, p->types, sizeof(sql_type_t) * p->ncols);
    memcpy(f->names, p->names, sizeof(char *) * p->ncols);
    memcpy(f->col_table, p->col_table, sizeof(uint32_t) * p->ncols);
    memcpy(f->col_attnum, p->col_attnum, sizeof(int16_t) * p->ncols);
    f->left = p;
    f->qual = join_and(a, q->q, q->n);
    f->est_rows = p->est_rows / 3 + 1;
    return f;
}

static bool outer_to_col(rdb_arena_t *a, const ex_expr_t *e, ex_expr_t **out);
static bool inner_only(const ex_expr_t *e);

/* Split a subquery's condition into conjuncts reading its own row alone
 * (rest) and equalities inner-side = outer-side (inner[i], outer[i] with
 * EX_OUTER made EX_COL, over the outer row); false if some conjunct is
 * neither, or (hash) an equality's type cannot be hashed. */
static bool split_correlated(rdb_arena_t *a, ex_expr_t *qual, bool hash, qlist_t *rest, qlist_t *inner,
                             qlist_t *outer)
{
    qlist_t q = { 0 };
    split_and(a, qual, &q);
    for (int i = 0; i < q.n; i++) {
        ex_expr_t *c = q.q[i];
        if (inner_only(c)) {
            ql_add(a, rest, c);
            continue;
        }
        if (c->kind != EX_FUNC || c->nargs != 2 || !c->fn->name || strcmp(c->fn->name, "=") != 0 ||
            c->args[0]->type.oid != c->args[1]->type.oid || (hash && !ex_hash_eq_type(c->args[0]->type.oid)))
            return false;
        int side = inner_only(c->args[0]) ? 0 : inner_only(c->args[1]) ? 1 : -1;
        ex_expr_t *o;
        if (side < 0 || !outer_to_col(a, c->args[1 - side], &o))
            return false;
        ql_add(a, inner, c->args[side]);
        ql_add(a, outer, o);
    }
    return true;
}

/* A scalar subquery (SELECT f(aggregates) FROM t WHERE c) whose c is
 * conjuncts reading t alone and t-side = outer-side equalities on types
 * that hash: run once grouped by the t sides, looked up per outer row by
 * the outer sides (the keyed form of EX_SUBLINK, plan.h), instead of a
 * scan of t per outer row.  Leaves e as it is otherwise. */
static void decorrelate(rdb_arena_t *a, ex_expr_t *e)
{
    const plan_t *sp = e->sub;
    if (e->flag != 3 /* EXPR */ || !e->correlated || e->nrowcmp || e->nkeyed || sp->kind != P_PROJECT ||
        sp->nexprs != 1 || !sp->left || sp->left->kind != P_AGG || sp->left->ngroup != 0 ||
        !sp->left->left || sp->left->left->kind != P_FILTER || !sp->left->left->left ||
        sp->left->left->left->kind != P_SCAN || sp->left->left->left->qual || !inner_only(sp->exprs[0]))
        return;
    const plan_t *ag = sp->left, *scan = ag->left->left;
    for (int i = 0; i < ag->naggs; i++) {
        const plan_agg_t *g = &ag->aggs[i];
        if (!inner_only(g->args[0]) || !inner_only(g->args[1]) || !inner_only(g->filter))
            return;
        for (int k = 0; k < g->norder; k++)
            if (!inner_only(g->order[k]))
                return;
    }
    qlist_t rest = { 0 }, inner = { 0 }, outer = { 0 };
    if (!split_correlated(a, ag->left->qual, true, &rest, &inner, &outer))
        return;
    int k = inner.n;
    if (k == 0)
        return;
    plan_t *f = (plan_t *)scan;
    if (rest.n) {
        f = plan_new(a, P_FILTER, scan->ncols);
        memcpy(f->types, scan->types, sizeof(sql_type_t) * scan->ncols);
        f->left = (plan_t *)scan;
        f->qual = join_and(a, rest.q, rest.n);
        f->est_rows = scan->est_rows / 3 + 1;
    }
    plan_t *g = plan_new(a, P_AGG, k + ag->naggs);
    g->left = f;
    g->ngroup = k;
    g->group = inner.q;
    g->naggs = ag->naggs;
    g->aggs = ag->aggs;
    for (int i = 0; i < k; i++) {
        g->types[i] = inner.q[i]->type;
        g->names[i] = "?group?";
    }
    for (int i = 0; i < ag->naggs; i++) {
        g->types[k + i] = ag->types[i];
        g->names[k + i] = ag->names[i];
    }
    g->est_rows = f->est_rows / 10 + 1;
    plan_t *pr = plan_new(a, P_PROJECT, k + 1);
    pr->left = g;
    pr->nexprs = k + 1;
    pr->exprs = RDB_ARENA_NEWN(a, ex_expr_t *, k + 1);
    for (int i = 0; i < k; i++) {
        pr->exprs[i] = ex_col(a, i, inner.q[i]->type);
        pr->types[i] = inner.q[i]->type;
        pr->names[i] = "?key?";
    }
    if (!ex_shift(a, sp->exprs[0], k, k + ag->naggs, &pr->exprs[k]))
        return;
    pr->types[k] = sp->types[0];
    pr->names[k] = sp->names[0];
    pr->est_rows = g->est_rows;
    /* the value over no rows: the same aggregates over an empty input */
    plan_t *none = plan_new(a, P_VALUES, scan->ncols);
    memcpy(none->types, scan->types, sizeof(sql_type_t) * scan->ncols);
    plan_t *ag0 = plan_new(a, P_AGG, ag->ncols);
    *ag0 = *ag;
    ag0->left = none;
    plan_t *emp = plan_new(a, P_PROJECT, 1);
    *emp = *sp;
    emp->left = ag0;
    e->sub = plan_optimize(a, pr);
    e->empty = emp;
    e->nkeyed = k;
    e->nargs = k;
    e->args = outer.q;
    e->correlated = false;
}

static void opt_expr(rdb_arena_t *a, ex_expr_t *e)
{
    if (!e)
        return;
    if (e->kind == EX_SUBLINK && e->sub)
        decorrelate(a, e);
    if (e->kind == EX_SUBLINK && e->sub && !e->nkeyed)
        e->sub = plan_optimize(a, e->sub);
    for (int i = 0; i < e->nargs; i++)
        opt_expr(a, e->args[i]);
}

static bool hash_key(rdb_arena_t *a, plan_t *j, ex_expr_t *e, int wl)
{
    if (e->kind != EX_FUNC || e->nargs != 2 || !e->fn->name || strcmp(e->fn->name, "=") != 0)
        return false;
    if (e->args[0]->type.oid != e->args[1]->type.oid)
        return false;
    int lo0 = 1 << 30, hi0 = -1, lo1 = 1 << 30, hi1 = -1;
    bool fx = false;
    span(e->args[0], &lo0, &hi0, &fx);
    span(e->args[1], &lo1, &hi1, &fx);
    if (fx || hi0 < 0 || hi1 < 0)
        return false;
    ex_expr_t *l, *r;
    if (hi0 < wl && lo1 >= wl) {
        l = e->args[0];
        r = e->args[1];
    } else if (hi1 < wl && lo0 >= wl) {
        l = e->args[1];
        r = e->args[0];
    } else {
        return false;
    }
    ex_expr_t *rs;
    if (!ex_shift(a, r, -wl, j->right->ncols, &rs))
        return false;
    if (j->nkeys % 8 == 0) {
        ex_expr_t **nl = RDB_ARENA_NEWN(a, ex_expr_t *, j->nkeys + 8);
        ex_expr_t **nr = RDB_ARENA_NEWN(a, ex_expr_t *, j->nkeys + 8);
        sql_type_t *nt = RDB_ARENA_NEWN(a, sql_type_t, j->nkeys + 8);
        if (j->nkeys) {
            memcpy(nl, j->lkeys, sizeof(*nl) * j->nkeys);
            memcpy(nr, j->rkeys, sizeof(*nr) * j->nkeys);
            memcpy(nt, j->keytypes, sizeof(*nt) * j->nkeys);
        }
        j->lkeys = nl;
        j->rkeys = nr;
        j->keytypes = nt;
    }
    j->lkeys[j->nkeys] = l;
    j->rkeys[j->nkeys] = rs;
    j->keytypes[j->nkeys] = e->fn->argtypes[0];
    j->nkeys++;
    return true;
}

/* Rows of inner join p over scans with statistics: both sides' rows
 * times the keys' eqjoinsel (plan_sel.c); left as it is otherwise. */
static void join_estimate(plan_t *p)
{
    double sel = 1;
    for (int i = 0; i < p->nkeys; i++) {
        double s = pl_eqjoin_sel(pl_plan_col(p->left, p->lkeys[i]), pl_plan_col(p->right, p->rkeys[i]));
        if (s < 0)
            return;
        sel = i == 0 || s < sel ? s : sel;  /* keys are rarely independent: the most selective */
    }
    double rows = p->left->est_rows * p->right->est_rows * sel;
    p->est_rows = rows < 1 ? 1 : rows;
}

static plan_t *opt_join(rdb_arena_t *a, plan_t *p, qlist_t *in)
{
    int wl = p->left->ncols, w = p->ncols;
    qlist_t toleft = { 0 }, toright = { 0 }, above = { 0 }, resid = { 0 }, own = { 0 }, keyq = { 0 };
    plan_join_t jt = p->jointype;
    bool inner = jt == J_INNER || jt == J_CROSS;
    if (inner && !p->lateral) {
        plan_t *r = pl_join_reorder(a, p, in);
        if (r)
            return r;
    }
    split_and(a, p->qual, &own);
    for (int pass = 0; pass < 2; pass++) {
        qlist_t *src = pass == 0 ? in : &own;
        if (!src)
            continue;
        for (int i = 0; i < src->n; i++) {
            ex_expr_t *e = src->q[i];
            int lo = 1 << 30, hi = -1;
            bool fx = false;
            span(e, &lo, &hi, &fx);
            bool where = pass == 0;
            bool lonly = hi >= 0 && hi < wl, ronly = hi >= 0 && lo >= wl;
            if (fx) {
                ql_add(a, where && !inner ? &above : &resid, e);
                continue;
            }
            if (inner || (where ? (jt == J_LEFT && lonly) || (jt == J_RIGHT && ronly)
                                : (jt == J_LEFT && ronly) || (jt == J_RIGHT && lonly))) {
                if (lonly) {
                    ql_add(a, &toleft, e);
                    continue;
                }
                if (ronly) {
                    ex_expr_t *s;
                    if (ex_shift(a, e, -wl, w - wl, &s)) {
                        ql_add(a, &toright, s);
                        continue;
                    }
                }
            }
            if (where && !inner) {
                ql_add(a, &above, e);
                continue;
            }
            const plan_opts_t *po = pl_opts();
            if (p->lateral || (!po->hashjoin && !po->mergejoin && po->nestloop) || !hash_key(a, p, e, wl))
                ql_add(a, &resid, e);
            else
                ql_add(a, &keyq, e);
        }
    }
    p->left = opt(a, p->left, &toleft);
    p->right = opt(a, p->right, &toright);
    /* merge join where it costs less; hash join off and no merge join:
     * the keys go back to the condition of a nested loop */
    if (p->jointype == J_CROSS && p->nkeys)
        p->jointype = J_INNER;
    if (p->nkeys && !pl_merge_join(a, p) && !pl_opts()->hashjoin && pl_opts()->nestloop) {
        p->nkeys = 0;
        for (int i = 0; i < keyq.n; i++)
            ql_add(a, &resid, keyq.q[i]);
    }
    p->qual = join_and(a, resid.q, resid.n);
    if (p->jointype == J_CROSS && (p->nkeys || p->qual))
        p->jointype = J_INNER;
    p->est_rows = p->nkeys ? (p->left->est_rows > p->right->est_rows ? p->left->est_rows : p->right->est_rows)
                           : p->left->est_rows * p->right->est_rows;
    if (p->nkeys && (jt == J_INNER || jt == J_CROSS))
        join_estimate(p);
    opt_expr(a, p->qual);
    return wrap_filter(a, p, &above);
}

/* Copy of e with EX_OUTER (levels up 1) made EX_COL; false if e holds
 * anything else from outside, a column of its own query, or a subquery. */
static bool outer_to_col(rdb_arena_t *a, const ex_expr_t *e, ex_expr_t **out)
{
    if (e->kind == EX_COL || e->kind == EX_SUBLINK || e->kind == EX_NEXTVAL ||
        (e->kind == EX_OUTER && e->levelsup != 1) || (e->kind == EX_FUNC && e->fn->volatile_))
        return false;
    ex_expr_t *x = rdb_arena_memdup(a, e, sizeof *e);
    if (x->kind == EX_OUTER) {
        x->kind = EX_COL;
        x->levelsup = 0;
    }
    if (e->nargs) {
        x->args = RDB_ARENA_NEWN(a, ex_expr_t *, e->nargs);
        for (int i = 0; i < e->nargs; i++)
            if (!outer_to_col(a, e->args[i], &x->args[i]))
                return false;
    }
    *out = x;
    return true;
}

/* Does e read only its own row (no outer rows, subqueries, volatility)? */
static bool inner_only(const ex_expr_t *e)
{
    if (!e)
        return true;
    if (e->kind == EX_OUTER || e->kind == EX_SUBLINK || e->kind == EX_NEXTVAL ||
        (e->kind == EX_FUNC && e->fn->volatile_))
        return false;
    for (int i = 0; i < e->nargs; i++)
        if (!inner_only(e->args[i]))
            return false;
    return true;
}

/* EXISTS (SELECT ... FROM t WHERE c) or NOT EXISTS, evaluated over the
 * rows of in, where c's conjuncts either read t alone or are t-side =
 * outer-side equalities: a J_SEMI (J_ANTI) hash join of in (left, set by
 * the caller) with t filtered by the rest.  NULL if e is not of that
 * shape. */
static plan_t *semi_join(rdb_arena_t *a, const plan_t *in, ex_expr_t *e)
{
    bool anti = false;
    if (e->kind == EX_NOT) {
        anti = true;
        e = e->args[0];
    }
    if (e->kind != EX_SUBLINK || e->flag != 0 /* EXISTS */ || !e->correlated || !e->sub)
        return NULL;
    const plan_t *sp = e->sub;
    if (sp->kind != P_PROJECT || !sp->left || sp->left->kind != P_FILTER || !sp->left->left ||
        sp->left->left->kind != P_SCAN || sp->left->left->qual)
        return NULL;
    const plan_t *scan = sp->left->left;
    qlist_t rest = { 0 }, inner = { 0 }, outer = { 0 };
    if (!split_correlated(a, sp->left->qual, false, &rest, &inner, &outer))
        return NULL;
    plan_t *j = plan_new(a, P_JOIN, in->ncols);
    memcpy(j->types, in->types, sizeof(sql_type_t) * in->ncols);
    memcpy(j->names, in->names, sizeof(char *) * in->ncols);
    j->jointype = anti ? J_ANTI : J_SEMI;
    j->nkeys = inner.n;
    j->lkeys = outer.q;
    j->rkeys = inner.q;
    j->keytypes = RDB_ARENA_NEWN(a, sql_type_t, inner.n + 1);
    for (int i = 0; i < inner.n; i++) {
        int lo = 1 << 30, hi = -1;
        bool fx = false;
        span(outer.q[i], &lo, &hi, &fx);
        if (hi < 0 || hi >= in->ncols)
            return NULL;
        j->keytypes[i] = inner.q[i]->type;
    }
    if (j->nkeys == 0)
        return NULL;
    plan_t *r = (plan_t *)scan;
    if (rest.n) {
        r = plan_new(a, P_FILTER, scan->ncols);
        memcpy(r->types, scan->types, sizeof(sql_type_t) * scan->ncols);
        memcpy(r->names, scan->names, sizeof(char *) * scan->ncols);
        r->left = (plan_t *)scan;
        r->qual = join_and(a, rest.q, rest.n);
        r->est_rows = scan->est_rows / 3 + 1;
    }
    j->right = r;
    return j;
}

static plan_t *opt(rdb_arena_t *a, plan_t *p, qlist_t *in)
{
    if (!p)
        return NULL;
    switch (p->kind) {
    case P_FILTER: {
        qlist_t q = { 0 }, semis = { 0 };
        if (in)
            for (int i = 0; i < in->n; i++)
                ql_add(a, &q, in->q[i]);
        int first = q.n;
        split_and(a, p->qual, &q);
        /* [NOT] EXISTS over one table correlated by equalities: a hash
         * semi (anti) join instead of a scan per row */
        int keep = first;
        for (int i = first; i < q.n; i++) {
            plan_t *j = semi_join(a, p->left, q.q[i]);
            if (j)
                ql_add(a, &semis, (ex_expr_t *)j);
            else
                q.q[keep++] = q.q[i];
        }
        q.n = keep;
        for (int i = first; i < q.n; i++)
            opt_expr(a, q.q[i]);
        plan_t *c = opt(a, p->left, &q);
        for (int i = 0; i < semis.n; i++) {
            plan_t *j = (plan_t *)semis.q[i];
            j->left = c;
            j->right = opt(a, j->right, NULL);
            j->est_rows = c->est_rows / 2 + 1;
            pl_merge_join(a, j);   /* merge semi (anti) join where it costs less */
            c = j;
        }
        return c;
    }
    case P_JOIN:
        return opt_join(a, p, in);
    case P_SCAN: {
        qlist_t q = { 0 };
        split_and(a, p->qual, &q);
        if (in)
            for (int i = 0; i < in->n; i++)
                ql_add(a, &q, in->q[i]);
        p->qual = join_and(a, q.q, q.n);
        if (q.n)
            key_ranges(a, p, &q);
        if (q.n && !p->point && p->tab && !sql_syscat_is(p->tab)) {
            double rows = pl_table_rows(p->tab) * pl_quals_sel(a, p, &q);
            p->est_rows = rows < 1 ? 1 : rows;
        }
        return p;
    }
    default:
        break;
    }
    /* other nodes: optimise below, keep the conditions above */
    p->left = opt(a, p->left, NULL);
    p->right = opt(a, p->right, NULL);
    opt_expr(a, p->qual);
    for (int i = 0; i < (p->kind == P_VALUES ? p->nrows * p->ncols : p->nexprs); i++)
        opt_expr(a, p->exprs[i]);
    for (int i = 0; i < p->ngroup; i++)
        opt_expr(a, p->group[i]);
    for (int i = 0; i < p->naggs; i++) {
        opt_expr(a, p->aggs[i].args[0]);
        opt_expr(a, p->aggs[i].args[1]);
        opt_expr(a, p->aggs[i].filter);
    }
    if (p->kind == P_PROJECT && p->left && p->left->kind == P_PROJECT && in == NULL) {
        /* nothing: projections stay separate (simple and cheap) */
    }
    if (p->kind == P_SORT)
        p = pl_order_sort(a, p);
    return wrap_filter(a, p, in);
}

const plan_opts_t plan_opts_default = { true, true, true, true, true, true, 8, NULL, NULL, 0 };
static _Thread_local const plan_opts_t *cur_opts;

const plan_opts_t *pl_opts(void)
{
    return cur_opts ? cur_opts : &plan_opts_default;
}

double pl_table_rows(const sql_table_t *t)
{
    const plan_opts_t *o = pl_opts();
    if (t->rowcount_est)
        return (double)t->rowcount_est;
    if (t->hash_partitioned && o->table_rows && !sql_syscat_is(t)) {
        uint64_t n = o->table_rows(o->rows_ctx, t);
        return n ? (double)n : 1;
    }
    return 1000;
}

plan_t *plan_optimize_opts(rdb_arena_t *a, plan_t *p, const plan_opts_t *o)
{
    const plan_opts_t *saved = cur_opts; /* subqueries plan with the same switches */
    cur_opts = o ? o : saved;
    plan_t *r = opt(a, p, NULL);
    cur_opts = saved;
    return r;
}

plan_t *plan_optimize(rdb_arena_t *a, plan_t *p)
{
    return plan_optimize_opts(a, p, NULL);
}

/* ---- shared with plan_order.c and plan_join.c (planner_int.h) ---- */

void pl_quals_add(rdb_arena_t *a, pl_quals_t *l, ex_expr_t *e) { ql_add(a, l, e); }
void pl_split_and(rdb_arena_t *a, ex_expr_t *e, pl_quals_t *l) { split_and(a, e, l); }
ex_expr_t *pl_join_and(rdb_arena_t *a, ex_expr_t **q, int n) { return join_and(a, q, n); }
void pl_span(const ex_expr_t *e, int *lo, int *hi, bool *fixed) { span(e, lo, hi, fixed); }
plan_t *pl_opt(rdb_arena_t *a, plan_t *p, pl_quals_t *in) { return opt(a, p, in); }
bool pl_hash_key(rdb_arena_t *a, plan_t *j, ex_expr_t *e, int wl) { return hash_key(a, j, e, wl); }
bool pl_key_compatible(sql_type_t col, sql_type_t val) { return key_compatible(col, val); }
const ex_expr_t *pl_strip_col(const ex_expr_t *e, const plan_t *scan) { return strip_col(e, scan); }
int pl_cmp_kind(const char *op) { return cmp_kind(op); }

static void to_kbounds(const pl_bounds_t *b, kbounds_t *k)
{
    memset(k, 0, sizeof *k);
    k->eq = b->eq;
    k->neq = b->neq;
    k->lo = b->lo;
    k->hi = b->hi;
    k->lo_incl = b->lo_incl;
    k->hi_incl = b->hi_incl;
}

void pl_find_bounds(rdb_arena_t *a, const plan_t *scan, const pl_quals_t *q, int ncols,
                    const uint16_t *colids, pl_bounds_t *b)
{
    kbounds_t k;
    find_bounds(a, scan, q, ncols, colids, &k);
    b->eq = k.eq;
    b->neq = k.neq;
    b->lo = k.lo;
    b->hi = k.hi;
    b->lo_incl = k.lo_incl;
    b->hi_incl = k.hi_incl;
}

void pl_set_bounds(rdb_arena_t *a, plan_t *scan, const pl_bounds_t *b, bool desc)
{
    kbounds_t k;
    to_kbounds(b, &k);
    set_bounds(a, scan, &k, desc);
}

double pl_index_rows(const plan_t *scan, const sql_index_t *ix, const pl_bounds_t *b, bool *known)
{
    kbounds_t k;
    to_kbounds(b, &k);
    return index_rows(scan, ix, &k, known);
}
