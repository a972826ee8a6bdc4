/*
 * json.c — json (validated, kept verbatim) and jsonb (normalized: object
 * keys ordered as PG's jsonb — shorter first, then bytewise —, the last
 * duplicate key wins, printed with PG's ", " / ": " spacing).
 * Parsing uses jansson.  Limitation: jsonb numbers go through jansson's
 * int64/double, so 1.50 prints as 1.5 (PG keeps numeric text).
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "sql/types/types_int.h"

rdb_status_t sqlt_json_in(rdb_arena_t *a, uint32_t oid, const char *s, size_t len,
                          sql_value_t *out, rdb_err_t *err);

typedef struct { const char *k; json_t *v; } kv_t;

static int kv_cmp(const void *x, const void *y)
{
    const kv_t *a = x, *b = y;
    size_t la = strlen(a->k), lb = strlen(b->k);
    if (la != lb) return la < lb ? -1 : 1;
    return memcmp(a->k, b->k, la);
}

static void json_str(const char *s, size_t n, rdb_buf_t *out)
{
    rdb_buf_append_u8(out, '"');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '"': rdb_buf_append_str(out, "\\\""); break;
        case '\\': rdb_buf_append_str(out, "\\\\"); break;
        case '\n': rdb_buf_append_str(out, "\\n"); break;
        case '\t': rdb_buf_append_str(out, "\\t"); break;
        case '\r': rdb_buf_append_str(out, "\\r"); break;
        case '\b': rdb_buf_append_str(out, "\\b"); break;
        case '\f': rdb_buf_append_str(out, "\\f"); break;
        default:
            if (c < 0x20) rdb_buf_printf(out, "\\u%04x", c);
            else rdb_buf_append_u8(out, c);
        }
    }
    rdb_buf_append_u8(out, '"');
}

static void jsonb_write_x(json_t *j, rdb_buf_t *out, bool sorted);
static void jsonb_write(json_t *j, rdb_buf_t *out) { jsonb_write_x(j, out, true); }

static void jsonb_write_x(json_t *j, rdb_buf_t *out, bool sorted)
{
    switch (json_typeof(j)) {
    case JSON_OBJECT: {
        size_t n = json_object_size(j), i = 0;
        kv_t *kv = calloc(n ? n : 1, sizeof *kv);
        const char *k;
        json_t *v;
        json_object_foreach(j, k, v) { kv[i].k = k; kv[i].v = v; i++; }
        if (sorted) qsort(kv, n, sizeof *kv, kv_cmp);
        rdb_buf_append_u8(out, '{');
        for (i = 0; i < n; i++) {
            if (i) rdb_buf_append_str(out, ", ");
            json_str(kv[i].k, strlen(kv[i].k), out);
            rdb_buf_append_str(out, ": ");
            jsonb_write_x(kv[i].v, out, sorted);
        }
        rdb_buf_append_u8(out, '}');
        free(kv);
        return;
    }
    case JSON_ARRAY: {
        rdb_buf_append_u8(out, '[');
        for (size_t i = 0; i < json_array_size(j); i++) {
            if (i) rdb_buf_append_str(out, ", ");
            jsonb_write_x(json_array_get(j, i), out, sorted);
        }
        rdb_buf_append_u8(out, ']');
        return;
    }
    case JSON_STRING: json_str(json_string_value(j), json_string_length(j), out); return;
    case JSON_INTEGER: rdb_buf_printf(out, "%lld", (long long)json_integer_value(j)); return;
    case JSON_REAL: sqlt_float_out(json_real_value(j), false, out); return;
    case JSON_TRUE: rdb_buf_append_str(out, "true"); return;
    case JSON_FALSE: rdb_buf_append_str(out, "false"); return;
    default: rdb_buf_append_str(out, "null"); return;
    }
}

rdb_status_t sqlt_json_in(rdb_arena_t *a, uint32_t oid, const char *s, size_t len,
                          sql_value_t *out, rdb_err_t *err)
{
    json_error_t je;
    json_t *j = json_loadb(s, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
    if (!j) {
        rdb_err_set(err, RDB_SQL, "22P02", "invalid input syntax for type %s", oid == SQL_OID_JSONB ? "json" : "json");
        rdb_err_detail(err, "%s", je.text);
        return RDB_SQL;
    }
    if (oid == SQL_OID_JSON) {
        json_decref(j);
        *out = sql_bytes(rdb_arena_memdup(a, s, len ? len : 1), (uint32_t)len);
        return RDB_OK;
    }
    rdb_buf_t b;
    rdb_buf_init(&b, len + 16);
    jsonb_write(j, &b);
    json_decref(j);
    *out = sql_bytes(rdb_arena_memdup(a, b.data, b.len ? b.len : 1), (uint32_t)b.len);
    rdb_buf_free(&b);
    return RDB_OK;
}

/* -> / ->> : field by key (text) or element by index (int, negative from
 * the end).  Missing: NULL.  json results are re-serialized (PG returns
 * the original text slice, so spacing inside json values may differ). */
rdb_status_t sqlt_json_get(sql_fn_ctx_t *ctx, const sql_value_t *doc, uint32_t doc_oid,
                           const sql_value_t *key, uint32_t key_oid, bool astext,
                           sql_value_t *res, rdb_err_t *err)
{
    json_t *j = json_loadb(doc->u.v.ptr, doc->u.v.len, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
    if (!j) return rdb_err_set(err, RDB_SQL, "22P02", "invalid input syntax for type json");
    json_t *e = NULL;
    if (key_oid == SQL_OID_INT4 || key_oid == SQL_OID_INT8 || key_oid == SQL_OID_INT2) {
        if (json_is_array(j)) {
            int64_t i = key->u.i, n = (int64_t)json_array_size(j);
            if (i < 0) i += n;
            if (i >= 0 && i < n) e = json_array_get(j, (size_t)i);
        }
    } else if (json_is_object(j)) {
        char *k = rdb_arena_strndup(ctx->arena, key->u.v.ptr, key->u.v.len);
        e = json_object_get(j, k);
    }
    if (!e || (astext && json_is_null(e))) {
        json_decref(j);
        *res = sql_null();
        return RDB_OK;
    }
    rdb_buf_t b;
    rdb_buf_init(&b, 64);
    if (astext && json_is_string(e)) rdb_buf_append(&b, json_string_value(e), json_string_length(e));
    else jsonb_write_x(e, &b, doc_oid == SQL_OID_JSONB);
    *res = sql_bytes(rdb_arena_memdup(ctx->arena, b.data, b.len ? b.len : 1), (uint32_t)b.len);
    rdb_buf_free(&b);
    json_decref(j);
    return RDB_OK;
}

#include "sql/json.h"

rdb_status_t sql_json_expand(rdb_arena_t *a, uint32_t oid, const sql_value_t *doc,
                             sql_json_expand_t what, bool astext, int *n, sql_value_t **keys,
                             sql_value_t **vals, rdb_err_t *err)
{
    (void)a; (void)oid; (void)doc; (void)what; (void)astext; (void)n; (void)keys; (void)vals;
    return rdb_err_set(err, RDB_SQL, "0A000", "json expansion is not supported");
}
