/*
 * plan_join.c — cost-based join order and method (planner_int.h
 * pl_join_reorder).
 *
 * A tree of inner joins (INNER JOIN ... ON, comma-separated FROM items,
 * not LATERAL) over three or more relations is flattened into its
 * relations and the conjuncts of its ON and WHERE conditions.  Outer,
 * semi and anti joins and LATERAL items are never taken apart: they are
 * relations of the tree (planned inside by the rule-based path), so
 * their semantics stay.
 *
 * Estimates.  A relation's rows: a base table's rows (ANALYZE's, else
 * 1000) times the selectivity of its own conditions (plan_sel.c: MCVs,
 * histogram, n_distinct, or PostgreSQL's defaults); other relations keep
 * the planner's estimate.  A join's rows: the product of its relations'
 * rows times, per equality between columns of two relations, its
 * eqjoinsel (plan_sel.c: the MCV lists matched, else 1 / max(n_distinct
 * of the two columns); the table's rows for a column without
 * statistics), 1/3 per other condition.  These are the numbers EXPLAIN
 * shows as rows=.
 *
 * Order.  Dynamic programming over subsets of the relations (up to
 * join_collapse_limit of them, as PostgreSQL's join_collapse_limit; 1
 * keeps the written order): the cheapest plan of each subset from the
 * cheapest plans of its two parts, avoiding cross products where the
 * conditions connect the parts.  More relations: greedily, joining the
 * cheapest connected pair first.
 *
 * Methods, per pair (cost in rows read, a sequential row = 1):
 *   hash join      both inputs, the right one hashed (needs an equality
 *                  between the two sides); it becomes a merge join where
 *                  plan_merge.c finds that cheaper;
 *   nested loop    the right side read again per left row (materialised);
 *   index nested   the right side a base table probed per left row through
 *   loop           its primary key or a secondary index whose leading
 *                  columns the join's equalities give: a LATERAL join
 *                  whose inner Index Scan's key reads the outer row.
 * enable_hashjoin (with enable_mergejoin) / enable_nestloop off make a
 * method cost 1e10 more.
 *
 * The result has the written column order: a projection above puts the
 * columns back where the binder (and every expression above) expects
 * them.
 */
#include <string.h>

#include "exec/planner_int.h"
#include "sql/analyze.h"
#include "sql/syscat.h"

#define MAXREL   32
#define DP_MAX   10          /* subsets: 2^10 plans at most              */
#define DISABLED 1e10
#define COST_INDEX_ROW 4.0   /* index entry + row fetch                  */
#define COST_PROBE 4.0       /* one index descent                        */

enum { M_LEAF, M_HASH, M_NEST, M_INDEX };

typedef struct rel {
    plan_t *orig;        /* the relation as bound (a copy if a scan)     */
    plan_t *best;        /* optimised with its own conditions            */
    int     off, w;      /* its columns in the join's row                */
    double  rows, cost;
    double  base;        /* a scan: the table's rows                     */
    pl_quals_t own;      /* its own conditions, over its row             */
} rel_t;

typedef struct conj {
    ex_expr_t *e;        /* over the join's row */
    uint32_t   mask;     /* relations it reads  */
    double     sel;
} conj_t;

typedef struct jnode jnode_t;
struct jnode {
    uint32_t mask;
    int      method, leaf;
    jnode_t *l, *r;
    double   rows, cost;
    int      inv;        /* pairs of relations out of their written order */
    /* M_INDEX: the key (NULL index: the primary key) and its equalities */
    const sql_index_t *ix;
    int      nkey;
};

typedef struct jctx {
    rdb_arena_t *a;
    plan_t      *j;
    int          nrel, nconj, capconj;
    rel_t        rel[MAXREL];
    conj_t      *conj;
    int         *relof;  /* column of the join's row -> relation */
    bool         abort;
} jctx_t;

/* ---- flattening --------------------------------------------------------- */

static bool has_sublink(const ex_expr_t *e)
{
    if (!e)
        return false;
    if (e->kind == EX_SUBLINK)
        return true;
    for (int i = 0; i < e->nargs; i++)
        if (has_sublink(e->args[i]))
            return true;
    return false;
}

static bool has_outer(const ex_expr_t *e)
{
    if (!e)
        return false;
    if (e->kind == EX_OUTER || e->kind == EX_SUBLINK)
        return true;
    for (int i = 0; i < e->nargs; i++)
        if (has_outer(e->args[i]))
            return true;
    return false;
}

