/*
 * explain.c — EXPLAIN's output (see explain.h).
 *
 * The plan is first turned into a tree of xnode_t (what PostgreSQL's
 * ExplainNode gathers: node type, relation, costs, actual counters,
 * properties such as "Filter"), then rendered as text or JSON, so the two
 * formats always show the same thing.
 *
 * Node mapping.  ringdb's projections are not nodes in PostgreSQL's
 * output, so P_PROJECT is shown as its child (or "Result" without one);
 * a P_FILTER is shown as the node below it with a "Filter:" line (as
 * PostgreSQL puts quals on the node that evaluates them), with the
 * filter's row counts.  A hash join's inner side sits under a "Hash"
 * node.  Subqueries in expressions are listed under the node as
 * "SubPlan N" (correlated) or "InitPlan N (returns $N)".
 *
 * Expressions print as PostgreSQL's deparser prints them: "(a > 5)",
 * "((a = 1) AND (b < 2))", "'x'::text"; columns qualified with their
 * range's name when the plan reads more than one range.
 */
#include "exec/explain.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "exec/window.h"
#include "exec/keyset.h"
#include "sql/ast.h"

/* ---- counters --------------------------------------------------------- */

struct ex_instr_map {
    rdb_arena_t   *a;
    bool           timing;
    size_t         cap, n;
    const plan_t **keys;
    ex_instr_t    *vals;
};

ex_instr_map_t *ex_instr_new(rdb_arena_t *a, bool timing)
{
    ex_instr_map_t *m = RDB_ARENA_NEW(a, ex_instr_map_t);
    m->a = a;
    m->timing = timing;
    m->cap = 64;
    m->keys = RDB_ARENA_NEWN(a, const plan_t *, m->cap);
    m->vals = RDB_ARENA_NEWN(a, ex_instr_t, m->cap);
    return m;
}

bool ex_instr_timing(const ex_instr_map_t *m) { return m->timing; }

static size_t slot(const ex_instr_map_t *m, const plan_t *p)
{
    size_t h = ((uintptr_t)p >> 4) * 0x9E3779B97F4A7C15ull;
    size_t i = h & (m->cap - 1);
    while (m->keys[i] && m->keys[i] != p)
        i = (i + 1) & (m->cap - 1);
    return i;
}

ex_instr_t *ex_instr_get(ex_instr_map_t *m, const plan_t *p)
{
    size_t i = slot(m, p);
    if (m->keys[i])
        return &m->vals[i];
    if ((m->n + 1) * 2 > m->cap) {
        ex_instr_map_t old = *m;
        m->cap *= 2;
        m->keys = RDB_ARENA_NEWN(m->a, const plan_t *, m->cap);
        m->vals = RDB_ARENA_NEWN(m->a, ex_instr_t, m->cap);
        for (size_t k = 0; k < old.cap; k++)
            if (old.keys[k]) {
                size_t j = slot(m, old.keys[k]);
                m->keys[j] = old.keys[k];
                m->vals[j] = old.vals[k];
            }
        i = slot(m, p);
    }
    m->keys[i] = p;
    m->n++;
    return &m->vals[i];
}

static const ex_instr_t *instr_find(const ex_instr_map_t *m, const plan_t *p)
{
    if (!m)
        return NULL;
    size_t i = slot(m, p);
    return m->keys[i] ? &m->vals[i] : NULL;
}

/* ---- the node tree ------------------------------------------------------ */

typedef struct xprop {
    const char  *label;
    const char  *text;        /* a single value */
    const char **list;        /* or a list (Sort Key, Group Key) */
    int          nlist;
    bool         num;         /* text is a number (JSON shows it as one) */
} xprop_t;

typedef struct xnode xnode_t;
struct xnode {
    const char *type;         /* "Seq Scan", "Hash Join", ... */
    const char *title;        /* text header, e.g. "Seq Scan on t" */
    const char *relation, *alias, *index, *join_type, *strategy, *rel_kind;
    const char *partial_mode; /* "Partial" / "Finalize" aggregate, NULL = simple */
    bool        parallel_aware; /* a scan of one slice (Parallel Seq Scan) */
    const char *label;        /* "SubPlan 1" above this node, or NULL */
    double      startup, total, rows;
    int         width;
    const plan_t *inst;       /* whose counters are shown, NULL = none */
    bool        force_actual; /* DML top node: actual from dml_rows */
    bool        output;       /* VERBOSE's Output added */
    int         nprops, capprops;
    xprop_t    *props;
    int         nkids, capkids;
    xnode_t   **kids;
};

/* Subqueries found while printing one node's expressions. */
typedef struct xsub {
    const plan_t *plan;
    bool          correlated;
    int           num;
} xsub_t;

typedef struct xctx {
    rdb_arena_t   *a;
    const ex_explain_t *o;
    bool           qualify;
    int            nsubplans;
    /* outer rows for EX_OUTER: the input plans of enclosing levels */
    const plan_t  *outer[64];
    int            nouter;
    /* subqueries of the node being built */
    xsub_t        *subs;
    int            nsubs, capsubs;
    const plan_t  *par_scan; /* the scan a parallel node slices (Parallel Seq Scan) */
} xctx_t;

static void add_prop(xctx_t *x, xnode_t *n, const char *label, const char *text)
{
    if (n->nprops == n->capprops) {
        n->capprops = n->capprops ? n->capprops * 2 : 4;
        n->props = rdb_arena_grow(x->a, n->props, (size_t)n->nprops, (size_t)n->capprops, sizeof *n->props);
    }
    n->props[n->nprops].label = label;
    n->props[n->nprops].text = text;
    n->props[n->nprops].list = NULL;
    n->props[n->nprops].nlist = 0;
    n->props[n->nprops].num = false;
    n->nprops++;
}

static void add_list_prop(xctx_t *x, xnode_t *n, const char *label, const char **list, int nlist)
{
    add_prop(x, n, label, NULL);
    n->props[n->nprops - 1].list = list;
    n->props[n->nprops - 1].nlist = nlist;
}

/* ANALYZE: "Rows Removed by Filter" of p's filter, per loop. */
static void add_removed(xctx_t *x, xnode_t *n, const plan_t *p)
{
    const ex_instr_t *in = x->o->analyze ? instr_find(x->o->instr, p) : NULL;
    if (!in || !in->loops)
        return;
    double v = floor((double)in->removed / (double)in->loops + 0.5);
    if (v <= 0 && !x->o->json)
        return;
    add_prop(x, n, "Rows Removed by Filter", rdb_arena_sprintf(x->a, "%.0f", v));
    n->props[n->nprops - 1].num = true;
}

static void add_kid(xctx_t *x, xnode_t *n, xnode_t *k)
{
    if (!k)
        return;
    if (n->nkids == n->capkids) {
        n->capkids = n->capkids ? n->capkids * 2 : 2;
        n->kids = rdb_arena_grow(x->a, n->kids, (size_t)n->nkids, (size_t)n->capkids, sizeof *n->kids);
    }
    n->kids[n->nkids++] = k;
}

/* ---- expressions ---------------------------------------------------------- */

static void deparse(xctx_t *x, const ex_expr_t *e, const plan_t *in, rdb_buf_t *b);

static const char *col_name(xctx_t *x, const plan_t *p, int idx);

static const char *qual_name(xctx_t *x, const char *alias, const char *name)
{
    if (!x->qualify || !alias)
        return name;
    return rdb_arena_sprintf(x->a, "%s.%s", alias, name);
}

