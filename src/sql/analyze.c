/*
 * analyze.c — the binder (see analyze.h).
 *
 * Scopes.  A SELECT's FROM clause is bound into a flat list of range
 * entries, each naming its columns with their absolute position in the
 * FROM clause's combined row (left to right).  A base table's columns sit
 * at offset + colid (its row is the stored row).  JOIN ... USING/NATURAL
 * adds a range entry without a name holding the merged columns (for a
 * FULL join, COALESCE of both sides), and hides the two originals from
 * unqualified lookup and from '*', as PostgreSQL does.  Lookup walks up to
 * enclosing queries' scopes (correlated subqueries: EX_OUTER, and the
 * sublink is marked correlated).
 *
 * Aggregates.  When the query groups (GROUP BY, HAVING or an aggregate in
 * the select list or ORDER BY), targets are bound "above" the aggregate
 * node: an expression equal to a GROUP BY expression becomes a reference
 * to that group column, an aggregate call binds its arguments below and
 * becomes a reference to its result, and any other column reference is
 * 42803.  GROUP BY accepts output positions and output names, ORDER BY
 * too (output names first, as PostgreSQL does for a bare name).
 *
 * Everything is allocated in the statement's arena; errors leave nothing
 * to free.
 */
#include "sql/analyze.h"
#include "sql/view_dml.h"
#include "exec/window.h"
#include "sql/syscat.h"
#include "sql/array.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct scol {
    const char *name;
    sql_type_t  type;
    int         pos;
    bool        hidden;     /* merged away by USING/NATURAL */
    ex_expr_t  *expr;       /* merged column (FULL JOIN): expression instead of pos */
    uint32_t    tab;
    int16_t     attnum;
} scol_t;

typedef struct srel {
    const char *alias;      /* NULL: merged USING columns */
    int         ncols;
    scol_t     *cols;
    const sql_table_t *table;  /* a base table (its columns at offset + colid), else NULL */
    int         offset;
} srel_t;

typedef struct scope scope_t;
struct scope {
    srel_t  *rels;
    int      nrels, caprels;
    int      width;
    scope_t *parent;
    bool     corr;          /* something below referred to a parent scope */
    bool     no_outer;      /* lookups stop here */
};

/* A WITH clause's CTEs visible at this point: n of them (a CTE sees the
 * ones before it; in WITH RECURSIVE every one of them); rec[i] is set
 * while CTE i's recursive term is being bound. */
typedef struct recur recur_t;
typedef struct cte_frame {
    ast_cte_t        *ctes;
    int               n;
    struct cte_frame *up;
    bool              recursive;
    recur_t         **rec;
    bool             *busy;     /* CTE i is being bound (mutual recursion) */
} cte_frame_t;

/* A recursive CTE being bound: shape is NULL while its non-recursive
 * term is bound (a reference there is an error), then the working
 * table's columns.  depth is the SELECT nesting depth of the recursive
 * term: a reference deeper down is inside a subquery (42P19). */
struct recur {
    int     id;
    plan_t *shape;
    int     nrefs;
    int     depth;
};

/* Aggregate-mode state of one SELECT. */
typedef struct aggctx {
    int          ngroup;
    ex_expr_t  **group;      /* bound below the aggregate */
    int          naggs, capaggs;
    plan_agg_t  *aggs;
    scope_t     *below;
    const char  *where;      /* clause name for errors */
    int          nrefs, caprefs;
    ex_expr_t  **refs;       /* references to aggregate results (their idx
                              * moves when a group column is added) */
} aggctx_t;

typedef struct bctx {
    sql_bindenv_t *b;
    rdb_err_t     *err;
    aggctx_t      *agg;      /* non-NULL: binding above an aggregate */
    bool           in_agg;   /* inside an aggregate's arguments */
    const char    *noagg;    /* clause where aggregates are not allowed */
    struct winctx *win;      /* non-NULL: window function calls allowed */
    bool           in_win;   /* inside a window function call */
    const char    *nowin;    /* clause where window functions are not allowed */
    bool           lat_item;   /* binding a FROM item joined laterally: its
                                * subqueries and functions see the items before */
    bool           lat_bad;    /* inside the right side of a RIGHT/FULL join */
    scope_t       *hidden;     /* FROM items a derived table may not see (errors) */
    int            depth;      /* SELECT nesting depth */
    bool           nullable;   /* binding the nullable side of an outer join */
    const ast_select_t *lock_sel;   /* binding the FROM items of a SELECT ... FOR
                                     * UPDATE: its subqueries and views lock too */
} bctx_t;

#define A (c->b->a)

