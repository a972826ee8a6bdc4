/*
 * json.c — json and jsonb values (sql/json.h): a parser into a tree,
 * PostgreSQL's input errors, the jsonb normal form, comparison and
 * containment, and the expansion behind the json set-returning functions.
 *
 * json keeps its input text verbatim; jsonb is the normalized text:
 * object keys ordered as PostgreSQL's jsonb orders them (shorter first,
 * then bytewise), the last of duplicate keys kept, numbers as numeric
 * prints them (123.4500 stays, 1e2 becomes 100), strings re-escaped as
 * PostgreSQL's escape_json does, ", " and ": " between items.
 *
 * Trees (jnode_t) live in the arena handed to the parser; a node keeps
 * the source span it was parsed from, so json operators return the
 * verbatim slice of an element as PostgreSQL does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/hash.h"
#include "sql/array.h"
#include "sql/json.h"
#include "sql/types/json_int.h"
#include "sql/types/types_int.h"

/* ---- parser ----------------------------------------------------------- */

typedef struct {
    rdb_arena_t *a;
    const char  *s, *p, *e;
    rdb_err_t   *err;
    bool         failed;
} jp_t;

static void jp_ws(jp_t *j)
{
    while (j->p < j->e && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r')) j->p++;
}

static bool jalnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           (unsigned char)c >= 0x80;
}

/* A number's characters by the JSON grammar from p; *ok: it is one. */
static const char *num_end(const char *p, const char *e, bool *ok)
{
    const char *q = p;
    if (q < e && *q == '-') q++;
    *ok = q < e && *q >= '0' && *q <= '9';
    if (*ok && *q == '0') q++;
    else while (q < e && *q >= '0' && *q <= '9') q++;
    if (*ok && q < e && *q == '.') {
        q++;
        *ok = q < e && *q >= '0' && *q <= '9';
        while (q < e && *q >= '0' && *q <= '9') q++;
    }
    if (*ok && q < e && (*q == 'e' || *q == 'E')) {
        q++;
        if (q < e && (*q == '+' || *q == '-')) q++;
        *ok = q < e && *q >= '0' && *q <= '9';
        while (q < e && *q >= '0' && *q <= '9') q++;
    }
    if (q < e && jalnum(*q)) *ok = false;
    while (q < e && jalnum(*q)) q++;
    return q;
}

/* The token at p as PostgreSQL's json lexer cuts it: punctuation, a
 * string (to its closing quote, or the end), a number with any letters
 * glued to it, a run of letters and digits, or one other character. */
static int tok_len(const char *p, const char *e)
{
    if (p >= e) return 0;
    if (strchr("{}[],:", *p)) return 1;
    const char *q = p;
    if (*q == '"') {
        q++;
        while (q < e && *q != '"') q += *q == '\\' && q + 1 < e ? 2 : 1;
        return (int)(q < e ? q + 1 - p : q - p);
    }
    if (*q == '-' || (*q >= '0' && *q <= '9')) {
        bool ok;
        q = num_end(p, e, &ok);
        return q > p ? (int)(q - p) : 1;
    }
    while (q < e && jalnum(*q)) q++;
    return q > p ? (int)(q - p) : 1;
}

/* Is the token at p one the lexer accepts?  (PG reports a bad token
 * before any "Expected ..." complaint about its place.) */
static bool tok_valid(const char *p, const char *e)
{
    int n = tok_len(p, e);
    if (n == 0 || strchr("{}[],:", *p)) return true;
    if (*p == '"') {        /* a string is a token once it is closed */
        const char *q = p + 1;
        while (q < e && *q != '"') q += *q == '\\' && q + 1 < e ? 2 : 1;
        return q < e;
    }
    if ((n == 4 && (!memcmp(p, "true", 4) || !memcmp(p, "null", 4))) || (n == 5 && !memcmp(p, "false", 5)))
        return true;
    bool ok = false;
    if (*p == '-' || (*p >= '0' && *p <= '9')) num_end(p, e, &ok);
    return ok;
}

static jnode_t *jp_fail(jp_t *j, const char *fmt, bool with_token)
{
    if (j->failed) return NULL;
    j->failed = true;
    rdb_err_set(j->err, RDB_SQL, "22P02", "invalid input syntax for type json");
    if (with_token && j->p < j->e && !tok_valid(j->p, j->e))
        fmt = "Token \"%.*s\" is invalid.";
    if (j->p >= j->e && with_token)
        rdb_err_detail(j->err, "The input string ended unexpectedly.");
    else if (with_token)
        rdb_err_detail(j->err, fmt, tok_len(j->p, j->e), j->p);
    else
        rdb_err_detail(j->err, "%s", fmt);
    return NULL;
}

