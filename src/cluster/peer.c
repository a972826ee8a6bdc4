/*
 * peer.c — peer links on libev; see peer.h for the contract.
 *
 * Link life cycle:
 *   outbound: CONNECTING -> (connected) HANDSHAKE: wait CHALLENGE, send AUTH,
 *             wait AUTH_OK -> UP
 *   inbound:  accepted -> HANDSHAKE: send CHALLENGE, wait AUTH, send AUTH_OK
 *             -> UP
 * Any error kills the link: watchers stop, the fd closes, and the struct is
 * freed later from an ev_prepare watcher (never inside its own callback).
 * A dial slot owns at most one outbound link and re-dials with exponential
 * backoff when it dies.
 */
#include "cluster/peer.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cluster/auth.h"
#include "common/log.h"
#include "common/mem.h"

enum { L_CONNECTING, L_HANDSHAKE, L_UP, L_DEAD };

typedef struct net_dial net_dial_t;

typedef struct net_link {
    clu_net_t       *net;
    int              fd;
    ev_io            rio, wio;
    int              state;
    bool             outbound;
    net_dial_t      *dial;        /* outbound slot, or NULL */
    uint16_t         peer;        /* valid from HANDSHAKE (claimed) / UP */
    bool             peer_known;
    bool             retiring;    /* duplicate: no new sends, drain, close */
    bool             wr_shut, rd_eof;
    unsigned char    nonce[CLU_AUTH_NONCE];  /* the nonce *we* sent */
    rdb_buf_t        in, out;
    uint64_t         fin, fout, flags;
    uint32_t         client;      /* != 0: a control client (node id 0)  */
    ev_timer         hs_timer;    /* handshake / connect deadline        */
    struct net_link *next;
} net_link_t;

struct net_dial {
    clu_net_t  *net;
    char       *host;
    int         port;
    ev_timer    timer;
    uint64_t    backoff_ms;
    net_link_t *link;
    uint16_t    peer;
    bool        peer_known;
    net_dial_t *next;
};

struct clu_net {
    struct ev_loop *loop;
    clu_net_opts_t  o;
    char           *secret;
    char           *listen_host;
    int             lfd, port;
    ev_io           accept_io;
    ev_prepare      reaper;
    net_link_t     *links, *dead;
    net_dial_t     *dials;
    uint64_t        auth_failures;
    uint32_t        next_client;
};

static void link_read_cb(struct ev_loop *loop, ev_io *w, int revents);
static void link_write_cb(struct ev_loop *loop, ev_io *w, int revents);
static void dial_start(net_dial_t *d);

static net_link_t *net_active(const clu_net_t *net, uint16_t peer)
{
    for (net_link_t *l = net->links; l; l = l->next)
        if (l->state == L_UP && !l->retiring && !l->client && l->peer == peer)
            return l;
    return NULL;
}

static net_link_t *net_client(const clu_net_t *net, uint32_t client)
{
    for (net_link_t *l = net->links; l; l = l->next)
        if (l->state == L_UP && l->client == client)
            return l;
    return NULL;
}

static int set_nonblock(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
        return -1;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return 0;
}

static void dial_schedule(net_dial_t *d)
{
    clu_net_t *net = d->net;
    ev_timer_stop(net->loop, &d->timer);
    ev_timer_set(&d->timer, (double)d->backoff_ms / 1000.0, 0.0);
    ev_timer_start(net->loop, &d->timer);
    d->backoff_ms *= 2;
    if (d->backoff_ms > net->o.backoff_max_ms)
        d->backoff_ms = net->o.backoff_max_ms;
}

/* Kill a link.  silent: do not report the peer down (a duplicate closed). */
static void link_kill(net_link_t *l, bool silent)
{
    clu_net_t *net = l->net;
    if (l->state == L_DEAD)
        return;
    bool was_up = l->state == L_UP && !l->retiring && !l->client;
    ev_io_stop(net->loop, &l->rio);
    ev_io_stop(net->loop, &l->wio);
    ev_timer_stop(net->loop, &l->hs_timer);
    if (l->fd >= 0)
        close(l->fd);
    l->fd = -1;
    l->state = L_DEAD;
    /* Move from links to dead. */
    for (net_link_t **pp = &net->links; *pp; pp = &(*pp)->next)
        if (*pp == l) {
            *pp = l->next;
            break;
        }
    l->next = net->dead;
    net->dead = l;
    if (l->dial) {
        l->dial->link = NULL;
        dial_schedule(l->dial);
        l->dial = NULL;
    }
    if (was_up && !silent && !net_active(net, l->peer) && net->o.on_state)
        net->o.on_state(net, l->peer, false, net->o.ctx);
}

