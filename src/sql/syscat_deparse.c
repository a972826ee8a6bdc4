/*
 * syscat_deparse.c — expressions and definitions as PostgreSQL 15 prints
 * them: column DEFAULTs and CHECK constraints (pg_get_expr,
 * pg_get_constraintdef, information_schema), CREATE INDEX statements
 * (pg_get_indexdef), format_type, and the columns of a view.
 *
 * Expressions are stored as the parser's JSON, so they are bound here
 * against the snapshot (analyze.h) and the bound tree is printed with
 * ruleutils.c's "pretty" rules: a literal carries its type unless it is
 * an integer, a decimal-looking numeric or a boolean ('x'::character
 * varying, 0::numeric for a cast integer), implicit casts are hidden at
 * the top of the expression and shown under operators, AND under OR is
 * not parenthesised but OR under AND is.  Without "pretty" (pg_dump's
 * and information_schema's form) every operator, boolean and cast
 * argument is parenthesised instead: ((n > (0)::numeric) OR (n IS NULL)).
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "common/buf.h"
#include "sql/analyze.h"
#include "sql/syscat_int.h"

const char *syscat_format_type(sql_type_t t, rdb_arena_t *a)
{
    rdb_buf_t b = RDB_BUF_INIT;
    sql_type_format(t, &b);
    char *s = rdb_arena_strdup(a, rdb_buf_cstr(&b));
    rdb_buf_free(&b);
    return s;
}

static void bindenv(const sql_syscat_env_t *env, rdb_arena_t *a, sql_bindenv_t *b)
{
    memset(b, 0, sizeof *b);
    b->a = a;
    b->cat = env->cat;
    b->snap = env->snap;
    b->path = env->path;
    b->npath = env->npath;
    b->ptypes = RDB_ARENA_NEWN(a, sql_type_t, SQL_MAX_PARAMS);
}

static void put_ident(rdb_buf_t *b, const char *s)
{
    sql_quote_ident(b, s, strlen(s));
}

static void put_literal(rdb_buf_t *b, const char *s, size_t n)
{
    bool bs = memchr(s, '\\', n) != NULL;
    if (bs)
        rdb_buf_append_u8(b, 'E');
    rdb_buf_append_u8(b, '\'');
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\'' || s[i] == '\\')
            rdb_buf_append_u8(b, (uint8_t)s[i]);
        rdb_buf_append_u8(b, (uint8_t)s[i]);
    }
    rdb_buf_append_u8(b, '\'');
}

static void put_type(rdb_buf_t *b, uint32_t oid)
{
    sql_type_t t = { oid, -1 };
    sql_type_format(t, b);
}

typedef struct dctx {
    const sql_syscat_env_t *env;
    const sql_table_t      *tab;
    rdb_arena_t            *a;
    bool                    ok;
    bool                    pretty;
} dctx_t;

static void dep(dctx_t *d, rdb_buf_t *b, const ex_expr_t *e, bool showimplicit);

static void put_const(dctx_t *d, rdb_buf_t *b, const ex_expr_t *e)
{
    (void)d;
    if (e->val.isnull) {
        rdb_buf_append_str(b, "NULL");
        if (e->type.oid != SQL_OID_UNKNOWN && e->type.oid != SQL_OID_BOOL) {
            rdb_buf_append_str(b, "::");
            put_type(b, e->type.oid);
        }
        return;
    }
    sql_format_settings_t fs;
    sql_format_settings_default(&fs);
    rdb_buf_t v = RDB_BUF_INIT;
    sql_value_out(&fs, e->type, &e->val, &v);
    const char *s = rdb_buf_cstr(&v);
    bool label = true;
    switch (e->type.oid) {
    case SQL_OID_INT4:
    case SQL_OID_NUMERIC:
        /* bare unless negative (or, for numeric, integer-looking: it
         * would read back as an integer) */
        if (e->type.oid == SQL_OID_INT4 ? s[0] != '-'
                                        : isdigit((unsigned char)s[0]) && strcspn(s, "eE.") != strlen(s)) {
            rdb_buf_append_str(b, s);
            label = false;
        } else {
            put_literal(b, s, v.len);
        }
        break;
    case SQL_OID_BOOL:
        rdb_buf_append_str(b, e->val.u.b ? "true" : "false");
        label = false;
        break;
    case SQL_OID_UNKNOWN:
        put_literal(b, s, v.len);
        label = false;
        break;
    default:
        put_literal(b, s, v.len);
        break;
    }
    if (label) {
        rdb_buf_append_str(b, "::");
        put_type(b, e->type.oid);
    }
    rdb_buf_free(&v);
}