static jnode_t *jnew(jp_t *j, jtype_t t, const char *src)
{
    jnode_t *n = rdb_arena_calloc(j->a, sizeof *n);
    n->t = t;
    n->src = src;
    return n;
}

static int hexv(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static void put_utf8(rdb_buf_t *b, uint32_t c)
{
    if (c < 0x80) rdb_buf_append_u8(b, (uint8_t)c);
    else if (c < 0x800) { rdb_buf_append_u8(b, (uint8_t)(0xC0 | c >> 6)); rdb_buf_append_u8(b, (uint8_t)(0x80 | (c & 63))); }
    else if (c < 0x10000) {
        rdb_buf_append_u8(b, (uint8_t)(0xE0 | c >> 12));
        rdb_buf_append_u8(b, (uint8_t)(0x80 | ((c >> 6) & 63)));
        rdb_buf_append_u8(b, (uint8_t)(0x80 | (c & 63)));
    } else {
        rdb_buf_append_u8(b, (uint8_t)(0xF0 | c >> 18));
        rdb_buf_append_u8(b, (uint8_t)(0x80 | ((c >> 12) & 63)));
        rdb_buf_append_u8(b, (uint8_t)(0x80 | ((c >> 6) & 63)));
        rdb_buf_append_u8(b, (uint8_t)(0x80 | (c & 63)));
    }
}

/* A string at p (on the opening quote): decoded into out. */
static bool jp_string(jp_t *j, const char **str, uint32_t *len)
{
    const char *start = j->p;
    j->p++;
    rdb_buf_t b = RDB_BUF_INIT;
    for (;;) {
        if (j->p >= j->e) {
            j->p = start;
            rdb_buf_free(&b);
            jp_fail(j, "Token \"%.*s\" is invalid.", true);
            return false;
        }
        unsigned char c = (unsigned char)*j->p;
        if (c == '"') { j->p++; break; }
        if (c < 0x20) {
            rdb_buf_free(&b);
            j->failed = true;
            rdb_err_set(j->err, RDB_SQL, "22P02", "invalid input syntax for type json");
            rdb_err_detail(j->err, "Character with value 0x%02x must be escaped.", c);
            return false;
        }
        if (c != '\\') { rdb_buf_append_u8(&b, c); j->p++; continue; }
        if (j->p + 1 >= j->e) {
            j->p = start;
            rdb_buf_free(&b);
            jp_fail(j, "Token \"%.*s\" is invalid.", true);
            return false;
        }
        char x = j->p[1];
        j->p += 2;
        switch (x) {
        case '"': case '\\': case '/': rdb_buf_append_u8(&b, (uint8_t)x); break;
        case 'b': rdb_buf_append_u8(&b, '\b'); break;
        case 'f': rdb_buf_append_u8(&b, '\f'); break;
        case 'n': rdb_buf_append_u8(&b, '\n'); break;
        case 'r': rdb_buf_append_u8(&b, '\r'); break;
        case 't': rdb_buf_append_u8(&b, '\t'); break;
        case 'u': {
            uint32_t cp = 0;
            for (int i = 0; i < 4; i++) {
                int h = j->p + i < j->e ? hexv(j->p[i]) : -1;
                if (h < 0) {
                    rdb_buf_free(&b);
                    j->failed = true;
                    rdb_err_set(j->err, RDB_SQL, "22P02", "invalid input syntax for type json");
                    rdb_err_detail(j->err, "\"\\u\" must be followed by four hexadecimal digits.");
                    return false;
                }
                cp = cp << 4 | (uint32_t)h;
            }
            j->p += 4;
            if (cp >= 0xD800 && cp <= 0xDBFF && j->e - j->p >= 6 && j->p[0] == '\\' && j->p[1] == 'u') {
                uint32_t lo = 0;
                bool ok = true;
                for (int i = 0; i < 4; i++) {
                    int h = hexv(j->p[2 + i]);
                    if (h < 0) ok = false;
                    lo = lo << 4 | (uint32_t)(h < 0 ? 0 : h);
                }
                if (ok && lo >= 0xDC00 && lo <= 0xDFFF) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    j->p += 6;
                }
            }
            if (cp == 0) {
                rdb_buf_free(&b);
                j->failed = true;
                rdb_err_set(j->err, RDB_SQL, "22P05", "unsupported Unicode escape sequence");
                rdb_err_detail(j->err, "\\u0000 cannot be converted to text.");
                return false;
            }
            put_utf8(&b, cp);
            break;
        }
        default:
            rdb_buf_free(&b);
            j->failed = true;
            rdb_err_set(j->err, RDB_SQL, "22P02", "invalid input syntax for type json");
            rdb_err_detail(j->err, "Escape sequence \"\\%c\" is invalid.", x);
            return false;
        }
    }
    *len = (uint32_t)b.len;
    *str = b.len ? rdb_arena_memdup(j->a, b.data, b.len) : "";
    rdb_buf_free(&b);
    return true;
}

