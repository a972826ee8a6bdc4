/* test_lsm.c — unit and integration tests of the storage engine (src/lsm). */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/coding.h"
#include "lsm/block.h"
#include "lsm/bloom.h"
#include "lsm/ikey.h"
#include "lsm/log.h"
#include "lsm/lsm.h"
#include "lsm/skiplist.h"
#include "lsm/table.h"
#include "lsm/table_cache.h"

static char tmpdir[1024];

static void mk_tmp(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/lsmtest.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}
static void rm_tmp(void)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%.200s'", tmpdir);
    ck_assert_int_eq(system(cmd), 0);
}
static char *tpath(const char *name)
{
    static char p[512];
    snprintf(p, sizeof p, "%.200s/%.100s", tmpdir, name);
    return p;
}

static size_t mkikey(char *buf, const char *uk, uint64_t hlc, uint16_t node, int kind)
{
    size_t n = strlen(uk);
    memcpy(buf, uk, n);
    lsm_version_t v = { hlc, node };
    lsm_ikey_trailer(buf + n, v, kind);
    return n + LSM_IKEY_TRAILER;
}

static uint64_t rng_state = 88172645463325252ULL;
static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* --- ikey ----------------------------------------------------------------- */

START_TEST(ikey_order)
{
    char a[64], b[64];
    size_t an = mkikey(a, "k", 10, 1, LSM_KIND_PUT), bn = mkikey(b, "k", 9, 1, LSM_KIND_PUT);
    ck_assert_int_lt(lsm_ikey_cmp(a, an, b, bn), 0); /* newer first */
    bn = mkikey(b, "k", 10, 2, LSM_KIND_PUT);
    ck_assert_int_gt(lsm_ikey_cmp(a, an, b, bn), 0); /* higher node newer */
    bn = mkikey(b, "k\0", 99, 1, LSM_KIND_PUT);
    bn = 1;
    memcpy(b, "k", 1);
    b[1] = 0;
    lsm_version_t v = { 99, 1 };
    lsm_ikey_trailer(b + 2, v, LSM_KIND_PUT);
    bn = 2 + LSM_IKEY_TRAILER;
    ck_assert_int_lt(lsm_ikey_cmp(a, an, b, bn), 0); /* "k" < "k\0" */
    lsm_version_t got = lsm_ikey_version(a, an);
    ck_assert_uint_eq(got.hlc, 10);
    ck_assert_uint_eq(got.node_id, 1);
}
END_TEST

/* --- skiplist ------------------------------------------------------------- */

/* Walk m forwards, asserting strictly ascending keys; the count. */
static size_t mem_count_sorted(lsm_mem_t *m)
{
    lsm_it_t *it = lsm_mem_iter(m);
    rdb_buf_t prev = RDB_BUF_INIT;
    size_t count = 0;
    for (it->ops->seek_first(it); it->ops->valid(it); it->ops->next(it)) {
        size_t kn;
        const char *key = it->ops->key(it, &kn);
        if (prev.len)
            ck_assert_int_lt(lsm_ikey_cmp(prev.data, prev.len, key, kn), 0);
        rdb_buf_reset(&prev);
        rdb_buf_append(&prev, key, kn);
        count++;
    }
    it->ops->free(it);
    rdb_buf_free(&prev);
    return count;
}

START_TEST(skiplist_sorted)
{
    lsm_mem_t *m = lsm_mem_new();
    char k[64];
    for (int i = 0; i < 2000; i++) {
        char uk[16];
        snprintf(uk, sizeof uk, "%08u", (unsigned)(rnd() % 500));
        size_t n = mkikey(k, uk, rnd() % 50, 0, LSM_KIND_PUT);
        lsm_mem_add(m, k, n, uk, strlen(uk));
    }
    size_t count = mem_count_sorted(m);
    lsm_it_t *it = lsm_mem_iter(m);
    ck_assert_uint_eq(count, lsm_mem_count(m));
    /* backwards gives the same count */
    size_t back = 0;
    for (it->ops->seek_last(it); it->ops->valid(it); it->ops->prev(it))
        back++;
    ck_assert_uint_eq(back, count);
    /* a duplicate is ignored */
    size_t n = mkikey(k, "dup", 5, 5, LSM_KIND_PUT);
    lsm_mem_add(m, k, n, "a", 1);
    lsm_mem_add(m, k, n, "b", 1);
    it->ops->seek(it, k, n);
    ck_assert(it->ops->valid(it));
    size_t vn;
    ck_assert_int_eq(it->ops->value(it, &vn)[0], 'a');
    it->ops->free(it);
    lsm_mem_unref(m);
}
END_TEST

/* The replica's pattern: each batch an ascending run of new keys, then a
 * metadata key that sorts before every other (the version vector, a newer
 * version each time).  The next run's splice then starts next to the
 * head; an insert must still pass O(log n) nodes, not walk a level from
 * the head (the splice once compared keys with the head node, which has
 * none, and fell back to it at every level). */
START_TEST(skiplist_front_key_between_runs)
{
    lsm_mem_t *m = lsm_mem_new();
    char k[64], uk[16];
    unsigned next = 0;
    size_t inserts = 0;
    for (uint64_t batch = 1; batch <= 6000; batch++) {
        for (unsigned i = 0; i < 1 + batch % 9; i++, inserts++) {
            snprintf(uk, sizeof uk, "b%09u", next++);
            lsm_mem_add(m, k, mkikey(k, uk, 7, 1, LSM_KIND_PUT), uk, strlen(uk));
        }
        memcpy(k, "\0vv", 3); /* mkikey takes C strings */
        lsm_ikey_trailer(k + 3, (lsm_version_t){ batch, 0 }, LSM_KIND_PUT);
        lsm_mem_add(m, k, 3 + LSM_IKEY_TRAILER, "v", 1);
        inserts++;
    }
    ck_assert_uint_eq(lsm_mem_count(m), inserts);
    ck_assert_uint_eq(mem_count_sorted(m), inserts);
    /* ~36,000 entries: a search passes a few nodes per level (under 10
     * levels): 3 per insert, and 818 when the splice fell back to the head */
    ck_assert_uint_lt(lsm_mem_writer_steps(m) / inserts, 16);
    lsm_mem_unref(m);
}
END_TEST

/* Ascending runs (a sorted commit batch: the writer's splice), each
 * starting anywhere, mixed with random inserts and repeats: the list
 * stays ordered and holds every distinct key once. */
START_TEST(skiplist_ascending_runs)
{
    lsm_mem_t *m = lsm_mem_new();
    static bool seen[20000];
    memset(seen, 0, sizeof seen);
    size_t distinct = 0;
    char k[64], uk[16];
    for (int run = 0; run < 60; run++) {
        unsigned start = (unsigned)(rnd() % 20000), len = (unsigned)(rnd() % 400);
        for (unsigned i = start; i < start + len && i < 20000; i += 1 + (unsigned)(rnd() % 3)) {
            snprintf(uk, sizeof uk, "%08u", i);
            lsm_mem_add(m, k, mkikey(k, uk, 7, 1, LSM_KIND_PUT), uk, strlen(uk));
            distinct += !seen[i];
            seen[i] = true;
        }
        unsigned r = (unsigned)(rnd() % 20000); /* one out of order */
        snprintf(uk, sizeof uk, "%08u", r);
        lsm_mem_add(m, k, mkikey(k, uk, 7, 1, LSM_KIND_PUT), uk, strlen(uk));
        distinct += !seen[r];
        seen[r] = true;
    }
    ck_assert_uint_eq(lsm_mem_count(m), distinct);
    size_t count = mem_count_sorted(m);
    lsm_it_t *it = lsm_mem_iter(m);
    ck_assert_uint_eq(count, distinct);
    for (unsigned i = 0; i < 20000; i += 7) {
        snprintf(uk, sizeof uk, "%08u", i);
        size_t n = mkikey(k, uk, 7, 1, LSM_KIND_PUT);
        it->ops->seek(it, k, n);
        bool hit = false;
        if (it->ops->valid(it)) {
            size_t kn;
            const char *key = it->ops->key(it, &kn);
            hit = lsm_ikey_cmp(key, kn, k, n) == 0;
        }
        ck_assert_int_eq(hit, seen[i]);
    }
    it->ops->free(it);
    lsm_mem_unref(m);
}
END_TEST

typedef struct sl_reader {
    lsm_mem_t *m;
    atomic_int *stop;
    int bad, rounds;
} sl_reader_t;

static void *sl_read(void *arg)
{
    sl_reader_t *r = arg;
    while (!atomic_load(r->stop) || r->rounds < 3) {
        lsm_it_t *it = lsm_mem_iter(r->m);
        rdb_buf_t prev = RDB_BUF_INIT;
        for (it->ops->seek_first(it); it->ops->valid(it); it->ops->next(it)) {
            size_t kn;
            const char *key = it->ops->key(it, &kn);
            if (prev.len && lsm_ikey_cmp(prev.data, prev.len, key, kn) >= 0)
                r->bad++;
            rdb_buf_reset(&prev);
            rdb_buf_append(&prev, key, kn);
        }
        rdb_buf_free(&prev);
        it->ops->free(it);
        r->rounds++;
    }
    return NULL;
}

START_TEST(skiplist_concurrent_reader)
{
    lsm_mem_t *m = lsm_mem_new();
    atomic_int stop = 0;
    sl_reader_t r = { m, &stop, 0, 0 };
    pthread_t t;
    pthread_create(&t, NULL, sl_read, &r);
    char k[64];
    for (int i = 0; i < 20000; i++) {
        char uk[16];
        snprintf(uk, sizeof uk, "%08u", (unsigned)(rnd() % 100000));
        size_t n = mkikey(k, uk, (uint64_t)i, 0, LSM_KIND_PUT);
        lsm_mem_add(m, k, n, "v", 1);
    }
    atomic_store(&stop, 1);
    pthread_join(t, NULL);
    ck_assert_int_eq(r.bad, 0);
    ck_assert_int_ge(r.rounds, 3);
    lsm_mem_unref(m);
}
END_TEST

/* --- block ---------------------------------------------------------------- */

START_TEST(block_roundtrip)
{
    lsm_block_builder_t b;
    lsm_block_builder_init(&b);
    char k[64];
    int n = 500;
    for (int i = 0; i < n; i++) {
        char uk[16], v[16];
        snprintf(uk, sizeof uk, "key%06d", i * 2);
        snprintf(v, sizeof v, "v%d", i);
        size_t kn = mkikey(k, uk, 1, 0, LSM_KIND_PUT);
        lsm_block_add(&b, k, kn, v, strlen(v));
    }
    lsm_block_finish(&b);
    lsm_it_t *it = lsm_block_iter(b.buf.data, b.buf.len, NULL, NULL, "test", 0);
    int i = 0;
    for (it->ops->seek_first(it); it->ops->valid(it); it->ops->next(it), i++) {
        size_t vn;
        char v[16];
        snprintf(v, sizeof v, "v%d", i);
        const char *val = it->ops->value(it, &vn);
        ck_assert_uint_eq(vn, strlen(v));
        ck_assert(memcmp(val, v, vn) == 0);
    }
    ck_assert_int_eq(i, n);
    i = n - 1;
    for (it->ops->seek_last(it); it->ops->valid(it); it->ops->prev(it), i--) {
        size_t kn;
        char uk[16];
        snprintf(uk, sizeof uk, "key%06d", i * 2);
        const char *key = it->ops->key(it, &kn);
        ck_assert(memcmp(key, uk, strlen(uk)) == 0);
    }
    ck_assert_int_eq(i, -1);
    /* seek to odd keys lands on the next even key */
    for (int j = 0; j < 2 * n; j += 7) {
        char uk[16];
        snprintf(uk, sizeof uk, "key%06d", j);
        size_t kn = mkikey(k, uk, 1, 0, LSM_KIND_PUT);
        it->ops->seek(it, k, kn);
        int want = (j + 1) / 2 * 2;
        if (want >= 2 * n) {
            ck_assert(!it->ops->valid(it));
            continue;
        }
        ck_assert(it->ops->valid(it));
        size_t gn;
        const char *g = it->ops->key(it, &gn);
        snprintf(uk, sizeof uk, "key%06d", want);
        ck_assert(memcmp(g, uk, strlen(uk)) == 0);
    }
    ck_assert_int_eq(it->ops->status(it, NULL), RDB_OK);
    it->ops->free(it);

    /* garbage: a bad restart count and a mangled entry are corruption */
    char junk[32];
    memset(junk, 0xee, sizeof junk);
    it = lsm_block_iter(junk, sizeof junk, NULL, NULL, "junk", 0);
    it->ops->seek_first(it);
    ck_assert(!it->ops->valid(it));
    rdb_err_t err = RDB_ERR_INIT;
    ck_assert_int_eq(it->ops->status(it, &err), RDB_CORRUPTION);
    ck_assert_ptr_nonnull(strstr(err.msg, "junk"));
    rdb_err_clear(&err);
    it->ops->free(it);
    b.buf.data[0] = (char)0x7f; /* shared > 0 at a restart point */
    it = lsm_block_iter(b.buf.data, b.buf.len, NULL, NULL, "mangled", 0);
    it->ops->seek_first(it);
    ck_assert(!it->ops->valid(it));
    ck_assert_int_eq(it->ops->status(it, NULL), RDB_CORRUPTION);
    it->ops->free(it);
    lsm_block_builder_free(&b);
}
END_TEST

/* Seek every key, and targets between and around keys, in blocks built
 * with several restart intervals (1: every entry a restart point; longer
 * than the block: one restart), long keys (past the iterator's inline key
 * storage, and two-byte varint lengths) and long values; the answer must
 * be what a linear scan from the first entry finds. */
static void block_seek_check(lsm_it_t *it, const char *t, size_t tn)
{
    it->ops->seek(it, t, tn);
    /* the reference: the first entry >= t by a walk from the start */
    size_t gn = 0, vn = 0;
    const char *g = it->ops->valid(it) ? it->ops->key(it, &gn) : NULL;
    const char *gv = g ? it->ops->value(it, &vn) : NULL;
    char gkey[400], gval[400];
    ck_assert_uint_le(gn, sizeof gkey);
    ck_assert_uint_le(vn, sizeof gval);
    if (g) {
        memcpy(gkey, g, gn);
        memcpy(gval, gv, vn);
    }
    bool found = false;
    for (it->ops->seek_first(it); it->ops->valid(it); it->ops->next(it)) {
        size_t kn;
        const char *k = it->ops->key(it, &kn);
        if (lsm_ikey_cmp(k, kn, t, tn) >= 0) {
            found = true;
            ck_assert_msg(g != NULL, "seek found nothing, scan found an entry");
            ck_assert_uint_eq(kn, gn);
            ck_assert(memcmp(k, gkey, kn) == 0);
            size_t wn;
            const char *w = it->ops->value(it, &wn);
            ck_assert_uint_eq(wn, vn);
            ck_assert(memcmp(w, gval, wn) == 0);
            break;
        }
    }
    if (!found)
        ck_assert_msg(g == NULL, "seek found an entry past the last key");
    ck_assert_int_eq(it->ops->status(it, NULL), RDB_OK);
}

