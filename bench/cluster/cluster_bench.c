/*
 * cluster_bench.c — replication throughput and lag on 3 local nodes, RF 3.
 *
 *   build/bench/cluster-bench [--seconds S] [--window W] [--value-size B]
 *                             [--no-sync] [--port P] [--lag-rate R]
 *                             [--local-sync R] [--settle S] [--bg-in-lag]
 *                             [--no-stages]
 *
 * Three nodes run in this process (each its own thread, libev loop, store
 * in its own directory, fsync on every write unless --no-sync), linked
 * over loopback TCP exactly as separate processes would be.  Writes go
 * through clu_node_commit_batch (the SQL layer's entry point), round-robin
 * over the three coordinators (multi-leader), one record per write.
 *
 * 1. Peak: for ONE, QUORUM and ALL, keep W writes outstanding for S
 *    seconds and report writes/s.
 * 2. Lag: issue writes at half the ALL peak rate (the rate at which every
 *    replica keeps up; ONE acknowledges before the replicas apply, so its
 *    peak is the coordinators' rate, not the replicas'), paced, for S
 *    seconds, each at ALL.  Reported:
 *    - visibility lag: p50/p99/max of the time from issue until the write
 *      is visible on every replica.  Each node's applied hook (called by
 *      the applier right after the store insert, before the fsync; see
 *      node_apply.c) stamps the time per replica; a write's lag is the
 *      latest of its three stamps minus its issue time.  No
 *      acknowledgement trip is included.
 *    - durable acknowledgement: p50/p99/max of the ALL acknowledgement
 *      (every replica fsynced its WAL, plus the trip back).
 *    --lag-rate R measures at R writes/s instead.  --local-sync R adds, during
 *    the lag phase, R synced local writes/s on every node straight into its
 *    store (as SQL commits make them: an fsynced lsm_write, then
 *    replication), which share the store's write queue with the replica
 *    applies.  --settle S waits S seconds before the lag phase, so that
 *    the flushes and compactions the peak phases left behind (three
 *    overloaded phases' worth) are done; the lag phase prints what
 *    background work its own writes caused (flushes, compactions, write
 *    slowdowns and stalls, summed over the three stores).  --bg-in-lag makes
 *    that background work happen on purpose, whatever the peak phases left:
 *    a third into the lag phase every store is flushed (lsm_flush: an L0
 *    table, a manifest edit, the old WAL deleted), two thirds in every
 *    store is compacted (lsm_compact_range over all keys).
 *    Then, for each write, the stages of the replica that applied it last
 *    (node stage hook, clu_node_set_stage_hook): issue -> its coordinator's
 *    loop took it -> that replica's loop read it from the coordinator's
 *    frame -> the loop handed it to the applier -> applied; p50/p99/max of
 *    each and the mean of each over the slowest 1% (--no-stages: no hook).
 *    And per thread name, CPU time and time spent runnable but waiting for
 *    a CPU during the phase (/proc/self/task/TID/schedstat): a tail made
 *    of waiting for a CPU is the machine's load, not the code's.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>
#include <dirent.h>
#include <ftw.h>
#include <jansson.h>

#include "cluster/node.h"
#include "lsm/batch.h"
#include "lsm/lsm.h"
#include "common/clock.h"
#include "common/log.h"

typedef struct bench {
    clu_node_t     *n[3];
    pthread_mutex_t mu;
    pthread_cond_t  cv;
    uint64_t        outstanding, done, failed;
    uint64_t       *issue_us;     /* lag phase: per write */
    uint64_t       *lat_us;
    uint64_t        nlat;
    /* lag phase: key numbers lag_base .. lag_base+lag_n-1; vis_us[i] is the
     * latest apply time of write i over the replicas, nvis[i] a bit per
     * replica that applied it (written by the nodes' applier threads, vmu). */
    pthread_mutex_t vmu;
    uint64_t        lag_base, lag_n;
    uint64_t       *vis_us;
    uint8_t        *nvis;
    /* lag phase, per write: when the coordinator's loop took it, and per
     * node when its loop read it from a peer (rx), handed it to its
     * applier (hand) and the applier applied it (app); 0 not seen.  Each
     * slot is written by one node's thread (stage_cb, applied_cb). */
    atomic_bool     stage_on;
    uint64_t       *t_coord, (*t_rx)[3], (*t_hand)[3], (*t_app)[3];
} bench_t;

