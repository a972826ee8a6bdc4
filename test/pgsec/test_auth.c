/*
 * test_auth.c — SCRAM-SHA-256 (RFC 7677 vector, PostgreSQL 15 verifiers),
 * md5, cleartext and trust through the auth.h state machine, with wrong
 * passwords, unknown users and malformed messages.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include "common/buf.h"
#include "common/error.h"
#include "common/mem.h"
#include "pgwire/auth.h"
#include "pgwire/scram.h"

/* Verifiers produced by PostgreSQL 15 (SELECT rolpassword FROM pg_authid). */
#define PG15_ALICE_SCRAM "SCRAM-SHA-256$4096:3VDQX2IewjmvRHhmoWZxog==$WMPz3oMmz5tbB3awUuiST7SL06uFZ9evAo/hr/riCSA=:aAnoeYUdOOxciWvgBkCCJgc2J0rO0yKE8EXGRd6ASDc="
#define PG15_ALICE_PASSWORD "Wonder land!1"
#define PG15_BOB_MD5 "md58cc7ff7afbc8551bd526b65944c17b36"
#define PG15_BOB_PASSWORD "builder"

/* ---- RFC 7677 section 3 --------------------------------------------- */

START_TEST(test_rfc7677_vector)
{
    /* Build the verifier from the RFC's salt and check the whole exchange. */
    unsigned char salt[32];
    size_t saltlen;
    ck_assert(rdb_base64_decode("W22ZaJ0SNY7soEsUEjb6gQ==", 24, salt, sizeof salt, &saltlen));
    rdb_scram_verifier_t v;
    ck_assert(rdb_scram_compute("pencil", salt, saltlen, 4096, &v));

    rdb_scram_t *s = rdb_scram_new(&v, false, NULL, 0);
    rdb_scram_set_nonce_for_test(s, "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0");
    rdb_buf_t out = RDB_BUF_INIT;
    rdb_err_t err = RDB_ERR_INIT;
    const char *cf = "n,,n=user,r=rOprNGfwEbeRWgbNEkqO";
    ck_assert_int_eq(rdb_scram_client_first(s, "SCRAM-SHA-256", cf, strlen(cf), &out, &err), RDB_OK);
    ck_assert_str_eq(rdb_buf_cstr(&out),
        "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096");
    rdb_buf_reset(&out);
    const char *cfin = "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
                       "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
    ck_assert_int_eq(rdb_scram_client_final(s, cfin, strlen(cfin), &out, &err), RDB_OK);
    ck_assert_str_eq(rdb_buf_cstr(&out), "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=");
    rdb_scram_free(s);

    /* Same exchange with one proof bit flipped fails with 28P01. */
    s = rdb_scram_new(&v, false, NULL, 0);
    rdb_scram_set_nonce_for_test(s, "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0");
    rdb_buf_reset(&out);
    ck_assert_int_eq(rdb_scram_client_first(s, "SCRAM-SHA-256", cf, strlen(cf), &out, &err), RDB_OK);
    const char *bad = "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
                      "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVU=";
    rdb_buf_reset(&out);
    ck_assert_int_ne(rdb_scram_client_final(s, bad, strlen(bad), &out, &err), RDB_OK);
    ck_assert_str_eq(err.sqlstate, "28P01");
    ck_assert_int_eq(out.len, 0);
    rdb_err_clear(&err);
    rdb_scram_free(s);
    rdb_buf_free(&out);
}
END_TEST

