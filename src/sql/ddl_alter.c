/*
 * ddl_alter.c — ALTER TABLE and RENAME, and the whole-table row work they
 * need (filling a new column, validating a CHECK, rewriting for a new key
 * or column type).
 *
 * A statement clones the relation once, applies its commands in order to
 * the clone (each command that changes the key layout or a column's
 * encoding rewrites the rows right away, through the clone as it stands),
 * and writes the record once at the end.  Column ids and names follow
 * ddl_table.c's rules.  Views and CHECK expressions keep names, not ids:
 * RENAME rewrites the ColumnRefs of the table's checks and the RangeVars
 * of the views that read a renamed relation; DROP COLUMN refuses (2BP01)
 * when a view names the column, and ALTER COLUMN TYPE gives 0A000 then,
 * as PostgreSQL does.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/mem.h"
#include "sql/ddl_int.h"

/* --- rows ------------------------------------------------------------------------ */

/* Every row of tab (decoded with tab's layout), in d->a. */
static rdb_status_t all_rows(ddl_t *d, const sql_table_t *tab, sql_value_t ***rows, size_t *n)
{
    size_t cap = 0;
    *rows = NULL;
    *n = 0;
    sql_scan_t *s = sql_scan_open(d->ctx->txn, tab, NULL);
    for (;;) {
        sql_value_t *row = RDB_ARENA_NEWN(&d->a, sql_value_t, tab->nrowcols + 1);
        if (!sql_scan_next(s, &d->a, row))
            break;
        if (*n == cap) {
            cap = cap ? cap * 2 : 256;
            *rows = rdb_arena_grow(&d->a, *rows, *n, cap, sizeof **rows);
        }
        (*rows)[(*n)++] = row;
    }
    rdb_status_t rc = sql_scan_status(s, d->err);
    sql_scan_close(s);
    return rc;
}

/* Fill column col of every existing row: nextval of its sequence, or its
 * default through ctx->eval. */
static rdb_status_t fill_column(ddl_t *d, const sql_table_t *tab, const sql_column_t *col)
{
    sql_value_t **rows;
    size_t n;
    rdb_status_t rc = all_rows(d, tab, &rows, &n);
    if (rc != RDB_OK || n == 0)
        return rc;
    const sql_table_t *seq = col->identity_seq ? sql_cat_by_id(d->ctx->snap, col->identity_seq) : NULL;
    json_t *expr = NULL;
    if (!seq && col->default_json) {
        if (!d->ctx->eval)
            return ddl_unsupported(d, "ADD COLUMN ... DEFAULT on a table with rows without a query engine");
        expr = json_loads(col->default_json, 0, NULL);
    }
    for (size_t i = 0; rc == RDB_OK && i < n; i++) {
        sql_value_t *nr = RDB_ARENA_NEWN(&d->a, sql_value_t, tab->nrowcols + 1);
        memcpy(nr, rows[i], sizeof *nr * tab->nrowcols);
        if (seq || col->identity_seq) {
            int64_t v;
            /* A sequence created by this very statement is not in the
             * snapshot: build its relation from what we know. */
            sql_table_t tmp = { .id = col->identity_seq, .name = (char *)"sequence" };
            sql_sequence_t sq = { .start = 1, .increment = 1, .minvalue = 1,
                                  .maxvalue = INT64_MAX, .cache = 1, .type = col->type };
            if (!seq) {
                tmp.seq = &sq;
                seq = &tmp;
            }
            rc = sql_seq_nextval(d->ctx->catalog, seq, &v, d->err);
            if (seq == &tmp)
                seq = NULL;
            nr[col->colid] = sql_int(v);
        } else if (expr) {
            rc = d->ctx->eval(d->ctx, tab, expr, rows[i], col->type, &d->a, &nr[col->colid], d->err);
        }
        if (rc == RDB_OK && col->not_null && nr[col->colid].isnull)
            rc = ddl_error(d, "23502", "column \"%s\" of relation \"%s\" contains null values",
                           col->name, tab->name);
        if (rc == RDB_OK)
            rc = sql_table_update(d->ctx->txn, tab, rows[i], nr, d->err);
    }
    json_decref(expr);
    return rc;
}

