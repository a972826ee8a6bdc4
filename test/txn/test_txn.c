/* test_txn.c — transactions over a real LSM store (src/txn). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "txn/txn.h"

static char tmpdir[256];
static lsm_db_t *db;
static clu_hlc_t hlc;
static txn_store_t *st;
static uint64_t fake_wall_ms; /* 0 = the real clock */

static uint64_t wall(void *ctx)
{
    (void)ctx;
    return fake_wall_ms;
}

static void open_store(void)
{
    lsm_options_t o;
    lsm_options_default(&o);
    o.sync_mode = LSM_SYNC_NONE;
    rdb_err_t err = RDB_ERR_INIT;
    ck_assert_int_eq(lsm_open(tmpdir, &o, &db, &err), RDB_OK);
    clu_hlc_init(&hlc, 0, fake_wall_ms ? wall : NULL, NULL);
    ck_assert_int_eq(txn_store_open(db, 7, &hlc, &st, &err), RDB_OK);
}

static void close_store(void)
{
    txn_store_close(st);
    lsm_close(db);
    clu_hlc_destroy(&hlc);
}

static void setup(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/txntest.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
    fake_wall_ms = 0;
    open_store();
}

static void teardown(void)
{
    close_store();
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    ck_assert_int_eq(system(cmd), 0);
}

static void put_s(txn_t *t, const char *k, const char *v) { txn_put(t, k, strlen(k), v, strlen(v)); }

/* The value of k as t sees it, or "-" when absent. */
static const char *get_s(txn_t *t, const char *k)
{
    static char out[256];
    rdb_buf_t b;
    rdb_buf_init(&b, 16);
    bool found;
    rdb_err_t err = RDB_ERR_INIT;
    ck_assert_int_eq(txn_get(t, k, strlen(k), &b, &found, &err), RDB_OK);
    snprintf(out, sizeof out, "%.*s", found ? (int)b.len : 1, found ? b.data : "-");
    rdb_buf_free(&b);
    return out;
}

/* "k=v,k=v" of every key t sees in [lo, hi). */
static const char *scan_s(txn_t *t, const char *lo, const char *hi)
{
    static char out[4096];
    size_t n = 0;
    out[0] = 0;
    txn_iter_t *it = txn_iter_new(t, lo, lo ? strlen(lo) : 0, hi, hi ? strlen(hi) : 0);
    while (txn_iter_next(it)) {
        size_t kl, vl;
        const char *k = txn_iter_key(it, &kl);
        const char *v = txn_iter_value(it, &vl);
        n += (size_t)snprintf(out + n, sizeof out - n, "%s%.*s=%.*s", n ? "," : "", (int)kl, k,
                              (int)vl, v);
    }
    ck_assert_int_eq(txn_iter_status(it, NULL), RDB_OK);
    txn_iter_free(it);
    return out;
}

static void commit_ok(txn_t *t)
{
    rdb_err_t err = RDB_ERR_INIT;
    ck_assert_int_eq(txn_commit(t, &err), RDB_OK);
}

START_TEST(read_your_writes_and_snapshots)
{
    txn_t *a = txn_begin(st);
    put_s(a, "k1", "a1");
    ck_assert_str_eq(get_s(a, "k1"), "a1");
    txn_t *b = txn_begin(st);
    ck_assert_str_eq(get_s(b, "k1"), "-"); /* not committed */
    commit_ok(a);
    ck_assert_str_eq(get_s(b, "k1"), "-"); /* b's snapshot predates the commit */
    txn_abort(b);
    txn_t *c = txn_begin(st);
    ck_assert_str_eq(get_s(c, "k1"), "a1");
    txn_delete(c, "k1", 2);
    ck_assert_str_eq(get_s(c, "k1"), "-");
    txn_abort(c);
    txn_t *d = txn_begin(st);
    ck_assert_str_eq(get_s(d, "k1"), "a1"); /* the abort left nothing */
    txn_abort(d);
}
END_TEST

/* txn_set_snapshot: a fresh snapshot sees later commits, the buffered
 * writes still overlay it, and the old snapshot comes back. */
