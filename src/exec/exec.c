/*
 * exec.c — the operators (exec.h).
 *
 * Each plan node kind has an open/next/close triple over an ex_node_t.
 * Per-row memory: every node owns a row arena reset at each next, so a
 * scan of a million rows runs in constant memory; memory kept across rows
 * (hash tables, sort buffers, materialised join inputs, distinct sets)
 * goes to the run's arena and is checked against the budget.
 *
 * Joins are hashjoin.h's (a hash join spilling to grace partitions, a
 * nested loop over a tuplestore), except LATERAL joins, which run their
 * right side again per left row here.  Set operations, DISTINCT / ORDER BY
 * aggregates and WITH RECURSIVE keep rows in memory up to work_mem and go
 * on disk beyond it (setop.h, aggsort.h, tstore.h).  Sort with a LIMIT
 * keeps only the best offset+limit rows (top-N) in a bounded heap.  Hash
 * aggregation keeps one set of aggregate states per group (DISTINCT
 * aggregates add a set of seen argument values per group).  A node the
 * planner marked parallel (plan.h) runs its input as token slices on
 * threads (parallel.h) and merges what the slices kept.
 */
#include "exec/ex_array.h"
#include "exec/exec.h"
#include "sql/array.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "common/hash.h"
#include "common/mem.h"
#include "sql/ast.h"
#include "sql/table.h"
#include "sql/tabstat.h"
#include "exec/aggspill.h"
#include "exec/extsort.h"
#include "exec/hashjoin.h"
#include "exec/nlbatch.h"
#include "exec/setop.h"
#include "exec/aggsort.h"
#include "exec/tstore.h"
#include "exec/parallel.h"
#include "exec/window.h"
#include "exec/rowset.h"
#include "exec/explain.h"
#include "exec/lockrows.h"
#include "exec/keyset.h"
#include "common/clock.h"
#include "exec/sysscan.h"
#include "sql/syscat.h"

/* ---- a hash table of rows ------------------------------------------- */

typedef struct rh_entry {
    struct rh_entry *next;
    uint64_t         hash;
    sql_value_t     *key;     /* nkey values */
    sql_value_t     *row;     /* the row kept, may equal key's owner */
    void            *extra;   /* aggregate states, counts, ... */
    int64_t          count;
    bool             matched;
    struct rh_entry *chain;   /* insertion order */
} rh_entry_t;

typedef struct rowhash {
    rh_entry_t **b;
    size_t       nb, n;
    rh_entry_t  *first, *last;
    int          nkey;
    const sql_type_t *types;
} rowhash_t;

static uint64_t key_hash(const sql_type_t *types, int n, const sql_value_t *k)
{
    return ex_key_hash(types, n, k);
}

static bool key_eq(const sql_type_t *types, int n, const sql_value_t *a, const sql_value_t *b)
{
    return ex_key_eq(types, n, a, b);
}

static void rh_init(rowhash_t *h, rdb_arena_t *a, int nkey, const sql_type_t *types)
{
    memset(h, 0, sizeof *h);
    h->nb = 64;
    h->b = rdb_arena_calloc(a, sizeof(rh_entry_t *) * h->nb);
    h->nkey = nkey;
    h->types = types;
}

static rh_entry_t *rh_find(rowhash_t *h, const sql_value_t *key, uint64_t hash)
{
    for (rh_entry_t *e = h->b[hash & (h->nb - 1)]; e; e = e->next)
        if (e->hash == hash && key_eq(h->types, h->nkey, e->key, key))
            return e;
    return NULL;
}

/* Insert a new entry (the caller checked it is absent, or wants duplicates). */
static rh_entry_t *rh_add(rowhash_t *h, rdb_arena_t *a, sql_value_t *key, uint64_t hash)
{
    if (h->n >= h->nb) {
        size_t nb = h->nb * 2;
        rh_entry_t **b = rdb_arena_calloc(a, sizeof(rh_entry_t *) * nb);
        for (rh_entry_t *e = h->first; e; e = e->chain) {
            e->next = b[e->hash & (nb - 1)];
            b[e->hash & (nb - 1)] = e;
        }
        h->b = b;
        h->nb = nb;
    }
    rh_entry_t *e = RDB_ARENA_NEW(a, rh_entry_t);
    e->hash = hash;
    e->key = key;
    e->next = h->b[hash & (h->nb - 1)];
    h->b[hash & (h->nb - 1)] = e;
    if (h->last)
        h->last->chain = e;
    else
        h->first = e;
    h->last = e;
    h->n++;
    return e;
}

/* ---- nodes ---------------------------------------------------------- */

/* Keys read together by a scan done as point lookups (sql_table_get_many) */
#define EX_PT_BATCH 256

struct ex_node {
    const plan_t *p;
    ex_run_t     *r;
    ex_node_t    *l, *rt;
    rdb_arena_t   ra;         /* per-row memory */
    sql_value_t  *out;        /* output row buffer (ncols) */
    bool          started, done;
    int64_t       pos, count;
    /* scan */
    sql_scan_t   *scan;
    rdb_arena_t   sa;
    sql_value_t  *srow;
    /* join */
    rowhash_t     ht;
    const sql_value_t *lrow;
    bool          lmatched;
    sql_value_t  *lkey;
    /* sort / agg / distinct results */
    sql_value_t **rows;
    int64_t       nrows, caprows;
    int64_t       limit, offset;
    rh_entry_t   *it;
    /* series; scan as point lookups */
    int64_t       s_cur, s_stop, s_step;
    bool          pt_mode;
    /* scan as point lookups (pt_mode): the keys are s_cur..s_stop (an
     * integer range) or pt_keys[pt_next..pt_nkeys) (npk values each); they
     * are read EX_PT_BATCH at a time into pt_rows / pt_found (in pa) */
    sql_value_t  *pt_keys;
    int64_t       pt_nkeys, pt_next;
    sql_value_t  *pt_rows;
    bool         *pt_found;
    int           pt_n, pt_pos;
    rdb_arena_t   pa;
    const ex_expr_t *pt_qual;  /* qual without the conjuncts the keys imply */
    /* window (exec/window.c) */
    struct ex_window *win;
    /* recursive union: rows of the last round (wts) and of this one (nts) */
    struct ex_tstore *wts, *nts;
    struct ex_rowset *seen;   /* UNION: every row returned (rowset.h) */
    bool          recursing;
    /* EXPLAIN ANALYZE counters of this node's plan (explain.c) */
    struct ex_instr *ins;
    bool          ins_first;   /* a next returned already */
    sql_value_t  *frame;       /* lateral join at frame_off > 0 */
    /* sort without a bound: external merge beyond work_mem (extsort.h) */
    ex_sort_t    *xs;
    /* set-returning functions (exec/srf.c) */
    struct ex_srfscan *srf;
    /* scan: the columns to decode (NULL = all; scan_need_cols) */
    bool         *need;
    /* ordered scan with nulls_moved: the second pass (plan.h) */
    sql_scan_range_t *scan_then;
    /* scan as point lookups in slices: their rows (points_parallel) */
    struct ex_par *par;
    /* scan: 's' full, 'i' by key or index (pg_stat counters at close), rows read */
    char          st_kind;
    int64_t       st_read;
    /* hash aggregate / DISTINCT: groups in ga, spilled beyond hash memory */
    rdb_arena_t   ga;
    struct ex_hspill *hs;     /* aggspill.h; NULL until the first spill */
    bool          spilling, from_spill;
    bool         *par_overflow; /* a parallel slice's aggregate: set instead of spilling */
    /* join, not LATERAL (hashjoin.h) */
    struct ex_join *join;
    /* LATERAL join in batches (nlbatch.h) */
    struct ex_nlb *nlb;
    /* scan: the rows a LIMIT right above wants (0: not known) */
    int           ahead;
    /* set operation beyond hash memory (setop.h) */
    struct ex_msetop *ms;
    /* aggregate: the DISTINCT / ORDER BY inputs moved to sorts (aggsort.h) */
    struct ex_aggsort **aggsorts;
    int           naggsorts, capaggsorts, aggsort_active;
};

static void *ra_alloc_row(ex_node_t *n, int ncols)
{
    /* the node's own arena: a node opened again and again (a recursive
     * term per round, a LATERAL side per row) must not grow the run's */
    return rdb_arena_calloc(&n->sa, sizeof(sql_value_t) * (size_t)(ncols ? ncols : 1));
}

static bool tick(ex_node_t *n)
{
    if ((++n->r->tick & 255) == 0 && ex_check(n->r) != RDB_OK)
        return false;
    return true;
}

static rdb_status_t eval_int(ex_run_t *r, const ex_expr_t *e, int64_t *out, bool *isnull)
{
    rdb_arena_t a;
    rdb_arena_init(&a, 0);
    sql_value_t v;
    rdb_status_t rc = ex_eval(r, e, NULL, &a, &v);
    if (rc == RDB_OK) {
        *isnull = v.isnull;
        *out = v.isnull ? 0 : v.u.i;
    }
    rdb_arena_destroy(&a);
    return rc;
}

/* Evaluate a key bound and convert it to the key column's type. */
static rdb_status_t key_value(ex_run_t *r, const ex_expr_t *e, sql_type_t coltype, rdb_arena_t *a,
                              sql_value_t *out, bool *usable)
{
    *usable = true;
    if (ex_eval(r, e, NULL, a, out) != RDB_OK)
        return RDB_SQL;
    if (out->isnull) {
        *usable = false;
        return RDB_OK;
    }
    if (coltype.oid == SQL_OID_INT2 && (out->u.i < INT16_MIN || out->u.i > INT16_MAX))
        *usable = false;
    if (coltype.oid == SQL_OID_INT4 && (out->u.i < INT32_MIN || out->u.i > INT32_MAX))
        *usable = false;
    return RDB_OK;
}

/* A range bound v (usable false from key_value: beyond an int2 / int4
 * key's range) moved to the nearest value the type holds: -1 when it was
 * below the range (v is now the least value), 1 above it (the greatest),
 * 0 when it is not such a bound (left alone). */
static int clamp_bound(sql_type_t t, sql_value_t *v)
{
    int64_t min = t.oid == SQL_OID_INT2 ? INT16_MIN : INT32_MIN, max = t.oid == SQL_OID_INT2 ? INT16_MAX : INT32_MAX;
    if (t.oid != SQL_OID_INT2 && t.oid != SQL_OID_INT4)
        return 0;
    if (v->u.i < min) {
        v->u.i = min;
        return -1;
    }
    if (v->u.i > max) {
        v->u.i = max;
        return 1;
    }
    return 0;
}

static bool par_now(const ex_node_t *n);

/* A range done as point lookups in slices of keys (plan.h `parallel` on a
 * scan): each slice reads its consecutive keys and keeps the rows that
 * pass; the caller hands them out slice by slice, so in key order. */
