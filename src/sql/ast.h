/*
 * ast.h — ringdb's own syntax tree for the statements the query side runs.
 *
 * parse.c builds it from libpg_query's JSON output; analyze.c binds it.
 * The tree is a plain description of what was written: names are not
 * resolved, types are not known.  Every node lives in the arena handed to
 * the parser (the statement's), and every string is copied there, so the
 * JSON document can be freed as soon as the tree is built.  DDL statements
 * are not transformed: they keep their JSON node (owned by the ast_stmt_t,
 * released by ast_stmt_free) for sql_ddl_exec.
 *
 * Locations are byte offsets into the whole query string, -1 if unknown;
 * errors report them as PostgreSQL does (1-based character positions).
 */
#ifndef RDB_SQL_AST_H
#define RDB_SQL_AST_H

#include <jansson.h>
#include <stdbool.h>

#include "common/arena.h"
#include "common/error.h"

typedef struct ast_select ast_select_t;

typedef enum ast_kind {
    AST_COLREF,    /* names[0..nnames) ; star: last part was '*'          */
    AST_CONST,     /* cval kind in ival, text in sval                     */
    AST_PARAM,     /* ival = $n                                          */
    AST_OP,        /* name; args[0] left (NULL for prefix), args[1] right */
    AST_AND, AST_OR, AST_NOT,
    AST_FUNC,      /* names (qualified), args; star, distinct, filter=def */
    AST_CAST,      /* arg, tn                                            */
    AST_CASE,      /* arg (may be NULL), args = when,then pairs, def     */
    AST_NULLTEST,  /* arg; ival 1 = IS NOT NULL                          */
    AST_BOOLTEST,  /* arg; ival = ast_booltest_t                         */
    AST_IN,        /* arg IN (args) ; neg for NOT IN                     */
    AST_BETWEEN,   /* arg BETWEEN args[0] AND args[1]; neg; ival symmetric */
    AST_SUBLINK,   /* ival = ast_sublink_t; arg = test expr; name = op   */
    AST_COALESCE,  /* args                                               */
    AST_GREATEST, AST_LEAST,
    AST_NULLIF,    /* args[0], args[1]                                   */
    AST_DEFAULT,   /* DEFAULT in VALUES / SET                            */
    AST_SVF,       /* SQL value function: name ("current_user", ...)     */
    AST_ARRAY,     /* ARRAY[args]                                        */
    AST_DISTINCT_FROM, /* args[0] IS [NOT] DISTINCT FROM args[1]; neg = NOT */
    AST_ROW,       /* (a, b) / ROW(a, b): args                          */
    AST_SUBSCRIPT, /* arg[args[0]] (ival 0) or arg[args[0]:args[1]] (ival 1, either may be NULL);
                    * def != NULL: UPDATE's "SET arg[args[0]] = def" (the new array)  */
    AST_ANYARRAY,  /* arg op ANY (args[0]) (ival 1) / ALL (ival 2) with an array */
} ast_kind_t;

typedef enum { AST_C_INT, AST_C_NUM, AST_C_STR, AST_C_BOOL, AST_C_NULL, AST_C_BITSTR } ast_const_t;
typedef enum { AST_BT_TRUE, AST_BT_NOT_TRUE, AST_BT_FALSE, AST_BT_NOT_FALSE, AST_BT_UNKNOWN,
               AST_BT_NOT_UNKNOWN } ast_booltest_t;
typedef enum { AST_SL_EXISTS, AST_SL_ANY, AST_SL_ALL, AST_SL_EXPR, AST_SL_ARRAY } ast_sublink_t;

typedef struct ast_typename {
    const char *name;     /* last part of the qualified name ("int4")   */
    int         nmods;
    int32_t     mods[4];  /* constant typmods as written                */
    bool        array;    /* T[]                                        */
    int         loc;
} ast_typename_t;

typedef struct ast_expr ast_expr_t;
struct ast_expr {
    ast_kind_t   kind;
    int          loc;
    const char  *name;
    const char **names;
    int          nnames;
    ast_expr_t **args;
    int          nargs;
    ast_expr_t  *arg, *def;
    ast_typename_t *tn;
    int64_t      ival;
    const char  *sval;
    bool         star, distinct, neg;
    ast_select_t *sub;
    int          nagg_order;       /* FUNC: ORDER BY inside an aggregate */
    struct ast_sortby *agg_order;
    struct ast_window *over;       /* FUNC: OVER (...) or OVER name      */
};