static void net_reap_cb(struct ev_loop *loop, ev_prepare *w, int revents)
{
    clu_net_t *net = w->data;
    while (net->dead) {
        net_link_t *l = net->dead;
        net->dead = l->next;
        rdb_buf_free(&l->in);
        rdb_buf_free(&l->out);
        free(l);
    }
}

static void link_queue(net_link_t *l, const void *p, size_t n)
{
    rdb_buf_append(&l->out, p, n);
    if (l->state != L_CONNECTING)
        ev_io_start(l->net->loop, &l->wio);
}

static void link_send_frame(net_link_t *l, clu_msg_type_t type, const void *a, size_t alen,
                            const void *b, size_t blen)
{
    rdb_buf_t f = RDB_BUF_INIT;
    msgpack_packer pk;
    size_t st = clu_frame_start(&f, &pk, type, l->net->o.node_id,
                                clu_hlc_peek(l->net->o.hlc), b ? 2 : 1);
    msgpack_pack_bin(&pk, alen);
    msgpack_pack_bin_body(&pk, a, alen);
    if (b) {
        msgpack_pack_bin(&pk, blen);
        msgpack_pack_bin_body(&pk, b, blen);
    }
    clu_frame_finish(&f, st);
    link_queue(l, f.data, f.len);
    rdb_buf_free(&f);
}

/* A link that is not UP within the deadline (a connect that hangs behind a
 * firewall, a silent client) is killed; a dialled one is re-dialled. */
static void link_hs_timeout_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
    net_link_t *l = w->data;
    if (l->state != L_UP)
        link_kill(l, true);
}

static net_link_t *link_new(clu_net_t *net, int fd, bool outbound)
{
    net_link_t *l = rdb_calloc(1, sizeof *l);
    l->net = net;
    l->fd = fd;
    l->outbound = outbound;
    l->state = outbound ? L_CONNECTING : L_HANDSHAKE;
    ev_io_init(&l->rio, link_read_cb, fd, EV_READ);
    ev_io_init(&l->wio, link_write_cb, fd, EV_WRITE);
    l->rio.data = l->wio.data = l;
    ev_timer_init(&l->hs_timer, link_hs_timeout_cb, CLU_NET_HANDSHAKE_TIMEOUT, 0.0);
    l->hs_timer.data = l;
    ev_timer_start(net->loop, &l->hs_timer);
    l->next = net->links;
    net->links = l;
    return l;
}

/* The node that dialled this link. */
static uint16_t link_dialer(const net_link_t *l)
{
    return l->outbound ? l->net->o.node_id : l->peer;
}

/* Stop using a duplicate link: flush what it holds, half-close, and close
 * once the peer has half-closed too, so no frame in flight is lost. */
static void link_retire(net_link_t *l)
{
    if (l->retiring)
        return;
    l->retiring = true;
    if (l->out.len == 0) {
        shutdown(l->fd, SHUT_WR);
        l->wr_shut = true;
        if (l->rd_eof)
            link_kill(l, true);
    } else {
        ev_io_start(l->net->loop, &l->wio);
    }
}

static void link_up(net_link_t *l)
{
    clu_net_t *net = l->net;
    ev_timer_stop(net->loop, &l->hs_timer);
    if (!l->outbound && l->peer == 0) {
        /* A control client: never deduplicated, never a member. */
        l->state = L_UP;
        if (++net->next_client == 0)
            net->next_client = 1;
        l->client = net->next_client;
        RDB_LOG_DEBUG("peer", "control client %u connected", l->client);
        return;
    }
    net_link_t *e = net_active(net, l->peer);
    l->state = L_UP;
    if (l->dial) {
        l->dial->peer = l->peer;
        l->dial->peer_known = true;
        l->dial->backoff_ms = net->o.backoff_min_ms;
    }
    if (e) {
        /* Duplicate: both ends keep the link dialled by the lower node id
         * (the newer one if the same node dialled both) and retire the
         * other. */
        uint16_t lo = net->o.node_id < l->peer ? net->o.node_id : l->peer;
        if (link_dialer(e) == lo && link_dialer(l) != lo)
            link_retire(l);
        else
            link_retire(e);
        return;
    }
    RDB_LOG_INFO("peer", "link to node %u up (%s)", l->peer, l->outbound ? "dialled" : "accepted");
    if (net->o.on_state)
        net->o.on_state(net, l->peer, true, net->o.ctx);
}