typedef struct par_points {
    const plan_t  *p;
    int64_t        a, b;       /* the whole range */
    const ex_expr_t *qual;     /* the scan's qual less what the keys imply */
    int            nparts;
    sql_value_t ***rows;       /* per part */
    int64_t       *nrows;
} par_points_t;

static rdb_status_t points_part(ex_run_t *wr, int part, void *arg)
{
    par_points_t *pp = arg;
    const plan_t *p = pp->p;
    const sql_table_t *t = p->tab;
    uint64_t len = (uint64_t)(pp->b - pp->a) + 1;
    int64_t lo = pp->a + (int64_t)(len * (uint64_t)part / (uint64_t)pp->nparts);
    int64_t hi = pp->a + (int64_t)(len * (uint64_t)(part + 1) / (uint64_t)pp->nparts) - 1;
    int w = t->nrowcols ? t->nrowcols : 1;
    sql_value_t **rows = RDB_ARENA_NEWN(wr->a, sql_value_t *, (size_t)(hi - lo + 2));
    int64_t n = 0;
    rdb_arena_t ra;
    rdb_arena_init(&ra, 0);
    sql_value_t keys[EX_PT_BATCH];
    bool found[EX_PT_BATCH];
    rdb_status_t rc = RDB_OK;
    for (int64_t k = lo; k <= hi && rc == RDB_OK;) {
        if ((rc = ex_check(wr)) != RDB_OK)
            break;
        int nb = 0;
        for (; nb < EX_PT_BATCH && k <= hi; k++)
            keys[nb++] = sql_int(k);
        /* decoded straight into the slice's arena, where the rows stay
         * until the node closes (no copy of the rows that pass) */
        sql_value_t *brows = rdb_arena_calloc(wr->a, sizeof(sql_value_t) * (size_t)w * (size_t)nb);
        if ((rc = sql_table_get_many(wr->txn, t, nb, keys, wr->a, brows, found, wr->err)) != RDB_OK)
            break;
        for (int i = 0; i < nb && rc == RDB_OK; i++) {
            bool pass;
            if (!found[i])
                continue;
            rdb_arena_reset(&ra);
            if ((rc = ex_qual(wr, pp->qual, brows + (size_t)i * w, &ra, &pass)) == RDB_OK && pass)
                rows[n++] = brows + (size_t)i * w;
        }
    }
    rdb_arena_destroy(&ra);
    pp->rows[part] = rows;
    pp->nrows[part] = n;
    return rc;
}

/* Read [a, b] in slices; n->rows gets the rows in key order (they live in
 * the slices' arenas until the node closes). */
static bool points_parallel(ex_node_t *n, int64_t a, int64_t b)
{
    const plan_t *p = n->p;
    int nparts = p->parallel + 1;
    par_points_t pp = { p, a, b, n->pt_qual, nparts, RDB_ARENA_NEWN(&n->sa, sql_value_t **, nparts),
                        RDB_ARENA_NEWN(&n->sa, int64_t, nparts) };
    n->par = ex_par_run(n->r, nparts, p, points_part, &pp);
    if (!n->par)
        return false;
    n->nrows = 0;
    for (int i = 0; i < nparts; i++)
        n->nrows += pp.nrows[i];
    n->st_read += n->nrows;
    n->rows = RDB_ARENA_NEWN(&n->sa, sql_value_t *, (size_t)n->nrows + 1);
    int64_t k = 0;
    for (int i = 0; i < nparts; i++)
        for (int64_t j = 0; j < pp.nrows[i]; j++)
            n->rows[k++] = pp.rows[i][j];
    n->pos = 0;
    return true;
}

/* Is conjunct e one that every key pt_mode reads satisfies: the key set
 * itself, or a comparison whose value side is a bound of the key range
 * (planner.c took the bounds from such comparisons with the key column;
 * the range read is exactly the keys within them)? */
static bool pt_implied(const plan_t *p, const ex_expr_t *e)
{
    if (p->kset)
        return ex_kset_covers(p, e);
    if (e->kind != EX_FUNC || e->nargs != 2)
        return false;
    for (int side = 0; side < 2; side++)
        if ((p->nlo && e->args[side] == p->lo[0]) || (p->nhi && e->args[side] == p->hi[0]))
            return true;
    return false;
}

/* p->qual without the conjuncts pt_implied (in n->sa). */
static const ex_expr_t *pt_residual(ex_node_t *n)
{
    const plan_t *p = n->p;
    const ex_expr_t *q = p->qual;
    if (!q)
        return NULL;
    if (q->kind != EX_AND)
        return pt_implied(p, q) ? NULL : q;
    ex_expr_t *r = rdb_arena_memdup(&n->sa, q, sizeof *q);
    r->args = rdb_arena_alloc(&n->sa, sizeof(ex_expr_t *) * (size_t)q->nargs);
    r->nargs = 0;
    for (int i = 0; i < q->nargs; i++)
        if (!pt_implied(p, q->args[i]))
            r->args[r->nargs++] = q->args[i];
    return r->nargs == 0 ? NULL : r->nargs == 1 ? r->args[0] : r;
}

/* Read the next batch of pt_mode's keys; false at the end or on error
 * (n->done set at the end). */
static bool points_fill(ex_node_t *n)
{
    const plan_t *p = n->p;
    const sql_table_t *t = p->tab;
    int npk = t->npk ? t->npk : 1, w = t->nrowcols ? t->nrowcols : 1, nb = 0;
    sql_value_t *keys;
    if (p->kset || n->pt_keys) {   /* a key set's (maybe none), or ex_node_scan_keys' */
        nb = (int)(n->pt_nkeys - n->pt_next < EX_PT_BATCH ? n->pt_nkeys - n->pt_next : EX_PT_BATCH);
        keys = nb ? n->pt_keys + (size_t)n->pt_next * npk : NULL;
        n->pt_next += nb;
    } else {
        keys = n->lkey;
        while (nb < EX_PT_BATCH && n->s_cur <= n->s_stop) {
            keys[nb++] = sql_int(n->s_cur);
            if (n->s_cur == INT64_MAX)
                n->s_stop = INT64_MIN;
            else
                n->s_cur++;
        }
    }
    if (nb == 0) {
        n->done = true;
        return false;
    }
    rdb_arena_reset(&n->pa);
    n->pt_rows = rdb_arena_calloc(&n->pa, sizeof(sql_value_t) * (size_t)w * (size_t)nb);
    n->pt_found = rdb_arena_alloc(&n->pa, sizeof(bool) * (size_t)nb);
    n->pt_n = n->pt_pos = 0;
    if (sql_table_get_many(n->r->txn, t, nb, keys, &n->pa, n->pt_rows, n->pt_found, n->r->err) != RDB_OK)
        return false;
    n->pt_n = nb;
    return true;
}

/* The next row of a key set done as point lookups (pt_mode). */
static const sql_value_t *scan_points(ex_node_t *n)
{
    if (n->par) {
        if (n->pos < n->nrows)
            return n->rows[n->pos++];
        n->done = true;
        return NULL;
    }
    const plan_t *p = n->p;
    ex_run_t *r = n->r;
    int w = p->tab->nrowcols ? p->tab->nrowcols : 1;
    for (;;) {
        while (n->pt_pos < n->pt_n) {
            int i = n->pt_pos++;
            if (!n->pt_found[i])
                continue;
            n->st_read++;
            rdb_arena_reset(&n->ra);
            if (!tick(n))
                return NULL;
            bool pass;
            sql_value_t *row = n->pt_rows + (size_t)i * w;
            if (ex_qual(r, n->pt_qual, row, &n->ra, &pass) != RDB_OK)
                return NULL;
            if (pass)
                return row;
            if (n->ins)
                n->ins->removed++;
        }
        if (!tick(n) || !points_fill(n))
            return NULL;
    }
}

/* --- key sets (plan.h kset): col IN (...), col = ANY (array) ------------ */

/* The values of p->kset as keys of column p->kcol, sorted, without
 * repeats, NULLs and values the column cannot hold (keyset.h), or with
 * kcol -1 the keys of a multi-column key set: *out (in n->sa), *nout. */
static rdb_status_t kset_values(ex_node_t *n, sql_value_t **out, int64_t *nout)
{
    const plan_t *p = n->p;
    if (p->kcol < 0)
        return ex_kset_multi_keys(n->r, p, &n->sa, out, nout);
    int m = 0;
    rdb_status_t rc = ex_kset_values(n->r, p->kset, p->types[p->kcol], &n->sa, out, &m);
    *nout = m;
    return rc;
}

/* Open the index scan of the next value of an index key set; false when
 * none is left. */
static bool kset_next_index(ex_node_t *n)
{
    if (n->scan) {
        sql_scan_close(n->scan);
        n->scan = NULL;
    }
    if (n->pt_next >= n->pt_nkeys)
        return false;
    const sql_value_t *v = &n->pt_keys[n->pt_next++];
    sql_scan_range_t range = { 1, 1, v, v, true, true };
    n->scan = sql_index_scan_open(n->r->txn, n->p->tab, n->p->index, &range);
    if (n->scan)
        sql_scan_set_borrow(n->scan, n->need);
    return n->scan != NULL;
}

/* Start a key set scan: the primary key's values as point lookups
 * (pt_mode), an index's one index scan after the other. */
static bool kset_open(ex_node_t *n)
{
    const sql_table_t *t = n->p->tab;
    if (kset_values(n, &n->pt_keys, &n->pt_nkeys) != RDB_OK)
        return false;
    n->pt_next = 0;
    n->srow = rdb_arena_calloc(&n->sa, sizeof(sql_value_t) * (t->nrowcols ? t->nrowcols : 1));
    if (!n->p->index) {
        n->pt_mode = true;
        n->pt_qual = pt_residual(n);
        return true;
    }
    if (!kset_next_index(n))
        n->done = true;
    return true;
}

/* A system relation (sql/syscat.h): its rows, made once from the run's
 * snapshot, filtered by the scan's qual. */
static const sql_value_t *sysscan_next(ex_node_t *n)
{
    if (!n->started) {
        n->started = true;
        int nr;
        if (ex_sysscan_rows(n->r, n->p, &n->sa, &n->rows, &nr) != RDB_OK) {
            n->done = true;
            return NULL;
        }
        n->nrows = nr;
        n->pos = 0;
    }
    while (!n->done && n->pos < n->nrows) {
        const sql_value_t *row = n->rows[n->pos++];
        rdb_arena_reset(&n->ra);
        if (!tick(n))
            return NULL;
        bool pass;
        if (ex_qual(n->r, n->p->qual, row, &n->ra, &pass) != RDB_OK)
            return NULL;
        if (pass)
            return row;
    }
    n->done = true;
    return NULL;
}