static int cmp_u64(const void *a, const void *b);

/* Per thread (/proc/self/task/TID): its name and the kernel's schedstat,
 * time on a CPU and time runnable but waiting for one (ns). */
typedef struct tsnap {
    int      tid;
    char     name[16];
    uint64_t cpu, wait;
} tsnap_t;

static size_t thread_snap(tsnap_t *out, size_t max)
{
    DIR *d = opendir("/proc/self/task");
    size_t n = 0;
    struct dirent *de;
    while (d && (de = readdir(d)) && n < max) {
        if (de->d_name[0] == '.')
            continue;
        char p[64];
        tsnap_t t = { .tid = atoi(de->d_name) };
        snprintf(p, sizeof p, "/proc/self/task/%d/comm", t.tid);
        FILE *f = fopen(p, "r");
        if (!f)
            continue;
        if (!fgets(t.name, sizeof t.name, f))
            t.name[0] = 0;
        fclose(f);
        t.name[strcspn(t.name, "\n")] = 0;
        snprintf(p, sizeof p, "/proc/self/task/%d/schedstat", t.tid);
        f = fopen(p, "r");
        unsigned long long cpu = 0, wait = 0;
        if (f) {
            if (fscanf(f, "%llu %llu", &cpu, &wait) != 2)
                cpu = wait = 0;
            fclose(f);
        }
        t.cpu = cpu;
        t.wait = wait;
        out[n++] = t;
    }
    if (d)
        closedir(d);
    return n;
}

/* CPU and waiting for a CPU between two snapshots, summed per thread
 * name: much waiting means the threads lacked CPU, not that they were
 * blocked (blocked time shows in neither). */
static void thread_report(const tsnap_t *a, size_t na, const tsnap_t *b, size_t nb, double secs)
{
    struct { char name[16]; int n; uint64_t cpu, wait; } agg[32];
    size_t ng = 0;
    uint64_t tcpu = 0, twait = 0;
    for (size_t i = 0; i < nb; i++) {
        const tsnap_t *o = NULL;
        for (size_t j = 0; j < na && !o; j++)
            if (a[j].tid == b[i].tid)
                o = &a[j];
        uint64_t cpu = b[i].cpu - (o ? o->cpu : 0), wait = b[i].wait - (o ? o->wait : 0);
        size_t g = 0;
        while (g < ng && strcmp(agg[g].name, b[i].name) != 0)
            g++;
        if (g == ng) {
            if (ng == 32)
                continue;
            snprintf(agg[ng].name, sizeof agg[ng].name, "%s", b[i].name);
            agg[ng].n = 0;
            agg[ng].cpu = agg[ng].wait = 0;
            ng++;
        }
        agg[g].n++;
        agg[g].cpu += cpu;
        agg[g].wait += wait;
        tcpu += cpu;
        twait += wait;
    }
    printf("    threads in the lag phase (%.1f s; CPU ms / waiting for a CPU ms):\n     ", secs);
    for (size_t g = 0; g < ng; g++)
        if (agg[g].cpu + agg[g].wait >= 1000000)
            printf(" %s x%d %.0f/%.0f;", agg[g].name, agg[g].n, (double)agg[g].cpu / 1e6,
                   (double)agg[g].wait / 1e6);
    printf(" all %.0f/%.0f (%.2f CPUs busy)\n", (double)tcpu / 1e6, (double)twait / 1e6,
           (double)tcpu / 1e9 / secs);
}

typedef struct hook_ctx {
    bench_t *b;
    int      node;
} hook_ctx_t;

