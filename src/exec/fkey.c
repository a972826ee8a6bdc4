/*
 * fkey.c — FOREIGN KEY checks and actions at the end of a statement
 * (exec/fkey.h).
 *
 * The queue holds the statement's row events in the order they were
 * written.  Each event runs, as PostgreSQL's RI triggers do for a row:
 *
 *   1. the referenced side (the row's table is referenced): for a DELETE,
 *      or an UPDATE that changed referenced columns, per referencing
 *      foreign key: NO ACTION (error unless the old key is present again),
 *      RESTRICT (error), CASCADE (delete the referencing rows, or set their
 *      columns to the new key), SET NULL, SET DEFAULT (then NO ACTION's
 *      check, as PostgreSQL does);
 *   2. the referencing side: for an INSERT, or an UPDATE that changed the
 *      foreign key's columns, the referenced row must exist (sql_fk_check);
 *      it is locked FOR KEY SHARE first (rowlock.h), so a concurrent
 *      DELETE of it (FOR UPDATE) waits for this transaction, or this
 *      check waits for the DELETE and then finds the row gone.
 *
 * Both sides read the newest committed state plus this transaction's
 * writes (txn_set_snapshot), as PostgreSQL's RI triggers use a fresh
 * snapshot at READ COMMITTED: a child row committed after this
 * transaction's snapshot still counts.
 *
 * DEFERRABLE UNIQUE constraints ride on the same queue: table.c's writes
 * skip their check, and a row written with a new key of such an index is
 * checked here at the statement's end (so that UPDATE t SET u = u + 1
 * passes, as in PostgreSQL), or at COMMIT when the constraint is deferred;
 * 23505 if more than one live row holds the key.  The check locks the key
 * first (dml.h's ex_lock_unique_value) and then reads the newest committed
 * state: of two transactions that wrote the same key, the second to check
 * waits for the first to end, so both cannot commit.
 *
 * Rows changed by an action are appended to the same queue, so cascades
 * run breadth-first without recursion and their own checks run in turn.
 * Rows an action updates are checked for NOT NULL and CHECK with the
 * referencing table's constraints, bound on first use (dml.h).
 */
#include "exec/fkey.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/mem.h"
#include "exec/dml.h"
#include "exec/rowlock.h"
#include "sql/ast.h"
#include "sql/fkey.h"
#include "sql/table.h"

typedef struct fk_event {
    const sql_table_t *tab;
    sql_value_t       *oldrow, *newrow; /* NULL: insert / delete */
} fk_event_t;

typedef struct fk_bound {
    uint32_t   table_id;
    sql_dml_t *d;        /* tab, checks and defaults of a referencing table */
} fk_bound_t;

struct ex_fkq {
    fk_event_t *ev;
    int64_t     n, cap;
    fk_bound_t *bound;
    int         nbound, capbound;
};

/* A check deferred to COMMIT.  Tables are kept by id: the catalog
 * snapshot of the COMMIT may be another than the statement's. */
typedef struct fk_later {
    uint32_t     child_id;   /* the foreign key's table (the unique index's) */
    int          fk;         /* its index in child->fkeys (-1: a unique check) */
    uint32_t     index_id;   /* a DEFERRABLE unique index's check: its id */
    uint32_t     parent_id;  /* referenced: the referenced table (NO ACTION check) */
    bool         referenced; /* NO ACTION on a referenced row's old key, else a referencing row */
    int          ncols;      /* nrowcols of row's table when noted */
    sql_value_t *row;        /* in d->a */
} fk_later_t;

typedef struct fk_setting {
    char *name;
    bool  deferred;
} fk_setting_t;

struct ex_fk_deferred {
    rdb_arena_t   a;
    fk_later_t   *ev;
    int64_t       n, cap;
    char          all;       /* SET CONSTRAINTS ALL: 0 not said, 'd' DEFERRED, 'i' IMMEDIATE */
    fk_setting_t *set;       /* SET CONSTRAINTS name: after ALL, the newest for a name wins */
    int           nset, capset;
};

