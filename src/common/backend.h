/*
 * backend.h — the contract between a protocol front end and the query engine.
 *
 * src/pgwire/ (and later src/http/) speak to clients; the SQL engine
 * (src/sql/ + src/exec/ + src/txn/) runs statements.  Neither includes the
 * other: the engine fills in an rdb_backend_t, the server (src/server/)
 * hands it to the front end, and the front end calls through it.  Until
 * the SQL engine lands, pgwire's tests may use a small built-in backend.
 *
 * Threads.  Calls for one session are serialised by the front end, but may
 * come from different threads over the session's life (a long statement may
 * run on a worker thread rather than on the connection's event loop).
 * `cancel` may be called from any thread at any time.  Everything the engine
 * needs to say back goes through the rdb_sink_t passed to the call, on the
 * calling thread, before the call returns.
 *
 * Extended protocol objects.  The front end owns the name -> object maps
 * for prepared statements and portals (a protocol concept); the engine owns
 * the objects behind the handles.  A portal must not outlive its statement
 * or its session; the front end frees portals before statements and both
 * before session_close.  Unnamed objects are replaced as the protocol says.
 * An engine that has SQL-level PREPARE keeps the named statements itself
 * (stmt_store / stmt_find / stmt_close), so that PREPARE, EXECUTE,
 * DEALLOCATE and Parse share one name space as in PostgreSQL; its portals
 * then hold their statement alive on their own.
 *
 * Transactions.  The engine tracks the transaction state and reports it as
 * the ReadyForQuery status byte: 'I' idle, 'T' in a block, 'E' in a failed
 * block (statements fail with 25P02 until ROLLBACK).  In the extended
 * protocol, statements between two Syncs run in one implicit transaction
 * unless a block is open; `sync` ends it (commit, or rollback after error).
 *
 * Values on the wire.  The engine formats result values itself, in the
 * format the client asked for per column (0 text, 1 binary), because only
 * it knows the types; the front end moves bytes.  Parameters arrive the same
 * way.  A length of -1 is SQL NULL.
 */
#ifndef RDB_COMMON_BACKEND_H
#define RDB_COMMON_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

typedef struct rdb_engine  rdb_engine_t;  /* the engine of one node           */
typedef struct rdb_session rdb_session_t; /* one client session               */
typedef struct rdb_stmt    rdb_stmt_t;    /* a prepared (parsed) statement    */
typedef struct rdb_portal  rdb_portal_t;  /* a bound statement ready to run   */

/* One result column, as RowDescription describes it. */
typedef struct rdb_coldesc {
    const char *name;
    uint32_t    table_oid;  /* 0 if not a plain table column */
    int16_t     attnum;     /* 0 if not a plain table column */
    uint32_t    type_oid;
    int16_t     typlen;     /* pg_type.typlen: -1 varlena, -2 cstring */
    int32_t     typmod;     /* -1 if none */
    int16_t     format;     /* 0 text, 1 binary */
} rdb_coldesc_t;

/* Start-up parameters, after authentication. */
typedef struct rdb_startup {
    const char  *user;
    const char  *database;
    const char  *application_name;
    int          nguc;       /* other StartupMessage parameters and      */
    const char **guc_names;  /* "-c name=value" options, applied as SET  */
    const char **guc_values;
    int32_t      backend_pid;
    bool         superuser;  /* the authenticated role is a superuser */
    /* TCP addresses and ports of the two ends, as text (inet_client_addr()
     * and friends); NULL over a Unix socket */
    const char  *client_addr, *client_port, *server_addr, *server_port;
} rdb_startup_t;

/* What authentication needs to know of a role (pg_authid's columns). */
typedef struct rdb_role_info {
    char *password;    /* verifier as PostgreSQL stores it ("SCRAM-SHA-256$...",
                        * "md5...", or plain text), NULL if none; owned by the
                        * caller after the call (free()) */
    bool  can_login;
    bool  superuser;
    int64_t valid_until_ms; /* 0 = forever; wall clock, ms since the epoch */
} rdb_role_info_t;

