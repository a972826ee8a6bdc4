/*
 * ddl_table.c — CREATE TABLE [AS], CREATE INDEX, and the column /
 * constraint / type / sequence machinery they share with ALTER TABLE
 * (ddl_alter.c).
 *
 * Column ids.  A table created without a primary key keeps colid 0 for the
 * hidden row id and numbers its columns from 1; with one, from 0.  A colid
 * is never reused: ADD COLUMN takes nrowcols, DROP COLUMN leaves its slot
 * (a nil in every stored row).  ADD PRIMARY KEY on a table with a hidden
 * row id re-keys every row (sql_table_rewrite) and leaves the row id's slot
 * dead; dropping the primary key (constraint or column) does the reverse
 * with a new slot for the row id.
 *
 * Names follow PostgreSQL: t_pkey, t_a_b_key, t_a_check / t_check,
 * t_a_idx, t_a_seq, with a number appended until the name is free in the
 * schema (relations and indexes share one namespace, as in pg_class).
 *
 * SERIAL and identity columns get a sequence owned by the column and the
 * default nextval('schema.seq') as a FuncCall parse node (identity columns
 * too, so that the query side fills both the same way; `identity` tells it
 * to refuse explicit values for GENERATED ALWAYS).
 *
 * Work on rows (CREATE INDEX here; ADD COLUMN ... DEFAULT, ADD CHECK, SET
 * NOT NULL, ADD PRIMARY KEY / UNIQUE in ddl_alter.c) reads all rows through
 * the statement's transaction; expressions are evaluated through ctx->eval.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/mem.h"
#include "sql/ddl_int.h"

/* --- types ----------------------------------------------------------------- */

static rdb_status_t type_of(ddl_t *d, json_t *tn, sql_type_t *out, int *serial);

rdb_status_t ddl_type(ddl_t *d, json_t *tn, sql_type_t *out, int *serial)
{
    rdb_status_t rc = type_of(d, tn, out, serial);
    return rc == RDB_OK ? rc : ddl_at(d, tn, false);
}

static rdb_status_t type_of(ddl_t *d, json_t *tn, sql_type_t *out, int *serial)
{
    json_t *names = json_object_get(tn, "names");
    size_t nn = json_array_size(names);
    const char *name = nn ? dj_sval(json_array_get(names, nn - 1)) : NULL;
    const char *schema = nn > 1 ? dj_sval(json_array_get(names, nn - 2)) : NULL;
    bool array = json_array_size(json_object_get(tn, "arrayBounds")) > 0;
    *serial = 0;
    if (!name)
        return ddl_error(d, "42601", "improper type name");
    if (json_object_get(tn, "pct_type") && json_is_true(json_object_get(tn, "pct_type")))
        return ddl_unsupported(d, "%TYPE");
    if (nn == 1 && !array) {
        static const struct { const char *n; int w; } serials[] = {
            { "serial", 4 }, { "serial4", 4 }, { "bigserial", 8 }, { "serial8", 8 },
            { "smallserial", 2 }, { "serial2", 2 },
        };
        for (size_t i = 0; i < sizeof serials / sizeof serials[0]; i++)
            if (strcmp(name, serials[i].n) == 0) {
                *serial = serials[i].w;
                out->oid = serials[i].w == 8 ? SQL_OID_INT8 : serials[i].w == 2 ? SQL_OID_INT2 : SQL_OID_INT4;
                out->typmod = -1;
                return RDB_OK;
            }
    }
    if (schema && strcmp(schema, "pg_catalog") != 0)
        return ddl_error(d, "42704", "type \"%s.%s\" does not exist", schema, name);
    const sql_typeinfo_t *ti = sql_type_by_name(name);
    if (!ti)
        return ddl_error(d, "42704", "type \"%s\" does not exist", name);
    json_t *mods = json_object_get(tn, "typmods");
    int32_t m[4];
    int nm = 0;
    json_t *mo;
    size_t i;
    json_array_foreach(mods, i, mo) {
        int64_t v;
        if (nm == 4 || !dj_int(mo, &v))
            return ddl_error(d, "42601", "type modifiers must be simple constants or identifiers");
        m[nm++] = (int32_t)v;
    }
    out->oid = ti->oid;
    out->typmod = -1;
    if (nm && ti->oid != SQL_OID_INTERVAL) {
        rdb_status_t rc = sql_type_make_typmod(ti->oid, nm, m, &out->typmod, d->err);
        if (rc != RDB_OK)
            return rc;
    }
    if (array) {
        if (!ti->array_oid)
            return ddl_error(d, "42704", "type \"%s[]\" does not exist", name);
        out->oid = ti->array_oid;
    }
    return RDB_OK;
}

static bool plain_ident(const char *s)
{
    if (!*s || isdigit((unsigned char)*s))
        return false;
    for (; *s; s++)
        if (!(islower((unsigned char)*s) || isdigit((unsigned char)*s) || *s == '_'))
            return false;
    return true;
}

static void quote_ident(rdb_buf_t *b, const char *s)
{
    if (plain_ident(s)) {
        rdb_buf_append_str(b, s);
        return;
    }
    rdb_buf_append_u8(b, '"');
    for (; *s; s++) {
        if (*s == '"')
            rdb_buf_append_u8(b, '"');
        rdb_buf_append_u8(b, (uint8_t)*s);
    }
    rdb_buf_append_u8(b, '"');
}

char *ddl_nextval_json(ddl_t *d, const char *schema, const char *seq)
{
    rdb_buf_t q = RDB_BUF_INIT;
    quote_ident(&q, schema);
    rdb_buf_append_u8(&q, '.');
    quote_ident(&q, seq);
    json_t *call = json_pack("{s:{s:[{s:{s:s}}], s:[{s:{s:{s:s#}}}], s:s}}", "FuncCall", "funcname",
                             "String", "sval", "nextval", "args", "A_Const", "sval", "sval",
                             q.data, (int)q.len, "funcformat", "COERCE_EXPLICIT_CALL");
    char *r = dj_dump(d, call);
    json_decref(call);
    rdb_buf_free(&q);
    return r;
}

/* --- sequences behind columns ------------------------------------------------ */

static void seq_type_bounds(uint32_t oid, int64_t *min, int64_t *max)
{
    *min = oid == SQL_OID_INT2 ? INT16_MIN : oid == SQL_OID_INT4 ? INT32_MIN : INT64_MIN;
    *max = oid == SQL_OID_INT2 ? INT16_MAX : oid == SQL_OID_INT4 ? INT32_MAX : INT64_MAX;
}

