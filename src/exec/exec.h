/*
 * exec.h — running plans (plan.h): the per-run context, expression
 * evaluation and the operators.
 *
 * A run (ex_run_t) belongs to one statement execution on one thread.  It
 * holds what expressions need besides their row: parameters, the
 * transaction, the function context (settings, timestamps), the session
 * (for current_user and friends), the rows of enclosing queries
 * (correlated subqueries), and the limits: a memory budget over the
 * memory operators keep (53200 when exceeded), the cancel flag and the
 * statement deadline (57014), checked every few hundred rows.
 *
 * Operators are pull-based (open / next / close).  A row returned by next
 * stays valid until the next call to next on the same operator; operators
 * that keep rows (sort, hash tables, materialised inner sides) copy them
 * into the run's arena, whose growth is what the budget counts.
 */
#ifndef RDB_EXEC_EXEC_H
#define RDB_EXEC_EXEC_H

#include <stdatomic.h>

#include "exec/plan.h"
#include "sql/catalog.h"
#include "txn/txn.h"

typedef struct ex_session_ops {
    void *ctx;
    /* A session value as text (EX_SESSION: version(), current_user, ...).
     * For EX_S_CURRENT_SETTING / SET_CONFIG, arg is the setting name (and
     * value); NULL result with *err set means an error. */
    const char *(*value)(void *ctx, ex_session_fn_t fn, const char *arg, const char *arg2,
                         rdb_err_t *err);
    /* currval bookkeeping: set (after nextval/setval) or get the session's
     * last value of sequence id; get returns false if none yet. */
    bool (*seq_last)(void *ctx, uint32_t seqid, bool set, int64_t *v);
} ex_session_ops_t;

enum { EX_LOCK_WAIT, EX_LOCK_NOWAIT, EX_LOCK_SKIP };

typedef struct ex_run {
    rdb_arena_t        *a;         /* kept rows: counted against the budget */
    txn_t              *txn;
    sql_catalog_t      *cat;
    const sql_catsnap_t *snap;
    int                 nparams;
    const sql_value_t  *params;
    sql_fn_ctx_t        fn;        /* arena replaced per call */
    const ex_session_ops_t *sess;
    rdb_err_t          *err;
    atomic_int         *cancel;    /* non-zero: stop with 57014 */
    int64_t             deadline_ns; /* 0 = none (monotonic clock) */
    size_t              mem_limit; /* bytes of kept rows, 0 = none */
    size_t              work_mem;  /* bytes a sort holds before it spills (0: 4MB) */
    const char         *tmp_dir;   /* where sorts spill (NULL: /tmp) */
    unsigned            tick;
    /* Row locks (exec/rowlock.h; NULL = none), taken by UPDATE, DELETE,
     * SELECT ... FOR <mode> and FOREIGN KEY checks: lock the row of tab in
     * mode (ROWLOCK_*), then read its newest committed version overlaid
     * with this transaction's own writes.  policy EX_LOCK_WAIT waits,
     * EX_LOCK_NOWAIT fails with 55P03, EX_LOCK_SKIP sets *gone.  *latest:
     * that version when it differs from row (NULL otherwise); *gone: the
     * row was deleted meanwhile (or skipped).  Errors go to r->err. */
    rdb_status_t      (*lock_row)(struct ex_run *r, const sql_table_t *tab, const sql_value_t *row,
                                  int mode, int policy, rdb_arena_t *a, sql_value_t **latest, bool *gone);
    /* Lock key in mode for the transaction as lock_row does, without a
     * read: a UNIQUE value's lock (dml.h's ex_unique_lock).  relname is
     * named by 55P03; *skipped under EX_LOCK_SKIP.  NULL: no locks. */
    rdb_status_t      (*lock_key)(struct ex_run *r, const char *key, size_t klen, int mode, int policy,
                                  const char *relname, bool *skipped);
    void               *lock_ctx;
    /* enclosing rows for EX_OUTER */
    int                 nframes;
    const sql_value_t  *frames[32];
    /* uncorrelated subquery results, by subid */
    int                 nsubs;
    struct ex_subcache *subs;
    /* WITH RECURSIVE: the running P_RECURSIVE nodes, by wtid (exec.c) */
    int                 nwt;
    struct ex_node    **wt;
    /* EXPLAIN ANALYZE: per-plan-node counters (explain.c), NULL = off */
    struct ex_instr_map *instr;
    /* a slice of a parallel scan (exec/parallel.h): full scans of
     * hash-partitioned tables read token slice part of nparts (0 = all) */
    int                 part, nparts;
    const struct plan  *par_scan;   /* the scan that is sliced */
    /* the transaction's checks of DEFERRABLE foreign keys deferred to
     * COMMIT, and its SET CONSTRAINTS state (exec/fkey.h); NULL = none
     * can be deferred; *fk_deferred is created on first use */
    struct ex_fk_deferred **fk_deferred;
    /* row changes waiting for the transaction's end (sql/tabstat.h); NULL = count at once */
    struct sql_tabstat_pending **tabstat;
} ex_run_t;

