/*
 * view_dml.h — INSERT, UPDATE and DELETE through automatically updatable
 * views, as PostgreSQL's rewriter (rewriteTargetView) allows them.
 *
 * A view is automatically updatable when its query reads one table or
 * updatable view and has no DISTINCT, GROUP BY, HAVING, set operation,
 * WITH, LIMIT/OFFSET, aggregate, window or set-returning function in its
 * output.  Its columns that are plain column references of the base
 * relation may be assigned; the others may only be read (RETURNING).
 * The statement is rewritten, at the syntax level, into one on the base
 * relation (again and again until a table): view columns become the
 * expressions the view gives them, UPDATE and DELETE add the view's WHERE.
 * WITH [CASCADED | LOCAL] CHECK OPTION adds conditions the new rows of an
 * INSERT or UPDATE must meet (44000), expressed over the final table.
 */
#ifndef RDB_SQL_VIEW_DML_H
#define RDB_SQL_VIEW_DML_H

#include "sql/ast.h"
#include "sql/catalog.h"

/* A view's CHECK OPTION condition, over the final base table's columns
 * (qualified, if at all, with the rewritten statement's rel alias or the
 * table's name). */
typedef struct sql_view_check {
    const char *view;
    ast_expr_t *cond;
} sql_view_check_t;

/* Why the view query q is not automatically updatable (PostgreSQL's
 * detail text), or NULL.  check_cols: INSERT / UPDATE, which need an
 * updatable column. */
const char *sql_view_not_updatable(const ast_select_t *q, bool check_cols);

/* st is an INSERT, UPDATE or DELETE.  When its target is a view, *out is
 * the statement rewritten onto the view's base table (in a) and *checks
 * the CHECK OPTION conditions to add; else *out is st and *nchecks 0.
 * Errors: 55000 for a view that is not updatable, 0A000 for a column
 * that is not, 42703 for an unknown column. */
rdb_status_t sql_view_dml_rewrite(rdb_arena_t *a, const sql_catsnap_t *snap, const char *const *path,
                                  int npath, const char *sql, ast_stmt_t *st, ast_stmt_t **out,
                                  sql_view_check_t **checks, int *nchecks, rdb_err_t *err);

#endif
