/*
 * fn_string.c — string and bytea functions beyond funcs.c's basics:
 * bytea || / encode / decode / get_byte / substring, convert_from/to,
 * translate, quote_*, format, overlay, bit_length, like_escape, and the
 * regular-expression functions (regexp_replace, substring FROM pattern)
 * with PostgreSQL's flags and error messages.
 *
 * Regular expressions: PG's are Spencer's ARE; here they run on glibc's
 * POSIX ERE (leftmost-longest, as ARE mostly is) after sqlt_regex_compile
 * rewrites the ARE escapes ERE lacks (\d \D, class shorthands inside
 * brackets, \t \n ...).  Back-references in patterns and lookahead are
 * not supported.
 */
#include <ctype.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sql/array.h"
#include "sql/regexp.h"
#include "sql/types/fn_reg.h"

/* ---- regular expressions ------------------------------------------- */

static const char *re_msg(int rc)
{
    switch (rc) {
    case REG_EPAREN: return "parentheses () not balanced";
    case REG_EBRACK: return "brackets [] not balanced";
    case REG_EBRACE: return "braces {} not balanced";
    case REG_BADRPT: return "quantifier operand invalid";
    case REG_EESCAPE: return "invalid escape \\ sequence";
    case REG_ESUBREG: return "invalid backreference number";
    case REG_ERANGE: return "invalid character range";
    case REG_ECTYPE: return "invalid character class";
    case REG_BADBR: return "invalid repetition count(s)";
    case REG_ESPACE: return "out of memory";
    default: return "invalid regular expression";
    }
}

rdb_status_t sqlt_regex_compile(rdb_arena_t *a, const char *p, size_t n, bool icase, bool nosub,
                                regex_t *re, rdb_err_t *err)
{
    rdb_buf_t b;
    rdb_buf_init(&b, n * 2 + 8);
    bool br = false;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (br) {
            if (c == ']' && !(i > 0 && (p[i - 1] == '[' || (p[i - 1] == '^' && i > 1 && p[i - 2] == '[')))) br = false;
            if (c == '[' && i + 1 < n && p[i + 1] == ':') { /* [:class:] */
                const char *e = strstr(p + i, ":]");
                size_t k = e ? (size_t)(e - p) + 2 : n;
                rdb_buf_append(&b, p + i, k - i);
                i = k - 1;
                continue;
            }
            if (c == '\\' && i + 1 < n) {
                char d = p[++i];
                switch (d) {
                case 'd': rdb_buf_append_str(&b, "0-9"); break;
                case 's': rdb_buf_append_str(&b, "[:space:]"); break;
                case 'w': rdb_buf_append_str(&b, "[:alnum:]_"); break;
                case 't': rdb_buf_append_u8(&b, '\t'); break;
                case 'n': rdb_buf_append_u8(&b, '\n'); break;
                case 'r': rdb_buf_append_u8(&b, '\r'); break;
                default: rdb_buf_append_u8(&b, (uint8_t)d); break;
                }
                continue;
            }
            rdb_buf_append_u8(&b, (uint8_t)c);
            continue;
        }
        if (c == '[') {
            br = true;
            rdb_buf_append_u8(&b, '[');
            if (i + 1 < n && p[i + 1] == '^') { rdb_buf_append_u8(&b, '^'); i++; }
            if (i + 1 < n && p[i + 1] == ']') { rdb_buf_append_u8(&b, ']'); i++; }
            continue;
        }
        if (c == '\\' && i + 1 < n) {
            char d = p[++i];
            switch (d) {
            case 'd': rdb_buf_append_str(&b, "[0-9]"); break;
            case 'D': rdb_buf_append_str(&b, "[^0-9]"); break;
            case 's': rdb_buf_append_str(&b, "[[:space:]]"); break;
            case 'S': rdb_buf_append_str(&b, "[^[:space:]]"); break;
            case 'w': rdb_buf_append_str(&b, "[[:alnum:]_]"); break;
            case 'W': rdb_buf_append_str(&b, "[^[:alnum:]_]"); break;
            case 'y': rdb_buf_append_str(&b, "\\b"); break;
            case 'm': rdb_buf_append_str(&b, "\\<"); break;
            case 'M': rdb_buf_append_str(&b, "\\>"); break;
            case 'A': rdb_buf_append_u8(&b, '^'); break;
            case 'Z': rdb_buf_append_u8(&b, '$'); break;
            case 't': rdb_buf_append_u8(&b, '\t'); break;
            case 'n': rdb_buf_append_u8(&b, '\n'); break;
            case 'r': rdb_buf_append_u8(&b, '\r'); break;
            default:
                rdb_buf_append_u8(&b, '\\');
                rdb_buf_append_u8(&b, (uint8_t)d);
                break;
            }
            continue;
        }
        rdb_buf_append_u8(&b, (uint8_t)c);
    }
    char *pat = rdb_arena_strndup(a, b.data, b.len);
    rdb_buf_free(&b);
    int rc = regcomp(re, pat, REG_EXTENDED | (nosub ? REG_NOSUB : 0) | (icase ? REG_ICASE : 0));
    if (rc) return rdb_err_set(err, RDB_SQL, "2201B", "invalid regular expression: %s", re_msg(rc));
    return RDB_OK;
}

typedef struct { bool g, i; } re_flags_t;

