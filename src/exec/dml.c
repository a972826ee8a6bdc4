/*
 * dml.c — INSERT / UPDATE / DELETE (dml.h).
 *
 * The executor's part of the constraints: defaults, NOT NULL (23502) and
 * CHECK (23514) with PostgreSQL's messages and "Failing row contains"
 * detail; primary key and UNIQUE (23505) are table.c's.  INSERT, UPDATE
 * and DELETE first collect their source rows, then write, so a row moved
 * by an UPDATE of its key is never seen twice (the Halloween problem) and
 * INSERT INTO t SELECT ... FROM t never reads its own rows, whatever the
 * iterator shows of the transaction's own writes.
 * All writes go into the caller's transaction: the statement is atomic
 * because the caller aborts the transaction (or, inside a block, marks it
 * failed) when this returns an error.
 */
#include "exec/dml.h"

#include <string.h>

#include "common/hash.h"
#include "common/mem.h"
#include "exec/fkey.h"
#include "exec/rowlock.h"
#include "sql/fkey.h"
#include "sql/types.h"
#include "sql/table.h"
#include "sql/tabstat.h"

static void failing_row(ex_run_t *r, const sql_table_t *t, const sql_value_t *row)
{
    rdb_buf_t b = RDB_BUF_INIT;
    rdb_buf_append_str(&b, "Failing row contains (");
    for (int i = 0; i < t->ncols; i++) {
        if (i)
            rdb_buf_append_str(&b, ", ");
        const sql_value_t *v = &row[t->cols[i].colid];
        if (v->isnull)
            rdb_buf_append_str(&b, "null");
        else
            sql_value_out(r->fn.settings, t->cols[i].type, v, &b);
    }
    rdb_buf_append_str(&b, ").");
    rdb_err_detail(r->err, "%.*s", (int)b.len, b.data);
    rdb_buf_free(&b);
}

rdb_status_t ex_check_row(ex_run_t *r, const sql_dml_t *d, const sql_value_t *row, rdb_arena_t *a)
{
    const sql_table_t *t = d->tab;
    for (int i = 0; i < t->ncols; i++)
        if (t->cols[i].not_null && row[t->cols[i].colid].isnull) {
            rdb_err_set(r->err, RDB_SQL, "23502",
                        "null value in column \"%s\" of relation \"%s\" violates not-null constraint",
                        t->cols[i].name, t->name);
            failing_row(r, t, row);
            return RDB_SQL;
        }
    for (int i = 0; i < d->nchecks; i++) {
        sql_value_t v;
        if (ex_eval(r, d->checks[i], row, a, &v) != RDB_OK)
            return RDB_SQL;
        if (i >= d->nchecks - d->nview_checks && (v.isnull || !v.u.b)) {
            rdb_err_set(r->err, RDB_SQL, "44000", "new row violates check option for view \"%s\"",
                        d->check_names[i]);
            failing_row(r, t, row);
            return RDB_SQL;
        }
        if (!v.isnull && !v.u.b) {
            rdb_err_set(r->err, RDB_SQL, "23514",
                        "new row for relation \"%s\" violates check constraint \"%s\"", t->name,
                        d->check_names[i]);
            failing_row(r, t, row);
            return RDB_SQL;
        }
    }
    return RDB_OK;
}

/* ---- locks on UNIQUE values ----------------------------------------------- */

rdb_status_t ex_lock_unique_value(ex_run_t *r, const sql_table_t *t, const sql_index_t *ix,
                                  const sql_value_t *row)
{
    rdb_buf_t k = RDB_BUF_INIT;
    rdb_status_t rc = RDB_OK;
    bool skipped;
    if (r->lock_key && sql_table_unique_lock_key(&k, t, ix, row))
        rc = r->lock_key(r, k.data, k.len, ROWLOCK_UPDATE, EX_LOCK_WAIT, t->name, &skipped);
    rdb_buf_free(&k);
    return rc;
}

