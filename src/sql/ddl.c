/*
 * ddl.c — the DDL entry point (sql/ddl.h): dispatch, the helpers every
 * statement shares (parse-node access, errors, name resolution, naming),
 * and the statements that remove things: DROP, TRUNCATE; plus COMMENT,
 * VACUUM / ANALYZE, CREATE SCHEMA and the database statements.
 *
 * Statements work on the libpg_query JSON tree.  A statement reads the
 * catalog through ctx->snap, clones what it changes into its arena
 * (sql_table_clone), writes whole records back through ctx->txn, and does
 * the data work (row deletion, index builds, rewrites) in the same
 * transaction, so a failure half-way leaves nothing once the caller aborts.
 *
 * Messages, SQLSTATEs and NOTICEs follow PostgreSQL 15 word for word where
 * PostgreSQL has the case.  Options ringdb does not implement fail with
 * 0A000 naming the construct; none is silently ignored except those that
 * only tune PostgreSQL's heap (fillfactor, autovacuum_*, CONCURRENTLY).
 *
 * Dependencies tracked: views on the relations they read (sql_table_t.deps),
 * sequences owned by a column (dropped with the table; DROP SEQUENCE of
 * one in use is 2BP01), indexes and constraints (part of their table).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "common/mem.h"
#include "sql/ast.h"
#include "sql/colstats.h"
#include "sql/ddl_int.h"
#include "sql/pgjson.h"
#include "sql/tabstat.h"

/* --- JSON ----------------------------------------------------------------- */