rdb_status_t ddl_seq_options(ddl_t *d, sql_sequence_t *s, json_t *options, bool creating,
                             bool *restart, int64_t *restart_with, json_t **owned_by)
{
    bool has_inc = false, has_min = false, has_max = false, has_start = false, has_type = false;
    bool no_min = false, no_max = false;
    int64_t inc = s->increment, mn = s->minvalue, mx = s->maxvalue, start = s->start;
    *restart = false;
    json_t *o;
    size_t i;
    json_array_foreach(options, i, o) {
        json_t *de = dj_node(o, "DefElem");
        const char *name = dj_str(de, "defname");
        json_t *arg = json_object_get(de, "arg");
        int64_t v = 0;
        bool hasv = arg && dj_int(arg, &v);
        if (!name)
            continue;
        if (strcmp(name, "as") == 0) {
            sql_type_t t;
            int serial;
            rdb_status_t rc = ddl_type(d, dj_node(arg, "TypeName") ? dj_node(arg, "TypeName") : arg,
                                       &t, &serial);
            if (rc != RDB_OK)
                return rc;
            if (t.oid != SQL_OID_INT2 && t.oid != SQL_OID_INT4 && t.oid != SQL_OID_INT8)
                return ddl_error(d, "22023", "sequence type must be smallint, integer, or bigint");
            s->type = t;
            has_type = true;
        } else if (strcmp(name, "increment") == 0 && hasv) {
            inc = v;
            has_inc = true;
        } else if (strcmp(name, "minvalue") == 0) {
            if (hasv) {
                mn = v;
                has_min = true;
            } else {
                no_min = true;
            }
        } else if (strcmp(name, "maxvalue") == 0) {
            if (hasv) {
                mx = v;
                has_max = true;
            } else {
                no_max = true;
            }
        } else if (strcmp(name, "start") == 0 && hasv) {
            start = v;
            has_start = true;
        } else if (strcmp(name, "cache") == 0 && hasv) {
            if (v <= 0)
                return ddl_error(d, "22023", "CACHE (%lld) must be greater than zero", (long long)v);
            s->cache = v;
        } else if (strcmp(name, "cycle") == 0) {
            s->cycle = json_is_true(json_object_get(dj_node(arg, "Boolean"), "boolval"));
        } else if (strcmp(name, "owned_by") == 0) {
            *owned_by = arg;
        } else if (strcmp(name, "sequence_name") == 0) {
            /* identity columns: the name is taken by ddl_make_owned_seq */
        } else if (strcmp(name, "restart") == 0) {
            *restart = true;
            *restart_with = hasv ? v : INT64_MIN;
        } else {
            char what[80];
            snprintf(what, sizeof what, "sequence option \"%s\"", name);
            return ddl_unsupported(d, what);
        }
    }
    if (inc == 0)
        return ddl_error(d, "22023", "INCREMENT must not be zero");
    int64_t tmin, tmax;
    seq_type_bounds(s->type.oid, &tmin, &tmax);
    bool redo = creating || has_type || has_inc;
    if (!has_min && (no_min || creating || (has_type && mn < tmin)))
        mn = inc > 0 ? 1 : tmin;
    if (!has_max && (no_max || creating || (has_type && mx > tmax)))
        mx = inc > 0 ? tmax : -1;
    (void)redo;
    if (mn < tmin || mn > tmax)
        return ddl_error(d, "22023", "MINVALUE (%lld) is out of range for sequence data type %s",
                         (long long)mn, s->type.oid == SQL_OID_INT2 ? "smallint"
                         : s->type.oid == SQL_OID_INT4 ? "integer" : "bigint");
    if (mx < tmin || mx > tmax)
        return ddl_error(d, "22023", "MAXVALUE (%lld) is out of range for sequence data type %s",
                         (long long)mx, s->type.oid == SQL_OID_INT2 ? "smallint"
                         : s->type.oid == SQL_OID_INT4 ? "integer" : "bigint");
    if (mn >= mx)
        return ddl_error(d, "22023", "MINVALUE (%lld) must be less than MAXVALUE (%lld)",
                         (long long)mn, (long long)mx);
    if (!has_start && creating)
        start = inc > 0 ? mn : mx;
    if (start < mn)
        return ddl_error(d, "22023", "START value (%lld) cannot be less than MINVALUE (%lld)",
                         (long long)start, (long long)mn);
    if (start > mx)
        return ddl_error(d, "22023", "START value (%lld) cannot be greater than MAXVALUE (%lld)",
                         (long long)start, (long long)mx);
    if (*restart && *restart_with != INT64_MIN) {
        if (*restart_with < mn)
            return ddl_error(d, "22023", "RESTART value (%lld) cannot be less than MINVALUE (%lld)",
                             (long long)*restart_with, (long long)mn);
        if (*restart_with > mx)
            return ddl_error(d, "22023",
                             "RESTART value (%lld) cannot be greater than MAXVALUE (%lld)",
                             (long long)*restart_with, (long long)mx);
    }
    s->increment = inc;
    s->minvalue = mn;
    s->maxvalue = mx;
    s->start = start;
    return RDB_OK;
}

rdb_status_t ddl_make_owned_seq(ddl_t *d, sql_table_t *tab, sql_column_t *col, json_t *seqopts,
                                uint32_t *seq_id)
{
    if (col->type.oid != SQL_OID_INT2 && col->type.oid != SQL_OID_INT4 &&
        col->type.oid != SQL_OID_INT8)
        return ddl_error(d, "22023", "identity column type must be smallint, integer, or bigint");
    const char *name = NULL;
    json_t *o;
    size_t i;
    json_array_foreach(seqopts, i, o) {
        json_t *de = dj_node(o, "DefElem");
        json_t *items = json_object_get(dj_node(json_object_get(de, "arg"), "List"), "items");
        if (dj_str(de, "defname") && strcmp(dj_str(de, "defname"), "sequence_name") == 0)
            name = dj_sval(json_array_get(items, json_array_size(items) - 1));
    }
    if (name && ddl_name_taken(d, tab->schema_id, name))
        return ddl_error(d, "42P07", "relation \"%s\" already exists", name);
    sql_table_t *s = ddl_new_rel(d, tab->schema_id, tab->schema,
                                 name ? name : ddl_choose_name(d, tab->schema_id, tab->name, col->name, "seq"),
                                 SQL_REL_SEQUENCE);
    s->seq = RDB_ARENA_NEW(&d->a, sql_sequence_t);
    s->seq->type = col->type;
    s->seq->increment = 1;
    s->seq->cache = 1;
    bool restart;
    int64_t rw;
    json_t *owned = NULL;
    rdb_status_t rc = ddl_seq_options(d, s->seq, seqopts, true, &restart, &rw, &owned);
    if (rc != RDB_OK)
        return rc;
    s->seq->owned_by_table = tab->id;
    s->seq->owned_by_colid = col->colid;
    ddl_name_add(d, tab->schema_id, s->name);
    sql_catw_table(d->ctx->txn, s);
    col->identity_seq = s->id;
    col->default_json = ddl_nextval_json(d, tab->schema, s->name);
    col->not_null = true;
    *seq_id = s->id;
    return RDB_OK;
}

/* --- indexes ----------------------------------------------------------------- */

static const char *key_name(json_t *k, bool *desc, bool *expr)
{
    *desc = false;
    *expr = false;
    const char *s = dj_sval(k);
    if (s)
        return s;
    json_t *ie = dj_node(k, "IndexElem");
    if (!ie)
        return NULL;
    const char *ord = dj_str(ie, "ordering");
    *desc = ord && strcmp(ord, "SORTBY_DESC") == 0;
    if (json_object_get(ie, "expr")) {
        *expr = true;
        return NULL;
    }
    return dj_str(ie, "name");
}