static uint64_t fresh_snapshot(ex_run_t *r);

static const sql_table_t *rel(ex_run_t *r, const sql_table_t *self, uint32_t id)
{
    return self->id == id ? self : sql_cat_by_id(r->snap, id);
}

/* Does the row's new version need the check of deferrable unique index ix? */
static bool unique_concerned(const sql_table_t *tab, const sql_index_t *ix, const sql_value_t *o,
                             const sql_value_t *n)
{
    return ix->deferrable && n && (!o || sql_fk_cols_differ(tab, ix->ncols, ix->colids, o, n));
}

/* Does the change of a row of tab need a check or an action? */
static bool concerned(ex_run_t *r, const sql_table_t *tab, const sql_value_t *o, const sql_value_t *n)
{
    for (int i = 0; i < tab->nindexes; i++)
        if (unique_concerned(tab, &tab->indexes[i], o, n))
            return true;
    if (!o)
        return tab->nfkeys > 0;
    if (!n)
        return tab->nrefby > 0;
    for (int i = 0; i < tab->nfkeys; i++)
        if (sql_fk_cols_differ(tab, tab->fkeys[i].ncols, tab->fkeys[i].colids, o, n))
            return true;
    for (int i = 0; i < tab->nrefby; i++) {
        const sql_table_t *child = rel(r, tab, tab->refby[i].table_id);
        const sql_fkey_t *fk = child && tab->refby[i].fk < child->nfkeys ? &child->fkeys[tab->refby[i].fk] : NULL;
        if (fk && sql_fk_cols_differ(tab, fk->ncols, fk->ref_colids, o, n))
            return true;
    }
    return false;
}

static void push(ex_fkq_t *q, const sql_table_t *tab, sql_value_t *o, sql_value_t *n)
{
    if (q->n == q->cap) {
        q->cap = q->cap ? q->cap * 2 : 64;
        q->ev = rdb_realloc(q->ev, sizeof *q->ev * (size_t)q->cap);
    }
    q->ev[q->n++] = (fk_event_t){ tab, o, n };
}

void ex_fk_note(ex_run_t *r, ex_fkq_t **q, const sql_table_t *tab, const sql_value_t *oldrow,
                const sql_value_t *newrow)
{
    if (!concerned(r, tab, oldrow, newrow))
        return;
    if (!*q)
        *q = rdb_calloc(1, sizeof **q);
    push(*q, tab, oldrow ? sql_fk_row_copy(r->a, tab, oldrow) : NULL,
         newrow ? sql_fk_row_copy(r->a, tab, newrow) : NULL);
}

/* The referencing table's constraints (and defaults), bound once. */
static rdb_status_t bound_dml(ex_run_t *r, ex_fkq_t *q, const sql_table_t *t, sql_dml_t **out)
{
    for (int i = 0; i < q->nbound; i++)
        if (q->bound[i].table_id == t->id) {
            *out = q->bound[i].d;
            return RDB_OK;
        }
    rdb_arena_t *a = r->a;
    sql_dml_t *d = RDB_ARENA_NEW(a, sql_dml_t);
    d->tab = t;
    sql_bindenv_t b = { 0 };
    b.a = a;
    b.cat = r->cat;
    b.snap = r->snap;
    b.ptypes = RDB_ARENA_NEWN(a, sql_type_t, SQL_MAX_PARAMS);
    d->nchecks = t->nchecks;
    d->checks = RDB_ARENA_NEWN(a, ex_expr_t *, t->nchecks + 1);
    d->check_names = RDB_ARENA_NEWN(a, const char *, t->nchecks + 1);
    d->defaults = RDB_ARENA_NEWN(a, ex_expr_t *, t->nrowcols + 1);
    sql_type_t bt = { SQL_OID_BOOL, -1 };
    for (int i = 0; i < t->nchecks; i++) {
        json_t *j = json_loads(t->checks[i].expr_json, 0, NULL);
        ast_expr_t *ae;
        rdb_status_t rc = j ? sql_parse_expr_json(a, j, &ae, r->err)
                            : rdb_err_set(r->err, RDB_SQL, "XX000", "bad CHECK expression of \"%s\"", t->name);
        if (rc == RDB_OK)
            rc = sql_bind_row_expr(&b, t, ae, bt, &d->checks[i], r->err);
        json_decref(j);
        if (rc != RDB_OK)
            return rc;
        d->check_names[i] = t->checks[i].name;
    }
    for (int i = 0; i < t->ncols; i++)
        if (sql_bind_column_default(&b, t, &t->cols[i], &d->defaults[t->cols[i].colid], r->err) != RDB_OK)
            return RDB_SQL;
    if (q->nbound == q->capbound) {
        q->capbound = q->capbound ? q->capbound * 2 : 8;
        q->bound = rdb_realloc(q->bound, sizeof *q->bound * (size_t)q->capbound);
    }
    q->bound[q->nbound++] = (fk_bound_t){ t->id, d };
    *out = d;
    return RDB_OK;
}