static void add_conj(jctx_t *c, ex_expr_t *e)
{
    if (c->nconj == c->capconj) {
        c->capconj = c->capconj ? c->capconj * 2 : 16;
        c->conj = rdb_arena_grow(c->a, c->conj, (size_t)c->nconj, (size_t)c->capconj, sizeof *c->conj);
    }
    c->conj[c->nconj++] = (conj_t){ e, 0, 1 };
}

static bool is_inner_join(const plan_t *p)
{
    return p->kind == P_JOIN && (p->jointype == J_INNER || p->jointype == J_CROSS) && !p->lateral &&
           p->left && p->right;
}

static void flatten(jctx_t *c, plan_t *p, int off)
{
    if (c->abort)
        return;
    if (is_inner_join(p)) {
        pl_quals_t own = { 0 };
        pl_split_and(c->a, p->qual, &own);
        for (int i = 0; i < own.n; i++) {
            ex_expr_t *s;
            if (!ex_shift(c->a, own.q[i], off, c->j->ncols, &s)) {
                c->abort = true;
                return;
            }
            add_conj(c, s);
        }
        flatten(c, p->left, off);
        flatten(c, p->right, off + p->left->ncols);
        return;
    }
    if (c->nrel == MAXREL || (p->kind == P_JOIN && p->lateral)) {
        c->abort = true;
        return;
    }
    rel_t *r = &c->rel[c->nrel++];
    memset(r, 0, sizeof *r);
    r->orig = p;
    r->off = off;
    r->w = p->ncols;
}

/* The relations e's columns belong to; false if e may not move. */
static bool conj_mask(jctx_t *c, const ex_expr_t *e, uint32_t *mask)
{
    if (!e)
        return true;
    if (e->kind == EX_COL) {
        if (e->idx < 0 || e->idx >= c->j->ncols)
            return false;
        *mask |= 1u << c->relof[e->idx];
    }
    if ((e->kind == EX_SUBLINK && e->correlated) || e->kind == EX_NEXTVAL ||
        (e->kind == EX_FUNC && e->fn->volatile_))
        return false;
    for (int i = 0; i < e->nargs; i++)
        if (!ex_arg_over_sub(e, i) && !conj_mask(c, e->args[i], mask))
            return false;
    return true;
}

/* ---- estimates ---------------------------------------------------------- */

static const sql_column_t *scan_col(const plan_t *scan, const ex_expr_t *e, int delta)
{
    if (!scan || scan->kind != P_SCAN || !scan->tab || sql_syscat_is(scan->tab))
        return NULL;
    const ex_expr_t *col = pl_strip_col(e, scan);
    if (!col)
        return NULL;
    int id = col->idx - delta;
    if (id < 0 || id >= scan->tab->nrowcols)
        return NULL;
    return sql_table_column_by_id(scan->tab, (uint16_t)id);
}

static bool is_eq(const ex_expr_t *e)
{
    return e->kind == EX_FUNC && e->nargs == 2 && e->fn->name && strcmp(e->fn->name, "=") == 0;
}

static void rel_estimate(jctx_t *c, rel_t *r)
{
    plan_t *b = r->best;
    if (b->kind == P_SCAN && b->tab && !sql_syscat_is(b->tab)) {
        r->base = pl_table_rows(b->tab);
        double rows = r->base * pl_quals_sel(c->a, b, &r->own);
        if (b->point)
            rows = rows < 1 ? rows : 1;
        r->rows = rows < 1 ? 1 : rows;
        r->cost = b->point ? 1 : b->index ? b->est_rows * COST_INDEX_ROW
                : (b->nlo || b->nhi) && !b->tab->hash_partitioned ? b->est_rows : r->base;
        b->est_rows = r->rows;
    } else {
        r->rows = b->est_rows > 1 ? b->est_rows : 1;
        r->cost = r->rows;
    }
}

/* The n_distinct of the column e reads (a scan's), else its table's rows
 * (or 0: unknown). */
