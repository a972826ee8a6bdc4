/*
 * conn.c — the per-connection protocol state machine.
 *
 * Input is framed by proto.c (lengths checked before buffering), then
 * dispatched by state: STARTUP, READY (simple/extended query), COPY_IN.
 * Output accumulates in c->out and is written when the input batch is
 * done (so pipelined messages are answered in one write), or as soon as it
 * passes the high-water mark.  While out is above the mark the socket is
 * not read (back-pressure on the client).  An offloaded call (BUSY) owns
 * c->out and the socket's write side until it posts the connection back to
 * the loop through w->done.
 *
 * Before READY a connection goes through: STARTUP (SSLRequest answered 'S'
 * when a certificate is configured, then TLS_HANDSHAKE and STARTUP again
 * over TLS), the hba match, and AUTH (rdb_auth_t exchanges).  A failed
 * login's error waits auth-failure-delay in c->out (`delayed`: no reads,
 * no writes) before it is sent and the connection closed.  One timer
 * bounds the whole of it (authentication-timeout), then serves the delay.
 */
#include "pgwire/conn.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/log.h"
#include "common/mem.h"
#include "pgwire/proto.h"
#include "pgwire/security.h"

#define OUT_HIGH_WATER (256 * 1024)
#define READ_CHUNK     (16 * 1024)
#define AUTH_MSG_MAX   65535  /* PostgreSQL's PG_MAX_AUTH_TOKEN_LENGTH */

enum cstate { CS_STARTUP, CS_TLS_HANDSHAKE, CS_AUTH, CS_READY, CS_COPY_IN, CS_CLOSING };

typedef struct named {
    struct named *next;
    char         *name;
    void         *h;      /* rdb_stmt_t * or rdb_portal_t * */
    void         *owner;  /* portal: its statement's handle */
} named_t;

typedef enum job_kind { JOB_SIMPLE, JOB_EXECUTE } job_kind_t;

struct rdb_pgconn {
    rdb_pgconn_t    *next, *prev;     /* w->conns */
    rdb_pgconn_t    *next_done;
    rdb_pgworker_t  *w;
    int              fd;
    const rdb_pgio_t *io;
    ev_io            rio, wio;
    enum cstate      state;
    rdb_buf_t        in;
    rdb_buf_t        out;
    size_t           out_off;
    bool             counted;          /* holds a max_connections slot */
    bool             skip_to_sync;     /* extended protocol error */
    bool             busy;             /* offloaded call running */
    bool             close_after_flush;
    bool             paused;           /* reading stopped for back-pressure */
    rdb_session_t   *sess;
    int32_t          pid, secret;
    /* start-up and authentication */
    bool             local;            /* Unix socket */
    bool             ssl_asked;        /* SSLRequest already answered */
    bool             tls_want_write;   /* TLS read/handshake waits for POLLOUT */
    bool             delayed;          /* failed login: error held back */
    struct sockaddr_storage peer;
    char             peer_text[64];
    rdb_pgsec_t     *sec;              /* reference, from accept to close */
    rdb_tls_conn_t  *tls;
    rdb_auth_t      *auth;
    rdb_pgsec_lookup_ctx_t lookup;
    char            *startup;          /* StartupMessage body until READY */
    uint32_t         startup_len;
    ev_timer         timer;            /* authentication, then idle in a block */
    bool             idle_armed;       /* timer runs idle_in_transaction_session_timeout */
    named_t         *stmts, *portals;
    /* offloaded call */
    job_kind_t       job;
    char            *job_sql;
    rdb_portal_t    *job_portal;
    int64_t          job_max_rows;
    rdb_status_t     job_rc;
    rdb_exec_state_t job_state;
    rdb_err_t        job_err;
    pthread_t        job_thread;
    rdb_sink_t       sink;
};

/* ---- cancel registry: pid -> connection ---- */

#define MAX_KEYS 65536
static pthread_mutex_t keys_mu = PTHREAD_MUTEX_INITIALIZER;
static struct { rdb_pgconn_t *c; int32_t secret; } keys[MAX_KEYS];
static int next_key;

static int32_t key_register(rdb_pgconn_t *c)
{
    pthread_mutex_lock(&keys_mu);
    for (int i = 0; i < MAX_KEYS; i++) {
        int k = (next_key + i) % MAX_KEYS;
        if (!keys[k].c) {
            next_key = k + 1;
            keys[k].c = c;
            uint32_t r = 0;
            if (getentropy(&r, sizeof r) != 0)
                r = (uint32_t)rand();
            keys[k].secret = (int32_t)r;
            c->secret = keys[k].secret;
            c->pid = 10000 + k;
            pthread_mutex_unlock(&keys_mu);
            return c->pid;
        }
    }
    pthread_mutex_unlock(&keys_mu);
    return -1;
}

static void key_unregister(rdb_pgconn_t *c)
{
    if (c->pid < 10000)
        return;
    pthread_mutex_lock(&keys_mu);
    if (keys[c->pid - 10000].c == c)
        keys[c->pid - 10000].c = NULL;
    pthread_mutex_unlock(&keys_mu);
}

static void key_cancel(const rdb_backend_t *be, int32_t pid, int32_t secret)
{
    if (pid < 10000 || pid >= 10000 + MAX_KEYS)
        return;
    pthread_mutex_lock(&keys_mu);
    rdb_pgconn_t *c = keys[pid - 10000].c;
    if (c && keys[pid - 10000].secret == secret && c->sess)
        be->cancel(c->sess);
    else
        RDB_LOG_DEBUG("pgwire", "cancel request for pid %d did not match", pid);
    pthread_mutex_unlock(&keys_mu);
}

/* ---- plain socket transport ---- */

static ssize_t plain_read(rdb_pgconn_t *c, void *buf, size_t n) { return recv(c->fd, buf, n, 0); }
static ssize_t plain_write(rdb_pgconn_t *c, const void *buf, size_t n)
{
    return send(c->fd, buf, n, MSG_NOSIGNAL);
}
static void plain_close(rdb_pgconn_t *c) { close(c->fd); }
static const rdb_pgio_t plain_io = { plain_read, plain_write, plain_close };

/* ---- TLS transport: rdb_tls results mapped onto read()/write()'s ---- */

static ssize_t tls_result(rdb_pgconn_t *c, rdb_tls_io_t r, size_t n, bool reading)
{
    switch (r) {
    case RDB_TLS_OK:
        return (ssize_t)n;
    case RDB_TLS_WANT_WRITE:
        if (reading)
            c->tls_want_write = true;
        errno = EAGAIN;
        return -1;
    case RDB_TLS_WANT_READ:
        errno = EAGAIN;
        return -1;
    case RDB_TLS_CLOSED:
        if (reading)
            return 0;
        errno = EPIPE;
        return -1;
    case RDB_TLS_ERROR:
        break;
    }
    RDB_LOG_DEBUG("pgwire", "TLS error: %s", rdb_tls_error(c->tls));
    errno = ECONNRESET;
    return -1;
}

static ssize_t tls_read(rdb_pgconn_t *c, void *buf, size_t n)
{
    size_t got = 0;
    c->tls_want_write = false;
    rdb_tls_io_t r = rdb_tls_read(c->tls, buf, n, &got);
    return tls_result(c, r, got, true);
}

static ssize_t tls_write(rdb_pgconn_t *c, const void *buf, size_t n)
{
    size_t put = 0;
    rdb_tls_io_t r = rdb_tls_write(c->tls, buf, n, &put);
    return tls_result(c, r, put, false);
}

static void tls_close(rdb_pgconn_t *c)
{
    rdb_tls_shutdown(c->tls);
    close(c->fd);
}
static const rdb_pgio_t tls_io = { tls_read, tls_write, tls_close };

/* ---- output ---- */

static void conn_close(rdb_pgconn_t *c);

