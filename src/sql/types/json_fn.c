/*
 * json_fn.c — the json and jsonb operators and functions: path access
 * (#>, #>>), containment and existence (@>, <@, ?, ?|, ?&), comparison,
 * modification (||, -, #-, jsonb_set, jsonb_insert), building (to_json,
 * json_build_object/array), inspection (json_typeof, json_array_length,
 * jsonb_pretty, json_strip_nulls) and the jsonb casts to scalars, with
 * PostgreSQL's results and errors.
 */
#include <stdlib.h>
#include <string.h>

#include "sql/array.h"
#include "sql/types/json_int.h"
#include "sql/types/types_int.h"

#define FN(name) static rdb_status_t name(sql_fn_ctx_t *ctx, int nargs, const sql_value_t *args, \
    const sql_type_t *argtypes, sql_type_t rettype, sql_value_t *res, rdb_err_t *err)
#define UNUSED (void)nargs; (void)argtypes; (void)rettype

#define JS SQL_OID_JSON
#define JB SQL_OID_JSONB
#define TX SQL_OID_TEXT
#define TA SQL_OID_TEXT_ARRAY
#define I4 SQL_OID_INT4
#define BO SQL_OID_BOOL

static jnode_t *J(sql_fn_ctx_t *ctx, const sql_type_t *t, const sql_value_t *v, rdb_err_t *err)
{
    return sqlt_json_tree(ctx->arena, t->oid, v, err);
}

static rdb_status_t out_jsonb(sql_fn_ctx_t *ctx, jnode_t *n, sql_value_t *res, rdb_err_t *err)
{
    if (!sqlt_jsonb_normalize(ctx->arena, n, err))
        return RDB_SQL;
    *res = sqlt_json_value(ctx->arena, JB, n);
    return RDB_OK;
}

static jnode_t *mk(sql_fn_ctx_t *ctx, jtype_t t)
{
    jnode_t *n = rdb_arena_calloc(ctx->arena, sizeof *n);
    n->t = t;
    return n;
}

static void add_item(sql_fn_ctx_t *ctx, jnode_t *n, int at, const char *k, uint32_t kl, jnode_t *v)
{
    jnode_t **items = rdb_arena_alloc(ctx->arena, sizeof(jnode_t *) * (size_t)(n->n + 1));
    const char **keys = rdb_arena_alloc(ctx->arena, sizeof(char *) * (size_t)(n->n + 1));
    uint32_t *klens = rdb_arena_alloc(ctx->arena, sizeof(uint32_t) * (size_t)(n->n + 1));
    for (int i = 0, o = 0; i <= n->n; i++) {
        if (i == at) {
            items[i] = v;
            keys[i] = k;
            klens[i] = kl;
            continue;
        }
        items[i] = n->items[o];
        keys[i] = n->t == J_OBJ ? n->keys[o] : NULL;
        klens[i] = n->t == J_OBJ ? n->klens[o] : 0;
        o++;
    }
    n->items = items;
    if (n->t == J_OBJ) {
        n->keys = keys;
        n->klens = klens;
    }
    n->n++;
}

static void del_item(jnode_t *n, int at)
{
    for (int i = at; i + 1 < n->n; i++) {
        n->items[i] = n->items[i + 1];
        if (n->t == J_OBJ) {
            n->keys[i] = n->keys[i + 1];
            n->klens[i] = n->klens[i + 1];
        }
    }
    n->n--;
}

static int find_key(const jnode_t *n, const char *k, size_t kl)
{
    for (int i = n->n - 1; i >= 0; i--)
        if (n->klens[i] == kl && memcmp(n->keys[i], k, kl) == 0) return i;
    return -1;
}

/* An array index written as text: false if it is not an integer. */
static bool path_index(const sql_value_t *k, int64_t *out)
{
    if (k->u.v.len == 0 || k->u.v.len > 18) return false;
    char buf[24];
    memcpy(buf, k->u.v.ptr, k->u.v.len);
    buf[k->u.v.len] = 0;
    char *end;
    long long v = strtoll(buf, &end, 10);
    if (*end) return false;
    *out = v;
    return true;
}

