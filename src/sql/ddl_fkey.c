/*
 * ddl_fkey.c — FOREIGN KEY constraints in DDL: REFERENCES / FOREIGN KEY in
 * CREATE TABLE and ALTER TABLE ADD CONSTRAINT, and what dropping or
 * truncating a referenced table, constraint or column does to them.
 *
 * The constraint is a sql_fkey_t in the referencing table's record
 * (catalog.h), so it is written, versioned and replicated with the table.
 * It names the referenced table and the PRIMARY KEY or UNIQUE index the
 * check probes; that index cannot be dropped while the constraint stands
 * (2BP01), nor the table (2BP01 unless CASCADE, which drops the
 * constraint).  Errors follow PostgreSQL's transformFkeyGetPrimaryKey /
 * transformFkeyCheckAttrs / ATAddForeignKeyConstraint.
 */
#include <string.h>

#include "common/buf.h"
#include "sql/ddl_int.h"
#include "sql/fkey.h"

static bool name_used(const sql_table_t *t, const char *name)
{
    if (t->pk_index && strcmp(t->pk_index->name, name) == 0)
        return true;
    for (int i = 0; i < t->nindexes; i++)
        if (t->indexes[i].is_constraint && strcmp(t->indexes[i].name, name) == 0)
            return true;
    for (int i = 0; i < t->nchecks; i++)
        if (strcmp(t->checks[i].name, name) == 0)
            return true;
    for (int i = 0; i < t->nfkeys; i++)
        if (strcmp(t->fkeys[i].name, name) == 0)
            return true;
    return false;
}

/* Column names of a String list, or the one column of a column constraint. */
static int name_list(ddl_t *d, json_t *list, const char *colname, const char ***out)
{
    int n = colname ? 1 : (int)json_array_size(list);
    const char **names = RDB_ARENA_NEWN(&d->a, const char *, n + 1);
    if (colname)
        names[0] = colname;
    for (int i = 0; !colname && i < n; i++) {
        const char *s = dj_sval(json_array_get(list, (size_t)i));
        names[i] = s ? s : "";
    }
    *out = names;
    return n;
}

static bool same_set(const uint16_t *x, int nx, const uint16_t *y, int ny)
{
    if (nx != ny)
        return false;
    for (int i = 0; i < nx; i++) {
        bool in = false;
        for (int k = 0; k < ny; k++)
            in |= x[i] == y[k];
        if (!in)
            return false;
    }
    /* no column twice */
    for (int i = 0; i < nx; i++)
        for (int k = i + 1; k < nx; k++)
            if (x[i] == x[k])
                return false;
    return true;
}

static char *type_name(ddl_t *d, sql_type_t t)
{
    rdb_buf_t b = RDB_BUF_INIT;
    sql_type_format(t, &b);
    char *s = rdb_arena_strdup(&d->a, rdb_buf_cstr(&b));
    rdb_buf_free(&b);
    return s;
}