/* An ordered scan whose NULLs of key column nkey go to the other end
 * (plan.h nulls_moved): with the nkey equality values eq, open the first
 * pass and keep the second in n->scan_then.  The key encoding puts NULL
 * first in an ASC column (so: the other values, then the NULLs) and last
 * in a DESC one (the NULLs, then the other values); backward, the other
 * way round.  The caller reverses the first pass. */
static sql_scan_t *ordered_nulls_open(ex_node_t *n, const sql_value_t *eq, int nkey)
{
    const plan_t *p = n->p;
    bool desc = p->index->desc && p->index->desc[nkey];
    sql_value_t *k = rdb_arena_calloc(&n->sa, sizeof(sql_value_t) * (size_t)(nkey + 1));
    memcpy(k, eq, sizeof(sql_value_t) * (size_t)nkey);
    k[nkey] = sql_null();
    sql_scan_range_t *nulls = rdb_arena_calloc(&n->sa, sizeof *nulls);
    sql_scan_range_t *rest = rdb_arena_calloc(&n->sa, sizeof *rest);
    *nulls = (sql_scan_range_t){ nkey + 1, nkey + 1, k, k, true, true };
    if (desc) /* from the equalities' start up to the NULLs, exclusive */
        *rest = (sql_scan_range_t){ nkey, nkey + 1, nkey ? k : NULL, k, true, false };
    else      /* after the NULLs to the equalities' end */
        *rest = (sql_scan_range_t){ nkey + 1, nkey, k, nkey ? k : NULL, false, true };
    bool nulls_first = desc != p->backward;
    n->scan_then = nulls_first ? rest : nulls;
    return sql_index_scan_open(n->r->txn, p->tab, p->index, nulls_first ? nulls : rest);
}

static const sql_value_t *scan_next(ex_node_t *n)
{
    const plan_t *p = n->p;
    ex_run_t *r = n->r;
    if (sql_syscat_is(p->tab))
        return sysscan_next(n);
    if (!n->started) {
        n->started = true;
        const sql_table_t *t = p->tab;
        if (p->kset) {
            n->st_kind = 'i';
            assert(!(r->nparts > 1 && p == r->par_scan)); /* parallel.c: never sliced */
            if (!kset_open(n))
                return NULL;
        } else if (p->point || p->nlo || p->nhi || p->ordered) {
            int nk = p->nlo > p->nhi ? p->nlo : p->nhi;
            const uint16_t *kc = p->index ? p->index->colids : t->pk_colids;
            sql_value_t *lo = rdb_arena_calloc(&n->sa, sizeof(sql_value_t) * (size_t)(nk + 1));
            sql_value_t *hi = rdb_arena_calloc(&n->sa, sizeof(sql_value_t) * (size_t)(nk + 1));
            bool ok = true, u, lo_incl = p->lo_incl, hi_incl = p->hi_incl;
            int nlo = 0, nhi = 0;
            for (int i = 0; i < p->nlo; i++) {
                if (key_value(r, p->lo[i], p->types[kc[i]], &n->sa, &lo[i], &u) != RDB_OK)
                    return NULL;
                if (!u && i == p->nkey && !lo[i].isnull) {
                    int c = clamp_bound(p->types[kc[i]], &lo[i]);
                    if (c > 0) { /* above the type's range: no row */
                        n->done = true;
                        return NULL;
                    }
                    if (c < 0) /* below it: from the type's least value */
                        u = lo_incl = true;
                }
                if (!u) {
                    if (i < p->nkey) {
                        /* an equality with NULL or out of range: no row */
                        if (lo[i].isnull) {
                            n->done = true;
                            return NULL;
                        }
                        ok = false;
                    }
                    break;
                }
                nlo++;
            }
            for (int i = 0; i < p->nhi && !p->point; i++) {
                if (key_value(r, p->hi[i], p->types[kc[i]], &n->sa, &hi[i], &u) != RDB_OK)
                    return NULL;
                if (!u && i == p->nkey && !hi[i].isnull) {
                    int c = clamp_bound(p->types[kc[i]], &hi[i]);
                    if (c < 0) {
                        n->done = true;
                        return NULL;
                    }
                    if (c > 0)
                        u = hi_incl = true;
                }
                if (!u)
                    break;
                nhi++;
            }
            n->st_kind = 'i';
            if (p->point && ok && nlo == t->npk) {
                /* primary-key point lookup */
                bool found;
                n->srow = rdb_arena_calloc(&n->sa, sizeof(sql_value_t) * t->nrowcols);
                if (sql_table_get(r->txn, t, lo, &n->sa, n->srow, &found, r->err) != RDB_OK)
                    return NULL;
                n->done = true;
                n->st_read = found;
                bool pass;
                if (!found || ex_qual(r, p->qual, n->srow, &n->ra, &pass) != RDB_OK || !pass)
                    return NULL;
                return n->srow;
            }
            uint32_t kt = p->types[kc[0]].oid;
            if (ok && !p->index && t->hash_partitioned && t->npk == 1 && p->nkey == 0 && nlo == 1 && nhi == 1 &&
                (kt == SQL_OID_INT2 || kt == SQL_OID_INT4 || kt == SQL_OID_INT8)) {
                /* a hash-partitioned table has no key order to range-scan:
                 * a short integer range is a series of point lookups */
                int64_t a = lo[0].u.i, b = hi[0].u.i;
                if (!lo_incl && a < INT64_MAX)
                    a++;
                if (!hi_incl && b > INT64_MIN)
                    b--;
                if (b < a || ((uint64_t)b - (uint64_t)a) < 100000) {
                    n->pt_mode = true;
                    n->pt_qual = pt_residual(n);
                    n->s_cur = a;
                    n->s_stop = b;
                    n->lkey = rdb_arena_calloc(&n->sa, sizeof(sql_value_t) * EX_PT_BATCH);
                    if (b >= a && ((uint64_t)b - (uint64_t)a) >= EX_PARALLEL_MIN_POINTS - 1 && par_now(n) &&
                        !points_parallel(n, a, b))
                        return NULL;
                    return scan_points(n);
                }
            }
            if (!ok || (t->hash_partitioned && !p->index)) {
                nlo = nhi = 0;
            }
            if (!p->index && !nlo && !nhi)
                n->st_kind = 's';
            sql_scan_range_t range = { nlo, nhi, nlo ? lo : NULL, nhi ? hi : NULL,
                                       nlo <= p->nkey ? true : lo_incl,
                                       nhi <= p->nkey ? true : hi_incl };
            if (p->ordered && p->nulls_moved && ok && nlo >= p->nkey && nhi >= p->nkey)
                n->scan = ordered_nulls_open(n, lo, p->nkey);
            else if ((p->index || (!nlo && !nhi)) && r->nparts > 1 && p == r->par_scan && !p->ordered)
                n->scan = sql_scan_open_part(r->txn, t, r->part, r->nparts);
            else if (p->index && (nlo || nhi || p->ordered)) /* stale entries: table.c skips them */
                n->scan = sql_index_scan_open(r->txn, t, p->index, &range);
            else
                n->scan = sql_scan_open(r->txn, t, (nlo || nhi) ? &range : NULL);
            if (p->ordered && p->backward && n->scan)
                sql_scan_reverse(n->scan);
        } else if (r->nparts > 1 && p == r->par_scan) {
            n->st_kind = 's';
            n->scan = sql_scan_open_part(r->txn, t, r->part, r->nparts); /* a slice (parallel.h) */
        } else {
            n->st_kind = 's';
            n->scan = sql_scan_open(r->txn, t, NULL);
        }
        if (!p->kset) {
            n->srow = rdb_arena_calloc(&n->sa, sizeof(sql_value_t) * (t->nrowcols ? t->nrowcols : 1));
            if (n->scan) {
                sql_scan_set_borrow(n->scan, n->need); /* a row lives until the next call */
                sql_scan_set_ahead(n->scan, n->ahead);
            }
        }
    }
    if (n->pt_mode && !n->done)
        return scan_points(n);
    if (n->done || !n->scan)
        return NULL;
    for (;;) {
        rdb_arena_reset(&n->ra);
        if (!tick(n))
            return NULL;
        if (!sql_scan_next(n->scan, &n->ra, n->srow)) {
            if (sql_scan_status(n->scan, r->err) != RDB_OK)
                return NULL;
            if (p->kset && kset_next_index(n)) /* the key set's next value */
                continue;
            if (n->scan_then) {
                /* an ordered scan's second pass (its NULLs or the rest) */
                sql_scan_close(n->scan);
                n->scan = sql_index_scan_open(r->txn, p->tab, p->index, n->scan_then);
                if (p->backward)
                    sql_scan_reverse(n->scan);
                n->scan_then = NULL;
                sql_scan_set_borrow(n->scan, n->need);
                sql_scan_set_ahead(n->scan, n->ahead);
                continue;
            }
            n->done = true;
            return NULL;
        }
        n->st_read++;
        bool pass;
        if (ex_qual(r, p->qual, n->srow, &n->ra, &pass) != RDB_OK)
            return NULL;
        if (pass)
            return n->srow;
        if (n->ins)
            n->ins->removed++;
    }
}

static const sql_value_t *project_next(ex_node_t *n)
{
    const plan_t *p = n->p;
    const sql_value_t *in = NULL;
    if (p->left) {
        in = ex_next(n->l);
        if (!in)
            return NULL;
    } else if (n->done) {
        return NULL;
    }
    rdb_arena_reset(&n->ra);
    for (int i = 0; i < p->nexprs; i++)
        if (ex_eval(n->r, p->exprs[i], in, &n->ra, &n->out[i]) != RDB_OK)
            return NULL;
    return n->out;
}

static const sql_value_t *filter_next(ex_node_t *n)
{
    for (;;) {
        const sql_value_t *in = ex_next(n->l);
        if (!in)
            return NULL;
        rdb_arena_reset(&n->ra);
        bool pass;
        if (ex_qual(n->r, n->p->qual, in, &n->ra, &pass) != RDB_OK)
            return NULL;
        if (pass)
            return in;
        if (n->ins)
            n->ins->removed++;
    }
}

static const sql_value_t *values_next(ex_node_t *n)
{
    const plan_t *p = n->p;
    if (n->pos >= p->nrows)
        return NULL;
    rdb_arena_reset(&n->ra);
    for (int j = 0; j < p->ncols; j++)
        if (ex_eval(n->r, p->exprs[n->pos * p->ncols + j], NULL, &n->ra, &n->out[j]) != RDB_OK)
            return NULL;
    n->pos++;
    return n->out;
}

static const sql_value_t *result_next(ex_node_t *n)
{
    if (n->done)
        return NULL;
    n->done = true;
    return n->out;
}