const char *dj_str(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

bool dj_bool(json_t *o, const char *key)
{
    return json_is_true(json_object_get(o, key));
}

json_t *dj_node(json_t *o, const char *type)
{
    return json_is_object(o) ? json_object_get(o, type) : NULL;
}

const char *dj_sval(json_t *node)
{
    json_t *s = dj_node(node, "String");
    return s ? (dj_str(s, "sval") ? dj_str(s, "sval") : "") : NULL;
}

bool dj_int(json_t *node, int64_t *out)
{
    json_t *c = dj_node(node, "A_Const");
    if (c) {
        if (json_object_get(c, "ival")) {
            *out = json_integer_value(json_object_get(json_object_get(c, "ival"), "ival"));
            return true;
        }
        node = c;
        if (json_object_get(c, "fval")) {
            const char *f = dj_str(json_object_get(c, "fval"), "fval");
            *out = f ? strtoll(f, NULL, 10) : 0;
            return true;
        }
        return false;
    }
    json_t *i = dj_node(node, "Integer");
    if (i) {
        *out = json_integer_value(json_object_get(i, "ival"));
        return true;
    }
    json_t *f = dj_node(node, "Float");
    if (f && dj_str(f, "fval")) {
        *out = strtoll(dj_str(f, "fval"), NULL, 10);
        return true;
    }
    const char *s = dj_sval(node);
    if (s) {
        char *end;
        *out = strtoll(s, &end, 10);
        return *s && !*end;
    }
    return false;
}

char *dj_dump(ddl_t *d, json_t *o)
{
    char *s = json_dumps(o, JSON_COMPACT | JSON_ENCODE_ANY);
    char *r = rdb_arena_strdup(&d->a, s ? s : "null");
    free(s);
    return r;
}

/* --- errors ---------------------------------------------------------------- */

rdb_status_t ddl_error(ddl_t *d, const char *sqlstate, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    rdb_status_t rc = rdb_err_setv(d->err, RDB_SQL, sqlstate, fmt, ap);
    va_end(ap);
    return rc;
}

/* The location of a parse node (its own, or with min, the smallest in
 * its subtree: where an expression starts); -1 if none. */
static int node_location(json_t *n, bool min)
{
    int best = -1;
    if (json_is_object(n)) {
        json_t *loc = json_object_get(n, "location");
        if (json_is_integer(loc) && json_integer_value(loc) >= 0) {
            best = (int)json_integer_value(loc);
            if (!min)
                return best;
        }
        const char *k;
        json_t *v;
        json_object_foreach(n, k, v) {
            if (!min && !(json_is_object(v) && json_object_size(n) == 1))
                continue; /* own location: look through a {"Type": {...}} wrapper only */
            int l = node_location(v, min);
            if (l >= 0 && (best < 0 || l < best))
                best = l;
        }
    } else if (json_is_array(n) && min) {
        size_t i;
        json_t *v;
        json_array_foreach(n, i, v) {
            int l = node_location(v, min);
            if (l >= 0 && (best < 0 || l < best))
                best = l;
        }
    }
    return best;
}

rdb_status_t ddl_at(ddl_t *d, json_t *node, bool expr)
{
    if (d->err->position == 0)
        sql_err_at(d->err, d->ctx->sql, node_location(node, expr));
    return d->err->code != RDB_OK ? d->err->code : RDB_SQL;
}

void ddl_notice(ddl_t *d, const char *sqlstate, const char *fmt, ...)
{
    if (!d->notice)
        return;
    rdb_err_t n = RDB_ERR_INIT;
    va_list ap;
    va_start(ap, fmt);
    rdb_err_setv(&n, RDB_SQL, sqlstate, fmt, ap);
    va_end(ap);
    n.severity = RDB_SEV_NOTICE;
    d->notice(d->notice_arg, &n);
    rdb_err_clear(&n);
}

void ddl_cascade(ddl_t *d, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (d->ncascades++)
        rdb_buf_append_u8(&d->cascades, '\n');
    rdb_buf_vprintf(&d->cascades, fmt, ap);
    va_end(ap);
}

static void report_cascades(ddl_t *d)
{
    if (!d->ncascades || !d->notice)
        return;
    if (d->ncascades == 1) {
        ddl_notice(d, "00000", "%s", rdb_buf_cstr(&d->cascades));
        return;
    }
    rdb_err_t n = RDB_ERR_INIT;
    rdb_err_set(&n, RDB_SQL, "00000", "drop cascades to %d other objects", d->ncascades);
    rdb_err_detail(&n, "%s", rdb_buf_cstr(&d->cascades));
    n.severity = RDB_SEV_NOTICE;
    d->notice(d->notice_arg, &n);
    rdb_err_clear(&n);
}

rdb_status_t ddl_unsupported(ddl_t *d, const char *what)
{
    return ddl_error(d, RDB_SQLSTATE_FEATURE_NOT_SUPPORTED, "%s is not supported", what);
}

/* --- names ----------------------------------------------------------------- */

rdb_status_t ddl_creation_schema(ddl_t *d, const char *schema, const sql_schema_t **out)
{
    const sql_catsnap_t *s = d->ctx->snap;
    if (schema) {
        *out = sql_cat_schema(s, schema);
        if (!*out)
            return ddl_error(d, "3F000", "schema \"%s\" does not exist", schema);
        return RDB_OK;
    }
    static const char *const def[] = { "public" };
    const char *const *path = d->ctx->search_path ? d->ctx->search_path : def;
    int n = d->ctx->search_path ? d->ctx->npath : 1;
    for (int i = 0; i < n; i++) {
        const sql_schema_t *sc = sql_cat_schema(s, path[i]);
        if (sc && sc->id != SQL_SCHEMA_PG_CATALOG) {
            *out = sc;
            return RDB_OK;
        }
    }
    return ddl_error(d, "3F000", "no schema has been selected to create in");
}

const sql_table_t *ddl_find_rel(ddl_t *d, const char *schema, const char *name)
{
    const sql_table_t *t = sql_cat_find(d->ctx->snap, schema, name, d->ctx->search_path,
                                        d->ctx->npath);
    return t && !ddl_was_dropped(d, t->id) ? t : NULL;
}

const sql_table_t *ddl_find_rangevar(ddl_t *d, json_t *rv)
{
    return ddl_find_rel(d, dj_str(rv, "schemaname"), dj_str(rv, "relname"));
}

const sql_table_t *ddl_alter_target(ddl_t *d, json_t *rv, bool missing_ok, rdb_status_t *rc)
{
    const sql_table_t *t = ddl_find_rangevar(d, rv);
    *rc = RDB_OK;
    if (t)
        return t;
    if (missing_ok)
        ddl_notice(d, "00000", "relation \"%s\" does not exist, skipping", dj_str(rv, "relname"));
    else
        *rc = ddl_error(d, "42P01", "relation \"%s\" does not exist", dj_str(rv, "relname"));
    return NULL;
}

bool ddl_name_taken(ddl_t *d, uint32_t schema_id, const char *name)
{
    const sql_catsnap_t *s = d->ctx->snap;
    const sql_schema_t *sc = sql_cat_schema_by_id(s, schema_id);
    for (int i = 0; i < d->nnew; i++)
        if (d->newnames[i].schema_id == schema_id && strcmp(d->newnames[i].name, name) == 0)
            return true;
    if (!sc)
        return false;
    const sql_table_t *t = sql_cat_find(s, sc->name, name, NULL, 0);
    if (t && !ddl_was_dropped(d, t->id))
        return true;
    const sql_table_t *owner;
    return sql_cat_find_index(s, sc->name, name, NULL, 0, &owner) != NULL &&
           !ddl_was_dropped(d, owner->id);
}

void ddl_name_add(ddl_t *d, uint32_t schema_id, const char *name)
{
    if (d->nnew == d->capnew) {
        d->capnew = d->capnew ? d->capnew * 2 : 8;
        d->newnames = rdb_realloc(d->newnames, sizeof *d->newnames * (size_t)d->capnew);
    }
    d->newnames[d->nnew].schema_id = schema_id;
    d->newnames[d->nnew].name = rdb_arena_strdup(&d->a, name);
    d->nnew++;
}

char *ddl_choose_name(ddl_t *d, uint32_t schema_id, const char *table, const char *cols,
                      const char *suffix)
{
    char *base = cols && *cols ? rdb_arena_sprintf(&d->a, "%s_%s", table, cols)
                               : rdb_arena_strdup(&d->a, table);
    /* Names fit in NAMEDATALEN - 1 = 63 bytes: shorten the base, as
     * PostgreSQL's makeObjectName does (it shares the cut between the
     * table and column parts; ringdb cuts the end). */
    size_t room = 63 - strlen(suffix) - 1 - 3; /* room for up to 3 digits */
    if (strlen(base) > room)
        base[room] = '\0';
    char *name = rdb_arena_sprintf(&d->a, "%s_%s", base, suffix);
    for (int i = 1; ddl_name_taken(d, schema_id, name); i++)
        name = rdb_arena_sprintf(&d->a, "%s_%s%d", base, suffix, i);
    return name;
}

bool ddl_was_dropped(ddl_t *d, uint32_t id)
{
    for (int i = 0; i < d->ndropped; i++)
        if (d->dropped[i] == id)
            return true;
    return false;
}

void ddl_mark_dropped(ddl_t *d, uint32_t id)
{
    if (d->ndropped == d->capdropped) {
        d->capdropped = d->capdropped ? d->capdropped * 2 : 8;
        d->dropped = rdb_realloc(d->dropped, sizeof *d->dropped * (size_t)d->capdropped);
    }
    d->dropped[d->ndropped++] = id;
}

/* --- DROP ------------------------------------------------------------------- */

static const char *kind_word(sql_relkind_t k)
{
    switch (k) {
    case SQL_REL_VIEW: return "view";
    case SQL_REL_SEQUENCE: return "sequence";
    case SQL_REL_INDEX: return "index";
    default: return "table";
    }
}

static char *qualified(ddl_t *d, const sql_table_t *t)
{
    if (t->schema_id == SQL_SCHEMA_PUBLIC)
        return rdb_arena_strdup(&d->a, t->name);
    return rdb_arena_sprintf(&d->a, "%s.%s", t->schema, t->name);
}

/* Things that depend on rel: views reading it, and for a sequence the
 * columns whose default draws from it (other than its owner's). */
static rdb_status_t drop_dependents(ddl_t *d, const sql_table_t *rel, bool cascade)
{
    const sql_catsnap_t *s = d->ctx->snap;
    if (rel->relkind == SQL_REL_TABLE && rel->nrefby) {
        const char *obj = rdb_arena_sprintf(&d->a, "table %s", rel->name);
        if (ddl_fkey_dependents(d, rel, NULL, 0, -1, cascade, obj, obj) != RDB_OK)
            return RDB_SQL;
    }
    for (int i = 0; i < sql_cat_count(s); i++) {
        const sql_table_t *v = sql_cat_at(s, i);
        if (ddl_was_dropped(d, v->id) || v->id == rel->id)
            continue;
        bool dep = false;
        for (int j = 0; j < v->ndeps; j++)
            dep |= v->deps[j] == rel->id;
        if (dep) {
            if (!cascade) {
                ddl_error(d, "2BP01", "cannot drop %s %s because other objects depend on it",
                          kind_word(rel->relkind), rel->name);
                rdb_err_detail(d->err, "view %s depends on %s %s", qualified(d, v),
                               kind_word(rel->relkind), rel->name);
                rdb_err_hint(d->err, "Use DROP ... CASCADE to drop the dependent objects too.");
                return RDB_SQL;
            }
            ddl_cascade(d, "drop cascades to view %s", qualified(d, v));
            rdb_status_t rc = ddl_drop_rel(d, v, true);
            if (rc != RDB_OK)
                return rc;
            continue;
        }
        if (rel->relkind != SQL_REL_SEQUENCE || v->relkind != SQL_REL_TABLE)
            continue;
        for (int j = 0; j < v->ncols; j++) {
            if (v->cols[j].identity_seq != rel->id)
                continue;
            if (!cascade) {
                ddl_error(d, "2BP01", "cannot drop sequence %s because other objects depend on it",
                          rel->name);
                rdb_err_detail(d->err, "default value for column %s of table %s depends on sequence %s",
                               v->cols[j].name, v->name, rel->name);
                rdb_err_hint(d->err, "Use DROP ... CASCADE to drop the dependent objects too.");
                return RDB_SQL;
            }
            ddl_cascade(d, "drop cascades to default value for column %s of table %s",
                       v->cols[j].name, v->name);
            sql_table_t *c = sql_table_clone(&d->a, v);
            c->cols[j].default_json = NULL;
            c->cols[j].identity = 0;
            c->cols[j].identity_seq = 0;
            sql_catw_table(d->ctx->txn, c);
        }
    }
    return RDB_OK;
}

rdb_status_t ddl_drop_rel(ddl_t *d, const sql_table_t *rel, bool cascade)
{
    if (ddl_was_dropped(d, rel->id))
        return RDB_OK;
    rdb_status_t rc = drop_dependents(d, rel, cascade);
    if (rc != RDB_OK)
        return rc;
    ddl_mark_dropped(d, rel->id);
    txn_t *t = d->ctx->txn;
    if (rel->relkind == SQL_REL_TABLE) {
        if ((rc = sql_table_truncate(t, rel, d->err)) != RDB_OK)
            return rc;
        /* Sequences owned by its columns go with it. */
        const sql_catsnap_t *s = d->ctx->snap;
        for (int i = 0; i < sql_cat_count(s); i++) {
            const sql_table_t *q = sql_cat_at(s, i);
            if (q->seq && q->seq->owned_by_table == rel->id && !ddl_was_dropped(d, q->id)) {
                ddl_mark_dropped(d, q->id);
                sql_seq_state_delete(t, q->id);
                sql_catw_table_delete(t, q->id);
            }
        }
    } else if (rel->relkind == SQL_REL_SEQUENCE) {
        sql_seq_state_delete(t, rel->id);
    }
    sql_catw_table_delete(t, rel->id);
    return RDB_OK;
}

static rdb_status_t drop_index(ddl_t *d, json_t *name, bool missing_ok, bool cascade)
{
    json_t *items = json_object_get(dj_node(name, "List"), "items");
    size_t n = json_array_size(items);
    const char *schema = n > 1 ? dj_sval(json_array_get(items, n - 2)) : NULL;
    const char *iname = dj_sval(json_array_get(items, n - 1));
    const sql_table_t *tab = NULL;
    const sql_index_t *ix = sql_cat_find_index(d->ctx->snap, schema, iname, d->ctx->search_path,
                                               d->ctx->npath, &tab);
    if (!ix || ddl_was_dropped(d, tab->id)) {
        if (missing_ok) {
            ddl_notice(d, "00000", "index \"%s\" does not exist, skipping", iname);
            return RDB_OK;
        }
        return ddl_error(d, "42704", "index \"%s\" does not exist", iname);
    }
    if (ix->is_constraint) {
        ddl_error(d, "2BP01", "cannot drop index %s because constraint %s on table %s requires it",
                  ix->name, ix->name, tab->name);
        rdb_err_hint(d->err, "You can drop constraint %s on table %s instead.", ix->name, tab->name);
        return RDB_SQL;
    }
    (void)cascade;
    sql_table_t *c = sql_table_clone(&d->a, tab);
    for (int i = 0; i < c->nindexes; i++)
        if (c->indexes[i].id == ix->id) {
            memmove(&c->indexes[i], &c->indexes[i + 1],
                    sizeof *c->indexes * (size_t)(c->nindexes - i - 1));
            c->nindexes--;
            break;
        }
    rdb_status_t rc = sql_index_delete_entries(d->ctx->txn, ix, d->err);
    if (rc == RDB_OK)
        sql_catw_table(d->ctx->txn, c);
    return rc;
}

static rdb_status_t drop_schema(ddl_t *d, const char *name, bool missing_ok, bool cascade)
{
    const sql_catsnap_t *s = d->ctx->snap;
    const sql_schema_t *sc = sql_cat_schema(s, name);
    if (!sc) {
        if (missing_ok) {
            ddl_notice(d, "00000", "schema \"%s\" does not exist, skipping", name);
            return RDB_OK;
        }
        return ddl_error(d, "3F000", "schema \"%s\" does not exist", name);
    }
    if (sc->id == SQL_SCHEMA_PG_CATALOG || sc->id == SQL_SCHEMA_INFO)
        return ddl_error(d, "2BP01",
                         "cannot drop schema %s because it is required by the database system", name);
    for (int i = 0; i < sql_cat_count(s); i++) {
        const sql_table_t *t = sql_cat_at(s, i);
        if (t->schema_id != sc->id || ddl_was_dropped(d, t->id))
            continue;
        if (!cascade) {
            ddl_error(d, "2BP01", "cannot drop schema %s because other objects depend on it", name);
            rdb_err_detail(d->err, "%s %s.%s depends on schema %s", kind_word(t->relkind), name,
                           t->name, name);
            rdb_err_hint(d->err, "Use DROP ... CASCADE to drop the dependent objects too.");
            return RDB_SQL;
        }
        ddl_cascade(d, "drop cascades to %s %s.%s", kind_word(t->relkind), name, t->name);
        rdb_status_t rc = ddl_drop_rel(d, t, true);
        if (rc != RDB_OK)
            return rc;
    }
    sql_catw_schema_delete(d->ctx->txn, sc->id);
    return RDB_OK;
}

rdb_status_t ddl_drop(ddl_t *d, json_t *n)
{
    const char *type = dj_str(n, "removeType");
    bool missing_ok = dj_bool(n, "missing_ok");
    bool cascade = type && strcmp(dj_str(n, "behavior") ? dj_str(n, "behavior") : "", "DROP_CASCADE") == 0;
    sql_relkind_t want;
    const char *word;
    if (!type)
        return ddl_unsupported(d, "DROP");
    if (strcmp(type, "OBJECT_TABLE") == 0) {
        want = SQL_REL_TABLE;
        word = "table";
        strcpy(d->tag, "DROP TABLE");
    } else if (strcmp(type, "OBJECT_VIEW") == 0) {
        want = SQL_REL_VIEW;
        word = "view";
        strcpy(d->tag, "DROP VIEW");
    } else if (strcmp(type, "OBJECT_SEQUENCE") == 0) {
        want = SQL_REL_SEQUENCE;
        word = "sequence";
        strcpy(d->tag, "DROP SEQUENCE");
    } else if (strcmp(type, "OBJECT_INDEX") == 0) {
        strcpy(d->tag, "DROP INDEX");
        json_t *o;
        size_t i;
        json_array_foreach(json_object_get(n, "objects"), i, o) {
            rdb_status_t rc = drop_index(d, o, missing_ok, cascade);
            if (rc != RDB_OK)
                return rc;
        }
        return RDB_OK;
    } else if (strcmp(type, "OBJECT_SCHEMA") == 0) {
        strcpy(d->tag, "DROP SCHEMA");
        json_t *o;
        size_t i;
        json_array_foreach(json_object_get(n, "objects"), i, o) {
            rdb_status_t rc = drop_schema(d, dj_sval(o) ? dj_sval(o) : "", missing_ok, cascade);
            if (rc != RDB_OK)
                return rc;
        }
        return RDB_OK;
    } else {
        char what[96];
        snprintf(what, sizeof what, "DROP %s", type + 7);
        return ddl_unsupported(d, what);
    }
    json_t *o;
    size_t i;
    /* the tables named, for foreign keys between them */
    d->targets = RDB_ARENA_NEWN(&d->a, uint32_t, json_array_size(json_object_get(n, "objects")) + 1);
    json_array_foreach(json_object_get(n, "objects"), i, o) {
        json_t *items = json_object_get(dj_node(o, "List"), "items");
        size_t ni = json_array_size(items);
        const char *name = dj_sval(json_array_get(items, ni - 1));
        const char *schema = ni > 1 ? dj_sval(json_array_get(items, ni - 2)) : NULL;
        const sql_table_t *t = name && (!schema || sql_cat_schema(d->ctx->snap, schema))
                             ? ddl_find_rel(d, schema, name) : NULL;
        if (t)
            d->targets[d->ntargets++] = t->id;
    }
    json_array_foreach(json_object_get(n, "objects"), i, o) {
        json_t *items = json_object_get(dj_node(o, "List"), "items");
        size_t ni = json_array_size(items);
        const char *name = dj_sval(json_array_get(items, ni - 1));
        const char *schema = ni > 1 ? dj_sval(json_array_get(items, ni - 2)) : NULL;
        if (!name)
            return ddl_error(d, "42601", "syntax error in object name");
        if (schema && !sql_cat_schema(d->ctx->snap, schema)) {
            if (missing_ok) {
                ddl_notice(d, "00000", "schema \"%s\" does not exist, skipping", schema);
                continue;
            }
            return ddl_error(d, "3F000", "schema \"%s\" does not exist", schema);
        }
        const sql_table_t *t = ddl_find_rel(d, schema, name);
        if (!t) {
            if (missing_ok) {
                ddl_notice(d, "00000", "%s \"%s\" does not exist, skipping", word, name);
                continue;
            }
            return ddl_error(d, "42P01", "%s \"%s\" does not exist", word, name);
        }
        if (t->relkind != want) {
            ddl_error(d, "42809", "\"%s\" is not a %s", name, word);
            const char *hint_word = t->relkind == SQL_REL_VIEW ? "VIEW"
                                  : t->relkind == SQL_REL_SEQUENCE ? "SEQUENCE" : "TABLE";
            rdb_err_hint(d->err, "Use DROP %s to remove a %s.", hint_word, kind_word(t->relkind));
            return RDB_SQL;
        }
        rdb_status_t rc = ddl_drop_rel(d, t, cascade);
        if (rc != RDB_OK)
            return rc;
    }
    return RDB_OK;
}

/* --- TRUNCATE ------------------------------------------------------------------ */

rdb_status_t ddl_truncate(ddl_t *d, json_t *n)
{
    strcpy(d->tag, "TRUNCATE TABLE");
    bool restart = dj_bool(n, "restart_seqs");
    bool cascade = dj_str(n, "behavior") && strcmp(dj_str(n, "behavior"), "DROP_CASCADE") == 0;
    json_t *rv;
    size_t i;
    json_t *rels = json_object_get(n, "relations");
    const sql_table_t **set = RDB_ARENA_NEWN(&d->a, const sql_table_t *, json_array_size(rels) + 1);
    int nset = 0;
    json_array_foreach(rels, i, rv) {
        json_t *r = dj_node(rv, "RangeVar");
        const sql_table_t *t = ddl_find_rangevar(d, r);
        if (!t)
            return ddl_error(d, "42P01", "relation \"%s\" does not exist", dj_str(r, "relname"));
        if (t->relkind != SQL_REL_TABLE)
            return ddl_error(d, "42809", "\"%s\" is not a table", t->name);
        set[nset++] = t;
    }
    if (ddl_fkey_truncate_set(d, &set, &nset, cascade) != RDB_OK)
        return RDB_SQL;
    for (int k = 0; k < nset; k++) {
        const sql_table_t *t = set[k];
        rdb_status_t rc = sql_table_truncate(d->ctx->txn, t, d->err);
        if (rc != RDB_OK)
            return rc;
        if (!restart)
            continue;
        for (int c = 0; c < t->ncols; c++) {
            const sql_table_t *q = t->cols[c].identity_seq
                                 ? sql_cat_by_id(d->ctx->snap, t->cols[c].identity_seq) : NULL;
            if (q && q->seq) {
                sql_table_t *qc = sql_table_clone(&d->a, q);
                qc->seq->restart_gen++;
                sql_catw_table(d->ctx->txn, qc);
                sql_seq_state_put(d->ctx->txn, q->id, q->seq->start, false);
            }
        }
    }
    return RDB_OK;
}

/* --- COMMENT ------------------------------------------------------------------- */

rdb_status_t ddl_comment(ddl_t *d, json_t *n)
{
    strcpy(d->tag, "COMMENT");
    const char *type = dj_str(n, "objtype");
    const char *text = dj_str(n, "comment");
    json_t *items = json_object_get(dj_node(json_object_get(n, "object"), "List"), "items");
    size_t ni = json_array_size(items);
    bool column = type && strcmp(type, "OBJECT_COLUMN") == 0;
    if (!type || (!column && strcmp(type, "OBJECT_TABLE") && strcmp(type, "OBJECT_VIEW") &&
                  strcmp(type, "OBJECT_SEQUENCE")))
        return ddl_unsupported(d, "COMMENT ON this kind of object");
    size_t nrel = column ? ni - 1 : ni;
    if (nrel < 1 || nrel > 2)
        return ddl_error(d, "42601", "improper relation name (too many dotted names)");
    const char *schema = nrel == 2 ? dj_sval(json_array_get(items, 0)) : NULL;
    const char *name = dj_sval(json_array_get(items, nrel - 1));
    const sql_table_t *t = ddl_find_rel(d, schema, name ? name : "");
    if (!t)
        return ddl_error(d, "42P01", "relation \"%s\" does not exist", name ? name : "");
    sql_table_t *c = sql_table_clone(&d->a, t);
    char *txt = text && *text ? rdb_arena_strdup(&d->a, text) : NULL;
    if (column) {
        const char *col = dj_sval(json_array_get(items, ni - 1));
        const sql_column_t *cc = sql_table_column(t, col ? col : "");
        if (!cc)
            return ddl_error(d, "42703", "column \"%s\" of relation \"%s\" does not exist",
                             col ? col : "", t->name);
        if (!c->col_comments)
            c->col_comments = RDB_ARENA_NEWN(&d->a, char *, c->nrowcols + 1);
        c->col_comments[cc->colid] = txt;
    } else {
        c->comment = txt;
    }
    sql_catw_table(d->ctx->txn, c);
    return RDB_OK;
}

/* --- VACUUM / ANALYZE ---------------------------------------------------------- */

#define ANALYZE_SAMPLE 300000 /* values per column whose hashes are kept */

static int u64_cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Distinct values among N rows from the hashes of a sample of n of them:
 * PostgreSQL's estimator (Haas and Stokes), n*d / (n - f1 + f1*n/N) with d
 * distinct values and f1 values seen once in the sample. */
static double estimate_distinct(uint64_t *h, size_t n, uint64_t N)
{
    if (n == 0)
        return 0;
    qsort(h, n, sizeof *h, u64_cmp);
    double d = 0, f1 = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && h[j] == h[i])
            j++;
        d++;
        f1 += j - i == 1;
        i = j;
    }
    if (n >= N || f1 == 0)
        return d;
    if (f1 == (double)n)
        return (double)N; /* every sampled value unique: assume a key */
    return (double)n * d / ((double)n - f1 + f1 * (double)n / (double)N);
}