/* NO ACTION / RESTRICT: the old key of prow must not be referenced. */
static rdb_status_t restrict_check(ex_run_t *r, const sql_table_t *parent, const sql_table_t *child,
                                   const sql_fkey_t *fk, const sql_value_t *prow, bool no_action,
                                   rdb_arena_t *a)
{
    if (no_action) {
        bool present;
        if (sql_fk_key_present(r->txn, parent, fk, prow, &present, r->err) != RDB_OK)
            return RDB_SQL;
        if (present)
            return RDB_OK;
    }
    sql_value_t **rows;
    int64_t n;
    if (sql_fk_referencing(r->txn, child, fk, parent, prow, a, 1, &rows, &n, r->err) != RDB_OK)
        return RDB_SQL;
    return n ? sql_fk_still_referenced(r->err, parent, fk, child, prow) : RDB_OK;
}

/* CASCADE, SET NULL, SET DEFAULT over the rows of child that reference
 * prow (newrow: the referenced row's new version, NULL for a delete). */
static rdb_status_t act(ex_run_t *r, ex_fkq_t *q, const sql_table_t *parent, const sql_table_t *child,
                        const sql_fkey_t *fk, char action, const sql_value_t *prow,
                        const sql_value_t *newrow, rdb_arena_t *a)
{
    sql_value_t **rows;
    int64_t n;
    if (sql_fk_referencing(r->txn, child, fk, parent, prow, a, 0, &rows, &n, r->err) != RDB_OK)
        return RDB_SQL;
    sql_dml_t *d = NULL;
    if (action != SQL_FK_CASCADE || newrow)
        if (bound_dml(r, q, child, &d) != RDB_OK)
            return RDB_SQL;
    for (int64_t i = 0; i < n; i++) {
        sql_value_t *row = rows[i];
        if (r->lock_row) {
            sql_value_t *latest = NULL;
            bool gone = false;
            if (r->lock_row(r, child, row, ROWLOCK_UPDATE,
                            EX_LOCK_WAIT, a, &latest, &gone) != RDB_OK)
                return RDB_SQL;
            if (gone)
                continue;
            if (latest)
                row = latest;
        }
        if (action == SQL_FK_CASCADE && !newrow) {
            if (sql_table_delete(r->txn, child, row, r->err) != RDB_OK)
                return RDB_SQL;
            ex_fk_note(r, &q, child, row, NULL);
            continue;
        }
        sql_value_t *nrow = RDB_ARENA_NEWN(a, sql_value_t, child->nrowcols + 1);
        memcpy(nrow, row, sizeof *nrow * child->nrowcols);
        for (int k = 0; k < fk->ncols; k++) {
            uint16_t c = fk->colids[k];
            const sql_column_t *col = sql_table_column_by_id(child, c);
            const sql_column_t *pc = sql_table_column_by_id(parent, fk->ref_colids[k]);
            if (action == SQL_FK_SET_NULL)
                nrow[c] = sql_null();
            else if (action == SQL_FK_SET_DEFAULT)
                nrow[c] = sql_null();
            if (action == SQL_FK_SET_DEFAULT && d->defaults[c] &&
                ex_eval(r, d->defaults[c], NULL, a, &nrow[c]) != RDB_OK)
                return RDB_SQL;
            if (action == SQL_FK_CASCADE && col && pc &&
                sql_fk_convert(a, pc->type, col->type, true, &newrow[fk->ref_colids[k]], &nrow[c],
                               r->err) != RDB_OK)
                return RDB_SQL;
        }
        if (ex_check_row(r, d, nrow, a) != RDB_OK ||
            ex_update_locked(r, child, row, nrow) != RDB_OK)
            return RDB_SQL;
        ex_fk_note(r, &q, child, row, nrow);
    }
    if (action == SQL_FK_SET_DEFAULT)
        return restrict_check(r, parent, child, fk, prow, true, a);
    return RDB_OK;
}