rdb_status_t ddl_add_index(ddl_t *d, sql_table_t *tab, const char *name, json_t *keys,
                           bool unique, bool primary, bool constraint, sql_index_t **out)
{
    int nk = (int)json_array_size(keys);
    sql_index_t ix = { 0 };
    ix.colids = RDB_ARENA_NEWN(&d->a, uint16_t, nk + 1);
    ix.desc = RDB_ARENA_NEWN(&d->a, bool, nk + 1);
    rdb_buf_t cols = RDB_BUF_INIT;
    const char *ckind = primary ? "primary key" : "unique";
    for (int i = 0; i < nk; i++) {
        bool desc, expr;
        const char *cn = key_name(json_array_get(keys, (size_t)i), &desc, &expr);
        if (expr) {
            rdb_buf_free(&cols);
            return ddl_unsupported(d, "an index on an expression");
        }
        const sql_column_t *c = cn ? sql_table_column(tab, cn) : NULL;
        if (!c) {
            rdb_buf_free(&cols);
            if (constraint)
                return ddl_error(d, "42703", "column \"%s\" named in key does not exist", cn ? cn : "");
            return ddl_error(d, "42703", "column \"%s\" does not exist", cn ? cn : "");
        }
        for (int j = 0; j < i; j++)
            if (ix.colids[j] == c->colid) {
                rdb_buf_free(&cols);
                if (constraint)
                    return ddl_error(d, "42701", "column \"%s\" appears twice in %s constraint",
                                     cn, ckind);
                break;
            }
        ix.colids[i] = c->colid;
        ix.desc[i] = desc;
        rdb_buf_printf(&cols, "%s%s", i ? "_" : "", cn);
    }
    ix.ncols = nk;
    if (!name)
        name = primary ? ddl_choose_name(d, tab->schema_id, tab->name, NULL, "pkey")
             : ddl_choose_name(d, tab->schema_id, tab->name, rdb_buf_cstr(&cols),
                               constraint ? "key" : "idx");
    rdb_buf_free(&cols);
    if (ddl_name_taken(d, tab->schema_id, name))
        return ddl_error(d, "42P07", "relation \"%s\" already exists", name);
    ix.name = rdb_arena_strdup(&d->a, name);
    ix.id = sql_catalog_alloc_id(d->ctx->catalog, d->ctx->txn);
    ix.table_id = tab->id;
    ix.unique = unique || primary;
    ix.primary = primary;
    ix.is_constraint = constraint;
    ddl_name_add(d, tab->schema_id, ix.name);
    if (primary) {
        if (tab->pk_index)
            return ddl_error(d, "42P16", "multiple primary keys for table \"%s\" are not allowed",
                             tab->name);
        tab->pk_index = rdb_arena_memdup(&d->a, &ix, sizeof ix);
        tab->pk_index_id = ix.id;
        tab->npk = nk;
        tab->pk_colids = ix.colids;
        tab->has_rowid = false;
        for (int i = 0; i < tab->ncols; i++)
            for (int j = 0; j < nk; j++)
                if (tab->cols[i].colid == ix.colids[j])
                    tab->cols[i].not_null = true;
        *out = tab->pk_index;
        return RDB_OK;
    }
    sql_index_t *arr = RDB_ARENA_NEWN(&d->a, sql_index_t, tab->nindexes + 2);
    if (tab->nindexes)
        memcpy(arr, tab->indexes, sizeof *arr * (size_t)tab->nindexes);
    arr[tab->nindexes] = ix;
    tab->indexes = arr;
    *out = &arr[tab->nindexes++];
    return RDB_OK;
}

/* --- expression helpers ------------------------------------------------------- */

/* First column a CHECK expression refers to (for its default name). */
static const char *first_colref(json_t *e)
{
    if (json_is_object(e)) {
        json_t *cr = json_object_get(e, "ColumnRef");
        if (cr) {
            json_t *f = json_object_get(cr, "fields");
            return dj_sval(json_array_get(f, json_array_size(f) - 1));
        }
        const char *k;
        json_t *v;
        json_object_foreach(e, k, v) {
            const char *r = first_colref(v);
            if (r)
                return r;
        }
    } else if (json_is_array(e)) {
        size_t i;
        json_t *v;
        json_array_foreach(e, i, v) {
            const char *r = first_colref(v);
            if (r)
                return r;
        }
    }
    return NULL;
}

/* Does the expression (JSON text) refer to column `name`? */
static bool refs_column(json_t *e, const char *name)
{
    if (json_is_object(e)) {
        json_t *cr = json_object_get(e, "ColumnRef");
        if (cr) {
            json_t *f = json_object_get(cr, "fields");
            const char *c = dj_sval(json_array_get(f, json_array_size(f) - 1));
            if (c && strcmp(c, name) == 0)
                return true;
        }
        const char *k;
        json_t *v;
        json_object_foreach(e, k, v)
            if (refs_column(v, name))
                return true;
    } else if (json_is_array(e)) {
        size_t i;
        json_t *v;
        json_array_foreach(e, i, v)
            if (refs_column(v, name))
                return true;
    }
    return false;
}

bool ddl_text_refs_column(const char *json_text, const char *name)
{
    json_t *e = json_text ? json_loads(json_text, 0, NULL) : NULL;
    bool r = e && refs_column(e, name);
    json_decref(e);
    return r;
}

static rdb_status_t add_check(ddl_t *d, sql_table_t *tab, json_t *con, const char *colname)
{
    if (dj_bool(con, "is_no_inherit"))
        return ddl_unsupported(d, "NO INHERIT");
    json_t *expr = json_object_get(con, "raw_expr");
    const char *name = dj_str(con, "conname");
    for (int i = 0; name && i < tab->nchecks; i++)
        if (strcmp(tab->checks[i].name, name) == 0)
            return ddl_error(d, "42710", "constraint \"%s\" for relation \"%s\" already exists",
                             name, tab->name);
    if (!name) {
        const char *col = colname ? colname : first_colref(expr);
        const char *base = col ? rdb_arena_sprintf(&d->a, "%s_%s", tab->name, col) : tab->name;
        name = rdb_arena_sprintf(&d->a, "%s_check", base);
        for (int n = 1;; n++) {
            bool taken = false;
            for (int i = 0; i < tab->nchecks; i++)
                taken |= strcmp(tab->checks[i].name, name) == 0;
            if (!taken)
                break;
            name = rdb_arena_sprintf(&d->a, "%s_check%d", base, n);
        }
    }
    sql_check_t *arr = RDB_ARENA_NEWN(&d->a, sql_check_t, tab->nchecks + 2);
    if (tab->nchecks)
        memcpy(arr, tab->checks, sizeof *arr * (size_t)tab->nchecks);
    arr[tab->nchecks].name = rdb_arena_strdup(&d->a, name);
    arr[tab->nchecks].expr_json = dj_dump(d, expr);
    tab->checks = arr;
    tab->nchecks++;
    return RDB_OK;
}