/* Row count, and per column the NULL fraction, distinct values, most
 * common values and histogram (colstats.h, from a random sample).  The
 * sample is the first ANALYZE_SAMPLE rows in key order: for a
 * hash-partitioned table (ordered by token) that is a random sample. */
static rdb_status_t analyze_rel(ddl_t *d, const sql_table_t *t)
{
    if (t->relkind != SQL_REL_TABLE)
        return RDB_OK;
    rdb_arena_t a;
    rdb_arena_init(&a, 0);
    sql_value_t *row = RDB_ARENA_NEWN(&d->a, sql_value_t, t->nrowcols + 1);
    uint64_t n = 0;
    uint64_t *nulls = RDB_ARENA_NEWN(&d->a, uint64_t, t->ncols + 1);
    uint64_t **hashes = RDB_ARENA_NEWN(&d->a, uint64_t *, t->ncols + 1);
    size_t *nh = RDB_ARENA_NEWN(&d->a, size_t, t->ncols + 1);
    for (int c = 0; c < t->ncols; c++)
        hashes[c] = rdb_malloc(sizeof(uint64_t) * 1024);
    size_t cap = 1024;
    sql_sample_t *sample = sql_sample_new(t);
    sql_scan_t *s = sql_scan_open(d->ctx->txn, t, NULL);
    while (sql_scan_next(s, &a, row)) {
        n++;
        sql_sample_add(sample, row);
        if (n <= ANALYZE_SAMPLE && n > cap) {
            cap *= 2;
            for (int c = 0; c < t->ncols; c++)
                hashes[c] = rdb_realloc(hashes[c], sizeof(uint64_t) * cap);
        }
        for (int c = 0; c < t->ncols; c++) {
            const sql_value_t *v = &row[t->cols[c].colid];
            if (v->isnull)
                nulls[c]++;
            else if (n <= ANALYZE_SAMPLE)
                hashes[c][nh[c]++] = sql_value_hash(t->cols[c].type, v);
        }
        rdb_arena_reset(&a);
    }
    rdb_status_t rc = sql_scan_status(s, d->err);
    sql_scan_close(s);
    rdb_arena_destroy(&a);
    if (rc == RDB_OK) {
        sql_table_t *c = sql_table_clone(&d->a, t);
        c->rowcount_est = n;
        struct timespec now;
        clock_gettime(CLOCK_REALTIME, &now);
        /* PostgreSQL's timestamps count from 2000-01-01 */
        sql_tabstat_analyzed(t->id, (int64_t)n,
                             (int64_t)now.tv_sec * 1000000 + now.tv_nsec / 1000 - 946684800000000LL);
        for (int k = 0; k < c->ncols; k++) {
            uint64_t sampled = n < ANALYZE_SAMPLE ? n : ANALYZE_SAMPLE;
            c->cols[k].null_frac = n ? (float)((double)nulls[k] / (double)n) : 0;
            /* sampled non-NULL values stand for the table's non-NULL ones */
            uint64_t nonnull = n - nulls[k];
            double dist = estimate_distinct(hashes[k], nh[k], nonnull);
            c->cols[k].n_distinct = sampled ? dist : 0;
        }
        rc = sql_sample_stats(sample, &d->a, c, n, d->err);
        if (rc == RDB_OK)
            sql_catw_table(d->ctx->txn, c);
    }
    sql_sample_free(sample);
    for (int k = 0; k < t->ncols; k++)
        free(hashes[k]);
    return rc;
}