rdb_status_t ex_unique_lock(ex_run_t *r, const sql_table_t *t, const sql_value_t *oldrow,
                            const sql_value_t *newrow, uint64_t *snap)
{
    *snap = 0;
    bool locked = false;
    for (int i = 0; r->lock_key && i < t->nindexes; i++) {
        const sql_index_t *ix = &t->indexes[i];
        if (!ix->unique || ix->deferrable ||
            (oldrow && !sql_fk_cols_differ(t, ix->ncols, ix->colids, oldrow, newrow)))
            continue;
        if (ex_lock_unique_value(r, t, ix, newrow) != RDB_OK)
            return RDB_SQL;
        locked = true;
    }
    if (locked)
        *snap = txn_set_snapshot(r->txn, txn_store_now(txn_store(r->txn)));
    return RDB_OK;
}

void ex_unique_unlock(ex_run_t *r, uint64_t snap)
{
    if (snap)
        txn_set_snapshot(r->txn, snap);
}

/* sql_table_insert_arbiter under ex_unique_lock */
static rdb_status_t insert_locked(ex_run_t *r, const sql_dml_t *d, const sql_value_t *row, bool *inserted)
{
    uint64_t snap;
    if (ex_unique_lock(r, d->tab, NULL, row, &snap) != RDB_OK)
        return RDB_SQL;
    rdb_status_t rc = sql_table_insert_arbiter(r->txn, d->tab, row, d->on_conflict_nothing, d->arbiter,
                                               inserted, r->err);
    ex_unique_unlock(r, snap);
    return rc;
}

rdb_status_t ex_update_locked(ex_run_t *r, const sql_table_t *t, const sql_value_t *oldrow,
                              const sql_value_t *newrow)
{
    uint64_t snap;
    if (ex_unique_lock(r, t, oldrow, newrow, &snap) != RDB_OK)
        return RDB_SQL;
    rdb_status_t rc = sql_table_update(r->txn, t, oldrow, newrow, r->err);
    ex_unique_unlock(r, snap);
    return rc;
}

static rdb_status_t build_insert_row(ex_run_t *r, const sql_dml_t *d, const sql_value_t *vals,
                                     rdb_arena_t *a, sql_value_t *row)
{
    const sql_table_t *t = d->tab;
    bool *given = rdb_arena_calloc(a, sizeof(bool) * (t->nrowcols + 1u));
    for (int i = 0; i < t->nrowcols; i++)
        row[i] = sql_null();
    for (int i = 0; i < d->ncols; i++) {
        row[d->colids[i]] = vals[i];
        given[d->colids[i]] = true;
    }
    for (int i = 0; i < t->ncols; i++) {
        uint16_t c = t->cols[i].colid;
        if (!given[c] && d->defaults[c] && ex_eval(r, d->defaults[c], NULL, a, &row[c]) != RDB_OK)
            return RDB_SQL;
    }
    return ex_check_row(r, d, row, a);
}

rdb_status_t ex_insert_values(ex_run_t *r, const sql_dml_t *d, const sql_value_t *vals,
                              rdb_arena_t *a, bool *inserted)
{
    sql_value_t *row = rdb_arena_alloc(a, sizeof(sql_value_t) * (d->tab->nrowcols + 1u));
    if (build_insert_row(r, d, vals, a, row) != RDB_OK)
        return RDB_SQL;
    if (insert_locked(r, d, row, inserted) != RDB_OK)
        return RDB_SQL;
    ex_fkq_t *q = NULL;
    if (*inserted)
        ex_fk_note(r, &q, d->tab, NULL, row);
    return ex_fk_fire(r, q);
}

rdb_status_t ex_insert_new(ex_run_t *r, const sql_dml_t *d, const sql_value_t *vals, rdb_arena_t *a,
                           uint64_t tag, sql_bulk_t *bk)
{
    sql_value_t *row = rdb_arena_alloc(a, sizeof(sql_value_t) * (d->tab->nrowcols + 1u));
    if (build_insert_row(r, d, vals, a, row) != RDB_OK)
        return RDB_SQL;
    if (sql_table_insert_new(r->txn, d->tab, row, tag, bk, r->err) != RDB_OK)
        return RDB_SQL;
    ex_fkq_t *q = NULL;
    ex_fk_note(r, &q, d->tab, NULL, row);
    return ex_fk_fire(r, q);
}