/* The child of n named by path step k (object key or array index). */
static int step(const jnode_t *n, const sql_value_t *k)
{
    if (k->isnull) return -1;
    if (n->t == J_OBJ) return find_key(n, k->u.v.ptr, k->u.v.len);
    int64_t i;
    if (n->t != J_ARR || !path_index(k, &i)) return -1;
    if (i < 0) i += n->n;
    return i >= 0 && i < n->n ? (int)i : -1;
}

static rdb_status_t get_path(sql_fn_ctx_t *ctx, const sql_value_t *args, const sql_type_t *argtypes,
                             bool astext, sql_value_t *res, rdb_err_t *err)
{
    jnode_t *n = J(ctx, &argtypes[0], &args[0], err);
    sql_array_t p;
    if (!n || sql_array_decode(ctx->arena, argtypes[1], &args[1], &p, err) != RDB_OK) return RDB_SQL;
    for (int i = 0; i < p.n && n; i++) {
        int k = step(n, &p.v[i]);
        n = k < 0 ? NULL : n->items[k];
    }
    if (astext && n && p.n == 0 && n->t != J_STR && n->t != J_NULL) {   /* #>> '{}' is the document as text */
        *res = sqlt_json_value(ctx->arena, argtypes[0].oid, n);
        return RDB_OK;
    }
    *res = sqlt_json_result(ctx->arena, argtypes[0].oid, n, astext);
    return RDB_OK;
}
/* json(b)_extract_path[_text](doc, VARIADIC text[]): #> with the steps as arguments */
static rdb_status_t extract_path(sql_fn_ctx_t *ctx, int nargs, const sql_value_t *args,
                                 const sql_type_t *argtypes, bool astext, sql_value_t *res, rdb_err_t *err)
{
    sql_value_t a2[2] = { args[0], sql_array_encode(ctx->arena, (sql_type_t){ TX, -1 }, 1, nargs - 1, args + 1) };
    sql_type_t t2[2] = { argtypes[0], { TA, -1 } };
    for (int i = 1; i < nargs; i++)
        if (args[i].isnull) { *res = sql_null(); return RDB_OK; }
    return get_path(ctx, a2, t2, astext, res, err);
}
FN(f_extract_path) { (void)rettype; if (args[0].isnull) { *res = sql_null(); return RDB_OK; } return extract_path(ctx, nargs, args, argtypes, false, res, err); }
FN(f_extract_path_text) { (void)rettype; if (args[0].isnull) { *res = sql_null(); return RDB_OK; } return extract_path(ctx, nargs, args, argtypes, true, res, err); }

FN(op_path) { UNUSED; return get_path(ctx, args, argtypes, false, res, err); }
FN(op_path_text) { UNUSED; return get_path(ctx, args, argtypes, true, res, err); }

static rdb_status_t two(sql_fn_ctx_t *ctx, const sql_value_t *args, const sql_type_t *argtypes,
                        jnode_t **x, jnode_t **y, rdb_err_t *err)
{
    *x = J(ctx, &argtypes[0], &args[0], err);
    *y = *x ? J(ctx, &argtypes[1], &args[1], err) : NULL;
    return *y ? RDB_OK : RDB_SQL;
}
FN(op_contains) { UNUSED; jnode_t *x, *y; if (two(ctx, args, argtypes, &x, &y, err)) return RDB_SQL; *res = sql_bool(sqlt_jnode_contains(x, y, true)); return RDB_OK; }
FN(op_contained) { UNUSED; jnode_t *x, *y; if (two(ctx, args, argtypes, &x, &y, err)) return RDB_SQL; *res = sql_bool(sqlt_jnode_contains(y, x, true)); return RDB_OK; }
FN(op_eq) { UNUSED; (void)ctx; (void)err; *res = sql_bool(sqlt_jsonb_cmp(&args[0], &args[1]) == 0); return RDB_OK; }
FN(op_ne) { UNUSED; (void)ctx; (void)err; *res = sql_bool(sqlt_jsonb_cmp(&args[0], &args[1]) != 0); return RDB_OK; }
FN(op_lt) { UNUSED; (void)ctx; (void)err; *res = sql_bool(sqlt_jsonb_cmp(&args[0], &args[1]) < 0); return RDB_OK; }
FN(op_le) { UNUSED; (void)ctx; (void)err; *res = sql_bool(sqlt_jsonb_cmp(&args[0], &args[1]) <= 0); return RDB_OK; }
FN(op_gt) { UNUSED; (void)ctx; (void)err; *res = sql_bool(sqlt_jsonb_cmp(&args[0], &args[1]) > 0); return RDB_OK; }
FN(op_ge) { UNUSED; (void)ctx; (void)err; *res = sql_bool(sqlt_jsonb_cmp(&args[0], &args[1]) >= 0); return RDB_OK; }