static rdb_status_t re_flags(const sql_value_t *f, re_flags_t *out, rdb_err_t *err)
{
    out->g = out->i = false;
    if (!f) return RDB_OK;
    for (uint32_t k = 0; k < f->u.v.len; k++) {
        switch (f->u.v.ptr[k]) {
        case 'g': out->g = true; break;
        case 'i': out->i = true; break;
        case 'c': out->i = false; break;
        case 'n': case 'p': case 'w': case 's': case 't': case 'x': case 'e': case 'b': case 'q': break;
        default:
            return rdb_err_set(err, RDB_SQL, "22023", "invalid regular expression option: \"%c\"", f->u.v.ptr[k]);
        }
    }
    return RDB_OK;
}

FN(f_regexp_replace)
{
    UNUSED_FN_ARGS;
    re_flags_t fl;
    if (re_flags(nargs > 3 ? &args[3] : NULL, &fl, err) != RDB_OK) return RDB_SQL;
    regex_t re;
    if (sqlt_regex_compile(ctx->arena, TXT(A1), fl.i, false, &re, err) != RDB_OK) return RDB_SQL;
    char *s = rdb_arena_strndup(ctx->arena, TXT(A0));
    size_t n = A0.u.v.len, pos = 0;
    const char *rep = A2.u.v.ptr;
    size_t rn = A2.u.v.len;
    rdb_buf_t b;
    rdb_buf_init(&b, n + 16);
    regmatch_t m[10];
    while (pos <= n) {
        if (regexec(&re, s + pos, 10, m, pos ? REG_NOTBOL : 0) != 0) break;
        rdb_buf_append(&b, s + pos, (size_t)m[0].rm_so);
        for (size_t k = 0; k < rn; k++) {
            if (rep[k] == '\\' && k + 1 < rn) {
                char d = rep[k + 1];
                if (d >= '1' && d <= '9') {
                    int g = d - '0';
                    if ((size_t)g <= re.re_nsub && m[g].rm_so >= 0)
                        rdb_buf_append(&b, s + pos + m[g].rm_so, (size_t)(m[g].rm_eo - m[g].rm_so));
                    k++;
                    continue;
                }
                if (d == '&') { rdb_buf_append(&b, s + pos + m[0].rm_so, (size_t)(m[0].rm_eo - m[0].rm_so)); k++; continue; }
                if (d == '\\') { rdb_buf_append_u8(&b, '\\'); k++; continue; }
            }
            rdb_buf_append_u8(&b, (uint8_t)rep[k]);
        }
        size_t adv = (size_t)m[0].rm_eo;
        if (m[0].rm_eo == m[0].rm_so) { /* empty match: copy one character and move on */
            if (pos + adv < n) rdb_buf_append_u8(&b, (uint8_t)s[pos + adv]);
            adv++;
        }
        pos += adv;
        if (!fl.g) break;
    }
    if (pos < n) rdb_buf_append(&b, s + pos, n - pos);
    regfree(&re);
    *res = sqlt_text_result(ctx->arena, b.data, b.len);
    rdb_buf_free(&b);
    return RDB_OK;
}

/* substring(text FROM pattern): the first parenthesized subexpression's
 * match, or the whole match; NULL when nothing matches. */
FN(f_substring_re)
{
    UNUSED_FN_ARGS;
    regex_t re;
    if (sqlt_regex_compile(ctx->arena, TXT(A1), false, false, &re, err) != RDB_OK) return RDB_SQL;
    char *s = rdb_arena_strndup(ctx->arena, TXT(A0));
    regmatch_t m[2];
    int rc = regexec(&re, s, 2, m, 0);
    size_t nsub = re.re_nsub;
    regfree(&re);
    if (rc != 0) { *res = sql_null(); return RDB_OK; }
    int g = nsub > 0 ? 1 : 0;
    if (m[g].rm_so < 0) { *res = sql_null(); return RDB_OK; }
    *res = sql_bytes(A0.u.v.ptr + m[g].rm_so, (uint32_t)(m[g].rm_eo - m[g].rm_so));
    return RDB_OK;
}

FN(f_regexp_like)
{
    UNUSED_FN_ARGS;
    re_flags_t fl;
    if (re_flags(nargs > 2 ? &A2 : NULL, &fl, err) != RDB_OK) return RDB_SQL;
    regex_t re;
    if (sqlt_regex_compile(ctx->arena, TXT(A1), fl.i, true, &re, err) != RDB_OK) return RDB_SQL;
    char *s = rdb_arena_strndup(ctx->arena, TXT(A0));
    *res = sql_bool(regexec(&re, s, 0, NULL, 0) == 0);
    regfree(&re);
    return RDB_OK;
}

FN(f_regexp_count)
{
    UNUSED_FN_ARGS;
    regex_t re;
    if (sqlt_regex_compile(ctx->arena, TXT(A1), false, false, &re, err) != RDB_OK) return RDB_SQL;
    char *s = rdb_arena_strndup(ctx->arena, TXT(A0));
    size_t n = A0.u.v.len, pos = 0;
    int64_t cnt = 0;
    regmatch_t m[1];
    while (pos <= n && regexec(&re, s + pos, 1, m, pos ? REG_NOTBOL : 0) == 0) {
        cnt++;
        pos += (size_t)(m[0].rm_eo > m[0].rm_so ? m[0].rm_eo : m[0].rm_eo + 1);
    }
    regfree(&re);
    *res = sql_int(cnt);
    return RDB_OK;
}

#define RE_MAXSUB 10

