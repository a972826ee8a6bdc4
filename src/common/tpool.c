/*
 * tpool.c — reusable threads (tpool.h).
 *
 * Invariants: a worker is on the idle list exactly while it waits with no
 * job (w->fn NULL); rdb_tpool_run takes a worker off the list and gives it
 * its job under pool.mu, so a job is never handed to a worker that is
 * leaving; a worker whose wait timed out leaves only if it is still on the
 * list (no job came meanwhile).
 */
#include "common/tpool.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

typedef struct worker {
    struct worker  *next, *prev;   /* idle list */
    pthread_cond_t  cv;
    void          (*fn)(void *);
    void           *arg;
} worker_t;

static struct {
    pthread_mutex_t mu;
    worker_t       *idle;          /* most recently idle first */
    int             nidle;
} pool = { PTHREAD_MUTEX_INITIALIZER, NULL, 0 };

static void unlink_idle(worker_t *w)
{
    if (w->prev)
        w->prev->next = w->next;
    else
        pool.idle = w->next;
    if (w->next)
        w->next->prev = w->prev;
    w->next = w->prev = NULL;
    pool.nidle--;
}

static void worker_free(worker_t *w)
{
    pthread_cond_destroy(&w->cv);
    free(w);
}

static void *worker_main(void *arg)
{
    worker_t *w = arg;
    for (;;) {
        w->fn(w->arg);
        pthread_mutex_lock(&pool.mu);
        w->fn = NULL;
        w->arg = NULL;
        if (pool.nidle >= RDB_TPOOL_MAX_IDLE) {
            pthread_mutex_unlock(&pool.mu);
            worker_free(w);
            return NULL;
        }
        w->prev = NULL;
        w->next = pool.idle;
        if (pool.idle)
            pool.idle->prev = w;
        pool.idle = w;
        pool.nidle++;
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_sec += RDB_TPOOL_IDLE_MS / 1000;
        until.tv_nsec += (long)(RDB_TPOOL_IDLE_MS % 1000) * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        while (!w->fn) {
            if (pthread_cond_timedwait(&w->cv, &pool.mu, &until) == ETIMEDOUT && !w->fn) {
                unlink_idle(w);
                pthread_mutex_unlock(&pool.mu);
                worker_free(w);
                return NULL;
            }
        }
        pthread_mutex_unlock(&pool.mu);
    }
}

int rdb_tpool_run(void (*fn)(void *arg), void *arg)
{
    pthread_mutex_lock(&pool.mu);
    worker_t *w = pool.idle;
    if (w) {
        unlink_idle(w);
        w->fn = fn;
        w->arg = arg;
        pthread_cond_signal(&w->cv);
        pthread_mutex_unlock(&pool.mu);
        return 0;
    }
    pthread_mutex_unlock(&pool.mu);
    w = calloc(1, sizeof *w);
    if (!w)
        return -1;
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&w->cv, &ca);
    pthread_condattr_destroy(&ca);
    w->fn = fn;
    w->arg = arg;
    pthread_attr_t a;
    pthread_attr_init(&a);
    pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
    pthread_t t;
    int rc = pthread_create(&t, &a, worker_main, w);
    pthread_attr_destroy(&a);
    if (rc != 0) {
        worker_free(w);
        return -1;
    }
    return 0;
}

int rdb_tpool_idle(void)
{
    pthread_mutex_lock(&pool.mu);
    int n = pool.nidle;
    pthread_mutex_unlock(&pool.mu);
    return n;
}
