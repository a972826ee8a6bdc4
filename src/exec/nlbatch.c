/*
 * nlbatch.c — an index nested loop over a primary key, in batches
 * (nlbatch.h).
 *
 * A batch: up to NLB_BATCH left rows, copied (the left child's row lives
 * only until its next call) into the batch arena; per row its key values
 * (usable[i] false: a NULL or a value the key column cannot hold, so no
 * row has it: no match), the rows read (found[i]), then the emit position
 * pos.  The key expressions and the right side's own condition are
 * evaluated with the left row as the frame, as the row-by-row loop does.
 */
#include "exec/nlbatch.h"

#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/mem.h"
#include "exec/explain.h"
#include "exec/parallel.h"
#include "sql/syscat.h"
#include "sql/table.h"

struct ex_nlb {
    ex_run_t          *r;
    const plan_t      *p, *rp;     /* the join, its right side (the scan) */
    ex_node_t         *left;
    sql_value_t       *out;
    rdb_arena_t        ba;         /* the batch */
    rdb_arena_t        ra;         /* per-row conditions */
    const sql_value_t *lrows[NLB_BATCH];
    bool               usable[NLB_BATCH], found[NLB_BATCH];
    sql_value_t       *rrows;      /* per usable key: the right row (w values) */
    int                nkeyed[NLB_BATCH];  /* row i's index among the usable keys */
    int                n, pos;
    bool               eof;
    ex_instr_t        *ins;        /* EXPLAIN ANALYZE: the right node's */
};

static bool locks_rows(const plan_t *p)
{
    if (!p)
        return false;
    return p->kind == P_LOCKROWS || locks_rows(p->left) || locks_rows(p->right);
}

bool ex_nlb_ok(const plan_t *p)
{
    const plan_t *rp = p->right;
    if (p->kind != P_JOIN || !p->lateral || p->frame_off != 0 || (p->jointype != J_INNER && p->jointype != J_LEFT) ||
        !rp || rp->kind != P_SCAN || !rp->point || rp->index || rp->kset || !rp->tab || sql_syscat_is(rp->tab) ||
        rp->tab->npk < 1 || rp->nlo != rp->tab->npk || rp->nkey < rp->nlo || rp->ncols != rp->tab->nrowcols ||
        rp->tab->nrowcols < 1 || !ex_expr_par_safe(rp->qual, true) || locks_rows(p->left))
        return false;
    for (int i = 0; i < rp->nlo; i++)
        if (!ex_expr_par_safe(rp->lo[i], true))
            return false;
    return true;
}

void ex_plan_nlbatch(plan_t *p)
{
    if (!p)
        return;
    if (p->kind == P_JOIN && p->lateral && ex_nlb_ok(p))
        p->nl_batch = true;
    ex_plan_nlbatch(p->left);
    ex_plan_nlbatch(p->right);
}

ex_nlb_t *ex_nlb_new(ex_run_t *r, const plan_t *p, ex_node_t *left, sql_value_t *out)
{
    ex_nlb_t *b = rdb_calloc(1, sizeof *b);
    b->r = r;
    b->p = p;
    b->rp = p->right;
    b->left = left;
    b->out = out;
    rdb_arena_init(&b->ba, 0);
    rdb_arena_init(&b->ra, 0);
    if (r->instr)
        b->ins = ex_instr_get(r->instr, p->right);
    return b;
}

void ex_nlb_free(ex_nlb_t *b)
{
    if (!b)
        return;
    rdb_arena_destroy(&b->ba);
    rdb_arena_destroy(&b->ra);
    free(b);
}

static bool push_frame(ex_run_t *r, const sql_value_t *row)
{
    if (r->nframes >= 32) {
        rdb_err_set(r->err, RDB_SQL, "54001", "subqueries nested too deeply");
        return false;
    }
    r->frames[r->nframes++] = row;
    return true;
}