/* Every match of p in s (only the first without 'g'); each calls back with
 * the match vector (offsets into s). */
typedef rdb_status_t (*re_each_fn)(void *u, const char *s, const regmatch_t *m, size_t nsub, rdb_err_t *err);

static rdb_status_t re_each(rdb_arena_t *a, const sql_value_t *sv, const sql_value_t *pv, const sql_value_t *fv,
                            bool force_g, re_each_fn fn, void *u, rdb_err_t *err)
{
    re_flags_t fl;
    if (re_flags(fv, &fl, err) != RDB_OK) return RDB_SQL;
    regex_t re;
    if (sqlt_regex_compile(a, TXT(*pv), fl.i, false, &re, err) != RDB_OK) return RDB_SQL;
    char *s = rdb_arena_strndup(a, TXT(*sv));
    size_t n = sv->u.v.len, pos = 0;
    regmatch_t m[RE_MAXSUB];
    rdb_status_t st = RDB_OK;
    while (pos <= n && regexec(&re, s + pos, RE_MAXSUB, m, pos ? REG_NOTBOL : 0) == 0) {
        for (int k = 0; k < RE_MAXSUB; k++)
            if (m[k].rm_so >= 0) { m[k].rm_so += (regoff_t)pos; m[k].rm_eo += (regoff_t)pos; }
        if ((st = fn(u, s, m, re.re_nsub < RE_MAXSUB ? re.re_nsub : RE_MAXSUB - 1, err)) != RDB_OK) break;
        if (!fl.g && !force_g) break;
        pos = (size_t)(m[0].rm_eo > m[0].rm_so ? m[0].rm_eo : m[0].rm_eo + 1);
    }
    regfree(&re);
    return st;
}

typedef struct { rdb_arena_t *a; int n, cap; sql_value_t *rows; } re_rows_t;

static void rows_add(re_rows_t *r, sql_value_t v)
{
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 8;
        r->rows = rdb_arena_grow(r->a, r->rows, (size_t)r->n, (size_t)r->cap, sizeof(sql_value_t));
    }
    r->rows[r->n++] = v;
}

/* The match as PG's regexp_match returns it: the groups, else the whole match. */
static rdb_status_t match_array(void *u, const char *s, const regmatch_t *m, size_t nsub, rdb_err_t *err)
{
    (void)err;
    re_rows_t *r = u;
    sql_value_t el[RE_MAXSUB];
    int ne = 0;
    for (size_t k = nsub ? 1 : 0; k <= nsub; k++)
        el[ne++] = m[k].rm_so < 0 ? sql_null()
                 : sqlt_text_result(r->a, s + m[k].rm_so, (size_t)(m[k].rm_eo - m[k].rm_so));
    rows_add(r, sql_array_encode(r->a, (sql_type_t){ SQL_OID_TEXT, -1 }, 1, ne, el));
    return RDB_OK;
}

typedef struct { re_rows_t *r; const char *base; size_t len, last; } re_split_t;

static rdb_status_t split_piece(void *u, const char *s, const regmatch_t *m, size_t nsub, rdb_err_t *err)
{
    (void)s; (void)nsub; (void)err;
    re_split_t *sp = u;
    size_t so = (size_t)m[0].rm_so, eo = (size_t)m[0].rm_eo;
    /* zero-length matches at the start, the end or right after a match split nothing */
    if (so == eo && (so == 0 || so >= sp->len || so == sp->last)) return RDB_OK;
    rows_add(sp->r, sqlt_text_result(sp->r->a, sp->base + sp->last, so - sp->last));
    sp->last = eo;
    return RDB_OK;
}

rdb_status_t sql_regexp_rows(rdb_arena_t *a, sql_regexp_srf_t what, int nargs, const sql_value_t *args,
                             int *n, sql_value_t **rows, rdb_err_t *err)
{
    re_rows_t r = { a, 0, 0, NULL };
    const sql_value_t *fv = nargs > 2 ? &args[2] : NULL;
    if (what == SQL_REGEXP_MATCHES) {
        if (re_each(a, &args[0], &args[1], fv, false, match_array, &r, err) != RDB_OK) return RDB_SQL;
    } else {
        re_split_t sp = { &r, args[0].u.v.ptr, args[0].u.v.len, 0 };
        if (re_each(a, &args[0], &args[1], fv, true, split_piece, &sp, err) != RDB_OK) return RDB_SQL;
        rows_add(&r, sqlt_text_result(a, sp.base + sp.last, sp.len - sp.last));
    }
    *n = r.n;
    *rows = r.rows;
    return RDB_OK;
}

FN(f_regexp_match)
{
    UNUSED_FN_ARGS;
    if (nargs > 2 && memchr(A2.u.v.ptr, 'g', A2.u.v.len)) {
        rdb_err_set(err, RDB_SQL, "22023", "regexp_match() does not support the \"global\" option");
        rdb_err_hint(err, "Use the regexp_matches function instead.");
        return RDB_SQL;
    }
    int n;
    sql_value_t *rows;
    if (sql_regexp_rows(ctx->arena, SQL_REGEXP_MATCHES, nargs, args, &n, &rows, err) != RDB_OK) return RDB_SQL;
    *res = n ? rows[0] : sql_null();
    return RDB_OK;
}
FN(f_regexp_split_to_array)
{
    UNUSED_FN_ARGS;
    int n;
    sql_value_t *rows;
    if (sql_regexp_rows(ctx->arena, SQL_REGEXP_SPLIT, nargs, args, &n, &rows, err) != RDB_OK) return RDB_SQL;
    *res = sql_array_encode(ctx->arena, (sql_type_t){ SQL_OID_TEXT, -1 }, 1, n, rows);
    return RDB_OK;
}

