/*
 * security.h — the node's client-security settings as one immutable,
 * reference-counted snapshot (internal to src/pgwire/): the default method
 * (--auth), the hba rules (--hba-file, or "everything uses --auth"), the
 * TLS context (--ssl-cert/--ssl-key; none: SSLRequest gets 'N'), the roles
 * file and the server secret from which SCRAM mock verifiers are derived.
 *
 * rdb_pgsec_init_datadir() runs once at start-up, before the first
 * snapshot: on a data directory without a roles file it creates one with
 * the first superuser (--superuser, default postgres) and the SCRAM-SHA-256
 * verifier of the password from --password-file or RINGDB_PASSWORD, and
 * refuses (28P01-free, plain F0000) when a password method is configured
 * but no password was given.  Later starts need no password.
 *
 * rdb_pgsec_build() makes a snapshot from the configuration; SIGHUP builds
 * a new one and swaps it in (a broken hba or certificate keeps the old
 * one).  A connection takes a reference at start-up and drops it when it
 * closes, so a reload never changes the rules under an exchange.
 *
 * Role lookup (rdb_pgsec_lookup, an rdb_auth_lookup_fn): the engine's
 * backend->role_lookup first (roles created with SQL); where the engine
 * does not know the role, or knows it without a password, the roles file
 * (which holds the first superuser's verifier) is asked, and a role it
 * holds is taken from it whole (verifier, login, superuser).
 */
#ifndef RDB_PGWIRE_SECURITY_H
#define RDB_PGWIRE_SECURITY_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/backend.h"
#include "common/config.h"
#include "common/error.h"
#include "pgwire/auth.h"
#include "pgwire/hba.h"
#include "pgwire/roles_file.h"
#include "pgwire/tls.h"

#define RDB_PGSEC_SECRET_FILE "auth_secret"
#define RDB_PGSEC_SECRET_LEN  32

typedef struct rdb_pgsec {
    atomic_int         refs;
    rdb_auth_method_t  method;         /* --auth */
    rdb_hba_t         *hba;            /* never NULL */
    rdb_tls_ctx_t     *tls;            /* NULL: no TLS */
    rdb_roles_file_t  *roles;          /* NULL: no roles file */
    unsigned char      secret[RDB_PGSEC_SECRET_LEN];
    bool               cleartext_without_tls;
    int64_t            fail_delay_ms;  /* before a failed login's error */
    int64_t            auth_timeout_ms;
} rdb_pgsec_t;

/* Initialise DATA_DIR's roles file and secret if missing (see above). */
rdb_status_t rdb_pgsec_init_datadir(const rdb_config_t *cfg, rdb_err_t *err);
/* New snapshot with one reference.  Errors name the file (F0000). */
rdb_status_t rdb_pgsec_build(const rdb_config_t *cfg, rdb_pgsec_t **out, rdb_err_t *err);
rdb_pgsec_t *rdb_pgsec_ref(rdb_pgsec_t *s);
void rdb_pgsec_unref(rdb_pgsec_t *s);

/* lookup_ctx of rdb_pgsec_lookup. */
typedef struct rdb_pgsec_lookup_ctx {
    const rdb_backend_t *be;
    const rdb_pgsec_t   *sec;
} rdb_pgsec_lookup_ctx_t;

rdb_status_t rdb_pgsec_lookup(void *ctx, const char *user, rdb_role_info_t *out, rdb_err_t *err);

#endif