static size_t out_pending(const rdb_pgconn_t *c) { return c->out.len - c->out_off; }

/* Write what the socket takes.  Returns -1 if the connection failed. */
static int out_try_write(rdb_pgconn_t *c)
{
    while (out_pending(c) > 0) {
        ssize_t n = c->io->write(c, c->out.data + c->out_off, out_pending(c));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                break;
            return -1;
        }
        c->out_off += (size_t)n;
    }
    if (c->out_off == c->out.len) {
        c->out.len = 0;
        c->out_off = 0;
        if (c->out.cap > 4 * OUT_HIGH_WATER) { /* give back a burst's memory */
            rdb_buf_free(&c->out);
        }
    } else if (c->out_off > OUT_HIGH_WATER) {
        rdb_buf_consume(&c->out, c->out_off);
        c->out_off = 0;
    }
    return 0;
}

static void update_watchers(rdb_pgconn_t *c)
{
    struct ev_loop *loop = c->w->loop;
    if (c->busy || c->delayed) {
        ev_io_stop(loop, &c->rio);
        ev_io_stop(loop, &c->wio);
        return;
    }
    if (out_pending(c) > 0 || c->tls_want_write)
        ev_io_start(loop, &c->wio);
    else
        ev_io_stop(loop, &c->wio);
    bool want_read = c->state != CS_CLOSING && out_pending(c) < OUT_HIGH_WATER;
    c->paused = !want_read;
    if (want_read)
        ev_io_start(loop, &c->rio);
    else
        ev_io_stop(loop, &c->rio);
    /* Decrypted bytes waiting inside OpenSSL raise no socket event. */
    if (want_read && c->tls && c->io == &tls_io && rdb_tls_pending(c->tls) > 0)
        ev_feed_event(loop, &c->rio, EV_READ);
}

/* Flush and re-arm; closes the connection on failure or when asked to.
 * Returns -1 if c was freed. */
static int conn_flush(rdb_pgconn_t *c)
{
    if (c->delayed) {
        update_watchers(c);
        return 0;
    }
    if (out_try_write(c) < 0 || (c->close_after_flush && out_pending(c) == 0)) {
        conn_close(c);
        return -1;
    }
    update_watchers(c);
    return 0;
}

/* On an offload thread: wait until the socket drains below the mark. */
static int out_wait_drain(rdb_pgconn_t *c)
{
    while (out_pending(c) >= OUT_HIGH_WATER) {
        if (out_try_write(c) < 0)
            return -1;
        if (out_pending(c) < OUT_HIGH_WATER)
            break;
        struct pollfd pfd = { c->fd, POLLOUT, 0 };
        int r = poll(&pfd, 1, 1000);
        if (r < 0 && errno != EINTR)
            return -1;
        if (r > 0 && (pfd.revents & (POLLERR | POLLHUP)))
            return -1;
    }
    return 0;
}

static void send_error(rdb_pgconn_t *c, const rdb_err_t *e)
{
    rdb_pgw_error(&c->out, 'E', e);
}

/* A FATAL error: send it and close once written. */
static void fatal(rdb_pgconn_t *c, const char *sqlstate, const char *fmt, const char *arg)
{
    rdb_err_t e = RDB_ERR_INIT;
    rdb_err_set(&e, RDB_PROTOCOL, sqlstate, fmt, arg);
    e.severity = RDB_SEV_FATAL;
    send_error(c, &e);
    RDB_LOG_DEBUG("pgwire", "closing connection: %s", e.msg);
    rdb_err_clear(&e);
    c->close_after_flush = true;
    c->state = CS_CLOSING;
}

/* ---- sink ---- */

static int s_row_desc(void *ctx, int ncols, const rdb_coldesc_t *cols)
{
    rdb_pgconn_t *c = ctx;
    rdb_buf_t *b = &c->out;
    size_t m = rdb_pgw_begin(b, 'T');
    rdb_buf_append_u16_be(b, (uint16_t)ncols);
    for (int i = 0; i < ncols; i++) {
        rdb_pgw_str(b, cols[i].name ? cols[i].name : "?column?");
        rdb_buf_append_u32_be(b, cols[i].table_oid);
        rdb_buf_append_u16_be(b, (uint16_t)cols[i].attnum);
        rdb_buf_append_u32_be(b, cols[i].type_oid);
        rdb_buf_append_u16_be(b, (uint16_t)cols[i].typlen);
        rdb_buf_append_u32_be(b, (uint32_t)cols[i].typmod);
        rdb_buf_append_u16_be(b, (uint16_t)cols[i].format);
    }
    rdb_pgw_end(b, m);
    return 0;
}

/* Back-pressure: on an offload thread, wait for the client; on the loop
 * thread, write what the socket takes now. */
static int maybe_drain(rdb_pgconn_t *c)
{
    if (out_pending(c) < OUT_HIGH_WATER)
        return 0;
    if (c->busy)
        return out_wait_drain(c);
    return out_try_write(c);
}

static int s_data_row(void *ctx, int ncols, const char *const *vals, const int32_t *lens)
{
    rdb_pgconn_t *c = ctx;
    rdb_buf_t *b = &c->out;
    size_t m = rdb_pgw_begin(b, 'D');
    rdb_buf_append_u16_be(b, (uint16_t)ncols);
    for (int i = 0; i < ncols; i++) {
        if (!vals[i] || lens[i] < 0) {
            rdb_buf_append_u32_be(b, 0xffffffffu);
            continue;
        }
        rdb_buf_append_u32_be(b, (uint32_t)lens[i]);
        rdb_buf_append(b, vals[i], (size_t)lens[i]);
    }
    rdb_pgw_end(b, m);
    return maybe_drain(c);
}

static int s_command_complete(void *ctx, const char *tag)
{
    rdb_pgconn_t *c = ctx;
    size_t m = rdb_pgw_begin(&c->out, 'C');
    rdb_pgw_str(&c->out, tag);
    rdb_pgw_end(&c->out, m);
    return 0;
}

static int s_empty_query(void *ctx)
{
    rdb_pgconn_t *c = ctx;
    rdb_pgw_end(&c->out, rdb_pgw_begin(&c->out, 'I'));
    return 0;
}

static int s_notice(void *ctx, const rdb_err_t *n)
{
    rdb_pgconn_t *c = ctx;
    rdb_pgw_error(&c->out, 'N', n);
    return 0;
}

static int s_parameter_status(void *ctx, const char *name, const char *value)
{
    rdb_pgconn_t *c = ctx;
    size_t m = rdb_pgw_begin(&c->out, 'S');
    rdb_pgw_str(&c->out, name);
    rdb_pgw_str(&c->out, value);
    rdb_pgw_end(&c->out, m);
    return 0;
}

static void copy_response(rdb_pgconn_t *c, char type, int format, int ncols, const int16_t *f)
{
    size_t m = rdb_pgw_begin(&c->out, type);
    rdb_buf_append_u8(&c->out, (uint8_t)format);
    rdb_buf_append_u16_be(&c->out, (uint16_t)ncols);
    for (int i = 0; i < ncols; i++)
        rdb_buf_append_u16_be(&c->out, (uint16_t)f[i]);
    rdb_pgw_end(&c->out, m);
}

static int s_copy_out_begin(void *ctx, int format, int ncols, const int16_t *f)
{
    copy_response(ctx, 'H', format, ncols, f);
    return 0;
}

static int s_copy_out_data(void *ctx, const char *data, size_t len)
{
    rdb_pgconn_t *c = ctx;
    while (len > 0) { /* chunks well under any client's limit */
        size_t n = len < 65536 ? len : 65536;
        size_t m = rdb_pgw_begin(&c->out, 'd');
        rdb_buf_append(&c->out, data, n);
        rdb_pgw_end(&c->out, m);
        data += n;
        len -= n;
        if (maybe_drain(c))
            return -1;
    }
    return 0;
}

