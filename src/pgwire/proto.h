/*
 * proto.h — PostgreSQL v3 message framing: splitting a byte stream into
 * messages, reading message fields, and building outgoing messages.
 *
 * Contract: rdb_pg_frame never allocates and checks a message's length
 * against max_len before the caller buffers its body, so a hostile length
 * (e.g. 2 GB) is rejected with 08P01 as soon as its 4 length bytes arrive.
 * Readers (rdb_pgrd_*) never read past the message body; a short or
 * malformed field sets rd->bad and returns a harmless value.
 */
#ifndef RDB_PGWIRE_PROTO_H
#define RDB_PGWIRE_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/error.h"

#define RDB_PG_PROTO_3_0      196608u   /* 3 << 16 */
#define RDB_PG_SSL_REQUEST    80877103u
#define RDB_PG_GSSENC_REQUEST 80877104u
#define RDB_PG_CANCEL_REQUEST 80877102u
#define RDB_PG_STARTUP_MAX    10000u    /* PostgreSQL's MAX_STARTUP_PACKET_LENGTH */

typedef struct rdb_pgmsg {
    char        type;  /* 0 for start-up phase packets */
    const char *body;  /* after the length word */
    uint32_t    len;   /* body length */
} rdb_pgmsg_t;

/* Frame one message from buf[0..avail).  startup: untyped start-up packet.
 * Returns 1 with *msg and *consumed set, 0 if more bytes are needed,
 * -1 with err set (08P01) for an invalid length. */
int rdb_pg_frame(const char *buf, size_t avail, bool startup, uint32_t max_len,
                 rdb_pgmsg_t *msg, size_t *consumed, rdb_err_t *err);

typedef struct rdb_pgrd {
    const char *p;
    const char *end;
    bool        bad;
} rdb_pgrd_t;

static inline void rdb_pgrd_init(rdb_pgrd_t *rd, const rdb_pgmsg_t *m)
{
    rd->p = m->body;
    rd->end = m->body + m->len;
    rd->bad = false;
}
uint8_t     rdb_pgrd_u8(rdb_pgrd_t *rd);
int16_t     rdb_pgrd_i16(rdb_pgrd_t *rd);
int32_t     rdb_pgrd_i32(rdb_pgrd_t *rd);
/* A NUL-terminated string inside the body; "" and bad on failure. */
const char *rdb_pgrd_str(rdb_pgrd_t *rd);
/* n raw bytes; NULL and bad if fewer remain. */
const char *rdb_pgrd_bytes(rdb_pgrd_t *rd, size_t n);
static inline size_t rdb_pgrd_left(const rdb_pgrd_t *rd) { return (size_t)(rd->end - rd->p); }

/* Start-up packet parameters (protocol 3.x): pointers into the body. */
#define RDB_PG_MAX_STARTUP_PARAMS 64
typedef struct rdb_pgstartup {
    uint32_t    version;
    int         nparams;
    const char *names[RDB_PG_MAX_STARTUP_PARAMS];
    const char *values[RDB_PG_MAX_STARTUP_PARAMS];
} rdb_pgstartup_t;
/* Parse the body of a StartupMessage (version word included). */
rdb_status_t rdb_pg_parse_startup(const rdb_pgmsg_t *m, rdb_pgstartup_t *out, rdb_err_t *err);

/* Building messages: begin reserves the type and length; end patches the
 * length.  Returns the offset of the message start. */
size_t rdb_pgw_begin(rdb_buf_t *b, char type);
void   rdb_pgw_end(rdb_buf_t *b, size_t start);
static inline void rdb_pgw_str(rdb_buf_t *b, const char *s) { rdb_buf_append(b, s, strlen(s) + 1); }
/* ErrorResponse ('E') or NoticeResponse ('N') from an rdb_err_t. */
void rdb_pgw_error(rdb_buf_t *b, char type, const rdb_err_t *e);
void rdb_pgw_ready(rdb_buf_t *b, char status);

#endif