rdb_status_t ddl_vacuum(ddl_t *d, json_t *n)
{
    bool is_vacuum = dj_bool(n, "is_vacuumcmd");
    bool analyze = !is_vacuum;
    json_t *opt;
    size_t i;
    json_array_foreach(json_object_get(n, "options"), i, opt) {
        const char *name = dj_str(dj_node(opt, "DefElem"), "defname");
        if (name && strcmp(name, "analyze") == 0)
            analyze = true;
        else if (name && strcmp(name, "full") && strcmp(name, "verbose") && strcmp(name, "freeze") &&
                 strcmp(name, "skip_locked") && strcmp(name, "index_cleanup") &&
                 strcmp(name, "truncate") && strcmp(name, "parallel") &&
                 strcmp(name, "process_toast") && strcmp(name, "disable_page_skipping"))
            return ddl_error(d, "42601", "unrecognized %s option \"%s\"",
                             is_vacuum ? "VACUUM" : "ANALYZE", name);
    }
    strcpy(d->tag, is_vacuum ? "VACUUM" : "ANALYZE");
    json_t *rels = json_object_get(n, "rels");
    if (json_array_size(rels) == 0) {
        if (!analyze)
            return RDB_OK;
        const sql_catsnap_t *s = d->ctx->snap;
        for (int k = 0; k < sql_cat_count(s); k++) {
            const sql_table_t *t = sql_cat_at(s, k);
            if (t->schema_id == SQL_SCHEMA_PG_CATALOG || t->schema_id == SQL_SCHEMA_INFO)
                continue;
            rdb_status_t rc = analyze_rel(d, t);
            if (rc != RDB_OK)
                return rc;
        }
        return RDB_OK;
    }
    json_t *vr;
    json_array_foreach(rels, i, vr) {
        json_t *rv = json_object_get(dj_node(vr, "VacuumRelation"), "relation");
        const sql_table_t *t = ddl_find_rangevar(d, rv);
        if (!t)
            return ddl_error(d, "42P01", "relation \"%s\" does not exist", dj_str(rv, "relname"));
        if (analyze) {
            rdb_status_t rc = analyze_rel(d, t);
            if (rc != RDB_OK)
                return rc;
        }
    }
    return RDB_OK;
}