static const sql_value_t *series_next(ex_node_t *n)
{
    const plan_t *p = n->p;
    if (!n->started) {
        n->started = true;
        bool null1, null2, null3 = false;
        n->s_step = 1;
        if (eval_int(n->r, p->exprs[0], &n->s_cur, &null1) != RDB_OK ||
            eval_int(n->r, p->exprs[1], &n->s_stop, &null2) != RDB_OK ||
            (p->nexprs > 2 && eval_int(n->r, p->exprs[2], &n->s_step, &null3) != RDB_OK))
            return NULL;
        if (null1 || null2 || null3)
            n->done = true;
        else if (n->s_step == 0) {
            rdb_err_set(n->r->err, RDB_SQL, "22023", "step size cannot equal zero");
            return NULL;
        }
    }
    if (n->done || (n->s_step > 0 ? n->s_cur > n->s_stop : n->s_cur < n->s_stop))
        return NULL;
    if (!tick(n))
        return NULL;
    n->out[0] = sql_int(n->s_cur);
    if (__builtin_add_overflow(n->s_cur, n->s_step, &n->s_cur))
        n->done = true;
    return n->out;
}

static const sql_value_t *limit_next(ex_node_t *n)
{
    const plan_t *p = n->p;
    if (!n->started) {
        n->started = true;
        bool isnull;
        n->limit = -1;
        if (p->limit) {
            if (eval_int(n->r, p->limit, &n->limit, &isnull) != RDB_OK)
                return NULL;
            if (isnull)
                n->limit = -1;
            else if (n->limit < 0) {
                rdb_err_set(n->r->err, RDB_SQL, "2201W", "LIMIT must not be negative");
                return NULL;
            }
        }
        if (p->offset) {
            if (eval_int(n->r, p->offset, &n->offset, &isnull) != RDB_OK)
                return NULL;
            if (isnull)
                n->offset = 0;
            if (n->offset < 0) {
                rdb_err_set(n->r->err, RDB_SQL, "2201X", "OFFSET must not be negative");
                return NULL;
            }
        }
        /* a scan with no filter right below reads as many rows, no more */
        ex_node_t *c = n->l;
        while (c && c->p->kind == P_PROJECT)
            c = c->l;
        if (c && c->p->kind == P_SCAN && !c->p->qual && !c->started && n->limit >= 0 && !p->with_ties)
            c->ahead = n->limit >= 64 || n->offset >= 64 ? 64 : (int)(n->limit + n->offset);
    }
    if (n->limit >= 0 && n->count >= n->limit) {
        if (!p->with_ties || n->done || !n->lkey)
            return NULL;
        /* WITH TIES: rows equal to the last one on the sort keys */
        const sql_value_t *row = ex_next(n->l);
        if (!row)
            return NULL;
        for (int i = 0; i < p->nsort; i++) {
            const sql_value_t *a = &row[p->sort[i].col], *b = &n->lkey[p->sort[i].col];
            if (a->isnull != b->isnull || (!a->isnull && sql_value_cmp(p->sort[i].type, a, b) != 0)) {
                n->done = true;
                return NULL;
            }
        }
        return row;
    }
    for (;;) {
        const sql_value_t *row = ex_next(n->l);
        if (!row)
            return NULL;
        if (n->pos < n->offset) {
            n->pos++;
            continue;
        }
        n->count++;
        if (p->with_ties && n->count == n->limit)
            n->lkey = ex_copy_row(n->r->a, p->types, p->ncols, row);
        return row;
    }
}

/* --- sort --- */

typedef struct sortctx {
    const plan_t *p;
} sortctx_t;

static int sort_cmp(const void *x, const void *y, void *arg)
{
    const plan_t *p = arg;
    const sql_value_t *a = *(sql_value_t *const *)x, *b = *(sql_value_t *const *)y;
    for (int i = 0; i < p->nsort; i++) {
        const plan_sortkey_t *k = &p->sort[i];
        const sql_value_t *va = &a[k->col], *vb = &b[k->col];
        if (va->isnull || vb->isnull) {
            if (va->isnull && vb->isnull)
                continue;
            /* a NULL goes where NULLS FIRST/LAST says, whatever the direction */
            return (va->isnull == k->nulls_first) ? -1 : 1;
        }
        int c = sql_value_cmp(k->type, va, vb);
        if (c)
            return k->desc ? -c : c;
    }
    return 0;
}

/* Top-N (ORDER BY ... LIMIT): a max-heap of the best `bound` rows so far,
 * the worst on top, so that a row is compared once with the worst and
 * copied only when it beats it.  A kept row carries its arrival number in
 * an extra slot (ncols): ties go to the earlier row, so the result is
 * exactly a stable sort's first `bound` rows. */
static int topn_cmp(const plan_t *p, const sql_value_t *a, const sql_value_t *b)
{
    int c = sort_cmp(&a, &b, (void *)p);
    if (c)
        return c;
    int64_t sa = a[p->ncols].u.i, sb = b[p->ncols].u.i;
    return (sa > sb) - (sa < sb);
}

static int topn_qcmp(const void *x, const void *y, void *arg)
{
    return topn_cmp(arg, *(sql_value_t *const *)x, *(sql_value_t *const *)y);
}

static void topn_sift_down(const plan_t *p, sql_value_t **h, int64_t n, int64_t i)
{
    for (;;) {
        int64_t l = 2 * i + 1, m = i;
        if (l < n && topn_cmp(p, h[l], h[m]) > 0)
            m = l;
        if (l + 1 < n && topn_cmp(p, h[l + 1], h[m]) > 0)
            m = l + 1;
        if (m == i)
            return;
        sql_value_t *t = h[i];
        h[i] = h[m];
        h[m] = t;
        i = m;
    }
}

static sql_value_t *topn_copy(ex_node_t *n, const sql_value_t *row, int64_t seq)
{
    const plan_t *p = n->p;
    sql_value_t *c = rdb_arena_alloc(n->r->a, sizeof(sql_value_t) * (size_t)(p->ncols + 1));
    for (int i = 0; i < p->ncols; i++)
        c[i] = row[i].isnull ? row[i] : sql_value_copy(n->r->a, p->types[i], row[i]);
    c[p->ncols] = sql_int(seq);
    return c;
}

/* Offer row (arrival number seq) to the heap of the best bound rows. */
static bool topn_push(ex_node_t *n, const sql_value_t *row, int64_t seq, int64_t bound)
{
    const plan_t *p = n->p;
    if (n->nrows < bound) {
        if (n->nrows == n->caprows) {
            int64_t cap = n->caprows ? n->caprows * 2 : 64;
            if (cap > bound)
                cap = bound;
            n->rows = rdb_arena_grow(n->r->a, n->rows, (size_t)n->nrows, (size_t)cap,
                                     sizeof(*n->rows));
            n->caprows = cap;
            if (ex_check(n->r) != RDB_OK)
                return false;
        }
        /* sift up */
        int64_t i = n->nrows++;
        n->rows[i] = topn_copy(n, row, seq);
        while (i > 0 && topn_cmp(p, n->rows[(i - 1) / 2], n->rows[i]) < 0) {
            sql_value_t *t = n->rows[i];
            n->rows[i] = n->rows[(i - 1) / 2];
            n->rows[(i - 1) / 2] = t;
            i = (i - 1) / 2;
        }
    } else if (bound > 0 && sort_cmp(&row, &n->rows[0], (void *)p) < 0) {
        n->rows[0] = topn_copy(n, row, seq);
        topn_sift_down(p, n->rows, n->nrows, 0);
        if ((seq & 1023) == 0 && ex_check(n->r) != RDB_OK)
            return false;
    }
    return true;
}

/* Fill n->rows with the best bound rows of the child, sorted; arrival
 * numbers start after seq0 (a slice's rows come after earlier slices'). */
static bool topn_fill(ex_node_t *n, int64_t bound, int64_t seq0)
{
    const plan_t *p = n->p;
    const sql_value_t *row;
    int64_t seq = seq0;
    while ((row = ex_next(n->l)))
        if (!topn_push(n, row, ++seq, bound))
            return false;
    if (rdb_err_is_set(n->r->err) || ex_check(n->r) != RDB_OK)
        return false;
    if (n->nrows > 1)
        qsort_r(n->rows, (size_t)n->nrows, sizeof(*n->rows), topn_qcmp, (void *)p);
    return true;
}

/* A parallel top-N (plan.h `parallel`): each slice keeps its best bound
 * rows; the caller's heap takes them slice by slice, with their arrival
 * numbers, so ties fall as in a serial scan. */
typedef struct par_topn {
    const plan_t  *p;
    int64_t        bound;
    sql_value_t ***rows;      /* per part */
    int64_t       *nrows;
} par_topn_t;

#define PAR_SEQ_SHIFT 40      /* a slice's arrival numbers: part << 40 + i */

static rdb_status_t topn_part(ex_run_t *wr, int part, void *arg)
{
    par_topn_t *pt = arg;
    ex_node_t *n = ex_open(wr, pt->p);
    if (!n)
        return RDB_SQL;
    bool ok = topn_fill(n, pt->bound, (int64_t)part << PAR_SEQ_SHIFT);
    pt->rows[part] = n->rows;
    pt->nrows[part] = n->nrows;
    ex_close(n);
    return ok ? RDB_OK : RDB_SQL;
}

static bool topn_parallel(ex_node_t *n, int64_t bound)
{
    const plan_t *p = n->p;
    int nparts = p->parallel + 1;
    par_topn_t pt = { p, bound, RDB_ARENA_NEWN(n->r->a, sql_value_t **, nparts),
                      RDB_ARENA_NEWN(n->r->a, int64_t, nparts) };
    ex_par_t *par = ex_par_run(n->r, nparts, p->par_scan, topn_part, &pt);
    if (!par)
        return false;
    for (int i = 0; i < nparts; i++)
        for (int64_t k = 0; k < pt.nrows[i]; k++)
            if (!topn_push(n, pt.rows[i][k], pt.rows[i][k][p->ncols].u.i, bound)) {
                ex_par_free(par);
                return false;
            }
    ex_par_free(par);
    if (n->nrows > 1)
        qsort_r(n->rows, (size_t)n->nrows, sizeof(*n->rows), topn_qcmp, (void *)p);
    return ex_check(n->r) == RDB_OK;
}

/* Run p's parallel form?  Not under EXPLAIN ANALYZE (its counters are
 * per node, not per thread: Workers Launched says 0), nor over reads that
 * other nodes answer. */
static bool par_now(const ex_node_t *n)
{
    if (n->p->kind == P_SCAN && n->r->nparts == 0 && n->p->parallel > 0)
        return !n->r->instr && !txn_has_reader(n->r->txn);
    return n->p->parallel > 0 && !n->r->instr && n->r->nparts == 0 && !txn_has_reader(n->r->txn);
}

