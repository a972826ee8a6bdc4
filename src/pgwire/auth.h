/*
 * auth.h — per-connection client authentication, independent of sockets.
 *
 * Contract.  The connection layer creates an rdb_auth_t once it knows the
 * method (from hba.h), the user, the database, the client address and the
 * TLS state, calls rdb_auth_start() to get the first server message, then
 * feeds the payload (without the 'p' type byte and length) of every client
 * PasswordMessage / SASLInitialResponse / SASLResponse to rdb_auth_step().
 * Both append complete backend messages ('R' + int32 length + body) to out:
 * AuthenticationCleartextPassword, AuthenticationMD5Password,
 * AuthenticationSASL, AuthenticationSASLContinue, AuthenticationSASLFinal
 * and, on success, AuthenticationOk.  Nothing else is ever appended.
 *
 * rdb_auth_state() then says whether more client messages are expected
 * (RDB_AUTH_CONTINUE), the client is authenticated (RDB_AUTH_OK; the caller
 * sends ParameterStatus ... ReadyForQuery) or authentication failed
 * (RDB_AUTH_FAILED).  A failing start/step returns non-OK with err set:
 *   - 28P01 "password authentication failed for user \"x\"" for a wrong
 *     password, an unknown user, a role without password, a role that
 *     cannot log in or whose password expired.  The message is the same in
 *     every case, so a client cannot learn whether the user exists: an
 *     unknown user gets a SCRAM exchange against a mock verifier derived
 *     from the server secret (as PostgreSQL does), and an md5 salt.
 *   - 28000 for method reject and for cleartext refused without TLS.
 *   - 08P01 for malformed SASL messages or a wrong mechanism.
 * The caller sends the error as FATAL and closes the connection.
 * THE CALLER MUST DELAY THE ERROR (e.g. ~1 s, with a timer, not sleeping on
 * the event loop) to slow down password guessing; this module never blocks.
 *
 * Thread-safety: one rdb_auth_t per connection, used by one thread.  The
 * role lookup callback is called only from rdb_auth_start().
 */
#ifndef RDB_PGWIRE_AUTH_H
#define RDB_PGWIRE_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/backend.h"
#include "common/buf.h"
#include "common/error.h"

typedef enum rdb_auth_method {
    RDB_AUTH_TRUST = 0,
    RDB_AUTH_REJECT,
    RDB_AUTH_PASSWORD,   /* cleartext: refused without TLS unless allowed */
    RDB_AUTH_MD5,        /* md5 challenge; a SCRAM verifier switches to SCRAM
                          * as PostgreSQL does */
    RDB_AUTH_SCRAM,      /* SCRAM-SHA-256 (and -PLUS over TLS) */
} rdb_auth_method_t;

/* "trust", "reject", "password", "md5", "scram-sha-256". */
const char *rdb_auth_method_name(rdb_auth_method_t m);
/* Parse a method name as above; false if unknown. */
bool rdb_auth_method_parse(const char *name, rdb_auth_method_t *out);

/* How to find a role: a thin wrapper around rdb_engine_ops.role_lookup (or
 * the roles file, roles_file.h).  Returns RDB_NOTFOUND if the role does not
 * exist; any other failure is reported to the client as is. */
typedef rdb_status_t (*rdb_auth_lookup_fn)(void *ctx, const char *user,
                                           rdb_role_info_t *out, rdb_err_t *err);

typedef struct rdb_auth_params {
    rdb_auth_method_t method;
    const char *user;          /* from the StartupMessage; copied */
    const char *database;      /* copied (for logs) */
    const char *client_addr;   /* text, for logs; copied; may be NULL */
    bool        tls;           /* the connection is encrypted */
    /* tls-server-end-point channel-binding data (tls.h), NULL/0 if no TLS:
     * with it SCRAM-SHA-256-PLUS is offered.  Copied. */
    const unsigned char *cbind_data;
    size_t      cbind_len;
    bool        allow_cleartext_without_tls;
    /* Server secret from which mock verifiers/salts for unknown users are
     * derived (stable across connections, so repeated probes of the same
     * name see the same salt).  Copied; must not be empty. */
    const unsigned char *secret;
    size_t      secret_len;
    int         scram_iterations; /* for mock verifiers; 0 = 4096 */
    int64_t     now_ms;            /* wall clock for valid_until checks */
    rdb_auth_lookup_fn lookup;
    void       *lookup_ctx;
} rdb_auth_params_t;

typedef enum rdb_auth_state {
    RDB_AUTH_CONTINUE = 0,
    RDB_AUTH_OK,
    RDB_AUTH_FAILED,
} rdb_auth_state_t;

typedef struct rdb_auth rdb_auth_t;

rdb_auth_t *rdb_auth_new(const rdb_auth_params_t *p);
void rdb_auth_free(rdb_auth_t *a);

/* Look the role up and append the first message (AuthenticationOk for
 * trust, a challenge otherwise). */
rdb_status_t rdb_auth_start(rdb_auth_t *a, rdb_buf_t *out, rdb_err_t *err);
/* Feed one client 'p' message payload. */
rdb_status_t rdb_auth_step(rdb_auth_t *a, const char *payload, size_t len,
                           rdb_buf_t *out, rdb_err_t *err);
rdb_auth_state_t rdb_auth_state(const rdb_auth_t *a);
/* The method actually used (md5 may turn into SCRAM). */
rdb_auth_method_t rdb_auth_used_method(const rdb_auth_t *a);
/* Whether the role is a superuser (valid once RDB_AUTH_OK). */
bool rdb_auth_superuser(const rdb_auth_t *a);

/* Password verifiers as PostgreSQL stores them in pg_authid.rolpassword.
 * rdb_auth_make_verifier: "md5" + hex(md5(password + user)) or
 * "SCRAM-SHA-256$<iter>:<salt>$<StoredKey>:<ServerKey>" with a random salt;
 * result is malloc'ed.  Returns NULL on failure (SASLprep refusal). */
char *rdb_auth_make_verifier(rdb_auth_method_t m, const char *user, const char *password,
                             int iterations);
/* Check a password against any verifier kind (plain text included). */
bool rdb_auth_check_password(const char *verifier, const char *user, const char *password);

#endif