static void link_auth_failed(net_link_t *l, const char *what)
{
    l->net->auth_failures++;
    RDB_LOG_WARN("peer", "peer authentication failed (%s, claimed node %u): wrong cluster secret?",
                 what, l->peer);
    link_kill(l, true);
}

/* Handle one frame; false if the link died. */
static bool link_on_frame(net_link_t *l, clu_frame_t *f)
{
    clu_net_t *net = l->net;
    const char *p;
    size_t n;
    if (l->state == L_UP) {
        if (l->client) {
            l->fin++;
            if (f->type >= CLU_MSG_PING && net->o.on_client)
                net->o.on_client(net, l->client, f, net->o.ctx);
            return l->state == L_UP;
        }
        if (f->from != l->peer) {
            RDB_LOG_WARN("peer", "frame from node %u claims to be node %u", l->peer, f->from);
            link_kill(l, false);
            return false;
        }
        rdb_err_t e = RDB_ERR_INIT;
        if (clu_hlc_update(net->o.hlc, f->hlc, l->peer, &e) != RDB_OK) {
            l->flags++;
            rdb_err_clear(&e);
        }
        l->fin++;
        if (f->type < CLU_MSG_PING) /* handshake frames after UP: ignore */
            return true;
        if (net->o.on_frame)
            net->o.on_frame(net, l->peer, f, net->o.ctx);
        return l->state == L_UP;
    }
    /* Handshake. */
    if (l->outbound && f->type == CLU_MSG_CHALLENGE && !l->peer_known) {
        if (!clu_field_bin(f, 0, &p, &n) || n != CLU_AUTH_NONCE)
            goto proto;
        if (f->from == net->o.node_id) { /* dialled ourselves */
            if (l->dial)
                l->dial->backoff_ms = net->o.backoff_max_ms;
            link_kill(l, true);
            return false;
        }
        l->peer = f->from;
        l->peer_known = true;
        unsigned char mac[CLU_AUTH_MAC];
        clu_auth_mac(net->secret, CLU_AUTH_CLIENT, (const unsigned char *)p, net->o.node_id, mac);
        rdb_err_t e = RDB_ERR_INIT;
        if (clu_auth_nonce(l->nonce, &e) != RDB_OK) {
            rdb_err_clear(&e);
            link_kill(l, true);
            return false;
        }
        link_send_frame(l, CLU_MSG_AUTH, l->nonce, sizeof l->nonce, mac, sizeof mac);
        return true;
    }
    if (l->outbound && f->type == CLU_MSG_AUTH_OK && l->peer_known) {
        if (!clu_field_bin(f, 0, &p, &n) || f->from != l->peer ||
            !clu_auth_check(net->secret, CLU_AUTH_SERVER, l->nonce, l->peer, p, n)) {
            link_auth_failed(l, "server proof");
            return false;
        }
        link_up(l);
        return l->state == L_UP;
    }
    if (!l->outbound && f->type == CLU_MSG_AUTH && !l->peer_known) {
        const char *mac;
        size_t maclen;
        l->peer = f->from;
        if (!clu_field_bin(f, 0, &p, &n) || n != CLU_AUTH_NONCE ||
            !clu_field_bin(f, 1, &mac, &maclen))
            goto proto;
        if (!clu_auth_check(net->secret, CLU_AUTH_CLIENT, l->nonce, f->from, mac, maclen)) {
            link_auth_failed(l, "client proof");
            return false;
        }
        l->peer_known = true;
        unsigned char proof[CLU_AUTH_MAC];
        clu_auth_mac(net->secret, CLU_AUTH_SERVER, (const unsigned char *)p, net->o.node_id, proof);
        link_send_frame(l, CLU_MSG_AUTH_OK, proof, sizeof proof, NULL, 0);
        link_up(l);
        return l->state == L_UP;
    }
proto:
    RDB_LOG_WARN("peer", "unexpected frame type %u during handshake; closing", f->type);
    net->auth_failures++;
    link_kill(l, true);
    return false;
}