/* The lag-phase index of a bench record, or UINT64_MAX. */
static uint64_t lag_index(const bench_t *b, const clu_record_t *r)
{
    if (r->klen != 16 || memcmp(r->key, "bench-", 6) != 0)
        return UINT64_MAX;
    uint64_t k = 0;
    for (int j = 6; j < 16; j++)
        k = k * 10 + (uint64_t)(((const char *)r->key)[j] - '0');
    if (k < b->lag_base || k - b->lag_base >= b->lag_n)
        return UINT64_MAX;
    return k - b->lag_base;
}

/* Applied hook of every node: stamp the lag-phase writes. */
static void applied_cb(void *ctx, const clu_record_t *recs, size_t n)
{
    hook_ctx_t *h = ctx;
    bench_t *b = h->b;
    uint64_t now = rdb_now_us();
    pthread_mutex_lock(&b->vmu);
    for (size_t i = 0; i < n && b->vis_us; i++) {
        uint64_t x = lag_index(b, &recs[i]);
        if (x == UINT64_MAX)
            continue;
        b->nvis[x] |= (uint8_t)(1u << h->node);
        if (now > b->vis_us[x])
            b->vis_us[x] = now;
        if (!b->t_app[x][h->node])
            b->t_app[x][h->node] = now;
    }
    pthread_mutex_unlock(&b->vmu);
}

/* Stage hook of every node (its loop thread): the first stamp counts. */
static void stage_cb(void *ctx, clu_stage_t stage, const clu_record_t *recs, size_t n)
{
    hook_ctx_t *h = ctx;
    bench_t *b = h->b;
    if (!atomic_load(&b->stage_on))
        return;
    uint64_t now = rdb_now_us();
    for (size_t i = 0; i < n; i++) {
        uint64_t x = lag_index(b, &recs[i]);
        if (x == UINT64_MAX)
            continue;
        uint64_t *slot = stage == CLU_STAGE_COORD ? &b->t_coord[x]
                         : stage == CLU_STAGE_RX  ? &b->t_rx[x][h->node]
                                                  : &b->t_hand[x][h->node];
        if (!*slot)
            *slot = now;
    }
}

static void pct_line(const char *what, uint64_t *v, size_t n)
{
    if (!n)
        return;
    qsort(v, n, sizeof *v, cmp_u64);
    printf("      %-34s p50 %7.2f ms  p99 %7.2f ms  max %7.2f ms\n", what,
           (double)v[n / 2] / 1000.0, (double)v[(size_t)((double)n * 0.99)] / 1000.0,
           (double)v[n - 1] / 1000.0);
}

/* Where the lag goes: for each write seen on all replicas, the stages of
 * the replica that applied it last (the one that sets its lag):
 * issue -> its coordinator's loop took it -> the last replica's loop read
 * it from the coordinator's frame (none when the last is the coordinator)
 * -> that loop handed it to its applier -> applied.  Then the mean of each
 * stage over the slowest 1% of writes. */
static void stage_report(bench_t *b, uint64_t n, uint64_t p99_lag)
{
    const char *names[4] = { "issue -> coordinator loop", "coordinator -> replica loop read",
                             "loop read -> handed to applier", "handed -> applied" };
    uint64_t *v[4];
    for (int s = 0; s < 4; s++)
        v[s] = calloc(n, sizeof *v[s]);
    double slow[4] = { 0 };
    size_t m = 0, nslow = 0, lastc = 0;
    for (uint64_t i = 0; i < n; i++) {
        if (b->nvis[i] != 7 || !b->t_coord[i])
            continue;
        int last = 0;
        for (int k = 1; k < 3; k++)
            if (b->t_app[i][k] > b->t_app[i][last])
                last = k;
        int coord = (int)((b->lag_base + i) % 3);
        uint64_t rx = last == coord ? b->t_coord[i] : b->t_rx[i][last];
        uint64_t hand = b->t_hand[i][last], app = b->t_app[i][last];
        if (!rx || !hand || !app || rx < b->t_coord[i] || hand < rx || app < hand)
            continue;
        uint64_t st[4] = { b->t_coord[i] - b->issue_us[i], rx - b->t_coord[i], hand - rx,
                           app - hand };
        for (int s = 0; s < 4; s++)
            v[s][m] = st[s];
        m++;
        lastc += last == coord;
        if (app - b->issue_us[i] >= p99_lag) {
            for (int s = 0; s < 4; s++)
                slow[s] += (double)st[s];
            nslow++;
        }
    }
    printf("    stages of the last replica (%zu writes; it was the coordinator for %zu):\n", m,
           lastc);
    for (int s = 0; s < 4; s++)
        pct_line(names[s], v[s], m);
    if (nslow)
        printf("      slowest 1%% (%zu writes), mean ms: %.2f | %.2f | %.2f | %.2f\n", nslow,
               slow[0] / (double)nslow / 1000.0, slow[1] / (double)nslow / 1000.0,
               slow[2] / (double)nslow / 1000.0, slow[3] / (double)nslow / 1000.0);
    for (int s = 0; s < 4; s++)
        free(v[s]);
}