static double col_nd(jctx_t *c, const ex_expr_t *e)
{
    int lo = 1 << 30, hi = -1;
    bool fx = false;
    pl_span(e, &lo, &hi, &fx);
    if (hi < 0)
        return 0;
    rel_t *r = &c->rel[c->relof[hi]];
    const sql_column_t *col = scan_col(r->orig, e, r->off);
    if (col && col->n_distinct > 0)
        return col->n_distinct;
    if (col) {
        /* no statistics: a one-column key is unique, else PostgreSQL's
         * default of 200 distinct values */
        const sql_table_t *t = r->orig->tab;
        if (t->npk == 1 && t->pk_colids[0] == col->colid)
            return r->base;
        for (int i = 0; i < t->nindexes; i++)
            if (t->indexes[i].unique && t->indexes[i].ncols == 1 && t->indexes[i].colids[0] == col->colid)
                return r->base;
        return r->base < 200 ? r->base : 200;
    }
    return r->rows < 200 ? r->rows : 200;
}

/* The analysed column of a scan that e (over the join's row) reads. */
static const sql_column_t *stat_col(jctx_t *c, const ex_expr_t *e)
{
    int lo = 1 << 30, hi = -1;
    bool fx = false;
    pl_span(e, &lo, &hi, &fx);
    if (hi < 0)
        return NULL;
    rel_t *r = &c->rel[c->relof[hi]];
    const sql_column_t *col = scan_col(r->orig, e, r->off);
    return col && r->orig->tab->rowcount_est ? col : NULL;
}

static void conj_estimate(jctx_t *c, conj_t *k)
{
    k->sel = 1.0 / 3;
    double s = is_eq(k->e) ? pl_eqjoin_sel(stat_col(c, k->e->args[0]), stat_col(c, k->e->args[1])) : -1;
    if (s >= 0) {
        k->sel = s;
    } else if (is_eq(k->e)) {
        double a = col_nd(c, k->e->args[0]), b = col_nd(c, k->e->args[1]);
        double nd = a > b ? a : b;
        if (nd >= 1)
            k->sel = 1 / nd;
    }
}

static int popcount(uint32_t m)
{
    return __builtin_popcount(m);
}

static double set_rows(jctx_t *c, uint32_t s)
{
    double rows = 1;
    for (int i = 0; i < c->nrel; i++)
        if (s & (1u << i))
            rows *= c->rel[i].rows;
    for (int i = 0; i < c->nconj; i++)
        if (popcount(c->conj[i].mask) > 1 && (c->conj[i].mask & ~s) == 0)
            rows *= c->conj[i].sel;
    return rows < 1 ? 1 : rows;
}

static bool connected(jctx_t *c, uint32_t l, uint32_t r)
{
    for (int i = 0; i < c->nconj; i++) {
        uint32_t m = c->conj[i].mask;
        if ((m & l) && (m & r) && (m & ~(l | r)) == 0)
            return true;
    }
    return false;
}

/* Is there an equality usable as a hash key between l and r? */
static bool hashable(jctx_t *c, uint32_t l, uint32_t r)
{
    for (int i = 0; i < c->nconj; i++) {
        const conj_t *k = &c->conj[i];
        if (!is_eq(k->e) || (k->mask & ~(l | r)) || !(k->mask & l) || !(k->mask & r))
            continue;
        if (k->e->args[0]->type.oid != k->e->args[1]->type.oid)
            continue;
        uint32_t m0 = 0, m1 = 0;
        conj_mask(c, k->e->args[0], &m0);
        conj_mask(c, k->e->args[1], &m1);
        if (m0 && m1 && (((m0 & ~l) == 0 && (m1 & ~r) == 0) || ((m0 & ~r) == 0 && (m1 & ~l) == 0)))
            return true;
    }
    return false;
}

/* The equality conjuncts giving inner relation ri's column colid a value
 * from relations l: the conjunct's index, and which side is ri's column. */
static int key_conj(jctx_t *c, uint32_t l, int ri, uint16_t colid, int *side)
{
    rel_t *r = &c->rel[ri];
    for (int i = 0; i < c->nconj; i++) {
        const conj_t *k = &c->conj[i];
        if (!is_eq(k->e) || !(k->mask & (1u << ri)) || (k->mask & ~(l | (1u << ri))) || !(k->mask & l))
            continue;
        for (int s = 0; s < 2; s++) {
            const ex_expr_t *col = pl_strip_col(k->e->args[s], r->orig);
            uint32_t mo = 0;
            if (!col || col->idx - r->off != colid || !conj_mask(c, k->e->args[1 - s], &mo) || !mo ||
                (mo & ~l) || has_outer(k->e->args[1 - s]))
                continue;
            if (!pl_key_compatible(r->orig->types[colid], k->e->args[1 - s]->type))
                continue;
            *side = s;
            return i;
        }
    }
    return -1;
}

