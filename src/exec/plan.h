/*
 * plan.h — bound expressions and plan trees: what the analyzer
 * (sql/analyze.c) produces, the planner (exec/planner.c) rewrites and the
 * executor (exec/exec.c) runs.
 *
 * Rows.  Every plan node produces rows: arrays of sql_value_t of its
 * ncols output columns, types known statically (types[]).  A base-table
 * scan's row is the table's stored row, indexed by colid (so its width is
 * nrowcols; dropped columns are NULL); every other node's row is its own
 * output list.  A join's row is the left row followed by the right row.
 * Column references (EX_COL) index the row of the node that evaluates
 * them; EX_OUTER references reach a row of an enclosing query (correlated
 * subqueries), levelsup frames up.
 *
 * Plans are immutable once built and hold no execution state, so a
 * prepared statement's plan runs many times (and, later, a fragment can
 * be shipped to another node and run there): execution state lives in
 * exec.c's per-run nodes.  Every pointer in a plan lives in the arena of
 * the statement that built it.
 */
#ifndef RDB_EXEC_PLAN_H
#define RDB_EXEC_PLAN_H

#include "sql/catalog.h"
#include "sql/types.h"

typedef struct plan plan_t;

typedef enum ex_kind {
    EX_CONST,     /* val                                                   */
    EX_PARAM,     /* idx: 0-based parameter number                         */
    EX_COL,       /* idx into the evaluating node's row                    */
    EX_OUTER,     /* idx into the row of the enclosing query, levelsup up  */
    EX_FUNC,      /* fn (function or operator), args                       */
    EX_CAST,      /* cast from args[0]'s type                              */
    EX_AND, EX_OR, EX_NOT,
    EX_NULLTEST,  /* flag: 1 = IS NOT NULL                                 */
    EX_BOOLTEST,  /* flag: ast_booltest_t                                  */
    EX_CASE,      /* args: when,then pairs, then else (or NULL const)      */
    EX_COALESCE,
    EX_MINMAX,    /* flag: 1 greatest, 0 least; cmp by type                */
    EX_NULLIF,    /* args[0], args[1]; fn is '='                           */
    EX_DISTINCT,  /* IS [NOT] DISTINCT FROM; fn '='; flag 1 = NOT          */
    EX_SUBLINK,   /* sub plan; flag ast_sublink_t; args[0] test expr; fn op;
                   * row form ((a, b) IN (SELECT ...)): args[0..nrowcmp) the
                   * row, rowcmp[i] compares column i over [row, sub row],
                   * levelsup 1: the row differs if one column does (<>) */
    EX_SESSION,   /* flag: ex_session_fn_t                                 */
    EX_NEXTVAL,   /* flag 0 nextval, 1 currval, 2 setval; args[0] regclass text */
    EX_ARRAY,     /* ARRAY[args] of element type                           */
    EX_SUBSCRIPT, /* args[0] array; flag ex_subscript_t; args[1] index (slice:
                   * lower bound), args[2] slice upper bound, ... per
                   * subscript, then the new element (assignment)           */
    EX_ARRAYCMP,  /* args[0] op ANY (flag 1) / ALL (flag 2) (args[1] array)  */
    EX_SRF,       /* set-returning function (flag ex_srf_t), only as one of a
                   * P_FUNCSCAN's exprs; idx = number of output columns    */
} ex_kind_t;

typedef enum ex_subscript {
    EX_SUB_INDEX = 0, EX_SUB_SLICE = 1, EX_SUB_ASSIGN = 2,
    EX_SUB_NO_LOWER = 4, EX_SUB_NO_UPPER = 8,   /* slice bounds left out: [:j], [i:] */
} ex_subscript_t;
/* EX_SUBSCRIPT: args[0] is the array, then a (lower, upper) pair per
 * subscript (a[i][j] is one expression over both); val.u.i holds
 * EX_SUB_NO_LOWER >> 2 << 2d | EX_SUB_NO_UPPER >> 2 << 2d for subscript
 * d (EX_SUB_NO_LOWER / EX_SUB_NO_UPPER in flag repeat them for the first). */