static jnode_t *jp_value(jp_t *j, int depth);

static jnode_t *jp_value(jp_t *j, int depth)
{
    jp_ws(j);
    if (depth > 6400) {
        j->failed = true;
        rdb_err_set(j->err, RDB_SQL, "54001", "stack depth limit exceeded");
        return NULL;
    }
    if (j->p >= j->e) return jp_fail(j, "", true);
    const char *start = j->p;
    char c = *j->p;
    if (c == '{' || c == '[') {
        bool obj = c == '{';
        jnode_t *n = jnew(j, obj ? J_OBJ : J_ARR, start);
        j->p++;
        int cap = 0;
        jp_ws(j);
        if (j->p < j->e && *j->p == (obj ? '}' : ']')) {
            j->p++;
            n->srclen = (uint32_t)(j->p - start);
            return n;
        }
        for (;;) {
            jp_ws(j);
            const char *key = NULL;
            uint32_t klen = 0;
            if (obj) {
                if (j->p >= j->e || *j->p != '"')
                    return jp_fail(j, n->n ? "Expected string, but found \"%.*s\"."
                                           : "Expected string or \"}\", but found \"%.*s\".", true);
                if (!jp_string(j, &key, &klen)) return NULL;
                jp_ws(j);
                if (j->p >= j->e || *j->p != ':') return jp_fail(j, "Expected \":\", but found \"%.*s\".", true);
                j->p++;
            }
            jnode_t *v = jp_value(j, depth + 1);
            if (!v) return NULL;
            if (n->n == cap) {
                cap = cap ? cap * 2 : 4;
                n->items = rdb_arena_grow(j->a, n->items, (size_t)n->n, (size_t)cap, sizeof *n->items);
                if (obj) {
                    n->keys = rdb_arena_grow(j->a, n->keys, (size_t)n->n, (size_t)cap, sizeof *n->keys);
                    n->klens = rdb_arena_grow(j->a, n->klens, (size_t)n->n, (size_t)cap, sizeof *n->klens);
                }
            }
            if (obj) {
                n->keys[n->n] = key;
                n->klens[n->n] = klen;
            }
            n->items[n->n++] = v;
            jp_ws(j);
            if (j->p < j->e && *j->p == ',') { j->p++; continue; }
            if (j->p < j->e && *j->p == (obj ? '}' : ']')) { j->p++; break; }
            return jp_fail(j, obj ? "Expected \",\" or \"}\", but found \"%.*s\"."
                                  : "Expected \",\" or \"]\", but found \"%.*s\".", true);
        }
        n->srclen = (uint32_t)(j->p - start);
        return n;
    }
    if (c == '"') {
        jnode_t *n = jnew(j, J_STR, start);
        if (!jp_string(j, &n->s, &n->len)) return NULL;
        n->srclen = (uint32_t)(j->p - start);
        return n;
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
        bool ok;
        const char *q = num_end(j->p, j->e, &ok);
        if (!ok)
            return jp_fail(j, "Token \"%.*s\" is invalid.", true);
        jnode_t *n = jnew(j, J_NUM, start);
        n->s = start;
        n->len = n->srclen = (uint32_t)(q - start);
        j->p = q;
        return n;
    }
    if (strchr("}],:", c))
        return jp_fail(j, "Expected JSON value, but found \"%.*s\".", true);
    int tl = tok_len(j->p, j->e);
    jtype_t t;
    if (tl == 4 && memcmp(j->p, "true", 4) == 0) t = J_TRUE;
    else if (tl == 5 && memcmp(j->p, "false", 5) == 0) t = J_FALSE;
    else if (tl == 4 && memcmp(j->p, "null", 4) == 0) t = J_NULL;
    else return jp_fail(j, "Token \"%.*s\" is invalid.", true);
    jnode_t *n = jnew(j, t, start);
    j->p += tl;
    n->srclen = (uint32_t)tl;
    return n;
}

