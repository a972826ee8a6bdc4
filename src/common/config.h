/*
 * config.h — server options from the command line and a config file.
 *
 * Each module declares the options it reads in a table of rdb_opt_def_t
 * (name, type, default, help), ended by an entry with name NULL.  The server
 * hands all tables to rdb_config_new; the same names work as `--name VALUE`
 * (or `--name=VALUE`) on the command line and as `name = value` lines in the
 * file named by --config.  Command-line values win over the file.  Names may
 * be written with '-' or '_'.  Values are validated against their type when
 * they are set, so a bad value is reported with its name at start-up.
 *
 * SIGHUP reload: rdb_config_reload re-reads the file; options not marked
 * `reloadable` keep their value (a change is logged and ignored).
 *
 * Thread-safety: read-only after start-up except rdb_config_reload, which
 * the owner must serialise against readers (the server does it on the main
 * thread and publishes a new config to loops via ev_async).
 */
#ifndef RDB_COMMON_CONFIG_H
#define RDB_COMMON_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"

typedef enum rdb_opt_type {
    RDB_OPT_STRING,
    RDB_OPT_INT,      /* signed 64-bit                                */
    RDB_OPT_BOOL,     /* on/off, true/false, yes/no, 1/0              */
    RDB_OPT_SIZE,     /* bytes, with optional kB/MB/GB suffix (1024)  */
    RDB_OPT_DURATION, /* milliseconds, with optional ms/s/min/h       */
    RDB_OPT_FLAG,     /* no argument on the command line; sets "on"   */
} rdb_opt_type_t;

typedef struct rdb_opt_def {
    const char     *name;
    rdb_opt_type_t  type;
    const char     *defval;     /* NULL: unset                       */
    const char     *help;
    const char     *metavar;    /* e.g. "DIR" in --help              */
    bool            reloadable; /* may change on SIGHUP              */
} rdb_opt_def_t;

typedef struct rdb_config rdb_config_t;

/* tables: NULL-terminated array of option tables.  Owned by the caller and
 * must outlive the config.  --config and --help are always defined. */
rdb_config_t *rdb_config_new(const rdb_opt_def_t *const *tables);
void rdb_config_free(rdb_config_t *cfg);

/* Parse argv; if --config FILE is given, load it first (argv wins).
 * Returns RDB_OK, RDB_INVALID with err set, or RDB_EOF after printing --help. */
rdb_status_t rdb_config_parse_args(rdb_config_t *cfg, int argc, char **argv, rdb_err_t *err);
rdb_status_t rdb_config_load_file(rdb_config_t *cfg, const char *path, rdb_err_t *err);
rdb_status_t rdb_config_reload(rdb_config_t *cfg, rdb_err_t *err);
/* Set one option as if from the command line. */
rdb_status_t rdb_config_set(rdb_config_t *cfg, const char *name, const char *value, rdb_err_t *err);
void rdb_config_print_help(const rdb_config_t *cfg, const char *progname);

/* Getters.  Asking for a name that no table defines is a programming error
 * (asserted).  An unset option without default gives NULL / 0 / false. */
const char *rdb_config_str(const rdb_config_t *cfg, const char *name);
int64_t     rdb_config_int(const rdb_config_t *cfg, const char *name);
bool        rdb_config_bool(const rdb_config_t *cfg, const char *name);
/* SIZE in bytes, DURATION in ms (same as rdb_config_int). */
#define rdb_config_size rdb_config_int
#define rdb_config_ms   rdb_config_int
bool        rdb_config_is_set(const rdb_config_t *cfg, const char *name);

/* Value parsers, shared with SET in the SQL layer.  Return 0 or -1. */
int rdb_parse_int64(const char *s, int64_t *out);
int rdb_parse_bool(const char *s, bool *out);
int rdb_parse_size(const char *s, int64_t *out);
int rdb_parse_duration_ms(const char *s, int64_t *out);

#endif
