/*
 * fkey.c — FOREIGN KEY lookups (sql/fkey.h).
 *
 * Invariants: every read goes through the caller's transaction, so a
 * statement sees its own writes and those of its transaction block; the
 * referencing-side check is a point read (primary key) or a prefix seek
 * (UNIQUE index), never a scan.  Values are compared in the referenced
 * column's type: a child value is converted with the implicit cast DDL
 * checked to exist (integers of any width share one representation and
 * are used as they are).
 */
#include "sql/fkey.h"

#include <string.h>

#include "common/buf.h"
#include "sql/table.h"
#include "sql/types.h"

static bool int_oid(uint32_t oid)
{
    return oid == SQL_OID_INT2 || oid == SQL_OID_INT4 || oid == SQL_OID_INT8;
}

/* Same in-memory representation and key encoding? */
static bool same_repr(sql_type_t x, sql_type_t y)
{
    return x.oid == y.oid || (int_oid(x.oid) && int_oid(y.oid));
}

bool sql_fk_types_ok(sql_type_t fk, sql_type_t pk)
{
    return same_repr(fk, pk) || sql_type_can_coerce(fk, pk, SQL_CAST_IMPLICIT);
}

static sql_type_t col_type(const sql_table_t *t, uint16_t colid)
{
    const sql_column_t *c = sql_table_column_by_id(t, colid);
    sql_type_t ty = { SQL_OID_TEXT, -1 };
    return c ? c->type : ty;
}

rdb_status_t sql_fk_convert(rdb_arena_t *a, sql_type_t from, sql_type_t to, bool assign,
                            const sql_value_t *v, sql_value_t *out, rdb_err_t *err)
{
    if (v->isnull || same_repr(from, to)) {
        *out = *v;
        if (assign && !v->isnull && to.oid == SQL_OID_INT4 && (v->u.i < INT32_MIN || v->u.i > INT32_MAX))
            return rdb_err_set(err, RDB_SQL, "22003", "integer out of range");
        if (assign && !v->isnull && to.oid == SQL_OID_INT2 && (v->u.i < INT16_MIN || v->u.i > INT16_MAX))
            return rdb_err_set(err, RDB_SQL, "22003", "smallint out of range");
        return RDB_OK;
    }
    sql_resolved_cast_t c;
    sql_type_t target = assign ? to : (sql_type_t){ to.oid, -1 };
    if (sql_cast_resolve(from, target, assign ? SQL_CAST_ASSIGNMENT : SQL_CAST_IMPLICIT, &c, err) != RDB_OK)
        return RDB_SQL;
    sql_format_settings_t fs;
    sql_format_settings_default(&fs);
    sql_fn_ctx_t ctx = { .arena = a, .settings = &fs };
    return sql_cast_apply(&ctx, &c, from, v, out, err);
}

static rdb_status_t conv(rdb_arena_t *a, sql_type_t from, sql_type_t to, const sql_value_t *v,
                         sql_value_t *out, rdb_err_t *err)
{
    return sql_fk_convert(a, from, to, false, v, out, err);
}

sql_value_t *sql_fk_row_copy(rdb_arena_t *a, const sql_table_t *t, const sql_value_t *row)
{
    sql_value_t *keep = RDB_ARENA_NEWN(a, sql_value_t, t->nrowcols + 1);
    for (int c = 0; c < t->nrowcols; c++) {
        const sql_column_t *col = sql_table_column_by_id(t, (uint16_t)c);
        keep[c] = col && !row[c].isnull ? sql_value_copy(a, col->type, row[c]) : row[c];
    }
    return keep;
}

static const sql_index_t *ref_index(const sql_table_t *parent, const sql_fkey_t *fk)
{
    if (parent->pk_index && parent->pk_index_id == fk->ref_index)
        return parent->pk_index;
    for (int i = 0; i < parent->nindexes; i++)
        if (parent->indexes[i].id == fk->ref_index)
            return &parent->indexes[i];
    return NULL;
}

/* Position in fk's column lists of referenced column colid, -1 if none. */
static int ref_pos(const sql_fkey_t *fk, uint16_t colid)
{
    for (int k = 0; k < fk->ncols; k++)
        if (fk->ref_colids[k] == colid)
            return k;
    return -1;
}

/* Does parent hold a row whose referenced columns equal key[] (fk order,
 * values of the parent's types, none NULL)?  prow non-NULL: the row is
 * wanted too, decoded into pa (*prow stays NULL when not found). */
