/*
 * engine_int.h — what the engine's files (engine.c, guc.c, copy.c) share.
 * Nothing outside src/exec/ includes this.
 */
#ifndef RDB_EXEC_ENGINE_INT_H
#define RDB_EXEC_ENGINE_INT_H

#include <stdatomic.h>

#include "cluster/hlc.h"
#include "common/backend.h"
#include "exec/dml.h"
#include "exec/exec.h"
#include "exec/planner.h"
#include "exec/rowlock.h"
#include "sql/analyze.h"
#include "sql/ast.h"
#include "sql/catalog.h"
#include "sql/types.h"
#include "txn/txn.h"

#define ENG_MAX_GUCS 64
#define ENG_MAX_PATH 8

struct rdb_engine {
    lsm_db_t      *db;
    clu_hlc_t      hlc;
    txn_store_t   *st;
    sql_catalog_t *cat;
    char          *data_dir;
    char          *tmp_dir;  /* <data-dir>/tmp: sorts spill here (extsort.h) */
    rowlocks_t    *locks;
    struct clu_node *node;  /* --node-id: its store and clock are ours (cluster_glue.c) */
};

typedef struct eng_guc {
    char *name;     /* canonical spelling */
    char *value;
    char *reset;    /* value to RESET to */
    char *local_saved; /* SET LOCAL: the value to restore at transaction end, NULL = none */
} eng_guc_t;

typedef struct copy_state copy_state_t;

/* A simple-query string and its parse tree.  A session keeps the last
 * ENG_PARSE_CACHE strings it ran, so that a repeated string and a query
 * handed from the event loop to a worker are parsed once.  The tree is the
 * grammar's only: binding against the catalog happens per execution, as for
 * a prepared statement, so no catalog change can make an entry stale. */
#define ENG_PARSE_CACHE 8
typedef struct eng_parsed {
    char        *sql;           /* NULL: free slot */
    size_t       len;
    uint64_t     hash;
    uint64_t     used;          /* parsed_tick of the last use */
    bool         once;          /* not worth keeping past the next query */
    bool         pinned;        /* running (or waiting for COPY data) */
    bool         arena_ok;
    rdb_arena_t  arena;
    ast_parse_t  parse;
} eng_parsed_t;

struct rdb_session {
    rdb_engine_t *e;
    char         *user, *database;
    int32_t       pid;
    char         *inet[4];   /* client addr, port, server addr, port; NULL: Unix socket */
    int           nguc;
    eng_guc_t     guc[ENG_MAX_GUCS];
    const char   *pnames[ENG_MAX_GUCS], *pvalues[ENG_MAX_GUCS];
    sql_format_settings_t fs;
    char         *path[ENG_MAX_PATH];
    int           npath;
    int64_t       statement_timeout_ms;
    int64_t       idle_in_txn_timeout_ms;
    int64_t       work_mem;             /* bytes */
    int64_t       query_mem_limit;      /* bytes, 0 = from work_mem (ringdb.query_mem_limit) */
    /* transaction */
    txn_t        *txn;
    char          state;                /* 'I', 'T', 'E' */
    bool          implicit;             /* txn is the extended protocol's implicit one */
    bool          implicit_failed;
    atomic_int    cancel;
    rowlock_owner_t locks;              /* row locks of the current transaction */
    bool          may_wait;             /* the running statement is off the event loop */
    int64_t       txn_ts;               /* now() of the current transaction */
    /* currval */
    int           nseq;
    uint32_t      seq_id[32];
    int64_t       seq_val[32];
    /* COPY FROM STDIN in progress, and what followed it in the query */
    copy_state_t *copy;
    eng_parsed_t *rest;                 /* the query string being run (pinned) */
    int           rest_next;
    /* query strings parsed lately (engine.c, parse cache) */
    eng_parsed_t  parsed[ENG_PARSE_CACHE];
    uint64_t      parsed_tick;
    /* SQL-level prepared statements (PREPARE), newest first */
    struct eng_prep *preps;
    /* foreign-key checks deferred to COMMIT, SET CONSTRAINTS (exec/fkey.h) */
    struct ex_fk_deferred *fkdef;
    /* the transaction's row changes for n_live_tup / n_dead_tup (sql/tabstat.h) */
    struct sql_tabstat_pending *tabstat;
};

/* guc.c */
void eng_guc_init(rdb_session_t *s, const rdb_startup_t *st);
void eng_guc_free(rdb_session_t *s);
const char *eng_guc_get(rdb_session_t *s, const char *name);
/* The session's planner switches (enable_*, join_collapse_limit). */
struct plan_opts;
void eng_plan_opts(rdb_session_t *s, struct plan_opts *o);
/* SET LOCAL (inside a transaction block): undone by eng_guc_txn_end. */
rdb_status_t eng_guc_set_local(rdb_session_t *s, const char *name, const char *value, rdb_sink_t *sink,
                               rdb_err_t *err);
