/*
 * auth.c — the per-connection authentication state machine (see auth.h).
 */
#include "pgwire/auth.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "common/mem.h"
#include "pgwire/scram.h"

/* Authentication request codes of the 'R' message. */
enum {
    AUTH_REQ_OK = 0,
    AUTH_REQ_PASSWORD = 3,
    AUTH_REQ_MD5 = 5,
    AUTH_REQ_SASL = 10,
    AUTH_REQ_SASL_CONT = 11,
    AUTH_REQ_SASL_FIN = 12,
};

#define MD5_PREFIX   "md5"
#define MD5_HEX_LEN  32
#define PASSWORD_MAX 1024  /* PostgreSQL's client side accepts about this much */

enum phase { PH_NEW, PH_PASSWORD, PH_MD5, PH_SASL_INIT, PH_SASL_CONT, PH_DONE };

struct rdb_auth {
    rdb_auth_params_t p;       /* strings below are our copies */
    char             *user, *database, *client_addr;
    unsigned char    *cbind, *secret;
    enum phase        phase;
    rdb_auth_state_t  state;
    rdb_auth_method_t used;
    rdb_role_info_t   role;
    bool              role_found;
    bool              role_usable;   /* exists, has a verifier, not expired */
    unsigned char     md5_salt[4];
    rdb_scram_t      *scram;
};

static const char *const method_names[] = {
    [RDB_AUTH_TRUST] = "trust", [RDB_AUTH_REJECT] = "reject",
    [RDB_AUTH_PASSWORD] = "password", [RDB_AUTH_MD5] = "md5",
    [RDB_AUTH_SCRAM] = "scram-sha-256",
};

const char *rdb_auth_method_name(rdb_auth_method_t m)
{
    return (unsigned)m < sizeof method_names / sizeof method_names[0] ? method_names[m] : "?";
}

bool rdb_auth_method_parse(const char *name, rdb_auth_method_t *out)
{
    for (unsigned i = 0; i < sizeof method_names / sizeof method_names[0]; i++)
        if (strcmp(name, method_names[i]) == 0) {
            *out = (rdb_auth_method_t)i;
            return true;
        }
    return false;
}

/* ---- md5 ------------------------------------------------------------ */

static void md5_hex(const void *a, size_t alen, const void *b, size_t blen, char out[MD5_HEX_LEN + 1])
{
    unsigned char d[16];
    unsigned int dlen = 0;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    memset(d, 0, sizeof d);
    if (md && EVP_DigestInit_ex(md, EVP_md5(), NULL) && EVP_DigestUpdate(md, a, alen) &&
        EVP_DigestUpdate(md, b, blen))
        EVP_DigestFinal_ex(md, d, &dlen);
    EVP_MD_CTX_free(md);
    for (int i = 0; i < 16; i++)
        snprintf(out + 2 * i, 3, "%02x", d[i]);
}

static bool is_md5_verifier(const char *v)
{
    if (strncmp(v, MD5_PREFIX, 3) != 0 || strlen(v) != 3 + MD5_HEX_LEN)
        return false;
    for (int i = 3; i < 3 + MD5_HEX_LEN; i++)
        if (!((v[i] >= '0' && v[i] <= '9') || (v[i] >= 'a' && v[i] <= 'f')))
            return false;
    return true;
}

char *rdb_auth_make_verifier(rdb_auth_method_t m, const char *user, const char *password,
                             int iterations)
{
    if (m == RDB_AUTH_MD5) {
        char hex[MD5_HEX_LEN + 1], *out = rdb_malloc(3 + MD5_HEX_LEN + 1);
        md5_hex(password, strlen(password), user, strlen(user), hex);
        snprintf(out, 3 + MD5_HEX_LEN + 1, MD5_PREFIX "%s", hex);
        return out;
    }
    if (m == RDB_AUTH_SCRAM)
        return rdb_scram_make_verifier(password, iterations);
    return NULL;
}

bool rdb_auth_check_password(const char *verifier, const char *user, const char *password)
{
    rdb_scram_verifier_t v;
    if (!verifier || !password)
        return false;
    if (rdb_scram_parse_verifier(verifier, &v))
        return rdb_scram_verify_password(&v, password);
    if (is_md5_verifier(verifier)) {
        char hex[MD5_HEX_LEN + 1];
        md5_hex(password, strlen(password), user, strlen(user), hex);
        return CRYPTO_memcmp(hex, verifier + 3, MD5_HEX_LEN) == 0;
    }
    size_t n = strlen(verifier);
    return n == strlen(password) && CRYPTO_memcmp(verifier, password, n) == 0;
}

