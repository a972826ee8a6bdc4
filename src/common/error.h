/*
 * error.h — the error type every layer returns.
 *
 * Functions report failure by returning a non-zero rdb_status_t and filling
 * an rdb_err_t that the caller owns.  An error carries a status class (what
 * kind of failure, for control flow), a PostgreSQL SQLSTATE (what the client
 * sees), a primary message, and optional detail, hint and cursor position.
 * Only src/pgwire/ turns an rdb_err_t into a protocol message.
 *
 * Ownership: the strings inside an rdb_err_t are heap copies owned by it;
 * rdb_err_clear() frees them.  An rdb_err_t that was never set needs no
 * clear, but clearing it is harmless.  Setting an error that is already set
 * keeps the first one (the root cause), unless rdb_err_clear() ran between.
 */
#ifndef RDB_COMMON_ERROR_H
#define RDB_COMMON_ERROR_H

#include <stdarg.h>
#include <stdbool.h>

typedef enum rdb_status {
    RDB_OK = 0,
    RDB_NOTFOUND,      /* key or object absent (often not an error)      */
    RDB_CORRUPTION,    /* checksum or format failure in stored data       */
    RDB_IOERROR,       /* the OS refused a read, write, fsync, ...        */
    RDB_INVALID,       /* bad argument or bad input from a client         */
    RDB_NOMEM,         /* a memory budget (not malloc) was exceeded       */
    RDB_BUSY,          /* try again: lock held, stall, queue full         */
    RDB_TIMEOUT,
    RDB_CANCELLED,
    RDB_UNAVAILABLE,   /* too few replicas / peer down                    */
    RDB_SQL,           /* SQL-level error; the SQLSTATE says which        */
    RDB_PROTOCOL,      /* wire or peer protocol violation                 */
    RDB_EOF,
} rdb_status_t;

typedef enum rdb_severity {
    RDB_SEV_ERROR = 0,  /* default */
    RDB_SEV_FATAL,
    RDB_SEV_PANIC,
    RDB_SEV_WARNING,
    RDB_SEV_NOTICE,
    RDB_SEV_INFO,
    RDB_SEV_LOG,
    RDB_SEV_DEBUG,
} rdb_severity_t;

typedef struct rdb_err {
    rdb_status_t   code;        /* RDB_OK when no error is set            */
    rdb_severity_t severity;
    char           sqlstate[6]; /* five characters and a NUL              */
    char          *msg;         /* primary message, lower case, no period */
    char          *detail;
    char          *hint;
    int            position;    /* 1-based cursor position, 0 = none      */
    char          *context;     /* where it happened ("COPY t, line 3")   */
} rdb_err_t;

#define RDB_ERR_INIT { RDB_OK, RDB_SEV_ERROR, "00000", NULL, NULL, NULL, 0, NULL }

/* Set code, SQLSTATE and message; returns code so callers can
 * `return rdb_err_set(err, ...)`.  err may be NULL (the error is dropped).
 * sqlstate NULL picks a default for the status class. */
rdb_status_t rdb_err_set(rdb_err_t *err, rdb_status_t code,
                         const char *sqlstate, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
rdb_status_t rdb_err_setv(rdb_err_t *err, rdb_status_t code,
                          const char *sqlstate, const char *fmt, va_list ap);
/* Attach detail / hint / position to an error already set. */
void rdb_err_detail(rdb_err_t *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void rdb_err_hint(rdb_err_t *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void rdb_err_position(rdb_err_t *err, int position);
/* PostgreSQL's CONTEXT field: replaces an earlier one. */
void rdb_err_context(rdb_err_t *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Prefix the message with "context: " (e.g. a file name). */
void rdb_err_prefix(rdb_err_t *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

void rdb_err_clear(rdb_err_t *err);
/* Move src into dst (dst is cleared first); src is left clear. */
void rdb_err_move(rdb_err_t *dst, rdb_err_t *src);
static inline bool rdb_err_is_set(const rdb_err_t *err) { return err && err->code != RDB_OK; }

const char *rdb_status_name(rdb_status_t code);
/* The SQLSTATE used when none is given for a status class. */
const char *rdb_status_default_sqlstate(rdb_status_t code);

/* Frequently used SQLSTATEs (PostgreSQL Appendix A). */
#define RDB_SQLSTATE_SUCCESS              "00000"
#define RDB_SQLSTATE_INTERNAL             "XX000"
#define RDB_SQLSTATE_DATA_CORRUPTED       "XX001"
#define RDB_SQLSTATE_IO_ERROR             "58030"
#define RDB_SQLSTATE_OUT_OF_MEMORY        "53200"
#define RDB_SQLSTATE_TOO_MANY_CONNECTIONS "53300"
#define RDB_SQLSTATE_PROTOCOL_VIOLATION   "08P01"
#define RDB_SQLSTATE_QUERY_CANCELED       "57014"
#define RDB_SQLSTATE_FEATURE_NOT_SUPPORTED "0A000"
#define RDB_SQLSTATE_SYNTAX_ERROR         "42601"
#define RDB_SQLSTATE_INVALID_PARAMETER    "22023"
#define RDB_SQLSTATE_SERIALIZATION        "40001"
#define RDB_SQLSTATE_DEADLOCK             "40P01"
#define RDB_SQLSTATE_UNAVAILABLE          "57P03" /* cannot_connect_now */
#define RDB_SQLSTATE_INVALID_PASSWORD     "28P01"

#endif