typedef enum ex_srf {
    EX_SRF_UNNEST, EX_SRF_SERIES_NUMERIC, EX_SRF_SERIES_TS, EX_SRF_SUBSCRIPTS,
    EX_SRF_JSON_EACH, EX_SRF_JSON_EACH_TEXT, EX_SRF_JSON_ELEMENTS, EX_SRF_JSON_ELEMENTS_TEXT,
    EX_SRF_JSON_KEYS,
    EX_SRF_REGEXP_MATCHES, EX_SRF_REGEXP_SPLIT,
} ex_srf_t;

typedef enum ex_session_fn {
    EX_S_VERSION, EX_S_CURRENT_DATABASE, EX_S_CURRENT_SCHEMA, EX_S_CURRENT_USER,
    EX_S_SESSION_USER, EX_S_BACKEND_PID, EX_S_CURRENT_SETTING, EX_S_PG_SLEEP,
    EX_S_CURRENT_SCHEMAS, EX_S_TXID, EX_S_CURRENT_TIME, EX_S_LOCALTIMESTAMP,
    EX_S_LOCALTIME, EX_S_SET_CONFIG, EX_S_PG_TYPEOF,
    /* in this order (engine.c) */
    EX_S_INET_CLIENT_ADDR, EX_S_INET_CLIENT_PORT, EX_S_INET_SERVER_ADDR, EX_S_INET_SERVER_PORT,
    /* range partitions on a cluster node (cluster_glue.c) */
    EX_S_RINGDB_SPLIT, EX_S_RINGDB_MERGE, EX_S_RINGDB_PARTITIONS, EX_S_RINGDB_PLACEMENT,
    EX_S_PG_STAT_RESET,   /* pg_stat_reset(): the node's counters (sql/tabstat.h) */
} ex_session_fn_t;

typedef struct ex_expr ex_expr_t;
struct ex_expr {
    ex_kind_t           kind;
    sql_type_t          type;
    int                 idx, levelsup, flag;
    sql_value_t         val;
    sql_resolved_fn_t  *fn;
    sql_resolved_cast_t *cast;
    int                 nargs;
    ex_expr_t         **args;
    plan_t             *sub;        /* EX_SUBLINK                          */
    bool                correlated; /* EX_SUBLINK: refers to outer rows    */
    int                 subid;      /* EX_SUBLINK: index into the run's cache */
    const sql_table_t  *rel;        /* EX_NEXTVAL: the sequence */
    int                 nrowcmp;    /* EX_SUBLINK row form */
    ex_expr_t         **rowcmp;
    /* EX_SUBLINK keyed form (planner.c decorrelates a scalar aggregate
     * subquery correlated by equalities): args[0..nkeyed) are the keys
     * over the outer row; sub (run once) yields [keys..., value] per key;
     * empty yields the value for a key with no rows */
    int                 nkeyed;
    plan_t             *empty;
    int                 loc1;       /* unknown-type literal: its source position + 1 (0 = none),
                                     * where its input errors point */
};

/* EX_SUBSCRIPT: EX_SUB_NO_LOWER / EX_SUB_NO_UPPER of subscript d */
static inline int ex_sub_omitted(const ex_expr_t *e, int d)
{
    return (int)((e->val.u.i >> (2 * d)) & 3) << 2;
}

/* Is args[i] of e evaluated over a subquery's row (not the row e reads)? */
static inline bool ex_arg_over_sub(const ex_expr_t *e, int i)
{
    return e->kind == EX_SUBLINK && i == 1 && !e->nrowcmp && !e->nkeyed;
}