static bool has_key(const jnode_t *n, const sql_value_t *k)
{
    if (k->isnull) return false;
    if (n->t == J_OBJ) return find_key(n, k->u.v.ptr, k->u.v.len) >= 0;
    if (n->t == J_ARR) {
        for (int i = 0; i < n->n; i++)
            if (n->items[i]->t == J_STR && n->items[i]->len == k->u.v.len &&
                memcmp(n->items[i]->s, k->u.v.ptr, k->u.v.len) == 0)
                return true;
        return false;
    }
    return n->t == J_STR && n->len == k->u.v.len && memcmp(n->s, k->u.v.ptr, n->len) == 0;
}
FN(op_exists) { UNUSED; jnode_t *n = J(ctx, &argtypes[0], &args[0], err); if (!n) return RDB_SQL; *res = sql_bool(has_key(n, &args[1])); return RDB_OK; }
static rdb_status_t exists_set(sql_fn_ctx_t *ctx, const sql_value_t *args, const sql_type_t *argtypes,
                               bool any, sql_value_t *res, rdb_err_t *err)
{
    jnode_t *n = J(ctx, &argtypes[0], &args[0], err);
    sql_array_t k;
    if (!n || sql_array_decode(ctx->arena, argtypes[1], &args[1], &k, err) != RDB_OK) return RDB_SQL;
    for (int i = 0; i < k.n; i++) {
        if (k.v[i].isnull) continue;
        bool h = has_key(n, &k.v[i]);
        if (any && h) { *res = sql_bool(true); return RDB_OK; }
        if (!any && !h) { *res = sql_bool(false); return RDB_OK; }
    }
    *res = sql_bool(!any);
    return RDB_OK;
}
FN(op_exists_any) { UNUSED; return exists_set(ctx, args, argtypes, true, res, err); }
FN(op_exists_all) { UNUSED; return exists_set(ctx, args, argtypes, false, res, err); }

FN(op_concat)
{
    UNUSED;
    jnode_t *x, *y;
    if (two(ctx, args, argtypes, &x, &y, err)) return RDB_SQL;
    if (x->t == J_OBJ && y->t == J_OBJ) {
        for (int i = 0; i < y->n; i++) {
            int k = find_key(x, y->keys[i], y->klens[i]);
            if (k >= 0) x->items[k] = y->items[i];
            else add_item(ctx, x, x->n, y->keys[i], y->klens[i], y->items[i]);
        }
        return out_jsonb(ctx, x, res, err);
    }
    jnode_t *r = mk(ctx, J_ARR);
    const jnode_t *parts[2] = { x, y };
    for (int p = 0; p < 2; p++) {
        if (parts[p]->t == J_ARR)
            for (int i = 0; i < parts[p]->n; i++) add_item(ctx, r, r->n, NULL, 0, parts[p]->items[i]);
        else
            add_item(ctx, r, r->n, NULL, 0, (jnode_t *)parts[p]);
    }
    return out_jsonb(ctx, r, res, err);
}