typedef struct ast_target {
    ast_expr_t *expr;      /* NULL for INSERT column lists             */
    const char *name;      /* AS name / INSERT or UPDATE column name   */
    int         loc;
} ast_target_t;

typedef struct ast_sortby {
    ast_expr_t *expr;
    bool        desc;
    int         nulls;     /* 0 default, 1 FIRST, 2 LAST */
} ast_sortby_t;

/* A window specification: WINDOW name AS (...) or a call's OVER.
 * frameopts are PostgreSQL's FRAMEOPTION_* bits as libpg_query gives them. */
typedef struct ast_window {
    const char   *name;     /* WINDOW clause entry; NULL for OVER (...) */
    const char   *refname;  /* OVER w / OVER (w ORDER BY ...)          */
    ast_expr_t  **part;     int npart;
    struct ast_sortby *order; int norder;
    int           frameopts;
    ast_expr_t   *start_off, *end_off;
    int           loc;
} ast_window_t;

/* One locking clause: FOR <strength> [OF rels] [NOWAIT | SKIP LOCKED]. */
typedef struct ast_lock {
    int          strength;  /* 0 KEY SHARE, 1 SHARE, 2 NO KEY UPDATE, 3 UPDATE (rowlock.h order) */
    int          wait;      /* PostgreSQL's order: 0 block, 1 SKIP LOCKED, 2 NOWAIT */
    const char **rels;      /* OF names (none: every table in FROM) */
    int         *locs;      /* their positions */
    int          nrels;
} ast_lock_t;
/* "FOR KEY SHARE", ... by strength */
extern const char *const ast_lock_names[4];

typedef enum { AST_FROM_REL, AST_FROM_JOIN, AST_FROM_SUB, AST_FROM_FUNC } ast_from_kind_t;
typedef enum { AST_JOIN_INNER, AST_JOIN_LEFT, AST_JOIN_RIGHT, AST_JOIN_FULL, AST_JOIN_CROSS } ast_join_t;

typedef struct ast_from ast_from_t;
struct ast_from {
    ast_from_kind_t kind;
    int          loc;
    const char  *schema, *relname;    /* REL */
    const char  *alias;
    const char **colaliases;
    int          ncolaliases;
    ast_join_t   jointype;            /* JOIN */
    ast_from_t  *l, *r;
    ast_expr_t  *quals;
    const char **using_;
    int          nusing;
    bool         natural;
    ast_select_t *sub;                /* SUB */
    bool         lateral;
    ast_expr_t  *func;                /* FUNC: the first function */
    ast_expr_t **funcs;               /* FUNC: ROWS FROM (f, g...): all of them */
    int          nfuncs;
    bool         ordinality;          /* FUNC: WITH ORDINALITY */
};

typedef enum { AST_SETOP_NONE, AST_SETOP_UNION, AST_SETOP_INTERSECT, AST_SETOP_EXCEPT } ast_setop_t;

typedef struct ast_cte {
    const char   *name;
    const char  **colnames;
    int           ncolnames;
    ast_select_t *query;
    int           loc;
} ast_cte_t;

struct ast_select {
    ast_setop_t   op;
    bool          all;
    ast_select_t *larg, *rarg;
    ast_target_t *targets;  int ntargets;
    ast_from_t  **from;     int nfrom;
    ast_expr_t   *where;
    ast_expr_t  **group;    int ngroup;
    ast_expr_t   *having;
    ast_sortby_t *sort;     int nsort;
    ast_expr_t   *limit, *offset;
    bool          with_ties;  /* FETCH FIRST ... WITH TIES */
    bool          distinct;
    ast_expr_t  **distinct_on; int ndistinct_on;
    ast_expr_t ***values;   int nvalues, nvalcols;   /* VALUES lists */
    ast_cte_t    *ctes;     int nctes;
    bool          recursive;                        /* WITH RECURSIVE */
    bool          for_update;
    const char   *lock_name;   /* "FOR UPDATE", "FOR SHARE", ... as written */
    ast_lock_t   *locks;    int nlocks;             /* locking clauses */
    ast_window_t *windows;  int nwindows;           /* WINDOW clause */
    int           loc;
};