/* FOREIGN KEY and UNIQUE constraints may be DEFERRABLE.  A deferred
 * PRIMARY KEY would need two rows with one key to coexist until COMMIT,
 * and a row's storage key is its primary key. */
static rdb_status_t check_deferrable(ddl_t *d, json_t *con)
{
    const char *type = dj_str(con, "contype");
    if (!dj_bool(con, "deferrable") && !dj_bool(con, "initdeferred"))
        return RDB_OK;
    if (type && strcmp(type, "CONSTR_PRIMARY") == 0)
        return ddl_error(d, RDB_SQLSTATE_FEATURE_NOT_SUPPORTED,
                         "DEFERRABLE PRIMARY KEY constraints are not supported "
                         "(a row is stored under its primary key; use a DEFERRABLE UNIQUE constraint)");
    if (!(type && (strcmp(type, "CONSTR_FOREIGN") == 0 || strcmp(type, "CONSTR_UNIQUE") == 0)))
        return ddl_unsupported(d, "DEFERRABLE CHECK constraints");
    return RDB_OK;
}

/* A column's REFERENCES followed by DEFERRABLE / INITIALLY DEFERRED (the
 * grammar gives those as constraints of their own): fold them into the
 * foreign key's node, as PostgreSQL's transformConstraintAttrs does. */
static void fold_constraint_attrs(json_t *constraints)
{
    json_t *fk = NULL, *c;
    size_t j;
    json_array_foreach(constraints, j, c) {
        json_t *cc = dj_node(c, "Constraint");
        const char *ct = dj_str(cc, "contype");
        if (!ct)
            continue;
        if (strcmp(ct, "CONSTR_FOREIGN") == 0 || strcmp(ct, "CONSTR_UNIQUE") == 0 ||
            strcmp(ct, "CONSTR_PRIMARY") == 0) {
            fk = cc;
        } else if (fk && strcmp(ct, "CONSTR_ATTR_DEFERRABLE") == 0) {
            json_object_set_new(fk, "deferrable", json_true());
        } else if (fk && strcmp(ct, "CONSTR_ATTR_DEFERRED") == 0) {
            json_object_set_new(fk, "initdeferred", json_true());
        } else if (strncmp(ct, "CONSTR_ATTR_", 12) != 0) {
            fk = NULL;
        }
    }
}

/* --- CREATE TABLE -------------------------------------------------------------- */

sql_column_t *ddl_column_mut(sql_table_t *t, const char *name)
{
    return (sql_column_t *)sql_table_column(t, name);
}


rdb_status_t ddl_table_options(ddl_t *d, json_t *options)
{
    json_t *o;
    size_t i;
    json_array_foreach(options, i, o) {
        json_t *de = dj_node(o, "DefElem");
        const char *name = dj_str(de, "defname");
        if (!name)
            continue;
        if (dj_str(de, "defnamespace") && strcmp(dj_str(de, "defnamespace"), "toast"))
            return ddl_error(d, "22023", "unrecognized parameter namespace \"%s\"",
                             dj_str(de, "defnamespace"));
        if (strcmp(name, "oids") == 0) {
            json_t *arg = json_object_get(de, "arg");
            const char *v = arg ? dj_sval(arg) : NULL;
            int64_t iv = 1;
            bool off = (v && (strcasecmp(v, "false") == 0 || strcasecmp(v, "off") == 0 ||
                              strcmp(v, "0") == 0)) || (arg && dj_int(arg, &iv) && iv == 0);
            if (!off)
                return ddl_error(d, RDB_SQLSTATE_FEATURE_NOT_SUPPORTED,
                                 "tables declared WITH OIDS are not supported");
        } else if (strcmp(name, "fillfactor") == 0) {
            int64_t v = 0;
            if (!dj_int(json_object_get(de, "arg"), &v) || v < 10 || v > 100)
                return ddl_error(d, "22023", "value %lld out of bounds for option \"fillfactor\"",
                                 (long long)v);
            if (v < 10 || v > 100)
                return RDB_SQL;
        } else if (strncmp(name, "autovacuum_", 11) && strcmp(name, "parallel_workers") &&
                   strcmp(name, "toast_tuple_target") && strcmp(name, "user_catalog_table") &&
                   strcmp(name, "vacuum_truncate") && strcmp(name, "vacuum_index_cleanup") &&
                   strcmp(name, "log_autovacuum_min_duration")) {
            return ddl_error(d, "22023", "unrecognized parameter \"%s\"", name);
        }
    }
    return RDB_OK;
}

typedef struct coldef {
    json_t       *def;
    sql_column_t *col;
} coldef_t;

/* Apply one column's constraints (the ColumnDef's "constraints"). */
rdb_status_t ddl_column_constraints(ddl_t *d, sql_table_t *tab, sql_column_t *col, json_t *def,
                                       int serial, bool *want_pk)
{
    bool has_default = false, null_seen = false, notnull_seen = false, after_fk = false;
    json_t *c;
    size_t i;
    fold_constraint_attrs(json_object_get(def, "constraints"));
    if (json_object_get(def, "collClause")) {
        json_t *cc = dj_node(json_object_get(def, "collClause"), "CollateClause");
        json_t *cn = json_object_get(cc, "collname");
        const char *coll = dj_sval(json_array_get(cn, json_array_size(cn) - 1));
        if (!coll || (strcmp(coll, "C") && strcmp(coll, "POSIX") && strcmp(coll, "default") &&
                      strcmp(coll, "ucs_basic")))
            return ddl_error(d, RDB_SQLSTATE_FEATURE_NOT_SUPPORTED,
                             "collation \"%s\" is not supported (text sorts by byte value, as \"C\")",
                             coll ? coll : "?");
    }
    json_array_foreach(json_object_get(def, "constraints"), i, c) {
        json_t *con = dj_node(c, "Constraint");
        const char *type = dj_str(con, "contype");
        rdb_status_t rc = RDB_OK;
        if (!type)
            continue;
        if (strncmp(type, "CONSTR_ATTR_", 12) != 0)
            after_fk = strcmp(type, "CONSTR_FOREIGN") == 0 || strcmp(type, "CONSTR_UNIQUE") == 0 ||
                       strcmp(type, "CONSTR_PRIMARY") == 0;
        if (strcmp(type, "CONSTR_NULL") == 0 || strcmp(type, "CONSTR_NOTNULL") == 0) {
            bool nn = type[7] == 'N' && type[8] == 'O';
            if ((nn && null_seen) || (!nn && notnull_seen))
                return ddl_error(d, "42601",
                                 "conflicting NULL/NOT NULL declarations for column \"%s\" of table \"%s\"",
                                 col->name, tab->name);
            if (nn) {
                notnull_seen = true;
                col->not_null = true;
            } else {
                null_seen = true;
            }
        } else if (strcmp(type, "CONSTR_DEFAULT") == 0) {
            if (has_default || serial)
                return ddl_error(d, "42601",
                                 "multiple default values specified for column \"%s\" of table \"%s\"",
                                 col->name, tab->name);
            has_default = true;
            col->default_json = dj_dump(d, json_object_get(con, "raw_expr"));
        } else if (strcmp(type, "CONSTR_CHECK") == 0) {
            rc = add_check(d, tab, con, col->name);
        } else if (strcmp(type, "CONSTR_PRIMARY") == 0) {
            *want_pk = true;
        } else if (strcmp(type, "CONSTR_UNIQUE") == 0) {
            /* added after the primary key, in the table pass */
        } else if (strcmp(type, "CONSTR_IDENTITY") == 0) {
            if (has_default || serial)
                return ddl_error(d, "42601",
                                 "both default and identity specified for column \"%s\" of table \"%s\"",
                                 col->name, tab->name);
            const char *when = dj_str(con, "generated_when");
            col->identity = when && *when == 'd' ? 'd' : 'a';
            uint32_t sid;
            rc = ddl_make_owned_seq(d, tab, col, json_object_get(con, "options"), &sid);
            has_default = true;
        } else if (strcmp(type, "CONSTR_FOREIGN") == 0) {
            /* added after the keys, in the table pass (it may reference them) */
        } else if (strcmp(type, "CONSTR_GENERATED") == 0) {
            rc = ddl_unsupported(d, "GENERATED ALWAYS AS (expression) STORED");
        } else if (strncmp(type, "CONSTR_ATTR_", 12) == 0) {
            if (((strstr(type, "DEFERRABLE") && !strstr(type, "NOT_DEFERRABLE")) ||
                 strcmp(type, "CONSTR_ATTR_DEFERRED") == 0) && !after_fk)
                rc = ddl_unsupported(d, "DEFERRABLE UNIQUE, PRIMARY KEY and CHECK constraints");
        } else {
            rc = ddl_unsupported(d, type);
        }
        if (rc != RDB_OK)
            return rc;
        if (strcmp(type, "CONSTR_NOTNULL") && strcmp(type, "CONSTR_NULL") &&
            (rc = check_deferrable(d, con)) != RDB_OK)
            return rc;
    }
    if (serial) {
        uint32_t sid;
        rdb_status_t rc = ddl_make_owned_seq(d, tab, col, NULL, &sid);
        if (rc != RDB_OK)
            return rc;
    }
    return RDB_OK;
}