START_TEST(block_seek_restarts)
{
    static const int intervals[] = { 1, 2, 3, 5, 16, 33, 1000 };
    static const int counts[] = { 1, 2, 15, 16, 17, 120 };
    char pad[200];
    memset(pad, 'x', sizeof pad);
    for (size_t ii = 0; ii < sizeof intervals / sizeof *intervals; ii++)
        for (size_t ci = 0; ci < sizeof counts / sizeof *counts; ci++) {
            lsm_block_builder_t b;
            lsm_block_builder_init(&b);
            b.restart_interval = intervals[ii];
            int n = counts[ci], entries = 0;
            char (*keys)[300] = calloc((size_t)n * 3, sizeof *keys);
            size_t *klens = calloc((size_t)n * 3, sizeof *klens);
            for (int i = 0; i < n; i++) {
                /* every 4th user key is long: past the inline key storage
                 * and over 127 bytes, so its lengths take two varint bytes */
                char uk[260];
                int ul = snprintf(uk, sizeof uk, "k%05d", i * 2);
                if (i % 4 == 1) {
                    memcpy(uk + ul, pad, 150);
                    uk[ul + 150] = 0;
                }
                int versions = 1 + i % 3;
                for (int v = versions; v >= 1; v--) { /* newest first */
                    char val[200];
                    size_t vn = (size_t)((i * 37 + v) % 3 == 0 ? 150 : 5);
                    memset(val, 'a' + v, vn);
                    klens[entries] = mkikey(keys[entries], uk, 100 + (uint64_t)v, 0,
                                            v == 2 ? LSM_KIND_DELETE : LSM_KIND_PUT);
                    lsm_block_add(&b, keys[entries], klens[entries], val, vn);
                    entries++;
                }
            }
            lsm_block_finish(&b);
            lsm_it_t *it = lsm_block_iter(b.buf.data, b.buf.len, NULL, NULL, "test", 0);
            char t[300];
            size_t tn;
            /* every entry exactly */
            for (int e = 0; e < entries; e++)
                block_seek_check(it, keys[e], klens[e]);
            for (int i = -1; i <= n; i++) {
                char uk[260];
                snprintf(uk, sizeof uk, "k%05d", i * 2 + 1); /* between user keys */
                tn = mkikey(t, i < 0 ? "" : uk, 0, 0, 0);
                block_seek_check(it, t, tn);
                snprintf(uk, sizeof uk, "k%05d", i < 0 ? 0 : i * 2); /* each version gap */
                for (uint64_t h = 0; h <= 104; h += (h < 99 ? 99 : 1)) {
                    tn = lsm_ikey_seek(t, uk, strlen(uk), h);
                    block_seek_check(it, t, tn);
                }
                tn = lsm_ikey_seek(t, uk, strlen(uk), LSM_SNAPSHOT_LATEST);
                block_seek_check(it, t, tn);
            }
            tn = mkikey(t, "z", 0, 0, 0); /* after everything */
            block_seek_check(it, t, tn);
            it->ops->free(it);
            free(keys);
            free(klens);
            lsm_block_builder_free(&b);
        }
}
END_TEST

/* --- bloom ---------------------------------------------------------------- */

START_TEST(bloom_fp_rate)
{
    int n = 10000;
    uint64_t *h = malloc(sizeof(uint64_t) * (size_t)n);
    for (int i = 0; i < n; i++) {
        char k[32];
        snprintf(k, sizeof k, "present-%d", i);
        h[i] = lsm_bloom_hash(k, strlen(k));
    }
    rdb_buf_t f = RDB_BUF_INIT;
    lsm_bloom_build(h, (size_t)n, 10, &f);
    for (int i = 0; i < n; i++)
        ck_assert(lsm_bloom_may_match(f.data, f.len, h[i]));
    int fp = 0;
    for (int i = 0; i < n; i++) {
        char k[32];
        snprintf(k, sizeof k, "absent-%d", i);
        fp += lsm_bloom_may_match(f.data, f.len, lsm_bloom_hash(k, strlen(k)));
    }
    /* ~1% expected at 10 bits/key */
    ck_assert_int_lt(fp, n * 2 / 100);
    ck_assert_int_gt(fp, 0);
    rdb_buf_free(&f);
    free(h);
}
END_TEST

/* --- table ---------------------------------------------------------------- */

static void table_roundtrip(lsm_compression_t comp)
{
    mk_tmp();
    lsm_options_t o;
    lsm_options_default(&o);
    o.compression = comp;
    o.block_size = 512;
    rdb_err_t err = RDB_ERR_INIT;
    char *path = tpath("000007.sst");
    lsm_table_builder_t *b = lsm_table_builder_new(path, &o, &err);
    ck_assert_ptr_nonnull(b);
    char k[64];
    int n = 3000;
    for (int i = 0; i < n; i++) {
        char uk[16], v[64];
        snprintf(uk, sizeof uk, "k%07d", i);
        snprintf(v, sizeof v, "value-%d-aaaaaaaaaaaaaaaaaaaaaaaa", i);
        for (int ver = 3; ver >= 1; ver--) {
            size_t kn = mkikey(k, uk, (uint64_t)ver, 0, ver == 2 ? LSM_KIND_DELETE : LSM_KIND_PUT);
            ck_assert_int_eq(lsm_table_builder_add(b, k, kn, v, strlen(v), &err), RDB_OK);
        }
    }
    ck_assert_int_eq(lsm_table_builder_finish(b, &err), RDB_OK);
    lsm_cache_t *cache = lsm_cache_new(1 << 20);
    lsm_table_t *t;
    ck_assert_int_eq(lsm_table_open(path, 7, cache, &t, &err), RDB_OK);
    lsm_it_t *it = lsm_table_iter(t, true);
    int count = 0;
    for (it->ops->seek_first(it); it->ops->valid(it); it->ops->next(it))
        count++;
    ck_assert_int_eq(count, 3 * n);
    count = 0;
    for (it->ops->seek_last(it); it->ops->valid(it); it->ops->prev(it))
        count++;
    ck_assert_int_eq(count, 3 * n);
    it->ops->free(it);
    rdb_buf_t val = RDB_BUF_INIT;
    for (int i = 0; i < n; i += 37) {
        char uk[16];
        snprintf(uk, sizeof uk, "k%07d", i);
        char seek[64];
        size_t sn = lsm_ikey_seek(seek, uk, strlen(uk), 2);
        bool found, skip, hit;
        int kind;
        lsm_version_t v;
        ck_assert_int_eq(lsm_table_get(t, seek, sn, true, &found, &kind, &v, &val, NULL, &skip, &hit, &err),
                         RDB_OK);
        ck_assert(found);
        ck_assert_int_eq(kind, LSM_KIND_DELETE);
        ck_assert_uint_eq(v.hlc, 2);
        sn = lsm_ikey_seek(seek, "zzz", 3, 9);
        lsm_table_get(t, seek, sn, true, &found, &kind, &v, &val, NULL, &skip, &hit, &err);
        ck_assert(!found);
    }
    rdb_buf_free(&val);
    lsm_table_unref(t);
    lsm_cache_free(cache);

    /* flip one byte in the first data block: reads report the file and offset */
    int fd = open(path, O_RDWR);
    char c;
    ck_assert_int_eq(pread(fd, &c, 1, 20), 1);
    c ^= 0x40;
    ck_assert_int_eq(pwrite(fd, &c, 1, 20), 1);
    close(fd);
    ck_assert_int_eq(lsm_table_open(path, 7, NULL, &t, &err), RDB_OK);
    it = lsm_table_iter(t, false);
    it->ops->seek_first(it);
    ck_assert(!it->ops->valid(it));
    ck_assert_int_eq(it->ops->status(it, &err), RDB_CORRUPTION);
    ck_assert_ptr_nonnull(strstr(err.msg, path));
    ck_assert_ptr_nonnull(strstr(err.msg, "offset 0"));
    rdb_err_clear(&err);
    it->ops->free(it);
    lsm_table_unref(t);
    /* a truncated file is refused at open */
    ck_assert_int_eq(truncate(path, 30), 0);
    ck_assert_int_eq(lsm_table_open(path, 7, NULL, &t, &err), RDB_CORRUPTION);
    ck_assert_ptr_nonnull(strstr(err.msg, path));
    rdb_err_clear(&err);
    rm_tmp();
}

START_TEST(table_roundtrip_none) { table_roundtrip(LSM_COMPRESS_NONE); }
END_TEST
START_TEST(table_roundtrip_lz4) { table_roundtrip(LSM_COMPRESS_LZ4); }
END_TEST
START_TEST(table_roundtrip_zstd) { table_roundtrip(LSM_COMPRESS_ZSTD); }
END_TEST

/* --- WAL framing ---------------------------------------------------------- */

typedef struct recs {
    int n;
    char last[64];
} recs_t;

static rdb_status_t count_rec(void *arg, const char *rec, size_t n, uint64_t off, rdb_err_t *err)
{
    recs_t *r = arg;
    r->n++;
    memcpy(r->last, rec, n < 63 ? n : 63);
    r->last[n < 63 ? n : 63] = 0;
    return RDB_OK;
}

START_TEST(wal_torn_tail)
{
    mk_tmp();
    rdb_err_t err = RDB_ERR_INIT;
    char *path = tpath("000001.log");
    lsm_log_writer_t w;
    ck_assert_int_eq(lsm_log_create(&w, path, &err), RDB_OK);
    ck_assert_int_eq(lsm_log_add(&w, "first", 5, &err), RDB_OK);
    ck_assert_int_eq(lsm_log_add(&w, "second", 6, &err), RDB_OK);
    uint64_t before_last = w.size;
    ck_assert_int_eq(lsm_log_add(&w, "third-record", 12, &err), RDB_OK);
    uint64_t full = w.size;
    lsm_log_close(&w);
    char *copy = strdup(path);
    for (uint64_t cut = before_last; cut <= full; cut++) {
        ck_assert_int_eq(truncate(copy, (off_t)cut), 0);
        recs_t r = { 0 };
        bool torn;
        ck_assert_int_eq(lsm_log_read(copy, count_rec, &r, &torn, NULL, &err), RDB_OK);
        if (cut == full) {
            ck_assert_int_eq(r.n, 3);
            ck_assert(!torn);
        } else {
            ck_assert_int_eq(r.n, 2);
            ck_assert_str_eq(r.last, "second");
            ck_assert(torn == (cut != before_last));
        }
        /* restore the tail for the next cut */
        ck_assert_int_eq(lsm_log_create(&w, copy, &err), RDB_OK);
        lsm_log_add(&w, "first", 5, &err);
        lsm_log_add(&w, "second", 6, &err);
        lsm_log_add(&w, "third-record", 12, &err);
        lsm_log_close(&w);
    }
    /* corruption in the middle: an error naming the file and the offset */
    int fd = open(copy, O_RDWR);
    char c = 'X';
    ck_assert_int_eq(pwrite(fd, &c, 1, LSM_LOG_HEADER + 2), 1);
    close(fd);
    recs_t r = { 0 };
    ck_assert_int_eq(lsm_log_read(copy, count_rec, &r, NULL, NULL, &err), RDB_CORRUPTION);
    ck_assert_ptr_nonnull(strstr(err.msg, copy));
    ck_assert_ptr_nonnull(strstr(err.msg, "offset 0"));
    ck_assert_int_eq(r.n, 0);
    rdb_err_clear(&err);
    free(copy);
    rm_tmp();
}
END_TEST

/* --- whole database ------------------------------------------------------- */

static lsm_db_t *open_db(size_t memtable)
{
    lsm_options_t o;
    lsm_options_default(&o);
    o.sync_mode = LSM_SYNC_NONE;
    o.memtable_size = memtable;
    o.block_size = 1024;
    o.target_file_size = 64 * 1024;
    rdb_err_t err = RDB_ERR_INIT;
    lsm_db_t *db = NULL;
    rdb_status_t s = lsm_open(tmpdir, &o, &db, &err);
    ck_assert_msg(s == RDB_OK, "open: %s", err.msg);
    return db;
}

static void put(lsm_db_t *db, const char *k, uint64_t hlc, const char *v)
{
    lsm_batch_t *b = lsm_batch_new();
    lsm_version_t ver = { hlc, 1 };
    if (v)
        lsm_batch_put(b, k, strlen(k), ver, v, strlen(v));
    else
        lsm_batch_delete(b, k, strlen(k), ver);
    rdb_err_t err = RDB_ERR_INIT;
    ck_assert_int_eq(lsm_write(db, NULL, b, &err), RDB_OK);
    lsm_batch_free(b);
}

/* Puts keys "<prefix>%06d" for i in [0, n) with values "<vprefix>%d" at hlc. */
static void put_numbered(lsm_db_t *db, char prefix, char vprefix, int n, uint64_t hlc)
{
    for (int i = 0; i < n; i++) {
        char k[16], v[16];
        snprintf(k, sizeof k, "%c%06d", prefix, i);
        snprintf(v, sizeof v, "%c%d", vprefix, i);
        put(db, k, hlc, v);
    }
}

static char *get(lsm_db_t *db, const char *k, uint64_t snap)
{
    static char out[256];
    lsm_read_options_t ro;
    lsm_read_options_default(&ro);
    ro.snapshot = snap;
    rdb_buf_t v = RDB_BUF_INIT;
    rdb_err_t err = RDB_ERR_INIT;
    rdb_status_t s = lsm_get(db, &ro, k, strlen(k), &v, NULL, &err);
    ck_assert_msg(s == RDB_OK || s == RDB_NOTFOUND, "get: %s", err.msg);
    if (s == RDB_NOTFOUND) {
        rdb_buf_free(&v);
        return NULL;
    }
    snprintf(out, sizeof out, "%.*s", (int)v.len, v.data);
    rdb_buf_free(&v);
    return out;
}

START_TEST(db_basic_reopen)
{
    mk_tmp();
    lsm_db_t *db = open_db(1 << 20);
    put(db, "a", 10, "a10");
    put(db, "a", 20, "a20");
    put(db, "b", 5, "b5");
    put(db, "b", 15, NULL);
    ck_assert_str_eq(get(db, "a", LSM_SNAPSHOT_LATEST), "a20");
    ck_assert_str_eq(get(db, "a", 15), "a10");
    ck_assert_ptr_null(get(db, "a", 9));
    ck_assert_ptr_null(get(db, "b", LSM_SNAPSHOT_LATEST));
    ck_assert_str_eq(get(db, "b", 14), "b5");
    /* second open of the same directory is refused */
    lsm_db_t *db2 = NULL;
    rdb_err_t err = RDB_ERR_INIT;
    ck_assert_int_eq(lsm_open(tmpdir, NULL, &db2, &err), RDB_BUSY);
    ck_assert_ptr_nonnull(strstr(err.msg, "locked"));
    rdb_err_clear(&err);
    /* close without flush: WAL replay on reopen */
    lsm_close(db);
    db = open_db(1 << 20);
    ck_assert_str_eq(get(db, "a", LSM_SNAPSHOT_LATEST), "a20");
    ck_assert_str_eq(get(db, "b", 14), "b5");
    put(db, "c", 1, "c1");
    ck_assert_int_eq(lsm_flush(db, &err), RDB_OK);
    ck_assert_int_eq(lsm_compact_range(db, NULL, 0, NULL, 0, &err), RDB_OK);
    lsm_stats_t st;
    lsm_get_stats(db, &st);
    ck_assert_int_eq(st.level_files[0], 0);
    ck_assert_int_ge(st.level_files[1], 1);
    lsm_close(db);
    db = open_db(1 << 20);
    ck_assert_str_eq(get(db, "a", 15), "a10");
    ck_assert_str_eq(get(db, "c", 1), "c1");
    ck_assert_ptr_null(get(db, "b", LSM_SNAPSHOT_LATEST));
    /* over-long keys are refused */
    lsm_batch_t *b = lsm_batch_new();
    char *big = calloc(1, LSM_MAX_KEY_SIZE + 1);
    lsm_version_t v = { 1, 1 };
    lsm_batch_put(b, big, LSM_MAX_KEY_SIZE + 1, v, "x", 1);
    ck_assert_int_eq(lsm_write(db, NULL, b, &err), RDB_INVALID);
    rdb_err_clear(&err);
    free(big);
    lsm_batch_free(b);
    rdb_buf_t out = RDB_BUF_INIT;
    lsm_get_stats(db, &st);
    lsm_stats_format(&st, &out);
    ck_assert_ptr_nonnull(strstr(rdb_buf_cstr(&out), "L1"));
    rdb_buf_free(&out);
    lsm_close(db);
    rm_tmp();
}
END_TEST