static rdb_status_t parent_find(txn_t *t, const sql_table_t *parent, const sql_fkey_t *fk,
                                const sql_value_t *key, rdb_arena_t *pa, sql_value_t **prow, bool *found,
                                rdb_err_t *err)
{
    const sql_index_t *ix = ref_index(parent, fk);
    *found = false;
    if (ix && ix->primary && parent->npk == fk->ncols && fk->ncols <= 32) {
        /* the common case: a point read of the row key, nothing decoded */
        sql_value_t pk[32];
        for (int i = 0; i < parent->npk; i++) {
            int k = ref_pos(fk, parent->pk_colids[i]);
            pk[i] = k >= 0 ? key[k] : sql_null();
        }
        if (!prow)
            return sql_table_exists(t, parent, pk, found, err);
        sql_value_t *row = RDB_ARENA_NEWN(pa, sql_value_t, parent->nrowcols + 1);
        rdb_status_t rc = sql_table_get(t, parent, pk, pa, row, found, err);
        *prow = rc == RDB_OK && *found ? row : NULL;
        return rc;
    }
    /* a UNIQUE index: a prefix seek over its columns */
    rdb_arena_t a;
    rdb_arena_init(&a, 0);
    sql_value_t *vals = RDB_ARENA_NEWN(&a, sql_value_t, fk->ncols + parent->nrowcols + 1);
    sql_value_t *row = vals + fk->ncols;
    sql_scan_range_t r = { 0 };
    sql_scan_t *s;
    if (ix && ix->ncols == fk->ncols) {
        for (int i = 0; i < ix->ncols; i++) {
            int k = ref_pos(fk, ix->colids[i]);
            vals[i] = k >= 0 ? key[k] : sql_null();
        }
        r.nlo = r.nhi = ix->ncols;
        r.lo = r.hi = vals;
        r.lo_incl = r.hi_incl = true;
        s = sql_index_scan_open(t, parent, ix, &r);
    } else {
        s = sql_scan_open(t, parent, NULL); /* defensive: the index is gone */
    }
    while (!*found && sql_scan_next(s, &a, row)) {
        bool eq = true;
        for (int k = 0; eq && k < fk->ncols; k++) {
            const sql_value_t *v = &row[fk->ref_colids[k]];
            eq = !v->isnull && sql_value_cmp(col_type(parent, fk->ref_colids[k]), v, &key[k]) == 0;
        }
        *found = eq;
        if (eq && prow)
            *prow = sql_fk_row_copy(pa, parent, row);
    }
    rdb_status_t rc = sql_scan_status(s, err);
    sql_scan_close(s);
    rdb_arena_destroy(&a);
    return rc;
}

static rdb_status_t parent_has(txn_t *t, const sql_table_t *parent, const sql_fkey_t *fk,
                               const sql_value_t *key, bool *found, rdb_err_t *err)
{
    return parent_find(t, parent, fk, key, NULL, NULL, found, err);
}

/* The key row (a row of child) references through fk, in the parent's
 * types, into key[fk->ncols] (conversions in a); *nulls: how many of its
 * columns are NULL. */
static rdb_status_t child_key(const sql_table_t *child, const sql_fkey_t *fk, const sql_table_t *parent,
                              const sql_value_t *row, rdb_arena_t *a, sql_value_t *key, int *nulls,
                              rdb_err_t *err)
{
    *nulls = 0;
    for (int k = 0; k < fk->ncols; k++)
        *nulls += row[fk->colids[k]].isnull;
    for (int k = 0; !*nulls && k < fk->ncols; k++)
        if (conv(a, col_type(child, fk->colids[k]), col_type(parent, fk->ref_colids[k]), &row[fk->colids[k]],
                 &key[k], err) != RDB_OK)
            return RDB_SQL;
    return RDB_OK;
}

rdb_status_t sql_fk_parent_row(txn_t *t, const sql_table_t *child, const sql_fkey_t *fk,
                               const sql_table_t *parent, const sql_value_t *row, rdb_arena_t *a,
                               sql_value_t **prow, rdb_err_t *err)
{
    *prow = NULL;
    sql_value_t *key = RDB_ARENA_NEWN(a, sql_value_t, fk->ncols + 1);
    int nulls;
    bool found;
    if (child_key(child, fk, parent, row, a, key, &nulls, err) != RDB_OK)
        return RDB_SQL;
    return nulls ? RDB_OK : parent_find(t, parent, fk, key, a, prow, &found, err);
}