static rdb_status_t validate_check(ddl_t *d, const sql_table_t *tab, const sql_check_t *ck)
{
    sql_value_t **rows;
    size_t n;
    rdb_status_t rc = all_rows(d, tab, &rows, &n);
    if (rc != RDB_OK || n == 0)
        return rc;
    if (!d->ctx->eval)
        return ddl_unsupported(d, "ADD CHECK on a table with rows without a query engine");
    json_t *expr = json_loads(ck->expr_json, 0, NULL);
    sql_type_t bt = { SQL_OID_BOOL, -1 };
    for (size_t i = 0; rc == RDB_OK && i < n; i++) {
        sql_value_t v;
        rc = d->ctx->eval(d->ctx, tab, expr, rows[i], bt, &d->a, &v, d->err);
        if (rc == RDB_OK && !v.isnull && !v.u.b)
            rc = ddl_error(d, "23514", "check constraint \"%s\" of relation \"%s\" is violated by some row",
                           ck->name, tab->name);
    }
    json_decref(expr);
    return rc;
}

/* --- ALTER TABLE ----------------------------------------------------------------- */

static bool colid_in(const uint16_t *ids, int n, uint16_t colid)
{
    for (int i = 0; i < n; i++)
        if (ids[i] == colid)
            return true;
    return false;
}

/* Turn t into a table keyed by a hidden row id (its primary key is gone). */
static rdb_status_t drop_primary_key(ddl_t *d, sql_table_t *t)
{
    sql_table_t *from = sql_table_clone(&d->a, t);
    t->pk_index = NULL;
    t->pk_index_id = 0;
    t->npk = 0;
    t->has_rowid = true;
    t->rowid_colid = t->nrowcols++;
    if (t->col_comments) {
        char **cc = RDB_ARENA_NEWN(&d->a, char *, t->nrowcols + 1);
        memcpy(cc, t->col_comments, sizeof *cc * (size_t)(t->nrowcols - 1));
        t->col_comments = cc;
    }
    return sql_table_rewrite(d->ctx->txn, from, t, d->err);
}

static void remove_index(sql_table_t *t, int i)
{
    memmove(&t->indexes[i], &t->indexes[i + 1], sizeof *t->indexes * (size_t)(t->nindexes - i - 1));
    t->nindexes--;
}

static rdb_status_t at_add_column(ddl_t *d, sql_table_t *t, json_t *cmd)
{
    json_t *cd = dj_node(json_object_get(cmd, "def"), "ColumnDef");
    const char *cn = dj_str(cd, "colname");
    if (sql_table_column(t, cn)) {
        if (dj_bool(cmd, "missing_ok")) {
            ddl_notice(d, "42701", "column \"%s\" of relation \"%s\" already exists, skipping", cn,
                       t->name);
            return RDB_OK;
        }
        return ddl_error(d, "42701", "column \"%s\" of relation \"%s\" already exists", cn, t->name);
    }
    sql_type_t ty;
    int serial;
    rdb_status_t rc = ddl_type(d, json_object_get(cd, "typeName"), &ty, &serial);
    if (rc != RDB_OK)
        return rc;
    ddl_add_column(d, t, cn, ty);
    sql_column_t *col = &t->cols[t->ncols - 1];
    bool want_pk = false;
    if ((rc = ddl_column_constraints(d, t, col, cd, serial, &want_pk)) != RDB_OK)
        return rc;
    col = &t->cols[t->ncols - 1];
    if (col->default_json || col->identity_seq || col->not_null)
        if ((rc = fill_column(d, t, col)) != RDB_OK)
            return rc;
    for (int k = 0; k < t->nchecks; k++)
        if (ddl_text_refs_column(t->checks[k].expr_json, cn) &&
            (rc = validate_check(d, t, &t->checks[k])) != RDB_OK)
            return rc;
    json_t *c;
    size_t i;
    json_array_foreach(json_object_get(cd, "constraints"), i, c) {
        json_t *con = dj_node(c, "Constraint");
        const char *ct = dj_str(con, "contype");
        sql_index_t *ix;
        if (ct && strcmp(ct, "CONSTR_FOREIGN") == 0) {
            sql_fkey_t *fk;
            if ((rc = ddl_add_fkey(d, t, con, cn, &fk)) != RDB_OK ||
                (rc = ddl_fkey_validate(d, t, fk)) != RDB_OK)
                return rc;
            continue;
        }
        if (!ct || (strcmp(ct, "CONSTR_PRIMARY") && strcmp(ct, "CONSTR_UNIQUE")))
            continue;
        if (strcmp(ct, "CONSTR_PRIMARY") == 0) {
            sql_table_t *from = sql_table_clone(&d->a, t);
            if ((rc = ddl_table_constraint(d, t, con, cn, &ix)) != RDB_OK ||
                (rc = sql_table_rewrite(d->ctx->txn, from, t, d->err)) != RDB_OK)
                return rc;
        } else if ((rc = ddl_table_constraint(d, t, con, cn, &ix)) != RDB_OK ||
                   (rc = sql_index_build(d->ctx->txn, t, ix, d->err)) != RDB_OK) {
            return rc;
        }
    }
    return RDB_OK;
}