/* ---- messages ------------------------------------------------------- */

static void put_auth(rdb_buf_t *out, uint32_t code, const void *body, size_t n)
{
    rdb_buf_append_u8(out, 'R');
    rdb_buf_append_u32_be(out, (uint32_t)(4 + 4 + n));
    rdb_buf_append_u32_be(out, code);
    rdb_buf_append(out, body, n);
}

/* ---- the machine ---------------------------------------------------- */

rdb_auth_t *rdb_auth_new(const rdb_auth_params_t *p)
{
    rdb_auth_t *a = rdb_calloc(1, sizeof *a);
    a->p = *p;
    a->user = rdb_strdup(p->user ? p->user : "");
    a->database = rdb_strdup(p->database ? p->database : "");
    a->client_addr = p->client_addr ? rdb_strdup(p->client_addr) : NULL;
    if (p->cbind_data && p->cbind_len) {
        a->cbind = rdb_malloc(p->cbind_len);
        memcpy(a->cbind, p->cbind_data, p->cbind_len);
    } else {
        a->p.cbind_len = 0;
    }
    a->secret = rdb_malloc(p->secret_len ? p->secret_len : 1);
    if (p->secret_len)
        memcpy(a->secret, p->secret, p->secret_len);
    a->p.user = a->user;
    a->p.database = a->database;
    a->p.client_addr = a->client_addr;
    a->p.cbind_data = a->cbind;
    a->p.secret = a->secret;
    a->used = p->method;
    a->state = RDB_AUTH_CONTINUE;
    return a;
}

void rdb_auth_free(rdb_auth_t *a)
{
    if (!a)
        return;
    rdb_scram_free(a->scram);
    if (a->role.password) {
        OPENSSL_cleanse(a->role.password, strlen(a->role.password));
        free(a->role.password);
    }
    free(a->user);
    free(a->database);
    free(a->client_addr);
    free(a->cbind);
    if (a->secret)
        OPENSSL_cleanse(a->secret, a->p.secret_len);
    free(a->secret);
    free(a);
}

rdb_auth_state_t rdb_auth_state(const rdb_auth_t *a) { return a->state; }
rdb_auth_method_t rdb_auth_used_method(const rdb_auth_t *a) { return a->used; }
bool rdb_auth_superuser(const rdb_auth_t *a) { return a->state == RDB_AUTH_OK && a->role.superuser; }

static rdb_status_t fail(rdb_auth_t *a, rdb_status_t code, rdb_err_t *err)
{
    a->state = RDB_AUTH_FAILED;
    a->phase = PH_DONE;
    return code;
}

/* The one message every password failure gets. */
static rdb_status_t fail_password(rdb_auth_t *a, rdb_err_t *err)
{
    rdb_err_clear(err);
    rdb_err_set(err, RDB_SQL, "28P01", "password authentication failed for user \"%s\"", a->user);
    return fail(a, RDB_SQL, err);
}

/* Success of the password exchange: the role still has to be allowed to log in. */
static rdb_status_t succeed(rdb_auth_t *a, rdb_buf_t *out, rdb_err_t *err)
{
    if (!a->role.can_login) {
        rdb_err_set(err, RDB_SQL, "28000", "role \"%s\" is not permitted to log in", a->user);
        return fail(a, RDB_SQL, err);
    }
    put_auth(out, AUTH_REQ_OK, NULL, 0);
    a->state = RDB_AUTH_OK;
    a->phase = PH_DONE;
    return RDB_OK;
}

static rdb_status_t start_scram(rdb_auth_t *a, rdb_buf_t *out, rdb_err_t *err)
{
    rdb_scram_verifier_t v;
    bool mock = true;
    if (a->role_usable) {
        if (rdb_scram_parse_verifier(a->role.password, &v)) {
            mock = false;
        } else if (!is_md5_verifier(a->role.password)) {
            /* plain-text password: derive keys with a stable salt */
            rdb_scram_mock_verifier(a->user, a->secret, a->p.secret_len, a->p.scram_iterations, &v);
            mock = !rdb_scram_compute(a->role.password, v.salt, v.salt_len, v.iterations, &v);
        }
    }
    if (mock)
        rdb_scram_mock_verifier(a->user, a->secret, a->p.secret_len, a->p.scram_iterations, &v);
    a->scram = rdb_scram_new(&v, mock, a->cbind, a->p.cbind_len);
    OPENSSL_cleanse(&v, sizeof v);
    a->used = RDB_AUTH_SCRAM;
    rdb_buf_t body = RDB_BUF_INIT;
    if (a->p.cbind_len) {
        rdb_buf_append_str(&body, "SCRAM-SHA-256-PLUS");
        rdb_buf_append_u8(&body, 0);
    }
    rdb_buf_append_str(&body, "SCRAM-SHA-256");
    rdb_buf_append_u8(&body, 0);
    rdb_buf_append_u8(&body, 0);
    put_auth(out, AUTH_REQ_SASL, body.data, body.len);
    rdb_buf_free(&body);
    a->phase = PH_SASL_INIT;
    return RDB_OK;
}