/* x LIKE p ESCAPE e: rewrite p to use backslash as its escape. */
FN(f_like_escape)
{
    UNUSED_FN_ARGS;
    const char *p = A0.u.v.ptr;
    uint32_t n = A0.u.v.len;
    if (A1.u.v.len > 1) return rdb_err_set(err, RDB_SQL, "22025", "invalid escape string");
    rdb_buf_t b;
    rdb_buf_init(&b, n * 2 + 1);
    if (A1.u.v.len == 0) { /* no escape character: backslashes are literal */
        for (uint32_t i = 0; i < n; i++) {
            if (p[i] == '\\') rdb_buf_append_u8(&b, '\\');
            rdb_buf_append_u8(&b, (uint8_t)p[i]);
        }
    } else {
        char e = A1.u.v.ptr[0];
        for (uint32_t i = 0; i < n; i++) {
            if (p[i] == e) {
                if (i + 1 >= n) {
                    rdb_buf_free(&b);
                    return rdb_err_set(err, RDB_SQL, "22025", "LIKE pattern must not end with escape character");
                }
                rdb_buf_append_u8(&b, '\\');
                rdb_buf_append_u8(&b, (uint8_t)p[++i]);
            } else if (p[i] == '\\') {
                rdb_buf_append_str(&b, "\\\\");
            } else {
                rdb_buf_append_u8(&b, (uint8_t)p[i]);
            }
        }
    }
    *res = sqlt_text_result(ctx->arena, b.data, b.len);
    rdb_buf_free(&b);
    return RDB_OK;
}

/* ---- text ----------------------------------------------------------- */

static size_t u8next(const char *s, size_t n, size_t i)
{
    i++;
    while (i < n && ((unsigned char)s[i] & 0xC0) == 0x80) i++;
    return i;
}

FN(f_bp_octet_length) { UNUSED_FN_ARGS; *res = sql_int((int64_t)A0.u.v.len); return RDB_OK; }
FN(f_bit_length) { UNUSED_FN_ARGS; *res = sql_int((int64_t)A0.u.v.len * 8); return RDB_OK; }

FN(f_translate)
{
    UNUSED_FN_ARGS;
    const char *s = A0.u.v.ptr, *f = A1.u.v.ptr, *t = A2.u.v.ptr;
    size_t sn = A0.u.v.len, fn = A1.u.v.len, tn = A2.u.v.len;
    rdb_buf_t b;
    rdb_buf_init(&b, sn + 1);
    for (size_t i = 0; i < sn;) {
        size_t j = u8next(s, sn, i);
        /* find the character in 'from', by index */
        size_t k = 0, idx = 0;
        bool found = false;
        while (k < fn) {
            size_t k2 = u8next(f, fn, k);
            if (k2 - k == j - i && memcmp(f + k, s + i, j - i) == 0) { found = true; break; }
            k = k2;
            idx++;
        }
        if (!found) rdb_buf_append(&b, s + i, j - i);
        else {
            size_t q = 0, qi = 0;
            while (q < tn && qi < idx) { q = u8next(t, tn, q); qi++; }
            if (q < tn) rdb_buf_append(&b, t + q, u8next(t, tn, q) - q);
        }
        i = j;
    }
    *res = sqlt_text_result(ctx->arena, b.data, b.len);
    rdb_buf_free(&b);
    return RDB_OK;
}

static bool ident_needs_quotes(const char *s, size_t n)
{
    static const char *const kw[] = { "all", "and", "any", "array", "as", "asc", "between", "case", "cast", "check",
                                      "collate", "column", "constraint", "create", "default", "desc", "distinct", "do",
                                      "else", "end", "false", "for", "foreign", "from", "grant", "group", "having", "in",
                                      "into", "is", "join", "limit", "not", "null", "offset", "on", "or", "order",
                                      "primary", "references", "select", "table", "then", "to", "true", "union", "unique",
                                      "user", "using", "when", "where", "with" };
    if (n == 0) return true;
    if (!(islower((unsigned char)s[0]) || s[0] == '_' || (unsigned char)s[0] >= 0x80)) return true;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!(islower(c) || isdigit(c) || c == '_' || c >= 0x80)) return true;
    }
    for (size_t i = 0; i < sizeof kw / sizeof kw[0]; i++)
        if (strlen(kw[i]) == n && memcmp(kw[i], s, n) == 0) return true;
    return false;
}
void sql_quote_ident(rdb_buf_t *b, const char *s, size_t n)
{
    if (!ident_needs_quotes(s, n)) { rdb_buf_append(b, s, n); return; }
    rdb_buf_append_u8(b, '"');
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"') rdb_buf_append_u8(b, '"');
        rdb_buf_append_u8(b, (uint8_t)s[i]);
    }
    rdb_buf_append_u8(b, '"');
}
static void quote_literal(rdb_buf_t *b, const char *s, size_t n)
{
    if (memchr(s, '\\', n)) rdb_buf_append_u8(b, 'E');
    rdb_buf_append_u8(b, '\'');
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\'' || s[i] == '\\') rdb_buf_append_u8(b, (uint8_t)s[i]);
        rdb_buf_append_u8(b, (uint8_t)s[i]);
    }
    rdb_buf_append_u8(b, '\'');
}
FN(f_quote_ident)
{
    UNUSED_FN_ARGS;
    rdb_buf_t b;
    rdb_buf_init(&b, A0.u.v.len + 4);
    sql_quote_ident(&b, TXT(A0));
    *res = sqlt_text_result(ctx->arena, b.data, b.len);
    rdb_buf_free(&b);
    return RDB_OK;
}
FN(f_quote_literal)
{
    UNUSED_FN_ARGS;
    if (A0.isnull) { *res = nargs < 0 ? sql_null() : sqlt_text_result(ctx->arena, "NULL", 4); return RDB_OK; }
    rdb_buf_t b, v;
    rdb_buf_init(&b, 64);
    rdb_buf_init(&v, 64);
    sql_value_out(ctx->settings, argtypes[0], &A0, &v);
    quote_literal(&b, v.data, v.len);
    *res = sqlt_text_result(ctx->arena, b.data, b.len);
    rdb_buf_free(&b);
    rdb_buf_free(&v);
    return RDB_OK;
}
FN(f_quote_literal_strict)
{
    if (A0.isnull) { *res = sql_null(); return RDB_OK; }
    return f_quote_literal(ctx, nargs, args, argtypes, rettype, res, err);
}

