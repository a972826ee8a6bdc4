/*
 * crash_test.c — the LSM survives kill -9 (issue 2, "what it must show" 2).
 *
 * Each test starts lsmtest-writer (fork + exec) on one data directory again
 * and again and SIGKILLs it at a random moment: before its first write, in
 * the middle of a stream of synced batches, during a memtable flush or a
 * forced compaction (the memtable is tiny, so both happen all the time).
 * The writer reports each batch id on a pipe after lsm_write returned.  After
 * a kill the test reopens the database and checks, against the deterministic
 * model of lsmtest_model.h:
 *
 *   - every acknowledged batch is present, and so is every batch that an
 *     earlier check saw (data read back once never disappears);
 *   - every batch present is whole: all its own keys, none missing, each
 *     value exactly what the model says, with the batch's version;
 *   - every hot key shows exactly the newest operation (put or delete) of
 *     the batches present, at the latest snapshot and at older snapshots,
 *     so that no part of an absent or half-written batch is visible;
 *   - point reads agree with the scan.
 *
 * Now and then two writers run back to back with no check in between, so a
 * writer also opens (and is killed while recovering) a crashed database.
 *
 * The seed is printed; RINGDB_CRASH_SEED=<n> replays a run and
 * RINGDB_CRASH_KILLS=<n> changes the number of kills per test.  On failure
 * the data directory is left in place and named in the output.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/hash.h"
#include "common/mem.h"
#include "lsmtest_model.h"

static const char *writer_path;

/* --- a sorted set of batch ids ------------------------------------------ */

typedef struct idset {
    uint64_t *v;
    size_t    n, cap;
} idset_t;

static void idset_add(idset_t *s, uint64_t id)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 1024;
        s->v = rdb_realloc(s->v, s->cap * sizeof(uint64_t));
    }
    s->v[s->n++] = id;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static void idset_normalize(idset_t *s)
{
    size_t w = 0;
    if (s->n == 0)
        return; /* v may be NULL: qsort's argument must not be (UBSan) */
    qsort(s->v, s->n, sizeof(uint64_t), cmp_u64);
    for (size_t r = 0; r < s->n; r++)
        if (w == 0 || s->v[w - 1] != s->v[r])
            s->v[w++] = s->v[r];
    s->n = w;
}

static bool idset_has(const idset_t *s, uint64_t id)
{
    return s->n && bsearch(&id, s->v, s->n, sizeof(uint64_t), cmp_u64) != NULL;
}

static void idset_free(idset_t *s)
{
    free(s->v);
    memset(s, 0, sizeof(*s));
}

/* --- helpers --------------------------------------------------------------- */

static uint64_t rng(uint64_t *s)
{
    *s = rdb_hash_u64(*s + 0x9e3779b97f4a7c15ULL);
    return *s;
}