static void link_read_cb(struct ev_loop *loop, ev_io *w, int revents)
{
    net_link_t *l = w->data;
    bool eof = false;
    for (;;) {
        rdb_buf_reserve(&l->in, 65536);
        ssize_t r = read(l->fd, l->in.data + l->in.len, l->in.cap - l->in.len);
        if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        if (r < 0 && errno == EINTR)
            continue;
        if (r == 0) {
            eof = true;
            break;
        }
        if (r <= 0) {
            link_kill(l, false);
            return;
        }
        l->in.len += (size_t)r;
        if ((size_t)r < 65536)
            break;
    }
    size_t off = 0;
    while (l->state != L_DEAD) {
        clu_frame_t f;
        size_t used;
        rdb_err_t e = RDB_ERR_INIT;
        rdb_status_t st = clu_frame_parse(l->in.data + off, l->in.len - off, &used, &f, &e);
        if (st == RDB_EOF)
            break;
        if (st != RDB_OK) {
            RDB_LOG_WARN("peer", "closing link to node %u: %s", l->peer, e.msg);
            rdb_err_clear(&e);
            link_kill(l, false);
            return;
        }
        off += used;
        bool alive = link_on_frame(l, &f);
        clu_frame_release(&f);
        if (!alive)
            return;
    }
    if (l->state == L_DEAD)
        return;
    rdb_buf_consume(&l->in, off);
    if (!eof)
        return;
    if (l->state != L_UP) {
        link_kill(l, true);
        return;
    }
    /* The peer half-closed (it retired this link, or is going away): stop
     * reading, finish our writes, then close. */
    bool was_active = !l->retiring && !l->client;
    l->rd_eof = true;
    ev_io_stop(loop, &l->rio);
    uint16_t peer = l->peer;
    clu_net_t *net = l->net;
    link_retire(l);
    if (was_active && !net_active(net, peer) && net->o.on_state)
        net->o.on_state(net, peer, false, net->o.ctx);
}

static void link_write_cb(struct ev_loop *loop, ev_io *w, int revents)
{
    net_link_t *l = w->data;
    if (l->state == L_CONNECTING) {
        int err = 0;
        socklen_t len = sizeof err;
        if (getsockopt(l->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0 || err) {
            link_kill(l, true);
            return;
        }
        l->state = L_HANDSHAKE;
        ev_io_start(loop, &l->rio);
    }
    while (l->out.len) {
        ssize_t r = send(l->fd, l->out.data, l->out.len, MSG_NOSIGNAL);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        if (r < 0) {
            link_kill(l, false);
            return;
        }
        rdb_buf_consume(&l->out, (size_t)r);
    }
    ev_io_stop(loop, &l->wio);
    if (l->retiring && !l->wr_shut) {
        shutdown(l->fd, SHUT_WR);
        l->wr_shut = true;
    }
    if (l->retiring && l->rd_eof)
        link_kill(l, true);
}

static void net_accept_cb(struct ev_loop *loop, ev_io *w, int revents)
{
    clu_net_t *net = w->data;
    for (;;) {
        int fd = accept(net->lfd, NULL, NULL);
        if (fd < 0)
            return;
        if (set_nonblock(fd) < 0) {
            close(fd);
            continue;
        }
        net_link_t *l = link_new(net, fd, false);
        rdb_err_t e = RDB_ERR_INIT;
        if (clu_auth_nonce(l->nonce, &e) != RDB_OK) {
            rdb_err_clear(&e);
            link_kill(l, true);
            continue;
        }
        ev_io_start(loop, &l->rio);
        link_send_frame(l, CLU_MSG_CHALLENGE, l->nonce, sizeof l->nonce, NULL, 0);
    }
}

static int resolve(const char *host, int port, struct sockaddr_storage *ss, socklen_t *len)
{
    struct addrinfo hints = { 0 }, *res = NULL;
    char ps[16];
    snprintf(ps, sizeof ps, "%d", port);
    hints.ai_family = AF_INET;
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(host, ps, &hints, &res) != 0 || !res)
        return -1;
    memcpy(ss, res->ai_addr, res->ai_addrlen);
    *len = res->ai_addrlen;
    freeaddrinfo(res);
    return 0;
}