static bool is_int(uint32_t oid)
{
    return oid == SQL_OID_INT2 || oid == SQL_OID_INT4 || oid == SQL_OID_INT8;
}

static bool is_op(const sql_resolved_fn_t *fn)
{
    return fn && fn->name && !isalpha((unsigned char)fn->name[0]) && fn->name[0] != '_';
}

/* 2 for * / %, 1 for + -, 0 for any other operator (ruleutils knows
 * only these). */
static int op_prec(const char *op, int nargs)
{
    if (nargs != 2 || op[1])
        return 0;
    return strchr("*/%", op[0]) ? 2 : strchr("+-", op[0]) ? 1 : 0;
}

/* An operand of a binary or prefix operator, parenthesised as
 * ruleutils' isSimpleNode says: an arithmetic operator inside another
 * binds without parentheses only when tighter, or equal and on the
 * left; anything else that is not a value, column, cast or call gets
 * them. */
static void operand(dctx_t *d, rdb_buf_t *b, const ex_expr_t *e, const char *parent, int pnargs, bool right)
{
    bool paren;
    if (e->kind == EX_FUNC && is_op(e->fn)) {
        int pc = op_prec(e->fn->name, e->nargs), pp = op_prec(parent, pnargs);
        paren = !pc || !pp || pc < pp || (pc == pp && right);
    } else {
        paren = e->kind == EX_AND || e->kind == EX_OR || e->kind == EX_NOT || e->kind == EX_CASE ||
                e->kind == EX_NULLTEST || e->kind == EX_BOOLTEST || e->kind == EX_DISTINCT;
    }
    if (paren)
        rdb_buf_append_u8(b, '(');
    dep(d, b, e, true);
    if (paren)
        rdb_buf_append_u8(b, ')');
}