/* format(fmt, args...): %s %I %L %%, with n$ positions and [-]width / *. */
FN(f_format)
{
    UNUSED_FN_ARGS;
    if (A0.isnull) { *res = sql_null(); return RDB_OK; }
    const char *f = A0.u.v.ptr;
    size_t n = A0.u.v.len;
    rdb_buf_t b, v;
    rdb_buf_init(&b, n + 32);
    rdb_buf_init(&v, 32);
    int next = 1;
    rdb_status_t st = RDB_OK;
    for (size_t i = 0; i < n; i++) {
        if (f[i] != '%') { rdb_buf_append_u8(&b, (uint8_t)f[i]); continue; }
        if (++i >= n) { st = rdb_err_set(err, RDB_SQL, "22023", "unterminated format() type specifier"); goto done; }
        if (f[i] == '%') { rdb_buf_append_u8(&b, '%'); continue; }
        int argn = 0, width = 0;
        bool left = false, haveW = false;
        /* n$ */
        size_t k = i;
        int num = 0;
        while (k < n && isdigit((unsigned char)f[k])) num = num * 10 + (f[k++] - '0');
        if (k < n && f[k] == '$' && k > i) { argn = num; i = k + 1; }
        if (i < n && f[i] == '-') { left = true; i++; }
        if (i < n && f[i] == '*') {
            i++;
            int wa = next++;
            if (wa >= nargs) { st = rdb_err_set(err, RDB_SQL, "22023", "too few arguments for format()"); goto done; }
            if (!args[wa].isnull) {
                rdb_buf_reset(&v);
                sql_value_out(ctx->settings, argtypes[wa], &args[wa], &v);
                width = atoi(rdb_arena_strndup(ctx->arena, v.data, v.len));
                if (width < 0) { left = true; width = -width; }
            }
            haveW = true;
        } else {
            while (i < n && isdigit((unsigned char)f[i])) { width = width * 10 + (f[i++] - '0'); haveW = true; }
        }
        if (i >= n) { st = rdb_err_set(err, RDB_SQL, "22023", "unterminated format() type specifier"); goto done; }
        char conv = f[i];
        if (conv != 's' && conv != 'I' && conv != 'L') {
            st = rdb_err_set(err, RDB_SQL, "22023", "unrecognized format() type specifier \"%c\"", conv);
            rdb_err_hint(err, "For a single \"%%\" use \"%%%%\".");
            goto done;
        }
        if (!argn) argn = next++;
        else next = argn + 1;
        if (argn >= nargs) { st = rdb_err_set(err, RDB_SQL, "22023", "too few arguments for format()"); goto done; }
        const sql_value_t *a = &args[argn];
        rdb_buf_t piece;
        rdb_buf_init(&piece, 32);
        rdb_buf_reset(&v);
        if (!a->isnull) sql_value_out(ctx->settings, argtypes[argn], a, &v);
        if (conv == 's') rdb_buf_append(&piece, v.data, v.len);
        else if (conv == 'I') {
            if (a->isnull) {
                rdb_buf_free(&piece);
                st = rdb_err_set(err, RDB_SQL, "22004", "null values cannot be formatted as an SQL identifier");
                goto done;
            }
            sql_quote_ident(&piece, v.data, v.len);
        } else {
            if (a->isnull) rdb_buf_append_str(&piece, "NULL");
            else quote_literal(&piece, v.data, v.len);
        }
        size_t chars = 0;
        for (size_t q = 0; q < piece.len; q++) chars += ((unsigned char)piece.data[q] & 0xC0) != 0x80;
        if (haveW && !left) for (size_t q = chars; q < (size_t)width; q++) rdb_buf_append_u8(&b, ' ');
        rdb_buf_append(&b, piece.data, piece.len);
        if (haveW && left) for (size_t q = chars; q < (size_t)width; q++) rdb_buf_append_u8(&b, ' ');
        rdb_buf_free(&piece);
    }
    *res = sqlt_text_result(ctx->arena, b.data, b.len);
done:
    rdb_buf_free(&b);
    rdb_buf_free(&v);
    return st;
}

