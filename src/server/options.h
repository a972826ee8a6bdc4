/*
 * options.h — the server's option tables and entry point.
 */
#ifndef RDB_SERVER_OPTIONS_H
#define RDB_SERVER_OPTIONS_H

#include "common/config.h"

/* NULL-terminated list of every module's option table. */
const rdb_opt_def_t *const *rdb_server_option_tables(void);
/* Start the node and run until shut down; returns the exit code. */
int rdb_server_run(rdb_config_t *cfg);

#endif
