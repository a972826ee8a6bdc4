/*
 * ddl.h — running DDL statements (the catalog/DDL side's entry point).
 *
 * The query side parses every statement with libpg_query (JSON output) and
 * hands the statements that sql_is_ddl() names to sql_ddl_exec, with the
 * parse node of the statement itself (the value of "stmt" in the RawStmt,
 * e.g. {"CreateStmt": {...}}).  DDL runs inside the caller's transaction:
 * in autocommit the caller commits after it, inside BEGIN it commits with
 * the block (PostgreSQL's transactional DDL).
 *
 * Statements covered: CREATE/DROP/ALTER TABLE, CREATE TABLE AS, TRUNCATE,
 * CREATE/DROP INDEX, CREATE/DROP VIEW, CREATE/ALTER/DROP SEQUENCE,
 * CREATE/DROP SCHEMA, CREATE/ALTER/DROP ROLE|USER, COMMENT ON, VACUUM,
 * ANALYZE, CREATE/DROP DATABASE (postgres only exists: 0A000 otherwise).
 *
 * Some DDL needs the query engine (CREATE TABLE AS runs a query; ALTER
 * TABLE ADD COLUMN ... DEFAULT fills existing rows; ADD CHECK validates
 * rows): it calls back through sql_ddl_ctx_t.
 */
#ifndef RDB_SQL_DDL_H
#define RDB_SQL_DDL_H

#include <jansson.h>

#include "sql/catalog.h"
#include "txn/txn.h"

typedef struct sql_ddl_ctx sql_ddl_ctx_t;

/* Result rows of a query run for DDL: called once with the column names and
 * types, then per row. */
typedef rdb_status_t (*sql_ddl_row_fn)(void *arg, int ncols, const char *const *names,
                                       const sql_type_t *types, const sql_value_t *row,
                                       rdb_err_t *err);

struct sql_ddl_ctx {
    txn_t          *txn;
    sql_catalog_t  *catalog;
    sql_catsnap_t  *snap;          /* the statement's catalog view */
    const char     *user;          /* current_user */
    const char *const *search_path;
    int             npath;
    const char     *sql;           /* whole query string (for view text) */
    /* Run a query (a SelectStmt parse node); rows go to fn. */
    rdb_status_t  (*run_query)(sql_ddl_ctx_t *ctx, json_t *select, sql_ddl_row_fn fn, void *arg,
                               rdb_err_t *err);
    /* Evaluate an expression (JSON parse node) of a row of table tab
     * (row may be NULL for constant expressions), cast to type. */
    rdb_status_t  (*eval)(sql_ddl_ctx_t *ctx, const sql_table_t *tab, json_t *expr,
                          const sql_value_t *row, sql_type_t type, rdb_arena_t *a,
                          sql_value_t *out, rdb_err_t *err);
    void           *engine;        /* the query side's own context */
};

/* True for the parse-node names (e.g. "CreateStmt") that sql_ddl_exec runs. */
bool sql_is_ddl(const char *node_name);

/* Run one DDL statement; on success writes PostgreSQL's command tag
 * ("CREATE TABLE", "DROP TABLE", "TRUNCATE TABLE", "ALTER TABLE", ...)
 * into tag (64 bytes).  NOTICEs (e.g. "table \"x\" does not exist,
 * skipping") go to notice, which may be NULL. */
rdb_status_t sql_ddl_exec(sql_ddl_ctx_t *ctx, const char *node_name, json_t *node, char tag[64],
                          void (*notice)(void *arg, const rdb_err_t *n), void *notice_arg,
                          rdb_err_t *err);

#endif