static const char *agg_text(xctx_t *x, const plan_agg_t *g, const plan_t *in)
{
    rdb_buf_t b = RDB_BUF_INIT;
    rdb_buf_printf(&b, "%s(", g->agg.name);
    if (g->distinct)
        rdb_buf_append_str(&b, "DISTINCT ");
    if (g->nargs == 0)
        rdb_buf_append_str(&b, "*");
    for (int i = 0; i < g->nargs; i++) {
        if (i)
            rdb_buf_append_str(&b, ", ");
        deparse(x, g->args[i], in, &b);
    }
    rdb_buf_append_str(&b, ")");
    const char *s = rdb_arena_strdup(x->a, rdb_buf_cstr(&b));
    rdb_buf_free(&b);
    return s;
}

static const char *expr_text(xctx_t *x, const ex_expr_t *e, const plan_t *in)
{
    rdb_buf_t b = RDB_BUF_INIT;
    deparse(x, e, in, &b);
    const char *s = rdb_arena_strdup(x->a, rdb_buf_cstr(&b));
    rdb_buf_free(&b);
    return s;
}

/* The name of column idx of p's output row. */
static const char *col_name(xctx_t *x, const plan_t *p, int idx)
{
    if (!p || idx < 0 || idx >= p->ncols)
        return "?";
    switch (p->kind) {
    case P_SCAN: {
        const char *nm = p->names ? p->names[idx] : NULL;
        for (int i = 0; !nm && i < p->tab->ncols; i++)
            if (p->tab->cols[i].colid == idx)
                nm = p->tab->cols[i].name;
        return qual_name(x, p->alias ? p->alias : p->tab->name, nm ? nm : "?");
    }
    case P_JOIN:
        return idx < p->left->ncols ? col_name(x, p->left, idx) : col_name(x, p->right, idx - p->left->ncols);
    case P_FILTER:
    case P_SORT:
    case P_LIMIT:
    case P_LOCKROWS:
    case P_DISTINCT:
        return col_name(x, p->left, idx);
    case P_PROJECT:
        if (p->exprs[idx]->kind == EX_COL && p->left)
            return col_name(x, p->left, p->exprs[idx]->idx);
        return expr_text(x, p->exprs[idx], p->left);
    case P_AGG:
        if (idx < p->ngroup)
            return expr_text(x, p->group[idx], p->left);
        return agg_text(x, &p->aggs[idx - p->ngroup], p->left);
    case P_WINDOW:
        if (idx < p->left->ncols)
            return col_name(x, p->left, idx);
        return rdb_arena_sprintf(x->a, "%s", p->names[idx] ? p->names[idx] : "?column?");
    case P_VALUES:
        return qual_name(x, "\"*VALUES*\"", p->names[idx]);
    default:
        return qual_name(x, p->alias, p->names[idx] ? p->names[idx] : "?column?");
    }
}

static void type_text(sql_type_t t, rdb_buf_t *b)
{
    sql_type_format(t, b);
}

static void deparse_const(const ex_expr_t *e, rdb_buf_t *b)
{
    if (e->val.isnull) {
        rdb_buf_append_str(b, "NULL");
        if (e->type.oid != SQL_OID_UNKNOWN) {
            rdb_buf_append_str(b, "::");
            type_text(e->type, b);
        }
        return;
    }
    sql_format_settings_t fs;
    sql_format_settings_default(&fs);
    rdb_buf_t v = RDB_BUF_INIT;
    sql_value_out(&fs, e->type, &e->val, &v);
    const char *s = rdb_buf_cstr(&v);
    uint32_t o = e->type.oid;
    bool plain = (o == SQL_OID_INT4 || o == SQL_OID_INT8 || o == SQL_OID_NUMERIC) && s[0] != '-';
    if (o == SQL_OID_BOOL)
        rdb_buf_append_str(b, e->val.u.b ? "true" : "false");
    else if (plain)
        rdb_buf_append_str(b, s);
    else {
        rdb_buf_append_str(b, "'");
        for (const char *c = s; *c; c++) {
            if (*c == '\'')
                rdb_buf_append_str(b, "'");
            rdb_buf_append(b, c, 1);
        }
        rdb_buf_append_str(b, "'::");
        type_text(e->type, b);
    }
    rdb_buf_free(&v);
}

static const char *srf_name(int flag)
{
    switch ((ex_srf_t)flag) {
    case EX_SRF_UNNEST: return "unnest";
    case EX_SRF_SERIES_NUMERIC:
    case EX_SRF_SERIES_TS: return "generate_series";
    case EX_SRF_SUBSCRIPTS: return "generate_subscripts";
    case EX_SRF_JSON_EACH: return "jsonb_each";
    case EX_SRF_JSON_EACH_TEXT: return "jsonb_each_text";
    case EX_SRF_JSON_ELEMENTS: return "jsonb_array_elements";
    case EX_SRF_JSON_ELEMENTS_TEXT: return "jsonb_array_elements_text";
    case EX_SRF_JSON_KEYS: return "jsonb_object_keys";
    case EX_SRF_REGEXP_MATCHES: return "regexp_matches";
    case EX_SRF_REGEXP_SPLIT: return "regexp_split_to_table";
    }
    return "?";
}

static bool is_op_name(const char *n)
{
    return n && n[0] && !(n[0] == '_' || (n[0] >= 'a' && n[0] <= 'z') || (n[0] >= 'A' && n[0] <= 'Z'));
}

static int note_sub(xctx_t *x, const ex_expr_t *e)
{
    for (int i = 0; i < x->nsubs; i++)
        if (x->subs[i].plan == e->sub)
            return x->subs[i].num;
    if (x->nsubs == x->capsubs) {
        x->capsubs = x->capsubs ? x->capsubs * 2 : 4;
        x->subs = rdb_arena_grow(x->a, x->subs, (size_t)x->nsubs, (size_t)x->capsubs, sizeof *x->subs);
    }
    xsub_t *s = &x->subs[x->nsubs++];
    s->plan = e->sub;
    s->correlated = e->correlated || e->nkeyed;
    s->num = ++x->nsubplans;
    return s->num;
}

static void deparse_list(xctx_t *x, ex_expr_t **args, int n, const plan_t *in, rdb_buf_t *b)
{
    for (int i = 0; i < n; i++) {
        if (i)
            rdb_buf_append_str(b, ", ");
        deparse(x, args[i], in, b);
    }
}

