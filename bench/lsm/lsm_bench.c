/*
 * lsm_bench.c — build/bench/lsm-bench: ringdb's LSM against RocksDB and
 * LevelDB, same workloads, same sizes, one run (bench/README.md).
 *
 * Every engine runs in its own forked child, one after the other, so that
 * its peak resident memory (wait4's ru_maxrss) is its own and a crash in
 * one engine cannot take the others' numbers with it.  The child sends one
 * "workload ops seconds" line per workload back over a pipe; the parent
 * prints, per workload and engine,
 *
 *     engine workload ops_per_sec ratio_to_best_peer
 *
 * where the ratio is over the better of RocksDB and LevelDB on that
 * workload.  Lines starting with '#' are commentary (configuration, peak
 * RSS, engine statistics).
 *
 * Data set (db_bench's): 16-byte keys, the decimal key number zero-padded;
 * 100-byte values that compress to about half.  Workloads:
 *   fillseq     N puts in key order into an empty database
 *   fillrandom  N puts of uniformly random keys into an empty database
 *   overwrite   N random puts into the fillseq database (every key exists)
 *   -- then the load settles: flush and compact everything --
 *   readrandom  random point reads of present keys
 *   readmissing random point reads of absent keys that sort between present
 *               ones (bloom filters at work)
 *   seekrandom  seek to a random key, then 10 next
 *   fillsync    8 threads, random puts, fsync per commit (group commit)
 * All writes go through the WAL; only fillsync asks for an fsync.
 *
 * --memory loads N (default 10M) keys into ringdb in a scrambled order,
 * reads some back to warm the cache, and compares peak RSS with the
 * memtable (active + immutable) and block cache budgets; exit status 1 if
 * it exceeds them by more than the allowance.
 */
#include <errno.h>
#include <ftw.h>
#include <getopt.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench_engine.h"

#define KEY_SIZE       16
#define VALUE_SIZE     100
#define POOL_SIZE      (1u << 20)
#define SEEK_NEXTS     10
#define SYNC_THREADS   8
#define MIB            (1024.0 * 1024.0)
#define MEM_ALLOWANCE  (32u << 20) /* process, stacks, allocator slack: ringdb charges
                                      its tables' indexes and filters to the cache */
#define RDB_BENCH_MIN(a, b) ((a) < (b) ? (a) : (b))
#define RDB_BENCH_MAX(a, b) ((a) > (b) ? (a) : (b))

enum {
    W_FILLSEQ, W_FILLRANDOM, W_OVERWRITE, W_READRANDOM, W_READMISSING,
    W_SEEKRANDOM, W_FILLSYNC, W_MEMLOAD, W_COUNT
};
static const char *const workload_names[W_COUNT] = {
    "fillseq", "fillrandom", "overwrite", "readrandom", "readmissing",
    "seekrandom", "fillsync", "memload",
};

static const bench_engine_t *const all_engines[] = {
#ifdef HAVE_RINGDB_LSM
    &bench_engine_ringdb,
#endif
    &bench_engine_rocksdb,
    &bench_engine_leveldb,
};
#define N_ENGINES (sizeof(all_engines) / sizeof(all_engines[0]))

typedef struct bench_opts {
    uint64_t    num;          /* keys in the data set                    */
    uint64_t    reads;        /* readrandom / readmissing operations     */
    uint64_t    seeks;        /* seekrandom operations                   */
    uint64_t    sync_ops;     /* fillsync operations at most ...         */
    double      sync_seconds; /* ... or this long, whichever comes first */
    bench_cfg_t cfg;
    uint64_t    seed;
    bool        memory;
    bool        want_engine[N_ENGINES];
    bool        want_workload[W_COUNT];
    char        dir[4096];
} bench_opts_t;

static bench_opts_t opt;
static const char *current_engine = ""; /* for progress lines */
static char value_pool[POOL_SIZE];

/* --- helpers ------------------------------------------------------------- */

