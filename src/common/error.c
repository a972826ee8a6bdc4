/*
 * error.c — rdb_err_t: status class + SQLSTATE + message/detail/hint.
 * See error.h for the ownership rules.
 */
#include "common/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/mem.h"

static const char *const status_names[] = {
    [RDB_OK] = "ok",
    [RDB_NOTFOUND] = "not found",
    [RDB_CORRUPTION] = "corruption",
    [RDB_IOERROR] = "I/O error",
    [RDB_INVALID] = "invalid argument",
    [RDB_NOMEM] = "out of memory",
    [RDB_BUSY] = "busy",
    [RDB_TIMEOUT] = "timeout",
    [RDB_CANCELLED] = "cancelled",
    [RDB_UNAVAILABLE] = "unavailable",
    [RDB_SQL] = "SQL error",
    [RDB_PROTOCOL] = "protocol violation",
    [RDB_EOF] = "end of file",
};

const char *rdb_status_name(rdb_status_t code)
{
    if ((unsigned)code < sizeof(status_names) / sizeof(status_names[0]) &&
        status_names[code])
        return status_names[code];
    return "unknown status";
}

const char *rdb_status_default_sqlstate(rdb_status_t code)
{
    switch (code) {
    case RDB_OK:          return RDB_SQLSTATE_SUCCESS;
    case RDB_CORRUPTION:  return RDB_SQLSTATE_DATA_CORRUPTED;
    case RDB_IOERROR:     return RDB_SQLSTATE_IO_ERROR;
    case RDB_INVALID:     return RDB_SQLSTATE_INVALID_PARAMETER;
    case RDB_NOMEM:       return RDB_SQLSTATE_OUT_OF_MEMORY;
    case RDB_CANCELLED:   return RDB_SQLSTATE_QUERY_CANCELED;
    case RDB_PROTOCOL:    return RDB_SQLSTATE_PROTOCOL_VIOLATION;
    case RDB_UNAVAILABLE: return RDB_SQLSTATE_UNAVAILABLE;
    default:              return RDB_SQLSTATE_INTERNAL;
    }
}

static char *vformat(const char *fmt, va_list ap)
{
    char *s = NULL;
    if (vasprintf(&s, fmt, ap) < 0)
        rdb_oom();
    return s;
}

rdb_status_t rdb_err_setv(rdb_err_t *err, rdb_status_t code,
                          const char *sqlstate, const char *fmt, va_list ap)
{
    if (!err || err->code != RDB_OK)
        return code; /* keep the first (root-cause) error */
    err->code = code;
    err->severity = RDB_SEV_ERROR;
    if (!sqlstate)
        sqlstate = rdb_status_default_sqlstate(code);
    memcpy(err->sqlstate, sqlstate, 5);
    err->sqlstate[5] = '\0';
    err->msg = vformat(fmt, ap);
    err->detail = err->hint = err->context = NULL;
    err->position = 0;
    return code;
}

rdb_status_t rdb_err_set(rdb_err_t *err, rdb_status_t code,
                         const char *sqlstate, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    rdb_status_t s = rdb_err_setv(err, code, sqlstate, fmt, ap);
    va_end(ap);
    return s;
}

static void replace_field(char **field, const char *fmt, va_list ap)
{
    char *s = vformat(fmt, ap);
    free(*field);
    *field = s;
}

void rdb_err_detail(rdb_err_t *err, const char *fmt, ...)
{
    if (!rdb_err_is_set(err))
        return;
    va_list ap;
    va_start(ap, fmt);
    replace_field(&err->detail, fmt, ap);
    va_end(ap);
}

void rdb_err_hint(rdb_err_t *err, const char *fmt, ...)
{
    if (!rdb_err_is_set(err))
        return;
    va_list ap;
    va_start(ap, fmt);
    replace_field(&err->hint, fmt, ap);
    va_end(ap);
}

void rdb_err_context(rdb_err_t *err, const char *fmt, ...)
{
    if (!rdb_err_is_set(err))
        return;
    va_list ap;
    va_start(ap, fmt);
    replace_field(&err->context, fmt, ap);
    va_end(ap);
}

void rdb_err_position(rdb_err_t *err, int position)
{
    if (rdb_err_is_set(err))
        err->position = position;
}

void rdb_err_prefix(rdb_err_t *err, const char *fmt, ...)
{
    if (!rdb_err_is_set(err))
        return;
    va_list ap;
    va_start(ap, fmt);
    char *pre = vformat(fmt, ap);
    va_end(ap);
    char *s = NULL;
    if (asprintf(&s, "%s: %s", pre, err->msg ? err->msg : "") < 0)
        rdb_oom();
    free(pre);
    free(err->msg);
    err->msg = s;
}

void rdb_err_clear(rdb_err_t *err)
{
    if (!err)
        return;
    free(err->msg);
    free(err->detail);
    free(err->hint);
    free(err->context);
    *err = (rdb_err_t)RDB_ERR_INIT;
}

void rdb_err_move(rdb_err_t *dst, rdb_err_t *src)
{
    rdb_err_clear(dst);
    *dst = *src;
    *src = (rdb_err_t)RDB_ERR_INIT;
}
