/*
 * tls.c — OpenSSL server context and non-blocking connection wrappers
 * (see tls.h).
 */
#include "pgwire/tls.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "common/mem.h"

struct rdb_tls_ctx {
    SSL_CTX *ctx;
};

struct rdb_tls_conn {
    SSL  *ssl;
    char  errbuf[256];
};

static void ssl_reason(char *buf, size_t cap)
{
    unsigned long e = ERR_get_error();
    if (e)
        ERR_error_string_n(e, buf, cap);
    else
        snprintf(buf, cap, "unknown error");
    ERR_clear_error();
}

rdb_status_t rdb_tls_ctx_new(const char *cert_file, const char *key_file, const char *ca_file,
                             rdb_tls_ctx_t **out, rdb_err_t *err)
{
    char why[256];
    *out = NULL;
    if (!cert_file || !key_file)
        return rdb_err_set(err, RDB_INVALID, "F0000", "TLS needs both a certificate and a key file");
    ERR_clear_error();
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    if (!ctx) {
        ssl_reason(why, sizeof why);
        return rdb_err_set(err, RDB_INVALID, "F0000", "could not create TLS context: %s", why);
    }
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION |
                             SSL_OP_CIPHER_SERVER_PREFERENCE);
    SSL_CTX_set_mode(ctx, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_ENABLE_PARTIAL_WRITE |
                          SSL_MODE_RELEASE_BUFFERS);
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    const char *file = cert_file, *what = "certificate";
    if (SSL_CTX_use_certificate_chain_file(ctx, cert_file) != 1)
        goto fail;
    file = key_file, what = "private key";
    if (SSL_CTX_use_PrivateKey_file(ctx, key_file, SSL_FILETYPE_PEM) != 1)
        goto fail;
    if (SSL_CTX_check_private_key(ctx) != 1) {
        what = "private key (does not match the certificate)";
        goto fail;
    }
    if (ca_file && ca_file[0]) {
        file = ca_file, what = "CA";
        if (SSL_CTX_load_verify_locations(ctx, ca_file, NULL) != 1)
            goto fail;
        STACK_OF(X509_NAME) *names = SSL_load_client_CA_file(ca_file);
        if (names)
            SSL_CTX_set_client_CA_list(ctx, names);
        /* ask for a client certificate, verify it if sent, don't require it */
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    }
    rdb_tls_ctx_t *t = rdb_calloc(1, sizeof *t);
    t->ctx = ctx;
    *out = t;
    return RDB_OK;
fail:
    ssl_reason(why, sizeof why);
    SSL_CTX_free(ctx);
    return rdb_err_set(err, RDB_INVALID, "F0000", "could not load TLS %s file \"%s\": %s", what,
                       file, why);
}

void rdb_tls_ctx_free(rdb_tls_ctx_t *t)
{
    if (!t)
        return;
    SSL_CTX_free(t->ctx);
    free(t);
}

rdb_tls_conn_t *rdb_tls_conn_new(rdb_tls_ctx_t *t, int fd)
{
    SSL *ssl = SSL_new(t->ctx);
    if (!ssl)
        return NULL;
    if (SSL_set_fd(ssl, fd) != 1) {
        SSL_free(ssl);
        return NULL;
    }
    SSL_set_accept_state(ssl);
    rdb_tls_conn_t *c = rdb_calloc(1, sizeof *c);
    c->ssl = ssl;
    return c;
}

void rdb_tls_conn_free(rdb_tls_conn_t *c)
{
    if (!c)
        return;
    SSL_free(c->ssl);
    free(c);
}

