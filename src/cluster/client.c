/*
 * client.c — blocking control client; see client.h.  Plain blocking
 * sockets with SO_RCVTIMEO/SO_SNDTIMEO; frames as in frame.h.
 */
#include "cluster/client.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "cluster/auth.h"
#include "cluster/frame.h"
#include "common/mem.h"

struct clu_client {
    int       fd;
    uint64_t  next_id;
    rdb_buf_t in;
};

static rdb_status_t io_err(rdb_err_t *err, const char *what)
{
    if (errno == EAGAIN || errno == EWOULDBLOCK)
        return rdb_err_set(err, RDB_TIMEOUT, RDB_SQLSTATE_UNAVAILABLE, "%s: timed out", what);
    return rdb_err_set(err, RDB_IOERROR, RDB_SQLSTATE_UNAVAILABLE, "%s: %s", what,
                       errno ? strerror(errno) : "connection closed");
}

static rdb_status_t send_all(clu_client_t *c, const void *p, size_t n, rdb_err_t *err)
{
    const char *b = p;
    while (n) {
        ssize_t r = send(c->fd, b, n, MSG_NOSIGNAL);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return io_err(err, "could not send to the node");
        b += r;
        n -= (size_t)r;
    }
    return RDB_OK;
}

/* Read one frame into *f (release it after use). */
static rdb_status_t read_frame(clu_client_t *c, clu_frame_t *f, rdb_err_t *err)
{
    for (;;) {
        size_t used;
        rdb_status_t st = clu_frame_parse(c->in.data, c->in.len, &used, f, err);
        /* On success the frame points into c->in: the caller releases it,
         * then consume_frame() drops its bytes. */
        if (st == RDB_OK)
            return st;
        if (st != RDB_EOF)
            return st;
        rdb_buf_reserve(&c->in, 65536);
        ssize_t r = recv(c->fd, c->in.data + c->in.len, c->in.cap - c->in.len, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            if (r == 0)
                errno = 0;
            return io_err(err, "could not read from the node");
        }
        c->in.len += (size_t)r;
    }
}

/* Drop the frame at the front of c->in. */
static void consume_frame(clu_client_t *c)
{
    uint32_t n = ((uint32_t)(unsigned char)c->in.data[0] << 24) |
                 ((uint32_t)(unsigned char)c->in.data[1] << 16) |
                 ((uint32_t)(unsigned char)c->in.data[2] << 8) | (unsigned char)c->in.data[3];
    rdb_buf_consume(&c->in, CLU_FRAME_HDR + n);
}

static void pack_bin(msgpack_packer *p, const void *d, size_t n)
{
    msgpack_pack_bin(p, n);
    msgpack_pack_bin_body(p, d, n);
}

rdb_status_t clu_client_connect(const char *host, int port, const char *secret, int timeout_ms,
                                clu_client_t **out, rdb_err_t *err)
{
    if (!secret || !*secret)
        return rdb_err_set(err, RDB_INVALID, RDB_SQLSTATE_INVALID_PARAMETER,
                           "a cluster secret is required");
    struct addrinfo hints = { 0 }, *res = NULL;
    char ps[16];
    snprintf(ps, sizeof ps, "%d", port);
    hints.ai_family = AF_INET;
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(host, ps, &hints, &res) != 0 || !res)
        return rdb_err_set(err, RDB_INVALID, RDB_SQLSTATE_INVALID_PARAMETER,
                           "cannot resolve \"%s\"", host);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct timeval tv = { .tv_sec = (timeout_ms ? timeout_ms : 10000) / 1000,
                          .tv_usec = ((timeout_ms ? timeout_ms : 10000) % 1000) * 1000 };
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(fd, res->ai_addr, res->ai_addrlen) != 0) {
        rdb_status_t st = rdb_err_set(err, RDB_UNAVAILABLE, RDB_SQLSTATE_UNAVAILABLE,
                                      "could not connect to %s:%d: %s", host, port,
                                      strerror(errno));
        freeaddrinfo(res);
        close(fd);
        return st;
    }
    freeaddrinfo(res);
    clu_client_t *c = rdb_calloc(1, sizeof *c);
    c->fd = fd;
    clu_frame_t f;
    const char *p;
    size_t n;
    rdb_status_t st = read_frame(c, &f, err);
    if (st != RDB_OK)
        goto fail;
    uint16_t server = f.from;
    unsigned char snonce[CLU_AUTH_NONCE], cnonce[CLU_AUTH_NONCE], mac[CLU_AUTH_MAC];
    if (f.type != CLU_MSG_CHALLENGE || !clu_field_bin(&f, 0, &p, &n) || n != CLU_AUTH_NONCE) {
        clu_frame_release(&f);
        st = rdb_err_set(err, RDB_PROTOCOL, RDB_SQLSTATE_PROTOCOL_VIOLATION,
                         "unexpected handshake from the node");
        goto fail;
    }
    memcpy(snonce, p, n);
    clu_frame_release(&f);
    consume_frame(c);
    if ((st = clu_auth_nonce(cnonce, err)) != RDB_OK)
        goto fail;
    clu_auth_mac(secret, CLU_AUTH_CLIENT, snonce, 0, mac);
    rdb_buf_t b = RDB_BUF_INIT;
    msgpack_packer pk;
    size_t s0 = clu_frame_start(&b, &pk, CLU_MSG_AUTH, 0, 0, 2);
    pack_bin(&pk, cnonce, sizeof cnonce);
    pack_bin(&pk, mac, sizeof mac);
    clu_frame_finish(&b, s0);
    st = send_all(c, b.data, b.len, err);
    rdb_buf_free(&b);
    if (st != RDB_OK)
        goto fail;
    st = read_frame(c, &f, err);
    if (st != RDB_OK) {
        rdb_err_clear(err);
        st = rdb_err_set(err, RDB_INVALID, RDB_SQLSTATE_INVALID_PASSWORD,
                         "the node refused the handshake: wrong cluster secret?");
        goto fail;
    }
    bool ok = f.type == CLU_MSG_AUTH_OK && clu_field_bin(&f, 0, &p, &n) &&
              clu_auth_check(secret, CLU_AUTH_SERVER, cnonce, server, p, n);
    clu_frame_release(&f);
    consume_frame(c);
    if (!ok) {
        st = rdb_err_set(err, RDB_INVALID, RDB_SQLSTATE_INVALID_PASSWORD,
                         "the node did not prove it knows the cluster secret");
        goto fail;
    }
    *out = c;
    return RDB_OK;