START_TEST(test_verifier_format)
{
    rdb_scram_verifier_t v;
    ck_assert(rdb_scram_parse_verifier(PG15_ALICE_SCRAM, &v));
    ck_assert_int_eq(v.iterations, 4096);
    ck_assert_int_eq(v.salt_len, 16);
    char *again = rdb_scram_format_verifier(&v);
    ck_assert_str_eq(again, PG15_ALICE_SCRAM);
    free(again);
    ck_assert(rdb_scram_verify_password(&v, PG15_ALICE_PASSWORD));
    ck_assert(!rdb_scram_verify_password(&v, "Wonder land!2"));
    ck_assert(!rdb_scram_verify_password(&v, ""));

    /* Our own verifier for the same password, checked by the same code. */
    char *mine = rdb_auth_make_verifier(RDB_AUTH_SCRAM, "alice", PG15_ALICE_PASSWORD, 0);
    ck_assert_ptr_nonnull(mine);
    ck_assert(strncmp(mine, "SCRAM-SHA-256$4096:", 19) == 0);
    ck_assert_str_ne(mine, PG15_ALICE_SCRAM); /* random salt */
    ck_assert(rdb_auth_check_password(mine, "alice", PG15_ALICE_PASSWORD));
    ck_assert(!rdb_auth_check_password(mine, "alice", "nope"));
    free(mine);

    /* md5: PostgreSQL's verifier is reproduced exactly. */
    char *md5 = rdb_auth_make_verifier(RDB_AUTH_MD5, "bob", PG15_BOB_PASSWORD, 0);
    ck_assert_str_eq(md5, PG15_BOB_MD5);
    free(md5);
    ck_assert(rdb_auth_check_password(PG15_BOB_MD5, "bob", PG15_BOB_PASSWORD));
    ck_assert(!rdb_auth_check_password(PG15_BOB_MD5, "alice", PG15_BOB_PASSWORD));

    static const char *const broken[] = {
        "", "SCRAM-SHA-256$", "SCRAM-SHA-256$0:AAAA$x:y", "SCRAM-SHA-256$4096:AAAA",
        "SCRAM-SHA-256$4096:AA=A$WMPz3oMmz5tbB3awUuiST7SL06uFZ9evAo/hr/riCSA=:aAnoeYUdOOxciWvgBkCCJgc2J0rO0yKE8EXGRd6ASDc=",
        "SCRAM-SHA-256$4096:3VDQX2IewjmvRHhmoWZxog==$WMPz3oMmz5tbB3awUuiST7SL06uFZ9evAo/hr/riCS=:aAnoeYUdOOxciWvgBkCCJgc2J0rO0yKE8EXGRd6ASDc=",
        "SCRAM-SHA-256$99999999999:3VDQX2IewjmvRHhmoWZxog==$WMPz3oMmz5tbB3awUuiST7SL06uFZ9evAo/hr/riCSA=:aAnoeYUdOOxciWvgBkCCJgc2J0rO0yKE8EXGRd6ASDc=",
        "SCRAM-SHA-1$4096:3VDQX2IewjmvRHhmoWZxog==$a:b",
    };
    for (size_t i = 0; i < sizeof broken / sizeof broken[0]; i++)
        ck_assert_msg(!rdb_scram_parse_verifier(broken[i], &v), "accepted %s", broken[i]);
}
END_TEST

START_TEST(test_base64)
{
    rdb_buf_t b = RDB_BUF_INIT;
    unsigned char out[16];
    size_t n;
    const char *in[] = { "", "f", "fo", "foo", "foob", "fooba", "foobar" };
    const char *enc[] = { "", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy" };
    for (int i = 0; i < 7; i++) {
        rdb_buf_reset(&b);
        rdb_base64_encode(&b, (const unsigned char *)in[i], strlen(in[i]));
        ck_assert_str_eq(rdb_buf_cstr(&b), enc[i]);
        ck_assert(rdb_base64_decode(enc[i], strlen(enc[i]), out, sizeof out, &n));
        ck_assert_int_eq(n, strlen(in[i]));
        ck_assert(memcmp(out, in[i], n) == 0);
    }
    ck_assert(!rdb_base64_decode("Zg=", 3, out, sizeof out, &n));
    ck_assert(!rdb_base64_decode("Z===", 4, out, sizeof out, &n));
    ck_assert(!rdb_base64_decode("Zg==Zg==", 8, out, sizeof out, &n));
    ck_assert(!rdb_base64_decode("Z!9v", 4, out, sizeof out, &n));
    ck_assert(!rdb_base64_decode("Zm9vYmFy", 8, out, 5, &n));
    rdb_buf_free(&b);
}
END_TEST

/* ---- a SCRAM client, for driving the state machine ------------------- */

typedef struct client {
    const char *password;
    char cfb[128];           /* client-first-bare */
    char sfirst[256];
    const unsigned char *cbind;
    size_t cbind_len;
    char gs2[64];
} client_t;

static void hmac(const unsigned char *k, size_t kl, const void *m, size_t ml, unsigned char *o)
{
    unsigned int ol;
    HMAC(EVP_sha256(), k, (int)kl, m, ml, o, &ol);
}

/* Build client-final from server-first in c->sfirst. */
static void client_final(client_t *c, rdb_buf_t *out)
{
    char nonce[128];
    unsigned char salt[64], salted[32], ck[32], sk[32], sig[32], proof[32];
    size_t saltlen;
    const char *r = strstr(c->sfirst, "r="), *s = strstr(c->sfirst, ",s="), *i = strstr(c->sfirst, ",i=");
    ck_assert(r && s && i);
    snprintf(nonce, sizeof nonce, "%.*s", (int)(s - r - 2), r + 2);
    ck_assert(rdb_base64_decode(s + 3, (size_t)(i - s - 3), salt, sizeof salt, &saltlen));
    int iter = atoi(i + 3);
    PKCS5_PBKDF2_HMAC(c->password, (int)strlen(c->password), salt, (int)saltlen, iter,
                      EVP_sha256(), 32, salted);
    hmac(salted, 32, "Client Key", 10, ck);
    SHA256(ck, 32, sk);
    rdb_buf_t cbin = RDB_BUF_INIT, fin = RDB_BUF_INIT;
    rdb_buf_append_str(&cbin, c->gs2);
    if (c->cbind)
        rdb_buf_append(&cbin, c->cbind, c->cbind_len);
    rdb_buf_append_str(&fin, "c=");
    rdb_base64_encode(&fin, (unsigned char *)cbin.data, cbin.len);
    rdb_buf_printf(&fin, ",r=%s", nonce);
    rdb_buf_t am = RDB_BUF_INIT;
    rdb_buf_printf(&am, "%s,%s,", c->cfb, c->sfirst);
    rdb_buf_append(&am, fin.data, fin.len);
    hmac(sk, 32, am.data, am.len, sig);
    for (int k = 0; k < 32; k++)
        proof[k] = ck[k] ^ sig[k];
    rdb_buf_append_str(&fin, ",p=");
    rdb_base64_encode(&fin, proof, 32);
    rdb_buf_append(out, fin.data, fin.len);
    rdb_buf_free(&cbin);
    rdb_buf_free(&fin);
    rdb_buf_free(&am);
}

/* ---- roles for the state machine ------------------------------------- */

static const struct { const char *name, *password; bool login; int64_t until; } roles[] = {
    { "alice", PG15_ALICE_SCRAM, true, 0 },
    { "bob", PG15_BOB_MD5, true, 0 },
    { "carol", "plain secret", true, 0 },
    { "dave", PG15_ALICE_SCRAM, false, 0 },      /* NOLOGIN */
    { "erin", PG15_ALICE_SCRAM, true, 1000 },    /* expired */
    { "frank", NULL, true, 0 },                  /* no password */
};

static rdb_status_t lookup(void *ctx, const char *user, rdb_role_info_t *out, rdb_err_t *err)
{
    for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++)
        if (strcmp(roles[i].name, user) == 0) {
            out->password = roles[i].password ? rdb_strdup(roles[i].password) : NULL;
            out->can_login = roles[i].login;
            out->superuser = strcmp(user, "alice") == 0;
            out->valid_until_ms = roles[i].until;
            return RDB_OK;
        }
    return RDB_NOTFOUND;
}