static void deparse(xctx_t *x, const ex_expr_t *e, const plan_t *in, rdb_buf_t *b)
{
    if (!e) {
        rdb_buf_append_str(b, "NULL");
        return;
    }
    switch (e->kind) {
    case EX_CONST:
        deparse_const(e, b);
        return;
    case EX_PARAM:
        rdb_buf_printf(b, "$%d", e->idx + 1);
        return;
    case EX_COL: {
        const char *nm = in ? col_name(x, in, e->idx) : NULL;
        rdb_buf_append_str(b, nm ? nm : "?");
        return;
    }
    case EX_OUTER:
        if (e->levelsup >= 1 && e->levelsup <= x->nouter)
            rdb_buf_append_str(b, col_name(x, x->outer[x->nouter - e->levelsup], e->idx));
        else
            rdb_buf_printf(b, "$outer%d", e->idx);
        return;
    case EX_FUNC:
        if (is_op_name(e->fn->name) && e->nargs == 2) {
            rdb_buf_append_str(b, "(");
            deparse(x, e->args[0], in, b);
            rdb_buf_printf(b, " %s ", e->fn->name);
            deparse(x, e->args[1], in, b);
            rdb_buf_append_str(b, ")");
        } else if (is_op_name(e->fn->name) && e->nargs == 1) {
            rdb_buf_printf(b, "(%s ", e->fn->name);
            deparse(x, e->args[0], in, b);
            rdb_buf_append_str(b, ")");
        } else {
            rdb_buf_printf(b, "%s(", e->fn->name ? e->fn->name : "?");
            deparse_list(x, e->args, e->nargs, in, b);
            rdb_buf_append_str(b, ")");
        }
        return;
    case EX_CAST:
        if (e->args[0]->kind == EX_CONST && !e->args[0]->val.isnull &&
            (e->type.oid == SQL_OID_INT8 || e->type.oid == SQL_OID_NUMERIC) &&
            (e->args[0]->type.oid == SQL_OID_INT4 || e->args[0]->type.oid == SQL_OID_INT2)) {
            deparse_const(e->args[0], b);
            return;
        }
        rdb_buf_append_str(b, "(");
        deparse(x, e->args[0], in, b);
        rdb_buf_append_str(b, ")::");
        type_text(e->type, b);
        return;
    case EX_AND:
    case EX_OR:
        rdb_buf_append_str(b, "(");
        for (int i = 0; i < e->nargs; i++) {
            if (i)
                rdb_buf_append_str(b, e->kind == EX_AND ? " AND " : " OR ");
            deparse(x, e->args[i], in, b);
        }
        rdb_buf_append_str(b, ")");
        return;
    case EX_NOT:
        rdb_buf_append_str(b, "(NOT ");
        deparse(x, e->args[0], in, b);
        rdb_buf_append_str(b, ")");
        return;
    case EX_NULLTEST:
        rdb_buf_append_str(b, "(");
        deparse(x, e->args[0], in, b);
        rdb_buf_append_str(b, e->flag ? " IS NOT NULL)" : " IS NULL)");
        return;
    case EX_BOOLTEST: {
        static const char *t[] = { " IS TRUE", " IS NOT TRUE", " IS FALSE", " IS NOT FALSE", " IS UNKNOWN",
                                   " IS NOT UNKNOWN" };
        rdb_buf_append_str(b, "(");
        deparse(x, e->args[0], in, b);
        rdb_buf_printf(b, "%s)", e->flag >= 0 && e->flag < 6 ? t[e->flag] : " IS ?");
        return;
    }
    case EX_CASE:
        rdb_buf_append_str(b, "CASE");
        for (int i = 0; i + 1 < e->nargs; i += 2) {
            rdb_buf_append_str(b, " WHEN ");
            deparse(x, e->args[i], in, b);
            rdb_buf_append_str(b, " THEN ");
            deparse(x, e->args[i + 1], in, b);
        }
        if (e->nargs % 2) {
            rdb_buf_append_str(b, " ELSE ");
            deparse(x, e->args[e->nargs - 1], in, b);
        }
        rdb_buf_append_str(b, " END");
        return;
    case EX_COALESCE:
    case EX_MINMAX:
    case EX_NULLIF:
        rdb_buf_append_str(b, e->kind == EX_COALESCE ? "COALESCE(" : e->kind == EX_NULLIF ? "NULLIF("
                              : e->flag ? "GREATEST(" : "LEAST(");
        deparse_list(x, e->args, e->nargs, in, b);
        rdb_buf_append_str(b, ")");
        return;
    case EX_DISTINCT:
        rdb_buf_append_str(b, "(");
        deparse(x, e->args[0], in, b);
        rdb_buf_append_str(b, e->flag ? " IS NOT DISTINCT FROM " : " IS DISTINCT FROM ");
        deparse(x, e->args[1], in, b);
        rdb_buf_append_str(b, ")");
        return;
    case EX_SUBLINK: {
        int num = note_sub(x, e);
        if (e->flag == AST_SL_ANY || e->flag == AST_SL_ALL) {
            rdb_buf_append_str(b, "(");
            deparse(x, e->args[0], in, b);
            rdb_buf_printf(b, " %s %s (SubPlan %d))", e->fn && e->fn->name ? e->fn->name : "=",
                           e->flag == AST_SL_ANY ? "ANY" : "ALL", num);
        } else if (e->flag == AST_SL_EXISTS) {
            rdb_buf_printf(b, "(SubPlan %d)", num);
        } else {
            rdb_buf_printf(b, "(SubPlan %d)", num);
        }
        return;
    }
    case EX_SESSION:
        rdb_buf_append_str(b, "session_value()");
        return;
    case EX_NEXTVAL:
        rdb_buf_printf(b, "%s('%s'::regclass)", e->flag == 0 ? "nextval" : e->flag == 1 ? "currval" : "setval",
                       e->rel ? e->rel->name : "?");
        return;
    case EX_ARRAY:
        rdb_buf_append_str(b, "ARRAY[");
        deparse_list(x, e->args, e->nargs, in, b);
        rdb_buf_append_str(b, "]");
        return;
    case EX_SUBSCRIPT:
        rdb_buf_append_str(b, "(");
        deparse(x, e->args[0], in, b);
        rdb_buf_append_str(b, ")");
        for (int d = 0; d < ((e->flag & EX_SUB_ASSIGN) ? (e->nargs - 2) / 2 : (e->nargs - 1) / 2); d++) {
            int om = d ? ex_sub_omitted(e, d) : e->flag;
            rdb_buf_append_str(b, "[");
            if (!(e->flag & EX_SUB_SLICE) || !(om & EX_SUB_NO_LOWER))
                deparse(x, e->args[1 + 2 * d], in, b);
            if (e->flag & EX_SUB_SLICE) {
                rdb_buf_append_str(b, ":");
                if (!(om & EX_SUB_NO_UPPER))
                    deparse(x, e->args[2 + 2 * d], in, b);
            }
            rdb_buf_append_str(b, "]");
        }
        return;
    case EX_ARRAYCMP:
        rdb_buf_append_str(b, "(");
        deparse(x, e->args[0], in, b);
        rdb_buf_printf(b, " %s %s (", e->fn && e->fn->name ? e->fn->name : "?", e->flag == 2 ? "ALL" : "ANY");
        deparse(x, e->args[1], in, b);
        rdb_buf_append_str(b, "))");
        return;
    case EX_SRF:
        rdb_buf_printf(b, "%s(", srf_name(e->flag));
        deparse_list(x, e->args, e->nargs, in, b);
        rdb_buf_append_str(b, ")");
        return;
    }
    rdb_buf_append_str(b, "?");
}

/* ---- costs ---------------------------------------------------------------- */

static int type_width(sql_type_t t)
{
    switch (t.oid) {
    case SQL_OID_BOOL: return 1;
    case SQL_OID_INT2: return 2;
    case SQL_OID_INT4: case SQL_OID_FLOAT4: case SQL_OID_DATE: return 4;
    case SQL_OID_INT8: case SQL_OID_FLOAT8: case SQL_OID_TIMESTAMP: case SQL_OID_TIMESTAMPTZ:
    case SQL_OID_TIME: return 8;
    case SQL_OID_UUID: case SQL_OID_INTERVAL: return 16;
    default: return 32;
    }
}

static int row_width(const plan_t *p)
{
    int w = 0;
    if (p->kind == P_SCAN) {
        for (int i = 0; i < p->tab->ncols; i++)
            w += type_width(p->tab->cols[i].type);
        return w;
    }
    for (int i = 0; i < p->ncols; i++)
        w += type_width(p->types[i]);
    return w;
}

static double est(const plan_t *p)
{
    double r = p->est_rows;
    return r < 1 ? 1 : floor(r + 0.5);
}

#define CPU_TUPLE 0.01
#define CPU_OPER 0.0025