jnode_t *sqlt_json_parse(rdb_arena_t *a, const char *s, size_t len, rdb_err_t *err)
{
    jp_t j = { a, s, s, s + len, err, false };
    jnode_t *n = jp_value(&j, 0);
    if (!n) return NULL;
    jp_ws(&j);
    if (j.p < j.e) return jp_fail(&j, "Expected end of input, but found \"%.*s\".", true);
    return n;
}

/* ---- normal form ------------------------------------------------------ */

static int key_cmp(const char *a, uint32_t al, const char *b, uint32_t bl)
{
    if (al != bl) return al < bl ? -1 : 1;
    int c = memcmp(a, b, al);
    return c < 0 ? -1 : c > 0;
}

typedef struct { const char *k; uint32_t kl; jnode_t *v; int pos; } kv_t;

static int kv_cmp(const void *x, const void *y)
{
    const kv_t *a = x, *b = y;
    int c = key_cmp(a->k, a->kl, b->k, b->kl);
    return c ? c : (a->pos > b->pos) - (a->pos < b->pos);
}

jnode_t *sqlt_jsonb_normalize(rdb_arena_t *a, jnode_t *n, rdb_err_t *err)
{
    if (n->t == J_NUM) {
        sql_value_t v;
        if (sqlt_numeric_in(a, n->s, n->len, &v, err) != RDB_OK) return NULL;
        rdb_buf_t b = RDB_BUF_INIT;
        sqlt_numeric_out(&v, &b);
        n->s = rdb_arena_memdup(a, b.data, b.len);
        n->len = (uint32_t)b.len;
        rdb_buf_free(&b);
        return n;
    }
    for (int i = 0; i < n->n; i++)
        if (!sqlt_jsonb_normalize(a, n->items[i], err)) return NULL;
    if (n->t != J_OBJ || n->n == 0) return n;
    kv_t *kv = rdb_arena_alloc(a, sizeof(kv_t) * (size_t)n->n);
    for (int i = 0; i < n->n; i++) kv[i] = (kv_t){ n->keys[i], n->klens[i], n->items[i], i };
    qsort(kv, (size_t)n->n, sizeof *kv, kv_cmp);
    int m = 0;
    for (int i = 0; i < n->n; i++) {
        if (m && key_cmp(kv[m - 1].k, kv[m - 1].kl, kv[i].k, kv[i].kl) == 0) kv[m - 1] = kv[i];
        else kv[m++] = kv[i];
    }
    for (int i = 0; i < m; i++) {
        n->keys[i] = kv[i].k;
        n->klens[i] = kv[i].kl;
        n->items[i] = kv[i].v;
    }
    n->n = m;
    return n;
}

void sqlt_json_quote(const char *s, size_t n, rdb_buf_t *out)
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

/* indent -1: one line (jsonb's form); -2: no spaces at all (json's
 * functions that rebuild a value); >= 0: jsonb_pretty's layout */
static void write_x(const jnode_t *n, rdb_buf_t *out, int indent)
{
    switch (n->t) {
    case J_NULL: rdb_buf_append_str(out, "null"); return;
    case J_TRUE: rdb_buf_append_str(out, "true"); return;
    case J_FALSE: rdb_buf_append_str(out, "false"); return;
    case J_NUM: rdb_buf_append(out, n->s, n->len); return;
    case J_STR: sqlt_json_quote(n->s, n->len, out); return;
    case J_ARR: case J_OBJ: {
        bool obj = n->t == J_OBJ;
        rdb_buf_append_u8(out, obj ? '{' : '[');
        for (int i = 0; i < n->n; i++) {
            if (i) rdb_buf_append_str(out, indent == -1 ? ", " : ",");
            if (indent >= 0) {
                rdb_buf_append_u8(out, '\n');
                for (int k = 0; k < indent + 4; k++) rdb_buf_append_u8(out, ' ');
            }
            if (obj) {
                sqlt_json_quote(n->keys[i], n->klens[i], out);
                rdb_buf_append_str(out, indent == -2 ? ":" : ": ");
            }
            write_x(n->items[i], out, indent < 0 ? indent : indent + 4);
        }
        if (indent >= 0) {
            rdb_buf_append_u8(out, '\n');
            for (int k = 0; k < indent; k++) rdb_buf_append_u8(out, ' ');
        }
        rdb_buf_append_u8(out, obj ? '}' : ']');
        return;
    }
    }
}