static const sql_value_t *sort_next(ex_node_t *n)
{
    const plan_t *p = n->p;
    if (!n->started) {
        n->started = true;
        int64_t bound = -1;
        if (p->limit) {
            int64_t lim = 0, off = 0;
            bool ln, on = true;
            if (eval_int(n->r, p->limit, &lim, &ln) != RDB_OK ||
                (p->offset && eval_int(n->r, p->offset, &off, &on) != RDB_OK))
                return NULL;
            if (!ln && lim >= 0 && off >= 0)
                bound = lim + off;
        }
        const sql_value_t *row;
        /* top-N keeps its bound rows in a heap; a large bound sorts like an
         * unbounded sort, spilling beyond work_mem */
        if (bound < 0 || bound > 4096) {
            n->limit = bound;
            n->xs = ex_sort_new(n->r, p->types, p->ncols, sort_cmp, (void *)p);
            while ((row = ex_next(n->l)))
                if (ex_sort_add(n->xs, row) != RDB_OK)
                    return NULL;
            if (rdb_err_is_set(n->r->err) || ex_check(n->r) != RDB_OK || ex_sort_done(n->xs) != RDB_OK)
                return NULL;
            if (n->r->instr) {
                ex_instr_t *in = ex_instr_get(n->r->instr, p);
                in->sort_method = ex_sort_spilled(n->xs, &in->sort_kb) ? 2 : 1;
            }
        } else if (par_now(n) ? !topn_parallel(n, bound) : !topn_fill(n, bound, 0)) {
            return NULL;
        } else if (n->r->instr) {
            ex_instr_t *in = ex_instr_get(n->r->instr, p);
            in->sort_method = 3;
            in->sort_kb = (int64_t)(sizeof(sql_value_t) * (size_t)p->ncols * (size_t)n->nrows + 1023) / 1024;
        }
    }
    if (n->xs) {
        if (n->limit >= 0 && n->pos >= n->limit)
            return NULL;
        n->pos++;
        return ex_sort_next(n->xs);
    }
    if (n->pos >= n->nrows)
        return NULL;
    return n->rows[n->pos++];
}

/* --- hash memory (aggregate, DISTINCT) --- */

/* Called after a new group: beyond hash memory (PostgreSQL 15's
 * work_mem x hash_mem_multiplier 2.0) new groups spill (aggspill.h); the
 * run's hard limit counts the groups held too (53200). */
static size_t agg_held(const ex_node_t *n)
{
    /* the groups, and what the sorts of DISTINCT / ORDER BY inputs not
     * fed yet may hold (aggsort.h) */
    return rdb_arena_memory_usage(&n->ga) + (size_t)n->aggsort_active * ex_aggsort_budget(n->r);
}

static rdb_status_t hash_mem(ex_node_t *n)
{
    ex_run_t *r = n->r;
    size_t held = agg_held(n);
    size_t hm = ex_hash_mem(r);
    if (n->par_overflow && held > hm) {
        __atomic_store_n(n->par_overflow, true, __ATOMIC_RELAXED);
        return rdb_err_set(r->err, RDB_SQL, "53200", "parallel aggregate beyond hash memory");
    }
    if (!n->spilling && held > hm) {
        if (!n->hs)
            n->hs = ex_hspill_new(r, n->l->p->types, n->l->p->ncols);
        n->spilling = ex_hspill_can_spill(n->hs);
    }
    if ((++r->tick & 255) == 0)
        return ex_check_mem(r, held);
    return RDB_OK;
}

/* The next input row: the child's, or the current spilled partition's. */
static const sql_value_t *hash_input(ex_node_t *n)
{
    return n->from_spill ? ex_hspill_read(n->hs) : ex_next(n->l);
}

/* The groups in memory are done: drop them and read the next spilled
 * partition; false when there is none (or on error, r->err set). */
static bool hash_next_part(ex_node_t *n)
{
    if (n->r->instr) {      /* EXPLAIN ANALYZE: Batches, Memory / Disk Usage */
        ex_instr_t *in = ex_instr_get(n->r->instr, n->p);
        int64_t kb = (int64_t)(rdb_arena_memory_usage(&n->ga) + 1023) / 1024;
        in->hash_mem_kb = kb > in->hash_mem_kb ? kb : in->hash_mem_kb;
        in->hash_batches = n->hs ? 1 + ex_hspill_batches(n->hs, &in->hash_disk_kb) : 1;
    }
    if (rdb_err_is_set(n->r->err) || !n->hs || !ex_hspill_next_part(n->hs))
        return false;
    rdb_arena_reset(&n->ga);
    n->spilling = false;
    n->from_spill = true;
    return true;
}

/* --- distinct --- */

static const sql_value_t *distinct_next(ex_node_t *n)
{
    const plan_t *p = n->p;
    if (!n->started) {
        n->started = true;
        sql_type_t *kt = rdb_arena_alloc(n->r->a, sizeof(sql_type_t) * (size_t)(p->nsort + 1));
        for (int i = 0; i < p->nsort; i++)
            kt[i] = p->sort[i].type;
        rh_init(&n->ht, &n->ga, p->nsort, kt);
        n->lkey = rdb_arena_alloc(n->r->a, sizeof(sql_value_t) * (size_t)(p->nsort + 1));
    }
    for (;;) {
        const sql_value_t *row = hash_input(n);
        if (!row) {
            if (!hash_next_part(n))
                return NULL;
            rh_init(&n->ht, &n->ga, p->nsort, n->ht.types);
            continue;
        }
        for (int i = 0; i < p->nsort; i++)
            n->lkey[i] = row[p->sort[i].col];
        uint64_t h = key_hash(n->ht.types, p->nsort, n->lkey);
        if (rh_find(&n->ht, n->lkey, h))
            continue;
        if (n->spilling) {
            if (ex_hspill_put(n->hs, h, row) != RDB_OK || !tick(n))
                return NULL;
            continue;
        }
        rh_add(&n->ht, &n->ga, ex_copy_row(&n->ga, n->ht.types, p->nsort, n->lkey), h);
        if (hash_mem(n) != RDB_OK)
            return NULL;
        return row;
    }
}

/* --- set operations (INTERSECT / EXCEPT) --- */

/* Beyond hash memory a set operation goes on sorted (setop.h): the rows
 * counted so far go to the right side's sort once each (ALL: as many
 * times as counted; EXCEPT's left rows already emitted count as right
 * rows, so they are not emitted again), then the rest of the inputs. */
static bool setop_to_sort(ex_node_t *n, bool right_done)
{
    const plan_t *p = n->p;
    n->ms = ex_msetop_new(n->r, p);
    for (rh_entry_t *e = n->ht.first; e; e = e->chain)
        if (ex_msetop_add_right(n->ms, e->row, p->all ? e->count : 1) != RDB_OK)
            return false;
    rdb_arena_reset(&n->ga);
    memset(&n->ht, 0, sizeof n->ht);
    return ex_msetop_run(n->ms, n->l, right_done ? NULL : n->rt) == RDB_OK;
}

static bool setop_over(ex_node_t *n)
{
    return rdb_arena_memory_usage(&n->ga) > ex_hash_mem(n->r);
}

static const sql_value_t *setop_next(ex_node_t *n)
{
    const plan_t *p = n->p;
    if (!n->started) {
        n->started = true;
        rh_init(&n->ht, &n->ga, p->ncols, p->types);
        const sql_value_t *row;
        while (!n->ms && (row = ex_next(n->rt))) {
            uint64_t h = key_hash(p->types, p->ncols, row);
            rh_entry_t *e = rh_find(&n->ht, row, h);
            bool fresh = !e;
            if (fresh) {
                e = rh_add(&n->ht, &n->ga, ex_copy_row(&n->ga, p->types, p->ncols, row), h);
                e->row = e->key;
            }
            e->count++;
            if (fresh && setop_over(n) && !setop_to_sort(n, false))
                return NULL;
            if (!tick(n))
                return NULL;
        }
        if (rdb_err_is_set(n->r->err) || ex_check(n->r) != RDB_OK)
            return NULL;
    }
    if (n->spilling && !n->ms && !setop_to_sort(n, true))
        return NULL;
    if (n->ms)
        return ex_msetop_next(n->ms);
    bool intersect = p->setop == AST_SETOP_INTERSECT;
    for (;;) {
        const sql_value_t *row = ex_next(n->l);
        if (!row)
            return NULL;
        uint64_t h = key_hash(p->types, p->ncols, row);
        rh_entry_t *e = rh_find(&n->ht, row, h);
        if (p->all) {
            if (intersect) {
                if (e && e->count > 0) {
                    e->count--;
                    return row;
                }
            } else {
                if (e && e->count > 0) {
                    e->count--;
                    continue;
                }
                return row;
            }
            continue;
        }
        /* distinct: emit each row once */
        if (!e) {
            if (intersect)
                continue;
            e = rh_add(&n->ht, &n->ga, ex_copy_row(&n->ga, p->types, p->ncols, row), h);
            e->row = e->key;
            e->count = 0;
            e->matched = true;
            n->spilling = setop_over(n);   /* sorted from the next row on */
            return row;
        }
        if (e->matched)
            continue;
        e->matched = true;
        if (intersect ? e->count > 0 : e->count == 0)
            return row;
    }
}

/* --- append (UNION ALL) --- */

static const sql_value_t *append_next(ex_node_t *n)
{
    if (!n->done) {
        const sql_value_t *row = ex_next(n->l);
        if (row || rdb_err_is_set(n->r->err))
            return row;
        n->done = true;
    }
    return ex_next(n->rt);
}

/* --- WITH RECURSIVE --- */

/* Non-recursive term first, then rounds of the recursive term over the
 * rows the round before produced (its P_WORKTABLE reads n->wts), until
 * a round produces nothing.  The rows of the last round and of this one
 * are tuplestores (tstore.h: on disk beyond work_mem).  UNION (not ALL)
 * drops rows seen before in any round, which is what ends a cycle: those
 * are a row set (rowset.h: sorted runs on disk beyond hash memory). */
static const sql_value_t *recursive_next(ex_node_t *n)
{
    const plan_t *p = n->p;
    ex_run_t *r = n->r;
    if (!n->started) {
        n->started = true;
        if (!p->all)
            n->seen = ex_rowset_new(r, p->types, p->ncols, 0);
        n->wts = ex_tstore_new(r, p->types, p->ncols, 0);
        n->nts = ex_tstore_new(r, p->types, p->ncols, 0);
    }
    for (;;) {
        const sql_value_t *row = ex_next(n->recursing ? n->rt : n->l);
        if (!row) {
            if (rdb_err_is_set(r->err) || ex_tstore_rows(n->nts) == 0)
                return NULL;
            /* next round: the rows just produced become the working table */
            ex_tstore_t *t = n->wts;
            n->wts = n->nts;
            n->nts = t;
            ex_tstore_clear(n->nts);
            n->recursing = true;
            ex_close(n->rt);
            n->rt = ex_open(r, p->right);
            if (!n->rt || ex_check(r) != RDB_OK)
                return NULL;
            continue;
        }
        bool seen = false;
        if (!p->all && ex_rowset_probe(n->seen, row, true, &seen) != RDB_OK)
            return NULL;
        if (seen) {
            if (!tick(n))
                return NULL;
            continue;
        }
        if (ex_tstore_put(n->nts, row) != RDB_OK || !tick(n))
            return NULL;
        return row;
    }
}

