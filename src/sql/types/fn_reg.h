/*
 * fn_reg.h — the shape of the built-in function and operator tables
 * (funcs.c holds the registry and the resolution; fn_datetime.c,
 * fn_string.c and fn_math.c add their own tables, each ended by an entry
 * whose name is NULL).  Internal to src/sql/types/.
 */
#ifndef RDB_SQL_TYPES_FN_REG_H
#define RDB_SQL_TYPES_FN_REG_H

#include "sql/types/types_int.h"

extern const fdef_t sqlt_fn_datetime[]; /* fn_datetime.c */
extern const fdef_t sqlt_fn_string[];   /* fn_string.c   */
extern const fdef_t sqlt_fn_math[];     /* fn_math.c     */
extern const fdef_t sqlt_op_math[];     /* fn_math.c: operators */
extern const fdef_t sqlt_op_string[];   /* fn_string.c: operators */
extern const fdef_t sqlt_op_datetime[]; /* fn_datetime.c: operators */
extern const fdef_t sqlt_fn_network[];  /* network.c */
extern const fdef_t sqlt_op_network[];  /* network.c: operators */
/* entries of a table ended by a NULL name */
size_t sqlt_fdef_count(const fdef_t *t);

/* Compile a PG regular expression (ARE subset, see fn_string.c) into re;
 * 2201B with PG's message when it is invalid.  The caller regfree()s. */
#include <regex.h>
rdb_status_t sqlt_regex_compile(rdb_arena_t *a, const char *p, size_t n, bool icase, bool nosub,
                                regex_t *re, rdb_err_t *err);

#ifndef FN
#define FN(name) static rdb_status_t name(sql_fn_ctx_t *ctx, int nargs, const sql_value_t *args, \
    const sql_type_t *argtypes, sql_type_t rettype, sql_value_t *res, rdb_err_t *err)
#endif
#define A0 (args[0])
#define A1 (args[1])
#define A2 (args[2])
#define TXT(x) ((x).u.v.ptr), ((x).u.v.len)
#define UNUSED_FN_ARGS (void)ctx; (void)nargs; (void)args; (void)argtypes; (void)rettype; (void)res; (void)err

#define I2 SQL_OID_INT2
#define I4 SQL_OID_INT4
#define I8 SQL_OID_INT8
#define F4 SQL_OID_FLOAT4
#define F8 SQL_OID_FLOAT8
#define NU SQL_OID_NUMERIC
#define TX SQL_OID_TEXT
#define BP SQL_OID_BPCHAR
#define BO SQL_OID_BOOL
#define DA SQL_OID_DATE
#define TM SQL_OID_TIME
#define TS SQL_OID_TIMESTAMP
#define TZ SQL_OID_TIMESTAMPTZ
#define IV SQL_OID_INTERVAL
#define AE SQL_OID_ANYELEMENT
#define BY SQL_OID_BYTEA
#define UU SQL_OID_UUID

/* Copy n bytes into the arena as a text/bytea value. */
sql_value_t sqlt_text_result(rdb_arena_t *a, const char *p, size_t n);
/* int2/int4/int8 result with PG's 22003 "integer out of range". */
rdb_status_t sqlt_int_result(int64_t v, bool ovf, sql_type_t rt, sql_value_t *res, rdb_err_t *err);
rdb_status_t sqlt_iv_make(int64_t mo, int64_t d, int64_t us, sql_value_t *res, rdb_err_t *err);
/* timestamp + interval (sg = -1: minus), PG's timestamp_pl_interval. */
rdb_status_t sqlt_ts_plus_iv(int64_t ts, const sql_interval_t *iv, int sg, sql_value_t *res, rdb_err_t *err);

#endif