/* Where results go.  Every callback runs on the calling thread, inside the
 * engine call.  A callback returning non-zero means the client is gone or
 * output was aborted: the engine stops the statement (57014 is not sent). */
typedef struct rdb_sink {
    void *ctx;
    /* Simple query: describe the rows about to come (extended protocol
     * clients ask with Describe instead, so execute does not call this). */
    int  (*row_desc)(void *ctx, int ncols, const rdb_coldesc_t *cols);
    /* One row of ncols values already in the requested formats. */
    int  (*data_row)(void *ctx, int ncols, const char *const *vals, const int32_t *lens);
    /* A statement finished: tag is PostgreSQL's ("SELECT 3", "INSERT 0 1"). */
    int  (*command_complete)(void *ctx, const char *tag);
    /* Simple query: an empty statement. */
    int  (*empty_query)(void *ctx);
    /* A NoticeResponse (severity in the error struct). */
    int  (*notice)(void *ctx, const rdb_err_t *notice);
    /* A reported parameter changed (SET client_encoding, ...). */
    int  (*parameter_status)(void *ctx, const char *name, const char *value);
    /* COPY TO STDOUT: begin (format 0 text / 1 binary, per-column formats),
     * data chunks, and the end; command_complete follows. */
    int  (*copy_out_begin)(void *ctx, int format, int ncols, const int16_t *col_formats);
    int  (*copy_out_data)(void *ctx, const char *data, size_t len);
    int  (*copy_out_end)(void *ctx);
    /* COPY FROM STDIN: the engine asks for data; the call then returns
     * RDB_EXEC_COPY_IN and the front end feeds CopyData through copy_in_*. */
    int  (*copy_in_begin)(void *ctx, int format, int ncols, const int16_t *col_formats);
} rdb_sink_t;

/* How an execute/simple_query call ended. */
typedef enum rdb_exec_state {
    RDB_EXEC_DONE = 0,    /* finished (command_complete was sent)           */
    RDB_EXEC_SUSPENDED,   /* row limit reached: send PortalSuspended        */
    RDB_EXEC_COPY_IN,     /* waiting for COPY data (copy_in_begin was sent) */
    RDB_EXEC_OFFLOAD,     /* not started: re-issue the same call off the
                           * event loop (only when RDB_EXEC_ON_LOOP is set) */
} rdb_exec_state_t;

/* Flags for execute and simple_query. */
#define RDB_EXEC_ON_LOOP 0x1 /* called on an event loop: if the statement may
                              * run long, return RDB_EXEC_OFFLOAD before doing
                              * anything with side effects */

