/*
 * lsmtest_writer.c — the process the LSM crash test kills.
 *
 *   lsmtest-writer DIR RUN SEED THREADS COMPACT MEMTABLE_BYTES GC_HORIZON [MIXED]
 *
 * Opens the database in DIR with a small memtable and LSM_SYNC_COMMIT, then
 * THREADS threads write the batches of lsmtest_model.h (ids lt_id(RUN,
 * thread, 0, 1, ...)) with sync on, forever.  After lsm_write returns OK for
 * a batch, and only then, its id goes to stdout as 8 raw bytes: one write(2)
 * of less than PIPE_BUF, so acknowledgements from several threads never
 * interleave.  With COMPACT = 1 another thread keeps forcing flushes and full
 * compactions so that kills land in the middle of them; with GC_HORIZON = 1
 * the horizon is set to the start of run RUN - 1, so compaction may drop
 * shadowed versions of older runs.  With MIXED = 1 the odd-numbered threads
 * write without sync (visible at once, even past earlier synced groups
 * still in their fsync) and acknowledge their batches only after an
 * lsm_sync_wal that began after the writes returned (every few batches).
 *
 * It never exits by itself: any error is printed to stderr and ends the
 * process with status 3, which the test reports as a failure.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/hash.h"
#include "lsmtest_model.h"

static lsm_db_t *db;
static uint32_t run;
static uint64_t seed;
static bool mixed;

static void die(const char *what, rdb_err_t *err)
{
    fprintf(stderr, "lsmtest-writer: %s: %s: %s\n", what,
            rdb_status_name(err->code), err->msg ? err->msg : "?");
    _exit(3);
}

static void ack(uint64_t id)
{
    const char *p = (const char *)&id;
    ssize_t n;
    while ((n = write(STDOUT_FILENO, p, sizeof(id))) < 0 && errno == EINTR)
        ;
    if (n != (ssize_t)sizeof(id)) {
        fprintf(stderr, "lsmtest-writer: ack write: %s\n", n < 0 ? strerror(errno) : "short");
        _exit(3);
    }
}

static void *writer_main(void *arg)
{
    uint32_t thread = (uint32_t)(uintptr_t)arg;
    lsm_batch_t *b = lsm_batch_new();
    lsm_write_options_t wo = { .sync = !(mixed && thread % 2 == 1) };
    uint64_t pending[4];
    int npending = 0;
    for (uint32_t seq = 0;; seq++) {
        rdb_err_t err = RDB_ERR_INIT;
        uint64_t id = lt_id(run, thread, seq);
        lt_batch_fill(b, id);
        if (lsm_write(db, &wo, b, &err) != RDB_OK)
            die("lsm_write", &err);
        if (wo.sync) {
            ack(id);
            continue;
        }
        pending[npending++] = id;
        if (npending == 4 || seq % 7 == 3) {
            if (lsm_sync_wal(db, &err) != RDB_OK)
                die("lsm_sync_wal", &err);
            for (int i = 0; i < npending; i++)
                ack(pending[i]);
            npending = 0;
        }
    }
    return NULL;
}

static void *compactor_main(void *arg)
{
    uint64_t s = seed ^ 0xc0c0;
    (void)arg;
    for (int round = 0;; round++) {
        rdb_err_t err = RDB_ERR_INIT;
        s = rdb_hash_u64(s + 1);
        struct timespec ts = { 0, (long)(2 + s % 20) * 1000000L };
        nanosleep(&ts, NULL);
        if (round % 3 != 2) {
            if (lsm_flush(db, &err) != RDB_OK)
                die("lsm_flush", &err);
        } else if (lsm_compact_range(db, NULL, 0, NULL, 0, &err) != RDB_OK) {
            die("lsm_compact_range", &err);
        }
    }
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 8 && argc != 9) {
        fprintf(stderr, "usage: lsmtest-writer DIR RUN SEED THREADS COMPACT MEMTABLE GC_HORIZON "
                        "[MIXED]\n");
        return 2;
    }
    const char *dir = argv[1];
    run = (uint32_t)strtoul(argv[2], NULL, 10);
    seed = strtoull(argv[3], NULL, 10);
    int threads = atoi(argv[4]);
    bool compact = atoi(argv[5]) != 0;
    size_t memtable = (size_t)strtoull(argv[6], NULL, 10);
    bool horizon = atoi(argv[7]) != 0;
    mixed = argc == 9 && atoi(argv[8]) != 0;
    if (threads < 1 || threads > 16 || memtable == 0) {
        fprintf(stderr, "lsmtest-writer: bad arguments\n");
        return 2;
    }

    lsm_options_t o;
    rdb_err_t err = RDB_ERR_INIT;
    lsm_options_default(&o);
    o.memtable_size = memtable;
    o.target_file_size = memtable * 2;
    o.block_cache_size = 1u << 20;
    o.sync_mode = LSM_SYNC_COMMIT;
    o.create_if_missing = true;
    if (lsm_open(dir, &o, &db, &err) != RDB_OK)
        die("lsm_open", &err);
    if (horizon && run >= 1)
        lsm_set_gc_horizon(db, (uint64_t)run << 32); /* == lt_id(run - 1, 0, 0) */

    pthread_t tid;
    for (int t = 0; t < threads; t++)
        if (pthread_create(&tid, NULL, writer_main, (void *)(uintptr_t)t) != 0) {
            fprintf(stderr, "lsmtest-writer: pthread_create failed\n");
            _exit(3);
        }
    if (compact && pthread_create(&tid, NULL, compactor_main, NULL) != 0) {
        fprintf(stderr, "lsmtest-writer: pthread_create failed\n");
        _exit(3);
    }
    for (;;)
        pause();
}
