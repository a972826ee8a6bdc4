/*
 * types_int.h — internals shared by the files of src/sql/types/.
 *
 * Contract: nothing outside src/sql/types/ includes this.  It names the
 * value "kinds" (how a type's value is held, see value.h), the numeric
 * helpers (numeric.c) and the error helpers every file uses.
 */
#ifndef RDB_SQL_TYPES_INT_H
#define RDB_SQL_TYPES_INT_H

#include <stddef.h>
#include <stdint.h>

#include "sql/types.h"

typedef enum {
    K_BOOL, K_INT, K_FLOAT, K_TEXT, K_BYTEA, K_UUID, K_NUMERIC, K_DATE, K_TIME,
    K_TS, K_TSTZ, K_INTERVAL, K_JSON, K_OTHER, K_ARRAY
} sqlt_kind_t;

sqlt_kind_t sqlt_kind(uint32_t oid);
/* Integer width range for int2/int4/int8/oid. */
void sqlt_int_range(uint32_t oid, int64_t *lo, int64_t *hi);
const char *sqlt_sql_name(uint32_t oid);

rdb_status_t sqlt_err_syntax(rdb_err_t *err, uint32_t oid, const char *s, size_t len);
rdb_status_t sqlt_err_range(rdb_err_t *err, uint32_t oid);

/* numeric: bytes = sign ('+', '-', 'N'=NaN), dscale (u16 LE), coefficient
 * digits in ASCII without leading zeros ("0" for zero); value = coef*10^-dscale. */
rdb_status_t sqlt_numeric_in(rdb_arena_t *a, const char *s, size_t len, sql_value_t *out,
                             rdb_err_t *err);
void sqlt_numeric_out(const sql_value_t *v, rdb_buf_t *out);
int sqlt_numeric_cmp(const sql_value_t *a, const sql_value_t *b);
sql_value_t sqlt_numeric_from_int(rdb_arena_t *a, int64_t i);
/* Exact conversions with a 128-bit coefficient (value = c / 10^scale), for
 * running sums: to_i128 fails (false) for NaN and coefficients of more than
 * 36 digits. */
sql_value_t sqlt_numeric_from_i128(rdb_arena_t *a, __int128 c, int scale);
bool sqlt_numeric_to_i128(const sql_value_t *v, __int128 *c, int *scale);
rdb_status_t sqlt_numeric_from_double(rdb_arena_t *a, double d, sql_value_t *out, rdb_err_t *err);
double sqlt_numeric_to_double(const sql_value_t *v);
rdb_status_t sqlt_numeric_to_int(const sql_value_t *v, uint32_t oid, int64_t *out, rdb_err_t *err);
/* op: '+', '-', '*', '/', '%' */
rdb_status_t sqlt_numeric_arith(rdb_arena_t *a, char op, const sql_value_t *x,
                                const sql_value_t *y, sql_value_t *out, rdb_err_t *err);
rdb_status_t sqlt_numeric_round(rdb_arena_t *a, const sql_value_t *x, int scale, bool trunc,
                                sql_value_t *out, rdb_err_t *err);
rdb_status_t sqlt_numeric_typmod(rdb_arena_t *a, const sql_value_t *x, int32_t typmod,
                                 sql_value_t *out, rdb_err_t *err);
sql_value_t sqlt_numeric_neg(rdb_arena_t *a, const sql_value_t *x);
void sqlt_numeric_send(const sql_value_t *v, rdb_buf_t *out);
rdb_status_t sqlt_numeric_recv(rdb_arena_t *a, const char *p, size_t len, sql_value_t *out,
                               rdb_err_t *err);
uint64_t sqlt_numeric_hash(const sql_value_t *v);
/* 0 finite, 1 NaN, 2 +Infinity, 3 -Infinity */
int sqlt_numeric_special(const sql_value_t *v);
sql_value_t sqlt_numeric_special_value(rdb_arena_t *a, int which);
int sqlt_numeric_dscale(const sql_value_t *v);
/* square root of a finite x >= 0 to rscale digits, exactly rounded */
sql_value_t sqlt_numeric_sqrt(rdb_arena_t *a, const sql_value_t *x, int rscale);
/* Decompose for key encoding: sign (-1/0/1, 2 = NaN), decimal exponent of
 * the first significant digit, significant digits without trailing zeros. */
void sqlt_numeric_parts(const sql_value_t *v, int *sign, int *exp10, const char **digits,
                        size_t *ndigits);

