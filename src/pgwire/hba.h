/*
 * hba.h — pg_hba.conf-style client authentication rules.
 *
 * File format, one rule a line, '#' starts a comment, fields separated by
 * blanks, a field may be double-quoted:
 *
 *   local      DATABASE  USER  METHOD
 *   host       DATABASE  USER  ADDRESS  METHOD
 *   hostssl    DATABASE  USER  ADDRESS  METHOD
 *   hostnossl  DATABASE  USER  ADDRESS  METHOD
 *
 * DATABASE and USER are `all` or a comma-separated list of names (a quoted
 * "all" is the name all).  ADDRESS is `all`, an IPv4 or IPv6 address with a
 * /prefix, or an address followed by a separate netmask field.  METHOD is
 * trust, reject, password, md5 or scram-sha-256 (auth.h).  `local` matches
 * Unix-socket connections, `host` any TCP connection, `hostssl` TCP over
 * TLS, `hostnossl` TCP without TLS.  The first matching rule wins; no match
 * means the connection is refused (28000, "no pg_hba.conf entry for ...").
 *
 * Parse errors carry SQLSTATE F0000 (config_file_error) and the message
 * names the file and line: "pg_hba.conf:3: invalid CIDR mask \"/33\"".
 * An rdb_hba_t is immutable after parsing and may be shared by threads; a
 * reload parses a new one and swaps it (old one freed when unused).
 */
#ifndef RDB_PGWIRE_HBA_H
#define RDB_PGWIRE_HBA_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "common/error.h"
#include "pgwire/auth.h"

typedef struct rdb_hba rdb_hba_t;

/* name is used in error messages (e.g. the file path). */
rdb_status_t rdb_hba_parse(const char *text, size_t len, const char *name,
                           rdb_hba_t **out, rdb_err_t *err);
rdb_status_t rdb_hba_load(const char *path, rdb_hba_t **out, rdb_err_t *err);
/* The rules used when no file is configured: `local all all M` and
 * `host all all all M`. */
rdb_hba_t *rdb_hba_default(rdb_auth_method_t m);
void rdb_hba_free(rdb_hba_t *h);
int  rdb_hba_nrules(const rdb_hba_t *h);

typedef struct rdb_hba_client {
    bool                   local;  /* Unix socket */
    const struct sockaddr *addr;   /* TCP peer (AF_INET/AF_INET6); ignored if local */
    bool                   tls;
    const char            *database;
    const char            *user;
} rdb_hba_client_t;

/* First matching rule: *method and *line (1-based line number of the rule).
 * RDB_NOTFOUND with err set to 28000 "no pg_hba.conf entry for host
 * \"1.2.3.4\", user \"u\", database \"d\", no encryption" when none matches. */
rdb_status_t rdb_hba_match(const rdb_hba_t *h, const rdb_hba_client_t *c,
                           rdb_auth_method_t *method, int *line, rdb_err_t *err);

#endif
