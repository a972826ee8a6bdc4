/* test_rowlock.c — the node's row-lock table (src/exec/rowlock.h): modes,
 * holders, upgrades, release, waiting and deadlock detection. */
#include <check.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "exec/rowlock.h"

static int try_lock(rowlocks_t *t, rowlock_owner_t *o, const char *key, int mode)
{
    return rowlock_acquire(t, o, key, strlen(key), mode, false, NULL, NULL);
}

/* PostgreSQL's table (explicit-locking docs, "Conflicting Row-Level Locks"). */
static const bool pg_conflict[4][4] = {
    /*                 KEY SHARE SHARE  NO KEY UPD UPDATE */
    /* KEY SHARE */   { false,   false, false,     true },
    /* SHARE */       { false,   false, true,      true },
    /* NO KEY UPD */  { false,   true,  true,      true },
    /* UPDATE */      { true,    true,  true,      true },
};

/* Every test gets a fresh lock table l and three owners a, b, c; the
 * fixture releases whatever they still hold and frees them all. */
static rowlocks_t *l;
static rowlock_owner_t a, b, c;

static void setup(void)
{
    l = rowlocks_new();
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    memset(&c, 0, sizeof c);
}

static void teardown(void)
{
    rowlock_owner_t *owners[] = { &a, &b, &c };
    for (size_t i = 0; i < 3; i++) {
        rowlock_release_all(l, owners[i]);
        rowlock_owner_free(owners[i]);
    }
    rowlocks_free(l);
}

START_TEST(compatibility_matrix)
{
    for (int held = 0; held < 4; held++)
        for (int want = 0; want < 4; want++) {
            ck_assert_int_eq(try_lock(l, &a, "k", held), ROWLOCK_NEW);
            int got = try_lock(l, &b, "k", want);
            ck_assert_msg(got == (pg_conflict[held][want] ? ROWLOCK_BUSY : ROWLOCK_NEW),
                          "held %s, want %s: %d", rowlock_mode_name(held), rowlock_mode_name(want), got);
            ck_assert_int_eq(rowlock_conflicts(held, want), pg_conflict[held][want]);
            /* other keys are independent */
            ck_assert_int_eq(try_lock(l, &b, "other", ROWLOCK_UPDATE), ROWLOCK_NEW);
            teardown();
            setup();
        }
}
END_TEST

START_TEST(several_holders_and_release)
{
    ck_assert_int_eq(try_lock(l, &a, "k", ROWLOCK_SHARE), ROWLOCK_NEW);
    ck_assert_int_eq(try_lock(l, &b, "k", ROWLOCK_SHARE), ROWLOCK_NEW);
    ck_assert_int_eq(try_lock(l, &c, "k", ROWLOCK_KEY_SHARE), ROWLOCK_NEW);
    ck_assert_int_eq(try_lock(l, &c, "k", ROWLOCK_NO_KEY_UPDATE), ROWLOCK_BUSY);
    rowlock_release_all(l, &a);
    ck_assert_int_eq(rowlock_held(l, &a, "k", 1), -1);
    ck_assert_int_eq(try_lock(l, &c, "k", ROWLOCK_NO_KEY_UPDATE), ROWLOCK_BUSY);   /* b still shares */
    rowlock_release_all(l, &b);
    ck_assert_int_eq(try_lock(l, &c, "k", ROWLOCK_NO_KEY_UPDATE), ROWLOCK_NEW);
    ck_assert_int_eq(rowlock_held(l, &c, "k", 1), ROWLOCK_NO_KEY_UPDATE);
    /* KEY SHARE goes with NO KEY UPDATE, not with UPDATE */
    ck_assert_int_eq(try_lock(l, &a, "k", ROWLOCK_KEY_SHARE), ROWLOCK_NEW);
    ck_assert_int_eq(try_lock(l, &b, "k", ROWLOCK_SHARE), ROWLOCK_BUSY);
    rowlock_release_all(l, &c);
    rowlock_release_all(l, &a);
    ck_assert_int_eq(try_lock(l, &b, "k", ROWLOCK_UPDATE), ROWLOCK_NEW);
    rowlock_release_all(l, &b);
    ck_assert_int_eq(rowlock_held(l, &b, "k", 1), -1);
}
END_TEST

