/*
 * listener.c — listening sockets (TCP and Unix), worker threads, signals.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/log.h"
#include "pgwire/conn.h"
#include "pgwire/pgwire.h"
#include "pgwire/security.h"

const rdb_opt_def_t rdb_pgwire_options[] = {
    { "listen", RDB_OPT_STRING, "127.0.0.1", "TCP address to listen on ('' for none)", "ADDR", false },
    { "port", RDB_OPT_INT, "5432", "TCP port (also names the Unix socket)", "PORT", false },
    { "unix-socket-dir", RDB_OPT_STRING, "/tmp", "directory of .s.PGSQL.PORT ('' for none)", "DIR", false },
    { "threads", RDB_OPT_INT, "2", "event-loop threads serving connections", "N", false },
    { "max-connections", RDB_OPT_INT, "1000", "most client sessions at once (53300 beyond)", "N", true },
    { "max-message-size", RDB_OPT_SIZE, "1GB", "largest protocol message accepted", "SIZE", true },
    { "auth", RDB_OPT_STRING, "scram-sha-256", "trust, password, md5 or scram-sha-256 (the default hba rules)", "METHOD", false },
    { "superuser", RDB_OPT_STRING, "postgres", "name of the first superuser of a new data directory", "NAME", false },
    { "password-file", RDB_OPT_STRING, NULL, "first superuser's password (else $RINGDB_PASSWORD), new data directory only", "FILE", false },
    { "hba-file", RDB_OPT_STRING, NULL, "pg_hba.conf-style rules (default: every client uses --auth)", "FILE", true },
    { "ssl-cert", RDB_OPT_STRING, NULL, "TLS certificate (chain) PEM file; with --ssl-key enables TLS", "FILE", true },
    { "ssl-key", RDB_OPT_STRING, NULL, "TLS private key PEM file", "FILE", true },
    { "ssl-ca", RDB_OPT_STRING, NULL, "CA file for client certificates (optional)", "FILE", true },
    { "password-without-tls", RDB_OPT_BOOL, "off", "allow cleartext password auth over TCP without TLS", "BOOL", true },
    { "auth-failure-delay", RDB_OPT_DURATION, "1s", "delay before a failed login's error", "TIME", true },
    { "authentication-timeout", RDB_OPT_DURATION, "60s", "longest time to complete TLS and authentication", "TIME", true },
    { NULL, 0, NULL, NULL, NULL, false },
};

#define MAX_LISTENERS 2

struct rdb_pgwire {
    rdb_pgshared_t   sh;
    struct ev_loop  *loop;
    int              nworkers;
    rdb_pgworker_t  *workers;
    int              next_worker;
    int              nlisten;
    int              lfd[MAX_LISTENERS];
    ev_io            lio[MAX_LISTENERS];
    char             unix_path[108];
    ev_signal        sigterm, sigint, sighup;
    void           (*on_reload)(void *);
    void            *reload_ctx;
};

static int set_nonblock(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

static void *worker_main(void *arg)
{
    rdb_pgworker_t *w = arg;
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, NULL);
    ev_run(w->loop, 0);
    return NULL;
}

static void accept_cb(struct ev_loop *loop, ev_io *io, int revents)
{
    rdb_pgwire_t *pw = io->data;
    for (int i = 0; i < 64; i++) {
        int fd = accept4(io->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
                RDB_LOG_WARN("pgwire", "accept: %s", strerror(errno));
            return;
        }
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        rdb_pgworker_t *w = &pw->workers[pw->next_worker];
        pw->next_worker = (pw->next_worker + 1) % pw->nworkers;
        pthread_mutex_lock(&w->mu);
        if (w->nnew == w->capnew) {
            w->capnew = w->capnew ? w->capnew * 2 : 16;
            w->newfds = realloc(w->newfds, sizeof(int) * (size_t)w->capnew);
        }
        w->newfds[w->nnew++] = fd;
        pthread_mutex_unlock(&w->mu);
        ev_async_send(w->loop, &w->wake);
    }
}

static rdb_status_t listen_tcp(rdb_pgwire_t *pw, const char *addr, int port, rdb_err_t *err)
{
    struct addrinfo hints = { 0 }, *res;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    char ps[16];
    snprintf(ps, sizeof ps, "%d", port);
    int rc = getaddrinfo(addr, ps, &hints, &res);
    if (rc != 0)
        return rdb_err_set(err, RDB_INVALID, "F0000", "could not resolve listen address \"%s\": %s",
                           addr, gai_strerror(rc));
    int fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    if (fd >= 0)
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (fd < 0 || bind(fd, res->ai_addr, res->ai_addrlen) != 0 || listen(fd, 1024) != 0 ||
        set_nonblock(fd) != 0) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        freeaddrinfo(res);
        return rdb_err_set(err, RDB_IOERROR, RDB_SQLSTATE_IO_ERROR,
                           "could not listen on %s:%d: %s", addr, port, strerror(e));
    }
    freeaddrinfo(res);
    pw->lfd[pw->nlisten++] = fd;
    return RDB_OK;
}

static rdb_status_t listen_unix(rdb_pgwire_t *pw, const char *dir, int port, rdb_err_t *err)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    int n = snprintf(sa.sun_path, sizeof sa.sun_path, "%s/.s.PGSQL.%d", dir, port);
    if (n < 0 || (size_t)n >= sizeof sa.sun_path)
        return rdb_err_set(err, RDB_INVALID, "F0000", "Unix socket path too long: %s", dir);
    unlink(sa.sun_path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(fd, 1024) != 0 ||
        set_nonblock(fd) != 0) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        return rdb_err_set(err, RDB_IOERROR, RDB_SQLSTATE_IO_ERROR,
                           "could not listen on Unix socket \"%s\": %s", sa.sun_path, strerror(e));
    }
    snprintf(pw->unix_path, sizeof pw->unix_path, "%s", sa.sun_path);
    pw->lfd[pw->nlisten++] = fd;
    return RDB_OK;
}

static void signal_cb(struct ev_loop *loop, ev_signal *s, int revents);

rdb_status_t rdb_pgwire_new(const rdb_config_t *cfg, const rdb_backend_t *backend,
                            rdb_pgwire_t **out, rdb_err_t *err)
{
    int64_t port = rdb_config_int(cfg, "port");
    int64_t threads = rdb_config_int(cfg, "threads");
    if (port < 0 || port > 65535)
        return rdb_err_set(err, RDB_INVALID, RDB_SQLSTATE_INVALID_PARAMETER, "invalid port %lld",
                           (long long)port);
    if (threads < 1 || threads > 256)
        return rdb_err_set(err, RDB_INVALID, RDB_SQLSTATE_INVALID_PARAMETER,
                           "threads must be between 1 and 256");
    rdb_pgsec_t *sec;
    if (rdb_pgsec_init_datadir(cfg, err) != RDB_OK || rdb_pgsec_build(cfg, &sec, err) != RDB_OK)
        return err->code;
    rdb_pgwire_t *pw = calloc(1, sizeof *pw);
    pw->sh.be = backend;
    pthread_mutex_init(&pw->sh.sec_mu, NULL);
    rdb_pgwire_reconfigure(pw, cfg);
    pw->sh.sec = sec;
    pw->loop = ev_loop_new(EVFLAG_AUTO);
    /* Signals are watched from here on, before the sockets listen: clients
     * (and tests) may connect, and send SIGHUP, before rdb_pgwire_run; the
     * signal is then handled as soon as the loop runs, not lost. */
    ev_signal_init(&pw->sigterm, signal_cb, SIGTERM);
    ev_signal_init(&pw->sigint, signal_cb, SIGINT);
    ev_signal_init(&pw->sighup, signal_cb, SIGHUP);
    pw->sigterm.data = pw->sigint.data = pw->sighup.data = pw;
    ev_signal_start(pw->loop, &pw->sigterm);
    ev_signal_start(pw->loop, &pw->sigint);
    ev_signal_start(pw->loop, &pw->sighup);
    const char *addr = rdb_config_str(cfg, "listen");
    const char *udir = rdb_config_str(cfg, "unix-socket-dir");
    rdb_status_t st = RDB_OK;
    if (addr && addr[0])
        st = listen_tcp(pw, addr, (int)port, err);
    if (st == RDB_OK && udir && udir[0])
        st = listen_unix(pw, udir, (int)port, err);
    if (st == RDB_OK && pw->nlisten == 0)
        st = rdb_err_set(err, RDB_INVALID, RDB_SQLSTATE_INVALID_PARAMETER,
                         "neither --listen nor --unix-socket-dir is set");
    if (st != RDB_OK) {
        rdb_pgwire_free(pw);
        return st;
    }
    pw->nworkers = (int)threads;
    pw->workers = calloc((size_t)threads, sizeof *pw->workers);
    for (int i = 0; i < pw->nworkers; i++) {
        rdb_pgworker_t *w = &pw->workers[i];
        w->sh = &pw->sh;
        w->loop = ev_loop_new(EVFLAG_AUTO);
        pthread_mutex_init(&w->mu, NULL);
        ev_async_init(&w->wake, rdb_pgworker_wake_cb);
        w->wake.data = w;
        ev_async_start(w->loop, &w->wake);
    }
    *out = pw;
    return RDB_OK;
}

