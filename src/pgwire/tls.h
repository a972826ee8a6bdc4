/*
 * tls.h — OpenSSL server side for pgwire, driven by a non-blocking loop.
 *
 * rdb_tls_ctx_new() builds a server SSL_CTX from a PEM certificate (chain)
 * file and key file, optionally a CA file (then client certificates are
 * requested but not required).  TLS 1.2 is the minimum.  The context is
 * immutable and shared by all threads; rdb_tls_ctx_free() may run while
 * connections made from it are still open (OpenSSL refcounts it).
 *
 * After the client's SSLRequest and the server's 'S', the connection calls
 * rdb_tls_conn_new() on its socket and rdb_tls_handshake() until it returns
 * RDB_TLS_OK; then rdb_tls_read()/rdb_tls_write() replace read()/write().
 * Every call returns RDB_TLS_WANT_READ or RDB_TLS_WANT_WRITE when it would
 * block: wait for that socket event (note that a read may want a write
 * during renegotiation and vice versa) and call the same function again
 * with the same arguments.  RDB_TLS_CLOSED is a clean close_notify or EOF;
 * RDB_TLS_ERROR is fatal for the connection (rdb_tls_error() says why).
 * Data may sit decrypted inside OpenSSL with no socket event pending: after
 * a read, call rdb_tls_pending() and keep reading while it is non-zero.
 *
 * The process must ignore SIGPIPE: OpenSSL writes to the socket with
 * write(), and a peer that vanished mid-handshake would otherwise kill it.
 *
 * Channel binding: rdb_tls_conn_endpoint() gives the tls-server-end-point
 * data (RFC 5929): the hash of the server certificate with the certificate's
 * signature digest, SHA-256 when that is MD5 or SHA-1.
 */
#ifndef RDB_PGWIRE_TLS_H
#define RDB_PGWIRE_TLS_H

#include <stddef.h>

#include "common/error.h"

typedef struct rdb_tls_ctx  rdb_tls_ctx_t;
typedef struct rdb_tls_conn rdb_tls_conn_t;

typedef enum rdb_tls_io {
    RDB_TLS_OK = 0,
    RDB_TLS_WANT_READ,
    RDB_TLS_WANT_WRITE,
    RDB_TLS_CLOSED,
    RDB_TLS_ERROR,
} rdb_tls_io_t;

#define RDB_TLS_ENDPOINT_MAX 64

/* Errors: RDB_INVALID with SQLSTATE F0000 naming the file and OpenSSL's reason. */
rdb_status_t rdb_tls_ctx_new(const char *cert_file, const char *key_file, const char *ca_file,
                             rdb_tls_ctx_t **out, rdb_err_t *err);
void rdb_tls_ctx_free(rdb_tls_ctx_t *ctx);

/* NULL on allocation failure in OpenSSL.  Does not take ownership of fd. */
rdb_tls_conn_t *rdb_tls_conn_new(rdb_tls_ctx_t *ctx, int fd);
void rdb_tls_conn_free(rdb_tls_conn_t *c);

rdb_tls_io_t rdb_tls_handshake(rdb_tls_conn_t *c);
/* *n gets the byte count on RDB_TLS_OK (> 0). */
rdb_tls_io_t rdb_tls_read(rdb_tls_conn_t *c, void *buf, size_t cap, size_t *n);
rdb_tls_io_t rdb_tls_write(rdb_tls_conn_t *c, const void *buf, size_t len, size_t *n);
/* Send close_notify; OK once sent (the peer's reply is not awaited). */
rdb_tls_io_t rdb_tls_shutdown(rdb_tls_conn_t *c);
size_t rdb_tls_pending(const rdb_tls_conn_t *c);
/* Text of the last RDB_TLS_ERROR (static or owned by c). */
const char *rdb_tls_error(const rdb_tls_conn_t *c);
/* "TLSv1.3" etc. and the cipher name, for logs / pg_stat_ssl. */
const char *rdb_tls_version(const rdb_tls_conn_t *c);
const char *rdb_tls_cipher(const rdb_tls_conn_t *c);

/* tls-server-end-point data; *len <= RDB_TLS_ENDPOINT_MAX; 0 on failure. */
size_t rdb_tls_conn_endpoint(const rdb_tls_conn_t *c, unsigned char out[RDB_TLS_ENDPOINT_MAX]);

#endif
