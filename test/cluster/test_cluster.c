/*
 * test_cluster.c — unit tests for src/cluster/: HLC, version vectors, ring,
 * range map, Merkle trees.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cluster/auth.h"
#include "cluster/consistency.h"
#include "cluster/frame.h"
#include "cluster/hlc.h"
#include "cluster/members.h"
#include "cluster/merkle.h"
#include "cluster/options.h"
#include "cluster/peer.h"
#include "cluster/partmap.h"
#include "cluster/rangemap.h"
#include "cluster/ring.h"
#include "cluster/vv.h"
#include "common/coding.h"
#include "common/crc32c.h"
#include "common/log.h"

/* A settable wall clock. */
static uint64_t fake_wall(void *ctx) { return *(uint64_t *)ctx; }

START_TEST(test_hlc_monotonic)
{
    uint64_t wall = 1000;
    clu_hlc_t h;
    clu_hlc_init(&h, 100, fake_wall, &wall);
    uint64_t prev = clu_hlc_now(&h);
    ck_assert_uint_eq(prev, CLU_HLC_MAKE(1000, 0));
    for (int i = 0; i < 100000; i++) {
        if (i % 1000 == 0)
            wall += (i % 3000 == 0) ? 1 : 0;
        if (i == 50000)
            wall -= 50;   /* wall clock steps backwards: stamps must not */
        uint64_t t = clu_hlc_now(&h);
        ck_assert_uint_gt(t, prev);
        prev = t;
    }
    /* Never behind physical time once the wall catches up. */
    wall += 10000;
    ck_assert_uint_eq(clu_hlc_now(&h), CLU_HLC_MAKE(wall, 0));
    clu_hlc_destroy(&h);
}
END_TEST

START_TEST(test_hlc_advances_past_received)
{
    uint64_t wall = 5000;
    clu_hlc_t h;
    clu_hlc_init(&h, 100, fake_wall, &wall);
    uint64_t remote = CLU_HLC_MAKE(5050, 7); /* ahead, but within max offset */
    rdb_err_t e = RDB_ERR_INIT;
    ck_assert_int_eq(clu_hlc_update(&h, remote, 2, &e), RDB_OK);
    uint64_t t = clu_hlc_now(&h);
    ck_assert_uint_gt(t, remote);
    ck_assert_uint_eq(CLU_HLC_MS(t), 5050);
    /* An older stamp does not move the clock back. */
    ck_assert_int_eq(clu_hlc_update(&h, CLU_HLC_MAKE(10, 0), 3, &e), RDB_OK);
    ck_assert_uint_gt(clu_hlc_now(&h), t);
    /* Restart floor. */
    clu_hlc_floor(&h, CLU_HLC_MAKE(5060, 0));
    ck_assert_uint_gt(clu_hlc_now(&h), CLU_HLC_MAKE(5060, 0));
    clu_hlc_destroy(&h);
}
END_TEST

START_TEST(test_hlc_drift_bound)
{
    uint64_t wall = 5000;
    clu_hlc_t h;
    clu_hlc_init(&h, 100, fake_wall, &wall);
    uint64_t before = clu_hlc_now(&h);
    rdb_err_t e = RDB_ERR_INIT;
    rdb_log_level_t lvl = RDB_LOG_LEVEL_ERROR;
    rdb_log_set_level(lvl); /* the refusal logs a warning: keep output quiet */
    ck_assert_int_eq(clu_hlc_update(&h, CLU_HLC_MAKE(5101, 0), 4, &e), RDB_INVALID);
    ck_assert_str_eq(e.sqlstate, RDB_SQLSTATE_INVALID_PARAMETER);
    ck_assert_ptr_nonnull(strstr(e.msg, "node 4"));
    rdb_err_clear(&e);
    ck_assert_uint_eq(clu_hlc_refused(&h), 1);
    /* The clock did not follow the runaway stamp. */
    uint64_t t = clu_hlc_now(&h);
    ck_assert_uint_gt(t, before);
    ck_assert_uint_lt(t, CLU_HLC_MAKE(5001, 0));
    /* Exactly at the bound is accepted. */
    ck_assert_int_eq(clu_hlc_update(&h, CLU_HLC_MAKE(5100, 0), 4, &e), RDB_OK);
    clu_hlc_destroy(&h);
}
END_TEST

START_TEST(test_vv_contiguous_and_duplicates)
{
    clu_vv_t vv;
    clu_vv_init(&vv);
    ck_assert(clu_vv_apply(&vv, 1, 1));
    ck_assert(clu_vv_apply(&vv, 1, 2));
    ck_assert(!clu_vv_apply(&vv, 1, 2));
    ck_assert(clu_vv_apply(&vv, 1, 5));     /* gap: 3, 4 missing */
    ck_assert(!clu_vv_apply(&vv, 1, 5));
    ck_assert_uint_eq(clu_vv_contig(&vv, 1), 2);
    ck_assert(clu_vv_has(&vv, 1, 5));
    ck_assert(!clu_vv_has(&vv, 1, 4));
    ck_assert(clu_vv_apply(&vv, 1, 4));
    ck_assert(clu_vv_apply(&vv, 1, 3));     /* closes the gap */
    ck_assert_uint_eq(clu_vv_contig(&vv, 1), 5);
    ck_assert(clu_vv_apply(&vv, 9, 1));
    ck_assert_uint_eq(clu_vv_contig(&vv, 7), 0);

    /* Random permutations of 1..N always end contiguous at N. */
    srand(42);
    for (int round = 0; round < 20; round++) {
        clu_vv_t w;
        clu_vv_init(&w);
        uint64_t seq[200];
        for (int i = 0; i < 200; i++)
            seq[i] = (uint64_t)i + 1;
        for (int i = 199; i > 0; i--) {
            int j = rand() % (i + 1);
            uint64_t t = seq[i]; seq[i] = seq[j]; seq[j] = t;
        }
        int fresh = 0;
        for (int i = 0; i < 200; i++) {
            fresh += clu_vv_apply(&w, 3, seq[i]);
            fresh += clu_vv_apply(&w, 3, seq[rand() % (i + 1)]); /* a redelivery */
        }
        ck_assert_int_eq(fresh, 200);
        ck_assert_uint_eq(clu_vv_contig(&w, 3), 200);
        clu_vv_free(&w);
    }
    clu_vv_free(&vv);
}
END_TEST

START_TEST(test_vv_compare_and_codec)
{
    clu_vv_t a, b, c;
    clu_vv_init(&a);
    clu_vv_init(&b);
    clu_vv_advance(&a, 1, 10);
    clu_vv_advance(&b, 1, 10);
    ck_assert_int_eq(clu_vv_compare(&a, &b), CLU_VV_EQUAL);
    clu_vv_advance(&a, 2, 3);
    ck_assert_int_eq(clu_vv_compare(&a, &b), CLU_VV_AFTER);
    ck_assert_int_eq(clu_vv_compare(&b, &a), CLU_VV_BEFORE);
    clu_vv_advance(&b, 1, 11);
    ck_assert_int_eq(clu_vv_compare(&a, &b), CLU_VV_CONCURRENT);

    rdb_buf_t buf = RDB_BUF_INIT;
    clu_vv_encode(&a, &buf);
    rdb_err_t e = RDB_ERR_INIT;
    ck_assert_int_eq(clu_vv_decode(&c, buf.data, buf.len, &e), RDB_OK);
    ck_assert_int_eq(clu_vv_compare(&a, &c), CLU_VV_EQUAL);
    clu_vv_free(&c);
    /* Every truncation is refused with a protocol error, never a crash. */
    for (size_t n = 0; n < buf.len; n++) {
        ck_assert_int_eq(clu_vv_decode(&c, buf.data, n, &e), RDB_PROTOCOL);
        ck_assert_str_eq(e.sqlstate, RDB_SQLSTATE_PROTOCOL_VIOLATION);
        rdb_err_clear(&e);
    }
    /* Unsorted node ids are corrupt. */
    const unsigned char bad[] = { 2, 5, 1, 3, 1 };
    ck_assert_int_eq(clu_vv_decode(&c, bad, sizeof bad, &e), RDB_PROTOCOL);
    rdb_err_clear(&e);
    rdb_buf_free(&buf);
    clu_vv_free(&a);
    clu_vv_free(&b);
}
END_TEST

/* Element-wise: clu_vnode_t has padding, so memcmp would be wrong. */
static bool vnodes_equal(const clu_ring_t *a, const clu_ring_t *b)
{
    if (a->nvn != b->nvn)
        return false;
    for (size_t i = 0; i < a->nvn; i++)
        if (a->vn[i].token != b->vn[i].token || a->vn[i].node != b->vn[i].node)
            return false;
    return true;
}

static bool node_up(uint16_t node, void *ctx)
{
    const bool *down = ctx;
    return !down[node];
}