/* The memory an operator holds before it spills: work_mem (4MB where it
 * is 0), and twice that for a hash table (PostgreSQL 15's default
 * hash_mem_multiplier, 2.0). */
static inline size_t ex_work_mem(const ex_run_t *r)
{
    return r->work_mem ? r->work_mem : 4u * 1024 * 1024;
}

static inline size_t ex_hash_mem(const ex_run_t *r)
{
    return 2 * ex_work_mem(r);
}

typedef struct ex_node ex_node_t;

/* Evaluate e over row; variable-length results live in a. */
rdb_status_t ex_eval(ex_run_t *r, const ex_expr_t *e, const sql_value_t *row, rdb_arena_t *a,
                     sql_value_t *out);
/* A boolean condition: true only when it evaluates to true. */
rdb_status_t ex_qual(ex_run_t *r, const ex_expr_t *e, const sql_value_t *row, rdb_arena_t *a,
                     bool *out);

/* Is '=' on this type exactly the equality of sql_value_cmp, with a
 * matching sql_value_hash (so values can be looked up in a hash table)? */
bool ex_hash_eq_type(uint32_t oid);

/* Size the uncorrelated-subquery cache (bindenv nsubs); call once per run. */
void ex_run_init_subs(ex_run_t *r, int nsubs);

ex_node_t *ex_open(ex_run_t *r, const plan_t *p);
/* Next row (p->ncols values) or NULL at the end or on error (r->err set). */
const sql_value_t *ex_next(ex_node_t *n);
void ex_close(ex_node_t *n);

/* For hashjoin.c's runtime key filters.  Turn node n, a full scan not yet
 * started of a table whose one-column primary key is colid (of type
 * type), into point reads of the nkeys keys (distinct, none NULL; copied),
 * its qual still applied; a slice of a parallel scan reads its share of
 * them.  false (n unchanged) when n is no such scan. */
bool ex_node_scan_keys(ex_node_t *n, int colid, sql_type_t type, const sql_value_t *keys,
                       int64_t nkeys);
/* The hash join of node n (P_JOIN with keys, neither LATERAL nor a merge
 * join), made now if n has not run yet; NULL for any other node. */
struct ex_join *ex_node_hashjoin(ex_node_t *n);

/* 57014 / 53200 checks; call now and then in long loops. */
rdb_status_t ex_check(ex_run_t *r);
/* The same, counting held bytes kept outside r->a (a hash table's own arena). */
rdb_status_t ex_check_mem(ex_run_t *r, size_t held);
/* 53200 "out of memory" in r->err, PostgreSQL's detail "Failed on request
 * of size N" with N the bytes the query held; returns RDB_NOMEM. */
rdb_status_t ex_mem_error(ex_run_t *r, size_t size);
/* Deep copy of a row of n values of the given types into a. */
sql_value_t *ex_copy_row(rdb_arena_t *a, const sql_type_t *types, int n, const sql_value_t *row);
/* A scan's pg_stat counters (sql/tabstat.h), once per scan: kind 's' a
 * full scan, 'i' by key or index ix (NULL: the primary key); nread rows. */
void ex_scan_stats(const sql_table_t *t, const sql_index_t *ix, char kind, int64_t nread);

#endif
