/*
 * engine.h — the SQL engine of a node, behind backend.h.
 */
#ifndef RDB_EXEC_ENGINE_H
#define RDB_EXEC_ENGINE_H

#include "common/backend.h"
#include "common/config.h"

/* Open the node's store (DATA_DIR/db), clock, transactions and catalog,
 * and fill *out (rdb_backend_init_fn).  With --node-id the store, clock and
 * node id are the cluster node's instead (cluster_glue.c). */
rdb_status_t rdb_sql_engine_init(const rdb_config_t *cfg, rdb_backend_t *out, rdb_err_t *err);
/* Close everything rdb_sql_engine_init opened. */
void rdb_sql_engine_free(rdb_backend_t *b);

#endif