static const sql_value_t *worktable_next(ex_node_t *n)
{
    ex_run_t *r = n->r;
    ex_node_t *rec = n->p->wtid < r->nwt ? r->wt[n->p->wtid] : NULL;
    if (!rec || !rec->wts) {
        rdb_err_set(r->err, RDB_SQL, "XX000", "WorkTable scan outside its recursive union");
        return NULL;
    }
    if (n->pos == 0) {
        n->pos = 1;
        if (ex_tstore_rewind(rec->wts) != RDB_OK)
            return NULL;
    }
    return ex_tstore_read(rec->wts, NULL);
}

/* --- join --- */

static const sql_value_t *join_emit(ex_node_t *n, const sql_value_t *l, const sql_value_t *rr)
{
    const plan_t *p = n->p;
    int wl = p->left->ncols, wr = p->right->ncols;
    for (int i = 0; i < wl; i++)
        n->out[i] = l ? l[i] : sql_null();
    for (int i = 0; i < wr; i++)
        n->out[wl + i] = rr ? rr[i] : sql_null();
    return n->out;
}

/* LATERAL: the right side runs again for each left row, which is the
 * frame its outer references read. */
static const sql_value_t *lateral_next(ex_node_t *n)
{
    const plan_t *p = n->p;
    ex_run_t *r = n->r;
    bool keep_left = p->jointype == J_LEFT;
    for (;;) {
        if (!n->lrow) {
            n->lrow = ex_next(n->l);
            if (!n->lrow)
                return NULL;
            n->lmatched = false;
            ex_close(n->rt);
            n->rt = ex_open(r, p->right);
            if (!n->rt)
                return NULL;
        }
        const sql_value_t *rr;
        if (p->frame_off == 0) {
            if (r->nframes >= 32) {
                rdb_err_set(r->err, RDB_SQL, "54001", "subqueries nested too deeply");
                return NULL;
            }
            r->frames[r->nframes++] = n->lrow;
            rr = ex_next(n->rt);
            r->nframes--;
        } else {
            /* a join inside a laterally joined FROM item: the enclosing
             * lateral join's frame holds the FROM row up to frame_off; the
             * frame becomes that row followed by this left row */
            if (r->nframes == 0) {
                rdb_err_set(r->err, RDB_SQL, "XX000", "LATERAL join without its enclosing frame");
                return NULL;
            }
            const sql_value_t *up = r->frames[r->nframes - 1];
            if (!n->frame)
                n->frame = rdb_arena_alloc(r->a, sizeof(sql_value_t) * (size_t)(p->frame_off + p->left->ncols));
            memcpy(n->frame, up, sizeof(sql_value_t) * (size_t)p->frame_off);
            memcpy(n->frame + p->frame_off, n->lrow, sizeof(sql_value_t) * (size_t)p->left->ncols);
            r->frames[r->nframes - 1] = n->frame;
            rr = ex_next(n->rt);
            r->frames[r->nframes - 1] = up;
        }
        if (rr) {
            const sql_value_t *row = join_emit(n, n->lrow, rr);
            bool pass;
            rdb_arena_reset(&n->ra);
            if (ex_qual(r, p->qual, row, &n->ra, &pass) != RDB_OK)
                return NULL;
            if (!pass)
                continue;
            n->lmatched = true;
            return row;
        }
        if (rdb_err_is_set(r->err))
            return NULL;
        const sql_value_t *l = n->lrow;
        n->lrow = NULL;
        if (keep_left && !n->lmatched)
            return join_emit(n, l, NULL);
    }
}

static int key_cmp_r(const void *x, const void *y, void *type)
{
    return sql_value_cmp(*(const sql_type_t *)type, x, y);
}

bool ex_node_scan_keys(ex_node_t *n, int colid, sql_type_t type, const sql_value_t *keys,
                       int64_t nkeys)
{
    const plan_t *p = n->p;
    if (p->kind != P_SCAN || n->started || sql_syscat_is(p->tab) || p->kset || p->point ||
        p->nlo || p->nhi || p->ordered || p->index)
        return false;
    const sql_table_t *t = p->tab;
    if (t->npk != 1 || t->pk_colids[0] != colid || t->pk_colids[0] >= t->nrowcols ||
        p->types[colid].oid != type.oid)
        return false;
    /* a slice of a parallel scan reads every nparts-th key (in key order,
     * which every slice's table gives alike) from its own part on, so
     * that the slices together read each key once */
    int64_t from = 0, step = 1;
    sql_value_t *sorted = NULL;
    if (n->r->nparts > 1 && p == n->r->par_scan) {
        from = n->r->part;
        step = n->r->nparts;
        sorted = rdb_malloc(sizeof(sql_value_t) * (size_t)(nkeys ? nkeys : 1));
        memcpy(sorted, keys, sizeof(sql_value_t) * (size_t)nkeys);
        qsort_r(sorted, (size_t)nkeys, sizeof(sql_value_t), key_cmp_r, &type);
        keys = sorted;
    }
    int64_t m = nkeys > from ? (nkeys - from + step - 1) / step : 0;
    n->pt_keys = rdb_arena_alloc(&n->sa, sizeof(sql_value_t) * (size_t)(m ? m : 1));
    for (int64_t i = 0; i < m; i++)
        n->pt_keys[i] = sql_value_copy(&n->sa, type, keys[from + i * step]);
    free(sorted);
    n->pt_nkeys = m;
    n->pt_next = 0;
    n->started = true;
    n->st_kind = 'i';
    n->srow = rdb_arena_calloc(&n->sa, sizeof(sql_value_t) * t->nrowcols);
    n->pt_mode = true;
    n->pt_qual = p->qual;
    return true;
}

struct ex_join *ex_node_hashjoin(ex_node_t *n)
{
    const plan_t *p = n->p;
    if (p->kind != P_JOIN || p->lateral || p->merge || p->nkeys == 0 || n->nlb)
        return NULL;
    if (!n->join)
        n->join = ex_join_new(n->r, p, n->l, n->rt, n->out);
    return n->join;
}

/* Not LATERAL: hashjoin.h (hash join spilling beyond hash memory, nested
 * loop over a tuplestore). */
static const sql_value_t *join_next(ex_node_t *n)
{
    if (n->nlb)
        return ex_nlb_next(n->nlb);
    if (n->p->lateral)
        return lateral_next(n);
    if (!n->join)
        n->join = ex_join_new(n->r, n->p, n->l, n->rt, n->out);
    return ex_join_next(n->join);
}

/* --- aggregate --- */

typedef struct aggbuf {     /* inputs of an aggregate with ORDER BY */
    sql_value_t **rows;
    int64_t       n, cap;
} aggbuf_t;

typedef struct aggstate {
    void      **st;       /* per aggregate */
    rowhash_t  *seen;     /* per DISTINCT aggregate */
    aggbuf_t   *buf;      /* per ordered aggregate */
    struct ex_aggsort **xs;  /* per DISTINCT / ordered aggregate: its inputs once
                              * many, sorted (aggsort.h); NULL while few */
} aggstate_t;

static aggstate_t *agg_new_group(ex_node_t *n)
{
    const plan_t *p = n->p;
    rdb_arena_t *a = &n->ga;
    aggstate_t *s = RDB_ARENA_NEW(a, aggstate_t);
    s->st = RDB_ARENA_NEWN(a, void *, p->naggs + 1);
    s->seen = RDB_ARENA_NEWN(a, rowhash_t, p->naggs + 1);
    s->buf = RDB_ARENA_NEWN(a, aggbuf_t, p->naggs + 1);
    s->xs = RDB_ARENA_NEWN(a, struct ex_aggsort *, p->naggs + 1);
    for (int i = 0; i < p->naggs; i++) {
        s->st[i] = p->aggs[i].agg.init(a, &p->aggs[i].agg);
        if (p->aggs[i].distinct)
            rh_init(&s->seen[i], a, p->aggs[i].nargs, p->aggs[i].agg.argtypes);
    }
    return s;
}

/* Are aggregate i's DISTINCT / ORDER BY inputs in group s many?  Then
 * they move to a sort (aggsort.h): the ORDER BY inputs kept, or the
 * DISTINCT values seen, whose transitions start over from the sort. */
static bool agg_many(ex_node_t *n, aggstate_t *s, int i)
{
    const plan_agg_t *ag = &n->p->aggs[i];
    int64_t have = ag->norder ? s->buf[i].n : (int64_t)s->seen[i].n;
    if (have < ex_aggsort_threshold(n->r, ag->nargs + ag->norder))
        return false;
    ex_aggsort_t *xs = ex_aggsort_new(n->r, ag);
    if (n->naggsorts == n->capaggsorts) {
        n->capaggsorts = n->capaggsorts ? n->capaggsorts * 2 : 16;
        n->aggsorts = rdb_realloc(n->aggsorts, sizeof *n->aggsorts * (size_t)n->capaggsorts);
    }
    n->aggsorts[n->naggsorts++] = xs;
    n->aggsort_active++;
    s->xs[i] = xs;
    if (ag->norder) {
        for (int64_t k = 0; k < s->buf[i].n; k++)
            if (ex_aggsort_add(xs, s->buf[i].rows[k]) != RDB_OK)
                break;
        s->buf[i].n = 0;
    } else {
        for (rh_entry_t *e = s->seen[i].first; e; e = e->chain)
            if (ex_aggsort_add(xs, e->key) != RDB_OK)
                break;
        s->st[i] = ag->agg.init(&n->ga, &ag->agg);
    }
    return true;
}

/* An input of aggregate i of group s, to its sort: [args][order values]. */
static rdb_status_t agg_sorted_add(ex_node_t *n, aggstate_t *s, int i, const sql_value_t *row,
                                   const sql_value_t *args)
{
    const plan_agg_t *ag = &n->p->aggs[i];
    sql_value_t kept[2 + 16];
    if (rdb_err_is_set(n->r->err))
        return RDB_SQL;
    if (ag->norder > 16)
        return rdb_err_set(n->r->err, RDB_SQL, "54000", "too many ORDER BY keys in an aggregate");
    for (int k = 0; k < ag->nargs; k++)
        kept[k] = args[k];
    for (int k = 0; k < ag->norder; k++)
        if (ex_eval(n->r, ag->order[k], row, &n->ra, &kept[ag->nargs + k]) != RDB_OK)
            return RDB_SQL;
    return ex_aggsort_add(s->xs[i], kept);
}

