/*
 * catalog_int.h — what the catalog/DDL side shares inside src/sql/ and the
 * query side does not need: writing catalog records, allocating ids,
 * copying a relation for modification, the role verifier and the sequence
 * state rows.
 *
 * Writes go through the caller's transaction: they become visible to other
 * sessions at its commit (which bumps txn_store_catalog_gen), and to the
 * transaction itself through sql_catalog_acquire (private snapshot).
 */
#ifndef RDB_SQL_CATALOG_INT_H
#define RDB_SQL_CATALOG_INT_H

#include "common/arena.h"
#include "sql/catalog.h"

/* Record kinds: the byte after TXN_PREFIX_CATALOG in a catalog key.
 * DO NOT CHANGE: embedded in the on-disk format. */
#define SQL_CATREC_META     'V'
#define SQL_CATREC_DATABASE 'D'
#define SQL_CATREC_SCHEMA   'N'
#define SQL_CATREC_REL      'R'
#define SQL_CATREC_ROLE     'A'
#define SQL_CATREC_IDS      'I'

void sql_catw_table(txn_t *t, const sql_table_t *tab);
void sql_catw_table_delete(txn_t *t, uint32_t id);
void sql_catw_schema(txn_t *t, const sql_schema_t *s);
void sql_catw_schema_delete(txn_t *t, uint32_t id);
void sql_catw_role(txn_t *t, const sql_role_t *r);
void sql_catw_role_delete(txn_t *t, const char *name);

/* A fresh object id (tables, indexes, sequences, schemas, roles share the
 * space), unique across nodes; records the allocator's high-water mark in t. */
uint32_t sql_catalog_alloc_id(sql_catalog_t *c, txn_t *t);

/* Deep copy of a relation into a (for DDL to modify and write back). */
sql_table_t *sql_table_clone(rdb_arena_t *a, const sql_table_t *t);

/* SCRAM-SHA-256 verifier of a password in pg_authid's format; malloc'ed,
 * NULL on failure (OpenSSL). */
char *sql_scram_verifier(const char *password);

/* The stored state of a sequence (its single row at 0x02 ‖ seq id):
 * written transactionally by CREATE / ALTER ... RESTART, deleted by DROP. */
void sql_seq_state_put(txn_t *t, uint32_t seq_id, int64_t last_value, bool is_called);
void sql_seq_state_delete(txn_t *t, uint32_t seq_id);

#endif
