/*
 * syscat_int.h — what the files of the system relations share
 * (syscat.c: relations and lookups; syscat_rows.c: pg_catalog rows;
 * syscat_info.c: information_schema rows; syscat_defs.c: column lists;
 * syscat_deparse.c: expressions and definitions as PostgreSQL prints them).
 */
#ifndef RDB_SQL_SYSCAT_INT_H
#define RDB_SQL_SYSCAT_INT_H

#include "sql/syscat.h"
#include "sql/types.h"

typedef struct syscat_def {
    uint32_t    schema;
    const char *name;
    uint32_t    oid;
    char        kind;    /* PostgreSQL's relkind: 'r' table, 'v' view */
    const char *cols;    /* "name type,name type,..." (ringdb type names) */
} syscat_def_t;

extern const syscat_def_t syscat_defs[];
extern const int syscat_ndefs;

/* The built relations, in syscat_defs order. */
int syscat_count(void);
const sql_table_t *syscat_at(int i);
char syscat_kind(const sql_table_t *t);

/* Does relation t (or one of its indexes) pass env->only_rel? */
bool syscat_rel_wanted(const sql_syscat_env_t *env, const sql_table_t *t);

/* Rows under construction: each new row starts with every column at its
 * type's default (false / 0 / NULL). */
typedef struct syscat_rows {
    rdb_arena_t       *a;
    const sql_table_t *t;
    sql_value_t      **rows;
    int                n, cap;
    sql_value_t       *cur;
} syscat_rows_t;

void sr_new(syscat_rows_t *r);
void sr_set(syscat_rows_t *r, const char *col, sql_value_t v);
sql_value_t sv_text(const char *s);               /* s must outlive the rows */
sql_value_t sv_dup(rdb_arena_t *a, const char *s); /* copied into a */
sql_value_t sv_char(char c);                      /* "char"; 0 = '' */
sql_value_t sv_array(rdb_arena_t *a, uint32_t arrayoid, const char *text);

/* A pg_proc row (syscat_proc.c; PostgreSQL 15's: syscat_pgproc.c). */
typedef struct sql_pgproc {
    uint32_t    oid;
    const char *name;
    int         nargs;
    uint32_t    args[8];
    char        kind;        /* 'f', 'a', 'w' */
    uint32_t    ret;
    bool        retset, strict;
    char        vol;         /* 'i', 's', 'v' */
    uint32_t    variadic;    /* provariadic: 0 = none */
    const char *src;         /* prosrc */
    const char *desc;        /* its pg_description, NULL if none */
} sql_pgproc_t;

extern const sql_pgproc_t sql_pgproc[];   /* sorted by name */
extern const size_t sql_npgproc;

/* ringdb's functions as pg_proc rows (built once), and one by OID. */
void syscat_procs(const sql_pgproc_t **rows, size_t *n);
const sql_pgproc_t *syscat_proc_by_oid(uint32_t oid);
/* pg_proc's rows. */
void syscat_gen_proc(syscat_rows_t *r);
/* sdef table of syscat_fns.c, for pg_proc */
void syscat_fns_each(sql_func_each_fn fn, void *arg);

rdb_status_t syscat_info_rows(const sql_syscat_env_t *env, syscat_rows_t *r, rdb_err_t *err);

/* Deparsed DEFAULT of a column and CHECK expression (NULL if none or if
 * it cannot be bound), in a. */
const char *syscat_default_text(const sql_syscat_env_t *env, const sql_table_t *t,
                                const sql_column_t *col, rdb_arena_t *a);
const char *syscat_check_text(const sql_syscat_env_t *env, const sql_table_t *t,
                              const sql_check_t *ck, bool pretty, rdb_arena_t *a);
/* format_type(t) in a. */
const char *syscat_format_type(sql_type_t t, rdb_arena_t *a);
/* The owner role's OID (the bootstrap superuser's when unknown). */
uint32_t syscat_owner_oid(const sql_catsnap_t *s, const char *owner);
/* Name of the schema with that id ("?" if none). */
const char *syscat_schema_name(const sql_catsnap_t *s, uint32_t id);
/* The column lists of a view's query (bound against s): its columns'
 * names and types, in a; false if the view cannot be bound now. */
bool syscat_view_columns(const sql_syscat_env_t *env, const sql_table_t *v, rdb_arena_t *a,
                         int *ncols, const char ***names, sql_type_t **types);

#endif
