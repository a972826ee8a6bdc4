/*
 * client.h — a blocking control client for a node's peer port, used by
 * ringdb-ctl, the multi-node tests and the cluster benchmark.
 *
 * It authenticates as node 0 with the cluster secret (auth.h: the node
 * proves it knows the secret too), then sends CTL frames and waits for the
 * CTL_REPLY with the same id.  Not thread safe: one client per thread.
 */
#ifndef RDB_CLUSTER_CLIENT_H
#define RDB_CLUSTER_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cluster/consistency.h"
#include "common/buf.h"
#include "common/error.h"

typedef struct clu_client clu_client_t;

/* timeout_ms bounds connect, handshake and each reply (0 = 10 s). */
rdb_status_t clu_client_connect(const char *host, int port, const char *secret, int timeout_ms,
                                clu_client_t **out, rdb_err_t *err);
void         clu_client_close(clu_client_t *c);
/* Run cmd with nargs byte-string arguments at consistency cl.  RDB_OK: the
 * node answered ok; RDB_SQL: the node answered an error; reply (JSON text)
 * holds the payload either way.  Other statuses: transport errors (err). */
rdb_status_t clu_client_call(clu_client_t *c, const char *cmd, const char *const *args,
                             const size_t *arglens, size_t nargs, clu_consistency_t cl,
                             rdb_buf_t *reply, rdb_err_t *err);
/* The pipelined form used by the benchmark: send now, collect later (the
 * replies come back in any order; *id_out / id identify them). */
rdb_status_t clu_client_send(clu_client_t *c, const char *cmd, const char *const *args,
                             const size_t *arglens, size_t nargs, clu_consistency_t cl,
                             uint64_t *id_out, rdb_err_t *err);
rdb_status_t clu_client_recv(clu_client_t *c, uint64_t *id, bool *ok, rdb_buf_t *reply,
                             rdb_err_t *err);

/* The first line of a secret file, trailing blanks removed (malloc'd), or
 * NULL with errno set. */
char *clu_read_secret_file(const char *path);

#endif
