/*
 * roles_file.h — roles and password verifiers kept in DATA_DIR/roles until
 * the SQL catalog (pg_authid) holds them.  Lookups have the signature of
 * auth.h's rdb_auth_lookup_fn, i.e. of rdb_engine_ops.role_lookup, so the
 * catalog replaces this file without touching authentication.
 *
 * File format: a first line "ringdb-roles 1", then one role a line,
 * fields separated by a tab:  name  login(0|1)  superuser(0|1)
 * valid_until_ms  verifier (PostgreSQL's rolpassword text, may be empty).
 * Names must not contain tabs, newlines or NULs.  The file is mode 0600
 * and is replaced atomically (write temp, fsync, rename, fsync dir).
 *
 * Initialisation: rdb_roles_file_init() creates the file with the first
 * superuser (conventionally "postgres", or --superuser NAME) and a
 * SCRAM-SHA-256 verifier of the password, which rdb_roles_initial_password()
 * reads from --password-file FILE (first line, trailing newline removed) or
 * else from the environment variable RINGDB_PASSWORD.  Without either the
 * superuser has no password: only trust rules can log it in.
 *
 * An open rdb_roles_file_t is immutable: lookups may run on any thread.
 */
#ifndef RDB_PGWIRE_ROLES_FILE_H
#define RDB_PGWIRE_ROLES_FILE_H

#include <stdbool.h>
#include <stddef.h>  /* backend.h uses size_t without including it */

#include "common/backend.h"
#include "common/error.h"

#define RDB_ROLES_FILE_NAME    "roles"
#define RDB_ROLES_PASSWORD_ENV "RINGDB_PASSWORD"

typedef struct rdb_roles_file rdb_roles_file_t;

/* *out: malloc'ed password, or NULL if neither source gives one.
 * password_file may be NULL.  Errors: unreadable file (58030), empty file. */
rdb_status_t rdb_roles_initial_password(const char *password_file, char **out, rdb_err_t *err);

/* Create DATA_DIR/roles with one superuser; RDB_INVALID (42710) if the
 * file exists already.  password NULL = no password. */
rdb_status_t rdb_roles_file_init(const char *data_dir, const char *superuser,
                                 const char *password, rdb_err_t *err);

/* Load; RDB_NOTFOUND if there is no file, RDB_CORRUPTION (XX001) naming the
 * line on a malformed one. */
rdb_status_t rdb_roles_file_open(const char *data_dir, rdb_roles_file_t **out, rdb_err_t *err);
void rdb_roles_file_free(rdb_roles_file_t *rf);
int  rdb_roles_file_count(const rdb_roles_file_t *rf);

/* ctx is the rdb_roles_file_t.  RDB_NOTFOUND if no such role. */
rdb_status_t rdb_roles_file_lookup(void *ctx, const char *user, rdb_role_info_t *out,
                                   rdb_err_t *err);

/* Add or replace a role and rewrite the file (ALTER ROLE ... PASSWORD
 * until the catalog exists).  verifier NULL = no password. */
rdb_status_t rdb_roles_file_set(const char *data_dir, const char *name, bool login,
                                bool superuser, const char *verifier, rdb_err_t *err);

#endif