/* UNIQUE / PRIMARY KEY / CHECK / FOREIGN KEY of a column or the table. */
rdb_status_t ddl_table_constraint(ddl_t *d, sql_table_t *tab, json_t *con, const char *colname,
                                     sql_index_t **ixout)
{
    const char *type = dj_str(con, "contype");
    *ixout = NULL;
    rdb_status_t rc = check_deferrable(d, con);
    if (rc != RDB_OK)
        return rc;
    if (strcmp(type, "CONSTR_PRIMARY") == 0 || strcmp(type, "CONSTR_UNIQUE") == 0) {
        bool primary = type[7] == 'P';
        json_t *keys = json_object_get(con, "keys"), *tmp = NULL;
        if (json_object_get(con, "indexname"))
            return ddl_unsupported(d, "USING INDEX");
        if (json_array_size(json_object_get(con, "including")))
            return ddl_unsupported(d, "INCLUDE");
        if (colname) {
            tmp = json_pack("[{s:{s:s}}]", "String", "sval", colname);
            keys = tmp;
        }
        if (primary && tab->pk_index) {
            json_decref(tmp);
            return ddl_error(d, "42P16", "multiple primary keys for table \"%s\" are not allowed",
                             tab->name);
        }
        rc = ddl_add_index(d, tab, dj_str(con, "conname"), keys, true, primary, true, ixout);
        json_decref(tmp);
        if (rc == RDB_OK && !primary) {
            (*ixout)->initdeferred = dj_bool(con, "initdeferred");
            (*ixout)->deferrable = dj_bool(con, "deferrable") || (*ixout)->initdeferred;
        }
        return rc;
    }
    if (strcmp(type, "CONSTR_CHECK") == 0)
        return add_check(d, tab, con, colname);
    if (strcmp(type, "CONSTR_FOREIGN") == 0) {
        sql_fkey_t *fk;
        return ddl_add_fkey(d, tab, con, colname, &fk);
    }
    if (strcmp(type, "CONSTR_EXCLUSION") == 0)
        return ddl_unsupported(d, "EXCLUDE constraints");
    return ddl_unsupported(d, type);
}

void ddl_add_column(ddl_t *d, sql_table_t *tab, const char *name, sql_type_t type)
{
    sql_column_t *arr = RDB_ARENA_NEWN(&d->a, sql_column_t, tab->ncols + 2);
    if (tab->ncols)
        memcpy(arr, tab->cols, sizeof *arr * (size_t)tab->ncols);
    sql_column_t *c = &arr[tab->ncols];
    c->name = rdb_arena_strdup(&d->a, name);
    c->colid = tab->nrowcols++;
    c->attnum = (int16_t)(tab->ncols + 1);
    c->type = type;
    tab->cols = arr;
    tab->ncols++;
    if (tab->col_comments) {
        char **cc = RDB_ARENA_NEWN(&d->a, char *, tab->nrowcols + 1);
        memcpy(cc, tab->col_comments, sizeof *cc * (size_t)(tab->nrowcols - 1));
        tab->col_comments = cc;
    }
}

sql_table_t *ddl_new_rel(ddl_t *d, uint32_t schema_id, const char *schema, const char *name,
                         sql_relkind_t kind)
{
    sql_table_t *t = RDB_ARENA_NEW(&d->a, sql_table_t);
    t->id = sql_catalog_alloc_id(d->ctx->catalog, d->ctx->txn);
    t->schema_id = schema_id;
    t->schema = schema;
    t->name = rdb_arena_strdup(&d->a, name);
    t->relkind = kind;
    t->owner = rdb_arena_strdup(&d->a, d->ctx->user ? d->ctx->user : "postgres");
    t->hash_partitioned = kind == SQL_REL_TABLE;
    t->cols = RDB_ARENA_NEWN(&d->a, sql_column_t, 1);
    t->pk_colids = RDB_ARENA_NEWN(&d->a, uint16_t, 1);
    t->deps = RDB_ARENA_NEWN(&d->a, uint32_t, 1);
    return t;
}

/* Check the name is free; 1 = exists and IF NOT EXISTS (skip), 0 = free. */
static int relation_free(ddl_t *d, const sql_schema_t *sc, const char *name, bool if_not_exists,
                         rdb_status_t *rc)
{
    *rc = RDB_OK;
    if (!ddl_name_taken(d, sc->id, name))
        return 0;
    if (if_not_exists) {
        ddl_notice(d, "42P07", "relation \"%s\" already exists, skipping", name);
        return 1;
    }
    *rc = ddl_error(d, "42P07", "relation \"%s\" already exists", name);
    return -1;
}

