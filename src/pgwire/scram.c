/*
 * scram.c — SCRAM-SHA-256 server exchange and verifiers (see scram.h).
 */
#include "pgwire/scram.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include "common/mem.h"

#define SCRAM_PREFIX "SCRAM-SHA-256$"
#define CBIND_TYPE   "tls-server-end-point"
#define MSG_MAX      8192  /* no legitimate SCRAM message comes close */

/* ---- base64 -------------------------------------------------------- */

static const char b64chars[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void rdb_base64_encode(rdb_buf_t *out, const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16;
        if (i + 1 < n) v |= (uint32_t)p[i + 1] << 8;
        if (i + 2 < n) v |= p[i + 2];
        rdb_buf_append_u8(out, (uint8_t)b64chars[(v >> 18) & 63]);
        rdb_buf_append_u8(out, (uint8_t)b64chars[(v >> 12) & 63]);
        rdb_buf_append_u8(out, i + 1 < n ? (uint8_t)b64chars[(v >> 6) & 63] : '=');
        rdb_buf_append_u8(out, i + 2 < n ? (uint8_t)b64chars[v & 63] : '=');
    }
}

static int b64val(char c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

bool rdb_base64_decode(const char *s, size_t n, unsigned char *out, size_t cap, size_t *outlen)
{
    if (n % 4 != 0)
        return false;
    size_t o = 0;
    for (size_t i = 0; i < n; i += 4) {
        int v[4];
        int pad = 0;
        for (int k = 0; k < 4; k++) {
            char c = s[i + k];
            if (c == '=') {
                /* padding only in the last quantum, last one or two chars */
                if (i + 4 != n || k < 2)
                    return false;
                pad++;
                v[k] = 0;
            } else {
                if (pad)
                    return false;
                v[k] = b64val(c);
                if (v[k] < 0)
                    return false;
            }
        }
        uint32_t w = ((uint32_t)v[0] << 18) | ((uint32_t)v[1] << 12) | ((uint32_t)v[2] << 6) | (uint32_t)v[3];
        int nb = 3 - pad;
        if (o + (size_t)nb > cap)
            return false;
        out[o++] = (unsigned char)(w >> 16);
        if (nb > 1) out[o++] = (unsigned char)(w >> 8);
        if (nb > 2) out[o++] = (unsigned char)w;
    }
    *outlen = o;
    return true;
}

/* ---- keys and verifiers -------------------------------------------- */

static bool hmac256(const unsigned char *key, size_t keylen, const void *msg, size_t len,
                    unsigned char out[RDB_SCRAM_KEY_LEN])
{
    unsigned int olen = 0;
    return HMAC(EVP_sha256(), key, (int)keylen, msg, len, out, &olen) != NULL &&
           olen == RDB_SCRAM_KEY_LEN;
}

bool rdb_scram_compute(const char *password, const unsigned char *salt, size_t salt_len,
                       int iterations, rdb_scram_verifier_t *v)
{
    unsigned char salted[RDB_SCRAM_KEY_LEN], client_key[RDB_SCRAM_KEY_LEN];
    if (iterations <= 0 || salt_len > RDB_SCRAM_SALT_MAX)
        return false;
    if (!PKCS5_PBKDF2_HMAC(password, (int)strlen(password), salt, (int)salt_len, iterations,
                           EVP_sha256(), RDB_SCRAM_KEY_LEN, salted))
        return false;
    bool ok = hmac256(salted, sizeof salted, "Client Key", 10, client_key) &&
              hmac256(salted, sizeof salted, "Server Key", 10, v->server_key);
    if (ok)
        SHA256(client_key, sizeof client_key, v->stored_key);
    v->iterations = iterations;
    memcpy(v->salt, salt, salt_len);
    v->salt_len = salt_len;
    OPENSSL_cleanse(salted, sizeof salted);
    OPENSSL_cleanse(client_key, sizeof client_key);
    return ok;
}

bool rdb_scram_parse_verifier(const char *s, rdb_scram_verifier_t *v)
{
    if (!s || strncmp(s, SCRAM_PREFIX, strlen(SCRAM_PREFIX)) != 0)
        return false;
    const char *p = s + strlen(SCRAM_PREFIX);
    long iter = 0;
    if (*p < '1' || *p > '9')
        return false;
    while (*p >= '0' && *p <= '9') {
        iter = iter * 10 + (*p++ - '0');
        if (iter > INT_MAX)
            return false;
    }
    if (*p++ != ':')
        return false;
    const char *salt = p, *dollar = strchr(p, '$');
    if (!dollar)
        return false;
    const char *keys = dollar + 1, *colon = strchr(keys, ':');
    if (!colon)
        return false;
    size_t n;
    if (!rdb_base64_decode(salt, (size_t)(dollar - salt), v->salt, sizeof v->salt, &n) || n == 0)
        return false;
    v->salt_len = n;
    if (!rdb_base64_decode(keys, (size_t)(colon - keys), v->stored_key, RDB_SCRAM_KEY_LEN, &n) ||
        n != RDB_SCRAM_KEY_LEN)
        return false;
    if (!rdb_base64_decode(colon + 1, strlen(colon + 1), v->server_key, RDB_SCRAM_KEY_LEN, &n) ||
        n != RDB_SCRAM_KEY_LEN)
        return false;
    v->iterations = (int)iter;
    return true;
}

char *rdb_scram_format_verifier(const rdb_scram_verifier_t *v)
{
    rdb_buf_t b = RDB_BUF_INIT;
    rdb_buf_printf(&b, SCRAM_PREFIX "%d:", v->iterations);
    rdb_base64_encode(&b, v->salt, v->salt_len);
    rdb_buf_append_u8(&b, '$');
    rdb_base64_encode(&b, v->stored_key, RDB_SCRAM_KEY_LEN);
    rdb_buf_append_u8(&b, ':');
    rdb_base64_encode(&b, v->server_key, RDB_SCRAM_KEY_LEN);
    rdb_buf_cstr(&b);
    return rdb_buf_detach(&b, NULL);
}

char *rdb_scram_make_verifier(const char *password, int iterations)
{
    unsigned char salt[RDB_SCRAM_SALT_LEN];
    rdb_scram_verifier_t v;
    if (RAND_bytes(salt, sizeof salt) != 1)
        return NULL;
    if (!rdb_scram_compute(password, salt, sizeof salt,
                           iterations > 0 ? iterations : RDB_SCRAM_ITERATIONS, &v))
        return NULL;
    return rdb_scram_format_verifier(&v);
}

void rdb_scram_mock_verifier(const char *user, const unsigned char *secret, size_t secret_len,
                             int iterations, rdb_scram_verifier_t *v)
{
    unsigned char h[SHA256_DIGEST_LENGTH];
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    memset(v, 0, sizeof *v);
    if (md && EVP_DigestInit_ex(md, EVP_sha256(), NULL) &&
        EVP_DigestUpdate(md, user, strlen(user)) &&
        EVP_DigestUpdate(md, secret, secret_len) &&
        EVP_DigestFinal_ex(md, h, NULL))
        memcpy(v->salt, h, RDB_SCRAM_SALT_LEN);
    EVP_MD_CTX_free(md);
    v->salt_len = RDB_SCRAM_SALT_LEN;
    v->iterations = iterations > 0 ? iterations : RDB_SCRAM_ITERATIONS;
}

bool rdb_scram_verify_password(const rdb_scram_verifier_t *v, const char *password)
{
    rdb_scram_verifier_t w;
    if (!rdb_scram_compute(password, v->salt, v->salt_len, v->iterations, &w))
        return false;
    return CRYPTO_memcmp(w.stored_key, v->stored_key, RDB_SCRAM_KEY_LEN) == 0 &&
           CRYPTO_memcmp(w.server_key, v->server_key, RDB_SCRAM_KEY_LEN) == 0;
}

/* ---- the exchange --------------------------------------------------- */

enum scram_step { STEP_INIT, STEP_FIRST_DONE, STEP_DONE };

struct rdb_scram {
    rdb_scram_verifier_t v;
    bool          mock;
    bool          have_cbind;
    unsigned char cbind[64];
    size_t        cbind_len;
    enum scram_step step;
    bool          plus;          /* SCRAM-SHA-256-PLUS chosen */
    char          gs2_flag;      /* 'n', 'y' or 'p' */
    char         *client_first_bare;
    char         *server_first;
    char         *nonce;         /* client nonce + server nonce */
    char         *test_nonce;
};

rdb_scram_t *rdb_scram_new(const rdb_scram_verifier_t *v, bool mock,
                           const unsigned char *cbind, size_t cbind_len)
{
    rdb_scram_t *s = rdb_calloc(1, sizeof *s);
    s->v = *v;
    s->mock = mock;
    if (cbind && cbind_len > 0 && cbind_len <= sizeof s->cbind) {
        memcpy(s->cbind, cbind, cbind_len);
        s->cbind_len = cbind_len;
        s->have_cbind = true;
    }
    return s;
}

void rdb_scram_free(rdb_scram_t *s)
{
    if (!s)
        return;
    free(s->client_first_bare);
    free(s->server_first);
    free(s->nonce);
    free(s->test_nonce);
    OPENSSL_cleanse(&s->v, sizeof s->v);
    free(s);
}

void rdb_scram_set_nonce_for_test(rdb_scram_t *s, const char *nonce_b64)
{
    free(s->test_nonce);
    s->test_nonce = rdb_strdup(nonce_b64);
}

static rdb_status_t malformed(rdb_err_t *err, const char *detail)
{
    rdb_err_set(err, RDB_PROTOCOL, "08P01", "malformed SCRAM message");
    rdb_err_detail(err, "%s", detail);
    return RDB_PROTOCOL;
}

/* Reads "<attr>=value" up to ',' or the end; value is [*val, *val+*vlen). */
static bool read_attr(const char **p, const char *end, char attr, const char **val, size_t *vlen)
{
    const char *q = *p;
    if (end - q < 2 || q[0] != attr || q[1] != '=')
        return false;
    q += 2;
    const char *start = q;
    while (q < end && *q != ',')
        q++;
    *val = start;
    *vlen = (size_t)(q - start);
    *p = q;
    return true;
}

static bool has_nul(const char *p, size_t n) { return memchr(p, '\0', n) != NULL; }

rdb_status_t rdb_scram_client_first(rdb_scram_t *s, const char *mechanism,
                                    const char *data, size_t len,
                                    rdb_buf_t *server_first, rdb_err_t *err)
{
    if (s->step != STEP_INIT)
        return rdb_err_set(err, RDB_PROTOCOL, "08P01", "unexpected SCRAM message");
    s->step = STEP_DONE; /* any failure below ends the exchange */
    if (strcmp(mechanism, "SCRAM-SHA-256") == 0)
        s->plus = false;
    else if (strcmp(mechanism, "SCRAM-SHA-256-PLUS") == 0 && s->have_cbind)
        s->plus = true;
    else
        return rdb_err_set(err, RDB_PROTOCOL, "08P01",
                           "client selected an invalid SASL authentication mechanism");
    if (len == 0 || len > MSG_MAX || has_nul(data, len))
        return malformed(err, "The message is empty, too long or contains a NUL byte.");
    const char *p = data, *end = data + len;

    /* gs2-cbind-flag */
    s->gs2_flag = *p;
    switch (*p) {
    case 'p': {
        if (!s->plus)
            return malformed(err, "The client selected SCRAM-SHA-256 without channel binding, "
                                  "but the SCRAM message includes channel binding data.");
        const char *val; size_t vlen;
        if (!read_attr(&p, end, 'p', &val, &vlen))
            return malformed(err, "Expected channel-binding type.");
        if (vlen != strlen(CBIND_TYPE) || memcmp(val, CBIND_TYPE, vlen) != 0)
            return rdb_err_set(err, RDB_PROTOCOL, "0A000",
                               "unsupported SCRAM channel-binding type \"%.*s\"", (int)vlen, val);
        break;
    }
    case 'y':
    case 'n':
        if (s->plus)
            return malformed(err, "The client selected SCRAM-SHA-256-PLUS, but the SCRAM "
                                  "message does not include channel binding data.");
        /* 'y': the client could bind but believes we cannot.  Over TLS we
         * can, so somebody removed -PLUS from our mechanism list. */
        if (*p == 'y' && s->have_cbind)
            return rdb_err_set(err, RDB_PROTOCOL, "08P01",
                               "SCRAM channel binding negotiation error");
        p++;
        break;
    default:
        return malformed(err, "Unexpected channel-binding flag.");
    }
    if (p >= end || *p++ != ',')
        return malformed(err, "Comma expected after channel-binding flag.");
    /* authzid */
    if (p < end && *p == 'a')
        return rdb_err_set(err, RDB_PROTOCOL, "0A000",
                           "client uses authorization identity, but it is not supported");
    if (p >= end || *p++ != ',')
        return malformed(err, "Comma expected after authorization identity.");

    const char *bare = p;
    if (p < end && *p == 'm')
        return rdb_err_set(err, RDB_PROTOCOL, "0A000",
                           "client requires an unsupported SCRAM extension");
    const char *val; size_t vlen;
    /* n=: ignored, the user comes from the startup packet (as PostgreSQL) */
    if (!read_attr(&p, end, 'n', &val, &vlen))
        return malformed(err, "Expected attribute \"n\".");
    if (p >= end || *p++ != ',')
        return malformed(err, "Expected attribute \"r\".");
    if (!read_attr(&p, end, 'r', &val, &vlen) || vlen == 0)
        return malformed(err, "Expected a client nonce.");
    for (size_t i = 0; i < vlen; i++)
        if (val[i] < 0x21 || val[i] > 0x7e)
            return malformed(err, "The client nonce contains invalid characters.");
    /* Optional extensions after the nonce are ignored (RFC 5802 §5.1). */

    s->client_first_bare = rdb_strndup(bare, (size_t)(end - bare));

    rdb_buf_t nb = RDB_BUF_INIT;
    rdb_buf_append(&nb, val, vlen);
    if (s->test_nonce) {
        rdb_buf_append_str(&nb, s->test_nonce);
    } else {
        unsigned char raw[RDB_SCRAM_NONCE_LEN];
        if (RAND_bytes(raw, sizeof raw) != 1) {
            rdb_buf_free(&nb);
            return rdb_err_set(err, RDB_IOERROR, "XX000", "could not generate random nonce");
        }
        rdb_base64_encode(&nb, raw, sizeof raw);
    }
    rdb_buf_cstr(&nb);
    s->nonce = rdb_buf_detach(&nb, NULL);

    rdb_buf_t sf = RDB_BUF_INIT;
    rdb_buf_printf(&sf, "r=%s,s=", s->nonce);
    rdb_base64_encode(&sf, s->v.salt, s->v.salt_len);
    rdb_buf_printf(&sf, ",i=%d", s->v.iterations);
    rdb_buf_cstr(&sf);
    rdb_buf_append(server_first, sf.data, sf.len);
    s->server_first = rdb_buf_detach(&sf, NULL);
    s->step = STEP_FIRST_DONE;
    return RDB_OK;
}

rdb_status_t rdb_scram_client_final(rdb_scram_t *s, const char *data, size_t len,
                                    rdb_buf_t *server_final, rdb_err_t *err)
{
    if (s->step != STEP_FIRST_DONE)
        return rdb_err_set(err, RDB_PROTOCOL, "08P01", "unexpected SCRAM message");
    s->step = STEP_DONE;
    if (len == 0 || len > MSG_MAX || has_nul(data, len))
        return malformed(err, "The message is empty, too long or contains a NUL byte.");
    const char *p = data, *end = data + len;
    const char *val; size_t vlen;

    /* c= base64(gs2-header [cbind-data]) */
    if (!read_attr(&p, end, 'c', &val, &vlen))
        return malformed(err, "Expected attribute \"c\".");
    unsigned char cb[256];
    size_t cblen;
    if (!rdb_base64_decode(val, vlen, cb, sizeof cb, &cblen))
        return malformed(err, "Malformed channel-binding data.");
    rdb_buf_t want = RDB_BUF_INIT;
    if (s->gs2_flag == 'p') {
        rdb_buf_append_str(&want, "p=" CBIND_TYPE ",,");
        rdb_buf_append(&want, s->cbind, s->cbind_len);
    } else {
        rdb_buf_append_u8(&want, (uint8_t)s->gs2_flag);
        rdb_buf_append_str(&want, ",,");
    }
    bool cb_ok = want.len == cblen && CRYPTO_memcmp(want.data, cb, cblen) == 0;
    rdb_buf_free(&want);
    if (!cb_ok)
        return rdb_err_set(err, RDB_PROTOCOL, "28000",
                           "SCRAM channel binding check failed");

    if (p >= end || *p++ != ',' || !read_attr(&p, end, 'r', &val, &vlen))
        return malformed(err, "Expected attribute \"r\".");
    if (vlen != strlen(s->nonce) || memcmp(val, s->nonce, vlen) != 0)
        return malformed(err, "Nonce does not match.");

    /* Skip extensions up to ",p=" which must be last. */
    const char *proof_at = NULL;
    while (p < end) {
        if (*p != ',')
            return malformed(err, "Garbage at end of message.");
        if (end - p >= 3 && p[1] == 'p' && p[2] == '=') {
            proof_at = p;
            break;
        }
        p++;
        while (p < end && *p != ',')
            p++;
    }
    if (!proof_at)
        return malformed(err, "Expected attribute \"p\".");
    p = proof_at + 1;
    read_attr(&p, end, 'p', &val, &vlen);
    if (p != end)
        return malformed(err, "Garbage at end of message.");
    unsigned char proof[RDB_SCRAM_KEY_LEN];
    size_t prooflen;
    if (!rdb_base64_decode(val, vlen, proof, sizeof proof, &prooflen) ||
        prooflen != RDB_SCRAM_KEY_LEN)
        return malformed(err, "Malformed proof in client-final-message.");

    /* AuthMessage = client-first-bare , server-first , client-final-without-proof */
    rdb_buf_t am = RDB_BUF_INIT;
    rdb_buf_append_str(&am, s->client_first_bare);
    rdb_buf_append_u8(&am, ',');
    rdb_buf_append_str(&am, s->server_first);
    rdb_buf_append_u8(&am, ',');
    rdb_buf_append(&am, data, (size_t)(proof_at - data));

    unsigned char sig[RDB_SCRAM_KEY_LEN], client_key[RDB_SCRAM_KEY_LEN], h[RDB_SCRAM_KEY_LEN];
    bool ok = hmac256(s->v.stored_key, RDB_SCRAM_KEY_LEN, am.data, am.len, sig);
    if (ok) {
        for (int i = 0; i < RDB_SCRAM_KEY_LEN; i++)
            client_key[i] = proof[i] ^ sig[i];
        SHA256(client_key, sizeof client_key, h);
        ok = CRYPTO_memcmp(h, s->v.stored_key, RDB_SCRAM_KEY_LEN) == 0 && !s->mock;
    }
    if (ok)
        ok = hmac256(s->v.server_key, RDB_SCRAM_KEY_LEN, am.data, am.len, sig);
    rdb_buf_free(&am);
    OPENSSL_cleanse(client_key, sizeof client_key);
    if (!ok)
        return rdb_err_set(err, RDB_SQL, "28P01", "password authentication failed");
    rdb_buf_append_str(server_final, "v=");
    rdb_base64_encode(server_final, sig, sizeof sig);
    return RDB_OK;
}