/* Views whose query names column `col` of t (by name: the JSON keeps names). */
static rdb_status_t column_dependents(ddl_t *d, const sql_table_t *t, const char *col, bool cascade)
{
    const sql_catsnap_t *s = d->ctx->snap;
    for (int i = 0; i < sql_cat_count(s); i++) {
        const sql_table_t *v = sql_cat_at(s, i);
        bool dep = false;
        for (int j = 0; j < v->ndeps; j++)
            dep |= v->deps[j] == t->id;
        if (!dep || ddl_was_dropped(d, v->id) || !ddl_text_refs_column(v->view_json, col))
            continue;
        if (!cascade) {
            ddl_error(d, "2BP01", "cannot drop column %s of table %s because other objects depend on it",
                      col, t->name);
            rdb_err_detail(d->err, "view %s depends on column %s of table %s", v->name, col, t->name);
            rdb_err_hint(d->err, "Use DROP ... CASCADE to drop the dependent objects too.");
            return RDB_SQL;
        }
        ddl_cascade(d, "drop cascades to view %s", v->name);
        rdb_status_t rc = ddl_drop_rel(d, v, true);
        if (rc != RDB_OK)
            return rc;
    }
    return RDB_OK;
}

static rdb_status_t at_drop_column(ddl_t *d, sql_table_t *t, json_t *cmd)
{
    const char *cn = dj_str(cmd, "name");
    const sql_column_t *col = sql_table_column(t, cn);
    bool cascade = dj_str(cmd, "behavior") && strcmp(dj_str(cmd, "behavior"), "DROP_CASCADE") == 0;
    if (!col) {
        if (dj_bool(cmd, "missing_ok")) {
            ddl_notice(d, "42703", "column \"%s\" of relation \"%s\" does not exist, skipping", cn,
                       t->name);
            return RDB_OK;
        }
        return ddl_error(d, "42703", "column \"%s\" of relation \"%s\" does not exist", cn, t->name);
    }
    uint16_t colid = col->colid;
    uint32_t seq = col->identity_seq;
    rdb_status_t rc = column_dependents(d, t, cn, cascade);
    if (rc != RDB_OK)
        return rc;
    /* foreign keys: those referencing the column need CASCADE, this
     * table's own over the column go with it */
    const char *what = rdb_arena_sprintf(&d->a, "column %s of table %s", cn, t->name);
    if ((rc = ddl_fkey_dependents(d, t, t, 0, colid, cascade, what, what)) != RDB_OK)
        return rc;
    for (int i = t->nfkeys - 1; i >= 0; i--)
        if (colid_in(t->fkeys[i].colids, t->fkeys[i].ncols, colid))
            ddl_fkey_remove(t, i);
    for (int i = t->nindexes - 1; i >= 0; i--)
        if (colid_in(t->indexes[i].colids, t->indexes[i].ncols, colid)) {
            if ((rc = sql_index_delete_entries(d->ctx->txn, &t->indexes[i], d->err)) != RDB_OK)
                return rc;
            remove_index(t, i);
        }
    for (int i = t->nchecks - 1; i >= 0; i--)
        if (ddl_text_refs_column(t->checks[i].expr_json, cn)) {
            memmove(&t->checks[i], &t->checks[i + 1], sizeof *t->checks * (size_t)(t->nchecks - i - 1));
            t->nchecks--;
        }
    if (t->npk && colid_in(t->pk_colids, t->npk, colid) && (rc = drop_primary_key(d, t)) != RDB_OK)
        return rc;
    int at = (int)(sql_table_column(t, cn) - t->cols);
    memmove(&t->cols[at], &t->cols[at + 1], sizeof *t->cols * (size_t)(t->ncols - at - 1));
    t->ncols--;
    for (int i = 0; i < t->ncols; i++)
        t->cols[i].attnum = (int16_t)(i + 1);
    if (t->col_comments)
        t->col_comments[colid] = NULL;
    const sql_table_t *sq = seq ? sql_cat_by_id(d->ctx->snap, seq) : NULL;
    if (sq && sq->seq && sq->seq->owned_by_table == t->id) {
        ddl_mark_dropped(d, sq->id);
        sql_seq_state_delete(d->ctx->txn, sq->id);
        sql_catw_table_delete(d->ctx->txn, sq->id);
    }
    return RDB_OK;
}