static ex_fk_deferred_t *deferred_state(ex_run_t *r)
{
    if (!r->fk_deferred)
        return NULL;
    if (!*r->fk_deferred) {
        ex_fk_deferred_t *d = rdb_calloc(1, sizeof *d);
        rdb_arena_init(&d->a, 0);
        *r->fk_deferred = d;
    }
    return *r->fk_deferred;
}

/* Is the constraint of that name deferred now (SET CONSTRAINTS, else its
 * INITIALLY DEFERRED)? */
static bool con_deferred(ex_run_t *r, const char *name, bool deferrable, bool initdeferred)
{
    if (!deferrable || !r->fk_deferred)
        return false;
    const ex_fk_deferred_t *d = *r->fk_deferred;
    if (d) {
        for (int i = d->nset - 1; i >= 0; i--)
            if (strcmp(d->set[i].name, name) == 0)
                return d->set[i].deferred;
        if (d->all)
            return d->all == 'd';
    }
    return initdeferred;
}

static bool fk_deferred(ex_run_t *r, const sql_fkey_t *fk)
{
    return con_deferred(r, fk->name, fk->deferrable, fk->initdeferred);
}

static const sql_index_t *index_by_id(const sql_table_t *t, uint32_t id)
{
    for (int i = 0; t && i < t->nindexes; i++)
        if (t->indexes[i].id == id)
            return &t->indexes[i];
    return NULL;
}

static void later_push(ex_run_t *r, const sql_table_t *child, int fk, const sql_table_t *parent,
                       bool referenced, const sql_value_t *row)
{
    ex_fk_deferred_t *d = deferred_state(r);
    if (d->n == d->cap) {
        d->cap = d->cap ? d->cap * 2 : 64;
        d->ev = rdb_realloc(d->ev, sizeof *d->ev * (size_t)d->cap);
    }
    const sql_table_t *t = referenced ? parent : child;
    d->ev[d->n++] = (fk_later_t){ child->id, fk, 0, parent->id, referenced, t->nrowcols,
                                  sql_fk_row_copy(&d->a, t, row) };
}

/* The check of a deferrable unique index ix of t for row's key: now (at a
 * fresh snapshot, so a duplicate committed meanwhile counts), or kept for
 * COMMIT when the constraint is deferred. */
static rdb_status_t unique_check(ex_run_t *r, const sql_table_t *t, const sql_index_t *ix,
                                 const sql_value_t *row, bool may_defer)
{
    if (may_defer && con_deferred(r, ix->name, ix->deferrable, ix->initdeferred)) {
        ex_fk_deferred_t *d = deferred_state(r);
        if (d->n == d->cap) {
            d->cap = d->cap ? d->cap * 2 : 64;
            d->ev = rdb_realloc(d->ev, sizeof *d->ev * (size_t)d->cap);
        }
        d->ev[d->n++] = (fk_later_t){ t->id, -1, ix->id, 0, false, t->nrowcols,
                                      sql_fk_row_copy(&d->a, t, row) };
        return RDB_OK;
    }
    /* lock the value first: a transaction checking it too waits for this
     * one to end, then sees its row (dml.h) */
    if (ex_lock_unique_value(r, t, ix, row) != RDB_OK)
        return RDB_SQL;
    uint64_t snap = fresh_snapshot(r);
    rdb_status_t rc = sql_table_unique_recheck(r->txn, t, ix, row, r->err);
    txn_set_snapshot(r->txn, snap);
    return rc;
}