START_TEST(fresh_snapshot_keeps_own_writes)
{
    txn_t *a = txn_begin(st);
    put_s(a, "s1", "old");
    put_s(a, "s2", "old");
    commit_ok(a);
    txn_t *t = txn_begin(st);
    put_s(t, "s2", "mine");
    txn_t *b = txn_begin(st);
    put_s(b, "s1", "new");
    put_s(b, "s3", "new");
    commit_ok(b);
    ck_assert_str_eq(get_s(t, "s1"), "old");
    ck_assert_str_eq(get_s(t, "s3"), "-");
    uint64_t snap = txn_set_snapshot(t, txn_store_now(st));
    ck_assert_uint_gt(txn_snapshot(t), snap);
    ck_assert_str_eq(get_s(t, "s1"), "new");
    ck_assert_str_eq(get_s(t, "s2"), "mine");
    ck_assert_str_eq(get_s(t, "s3"), "new");
    ck_assert_uint_eq(txn_set_snapshot(t, snap) > snap, 1);
    ck_assert_str_eq(get_s(t, "s1"), "old");
    ck_assert_str_eq(get_s(t, "s2"), "mine");
    ck_assert_str_eq(get_s(t, "s3"), "-");
    txn_abort(t);
}
END_TEST

START_TEST(commit_is_one_version_one_batch)
{
    txn_t *a = txn_begin(st);
    put_s(a, "x", "1");
    put_s(a, "y", "2");
    put_s(a, "x", "3"); /* coalesces */
    ck_assert_uint_eq(txn_write_count(a), 2);
    commit_ok(a);
    lsm_read_options_t ro;
    lsm_read_options_default(&ro);
    ro.raw = true;
    lsm_iter_t *it = lsm_iter_new(db, &ro);
    lsm_iter_seek(it, "x", 1);
    ck_assert(lsm_iter_valid(it));
    lsm_version_t vx = lsm_iter_version(it);
    size_t vl;
    const char *v = lsm_iter_value(it, &vl);
    ck_assert_int_eq(memcmp(v, "3", 1), 0);
    lsm_iter_next(it);
    ck_assert(lsm_iter_valid(it));
    size_t kl;
    const char *k = lsm_iter_key(it, &kl);
    ck_assert_int_eq(kl, 1);
    ck_assert_int_eq(k[0], 'y'); /* only one version of x was written */
    lsm_version_t vy = lsm_iter_version(it);
    ck_assert_int_eq(lsm_version_cmp(vx, vy), 0);
    ck_assert_int_eq(vx.node_id, 7);
    lsm_iter_free(it);
}
END_TEST

START_TEST(iterator_merges_write_set)
{
    txn_t *a = txn_begin(st);
    put_s(a, "b", "1");
    put_s(a, "d", "1");
    put_s(a, "f", "1");
    commit_ok(a);
    txn_t *t = txn_begin(st);
    put_s(t, "a", "2");
    put_s(t, "d", "2");
    txn_delete(t, "f", 1);
    put_s(t, "g", "2");
    ck_assert_str_eq(scan_s(t, "a", NULL), "a=2,b=1,d=2,g=2");
    ck_assert_str_eq(scan_s(t, "b", "g"), "b=1,d=2");
    ck_assert_str_eq(scan_s(t, "c", NULL), "d=2,g=2");
    /* seek */
    txn_iter_t *it = txn_iter_new(t, NULL, 0, NULL, 0);
    txn_iter_seek(it, "c", 1);
    ck_assert(txn_iter_next(it));
    size_t kl;
    ck_assert_int_eq(txn_iter_key(it, &kl)[0], 'd');
    /* the iterator's view is fixed when it is made */
    put_s(t, "e", "2");
    put_s(t, "g", "3");
    ck_assert(txn_iter_next(it));
    ck_assert_int_eq(txn_iter_key(it, &kl)[0], 'g');
    size_t vl;
    ck_assert_int_eq(txn_iter_value(it, &vl)[0], '2');
    ck_assert(!txn_iter_next(it));
    ck_assert(!txn_iter_next(it));
    txn_iter_free(it);
    ck_assert_str_eq(scan_s(t, "a", NULL), "a=2,b=1,d=2,e=2,g=3");
    txn_abort(t);
}
END_TEST

static int hook_calls;
static size_t hook_count;
static rdb_status_t hook(void *ctx, lsm_batch_t *b, lsm_version_t v, rdb_err_t *err)
{
    hook_calls++;
    hook_count = lsm_batch_count(b);
    if (ctx)
        return rdb_err_set(err, RDB_UNAVAILABLE, "57P03", "QUORUM not reached: 1 of 2");
    return RDB_OK;
}