static rdb_status_t at_add_constraint(ddl_t *d, sql_table_t *t, json_t *cmd)
{
    json_t *con = dj_node(json_object_get(cmd, "def"), "Constraint");
    const char *ct = dj_str(con, "contype");
    sql_index_t *ix;
    rdb_status_t rc;
    if (!ct)
        return ddl_unsupported(d, "this constraint");
    const char *cname = dj_str(con, "conname");
    if (cname) {
        for (int i = 0; i < t->nchecks; i++)
            if (strcmp(t->checks[i].name, cname) == 0)
                return ddl_error(d, "42710", "constraint \"%s\" for relation \"%s\" already exists",
                                 cname, t->name);
    }
    if (strcmp(ct, "CONSTR_PRIMARY") == 0) {
        if (t->pk_index)
            return ddl_error(d, "42P16", "multiple primary keys for table \"%s\" are not allowed",
                             t->name);
        sql_table_t *from = sql_table_clone(&d->a, t);
        if ((rc = ddl_table_constraint(d, t, con, NULL, &ix)) != RDB_OK)
            return rc;
        /* Re-key; its columns become NOT NULL: the rewrite reports 23502
         * for a NULL and 23505 for duplicates as PostgreSQL does. */
        return sql_table_rewrite(d->ctx->txn, from, t, d->err);
    }
    if (strcmp(ct, "CONSTR_UNIQUE") == 0) {
        if ((rc = ddl_table_constraint(d, t, con, NULL, &ix)) != RDB_OK)
            return rc;
        return sql_index_build(d->ctx->txn, t, ix, d->err);
    }
    if (strcmp(ct, "CONSTR_CHECK") == 0) {
        if ((rc = ddl_table_constraint(d, t, con, NULL, &ix)) != RDB_OK)
            return rc;
        if (dj_bool(con, "skip_validation"))
            return RDB_OK; /* NOT VALID */
        return validate_check(d, t, &t->checks[t->nchecks - 1]);
    }
    if (strcmp(ct, "CONSTR_FOREIGN") == 0) {
        sql_fkey_t *fk;
        if ((rc = ddl_add_fkey(d, t, con, NULL, &fk)) != RDB_OK)
            return rc;
        if (dj_bool(con, "skip_validation"))
            return RDB_OK; /* NOT VALID */
        return ddl_fkey_validate(d, t, fk);
    }
    return ddl_table_constraint(d, t, con, NULL, &ix);
}

static rdb_status_t at_drop_constraint(ddl_t *d, sql_table_t *t, json_t *cmd)
{
    const char *cn = dj_str(cmd, "name");
    bool cascade = dj_str(cmd, "behavior") && strcmp(dj_str(cmd, "behavior"), "DROP_CASCADE") == 0;
    const char *obj = rdb_arena_sprintf(&d->a, "constraint %s on table %s", cn, t->name);
    const char *dep = rdb_arena_sprintf(&d->a, "index %s", cn);
    if (t->pk_index && strcmp(t->pk_index->name, cn) == 0) {
        if (ddl_fkey_dependents(d, t, t, t->pk_index->id, -1, cascade, obj, dep) != RDB_OK)
            return RDB_SQL;
        return drop_primary_key(d, t);
    }
    for (int i = 0; i < t->nfkeys; i++)
        if (strcmp(t->fkeys[i].name, cn) == 0) {
            ddl_fkey_remove(t, i);
            return RDB_OK;
        }
    for (int i = 0; i < t->nindexes; i++)
        if (t->indexes[i].is_constraint && strcmp(t->indexes[i].name, cn) == 0) {
            if (ddl_fkey_dependents(d, t, t, t->indexes[i].id, -1, cascade, obj, dep) != RDB_OK)
                return RDB_SQL;
            rdb_status_t rc = sql_index_delete_entries(d->ctx->txn, &t->indexes[i], d->err);
            if (rc == RDB_OK)
                remove_index(t, i);
            return rc;
        }
    for (int i = 0; i < t->nchecks; i++)
        if (strcmp(t->checks[i].name, cn) == 0) {
            memmove(&t->checks[i], &t->checks[i + 1], sizeof *t->checks * (size_t)(t->nchecks - i - 1));
            t->nchecks--;
            return RDB_OK;
        }
    if (dj_bool(cmd, "missing_ok")) {
        ddl_notice(d, "42704", "constraint \"%s\" of relation \"%s\" does not exist, skipping", cn,
                   t->name);
        return RDB_OK;
    }
    return ddl_error(d, "42704", "constraint \"%s\" of relation \"%s\" does not exist", cn, t->name);
}

/* The column an ALTER TABLE command names; 42703 if it has none. */
static rdb_status_t cmd_column(ddl_t *d, sql_table_t *t, json_t *cmd, const char **cn,
                               sql_column_t **col)
{
    *cn = dj_str(cmd, "name");
    *col = *cn ? ddl_column_mut(t, *cn) : NULL;
    if (!*col)
        return ddl_error(d, "42703", "column \"%s\" of relation \"%s\" does not exist",
                         *cn ? *cn : "", t->name);
    return RDB_OK;
}