rdb_status_t sql_fk_check(txn_t *t, const sql_table_t *child, const sql_fkey_t *fk,
                          const sql_table_t *parent, const sql_value_t *row, rdb_err_t *err)
{
    sql_value_t keybuf[8];
    rdb_arena_t a;
    rdb_arena_init(&a, 0); /* allocates nothing until a conversion needs it */
    sql_value_t *key = fk->ncols <= 8 ? keybuf : RDB_ARENA_NEWN(&a, sql_value_t, fk->ncols + 1);
    int nnull;
    rdb_status_t rc = child_key(child, fk, parent, row, &a, key, &nnull, err);
    if (rc != RDB_OK || nnull == fk->ncols || (nnull && fk->match != 'f')) {
        rdb_arena_destroy(&a);
        return rc;
    }
    if (nnull) {
        rdb_arena_destroy(&a);
        rdb_err_set(err, RDB_SQL, "23503",
                    "insert or update on table \"%s\" violates foreign key constraint \"%s\"",
                    child->name, fk->name);
        rdb_err_detail(err, "MATCH FULL does not allow mixing of null and nonnull key values.");
        return RDB_SQL;
    }
    bool found = false;
    rc = parent_has(t, parent, fk, key, &found, err);
    rdb_arena_destroy(&a);
    if (rc != RDB_OK || found)
        return rc;
    rdb_err_set(err, RDB_SQL, "23503",
                "insert or update on table \"%s\" violates foreign key constraint \"%s\"",
                child->name, fk->name);
    rdb_buf_t b = RDB_BUF_INIT;
    sql_key_detail(&b, child, fk->ncols, fk->colids, row);
    rdb_err_detail(err, "%s is not present in table \"%s\".", rdb_buf_cstr(&b), parent->name);
    rdb_buf_free(&b);
    return RDB_SQL;
}

rdb_status_t sql_fk_key_present(txn_t *t, const sql_table_t *parent, const sql_fkey_t *fk,
                                const sql_value_t *prow, bool *present, rdb_err_t *err)
{
    sql_value_t key[32];
    *present = false;
    if (fk->ncols > 32)
        return RDB_OK;
    for (int k = 0; k < fk->ncols; k++) {
        key[k] = prow[fk->ref_colids[k]];
        if (key[k].isnull)
            return RDB_OK;
    }
    return parent_has(t, parent, fk, key, present, err);
}

/* An index of child (its primary key too) whose leading columns are the
 * foreign key's columns, in any order, with the parent's representation:
 * its scan finds the referencing rows.  NULL when there is none. */
static bool leading_cols(const uint16_t *ids, int n, const sql_fkey_t *fk)
{
    if (n < fk->ncols)
        return false;
    for (int i = 0; i < fk->ncols; i++) {
        bool in = false;
        for (int k = 0; k < fk->ncols; k++)
            in |= ids[i] == fk->colids[k];
        if (!in)
            return false;
    }
    return true;
}