/* Outbound links leave from the listen address, so that per-node loopback
 * addresses (127.0.0.11, ...) identify both ends of a link (tests block
 * links with iptables by address). */
static void bind_source(clu_net_t *net, int fd)
{
    struct sockaddr_storage ss;
    socklen_t len;
    if (net->listen_host && strcmp(net->listen_host, "127.0.0.1") != 0 &&
        strcmp(net->listen_host, "0.0.0.0") != 0 && resolve(net->listen_host, 0, &ss, &len) == 0)
        bind(fd, (struct sockaddr *)&ss, len);
}

static void dial_start(net_dial_t *d)
{
    clu_net_t *net = d->net;
    if (d->link)
        return;
    if (d->peer_known && net_active(net, d->peer)) {
        /* Already linked (the peer dialled us): check again later. */
        d->backoff_ms = net->o.backoff_max_ms;
        dial_schedule(d);
        return;
    }
    struct sockaddr_storage ss;
    socklen_t len;
    int fd = -1;
    if (resolve(d->host, d->port, &ss, &len) < 0 ||
        (fd = socket(AF_INET, SOCK_STREAM, 0)) < 0 || set_nonblock(fd) < 0 ||
        (bind_source(net, fd), connect(fd, (struct sockaddr *)&ss, len) < 0 && errno != EINPROGRESS)) {
        if (fd >= 0)
            close(fd);
        dial_schedule(d);
        return;
    }
    net_link_t *l = link_new(net, fd, true);
    l->dial = d;
    d->link = l;
    ev_io_start(net->loop, &l->wio);
}

static void dial_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
    dial_start(w->data);
}