static rdb_status_t referenced_side(ex_run_t *r, ex_fkq_t *q, const fk_event_t *e, rdb_arena_t *a)
{
    const sql_table_t *parent = e->tab;
    for (int i = 0; i < parent->nrefby; i++) {
        const sql_table_t *child = rel(r, parent, parent->refby[i].table_id);
        if (!child || parent->refby[i].fk >= child->nfkeys)
            continue;
        const sql_fkey_t *fk = &child->fkeys[parent->refby[i].fk];
        if (e->newrow && !sql_fk_cols_differ(parent, fk->ncols, fk->ref_colids, e->oldrow, e->newrow))
            continue;
        char action = e->newrow ? fk->on_update : fk->on_delete;
        rdb_status_t rc;
        if (action == SQL_FK_NO_ACTION && fk_deferred(r, fk)) {
            later_push(r, child, parent->refby[i].fk, parent, true, e->oldrow);
            continue;
        }
        if (action == SQL_FK_NO_ACTION || action == SQL_FK_RESTRICT)
            rc = restrict_check(r, parent, child, fk, e->oldrow, action == SQL_FK_NO_ACTION, a);
        else
            rc = act(r, q, parent, child, fk, action, e->oldrow, e->newrow, a);
        if (rc != RDB_OK)
            return rc;
    }
    return RDB_OK;
}

/* The newest committed state (plus this transaction's writes): what the
 * checks read at READ COMMITTED, as PostgreSQL's RI triggers take a fresh
 * snapshot.  Returns the snapshot to put back. */
static uint64_t fresh_snapshot(ex_run_t *r)
{
    return txn_set_snapshot(r->txn, txn_store_now(txn_store(r->txn)));
}

/* The referencing-side check of row (of t) for fk. */
static rdb_status_t check_referencing(ex_run_t *r, const sql_table_t *t, const sql_fkey_t *fk,
                                      const sql_table_t *parent, const sql_value_t *row, rdb_arena_t *a)
{
    /* FOR KEY SHARE on the referenced row, so that no one deletes it or
     * changes its key until this transaction ends; then check at the
     * state after the lock (a delete that held it has committed) */
    uint64_t snap = fresh_snapshot(r);
    rdb_status_t rc = RDB_OK;
    sql_value_t *prow = NULL, *latest;
    bool gone;
    if (r->lock_row && (rc = sql_fk_parent_row(r->txn, t, fk, parent, row, a, &prow, r->err)) == RDB_OK &&
        prow && (rc = r->lock_row(r, parent, prow, ROWLOCK_KEY_SHARE, EX_LOCK_WAIT, a, &latest, &gone)) == RDB_OK)
        fresh_snapshot(r);
    if (rc == RDB_OK)
        rc = sql_fk_check(r->txn, t, fk, parent, row, r->err);
    txn_set_snapshot(r->txn, snap);
    return rc == RDB_OK ? RDB_OK : RDB_SQL;
}

static rdb_status_t referencing_side(ex_run_t *r, const fk_event_t *e, rdb_arena_t *a)
{
    const sql_table_t *t = e->tab;
    for (int i = 0; i < t->nfkeys; i++) {
        const sql_fkey_t *fk = &t->fkeys[i];
        if (e->oldrow && !sql_fk_cols_differ(t, fk->ncols, fk->colids, e->oldrow, e->newrow))
            continue;
        const sql_table_t *parent = rel(r, t, fk->ref_table);
        if (!parent)
            continue;
        if (fk_deferred(r, fk)) {
            later_push(r, t, i, parent, false, e->newrow);
            continue;
        }
        if (check_referencing(r, t, fk, parent, e->newrow, a) != RDB_OK)
            return RDB_SQL;
    }
    return RDB_OK;
}

