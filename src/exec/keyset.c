/*
 * keyset.c — the keys of a multi-column primary key's key set
 * (exec/keyset.h).
 *
 * The planner (planner.c key_set_multi) leaves one of two shapes in
 * p->kset: an OR whose arms are ANDs of key column = value covering the
 * whole key (a row IN list), or an AND of one conjunct per key column in
 * key order, col = value or col = ANY (array), whose keys are the product
 * of the columns' value lists (an IN list the planner could not make an
 * array of stays an OR of col = value).  Values are evaluated here, per run, so
 * parameters work as in the one-column key set.  The keys come out
 * sorted and without repeats: the reads go in key order and read each row
 * once.  The scan's qual is applied to every row read all the same.
 */
#include "exec/keyset.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "sql/array.h"

static const ex_expr_t *col_of(const ex_expr_t *e)
{
    while (e->kind == EX_CAST)
        e = e->args[0];
    return e->kind == EX_COL ? e : NULL;
}

/* Can a key column of type ct hold v (a value of a key-compatible type)? */
static bool fits(sql_type_t ct, const sql_value_t *v)
{
    if (v->isnull)
        return false;
    if (ct.oid == SQL_OID_INT2)
        return v->u.i >= INT16_MIN && v->u.i <= INT16_MAX;
    if (ct.oid == SQL_OID_INT4)
        return v->u.i >= INT32_MIN && v->u.i <= INT32_MAX;
    return true;
}

/* col = value (either side): the value, and the key position of col in
 * p's primary key (p NULL: not wanted). */
static rdb_status_t eq_value(ex_run_t *r, const plan_t *p, const ex_expr_t *eq, rdb_arena_t *a, int *k,
                             sql_value_t *v)
{
    int side = col_of(eq->args[0]) ? 0 : 1;
    if (p) {
        const sql_table_t *t = p->tab;
        const ex_expr_t *c = col_of(eq->args[side]);
        *k = -1;
        for (int i = 0; c && i < t->npk; i++)
            if (t->pk_colids[i] == c->idx)
                *k = i;
        if (*k < 0)
            return rdb_err_set(r->err, RDB_SQL, "XX000", "key set of \"%s\" names no key column", t->name);
    }
    return ex_eval(r, eq->args[1 - side], NULL, a, v);
}

typedef struct kcmp {
    const plan_t *p;
    int           npk;
} kcmp_t;

static int val_cmp(const void *x, const void *y, void *arg)
{
    return sql_value_cmp(*(const sql_type_t *)arg, x, y);
}

static int key_cmp(const void *x, const void *y, void *arg)
{
    const kcmp_t *c = arg;
    const sql_value_t *a = *(sql_value_t *const *)x, *b = *(sql_value_t *const *)y;
    for (int k = 0; k < c->npk; k++) {
        int d = sql_value_cmp(c->p->types[c->p->tab->pk_colids[k]], &a[k], &b[k]);
        if (d)
            return d;
    }
    return 0;
}

/* The OR of ANDs: one key per arm, then sorted without repeats. */
static rdb_status_t rows_keys(ex_run_t *r, const plan_t *p, rdb_arena_t *a, sql_value_t **out, int64_t *nout)
{
    const ex_expr_t *e = p->kset;
    int npk = p->tab->npk;
    sql_value_t **keys = RDB_ARENA_NEWN(a, sql_value_t *, e->nargs + 1);
    int n = 0;
    for (int i = 0; i < e->nargs; i++) {
        const ex_expr_t *arm = e->args[i];
        sql_value_t *key = RDB_ARENA_NEWN(a, sql_value_t, npk);
        bool ok = true;
        for (int j = 0; j < arm->nargs; j++) {
            int k;
            sql_value_t v;
            if (eq_value(r, p, arm->args[j], a, &k, &v) != RDB_OK)
                return RDB_SQL;
            key[k] = v;
            ok &= fits(p->types[p->tab->pk_colids[k]], &v);
        }
        if (ok)
            keys[n++] = key;
    }
    kcmp_t c = { p, npk };
    qsort_r(keys, (size_t)n, sizeof *keys, key_cmp, &c);
    sql_value_t *flat = RDB_ARENA_NEWN(a, sql_value_t, (size_t)n * (size_t)npk + 1);
    int m = 0;
    for (int i = 0; i < n; i++)
        if (m == 0 || key_cmp(&keys[i - 1], &keys[i], &c) != 0)
            memcpy(flat + (size_t)m++ * (size_t)npk, keys[i], sizeof *flat * (size_t)npk);
    *out = flat;
    *nout = m;
    return RDB_OK;
}

