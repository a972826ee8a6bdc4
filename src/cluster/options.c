/*
 * options.c — option table for src/cluster/ (see options.h).
 */
#include "cluster/options.h"

#include <stddef.h>

const rdb_opt_def_t clu_option_table[] = {
    { "node-id", RDB_OPT_INT, NULL, "this node's id in the cluster (1-65535)", "N", false },
    { "peer-port", RDB_OPT_INT, "0", "TCP port for peer links (0: any free port)", "PORT", false },
    { "peer-host", RDB_OPT_STRING, "127.0.0.1", "address the peer port listens on", "HOST", false },
    { "peers", RDB_OPT_STRING, NULL, "comma-separated HOST:PPORT of the other members", "LIST", false },
    { "join", RDB_OPT_STRING, NULL, "join a running cluster through this member", "HOST:PPORT", false },
    { "cluster-secret", RDB_OPT_STRING, NULL, "shared secret authenticating peer links", "SECRET", false },
    { "cluster-secret-file", RDB_OPT_STRING, NULL, "read the cluster secret from FILE", "FILE", false },
    { "write-sync", RDB_OPT_BOOL, "on", "fsync every replicated write before acknowledging it", "BOOL", false },
    { "replication-factor", RDB_OPT_INT, "3", "replicas per partition", "N", false },
    { "vnodes", RDB_OPT_INT, "16", "virtual nodes per member on the ring", "N", false },
    { "max-clock-offset", RDB_OPT_DURATION, "500ms", "refuse peer clocks further ahead than this", "DURATION", false },
    { "heartbeat-interval", RDB_OPT_DURATION, "200ms", "peer heartbeat period", "DURATION", true },
    { "failure-timeout", RDB_OPT_DURATION, "2s", "silence after which a peer is suspect, twice that: down", "DURATION", true },
    { "write-timeout", RDB_OPT_DURATION, "2s", "how long a QUORUM/ALL write waits for replicas", "DURATION", true },
    { "hint-limit", RDB_OPT_SIZE, "256MB", "bound on stored hints per peer", "SIZE", false },
    { "hint-window", RDB_OPT_DURATION, "3h", "keep hints for a down peer at most this long", "DURATION", true },
    { "tombstone-grace", RDB_OPT_DURATION, "10d", "keep tombstones at least this long (> hint window)", "DURATION", false },
    { "read-repair-chance", RDB_OPT_INT, "10", "percent of ONE reads that repair replicas", "PCT", true },
    { "anti-entropy-interval", RDB_OPT_DURATION, "10min", "period of Merkle comparisons", "DURATION", true },
    { "auto-split-rate", RDB_OPT_INT, "0", "split a range partition written more than N times a second on this node (0: off)", "N", true },
    { "auto-split-cooldown", RDB_OPT_DURATION, "30s", "no automatic split of a table within this time of its last map change", "DURATION", true },
    { NULL, 0, NULL, NULL, NULL, false },
};