void ex_fk_discard(ex_fkq_t *q)
{
    if (!q)
        return;
    free(q->ev);
    free(q->bound);
    free(q);
}

rdb_status_t ex_fk_fire(ex_run_t *r, ex_fkq_t *q)
{
    if (!q)
        return RDB_OK;
    rdb_arena_t a;
    rdb_arena_init(&a, 0);
    rdb_status_t rc = RDB_OK;
    /* q->ev may move as actions append: copy each event out */
    for (int64_t i = 0; rc == RDB_OK && i < q->n; i++) {
        fk_event_t e = q->ev[i];
        rdb_arena_reset(&a);
        if (e.oldrow && e.tab->nrefby) {
            uint64_t snap = fresh_snapshot(r);
            rc = referenced_side(r, q, &e, &a);
            txn_set_snapshot(r->txn, snap);
        }
        if (rc == RDB_OK && e.newrow && e.tab->nfkeys)
            rc = referencing_side(r, &e, &a);
        for (int k = 0; rc == RDB_OK && k < e.tab->nindexes; k++)
            if (unique_concerned(e.tab, &e.tab->indexes[k], e.oldrow, e.newrow))
                rc = unique_check(r, e.tab, &e.tab->indexes[k], e.newrow, true);
        if (rc == RDB_OK && (i & 1023) == 1023)
            rc = ex_check(r);
    }
    rdb_arena_destroy(&a);
    ex_fk_discard(q);
    return rc;
}

/* ---- checks deferred to COMMIT ---------------------------------------------- */

bool ex_fk_deferred_pending(const ex_fk_deferred_t *d)
{
    return d && d->n > 0;
}

void ex_fk_deferred_free(ex_fk_deferred_t *d)
{
    if (!d)
        return;
    for (int i = 0; i < d->nset; i++)
        free(d->set[i].name);
    free(d->set);
    free(d->ev);
    rdb_arena_destroy(&d->a);
    free(d);
}

/* One deferred check, at the run's snapshot and transaction. */
static rdb_status_t later_check(ex_run_t *r, const fk_later_t *e, rdb_arena_t *a)
{
    const sql_table_t *child = sql_cat_by_id(r->snap, e->child_id);
    if (e->fk < 0) {
        const sql_index_t *ix = index_by_id(child, e->index_id);
        if (!ix || child->nrowcols != e->ncols)
            return RDB_OK;  /* dropped since, or the table changed shape */
        return unique_check(r, child, ix, e->row, false);
    }
    const sql_table_t *parent = sql_cat_by_id(r->snap, e->parent_id);
    if (!child || !parent || e->fk >= child->nfkeys)
        return RDB_OK;      /* dropped since, with its constraint */
    const sql_fkey_t *fk = &child->fkeys[e->fk];
    if (fk->ref_table != parent->id)
        return RDB_OK;
    if (e->referenced) {
        if (parent->nrowcols != e->ncols)
            return RDB_OK;
        uint64_t snap = fresh_snapshot(r);
        rdb_status_t rc = restrict_check(r, parent, child, fk, e->row, true, a);
        txn_set_snapshot(r->txn, snap);
        return rc;
    }
    if (child->nrowcols != e->ncols)
        return RDB_OK;
    /* the row as it is now: gone, or its key changed, and the change that
     * did it was checked on its own */
    int npk = child->npk ? child->npk : 1;
    sql_value_t *pk = RDB_ARENA_NEWN(a, sql_value_t, npk);
    for (int k = 0; k < child->npk; k++)
        pk[k] = e->row[child->pk_colids[k]];
    if (!child->npk)
        pk[0] = e->row[child->rowid_colid];
    sql_value_t *cur = RDB_ARENA_NEWN(a, sql_value_t, child->nrowcols + 1);
    bool found;
    if (sql_table_get(r->txn, child, pk, a, cur, &found, r->err) != RDB_OK)
        return RDB_SQL;
    if (!found || sql_fk_cols_differ(child, fk->ncols, fk->colids, e->row, cur))
        return RDB_OK;
    return check_referencing(r, child, fk, parent, cur, a);
}