rdb_status_t ex_kset_values(ex_run_t *r, const ex_expr_t *e, sql_type_t ct, rdb_arena_t *a,
                            sql_value_t **out, int *nout)
{
    sql_value_t *v;
    int nv;
    if (e->kind == EX_ARRAYCMP) {
        sql_value_t av;
        sql_array_t arr;
        if (ex_eval(r, e->args[1], NULL, a, &av) != RDB_OK)
            return RDB_SQL;
        if (av.isnull) {
            *out = NULL;
            *nout = 0;
            return RDB_OK;
        }
        if (sql_array_decode(a, e->args[1]->type, &av, &arr, r->err) != RDB_OK)
            return RDB_SQL;
        v = arr.v;
        nv = arr.n;
    } else {
        /* col = value, or an OR of them (an IN list kept as such) */
        int kk;
        const ex_expr_t *const *eqs = e->kind == EX_OR ? (const ex_expr_t *const *)e->args : &e;
        nv = e->kind == EX_OR ? e->nargs : 1;
        v = RDB_ARENA_NEWN(a, sql_value_t, nv + 1);
        for (int i = 0; i < nv; i++)
            if (eq_value(r, NULL, eqs[i], a, &kk, &v[i]) != RDB_OK)
                return RDB_SQL;
    }
    sql_value_t *w = RDB_ARENA_NEWN(a, sql_value_t, nv + 1);
    int n = 0;
    for (int i = 0; i < nv; i++)
        if (fits(ct, &v[i]))
            w[n++] = v[i];
    qsort_r(w, (size_t)n, sizeof *w, val_cmp, &ct);
    int m = 0;
    for (int i = 0; i < n; i++)
        if (m == 0 || sql_value_cmp(ct, &w[m - 1], &w[i]) != 0)
            w[m++] = w[i];
    *out = w;
    *nout = m;
    return RDB_OK;
}

/* The AND: the product of the columns' values, in key order (the last
 * column turns fastest). */
static rdb_status_t product_keys(ex_run_t *r, const plan_t *p, rdb_arena_t *a, sql_value_t **out,
                                 int64_t *nout)
{
    const ex_expr_t *e = p->kset;
    int npk = p->tab->npk;
    sql_value_t **vals = RDB_ARENA_NEWN(a, sql_value_t *, npk);
    int *nv = RDB_ARENA_NEWN(a, int, npk), *at = RDB_ARENA_NEWN(a, int, npk);
    int64_t total = 1;
    for (int k = 0; k < npk; k++) {
        if (ex_kset_values(r, e->args[k], p->types[p->tab->pk_colids[k]], a, &vals[k], &nv[k]) != RDB_OK)
            return RDB_SQL;
        total *= nv[k];
        if (total > ((int64_t)1 << 26))
            return rdb_err_set(r->err, RDB_SQL, "54000", "key set of \"%s\" has too many keys", p->tab->name);
    }
    sql_value_t *flat = RDB_ARENA_NEWN(a, sql_value_t, (size_t)total * (size_t)npk + 1);
    for (int64_t i = 0; i < total; i++) {
        for (int k = 0; k < npk; k++)
            flat[(size_t)i * (size_t)npk + (size_t)k] = vals[k][at[k]];
        for (int k = npk - 1; k >= 0 && ++at[k] == nv[k]; k--)
            at[k] = 0;
    }
    *out = flat;
    *nout = total;
    return RDB_OK;
}

bool ex_kset_covers(const plan_t *p, const ex_expr_t *e)
{
    if (e == p->kset)
        return true;
    if (p->kcol >= 0 || p->kset->kind != EX_AND)
        return false;
    for (int k = 0; k < p->kset->nargs; k++)
        if (p->kset->args[k] == e)
            return true;
    return false;
}

rdb_status_t ex_kset_multi_keys(ex_run_t *r, const plan_t *p, rdb_arena_t *a, sql_value_t **out,
                                int64_t *nout)
{
    assert(p->kset && p->kcol < 0 && p->tab->npk > 1 && !p->index);
    return p->kset->kind == EX_OR ? rows_keys(r, p, a, out, nout) : product_keys(r, p, a, out, nout);
}
