/*
 * value.h — how a SQL value is held in memory while a statement runs.
 *
 * A value is an sql_value_t: a NULL flag and a small union.  The value does
 * not carry its type: after binding every expression has a static type
 * (sql_type_t: pg_type OID + typmod), and code that interprets a value is
 * always handed that type alongside it.  This keeps rows compact (an array
 * of 24-byte values) and makes the type checks happen once, at bind time.
 *
 * Representation by type (the "kind" is implied by the OID):
 *
 *   bool                          u.b
 *   int2, int4, int8, oid         u.i   (range enforced by the operators)
 *   float4, float8                u.f   (float4 rounded to float precision)
 *   date                          u.i   days since 2000-01-01 (PG's epoch);
 *                                       infinity = INT32_MAX, -infinity = INT32_MIN
 *   time                          u.i   microseconds since midnight
 *   timestamp, timestamptz        u.i   microseconds since 2000-01-01 00:00 UTC;
 *                                       +/-infinity = INT64_MAX / INT64_MIN
 *   interval                      u.iv  { microseconds, days, months }
 *   text, varchar, bpchar, name,  u.v   UTF-8 bytes, not NUL-terminated
 *   json                                (json keeps the input text verbatim)
 *   bytea                         u.v   raw bytes
 *   uuid                          u.v   16 bytes
 *   numeric                       u.v   an encoded decimal; only src/sql/types/
 *                                       looks inside (see numeric.h)
 *   jsonb                         u.v   an encoded document; only types/ looks inside
 *   arrays (T[])                  u.v   an encoded one-dimensional array; see array.h
 *
 * Ownership: variable-length bytes (u.v.ptr) live in an arena that outlives
 * the value: the statement's or the row's memory context.  Copying a value
 * struct copies the pointer, not the bytes; sql_value_copy deep-copies.
 */
#ifndef RDB_SQL_VALUE_H
#define RDB_SQL_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "common/arena.h"

typedef struct sql_type {
    uint32_t oid;    /* pg_type OID (see the SQL_OID_* constants) */
    int32_t  typmod; /* -1 = none; varchar(n)/bpchar(n): n + 4 as in PG;
                      * numeric(p,s): ((p << 16) | s) + 4 as in PG        */
} sql_type_t;

typedef struct sql_interval {
    int64_t usec;
    int32_t days;
    int32_t months;
} sql_interval_t;

typedef struct sql_value {
    bool isnull;
    union {
        bool           b;
        int64_t        i;
        double         f;
        sql_interval_t iv;
        struct {
            const char *ptr;
            uint32_t    len;
        } v;
    } u;
} sql_value_t;

/* The constructors build a value as its three 8-byte words: GCC (12)
 * compiles a compound literal of this struct through a stack temporary
 * whose 16-byte reload follows a 1-byte store (a store-forwarding stall,
 * ~15 cycles per value, which row decoding paid for every column).  The
 * words give the same bytes (unused ones zero) with plain stores. */
typedef union sql_value_words {
    sql_value_t v;
    uint64_t    w[3];
} sql_value_words_t;
_Static_assert(sizeof(sql_value_t) == 24 && offsetof(sql_value_t, u) == 8,
               "sql_value_words_t assumes a flag word and two union words");
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
               "sql_value_words_t puts isnull and the union's first members in the low bytes");
static inline sql_value_t sql_value_of_words(uint64_t flag, uint64_t w1, uint64_t w2)
{
    sql_value_words_t x = { .w = { flag, w1, w2 } };
    return x.v;
}
static inline sql_value_t sql_null(void) { return sql_value_of_words(1, 0, 0); }
static inline sql_value_t sql_bool(bool b) { return sql_value_of_words(0, b ? 1 : 0, 0); }
static inline sql_value_t sql_int(int64_t i) { return sql_value_of_words(0, (uint64_t)i, 0); }
static inline sql_value_t sql_float(double f)
{
    uint64_t u;
    memcpy(&u, &f, sizeof u);
    return sql_value_of_words(0, u, 0);
}
static inline sql_value_t sql_bytes(const char *p, uint32_t len)
{
    return sql_value_of_words(0, (uint64_t)(uintptr_t)p, len);
}