void rdb_pgwire_reconfigure(rdb_pgwire_t *pw, const rdb_config_t *cfg)
{
    int64_t mc = rdb_config_int(cfg, "max-connections");
    int64_t mm = rdb_config_size(cfg, "max-message-size");
    atomic_store(&pw->sh.max_connections, (int)(mc < 1 ? 1 : mc > 1000000 ? 1000000 : mc));
    atomic_store(&pw->sh.max_message, (unsigned)(mm < 1024 ? 1024 : mm > 0x40000000 ? 0x40000000 : mm));
    if (!pw->sh.sec)
        return; /* start-up: rdb_pgwire_new builds the first snapshot */
    /* SIGHUP: new hba rules, certificate and roles; a bad file keeps the old. */
    rdb_pgsec_t *sec;
    rdb_err_t err = RDB_ERR_INIT;
    if (rdb_pgsec_build(cfg, &sec, &err) != RDB_OK) {
        RDB_LOG_ERROR("pgwire", "%s; the previous authentication settings stay in effect", err.msg);
        rdb_err_clear(&err);
        return;
    }
    pthread_mutex_lock(&pw->sh.sec_mu);
    rdb_pgsec_t *old = pw->sh.sec;
    pw->sh.sec = sec;
    pthread_mutex_unlock(&pw->sh.sec_mu);
    rdb_pgsec_unref(old);
    RDB_LOG_INFO("pgwire", "reloaded authentication settings (%d hba rules, TLS %s)",
                 rdb_hba_nrules(sec->hba), sec->tls ? "on" : "off");
}

