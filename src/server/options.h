/*
 * options.h — the server's option tables and entry point.
 */
#ifndef RDB_SERVER_OPTIONS_H
#define RDB_SERVER_OPTIONS_H

#include <stddef.h>
#include <stdint.h>

#include "common/backend.h"
#include "common/config.h"

/* An engine constructor: fills *out from the node's configuration. */
typedef rdb_status_t (*rdb_backend_init_fn)(const rdb_config_t *cfg, rdb_backend_t *out,
                                            rdb_err_t *err);
/* Use init instead of the built-in backend; call before rdb_server_run. */
void rdb_server_register_backend(rdb_backend_init_fn init);
/* How to close the registered engine at shutdown (optional). */
void rdb_server_register_backend_free(void (*fn)(rdb_backend_t *b));

/* The placement token of a key for the cluster node started from --node-id
 * when the registered engine serves (cluster/replica.h clu_token_fn: the
 * SQL engine extracts the token embedded in its row keys).  Every member of
 * a cluster must use the same function.  Call before rdb_server_run. */
void rdb_server_register_key_token(uint64_t (*fn)(const void *key, size_t klen, void *ctx));

/* The cluster node of this process (started from --node-id before the
 * engine's init runs, so the engine can take its store with clu_node_db and
 * replicate through clu_node_commit_batch), or NULL on a single node. */
struct clu_node;
struct clu_node *rdb_server_node(void);

/* NULL-terminated list of every module's option table. */
const rdb_opt_def_t *const *rdb_server_option_tables(void);
/* Start the node and run until shut down; returns the exit code. */
int rdb_server_run(rdb_config_t *cfg);

#endif