/* Deep copy of a value of a variable-length type into arena a. */
sql_value_t sql_value_copy(rdb_arena_t *a, sql_type_t t, sql_value_t v);

/* pg_type OIDs.  DO NOT CHANGE: clients see them, and they are stored in
 * the catalog. */
#define SQL_OID_BOOL         16
#define SQL_OID_BYTEA        17
#define SQL_OID_CHAR         18   /* "char", one byte */
#define SQL_OID_NAME         19
#define SQL_OID_INT8         20
#define SQL_OID_INT2         21
#define SQL_OID_INT4         23
#define SQL_OID_REGPROC      24
#define SQL_OID_REGNAMESPACE 4089
#define SQL_OID_REGROLE      4096
#define SQL_OID_TEXT         25
#define SQL_OID_OID          26
#define SQL_OID_JSON         114
#define SQL_OID_FLOAT4       700
#define SQL_OID_FLOAT8       701
#define SQL_OID_UNKNOWN      705
#define SQL_OID_BPCHAR       1042
#define SQL_OID_VARCHAR      1043
#define SQL_OID_DATE         1082
#define SQL_OID_TIME         1083
#define SQL_OID_TIMESTAMP    1114
#define SQL_OID_TIMETZ       1266 /* held as K_TIME: see sqlt_timetz_pack */
#define SQL_OID_TIMESTAMPTZ  1184
#define SQL_OID_INTERVAL     1186
#define SQL_OID_NUMERIC      1700
#define SQL_OID_UUID         2950
#define SQL_OID_INET         869  /* held as its canonical text (K_TEXT) */
#define SQL_OID_CIDR         650  /* held as its canonical text (K_TEXT) */
#define SQL_OID_MACADDR      829  /* held as its canonical text (K_TEXT) */
#define SQL_OID_MACADDR8     774  /* held as its canonical text (K_TEXT) */
#define SQL_OID_JSONB        3802
#define SQL_OID_RECORD       2249
#define SQL_OID_ANYELEMENT   2283
#define SQL_OID_ANYARRAY     2277
#define SQL_OID_ANY          2276
#define SQL_OID_VOID         2278
#define SQL_OID_REGCLASS     2205
#define SQL_OID_REGTYPE      2206
/* array types */
#define SQL_OID_BOOL_ARRAY        1000
#define SQL_OID_BYTEA_ARRAY       1001
#define SQL_OID_NAME_ARRAY        1003
#define SQL_OID_INT2_ARRAY        1005
#define SQL_OID_INT4_ARRAY        1007
#define SQL_OID_TEXT_ARRAY        1009
#define SQL_OID_BPCHAR_ARRAY      1014
#define SQL_OID_VARCHAR_ARRAY     1015
#define SQL_OID_INT8_ARRAY        1016
#define SQL_OID_FLOAT4_ARRAY      1021
#define SQL_OID_FLOAT8_ARRAY      1022
#define SQL_OID_OID_ARRAY         1028
#define SQL_OID_REGTYPE_ARRAY     2211
#define SQL_OID_TIMESTAMP_ARRAY   1115
#define SQL_OID_DATE_ARRAY        1182
#define SQL_OID_TIME_ARRAY        1183
#define SQL_OID_TIMESTAMPTZ_ARRAY 1185
#define SQL_OID_INTERVAL_ARRAY    1187
#define SQL_OID_NUMERIC_ARRAY     1231
#define SQL_OID_UUID_ARRAY        2951
#define SQL_OID_INET_ARRAY        1041
#define SQL_OID_CIDR_ARRAY        651
#define SQL_OID_MACADDR_ARRAY     1040
#define SQL_OID_MACADDR8_ARRAY    775
#define SQL_OID_JSON_ARRAY        199
#define SQL_OID_JSONB_ARRAY       3807

#endif
