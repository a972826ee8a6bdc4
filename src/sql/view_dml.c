/*
 * view_dml.c — INSERT, UPDATE and DELETE through views (view_dml.h).
 *
 * The rewrite works on the syntax tree, one view at a time: the view's
 * query (parsed again from its stored JSON) gives each view column an
 * expression over the base relation; a reference to a view column in the
 * statement (bare, or qualified with the view's name or the statement's
 * alias for it) is replaced by that expression.  Sub-selects inside the
 * statement are left as written.  View expressions are shared, not
 * copied: the binder only reads the tree.
 */
#include "sql/view_dml.h"

#include <string.h>

#include "sql/analyze.h"
#include "sql/types.h"

#define VIEW_DEPTH_MAX 32

static bool has_agg_window_srf(const ast_expr_t *e, char what)
{
    if (!e)
        return false;
    if (e->kind == AST_FUNC && e->nnames > 0) {
        const char *fn = e->names[e->nnames - 1];
        if (what == 'w' && e->over)
            return true;
        if (what == 'a' && !e->over && sql_is_agg_name(fn))
            return true;
        if (what == 's' && sql_binder_fn_kind(fn) == 's')
            return true;
    }
    if (e->kind == AST_SUBLINK)
        return has_agg_window_srf(e->arg, what);
    for (int i = 0; i < e->nargs; i++)
        if (has_agg_window_srf(e->args[i], what))
            return true;
    return has_agg_window_srf(e->arg, what) || has_agg_window_srf(e->def, what);
}

static bool targets_have(const ast_select_t *q, char what)
{
    for (int i = 0; i < q->ntargets; i++)
        if (has_agg_window_srf(q->targets[i].expr, what))
            return true;
    return false;
}

static const char *const SINGLE =
    "Views that do not select from a single table or view are not automatically updatable.";

/* A plain reference to a column of the base relation (alias balias)? */
static const char *plain_col(const ast_expr_t *e, const char *balias)
{
    if (!e || e->kind != AST_COLREF || e->star)
        return NULL;
    if (e->nnames == 1)
        return e->names[0];
    if (e->nnames == 2 && balias && strcmp(e->names[0], balias) == 0)
        return e->names[1];
    return NULL;
}

const char *sql_view_not_updatable(const ast_select_t *q, bool check_cols)
{
    if (q->op == AST_SETOP_NONE && (q->distinct || q->ndistinct_on))
        return "Views containing DISTINCT are not automatically updatable.";
    if (q->op == AST_SETOP_NONE && q->ngroup)
        return "Views containing GROUP BY are not automatically updatable.";
    if (q->op == AST_SETOP_NONE && q->having)
        return "Views containing HAVING are not automatically updatable.";
    if (q->op != AST_SETOP_NONE)
        return "Views containing UNION, INTERSECT, or EXCEPT are not automatically updatable.";
    if (q->nctes)
        return "Views containing WITH are not automatically updatable.";
    if (q->limit || q->offset)
        return "Views containing LIMIT or OFFSET are not automatically updatable.";
    if (targets_have(q, 'a') || has_agg_window_srf(q->where, 'a'))
        return "Views that return aggregate functions are not automatically updatable.";
    if (targets_have(q, 'w'))
        return "Views that return window functions are not automatically updatable.";
    if (targets_have(q, 's'))
        return "Views that return set-returning functions are not automatically updatable.";
    if (q->nvalues || q->nfrom != 1 || q->from[0]->kind != AST_FROM_REL)
        return SINGLE;
    if (check_cols) {
        const ast_from_t *f = q->from[0];
        const char *balias = f->alias ? f->alias : f->relname;
        bool found = false;
        for (int i = 0; i < q->ntargets && !found; i++)
            found = plain_col(q->targets[i].expr, balias) || q->targets[i].expr->star;
        if (!found)
            return "Views that have no updatable columns are not automatically updatable.";
    }
    return NULL;
}