rdb_status_t rdb_auth_start(rdb_auth_t *a, rdb_buf_t *out, rdb_err_t *err)
{
    if (a->phase != PH_NEW)
        return rdb_err_set(err, RDB_INVALID, "XX000", "authentication already started");
    if (a->p.method == RDB_AUTH_REJECT) {
        rdb_err_set(err, RDB_SQL, "28000",
                    "pg_hba.conf rejects connection for host \"%s\", user \"%s\", database \"%s\"",
                    a->client_addr ? a->client_addr : "[local]", a->user, a->database);
        return fail(a, RDB_SQL, err);
    }
    if (a->p.method == RDB_AUTH_PASSWORD && !a->p.tls && !a->p.allow_cleartext_without_tls) {
        rdb_err_set(err, RDB_SQL, "28000",
                    "password authentication over an unencrypted connection is not allowed");
        rdb_err_hint(err, "Connect with SSL, or use md5 or scram-sha-256 in the hba rules.");
        return fail(a, RDB_SQL, err);
    }

    rdb_err_t lerr = RDB_ERR_INIT;
    rdb_status_t st = a->p.lookup ? a->p.lookup(a->p.lookup_ctx, a->user, &a->role, &lerr)
                                  : RDB_NOTFOUND;
    if (st != RDB_OK && st != RDB_NOTFOUND) {
        rdb_err_move(err, &lerr);
        return fail(a, st, err);
    }
    rdb_err_clear(&lerr);
    a->role_found = st == RDB_OK;
    a->role_usable = a->role_found && a->role.password && a->role.password[0] &&
                     (a->role.valid_until_ms == 0 || a->role.valid_until_ms > a->p.now_ms);

    switch (a->p.method) {
    case RDB_AUTH_TRUST:
        if (!a->role_found) {
            rdb_err_set(err, RDB_SQL, "28000", "role \"%s\" does not exist", a->user);
            return fail(a, RDB_SQL, err);
        }
        return succeed(a, out, err);
    case RDB_AUTH_PASSWORD:
        put_auth(out, AUTH_REQ_PASSWORD, NULL, 0);
        a->phase = PH_PASSWORD;
        return RDB_OK;
    case RDB_AUTH_MD5:
        /* A SCRAM verifier cannot answer an md5 challenge, nor can an
         * unknown user: both get SCRAM, as in PostgreSQL. */
        if (a->role_usable && !rdb_scram_parse_verifier(a->role.password, &(rdb_scram_verifier_t){0})) {
            if (RAND_bytes(a->md5_salt, sizeof a->md5_salt) != 1) {
                rdb_err_set(err, RDB_IOERROR, "XX000", "could not generate random salt");
                return fail(a, RDB_IOERROR, err);
            }
            put_auth(out, AUTH_REQ_MD5, a->md5_salt, sizeof a->md5_salt);
            a->phase = PH_MD5;
            return RDB_OK;
        }
        return start_scram(a, out, err);
    case RDB_AUTH_SCRAM:
        return start_scram(a, out, err);
    case RDB_AUTH_REJECT:
        break;
    }
    rdb_err_set(err, RDB_INVALID, "XX000", "unknown authentication method %d", (int)a->p.method);
    return fail(a, RDB_INVALID, err);
}

/* A password message is one NUL-terminated string filling the payload. */
static bool password_payload(const char *p, size_t len)
{
    return len >= 1 && len <= PASSWORD_MAX + 1 && p[len - 1] == '\0' && memchr(p, '\0', len) == p + len - 1;
}

static rdb_status_t protocol_error(rdb_auth_t *a, rdb_err_t *err, const char *what)
{
    rdb_err_set(err, RDB_PROTOCOL, "08P01", "%s", what);
    return fail(a, RDB_PROTOCOL, err);
}