static rdb_status_t fail(bctx_t *c, const char *state, int loc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static rdb_status_t fail(bctx_t *c, const char *state, int loc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    rdb_err_setv(c->err, RDB_SQL, state, fmt, ap);
    va_end(ap);
    sql_err_at(c->err, c->b->sql, loc);
    return RDB_SQL;
}
static rdb_status_t at(bctx_t *c, int loc)
{
    if (c->err && c->err->position == 0)
        sql_err_at(c->err, c->b->sql, loc);
    return RDB_SQL;
}

static sql_type_t T(uint32_t oid) { sql_type_t t = { oid, -1 }; return t; }
static const char *tname(bctx_t *c, sql_type_t t)
{
    rdb_buf_t b = RDB_BUF_INIT;
    sql_type_format(t, &b);
    char *s = rdb_arena_strndup(A, b.data ? b.data : "", b.len);
    rdb_buf_free(&b);
    return s;
}

ex_expr_t *ex_col(rdb_arena_t *a, int idx, sql_type_t t)
{
    ex_expr_t *e = RDB_ARENA_NEW(a, ex_expr_t);
    e->kind = EX_COL;
    e->idx = idx;
    e->type = t;
    return e;
}
static ex_expr_t *ex_new(bctx_t *c, ex_kind_t k, sql_type_t t, int nargs)
{
    ex_expr_t *e = RDB_ARENA_NEW(A, ex_expr_t);
    e->kind = k;
    e->type = t;
    e->nargs = nargs;
    if (nargs)
        e->args = RDB_ARENA_NEWN(A, ex_expr_t *, nargs);
    return e;
}
static ex_expr_t *ex_const(bctx_t *c, sql_type_t t, sql_value_t v)
{
    ex_expr_t *e = ex_new(c, EX_CONST, t, 0);
    e->val = v;
    return e;
}

plan_t *plan_new(rdb_arena_t *a, plan_kind_t k, int ncols)
{
    plan_t *p = RDB_ARENA_NEW(a, plan_t);
    p->kind = k;
    p->ncols = ncols;
    p->types = RDB_ARENA_NEWN(a, sql_type_t, ncols + 1);
    p->names = RDB_ARENA_NEWN(a, const char *, ncols + 1);
    p->col_table = RDB_ARENA_NEWN(a, uint32_t, ncols + 1);
    p->col_attnum = RDB_ARENA_NEWN(a, int16_t, ncols + 1);
    p->est_rows = 1000;
    return p;
}

bool ex_shift(rdb_arena_t *a, const ex_expr_t *e, int delta, int width, ex_expr_t **out)
{
    if (!e) {
        *out = NULL;
        return true;
    }
    ex_expr_t *x = rdb_arena_memdup(a, e, sizeof *e);
    if (x->kind == EX_COL) {
        x->idx += delta;
        if (x->idx < 0 || x->idx >= width)
            return false;
    }
    if (x->kind != EX_SUBLINK || true) {
        if (e->nargs) {
            x->args = RDB_ARENA_NEWN(a, ex_expr_t *, e->nargs);
            /* a sublink's args[1] is over the sub row: leave it */
            for (int i = 0; i < e->nargs; i++) {
                if (ex_arg_over_sub(e, i))
                    x->args[i] = e->args[i];
                else if (!ex_shift(a, e->args[i], delta, width, &x->args[i]))
                    return false;
            }
        }
    }
    *out = x;
    return true;
}

bool ex_equal(const ex_expr_t *x, const ex_expr_t *y)
{
    if (x == y)
        return true;
    if (!x || !y || x->kind != y->kind || x->type.oid != y->type.oid ||
        x->type.typmod != y->type.typmod || x->nargs != y->nargs || x->flag != y->flag)
        return false;
    switch (x->kind) {
    case EX_CONST:
        if (x->val.isnull || y->val.isnull)
            return x->val.isnull == y->val.isnull;
        if (x->type.oid == SQL_OID_UNKNOWN)
            return x->val.u.v.len == y->val.u.v.len &&
                   memcmp(x->val.u.v.ptr, y->val.u.v.ptr, x->val.u.v.len) == 0;
        return sql_value_cmp(x->type, &x->val, &y->val) == 0;
    case EX_PARAM:
    case EX_COL:
        return x->idx == y->idx;
    case EX_OUTER:
        return x->idx == y->idx && x->levelsup == y->levelsup;
    case EX_SUBLINK:
    case EX_NEXTVAL:
        return false;
    case EX_FUNC:
    case EX_NULLIF:
    case EX_DISTINCT:
        if (x->fn->fn != y->fn->fn)
            return false;
        break;
    case EX_CAST:
        if (x->cast->fn != y->cast->fn)
            return false;
        break;
    case EX_SESSION:
        if (x->fn != y->fn)
            return false;
        break;
    default:
        break;
    }
    for (int i = 0; i < x->nargs; i++)
        if (!ex_equal(x->args[i], y->args[i]))
            return false;
    return true;
}

/* ---- scopes --------------------------------------------------------- */

static srel_t *scope_add(bctx_t *c, scope_t *s, const char *alias, int ncols)
{
    if (s->nrels == s->caprels) {
        int cap = s->caprels ? s->caprels * 2 : 4;
        srel_t *n = RDB_ARENA_NEWN(A, srel_t, cap);
        if (s->nrels)
            memcpy(n, s->rels, sizeof(srel_t) * s->nrels);
        s->rels = n;
        s->caprels = cap;
    }
    srel_t *r = &s->rels[s->nrels++];
    r->alias = alias;
    r->ncols = ncols;
    r->cols = RDB_ARENA_NEWN(A, scol_t, ncols + 1);
    return r;
}

static ex_expr_t *scol_ref(bctx_t *c, const scol_t *sc, int levelsup)
{
    if (sc->expr && levelsup == 0)
        return sc->expr;
    ex_expr_t *e = ex_col(A, sc->pos, sc->type);
    if (levelsup) {
        e->kind = EX_OUTER;
        e->levelsup = levelsup;
    }
    return e;
}

/* A qualified column reference whose range is not visible: PostgreSQL's
 * errorMissingRTE, with its hints for a table referred to by its name
 * instead of its alias and for a FROM item this part of the query may not
 * see. */
static rdb_status_t missing_rel(bctx_t *c, scope_t *s, const char *rel, int loc)
{
    for (scope_t *sc = s; sc; sc = sc->parent)
        for (int i = 0; i < sc->nrels; i++)
            if (sc->rels[i].table && sc->rels[i].alias && strcmp(sc->rels[i].table->name, rel) == 0 &&
                strcmp(sc->rels[i].alias, rel) != 0) {
                fail(c, "42P01", loc, "invalid reference to FROM-clause entry for table \"%s\"", rel);
                rdb_err_hint(c->err, "Perhaps you meant to reference the table alias \"%s\".", sc->rels[i].alias);
                return RDB_SQL;
            }
    for (scope_t *sc = c->hidden; sc; sc = sc->parent)
        for (int i = 0; i < sc->nrels; i++)
            if (sc->rels[i].alias && strcmp(sc->rels[i].alias, rel) == 0) {
                fail(c, "42P01", loc, "invalid reference to FROM-clause entry for table \"%s\"", rel);
                rdb_err_hint(c->err, "There is an entry for table \"%s\", but it cannot be referenced from "
                             "this part of the query.", rel);
                return RDB_SQL;
            }
    return fail(c, "42P01", loc, "missing FROM-clause entry for table \"%s\"", rel);
}

/* System columns: tableoid is the OID of the row's table (a constant per
 * range entry); ringdb rows have none of the others. */
static rdb_status_t system_col(bctx_t *c, scope_t *s, const char *rel, const char *col, int loc,
                               ex_expr_t **out)
{
    static const char *const others[] = { "ctid", "xmin", "xmax", "cmin", "cmax" };
    if (strcmp(col, "tableoid") == 0) {
        for (scope_t *sc = s; sc; sc = sc->parent) {
            const sql_table_t *t = NULL;
            const char *first = NULL;
            int n = 0;
            for (int i = 0; i < sc->nrels; i++) {
                srel_t *r = &sc->rels[i];
                if (!r->table || (rel && (!r->alias || strcmp(r->alias, rel) != 0)))
                    continue;
                if (!n)
                    first = r->alias;
                t = r->table;
                n++;
            }
            if (n > 1) {
                /* PostgreSQL: several tables' tableoid, no join column */
                fail(c, "42703", loc, "column \"%s\" does not exist", col);
                rdb_err_hint(c->err, "There is a column named \"%s\" in table \"%s\", but it cannot be "
                                     "referenced from this part of the query.", col, first ? first : "?");
                return RDB_SQL;
            }
            if (n == 1) {
                *out = ex_const(c, T(SQL_OID_OID), sql_int(t->id));
                return RDB_OK;
            }
            if (sc->no_outer)
                break;
        }
        return RDB_NOTFOUND;
    }
    for (size_t i = 0; i < sizeof others / sizeof others[0]; i++)
        if (strcmp(col, others[i]) == 0) {
            if (rel)
                fail(c, "42703", loc, "column %s.%s does not exist", rel, col);
            else
                fail(c, "42703", loc, "column \"%s\" does not exist", col);
            rdb_err_hint(c->err, "ringdb rows have no system column \"%s\"; tableoid is the only one.", col);
            return RDB_SQL;
        }
    return RDB_NOTFOUND;
}

static rdb_status_t lookup_col(bctx_t *c, scope_t *s, ast_expr_t *ast, ex_expr_t **out)
{
    const char *rel = ast->nnames >= 2 ? ast->names[ast->nnames - 2] : NULL;
    const char *col = ast->names[ast->nnames - 1];
    if (ast->nnames > 3 || (ast->nnames == 3 && strcmp(ast->names[0], "public") != 0 &&
                            strcmp(ast->names[0], "pg_catalog") != 0))
        return fail(c, "0A000", ast->loc, "cross-database references are not implemented: %s.%s.%s",
                    ast->names[0], ast->names[1], ast->names[2]);
    int level = 0;
    bool relfound = false;
    for (scope_t *sc = s; sc; sc = sc->parent, level++) {
        const scol_t *hit = NULL;
        int nhits = 0;
        for (int i = 0; i < sc->nrels; i++) {
            srel_t *r = &sc->rels[i];
            if (rel) {
                if (!r->alias || strcmp(r->alias, rel) != 0)
                    continue;
                relfound = true;
            }
            for (int j = 0; j < r->ncols; j++) {
                if (strcmp(r->cols[j].name, col) != 0 || (!rel && r->cols[j].hidden))
                    continue;
                if (!hit)
                    hit = &r->cols[j];
                nhits++;
            }
            if (rel && hit)
                break;
        }
        if (nhits > 1)
            return fail(c, "42702", ast->loc, "column reference \"%s\" is ambiguous", col);
        if (hit) {
            for (scope_t *m = s; m != sc; m = m->parent)
                m->corr = true;
            *out = scol_ref(c, hit, level);
            return RDB_OK;
        }
        if (rel && relfound) {
            rdb_status_t rc = system_col(c, sc, rel, col, ast->loc, out);
            if (rc != RDB_NOTFOUND)
                return rc;
            return fail(c, "42703", ast->loc, "column %s.%s does not exist", rel, col);
        }
        if (sc->no_outer)
            break;
    }
    if (rel)
        return missing_rel(c, s, rel, ast->loc);
    rdb_status_t rc = system_col(c, s, NULL, col, ast->loc, out);
    if (rc != RDB_NOTFOUND)
        return rc;
    return fail(c, "42703", ast->loc, "column \"%s\" does not exist", col);
}

/* ---- coercion ------------------------------------------------------- */

static bool is_unknown(const ex_expr_t *e) { return e->type.oid == SQL_OID_UNKNOWN; }

/* Coerce e to type t in context ctx.  Unknown literals are read as t;
 * unknown parameters take type t. */
static rdb_status_t coerce(bctx_t *c, ex_expr_t **ep, sql_type_t t, sql_cast_context_t ctx, int loc);

/* 'name'::regclass / 'type'::regtype: the OID, looked up now as
 * PostgreSQL's regclassin does when the constant is folded. */
static rdb_status_t coerce_reg(bctx_t *c, ex_expr_t **ep, sql_type_t t, int loc)
{
    ex_expr_t *e = *ep;
    if (e->kind != EX_CONST) {
        /* a name computed at run time: regclassin / regtypein */
        sql_resolved_fn_t *fn = RDB_ARENA_NEW(A, sql_resolved_fn_t);
        if (!sql_syscat_func_resolve(t.oid == SQL_OID_REGCLASS ? "regclassin" : "regtypein", 1, fn))
            return fail(c, "XX000", loc, "no input function for regclass");
        if (e->type.oid != SQL_OID_TEXT && coerce(c, &e, T(SQL_OID_TEXT), SQL_CAST_EXPLICIT, loc) != RDB_OK)
            return RDB_SQL;
        ex_expr_t *x = ex_new(c, EX_FUNC, t, 1);
        x->fn = fn;
        x->args[0] = e;
        *ep = x;
        return RDB_OK;
    }
    if (e->val.isnull) {
        *ep = ex_const(c, t, sql_null());
        return RDB_OK;
    }
    const char *txt = rdb_arena_strndup(A, e->val.u.v.ptr, e->val.u.v.len);
    uint32_t oid;
    rdb_status_t rc = t.oid == SQL_OID_REGCLASS
                          ? sql_syscat_regclass_in(c->b->snap, c->b->path, c->b->npath, txt, &oid, c->err)
                          : sql_syscat_regtype_in(txt, &oid, c->err);
    if (rc != RDB_OK)
        return at(c, loc);
    *ep = ex_const(c, t, sql_int(oid));
    return RDB_OK;
}

static rdb_status_t coerce(bctx_t *c, ex_expr_t **ep, sql_type_t t, sql_cast_context_t ctx, int loc)
{
    ex_expr_t *e = *ep;
    if (e->type.oid == t.oid && (t.typmod < 0 || e->type.typmod == t.typmod))
        return RDB_OK;
    if (e->kind == EX_PARAM && is_unknown(e)) {
        c->b->ptypes[e->idx] = T(t.oid);
        e->type = T(t.oid);
        if (t.typmod < 0)
            return RDB_OK;
    }
    if ((t.oid == SQL_OID_REGCLASS || t.oid == SQL_OID_REGTYPE) &&
        (e->type.oid == SQL_OID_UNKNOWN || e->type.oid == SQL_OID_TEXT ||
         e->type.oid == SQL_OID_VARCHAR || e->type.oid == SQL_OID_NAME))
        return coerce_reg(c, ep, t, loc);
    if (e->kind == EX_CONST && is_unknown(e) && t.typmod >= 0 && t.oid != SQL_OID_INTERVAL) {
        /* PG's coerce_type: a literal is read without the typmod, which a
         * length coercion applies afterwards (explicit casts truncate
         * strings; errors carry no position) */
        if (coerce(c, ep, T(t.oid), ctx, loc) != RDB_OK)
            return RDB_SQL;
        e = *ep;
        sql_resolved_cast_t rc;
        if (sql_cast_resolve(e->type, t, ctx, &rc, c->err) != RDB_OK)
            return at(c, loc);
        ex_expr_t *x = ex_new(c, EX_CAST, rc.to, 1);
        x->cast = RDB_ARENA_NEW(A, sql_resolved_cast_t);
        *x->cast = rc;
        x->args[0] = e;
        *ep = x;
        return RDB_OK;
    }
    if (e->kind == EX_CONST && is_unknown(e)) {
        sql_value_t v = sql_null();
        if (!e->val.isnull) {
            sql_format_settings_t fs;
            sql_format_settings_default(&fs);
            if (sql_value_in(A, c->b->fs ? c->b->fs : &fs, t, e->val.u.v.ptr, e->val.u.v.len, &v, c->err) != RDB_OK)
                return at(c, e->loc1 ? e->loc1 - 1 : loc);
        }
        *ep = ex_const(c, t, v);
        return RDB_OK;
    }
    if (is_unknown(e) && t.oid != SQL_OID_UNKNOWN) {
        /* an unknown-typed expression other than a literal: read its text */
        sql_resolved_cast_t rc;
        if (sql_cast_resolve(T(SQL_OID_TEXT), t, SQL_CAST_EXPLICIT, &rc, c->err) != RDB_OK)
            return at(c, loc);
        e->type = T(SQL_OID_TEXT);
        ex_expr_t *x = ex_new(c, EX_CAST, rc.to, 1);
        x->cast = RDB_ARENA_NEW(A, sql_resolved_cast_t);
        *x->cast = rc;
        x->args[0] = e;
        *ep = x;
        return RDB_OK;
    }
    sql_resolved_cast_t rc;
    if (sql_cast_resolve(e->type, t, ctx, &rc, c->err) != RDB_OK)
        return at(c, loc);
    if (!rc.fn && (t.typmod < 0 || t.typmod == e->type.typmod)) {
        /* binary coercible: keep the value, relabel */
        ex_expr_t *x = ex_new(c, EX_CAST, t, 1);
        x->cast = RDB_ARENA_NEW(A, sql_resolved_cast_t);
        *x->cast = rc;
        x->args[0] = e;
        *ep = x;
        return RDB_OK;
    }
    ex_expr_t *x = ex_new(c, EX_CAST, rc.to, 1);
    x->cast = RDB_ARENA_NEW(A, sql_resolved_cast_t);
    *x->cast = rc;
    x->args[0] = e;
    *ep = x;
    return RDB_OK;
}

static rdb_status_t coerce_bool(bctx_t *c, ex_expr_t **e, const char *clause, int loc)
{
    if ((*e)->type.oid == SQL_OID_BOOL)
        return RDB_OK;
    if (is_unknown(*e))
        return coerce(c, e, T(SQL_OID_BOOL), SQL_CAST_IMPLICIT, loc);
    return fail(c, "42804", loc, "argument of %s must be type boolean, not type %s", clause,
                tname(c, (*e)->type));
}

/* ---- expressions ---------------------------------------------------- */

static rdb_status_t bind_e(bctx_t *c, scope_t *s, ast_expr_t *a, ex_expr_t **out);
static rdb_status_t bind_select_in(bctx_t *c, ast_select_t *sel, scope_t *parent, plan_t **out);

static rdb_status_t mk_op(bctx_t *c, const char *op, ex_expr_t *l, ex_expr_t *r, int loc,
                          ex_expr_t **out)
{
    sql_resolved_fn_t *fn = RDB_ARENA_NEW(A, sql_resolved_fn_t);
    sql_type_t lt = l ? l->type : T(0);
    if (sql_oper_resolve(op, lt, r->type, fn, c->err) != RDB_OK)
        return at(c, loc);
    ex_expr_t *e = ex_new(c, EX_FUNC, fn->rettype, l ? 2 : 1);
    e->fn = fn;
    if (l) {
        e->args[0] = l;
        e->args[1] = r;
    } else {
        e->args[0] = r;
    }
    for (int i = 0; i < e->nargs; i++)
        if (coerce(c, &e->args[i], fn->argtypes[l ? i : 0], SQL_CAST_IMPLICIT, loc) != RDB_OK)
            return RDB_SQL;
    *out = e;
    return RDB_OK;
}

static rdb_status_t bind_list(bctx_t *c, scope_t *s, ast_expr_t **in, int n, ex_expr_t **out)
{
    for (int i = 0; i < n; i++)
        if (bind_e(c, s, in[i], &out[i]) != RDB_OK)
            return RDB_SQL;
    return RDB_OK;
}

/* Coerce n expressions to their common type (CASE, COALESCE, VALUES...). */
/* common() with each input's own location for its coercion error (locs[i],
 * NULL = loc): COALESCE(1, 'x') points at 'x'. */
static rdb_status_t common_at(bctx_t *c, ex_expr_t **es, int n, const char *ctx, int loc, const int *locs,
                              sql_type_t *t)
{
    sql_type_t *ts = RDB_ARENA_NEWN(A, sql_type_t, n + 1);
    for (int i = 0; i < n; i++)
        ts[i] = es[i]->type;
    if (sql_type_common(n, ts, ctx, t, c->err) != RDB_OK) {
        /* PostgreSQL points at the first expression that does not match */
        for (int k = 2; locs && k < n; k++) {
            rdb_err_t e2 = RDB_ERR_INIT;
            sql_type_t t2;
            rdb_status_t rc = sql_type_common(k, ts, ctx, &t2, &e2);
            rdb_err_clear(&e2);
            if (rc != RDB_OK)
                return at(c, locs[k - 1] >= 0 ? locs[k - 1] : loc);
        }
        return at(c, locs && locs[n - 1] >= 0 ? locs[n - 1] : loc);
    }
    if (t->oid == SQL_OID_UNKNOWN)
        *t = T(SQL_OID_TEXT);
    for (int i = 0; i < n; i++)
        if (coerce(c, &es[i], *t, SQL_CAST_IMPLICIT, locs && locs[i] >= 0 ? locs[i] : loc) != RDB_OK)
            return RDB_SQL;
    return RDB_OK;
}

static rdb_status_t common(bctx_t *c, ex_expr_t **es, int n, const char *ctx, int loc, sql_type_t *t)
{
    return common_at(c, es, n, ctx, loc, NULL, t);
}

static sql_type_t array_of(bctx_t *c, sql_type_t elem, int loc, bool *ok)
{
    uint32_t o = sql_array_oid_of(elem.oid);
    *ok = o != 0;
    if (!o)
        fail(c, "42704", loc, "could not find array type for data type %s", tname(c, elem));
    sql_type_t t = { o, elem.typmod };
    return t;
}

static bool ast_has_agg(ast_expr_t *a);
static bool is_srf_name(const char *name);
static bool agg_input_ordered(const char *name)
{
    return strcmp(name, "array_agg") == 0 || strcmp(name, "string_agg") == 0 || strstr(name, "json") != NULL;
}

static rdb_status_t bind_agg_call(bctx_t *c, scope_t *s, ast_expr_t *a, ex_expr_t **out)
{
    if (!c->agg) {
        if (c->in_agg)
            return fail(c, "42803", a->loc, "aggregate function calls cannot be nested");
        return fail(c, "42803", a->loc, "aggregate functions are not allowed in %s",
                    c->noagg ? c->noagg : "this context");
    }
    aggctx_t *g = c->agg;
    bctx_t sub = *c;
    sub.agg = NULL;
    sub.in_agg = true;
    sub.noagg = NULL;
    sub.win = NULL;
    if (a->nargs > 2)
        return fail(c, "42883", a->loc, "function %s with %d arguments does not exist", a->name, a->nargs);
    plan_agg_t pa;
    memset(&pa, 0, sizeof pa);
    sql_type_t ts[2];
    for (int i = 0; i < a->nargs; i++) {
        if (bind_e(&sub, g->below, a->args[i], &pa.args[i]) != RDB_OK)
            return RDB_SQL;
        ts[i] = pa.args[i]->type;
    }
    pa.nargs = a->star ? 0 : a->nargs;
    if (a->star && strcmp(a->name, "count") != 0)
        return fail(c, "42809", a->loc, "%s(*) specified, but %s is not an aggregate function",
                    a->name, a->name);
    if (sql_agg_resolve(a->name, pa.nargs, ts, &pa.agg, c->err) != RDB_OK)
        return at(c, a->loc);
    for (int i = 0; i < pa.nargs; i++)
        if (coerce(&sub, &pa.args[i], pa.agg.argtypes[i], SQL_CAST_IMPLICIT, a->loc) != RDB_OK)
            return RDB_SQL;
    pa.distinct = a->distinct;
    if (a->nagg_order) {
        pa.norder = a->nagg_order;
        pa.order = RDB_ARENA_NEWN(A, ex_expr_t *, a->nagg_order);
        pa.okeys = RDB_ARENA_NEWN(A, plan_sortkey_t, a->nagg_order);
        for (int i = 0; i < a->nagg_order; i++) {
            if (bind_e(&sub, g->below, a->agg_order[i].expr, &pa.order[i]) != RDB_OK)
                return RDB_SQL;
            if (pa.order[i]->type.oid == SQL_OID_UNKNOWN &&
                coerce(&sub, &pa.order[i], T(SQL_OID_TEXT), SQL_CAST_IMPLICIT, a->loc) != RDB_OK)
                return RDB_SQL;
            bool inargs = !a->distinct;
            for (int k = 0; k < pa.nargs && !inargs; k++)
                inargs = ex_equal(pa.order[i], pa.args[k]) ||
                         (pa.args[k]->kind == EX_CAST && ex_equal(pa.order[i], pa.args[k]->args[0]));
            if (!inargs)
                return fail(c, "42P10", a->agg_order[i].expr->loc, "in an aggregate with DISTINCT, ORDER BY "
                            "expressions must appear in argument list");
            pa.okeys[i].col = pa.nargs + i;
            pa.okeys[i].type = pa.order[i]->type;
            pa.okeys[i].desc = a->agg_order[i].desc;
            pa.okeys[i].nulls_first = a->agg_order[i].nulls ? a->agg_order[i].nulls == 1 : a->agg_order[i].desc;
        }
    }
    if (a->distinct && !a->nagg_order && pa.nargs && (agg_input_ordered(a->name))) {
        /* PG feeds DISTINCT inputs sorted: array_agg(DISTINCT x) is ordered by x */
        pa.norder = pa.nargs;
        pa.order = RDB_ARENA_NEWN(A, ex_expr_t *, pa.nargs);
        pa.okeys = RDB_ARENA_NEWN(A, plan_sortkey_t, pa.nargs);
        for (int i = 0; i < pa.nargs; i++) {
            pa.order[i] = pa.args[i];
            pa.okeys[i].col = pa.nargs + i;
            pa.okeys[i].type = pa.args[i]->type;
        }
    }
    if (a->def) {
        sub.noagg = "FILTER";
        if (bind_e(&sub, g->below, a->def, &pa.filter) != RDB_OK ||
            coerce_bool(&sub, &pa.filter, "FILTER", a->def->loc) != RDB_OK)
            return RDB_SQL;
    }
    if (g->naggs == g->capaggs) {
        g->capaggs = g->capaggs ? g->capaggs * 2 : 8;
        g->aggs = rdb_arena_grow(A, g->aggs, (size_t)g->naggs, (size_t)g->capaggs, sizeof *g->aggs);
    }
    g->aggs[g->naggs] = pa;
    *out = ex_col(A, g->ngroup + g->naggs, pa.agg.rettype);
    g->naggs++;
    if (g->nrefs == g->caprefs) {
        g->caprefs = g->caprefs ? g->caprefs * 2 : 8;
        g->refs = rdb_arena_grow(A, g->refs, (size_t)g->nrefs, (size_t)g->caprefs, sizeof *g->refs);
    }
    g->refs[g->nrefs++] = *out;
    return RDB_OK;
}

static const struct { const char *name; ex_session_fn_t fn; int nargs; uint32_t ret; } session_fns[] = {
    { "version", EX_S_VERSION, 0, SQL_OID_TEXT },
    { "current_database", EX_S_CURRENT_DATABASE, 0, SQL_OID_NAME },
    { "current_catalog", EX_S_CURRENT_DATABASE, 0, SQL_OID_NAME },
    { "current_schema", EX_S_CURRENT_SCHEMA, 0, SQL_OID_NAME },
    { "current_user", EX_S_CURRENT_USER, 0, SQL_OID_NAME },
    { "current_role", EX_S_CURRENT_USER, 0, SQL_OID_NAME },
    { "session_user", EX_S_SESSION_USER, 0, SQL_OID_NAME },
    { "user", EX_S_CURRENT_USER, 0, SQL_OID_NAME },
    { "pg_backend_pid", EX_S_BACKEND_PID, 0, SQL_OID_INT4 },
    { "current_setting", EX_S_CURRENT_SETTING, 1, SQL_OID_TEXT },
    { "current_setting", EX_S_CURRENT_SETTING, 2, SQL_OID_TEXT },
    { "pg_sleep", EX_S_PG_SLEEP, 1, SQL_OID_VOID },
    { "txid_current", EX_S_TXID, 0, SQL_OID_INT8 },
    { "localtimestamp", EX_S_LOCALTIMESTAMP, 0, SQL_OID_TIMESTAMP },
    { "set_config", EX_S_SET_CONFIG, 3, SQL_OID_TEXT },
    { "pg_typeof", EX_S_PG_TYPEOF, 1, SQL_OID_TEXT },
    { "inet_client_addr", EX_S_INET_CLIENT_ADDR, 0, SQL_OID_INET },
    { "inet_client_port", EX_S_INET_CLIENT_PORT, 0, SQL_OID_INT4 },
    { "inet_server_addr", EX_S_INET_SERVER_ADDR, 0, SQL_OID_INET },
    { "inet_server_port", EX_S_INET_SERVER_PORT, 0, SQL_OID_INT4 },
    { "ringdb_split_partition", EX_S_RINGDB_SPLIT, 2, SQL_OID_TEXT },
    { "ringdb_merge_partitions", EX_S_RINGDB_MERGE, 2, SQL_OID_TEXT },
    { "ringdb_partitions", EX_S_RINGDB_PARTITIONS, 1, SQL_OID_TEXT },
    { "ringdb_key_placement", EX_S_RINGDB_PLACEMENT, 2, SQL_OID_TEXT },
    { "pg_stat_reset", EX_S_PG_STAT_RESET, 0, SQL_OID_VOID },
};

static rdb_status_t bind_func(bctx_t *c, scope_t *s, ast_expr_t *a, ex_expr_t **out)
{
    const char *name = a->name;
    if (sql_is_agg_name(name) || a->star || a->distinct || a->def)
        return bind_agg_call(c, s, a, out);
    ex_expr_t **args = RDB_ARENA_NEWN(A, ex_expr_t *, a->nargs + 1);
    if (bind_list(c, s, a->args, a->nargs, args) != RDB_OK)
        return RDB_SQL;
    for (size_t i = 0; i < sizeof session_fns / sizeof session_fns[0]; i++) {
        if (strcmp(session_fns[i].name, name) != 0 || session_fns[i].nargs != a->nargs)
            continue;
        ex_expr_t *e = ex_new(c, EX_SESSION, T(session_fns[i].ret), a->nargs);
        e->flag = session_fns[i].fn;
        for (int j = 0; j < a->nargs; j++) {
            e->args[j] = args[j];
            sql_type_t want = session_fns[i].fn == EX_S_PG_SLEEP ? T(SQL_OID_FLOAT8)
                            : (session_fns[i].fn == EX_S_SET_CONFIG && j == 2) ||
                              (session_fns[i].fn == EX_S_CURRENT_SETTING && j == 1) ? T(SQL_OID_BOOL)
                            : T(SQL_OID_TEXT);
            if (session_fns[i].fn == EX_S_PG_TYPEOF) {
                e->val = sql_bytes(tname(c, T(args[j]->type.oid)), 0);   /* regtype: no typmod */
                e->val.u.v.len = (uint32_t)strlen(e->val.u.v.ptr);
                continue;
            }
            if (coerce(c, &e->args[j], want, SQL_CAST_IMPLICIT, a->loc) != RDB_OK)
                return RDB_SQL;
        }
        *out = e;
        return RDB_OK;
    }
    if (strcmp(name, "nextval") == 0 || strcmp(name, "currval") == 0 || strcmp(name, "setval") == 0) {
        int want = name[0] == 's' ? 2 : 1;
        if (a->nargs != want && !(name[0] == 's' && a->nargs == 3))
            return fail(c, "42883", a->loc, "function %s with %d arguments does not exist", name, a->nargs);
        ex_expr_t *e = ex_new(c, EX_NEXTVAL, T(SQL_OID_INT8), a->nargs);
        e->flag = name[0] == 'n' ? 0 : name[0] == 'c' ? 1 : 2;
        for (int j = 0; j < a->nargs; j++) {
            e->args[j] = args[j];
            sql_type_t want2 = j == 0 ? T(SQL_OID_TEXT) : j == 1 ? T(SQL_OID_INT8) : T(SQL_OID_BOOL);
            if (j == 0 && args[0]->type.oid == SQL_OID_REGCLASS)
                continue;
            if (coerce(c, &e->args[j], want2, SQL_CAST_IMPLICIT, a->loc) != RDB_OK)
                return RDB_SQL;
        }
        /* a constant sequence name resolves now (serial defaults) */
        if (args[0]->kind == EX_CONST && !args[0]->val.isnull) {
            const char *txt = rdb_arena_strndup(A, args[0]->val.u.v.ptr, args[0]->val.u.v.len);
            const char *dot = strchr(txt, '.');
            const char *schema = NULL, *rel = txt;
            if (dot) {
                schema = rdb_arena_strndup(A, txt, (size_t)(dot - txt));
                rel = dot + 1;
            }
            char *lower = rdb_arena_strdup(A, rel);
            if (lower[0] == '"') {
                lower++;
                lower[strlen(lower) - 1] = 0;
            } else {
                for (char *q = lower; *q; q++)
                    *q = (char)tolower((unsigned char)*q);
            }
            const sql_table_t *seq = sql_cat_find(c->b->snap, schema, lower, c->b->path, c->b->npath);
            if (!seq)
                return fail(c, "42P01", a->nargs ? a->args[0]->loc : a->loc,
                            "relation \"%s\" does not exist", txt);
            if (seq->relkind != SQL_REL_SEQUENCE)
                return fail(c, "42809", a->loc, "\"%s\" is not a sequence", txt);
            e->rel = seq;
        }
        *out = e;
        return RDB_OK;
    }
    if (strcmp(name, "similar_to_escape") == 0 && (a->nargs == 1 || a->nargs == 2)) {
        /* SQL regular expression -> POSIX (PostgreSQL's similar_to_escape),
         * for a constant pattern */
        for (int i = 0; i < a->nargs; i++)
            if (coerce(c, &args[i], T(SQL_OID_TEXT), SQL_CAST_IMPLICIT, a->loc) != RDB_OK)
                return RDB_SQL;
        if (args[0]->kind != EX_CONST || (a->nargs == 2 && args[1]->kind != EX_CONST))
            return fail(c, "0A000", a->loc, "SIMILAR TO with a pattern that is not a constant is not supported");
        if (args[0]->val.isnull || (a->nargs == 2 && args[1]->val.isnull)) {
            *out = ex_const(c, T(SQL_OID_TEXT), sql_null());
            return RDB_OK;
        }
        char esc = '\\';
        if (a->nargs == 2) {
            if (args[1]->val.u.v.len > 1)
                return fail(c, "22025", a->loc, "invalid escape string");
            esc = args[1]->val.u.v.len ? args[1]->val.u.v.ptr[0] : 0;
        }
        const char *pat = args[0]->val.u.v.ptr;
        uint32_t n = args[0]->val.u.v.len;
        rdb_buf_t b = RDB_BUF_INIT;
        rdb_buf_append_str(&b, "^(");
        bool inclass = false;
        for (uint32_t i = 0; i < n; i++) {
            char ch = pat[i];
            if (esc && ch == esc && i + 1 < n) {
                rdb_buf_append_u8(&b, '\\');
                rdb_buf_append_u8(&b, (uint8_t)pat[++i]);
            } else if (inclass) {
                if (ch == ']')
                    inclass = false;
                rdb_buf_append_u8(&b, (uint8_t)ch);
            } else if (ch == '[') {
                inclass = true;
                rdb_buf_append_u8(&b, '[');
            } else if (ch == '%') {
                rdb_buf_append_str(&b, ".*");
            } else if (ch == '_') {
                rdb_buf_append_u8(&b, '.');
            } else if (ch == '.' || ch == '^' || ch == '$' || ch == '\\') {
                rdb_buf_append_u8(&b, '\\');
                rdb_buf_append_u8(&b, (uint8_t)ch);
            } else {
                rdb_buf_append_u8(&b, (uint8_t)ch);
            }
        }
        rdb_buf_append_str(&b, ")$");
        char *re = rdb_arena_strndup(A, b.data, b.len);
        rdb_buf_free(&b);
        *out = ex_const(c, T(SQL_OID_TEXT), sql_bytes(re, (uint32_t)strlen(re)));
        return RDB_OK;
    }
    if (is_srf_name(name))
        return fail(c, "0A000", a->loc, "set-returning functions are not supported in this position "
                    "(use them in FROM)");
    sql_type_t ts[SQL_MAX_FN_ARGS];
    if (a->nargs > SQL_MAX_FN_ARGS)
        return fail(c, "54023", a->loc, "cannot pass more than %d arguments to a function", SQL_MAX_FN_ARGS);
    for (int i = 0; i < a->nargs; i++)
        ts[i] = args[i]->type;
    sql_resolved_fn_t *fn = RDB_ARENA_NEW(A, sql_resolved_fn_t);
    if (!sql_syscat_func_resolve(name, a->nargs, fn) &&
        sql_func_resolve(name, a->nargs, ts, fn, c->err) != RDB_OK)
        return at(c, a->loc);
    ex_expr_t *e = ex_new(c, EX_FUNC, fn->rettype, a->nargs);
    e->fn = fn;
    for (int i = 0; i < a->nargs; i++) {
        e->args[i] = args[i];
        sql_type_t want = fn->variadic && i >= fn->nargs - 1 ? fn->argtypes[fn->nargs - 1] : fn->argtypes[i];
        if (want.oid == SQL_OID_ANY || want.oid == SQL_OID_ANYELEMENT || want.oid == SQL_OID_ANYARRAY)
            continue;
        if (coerce(c, &e->args[i], want, SQL_CAST_IMPLICIT, a->loc) != RDB_OK)
            return RDB_SQL;
    }
    *out = e;
    return RDB_OK;
}

static rdb_status_t resolve_typename(bctx_t *c, ast_typename_t *tn, sql_type_t *out)
{
    const sql_typeinfo_t *ti = sql_type_by_name(tn->name);
    if (!ti)
        return fail(c, "42704", tn->loc, "type \"%s\" does not exist", tn->name);
    uint32_t oid = ti->oid;
    int32_t typmod = -1;
    if (tn->nmods && sql_type_make_typmod(oid, tn->nmods, tn->mods, &typmod, c->err) != RDB_OK)
        return at(c, tn->loc);
    if (tn->array) {
        if (!ti->array_oid)
            return fail(c, "42704", tn->loc, "could not find array type for data type %s", ti->sql_name);
        oid = ti->array_oid;
    }
    out->oid = oid;
    out->typmod = typmod;
    return RDB_OK;
}

static rdb_status_t bind_const(bctx_t *c, ast_expr_t *a, ex_expr_t **out)
{
    sql_format_settings_t fs;
    sql_format_settings_default(&fs);
    sql_value_t v;
    sql_type_t t;
    switch ((ast_const_t)a->ival) {
    case AST_C_NULL:
        *out = ex_const(c, T(SQL_OID_UNKNOWN), sql_null());
        return RDB_OK;
    case AST_C_STR:
        *out = ex_const(c, T(SQL_OID_UNKNOWN), sql_bytes(a->sval, (uint32_t)strlen(a->sval)));
        (*out)->loc1 = a->loc + 1;
        return RDB_OK;
    case AST_C_BOOL:
        *out = ex_const(c, T(SQL_OID_BOOL), sql_bool(a->sval[0] == 't'));
        return RDB_OK;
    case AST_C_INT:
        *out = ex_const(c, T(SQL_OID_INT4), sql_int(strtoll(a->sval, NULL, 10)));
        return RDB_OK;
    case AST_C_NUM: {
        bool integral = true;
        for (const char *p = a->sval; *p; p++)
            if (!isdigit((unsigned char)*p) && !(p == a->sval && *p == '-'))
                integral = false;
        t = T(SQL_OID_NUMERIC);
        if (integral && strlen(a->sval) <= 19) {
            char *end;
            errno = 0;
            long long ll = strtoll(a->sval, &end, 10);
            if (errno == 0 && !*end) {
                /* PG's make_const: an oversize integer literal that fits in int4
                 * (-2147483648 after the grammar folds the minus) is int4 */
                *out = ex_const(c, T(ll >= INT32_MIN && ll <= INT32_MAX ? SQL_OID_INT4 : SQL_OID_INT8), sql_int(ll));
                return RDB_OK;
            }
        }
        if (sql_value_in(A, &fs, t, a->sval, strlen(a->sval), &v, c->err) != RDB_OK)
            return at(c, a->loc);
        *out = ex_const(c, t, v);
        return RDB_OK;
    }
    default:
        return fail(c, "0A000", a->loc, "this constant is not supported");
    }
}

/* (a, b) op (c, d) for = and <>: PostgreSQL compares column by column
 * (= is the AND of the columns' =, <> the OR of their <>). */
static rdb_status_t bind_row_cmp(bctx_t *c, scope_t *s, const char *op, ast_expr_t *l, ast_expr_t *r, int loc,
                                 ex_expr_t **out)
{
    if (r->kind != AST_ROW || l->nargs != r->nargs)
        return fail(c, "42601", loc, "unequal number of entries in row expressions");
    bool ne = strcmp(op, "<>") == 0;
    if (!ne && strcmp(op, "=") != 0)
        return fail(c, "0A000", loc, "row comparison with %s is not supported", op);
    ex_expr_t *e = ex_new(c, ne ? EX_OR : EX_AND, T(SQL_OID_BOOL), l->nargs);
    for (int i = 0; i < l->nargs; i++) {
        ex_expr_t *x, *y;
        if (bind_e(c, s, l->args[i], &x) != RDB_OK || bind_e(c, s, r->args[i], &y) != RDB_OK ||
            mk_op(c, op, x, y, loc, &e->args[i]) != RDB_OK)
            return RDB_SQL;
    }
    *out = e->nargs == 1 ? e->args[0] : e;
    return RDB_OK;
}

/* (a, b) IN / op ANY|ALL (SELECT x, y ...): the row form of EX_SUBLINK. */
static rdb_status_t bind_row_sublink(bctx_t *c, scope_t *s, ast_expr_t *a, ex_expr_t *e)
{
    ast_expr_t *row = a->arg;
    int k = row->nargs;
    if (e->sub->ncols > k)
        return fail(c, "42601", a->loc, "subquery has too many columns");
    if (e->sub->ncols < k)
        return fail(c, "42601", a->loc, "subquery has too few columns");
    const char *op = a->name ? a->name : "=";
    bool ne = strcmp(op, "<>") == 0;
    if (!ne && strcmp(op, "=") != 0)
        return fail(c, "0A000", a->loc, "row comparison with %s is not supported", op);
    e->nargs = k;
    e->args = RDB_ARENA_NEWN(A, ex_expr_t *, k);
    e->nrowcmp = k;
    e->rowcmp = RDB_ARENA_NEWN(A, ex_expr_t *, k);
    e->levelsup = ne;
    for (int i = 0; i < k; i++) {
        if (bind_e(c, s, row->args[i], &e->args[i]) != RDB_OK)
            return RDB_SQL;
        if (mk_op(c, op, ex_col(A, i, e->args[i]->type), ex_col(A, k + i, e->sub->types[i]), a->loc,
                  &e->rowcmp[i]) != RDB_OK)
            return RDB_SQL;
    }
    return RDB_OK;
}

static rdb_status_t bind_sublink(bctx_t *c, scope_t *s, ast_expr_t *a, ex_expr_t **out)
{
    plan_t *sub;
    bctx_t sc = *c;
    sc.agg = NULL;
    sc.in_agg = false;
    sc.noagg = NULL;
    scope_t *marker = s;
    bool was_corr = marker ? marker->corr : false;
    if (bind_select_in(&sc, a->sub, s, &sub) != RDB_OK)
        return RDB_SQL;
    (void)was_corr;
    ex_expr_t *e = ex_new(c, EX_SUBLINK, T(SQL_OID_BOOL), 0);
    e->sub = sub;
    e->flag = (int)a->ival;
    e->subid = c->b->nsubs++;
    e->correlated = sub->est_rows < 0;   /* set by bind_select_in */
    if (e->correlated && c->agg)
        return fail(c, "0A000", a->loc, "correlated subqueries above an aggregate are not supported");
    switch ((ast_sublink_t)a->ival) {
    case AST_SL_EXISTS:
        break;
    case AST_SL_ARRAY: {
        if (sub->ncols != 1)
            return fail(c, "42601", a->loc, "subquery must return only one column");
        bool ok = true;
        if (sql_type_is_array(sub->types[0].oid))   /* ARRAY(SELECT an array): one more dimension */
            e->type = sub->types[0];
        else
            e->type = array_of(c, sub->types[0].oid == SQL_OID_UNKNOWN ? T(SQL_OID_TEXT) : sub->types[0],
                               a->loc, &ok);
        if (!ok)
            return RDB_SQL;
        break;
    }
    case AST_SL_EXPR:
        if (sub->ncols != 1)
            return fail(c, "42601", a->loc, "subquery must return only one column");
        e->type = sub->types[0];
        break;
    case AST_SL_ANY:
    case AST_SL_ALL: {
        if (a->arg && a->arg->kind == AST_ROW) {
            if (bind_row_sublink(c, s, a, e) != RDB_OK)
                return RDB_SQL;
            break;
        }
        if (sub->ncols != 1)
            return fail(c, "42601", a->loc, "subquery has too many columns");
        ex_expr_t *l;
        if (bind_e(c, s, a->arg, &l) != RDB_OK)
            return RDB_SQL;
        ex_expr_t *op;
        if (mk_op(c, a->name, l, ex_col(A, 0, sub->types[0]), a->loc, &op) != RDB_OK)
            return RDB_SQL;
        if (op->type.oid != SQL_OID_BOOL)
            return fail(c, "42809", a->loc, "op ANY/ALL (array) requires operator to yield boolean");
        e->fn = op->fn;
        e->nargs = 2;
        e->args = op->args;   /* args[0] over the outer row, args[1] over the sub row */
        break;
    }
    }
    *out = e;
    return RDB_OK;
}

/* Try to match a whole expression against the GROUP BY list. */
static bool ast_has_win(ast_expr_t *a);
static bool is_win_fn(const char *name);
static rdb_status_t bind_window_call(bctx_t *c, scope_t *s, ast_expr_t *a, ex_expr_t **out);

static bool match_group(bctx_t *c, scope_t *s, ast_expr_t *a, ex_expr_t **out)
{
    aggctx_t *g = c->agg;
    if (!g || !g->ngroup || a->kind == AST_CONST || a->kind == AST_PARAM || ast_has_agg(a) ||
        ast_has_win(a))
        return false;
    bctx_t sub = *c;
    sub.agg = NULL;
    rdb_err_t e2 = RDB_ERR_INIT;
    sub.err = &e2;
    ex_expr_t *x;
    bool ok = bind_e(&sub, g->below, a, &x) == RDB_OK;
    rdb_err_clear(&e2);
    if (!ok)
        return false;
    for (int i = 0; i < g->ngroup; i++)
        if (ex_equal(x, g->group[i])) {
            *out = ex_col(A, i, g->group[i]->type);
            return true;
        }
    return false;
}

/* A column of a table whose primary key the query groups by depends on
 * the key (PostgreSQL's check_functional_grouping): it joins the group
 * columns (the groups stay the same) and *out refers to it there. */
static bool group_by_pk(bctx_t *c, const ex_expr_t *x, ex_expr_t **out)
{
    aggctx_t *g = c->agg;
    scope_t *bs = g->below;
    const srel_t *rel = NULL;
    for (int r = 0; r < bs->nrels && !rel; r++) {
        const srel_t *sr = &bs->rels[r];
        if (sr->table && sr->table->npk && x->idx >= sr->offset && x->idx < sr->offset + sr->table->nrowcols)
            rel = sr;
    }
    if (!rel)
        return false;
    for (int k = 0; k < rel->table->npk; k++) {
        int pos = rel->offset + rel->table->pk_colids[k];
        bool found = false;
        for (int i = 0; i < g->ngroup && !found; i++)
            found = g->group[i]->kind == EX_COL && g->group[i]->idx == pos;
        if (!found)
            return false;
    }
    g->group = rdb_arena_grow(A, g->group, (size_t)g->ngroup, (size_t)g->ngroup + 1, sizeof *g->group);
    g->group[g->ngroup] = ex_col(A, x->idx, x->type);
    *out = ex_col(A, g->ngroup, x->type);
    g->ngroup++;
    for (int i = 0; i < g->nrefs; i++)
        g->refs[i]->idx++;
    return true;
}

/* ---- arrays: subscripts, op ANY/ALL (array) ------------------------ */

static rdb_status_t bind_subscript(bctx_t *c, scope_t *s, ast_expr_t *a, ex_expr_t **out)
{
    /* a[i][j]...: one expression over the whole chain, as PG's SubscriptingRef
     * (SET a[i][j] = v: the chain under the assignment's node) */
    int k = 1;
    for (ast_expr_t *x = a->arg; x->kind == AST_SUBSCRIPT && !x->def; x = x->arg)
        k++;
    ast_expr_t **subs = RDB_ARENA_NEWN(A, ast_expr_t *, k);
    bool slice = false;
    ast_expr_t *base = a;
    for (int d = k - 1; d >= 0; d--, base = base->arg) {
        subs[d] = base;
        slice |= base->ival != 0;
    }
    ex_expr_t *arr;
    if (bind_e(c, s, base, &arr) != RDB_OK)
        return RDB_SQL;
    if (!sql_type_is_array(arr->type.oid))
        return fail(c, "42804", base->loc, "cannot subscript type %s because it does not support "
                    "subscripting", tname(c, arr->type));
    if (k > SQL_ARRAY_MAXDIM)
        return fail(c, "54000", a->loc, "number of array dimensions (%d) exceeds the maximum allowed (%d)",
                    k, SQL_ARRAY_MAXDIM);
    ex_expr_t *e = ex_new(c, EX_SUBSCRIPT, slice ? arr->type : sql_array_elem_type(arr->type),
                          a->def ? 2 + 2 * k : 1 + 2 * k);
    e->flag = slice ? EX_SUB_SLICE : EX_SUB_INDEX;
    e->args[0] = arr;
    e->val.u.i = 0;
    for (int d = 0; d < k; d++) {
        ast_expr_t *sa = subs[d];
        for (int i = 0; i < 2; i++) {
            ex_expr_t **slot = &e->args[1 + 2 * d + i];
            ast_expr_t *x = sa->args[i];
            if (slice && !sa->ival && i == 0) {   /* a[1:2][3]: [3] means [1:3] */
                *slot = ex_const(c, T(SQL_OID_INT4), sql_int(1));
                continue;
            }
            if (slice && !sa->ival && i == 1)
                x = sa->args[0];
            if (!x) {
                *slot = ex_const(c, T(SQL_OID_INT4), sql_null());
                if (slice) {
                    int bit = i == 0 ? EX_SUB_NO_LOWER : EX_SUB_NO_UPPER;
                    e->val.u.i |= (int64_t)(bit >> 2) << (2 * d);
                    if (d == 0)
                        e->flag |= bit;
                }
                continue;
            }
            if (bind_e(c, s, x, slot) != RDB_OK)
                return RDB_SQL;
            if (!is_unknown(*slot) && !sql_type_can_coerce((*slot)->type, T(SQL_OID_INT4), SQL_CAST_ASSIGNMENT))
                return fail(c, "42804", x->loc, "array subscript must have type integer");
            if (coerce(c, slot, T(SQL_OID_INT4), SQL_CAST_ASSIGNMENT, x->loc) != RDB_OK)
                return RDB_SQL;
        }
    }
    if (a->def) {
        e->flag |= EX_SUB_ASSIGN;       /* with EX_SUB_SLICE: a[i:j] = array; the value last */
        e->type = arr->type;
        ex_expr_t **val = &e->args[1 + 2 * k];
        if (bind_e(c, s, a->def, val) != RDB_OK ||
            coerce(c, val, slice ? arr->type : sql_array_elem_type(arr->type), SQL_CAST_ASSIGNMENT,
                   a->def->loc) != RDB_OK)
            return RDB_SQL;
    }
    *out = e;
    return RDB_OK;
}

static rdb_status_t bind_anyarray(bctx_t *c, scope_t *s, ast_expr_t *a, ex_expr_t **out)
{
    ex_expr_t *l, *r;
    if (bind_e(c, s, a->arg, &l) != RDB_OK || bind_e(c, s, a->args[0], &r) != RDB_OK)
        return RDB_SQL;
    bool ok;
    if (is_unknown(r)) {
        sql_type_t at = array_of(c, is_unknown(l) ? T(SQL_OID_TEXT) : l->type, a->loc, &ok);
        if (!ok || coerce(c, &r, at, SQL_CAST_IMPLICIT, a->args[0]->loc) != RDB_OK)
            return RDB_SQL;
    }
    if (!sql_type_is_array(r->type.oid))
        return fail(c, "42809", a->loc, "op ANY/ALL (array) requires array on right side");
    ex_expr_t *op;
    if (mk_op(c, a->name, l, ex_col(A, 0, sql_array_elem_type(r->type)), a->loc, &op) != RDB_OK)
        return RDB_SQL;
    if (op->type.oid != SQL_OID_BOOL)
        return fail(c, "42809", a->loc, "op ANY/ALL (array) requires operator to yield boolean");
    /* the operator's right input type: cast the whole array to an array of it */
    sql_type_t want = op->fn->argtypes[1];
    if (want.oid != sql_array_elem_oid(r->type.oid) && want.oid != SQL_OID_ANYELEMENT) {
        sql_type_t at = array_of(c, want, a->loc, &ok);
        if (!ok || coerce(c, &r, at, SQL_CAST_IMPLICIT, a->args[0]->loc) != RDB_OK)
            return RDB_SQL;
    }
    ex_expr_t *e = ex_new(c, EX_ARRAYCMP, T(SQL_OID_BOOL), 2);
    e->flag = (int)a->ival;
    e->fn = op->fn;
    e->args[0] = op->args[0];
    e->args[1] = r;
    *out = e;
    return RDB_OK;
}

static rdb_status_t bind_e(bctx_t *c, scope_t *s, ast_expr_t *a, ex_expr_t **out)
{
    if (c->agg && match_group(c, s, a, out))
        return RDB_OK;
    switch (a->kind) {
    case AST_COLREF:
        if (a->star)
            return fail(c, "42601", a->loc, "row expansion via \"*\" is not supported here");
        if (c->agg) {
            ex_expr_t *x;
            bctx_t sub = *c;
            sub.agg = NULL;
            if (lookup_col(&sub, c->agg->below, a, &x) != RDB_OK)
                return RDB_SQL;
            if (x->kind == EX_OUTER) {
                *out = x;
                return RDB_OK;
            }
            if (x->kind == EX_COL && group_by_pk(c, x, out))
                return RDB_OK;
            rdb_buf_t nb = RDB_BUF_INIT;
            const char *ralias = NULL;
            scope_t *bs = c->agg->below;
            for (int r = 0; r < bs->nrels && !ralias; r++)
                for (int k = 0; k < bs->rels[r].ncols; k++)
                    if (!bs->rels[r].cols[k].expr && bs->rels[r].cols[k].pos == x->idx &&
                        bs->rels[r].alias) {
                        ralias = bs->rels[r].alias;
                        break;
                    }
            /* PostgreSQL names the column with its range entry: "t.x" */
            if (ralias)
                rdb_buf_printf(&nb, "%s.%s", ralias, a->names[a->nnames - 1]);
            else
                rdb_buf_printf(&nb, "%s", a->names[a->nnames - 1]);
            rdb_status_t rc = fail(c, "42803", a->loc,
                "column \"%s\" must appear in the GROUP BY clause or be used in an aggregate function",
                rdb_buf_cstr(&nb));
            rdb_buf_free(&nb);
            return rc;
        }
        return lookup_col(c, s, a, out);
    case AST_CONST:
        return bind_const(c, a, out);
    case AST_PARAM: {
        int n = (int)a->ival;
        if (n < 1 || n > SQL_MAX_PARAMS)
            return fail(c, "42P02", a->loc, "there is no parameter $%d", n);
        if (n > c->b->nparams)
            c->b->nparams = n;
        if (c->b->pvalues && n <= c->b->npvalues && c->b->ptypes[n - 1].oid) {
            /* a custom plan (EXPLAIN EXECUTE): the value as a constant */
            *out = ex_const(c, c->b->ptypes[n - 1], c->b->pvalues[n - 1]);
            return RDB_OK;
        }
        ex_expr_t *e = ex_new(c, EX_PARAM, c->b->ptypes[n - 1], 0);
        if (e->type.oid == 0)
            e->type = T(SQL_OID_UNKNOWN);
        e->idx = n - 1;
        *out = e;
        return RDB_OK;
    }
    case AST_ROW:
        return fail(c, "0A000", a->loc, "row constructors are not supported here");
    case AST_OP: {
        if (a->args[0] && a->args[0]->kind == AST_ROW && a->args[1]->kind == AST_ROW)
            return bind_row_cmp(c, s, a->name, a->args[0], a->args[1], a->loc, out);
        ex_expr_t *l = NULL, *r = NULL;
        if (a->args[0] && bind_e(c, s, a->args[0], &l) != RDB_OK)
            return RDB_SQL;
        if (bind_e(c, s, a->args[1], &r) != RDB_OK)
            return RDB_SQL;
        /* -constant folds into the constant, as PostgreSQL's grammar does */
        if (!l && strcmp(a->name, "-") == 0 && r->kind == EX_CONST && !r->val.isnull &&
            (r->type.oid == SQL_OID_INT4 || r->type.oid == SQL_OID_INT8)) {
            *out = ex_const(c, r->type, sql_int(-r->val.u.i));
            return RDB_OK;
        }
        return mk_op(c, a->name, l, r, a->loc, out);
    }
    case AST_AND:
    case AST_OR:
    case AST_NOT: {
        ex_expr_t *e = ex_new(c, a->kind == AST_AND ? EX_AND : a->kind == AST_OR ? EX_OR : EX_NOT,
                              T(SQL_OID_BOOL), a->nargs);
        const char *what = a->kind == AST_AND ? "AND" : a->kind == AST_OR ? "OR" : "NOT";
        for (int i = 0; i < a->nargs; i++)
            if (bind_e(c, s, a->args[i], &e->args[i]) != RDB_OK ||
                coerce_bool(c, &e->args[i], what, a->args[i]->loc) != RDB_OK)
                return RDB_SQL;
        *out = e;
        return RDB_OK;
    }
    case AST_FUNC:
        if (a->over || is_win_fn(a->name))
            return bind_window_call(c, s, a, out);
        return bind_func(c, s, a, out);
    case AST_CAST: {
        sql_type_t t;
        ex_expr_t *x;
        if (resolve_typename(c, a->tn, &t) != RDB_OK)
            return RDB_SQL;
        if (a->arg->kind == AST_ARRAY && a->arg->nargs == 0 && sql_type_is_array(t.oid)) {
            /* ARRAY[]::T[] */
            *out = ex_const(c, t, sql_array_encode(A, sql_array_elem_type(t), 1, 0, NULL));
            return RDB_OK;
        }
        if (bind_e(c, s, a->arg, &x) != RDB_OK)
            return RDB_SQL;
        /* a literal that does not read as the type is reported at the literal */
        if (coerce(c, &x, t, SQL_CAST_EXPLICIT, x->kind == EX_CONST && is_unknown(x) &&
                   a->arg->loc >= 0 ? a->arg->loc : a->loc) != RDB_OK)
            return RDB_SQL;
        if (x->type.oid != t.oid || (t.typmod >= 0 && x->type.typmod != t.typmod)) {
            /* binary-coercible relabel, e.g. varchar::text */
            ex_expr_t *r = ex_new(c, EX_CAST, t, 1);
            r->cast = RDB_ARENA_NEW(A, sql_resolved_cast_t);
            r->cast->to = t;
            r->args[0] = x;
            x = r;
        }
        *out = x;
        return RDB_OK;
    }
    case AST_CASE: {
        int nw = a->nargs / 2;
        ex_expr_t *arg = NULL;
        if (a->arg && bind_e(c, s, a->arg, &arg) != RDB_OK)
            return RDB_SQL;
        ex_expr_t *e = ex_new(c, EX_CASE, T(SQL_OID_UNKNOWN), nw * 2 + 1);
        ex_expr_t **res = RDB_ARENA_NEWN(A, ex_expr_t *, nw + 1);
        for (int i = 0; i < nw; i++) {
            ex_expr_t *w;
            if (bind_e(c, s, a->args[2 * i], &w) != RDB_OK)
                return RDB_SQL;
            if (arg && mk_op(c, "=", arg, w, a->args[2 * i]->loc, &w) != RDB_OK)
                return RDB_SQL;
            if (coerce_bool(c, &w, "CASE/WHEN", a->args[2 * i]->loc) != RDB_OK)
                return RDB_SQL;
            e->args[2 * i] = w;
            if (bind_e(c, s, a->args[2 * i + 1], &res[i]) != RDB_OK)
                return RDB_SQL;
        }
        if (a->def) {
            if (bind_e(c, s, a->def, &res[nw]) != RDB_OK)
                return RDB_SQL;
        } else {
            res[nw] = ex_const(c, T(SQL_OID_UNKNOWN), sql_null());
        }
        sql_type_t t;
        /* the ELSE first, as PostgreSQL resolves it (its type is preferred) */
        int *locs = RDB_ARENA_NEWN(A, int, nw + 2);
        ex_expr_t **ord = RDB_ARENA_NEWN(A, ex_expr_t *, nw + 2);
        ord[0] = res[nw];
        locs[0] = a->def ? a->def->loc : -1;
        for (int i = 0; i < nw; i++) {
            ord[i + 1] = res[i];
            locs[i + 1] = a->args[2 * i + 1]->loc;
        }
        if (common_at(c, ord, nw + 1, "CASE", a->loc, locs, &t) != RDB_OK)
            return RDB_SQL;
        for (int i = 0; i < nw; i++)
            e->args[2 * i + 1] = ord[i + 1];
        e->args[2 * nw] = ord[0];
        e->type = t;
        *out = e;
        return RDB_OK;
    }
    case AST_NULLTEST:
    case AST_BOOLTEST: {
        ex_expr_t *e = ex_new(c, a->kind == AST_NULLTEST ? EX_NULLTEST : EX_BOOLTEST, T(SQL_OID_BOOL), 1);
        e->flag = (int)a->ival;
        if (bind_e(c, s, a->arg, &e->args[0]) != RDB_OK)
            return RDB_SQL;
        if (a->kind == AST_BOOLTEST && coerce_bool(c, &e->args[0], "IS TRUE", a->loc) != RDB_OK)
            return RDB_SQL;
        *out = e;
        return RDB_OK;
    }
    case AST_IN: {
        ex_expr_t *l;
        if (a->arg->kind == AST_ROW) {
            /* (a, b) IN ((1, 2), (3, 4)): an OR of row equalities */
            ex_expr_t *e = ex_new(c, EX_OR, T(SQL_OID_BOOL), a->nargs);
            for (int i = 0; i < a->nargs; i++)
                if (bind_row_cmp(c, s, "=", a->arg, a->args[i], a->loc, &e->args[i]) != RDB_OK)
                    return RDB_SQL;
            if (a->neg) {
                ex_expr_t *n = ex_new(c, EX_NOT, T(SQL_OID_BOOL), 1);
                n->args[0] = e;
                e = n;
            }
            *out = e;
            return RDB_OK;
        }
        if (bind_e(c, s, a->arg, &l) != RDB_OK)
            return RDB_SQL;
        ex_expr_t *e = ex_new(c, EX_OR, T(SQL_OID_BOOL), a->nargs);
        for (int i = 0; i < a->nargs; i++) {
            ex_expr_t *r;
            if (bind_e(c, s, a->args[i], &r) != RDB_OK ||
                mk_op(c, "=", l, r, a->loc, &e->args[i]) != RDB_OK)
                return RDB_SQL;
            if (e->args[i]->type.oid != SQL_OID_BOOL)
                return fail(c, "42804", a->loc, "operator = must return boolean");
        }
        if (a->neg) {
            ex_expr_t *n = ex_new(c, EX_NOT, T(SQL_OID_BOOL), 1);
            n->args[0] = e;
            e = n;
        }
        *out = e;
        return RDB_OK;
    }
    case AST_BETWEEN: {
        ex_expr_t *x, *lo, *hi, *c1, *c2;
        if (bind_e(c, s, a->arg, &x) != RDB_OK || bind_e(c, s, a->args[0], &lo) != RDB_OK ||
            bind_e(c, s, a->args[1], &hi) != RDB_OK)
            return RDB_SQL;
        if (mk_op(c, ">=", x, lo, a->loc, &c1) != RDB_OK || mk_op(c, "<=", x, hi, a->loc, &c2) != RDB_OK)
            return RDB_SQL;
        ex_expr_t *e = ex_new(c, EX_AND, T(SQL_OID_BOOL), 2);
        e->args[0] = c1;
        e->args[1] = c2;
        if (a->ival) {   /* SYMMETRIC */
            ex_expr_t *d1, *d2;
            if (mk_op(c, ">=", x, hi, a->loc, &d1) != RDB_OK || mk_op(c, "<=", x, lo, a->loc, &d2) != RDB_OK)
                return RDB_SQL;
            ex_expr_t *e2 = ex_new(c, EX_AND, T(SQL_OID_BOOL), 2);
            e2->args[0] = d1;
            e2->args[1] = d2;
            ex_expr_t *o = ex_new(c, EX_OR, T(SQL_OID_BOOL), 2);
            o->args[0] = e;
            o->args[1] = e2;
            e = o;
        }
        if (a->neg) {
            ex_expr_t *n = ex_new(c, EX_NOT, T(SQL_OID_BOOL), 1);
            n->args[0] = e;
            e = n;
        }
        *out = e;
        return RDB_OK;
    }
    case AST_SUBLINK:
        return bind_sublink(c, s, a, out);
    case AST_COALESCE:
    case AST_GREATEST:
    case AST_LEAST: {
        ex_expr_t *e = ex_new(c, a->kind == AST_COALESCE ? EX_COALESCE : EX_MINMAX, T(0), a->nargs);
        e->flag = a->kind == AST_GREATEST;
        if (bind_list(c, s, a->args, a->nargs, e->args) != RDB_OK)
            return RDB_SQL;
        int *locs = RDB_ARENA_NEWN(A, int, a->nargs + 1);
        for (int i = 0; i < a->nargs; i++)
            locs[i] = a->args[i]->loc;
        if (common_at(c, e->args, a->nargs, a->kind == AST_COALESCE ? "COALESCE"
                      : a->kind == AST_GREATEST ? "GREATEST" : "LEAST", a->loc, locs, &e->type) != RDB_OK)
            return RDB_SQL;
        *out = e;
        return RDB_OK;
    }
    case AST_NULLIF:
    case AST_DISTINCT_FROM: {
        ex_expr_t *l, *r, *eq;
        if (bind_e(c, s, a->args[0], &l) != RDB_OK || bind_e(c, s, a->args[1], &r) != RDB_OK ||
            mk_op(c, "=", l, r, a->loc, &eq) != RDB_OK)
            return RDB_SQL;
        ex_expr_t *e = ex_new(c, a->kind == AST_NULLIF ? EX_NULLIF : EX_DISTINCT,
                              a->kind == AST_NULLIF ? eq->args[0]->type : T(SQL_OID_BOOL), 2);
        e->fn = eq->fn;
        e->args[0] = eq->args[0];
        e->args[1] = eq->args[1];
        e->flag = a->neg;
        *out = e;
        return RDB_OK;
    }
    case AST_DEFAULT:
        return fail(c, "42601", a->loc, "DEFAULT is not allowed in this context");
    case AST_SVF: {
        ast_expr_t f = *a;
        f.kind = AST_FUNC;
        f.nargs = 0;
        return bind_func(c, s, &f, out);
    }
    case AST_SUBSCRIPT:
        return bind_subscript(c, s, a, out);
    case AST_ANYARRAY:
        return bind_anyarray(c, s, a, out);
    case AST_ARRAY: {
        if (a->nargs == 0)
            return fail(c, "42P18", a->loc, "cannot determine type of empty array");
        ex_expr_t *e = ex_new(c, EX_ARRAY, T(0), a->nargs);
        if (bind_list(c, s, a->args, a->nargs, e->args) != RDB_OK)
            return RDB_SQL;
        sql_type_t et;
        int *locs = RDB_ARENA_NEWN(A, int, a->nargs + 1);
        for (int i = 0; i < a->nargs; i++)
            locs[i] = a->args[i]->loc;
        if (common_at(c, e->args, a->nargs, "ARRAY", a->loc, locs, &et) != RDB_OK)
            return RDB_SQL;
        const sql_typeinfo_t *ti = sql_type_by_oid(et.oid);
        if (sql_type_is_array(et.oid)) {   /* ARRAY[[1,2],[3,4]]: sub-arrays make a dimension */
            e->type = et;
            e->val.u.i = sql_array_elem_oid(et.oid);
            e->flag = 1;
            *out = e;
            return RDB_OK;
        }
        if (!ti || !ti->array_oid)
            return fail(c, "42704", a->loc, "could not find array type for data type %s", tname(c, et));
        e->type = T(ti->array_oid);
        e->val.u.i = et.oid;
        *out = e;
        return RDB_OK;
    }
    }
    return fail(c, "0A000", a->loc, "this expression is not supported");
}

static bool ast_has_agg(ast_expr_t *a)
{
    if (!a)
        return false;
    if (a->kind == AST_FUNC && a->over) {   /* the call is not an aggregate; its inputs may hold some */
        for (int i = 0; i < a->nargs; i++)
            if (ast_has_agg(a->args[i]))
                return true;
        for (int i = 0; i < a->over->npart; i++)
            if (ast_has_agg(a->over->part[i]))
                return true;
        for (int i = 0; i < a->over->norder; i++)
            if (ast_has_agg(a->over->order[i].expr))
                return true;
        return false;
    }
    if (a->kind == AST_FUNC && (sql_is_agg_name(a->name) || a->star))
        return true;
    if (a->kind == AST_SUBLINK)
        return ast_has_agg(a->arg);
    for (int i = 0; i < a->nargs; i++)
        if (ast_has_agg(a->args[i]))
            return true;
    return ast_has_agg(a->arg) || ast_has_agg(a->def);
}

/* ---- window functions ------------------------------------------------ */

/* Window calls of one SELECT: each is bound to a placeholder column
 * WIN_PH + k, renumbered once the P_WINDOW nodes are built (the width
 * below them is known only after the whole select list is bound). */
#define WIN_PH (1 << 24)

typedef struct wcall {
    plan_winfn_t  fn;
    int           npart, norder;
    ex_expr_t   **part, **order;
    plan_sortkey_t *okeys;
    int           col;        /* final column */
} wcall_t;

typedef struct winctx {
    ast_select_t *sel;        /* for WINDOW names */
    int           n, cap;
    wcall_t      *calls;
} winctx_t;

static const struct { const char *name; win_fn_t fn; int min, max; } win_fns[] = {
    { "row_number", WF_ROW_NUMBER, 0, 0 },   { "rank", WF_RANK, 0, 0 },
    { "dense_rank", WF_DENSE_RANK, 0, 0 },   { "percent_rank", WF_PERCENT_RANK, 0, 0 },
    { "cume_dist", WF_CUME_DIST, 0, 0 },     { "ntile", WF_NTILE, 1, 1 },
    { "lag", WF_LAG, 1, 3 },                 { "lead", WF_LEAD, 1, 3 },
    { "first_value", WF_FIRST_VALUE, 1, 1 }, { "last_value", WF_LAST_VALUE, 1, 1 },
    { "nth_value", WF_NTH_VALUE, 2, 2 },
};

static bool is_win_fn(const char *name)
{
    for (size_t i = 0; i < sizeof win_fns / sizeof win_fns[0]; i++)
        if (strcmp(win_fns[i].name, name) == 0)
            return true;
    return false;
}

static bool ast_has_win(ast_expr_t *a)
{
    if (!a)
        return false;
    if (a->kind == AST_FUNC && a->over)
        return true;
    if (a->kind == AST_SUBLINK)
        return ast_has_win(a->arg);
    for (int i = 0; i < a->nargs; i++)
        if (ast_has_win(a->args[i]))
            return true;
    return ast_has_win(a->arg) || ast_has_win(a->def);
}

/* The call's effective window: OVER w, OVER (w ...) or OVER (...). */
static rdb_status_t win_resolve(bctx_t *c, ast_window_t *ov, ast_window_t *out)
{
    *out = *ov;
    const char *ref = ov->refname ? ov->refname : ov->name;
    if (!ref)
        return RDB_OK;
    ast_select_t *sel = c->win->sel;
    ast_window_t *base = NULL;
    for (int i = 0; i < sel->nwindows && !base; i++)
        if (strcmp(sel->windows[i].name, ref) == 0)
            base = &sel->windows[i];
    if (!base)
        return fail(c, "42704", ov->loc, "window \"%s\" does not exist", ref);
    if (!ov->refname) {     /* OVER w */
        *out = *base;
        return RDB_OK;
    }
    if (ov->npart)
        return fail(c, "42P20", ov->loc, "cannot override PARTITION BY clause of window \"%s\"", ref);
    if (ov->norder && base->norder)
        return fail(c, "42P20", ov->loc, "cannot override ORDER BY clause of window \"%s\"", ref);
    if (base->frameopts & WIN_F_NONDEFAULT)
        return fail(c, "42P20", ov->loc, "cannot copy window \"%s\" because it has a frame clause", ref);
    out->part = base->part;
    out->npart = base->npart;
    if (!ov->norder) {
        out->order = base->order;
        out->norder = base->norder;
    }
    return RDB_OK;
}

static rdb_status_t win_frame(bctx_t *c, bctx_t *sub, scope_t *s, ast_window_t *w, wcall_t *call)
{
    plan_winfn_t *fn = &call->fn;
    int o = w->frameopts ? w->frameopts : WIN_F_DEFAULT;
    if ((o & WIN_F_GROUPS) && call->norder == 0)
        return fail(c, "42P20", w->loc, "GROUPS mode requires an ORDER BY clause");
    if (!(o & (WIN_F_RANGE | WIN_F_ROWS | WIN_F_GROUPS)))
        o |= WIN_F_RANGE;
    if (!(o & (WIN_F_START_UNB_PREC | WIN_F_START_CUR | WIN_F_START_OFF_PREC | WIN_F_START_OFF_FOLL)))
        o |= WIN_F_START_UNB_PREC;
    if (!(o & (WIN_F_END_UNB_FOLL | WIN_F_END_CUR | WIN_F_END_OFF_PREC | WIN_F_END_OFF_FOLL)))
        o |= WIN_F_END_CUR;
    fn->frameopts = o;
    ast_expr_t *offs[2] = { w->start_off, w->end_off };
    ex_expr_t **dst[2] = { &fn->start_off, &fn->end_off };
    ex_expr_t **bnd[2] = { &fn->start_bound, &fn->end_bound };
    bool prec[2] = { o & WIN_F_START_OFF_PREC, o & WIN_F_END_OFF_PREC };
    for (int i = 0; i < 2; i++) {
        if (!offs[i])
            continue;
        if (bind_e(sub, s, offs[i], dst[i]) != RDB_OK)
            return RDB_SQL;
        if (o & (WIN_F_ROWS | WIN_F_GROUPS)) {
            if (coerce(sub, dst[i], T(SQL_OID_INT8), SQL_CAST_IMPLICIT, offs[i]->loc) != RDB_OK)
                return RDB_SQL;
            continue;
        }
        /* RANGE: the bound is key - offset or key + offset (reversed for DESC) */
        if (call->norder != 1)
            return fail(c, "42P20", w->loc, "RANGE with offset PRECEDING/FOLLOWING requires exactly one "
                        "ORDER BY column");
        bool minus = prec[i] != call->okeys[0].desc;
        if (mk_op(sub, minus ? "-" : "+", call->order[0], *dst[i], offs[i]->loc, bnd[i]) != RDB_OK ||
            coerce(sub, bnd[i], call->order[0]->type, SQL_CAST_ASSIGNMENT, offs[i]->loc) != RDB_OK)
            return RDB_SQL;
        *dst[i] = NULL;
    }
    return RDB_OK;
}

static rdb_status_t win_args(bctx_t *sub, scope_t *s, ast_expr_t *a, plan_winfn_t *fn)
{
    fn->nargs = a->nargs;
    for (int i = 0; i < a->nargs; i++)
        if (bind_e(sub, s, a->args[i], &fn->args[i]) != RDB_OK)
            return RDB_SQL;
    switch (fn->fn) {
    case WF_ROW_NUMBER: case WF_RANK: case WF_DENSE_RANK:
        fn->type = T(SQL_OID_INT8);
        return RDB_OK;
    case WF_PERCENT_RANK: case WF_CUME_DIST:
        fn->type = T(SQL_OID_FLOAT8);
        return RDB_OK;
    case WF_NTILE:
        fn->type = T(SQL_OID_INT4);
        return coerce(sub, &fn->args[0], T(SQL_OID_INT4), SQL_CAST_IMPLICIT, a->loc);
    default:
        break;
    }
    if (fn->fn == WF_NTH_VALUE || ((fn->fn == WF_LAG || fn->fn == WF_LEAD) && fn->nargs > 1))
        if (coerce(sub, &fn->args[1], T(SQL_OID_INT4), SQL_CAST_IMPLICIT, a->loc) != RDB_OK)
            return RDB_SQL;
    if (fn->nargs == 3) {
        ex_expr_t *vd[2] = { fn->args[0], fn->args[2] };
        if (common(sub, vd, 2, a->name, a->loc, &fn->type) != RDB_OK)
            return RDB_SQL;
        fn->args[0] = vd[0];
        fn->args[2] = vd[1];
    }
    if (fn->args[0]->type.oid == SQL_OID_UNKNOWN &&
        coerce(sub, &fn->args[0], T(SQL_OID_TEXT), SQL_CAST_IMPLICIT, a->loc) != RDB_OK)
        return RDB_SQL;
    if (fn->nargs == 3 && coerce(sub, &fn->args[2], fn->args[0]->type, SQL_CAST_IMPLICIT, a->loc) != RDB_OK)
        return RDB_SQL;
    fn->type = fn->args[0]->type;
    return RDB_OK;
}

static rdb_status_t win_agg(bctx_t *sub, scope_t *s, ast_expr_t *a, plan_winfn_t *fn)
{
    plan_agg_t *pa = &fn->agg;
    if (a->distinct)
        return fail(sub, "0A000", a->loc, "DISTINCT is not implemented for window functions");
    if (a->nagg_order)
        return fail(sub, "0A000", a->loc, "aggregate ORDER BY is not implemented for window functions");
    if (a->nargs > 2)
        return fail(sub, "42883", a->loc, "function %s with %d arguments does not exist", a->name, a->nargs);
    if (a->star && strcmp(a->name, "count") != 0)
        return fail(sub, "42809", a->loc, "%s(*) specified, but %s is not an aggregate function",
                    a->name, a->name);
    sql_type_t ts[2];
    for (int i = 0; i < a->nargs; i++) {
        if (bind_e(sub, s, a->args[i], &pa->args[i]) != RDB_OK)
            return RDB_SQL;
        ts[i] = pa->args[i]->type;
    }
    pa->nargs = a->star ? 0 : a->nargs;
    if (sql_agg_resolve(a->name, pa->nargs, ts, &pa->agg, sub->err) != RDB_OK)
        return at(sub, a->loc);
    for (int i = 0; i < pa->nargs; i++)
        if (coerce(sub, &pa->args[i], pa->agg.argtypes[i], SQL_CAST_IMPLICIT, a->loc) != RDB_OK)
            return RDB_SQL;
    if (a->def) {
        if (bind_e(sub, s, a->def, &pa->filter) != RDB_OK ||
            coerce_bool(sub, &pa->filter, "FILTER", a->def->loc) != RDB_OK)
            return RDB_SQL;
    }
    fn->fn = WF_AGG;
    fn->type = pa->agg.rettype;
    return RDB_OK;
}

static rdb_status_t bind_window_call(bctx_t *c, scope_t *s, ast_expr_t *a, ex_expr_t **out)
{
    if (!c->win && a->over) {
        if (c->in_win)
            return fail(c, "42P20", a->loc, "window function calls cannot be nested");
        if (c->in_agg)
            return fail(c, "42803", a->loc, "aggregate function calls cannot contain window function calls");
        return fail(c, "42P20", a->loc, "window functions are not allowed in %s",
                    c->noagg ? c->noagg : c->nowin ? c->nowin : "this context");
    }
    if (!a->over)
        return fail(c, "42809", a->loc, "window function %s requires an OVER clause", a->name);
    winctx_t *wc = c->win;
    bctx_t sub = *c;
    sub.win = NULL;
    sub.in_win = true;
    ast_window_t w;
    if (win_resolve(c, a->over, &w) != RDB_OK)
        return RDB_SQL;
    wcall_t call;
    memset(&call, 0, sizeof call);
    int mn = 0, mx = -1;
    for (size_t i = 0; i < sizeof win_fns / sizeof win_fns[0]; i++)
        if (strcmp(win_fns[i].name, a->name) == 0) {
            call.fn.fn = win_fns[i].fn;
            mn = win_fns[i].min;
            mx = win_fns[i].max;
        }
    if (mx >= 0) {
        if (a->star || a->nargs < mn || a->nargs > mx)
            return fail(c, "42883", a->loc, "function %s with %d arguments does not exist", a->name,
                        a->nargs);
        if (a->distinct || a->def)
            return fail(c, "42809", a->loc, "%s is not an aggregate function", a->name);
        if (win_args(&sub, s, a, &call.fn) != RDB_OK)
            return RDB_SQL;
    } else if (sql_is_agg_name(a->name) || a->star) {
        if (win_agg(&sub, s, a, &call.fn) != RDB_OK)
            return RDB_SQL;
    } else {
        return fail(c, "42809", a->loc, "OVER specified, but %s is not a window function nor an "
                    "aggregate function", a->name);
    }
    call.npart = w.npart;
    call.part = RDB_ARENA_NEWN(A, ex_expr_t *, w.npart + 1);
    if (bind_list(&sub, s, w.part, w.npart, call.part) != RDB_OK)
        return RDB_SQL;
    call.norder = w.norder;
    call.order = RDB_ARENA_NEWN(A, ex_expr_t *, w.norder + 1);
    call.okeys = RDB_ARENA_NEWN(A, plan_sortkey_t, w.norder + 1);
    for (int i = 0; i < w.norder; i++) {
        if (bind_e(&sub, s, w.order[i].expr, &call.order[i]) != RDB_OK)
            return RDB_SQL;
        call.okeys[i].desc = w.order[i].desc;
        call.okeys[i].nulls_first = w.order[i].nulls ? w.order[i].nulls == 1 : w.order[i].desc;
    }
    for (int i = 0; i < call.npart + call.norder; i++) {
        ex_expr_t **e = i < call.npart ? &call.part[i] : &call.order[i - call.npart];
        if ((*e)->type.oid == SQL_OID_UNKNOWN &&
            coerce(&sub, e, T(SQL_OID_TEXT), SQL_CAST_IMPLICIT, a->loc) != RDB_OK)
            return RDB_SQL;
        if (i >= call.npart)
            call.okeys[i - call.npart].type = (*e)->type;
    }
    if (win_frame(c, &sub, s, &w, &call) != RDB_OK)
        return RDB_SQL;
    if (wc->n == wc->cap) {
        wc->cap = wc->cap ? wc->cap * 2 : 8;
        wc->calls = rdb_arena_grow(A, wc->calls, (size_t)wc->n, (size_t)wc->cap, sizeof *wc->calls);
    }
    wc->calls[wc->n] = call;
    *out = ex_col(A, WIN_PH + wc->n, call.fn.type);
    wc->n++;
    return RDB_OK;
}

static bool win_same(const wcall_t *x, const wcall_t *y)
{
    if (x->npart != y->npart || x->norder != y->norder)
        return false;
    for (int i = 0; i < x->npart; i++)
        if (!ex_equal(x->part[i], y->part[i]))
            return false;
    for (int i = 0; i < x->norder; i++)
        if (!ex_equal(x->order[i], y->order[i]) || x->okeys[i].desc != y->okeys[i].desc ||
            x->okeys[i].nulls_first != y->okeys[i].nulls_first)
            return false;
    return true;
}

static void win_renumber(const winctx_t *wc, ex_expr_t *e)
{
    if (!e)
        return;
    if (e->kind == EX_COL && e->idx >= WIN_PH)
        e->idx = wc->calls[e->idx - WIN_PH].col;
    for (int i = 0; i < e->nargs; i++)
        if (!ex_arg_over_sub(e, i))
            win_renumber(wc, e->args[i]);
}

/* P_WINDOW nodes over p, one per distinct (PARTITION BY, ORDER BY), and
 * the placeholders in es[0..n) renumbered to their columns. */
static plan_t *win_build(bctx_t *c, winctx_t *wc, plan_t *p, ex_expr_t **es, int n)
{
    bool *done = RDB_ARENA_NEWN(A, bool, wc->n + 1);
    for (int i = 0; i < wc->n; i++) {
        if (done[i])
            continue;
        int cnt = 0;
        for (int k = i; k < wc->n; k++)
            if (!done[k] && win_same(&wc->calls[i], &wc->calls[k]))
                cnt++;
        plan_window_t *w = RDB_ARENA_NEW(A, plan_window_t);
        w->npart = wc->calls[i].npart;
        w->part = wc->calls[i].part;
        w->norder = wc->calls[i].norder;
        w->order = wc->calls[i].order;
        w->okeys = wc->calls[i].okeys;
        w->fns = RDB_ARENA_NEWN(A, plan_winfn_t, cnt);
        plan_t *q = plan_new(A, P_WINDOW, p->ncols + cnt);
        memcpy(q->types, p->types, sizeof(sql_type_t) * p->ncols);
        memcpy(q->names, p->names, sizeof(char *) * p->ncols);
        for (int k = i; k < wc->n; k++) {
            if (done[k] || !win_same(&wc->calls[i], &wc->calls[k]))
                continue;
            done[k] = true;
            wc->calls[k].col = p->ncols + w->nfns;
            q->types[p->ncols + w->nfns] = wc->calls[k].fn.type;
            q->names[p->ncols + w->nfns] = "?window?";
            w->fns[w->nfns++] = wc->calls[k].fn;
        }
        q->win = w;
        q->left = p;
        q->est_rows = p->est_rows;
        p = q;
    }
    for (int i = 0; i < n; i++)
        win_renumber(wc, es[i]);
    return p;
}

/* ---- FROM ----------------------------------------------------------- */

/* Whether expr_name(a) is a name PG's FigureColname holds strong (a column,
 * a function, ...) rather than a type's or "?column?": a CASE takes its
 * ELSE's strong name. */
static bool expr_name_strong(const ast_expr_t *a)
{
    switch (a->kind) {
    case AST_COLREF: return !a->star;
    case AST_FUNC: case AST_SVF: case AST_COALESCE: case AST_GREATEST: case AST_LEAST:
    case AST_NULLIF: case AST_ARRAY: return true;
    case AST_CAST: case AST_SUBSCRIPT: return expr_name_strong(a->arg);
    case AST_CASE: return a->def && expr_name_strong(a->def);
    default: return false;
    }
}

static const char *expr_name(ast_expr_t *a)
{
    switch (a->kind) {
    case AST_COLREF: return a->star ? "?column?" : a->names[a->nnames - 1];
    case AST_FUNC: return a->name;
    case AST_SVF: return a->name;
    case AST_CAST:
        if (expr_name_strong(a->arg))   /* else the type's name, as PG's FigureColname */
            return expr_name(a->arg);
        return a->tn->name[0] == '_' ? a->tn->name + 1
             : strcmp(a->tn->name, "int4") == 0 ? "int4" : a->tn->name;
    case AST_CASE: return expr_name_strong(a) ? expr_name(a->def) : "case";
    case AST_COALESCE: return "coalesce";
    case AST_GREATEST: return "greatest";
    case AST_LEAST: return "least";
    case AST_NULLIF: return "nullif";
    case AST_ARRAY: return "array";
    case AST_SUBSCRIPT: return expr_name(a->arg);
    case AST_SUBLINK: return a->ival == AST_SL_EXISTS ? "exists" : a->ival == AST_SL_ARRAY ? "array" : a->ival == AST_SL_EXPR &&
                             a->sub->ntargets == 1 && a->sub->targets[0].expr
                             ? (a->sub->targets[0].name ? a->sub->targets[0].name
                                : expr_name(a->sub->targets[0].expr)) : "?column?";
    default: return "?column?";
    }
}

static ast_cte_t *find_cte(bctx_t *c, const char *name, cte_frame_t **fr, int *idx)
{
    for (cte_frame_t *f = c->b->ctes; f; f = f->up)
        for (int i = 0; i < f->n; i++)
            if (strcmp(f->ctes[i].name, name) == 0) {
                *fr = f;
                *idx = i;
                return &f->ctes[i];
            }
    return NULL;
}

/* Does sel refer to a relation called name (a CTE's self-reference)? */
static bool expr_refs(ast_expr_t *a, const char *name);
static bool from_refs(ast_from_t *f, const char *name);
static bool sel_refs(ast_select_t *sel, const char *name)
{
    if (!sel)
        return false;
    for (int i = 0; i < sel->nctes; i++) {
        if (strcmp(sel->ctes[i].name, name) == 0)
            return false;   /* shadowed */
        if (sel_refs(sel->ctes[i].query, name))
            return true;
    }
    if (sel_refs(sel->larg, name) || sel_refs(sel->rarg, name))
        return true;
    for (int i = 0; i < sel->nfrom; i++)
        if (from_refs(sel->from[i], name))
            return true;
    for (int i = 0; i < sel->ntargets; i++)
        if (expr_refs(sel->targets[i].expr, name))
            return true;
    for (int i = 0; i < sel->ngroup; i++)
        if (expr_refs(sel->group[i], name))
            return true;
    return expr_refs(sel->where, name) || expr_refs(sel->having, name);
}
static bool from_refs(ast_from_t *f, const char *name)
{
    if (!f)
        return false;
    switch (f->kind) {
    case AST_FROM_REL: return !f->schema && strcmp(f->relname, name) == 0;
    case AST_FROM_JOIN: return from_refs(f->l, name) || from_refs(f->r, name) || expr_refs(f->quals, name);
    case AST_FROM_SUB: return sel_refs(f->sub, name);
    case AST_FROM_FUNC: return expr_refs(f->func, name);
    }
    return false;
}
static bool expr_refs(ast_expr_t *a, const char *name)
{
    if (!a)
        return false;
    if (a->kind == AST_SUBLINK && sel_refs(a->sub, name))
        return true;
    for (int i = 0; i < a->nargs; i++)
        if (expr_refs(a->args[i], name))
            return true;
    return expr_refs(a->arg, name) || expr_refs(a->def, name);
}

/* Does a FROM item refer to the items before it (LATERAL subqueries,
 * functions whose arguments name columns)?  Its join then runs it again
 * for each row of its left side. */
static bool expr_has_colref(const ast_expr_t *a)
{
    if (!a)
        return false;
    if (a->kind == AST_COLREF)
        return true;
    for (int i = 0; i < a->nargs; i++)
        if (expr_has_colref(a->args[i]))
            return true;
    return expr_has_colref(a->arg) || expr_has_colref(a->def);
}
static bool from_lateral(const ast_from_t *f)
{
    switch (f->kind) {
    case AST_FROM_SUB: return f->lateral;
    case AST_FROM_FUNC:
        if (f->lateral)
            return true;
        for (int i = 0; i < f->nfuncs; i++)
            if (expr_has_colref(f->funcs[i]))
                return true;
        return expr_has_colref(f->func);
    case AST_FROM_JOIN: return from_lateral(f->l) || from_lateral(f->r);
    default: return false;
    }
}

/* Location of the first aggregate call in a, or -1. */
static int agg_loc(ast_expr_t *a)
{
    if (!a || a->kind == AST_SUBLINK)
        return -1;
    if (a->kind == AST_FUNC && !a->over && (sql_is_agg_name(a->name) || a->star))
        return a->loc;
    for (int i = 0; i < a->nargs; i++) {
        int l = agg_loc(a->args[i]);
        if (l >= 0)
            return l;
    }
    int l = agg_loc(a->arg);
    return l >= 0 ? l : agg_loc(a->def);
}

static void add_plan_rel(bctx_t *c, scope_t *s, plan_t *p, const char *alias, const char **colaliases,
                         int ncolaliases, int offset)
{
    srel_t *r = scope_add(c, s, alias, p->ncols);
    for (int i = 0; i < p->ncols; i++) {
        r->cols[i].name = i < ncolaliases ? colaliases[i] : p->names[i];
        r->cols[i].type = p->types[i];
        r->cols[i].pos = offset + i;
    }
    s->width = offset + p->ncols;
}

static rdb_status_t bind_from(bctx_t *c, scope_t *s, ast_from_t *f, int offset, plan_t **out);

typedef struct tlist tlist_t;
struct tlist {
    int          n, cap;
    ex_expr_t  **e;
    const char **names;
    uint32_t    *tab;
    int16_t     *attnum;
};
static void tl_add(bctx_t *c, tlist_t *tl, ex_expr_t *e, const char *name, uint32_t tab, int16_t attnum);
static plan_t *project(bctx_t *c, plan_t *child, tlist_t *tl);

/* Location of a query's first output column (PostgreSQL points there). */
static int first_target_loc(const ast_select_t *sel)
{
    while (sel->op != AST_SETOP_NONE)
        sel = sel->larg;
    if (sel->nvalues && sel->nvalcols)
        return sel->values[0][0]->loc;
    return sel->ntargets && sel->targets[0].expr ? sel->targets[0].expr->loc : sel->loc;
}

/* Is column i of an arm of a set operation an untyped literal? */
static bool arm_unknown(const plan_t *p, int i)
{
    return p->kind == P_PROJECT && p->exprs[i]->kind == EX_CONST && p->exprs[i]->flag == 1;
}

/* Read an arm's untyped literal column i as type t (SELECT 1 UNION SELECT
 * 'a' reads 'a' as an integer, with its error at 'a'). */
static rdb_status_t arm_resolve(bctx_t *c, plan_t *p, const ast_select_t *sel, int i, sql_type_t t)
{
    int loc = sel->op == AST_SETOP_NONE && !sel->nvalues && i < sel->ntargets && sel->targets[i].expr
            ? sel->targets[i].expr->loc : -1;
    ex_expr_t *u = ex_const(c, T(SQL_OID_UNKNOWN), p->exprs[i]->val);
    if (coerce(c, &u, t, SQL_CAST_IMPLICIT, loc) != RDB_OK)
        return RDB_SQL;
    p->exprs[i] = u;
    p->types[i] = u->type;
    return RDB_OK;
}

static plan_t *plan_like(bctx_t *c, plan_kind_t k, const plan_t *shape)
{
    plan_t *p = plan_new(A, k, shape->ncols);
    memcpy(p->types, shape->types, sizeof(sql_type_t) * shape->ncols);
    memcpy(p->names, shape->names, sizeof(char *) * shape->ncols);
    p->est_rows = shape->est_rows;
    return p;
}

/* A reference to a CTE of a WITH RECURSIVE that refers to itself:
 * non-recursive term UNION [ALL] recursive term (PostgreSQL's
 * checkWellFormedRecursion and analyzeCTE, with their errors). */
static rdb_status_t bind_recursive(bctx_t *c, scope_t *s, cte_frame_t *fr, int idx, plan_t **out)
{
    ast_cte_t *cte = &fr->ctes[idx];
    ast_select_t *q = cte->query;
    if (q->op != AST_SETOP_UNION)
        return fail(c, "42P19", cte->loc, "recursive query \"%s\" does not have the form "
                    "non-recursive-term UNION [ALL] recursive-term", cte->name);
    if (q->nsort)
        return fail(c, "0A000", q->sort[0].expr->loc, "ORDER BY in a recursive query is not implemented");
    if (q->offset)
        return fail(c, "0A000", q->offset->loc, "OFFSET in a recursive query is not implemented");
    if (q->limit)
        return fail(c, "0A000", q->limit->loc, "LIMIT in a recursive query is not implemented");
    if (q->for_update)
        return fail(c, "0A000", cte->loc, "FOR UPDATE/SHARE in a recursive query is not implemented");
    if (!fr->rec)
        fr->rec = RDB_ARENA_NEWN(A, recur_t *, fr->n + 1);
    recur_t rc = { .id = c->b->nwt++ };
    fr->rec[idx] = &rc;
    plan_t *l, *r = NULL;
    rdb_status_t st = bind_select_in(c, q->larg, s->parent, &l);
    if (st == RDB_OK && cte->ncolnames > l->ncols)
        st = fail(c, "42P10", cte->loc, "WITH query \"%s\" has %d columns available but %d columns "
                  "specified", cte->name, l->ncols, cte->ncolnames);
    if (st == RDB_OK) {
        rc.shape = plan_like(c, P_WORKTABLE, l);
        for (int i = 0; i < cte->ncolnames; i++)
            rc.shape->names[i] = cte->colnames[i];
        rc.shape->alias = cte->name;
        rc.depth = c->depth + 1;
        st = bind_select_in(c, q->rarg, s->parent, &r);
    }
    fr->rec[idx] = NULL;
    if (st != RDB_OK)
        return RDB_SQL;
    if (rc.nrefs == 0)   /* a UNION that only looked recursive */
        return bind_select_in(c, q, s->parent, out);
    ast_select_t *ra = q->rarg;
    if (ra->op == AST_SETOP_NONE) {
        int loc = -1;
        for (int i = 0; i < ra->ntargets && loc < 0; i++)
            loc = agg_loc(ra->targets[i].expr);
        if (loc < 0)
            loc = agg_loc(ra->having);
        if (loc >= 0)
            return fail(c, "42P19", loc, "aggregate functions are not allowed in a recursive query's "
                        "recursive term");
    }
    if (l->ncols != r->ncols)
        return fail(c, "42601", q->loc, "each UNION query must have the same number of columns");
    tlist_t tr = { 0 };
    for (int i = 0; i < r->ncols; i++) {
        /* an untyped literal takes the non-recursive term's type */
        if (arm_unknown(r, i) && arm_resolve(c, r, ra, i, l->types[i]) != RDB_OK)
            return RDB_SQL;
        ex_expr_t *pair[2] = { ex_col(A, i, l->types[i]), ex_col(A, i, r->types[i]) };
        sql_type_t t;
        if (common(c, pair, 2, "UNION", -1, &t) != RDB_OK)
            return RDB_SQL;
        if (t.oid != l->types[i].oid) {
            int loc = q->larg->op == AST_SETOP_NONE && i < q->larg->ntargets && q->larg->targets[i].expr
                    ? q->larg->targets[i].expr->loc : cte->loc;
            fail(c, "42804", loc, "recursive query \"%s\" column %d has type %s in non-recursive term "
                 "but type %s overall", cte->name, i + 1, tname(c, l->types[i]), tname(c, t));
            rdb_err_hint(c->err, "Cast the output of the non-recursive term to the correct type.");
            return RDB_SQL;
        }
        tl_add(c, &tr, pair[1], rc.shape->names[i], 0, 0);
    }
    plan_t *p = plan_like(c, P_RECURSIVE, rc.shape);
    p->left = l;
    p->right = project(c, r, &tr);
    p->all = q->all;
    p->wtid = rc.id;
    p->alias = cte->name;
    p->est_rows = l->est_rows * 10 + 1;
    if (l->est_rows < 0 || r->est_rows < 0)
        p->est_rows = -1;
    *out = p;
    return RDB_OK;
}

/* FROM name where name is a CTE in scope. */
static rdb_status_t bind_cte_ref(bctx_t *c, scope_t *s, ast_from_t *f, cte_frame_t *fr, int idx, int offset,
                                 plan_t **out)
{
    ast_cte_t *cte = &fr->ctes[idx];
    recur_t *rc = fr->rec ? fr->rec[idx] : NULL;
    plan_t *p;
    if (rc) {
        /* the recursive CTE inside its own definition */
        if (!rc->shape)
            return fail(c, "42P19", f->loc, "recursive reference to query \"%s\" must not appear within "
                        "its non-recursive term", cte->name);
        if (c->depth != rc->depth)
            return fail(c, "42P19", f->loc, "recursive reference to query \"%s\" must not appear within "
                        "a subquery", cte->name);
        if (c->nullable)
            return fail(c, "42P19", f->loc, "recursive reference to query \"%s\" must not appear within "
                        "an outer join", cte->name);
        if (rc->nrefs++)
            return fail(c, "42P19", f->loc, "recursive reference to query \"%s\" must not appear more "
                        "than once", cte->name);
        p = plan_like(c, P_WORKTABLE, rc->shape);
        p->wtid = rc->id;
        p->alias = cte->name;
        p->est_rows = 10;
    } else {
        /* bound afresh at each reference (the planner rewrites plans in
         * place); it sees the CTEs before it, or all of a WITH RECURSIVE */
        if (!fr->busy)
            fr->busy = RDB_ARENA_NEWN(A, bool, fr->n + 1);
        if (fr->busy[idx])
            return fail(c, "0A000", f->loc, "mutual recursion between WITH items is not implemented");
        cte_frame_t vis = *fr;
        vis.n = fr->recursive ? fr->n : idx;
        void *save = c->b->ctes;
        c->b->ctes = &vis;
        rdb_status_t st;
        fr->busy[idx] = true;
        if (fr->recursive && sel_refs(cte->query, cte->name))
            st = bind_recursive(c, s, &vis, idx, &p);
        else
            st = bind_select_in(c, cte->query, s->parent, &p);
        fr->busy[idx] = false;
        if (vis.rec)
            fr->rec = vis.rec;
        c->b->ctes = save;
        if (st != RDB_OK)
            return RDB_SQL;
        if (cte->ncolnames > p->ncols)
            return fail(c, "42P10", cte->loc, "WITH query \"%s\" has %d columns available but %d columns "
                        "specified", cte->name, p->ncols, cte->ncolnames);
    }
    if (p->est_rows < 0)
        s->corr = true;
    add_plan_rel(c, s, p, f->alias ? f->alias : f->relname,
                 f->ncolaliases ? f->colaliases : cte->colnames,
                 f->ncolaliases ? f->ncolaliases : cte->ncolnames, offset);
    *out = p;
    return RDB_OK;
}

/* The strongest mode (-1: none) and wait policy the locking clauses of sel
 * give the FROM item alias (PostgreSQL's applyLockingClause keeps the
 * maxima); *loc: where OF names it (-1: a clause without OF). */
static int lock_for(const ast_select_t *sel, const char *alias, int *wait, int *loc)
{
    int mode = -1;
    *wait = 0;
    *loc = -1;
    for (int k = 0; alias && k < sel->nlocks; k++) {
        bool named = sel->locks[k].nrels == 0;
        for (int i = 0; i < sel->locks[k].nrels; i++)
            if (strcmp(sel->locks[k].rels[i], alias) == 0) {
                named = true;
                *loc = sel->locks[k].locs[i];
            }
        if (named && sel->locks[k].strength > mode)
            mode = sel->locks[k].strength;
        if (named && sel->locks[k].wait > *wait)
            *wait = sel->locks[k].wait;
    }
    return mode;
}

/* A subquery or view in the FROM clause of a SELECT ... FOR UPDATE named
 * alias: as PostgreSQL, the locking clause applies to its tables (a copy
 * of sub with its own locking clause; the statement's tree may be bound
 * again). */
static ast_select_t *lock_pushdown(bctx_t *c, ast_select_t *sub, const char *alias)
{
    const ast_select_t *sel = c->lock_sel;
    if (!sel || sub->for_update || !alias)
        return sub;
    int wait, loc, mode = lock_for(sel, alias, &wait, &loc);
    if (mode < 0)
        return sub;
    ast_select_t *cp = RDB_ARENA_NEW(A, ast_select_t);
    *cp = *sub;
    cp->for_update = true;
    cp->nlocks = 1;
    cp->locks = RDB_ARENA_NEW(A, ast_lock_t);
    cp->locks->strength = mode;
    cp->locks->wait = wait;
    cp->lock_name = ast_lock_names[mode];
    return cp;
}

static rdb_status_t bind_rel(bctx_t *c, scope_t *s, ast_from_t *f, int offset, plan_t **out)
{
    if (!f->schema) {
        cte_frame_t *fr;
        int idx;
        if (find_cte(c, f->relname, &fr, &idx))
            return bind_cte_ref(c, s, f, fr, idx, offset, out);
    }
    const sql_table_t *t = sql_syscat_lookup(c->b->snap, f->schema, f->relname, c->b->path, c->b->npath);
    if (!t) {
        if (f->schema)
            return fail(c, "42P01", f->loc, "relation \"%s.%s\" does not exist", f->schema, f->relname);
        return fail(c, "42P01", f->loc, "relation \"%s\" does not exist", f->relname);
    }
    if (t->relkind == SQL_REL_VIEW) {
        json_error_t je;
        json_t *j = json_loads(t->view_json, 0, &je);
        ast_select_t *vs;
        if (!j)
            return fail(c, "XX000", f->loc, "view \"%s\" has a damaged definition", t->name);
        rdb_status_t rc = sql_parse_select_json(A, j, &vs, c->err);
        json_decref(j);
        plan_t *p;
        const char *savesql = c->b->sql;
        c->b->sql = NULL;
        if (rc == RDB_OK)
            rc = bind_select_in(c, lock_pushdown(c, vs, f->alias ? f->alias : t->name), NULL, &p);
        c->b->sql = savesql;
        if (rc != RDB_OK)
            return at(c, f->loc);
        add_plan_rel(c, s, p, f->alias ? f->alias : t->name, f->colaliases, f->ncolaliases, offset);
        *out = p;
        return RDB_OK;
    }
    if (t->relkind != SQL_REL_TABLE)
        return fail(c, "0A000", f->loc, "reading \"%s\" as a table is not supported", t->name);
    plan_t *p = plan_new(A, P_SCAN, t->nrowcols);
    p->tab = t;
    p->alias = f->alias ? f->alias : t->name;
    p->est_rows = t->rowcount_est ? (double)t->rowcount_est : 1000;
    for (int i = 0; i < t->nrowcols; i++)
        p->types[i] = T(SQL_OID_INT4);
    srel_t *r = scope_add(c, s, f->alias ? f->alias : t->name, t->ncols);
    r->table = t;
    r->offset = offset;
    for (int i = 0; i < t->ncols; i++) {
        const sql_column_t *col = &t->cols[i];
        p->types[col->colid] = col->type;
        p->names[col->colid] = col->name;
        p->col_table[col->colid] = t->id;
        p->col_attnum[col->colid] = col->attnum;
        r->cols[i].name = i < f->ncolaliases ? f->colaliases[i] : col->name;
        r->cols[i].type = col->type;
        r->cols[i].pos = offset + col->colid;
        r->cols[i].tab = t->id;
        r->cols[i].attnum = col->attnum;
    }
    for (int i = 0; i < t->nrowcols; i++)
        if (!p->names[i])
            p->names[i] = "........pg.dropped........";
    s->width = offset + t->nrowcols;
    *out = p;
    return RDB_OK;
}

/* Set-returning functions other than the integer generate_series (which
 * keeps its own P_SERIES node). */
static const struct { const char *name; ex_srf_t srf; int min, max; } srf_fns[] = {
    { "unnest", EX_SRF_UNNEST, 1, SQL_MAX_FN_ARGS },
    { "generate_subscripts", EX_SRF_SUBSCRIPTS, 2, 3 },
    { "jsonb_each", EX_SRF_JSON_EACH, 1, 1 }, { "json_each", EX_SRF_JSON_EACH, 1, 1 },
    { "jsonb_each_text", EX_SRF_JSON_EACH_TEXT, 1, 1 }, { "json_each_text", EX_SRF_JSON_EACH_TEXT, 1, 1 },
    { "jsonb_array_elements", EX_SRF_JSON_ELEMENTS, 1, 1 },
    { "json_array_elements", EX_SRF_JSON_ELEMENTS, 1, 1 },
    { "jsonb_array_elements_text", EX_SRF_JSON_ELEMENTS_TEXT, 1, 1 },
    { "json_array_elements_text", EX_SRF_JSON_ELEMENTS_TEXT, 1, 1 },
    { "jsonb_object_keys", EX_SRF_JSON_KEYS, 1, 1 }, { "json_object_keys", EX_SRF_JSON_KEYS, 1, 1 },
    { "regexp_matches", EX_SRF_REGEXP_MATCHES, 2, 3 }, { "regexp_split_to_table", EX_SRF_REGEXP_SPLIT, 2, 3 },
};

char sql_binder_fn_kind(const char *name)
{
    for (size_t i = 0; i < sizeof session_fns / sizeof session_fns[0]; i++)
        if (strcmp(session_fns[i].name, name) == 0)
            return 'f';
    for (size_t i = 0; i < sizeof win_fns / sizeof win_fns[0]; i++)
        if (strcmp(win_fns[i].name, name) == 0)
            return 'w';
    if (strcmp(name, "nextval") == 0 || strcmp(name, "currval") == 0 || strcmp(name, "setval") == 0)
        return 'f';
    return is_srf_name(name) ? 's' : 0;
}

static bool is_srf_name(const char *name)
{
    if (strcmp(name, "generate_series") == 0)
        return true;
    for (size_t i = 0; i < sizeof srf_fns / sizeof srf_fns[0]; i++)
        if (strcmp(srf_fns[i].name, name) == 0)
            return true;
    return false;
}

static rdb_status_t srf_nofn(bctx_t *c, ast_expr_t *fa, ex_expr_t **args)
{
    rdb_buf_t b = RDB_BUF_INIT;
    for (int i = 0; i < fa->nargs; i++) {
        if (i)
            rdb_buf_append_str(&b, ", ");
        sql_type_format(args[i]->type, &b);
    }
    rdb_status_t rc = fail(c, "42883", fa->loc, "function %s(%.*s) does not exist", fa->name,
                           (int)b.len, b.data ? b.data : "");
    rdb_err_hint(c->err, "No function matches the given name and argument types. You might need "
                 "to add explicit type casts.");
    rdb_buf_free(&b);
    return rc;
}

/* Bind one set-returning call (bound arguments args) into EX_SRF nodes
 * appended to *fs (unnest(a, b) is two); column names and types go to
 * names/types from *ncols on. */
static rdb_status_t bind_srf(bctx_t *c, ast_expr_t *fa, ex_expr_t **args, ex_expr_t ***fs, int *nfs,
                             const char **names, sql_type_t *types, int *ncols)
{
    const char *name = fa->name;
    int k = -1;
    for (size_t i = 0; i < sizeof srf_fns / sizeof srf_fns[0] && k < 0; i++)
        if (strcmp(srf_fns[i].name, name) == 0)
            k = (int)i;
    ex_srf_t id;
    if (strcmp(name, "generate_series") == 0) {
        if (fa->nargs < 2 || fa->nargs > 3)
            return srf_nofn(c, fa, args);
        bool allunk = true, num = false, ts = false, tz = false;
        for (int i = 0; i < 2; i++) {
            uint32_t o = args[i]->type.oid;
            allunk &= o == SQL_OID_UNKNOWN;
            num |= o == SQL_OID_NUMERIC || o == SQL_OID_INT2 || o == SQL_OID_INT4 || o == SQL_OID_INT8;
            ts |= o == SQL_OID_TIMESTAMP;
            tz |= o == SQL_OID_TIMESTAMPTZ || o == SQL_OID_DATE;
        }
        if (allunk) {
            fail(c, "42725", fa->loc, "function generate_series(%s) is not unique",
                 fa->nargs == 2 ? "unknown, unknown" : "unknown, unknown, unknown");
            rdb_err_hint(c->err, "Could not choose a best candidate function. You might need to add "
                         "explicit type casts.");
            return RDB_SQL;
        }
        sql_type_t t = num ? T(SQL_OID_NUMERIC) : tz ? T(SQL_OID_TIMESTAMPTZ) : T(SQL_OID_TIMESTAMP);
        if (!num && !ts && !tz)
            return srf_nofn(c, fa, args);
        if (!num && fa->nargs != 3)
            return srf_nofn(c, fa, args);
        for (int i = 0; i < fa->nargs; i++) {
            sql_type_t want = i == 2 && !num ? T(SQL_OID_INTERVAL) : t;
            if (!is_unknown(args[i]) && !sql_type_can_coerce(args[i]->type, want, SQL_CAST_IMPLICIT))
                return srf_nofn(c, fa, args);
            if (coerce(c, &args[i], want, SQL_CAST_IMPLICIT, fa->loc) != RDB_OK)
                return RDB_SQL;
        }
        id = num ? EX_SRF_SERIES_NUMERIC : EX_SRF_SERIES_TS;
        types[*ncols] = t;
    } else {
        if (k < 0 || fa->nargs < srf_fns[k].min || fa->nargs > srf_fns[k].max)
            return srf_nofn(c, fa, args);
        id = srf_fns[k].srf;
        if (id == EX_SRF_UNNEST || id == EX_SRF_SUBSCRIPTS) {
            int narr = id == EX_SRF_UNNEST ? fa->nargs : 1;
            for (int i = 0; i < narr; i++)
                if (!sql_type_is_array(args[i]->type.oid))
                    return srf_nofn(c, fa, args);
            if (id == EX_SRF_UNNEST) {
                /* unnest(a, b, ...) is ROWS FROM (unnest(a), unnest(b), ...) */
                for (int i = 0; i < fa->nargs; i++) {
                    ex_expr_t *e = ex_new(c, EX_SRF, sql_array_elem_type(args[i]->type), 1);
                    e->flag = EX_SRF_UNNEST;
                    e->idx = 1;
                    e->args[0] = args[i];
                    (*fs)[(*nfs)++] = e;
                    names[*ncols] = name;
                    types[(*ncols)++] = e->type;
                }
                return RDB_OK;
            }
            if (coerce(c, &args[1], T(SQL_OID_INT4), SQL_CAST_IMPLICIT, fa->loc) != RDB_OK ||
                (fa->nargs > 2 && coerce(c, &args[2], T(SQL_OID_BOOL), SQL_CAST_IMPLICIT, fa->loc) != RDB_OK))
                return RDB_SQL;
            types[*ncols] = T(SQL_OID_INT4);
        } else if (id == EX_SRF_REGEXP_MATCHES || id == EX_SRF_REGEXP_SPLIT) {
            for (int i = 0; i < fa->nargs; i++)
                if (coerce(c, &args[i], T(SQL_OID_TEXT), SQL_CAST_IMPLICIT, fa->loc) != RDB_OK)
                    return RDB_SQL;
            types[*ncols] = T(id == EX_SRF_REGEXP_MATCHES ? SQL_OID_TEXT_ARRAY : SQL_OID_TEXT);
        } else {
            /* json functions: json_* take json, jsonb_* take jsonb */
            sql_type_t jt = T(name[4] == 'b' ? SQL_OID_JSONB : SQL_OID_JSON);
            if (!is_unknown(args[0]) && args[0]->type.oid != jt.oid)
                return srf_nofn(c, fa, args);
            if (coerce(c, &args[0], jt, SQL_CAST_IMPLICIT, fa->loc) != RDB_OK)
                return RDB_SQL;
            bool astext = id == EX_SRF_JSON_EACH_TEXT || id == EX_SRF_JSON_ELEMENTS_TEXT;
            if (id == EX_SRF_JSON_EACH || id == EX_SRF_JSON_EACH_TEXT) {
                names[*ncols] = "key";
                types[(*ncols)++] = T(SQL_OID_TEXT);
                names[*ncols] = "value";
                types[*ncols] = astext ? T(SQL_OID_TEXT) : jt;
            } else if (id == EX_SRF_JSON_KEYS) {
                types[*ncols] = T(SQL_OID_TEXT);
            } else {
                names[*ncols] = "value";
                types[*ncols] = astext ? T(SQL_OID_TEXT) : jt;
            }
        }
    }
    int two = id == EX_SRF_JSON_EACH || id == EX_SRF_JSON_EACH_TEXT;
    if (!(two || id == EX_SRF_JSON_ELEMENTS || id == EX_SRF_JSON_ELEMENTS_TEXT))
        names[*ncols] = name;
    ex_expr_t *e = ex_new(c, EX_SRF, types[*ncols - two], fa->nargs);
    e->flag = id;
    e->idx = 1 + two;
    for (int i = 0; i < fa->nargs; i++)
        e->args[i] = args[i];
    (*fs)[(*nfs)++] = e;
    (*ncols)++;
    return RDB_OK;
}

static rdb_status_t bind_func_from(bctx_t *c, scope_t *s, ast_from_t *f, int offset, plan_t **out)
{
    ast_expr_t *fa = f->func;
    int nfuncs = f->nfuncs ? f->nfuncs : 1;
    ast_expr_t **funcs = f->nfuncs ? f->funcs : &f->func;
    for (int i = 0; i < nfuncs; i++)
        if (funcs[i]->kind != AST_FUNC)
            return fail(c, "0A000", funcs[i]->loc, "this function call in FROM is not supported");
    /* a function in FROM that refers to the FROM items before it sees them
     * (implicitly LATERAL) */
    scope_t fsc = { 0 };
    bool lat = s->nrels && from_lateral(f);
    fsc.parent = lat ? s : s->parent;
    if (lat && c->lat_bad)
        return fail(c, "0A000", f->loc, "LATERAL inside a RIGHT or FULL join is not supported");
    bctx_t sub = *c;
    sub.agg = NULL;
    sub.noagg = "functions in FROM";
    sub.win = NULL;
    sub.nowin = "functions in FROM";
    const char *cname = f->ncolaliases ? f->colaliases[0] : f->alias ? f->alias : fa->name;
    plan_t *p;
    bool series_int = nfuncs == 1 && !f->ordinality && strcmp(fa->name, "generate_series") == 0 &&
                      fa->nargs >= 2 && fa->nargs <= 3;
    ex_expr_t **args0 = RDB_ARENA_NEWN(A, ex_expr_t *, fa->nargs + 1);
    bool args0_bound = series_int;
    if (series_int) {
        if (bind_list(&sub, &fsc, fa->args, fa->nargs, args0) != RDB_OK)
            return RDB_SQL;
        bool allunk = true;
        for (int i = 0; i < fa->nargs; i++) {
            uint32_t o = args0[i]->type.oid;
            allunk &= o == SQL_OID_UNKNOWN;
            if (o != SQL_OID_INT4 && o != SQL_OID_INT2 && o != SQL_OID_INT8 && o != SQL_OID_UNKNOWN)
                series_int = false;
        }
        if (allunk)
            series_int = false;
    }
    if (series_int) {
        p = plan_new(A, P_SERIES, 1);
        p->nexprs = fa->nargs;
        p->exprs = RDB_ARENA_NEWN(A, ex_expr_t *, 3);
        sql_type_t t = T(SQL_OID_INT4);
        for (int i = 0; i < fa->nargs; i++) {
            p->exprs[i] = args0[i];
            if (p->exprs[i]->type.oid == SQL_OID_INT8)
                t = T(SQL_OID_INT8);
        }
        for (int i = 0; i < fa->nargs; i++)
            if (coerce(c, &p->exprs[i], t, SQL_CAST_IMPLICIT, fa->loc) != RDB_OK)
                return RDB_SQL;
        p->types[0] = t;
        p->names[0] = cname;
    } else if (nfuncs > 1 || f->ordinality || is_srf_name(fa->name)) {
        int cap = f->ordinality + 1;
        for (int i = 0; i < nfuncs; i++)
            cap += funcs[i]->nargs + 2;
        ex_expr_t **fs = RDB_ARENA_NEWN(A, ex_expr_t *, cap);
        const char **names = RDB_ARENA_NEWN(A, const char *, cap);
        sql_type_t *types = RDB_ARENA_NEWN(A, sql_type_t, cap);
        int nfs = 0, ncols = 0;
        for (int i = 0; i < nfuncs; i++) {
            ast_expr_t *fi = funcs[i];
            ex_expr_t **args = i == 0 && args0_bound ? args0 : RDB_ARENA_NEWN(A, ex_expr_t *, fi->nargs + 1);
            if (!(i == 0 && args0_bound) && bind_list(&sub, &fsc, fi->args, fi->nargs, args) != RDB_OK)
                return RDB_SQL;
            if (is_srf_name(fi->name)) {
                if (bind_srf(c, fi, args, &fs, &nfs, names, types, &ncols) != RDB_OK)
                    return RDB_SQL;
                continue;
            }
            return fail(c, "0A000", fi->loc, "function %s in ROWS FROM or WITH ORDINALITY is not supported",
                        fi->name);
        }
        if (f->ordinality) {
            names[ncols] = "ordinality";
            types[ncols++] = T(SQL_OID_INT8);
        }
        p = plan_new(A, P_FUNCSCAN, ncols);
        p->exprs = fs;
        p->nexprs = nfs;
        p->ordinality = f->ordinality;
        p->est_rows = 100;
        for (int i = 0; i < ncols; i++) {
            p->types[i] = types[i];
            p->names[i] = names[i];
        }
        /* a function returning one unnamed column (unnest, not json_array_elements'
         * "value") is named by the alias */
        if (ncols - f->ordinality == 1 && !f->ncolaliases && f->alias && p->names[0] == fa->name)
            p->names[0] = f->alias;
        for (int i = 0; i < ncols && i < f->ncolaliases; i++)
            p->names[i] = f->colaliases[i];
    } else {
        /* a scalar function: one row */
        ex_expr_t *e;
        if (bind_e(&sub, &fsc, fa, &e) != RDB_OK)
            return RDB_SQL;
        p = plan_new(A, P_PROJECT, 1);
        p->left = plan_new(A, P_RESULT, 0);
        p->exprs = RDB_ARENA_NEWN(A, ex_expr_t *, 1);
        p->exprs[0] = e;
        p->nexprs = 1;
        p->types[0] = e->type;
        p->names[0] = cname;
    }
    if (fsc.corr) {
        if (lat)
            p->lateral = true;      /* the join re-runs it per left row */
        else
            s->corr = true;
    }
    add_plan_rel(c, s, p, f->alias ? f->alias : fa->name, NULL, 0, offset);
    *out = p;
    return RDB_OK;
}

/* Columns of the range entries rels[from..to) of s visible to '*'. */
static scol_t *find_in(scope_t *s, int from, int to, const char *name, int *count)
{
    scol_t *hit = NULL;
    *count = 0;
    for (int i = from; i < to; i++)
        for (int j = 0; j < s->rels[i].ncols; j++) {
            scol_t *sc = &s->rels[i].cols[j];
            if (!sc->hidden && strcmp(sc->name, name) == 0) {
                if (!hit)
                    hit = sc;
                (*count)++;
            }
        }
    return hit;
}

static rdb_status_t bind_join(bctx_t *c, scope_t *s, ast_from_t *f, int offset, plan_t **out)
{
    plan_t *l, *r;
    int rel0 = s->nrels;
    bool nullable = c->nullable;
    c->nullable = nullable || f->jointype == AST_JOIN_RIGHT || f->jointype == AST_JOIN_FULL;
    rdb_status_t lrc = bind_from(c, s, f->l, offset, &l);
    c->nullable = nullable;
    if (lrc != RDB_OK)
        return RDB_SQL;
    int relm = s->nrels;
    int roff = s->width;
    bool lat = from_lateral(f->r), lat_item = c->lat_item, lat_bad = c->lat_bad;
    c->lat_item = lat_item || lat;
    c->lat_bad = lat_bad || f->jointype == AST_JOIN_RIGHT || f->jointype == AST_JOIN_FULL;
    c->nullable = nullable || f->jointype == AST_JOIN_LEFT || f->jointype == AST_JOIN_FULL;
    rdb_status_t rrc = bind_from(c, s, f->r, roff, &r);
    c->nullable = nullable;
    c->lat_item = lat_item;
    c->lat_bad = lat_bad;
    if (rrc != RDB_OK)
        return RDB_SQL;
    int rel1 = s->nrels;
    plan_t *j = plan_new(A, P_JOIN, l->ncols + r->ncols);
    j->left = l;
    j->right = r;
    static const plan_join_t jt[] = { J_INNER, J_LEFT, J_RIGHT, J_FULL, J_CROSS };
    j->jointype = jt[f->jointype];
    j->lateral = lat;
    j->frame_off = offset;
    for (int i = 0; i < l->ncols; i++) {
        j->types[i] = l->types[i];
        j->names[i] = l->names[i];
    }
    for (int i = 0; i < r->ncols; i++) {
        j->types[l->ncols + i] = r->types[i];
        j->names[l->ncols + i] = r->names[i];
    }
    /* USING / NATURAL: equality conditions and merged columns */
    const char **using_ = f->using_;
    int nusing = f->nusing;
    if (f->natural) {
        using_ = RDB_ARENA_NEWN(A, const char *, 64);
        nusing = 0;
        for (int i = relm; i < rel1; i++)
            ;
        for (int i = rel0; i < relm; i++)
            for (int k = 0; k < s->rels[i].ncols; k++) {
                scol_t *lc = &s->rels[i].cols[k];
                int cnt;
                if (!lc->hidden && find_in(s, relm, rel1, lc->name, &cnt) && nusing < 64)
                    using_[nusing++] = lc->name;
            }
    }
    ex_expr_t *qual = NULL;
    if (nusing) {
        srel_t *m = scope_add(c, s, NULL, nusing);
        ex_expr_t *andq = ex_new(c, EX_AND, T(SQL_OID_BOOL), nusing);
        for (int i = 0; i < nusing; i++) {
            int cl, cr;
            scol_t *lc = find_in(s, rel0, relm, using_[i], &cl);
            scol_t *rc = find_in(s, relm, rel1, using_[i], &cr);
            if (!lc || !rc)
                return fail(c, "42703", f->loc, "column \"%s\" specified in USING clause does not exist "
                            "in %s table", using_[i], !lc ? "left" : "right");
            if (cl > 1 || cr > 1)
                return fail(c, "42702", f->loc, "common column name \"%s\" appears more than once in "
                            "%s table", using_[i], cl > 1 ? "left" : "right");
            ex_expr_t *le = scol_ref(c, lc, 0), *re = scol_ref(c, rc, 0), *eq;
            if (mk_op(c, "=", le, re, f->loc, &eq) != RDB_OK)
                return RDB_SQL;
            andq->args[i] = eq;
            lc->hidden = rc->hidden = true;
            m->cols[i].name = using_[i];
            sql_type_t ct;
            ex_expr_t *pair[2] = { le, re };
            if (common(c, pair, 2, "JOIN/USING", f->loc, &ct) != RDB_OK)
                return RDB_SQL;
            m->cols[i].type = ct;
            if (j->jointype == J_FULL) {
                ex_expr_t *co = ex_new(c, EX_COALESCE, ct, 2);
                co->args[0] = pair[0];
                co->args[1] = pair[1];
                m->cols[i].expr = co;
            } else {
                scol_t *src = j->jointype == J_RIGHT ? rc : lc;
                m->cols[i].pos = src->pos;
                if (ct.oid != src->type.oid)
                    m->cols[i].expr = j->jointype == J_RIGHT ? pair[1] : pair[0];
            }
        }
        /* merged columns come first in '*' expansion */
        srel_t tmp = s->rels[s->nrels - 1];
        memmove(&s->rels[rel0 + 1], &s->rels[rel0], sizeof(srel_t) * (size_t)(s->nrels - 1 - rel0));
        s->rels[rel0] = tmp;
        qual = andq;
        if (j->jointype == J_CROSS)
            j->jointype = J_INNER;
    }
    if (f->quals) {
        bctx_t sub = *c;
        sub.agg = NULL;
        sub.noagg = "JOIN conditions";
        ex_expr_t *q;
        if (bind_e(&sub, s, f->quals, &q) != RDB_OK || coerce_bool(&sub, &q, "JOIN/ON", f->quals->loc) != RDB_OK)
            return RDB_SQL;
        if (qual) {
            ex_expr_t *a2 = ex_new(c, EX_AND, T(SQL_OID_BOOL), 2);
            a2->args[0] = qual;
            a2->args[1] = q;
            q = a2;
        }
        qual = q;
    }
    if (qual) {
        /* the join evaluates its condition over its own row: shift from
         * the FROM clause's absolute positions */
        if (!ex_shift(A, qual, -offset, j->ncols, &j->qual))
            return fail(c, "42P01", f->loc, "invalid reference to FROM-clause entry");
    }
    s->width = roff + r->ncols;
    *out = j;
    return RDB_OK;
}

static rdb_status_t bind_from_item(bctx_t *c, scope_t *s, ast_from_t *f, int offset, plan_t **out);

static rdb_status_t bind_from(bctx_t *c, scope_t *s, ast_from_t *f, int offset, plan_t **out)
{
    int n0 = s->nrels;
    if (bind_from_item(c, s, f, offset, out) != RDB_OK)
        return RDB_SQL;
    if (f->kind == AST_FROM_JOIN || s->nrels != n0 + 1 || !s->rels[n0].alias)
        return RDB_OK;
    for (int i = 0; i < n0; i++)
        if (s->rels[i].alias && strcmp(s->rels[i].alias, s->rels[n0].alias) == 0)
            return fail(c, "42712", -1, "table name \"%s\" specified more than once", s->rels[n0].alias);
    return RDB_OK;
}

static rdb_status_t bind_from_item(bctx_t *c, scope_t *s, ast_from_t *f, int offset, plan_t **out)
{
    switch (f->kind) {
    case AST_FROM_REL:
        return bind_rel(c, s, f, offset, out);
    case AST_FROM_SUB: {
        if (!f->alias)   /* PostgreSQL 15's grammar says so first (parse.c) */
            return fail(c, "42601", f->loc, "subquery in FROM must have an alias");
        /* A derived table sees the enclosing queries, not its siblings:
         * its scope's parent is this query's parent.  References it makes
         * to them make this query correlated too.  LATERAL: it sees the
         * FROM items before it (the join re-runs it per left row, whose
         * row is the frame its outer references read). */
        if (f->lateral && s->nrels && c->lat_bad)
            return fail(c, "0A000", f->loc, "LATERAL inside a RIGHT or FULL join is not supported");
        plan_t *p;
        bool sees = (f->lateral || c->lat_item) && s->nrels;
        scope_t *hidden = c->hidden;
        if (!sees)
            c->hidden = s;
        rdb_status_t rc = bind_select_in(c, lock_pushdown(c, f->sub, f->alias), sees ? s : s->parent, &p);
        c->hidden = hidden;
        if (rc != RDB_OK)
            return RDB_SQL;
        if (p->est_rows < 0)
            s->corr = true;
        add_plan_rel(c, s, p, f->alias, f->colaliases, f->ncolaliases, offset);
        *out = p;
        return RDB_OK;
    }
    case AST_FROM_FUNC:
        return bind_func_from(c, s, f, offset, out);
    case AST_FROM_JOIN:
        return bind_join(c, s, f, offset, out);
    }
    return fail(c, "0A000", f->loc, "this FROM item is not supported");
}

/* ---- SELECT --------------------------------------------------------- */


static void tl_add(bctx_t *c, tlist_t *tl, ex_expr_t *e, const char *name, uint32_t tab, int16_t attnum)
{
    if (tl->n == tl->cap) {
        int cap = tl->cap ? tl->cap * 2 : 16;
        ex_expr_t **ne = RDB_ARENA_NEWN(A, ex_expr_t *, cap);
        const char **nn = RDB_ARENA_NEWN(A, const char *, cap);
        uint32_t *nt = RDB_ARENA_NEWN(A, uint32_t, cap);
        int16_t *na = RDB_ARENA_NEWN(A, int16_t, cap);
        if (tl->n) {
            memcpy(ne, tl->e, sizeof(*ne) * tl->n);
            memcpy(nn, tl->names, sizeof(*nn) * tl->n);
            memcpy(nt, tl->tab, sizeof(*nt) * tl->n);
            memcpy(na, tl->attnum, sizeof(*na) * tl->n);
        }
        tl->e = ne; tl->names = nn; tl->tab = nt; tl->attnum = na;
        tl->cap = cap;
    }
    tl->e[tl->n] = e;
    tl->names[tl->n] = name;
    tl->tab[tl->n] = tab;
    tl->attnum[tl->n] = attnum;
    tl->n++;
}

static rdb_status_t expand_star(bctx_t *c, scope_t *s, ast_expr_t *a, tlist_t *tl)
{
    const char *rel = a->nnames ? a->names[a->nnames - 1] : NULL;
    bool any = false;
    for (int i = 0; i < s->nrels; i++) {
        srel_t *r = &s->rels[i];
        if (rel && (!r->alias || strcmp(r->alias, rel) != 0))
            continue;
        any = true;
        for (int j = 0; j < r->ncols; j++) {
            if (r->cols[j].hidden && !rel)
                continue;
            ex_expr_t *e;
            if (c->agg) {
                ast_expr_t cr = { .kind = AST_COLREF, .loc = a->loc, .nnames = 2 };
                const char *nm[2] = { r->alias, r->cols[j].name };
                cr.names = nm;
                if (!r->alias) {
                    cr.nnames = 1;
                    cr.names = nm + 1;
                }
                if (bind_e(c, s, &cr, &e) != RDB_OK)
                    return RDB_SQL;
            } else {
                e = scol_ref(c, &r->cols[j], 0);
            }
            tl_add(c, tl, e, r->cols[j].name, r->cols[j].tab, r->cols[j].attnum);
        }
        if (rel)
            break;
    }
    if (rel && !any)
        return fail(c, "42P01", a->loc, "missing FROM-clause entry for table \"%s\"", rel);
    if (!rel && !any)
        return fail(c, "42601", a->loc, "SELECT * with no tables specified is not valid");
    return RDB_OK;
}

static plan_t *project(bctx_t *c, plan_t *child, tlist_t *tl)
{
    plan_t *p = plan_new(A, P_PROJECT, tl->n);
    p->left = child;
    p->exprs = tl->e;
    p->nexprs = tl->n;
    for (int i = 0; i < tl->n; i++) {
        p->types[i] = tl->e[i]->type.oid == SQL_OID_UNKNOWN ? T(SQL_OID_TEXT) : tl->e[i]->type;
        if (tl->e[i]->type.oid == SQL_OID_UNKNOWN) {
            bool lit = tl->e[i]->kind == EX_CONST;
            coerce(c, &tl->e[i], T(SQL_OID_TEXT), SQL_CAST_IMPLICIT, -1);
            if (lit && tl->e[i]->kind == EX_CONST)
                tl->e[i]->flag = 1;   /* an untyped literal made text: a set
                                       * operation may still read it as the
                                       * other side's type (arm_resolve) */
        }
        p->names[i] = tl->names[i];
        p->col_table[i] = tl->tab[i];
        p->col_attnum[i] = tl->attnum[i];
    }
    p->est_rows = child ? child->est_rows : 1;
    return p;
}

/* Bind a LIMIT/OFFSET expression (constant, int8). */
static rdb_status_t bind_limit(bctx_t *c, ast_expr_t *a, const char *what, ex_expr_t **out)
{
    scope_t empty = { 0 };
    bctx_t sub = *c;
    sub.agg = NULL;
    sub.noagg = what;
    if (bind_e(&sub, &empty, a, out) != RDB_OK)
        return RDB_SQL;
    return coerce(c, out, T(SQL_OID_INT8), SQL_CAST_IMPLICIT, a->loc);
}

static rdb_status_t finish_sort_limit(bctx_t *c, ast_select_t *sel, plan_t *p, plan_sortkey_t *keys,
                                      int nkeys, plan_t **out)
{
    if (nkeys) {
        plan_t *so = plan_new(A, P_SORT, p->ncols);
        memcpy(so->types, p->types, sizeof(sql_type_t) * p->ncols);
        memcpy(so->names, p->names, sizeof(char *) * p->ncols);
        memcpy(so->col_table, p->col_table, sizeof(uint32_t) * p->ncols);
        memcpy(so->col_attnum, p->col_attnum, sizeof(int16_t) * p->ncols);
        so->left = p;
        so->nsort = nkeys;
        so->sort = keys;
        so->est_rows = p->est_rows;
        p = so;
    }
    if (sel->limit || sel->offset) {
        plan_t *li = plan_new(A, P_LIMIT, p->ncols);
        memcpy(li->types, p->types, sizeof(sql_type_t) * p->ncols);
        memcpy(li->names, p->names, sizeof(char *) * p->ncols);
        memcpy(li->col_table, p->col_table, sizeof(uint32_t) * p->ncols);
        memcpy(li->col_attnum, p->col_attnum, sizeof(int16_t) * p->ncols);
        li->left = p;
        if (sel->limit && !(sel->limit->kind == AST_CONST && sel->limit->ival == AST_C_NULL) &&
            bind_limit(c, sel->limit, "LIMIT", &li->limit) != RDB_OK)
            return RDB_SQL;
        if (sel->offset && bind_limit(c, sel->offset, "OFFSET", &li->offset) != RDB_OK)
            return RDB_SQL;
        if (sel->with_ties && p->kind == P_SORT) {
            li->with_ties = true;
            li->nsort = p->nsort;
            li->sort = p->sort;
        } else if (p->kind == P_SORT) {
            p->limit = li->limit;
            p->offset = li->offset;
        }
        li->est_rows = p->est_rows;
        p = li;
    }
    *out = p;
    return RDB_OK;
}

static plan_t *strip(bctx_t *c, plan_t *p, int nvis)
{
    if (p->ncols == nvis)
        return p;
    tlist_t tl = { 0 };
    for (int i = 0; i < nvis; i++)
        tl_add(c, &tl, ex_col(A, i, p->types[i]), p->names[i], p->col_table[i], p->col_attnum[i]);
    return project(c, p, &tl);
}

static rdb_status_t bind_setop(bctx_t *c, ast_select_t *sel, scope_t *parent, plan_t **out)
{
    plan_t *l, *r;
    if (bind_select_in(c, sel->larg, parent, &l) != RDB_OK ||
        bind_select_in(c, sel->rarg, parent, &r) != RDB_OK)
        return RDB_SQL;
    const char *opname = sel->op == AST_SETOP_UNION ? "UNION" : sel->op == AST_SETOP_INTERSECT
                       ? "INTERSECT" : "EXCEPT";
    if (l->ncols != r->ncols)
        return fail(c, "42601", first_target_loc(sel->rarg), "each %s query must have the same number of "
                    "columns", opname);
    int n = l->ncols;
    tlist_t tl = { 0 }, tr = { 0 };
    for (int i = 0; i < n; i++) {
        if (arm_unknown(l, i) && !arm_unknown(r, i) && arm_resolve(c, l, sel->larg, i, r->types[i]) != RDB_OK)
            return RDB_SQL;
        if (arm_unknown(r, i) && !arm_unknown(l, i) && arm_resolve(c, r, sel->rarg, i, l->types[i]) != RDB_OK)
            return RDB_SQL;
        ex_expr_t *pair[2] = { ex_col(A, i, l->types[i]), ex_col(A, i, r->types[i]) };
        sql_type_t t;
        if (common(c, pair, 2, opname, -1, &t) != RDB_OK)
            return RDB_SQL;
        tl_add(c, &tl, pair[0], l->names[i], 0, 0);
        tl_add(c, &tr, pair[1], l->names[i], 0, 0);
    }
    l = project(c, l, &tl);
    r = project(c, r, &tr);
    plan_t *p;
    if (sel->op == AST_SETOP_UNION) {
        p = plan_new(A, P_APPEND, n);
        p->left = l;
        p->right = r;
    } else {
        p = plan_new(A, P_SETOP, n);
        p->left = l;
        p->right = r;
        p->setop = sel->op;
        p->all = sel->all;
    }
    memcpy(p->types, l->types, sizeof(sql_type_t) * n);
    memcpy(p->names, l->names, sizeof(char *) * n);
    p->est_rows = l->est_rows + r->est_rows;
    if (sel->op == AST_SETOP_UNION && !sel->all) {
        plan_t *d = plan_new(A, P_DISTINCT, n);
        memcpy(d->types, p->types, sizeof(sql_type_t) * n);
        memcpy(d->names, p->names, sizeof(char *) * n);
        d->left = p;
        d->nsort = n;
        d->sort = RDB_ARENA_NEWN(A, plan_sortkey_t, n);
        for (int i = 0; i < n; i++) {
            d->sort[i].col = i;
            d->sort[i].type = p->types[i];
        }
        p = d;
    }
    /* ORDER BY over a set operation: output names and positions only */
    plan_sortkey_t *keys = RDB_ARENA_NEWN(A, plan_sortkey_t, sel->nsort + 1);
    for (int i = 0; i < sel->nsort; i++) {
        ast_expr_t *a = sel->sort[i].expr;
        int col = -1;
        if (a->kind == AST_CONST && a->ival == AST_C_INT) {
            col = atoi(a->sval) - 1;
            if (col < 0 || col >= n)
                return fail(c, "42P10", a->loc, "ORDER BY position %s is not in select list", a->sval);
        } else if (a->kind == AST_COLREF && a->nnames == 1 && !a->star) {
            for (int k = 0; k < n; k++)
                if (strcmp(p->names[k], a->names[0]) == 0) {
                    col = k;
                    break;
                }
        }
        if (col < 0 && a->kind == AST_COLREF && a->nnames == 1 && !a->star)
            return fail(c, "42703", a->loc, "column \"%s\" does not exist", a->names[0]);
        if (col < 0) {
            fail(c, "0A000", a->loc, "invalid UNION/INTERSECT/EXCEPT ORDER BY clause");
            rdb_err_detail(c->err, "Only result column names can be used, not expressions or functions.");
            return RDB_SQL;
        }
        keys[i].col = col;
        keys[i].type = p->types[col];
        keys[i].desc = sel->sort[i].desc;
        keys[i].nulls_first = sel->sort[i].nulls ? sel->sort[i].nulls == 1 : sel->sort[i].desc;
    }
    bool corr = l->est_rows < 0 || r->est_rows < 0;
    if (finish_sort_limit(c, sel, p, keys, sel->nsort, out) != RDB_OK)
        return RDB_SQL;
    if (corr)
        (*out)->est_rows = -1;   /* an arm refers to an enclosing query */
    return RDB_OK;
}

static rdb_status_t bind_values(bctx_t *c, ast_select_t *sel, scope_t *parent, plan_t **out)
{
    int nr = sel->nvalues, nc = sel->nvalcols;
    plan_t *p = plan_new(A, P_VALUES, nc);
    p->nrows = nr;
    p->exprs = RDB_ARENA_NEWN(A, ex_expr_t *, (size_t)nr * nc + 1);
    scope_t empty = { 0 };
    empty.parent = parent;
    bctx_t sub = *c;
    sub.agg = NULL;
    sub.noagg = "VALUES";
    for (int i = 0; i < nr; i++)
        for (int j = 0; j < nc; j++)
            if (bind_e(&sub, &empty, sel->values[i][j], &p->exprs[i * nc + j]) != RDB_OK)
                return RDB_SQL;
    ex_expr_t **colv = RDB_ARENA_NEWN(A, ex_expr_t *, nr + 1);
    for (int j = 0; j < nc; j++) {
        for (int i = 0; i < nr; i++)
            colv[i] = p->exprs[i * nc + j];
        if (common(c, colv, nr, "VALUES", sel->values[0][j]->loc, &p->types[j]) != RDB_OK)
            return RDB_SQL;
        for (int i = 0; i < nr; i++)
            p->exprs[i * nc + j] = colv[i];
        p->names[j] = rdb_arena_sprintf(A, "column%d", j + 1);
    }
    p->est_rows = nr;
    if (empty.corr)
        p->est_rows = -1;
    plan_sortkey_t *keys = NULL;
    if (sel->nsort) {
        keys = RDB_ARENA_NEWN(A, plan_sortkey_t, sel->nsort);
        for (int i = 0; i < sel->nsort; i++) {
            ast_expr_t *a = sel->sort[i].expr;
            int col = -1;
            if (a->kind == AST_CONST && a->ival == AST_C_INT)
                col = atoi(a->sval) - 1;
            else if (a->kind == AST_COLREF && a->nnames == 1)
                for (int k = 0; k < nc; k++)
                    if (strcmp(p->names[k], a->names[0]) == 0)
                        col = k;
            if (col < 0 || col >= nc)
                return fail(c, "0A000", a->loc, "this ORDER BY over VALUES is not supported");
            keys[i].col = col;
            keys[i].type = p->types[col];
            keys[i].desc = sel->sort[i].desc;
            keys[i].nulls_first = sel->sort[i].nulls ? sel->sort[i].nulls == 1 : sel->sort[i].desc;
        }
    }
    return finish_sort_limit(c, sel, p, keys, sel->nsort, out);
}

static bool target_uses_agg(ast_select_t *sel)
{
    for (int i = 0; i < sel->ntargets; i++)
        if (ast_has_agg(sel->targets[i].expr))
            return true;
    for (int i = 0; i < sel->nsort; i++)
        if (ast_has_agg(sel->sort[i].expr))
            return true;
    return false;
}

/* SELECT ... FOR <strength> [OF ...]: the tables to lock (PostgreSQL's
 * transformLockingClause), with the FROM row (fromp's, which qual reads)
 * appended to tl as junk columns for P_LOCKROWS (plan.h). */
static bool lock_nullable(const plan_t *p, int off, int at, bool nullable)
{
    if (p->kind != P_JOIN)
        return off == at && nullable;
    return lock_nullable(p->left, off, at, nullable || p->jointype == J_RIGHT || p->jointype == J_FULL) ||
           lock_nullable(p->right, off + p->left->ncols, at,
                         nullable || p->jointype == J_LEFT || p->jointype == J_FULL);
}

static bool lock_has_kind(const plan_t *p, plan_kind_t k)
{
    return p && (p->kind == k || lock_has_kind(p->left, k) || lock_has_kind(p->right, k));
}

static const plan_t *lock_item(const plan_t *p, int off, int at)
{
    if (p->kind != P_JOIN)
        return off == at ? p : NULL;
    const plan_t *l = lock_item(p->left, off, at);
    return l ? l : lock_item(p->right, off + p->left->ncols, at);
}

static rdb_status_t bind_lockrows(bctx_t *c, ast_select_t *sel, scope_t *s, const plan_t *fromp, ex_expr_t *qual,
                                  tlist_t *tl, struct plan_lockrows **out)
{
    struct plan_lockrows *lr = RDB_ARENA_NEW(A, struct plan_lockrows);
    lr->rels = RDB_ARENA_NEWN(A, plan_lockrel_t, s->nrels + 1);
    const char *ln = sel->lock_name;
    for (int k = 0; k < sel->nlocks; k++)
        for (int i = 0; i < sel->locks[k].nrels; i++) {
            bool found = false;
            for (int r = 0; r < s->nrels && !found; r++)
                found = s->rels[r].alias && strcmp(s->rels[r].alias, sel->locks[k].rels[i]) == 0;
            if (!found)
                return fail(c, "42P01", sel->locks[k].locs[i], "relation \"%s\" in %s clause not found in FROM clause",
                            sel->locks[k].rels[i], ln);
        }
    for (int r = 0; r < s->nrels; r++) {
        const srel_t *rel = &s->rels[r];
        int wait, loc, mode = lock_for(sel, rel->alias, &wait, &loc);
        if (mode < 0)
            continue;
        if (!rel->table) {
            const plan_t *it = rel->ncols ? lock_item(fromp, 0, rel->cols[0].pos) : NULL;
            if (!it && loc < 0)
                continue;   /* no columns: nothing to lock */
            if (it && !lock_has_kind(it, P_SCAN) && loc < 0)
                continue;   /* no table below (a function, VALUES): nothing to lock */
            if (it && lock_has_kind(it, P_LOCKROWS))
                continue;   /* a subquery or view locking its tables (lock_pushdown) */
            while (it && it->left && !it->right && (it->kind == P_SUBQUERY || it->kind == P_PROJECT))
                it = it->left;
            if (it && (it->kind == P_FUNCSCAN || it->kind == P_SERIES))
                return fail(c, "0A000", loc, "%s cannot be applied to a function", ln);
            if (loc < 0)
                continue;   /* a WITH query: PostgreSQL locks its rows only when OF names it */
            return fail(c, "0A000", loc, "%s cannot be applied to a WITH query", ln);
        }
        if (rel->table->npk == 0 && !rel->table->has_rowid)   /* locked by primary key or row id */
            return fail(c, "0A000", loc, "%s on table \"%s\" without a primary key is not supported", ln,
                        rel->table->name);
        if (lock_nullable(fromp, 0, rel->offset, false))
            return fail(c, "0A000", -1, "%s cannot be applied to the nullable side of an outer join", ln);
        lr->rels[lr->nrels++] = (plan_lockrel_t){ rel->table, rel->offset, mode, wait };
    }
    lr->base = tl->n;
    lr->width = fromp->ncols;
    lr->qual = qual;
    lr->tlist = RDB_ARENA_NEWN(A, ex_expr_t *, tl->n + 1);
    memcpy(lr->tlist, tl->e, sizeof(ex_expr_t *) * (size_t)tl->n);
    for (int i = 0; i < fromp->ncols; i++)
        tl_add(c, tl, ex_col(A, i, fromp->types[i]), "?junk?", 0, 0);
    *out = lr;
    return RDB_OK;
}

static rdb_status_t bind_select_in(bctx_t *cin, ast_select_t *sel, scope_t *parent, plan_t **out)
{
    bctx_t cc = *cin, *c = &cc;
    c->agg = NULL;
    c->in_agg = false;
    c->noagg = NULL;
    c->win = NULL;
    c->in_win = false;
    c->nowin = NULL;
    c->lat_item = c->lat_bad = c->nullable = false;
    c->lock_sel = NULL;
    c->depth = cin->depth + 1;
    winctx_t wctx = { .sel = sel };
    cte_frame_t frame = { sel->ctes, sel->nctes, c->b->ctes, sel->recursive, NULL, NULL };
    void *savectes = c->b->ctes;
    for (int i = 1; i < sel->nctes; i++)
        for (int k = 0; k < i; k++)
            if (strcmp(sel->ctes[i].name, sel->ctes[k].name) == 0)
                return fail(c, "42712", sel->ctes[i].loc, "WITH query name \"%s\" specified more than once",
                            sel->ctes[i].name);
    if (sel->nctes)
        c->b->ctes = &frame;
    rdb_status_t rc;
    if (sel->for_update && (sel->op != AST_SETOP_NONE || sel->nvalues)) {
        c->b->ctes = savectes;
        return fail(c, "0A000", -1, sel->nvalues ? "%s cannot be applied to VALUES"
                    : "%s is not allowed with UNION/INTERSECT/EXCEPT", sel->lock_name);
    }
    if (sel->op != AST_SETOP_NONE) {
        rc = bind_setop(c, sel, parent, out);
        c->b->ctes = savectes;
        return rc;
    }
    if (sel->nvalues) {
        rc = bind_values(c, sel, parent, out);
        c->b->ctes = savectes;
        return rc;
    }
    /* set-returning functions in the select list (a whole target each):
     * rewritten as one FROM item joined to the rest, whose functions run
     * zipped (ROWS FROM), as PostgreSQL's ProjectSet runs several SRFs */
    ast_from_t *srff = NULL;
    bool srf_ok = !sel->ngroup && !sel->having && !target_uses_agg(sel);   /* else: 0A000 below */
    for (int i = 0; i < sel->ntargets && srf_ok; i++) {
        ast_expr_t *t = sel->targets[i].expr;
        if (!t || t->kind != AST_FUNC || t->star || t->over || !is_srf_name(t->name) ||
            strstr(t->name, "_each") || (strcmp(t->name, "unnest") == 0 && t->nargs != 1))
            continue;
        if (!srff) {
            /* rewrite a copy: the statement's tree may be bound again (the
             * arena of this binding can be gone by then) */
            ast_select_t *copy = RDB_ARENA_NEW(A, ast_select_t);
            *copy = *sel;
            copy->targets = RDB_ARENA_NEWN(A, ast_target_t, sel->ntargets);
            memcpy(copy->targets, sel->targets, sizeof(ast_target_t) * (size_t)sel->ntargets);
            sel = copy;
            srff = RDB_ARENA_NEW(A, ast_from_t);
            srff->kind = AST_FROM_FUNC;
            srff->func = t;
            srff->loc = t->loc;
            srff->alias = " srf";
            srff->funcs = RDB_ARENA_NEWN(A, ast_expr_t *, sel->ntargets);
            srff->colaliases = RDB_ARENA_NEWN(A, const char *, sel->ntargets);
            ast_from_t **nf = RDB_ARENA_NEWN(A, ast_from_t *, sel->nfrom + 2);
            if (sel->nfrom)
                memcpy(nf, sel->from, sizeof(*nf) * sel->nfrom);
            nf[sel->nfrom++] = srff;
            sel->from = nf;
        }
        const char *col = rdb_arena_sprintf(A, " srf %d", srff->nfuncs + 1);
        srff->funcs[srff->nfuncs] = t;
        srff->colaliases[srff->nfuncs++] = col;
        srff->ncolaliases = srff->nfuncs;
        ast_expr_t *cr = RDB_ARENA_NEW(A, ast_expr_t);
        cr->kind = AST_COLREF;
        cr->loc = t->loc;
        cr->nnames = 2;
        cr->names = RDB_ARENA_NEWN(A, const char *, 2);
        cr->names[0] = srff->alias;
        cr->names[1] = col;
        if (!sel->targets[i].name)
            sel->targets[i].name = t->name;
        sel->targets[i].expr = cr;
    }
    scope_t *s = RDB_ARENA_NEW(A, scope_t);
    s->parent = parent;
    plan_t *p = NULL;
    c->lock_sel = sel->for_update ? sel : NULL;
    for (int i = 0; i < sel->nfrom; i++) {
        plan_t *fp;
        int off = s->width;
        bool lat = i > 0 && from_lateral(sel->from[i]);
        c->lat_item = lat;
        rdb_status_t frc = bind_from(c, s, sel->from[i], off, &fp);
        c->lat_item = false;
        if (frc != RDB_OK)
            goto fail;
        if (!p) {
            p = fp;
        } else {
            plan_t *j = plan_new(A, P_JOIN, p->ncols + fp->ncols);
            memcpy(j->types, p->types, sizeof(sql_type_t) * p->ncols);
            memcpy(j->types + p->ncols, fp->types, sizeof(sql_type_t) * fp->ncols);
            memcpy(j->names, p->names, sizeof(char *) * p->ncols);
            memcpy(j->names + p->ncols, fp->names, sizeof(char *) * fp->ncols);
            j->left = p;
            j->right = fp;
            j->jointype = J_CROSS;
            j->lateral = lat;
            j->est_rows = p->est_rows * fp->est_rows;
            p = j;
        }
    }
    c->lock_sel = NULL;
    if (!p)
        p = plan_new(A, P_RESULT, 0);
    const plan_t *fromp = p;   /* FOR UPDATE: the FROM row, and the WHERE over it */
    ex_expr_t *fromq = NULL;
    if (sel->where) {
        c->noagg = "WHERE";
        ex_expr_t *w;
        if (bind_e(c, s, sel->where, &w) != RDB_OK || coerce_bool(c, &w, "WHERE", sel->where->loc) != RDB_OK)
            goto fail;
        c->noagg = NULL;
        plan_t *f = plan_new(A, P_FILTER, p->ncols);
        memcpy(f->types, p->types, sizeof(sql_type_t) * p->ncols);
        memcpy(f->names, p->names, sizeof(char *) * p->ncols);
        f->left = p;
        f->qual = fromq = w;
        f->est_rows = p->est_rows / 3;
        p = f;
    }
    aggctx_t g = { 0 };
    g.below = s;
    bool grouped = sel->ngroup || sel->having || target_uses_agg(sel);
    if (sel->for_update) { /* PG's CheckSelectLocking */
        const char *ln = sel->lock_name ? sel->lock_name : "FOR UPDATE";
        const char *why = sel->distinct ? "DISTINCT clause" : sel->ngroup ? "GROUP BY clause"
                        : sel->having ? "HAVING clause" : grouped ? "aggregate functions" : NULL;
        if (why)
            return fail(c, "0A000", -1, "%s is not allowed with %s", ln, why);
    }
    if (grouped) {
        g.group = RDB_ARENA_NEWN(A, ex_expr_t *, sel->ngroup + 1);
        c->noagg = "GROUP BY";
        for (int i = 0; i < sel->ngroup; i++) {
            ast_expr_t *a = sel->group[i];
            if (a->kind == AST_CONST && a->ival == AST_C_INT) {
                int k = atoi(a->sval);
                if (k < 1 || k > sel->ntargets || !sel->targets[k - 1].expr ||
                    (sel->targets[k - 1].expr->kind == AST_COLREF && sel->targets[k - 1].expr->star)) {
                    fail(c, "42P10", a->loc, "GROUP BY position %d is not in select list", k);
                    goto fail;
                }
                a = sel->targets[k - 1].expr;
            } else if (a->kind == AST_COLREF && a->nnames == 1 && !a->star) {
                ex_expr_t *tmp;
                rdb_err_t e2 = RDB_ERR_INIT;
                bctx_t probe = *c;
                probe.err = &e2;
                if (lookup_col(&probe, s, a, &tmp) != RDB_OK) {
                    for (int k = 0; k < sel->ntargets; k++)
                        if (sel->targets[k].name && strcmp(sel->targets[k].name, a->names[0]) == 0) {
                            a = sel->targets[k].expr;
                            break;
                        }
                }
                rdb_err_clear(&e2);
            }
            if (ast_has_agg(a)) {
                fail(c, "42803", a->loc, "aggregate functions are not allowed in GROUP BY");
                goto fail;
            }
            if (bind_e(c, s, a, &g.group[i]) != RDB_OK)
                goto fail;
            g.ngroup++;
        }
        c->noagg = NULL;
        c->agg = &g;
    }
    tlist_t tl = { 0 };
    c->win = &wctx;
    for (int i = 0; i < sel->ntargets; i++) {
        ast_target_t *t = &sel->targets[i];
        if (t->expr->kind == AST_COLREF && t->expr->star) {
            if (expand_star(c, s, t->expr, &tl) != RDB_OK)
                goto fail;
            continue;
        }
        ex_expr_t *e;
        if (bind_e(c, s, t->expr, &e) != RDB_OK)
            goto fail;
        uint32_t tab = 0;
        int16_t attnum = 0;
        if (t->expr->kind == AST_COLREF && e->kind == EX_COL && !grouped) {
            for (int r = 0; r < s->nrels; r++)
                for (int k = 0; k < s->rels[r].ncols; k++)
                    if (s->rels[r].cols[k].pos == e->idx && !s->rels[r].cols[k].expr) {
                        tab = s->rels[r].cols[k].tab;
                        attnum = s->rels[r].cols[k].attnum;
                    }
        }
        tl_add(c, &tl, e, t->name ? t->name : expr_name(t->expr), tab, attnum);
    }
    int nvis = tl.n;
    ex_expr_t *having = NULL;
    if (sel->having) {
        c->win = NULL;
        c->nowin = "HAVING";
        if (bind_e(c, s, sel->having, &having) != RDB_OK ||
            coerce_bool(c, &having, "HAVING", sel->having->loc) != RDB_OK)
            goto fail;
        c->win = &wctx;
        c->nowin = NULL;
    }
    /* ORDER BY and DISTINCT ON keys: output columns or extra (junk) ones */
    int nkeys = sel->nsort;
    plan_sortkey_t *keys = RDB_ARENA_NEWN(A, plan_sortkey_t, nkeys + sel->ndistinct_on + 1);
    for (int i = 0; i < sel->nsort; i++) {
        ast_expr_t *a = sel->sort[i].expr;
        int col = -1;
        if (a->kind == AST_CONST && a->ival == AST_C_INT) {
            col = atoi(a->sval) - 1;
            if (col < 0 || col >= nvis) {
                fail(c, "42P10", a->loc, "ORDER BY position %s is not in select list", a->sval);
                goto fail;
            }
        } else if (a->kind == AST_COLREF && a->nnames == 1 && !a->star) {
            for (int k = 0; k < nvis; k++)
                if (tl.names[k] && strcmp(tl.names[k], a->names[0]) == 0 &&
                    (sel->targets[0].expr->star || k >= sel->ntargets || sel->targets[k].name ||
                     true)) {
                    if (col >= 0 && !ex_equal(tl.e[col], tl.e[k])) {
                        fail(c, "42702", a->loc, "ORDER BY \"%s\" is ambiguous", a->names[0]);
                        goto fail;
                    }
                    if (col < 0)
                        col = k;
                }
        }
        if (col < 0) {
            ex_expr_t *e;
            if (bind_e(c, s, a, &e) != RDB_OK)
                goto fail;
            for (int k = 0; k < tl.n && col < 0; k++)
                if (ex_equal(e, tl.e[k]))
                    col = k;
            if (col < 0) {
                if (sel->distinct && !sel->ndistinct_on) {
                    fail(c, "42P10", a->loc, "for SELECT DISTINCT, ORDER BY expressions must appear in "
                         "select list");
                    goto fail;
                }
                col = tl.n;
                tl_add(c, &tl, e, "?junk?", 0, 0);
            }
        }
        keys[i].col = col;
        keys[i].type = tl.e[col]->type;
        keys[i].desc = sel->sort[i].desc;
        keys[i].nulls_first = sel->sort[i].nulls ? sel->sort[i].nulls == 1 : sel->sort[i].desc;
    }
    plan_sortkey_t *dkeys = NULL;
    int ndkeys = 0;
    if (sel->distinct) {
        ndkeys = sel->ndistinct_on ? sel->ndistinct_on : nvis;
        dkeys = RDB_ARENA_NEWN(A, plan_sortkey_t, ndkeys + 1);
        for (int i = 0; i < ndkeys; i++) {
            int col = i;
            if (sel->ndistinct_on) {
                ex_expr_t *e;
                ast_expr_t *a = sel->distinct_on[i];
                col = -1;
                if (a->kind == AST_CONST && a->ival == AST_C_INT)
                    col = atoi(a->sval) - 1;
                else {
                    if (bind_e(c, s, a, &e) != RDB_OK)
                        goto fail;
                    for (int k = 0; k < tl.n && col < 0; k++)
                        if (ex_equal(e, tl.e[k]))
                            col = k;
                    if (col < 0) {
                        col = tl.n;
                        tl_add(c, &tl, e, "?junk?", 0, 0);
                    }
                }
                if (col < 0 || col >= tl.n) {
                    fail(c, "42P10", a->loc, "SELECT DISTINCT ON position is not in select list");
                    goto fail;
                }
            }
            dkeys[i].col = col;
            dkeys[i].type = tl.e[col]->type;
        }
        /* PG's transformDistinctOnClause: the ORDER BY keys that are
         * DISTINCT ON keys come first, and cover them all if any is not */
        bool skipped = false, *covered = RDB_ARENA_NEWN(A, bool, ndkeys + 1);
        int bad = -1;
        for (int i = 0; sel->ndistinct_on && i < nkeys && bad < 0; i++) {
            bool in = false;
            for (int j = 0; j < ndkeys; j++)
                if (dkeys[j].col == keys[i].col) {
                    if (skipped && !in)
                        bad = j;
                    in = covered[j] = true;
                }
            skipped |= !in;
        }
        for (int j = 0; skipped && bad < 0 && j < ndkeys; j++)
            if (!covered[j])
                bad = j;
        if (bad >= 0) {
            fail(c, "42P10", sel->distinct_on[bad]->loc,
                 "SELECT DISTINCT ON expressions must match initial ORDER BY expressions");
            goto fail;
        }
    }
    if (grouped) {
        plan_t *ag = plan_new(A, P_AGG, g.ngroup + g.naggs);
        ag->left = p;
        ag->ngroup = g.ngroup;
        ag->group = g.group;
        ag->naggs = g.naggs;
        ag->aggs = g.aggs;
        for (int i = 0; i < g.ngroup; i++) {
            ag->types[i] = g.group[i]->type;
            ag->names[i] = "?group?";
        }
        for (int i = 0; i < g.naggs; i++) {
            ag->types[g.ngroup + i] = g.aggs[i].agg.rettype;
            ag->names[g.ngroup + i] = g.aggs[i].agg.name;
        }
        ag->est_rows = g.ngroup ? p->est_rows / 10 + 1 : 1;
        p = ag;
        if (having) {
            plan_t *f = plan_new(A, P_FILTER, p->ncols);
            memcpy(f->types, p->types, sizeof(sql_type_t) * p->ncols);
            f->left = p;
            f->qual = having;
            f->est_rows = p->est_rows;
            p = f;
        }
    }
    struct plan_lockrows *lockrows = NULL;
    if (sel->for_update && (wctx.n || srff)) {
        fail(c, "0A000", -1, "%s is not allowed with %s", sel->lock_name,
             wctx.n ? "window functions" : "set-returning functions in the target list");
        goto fail;
    }
    if (sel->for_update && bind_lockrows(c, sel, s, fromp, fromq, &tl, &lockrows) != RDB_OK)
        goto fail;
    if (wctx.n)
        p = win_build(c, &wctx, p, tl.e, tl.n);
    p = project(c, p, &tl);
    if (s->corr)
        p->est_rows = -1;   /* tells bind_sublink the query is correlated */
    bool corr = s->corr;
    if (sel->distinct) {
        plan_t *d = plan_new(A, P_DISTINCT, p->ncols);
        memcpy(d->types, p->types, sizeof(sql_type_t) * p->ncols);
        memcpy(d->names, p->names, sizeof(char *) * p->ncols);
        memcpy(d->col_table, p->col_table, sizeof(uint32_t) * p->ncols);
        memcpy(d->col_attnum, p->col_attnum, sizeof(int16_t) * p->ncols);
        d->left = p;
        d->nsort = ndkeys;
        d->sort = dkeys;
        d->distinct_on = sel->ndistinct_on > 0;
        d->est_rows = p->est_rows;
        if (d->distinct_on && nkeys) {
            /* sort first, then keep the first row of each key */
            plan_t *sorted;
            ast_select_t nolimit = *sel;
            nolimit.limit = nolimit.offset = NULL;
            if (finish_sort_limit(c, &nolimit, p, keys, nkeys, &sorted) != RDB_OK)
                goto fail;
            d->left = sorted;
            nkeys = 0;
        }
        p = d;
    }
    if (lockrows) {   /* LockRows sits above the sort, below LIMIT */
        ast_select_t nolimit = *sel;
        nolimit.limit = nolimit.offset = NULL;
        if (finish_sort_limit(c, &nolimit, p, keys, nkeys, &p) != RDB_OK)
            goto fail;
        if (sel->with_ties) {
            fail(c, "0A000", -1, "%s with FETCH FIRST ... WITH TIES is not supported", sel->lock_name);
            goto fail;
        }
        plan_t *lk = plan_like(c, P_LOCKROWS, p);
        memcpy(lk->col_table, p->col_table, sizeof(uint32_t) * p->ncols);
        memcpy(lk->col_attnum, p->col_attnum, sizeof(int16_t) * p->ncols);
        lk->left = p;
        lk->lockrows = lockrows;
        lk->est_rows = p->est_rows;
        p = lk;
        nkeys = 0;
    }
    if (finish_sort_limit(c, sel, p, keys, nkeys, &p) != RDB_OK)
        goto fail;
    p = strip(c, p, nvis);
    if (corr)
        p->est_rows = -1;
    c->b->ctes = savectes;
    *out = p;
    return RDB_OK;
fail:
    c->b->ctes = savectes;
    return RDB_SQL;
}

rdb_status_t sql_bind_select(sql_bindenv_t *b, ast_select_t *s, plan_t **out, rdb_err_t *err)
{
    bctx_t c = { .b = b, .err = err };
    return bind_select_in(&c, s, NULL, out);
}

/* ---- DML ------------------------------------------------------------ */

static scope_t *table_scope(bctx_t *c, const sql_table_t *t, const char *alias)
{
    scope_t *s = RDB_ARENA_NEW(A, scope_t);
    if (!t)
        return s;
    srel_t *r = scope_add(c, s, alias ? alias : t->name, t->ncols);
    r->table = t;   /* tableoid */
    for (int i = 0; i < t->ncols; i++) {
        r->cols[i].name = t->cols[i].name;
        r->cols[i].type = t->cols[i].type;
        r->cols[i].pos = t->cols[i].colid;
        r->cols[i].tab = t->id;
        r->cols[i].attnum = t->cols[i].attnum;
    }
    s->width = t->nrowcols;
    return s;
}

static rdb_status_t bind_json_expr(bctx_t *c, scope_t *s, const char *json, ex_expr_t **out)
{
    json_error_t je;
    json_t *j = json_loads(json, JSON_DECODE_ANY, &je);
    if (!j)
        return fail(c, "XX000", -1, "damaged expression in the catalog: %s", je.text);
    ast_expr_t *a;
    rdb_status_t rc = sql_parse_expr_json(A, j, &a, c->err);
    json_decref(j);
    if (rc != RDB_OK)
        return rc;
    const char *savesql = c->b->sql;
    c->b->sql = NULL;
    rc = bind_e(c, s, a, out);
    c->b->sql = savesql;
    return rc;
}

rdb_status_t sql_bind_column_default(sql_bindenv_t *b, const sql_table_t *tab,
                                     const sql_column_t *col, ex_expr_t **out, rdb_err_t *err)
{
    bctx_t cc = { .b = b, .err = err, .noagg = "DEFAULT expressions" }, *c = &cc;
    *out = NULL;
    if (col->default_json) {
        scope_t empty = { 0 };
        if (bind_json_expr(c, &empty, col->default_json, out) != RDB_OK)
            return RDB_SQL;
        return coerce(c, out, col->type, SQL_CAST_ASSIGNMENT, -1);
    }
    if (col->identity_seq) {
        const sql_table_t *seq = sql_cat_by_id(b->snap, col->identity_seq);
        if (!seq)
            return fail(c, "XX000", -1, "sequence %u of column \"%s\" is missing", col->identity_seq, col->name);
        ex_expr_t *e = ex_new(c, EX_NEXTVAL, T(SQL_OID_INT8), 0);
        e->rel = seq;
        *out = e;
        return coerce(c, out, col->type, SQL_CAST_ASSIGNMENT, -1);
    }
    return RDB_OK;
}

rdb_status_t sql_bind_row_expr(sql_bindenv_t *b, const sql_table_t *tab, ast_expr_t *e,
                               sql_type_t type, ex_expr_t **out, rdb_err_t *err)
{
    bctx_t cc = { .b = b, .err = err, .noagg = "this expression" }, *c = &cc;
    scope_t *s = table_scope(c, tab, NULL);
    if (bind_e(c, s, e, out) != RDB_OK)
        return RDB_SQL;
    if (type.oid)
        return coerce(c, out, type, SQL_CAST_ASSIGNMENT, e->loc);
    return RDB_OK;
}

rdb_status_t sql_bind_typename(sql_bindenv_t *b, ast_typename_t *tn, sql_type_t *out, rdb_err_t *err)
{
    bctx_t cc = { .b = b, .err = err, .noagg = "this expression" };
    return resolve_typename(&cc, tn, out);
}

rdb_status_t sql_bind_param_arg(sql_bindenv_t *b, ast_expr_t *e, int argno, sql_type_t type,
                                ex_expr_t **out, rdb_err_t *err)
{
    bctx_t cc = { .b = b, .err = err, .noagg = "EXECUTE parameters" }, *c = &cc;
    scope_t *s = table_scope(c, NULL, NULL);
    if (bind_e(c, s, e, out) != RDB_OK)
        return RDB_SQL;
    sql_type_t from = (*out)->type;
    if (coerce(c, out, type, SQL_CAST_ASSIGNMENT, e->loc) == RDB_OK)
        return RDB_OK;
    if (strcmp(err->sqlstate, "42846") == 0 || strcmp(err->sqlstate, "42804") == 0) {
        rdb_err_clear(err);
        fail(c, "42804", e->loc, "parameter $%d of type %s cannot be coerced to the expected type %s",
             argno, tname(c, from), tname(c, type));
        rdb_err_hint(err, "You will need to rewrite or cast the expression.");
    }
    return RDB_SQL;
}

static rdb_status_t assign_coerce(bctx_t *c, ex_expr_t **e, const sql_column_t *col, int loc)
{
    if (coerce(c, e, col->type, SQL_CAST_ASSIGNMENT, loc) == RDB_OK)
        return RDB_OK;
    if (strcmp(c->err->sqlstate, "42846") == 0 || strcmp(c->err->sqlstate, "42804") == 0) {
        sql_type_t from = (*e)->type;
        rdb_err_clear(c->err);
        fail(c, "42804", loc, "column \"%s\" is of type %s but expression is of type %s", col->name,
             tname(c, col->type), tname(c, from));
        rdb_err_hint(c->err, "You will need to rewrite or cast the expression.");
    }
    return RDB_SQL;
}

static const sql_column_t *find_column(const sql_table_t *t, const char *name)
{
    for (int i = 0; i < t->ncols; i++)
        if (strcmp(t->cols[i].name, name) == 0)
            return &t->cols[i];
    return NULL;
}

static rdb_status_t dml_target(bctx_t *c, ast_stmt_t *st, const sql_table_t **out)
{
    const sql_table_t *t = sql_cat_find(c->b->snap, st->rel.schema, st->rel.name, c->b->path, c->b->npath);
    if (!t)
        return fail(c, "42P01", st->rel.loc, "relation \"%s\" does not exist", st->rel.name);
    if (t->relkind == SQL_REL_VIEW)
        return fail(c, "0A000", st->rel.loc, "cannot %s view \"%s\"",
                    st->kind == AST_S_INSERT ? "insert into" : st->kind == AST_S_UPDATE ? "update" : "delete from",
                    t->name);
    if (t->relkind != SQL_REL_TABLE)
        return fail(c, "42809", st->rel.loc, "cannot change relation \"%s\"", t->name);
    *out = t;
    return RDB_OK;
}

/* RETURNING over the new (or deleted) stored row; s: the statement's
 * scope when UPDATE FROM / DELETE USING items follow the row (NULL: the
 * table alone). */
static rdb_status_t bind_returning(bctx_t *c, ast_stmt_t *st, const sql_table_t *t, scope_t *s,
                                   sql_bound_t *out)
{
    if (!st->returning_given)
        return RDB_OK;
    if (!s)
        s = table_scope(c, t, st->rel.alias);
    c->noagg = "RETURNING";
    tlist_t tl = { 0 };
    for (int i = 0; i < st->nreturning; i++) {
        ast_target_t *rt = &st->returning[i];
        if (rt->expr->kind == AST_COLREF && rt->expr->star) {
            if (expand_star(c, s, rt->expr, &tl) != RDB_OK)
                return RDB_SQL;
            continue;
        }
        ex_expr_t *e;
        if (bind_e(c, s, rt->expr, &e) != RDB_OK)
            return RDB_SQL;
        tl_add(c, &tl, e, rt->name ? rt->name : expr_name(rt->expr), 0, 0);
    }
    out->plan = project(c, NULL, &tl);
    return RDB_OK;
}

static rdb_status_t bind_checks(bctx_t *c, const sql_table_t *t, sql_dml_t *d)
{
    d->nchecks = t->nchecks;
    d->checks = RDB_ARENA_NEWN(A, ex_expr_t *, t->nchecks + 1);
    d->check_names = RDB_ARENA_NEWN(A, const char *, t->nchecks + 1);
    scope_t *s = table_scope(c, t, NULL);
    for (int i = 0; i < t->nchecks; i++) {
        if (bind_json_expr(c, s, t->checks[i].expr_json, &d->checks[i]) != RDB_OK ||
            coerce_bool(c, &d->checks[i], "CHECK", -1) != RDB_OK)
            return RDB_SQL;
        d->check_names[i] = t->checks[i].name;
    }
    return RDB_OK;
}

/* A value given for an identity column: GENERATED ALWAYS takes one only
 * with OVERRIDING SYSTEM VALUE (428C9, PostgreSQL's wording). */
static rdb_status_t identity_value(bctx_t *c, const sql_column_t *col, char overriding)
{
    if (col->identity != 'a' || overriding)
        return RDB_OK;
    fail(c, "428C9", -1, "cannot insert a non-DEFAULT value into column \"%s\"", col->name);
    rdb_err_detail(c->err, "Column \"%s\" is an identity column defined as GENERATED ALWAYS.", col->name);
    rdb_err_hint(c->err, "Use OVERRIDING SYSTEM VALUE to override.");
    return RDB_SQL;
}

/* The unique index an ON CONFLICT names by its columns (in any order) or
 * its constraint, as PG's infer_arbiter_indexes. */
static rdb_status_t bind_arbiter(bctx_t *c, ast_stmt_t *st, const sql_table_t *t, const sql_index_t **out)
{
    *out = NULL;
    if (!st->conflict_con && !st->nconflict_cols)
        return RDB_OK;
    uint16_t *want = RDB_ARENA_NEWN(A, uint16_t, st->nconflict_cols + 1);
    for (int i = 0; i < st->nconflict_cols; i++) {
        const sql_column_t *col = find_column(t, st->conflict_cols[i]);
        if (!col)
            return fail(c, "42703", st->conflict_loc, "column \"%s\" does not exist", st->conflict_cols[i]);
        want[i] = col->colid;
    }
    for (int k = -1; k < t->nindexes; k++) {
        const sql_index_t *ix = k < 0 ? t->pk_index : &t->indexes[k];
        if (!ix || !(ix->unique || ix->primary))
            continue;
        if (st->conflict_con) {
            if (ix->is_constraint && strcmp(ix->name, st->conflict_con) == 0) {
                *out = ix;
                return RDB_OK;
            }
            continue;
        }
        bool same = true;
        for (int i = 0; i < ix->ncols && same; i++) {
            same = false;
            for (int j = 0; j < st->nconflict_cols; j++)
                same |= ix->colids[i] == want[j];
        }
        for (int j = 0; j < st->nconflict_cols && same; j++) {
            same = false;
            for (int i = 0; i < ix->ncols; i++)
                same |= ix->colids[i] == want[j];
        }
        if (same) {
            *out = ix;
            return RDB_OK;
        }
    }
    if (st->conflict_con)
        return fail(c, "42704", -1, "constraint \"%s\" for table \"%s\" does not exist",
                    st->conflict_con, t->name);
    return fail(c, "42P10", -1, "there is no unique or exclusion constraint matching the ON CONFLICT specification");
}

static rdb_status_t bind_insert(bctx_t *c, ast_stmt_t *st, sql_bound_t *out)
{
    const sql_table_t *t;
    if (dml_target(c, st, &t) != RDB_OK)
        return RDB_SQL;
    sql_dml_t *d = RDB_ARENA_NEW(A, sql_dml_t);
    d->tab = t;
    d->on_conflict_nothing = st->on_conflict_nothing;
    if (bind_arbiter(c, st, t, &d->arbiter) != RDB_OK)
        return RDB_SQL;
    int n = st->ncols ? st->ncols : t->ncols;
    const sql_column_t **cols = RDB_ARENA_NEWN(A, const sql_column_t *, n + 1);
    d->colids = RDB_ARENA_NEWN(A, uint16_t, n + 1);
    for (int i = 0; i < n; i++) {
        if (st->ncols) {
            cols[i] = find_column(t, st->cols[i].name);
            if (!cols[i])
                return fail(c, "42703", st->cols[i].loc, "column \"%s\" of relation \"%s\" does not exist",
                            st->cols[i].name, t->name);
            for (int k = 0; k < i; k++)
                if (cols[k] == cols[i])
                    return fail(c, "42701", st->cols[i].loc, "column \"%s\" specified more than once",
                                cols[i]->name);
        } else {
            cols[i] = &t->cols[i];
        }
        d->colids[i] = cols[i]->colid;
    }
    d->defaults = RDB_ARENA_NEWN(A, ex_expr_t *, t->nrowcols + 1);
    for (int i = 0; i < t->ncols; i++)
        if (sql_bind_column_default(c->b, t, &t->cols[i], &d->defaults[t->cols[i].colid], c->err) != RDB_OK)
            return RDB_SQL;
    ast_select_t *src = st->select;
    if (!src) {
        d->ncols = st->copy_from ? n : 0;   /* COPY FROM feeds the listed columns */
        d->src = plan_new(A, P_RESULT, 0);
    } else if (src->nvalues && src->op == AST_SETOP_NONE && !src->nsort && !src->limit) {
        if (src->nvalcols > n)
            return fail(c, "42601", src->values[0][n]->loc, "INSERT has more expressions than target columns");
        if (src->nvalcols < n && st->ncols)
            return fail(c, "42601", st->cols[src->nvalcols].loc,
                        "INSERT has more target columns than expressions");
        n = src->nvalcols;
        d->ncols = n;
        plan_t *p = plan_new(A, P_VALUES, n);
        p->nrows = src->nvalues;
        p->exprs = RDB_ARENA_NEWN(A, ex_expr_t *, (size_t)src->nvalues * n + 1);
        scope_t empty = { 0 };
        c->noagg = "VALUES";
        for (int i = 0; i < src->nvalues; i++)
            for (int j = 0; j < n; j++) {
                ast_expr_t *a = src->values[i][j];
                ex_expr_t *e;
                if (a->kind != AST_DEFAULT && identity_value(c, cols[j], st->overriding) != RDB_OK)
                    return RDB_SQL;
                if (a->kind == AST_DEFAULT || (cols[j]->identity && st->overriding == 'u')) {
                    e = d->defaults[cols[j]->colid];
                    if (!e)
                        e = ex_const(c, cols[j]->type, sql_null());
                } else {
                    if (bind_e(c, &empty, a, &e) != RDB_OK || assign_coerce(c, &e, cols[j], a->loc) != RDB_OK)
                        return RDB_SQL;
                }
                p->exprs[i * n + j] = e;
            }
        for (int j = 0; j < n; j++) {
            p->types[j] = cols[j]->type;
            p->names[j] = cols[j]->name;
        }
        p->est_rows = src->nvalues;
        d->src = p;
    } else {
        plan_t *p;
        if (bind_select_in(c, src, NULL, &p) != RDB_OK)
            return RDB_SQL;
        if (p->ncols > n)
            return fail(c, "42601", -1, "INSERT has more expressions than target columns");
        n = p->ncols;
        d->ncols = n;
        tlist_t tl = { 0 };
        for (int j = 0; j < n; j++) {
            ex_expr_t *e = ex_col(A, j, p->types[j]);
            if (identity_value(c, cols[j], st->overriding) != RDB_OK)
                return RDB_SQL;
            if (cols[j]->identity && st->overriding == 'u')
                e = d->defaults[cols[j]->colid];
            else if (assign_coerce(c, &e, cols[j], -1) != RDB_OK)
                return RDB_SQL;
            tl_add(c, &tl, e, cols[j]->name, 0, 0);
        }
        d->src = project(c, p, &tl);
    }
    if (st->on_conflict_update) {
        /* the conflict target must be the primary key (table.h reports
         * conflicts, we find the existing row by its key) */
        bool pk = st->nconflict_cols == t->npk;
        for (int i = 0; pk && i < t->npk; i++) {
            const sql_column_t *col = find_column(t, st->conflict_cols[i]);
            bool in = false;
            for (int k = 0; col && k < t->npk; k++)
                in |= t->pk_colids[k] == col->colid;
            pk = in;
        }
        if (!pk)
            return fail(c, "0A000", -1, "ON CONFLICT DO UPDATE is supported on the primary key only");
        d->on_conflict_update = true;
        scope_t *us = RDB_ARENA_NEW(A, scope_t);
        srel_t *r0 = scope_add(c, us, st->rel.alias ? st->rel.alias : t->name, t->ncols);
        srel_t *r1 = scope_add(c, us, "excluded", t->ncols);
        for (int i = 0; i < t->ncols; i++) {
            r0->cols[i].name = r1->cols[i].name = t->cols[i].name;
            r0->cols[i].type = r1->cols[i].type = t->cols[i].type;
            r0->cols[i].pos = t->cols[i].colid;
            r1->cols[i].pos = t->nrowcols + t->cols[i].colid;
        }
        us->width = 2 * t->nrowcols;
        d->nupd = st->nconflict_set;
        d->upd_colids = RDB_ARENA_NEWN(A, uint16_t, d->nupd + 1);
        d->upd_set = RDB_ARENA_NEWN(A, ex_expr_t *, d->nupd + 1);
        c->noagg = "ON CONFLICT";
        for (int i = 0; i < d->nupd; i++) {
            ast_target_t *ct = &st->conflict_set[i];
            const sql_column_t *col = find_column(t, ct->name);
            if (!col)
                return fail(c, "42703", ct->loc, "column \"%s\" of relation \"%s\" does not exist", ct->name,
                            t->name);
            d->upd_colids[i] = col->colid;
            if (ct->expr->kind == AST_DEFAULT) {
                if (sql_bind_column_default(c->b, t, col, &d->upd_set[i], c->err) != RDB_OK)
                    return RDB_SQL;
                if (!d->upd_set[i])
                    d->upd_set[i] = ex_const(c, col->type, sql_null());
            } else if (bind_e(c, us, ct->expr, &d->upd_set[i]) != RDB_OK ||
                       assign_coerce(c, &d->upd_set[i], col, ct->expr->loc) != RDB_OK) {
                return RDB_SQL;
            }
        }
        if (st->conflict_where && (bind_e(c, us, st->conflict_where, &d->upd_where) != RDB_OK ||
                                   coerce_bool(c, &d->upd_where, "WHERE", st->conflict_where->loc) != RDB_OK))
            return RDB_SQL;
        c->noagg = NULL;
    }
    if (bind_checks(c, t, d) != RDB_OK || bind_returning(c, st, t, NULL, out) != RDB_OK)
        return RDB_SQL;
    out->dml = d;
    return RDB_OK;
}


/* SET a[1] = x, a[2] = y: assignments to elements or slices of one column
 * apply one after the other, as in PostgreSQL: the later one's subscript
 * chain is copied onto the earlier one's result.  Another repeated column
 * is 42601.  *out: the UPDATE's targets, one per column (in A). */
static rdb_status_t merge_element_sets(bctx_t *c, const sql_table_t *t, const ast_stmt_t *st,
                                       ast_target_t **out, int *nout)
{
    ast_target_t *tl = RDB_ARENA_NEWN(A, ast_target_t, st->ncols + 1);
    int n = 0;
    for (int i = 0; i < st->ncols; i++) {
        const sql_column_t *col = find_column(t, st->cols[i].name);
        if (!col)
            return fail(c, "42703", st->cols[i].loc, "column \"%s\" of relation \"%s\" does not exist",
                        st->cols[i].name, t->name);
        int prior = -1;
        for (int k = 0; k < n; k++)
            if (find_column(t, tl[k].name) == col)
                prior = k;
        if (prior < 0) {
            tl[n++] = st->cols[i];
            continue;
        }
        ast_expr_t *pe = tl[prior].expr, *ne = st->cols[i].expr;
        if (!(pe->kind == AST_SUBSCRIPT && pe->def) || !(ne->kind == AST_SUBSCRIPT && ne->def))
            return fail(c, "42601", -1, "multiple assignments to same column \"%s\"", col->name);
        /* copy ne's chain (the parsed statement is kept and bound again) */
        ast_expr_t *copy = rdb_arena_memdup(A, ne, sizeof *ne), *x = copy;
        while (x->arg->kind == AST_SUBSCRIPT) {
            x->arg = rdb_arena_memdup(A, x->arg, sizeof *x->arg);
            x = x->arg;
        }
        x->arg = pe;
        tl[prior].expr = copy;
    }
    *out = tl;
    *nout = n;
    return RDB_OK;
}
static rdb_status_t bind_upddel(bctx_t *c, ast_stmt_t *st, sql_bound_t *out)
{
    const sql_table_t *t;
    if (dml_target(c, st, &t) != RDB_OK)
        return RDB_SQL;
    sql_dml_t *d = RDB_ARENA_NEW(A, sql_dml_t);
    d->tab = t;
    scope_t *s = table_scope(c, t, st->rel.alias);
    plan_t *scan = plan_new(A, P_SCAN, t->nrowcols);
    scan->tab = t;
    scan->est_rows = t->rowcount_est ? (double)t->rowcount_est : 1000;
    for (int i = 0; i < t->nrowcols; i++)
        scan->types[i] = T(SQL_OID_INT4);
    for (int i = 0; i < t->ncols; i++)
        scan->types[t->cols[i].colid] = t->cols[i].type;
    plan_t *p = scan;
    /* UPDATE ... FROM / DELETE ... USING: the target's row first, then the
     * other FROM items, joined (the WHERE clause becomes join conditions) */
    for (int i = 0; i < st->nfrom; i++) {
        plan_t *fp;
        if (bind_from(c, s, st->from[i], s->width, &fp) != RDB_OK)
            return RDB_SQL;
        plan_t *j = plan_new(A, P_JOIN, p->ncols + fp->ncols);
        memcpy(j->types, p->types, sizeof(sql_type_t) * p->ncols);
        memcpy(j->types + p->ncols, fp->types, sizeof(sql_type_t) * fp->ncols);
        j->left = p;
        j->right = fp;
        j->jointype = J_CROSS;
        p = j;
    }
    if (st->where) {
        c->noagg = "WHERE";
        ex_expr_t *w;
        if (bind_e(c, s, st->where, &w) != RDB_OK || coerce_bool(c, &w, "WHERE", st->where->loc) != RDB_OK)
            return RDB_SQL;
        plan_t *f = plan_new(A, P_FILTER, p->ncols);
        memcpy(f->types, p->types, sizeof(sql_type_t) * p->ncols);
        f->left = p;
        f->qual = w;
        p = f;
        if (st->nfrom)
            d->recheck = w;
    }
    d->src = p;
    if (st->kind == AST_S_UPDATE) {
        d->colids = RDB_ARENA_NEWN(A, uint16_t, st->ncols + 1);
        d->set = RDB_ARENA_NEWN(A, ex_expr_t *, st->ncols + 1);
        c->noagg = "UPDATE";
        ast_target_t *tl = NULL;
        if (merge_element_sets(c, t, st, &tl, &d->ncols) != RDB_OK)
            return RDB_SQL;
        for (int i = 0; i < d->ncols; i++) {
            const sql_column_t *col = find_column(t, tl[i].name);
            d->colids[i] = col->colid;
            if (col->identity == 'a' && tl[i].expr->kind != AST_DEFAULT) {
                fail(c, "428C9", -1, "column \"%s\" can only be updated to DEFAULT", col->name);
                rdb_err_detail(c->err, "Column \"%s\" is an identity column defined as GENERATED ALWAYS.",
                               col->name);
                return RDB_SQL;
            }
            if (tl[i].expr->kind == AST_DEFAULT) {
                if (sql_bind_column_default(c->b, t, col, &d->set[i], c->err) != RDB_OK)
                    return RDB_SQL;
                if (!d->set[i])
                    d->set[i] = ex_const(c, col->type, sql_null());
            } else if (bind_e(c, s, tl[i].expr, &d->set[i]) != RDB_OK ||
                       assign_coerce(c, &d->set[i], col, tl[i].expr->loc) != RDB_OK) {
                return RDB_SQL;
            }
        }
        if (bind_checks(c, t, d) != RDB_OK)
            return RDB_SQL;
    }
    c->noagg = NULL;
    if (bind_returning(c, st, t, st->nfrom ? s : NULL, out) != RDB_OK)
        return RDB_SQL;
    out->dml = d;
    return RDB_OK;
}

/* CHECK OPTION conditions of the views an INSERT or UPDATE went through:
 * after the table's CHECK constraints, as PostgreSQL tests them. */
static rdb_status_t bind_view_checks(bctx_t *c, const ast_stmt_t *st, sql_dml_t *d,
                                     const sql_view_check_t *vc, int n)
{
    if (!n || !d)
        return RDB_OK;
    ex_expr_t **ck = RDB_ARENA_NEWN(A, ex_expr_t *, d->nchecks + n + 1);
    const char **names = RDB_ARENA_NEWN(A, const char *, d->nchecks + n + 1);
    if (d->nchecks) {
        memcpy(ck, d->checks, sizeof *ck * (size_t)d->nchecks);
        memcpy(names, d->check_names, sizeof *names * (size_t)d->nchecks);
    }
    scope_t *s = table_scope(c, d->tab, st->rel.alias);
    for (int i = 0; i < n; i++) {
        ex_expr_t **e = &ck[d->nchecks + i];
        if (bind_e(c, s, vc[i].cond, e) != RDB_OK || coerce_bool(c, e, "WHERE", -1) != RDB_OK)
            return RDB_SQL;
        names[d->nchecks + i] = vc[i].view;
    }
    d->checks = ck;
    d->check_names = names;
    d->nchecks += n;
    d->nview_checks = n;
    return RDB_OK;
}

rdb_status_t sql_bind_stmt(sql_bindenv_t *b, ast_stmt_t *st, sql_bound_t *out, rdb_err_t *err)
{
    bctx_t c = { .b = b, .err = err };
    memset(out, 0, sizeof *out);
    out->kind = st->kind;
    rdb_status_t rc;
    sql_view_check_t *vchecks = NULL;
    int nvchecks = 0;
    if ((st->kind == AST_S_INSERT || st->kind == AST_S_UPDATE || st->kind == AST_S_DELETE) &&
        sql_view_dml_rewrite(b->a, b->snap, b->path, b->npath, b->sql, st, &st, &vchecks, &nvchecks, err) != RDB_OK)
        return RDB_SQL;
    switch (st->kind) {
    case AST_S_SELECT:
        rc = bind_select_in(&c, st->select, NULL, &out->plan);
        break;
    case AST_S_INSERT:
        rc = bind_insert(&c, st, out);
        break;
    case AST_S_UPDATE:
    case AST_S_DELETE:
        rc = bind_upddel(&c, st, out);
        break;
    default:
        return rdb_err_set(err, RDB_SQL, "XX000", "statement kind %d cannot be bound", st->kind);
    }
    if (rc == RDB_OK && nvchecks)
        rc = bind_view_checks(&c, st, out->dml, vchecks, nvchecks);
    if (rc == RDB_OK)
        for (int i = 0; i < b->nparams; i++)
            if (b->ptypes[i].oid == 0 || b->ptypes[i].oid == SQL_OID_UNKNOWN) {
                if (!b->first_unknown)
                    b->first_unknown = i + 1;
                b->ptypes[i] = T(SQL_OID_TEXT);
            }
    return rc;
}