typedef struct rdb_backend {
    rdb_engine_t *engine;

    /* Sessions.  session_open fails with e.g. 3D000 for an unknown database.
     * session_close rolls back an open transaction and frees everything. */
    rdb_status_t (*session_open)(rdb_engine_t *e, const rdb_startup_t *st,
                                 rdb_session_t **out, rdb_err_t *err);
    void (*session_close)(rdb_session_t *s);
    /* Parameters to report in ParameterStatus at start-up, in order;
     * returns the count, fills names/values (engine-owned, valid until the
     * next call on the session). */
    int  (*session_params)(rdb_session_t *s, const char *const **names, const char *const **values);

    /* Authentication: RDB_NOTFOUND if the role does not exist. */
    rdb_status_t (*role_lookup)(rdb_engine_t *e, const char *user, rdb_role_info_t *out,
                                rdb_err_t *err);

    /* Simple query protocol: run every statement of sql in order, each with
     * row_desc / data_row / command_complete (or empty_query).  On error:
     * returns non-OK with err set, the remaining statements are skipped.
     * After RDB_EXEC_COPY_IN and the COPY's end, call simple_query_resume
     * to run the statements that followed the COPY. */
    rdb_status_t (*simple_query)(rdb_session_t *s, const char *sql, int flags, rdb_sink_t *sink,
                                 rdb_exec_state_t *state, rdb_err_t *err);
    rdb_status_t (*simple_query_resume)(rdb_session_t *s, rdb_sink_t *sink,
                                        rdb_exec_state_t *state, rdb_err_t *err);

    /* Extended protocol. param_types: nparams OIDs, 0 = infer. */
    rdb_status_t (*prepare)(rdb_session_t *s, const char *sql, int nparams,
                            const uint32_t *param_types, rdb_stmt_t **out, rdb_err_t *err);
    /* Parameter types (after inference) and result columns (ncols 0 and
     * cols NULL: the statement returns no rows -> NoData).  Engine-owned,
     * valid while the statement lives. Formats in cols are 0. */
    void (*stmt_describe)(rdb_stmt_t *st, int *nparams, const uint32_t **param_types,
                          int *ncols, const rdb_coldesc_t **cols);
    void (*stmt_free)(rdb_stmt_t *st);
    /* Named statements kept by the engine (all three NULL: the front end
     * keeps them).  stmt_store takes st under name (not ""), or fails with
     * 42P05 if the name is taken (st stays the caller's); stmt_find gives
     * the statement (engine-owned) or NULL; stmt_close drops the name, if
     * any.  Portals of such a statement keep it alive (bind takes a
     * reference, portal_free drops it). */
    rdb_status_t (*stmt_store)(rdb_session_t *s, const char *name, rdb_stmt_t *st, rdb_err_t *err);
    rdb_stmt_t *(*stmt_find)(rdb_session_t *s, const char *name);
    void (*stmt_close)(rdb_session_t *s, const char *name);
    /* formats: per parameter, already expanded (0 text, 1 binary);
     * result_formats: nresult 0 = all text, 1 = all that one, else per column.
     * Errors: 08P01 for a count mismatch, 22P02 etc. for bad values. */
    rdb_status_t (*bind)(rdb_session_t *s, rdb_stmt_t *st, int nparams,
                         const int16_t *formats, const char *const *values,
                         const int32_t *lens, int nresult, const int16_t *result_formats,
                         rdb_portal_t **out, rdb_err_t *err);
    /* Result columns with their formats (ncols 0: NoData). */
    void (*portal_describe)(rdb_portal_t *p, int *ncols, const rdb_coldesc_t **cols);
    /* Run (or continue) a portal; max_rows 0 = all.  data_row per row, then
     * command_complete, or state SUSPENDED after max_rows rows. */
    rdb_status_t (*execute)(rdb_session_t *s, rdb_portal_t *p, int64_t max_rows, int flags,
                            rdb_sink_t *sink, rdb_exec_state_t *state, rdb_err_t *err);
    void (*portal_free)(rdb_portal_t *p);
    /* Sync: end the implicit transaction of an extended-protocol batch. */
    rdb_status_t (*sync)(rdb_session_t *s, rdb_err_t *err);

    /* COPY FROM STDIN data, after RDB_EXEC_COPY_IN.  copy_in_done finishes
     * the statement (command_complete through sink); copy_in_fail aborts it
     * with 57014 "COPY from stdin failed: <msg>". */
    rdb_status_t (*copy_in_data)(rdb_session_t *s, const char *data, size_t len, rdb_err_t *err);
    rdb_status_t (*copy_in_done)(rdb_session_t *s, rdb_sink_t *sink, rdb_err_t *err);
    void (*copy_in_fail)(rdb_session_t *s, const char *msg);

    /* 'I', 'T' or 'E' for ReadyForQuery. */
    char (*txn_status)(rdb_session_t *s);
    /* idle_in_transaction_session_timeout in ms (0 = none); may be NULL.
     * A session idle in a block ('T' or 'E') that long is closed with
     * FATAL 25P03, as PostgreSQL does. */
    int64_t (*idle_in_txn_timeout_ms)(rdb_session_t *s);
    /* Ask the running statement to stop with 57014; any thread, any time. */
    void (*cancel)(rdb_session_t *s);
} rdb_backend_t;

#endif