void sqlt_jsonb_write(const jnode_t *n, rdb_buf_t *out) { write_x(n, out, -1); }
void sqlt_jsonb_pretty(const jnode_t *n, rdb_buf_t *out) { write_x(n, out, 0); }
void sqlt_json_write_compact(const jnode_t *n, rdb_buf_t *out) { write_x(n, out, -2); }

sql_value_t sqlt_json_value(rdb_arena_t *a, uint32_t oid, const jnode_t *n)
{
    if (oid == SQL_OID_JSON && n->src)
        return sql_bytes(n->srclen ? rdb_arena_memdup(a, n->src, n->srclen) : "", n->srclen);
    rdb_buf_t b = RDB_BUF_INIT;
    sqlt_jsonb_write(n, &b);
    sql_value_t v = sql_bytes(rdb_arena_memdup(a, b.data, b.len), (uint32_t)b.len);
    rdb_buf_free(&b);
    return v;
}

rdb_status_t sqlt_json_in(rdb_arena_t *a, uint32_t oid, const char *s, size_t len,
                          sql_value_t *out, rdb_err_t *err)
{
    rdb_arena_t tmp;
    rdb_arena_init(&tmp, 0);
    jnode_t *n = sqlt_json_parse(&tmp, s, len, err);
    if (n && oid == SQL_OID_JSONB)
        n = sqlt_jsonb_normalize(&tmp, n, err);
    if (n) {
        if (oid == SQL_OID_JSON)
            *out = sql_bytes(len ? rdb_arena_memdup(a, s, len) : "", (uint32_t)len);
        else {
            n->src = NULL;
            *out = sqlt_json_value(a, oid, n);
        }
    }
    rdb_arena_destroy(&tmp);
    return n ? RDB_OK : RDB_SQL;
}

jnode_t *sqlt_json_tree(rdb_arena_t *a, uint32_t oid, const sql_value_t *v, rdb_err_t *err)
{
    jnode_t *n = sqlt_json_parse(a, v->u.v.ptr, v->u.v.len, err);
    (void)oid;
    return n;
}

/* ---- lookups ---------------------------------------------------------- */

jnode_t *sqlt_json_field(const jnode_t *n, const char *k, size_t kl)
{
    if (n->t != J_OBJ) return NULL;
    jnode_t *hit = NULL;      /* json keeps duplicates: the last one wins, as in PG */
    for (int i = 0; i < n->n; i++)
        if (n->klens[i] == kl && memcmp(n->keys[i], k, kl) == 0) hit = n->items[i];
    return hit;
}

jnode_t *sqlt_json_elem(const jnode_t *n, int64_t i)
{
    if (n->t != J_ARR) return NULL;
    if (i < 0) i += n->n;
    return i >= 0 && i < n->n ? n->items[i] : NULL;
}

/* A node's value as the SQL result: json/jsonb of oid, or text (->>):
 * strings unquoted, JSON null as SQL NULL. */
sql_value_t sqlt_json_result(rdb_arena_t *a, uint32_t oid, const jnode_t *n, bool astext)
{
    if (!n || (astext && n->t == J_NULL)) return sql_null();
    if (astext && n->t == J_STR) return sql_bytes(n->len ? rdb_arena_memdup(a, n->s, n->len) : "", n->len);
    if (astext && oid == SQL_OID_JSON) return sqlt_json_value(a, SQL_OID_JSON, n);
    return sqlt_json_value(a, oid, n);
}

rdb_status_t sqlt_json_get(sql_fn_ctx_t *ctx, const sql_value_t *doc, uint32_t doc_oid,
                           const sql_value_t *key, uint32_t key_oid, bool astext,
                           sql_value_t *res, rdb_err_t *err)
{
    jnode_t *n = sqlt_json_tree(ctx->arena, doc_oid, doc, err);
    if (!n) return RDB_SQL;
    bool bykey = key_oid == SQL_OID_TEXT || sqlt_kind(key_oid) == K_TEXT;
    jnode_t *e = bykey ? sqlt_json_field(n, key->u.v.ptr, key->u.v.len) : sqlt_json_elem(n, key->u.i);
    /* a jsonb scalar is a one-element array to PG's -> int */
    if (!bykey && doc_oid == SQL_OID_JSONB && n->t != J_ARR && n->t != J_OBJ && (key->u.i == 0 || key->u.i == -1))
        e = n;
    *res = sqlt_json_result(ctx->arena, doc_oid, e, astext);
    return RDB_OK;
}