START_TEST(upgrade_by_the_same_owner)
{
    ck_assert_int_eq(try_lock(l, &a, "k", ROWLOCK_KEY_SHARE), ROWLOCK_NEW);
    ck_assert_int_eq(try_lock(l, &a, "k", ROWLOCK_KEY_SHARE), ROWLOCK_HELD);
    ck_assert_int_eq(try_lock(l, &a, "k", ROWLOCK_UPDATE), ROWLOCK_NEW);   /* alone: upgraded */
    ck_assert_int_eq(rowlock_held(l, &a, "k", 1), ROWLOCK_UPDATE);
    ck_assert_int_eq(try_lock(l, &a, "k", ROWLOCK_SHARE), ROWLOCK_HELD);    /* weaker: kept */
    ck_assert_int_eq(rowlock_held(l, &a, "k", 1), ROWLOCK_UPDATE);
    ck_assert_int_eq(try_lock(l, &b, "k", ROWLOCK_KEY_SHARE), ROWLOCK_BUSY);
    ck_assert_int_eq(a.n, 1);   /* the key is listed once */
    rowlock_release_all(l, &a);
    /* an upgrade blocked by another owner's conflicting mode */
    ck_assert_int_eq(try_lock(l, &a, "k", ROWLOCK_SHARE), ROWLOCK_NEW);
    ck_assert_int_eq(try_lock(l, &b, "k", ROWLOCK_SHARE), ROWLOCK_NEW);
    ck_assert_int_eq(try_lock(l, &a, "k", ROWLOCK_UPDATE), ROWLOCK_BUSY);
    ck_assert_int_eq(rowlock_held(l, &a, "k", 1), ROWLOCK_SHARE);
    rowlock_release_all(l, &b);
    ck_assert_int_eq(try_lock(l, &a, "k", ROWLOCK_UPDATE), ROWLOCK_NEW);
    rowlock_release_all(l, &a);
}
END_TEST

/* A waiter in a thread; stop() marks that it waits and ends the wait on
 * request. */
typedef struct waiter {
    rowlocks_t      *l;
    rowlock_owner_t *o;
    const char      *key;
    int              mode, result;
    atomic_int       waiting, give_up;
    pthread_t        th;
} waiter_t;

static int waiter_stop(void *arg)
{
    waiter_t *w = arg;
    atomic_store(&w->waiting, 1);
    return atomic_load(&w->give_up);
}

static void *waiter_run(void *arg)
{
    waiter_t *w = arg;
    w->result = rowlock_acquire(w->l, w->o, w->key, strlen(w->key), w->mode, true, waiter_stop, w);
    return NULL;
}

static void waiter_start(waiter_t *w)
{
    pthread_create(&w->th, NULL, waiter_run, w);
    while (!atomic_load(&w->waiting))
        usleep(1000);
}

START_TEST(wait_until_release)
{
    ck_assert_int_eq(try_lock(l, &a, "k", ROWLOCK_NO_KEY_UPDATE), ROWLOCK_NEW);
    waiter_t w = { .l = l, .o = &b, .key = "k", .mode = ROWLOCK_SHARE };
    waiter_start(&w);
    rowlock_release_all(l, &a);
    pthread_join(w.th, NULL);
    ck_assert_int_eq(w.result, ROWLOCK_NEW);
    ck_assert_int_eq(rowlock_held(l, &b, "k", 1), ROWLOCK_SHARE);
    /* stop() ends a wait */
    waiter_t w2 = { .l = l, .o = &a, .key = "k", .mode = ROWLOCK_UPDATE };
    waiter_start(&w2);
    atomic_store(&w2.give_up, 1);
    pthread_join(w2.th, NULL);
    ck_assert_int_eq(w2.result, ROWLOCK_STOPPED);
    ck_assert_int_eq(rowlock_held(l, &a, "k", 1), -1);
    rowlock_release_all(l, &b);
}
END_TEST