static rdb_status_t check_relation_clauses(ddl_t *d, json_t *n, json_t *rv)
{
    const char *pers = dj_str(rv, "relpersistence");
    if (pers && *pers == 't')
        return ddl_unsupported(d, "CREATE TEMPORARY TABLE");
    if (json_array_size(json_object_get(n, "inhRelations")))
        return ddl_unsupported(d, "table inheritance (INHERITS)");
    if (json_object_get(n, "partbound"))
        return ddl_unsupported(d, "CREATE TABLE ... PARTITION OF");
    if (json_object_get(n, "ofTypename"))
        return ddl_unsupported(d, "CREATE TABLE ... OF type");
    const char *am = dj_str(n, "accessMethod");
    if (am && strcmp(am, "heap") != 0)
        return ddl_error(d, "42704", "access method \"%s\" does not exist", am);
    const char *ts = dj_str(n, "tablespacename");
    if (ts && strcmp(ts, "pg_default") != 0)
        return ddl_error(d, "42704", "tablespace \"%s\" does not exist", ts);
    const char *oc = dj_str(n, "oncommit");
    if (oc && strcmp(oc, "ONCOMMIT_NOOP") != 0)
        return ddl_error(d, "42P16", "ON COMMIT can only be used on temporary tables");
    return ddl_table_options(d, json_object_get(n, "options"));
}

/* PARTITION BY RANGE over the leading primary-key columns: no token. */
static rdb_status_t partition_spec(ddl_t *d, sql_table_t *tab, json_t *ps)
{
    if (!ps)
        return RDB_OK;
    const char *strategy = dj_str(ps, "strategy");
    json_t *params = json_object_get(ps, "partParams");
    if (strategy && strcmp(strategy, "hash") == 0)
        return RDB_OK;
    if (!strategy || strcmp(strategy, "range") != 0)
        return ddl_unsupported(d, "PARTITION BY LIST");
    size_t np = json_array_size(params);
    bool ok = np > 0 && (int)np <= tab->npk;
    for (size_t i = 0; ok && i < np; i++) {
        json_t *pe = dj_node(json_array_get(params, i), "PartitionElem");
        const char *cn = dj_str(pe, "name");
        const sql_column_t *c = cn ? sql_table_column(tab, cn) : NULL;
        ok = c && c->colid == tab->pk_colids[i];
    }
    if (!ok)
        return ddl_error(d, RDB_SQLSTATE_FEATURE_NOT_SUPPORTED,
                         "PARTITION BY RANGE must name the leading primary-key columns");
    tab->hash_partitioned = false;
    return RDB_OK;
}

/* CREATE TABLE ... (LIKE src [INCLUDING ...]): PostgreSQL's TableLikeOption bits. */
#define LIKE_COMMENTS    (1 << 0)
#define LIKE_CONSTRAINTS (1 << 2)
#define LIKE_DEFAULTS    (1 << 3)
#define LIKE_IDENTITY    (1 << 5)
#define LIKE_INDEXES     (1 << 6)

static rdb_status_t like_columns(ddl_t *d, sql_table_t *tab, json_t *like)
{
    json_t *rv = json_object_get(like, "relation");
    const sql_table_t *src = ddl_find_rangevar(d, rv);
    int64_t opts = json_integer_value(json_object_get(like, "options"));
    if (!src)
        return ddl_error(d, "42P01", "relation \"%s\" does not exist", dj_str(rv, "relname"));
    if (src->relkind != SQL_REL_TABLE && src->relkind != SQL_REL_VIEW)
        return ddl_error(d, "42809", "\"%s\" is not a table, view, or composite type", src->name);
    for (int i = 0; i < src->ncols; i++) {
        const sql_column_t *sc = &src->cols[i];
        if (sql_table_column(tab, sc->name))
            return ddl_error(d, "42701", "column \"%s\" specified more than once", sc->name);
        ddl_add_column(d, tab, sc->name, sc->type);
        sql_column_t *c = &tab->cols[tab->ncols - 1];
        c->not_null = sc->not_null;
        if ((opts & LIKE_DEFAULTS) && sc->default_json && !sc->identity)
            c->default_json = rdb_arena_strdup(&d->a, sc->default_json);
        if ((opts & LIKE_IDENTITY) && sc->identity) {
            uint32_t sid;
            c->identity = sc->identity;
            rdb_status_t rc = ddl_make_owned_seq(d, tab, c, NULL, &sid);
            if (rc != RDB_OK)
                return rc;
        }
        if ((opts & LIKE_COMMENTS) && src->col_comments && src->col_comments[sc->colid]) {
            if (!tab->col_comments)
                tab->col_comments = RDB_ARENA_NEWN(&d->a, char *, 1024);
            if (c->colid < 1024)
                tab->col_comments[c->colid] = rdb_arena_strdup(&d->a, src->col_comments[sc->colid]);
        }
    }
    for (int i = 0; (opts & LIKE_CONSTRAINTS) && i < src->nchecks; i++) {
        sql_check_t *arr = RDB_ARENA_NEWN(&d->a, sql_check_t, tab->nchecks + 2);
        if (tab->nchecks)
            memcpy(arr, tab->checks, sizeof *arr * (size_t)tab->nchecks);
        arr[tab->nchecks].name = rdb_arena_strdup(&d->a, src->checks[i].name);
        arr[tab->nchecks].expr_json = rdb_arena_strdup(&d->a, src->checks[i].expr_json);
        tab->checks = arr;
        tab->nchecks++;
    }
    return RDB_OK;
}

static rdb_status_t like_index(ddl_t *d, sql_table_t *tab, const sql_table_t *src,
                               const sql_index_t *ix)
{
    json_t *keys = json_array();
    for (int k = 0; k < ix->ncols; k++) {
        const sql_column_t *c = sql_table_column_by_id(src, ix->colids[k]);
        json_array_append_new(keys, json_pack("{s:{s:s,s:s}}", "IndexElem", "name", c ? c->name : "?",
                                              "ordering", ix->desc[k] ? "SORTBY_DESC" : "SORTBY_DEFAULT"));
    }
    sql_index_t *out;
    rdb_status_t rc = ddl_add_index(d, tab, NULL, keys, ix->unique, ix->primary, ix->is_constraint, &out);
    json_decref(keys);
    return rc;
}

static rdb_status_t like_indexes(ddl_t *d, sql_table_t *tab, json_t *like)
{
    const sql_table_t *src = ddl_find_rangevar(d, json_object_get(like, "relation"));
    if (!src || !(json_integer_value(json_object_get(like, "options")) & LIKE_INDEXES))
        return RDB_OK;
    rdb_status_t rc = RDB_OK;
    if (src->pk_index && !tab->pk_index)
        rc = like_index(d, tab, src, src->pk_index);
    for (int i = 0; rc == RDB_OK && i < src->nindexes; i++)
        rc = like_index(d, tab, src, &src->indexes[i]);
    return rc;
}

/* PostgreSQL places these errors of a table's PRIMARY KEY / UNIQUE
 * constraints at the constraint (not those of a FOREIGN KEY); returns
 * the error's code. */