/* One view, for the rewrite of one level. */
typedef struct vmap {
    rdb_arena_t       *a;
    rdb_err_t         *err;
    const sql_table_t *view;
    const char        *alias;   /* the statement's alias for the view, or NULL */
    int                n;
    const char       **names;   /* view columns */
    ast_expr_t       **exprs;   /* their expressions over the base */
    const char       **basecol; /* plain base column, or NULL */
    bool               strict;  /* an unknown bare column is an error (no other FROM item) */
    const char        *sql;     /* the statement's text, for error positions */
} vmap_t;

static int vm_find(const vmap_t *m, const char *name)
{
    for (int i = 0; i < m->n; i++)
        if (strcmp(m->names[i], name) == 0)
            return i;
    return -1;
}

static bool vm_names_view(const vmap_t *m, const char *q)
{
    return m->alias ? strcmp(q, m->alias) == 0 : strcmp(q, m->view->name) == 0;
}

/* e with the view's columns replaced (a new tree where anything changed). */
static rdb_status_t subst(vmap_t *m, ast_expr_t *e, ast_expr_t **out)
{
    *out = e;
    if (!e)
        return RDB_OK;
    if (e->kind == AST_COLREF && !e->star) {
        const char *col = NULL;
        if (e->nnames == 1)
            col = e->names[0];
        else if (e->nnames == 2 && vm_names_view(m, e->names[0]))
            col = e->names[1];
        if (!col)
            return RDB_OK;
        int k = vm_find(m, col);
        if (k >= 0) {
            *out = m->exprs[k];
            return RDB_OK;
        }
        if (e->nnames == 2) {
            rdb_err_set(m->err, RDB_SQL, "42703", "column %s.%s does not exist", e->names[0], col);
            sql_err_at(m->err, m->sql, e->loc);
            return RDB_SQL;
        }
        if (m->strict) {
            rdb_err_set(m->err, RDB_SQL, "42703", "column \"%s\" does not exist", col);
            sql_err_at(m->err, m->sql, e->loc);
            return RDB_SQL;
        }
        return RDB_OK;
    }
    if (e->kind == AST_SUBLINK) {
        ast_expr_t *na;
        if (subst(m, e->arg, &na) != RDB_OK)
            return RDB_SQL;
        if (na != e->arg) {
            ast_expr_t *c = RDB_ARENA_NEW(m->a, ast_expr_t);
            *c = *e;
            c->arg = na;
            *out = c;
        }
        return RDB_OK;
    }
    ast_expr_t *c = RDB_ARENA_NEW(m->a, ast_expr_t);
    *c = *e;
    if (e->nargs) {
        c->args = RDB_ARENA_NEWN(m->a, ast_expr_t *, e->nargs + 1);
        for (int i = 0; i < e->nargs; i++)
            if (subst(m, e->args[i], &c->args[i]) != RDB_OK)
                return RDB_SQL;
    }
    if (subst(m, e->arg, &c->arg) != RDB_OK || subst(m, e->def, &c->def) != RDB_OK)
        return RDB_SQL;
    *out = c;
    return RDB_OK;
}

static rdb_status_t not_updatable(rdb_err_t *err, ast_stmt_kind_t k, const char *view, const char *why)
{
    const char *verb = k == AST_S_INSERT ? "insert into" : k == AST_S_UPDATE ? "update" : "delete from";
    rdb_err_set(err, RDB_SQL, "55000", "cannot %s view \"%s\"", verb, view);
    rdb_err_detail(err, "%s", why);
    if (k == AST_S_INSERT)
        rdb_err_hint(err, "To enable inserting into the view, provide an INSTEAD OF INSERT trigger or an "
                          "unconditional ON INSERT DO INSTEAD rule.");
    else if (k == AST_S_UPDATE)
        rdb_err_hint(err, "To enable updating the view, provide an INSTEAD OF UPDATE trigger or an "
                          "unconditional ON UPDATE DO INSTEAD rule.");
    else
        rdb_err_hint(err, "To enable deleting from the view, provide an INSTEAD OF DELETE trigger or an "
                          "unconditional ON DELETE DO INSTEAD rule.");
    return RDB_SQL;
}