/* ---- comparison (PostgreSQL's jsonb btree order) ---------------------- */

static int type_rank(jtype_t t)
{
    switch (t) {
    case J_NULL: return 0;
    case J_STR: return 1;
    case J_NUM: return 2;
    case J_TRUE: case J_FALSE: return 3;
    case J_ARR: return 4;
    default: return 5;
    }
}

static int num_cmp(const jnode_t *x, const jnode_t *y)
{
    rdb_arena_t tmp;
    rdb_arena_init(&tmp, 0);
    sql_value_t a, b;
    rdb_err_t e = RDB_ERR_INIT;
    int c = 0;
    if (sqlt_numeric_in(&tmp, x->s, x->len, &a, &e) == RDB_OK && sqlt_numeric_in(&tmp, y->s, y->len, &b, &e) == RDB_OK)
        c = sqlt_numeric_cmp(&a, &b);
    rdb_err_clear(&e);
    rdb_arena_destroy(&tmp);
    return c;
}

int sqlt_jnode_cmp(const jnode_t *x, const jnode_t *y)
{
    /* an empty top-level array sorts below everything (PG's raw scalar quirk is not kept) */
    if (x->t != y->t && !((x->t == J_TRUE || x->t == J_FALSE) && (y->t == J_TRUE || y->t == J_FALSE))) {
        int rx = type_rank(x->t), ry = type_rank(y->t);
        return rx < ry ? -1 : 1;
    }
    switch (x->t) {
    case J_NULL: return 0;
    case J_TRUE: case J_FALSE: return (x->t == J_TRUE) - (y->t == J_TRUE);
    case J_NUM: return num_cmp(x, y);
    case J_STR: {
        uint32_t n = x->len < y->len ? x->len : y->len;
        int c = n ? memcmp(x->s, y->s, n) : 0;
        if (c) return c < 0 ? -1 : 1;
        return x->len < y->len ? -1 : x->len > y->len;
    }
    default:
        if (x->n != y->n) return x->n < y->n ? -1 : 1;
        for (int i = 0; i < x->n; i++) {
            if (x->t == J_OBJ) {
                int c = key_cmp(x->keys[i], x->klens[i], y->keys[i], y->klens[i]);
                if (c) return c;
            }
            int c = sqlt_jnode_cmp(x->items[i], y->items[i]);
            if (c) return c;
        }
        return 0;
    }
}

int sqlt_jsonb_cmp(const sql_value_t *a, const sql_value_t *b)
{
    rdb_arena_t tmp;
    rdb_arena_init(&tmp, 0);
    rdb_err_t e = RDB_ERR_INIT;
    jnode_t *x = sqlt_json_parse(&tmp, a->u.v.ptr, a->u.v.len, &e);
    jnode_t *y = x ? sqlt_json_parse(&tmp, b->u.v.ptr, b->u.v.len, &e) : NULL;
    int c;
    if (x && y) {
        /* a top-level scalar is a one-element "raw scalar" array to PG */
        bool xs = x->t != J_ARR && x->t != J_OBJ, ys = y->t != J_ARR && y->t != J_OBJ;
        if (xs != ys && (x->t == J_ARR || y->t == J_ARR)) {
            int nx = xs ? 1 : x->n, ny = ys ? 1 : y->n;
            c = nx != ny ? (nx > ny ? 1 : -1) : (xs ? -1 : 1);
        } else
            c = sqlt_jnode_cmp(x, y);
    } else {
        uint32_t n = a->u.v.len < b->u.v.len ? a->u.v.len : b->u.v.len;
        c = n ? memcmp(a->u.v.ptr, b->u.v.ptr, n) : 0;
        if (!c) c = (a->u.v.len > b->u.v.len) - (a->u.v.len < b->u.v.len);
    }
    rdb_err_clear(&e);
    rdb_arena_destroy(&tmp);
    return c;
}

/* Equal documents hash equal: numbers hash by value (trailing zeros of
 * the fraction dropped). */
