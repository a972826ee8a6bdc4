/*
 * auth_server.c — a minimal blocking PostgreSQL front door built only from
 * the pgsec pieces (hba, auth, SCRAM, TLS, roles file) and pgwire's framing,
 * so that real clients (libpq via psycopg2) can be tested against them
 * before and independently of the full server.  One connection at a time;
 * after authentication every Query gets EmptyQueryResponse.
 *
 *   auth_server CERT_DIR HBA_FILE DATA_DIR   (prints the port, then serves)
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/error.h"
#include "pgwire/auth.h"
#include "pgwire/hba.h"
#include "pgwire/proto.h"
#include "pgwire/roles_file.h"
#include "pgwire/tls.h"

typedef struct conn {
    int fd;
    rdb_tls_conn_t *tls;
} conn_t;

static bool read_exact(conn_t *c, void *p, size_t n)
{
    size_t got = 0;
    while (got < n) {
        size_t k = 0;
        if (c->tls) {
            if (rdb_tls_read(c->tls, (char *)p + got, n - got, &k) != RDB_TLS_OK)
                return false;
        } else {
            ssize_t r = read(c->fd, (char *)p + got, n - got);
            if (r <= 0)
                return false;
            k = (size_t)r;
        }
        got += k;
    }
    return true;
}

static bool write_all(conn_t *c, const void *p, size_t n)
{
    size_t put = 0;
    while (put < n) {
        size_t k = 0;
        if (c->tls) {
            if (rdb_tls_write(c->tls, (const char *)p + put, n - put, &k) != RDB_TLS_OK)
                return false;
        } else {
            ssize_t r = write(c->fd, (const char *)p + put, n - put);
            if (r <= 0)
                return false;
            k = (size_t)r;
        }
        put += k;
    }
    return true;
}

static uint32_t be32(const unsigned char *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

/* Read a message: typed (type != NULL) or start-up.  body malloc'ed. */
static bool read_msg(conn_t *c, char *type, char **body, uint32_t *len)
{
    unsigned char h[5];
    if (type) {
        if (!read_exact(c, h, 5))
            return false;
        *type = (char)h[0];
        *len = be32(h + 1);
    } else {
        if (!read_exact(c, h, 4))
            return false;
        *len = be32(h);
    }
    if (*len < 4 || *len > 100000)
        return false;
    *len -= 4;
    *body = malloc(*len + 1);
    if (!read_exact(c, *body, *len)) {
        free(*body);
        return false;
    }
    return true;
}

static void send_error(conn_t *c, const rdb_err_t *e)
{
    rdb_buf_t b = RDB_BUF_INIT;
    rdb_err_t f = *e;
    f.severity = RDB_SEV_FATAL;
    rdb_pgw_error(&b, 'E', &f);
    write_all(c, b.data, b.len);
    rdb_buf_free(&b);
}

static void param(rdb_buf_t *b, const char *k, const char *v)
{
    size_t s = rdb_pgw_begin(b, 'S');
    rdb_pgw_str(b, k);
    rdb_pgw_str(b, v);
    rdb_pgw_end(b, s);
}