typedef struct wctx {
    bench_t *b;
    uint64_t idx;      /* lag phase index, or UINT64_MAX */
} wctx_t;

static void done_cb(void *ctx, const rdb_err_t *err)
{
    wctx_t *w = ctx;
    bench_t *b = w->b;
    uint64_t now = rdb_now_us();
    pthread_mutex_lock(&b->mu);
    b->outstanding--;
    b->done++;
    if (err)
        b->failed++;
    else if (w->idx != UINT64_MAX)
        b->lat_us[b->nlat++] = now - b->issue_us[w->idx];
    pthread_cond_signal(&b->cv);
    pthread_mutex_unlock(&b->mu);
    free(w);
}

static void issue(bench_t *b, uint64_t i, clu_consistency_t cl, size_t vsize, uint64_t idx)
{
    char key[32];
    char val[4096];
    int kl = snprintf(key, sizeof key, "bench-%010llu", (unsigned long long)i);
    memset(val, 'v', vsize);
    clu_record_t r = { .key = key, .klen = (size_t)kl, .value = val, .vlen = vsize };
    wctx_t *w = malloc(sizeof *w);
    w->b = b;
    w->idx = idx;
    pthread_mutex_lock(&b->mu);
    b->outstanding++;
    pthread_mutex_unlock(&b->mu);
    clu_node_commit_batch(b->n[i % 3], &r, 1, cl, 0, done_cb, w);
}

static void drain(bench_t *b)
{
    pthread_mutex_lock(&b->mu);
    while (b->outstanding)
        pthread_cond_wait(&b->cv, &b->mu);
    pthread_mutex_unlock(&b->mu);
}

/* Wait until no node has unacknowledged frames or hints: the replicas
 * have caught up with everything written so far (ONE leaves a backlog). */
static double wait_caught_up(bench_t *b)
{
    uint64_t t0 = rdb_now_us();
    for (int tries = 0; tries < 6000; tries++) {
        uint64_t pending = 0;
        for (int i = 0; i < 3; i++) {
            rdb_buf_t s = RDB_BUF_INIT;
            clu_node_status_json(b->n[i], &s);
            json_error_t je;
            json_t *j = json_loadb(s.data, s.len, 0, &je);
            rdb_buf_free(&s);
            size_t k;
            json_t *m;
            json_array_foreach(json_object_get(j, "members"), k, m) {
                pending += (uint64_t)json_integer_value(json_object_get(m, "unacked_frames"));
                pending += (uint64_t)json_integer_value(
                    json_object_get(json_object_get(m, "hints"), "count"));
            }
            json_decref(j);
        }
        if (pending == 0)
            break;
        rdb_sleep_ms(5);
    }
    return (double)(rdb_now_us() - t0) / 1e6;
}

static uint64_t key_seq;

/* --local-sync R: on every node a thread writes R synced one-record
 * batches per second straight into the node's store, as SQL commits do
 * (txn_commit's fsynced write, then replication): replica applies share
 * the store's write queue with them. */