static const unsigned char secret[] = "server secret for tests";

static rdb_auth_t *new_auth(rdb_auth_method_t m, const char *user, bool tls,
                            const unsigned char *cb, size_t cblen)
{
    rdb_auth_params_t p = {
        .method = m, .user = user, .database = "postgres", .client_addr = "127.0.0.1",
        .tls = tls, .cbind_data = cb, .cbind_len = cblen,
        .secret = secret, .secret_len = sizeof secret - 1, .now_ms = 2000,
        .lookup = lookup,
    };
    return rdb_auth_new(&p);
}

/* Parse the 'R' messages in out: returns the code of the last one, copies
 * the body of the first SASL continue into sfirst if asked. */
static int last_code(const rdb_buf_t *out, char *sasl_data, size_t cap)
{
    size_t off = 0;
    int code = -1;
    while (off < out->len) {
        ck_assert_int_eq(out->data[off], 'R');
        const unsigned char *q = (const unsigned char *)out->data + off + 1;
        uint32_t len = ((uint32_t)q[0] << 24) | ((uint32_t)q[1] << 16) | ((uint32_t)q[2] << 8) | q[3];
        code = (int)(((uint32_t)q[4] << 24) | ((uint32_t)q[5] << 16) | ((uint32_t)q[6] << 8) | q[7]);
        if (sasl_data && (code == 11 || code == 10 || code == 12)) {
            size_t n = len - 8;
            ck_assert(n < cap);
            memcpy(sasl_data, q + 8, n);
            sasl_data[n] = 0;
        }
        off += 1 + len;
    }
    ck_assert_int_eq(off, out->len);
    return code;
}

static void sasl_initial(rdb_buf_t *msg, const char *mech, const char *data)
{
    rdb_buf_reset(msg);
    rdb_buf_append_str(msg, mech);
    rdb_buf_append_u8(msg, 0);
    rdb_buf_append_u32_be(msg, (uint32_t)strlen(data));
    rdb_buf_append_str(msg, data);
}

/* Full SCRAM login; returns the final status, err filled on failure. */
static rdb_status_t scram_login(rdb_auth_method_t m, const char *user, const char *password,
                                const unsigned char *cb, size_t cblen, const char *mech,
                                const char *gs2, rdb_err_t *err, rdb_auth_t **keep)
{
    rdb_auth_t *a = new_auth(m, user, cb != NULL, cb, cblen);
    rdb_buf_t out = RDB_BUF_INIT, msg = RDB_BUF_INIT;
    char mechs[256];
    rdb_status_t st = rdb_auth_start(a, &out, err);
    ck_assert_int_eq(st, RDB_OK);
    ck_assert_int_eq(last_code(&out, mechs, sizeof mechs), 10);
    ck_assert_str_eq(mechs, cb ? "SCRAM-SHA-256-PLUS" : "SCRAM-SHA-256");
    client_t c = { .password = password, .cbind = gs2[0] == 'p' ? cb : NULL, .cbind_len = cblen };
    snprintf(c.gs2, sizeof c.gs2, "%s", gs2);
    snprintf(c.cfb, sizeof c.cfb, "n=,r=fyko+d2lbbFgONRv9qkxdawL");
    rdb_buf_t first = RDB_BUF_INIT;
    rdb_buf_printf(&first, "%s%s", gs2, c.cfb);
    sasl_initial(&msg, mech, rdb_buf_cstr(&first));
    rdb_buf_free(&first);
    rdb_buf_reset(&out);
    st = rdb_auth_step(a, msg.data, msg.len, &out, err);
    if (st == RDB_OK) {
        ck_assert_int_eq(last_code(&out, c.sfirst, sizeof c.sfirst), 11);
        ck_assert_int_eq(rdb_auth_state(a), RDB_AUTH_CONTINUE);
        rdb_buf_reset(&msg);
        client_final(&c, &msg);
        rdb_buf_reset(&out);
        st = rdb_auth_step(a, msg.data, msg.len, &out, err);
        if (st == RDB_OK) {
            ck_assert_int_eq(last_code(&out, NULL, 0), 0);
            ck_assert_int_eq(rdb_auth_state(a), RDB_AUTH_OK);
        }
    }
    if (st != RDB_OK) {
        ck_assert_int_eq(rdb_auth_state(a), RDB_AUTH_FAILED);
        ck_assert_int_eq(out.len, 0);
    }
    rdb_buf_free(&out);
    rdb_buf_free(&msg);
    if (keep)
        *keep = a;
    else
        rdb_auth_free(a);
    return st;
}