START_TEST(db_wal_corruption_reported)
{
    mk_tmp();
    lsm_db_t *db = open_db(1 << 20);
    for (int i = 0; i < 50; i++) {
        char k[16];
        snprintf(k, sizeof k, "k%d", i);
        put(db, k, 1, "some value");
    }
    lsm_close(db);
    /* find the one .log and damage a record in the middle */
    char cmd[600], name[512] = "";
    snprintf(cmd, sizeof cmd, "ls %.200s/*.log", tmpdir);
    FILE *p = popen(cmd, "r");
    ck_assert_ptr_nonnull(fgets(name, sizeof name, p));
    pclose(p);
    name[strcspn(name, "\n")] = 0;
    int fd = open(name, O_RDWR);
    char c = 'Z';
    ck_assert_int_eq(pwrite(fd, &c, 1, 200), 1);
    close(fd);
    lsm_options_t o;
    lsm_options_default(&o);
    rdb_err_t err = RDB_ERR_INIT;
    ck_assert_int_eq(lsm_open(tmpdir, &o, &db, &err), RDB_CORRUPTION);
    ck_assert_ptr_nonnull(strstr(err.msg, name));
    ck_assert_ptr_nonnull(strstr(err.msg, "offset"));
    rdb_err_clear(&err);
    rm_tmp();
}
END_TEST

START_TEST(db_gc_horizon)
{
    mk_tmp();
    lsm_db_t *db = open_db(1 << 20);
    /* k1: versions 10, 20, 30; k2: put 10, tombstone 20; k3: tombstone 40 over put 5 */
    put(db, "k1", 10, "v10");
    put(db, "k1", 20, "v20");
    put(db, "k1", 30, "v30");
    put(db, "k2", 10, "v10");
    put(db, "k2", 20, NULL);
    put(db, "k3", 5, "v5");
    put(db, "k3", 40, NULL);
    rdb_err_t err = RDB_ERR_INIT;
    /* horizon 0: compaction keeps everything */
    ck_assert_int_eq(lsm_compact_range(db, NULL, 0, NULL, 0, &err), RDB_OK);
    lsm_read_options_t ro;
    lsm_read_options_default(&ro);
    ro.raw = true;
    const char *want0[] = { "k1@30", "k1@20", "k1@10", "k2@20D", "k2@10", "k3@40D", "k3@5" };
    const char *want25[] = { "k1@30", "k1@20", "k3@40D", "k3@5" };
    for (int round = 0; round < 2; round++) {
        const char **want = round ? want25 : want0;
        int nwant = round ? 4 : 7;
        lsm_iter_t *it = lsm_iter_new(db, &ro);
        int i = 0;
        for (lsm_iter_seek_first(it); lsm_iter_valid(it); lsm_iter_next(it), i++) {
            size_t kn;
            const char *k = lsm_iter_key(it, &kn);
            char got[64];
            snprintf(got, sizeof got, "%.*s@%llu%s", (int)kn, k,
                     (unsigned long long)lsm_iter_version(it).hlc,
                     lsm_iter_is_tombstone(it) ? "D" : "");
            ck_assert_int_lt(i, nwant);
            ck_assert_str_eq(got, want[i]);
        }
        ck_assert_int_eq(i, nwant);
        lsm_iter_free(it);
        /* horizon 25: k1@10 shadowed by k1@20 (both below) goes; k1@20 is
         * what a snapshot at 25 sees and stays; k2's tombstone and all it
         * hides go; k3's tombstone is above the horizon and stays. */
        lsm_set_gc_horizon(db, 25);
        put(db, "zz", 1, "x"); /* give compaction something new */
        put(db, "zz", 2, NULL);
        ck_assert_int_eq(lsm_compact_range(db, NULL, 0, NULL, 0, &err), RDB_OK);
    }
    ck_assert_str_eq(get(db, "k1", 25), "v20");
    ck_assert_ptr_null(get(db, "k2", LSM_SNAPSHOT_LATEST));
    ck_assert_str_eq(get(db, "k3", 39), "v5");
    lsm_close(db);
    rm_tmp();
}
END_TEST

/* Drop filter: versions <= 20 of keys starting with 'a' */
static int drop_calls;
static bool drop_a(void *ctx, const void *key, size_t klen, lsm_version_t v)
{
    ck_assert_ptr_eq(ctx, &drop_calls);
    __atomic_add_fetch(&drop_calls, 1, __ATOMIC_RELAXED);
    return klen && ((const char *)key)[0] == 'a' && v.hlc <= 20;
}

/* lsm_set_drop_filter: a compaction leaves out the versions the filter
 * drops (no tombstone in their place: an older version below the filter's
 * bound is gone too, a newer one stays), other keys are untouched, and
 * once cleared the filter is no longer asked. */
START_TEST(db_drop_filter)
{
    mk_tmp();
    lsm_db_t *db = open_db(1 << 20);
    put(db, "a1", 10, "x10");
    put(db, "a1", 20, "x20");
    put(db, "a2", 15, NULL);
    put(db, "a3", 10, "y10");
    put(db, "a3", 30, "y30");
    put(db, "b1", 10, "z10");
    rdb_err_t err = RDB_ERR_INIT;
    ck_assert_int_eq(lsm_compact_range(db, NULL, 0, NULL, 0, &err), RDB_OK);
    lsm_set_drop_filter(db, drop_a, &drop_calls);
    put(db, "a4", 5, "w5");   /* in the memtable: filtered once flushed and compacted */
    ck_assert_int_eq(lsm_compact_range(db, NULL, 0, NULL, 0, &err), RDB_OK);
    ck_assert_int_gt(drop_calls, 0);
    lsm_read_options_t ro;
    lsm_read_options_default(&ro);
    ro.raw = true;
    const char *want[] = { "a3@30", "b1@10" };
    lsm_iter_t *it = lsm_iter_new(db, &ro);
    int i = 0;
    for (lsm_iter_seek_first(it); lsm_iter_valid(it); lsm_iter_next(it), i++) {
        size_t kn;
        const char *k = lsm_iter_key(it, &kn);
        char got[64];
        snprintf(got, sizeof got, "%.*s@%llu%s", (int)kn, k,
                 (unsigned long long)lsm_iter_version(it).hlc, lsm_iter_is_tombstone(it) ? "D" : "");
        ck_assert_int_lt(i, 2);
        ck_assert_str_eq(got, want[i]);
    }
    ck_assert_int_eq(i, 2);
    lsm_iter_free(it);
    ck_assert_ptr_null(get(db, "a1", LSM_SNAPSHOT_LATEST));
    ck_assert_str_eq(get(db, "a3", LSM_SNAPSHOT_LATEST), "y30");
    ck_assert_str_eq(get(db, "b1", LSM_SNAPSHOT_LATEST), "z10");
    lsm_set_drop_filter(db, NULL, NULL);
    int calls = drop_calls;
    put(db, "a5", 1, "v1");
    ck_assert_int_eq(lsm_compact_range(db, NULL, 0, NULL, 0, &err), RDB_OK);
    ck_assert_int_eq(drop_calls, calls);
    ck_assert_str_eq(get(db, "a5", LSM_SNAPSHOT_LATEST), "v1");
    lsm_close(db);
    rm_tmp();
}
END_TEST

/* Model: for NKEYS keys, versions 1..NVERS each either a put or delete. */
#define NKEYS 60
#define NVERS 8

typedef struct op {
    int key, ver;
    bool del;
} op_t;

static void visible(op_t *ops, int nops, int key, uint64_t snap, char *out)
{
    int best = -1;
    bool del = false;
    for (int i = 0; i < nops; i++)
        if (ops[i].key == key && (uint64_t)ops[i].ver <= snap && ops[i].ver > best) {
            best = ops[i].ver;
            del = ops[i].del;
        }
    if (best < 0 || del)
        out[0] = 0;
    else
        sprintf(out, "k%03d-v%d", key, best);
}

static void apply_ops(lsm_db_t *db, op_t *ops, int n)
{
    for (int i = 0; i < n; i++) {
        char k[16], v[32];
        snprintf(k, sizeof k, "k%03d", ops[i].key);
        snprintf(v, sizeof v, "k%03d-v%d", ops[i].key, ops[i].ver);
        put(db, k, (uint64_t)ops[i].ver, ops[i].del ? NULL : v);
        if (rnd() % 97 == 0) {
            rdb_err_t err = RDB_ERR_INIT;
            ck_assert_int_eq(lsm_flush(db, &err), RDB_OK);
        }
    }
}

START_TEST(db_versions_any_order)
{
    op_t ops[NKEYS * NVERS];
    int n = 0;
    for (int k = 0; k < NKEYS; k++)
        for (int v = 1; v <= NVERS; v++)
            if (rnd() % 3) {
                ops[n].key = k;
                ops[n].ver = v;
                ops[n].del = rnd() % 4 == 0;
                n++;
            }
    for (int trial = 0; trial < 3; trial++) {
        mk_tmp();
        lsm_db_t *db = open_db(8 * 1024);
        op_t shuffled[NKEYS * NVERS];
        memcpy(shuffled, ops, sizeof(op_t) * (size_t)n);
        if (trial > 0)
            for (int i = n - 1; i > 0; i--) {
                int j = (int)(rnd() % (uint64_t)(i + 1));
                op_t t = shuffled[i];
                shuffled[i] = shuffled[j];
                shuffled[j] = t;
            }
        apply_ops(db, shuffled, n);
        if (trial == 2) {
            rdb_err_t err = RDB_ERR_INIT;
            ck_assert_int_eq(lsm_compact_range(db, NULL, 0, NULL, 0, &err), RDB_OK);
        }
        for (uint64_t snap = 0; snap <= NVERS + 1; snap++) {
            lsm_read_options_t ro;
            lsm_read_options_default(&ro);
            ro.snapshot = snap == NVERS + 1 ? LSM_SNAPSHOT_LATEST : snap;
            /* point reads */
            for (int k = 0; k < NKEYS; k++) {
                char key[16], want[32];
                snprintf(key, sizeof key, "k%03d", k);
                visible(ops, n, k, ro.snapshot, want);
                char *got = get(db, key, ro.snapshot);
                if (want[0])
                    ck_assert_str_eq(got ? got : "(null)", want);
                else
                    ck_assert_ptr_null(got);
            }
            /* forward and backward scans */
            lsm_iter_t *it = lsm_iter_new(db, &ro);
            int k = 0;
            for (lsm_iter_seek_first(it); lsm_iter_valid(it); lsm_iter_next(it)) {
                char want[32];
                for (; k < NKEYS; k++) {
                    visible(ops, n, k, ro.snapshot, want);
                    if (want[0])
                        break;
                }
                ck_assert_int_lt(k, NKEYS);
                size_t vn;
                const char *v = lsm_iter_value(it, &vn);
                ck_assert_int_eq((int)vn, (int)strlen(want));
                ck_assert(memcmp(v, want, vn) == 0);
                k++;
            }
            for (; k < NKEYS; k++) {
                char want[32];
                visible(ops, n, k, ro.snapshot, want);
                ck_assert_msg(!want[0], "scan missed %s", want);
            }
            k = NKEYS - 1;
            for (lsm_iter_seek_last(it); lsm_iter_valid(it); lsm_iter_prev(it)) {
                char want[32];
                for (; k >= 0; k--) {
                    visible(ops, n, k, ro.snapshot, want);
                    if (want[0])
                        break;
                }
                ck_assert_int_ge(k, 0);
                size_t vn;
                const char *v = lsm_iter_value(it, &vn);
                ck_assert(vn == strlen(want) && memcmp(v, want, vn) == 0);
                k--;
            }
            ck_assert_int_eq(lsm_iter_status(it, NULL), RDB_OK);
            lsm_iter_free(it);
        }
        lsm_close(db);
        rm_tmp();
    }
}
END_TEST

START_TEST(db_iter_bounds_and_directions)
{
    mk_tmp();
    lsm_db_t *db = open_db(4 * 1024);
    for (int i = 0; i < 200; i++) {
        char k[16];
        snprintf(k, sizeof k, "key%03d", i);
        put(db, k, 1, k);
        if (i % 3 == 0)
            put(db, k, 2, NULL); /* every third key deleted */
    }
    lsm_read_options_t ro;
    lsm_read_options_default(&ro);
    ro.lower_bound = "key050";
    ro.lower_len = 6;
    ro.upper_bound = "key100";
    ro.upper_len = 6;
    lsm_iter_t *it = lsm_iter_new(db, &ro);
    int n = 0;
    for (lsm_iter_seek_first(it); lsm_iter_valid(it); lsm_iter_next(it))
        n++;
    int want = 0;
    for (int i = 50; i < 100; i++)
        want += i % 3 != 0;
    ck_assert_int_eq(n, want);
    lsm_iter_seek_last(it);
    ck_assert(lsm_iter_valid(it));
    size_t kn;
    const char *k = lsm_iter_key(it, &kn);
    ck_assert(kn == 6 && memcmp(k, "key098", 6) == 0);
    /* zig-zag: next then prev returns to the same key */
    lsm_iter_seek(it, "key060", 6);
    k = lsm_iter_key(it, &kn);
    ck_assert(memcmp(k, "key061", 6) == 0); /* 60 is deleted */
    lsm_iter_next(it);
    k = lsm_iter_key(it, &kn);
    ck_assert(memcmp(k, "key062", 6) == 0);
    lsm_iter_prev(it);
    k = lsm_iter_key(it, &kn);
    ck_assert(memcmp(k, "key061", 6) == 0);
    lsm_iter_prev(it);
    k = lsm_iter_key(it, &kn);
    ck_assert(memcmp(k, "key059", 6) == 0);
    lsm_iter_seek_for_prev(it, "key063", 6);
    k = lsm_iter_key(it, &kn);
    ck_assert(memcmp(k, "key062", 6) == 0);
    lsm_iter_seek_for_prev(it, "key0625", 7);
    k = lsm_iter_key(it, &kn);
    ck_assert(memcmp(k, "key062", 6) == 0);
    lsm_iter_seek(it, "key999", 6);
    ck_assert(!lsm_iter_valid(it));
    lsm_iter_seek_for_prev(it, "key001", 6);
    ck_assert(!lsm_iter_valid(it)); /* below the lower bound */
    lsm_iter_free(it);
    lsm_close(db);
    rm_tmp();
}
END_TEST