static void dep(dctx_t *d, rdb_buf_t *b, const ex_expr_t *e, bool showimplicit)
{
    switch (e->kind) {
    case EX_CONST:
        put_const(d, b, e);
        return;
    case EX_COL: {
        const sql_column_t *col = d->tab ? sql_table_column_by_id(d->tab, (uint16_t)e->idx) : NULL;
        if (!col) {
            d->ok = false;
            return;
        }
        put_ident(b, col->name);
        return;
    }
    case EX_CAST: {
        const ex_expr_t *arg = e->args[0];
        /* PostgreSQL has cross-type integer operators (int8 - int4) where
         * ringdb widens an operand: not a cast PostgreSQL would show */
        if (!showimplicit || (is_int(e->type.oid) && is_int(arg->type.oid))) {
            dep(d, b, arg, false);
            return;
        }
        bool simple = d->pretty && (arg->kind == EX_CONST || arg->kind == EX_COL ||
                                    (arg->kind == EX_FUNC && !is_op(arg->fn)));
        if (!simple)
            rdb_buf_append_u8(b, '(');
        dep(d, b, arg, true);
        if (!simple)
            rdb_buf_append_u8(b, ')');
        rdb_buf_append_str(b, "::");
        sql_type_format(e->type, b);
        return;
    }
    case EX_FUNC:
        if (is_op(e->fn) && !d->pretty) {
            rdb_buf_append_u8(b, '(');
            for (int i = 0; i < e->nargs; i++) {
                if (i || e->nargs == 1)
                    rdb_buf_printf(b, e->nargs == 1 ? "%s " : " %s ", e->fn->name);
                dep(d, b, e->args[i], true);
            }
            rdb_buf_append_u8(b, ')');
            return;
        }
        if (is_op(e->fn)) {
            if (e->nargs == 2) {
                operand(d, b, e->args[0], e->fn->name, 2, false);
                rdb_buf_printf(b, " %s ", e->fn->name);
                operand(d, b, e->args[1], e->fn->name, 2, true);
            } else {
                rdb_buf_printf(b, "%s ", e->fn->name);
                operand(d, b, e->args[0], e->fn->name, 1, true);
            }
            return;
        }
        rdb_buf_append_str(b, e->fn->name);
        rdb_buf_append_u8(b, '(');
        for (int i = 0; i < e->nargs; i++) {
            if (i)
                rdb_buf_append_str(b, ", ");
            dep(d, b, e->args[i], false);
        }
        rdb_buf_append_u8(b, ')');
        return;
    case EX_AND: case EX_OR:
        if (!d->pretty)
            rdb_buf_append_u8(b, '(');
        for (int i = 0; i < e->nargs; i++) {
            const ex_expr_t *x = e->args[i];
            bool paren = d->pretty && e->kind == EX_AND && x->kind == EX_OR;
            if (i)
                rdb_buf_append_str(b, e->kind == EX_AND ? " AND " : " OR ");
            if (paren)
                rdb_buf_append_u8(b, '(');
            dep(d, b, x, true);
            if (paren)
                rdb_buf_append_u8(b, ')');
        }
        if (!d->pretty)
            rdb_buf_append_u8(b, ')');
        return;
    case EX_NOT: {
        const ex_expr_t *x = e->args[0];
        bool paren = d->pretty && x->kind != EX_COL && x->kind != EX_CONST &&
                     !(x->kind == EX_FUNC && !is_op(x->fn));
        rdb_buf_append_str(b, d->pretty ? "NOT " : "(NOT ");
        if (paren)
            rdb_buf_append_u8(b, '(');
        dep(d, b, x, true);
        if (paren || !d->pretty)
            rdb_buf_append_u8(b, ')');
        return;
    }
    case EX_NULLTEST:
        if (!d->pretty)
            rdb_buf_append_u8(b, '(');
        dep(d, b, e->args[0], true);
        rdb_buf_append_str(b, e->flag ? " IS NOT NULL" : " IS NULL");
        if (!d->pretty)
            rdb_buf_append_u8(b, ')');
        return;
    case EX_NEXTVAL: {
        rdb_buf_append_str(b, e->flag == 0 ? "nextval(" : e->flag == 1 ? "currval(" : "setval(");
        const char *name = e->rel ? sql_syscat_relname(d->env, e->rel->id, d->a) : NULL;
        if (!name) {
            d->ok = false;
            return;
        }
        rdb_buf_t q = RDB_BUF_INIT;
        put_ident(&q, name);
        put_literal(b, q.data, q.len);
        rdb_buf_free(&q);
        rdb_buf_append_str(b, "::regclass)");
        return;
    }
    case EX_SESSION:
        switch ((ex_session_fn_t)e->flag) {
        case EX_S_CURRENT_USER: rdb_buf_append_str(b, "CURRENT_USER"); return;
        case EX_S_SESSION_USER: rdb_buf_append_str(b, "SESSION_USER"); return;
        case EX_S_LOCALTIMESTAMP: rdb_buf_append_str(b, "LOCALTIMESTAMP"); return;
        case EX_S_CURRENT_DATABASE: rdb_buf_append_str(b, "current_database()"); return;
        default: break;
        }
        d->ok = false;
        return;
    default:
        d->ok = false;
        return;
    }
}

static const char *deparse(const sql_syscat_env_t *env, const sql_table_t *t, const ex_expr_t *e,
                           bool pretty, rdb_arena_t *a)
{
    dctx_t d = { env, t, a, true, pretty };
    rdb_buf_t b = RDB_BUF_INIT;
    dep(&d, &b, e, false);
    char *s = d.ok ? rdb_arena_strdup(a, rdb_buf_cstr(&b)) : NULL;
    rdb_buf_free(&b);
    return s;
}

