/*
 * scram.h — SCRAM-SHA-256 server side (RFC 5802, RFC 7677) as PostgreSQL
 * speaks it, with channel binding tls-server-end-point (SCRAM-SHA-256-PLUS).
 *
 * Verifiers use PostgreSQL's pg_authid format:
 *   SCRAM-SHA-256$<iterations>:<base64 salt>$<base64 StoredKey>:<base64 ServerKey>
 *
 * An exchange: rdb_scram_new() with the role's verifier (or a mock one for
 * an unknown user, which always fails at the end, exactly where a wrong
 * password fails), rdb_scram_client_first() with the data of the client's
 * SASLInitialResponse (appends server-first-message), then
 * rdb_scram_client_final() with the SASLResponse data (appends the
 * server-final-message "v=..." on success).  Errors: 08P01 for malformed
 * messages, 0A000 for unsupported features (authzid, extensions, unknown
 * channel-binding type), 28000 for a channel-binding downgrade, 28P01 for
 * a wrong proof or a mock exchange.  The error text never differs between a
 * wrong password and a mock verifier.
 *
 * SASLprep: pure ASCII passwords are used as is (as PostgreSQL's
 * pg_saslprep does).  Non-ASCII passwords are used as raw UTF-8 bytes
 * without NFKC normalisation — identical to PostgreSQL for passwords that
 * are already normalised or that SASLprep rejects, not for others.
 */
#ifndef RDB_PGWIRE_SCRAM_H
#define RDB_PGWIRE_SCRAM_H

#include <stdbool.h>
#include <stddef.h>

#include "common/buf.h"
#include "common/error.h"

#define RDB_SCRAM_KEY_LEN    32   /* SHA-256 */
#define RDB_SCRAM_SALT_LEN   16   /* what we generate */
#define RDB_SCRAM_SALT_MAX   64   /* what we accept in a verifier */
#define RDB_SCRAM_ITERATIONS 4096
#define RDB_SCRAM_NONCE_LEN  18   /* raw bytes, base64 encoded in messages */

typedef struct rdb_scram_verifier {
    int           iterations;
    unsigned char salt[RDB_SCRAM_SALT_MAX];
    size_t        salt_len;
    unsigned char stored_key[RDB_SCRAM_KEY_LEN];
    unsigned char server_key[RDB_SCRAM_KEY_LEN];
} rdb_scram_verifier_t;

/* false if s is not a well-formed SCRAM-SHA-256 verifier. */
bool rdb_scram_parse_verifier(const char *s, rdb_scram_verifier_t *v);
/* Compute the keys of password with salt and iterations. */
bool rdb_scram_compute(const char *password, const unsigned char *salt, size_t salt_len,
                       int iterations, rdb_scram_verifier_t *v);
/* Format a verifier; malloc'ed string. */
char *rdb_scram_format_verifier(const rdb_scram_verifier_t *v);
/* New verifier with a random salt; malloc'ed, NULL on failure. */
char *rdb_scram_make_verifier(const char *password, int iterations);
/* Deterministic mock verifier for an unknown user: salt = first 16 bytes of
 * SHA-256(user || secret), keys unusable. */
void rdb_scram_mock_verifier(const char *user, const unsigned char *secret, size_t secret_len,
                             int iterations, rdb_scram_verifier_t *v);
/* Constant-time check of a cleartext password against a verifier. */
bool rdb_scram_verify_password(const rdb_scram_verifier_t *v, const char *password);

/* base64 (RFC 4648, padded).  Decode returns false on any malformed input
 * or if the result would exceed cap. */
void rdb_base64_encode(rdb_buf_t *out, const unsigned char *p, size_t n);
bool rdb_base64_decode(const char *s, size_t n, unsigned char *out, size_t cap, size_t *outlen);

typedef struct rdb_scram rdb_scram_t;

/* cbind: tls-server-end-point data or NULL when not over TLS.  mock: the
 * exchange must fail (unknown user / unusable verifier). */
rdb_scram_t *rdb_scram_new(const rdb_scram_verifier_t *v, bool mock,
                           const unsigned char *cbind, size_t cbind_len);
void rdb_scram_free(rdb_scram_t *s);

/* mechanism: "SCRAM-SHA-256" or "SCRAM-SHA-256-PLUS" (the latter only when
 * cbind was given). */
rdb_status_t rdb_scram_client_first(rdb_scram_t *s, const char *mechanism,
                                    const char *data, size_t len,
                                    rdb_buf_t *server_first, rdb_err_t *err);
rdb_status_t rdb_scram_client_final(rdb_scram_t *s, const char *data, size_t len,
                                    rdb_buf_t *server_final, rdb_err_t *err);

/* Testing hook: fix the server nonce (raw bytes, RDB_SCRAM_NONCE_LEN) of
 * the next exchange instead of drawing random bytes. */
void rdb_scram_set_nonce_for_test(rdb_scram_t *s, const char *nonce_b64);

#endif