static int s_copy_out_end(void *ctx)
{
    rdb_pgconn_t *c = ctx;
    rdb_pgw_end(&c->out, rdb_pgw_begin(&c->out, 'c'));
    return 0;
}

static int s_copy_in_begin(void *ctx, int format, int ncols, const int16_t *f)
{
    copy_response(ctx, 'G', format, ncols, f);
    return 0;
}

/* ---- named objects ---- */

static named_t **named_find(named_t **list, const char *name)
{
    for (named_t **p = list; *p; p = &(*p)->next)
        if (strcmp((*p)->name, name) == 0)
            return p;
    return NULL;
}

static void portal_drop(rdb_pgconn_t *c, named_t **pp)
{
    named_t *n = *pp;
    *pp = n->next;
    c->w->sh->be->portal_free(n->h);
    free(n->name);
    free(n);
}

static void stmt_drop(rdb_pgconn_t *c, named_t **pp)
{
    named_t *n = *pp;
    /* Portals must not outlive their statement. */
    for (named_t **q = &c->portals; *q;) {
        if ((*q)->owner == n->h)
            portal_drop(c, q);
        else
            q = &(*q)->next;
    }
    *pp = n->next;
    c->w->sh->be->stmt_free(n->h);
    free(n->name);
    free(n);
}

/* A named statement lives in the engine when it keeps them (one name
 * space with SQL PREPARE, backend.h); the unnamed one lives here. */
static bool stmt_in_engine(const rdb_pgconn_t *c, const char *name)
{
    return name[0] && c->w->sh->be->stmt_find;
}

static rdb_stmt_t *stmt_lookup(rdb_pgconn_t *c, const char *name)
{
    if (stmt_in_engine(c, name))
        return c->w->sh->be->stmt_find(c->sess, name);
    named_t **n = named_find(&c->stmts, name);
    return n ? (*n)->h : NULL;
}

static void named_add(named_t **list, const char *name, void *h, void *owner)
{
    named_t *n = malloc(sizeof *n);
    n->name = strdup(name);
    n->h = h;
    n->owner = owner;
    n->next = *list;
    *list = n;
}

/* ---- connection life ---- */

static void read_cb(struct ev_loop *loop, ev_io *w, int revents);
static void write_cb(struct ev_loop *loop, ev_io *w, int revents);
static void timer_cb(struct ev_loop *loop, ev_timer *t, int revents);

/* Who is at the other end: Unix socket or TCP address (for hba and logs). */
static void conn_identify(rdb_pgconn_t *c)
{
    struct sockaddr_storage me;
    socklen_t len = sizeof me;
    if (getsockname(c->fd, (struct sockaddr *)&me, &len) == 0 && me.ss_family == AF_UNIX) {
        c->local = true;
        snprintf(c->peer_text, sizeof c->peer_text, "[local]");
        return;
    }
    len = sizeof c->peer;
    if (getpeername(c->fd, (struct sockaddr *)&c->peer, &len) != 0)
        c->peer.ss_family = AF_UNSPEC;
    const void *a = NULL;
    if (c->peer.ss_family == AF_INET)
        a = &((struct sockaddr_in *)&c->peer)->sin_addr;
    else if (c->peer.ss_family == AF_INET6)
        a = &((struct sockaddr_in6 *)&c->peer)->sin6_addr;
    if (!a || !inet_ntop(c->peer.ss_family, a, c->peer_text, sizeof c->peer_text))
        snprintf(c->peer_text, sizeof c->peer_text, "unknown");
}

/* The TCP addresses and ports of the peer ([0]) and of this end ([1]). */
static bool conn_endpoints(rdb_pgconn_t *c, char addr[2][64], char port[2][8])
{
    struct sockaddr_storage ss[2];
    ss[0] = c->peer;
    socklen_t len = sizeof ss[1];
    if (getsockname(c->fd, (struct sockaddr *)&ss[1], &len) != 0)
        return false;
    for (int i = 0; i < 2; i++) {
        const void *a;
        unsigned p;
        if (ss[i].ss_family == AF_INET) {
            a = &((struct sockaddr_in *)&ss[i])->sin_addr;
            p = ntohs(((struct sockaddr_in *)&ss[i])->sin_port);
        } else if (ss[i].ss_family == AF_INET6) {
            a = &((struct sockaddr_in6 *)&ss[i])->sin6_addr;
            p = ntohs(((struct sockaddr_in6 *)&ss[i])->sin6_port);
        } else {
            return false;
        }
        if (!inet_ntop(ss[i].ss_family, a, addr[i], 64))
            return false;
        snprintf(port[i], 8, "%u", p);
    }
    return true;
}

void rdb_pgconn_start(rdb_pgworker_t *w, int fd)
{
    rdb_pgconn_t *c = calloc(1, sizeof *c);
    c->w = w;
    c->fd = fd;
    c->io = &plain_io;
    conn_identify(c);
    pthread_mutex_lock(&w->sh->sec_mu);
    c->sec = rdb_pgsec_ref(w->sh->sec);
    pthread_mutex_unlock(&w->sh->sec_mu);
    c->lookup = (rdb_pgsec_lookup_ctx_t){ w->sh->be, c->sec };
    ev_timer_init(&c->timer, timer_cb, (double)c->sec->auth_timeout_ms / 1000.0, 0.);
    c->timer.data = c;
    if (c->sec->auth_timeout_ms > 0)
        ev_timer_start(w->loop, &c->timer);
    c->state = CS_STARTUP;
    c->job_err = (rdb_err_t)RDB_ERR_INIT;
    c->sink = (rdb_sink_t){ c, s_row_desc, s_data_row, s_command_complete, s_empty_query,
                            s_notice, s_parameter_status, s_copy_out_begin, s_copy_out_data,
                            s_copy_out_end, s_copy_in_begin };
    ev_io_init(&c->rio, read_cb, fd, EV_READ);
    ev_io_init(&c->wio, write_cb, fd, EV_WRITE);
    c->rio.data = c;
    c->wio.data = c;
    c->next = w->conns;
    if (w->conns)
        w->conns->prev = c;
    w->conns = c;
    w->nconns++;
    ev_io_start(w->loop, &c->rio);
}

static void conn_close(rdb_pgconn_t *c)
{
    rdb_pgworker_t *w = c->w;
    const rdb_backend_t *be = w->sh->be;
    ev_io_stop(w->loop, &c->rio);
    ev_io_stop(w->loop, &c->wio);
    ev_timer_stop(w->loop, &c->timer);
    key_unregister(c);
    while (c->portals)
        portal_drop(c, &c->portals);
    while (c->stmts)
        stmt_drop(c, &c->stmts);
    if (c->sess) {
        if (c->state == CS_COPY_IN)
            be->copy_in_fail(c->sess, "connection closed");
        be->session_close(c->sess);
    }
    if (c->counted)
        atomic_fetch_sub(&w->sh->nsessions, 1);
    c->io->close(c);
    rdb_tls_conn_free(c->tls);
    rdb_auth_free(c->auth);
    free(c->startup);
    rdb_pgsec_unref(c->sec);
    if (c->prev)
        c->prev->next = c->next;
    else
        w->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    w->nconns--;
    rdb_buf_free(&c->in);
    rdb_buf_free(&c->out);
    rdb_err_clear(&c->job_err);
    free(c->job_sql);
    free(c);
    if (w->stop && w->nconns == 0)
        ev_break(w->loop, EVBREAK_ALL);
}

/* ---- start-up ---- */