typedef struct cw {
    lsm_db_t *db;
    int id, bad;
    atomic_int *stop;
} cw_t;

static void *cw_write(void *arg)
{
    cw_t *c = arg;
    lsm_batch_t *b = lsm_batch_new();
    for (int i = 0; i < 1500; i++) {
        char k[32], v[32];
        snprintf(k, sizeof k, "w%d-%05d", c->id, i);
        snprintf(v, sizeof v, "val%d", i);
        lsm_version_t ver = { (uint64_t)i + 1, (uint16_t)c->id };
        lsm_batch_clear(b);
        lsm_batch_put(b, k, strlen(k), ver, v, strlen(v));
        lsm_batch_put(b, "shared", 6, ver, v, strlen(v));
        rdb_err_t err = RDB_ERR_INIT;
        if (lsm_write(c->db, NULL, b, &err) != RDB_OK)
            c->bad++;
    }
    lsm_batch_free(b);
    return NULL;
}

static void *cw_read(void *arg)
{
    cw_t *c = arg;
    while (!atomic_load(c->stop)) {
        lsm_iter_t *it = lsm_iter_new(c->db, NULL);
        rdb_buf_t prev = RDB_BUF_INIT;
        for (lsm_iter_seek_first(it); lsm_iter_valid(it); lsm_iter_next(it)) {
            size_t kn;
            const char *k = lsm_iter_key(it, &kn);
            if (prev.len && lsm_ukey_cmp(prev.data, prev.len, k, kn) >= 0)
                c->bad++;
            rdb_buf_reset(&prev);
            rdb_buf_append(&prev, k, kn);
        }
        if (lsm_iter_status(it, NULL) != RDB_OK)
            c->bad++;
        rdb_buf_free(&prev);
        lsm_iter_free(it);
    }
    return NULL;
}

/* tmpdir's database with a small memtable and 1 KiB blocks, syncing
 * every commit. */
static lsm_db_t *open_small_sync(size_t memtable)
{
    lsm_options_t o;
    lsm_options_default(&o);
    o.memtable_size = memtable;
    o.block_size = 1024;
    o.sync_mode = LSM_SYNC_COMMIT;
    rdb_err_t err = RDB_ERR_INIT;
    lsm_db_t *db = NULL;
    ck_assert_int_eq(lsm_open(tmpdir, &o, &db, &err), RDB_OK);
    return db;
}

START_TEST(db_concurrent)
{
    mk_tmp();
    lsm_db_t *db = open_small_sync(32 * 1024);
    atomic_int stop = 0;
    cw_t w[4], r = { db, 99, 0, &stop };
    pthread_t tw[4], tr;
    pthread_create(&tr, NULL, cw_read, &r);
    for (int i = 0; i < 4; i++) {
        w[i] = (cw_t){ db, i + 1, 0, &stop };
        pthread_create(&tw[i], NULL, cw_write, &w[i]);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(tw[i], NULL);
        ck_assert_int_eq(w[i].bad, 0);
    }
    atomic_store(&stop, 1);
    pthread_join(tr, NULL);
    ck_assert_int_eq(r.bad, 0);
    lsm_stats_t st;
    lsm_get_stats(db, &st);
    ck_assert_uint_eq(st.writes, 6000);
    ck_assert_uint_le(st.wal_syncs, 6000);
    ck_assert_uint_ge(st.flushes, 1);
    /* every key present; "shared" has the newest version: (1500, node 4) */
    for (int id = 1; id <= 4; id++)
        for (int i = 0; i < 1500; i += 99) {
            char k[32], v[32];
            snprintf(k, sizeof k, "w%d-%05d", id, i);
            snprintf(v, sizeof v, "val%d", i);
            char *g = get(db, k, LSM_SNAPSHOT_LATEST);
            ck_assert_str_eq(g ? g : "(null)", v);
        }
    lsm_version_t ver;
    rdb_buf_t val = RDB_BUF_INIT;
    rdb_err_t err = RDB_ERR_INIT;
    ck_assert_int_eq(lsm_get(db, NULL, "shared", 6, &val, &ver, &err), RDB_OK);
    ck_assert_uint_eq(ver.hlc, 1500);
    ck_assert_uint_eq(ver.node_id, 4);
    rdb_buf_free(&val);
    ck_assert_uint_gt(lsm_approximate_size(db, NULL, 0, NULL, 0), 0);
    lsm_close(db);
    /* and all of it after reopening */
    db = open_small_sync(32 * 1024);
    ck_assert_str_eq(get(db, "w3-01499", LSM_SNAPSHOT_LATEST), "val1499");
    lsm_close(db);
    rm_tmp();
}
END_TEST

/* A database in tmpdir whose tables are tiny (2 KiB): many files. */
static lsm_db_t *open_many_files(lsm_options_t *o, int max_open_files)
{
    lsm_options_default(o);
    o->sync_mode = LSM_SYNC_NONE;
    o->block_size = 256;
    o->target_file_size = 2048;
    o->max_open_files = max_open_files;
    rdb_err_t err = RDB_ERR_INIT;
    lsm_db_t *db;
    ck_assert_int_eq(lsm_open(tmpdir, o, &db, &err), RDB_OK);
    return db;
}

/* An iterator over many files per level (the level iterator opens one
 * table at a time), an L0 file and the memtable: forward and backward
 * scans, seeks to present and absent keys, and direction changes across
 * file boundaries all agree with a model of the data. */
START_TEST(db_iter_across_files)
{
    mk_tmp();
    lsm_options_t o;
    lsm_db_t *db = open_many_files(&o, 1000);
    rdb_err_t err = RDB_ERR_INIT;
    enum { N = 2000 };
    static char model[N][16]; /* visible value of key i*2, "" = absent */
    for (int i = 0; i < N; i++) {
        char k[16];
        snprintf(k, sizeof k, "f%06d", i * 2);
        snprintf(model[i], sizeof model[i], "a%d", i);
        put(db, k, 10, model[i]);
    }
    ck_assert_int_eq(lsm_compact_range(db, NULL, 0, NULL, 0, &err), RDB_OK);
    for (int i = 0; i < N; i += 7) { /* an L0 table over the run */
        char k[16];
        snprintf(k, sizeof k, "f%06d", i * 2);
        snprintf(model[i], sizeof model[i], i % 2 ? "b%d" : "", i);
        put(db, k, 20, model[i][0] ? model[i] : NULL);
    }
    ck_assert_int_eq(lsm_flush(db, &err), RDB_OK);
    for (int i = 3; i < N; i += 11) { /* and the memtable */
        char k[16];
        snprintf(k, sizeof k, "f%06d", i * 2);
        snprintf(model[i], sizeof model[i], "c%d", i);
        put(db, k, 30, model[i]);
    }
    lsm_stats_t st;
    lsm_get_stats(db, &st);
    int deeper = 0; /* background compaction may have moved some below L1 */
    for (int l = 1; l < LSM_MAX_LEVELS; l++)
        deeper += st.level_files[l];
    ck_assert_int_ge(deeper, 8);

    lsm_iter_t *it = lsm_iter_new(db, NULL);
    int i = 0;
    for (lsm_iter_seek_first(it); lsm_iter_valid(it); lsm_iter_next(it), i++) {
        while (i < N && !model[i][0])
            i++;
        ck_assert_int_lt(i, N);
        char k[16];
        size_t kn, vn;
        snprintf(k, sizeof k, "f%06d", i * 2);
        const char *g = lsm_iter_key(it, &kn), *v = lsm_iter_value(it, &vn);
        ck_assert(kn == strlen(k) && memcmp(g, k, kn) == 0);
        ck_assert(vn == strlen(model[i]) && memcmp(v, model[i], vn) == 0);
    }
    while (i < N && !model[i][0])
        i++;
    ck_assert_int_eq(i, N);
    i = N - 1;
    for (lsm_iter_seek_last(it); lsm_iter_valid(it); lsm_iter_prev(it), i--) {
        while (i >= 0 && !model[i][0])
            i--;
        ck_assert_int_ge(i, 0);
        char k[16];
        size_t kn;
        snprintf(k, sizeof k, "f%06d", i * 2);
        const char *g = lsm_iter_key(it, &kn);
        ck_assert(kn == strlen(k) && memcmp(g, k, kn) == 0);
    }
    while (i >= 0 && !model[i][0])
        i--;
    ck_assert_int_eq(i, -1);
    /* seek to every key and every gap, then step forward and back */
    for (int t = 0; t < 2 * N + 1; t++) {
        char k[16];
        snprintf(k, sizeof k, "f%06d", t);
        lsm_iter_seek(it, k, strlen(k));
        int want = (t + 1) / 2;
        while (want < N && !model[want][0])
            want++;
        if (want >= N) {
            ck_assert(!lsm_iter_valid(it));
            continue;
        }
        ck_assert(lsm_iter_valid(it));
        size_t kn;
        const char *g = lsm_iter_key(it, &kn);
        snprintf(k, sizeof k, "f%06d", want * 2);
        ck_assert(kn == strlen(k) && memcmp(g, k, kn) == 0);
        if (t % 5 != 0)
            continue;
        lsm_iter_prev(it);
        int before = want - 1;
        while (before >= 0 && !model[before][0])
            before--;
        if (before < 0) {
            ck_assert(!lsm_iter_valid(it));
            continue;
        }
        ck_assert(lsm_iter_valid(it));
        g = lsm_iter_key(it, &kn);
        snprintf(k, sizeof k, "f%06d", before * 2);
        ck_assert(kn == strlen(k) && memcmp(g, k, kn) == 0);
        lsm_iter_next(it);
        ck_assert(lsm_iter_valid(it));
        g = lsm_iter_key(it, &kn);
        snprintf(k, sizeof k, "f%06d", want * 2);
        ck_assert(kn == strlen(k) && memcmp(g, k, kn) == 0);
    }
    ck_assert_int_eq(lsm_iter_status(it, NULL), RDB_OK);
    lsm_iter_free(it);
    lsm_close(db);
    rm_tmp();
}
END_TEST

/* The table cache keeps at most max_open tables and evicts the least
 * recently used one. */
START_TEST(table_cache_lru)
{
    mk_tmp();
    lsm_options_t o;
    lsm_options_default(&o);
    rdb_err_t err = RDB_ERR_INIT;
    for (int f = 1; f <= 4; f++) {
        char name[32], k[64];
        snprintf(name, sizeof name, "%06d.sst", f);
        lsm_table_builder_t *b = lsm_table_builder_new(tpath(name), &o, &err);
        ck_assert_ptr_nonnull(b);
        size_t kn = mkikey(k, name, 1, 0, LSM_KIND_PUT);
        ck_assert_int_eq(lsm_table_builder_add(b, k, kn, "v", 1, &err), RDB_OK);
        ck_assert_int_eq(lsm_table_builder_finish(b, &err), RDB_OK);
    }
    lsm_cache_t *cache = lsm_cache_new(1 << 20);
    lsm_tcache_t *tc = lsm_tcache_new(tmpdir, 2, cache, NULL, NULL);
    int open;
    uint64_t opens;
    size_t tbytes, tbudget;
    lsm_table_t *t, *held;
    ck_assert_int_eq(lsm_tcache_get(tc, 1, &held, &err), RDB_OK); /* {1} */
    ck_assert_int_eq(lsm_tcache_get(tc, 2, &t, &err), RDB_OK);    /* {2 1} */
    lsm_table_unref(t);
    ck_assert_int_eq(lsm_tcache_get(tc, 1, &t, &err), RDB_OK); /* hit: {1 2} */
    ck_assert_ptr_eq(t, held);
    lsm_table_unref(t);
    ck_assert_int_eq(lsm_tcache_get(tc, 3, &t, &err), RDB_OK); /* evicts 2: {3 1} */
    lsm_table_unref(t);
    lsm_tcache_counts(tc, &open, &opens, &tbytes, &tbudget);
    ck_assert_int_eq(open, 2);
    ck_assert_uint_eq(opens, 3);
    /* what they hold is counted and charged to the block cache */
    ck_assert_uint_eq(tbudget, (1u << 20) / LSM_TCACHE_BUDGET_DIV);
    ck_assert_uint_eq(tbytes, 2 * lsm_table_charge(held));
    ck_assert_uint_gt(lsm_table_charge(held), 0);
    ck_assert_uint_eq(lsm_cache_charged(cache), 2 * lsm_table_charge(held));
    ck_assert_int_eq(lsm_tcache_get(tc, 1, &t, &err), RDB_OK); /* still there */
    lsm_table_unref(t);
    lsm_tcache_counts(tc, &open, &opens, &tbytes, &tbudget);
    ck_assert_uint_eq(opens, 3);
    ck_assert_int_eq(lsm_tcache_get(tc, 2, &t, &err), RDB_OK); /* reopened, evicts 3 */
    lsm_table_unref(t);
    ck_assert_int_eq(lsm_tcache_get(tc, 1, &t, &err), RDB_OK);
    lsm_table_unref(t);
    lsm_tcache_counts(tc, &open, &opens, &tbytes, &tbudget);
    ck_assert_int_eq(open, 2);
    ck_assert_uint_eq(opens, 4);
    /* an evicted table in use stays readable */
    lsm_tcache_evict(tc, 1);
    lsm_tcache_counts(tc, &open, &opens, &tbytes, &tbudget);
    ck_assert_int_eq(open, 1);
    lsm_it_t *it = lsm_table_iter(held, true);
    it->ops->seek_first(it);
    ck_assert(it->ops->valid(it));
    it->ops->free(it);
    lsm_table_unref(held);
    /* a missing file is an error, and the error iterator reports it */
    ck_assert_int_eq(lsm_tcache_get(tc, 9, &t, &err), RDB_IOERROR);
    ck_assert_ptr_nonnull(strstr(err.msg, "000009.sst"));
    rdb_err_clear(&err);
    it = lsm_tcache_iter(tc, 9, true);
    it->ops->seek_first(it);
    ck_assert(!it->ops->valid(it));
    ck_assert_int_eq(it->ops->status(it, &err), RDB_IOERROR);
    rdb_err_clear(&err);
    it->ops->free(it);
    lsm_tcache_free(tc);
    ck_assert_uint_eq(lsm_cache_charged(cache), 0); /* every table closed */
    lsm_cache_free(cache);
    rm_tmp();
}
END_TEST

/* Memory charged to the block cache takes room from its blocks at once. */
START_TEST(cache_charge)
{
    enum { CAP = 16 * 4096, BLK = 1000 };
    lsm_cache_t *c = lsm_cache_new(CAP);
    for (uint64_t i = 0; i < 200; i++) {
        char *b = lsm_cache_buf_new(BLK);
        memset(b, 'x', BLK);
        lsm_cache_release(c, lsm_cache_insert_buf(c, 1, i * BLK, b, BLK));
    }
    ck_assert_uint_le(lsm_cache_usage(c), CAP);
    ck_assert_uint_gt(lsm_cache_usage(c), CAP / 2);
    lsm_cache_charge(c, CAP / 2);
    ck_assert_uint_eq(lsm_cache_charged(c), CAP / 2);
    ck_assert_uint_le(lsm_cache_usage(c), CAP - CAP / 2);
    for (uint64_t i = 200; i < 400; i++) {
        char *b = lsm_cache_buf_new(BLK);
        memset(b, 'y', BLK);
        lsm_cache_release(c, lsm_cache_insert_buf(c, 1, i * BLK, b, BLK));
    }
    ck_assert_uint_le(lsm_cache_usage(c), CAP - CAP / 2);
    lsm_cache_uncharge(c, CAP / 2);
    ck_assert_uint_eq(lsm_cache_charged(c), 0);
    for (uint64_t i = 400; i < 600; i++) {
        char *b = lsm_cache_buf_new(BLK);
        memset(b, 'z', BLK);
        lsm_cache_release(c, lsm_cache_insert_buf(c, 1, i * BLK, b, BLK));
    }
    ck_assert_uint_gt(lsm_cache_usage(c), CAP / 2); /* the room is back */
    lsm_cache_free(c);
}
END_TEST

