/*
 * security.c — the client-security snapshot, data-directory initialisation
 * of the first superuser, and the role lookup chain (see security.h).
 */
#include "pgwire/security.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "common/log.h"
#include "common/mem.h"

static const char *data_dir(const rdb_config_t *cfg)
{
    const char *d = rdb_config_str(cfg, "data-dir");
    return d && d[0] ? d : ".";
}

static rdb_status_t auth_method(const rdb_config_t *cfg, rdb_auth_method_t *m, rdb_err_t *err)
{
    const char *name = rdb_config_str(cfg, "auth");
    if (!rdb_auth_method_parse(name, m) || *m == RDB_AUTH_REJECT)
        return rdb_err_set(err, RDB_INVALID, "22023",
                           "invalid value for --auth: \"%s\" (trust, password, md5 or scram-sha-256)",
                           name);
    return RDB_OK;
}

/* Read DATA_DIR/auth_secret, creating it with random bytes if it is missing
 * or short (a crash while it was being written). */
static rdb_status_t load_secret(const char *dir, unsigned char *secret, rdb_err_t *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/" RDB_PGSEC_SECRET_FILE, dir);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        ssize_t n = read(fd, secret, RDB_PGSEC_SECRET_LEN);
        close(fd);
        if (n == RDB_PGSEC_SECRET_LEN)
            return RDB_OK;
    }
    if (RAND_bytes(secret, RDB_PGSEC_SECRET_LEN) != 1)
        return rdb_err_set(err, RDB_IOERROR, "XX000", "could not generate the server secret");
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0 || write(fd, secret, RDB_PGSEC_SECRET_LEN) != RDB_PGSEC_SECRET_LEN || fsync(fd) != 0) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        return rdb_err_set(err, RDB_IOERROR, "58030", "could not write \"%s\": %s", path, strerror(e));
    }
    close(fd);
    return RDB_OK;
}

rdb_status_t rdb_pgsec_init_datadir(const rdb_config_t *cfg, rdb_err_t *err)
{
    const char *dir = data_dir(cfg);
    rdb_auth_method_t method;
    if (auth_method(cfg, &method, err) != RDB_OK)
        return RDB_INVALID;
    unsigned char secret[RDB_PGSEC_SECRET_LEN];
    if (load_secret(dir, secret, err) != RDB_OK)
        return RDB_IOERROR;
    OPENSSL_cleanse(secret, sizeof secret);

    rdb_roles_file_t *rf = NULL;
    rdb_status_t st = rdb_roles_file_open(dir, &rf, err);
    if (st == RDB_OK) {
        rdb_roles_file_free(rf);
        if (rdb_config_str(cfg, "password-file"))
            RDB_LOG_INFO("pgwire", "roles already initialised in %s: --password-file ignored", dir);
        return RDB_OK;
    }
    if (st != RDB_NOTFOUND)
        return st;
    rdb_err_clear(err);

    const char *superuser = rdb_config_str(cfg, "superuser");
    char *password = NULL;
    st = rdb_roles_initial_password(rdb_config_str(cfg, "password-file"), &password, err);
    if (st != RDB_OK)
        return st;
    if (!password && method != RDB_AUTH_TRUST)
        return rdb_err_set(err, RDB_INVALID, "F0000",
                           "no password for superuser \"%s\" of the new data directory \"%s\": "
                           "--auth %s needs one; give it with --password-file FILE or the "
                           "environment variable " RDB_ROLES_PASSWORD_ENV ", or use --auth trust",
                           superuser, dir, rdb_auth_method_name(method));
    st = rdb_roles_file_init(dir, superuser, password, err);
    bool had_password = password != NULL;
    if (password) {
        OPENSSL_cleanse(password, strlen(password));
        free(password);
    }
    if (st == RDB_OK)
        RDB_LOG_INFO("pgwire", "initialised roles in %s: superuser \"%s\"%s", dir, superuser,
                     had_password ? " with a SCRAM-SHA-256 password" : " without password");
    return st;
}

