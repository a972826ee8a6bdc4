/*
 * syscat.h — the read-only system relations of pg_catalog and
 * information_schema (pg_class, pg_attribute, pg_type, ...,
 * information_schema.tables, ...), generated from the catalog.
 *
 * ringdb's catalog lives in the store as its own records (catalog.h); the
 * relations PostgreSQL clients query are not stored: their rows are made
 * from one catalog snapshot when a statement scans them, so they are
 * exactly as consistent as the snapshot and need no upkeep on DDL.
 *
 * Relations.  Each system relation is a sql_table_t (relkind 'r', no
 * primary key, id = PostgreSQL's OID for it, < SQL_FIRST_USER_ID) built
 * once per process from a fixed description: the binder finds it by name
 * after the user's relations (sql_syscat_find), and the executor asks
 * sql_syscat_rows for its rows instead of scanning the store.
 *
 * OIDs.  Every object's OID is stable and the same on every node because
 * it is derived from what the catalog replicates: relations, indexes,
 * schemas, roles and databases use their catalog id; a PRIMARY KEY or
 * UNIQUE constraint uses its index's id; a CHECK constraint and a column
 * default use SYSCAT_CHECK_OID / SYSCAT_ATTRDEF_OID of their relation's id
 * (in pg_constraint's and pg_attrdef's own OID spaces, as in PostgreSQL
 * where OIDs are unique per catalog).  System objects use PostgreSQL's
 * fixed OIDs.
 */
#ifndef RDB_SQL_SYSCAT_H
#define RDB_SQL_SYSCAT_H

#include "common/arena.h"
#include "sql/catalog.h"
#include "sql/types.h"

/* OID of CHECK constraint i of relation rel (i < 256, rel < 2^23) and of
 * the default of column colid (colid < 2048, rel < 2^20). */
#define SYSCAT_CHECK_OID(rel, i)       (0x80000000u | ((uint32_t)(rel) << 8) | (uint32_t)(i))
/* foreign key k of a relation: the same space, counting down from 255 */
#define SYSCAT_FKEY_OID(rel, k)        SYSCAT_CHECK_OID(rel, 255 - (k))
#define SYSCAT_ATTRDEF_OID(rel, colid) (0x40000000u | ((uint32_t)(rel) << 11) | (uint32_t)(colid))

/* PostgreSQL's fixed OIDs that clients compare against. */
#define SYSCAT_OID_PG_CLASS       1259
#define SYSCAT_OID_PG_CONSTRAINT  2606
#define SYSCAT_OID_PG_NAMESPACE   2615
#define SYSCAT_OID_PG_TYPE        1247
#define SYSCAT_OID_PG_PROC        1255
#define SYSCAT_OID_PG_ATTRDEF     2604
#define SYSCAT_OID_PG_DATABASE    1262
#define SYSCAT_OID_PG_AUTHID      1260

/* What the rows of some relations depend on besides the catalog. */
typedef struct sql_syscat_env {
    sql_catalog_t       *cat;
    const sql_catsnap_t *snap;
    const char *const   *path;        /* the session's search_path */
    int                  npath;
    const char          *user;        /* current_user */
    const char          *database;    /* current_database() */
    int                  backend_pid;
    const char          *application_name;
    /* pg_settings: the i-th parameter (NULL past the last) with its
     * current value and description. */
    const char *(*setting)(void *ctx, int i, const char **value, const char **desc);
    void                *ctx;
    /* Rows only for this relation or index (0 = all): a scan whose qual
     * fixes a column sql_syscat_filter_cols names sets it; the rows made
     * are a superset of what the qual keeps. */
    uint32_t             only_rel;
    /* The store's approximate bytes for keys in [lo, hi) (hi NULL: to the
     * end; lo NULL: from the start): pg_relation_size and friends. */
    uint64_t (*key_range_size)(void *ctx, const void *lo, size_t llen, const void *hi, size_t hlen);
    /* pg_prepared_statements: the session's i-th prepared statement (NULL
     * past the last): name, query string, prepare_time, parameter types
     * and executions; may be NULL. */
    const char *(*prepared)(void *ctx, int i, const char **text, int64_t *time, int *nparams,
                            const uint32_t **ptypes, int64_t *execs, bool *from_sql);
} sql_syscat_env_t;

/* The system relation schema.name (schema NULL: pg_catalog, then
 * information_schema only if it is on the path), or NULL. */