static double now_sec(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU time of the whole process: on a shared machine it moves less than
 * the wall clock, so the progress lines print it next to it. */
static double cpu_sec(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t rng_next(uint64_t *s) /* splitmix64 */
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* The decimal digits of i, zero-padded to n characters (i < 10^n). */
static void put_digits(char *k, int n, uint64_t i)
{
    for (int j = n - 1; j >= 0; j--) {
        k[j] = (char)('0' + i % 10);
        i /= 10;
    }
}

static void key_present(char *k, uint64_t i)
{
    put_digits(k, KEY_SIZE, i);
}

/* Sorts between the present keys around it, and is never one of them. */
static void key_missing(char *k, uint64_t i)
{
    put_digits(k, KEY_SIZE - 1, i);
    k[KEY_SIZE - 1] = 'm';
}

static const char *value_for(uint64_t i)
{
    return value_pool + (i * 7919u) % (POOL_SIZE - VALUE_SIZE);
}

/* db_bench's generator: each run of 100 bytes is 50 random bytes and a
 * repeat of them, so blocks compress to about half. */
static void value_pool_init(uint64_t seed)
{
    uint64_t s = seed ^ 0x5eedULL;
    for (size_t i = 0; i < POOL_SIZE; i += VALUE_SIZE) {
        size_t half = VALUE_SIZE / 2;
        for (size_t j = 0; j < half && i + j < POOL_SIZE; j++)
            value_pool[i + j] = (char)(' ' + rng_next(&s) % 95);
        for (size_t j = half; j < VALUE_SIZE && i + j < POOL_SIZE; j++)
            value_pool[i + j] = value_pool[i + j - half];
    }
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb; (void)flag; (void)ftw;
    if (remove(path) != 0 && errno != ENOENT)
        fprintf(stderr, "lsm-bench: remove %s: %s\n", path, strerror(errno));
    return 0;
}

static void rm_tree(const char *path)
{
    nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void *engine_open(const bench_engine_t *e, const char *sub)
{
    char path[4200];
    snprintf(path, sizeof(path), "%s/%s-%s", opt.dir, e->name, sub);
    rm_tree(path);
    void *db = e->open(path, &opt.cfg);
    if (!db)
        fprintf(stderr, "lsm-bench: %s: cannot open %s\n", e->name, path);
    return db;
}

static void engine_close(const bench_engine_t *e, void *db, const char *sub)
{
    char path[4200];
    e->close(db);
    snprintf(path, sizeof(path), "%s/%s-%s", opt.dir, e->name, sub);
    rm_tree(path);
}

/* --- workloads ------------------------------------------------------------ */

typedef struct result {
    uint64_t ops;
    double   secs;
    double   cpu0;   /* process CPU seconds at the start (all threads) */
} result_t;

typedef enum key_order { ORDER_SEQ, ORDER_RANDOM, ORDER_SCRAMBLED } key_order_t;

/* n single-put writes; ORDER_SCRAMBLED visits every key once, in an order
 * that is a permutation of 0..num-1 (i * step mod num, step coprime). */
static int run_fill(const bench_engine_t *e, void *db, key_order_t order, uint64_t n,
                    uint64_t seed, result_t *r)
{
    void *ctx = e->ctx_new(db);
    char key[KEY_SIZE];
    uint64_t s = seed, step = 1000003;
    while (order == ORDER_SCRAMBLED && opt.num % step == 0)
        step += 2;
    double t0 = now_sec();
    r->cpu0 = cpu_sec();
    for (uint64_t i = 0; i < n; i++) {
        uint64_t k = order == ORDER_SEQ ? i
                   : order == ORDER_RANDOM ? rng_next(&s) % opt.num
                   : (i * step) % opt.num;
        key_present(key, k);
        if (e->put(ctx, key, KEY_SIZE, value_for(k + i), VALUE_SIZE, false) != 0) {
            e->ctx_free(ctx);
            return -1;
        }
    }
    r->secs = now_sec() - t0;
    r->ops = n;
    e->ctx_free(ctx);
    return 0;
}

static int run_reads(const bench_engine_t *e, void *db, bool missing, uint64_t seed, result_t *r)
{
    void *ctx = e->ctx_new(db);
    char key[KEY_SIZE];
    uint64_t s = seed, found = 0;
    double t0 = now_sec();
    r->cpu0 = cpu_sec();
    for (uint64_t i = 0; i < opt.reads; i++) {
        uint64_t k = rng_next(&s) % opt.num;
        bool f = false;
        if (missing)
            key_missing(key, k);
        else
            key_present(key, k);
        if (e->get(ctx, key, KEY_SIZE, &f) != 0) {
            e->ctx_free(ctx);
            return -1;
        }
        found += f;
    }
    r->secs = now_sec() - t0;
    r->ops = opt.reads;
    e->ctx_free(ctx);
    if (found != (missing ? 0 : opt.reads)) {
        fprintf(stderr, "lsm-bench: %s: %s found %llu of %llu keys, expected %llu\n",
                e->name, missing ? "readmissing" : "readrandom",
                (unsigned long long)found, (unsigned long long)opt.reads,
                (unsigned long long)(missing ? 0 : opt.reads));
        return -1;
    }
    return 0;
}

static int run_seeks(const bench_engine_t *e, void *db, uint64_t seed, result_t *r)
{
    void *ctx = e->ctx_new(db);
    char key[KEY_SIZE];
    uint64_t s = seed;
    double t0 = now_sec();
    r->cpu0 = cpu_sec();
    for (uint64_t i = 0; i < opt.seeks; i++) {
        uint64_t k = rng_next(&s) % opt.num;
        int seen = 0;
        key_present(key, k);
        if (e->seek_next(ctx, key, KEY_SIZE, SEEK_NEXTS, &seen) != 0) {
            e->ctx_free(ctx);
            return -1;
        }
        uint64_t expect = RDB_BENCH_MIN(opt.num - k, (uint64_t)SEEK_NEXTS + 1);
        if ((uint64_t)seen != expect) {
            fprintf(stderr, "lsm-bench: %s: seekrandom read %d entries at key %llu, expected %llu\n",
                    e->name, seen, (unsigned long long)k, (unsigned long long)expect);
            e->ctx_free(ctx);
            return -1;
        }
    }
    r->secs = now_sec() - t0;
    r->ops = opt.seeks;
    e->ctx_free(ctx);
    return 0;
}

typedef struct sync_worker {
    const bench_engine_t *e;
    void                 *db;
    uint64_t              seed;
    uint64_t             *claimed; /* shared, atomic */
    double                deadline;
    int                   rc;
    pthread_t             tid;
} sync_worker_t;

static void *sync_worker_main(void *p)
{
    sync_worker_t *w = p;
    void *ctx = w->e->ctx_new(w->db);
    char key[KEY_SIZE];
    uint64_t s = w->seed;
    for (;;) {
        uint64_t i = __atomic_fetch_add(w->claimed, 1, __ATOMIC_RELAXED);
        if (i >= opt.sync_ops || ((i & 15) == 0 && now_sec() > w->deadline))
            break;
        uint64_t k = rng_next(&s) % opt.num;
        key_present(key, k);
        if (w->e->put(ctx, key, KEY_SIZE, value_for(k), VALUE_SIZE, true) != 0) {
            w->rc = -1;
            break;
        }
    }
    w->e->ctx_free(ctx);
    return NULL;
}

/* Operations done = claimed tickets minus the one each thread took and
 * did not use when it stopped. */
static int run_fillsync(const bench_engine_t *e, void *db, uint64_t seed, result_t *r)
{
    sync_worker_t w[SYNC_THREADS];
    uint64_t claimed = 0;
    double t0 = now_sec();
    r->cpu0 = cpu_sec();
    int rc = 0;
    for (int i = 0; i < SYNC_THREADS; i++) {
        w[i] = (sync_worker_t){ e, db, seed + (uint64_t)i * 7777, &claimed,
                                t0 + opt.sync_seconds, 0, 0 };
        if (pthread_create(&w[i].tid, NULL, sync_worker_main, &w[i]) != 0) {
            fprintf(stderr, "lsm-bench: pthread_create failed\n");
            exit(1);
        }
    }
    for (int i = 0; i < SYNC_THREADS; i++) {
        pthread_join(w[i].tid, NULL);
        rc |= w[i].rc;
    }
    r->secs = now_sec() - t0;
    r->ops = claimed - SYNC_THREADS;
    if (r->ops > opt.sync_ops)
        r->ops = opt.sync_ops;
    return rc;
}

/* --- one engine, in a child process --------------------------------------- */

static void send_result(FILE *out, int w, const result_t *r)
{
    fprintf(out, "%d %llu %.6f\n", w, (unsigned long long)r->ops, r->secs);
    fflush(out);
    fprintf(stderr, "lsm-bench: %-8s %-12s %10.0f ops/s  (%llu ops, %.2f s, cpu %.2f s)\n",
            current_engine, workload_names[w], r->secs > 0 ? (double)r->ops / r->secs : 0,
            (unsigned long long)r->ops, r->secs, cpu_sec() - r->cpu0);
}

/* Report a workload's result if it was asked for (a load that only sets up
 * later workloads is run but not reported); rc is the workload's status. */
static int done(FILE *out, int w, int rc, const result_t *r)
{
    if (rc == 0 && opt.want_workload[w])
        send_result(out, w, r);
    return rc;
}

/* Runs every selected workload of engine e; 1 on the first failure (the
 * child exits then, which releases everything). */
static int engine_child(const bench_engine_t *e, FILE *out)
{
    const bool *ww = opt.want_workload;
    uint64_t seed = opt.seed;
    result_t r = { 0 };
    void *db;
    current_engine = e->name;

    if (opt.memory) {
        if (!(db = engine_open(e, "memory")) ||
            done(out, W_MEMLOAD, run_fill(e, db, ORDER_SCRAMBLED, opt.num, seed, &r), &r) ||
            done(out, W_READRANDOM, run_reads(e, db, false, seed + 1, &r), &r))
            return 1;
        if (e->report)
            e->report(db, out);
        engine_close(e, db, "memory");
        return 0;
    }

    if (ww[W_FILLRANDOM]) {
        if (!(db = engine_open(e, "random")) ||
            done(out, W_FILLRANDOM, run_fill(e, db, ORDER_RANDOM, opt.num, seed + 2, &r), &r))
            return 1;
        engine_close(e, db, "random");
    }

    bool reads = ww[W_READRANDOM] || ww[W_READMISSING] || ww[W_SEEKRANDOM];
    if (ww[W_FILLSEQ] || ww[W_OVERWRITE] || reads) {
        /* fillseq loads every key; the other workloads need that load. */
        if (!(db = engine_open(e, "loaded")) ||
            done(out, W_FILLSEQ, run_fill(e, db, ORDER_SEQ, opt.num, seed + 3, &r), &r))
            return 1;
        if (ww[W_OVERWRITE] &&
            done(out, W_OVERWRITE, run_fill(e, db, ORDER_RANDOM, opt.num, seed + 4, &r), &r))
            return 1;
        if (reads) {
            double t0 = now_sec();
            if (e->settle(db) != 0)
                return 1;
            fprintf(stderr, "lsm-bench: %-8s settle (flush + compact all) %.2f s\n",
                    e->name, now_sec() - t0);
        }
        if ((ww[W_READRANDOM] &&
             done(out, W_READRANDOM, run_reads(e, db, false, seed + 5, &r), &r)) ||
            (ww[W_READMISSING] &&
             done(out, W_READMISSING, run_reads(e, db, true, seed + 6, &r), &r)) ||
            (ww[W_SEEKRANDOM] && done(out, W_SEEKRANDOM, run_seeks(e, db, seed + 7, &r), &r)))
            return 1;
        if (e->report)
            e->report(db, out);
        engine_close(e, db, "loaded");
    }

    if (ww[W_FILLSYNC]) {
        if (!(db = engine_open(e, "sync")) ||
            done(out, W_FILLSYNC, run_fillsync(e, db, seed + 8, &r), &r))
            return 1;
        if (e->report && !reads && !ww[W_FILLSEQ] && !ww[W_OVERWRITE])
            e->report(db, out); /* its syncs per write, when it ran alone */
        engine_close(e, db, "sync");
    }
    return 0;
}

/* --- the parent ------------------------------------------------------------ */

typedef struct engine_run {
    bool     ran, failed;
    double   ops_per_sec[W_COUNT];
    bool     have[W_COUNT];
    long     peak_rss_kib;
    char    *comments; /* "# ..." lines the child sent */
    size_t   comments_len;
} engine_run_t;

static void run_engine(size_t ei, engine_run_t *er)
{
    int fds[2];
    if (pipe(fds) != 0) {
        perror("lsm-bench: pipe");
        exit(1);
    }
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        perror("lsm-bench: fork");
        exit(1);
    }
    if (pid == 0) {
        close(fds[0]);
        FILE *out = fdopen(fds[1], "w");
        int rc = out ? engine_child(all_engines[ei], out) : 1;
        if (out)
            fclose(out);
        _exit(rc);
    }
    close(fds[1]);
    er->ran = true;
    FILE *in = fdopen(fds[0], "r");
    char line[1024];
    while (in && fgets(line, sizeof(line), in)) {
        int w;
        unsigned long long ops;
        double secs;
        if (line[0] == '#') {
            size_t n = strlen(line);
            er->comments = realloc(er->comments, er->comments_len + n + 1);
            memcpy(er->comments + er->comments_len, line, n + 1);
            er->comments_len += n;
        } else if (sscanf(line, "%d %llu %lf", &w, &ops, &secs) == 3 && w >= 0 && w < W_COUNT) {
            er->have[w] = true;
            er->ops_per_sec[w] = secs > 0 ? (double)ops / secs : 0;
        }
    }
    if (in)
        fclose(in);
    int status = 0;
    struct rusage ru;
    memset(&ru, 0, sizeof(ru));
    while (wait4(pid, &status, 0, &ru) < 0 && errno == EINTR)
        ;
    er->peak_rss_kib = ru.ru_maxrss;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        er->failed = true;
        if (WIFSIGNALED(status))
            fprintf(stderr, "lsm-bench: %s: killed by signal %d\n",
                    all_engines[ei]->name, WTERMSIG(status));
        else
            fprintf(stderr, "lsm-bench: %s: failed (exit %d)\n", all_engines[ei]->name,
                    WEXITSTATUS(status));
    }
}

static bool is_peer(const bench_engine_t *e)
{
    return e == &bench_engine_rocksdb || e == &bench_engine_leveldb;
}

static int pick(const char *list, const char *const *names, size_t n, bool *want, const char *what)
{
    char *copy = strdup(list), *save = NULL;
    memset(want, 0, n * sizeof(bool));
    for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        size_t i;
        for (i = 0; i < n; i++)
            if (strcmp(t, names[i]) == 0)
                break;
        if (i == n) {
            fprintf(stderr, "lsm-bench: unknown %s \"%s\"\n", what, t);
            free(copy);
            return -1;
        }
        want[i] = true;
    }
    free(copy);
    return 0;
}

