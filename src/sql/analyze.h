/*
 * analyze.h — the binder: AST (ast.h) to plans (exec/plan.h).
 *
 * Resolves names against one catalog snapshot and types by PostgreSQL's
 * rules (types.h), and reports PostgreSQL's SQLSTATEs with the error
 * position.  The plans it returns are logical: one scan per table with
 * the WHERE clause as a filter above the joins; exec/planner.c then pushes
 * predicates down, picks key ranges and point lookups and hash joins.
 *
 * Parameters ($n): types given by the client are fixed; the others start
 * as unknown and take the type their first use coerces them to (as
 * PostgreSQL's variable_coerce_param_hook does); any still unknown at the
 * end become text.
 */
#ifndef RDB_SQL_ANALYZE_H
#define RDB_SQL_ANALYZE_H

#include "exec/plan.h"
#include "sql/ast.h"

#define SQL_MAX_PARAMS 1024

typedef struct sql_bindenv {
    rdb_arena_t        *a;          /* the statement's arena: plans live here */
    sql_catalog_t      *cat;
    const sql_catsnap_t *snap;
    const char *const  *path;
    int                 npath;
    const char         *sql;        /* for error positions, may be NULL */
    int                 nparams;    /* in: given; out: highest $n used */
    sql_type_t         *ptypes;     /* SQL_MAX_PARAMS entries, oid 0 = unknown */
    int                 nsubs;      /* out: sublinks numbered 0..nsubs-1 */
    int                 nwt;        /* out: WITH RECURSIVE working tables 0..nwt-1 */
    void               *ctes;       /* internal */
    const sql_format_settings_t *fs; /* the session's (TimeZone, DateStyle) for literals; NULL = defaults */
    /* A custom plan (EXPLAIN EXECUTE): $n (n <= npvalues, its type in
     * ptypes) binds as the constant pvalues[n-1]; NULL = parameters */
    const sql_value_t  *pvalues;
    int                 npvalues;
    int                 first_unknown; /* out: the first $n no use gave a type (made text), 0 = none */
} sql_bindenv_t;

/* INSERT / UPDATE / DELETE, bound. */
typedef struct sql_dml {
    const sql_table_t *tab;
    plan_t       *src;       /* INSERT: rows of ncols values (cast to the columns' types);
                              * UPDATE/DELETE: the table's stored rows to change */
    int           ncols;
    uint16_t     *colids;    /* INSERT target columns / UPDATE SET columns */
    ex_expr_t   **set;       /* UPDATE: new values, over the old stored row */
    ex_expr_t    *recheck;   /* UPDATE ... FROM / DELETE ... USING: the WHERE clause
                              * over src's row (the target's columns first, then
                              * the FROM items'), re-checked over a target row
                              * changed since the snapshot (exec/dml.c) */
    ex_expr_t   **defaults;  /* INSERT: per colid (nrowcols), NULL = no default */
    int           nchecks;
    ex_expr_t   **checks;    /* over the new stored row */
    const char  **check_names;
    int           nview_checks; /* the last of checks are views' CHECK OPTIONs (names: the views) */
    bool          on_conflict_nothing;
    const sql_index_t *arbiter;   /* ON CONFLICT (cols) / ON CONSTRAINT: the one index; NULL = any */
    /* ON CONFLICT (primary key) DO UPDATE: set/where over the existing
     * stored row followed by the proposed one (EXCLUDED) */
    bool          on_conflict_update;
    int           nupd;
    uint16_t     *upd_colids;
    ex_expr_t   **upd_set;
    ex_expr_t    *upd_where;
} sql_dml_t;

typedef struct sql_bound {
    ast_stmt_kind_t kind;
    plan_t      *plan;       /* SELECT: the query; DML: RETURNING's projection
                              * (a P_PROJECT whose child is NULL: evaluated over
                              * the new or old stored row), NULL without RETURNING */
    sql_dml_t   *dml;
} sql_bound_t;

rdb_status_t sql_bind_stmt(sql_bindenv_t *b, ast_stmt_t *st, sql_bound_t *out, rdb_err_t *err);
/* A SELECT alone (COPY (query) TO, CREATE TABLE AS). */
rdb_status_t sql_bind_select(sql_bindenv_t *b, ast_select_t *s, plan_t **out, rdb_err_t *err);
/* An expression over a stored row of tab (tab NULL: no columns), coerced
 * to type (oid 0: left as is). */
rdb_status_t sql_bind_row_expr(sql_bindenv_t *b, const sql_table_t *tab, ast_expr_t *e,
                               sql_type_t type, ex_expr_t **out, rdb_err_t *err);
/* A type name as written (PREPARE's parameter types). */
rdb_status_t sql_bind_typename(sql_bindenv_t *b, ast_typename_t *tn, sql_type_t *out, rdb_err_t *err);
/* EXECUTE's argument argno (1-based): an expression without columns,
 * coerced (assignment) to type; 42804 as PostgreSQL words it. */
rdb_status_t sql_bind_param_arg(sql_bindenv_t *b, ast_expr_t *e, int argno, sql_type_t type,
                                ex_expr_t **out, rdb_err_t *err);
/* The default of a column (its DEFAULT, identity or serial), or NULL. */
rdb_status_t sql_bind_column_default(sql_bindenv_t *b, const sql_table_t *tab,
                                     const sql_column_t *col, ex_expr_t **out, rdb_err_t *err);
/* Structural equality of bound expressions (GROUP BY matching). */
bool ex_equal(const ex_expr_t *x, const ex_expr_t *y);
/* Does the binder itself handle calls of this name?  'w' a window
 * function, 's' a set-returning one, 'f' another (session functions,
 * nextval, ...), 0 no (the function registry does).  For pg_proc. */
char sql_binder_fn_kind(const char *name);
/* Copy e with every EX_COL moved by delta; false if one falls outside
 * [0, width). */
bool ex_shift(rdb_arena_t *a, const ex_expr_t *e, int delta, int width, ex_expr_t **out);
/* New nodes. */
ex_expr_t *ex_col(rdb_arena_t *a, int idx, sql_type_t t);
plan_t *plan_new(rdb_arena_t *a, plan_kind_t k, int ncols);

#endif