rdb_status_t ex_fk_deferred_run(ex_run_t *r, bool all)
{
    ex_fk_deferred_t *d = r->fk_deferred ? *r->fk_deferred : NULL;
    if (!ex_fk_deferred_pending(d))
        return RDB_OK;
    rdb_arena_t a;
    rdb_arena_init(&a, 0);
    rdb_status_t rc = RDB_OK;
    int64_t kept = 0;
    for (int64_t i = 0; i < d->n; i++) {
        fk_later_t e = d->ev[i];
        if (rc == RDB_OK && !all) {
            const sql_table_t *child = sql_cat_by_id(r->snap, e.child_id);
            const sql_index_t *ix = e.fk < 0 ? index_by_id(child, e.index_id) : NULL;
            if ((ix && con_deferred(r, ix->name, ix->deferrable, ix->initdeferred)) ||
                (child && e.fk >= 0 && e.fk < child->nfkeys && fk_deferred(r, &child->fkeys[e.fk]))) {
                d->ev[kept++] = e;
                continue;
            }
        }
        if (rc != RDB_OK)
            continue;
        rdb_arena_reset(&a);
        rc = later_check(r, &e, &a);
        if (rc == RDB_OK && (i & 1023) == 1023)
            rc = ex_check(r);
    }
    d->n = rc == RDB_OK ? kept : 0;
    rdb_arena_destroy(&a);
    return rc;
}

/* A constraint of that name on any table of the snapshot: 'd' a
 * DEFERRABLE foreign key or unique constraint, 'o' another kind, 0 none. */
static char find_constraint(const sql_catsnap_t *s, const char *name)
{
    char found = 0;
    for (int i = 0; i < sql_cat_count(s); i++) {
        const sql_table_t *t = sql_cat_at(s, i);
        for (int k = 0; k < t->nfkeys; k++)
            if (strcmp(t->fkeys[k].name, name) == 0)
                return t->fkeys[k].deferrable ? 'd' : 'o';
        for (int k = 0; k < t->nindexes; k++)
            if (t->indexes[k].deferrable && strcmp(t->indexes[k].name, name) == 0)
                return 'd';
        for (int k = 0; k < t->nchecks && !found; k++)
            if (strcmp(t->checks[k].name, name) == 0)
                found = 'o';
        if (t->pk_index && strcmp(t->pk_index->name, name) == 0)
            found = 'o';
        for (int k = 0; k < t->nindexes && !found; k++)
            if (t->indexes[k].unique && strcmp(t->indexes[k].name, name) == 0)
                found = 'o';
    }
    return found;
}

rdb_status_t ex_fk_set_constraints(ex_run_t *r, int nnames, const char *const *names, bool deferred)
{
    for (int i = 0; i < nnames; i++) {
        char kind = find_constraint(r->snap, names[i]);
        if (!kind)
            return rdb_err_set(r->err, RDB_SQL, "42704", "constraint \"%s\" does not exist", names[i]);
        if (kind != 'd')
            return rdb_err_set(r->err, RDB_SQL, "42809", "constraint \"%s\" is not deferrable", names[i]);
    }
    ex_fk_deferred_t *d = deferred_state(r);
    if (!d)
        return RDB_OK;
    if (nnames == 0) {
        for (int i = 0; i < d->nset; i++)
            free(d->set[i].name);
        d->nset = 0;
        d->all = deferred ? 'd' : 'i';
    }
    for (int i = 0; i < nnames; i++) {
        if (d->nset == d->capset) {
            d->capset = d->capset ? d->capset * 2 : 8;
            d->set = rdb_realloc(d->set, sizeof *d->set * (size_t)d->capset);
        }
        d->set[d->nset++] = (fk_setting_t){ rdb_strdup(names[i]), deferred };
    }
    return deferred ? RDB_OK : ex_fk_deferred_run(r, false);
}