static rdb_status_t returning(ex_run_t *r, const plan_t *ret, const sql_value_t *row, rdb_arena_t *a,
                              ex_row_fn fn, void *arg)
{
    if (!ret)
        return RDB_OK;
    sql_value_t *out = rdb_arena_alloc(a, sizeof(sql_value_t) * (size_t)(ret->nexprs + 1));
    for (int i = 0; i < ret->nexprs; i++)
        if (ex_eval(r, ret->exprs[i], row, a, &out[i]) != RDB_OK)
            return RDB_SQL;
    return fn ? fn(arg, out, r->err) : RDB_OK;
}

/* The primary keys an INSERT ... ON CONFLICT DO UPDATE inserted or
 * updated: a later row of the same statement may not update them again
 * (21000, as PostgreSQL).  Open addressing over the keys' encodings. */
typedef struct keyset {
    rdb_buf_t data;
    struct ks_slot { uint64_t h; size_t off, len; bool used; } *slots;
    size_t    cap, n;
} keyset_t;

static void pk_key(rdb_buf_t *k, const sql_table_t *t, const sql_value_t *row)
{
    rdb_buf_reset(k);
    for (int i = 0; i < t->npk; i++) {
        const sql_column_t *c = sql_table_column_by_id(t, t->pk_colids[i]);
        if (c)
            sql_key_encode(k, c->type, &row[t->pk_colids[i]], false);
    }
}

/* Add key k; false if it was there already. */
static bool keyset_add(keyset_t *s, const rdb_buf_t *k)
{
    if (2 * (s->n + 1) > s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        struct ks_slot *old = s->slots;
        size_t ocap = s->cap;
        s->slots = rdb_calloc(cap, sizeof *s->slots);
        s->cap = cap;
        for (size_t i = 0; i < ocap; i++)
            if (old[i].used) {
                size_t j = old[i].h & (cap - 1);
                while (s->slots[j].used)
                    j = (j + 1) & (cap - 1);
                s->slots[j] = old[i];
            }
        free(old);
    }
    uint64_t h = rdb_hash64(k->data, k->len, 0);
    size_t j = h & (s->cap - 1);
    for (; s->slots[j].used; j = (j + 1) & (s->cap - 1))
        if (s->slots[j].h == h && s->slots[j].len == k->len &&
            memcmp(s->data.data + s->slots[j].off, k->data, k->len) == 0)
            return false;
    s->slots[j] = (struct ks_slot){ h, s->data.len, k->len, true };
    rdb_buf_append(&s->data, k->data, k->len);
    s->n++;
    return true;
}

static void keyset_free(keyset_t *s)
{
    rdb_buf_free(&s->data);
    free(s->slots);
}

/* The row lock an UPDATE of columns colids takes (rowlock.h): FOR UPDATE
 * when one is a column of the primary key or of a unique index (a key a
 * foreign key may reference), else FOR NO KEY UPDATE, as PostgreSQL. */
static int lock_mode(const sql_table_t *t, const uint16_t *colids, int n)
{
    for (int i = 0; i < n; i++) {
        for (int k = 0; k < t->npk; k++)
            if (t->pk_colids[k] == colids[i])
                return ROWLOCK_UPDATE;
        for (int x = 0; x < t->nindexes; x++)
            for (int k = 0; t->indexes[x].unique && k < t->indexes[x].ncols; k++)
                if (t->indexes[x].colids[k] == colids[i])
                    return ROWLOCK_UPDATE;
    }
    return ROWLOCK_NO_KEY_UPDATE;
}

/* ON CONFLICT DO UPDATE: the proposed row conflicted; update the existing
 * one (found by primary key) with the SET list over existing ‖ EXCLUDED. */
