/*
 * parallel.c — parallel scans on one node (parallel.h): which plan nodes
 * qualify, and the threads that run their slices.
 *
 * A slice's run shares with the statement's only what is read-only while
 * the slices run: the transaction (its snapshot and buffered writes are
 * not changed by a SELECT; a txn whose reads go to other nodes is never
 * split), the catalog snapshot, the parameters, the format settings, the
 * cancel flag and the deadline.  Expressions that could touch anything
 * else (subqueries, outer references, session functions, sequences,
 * volatile functions, set-returning functions) keep their node serial.
 */
#include "exec/parallel.h"

#include <assert.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "common/mem.h"
#include "common/tpool.h"
#include "exec/sysscan.h"
#include "sql/syscat.h"

/* ---- planning ---------------------------------------------------------- */

bool ex_expr_par_safe(const ex_expr_t *e, bool outer)
{
    if (!e)
        return true;
    switch (e->kind) {
    case EX_OUTER:
        if (!outer || e->levelsup != 1)
            return false;
        break;
    case EX_SUBLINK: case EX_SESSION: case EX_NEXTVAL: case EX_SRF:
        return false;
    case EX_FUNC:
        if (e->fn && e->fn->volatile_)
            return false;
        break;
    default:
        break;
    }
    for (int i = 0; i < e->nargs; i++)
        if (!ex_expr_par_safe(e->args[i], outer))
            return false;
    return true;
}

static bool expr_par_safe(const ex_expr_t *e)
{
    return ex_expr_par_safe(e, false);
}

/* The right side of a LATERAL join that a slice can run per left row of
 * its own: a primary-key read of a table keyed by the left row (an index
 * nested loop, plan_join.c), reading nothing else of enclosing queries. */
static bool lateral_point_par_safe(const plan_t *j)
{
    const plan_t *p = j->right;
    if (!j->lateral || j->frame_off != 0 || (j->jointype != J_INNER && j->jointype != J_LEFT) ||
        !p || p->kind != P_SCAN || !p->point || p->index || p->kset || !p->tab || sql_syscat_is(p->tab) ||
        !ex_expr_par_safe(p->qual, true))
        return false;
    for (int i = 0; i < p->nlo; i++)
        if (!ex_expr_par_safe(p->lo[i], true))
            return false;
    return true;
}

/* Can every node of p run in a slice's thread, reading all of its input
 * (the build side of a join in a slice)? */
static bool tree_par_safe(const plan_t *p)
{
    if (!p)
        return true;
    if (!expr_par_safe(p->qual))
        return false;
    switch (p->kind) {
    case P_SCAN:
        if (!p->tab || sql_syscat_is(p->tab))
            return false;
        for (int i = 0; i < p->nlo; i++)
            if (!expr_par_safe(p->lo[i]))
                return false;
        for (int i = 0; i < p->nhi; i++)
            if (!expr_par_safe(p->hi[i]))
                return false;
        return true;
    case P_VALUES:
        for (int i = 0; i < p->nrows * p->ncols; i++)
            if (!expr_par_safe(p->exprs[i]))
                return false;
        return true;
    case P_PROJECT:
        for (int i = 0; i < p->nexprs; i++)
            if (!expr_par_safe(p->exprs[i]))
                return false;
        return tree_par_safe(p->left);
    case P_FILTER: case P_SUBQUERY:
        return tree_par_safe(p->left);
    case P_JOIN:
        for (int i = 0; i < p->nkeys; i++)
            if (!expr_par_safe(p->lkeys[i]) || !expr_par_safe(p->rkeys[i]))
                return false;
        return !p->lateral && tree_par_safe(p->left) && tree_par_safe(p->right);
    default:
        return false;
    }
}