START_TEST(test_scram_login)
{
    rdb_err_t err = RDB_ERR_INIT;
    rdb_auth_t *a;
    ck_assert_int_eq(scram_login(RDB_AUTH_SCRAM, "alice", PG15_ALICE_PASSWORD, NULL, 0,
                                 "SCRAM-SHA-256", "n,,", &err, &a), RDB_OK);
    ck_assert(rdb_auth_superuser(a));
    ck_assert_int_eq(rdb_auth_used_method(a), RDB_AUTH_SCRAM);
    rdb_auth_free(a);
    /* plain-text stored password works through SCRAM too */
    ck_assert_int_eq(scram_login(RDB_AUTH_SCRAM, "carol", "plain secret", NULL, 0,
                                 "SCRAM-SHA-256", "n,,", &err, NULL), RDB_OK);
    /* md5 method with a SCRAM verifier switches to SCRAM */
    ck_assert_int_eq(scram_login(RDB_AUTH_MD5, "alice", PG15_ALICE_PASSWORD, NULL, 0,
                                 "SCRAM-SHA-256", "n,,", &err, NULL), RDB_OK);
}
END_TEST

static void expect_password_failure(rdb_status_t st, rdb_err_t *err, const char *user)
{
    char want[128];
    snprintf(want, sizeof want, "password authentication failed for user \"%s\"", user);
    ck_assert_int_ne(st, RDB_OK);
    ck_assert_str_eq(err->sqlstate, "28P01");
    ck_assert_str_eq(err->msg, want);
    rdb_err_clear(err);
}

START_TEST(test_scram_failures_look_alike)
{
    rdb_err_t err = RDB_ERR_INIT;
    expect_password_failure(scram_login(RDB_AUTH_SCRAM, "alice", "wrong", NULL, 0, "SCRAM-SHA-256",
                                        "n,,", &err, NULL), &err, "alice");
    expect_password_failure(scram_login(RDB_AUTH_SCRAM, "nobody", "wrong", NULL, 0, "SCRAM-SHA-256",
                                        "n,,", &err, NULL), &err, "nobody");
    /* even the right password of some other user gets nowhere */
    expect_password_failure(scram_login(RDB_AUTH_SCRAM, "nobody", PG15_ALICE_PASSWORD, NULL, 0,
                                        "SCRAM-SHA-256", "n,,", &err, NULL), &err, "nobody");
    expect_password_failure(scram_login(RDB_AUTH_SCRAM, "erin", PG15_ALICE_PASSWORD, NULL, 0,
                                        "SCRAM-SHA-256", "n,,", &err, NULL), &err, "erin");
    expect_password_failure(scram_login(RDB_AUTH_SCRAM, "frank", "", NULL, 0,
                                        "SCRAM-SHA-256", "n,,", &err, NULL), &err, "frank");
    /* an md5 verifier cannot do SCRAM: looks like a wrong password */
    expect_password_failure(scram_login(RDB_AUTH_SCRAM, "bob", PG15_BOB_PASSWORD, NULL, 0,
                                        "SCRAM-SHA-256", "n,,", &err, NULL), &err, "bob");
    /* NOLOGIN: only after a correct password */
    ck_assert_int_ne(scram_login(RDB_AUTH_SCRAM, "dave", PG15_ALICE_PASSWORD, NULL, 0,
                                 "SCRAM-SHA-256", "n,,", &err, NULL), RDB_OK);
    ck_assert_str_eq(err.sqlstate, "28000");
    rdb_err_clear(&err);

    /* The mock salt of an unknown user is stable across connections. */
    rdb_scram_verifier_t v1, v2, v3;
    rdb_scram_mock_verifier("nobody", secret, sizeof secret - 1, 0, &v1);
    rdb_scram_mock_verifier("nobody", secret, sizeof secret - 1, 0, &v2);
    rdb_scram_mock_verifier("nobody2", secret, sizeof secret - 1, 0, &v3);
    ck_assert(memcmp(v1.salt, v2.salt, v1.salt_len) == 0);
    ck_assert(memcmp(v1.salt, v3.salt, v1.salt_len) != 0);
}
END_TEST