/* --- schemas and databases ----------------------------------------------------- */

rdb_status_t ddl_create_schema(ddl_t *d, json_t *n)
{
    strcpy(d->tag, "CREATE SCHEMA");
    const char *name = dj_str(n, "schemaname");
    json_t *authrole = json_object_get(n, "authrole");
    const char *owner = d->ctx->user;
    if (authrole) {
        const char *rn = dj_str(dj_node(authrole, "RoleSpec") ? dj_node(authrole, "RoleSpec") : authrole,
                                "rolename");
        if (rn) {
            if (!sql_cat_role(d->ctx->snap, rn))
                return ddl_error(d, "42704", "role \"%s\" does not exist", rn);
            owner = rn;
            if (!name)
                name = rn;
        }
    }
    if (!name)
        return ddl_error(d, "42601", "syntax error: schema name missing");
    if (json_array_size(json_object_get(n, "schemaElts")))
        return ddl_unsupported(d, "CREATE SCHEMA with schema elements");
    if (sql_cat_schema(d->ctx->snap, name)) {
        if (dj_bool(n, "if_not_exists")) {
            ddl_notice(d, "42P06", "schema \"%s\" already exists, skipping", name);
            return RDB_OK;
        }
        return ddl_error(d, "42P06", "schema \"%s\" already exists", name);
    }
    if (strncmp(name, "pg_", 3) == 0) {
        ddl_error(d, "42939", "unacceptable schema name \"%s\"", name);
        rdb_err_detail(d->err, "The prefix \"pg_\" is reserved for system schemas.");
        return RDB_SQL;
    }
    sql_schema_t sc = { sql_catalog_alloc_id(d->ctx->catalog, d->ctx->txn), (char *)name,
                        (char *)owner };
    sql_catw_schema(d->ctx->txn, &sc);
    return RDB_OK;
}

