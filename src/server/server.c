/*
 * server.c — node start-up and shutdown: data directory, logging, then each
 * module in dependency order (storage, cluster, SQL, wire protocol, HTTP),
 * and the reverse on SIGTERM/SIGINT.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "cluster/node.h"
#include "cluster/options.h"
#include "common/log.h"
#include "pgwire/builtin_backend.h"
#include "pgwire/pgwire.h"
#include "server/options.h"

static const rdb_opt_def_t server_opts[] = {
    { "data-dir", RDB_OPT_STRING, NULL, "directory holding this node's data", "DIR", false },
    { "log-level", RDB_OPT_STRING, "info", "error, warn, info, debug or trace", "LEVEL", true },
    { "log-file", RDB_OPT_STRING, NULL, "append the log to FILE instead of stderr", "FILE", true },
    { "backend", RDB_OPT_STRING, "sql", "query engine: sql, or builtin (the wire-protocol test engine)",
      "NAME", false },
    { NULL, 0, NULL, NULL, NULL, false },
};

/* The engine behind the wire protocol: the SQL engine registers itself
 * here when it is linked in; until then the built-in backend serves. */
static rdb_backend_init_fn registered_backend;
static void (*registered_backend_free)(rdb_backend_t *);

/* The cluster node, started before the engine when --node-id is given. */
static clu_node_t *server_node;

clu_node_t *rdb_server_node(void) { return server_node; }

void rdb_server_register_backend(rdb_backend_init_fn init) { registered_backend = init; }
void rdb_server_register_backend_free(void (*fn)(rdb_backend_t *)) { registered_backend_free = fn; }
static clu_token_fn registered_key_token;
void rdb_server_register_key_token(clu_token_fn fn) { registered_key_token = fn; }

typedef struct reload_ctx {
    rdb_config_t *cfg;
    rdb_pgwire_t *pw;
} reload_ctx_t;

static void on_reload(void *arg)
{
    reload_ctx_t *rc = arg;
    rdb_err_t err = RDB_ERR_INIT;
    if (rdb_config_reload(rc->cfg, &err) != RDB_OK) {
        RDB_LOG_ERROR("server", "configuration reload failed: %s", err.msg);
        rdb_err_clear(&err);
        return;
    }
    int level = rdb_log_level_parse(rdb_config_str(rc->cfg, "log-level"));
    if (level >= 0)
        rdb_log_set_level(level);
    rdb_pgwire_reconfigure(rc->pw, rc->cfg);
    if (server_node)
        clu_node_reconfigure(server_node, rc->cfg);
}

const rdb_opt_def_t *const *rdb_server_option_tables(void)
{
    static const rdb_opt_def_t *const tables[] = { server_opts, rdb_pgwire_options,
                                                   clu_option_table, NULL };
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

    /* Each client holds a descriptor: allow as many as the hard limit. */
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }

    rdb_backend_t backend;
    rdb_err_t err = RDB_ERR_INIT;
    const char *which = rdb_config_str(cfg, "backend");
    if (which && strcmp(which, "builtin") == 0)
        registered_backend = NULL;
    else if (which && strcmp(which, "sql") != 0) {
        fprintf(stderr, "ringdb: unknown backend \"%s\" (sql or builtin)\n", which);
        return 2;
    }
    if (rdb_config_is_set(cfg, "node-id")) {
        clu_node_opts_t no;
        bool ok = clu_node_opts_from_config(&no, cfg, &err) == RDB_OK;
        if (registered_backend)
            no.key_token = registered_key_token;
        if (!ok ||
            clu_node_start(&no, &server_node, &err) != RDB_OK) {
            RDB_LOG_ERROR("server", "could not start the cluster node: %s", err.msg);
            rdb_err_clear(&err);
            return 1;
        }
    }
    if (registered_backend) {
        if (registered_backend(cfg, &backend, &err) != RDB_OK) {
            RDB_LOG_ERROR("server", "could not start the engine: %s", err.msg);
            rdb_err_clear(&err);
            clu_node_stop(server_node);
            server_node = NULL;
            return 1;
        }
    } else {
        rdb_builtin_backend_init(&backend);
    }
    rdb_pgwire_t *pw;
    if (rdb_pgwire_new(cfg, &backend, &pw, &err) != RDB_OK) {
        RDB_LOG_ERROR("server", "%s", err.msg);
        rdb_err_clear(&err);
        if (!registered_backend)
            rdb_builtin_backend_free(&backend);
        else if (registered_backend_free)
            registered_backend_free(&backend);
        clu_node_stop(server_node);
        server_node = NULL;
        return 1;
    }
    reload_ctx_t rc = { cfg, pw };
    rdb_pgwire_run(pw, on_reload, &rc);
    rdb_pgwire_free(pw);
    if (!registered_backend)
        rdb_builtin_backend_free(&backend);
    else if (registered_backend_free)
        registered_backend_free(&backend);
    clu_node_stop(server_node);
    server_node = NULL;
    RDB_LOG_INFO("server", "shut down");
    return 0;
}