static rdb_status_t del_key(sql_fn_ctx_t *ctx, jnode_t *n, const sql_value_t *k, rdb_err_t *err)
{
    if (n->t != J_OBJ && n->t != J_ARR)
        return rdb_err_set(err, RDB_SQL, "22023", "cannot delete from scalar");
    for (int i = n->n - 1; i >= 0; i--) {
        bool hit = n->t == J_OBJ ? n->klens[i] == k->u.v.len && memcmp(n->keys[i], k->u.v.ptr, k->u.v.len) == 0
                                 : n->items[i]->t == J_STR && n->items[i]->len == k->u.v.len &&
                                   memcmp(n->items[i]->s, k->u.v.ptr, k->u.v.len) == 0;
        if (hit) del_item(n, i);
    }
    (void)ctx;
    return RDB_OK;
}
FN(op_minus_key)
{
    UNUSED;
    jnode_t *n = J(ctx, &argtypes[0], &args[0], err);
    if (!n || del_key(ctx, n, &args[1], err)) return RDB_SQL;
    return out_jsonb(ctx, n, res, err);
}
FN(op_minus_keys)
{
    UNUSED;
    jnode_t *n = J(ctx, &argtypes[0], &args[0], err);
    sql_array_t k;
    if (!n || sql_array_decode(ctx->arena, argtypes[1], &args[1], &k, err) != RDB_OK) return RDB_SQL;
    for (int i = 0; i < k.n; i++)
        if (!k.v[i].isnull && del_key(ctx, n, &k.v[i], err)) return RDB_SQL;
    return out_jsonb(ctx, n, res, err);
}
FN(op_minus_index)
{
    UNUSED;
    jnode_t *n = J(ctx, &argtypes[0], &args[0], err);
    if (!n) return RDB_SQL;
    if (n->t == J_OBJ) return rdb_err_set(err, RDB_SQL, "22023", "cannot delete from object using integer index");
    if (n->t != J_ARR) return rdb_err_set(err, RDB_SQL, "22023", "cannot delete from scalar");
    int64_t i = args[1].u.i;
    if (i < 0) i += n->n;
    if (i >= 0 && i < n->n) del_item(n, (int)i);
    return out_jsonb(ctx, n, res, err);
}

static rdb_status_t not_int(const sql_array_t *p, int i, rdb_err_t *err)
{
    return rdb_err_set(err, RDB_SQL, "22P02", "path element at position %d is not an integer: \"%.*s\"",
                       i + 1, (int)p->v[i].u.v.len, p->v[i].u.v.ptr);
}

/* Walk to the parent of the path's last step (*out NULL if a step is
 * missing); a step into an array must be an integer (22P02), as in PG's
 * setPath. */
static rdb_status_t parent_of(jnode_t *n, const sql_array_t *p, jnode_t **out, rdb_err_t *err)
{
    for (int i = 0; i + 1 < p->n && n; i++) {
        int64_t ix;
        if (n->t == J_ARR && !path_index(&p->v[i], &ix))
            return not_int(p, i, err);
        int k = step(n, &p->v[i]);
        n = k < 0 ? NULL : n->items[k];
    }
    int64_t ix;
    if (n && p->n && n->t == J_ARR && !path_index(&p->v[p->n - 1], &ix))
        return not_int(p, p->n - 1, err);
    *out = n;
    return RDB_OK;
}

FN(op_delete_path)
{
    UNUSED;
    jnode_t *n = J(ctx, &argtypes[0], &args[0], err);
    sql_array_t p;
    if (!n || sql_array_decode(ctx->arena, argtypes[1], &args[1], &p, err) != RDB_OK) return RDB_SQL;
    if (n->t != J_OBJ && n->t != J_ARR) return rdb_err_set(err, RDB_SQL, "22023", "cannot delete path in scalar");
    if (n->n == 0) {    /* PG returns an empty container untouched */
        *res = args[0];
        return RDB_OK;
    }
    jnode_t *par = NULL;
    if (p.n && parent_of(n, &p, &par, err) != RDB_OK) return RDB_SQL;
    if (par && (par->t == J_OBJ || par->t == J_ARR)) {
        int k = step(par, &p.v[p.n - 1]);
        if (k >= 0) del_item(par, k);
    }
    return out_jsonb(ctx, n, res, err);
}

