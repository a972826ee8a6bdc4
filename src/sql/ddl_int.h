/*
 * ddl_int.h — shared state and helpers of the DDL statements (ddl*.c).
 *
 * One ddl_t lives for one statement: it holds the statement arena (every
 * relation copy a statement modifies is cloned into it), the error and
 * notice sinks, and the names and ids the statement created or dropped so
 * far, because ctx->snap does not show the statement's own writes.
 */
#ifndef RDB_SQL_DDL_INT_H
#define RDB_SQL_DDL_INT_H

#include <jansson.h>

#include "common/arena.h"
#include "sql/catalog_int.h"
#include "sql/ddl.h"
#include "sql/table.h"
#include "sql/types.h"

typedef struct ddl {
    sql_ddl_ctx_t *ctx;
    rdb_arena_t    a;
    rdb_err_t     *err;
    void         (*notice)(void *arg, const rdb_err_t *n);
    void          *notice_arg;
    char          *tag;
    /* relation and index names created by this statement (schema id, name) */
    int            nnew, capnew;
    struct { uint32_t schema_id; char *name; } *newnames;
    /* "drop cascades to ..." lines, reported together at the end */
    rdb_buf_t      cascades;
    int            ncascades;
    /* relation ids dropped by this statement */
    int            ndropped, capdropped;
    uint32_t      *dropped;
    /* DROP TABLE: every table the statement names (a foreign key between
     * two of them is no dependency that needs CASCADE) */
    int            ntargets;
    uint32_t      *targets;
} ddl_t;

/* --- JSON parse nodes ------------------------------------------------------ */

const char *dj_str(json_t *o, const char *key);          /* NULL if absent */
bool dj_bool(json_t *o, const char *key);                 /* false if absent */
json_t *dj_node(json_t *o, const char *type);            /* {"type": {...}} -> {...} */
/* The string of a {"String": {"sval": ...}} node (NULL if not one). */
const char *dj_sval(json_t *node);
/* Integer value of an A_Const / Integer / Float / String node. */
bool dj_int(json_t *node, int64_t *out);
char *dj_dump(ddl_t *d, json_t *o);                       /* compact JSON text in d->a */

/* --- errors and notices ---------------------------------------------------- */