/* The view's target list with * expanded over the base relation. */
static rdb_status_t view_map(vmap_t *m, const ast_select_t *q, const sql_table_t *base, const char *balias)
{
    const sql_table_t *v = m->view;
    m->n = v->ncols;
    m->names = RDB_ARENA_NEWN(m->a, const char *, v->ncols + 1);
    m->exprs = RDB_ARENA_NEWN(m->a, ast_expr_t *, v->ncols + 1);
    m->basecol = RDB_ARENA_NEWN(m->a, const char *, v->ncols + 1);
    int k = 0;
    for (int i = 0; i < q->ntargets; i++) {
        ast_expr_t *e = q->targets[i].expr;
        if (e->kind == AST_COLREF && e->star) {
            for (int j = 0; j < base->ncols && k < v->ncols; j++, k++) {
                ast_expr_t *c = RDB_ARENA_NEW(m->a, ast_expr_t);
                c->kind = AST_COLREF;
                c->loc = -1;
                c->nnames = 1;
                c->names = RDB_ARENA_NEWN(m->a, const char *, 1);
                c->names[0] = base->cols[j].name;
                m->exprs[k] = c;
                m->basecol[k] = base->cols[j].name;
            }
            continue;
        }
        if (k < v->ncols) {
            m->exprs[k] = e;
            m->basecol[k] = plain_col(e, balias);
            k++;
        }
    }
    if (k != v->ncols)
        return rdb_err_set(m->err, RDB_SQL, "XX000", "view \"%s\" has %d columns but its query %d", v->name,
                           v->ncols, k);
    for (int i = 0; i < v->ncols; i++)
        m->names[i] = v->cols[i].name;
    return RDB_OK;
}

/* A column the statement assigns: its base column, or 0A000 / 42703. */
static rdb_status_t assigned(vmap_t *m, ast_stmt_kind_t k, const char *col, int loc, const char **out)
{
    int i = vm_find(m, col);
    if (i < 0) {
        rdb_err_set(m->err, RDB_SQL, "42703", "column \"%s\" of relation \"%s\" does not exist", col,
                    m->view->name);
        sql_err_at(m->err, m->sql, loc);
        return RDB_SQL;
    }
    if (!m->basecol[i]) {
        rdb_err_set(m->err, RDB_SQL, "0A000", "cannot %s column \"%s\" of view \"%s\"",
                    k == AST_S_INSERT ? "insert into" : "update", col, m->view->name);
        rdb_err_detail(m->err, "View columns that are not columns of their base relation are not updatable.");
        return RDB_SQL;
    }
    *out = m->basecol[i];
    return RDB_OK;
}

static ast_expr_t *and_expr(rdb_arena_t *a, ast_expr_t *x, ast_expr_t *y)
{
    if (!x)
        return y;
    if (!y)
        return x;
    ast_expr_t *e = RDB_ARENA_NEW(a, ast_expr_t);
    e->kind = AST_AND;
    e->loc = -1;
    e->nargs = 2;
    e->args = RDB_ARENA_NEWN(a, ast_expr_t *, 2);
    e->args[0] = x;
    e->args[1] = y;
    return e;
}

/* The number of columns an INSERT without a column list fills. */
static int insert_width(const ast_stmt_t *st, int nview)
{
    const ast_select_t *s = st->select;
    if (!s)
        return 0;
    if (s->nvalues)
        return s->nvalcols < nview ? s->nvalcols : nview;
    if (s->op != AST_SETOP_NONE)
        return nview;
    for (int i = 0; i < s->ntargets; i++)
        if (s->targets[i].expr && s->targets[i].expr->kind == AST_COLREF && s->targets[i].expr->star)
            return nview;
    return s->ntargets < nview ? s->ntargets : nview;
}

