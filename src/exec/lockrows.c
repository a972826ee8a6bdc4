/*
 * lockrows.c — see lockrows.h.
 *
 * For each row of its child (already sorted, not yet limited: LIMIT above
 * counts only rows locked and returned, so `ORDER BY id LIMIT 1 FOR UPDATE
 * SKIP LOCKED` locks one row), every locked table's row is locked through
 * r->lock_row, which also reads its newest committed version.  When one
 * changed since the statement's snapshot, the WHERE clause is evaluated
 * again over the FROM row holding the newest versions (the other tables'
 * rows as they were, like PostgreSQL's EvalPlanQual), the row is skipped if
 * it no longer qualifies, and the output columns are computed again from
 * it.  A row deleted meanwhile, or (SKIP LOCKED) locked by another
 * transaction, is skipped.  Locks stay until the transaction ends, also
 * for rows skipped after locking.
 */
#include "exec/lockrows.h"

#include <string.h>

static const int policy_of[3] = { EX_LOCK_WAIT, EX_LOCK_SKIP, EX_LOCK_NOWAIT };

const sql_value_t *ex_lockrows_next(ex_run_t *r, const plan_t *p, ex_node_t *child, rdb_arena_t *ra,
                                    sql_value_t *out)
{
    const struct plan_lockrows *L = p->lockrows;
    for (;;) {
        const sql_value_t *in = ex_next(child);
        if (!in || !r->lock_row)
            return in;
        rdb_arena_reset(ra);
        sql_value_t *from = NULL;   /* the FROM row with newer versions */
        bool skip = false;
        for (int i = 0; i < L->nrels && !skip; i++) {
            const plan_lockrel_t *lr = &L->rels[i];
            sql_value_t *latest = NULL;
            if (r->lock_row(r, lr->tab, in + L->base + lr->off, lr->mode, policy_of[lr->wait % 3], ra, &latest,
                            &skip) != RDB_OK)
                return NULL;
            if (latest && !skip) {
                if (!from) {
                    from = rdb_arena_alloc(ra, sizeof(sql_value_t) * (size_t)(L->width + 1));
                    memcpy(from, in + L->base, sizeof(sql_value_t) * (size_t)L->width);
                }
                memcpy(from + lr->off, latest, sizeof(sql_value_t) * (size_t)lr->tab->nrowcols);
            }
        }
        if (skip)
            continue;
        if (!from)
            return in;
        bool pass = true;
        if (L->qual && ex_qual(r, L->qual, from, ra, &pass) != RDB_OK)
            return NULL;
        if (!pass)
            continue;
        for (int i = 0; i < L->base; i++)
            if (ex_eval(r, L->tlist[i], from, ra, &out[i]) != RDB_OK)
                return NULL;
        memcpy(out + L->base, from, sizeof(sql_value_t) * (size_t)L->width);
        for (int i = L->base + L->width; i < p->ncols; i++)
            out[i] = in[i];
        return out;
    }
}