static const unsigned char cbdata[32] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
                                          17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32 };

START_TEST(test_scram_channel_binding)
{
    rdb_err_t err = RDB_ERR_INIT;
    ck_assert_int_eq(scram_login(RDB_AUTH_SCRAM, "alice", PG15_ALICE_PASSWORD, cbdata, 32,
                                 "SCRAM-SHA-256-PLUS", "p=tls-server-end-point,,", &err, NULL), RDB_OK);
    /* Over TLS a client may still choose no binding ('n'). */
    ck_assert_int_eq(scram_login(RDB_AUTH_SCRAM, "alice", PG15_ALICE_PASSWORD, cbdata, 32,
                                 "SCRAM-SHA-256", "n,,", &err, NULL), RDB_OK);
    /* 'y' over TLS means somebody stripped -PLUS: refuse. */
    ck_assert_int_ne(scram_login(RDB_AUTH_SCRAM, "alice", PG15_ALICE_PASSWORD, cbdata, 32,
                                 "SCRAM-SHA-256", "y,,", &err, NULL), RDB_OK);
    ck_assert_str_eq(err.sqlstate, "08P01");
    ck_assert_str_eq(err.msg, "SCRAM channel binding negotiation error");
    rdb_err_clear(&err);
    /* 'y' without TLS is fine. */
    ck_assert_int_eq(scram_login(RDB_AUTH_SCRAM, "alice", PG15_ALICE_PASSWORD, NULL, 0,
                                 "SCRAM-SHA-256", "y,,", &err, NULL), RDB_OK);
    /* PLUS with 'n' flag, or SCRAM-SHA-256 with 'p': malformed */
    ck_assert_int_ne(scram_login(RDB_AUTH_SCRAM, "alice", PG15_ALICE_PASSWORD, cbdata, 32,
                                 "SCRAM-SHA-256-PLUS", "n,,", &err, NULL), RDB_OK);
    ck_assert_str_eq(err.sqlstate, "08P01");
    rdb_err_clear(&err);
    ck_assert_int_ne(scram_login(RDB_AUTH_SCRAM, "alice", PG15_ALICE_PASSWORD, cbdata, 32,
                                 "SCRAM-SHA-256", "p=tls-server-end-point,,", &err, NULL), RDB_OK);
    ck_assert_str_eq(err.sqlstate, "08P01");
    rdb_err_clear(&err);
    ck_assert_int_ne(scram_login(RDB_AUTH_SCRAM, "alice", PG15_ALICE_PASSWORD, cbdata, 32,
                                 "SCRAM-SHA-256-PLUS", "p=tls-unique,,", &err, NULL), RDB_OK);
    ck_assert_str_eq(err.sqlstate, "0A000");
    rdb_err_clear(&err);
}
END_TEST

START_TEST(test_scram_binding_mismatch)
{
    /* The client binds to a different certificate hash (a MITM proxy). */
    rdb_err_t err = RDB_ERR_INIT;
    rdb_auth_t *a = new_auth(RDB_AUTH_SCRAM, "alice", true, cbdata, 32);
    rdb_buf_t out = RDB_BUF_INIT, msg = RDB_BUF_INIT;
    ck_assert_int_eq(rdb_auth_start(a, &out, &err), RDB_OK);
    client_t c = { .password = PG15_ALICE_PASSWORD, .cbind = (const unsigned char *)"other-hash", .cbind_len = 10 };
    snprintf(c.gs2, sizeof c.gs2, "p=tls-server-end-point,,");
    snprintf(c.cfb, sizeof c.cfb, "n=,r=abc");
    sasl_initial(&msg, "SCRAM-SHA-256-PLUS", "p=tls-server-end-point,,n=,r=abc");
    rdb_buf_reset(&out);
    ck_assert_int_eq(rdb_auth_step(a, msg.data, msg.len, &out, &err), RDB_OK);
    last_code(&out, c.sfirst, sizeof c.sfirst);
    rdb_buf_reset(&msg);
    client_final(&c, &msg);
    rdb_buf_reset(&out);
    ck_assert_int_ne(rdb_auth_step(a, msg.data, msg.len, &out, &err), RDB_OK);
    ck_assert_str_eq(err.sqlstate, "28000");
    ck_assert_int_eq(rdb_auth_state(a), RDB_AUTH_FAILED);
    rdb_err_clear(&err);
    rdb_buf_free(&out);
    rdb_buf_free(&msg);
    rdb_auth_free(a);
}
END_TEST

