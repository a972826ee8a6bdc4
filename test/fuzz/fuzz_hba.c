/*
 * fuzz_hba.c — libFuzzer target over the hba rules parser and matcher.
 * Invariants: no crash or leak; a parse either succeeds or sets an F0000
 * error naming the line; matching a parsed file never fails otherwise than
 * with 28000.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "pgwire/hba.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size ? size : 1);
    memcpy(text, data, size);
    rdb_hba_t *h = NULL;
    rdb_err_t err = RDB_ERR_INIT;
    rdb_status_t st = rdb_hba_parse(text, size, "fuzz", &h, &err);
    free(text);
    if (st != RDB_OK) {
        if (h || strcmp(err.sqlstate, "F0000") != 0 || strncmp(err.msg, "fuzz", 4) != 0)
            abort();
        rdb_err_clear(&err);
        return 0;
    }
    struct sockaddr_in a4 = { .sin_family = AF_INET };
    struct sockaddr_in6 a6 = { .sin6_family = AF_INET6 };
    inet_pton(AF_INET, "10.1.2.3", &a4.sin_addr);
    inet_pton(AF_INET6, "::ffff:10.1.2.3", &a6.sin6_addr);
    const struct sockaddr *addrs[] = { (struct sockaddr *)&a4, (struct sockaddr *)&a6, NULL };
    for (int i = 0; i < 3; i++)
        for (int tls = 0; tls < 2; tls++) {
            rdb_hba_client_t c = { .local = addrs[i] == NULL, .addr = addrs[i], .tls = tls,
                                   .database = "postgres", .user = "alice" };
            rdb_auth_method_t m;
            int line;
            if (rdb_hba_match(h, &c, &m, &line, &err) != RDB_OK) {
                if (strcmp(err.sqlstate, "28000") != 0)
                    abort();
                rdb_err_clear(&err);
            } else if (line < 1 || (unsigned)m > RDB_AUTH_SCRAM) {
                abort();
            }
        }
    rdb_hba_free(h);
    return 0;
}