static rdb_status_t at_column(ddl_t *d, sql_table_t *t, json_t *cmd, const char *sub)
{
    const char *cn;
    sql_column_t *col;
    if (cmd_column(d, t, cmd, &cn, &col) != RDB_OK)
        return RDB_SQL;
    if (strcmp(sub, "AT_ColumnDefault") == 0) {
        json_t *def = json_object_get(cmd, "def");
        if (col->identity)
            return ddl_error(d, "42601", "column \"%s\" of relation \"%s\" is an identity column",
                             cn, t->name);
        col->default_json = def ? dj_dump(d, def) : NULL;
        return RDB_OK;
    }
    if (strcmp(sub, "AT_SetNotNull") == 0) {
        if (col->not_null)
            return RDB_OK;
        rdb_status_t rc = sql_table_check_not_null(d->ctx->txn, t, col->colid, d->err);
        if (rc == RDB_OK)
            col->not_null = true;
        return rc;
    }
    if (strcmp(sub, "AT_DropNotNull") == 0) {
        if (t->npk && colid_in(t->pk_colids, t->npk, col->colid))
            return ddl_error(d, "42P16", "column \"%s\" is in a primary key", cn);
        if (col->identity)
            return ddl_error(d, "42P16", "column \"%s\" of relation \"%s\" is an identity column",
                             cn, t->name);
        col->not_null = false;
        return RDB_OK;
    }
    return ddl_unsupported(d, sub);
}

typedef struct retype {
    ddl_t             *d;
    const sql_table_t *from;
    json_t            *expr;
    uint16_t           colid;
    sql_type_t         type;
} retype_t;

static rdb_status_t retype_row(void *arg, sql_value_t *row, rdb_arena_t *a, rdb_err_t *err)
{
    retype_t *r = arg;
    sql_ddl_ctx_t *ctx = r->d->ctx;
    if (!ctx->eval)
        return rdb_err_set(err, RDB_SQL, RDB_SQLSTATE_FEATURE_NOT_SUPPORTED,
                           "ALTER COLUMN TYPE on a table with rows needs the query engine");
    sql_value_t v;
    rdb_status_t rc = ctx->eval(ctx, r->from, r->expr, row, r->type, a, &v, err);
    if (rc == RDB_OK)
        row[r->colid] = v;
    return rc;
}

static rdb_status_t at_alter_type(ddl_t *d, sql_table_t *t, json_t *cmd)
{
    const char *cn;
    sql_column_t *col;
    if (cmd_column(d, t, cmd, &cn, &col) != RDB_OK)
        return RDB_SQL;
    json_t *cd = dj_node(json_object_get(cmd, "def"), "ColumnDef");
    sql_type_t nt;
    int serial;
    rdb_status_t rc = ddl_type(d, json_object_get(cd, "typeName"), &nt, &serial);
    if (rc != RDB_OK)
        return rc;
    if (serial)
        return ddl_error(d, "42704", "type \"%s\" does not exist",
                         dj_sval(json_array_get(json_object_get(json_object_get(cd, "typeName"), "names"), 0)));
    const sql_catsnap_t *s = d->ctx->snap;
    for (int i = 0; i < sql_cat_count(s); i++) {
        const sql_table_t *v = sql_cat_at(s, i);
        bool dep = false;
        for (int j = 0; j < v->ndeps; j++)
            dep |= v->deps[j] == t->id;
        if (dep && !ddl_was_dropped(d, v->id) && ddl_text_refs_column(v->view_json, cn)) {
            ddl_error(d, RDB_SQLSTATE_FEATURE_NOT_SUPPORTED,
                      "cannot alter type of a column used by a view or rule");
            rdb_err_detail(d->err, "rule _RETURN on view %s depends on column \"%s\"", v->name, cn);
            return RDB_SQL;
        }
    }
    if (col->type.oid == nt.oid && col->type.typmod == nt.typmod)
        return RDB_OK;
    json_t *using = json_object_get(cd, "raw_default"), *tmp = NULL;
    if (!using)
        using = tmp = json_pack("{s:{s:[{s:{s:s}}]}}", "ColumnRef", "fields", "String", "sval", cn);
    retype_t r = { d, sql_table_clone(&d->a, t), using, col->colid, nt };
    col->type = nt;
    rc = sql_table_rewrite_map(d->ctx->txn, r.from, t, retype_row, &r, d->err);
    json_decref(tmp);
    return rc;
}

