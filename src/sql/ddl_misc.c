/*
 * ddl_misc.c — CREATE VIEW, CREATE / ALTER SEQUENCE, CREATE / ALTER / DROP
 * ROLE.
 *
 * Views are stored as the JSON of their SelectStmt plus the text of the
 * query as written (cut out of ctx->sql after the AS); the query side
 * expands them.  Creating a view runs its query once through
 * ctx->run_query with LIMIT 0 to learn its columns (and to fail as
 * PostgreSQL does when the query is invalid); without a query engine the
 * view is stored without columns.  Its dependencies are the relations its
 * RangeVars resolve to (names that resolve to nothing are taken for CTE
 * names).
 *
 * Roles: PASSWORD 'x' is stored as a SCRAM-SHA-256 verifier, a password
 * given already hashed (SCRAM-SHA-256$... or md5 + 32 hex digits) as is.
 * Only superusers (or CREATEROLE roles, for non-superusers) manage roles.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/mem.h"
#include "sql/ddl_int.h"
#include "sql/view_dml.h"

/* --- CREATE VIEW ---------------------------------------------------------------- */

static const char *skip_space(const char *p)
{
    for (;;) {
        while (*p && isspace((unsigned char)*p))
            p++;
        if (p[0] == '-' && p[1] == '-') {
            while (*p && *p != '\n')
                p++;
        } else if (p[0] == '/' && p[1] == '*') {
            const char *e = strstr(p + 2, "*/");
            p = e ? e + 2 : p + strlen(p);
        } else {
            return p;
        }
    }
}

/* Skip one token: identifier (dotted, quoted), a parenthesised group, or a
 * string literal. */
static const char *skip_token(const char *p)
{
    if (*p == '(') {
        int depth = 0;
        while (*p) {
            if (*p == '\'' || *p == '"') {
                char q = *p++;
                while (*p && !(*p == q && p[1] != q))
                    p += *p == q ? 2 : 1;
                if (*p)
                    p++;
                continue;
            }
            if (*p == '(')
                depth++;
            else if (*p == ')' && --depth == 0)
                return p + 1;
            p++;
        }
        return p;
    }
    while (*p && !isspace((unsigned char)*p) && *p != '(' && *p != ';') {
        if (*p == '"') {
            p++;
            while (*p && !(*p == '"' && p[1] != '"'))
                p += *p == '"' ? 2 : 1;
            if (*p)
                p++;
        } else {
            p++;
        }
    }
    return p;
}

static bool kw(const char *p, const char *word)
{
    size_t n = strlen(word);
    return strncasecmp(p, word, n) == 0 && (isspace((unsigned char)p[n]) || p[n] == '(' || !p[n]);
}

/* The query text of CREATE VIEW name [(cols)] [WITH (...)] AS query. */
static char *view_text(ddl_t *d, const char *sql, int location)
{
    if (!sql || location < 0 || (size_t)location >= strlen(sql))
        return NULL;
    const char *p = skip_space(skip_token(sql + location));
    if (*p == '(')
        p = skip_space(skip_token(p));
    if (kw(p, "with")) {
        p = skip_space(p + 4);
        p = skip_space(skip_token(p));
    }
    if (!kw(p, "as"))
        return NULL;
    const char *start = skip_space(p + 2), *e = start;
    int depth = 0;
    while (*e) {
        if (*e == '\'' || *e == '"') {
            char q = *e++;
            while (*e && !(*e == q && e[1] != q))
                e += *e == q ? 2 : 1;
            if (*e)
                e++;
            continue;
        }
        if (*e == '(')
            depth++;
        else if (*e == ')')
            depth--;
        else if (*e == ';' && depth <= 0)
            break;
        e++;
    }
    while (e > start && isspace((unsigned char)e[-1]))
        e--;
    return rdb_arena_strndup(&d->a, start, (size_t)(e - start));
}

