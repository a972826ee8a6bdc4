/*
 * auth.h — peer-link authentication with the cluster secret.
 *
 * Mutual challenge/response, no secret on the wire:
 *   server -> CHALLENGE [server_nonce, server_node]
 *   client -> AUTH      [client_nonce, mac_c]
 *               mac_c = HMAC-SHA256(secret, "ringdb-peer-v1 client" ‖ server_nonce ‖ client_node)
 *   server -> AUTH_OK   [mac_s]
 *               mac_s = HMAC-SHA256(secret, "ringdb-peer-v1 server" ‖ client_nonce ‖ server_node)
 * A wrong MAC closes the link and is logged by the caller.  MACs compare in
 * constant time.  Nonces are 32 bytes from the OpenSSL CSPRNG.
 */
#ifndef RDB_CLUSTER_AUTH_H
#define RDB_CLUSTER_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

#define CLU_AUTH_NONCE 32
#define CLU_AUTH_MAC   32

typedef enum clu_auth_role { CLU_AUTH_CLIENT = 0, CLU_AUTH_SERVER = 1 } clu_auth_role_t;

rdb_status_t clu_auth_nonce(unsigned char out[CLU_AUTH_NONCE], rdb_err_t *err);
void clu_auth_mac(const char *secret, clu_auth_role_t role,
                  const unsigned char nonce[CLU_AUTH_NONCE], uint16_t node,
                  unsigned char out[CLU_AUTH_MAC]);
/* mac/len from the wire: false on any length or value mismatch. */
bool clu_auth_check(const char *secret, clu_auth_role_t role,
                    const unsigned char nonce[CLU_AUTH_NONCE], uint16_t node,
                    const void *mac, size_t len);

#endif
