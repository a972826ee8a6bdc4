/*
 * test_tls.c — the TLS wrappers against a real OpenSSL client over a
 * socketpair, both non-blocking and driven in one thread as an event loop
 * would; certificates come from scripts/make-cert (argv[1]).
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "common/error.h"
#include "pgwire/tls.h"

static const char *make_cert;
static char dir[64];

static void path(char *out, size_t cap, const char *file)
{
    snprintf(out, cap, "%s/%s", dir, file);
}

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/pgsec_tls_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char cmd[512];
    snprintf(cmd, sizeof cmd, "%s %s >/dev/null", make_cert, dir);
    ck_assert_int_eq(system(cmd), 0);
}

static void teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    ck_assert_int_eq(system(cmd), 0);
}

static void nonblock(int fd) { fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); }

START_TEST(test_tls_roundtrip)
{
    char crt[128], key[128], ca[128];
    path(crt, sizeof crt, "server.crt");
    path(key, sizeof key, "server.key");
    path(ca, sizeof ca, "ca.crt");
    rdb_tls_ctx_t *sctx;
    rdb_err_t err = RDB_ERR_INIT;
    ck_assert_int_eq(rdb_tls_ctx_new(crt, key, NULL, &sctx, &err), RDB_OK);

    int sv[2];
    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    nonblock(sv[0]);
    nonblock(sv[1]);
    rdb_tls_conn_t *s = rdb_tls_conn_new(sctx, sv[0]);
    ck_assert_ptr_nonnull(s);

    SSL_CTX *cctx = SSL_CTX_new(TLS_client_method());
    ck_assert_int_eq(SSL_CTX_load_verify_locations(cctx, ca, NULL), 1);
    SSL_CTX_set_verify(cctx, SSL_VERIFY_PEER, NULL);
    SSL *cl = SSL_new(cctx);
    SSL_set_fd(cl, sv[1]);
    SSL_set_connect_state(cl);

    /* Drive both handshakes; the server must only ever say WANT_*. */
    bool sdone = false, cdone = false;
    for (int i = 0; i < 100 && !(sdone && cdone); i++) {
        if (!sdone) {
            rdb_tls_io_t r = rdb_tls_handshake(s);
            ck_assert_msg(r == RDB_TLS_OK || r == RDB_TLS_WANT_READ || r == RDB_TLS_WANT_WRITE,
                          "server handshake: %s", rdb_tls_error(s));
            sdone = r == RDB_TLS_OK;
        }
        if (!cdone) {
            int rc = SSL_do_handshake(cl);
            if (rc == 1)
                cdone = true;
            else
                ck_assert(SSL_get_error(cl, rc) == SSL_ERROR_WANT_READ ||
                          SSL_get_error(cl, rc) == SSL_ERROR_WANT_WRITE);
        }
    }
    ck_assert(sdone && cdone);
    ck_assert_int_eq(SSL_get_verify_result(cl), X509_V_OK); /* verify-ca */
    ck_assert(strncmp(rdb_tls_version(s), "TLSv1.", 6) == 0);
    ck_assert(rdb_tls_cipher(s)[0] != '\0');

    /* Channel binding data equals what a client computes from the cert. */
    unsigned char ep[RDB_TLS_ENDPOINT_MAX], want[EVP_MAX_MD_SIZE];
    size_t eplen = rdb_tls_conn_endpoint(s, ep);
    ck_assert_int_eq(eplen, 32);
    X509 *peer = SSL_get1_peer_certificate(cl);
    unsigned int wlen;
    ck_assert(X509_digest(peer, EVP_sha256(), want, &wlen));
    X509_free(peer);
    ck_assert_int_eq(wlen, 32);
    ck_assert(memcmp(ep, want, 32) == 0);

    /* Data both ways, larger than one TLS record. */
    static char big[100000], got[100000];
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (char)(i * 7);
    size_t sent = 0, recvd = 0;
    for (int i = 0; i < 10000 && recvd < sizeof big; i++) {
        if (sent < sizeof big) {
            size_t n;
            rdb_tls_io_t r = rdb_tls_write(s, big + sent, sizeof big - sent, &n);
            ck_assert(r == RDB_TLS_OK || r == RDB_TLS_WANT_WRITE);
            if (r == RDB_TLS_OK)
                sent += n;
        }
        int rc = SSL_read(cl, got + recvd, (int)(sizeof got - recvd));
        if (rc > 0)
            recvd += (size_t)rc;
    }
    ck_assert_int_eq(recvd, sizeof big);
    ck_assert(memcmp(big, got, sizeof big) == 0);

    ck_assert_int_eq(SSL_write(cl, "hello", 5), 5);
    char buf[16];
    size_t n = 0;
    rdb_tls_io_t r = rdb_tls_read(s, buf, 2, &n);
    ck_assert_int_eq(r, RDB_TLS_OK);
    ck_assert_int_eq(n, 2);
    ck_assert_int_eq(rdb_tls_pending(s), 3);   /* decrypted, no socket event */
    ck_assert_int_eq(rdb_tls_read(s, buf + 2, sizeof buf - 2, &n), RDB_TLS_OK);
    ck_assert_int_eq(n, 3);
    ck_assert(memcmp(buf, "hello", 5) == 0);
    ck_assert_int_eq(rdb_tls_read(s, buf, sizeof buf, &n), RDB_TLS_WANT_READ);

    /* Clean close from the client. */
    SSL_shutdown(cl);
    ck_assert_int_eq(rdb_tls_read(s, buf, sizeof buf, &n), RDB_TLS_CLOSED);
    ck_assert_int_eq(rdb_tls_shutdown(s), RDB_TLS_OK);

    SSL_free(cl);
    SSL_CTX_free(cctx);
    rdb_tls_conn_free(s);
    rdb_tls_ctx_free(sctx);
    close(sv[0]);
    close(sv[1]);
}
END_TEST

