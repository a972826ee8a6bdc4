/*
 * catalog.h — the system catalog, stored in the database itself.
 *
 * Contract between the catalog/DDL side (catalog.c, ddl.c, table.c) and the
 * query side (parse, analyze, plan, execute).  The catalog/DDL side owns the
 * implementation and may extend these structs; the query side only reads.
 *
 * Storage.  Catalog records live under the key prefix 0x01
 * (TXN_PREFIX_CATALOG) as MessagePack, written through a txn_t like any data,
 * so they are versioned, replicated and recovered with the rest.  Every node
 * caches a parsed copy and reloads it when txn_store_catalog_gen() moves.
 *
 * Snapshots.  A statement works against one immutable, reference-counted
 * catalog snapshot (sql_catsnap_t) for its whole life: acquire it when the
 * statement starts, release it when it ends.  Within a transaction that has
 * written catalog records (DDL inside BEGIN ... COMMIT), acquire returns a
 * private snapshot that includes them.
 *
 * Expressions (column DEFAULTs, CHECK constraints, view queries) are kept as
 * the libpg_query JSON of the parse node (e.g. {"A_Const": {...}} or
 * {"FuncCall": {...}} for a default; {"SelectStmt": {...}} for a view), so
 * the query side compiles them with its own transformer.  SERIAL columns
 * have the default {"FuncCall": nextval('schema.seq')} as PostgreSQL does.
 *
 * Rows.  A table's row is stored at key
 *     0x02 ‖ table_id (4 bytes, big-endian) ‖ token ‖ primary-key columns
 * (token: 8 bytes big-endian, the hash of the primary-key columns' key
 * encoding, for hash-partitioned tables; absent for range-partitioned ones),
 * with the value a MessagePack array of nrowcols elements indexed by colid
 * (dropped columns and columns added later than the row: nil / absent).
 * Tables without a primary key get a hidden row id as their key column
 * (has_rowid, rowid_colid: HLC stamp ‖ node id, 10 bytes, kept in the key
 * only; a scan fills it into row[rowid_colid] by value (u.iv.usec = stamp,
 * u.iv.days = node id; no pointer) so that update and delete find the row:
 * pass the scanned row's slot through unchanged).  Index entries: 0x03 ‖ index_id ‖ indexed columns ‖
 * pk columns.  Only table.c (sql/table.h) builds and parses these.
 *
 * Record layout and id allocation: see the header comment of catalog.c.
 */
#ifndef RDB_SQL_CATALOG_H
#define RDB_SQL_CATALOG_H

#include <stdbool.h>
#include <stdint.h>

#include "common/backend.h"
#include "common/error.h"
#include "sql/value.h"
#include "txn/txn.h"

/* Fixed ids.  Table ids, index ids and sequence ids share one id space. */
#define SQL_SCHEMA_PG_CATALOG 11       /* PostgreSQL's OIDs */
#define SQL_SCHEMA_PUBLIC     2200
#define SQL_SCHEMA_INFO       13000    /* information_schema */
#define SQL_FIRST_USER_ID     16384    /* PostgreSQL's FirstNormalObjectId */

typedef struct sql_column {
    char       *name;
    uint16_t    colid;        /* index into the stored row array; never reused */
    int16_t     attnum;       /* 1-based position among live columns (pg_attribute.attnum) */
    sql_type_t  type;
    bool        not_null;
    char       *default_json; /* libpg_query JSON of DEFAULT, NULL = none */
    char        identity;     /* 0, 'a' (ALWAYS), 'd' (BY DEFAULT) */
    uint32_t    identity_seq; /* sequence id behind identity / serial, 0 = none */
    /* statistics from ANALYZE (0 = unknown) */
    float       null_frac;    /* fraction of rows with NULL here */
    double      n_distinct;   /* estimated distinct non-NULL values */
    /* ANALYZE's distribution (sql/colstats.h; 0 / NULL: none): the most
     * common values by descending frequency (of all rows), then the
     * equi-depth histogram bounds of the other values, ascending; values
     * of the column's type */
    int          nmcv, nhist;
    int          avg_width;   /* bytes of a non-NULL value, as pg_stats.avg_width */
    sql_value_t *mcv;
    float       *mcv_freq;
    sql_value_t *hist;
    /* correlation of the storage (key) order with the values' order,
     * -1..1, as pg_stats.correlation (none: fewer than 2 values) */
    bool         has_correlation;
    float        correlation;
} sql_column_t;