/* datetime */
rdb_status_t sqlt_dt_in(const sql_format_settings_t *fs, uint32_t oid, const char *s, size_t len,
                        sql_value_t *out, rdb_err_t *err);
void sqlt_dt_out(const sql_format_settings_t *fs, uint32_t oid, const sql_value_t *v,
                 rdb_buf_t *out);
rdb_status_t sqlt_interval_in(const char *s, size_t len, int32_t typmod, sql_value_t *out, rdb_err_t *err);
void sqlt_interval_out(const sql_value_t *v, rdb_buf_t *out);
int64_t sqlt_days_from_civil(int64_t y, int m, int d);
/* timetz in one int64: the local time of day (µs, low 40 bits) and the
 * zone's offset in seconds east of UTC, biased by 86400, above them. */
static inline int64_t sqlt_timetz_pack(int64_t tod, int32_t off) { return ((int64_t)(off + 86400) << 40) | tod; }
static inline int64_t sqlt_timetz_tod(int64_t v) { return v & ((INT64_C(1) << 40) - 1); }
static inline int32_t sqlt_timetz_off(int64_t v) { return (int32_t)(v >> 40) - 86400; }
void sqlt_civil_from_days(int64_t days, int64_t *y, int *m, int *d);

/* tz.c: named zones from /usr/share/zoneinfo; "UTC" and unknown names are UTC */
bool sqlt_tz_known(const char *name);
int32_t sqlt_tz_offset(const char *name, int64_t utc_usec);
int64_t sqlt_tz_local_to_utc(const char *name, int64_t local_usec);
/* The zone's abbreviation at an instant ("CEST"), NULL if unknown; the
 * string lives as long as the process. */
const char *sqlt_tz_abbrev(const char *name, int64_t utc_usec);

/* json.c */
rdb_status_t sqlt_json_in(rdb_arena_t *a, uint32_t oid, const char *s, size_t len,
                          sql_value_t *out, rdb_err_t *err);
int sqlt_jsonb_cmp(const sql_value_t *a, const sql_value_t *b);
uint64_t sqlt_jsonb_hash(const sql_value_t *v);
/* The JSON text of any SQL value (to_json), and of a value as an object key. */
void sqlt_json_from_value(const sql_format_settings_t *fs, sql_type_t t, const sql_value_t *v,
                          rdb_buf_t *out);
void sqlt_json_key(const sql_format_settings_t *fs, sql_type_t t, const sql_value_t *v, rdb_buf_t *out);
/* jsonb scalar -> numeric/int/float/bool (PostgreSQL 15's jsonb casts). */
rdb_status_t sqlt_jsonb_cast(sql_fn_ctx_t *ctx, const sql_value_t *in, sql_type_t to,
                             sql_value_t *out, rdb_err_t *err);
/* agg_coll.c: array_agg, json(b)_agg, json(b)_object_agg; RDB_NOTFOUND if
 * name is none of them */
bool sqlt_coll_agg_name(const char *name);
rdb_status_t sqlt_coll_agg_resolve(const char *name, int nargs, const sql_type_t *argtypes,
                                   sql_resolved_agg_t *out, rdb_err_t *err);
rdb_status_t sqlt_json_get(sql_fn_ctx_t *ctx, const sql_value_t *doc, uint32_t doc_oid,
                           const sql_value_t *key, uint32_t key_oid, bool astext,
                           sql_value_t *res, rdb_err_t *err);

void sqlt_float_out(double f, bool is4, rdb_buf_t *out);

/* inet and cidr (held as their canonical text): a byte string that sorts
 * as PostgreSQL's network_cmp orders (family, the address masked to its
 * bits, the bits, the whole address): SQLT_INET_KEY4 bytes for IPv4,
 * SQLT_INET_KEY6 for IPv6, told apart by the first byte (0 / 1); and the
 * value back from such a key (in a).  network.c. */
#define SQLT_INET_KEY4 10
#define SQLT_INET_KEY6 34
static inline bool sqlt_is_net(uint32_t oid) { return oid == SQL_OID_INET || oid == SQL_OID_CIDR; }
size_t sqlt_inet_sortkey(const sql_value_t *v, unsigned char *out);
sql_value_t sqlt_inet_from_sortkey(rdb_arena_t *a, const unsigned char *k, bool cidr);
/* text input, binary send / recv of inet or cidr (oid says which) */
rdb_status_t sqlt_net_in(rdb_arena_t *a, uint32_t oid, const char *s, size_t len, sql_value_t *out,
                         rdb_err_t *err);
