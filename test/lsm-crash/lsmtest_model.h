/*
 * lsmtest_model.h — the deterministic workload of the LSM crash test.
 *
 * A batch is named by a 64-bit id; everything it writes follows from the id
 * alone, so the process that checks a database after a crash can recompute
 * exactly what every batch wrote without being told:
 *
 *   - n = lt_batch_keys(id) own keys "b/<id as 16 hex>/<i as 2 digits>",
 *     i in [0, n), each with value lt_value(id, i);
 *   - up to LT_MAX_HOT operations on shared "hot" keys "h/<k as 3 digits>",
 *     k in [0, LT_HOT_KEYS): a put of lt_value(id, 100 + j) or a delete.
 *
 * Every record carries version (hlc = id, node_id = LT_NODE_ID), so the
 * newest operation on a hot key is the one with the largest id, whatever
 * order the batches reached the engine in.
 *
 * A value is "id=<16 hex> i=<2 digits> n=<2 digits>|<filler>|crc=<8 hex>",
 * the CRC32C of everything before "|crc="; the filler is pseudo-random
 * printable bytes derived from (id, i), 24 to 300 bytes long, and now and
 * then a few KiB, so that small memtables fill and flush often.
 *
 * Ids: lt_id(run, thread, seq) puts the writer run in the high 32 bits, so
 * ids grow from run to run and no two runs share one.
 */
#ifndef RDB_TEST_LSMTEST_MODEL_H
#define RDB_TEST_LSMTEST_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "lsm/lsm.h"

#define LT_HOT_KEYS   64
#define LT_MAX_HOT    2
#define LT_NODE_ID    1
#define LT_KEY_MAX    32

static inline uint64_t lt_id(uint32_t run, uint32_t thread, uint32_t seq)
{
    return ((uint64_t)(run + 1) << 32) | ((uint64_t)thread << 24) | (seq & 0xffffffu);
}
static inline uint32_t lt_id_run(uint64_t id) { return (uint32_t)(id >> 32) - 1; }

/* 64-bit mix of (id, salt); the source of every choice the model makes. */
uint64_t lt_hash(uint64_t id, uint64_t salt);

int  lt_batch_keys(uint64_t id);           /* own keys, 1..6            */
int  lt_batch_hot(uint64_t id);            /* hot operations, 0..LT_MAX_HOT */
/* The j-th hot operation: which hot key, and whether it deletes. */
void lt_batch_hot_op(uint64_t id, int j, int *hot_key, bool *is_delete);

/* Keys are written to out (at least LT_KEY_MAX bytes); returns the length. */
size_t lt_own_key(uint64_t id, int i, char *out);
size_t lt_hot_key(int k, char *out);
/* Parse an own key; false if it is not one. */
bool lt_parse_own_key(const char *key, size_t klen, uint64_t *id, int *i);

/* out is replaced by the value. */
void lt_value(uint64_t id, int i, rdb_buf_t *out);

/* Clear b and fill it with everything batch id writes. */
void lt_batch_fill(lsm_batch_t *b, uint64_t id);

#endif
