/*
 * options.h — the cluster module's server options (common/config.h table).
 *
 * The server adds clu_option_table to the tables it hands to
 * rdb_config_new; the same names work on the command line and in the file.
 */
#ifndef RDB_CLUSTER_OPTIONS_H
#define RDB_CLUSTER_OPTIONS_H

#include "common/config.h"

extern const rdb_opt_def_t clu_option_table[];

#endif
