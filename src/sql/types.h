/*
 * types.h — the SQL type system: what the binder and executor ask of types.
 *
 * Implemented under src/sql/types/ (one file per type family plus the
 * registries).  It follows PostgreSQL's rules: pg_type OIDs and names, type
 * categories and preferred types, implicit / assignment / explicit casts,
 * function and operator resolution (exact match, then implicit casts, then
 * "unknown" literals, preferring preferred types, as in PG's
 * func_select_candidate), select_common_type for CASE/UNION/COALESCE, and
 * PG's SQLSTATEs (22003, 22012, 22P02, 22001, 22008, 42883, 42846, 42804...).
 *
 * Everything here is thread-safe (the registries are immutable after
 * sql_types_init, which the server calls once at start-up).
 */
#ifndef RDB_SQL_TYPES_H
#define RDB_SQL_TYPES_H

#include <msgpack.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/arena.h"
#include "common/buf.h"
#include "common/error.h"
#include "sql/value.h"

void sql_types_init(void);

/* --- the type catalog ---------------------------------------------------- */

typedef struct sql_typeinfo {
    uint32_t    oid;
    const char *name;       /* pg_type.typname: "int4", "varchar", "_int4" */
    const char *sql_name;   /* format_type: "integer", "character varying" */
    int16_t     typlen;     /* pg_type.typlen */
    bool        byval;
    char        category;   /* pg_type.typcategory: 'B','N','S','D','T','U','A',... */
    bool        preferred;  /* pg_type.typispreferred */
    uint32_t    elem_oid;   /* arrays: element type; else 0 */
    uint32_t    array_oid;  /* the array type of this type, 0 if none */
} sql_typeinfo_t;

const sql_typeinfo_t *sql_type_by_oid(uint32_t oid);
/* Accepts SQL spellings and aliases as PG's parser hands them over
 * ("int4", "integer", "int", "bool", "varchar", "timestamptz", "_int4", ...).
 * NULL if unknown (the binder reports 42704). */
const sql_typeinfo_t *sql_type_by_name(const char *name);
/* format_type(oid, typmod): "character varying(10)", "numeric(10,2)", "integer[]". */
void sql_type_format(sql_type_t t, rdb_buf_t *out);
/* s as an SQL identifier, double-quoted when it must be (not lower case,
 * or a keyword), as quote_ident() does. */
void sql_quote_ident(rdb_buf_t *b, const char *s, size_t n);
/* Build a typmod from the type's modifiers as written (varchar(10) -> 14);
 * errors as PG's (22023 / 42601 for bad modifiers). */
rdb_status_t sql_type_make_typmod(uint32_t oid, int nmods, const int32_t *mods, int32_t *typmod,
                                  rdb_err_t *err);

/* --- session settings that change how values print and parse ------------- */

typedef enum { SQL_DATESTYLE_ISO = 0, SQL_DATESTYLE_POSTGRES, SQL_DATESTYLE_SQL, SQL_DATESTYLE_GERMAN } sql_datestyle_t;
typedef enum { SQL_DATEORDER_MDY = 0, SQL_DATEORDER_DMY, SQL_DATEORDER_YMD } sql_dateorder_t;
typedef enum { SQL_INTERVAL_POSTGRES = 0, SQL_INTERVAL_POSTGRES_VERBOSE, SQL_INTERVAL_SQL_STANDARD, SQL_INTERVAL_ISO_8601 } sql_intervalstyle_t;

typedef struct sql_format_settings {
    sql_datestyle_t     datestyle;        /* default ISO, MDY */
    sql_dateorder_t     dateorder;
    sql_intervalstyle_t intervalstyle;
    int                 extra_float_digits; /* default 1: shortest round-trip output */
    bool                bytea_hex;          /* bytea_output = hex (default) */
    const char         *timezone;           /* IANA name, "UTC" default */
    int64_t             tz_offset_hint;     /* cached, owned by the implementation */
} sql_format_settings_t;

void sql_format_settings_default(sql_format_settings_t *fs);

/* --- input and output (text and binary wire formats) --------------------- */

/* Parse text into a value of type t (applying t.typmod); 22P02 etc. */
rdb_status_t sql_value_in(rdb_arena_t *a, const sql_format_settings_t *fs, sql_type_t t,
                          const char *s, size_t len, sql_value_t *out, rdb_err_t *err);