START_TEST(test_ring_placement)
{
    clu_ring_t r;
    clu_ring_init(&r, 0, 0);
    ck_assert_uint_eq(r.vnodes_per_node, 16);
    ck_assert_uint_eq(r.rf, 3);
    for (uint16_t n = 1; n <= 5; n++)
        ck_assert(clu_ring_add(&r, n, n));
    ck_assert(!clu_ring_add(&r, 3, 9));
    ck_assert_uint_eq(r.nvn, 80);
    for (size_t i = 1; i < r.nvn; i++)
        ck_assert_uint_le(r.vn[i - 1].token, r.vn[i].token);

    /* Replicas: rf distinct nodes, the first owns the token's vnode. */
    uint16_t rep[8];
    for (int k = 0; k < 2000; k++) {
        char key[16];
        snprintf(key, sizeof key, "k%d", k);
        uint64_t t = clu_token(key, strlen(key));
        size_t n = clu_ring_replicas(&r, t, rep);
        ck_assert_uint_eq(n, 3);
        ck_assert(rep[0] != rep[1] && rep[1] != rep[2] && rep[0] != rep[2]);
        size_t v = clu_ring_vnode_of(&r, t);
        ck_assert_uint_eq(rep[0], r.vn[v].node);
        ck_assert(r.vn[v].token >= t || v == 0);
        uint64_t lo, hi;
        clu_ring_vnode_range(&r, v, &lo, &hi);
        ck_assert(hi == r.vn[v].token);
    }

    /* Preference list skips a down replica and reports it for hints. */
    bool down[8] = { false };
    uint64_t t = clu_token("x", 1);
    clu_ring_replicas(&r, t, rep);
    down[rep[1]] = true;
    uint16_t pref[8], dn[8];
    size_t nd;
    size_t np = clu_ring_preference(&r, t, node_up, down, pref, dn, &nd);
    ck_assert_uint_eq(np, 3);
    ck_assert_uint_eq(nd, 1);
    ck_assert_uint_eq(dn[0], rep[1]);
    for (size_t i = 0; i < np; i++)
        ck_assert(pref[i] != rep[1]);
    ck_assert_uint_eq(pref[0], rep[0]);

    /* Fewer nodes than rf: all nodes. */
    clu_ring_t small;
    clu_ring_init(&small, 4, 3);
    clu_ring_add(&small, 7, 1);
    clu_ring_add(&small, 8, 1);
    ck_assert_uint_eq(clu_ring_replicas(&small, t, rep), 2);
    clu_ring_free(&small);

    /* Codec round trip: the same ring is rebuilt from the record. */
    rdb_buf_t buf = RDB_BUF_INIT;
    clu_ring_encode(&r, &buf);
    clu_ring_t r2;
    rdb_err_t e = RDB_ERR_INIT;
    ck_assert_int_eq(clu_ring_decode(&r2, buf.data, buf.len, &e), RDB_OK);
    ck_assert_uint_eq(r2.version, r.version);
    ck_assert(vnodes_equal(&r2, &r));
    clu_ring_free(&r2);
    for (size_t n = 0; n < buf.len; n++) {
        ck_assert_int_eq(clu_ring_decode(&r2, buf.data, n, &e), RDB_PROTOCOL);
        rdb_err_clear(&e);
    }
    rdb_buf_free(&buf);
    clu_ring_free(&r);
}
END_TEST

START_TEST(test_ring_rebalance_moves_about_1_over_n)
{
    clu_ring_t r;
    clu_ring_init(&r, 16, 3);
    for (uint16_t n = 1; n <= 3; n++)
        clu_ring_add(&r, n, 1);
    enum { K = 20000 };
    uint16_t *before = malloc(K * sizeof *before);
    for (int k = 0; k < K; k++) {
        uint64_t t = clu_token(&k, sizeof k);
        before[k] = r.vn[clu_ring_vnode_of(&r, t)].node;
    }
    clu_ring_t old;
    clu_ring_copy(&old, &r);
    clu_ring_add(&r, 4, 2);
    int moved = 0;
    for (int k = 0; k < K; k++) {
        uint64_t t = clu_token(&k, sizeof k);
        uint16_t now = r.vn[clu_ring_vnode_of(&r, t)].node;
        if (now != before[k]) {
            moved++;
            /* Keys only move to the new node, never between old ones. */
            ck_assert_uint_eq(now, 4);
        }
    }
    double frac = (double)moved / K;
    /* Ideal 1/4; 16 vnodes leave some imbalance, so a generous band. */
    ck_assert_msg(frac > 0.12 && frac < 0.40, "moved fraction %.3f", frac);
    /* Removing the node again restores the old placement exactly. */
    clu_ring_remove(&r, 4, 3);
    ck_assert(vnodes_equal(&r, &old));
    clu_ring_free(&old);
    clu_ring_free(&r);
    free(before);
}
END_TEST

/* A map record for space SP: cur splits (NULL: none), next splits (NULL:
 * not moving), each a NULL-terminated list of strings. */
#define SP     "\x02\x00\x00\x00\x07"
#define SP_LEN 5

static void pm_map(clu_rangemap_t *m, const char *const *keys)
{
    clu_rangemap_init(m);
    for (; keys && *keys; keys++)
        clu_rangemap_split(m, *keys, strlen(*keys), 1);
}

static bool pm_apply(clu_pmap_t *pm, const char *const *cur, const char *const *next, uint64_t hlc,
                     uint16_t node)
{
    clu_rangemap_t c, x;
    pm_map(&c, cur);
    pm_map(&x, next);
    rdb_buf_t k = RDB_BUF_INIT, v = RDB_BUF_INIT;
    clu_pmap_key(SP, SP_LEN, &k);
    clu_pmap_rec_encode(cur ? &c : NULL, next ? &x : NULL, &v);
    bool r = clu_pmap_apply(pm, k.data, k.len, v.data, v.len, (lsm_version_t){ hlc, node });
    rdb_buf_free(&k);
    rdb_buf_free(&v);
    clu_rangemap_free(&c);
    clu_rangemap_free(&x);
    return r;
}

static bool pm_place(clu_pmap_t *pm, const char *suffix, clu_place_t *pl)
{
    char key[64];
    memcpy(key, SP, SP_LEN);
    memcpy(key + SP_LEN, suffix, strlen(suffix));
    return clu_pmap_place(pm, key, SP_LEN + strlen(suffix), pl);
}

static uint64_t pm_token(const char *start)
{
    char key[64];
    memcpy(key, SP, SP_LEN);
    memcpy(key + SP_LEN, start, strlen(start));
    return clu_token(key, SP_LEN + strlen(start));
}

START_TEST(test_pmap_versions)
{
    clu_pmap_t *pm = clu_pmap_new();
    clu_place_t pl;
    ck_assert(!pm_place(pm, "a", &pl));                      /* no map: default placement */
    ck_assert(pm_apply(pm, (const char *[]){ "m", NULL }, NULL, 100, 1));
    ck_assert_uint_eq(clu_pmap_count(pm), 1);
    /* An older version never replaces a newer one, whatever the order. */
    ck_assert(!pm_apply(pm, (const char *[]){ "c", NULL }, NULL, 99, 9));
    ck_assert(!pm_apply(pm, (const char *[]){ "c", NULL }, NULL, 100, 1));   /* same version */
    ck_assert(pm_place(pm, "d", &pl));
    ck_assert_uint_eq(pl.cur_part, 0);
    ck_assert(pm_place(pm, "n", &pl));
    ck_assert_uint_eq(pl.cur_part, 1);
    /* Equal stamps order by node id, as every LWW comparison does. */
    ck_assert(pm_apply(pm, (const char *[]){ "c", NULL }, NULL, 100, 2));
    ck_assert(pm_place(pm, "d", &pl));
    ck_assert_uint_eq(pl.cur_part, 1);
    ck_assert(!pm_apply(pm, (const char *[]){ "m", NULL }, NULL, 100, 1));
    ck_assert(pm_place(pm, "d", &pl));
    ck_assert_uint_eq(pl.cur_part, 1);
    ck_assert(pm_apply(pm, (const char *[]){ NULL }, NULL, 200, 1));
    ck_assert(pm_place(pm, "d", &pl));
    ck_assert_uint_eq(pl.cur_part, 0);
    ck_assert_uint_eq(clu_pmap_count(pm), 1);
    /* Tombstones, other keys and malformed values change nothing. */
    rdb_buf_t k = RDB_BUF_INIT;
    clu_pmap_key(SP, SP_LEN, &k);
    ck_assert(!clu_pmap_apply(pm, k.data, k.len, NULL, 0, (lsm_version_t){ 300, 1 }));
    ck_assert(!clu_pmap_apply(pm, k.data, k.len, "\x92\x01\x02", 3, (lsm_version_t){ 300, 1 }));
    ck_assert(!clu_pmap_apply(pm, "\x01R\x00", 3, "\x90", 1, (lsm_version_t){ 300, 1 }));
    ck_assert(!clu_pmap_is_key("\x01P", 2));
    ck_assert(clu_pmap_is_key(k.data, k.len));
    clu_pmap_rec_t rec;
    ck_assert(clu_pmap_get(pm, SP, SP_LEN, &rec));
    ck_assert_uint_eq(rec.version.hlc, 200);
    ck_assert(rec.has_cur && !rec.moving && rec.cur.n == 0);
    clu_pmap_rec_free(&rec);
    ck_assert(!clu_pmap_get(pm, "\x02\x00\x00\x00\x08", 5, &rec));
    rdb_buf_free(&k);
    clu_pmap_free(pm);
}
END_TEST

START_TEST(test_pmap_record_codec)
{
    clu_rangemap_t c, x;
    pm_map(&c, (const char *[]){ "b", "k", NULL });
    pm_map(&x, (const char *[]){ "b", NULL });
    rdb_buf_t v = RDB_BUF_INIT;
    clu_pmap_rec_encode(&c, &x, &v);
    clu_pmap_rec_t r;
    rdb_err_t e = RDB_ERR_INIT;
    ck_assert_int_eq(clu_pmap_rec_decode(&r, v.data, v.len, &e), RDB_OK);
    ck_assert(r.has_cur && r.moving);
    ck_assert_uint_eq(r.cur.n, 2);
    ck_assert_uint_eq(r.next.n, 1);
    clu_pmap_rec_free(&r);
    for (size_t n = 0; n < v.len; n++) {
        ck_assert_int_ne(clu_pmap_rec_decode(&r, v.data, n, &e), RDB_OK);
        rdb_err_clear(&e);
    }
    rdb_buf_reset(&v);
    clu_pmap_rec_encode(NULL, &x, &v);   /* first move of a table: no current map */
    ck_assert_int_eq(clu_pmap_rec_decode(&r, v.data, v.len, &e), RDB_OK);
    ck_assert(!r.has_cur && r.moving);
    clu_pmap_rec_free(&r);
    rdb_buf_free(&v);
    clu_rangemap_free(&c);
    clu_rangemap_free(&x);
}
END_TEST

static void pm_note(clu_pmap_t *pm, const char *suffix, bool write)
{
    char key[64];
    memcpy(key, SP, SP_LEN);
    memcpy(key + SP_LEN, suffix, strlen(suffix));
    clu_pmap_note(pm, key, SP_LEN + strlen(suffix), write, 10);
}