static rdb_status_t at_identity(ddl_t *d, sql_table_t *t, json_t *cmd, const char *sub)
{
    const char *cn;
    sql_column_t *col;
    if (cmd_column(d, t, cmd, &cn, &col) != RDB_OK)
        return RDB_SQL;
    if (strcmp(sub, "AT_AddIdentity") == 0) {
        json_t *con = dj_node(json_object_get(cmd, "def"), "Constraint");
        if (col->identity)
            return ddl_error(d, "55000", "column \"%s\" of relation \"%s\" is already an identity column",
                             cn, t->name);
        if (col->default_json)
            return ddl_error(d, "55000", "column \"%s\" of relation \"%s\" already has a default value",
                             cn, t->name);
        if (!col->not_null)
            return ddl_error(d, "55000",
                             "column \"%s\" of relation \"%s\" must be declared NOT NULL before identity can be added",
                             cn, t->name);
        const char *when = dj_str(con, "generated_when");
        uint32_t sid;
        rdb_status_t rc = ddl_make_owned_seq(d, t, col, json_object_get(con, "options"), &sid);
        if (rc == RDB_OK)
            col->identity = when && *when == 'd' ? 'd' : 'a';
        return rc;
    }
    if (!col->identity) {
        if (strcmp(sub, "AT_DropIdentity") == 0 && dj_bool(cmd, "missing_ok")) {
            ddl_notice(d, "00000", "column \"%s\" of relation \"%s\" is not an identity column, skipping",
                       cn, t->name);
            return RDB_OK;
        }
        return ddl_error(d, "55000", "column \"%s\" of relation \"%s\" is not an identity column", cn,
                         t->name);
    }
    if (strcmp(sub, "AT_DropIdentity") == 0) {
        const sql_table_t *sq = col->identity_seq ? sql_cat_by_id(d->ctx->snap, col->identity_seq) : NULL;
        if (sq) {
            ddl_mark_dropped(d, sq->id);
            sql_seq_state_delete(d->ctx->txn, sq->id);
            sql_catw_table_delete(d->ctx->txn, sq->id);
        }
        col->identity = 0;
        col->identity_seq = 0;
        col->default_json = NULL;
        return RDB_OK;
    }
    /* AT_SetIdentity: SET GENERATED { ALWAYS | BY DEFAULT } */
    json_t *items = json_object_get(dj_node(json_object_get(cmd, "def"), "List"), "items"), *o;
    size_t i;
    json_array_foreach(items, i, o) {
        json_t *de = dj_node(o, "DefElem");
        int64_t v = 0;
        if (!dj_str(de, "defname") || strcmp(dj_str(de, "defname"), "generated") ||
            !dj_int(json_object_get(de, "arg"), &v))
            return ddl_unsupported(d, "ALTER COLUMN ... SET sequence options (use ALTER SEQUENCE)");
        col->identity = v == 'd' ? 'd' : 'a';
    }
    return RDB_OK;
}

rdb_status_t ddl_alter_table(ddl_t *d, json_t *n)
{
    strcpy(d->tag, "ALTER TABLE");
    json_t *rv = json_object_get(n, "relation");
    const char *objtype = dj_str(n, "objtype");
    if (objtype && strcmp(objtype, "OBJECT_TABLE") != 0) {
        if (strcmp(objtype, "OBJECT_INDEX") == 0)
            strcpy(d->tag, "ALTER INDEX");
        else if (strcmp(objtype, "OBJECT_VIEW") == 0)
            strcpy(d->tag, "ALTER VIEW");
        else if (strcmp(objtype, "OBJECT_SEQUENCE") == 0)
            strcpy(d->tag, "ALTER SEQUENCE");
        return ddl_unsupported(d, d->tag);
    }
    rdb_status_t frc;
    const sql_table_t *orig = ddl_alter_target(d, rv, dj_bool(n, "missing_ok"), &frc);
    if (!orig)
        return frc;
    if (orig->relkind != SQL_REL_TABLE)
        return ddl_error(d, "42809", "\"%s\" is not a table", orig->name);
    sql_table_t *t = sql_table_clone(&d->a, orig);
    json_t *c;
    size_t i;
    json_array_foreach(json_object_get(n, "cmds"), i, c) {
        json_t *cmd = dj_node(c, "AlterTableCmd");
        const char *sub = dj_str(cmd, "subtype");
        rdb_status_t rc;
        if (!sub)
            return ddl_unsupported(d, "this ALTER TABLE command");
        if (strcmp(sub, "AT_AddColumn") == 0)
            rc = at_add_column(d, t, cmd);
        else if (strcmp(sub, "AT_DropColumn") == 0)
            rc = at_drop_column(d, t, cmd);
        else if (strcmp(sub, "AT_AddConstraint") == 0)
            rc = at_add_constraint(d, t, cmd);
        else if (strcmp(sub, "AT_DropConstraint") == 0)
            rc = at_drop_constraint(d, t, cmd);
        else if (strcmp(sub, "AT_ColumnDefault") == 0 || strcmp(sub, "AT_SetNotNull") == 0 ||
                 strcmp(sub, "AT_DropNotNull") == 0)
            rc = at_column(d, t, cmd, sub);
        else if (strcmp(sub, "AT_SetRelOptions") == 0 || strcmp(sub, "AT_ResetRelOptions") == 0) {
            json_t *def = json_object_get(cmd, "def");
            json_t *items = json_object_get(dj_node(def, "List"), "items");
            rc = strcmp(sub, "AT_SetRelOptions") == 0 ? ddl_table_options(d, items ? items : def) : RDB_OK;
        }
        else if (strcmp(sub, "AT_AlterColumnType") == 0)
            rc = at_alter_type(d, t, cmd);
        else if (strcmp(sub, "AT_AddIdentity") == 0 || strcmp(sub, "AT_DropIdentity") == 0 ||
                 strcmp(sub, "AT_SetIdentity") == 0)
            rc = at_identity(d, t, cmd, sub);
        else if (strcmp(sub, "AT_ChangeOwner") == 0) {
            const char *role = dj_str(json_object_get(cmd, "newowner"), "rolename");
            if (!role || !sql_cat_role(d->ctx->snap, role))
                rc = ddl_error(d, "42704", "role \"%s\" does not exist", role ? role : "");
            else {
                t->owner = rdb_arena_strdup(&d->a, role);
                rc = RDB_OK;
            }
        }
        else {
            char what[96];
            snprintf(what, sizeof what, "ALTER TABLE %s", sub + 3);
            rc = ddl_unsupported(d, what);
        }
        if (rc != RDB_OK)
            return rc;
    }
    sql_catw_table(d->ctx->txn, t);
    return RDB_OK;
}