static void send_ready(rdb_pgconn_t *c)
{
    const rdb_backend_t *be = c->w->sh->be;
    char st = be->txn_status(c->sess);
    rdb_pgw_ready(&c->out, st);
    /* idle in a transaction block: idle_in_transaction_session_timeout
     * starts now, and stops when the client sends anything */
    int64_t ms = st != 'I' && be->idle_in_txn_timeout_ms ? be->idle_in_txn_timeout_ms(c->sess) : 0;
    if (c->idle_armed) {
        ev_timer_stop(c->w->loop, &c->timer);
        c->idle_armed = false;
    }
    if (ms > 0) {
        ev_timer_set(&c->timer, (double)ms / 1000.0, 0.);
        ev_timer_start(c->w->loop, &c->timer);
        c->idle_armed = true;
    }
}

static void apply_options(const char *opts, rdb_startup_t *st, const char **names,
                          const char **values, char *store, size_t cap)
{
    /* "-c name=value" / "--name=value" pairs, space separated. */
    size_t used = 0;
    const char *p = opts;
    while (*p && st->nguc < 32) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        const char *tok = p;
        while (*p && *p != ' ')
            p++;
        size_t len = (size_t)(p - tok);
        if (len == 2 && strncmp(tok, "-c", 2) == 0)
            continue;
        if (len > 2 && strncmp(tok, "--", 2) == 0) {
            tok += 2;
            len -= 2;
        } else if (len > 2 && strncmp(tok, "-c", 2) == 0) {
            tok += 2;
            len -= 2;
        }
        const char *eq = memchr(tok, '=', len);
        if (!eq || used + len + 1 > cap)
            continue;
        char *nm = store + used;
        memcpy(nm, tok, len);
        nm[len] = 0;
        nm[eq - tok] = 0;
        used += len + 1;
        names[st->nguc] = nm;
        values[st->nguc] = nm + (eq - tok) + 1;
        st->nguc++;
    }
}

/* A StartupMessage's parameters, split the way the backend wants them.
 * Pointers refer to the message body and to optstore. */
typedef struct startup_params {
    rdb_pgstartup_t su;
    rdb_startup_t   st;
    const char     *gn[64], *gv[64];
    const char     *unknown[RDB_PG_MAX_STARTUP_PARAMS];
    int             nunknown;
    char            optstore[1024];
} startup_params_t;

static rdb_status_t parse_startup(const rdb_pgmsg_t *m, startup_params_t *sp, rdb_err_t *err)
{
    if (rdb_pg_parse_startup(m, &sp->su, err) != RDB_OK)
        return err->code;
    rdb_startup_t *st = &sp->st;
    memset(st, 0, sizeof *st);
    sp->nunknown = 0;
    for (int i = 0; i < sp->su.nparams; i++) {
        const char *n = sp->su.names[i], *v = sp->su.values[i];
        if (strcmp(n, "user") == 0)
            st->user = v;
        else if (strcmp(n, "database") == 0)
            st->database = v;
        else if (strcmp(n, "application_name") == 0)
            st->application_name = v;
        else if (strcmp(n, "options") == 0)
            apply_options(v, st, sp->gn, sp->gv, sp->optstore, sizeof sp->optstore);
        else if (strncmp(n, "_pq_.", 5) == 0)
            sp->unknown[sp->nunknown++] = n;
        else if (strcmp(n, "replication") == 0)
            continue;
        else if (st->nguc < 64) {
            sp->gn[st->nguc] = n;
            sp->gv[st->nguc] = v;
            st->nguc++;
        }
    }
    if (!st->user || !st->user[0])
        return rdb_err_set(err, RDB_PROTOCOL, "28000",
                           "no PostgreSQL user name specified in startup packet");
    if (!st->database || !st->database[0])
        st->database = st->user;
    st->guc_names = sp->gn;
    st->guc_values = sp->gv;
    return RDB_OK;
}

/* Send err as FATAL and close once it is written. */
static void fatal_err(rdb_pgconn_t *c, rdb_err_t *err)
{
    err->severity = RDB_SEV_FATAL;
    send_error(c, err);
    RDB_LOG_DEBUG("pgwire", "closing connection: %s", err->msg);
    rdb_err_clear(err);
    c->close_after_flush = true;
    c->state = CS_CLOSING;
}

/* A refused login: the error waits auth-failure-delay (28xxx only) to slow
 * down password guessing, without blocking the loop. */
static void auth_failed(rdb_pgconn_t *c, rdb_err_t *err)
{
    RDB_LOG_INFO("pgwire", "connection from %s refused: %s", c->peer_text, err->msg);
    bool delay = strncmp(err->sqlstate, "28", 2) == 0 && c->sec->fail_delay_ms > 0;
    fatal_err(c, err);
    if (delay) {
        c->delayed = true;
        ev_timer_stop(c->w->loop, &c->timer);
        ev_timer_set(&c->timer, (double)c->sec->fail_delay_ms / 1000.0, 0.);
        ev_timer_start(c->w->loop, &c->timer);
    }
}

/* Authenticated: open the session and send ParameterStatus ... ReadyForQuery
 * (AuthenticationOk is already in c->out). */
static void session_begin(rdb_pgconn_t *c)
{
    const rdb_backend_t *be = c->w->sh->be;
    startup_params_t sp;
    rdb_err_t err = RDB_ERR_INIT;
    rdb_pgmsg_t m = { 0, c->startup, c->startup_len };
    if (parse_startup(&m, &sp, &err) != RDB_OK) { /* parsed once already: cannot fail */
        fatal_err(c, &err);
        return;
    }
    sp.st.backend_pid = c->pid;
    sp.st.superuser = rdb_auth_superuser(c->auth);
    char addr[2][64], port[2][8];
    if (!c->local && conn_endpoints(c, addr, port)) {
        sp.st.client_addr = addr[0];
        sp.st.client_port = port[0];
        sp.st.server_addr = addr[1];
        sp.st.server_port = port[1];
    }
    rdb_session_t *sess = NULL;
    if (be->session_open(be->engine, &sp.st, &sess, &err) != RDB_OK) {
        fatal_err(c, &err);
        return;
    }
    ev_timer_stop(c->w->loop, &c->timer);
    rdb_auth_free(c->auth);
    c->auth = NULL;
    free(c->startup);
    c->startup = NULL;
    pthread_mutex_lock(&keys_mu);
    c->sess = sess;
    pthread_mutex_unlock(&keys_mu);
    const char *const *pn, *const *pv;
    int np = be->session_params(sess, &pn, &pv);
    for (int i = 0; i < np; i++)
        s_parameter_status(c, pn[i], pv[i]);
    size_t mm = rdb_pgw_begin(&c->out, 'K');
    rdb_buf_append_u32_be(&c->out, (uint32_t)c->pid);
    rdb_buf_append_u32_be(&c->out, (uint32_t)c->secret);
    rdb_pgw_end(&c->out, mm);
    send_ready(c);
    c->state = CS_READY;
}

static void auth_result(rdb_pgconn_t *c, rdb_status_t rc, rdb_err_t *err)
{
    if (rc != RDB_OK) {
        auth_failed(c, err);
        return;
    }
    if (rdb_auth_state(c->auth) == RDB_AUTH_OK) {
        RDB_LOG_DEBUG("pgwire", "authenticated connection from %s (%s%s)", c->peer_text,
                      rdb_auth_method_name(rdb_auth_used_method(c->auth)), c->tls ? ", TLS" : "");
        session_begin(c);
    }
}

