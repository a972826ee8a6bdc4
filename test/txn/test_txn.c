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
static const char *scan_dir(txn_t *t, const char *lo, const char *hi, bool reverse)
{
    static char out[4096];
    size_t n = 0;
    out[0] = 0;
    txn_iter_t *it = txn_iter_new(t, lo, lo ? strlen(lo) : 0, hi, hi ? strlen(hi) : 0);
    if (reverse)
        txn_iter_reverse(it);
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

static const char *scan_s(txn_t *t, const char *lo, const char *hi)
{
    return scan_dir(t, lo, hi, false);
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

/* txn_iter_reverse: the same view, descending, within the bounds (hi
 * exclusive), the write set merged, deletes hidden. */
START_TEST(iterator_reverse)
{
    txn_t *a = txn_begin(st);
    put_s(a, "rb", "1");
    put_s(a, "rd", "1");
    put_s(a, "rf", "1");
    put_s(a, "rh", "1");
    commit_ok(a);
    txn_t *t = txn_begin(st);
    ck_assert_str_eq(scan_dir(t, "r", "s", true), "rh=1,rf=1,rd=1,rb=1");
    put_s(t, "ra", "2");
    put_s(t, "rd", "2");
    txn_delete(t, "rf", 2);
    put_s(t, "rg", "2");
    txn_delete(t, "rh", 2);
    put_s(t, "rz", "2");
    ck_assert_str_eq(scan_dir(t, "r", "s", true), "rz=2,rg=2,rd=2,rb=1,ra=2");
    ck_assert_str_eq(scan_dir(t, "rb", "rg", true), "rd=2,rb=1");
    ck_assert_str_eq(scan_dir(t, "rc", "rh", true), "rg=2,rd=2");
    ck_assert_str_eq(scan_dir(t, "rc", "rd", true), "");
    ck_assert_str_eq(scan_dir(t, "r", "s", false), "ra=2,rb=1,rd=2,rg=2,rz=2");
    txn_abort(t);
    txn_t *u = txn_begin(st);
    ck_assert_str_eq(scan_dir(u, "rc", NULL, true), "rh=1,rf=1,rd=1");
    txn_abort(u);
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

static void put_new_s(txn_t *t, const char *k, const char *v, uint64_t tag)
{
    txn_put_new(t, k, strlen(k), v, strlen(v), tag);
}

/* txn_check_new's answer: "-" or "tag:value". */
static const char *check_new_s(txn_t *t)
{
    static char out[256];
    uint64_t tag;
    const char *v;
    size_t vl;
    if (!txn_check_new(t, &tag, &v, &vl))
        return "-";
    snprintf(out, sizeof out, "%llu:%.*s", (unsigned long long)tag, (int)vl, v);
    return out;
}

/* Bulk inserts: a run alone in its transaction (sorted, the order kept for
 * the commit), runs mixed with reads and other writes (hashed), the
 * earliest repeat reported, and runs after a check seen as plain writes. */
START_TEST(bulk_runs)
{
    /* alone: 5000 keys, sorted at the check; the commit writes them all */
    txn_t *a = txn_begin(st);
    char k[32], v[32];
    for (int i = 0; i < 5000; i++) {
        snprintf(k, sizeof k, "b%05d", (i * 7919) % 5000);
        snprintf(v, sizeof v, "v%d", i);
        put_new_s(a, k, v, (uint64_t)i + 1);
    }
    ck_assert_uint_eq(txn_write_count(a), 5000);
    ck_assert_str_eq(check_new_s(a), "-");
    commit_ok(a);
    txn_t *b = txn_begin(st);
    ck_assert_str_eq(get_s(b, "b00000"), "v0");
    ck_assert_str_eq(get_s(b, "b04999"), "v2321"); /* 2321 * 7919 = 4999 mod 5000 */
    ck_assert_str_eq(scan_s(b, "b00010", "b00013"), "b00010=v1790,b00011=v4469,b00012=v2148");
    txn_abort(b);

    /* repeats: the second write of the earliest repeated key is named */
    txn_t *c = txn_begin(st);
    put_new_s(c, "r1", "a", 1);
    put_new_s(c, "r2", "b", 2);
    put_new_s(c, "r3", "c", 3);
    put_new_s(c, "r2", "d", 4);
    put_new_s(c, "r3", "e", 5);
    put_new_s(c, "r1", "f", 6);
    put_new_s(c, "r2", "g", 7);
    ck_assert_str_eq(check_new_s(c), "4:d");
    txn_abort(c);

    /* a read in the middle hashes the run: it sees the keys, and a repeat
     * after it is still reported by the check */
    txn_t *d = txn_begin(st);
    put_s(d, "m0", "plain");
    put_new_s(d, "m1", "a", 10);
    put_new_s(d, "m2", "b", 11);
    ck_assert_str_eq(get_s(d, "m2"), "b");
    put_new_s(d, "m3", "c", 12);
    put_new_s(d, "m1", "again", 13);
    ck_assert_str_eq(scan_s(d, "m", "n"), "m0=plain,m1=a,m2=b,m3=c");
    ck_assert_str_eq(check_new_s(d), "13:again");
    txn_abort(d);

    /* txn_get_before_new does not see the current run, but does see an
     * earlier (checked) one and plain writes; a delete then a new put of
     * the same key is no repeat */
    txn_t *e = txn_begin(st);
    rdb_buf_t buf;
    rdb_buf_init(&buf, 16);
    bool found;
    rdb_err_t err = RDB_ERR_INIT;
    put_new_s(e, "e1", "one", 1);
    ck_assert_int_eq(txn_get_before_new(e, "e1", 2, &buf, &found, &err), RDB_OK);
    ck_assert(!found);
    ck_assert_str_eq(check_new_s(e), "-");
    put_new_s(e, "e2", "two", 2);
    ck_assert_int_eq(txn_get_before_new(e, "e1", 2, &buf, &found, &err), RDB_OK);
    ck_assert(found);
    txn_delete(e, "e2", 2);
    put_new_s(e, "e3", "three", 3);
    ck_assert_str_eq(check_new_s(e), "-");
    txn_delete(e, "e3", 2);
    put_new_s(e, "e3", "back", 4);
    ck_assert_str_eq(check_new_s(e), "-");
    ck_assert_str_eq(scan_s(e, "e", "f"), "e1=one,e3=back");
    rdb_buf_free(&buf);
    commit_ok(e);
    txn_t *f = txn_begin(st);
    ck_assert_str_eq(scan_s(f, "e", "f"), "e1=one,e3=back");
    txn_abort(f);
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
    tcase_add_test(tc, bulk_runs);
    tcase_add_test(tc, iterator_reverse);
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