START_TEST(test_tls_garbage_client)
{
    /* A client that sends a non-TLS byte stream: error, no crash. */
    char crt[128], key[128];
    path(crt, sizeof crt, "server.crt");
    path(key, sizeof key, "server.key");
    rdb_tls_ctx_t *sctx;
    rdb_err_t err = RDB_ERR_INIT;
    ck_assert_int_eq(rdb_tls_ctx_new(crt, key, NULL, &sctx, &err), RDB_OK);
    int sv[2];
    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    nonblock(sv[0]);
    rdb_tls_conn_t *s = rdb_tls_conn_new(sctx, sv[0]);
    ck_assert_int_eq(rdb_tls_handshake(s), RDB_TLS_WANT_READ);
    const char junk[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    ck_assert_int_eq(write(sv[1], junk, sizeof junk - 1), (ssize_t)sizeof junk - 1);
    ck_assert_int_eq(rdb_tls_handshake(s), RDB_TLS_ERROR);
    ck_assert(strlen(rdb_tls_error(s)) > 0);
    rdb_tls_conn_free(s);
    close(sv[0]);
    close(sv[1]);

    /* EOF in the middle of the handshake is an error too. */
    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    nonblock(sv[0]);
    s = rdb_tls_conn_new(sctx, sv[0]);
    close(sv[1]);
    ck_assert_int_eq(rdb_tls_handshake(s), RDB_TLS_ERROR);
    rdb_tls_conn_free(s);
    close(sv[0]);
    rdb_tls_ctx_free(sctx);
}
END_TEST

START_TEST(test_tls_config_errors)
{
    char crt[128], key[128], cakey[128], ca[128];
    path(crt, sizeof crt, "server.crt");
    path(key, sizeof key, "server.key");
    path(cakey, sizeof cakey, "ca.key");
    path(ca, sizeof ca, "ca.crt");
    rdb_tls_ctx_t *c = (rdb_tls_ctx_t *)1;
    rdb_err_t err = RDB_ERR_INIT;
    ck_assert_int_eq(rdb_tls_ctx_new("/nonexistent.crt", key, NULL, &c, &err), RDB_INVALID);
    ck_assert_ptr_null(c);
    ck_assert_str_eq(err.sqlstate, "F0000");
    ck_assert(strstr(err.msg, "certificate file \"/nonexistent.crt\"") != NULL);
    rdb_err_clear(&err);
    ck_assert_int_eq(rdb_tls_ctx_new(crt, "/nonexistent.key", NULL, &c, &err), RDB_INVALID);
    ck_assert(strstr(err.msg, "private key file") != NULL);
    rdb_err_clear(&err);
    ck_assert_int_eq(rdb_tls_ctx_new(crt, cakey, NULL, &c, &err), RDB_INVALID); /* wrong key */
    ck_assert_msg(strstr(err.msg, "private key") != NULL, "%s", err.msg);
    rdb_err_clear(&err);
    ck_assert_int_eq(rdb_tls_ctx_new(crt, key, "/nonexistent-ca.crt", &c, &err), RDB_INVALID);
    ck_assert(strstr(err.msg, "CA file") != NULL);
    rdb_err_clear(&err);
    ck_assert_int_eq(rdb_tls_ctx_new(NULL, key, NULL, &c, &err), RDB_INVALID);
    rdb_err_clear(&err);
    ck_assert_int_eq(rdb_tls_ctx_new(crt, key, ca, &c, &err), RDB_OK);
    rdb_tls_ctx_free(c);
}
END_TEST

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s path/to/scripts/make-cert\n", argv[0]);
        return 2;
    }
    make_cert = argv[1];
    signal(SIGPIPE, SIG_IGN); /* as the server does */
    Suite *su = suite_create("pgsec-tls");
    TCase *tc = tcase_create("tls");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_tls_roundtrip);
    tcase_add_test(tc, test_tls_garbage_client);
    tcase_add_test(tc, test_tls_config_errors);
    suite_add_tcase(su, tc);
    SRunner *sr = srunner_create(su);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
