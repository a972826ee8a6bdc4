/*
 * proto.c — see proto.h.
 */
#include "pgwire/proto.h"

#include <stdio.h>

static uint32_t rd_be32(const char *p)
{
    const unsigned char *u = (const unsigned char *)p;
    return ((uint32_t)u[0] << 24) | ((uint32_t)u[1] << 16) | ((uint32_t)u[2] << 8) | u[3];
}

int rdb_pg_frame(const char *buf, size_t avail, bool startup, uint32_t max_len,
                 rdb_pgmsg_t *msg, size_t *consumed, rdb_err_t *err)
{
    size_t hdr = startup ? 4 : 5;
    if (avail < hdr)
        return 0;
    uint32_t n = rd_be32(buf + hdr - 4);
    uint32_t limit = startup ? RDB_PG_STARTUP_MAX : max_len;
    if (n < 4 || n > limit) {
        rdb_err_set(err, RDB_PROTOCOL, RDB_SQLSTATE_PROTOCOL_VIOLATION,
                    startup ? "invalid length of startup packet" : "invalid message length");
        if (n > limit)
            rdb_err_detail(err, "length %u exceeds the limit of %u bytes", n, limit);
        return -1;
    }
    if (startup && n < 8) {
        rdb_err_set(err, RDB_PROTOCOL, RDB_SQLSTATE_PROTOCOL_VIOLATION,
                    "invalid length of startup packet");
        return -1;
    }
    size_t total = hdr - 4 + (size_t)n;
    if (avail < total)
        return 0;
    msg->type = startup ? 0 : buf[0];
    msg->body = buf + hdr;
    msg->len = n - 4;
    *consumed = total;
    return 1;
}

uint8_t rdb_pgrd_u8(rdb_pgrd_t *rd)
{
    if (rd->end - rd->p < 1) {
        rd->bad = true;
        return 0;
    }
    return (uint8_t)*rd->p++;
}

int16_t rdb_pgrd_i16(rdb_pgrd_t *rd)
{
    if (rd->end - rd->p < 2) {
        rd->bad = true;
        rd->p = rd->end;
        return 0;
    }
    const unsigned char *u = (const unsigned char *)rd->p;
    rd->p += 2;
    return (int16_t)(((uint16_t)u[0] << 8) | u[1]);
}

int32_t rdb_pgrd_i32(rdb_pgrd_t *rd)
{
    if (rd->end - rd->p < 4) {
        rd->bad = true;
        rd->p = rd->end;
        return 0;
    }
    uint32_t v = rd_be32(rd->p);
    rd->p += 4;
    return (int32_t)v;
}

const char *rdb_pgrd_str(rdb_pgrd_t *rd)
{
    const char *nul = memchr(rd->p, 0, (size_t)(rd->end - rd->p));
    if (!nul) {
        rd->bad = true;
        rd->p = rd->end;
        return "";
    }
    const char *s = rd->p;
    rd->p = nul + 1;
    return s;
}

const char *rdb_pgrd_bytes(rdb_pgrd_t *rd, size_t n)
{
    if ((size_t)(rd->end - rd->p) < n) {
        rd->bad = true;
        rd->p = rd->end;
        return NULL;
    }
    const char *s = rd->p;
    rd->p += n;
    return s;
}

rdb_status_t rdb_pg_parse_startup(const rdb_pgmsg_t *m, rdb_pgstartup_t *out, rdb_err_t *err)
{
    rdb_pgrd_t rd;
    rdb_pgrd_init(&rd, m);
    out->version = (uint32_t)rdb_pgrd_i32(&rd);
    out->nparams = 0;
    for (;;) {
        const char *name = rdb_pgrd_str(&rd);
        if (rd.bad)
            break;
        if (!name[0])
            break;
        const char *value = rdb_pgrd_str(&rd);
        if (rd.bad)
            break;
        if (out->nparams == RDB_PG_MAX_STARTUP_PARAMS)
            return rdb_err_set(err, RDB_PROTOCOL, RDB_SQLSTATE_PROTOCOL_VIOLATION,
                               "too many startup parameters");
        out->names[out->nparams] = name;
        out->values[out->nparams] = value;
        out->nparams++;
    }
    if (rd.bad || rdb_pgrd_left(&rd) != 0)
        return rdb_err_set(err, RDB_PROTOCOL, RDB_SQLSTATE_PROTOCOL_VIOLATION,
                           "invalid startup packet layout: expected terminator as last byte");
    return RDB_OK;
}

size_t rdb_pgw_begin(rdb_buf_t *b, char type)
{
    size_t start = b->len;
    rdb_buf_reserve(b, 5);
    b->data[b->len++] = type;
    b->len += 4;
    return start;
}

void rdb_pgw_end(rdb_buf_t *b, size_t start)
{
    uint32_t n = (uint32_t)(b->len - start - 1);
    unsigned char *p = (unsigned char *)b->data + start + 1;
    p[0] = (unsigned char)(n >> 24);
    p[1] = (unsigned char)(n >> 16);
    p[2] = (unsigned char)(n >> 8);
    p[3] = (unsigned char)n;
}

static const char *sev_name(rdb_severity_t s)
{
    switch (s) {
    case RDB_SEV_FATAL: return "FATAL";
    case RDB_SEV_PANIC: return "PANIC";
    case RDB_SEV_WARNING: return "WARNING";
    case RDB_SEV_NOTICE: return "NOTICE";
    case RDB_SEV_INFO: return "INFO";
    case RDB_SEV_LOG: return "LOG";
    case RDB_SEV_DEBUG: return "DEBUG";
    default: return "ERROR";
    }
}

void rdb_pgw_error(rdb_buf_t *b, char type, const rdb_err_t *e)
{
    size_t m = rdb_pgw_begin(b, type);
    const char *sev = sev_name(e->severity);
    rdb_buf_append_u8(b, 'S');
    rdb_pgw_str(b, sev);
    rdb_buf_append_u8(b, 'V');
    rdb_pgw_str(b, sev);
    rdb_buf_append_u8(b, 'C');
    rdb_pgw_str(b, e->sqlstate[0] ? e->sqlstate : RDB_SQLSTATE_INTERNAL);
    rdb_buf_append_u8(b, 'M');
    rdb_pgw_str(b, e->msg ? e->msg : "unknown error");
    if (e->detail) {
        rdb_buf_append_u8(b, 'D');
        rdb_pgw_str(b, e->detail);
    }
    if (e->hint) {
        rdb_buf_append_u8(b, 'H');
        rdb_pgw_str(b, e->hint);
    }
    if (e->position > 0) {
        char pos[16];
        snprintf(pos, sizeof pos, "%d", e->position);
        rdb_buf_append_u8(b, 'P');
        rdb_pgw_str(b, pos);
    }
    if (e->context) {
        rdb_buf_append_u8(b, 'W');
        rdb_pgw_str(b, e->context);
    }
    rdb_buf_append_u8(b, 0);
    rdb_pgw_end(b, m);
}

void rdb_pgw_ready(rdb_buf_t *b, char status)
{
    size_t m = rdb_pgw_begin(b, 'Z');
    rdb_buf_append_u8(b, (uint8_t)status);
    rdb_pgw_end(b, m);
}
