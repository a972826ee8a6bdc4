/*
 * plan_sel.c — selectivity of a scan's conditions (planner_int.h
 * pl_quals_sel) from ANALYZE's statistics: PostgreSQL's eqsel and
 * scalarineqsel over the MCV list and histogram (sql/colstats.h).
 *
 *   col = c      c's MCV frequency; else the rows outside the MCVs spread
 *                evenly over the other distinct values (at most the least
 *                MCV's frequency); without an MCV list (1 - null_frac) /
 *                n_distinct; a parameter: the latter.
 *   col < c ...  the MCVs' frequencies that pass, plus the histogram's
 *                fraction below c (linear inside a bucket for numbers,
 *                dates and timestamps, half a bucket otherwise) of the
 *                rows outside the MCVs (half of them without a histogram).
 *   lo < col < hi  (BETWEEN): one range, P(> lo) + P(< hi) - 1 (less the
 *                NULLs counted out twice), as clauselist_selectivity's
 *                range pairs.
 *   col <> c     1 - (col = c) - null_frac;  IS [NOT] NULL: null_frac.
 *   col = ANY (array constant), col IN (...): the sum over the elements.
 * Without statistics (no ANALYZE): PostgreSQL's defaults, 0.005 for an
 * equality, 1/3 for an inequality, 0.005 for a range pair; any other
 * condition 1/3.
 */
#include <string.h>

#include "exec/planner_int.h"
#include "sql/array.h"
#include "sql/syscat.h"

#define DEFAULT_EQ    0.005
#define DEFAULT_INEQ  (1.0 / 3)
#define DEFAULT_RANGE 0.005

/* The analysed column of scan that e reads, or NULL. */
static const sql_column_t *stat_col(const plan_t *scan, const ex_expr_t *e)
{
    if (!scan || scan->kind != P_SCAN || !scan->tab || !scan->tab->rowcount_est)
        return NULL;
    const ex_expr_t *c = pl_strip_col(e, scan);
    if (!c || c->idx < 0 || c->idx >= scan->tab->nrowcols)
        return NULL;
    return sql_table_column_by_id(scan->tab, (uint16_t)c->idx);
}

static bool no_cols(const ex_expr_t *e)
{
    int lo = 1 << 30, hi = -1;
    bool fx = false;
    pl_span(e, &lo, &hi, &fx);
    return hi < 0 && !fx;
}

static bool same_kind(uint32_t a, uint32_t b)
{
    if (a == b)
        return true;
    bool ia = a == SQL_OID_INT2 || a == SQL_OID_INT4 || a == SQL_OID_INT8;
    bool ib = b == SQL_OID_INT2 || b == SQL_OID_INT4 || b == SQL_OID_INT8;
    bool ta = a == SQL_OID_TEXT || a == SQL_OID_VARCHAR, tb = b == SQL_OID_TEXT || b == SQL_OID_VARCHAR;
    return (ia && ib) || (ta && tb);
}

/* The constant value of e comparable with col's values, or NULL. */
static const sql_value_t *const_val(const sql_column_t *col, const ex_expr_t *e)
{
    if (e->kind != EX_CONST || e->val.isnull || !same_kind(col->type.oid, e->type.oid))
        return NULL;
    return &e->val;
}

static double clamp(double s)
{
    return s < 0 ? 0 : s > 1 ? 1 : s;
}

static double eq_sel(const sql_column_t *col, const sql_value_t *v)
{
    if (!col)
        return DEFAULT_EQ;
    double nf = col->null_frac, sum = 0, least = 1;
    for (int i = 0; i < col->nmcv; i++) {
        if (v && sql_value_cmp(col->type, &col->mcv[i], v) == 0)
            return col->mcv_freq[i];
        sum += col->mcv_freq[i];
        if (col->mcv_freq[i] < least)
            least = col->mcv_freq[i];
    }
    if (col->n_distinct <= 0)
        return nf >= 1 ? 0 : DEFAULT_EQ;
    if (!v || !col->nmcv)
        return clamp((1 - nf) / col->n_distinct);
    double others = col->n_distinct - col->nmcv;
    double s = (1 - sum - nf) / (others > 1 ? others : 1);
    return clamp(s > least ? least : s);
}

/* A value as a number for interpolation, or false. */
static bool as_number(sql_type_t t, const sql_value_t *v, double *out)
{
    switch (t.oid) {
    case SQL_OID_INT2: case SQL_OID_INT4: case SQL_OID_INT8:
    case SQL_OID_DATE: case SQL_OID_TIMESTAMP: case SQL_OID_TIMESTAMPTZ:
        *out = (double)v->u.i;
        return true;
    case SQL_OID_FLOAT4: case SQL_OID_FLOAT8:
        *out = v->u.f;
        return true;
    default:
        return false;
    }
}

