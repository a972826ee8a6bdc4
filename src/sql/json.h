/*
 * json.h — what the executor asks of json and jsonb values besides the
 * functions and operators of the registry (types.h): expanding a
 * document for the set-returning functions json(b)_each[_text],
 * json(b)_array_elements[_text] and json(b)_object_keys.
 *
 * A json value is its input text, verbatim; a jsonb value is its
 * normalized text (object keys sorted as PostgreSQL's jsonb does, the last
 * duplicate key kept, PostgreSQL's spacing, numbers as written).  Both are
 * implemented in src/sql/types/json.c.
 */
#ifndef RDB_SQL_JSON_H
#define RDB_SQL_JSON_H

#include "sql/types.h"

typedef enum { SQL_JSON_EACH, SQL_JSON_ELEMENTS, SQL_JSON_KEYS } sql_json_expand_t;

/* Expand doc (of type oid: json or jsonb) into *n rows: keys (EACH and
 * KEYS: text) and values (EACH and ELEMENTS: json/jsonb of the same type,
 * or text when astext; a JSON null as text is SQL NULL).  Errors as
 * PostgreSQL's ("cannot call jsonb_each on a non-object", 22023). */
rdb_status_t sql_json_expand(rdb_arena_t *a, uint32_t oid, const sql_value_t *doc,
                             sql_json_expand_t what, bool astext, int *n, sql_value_t **keys,
                             sql_value_t **vals, rdb_err_t *err);

#endif
