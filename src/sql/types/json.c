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

static void jsonb_write(json_t *j, rdb_buf_t *out)
{
    switch (json_typeof(j)) {
    case JSON_OBJECT: {
        size_t n = json_object_size(j), i = 0;
        kv_t *kv = calloc(n ? n : 1, sizeof *kv);
        const char *k;
        json_t *v;
        json_object_foreach(j, k, v) { kv[i].k = k; kv[i].v = v; i++; }
        qsort(kv, n, sizeof *kv, kv_cmp);
        rdb_buf_append_u8(out, '{');
        for (i = 0; i < n; i++) {
            if (i) rdb_buf_append_str(out, ", ");
            json_str(kv[i].k, strlen(kv[i].k), out);
            rdb_buf_append_str(out, ": ");
            jsonb_write(kv[i].v, out);
        }
        rdb_buf_append_u8(out, '}');
        free(kv);
        return;
    }
    case JSON_ARRAY: {
        rdb_buf_append_u8(out, '[');
        for (size_t i = 0; i < json_array_size(j); i++) {
            if (i) rdb_buf_append_str(out, ", ");
            jsonb_write(json_array_get(j, i), out);
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