/* The fraction of the histogram's population below v. */
static double hist_below(const sql_column_t *col, const sql_value_t *v)
{
    int n = col->nhist;
    if (sql_value_cmp(col->type, v, &col->hist[0]) <= 0)
        return 0;
    if (sql_value_cmp(col->type, v, &col->hist[n - 1]) >= 0)
        return 1;
    int lo = 0, hi = n - 1;   /* hist[lo] < v <= hist[hi] */
    while (hi - lo > 1) {
        int mid = (lo + hi) / 2;
        if (sql_value_cmp(col->type, &col->hist[mid], v) < 0)
            lo = mid;
        else
            hi = mid;
    }
    double a, b, x, frac = 0.5;
    if (as_number(col->type, &col->hist[lo], &a) && as_number(col->type, &col->hist[hi], &b) &&
        as_number(col->type, v, &x) && b > a)
        frac = (x - a) / (b - a);
    return (lo + clamp(frac)) / (n - 1);
}

/* col op v, op 1 '<', 2 '<=', 3 '>', 4 '>='. */
static double ineq_sel(const sql_column_t *col, int op, const sql_value_t *v)
{
    if (!col || !v)
        return DEFAULT_INEQ;
    bool below = op == 1 || op == 2;
    double mcv = 0, sum = 0;
    for (int i = 0; i < col->nmcv; i++) {
        int c = sql_value_cmp(col->type, &col->mcv[i], v);
        bool pass = op == 1 ? c < 0 : op == 2 ? c <= 0 : op == 3 ? c > 0 : c >= 0;
        if (pass)
            mcv += col->mcv_freq[i];
        sum += col->mcv_freq[i];
    }
    double rest = 1 - col->null_frac - sum;
    double h = 0.5;
    if (col->nhist >= 2) {
        h = hist_below(col, v);
        if (!below)
            h = 1 - h;
    } else if (col->nmcv && rest < 0.001) {
        h = 0;
    }
    return clamp(mcv + (rest > 0 ? rest : 0) * h);
}

static int flip(int op)
{
    return op == 1 ? 3 : op == 2 ? 4 : op == 3 ? 1 : op == 4 ? 2 : op;
}

typedef struct range {
    const sql_column_t *col;
    double lo, hi;          /* -1: none */
    bool   lo_def, hi_def;  /* a default (no statistics or no constant) */
} range_t;

/* Selectivity of e alone; a range bound on a column goes to r instead
 * (returns -1). */
static double clause_sel(rdb_arena_t *a, const plan_t *scan, const ex_expr_t *e, range_t *rg, int *nrg)
{
    if (e->kind == EX_NULLTEST) {
        const sql_column_t *col = stat_col(scan, e->args[0]);
        double nf = col ? col->null_frac : DEFAULT_EQ;
        return e->flag == 1 ? 1 - nf : nf;
    }
    if (e->kind == EX_ARRAYCMP && e->flag == 1 && e->fn && e->fn->name && strcmp(e->fn->name, "=") == 0 &&
        e->nargs == 2 && e->args[1]->kind == EX_CONST && !e->args[1]->val.isnull) {
        const sql_column_t *col = stat_col(scan, e->args[0]);
        sql_array_t arr;
        rdb_err_t err = { 0 };
        if (sql_array_decode(a, e->args[1]->type, &e->args[1]->val, &arr, &err) != RDB_OK) {
            rdb_err_clear(&err);
            return DEFAULT_INEQ;
        }
        double s = 0;
        for (int i = 0; i < arr.n; i++)
            if (!arr.v[i].isnull)
                s += col && same_kind(col->type.oid, arr.elem.oid) ? eq_sel(col, &arr.v[i]) : DEFAULT_EQ;
        return clamp(s);
    }
    if (e->kind == EX_OR) {
        double s = 0;
        for (int i = 0; i < e->nargs; i++) {
            int dummy = 0;
            range_t tmp[1];
            double c = clause_sel(a, scan, e->args[i], tmp, &dummy);
            if (dummy)
                c = DEFAULT_INEQ;
            s = s + c - s * c;
        }
        return s;
    }
    if (e->kind != EX_FUNC || e->nargs != 2 || !e->fn || !e->fn->name)
        return DEFAULT_INEQ;
    bool ne = strcmp(e->fn->name, "<>") == 0;
    int op = ne ? 5 : pl_cmp_kind(e->fn->name);
    if (op < 0)
        return DEFAULT_INEQ;
    for (int s = 0; s < 2; s++) {
        if (!pl_strip_col(e->args[s], scan) || !no_cols(e->args[1 - s]))
            continue;
        const sql_column_t *col = stat_col(scan, e->args[s]);
        const sql_value_t *v = col ? const_val(col, e->args[1 - s]) : NULL;
        int k = s == 0 ? op : flip(op);
        if (k == 0)
            return eq_sel(col, v);
        if (k == 5)
            return clamp(1 - eq_sel(col, v) - (col ? col->null_frac : 0));
        double sel = ineq_sel(col, k, v);
        range_t *r = NULL;
        for (int i = 0; i < *nrg; i++)
            if (rg[i].col && rg[i].col == col && col)
                r = &rg[i];
        if (!r && col && *nrg < 32) {
            r = &rg[(*nrg)++];
            *r = (range_t){ col, -1, -1, false, false };
        }
        if (!r)
            return sel;
        bool def = !v;
        if (k == 1 || k == 2) {
            if (r->hi < 0 || sel < r->hi)
                r->hi = sel, r->hi_def = def;
        } else {
            if (r->lo < 0 || sel < r->lo)
                r->lo = sel, r->lo_def = def;
        }
        return -1;
    }
    return DEFAULT_INEQ;
}