/* Rewrite st (on view v) one level down; sql: the statement's text for
 * error positions (NULL below the first level, where the names come from
 * view definitions). */
static rdb_status_t rewrite_one(rdb_arena_t *a, const sql_catsnap_t *snap, const char *const *path, int npath,
                                const char *sql, const sql_table_t *v, ast_stmt_t *st, ast_stmt_t **out,
                                rdb_err_t *err)
{
    json_error_t je;
    json_t *j = json_loads(v->view_json, 0, &je);
    if (!j)
        return rdb_err_set(err, RDB_SQL, "XX000", "view \"%s\" has a damaged definition", v->name);
    ast_select_t *q;
    rdb_status_t rc = sql_parse_select_json(a, j, &q, err);
    json_decref(j);
    if (rc != RDB_OK)
        return rc;
    const char *why = sql_view_not_updatable(q, st->kind != AST_S_DELETE);
    if (why)
        return not_updatable(err, st->kind, v->name, why);
    const ast_from_t *f = q->from[0];
    const sql_table_t *base = sql_cat_find(snap, f->schema, f->relname, path, npath);
    if (!base || (base->relkind != SQL_REL_TABLE && base->relkind != SQL_REL_VIEW))
        return not_updatable(err, st->kind, v->name, SINGLE);
    vmap_t m = { .a = a, .err = err, .view = v, .alias = st->rel.alias, .strict = st->nfrom == 0,
                 .sql = sql };
    if (view_map(&m, q, base, f->alias ? f->alias : f->relname) != RDB_OK)
        return RDB_SQL;
    ast_stmt_t *ns = RDB_ARENA_NEW(a, ast_stmt_t);
    *ns = *st;
    ns->rel.schema = f->schema;
    ns->rel.name = f->relname;
    ns->rel.alias = f->alias;
    if (st->kind == AST_S_INSERT) {
        if (st->on_conflict_nothing || st->on_conflict_update)
            return rdb_err_set(err, RDB_SQL, "0A000", "ON CONFLICT on a view is not supported");
        int n = st->ncols ? st->ncols : insert_width(st, m.n);
        ns->ncols = n;
        ns->cols = RDB_ARENA_NEWN(a, ast_target_t, n + 1);
        for (int i = 0; i < n; i++) {
            ns->cols[i] = st->ncols ? st->cols[i] : (ast_target_t){ NULL, m.names[i], -1 };
            if (assigned(&m, st->kind, ns->cols[i].name, ns->cols[i].loc, &ns->cols[i].name) != RDB_OK)
                return RDB_SQL;
        }
    } else {
        if (st->kind == AST_S_UPDATE) {
            ns->cols = RDB_ARENA_NEWN(a, ast_target_t, st->ncols + 1);
            for (int i = 0; i < st->ncols; i++) {
                ns->cols[i] = st->cols[i];
                if (assigned(&m, st->kind, st->cols[i].name, st->cols[i].loc, &ns->cols[i].name) != RDB_OK ||
                    subst(&m, st->cols[i].expr, &ns->cols[i].expr) != RDB_OK)
                    return RDB_SQL;
            }
        }
        ast_expr_t *w;
        if (subst(&m, st->where, &w) != RDB_OK)
            return RDB_SQL;
        ns->where = and_expr(a, w, q->where);
    }
    if (st->nreturning) {
        int cap = st->nreturning + m.n;
        ns->returning = RDB_ARENA_NEWN(a, ast_target_t, cap + 1);
        ns->nreturning = 0;
        for (int i = 0; i < st->nreturning; i++) {
            ast_target_t t = st->returning[i];
            ast_expr_t *e = t.expr;
            if (e->kind == AST_COLREF && e->star &&
                (e->nnames == 0 || (e->nnames == 1 && vm_names_view(&m, e->names[0])))) {
                if (ns->nreturning + m.n > cap) {
                    cap += m.n;
                    ast_target_t *r = RDB_ARENA_NEWN(a, ast_target_t, cap + 1);
                    memcpy(r, ns->returning, sizeof *r * (size_t)ns->nreturning);
                    ns->returning = r;
                }
                for (int k = 0; k < m.n; k++)
                    ns->returning[ns->nreturning++] = (ast_target_t){ m.exprs[k], m.names[k], t.loc };
                continue;
            }
            if (!t.name && e->kind == AST_COLREF && !e->star && e->nnames)
                t.name = e->names[e->nnames - 1];
            if (subst(&m, e, &t.expr) != RDB_OK)
                return RDB_SQL;
            if (ns->nreturning == cap) {
                cap *= 2;
                ast_target_t *r = RDB_ARENA_NEWN(a, ast_target_t, cap + 1);
                memcpy(r, ns->returning, sizeof *r * (size_t)ns->nreturning);
                ns->returning = r;
            }
            ns->returning[ns->nreturning++] = t;
        }
    }
    *out = ns;
    /* the conditions of CHECK OPTIONs above, now over this view's base */
    return RDB_OK;
}