/* Row i's key into k (npk values); *usable false: no row has it. */
static bool eval_key(ex_nlb_t *b, int i, sql_value_t *k, bool *usable)
{
    ex_run_t *r = b->r;
    const plan_t *rp = b->rp;
    const uint16_t *kc = rp->tab->pk_colids;
    *usable = true;
    if (!push_frame(r, b->lrows[i]))
        return false;
    rdb_status_t rc = RDB_OK;
    for (int j = 0; j < rp->nlo && rc == RDB_OK && *usable; j++) {
        rc = ex_eval(r, rp->lo[j], NULL, &b->ba, &k[j]);
        /* exec.c key_value: the key column's range */
        uint32_t oid = rp->types[kc[j]].oid;
        if (rc == RDB_OK && (k[j].isnull ||
                             (oid == SQL_OID_INT2 && (k[j].u.i < INT16_MIN || k[j].u.i > INT16_MAX)) ||
                             (oid == SQL_OID_INT4 && (k[j].u.i < INT32_MIN || k[j].u.i > INT32_MAX))))
            *usable = false;
    }
    r->nframes--;
    return rc == RDB_OK;
}

/* Read the next batch; false at the end or on error. */
static bool fill(ex_nlb_t *b)
{
    ex_run_t *r = b->r;
    const plan_t *rp = b->rp;
    const sql_table_t *t = rp->tab;
    int npk = t->npk, w = t->nrowcols;
    rdb_arena_reset(&b->ba);
    b->n = b->pos = 0;
    if (b->eof)
        return false;
    const sql_type_t *lt = b->p->left->types;
    int lw = b->p->left->ncols;
    while (b->n < NLB_BATCH) {
        const sql_value_t *l = ex_next(b->left);
        if (!l) {
            if (rdb_err_is_set(r->err))
                return false;
            b->eof = true;
            break;
        }
        b->lrows[b->n++] = ex_copy_row(&b->ba, lt, lw, l);
    }
    if (b->n == 0)
        return false;
    /* EXPLAIN ANALYZE: the right node's time is its keys and reads */
    uint64_t t0 = b->ins && ex_instr_timing(r->instr) ? rdb_now_ns() : 0;
    sql_value_t *keys = rdb_arena_alloc(&b->ba, sizeof(sql_value_t) * (size_t)b->n * (size_t)npk);
    int nk = 0;
    for (int i = 0; i < b->n; i++) {
        if (!eval_key(b, i, keys + (size_t)nk * npk, &b->usable[i]))
            return false;
        b->nkeyed[i] = b->usable[i] ? nk++ : -1;
    }
    bool found[NLB_BATCH];
    b->rrows = rdb_arena_calloc(&b->ba, sizeof(sql_value_t) * (size_t)(nk ? nk : 1) * (size_t)w);
    if (nk && sql_table_get_many(r->txn, t, nk, keys, &b->ba, b->rrows, found, r->err) != RDB_OK)
        return false;
    for (int i = 0; i < b->n; i++) {
        b->found[i] = b->usable[i] && found[b->nkeyed[i]];
        if (b->usable[i])
            ex_scan_stats(t, NULL, 'i', b->found[i]);
    }
    if (t0)
        b->ins->ns += rdb_now_ns() - t0;
    return true;
}

static const sql_value_t *emit(ex_nlb_t *b, const sql_value_t *l, const sql_value_t *rr)
{
    int wl = b->p->left->ncols, wr = b->rp->ncols;
    for (int i = 0; i < wl; i++)
        b->out[i] = l[i];
    for (int i = 0; i < wr; i++)
        b->out[wl + i] = rr ? rr[i] : sql_null();
    return b->out;
}

const sql_value_t *ex_nlb_next(ex_nlb_t *b)
{
    ex_run_t *r = b->r;
    int w = b->rp->tab->nrowcols;
    for (;;) {
        if (b->pos >= b->n && !fill(b))
            return NULL;
        while (b->pos < b->n) {
            int i = b->pos++;
            const sql_value_t *l = b->lrows[i];
            if (b->ins)
                b->ins->loops++;
            if (b->found[i]) {
                const sql_value_t *rr = b->rrows + (size_t)b->nkeyed[i] * w;
                bool pass;
                rdb_arena_reset(&b->ra);
                if (!push_frame(r, l))
                    return NULL;
                rdb_status_t rc = ex_qual(r, b->rp->qual, rr, &b->ra, &pass);
                r->nframes--;
                if (rc != RDB_OK)
                    return NULL;
                if (pass) {
                    if (b->ins)
                        b->ins->rows++;
                    const sql_value_t *row = emit(b, l, rr);
                    if (ex_qual(r, b->p->qual, row, &b->ra, &pass) != RDB_OK)
                        return NULL;
                    if (pass)
                        return row;
                }
            }
            if (b->p->jointype == J_LEFT)
                return emit(b, l, NULL);
        }
    }
}
