/*
 * cluster_glue.h — what the rest of the server needs to know about the SQL
 * engine on a cluster node (the engine's own side is in engine_int.h).
 */
#ifndef RDB_EXEC_CLUSTER_GLUE_H
#define RDB_EXEC_CLUSTER_GLUE_H

#include <stddef.h>
#include <stdint.h>

/* Placement token of a key of the SQL engine's key space (DESIGN.md §3), a
 * clu_token_fn for the cluster node (rdb_server_register_key_token): the
 * 8 bytes after 0x02 ‖ table_id of a row key (the partition key's hash for
 * hash-partitioned tables, the leading primary-key bytes for the others),
 * else clu_token of the whole key (index entries, sequences, catalog). */
uint64_t rdb_sql_key_token(const void *key, size_t klen, void *ctx);

#endif