const char *syscat_default_text(const sql_syscat_env_t *env, const sql_table_t *t,
                                const sql_column_t *col, rdb_arena_t *a)
{
    sql_bindenv_t b;
    bindenv(env, a, &b);
    rdb_err_t err = RDB_ERR_INIT;
    ex_expr_t *e = NULL;
    rdb_status_t rc = sql_bind_column_default(&b, t, col, &e, &err);
    rdb_err_clear(&err);
    if (rc != RDB_OK || !e)
        return NULL;
    /* CURRENT_TIMESTAMP and friends are functions once bound: print them
     * as written, as PostgreSQL keeps SQLValueFunction */
    if (e->kind == EX_CAST)
        e = e->args[0];
    if (e->kind == EX_FUNC && e->nargs == 0 && e->fn && strcmp(e->fn->name, "now") == 0 &&
        strstr(col->default_json, "SQLValueFunction"))
        return "CURRENT_TIMESTAMP";
    return deparse(env, t, e, true, a);
}

const char *syscat_check_text(const sql_syscat_env_t *env, const sql_table_t *t,
                              const sql_check_t *ck, bool pretty, rdb_arena_t *a)
{
    json_error_t je;
    json_t *j = json_loads(ck->expr_json, 0, &je);
    if (!j)
        return NULL;
    ast_expr_t *ast;
    rdb_err_t err = RDB_ERR_INIT;
    rdb_status_t rc = sql_parse_expr_json(a, j, &ast, &err);
    json_decref(j);
    const char *out = NULL;
    if (rc == RDB_OK) {
        sql_bindenv_t b;
        bindenv(env, a, &b);
        ex_expr_t *e;
        sql_type_t none = { 0, -1 };
        if (sql_bind_row_expr(&b, t, ast, none, &e, &err) == RDB_OK)
            out = deparse(env, t, e, pretty, a);
    }
    rdb_err_clear(&err);
    return out;
}

bool syscat_view_columns(const sql_syscat_env_t *env, const sql_table_t *v, rdb_arena_t *a,
                         int *ncols, const char ***names, sql_type_t **types)
{
    json_error_t je;
    json_t *j = v->view_json ? json_loads(v->view_json, 0, &je) : NULL;
    if (!j)
        return false;
    ast_select_t *sel;
    rdb_err_t err = RDB_ERR_INIT;
    rdb_status_t rc = sql_parse_select_json(a, j, &sel, &err);
    json_decref(j);
    plan_t *p = NULL;
    if (rc == RDB_OK) {
        sql_bindenv_t b;
        bindenv(env, a, &b);
        rc = sql_bind_select(&b, sel, &p, &err);
    }
    rdb_err_clear(&err);
    if (rc != RDB_OK || !p)
        return false;
    *ncols = p->ncols;
    *names = p->names;
    *types = p->types;
    return true;
}

/* --- definitions ---------------------------------------------------------- */

const char *sql_syscat_indexdef(const sql_syscat_env_t *env, uint32_t oid, int col, rdb_arena_t *a)
{
    const sql_table_t *t;
    const sql_index_t *ix = sql_syscat_index(env->snap, oid, &t);
    if (!ix)
        return NULL;
    rdb_buf_t b = RDB_BUF_INIT;
    if (col > 0) {
        const sql_column_t *c = col <= ix->ncols ? sql_table_column_by_id(t, ix->colids[col - 1]) : NULL;
        if (c)
            put_ident(&b, c->name);
    } else {
        rdb_buf_printf(&b, "CREATE %sINDEX ", ix->unique || ix->primary ? "UNIQUE " : "");
        put_ident(&b, ix->name);
        rdb_buf_append_str(&b, " ON ");
        put_ident(&b, t->schema);
        rdb_buf_append_u8(&b, '.');
        put_ident(&b, t->name);
        rdb_buf_append_str(&b, " USING btree (");
        for (int k = 0; k < ix->ncols; k++) {
            const sql_column_t *c = sql_table_column_by_id(t, ix->colids[k]);
            if (k)
                rdb_buf_append_str(&b, ", ");
            put_ident(&b, c ? c->name : "?");
            if (ix->desc && ix->desc[k])
                rdb_buf_append_str(&b, " DESC");
        }
        rdb_buf_append_u8(&b, ')');
    }
    char *s = rdb_arena_strdup(a, rdb_buf_cstr(&b));
    rdb_buf_free(&b);
    return s;
}