static void signal_cb(struct ev_loop *loop, ev_signal *s, int revents)
{
    rdb_pgwire_t *pw = s->data;
    if (s->signum == SIGHUP) {
        RDB_LOG_INFO("pgwire", "SIGHUP: reloading configuration");
        if (pw->on_reload)
            pw->on_reload(pw->reload_ctx);
        return;
    }
    RDB_LOG_INFO("pgwire", "signal %d: shutting down", s->signum);
    ev_break(loop, EVBREAK_ALL);
}

void rdb_pgwire_run(rdb_pgwire_t *pw, void (*on_reload)(void *ctx), void *ctx)
{
    pw->on_reload = on_reload;
    pw->reload_ctx = ctx;
    signal(SIGPIPE, SIG_IGN);
    for (int i = 0; i < pw->nworkers; i++)
        pthread_create(&pw->workers[i].thread, NULL, worker_main, &pw->workers[i]);
    for (int i = 0; i < pw->nlisten; i++) {
        ev_io_init(&pw->lio[i], accept_cb, pw->lfd[i], EV_READ);
        pw->lio[i].data = pw;
        ev_io_start(pw->loop, &pw->lio[i]);
    }
    RDB_LOG_INFO("pgwire", "accepting connections (%d threads)", pw->nworkers);
    ev_run(pw->loop, 0);
    for (int i = 0; i < pw->nlisten; i++)
        ev_io_stop(pw->loop, &pw->lio[i]);
    for (int i = 0; i < pw->nworkers; i++) {
        rdb_pgworker_t *w = &pw->workers[i];
        pthread_mutex_lock(&w->mu);
        w->stop = true;
        pthread_mutex_unlock(&w->mu);
        ev_async_send(w->loop, &w->wake);
    }
    for (int i = 0; i < pw->nworkers; i++)
        pthread_join(pw->workers[i].thread, NULL);
}

void rdb_pgwire_free(rdb_pgwire_t *pw)
{
    if (!pw)
        return;
    for (int i = 0; i < pw->nlisten; i++)
        close(pw->lfd[i]);
    if (pw->unix_path[0])
        unlink(pw->unix_path);
    for (int i = 0; pw->workers && i < pw->nworkers; i++) {
        rdb_pgworker_t *w = &pw->workers[i];
        ev_async_stop(w->loop, &w->wake);
        ev_loop_destroy(w->loop);
        pthread_mutex_destroy(&w->mu);
        free(w->newfds);
    }
    free(pw->workers);
    rdb_pgsec_unref(pw->sh.sec);
    pthread_mutex_destroy(&pw->sh.sec_mu);
    if (pw->loop) {
        ev_signal_stop(pw->loop, &pw->sigterm);
        ev_signal_stop(pw->loop, &pw->sigint);
        ev_signal_stop(pw->loop, &pw->sighup);
        ev_loop_destroy(pw->loop);
    }
    free(pw);
}