void sqlt_net_send(uint32_t oid, const sql_value_t *v, rdb_buf_t *out);
rdb_status_t sqlt_net_recv(rdb_arena_t *a, uint32_t oid, const char *p, size_t len, sql_value_t *out,
                           rdb_err_t *err);
/* casts inet <-> cidr, inet/cidr <-> string types */
rdb_status_t sqlt_net_cast(rdb_arena_t *a, uint32_t from, uint32_t to, const sql_value_t *in,
                           sql_value_t *out, rdb_err_t *err);

/* The function and operator registries (funcs.c resolves over them). */
enum { F_STRICT = 1, F_VOLATILE = 2, F_STABLE = 4, F_VARIADIC = 8, F_NONSTRICT = 16 };

#define SQLT_FDEF_MAX_ARGS 8

typedef struct {
    const char *name;
    int         nargs;
    uint32_t    args[SQLT_FDEF_MAX_ARGS];
    uint32_t    ret;
    sql_fn_t    fn;
    int         flags;
} fdef_t;

/* PostgreSQL's anycompatible / anycompatiblearray pseudo-types (anyarray
 * is resolved the same way here). */
#define SQL_OID_ANYCOMPAT      5077
#define SQL_OID_ANYCOMPATARRAY 5078

/* array_fn.c: the array functions and operators */
extern const fdef_t sqlt_array_funcs[], sqlt_array_ops[];
extern const size_t sqlt_array_nfuncs, sqlt_array_nops;
/* json_fn.c */
extern const fdef_t sqlt_json_funcs[], sqlt_json_ops[];
extern const size_t sqlt_json_nfuncs, sqlt_json_nops;
/* Does d take anyarray / anycompatible(array) arguments?  If so,
 * sqlt_anycompat_match resolves them for the argument types at: the
 * common element type of every polymorphic input, rt[] the types to cast
 * each argument to, *ret the result type, *exact the exact matches. */
bool sqlt_fdef_anycompat(const fdef_t *d);
bool sqlt_anycompat_match(const fdef_t *d, int nargs, const sql_type_t *at, sql_type_t *rt,
                          sql_type_t *ret, int *exact);

/* array.c: the array hooks of io.c, order.c and cast.c (sql/array.h) */
rdb_status_t sqlt_array_in(rdb_arena_t *a, const sql_format_settings_t *fs, sql_type_t t,
                           const char *s, size_t len, sql_value_t *out, rdb_err_t *err);
void sqlt_array_out(const sql_format_settings_t *fs, sql_type_t t, const sql_value_t *v,
                    rdb_buf_t *out);
void sqlt_array_send(sql_type_t t, const sql_value_t *v, rdb_buf_t *out);
rdb_status_t sqlt_array_recv(rdb_arena_t *a, sql_type_t t, const char *p, size_t len,
                             sql_value_t *out, rdb_err_t *err);
void sqlt_array_pack(msgpack_packer *pk, sql_type_t t, const sql_value_t *v);
rdb_status_t sqlt_array_unpack(rdb_arena_t *a, sql_type_t t, const msgpack_object *o,
                               sql_value_t *out, rdb_err_t *err);
int sqlt_array_cmp(sql_type_t t, const sql_value_t *x, const sql_value_t *y);
uint64_t sqlt_array_hash(sql_type_t t, const sql_value_t *v);
void sqlt_array_key_encode(rdb_buf_t *out, sql_type_t t, const sql_value_t *v);
rdb_status_t sqlt_array_key_decode(rdb_arena_t *a, sql_type_t t, bool desc, const char **pp,
                                   const char *end, sql_value_t *out, rdb_err_t *err);
rdb_status_t sqlt_array_cast(sql_fn_ctx_t *ctx, sql_type_t from, sql_type_t to, bool explicit_,
                             const sql_value_t *in, sql_value_t *out, rdb_err_t *err);
rdb_status_t sqlt_cast_value(sql_fn_ctx_t *ctx, sql_type_t from, sql_type_t to, bool explicit_,
                             const sql_value_t *in, sql_value_t *out, rdb_err_t *err);

#define USECS_PER_DAY INT64_C(86400000000)
#define USECS_PER_SEC INT64_C(1000000)

#endif