typedef struct local_sync {
    clu_node_t *node;
    double rate;
    atomic_bool stop;
    uint64_t writes;
} local_sync_t;

static void *local_sync_main(void *arg)
{
    local_sync_t *ls = arg;
    lsm_db_t *db = clu_node_db(ls->node);
    uint64_t t0 = rdb_now_us();
    while (!atomic_load(&ls->stop)) {
        uint64_t due = t0 + (uint64_t)((double)ls->writes * 1e6 / ls->rate);
        uint64_t now = rdb_now_us();
        if (due > now)
            usleep((useconds_t)(due - now));
        char key[32];
        int kl = snprintf(key, sizeof key, "local-%010llu", (unsigned long long)ls->writes);
        lsm_batch_t *b = lsm_batch_new();
        lsm_batch_put(b, key, (size_t)kl, (lsm_version_t){ rdb_now_us(), 9 }, "v", 1);
        rdb_err_t e = RDB_ERR_INIT;
        lsm_write_options_t wo = { .sync = true };
        if (lsm_write(db, &wo, b, &e) != RDB_OK)
            rdb_err_clear(&e);
        lsm_batch_free(b);
        ls->writes++;
    }
    return NULL;
}

/* --bg-in-lag: a flush of every store at 1/3 of the lag phase, a full
 * compaction of every store at 2/3. */
typedef struct bg_in_lag {
    bench_t *b;
    uint64_t t0, len_us;
} bg_in_lag_t;

static void *bg_in_lag_main(void *arg)
{
    bg_in_lag_t *g = arg;
    for (int step = 1; step <= 2; step++) {
        uint64_t due = g->t0 + g->len_us * (uint64_t)step / 3, now = rdb_now_us();
        if (due > now)
            usleep((useconds_t)(due - now));
        for (int i = 0; i < 3; i++) {
            rdb_err_t e = RDB_ERR_INIT;
            lsm_db_t *db = clu_node_db(g->b->n[i]);
            rdb_status_t st = step == 1 ? lsm_flush(db, &e)
                                        : lsm_compact_range(db, NULL, 0, NULL, 0, &e);
            if (st != RDB_OK) {
                fprintf(stderr, "cluster-bench: background work on node %d: %s\n", i + 1, e.msg);
                rdb_err_clear(&e);
            }
        }
    }
    return NULL;
}