rdb_status_t ddl_add_fkey(ddl_t *d, sql_table_t *tab, json_t *con, const char *colname,
                          sql_fkey_t **out)
{
    json_t *pkt = json_object_get(con, "pktable");
    const char *pkname = dj_str(pkt, "relname");
    const sql_table_t *parent;
    /* a reference to the table being created or altered is to its new state */
    const sql_schema_t *psc = dj_str(pkt, "schemaname")
                            ? sql_cat_schema(d->ctx->snap, dj_str(pkt, "schemaname")) : NULL;
    if (pkname && strcmp(pkname, tab->name) == 0 &&
        (!dj_str(pkt, "schemaname") || (psc && psc->id == tab->schema_id)) &&
        (!ddl_find_rangevar(d, pkt) || ddl_find_rangevar(d, pkt)->id == tab->id))
        parent = tab;
    else
        parent = ddl_find_rangevar(d, pkt);
    if (!parent)
        return ddl_error(d, "42P01", "relation \"%s\" does not exist", pkname ? pkname : "");
    if (parent->relkind != SQL_REL_TABLE)
        return ddl_error(d, "42809", "referenced relation \"%s\" is not a table", parent->name);
    const char *mt = dj_str(con, "fk_matchtype");
    if (mt && *mt == 'p')
        return ddl_error(d, RDB_SQLSTATE_FEATURE_NOT_SUPPORTED, "MATCH PARTIAL not yet implemented");
    if (json_array_size(json_object_get(con, "fk_del_set_cols")))
        return ddl_unsupported(d, "ON DELETE SET NULL / SET DEFAULT with a column list");

    const char **fkn, **pkn;
    int nfk = name_list(d, json_object_get(con, "fk_attrs"), colname, &fkn);
    int npk = name_list(d, json_object_get(con, "pk_attrs"), NULL, &pkn);
    sql_fkey_t f = { 0 };
    f.colids = RDB_ARENA_NEWN(&d->a, uint16_t, nfk + 1);
    for (int i = 0; i < nfk; i++) {
        const sql_column_t *c = sql_table_column(tab, fkn[i]);
        if (!c)
            return ddl_error(d, "42703", "column \"%s\" referenced in foreign key constraint does not exist",
                             fkn[i]);
        f.colids[i] = c->colid;
    }
    const sql_index_t *ix = NULL;
    if (npk == 0) {
        if (!parent->pk_index)
            return ddl_error(d, "42704", "there is no primary key for referenced table \"%s\"",
                             parent->name);
        ix = parent->pk_index;
        npk = parent->npk;
        f.ref_colids = RDB_ARENA_NEWN(&d->a, uint16_t, npk + 1);
        memcpy(f.ref_colids, parent->pk_colids, sizeof(uint16_t) * (size_t)npk);
    } else {
        f.ref_colids = RDB_ARENA_NEWN(&d->a, uint16_t, npk + 1);
        for (int i = 0; i < npk; i++) {
            const sql_column_t *c = sql_table_column(parent, pkn[i]);
            if (!c)
                return ddl_error(d, "42703", "column \"%s\" referenced in foreign key constraint does not exist",
                                 pkn[i]);
            f.ref_colids[i] = c->colid;
        }
        if (parent->pk_index && same_set(f.ref_colids, npk, parent->pk_colids, parent->npk))
            ix = parent->pk_index;
        bool deferrable = false;
        for (int i = 0; !ix && i < parent->nindexes; i++)
            if (parent->indexes[i].unique &&
                same_set(f.ref_colids, npk, parent->indexes[i].colids, parent->indexes[i].ncols)) {
                if (parent->indexes[i].deferrable)
                    deferrable = true;  /* PostgreSQL never takes one */
                else
                    ix = &parent->indexes[i];
            }
        if (!ix && deferrable)
            return ddl_error(d, "55000", "cannot use a deferrable unique constraint for referenced table \"%s\"",
                             parent->name);
        if (!ix)
            return ddl_error(d, "42830",
                             "there is no unique constraint matching given keys for referenced table \"%s\"",
                             parent->name);
    }
    if (nfk != npk)
        return ddl_error(d, "42830", "number of referencing and referenced columns for foreign key disagree");
    f.ncols = nfk;
    f.ref_table = parent->id;
    f.ref_index = ix->id;
    f.match = mt && *mt == 'f' ? 'f' : 's';
    const char *ua = dj_str(con, "fk_upd_action"), *da = dj_str(con, "fk_del_action");
    f.on_update = ua && *ua ? *ua : SQL_FK_NO_ACTION;
    f.on_delete = da && *da ? *da : SQL_FK_NO_ACTION;

    const char *name = dj_str(con, "conname");
    if (name && name_used(tab, name))
        return ddl_error(d, "42710", "constraint \"%s\" for relation \"%s\" already exists", name,
                         tab->name);
    if (!name) {
        rdb_buf_t cols = RDB_BUF_INIT;
        for (int i = 0; i < nfk; i++)
            rdb_buf_printf(&cols, "%s%s", i ? "_" : "", fkn[i]);
        char *base = rdb_arena_sprintf(&d->a, "%s_%s", tab->name, rdb_buf_cstr(&cols));
        rdb_buf_free(&cols);
        if (strlen(base) > 63 - 5 - 3)
            base[63 - 5 - 3] = '\0';
        name = rdb_arena_sprintf(&d->a, "%s_fkey", base);
        for (int i = 1; name_used(tab, name); i++)
            name = rdb_arena_sprintf(&d->a, "%s_fkey%d", base, i);
    }
    f.name = rdb_arena_strdup(&d->a, name);
    f.initdeferred = dj_bool(con, "initdeferred");
    f.deferrable = dj_bool(con, "deferrable") || f.initdeferred;
    for (int i = 0; i < nfk; i++) {
        const sql_column_t *fc = sql_table_column_by_id(tab, f.colids[i]);
        const sql_column_t *pc = sql_table_column_by_id(parent, f.ref_colids[i]);
        if (!sql_fk_types_ok(fc->type, pc->type)) {
            ddl_error(d, "42804", "foreign key constraint \"%s\" cannot be implemented", f.name);
            rdb_err_detail(d->err, "Key columns \"%s\" and \"%s\" are of incompatible types: %s and %s.",
                           fc->name, pc->name, type_name(d, fc->type), type_name(d, pc->type));
            return RDB_SQL;
        }
    }
    sql_fkey_t *arr = RDB_ARENA_NEWN(&d->a, sql_fkey_t, tab->nfkeys + 2);
    if (tab->nfkeys)
        memcpy(arr, tab->fkeys, sizeof *arr * (size_t)tab->nfkeys);
    arr[tab->nfkeys] = f;
    tab->fkeys = arr;
    *out = &arr[tab->nfkeys++];
    return RDB_OK;
}

rdb_status_t ddl_fkey_validate(ddl_t *d, const sql_table_t *tab, const sql_fkey_t *fk)
{
    const sql_table_t *parent = fk->ref_table == tab->id ? tab : sql_cat_by_id(d->ctx->snap, fk->ref_table);
    if (!parent)
        return RDB_OK;
    return sql_fk_validate(d->ctx->txn, tab, fk, parent, d->err);
}