rdb_status_t sql_fk_referencing(txn_t *t, const sql_table_t *child, const sql_fkey_t *fk,
                                const sql_table_t *parent, const sql_value_t *prow,
                                rdb_arena_t *a, int64_t max, sql_value_t ***rows, int64_t *n,
                                rdb_err_t *err)
{
    *rows = NULL;
    *n = 0;
    bool repr = true;
    for (int k = 0; k < fk->ncols; k++) {
        if (prow[fk->ref_colids[k]].isnull)
            return RDB_OK;
        repr &= same_repr(col_type(child, fk->colids[k]), col_type(parent, fk->ref_colids[k]));
    }
    /* the probe: child's primary key, else a secondary index */
    const uint16_t *ids = NULL;
    const sql_index_t *ix = NULL;
    if (repr && child->npk && leading_cols(child->pk_colids, child->npk, fk))
        ids = child->pk_colids;
    for (int i = 0; repr && !ids && i < child->nindexes; i++)
        if (leading_cols(child->indexes[i].colids, child->indexes[i].ncols, fk)) {
            ix = &child->indexes[i];
            ids = ix->colids;
        }
    sql_value_t *vals = RDB_ARENA_NEWN(a, sql_value_t, fk->ncols + 1);
    sql_scan_range_t r = { 0 };
    if (ids) {
        for (int i = 0; i < fk->ncols; i++)
            for (int k = 0; k < fk->ncols; k++)
                if (fk->colids[k] == ids[i])
                    vals[i] = prow[fk->ref_colids[k]];
        r.nlo = r.nhi = fk->ncols;
        r.lo = r.hi = vals;
        r.lo_incl = r.hi_incl = true;
    }
    sql_scan_t *s = ix ? sql_index_scan_open(t, child, ix, &r)
                       : sql_scan_open(t, child, ids ? &r : NULL);
    rdb_arena_t tmp;
    rdb_arena_init(&tmp, 0);
    sql_value_t *row = RDB_ARENA_NEWN(a, sql_value_t, child->nrowcols + 1);
    int64_t cap = 0;
    rdb_status_t rc = RDB_OK;
    for (;;) {
        rdb_arena_reset(&tmp);
        if ((max && *n >= max) || !sql_scan_next(s, &tmp, row))
            break;
        bool eq = true;
        for (int k = 0; eq && rc == RDB_OK && k < fk->ncols; k++) {
            sql_type_t pt = col_type(parent, fk->ref_colids[k]);
            sql_value_t cv;
            const sql_value_t *v = &row[fk->colids[k]];
            if (v->isnull) {
                eq = false;
                break;
            }
            rc = conv(&tmp, col_type(child, fk->colids[k]), pt, v, &cv, err);
            eq = rc == RDB_OK && sql_value_cmp(pt, &cv, &prow[fk->ref_colids[k]]) == 0;
        }
        if (rc != RDB_OK)
            break;
        if (!eq)
            continue;
        if (*n == cap) {
            cap = cap ? cap * 2 : 8;
            *rows = rdb_arena_grow(a, *rows, (size_t)*n, (size_t)cap, sizeof **rows);
        }
        (*rows)[(*n)++] = sql_fk_row_copy(a, child, row);
    }
    if (rc == RDB_OK)
        rc = sql_scan_status(s, err);
    sql_scan_close(s);
    rdb_arena_destroy(&tmp);
    return rc;
}

rdb_status_t sql_fk_still_referenced(rdb_err_t *err, const sql_table_t *parent,
                                     const sql_fkey_t *fk, const sql_table_t *child,
                                     const sql_value_t *prow)
{
    rdb_err_set(err, RDB_SQL, "23503",
                "update or delete on table \"%s\" violates foreign key constraint \"%s\" on table \"%s\"",
                parent->name, fk->name, child->name);
    rdb_buf_t b = RDB_BUF_INIT;
    sql_key_detail(&b, parent, fk->ncols, fk->ref_colids, prow);
    rdb_err_detail(err, "%s is still referenced from table \"%s\".", rdb_buf_cstr(&b), child->name);
    rdb_buf_free(&b);
    return RDB_SQL;
}

bool sql_fk_cols_differ(const sql_table_t *t, int n, const uint16_t *colids,
                        const sql_value_t *x, const sql_value_t *y)
{
    for (int i = 0; i < n; i++) {
        const sql_value_t *a = &x[colids[i]], *b = &y[colids[i]];
        if (a->isnull != b->isnull)
            return true;
        if (!a->isnull && sql_value_cmp(col_type(t, colids[i]), a, b) != 0)
            return true;
    }
    return false;
}

rdb_status_t sql_fk_validate(txn_t *t, const sql_table_t *child, const sql_fkey_t *fk,
                             const sql_table_t *parent, rdb_err_t *err)
{
    sql_scan_t *s = sql_scan_open(t, child, NULL);
    rdb_arena_t a;
    rdb_arena_init(&a, 0);
    sql_value_t *row = RDB_ARENA_NEWN(&a, sql_value_t, child->nrowcols + 1);
    rdb_arena_t ra;
    rdb_arena_init(&ra, 0);
    rdb_status_t rc = RDB_OK;
    while (rc == RDB_OK && sql_scan_next(s, &ra, row)) {
        rc = sql_fk_check(t, child, fk, parent, row, err);
        rdb_arena_reset(&ra);
    }
    if (rc == RDB_OK)
        rc = sql_scan_status(s, err);
    sql_scan_close(s);
    rdb_arena_destroy(&ra);
    rdb_arena_destroy(&a);
    return rc;
}