/* Append PG's text output of v (not NULL) to out. */
void sql_value_out(const sql_format_settings_t *fs, sql_type_t t, const sql_value_t *v, rdb_buf_t *out);
/* regclass / regtype / regnamespace / regrole output by name (set by the engine, which knows the
 * catalog): appends the name and returns true, or false for the number. */
extern bool (*sql_value_out_reg_hook)(uint32_t typoid, int64_t oid, rdb_buf_t *out);
/* Binary send/recv formats, byte-compatible with PG's typsend/typreceive. */
rdb_status_t sql_value_recv(rdb_arena_t *a, sql_type_t t, const char *p, size_t len,
                            sql_value_t *out, rdb_err_t *err);
void sql_value_send(sql_type_t t, const sql_value_t *v, rdb_buf_t *out);

/* --- comparison, hashing, storage encodings ------------------------------ */

/* Total order used by ORDER BY, btree-style comparisons, merge joins and
 * keys: <0, 0, >0.  Both values non-NULL and of type t.  (Float NaN sorts
 * above everything, as in PG.) */
int sql_value_cmp(sql_type_t t, const sql_value_t *a, const sql_value_t *b);
/* Equal values (by sql_value_cmp) hash equal: for hash joins / aggregates. */
uint64_t sql_value_hash(sql_type_t t, const sql_value_t *v);

/* Order-preserving key encoding (DESIGN.md §3): memcmp order of the
 * encodings == sql_value_cmp order, NULL first (desc reverses, NULL last).
 * Self-delimiting, so encodings of several columns concatenate. */
void sql_key_encode(rdb_buf_t *out, sql_type_t t, const sql_value_t *v, bool desc);
/* Decode one column from [*p, end), advancing *p; RDB_CORRUPTION if bad. */
rdb_status_t sql_key_decode(rdb_arena_t *a, sql_type_t t, bool desc, const char **p,
                            const char *end, sql_value_t *out, rdb_err_t *err);

/* Row values on disk are MessagePack (DESIGN.md §3). */
void sql_value_pack(msgpack_packer *pk, sql_type_t t, const sql_value_t *v);
rdb_status_t sql_value_unpack(rdb_arena_t *a, sql_type_t t, const msgpack_object *o,
                              sql_value_t *out, rdb_err_t *err);
/* How sql_value_pack stores a non-NULL value of type oid, for decoders
 * that read integers and doubles in place (sql/table.c): SQL_PACKED_INT
 * a MessagePack integer that is the value's u.i, SQL_PACKED_FLOAT a
 * float 32/64 that is its u.f, SQL_PACKED_OTHER anything else. */
enum { SQL_PACKED_OTHER, SQL_PACKED_INT, SQL_PACKED_FLOAT };
int sql_value_packed_as(uint32_t oid);

/* --- functions, operators, casts ----------------------------------------- */

/* What a function call can see besides its arguments. */
typedef struct sql_fn_ctx {
    rdb_arena_t                 *arena;     /* results live here */
    const sql_format_settings_t *settings;
    int64_t                      stmt_ts;   /* statement_timestamp(), µs since 2000 */
    int64_t                      txn_ts;    /* now() / transaction_timestamp()      */
    void                        *session;   /* opaque, for session-aware functions  */
} sql_fn_ctx_t;

/* A function body.  nargs/argtypes as resolved (after casts were applied).
 * Strict functions are never called with a NULL argument (the executor
 * returns NULL instead).  rettype lets polymorphic functions know theirs. */
typedef rdb_status_t (*sql_fn_t)(sql_fn_ctx_t *ctx, int nargs, const sql_value_t *args,
                                 const sql_type_t *argtypes, sql_type_t rettype,
                                 sql_value_t *result, rdb_err_t *err);

#define SQL_MAX_FN_ARGS 16

typedef struct sql_resolved_fn {
    sql_fn_t    fn;
    const char *name;
    int         nargs;
    sql_type_t  argtypes[SQL_MAX_FN_ARGS]; /* cast each argument to this    */
    sql_type_t  rettype;
    bool        strict;                    /* NULL in -> NULL out           */
    bool        volatile_;                 /* random(), now() is stable...  */
    bool        stable;                    /* may not be constant-folded    */
    bool        variadic;                  /* last arg repeated (concat...) */
} sql_resolved_fn_t;