rdb_status_t rdb_pgsec_build(const rdb_config_t *cfg, rdb_pgsec_t **out, rdb_err_t *err)
{
    *out = NULL;
    rdb_pgsec_t *s = rdb_calloc(1, sizeof *s);
    atomic_init(&s->refs, 1);
    rdb_status_t st = auth_method(cfg, &s->method, err);
    const char *dir = data_dir(cfg);
    const char *hba = rdb_config_str(cfg, "hba-file");
    const char *cert = rdb_config_str(cfg, "ssl-cert"), *key = rdb_config_str(cfg, "ssl-key");
    if (st == RDB_OK && hba && hba[0])
        st = rdb_hba_load(hba, &s->hba, err);
    else if (st == RDB_OK)
        s->hba = rdb_hba_default(s->method);
    if (st == RDB_OK && ((cert && cert[0]) || (key && key[0]))) {
        if (!(cert && cert[0]) || !(key && key[0]))
            st = rdb_err_set(err, RDB_INVALID, "F0000", "--ssl-cert and --ssl-key go together");
        else
            st = rdb_tls_ctx_new(cert, key, rdb_config_str(cfg, "ssl-ca"), &s->tls, err);
    }
    if (st == RDB_OK) {
        st = rdb_roles_file_open(dir, &s->roles, err);
        if (st == RDB_NOTFOUND) {
            rdb_err_clear(err);
            st = RDB_OK;
        }
    }
    if (st == RDB_OK)
        st = load_secret(dir, s->secret, err);
    if (st != RDB_OK) {
        rdb_pgsec_unref(s);
        return st;
    }
    s->cleartext_without_tls = rdb_config_bool(cfg, "password-without-tls");
    s->fail_delay_ms = rdb_config_ms(cfg, "auth-failure-delay");
    s->auth_timeout_ms = rdb_config_ms(cfg, "authentication-timeout");
    *out = s;
    return RDB_OK;
}

rdb_pgsec_t *rdb_pgsec_ref(rdb_pgsec_t *s)
{
    atomic_fetch_add(&s->refs, 1);
    return s;
}

void rdb_pgsec_unref(rdb_pgsec_t *s)
{
    if (!s || atomic_fetch_sub(&s->refs, 1) != 1)
        return;
    rdb_hba_free(s->hba);
    rdb_tls_ctx_free(s->tls);
    rdb_roles_file_free(s->roles);
    OPENSSL_cleanse(s->secret, sizeof s->secret);
    free(s);
}

static void role_info_clear(rdb_role_info_t *r)
{
    if (r->password) {
        OPENSSL_cleanse(r->password, strlen(r->password));
        free(r->password);
    }
    memset(r, 0, sizeof *r);
}

rdb_status_t rdb_pgsec_lookup(void *ctx, const char *user, rdb_role_info_t *out, rdb_err_t *err)
{
    rdb_pgsec_lookup_ctx_t *lc = ctx;
    memset(out, 0, sizeof *out);
    rdb_status_t st = RDB_NOTFOUND;
    if (lc->be && lc->be->role_lookup) {
        st = lc->be->role_lookup(lc->be->engine, user, out, err);
        if (st != RDB_OK && st != RDB_NOTFOUND)
            return st;
        rdb_err_clear(err);
        if (st == RDB_OK && out->password && out->password[0])
            return RDB_OK;
    }
    if (!lc->sec->roles)
        return st;
    rdb_role_info_t fr;
    memset(&fr, 0, sizeof fr);
    rdb_status_t fst = rdb_roles_file_lookup(lc->sec->roles, user, &fr, err);
    if (fst == RDB_NOTFOUND) {
        rdb_err_clear(err);
        return st;
    }
    if (fst != RDB_OK) {
        if (st == RDB_OK)
            role_info_clear(out);
        return fst;
    }
    /* The catalog has no password for it: the roles file's entry, whole
     * (the first superuser, until ALTER ROLE gives the catalog one). */
    if (st == RDB_OK)
        role_info_clear(out);
    *out = fr;
    return RDB_OK;
}