typedef struct sql_index {
    uint32_t  id;
    uint32_t  table_id;
    char     *name;
    bool      unique;
    bool      primary;
    bool      is_constraint; /* created by a UNIQUE / PRIMARY KEY constraint */
    bool      deferrable;    /* DEFERRABLE UNIQUE: checked at the statement's end or at
                              * COMMIT (exec/fkey.h), not by table.c's writes */
    bool      initdeferred;  /* INITIALLY DEFERRED */
    int       ncols;
    uint16_t *colids;
    bool     *desc;
} sql_index_t;

typedef struct sql_check {
    char *name;
    char *expr_json;      /* libpg_query JSON of the boolean expression */
} sql_check_t;

/* A FOREIGN KEY constraint, kept in the record of the referencing table.
 * Actions are pg_constraint's confupdtype / confdeltype letters. */
#define SQL_FK_NO_ACTION   'a'
#define SQL_FK_RESTRICT    'r'
#define SQL_FK_CASCADE     'c'
#define SQL_FK_SET_NULL    'n'
#define SQL_FK_SET_DEFAULT 'd'

typedef struct sql_fkey {
    char     *name;
    uint32_t  ref_table;     /* the referenced table's id */
    uint32_t  ref_index;     /* its PRIMARY KEY or UNIQUE index the check probes */
    int       ncols;
    uint16_t *colids;        /* referencing columns (this table) */
    uint16_t *ref_colids;    /* the referenced columns, in the same order */
    char      on_update, on_delete; /* SQL_FK_* */
    char      match;         /* 's' SIMPLE, 'f' FULL */
    bool      deferrable;    /* DEFERRABLE: SET CONSTRAINTS may defer its checks to COMMIT */
    bool      initdeferred;  /* INITIALLY DEFERRED */
} sql_fkey_t;

/* One foreign key that references a table: fkeys[fk] of table table_id. */
typedef struct sql_fkref {
    uint32_t table_id;
    int      fk;
} sql_fkref_t;

typedef enum sql_relkind {
    SQL_REL_TABLE    = 'r',
    SQL_REL_VIEW     = 'v',
    SQL_REL_SEQUENCE = 'S',
    SQL_REL_INDEX    = 'i',
} sql_relkind_t;

typedef struct sql_sequence {
    int64_t start, increment, minvalue, maxvalue, cache;
    bool    cycle;
    sql_type_t type;          /* int2/int4/int8 */
    uint32_t owned_by_table;  /* 0 = none */
    uint16_t owned_by_colid;
    uint32_t restart_gen;     /* bumped by ALTER SEQUENCE: drops cached state */
} sql_sequence_t;

typedef struct sql_table {
    uint32_t      id;          /* also its OID as clients see it */
    uint32_t      schema_id;
    const char   *schema;      /* schema name */
    char         *name;
    sql_relkind_t relkind;
    char         *owner;
    char         *comment;     /* COMMENT ON TABLE, NULL = none */

    int           ncols;       /* live columns, in attnum order */
    sql_column_t *cols;
    uint16_t      nrowcols;    /* length of the stored row array (max colid + 1) */

    int           npk;         /* primary-key columns; 0 = hidden row id */
    uint16_t     *pk_colids;
    uint32_t      pk_index_id; /* the PRIMARY KEY constraint's index id, 0 = none */
    sql_index_t  *pk_index;    /* that index (name "t_pkey"), NULL = none; it has
                                * no entries of its own: the row key is the index */
    bool          hash_partitioned; /* token present in row keys */
    bool          has_rowid;   /* npk == 0: hidden row id at rowid_colid */
    uint16_t      rowid_colid;

    int           nindexes;    /* secondary indexes (unique constraints too) */
    sql_index_t  *indexes;
    int           nchecks;
    sql_check_t  *checks;

    char         *view_json;   /* SQL_REL_VIEW: JSON of the SelectStmt */
    char         *view_sql;    /* SQL_REL_VIEW: the view's definition text */
    char          view_check;  /* SQL_REL_VIEW: WITH 'l'OCAL / 'c'ASCADED CHECK OPTION, 0 none */
    sql_sequence_t *seq;       /* SQL_REL_SEQUENCE */
    uint64_t      rowcount_est;/* statistics (ANALYZE), 0 = unknown */
    char        **col_comments;/* COMMENT ON COLUMN, by colid (nrowcols entries) or NULL */
    int           ndeps;       /* views: the relations the query reads (2BP01 on DROP) */
    uint32_t     *deps;
    int           nfkeys;      /* FOREIGN KEY constraints of this table */
    sql_fkey_t   *fkeys;
    int           nrefby;      /* foreign keys of other tables (or this one) that
                                * reference it: derived when a snapshot loads,
                                * never written */
    sql_fkref_t  *refby;
} sql_table_t;