static rdb_status_t constraint_at(ddl_t *d, json_t *con)
{
    const char *type = dj_str(con, "contype");
    bool key = type && (strcmp(type, "CONSTR_PRIMARY") == 0 || strcmp(type, "CONSTR_UNIQUE") == 0);
    if (key && (strcmp(d->err->sqlstate, "42P16") == 0 || strcmp(d->err->sqlstate, "42703") == 0))
        return ddl_at(d, con, false);
    return d->err->code;
}

/* Bind (and evaluate over a row of NULLs) the CHECK constraints and the
 * DEFAULTs that call no function of a new table, so that an unknown
 * column or a default that does not fit its type fails the CREATE, at
 * the expression's position, as PostgreSQL's parse analysis does. */
static rdb_status_t check_expressions(ddl_t *d, const sql_table_t *tab)
{
    if (!d->ctx->eval)
        return RDB_OK;
    sql_value_t *nulls = RDB_ARENA_NEWN(&d->a, sql_value_t, tab->nrowcols + 1);
    for (int i = 0; i <= tab->nrowcols; i++)
        nulls[i] = sql_null();
    for (int i = 0; i < tab->ncols + tab->nchecks; i++) {
        const sql_column_t *col = i < tab->ncols ? &tab->cols[i] : NULL;
        const char *js = col ? col->default_json : tab->checks[i - tab->ncols].expr_json;
        if (!js || (col && (strstr(js, "\"FuncCall\"") || strstr(js, "\"SubLink\""))))
            continue;
        json_error_t je;
        json_t *j = json_loads(js, 0, &je);
        if (!j)
            continue;
        sql_value_t v;
        sql_type_t bt = { SQL_OID_BOOL, -1 };
        rdb_status_t rc = d->ctx->eval(d->ctx, tab, j, col ? NULL : nulls, col ? col->type : bt, &d->a,
                                       &v, d->err);
        if (rc != RDB_OK)
            ddl_at(d, j, true);
        json_decref(j);
        if (rc != RDB_OK)
            return rc;
    }
    return RDB_OK;
}

rdb_status_t ddl_create_table(ddl_t *d, json_t *n)
{
    strcpy(d->tag, "CREATE TABLE");
    json_t *rv = json_object_get(n, "relation");
    const char *name = dj_str(rv, "relname");
    rdb_status_t rc = check_relation_clauses(d, n, rv);
    if (rc != RDB_OK)
        return rc;
    const sql_schema_t *sc;
    if ((rc = ddl_creation_schema(d, dj_str(rv, "schemaname"), &sc)) != RDB_OK)
        return ddl_at(d, rv, false);
    int f = relation_free(d, sc, name, dj_bool(n, "if_not_exists"), &rc);
    if (f)
        return rc;
    sql_table_t *tab = ddl_new_rel(d, sc->id, sc->name, name, SQL_REL_TABLE);
    ddl_name_add(d, sc->id, name);
    json_t *elts = json_object_get(n, "tableElts"), *e;
    size_t i;
    /* Does the table get a primary key?  Decides where colids start. */
    bool has_pk = false;
    json_array_foreach(elts, i, e) {
        json_t *cd = dj_node(e, "ColumnDef"), *con = dj_node(e, "Constraint"), *c;
        size_t j;
        if (con && dj_str(con, "contype") && strcmp(dj_str(con, "contype"), "CONSTR_PRIMARY") == 0)
            has_pk = true;
        json_t *like = dj_node(e, "TableLikeClause");
        if (like && (json_integer_value(json_object_get(like, "options")) & LIKE_INDEXES)) {
            const sql_table_t *src = ddl_find_rangevar(d, json_object_get(like, "relation"));
            has_pk |= src && src->npk > 0;
        }
        json_array_foreach(json_object_get(cd, "constraints"), j, c) {
            const char *ct = dj_str(dj_node(c, "Constraint"), "contype");
            has_pk |= ct && strcmp(ct, "CONSTR_PRIMARY") == 0;
        }
    }
    if (!has_pk) {
        tab->has_rowid = true;
        tab->rowid_colid = 0;
        tab->nrowcols = 1;
    }
    /* Columns first, then their constraints, then table constraints. */
    json_array_foreach(elts, i, e) {
        json_t *cd = dj_node(e, "ColumnDef");
        json_t *like = dj_node(e, "TableLikeClause");
        if (like && (rc = like_columns(d, tab, like)) != RDB_OK)
            return rc;
        if (!cd)
            continue;
        const char *cn = dj_str(cd, "colname");
        if (sql_table_column(tab, cn))
            return ddl_error(d, "42701", "column \"%s\" specified more than once", cn);
        sql_type_t ty;
        int serial;
        if ((rc = ddl_type(d, json_object_get(cd, "typeName"), &ty, &serial)) != RDB_OK)
            return rc;
        ddl_add_column(d, tab, cn, ty);
    }
    bool want_pk = false;
    json_array_foreach(elts, i, e) {
        json_t *cd = dj_node(e, "ColumnDef");
        if (!cd)
            continue;
        sql_type_t ty;
        int serial;
        ddl_type(d, json_object_get(cd, "typeName"), &ty, &serial);
        if ((rc = ddl_column_constraints(d, tab, ddl_column_mut(tab, dj_str(cd, "colname")), cd, serial,
                                     &want_pk)) != RDB_OK)
            return rc;
    }
    /* Primary key first (so its name is t_pkey), then the others in order,
     * then foreign keys (which may reference this table's keys). */
    for (int pass = 0; pass < 3; pass++) {
        json_array_foreach(elts, i, e) {
            json_t *cd = dj_node(e, "ColumnDef"), *con = dj_node(e, "Constraint"), *c;
            size_t j;
            sql_index_t *ix;
            if (con) {
                bool prim = strcmp(dj_str(con, "contype"), "CONSTR_PRIMARY") == 0;
                bool fk = strcmp(dj_str(con, "contype"), "CONSTR_FOREIGN") == 0;
                int want = prim ? 0 : fk ? 2 : 1;
                if (pass == want && (rc = ddl_table_constraint(d, tab, con, NULL, &ix)) != RDB_OK)
                    return fk ? rc : constraint_at(d, con);   /* PG places no FK error */
                continue;
            }
            if (!cd)
                continue;
            const char *cn = dj_str(cd, "colname");
            json_array_foreach(json_object_get(cd, "constraints"), j, c) {
                json_t *cc = dj_node(c, "Constraint");
                const char *ct = dj_str(cc, "contype");
                bool prim = ct && strcmp(ct, "CONSTR_PRIMARY") == 0;
                bool uniq = ct && strcmp(ct, "CONSTR_UNIQUE") == 0;
                bool fk = ct && strcmp(ct, "CONSTR_FOREIGN") == 0;
                if (((pass == 0 && prim) || (pass == 1 && uniq) || (pass == 2 && fk)) &&
                    (rc = ddl_table_constraint(d, tab, cc, cn, &ix)) != RDB_OK && (fk || constraint_at(d, cc)))
                    return rc;
            }
        }
    }
    (void)want_pk;
    json_array_foreach(elts, i, e) {
        json_t *like = dj_node(e, "TableLikeClause");
        if (like && (rc = like_indexes(d, tab, like)) != RDB_OK)
            return rc;
    }
    if ((rc = partition_spec(d, tab, json_object_get(n, "partspec"))) != RDB_OK)
        return rc;
    if ((rc = check_expressions(d, tab)) != RDB_OK)
        return rc;
    sql_catw_table(d->ctx->txn, tab);
    return RDB_OK;
}