static uint64_t env_u64(const char *name, uint64_t dflt)
{
    const char *v = getenv(name);
    return v && *v ? strtoull(v, NULL, 10) : dflt;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb; (void)flag; (void)ftw;
    remove(path);
    return 0;
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* --- one writer life ------------------------------------------------------ */

typedef struct life {
    uint32_t run;
    int      threads;
    bool     compact;
    bool     horizon;
    size_t   memtable;
    uint64_t seed;
    int      delay_ms;
    bool     after_first_ack; /* start the delay at the first ack */
    bool     mixed;           /* odd threads write unsynced (lsmtest_writer.c) */
} life_t;

/* Start the writer, collect its acknowledgements into acked, SIGKILL it
 * after the delay; returns how many batches it acknowledged. */
static size_t writer_life(const char *dir, const life_t *l, idset_t *acked)
{
    int pfd[2];
    char a_run[16], a_seed[24], a_thr[8], a_cmp[4], a_mem[24], a_hor[4], a_mix[4];
    ck_assert_int_eq(pipe2(pfd, O_CLOEXEC), 0);
    snprintf(a_run, sizeof(a_run), "%u", l->run);
    snprintf(a_seed, sizeof(a_seed), "%llu", (unsigned long long)l->seed);
    snprintf(a_thr, sizeof(a_thr), "%d", l->threads);
    snprintf(a_cmp, sizeof(a_cmp), "%d", l->compact);
    snprintf(a_mem, sizeof(a_mem), "%zu", l->memtable);
    snprintf(a_hor, sizeof(a_hor), "%d", l->horizon);
    snprintf(a_mix, sizeof(a_mix), "%d", l->mixed);
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        if (dup2(pfd[1], STDOUT_FILENO) < 0)
            _exit(127);
        execl(writer_path, writer_path, dir, a_run, a_seed, a_thr, a_cmp, a_mem, a_hor, a_mix,
              (char *)NULL);
        fprintf(stderr, "crash_test: exec %s: %s\n", writer_path, strerror(errno));
        _exit(127);
    }
    close(pfd[1]);

    unsigned char buf[8 * 512];
    size_t have = 0, count = 0;
    double start = now_ms(), deadline = l->after_first_ack ? -1 : start + l->delay_ms;
    bool killed = false, eof = false;
    /* A writer that never acknowledges anything within 60 s is stuck. */
    double give_up = start + 60000;
    while (!eof) {
        double now = now_ms();
        if (!killed && ((deadline >= 0 && now >= deadline) || now >= give_up)) {
            kill(pid, SIGKILL);
            killed = true;
        }
        int timeout = killed ? -1 : (int)((deadline >= 0 ? deadline : give_up) - now) + 1;
        struct pollfd p = { pfd[0], POLLIN, 0 };
        int pr = poll(&p, 1, timeout);
        if (pr < 0 && errno == EINTR)
            continue;
        ck_assert_int_ge(pr, 0);
        if (pr == 0)
            continue;
        ssize_t n = read(pfd[0], buf + have, sizeof(buf) - have);
        if (n < 0 && errno == EINTR)
            continue;
        ck_assert_int_ge(n, 0);
        if (n == 0) {
            eof = true;
            break;
        }
        have += (size_t)n;
        size_t whole = have / 8 * 8;
        for (size_t off = 0; off < whole; off += 8) {
            uint64_t id;
            memcpy(&id, buf + off, 8);
            ck_assert_msg(lt_id_run(id) == l->run, "writer acknowledged id %016llx of another run",
                          (unsigned long long)id);
            idset_add(acked, id);
            count++;
        }
        memmove(buf, buf + whole, have - whole);
        have -= whole;
        if (deadline < 0 && count > 0)
            deadline = now_ms() + l->delay_ms;
    }
    close(pfd[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0)
        ck_assert_int_eq(errno, EINTR);
    ck_assert_msg(killed && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
                  "writer run %u ended by itself (%s %d) before it was killed: see its stderr",
                  l->run, WIFSIGNALED(status) ? "signal" : "exit status",
                  WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
    ck_assert_msg(count > 0 || !l->after_first_ack, "writer run %u acknowledged nothing in 60 s",
                  l->run);
    return count;
}

/* --- the check after a kill ------------------------------------------------ */

typedef struct hot_op {
    uint64_t id;
    int      j;   /* operation index in its batch (value lt_value(id, 100 + j)) */
    bool     del;
} hot_op_t;

typedef struct hot_list {
    hot_op_t *ops; /* ascending id */
    size_t    n, cap;
} hot_list_t;

/* The newest operation with id <= snap, or NULL. */
static const hot_op_t *hot_newest(const hot_list_t *h, uint64_t snap)
{
    for (size_t i = h->n; i-- > 0;)
        if (h->ops[i].id <= snap)
            return &h->ops[i];
    return NULL;
}

static void check_hot_key(lsm_db_t *db, int k, const hot_list_t *h, uint64_t snap,
                          uint64_t horizon, int kill_no)
{
    char key[LT_KEY_MAX];
    size_t kl = lt_hot_key(k, key);
    rdb_buf_t val = RDB_BUF_INIT, want = RDB_BUF_INIT;
    lsm_version_t ver = { 0, 0 };
    rdb_err_t err = RDB_ERR_INIT;
    lsm_read_options_t ro;
    lsm_read_options_default(&ro);
    ro.snapshot = snap;
    const hot_op_t *op = hot_newest(h, snap);
    rdb_status_t st = lsm_get(db, &ro, key, kl, &val, &ver, &err);
    if (!op || op->del) {
        ck_assert_msg(st == RDB_NOTFOUND,
                      "kill %d: %s at snapshot %016llx: expected not found (%s %016llx), got %s "
                      "version %016llx: %s",
                      kill_no, key, (unsigned long long)snap, op ? "deleted by" : "never written",
                      op ? (unsigned long long)op->id : 0ULL, rdb_status_name(st),
                      (unsigned long long)ver.hlc, err.msg ? err.msg : "");
        if (op && op->id >= horizon) {
            /* A tombstone newer than the GC horizon is still there. */
            bool tomb = false;
            st = lsm_get_versioned(db, &ro, key, kl, &val, &ver, &tomb, &err);
            ck_assert_msg(st == RDB_OK && tomb && ver.hlc == op->id && ver.node_id == LT_NODE_ID,
                          "kill %d: %s at snapshot %016llx: expected the tombstone of %016llx, got "
                          "%s tombstone=%d version %016llx",
                          kill_no, key, (unsigned long long)snap, (unsigned long long)op->id,
                          rdb_status_name(st), tomb, (unsigned long long)ver.hlc);
        }
    } else {
        ck_assert_msg(st == RDB_OK, "kill %d: %s at snapshot %016llx: expected the put of %016llx, "
                      "got %s: %s", kill_no, key, (unsigned long long)snap,
                      (unsigned long long)op->id, rdb_status_name(st), err.msg ? err.msg : "");
        lt_value(op->id, 100 + op->j, &want);
        ck_assert_msg(ver.hlc == op->id && ver.node_id == LT_NODE_ID,
                      "kill %d: %s at snapshot %016llx: version %016llx/%u, expected %016llx",
                      kill_no, key, (unsigned long long)snap, (unsigned long long)ver.hlc,
                      ver.node_id, (unsigned long long)op->id);
        ck_assert_msg(val.len == want.len && memcmp(val.data, want.data, val.len) == 0,
                      "kill %d: %s: wrong value for version %016llx", kill_no, key,
                      (unsigned long long)op->id);
    }
    rdb_err_clear(&err);
    rdb_buf_free(&val);
    rdb_buf_free(&want);
}

static void check_own_keys_by_get(lsm_db_t *db, uint64_t id, int kill_no)
{
    char key[LT_KEY_MAX];
    rdb_buf_t val = RDB_BUF_INIT, want = RDB_BUF_INIT;
    for (int i = 0, n = lt_batch_keys(id); i < n; i++) {
        rdb_err_t err = RDB_ERR_INIT;
        lsm_version_t ver = { 0, 0 };
        size_t kl = lt_own_key(id, i, key);
        rdb_status_t st = lsm_get(db, NULL, key, kl, &val, &ver, &err);
        ck_assert_msg(st == RDB_OK, "kill %d: lsm_get %s: %s %s (the scan found it)", kill_no, key,
                      rdb_status_name(st), err.msg ? err.msg : "");
        lt_value(id, i, &want);
        ck_assert_msg(ver.hlc == id && val.len == want.len &&
                      memcmp(val.data, want.data, val.len) == 0,
                      "kill %d: lsm_get %s: wrong value or version", kill_no, key);
    }
    rdb_buf_free(&val);
    rdb_buf_free(&want);
}

/* Reopen dir and check it against the model; known (ids that must be
 * present) becomes the set of ids present. */
static void verify(const char *dir, idset_t *known, uint64_t horizon, uint64_t *seed, int kill_no)
{
    lsm_options_t o;
    lsm_db_t *db = NULL;
    rdb_err_t err = RDB_ERR_INIT;
    lsm_options_default(&o);
    /* Until a batch was acknowledged the writer may have died while it
     * created the database: then an empty one is what we should get. */
    o.create_if_missing = known->n == 0;
    o.memtable_size = 256u << 10;
    rdb_status_t st = lsm_open(dir, &o, &db, &err);
    ck_assert_msg(st == RDB_OK, "kill %d: reopen failed: %s: %s", kill_no, rdb_status_name(st),
                  err.msg ? err.msg : "");

    /* Scan the own keys: every batch present must be whole and exact. */
    idset_t present = { 0 };
    hot_list_t hot[LT_HOT_KEYS];
    memset(hot, 0, sizeof(hot));
    lsm_read_options_t ro;
    lsm_read_options_default(&ro);
    ro.lower_bound = "b/";
    ro.lower_len = 2;
    ro.upper_bound = "b0";
    ro.upper_len = 2;
    lsm_iter_t *it = lsm_iter_new(db, &ro);
    rdb_buf_t want = RDB_BUF_INIT;
    uint64_t cur = 0;
    int next_i = 0;
    size_t keys = 0;
    for (lsm_iter_seek_first(it);; lsm_iter_next(it)) {
        bool valid = lsm_iter_valid(it);
        uint64_t id = 0;
        int i = 0;
        size_t kl = 0, vl = 0;
        const char *k = NULL, *v = NULL;
        if (valid) {
            k = lsm_iter_key(it, &kl);
            v = lsm_iter_value(it, &vl);
            ck_assert_msg(lt_parse_own_key(k, kl, &id, &i), "kill %d: unexpected key \"%.*s\"",
                          kill_no, (int)kl, k);
        }
        if (cur && (!valid || id != cur)) {
            ck_assert_msg(next_i == lt_batch_keys(cur),
                          "kill %d: batch %016llx is half-present: %d of its %d keys", kill_no,
                          (unsigned long long)cur, next_i, lt_batch_keys(cur));
            idset_add(&present, cur);
            for (int j = 0, n = lt_batch_hot(cur); j < n; j++) {
                int hk;
                bool del;
                lt_batch_hot_op(cur, j, &hk, &del);
                hot_list_t *h = &hot[hk];
                if (h->n == h->cap) {
                    h->cap = h->cap ? h->cap * 2 : 64;
                    h->ops = rdb_realloc(h->ops, h->cap * sizeof(hot_op_t));
                }
                h->ops[h->n++] = (hot_op_t){ cur, j, del };
            }
        }
        if (!valid)
            break;
        if (id != cur) {
            ck_assert_msg(id > cur, "kill %d: keys out of order at %.*s", kill_no, (int)kl, k);
            cur = id;
            next_i = 0;
        }
        ck_assert_msg(i == next_i, "kill %d: batch %016llx is half-present: key %d missing",
                      kill_no, (unsigned long long)id, next_i);
        lsm_version_t ver = lsm_iter_version(it);
        ck_assert_msg(ver.hlc == id && ver.node_id == LT_NODE_ID,
                      "kill %d: %.*s has version %016llx/%u", kill_no, (int)kl, k,
                      (unsigned long long)ver.hlc, ver.node_id);
        lt_value(id, i, &want);
        ck_assert_msg(vl == want.len && memcmp(v, want.data, vl) == 0,
                      "kill %d: %.*s has a wrong value (%zu bytes, expected %zu)", kill_no,
                      (int)kl, k, vl, want.len);
        next_i++;
        keys++;
    }
    st = lsm_iter_status(it, &err);
    ck_assert_msg(st == RDB_OK, "kill %d: scan failed: %s: %s", kill_no, rdb_status_name(st),
                  err.msg ? err.msg : "");
    lsm_iter_free(it);
    rdb_buf_free(&want);

    /* Nothing acknowledged (or seen before) is lost. */
    size_t extra = present.n;
    for (size_t i = 0; i < known->n; i++) {
        ck_assert_msg(idset_has(&present, known->v[i]),
                      "kill %d: acknowledged batch %016llx (run %u) is missing after reopen",
                      kill_no, (unsigned long long)known->v[i], lt_id_run(known->v[i]));
        extra--;
    }

    /* Hot keys at the latest snapshot and at a few older ones at or above
     * the GC horizon, where every version must still answer. */
    for (int k = 0; k < LT_HOT_KEYS; k++)
        check_hot_key(db, k, &hot[k], LSM_SNAPSHOT_LATEST, horizon, kill_no);
    size_t first = 0;
    while (first < present.n && present.v[first] < horizon)
        first++;
    for (int s = 0; s < 6 && first < present.n; s++) {
        uint64_t snap = present.v[first + rng(seed) % (present.n - first)];
        if ((s & 1) && snap - 1 >= horizon)
            snap--; /* between two batches */
        for (int k = 0; k < LT_HOT_KEYS; k++)
            check_hot_key(db, k, &hot[k], snap, horizon, kill_no);
    }

    /* Point reads of the newest batches and of a random sample. */
    for (size_t i = present.n > 50 ? present.n - 50 : 0; i < present.n; i++)
        check_own_keys_by_get(db, present.v[i], kill_no);
    for (int s = 0; s < 100 && present.n; s++)
        check_own_keys_by_get(db, present.v[rng(seed) % present.n], kill_no);

    lsm_stats_t stats;
    char levels[128];
    int lp = 0;
    lsm_get_stats(db, &stats);
    for (int l = 0; l < LSM_MAX_LEVELS; l++)
        if (stats.level_files[l])
            lp += snprintf(levels + lp, sizeof(levels) - (size_t)lp, " L%d=%d", l,
                           stats.level_files[l]);
    printf("  check: %zu batches (%zu keys) present, %zu acknowledged before, %zu more "
           "written but unacknowledged; tables:%s\n", present.n, keys, known->n, extra,
           lp ? levels : " none");
    fflush(stdout);
    lsm_close(db);
    for (int k = 0; k < LT_HOT_KEYS; k++)
        free(hot[k].ops);
    idset_free(known);
    *known = present;
}

/* --- the tests ------------------------------------------------------------- */

typedef struct crash_cfg {
    const char *name;
    int         kills;
    int         max_threads;
    bool        compact;  /* force flushes and compactions while writing */
    bool        horizon;  /* let compaction drop old shadowed versions   */
    size_t      memtable;
    bool        mixed;    /* synced and unsynced writers (+ lsm_sync_wal) */
} crash_cfg_t;

static void crash_loop(const crash_cfg_t *cfg)
{
    uint64_t seed0 = env_u64("RINGDB_CRASH_SEED", (uint64_t)time(NULL) ^ (uint64_t)getpid() << 16);
    int kills = (int)env_u64("RINGDB_CRASH_KILLS", (uint64_t)cfg->kills);
    uint64_t seed = seed0 ^ rdb_hash_u64((uint64_t)cfg->max_threads + cfg->compact);
    char dir[] = "/tmp/ringdb-crash.XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    printf("%s: seed %llu (RINGDB_CRASH_SEED=%llu replays it), %d kills, data in %s\n",
           cfg->name, (unsigned long long)seed0, (unsigned long long)seed0, kills, dir);

    idset_t known = { 0 };
    uint64_t horizon = 0;
    size_t total_acked = 0;
    for (int kn = 1; kn <= kills; kn++) {
        life_t l = {
            .run = (uint32_t)kn,
            .threads = (cfg->mixed ? 2 : 1) + (int)(rng(&seed) % (uint64_t)cfg->max_threads),
            .compact = cfg->compact && rng(&seed) % 3 != 0,
            .horizon = cfg->horizon,
            .memtable = cfg->memtable,
            .seed = rng(&seed),
            .after_first_ack = rng(&seed) % 5 != 0,
            .mixed = cfg->mixed,
        };
        uint64_t r = rng(&seed) % 10;
        l.delay_ms = (int)(r == 0 ? rng(&seed) % 5 : r < 7 ? 5 + rng(&seed) % 150
                                                           : 150 + rng(&seed) % 300);
        bool chain = kn < kills && rng(&seed) % 4 == 0;
        if (l.horizon)
            horizon = (uint64_t)l.run << 32;
        printf("%s: kill %d/%d: %d writer thread(s)%s, killed %d ms after %s%s\n", cfg->name,
               kn, kills, l.threads, l.compact ? " + flush/compact thread" : "", l.delay_ms,
               l.after_first_ack ? "its first ack" : "start",
               chain ? "; next writer starts on the crashed files" : "");
        size_t n = writer_life(dir, &l, &known);
        total_acked += n;
        printf("  writer acknowledged %zu batches\n", n);
        idset_normalize(&known);
        if (!chain)
            verify(dir, &known, horizon, &seed, kn);
    }
    printf("%s: %d kills, %zu batches acknowledged, all present and whole\n", cfg->name, kills,
           total_acked);
    idset_free(&known);
    nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

START_TEST(kill_single_writer)
{
    crash_cfg_t cfg = { "kill_single_writer", 20, 1, false, false, 32u << 10, false };
    crash_loop(&cfg);
}
END_TEST

START_TEST(kill_concurrent_writers_compacting)
{
    crash_cfg_t cfg = { "kill_concurrent_writers_compacting", 12, 4, true, true, 64u << 10, false };
    crash_loop(&cfg);
}
END_TEST

/* Synced writers next to unsynced ones, whose batches become visible
 * while earlier synced groups are still in their fsync and count as
 * acknowledged only after an lsm_sync_wal that followed them. */
START_TEST(kill_mixed_sync_writers)
{
    crash_cfg_t cfg = { "kill_mixed_sync_writers", 12, 4, true, false, 64u << 10, true };
    crash_loop(&cfg);
}
END_TEST

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: crash_test PATH-TO-lsmtest-writer\n");
        return 2;
    }
    writer_path = argv[1];
    Suite *s = suite_create("lsm-crash");
    TCase *tc = tcase_create("kill");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, kill_single_writer);
    tcase_add_test(tc, kill_concurrent_writers_compacting);
    tcase_add_test(tc, kill_mixed_sync_writers);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_VERBOSE);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
