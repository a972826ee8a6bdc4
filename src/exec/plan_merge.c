/*
 * plan_merge.c — merge join or hash join (planner_int.h pl_merge_join).
 *
 * A join with equality keys (plan.h lkeys / rkeys) runs as a hash join
 * unless a merge join (mergejoin.h) costs less.  A merge join needs both
 * inputs in ascending key order, NULLs last: each input gets a Sort on
 * its keys, which plan_order.c replaces by a scan reading in that order
 * where one exists and costs less (an ordered Index Scan, the primary
 * key of a range-partitioned table).  On a cluster such a scan is still
 * one ordered iteration of the key range (the read path merges the
 * replicas' rows in key order), and a Sort runs above whatever reads its
 * input, so the plan makes no single-node assumption.
 *
 * Costs (a sequentially read row = 1, as plan_join.c): hash join
 * left x 0.1 + right x 0.5, plus (left + right) x 1 when the right side
 * does not fit in hash memory (2 x work_mem: the grace partitions are
 * written and read back); merge join (left + right) x 0.05 plus, per
 * input that needs a sort, rows x 0.05 x log2(rows), plus rows x 1 when
 * the sort would not fit in work_mem.  So a merge join wins when both
 * inputs come ordered, or one does and the hash table would spill.
 * enable_hashjoin / enable_mergejoin / enable_sort off add 1e10.
 *
 * Mergeable keys: plain columns on both sides, of one type whose '=' is
 * sql_value_cmp's equality (ex_hash_eq_type), or integer columns of
 * different widths (int4 = int8: the binder widens one side with a cast,
 * and every integer orders and compares alike as the key's type, so the
 * input is sorted on the column itself); inner, left, right and full
 * joins, and the semi / anti joins of [NOT] EXISTS (planner.c) when the
 * keys alone decide; not LATERAL.
 */
#include <math.h>
#include <string.h>

#include "exec/exec.h"
#include "exec/planner_int.h"
#include "sql/analyze.h"

#define DISABLED      1e10
#define COST_SORT_ROW 0.05   /* per row and per log2(rows), as plan_order.c */

static bool int_oid(uint32_t oid)
{
    return oid == SQL_OID_INT2 || oid == SQL_OID_INT4 || oid == SQL_OID_INT8;
}

/* The column a key reads: the key, or the integer column a widening
 * integer cast reads (int4 -> int8). */
static const ex_expr_t *key_col(const ex_expr_t *k)
{
    if (k->kind == EX_CAST && k->nargs == 1 && int_oid(k->type.oid) && int_oid(k->args[0]->type.oid) &&
        k->args[0]->kind == EX_COL)
        return k->args[0];
    return k;
}

/* Does a column of type t order and compare as the key type oid? */
static bool same_order(uint32_t t, uint32_t oid)
{
    return t == oid || (int_oid(t) && int_oid(oid));
}

static bool mergeable(const plan_t *j)
{
    if (j->kind != P_JOIN || j->lateral || j->nkeys == 0 || j->nkeys > 32 || j->merge)
        return false;
    if (j->jointype != J_INNER && j->jointype != J_LEFT && j->jointype != J_RIGHT && j->jointype != J_FULL &&
        !((j->jointype == J_SEMI || j->jointype == J_ANTI) && !j->qual))
        return false;
    for (int i = 0; i < j->nkeys; i++) {
        const ex_expr_t *l = key_col(j->lkeys[i]), *r = key_col(j->rkeys[i]);
        uint32_t oid = j->keytypes[i].oid;
        if (l->kind != EX_COL || r->kind != EX_COL || l->idx < 0 || l->idx >= j->left->ncols ||
            r->idx < 0 || r->idx >= j->right->ncols || !same_order(l->type.oid, oid) ||
            !same_order(r->type.oid, oid) || !ex_hash_eq_type(oid))
            return false;
    }
    return true;
}

/* A copy of the filters and projections over a scan that pl_order_sort
 * may turn into an ordered scan (the input itself stays as it is). */
static plan_t *chain_copy(rdb_arena_t *a, plan_t *p)
{
    if (p->kind != P_FILTER && p->kind != P_PROJECT && p->kind != P_SCAN)
        return p;
    plan_t *c = rdb_arena_memdup(a, p, sizeof *p);
    if (p->kind != P_SCAN && p->left)
        c->left = chain_copy(a, p->left);
    return c;
}

/* in in ascending order of keys (columns of its row, each sorted as its
 * own type: key_col), NULLs last: a Sort or an ordered scan; *sorts: a
 * Sort it is. */
static plan_t *ordered_input(rdb_arena_t *a, plan_t *in, ex_expr_t **keys, int nk, bool *sorts)
{
    plan_t *s = plan_new(a, P_SORT, in->ncols);
    s->types = in->types;
    s->names = in->names;
    s->col_table = in->col_table;
    s->col_attnum = in->col_attnum;
    s->left = chain_copy(a, in);
    s->nsort = nk;
    s->sort = RDB_ARENA_NEWN(a, plan_sortkey_t, nk);
    for (int i = 0; i < nk; i++)
        s->sort[i] = (plan_sortkey_t){ key_col(keys[i])->idx, key_col(keys[i])->type, false, false };
    s->est_rows = in->est_rows;
    plan_t *o = pl_order_sort(a, s);
    *sorts = o == s;
    return o;
}

static double row_bytes(const plan_t *p)
{
    return 48.0 + (double)sizeof(sql_value_t) * p->ncols;
}

static double sort_cost(const plan_t *in, double rows, double wm)
{
    return rows * COST_SORT_ROW * log2(rows + 1) + (rows * row_bytes(in) > wm ? rows : 0);
}

bool pl_merge_join(rdb_arena_t *a, plan_t *j)
{
    const plan_opts_t *o = pl_opts();
    if (!mergeable(j))
        return false;
    double wm = o->work_mem ? (double)o->work_mem : 4.0 * 1024 * 1024;
    double L = j->left->est_rows > 1 ? j->left->est_rows : 1;
    double R = j->right->est_rows > 1 ? j->right->est_rows : 1;
    double hash = L * 0.1 + R * 0.5 + (R * row_bytes(j->right) > 2 * wm ? L + R : 0) +
                  (o->hashjoin ? 0 : DISABLED);
    bool ls, rs;
    plan_t *l = ordered_input(a, j->left, j->lkeys, j->nkeys, &ls);
    plan_t *r = ordered_input(a, j->right, j->rkeys, j->nkeys, &rs);
    double merge = (L + R) * 0.05 + (ls ? sort_cost(j->left, L, wm) : 0) + (rs ? sort_cost(j->right, R, wm) : 0) +
                   ((ls || rs) && !o->sort ? DISABLED : 0) + (o->mergejoin ? 0 : DISABLED);
    if (merge >= hash)
        return false;
    j->left = l;
    j->right = r;
    j->merge = true;
    return true;
}