/* The best key of inner relation ri for probes from l: sets n->ix,
 * n->nkey; the rows one probe finds, or -1 if none. */
static double index_probe(jctx_t *c, uint32_t l, int ri, jnode_t *n)
{
    rel_t *r = &c->rel[ri];
    const plan_t *s = r->orig;
    if (s->kind != P_SCAN || !s->tab || sql_syscat_is(s->tab) || !pl_opts()->indexscan)
        return -1;
    /* the inner side runs under the outer row's frame: no outer
     * references of its own (they would read that frame) */
    for (int i = 0; i < r->own.n; i++)
        if (has_outer(r->own.q[i]))
            return -1;
    for (int i = 0; i < c->nconj; i++) {
        uint32_t m = c->conj[i].mask;
        if ((m & (1u << ri)) && (m & l) && !(m & ~(l | (1u << ri))) && has_outer(c->conj[i].e))
            return -1;
    }
    const sql_table_t *t = s->tab;
    double best = -1;
    int side;
    if (t->npk) {
        int k = 0;
        while (k < t->npk && key_conj(c, l, ri, t->pk_colids[k], &side) >= 0)
            k++;
        if (k == t->npk) {
            n->ix = NULL;
            n->nkey = k;
            return 1;
        }
        if (k > 0 && !t->hash_partitioned) {
            n->ix = NULL;
            n->nkey = k;
            best = pl_table_rows(t) / 10 + 1;
        }
    }
    for (int i = 0; i < t->nindexes; i++) {
        const sql_index_t *ix = &t->indexes[i];
        if (ix == t->pk_index || ix->id == t->pk_index_id)
            continue;
        int k = 0;
        while (k < ix->ncols && key_conj(c, l, ri, ix->colids[k], &side) >= 0)
            k++;
        if (k == 0)
            continue;
        pl_bounds_t b = { 0 };
        b.neq = k;
        bool known;
        double rows = pl_index_rows(s, ix, &b, &known);
        if (best < 0 || rows < best) {
            best = rows;
            n->ix = ix;
            n->nkey = k;
        }
    }
    return best;
}

/* ---- search --------------------------------------------------------------- */

static jnode_t *leaf_node(jctx_t *c, int i)
{
    jnode_t *n = RDB_ARENA_NEW(c->a, jnode_t);
    n->mask = 1u << i;
    n->method = M_LEAF;
    n->leaf = i;
    n->rows = c->rel[i].rows;
    n->cost = c->rel[i].cost;
    return n;
}

/* The cheapest way to join l (outer) with r (inner), or NULL. */
static jnode_t *join_cost(jctx_t *c, jnode_t *l, jnode_t *r, double rows)
{
    const plan_opts_t *o = pl_opts();
    jnode_t *n = RDB_ARENA_NEW(c->a, jnode_t);
    n->mask = l->mask | r->mask;
    n->l = l;
    n->r = r;
    n->rows = rows;
    n->inv = l->inv + r->inv;
    for (int i = 0; i < c->nrel; i++)
        if (r->mask & (1u << i))
            n->inv += popcount(l->mask & ~((2u << i) - 1));
    double out = rows * 0.1;
    /* nested loop, the inner side materialised */
    n->method = M_NEST;
    n->cost = l->cost + r->cost + l->rows * r->rows * 0.2 + out + (o->nestloop ? 0 : DISABLED);
    if (hashable(c, l->mask, r->mask)) {
        /* a hash join, or a merge join where that costs less (plan_merge.c) */
        double h = l->cost + r->cost + l->rows * 0.1 + r->rows * 0.5 + out +
                   (o->hashjoin || o->mergejoin ? 0 : DISABLED);
        if (h < n->cost) {
            n->method = M_HASH;
            n->cost = h;
        }
    }
    if (r->method == M_LEAF) {
        jnode_t probe = { 0 };
        double per = index_probe(c, l->mask, r->leaf, &probe);
        if (per >= 0) {
            double ic = l->cost + l->rows * (COST_PROBE + per * COST_INDEX_ROW) + out +
                        (o->nestloop ? 0 : DISABLED);
            if (ic < n->cost) {
                n->method = M_INDEX;
                n->cost = ic;
                n->ix = probe.ix;
                n->nkey = probe.nkey;
            }
        }
    }
    return n;
}