typedef struct sql_schema {
    uint32_t id;
    char    *name;
    char    *owner;
} sql_schema_t;

typedef struct sql_role {
    uint32_t id;
    char    *name;
    char    *password;        /* verifier ("SCRAM-SHA-256$...", "md5..."), NULL = none */
    bool     login;
    bool     superuser;
    bool     createdb;
    bool     createrole;
    int64_t  valid_until_ms;  /* 0 = forever */
} sql_role_t;

typedef struct sql_database {
    uint32_t id;
    char    *name;
    char    *owner;
} sql_database_t;

typedef struct sql_catalog sql_catalog_t; /* per node, thread-safe */
typedef struct sql_catsnap sql_catsnap_t; /* one immutable view     */

/* Open the catalog over the store; bootstraps a fresh store (schemas
 * pg_catalog, public, information_schema; database postgres; the superuser
 * role named superuser) in one transaction. */
rdb_status_t sql_catalog_open(txn_store_t *st, const char *superuser, sql_catalog_t **out,
                              rdb_err_t *err);
void sql_catalog_close(sql_catalog_t *c);

/* The view a statement of transaction t should use (t may be NULL). */
sql_catsnap_t *sql_catalog_acquire(sql_catalog_t *c, txn_t *t, rdb_err_t *err);
void sql_catalog_release(sql_catsnap_t *s);

/* Name lookup.  schema NULL: search the path (NULL path = "public"), then
 * pg_catalog as PostgreSQL does.  Returns NULL if absent (the caller raises
 * 42P01 "relation \"x\" does not exist"). */
const sql_table_t *sql_cat_find(const sql_catsnap_t *s, const char *schema, const char *name,
                                const char *const *search_path, int npath);
const sql_table_t *sql_cat_by_id(const sql_catsnap_t *s, uint32_t id);
bool sql_cat_schema_exists(const sql_catsnap_t *s, const char *schema);
bool sql_cat_database_exists(const sql_catsnap_t *s, const char *db);
/* Iterate every relation (for pg_catalog / information_schema views). */
int sql_cat_count(const sql_catsnap_t *s);
const sql_table_t *sql_cat_at(const sql_catsnap_t *s, int i);

/* Roles, for the wire layer's authentication (rdb_backend_t.role_lookup). */
rdb_status_t sql_cat_role_lookup(sql_catalog_t *c, const char *name, rdb_role_info_t *out,
                                 rdb_err_t *err);

/* Sequences (nextval / currval / setval).  nextval is not transactional,
 * as in PostgreSQL: the value is consumed even if the caller rolls back. */
rdb_status_t sql_seq_nextval(sql_catalog_t *c, const sql_table_t *seq, int64_t *out,
                             rdb_err_t *err);
rdb_status_t sql_seq_setval(sql_catalog_t *c, const sql_table_t *seq, int64_t v, bool is_called,
                            rdb_err_t *err);

/* --- extensions (catalog/DDL side) ---------------------------------------- */

/* Column by name (NULL if absent) and by colid (NULL if dropped). */
const sql_column_t *sql_table_column(const sql_table_t *t, const char *name);
const sql_column_t *sql_table_column_by_id(const sql_table_t *t, uint16_t colid);
/* Index by name in a schema (search path as sql_cat_find); *tab gets its
 * table.  Finds primary-key indexes too. */
const sql_index_t *sql_cat_find_index(const sql_catsnap_t *s, const char *schema,
                                      const char *name, const char *const *search_path,
                                      int npath, const sql_table_t **tab);
const sql_schema_t *sql_cat_schema(const sql_catsnap_t *s, const char *name);
const sql_schema_t *sql_cat_schema_by_id(const sql_catsnap_t *s, uint32_t id);
int sql_cat_schema_count(const sql_catsnap_t *s);
const sql_schema_t *sql_cat_schema_at(const sql_catsnap_t *s, int i);
const sql_role_t *sql_cat_role(const sql_catsnap_t *s, const char *name);
int sql_cat_role_count(const sql_catsnap_t *s);
const sql_role_t *sql_cat_role_at(const sql_catsnap_t *s, int i);
int sql_cat_database_count(const sql_catsnap_t *s);
const sql_database_t *sql_cat_database_at(const sql_catsnap_t *s, int i);
/* The store generation the snapshot was loaded at (private: UINT64_MAX). */
uint64_t sql_catsnap_gen(const sql_catsnap_t *s);
txn_store_t *sql_catalog_store(sql_catalog_t *c);

#endif