/* Resolve name(args) by PG's rules (argtypes may contain SQL_OID_UNKNOWN
 * for literals).  42883 "function f(integer) does not exist" with PG's hint,
 * 42725 if ambiguous. */
rdb_status_t sql_func_resolve(const char *name, int nargs, const sql_type_t *argtypes,
                              sql_resolved_fn_t *out, rdb_err_t *err);
/* Resolve an operator; left.oid == 0 for a prefix operator.  42883
 * "operator does not exist: integer + text" with PG's hint. */
rdb_status_t sql_oper_resolve(const char *op, sql_type_t left, sql_type_t right,
                              sql_resolved_fn_t *out, rdb_err_t *err);

typedef enum { SQL_CAST_IMPLICIT = 0, SQL_CAST_ASSIGNMENT, SQL_CAST_EXPLICIT } sql_cast_context_t;

typedef struct sql_resolved_cast {
    sql_fn_t   fn;      /* NULL: binary-coercible, value unchanged */
    sql_type_t to;      /* includes the target typmod               */
} sql_resolved_cast_t;

/* 42846 "cannot cast type x to y" (explicit) or 42804 (assignment,
 * "column \"c\" is of type integer but expression is of type text" is the
 * caller's message; this returns 42846 and the caller may rewrite it). */
rdb_status_t sql_cast_resolve(sql_type_t from, sql_type_t to, sql_cast_context_t ctx,
                              sql_resolved_cast_t *out, rdb_err_t *err);
/* Apply a resolved cast (including typmod coercion, e.g. varchar(3) -> 22001,
 * numeric(5,2) rounding / 22003). */
rdb_status_t sql_cast_apply(sql_fn_ctx_t *ctx, const sql_resolved_cast_t *c, sql_type_t from,
                            const sql_value_t *in, sql_value_t *out, rdb_err_t *err);

/* PG's select_common_type: the type CASE/UNION/COALESCE/VALUES/IN resolve
 * to; context names the construct in the 42804 error ("UNION", "CASE"...). */
rdb_status_t sql_type_common(int n, const sql_type_t *types, const char *context,
                             sql_type_t *out, rdb_err_t *err);
bool sql_type_can_coerce(sql_type_t from, sql_type_t to, sql_cast_context_t ctx);

/* --- aggregates ---------------------------------------------------------- */

/* An aggregate is init / transition / combine / final over an opaque state
 * kept in an arena.  combine merges two partial states (so partial
 * aggregation can run on every node and be merged at the gateway);
 * serialize / deserialize move a partial state between nodes. */
typedef struct sql_agg_state sql_agg_state_t;

typedef struct sql_resolved_agg {
    const char *name;
    int         nargs;
    sql_type_t  argtypes[2];
    sql_type_t  rettype;
    bool        strict; /* NULL inputs are skipped */
    bool        copies_args; /* trans copies whatever it keeps of args, so the
                              * caller need not copy them first */
    void *(*init)(rdb_arena_t *a, const struct sql_resolved_agg *agg);
    rdb_status_t (*trans)(sql_fn_ctx_t *ctx, void *state, const sql_value_t *args, rdb_err_t *err);
    rdb_status_t (*combine)(sql_fn_ctx_t *ctx, void *state, const void *other, rdb_err_t *err);
    rdb_status_t (*final)(sql_fn_ctx_t *ctx, void *state, sql_value_t *result, rdb_err_t *err);
    void (*serialize)(const void *state, rdb_buf_t *out);
    rdb_status_t (*deserialize)(rdb_arena_t *a, const struct sql_resolved_agg *agg,
                                const char *p, size_t len, void **state, rdb_err_t *err);
    const void *extra; /* implementation data (e.g. the comparison type) */
} sql_resolved_agg_t;

/* count(*) is nargs 0.  DISTINCT is handled by the executor, not here.
 * string_agg(text, text) and array_agg(anyelement) included. */
rdb_status_t sql_agg_resolve(const char *name, int nargs, const sql_type_t *argtypes,
                             sql_resolved_agg_t *out, rdb_err_t *err);
bool sql_is_agg_name(const char *name);
/* Every built-in function of the registry (pg_proc), in a fixed order:
 * vol is provolatile ('i', 's', 'v'). */
typedef void (*sql_func_each_fn)(void *arg, const char *name, int nargs, const uint32_t *args,
                                 uint32_t ret, char vol, bool strict);
void sql_func_each(sql_func_each_fn fn, void *arg);

#endif
