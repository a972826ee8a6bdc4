/*
 * array.h — SQL arrays (T[]), one- or multi-dimensional: the in-memory
 * encoding and the helpers the executor and the functions use.
 *
 * An array value (value.h: u.v) is an encoded byte string; only
 * src/sql/types/array.c builds or reads it:
 *
 *   OFFSET SIZE DESCRIPTION
 *   0      4    lower bound (int32, little endian; 1 unless a literal
 *               such as '[0:1]={a,b}' said otherwise)
 *   4      4    number of elements n (uint32, little endian)
 *   8      ...  n elements, each a tag byte (0 = NULL, 1 = value) followed
 *               for a value by its payload, by the element's kind:
 *               bool 1 byte; integers, dates, times, timestamps and
 *               floats 8 bytes (int64 / double, little endian);
 *               interval 16 bytes (usec, days, months); every other type
 *               (text, bytea, uuid, numeric, json, jsonb) a uint32 length
 *               and the value's bytes.
 *
 * A multi-dimensional array (2 to SQL_ARRAY_MAXDIM dimensions) sets the
 * top bit of the element count (SQL_ARRAY_MD) and follows it with the
 * number of dimensions k (uint32) and k extents then k lower bounds (int32
 * each, little endian), then the elements in row-major order.  The first
 * word is still the first dimension's lower bound.  One-dimensional and
 * empty arrays never set the bit, so their encoding is as before.
 *
 * The encoding is an in-memory format only: rows on disk keep an array as
 * a MessagePack array [lower bound, element...] (order.c: sql_value_pack),
 * a multi-dimensional one as [[k, extents..., lower bounds...], element...],
 * and the wire formats are PostgreSQL's (array_in/array_out, array_send/
 * array_recv).
 *
 * An array type's typmod is its element type's typmod (varchar(3)[]), as
 * in PostgreSQL.
 */
#ifndef RDB_SQL_ARRAY_H
#define RDB_SQL_ARRAY_H

#include "sql/types.h"

/* Largest number of elements an array may hold (PG's MaxArraySize is far
 * larger; this bounds what one value may cost in memory). */
#define SQL_ARRAY_MAX_ELEMS (64 * 1024 * 1024)

#define SQL_ARRAY_MAXDIM 6          /* PG's MAXDIM */
#define SQL_ARRAY_MD     0x80000000u /* count flag: multi-dimensional */

typedef struct sql_array {
    sql_type_t   elem;    /* element type (typmod of the array type)          */
    int32_t      lbound;  /* lbs[0]                                           */
    int          n;       /* number of elements (product of dims)             */
    sql_value_t *v;       /* n values in row-major order; their bytes point
                           * into the encoding                                */
    int          ndim;    /* 0 for an empty array, else 1..SQL_ARRAY_MAXDIM   */
    int          dims[SQL_ARRAY_MAXDIM];
    int32_t      lbs[SQL_ARRAY_MAXDIM];
} sql_array_t;

/* The element type of an array type, 0 if oid is not one. */
uint32_t sql_array_elem_oid(uint32_t array_oid);
/* The array type of an element type, 0 if none. */
uint32_t sql_array_oid_of(uint32_t elem_oid);
static inline bool sql_type_is_array(uint32_t oid) { return sql_array_elem_oid(oid) != 0; }
static inline sql_type_t sql_array_elem_type(sql_type_t arr)
{
    sql_type_t t = { sql_array_elem_oid(arr.oid), arr.typmod };
    return t;
}

/* Decode v (an array of type arrt) into out, the element values in a.
 * RDB_CORRUPTION (XX001) if the encoding is damaged. */
rdb_status_t sql_array_decode(rdb_arena_t *a, sql_type_t arrt, const sql_value_t *v,
                              sql_array_t *out, rdb_err_t *err);
/* Encode n elements of type elem (NULLs allowed) into a new value in a. */
sql_value_t sql_array_encode(rdb_arena_t *a, sql_type_t elem, int32_t lbound, int n,
                             const sql_value_t *elems);
/* Encode an array of ndim dimensions (extents dims, lower bounds lbs;
 * ndim 0 or an extent 0 gives the empty array) whose elements, row-major,
 * are elems.  ndim 1 is sql_array_encode. */
sql_value_t sql_array_encode_md(rdb_arena_t *a, sql_type_t elem, int ndim, const int *dims,
                                const int32_t *lbs, const sql_value_t *elems);
/* Encode x (elements, shape) again, e.g. after its elements changed. */
static inline sql_value_t sql_array_encode_like(rdb_arena_t *a, const sql_array_t *x)
{
    return sql_array_encode_md(a, x->elem, x->ndim, x->dims, x->lbs, x->v);
}
/* n arrays of type arrt stacked along a new first dimension (lower bound
 * 1), as PG's accumArrayResultArr (array_agg(anyarray), ARRAY(subquery)):
 * 22004 for a NULL one, 2202E when the first is empty or another has
 * different extents; n == 0 gives the empty array.  Result in a. */
rdb_status_t sql_array_stack(rdb_arena_t *a, sql_type_t arrt, int n, const sql_value_t *arrays,
                             sql_value_t *out, rdb_err_t *err);
/* Number of elements / lower bound (first dimension) of an encoded array. */
/* A one-dimensional array (lower bound 1) built one element at a time
 * in b (ARRAY(subquery): no vector of the elements): begin, add each
 * element, then end copies the encoding of n (the elements added) into a.
 * b's length is the encoding's size so far. */
void sql_array_build_begin(rdb_buf_t *b);
void sql_array_build_add(rdb_buf_t *b, sql_type_t elem, const sql_value_t *v);
sql_value_t sql_array_build_end(rdb_arena_t *a, rdb_buf_t *b, int n);
int sql_array_count(const sql_value_t *v);
int32_t sql_array_lbound(const sql_value_t *v);
/* The shape of an encoded array: returns ndim (0 when empty) and fills
 * dims / lbs (SQL_ARRAY_MAXDIM entries each; may be NULL). */
int sql_array_shape(const sql_value_t *v, int *dims, int32_t *lbs);

#endif