const sql_table_t *sql_syscat_find(const char *schema, const char *name, const char *const *path,
                                   int npath);
const sql_table_t *sql_syscat_by_id(uint32_t oid);
/* A relation by name as PostgreSQL resolves it: an unqualified name looks
 * in pg_catalog first unless the path lists pg_catalog itself, then the
 * path (sql_cat_find), then information_schema if on the path. */
const sql_table_t *sql_syscat_lookup(const sql_catsnap_t *s, const char *schema, const char *name,
                                     const char *const *path, int npath);
static inline bool sql_syscat_is(const sql_table_t *t) { return t->id < SQL_FIRST_USER_ID; }

/* The columns (colids, at most 2) of system relation t whose value is a
 * relation's or index's OID and bounds the rows made (only_rel);
 * returns how many. */
int sql_syscat_filter_cols(const sql_table_t *t, int cols[2]);
/* All rows of system relation t, each an array of t->nrowcols values,
 * allocated in a (strings may point into env->snap, which must outlive
 * them). */
rdb_status_t sql_syscat_rows(const sql_syscat_env_t *env, const sql_table_t *t, rdb_arena_t *a,
                             sql_value_t ***rows, int *nrows, rdb_err_t *err);

/* --- the functions psql and drivers call on catalog rows ---------------- */

/* Any relation (user or system) by OID; NULL if none. */
const sql_table_t *sql_syscat_rel(const sql_catsnap_t *s, uint32_t oid);
/* An index by OID, with its table; NULL if none. */
const sql_index_t *sql_syscat_index(const sql_catsnap_t *s, uint32_t oid, const sql_table_t **tab);
/* Name of a relation or index as regclass prints it (qualified when its
 * schema is not on the path), in a; NULL if unknown. */
const char *sql_syscat_relname(const sql_syscat_env_t *env, uint32_t oid, rdb_arena_t *a);
/* regclass input: a relation or index name, optionally qualified and
 * quoted; 42P01 if none. */
rdb_status_t sql_syscat_regclass_in(const sql_catsnap_t *s, const char *const *path, int npath,
                                    const char *text, uint32_t *oid, rdb_err_t *err);
/* regtype input: a type name as written in SQL ("integer", "varchar",
 * "pg_catalog.text", "int4[]"); 42704 if none. */
rdb_status_t sql_syscat_regtype_in(const char *text, uint32_t *oid, rdb_err_t *err);
/* pg_table_is_visible: the first relation of that name on the path. */
bool sql_syscat_table_visible(const sql_syscat_env_t *env, uint32_t oid);
/* Role name by OID (pg_get_userbyid: "unknown (OID=n)" when none). */
const char *sql_syscat_username(const sql_catsnap_t *s, uint32_t oid, rdb_arena_t *a);
/* Role OID by name (0 when none). */
uint32_t sql_syscat_roleid(const sql_catsnap_t *s, const char *name);

/* pg_get_indexdef(oid, col, pretty): the CREATE INDEX statement (col 0)
 * or the col-th key column; NULL if no such index. */
const char *sql_syscat_indexdef(const sql_syscat_env_t *env, uint32_t oid, int col, rdb_arena_t *a);
/* pg_get_constraintdef(oid, pretty); NULL if no such constraint. */
const char *sql_syscat_constraintdef(const sql_syscat_env_t *env, uint32_t oid, bool pretty,
                                     rdb_arena_t *a);
/* pg_get_viewdef(oid): the view's query as stored; NULL if not a view. */
const char *sql_syscat_viewdef(const sql_catsnap_t *s, uint32_t oid, rdb_arena_t *a);
/* obj_description / col_description (classoid pg_class only). */
const char *sql_syscat_description(const sql_catsnap_t *s, uint32_t oid, int attnum);


/* Where catalog functions get their snapshot: acquire fills env (snap,
 * path, user, ...) for the session of a call (sql_fn_ctx_t.session);
 * release gives the snapshot back.  Set once by the engine. */
void sql_syscat_set_env_source(bool (*acquire)(void *session, sql_syscat_env_t *env, rdb_err_t *err),
                               void (*release)(sql_syscat_env_t *env));
/* A catalog function by name and argument count (argument types to
 * coerce to in out->argtypes; SQL_OID_ANY: any); false if none. */
bool sql_syscat_func_resolve(const char *name, int nargs, sql_resolved_fn_t *out);

#endif