/* --- dispatch ---------------------------------------------------------------- */

static const char *const ddl_nodes[] = {
    "CreateStmt", "CreateTableAsStmt", "DropStmt", "AlterTableStmt", "RenameStmt",
    "TruncateStmt", "IndexStmt", "ViewStmt", "CreateSeqStmt", "AlterSeqStmt",
    "CreateSchemaStmt", "CreateRoleStmt", "AlterRoleStmt", "DropRoleStmt", "CommentStmt",
    "VacuumStmt", "CreatedbStmt", "DropdbStmt",
};

bool sql_is_ddl(const char *node_name)
{
    for (size_t i = 0; i < sizeof ddl_nodes / sizeof ddl_nodes[0]; i++)
        if (strcmp(ddl_nodes[i], node_name) == 0)
            return true;
    return false;
}

static rdb_status_t ddl_database(ddl_t *d, const char *node, json_t *n)
{
    const char *name = dj_str(n, "dbname");
    bool create = strcmp(node, "CreatedbStmt") == 0;
    strcpy(d->tag, create ? "CREATE DATABASE" : "DROP DATABASE");
    bool exists = name && sql_cat_database_exists(d->ctx->snap, name);
    if (create && exists)
        return ddl_error(d, "42P04", "database \"%s\" already exists", name);
    if (!create && !exists) {
        if (dj_bool(n, "missing_ok")) {
            ddl_notice(d, "00000", "database \"%s\" does not exist, skipping", name ? name : "");
            return RDB_OK;
        }
        return ddl_error(d, "3D000", "database \"%s\" does not exist", name ? name : "");
    }
    if (!create)
        return ddl_error(d, "55006", "cannot drop the currently open database");
    return ddl_error(d, RDB_SQLSTATE_FEATURE_NOT_SUPPORTED,
                     "CREATE DATABASE is not supported: ringdb has the one database \"postgres\"");
}