typedef enum plan_kind {
    P_SCAN,      /* base table: full, key range or point lookup            */
    P_RESULT,    /* one empty row (SELECT without FROM)                    */
    P_VALUES,    /* rows of expressions                                    */
    P_SERIES,    /* generate_series(start, stop[, step])                   */
    P_FILTER,    /* qual over the child's rows                             */
    P_PROJECT,   /* exprs over the child's rows                            */
    P_JOIN,      /* nested loop or hash join                               */
    P_AGG,       /* hash aggregate: group exprs, then aggregates           */
    P_SORT,      /* keys; with limit: top-N                                */
    P_LIMIT,
    P_LOCKROWS,  /* SELECT ... FOR UPDATE: lock the rows (struct plan_lockrows) */
    P_DISTINCT,  /* hash distinct over the first ndistinct columns         */
    P_APPEND,    /* UNION ALL                                              */
    P_SETOP,     /* INTERSECT / EXCEPT [ALL] (UNION = append + distinct)   */
    P_SUBQUERY,  /* FROM (subquery): passes the child's rows               */
    P_EXCHANGE,  /* reserved for the distributed executor                  */
    P_WINDOW,    /* child's row + window function results (exec/window.h)  */
    P_RECURSIVE, /* WITH RECURSIVE: left = non-recursive term, right = the
                  * recursive term, re-run over the rows of the last round
                  * (its P_WORKTABLE, same wtid) until a round adds none   */
    P_WORKTABLE, /* the rows of the last round of P_RECURSIVE wtid         */
    P_FUNCSCAN,  /* set-returning functions in FROM (exprs: EX_SRF), zipped as
                  * ROWS FROM does; ordinality adds a bigint column          */
} plan_kind_t;

typedef enum { J_INNER, J_LEFT, J_RIGHT, J_FULL, J_CROSS, J_SEMI, J_ANTI } plan_join_t;


typedef struct plan_sortkey {
    int        col;           /* column of the child's row */
    sql_type_t type;
    bool       desc, nulls_first;
} plan_sortkey_t;

typedef struct plan_agg {
    sql_resolved_agg_t agg;
    int          nargs;
    ex_expr_t   *args[2];     /* over the child's row, cast to agg.argtypes */
    ex_expr_t   *filter;      /* FILTER (WHERE ...) or NULL */
    bool         distinct;
    int          norder;      /* ORDER BY inside the call: inputs are sorted */
    ex_expr_t  **order;       /* over the child's row */
    plan_sortkey_t *okeys;    /* col = nargs + i: the order value's slot */
} plan_agg_t;

struct plan {
    plan_kind_t  kind;
    int          ncols;
    sql_type_t  *types;
    const char **names;
    uint32_t    *col_table;   /* RowDescription: table OID or 0 */
    int16_t     *col_attnum;
    plan_t      *left, *right;
    double       est_rows;

    /* P_SCAN */
    const sql_table_t *tab;
    int          nkey;        /* leading pk columns bound (point: nkey == npk and eq) */
    bool         point;
    ex_expr_t  **lo, **hi;    /* constant expressions (params allowed), pk column types */
    int          nlo, nhi;
    bool         lo_incl, hi_incl;
    ex_expr_t   *qual;        /* P_SCAN / P_FILTER / P_JOIN residual */

    /* P_VALUES: nrows x ncols; P_PROJECT: exprs[ncols]; P_SERIES: exprs[2..3] */
    ex_expr_t  **exprs;
    int          nrows;
    int          nexprs;

    /* P_JOIN */
    plan_join_t  jointype;
    bool         lateral;     /* right side re-run per left row: the frame of its
                               * outer references is the FROM clause's row up to
                               * the end of the left side (the left row at
                               * frame_off, after the enclosing lateral frame) */
    int          frame_off;
    int          nkeys;       /* hash join keys (0 = nested loop) */
    ex_expr_t  **lkeys, **rkeys;   /* lkeys over left rows, rkeys over right rows */
    sql_type_t  *keytypes;
    bool         merge;       /* merge join on the keys (exec/mergejoin.h): both
                               * inputs come sorted on them, ASC NULLS LAST */
    bool         no_key_filter; /* hash join: no runtime key filters (hashjoin.h) */

    /* P_AGG: output = group values, then aggregate results */
    int          ngroup;
    ex_expr_t  **group;
    int          naggs;
    plan_agg_t  *aggs;