FN(f_overlay)
{
    UNUSED_FN_ARGS;
    const char *s = A0.u.v.ptr;
    size_t n = A0.u.v.len;
    int64_t from = A2.u.i;
    int64_t cnt = nargs > 3 ? args[3].u.i : 0;
    if (nargs <= 3) { /* length of the placing string, in characters */
        for (uint32_t i = 0; i < A1.u.v.len; i++) cnt += ((unsigned char)A1.u.v.ptr[i] & 0xC0) != 0x80;
    }
    if (from < 1) return rdb_err_set(err, RDB_SQL, "22011", "negative substring length not allowed");
    if (cnt < 0) return rdb_err_set(err, RDB_SQL, "22011", "negative substring length not allowed");
    bool bytes = argtypes[0].oid == SQL_OID_BYTEA;
    size_t b1 = 0;
    for (int64_t c = 1; c < from && b1 < n; c++) b1 = bytes ? b1 + 1 : u8next(s, n, b1);
    size_t b2 = b1;
    for (int64_t c = 0; c < cnt && b2 < n; c++) b2 = bytes ? b2 + 1 : u8next(s, n, b2);
    rdb_buf_t b;
    rdb_buf_init(&b, n + A1.u.v.len + 1);
    rdb_buf_append(&b, s, b1);
    rdb_buf_append(&b, A1.u.v.ptr, A1.u.v.len);
    rdb_buf_append(&b, s + b2, n - b2);
    *res = sqlt_text_result(ctx->arena, b.data, b.len);
    rdb_buf_free(&b);
    return RDB_OK;
}

FN(f_ascii_u8)
{
    UNUSED_FN_ARGS;
    const unsigned char *p = (const unsigned char *)A0.u.v.ptr;
    uint32_t n = A0.u.v.len;
    int64_t c = 0;
    if (n == 0) c = 0;
    else if (p[0] < 0x80) c = p[0];
    else if ((p[0] & 0xE0) == 0xC0 && n >= 2) c = ((p[0] & 0x1F) << 6) | (p[1] & 0x3F);
    else if ((p[0] & 0xF0) == 0xE0 && n >= 3) c = ((p[0] & 0x0F) << 12) | ((p[1] & 0x3F) << 6) | (p[2] & 0x3F);
    else if (n >= 4) c = ((int64_t)(p[0] & 0x07) << 18) | ((p[1] & 0x3F) << 12) | ((p[2] & 0x3F) << 6) | (p[3] & 0x3F);
    *res = sql_int(c);
    return RDB_OK;
}

/* ---- bytea ---------------------------------------------------------- */

FN(f_bytea_cat)
{
    UNUSED_FN_ARGS;
    size_t n = (size_t)A0.u.v.len + A1.u.v.len;
    char *d = rdb_arena_alloc(ctx->arena, n ? n : 1);
    memcpy(d, A0.u.v.ptr, A0.u.v.len);
    memcpy(d + A0.u.v.len, A1.u.v.ptr, A1.u.v.len);
    *res = sql_bytes(d, (uint32_t)n);
    return RDB_OK;
}

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static bool fmt_is(const sql_value_t *f, const char *name)
{
    return f->u.v.len == strlen(name) && strncasecmp(f->u.v.ptr, name, f->u.v.len) == 0;
}

FN(f_encode)
{
    UNUSED_FN_ARGS;
    const unsigned char *p = (const unsigned char *)A0.u.v.ptr;
    uint32_t n = A0.u.v.len;
    rdb_buf_t b;
    rdb_buf_init(&b, n * 2 + 4);
    if (fmt_is(&A1, "hex")) {
        for (uint32_t i = 0; i < n; i++) rdb_buf_printf(&b, "%02x", p[i]);
    } else if (fmt_is(&A1, "base64")) {
        int line = 0;
        for (uint32_t i = 0; i < n; i += 3) {
            uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0) | (i + 2 < n ? p[i + 2] : 0);
            if (line >= 76) { rdb_buf_append_u8(&b, '\n'); line = 0; }
            rdb_buf_append_u8(&b, (uint8_t)b64[(v >> 18) & 63]);
            rdb_buf_append_u8(&b, (uint8_t)b64[(v >> 12) & 63]);
            rdb_buf_append_u8(&b, i + 1 < n ? (uint8_t)b64[(v >> 6) & 63] : '=');
            rdb_buf_append_u8(&b, i + 2 < n ? (uint8_t)b64[v & 63] : '=');
            line += 4;
        }
    } else if (fmt_is(&A1, "escape")) {
        for (uint32_t i = 0; i < n; i++) {
            if (p[i] == '\\') rdb_buf_append_str(&b, "\\\\");
            else if (p[i] == 0 || p[i] >= 0x80) rdb_buf_printf(&b, "\\%03o", p[i]);
            else rdb_buf_append_u8(&b, p[i]);
        }
    } else {
        rdb_buf_free(&b);
        return rdb_err_set(err, RDB_SQL, "22023", "unrecognized encoding: \"%.*s\"", (int)A1.u.v.len, A1.u.v.ptr);
    }
    *res = sqlt_text_result(ctx->arena, b.data, b.len);
    rdb_buf_free(&b);
    return RDB_OK;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