/* Choose the method by the hba rules and send the first challenge. */
static void auth_begin(rdb_pgconn_t *c, const rdb_startup_t *st)
{
    rdb_pgsec_t *sec = c->sec;
    rdb_err_t err = RDB_ERR_INIT;
    rdb_hba_client_t hc = { .local = c->local, .addr = (const struct sockaddr *)&c->peer,
                            .tls = c->tls != NULL, .database = st->database, .user = st->user };
    rdb_auth_method_t method;
    if (rdb_hba_match(sec->hba, &hc, &method, NULL, &err) != RDB_OK) {
        auth_failed(c, &err);
        return;
    }
    unsigned char ep[RDB_TLS_ENDPOINT_MAX];
    size_t eplen = c->tls ? rdb_tls_conn_endpoint(c->tls, ep) : 0;
    rdb_auth_params_t p = {
        .method = method, .user = st->user, .database = st->database,
        .client_addr = c->local ? NULL : c->peer_text, .tls = c->tls != NULL,
        .cbind_data = eplen ? ep : NULL, .cbind_len = eplen,
        /* a Unix socket never leaves the machine */
        .allow_cleartext_without_tls = sec->cleartext_without_tls || c->local,
        .secret = sec->secret, .secret_len = sizeof sec->secret,
        .now_ms = (int64_t)rdb_wall_ms(), .lookup = rdb_pgsec_lookup, .lookup_ctx = &c->lookup,
    };
    c->auth = rdb_auth_new(&p);
    c->state = CS_AUTH;
    auth_result(c, rdb_auth_start(c->auth, &c->out, &err), &err);
}

/* A message during AUTH: only PasswordMessage / SASL responses ('p'). */
static void on_auth_msg(rdb_pgconn_t *c, const rdb_pgmsg_t *m)
{
    rdb_err_t err = RDB_ERR_INIT;
    if (m->type != 'p') {
        if (m->type == 'X') { /* psql hangs up to ask for the password */
            c->close_after_flush = true;
            c->state = CS_CLOSING;
            return;
        }
        char t[8];
        snprintf(t, sizeof t, "%d", (unsigned char)m->type);
        fatal(c, RDB_SQLSTATE_PROTOCOL_VIOLATION, "expected password response, got message type %s", t);
        return;
    }
    auth_result(c, rdb_auth_step(c->auth, m->body, m->len, &c->out, &err), &err);
}

/* SSLRequest: 'S' and a TLS handshake when a certificate is configured. */
static void on_ssl_request(rdb_pgconn_t *c)
{
    if (c->tls) {
        fatal(c, RDB_SQLSTATE_PROTOCOL_VIOLATION, "SSL request over an encrypted connection%s", "");
        return;
    }
    rdb_tls_ctx_t *ctx = c->sec->tls;
    if (!ctx || c->ssl_asked || !(c->tls = rdb_tls_conn_new(ctx, c->fd))) {
        rdb_buf_append_u8(&c->out, 'N');
        c->ssl_asked = true;
        return;
    }
    c->ssl_asked = true;
    rdb_buf_append_u8(&c->out, 'S');
    c->state = CS_TLS_HANDSHAKE;
}

static void tls_handshake_step(rdb_pgconn_t *c)
{
    c->tls_want_write = false;
    switch (rdb_tls_handshake(c->tls)) {
    case RDB_TLS_OK:
        c->io = &tls_io;
        c->state = CS_STARTUP;
        RDB_LOG_DEBUG("pgwire", "TLS with %s: %s %s", c->peer_text, rdb_tls_version(c->tls),
                      rdb_tls_cipher(c->tls));
        break;
    case RDB_TLS_WANT_WRITE:
        c->tls_want_write = true;
        break;
    case RDB_TLS_WANT_READ:
        break;
    case RDB_TLS_CLOSED:
    case RDB_TLS_ERROR:
        RDB_LOG_INFO("pgwire", "TLS handshake with %s failed: %s", c->peer_text,
                     rdb_tls_error(c->tls));
        conn_close(c);
        return;
    }
    update_watchers(c);
}

static void timer_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
    rdb_pgconn_t *c = t->data;
    if (c->idle_armed) {
        c->idle_armed = false;
        RDB_LOG_INFO("pgwire", "connection from %s: idle-in-transaction timeout", c->peer_text);
        fatal(c, "25P03", "terminating connection due to idle-in-transaction timeout%s", "");
        conn_flush(c);
        return;
    }
    if (c->delayed) { /* a failed login's error may go now */
        c->delayed = false;
        conn_flush(c);
        return;
    }
    /* authentication-timeout: PostgreSQL closes without a word, so do we */
    RDB_LOG_INFO("pgwire", "connection from %s: authentication timed out", c->peer_text);
    conn_close(c);
}

static void handle_startup(rdb_pgconn_t *c, const rdb_pgmsg_t *m)
{
    rdb_pgshared_t *sh = c->w->sh;
    const rdb_backend_t *be = sh->be;
    if (m->len < 4) {
        fatal(c, RDB_SQLSTATE_PROTOCOL_VIOLATION, "invalid length of startup packet%s", "");
        return;
    }
    rdb_pgrd_t rd;
    rdb_pgrd_init(&rd, m);
    uint32_t code = (uint32_t)rdb_pgrd_i32(&rd);
    if (code == RDB_PG_SSL_REQUEST || code == RDB_PG_GSSENC_REQUEST) {
        if (m->len != 4) {
            fatal(c, RDB_SQLSTATE_PROTOCOL_VIOLATION, "invalid length of startup packet%s", "");
            return;
        }
        if (code == RDB_PG_SSL_REQUEST)
            on_ssl_request(c);
        else
            rdb_buf_append_u8(&c->out, 'N');
        return;
    }
    if (code == RDB_PG_CANCEL_REQUEST) {
        if (m->len == 12) {
            int32_t pid = rdb_pgrd_i32(&rd);
            int32_t secret = rdb_pgrd_i32(&rd);
            key_cancel(be, pid, secret);
        }
        c->close_after_flush = true;
        c->state = CS_CLOSING;
        return;
    }
    if ((code >> 16) != 3) {
        char v[32];
        snprintf(v, sizeof v, "%u.%u", code >> 16, code & 0xffff);
        fatal(c, RDB_SQLSTATE_FEATURE_NOT_SUPPORTED,
              "unsupported frontend protocol %s: server supports 3.0 to 3.0", v);
        return;
    }
    startup_params_t sp;
    rdb_err_t err = RDB_ERR_INIT;
    if (parse_startup(m, &sp, &err) != RDB_OK) {
        fatal_err(c, &err);
        return;
    }
    if ((code & 0xffff) != 0 || sp.nunknown > 0) {
        size_t mm = rdb_pgw_begin(&c->out, 'v');
        rdb_buf_append_u32_be(&c->out, 0);
        rdb_buf_append_u32_be(&c->out, (uint32_t)sp.nunknown);
        for (int i = 0; i < sp.nunknown; i++)
            rdb_pgw_str(&c->out, sp.unknown[i]);
        rdb_pgw_end(&c->out, mm);
    }
    if (atomic_fetch_add(&sh->nsessions, 1) >= atomic_load(&sh->max_connections)) {
        atomic_fetch_sub(&sh->nsessions, 1);
        fatal(c, RDB_SQLSTATE_TOO_MANY_CONNECTIONS, "sorry, too many clients already%s", "");
        return;
    }
    c->counted = true;
    if (key_register(c) < 0) {
        fatal(c, RDB_SQLSTATE_TOO_MANY_CONNECTIONS, "sorry, too many clients already%s", "");
        return;
    }
    c->startup = rdb_memdup(m->body, m->len);
    c->startup_len = m->len;
    auth_begin(c, &sp.st);
}

/* ---- offload ---- */

static void *job_main(void *arg)
{
    rdb_pgconn_t *c = arg;
    const rdb_backend_t *be = c->w->sh->be;
    if (c->job == JOB_SIMPLE)
        c->job_rc = be->simple_query(c->sess, c->job_sql, 0, &c->sink, &c->job_state, &c->job_err);
    else
        c->job_rc = be->execute(c->sess, c->job_portal, c->job_max_rows, 0, &c->sink,
                                &c->job_state, &c->job_err);
    rdb_pgworker_t *w = c->w;
    pthread_mutex_lock(&w->mu);
    c->next_done = w->done;
    w->done = c;
    pthread_mutex_unlock(&w->mu);
    ev_async_send(w->loop, &w->wake);
    return NULL;
}