bool ex_par_input_ok(const plan_t *p, const plan_t **scan)
{
    for (const plan_t *c = p->left; c; c = c->left) {
        switch (c->kind) {
        case P_FILTER:
            if (!expr_par_safe(c->qual))
                return false;
            continue;
        case P_PROJECT:
            for (int i = 0; i < c->nexprs; i++)
                if (!expr_par_safe(c->exprs[i]))
                    return false;
            continue;
        case P_JOIN:
            /* the slices probe with their part of the left input; each
             * builds the whole right side.  A join that emits unmatched
             * right rows (RIGHT, FULL) needs every probe: serial. */
            if (c->lateral ? !lateral_point_par_safe(c)
                           : (c->jointype == J_RIGHT || c->jointype == J_FULL || c->jointype == J_CROSS ||
                              !tree_par_safe(c->right)) ||
                !expr_par_safe(c->qual))
                return false;
            for (int i = 0; i < c->nkeys; i++)
                if (!expr_par_safe(c->lkeys[i]))
                    return false;
            continue;
        case P_SCAN:
            /* a key bound on one side only is a filter on a hash-partitioned
             * table (exec.c scan_next); both can make point reads, and so
             * does a key set (plan.h kset) */
            if (!c->tab || sql_syscat_is(c->tab) || !c->tab->hash_partitioned || c->point || c->ordered ||
                (c->nlo && c->nhi) || c->kset || !expr_par_safe(c->qual))
                return false;
            *scan = c;
            return true;
        default:
            return false;
        }
    }
    return false;
}

/* Aggregates whose partial states combine into exactly the serial result
 * (up to float rounding, as in PostgreSQL). */
static bool agg_par_ok(const plan_agg_t *ag)
{
    static const char *const ok[] = { "count", "sum", "avg", "min", "max", "bool_and",
                                      "bool_or", "every", "bit_and", "bit_or" };
    if (ag->distinct || ag->norder || !ag->agg.combine || !expr_par_safe(ag->filter))
        return false;
    for (int i = 0; i < ag->nargs; i++)
        if (!expr_par_safe(ag->args[i]))
            return false;
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        if (ag->agg.name && strcmp(ag->agg.name, ok[i]) == 0)
            return true;
    return false;
}

static bool node_par_ok(const plan_t *p)
{
    if (p->kind == P_AGG) {
        for (int i = 0; i < p->ngroup; i++)
            if (!expr_par_safe(p->group[i]))
                return false;
        for (int i = 0; i < p->naggs; i++)
            if (!agg_par_ok(&p->aggs[i]))
                return false;
        return true;
    }
    /* top-N: a sort with a bound (exec.c keeps a heap when the bound
     * turns out small, and sorts serially otherwise) */
    return p->kind == P_SORT && p->limit && expr_par_safe(p->limit) && expr_par_safe(p->offset);
}

/* A range of an integer key of a hash-partitioned table that exec.c reads
 * as point lookups, long enough (or with bounds known only when it runs). */
static bool points_par_ok(const plan_t *p)
{
    const sql_table_t *t = p->tab;
    if (!t || sql_syscat_is(t) || !t->hash_partitioned || t->npk != 1 || p->point || p->nkey ||
        p->nlo != 1 || p->nhi != 1 || !expr_par_safe(p->qual) || !expr_par_safe(p->lo[0]) ||
        !expr_par_safe(p->hi[0]))
        return false;
    uint32_t kt = p->types[t->pk_colids[0]].oid;
    if (kt != SQL_OID_INT2 && kt != SQL_OID_INT4 && kt != SQL_OID_INT8)
        return false;
    const ex_expr_t *lo = p->lo[0], *hi = p->hi[0];
    if (lo->kind == EX_CONST && hi->kind == EX_CONST)
        return !lo->val.isnull && !hi->val.isnull && hi->val.u.i >= lo->val.u.i &&
               (uint64_t)hi->val.u.i - (uint64_t)lo->val.u.i >= EX_PARALLEL_MIN_POINTS - 1;
    return true;
}

void ex_plan_parallel(plan_t *p, int workers, uint64_t (*rows)(void *ctx, const sql_table_t *t),
                      void *ctx)
{
    if (!p || workers <= 0)
        return;
    const plan_t *scan;
    if ((p->kind == P_AGG || p->kind == P_SORT) && node_par_ok(p) && ex_par_input_ok(p, &scan)) {
        const sql_table_t *t = scan->tab;
        if ((t->rowcount_est ? t->rowcount_est : rows(ctx, t)) >= EX_PARALLEL_MIN_ROWS) {
            p->parallel = workers;
            p->par_scan = scan;
        }
        return;
    }
    if (p->kind == P_SCAN && points_par_ok(p)) {
        p->parallel = workers;
        p->par_scan = p;
        return;
    }
    ex_plan_parallel(p->left, workers, rows, ctx);
    ex_plan_parallel(p->right, workers, rows, ctx);
}

/* ---- running ------------------------------------------------------------ */