static void usage(FILE *f)
{
    fprintf(f,
        "usage: lsm-bench [options]\n"
        "  --quick            small run (100k keys), under a minute\n"
        "  --num N            keys in the data set (default 1000000; --memory: 10000000)\n"
        "  --reads N          point reads per read workload (default: num)\n"
        "  --engines LIST     comma-separated, from:");
    for (size_t i = 0; i < N_ENGINES; i++)
        fprintf(f, " %s", all_engines[i]->name);
    fprintf(f,
        "\n  --workloads LIST   comma-separated, from: fillseq fillrandom overwrite\n"
        "                     readrandom readmissing seekrandom fillsync\n"
        "  --memory           memory check: load num keys into ringdb, print peak RSS\n"
        "                     against the memtable and cache budgets\n"
        "  --memtable-mb N    write buffer per engine (default 64)\n"
        "  --cache-mb N       block cache per engine (default 64)\n"
        "  --bloom-bits N     bloom filter bits per key (default 10)\n"
        "  --sync-seconds S   time limit of fillsync (default 5; --quick 1)\n"
        "  --dir DIR          where the databases go (default: a new /tmp/lsm-bench.*)\n"
        "  --seed N           random seed (default: from the clock, printed)\n");
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "quick", no_argument, NULL, 'q' },
        { "num", required_argument, NULL, 'n' },
        { "reads", required_argument, NULL, 'r' },
        { "engines", required_argument, NULL, 'e' },
        { "workloads", required_argument, NULL, 'w' },
        { "memory", no_argument, NULL, 'm' },
        { "memtable-mb", required_argument, NULL, 'M' },
        { "cache-mb", required_argument, NULL, 'C' },
        { "bloom-bits", required_argument, NULL, 'b' },
        { "sync-seconds", required_argument, NULL, 'S' },
        { "dir", required_argument, NULL, 'd' },
        { "seed", required_argument, NULL, 's' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *engines = NULL, *workloads = NULL;
    bool quick = false, own_dir = false;
    uint64_t num = 0, reads = 0;
    double sync_seconds = 0;
    int c;

    opt.cfg = (bench_cfg_t){ 64u << 20, 64u << 20, 10 };
    opt.seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 20);
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        char *end = NULL;
        switch (c) {
        case 'q': quick = true; break;
        case 'n': num = strtoull(optarg, &end, 10); break;
        case 'r': reads = strtoull(optarg, &end, 10); break;
        case 'e': engines = optarg; break;
        case 'w': workloads = optarg; break;
        case 'm': opt.memory = true; break;
        case 'M': opt.cfg.memtable_bytes = (size_t)strtoull(optarg, &end, 10) << 20; break;
        case 'C': opt.cfg.cache_bytes = (size_t)strtoull(optarg, &end, 10) << 20; break;
        case 'b': opt.cfg.bloom_bits = (int)strtol(optarg, &end, 10); break;
        case 'S': sync_seconds = strtod(optarg, &end); break;
        case 'd': snprintf(opt.dir, sizeof(opt.dir), "%s", optarg); break;
        case 's': opt.seed = strtoull(optarg, &end, 10); break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
        if (end && *end) {
            fprintf(stderr, "lsm-bench: bad number \"%s\"\n", optarg);
            return 2;
        }
    }
    if (optind < argc) {
        usage(stderr);
        return 2;
    }

    opt.num = num ? num : opt.memory ? 10000000 : quick ? 100000 : 1000000;
    opt.reads = reads ? reads : opt.memory ? RDB_BENCH_MIN(opt.num, 1000000) : opt.num;
    opt.seeks = RDB_BENCH_MAX(opt.reads / 10, 1000);
    opt.sync_seconds = sync_seconds > 0 ? sync_seconds : quick ? 1.0 : 5.0;
    opt.sync_ops = RDB_BENCH_MAX(opt.num / 10, 1000);

    const char *enames[N_ENGINES];
    for (size_t i = 0; i < N_ENGINES; i++)
        enames[i] = all_engines[i]->name;
    if (engines) {
        if (pick(engines, enames, N_ENGINES, opt.want_engine, "engine") != 0)
            return 2;
    } else {
        for (size_t i = 0; i < N_ENGINES; i++)
            opt.want_engine[i] = !opt.memory || !is_peer(all_engines[i]);
    }
    if (opt.memory) {
        opt.want_workload[W_MEMLOAD] = opt.want_workload[W_READRANDOM] = true;
    } else if (workloads) {
        if (pick(workloads, workload_names, W_MEMLOAD, opt.want_workload, "workload") != 0)
            return 2;
    } else {
        for (int w = 0; w < W_MEMLOAD; w++)
            opt.want_workload[w] = true;
    }
    bool any = false;
    for (size_t i = 0; i < N_ENGINES; i++)
        any |= opt.want_engine[i];
    if (!any) {
        fprintf(stderr, "lsm-bench: no engine selected (this build has:");
        for (size_t i = 0; i < N_ENGINES; i++)
            fprintf(stderr, " %s", enames[i]);
        fprintf(stderr, ")\n");
        return 2;
    }
    if (!opt.dir[0]) {
        snprintf(opt.dir, sizeof(opt.dir), "/tmp/lsm-bench.XXXXXX");
        if (!mkdtemp(opt.dir)) {
            perror("lsm-bench: mkdtemp");
            return 1;
        }
        own_dir = true;
    } else if (mkdir(opt.dir, 0700) != 0 && errno != EEXIST) {
        fprintf(stderr, "lsm-bench: mkdir %s: %s\n", opt.dir, strerror(errno));
        return 1;
    }
    value_pool_init(opt.seed);

    printf("# lsm-bench num=%llu reads=%llu seeks=%llu key=%d value=%d memtable=%zuMiB "
           "cache=%zuMiB bloom=%d fillsync=%d threads/%.1fs seed=%llu dir=%s\n",
           (unsigned long long)opt.num, (unsigned long long)opt.reads,
           (unsigned long long)opt.seeks, KEY_SIZE, VALUE_SIZE, opt.cfg.memtable_bytes >> 20,
           opt.cfg.cache_bytes >> 20, opt.cfg.bloom_bits, SYNC_THREADS, opt.sync_seconds,
           (unsigned long long)opt.seed, opt.dir);
    fflush(stdout);

    /* Peers first, so their numbers are known when ringdb's line prints;
     * the order of runs does not matter otherwise. */
    engine_run_t runs[N_ENGINES];
    memset(runs, 0, sizeof(runs));
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < N_ENGINES; i++)
            if (opt.want_engine[i] && is_peer(all_engines[i]) == (pass == 0))
                run_engine(i, &runs[i]);

    int rc = 0;
    static const int print_order[] = { W_MEMLOAD, W_FILLSEQ, W_FILLRANDOM, W_OVERWRITE,
                                       W_READRANDOM, W_READMISSING, W_SEEKRANDOM, W_FILLSYNC };
    for (size_t pw = 0; pw < sizeof(print_order) / sizeof(print_order[0]); pw++) {
        int w = print_order[pw];
        double best_peer = 0;
        for (size_t i = 0; i < N_ENGINES; i++)
            if (runs[i].have[w] && is_peer(all_engines[i]) && runs[i].ops_per_sec[w] > best_peer)
                best_peer = runs[i].ops_per_sec[w];
        for (size_t i = 0; i < N_ENGINES; i++) {
            if (!runs[i].have[w])
                continue;
            if (best_peer > 0)
                printf("%-8s %-12s %10.0f %6.2f\n", all_engines[i]->name, workload_names[w],
                       runs[i].ops_per_sec[w], runs[i].ops_per_sec[w] / best_peer);
            else
                printf("%-8s %-12s %10.0f      -\n", all_engines[i]->name, workload_names[w],
                       runs[i].ops_per_sec[w]);
        }
    }
    for (size_t i = 0; i < N_ENGINES; i++) {
        if (!runs[i].ran)
            continue;
        printf("# %-8s peak_rss_mib %.1f%s\n", all_engines[i]->name,
               (double)runs[i].peak_rss_kib / 1024.0, runs[i].failed ? " (FAILED)" : "");
        if (runs[i].comments)
            fputs(runs[i].comments, stdout);
        free(runs[i].comments);
        if (runs[i].failed)
            rc = 1;
        if (opt.memory && !runs[i].failed) {
            /* The active memtable plus one immutable one being flushed. */
            double budget = 2.0 * (double)opt.cfg.memtable_bytes + (double)opt.cfg.cache_bytes;
            double rss = (double)runs[i].peak_rss_kib * 1024.0;
            bool ok = rss <= budget + MEM_ALLOWANCE;
            printf("# memory %s keys=%llu peak_rss_mib=%.1f budget_mib=%.1f "
                   "(2 x memtable %zu + cache %zu) allowance_mib=%.0f over_budget_mib=%.1f -> %s\n",
                   all_engines[i]->name, (unsigned long long)opt.num, rss / MIB, budget / MIB,
                   opt.cfg.memtable_bytes >> 20, opt.cfg.cache_bytes >> 20, MEM_ALLOWANCE / MIB,
                   (rss - budget) / MIB, ok ? "within" : "OVER");
            if (!ok)
                rc = 1;
        }
    }
    if (own_dir)
        rm_tree(opt.dir);
    return rc;
}