typedef enum ast_stmt_kind {
    AST_S_SELECT, AST_S_INSERT, AST_S_UPDATE, AST_S_DELETE, AST_S_DDL,
    AST_S_BEGIN, AST_S_COMMIT, AST_S_ROLLBACK, AST_S_SET, AST_S_RESET, AST_S_SHOW,
    AST_S_COPY, AST_S_DISCARD, AST_S_DEALLOCATE, AST_S_NOOP, AST_S_EXPLAIN,
    AST_S_PREPARE, AST_S_EXECUTE, AST_S_SET_CONSTRAINTS,
} ast_stmt_kind_t;

enum {
    AST_EXPLAIN_COSTS = 1, AST_EXPLAIN_TIMING = 2, AST_EXPLAIN_SUMMARY = 4,
    AST_EXPLAIN_JSON = 8, AST_EXPLAIN_VERBOSE = 16,
};

typedef struct ast_rel {
    const char *schema, *name, *alias;
    int         loc;
} ast_rel_t;

typedef struct ast_stmt {
    ast_stmt_kind_t kind;
    int             loc, len;     /* the statement's text in the query string */
    ast_select_t   *select;       /* SELECT; INSERT source (NULL = DEFAULT VALUES); COPY (query) */
    ast_rel_t       rel;          /* INSERT/UPDATE/DELETE/COPY target */
    ast_target_t   *cols;  int ncols;       /* INSERT columns; UPDATE SET list */
    ast_expr_t     *where;
    ast_from_t    **from;  int nfrom;          /* UPDATE ... FROM / DELETE ... USING */
    ast_target_t   *returning; int nreturning;
    bool            returning_given;
    bool            on_conflict_nothing;
    bool            on_conflict_update;        /* ON CONFLICT ... DO UPDATE */
    char            overriding;                /* INSERT OVERRIDING 's'YSTEM / 'u'SER VALUE, 0 */
    const char    **conflict_cols; int nconflict_cols;   /* ON CONFLICT (cols): the arbiter */
    const char     *conflict_con;  int conflict_loc;     /* ON CONFLICT ON CONSTRAINT name */
    ast_target_t   *conflict_set; int nconflict_set;
    ast_expr_t     *conflict_where;
    /* SET / SHOW / RESET */
    const char     *name;
    const char    **values; int nvalues;   /* SET values as text */
    bool            is_local, set_default;
    /* COPY */
    bool            copy_from, copy_csv, copy_header, copy_stdio;
    bool            copy_binary;  /* FORMAT binary */
    char            copy_delim;
    const char     *copy_null, *copy_quote, *copy_escape;
    const char     *tag;          /* NOOP and DDL: command tag hint */
    /* DDL */
    const char     *node_name;
    json_t         *node;         /* owned (a reference), freed by ast_stmt_free */
    bool            explain_analyze;
    int             explain_opts;  /* AST_EXPLAIN_*: COSTS, TIMING, SUMMARY, JSON, VERBOSE */
    struct ast_stmt *inner;       /* EXPLAIN's and PREPARE's statement */
    /* PREPARE name (types) AS inner; EXECUTE name (args); name in `name` */
    ast_typename_t **prep_types; int nprep_types;
    ast_expr_t    **exec_args;   int nexec_args;
    /* SET CONSTRAINTS ALL (nvalues 0) | names (in values) DEFERRED (set_deferred) | IMMEDIATE */
    bool            set_deferred;
} ast_stmt_t;

typedef struct ast_parse {
    int          nstmts;
    ast_stmt_t **stmts;
} ast_parse_t;

/* Parse sql (a whole query string) into statements.  Errors: 42601 with
 * position for syntax errors, 0A000 naming an unsupported construct. */
rdb_status_t sql_parse(rdb_arena_t *a, const char *sql, ast_parse_t *out, rdb_err_t *err);
/* Release the JSON nodes kept by DDL statements. */
void sql_parse_free(ast_parse_t *p);
/* Transform one expression parse node (column defaults, CHECK constraints). */
rdb_status_t sql_parse_expr_json(rdb_arena_t *a, json_t *node, ast_expr_t **out, rdb_err_t *err);
/* Transform a SelectStmt node (view definitions, CREATE TABLE AS). */
rdb_status_t sql_parse_select_json(rdb_arena_t *a, json_t *node, ast_select_t **out,
                                   rdb_err_t *err);
/* Set err's position from a byte offset into sql (PostgreSQL counts
 * characters, 1-based). */
void sql_err_at(rdb_err_t *err, const char *sql, int loc);

#endif