static int count_ssts(void)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "ls '%.500s' | grep -c '\\.sst$'", tmpdir);
    FILE *p = popen(cmd, "r");
    int n = -1;
    ck_assert_int_eq(fscanf(p, "%d", &n), 1);
    pclose(p);
    return n;
}

/* A database with more tables than max_open_files: reads and scans are
 * right while tables are evicted and reopened, the cache never holds more
 * than the limit, and a compaction's inputs stay on disk while an
 * iterator pins them, then go. */
START_TEST(db_max_open_files)
{
    mk_tmp();
    lsm_options_t o;
    lsm_db_t *db = open_many_files(&o, 3);
    rdb_err_t err = RDB_ERR_INIT;
    enum { N = 1500 };
    put_numbered(db, 'm', 'a', N, 10);
    ck_assert_int_eq(lsm_compact_range(db, NULL, 0, NULL, 0, &err), RDB_OK);
    lsm_stats_t st;
    lsm_get_stats(db, &st);
    int files = 0;
    for (int l = 0; l < LSM_MAX_LEVELS; l++)
        files += st.level_files[l];
    ck_assert_int_ge(files, 8);
    ck_assert_int_le(st.open_tables, 3);
    uint64_t opens0 = st.table_opens;
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < N; i += 3) {
            char k[16], v[16];
            snprintf(k, sizeof k, "m%06d", (i * 7) % N);
            snprintf(v, sizeof v, "a%d", (i * 7) % N);
            char *g = get(db, k, LSM_SNAPSHOT_LATEST);
            ck_assert_str_eq(g ? g : "(null)", v);
        }
    lsm_get_stats(db, &st);
    ck_assert_int_le(st.open_tables, 3);
    ck_assert_uint_gt(st.table_opens, opens0 + (uint64_t)files); /* evicted, reopened */

    /* pin the current files with an iterator, then rewrite them all */
    lsm_read_options_t ro; /* at a snapshot: the memtable it pins takes the new writes */
    lsm_read_options_default(&ro);
    ro.snapshot = 15;
    lsm_iter_t *it = lsm_iter_new(db, &ro);
    for (int i = 0; i < N; i += 2) {
        char k[16];
        snprintf(k, sizeof k, "m%06d", i);
        put(db, k, 20, "new");
    }
    lsm_set_gc_horizon(db, 100);
    ck_assert_int_eq(lsm_compact_range(db, NULL, 0, NULL, 0, &err), RDB_OK);
    lsm_get_stats(db, &st);
    int live = 0;
    for (int l = 0; l < LSM_MAX_LEVELS; l++)
        live += st.level_files[l];
    ck_assert_int_gt(count_ssts(), live); /* the pinned ones are still there */
    int i = 0;
    for (lsm_iter_seek_first(it); lsm_iter_valid(it); lsm_iter_next(it), i++) {
        char v[16];
        size_t vn;
        snprintf(v, sizeof v, "a%d", i);
        const char *g = lsm_iter_value(it, &vn);
        ck_assert(vn == strlen(v) && memcmp(g, v, vn) == 0);
    }
    ck_assert_int_eq(lsm_iter_status(it, &err), RDB_OK);
    ck_assert_int_eq(i, N);
    lsm_iter_free(it);
    ck_assert_int_eq(count_ssts(), live); /* and gone with the last pin */
    ck_assert_str_eq(get(db, "m000002", LSM_SNAPSHOT_LATEST), "new");
    ck_assert_str_eq(get(db, "m000003", LSM_SNAPSHOT_LATEST), "a3");
    lsm_close(db);
    ck_assert_int_eq(lsm_open(tmpdir, &o, &db, &err), RDB_OK);
    ck_assert_str_eq(get(db, "m000004", LSM_SNAPSHOT_LATEST), "new");
    lsm_get_stats(db, &st);
    ck_assert_int_le(st.open_tables, 3);
    lsm_close(db);
    rm_tmp();
}
END_TEST

/* The open tables' index blocks, filters and summaries are charged to the
 * block cache and bounded by half of it: with a cache too small for the
 * metadata of every table, tables are closed and reopened, reads stay
 * right, and cached blocks plus the charge stay within the capacity. */
START_TEST(db_table_memory_budget)
{
    mk_tmp();
    lsm_options_t o;
    lsm_options_default(&o);
    o.sync_mode = LSM_SYNC_NONE;
    o.block_size = 256;
    o.target_file_size = 2048;
    o.block_cache_size = 8192;
    rdb_err_t err = RDB_ERR_INIT;
    lsm_db_t *db;
    ck_assert_int_eq(lsm_open(tmpdir, &o, &db, &err), RDB_OK);
    enum { N = 4000 };
    put_numbered(db, 'b', 'v', N, 10);
    ck_assert_int_eq(lsm_compact_range(db, NULL, 0, NULL, 0, &err), RDB_OK);
    lsm_stats_t st;
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < N; i += 3) {
            char k[16], v[16];
            snprintf(k, sizeof k, "b%06d", (i * 7) % N);
            snprintf(v, sizeof v, "v%d", (i * 7) % N);
            char *g = get(db, k, LSM_SNAPSHOT_LATEST);
            ck_assert_str_eq(g ? g : "(null)", v);
            if (i % 300 == 0) {
                lsm_get_stats(db, &st);
                ck_assert_uint_eq(st.table_meta_budget, 8192 / LSM_TCACHE_BUDGET_DIV);
                ck_assert_uint_le(st.table_meta_bytes, st.table_meta_budget);
                ck_assert_uint_le(st.block_cache_charged, st.table_meta_budget);
                ck_assert_uint_le(st.block_cache_bytes + st.block_cache_charged,
                                  st.block_cache_capacity + 16);
            }
        }
    lsm_get_stats(db, &st);
    int files = 0;
    for (int l = 0; l < LSM_MAX_LEVELS; l++)
        files += st.level_files[l];
    ck_assert_int_ge(files, 20);
    ck_assert_int_gt(st.open_tables, 0);
    ck_assert_int_lt(st.open_tables, files); /* the budget, not max_open_files */
    ck_assert_uint_gt(st.table_meta_bytes, 0);
    ck_assert_uint_gt(st.table_opens, (uint64_t)files);
    rdb_buf_t out;
    rdb_buf_init(&out, 256);
    lsm_stats_format(&st, &out);
    ck_assert_ptr_nonnull(strstr(rdb_buf_cstr(&out), "bytes of index, filter and summary"));
    rdb_buf_free(&out);
    /* a scan over every table still sees every key */
    lsm_iter_t *it = lsm_iter_new(db, NULL);
    int n = 0;
    for (lsm_iter_seek_first(it); lsm_iter_valid(it); lsm_iter_next(it))
        n++;
    ck_assert_int_eq(lsm_iter_status(it, &err), RDB_OK);
    ck_assert_int_eq(n, N);
    lsm_iter_free(it);
    lsm_close(db);
    rm_tmp();
}
END_TEST

/* --- parallel compactions -------------------------------------------------- */

typedef struct pcw {
    lsm_db_t *db;
    int id, round;
} pcw_t;

enum { PC_THREADS = 4, PC_KEYS = 1200 };

/* Round r: writer id puts every key of its range at version r + 1, and
 * deletes one key in seven instead. */
static void *pc_write(void *arg)
{
    pcw_t *w = arg;
    lsm_batch_t *b = lsm_batch_new();
    for (int k = 0; k < PC_KEYS; k++) {
        char key[32], v[48];
        snprintf(key, sizeof key, "p%d-%05d", w->id, k);
        snprintf(v, sizeof v, "r%d-%d-%d-xxxxxxxxxxxxxxxx", w->round, w->id, k);
        lsm_version_t ver = { (uint64_t)w->round + 1, (uint16_t)w->id };
        lsm_batch_clear(b);
        if ((k + w->round) % 7 == 0)
            lsm_batch_delete(b, key, strlen(key), ver);
        else
            lsm_batch_put(b, key, strlen(key), ver, v, strlen(v));
        if (lsm_write(w->db, NULL, b, NULL) != RDB_OK)
            break;
    }
    lsm_batch_free(b);
    return NULL;
}

/* The value key k of writer id has at snapshot r + 1 after rounds 0..r. */
static void pc_expect(char *v, size_t n, int id, int k, int r)
{
    if ((k + r) % 7 == 0)
        v[0] = 0;
    else
        snprintf(v, n, "r%d-%d-%d-xxxxxxxxxxxxxxxx", r, id, k);
}

/* Compactions on several threads at once (disjoint inputs) keep every key:
 * after rounds of concurrent writes into tiny memtables and tables, every
 * key reads its newest value, every older snapshot its value then, and a
 * scan sees exactly the live keys; also after reopening. */
START_TEST(db_parallel_compactions)
{
    mk_tmp();
    lsm_options_t o;
    lsm_options_default(&o);
    o.sync_mode = LSM_SYNC_NONE;
    o.memtable_size = 24 * 1024;
    o.block_size = 512;
    o.target_file_size = 4 * 1024;
    o.compaction_threads = 4;
    rdb_err_t err = RDB_ERR_INIT;
    lsm_db_t *db;
    ck_assert_int_eq(lsm_open(tmpdir, &o, &db, &err), RDB_OK);
    lsm_stats_t st;
    int rounds = 0;
    /* until two compactions have run at once (a loaded machine may take a
     * few rounds to schedule them together) */
    do {
        pcw_t w[PC_THREADS];
        pthread_t t[PC_THREADS];
        for (int i = 0; i < PC_THREADS; i++) {
            w[i] = (pcw_t){ db, i + 1, rounds };
            ck_assert_int_eq(pthread_create(&t[i], NULL, pc_write, &w[i]), 0);
        }
        for (int i = 0; i < PC_THREADS; i++)
            pthread_join(t[i], NULL);
        rounds++;
        lsm_get_stats(db, &st);
    } while (rounds < 4 || (st.compactions_parallel_max < 2 && rounds < 40));
    ck_assert_int_ge(st.compactions_parallel_max, 2);
    ck_assert_int_eq(lsm_flush(db, &err), RDB_OK);
    for (int pass = 0; pass < 2; pass++) {
        for (int id = 1; id <= PC_THREADS; id++)
            for (int k = 0; k < PC_KEYS; k += (pass ? 1 : 3)) {
                char key[32], v[48];
                snprintf(key, sizeof key, "p%d-%05d", id, k);
                for (int r = rounds - 1; r >= 0 && r >= rounds - 3; r--) {
                    pc_expect(v, sizeof v, id, k, r);
                    char *g = get(db, key, (uint64_t)r + 1);
                    ck_assert_msg(v[0] ? g && strcmp(g, v) == 0 : g == NULL,
                                  "%s at %d: got %s, want %s", key, r + 1, g ? g : "(none)",
                                  v[0] ? v : "(none)");
                }
            }
        lsm_iter_t *it = lsm_iter_new(db, NULL);
        int live = 0, want = 0;
        for (lsm_iter_seek_first(it); lsm_iter_valid(it); lsm_iter_next(it))
            live++;
        ck_assert_int_eq(lsm_iter_status(it, &err), RDB_OK);
        lsm_iter_free(it);
        for (int id = 1; id <= PC_THREADS; id++)
            for (int k = 0; k < PC_KEYS; k++)
                want += (k + rounds - 1) % 7 != 0;
        ck_assert_int_eq(live, want);
        lsm_close(db);
        ck_assert_int_eq(lsm_open(tmpdir, &o, &db, &err), RDB_OK);
    }
    lsm_close(db);
    rm_tmp();
}
END_TEST

/* Pipelined group commit: 8 writers, syncing and not, with a tiny
 * memtable and a thread forcing flushes, so that memtable and WAL switches
 * fall between groups in flight.  Every write is readable when lsm_write
 * returns, and every acknowledged batch is there after a reopen. */
typedef struct gc_writer {
    lsm_db_t *db;
    int id, acked, bad;
} gc_writer_t;

#define GC_WRITERS 8
#define GC_BATCHES 300

static void *gc_write(void *arg)
{
    gc_writer_t *c = arg;
    lsm_batch_t *b = lsm_batch_new();
    rdb_buf_t got = RDB_BUF_INIT;
    for (int i = 0; i < GC_BATCHES; i++) {
        char k[32], v[48];
        lsm_version_t ver = { (uint64_t)i + 1, (uint16_t)c->id };
        lsm_batch_clear(b);
        for (int j = 0; j < 3; j++) {
            snprintf(k, sizeof k, "g%d-%04d-%d", c->id, i, j);
            snprintf(v, sizeof v, "v%d.%d.%d", c->id, i, j);
            lsm_batch_put(b, k, strlen(k), ver, v, strlen(v));
        }
        lsm_batch_put(b, "hot", 3, ver, v, strlen(v));
        lsm_write_options_t wo = { .sync = i % 2 == 0 };
        rdb_err_t err = RDB_ERR_INIT;
        if (lsm_write(c->db, &wo, b, &err) != RDB_OK) {
            c->bad++;
            rdb_err_clear(&err);
            continue;
        }
        c->acked = i + 1;
        /* read your write: applied before lsm_write returned */
        if (lsm_get(c->db, NULL, k, strlen(k), &got, NULL, &err) != RDB_OK ||
            got.len != strlen(v) || memcmp(got.data, v, got.len) != 0)
            c->bad++;
        rdb_err_clear(&err);
    }
    rdb_buf_free(&got);
    lsm_batch_free(b);
    return NULL;
}

static void *gc_flusher(void *arg)
{
    gc_writer_t *c = arg;
    for (int i = 0; i < 20; i++) {
        rdb_err_t err = RDB_ERR_INIT;
        if (lsm_flush(c->db, &err) != RDB_OK) {
            c->bad++;
            rdb_err_clear(&err);
        }
        usleep(2000);
    }
    return NULL;
}

