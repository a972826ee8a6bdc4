/*
 * pgwire.h — the PostgreSQL v3 wire-protocol front end.
 *
 * One accept loop (the caller's thread) and `threads` worker threads, each
 * with its own libev loop; accepted sockets are handed to workers round
 * robin through an ev_async.  Each connection runs the protocol state
 * machine (start-up, simple and extended query, COPY) against an
 * rdb_backend_t.  Statements the backend wants off the loop
 * (RDB_EXEC_OFFLOAD) run on a short-lived thread while the loop keeps
 * serving other sessions; results produced there wait for socket space
 * (back-pressure) instead of growing the output buffer without bound.
 */
#ifndef RDB_PGWIRE_PGWIRE_H
#define RDB_PGWIRE_PGWIRE_H

#include <stdint.h>

#include "common/backend.h"
#include "common/config.h"
#include "common/error.h"

/* The wire protocol's option table (listen, port, unix-socket-dir, ...). */
extern const rdb_opt_def_t rdb_pgwire_options[];

typedef struct rdb_pgwire rdb_pgwire_t;

/* Bind the listeners described by cfg.  backend must outlive the server. */
rdb_status_t rdb_pgwire_new(const rdb_config_t *cfg, const rdb_backend_t *backend,
                            rdb_pgwire_t **out, rdb_err_t *err);
/* Serve until SIGTERM/SIGINT; SIGHUP calls on_reload(ctx) on this thread.
 * Returns after every connection is closed. */
void rdb_pgwire_run(rdb_pgwire_t *pw, void (*on_reload)(void *ctx), void *ctx);
/* Re-read reloadable options (after the caller reloaded cfg). */
void rdb_pgwire_reconfigure(rdb_pgwire_t *pw, const rdb_config_t *cfg);
void rdb_pgwire_free(rdb_pgwire_t *pw);

#endif