void eng_guc_txn_end(rdb_session_t *s);
/* Does client_min_messages let a message of this severity through? */
bool eng_guc_notice_wanted(rdb_session_t *s, int severity);
/* The i-th parameter pg_settings lists (NULL past the last) and its description. */
const char *eng_guc_def_at(int i, const char **desc);
/* SET name = value (value NULL: RESET; name NULL: RESET ALL). */
rdb_status_t eng_guc_set(rdb_session_t *s, const char *name, const char *value, rdb_sink_t *sink,
                         rdb_err_t *err);
/* SHOW name (or ALL) as rows through sink (row_desc when describe). */
rdb_status_t eng_guc_show(rdb_session_t *s, const char *name, rdb_sink_t *sink, bool describe,
                          rdb_err_t *err);
int eng_guc_reported(rdb_session_t *s, const char *const **names, const char *const **values);

/* copy.c */
rdb_status_t eng_copy_begin(rdb_session_t *s, ast_stmt_t *st, rdb_sink_t *sink, rdb_exec_state_t *state,
                            rdb_err_t *err);
rdb_status_t eng_copy_out(rdb_session_t *s, ast_stmt_t *st, rdb_sink_t *sink, rdb_err_t *err);
rdb_status_t eng_copy_data(rdb_session_t *s, const char *data, size_t len, rdb_err_t *err);
rdb_status_t eng_copy_done(rdb_session_t *s, rdb_sink_t *sink, uint64_t *rows, rdb_err_t *err);
void eng_copy_free(rdb_session_t *s);

/* engine.c: statement plumbing shared with copy.c */
/* The transaction a statement runs in: the session's, or a new one (*own). */
txn_t *eng_stmt_txn(rdb_session_t *s, bool *own);
/* End a statement: commit or abort an own txn; mark a block failed. */
rdb_status_t eng_stmt_end(rdb_session_t *s, txn_t *t, bool own, rdb_status_t rc, rdb_err_t *err);
/* The session's transaction ended (committed or aborted): drop its locks. */
void eng_txn_done(rdb_session_t *s);
/* COMMIT of t: run the foreign-key checks deferred to it, if any
 * (23503 fails the commit; the caller then aborts t). */
rdb_status_t eng_fk_deferred_check(rdb_session_t *s, txn_t *t, rdb_err_t *err);
void eng_run_init(rdb_session_t *s, ex_run_t *r, txn_t *t, const sql_catsnap_t *snap, rdb_arena_t *a,
                  rdb_err_t *err);
void eng_bindenv_init(rdb_session_t *s, sql_bindenv_t *b, rdb_arena_t *a, const sql_catsnap_t *snap,
                      const char *sql, sql_type_t *ptypes);
extern const ex_session_ops_t eng_session_ops;
/* pg_prepared_statements: the i-th named prepared statement of s (NULL
 * past the last): its name, the query string that created it, its
 * prepare_time (PostgreSQL microseconds) and parameter types; all valid
 * until the session's next statement. */
const char *eng_prepared_at(rdb_session_t *s, int i, const char **text, int64_t *time, int *nparams,
                            const uint32_t **ptypes, int64_t *execs, bool *from_sql);

/* cluster_glue.c: the engine on a cluster node */
struct clu_node *eng_clu_node(void);
/* Replicate each commit and reload catalogs on replicated catalog changes. */
void eng_clu_attach(rdb_engine_t *e);
void eng_clu_detach(rdb_engine_t *e);
/* txn_commit at the session's ringdb.consistency. */
rdb_status_t eng_commit(rdb_session_t *s, txn_t *t, rdb_err_t *err);
/* The session's commits wait for other replicas (keep them off the loop). */
bool eng_clu_commit_waits(rdb_session_t *s);
/* Route t's reads of user data through the cluster at the session's
 * ringdb.consistency (QUORUM / ALL: the newest version among the
 * replicas, with read repair; ONE: local, repairing now and then). */
void eng_clu_reads(rdb_session_t *s, txn_t *t);
/* ringdb_split_partition(table, key), ringdb_merge_partitions(table, key),
 * ringdb_partitions(table), ringdb_key_placement(table, key): JSON text
 * (valid until the thread's next call), NULL with err set on failure. */
const char *eng_clu_partition_fn(rdb_session_t *s, int fn, const char *table, const char *key,
                                 rdb_err_t *err);

#endif