START_TEST(db_group_commit_threads)
{
    mk_tmp();
    lsm_db_t *db = open_small_sync(16 * 1024);
    rdb_err_t err = RDB_ERR_INIT;
    gc_writer_t w[GC_WRITERS], fl = { db, 0, 0, 0 };
    pthread_t tw[GC_WRITERS], tf;
    pthread_create(&tf, NULL, gc_flusher, &fl);
    for (int i = 0; i < GC_WRITERS; i++) {
        w[i] = (gc_writer_t){ db, i + 1, 0, 0 };
        pthread_create(&tw[i], NULL, gc_write, &w[i]);
    }
    for (int i = 0; i < GC_WRITERS; i++) {
        pthread_join(tw[i], NULL);
        ck_assert_int_eq(w[i].bad, 0);
        ck_assert_int_eq(w[i].acked, GC_BATCHES);
    }
    pthread_join(tf, NULL);
    ck_assert_int_eq(fl.bad, 0);
    lsm_stats_t st;
    lsm_get_stats(db, &st);
    ck_assert_uint_eq(st.writes, GC_WRITERS * GC_BATCHES + 20);
    ck_assert_uint_ge(st.wal_syncs, 1);
    ck_assert_uint_le(st.wal_syncs, GC_WRITERS * GC_BATCHES / 2 + 40);
    ck_assert_uint_ge(st.flushes, 2);
    lsm_close(db);
    /* reopen: the last memtable comes back from its WAL */
    db = open_small_sync(16 * 1024);
    for (int id = 1; id <= GC_WRITERS; id++)
        for (int i = 0; i < GC_BATCHES; i++)
            for (int j = 0; j < 3; j++) {
                char k[32], v[48];
                snprintf(k, sizeof k, "g%d-%04d-%d", id, i, j);
                snprintf(v, sizeof v, "v%d.%d.%d", id, i, j);
                char *g = get(db, k, LSM_SNAPSHOT_LATEST);
                ck_assert_msg(g && strcmp(g, v) == 0, "%s: %s", k, g ? g : "(missing)");
            }
    /* "hot": the newest version is (GC_BATCHES, node GC_WRITERS) */
    lsm_version_t ver;
    rdb_buf_t v = RDB_BUF_INIT;
    ck_assert_int_eq(lsm_get(db, NULL, "hot", 3, &v, &ver, &err), RDB_OK);
    ck_assert_uint_eq(ver.hlc, GC_BATCHES);
    ck_assert_uint_eq(ver.node_id, GC_WRITERS);
    rdb_buf_free(&v);
    lsm_close(db);
    rm_tmp();
}
END_TEST

START_TEST(db_leveled_compaction)
{
    mk_tmp();
    lsm_options_t o;
    lsm_options_default(&o);
    o.sync_mode = LSM_SYNC_NONE;
    o.memtable_size = 16 * 1024;
    o.block_size = 512;
    o.target_file_size = 4 * 1024;
    o.compression = LSM_COMPRESS_ZSTD;
    rdb_err_t err = RDB_ERR_INIT;
    lsm_db_t *db;
    ck_assert_int_eq(lsm_open(tmpdir, &o, &db, &err), RDB_OK);
    int n = 6000;
    for (int round = 0; round < 2; round++)
        for (int i = 0; i < n; i++) {
            int k = (int)((uint64_t)i * 7919 % (uint64_t)n);
            char key[16], v[32];
            snprintf(key, sizeof key, "lk%06d", k);
            snprintf(v, sizeof v, "r%d-%d", round, k);
            put(db, key, (uint64_t)round + 1, (round == 1 && k % 5 == 0) ? NULL : v);
        }
    ck_assert_int_eq(lsm_flush(db, &err), RDB_OK);
    lsm_stats_t st;
    lsm_get_stats(db, &st);
    ck_assert_uint_ge(st.compactions, 3);
    int deep = 0;
    for (int l = 2; l < LSM_MAX_LEVELS; l++)
        deep += st.level_files[l];
    ck_assert_int_gt(deep, 0); /* data reached L2 or below */
    for (int pass = 0; pass < 2; pass++) {
        for (int k = 0; k < n; k += 13) {
            char key[16], v[32];
            snprintf(key, sizeof key, "lk%06d", k);
            snprintf(v, sizeof v, "r1-%d", k);
            char *g = get(db, key, LSM_SNAPSHOT_LATEST);
            if (k % 5 == 0) {
                ck_assert_ptr_null(g);
                snprintf(v, sizeof v, "r0-%d", k);
                g = get(db, key, 1);
                ck_assert_str_eq(g ? g : "(null)", v);
            } else {
                ck_assert_str_eq(g ? g : "(null)", v);
            }
        }
        lsm_iter_t *it = lsm_iter_new(db, NULL);
        int count = 0;
        for (lsm_iter_seek_first(it); lsm_iter_valid(it); lsm_iter_next(it))
            count++;
        ck_assert_int_eq(count, n - n / 5);
        lsm_iter_free(it);
        /* full compaction with a horizon above everything drops the
         * tombstones and the old versions */
        lsm_set_gc_horizon(db, 10);
        ck_assert_int_eq(lsm_compact_range(db, NULL, 0, NULL, 0, &err), RDB_OK);
        lsm_close(db);
        ck_assert_int_eq(lsm_open(tmpdir, &o, &db, &err), RDB_OK);
        if (pass == 0) {
            lsm_read_options_t ro;
            lsm_read_options_default(&ro);
            ro.raw = true;
            it = lsm_iter_new(db, &ro);
            count = 0;
            for (lsm_iter_seek_first(it); lsm_iter_valid(it); lsm_iter_next(it)) {
                ck_assert(!lsm_iter_is_tombstone(it));
                ck_assert_uint_eq(lsm_iter_version(it).hlc, 2);
                count++;
            }
            ck_assert_int_eq(count, n - n / 5);
            lsm_iter_free(it);
            break;
        }
    }
    lsm_close(db);
    rm_tmp();
}
END_TEST

START_TEST(db_damaged_table_stops_scan)
{
    mk_tmp();
    lsm_db_t *db = open_db(1 << 20);
    rdb_err_t err = RDB_ERR_INIT;
    for (int t = 0; t < 2; t++) {
        for (int i = 0; i < 400; i++) {
            char k[16];
            snprintf(k, sizeof k, "t%d-%04d", t, i);
            put(db, k, 1, "some value that is long enough");
        }
        ck_assert_int_eq(lsm_flush(db, &err), RDB_OK);
    }
    lsm_close(db);
    /* damage the middle of the first table */
    char cmd[600], name[512] = "";
    snprintf(cmd, sizeof cmd, "ls %.200s/*.sst | head -1", tmpdir);
    FILE *p = popen(cmd, "r");
    ck_assert_ptr_nonnull(fgets(name, sizeof name, p));
    pclose(p);
    name[strcspn(name, "\n")] = 0;
    int fd = open(name, O_RDWR);
    char c = 'Q';
    ck_assert_int_eq(pwrite(fd, &c, 1, 100), 1);
    close(fd);
    db = open_db(1 << 20);
    lsm_iter_t *it = lsm_iter_new(db, NULL);
    int count = 0;
    for (lsm_iter_seek_first(it); lsm_iter_valid(it); lsm_iter_next(it))
        count++;
    ck_assert_int_lt(count, 800);
    ck_assert_int_eq(lsm_iter_status(it, &err), RDB_CORRUPTION);
    ck_assert_ptr_nonnull(strstr(err.msg, name));
    ck_assert_ptr_nonnull(strstr(err.msg, "offset"));
    rdb_err_clear(&err);
    lsm_iter_free(it);
    /* point reads of keys in the damaged block report it too */
    int errors = 0;
    for (int i = 0; i < 400; i++) {
        char k[16];
        snprintf(k, sizeof k, "t0-%04d", i);
        rdb_buf_t v = RDB_BUF_INIT;
        rdb_status_t s = lsm_get(db, NULL, k, strlen(k), &v, NULL, &err);
        ck_assert(s == RDB_OK || s == RDB_CORRUPTION);
        if (s == RDB_CORRUPTION) {
            errors++;
            ck_assert_ptr_nonnull(strstr(err.msg, name));
            rdb_err_clear(&err);
        }
        rdb_buf_free(&v);
    }
    ck_assert_int_gt(errors, 0);
    /* a compaction that meets the damage fails and leaves the data alone */
    ck_assert_int_eq(lsm_compact_range(db, NULL, 0, NULL, 0, &err), RDB_CORRUPTION);
    rdb_err_clear(&err);
    lsm_close(db);
    rm_tmp();
}
END_TEST

START_TEST(db_periodic_sync)
{
    mk_tmp();
    lsm_options_t o;
    lsm_options_default(&o);
    o.sync_mode = LSM_SYNC_PERIODIC;
    o.sync_period_ms = 10;
    rdb_err_t err = RDB_ERR_INIT;
    lsm_db_t *db;
    ck_assert_int_eq(lsm_open(tmpdir, &o, &db, &err), RDB_OK);
    put(db, "p", 1, "v");
    lsm_stats_t st;
    lsm_get_stats(db, &st);
    /* writes never sync themselves in this mode; the syncer does, soon */
    for (int i = 0; i < 1000; i++) {
        lsm_get_stats(db, &st);
        if (st.wal_syncs > 0)
            break;
        usleep(10000);
    }
    ck_assert_uint_gt(st.wal_syncs, 0);
    ck_assert_str_eq(get(db, "p", LSM_SNAPSHOT_LATEST), "v");
    lsm_close(db);
    rm_tmp();
}
END_TEST

/* lsm_sync_wal: a write without fsync is visible at once; the separate
 * fdatasync makes it durable (counted); a no-op without a sync mode. */
START_TEST(db_sync_wal)
{
    mk_tmp();
    lsm_options_t o;
    lsm_options_default(&o);
    rdb_err_t err = RDB_ERR_INIT;
    lsm_db_t *db;
    ck_assert_int_eq(lsm_open(tmpdir, &o, &db, &err), RDB_OK);
    lsm_stats_t st0, st;
    lsm_get_stats(db, &st0);
    lsm_batch_t *b = lsm_batch_new();
    lsm_batch_put(b, "s", 1, (lsm_version_t){ 1, 1 }, "v", 1);
    lsm_write_options_t wo = { .sync = false };
    ck_assert_int_eq(lsm_write(db, &wo, b, &err), RDB_OK);
    lsm_batch_free(b);
    lsm_get_stats(db, &st);
    ck_assert_uint_eq(st.wal_syncs, st0.wal_syncs);
    ck_assert_str_eq(get(db, "s", LSM_SNAPSHOT_LATEST), "v");
    ck_assert_int_eq(lsm_sync_wal(db, &err), RDB_OK);
    lsm_get_stats(db, &st);
    ck_assert_uint_eq(st.wal_syncs, st0.wal_syncs + 1);
    lsm_close(db);
    ck_assert_int_eq(lsm_open(tmpdir, &o, &db, &err), RDB_OK);
    ck_assert_str_eq(get(db, "s", LSM_SNAPSHOT_LATEST), "v");
    lsm_close(db);
    rm_tmp();
    mk_tmp();
    db = open_db(1 << 20); /* LSM_SYNC_NONE */
    lsm_get_stats(db, &st0);
    ck_assert_int_eq(lsm_sync_wal(db, &err), RDB_OK);
    lsm_get_stats(db, &st);
    ck_assert_uint_eq(st.wal_syncs, st0.wal_syncs);
    lsm_close(db);
    rm_tmp();
}
END_TEST

/* A WAL sync hook that holds the first sync until released, then fails it
 * with fail_errno (0: lets it go on to the real fdatasync); later syncs
 * only count. */
typedef struct sync_gate {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int calls, fail_errno;
    bool held, release;
    int fail2_errno; /* the second sync's result */
} sync_gate_t;

static int gate_hook(void *ctx)
{
    sync_gate_t *g = ctx;
    pthread_mutex_lock(&g->mu);
    int call = ++g->calls;
    pthread_cond_broadcast(&g->cv);
    int rc = 0;
    if (call == 1) {
        g->held = true;
        pthread_cond_broadcast(&g->cv);
        while (!g->release)
            pthread_cond_wait(&g->cv, &g->mu);
        rc = g->fail_errno;
    } else if (call == 2) {
        rc = g->fail2_errno;
    }
    pthread_mutex_unlock(&g->mu);
    return rc;
}

static int gate_calls(sync_gate_t *g)
{
    pthread_mutex_lock(&g->mu);
    int n = g->calls;
    pthread_mutex_unlock(&g->mu);
    return n;
}

/* Until n synced writes are in a group or queued for one. */
static void wait_sync_queued(lsm_db_t *db, int n)
{
    lsm_stats_t st;
    for (lsm_get_stats(db, &st); st.sync_queued != n; lsm_get_stats(db, &st))
        usleep(1000);
}

static void gate_wait_calls(sync_gate_t *g, int calls)
{
    pthread_mutex_lock(&g->mu);
    while (g->calls < calls || !g->held)
        pthread_cond_wait(&g->cv, &g->mu);
    pthread_mutex_unlock(&g->mu);
}

static void gate_release(sync_gate_t *g)
{
    pthread_mutex_lock(&g->mu);
    g->release = true;
    pthread_cond_broadcast(&g->cv);
    pthread_mutex_unlock(&g->mu);
}

/* LSM_SYNC_COMMIT; the WAL's fsyncs (wal) or the manifest's (manifest)
 * pass through gate_hook when given. */
static lsm_db_t *open_hooked(sync_gate_t *wal, sync_gate_t *manifest)
{
    lsm_options_t o;
    lsm_options_default(&o);
    o.sync_mode = LSM_SYNC_COMMIT;
    o.wal_sync_hook = wal ? gate_hook : NULL;
    o.wal_sync_hook_ctx = wal;
    o.manifest_sync_hook = manifest ? gate_hook : NULL;
    o.manifest_sync_hook_ctx = manifest;
    rdb_err_t err = RDB_ERR_INIT;
    lsm_db_t *db = NULL;
    ck_assert_int_eq(lsm_open(tmpdir, &o, &db, &err), RDB_OK);
    return db;
}

typedef struct put_job {
    lsm_db_t *db;
    const char *key;
    bool sync;
    rdb_status_t st;
    rdb_status_t (*op)(lsm_db_t *db, rdb_err_t *err); /* op_main */
} put_job_t;

static rdb_status_t put1(lsm_db_t *db, const char *k, uint64_t hlc, bool sync)
{
    lsm_batch_t *b = lsm_batch_new();
    lsm_batch_put(b, k, strlen(k), (lsm_version_t){ hlc, 1 }, k, strlen(k));
    lsm_write_options_t wo = { .sync = sync };
    rdb_err_t err = RDB_ERR_INIT;
    rdb_status_t st = lsm_write(db, &wo, b, &err);
    rdb_err_clear(&err);
    lsm_batch_free(b);
    return st;
}

static void *put_main(void *arg)
{
    put_job_t *j = arg;
    j->st = put1(j->db, j->key, 10, j->sync);
    return NULL;
}

/* Runs j->op (lsm_sync_wal, lsm_flush) on the job's store. */
static void *op_main(void *arg)
{
    put_job_t *j = arg;
    rdb_err_t err = RDB_ERR_INIT;
    j->st = j->op(j->db, &err);
    rdb_err_clear(&err);
    return NULL;
}

/* Each one-letter key of keys is there, with itself as value (put1). */
static void assert_self_valued(lsm_db_t *db, const char *keys)
{
    for (const char *k = keys; *k; k++) {
        char key[2] = { *k, 0 };
        ck_assert_str_eq(get(db, key, LSM_SNAPSHOT_LATEST), key);
    }
}

/* An unsynced write is visible, and returns, while an earlier synced group
 * is still in its fsync; the synced one becomes visible only after it.  A
 * synced write behind the held one waits for it, without an fsync of its
 * own meanwhile (one at a time).  After a reopen every
 * write is there (the WAL kept their order). */