void ddl_fkey_remove(sql_table_t *t, int i)
{
    memmove(&t->fkeys[i], &t->fkeys[i + 1], sizeof *t->fkeys * (size_t)(t->nfkeys - i - 1));
    t->nfkeys--;
}

static bool is_target(ddl_t *d, uint32_t id)
{
    for (int i = 0; i < d->ntargets; i++)
        if (d->targets[i] == id)
            return true;
    return false;
}

/* Does fk (of a table other than self) go with what is being dropped? */
static bool fk_hit(ddl_t *d, const sql_fkey_t *fk, uint32_t parent_id, uint32_t ix_id,
                   uint16_t colid, bool by_col)
{
    if (ddl_was_dropped(d, fk->ref_table))
        return true;
    if (fk->ref_table != parent_id)
        return false;
    if (by_col) {
        for (int k = 0; k < fk->ncols; k++)
            if (fk->ref_colids[k] == colid)
                return true;
        return false;
    }
    return !ix_id || fk->ref_index == ix_id;
}

rdb_status_t ddl_fkey_dependents(ddl_t *d, const sql_table_t *parent, sql_table_t *self,
                                 uint32_t ix_id, int colid, bool cascade, const char *obj,
                                 const char *dep)
{
    bool by_col = colid >= 0;
    /* the referencing tables other than parent itself, each rewritten once */
    for (int i = 0; i < parent->nrefby; i++) {
        uint32_t cid = parent->refby[i].table_id;
        bool seen = false;
        for (int j = 0; j < i; j++)
            seen |= parent->refby[j].table_id == cid;
        const sql_table_t *child = sql_cat_by_id(d->ctx->snap, cid);
        if (seen || !child || cid == parent->id || ddl_was_dropped(d, cid) || is_target(d, cid))
            continue;
        const sql_fkey_t *fk = &child->fkeys[parent->refby[i].fk];
        if (!fk_hit(d, fk, parent->id, ix_id, (uint16_t)colid, by_col))
            continue;
        if (!cascade) {
            ddl_error(d, "2BP01", "cannot drop %s because other objects depend on it", obj);
            rdb_err_detail(d->err, "constraint %s on table %s depends on %s", fk->name, child->name, dep);
            rdb_err_hint(d->err, "Use DROP ... CASCADE to drop the dependent objects too.");
            return RDB_SQL;
        }
        sql_table_t *c = sql_table_clone(&d->a, child);
        for (int k = c->nfkeys - 1; k >= 0; k--)
            if (fk_hit(d, &c->fkeys[k], parent->id, ix_id, (uint16_t)colid, by_col)) {
                if (c->fkeys[k].ref_table == parent->id)
                    ddl_cascade(d, "drop cascades to constraint %s on table %s", c->fkeys[k].name,
                                c->name);
                ddl_fkey_remove(c, k);
            }
        sql_catw_table(d->ctx->txn, c);
    }
    /* self-references */
    for (int k = self ? self->nfkeys - 1 : -1; k >= 0; k--) {
        const sql_fkey_t *fk = &self->fkeys[k];
        if (fk->ref_table != self->id || !fk_hit(d, fk, parent->id, ix_id, (uint16_t)colid, by_col))
            continue;
        if (!cascade) {
            ddl_error(d, "2BP01", "cannot drop %s because other objects depend on it", obj);
            rdb_err_detail(d->err, "constraint %s on table %s depends on %s", fk->name, self->name, dep);
            rdb_err_hint(d->err, "Use DROP ... CASCADE to drop the dependent objects too.");
            return RDB_SQL;
        }
        ddl_cascade(d, "drop cascades to constraint %s on table %s", fk->name, self->name);
        ddl_fkey_remove(self, k);
    }
    return RDB_OK;
}

rdb_status_t ddl_fkey_truncate_set(ddl_t *d, const sql_table_t ***set, int *n, bool cascade)
{
    for (int i = 0; i < *n; i++) {
        const sql_table_t *p = (*set)[i];
        for (int r = 0; r < p->nrefby; r++) {
            const sql_table_t *c = sql_cat_by_id(d->ctx->snap, p->refby[r].table_id);
            bool in = false;
            for (int j = 0; c && j < *n; j++)
                in |= (*set)[j]->id == c->id;
            if (!c || in)
                continue;
            if (!cascade) {
                ddl_error(d, RDB_SQLSTATE_FEATURE_NOT_SUPPORTED,
                          "cannot truncate a table referenced in a foreign key constraint");
                rdb_err_detail(d->err, "Table \"%s\" references \"%s\".", c->name, p->name);
                rdb_err_hint(d->err, "Truncate table \"%s\" at the same time, or use TRUNCATE ... CASCADE.",
                             c->name);
                return RDB_SQL;
            }
            ddl_notice(d, "00000", "truncate cascades to table \"%s\"", c->name);
            const sql_table_t **grown = RDB_ARENA_NEWN(&d->a, const sql_table_t *, *n + 1);
            memcpy(grown, *set, sizeof *grown * (size_t)*n);
            grown[(*n)++] = c;
            *set = grown;
        }
    }
    return RDB_OK;
}