typedef struct load_got {
    clu_pload_t l[8];
    size_t      n;
} load_got_t;

static void load_each(void *ctx, const void *space, size_t slen, const clu_pmap_rec_t *rec,
                      const clu_pload_t *load)
{
    (void)space;
    (void)slen;
    load_got_t *g = ctx;
    g->n = rec->has_cur ? rec->cur.n + 1 : 0;
    for (size_t i = 0; i < g->n && i < 8; i++)
        g->l[i] = load[i];
}

/* Load counters per partition, decayed rates, and the split proposal: a
 * partition above the rate for min_ticks ticks, split at the median of its
 * sampled write keys; cooldown after a map change; counters kept across
 * map versions only by partitions whose bounds did not change. */
START_TEST(test_pmap_load_and_hot_split)
{
    clu_pmap_t *pm = clu_pmap_new();
    clu_hot_t hot;
    memset(&hot, 0, sizeof hot);
    ck_assert(pm_apply(pm, (const char *[]){ "m", NULL }, NULL, 100, 1));
    ck_assert(!clu_pmap_tick(pm, 1.0, 1000, 50, 3, 0, &hot));  /* first tick: the map's time */
    char k[8];
    uint64_t now = 1000;
    bool proposed = false;
    int ticks = 0;
    for (int t = 0; t < 10 && !proposed; t++) {
        for (int i = 0; i < 400; i++) {   /* 400 writes a tick to keys b00..b99 of partition 0 */
            snprintf(k, sizeof k, "b%02d", i % 100);
            pm_note(pm, k, true);
        }
        pm_note(pm, "z", false);
        now += 1000;
        proposed = clu_pmap_tick(pm, 1.0, now, 50, 3, 0, &hot);
        ticks++;
    }
    /* the decayed rate crosses 50/s after the first tick; three ticks above */
    ck_assert(proposed);
    ck_assert_int_eq(ticks, 3);
    ck_assert_uint_eq(hot.slen, SP_LEN);
    ck_assert_int_eq(memcmp(hot.space, SP, SP_LEN), 0);
    ck_assert(hot.split.len == 3 && hot.split.data[0] == 'b');   /* inside [-inf, m) */
    ck_assert(clu_key_cmp(hot.split.data, hot.split.len, "b20", 3) > 0 &&
              clu_key_cmp(hot.split.data, hot.split.len, "b80", 3) < 0);
    load_got_t g = { .n = 0 };
    clu_pmap_each(pm, load_each, &g);
    ck_assert_uint_eq(g.n, 2);
    ck_assert_uint_eq(g.l[0].writes, 1200);
    ck_assert_uint_eq(g.l[0].bytes, 12000);
    ck_assert_uint_eq(g.l[1].reads, 3);
    ck_assert_uint_eq(g.l[1].writes, 0);
    ck_assert(g.l[0].write_rate > 50 && g.l[0].write_rate < 400);
    ck_assert_uint_eq(g.l[0].hot_ticks, 3);
    /* Keys of other spaces count nowhere. */
    clu_pmap_note(pm, "\x02\x00\x00\x00\x08" "a", 6, true, 1);
    /* The split map: partition [m, inf) keeps its counters, the halves start at 0,
     * and nothing is proposed within the cooldown of the change. */
    rdb_buf_t sp = RDB_BUF_INIT;
    rdb_buf_append(&sp, hot.split.data, hot.split.len);
    rdb_buf_append(&sp, "", 1);
    ck_assert(pm_apply(pm, (const char *[]){ sp.data, "m", NULL }, NULL, 200, 1));
    clu_pmap_each(pm, load_each, &g);
    ck_assert_uint_eq(g.n, 3);
    ck_assert_uint_eq(g.l[0].writes, 0);
    ck_assert_uint_eq(g.l[1].writes, 0);
    ck_assert_uint_eq(g.l[2].reads, 3);
    bool again = false;
    for (int t = 0; t < 5; t++) {
        for (int i = 0; i < 400; i++) {
            snprintf(k, sizeof k, "b%02d", i % 100);
            pm_note(pm, k, true);
        }
        now += 1000;
        again |= clu_pmap_tick(pm, 1.0, now, 50, 3, 60000, &hot);
    }
    ck_assert(!again);
    /* One hot key only: no split point strictly inside the partition. */
    ck_assert(pm_apply(pm, (const char *[]){ "m", NULL }, NULL, 300, 1));
    again = false;
    for (int t = 0; t < 5; t++) {
        for (int i = 0; i < 400; i++)
            pm_note(pm, "q", true);
        now += 1000;
        again |= clu_pmap_tick(pm, 1.0, now, 50, 3, 0, &hot);
    }
    ck_assert(!again);
    rdb_buf_free(&sp);
    rdb_buf_free(&hot.split);
    clu_pmap_free(pm);
}
END_TEST

/* Cluster-wide load: a member's report (its rates and median keys) makes
 * another member's cluster_write_rate the sum; the coordinator splits a
 * partition none of whose writers alone reaches the rate, at a reported
 * key; a report of another map version, or a stale one, does not count. */
static void report_to(clu_pmap_t *from, clu_pmap_t *to, uint16_t peer, uint64_t now)
{
    msgpack_sbuffer sb;
    msgpack_sbuffer_init(&sb);
    msgpack_packer pk;
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    clu_pmap_pack_report(from, 0.5, &pk);
    msgpack_unpacked up;
    msgpack_unpacked_init(&up);
    ck_assert(msgpack_unpack_next(&up, sb.data, sb.size, NULL) == MSGPACK_UNPACK_SUCCESS);
    clu_pmap_peer_report(to, peer, now, &up.data);
    msgpack_unpacked_destroy(&up);
    msgpack_sbuffer_destroy(&sb);
}

START_TEST(test_pmap_cluster_rate)
{
    clu_pmap_t *a = clu_pmap_new(), *b = clu_pmap_new(), *old = clu_pmap_new();
    ck_assert(pm_apply(a, (const char *[]){ "m", NULL }, NULL, 100, 1));
    ck_assert(pm_apply(b, (const char *[]){ "m", NULL }, NULL, 100, 1));
    ck_assert(pm_apply(old, (const char *[]){ "m", NULL }, NULL, 90, 1));
    clu_hot_t hot, none;
    memset(&hot, 0, sizeof hot);
    memset(&none, 0, sizeof none);
    uint64_t now = 1000;
    clu_pmap_tick(a, 1.0, now, 0, 3, 0, &none);
    clu_pmap_tick(b, 1.0, now, 50, 3, 0, &hot);
    clu_pmap_tick(old, 1.0, now, 50, 3, 0, &none);
    char k[8];
    int ticks = 0;
    bool proposed = false, one_peer = false;
    for (int t = 0; t < 20 && !proposed; t++) {
        for (int i = 0; i < 30; i++) {    /* 30 writes a second on a, none on b */
            snprintf(k, sizeof k, "b%02d", (t * 30 + i) % 100);
            pm_note(a, k, true);
        }
        now += 1000;
        clu_pmap_tick(a, 1.0, now, 0, 3, 0, &none);
        report_to(a, b, 2, now);          /* two members write 30/s each */
        report_to(a, b, 3, now);
        report_to(a, old, 2, now);        /* another map version: ignored */
        report_to(a, old, 3, now);
        proposed = clu_pmap_tick(b, 1.0, now, 50, 3, 0, &hot);
        one_peer |= clu_pmap_tick(old, 1.0, now, 50, 3, 0, &none);
        ticks++;
    }
    ck_assert(proposed);
    ck_assert(!one_peer);
    ck_assert_int_ge(ticks, 6);           /* 2 x the decayed 30/s crosses 50 at tick 6 */
    ck_assert(hot.split.len == 3 && hot.split.data[0] == 'b');  /* a's median, inside */
    load_got_t g = { .n = 0 };
    clu_pmap_each(b, load_each, &g);
    ck_assert_uint_eq(g.n, 2);
    ck_assert_uint_eq(g.l[0].writes, 0);
    ck_assert(g.l[0].write_rate < 1 && g.l[0].cluster_write_rate >= 50);
    clu_pmap_each(a, load_each, &g);
    ck_assert(g.l[0].write_rate < 50);
    /* Reports older than 3 s no longer count. */
    now += 4000;
    clu_pmap_tick(b, 1.0, now, 50, 3, 0, &none);
    clu_pmap_each(b, load_each, &g);
    ck_assert(g.l[0].cluster_write_rate < 1);
    rdb_buf_free(&hot.split);
    rdb_buf_free(&none.split);
    clu_pmap_free(a);
    clu_pmap_free(b);
    clu_pmap_free(old);
}
END_TEST

/* A range space without a map (the space function names it): its writes
 * count as one partition from the second one on, it proposes its first
 * split (no cooldown: it never changed), reports at map version 0 reach a
 * member that never wrote it, it stays out of placement and the status,
 * and its map's arrival replaces it. */
static size_t sp_space(void *ctx, const void *key, size_t klen)
{
    (void)ctx;
    return klen > SP_LEN && memcmp(key, SP, SP_LEN) == 0 ? SP_LEN : 0;
}

