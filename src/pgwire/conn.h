/*
 * conn.h — one client connection and the worker loop that owns it
 * (internal to src/pgwire/).
 */
#ifndef RDB_PGWIRE_CONN_H
#define RDB_PGWIRE_CONN_H

#include <ev.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <sys/types.h>

#include "common/backend.h"
#include "common/buf.h"

typedef struct rdb_pgconn rdb_pgconn_t;

/* Connection I/O: plain socket now, TLS slots in behind the same calls.
 * Return bytes moved, 0 on EOF (read), -1 with errno (EAGAIN: retry). */
typedef struct rdb_pgio {
    ssize_t (*read)(rdb_pgconn_t *c, void *buf, size_t n);
    ssize_t (*write)(rdb_pgconn_t *c, const void *buf, size_t n);
    void    (*close)(rdb_pgconn_t *c);
} rdb_pgio_t;

struct rdb_pgsec;

/* Shared, read-mostly server settings. */
typedef struct rdb_pgshared {
    const rdb_backend_t *be;
    pthread_mutex_t      sec_mu;         /* guards the sec pointer */
    struct rdb_pgsec    *sec;            /* security.h; swapped on SIGHUP */
    atomic_int           max_connections;
    atomic_int           nsessions;      /* sessions past start-up */
    atomic_uint          max_message;    /* bytes */
    atomic_bool          stopping;
} rdb_pgshared_t;

typedef struct rdb_pgworker {
    struct ev_loop  *loop;
    pthread_t        thread;
    ev_async         wake;
    pthread_mutex_t  mu;
    int             *newfds;     /* accepted sockets waiting for the loop */
    int              nnew, capnew;
    rdb_pgconn_t    *done;       /* connections whose offloaded call ended */
    bool             stop;
    rdb_pgconn_t    *conns;      /* all connections of this loop */
    int              nconns;
    rdb_pgshared_t  *sh;
} rdb_pgworker_t;

/* Take ownership of an accepted, non-blocking socket (on w's loop). */
void rdb_pgconn_start(rdb_pgworker_t *w, int fd);
/* Loop-side handler of w->wake: adopt new sockets, finish offloads, stop. */
void rdb_pgworker_wake_cb(struct ev_loop *loop, ev_async *a, int revents);

#endif