/* --- RENAME ---------------------------------------------------------------------- */

/* Rewrite ColumnRefs whose last field is `from` to `to`. */
static bool rename_colref(json_t *e, const char *from, const char *to)
{
    bool changed = false;
    if (json_is_object(e)) {
        json_t *cr = json_object_get(e, "ColumnRef");
        if (cr) {
            json_t *f = json_object_get(cr, "fields");
            json_t *last = dj_node(json_array_get(f, json_array_size(f) - 1), "String");
            if (last && dj_str(last, "sval") && strcmp(dj_str(last, "sval"), from) == 0) {
                json_object_set_new(last, "sval", json_string(to));
                changed = true;
            }
        }
        const char *k;
        json_t *v;
        json_object_foreach(e, k, v)
            changed |= rename_colref(v, from, to);
    } else if (json_is_array(e)) {
        size_t i;
        json_t *v;
        json_array_foreach(e, i, v)
            changed |= rename_colref(v, from, to);
    }
    return changed;
}

/* Rewrite RangeVars naming (schema, from) to `to` in a view's JSON. */
static bool rename_in_json(json_t *e, const char *schema, const char *from, const char *to)
{
    bool changed = false;
    if (json_is_object(e)) {
        json_t *rv = json_object_get(e, "RangeVar");
        if (rv && dj_str(rv, "relname") && strcmp(dj_str(rv, "relname"), from) == 0 &&
            (!dj_str(rv, "schemaname") || strcmp(dj_str(rv, "schemaname"), schema) == 0)) {
            json_object_set_new(rv, "relname", json_string(to));
            changed = true;
        }
        const char *k;
        json_t *v;
        json_object_foreach(e, k, v)
            changed |= rename_in_json(v, schema, from, to);
    } else if (json_is_array(e)) {
        size_t i;
        json_t *v;
        json_array_foreach(e, i, v)
            changed |= rename_in_json(v, schema, from, to);
    }
    return changed;
}

