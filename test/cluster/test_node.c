/*
 * test_node.c — the node runtime's API as the SQL layer uses it: three
 * nodes in one process (each its own thread, loop and store), peer links on
 * loopback.  Replicated writes and reads at every level, the commit-hook
 * form with a caller-owned store (CLU_W_APPLIED), placement by a pluggable
 * key_token with catalog keys on every node, the 57P03 error when a level
 * cannot be met, bad keys, and the applied / durable acknowledgements of a
 * replica whose fsync is held.  Waits poll with a generous deadline; no
 * check depends on timing.
 */
#include <check.h>
#include <ftw.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cluster/node.h"
#include "common/clock.h"
#include "common/coding.h"
#include "common/hash.h"
#include "common/log.h"

static int rm_fn(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
    return remove(p);
}

/* Options of the next tc_start (tests that need them set and reset them). */
static bool     tc_sync;            /* fsync (the syncer thread) on       */
static uint64_t tc_write_timeout;   /* ms; 0 = 2000                       */

typedef struct tcluster {
    char        dir[64];
    clu_node_t *n[3];
    lsm_db_t   *own_db;   /* node 1's caller-owned store, or NULL */
} tcluster_t;

/* Token of "\x02" ‖ u64 BE token ‖ rest: the embedded token (SQL layout). */
static uint64_t sql_token(const void *key, size_t klen, void *ctx)
{
    const unsigned char *k = key;
    if (klen >= 9 && k[0] == 0x02)
        return rdb_get_u64_be(k + 1);
    return rdb_hash64(key, klen, 0);
}

/* Node 1 takes any free peer port; nodes 2 and 3 join through it, so the
 * test never collides with another run on the machine. */