static void collect_deps(ddl_t *d, json_t *e, uint32_t **deps, int *n, int *cap)
{
    if (json_is_object(e)) {
        json_t *rv = json_object_get(e, "RangeVar");
        if (rv) {
            const sql_table_t *t = ddl_find_rangevar(d, rv);
            bool seen = false;
            for (int i = 0; t && i < *n; i++)
                seen |= (*deps)[i] == t->id;
            if (t && !seen) {
                if (*n == *cap) {
                    *cap = *cap ? *cap * 2 : 8;
                    *deps = rdb_arena_grow(&d->a, *deps, (size_t)*n, (size_t)*cap, sizeof **deps);
                }
                (*deps)[(*n)++] = t->id;
            }
        }
        const char *k;
        json_t *v;
        json_object_foreach(e, k, v)
            collect_deps(d, v, deps, n, cap);
    } else if (json_is_array(e)) {
        size_t i;
        json_t *v;
        json_array_foreach(e, i, v)
            collect_deps(d, v, deps, n, cap);
    }
}

typedef struct viewcols {
    ddl_t       *d;
    sql_table_t *v;
    json_t      *aliases;
    bool         done;
} viewcols_t;

static rdb_status_t view_cols_cb(void *arg, int ncols, const char *const *names,
                                 const sql_type_t *types, const sql_value_t *row, rdb_err_t *err)
{
    viewcols_t *vc = arg;
    ddl_t *d = vc->d;
    (void)row;
    (void)err;
    if (vc->done)
        return RDB_OK;
    vc->done = true;
    size_t na = json_array_size(vc->aliases);
    if ((int)na > ncols)
        return ddl_error(d, "42601", "CREATE VIEW specifies more column names than columns");
    sql_table_t *v = vc->v;
    v->cols = RDB_ARENA_NEWN(&d->a, sql_column_t, ncols + 1);
    for (int i = 0; i < ncols; i++) {
        const char *cn = (size_t)i < na ? dj_sval(json_array_get(vc->aliases, (size_t)i)) : names[i];
        for (int j = 0; j < i; j++)
            if (strcmp(v->cols[j].name, cn) == 0)
                return ddl_error(d, "42701", "column \"%s\" specified more than once", cn);
        v->cols[i].name = rdb_arena_strdup(&d->a, cn);
        v->cols[i].colid = (uint16_t)i;
        v->cols[i].attnum = (int16_t)(i + 1);
        v->cols[i].type = types[i];
        if (v->cols[i].type.oid == SQL_OID_UNKNOWN)
            v->cols[i].type.oid = SQL_OID_TEXT;
    }
    v->ncols = ncols;
    v->nrowcols = (uint16_t)ncols;
    return RDB_OK;
}

/* CREATE VIEW v (a, b) AS ...: put the names on the query's output
 * columns (ResTarget.name), so that expanding the stored query gives them.
 * Set operations name their columns after the leftmost SELECT.  A target
 * that is a star expands to several columns: stop there. */
static void apply_aliases(json_t *query, json_t *aliases)
{
    json_t *sel = json_object_get(query, "SelectStmt");
    while (sel && json_object_get(sel, "larg")) /* larg is a bare SelectStmt */
        sel = json_object_get(sel, "larg");
    json_t *tl = json_object_get(sel, "targetList");
    for (size_t i = 0; i < json_array_size(aliases) && i < json_array_size(tl); i++) {
        json_t *rt = json_object_get(json_array_get(tl, i), "ResTarget");
        json_t *cr = json_object_get(json_object_get(rt, "val"), "ColumnRef");
        json_t *f = json_object_get(cr, "fields");
        if (!rt || json_object_get(json_array_get(f, json_array_size(f) - 1), "A_Star"))
            return;
        const char *name = dj_sval(json_array_get(aliases, i));
        if (name)
            json_object_set_new(rt, "name", json_string(name));
    }
}