rdb_status_t ddl_error(ddl_t *d, const char *sqlstate, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void ddl_notice(ddl_t *d, const char *sqlstate, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
rdb_status_t ddl_unsupported(ddl_t *d, const char *what);
/* Give the error set in d the position of a parse node, as PostgreSQL
 * does for errors it finds in parse analysis (expr: where the expression
 * starts rather than the node's own location); returns the error code. */
rdb_status_t ddl_at(ddl_t *d, json_t *node, bool expr);
/* Note one object a CASCADE drops; sql_ddl_exec reports them as
 * PostgreSQL does (one NOTICE, or "drop cascades to N other objects"
 * with the list as its detail). */
void ddl_cascade(ddl_t *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* --- names ----------------------------------------------------------------- */

/* Resolve a RangeVar: the schema to look in / create in. */
rdb_status_t ddl_creation_schema(ddl_t *d, const char *schema, const sql_schema_t **out);
const sql_table_t *ddl_find_rel(ddl_t *d, const char *schema, const char *name);
const sql_table_t *ddl_find_rangevar(ddl_t *d, json_t *rv);
/* The relation an ALTER / RENAME names; NULL when absent, with *rc RDB_OK
 * after IF EXISTS's NOTICE ('relation "x" does not exist, skipping'), else
 * 42P01. */
const sql_table_t *ddl_alter_target(ddl_t *d, json_t *rv, bool missing_ok, rdb_status_t *rc);
/* True if a relation or index of that name exists in the schema (or was
 * created by this statement). */
bool ddl_name_taken(ddl_t *d, uint32_t schema_id, const char *name);
void ddl_name_add(ddl_t *d, uint32_t schema_id, const char *name);
/* PostgreSQL's ChooseRelationName: base_col1_col2_suffix, numbered until free. */
char *ddl_choose_name(ddl_t *d, uint32_t schema_id, const char *table, const char *cols,
                      const char *suffix);
bool ddl_was_dropped(ddl_t *d, uint32_t id);
void ddl_mark_dropped(ddl_t *d, uint32_t id);

/* --- types, columns, constraints ------------------------------------------ */

/* TypeName node -> type; *serial = 2/4/8 for smallserial/serial/bigserial. */
rdb_status_t ddl_type(ddl_t *d, json_t *typename_, sql_type_t *out, int *serial);
/* nextval('schema.seq') as a FuncCall parse node, JSON text. */
char *ddl_nextval_json(ddl_t *d, const char *schema, const char *seq);
/* Create the sequence behind a serial / identity column of tab. */
rdb_status_t ddl_make_owned_seq(ddl_t *d, sql_table_t *tab, sql_column_t *col, json_t *seqopts,
                                uint32_t *seq_id);
/* Sequence options (CREATE/ALTER SEQUENCE, identity): apply DefElems to s. */
rdb_status_t ddl_seq_options(ddl_t *d, sql_sequence_t *s, json_t *options, bool creating,
                             bool *restart, int64_t *restart_with, json_t **owned_by);

/* Add a (unique) index over the named columns to tab; ix gets the new one. */
rdb_status_t ddl_add_index(ddl_t *d, sql_table_t *tab, const char *name, json_t *keys,
                           bool unique, bool primary, bool constraint, sql_index_t **ix);

/* A new relation record (fresh id, owner = current user), in d->a. */
sql_table_t *ddl_new_rel(ddl_t *d, uint32_t schema_id, const char *schema, const char *name,
                         sql_relkind_t kind);

/* Shared by CREATE TABLE and ALTER TABLE (ddl_table.c). */
sql_column_t *ddl_column_mut(sql_table_t *t, const char *name);
void ddl_add_column(ddl_t *d, sql_table_t *tab, const char *name, sql_type_t type);
rdb_status_t ddl_column_constraints(ddl_t *d, sql_table_t *tab, sql_column_t *col, json_t *def,
                                    int serial, bool *want_pk);
rdb_status_t ddl_table_constraint(ddl_t *d, sql_table_t *tab, json_t *con, const char *colname,
                                  sql_index_t **ixout);
rdb_status_t ddl_table_options(ddl_t *d, json_t *options);
/* Does the expression (JSON text) refer to a column of that name? */
bool ddl_text_refs_column(const char *json_text, const char *name);

/* Drop relation rel (and what depends on it when cascade). */
rdb_status_t ddl_drop_rel(ddl_t *d, const sql_table_t *rel, bool cascade);

/* --- foreign keys (ddl_fkey.c) --------------------------------------------- */

/* Add the FOREIGN KEY constraint con (of column colname, or the table) to
 * tab; *out gets it.  Rows are not checked: see ddl_fkey_validate. */
rdb_status_t ddl_add_fkey(ddl_t *d, sql_table_t *tab, json_t *con, const char *colname,
                          sql_fkey_t **out);
/* 23503 if a row of tab has no referenced row (ALTER TABLE ADD). */
rdb_status_t ddl_fkey_validate(ddl_t *d, const sql_table_t *tab, const sql_fkey_t *fk);
void ddl_fkey_remove(sql_table_t *t, int i);
/* Foreign keys that reference parent and go with what is being dropped:
 * the table (ix_id 0, colid -1), its index ix_id, or its column colid.
 * Without cascade: 2BP01 'cannot drop <obj> because other objects depend
 * on it', detail 'constraint c_x_fkey on table c depends on <dep>'; with
 * it they are removed (other tables' records rewritten; self, parent's
 * clone being altered, loses its own). */
rdb_status_t ddl_fkey_dependents(ddl_t *d, const sql_table_t *parent, sql_table_t *self,
                                 uint32_t ix_id, int colid, bool cascade, const char *obj,
                                 const char *dep);
/* TRUNCATE of the tables in *set: 0A000 if a table outside the set
 * references one; with cascade the referencing tables join the set. */
rdb_status_t ddl_fkey_truncate_set(ddl_t *d, const sql_table_t ***set, int *n, bool cascade);

/* --- statements ------------------------------------------------------------ */

rdb_status_t ddl_create_table(ddl_t *d, json_t *n);
rdb_status_t ddl_create_table_as(ddl_t *d, json_t *n);
rdb_status_t ddl_alter_table(ddl_t *d, json_t *n);
rdb_status_t ddl_rename(ddl_t *d, json_t *n);
rdb_status_t ddl_create_index(ddl_t *d, json_t *n);
rdb_status_t ddl_create_view(ddl_t *d, json_t *n);
rdb_status_t ddl_create_seq(ddl_t *d, json_t *n);
rdb_status_t ddl_alter_seq(ddl_t *d, json_t *n);
rdb_status_t ddl_create_schema(ddl_t *d, json_t *n);
rdb_status_t ddl_create_role(ddl_t *d, json_t *n);
rdb_status_t ddl_alter_role(ddl_t *d, json_t *n);
rdb_status_t ddl_drop_role(ddl_t *d, json_t *n);
rdb_status_t ddl_drop(ddl_t *d, json_t *n);
rdb_status_t ddl_truncate(ddl_t *d, json_t *n);
rdb_status_t ddl_comment(ddl_t *d, json_t *n);
rdb_status_t ddl_vacuum(ddl_t *d, json_t *n);

#endif
