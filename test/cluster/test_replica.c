/*
 * test_replica.c — src/cluster/replica.c on a real LSM: LWW convergence of
 * random interleavings, anti-entropy repair by Merkle diff + range
 * streaming, version vector persistence, bad input.
 */
#include <check.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cluster/hints.h"
#include "cluster/hlc.h"
#include "cluster/replica.h"
#include "cluster/ring.h"
#include "common/log.h"

/* Small memtables and explicit flushes put part of the data in SSTables,
 * so merges of memtable and tables are exercised.  CLU_TEST_NO_FLUSH=1
 * keeps everything in memtables (for bisecting LSM issues). */
#define LWW_FLUSH (getenv("CLU_TEST_NO_FLUSH") == NULL)

static int rm_fn(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
    return remove(p);
}

static void rm_rf(const char *dir)
{
    nftw(dir, rm_fn, 16, FTW_DEPTH | FTW_PHYS);
}

typedef struct rep {
    char          dir[64];
    lsm_db_t     *db;
    clu_replica_t r;
} rep_t;

static void rep_open(rep_t *x, bool fresh)
{
    rdb_err_t e = RDB_ERR_INIT;
    if (fresh) {
        strcpy(x->dir, "/tmp/clu-replica-XXXXXX");
        ck_assert_ptr_nonnull(mkdtemp(x->dir));
    }
    lsm_options_t o;
    lsm_options_default(&o);
    o.memtable_size = LWW_FLUSH ? 64 << 10 : 8 << 20;
    o.sync_mode = LSM_SYNC_NONE;
    ck_assert_msg(lsm_open(x->dir, &o, &x->db, &e) == RDB_OK, "%s", e.msg);
    ck_assert_msg(clu_replica_open(&x->r, x->db, &e) == RDB_OK, "%s", e.msg);
}

static void rep_close(rep_t *x, bool remove_dir)
{
    clu_replica_close(&x->r);
    lsm_close(x->db);
    if (remove_dir)
        rm_rf(x->dir);
}

typedef struct w {
    char          key[8];
    lsm_version_t v;
    bool          tomb;
    char          val[16];
    uint16_t      origin;
    uint64_t      seq;
} w_t;

static clu_record_t w_rec(const w_t *w)
{
    clu_record_t r = { 0 };
    r.key = w->key;
    r.klen = strlen(w->key);
    r.version = w->v;
    r.tombstone = w->tomb;
    if (!w->tomb) {
        r.value = w->val;
        r.vlen = strlen(w->val);
    }
    r.origin = w->origin;
    r.seq = w->seq;
    return r;
}

static uint64_t rep_root(rep_t *x)
{
    clu_merkle_t m;
    rdb_err_t e = RDB_ERR_INIT;
    clu_merkle_init(&m, 0, 0, 8);
    ck_assert_int_eq(clu_replica_merkle(&x->r, &m, &e), RDB_OK);
    uint64_t root = clu_merkle_root(&m);
    clu_merkle_free(&m);
    return root;
}