/* jsonb_set (insert = false) and jsonb_insert (insert = true). */
static rdb_status_t set_path(sql_fn_ctx_t *ctx, int nargs, const sql_value_t *args,
                             const sql_type_t *argtypes, bool insert, sql_value_t *res, rdb_err_t *err)
{
    for (int i = 0; i < 3; i++)
        if (args[i].isnull) { *res = sql_null(); return RDB_OK; }
    bool flag = nargs > 3 ? (!args[3].isnull && args[3].u.b) : !insert;   /* create_missing / insert_after */
    jnode_t *n = J(ctx, &argtypes[0], &args[0], err);
    jnode_t *nv = n ? J(ctx, &argtypes[2], &args[2], err) : NULL;
    sql_array_t p;
    if (!nv || sql_array_decode(ctx->arena, argtypes[1], &args[1], &p, err) != RDB_OK) return RDB_SQL;
    if (n->t != J_OBJ && n->t != J_ARR)
        return rdb_err_set(err, RDB_SQL, "22023", "cannot set path in scalar");
    for (int i = 0; i < p.n; i++)
        if (p.v[i].isnull)
            return rdb_err_set(err, RDB_SQL, "22004", "path element at position %d is null", i + 1);
    if (n->n == 0 && !flag && !insert) {   /* jsonb_set on an empty container without create_missing */
        *res = args[0];
        return RDB_OK;
    }
    jnode_t *par = NULL;
    if (p.n && parent_of(n, &p, &par, err) != RDB_OK) return RDB_SQL;
    if (par && par->t == J_OBJ) {
        const sql_value_t *k = &p.v[p.n - 1];
        int at = find_key(par, k->u.v.ptr, k->u.v.len);
        if (insert && at >= 0) {
            rdb_err_set(err, RDB_SQL, "22023", "cannot replace existing key");
            rdb_err_hint(err, "Try using the function jsonb_set to replace key value.");
            return RDB_SQL;
        }
        if (at >= 0) par->items[at] = nv;
        else if (flag || insert) add_item(ctx, par, par->n, k->u.v.ptr, k->u.v.len, nv);
    } else if (par && par->t == J_ARR) {
        int64_t i;
        if (!path_index(&p.v[p.n - 1], &i)) {
            rdb_err_set(err, RDB_SQL, "22P02", "path element at position %d is not an integer: \"%.*s\"",
                        p.n, (int)p.v[p.n - 1].u.v.len, p.v[p.n - 1].u.v.ptr);
            return RDB_SQL;
        }
        if (i < 0) i += par->n;
        if (insert) {
            int64_t at = i < 0 ? 0 : i > par->n ? par->n : i + (flag && i < par->n ? 1 : 0);
            add_item(ctx, par, (int)at, NULL, 0, nv);
        } else if (i >= 0 && i < par->n) {
            par->items[i] = nv;
        } else if (flag) {
            add_item(ctx, par, i < 0 ? 0 : par->n, NULL, 0, nv);
        }
    }
    return out_jsonb(ctx, n, res, err);
}
FN(f_jsonb_set) { (void)rettype; return set_path(ctx, nargs, args, argtypes, false, res, err); }
FN(f_jsonb_insert) { (void)rettype; return set_path(ctx, nargs, args, argtypes, true, res, err); }

static const char *type_name(jtype_t t)
{
    switch (t) {
    case J_NULL: return "null";
    case J_TRUE: case J_FALSE: return "boolean";
    case J_NUM: return "number";
    case J_STR: return "string";
    case J_ARR: return "array";
    default: return "object";
    }
}
FN(f_typeof)
{
    UNUSED;
    jnode_t *n = J(ctx, &argtypes[0], &args[0], err);
    if (!n) return RDB_SQL;
    const char *s = type_name(n->t);
    *res = sql_bytes(s, (uint32_t)strlen(s));
    return RDB_OK;
}
FN(f_array_length)
{
    UNUSED;
    jnode_t *n = J(ctx, &argtypes[0], &args[0], err);
    if (!n) return RDB_SQL;
    if (n->t != J_ARR)
        return rdb_err_set(err, RDB_SQL, "22023", n->t == J_OBJ ? "cannot get array length of a non-array"
                                                                : "cannot get array length of a scalar");
    *res = sql_int(n->n);
    return RDB_OK;
}

static void strip(jnode_t *n)
{
    for (int i = n->n - 1; i >= 0; i--) {
        if (n->t == J_OBJ && n->items[i]->t == J_NULL) del_item(n, i);
        else strip(n->items[i]);
    }
}
FN(f_strip_nulls)
{
    UNUSED;
    jnode_t *n = J(ctx, &argtypes[0], &args[0], err);
    if (!n) return RDB_SQL;
    strip(n);
    if (argtypes[0].oid == JB) return out_jsonb(ctx, n, res, err);
    rdb_buf_t b = RDB_BUF_INIT;
    sqlt_json_write_compact(n, &b);
    *res = sql_bytes(rdb_arena_memdup(ctx->arena, b.data, b.len), (uint32_t)b.len);
    rdb_buf_free(&b);
    return RDB_OK;
}

FN(f_pretty)
{
    UNUSED;
    jnode_t *n = J(ctx, &argtypes[0], &args[0], err);
    if (!n) return RDB_SQL;
    rdb_buf_t b = RDB_BUF_INIT;
    sqlt_jsonb_pretty(n, &b);
    *res = sql_bytes(rdb_arena_memdup(ctx->arena, b.data, b.len), (uint32_t)b.len);
    rdb_buf_free(&b);
    return RDB_OK;
}