typedef struct par_slot {
    ex_par_t    *par;
    int          part;
    ex_run_t     run;
    rdb_arena_t  arena;
    rdb_err_t    err;
    rdb_status_t rc;
    bool         on_thread;   /* runs on a pooled thread (common/tpool.h) */
} par_slot_t;

struct ex_par {
    int             n;
    ex_par_fn       fn;
    void           *arg;
    par_slot_t     *slots;
    pthread_mutex_t mu;       /* running: slots still on their threads */
    pthread_cond_t  cv;
    int             running;
};

static void *slot_main(void *arg)
{
    par_slot_t *s = arg;
    /* reg* output names relations through the thread's session */
    if (s->on_thread && s->run.fn.session)
        eng_syscat_session(s->run.fn.session);
    s->rc = s->par->fn(&s->run, s->part, s->par->arg);
    if (s->on_thread && s->run.fn.session)
        eng_syscat_session_gone(s->run.fn.session);
    if (s->rc == RDB_OK && rdb_err_is_set(&s->err))
        s->rc = s->err.code;
    return NULL;
}

static void slot_thread(void *arg)
{
    par_slot_t *s = arg;
    ex_par_t *par = s->par;
    slot_main(s);
    pthread_mutex_lock(&par->mu);
    if (--par->running == 0)
        pthread_cond_signal(&par->cv);
    pthread_mutex_unlock(&par->mu);
}

ex_par_t *ex_par_run(ex_run_t *r, int nparts, const plan_t *par_scan, ex_par_fn fn, void *arg)
{
    assert(nparts >= 1);
    ex_par_t *par = rdb_calloc(1, sizeof *par);
    par->n = nparts;
    par->fn = fn;
    par->arg = arg;
    par->slots = rdb_calloc((size_t)nparts, sizeof *par->slots);
    pthread_mutex_init(&par->mu, NULL);
    pthread_cond_init(&par->cv, NULL);
    for (int i = 0; i < nparts; i++) {
        par_slot_t *s = &par->slots[i];
        s->par = par;
        s->part = i;
        rdb_arena_init(&s->arena, 0);
        s->err = (rdb_err_t)RDB_ERR_INIT;
        s->run = *r;
        s->run.a = &s->arena;
        s->run.err = &s->err;
        s->run.tick = 0;
        s->run.instr = NULL;
        s->run.nsubs = 0;
        s->run.subs = NULL;
        s->run.nwt = 0;
        s->run.wt = NULL;
        s->run.part = i;
        s->run.nparts = nparts;
        s->run.par_scan = par_scan;
    }
    for (int i = 1; i < nparts; i++) {
        par->slots[i].on_thread = true;   /* before the thread reads it */
        pthread_mutex_lock(&par->mu);
        par->running++;
        pthread_mutex_unlock(&par->mu);
        if (rdb_tpool_run(slot_thread, &par->slots[i]) != 0) {
            par->slots[i].on_thread = false;
            pthread_mutex_lock(&par->mu);
            par->running--;
            pthread_mutex_unlock(&par->mu);
        }
    }
    slot_main(&par->slots[0]);
    for (int i = 1; i < nparts; i++)
        if (!par->slots[i].on_thread)  /* no thread to be had: run the slice here */
            slot_main(&par->slots[i]);
    pthread_mutex_lock(&par->mu);
    while (par->running > 0)
        pthread_cond_wait(&par->cv, &par->mu);
    pthread_mutex_unlock(&par->mu);
    for (int i = 0; i < nparts; i++) {
        par_slot_t *s = &par->slots[i];
        if (s->rc != RDB_OK) {
            if (!rdb_err_is_set(&s->err))
                rdb_err_set(&s->err, s->rc, NULL, "%s", rdb_status_name(s->rc));
            rdb_err_clear(r->err);
            rdb_err_move(r->err, &s->err);
            ex_par_free(par);
            return NULL;
        }
    }
    return par;
}

ex_run_t *ex_par_part(ex_par_t *par, int part)
{
    assert(part >= 0 && part < par->n);
    return &par->slots[part].run;
}

void ex_par_free(ex_par_t *par)
{
    if (!par)
        return;
    for (int i = 0; i < par->n; i++) {
        rdb_arena_destroy(&par->slots[i].arena);
        rdb_err_clear(&par->slots[i].err);
    }
    pthread_mutex_destroy(&par->mu);
    pthread_cond_destroy(&par->cv);
    free(par->slots);
    free(par);
}