rdb_status_t sql_ddl_exec(sql_ddl_ctx_t *ctx, const char *node_name, json_t *node, char tag[64],
                          void (*notice)(void *arg, const rdb_err_t *n), void *notice_arg,
                          rdb_err_t *err)
{
    ddl_t d = { .ctx = ctx, .err = err, .notice = notice, .notice_arg = notice_arg, .tag = tag };
    rdb_arena_init(&d.a, 0);
    tag[0] = '\0';
    json_t *n = json_object_get(node, node_name);
    if (!n)
        n = node; /* given the inner object already */
    sql_pgjson_fix(n, ctx->sql); /* libpg_query 15.4 drops negative integers */
    rdb_status_t rc;
    if (strcmp(node_name, "CreateStmt") == 0)
        rc = ddl_create_table(&d, n);
    else if (strcmp(node_name, "CreateTableAsStmt") == 0)
        rc = ddl_create_table_as(&d, n);
    else if (strcmp(node_name, "DropStmt") == 0)
        rc = ddl_drop(&d, n);
    else if (strcmp(node_name, "AlterTableStmt") == 0)
        rc = ddl_alter_table(&d, n);
    else if (strcmp(node_name, "RenameStmt") == 0)
        rc = ddl_rename(&d, n);
    else if (strcmp(node_name, "TruncateStmt") == 0)
        rc = ddl_truncate(&d, n);
    else if (strcmp(node_name, "IndexStmt") == 0)
        rc = ddl_create_index(&d, n);
    else if (strcmp(node_name, "ViewStmt") == 0)
        rc = ddl_create_view(&d, n);
    else if (strcmp(node_name, "CreateSeqStmt") == 0)
        rc = ddl_create_seq(&d, n);
    else if (strcmp(node_name, "AlterSeqStmt") == 0)
        rc = ddl_alter_seq(&d, n);
    else if (strcmp(node_name, "CreateSchemaStmt") == 0)
        rc = ddl_create_schema(&d, n);
    else if (strcmp(node_name, "CreateRoleStmt") == 0)
        rc = ddl_create_role(&d, n);
    else if (strcmp(node_name, "AlterRoleStmt") == 0)
        rc = ddl_alter_role(&d, n);
    else if (strcmp(node_name, "DropRoleStmt") == 0)
        rc = ddl_drop_role(&d, n);
    else if (strcmp(node_name, "CommentStmt") == 0)
        rc = ddl_comment(&d, n);
    else if (strcmp(node_name, "VacuumStmt") == 0)
        rc = ddl_vacuum(&d, n);
    else if (strcmp(node_name, "CreatedbStmt") == 0 || strcmp(node_name, "DropdbStmt") == 0)
        rc = ddl_database(&d, node_name, n);
    else
        rc = rdb_err_set(err, RDB_SQL, RDB_SQLSTATE_FEATURE_NOT_SUPPORTED,
                         "statement %s is not supported", node_name);
    if (rc == RDB_OK)
        report_cascades(&d);
    rdb_buf_free(&d.cascades);
    free(d.newnames);
    free(d.dropped);
    rdb_arena_destroy(&d.a);
    return rc;
}