rdb_status_t ddl_create_view(ddl_t *d, json_t *n)
{
    strcpy(d->tag, "CREATE VIEW");
    json_t *rv = json_object_get(n, "view");
    const char *name = dj_str(rv, "relname");
    const char *pers = dj_str(rv, "relpersistence");
    if (pers && *pers == 't')
        return ddl_unsupported(d, "CREATE TEMPORARY VIEW");
    const char *wco = dj_str(n, "withCheckOption");
    char check = wco && strcmp(wco, "LOCAL_CHECK_OPTION") == 0      ? 'l'
               : wco && strcmp(wco, "CASCADED_CHECK_OPTION") == 0 ? 'c' : 0;
    if (json_array_size(json_object_get(n, "options")))
        return ddl_unsupported(d, "CREATE VIEW ... WITH (options)");
    const sql_schema_t *sc;
    rdb_status_t rc = ddl_creation_schema(d, dj_str(rv, "schemaname"), &sc);
    if (rc != RDB_OK)
        return rc;
    const sql_table_t *old = sql_cat_find(d->ctx->snap, sc->name, name, NULL, 0);
    bool replace = dj_bool(n, "replace") && old;
    if (replace && old->relkind != SQL_REL_VIEW)
        return ddl_error(d, "42809", "\"%s\" is not a view", name);
    if (!replace && ddl_name_taken(d, sc->id, name))
        return ddl_error(d, "42P07", "relation \"%s\" already exists", name);
    json_t *query = json_object_get(n, "query");
    sql_table_t *v = ddl_new_rel(d, sc->id, sc->name, name, SQL_REL_VIEW);
    if (replace)
        v->id = old->id;
    apply_aliases(query, json_object_get(n, "aliases"));
    if (check) {
        ast_select_t *q;
        if (sql_parse_select_json(&d->a, query, &q, d->err) != RDB_OK)
            return RDB_SQL;
        const char *why = sql_view_not_updatable(q, true);
        if (why) {
            ddl_error(d, "0A000", "WITH CHECK OPTION is supported only on automatically updatable views");
            rdb_err_hint(d->err, "%s", why);
            return RDB_SQL;
        }
    }
    v->view_check = check;
    v->view_json = dj_dump(d, query);
    v->view_sql = view_text(d, d->ctx->sql, (int)json_integer_value(json_object_get(rv, "location")));
    int cap = 0;
    v->deps = NULL;
    collect_deps(d, query, &v->deps, &v->ndeps, &cap);
    if (!v->deps)
        v->deps = RDB_ARENA_NEWN(&d->a, uint32_t, 1);
    if (d->ctx->run_query) {
        json_t *q = json_deep_copy(query);
        json_t *sel = json_object_get(q, "SelectStmt");
        if (sel && !json_object_get(sel, "limitCount")) {
            json_object_set_new(sel, "limitCount", json_pack("{s:{s:{s:i}}}", "A_Const", "ival", "ival", 0));
            json_object_set_new(sel, "limitOption", json_string("LIMIT_OPTION_COUNT"));
        }
        viewcols_t vc = { .d = d, .v = v, .aliases = json_object_get(n, "aliases") };
        rc = d->ctx->run_query(d->ctx, q, view_cols_cb, &vc, d->err);
        json_decref(q);
        if (rc != RDB_OK)
            return rc;
    }
    ddl_name_add(d, sc->id, name);
    sql_catw_table(d->ctx->txn, v);
    return RDB_OK;
}

/* --- sequences ------------------------------------------------------------------ */

static rdb_status_t seq_owned_by(ddl_t *d, sql_table_t *s, json_t *owned)
{
    json_t *items = json_object_get(dj_node(owned, "List"), "items");
    size_t n = json_array_size(items);
    if (n == 1 && dj_sval(json_array_get(items, 0)) &&
        strcmp(dj_sval(json_array_get(items, 0)), "none") == 0) {
        s->seq->owned_by_table = 0;
        s->seq->owned_by_colid = 0;
        return RDB_OK;
    }
    if (n < 2)
        return ddl_error(d, "42601", "invalid OWNED BY option");
    const char *col = dj_sval(json_array_get(items, n - 1));
    const char *tname = dj_sval(json_array_get(items, n - 2));
    const char *schema = n > 2 ? dj_sval(json_array_get(items, n - 3)) : NULL;
    const sql_table_t *t = ddl_find_rel(d, schema, tname ? tname : "");
    if (!t)
        return ddl_error(d, "42P01", "relation \"%s\" does not exist", tname ? tname : "");
    if (t->relkind != SQL_REL_TABLE)
        return ddl_error(d, "42809", "sequence cannot be owned by relation \"%s\"", t->name);
    if (t->schema_id != s->schema_id)
        return ddl_error(d, "55000", "sequence must be in same schema as table it is linked to");
    const sql_column_t *c = sql_table_column(t, col ? col : "");
    if (!c)
        return ddl_error(d, "42703", "column \"%s\" of relation \"%s\" does not exist",
                         col ? col : "", t->name);
    s->seq->owned_by_table = t->id;
    s->seq->owned_by_colid = c->colid;
    return RDB_OK;
}