static rdb_status_t step_md5(rdb_auth_t *a, const char *p, size_t len, rdb_buf_t *out, rdb_err_t *err)
{
    if (!password_payload(p, len))
        return protocol_error(a, err, "invalid password packet");
    if (len - 1 != 3 + MD5_HEX_LEN)
        return fail_password(a, err);
    char inner[MD5_HEX_LEN + 1], want[MD5_HEX_LEN + 1];
    const char *stored = a->role.password;
    if (is_md5_verifier(stored))
        memcpy(inner, stored + 3, MD5_HEX_LEN + 1);
    else
        md5_hex(stored, strlen(stored), a->user, strlen(a->user), inner);
    md5_hex(inner, MD5_HEX_LEN, a->md5_salt, sizeof a->md5_salt, want);
    if (memcmp(p, MD5_PREFIX, 3) != 0 || CRYPTO_memcmp(p + 3, want, MD5_HEX_LEN) != 0)
        return fail_password(a, err);
    return succeed(a, out, err);
}

static rdb_status_t step_password(rdb_auth_t *a, const char *p, size_t len, rdb_buf_t *out,
                                  rdb_err_t *err)
{
    if (!password_payload(p, len))
        return protocol_error(a, err, "invalid password packet");
    if (len == 1) /* PostgreSQL: "empty password returned by client" */
        return fail_password(a, err);
    if (!a->role_usable || !rdb_auth_check_password(a->role.password, a->user, p))
        return fail_password(a, err);
    return succeed(a, out, err);
}

static rdb_status_t scram_failed(rdb_auth_t *a, rdb_err_t *err)
{
    if (strcmp(err->sqlstate, "28P01") == 0)
        return fail_password(a, err);
    return fail(a, err->code, err);
}

static rdb_status_t step_sasl_init(rdb_auth_t *a, const char *p, size_t len, rdb_buf_t *out,
                                   rdb_err_t *err)
{
    const char *nul = memchr(p, '\0', len);
    if (!nul || (size_t)(nul - p) + 1 + 4 > len)
        return protocol_error(a, err, "invalid SASLInitialResponse message");
    const char *q = nul + 1;
    int32_t dlen = (int32_t)(((uint32_t)(uint8_t)q[0] << 24) | ((uint32_t)(uint8_t)q[1] << 16) |
                             ((uint32_t)(uint8_t)q[2] << 8) | (uint32_t)(uint8_t)q[3]);
    q += 4;
    size_t rest = len - (size_t)(q - p);
    if (dlen == -1)
        dlen = 0;
    if (dlen < 0 || (size_t)dlen != rest)
        return protocol_error(a, err, "invalid SASLInitialResponse message");
    rdb_buf_t sf = RDB_BUF_INIT;
    if (rdb_scram_client_first(a->scram, p, q, (size_t)dlen, &sf, err) != RDB_OK) {
        rdb_buf_free(&sf);
        return scram_failed(a, err);
    }
    put_auth(out, AUTH_REQ_SASL_CONT, sf.data, sf.len);
    rdb_buf_free(&sf);
    a->phase = PH_SASL_CONT;
    return RDB_OK;
}

static rdb_status_t step_sasl_cont(rdb_auth_t *a, const char *p, size_t len, rdb_buf_t *out,
                                   rdb_err_t *err)
{
    rdb_buf_t fin = RDB_BUF_INIT;
    if (rdb_scram_client_final(a->scram, p, len, &fin, err) != RDB_OK) {
        rdb_buf_free(&fin);
        return scram_failed(a, err);
    }
    if (!a->role.can_login) {
        rdb_buf_free(&fin);
        return succeed(a, out, err); /* reports 28000 */
    }
    put_auth(out, AUTH_REQ_SASL_FIN, fin.data, fin.len);
    rdb_buf_free(&fin);
    return succeed(a, out, err);
}

rdb_status_t rdb_auth_step(rdb_auth_t *a, const char *payload, size_t len, rdb_buf_t *out,
                           rdb_err_t *err)
{
    switch (a->phase) {
    case PH_PASSWORD:  return step_password(a, payload, len, out, err);
    case PH_MD5:       return step_md5(a, payload, len, out, err);
    case PH_SASL_INIT: return step_sasl_init(a, payload, len, out, err);
    case PH_SASL_CONT: return step_sasl_cont(a, payload, len, out, err);
    case PH_NEW:
    case PH_DONE:
        break;
    }
    rdb_err_set(err, RDB_PROTOCOL, "08P01", "unexpected password message");
    a->state = RDB_AUTH_FAILED;
    a->phase = PH_DONE;
    return RDB_PROTOCOL;
}