START_TEST(test_pmap_first_split)
{
    clu_pmap_t *pm = clu_pmap_new(), *other = clu_pmap_new();
    clu_hot_t hot, none, hot2;
    memset(&hot, 0, sizeof hot);
    memset(&none, 0, sizeof none);
    memset(&hot2, 0, sizeof hot2);
    char k[8];
    pm_note(pm, "b00", true);                 /* no space function: nothing */
    ck_assert(!clu_pmap_tick(pm, 1.0, 1000, 50, 3, 60000, &hot));
    clu_pmap_set_space_fn(pm, sp_space, NULL);
    clu_pmap_set_space_fn(other, sp_space, NULL);
    uint64_t now = 1000;
    bool proposed = false, other_proposed = false;
    int ticks = 0;
    for (int t = 0; t < 10 && !(proposed && other_proposed); t++) {
        for (int i = 0; i < 400; i++) {
            snprintf(k, sizeof k, "b%02d", i % 100);
            pm_note(pm, k, true);
        }
        pm_note(pm, "z", false);
        clu_pmap_note(pm, "\x02\x00\x00\x00\x08" "a", 6, true, 1);  /* not a range space */
        now += 1000;
        clu_hot_t *h = proposed ? &hot2 : &hot;
        if (clu_pmap_tick(pm, 1.0, now, 50, 3, 60000, h) && !proposed) {
            proposed = true;
            ticks = t + 1;
        }
        report_to(pm, other, 1, now);
        if (!other_proposed)
            other_proposed = clu_pmap_tick(other, 1.0, now, 50, 3, 60000, &none);
        else
            clu_pmap_tick(other, 1.0, now, 50, 3, 60000, &hot2);
    }
    ck_assert(proposed);
    ck_assert_int_eq(ticks, 3);
    ck_assert_uint_eq(hot.slen, SP_LEN);
    ck_assert_int_eq(memcmp(hot.space, SP, SP_LEN), 0);
    ck_assert(clu_key_cmp(hot.split.data, hot.split.len, "b20", 3) > 0 &&
              clu_key_cmp(hot.split.data, hot.split.len, "b80", 3) < 0);
    ck_assert(other_proposed);                /* on the gossiped rate alone */
    ck_assert(clu_key_cmp(none.split.data, none.split.len, "b20", 3) > 0 &&
              clu_key_cmp(none.split.data, none.split.len, "b80", 3) < 0);
    clu_place_t pl;
    ck_assert(!pm_place(pm, "b10", &pl));     /* placement: default, as before */
    ck_assert_uint_eq(clu_pmap_count(pm), 0);
    load_got_t g = { .n = 0 };
    clu_pmap_each(pm, load_each, &g);
    ck_assert_uint_eq(g.n, 0);
    /* The first map arrives: the space's partitions count from then on. */
    ck_assert(pm_apply(pm, (const char *[]){ "m", NULL }, NULL, 100, 1));
    for (int i = 0; i < 8; i++)
        pm_note(pm, "b01", true);
    clu_pmap_each(pm, load_each, &g);
    ck_assert_uint_eq(g.n, 2);
    ck_assert_uint_eq(g.l[0].writes, 8);
    ck_assert(!clu_pmap_tick(pm, 1.0, now + 1000, 50, 3, 60000, &hot));  /* cooldown */
    rdb_buf_free(&hot.split);
    rdb_buf_free(&none.split);
    rdb_buf_free(&hot2.split);
    clu_pmap_free(pm);
    clu_pmap_free(other);
}
END_TEST

START_TEST(test_pmap_placement)
{
    clu_pmap_t *pm = clu_pmap_new();
    clu_place_t pl;
    ck_assert(pm_apply(pm, (const char *[]){ "m", NULL }, NULL, 10, 1));
    /* A partition's token is the hash of space ‖ its start key. */
    ck_assert(pm_place(pm, "a", &pl));
    ck_assert(pl.has_cur && !pl.moving);
    ck_assert_uint_eq(pl.cur_token, pm_token(""));
    ck_assert(pm_place(pm, "", &pl));
    ck_assert_uint_eq(pl.cur_token, pm_token(""));
    ck_assert(pm_place(pm, "m", &pl));
    ck_assert_uint_eq(pl.cur_token, pm_token("m"));
    ck_assert(pm_place(pm, "zz", &pl));
    ck_assert_uint_eq(pl.cur_token, pm_token("m"));
    /* Keys outside the space (another table, the catalog) are not placed. */
    ck_assert(!clu_pmap_place(pm, "\x02\x00\x00\x00\x08z", 6, &pl));
    ck_assert(!clu_pmap_place(pm, "\x02\x00\x00", 3, &pl));
    /* Moving to splits {m, t}: reads follow cur, writes also go to next;
     * keys left of the new split keep their partition and token. */
    ck_assert(pm_apply(pm, (const char *[]){ "m", NULL }, (const char *[]){ "m", "t", NULL }, 20, 1));
    ck_assert(pm_place(pm, "u", &pl));
    ck_assert(pl.moving);
    ck_assert_uint_eq(pl.cur_part, 1);
    ck_assert_uint_eq(pl.cur_token, pm_token("m"));
    ck_assert_uint_eq(pl.next_part, 2);
    ck_assert_uint_eq(pl.next_token, pm_token("t"));
    ck_assert(pm_place(pm, "p", &pl));
    ck_assert_uint_eq(pl.next_token, pl.cur_token);
    /* A partition's replicas: rf distinct ring members, the same for every
     * key of the partition. */
    clu_ring_t r;
    clu_ring_init(&r, 16, 3);
    for (uint16_t id = 1; id <= 5; id++)
        clu_ring_add(&r, id, id);
    uint16_t a[3], b[3];
    ck_assert(pm_place(pm, "n", &pl));
    ck_assert_uint_eq(clu_ring_replicas(&r, pl.cur_token, a), 3);
    ck_assert(pm_place(pm, "s\xff", &pl));
    ck_assert_uint_eq(clu_ring_replicas(&r, pl.cur_token, b), 3);
    ck_assert_int_eq(memcmp(a, b, sizeof a), 0);
    ck_assert(a[0] != a[1] && a[1] != a[2] && a[0] != a[2]);
    /* The move ends: reads follow the new map. */
    ck_assert(pm_apply(pm, (const char *[]){ "m", "t", NULL }, NULL, 30, 1));
    ck_assert(pm_place(pm, "u", &pl));
    ck_assert(!pl.moving);
    ck_assert_uint_eq(pl.cur_token, pm_token("t"));
    /* A range read visits only the partitions it overlaps. */
    uint64_t *tk;
    ck_assert_uint_eq(clu_pmap_range_tokens(pm, SP "a", SP_LEN + 1, SP "n", SP_LEN + 1, &tk), 2);
    ck_assert_uint_eq(tk[0], pm_token(""));
    ck_assert_uint_eq(tk[1], pm_token("m"));
    free(tk);
    ck_assert_uint_eq(clu_pmap_range_tokens(pm, SP "a", SP_LEN + 1, SP "m", SP_LEN + 1, &tk), 1);
    free(tk);
    ck_assert_uint_eq(clu_pmap_range_tokens(pm, SP "t", SP_LEN + 1, SP "tz", SP_LEN + 2, &tk), 1);
    ck_assert_uint_eq(tk[0], pm_token("t"));
    free(tk);
    ck_assert_uint_eq(clu_pmap_range_tokens(pm, SP, SP_LEN, "\x02\x00\x00\x00\x08", 5, &tk), 3);
    free(tk);
    ck_assert_uint_eq(clu_pmap_range_tokens(pm, "\x02\x00\x00\x00\x06", 5, SP, SP_LEN, &tk), 0);
    ck_assert_uint_eq(clu_pmap_range_tokens(pm, SP, SP_LEN, "\x03", 1, &tk), 0);
    ck_assert_uint_eq(clu_pmap_range_tokens(pm, SP, SP_LEN, NULL, 0, &tk), 0);
    /* No current map (a table's first move): default placement for reads. */
    ck_assert(pm_apply(pm, NULL, (const char *[]){ "c", NULL }, 40, 1));
    ck_assert(pm_place(pm, "d", &pl));
    ck_assert(!pl.has_cur && pl.moving);
    ck_assert_uint_eq(pl.next_token, pm_token("c"));
    ck_assert_uint_eq(clu_pmap_range_tokens(pm, SP, SP_LEN, "\x02\x00\x00\x00\x08", 5, &tk), 0);
    clu_ring_free(&r);
    clu_pmap_free(pm);
}
END_TEST

START_TEST(test_rangemap_find)
{
    clu_rangemap_t m;
    clu_rangemap_init(&m);
    ck_assert_uint_eq(clu_rangemap_find(&m, "zzz", 3), 0);
    ck_assert(clu_rangemap_split(&m, "m", 1, 1));
    ck_assert(clu_rangemap_split(&m, "f", 1, 2));
    ck_assert(!clu_rangemap_split(&m, "m", 1, 3));
    ck_assert_uint_eq(m.version, 2);
    ck_assert_uint_eq(clu_rangemap_find(&m, "a", 1), 0);
    ck_assert_uint_eq(clu_rangemap_find(&m, "f", 1), 1);   /* split key starts its partition */
    ck_assert_uint_eq(clu_rangemap_find(&m, "ez", 2), 0);
    ck_assert_uint_eq(clu_rangemap_find(&m, "l\xff", 2), 1);
    ck_assert_uint_eq(clu_rangemap_find(&m, "m", 1), 2);
    ck_assert_uint_eq(clu_rangemap_find(&m, "", 0), 0);
    rdb_buf_t buf = RDB_BUF_INIT;
    clu_rangemap_encode(&m, &buf);
    clu_rangemap_t m2;
    rdb_err_t e = RDB_ERR_INIT;
    ck_assert_int_eq(clu_rangemap_decode(&m2, buf.data, buf.len, &e), RDB_OK);
    ck_assert_uint_eq(m2.n, 2);
    ck_assert_uint_eq(clu_rangemap_find(&m2, "g", 1), 1);
    clu_rangemap_free(&m2);
    for (size_t n = 0; n < buf.len; n++) {
        ck_assert_int_eq(clu_rangemap_decode(&m2, buf.data, n, &e), RDB_PROTOCOL);
        rdb_err_clear(&e);
    }
    ck_assert(clu_rangemap_merge(&m, "f", 1, 9));
    ck_assert(!clu_rangemap_merge(&m, "f", 1, 9));
    ck_assert_uint_eq(clu_rangemap_find(&m, "g", 1), 0);
    rdb_buf_free(&buf);
    clu_rangemap_free(&m);
}
END_TEST