double pl_quals_sel(rdb_arena_t *a, const plan_t *scan, const pl_quals_t *q)
{
    range_t rg[32];
    int nrg = 0;
    double sel = 1;
    for (int i = 0; i < q->n; i++) {
        double s = clause_sel(a, scan, q->q[i], rg, &nrg);
        if (s >= 0)
            sel *= s;
    }
    for (int i = 0; i < nrg; i++) {
        const range_t *r = &rg[i];
        if (r->lo >= 0 && r->hi >= 0) {
            double s = r->lo + r->hi - 1 + r->col->null_frac;
            if (r->lo_def || r->hi_def)
                s = DEFAULT_RANGE;
            else if (s <= 0)
                s = s < -0.01 ? 1e-10 : DEFAULT_RANGE;
            sel *= s;
        } else {
            sel *= r->lo >= 0 ? r->lo : r->hi;
        }
    }
    return sel;
}

double pl_eqjoin_sel(const sql_column_t *c1, const sql_column_t *c2)
{
    if (!c1 || !c2 || c1->n_distinct <= 0 || c2->n_distinct <= 0)
        return -1;
    double nd1 = c1->n_distinct, nd2 = c2->n_distinct;
    if (!c1->nmcv || !c2->nmcv || !same_kind(c1->type.oid, c2->type.oid)) {
        double nd = nd1 > nd2 ? nd1 : nd2;
        return clamp((1 - c1->null_frac) * (1 - c2->null_frac) / nd);
    }
    /* eqjoinsel_inner: match the two MCV lists */
    double prod = 0, m1 = 0, m2 = 0, sum1 = 0, sum2 = 0;
    int nmatch = 0;
    for (int j = 0; j < c2->nmcv; j++)
        sum2 += c2->mcv_freq[j];
    for (int i = 0; i < c1->nmcv; i++) {
        sum1 += c1->mcv_freq[i];
        for (int j = 0; j < c2->nmcv; j++)
            if (sql_value_cmp(c1->type, &c1->mcv[i], &c2->mcv[j]) == 0) {
                prod += c1->mcv_freq[i] * c2->mcv_freq[j];
                m1 += c1->mcv_freq[i];
                m2 += c2->mcv_freq[j];
                nmatch++;
                break;
            }
    }
    double un1 = sum1 - m1, un2 = sum2 - m2;
    double other1 = clamp(1 - c1->null_frac - sum1), other2 = clamp(1 - c2->null_frac - sum2);
    double t1 = prod, t2 = prod;
    if (nd2 > c2->nmcv)
        t1 += un1 * other2 / (nd2 - c2->nmcv);
    if (nd2 > nmatch)
        t1 += other1 * (other2 + un2) / (nd2 - nmatch);
    if (nd1 > c1->nmcv)
        t2 += un2 * other1 / (nd1 - c1->nmcv);
    if (nd1 > nmatch)
        t2 += other2 * (other1 + un1) / (nd1 - nmatch);
    return clamp(t1 < t2 ? t1 : t2);
}

const sql_column_t *pl_plan_col(const plan_t *p, const ex_expr_t *e)
{
    while (p && (p->kind == P_FILTER || p->kind == P_SORT))
        p = p->left;
    return p && p->kind == P_SCAN && p->tab && !sql_syscat_is(p->tab) ? stat_col(p, e) : NULL;
}

double pl_bound_sel(const plan_t *scan, uint16_t colid, const ex_expr_t *eq, const ex_expr_t *lo, bool lo_incl,
                    const ex_expr_t *hi, bool hi_incl)
{
    const sql_table_t *t = scan->tab;
    if (!t || !t->rowcount_est || sql_syscat_is(t))
        return -1;
    const sql_column_t *col = sql_table_column_by_id(t, colid);
    if (!col || col->n_distinct <= 0)
        return -1;
    if (eq)
        return eq_sel(col, const_val(col, eq));
    const sql_value_t *l = lo ? const_val(col, lo) : NULL, *h = hi ? const_val(col, hi) : NULL;
    if ((lo && !l) || (hi && !h))
        return -1;
    double sl = l ? ineq_sel(col, lo_incl ? 4 : 3, l) : -1, sh = h ? ineq_sel(col, hi_incl ? 2 : 1, h) : -1;
    if (sl >= 0 && sh >= 0) {
        double s = sl + sh - 1 + col->null_frac;
        return s <= 0 ? (s < -0.01 ? 1e-10 : DEFAULT_RANGE) : s;
    }
    return sl >= 0 ? sl : sh;
}