static rdb_status_t agg_advance(ex_node_t *n, aggstate_t *s, const sql_value_t *row)
{
    const plan_t *p = n->p;
    ex_run_t *r = n->r;
    for (int i = 0; i < p->naggs; i++) {
        const plan_agg_t *ag = &p->aggs[i];
        if (ag->filter) {
            bool pass;
            if (ex_qual(r, ag->filter, row, &n->ra, &pass) != RDB_OK)
                return RDB_SQL;
            if (!pass)
                continue;
        }
        sql_value_t args[2];
        bool anynull = false;
        for (int k = 0; k < ag->nargs; k++) {
            if (ex_eval(r, ag->args[k], row, &n->ra, &args[k]) != RDB_OK)
                return RDB_SQL;
            anynull |= args[k].isnull;
        }
        if (anynull && ag->agg.strict)
            continue;
        if (s->xs[i] || ((ag->distinct || ag->norder) && agg_many(n, s, i))) {
            if (agg_sorted_add(n, s, i, row, args) != RDB_OK)
                return RDB_SQL;
            continue;
        }
        if (ag->distinct) {   /* DISTINCT: ORDER BY keys are among the arguments */
            uint64_t h = key_hash(ag->agg.argtypes, ag->nargs, args);
            if (rh_find(&s->seen[i], args, h))
                continue;
            rh_add(&s->seen[i], &n->ga, ex_copy_row(&n->ga, ag->agg.argtypes, ag->nargs, args), h);
        }
        if (ag->norder) {
            /* keep the inputs with their order values; fed sorted at the end */
            aggbuf_t *b = &s->buf[i];
            int w = ag->nargs + ag->norder;
            sql_value_t *kept = rdb_arena_alloc(&n->ga, sizeof(sql_value_t) * (size_t)w);
            for (int k = 0; k < ag->nargs; k++)
                kept[k] = args[k].isnull ? args[k] : sql_value_copy(&n->ga, ag->agg.argtypes[k], args[k]);
            for (int k = 0; k < ag->norder; k++) {
                sql_value_t v;
                if (ex_eval(r, ag->order[k], row, &n->ra, &v) != RDB_OK)
                    return RDB_SQL;
                kept[ag->nargs + k] = v.isnull ? v : sql_value_copy(&n->ga, ag->okeys[k].type, v);
            }
            if (b->n == b->cap) {
                b->cap = b->cap ? b->cap * 2 : 16;
                b->rows = rdb_arena_grow(&n->ga, b->rows, (size_t)b->n, (size_t)b->cap, sizeof *b->rows);
            }
            b->rows[b->n++] = kept;
            continue;
        }
        sql_fn_ctx_t ctx = r->fn;
        ctx.arena = &n->ga;   /* states keep their bytes */
        /* copy variable-length arguments: the state may keep them */
        for (int k = 0; k < ag->nargs && !ag->agg.copies_args; k++)
            if (!args[k].isnull)
                args[k] = sql_value_copy(&n->ga, ag->agg.argtypes[k], args[k]);
        if (ag->agg.trans(&ctx, s->st[i], args, r->err) != RDB_OK)
            return RDB_SQL;
    }
    return RDB_OK;
}

/* Group the rows of one input (the child's, or a spilled partition's) in
 * n->ht; beyond hash memory, rows of groups not in memory spill. */
static rdb_status_t agg_fill(ex_node_t *n)
{
    const plan_t *p = n->p;
    ex_run_t *r = n->r;
    const sql_type_t *gt = n->ht.types;
    sql_value_t *key = n->lkey;
    aggstate_t *single = p->ngroup ? NULL : agg_new_group(n);
    const sql_value_t *row;
    while ((row = hash_input(n))) {
        rdb_arena_reset(&n->ra);
        aggstate_t *s = single;
        if (!s) {
            for (int i = 0; i < p->ngroup; i++)
                if (ex_eval(r, p->group[i], row, &n->ra, &key[i]) != RDB_OK)
                    return RDB_SQL;
            uint64_t h = key_hash(gt, p->ngroup, key);
            rh_entry_t *e = rh_find(&n->ht, key, h);
            if (!e && n->spilling) {
                if (ex_hspill_put(n->hs, h, row) != RDB_OK || !tick(n))
                    return RDB_SQL;
                continue;
            }
            if (!e) {
                e = rh_add(&n->ht, &n->ga, ex_copy_row(&n->ga, gt, p->ngroup, key), h);
                e->extra = agg_new_group(n);
                if (hash_mem(n) != RDB_OK)
                    return RDB_SQL;
            }
            s = e->extra;
        }
        if (agg_advance(n, s, row) != RDB_OK)
            return RDB_SQL;
        if ((++r->tick & 255) == 0 && ex_check_mem(r, agg_held(n)) != RDB_OK)
            return RDB_SQL;
    }
    if (rdb_err_is_set(r->err))
        return RDB_SQL;
    if (single) {
        rh_entry_t *e = rh_add(&n->ht, &n->ga, key, 0);
        e->extra = single;
    }
    n->it = n->ht.first;
    return RDB_OK;
}

/* The aggregate's hash table over its groups' arena, and the key buffer. */
static void agg_init(ex_node_t *n)
{
    const plan_t *p = n->p;
    ex_run_t *r = n->r;
    sql_type_t *gt = RDB_ARENA_NEWN(r->a, sql_type_t, p->ngroup + 1);
    for (int i = 0; i < p->ngroup; i++)
        gt[i] = p->group[i]->type;
    rh_init(&n->ht, &n->ga, p->ngroup, gt);
    n->lkey = RDB_ARENA_NEWN(r->a, sql_value_t, p->ngroup + 1);
}

/* A parallel aggregate (plan.h `parallel`): each slice fills its own
 * groups (Partial Aggregate); the caller combines them slice by slice
 * (Finalize Aggregate), so groups come out in serial first-appearance
 * order.  A slice does not spill: when its groups outgrow hash memory it
 * stops (overflow) and the caller aggregates serially, spilling. */
typedef struct par_agg {
    const plan_t *p;
    rowhash_t    *ht;          /* per part */
    rdb_arena_t  *ga;          /* per part: its groups, freed by the caller */
    bool          overflow;
} par_agg_t;

static rdb_status_t agg_part(ex_run_t *wr, int part, void *arg)
{
    par_agg_t *pa = arg;
    ex_node_t *n = ex_open(wr, pa->p);
    if (!n)
        return RDB_SQL;
    n->par_overflow = &pa->overflow;
    agg_init(n);
    rdb_status_t rc = agg_fill(n);
    pa->ht[part] = n->ht;
    pa->ga[part] = n->ga;      /* the groups outlive the node */
    rdb_arena_init(&n->ga, 0);
    ex_close(n);
    return rc;
}

/* RDB_OK with the combined groups in n->ht; RDB_NOTFOUND when a slice
 * overflowed hash memory (r->err clear: aggregate serially instead). */
static rdb_status_t agg_parallel(ex_node_t *n)
{
    const plan_t *p = n->p;
    ex_run_t *r = n->r;
    int nparts = p->parallel + 1;
    par_agg_t pa = { p, RDB_ARENA_NEWN(r->a, rowhash_t, nparts), RDB_ARENA_NEWN(r->a, rdb_arena_t, nparts),
                     false };
    for (int i = 0; i < nparts; i++)
        rdb_arena_init(&pa.ga[i], 0);
    ex_par_t *par = ex_par_run(r, nparts, p->par_scan, agg_part, &pa);
    agg_init(n);
    rdb_status_t rc = par ? RDB_OK : RDB_SQL;
    if (!par && __atomic_load_n(&pa.overflow, __ATOMIC_RELAXED)) {
        rdb_err_clear(r->err);
        rc = RDB_NOTFOUND;
    }
    sql_fn_ctx_t ctx = r->fn;
    ctx.arena = &n->ga;
    for (int i = 0; rc == RDB_OK && i < nparts; i++)
        for (rh_entry_t *pe = pa.ht[i].first; rc == RDB_OK && pe; pe = pe->chain) {
            rh_entry_t *e = rh_find(&n->ht, pe->key, pe->hash);
            if (!e) {
                e = rh_add(&n->ht, &n->ga, ex_copy_row(&n->ga, n->ht.types, p->ngroup, pe->key), pe->hash);
                e->extra = agg_new_group(n);
            }
            aggstate_t *s = e->extra, *o = pe->extra;
            for (int k = 0; rc == RDB_OK && k < p->naggs; k++)
                rc = p->aggs[k].agg.combine(&ctx, s->st[k], o->st[k], r->err);
            if (rc == RDB_OK)
                rc = ex_check(r);
        }
    if (par)
        ex_par_free(par);
    for (int i = 0; i < nparts; i++)
        rdb_arena_destroy(&pa.ga[i]);
    n->it = n->ht.first;
    return rc;
}

static const sql_value_t *agg_next(ex_node_t *n)
{
    const plan_t *p = n->p;
    ex_run_t *r = n->r;
    if (!n->started) {
        n->started = true;
        rdb_status_t rc = par_now(n) ? agg_parallel(n) : RDB_NOTFOUND;
        if (rc == RDB_NOTFOUND) {   /* serially */
            rdb_arena_reset(&n->ga);
            agg_init(n);
            rc = agg_fill(n);
        }
        if (rc != RDB_OK)
            return NULL;
    }
    /* the groups in memory are done: those of the next spilled partition */
    while (!n->it) {
        if (!hash_next_part(n))
            return NULL;
        rh_init(&n->ht, &n->ga, p->ngroup, n->ht.types);
        if (agg_fill(n) != RDB_OK)
            return NULL;
    }
    if (!n->it)
        return NULL;
    rh_entry_t *e = n->it;
    n->it = e->chain;
    aggstate_t *s = e->extra;
    for (int i = 0; i < p->ngroup; i++)
        n->out[i] = e->key[i];
    rdb_arena_reset(&n->ra);
    for (int i = 0; i < p->naggs; i++) {
        const plan_agg_t *ag = &p->aggs[i];
        if (s->xs[i]) {
            sql_fn_ctx_t tctx = r->fn;
            tctx.arena = &n->ga;
            n->aggsort_active--;
            if (ex_aggsort_feed(s->xs[i], &tctx, s->st[i]) != RDB_OK)
                return NULL;
        } else if (ag->norder && s->buf[i].n) {
            /* sort the kept inputs, then run the transitions in that order */
            plan_t key = { 0 };
            key.nsort = ag->norder;
            key.sort = ag->okeys;
            if (s->buf[i].n > 1)
                qsort_r(s->buf[i].rows, (size_t)s->buf[i].n, sizeof(sql_value_t *), sort_cmp, &key);
            sql_fn_ctx_t tctx = r->fn;
            tctx.arena = &n->ga;
            for (int64_t k = 0; k < s->buf[i].n; k++)
                if (ag->agg.trans(&tctx, s->st[i], s->buf[i].rows[k], r->err) != RDB_OK ||
                    ((++r->tick & 255) == 0 && ex_check_mem(r, agg_held(n)) != RDB_OK))
                    return NULL;
            s->buf[i].n = 0;
        }
        sql_fn_ctx_t ctx = r->fn;
        ctx.arena = &n->ra;
        if (p->aggs[i].agg.final(&ctx, s->st[i], &n->out[p->ngroup + i], r->err) != RDB_OK)
            return NULL;
    }
    return n->out;
}