/* Build a tree over keys 0..n-1 with the given versions. */
static void merkle_fill(clu_merkle_t *m, const uint64_t *ver, int n)
{
    for (int k = 0; k < n; k++) {
        if (!ver[k])
            continue;
        uint64_t t = clu_token(&k, sizeof k);
        if (clu_merkle_covers(m, t))
            clu_merkle_add(m, t, &k, sizeof k, (lsm_version_t){ ver[k], 1 }, false);
    }
}

static void merkle_check_exact(uint64_t lo, uint64_t hi, unsigned depth)
{
    enum { N = 3000 };
    static uint64_t va[N], vb[N];
    for (int k = 0; k < N; k++)
        va[k] = vb[k] = 100 + (uint64_t)k;
    /* Differences: a newer version, a missing key, an extra key. */
    int changed[] = { 17, 555, 1234, 2999 };
    vb[17] = 999;
    vb[555] = 0;
    va[1234] = 0;
    vb[2999] = 7;
    clu_merkle_t a, b;
    clu_merkle_init(&a, lo, hi, depth);
    clu_merkle_init(&b, lo, hi, depth);
    merkle_fill(&a, va, N);
    merkle_fill(&b, vb, N);
    clu_token_range_t *d;
    size_t nd;
    rdb_err_t e = RDB_ERR_INIT;
    ck_assert_int_eq(clu_merkle_diff(&a, &b, &d, &nd, &e), RDB_OK);
    /* Exactly: every changed covered key lies in a reported range, and every
     * reported leaf holds at least one changed key. */
    size_t leaves = (size_t)1 << depth;
    bool *leaf_changed = calloc(leaves, 1);
    for (size_t i = 0; i < 4; i++) {
        int k = changed[i];
        uint64_t t = clu_token(&k, sizeof k);
        if (!clu_merkle_covers(&a, t))
            continue;
        leaf_changed[clu_merkle_leaf_of(&a, t)] = true;
        bool found = false;
        for (size_t j = 0; j < nd; j++) {
            clu_merkle_t tmp = { .lo = d[j].lo, .hi = d[j].hi };
            if (clu_merkle_covers(&tmp, t))
                found = true;
        }
        ck_assert_msg(found, "changed key %d not in any diff range", k);
    }
    size_t want = 0;
    for (size_t i = 0; i < leaves; i++) {
        clu_token_range_t lr = clu_merkle_leaf_range(&a, i);
        bool in_diff = false;
        for (size_t j = 0; j < nd; j++) {
            clu_merkle_t tmp = { .lo = d[j].lo, .hi = d[j].hi };
            if (clu_merkle_covers(&tmp, lr.hi))
                in_diff = true;
        }
        ck_assert_int_eq(in_diff, leaf_changed[i]);
        want += leaf_changed[i];
    }
    ck_assert_uint_le(nd, want);
    free(d);
    /* Repairing the differing keys makes the roots equal and the diff empty. */
    for (size_t i = 0; i < 4; i++) {
        int k = changed[i];
        uint64_t t = clu_token(&k, sizeof k);
        if (!clu_merkle_covers(&b, t))
            continue;
        if (vb[k])
            clu_merkle_remove(&b, t, &k, sizeof k, (lsm_version_t){ vb[k], 1 }, false);
        uint64_t win = va[k] > vb[k] ? va[k] : vb[k];
        clu_merkle_add(&b, t, &k, sizeof k, (lsm_version_t){ win, 1 }, false);
        if (va[k] != win) {
            if (va[k])
                clu_merkle_remove(&a, t, &k, sizeof k, (lsm_version_t){ va[k], 1 }, false);
            clu_merkle_add(&a, t, &k, sizeof k, (lsm_version_t){ win, 1 }, false);
        }
    }
    ck_assert_uint_eq(clu_merkle_root(&a), clu_merkle_root(&b));
    ck_assert_int_eq(clu_merkle_diff(&a, &b, &d, &nd, &e), RDB_OK);
    ck_assert_uint_eq(nd, 0);
    free(d);
    free(leaf_changed);
    clu_merkle_free(&a);
    clu_merkle_free(&b);
}

START_TEST(test_merkle_diff_exact)
{
    merkle_check_exact(0, 0, 8);                              /* whole ring */
    merkle_check_exact(0, 0, 0);                              /* one leaf   */
    merkle_check_exact(0x4000000000000000ULL, 0xC000000000000000ULL, 6);
    merkle_check_exact(0xF000000000000000ULL, 0x1000000000000000ULL, 5); /* wraps */
}
END_TEST

START_TEST(test_merkle_leaf_ranges_tile)
{
    uint64_t bounds[][2] = { { 0, 0 }, { 5, 1005 }, { UINT64_MAX - 10, 20 } };
    for (size_t b = 0; b < 3; b++) {
        clu_merkle_t m;
        clu_merkle_init(&m, bounds[b][0], bounds[b][1], 4);
        uint64_t prev = m.lo;
        for (size_t i = 0; i < 16; i++) {
            clu_token_range_t r = clu_merkle_leaf_range(&m, i);
            ck_assert_uint_eq(r.lo, prev);
            /* The leaf's own last token maps back to it. */
            if (r.lo != r.hi)
                ck_assert_uint_eq(clu_merkle_leaf_of(&m, r.hi), i);
            prev = r.hi;
        }
        ck_assert_uint_eq(prev, m.hi);
        clu_merkle_free(&m);
    }
    /* Shape mismatch is an error, codec refuses truncation. */
    clu_merkle_t a, b, c;
    clu_merkle_init(&a, 0, 0, 3);
    clu_merkle_init(&b, 0, 0, 4);
    clu_token_range_t *d;
    size_t nd;
    rdb_err_t e = RDB_ERR_INIT;
    ck_assert_int_eq(clu_merkle_diff(&a, &b, &d, &nd, &e), RDB_INVALID);
    rdb_err_clear(&e);
    int k = 1;
    clu_merkle_add(&a, clu_token(&k, sizeof k), &k, sizeof k, (lsm_version_t){ 5, 2 }, true);
    rdb_buf_t buf = RDB_BUF_INIT;
    clu_merkle_encode(&a, &buf);
    ck_assert_int_eq(clu_merkle_decode(&c, buf.data, buf.len, &e), RDB_OK);
    ck_assert_uint_eq(clu_merkle_root(&c), clu_merkle_root(&a));
    clu_merkle_free(&c);
    for (size_t n = 0; n < buf.len; n++) {
        ck_assert_int_eq(clu_merkle_decode(&c, buf.data, n, &e), RDB_PROTOCOL);
        rdb_err_clear(&e);
    }
    rdb_buf_free(&buf);
    clu_merkle_free(&a);
    clu_merkle_free(&b);
}
END_TEST

/* LWW convergence (model level, until the LSM lands): replicas that apply
 * the same set of versioned writes in random orders, each keeping the newest
 * version per key, end with identical Merkle roots and the max version. */