FN(f_decode)
{
    UNUSED_FN_ARGS;
    const char *p = A0.u.v.ptr;
    uint32_t n = A0.u.v.len;
    rdb_buf_t b;
    rdb_buf_init(&b, n + 4);
    rdb_status_t st = RDB_OK;
    if (fmt_is(&A1, "hex")) {
        for (uint32_t i = 0; i < n;) {
            if (isspace((unsigned char)p[i])) { i++; continue; }
            int h = hexval(p[i]);
            if (h < 0) { st = rdb_err_set(err, RDB_SQL, "22023", "invalid hexadecimal digit: \"%c\"", p[i]); goto done; }
            if (i + 1 >= n) { st = rdb_err_set(err, RDB_SQL, "22023", "invalid hexadecimal data: odd number of digits"); goto done; }
            int l = hexval(p[i + 1]);
            if (l < 0) { st = rdb_err_set(err, RDB_SQL, "22023", "invalid hexadecimal digit: \"%c\"", p[i + 1]); goto done; }
            rdb_buf_append_u8(&b, (uint8_t)(h << 4 | l));
            i += 2;
        }
    } else if (fmt_is(&A1, "base64")) {
        uint32_t acc = 0;
        int bits = 0, pad = 0;
        for (uint32_t i = 0; i < n; i++) {
            char c = p[i];
            if (isspace((unsigned char)c)) continue;
            if (c == '=') { pad++; continue; }
            const char *q = strchr(b64, c);
            if (!q || !c || pad) {
                st = rdb_err_set(err, RDB_SQL, "22023", "invalid symbol \"%c\" found while decoding base64 sequence", c);
                goto done;
            }
            acc = acc << 6 | (uint32_t)(q - b64);
            bits += 6;
            if (bits >= 8) { bits -= 8; rdb_buf_append_u8(&b, (uint8_t)(acc >> bits)); }
        }
    } else if (fmt_is(&A1, "escape")) {
        for (uint32_t i = 0; i < n; i++) {
            if (p[i] != '\\') { rdb_buf_append_u8(&b, (uint8_t)p[i]); continue; }
            if (i + 1 < n && p[i + 1] == '\\') { rdb_buf_append_u8(&b, '\\'); i++; continue; }
            if (i + 3 < n && p[i + 1] >= '0' && p[i + 1] <= '3' && p[i + 2] >= '0' && p[i + 2] <= '7' && p[i + 3] >= '0' && p[i + 3] <= '7') {
                rdb_buf_append_u8(&b, (uint8_t)((p[i + 1] - '0') << 6 | (p[i + 2] - '0') << 3 | (p[i + 3] - '0')));
                i += 3;
                continue;
            }
            st = rdb_err_set(err, RDB_SQL, "22P02", "invalid input syntax for type %s", "bytea");
            goto done;
        }
    } else {
        st = rdb_err_set(err, RDB_SQL, "22023", "unrecognized encoding: \"%.*s\"", (int)A1.u.v.len, A1.u.v.ptr);
        goto done;
    }
    *res = sqlt_text_result(ctx->arena, b.data, b.len);
done:
    rdb_buf_free(&b);
    return st;
}

static bool enc_ok(const sql_value_t *e)
{
    return fmt_is(e, "UTF8") || fmt_is(e, "UTF-8") || fmt_is(e, "SQL_ASCII");
}

static bool utf8_valid(const unsigned char *p, size_t n, size_t *bad)
{
    for (size_t i = 0; i < n;) {
        unsigned char c = p[i];
        size_t k = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
        if (!k || c == 0 || i + k > n) { *bad = i; return false; }
        for (size_t j = 1; j < k; j++)
            if ((p[i + j] & 0xC0) != 0x80) { *bad = i; return false; }
        i += k;
    }
    return true;
}

FN(f_convert_from)
{
    UNUSED_FN_ARGS;
    if (!enc_ok(&A1)) {
        if (fmt_is(&A1, "LATIN1") || fmt_is(&A1, "ISO-8859-1")) {
            rdb_buf_t b;
            rdb_buf_init(&b, A0.u.v.len * 2 + 1);
            for (uint32_t i = 0; i < A0.u.v.len; i++) {
                unsigned char c = (unsigned char)A0.u.v.ptr[i];
                if (c < 0x80) rdb_buf_append_u8(&b, c);
                else { rdb_buf_append_u8(&b, (uint8_t)(0xC0 | c >> 6)); rdb_buf_append_u8(&b, (uint8_t)(0x80 | (c & 0x3F))); }
            }
            *res = sqlt_text_result(ctx->arena, b.data, b.len);
            rdb_buf_free(&b);
            return RDB_OK;
        }
        return rdb_err_set(err, RDB_SQL, "22023", "invalid source encoding name \"%.*s\"", (int)A1.u.v.len, A1.u.v.ptr);
    }
    size_t bad;
    if (!utf8_valid((const unsigned char *)A0.u.v.ptr, A0.u.v.len, &bad))
        return rdb_err_set(err, RDB_SQL, "22021", "invalid byte sequence for encoding \"UTF8\": 0x%02x",
                           (unsigned char)A0.u.v.ptr[bad]);
    *res = A0;
    return RDB_OK;
}
FN(f_convert_to)
{
    UNUSED_FN_ARGS;
    if (!enc_ok(&A1))
        return rdb_err_set(err, RDB_SQL, "22023", "invalid destination encoding name \"%.*s\"", (int)A1.u.v.len, A1.u.v.ptr);
    *res = A0;
    return RDB_OK;
}

