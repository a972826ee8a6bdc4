/*
 * json_int.h — the parsed form of json/jsonb values, shared by json.c
 * (parser, normal form, comparison) and json_fn.c (functions and
 * operators).  Internal to src/sql/types/.
 */
#ifndef RDB_SQL_TYPES_JSON_INT_H
#define RDB_SQL_TYPES_JSON_INT_H

#include "sql/types.h"

typedef enum { J_NULL, J_TRUE, J_FALSE, J_NUM, J_STR, J_ARR, J_OBJ } jtype_t;

typedef struct jnode jnode_t;
struct jnode {
    jtype_t      t;
    const char  *s;        /* J_STR: the decoded string; J_NUM: the number's text */
    uint32_t     len;
    const char  *src;      /* the text this node was parsed from (NULL if built) */
    uint32_t     srclen;
    int          n;        /* J_ARR / J_OBJ: items */
    jnode_t    **items;
    const char **keys;     /* J_OBJ: decoded keys */
    uint32_t    *klens;
};

/* Parse (NULL and err set on bad input, PostgreSQL's message and detail). */
jnode_t *sqlt_json_parse(rdb_arena_t *a, const char *s, size_t len, rdb_err_t *err);
jnode_t *sqlt_json_tree(rdb_arena_t *a, uint32_t oid, const sql_value_t *v, rdb_err_t *err);
/* Sort keys, drop duplicates, canonical numbers (in place). */
jnode_t *sqlt_jsonb_normalize(rdb_arena_t *a, jnode_t *n, rdb_err_t *err);
void sqlt_jsonb_write(const jnode_t *n, rdb_buf_t *out);
void sqlt_jsonb_pretty(const jnode_t *n, rdb_buf_t *out);
void sqlt_json_write_compact(const jnode_t *n, rdb_buf_t *out);
void sqlt_json_quote(const char *s, size_t n, rdb_buf_t *out);
/* n as a value of oid (json: its source text when it has one). */
sql_value_t sqlt_json_value(rdb_arena_t *a, uint32_t oid, const jnode_t *n);
sql_value_t sqlt_json_result(rdb_arena_t *a, uint32_t oid, const jnode_t *n, bool astext);
jnode_t *sqlt_json_field(const jnode_t *n, const char *k, size_t kl);
jnode_t *sqlt_json_elem(const jnode_t *n, int64_t i);
int sqlt_jnode_cmp(const jnode_t *x, const jnode_t *y);
bool sqlt_jnode_contains(const jnode_t *x, const jnode_t *y, bool top);

#endif