static void start_job(rdb_pgconn_t *c)
{
    c->busy = true;
    rdb_err_clear(&c->job_err);
    update_watchers(c);
    pthread_attr_t a;
    pthread_attr_init(&a);
    pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
    if (pthread_create(&c->job_thread, &a, job_main, c) != 0) {
        /* No thread: run it here (stalls this loop, but stays correct). */
        pthread_attr_destroy(&a);
        job_main(c);
        return;
    }
    pthread_attr_destroy(&a);
}

/* ---- query handling ---- */

static void simple_done(rdb_pgconn_t *c, rdb_status_t rc, rdb_exec_state_t st, rdb_err_t *err);
static void process_input(rdb_pgconn_t *c);

static void ext_error(rdb_pgconn_t *c, rdb_err_t *err)
{
    send_error(c, err);
    rdb_err_clear(err);
    c->skip_to_sync = true;
}

static void simple_done(rdb_pgconn_t *c, rdb_status_t rc, rdb_exec_state_t st, rdb_err_t *err)
{
    if (rc != RDB_OK) {
        send_error(c, err);
        rdb_err_clear(err);
        send_ready(c);
        return;
    }
    if (st == RDB_EXEC_OFFLOAD) {
        c->job = JOB_SIMPLE;
        start_job(c);
        return;
    }
    if (st == RDB_EXEC_COPY_IN) {
        c->state = CS_COPY_IN;
        return;
    }
    send_ready(c);
}

static void on_query(rdb_pgconn_t *c, const rdb_pgmsg_t *m)
{
    const rdb_backend_t *be = c->w->sh->be;
    rdb_pgrd_t rd;
    rdb_pgrd_init(&rd, m);
    const char *sql = rdb_pgrd_str(&rd);
    if (rd.bad || rdb_pgrd_left(&rd)) {
        fatal(c, RDB_SQLSTATE_PROTOCOL_VIOLATION, "invalid query message%s", "");
        return;
    }
    rdb_err_t err = RDB_ERR_INIT;
    rdb_exec_state_t st = RDB_EXEC_DONE;
    free(c->job_sql);
    c->job_sql = strdup(sql);
    rdb_status_t rc = be->simple_query(c->sess, sql, RDB_EXEC_ON_LOOP, &c->sink, &st, &err);
    simple_done(c, rc, st, &err);
}

static void on_parse(rdb_pgconn_t *c, const rdb_pgmsg_t *m)
{
    const rdb_backend_t *be = c->w->sh->be;
    rdb_pgrd_t rd;
    rdb_pgrd_init(&rd, m);
    const char *name = rdb_pgrd_str(&rd);
    const char *sql = rdb_pgrd_str(&rd);
    int16_t n = rdb_pgrd_i16(&rd);
    rdb_err_t err = RDB_ERR_INIT;
    if (rd.bad || n < 0 || rdb_pgrd_left(&rd) != (size_t)n * 4) {
        fatal(c, RDB_SQLSTATE_PROTOCOL_VIOLATION, "invalid Parse message%s", "");
        return;
    }
    uint32_t *types = malloc(sizeof(uint32_t) * (size_t)(n + 1));
    for (int i = 0; i < n; i++)
        types[i] = (uint32_t)rdb_pgrd_i32(&rd);
    bool in_engine = stmt_in_engine(c, name);
    named_t **old = in_engine ? NULL : named_find(&c->stmts, name);
    if ((old && name[0]) || (in_engine && be->stmt_find(c->sess, name))) {
        rdb_err_set(&err, RDB_SQL, "42P05", "prepared statement \"%s\" already exists", name);
        ext_error(c, &err);
        free(types);
        return;
    }
    rdb_stmt_t *st;
    rdb_status_t rc = be->prepare(c->sess, sql, n, types, &st, &err);
    free(types);
    if (rc == RDB_OK && in_engine && be->stmt_store(c->sess, name, st, &err) != RDB_OK) {
        be->stmt_free(st);
        rc = RDB_SQL;
    }
    if (rc != RDB_OK) {
        ext_error(c, &err);
        return;
    }
    if (in_engine) {
        rdb_pgw_end(&c->out, rdb_pgw_begin(&c->out, '1'));
        return;
    }
    if (old)
        stmt_drop(c, old);
    named_add(&c->stmts, name, st, NULL);
    rdb_pgw_end(&c->out, rdb_pgw_begin(&c->out, '1'));
}

static void on_bind(rdb_pgconn_t *c, const rdb_pgmsg_t *m)
{
    const rdb_backend_t *be = c->w->sh->be;
    rdb_pgrd_t rd;
    rdb_pgrd_init(&rd, m);
    rdb_err_t err = RDB_ERR_INIT;
    int16_t *fmts_in = NULL, *fmts = NULL, *rf = NULL;
    const char **vals = NULL;
    int32_t *lens = NULL;
    const char *pname = rdb_pgrd_str(&rd);
    const char *sname = rdb_pgrd_str(&rd);
    int16_t nf = rdb_pgrd_i16(&rd);
    int16_t np = 0, nr = 0;
    /* Counts are checked against the bytes present before allocating. */
    if (rd.bad || nf < 0 || rdb_pgrd_left(&rd) < (size_t)nf * 2)
        goto bad;
    fmts_in = malloc(sizeof(int16_t) * (size_t)(nf + 1));
    for (int i = 0; i < nf; i++)
        fmts_in[i] = rdb_pgrd_i16(&rd);
    np = rdb_pgrd_i16(&rd);
    if (rd.bad || np < 0 || rdb_pgrd_left(&rd) < (size_t)np * 4)
        goto bad;
    if (nf > 1 && nf != np) {
        rdb_err_set(&err, RDB_PROTOCOL, RDB_SQLSTATE_PROTOCOL_VIOLATION,
                    "bind message has %d parameter formats but %d parameters", nf, np);
        ext_error(c, &err);
        goto out;
    }
    fmts = malloc(sizeof(int16_t) * (size_t)(np + 1));
    vals = malloc(sizeof(char *) * (size_t)(np + 1));
    lens = malloc(sizeof(int32_t) * (size_t)(np + 1));
    for (int i = 0; i < np; i++) {
        fmts[i] = nf == 0 ? 0 : nf == 1 ? fmts_in[0] : fmts_in[i];
        if (fmts[i] != 0 && fmts[i] != 1) {
            rdb_err_set(&err, RDB_PROTOCOL, RDB_SQLSTATE_PROTOCOL_VIOLATION,
                        "unsupported format code: %d", fmts[i]);
            ext_error(c, &err);
            goto out;
        }
        lens[i] = rdb_pgrd_i32(&rd);
        if (lens[i] < -1)
            goto bad;
        vals[i] = lens[i] < 0 ? NULL : rdb_pgrd_bytes(&rd, (size_t)lens[i]);
        if (rd.bad)
            goto bad;
    }
    nr = rdb_pgrd_i16(&rd);
    if (rd.bad || nr < 0 || rdb_pgrd_left(&rd) != (size_t)nr * 2)
        goto bad;
    rf = malloc(sizeof(int16_t) * (size_t)(nr + 1));
    for (int i = 0; i < nr; i++)
        rf[i] = rdb_pgrd_i16(&rd);
    rdb_stmt_t *sh = stmt_lookup(c, sname);
    if (!sh) {
        rdb_err_set(&err, RDB_SQL, "26000", "prepared statement \"%s\" does not exist", sname);
        ext_error(c, &err);
        goto out;
    }
    named_t **old = named_find(&c->portals, pname);
    if (old && pname[0]) {
        rdb_err_set(&err, RDB_SQL, "42P03", "portal \"%s\" already exists", pname);
        ext_error(c, &err);
        goto out;
    }
    if (old)
        portal_drop(c, old);
    rdb_portal_t *p;
    if (be->bind(c->sess, sh, np, fmts, vals, lens, nr, rf, &p, &err) != RDB_OK) {
        ext_error(c, &err);
        goto out;
    }
    /* a portal of an engine-kept statement holds it itself (backend.h) */
    named_add(&c->portals, pname, p, stmt_in_engine(c, sname) ? NULL : sh);
    rdb_pgw_end(&c->out, rdb_pgw_begin(&c->out, '2'));
    goto out;
bad:
    fatal(c, RDB_SQLSTATE_PROTOCOL_VIOLATION, "invalid Bind message%s", "");
out:
    free(fmts_in);
    free(fmts);
    free(vals);
    free(lens);
    free(rf);
}