static double run_peak(bench_t *b, clu_consistency_t cl, double secs, unsigned window,
                       size_t vsize)
{
    b->done = b->failed = 0;
    uint64_t t0 = rdb_now_us(), end = t0 + (uint64_t)(secs * 1e6);
    while (rdb_now_us() < end) {
        pthread_mutex_lock(&b->mu);
        while (b->outstanding >= window)
            pthread_cond_wait(&b->cv, &b->mu);
        pthread_mutex_unlock(&b->mu);
        issue(b, key_seq++, cl, vsize, UINT64_MAX);
    }
    drain(b);
    double el = (double)(rdb_now_us() - t0) / 1e6;
    return (double)(b->done - b->failed) / el;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* fdatasync latency of this disk, for reading the durable figures: a write
 * is durable on a replica only after its WAL fsync. */
static void fsync_baseline(const char *dir)
{
    char path[128];
    snprintf(path, sizeof path, "%s/fsync-probe", dir);
    FILE *f = fopen(path, "w");
    if (!f)
        return;
    uint64_t lat[200];
    for (int i = 0; i < 200; i++) {
        fwrite("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
               "0123456789abcdef", 1, 96, f);
        fflush(f);
        uint64_t t = rdb_now_us();
        fdatasync(fileno(f));
        lat[i] = rdb_now_us() - t;
    }
    fclose(f);
    remove(path);
    qsort(lat, 200, sizeof lat[0], cmp_u64);
    printf("  disk: fdatasync of 96 bytes p50 %.2f ms  p99 %.2f ms\n", (double)lat[100] / 1000.0,
           (double)lat[198] / 1000.0);
}

static int rm_fn(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
    return remove(p);
}

int main(int argc, char **argv)
{
    double secs = 3.0;
    unsigned window = 256;
    size_t vsize = 100;
    bool sync = true;
    int port = 30700;
    double lag_rate = 0, local_sync = 0, settle = 0;
    bool bg_in_lag = false, no_stages = false;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--seconds") && i + 1 < argc)
            secs = atof(argv[++i]);
        else if (!strcmp(argv[i], "--window") && i + 1 < argc)
            window = (unsigned)atoi(argv[++i]);
        else if (!strcmp(argv[i], "--value-size") && i + 1 < argc)
            vsize = (size_t)atoi(argv[++i]);
        else if (!strcmp(argv[i], "--no-sync"))
            sync = false;
        else if (!strcmp(argv[i], "--port") && i + 1 < argc)
            port = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--lag-rate") && i + 1 < argc)
            lag_rate = atof(argv[++i]);
        else if (!strcmp(argv[i], "--local-sync") && i + 1 < argc)
            local_sync = atof(argv[++i]);
        else if (!strcmp(argv[i], "--settle") && i + 1 < argc)
            settle = atof(argv[++i]);
        else if (!strcmp(argv[i], "--bg-in-lag"))
            bg_in_lag = true;
        else if (!strcmp(argv[i], "--no-stages"))
            no_stages = true;
        else {
            fprintf(stderr, "usage: cluster-bench [--seconds S] [--window W] [--value-size B] "
                            "[--no-sync] [--port P] [--lag-rate R] [--local-sync R] [--settle S] "
                            "[--bg-in-lag] [--no-stages]\n");
            return 2;
        }
    }
    if (vsize > 4096)
        vsize = 4096;
    rdb_log_set_level(RDB_LOG_LEVEL_WARN);
    char dir[] = "/tmp/cluster-bench-XXXXXX";
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    bench_t b = { .mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER,
                  .vmu = PTHREAD_MUTEX_INITIALIZER };
    char peers[128];
    snprintf(peers, sizeof peers, "127.0.0.1:%d,127.0.0.1:%d,127.0.0.1:%d", port + 1, port + 2,
             port + 3);
    rdb_err_t e = RDB_ERR_INIT;
    hook_ctx_t hooks[3];
    for (int i = 0; i < 3; i++) {
        char dd[96];
        snprintf(dd, sizeof dd, "%s/n%d", dir, i + 1);
        clu_node_opts_t o;
        clu_node_opts_default(&o);
        o.node_id = (uint16_t)(i + 1);
        o.data_dir = dd;
        o.peer_port = port + i + 1;
        o.peers = peers;
        o.secret = "bench";
        o.sync = sync;
        o.ae_interval_ms = 0;
        o.write_timeout_ms = 5000;
        if (clu_node_start(&o, &b.n[i], &e) != RDB_OK) {
            fprintf(stderr, "cluster-bench: %s\n", e.msg);
            return 1;
        }
        hooks[i] = (hook_ctx_t){ &b, i };
        clu_node_set_applied_hook(b.n[i], applied_cb, &hooks[i]);
        if (!no_stages)
            clu_node_set_stage_hook(b.n[i], stage_cb, &hooks[i]);
    }
    /* Wait for the links: a QUORUM write only succeeds once peers are up. */
    for (int tries = 0; tries < 200; tries++) {
        clu_record_t r = { .key = "warmup", .klen = 6, .value = "x", .vlen = 1 };
        rdb_err_t we = RDB_ERR_INIT;
        if (clu_node_write(b.n[0], &r, 1, CLU_CL_ALL, 0, NULL, &we) == RDB_OK &&
            clu_node_write(b.n[1], &r, 1, CLU_CL_ALL, 0, NULL, &we) == RDB_OK &&
            clu_node_write(b.n[2], &r, 1, CLU_CL_ALL, 0, NULL, &we) == RDB_OK)
            break;
        rdb_err_clear(&we);
        rdb_sleep_ms(50);
    }
    printf("cluster-bench: 3 nodes, RF 3, %zu-byte values, %s, window %u, %.1f s per level\n",
           vsize, sync ? "fsync on every write" : "no fsync", window, secs);
    if (sync)
        fsync_baseline(dir);
    clu_consistency_t cls[] = { CLU_CL_ONE, CLU_CL_QUORUM, CLU_CL_ALL };
    double peak[3];
    for (int l = 0; l < 3; l++) {
        uint64_t t0p = rdb_now_us();
        peak[l] = run_peak(&b, cls[l], secs, window, vsize);
        double acked_s = (double)(rdb_now_us() - t0p) / 1e6;
        double catch_s = wait_caught_up(&b);
        printf("  %-6s %9.0f writes/s acknowledged, %9.0f writes/s applied on all replicas%s\n",
               clu_consistency_name(cls[l]), peak[l],
               peak[l] * acked_s / (acked_s + catch_s), b.failed ? " (some failed)" : "");
        fflush(stdout);
    }
    if (settle > 0)
        usleep((useconds_t)(settle * 1e6));
    /* Lag at half the ALL peak (see the header comment). */
    lsm_stats_t st0[3], st1[3];
    for (int i = 0; i < 3; i++)
        lsm_get_stats(clu_node_db(b.n[i]), &st0[i]);
    double rate = lag_rate > 0 ? lag_rate : peak[2] / 2;
    uint64_t n = (uint64_t)(rate * secs) + 1;
    b.issue_us = calloc(n, sizeof *b.issue_us);
    b.lat_us = calloc(n, sizeof *b.lat_us);
    uint64_t *vis = calloc(n, sizeof *vis);
    pthread_mutex_lock(&b.vmu);
    b.lag_base = key_seq;
    b.lag_n = n;
    b.nvis = calloc(n, 1);
    b.vis_us = calloc(n, sizeof *b.vis_us);
    b.t_coord = calloc(n, sizeof *b.t_coord);
    b.t_rx = calloc(n, sizeof *b.t_rx);
    b.t_hand = calloc(n, sizeof *b.t_hand);
    b.t_app = calloc(n, sizeof *b.t_app);
    pthread_mutex_unlock(&b.vmu);
    atomic_store(&b.stage_on, true);
    b.nlat = 0;
    b.done = b.failed = 0;
    local_sync_t ls[3];
    pthread_t lst[3];
    for (int i = 0; local_sync > 0 && i < 3; i++) {
        ls[i] = (local_sync_t){ .node = b.n[i], .rate = local_sync };
        pthread_create(&lst[i], NULL, local_sync_main, &ls[i]);
    }
    tsnap_t *ts0 = calloc(256, sizeof *ts0), *ts1 = calloc(256, sizeof *ts1);
    size_t nts0 = thread_snap(ts0, 256);
    uint64_t t0 = rdb_now_us();
    bg_in_lag_t bgl = { &b, t0, (uint64_t)(secs * 1e6) };
    pthread_t bgt;
    if (bg_in_lag)
        pthread_create(&bgt, NULL, bg_in_lag_main, &bgl);
    for (uint64_t i = 0; i < n; i++) {
        uint64_t due = t0 + (uint64_t)((double)i * 1e6 / rate);
        uint64_t now = rdb_now_us();
        if (due > now + 200)
            usleep((useconds_t)(due - now));
        b.issue_us[i] = rdb_now_us();
        issue(&b, key_seq++, CLU_CL_ALL, vsize, i);
    }
    drain(&b);
    double el = (double)(rdb_now_us() - t0) / 1e6;
    size_t nts1 = thread_snap(ts1, 256);
    if (bg_in_lag)
        pthread_join(bgt, NULL);
    uint64_t nlocal = 0;
    for (int i = 0; local_sync > 0 && i < 3; i++) {
        atomic_store(&ls[i].stop, true);
        pthread_join(lst[i], NULL);
        nlocal += ls[i].writes;
    }
    wait_caught_up(&b);
    for (int i = 0; i < 3; i++)
        lsm_get_stats(clu_node_db(b.n[i]), &st1[i]);
    uint64_t nv = 0, partial = 0;
    pthread_mutex_lock(&b.vmu);
    for (uint64_t i = 0; i < n; i++) {
        if (b.nvis[i] == 7)
            vis[nv++] = b.vis_us[i] - b.issue_us[i];
        else
            partial++;
    }
    uint64_t *vis_at = b.vis_us;
    b.vis_us = NULL; /* the hooks stop stamping */
    atomic_store(&b.stage_on, false);
    pthread_mutex_unlock(&b.vmu);
    qsort(vis, nv, sizeof *vis, cmp_u64);
    qsort(b.lat_us, b.nlat, sizeof *b.lat_us, cmp_u64);
    printf("  lag at %.0f writes/s (achieved %.0f/s, %llu writes at ALL, %llu failed):\n", rate,
           (double)n / el, (unsigned long long)n, (unsigned long long)b.failed);
    if (local_sync > 0)
        printf("    with synced local writes on every node: %.0f/s asked, %.0f/s done in all\n",
               local_sync, (double)nlocal / el);
    if (nv)
        printf("    visible on all 3 replicas: p50 %.2f ms  p99 %.2f ms  max %.2f ms"
               "  (%llu writes; %llu not seen on all 3)\n",
               (double)vis[nv / 2] / 1000.0, (double)vis[(size_t)((double)nv * 0.99)] / 1000.0,
               (double)vis[nv - 1] / 1000.0, (unsigned long long)nv,
               (unsigned long long)partial);
    if (nv)
        stage_report(&b, n, vis[(size_t)((double)nv * 0.99)]);
    thread_report(ts0, nts0, ts1, nts1, el);
    free(ts0);
    free(ts1);
    uint64_t dfl = 0, dco = 0, dsl = 0, dst = 0, dus = 0;
    for (int i = 0; i < 3; i++) {
        dfl += st1[i].flushes - st0[i].flushes;
        dco += st1[i].compactions - st0[i].compactions;
        dsl += st1[i].write_slowdowns - st0[i].write_slowdowns;
        dst += st1[i].write_stalls - st0[i].write_stalls;
        dus += st1[i].stall_micros - st0[i].stall_micros;
    }
    printf("    stores meanwhile%s: %llu flushes, %llu compactions, %llu slowed writes, "
           "%llu stalled writes (%.1f ms stalled)\n", settle > 0 ? " (after the settle)" : "",
           (unsigned long long)dfl, (unsigned long long)dco, (unsigned long long)dsl,
           (unsigned long long)dst, (double)dus / 1000.0);
    uint64_t nsw = 0, swmax = 0;
    for (int i = 0; i < 3; i++) {
        nsw += st1[i].memtable_switches;
        if (st1[i].switch_max_micros > swmax)
            swmax = st1[i].switch_max_micros;
    }
    printf("    memtable switches since the start: %llu, the longest held the store mutex "
           "%.2f ms\n", (unsigned long long)nsw, (double)swmax / 1000.0);
    if (b.nlat)
        printf("    durable on all 3 (ALL ack):  p50 %.2f ms  p99 %.2f ms  max %.2f ms\n",
               (double)b.lat_us[b.nlat / 2] / 1000.0,
               (double)b.lat_us[(size_t)((double)b.nlat * 0.99)] / 1000.0,
               (double)b.lat_us[b.nlat - 1] / 1000.0);
    free(vis);
    free(vis_at);
    for (int i = 0; i < 3; i++)
        clu_node_set_applied_hook(b.n[i], NULL, NULL);
    free(b.issue_us);
    free(b.lat_us);
    free(b.nvis);
    for (int i = 0; i < 3; i++)
        clu_node_stop(b.n[i]);
    free(b.t_coord);
    free(b.t_rx);
    free(b.t_hand);
    free(b.t_app);
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) == 0)
        printf("  cpu (whole run, all threads): user %.2f s  sys %.2f s\n",
               (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6,
               (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6);
    nftw(dir, rm_fn, 16, FTW_DEPTH | FTW_PHYS);
    return 0;
}
