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
    K_TS, K_TSTZ, K_INTERVAL, K_JSON, K_OTHER
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
/* Decompose for key encoding: sign (-1/0/1, 2 = NaN), decimal exponent of
 * the first significant digit, significant digits without trailing zeros. */
void sqlt_numeric_parts(const sql_value_t *v, int *sign, int *exp10, const char **digits,
                        size_t *ndigits);

/* datetime */
rdb_status_t sqlt_dt_in(const sql_format_settings_t *fs, uint32_t oid, const char *s, size_t len,
                        sql_value_t *out, rdb_err_t *err);
void sqlt_dt_out(const sql_format_settings_t *fs, uint32_t oid, const sql_value_t *v,
                 rdb_buf_t *out);
rdb_status_t sqlt_interval_in(const char *s, size_t len, sql_value_t *out, rdb_err_t *err);
void sqlt_interval_out(const sql_value_t *v, rdb_buf_t *out);
int64_t sqlt_days_from_civil(int64_t y, int m, int d);
void sqlt_civil_from_days(int64_t days, int64_t *y, int *m, int *d);

/* tz.c: named zones from /usr/share/zoneinfo; "UTC" and unknown names are UTC */
bool sqlt_tz_known(const char *name);
int32_t sqlt_tz_offset(const char *name, int64_t utc_usec);
int64_t sqlt_tz_local_to_utc(const char *name, int64_t local_usec);

rdb_status_t sqlt_json_get(sql_fn_ctx_t *ctx, const sql_value_t *doc, uint32_t doc_oid,
                           const sql_value_t *key, uint32_t key_oid, bool astext,
                           sql_value_t *res, rdb_err_t *err);

void sqlt_float_out(double f, bool is4, rdb_buf_t *out);

#define USECS_PER_DAY INT64_C(86400000000)
#define USECS_PER_SEC INT64_C(1000000)

#endif
