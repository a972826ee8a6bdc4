/*
 * fuzz_proto.c — libFuzzer target over pgwire's message framing, start-up
 * packet parser and field readers (proto.h), fed as a client byte stream:
 * one start-up packet, then typed messages.  Invariants: no crash, no read
 * outside the input (ASan), a framed message never claims more bytes than
 * were available, and framing errors come with 08P01.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "pgwire/proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = malloc(size ? size : 1);
    memcpy(buf, data, size);
    size_t off = 0;
    bool startup = true;
    for (int guard = 0; guard < 10000 && off < size; guard++) {
        rdb_pgmsg_t m;
        size_t used = 0;
        rdb_err_t err = RDB_ERR_INIT;
        int r = rdb_pg_frame(buf + off, size - off, startup, 1u << 20, &m, &used, &err);
        if (r < 0) {
            if (strcmp(err.sqlstate, "08P01") != 0)
                abort();
            rdb_err_clear(&err);
            break;
        }
        if (r == 0)
            break;
        if (used == 0 || used > size - off || m.body < buf + off || m.body + m.len > buf + off + used)
            abort();
        rdb_pgrd_t rd;
        rdb_pgrd_init(&rd, &m);
        if (startup) {
            rdb_pgstartup_t su;
            if (rdb_pg_parse_startup(&m, &su, &err) == RDB_OK) {
                if (su.nparams < 0 || su.nparams > RDB_PG_MAX_STARTUP_PARAMS)
                    abort();
                for (int i = 0; i < su.nparams; i++)
                    if (strlen(su.names[i]) + strlen(su.values[i]) > m.len)
                        abort();
            }
            rdb_err_clear(&err);
            startup = false;
        } else {
            /* read fields as Bind would: strings, counts, lengths, bytes */
            (void)rdb_pgrd_str(&rd);
            (void)rdb_pgrd_str(&rd);
            int16_t nf = rdb_pgrd_i16(&rd);
            for (int i = 0; i < nf && !rd.bad; i++)
                (void)rdb_pgrd_i16(&rd);
            int16_t np = rdb_pgrd_i16(&rd);
            for (int i = 0; i < np && !rd.bad; i++) {
                int32_t len = rdb_pgrd_i32(&rd);
                if (len > 0)
                    (void)rdb_pgrd_bytes(&rd, (size_t)len);
            }
            (void)rdb_pgrd_u8(&rd);
            if (rd.p > rd.end)
                abort();
        }
        off += used;
    }
    free(buf);
    return 0;
}