static const char *fk_action(char c)
{
    switch (c) {
    case SQL_FK_RESTRICT: return "RESTRICT";
    case SQL_FK_CASCADE: return "CASCADE";
    case SQL_FK_SET_NULL: return "SET NULL";
    case SQL_FK_SET_DEFAULT: return "SET DEFAULT";
    default: return NULL;
    }
}

/* PostgreSQL's pg_get_constraintdef of a foreign key:
 * FOREIGN KEY (x) REFERENCES p(a) [MATCH FULL] [ON UPDATE ..] [ON DELETE ..] */
static const char *fkey_def(const sql_syscat_env_t *env, const sql_table_t *t, const sql_fkey_t *fk,
                            rdb_arena_t *a)
{
    const sql_table_t *ref = sql_cat_by_id(env->snap, fk->ref_table);
    rdb_buf_t b = RDB_BUF_INIT;
    rdb_buf_append_str(&b, "FOREIGN KEY (");
    for (int k = 0; k < fk->ncols; k++) {
        const sql_column_t *c = sql_table_column_by_id(t, fk->colids[k]);
        if (k)
            rdb_buf_append_str(&b, ", ");
        put_ident(&b, c ? c->name : "?");
    }
    rdb_buf_append_str(&b, ") REFERENCES ");
    if (ref && ref->schema_id != SQL_SCHEMA_PUBLIC) {
        put_ident(&b, ref->schema);
        rdb_buf_append_u8(&b, '.');
    }
    put_ident(&b, ref ? ref->name : "?");
    rdb_buf_append_u8(&b, '(');
    for (int k = 0; k < fk->ncols; k++) {
        const sql_column_t *c = ref ? sql_table_column_by_id(ref, fk->ref_colids[k]) : NULL;
        if (k)
            rdb_buf_append_str(&b, ", ");
        put_ident(&b, c ? c->name : "?");
    }
    rdb_buf_append_u8(&b, ')');
    if (fk->match == 'f')
        rdb_buf_append_str(&b, " MATCH FULL");
    if (fk_action(fk->on_update))
        rdb_buf_printf(&b, " ON UPDATE %s", fk_action(fk->on_update));
    if (fk_action(fk->on_delete))
        rdb_buf_printf(&b, " ON DELETE %s", fk_action(fk->on_delete));
    if (fk->deferrable)
        rdb_buf_append_str(&b, fk->initdeferred ? " DEFERRABLE INITIALLY DEFERRED" : " DEFERRABLE");
    char *s = rdb_arena_strdup(a, rdb_buf_cstr(&b));
    rdb_buf_free(&b);
    return s;
}

const char *sql_syscat_constraintdef(const sql_syscat_env_t *env, uint32_t oid, bool pretty,
                                     rdb_arena_t *a)
{
    if (oid & 0x80000000u) {
        const sql_table_t *t = sql_cat_by_id(env->snap, (oid & 0x7fffffffu) >> 8);
        int i = (int)(oid & 0xff);
        if (t && i >= t->nchecks && 255 - i < t->nfkeys)
            return fkey_def(env, t, &t->fkeys[255 - i], a);
        if (!t || i >= t->nchecks)
            return NULL;
        const char *x = syscat_check_text(env, t, &t->checks[i], pretty, a);
        return x ? rdb_arena_sprintf(a, "CHECK (%s)", x) : NULL;
    }
    const sql_table_t *t;
    const sql_index_t *ix = sql_syscat_index(env->snap, oid, &t);
    if (!ix || !(ix->primary || ix->is_constraint))
        return NULL;
    rdb_buf_t b = RDB_BUF_INIT;
    rdb_buf_append_str(&b, ix->primary ? "PRIMARY KEY (" : "UNIQUE (");
    for (int k = 0; k < ix->ncols; k++) {
        const sql_column_t *c = sql_table_column_by_id(t, ix->colids[k]);
        if (k)
            rdb_buf_append_str(&b, ", ");
        put_ident(&b, c ? c->name : "?");
    }
    rdb_buf_append_u8(&b, ')');
    if (ix->deferrable)
        rdb_buf_append_str(&b, ix->initdeferred ? " DEFERRABLE INITIALLY DEFERRED" : " DEFERRABLE");
    char *s = rdb_arena_strdup(a, rdb_buf_cstr(&b));
    rdb_buf_free(&b);
    return s;
}