START_TEST(test_lww_random_interleavings_real_lsm)
{
    enum { KEYS = 60, WRITES = 1500, REPLICAS = 3 };
    static w_t ws[WRITES];
    srand(1234);
    uint64_t seq[4] = { 0 };
    for (int i = 0; i < WRITES; i++) {
        snprintf(ws[i].key, sizeof ws[i].key, "k%02d", rand() % KEYS);
        ws[i].v.hlc = 1000 + (uint64_t)(rand() % 200);  /* many equal hlcs */
        ws[i].v.node_id = (uint16_t)(rand() % 3 + 1);   /* tie broken by node */
        ws[i].tomb = rand() % 6 == 0;
        snprintf(ws[i].val, sizeof ws[i].val, "v%d", i);
        ws[i].origin = ws[i].v.node_id;
        ws[i].seq = ++seq[ws[i].origin];
    }
    rep_t reps[REPLICAS];
    for (int r = 0; r < REPLICAS; r++) {
        rep_open(&reps[r], true);
        int order[WRITES];
        for (int i = 0; i < WRITES; i++)
            order[i] = i;
        for (int i = WRITES - 1; i > 0; i--) {
            int j = rand() % (i + 1), t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        rdb_err_t e = RDB_ERR_INIT;
        for (int i = 0; i < WRITES; i++) {
            clu_record_t rec = w_rec(&ws[order[i]]);
            ck_assert_int_eq(clu_replica_apply(&reps[r].r, &rec, 1, false, &e), RDB_OK);
            if (rand() % 4 == 0) {  /* a redelivery: must be a no-op */
                clu_record_t dup = w_rec(&ws[order[rand() % (i + 1)]]);
                ck_assert_int_eq(clu_replica_apply(&reps[r].r, &dup, 1, false, &e), RDB_OK);
            }
            if (LWW_FLUSH && i == WRITES / 2 && r == 1)
                ck_assert_int_eq(lsm_flush(reps[r].db, &e), RDB_OK);
        }
        ck_assert_uint_eq(reps[r].r.applied, WRITES);
        for (uint16_t o = 1; o <= 3; o++)
            ck_assert_uint_eq(clu_vv_contig(&reps[r].r.vv, o), seq[o]);
    }
    /* Every replica shows, per key, the highest version written. */
    for (int k = 0; k < KEYS; k++) {
        char key[8];
        snprintf(key, sizeof key, "k%02d", k);
        int best = -1;
        for (int i = 0; i < WRITES; i++)
            if (strcmp(ws[i].key, key) == 0 &&
                (best < 0 || lsm_version_cmp(ws[i].v, ws[best].v) > 0))
                best = i;
        for (int r = 0; r < REPLICAS; r++) {
            rdb_buf_t v = RDB_BUF_INIT;
            lsm_version_t ver;
            bool tomb = false;
            rdb_err_t e = RDB_ERR_INIT;
            rdb_status_t st = clu_replica_get(&reps[r].r, key, strlen(key), &v, &ver, &tomb, &e);
            if (best < 0) {
                ck_assert_int_eq(st, RDB_NOTFOUND);
                rdb_err_clear(&e);
            } else {
                ck_assert_int_eq(st, RDB_OK);
                ck_assert_int_eq(lsm_version_cmp(ver, ws[best].v), 0);
                ck_assert_int_eq(tomb, ws[best].tomb);
                if (!tomb) {
                    ck_assert_uint_eq(v.len, strlen(ws[best].val));
                    ck_assert_int_eq(memcmp(v.data, ws[best].val, v.len), 0);
                }
            }
            rdb_buf_free(&v);
        }
    }
    uint64_t root0 = rep_root(&reps[0]);
    for (int r = 1; r < REPLICAS; r++)
        ck_assert_uint_eq(rep_root(&reps[r]), root0);
    for (int r = 0; r < REPLICAS; r++)
        rep_close(&reps[r], true);
}
END_TEST

typedef struct stream_ctx {
    rep_t *to;
    int    n;
} stream_ctx_t;

static bool stream_into(const clu_record_t *rec, void *ctx)
{
    stream_ctx_t *s = ctx;
    clu_record_t copy = *rec;
    copy.origin = 0;   /* repair traffic carries no origin sequence */
    rdb_err_t e = RDB_ERR_INIT;
    ck_assert_int_eq(clu_replica_apply(&s->to->r, &copy, 1, false, &e), RDB_OK);
    s->n++;
    return true;
}

START_TEST(test_anti_entropy_repairs_only_differing_ranges)
{
    enum { KEYS = 2000 };
    rep_t a, b;
    rep_open(&a, true);
    rep_open(&b, true);
    rdb_err_t e = RDB_ERR_INIT;
    for (int k = 0; k < KEYS; k++) {
        w_t w = { 0 };
        snprintf(w.key, sizeof w.key, "r%04d", k);
        w.v = (lsm_version_t){ 500, 1 };
        snprintf(w.val, sizeof w.val, "base");
        clu_record_t rec = w_rec(&w);
        ck_assert_int_eq(clu_replica_apply(&a.r, &rec, 1, false, &e), RDB_OK);
        ck_assert_int_eq(clu_replica_apply(&b.r, &rec, 1, false, &e), RDB_OK);
    }
    /* Divergence: newer writes on a, a delete on b, a key only on b. */
    const char *only_a[] = { "r0007", "r1500" };
    for (int i = 0; i < 2; i++) {
        w_t w = { 0 };
        strcpy(w.key, only_a[i]);
        w.v = (lsm_version_t){ 900, 2 };
        strcpy(w.val, "newer");
        clu_record_t rec = w_rec(&w);
        ck_assert_int_eq(clu_replica_apply(&a.r, &rec, 1, false, &e), RDB_OK);
    }
    w_t del = { 0 };
    strcpy(del.key, "r0100");
    del.v = (lsm_version_t){ 901, 3 };
    del.tomb = true;
    clu_record_t drec = w_rec(&del);
    ck_assert_int_eq(clu_replica_apply(&b.r, &drec, 1, false, &e), RDB_OK);
    w_t extra = { 0 };
    strcpy(extra.key, "zz");
    extra.v = (lsm_version_t){ 902, 3 };
    strcpy(extra.val, "x");
    clu_record_t xrec = w_rec(&extra);
    ck_assert_int_eq(clu_replica_apply(&b.r, &xrec, 1, false, &e), RDB_OK);
    if (LWW_FLUSH)
        ck_assert_int_eq(lsm_flush(a.db, &e), RDB_OK);

    clu_merkle_t ma, mb;
    clu_merkle_init(&ma, 0, 0, 8);
    clu_merkle_init(&mb, 0, 0, 8);
    ck_assert_int_eq(clu_replica_merkle(&a.r, &ma, &e), RDB_OK);
    ck_assert_int_eq(clu_replica_merkle(&b.r, &mb, &e), RDB_OK);
    ck_assert_uint_ne(clu_merkle_root(&ma), clu_merkle_root(&mb));
    clu_token_range_t *d;
    size_t nd;
    ck_assert_int_eq(clu_merkle_diff(&ma, &mb, &d, &nd, &e), RDB_OK);
    ck_assert_uint_ge(nd, 1);
    ck_assert_uint_le(nd, 4);
    /* Stream only the differing ranges, both ways. */
    stream_ctx_t sa = { &b, 0 }, sb = { &a, 0 };
    for (size_t i = 0; i < nd; i++) {
        ck_assert_int_eq(clu_replica_scan_range(&a.r, d[i], stream_into, &sa, &e), RDB_OK);
        ck_assert_int_eq(clu_replica_scan_range(&b.r, d[i], stream_into, &sb, &e), RDB_OK);
    }
    free(d);
    /* 256 leaves over 2000 keys: a handful of leaves, far fewer than all keys. */
    ck_assert_int_gt(sa.n, 0);
    ck_assert_int_lt(sa.n, KEYS / 10);
    clu_merkle_free(&ma);
    clu_merkle_free(&mb);
    ck_assert_uint_eq(rep_root(&a), rep_root(&b));
    /* The newest version won on both sides. */
    rdb_buf_t v = RDB_BUF_INIT;
    lsm_version_t ver;
    bool tomb;
    ck_assert_int_eq(clu_replica_get(&b.r, "r0007", 5, &v, &ver, &tomb, &e), RDB_OK);
    ck_assert_uint_eq(ver.hlc, 900);
    ck_assert_int_eq(clu_replica_get(&a.r, "r0100", 5, &v, &ver, &tomb, &e), RDB_OK);
    ck_assert(tomb);
    ck_assert_int_eq(lsm_get(a.db, NULL, "r0100", 5, &v, NULL, &e), RDB_NOTFOUND);
    rdb_err_clear(&e);
    ck_assert_int_eq(clu_replica_get(&a.r, "zz", 2, &v, &ver, &tomb, &e), RDB_OK);
    ck_assert(!tomb);
    rdb_buf_free(&v);
    rep_close(&a, true);
    rep_close(&b, true);
}
END_TEST

START_TEST(test_replica_vv_survives_restart)
{
    rep_t x;
    rep_open(&x, true);
    rdb_err_t e = RDB_ERR_INIT;
    for (uint64_t s = 1; s <= 5; s++) {
        if (s == 3)
            continue;  /* a gap */
        w_t w = { 0 };
        snprintf(w.key, sizeof w.key, "s%llu", (unsigned long long)s);
        w.v = (lsm_version_t){ 10 + s, 2 };
        strcpy(w.val, "v");
        w.origin = 2;
        w.seq = s;
        clu_record_t rec = w_rec(&w);
        ck_assert_int_eq(clu_replica_apply(&x.r, &rec, 1, true, &e), RDB_OK);
    }
    ck_assert_uint_eq(clu_vv_contig(&x.r.vv, 2), 2);
    rep_close(&x, false);
    rep_open(&x, false);
    /* The contiguous part is durable; a redelivered seq 2 is a duplicate. */
    ck_assert_uint_eq(clu_vv_contig(&x.r.vv, 2), 2);
    w_t w = { 0 };
    strcpy(w.key, "s2");
    w.v = (lsm_version_t){ 12, 2 };
    strcpy(w.val, "v");
    w.origin = 2;
    w.seq = 2;
    clu_record_t rec = w_rec(&w);
    ck_assert_int_eq(clu_replica_apply(&x.r, &rec, 1, true, &e), RDB_OK);
    ck_assert_uint_eq(x.r.duplicates, 1);
    /* Reserved keys are refused with a clear error. */
    clu_record_t bad = { .key = "\x00vv", .klen = 3, .value = "x", .vlen = 1,
                         .version = { 1, 1 } };
    ck_assert_int_eq(clu_replica_apply(&x.r, &bad, 1, true, &e), RDB_INVALID);
    ck_assert_str_eq(e.sqlstate, RDB_SQLSTATE_INVALID_PARAMETER);
    rdb_err_clear(&e);
    clu_record_t empty = { .key = "", .klen = 0, .version = { 1, 1 } };
    ck_assert_int_eq(clu_replica_apply(&x.r, &empty, 1, true, &e), RDB_INVALID);
    rdb_err_clear(&e);
    rep_close(&x, true);
}
END_TEST


typedef struct hint_seen {
    int      n;
    char     keys[64][8];
    uint64_t hlc[64];
    bool     tomb[64];
} hint_seen_t;

static bool hint_collect(const clu_record_t *rec, void *ctx)
{
    hint_seen_t *s = ctx;
    ck_assert_int_lt(s->n, 64);
    ck_assert_uint_lt(rec->klen, 8);
    memcpy(s->keys[s->n], rec->key, rec->klen);
    s->keys[s->n][rec->klen] = 0;
    s->hlc[s->n] = rec->version.hlc;
    s->tomb[s->n] = rec->tombstone;
    s->n++;
    return true;
}

START_TEST(test_hints_durable_ordered_bounded)
{
    char dir[] = "/tmp/clu-hints-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    clu_hints_t *h;
    rdb_err_t e = RDB_ERR_INIT;
    ck_assert_int_eq(clu_hints_open(dir, 4096, &h, &e), RDB_OK);
    for (int i = 0; i < 20; i++) {
        w_t w = { 0 };
        snprintf(w.key, sizeof w.key, "h%02d", i);
        w.v = (lsm_version_t){ 100 + (uint64_t)i, 1 };
        w.tomb = i % 7 == 3;
        strcpy(w.val, "payload");
        w.origin = 1;
        w.seq = (uint64_t)i + 1;
        clu_record_t rec = w_rec(&w);
        ck_assert_int_eq(clu_hints_add(h, (uint16_t)(2 + i % 2), &rec, &e), RDB_OK);
    }
    clu_hint_stats_t st;
    clu_hints_stats(h, 2, &st);
    ck_assert_uint_eq(st.count, 10);
    uint64_t bytes2 = st.bytes;
    ck_assert_uint_gt(bytes2, 0);
    /* Survives a restart. */
    clu_hints_close(h);
    ck_assert_int_eq(clu_hints_open(dir, 4096, &h, &e), RDB_OK);
    clu_hints_stats(h, 2, &st);
    ck_assert_uint_eq(st.count, 10);
    ck_assert_uint_eq(st.bytes, bytes2);
    /* In order, oldest first, per peer. */
    hint_seen_t seen = { 0 };
    uint64_t last;
    ck_assert_int_eq(clu_hints_for_each(h, 3, 4, hint_collect, &seen, &last, &e), RDB_OK);
    ck_assert_int_eq(seen.n, 4);
    for (int i = 0; i < 4; i++) {
        char want[8];
        snprintf(want, sizeof want, "h%02d", 2 * i + 1);
        ck_assert_str_eq(seen.keys[i], want);
        ck_assert_uint_eq(seen.hlc[i], 100 + (uint64_t)(2 * i + 1));
        ck_assert_int_eq(seen.tomb[i], (2 * i + 1) % 7 == 3);
    }
    /* Acknowledge the first four; the rest stays, also after a restart. */
    ck_assert_int_eq(clu_hints_ack(h, 3, last, &e), RDB_OK);
    clu_hints_stats(h, 3, &st);
    ck_assert_uint_eq(st.count, 6);
    clu_hints_close(h);
    ck_assert_int_eq(clu_hints_open(dir, 4096, &h, &e), RDB_OK);
    memset(&seen, 0, sizeof seen);
    ck_assert_int_eq(clu_hints_for_each(h, 3, 100, hint_collect, &seen, &last, &e), RDB_OK);
    ck_assert_int_eq(seen.n, 6);
    ck_assert_str_eq(seen.keys[0], "h09");
    /* New hints continue after the old sequence numbers. */
    w_t w = { 0 };
    strcpy(w.key, "new");
    w.v = (lsm_version_t){ 999, 1 };
    strcpy(w.val, "x");
    clu_record_t rec = w_rec(&w);
    ck_assert_int_eq(clu_hints_add(h, 3, &rec, &e), RDB_OK);
    memset(&seen, 0, sizeof seen);
    ck_assert_int_eq(clu_hints_for_each(h, 3, 100, hint_collect, &seen, &last, &e), RDB_OK);
    ck_assert_int_eq(seen.n, 7);
    ck_assert_str_eq(seen.keys[6], "new");
    /* Bounded: filling peer 9 past the limit is refused and counted. */
    rdb_status_t s = RDB_OK;
    int added = 0;
    while ((s = clu_hints_add(h, 9, &rec, &e)) == RDB_OK)
        added++;
    ck_assert_int_eq(s, RDB_BUSY);
    ck_assert_ptr_nonnull(strstr(e.msg, "full"));
    rdb_err_clear(&e);
    clu_hints_stats(h, 9, &st);
    ck_assert_uint_eq(st.count, (uint64_t)added);
    ck_assert_uint_le(st.bytes, 4096);
    ck_assert_uint_eq(st.dropped, 1);
    /* Other peers are unaffected by peer 9's full outbox. */
    ck_assert_int_eq(clu_hints_add(h, 2, &rec, &e), RDB_OK);
    /* Nothing for an unknown peer. */
    memset(&seen, 0, sizeof seen);
    ck_assert_int_eq(clu_hints_for_each(h, 77, 100, hint_collect, &seen, &last, &e), RDB_OK);
    ck_assert_int_eq(seen.n, 0);
    ck_assert_uint_eq(last, 0);
    clu_hints_close(h);
    rm_rf(dir);
}
END_TEST


START_TEST(test_tombstone_grace)
{
    rep_t x;
    rep_open(&x, true);
    rdb_err_t e = RDB_ERR_INIT;
    /* Two deleted keys: one deleted long ago, one recently. */
    const char *keys[] = { "old", "young" };
    uint64_t del_ms[] = { 1000, 95000 };
    for (int i = 0; i < 2; i++) {
        clu_record_t put = { .key = keys[i], .klen = strlen(keys[i]), .value = "v", .vlen = 1,
                             .version = { CLU_HLC_MAKE(500, 0), 1 } };
        clu_record_t del = { .key = keys[i], .klen = strlen(keys[i]), .tombstone = true,
                             .version = { CLU_HLC_MAKE(del_ms[i], 0), 1 } };
        ck_assert_int_eq(clu_replica_apply(&x.r, &put, 1, false, &e), RDB_OK);
        ck_assert_int_eq(clu_replica_apply(&x.r, &del, 1, false, &e), RDB_OK);
    }
    /* now = 100 s, grace = 10 s: horizon at 90 s. */
    uint64_t h = clu_replica_set_grace(&x.r, CLU_HLC_MAKE(100000, 5), 10000);
    ck_assert_uint_eq(h, CLU_HLC_MAKE(90000, 0));
    ck_assert_int_eq(lsm_compact_range(x.db, NULL, 0, NULL, 0, &e), RDB_OK);
    rdb_buf_t v = RDB_BUF_INIT;
    lsm_version_t ver;
    bool tomb = false;
    /* The young tombstone survives: a stale replica's old put cannot win. */
    ck_assert_int_eq(clu_replica_get(&x.r, "young", 5, &v, &ver, &tomb, &e), RDB_OK);
    ck_assert(tomb);
    ck_assert_uint_eq(ver.hlc, CLU_HLC_MAKE(95000, 0));
    /* The old one is gone past the grace period, and so is its put. */
    ck_assert_int_eq(clu_replica_get(&x.r, "old", 3, &v, &ver, &tomb, &e), RDB_NOTFOUND);
    rdb_err_clear(&e);
    /* Grace longer than the clock: horizon 0, nothing collectable. */
    ck_assert_uint_eq(clu_replica_set_grace(&x.r, CLU_HLC_MAKE(5, 0), 10000), 0);
    rdb_buf_free(&v);
    rep_close(&x, true);
}
END_TEST

int main(void)
{
    rdb_log_set_level(RDB_LOG_LEVEL_ERROR);
    Suite *s = suite_create("cluster-replica");
    TCase *tc = tcase_create("lsm");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_lww_random_interleavings_real_lsm);
    tcase_add_test(tc, test_anti_entropy_repairs_only_differing_ranges);
    tcase_add_test(tc, test_replica_vv_survives_restart);
    tcase_add_test(tc, test_hints_durable_ordered_bounded);
    tcase_add_test(tc, test_tombstone_grace);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