/* Is j better than b?  Costs within 2% of each other count as a tie,
 * which the plan closer to the written order wins (the order a user
 * wrote is kept where the estimates cannot tell). */
static bool better(const jnode_t *j, const jnode_t *b)
{
    if (!b)
        return true;
    if (j->cost < b->cost * 0.98)
        return true;
    if (j->cost > b->cost * 1.02)
        return false;
    return j->inv != b->inv ? j->inv < b->inv : j->cost < b->cost;
}

static jnode_t *dp(jctx_t *c)
{
    int n = c->nrel;
    uint32_t full = (n == 32) ? 0xffffffffu : (1u << n) - 1;
    jnode_t **best = RDB_ARENA_NEWN(c->a, jnode_t *, (size_t)full + 1);
    for (int i = 0; i < n; i++)
        best[1u << i] = leaf_node(c, i);
    for (uint32_t s = 1; s <= full; s++) {
        if (popcount(s) < 2)
            continue;
        double rows = set_rows(c, s);
        for (int pass = 0; pass < 2 && !best[s]; pass++) {
            for (uint32_t l = (s - 1) & s; l; l = (l - 1) & s) {
                uint32_t r = s ^ l;
                if (!best[l] || !best[r])
                    continue;
                if (pass == 0 && !connected(c, l, r))
                    continue;
                jnode_t *j = join_cost(c, best[l], best[r], rows);
                if (better(j, best[s]))
                    best[s] = j;
            }
        }
    }
    return best[full];
}

static jnode_t *greedy(jctx_t *c)
{
    jnode_t *comp[MAXREL];
    int n = c->nrel;
    for (int i = 0; i < n; i++)
        comp[i] = leaf_node(c, i);
    while (n > 1) {
        jnode_t *bestj = NULL;
        int bi = -1, bk = -1;
        for (int pass = 0; pass < 2 && !bestj; pass++)
            for (int i = 0; i < n; i++)
                for (int k = 0; k < n; k++) {
                    if (i == k || (pass == 0 && !connected(c, comp[i]->mask, comp[k]->mask)))
                        continue;
                    jnode_t *j = join_cost(c, comp[i], comp[k], set_rows(c, comp[i]->mask | comp[k]->mask));
                    if (better(j, bestj)) {
                        bestj = j;
                        bi = i;
                        bk = k;
                    }
                }
        comp[bi] = bestj;
        comp[bk] = comp[--n];
    }
    return comp[0];
}

/* ---- building ------------------------------------------------------------- */

/* Copy of e (over the join's row) with each EX_COL c at map[c] (a column
 * of another relation: EX_OUTER levels up 1 at outer[c] when outer). */
static ex_expr_t *remap(rdb_arena_t *a, const ex_expr_t *e, const int *map, const int *outer)
{
    ex_expr_t *x = rdb_arena_memdup(a, e, sizeof *e);
    if (e->kind == EX_COL) {
        if (map[e->idx] >= 0) {
            x->idx = map[e->idx];
        } else {
            x->kind = EX_OUTER;
            x->levelsup = 1;
            x->idx = outer[e->idx];
        }
    }
    if (e->nargs) {
        x->args = RDB_ARENA_NEWN(a, ex_expr_t *, e->nargs);
        for (int i = 0; i < e->nargs; i++)
            x->args[i] = ex_arg_over_sub(e, i) ? e->args[i] : remap(a, e->args[i], map, outer);
    }
    return x;
}

static void copy_cols(plan_t *d, int at, const plan_t *s)
{
    memcpy(d->types + at, s->types, sizeof(sql_type_t) * s->ncols);
    memcpy(d->names + at, s->names, sizeof(char *) * s->ncols);
    memcpy(d->col_table + at, s->col_table, sizeof(uint32_t) * s->ncols);
    memcpy(d->col_attnum + at, s->col_attnum, sizeof(int16_t) * s->ncols);
}

/* Positions of the join's columns in n's row (-1: not in n). */
static void layout(jctx_t *c, const jnode_t *n, int *map, int *at)
{
    if (n->method == M_LEAF) {
        const rel_t *r = &c->rel[n->leaf];
        for (int i = 0; i < r->w; i++)
            map[r->off + i] = (*at)++;
        return;
    }
    layout(c, n->l, map, at);
    layout(c, n->r, map, at);
}