static void tc_start(tcluster_t *c, uint32_t rf, bool caller_db, bool token_fn)
{
    rdb_err_t e = RDB_ERR_INIT;
    strcpy(c->dir, "/tmp/clu-node-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(c->dir));
    c->own_db = NULL;
    char join[64] = "";
    for (int i = 0; i < 3; i++) {
        char dd[96];
        snprintf(dd, sizeof dd, "%s/n%d", c->dir, i + 1);
        clu_node_opts_t o;
        clu_node_opts_default(&o);
        o.node_id = (uint16_t)(i + 1);
        o.data_dir = dd;
        o.peer_port = 0;
        o.join = i ? join : NULL;
        o.secret = "unit-secret";
        o.rf = rf;
        o.heartbeat_ms = 50;
        o.failure_timeout_ms = 300;
        o.write_timeout_ms = tc_write_timeout ? tc_write_timeout : 2000;
        o.ae_interval_ms = 0;
        o.sync = tc_sync;
        if (token_fn)
            o.key_token = sql_token;
        if (i == 0 && caller_db) {
            char kv[128];
            snprintf(kv, sizeof kv, "%s/caller-kv", c->dir);
            lsm_options_t lo;
            lsm_options_default(&lo);
            lo.sync_mode = LSM_SYNC_NONE;
            ck_assert_msg(lsm_open(kv, &lo, &c->own_db, &e) == RDB_OK, "%s", e.msg);
            o.db = c->own_db;
        }
        ck_assert_msg(clu_node_start(&o, &c->n[i], &e) == RDB_OK, "%s", e.msg);
        ck_assert_int_gt(clu_node_peer_port(c->n[i]), 0);
        if (i == 0)
            snprintf(join, sizeof join, "127.0.0.1:%d", clu_node_peer_port(c->n[0]));
    }
}

static void tc_stop(tcluster_t *c)
{
    for (int i = 0; i < 3; i++)
        if (c->n[i])
            clu_node_stop(c->n[i]);
    if (c->own_db)
        lsm_close(c->own_db);
    nftw(c->dir, rm_fn, 16, FTW_DEPTH | FTW_PHYS);
}

/* Node n's status, parsed (the caller decrefs it). */
static json_t *tc_status(clu_node_t *n)
{
    rdb_buf_t b = RDB_BUF_INIT;
    clu_node_status_json(n, &b);
    json_error_t je;
    json_t *j = json_loadb(b.data, b.len, 0, &je);
    rdb_buf_free(&b);
    ck_assert_ptr_nonnull(j);
    return j;
}

/* How many members node n sees up with a link. */
static int tc_up(clu_node_t *n)
{
    json_t *j = tc_status(n);
    int up = 0;
    size_t i;
    json_t *m;
    json_array_foreach(json_object_get(j, "members"), i, m) {
        json_t *link = json_object_get(m, "link");
        if (!strcmp(json_string_value(json_object_get(m, "state")), "up") &&
            (!link || json_is_true(link)))
            up++;
    }
    json_decref(j);
    return up;
}

static void tc_wait_up(tcluster_t *c, int want)
{
    for (int tries = 0; tries < 400; tries++) {
        bool ok = true;
        for (int i = 0; i < 3; i++)
            if (c->n[i] && tc_up(c->n[i]) < want)
                ok = false;
        if (ok)
            return;
        rdb_sleep_ms(25);
    }
    ck_abort_msg("cluster did not come up");
}

/* Poll node n's own store until key has value (NULL: absent). */
static bool wait_local(clu_node_t *n, const char *key, size_t klen, const char *want)
{
    for (int tries = 0; tries < 400; tries++) {
        rdb_buf_t v = RDB_BUF_INIT;
        rdb_err_t e = RDB_ERR_INIT;
        rdb_status_t st = lsm_get(clu_node_db(n), NULL, key, klen, &v, NULL, &e);
        bool ok = want ? st == RDB_OK && v.len == strlen(want) && !memcmp(v.data, want, v.len)
                       : st == RDB_NOTFOUND;
        rdb_err_clear(&e);
        rdb_buf_free(&v);
        if (ok)
            return true;
        rdb_sleep_ms(10);
    }
    return false;
}

static bool has_local(clu_node_t *n, const void *key, size_t klen)
{
    rdb_err_t e = RDB_ERR_INIT;
    rdb_status_t st = lsm_get(clu_node_db(n), NULL, key, klen, NULL, NULL, &e);
    rdb_err_clear(&e);
    return st == RDB_OK;
}

START_TEST(test_write_read_levels)
{
    tcluster_t c;
    tc_start(&c, 3, false, false);
    tc_wait_up(&c, 3);
    rdb_err_t e = RDB_ERR_INIT;
    clu_consistency_t cls[] = { CLU_CL_ONE, CLU_CL_QUORUM, CLU_CL_ALL };
    for (int l = 0; l < 3; l++) {
        char k[16], v[16];
        snprintf(k, sizeof k, "key-%d", l);
        snprintf(v, sizeof v, "val-%d", l);
        clu_record_t r = { .key = k, .klen = strlen(k), .value = v, .vlen = strlen(v) };
        lsm_version_t ver;
        ck_assert_msg(clu_node_write(c.n[l], &r, 1, cls[l], 0, &ver, &e) == RDB_OK, "%s", e.msg);
        ck_assert_int_eq(ver.node_id, l + 1);
        for (int i = 0; i < 3; i++) {
            ck_assert_msg(wait_local(c.n[i], k, strlen(k), v), "node %d lacks %s", i + 1, k);
            rdb_buf_t out = RDB_BUF_INIT;
            lsm_version_t rv;
            bool found;
            ck_assert(clu_node_read(c.n[i], k, strlen(k), cls[2 - l], &out, &rv, &found, &e) ==
                      RDB_OK);
            ck_assert(found);
            ck_assert_int_eq(out.len, strlen(v));
            ck_assert(rv.hlc == ver.hlc && rv.node_id == ver.node_id);
            rdb_buf_free(&out);
        }
    }
    /* A delete at ALL reads back as not found everywhere. */
    clu_record_t d = { .key = "key-0", .klen = 5, .tombstone = true };
    ck_assert(clu_node_write(c.n[1], &d, 1, CLU_CL_ALL, 0, NULL, &e) == RDB_OK);
    for (int i = 0; i < 3; i++) {
        bool found = true;
        ck_assert(clu_node_read(c.n[i], "key-0", 5, CLU_CL_QUORUM, NULL, NULL, &found, &e) == RDB_OK);
        ck_assert(!found);
    }
    /* Reserved keys are refused, with a SQLSTATE. */
    clu_record_t bad = { .key = "\0x", .klen = 2, .value = "v", .vlen = 1 };
    ck_assert_int_eq(clu_node_write(c.n[0], &bad, 1, CLU_CL_ONE, 0, NULL, &e), RDB_INVALID);
    ck_assert_str_eq(e.sqlstate, "22023");
    rdb_err_clear(&e);
    /* ALL with a node gone fails with 57P03 and says how many answered. */
    clu_node_stop(c.n[2]);
    c.n[2] = NULL;
    tc_wait_up(&c, 2);
    clu_record_t r = { .key = "after", .klen = 5, .value = "x", .vlen = 1 };
    ck_assert_int_eq(clu_node_write(c.n[0], &r, 1, CLU_CL_ALL, 0, NULL, &e), RDB_UNAVAILABLE);
    ck_assert_str_eq(e.sqlstate, "57P03");
    ck_assert_msg(strstr(e.msg, "ALL not reached") != NULL, "%s", e.msg);
    rdb_err_clear(&e);
    ck_assert(clu_node_write(c.n[0], &r, 1, CLU_CL_QUORUM, 0, NULL, &e) == RDB_OK);
    tc_stop(&c);
}
END_TEST

/* The commit-hook form: the caller writes its own store, then replicates. */
typedef struct hook_state {
    pthread_mutex_t mu;
    int             done, failed;
} hook_state_t;

static void hook_cb(void *ctx, const rdb_err_t *err)
{
    hook_state_t *h = ctx;
    pthread_mutex_lock(&h->mu);
    h->done++;
    h->failed += err != NULL;
    pthread_mutex_unlock(&h->mu);
}

START_TEST(test_commit_hook_caller_store)
{
    tcluster_t c;
    tc_start(&c, 3, true, false);
    tc_wait_up(&c, 3);
    ck_assert_ptr_eq(clu_node_db(c.n[0]), c.own_db);
    hook_state_t h = { PTHREAD_MUTEX_INITIALIZER, 0, 0 };
    rdb_err_t e = RDB_ERR_INIT;
    enum { N = 50 };
    for (int t = 0; t < N; t++) {
        char k1[16], k2[16];
        snprintf(k1, sizeof k1, "txn%d-a", t);
        snprintf(k2, sizeof k2, "txn%d-b", t);
        lsm_version_t v = { t % 2 ? clu_node_now(c.n[0]) : clu_hlc_now(clu_node_hlc(c.n[0])), 1 };
        lsm_batch_t *b = lsm_batch_new();
        lsm_batch_put(b, k1, strlen(k1), v, "A", 1);
        lsm_batch_put(b, k2, strlen(k2), v, "B", 1);
        ck_assert(lsm_write(c.own_db, NULL, b, &e) == RDB_OK);
        lsm_batch_free(b);
        clu_record_t recs[2] = {
            { .key = k1, .klen = strlen(k1), .value = "A", .vlen = 1, .version = v },
            { .key = k2, .klen = strlen(k2), .value = "B", .vlen = 1, .version = v },
        };
        ck_assert(clu_node_commit_batch(c.n[0], recs, 2, CLU_CL_QUORUM, CLU_W_APPLIED, hook_cb,
                                        &h) == RDB_OK);
    }
    for (int tries = 0; tries < 500; tries++) {
        pthread_mutex_lock(&h.mu);
        int done = h.done;
        pthread_mutex_unlock(&h.mu);
        if (done == N)
            break;
        rdb_sleep_ms(10);
    }
    ck_assert_int_eq(h.done, N);
    ck_assert_int_eq(h.failed, 0);
    for (int i = 1; i < 3; i++) {
        ck_assert(wait_local(c.n[i], "txn0-a", 6, "A"));
        ck_assert(wait_local(c.n[i], "txn49-b", 7, "B"));
    }
    tc_stop(&c);
}
END_TEST

START_TEST(test_placement_key_token_and_catalog)
{
    tcluster_t c;
    tc_start(&c, 1, false, true);
    tc_wait_up(&c, 3);
    rdb_err_t e = RDB_ERR_INIT;
    /* RF 1: rows with the same embedded token live on exactly one node, the
     * same for all of them, whatever their primary keys. */
    for (uint64_t tok = 1; tok <= 8; tok++) {
        int owner = -1;
        for (int pk = 0; pk < 4; pk++) {
            unsigned char k[16];
            k[0] = 0x02;
            rdb_put_u64_be(k + 1, tok * 0x1f3d5b79a3c1e2f7ULL);
            memcpy(k + 9, "pk", 2);
            k[11] = (unsigned char)pk;
            clu_record_t r = { .key = k, .klen = 12, .value = "row", .vlen = 3 };
            ck_assert_msg(clu_node_write(c.n[pk % 3], &r, 1, CLU_CL_ONE, 0, NULL, &e) == RDB_OK,
                          "%s", e.msg);
            int holders = 0, who = -1;
            for (int tries = 0; tries < 200 && holders == 0; tries++) {
                for (int i = 0; i < 3; i++)
                    if (has_local(c.n[i], k, 12))
                        holders++, who = i;
                if (!holders)
                    rdb_sleep_ms(10);
            }
            ck_assert_int_eq(holders, 1);
            if (owner < 0)
                owner = who;
            ck_assert_int_eq(who, owner);
        }
    }
    /* Catalog keys go to every member even at RF 1, and ALL counts all. */
    clu_record_t cat = { .key = "\x01table:t", .klen = 8, .value = "def", .vlen = 3 };
    ck_assert_msg(clu_node_write(c.n[1], &cat, 1, CLU_CL_ALL, 0, NULL, &e) == RDB_OK, "%s", e.msg);
    for (int i = 0; i < 3; i++)
        ck_assert(wait_local(c.n[i], "\x01table:t", 8, "def"));
    tc_stop(&c);
}
END_TEST

/* Node 1's status entry for member id: its visible_seq and acked_seq. */
static void member_seqs(clu_node_t *n, int id, int64_t *visible, int64_t *acked)
{
    json_t *j = tc_status(n);
    *visible = *acked = -1;
    size_t i;
    json_t *m;
    json_array_foreach(json_object_get(j, "members"), i, m) {
        if (json_integer_value(json_object_get(m, "id")) == id) {
            *visible = json_integer_value(json_object_get(m, "visible_seq"));
            *acked = json_integer_value(json_object_get(m, "acked_seq"));
        }
    }
    json_decref(j);
}

static int hook_done(hook_state_t *h, int *failed)
{
    pthread_mutex_lock(&h->mu);
    int d = h->done;
    *failed = h->failed;
    pthread_mutex_unlock(&h->mu);
    return d;
}

/* Applied and durable acknowledgements: a replica whose fsync is held
 * serves the write (visible) and says so (visible_seq), but the ALL write
 * completes only once it is durable there; QUORUM meanwhile completes. */
START_TEST(test_visible_before_durable)
{
    tcluster_t c;
    tc_sync = true;
    tc_write_timeout = 30000;
    tc_start(&c, 3, false, false);
    tc_sync = false;
    tc_write_timeout = 0;
    tc_wait_up(&c, 3);
    rdb_err_t e = RDB_ERR_INIT;
    clu_record_t w0 = { .key = "warm", .klen = 4, .value = "w", .vlen = 1 };
    ck_assert_msg(clu_node_write(c.n[0], &w0, 1, CLU_CL_ALL, 0, NULL, &e) == RDB_OK, "%s", e.msg);
    int64_t vis, acked;
    member_seqs(c.n[0], 3, &vis, &acked);
    ck_assert_int_gt(acked, 0);
    ck_assert_int_eq(vis, acked);

    clu_node_hold_durable(c.n[2], true);
    hook_state_t h = { .mu = PTHREAD_MUTEX_INITIALIZER };
    clu_record_t r = { .key = "vis", .klen = 3, .value = "v1", .vlen = 2 };
    ck_assert(clu_node_commit_batch(c.n[0], &r, 1, CLU_CL_ALL, 0, hook_cb, &h) == RDB_OK);
    ck_assert_msg(wait_local(c.n[2], "vis", 3, "v1"), "node 3 serves the write before its fsync");
    for (int tries = 0; tries < 400 && vis <= acked; tries++) {
        rdb_sleep_ms(10);
        member_seqs(c.n[0], 3, &vis, &acked);
    }
    ck_assert_msg(vis > acked, "node 1 saw node 3's applied ack only: visible %lld acked %lld",
                  (long long)vis, (long long)acked);
    clu_record_t q = { .key = "quorum", .klen = 6, .value = "q", .vlen = 1 };
    ck_assert_msg(clu_node_write(c.n[0], &q, 1, CLU_CL_QUORUM, 0, NULL, &e) == RDB_OK, "%s",
                  e.msg);
    int failed;
    ck_assert_int_eq(hook_done(&h, &failed), 0); /* ALL waits for node 3's durable ack */

    clu_node_hold_durable(c.n[2], false);
    for (int tries = 0; tries < 1000 && hook_done(&h, &failed) == 0; tries++)
        rdb_sleep_ms(10);
    ck_assert_int_eq(hook_done(&h, &failed), 1);
    ck_assert_int_eq(failed, 0);
    member_seqs(c.n[0], 3, &vis, &acked);
    for (int tries = 0; tries < 400 && vis != acked; tries++) {
        rdb_sleep_ms(10);
        member_seqs(c.n[0], 3, &vis, &acked);
    }
    ck_assert_int_eq(vis, acked);
    tc_stop(&c);
}
END_TEST

static Suite *node_suite(void)
{
    Suite *s = suite_create("cluster-node");
    TCase *tc = tcase_create("node");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_write_read_levels);
    tcase_add_test(tc, test_commit_hook_caller_store);
    tcase_add_test(tc, test_placement_key_token_and_catalog);
    tcase_add_test(tc, test_visible_before_durable);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    rdb_log_set_level(RDB_LOG_LEVEL_WARN);
    SRunner *sr = srunner_create(node_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