rdb_status_t ddl_create_seq(ddl_t *d, json_t *n)
{
    strcpy(d->tag, "CREATE SEQUENCE");
    json_t *rv = json_object_get(n, "sequence");
    const char *name = dj_str(rv, "relname");
    const char *pers = dj_str(rv, "relpersistence");
    if (pers && *pers == 't')
        return ddl_unsupported(d, "CREATE TEMPORARY SEQUENCE");
    const sql_schema_t *sc;
    rdb_status_t rc = ddl_creation_schema(d, dj_str(rv, "schemaname"), &sc);
    if (rc != RDB_OK)
        return rc;
    if (ddl_name_taken(d, sc->id, name)) {
        if (dj_bool(n, "if_not_exists")) {
            ddl_notice(d, "42P07", "relation \"%s\" already exists, skipping", name);
            return RDB_OK;
        }
        return ddl_error(d, "42P07", "relation \"%s\" already exists", name);
    }
    sql_table_t *s = ddl_new_rel(d, sc->id, sc->name, name, SQL_REL_SEQUENCE);
    s->seq = RDB_ARENA_NEW(&d->a, sql_sequence_t);
    s->seq->type = (sql_type_t){ SQL_OID_INT8, -1 };
    s->seq->increment = 1;
    s->seq->cache = 1;
    bool restart;
    int64_t rw;
    json_t *owned = NULL;
    if ((rc = ddl_seq_options(d, s->seq, json_object_get(n, "options"), true, &restart, &rw,
                              &owned)) != RDB_OK)
        return rc;
    if (owned && (rc = seq_owned_by(d, s, owned)) != RDB_OK)
        return rc;
    ddl_name_add(d, sc->id, name);
    sql_catw_table(d->ctx->txn, s);
    return RDB_OK;
}

rdb_status_t ddl_alter_seq(ddl_t *d, json_t *n)
{
    strcpy(d->tag, "ALTER SEQUENCE");
    json_t *rv = json_object_get(n, "sequence");
    rdb_status_t frc;
    const sql_table_t *t = ddl_alter_target(d, rv, dj_bool(n, "missing_ok"), &frc);
    if (!t)
        return frc;
    if (!t->seq)
        return ddl_error(d, "42809", "\"%s\" is not a sequence", t->name);
    sql_table_t *s = sql_table_clone(&d->a, t);
    bool restart;
    int64_t rw;
    json_t *owned = NULL;
    rdb_status_t rc = ddl_seq_options(d, s->seq, json_object_get(n, "options"), false, &restart,
                                      &rw, &owned);
    if (rc != RDB_OK)
        return rc;
    if (owned && (rc = seq_owned_by(d, s, owned)) != RDB_OK)
        return rc;
    s->seq->restart_gen++;
    if (restart)
        sql_seq_state_put(d->ctx->txn, s->id, rw == INT64_MIN ? s->seq->start : rw, false);
    sql_catw_table(d->ctx->txn, s);
    return RDB_OK;
}

/* --- roles ------------------------------------------------------------------------ */

static const sql_role_t *current_role(ddl_t *d)
{
    return d->ctx->user ? sql_cat_role(d->ctx->snap, d->ctx->user) : NULL;
}