/* Malformed SASL messages never crash and fail with 08P01/0A000/28P01. */
START_TEST(test_scram_malformed)
{
    static const struct { const char *mech; const char *first; const char *final; } cases[] = {
        { "SCRAM-SHA-1", "n,,n=,r=abc", NULL },
        { "SCRAM-SHA-256", "", NULL },
        { "SCRAM-SHA-256", "x,,n=,r=abc", NULL },
        { "SCRAM-SHA-256", "n", NULL },
        { "SCRAM-SHA-256", "n,", NULL },
        { "SCRAM-SHA-256", "n,a=bob,n=,r=abc", NULL },
        { "SCRAM-SHA-256", "n,,m=ext,n=,r=abc", NULL },
        { "SCRAM-SHA-256", "n,,r=abc", NULL },
        { "SCRAM-SHA-256", "n,,n=,r=", NULL },
        { "SCRAM-SHA-256", "n,,n=,r=a b", NULL },
        { "SCRAM-SHA-256", "n,,n=", NULL },
        { "SCRAM-SHA-256", "n,,n=,r=abc", "" },
        { "SCRAM-SHA-256", "n,,n=,r=abc", "c=biws" },
        { "SCRAM-SHA-256", "n,,n=,r=abc", "c=bi,r=abc,p=AAAA" },
        { "SCRAM-SHA-256", "n,,n=,r=abc", "c=eSws,r=abc,p=AAAA" },
        { "SCRAM-SHA-256", "n,,n=,r=abc", "c=biws,r=abc,p=AAAA" },
        { "SCRAM-SHA-256", "n,,n=,r=abc", "c=biws,r=abcNONCE" },
        { "SCRAM-SHA-256", "n,,n=,r=abc", "c=biws,r=abcNONCE,p=AAAA" },
        { "SCRAM-SHA-256", "n,,n=,r=abc", "c=biws,r=abcNONCE,p=" },
        { "SCRAM-SHA-256", "n,,n=,r=abc", "c=biws,r=abcNONCE,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=,x" },
        { "SCRAM-SHA-256", "n,,n=,r=abc", "c=biws,r=abcNONCE,x=1,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        rdb_err_t err = RDB_ERR_INIT;
        rdb_auth_t *a = new_auth(RDB_AUTH_SCRAM, "alice", false, NULL, 0);
        rdb_buf_t out = RDB_BUF_INIT, msg = RDB_BUF_INIT;
        ck_assert_int_eq(rdb_auth_start(a, &out, &err), RDB_OK);
        sasl_initial(&msg, cases[i].mech, cases[i].first);
        rdb_status_t st = rdb_auth_step(a, msg.data, msg.len, &out, &err);
        if (cases[i].final) {
            ck_assert_msg(st == RDB_OK, "case %zu first failed: %s", i, err.msg);
            /* fix the nonce we must echo */
            char sfirst[256];
            size_t off = 0; /* find the SASL continue ('R', len, 11) */
            while (off + 9 <= out.len && (out.data[off] != 'R' || out.data[off + 8] != 11))
                off++;
            ck_assert(off + 9 <= out.len);
            uint32_t len = ((uint32_t)(uint8_t)out.data[off + 1] << 24) | ((uint32_t)(uint8_t)out.data[off + 2] << 16) |
                           ((uint32_t)(uint8_t)out.data[off + 3] << 8) | (uint8_t)out.data[off + 4];
            snprintf(sfirst, sizeof sfirst, "%.*s", (int)(len - 8), out.data + off + 9);
            char nonce[128];
            snprintf(nonce, sizeof nonce, "%.*s", (int)(strchr(sfirst, ',') - sfirst - 2), sfirst + 2);
            rdb_buf_t fin = RDB_BUF_INIT;
            const char *f = cases[i].final, *at = strstr(f, "abcNONCE");
            if (at) {
                rdb_buf_append(&fin, f, (size_t)(at - f));
                rdb_buf_append_str(&fin, nonce);
                rdb_buf_append_str(&fin, at + 8);
            } else {
                rdb_buf_append_str(&fin, f);
            }
            rdb_buf_reset(&out);
            st = rdb_auth_step(a, fin.data, fin.len, &out, &err);
            rdb_buf_free(&fin);
        }
        ck_assert_msg(st != RDB_OK, "case %zu accepted", i);
        ck_assert_msg(strcmp(err.sqlstate, "08P01") == 0 || strcmp(err.sqlstate, "0A000") == 0 ||
                      strcmp(err.sqlstate, "28P01") == 0 || strcmp(err.sqlstate, "28000") == 0,
                      "case %zu: %s", i, err.sqlstate);
        ck_assert_int_eq(rdb_auth_state(a), RDB_AUTH_FAILED);
        /* further messages after failure are protocol errors, not crashes */
        rdb_err_clear(&err);
        ck_assert_int_ne(rdb_auth_step(a, "x", 1, &out, &err), RDB_OK);
        rdb_err_clear(&err);
        rdb_buf_free(&out);
        rdb_buf_free(&msg);
        rdb_auth_free(a);
    }

    /* Broken SASLInitialResponse framing. */
    static const struct { const char *p; size_t n; } frames[] = {
        { "SCRAM-SHA-256", 13 },                         /* no NUL */
        { "SCRAM-SHA-256\0\0\0", 16 },                   /* short length */
        { "SCRAM-SHA-256\0\x7f\xff\xff\xff" "n,,", 21 },   /* 2 GB claimed */
        { "SCRAM-SHA-256\0\xff\xff\xff\xfe" "n,,", 21 },   /* negative */
        { "SCRAM-SHA-256\0\0\0\0\x05n,,", 21 },          /* longer than payload */
    };
    for (size_t i = 0; i < sizeof frames / sizeof frames[0]; i++) {
        rdb_err_t err = RDB_ERR_INIT;
        rdb_auth_t *a = new_auth(RDB_AUTH_SCRAM, "alice", false, NULL, 0);
        rdb_buf_t out = RDB_BUF_INIT;
        ck_assert_int_eq(rdb_auth_start(a, &out, &err), RDB_OK);
        ck_assert_int_ne(rdb_auth_step(a, frames[i].p, frames[i].n, &out, &err), RDB_OK);
        ck_assert_msg(strcmp(err.sqlstate, "08P01") == 0, "frame %zu: %s", i, err.sqlstate);
        rdb_err_clear(&err);
        rdb_buf_free(&out);
        rdb_auth_free(a);
    }
}
END_TEST

/* ---- md5, cleartext, trust, reject ---------------------------------- */

static rdb_status_t md5_login(const char *user, const char *password, rdb_err_t *err)
{
    rdb_auth_t *a = new_auth(RDB_AUTH_MD5, user, false, NULL, 0);
    rdb_buf_t out = RDB_BUF_INIT;
    ck_assert_int_eq(rdb_auth_start(a, &out, err), RDB_OK);
    ck_assert_int_eq(out.len, 13);
    ck_assert_int_eq(last_code(&out, NULL, 0), 5);
    unsigned char salt[4];
    memcpy(salt, out.data + 9, 4);
    char *inner = rdb_auth_make_verifier(RDB_AUTH_MD5, user, password, 0);
    /* md5(hex(md5(password+user)) + salt) */
    unsigned char d[16];
    unsigned int dl;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    EVP_DigestInit_ex(md, EVP_md5(), NULL);
    EVP_DigestUpdate(md, inner + 3, 32);
    EVP_DigestUpdate(md, salt, 4);
    EVP_DigestFinal_ex(md, d, &dl);
    EVP_MD_CTX_free(md);
    free(inner);
    char resp[40];
    strcpy(resp, "md5");
    for (int i = 0; i < 16; i++)
        snprintf(resp + 3 + 2 * i, 3, "%02x", d[i]);
    rdb_buf_reset(&out);
    rdb_status_t st = rdb_auth_step(a, resp, 36, &out, err);
    if (st == RDB_OK) {
        ck_assert_int_eq(last_code(&out, NULL, 0), 0);
        ck_assert_int_eq(rdb_auth_state(a), RDB_AUTH_OK);
    } else {
        ck_assert_int_eq(out.len, 0);
    }
    rdb_buf_free(&out);
    rdb_auth_free(a);
    return st;
}

START_TEST(test_md5)
{
    rdb_err_t err = RDB_ERR_INIT;
    ck_assert_int_eq(md5_login("bob", PG15_BOB_PASSWORD, &err), RDB_OK);
    ck_assert_int_eq(md5_login("carol", "plain secret", &err), RDB_OK);
    expect_password_failure(md5_login("bob", "builder2", &err), &err, "bob");
    expect_password_failure(md5_login("carol", "plain", &err), &err, "carol");

    /* Unknown user under md5: a SCRAM exchange, like a SCRAM user's. */
    rdb_auth_t *a = new_auth(RDB_AUTH_MD5, "nobody", false, NULL, 0);
    rdb_buf_t out = RDB_BUF_INIT;
    ck_assert_int_eq(rdb_auth_start(a, &out, &err), RDB_OK);
    ck_assert_int_eq(last_code(&out, NULL, 0), 10);
    rdb_auth_free(a);

    /* Malformed md5 responses */
    static const struct { const char *p; size_t n; } bad[] = {
        { "", 0 }, { "md5", 3 }, { "md5\0x", 5 }, { "md5zz\0", 6 },
        { "md5aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\0", 36 },
        { "xyzaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\0", 36 },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        a = new_auth(RDB_AUTH_MD5, "bob", false, NULL, 0);
        rdb_buf_reset(&out);
        ck_assert_int_eq(rdb_auth_start(a, &out, &err), RDB_OK);
        rdb_buf_reset(&out);
        ck_assert_int_ne(rdb_auth_step(a, bad[i].p, bad[i].n, &out, &err), RDB_OK);
        ck_assert(strcmp(err.sqlstate, "08P01") == 0 || strcmp(err.sqlstate, "28P01") == 0);
        ck_assert_int_eq(out.len, 0);
        rdb_err_clear(&err);
        rdb_auth_free(a);
    }
    rdb_buf_free(&out);
}
END_TEST

static rdb_status_t cleartext_login(const char *user, const char *pw, bool tls, rdb_err_t *err)
{
    rdb_auth_t *a = new_auth(RDB_AUTH_PASSWORD, user, tls, NULL, 0);
    rdb_buf_t out = RDB_BUF_INIT;
    rdb_status_t st = rdb_auth_start(a, &out, err);
    if (st == RDB_OK) {
        ck_assert_int_eq(last_code(&out, NULL, 0), 3);
        rdb_buf_reset(&out);
        st = rdb_auth_step(a, pw, strlen(pw) + 1, &out, err);
        if (st == RDB_OK)
            ck_assert_int_eq(last_code(&out, NULL, 0), 0);
    }
    if (st != RDB_OK)
        ck_assert_int_eq(rdb_auth_state(a), RDB_AUTH_FAILED);
    rdb_buf_free(&out);
    rdb_auth_free(a);
    return st;
}

START_TEST(test_cleartext_trust_reject)
{
    rdb_err_t err = RDB_ERR_INIT;
    /* cleartext needs TLS */
    ck_assert_int_ne(cleartext_login("alice", PG15_ALICE_PASSWORD, false, &err), RDB_OK);
    ck_assert_str_eq(err.sqlstate, "28000");
    rdb_err_clear(&err);
    ck_assert_int_eq(cleartext_login("alice", PG15_ALICE_PASSWORD, true, &err), RDB_OK);
    ck_assert_int_eq(cleartext_login("bob", PG15_BOB_PASSWORD, true, &err), RDB_OK);
    ck_assert_int_eq(cleartext_login("carol", "plain secret", true, &err), RDB_OK);
    expect_password_failure(cleartext_login("alice", "x", true, &err), &err, "alice");
    expect_password_failure(cleartext_login("nobody", "x", true, &err), &err, "nobody");
    expect_password_failure(cleartext_login("frank", "", true, &err), &err, "frank");
    expect_password_failure(cleartext_login("erin", PG15_ALICE_PASSWORD, true, &err), &err, "erin");

    /* allowed without TLS when configured */
    rdb_auth_params_t p = { .method = RDB_AUTH_PASSWORD, .user = "carol", .database = "d",
                            .allow_cleartext_without_tls = true, .secret = secret,
                            .secret_len = 4, .lookup = lookup };
    rdb_auth_t *a = rdb_auth_new(&p);
    rdb_buf_t out = RDB_BUF_INIT;
    ck_assert_int_eq(rdb_auth_start(a, &out, &err), RDB_OK);
    rdb_buf_reset(&out);
    ck_assert_int_ne(rdb_auth_step(a, "plain secret", 12, &out, &err), RDB_OK); /* no NUL */
    ck_assert_str_eq(err.sqlstate, "08P01");
    rdb_err_clear(&err);
    rdb_auth_free(a);

    /* trust */
    a = new_auth(RDB_AUTH_TRUST, "bob", false, NULL, 0);
    rdb_buf_reset(&out);
    ck_assert_int_eq(rdb_auth_start(a, &out, &err), RDB_OK);
    ck_assert_int_eq(last_code(&out, NULL, 0), 0);
    ck_assert_int_eq(rdb_auth_state(a), RDB_AUTH_OK);
    ck_assert_int_ne(rdb_auth_step(a, "x", 2, &out, &err), RDB_OK); /* nothing more expected */
    ck_assert_str_eq(err.sqlstate, "08P01");
    rdb_err_clear(&err);
    rdb_auth_free(a);
    a = new_auth(RDB_AUTH_TRUST, "nobody", false, NULL, 0);
    ck_assert_int_ne(rdb_auth_start(a, &out, &err), RDB_OK);
    ck_assert_str_eq(err.sqlstate, "28000");
    rdb_err_clear(&err);
    rdb_auth_free(a);
    a = new_auth(RDB_AUTH_TRUST, "dave", false, NULL, 0);
    ck_assert_int_ne(rdb_auth_start(a, &out, &err), RDB_OK);
    ck_assert_str_eq(err.msg, "role \"dave\" is not permitted to log in");
    rdb_err_clear(&err);
    rdb_auth_free(a);

    /* reject */
    a = new_auth(RDB_AUTH_REJECT, "alice", false, NULL, 0);
    rdb_buf_reset(&out);
    ck_assert_int_ne(rdb_auth_start(a, &out, &err), RDB_OK);
    ck_assert_str_eq(err.sqlstate, "28000");
    ck_assert_int_eq(out.len, 0);
    rdb_err_clear(&err);
    rdb_auth_free(a);
    rdb_buf_free(&out);

    rdb_auth_method_t m;
    ck_assert(rdb_auth_method_parse("scram-sha-256", &m) && m == RDB_AUTH_SCRAM);
    ck_assert(!rdb_auth_method_parse("ident", &m));
    ck_assert_str_eq(rdb_auth_method_name(RDB_AUTH_MD5), "md5");
}
END_TEST

static Suite *auth_suite(void)
{
    Suite *s = suite_create("pgsec-auth");
    TCase *tc = tcase_create("auth");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_rfc7677_vector);
    tcase_add_test(tc, test_verifier_format);
    tcase_add_test(tc, test_base64);
    tcase_add_test(tc, test_scram_login);
    tcase_add_test(tc, test_scram_failures_look_alike);
    tcase_add_test(tc, test_scram_channel_binding);
    tcase_add_test(tc, test_scram_binding_mismatch);
    tcase_add_test(tc, test_scram_malformed);
    tcase_add_test(tc, test_md5);
    tcase_add_test(tc, test_cleartext_trust_reject);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(auth_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