rdb_status_t sql_view_dml_rewrite(rdb_arena_t *a, const sql_catsnap_t *snap, const char *const *path,
                                  int npath, const char *sql, ast_stmt_t *st, ast_stmt_t **out,
                                  sql_view_check_t **checks, int *nchecks, rdb_err_t *err)
{
    const ast_stmt_t *orig = st;
    *out = st;
    *checks = NULL;
    *nchecks = 0;
    bool cascaded = false;
    for (int depth = 0;; depth++) {
        const sql_table_t *v = sql_cat_find(snap, st->rel.schema, st->rel.name, path, npath);
        if (!v || v->relkind != SQL_REL_VIEW)
            return RDB_OK;
        if (depth == VIEW_DEPTH_MAX)
            return rdb_err_set(err, RDB_SQL, "42P17", "infinite recursion detected in rules for relation \"%s\"",
                               v->name);
        ast_stmt_t *ns = NULL;
        if (rewrite_one(a, snap, path, npath, st == orig ? sql : NULL, v, st, &ns, err) != RDB_OK)
            return RDB_SQL;
        if (st->kind != AST_S_DELETE && (*nchecks || v->view_check || cascaded)) {
            /* re-express the conditions so far over the next relation down */
            json_t *j = json_loads(v->view_json, 0, NULL);
            ast_select_t *q = NULL;
            rdb_status_t rc = j ? sql_parse_select_json(a, j, &q, err) : RDB_SQL;
            json_decref(j);
            if (rc != RDB_OK)
                return rdb_err_is_set(err) ? RDB_SQL
                                           : rdb_err_set(err, RDB_SQL, "XX000", "view \"%s\" has a damaged definition",
                                                         v->name);
            const ast_from_t *f = q->from[0];
            const sql_table_t *base = sql_cat_find(snap, f->schema, f->relname, path, npath);
            vmap_t m = { .a = a, .err = err, .view = v, .alias = st->rel.alias, .strict = false };
            if (!base || view_map(&m, q, base, f->alias ? f->alias : f->relname) != RDB_OK)
                return RDB_SQL;
            for (int i = 0; i < *nchecks; i++)
                if (subst(&m, (*checks)[i].cond, &(*checks)[i].cond) != RDB_OK)
                    return RDB_SQL;
            cascaded |= v->view_check == 'c';
            if ((v->view_check || cascaded) && q->where) {
                sql_view_check_t *c = RDB_ARENA_NEWN(a, sql_view_check_t, *nchecks + 1);
                if (*nchecks)
                    memcpy(c, *checks, sizeof *c * (size_t)*nchecks);
                c[*nchecks] = (sql_view_check_t){ v->name, q->where };
                *checks = c;
                (*nchecks)++;
            }
        }
        st = ns;
        *out = st;
    }
}