static void row_desc_or_nodata(rdb_pgconn_t *c, int ncols, const rdb_coldesc_t *cols)
{
    if (ncols == 0)
        rdb_pgw_end(&c->out, rdb_pgw_begin(&c->out, 'n'));
    else
        s_row_desc(c, ncols, cols);
}

static void on_describe(rdb_pgconn_t *c, const rdb_pgmsg_t *m)
{
    const rdb_backend_t *be = c->w->sh->be;
    rdb_pgrd_t rd;
    rdb_pgrd_init(&rd, m);
    rdb_err_t err = RDB_ERR_INIT;
    uint8_t kind = rdb_pgrd_u8(&rd);
    const char *name = rdb_pgrd_str(&rd);
    if (rd.bad || rdb_pgrd_left(&rd) || (kind != 'S' && kind != 'P')) {
        fatal(c, RDB_SQLSTATE_PROTOCOL_VIOLATION, "invalid Describe message%s", "");
        return;
    }
    int ncols;
    const rdb_coldesc_t *cols;
    if (kind == 'S') {
        rdb_stmt_t *sh = stmt_lookup(c, name);
        if (!sh) {
            rdb_err_set(&err, RDB_SQL, "26000", "prepared statement \"%s\" does not exist", name);
            ext_error(c, &err);
            return;
        }
        int np;
        const uint32_t *pt;
        be->stmt_describe(sh, &np, &pt, &ncols, &cols);
        size_t mm = rdb_pgw_begin(&c->out, 't');
        rdb_buf_append_u16_be(&c->out, (uint16_t)np);
        for (int i = 0; i < np; i++)
            rdb_buf_append_u32_be(&c->out, pt[i]);
        rdb_pgw_end(&c->out, mm);
    } else {
        named_t **n = named_find(&c->portals, name);
        if (!n) {
            rdb_err_set(&err, RDB_SQL, "34000", "portal \"%s\" does not exist", name);
            ext_error(c, &err);
            return;
        }
        be->portal_describe((*n)->h, &ncols, &cols);
    }
    row_desc_or_nodata(c, ncols, cols);
}

static void execute_done(rdb_pgconn_t *c, rdb_status_t rc, rdb_exec_state_t st, rdb_err_t *err)
{
    if (rc != RDB_OK) {
        ext_error(c, err);
        return;
    }
    if (st == RDB_EXEC_OFFLOAD) {
        c->job = JOB_EXECUTE;
        start_job(c);
        return;
    }
    if (st == RDB_EXEC_SUSPENDED)
        rdb_pgw_end(&c->out, rdb_pgw_begin(&c->out, 's'));
    else if (st == RDB_EXEC_COPY_IN) {
        rdb_err_set(err, RDB_SQL, RDB_SQLSTATE_FEATURE_NOT_SUPPORTED,
                    "COPY FROM STDIN in the extended protocol is not supported");
        ext_error(c, err);
    }
}

static void on_execute(rdb_pgconn_t *c, const rdb_pgmsg_t *m)
{
    const rdb_backend_t *be = c->w->sh->be;
    rdb_pgrd_t rd;
    rdb_pgrd_init(&rd, m);
    rdb_err_t err = RDB_ERR_INIT;
    const char *name = rdb_pgrd_str(&rd);
    int32_t max_rows = rdb_pgrd_i32(&rd);
    if (rd.bad || rdb_pgrd_left(&rd)) {
        fatal(c, RDB_SQLSTATE_PROTOCOL_VIOLATION, "invalid Execute message%s", "");
        return;
    }
    named_t **n = named_find(&c->portals, name);
    if (!n) {
        rdb_err_set(&err, RDB_SQL, "34000", "portal \"%s\" does not exist", name);
        ext_error(c, &err);
        return;
    }
    rdb_exec_state_t st = RDB_EXEC_DONE;
    c->job_portal = (*n)->h;
    c->job_max_rows = max_rows < 0 ? 0 : max_rows;
    rdb_status_t rc = be->execute(c->sess, (*n)->h, c->job_max_rows, RDB_EXEC_ON_LOOP, &c->sink,
                                  &st, &err);
    execute_done(c, rc, st, &err);
}

static void on_close(rdb_pgconn_t *c, const rdb_pgmsg_t *m)
{
    rdb_pgrd_t rd;
    rdb_pgrd_init(&rd, m);
    uint8_t kind = rdb_pgrd_u8(&rd);
    const char *name = rdb_pgrd_str(&rd);
    if (rd.bad || rdb_pgrd_left(&rd) || (kind != 'S' && kind != 'P')) {
        fatal(c, RDB_SQLSTATE_PROTOCOL_VIOLATION, "invalid Close message%s", "");
        return;
    }
    if (kind == 'S' && stmt_in_engine(c, name)) {
        c->w->sh->be->stmt_close(c->sess, name);
        rdb_pgw_end(&c->out, rdb_pgw_begin(&c->out, '3'));
        return;
    }
    named_t **n = named_find(kind == 'S' ? &c->stmts : &c->portals, name);
    if (n) {
        if (kind == 'S')
            stmt_drop(c, n);
        else
            portal_drop(c, n);
    }
    rdb_pgw_end(&c->out, rdb_pgw_begin(&c->out, '3'));
}

static void on_sync(rdb_pgconn_t *c)
{
    const rdb_backend_t *be = c->w->sh->be;
    rdb_err_t err = RDB_ERR_INIT;
    c->skip_to_sync = false;
    named_t **un = named_find(&c->portals, "");
    if (un)
        portal_drop(c, un);
    if (be->sync(c->sess, &err) != RDB_OK) {
        send_error(c, &err);
        rdb_err_clear(&err);
    }
    send_ready(c);
}

static void on_copy_msg(rdb_pgconn_t *c, const rdb_pgmsg_t *m)
{
    const rdb_backend_t *be = c->w->sh->be;
    rdb_err_t err = RDB_ERR_INIT;
    rdb_exec_state_t st = RDB_EXEC_DONE;
    rdb_status_t rc;
    switch (m->type) {
    case 'd':
        if (be->copy_in_data(c->sess, m->body, m->len, &err) != RDB_OK) {
            be->copy_in_fail(c->sess, err.msg ? err.msg : "error");
            c->state = CS_READY;
            simple_done(c, RDB_SQL, RDB_EXEC_DONE, &err);
        }
        return;
    case 'c':
        c->state = CS_READY;
        rc = be->copy_in_done(c->sess, &c->sink, &err);
        if (rc == RDB_OK)
            rc = be->simple_query_resume(c->sess, &c->sink, &st, &err);
        simple_done(c, rc, st, &err);
        return;
    case 'f': {
        rdb_pgrd_t rd;
        rdb_pgrd_init(&rd, m);
        const char *msg = rdb_pgrd_str(&rd);
        be->copy_in_fail(c->sess, msg);
        c->state = CS_READY;
        rdb_err_set(&err, RDB_SQL, RDB_SQLSTATE_QUERY_CANCELED, "COPY from stdin failed: %s", msg);
        simple_done(c, RDB_SQL, RDB_EXEC_DONE, &err);
        return;
    }
    case 'H':
    case 'S':
        return;
    default: {
        char t[2] = { m->type, 0 };
        be->copy_in_fail(c->sess, "protocol violation");
        c->state = CS_READY;
        fatal(c, RDB_SQLSTATE_PROTOCOL_VIOLATION,
              "unexpected message type 0x%s during COPY from stdin", t);
        return;
    }
    }
}