static const char *rolespec_name(ddl_t *d, json_t *rs)
{
    json_t *r = dj_node(rs, "RoleSpec") ? dj_node(rs, "RoleSpec") : rs;
    const char *type = dj_str(r, "roletype");
    if (type && (strcmp(type, "ROLESPEC_CURRENT_USER") == 0 ||
                 strcmp(type, "ROLESPEC_SESSION_USER") == 0 ||
                 strcmp(type, "ROLESPEC_CURRENT_ROLE") == 0))
        return d->ctx->user;
    return dj_str(r, "rolename");
}

static rdb_status_t role_options(ddl_t *d, sql_role_t *r, json_t *options)
{
    json_t *o;
    size_t i;
    json_array_foreach(options, i, o) {
        json_t *de = dj_node(o, "DefElem");
        const char *name = dj_str(de, "defname");
        json_t *arg = json_object_get(de, "arg");
        bool bv = json_is_true(json_object_get(dj_node(arg, "Boolean"), "boolval"));
        if (!name)
            continue;
        if (strcmp(name, "canlogin") == 0) {
            r->login = bv;
        } else if (strcmp(name, "superuser") == 0) {
            r->superuser = bv;
        } else if (strcmp(name, "createdb") == 0) {
            r->createdb = bv;
        } else if (strcmp(name, "createrole") == 0) {
            r->createrole = bv;
        } else if (strcmp(name, "password") == 0) {
            const char *pw = dj_sval(arg);
            if (!pw) {
                r->password = NULL;
            } else if (!*pw) {
                ddl_notice(d, "00000", "empty string is not a valid password, clearing password");
                r->password = NULL;
            } else if (strncmp(pw, "SCRAM-SHA-256$", 14) == 0 ||
                       (strncmp(pw, "md5", 3) == 0 && strlen(pw) == 35)) {
                r->password = rdb_arena_strdup(&d->a, pw);
            } else {
                char *v = sql_scram_verifier(pw);
                if (!v)
                    return ddl_error(d, "XX000", "could not compute the SCRAM verifier");
                r->password = rdb_arena_strdup(&d->a, v);
                free(v);
            }
        } else if (strcmp(name, "validUntil") == 0) {
            const char *s = dj_sval(arg);
            if (!s || strcasecmp(s, "infinity") == 0) {
                r->valid_until_ms = 0;
            } else {
                sql_format_settings_t fs;
                sql_format_settings_default(&fs);
                sql_value_t v;
                sql_type_t tz = { SQL_OID_TIMESTAMPTZ, -1 };
                rdb_status_t rc = sql_value_in(&d->a, &fs, tz, s, strlen(s), &v, d->err);
                if (rc != RDB_OK)
                    return rc;
                r->valid_until_ms = v.u.i / 1000 + INT64_C(946684800000);
            }
        } else if (strcmp(name, "inherit") == 0 || strcmp(name, "connectionlimit") == 0 ||
                   strcmp(name, "sysid") == 0) {
            /* no effect in ringdb: every role inherits, no connection limits */
        } else if (strcmp(name, "isreplication") == 0 || strcmp(name, "bypassrls") == 0) {
            if (bv) {
                char what[64];
                snprintf(what, sizeof what, "role option %s", strcmp(name, "bypassrls") ? "REPLICATION" : "BYPASSRLS");
                return ddl_unsupported(d, what);
            }
        } else {
            return ddl_unsupported(d, "role membership (IN ROLE / ROLE / ADMIN)");
        }
    }
    return RDB_OK;
}

static bool reserved_role(ddl_t *d, const char *name)
{
    static const char *const words[] = { "public", "none", "current_user", "session_user",
                                         "current_role" };
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (strcmp(name, words[i]) == 0) {
            ddl_error(d, "42939", "role name \"%s\" is reserved", name);
            return true;
        }
    if (strncmp(name, "pg_", 3) == 0) {
        ddl_error(d, "42939", "role name \"%s\" is reserved", name);
        rdb_err_detail(d->err, "Role names starting with \"pg_\" are reserved.");
        return true;
    }
    return false;
}