static void set_cost(xnode_t *n, const plan_t *p, double startup, double total)
{
    n->startup = startup;
    n->total = total < startup ? startup : total;
    n->rows = est(p);
    n->width = row_width(p);
}

/* ---- building ------------------------------------------------------------- */

static xnode_t *build(xctx_t *x, const plan_t *p);

/* EXPLAIN ANALYZE of a hash aggregate: PostgreSQL's text line
 * "Batches: N  Memory Usage: NkB[  Disk Usage: NkB]". */
static void hash_usage(xctx_t *x, xnode_t *n, const plan_t *p)
{
    const ex_instr_t *in = x->o->analyze ? instr_find(x->o->instr, p) : NULL;
    if (!in || !in->hash_batches)
        return;
    add_prop(x, n, "Batches",
             in->hash_disk_kb
                 ? rdb_arena_sprintf(x->a, "%lld  Memory Usage: %lldkB  Disk Usage: %lldkB",
                                     (long long)in->hash_batches, (long long)in->hash_mem_kb,
                                     (long long)in->hash_disk_kb)
                 : rdb_arena_sprintf(x->a, "%lld  Memory Usage: %lldkB", (long long)in->hash_batches,
                                     (long long)in->hash_mem_kb));
}

/* EXPLAIN ANALYZE of a hash join, on its Hash node: PostgreSQL's text
 * line "Buckets: N  Batches: N  Memory Usage: NkB". */
static void hash_join_usage(xctx_t *x, xnode_t *h, const plan_t *p)
{
    const ex_instr_t *in = x->o->analyze ? instr_find(x->o->instr, p) : NULL;
    if (!in || !in->hj_batches)
        return;
    add_prop(x, h, "Buckets",
             rdb_arena_sprintf(x->a, "%lld  Batches: %lld  Memory Usage: %lldkB", (long long)in->hj_buckets,
                               (long long)in->hj_batches, (long long)in->hj_mem_kb));
}

static xnode_t *xnew(xctx_t *x, const plan_t *p, const char *type, const char *title)
{
    xnode_t *n = RDB_ARENA_NEW(x->a, xnode_t);
    n->type = type;
    n->title = title ? title : type;
    n->inst = p;
    return n;
}

static const char *scan_title(xctx_t *x, const char *what, const char *rel, const char *alias)
{
    if (alias && strcmp(alias, rel) != 0)
        return rdb_arena_sprintf(x->a, "%s on %s %s", what, rel, alias);
    return rdb_arena_sprintf(x->a, "%s on %s", what, rel);
}

/* Does the scan read by key (point lookups or a key range)? */
static bool scan_keyed(const plan_t *p)
{
    const sql_table_t *t = p->tab;
    if (p->point || p->kset || p->ordered)
        return true;
    if (!p->nlo && !p->nhi)
        return false;
    if (!t->hash_partitioned || p->index)
        return true;
    /* a hash-partitioned table: only a bounded integer range on a
     * one-column key runs as point lookups (exec.c's scan_points) */
    uint32_t kt = p->types[t->pk_colids[0]].oid;
    return t->npk == 1 && p->nkey == 0 && p->nlo == 1 && p->nhi == 1 &&
           (kt == SQL_OID_INT2 || kt == SQL_OID_INT4 || kt == SQL_OID_INT8);
}

static const char *index_cond(xctx_t *x, const plan_t *p)
{
    if (p->kset) /* col = ANY (array) as PostgreSQL shows it */
        return expr_text(x, p->kset, p);
    const sql_table_t *t = p->tab;
    const uint16_t *kc = p->index ? p->index->colids : t->pk_colids;
    /* a DESC index column's bounds are in key order: lo is the upper one */
    bool d = p->index && p->index->desc && p->nkey < p->index->ncols && p->index->desc[p->nkey];
    rdb_buf_t b = RDB_BUF_INIT;
    int n = 0;
    const char *parts[64];
    for (int i = 0; i < p->nlo && i < 60; i++) {
        const char *col = col_name(x, p, kc[i]);
        const char *op = i < p->nkey || p->point ? "=" : p->lo_incl ? (d ? "<=" : ">=") : (d ? "<" : ">");
        parts[n++] = rdb_arena_sprintf(x->a, "(%s %s %s)", col, op, expr_text(x, p->lo[i], NULL));
    }
    int nl = n;
    for (int i = p->nkey; i < p->nhi && !p->point && n < 62; i++) {
        const char *col = col_name(x, p, kc[i]);
        const char *op = p->hi_incl ? (d ? ">=" : "<=") : (d ? ">" : "<");
        parts[n++] = rdb_arena_sprintf(x->a, "(%s %s %s)", col, op, expr_text(x, p->hi[i], NULL));
    }
    if (d && nl > p->nkey && n > nl) { /* the lower bound first, as PostgreSQL shows it */
        const char *lo = parts[nl - 1];
        parts[nl - 1] = parts[n - 1];
        parts[n - 1] = lo;
    }
    if (n == 1)
        return parts[0];
    rdb_buf_append_str(&b, "(");
    for (int i = 0; i < n; i++) {
        if (i)
            rdb_buf_append_str(&b, " AND ");
        rdb_buf_append_str(&b, parts[i]);
    }
    rdb_buf_append_str(&b, ")");
    const char *s = rdb_arena_strdup(x->a, rdb_buf_cstr(&b));
    rdb_buf_free(&b);
    return s;
}

/* Is the comparison e one the key range applies (one of its sides is a
 * key bound)? */
static bool key_covered(const plan_t *p, const ex_expr_t *e)
{
    if (p->kset)
        return ex_kset_covers(p, e);
    if (e->kind != EX_FUNC || e->nargs != 2)
        return false;
    for (int side = 0; side < 2; side++) {
        for (int i = 0; i < p->nlo; i++)
            if (e->args[side] == p->lo[i])
                return true;
        for (int i = 0; i < p->nhi; i++)
            if (e->args[side] == p->hi[i])
                return true;
    }
    return false;
}

static xnode_t *build_scan(xctx_t *x, const plan_t *p)
{
    const sql_table_t *t = p->tab;
    const char *alias = p->alias ? p->alias : t->name;
    double rows_in = t->rowcount_est ? (double)t->rowcount_est : 1000;
    xnode_t *n;
    if (scan_keyed(p) && (t->npk || p->index)) {
        const char *ix = p->index ? p->index->name
                       : t->pk_index && t->pk_index->name ? t->pk_index->name
                       : rdb_arena_sprintf(x->a, "%s_pkey", t->name);
        n = xnew(x, p, "Index Scan", rdb_arena_sprintf(x->a, "%sIndex Scan%s using %s on %s%s%s",
                                                      x->par_scan == p ? "Parallel " : "",
                                                      p->backward ? " Backward" : "", ix, t->name,
                                                      strcmp(alias, t->name) ? " " : "",
                                                      strcmp(alias, t->name) ? alias : ""));
        n->index = ix;
        if (p->point || p->kset || p->nlo || p->nhi)
            add_prop(x, n, "Index Cond", index_cond(x, p));
        double r = est(p);
        set_cost(n, p, 0.15, 8.17 + (r > 1 ? r * (CPU_TUPLE + CPU_OPER) + r / 50 : 0));
    } else {
        n = xnew(x, p, "Seq Scan", scan_title(x, x->par_scan == p ? "Parallel Seq Scan" : "Seq Scan", t->name, alias));
        n->parallel_aware = x->par_scan == p;
        set_cost(n, p, 0, ceil(rows_in / 50) + rows_in * CPU_TUPLE + (p->qual ? rows_in * CPU_OPER : 0));
    }
    n->relation = t->name;
    n->alias = alias;
    if (p->qual) {
        /* the conditions stay on the scan (planner.c); show those the key
         * does not already apply */
        const ex_expr_t *one[1] = { p->qual };
        ex_expr_t *const *q = p->qual->kind == EX_AND ? p->qual->args : (ex_expr_t *const *)one;
        int nq = p->qual->kind == EX_AND ? p->qual->nargs : 1, nrest = 0;
        ex_expr_t **rest = RDB_ARENA_NEWN(x->a, ex_expr_t *, nq + 1);
        for (int i = 0; i < nq; i++)
            if (!(scan_keyed(p) && key_covered(p, q[i])))
                rest[nrest++] = q[i];
        if (nrest == 1)
            add_prop(x, n, "Filter", expr_text(x, rest[0], p));
        else if (nrest > 1) {
            ex_expr_t and_ = *p->qual;
            and_.kind = EX_AND;
            and_.args = rest;
            and_.nargs = nrest;
            add_prop(x, n, "Filter", expr_text(x, &and_, p));
        }
        add_removed(x, n, p);
    }
    return n;
}

