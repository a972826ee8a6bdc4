/*
 * fuzz_auth.c — libFuzzer target over the authentication state machine and
 * the SCRAM message parsers (auth.h, scram.h).
 *
 * Input: byte 0 picks the method, whether TLS (and channel binding) is on
 * and the user; the rest is a sequence of client 'p' message payloads, each
 * preceded by a 2-byte big-endian length.  Invariants checked: no crash, no
 * leak (ASan), the state machine ends in a consistent state, and failure
 * always comes with an error whose SQLSTATE is one of the expected ones.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/error.h"
#include "common/mem.h"
#include "pgwire/auth.h"
#include "pgwire/scram.h"

#define ALICE_SCRAM "SCRAM-SHA-256$4096:3VDQX2IewjmvRHhmoWZxog==$WMPz3oMmz5tbB3awUuiST7SL06uFZ9evAo/hr/riCSA=:aAnoeYUdOOxciWvgBkCCJgc2J0rO0yKE8EXGRd6ASDc="

static rdb_status_t lookup(void *ctx, const char *user, rdb_role_info_t *out, rdb_err_t *err)
{
    if (strcmp(user, "alice") == 0) {
        out->password = rdb_strdup(ALICE_SCRAM);
    } else if (strcmp(user, "bob") == 0) {
        out->password = rdb_strdup("md58cc7ff7afbc8551bd526b65944c17b36");
    } else if (strcmp(user, "carol") == 0) {
        out->password = rdb_strdup("plain");
    } else {
        return RDB_NOTFOUND;
    }
    out->can_login = true;
    return RDB_OK;
}

static const char *const users[] = { "alice", "bob", "carol", "nobody" };
static const unsigned char cbind[32] = { 7, 7, 7 };

static void check_failure(const rdb_err_t *err)
{
    static const char *const ok[] = { "08P01", "0A000", "28P01", "28000" };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        if (strcmp(err->sqlstate, ok[i]) == 0)
            return;
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint8_t sel = data[0];
    bool tls = sel & 0x10;
    rdb_auth_params_t p = {
        .method = (rdb_auth_method_t)(sel % 5),
        .user = users[(sel >> 5) & 3],
        .database = "postgres",
        .tls = tls,
        .cbind_data = tls ? cbind : NULL,
        .cbind_len = tls ? sizeof cbind : 0,
        .secret = (const unsigned char *)"fuzz", .secret_len = 4,
        .scram_iterations = 1,   /* keep mock setup cheap */
        .lookup = lookup,
    };
    rdb_auth_t *a = rdb_auth_new(&p);
    rdb_buf_t out = RDB_BUF_INIT;
    rdb_err_t err = RDB_ERR_INIT;
    rdb_status_t st = rdb_auth_start(a, &out, &err);
    size_t off = 1;
    while (st == RDB_OK && rdb_auth_state(a) == RDB_AUTH_CONTINUE && off + 2 <= size) {
        size_t n = ((size_t)data[off] << 8) | data[off + 1];
        off += 2;
        if (n > size - off)
            n = size - off;
        /* copy so ASan sees reads past the message end */
        char *msg = malloc(n ? n : 1);
        memcpy(msg, data + off, n);
        off += n;
        rdb_buf_reset(&out);
        st = rdb_auth_step(a, msg, n, &out, &err);
        free(msg);
    }
    if (st != RDB_OK) {
        if (rdb_auth_state(a) != RDB_AUTH_FAILED || !rdb_err_is_set(&err))
            abort();
        if (p.method != RDB_AUTH_TRUST && p.method != RDB_AUTH_REJECT)
            check_failure(&err);
    }
    rdb_err_clear(&err);
    rdb_buf_free(&out);
    rdb_auth_free(a);

    /* The verifier parser and base64 decoder on raw input. */
    char *s = malloc(size);
    memcpy(s, data + 1, size - 1);
    s[size - 1] = '\0';
    rdb_scram_verifier_t v;
    if (rdb_scram_parse_verifier(s, &v)) {
        char *again = rdb_scram_format_verifier(&v);
        free(again);
    }
    unsigned char buf[64];
    size_t blen;
    (void)rdb_base64_decode(s, size - 1, buf, sizeof buf, &blen);
    free(s);
    return 0;
}