START_TEST(commit_hook_and_catalog_generation)
{
    hook_calls = 0;
    txn_store_set_commit_hook(st, hook, NULL);
    uint64_t g0 = txn_store_catalog_gen(st);
    txn_t *a = txn_begin(st);
    put_s(a, "\x02row", "1");
    ck_assert(!txn_wrote_catalog(a));
    commit_ok(a);
    ck_assert_int_eq(hook_calls, 1);
    ck_assert_uint_eq(hook_count, 1);
    ck_assert_uint_eq(txn_store_catalog_gen(st), g0);
    txn_t *b = txn_begin(st);
    put_s(b, "\x01" "cat", "1");
    put_s(b, "\x02row2", "1");
    ck_assert(txn_wrote_catalog(b));
    commit_ok(b);
    ck_assert_uint_eq(hook_count, 2);
    ck_assert_uint_eq(txn_store_catalog_gen(st), g0 + 1);
    /* an empty transaction commits without the hook */
    commit_ok(txn_begin(st));
    ck_assert_int_eq(hook_calls, 2);
    /* a failing hook fails the commit with its error */
    txn_store_set_commit_hook(st, hook, (void *)1);
    txn_t *c = txn_begin(st);
    put_s(c, "\x02row3", "1");
    rdb_err_t err = RDB_ERR_INIT;
    ck_assert_int_eq(txn_commit(c, &err), RDB_UNAVAILABLE);
    ck_assert_str_eq(err.sqlstate, "57P03");
    rdb_err_clear(&err);
    /* replicated batches touching the catalog move the generation too */
    lsm_batch_t *rb = lsm_batch_new();
    lsm_version_t v = { .hlc = txn_store_now(st), .node_id = 3 };
    lsm_batch_put(rb, "\x01" "cat2", 5, v, "x", 1);
    ck_assert_int_eq(txn_store_apply(st, rb, true, &err), RDB_OK);
    lsm_batch_free(rb);
    ck_assert_uint_eq(txn_store_catalog_gen(st), g0 + 2);
    txn_store_set_commit_hook(st, NULL, NULL);
}
END_TEST

START_TEST(clock_floor_survives_restart)
{
    close_store();
    fake_wall_ms = 1800000000000ull; /* 2027 */
    open_store();
    txn_t *a = txn_begin(st);
    put_s(a, "k", "new");
    commit_ok(a);
    close_store();
    fake_wall_ms = 1700000000000ull; /* the wall clock went back a lot */
    open_store();
    txn_t *b = txn_begin(st);
    ck_assert_str_eq(get_s(b, "k"), "new"); /* the snapshot is not behind it */
    put_s(b, "k", "newer");
    commit_ok(b);
    txn_t *c = txn_begin(st);
    ck_assert_str_eq(get_s(c, "k"), "newer"); /* later writes win */
    txn_abort(c);
}
END_TEST

/* Random operations against a model: sorted keys k000..k063. */
START_TEST(random_against_model)
{
    enum { NK = 64 };
    int committed[NK], mine[NK]; /* value or -1 */
    uint64_t r = 12345;
    for (int i = 0; i < NK; i++)
        committed[i] = -1;
    for (int round = 0; round < 60; round++) {
        txn_t *t = txn_begin(st);
        memcpy(mine, committed, sizeof mine);
        int nops = 1 + (int)(r % 40);
        for (int op = 0; op < nops; op++) {
            r = r * 6364136223846793005ull + 1442695040888963407ull;
            int k = (int)(r >> 33) % NK;
            char key[8], val[16];
            snprintf(key, sizeof key, "k%03d", k);
            if ((r >> 20) % 3 == 0) {
                txn_delete(t, key, 4);
                mine[k] = -1;
            } else {
                int v = (int)((r >> 40) % 1000);
                snprintf(val, sizeof val, "%d", v);
                put_s(t, key, val);
                mine[k] = v;
            }
        }
        char want[4096];
        size_t n = 0;
        want[0] = 0;
        for (int i = 0; i < NK; i++)
            if (mine[i] >= 0)
                n += (size_t)snprintf(want + n, sizeof want - n, "%sk%03d=%d", n ? "," : "", i,
                                      mine[i]);
        ck_assert_str_eq(scan_s(t, "k", NULL), want);
        if (round % 3 == 2) {
            txn_abort(t);
        } else {
            commit_ok(t);
            memcpy(committed, mine, sizeof mine);
        }
        if (round == 30) { /* and across a reopen */
            close_store();
            open_store();
        }
    }
}
END_TEST

static Suite *txn_suite(void)
{
    Suite *s = suite_create("txn");
    TCase *tc = tcase_create("txn");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, read_your_writes_and_snapshots);
    tcase_add_test(tc, fresh_snapshot_keeps_own_writes);
    tcase_add_test(tc, commit_is_one_version_one_batch);
    tcase_add_test(tc, iterator_merges_write_set);
    tcase_add_test(tc, commit_hook_and_catalog_generation);
    tcase_add_test(tc, clock_floor_survives_restart);
    tcase_add_test(tc, random_against_model);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(txn_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