static rdb_status_t upsert(ex_run_t *r, const sql_bound_t *b, const sql_value_t *proposed, rdb_arena_t *a,
                           ex_row_fn fn, void *arg, ex_fkq_t **fkq, keyset_t *seen, bool *done)
{
    const sql_dml_t *d = b->dml;
    const sql_table_t *t = d->tab;
    *done = false;
    sql_value_t pk[32];
    for (int i = 0; i < t->npk && i < 32; i++)
        pk[i] = proposed[t->pk_colids[i]];
    sql_value_t *both = rdb_arena_calloc(a, sizeof(sql_value_t) * (2u * t->nrowcols + 1));
    bool found;
    if (sql_table_get(r->txn, t, pk, a, both, &found, r->err) != RDB_OK)
        return RDB_SQL;
    if (!found)
        return rdb_err_set(r->err, RDB_SQL, "0A000",
                           "ON CONFLICT DO UPDATE on a conflict other than the primary key is not supported");
    if (r->lock_row) {
        sql_value_t *latest = NULL;
        bool gone = false;
        if (r->lock_row(r, t, both, lock_mode(t, d->upd_colids, d->nupd), EX_LOCK_WAIT,
                        a, &latest, &gone) != RDB_OK)
            return RDB_SQL;
        if (gone)
            return rdb_err_set(r->err, RDB_SQL, "40001", "could not serialize access due to concurrent delete");
        if (latest)
            memcpy(both, latest, sizeof(sql_value_t) * t->nrowcols);
    }
    if (seen) {
        rdb_buf_t k = RDB_BUF_INIT;
        pk_key(&k, t, both);
        bool fresh = keyset_add(seen, &k);
        rdb_buf_free(&k);
        if (!fresh) {
            rdb_err_set(r->err, RDB_SQL, "21000", "ON CONFLICT DO UPDATE command cannot affect row a second time");
            rdb_err_hint(r->err, "Ensure that no rows proposed for insertion within the same command have "
                                 "duplicate constrained values.");
            return RDB_SQL;
        }
    }
    memcpy(both + t->nrowcols, proposed, sizeof(sql_value_t) * t->nrowcols);
    bool pass = true;
    if (d->upd_where && ex_qual(r, d->upd_where, both, a, &pass) != RDB_OK)
        return RDB_SQL;
    if (!pass)
        return RDB_OK;
    sql_value_t *nrow = rdb_arena_alloc(a, sizeof(sql_value_t) * (t->nrowcols + 1u));
    memcpy(nrow, both, sizeof(sql_value_t) * t->nrowcols);
    for (int k = 0; k < d->nupd; k++)
        if (ex_eval(r, d->upd_set[k], both, a, &nrow[d->upd_colids[k]]) != RDB_OK)
            return RDB_SQL;
    if (ex_check_row(r, d, nrow, a) != RDB_OK || ex_update_locked(r, t, both, nrow) != RDB_OK)
        return RDB_SQL;
    ex_fk_note(r, fkq, t, both, nrow);
    *done = true;
    return returning(r, b->plan, nrow, a, fn, arg);
}

/* Read all the rows of the statement's source before writing any: the
 * statement's reads see the data as it was when it began, never its own
 * writes (INSERT INTO t SELECT ... FROM t, an UPDATE moving a key), as a
 * PostgreSQL statement's snapshot.  The rows live in r->a. */
static rdb_status_t collect_rows(ex_run_t *r, const plan_t *src, int ncols, sql_value_t ***rowsp,
                                 int64_t *nrowsp)
{
    ex_node_t *n = ex_open(r, src);
    if (!n)
        return RDB_SQL;
    int64_t nrows = 0, cap = 0;
    sql_value_t **rows = NULL;
    const sql_value_t *row;
    while ((row = ex_next(n))) {
        if (nrows == cap) {
            cap = cap ? cap * 2 : 16;
            rows = rdb_arena_grow(r->a, rows, (size_t)nrows, (size_t)cap, sizeof *rows);
            if (ex_check(r) != RDB_OK)
                break;
        }
        rows[nrows++] = ex_copy_row(r->a, src->types, ncols, row);
    }
    ex_close(n);
    *rowsp = rows;
    *nrowsp = nrows;
    return rdb_err_is_set(r->err) ? RDB_SQL : RDB_OK;
}