static void serve(conn_t *c, rdb_tls_ctx_t *tctx, rdb_hba_t *hba, rdb_roles_file_t *roles,
                  const struct sockaddr *peer)
{
    char *body = NULL, type;
    uint32_t len;
    rdb_err_t err = RDB_ERR_INIT;
    if (!read_msg(c, NULL, &body, &len))
        return;
    if (len == 4 && be32((unsigned char *)body) == RDB_PG_SSL_REQUEST) {
        free(body);
        write_all(c, "S", 1);
        c->tls = rdb_tls_conn_new(tctx, c->fd);
        if (rdb_tls_handshake(c->tls) != RDB_TLS_OK)
            return;
        if (!read_msg(c, NULL, &body, &len))
            return;
    }
    rdb_pgmsg_t m = { 0, body, len };
    rdb_pgstartup_t su;
    if (rdb_pg_parse_startup(&m, &su, &err) != RDB_OK) {
        send_error(c, &err);
        goto out;
    }
    const char *user = "", *db = NULL;
    for (int i = 0; i < su.nparams; i++) {
        if (strcmp(su.names[i], "user") == 0) user = su.values[i];
        if (strcmp(su.names[i], "database") == 0) db = su.values[i];
    }
    if (!db)
        db = user;
    rdb_hba_client_t hc = { .local = false, .addr = peer, .tls = c->tls != NULL,
                            .database = db, .user = user };
    rdb_auth_method_t method;
    if (rdb_hba_match(hba, &hc, &method, NULL, &err) != RDB_OK) {
        send_error(c, &err);
        goto out;
    }
    unsigned char ep[RDB_TLS_ENDPOINT_MAX];
    size_t eplen = c->tls ? rdb_tls_conn_endpoint(c->tls, ep) : 0;
    rdb_auth_params_t ap = {
        .method = method, .user = user, .database = db, .client_addr = "127.0.0.1",
        .tls = c->tls != NULL, .cbind_data = eplen ? ep : NULL, .cbind_len = eplen,
        .secret = (const unsigned char *)"test secret", .secret_len = 11,
        .lookup = rdb_roles_file_lookup, .lookup_ctx = roles,
    };
    rdb_auth_t *a = rdb_auth_new(&ap);
    rdb_buf_t out = RDB_BUF_INIT;
    rdb_status_t st = rdb_auth_start(a, &out, &err);
    while (st == RDB_OK && rdb_auth_state(a) == RDB_AUTH_CONTINUE) {
        write_all(c, out.data, out.len);
        rdb_buf_reset(&out);
        char *pb;
        uint32_t pl;
        if (!read_msg(c, &type, &pb, &pl))
            break;
        if (type != 'p') {
            free(pb);
            st = rdb_err_set(&err, RDB_PROTOCOL, "08P01", "expected password response");
            break;
        }
        st = rdb_auth_step(a, pb, pl, &out, &err);
        free(pb);
    }
    if (st != RDB_OK) {
        send_error(c, &err);
    } else if (rdb_auth_state(a) == RDB_AUTH_OK) {
        param(&out, "server_version", "15.0");
        param(&out, "server_encoding", "UTF8");
        param(&out, "client_encoding", "UTF8");
        param(&out, "DateStyle", "ISO, MDY");
        param(&out, "integer_datetimes", "on");
        param(&out, "standard_conforming_strings", "on");
        rdb_pgw_ready(&out, 'I');
        write_all(c, out.data, out.len);
        for (;;) {
            char *qb;
            uint32_t ql;
            if (!read_msg(c, &type, &qb, &ql))
                break;
            free(qb);
            if (type == 'X')
                break;
            rdb_buf_reset(&out);
            size_t s = rdb_pgw_begin(&out, 'I');
            rdb_pgw_end(&out, s);
            rdb_pgw_ready(&out, 'I');
            write_all(c, out.data, out.len);
        }
    }
    rdb_buf_free(&out);
    rdb_auth_free(a);
out:
    rdb_err_clear(&err);
    free(body);
    if (c->tls) {
        rdb_tls_shutdown(c->tls);
        rdb_tls_conn_free(c->tls);
        c->tls = NULL;
    }
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: auth_server CERT_DIR HBA_FILE DATA_DIR\n");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    char crt[512], key[512];
    snprintf(crt, sizeof crt, "%s/server.crt", argv[1]);
    snprintf(key, sizeof key, "%s/server.key", argv[1]);
    rdb_err_t err = RDB_ERR_INIT;
    rdb_tls_ctx_t *tctx;
    rdb_hba_t *hba;
    rdb_roles_file_t *roles;
    if (rdb_tls_ctx_new(crt, key, NULL, &tctx, &err) != RDB_OK ||
        rdb_hba_load(argv[2], &hba, &err) != RDB_OK ||
        rdb_roles_file_open(argv[3], &roles, &err) != RDB_OK) {
        fprintf(stderr, "auth_server: %s\n", err.msg ? err.msg : "roles file missing");
        return 1;
    }
    int ls = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = 0 };
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t sl = sizeof sa;
    if (bind(ls, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(ls, 16) != 0 ||
        getsockname(ls, (struct sockaddr *)&sa, &sl) != 0)
        return 1;
    printf("%d\n", ntohs(sa.sin_port));
    fflush(stdout);
    for (;;) {
        struct sockaddr_storage peer;
        socklen_t pl = sizeof peer;
        int fd = accept(ls, (struct sockaddr *)&peer, &pl);
        if (fd < 0)
            continue;
        struct timeval tv = { 10, 0 };
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        conn_t c = { fd, NULL };
        serve(&c, tctx, hba, roles, (struct sockaddr *)&peer);
        close(fd);
    }
}