START_TEST(db_unsynced_passes_fsync)
{
    mk_tmp();
    sync_gate_t g = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, false, false, 0 };
    lsm_db_t *db = open_hooked(&g, NULL);
    put_job_t a = { db, "a", true, RDB_OK, NULL }, c = { db, "c", true, RDB_OK, NULL };
    pthread_t ta, tc;
    pthread_create(&ta, NULL, put_main, &a);
    gate_wait_calls(&g, 1); /* "a" is written and held in its fsync */
    ck_assert_int_eq(put1(db, "b", 11, false), RDB_OK);
    ck_assert_str_eq(get(db, "b", LSM_SNAPSHOT_LATEST), "b");
    ck_assert_ptr_null(get(db, "a", LSM_SNAPSHOT_LATEST));
    pthread_create(&tc, NULL, put_main, &c);
    wait_sync_queued(db, 2); /* "c" waits for "a"'s group: one fsync at a time */
    ck_assert_int_eq(gate_calls(&g), 1);
    ck_assert_ptr_null(get(db, "a", LSM_SNAPSHOT_LATEST));
    ck_assert_ptr_null(get(db, "c", LSM_SNAPSHOT_LATEST));
    gate_release(&g);
    pthread_join(ta, NULL);
    pthread_join(tc, NULL);
    ck_assert_int_eq(a.st, RDB_OK);
    ck_assert_int_eq(c.st, RDB_OK);
    ck_assert_str_eq(get(db, "a", LSM_SNAPSHOT_LATEST), "a");
    ck_assert_str_eq(get(db, "c", LSM_SNAPSHOT_LATEST), "c");
    lsm_close(db);
    db = open_hooked(&g, NULL);
    assert_self_valued(db, "abc");
    lsm_close(db);
    rm_tmp();
}
END_TEST

/* The held sync fails.  The WAL's descriptors share one error state, so an
 * lsm_sync_wal whose own fdatasync overlapped it and succeeded must still
 * fail: the unsynced write that returned meanwhile is never reported
 * durable, the failed synced write is not visible, and later writes fail. */
START_TEST(db_sync_failure_overlap)
{
    mk_tmp();
    sync_gate_t g = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, EIO, false, false, 0 };
    lsm_db_t *db = open_hooked(&g, NULL);
    put_job_t a = { db, "a", true, RDB_OK, NULL }, s = { db, NULL, false, RDB_OK, lsm_sync_wal };
    pthread_t ta, ts;
    pthread_create(&ta, NULL, put_main, &a);
    gate_wait_calls(&g, 1);
    ck_assert_int_eq(put1(db, "b", 11, false), RDB_OK);
    ck_assert_str_eq(get(db, "b", LSM_SNAPSHOT_LATEST), "b");
    lsm_stats_t st0, st;
    lsm_get_stats(db, &st0);
    pthread_create(&ts, NULL, op_main, &s);
    /* until lsm_sync_wal's own fdatasync has succeeded (counted) */
    do {
        usleep(1000);
        lsm_get_stats(db, &st);
    } while (st.wal_syncs == st0.wal_syncs);
    gate_release(&g);
    pthread_join(ta, NULL);
    pthread_join(ts, NULL);
    ck_assert_int_eq(a.st, RDB_IOERROR);
    ck_assert_int_eq(s.st, RDB_IOERROR);
    ck_assert_ptr_null(get(db, "a", LSM_SNAPSHOT_LATEST));
    ck_assert_int_ne(put1(db, "d", 12, false), RDB_OK);
    rdb_err_t err = RDB_ERR_INIT;
    ck_assert_int_ne(lsm_sync_wal(db, &err), RDB_OK);
    rdb_err_clear(&err);
    lsm_close(db);
    rm_tmp();
}
END_TEST

/* Leader/follower synced groups.  While the first group's fsync is held,
 * SG_WRITERS synced writers queue: none starts an fsync or is visible.
 * Released, they form one group with one fsync, and each follower gets the
 * group's result: all succeed and are visible, or (fail: the group's fsync
 * fails; fail_first: the held one fails, which poisons the WAL) all fail
 * and none is visible, and later writes fail. */
#define SG_WRITERS 12

static void sync_group_case(int first_errno, int group_errno)
{
    mk_tmp();
    sync_gate_t g = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, first_errno,
                      false, false, group_errno };
    lsm_db_t *db = open_hooked(&g, NULL);
    put_job_t a = { db, "a", true, RDB_OK, NULL }, j[SG_WRITERS];
    char keys[SG_WRITERS][8];
    pthread_t ta, tj[SG_WRITERS];
    pthread_create(&ta, NULL, put_main, &a);
    gate_wait_calls(&g, 1);
    for (int i = 0; i < SG_WRITERS; i++) {
        snprintf(keys[i], sizeof keys[i], "k%02d", i);
        j[i] = (put_job_t){ db, keys[i], true, RDB_OK, NULL };
        pthread_create(&tj[i], NULL, put_main, &j[i]);
    }
    wait_sync_queued(db, SG_WRITERS + 1);
    ck_assert_int_eq(gate_calls(&g), 1);
    for (int i = 0; i < SG_WRITERS; i++)
        ck_assert_ptr_null(get(db, keys[i], LSM_SNAPSHOT_LATEST));
    lsm_stats_t st0, st;
    lsm_get_stats(db, &st0);
    gate_release(&g);
    pthread_join(ta, NULL);
    for (int i = 0; i < SG_WRITERS; i++)
        pthread_join(tj[i], NULL);
    lsm_get_stats(db, &st);
    ck_assert_int_eq(st.sync_queued, 0);
    bool ok = first_errno == 0 && group_errno == 0;
    ck_assert_int_eq(a.st, first_errno ? RDB_IOERROR : RDB_OK);
    ck_assert_int_eq(gate_calls(&g), first_errno ? 1 : 2); /* one fsync for the group */
    ck_assert_uint_eq(st.writes, st0.writes + SG_WRITERS + 1);
    for (int i = 0; i < SG_WRITERS; i++) {
        ck_assert_int_eq(j[i].st, ok ? RDB_OK : RDB_IOERROR);
        char *v = get(db, keys[i], LSM_SNAPSHOT_LATEST);
        if (ok)
            ck_assert_str_eq(v, keys[i]);
        else
            ck_assert_ptr_null(v);
    }
    if (ok) {
        ck_assert_uint_eq(st.sync_groups, 2);
        ck_assert_int_eq(put1(db, "z", 12, true), RDB_OK);
    } else {
        ck_assert_int_ne(put1(db, "z", 12, true), RDB_OK);
        ck_assert_int_ne(put1(db, "z", 12, false), RDB_OK);
    }
    lsm_close(db);
    rm_tmp();
}

START_TEST(db_sync_group_forms) { sync_group_case(0, 0); }
END_TEST
START_TEST(db_sync_group_fsync_fails) { sync_group_case(0, EIO); }
END_TEST
START_TEST(db_sync_group_behind_failure) { sync_group_case(EIO, 0); }
END_TEST

/* Many synced writers (and a few unsynced ones) at once: every batch is
 * in the WAL exactly once (its bytes add up to the framed batches, on disk
 * too), readable on return and after a reopen; groups have one fsync
 * each, and no more groups than synced writes. */
#define SM_THREADS 16
#define SM_UNSYNCED 3
#define SM_BATCHES 150

typedef struct sm_writer {
    lsm_db_t *db;
    int id, bad;
    bool sync;
    uint64_t framed; /* WAL bytes of its batches */
} sm_writer_t;

static void *sm_write(void *arg)
{
    sm_writer_t *c = arg;
    lsm_batch_t *b = lsm_batch_new();
    rdb_buf_t got = RDB_BUF_INIT;
    for (int i = 0; i < SM_BATCHES; i++) {
        char k[32], v[64];
        lsm_batch_clear(b);
        snprintf(k, sizeof k, "m%02d-%04d", c->id, i);
        /* sizes differ, so that a lost or doubled batch shows in the bytes */
        int vn = snprintf(v, sizeof v, "%0*d", 1 + (c->id * 7 + i) % 40, i);
        lsm_batch_put(b, k, strlen(k), (lsm_version_t){ (uint64_t)i + 1, (uint16_t)c->id }, v,
                      (size_t)vn);
        lsm_write_options_t wo = { .sync = c->sync };
        rdb_err_t err = RDB_ERR_INIT;
        if (lsm_write(c->db, &wo, b, &err) != RDB_OK ||
            lsm_get(c->db, NULL, k, strlen(k), &got, NULL, &err) != RDB_OK ||
            got.len != (size_t)vn || memcmp(got.data, v, got.len) != 0)
            c->bad++;
        rdb_err_clear(&err);
        c->framed += lsm_batch_byte_size(b) + LSM_LOG_HEADER;
    }
    rdb_buf_free(&got);
    lsm_batch_free(b);
    return NULL;
}

static uint64_t wal_files_size(void)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "cat '%.200s'/*.log | wc -c", tmpdir);
    FILE *f = popen(cmd, "r");
    ck_assert_ptr_nonnull(f);
    unsigned long long n = 0;
    ck_assert_int_eq(fscanf(f, "%llu", &n), 1);
    pclose(f);
    return n;
}

START_TEST(db_sync_group_many_threads)
{
    mk_tmp();
    lsm_db_t *db = open_small_sync(64 << 20); /* one WAL: no memtable switch */
    lsm_stats_t st0, st;
    lsm_get_stats(db, &st0);
    sm_writer_t w[SM_THREADS];
    pthread_t t[SM_THREADS];
    for (int i = 0; i < SM_THREADS; i++) {
        w[i] = (sm_writer_t){ db, i + 1, 0, i >= SM_UNSYNCED, 0 };
        pthread_create(&t[i], NULL, sm_write, &w[i]);
    }
    uint64_t framed = 0;
    for (int i = 0; i < SM_THREADS; i++) {
        pthread_join(t[i], NULL);
        ck_assert_int_eq(w[i].bad, 0);
        framed += w[i].framed;
    }
    lsm_get_stats(db, &st);
    uint64_t synced = (SM_THREADS - SM_UNSYNCED) * SM_BATCHES;
    ck_assert_uint_eq(st.writes - st0.writes, SM_THREADS * SM_BATCHES);
    ck_assert_uint_eq(st.wal_bytes - st0.wal_bytes, framed);
    ck_assert_uint_eq(wal_files_size(), st.wal_bytes);
    ck_assert_uint_ge(st.sync_groups, 1);
    ck_assert_uint_le(st.sync_groups, synced);
    ck_assert_uint_eq(st.wal_syncs - st0.wal_syncs, st.sync_groups);
    ck_assert_int_eq(st.sync_queued, 0);
    lsm_close(db);
    db = open_small_sync(64 << 20);
    for (int id = 1; id <= SM_THREADS; id++)
        for (int i = 0; i < SM_BATCHES; i++) {
            char k[32], v[64];
            snprintf(k, sizeof k, "m%02d-%04d", id, i);
            snprintf(v, sizeof v, "%0*d", 1 + (id * 7 + i) % 40, i);
            char *g = get(db, k, LSM_SNAPSHOT_LATEST);
            ck_assert_msg(g && strcmp(g, v) == 0, "%s: %s", k, g ? g : "(missing)");
        }
    lsm_close(db);
    rm_tmp();
}
END_TEST

START_TEST(db_stalls_and_size)
{
    mk_tmp();
    lsm_options_t o;
    lsm_options_default(&o);
    o.sync_mode = LSM_SYNC_NONE;
    o.memtable_size = 8 * 1024;
    o.l0_slowdown_trigger = 1;
    o.l0_stop_trigger = 2;
    rdb_err_t err = RDB_ERR_INIT;
    lsm_db_t *db;
    ck_assert_int_eq(lsm_open(tmpdir, &o, &db, &err), RDB_OK);
    char v[200];
    memset(v, 'x', sizeof v - 1);
    v[sizeof v - 1] = 0;
    for (int i = 0; i < 2000; i++) {
        char k[16];
        snprintf(k, sizeof k, "s%05d", i);
        put(db, k, 1, v);
    }
    lsm_stats_t st;
    lsm_get_stats(db, &st);
    ck_assert_uint_gt(st.write_slowdowns, 0);
    ck_assert_int_le(st.level_files[0], 2 + 1);
    ck_assert_uint_gt(st.flushes, 10);
    uint64_t all = lsm_approximate_size(db, NULL, 0, NULL, 0);
    uint64_t half = lsm_approximate_size(db, "s00000", 6, "s01000", 6);
    uint64_t none = lsm_approximate_size(db, "t", 1, "u", 1);
    ck_assert_uint_gt(all, half);
    ck_assert_uint_gt(half, none);
    ck_assert_uint_gt(half, all / 4);
    lsm_close(db);
    rm_tmp();
}
END_TEST

/* Cut the WAL at every byte of its last record: reopening always works,
 * sees the first batches whole and the last one whole or not at all. */
START_TEST(db_wal_torn_tail_every_offset)
{
    mk_tmp();
    char src[1100];
    snprintf(src, sizeof src, "%s/src", tmpdir);
    char saved[1024];
    snprintf(saved, sizeof saved, "%s", tmpdir);
    snprintf(tmpdir, sizeof tmpdir, "%.200s", src);
    lsm_db_t *db = open_db(1 << 20);
    put(db, "a", 1, "first");
    put(db, "b", 1, "second");
    struct stat st;
    char cmd[3000], name[1200] = "";
    snprintf(cmd, sizeof cmd, "ls %s/*.log", src);
    FILE *p = popen(cmd, "r");
    ck_assert_ptr_nonnull(fgets(name, sizeof name, p));
    pclose(p);
    name[strcspn(name, "\n")] = 0;
    ck_assert_int_eq(stat(name, &st), 0);
    off_t before = st.st_size;
    lsm_batch_t *b = lsm_batch_new();
    lsm_version_t v = { 1, 1 };
    lsm_batch_put(b, "c", 1, v, "third", 5);
    lsm_batch_put(b, "d", 1, v, "fourth", 6);
    rdb_err_t err = RDB_ERR_INIT;
    ck_assert_int_eq(lsm_write(db, NULL, b, &err), RDB_OK);
    lsm_batch_free(b);
    lsm_close(db);
    ck_assert_int_eq(stat(name, &st), 0);
    off_t full = st.st_size;
    ck_assert_int_gt(full, before);
    char work[1100];
    snprintf(work, sizeof work, "%s/work", saved);
    for (off_t cut = before; cut <= full; cut++) {
        snprintf(cmd, sizeof cmd, "rm -rf '%.200s' && cp -r '%.200s' '%.200s'", work, src, work);
        ck_assert_int_eq(system(cmd), 0);
        char wlog[1700];
        snprintf(wlog, sizeof wlog, "%s/%s", work, strrchr(name, '/') + 1);
        ck_assert_int_eq(truncate(wlog, cut), 0);
        snprintf(tmpdir, sizeof tmpdir, "%.200s", work);
        db = open_db(1 << 20);
        ck_assert_str_eq(get(db, "a", 1), "first");
        ck_assert_str_eq(get(db, "b", 1), "second");
        char *c = get(db, "c", 1);
        bool has_c = c != NULL;
        bool has_d = get(db, "d", 1) != NULL;
        ck_assert(has_c == has_d);
        ck_assert(has_c == (cut == full));
        lsm_close(db);
    }
    snprintf(tmpdir, sizeof tmpdir, "%s", saved);
    rm_tmp();
}
END_TEST


/* --- manifest edits and obsolete files ------------------------------------ */

/* Files in tmpdir whose name ends in ext (".sst", ".log") or starts with
 * "MANIFEST-" (ext NULL). */
