/*
 * main.c — the ringdb server process: option parsing, logging, and the
 * start-up / shutdown sequence of the modules.
 *
 * Each module exports its option table; main gathers them so that --help
 * lists every option and the config file accepts every name.
 */
#include <stdio.h>
#include <stdlib.h>

#include "common/config.h"
#include "common/error.h"
#include "common/log.h"
#include "exec/cluster_glue.h"
#include "exec/engine.h"
#include "server/options.h"

int main(int argc, char **argv)
{
    rdb_config_t *cfg = rdb_config_new(rdb_server_option_tables());
    rdb_err_t err = RDB_ERR_INIT;
    rdb_status_t st = rdb_config_parse_args(cfg, argc, argv, &err);
    if (st == RDB_EOF) {
        rdb_config_free(cfg);
        return 0;
    }
    if (st != RDB_OK) {
        fprintf(stderr, "ringdb: %s\n", err.msg);
        if (err.hint)
            fprintf(stderr, "%s\n", err.hint);
        rdb_err_clear(&err);
        rdb_config_free(cfg);
        return 2;
    }
    /* The SQL engine serves unless --backend builtin asks for the test engine. */
    rdb_server_register_backend(rdb_sql_engine_init);
    rdb_server_register_backend_free(rdb_sql_engine_free);
    rdb_server_register_key_token(rdb_sql_key_token);
    int rc = rdb_server_run(cfg);
    rdb_config_free(cfg);
    return rc;
}