static void dispatch(rdb_pgconn_t *c, const rdb_pgmsg_t *m)
{
    if (c->state == CS_STARTUP) {
        handle_startup(c, m);
        return;
    }
    if (c->state == CS_AUTH) {
        on_auth_msg(c, m);
        return;
    }
    if (c->state == CS_COPY_IN) {
        on_copy_msg(c, m);
        return;
    }
    if (c->skip_to_sync && m->type != 'S' && m->type != 'X')
        return;
    switch (m->type) {
    case 'Q': on_query(c, m); break;
    case 'P': on_parse(c, m); break;
    case 'B': on_bind(c, m); break;
    case 'D': on_describe(c, m); break;
    case 'E': on_execute(c, m); break;
    case 'C': on_close(c, m); break;
    case 'S': on_sync(c); break;
    case 'H': break; /* output is flushed after every input batch */
    case 'd': case 'c': case 'f': break; /* stray COPY messages are ignored */
    case 'X':
        c->close_after_flush = true;
        c->state = CS_CLOSING;
        break;
    default: {
        char t[8];
        snprintf(t, sizeof t, "%d", (unsigned char)m->type);
        fatal(c, RDB_SQLSTATE_PROTOCOL_VIOLATION, "invalid frontend message type %s", t);
    }
    }
}

/* Run every complete message in c->in (stopping while busy). */
static void process_input(rdb_pgconn_t *c)
{
    size_t off = 0;
    while (!c->busy && c->state != CS_CLOSING && c->state != CS_TLS_HANDSHAKE &&
           out_pending(c) < OUT_HIGH_WATER) {
        rdb_pgmsg_t m;
        size_t used;
        rdb_err_t err = RDB_ERR_INIT;
        uint32_t max = atomic_load(&c->w->sh->max_message);
        if (c->state == CS_AUTH && max > AUTH_MSG_MAX)
            max = AUTH_MSG_MAX; /* an unauthenticated client gets no more */
        int r = rdb_pg_frame(c->in.data + off, c->in.len - off, c->state == CS_STARTUP, max, &m,
                             &used, &err);
        if (r == 0)
            break;
        if (r < 0) {
            err.severity = RDB_SEV_FATAL;
            send_error(c, &err);
            rdb_err_clear(&err);
            c->close_after_flush = true;
            c->state = CS_CLOSING;
            break;
        }
        off += used;
        dispatch(c, &m);
    }
    /* Bytes sent after SSLRequest but before our 'S' were not encrypted:
     * refuse them, as PostgreSQL does (CVE-2021-23214). */
    if (c->state == CS_TLS_HANDSHAKE && off < c->in.len)
        fatal(c, RDB_SQLSTATE_PROTOCOL_VIOLATION, "received unencrypted data after SSL request%s", "");
    if (off)
        rdb_buf_consume(&c->in, off);
    if (c->state == CS_CLOSING)
        c->in.len = 0;
}

static void read_cb(struct ev_loop *loop, ev_io *w, int revents)
{
    rdb_pgconn_t *c = w->data;
    if (c->state == CS_TLS_HANDSHAKE) { /* 'S' first, then the handshake */
        if (out_pending(c) > 0 && (conn_flush(c) < 0 || out_pending(c) > 0))
            return;
        tls_handshake_step(c);
        return;
    }
    for (int rounds = 0; rounds < 4; rounds++) {
        rdb_buf_reserve(&c->in, READ_CHUNK);
        ssize_t n = c->io->read(c, c->in.data + c->in.len, c->in.cap - c->in.len);
        if (n == 0) {
            conn_close(c);
            return;
        }
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                break;
            conn_close(c);
            return;
        }
        c->in.len += (size_t)n;
        if (c->idle_armed) {
            ev_timer_stop(c->w->loop, &c->timer);
            c->idle_armed = false;
        }
        process_input(c);
        if (c->busy || c->state == CS_CLOSING || c->state == CS_TLS_HANDSHAKE ||
            out_pending(c) >= OUT_HIGH_WATER)
            break;
        if ((size_t)n < READ_CHUNK)
            break;
    }
    if (c->in.len == 0 && c->in.cap > 4 * READ_CHUNK)
        rdb_buf_free(&c->in);
    if (!c->busy)
        conn_flush(c);
}

static void write_cb(struct ev_loop *loop, ev_io *w, int revents)
{
    rdb_pgconn_t *c = w->data;
    bool was_paused = c->paused;
    if (c->state == CS_TLS_HANDSHAKE) { /* 'S' first, then the handshake */
        if (out_pending(c) > 0 && (conn_flush(c) < 0 || out_pending(c) > 0))
            return;
        tls_handshake_step(c);
        return;
    }
    bool tls_read_waits = c->tls_want_write;
    c->tls_want_write = false;
    if (conn_flush(c) < 0)
        return;
    if (tls_read_waits) /* the TLS read that wanted the socket writable */
        ev_feed_event(loop, &c->rio, EV_READ);
    if (was_paused && !c->paused && c->in.len > 0) {
        process_input(c);
        if (!c->busy)
            conn_flush(c);
    }
}

/* ---- worker wake-ups ---- */

static void job_finished(rdb_pgconn_t *c)
{
    c->busy = false;
    rdb_status_t rc = c->job_rc;
    rdb_exec_state_t st = c->job_state;
    if (c->job == JOB_SIMPLE)
        simple_done(c, rc, st == RDB_EXEC_OFFLOAD ? RDB_EXEC_DONE : st, &c->job_err);
    else
        execute_done(c, rc, st == RDB_EXEC_OFFLOAD ? RDB_EXEC_DONE : st, &c->job_err);
    if (c->w->stop) {
        c->close_after_flush = true;
        c->state = CS_CLOSING;
    }
    process_input(c);
    if (!c->busy)
        conn_flush(c);
}

void rdb_pgworker_wake_cb(struct ev_loop *loop, ev_async *a, int revents)
{
    rdb_pgworker_t *w = a->data;
    pthread_mutex_lock(&w->mu);
    int nnew = w->nnew;
    int fds[nnew > 0 ? nnew : 1];
    if (nnew > 0)
        memcpy(fds, w->newfds, sizeof(int) * (size_t)nnew);
    w->nnew = 0;
    rdb_pgconn_t *done = w->done;
    w->done = NULL;
    bool stop = w->stop;
    pthread_mutex_unlock(&w->mu);
    for (int i = 0; i < nnew; i++) {
        if (stop)
            close(fds[i]);
        else
            rdb_pgconn_start(w, fds[i]);
    }
    while (done) {
        rdb_pgconn_t *c = done;
        done = c->next_done;
        job_finished(c);
    }
    if (stop) {
        rdb_pgconn_t *next;
        for (rdb_pgconn_t *c = w->conns; c; c = next) {
            next = c->next;
            if (c->busy) {
                pthread_mutex_lock(&keys_mu);
                if (c->sess)
                    w->sh->be->cancel(c->sess);
                pthread_mutex_unlock(&keys_mu);
                continue;
            }
            if (c->state == CS_READY || c->state == CS_COPY_IN) {
                rdb_err_t e = RDB_ERR_INIT;
                rdb_err_set(&e, RDB_UNAVAILABLE, "57P01",
                            "terminating connection due to administrator command");
                e.severity = RDB_SEV_FATAL;
                send_error(c, &e);
                rdb_err_clear(&e);
                out_try_write(c);
            }
            conn_close(c);
        }
        if (w->nconns == 0)
            ev_break(loop, EVBREAK_ALL);
    }
}