static const char *join_kind(plan_join_t jt)
{
    switch (jt) {
    case J_LEFT: return "Left";
    case J_RIGHT: return "Right";
    case J_FULL: return "Full";
    case J_SEMI: return "Semi";
    case J_ANTI: return "Anti";
    default: return "Inner";
    }
}

static bool const_true(const ex_expr_t *e)
{
    return e && e->kind == EX_CONST && e->type.oid == SQL_OID_BOOL && !e->val.isnull && e->val.u.b;
}

static xnode_t *build_join(xctx_t *x, const plan_t *p)
{
    xnode_t *l = build(x, p->left);
    bool lat = p->lateral, frame = lat && p->frame_off == 0 && x->nouter < 64;
    if (frame)
        x->outer[x->nouter++] = p->left;
    xnode_t *r = build(x, p->right);
    if (frame)
        x->nouter--;
    const char *jk = join_kind(p->jointype);
    bool inner = strcmp(jk, "Inner") == 0;
    xnode_t *n;
    if (p->nkeys && !lat) {
        const char *m = p->merge ? "Merge" : "Hash";
        n = xnew(x, p, rdb_arena_sprintf(x->a, "%s Join", m),
                 inner ? rdb_arena_sprintf(x->a, "%s Join", m) : rdb_arena_sprintf(x->a, "%s %s Join", m, jk));
        xnode_t *h = r;
        if (!p->merge) {
            h = xnew(x, NULL, "Hash", "Hash");
            h->startup = h->total = r->total;
            h->rows = r->rows;
            h->width = r->width;
            h->inst = p->right;
            hash_join_usage(x, h, p);
            add_kid(x, h, r);
        }
        rdb_buf_t b = RDB_BUF_INIT;
        if (p->nkeys > 1)
            rdb_buf_append_str(&b, "(");
        for (int i = 0; i < p->nkeys; i++) {
            if (i)
                rdb_buf_append_str(&b, " AND ");
            rdb_buf_append_str(&b, "(");
            deparse(x, p->lkeys[i], p->left, &b);
            rdb_buf_append_str(&b, " = ");
            deparse(x, p->rkeys[i], p->right, &b);
            rdb_buf_append_str(&b, ")");
        }
        if (p->nkeys > 1)
            rdb_buf_append_str(&b, ")");
        add_prop(x, n, p->merge ? "Merge Cond" : "Hash Cond", rdb_arena_strdup(x->a, rdb_buf_cstr(&b)));
        rdb_buf_free(&b);
        if (p->qual)
            add_prop(x, n, "Join Filter", expr_text(x, p->qual, p));
        add_kid(x, n, l);
        add_kid(x, n, h);
        double st = p->merge ? l->startup + r->startup : r->total + r->rows * CPU_OPER + l->startup;
        double rest = p->merge ? (r->total - r->startup) + r->rows * CPU_OPER : 0;
        set_cost(n, p, st, st + rest + (l->total - l->startup) + l->rows * CPU_OPER + est(p) * CPU_TUPLE);
    } else {
        n = xnew(x, p, "Nested Loop", inner ? "Nested Loop" : rdb_arena_sprintf(x->a, "Nested Loop %s Join", jk));
        if (p->qual && !const_true(p->qual))
            add_prop(x, n, "Join Filter", expr_text(x, p->qual, p));
        add_kid(x, n, l);
        if (!lat) {
            /* the inner side is kept in memory and read again per outer row */
            xnode_t *m = xnew(x, NULL, "Materialize", "Materialize");
            m->startup = r->startup;
            m->total = r->total + r->rows * CPU_OPER;
            m->rows = r->rows;
            m->width = r->width;
            m->inst = p->right;
            add_kid(x, m, r);
            r = m;
        }
        add_kid(x, n, r);
        set_cost(n, p, l->startup + r->startup,
                 l->total + l->rows * (lat ? r->total : (r->total - r->startup) * 0.1 + r->rows * CPU_OPER) +
                 est(p) * CPU_TUPLE);
    }
    n->join_type = jk;
    return n;
}

static const char *sort_key_text(xctx_t *x, const plan_t *child, const plan_sortkey_t *k)
{
    const char *c = col_name(x, child, k->col);
    if (k->desc)
        return rdb_arena_sprintf(x->a, "%s DESC%s", c, k->nulls_first ? "" : " NULLS LAST");
    return k->nulls_first ? rdb_arena_sprintf(x->a, "%s NULLS FIRST", c) : c;
}

/* The input of p, its scan shown as parallel when p runs in slices. */
static xnode_t *build_par_input(xctx_t *x, const plan_t *p)
{
    const plan_t *save = x->par_scan;
    if (p->parallel)
        x->par_scan = p->par_scan;
    xnode_t *c = build(x, p->left);
    x->par_scan = save;
    return c;
}

/* An aggregate node over c; prefix "Partial " / "Finalize " / "". */
static xnode_t *build_agg(xctx_t *x, const plan_t *p, xnode_t *c, const char *prefix)
{
    xnode_t *n;
    if (p->ngroup) {
        n = xnew(x, p, "Aggregate", rdb_arena_sprintf(x->a, "%sHashAggregate", prefix));
        n->strategy = "Hashed";
        const char **keys = RDB_ARENA_NEWN(x->a, const char *, p->ngroup);
        for (int i = 0; i < p->ngroup; i++)
            keys[i] = expr_text(x, p->group[i], p->left);
        add_list_prop(x, n, "Group Key", keys, p->ngroup);
        if (*prefix != 'P')
            hash_usage(x, n, p);
        set_cost(n, p, c->total + c->rows * CPU_OPER * (p->naggs + 1),
                 c->total + c->rows * CPU_OPER * (p->naggs + 1) + est(p) * CPU_TUPLE);
    } else {
        n = xnew(x, p, "Aggregate", *prefix ? rdb_arena_sprintf(x->a, "%sAggregate", prefix) : NULL);
        n->strategy = "Plain";
        set_cost(n, p, c->total + c->rows * CPU_OPER * (p->naggs + 1),
                 c->total + c->rows * CPU_OPER * (p->naggs + 1) + CPU_TUPLE);
    }
    if (*prefix)
        n->partial_mode = *prefix == 'P' ? "Partial" : "Finalize";
    add_kid(x, n, c);
    return n;
}

/* Gather / Gather Merge over the slices' node c (parallel.h).  Under
 * ANALYZE the statement ran serially (exec.c par_now): no worker. */