static rdb_status_t run_insert(ex_run_t *r, const sql_bound_t *b, ex_row_fn fn, void *arg, uint64_t *count)
{
    const sql_dml_t *d = b->dml;
    int64_t nrows;
    sql_value_t **vals;
    if (collect_rows(r, d->src, d->src->ncols, &vals, &nrows) != RDB_OK)
        return RDB_SQL;
    rdb_arena_t a;
    rdb_arena_init(&a, 0);
    sql_value_t *row = rdb_arena_alloc(r->a, sizeof(sql_value_t) * (d->tab->nrowcols + 1u));
    rdb_status_t rc = RDB_OK;
    ex_fkq_t *fkq = NULL;
    keyset_t seen = { 0 };
    for (int64_t i = 0; i < nrows; i++) {
        rdb_arena_reset(&a);
        bool inserted = true;
        if (build_insert_row(r, d, vals[i], &a, row) != RDB_OK ||
            insert_locked(r, d, row, &inserted) != RDB_OK) {
            rc = RDB_SQL;
            break;
        }
        if (!inserted && d->on_conflict_update) {
            bool done;
            if (upsert(r, b, row, &a, fn, arg, &fkq, &seen, &done) != RDB_OK) {
                rc = RDB_SQL;
                break;
            }
            if (done)
                (*count)++;
            continue;
        }
        if (inserted && d->on_conflict_update) {
            rdb_buf_t k = RDB_BUF_INIT;
            pk_key(&k, d->tab, row);
            keyset_add(&seen, &k);
            rdb_buf_free(&k);
        }
        if (inserted) {
            (*count)++;
            ex_fk_note(r, &fkq, d->tab, NULL, row);
            if (returning(r, b->plan, row, &a, fn, arg) != RDB_OK) {
                rc = RDB_SQL;
                break;
            }
        }
        if ((*count & 1023) == 0 && ex_check(r) != RDB_OK) {
            rc = RDB_SQL;
            break;
        }
    }
    if (rdb_err_is_set(r->err))
        rc = RDB_SQL;
    rdb_arena_destroy(&a);
    keyset_free(&seen);
    if (rc == RDB_OK)
        return ex_fk_fire(r, fkq);
    ex_fk_discard(fkq);
    return rc;
}