/* The inner scan of an index nested loop: relation ri with its own
 * conditions and the join's conditions reading it and the outer side
 * (as outer references), keyed by the equalities of n's key. */
static plan_t *index_inner(jctx_t *c, const jnode_t *n, int ri, const int *lmap)
{
    rdb_arena_t *a = c->a;
    rel_t *r = &c->rel[ri];
    int W = c->j->ncols;
    int *map = RDB_ARENA_NEWN(a, int, W);
    for (int i = 0; i < W; i++)
        map[i] = -1;
    for (int i = 0; i < r->w; i++)
        map[r->off + i] = i;
    plan_t *s = rdb_arena_memdup(a, r->orig, sizeof *r->orig);
    pl_quals_t own = r->own;
    s = pl_opt(a, s, &own);   /* its own conditions (and their key range) */
    pl_quals_t q = { 0 };
    pl_split_and(a, s->qual, &q);
    const sql_table_t *t = s->tab;
    const uint16_t *kc = n->ix ? n->ix->colids : t->pk_colids;
    ex_expr_t **vals = RDB_ARENA_NEWN(a, ex_expr_t *, n->nkey + 1);
    uint32_t lmask = n->l->mask;
    for (int i = 0; i < c->nconj; i++) {
        const conj_t *k = &c->conj[i];
        if (!(k->mask & (1u << ri)) || !(k->mask & lmask) || (k->mask & ~(lmask | (1u << ri))))
            continue;
        ex_expr_t *e = remap(a, k->e, map, lmap);
        pl_quals_add(a, &q, e);
        for (int key = 0; key < n->nkey; key++) {
            int side;
            if (!vals[key] && key_conj(c, lmask, ri, kc[key], &side) == i)
                vals[key] = e->args[1 - side];
        }
    }
    s->qual = pl_join_and(a, q.q, q.n);
    s->lo = s->hi = NULL;
    s->nlo = s->nhi = 0;
    s->point = false;
    s->kset = NULL; /* its conjunct stays in qual: the join's key reads instead */
    if (!n->ix && n->nkey == t->npk) {
        s->index = NULL;
        s->point = true;
        s->nkey = t->npk;
        s->lo = vals;
        s->nlo = t->npk;
    } else {
        pl_bounds_t b = { vals, n->nkey, NULL, NULL, false, false };
        s->index = n->ix;
        pl_set_bounds(a, s, &b, false);
    }
    s->est_rows = n->rows / (n->l->rows > 1 ? n->l->rows : 1);
    return s;
}

static plan_t *build(jctx_t *c, const jnode_t *n, bool *used)
{
    rdb_arena_t *a = c->a;
    if (n->method == M_LEAF)
        return c->rel[n->leaf].best;
    plan_t *l = build(c, n->l, used);
    int W = c->j->ncols, at = 0;
    int *map = RDB_ARENA_NEWN(a, int, W), *lmap = RDB_ARENA_NEWN(a, int, W);
    for (int i = 0; i < W; i++)
        map[i] = lmap[i] = -1;
    layout(c, n->l, lmap, &at);
    int wl = at;
    plan_t *r;
    if (n->method == M_INDEX) {
        r = index_inner(c, n, n->r->leaf, lmap);
        for (int i = 0; i < c->nconj; i++) {
            uint32_t m = c->conj[i].mask;
            if ((m & n->r->mask) && (m & n->l->mask) && !(m & ~n->mask))
                used[i] = true;
        }
    } else {
        r = build(c, n->r, used);
    }
    at = 0;
    layout(c, n, map, &at);
    plan_t *j = plan_new(a, P_JOIN, l->ncols + r->ncols);
    copy_cols(j, 0, l);
    copy_cols(j, l->ncols, r);
    j->left = l;
    j->right = r;
    j->jointype = J_INNER;
    j->est_rows = n->rows;
    j->lateral = n->method == M_INDEX;
    pl_quals_t resid = { 0 };
    for (int i = 0; i < c->nconj; i++) {
        uint32_t m = c->conj[i].mask;
        if (used[i] || (m & ~n->mask) || (!(m & n->l->mask) || !(m & n->r->mask)))
            continue;
        used[i] = true;
        ex_expr_t *e = remap(a, c->conj[i].e, map, NULL);
        if (n->method != M_HASH || !pl_hash_key(a, j, e, wl))
            pl_quals_add(a, &resid, e);
    }
    j->qual = pl_join_and(a, resid.q, resid.n);
    if (n->method == M_HASH && j->nkeys)
        pl_merge_join(a, j);
    if (!j->qual && !j->nkeys && !j->lateral)
        j->jointype = J_CROSS;
    return j;
}