static xnode_t *build_gather(xctx_t *x, const plan_t *p, const char *what, xnode_t *c)
{
    xnode_t *g = xnew(x, p, what, NULL);
    g->inst = NULL;
    g->startup = c->startup;
    g->total = c->total;
    g->rows = c->rows;
    g->width = c->width;
    add_prop(x, g, "Workers Planned", rdb_arena_sprintf(x->a, "%d", p->parallel));
    g->props[g->nprops - 1].num = true;
    if (x->o->analyze) {
        add_prop(x, g, "Workers Launched", "0");
        g->props[g->nprops - 1].num = true;
    }
    add_kid(x, g, c);
    return g;
}

/* The node of p with its own properties and children, subqueries not yet added. */
static xnode_t *build_node(xctx_t *x, const plan_t *p)
{
    xnode_t *n, *c;
    switch (p->kind) {
    case P_SCAN:
        if (p->parallel) {   /* key range in slices of keys */
            const plan_t *save = x->par_scan;
            x->par_scan = p;
            n = build_scan(x, p);
            n->parallel_aware = true;
            x->par_scan = save;
            return build_gather(x, p, "Gather", n);
        }
        return build_scan(x, p);
    case P_RESULT:
        n = xnew(x, p, "Result", NULL);
        set_cost(n, p, 0, 0.01);
        return n;
    case P_VALUES:
        n = xnew(x, p, "Values Scan", "Values Scan on \"*VALUES*\"");
        n->alias = "*VALUES*";
        set_cost(n, p, 0, est(p) * CPU_TUPLE);
        return n;
    case P_SERIES:
        n = xnew(x, p, "Function Scan", scan_title(x, "Function Scan", "generate_series",
                                                    p->alias ? p->alias : "generate_series"));
        n->alias = p->alias;
        set_cost(n, p, 0, 10);
        return n;
    case P_FUNCSCAN: {
        const char *fn = p->nexprs ? srf_name(p->exprs[0]->flag) : "?";
        n = xnew(x, p, "Function Scan", scan_title(x, "Function Scan", fn, p->alias ? p->alias : fn));
        n->alias = p->alias;
        set_cost(n, p, 0, 10);
        return n;
    }
    case P_WORKTABLE:
        n = xnew(x, p, "WorkTable Scan", scan_title(x, "WorkTable Scan", p->alias ? p->alias : "?",
                                                     p->alias ? p->alias : "?"));
        n->alias = p->alias;
        set_cost(n, p, 0, est(p) * CPU_TUPLE * 2);
        return n;
    case P_FILTER: {
        /* the quals go onto the node below, with this node's rows */
        n = build(x, p->left);
        bool fresh = n->inst == p->left;
        if (!fresh || (n->nprops && strcmp(n->props[n->nprops - 1].label, "Filter") == 0)) {
            xnode_t *r = xnew(x, p, "Result", NULL);
            add_kid(x, r, n);
            r->startup = n->startup;
            r->total = n->total;
            n = r;
        }
        add_prop(x, n, "Filter", expr_text(x, p->qual, p->left));
        add_removed(x, n, p);
        n->inst = p;
        n->total += est(p->left) * CPU_OPER;
        n->rows = est(p);
        return n;
    }
    case P_PROJECT:
        if (!p->left) {
            n = xnew(x, p, "Result", NULL);
            set_cost(n, p, 0, 0.01);
            return n;
        }
        n = build(x, p->left);
        n->inst = p;
        n->width = row_width(p);
        return n;
    case P_JOIN:
        return build_join(x, p);
    case P_AGG:
        c = build_par_input(x, p);
        if (p->parallel) {
            /* PostgreSQL's shape: Finalize over Gather over Partial */
            xnode_t *part = build_agg(x, p, c, "Partial ");
            part->inst = NULL;
            return build_agg(x, p, build_gather(x, p, "Gather", part), "Finalize ");
        }
        return build_agg(x, p, c, "");
    case P_SORT: {
        c = build_par_input(x, p);
        n = xnew(x, p, "Sort", NULL);
        const char **keys = RDB_ARENA_NEWN(x->a, const char *, p->nsort + 1);
        for (int i = 0; i < p->nsort; i++)
            keys[i] = sort_key_text(x, p->left, &p->sort[i]);
        add_list_prop(x, n, "Sort Key", keys, p->nsort);
        const ex_instr_t *in = x->o->analyze ? instr_find(x->o->instr, p) : NULL;
        if (in && in->sort_method)   /* PostgreSQL's text form: one line */
            add_prop(x, n, "Sort Method",
                     rdb_arena_sprintf(x->a, "%s  %s: %lldkB",
                                       in->sort_method == 2 ? "external merge"
                                       : in->sort_method == 3 ? "top-N heapsort" : "quicksort",
                                       in->sort_method == 2 ? "Disk" : "Memory", (long long)in->sort_kb));
        double r = c->rows < 2 ? 2 : c->rows;
        double st = c->total + 2 * CPU_OPER * r * log2(r);
        set_cost(n, p, st, st + c->rows * CPU_TUPLE);
        add_kid(x, n, c);
        /* a top-N per slice, the best of them merged */
        return p->parallel ? build_gather(x, p, "Gather Merge", n) : n;
    }
    case P_LIMIT: {
        c = build(x, p->left);
        n = xnew(x, p, "Limit", NULL);
        double frac = 1;
        /* the LIMIT constant (bound as int8: maybe a cast of an int4 one) */
        const ex_expr_t *lim = p->limit;
        if (lim && lim->kind == EX_CAST && lim->nargs == 1 && lim->args[0]->kind == EX_CONST &&
            (lim->args[0]->type.oid == SQL_OID_INT4 || lim->args[0]->type.oid == SQL_OID_INT2))
            lim = lim->args[0];
        if (lim && lim->kind == EX_CONST && !lim->val.isnull && c->rows > 0) {
            frac = (double)lim->val.u.i / c->rows;
            if (frac > 1)
                frac = 1;
        }
        set_cost(n, p, c->startup, c->startup + (c->total - c->startup) * frac);
        if (lim && lim->kind == EX_CONST && !lim->val.isnull && lim->val.u.i < n->rows)
            n->rows = (double)lim->val.u.i;
        add_kid(x, n, c);
        return n;
    }
    case P_LOCKROWS:   /* PostgreSQL's cost_lockrows: a tuple's cost per row */
        c = build(x, p->left);
        n = xnew(x, p, "LockRows", NULL);
        set_cost(n, p, c->startup, c->total + c->rows * CPU_TUPLE);
        n->rows = c->rows;
        add_kid(x, n, c);
        return n;
    case P_DISTINCT: {
        c = build(x, p->left);
        const char **keys = RDB_ARENA_NEWN(x->a, const char *, p->nsort + 1);
        for (int i = 0; i < p->nsort; i++)
            keys[i] = col_name(x, p->left, p->sort[i].col);
        if (p->distinct_on) {
            n = xnew(x, p, "Unique", NULL);
        } else {
            n = xnew(x, p, "Aggregate", "HashAggregate");
            n->strategy = "Hashed";
            add_list_prop(x, n, "Group Key", keys, p->nsort);
            hash_usage(x, n, p);
        }
        set_cost(n, p, c->total + c->rows * CPU_OPER, c->total + c->rows * CPU_OPER + est(p) * CPU_TUPLE);
        add_kid(x, n, c);
        return n;
    }
    case P_APPEND:
    case P_SETOP:
    case P_RECURSIVE: {
        xnode_t *l = build(x, p->left), *r = build(x, p->right);
        if (p->kind == P_APPEND)
            n = xnew(x, p, "Append", NULL);
        else if (p->kind == P_RECURSIVE)
            n = xnew(x, p, "Recursive Union", NULL);
        else {
            const char *cmd = p->setop == AST_SETOP_INTERSECT ? (p->all ? "Intersect All" : "Intersect")
                                                             : (p->all ? "Except All" : "Except");
            n = xnew(x, p, "SetOp", rdb_arena_sprintf(x->a, "HashSetOp %s", cmd));
            n->strategy = "Hashed";
        }
        set_cost(n, p, l->startup, l->total + r->total + est(p) * CPU_TUPLE);
        add_kid(x, n, l);
        add_kid(x, n, r);
        return n;
    }
    case P_SUBQUERY:
        c = build(x, p->left);
        n = xnew(x, p, "Subquery Scan", scan_title(x, "Subquery Scan", p->alias ? p->alias : "subquery",
                                                    p->alias ? p->alias : "subquery"));
        set_cost(n, p, c->startup, c->total + est(p) * CPU_TUPLE);
        add_kid(x, n, c);
        return n;
    case P_WINDOW: {
        c = build(x, p->left);
        n = xnew(x, p, "WindowAgg", NULL);
        const ex_instr_t *in = x->o->analyze ? instr_find(x->o->instr, p) : NULL;
        if (in && in->loops)   /* PostgreSQL 17's line */
            add_prop(x, n, "Storage", rdb_arena_sprintf(x->a, "%s  Maximum Storage: %lldkB",
                                                        in->store_disk ? "Disk" : "Memory",
                                                        (long long)in->store_kb));
        set_cost(n, p, c->startup, c->total + est(p) * CPU_OPER * 2);
        add_kid(x, n, c);
        return n;
    }
    case P_EXCHANGE:
        c = build(x, p->left);
        n = xnew(x, p, "Exchange", NULL);
        set_cost(n, p, c->startup, c->total);
        add_kid(x, n, c);
        return n;
    }
    return xnew(x, p, "?", NULL);
}