static int count_files(const char *ext)
{
    DIR *d = opendir(tmpdir);
    ck_assert_ptr_nonnull(d);
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        size_t l = strlen(de->d_name);
        if (ext ? l > strlen(ext) && strcmp(de->d_name + l - strlen(ext), ext) == 0
                : strncmp(de->d_name, "MANIFEST-", 9) == 0)
            n++;
    }
    closedir(d);
    return n;
}

static int version_files(lsm_db_t *db)
{
    lsm_stats_t st;
    lsm_get_stats(db, &st);
    int n = 0;
    for (int l = 0; l < LSM_MAX_LEVELS; l++)
        n += (int)st.level_files[l];
    return n;
}

/* On disk exactly what the current version and WAL need: its tables, two
 * WAL segments (the current one and the next, created ahead of the
 * switch), one manifest. */
static void assert_no_leftovers(lsm_db_t *db)
{
    ck_assert_int_eq(count_files(".sst"), version_files(db));
    ck_assert_int_eq(count_files(".log"), 2);
    ck_assert_int_eq(count_files(NULL), 1);
}

/* While a flush's manifest edit is in its fsync (held by the hook), the
 * store is not locked: unsynced and synced writes return, reads and
 * statistics answer, and the new table is not installed yet.  Once the
 * sync goes on, the flush completes and the old WAL is gone. */
START_TEST(db_manifest_sync_leaves_store_unlocked)
{
    mk_tmp();
    sync_gate_t g = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, false, false, 0 };
    lsm_db_t *db = open_hooked(NULL, &g);
    ck_assert_int_eq(put1(db, "a", 10, true), RDB_OK);
    put_job_t f = { db, NULL, false, RDB_IOERROR, lsm_flush };
    pthread_t tf;
    pthread_create(&tf, NULL, op_main, &f);
    gate_wait_calls(&g, 1); /* the flush's edit is written, its fsync held */
    ck_assert_int_eq(put1(db, "b", 11, false), RDB_OK);
    ck_assert_int_eq(put1(db, "c", 12, true), RDB_OK);
    ck_assert_str_eq(get(db, "a", LSM_SNAPSHOT_LATEST), "a");
    ck_assert_str_eq(get(db, "b", LSM_SNAPSHOT_LATEST), "b");
    ck_assert_str_eq(get(db, "c", LSM_SNAPSHOT_LATEST), "c");
    ck_assert_int_eq(version_files(db), 0);
    ck_assert_int_eq(count_files(".log"), 3); /* the flushed memtable's WAL stays */
    gate_release(&g);
    pthread_join(tf, NULL);
    ck_assert_int_eq(f.st, RDB_OK);
    ck_assert_int_eq(version_files(db), 1);
    assert_no_leftovers(db);
    lsm_close(db);
    db = open_hooked(NULL, NULL);
    assert_self_valued(db, "abc");
    lsm_close(db);
    rm_tmp();
}
END_TEST

/* A failed manifest fsync fails the flush and every later edit and write;
 * after a reopen nothing is lost and no file is left over. */
START_TEST(db_manifest_sync_failure)
{
    mk_tmp();
    sync_gate_t g = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, EIO, false, true, 0 };
    lsm_db_t *db = open_hooked(NULL, &g);
    ck_assert_int_eq(put1(db, "a", 10, true), RDB_OK);
    rdb_err_t err = RDB_ERR_INIT;
    ck_assert_int_eq(lsm_flush(db, &err), RDB_IOERROR);
    ck_assert_ptr_nonnull(strstr(err.msg, "MANIFEST-"));
    rdb_err_clear(&err);
    ck_assert_int_eq(put1(db, "b", 11, false), RDB_IOERROR);
    ck_assert_str_eq(get(db, "a", LSM_SNAPSHOT_LATEST), "a");
    lsm_close(db);
    db = open_hooked(NULL, NULL);
    ck_assert_str_eq(get(db, "a", LSM_SNAPSHOT_LATEST), "a");
    ck_assert_ptr_null(get(db, "b", LSM_SNAPSHOT_LATEST));
    assert_no_leftovers(db);
    lsm_close(db);
    rm_tmp();
}
END_TEST

/* The process dies inside a flush's manifest edit: written, not yet
 * installed (the hook exits where the fsync would run; the page cache
 * outlives the process, as after the sync).  Recovery applies the edit:
 * the new table is live, the WAL it replaced is deleted, the keys are all
 * there once. */
static int die_hook(void *ctx)
{
    (void)ctx;
    _exit(7);
}

START_TEST(db_manifest_crash_before_install)
{
    mk_tmp();
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        lsm_options_t o;
        lsm_options_default(&o);
        o.sync_mode = LSM_SYNC_COMMIT;
        o.manifest_sync_hook = die_hook;
        rdb_err_t err = RDB_ERR_INIT;
        lsm_db_t *db = NULL;
        if (lsm_open(tmpdir, &o, &db, &err) != RDB_OK)
            _exit(1);
        char k[16];
        for (int i = 0; i < 100; i++) {
            snprintf(k, sizeof k, "k%03d", i);
            if (put1(db, k, 10, true) != RDB_OK)
                _exit(2);
        }
        lsm_flush(db, &err);
        _exit(3); /* the hook did not run */
    }
    int st = 0;
    ck_assert_int_eq(waitpid(pid, &st, 0), pid);
    ck_assert(WIFEXITED(st));
    ck_assert_int_eq(WEXITSTATUS(st), 7);
    ck_assert_int_eq(count_files(".sst"), 1);
    ck_assert_int_eq(count_files(".log"), 3); /* flushed, current, next */
    lsm_db_t *db = open_hooked(NULL, NULL);
    ck_assert_int_eq(version_files(db), 1);
    assert_no_leftovers(db);
    char k[16];
    for (int i = 0; i < 100; i++) {
        snprintf(k, sizeof k, "k%03d", i);
        ck_assert_str_eq(get(db, k, LSM_SNAPSHOT_LATEST), k);
    }
    lsm_close(db);
    rm_tmp();
}
END_TEST

/* The numbers of the WAL segments in tmpdir, ascending; their count. */
static int log_numbers(uint64_t *out, int max)
{
    DIR *d = opendir(tmpdir);
    ck_assert_ptr_nonnull(d);
    int n = 0;
    struct dirent *de;
    unsigned long long num;
    char ext[8];
    while ((de = readdir(d)))
        if (sscanf(de->d_name, "%llu.%7s", &num, ext) == 2 && strcmp(ext, "log") == 0) {
            ck_assert_int_lt(n, max);
            int i = n++;
            for (; i > 0 && out[i - 1] > num; i--)
                out[i] = out[i - 1];
            out[i] = num;
        }
    closedir(d);
    return n;
}

static off_t log_size(uint64_t num)
{
    char name[32];
    snprintf(name, sizeof name, "%06llu.log", (unsigned long long)num);
    struct stat st;
    ck_assert_int_eq(stat(tpath(name), &st), 0);
    return st.st_size;
}

/* The memtable switch opens no file: it takes the segment created ahead
 * (at open, then by each flush), empty until then, and a flush prepares
 * the next one. */
START_TEST(db_wal_switch_prepared)
{
    mk_tmp();
    lsm_db_t *db = open_hooked(NULL, NULL);
    uint64_t a[4], b[4];
    ck_assert_int_eq(log_numbers(a, 4), 2);
    ck_assert_int_eq(log_size(a[1]), 0);
    ck_assert_int_eq(put1(db, "a", 10, false), RDB_OK);
    ck_assert_int_gt(log_size(a[0]), 0);
    rdb_err_t err = RDB_ERR_INIT;
    ck_assert_int_eq(lsm_flush(db, &err), RDB_OK);
    ck_assert_int_eq(log_numbers(b, 4), 2);
    ck_assert_uint_eq(b[0], a[1]); /* the prepared one is now the WAL */
    ck_assert_uint_gt(b[1], b[0]);
    ck_assert_int_eq(log_size(b[1]), 0);
    ck_assert_int_eq(put1(db, "b", 11, true), RDB_OK);
    ck_assert_int_gt(log_size(b[0]), 0);
    assert_no_leftovers(db);
    lsm_close(db);
    db = open_hooked(NULL, NULL);
    assert_self_valued(db, "ab");
    assert_no_leftovers(db);
    lsm_close(db);
    rm_tmp();
}
END_TEST

/* A process writes "a" and "c" (unsynced) to segment A, starts a flush
 * (the switch to segment B; the flush's fdatasync of A is held, so its
 * table and edit are not written), writes "b" to B and dies.  Then A is left whole (cut 0), loses its last record
 * as a crash may if A's tail never reached the disk (cut 1: at a record
 * boundary, so A itself reads clean; B's first record says how long A
 * was), or is torn inside it (cut 2).  Recovery keeps a prefix of the
 * writes: with A cut, "b" is not replayed either. */
static void wal_switch_crash(int cut)
{
    mk_tmp();
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        sync_gate_t g = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, false,
                          false, 0 };
        lsm_db_t *db = open_hooked(&g, NULL);
        if (put1(db, "a", 10, false) != RDB_OK || put1(db, "c", 11, false) != RDB_OK)
            _exit(1);
        put_job_t f = { db, NULL, false, RDB_IOERROR, lsm_flush };
        pthread_t tf;
        pthread_create(&tf, NULL, op_main, &f);
        gate_wait_calls(&g, 1);
        _exit(put1(db, "b", 12, false) == RDB_OK ? 0 : 2);
    }
    int st = 0;
    ck_assert_int_eq(waitpid(pid, &st, 0), pid);
    ck_assert(WIFEXITED(st));
    ck_assert_int_eq(WEXITSTATUS(st), 0);
    uint64_t logs[4];
    ck_assert_int_eq(log_numbers(logs, 4), 2); /* A, B: the flush died before preparing one */
    off_t len = log_size(logs[0]);
    ck_assert_int_eq(len % 2, 0); /* two records of one size */
    char name[32];
    snprintf(name, sizeof name, "%06llu.log", (unsigned long long)logs[0]);
    if (cut)
        ck_assert_int_eq(truncate(tpath(name), cut == 1 ? len / 2 : len / 2 + 5), 0);
    for (int round = 0; round < 2; round++) { /* the cut stays a cut */
        lsm_db_t *db = open_hooked(NULL, NULL);
        assert_self_valued(db, cut ? "a" : "acb");
        if (cut) {
            ck_assert_ptr_null(get(db, "b", LSM_SNAPSHOT_LATEST));
            ck_assert_ptr_null(get(db, "c", LSM_SNAPSHOT_LATEST));
        }
        assert_no_leftovers(db);
        lsm_close(db);
    }
    rm_tmp();
}

START_TEST(db_wal_switch_crash_whole) { wal_switch_crash(0); }
END_TEST
START_TEST(db_wal_switch_crash_lost_tail) { wal_switch_crash(1); }
END_TEST
START_TEST(db_wal_switch_crash_torn) { wal_switch_crash(2); }
END_TEST

/* Flushes and compactions delete what they replace: WAL segments, and the
 * input tables once no iterator pins them. */
START_TEST(db_obsolete_files_deleted)
{
    mk_tmp();
    lsm_db_t *db = open_db(64 * 1024);
    char k[32], v[128];
    memset(v, 'v', sizeof v - 1);
    v[sizeof v - 1] = 0;
    for (int i = 0; i < 4000; i++) {
        snprintf(k, sizeof k, "key%06d", (i * 7919) % 4000);
        put(db, k, (uint64_t)i + 1, v);
    }
    rdb_err_t err = RDB_ERR_INIT;
    ck_assert_int_eq(lsm_flush(db, &err), RDB_OK);
    lsm_read_options_t ro;
    lsm_read_options_default(&ro);
    lsm_iter_t *it = lsm_iter_new(db, &ro); /* pins the tables of now */
    int pinned = version_files(db);
    ck_assert_int_gt(pinned, 1);
    ck_assert_int_eq(lsm_compact_range(db, NULL, 0, NULL, 0, &err), RDB_OK);
    ck_assert_int_ge(count_files(".sst"), pinned); /* still read by it */
    int n = 0;
    for (lsm_iter_seek_first(it); lsm_iter_valid(it); lsm_iter_next(it))
        n++;
    ck_assert_int_eq(n, 4000);
    lsm_iter_free(it);
    assert_no_leftovers(db);
    lsm_close(db);
    db = open_db(64 * 1024);
    assert_no_leftovers(db);
    ck_assert_str_eq(get(db, "key001234", LSM_SNAPSHOT_LATEST), v);
    lsm_close(db);
    rm_tmp();
}
END_TEST

static Suite *lsm_suite(void)
{
    Suite *s = suite_create("lsm");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, ikey_order);
    tcase_add_test(tc, skiplist_sorted);
    tcase_add_test(tc, skiplist_ascending_runs);
    tcase_add_test(tc, skiplist_front_key_between_runs);
    tcase_add_test(tc, skiplist_concurrent_reader);
    tcase_add_test(tc, block_roundtrip);
    tcase_add_test(tc, block_seek_restarts);
    tcase_add_test(tc, bloom_fp_rate);
    tcase_add_test(tc, table_roundtrip_none);
    tcase_add_test(tc, table_roundtrip_lz4);
    tcase_add_test(tc, table_roundtrip_zstd);
    tcase_add_test(tc, wal_torn_tail);
    tcase_add_test(tc, db_basic_reopen);
    tcase_add_test(tc, db_wal_corruption_reported);
    tcase_add_test(tc, db_gc_horizon);
    tcase_add_test(tc, db_drop_filter);
    tcase_add_test(tc, db_versions_any_order);
    tcase_add_test(tc, db_iter_bounds_and_directions);
    tcase_add_test(tc, db_concurrent);
    tcase_add_test(tc, db_group_commit_threads);
    tcase_add_test(tc, db_leveled_compaction);
    tcase_add_test(tc, db_iter_across_files);
    tcase_add_test(tc, table_cache_lru);
    tcase_add_test(tc, cache_charge);
    tcase_add_test(tc, db_table_memory_budget);
    tcase_add_test(tc, db_max_open_files);
    tcase_add_test(tc, db_parallel_compactions);
    tcase_add_test(tc, db_damaged_table_stops_scan);
    tcase_add_test(tc, db_periodic_sync);
    tcase_add_test(tc, db_sync_wal);
    tcase_add_test(tc, db_unsynced_passes_fsync);
    tcase_add_test(tc, db_sync_failure_overlap);
    tcase_add_test(tc, db_sync_group_forms);
    tcase_add_test(tc, db_sync_group_fsync_fails);
    tcase_add_test(tc, db_sync_group_behind_failure);
    tcase_add_test(tc, db_sync_group_many_threads);
    tcase_add_test(tc, db_wal_torn_tail_every_offset);
    tcase_add_test(tc, db_stalls_and_size);
    tcase_add_test(tc, db_manifest_sync_leaves_store_unlocked);
    tcase_add_test(tc, db_manifest_sync_failure);
    tcase_add_test(tc, db_manifest_crash_before_install);
    tcase_add_test(tc, db_obsolete_files_deleted);
    tcase_add_test(tc, db_wal_switch_prepared);
    tcase_add_test(tc, db_wal_switch_crash_whole);
    tcase_add_test(tc, db_wal_switch_crash_lost_tail);
    tcase_add_test(tc, db_wal_switch_crash_torn);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(lsm_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