START_TEST(test_lww_random_interleavings_converge)
{
    enum { KEYS = 50, WRITES = 400, REPLICAS = 4 };
    srand(7);
    struct w { int key; lsm_version_t v; bool tomb; } ws[WRITES];
    for (int i = 0; i < WRITES; i++) {
        ws[i].key = rand() % KEYS;
        ws[i].v.hlc = (uint64_t)(rand() % 64);       /* many equal hlcs ... */
        ws[i].v.node_id = (uint16_t)(rand() % 3 + 1); /* ... broken by node */
        ws[i].tomb = rand() % 5 == 0;
    }
    uint64_t roots[REPLICAS];
    for (int r = 0; r < REPLICAS; r++) {
        int order[WRITES];
        for (int i = 0; i < WRITES; i++)
            order[i] = i;
        for (int i = WRITES - 1; i > 0; i--) {
            int j = rand() % (i + 1), t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        int newest[KEYS];
        for (int k = 0; k < KEYS; k++)
            newest[k] = -1;
        for (int i = 0; i < WRITES; i++) {
            const struct w *x = &ws[order[i]];
            if (newest[x->key] < 0 || lsm_version_cmp(x->v, ws[newest[x->key]].v) > 0)
                newest[x->key] = order[i];
        }
        clu_merkle_t m;
        clu_merkle_init(&m, 0, 0, 6);
        for (int k = 0; k < KEYS; k++)
            if (newest[k] >= 0)
                clu_merkle_add(&m, clu_token(&k, sizeof k), &k, sizeof k,
                               ws[newest[k]].v, ws[newest[k]].tomb);
        roots[r] = clu_merkle_root(&m);
        clu_merkle_free(&m);
    }
    for (int r = 1; r < REPLICAS; r++)
        ck_assert_uint_eq(roots[r], roots[0]);
}
END_TEST


static size_t frame_make(rdb_buf_t *b, uint64_t hlc)
{
    msgpack_packer pk;
    size_t st = clu_frame_start(b, &pk, CLU_MSG_WRITE, 3, hlc, 2);
    msgpack_pack_uint64(&pk, 77);
    msgpack_pack_bin(&pk, 5);
    msgpack_pack_bin_body(&pk, "hello", 5);
    clu_frame_finish(b, st);
    return st;
}

START_TEST(test_frame_roundtrip_and_stream)
{
    rdb_buf_t b = RDB_BUF_INIT;
    frame_make(&b, 1234567);
    frame_make(&b, 1234568);
    size_t one = b.len / 2;
    clu_frame_t f;
    size_t used;
    rdb_err_t e = RDB_ERR_INIT;
    /* Every strict prefix of the first frame asks for more bytes. */
    for (size_t n = 0; n < one; n++)
        ck_assert_int_eq(clu_frame_parse(b.data, n, &used, &f, &e), RDB_EOF);
    size_t off = 0;
    for (int i = 0; i < 2; i++) {
        ck_assert_int_eq(clu_frame_parse(b.data + off, b.len - off, &used, &f, &e), RDB_OK);
        ck_assert_uint_eq(f.type, CLU_MSG_WRITE);
        ck_assert_uint_eq(f.from, 3);
        ck_assert_uint_eq(f.hlc, 1234567 + (uint64_t)i);
        uint64_t v;
        const char *p;
        size_t n;
        ck_assert(clu_field_u64(&f, 0, &v));
        ck_assert_uint_eq(v, 77);
        ck_assert(clu_field_bin(&f, 1, &p, &n));
        ck_assert_uint_eq(n, 5);
        ck_assert_int_eq(memcmp(p, "hello", 5), 0);
        ck_assert(!clu_field_u64(&f, 1, &v));   /* wrong type */
        ck_assert(!clu_field_u64(&f, 2, &v));   /* absent */
        clu_frame_release(&f);
        off += used;
    }
    ck_assert_uint_eq(off, b.len);
    rdb_buf_free(&b);
}
END_TEST

START_TEST(test_frame_rejects_corruption)
{
    rdb_buf_t b = RDB_BUF_INIT;
    frame_make(&b, 42);
    clu_frame_t f;
    size_t used;
    rdb_err_t e = RDB_ERR_INIT;
    /* Any flipped body or CRC bit is caught. */
    for (size_t i = 4; i < b.len; i++) {
        b.data[i] ^= 0x10;
        ck_assert_int_eq(clu_frame_parse(b.data, b.len, &used, &f, &e), RDB_PROTOCOL);
        ck_assert_str_eq(e.sqlstate, RDB_SQLSTATE_PROTOCOL_VIOLATION);
        rdb_err_clear(&e);
        b.data[i] ^= 0x10;
    }
    /* Oversize and zero lengths are refused before waiting for a body. */
    char hdr[8];
    rdb_put_u32_be(hdr, CLU_FRAME_MAX + 1);
    rdb_put_u32_be(hdr + 4, 0);
    ck_assert_int_eq(clu_frame_parse(hdr, sizeof hdr, &used, &f, &e), RDB_PROTOCOL);
    rdb_err_clear(&e);
    rdb_put_u32_be(hdr, 0);
    ck_assert_int_eq(clu_frame_parse(hdr, sizeof hdr, &used, &f, &e), RDB_PROTOCOL);
    rdb_err_clear(&e);
    /* A valid CRC over a body of the wrong shape (a bare integer, an unknown
     * message type) is still refused. */
    const char *bodies[] = { "\x05", "\x93\x63\x01\x01", "\x92\x01\x01" };
    size_t lens[] = { 1, 4, 3 };
    for (int i = 0; i < 3; i++) {
        rdb_buf_t c = RDB_BUF_INIT;
        rdb_buf_append_u32_be(&c, (uint32_t)lens[i]);
        rdb_buf_append_u32_be(&c, rdb_crc32c_mask(rdb_crc32c(bodies[i], lens[i])));
        rdb_buf_append(&c, bodies[i], lens[i]);
        ck_assert_int_eq(clu_frame_parse(c.data, c.len, &used, &f, &e), RDB_PROTOCOL);
        rdb_err_clear(&e);
        rdb_buf_free(&c);
    }
    rdb_buf_free(&b);
}
END_TEST

START_TEST(test_auth_hmac)
{
    unsigned char ns[CLU_AUTH_NONCE], nc[CLU_AUTH_NONCE], mac[CLU_AUTH_MAC];
    rdb_err_t e = RDB_ERR_INIT;
    ck_assert_int_eq(clu_auth_nonce(ns, &e), RDB_OK);
    ck_assert_int_eq(clu_auth_nonce(nc, &e), RDB_OK);
    ck_assert_int_ne(memcmp(ns, nc, CLU_AUTH_NONCE), 0);
    clu_auth_mac("s3cret", CLU_AUTH_CLIENT, ns, 2, mac);
    ck_assert(clu_auth_check("s3cret", CLU_AUTH_CLIENT, ns, 2, mac, sizeof mac));
    /* Wrong secret, node, role, nonce or length: refused. */
    ck_assert(!clu_auth_check("s3creT", CLU_AUTH_CLIENT, ns, 2, mac, sizeof mac));
    ck_assert(!clu_auth_check("s3cret", CLU_AUTH_CLIENT, ns, 3, mac, sizeof mac));
    ck_assert(!clu_auth_check("s3cret", CLU_AUTH_SERVER, ns, 2, mac, sizeof mac));
    ck_assert(!clu_auth_check("s3cret", CLU_AUTH_CLIENT, nc, 2, mac, sizeof mac));
    ck_assert(!clu_auth_check("s3cret", CLU_AUTH_CLIENT, ns, 2, mac, sizeof mac - 1));
    /* Deterministic: the peer computes the same MAC independently. */
    unsigned char mac2[CLU_AUTH_MAC];
    clu_auth_mac("s3cret", CLU_AUTH_CLIENT, ns, 2, mac2);
    ck_assert_int_eq(memcmp(mac, mac2, CLU_AUTH_MAC), 0);
}
END_TEST


/* Peer links over loopback, all in one libev loop. */
typedef struct peer_rec {
    int      frames, ups, downs;
    uint16_t last_from;
    uint64_t last_val;
} peer_rec_t;

static void rec_frame(clu_net_t *net, uint16_t from, clu_frame_t *f, void *ctx)
{
    peer_rec_t *r = ctx;
    r->frames++;
    r->last_from = from;
    clu_field_u64(f, 0, &r->last_val);
}

static void rec_state(clu_net_t *net, uint16_t peer, bool up, void *ctx)
{
    peer_rec_t *r = ctx;
    if (up)
        r->ups++;
    else
        r->downs++;
}

static bool watchdog_fired;
static void watchdog_cb(struct ev_loop *loop, ev_timer *w, int revents) { watchdog_fired = true; }

/* Run the loop until *flag becomes true; fails after 3 s (a hang, not a
 * timing assertion). */
#define RUN_UNTIL(loop, cond)                                              \
    do {                                                                   \
        ev_timer wd;                                                       \
        watchdog_fired = false;                                            \
        ev_timer_init(&wd, watchdog_cb, 3.0, 0.0);                        \
        ev_timer_start(loop, &wd);                                         \
        while (!(cond) && !watchdog_fired)                                 \
            ev_run(loop, EVRUN_ONCE);                                     \
        ev_timer_stop(loop, &wd);                                          \
        ck_assert_msg(!watchdog_fired, "timed out waiting for " #cond);    \
    } while (0)

static clu_net_t *net_make(struct ev_loop *loop, uint16_t id, const char *secret,
                           clu_hlc_t *h, peer_rec_t *r)
{
    clu_net_opts_t o = { 0 };
    o.node_id = id;
    o.secret = secret;
    o.hlc = h;
    o.on_frame = rec_frame;
    o.on_state = rec_state;
    o.ctx = r;
    o.backoff_min_ms = 10;
    o.backoff_max_ms = 100;
    clu_net_t *net;
    rdb_err_t e = RDB_ERR_INIT;
    ck_assert_int_eq(clu_net_open(loop, &o, &net, &e), RDB_OK);
    return net;
}

static void send_val(clu_net_t *net, uint16_t from, uint16_t to, clu_hlc_t *h, uint64_t v)
{
    rdb_buf_t b = RDB_BUF_INIT;
    msgpack_packer pk;
    size_t st = clu_frame_start(&b, &pk, CLU_MSG_PING, from, clu_hlc_now(h), 1);
    msgpack_pack_uint64(&pk, v);
    clu_frame_finish(&b, st);
    ck_assert_int_eq(clu_net_send(net, to, b.data, b.len), RDB_OK);
    rdb_buf_free(&b);
}

START_TEST(test_peer_links_loopback)
{
    rdb_log_set_level(RDB_LOG_LEVEL_ERROR);
    struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
    uint64_t wa = 100000, wb = 100000;
    clu_hlc_t ha, hb, hc;
    clu_hlc_init(&ha, 1000, fake_wall, &wa);
    clu_hlc_init(&hb, 1000, fake_wall, &wb);
    clu_hlc_init(&hc, 1000, NULL, NULL);
    peer_rec_t ra = { 0 }, rb = { 0 }, rc = { 0 };
    clu_net_t *a = net_make(loop, 1, "secret", &ha, &ra);
    clu_net_t *b = net_make(loop, 2, "secret", &hb, &rb);
    rdb_err_t e = RDB_ERR_INIT;
    /* Both dial each other at once: one link per pair survives. */
    ck_assert_int_eq(clu_net_dial(a, "127.0.0.1", clu_net_port(b), &e), RDB_OK);
    ck_assert_int_eq(clu_net_dial(b, "127.0.0.1", clu_net_port(a), &e), RDB_OK);
    /* Dialling ourselves is harmless. */
    ck_assert_int_eq(clu_net_dial(a, "127.0.0.1", clu_net_port(a), &e), RDB_OK);
    RUN_UNTIL(loop, clu_net_is_up(a, 2) && clu_net_is_up(b, 1));
    ck_assert(!clu_net_is_up(a, 1));

    /* a's clock runs 50 ms ahead: b follows it (within max offset). */
    wa += 50;
    send_val(a, 1, 2, &ha, 41);
    RUN_UNTIL(loop, rb.frames >= 1);
    ck_assert_uint_eq(rb.last_from, 1);
    ck_assert_uint_eq(rb.last_val, 41);
    ck_assert_uint_gt(clu_hlc_now(&hb), CLU_HLC_MAKE(100050, 0));
    send_val(b, 2, 1, &hb, 42);
    RUN_UNTIL(loop, ra.frames >= 1);
    ck_assert_uint_eq(ra.last_val, 42);

    /* A runaway clock is flagged and not followed. */
    wa += 5000;
    send_val(a, 1, 2, &ha, 43);
    RUN_UNTIL(loop, rb.frames >= 2);
    clu_net_peer_stats_t st;
    clu_net_peer_stats(b, 1, &st);
    ck_assert(st.up);
    ck_assert_uint_eq(st.clock_flags, 1);
    ck_assert_uint_lt(clu_hlc_now(&hb), CLU_HLC_MAKE(101000, 0));

    /* Wrong secret: refused and counted, never up. */
    clu_net_t *c = net_make(loop, 3, "wrong", &hc, &rc);
    ck_assert_int_eq(clu_net_dial(c, "127.0.0.1", clu_net_port(b), &e), RDB_OK);
    RUN_UNTIL(loop, clu_net_auth_failures(b) >= 2);
    ck_assert(!clu_net_is_up(b, 3));
    ck_assert(!clu_net_is_up(c, 2));
    ck_assert_int_eq(rc.ups, 0);
    clu_net_close(c);

    /* No link: the sender is told, nothing is silently queued. */
    ck_assert_int_eq(clu_net_send(a, 9, "x", 1), RDB_UNAVAILABLE);

    /* b goes away: a reports it down; b back on the same port: a reconnects. */
    int port_b = clu_net_port(b);
    clu_net_close(b);
    RUN_UNTIL(loop, ra.downs >= 1);
    ck_assert(!clu_net_is_up(a, 2));
    clu_net_opts_t o = { 0 };
    o.node_id = 2;
    o.secret = "secret";
    o.hlc = &hb;
    o.on_frame = rec_frame;
    o.on_state = rec_state;
    o.ctx = &rb;
    o.listen_port = port_b;
    ck_assert_int_eq(clu_net_open(loop, &o, &b, &e), RDB_OK);
    RUN_UNTIL(loop, clu_net_is_up(a, 2) && clu_net_is_up(b, 1));
    send_val(a, 1, 2, &ha, 44);
    RUN_UNTIL(loop, rb.last_val == 44);

    /* A node without a cluster secret cannot open peer links. */
    clu_net_close(a);
    clu_net_close(b);
    ck_assert_int_eq(clu_net_open(loop, &(clu_net_opts_t){ .node_id = 5, .secret = "",
                                                           .hlc = &ha }, &a, &e), RDB_INVALID);
    rdb_err_clear(&e);
    clu_hlc_destroy(&ha);
    clu_hlc_destroy(&hb);
    clu_hlc_destroy(&hc);
    ev_loop_destroy(loop);
}
END_TEST

START_TEST(test_peer_backpressure)
{
    rdb_log_set_level(RDB_LOG_LEVEL_ERROR);
    struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
    clu_hlc_t h;
    clu_hlc_init(&h, 1000, NULL, NULL);
    peer_rec_t ra = { 0 }, rb = { 0 };
    clu_net_opts_t o = { .node_id = 1, .secret = "k", .hlc = &h, .on_frame = rec_frame,
                         .on_state = rec_state, .ctx = &ra, .max_queue = 4096 };
    clu_net_t *a, *b;
    rdb_err_t e = RDB_ERR_INIT;
    ck_assert_int_eq(clu_net_open(loop, &o, &a, &e), RDB_OK);
    o.node_id = 2;
    o.ctx = &rb;
    ck_assert_int_eq(clu_net_open(loop, &o, &b, &e), RDB_OK);
    clu_net_dial(a, "127.0.0.1", clu_net_port(b), &e);
    RUN_UNTIL(loop, clu_net_is_up(a, 2) && clu_net_is_up(b, 1));
    char big[3000];
    memset(big, 'x', sizeof big);
    /* Without running the loop nothing drains: the second frame must not fit. */
    ck_assert_int_eq(clu_net_send(a, 2, big, sizeof big), RDB_OK);
    ck_assert_int_eq(clu_net_send(a, 2, big, sizeof big), RDB_BUSY);
    clu_net_close(a);
    clu_net_close(b);
    clu_hlc_destroy(&h);
    ev_loop_destroy(loop);
}
END_TEST


START_TEST(test_options_table)
{
    const rdb_opt_def_t *tables[] = { clu_option_table, NULL };
    rdb_config_t *cfg = rdb_config_new(tables);
    char *argv[] = { "ringdb", "--node-id", "3", "--peers", "127.0.0.1:18001,127.0.0.1:18002",
                     "--cluster-secret=s", NULL };
    rdb_err_t e = RDB_ERR_INIT;
    ck_assert_int_eq(rdb_config_parse_args(cfg, 6, argv, &e), RDB_OK);
    ck_assert_int_eq(rdb_config_int(cfg, "node-id"), 3);
    ck_assert_str_eq(rdb_config_str(cfg, "peers"), "127.0.0.1:18001,127.0.0.1:18002");
    /* Every default parses. */
    ck_assert_int_eq(rdb_config_int(cfg, "replication-factor"), 3);
    ck_assert_int_eq(rdb_config_int(cfg, "vnodes"), 16);
    ck_assert_int_eq(rdb_config_ms(cfg, "max-clock-offset"), 500);
    ck_assert_int_eq(rdb_config_ms(cfg, "tombstone-grace"), 10LL * 24 * 3600 * 1000);
    ck_assert_int_gt(rdb_config_ms(cfg, "tombstone-grace"), rdb_config_ms(cfg, "hint-window"));
    ck_assert_int_eq(rdb_config_size(cfg, "hint-limit"), 256LL << 20);
    rdb_config_free(cfg);
    cfg = rdb_config_new(tables);
    char *bad[] = { "ringdb", "--replication-factor", "three", NULL };
    ck_assert_int_eq(rdb_config_parse_args(cfg, 3, bad, &e), RDB_INVALID);
    ck_assert_ptr_nonnull(strstr(e.msg, "replication"));
    rdb_err_clear(&e);
    rdb_config_free(cfg);
}
END_TEST


START_TEST(test_members_states_gossip_persist)
{
    clu_members_t ms;
    clu_members_init(&ms, 1, 1000);
    ck_assert(clu_members_merge(&ms, 1, "127.0.0.1:18001", 10, false));
    ck_assert(clu_members_merge(&ms, 2, "127.0.0.1:18002", 10, false));
    ck_assert(clu_members_merge(&ms, 3, "127.0.0.1:18003", 10, false));
    ck_assert(!clu_members_merge(&ms, 0, "bad", 1, false));
    char longaddr[200];
    memset(longaddr, 'a', sizeof longaddr - 1);
    longaddr[sizeof longaddr - 1] = 0;
    ck_assert(!clu_members_merge(&ms, 4, longaddr, 1, false));
    clu_members_tick(&ms, 5000);
    ck_assert_int_eq(clu_members_get(&ms, 1)->state, CLU_M_UP);      /* self */
    ck_assert_int_eq(clu_members_get(&ms, 2)->state, CLU_M_JOINING); /* never heard */
    clu_members_heard(&ms, 2, 5000);
    clu_members_heard(&ms, 3, 5000);
    ck_assert_uint_eq(clu_members_tick(&ms, 5500), 2);
    ck_assert(clu_members_is_up(&ms, 2));
    clu_members_heard(&ms, 2, 6200);
    clu_members_tick(&ms, 6400);  /* 3 silent 1400 ms: suspect, still takes writes */
    ck_assert_int_eq(clu_members_get(&ms, 3)->state, CLU_M_SUSPECT);
    ck_assert(clu_members_is_up(&ms, 3));
    clu_members_tick(&ms, 7100);  /* 3 silent 2100 ms: down */
    ck_assert_int_eq(clu_members_get(&ms, 3)->state, CLU_M_DOWN);
    ck_assert(!clu_members_is_up(&ms, 3));
    ck_assert_int_eq(clu_members_get(&ms, 2)->state, CLU_M_UP);
    clu_members_heard(&ms, 3, 7200);  /* back */
    clu_members_tick(&ms, 7300);
    ck_assert_int_eq(clu_members_get(&ms, 3)->state, CLU_M_UP);
    ck_assert_str_eq(clu_mstate_name(CLU_M_SUSPECT), "suspect");

    /* Gossip: a newer entry wins, an older one is ignored. */
    clu_members_t other;
    clu_members_init(&other, 2, 1000);
    clu_members_merge(&other, 3, "127.0.0.1:19003", 20, true);   /* moved + leaving */
    clu_members_merge(&other, 2, "stale:1", 5, false);
    clu_members_merge(&other, 5, "127.0.0.1:18005", 1, false);   /* a joiner */
    rdb_buf_t b = RDB_BUF_INIT;
    clu_members_encode(&other, &b);
    size_t changed;
    rdb_err_t e = RDB_ERR_INIT;
    ck_assert_int_eq(clu_members_merge_encoded(&ms, b.data, b.len, &changed, &e), RDB_OK);
    ck_assert_uint_eq(changed, 2);
    ck_assert_str_eq(clu_members_get(&ms, 3)->addr, "127.0.0.1:19003");
    ck_assert_str_eq(clu_members_get(&ms, 2)->addr, "127.0.0.1:18002");
    clu_members_tick(&ms, 7400);
    ck_assert_int_eq(clu_members_get(&ms, 3)->state, CLU_M_LEAVING);
    ck_assert_int_eq(clu_members_get(&ms, 5)->state, CLU_M_JOINING);
    for (size_t n = 0; n < b.len; n++) {
        ck_assert_int_eq(clu_members_merge_encoded(&ms, b.data, n, &changed, &e), RDB_PROTOCOL);
        rdb_err_clear(&e);
    }
    rdb_buf_free(&b);
    clu_members_free(&other);

    /* A newer version's table: an unknown state bit is ignored and an
     * extension (fields this version does not know) is skipped, so the
     * entries around them still merge. */
    rdb_buf_t nb = RDB_BUF_INIT;
    rdb_buf_append_varint64(&nb, 3);
    rdb_buf_append_varint64(&nb, 6);                    /* unknown state bit */
    rdb_buf_append_varint64(&nb, 15);
    rdb_buf_append(&nb, "127.0.0.1:18006", 15);
    rdb_buf_append_varint64(&nb, 3);
    rdb_buf_append_u8(&nb, 0x10);
    rdb_buf_append_varint64(&nb, 7);                    /* removed + extension */
    rdb_buf_append_varint64(&nb, 15);
    rdb_buf_append(&nb, "127.0.0.1:18007", 15);
    rdb_buf_append_varint64(&nb, 4);
    rdb_buf_append_u8(&nb, CLU_MF_REMOVED | CLU_MF_EXT | 0x20);
    rdb_buf_append_varint64(&nb, 5);
    rdb_buf_append(&nb, "\x01\x02\x03\x04\x05", 5);
    rdb_buf_append_varint64(&nb, 8);                    /* a plain entry after them */
    rdb_buf_append_varint64(&nb, 15);
    rdb_buf_append(&nb, "127.0.0.1:18008", 15);
    rdb_buf_append_varint64(&nb, 5);
    rdb_buf_append_u8(&nb, CLU_MF_LEAVING);
    clu_members_t nt;
    clu_members_init(&nt, 1, 1000);
    ck_assert_int_eq(clu_members_merge_encoded(&nt, nb.data, nb.len, &changed, &e), RDB_OK);
    ck_assert_uint_eq(changed, 3);
    ck_assert(!clu_members_get(&nt, 6)->leaving && !clu_members_get(&nt, 6)->removed);
    ck_assert(clu_members_get(&nt, 7)->removed && clu_members_get(&nt, 7)->leaving);
    ck_assert(clu_members_get(&nt, 8)->leaving && !clu_members_get(&nt, 8)->removed);
    clu_member_t pk;
    ck_assert(clu_members_peek_encoded(nb.data, nb.len, 8, &pk));
    ck_assert_str_eq(pk.addr, "127.0.0.1:18008");
    for (size_t n = 0; n < nb.len; n++) {   /* a truncated extension is still refused */
        ck_assert_int_eq(clu_members_merge_encoded(&nt, nb.data, n, &changed, &e),
                         RDB_PROTOCOL);
        rdb_err_clear(&e);
    }
    clu_members_free(&nt);
    rdb_buf_free(&nb);

    /* Persistence: a restarted node reloads whom to dial; corruption is
     * reported, not trusted. */
    char path[] = "/tmp/clu-members-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    ck_assert_int_eq(clu_members_save(&ms, path, &e), RDB_OK);
    clu_members_t back;
    clu_members_init(&back, 1, 1000);
    ck_assert_int_eq(clu_members_load(&back, path, &e), RDB_OK);
    ck_assert_uint_eq(back.n, ms.n);
    ck_assert_str_eq(clu_members_get(&back, 5)->addr, "127.0.0.1:18005");
    ck_assert(clu_members_get(&back, 3)->leaving);
    clu_members_free(&back);
    FILE *f = fopen(path, "r+b");
    fseek(f, 10, SEEK_SET);
    fputc('#', f);
    fclose(f);
    clu_members_init(&back, 1, 1000);
    ck_assert_int_eq(clu_members_load(&back, path, &e), RDB_CORRUPTION);
    ck_assert_str_eq(e.sqlstate, RDB_SQLSTATE_DATA_CORRUPTED);
    rdb_err_clear(&e);
    unlink(path);
    ck_assert_int_eq(clu_members_load(&back, path, &e), RDB_NOTFOUND);
    clu_members_free(&back);
    clu_members_free(&ms);
}
END_TEST

/* removenode: the removed mark wins over any version of the node's own
 * entry, travels in gossip and on disk, and is seen by peek. */
START_TEST(test_members_removed_sticky)
{
    clu_members_t ms, dead;
    clu_members_init(&ms, 1, 1000);
    clu_members_merge(&ms, 1, "127.0.0.1:18001", 1, false);
    clu_members_merge(&ms, 4, "127.0.0.1:18004", 7, false);
    ck_assert(!clu_members_remove(&ms, 9, 10));          /* unknown */
    ck_assert(clu_members_remove(&ms, 4, 5));            /* even at a lower version */
    ck_assert(!clu_members_remove(&ms, 4, 50));          /* already */
    const clu_member_t *m = clu_members_get(&ms, 4);
    ck_assert(m->removed && m->leaving);
    ck_assert_uint_eq(m->version, 7);
    clu_members_tick(&ms, 100);
    ck_assert_int_eq(m->state, CLU_M_REMOVED);
    ck_assert_str_eq(clu_mstate_name(CLU_M_REMOVED), "removed");
    /* The node comes back with a newer entry of its own: still removed. */
    ck_assert(!clu_members_merge(&ms, 4, "127.0.0.1:18004", 1000, false));
    ck_assert(clu_members_get(&ms, 4)->removed);
    /* Gossip carries the mark to the removed node's own table. */
    clu_members_init(&dead, 4, 1000);
    clu_members_merge(&dead, 4, "127.0.0.1:18004", 1000, false);
    rdb_buf_t b = RDB_BUF_INIT;
    clu_members_encode(&ms, &b);
    clu_member_t view;
    ck_assert(clu_members_peek_encoded(b.data, b.len, 4, &view));
    ck_assert(view.removed);
    ck_assert(!clu_members_peek_encoded(b.data, b.len, 9, &view));
    size_t changed;
    rdb_err_t e = RDB_ERR_INIT;
    ck_assert_int_eq(clu_members_merge_encoded(&dead, b.data, b.len, &changed, &e), RDB_OK);
    ck_assert_uint_eq(changed, 2);
    ck_assert(clu_members_get(&dead, 4)->removed);
    rdb_buf_free(&b);
    clu_members_free(&dead);
    clu_members_free(&ms);
}
END_TEST


START_TEST(test_consistency_tally)
{
    clu_consistency_t cl;
    rdb_err_t e = RDB_ERR_INIT;
    ck_assert_int_eq(clu_consistency_parse("QUORUM", &cl, &e), RDB_OK);
    ck_assert_int_eq(cl, CLU_CL_QUORUM);
    ck_assert_int_eq(clu_consistency_parse("most", &cl, &e), RDB_INVALID);
    ck_assert_str_eq(e.sqlstate, RDB_SQLSTATE_INVALID_PARAMETER);
    rdb_err_clear(&e);
    ck_assert_uint_eq(clu_consistency_required(CLU_CL_ONE, 3), 1);
    ck_assert_uint_eq(clu_consistency_required(CLU_CL_QUORUM, 3), 2);
    ck_assert_uint_eq(clu_consistency_required(CLU_CL_QUORUM, 4), 3);
    ck_assert_uint_eq(clu_consistency_required(CLU_CL_ALL, 3), 3);

    clu_tally_t t;
    /* QUORUM, 1 of 3 down: sent to 2, both answer -> OK. */
    clu_tally_init(&t, CLU_CL_QUORUM, 3, 2);
    ck_assert_int_eq(clu_tally_ack(&t), CLU_TALLY_PENDING);
    ck_assert_int_eq(clu_tally_ack(&t), CLU_TALLY_OK);
    ck_assert_int_eq(clu_tally_timeout(&t), CLU_TALLY_OK);   /* stays OK */
    /* QUORUM, 2 of 3 down: impossible from the start -> FAILED at once. */
    clu_tally_init(&t, CLU_CL_QUORUM, 3, 1);
    ck_assert_int_eq(t.state, CLU_TALLY_FAILED);
    ck_assert_int_eq(clu_tally_ack(&t), CLU_TALLY_FAILED);   /* never flips */
    ck_assert_int_eq(clu_tally_error(&t, &e), RDB_UNAVAILABLE);
    ck_assert_str_eq(e.sqlstate, RDB_SQLSTATE_UNAVAILABLE);
    ck_assert_ptr_nonnull(strstr(e.msg, "QUORUM"));
    rdb_err_clear(&e);
    /* ALL: one refusal fails it. */
    clu_tally_init(&t, CLU_CL_ALL, 3, 3);
    clu_tally_ack(&t);
    ck_assert_int_eq(clu_tally_fail(&t), CLU_TALLY_FAILED);
    /* Silence: the deadline fails a pending tally. */
    clu_tally_init(&t, CLU_CL_QUORUM, 3, 3);
    clu_tally_ack(&t);
    ck_assert_int_eq(clu_tally_timeout(&t), CLU_TALLY_FAILED);
    /* More answers than requests are ignored. */
    clu_tally_init(&t, CLU_CL_ALL, 3, 2);
    ck_assert_int_eq(t.state, CLU_TALLY_FAILED);
    clu_tally_init(&t, CLU_CL_ONE, 3, 1);
    ck_assert_int_eq(clu_tally_ack(&t), CLU_TALLY_OK);
    ck_assert_uint_eq(t.acks, 1);
}
END_TEST

static Suite *cluster_suite(void)
{
    Suite *s = suite_create("cluster");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_hlc_monotonic);
    tcase_add_test(tc, test_hlc_advances_past_received);
    tcase_add_test(tc, test_hlc_drift_bound);
    tcase_add_test(tc, test_vv_contiguous_and_duplicates);
    tcase_add_test(tc, test_vv_compare_and_codec);
    tcase_add_test(tc, test_ring_placement);
    tcase_add_test(tc, test_ring_rebalance_moves_about_1_over_n);
    tcase_add_test(tc, test_rangemap_find);
    tcase_add_test(tc, test_pmap_versions);
    tcase_add_test(tc, test_pmap_record_codec);
    tcase_add_test(tc, test_pmap_placement);
    tcase_add_test(tc, test_pmap_first_split);
    tcase_add_test(tc, test_pmap_load_and_hot_split);
    tcase_add_test(tc, test_pmap_cluster_rate);
    tcase_add_test(tc, test_merkle_diff_exact);
    tcase_add_test(tc, test_merkle_leaf_ranges_tile);
    tcase_add_test(tc, test_lww_random_interleavings_converge);
    tcase_add_test(tc, test_frame_roundtrip_and_stream);
    tcase_add_test(tc, test_frame_rejects_corruption);
    tcase_add_test(tc, test_auth_hmac);
    tcase_add_test(tc, test_peer_links_loopback);
    tcase_add_test(tc, test_peer_backpressure);
    tcase_add_test(tc, test_options_table);
    tcase_add_test(tc, test_members_states_gossip_persist);
    tcase_add_test(tc, test_members_removed_sticky);
    tcase_add_test(tc, test_consistency_tally);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(cluster_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