/* Expressions of p (not of its children) that may hold subqueries, each
 * with the plan whose row it reads. */
static void note_exprs(xctx_t *x, const plan_t *p)
{
    rdb_buf_t b = RDB_BUF_INIT;
#define NOTE(e, in) do { if (e) { rdb_buf_reset(&b); deparse(x, (e), (in), &b); } } while (0)
    if (p->kind == P_PROJECT)
        for (int i = 0; i < p->nexprs; i++)
            NOTE(p->exprs[i], p->left);
    if (p->kind == P_VALUES)
        for (int i = 0; i < p->nrows * p->ncols; i++)
            NOTE(p->exprs[i], NULL);
    if (p->kind == P_AGG)
        for (int i = 0; i < p->naggs; i++) {
            NOTE(p->aggs[i].args[0], p->left);
            NOTE(p->aggs[i].args[1], p->left);
            NOTE(p->aggs[i].filter, p->left);
        }
#undef NOTE
    rdb_buf_free(&b);
}

static bool has_subplan(const ex_expr_t *e)
{
    if (!e)
        return false;
    if (e->kind == EX_SUBLINK)
        return true;
    for (int i = 0; i < e->nargs; i++)
        if (has_subplan(e->args[i]))
            return true;
    return false;
}

static bool node_has_subplans(const plan_t *p)
{
    if (has_subplan(p->qual))
        return true;
    for (int i = 0; p->kind == P_PROJECT && i < p->nexprs; i++)
        if (has_subplan(p->exprs[i]))
            return true;
    for (int i = 0; p->kind == P_VALUES && i < p->nrows * p->ncols; i++)
        if (has_subplan(p->exprs[i]))
            return true;
    for (int i = 0; p->kind == P_AGG && i < p->naggs; i++)
        if (has_subplan(p->aggs[i].args[0]) || has_subplan(p->aggs[i].filter))
            return true;
    return false;
}

static xnode_t *build(xctx_t *x, const plan_t *p)
{
    if (!p)
        return NULL;
    /* subqueries found in this node's own expressions become its SubPlans */
    xsub_t *save = x->subs;
    int savec = x->capsubs, saven = x->nsubs;
    x->subs = NULL;
    x->nsubs = x->capsubs = 0;
    xnode_t *n = build_node(x, p);
    if (x->o->verbose) {
        /* VERBOSE: the node's output columns, first among its properties
         * (a node shown for a projection or filter above it outputs theirs) */
        int nc = p->kind == P_SCAN ? p->tab->ncols : p->ncols;
        const char **cols = RDB_ARENA_NEWN(x->a, const char *, nc + 1);
        for (int i = 0; i < nc; i++)
            cols[i] = col_name(x, p, p->kind == P_SCAN ? p->tab->cols[i].colid : i);
        if (!n->output) {
            add_list_prop(x, n, "Output", cols, nc);
            memmove(n->props + 1, n->props, sizeof(xprop_t) * (size_t)(n->nprops - 1));
            n->output = true;
        }
        n->props[0] = (xprop_t){ "Output", NULL, cols, nc, false };
    }
    if (node_has_subplans(p))
        note_exprs(x, p);
    xsub_t *subs = x->subs;
    int nsubs = x->nsubs;
    x->subs = save;
    x->nsubs = saven;
    x->capsubs = savec;
    /* the subquery's outer references read the row this node's
     * expressions read: its input (for a scan or a join, its own row) */
    const plan_t *in = p->kind == P_SCAN || p->kind == P_JOIN ? p : p->left;
    for (int i = 0; i < nsubs; i++) {
        if (x->nouter < 64)
            x->outer[x->nouter++] = in;
        xnode_t *k = build(x, subs[i].plan);
        x->nouter--;
        if (!k)
            continue;
        k->label = subs[i].correlated ? rdb_arena_sprintf(x->a, "SubPlan %d", subs[i].num)
                                      : rdb_arena_sprintf(x->a, "InitPlan %d (returns $%d)", subs[i].num,
                                                          subs[i].num - 1);
        add_kid(x, n, k);
    }
    return n;
}

static int count_ranges(const plan_t *p)
{
    if (!p)
        return 0;
    int n = p->kind == P_SCAN || p->kind == P_SERIES || p->kind == P_VALUES || p->kind == P_WORKTABLE ||
            p->kind == P_FUNCSCAN;
    return n + count_ranges(p->left) + count_ranges(p->right);
}

/* ---- rendering -------------------------------------------------------------- */

typedef struct lines {
    rdb_arena_t *a;
    int          n, cap;
    const char **v;
} lines_t;

static void line_add(lines_t *l, const char *s)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 16;
        l->v = rdb_arena_grow(l->a, l->v, (size_t)l->n, (size_t)l->cap, sizeof *l->v);
    }
    l->v[l->n++] = s;
}

static void actual(const ex_explain_t *o, const xnode_t *n, double *st, double *tot, double *rows,
                   double *loops)
{
    const ex_instr_t *in = n->inst ? instr_find(o->instr, n->inst) : NULL;
    *st = *tot = *rows = *loops = 0;
    if (!in || in->loops == 0)
        return;
    *loops = (double)in->loops;
    *st = (double)in->first_ns / 1e6 / *loops;
    *tot = (double)in->ns / 1e6 / *loops;
    *rows = floor((double)in->rows / *loops + 0.5);
}

