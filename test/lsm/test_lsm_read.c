/* test_lsm_read.c — the read path of the storage engine: the CLOCK block
 * cache, the in-memory index summary of tables, the bloom filter probe. */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lsm/bloom.h"
#include "lsm/cache.h"
#include "lsm/ikey.h"
#include "lsm/lsm.h"
#include "lsm/table.h"

static char tmpdir[1024];

static void mk_tmp(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/lsmread.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}
static void rm_tmp(void)
{
    char cmd[1100];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    ck_assert_int_eq(system(cmd), 0);
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;
static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* --- block cache ---------------------------------------------------------- */

static char *block_of(int i, size_t n)
{
    char *d = malloc(n);
    memset(d, 'a' + i % 26, n);
    return d;
}

/* Present (and then released) or not. */
static bool cached(lsm_cache_t *c, uint64_t file, uint64_t off)
{
    lsm_cache_handle_t *h = lsm_cache_lookup(c, file, off);
    if (h)
        lsm_cache_release(c, h);
    return h != NULL;
}

START_TEST(cache_clock_second_chance)
{
    /* 16 shards of 64 one-byte entries each */
    lsm_cache_t *c = lsm_cache_new(16 * 64);
    const int old = 400;
    for (int i = 0; i < old; i++)
        lsm_cache_release(c, lsm_cache_insert(c, 1, (uint64_t)i, block_of(i, 1), 1));
    ck_assert_uint_eq(lsm_cache_usage(c), (size_t)old);
    for (int i = 0; i < old; i += 2) /* hit the even ones */
        ck_assert(cached(c, 1, (uint64_t)i));
    /* twice the room again in new entries: every shard must evict */
    for (int i = 0; i < 2 * old; i++) {
        lsm_cache_release(c, lsm_cache_insert(c, 2, (uint64_t)i, block_of(i, 1), 1));
        ck_assert_uint_le(lsm_cache_usage(c), 16 * 64);
    }
    int odd_gone = 0;
    for (int i = 0; i < old; i++) {
        bool in = cached(c, 1, (uint64_t)i);
        if (i % 2 == 0)
            ck_assert_msg(in, "entry %d was hit before the sweep yet evicted", i);
        else
            odd_gone += !in;
    }
    ck_assert_int_gt(odd_gone, old / 4);
    lsm_cache_free(c);
}
END_TEST

START_TEST(cache_pins_and_replace)
{
    /* a shard holds a few one-block entries (header and 256-byte buffer) */
    lsm_cache_t *c = lsm_cache_new(16 * 400);
    /* a pinned entry stays readable after it is evicted */
    char *b = lsm_cache_buf_new(50);
    memset(b, 'p', 50);
    lsm_cache_handle_t *pinned = lsm_cache_insert_buf(c, 9, 0, b, 50);
    for (int i = 0; i < 2000; i++)
        lsm_cache_release(c, lsm_cache_insert(c, 3, (uint64_t)i, block_of(i, 10), 10));
    ck_assert(!cached(c, 9, 0));
    size_t n;
    const char *d = lsm_cache_data(pinned, &n);
    ck_assert_uint_eq(n, 50);
    for (size_t i = 0; i < n; i++)
        ck_assert_int_eq(d[i], 'p');
    lsm_cache_release(c, pinned);
    ck_assert_uint_le(lsm_cache_usage(c), 16 * 400);

    /* a second insert of the same key replaces the first */
    lsm_cache_release(c, lsm_cache_insert(c, 4, 4, block_of(0, 5), 5));
    char *b2 = lsm_cache_buf_new(6);
    memcpy(b2, "second", 6);
    lsm_cache_release(c, lsm_cache_insert_buf(c, 4, 4, b2, 6));
    lsm_cache_handle_t *h = lsm_cache_lookup(c, 4, 4);
    ck_assert_ptr_nonnull(h);
    d = lsm_cache_data(h, &n);
    ck_assert_uint_eq(n, 6);
    ck_assert(memcmp(d, "second", 6) == 0);
    lsm_cache_release(c, h);

    /* larger than a shard: handed back pinned, never kept */
    char *big = lsm_cache_buf_new(1000);
    memset(big, 'b', 1000);
    h = lsm_cache_insert_buf(c, 5, 0, big, 1000);
    d = lsm_cache_data(h, &n);
    ck_assert_uint_eq(n, 1000);
    ck_assert_int_eq(d[999], 'b');
    lsm_cache_release(c, h);
    ck_assert(!cached(c, 5, 0));
    ck_assert_uint_le(lsm_cache_usage(c), 16 * 400);

    /* a buffer never inserted */
    lsm_cache_buf_free(lsm_cache_buf_new(10));
    lsm_cache_free(c);
}
END_TEST

/* Buffers of evicted entries come back from lsm_cache_buf_get, but never
 * one that a reader still pins; replaced and removed entries leave the
 * CLOCK queue consistent (usage bounded, every entry findable). */
START_TEST(cache_spare_buffers)
{
    enum { BLK = 500 };
    lsm_cache_t *c = lsm_cache_new(16 * 4 * BLK); /* four blocks a shard */
    char *b = lsm_cache_buf_get(c, 1, 0, BLK);
    memset(b, 'P', BLK);
    lsm_cache_handle_t *pinned = lsm_cache_insert_buf(c, 1, 0, b, BLK);
    int evicted = 0;
    for (uint64_t i = 1; i < 3000; i++) {
        uint64_t off = i * BLK;
        char *nb = lsm_cache_buf_get(c, 2, off, BLK - i % 7);
        ck_assert_ptr_ne(nb, b); /* the pinned buffer is never handed out */
        memset(nb, (int)('a' + i % 26), BLK - i % 7);
        lsm_cache_handle_t *h = lsm_cache_insert_buf(c, 2, off, nb, BLK - i % 7);
        lsm_cache_release(c, h);
        if (i % 5 == 0) { /* replace an entry that is likely still there */
            char *rb = lsm_cache_buf_get(c, 2, off, BLK);
            memset(rb, 'R', BLK);
            lsm_cache_release(c, lsm_cache_insert_buf(c, 2, off, rb, BLK));
            h = lsm_cache_lookup(c, 2, off);
            ck_assert_ptr_nonnull(h);
            size_t n;
            ck_assert_int_eq(lsm_cache_data(h, &n)[BLK - 1], 'R');
            lsm_cache_release(c, h);
        }
        ck_assert_uint_le(lsm_cache_usage(c), 16 * 4 * BLK);
        evicted += i > 100 && !cached(c, 2, off - 100 * BLK);
    }
    ck_assert_int_gt(evicted, 0);
    ck_assert(!cached(c, 1, 0));
    size_t n;
    const char *d = lsm_cache_data(pinned, &n);
    for (size_t i = 0; i < n; i++)
        ck_assert_int_eq(d[i], 'P');
    lsm_cache_release(c, pinned);
    /* a buffer taken and never inserted */
    lsm_cache_buf_free(lsm_cache_buf_get(c, 3, 0, BLK));
    lsm_cache_free(c);
}
END_TEST

/* Readers on several threads pin, check and release blocks while others
 * insert and evict (under ASan a block freed or reused while pinned, or a
 * pin lost, shows). */
typedef struct cache_worker {
    lsm_cache_t *c;
    int id;
} cache_worker_t;

static void *cache_worker_main(void *p)
{
    cache_worker_t *w = p;
    uint64_t st = 0x9e3779b97f4a7c15ULL * (uint64_t)(w->id + 1);
    for (int k = 0; k < 20000; k++) {
        st ^= st << 13;
        st ^= st >> 7;
        st ^= st << 17;
        uint64_t off = st % 200;
        size_t len = 64 + (size_t)(off % 5) * 8;
        lsm_cache_handle_t *h = lsm_cache_lookup(w->c, 7, off);
        if (!h) {
            char *b = lsm_cache_buf_get(w->c, 7, off, len);
            memset(b, (int)(off & 0x7f), len);
            h = lsm_cache_insert_buf(w->c, 7, off, b, len);
        }
        size_t n;
        const char *d = lsm_cache_data(h, &n);
        ck_assert_uint_eq(n, len);
        ck_assert_int_eq(d[0], (int)(off & 0x7f));
        ck_assert_int_eq(d[n - 1], (int)(off & 0x7f));
        lsm_cache_release(w->c, h);
    }
    return NULL;
}

START_TEST(cache_threads)
{
    lsm_cache_t *c = lsm_cache_new(16 * 400); /* about a third of the blocks */
    cache_worker_t w[4];
    pthread_t t[4];
    for (int i = 0; i < 4; i++) {
        w[i] = (cache_worker_t){ c, i };
        ck_assert_int_eq(pthread_create(&t[i], NULL, cache_worker_main, &w[i]), 0);
    }
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    ck_assert_uint_le(lsm_cache_usage(c), 16 * 400);
    lsm_cache_free(c);
}
END_TEST

/* --- index summary -------------------------------------------------------- */

/* User keys built to stress the summary: a long shared prefix, groups of
 * keys that tie in the 8 bytes after it and differ only later, keys of
 * every length around the 8-byte window, and several versions per key
 * (blocks of 256 bytes, so one user key's versions straddle blocks). */
#define NKEYS 1500
static char keys[NKEYS][48];
static size_t keylen[NKEYS];

static int cmp_key(const void *a, const void *b)
{
    const char *x = a, *y = b;
    size_t xn = strlen(x), yn = strlen(y);
    return lsm_ukey_cmp(x, xn, y, yn);
}

static void make_keys(void)
{
    static char tmp[NKEYS][48];
    for (int i = 0; i < NKEYS; i++) {
        switch (i % 4) {
        case 0: /* ties for 8 bytes after the prefix, differ after */
            snprintf(tmp[i], sizeof tmp[i], "table/0001/tiedtied%06d", i);
            break;
        case 1: /* short tails */
            snprintf(tmp[i], sizeof tmp[i], "table/0001/%d", i % 97);
            break;
        case 2: /* exactly the prefix plus 0..9 bytes */
            snprintf(tmp[i], sizeof tmp[i], "table/0001/%.*s", i % 10, "abcdefghij");
            break;
        default:
            snprintf(tmp[i], sizeof tmp[i], "table/0001/%016llx",
                     (unsigned long long)(rnd() & 0xffffffffffULL));
        }
    }
    qsort(tmp, NKEYS, sizeof tmp[0], cmp_key);
    int n = 0;
    for (int i = 0; i < NKEYS; i++)
        if (n == 0 || strcmp(tmp[i], keys[n - 1]) != 0) {
            strcpy(keys[n], tmp[i]);
            keylen[n] = strlen(tmp[i]);
            n++;
        }
    for (int i = n; i < NKEYS; i++)
        keylen[i] = 0;
}

static int nkeys(void)
{
    int n = 0;
    while (n < NKEYS && keylen[n])
        n++;
    return n;
}

/* The version of key i at snapshot s: versions 10, 20, 30 exist. */
static uint64_t model_version(uint64_t s) { return s >= 30 ? 30 : s >= 20 ? 20 : s >= 10 ? 10 : 0; }

static lsm_table_t *build_table(const char *path, lsm_compression_t comp)
{
    lsm_options_t o;
    lsm_options_default(&o);
    o.block_size = 256;
    o.compression = comp;
    rdb_err_t err = RDB_ERR_INIT;
    lsm_table_builder_t *b = lsm_table_builder_new(path, &o, &err);
    ck_assert_ptr_nonnull(b);
    int n = nkeys();
    for (int i = 0; i < n; i++)
        for (uint64_t ver = 30; ver >= 10; ver -= 10) {
            char k[64], v[64];
            memcpy(k, keys[i], keylen[i]);
            lsm_version_t vv = { ver, 1 };
            lsm_ikey_trailer(k + keylen[i], vv, LSM_KIND_PUT);
            int vn = snprintf(v, sizeof v, "%d@%llu", i, (unsigned long long)ver);
            ck_assert_int_eq(lsm_table_builder_add(b, k, keylen[i] + LSM_IKEY_TRAILER, v,
                                                   (size_t)vn, &err),
                             RDB_OK);
        }
    ck_assert_int_eq(lsm_table_builder_finish(b, &err), RDB_OK);
    lsm_table_t *t;
    ck_assert_int_eq(lsm_table_open(path, 1, NULL, &t, &err), RDB_OK);
    return t;
}

/* A probe key: a present key, or one made to fall between, before or after
 * the present ones (shorter, longer, outside the shared prefix). */
static size_t probe_key(char *out, int *present)
{
    int n = nkeys();
    int i = (int)(rnd() % (uint64_t)n);
    *present = -1;
    switch (rnd() % 6) {
    case 0:
    case 1:
        memcpy(out, keys[i], keylen[i]);
        *present = i;
        return keylen[i];
    case 2: /* longer: between key i and its successor */
        memcpy(out, keys[i], keylen[i]);
        out[keylen[i]] = '\0';
        return keylen[i] + 1;
    case 3: /* shorter */
        memcpy(out, keys[i], keylen[i]);
        return keylen[i] > 1 ? keylen[i] - 1 - rnd() % 3 : 0;
    case 4: /* outside the shared prefix */
        return (size_t)snprintf(out, 48, "%s", (rnd() & 1) ? "table/0000/z" : "table/0002");
    default: /* last byte moved */
        memcpy(out, keys[i], keylen[i]);
        out[keylen[i] - 1] = (char)(out[keylen[i] - 1] + ((rnd() & 1) ? 1 : -1));
        return keylen[i];
    }
}

/* The first present key >= (uk, s) in ikey order, as its index and version;
 * -1 if none. */
static int model_seek(const char *uk, size_t un, uint64_t s, uint64_t *ver)
{
    int n = nkeys();
    for (int i = 0; i < n; i++) {
        int c = lsm_ukey_cmp(keys[i], keylen[i], uk, un);
        if (c < 0)
            continue;
        if (c == 0) {
            uint64_t v = model_version(s);
            if (v) {
                *ver = v;
                return i;
            }
            continue; /* every version is newer than s: the next key */
        }
        *ver = 30;
        return i;
    }
    return -1;
}

static void index_summary_against_model(lsm_compression_t comp)
{
    mk_tmp();
    make_keys();
    char path[1100];
    snprintf(path, sizeof path, "%s/000001.sst", tmpdir);
    lsm_table_t *t = build_table(path, comp);
    lsm_it_t *it = lsm_table_iter(t, false);
    rdb_buf_t val = RDB_BUF_INIT;
    rdb_err_t err = RDB_ERR_INIT;
    for (int q = 0; q < 4000; q++) {
        char uk[64], seek[80];
        int present;
        size_t un = probe_key(uk, &present);
        uint64_t snap = (uint64_t)(rnd() % 40);
        size_t sn = lsm_ikey_seek(seek, uk, un, snap);

        /* point read */
        bool found, skip, hit;
        int kind;
        lsm_version_t v;
        ck_assert_int_eq(lsm_table_get(t, seek, sn, false, &found, &kind, &v, &val, NULL, &skip,
                                       &hit, &err),
                         RDB_OK);
        uint64_t mv;
        int mi = model_seek(uk, un, snap, &mv);
        bool want = mi >= 0 && keylen[mi] == un && memcmp(keys[mi], uk, un) == 0;
        ck_assert_msg(found == want, "get %.*s @%llu: found %d, model %d", (int)un, uk,
                      (unsigned long long)snap, found, want);
        if (found) {
            ck_assert_uint_eq(v.hlc, mv);
            char expect[64];
            int en = snprintf(expect, sizeof expect, "%d@%llu", mi, (unsigned long long)mv);
            ck_assert_uint_eq(val.len, (size_t)en);
            ck_assert(memcmp(val.data, expect, (size_t)en) == 0);
        }

        /* seek, then a few steps forward or back */
        it->ops->seek(it, seek, sn);
        if (mi < 0) {
            ck_assert(!it->ops->valid(it));
            continue;
        }
        ck_assert(it->ops->valid(it));
        size_t kn;
        const char *k = it->ops->key(it, &kn);
        ck_assert_uint_eq(kn - LSM_IKEY_TRAILER, keylen[mi]);
        ck_assert(memcmp(k, keys[mi], keylen[mi]) == 0);
        ck_assert_uint_eq(lsm_ikey_version(k, kn).hlc, mv);
        if (rnd() & 1) {
            it->ops->prev(it);
            if (it->ops->valid(it)) {
                k = it->ops->key(it, &kn);
                char cur[80];
                size_t cn = lsm_ikey_seek(cur, keys[mi], keylen[mi], mv);
                ck_assert_int_lt(lsm_ikey_cmp(k, kn, cur, cn), 0);
            } else {
                ck_assert_int_eq(mi, 0);
                ck_assert_uint_eq(mv, 30);
            }
        }
    }
    ck_assert_int_eq(it->ops->status(it, &err), RDB_OK);
    it->ops->free(it);
    rdb_buf_free(&val);
    lsm_table_unref(t);
    rm_tmp();
}

/* --- many point reads at once --------------------------------------------- */

/* lsm_get_many gives what lsm_get gives key by key: keys spread over the
 * memtable, level-0 files and deeper levels, several versions each (some
 * written to an older file after a newer one, as replication does),
 * tombstones, absent keys, repeated keys, at several snapshots. */
START_TEST(get_many_matches_get)
{
    mk_tmp();
    lsm_options_t o;
    lsm_options_default(&o);
    o.memtable_size = 64 << 10;
    o.block_size = 512;
    o.sync_mode = LSM_SYNC_NONE;
    o.target_file_size = 16 << 10;
    lsm_db_t *db;
    rdb_err_t err = RDB_ERR_INIT;
    ck_assert_int_eq(lsm_open(tmpdir, &o, &db, &err), RDB_OK);
    const int nk = 3000;
    lsm_batch_t *b = lsm_batch_new();
    for (int round = 0; round < 6; round++) {
        for (int i = 0; i < 800; i++) {
            char k[32], v[64];
            int key = (int)(rnd() % (uint64_t)nk);
            snprintf(k, sizeof k, "k%05d", key);
            /* versions in any order across rounds */
            lsm_version_t ver = { 1 + rnd() % 60, (uint16_t)(1 + round) };
            snprintf(v, sizeof v, "v%d@%llu/%d", key, (unsigned long long)ver.hlc, round);
            if (rnd() % 7 == 0)
                lsm_batch_delete(b, k, strlen(k), ver);
            else
                lsm_batch_put(b, k, strlen(k), ver, v, strlen(v));
        }
        ck_assert_int_eq(lsm_write(db, NULL, b, &err), RDB_OK);
        lsm_batch_clear(b);
        if (round == 1)
            ck_assert_int_eq(lsm_compact_range(db, NULL, 0, NULL, 0, &err), RDB_OK);
        else if (round < 5)
            ck_assert_int_eq(lsm_flush(db, &err), RDB_OK);
    }
    lsm_batch_free(b);
    enum { N = 700 };
    char kb[N][32];
    const void *keys[N];
    size_t klens[N];
    lsm_get_result_t res[N];
    rdb_buf_t vals = RDB_BUF_INIT, one = RDB_BUF_INIT;
    for (int q = 0; q < 12; q++) {
        int n = q == 0 ? 1 : (int)(rnd() % N) + 1;
        for (int i = 0; i < n; i++) {
            int key = i > 0 && rnd() % 10 == 0 ? atoi(kb[i - 1] + 1) : (int)(rnd() % (uint64_t)(nk + 100));
            snprintf(kb[i], sizeof kb[i], "k%05d", key);
            keys[i] = kb[i];
            klens[i] = strlen(kb[i]);
        }
        lsm_read_options_t ro;
        lsm_read_options_default(&ro);
        ro.snapshot = q % 3 == 0 ? LSM_SNAPSHOT_LATEST : 1 + rnd() % 60;
        rdb_buf_reset(&vals);
        ck_assert_int_eq(lsm_get_many(db, &ro, n, keys, klens, res, &vals, &err), RDB_OK);
        int nfound = 0;
        for (int i = 0; i < n; i++) {
            rdb_status_t s = lsm_get(db, &ro, keys[i], klens[i], &one, NULL, &err);
            ck_assert(s == RDB_OK || s == RDB_NOTFOUND);
            rdb_err_clear(&err);
            ck_assert_msg(res[i].found == (s == RDB_OK), "%s @%llu: many %d, get %d", kb[i],
                          (unsigned long long)ro.snapshot, res[i].found, s == RDB_OK);
            if (s == RDB_OK) {
                nfound++;
                ck_assert_uint_eq(res[i].vlen, one.len);
                ck_assert(memcmp(vals.data + res[i].voff, one.data, one.len) == 0);
            }
        }
        if (n > 100)
            ck_assert_int_gt(nfound, 0);
    }
    rdb_buf_free(&vals);
    rdb_buf_free(&one);
    lsm_close(db);
    rm_tmp();
}
END_TEST

START_TEST(index_summary_none) { index_summary_against_model(LSM_COMPRESS_NONE); }
END_TEST
START_TEST(index_summary_lz4) { index_summary_against_model(LSM_COMPRESS_LZ4); }
END_TEST

/* --- bloom ---------------------------------------------------------------- */

START_TEST(bloom_no_false_negatives)
{
    /* every key added matches, whatever the filter's size (the probe's
     * 32-bit and 64-bit paths agree with the builder) */
    for (size_t n = 1; n <= 5000; n *= 7) {
        uint64_t *h = malloc(n * sizeof(*h));
        for (size_t i = 0; i < n; i++) {
            char k[32];
            int kn = snprintf(k, sizeof k, "key-%zu-%zu", n, i);
            h[i] = lsm_bloom_hash(k, (size_t)kn);
        }
        rdb_buf_t f = RDB_BUF_INIT;
        lsm_bloom_build(h, n, 10, &f);
        for (size_t i = 0; i < n; i++)
            ck_assert(lsm_bloom_may_match(f.data, f.len, h[i]));
        size_t fp = 0;
        for (size_t i = 0; i < 10000; i++)
            fp += lsm_bloom_may_match(f.data, f.len, rnd());
        ck_assert_uint_lt(fp, n < 64 ? 10000 : 500);
        rdb_buf_free(&f);
        free(h);
    }
}
END_TEST

static Suite *read_suite(void)
{
    Suite *s = suite_create("lsm-read");
    TCase *tc = tcase_create("read");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, cache_clock_second_chance);
    tcase_add_test(tc, cache_pins_and_replace);
    tcase_add_test(tc, cache_spare_buffers);
    tcase_add_test(tc, cache_threads);
    tcase_add_test(tc, index_summary_none);
    tcase_add_test(tc, index_summary_lz4);
    tcase_add_test(tc, bloom_no_false_negatives);
    tcase_add_test(tc, get_many_matches_get);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(read_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