static void canon(const jnode_t *n, rdb_buf_t *out)
{
    if (n->t == J_NUM) {
        uint32_t l = n->len;
        if (memchr(n->s, '.', l)) {
            while (l > 0 && n->s[l - 1] == '0') l--;
            if (l > 0 && n->s[l - 1] == '.') l--;
        }
        if (l == 2 && n->s[0] == '-' && n->s[1] == '0') { rdb_buf_append_u8(out, '0'); return; }
        rdb_buf_append(out, n->s, l);
        return;
    }
    if (n->t != J_ARR && n->t != J_OBJ) { write_x(n, out, -1); return; }
    rdb_buf_append_u8(out, n->t == J_OBJ ? '{' : '[');
    for (int i = 0; i < n->n; i++) {
        if (n->t == J_OBJ) sqlt_json_quote(n->keys[i], n->klens[i], out);
        canon(n->items[i], out);
        rdb_buf_append_u8(out, ',');
    }
}

uint64_t sqlt_jsonb_hash(const sql_value_t *v)
{
    rdb_arena_t tmp;
    rdb_arena_init(&tmp, 0);
    rdb_err_t e = RDB_ERR_INIT;
    jnode_t *x = sqlt_json_parse(&tmp, v->u.v.ptr, v->u.v.len, &e);
    uint64_t h;
    if (x) {
        rdb_buf_t b = RDB_BUF_INIT;
        canon(x, &b);
        h = rdb_hash64(b.data, b.len, 0);
        rdb_buf_free(&b);
    } else
        h = rdb_hash64(v->u.v.ptr, v->u.v.len, 0);
    rdb_err_clear(&e);
    rdb_arena_destroy(&tmp);
    return h;
}

/* PostgreSQL's jsonb containment (x @> y). */
bool sqlt_jnode_contains(const jnode_t *x, const jnode_t *y, bool top)
{
    if (x->t == J_OBJ && y->t == J_OBJ) {
        for (int i = 0; i < y->n; i++) {
            jnode_t *v = sqlt_json_field(x, y->keys[i], y->klens[i]);
            if (!v) return false;
            if ((v->t == J_OBJ || v->t == J_ARR || y->items[i]->t == J_OBJ || y->items[i]->t == J_ARR)
                ? !sqlt_jnode_contains(v, y->items[i], false) : sqlt_jnode_cmp(v, y->items[i]) != 0)
                return false;
        }
        return true;
    }
    if (x->t == J_ARR && y->t == J_ARR) {
        for (int i = 0; i < y->n; i++) {
            bool found = false;
            for (int k = 0; k < x->n && !found; k++) {
                const jnode_t *a = x->items[k], *b = y->items[i];
                if ((a->t == J_OBJ && b->t == J_OBJ) || (a->t == J_ARR && b->t == J_ARR))
                    found = sqlt_jnode_contains(a, b, false);
                else if (a->t != J_OBJ && a->t != J_ARR && b->t != J_OBJ && b->t != J_ARR)
                    found = sqlt_jnode_cmp(a, b) == 0;
            }
            if (!found) return false;
        }
        return true;
    }
    if (top && x->t == J_ARR && y->t != J_OBJ) {     /* '["a"]' @> '"a"' */
        for (int k = 0; k < x->n; k++)
            if (x->items[k]->t == y->t && sqlt_jnode_cmp(x->items[k], y) == 0) return true;
        return false;
    }
    if (x->t == J_OBJ || x->t == J_ARR || y->t == J_OBJ || y->t == J_ARR) return false;
    return sqlt_jnode_cmp(x, y) == 0;
}

/* ---- conversion of SQL values to JSON (to_json) ----------------------- */

/* Dimension d of x as a JSON array (nested for the inner dimensions),
 * the elements from x->v[*pos] on. */
static void json_from_dim(const sql_format_settings_t *fs, const sql_array_t *x, int d, int *pos,
                          rdb_buf_t *out)
{
    rdb_buf_append_u8(out, '[');
    for (int i = 0; i < x->dims[d]; i++) {
        if (i) rdb_buf_append_u8(out, ',');
        if (d + 1 < x->ndim)
            json_from_dim(fs, x, d + 1, pos, out);
        else
            sqlt_json_from_value(fs, x->elem, &x->v[(*pos)++], out);
    }
    rdb_buf_append_u8(out, ']');
}