static void render_text(xctx_t *x, lines_t *out, const xnode_t *n, int ind, bool top)
{
    const ex_explain_t *o = x->o;
    rdb_buf_t b = RDB_BUF_INIT;
    int kid_ind = ind;
    if (n->label) {
        rdb_buf_printf(&b, "%*s%s", ind, "", n->label);
        line_add(out, rdb_arena_strdup(x->a, rdb_buf_cstr(&b)));
        rdb_buf_reset(&b);
        ind += 2;
    }
    if (!top)
        rdb_buf_printf(&b, "%*s->  ", ind, "");
    rdb_buf_append_str(&b, n->title);
    if (o->costs)
        rdb_buf_printf(&b, "  (cost=%.2f..%.2f rows=%.0f width=%d)", n->startup, n->total, n->rows, n->width);
    if (o->analyze) {
        double st, tot, rows, loops;
        actual(o, n, &st, &tot, &rows, &loops);
        if (n->force_actual)
            rdb_buf_printf(&b, o->timing ? " (actual time=%.3f..%.3f rows=0 loops=1)" : " (actual rows=0 loops=1)",
                           o->exec_ms, o->exec_ms);
        else if (loops == 0)
            rdb_buf_append_str(&b, " (never executed)");
        else if (o->timing)
            rdb_buf_printf(&b, " (actual time=%.3f..%.3f rows=%.0f loops=%.0f)", st, tot, rows, loops);
        else
            rdb_buf_printf(&b, " (actual rows=%.0f loops=%.0f)", rows, loops);
    }
    line_add(out, rdb_arena_strdup(x->a, rdb_buf_cstr(&b)));
    kid_ind = top ? 2 : ind + 6;
    for (int i = 0; i < n->nprops; i++) {
        const xprop_t *pr = &n->props[i];
        rdb_buf_reset(&b);
        rdb_buf_printf(&b, "%*s%s: ", kid_ind, "", pr->label);
        if (pr->list)
            for (int k = 0; k < pr->nlist; k++)
                rdb_buf_printf(&b, "%s%s", k ? ", " : "", pr->list[k]);
        else
            rdb_buf_append_str(&b, pr->text);
        line_add(out, rdb_arena_strdup(x->a, rdb_buf_cstr(&b)));
    }
    rdb_buf_free(&b);
    for (int i = 0; i < n->nkids; i++)
        render_text(x, out, n->kids[i], kid_ind, false);
}

static json_t *jnum(double v) { return json_real(floor(v * 100 + 0.5) / 100); }

static json_t *render_json(xctx_t *x, const xnode_t *n, const char *rel)
{
    const ex_explain_t *o = x->o;
    json_t *j = json_object();
    json_object_set_new(j, "Node Type", json_string(n->type));
    if (rel)
        json_object_set_new(j, "Parent Relationship", json_string(rel));
    if (n->label)
        json_object_set_new(j, "Subplan Name", json_string(n->label));
    if (n->strategy)
        json_object_set_new(j, "Strategy", json_string(n->strategy));
    if (n->partial_mode)
        json_object_set_new(j, "Partial Mode", json_string(n->partial_mode));
    if (n->join_type)
        json_object_set_new(j, "Join Type", json_string(n->join_type));
    json_object_set_new(j, "Parallel Aware", json_boolean(n->parallel_aware));
    json_object_set_new(j, "Async Capable", json_false());
    if (n->index)
        json_object_set_new(j, "Index Name", json_string(n->index));
    if (n->relation)
        json_object_set_new(j, "Relation Name", json_string(n->relation));
    if (n->alias)
        json_object_set_new(j, "Alias", json_string(n->alias));
    if (o->costs) {
        json_object_set_new(j, "Startup Cost", jnum(n->startup));
        json_object_set_new(j, "Total Cost", jnum(n->total));
        json_object_set_new(j, "Plan Rows", json_integer((json_int_t)n->rows));
        json_object_set_new(j, "Plan Width", json_integer(n->width));
    }
    if (o->analyze) {
        double st, tot, rows, loops;
        actual(o, n, &st, &tot, &rows, &loops);
        if (n->force_actual) {
            st = tot = o->exec_ms;
            rows = 0;
            loops = 1;
        }
        if (o->timing) {
            json_object_set_new(j, "Actual Startup Time", json_real(floor(st * 1000 + 0.5) / 1000));
            json_object_set_new(j, "Actual Total Time", json_real(floor(tot * 1000 + 0.5) / 1000));
        }
        json_object_set_new(j, "Actual Rows", json_integer((json_int_t)rows));
        json_object_set_new(j, "Actual Loops", json_integer((json_int_t)loops));
    }
    for (int i = 0; i < n->nprops; i++) {
        const xprop_t *pr = &n->props[i];
        if (pr->list) {
            json_t *arr = json_array();
            for (int k = 0; k < pr->nlist; k++)
                json_array_append_new(arr, json_string(pr->list[k]));
            json_object_set_new(j, pr->label, arr);
        } else if (pr->num) {
            json_object_set_new(j, pr->label, json_integer(atoll(pr->text)));
        } else {
            json_object_set_new(j, pr->label, json_string(pr->text));
        }
    }
    if (n->nkids) {
        json_t *arr = json_array();
        for (int i = 0; i < n->nkids; i++) {
            const xnode_t *k = n->kids[i];
            const char *kr = k->label ? (strncmp(k->label, "SubPlan", 7) == 0 ? "SubPlan" : "InitPlan")
                           : n->nkids == 1 || i == 0 ? "Outer" : "Inner";
            if (strcmp(n->type, "Append") == 0 || strcmp(n->type, "Recursive Union") == 0)
                kr = k->label ? kr : "Member";
            json_array_append_new(arr, render_json(x, k, kr));
        }
        json_object_set_new(j, "Plans", arr);
    }
    return j;
}

void ex_explain_render(rdb_arena_t *a, const plan_t *p, const ex_explain_t *o, int *nlines, const char ***lines)
{
    xctx_t x = { .a = a, .o = o };
    x.qualify = count_ranges(p) > 1;
    xnode_t *root = build(&x, p);
    if (o->dml) {
        xnode_t *d = xnew(&x, NULL, "ModifyTable", rdb_arena_sprintf(a, "%s on %s", o->dml, o->dml_tab->name));
        d->relation = o->dml_tab->name;
        d->alias = o->dml_tab->name;
        d->startup = root ? root->startup : 0;
        d->total = root ? root->total : 0;
        d->force_actual = o->analyze;
        add_kid(&x, d, root);
        root = d;
    }
    lines_t out = { .a = a };
    if (o->json) {
        json_t *top = json_object();
        json_object_set_new(top, "Plan", render_json(&x, root, NULL));
        if (o->summary)
            json_object_set_new(top, "Planning Time", json_real(floor(o->plan_ms * 1000 + 0.5) / 1000));
        if (o->analyze) {
            json_object_set_new(top, "Triggers", json_array());
            if (o->summary)
                json_object_set_new(top, "Execution Time", json_real(floor(o->exec_ms * 1000 + 0.5) / 1000));
        }
        json_t *arr = json_array();
        json_array_append_new(arr, top);
        char *s = json_dumps(arr, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(12));
        json_decref(arr);
        line_add(&out, rdb_arena_strdup(a, s ? s : "[]"));
        free(s);
    } else {
        render_text(&x, &out, root, 0, true);
        if (o->summary)
            line_add(&out, rdb_arena_sprintf(a, "Planning Time: %.3f ms", o->plan_ms));
        if (o->analyze && o->summary)
            line_add(&out, rdb_arena_sprintf(a, "Execution Time: %.3f ms", o->exec_ms));
    }
    *nlines = out.n;
    *lines = out.v;
}