plan_t *pl_join_reorder(rdb_arena_t *a, plan_t *j, pl_quals_t *in)
{
    const plan_opts_t *o = pl_opts();
    if (o->join_collapse_limit <= 1 || !is_inner_join(j))
        return NULL;
    jctx_t *c = RDB_ARENA_NEW(a, jctx_t);
    memset(c, 0, sizeof *c);
    c->a = a;
    c->j = j;
    for (int i = 0; in && i < in->n; i++)
        add_conj(c, in->q[i]);
    flatten(c, j, 0);
    if (c->abort || c->nrel < 3)
        return NULL;
    c->relof = RDB_ARENA_NEWN(a, int, j->ncols);
    for (int i = 0; i < c->nrel; i++)
        for (int k = 0; k < c->rel[i].w; k++)
            c->relof[c->rel[i].off + k] = i;
    /* every conjunct must be movable; one relation's go down to it */
    for (int i = 0; i < c->nconj; i++) {
        conj_t *k = &c->conj[i];
        if (!conj_mask(c, k->e, &k->mask))
            return NULL;
        if (popcount(k->mask) != 1 && has_sublink(k->e))
            return NULL;
    }
    for (int i = 0; i < c->nrel; i++) {
        rel_t *r = &c->rel[i];
        for (int k = 0; k < c->nconj; k++) {
            ex_expr_t *s;
            if (c->conj[k].mask != 1u << i)
                continue;
            if (!ex_shift(a, c->conj[k].e, -r->off, r->w, &s))
                return NULL;
            pl_quals_add(a, &r->own, s);
        }
    }
    /* from here on the relations are planned: no way back */
    for (int i = 0; i < c->nrel; i++) {
        rel_t *r = &c->rel[i];
        if (r->orig->kind == P_SCAN)
            r->orig = rdb_arena_memdup(a, r->orig, sizeof *r->orig);
        plan_t *copy = r->orig->kind == P_SCAN ? rdb_arena_memdup(a, r->orig, sizeof *r->orig) : r->orig;
        pl_quals_t own = r->own;
        r->best = pl_opt(a, copy, &own);
        rel_estimate(c, r);
    }
    for (int i = 0; i < c->nconj; i++)
        if (popcount(c->conj[i].mask) > 1)
            conj_estimate(c, &c->conj[i]);
    int limit = o->join_collapse_limit < DP_MAX ? o->join_collapse_limit : DP_MAX;
    jnode_t *root = c->nrel <= limit ? dp(c) : greedy(c);
    bool *used = RDB_ARENA_NEWN(a, bool, c->nconj + 1);
    plan_t *top = build(c, root, used);
    /* conditions over no column (or left over): above the joins */
    pl_quals_t rest = { 0 };
    int W = j->ncols, at = 0;
    int *map = RDB_ARENA_NEWN(a, int, W);
    layout(c, root, map, &at);
    for (int i = 0; i < c->nconj; i++)
        if (!used[i] && popcount(c->conj[i].mask) != 1)
            pl_quals_add(a, &rest, remap(a, c->conj[i].e, map, NULL));
    if (rest.n) {
        plan_t *f = plan_new(a, P_FILTER, top->ncols);
        copy_cols(f, 0, top);
        f->left = top;
        f->qual = pl_join_and(a, rest.q, rest.n);
        f->est_rows = top->est_rows;
        top = f;
    }
    bool ident = true;
    for (int i = 0; i < W; i++)
        ident &= map[i] == i;
    if (ident)
        return top;
    plan_t *p = plan_new(a, P_PROJECT, W);
    copy_cols(p, 0, j);
    p->left = top;
    p->nexprs = W;
    p->exprs = RDB_ARENA_NEWN(a, ex_expr_t *, W);
    for (int i = 0; i < W; i++)
        p->exprs[i] = ex_col(a, map[i], j->types[i]);
    p->est_rows = top->est_rows;
    return p;
}