void sqlt_json_from_value(const sql_format_settings_t *fs, sql_type_t t, const sql_value_t *v,
                          rdb_buf_t *out)
{
    if (v->isnull) { rdb_buf_append_str(out, "null"); return; }
    sqlt_kind_t k = sqlt_kind(t.oid);
    switch (k) {
    case K_BOOL: rdb_buf_append_str(out, v->u.b ? "true" : "false"); return;
    case K_INT: case K_NUMERIC: sql_value_out(fs, t, v, out); return;
    case K_FLOAT: {
        rdb_buf_t b = RDB_BUF_INIT;
        sql_value_out(fs, t, v, &b);
        bool special = b.len && (b.data[0] == 'N' || b.data[b.len - 1] == 'y');
        if (special) sqlt_json_quote(b.data, b.len, out);
        else rdb_buf_append(out, b.data, b.len);
        rdb_buf_free(&b);
        return;
    }
    case K_JSON: rdb_buf_append(out, v->u.v.ptr, v->u.v.len); return;
    case K_ARRAY: {
        sql_array_t x;
        rdb_arena_t tmp;
        rdb_arena_init(&tmp, 0);
        rdb_err_t e = RDB_ERR_INIT;
        int pos = 0;
        if (sql_array_decode(&tmp, t, v, &x, &e) == RDB_OK && x.ndim > 0)
            json_from_dim(fs, &x, 0, &pos, out);
        else
            rdb_buf_append_str(out, "[]");
        rdb_err_clear(&e);
        rdb_arena_destroy(&tmp);
        return;
    }
    default: {
        rdb_buf_t b = RDB_BUF_INIT;
        sql_value_out(fs, t, v, &b);
        if (k == K_TS || k == K_TSTZ)    /* ISO 8601 with a T, as PostgreSQL's to_json */
            for (size_t i = 0; i < b.len; i++)
                if (b.data[i] == ' ') { b.data[i] = 'T'; break; }
        sqlt_json_quote(b.data, b.len, out);
        rdb_buf_free(&b);
        return;
    }
    }
}

void sqlt_json_key(const sql_format_settings_t *fs, sql_type_t t, const sql_value_t *v, rdb_buf_t *out)
{
    rdb_buf_t b = RDB_BUF_INIT;
    if (sqlt_kind(t.oid) == K_BOOL) rdb_buf_append_str(&b, v->u.b ? "true" : "false");
    else sql_value_out(fs, t, v, &b);
    sqlt_json_quote(b.data ? b.data : "", b.len, out);
    rdb_buf_free(&b);
}

/* ---- expansion for the set-returning functions ------------------------ */

rdb_status_t sql_json_expand(rdb_arena_t *a, uint32_t oid, const sql_value_t *doc,
                             sql_json_expand_t what, bool astext, int *n, sql_value_t **keys,
                             sql_value_t **vals, rdb_err_t *err)
{
    jnode_t *j = sqlt_json_tree(a, oid, doc, err);
    if (!j) return RDB_SQL;
    bool b = oid == SQL_OID_JSONB;
    const char *fn = b ? "jsonb" : "json";
    bool scalar = j->t != J_OBJ && j->t != J_ARR;
    if (what == SQL_JSON_KEYS && j->t != J_OBJ)
        return rdb_err_set(err, RDB_SQL, "22023", "cannot call %s_object_keys on %s", fn,
                           scalar ? "a scalar" : "an array");
    if (what == SQL_JSON_EACH && j->t != J_OBJ) {
        if (b)
            return rdb_err_set(err, RDB_SQL, "22023", "cannot call %s on a non-object",
                               astext ? "jsonb_each_text" : "jsonb_each");
        return rdb_err_set(err, RDB_SQL, "22023", scalar ? "cannot deconstruct a scalar"
                                                         : "cannot deconstruct an array as an object");
    }
    if (what == SQL_JSON_ELEMENTS && j->t != J_ARR) {
        if (b)
            return rdb_err_set(err, RDB_SQL, "22023", scalar ? "cannot extract elements from a scalar"
                                                             : "cannot extract elements from an object");
        return rdb_err_set(err, RDB_SQL, "22023", scalar ? "cannot extract elements from a scalar"
                                                         : "cannot extract elements from an object");
    }
    *n = j->n;
    *keys = rdb_arena_alloc(a, sizeof(sql_value_t) * (size_t)(j->n + 1));
    *vals = rdb_arena_alloc(a, sizeof(sql_value_t) * (size_t)(j->n + 1));
    for (int i = 0; i < j->n; i++) {
        if (j->t == J_OBJ) (*keys)[i] = sql_bytes(j->keys[i], j->klens[i]);
        (*vals)[i] = sqlt_json_result(a, oid, j->items[i], astext);
    }
    return RDB_OK;
}