rdb_status_t ddl_create_role(ddl_t *d, json_t *n)
{
    strcpy(d->tag, "CREATE ROLE");
    const char *name = dj_str(n, "role");
    const char *st = dj_str(n, "stmt_type");
    const sql_role_t *me = current_role(d);
    if (!name)
        return ddl_error(d, "42601", "role name missing");
    if (reserved_role(d, name))
        return RDB_SQL;
    if (!me || (!me->superuser && !me->createrole))
        return ddl_error(d, "42501", "permission denied to create role");
    if (sql_cat_role(d->ctx->snap, name))
        return ddl_error(d, "42710", "role \"%s\" already exists", name);
    sql_role_t r = { .name = (char *)name, .login = st && strcmp(st, "ROLESTMT_USER") == 0 };
    rdb_status_t rc = role_options(d, &r, json_object_get(n, "options"));
    if (rc != RDB_OK)
        return rc;
    if (r.superuser && !me->superuser)
        return ddl_error(d, "42501", "must be superuser to create superusers");
    r.id = sql_catalog_alloc_id(d->ctx->catalog, d->ctx->txn);
    sql_catw_role(d->ctx->txn, &r);
    return RDB_OK;
}

rdb_status_t ddl_alter_role(ddl_t *d, json_t *n)
{
    strcpy(d->tag, "ALTER ROLE");
    const char *name = rolespec_name(d, json_object_get(n, "role"));
    const sql_role_t *old = name ? sql_cat_role(d->ctx->snap, name) : NULL;
    const sql_role_t *me = current_role(d);
    if (!old)
        return ddl_error(d, "42704", "role \"%s\" does not exist", name ? name : "");
    sql_role_t r = *old;
    rdb_status_t rc = role_options(d, &r, json_object_get(n, "options"));
    if (rc != RDB_OK)
        return rc;
    bool self_pw_only = me && strcmp(me->name, old->name) == 0 && r.superuser == old->superuser &&
                        r.login == old->login && r.createdb == old->createdb &&
                        r.createrole == old->createrole;
    if (!me || (!me->superuser && !self_pw_only &&
                (!me->createrole || old->superuser || r.superuser)))
        return ddl_error(d, "42501", "permission denied");
    sql_catw_role(d->ctx->txn, &r);
    return RDB_OK;
}

rdb_status_t ddl_drop_role(ddl_t *d, json_t *n)
{
    strcpy(d->tag, "DROP ROLE");
    const sql_role_t *me = current_role(d);
    json_t *rs;
    size_t i;
    json_array_foreach(json_object_get(n, "roles"), i, rs) {
        const char *name = rolespec_name(d, rs);
        const sql_role_t *r = name ? sql_cat_role(d->ctx->snap, name) : NULL;
        if (!r) {
            if (dj_bool(n, "missing_ok")) {
                ddl_notice(d, "00000", "role \"%s\" does not exist, skipping", name ? name : "");
                continue;
            }
            return ddl_error(d, "42704", "role \"%s\" does not exist", name ? name : "");
        }
        if (!me || (!me->superuser && (!me->createrole || r->superuser)))
            return ddl_error(d, "42501", "permission denied to drop role");
        if (d->ctx->user && strcmp(name, d->ctx->user) == 0)
            return ddl_error(d, "55006", "current user cannot be dropped");
        const sql_catsnap_t *s = d->ctx->snap;
        for (int k = 0; k < sql_cat_count(s); k++) {
            const sql_table_t *t = sql_cat_at(s, k);
            if (t->owner && strcmp(t->owner, name) == 0) {
                ddl_error(d, "2BP01", "role \"%s\" cannot be dropped because some objects depend on it",
                          name);
                rdb_err_detail(d->err, "owner of %s %s",
                               t->relkind == SQL_REL_VIEW ? "view"
                               : t->relkind == SQL_REL_SEQUENCE ? "sequence" : "table", t->name);
                return RDB_SQL;
            }
        }
        sql_catw_role_delete(d->ctx->txn, name);
    }
    return RDB_OK;
}