/* Map SSL_get_error; *errbuf gets the reason of RDB_TLS_ERROR. */
static rdb_tls_io_t map_result(rdb_tls_conn_t *c, int rc)
{
    int e = SSL_get_error(c->ssl, rc);
    switch (e) {
    case SSL_ERROR_WANT_READ:
        return RDB_TLS_WANT_READ;
    case SSL_ERROR_WANT_WRITE:
        return RDB_TLS_WANT_WRITE;
    case SSL_ERROR_ZERO_RETURN:
        return RDB_TLS_CLOSED;
    case SSL_ERROR_SYSCALL:
        if (ERR_peek_error() == 0) {
            if (errno == 0 || errno == ECONNRESET || errno == EPIPE) {
                snprintf(c->errbuf, sizeof c->errbuf, "connection closed by peer");
                ERR_clear_error();
                return errno == 0 ? RDB_TLS_CLOSED : RDB_TLS_ERROR;
            }
            snprintf(c->errbuf, sizeof c->errbuf, "%s", strerror(errno));
            return RDB_TLS_ERROR;
        }
        /* fall through */
    default:
        ssl_reason(c->errbuf, sizeof c->errbuf);
        return RDB_TLS_ERROR;
    }
}

rdb_tls_io_t rdb_tls_handshake(rdb_tls_conn_t *c)
{
    ERR_clear_error();
    errno = 0;
    int rc = SSL_do_handshake(c->ssl);
    if (rc == 1)
        return RDB_TLS_OK;
    rdb_tls_io_t r = map_result(c, rc);
    return r == RDB_TLS_CLOSED ? RDB_TLS_ERROR : r; /* EOF mid-handshake is an error */
}

rdb_tls_io_t rdb_tls_read(rdb_tls_conn_t *c, void *buf, size_t cap, size_t *n)
{
    ERR_clear_error();
    errno = 0;
    *n = 0;
    size_t got = 0;
    int rc = SSL_read_ex(c->ssl, buf, cap, &got);
    if (rc == 1) {
        *n = got;
        return RDB_TLS_OK;
    }
    return map_result(c, rc);
}

rdb_tls_io_t rdb_tls_write(rdb_tls_conn_t *c, const void *buf, size_t len, size_t *n)
{
    ERR_clear_error();
    errno = 0;
    *n = 0;
    size_t put = 0;
    int rc = SSL_write_ex(c->ssl, buf, len, &put);
    if (rc == 1) {
        *n = put;
        return RDB_TLS_OK;
    }
    return map_result(c, rc);
}

rdb_tls_io_t rdb_tls_shutdown(rdb_tls_conn_t *c)
{
    ERR_clear_error();
    errno = 0;
    int rc = SSL_shutdown(c->ssl);
    if (rc >= 0)
        return RDB_TLS_OK; /* 0: close_notify sent, peer's not awaited */
    rdb_tls_io_t r = map_result(c, rc);
    return r == RDB_TLS_CLOSED ? RDB_TLS_OK : r;
}

size_t rdb_tls_pending(const rdb_tls_conn_t *c)
{
    int n = SSL_pending(c->ssl);
    return n > 0 ? (size_t)n : 0;
}

const char *rdb_tls_error(const rdb_tls_conn_t *c) { return c->errbuf[0] ? c->errbuf : "no error"; }
const char *rdb_tls_version(const rdb_tls_conn_t *c) { return SSL_get_version(c->ssl); }
const char *rdb_tls_cipher(const rdb_tls_conn_t *c)
{
    const char *s = SSL_get_cipher_name(c->ssl);
    return s ? s : "";
}

size_t rdb_tls_conn_endpoint(const rdb_tls_conn_t *c, unsigned char out[RDB_TLS_ENDPOINT_MAX])
{
    X509 *cert = SSL_get_certificate(c->ssl); /* not refcounted */
    if (!cert)
        return 0;
    /* RFC 5929 §4.1: the certificate's signature hash, SHA-256 for MD5/SHA-1. */
    int md_nid = NID_undef, pk_nid;
    if (!OBJ_find_sigid_algs(X509_get_signature_nid(cert), &md_nid, &pk_nid))
        return 0;
    const EVP_MD *md;
    if (md_nid == NID_md5 || md_nid == NID_sha1)
        md = EVP_sha256();
    else if (!(md = EVP_get_digestbynid(md_nid)))
        return 0;
    unsigned int len = 0;
    if (!X509_digest(cert, md, out, &len) || len > RDB_TLS_ENDPOINT_MAX)
        return 0;
    return len;
}