static rdb_status_t finish(sql_fn_ctx_t *ctx, rdb_buf_t *b, bool jsonb, sql_value_t *res, rdb_err_t *err)
{
    rdb_status_t rc = RDB_OK;
    if (jsonb) rc = sqlt_json_in(ctx->arena, JB, b->data, b->len, res, err);
    else *res = sql_bytes(rdb_arena_memdup(ctx->arena, b->data ? b->data : "", b->len), (uint32_t)b->len);
    rdb_buf_free(b);
    return rc;
}

FN(f_to_json)
{
    (void)nargs;
    rdb_buf_t b = RDB_BUF_INIT;
    sqlt_json_from_value(ctx->settings, argtypes[0], &args[0], &b);
    return finish(ctx, &b, rettype.oid == JB, res, err);
}

FN(f_build_array)
{
    rdb_buf_t b = RDB_BUF_INIT;
    rdb_buf_append_u8(&b, '[');
    for (int i = 0; i < nargs; i++) {
        if (i) rdb_buf_append_str(&b, ", ");
        sqlt_json_from_value(ctx->settings, argtypes[i], &args[i], &b);
    }
    rdb_buf_append_u8(&b, ']');
    return finish(ctx, &b, rettype.oid == JB, res, err);
}

FN(f_build_object)
{
    if (nargs % 2) {
        rdb_err_set(err, RDB_SQL, "22023", "argument list must have even number of elements");
        rdb_err_hint(err, "The arguments of %s() must consist of alternating keys and values.",
                     rettype.oid == JB ? "jsonb_build_object" : "json_build_object");
        return RDB_SQL;
    }
    rdb_buf_t b = RDB_BUF_INIT;
    rdb_buf_append_u8(&b, '{');
    for (int i = 0; i < nargs; i += 2) {
        if (args[i].isnull) {
            rdb_buf_free(&b);
            rdb_err_set(err, RDB_SQL, "22004", "argument %d cannot be null", i + 1);
            rdb_err_hint(err, "Object keys should be text.");
            return RDB_SQL;
        }
        if (i) rdb_buf_append_str(&b, ", ");
        sqlt_json_key(ctx->settings, argtypes[i], &args[i], &b);
        rdb_buf_append_str(&b, " : ");
        sqlt_json_from_value(ctx->settings, argtypes[i + 1], &args[i + 1], &b);
    }
    rdb_buf_append_u8(&b, '}');
    return finish(ctx, &b, rettype.oid == JB, res, err);
}

rdb_status_t sqlt_jsonb_cast(sql_fn_ctx_t *ctx, const sql_value_t *in, sql_type_t to,
                             sql_value_t *out, rdb_err_t *err)
{
    jnode_t *n = sqlt_json_tree(ctx->arena, JB, in, err);
    if (!n) return RDB_SQL;
    /* a scalar inside a one-element array, as PG's raw scalars */
    bool want_bool = to.oid == BO;
    if ((want_bool && n->t != J_TRUE && n->t != J_FALSE) || (!want_bool && n->t != J_NUM))
        return rdb_err_set(err, RDB_SQL, "22023", "cannot cast jsonb %s to type %s", type_name(n->t),
                           sqlt_sql_name(to.oid));
    if (want_bool) { *out = sql_bool(n->t == J_TRUE); return RDB_OK; }
    sql_value_t num;
    if (sqlt_numeric_in(ctx->arena, n->s, n->len, &num, err) != RDB_OK) return RDB_SQL;
    return sqlt_cast_value(ctx, (sql_type_t){ SQL_OID_NUMERIC, -1 }, to, true, &num, out, err);
}