rdb_status_t ddl_rename(ddl_t *d, json_t *n)
{
    const char *rt = dj_str(n, "renameType");
    const char *newname = dj_str(n, "newname");
    json_t *rv = json_object_get(n, "relation");
    if (!rt)
        return ddl_unsupported(d, "this RENAME");
    bool rel_rename = strcmp(rt, "OBJECT_TABLE") == 0 || strcmp(rt, "OBJECT_VIEW") == 0 ||
                      strcmp(rt, "OBJECT_SEQUENCE") == 0;
    strcpy(d->tag, strcmp(rt, "OBJECT_VIEW") == 0 ? "ALTER VIEW"
                   : strcmp(rt, "OBJECT_SEQUENCE") == 0 ? "ALTER SEQUENCE"
                   : strcmp(rt, "OBJECT_INDEX") == 0 ? "ALTER INDEX" : "ALTER TABLE");
    if (strcmp(rt, "OBJECT_INDEX") == 0) {
        const sql_table_t *tab;
        const sql_index_t *ix = sql_cat_find_index(d->ctx->snap, dj_str(rv, "schemaname"),
                                                   dj_str(rv, "relname"), d->ctx->search_path,
                                                   d->ctx->npath, &tab);
        if (!ix)
            return ddl_error(d, "42P01", "relation \"%s\" does not exist", dj_str(rv, "relname"));
        if (ddl_name_taken(d, tab->schema_id, newname))
            return ddl_error(d, "42P07", "relation \"%s\" already exists", newname);
        sql_table_t *c = sql_table_clone(&d->a, tab);
        if (c->pk_index && c->pk_index->id == ix->id)
            c->pk_index->name = rdb_arena_strdup(&d->a, newname);
        for (int i = 0; i < c->nindexes; i++)
            if (c->indexes[i].id == ix->id)
                c->indexes[i].name = rdb_arena_strdup(&d->a, newname);
        sql_catw_table(d->ctx->txn, c);
        return RDB_OK;
    }
    if (strcmp(rt, "OBJECT_SCHEMA") == 0 || strcmp(rt, "OBJECT_ROLE") == 0) {
        char what[64];
        snprintf(what, sizeof what, "ALTER %s ... RENAME", rt + 7);
        return ddl_unsupported(d, what);
    }
    rdb_status_t frc;
    const sql_table_t *t = ddl_alter_target(d, rv, dj_bool(n, "missing_ok"), &frc);
    if (!t)
        return frc;
    sql_table_t *c = sql_table_clone(&d->a, t);
    if (rel_rename) {
        if (ddl_name_taken(d, t->schema_id, newname))
            return ddl_error(d, "42P07", "relation \"%s\" already exists", newname);
        c->name = rdb_arena_strdup(&d->a, newname);
        /* Views name their tables: follow the rename. */
        const sql_catsnap_t *s = d->ctx->snap;
        for (int i = 0; i < sql_cat_count(s); i++) {
            const sql_table_t *v = sql_cat_at(s, i);
            bool dep = false;
            for (int j = 0; j < v->ndeps; j++)
                dep |= v->deps[j] == t->id;
            json_t *vj = dep && v->view_json ? json_loads(v->view_json, 0, NULL) : NULL;
            if (vj && rename_in_json(vj, t->schema, t->name, newname)) {
                sql_table_t *vc = sql_table_clone(&d->a, v);
                vc->view_json = dj_dump(d, vj);
                sql_catw_table(d->ctx->txn, vc);
            }
            json_decref(vj);
        }
    } else if (strcmp(rt, "OBJECT_COLUMN") == 0) {
        const char *old = dj_str(n, "subname");
        sql_column_t *col = ddl_column_mut(c, old ? old : "");
        if (!col)
            return ddl_error(d, "42703", "column \"%s\" does not exist", old ? old : "");
        if (sql_table_column(c, newname))
            return ddl_error(d, "42701", "column \"%s\" of relation \"%s\" already exists", newname,
                             c->name);
        col->name = rdb_arena_strdup(&d->a, newname);
        /* CHECK expressions name their columns: follow the rename. */
        for (int i = 0; i < c->nchecks; i++) {
            json_t *e = json_loads(c->checks[i].expr_json, 0, NULL);
            if (e && rename_colref(e, old, newname))
                c->checks[i].expr_json = dj_dump(d, e);
            json_decref(e);
        }
    } else if (strcmp(rt, "OBJECT_TABCONSTRAINT") == 0) {
        const char *old = dj_str(n, "subname");
        bool found = false;
        if (c->pk_index && strcmp(c->pk_index->name, old) == 0) {
            c->pk_index->name = rdb_arena_strdup(&d->a, newname);
            found = true;
        }
        for (int i = 0; i < c->nindexes; i++)
            if (c->indexes[i].is_constraint && strcmp(c->indexes[i].name, old) == 0) {
                c->indexes[i].name = rdb_arena_strdup(&d->a, newname);
                found = true;
            }
        for (int i = 0; i < c->nchecks; i++)
            if (strcmp(c->checks[i].name, old) == 0) {
                c->checks[i].name = rdb_arena_strdup(&d->a, newname);
                found = true;
            }
        if (!found)
            return ddl_error(d, "42704", "constraint \"%s\" for table \"%s\" does not exist", old,
                             c->name);
    } else {
        char what[64];
        snprintf(what, sizeof what, "RENAME of %s", rt + 7);
        return ddl_unsupported(d, what);
    }
    sql_catw_table(d->ctx->txn, c);
    return RDB_OK;
}