    /* P_SORT */
    int             nsort;
    plan_sortkey_t *sort;
    /* P_LIMIT (and P_SORT's top-N bound): constant expressions */
    ex_expr_t   *limit, *offset;
    bool         with_ties;   /* P_LIMIT: also the rows equal to the last on sort[0..nsort) */

    /* P_DISTINCT: the columns in sort[0..nsort) are compared */
    int          ndistinct;
    bool         distinct_on;   /* keep the first row per key in input order */

    /* P_SETOP */
    int          setop;         /* AST_SETOP_INTERSECT / _EXCEPT */
    bool         all;

    /* P_WINDOW */
    struct plan_window *win;

    /* P_RECURSIVE (all: UNION ALL) / P_WORKTABLE */
    int          wtid;
    /* P_SCAN, P_SUBQUERY, P_WORKTABLE, P_SERIES: the name EXPLAIN shows */
    const char  *alias;
    /* P_FUNCSCAN */
    bool         ordinality;
    /* P_AGG (partial aggregates, combined) and P_SORT with a bound (top-N
     * per slice, merged): the input, a chain of filters, projections and
     * hash joins (probing) over a full scan of a hash-partitioned table
     * (par_scan), runs as parallel + 1 token slices of that scan on as many
     * threads (exec/parallel.c); 0 = serially */
    int          parallel;
    const plan_t *par_scan;
    /* P_JOIN, LATERAL over a primary-key read: left rows in batches,
     * their keys read together (exec/nlbatch.h) */
    bool         nl_batch;
    /* P_LOCKROWS */
    struct plan_lockrows *lockrows;
    /* P_SCAN: read through this secondary index (NULL = the table):
     * lo/hi bound its leading columns (ix->colids order, in key order:
     * a DESC column's bounds are swapped); qual still holds every condition */
    const sql_index_t *index;
    /* P_SCAN: a key set (planner.c key_set) instead of a key range: the
     * rows whose primary key (index NULL; a one-column key) or index's
     * first column, column kcol, equals a value of kset, a conjunct of
     * qual: col = ANY (array) (EX_ARRAYCMP) or an OR of col = value
     * (constants or parameters); NULL = none.  kcol -1: a multi-column
     * primary key's key set (exec/keyset.h): kset is an OR of ANDs giving
     * every key column = value, or an AND (the planner's, not in qual) of
     * one conjunct per key column, col = value or col = ANY (array) */
    ex_expr_t   *kset;
    int          kcol;
    /* P_SCAN: the rows must come in key order (an ordered scan replacing a
     * sort, exec/plan_order.c): through index (NULL: the primary key of a
     * range-partitioned table) even without bounds, never in slices;
     * nulls_moved: the NULLs of key column nkey are read after the other
     * rows (ASC column) or before them (DESC column), PostgreSQL's default
     * NULLS LAST / NULLS FIRST over the key encoding's order; backward:
     * the key order descending (Index Scan Backward), which flips both */
    bool         ordered, nulls_moved, backward;
};

/* P_LOCKROWS (PostgreSQL's LockRows): above the sort, below LIMIT.  The
 * child's rows end with the FROM clause's row (its columns [base, base +
 * width)); for each row it locks the row of every locked table (at off
 * within the FROM row) in mode with its wait policy, and when a
 * locked row changed since the snapshot it re-checks qual (over the FROM
 * row with the newest versions) and recomputes the child's columns
 * [0, base) with tlist over that FROM row; a row deleted meanwhile, no
 * longer qualifying or (SKIP LOCKED) locked by another is skipped. */
typedef struct plan_lockrel {
    const sql_table_t *tab;
    int          off;
    int          mode;        /* ROWLOCK_* (exec/rowlock.h) */
    int          wait;        /* 0 wait, 1 SKIP LOCKED, 2 NOWAIT (ast_lock_t's) */
} plan_lockrel_t;

struct plan_lockrows {
    int             nrels;
    plan_lockrel_t *rels;
    int             base, width;
    ex_expr_t      *qual;
    ex_expr_t     **tlist;    /* base entries */
};

#endif