START_TEST(deadlock_two_owners)
{
    ck_assert_int_eq(try_lock(l, &a, "k1", ROWLOCK_UPDATE), ROWLOCK_NEW);
    ck_assert_int_eq(try_lock(l, &b, "k2", ROWLOCK_UPDATE), ROWLOCK_NEW);
    waiter_t w = { .l = l, .o = &b, .key = "k1", .mode = ROWLOCK_UPDATE };
    waiter_start(&w);   /* b waits for a */
    ck_assert_int_eq(rowlock_acquire(l, &a, "k2", 2, ROWLOCK_UPDATE, true, NULL, NULL), ROWLOCK_DEADLOCK);
    rowlock_release_all(l, &a);   /* a's transaction fails and ends */
    pthread_join(w.th, NULL);
    ck_assert_int_eq(w.result, ROWLOCK_NEW);
    rowlock_release_all(l, &b);
}
END_TEST

/* A cycle through a shared lock with two holders: a waits for b and c
 * (both share k1), c waits for a (k2); b is not in the cycle. */
START_TEST(deadlock_over_several_holders)
{
    ck_assert_int_eq(try_lock(l, &b, "k1", ROWLOCK_SHARE), ROWLOCK_NEW);
    ck_assert_int_eq(try_lock(l, &c, "k1", ROWLOCK_SHARE), ROWLOCK_NEW);
    ck_assert_int_eq(try_lock(l, &a, "k2", ROWLOCK_KEY_SHARE), ROWLOCK_NEW);
    waiter_t w = { .l = l, .o = &c, .key = "k2", .mode = ROWLOCK_UPDATE };
    waiter_start(&w);   /* c waits for a */
    /* KEY SHARE on k1 conflicts with no holder: no wait, no deadlock */
    ck_assert_int_eq(rowlock_acquire(l, &a, "k1", 2, ROWLOCK_KEY_SHARE, true, NULL, NULL), ROWLOCK_NEW);
    /* NO KEY UPDATE conflicts with b's and c's SHARE, and c waits for a */
    ck_assert_int_eq(rowlock_acquire(l, &a, "k1", 2, ROWLOCK_NO_KEY_UPDATE, true, NULL, NULL), ROWLOCK_DEADLOCK);
    rowlock_release_all(l, &a);
    pthread_join(w.th, NULL);
    ck_assert_int_eq(w.result, ROWLOCK_NEW);
    rowlock_release_all(l, &b);
    rowlock_release_all(l, &c);
}
END_TEST

START_TEST(many_keys)
{
    char k[32];
    for (int i = 0; i < 5000; i++) {
        snprintf(k, sizeof k, "key%d", i);
        ck_assert_int_eq(try_lock(l, i % 2 ? &a : &b, k, i % 4), ROWLOCK_NEW);
    }
    ck_assert_int_eq(a.n + b.n, 5000);
    for (int i = 0; i < 5000; i++) {
        snprintf(k, sizeof k, "key%d", i);
        ck_assert_int_eq(rowlock_held(l, i % 2 ? &a : &b, k, strlen(k)), i % 4);
    }
    rowlock_release_all(l, &a);
    rowlock_release_all(l, &b);
    for (int i = 0; i < 5000; i++) {
        snprintf(k, sizeof k, "key%d", i);
        ck_assert_int_eq(try_lock(l, &a, k, ROWLOCK_UPDATE), ROWLOCK_NEW);
    }
    rowlock_release_all(l, &a);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("rowlock");
    TCase *tc = tcase_create("rowlock");
    tcase_set_timeout(tc, 30);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, compatibility_matrix);
    tcase_add_test(tc, several_holders_and_release);
    tcase_add_test(tc, upgrade_by_the_same_owner);
    tcase_add_test(tc, wait_until_release);
    tcase_add_test(tc, deadlock_two_owners);
    tcase_add_test(tc, deadlock_over_several_holders);
    tcase_add_test(tc, many_keys);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
