/*
 * server.c — node start-up and shutdown: data directory, logging, then each
 * module in dependency order (storage, cluster, SQL, wire protocol, HTTP),
 * and the reverse on SIGTERM/SIGINT.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "common/log.h"
#include "server/options.h"

static const rdb_opt_def_t server_opts[] = {
    { "data-dir", RDB_OPT_STRING, NULL, "directory holding this node's data", "DIR", false },
    { "log-level", RDB_OPT_STRING, "info", "error, warn, info, debug or trace", "LEVEL", true },
    { "log-file", RDB_OPT_STRING, NULL, "append the log to FILE instead of stderr", "FILE", true },
    { NULL, 0, NULL, NULL, NULL, false },
};

const rdb_opt_def_t *const *rdb_server_option_tables(void)
{
    static const rdb_opt_def_t *const tables[] = { server_opts, NULL };
    return tables;
}

int rdb_server_run(rdb_config_t *cfg)
{
    int level = rdb_log_level_parse(rdb_config_str(cfg, "log-level"));
    if (level < 0) {
        fprintf(stderr, "ringdb: invalid log level \"%s\"\n", rdb_config_str(cfg, "log-level"));
        return 2;
    }
    rdb_log_set_level(level);
    if (rdb_config_str(cfg, "log-file") && rdb_log_set_file(rdb_config_str(cfg, "log-file")) != 0) {
        fprintf(stderr, "ringdb: could not open log file \"%s\": %s\n",
                rdb_config_str(cfg, "log-file"), strerror(errno));
        return 2;
    }
    const char *dir = rdb_config_str(cfg, "data-dir");
    if (!dir) {
        fprintf(stderr, "ringdb: --data-dir is required\n");
        return 2;
    }
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        RDB_LOG_ERROR("server", "could not create data directory \"%s\": %s", dir, strerror(errno));
        return 1;
    }
    RDB_LOG_INFO("server", "data directory %s", dir);
    return 0;
}