rdb_status_t clu_net_open(struct ev_loop *loop, const clu_net_opts_t *o, clu_net_t **out,
                          rdb_err_t *err)
{
    if (!o->secret || !*o->secret)
        return rdb_err_set(err, RDB_INVALID, RDB_SQLSTATE_INVALID_PARAMETER,
                           "a cluster secret is required for peer links");
    clu_net_t *net = rdb_calloc(1, sizeof *net);
    net->loop = loop;
    net->o = *o;
    net->secret = rdb_strdup(o->secret);
    net->o.secret = net->secret;
    net->listen_host = rdb_strdup(o->listen_host ? o->listen_host : "127.0.0.1");
    net->o.listen_host = net->listen_host;
    if (!net->o.max_queue)
        net->o.max_queue = 64u << 20;
    if (!net->o.backoff_min_ms)
        net->o.backoff_min_ms = 50;
    if (!net->o.backoff_max_ms)
        net->o.backoff_max_ms = 2000;
    struct sockaddr_storage ss;
    socklen_t len;
    const char *host = o->listen_host ? o->listen_host : "127.0.0.1";
    net->lfd = -1;
    if (resolve(host, o->listen_port, &ss, &len) < 0) {
        rdb_err_set(err, RDB_INVALID, RDB_SQLSTATE_INVALID_PARAMETER,
                    "cannot resolve peer listen address \"%s\"", host);
        goto fail;
    }
    net->lfd = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    if (net->lfd < 0 || setsockopt(net->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
        bind(net->lfd, (struct sockaddr *)&ss, len) < 0 || listen(net->lfd, 128) < 0 ||
        set_nonblock(net->lfd) < 0) {
        rdb_err_set(err, RDB_IOERROR, RDB_SQLSTATE_IO_ERROR,
                    "cannot listen on peer port %s:%d: %s", host, o->listen_port,
                    strerror(errno));
        goto fail;
    }
    struct sockaddr_in sin;
    socklen_t sl = sizeof sin;
    getsockname(net->lfd, (struct sockaddr *)&sin, &sl);
    net->port = ntohs(sin.sin_port);
    ev_io_init(&net->accept_io, net_accept_cb, net->lfd, EV_READ);
    net->accept_io.data = net;
    ev_io_start(loop, &net->accept_io);
    ev_prepare_init(&net->reaper, net_reap_cb);
    net->reaper.data = net;
    ev_prepare_start(loop, &net->reaper);
    *out = net;
    return RDB_OK;
fail:
    if (net->lfd >= 0)
        close(net->lfd);
    free(net->secret);
    free(net->listen_host);
    free(net);
    return err ? err->code : RDB_IOERROR;
}

void clu_net_close(clu_net_t *net)
{
    if (!net)
        return;
    while (net->links)
        link_kill(net->links, true);
    while (net->dials) {
        net_dial_t *d = net->dials;
        net->dials = d->next;
        ev_timer_stop(net->loop, &d->timer);
        free(d->host);
        free(d);
    }
    net_reap_cb(net->loop, &net->reaper, 0);
    ev_prepare_stop(net->loop, &net->reaper);
    ev_io_stop(net->loop, &net->accept_io);
    close(net->lfd);
    free(net->secret);
    free(net->listen_host);
    free(net);
}

int clu_net_port(const clu_net_t *net)
{
    return net->port;
}

rdb_status_t clu_net_dial(clu_net_t *net, const char *host, int port, rdb_err_t *err)
{
    if (port <= 0 || port > 65535)
        return rdb_err_set(err, RDB_INVALID, RDB_SQLSTATE_INVALID_PARAMETER,
                           "invalid peer port %d", port);
    net_dial_t *d = rdb_calloc(1, sizeof *d);
    d->net = net;
    d->host = rdb_strdup(host);
    d->port = port;
    d->backoff_ms = net->o.backoff_min_ms;
    ev_timer_init(&d->timer, dial_timer_cb, 0.0, 0.0);
    d->timer.data = d;
    d->next = net->dials;
    net->dials = d;
    dial_start(d);
    return RDB_OK;
}

static rdb_status_t link_send(net_link_t *l, const void *frame, size_t len)
{
    if (!l)
        return RDB_UNAVAILABLE;
    if (l->out.len + len > l->net->o.max_queue)
        return RDB_BUSY;
    link_queue(l, frame, len);
    l->fout++;
    return RDB_OK;
}

rdb_status_t clu_net_send(clu_net_t *net, uint16_t peer, const void *frame, size_t len)
{
    return link_send(net_active(net, peer), frame, len);
}

bool clu_net_is_up(const clu_net_t *net, uint16_t peer)
{
    return net_active(net, peer) != NULL;
}

void clu_net_peer_stats(const clu_net_t *net, uint16_t peer, clu_net_peer_stats_t *st)
{
    memset(st, 0, sizeof *st);
    net_link_t *l = net_active(net, peer);
    if (!l)
        return;
    st->up = true;
    st->queued_bytes = l->out.len;
    st->frames_in = l->fin;
    st->frames_out = l->fout;
    st->clock_flags = l->flags;
}

uint64_t clu_net_auth_failures(const clu_net_t *net)
{
    return net->auth_failures;
}

rdb_status_t clu_net_reply(clu_net_t *net, uint32_t client, const void *frame, size_t len)
{
    return link_send(net_client(net, client), frame, len);
}

void clu_net_drop(clu_net_t *net, uint16_t peer)
{
    net_link_t *l;
    while ((l = net_active(net, peer)) != NULL)
        link_kill(l, false);
}

void clu_net_refuse(clu_net_t *net, uint16_t peer)
{
    net_link_t *l;
    while ((l = net_active(net, peer)) != NULL) {
        if (l->dial)
            l->dial->backoff_ms = net->o.backoff_max_ms;
        link_retire(l);
    }
}

void clu_net_drop_client(clu_net_t *net, uint32_t client)
{
    net_link_t *l = net_client(net, client);
    if (l)
        link_kill(l, true);
}

void clu_net_flush(clu_net_t *net)
{
    for (net_link_t *l = net->links; l; l = l->next) {
        if (l->state != L_UP || l->out.len == 0)
            continue;
        ssize_t r = send(l->fd, l->out.data, l->out.len, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (r > 0)
            rdb_buf_consume(&l->out, (size_t)r);
        /* A short write or an error is left to the write watcher. */
        if (l->out.len == 0 && !l->retiring)
            ev_io_stop(net->loop, &l->wio);
    }
}
