/*
 * auth.c — HMAC-SHA256 challenge/response for peer links; see auth.h.
 */
#include "cluster/auth.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <string.h>

#include "common/coding.h"

rdb_status_t clu_auth_nonce(unsigned char out[CLU_AUTH_NONCE], rdb_err_t *err)
{
    if (RAND_bytes(out, CLU_AUTH_NONCE) != 1)
        return rdb_err_set(err, RDB_IOERROR, RDB_SQLSTATE_INTERNAL,
                           "could not generate a random nonce");
    return RDB_OK;
}

void clu_auth_mac(const char *secret, clu_auth_role_t role,
                  const unsigned char nonce[CLU_AUTH_NONCE], uint16_t node,
                  unsigned char out[CLU_AUTH_MAC])
{
    static const char tag_c[] = "ringdb-peer-v1 client";
    static const char tag_s[] = "ringdb-peer-v1 server";
    const char *tag = role == CLU_AUTH_CLIENT ? tag_c : tag_s;
    unsigned char msg[sizeof tag_c + CLU_AUTH_NONCE + 2];
    size_t tl = strlen(tag);
    memcpy(msg, tag, tl);
    memcpy(msg + tl, nonce, CLU_AUTH_NONCE);
    rdb_put_u16_be(msg + tl + CLU_AUTH_NONCE, node);
    unsigned int outlen = CLU_AUTH_MAC;
    HMAC(EVP_sha256(), secret, (int)strlen(secret), msg, tl + CLU_AUTH_NONCE + 2, out, &outlen);
}

bool clu_auth_check(const char *secret, clu_auth_role_t role,
                    const unsigned char nonce[CLU_AUTH_NONCE], uint16_t node,
                    const void *mac, size_t len)
{
    if (len != CLU_AUTH_MAC)
        return false;
    unsigned char want[CLU_AUTH_MAC];
    clu_auth_mac(secret, role, nonce, node, want);
    return CRYPTO_memcmp(want, mac, CLU_AUTH_MAC) == 0;
}
