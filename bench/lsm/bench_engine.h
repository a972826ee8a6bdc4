/*
 * bench_engine.h — the one interface lsm-bench drives every engine through.
 *
 * Each engine (ringdb's LSM, RocksDB, LevelDB) fills in a bench_engine_t in
 * its own file, using only its public C API, configured from the same
 * bench_cfg_t so that memtable, block cache and bloom filter sizes match.
 *
 * Threads: open/settle/close run on one thread.  A bench_ctx (per-thread
 * state: write batch, read buffer, options objects) belongs to one thread;
 * several contexts may run against one database at once.
 *
 * Errors: functions return 0 on success and -1 on failure, after printing a
 * message that names the engine and operation to stderr.
 */
#ifndef RDB_BENCH_LSM_ENGINE_H
#define RDB_BENCH_LSM_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct bench_cfg {
    size_t memtable_bytes; /* write buffer before a flush                  */
    size_t cache_bytes;    /* block cache                                  */
    int    bloom_bits;     /* bloom filter bits per key                    */
} bench_cfg_t;

typedef struct bench_engine {
    const char *name;
    /* Open (creating) a database in dir; NULL on failure. */
    void *(*open)(const char *dir, const bench_cfg_t *cfg);
    void  (*close)(void *db);
    /* Let the load settle: flush the memtable and compact everything, and
     * allow the engine to drop shadowed versions (no snapshot is open). */
    int   (*settle)(void *db);

    void *(*ctx_new)(void *db);
    void  (*ctx_free)(void *ctx);
    /* One put per write, WAL on; sync: fsync before returning. */
    int   (*put)(void *ctx, const char *key, size_t klen, const char *val, size_t vlen, bool sync);
    /* Point read; *found says whether the key exists.  The value is copied
     * out (every engine pays for one copy, as a caller would). */
    int   (*get)(void *ctx, const char *key, size_t klen, bool *found);
    /* Seek to the first key >= key, then step up to n times; *seen gets
     * the number of entries read (the sought one included). */
    int   (*seek_next)(void *ctx, const char *key, size_t klen, int n, int *seen);
    /* Optional: print the engine's own statistics, each line starting
     * with "# ", to f. */
    void  (*report)(void *db, FILE *f);
} bench_engine_t;

extern const bench_engine_t bench_engine_rocksdb;
extern const bench_engine_t bench_engine_leveldb;
#ifdef HAVE_RINGDB_LSM
extern const bench_engine_t bench_engine_ringdb;
#endif

#endif