/* ---- dispatch ------------------------------------------------------- */

/* Mark in need[] the columns of a row of width w that e reads; false
 * when that cannot be told (a subquery may read any column through the
 * frames). */
/* The columns e reads (need[i] set) of the evaluating node's row (kind
 * EX_COL) or, kind EX_OUTER, of the row one frame up (a LATERAL join's
 * left row, read by its right side); false if that cannot be told. */
static bool refs_used(const ex_expr_t *e, ex_kind_t kind, bool *need, int w)
{
    if (!e)
        return true;
    if (e->kind == EX_SUBLINK)
        return false;
    if (e->kind == kind && (kind == EX_COL || e->levelsup == 1)) {
        if (e->idx < 0 || e->idx >= w)
            return false;
        need[e->idx] = true;
    }
    for (int i = 0; i < e->nargs; i++)
        if (!refs_used(e->args[i], kind, need, w))
            return false;
    return true;
}

static bool cols_used(const ex_expr_t *e, bool *need, int w)
{
    return refs_used(e, EX_COL, need, w);
}

/* need (NULL: all) says which columns of n's rows are read above n: a
 * base-table scan then decodes only those (sql_scan_set_borrow); a filter
 * adds its condition's, a join splits them between its sides adding its
 * keys' and condition's.  Other nodes read all of their input. */
static void push_need(ex_node_t *n, const bool *need)
{
    const plan_t *p = n->p;
    int w = p->ncols;
    if (!need || w <= 0)
        return;
    bool *m = rdb_arena_alloc(&n->sa, sizeof(bool) * (size_t)w);
    memcpy(m, need, sizeof(bool) * (size_t)w);
    switch (p->kind) {
    case P_SCAN:
        if (p->tab && w == p->tab->nrowcols && cols_used(p->qual, m, w))
            n->need = m;
        return;
    case P_FILTER:
        if (n->l && cols_used(p->qual, m, w))
            push_need(n->l, m);
        return;
    case P_LIMIT:
        if (n->l && !p->with_ties)
            push_need(n->l, m);
        return;
    case P_JOIN: {
        int wl = p->left->ncols, wr = p->right->ncols;
        if (wl + wr != w || !cols_used(p->qual, m, w))
            return;
        bool *lm = m, *rm = m + wl;
        for (int i = 0; i < p->nkeys; i++)
            if (!cols_used(p->lkeys[i], lm, wl) || !cols_used(p->rkeys[i], rm, wr))
                return;
        if (p->lateral) {
            /* the right side reads the left row as its frame */
            const plan_t *rp = p->right;
            if (!p->nl_batch || !refs_used(rp->qual, EX_OUTER, lm, wl))
                return;
            for (int i = 0; i < rp->nlo; i++)
                if (!refs_used(rp->lo[i], EX_OUTER, lm, wl))
                    return;
        } else if (n->rt) {
            push_need(n->rt, rm);
        }
        if (n->l)
            push_need(n->l, lm);
        return;
    }
    default:
        return;
    }
}

/* An aggregate or a projection makes rows of its own from its input's:
 * the columns their expressions read are all its input must produce. */
static void input_need(ex_node_t *n)
{
    const plan_t *p = n->p;
    if (!n->l)
        return;
    int w = p->left->ncols;
    bool *need = rdb_arena_calloc(&n->sa, sizeof(bool) * (size_t)(w ? w : 1));
    bool ok = true;
    if (p->kind == P_PROJECT) {
        for (int i = 0; ok && i < p->nexprs; i++)
            ok = cols_used(p->exprs[i], need, w);
    } else {
        for (int i = 0; ok && i < p->ngroup; i++)
            ok = cols_used(p->group[i], need, w);
        for (int i = 0; ok && i < p->naggs; i++) {
            const plan_agg_t *ag = &p->aggs[i];
            for (int j = 0; ok && j < ag->nargs; j++)
                ok = cols_used(ag->args[j], need, w);
            ok = ok && cols_used(ag->filter, need, w);
            for (int j = 0; ok && j < ag->norder; j++)
                ok = cols_used(ag->order[j], need, w);
        }
    }
    if (ok)
        push_need(n->l, need);
}

ex_node_t *ex_open(ex_run_t *r, const plan_t *p)
{
    ex_node_t *n = calloc(1, sizeof *n);
    n->p = p;
    n->r = r;
    rdb_arena_init(&n->ra, 0);
    rdb_arena_init(&n->sa, 0);
    rdb_arena_init(&n->ga, 0);
    rdb_arena_init(&n->pa, 0);
    n->out = ra_alloc_row(n, p->ncols);
    if (p->left && p->kind != P_SCAN) {
        n->l = ex_open(r, p->left);
        if (!n->l)
            goto fail;
    }
    if (p->kind == P_JOIN && p->nl_batch) {
        n->nlb = ex_nlb_new(r, p, n->l, n->out); /* reads the right side itself */
    } else if (p->right) {
        n->rt = ex_open(r, p->right);
        if (!n->rt)
            goto fail;
    }
    if (p->kind == P_WINDOW)
        n->win = ex_window_open(r, p, n->l);
    if (r->instr)
        n->ins = ex_instr_get(r->instr, p);   /* a loop counts from its first next */
    if (p->kind == P_RECURSIVE) {
        if (p->wtid >= r->nwt) {
            int cap = p->wtid + 4;
            r->wt = rdb_arena_grow(r->a, r->wt, (size_t)r->nwt, (size_t)cap, sizeof *r->wt);
            r->nwt = cap;
        }
        r->wt[p->wtid] = n;
    }
    if (p->kind == P_FUNCSCAN)
        n->srf = ex_srfscan_open(r, p);
    if (p->kind == P_AGG || p->kind == P_PROJECT)
        input_need(n);
    return n;
fail:
    ex_close(n);
    return NULL;
}

static const sql_value_t *node_next(ex_node_t *n);

/* EXPLAIN ANALYZE: count rows and time around the node's next. */
static const sql_value_t *instr_next(ex_node_t *n)
{
    bool timing = ex_instr_timing(n->r->instr);
    uint64_t t0 = timing ? rdb_now_ns() : 0;
    if (!n->ins_first)
        n->ins->loops++;
    const sql_value_t *row = node_next(n);
    if (timing) {
        uint64_t d = rdb_now_ns() - t0;
        n->ins->ns += d;
        if (!n->ins_first)
            n->ins->first_ns += d;
    }
    n->ins_first = true;
    if (row)
        n->ins->rows++;
    return row;
}

const sql_value_t *ex_next(ex_node_t *n)
{
    if (n->ins)
        return instr_next(n);
    return node_next(n);
}

static const sql_value_t *node_next(ex_node_t *n)
{
    if (rdb_err_is_set(n->r->err))
        return NULL;
    switch (n->p->kind) {
    case P_SCAN: return scan_next(n);
    case P_RESULT: return result_next(n);
    case P_VALUES: return values_next(n);
    case P_SERIES: return series_next(n);
    case P_FILTER: return filter_next(n);
    case P_PROJECT: {
        const sql_value_t *row = project_next(n);
        if (!n->p->left)
            n->done = true;
        return row;
    }
    case P_JOIN: return join_next(n);
    case P_AGG: return agg_next(n);
    case P_SORT: return sort_next(n);
    case P_LIMIT: return limit_next(n);
    case P_LOCKROWS: return ex_lockrows_next(n->r, n->p, n->l, &n->ra, n->out);
    case P_DISTINCT: return distinct_next(n);
    case P_APPEND: return append_next(n);
    case P_SETOP: return setop_next(n);
    case P_SUBQUERY: return ex_next(n->l);
    case P_WINDOW: return ex_window_next(n->win);
    case P_RECURSIVE: return recursive_next(n);
    case P_WORKTABLE: return worktable_next(n);
    case P_FUNCSCAN: return ex_srfscan_next(n->srf, n->out) ? n->out : NULL;
    case P_EXCHANGE:
        rdb_err_set(n->r->err, RDB_SQL, "0A000", "distributed execution is not available yet");
        return NULL;
    }
    return NULL;
}

void ex_scan_stats(const sql_table_t *t, const sql_index_t *ix, char kind, int64_t nread)
{
    if (kind == 's') {
        sql_tabstat_add(t->id, TS_SEQ_SCAN, 1);
        sql_tabstat_add(t->id, TS_SEQ_TUP_READ, nread);
        return;
    }
    if (!ix)
        ix = t->pk_index;
    sql_tabstat_add(t->id, TS_IDX_SCAN, 1);
    sql_tabstat_add(t->id, TS_IDX_TUP_FETCH, nread);
    if (ix) {
        sql_tabstat_add(ix->id, TS_IDX_SCAN, 1);
        sql_tabstat_add(ix->id, TS_IDX_TUP_READ, nread);
        sql_tabstat_add(ix->id, TS_IDX_TUP_FETCH, nread);
    }
}

void ex_close(ex_node_t *n)
{
    if (!n)
        return;
    if (n->st_kind)
        ex_scan_stats(n->p->tab, n->p->index, n->st_kind, n->st_read);
    if (n->l)
        ex_close(n->l);
    if (n->rt)
        ex_close(n->rt);
    ex_nlb_free(n->nlb);
    if (n->scan)
        sql_scan_close(n->scan);
    if (n->win)
        ex_window_close(n->win);
    if (n->p->kind == P_RECURSIVE && n->p->wtid < n->r->nwt && n->r->wt[n->p->wtid] == n)
        n->r->wt[n->p->wtid] = NULL;
    ex_sort_free(n->xs);
    ex_join_free(n->join);
    ex_msetop_free(n->ms);
    ex_tstore_free(n->wts);
    ex_tstore_free(n->nts);
    ex_rowset_free(n->seen);
    for (int i = 0; i < n->naggsorts; i++)
        ex_aggsort_free(n->aggsorts[i]);
    free(n->aggsorts);
    if (n->srf)
        ex_srfscan_close(n->srf);
    ex_par_free(n->par);
    rdb_arena_destroy(&n->ra);
    rdb_arena_destroy(&n->sa);
    ex_hspill_free(n->hs);
    rdb_arena_destroy(&n->ga);
    rdb_arena_destroy(&n->pa);
    free(n);
}