/* --- CREATE TABLE AS --------------------------------------------------------- */

typedef struct ctas {
    ddl_t             *d;
    json_t            *into;
    const sql_schema_t *sc;
    sql_table_t       *tab;
    bool               skip_data;
    uint64_t           rows;
    sql_value_t       *row;
} ctas_t;

static rdb_status_t ctas_row(void *arg, int ncols, const char *const *names,
                             const sql_type_t *types, const sql_value_t *row, rdb_err_t *err)
{
    ctas_t *c = arg;
    ddl_t *d = c->d;
    if (!c->tab) {
        json_t *colnames = json_object_get(c->into, "colNames");
        if ((int)json_array_size(colnames) > ncols)
            return ddl_error(d, "42601", "too many column names were specified");
        c->tab = ddl_new_rel(d, c->sc->id, c->sc->name, dj_str(json_object_get(c->into, "rel"), "relname"),
                             SQL_REL_TABLE);
        c->tab->has_rowid = true;
        c->tab->nrowcols = 1;
        for (int i = 0; i < ncols; i++) {
            const char *cn = i < (int)json_array_size(colnames)
                           ? dj_sval(json_array_get(colnames, (size_t)i)) : names[i];
            if (sql_table_column(c->tab, cn))
                return ddl_error(d, "42701", "column \"%s\" specified more than once", cn);
            sql_type_t t = types[i];
            if (t.oid == SQL_OID_UNKNOWN)
                t.oid = SQL_OID_TEXT;
            ddl_add_column(d, c->tab, cn, t);
        }
        sql_catw_table(d->ctx->txn, c->tab);
        c->row = RDB_ARENA_NEWN(&d->a, sql_value_t, c->tab->nrowcols + 1);
    }
    if (!row || c->skip_data)
        return RDB_OK;
    for (int i = 0; i < c->tab->nrowcols; i++)
        c->row[i] = sql_null();
    for (int i = 0; i < ncols; i++)
        c->row[c->tab->cols[i].colid] = row[i];
    bool ins;
    rdb_status_t rc = sql_table_insert(d->ctx->txn, c->tab, c->row, false, &ins, err);
    c->rows += rc == RDB_OK;
    return rc;
}

rdb_status_t ddl_create_table_as(ddl_t *d, json_t *n)
{
    const char *objtype = dj_str(n, "objtype");
    if (objtype && strcmp(objtype, "OBJECT_MATVIEW") == 0)
        return ddl_unsupported(d, "CREATE MATERIALIZED VIEW");
    json_t *into = json_object_get(n, "into");
    json_t *rv = json_object_get(into, "rel");
    rdb_status_t rc = check_relation_clauses(d, into, rv);
    if (rc != RDB_OK)
        return rc;
    ctas_t c = { .d = d, .into = into, .skip_data = dj_bool(into, "skipData") };
    if ((rc = ddl_creation_schema(d, dj_str(rv, "schemaname"), &c.sc)) != RDB_OK)
        return rc;
    if (relation_free(d, c.sc, dj_str(rv, "relname"), dj_bool(n, "if_not_exists"), &rc)) {
        strcpy(d->tag, "CREATE TABLE AS");
        return rc;
    }
    if (!d->ctx->run_query)
        return ddl_unsupported(d, "CREATE TABLE AS without a query engine");
    json_t *q = json_object_get(n, "query");
    if ((rc = d->ctx->run_query(d->ctx, q, ctas_row, &c, d->err)) != RDB_OK)
        return rc;
    if (!c.tab)
        return ddl_error(d, "XX000", "CREATE TABLE AS: the query described no columns");
    if (c.skip_data)
        strcpy(d->tag, "CREATE TABLE AS"); /* WITH NO DATA, as PostgreSQL tags it */
    else
        snprintf(d->tag, 64, "SELECT %llu", (unsigned long long)c.rows);
    return RDB_OK;
}

/* --- CREATE INDEX ---------------------------------------------------------------- */

rdb_status_t ddl_create_index(ddl_t *d, json_t *n)
{
    strcpy(d->tag, "CREATE INDEX");
    json_t *rv = json_object_get(n, "relation");
    const char *am = dj_str(n, "accessMethod");
    if (am && strcmp(am, "btree") && strcmp(am, "hash"))
        return ddl_error(d, RDB_SQLSTATE_FEATURE_NOT_SUPPORTED,
                         "access method \"%s\" is not supported", am);
    if (json_object_get(n, "whereClause"))
        return ddl_unsupported(d, "a partial index (CREATE INDEX ... WHERE)");
    if (json_array_size(json_object_get(n, "indexIncludingParams")))
        return ddl_unsupported(d, "CREATE INDEX ... INCLUDE");
    json_t *p;
    size_t i;
    json_array_foreach(json_object_get(n, "indexParams"), i, p) {
        json_t *ie = dj_node(p, "IndexElem");
        const char *nulls = dj_str(ie, "nulls_ordering");
        const char *ord = dj_str(ie, "ordering");
        bool desc = ord && strcmp(ord, "SORTBY_DESC") == 0;
        if (nulls && ((desc && strcmp(nulls, "SORTBY_NULLS_LAST") == 0) ||
                      (!desc && strcmp(nulls, "SORTBY_NULLS_FIRST") == 0)))
            return ddl_unsupported(d, "NULLS FIRST / LAST against the index order");
        if (json_object_get(ie, "collation") || json_object_get(ie, "opclass"))
            return ddl_unsupported(d, "an index column with a collation or operator class");
    }
    const sql_table_t *orig = ddl_find_rangevar(d, rv);
    if (!orig)
        return ddl_error(d, "42P01", "relation \"%s\" does not exist", dj_str(rv, "relname"));
    if (orig->relkind != SQL_REL_TABLE)
        return ddl_error(d, "42809", "cannot create index on relation \"%s\"", orig->name);
    const char *name = dj_str(n, "idxname");
    if (name && ddl_name_taken(d, orig->schema_id, name)) {
        if (dj_bool(n, "if_not_exists")) {
            ddl_notice(d, "42P07", "relation \"%s\" already exists, skipping", name);
            return RDB_OK;
        }
        return ddl_error(d, "42P07", "relation \"%s\" already exists", name);
    }
    sql_table_t *t = sql_table_clone(&d->a, orig);
    sql_index_t *ix;
    rdb_status_t rc = ddl_add_index(d, t, name, json_object_get(n, "indexParams"),
                                    dj_bool(n, "unique"), false, false, &ix);
    if (rc == RDB_OK)
        rc = sql_index_build(d->ctx->txn, t, ix, d->err);
    if (rc == RDB_OK)
        sql_catw_table(d->ctx->txn, t);
    return rc;
}