static rdb_status_t run_upddel(ex_run_t *r, const sql_bound_t *b, ex_row_fn fn, void *arg, uint64_t *count)
{
    const sql_dml_t *d = b->dml;
    const sql_table_t *t = d->tab;
    int64_t nrows;
    sql_value_t **rows;
    /* every column of the source: the target's first, FROM items' after */
    if (collect_rows(r, d->src, d->src->ncols, &rows, &nrows) != RDB_OK)
        return RDB_SQL;
    rdb_arena_t a;
    rdb_arena_init(&a, 0);
    rdb_status_t rc = RDB_OK;
    /* Pass 1: lock each row and compute its new version, before any write,
     * so SET's subqueries see no row this statement changed.  A row to skip
     * (gone, or no longer qualifying) gets NULL in rows[]. */
    sql_value_t **nrows_new = d->set ? rdb_arena_alloc(r->a, sizeof(*nrows_new) * (size_t)(nrows + 1)) : NULL;
    sql_value_t *nrow = rdb_arena_alloc(r->a, sizeof(sql_value_t) * (t->nrowcols + 1u));
    for (int64_t i = 0; i < nrows && rc == RDB_OK; i++) {
        rdb_arena_reset(&a);
        if (r->lock_row) {
            sql_value_t *latest = NULL;
            bool gone = false;
            if ((rc = r->lock_row(r, t, rows[i], d->set ? lock_mode(t, d->colids, d->ncols) : ROWLOCK_UPDATE,
                                  EX_LOCK_WAIT, &a, &latest, &gone)) != RDB_OK)
                break;
            if (gone) {
                rows[i] = NULL;
                continue;
            }
            if (latest) {
                /* changed since our snapshot: work on the newest version
                 * if it still qualifies (READ COMMITTED's re-check) */
                bool pass = true;
                if (d->recheck) {
                    /* FROM items: the WHERE clause over the newest target
                     * row and the same FROM rows (PostgreSQL's EvalPlanQual) */
                    sql_value_t *full = rdb_arena_alloc(&a, sizeof(sql_value_t) * (size_t)d->src->ncols);
                    memcpy(full, rows[i], sizeof(sql_value_t) * (size_t)d->src->ncols);
                    memcpy(full, latest, sizeof(sql_value_t) * t->nrowcols);
                    rc = ex_qual(r, d->recheck, full, &a, &pass);
                }
                for (const plan_t *p = d->src; p && pass && !d->recheck; p = p->left)
                    if (p->qual && (rc = ex_qual(r, p->qual, latest, &a, &pass)) != RDB_OK)
                        break;
                if (rc != RDB_OK)
                    break;
                if (!pass) {
                    rows[i] = NULL;
                    continue;
                }
                /* the target's columns come first; FROM items keep theirs.
                 * latest lives in a, which the next row resets: copy it */
                memcpy(rows[i], ex_copy_row(r->a, d->src->types, t->nrowcols, latest),
                       sizeof(sql_value_t) * t->nrowcols);
            }
        }
        if (d->set) {
            memcpy(nrow, rows[i], sizeof(sql_value_t) * t->nrowcols);
            for (int k = 0; k < d->ncols && rc == RDB_OK; k++)
                rc = ex_eval(r, d->set[k], rows[i], &a, &nrow[d->colids[k]]);
            if (rc == RDB_OK)
                rc = ex_check_row(r, d, nrow, &a);
            if (rc == RDB_OK)
                nrows_new[i] = ex_copy_row(r->a, d->src->types, t->nrowcols, nrow);
        }
        if (rc == RDB_OK && (i & 1023) == 1023)
            rc = ex_check(r);
    }
    /* Pass 2: write, then RETURNING */
    ex_fkq_t *fkq = NULL;
    for (int64_t i = 0; i < nrows && rc == RDB_OK; i++) {
        if (!rows[i])
            continue;
        rdb_arena_reset(&a);
        if (d->set) {
            rc = ex_update_locked(r, t, rows[i], nrows_new[i]);
            if (rc == RDB_OK) {
                ex_fk_note(r, &fkq, t, rows[i], nrows_new[i]);
                /* RETURNING sees the new row, then the FROM items' columns */
                sql_value_t *ret = nrows_new[i];
                if (b->plan && d->src->ncols > t->nrowcols) {
                    ret = rdb_arena_alloc(&a, sizeof(sql_value_t) * (size_t)d->src->ncols);
                    memcpy(ret, rows[i], sizeof(sql_value_t) * (size_t)d->src->ncols);
                    memcpy(ret, nrows_new[i], sizeof(sql_value_t) * t->nrowcols);
                }
                rc = returning(r, b->plan, ret, &a, fn, arg);
            }
        } else {
            rc = sql_table_delete(r->txn, t, rows[i], r->err);
            if (rc == RDB_OK) {
                ex_fk_note(r, &fkq, t, rows[i], NULL);
                rc = returning(r, b->plan, rows[i], &a, fn, arg);
            }
        }
        if (rc == RDB_OK)
            (*count)++;
        if (rc == RDB_OK && (i & 1023) == 1023)
            rc = ex_check(r);
    }
    rdb_arena_destroy(&a);
    if (rc == RDB_OK)
        return ex_fk_fire(r, fkq);
    ex_fk_discard(fkq);
    return rc;
}

rdb_status_t ex_dml_run(ex_run_t *r, const sql_bound_t *b, ex_row_fn fn, void *arg, uint64_t *count)
{
    *count = 0;
    rdb_status_t rc = b->kind == AST_S_INSERT ? run_insert(r, b, fn, arg, count)
                                              : run_upddel(r, b, fn, arg, count);
    if (rc == RDB_OK) {
        int64_t n = (int64_t)*count;
        sql_tabstat_changed(r->tabstat, b->dml->tab->id, b->kind == AST_S_INSERT ? n : 0,
                            b->kind == AST_S_UPDATE ? n : 0, b->kind == AST_S_DELETE ? n : 0);
    }
    return rc;
}