fail:
    clu_client_close(c);
    return st;
}

void clu_client_close(clu_client_t *c)
{
    if (!c)
        return;
    close(c->fd);
    rdb_buf_free(&c->in);
    free(c);
}

rdb_status_t clu_client_send(clu_client_t *c, const char *cmd, const char *const *args,
                             const size_t *arglens, size_t nargs, clu_consistency_t cl,
                             uint64_t *id_out, rdb_err_t *err)
{
    rdb_buf_t b = RDB_BUF_INIT;
    msgpack_packer pk;
    uint64_t id = ++c->next_id;
    size_t s0 = clu_frame_start(&b, &pk, CLU_MSG_CTL, 0, 0, 4);
    msgpack_pack_uint64(&pk, id);
    pack_bin(&pk, cmd, strlen(cmd));
    msgpack_pack_array(&pk, nargs);
    for (size_t i = 0; i < nargs; i++)
        pack_bin(&pk, args[i], arglens[i]);
    msgpack_pack_int(&pk, (int)cl);
    clu_frame_finish(&b, s0);
    rdb_status_t st = send_all(c, b.data, b.len, err);
    rdb_buf_free(&b);
    if (id_out)
        *id_out = id;
    return st;
}

rdb_status_t clu_client_recv(clu_client_t *c, uint64_t *id, bool *ok, rdb_buf_t *reply,
                             rdb_err_t *err)
{
    for (;;) {
        clu_frame_t f;
        rdb_status_t st = read_frame(c, &f, err);
        if (st != RDB_OK)
            return st;
        uint64_t rid, okv;
        const char *p;
        size_t n;
        bool good = f.type == CLU_MSG_CTL_REPLY && clu_field_u64(&f, 0, &rid) &&
                    clu_field_u64(&f, 1, &okv) && clu_field_bin(&f, 2, &p, &n);
        if (good) {
            rdb_buf_reset(reply);
            rdb_buf_append(reply, p, n);
            *id = rid;
            *ok = okv != 0;
        }
        clu_frame_release(&f);
        consume_frame(c);
        if (good)
            return RDB_OK;
    }
}

rdb_status_t clu_client_call(clu_client_t *c, const char *cmd, const char *const *args,
                             const size_t *arglens, size_t nargs, clu_consistency_t cl,
                             rdb_buf_t *reply, rdb_err_t *err)
{
    uint64_t id, rid;
    bool ok;
    rdb_status_t st = clu_client_send(c, cmd, args, arglens, nargs, cl, &id, err);
    if (st != RDB_OK)
        return st;
    do {
        if ((st = clu_client_recv(c, &rid, &ok, reply, err)) != RDB_OK)
            return st;
    } while (rid != id);
    return ok ? RDB_OK : RDB_SQL;
}

char *clu_read_secret_file(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    char buf[1024];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    char *nl = strchr(buf, '\n');
    if (nl)
        *nl = 0;
    n = strlen(buf);
    while (n && (buf[n - 1] == '\r' || buf[n - 1] == ' ' || buf[n - 1] == '\t'))
        buf[--n] = 0;
    return rdb_strdup(buf);
}