const fdef_t sqlt_json_ops[] = {
    { "#>", 2, { JB, TA }, JB, op_path, 0 }, { "#>", 2, { JS, TA }, JS, op_path, 0 },
    { "#>>", 2, { JB, TA }, TX, op_path_text, 0 }, { "#>>", 2, { JS, TA }, TX, op_path_text, 0 },
    { "@>", 2, { JB, JB }, BO, op_contains, 0 }, { "<@", 2, { JB, JB }, BO, op_contained, 0 },
    { "?", 2, { JB, TX }, BO, op_exists, 0 }, { "?|", 2, { JB, TA }, BO, op_exists_any, 0 },
    { "?&", 2, { JB, TA }, BO, op_exists_all, 0 },
    { "||", 2, { JB, JB }, JB, op_concat, 0 },
    { "-", 2, { JB, TX }, JB, op_minus_key, 0 }, { "-", 2, { JB, I4 }, JB, op_minus_index, 0 },
    { "-", 2, { JB, TA }, JB, op_minus_keys, 0 }, { "#-", 2, { JB, TA }, JB, op_delete_path, 0 },
    { "=", 2, { JB, JB }, BO, op_eq, 0 }, { "<>", 2, { JB, JB }, BO, op_ne, 0 },
    { "<", 2, { JB, JB }, BO, op_lt, 0 }, { "<=", 2, { JB, JB }, BO, op_le, 0 },
    { ">", 2, { JB, JB }, BO, op_gt, 0 }, { ">=", 2, { JB, JB }, BO, op_ge, 0 },
};
const size_t sqlt_json_nops = sizeof sqlt_json_ops / sizeof sqlt_json_ops[0];

const fdef_t sqlt_json_funcs[] = {
    { "jsonb_set", 3, { JB, TA, JB }, JB, f_jsonb_set, F_NONSTRICT },
    { "jsonb_set", 4, { JB, TA, JB, BO }, JB, f_jsonb_set, F_NONSTRICT },
    { "jsonb_insert", 3, { JB, TA, JB }, JB, f_jsonb_insert, F_NONSTRICT },
    { "jsonb_insert", 4, { JB, TA, JB, BO }, JB, f_jsonb_insert, F_NONSTRICT },
    { "jsonb_typeof", 1, { JB }, TX, f_typeof, 0 }, { "json_typeof", 1, { JS }, TX, f_typeof, 0 },
    { "jsonb_array_length", 1, { JB }, I4, f_array_length, 0 },
    { "json_array_length", 1, { JS }, I4, f_array_length, 0 },
    { "jsonb_strip_nulls", 1, { JB }, JB, f_strip_nulls, 0 },
    { "json_strip_nulls", 1, { JS }, JS, f_strip_nulls, 0 },
    { "jsonb_pretty", 1, { JB }, TX, f_pretty, 0 },
    { "to_json", 1, { SQL_OID_ANYELEMENT }, JS, f_to_json, 0 },
    { "array_to_json", 1, { SQL_OID_ANYARRAY }, JS, f_to_json, 0 },
    { "jsonb_extract_path", 2, { JB, TX }, JB, f_extract_path, F_VARIADIC | F_NONSTRICT },
    { "json_extract_path", 2, { JS, TX }, JS, f_extract_path, F_VARIADIC | F_NONSTRICT },
    { "jsonb_extract_path_text", 2, { JB, TX }, TX, f_extract_path_text, F_VARIADIC | F_NONSTRICT },
    { "json_extract_path_text", 2, { JS, TX }, TX, f_extract_path_text, F_VARIADIC | F_NONSTRICT },
    { "to_jsonb", 1, { SQL_OID_ANYELEMENT }, JB, f_to_json, 0 },
    { "json_build_array", 1, { SQL_OID_ANY }, JS, f_build_array, F_VARIADIC | F_NONSTRICT },
    { "json_build_array", 0, { 0 }, JS, f_build_array, F_NONSTRICT },
    { "jsonb_build_array", 1, { SQL_OID_ANY }, JB, f_build_array, F_VARIADIC | F_NONSTRICT },
    { "jsonb_build_array", 0, { 0 }, JB, f_build_array, F_NONSTRICT },
    { "json_build_object", 1, { SQL_OID_ANY }, JS, f_build_object, F_VARIADIC | F_NONSTRICT },
    { "json_build_object", 0, { 0 }, JS, f_build_object, F_NONSTRICT },
    { "jsonb_build_object", 1, { SQL_OID_ANY }, JB, f_build_object, F_VARIADIC | F_NONSTRICT },
    { "jsonb_build_object", 0, { 0 }, JB, f_build_object, F_NONSTRICT },
};
const size_t sqlt_json_nfuncs = sizeof sqlt_json_funcs / sizeof sqlt_json_funcs[0];