FN(f_get_byte)
{
    UNUSED_FN_ARGS;
    int64_t i = A1.u.i;
    if (i < 0 || i >= (int64_t)A0.u.v.len)
        return rdb_err_set(err, RDB_SQL, "2202E", "index %lld out of valid range, 0..%lld", (long long)i,
                           (long long)A0.u.v.len - 1);
    *res = sql_int((unsigned char)A0.u.v.ptr[i]);
    return RDB_OK;
}
FN(f_set_byte)
{
    UNUSED_FN_ARGS;
    int64_t i = A1.u.i;
    if (i < 0 || i >= (int64_t)A0.u.v.len)
        return rdb_err_set(err, RDB_SQL, "2202E", "index %lld out of valid range, 0..%lld", (long long)i,
                           (long long)A0.u.v.len - 1);
    char *d = rdb_arena_memdup(ctx->arena, A0.u.v.ptr, A0.u.v.len);
    d[i] = (char)A2.u.i;
    *res = sql_bytes(d, A0.u.v.len);
    return RDB_OK;
}
FN(f_bytea_substr)
{
    UNUSED_FN_ARGS;
    int64_t start = A1.u.i, cnt = nargs > 2 ? A2.u.i : INT64_MAX / 4;
    if (nargs > 2 && cnt < 0) return rdb_err_set(err, RDB_SQL, "22011", "negative substring length not allowed");
    int64_t end = start + cnt;
    if (start < 1) start = 1;
    if (end > (int64_t)A0.u.v.len + 1) end = (int64_t)A0.u.v.len + 1;
    if (end <= start) { *res = sql_bytes("", 0); return RDB_OK; }
    *res = sql_bytes(A0.u.v.ptr + start - 1, (uint32_t)(end - start));
    return RDB_OK;
}

const fdef_t sqlt_op_string[] = {
    { "||", 2, { BY, BY }, BY, f_bytea_cat, 0 },
    { NULL, 0, { 0 }, 0, NULL, 0 },
};

const fdef_t sqlt_fn_string[] = {
    { "ascii", 1, { TX }, I4, f_ascii_u8, 0 },
    { "regexp_replace", 3, { TX, TX, TX }, TX, f_regexp_replace, 0 },
    { "regexp_replace", 4, { TX, TX, TX, TX }, TX, f_regexp_replace, 0 },
    { "regexp_match", 2, { TX, TX }, SQL_OID_TEXT_ARRAY, f_regexp_match, 0 },
    { "regexp_match", 3, { TX, TX, TX }, SQL_OID_TEXT_ARRAY, f_regexp_match, 0 },
    { "regexp_split_to_array", 2, { TX, TX }, SQL_OID_TEXT_ARRAY, f_regexp_split_to_array, 0 },
    { "regexp_split_to_array", 3, { TX, TX, TX }, SQL_OID_TEXT_ARRAY, f_regexp_split_to_array, 0 },
    { "regexp_like", 2, { TX, TX }, BO, f_regexp_like, 0 }, { "regexp_like", 3, { TX, TX, TX }, BO, f_regexp_like, 0 },
    { "regexp_count", 2, { TX, TX }, I4, f_regexp_count, 0 },
    { "substring", 2, { TX, TX }, TX, f_substring_re, 0 },
    { "like_escape", 2, { TX, TX }, TX, f_like_escape, 0 },
    { "octet_length", 1, { BP }, I4, f_bp_octet_length, 0 },
    { "bit_length", 1, { TX }, I4, f_bit_length, 0 }, { "bit_length", 1, { BY }, I4, f_bit_length, 0 },
    { "translate", 3, { TX, TX, TX }, TX, f_translate, 0 },
    { "quote_ident", 1, { TX }, TX, f_quote_ident, 0 },
    { "quote_literal", 1, { TX }, TX, f_quote_literal_strict, 0 },
    { "quote_literal", 1, { AE }, TX, f_quote_literal_strict, 0 },
    { "quote_nullable", 1, { TX }, TX, f_quote_literal, F_NONSTRICT },
    { "quote_nullable", 1, { AE }, TX, f_quote_literal, F_NONSTRICT },
    { "format", 1, { TX }, TX, f_format, F_NONSTRICT },
    { "format", 2, { TX, AE }, TX, f_format, F_VARIADIC | F_NONSTRICT },
    { "overlay", 3, { TX, TX, I4 }, TX, f_overlay, 0 }, { "overlay", 4, { TX, TX, I4, I4 }, TX, f_overlay, 0 },
    { "overlay", 3, { BY, BY, I4 }, BY, f_overlay, 0 }, { "overlay", 4, { BY, BY, I4, I4 }, BY, f_overlay, 0 },
    { "encode", 2, { BY, TX }, TX, f_encode, 0 }, { "decode", 2, { TX, TX }, BY, f_decode, 0 },
    { "convert_from", 2, { BY, TX }, TX, f_convert_from, 0 }, { "convert_to", 2, { TX, TX }, BY, f_convert_to, 0 },
    { "get_byte", 2, { BY, I4 }, I4, f_get_byte, 0 }, { "set_byte", 3, { BY, I4, I4 }, BY, f_set_byte, 0 },
    { "substring", 2, { BY, I4 }, BY, f_bytea_substr, 0 }, { "substring", 3, { BY, I4, I4 }, BY, f_bytea_substr, 0 },
    { "substr", 2, { BY, I4 }, BY, f_bytea_substr, 0 }, { "substr", 3, { BY, I4, I4 }, BY, f_bytea_substr, 0 },
    { NULL, 0, { 0 }, 0, NULL, 0 },
};
