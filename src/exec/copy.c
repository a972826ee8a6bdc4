/*
 * copy.c — COPY FROM STDIN and COPY TO STDOUT, text, CSV and binary formats.
 *
 * COPY FROM runs as one statement: its rows go into the statement's
 * transaction (its own, or the session's block) as they arrive, with
 * defaults, NOT NULL, CHECK and key checks as INSERT does, and the whole
 * COPY commits at CopyDone or is undone by an error (nothing half-loaded).
 * Data arrives in arbitrary chunks: complete records are parsed at once,
 * a partial one waits for the next chunk.  Text format follows
 * PostgreSQL's escapes (\N, \t, \n, \\, octal, \x); CSV its quoting
 * rules with HEADER, QUOTE and ESCAPE.  Binary is PostgreSQL's format:
 *
 *   OFFSET SIZE DESCRIPTION
 *   0      11   signature "PGCOPY\n\377\r\n\0"
 *   11     4    flags (bit 16: WITH OIDS, refused; bits 17-31 critical)
 *   15     4    header extension length n, then n bytes (skipped)
 *   then per tuple: int16 field count, then per field int32 length (-1:
 *   NULL) and the value in the type's binary send/recv form; the trailer
 *   is a field count of -1.  All integers are big endian.
 *
 * Bulk path.  Into a table without UNIQUE indexes besides its primary key,
 * rows go in through sql_table_insert_new (txn_put_new): each row's key is
 * checked against the table at once, but duplicates among the COPY's own
 * rows only at the end (or when another error stops the COPY first, so
 * that the error reported is still the one of the earliest bad line), by
 * sorting the write set, which the commit then reuses.  Rows are tagged
 * with their line number, which the duplicate's error names.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec/engine_int.h"
#include "sql/table.h"
#include "sql/tabstat.h"

struct copy_state {
    rdb_arena_t    a;           /* statement: bound target, snapshot data */
    rdb_arena_t    ra;          /* per row */
    txn_t         *txn;
    bool           own;
    sql_catsnap_t *snap;
    sql_bound_t    b;
    ex_run_t       run;
    rdb_err_t      runerr;
    sql_type_t    *types;
    const char   **colnames;
    int            ncols;
    bool           csv, header, header_done;
    char           delim, quote, escape;
    const char    *null;
    size_t         nulllen;
    rdb_buf_t      buf;         /* unparsed input */
    rdb_buf_t      field;
    uint64_t       line, rows;
    sql_value_t   *vals;
    bool           ended;       /* saw \. */
    bool           bulk;        /* rows through sql_table_insert_new */
    sql_bulk_t     bk;
    const char    *rec;         /* the record being parsed (in buf) */
    size_t         reclen;
    bool           binary;      /* FORMAT binary (line counts tuples) */
};

void eng_copy_free(rdb_session_t *s)
{
    copy_state_t *c = s->copy;
    if (!c)
        return;
    if (c->snap)
        sql_catalog_release(c->snap);
    if (c->own && c->txn)
        txn_abort(c->txn);
    rdb_buf_free(&c->buf);
    rdb_buf_free(&c->field);
    sql_bulk_free(&c->bk);
    rdb_arena_destroy(&c->a);
    rdb_arena_destroy(&c->ra);
    rdb_err_clear(&c->runerr);
    free(c);
    s->copy = NULL;
}

rdb_status_t eng_copy_begin(rdb_session_t *s, ast_stmt_t *st, rdb_sink_t *sink, rdb_exec_state_t *state,
                            rdb_err_t *err)
{
    if (st->select)
        return rdb_err_set(err, RDB_SQL, "42601", "COPY (query) FROM is not valid");
    copy_state_t *c = calloc(1, sizeof *c);
    rdb_arena_init(&c->a, 0);
    rdb_arena_init(&c->ra, 0);
    s->copy = c;
    c->txn = eng_stmt_txn(s, &c->own);
    c->snap = sql_catalog_acquire(s->e->cat, c->txn, err);
    if (!c->snap)
        goto fail;
    ast_stmt_t ins = { 0 };
    ins.kind = AST_S_INSERT;
    ins.rel = st->rel;
    ins.cols = st->cols;
    ins.ncols = st->ncols;
    ins.copy_from = true;
    sql_type_t ptypes[4] = { { 0, -1 } };
    sql_bindenv_t b;
    eng_bindenv_init(s, &b, &c->a, c->snap, NULL, ptypes);
    if (sql_bind_stmt(&b, &ins, &c->b, err) != RDB_OK)
        goto fail;
    const sql_dml_t *d = c->b.dml;
    c->ncols = d->ncols;
    c->types = RDB_ARENA_NEWN(&c->a, sql_type_t, c->ncols + 1);
    c->colnames = RDB_ARENA_NEWN(&c->a, const char *, c->ncols + 1);
    for (int i = 0; i < c->ncols; i++)
        for (int k = 0; k < d->tab->ncols; k++)
            if (d->tab->cols[k].colid == d->colids[i]) {
                c->types[i] = d->tab->cols[k].type;
                c->colnames[i] = d->tab->cols[k].name;
            }
    c->vals = RDB_ARENA_NEWN(&c->a, sql_value_t, c->ncols + 1);
    c->bulk = sql_table_bulk_ok(d->tab);
    c->csv = st->copy_csv;
    c->header = st->copy_header;
    c->delim = st->copy_delim;
    c->quote = st->copy_quote && *st->copy_quote ? st->copy_quote[0] : '"';
    c->escape = st->copy_escape && *st->copy_escape ? st->copy_escape[0] : c->quote;
    c->null = st->copy_null;
    c->nulllen = strlen(c->null);
    eng_run_init(s, &c->run, c->txn, c->snap, &c->a, &c->runerr);
    ex_run_init_subs(&c->run, b.nsubs);
    c->binary = st->copy_binary;
    int16_t *fmts = RDB_ARENA_NEWN(&c->a, int16_t, c->ncols + 1);
    for (int i = 0; i < c->ncols; i++)
        fmts[i] = c->binary;
    if (sink->copy_in_begin(sink->ctx, c->binary, c->ncols, fmts))
        goto fail;
    *state = RDB_EXEC_COPY_IN;
    return RDB_OK;
fail: {
        bool own = c->own;
        txn_t *t = c->txn;
        c->own = false;
        eng_copy_free(s);
        return eng_stmt_end(s, t, own, RDB_SQL, err);
    }
}

/* PostgreSQL's CONTEXT lines of COPY FROM, quoting at most 100 bytes of
 * the data (cut at a character boundary, then "..."). */
#define COPY_DATA_DISPLAY 100

static void ctx_quoted(copy_state_t *c, rdb_err_t *err, const char *col, const char *p, size_t n)
{
    size_t k = n;
    if (k > COPY_DATA_DISPLAY) {
        k = COPY_DATA_DISPLAY;
        while (k && ((unsigned char)p[k] & 0xc0) == 0x80)
            k--;
    }
    const char *more = k < n ? "..." : "";
    if (col)
        rdb_err_context(err, "COPY %s, line %llu, column %s: \"%.*s%s\"", c->b.dml->tab->name,
                        (unsigned long long)c->line, col, (int)k, p, more);
    else
        rdb_err_context(err, "COPY %s, line %llu: \"%.*s%s\"", c->b.dml->tab->name,
                        (unsigned long long)c->line, (int)k, p, more);
}

static void ctx_line(copy_state_t *c, rdb_err_t *err, uint64_t line)
{
    rdb_err_context(err, "COPY %s, line %llu", c->b.dml->tab->name, (unsigned long long)line);
}

/* The context of an error in the current record: binary has no text to quote. */
static void ctx_rec(copy_state_t *c, rdb_err_t *err)
{
    if (c->binary)
        ctx_line(c, err, c->line);
    else
        ctx_quoted(c, err, NULL, c->rec, c->reclen);
}

static rdb_status_t bad(copy_state_t *c, rdb_err_t *err, const char *state, const char *fmt, const char *arg)
{
    rdb_err_set(err, RDB_SQL, state, fmt, arg);
    ctx_rec(c, err);
    return RDB_SQL;
}

/* Store one field (raw text, or NULL) as column i. */
static rdb_status_t put_field(rdb_session_t *s, copy_state_t *c, int i, const char *p, size_t n, bool isnull,
                              rdb_err_t *err)
{
    if (i >= c->ncols)
        return bad(c, err, "22P04", "extra data after last expected column%s", "");
    if (isnull) {
        c->vals[i] = sql_null();
        return RDB_OK;
    }
    /* PostgreSQL names the line and column in a CONTEXT line, which the
     * protocol layer does not send: the message stands alone */
    if (sql_value_in(&c->ra, &s->fs, c->types[i], p, n, &c->vals[i], err) != RDB_OK) {
        ctx_quoted(c, err, c->colnames[i], p, n);
        return RDB_SQL;
    }
    return RDB_OK;
}

static rdb_status_t finish_row(rdb_session_t *s, copy_state_t *c, int nfields, rdb_err_t *err)
{
    if (nfields < c->ncols)
        return bad(c, err, "22P04", "missing data for column \"%s\"", c->colnames[nfields]);
    bool inserted;
    rdb_status_t rc = c->bulk ? ex_insert_new(&c->run, c->b.dml, c->vals, &c->ra, c->line, &c->bk)
                              : ex_insert_values(&c->run, c->b.dml, c->vals, &c->ra, &inserted);
    if (rc != RDB_OK) {
        rdb_err_move(err, &c->runerr);
        /* as PostgreSQL: a key conflict names the line, a bad row quotes
         * it; a foreign key's check is no error of a line */
        if (strcmp(err->sqlstate, "23505") == 0)
            ctx_line(c, err, c->line);
        else if (strcmp(err->sqlstate, "23503") != 0)
            ctx_rec(c, err);
        return RDB_SQL;
    }
    c->rows++;
    if ((c->rows & 1023) == 0 && ex_check(&c->run) != RDB_OK) {
        rdb_err_move(err, &c->runerr);
        return RDB_SQL;
    }
    return RDB_OK;
}

static int unhex(char ch)
{
    return ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
         : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10 : -1;
}

/* One text-format line [p, p+n) without its newline. */
static rdb_status_t text_line(rdb_session_t *s, copy_state_t *c, const char *p, size_t n, rdb_err_t *err)
{
    if (n == 2 && p[0] == '\\' && p[1] == '.') {
        c->ended = true;
        return RDB_OK;
    }
    if (n && p[n - 1] == '\r')
        n--;
    rdb_arena_reset(&c->ra);
    int nf = 0;
    size_t i = 0;
    for (;;) {
        rdb_buf_reset(&c->field);
        size_t start = i;
        bool escaped = false;
        /* the common case, no backslash: the field is the input itself */
        while (i < n && p[i] != c->delim && p[i] != '\\')
            i++;
        if (i < n && p[i] == '\\')
            rdb_buf_append(&c->field, p + start, i - start);
        while (i < n && p[i] != c->delim) {
            char ch = p[i];
            if (ch == '\\' && i + 1 < n) {
                escaped = true;
                char e = p[++i];
                switch (e) {
                case 'b': ch = '\b'; break;
                case 'f': ch = '\f'; break;
                case 'n': ch = '\n'; break;
                case 'r': ch = '\r'; break;
                case 't': ch = '\t'; break;
                case 'v': ch = '\v'; break;
                case 'x':
                    if (i + 1 < n && unhex(p[i + 1]) >= 0) {
                        int v = unhex(p[++i]);
                        if (i + 1 < n && unhex(p[i + 1]) >= 0)
                            v = v * 16 + unhex(p[++i]);
                        ch = (char)v;
                    } else {
                        ch = 'x';
                    }
                    break;
                default:
                    if (e >= '0' && e <= '7') {
                        int v = e - '0';
                        for (int k = 0; k < 2 && i + 1 < n && p[i + 1] >= '0' && p[i + 1] <= '7'; k++)
                            v = v * 8 + (p[++i] - '0');
                        ch = (char)v;
                    } else {
                        ch = e;
                    }
                }
            }
            rdb_buf_append_u8(&c->field, (uint8_t)ch);
            i++;
        }
        /* the null string matches the raw input, before de-escaping */
        bool isnull = i - start == c->nulllen && memcmp(p + start, c->null, c->nulllen) == 0;
        const char *fp = escaped ? (c->field.data ? c->field.data : "") : p + start;
        size_t fn = escaped ? c->field.len : i - start;
        if (put_field(s, c, nf, fp, fn, isnull, err) != RDB_OK)
            return RDB_SQL;
        nf++;
        if (i >= n)
            break;
        i++;   /* delimiter */
    }
    return finish_row(s, c, nf, err);
}

/* Find the end of one CSV record in [p, end): returns its length (without
 * the newline) or -1 if incomplete. */
static long csv_record_end(copy_state_t *c, const char *p, const char *end)
{
    bool inq = false;
    for (const char *q = p; q < end; q++) {
        if (inq) {
            if (*q == c->escape && c->escape != c->quote && q + 1 < end && q[1] == c->quote)
                q++;
            else if (*q == c->quote)
                inq = false;
        } else if (*q == c->quote) {
            inq = true;
        } else if (*q == '\n') {
            return q - p;
        }
    }
    return -1;
}

static rdb_status_t csv_record(rdb_session_t *s, copy_state_t *c, const char *p, size_t n, rdb_err_t *err)
{
    if (n == 2 && p[0] == '\\' && p[1] == '.') {
        c->ended = true;
        return RDB_OK;
    }
    if (n && p[n - 1] == '\r')
        n--;
    if (c->header && !c->header_done) {
        c->header_done = true;
        return RDB_OK;
    }
    rdb_arena_reset(&c->ra);
    int nf = 0;
    size_t i = 0;
    for (;;) {
        rdb_buf_reset(&c->field);
        bool quoted = false;
        size_t start = i;
        /* the common case, no quote: the field is the input itself */
        while (i < n && p[i] != c->delim && p[i] != c->quote)
            i++;
        const char *fp = p + start;
        size_t fn = i - start;
        if (i < n && p[i] == c->quote)
            rdb_buf_append(&c->field, p + start, i - start);
        while (i < n && p[i] != c->delim) {
            if (p[i] == c->quote) {
                quoted = true;
                i++;
                while (i < n) {
                    if (p[i] == c->escape && i + 1 < n && p[i + 1] == c->quote) {
                        rdb_buf_append_u8(&c->field, (uint8_t)c->quote);
                        i += 2;
                        continue;
                    }
                    if (p[i] == c->quote) {
                        i++;
                        break;
                    }
                    rdb_buf_append_u8(&c->field, (uint8_t)p[i++]);
                }
                continue;
            }
            rdb_buf_append_u8(&c->field, (uint8_t)p[i++]);
        }
        if (quoted) {
            fp = c->field.data ? c->field.data : "";
            fn = c->field.len;
        }
        bool isnull = !quoted && i - start == c->nulllen && memcmp(p + start, c->null, c->nulllen) == 0;
        if (put_field(s, c, nf, fp, fn, isnull, err) != RDB_OK)
            return RDB_SQL;
        nf++;
        if (i >= n)
            break;
        i++;
    }
    return finish_row(s, c, nf, err);
}

/* Bulk path: a duplicate among the rows so far replaces err (the error of
 * a later line, or none at the end). */
static rdb_status_t check_dups(copy_state_t *c, rdb_status_t rc, rdb_err_t *err)
{
    if (!c->bulk || (rc != RDB_OK && strcmp(err->sqlstate, "57014") == 0))
        return rc;
    uint64_t line;
    rdb_err_t e = RDB_ERR_INIT;
    rdb_arena_reset(&c->ra);
    if (sql_table_check_new(c->txn, c->b.dml->tab, &c->ra, &line, &e) == RDB_OK)
        return rc;
    rdb_err_move(err, &e);
    ctx_line(c, err, line);
    return RDB_SQL;
}

/* ---- binary format ---- */

static const char copy_sig[11] = { 'P', 'G', 'C', 'O', 'P', 'Y', '\n', '\377', '\r', '\n', '\0' };

static uint32_t rd32(const char *p)
{
    const unsigned char *u = (const unsigned char *)p;
    return (uint32_t)u[0] << 24 | (uint32_t)u[1] << 16 | (uint32_t)u[2] << 8 | u[3];
}

static rdb_status_t bin_bad(copy_state_t *c, rdb_err_t *err, const char *msg)
{
    rdb_err_set(err, RDB_SQL, "22P04", "%s", msg);
    if (c->line)
        ctx_line(c, err, c->line);
    return RDB_SQL;
}

/* The header; *pos past it, or left at 0 while it is incomplete. */
static rdb_status_t bin_header(copy_state_t *c, bool final, size_t *pos, rdb_err_t *err)
{
    const char *d = c->buf.data;
    size_t n = c->buf.len;
    if (n < sizeof copy_sig) {
        if (final || memcmp(d, copy_sig, n) != 0)
            return bin_bad(c, err, "COPY file signature not recognized");
        return RDB_OK;
    }
    if (memcmp(d, copy_sig, sizeof copy_sig) != 0)
        return bin_bad(c, err, "COPY file signature not recognized");
    if (n < 15)
        return final ? bin_bad(c, err, "invalid COPY file header (missing flags)") : RDB_OK;
    uint32_t flags = rd32(d + 11);
    if (flags & (1u << 16))
        return bin_bad(c, err, "invalid COPY file header (WITH OIDS)");
    if ((flags & ~(1u << 16)) >> 16)
        return bin_bad(c, err, "unrecognized critical flags in COPY file header");
    if (n < 19)
        return final ? bin_bad(c, err, "invalid COPY file header (missing length)") : RDB_OK;
    int32_t ext = (int32_t)rd32(d + 15);
    if (ext < 0)
        return bin_bad(c, err, "invalid COPY file header (wrong length)");
    if (n - 19 < (size_t)ext)
        return final ? bin_bad(c, err, "invalid COPY file header (wrong length)") : RDB_OK;
    c->header_done = true;
    *pos = 19 + (size_t)ext;
    return RDB_OK;
}

/* Every complete tuple in buf; a partial one waits for more data (or is
 * "unexpected EOF" at the end). */
static rdb_status_t bin_process(rdb_session_t *s, copy_state_t *c, bool final, rdb_err_t *err)
{
    size_t pos = 0;
    if (!c->header_done) {
        if (bin_header(c, final, &pos, err) != RDB_OK)
            return RDB_SQL;
        if (!c->header_done)
            return RDB_OK;
    }
    const char *d = c->buf.data;
    size_t n = c->buf.len;
    while (pos < n) {
        if (c->ended)
            return bin_bad(c, err, "received copy data after EOF marker");
        if (n - pos < 2)
            break;
        int16_t cnt = (int16_t)((uint16_t)(unsigned char)d[pos] << 8 | (unsigned char)d[pos + 1]);
        if (cnt == -1) {
            c->ended = true;
            pos += 2;
            continue;
        }
        if (cnt != c->ncols) {
            c->line++;
            rdb_err_set(err, RDB_SQL, "22P04", "row field count is %d, expected %d", cnt, c->ncols);
            ctx_line(c, err, c->line);
            return RDB_SQL;
        }
        size_t q = pos + 2;
        bool complete = true;
        for (int i = 0; i < cnt && complete; i++) {
            if (n - q < 4) {
                complete = false;
                break;
            }
            int32_t len = (int32_t)rd32(d + q);
            q += 4;
            if (len == -1)
                continue;
            if (len < 0) {
                c->line++;
                return bin_bad(c, err, "invalid field size");
            }
            if (n - q < (size_t)len)
                complete = false;
            else
                q += (size_t)len;
        }
        if (!complete)
            break;
        c->line++;
        rdb_arena_reset(&c->ra);
        size_t f = pos + 2;
        for (int i = 0; i < cnt; i++) {
            int32_t len = (int32_t)rd32(d + f);
            f += 4;
            if (len == -1) {
                c->vals[i] = sql_null();
                continue;
            }
            if (sql_value_recv(&c->ra, c->types[i], d + f, (size_t)len, &c->vals[i], err) != RDB_OK) {
                rdb_err_context(err, "COPY %s, line %llu, column %s", c->b.dml->tab->name,
                                (unsigned long long)c->line, c->colnames[i]);
                return RDB_SQL;
            }
            f += (size_t)len;
        }
        if (finish_row(s, c, cnt, err) != RDB_OK)
            return RDB_SQL;
        pos = q;
    }
    rdb_buf_consume(&c->buf, pos);
    if (final && c->buf.len > 0)
        return bin_bad(c, err, "unexpected EOF in COPY data");
    return RDB_OK;
}

static rdb_status_t process(rdb_session_t *s, copy_state_t *c, bool final, rdb_err_t *err)
{
    if (c->binary) {
        rdb_status_t rc = bin_process(s, c, final, err);
        return rc != RDB_OK ? check_dups(c, rc, err) : RDB_OK;
    }
    size_t pos = 0;
    while (pos < c->buf.len && !c->ended) {
        const char *p = c->buf.data + pos, *end = c->buf.data + c->buf.len;
        long len;
        if (c->csv) {
            len = csv_record_end(c, p, end);
        } else {
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            len = nl ? nl - p : -1;
        }
        size_t adv;
        if (len < 0) {
            if (!final)
                break;
            len = end - p;
            adv = (size_t)len;
        } else {
            adv = (size_t)len + 1;
        }
        c->line++;
        c->rec = p;
        c->reclen = (size_t)len;
        rdb_status_t rc = c->csv ? csv_record(s, c, p, (size_t)len, err) : text_line(s, c, p, (size_t)len, err);
        if (rc != RDB_OK)
            return check_dups(c, rc, err);
        pos += adv;
    }
    rdb_buf_consume(&c->buf, pos);
    return RDB_OK;
}

rdb_status_t eng_copy_data(rdb_session_t *s, const char *data, size_t len, rdb_err_t *err)
{
    copy_state_t *c = s->copy;
    if (!c)
        return rdb_err_set(err, RDB_PROTOCOL, "08P01", "unexpected COPY data");
    if (c->ended && !c->binary)
        return RDB_OK;
    rdb_buf_append(&c->buf, data, len);
    return process(s, c, false, err);
}

rdb_status_t eng_copy_done(rdb_session_t *s, rdb_sink_t *sink, uint64_t *rows, rdb_err_t *err)
{
    copy_state_t *c = s->copy;
    if (!c)
        return rdb_err_set(err, RDB_PROTOCOL, "08P01", "unexpected CopyDone");
    rdb_status_t rc = process(s, c, true, err);
    if (rc == RDB_OK)
        rc = check_dups(c, rc, err);
    *rows = c->rows;
    txn_t *t = c->txn;
    bool own = c->own;
    c->own = false;
    uint64_t n = c->rows;
    if (rc == RDB_OK && c->b.dml)
        sql_tabstat_changed(&s->tabstat, c->b.dml->tab->id, (int64_t)n, 0, 0);
    eng_copy_free(s);
    rc = eng_stmt_end(s, t, own, rc, err);
    if (rc == RDB_OK) {
        char tag[40];
        snprintf(tag, sizeof tag, "COPY %llu", (unsigned long long)n);
        sink->command_complete(sink->ctx, tag);
    }
    return rc;
}

/* ---- COPY TO STDOUT ---- */

static void text_escape(rdb_buf_t *out, const char *p, size_t n, char delim)
{
    for (size_t i = 0; i < n; i++) {
        char ch = p[i];
        switch (ch) {
        case '\\': rdb_buf_append_str(out, "\\\\"); break;
        case '\n': rdb_buf_append_str(out, "\\n"); break;
        case '\r': rdb_buf_append_str(out, "\\r"); break;
        case '\t': rdb_buf_append_str(out, "\\t"); break;
        case '\b': rdb_buf_append_str(out, "\\b"); break;
        case '\f': rdb_buf_append_str(out, "\\f"); break;
        case '\v': rdb_buf_append_str(out, "\\v"); break;
        default:
            if (ch == delim) {
                rdb_buf_append_u8(out, '\\');
            }
            rdb_buf_append_u8(out, (uint8_t)ch);
        }
    }
}

static void csv_escape(rdb_buf_t *out, const char *p, size_t n, char delim, char quote, char escape,
                       const char *null)
{
    bool need = n == 0 ? strlen(null) == 0 : (n == strlen(null) && memcmp(p, null, n) == 0);
    for (size_t i = 0; i < n && !need; i++)
        if (p[i] == delim || p[i] == quote || p[i] == '\n' || p[i] == '\r')
            need = true;
    if (n == 2 && p[0] == '\\' && p[1] == '.')
        need = true;
    if (!need) {
        rdb_buf_append(out, p, n);
        return;
    }
    rdb_buf_append_u8(out, (uint8_t)quote);
    for (size_t i = 0; i < n; i++) {
        if (p[i] == quote || p[i] == escape)
            rdb_buf_append_u8(out, (uint8_t)escape);
        rdb_buf_append_u8(out, (uint8_t)p[i]);
    }
    rdb_buf_append_u8(out, (uint8_t)quote);
}

/* One tuple of the binary format appended to out. */
static void binary_row(rdb_buf_t *out, const plan_t *p, const sql_value_t *row)
{
    rdb_buf_append_u16_be(out, (uint16_t)p->ncols);
    for (int i = 0; i < p->ncols; i++) {
        if (row[i].isnull) {
            rdb_buf_append_u32_be(out, UINT32_MAX);
            continue;
        }
        size_t at = out->len;
        rdb_buf_append_u32_be(out, 0);
        sql_value_send(p->types[i], &row[i], out);
        uint32_t len = (uint32_t)(out->len - at - 4);
        for (int k = 0; k < 4; k++)
            out->data[at + k] = (char)(len >> (24 - 8 * k));
    }
}

rdb_status_t eng_copy_out(rdb_session_t *s, ast_stmt_t *st, rdb_sink_t *sink, rdb_err_t *err)
{
    bool own;
    txn_t *t = eng_stmt_txn(s, &own);
    rdb_arena_t a;
    rdb_arena_init(&a, 0);
    sql_catsnap_t *snap = sql_catalog_acquire(s->e->cat, t, err);
    rdb_status_t rc = snap ? RDB_OK : RDB_SQL;
    plan_t *p = NULL;
    sql_bindenv_t b;
    sql_type_t ptypes[4] = { { 0, -1 } };
    if (rc == RDB_OK) {
        eng_bindenv_init(s, &b, &a, snap, NULL, ptypes);
        ast_select_t *sel = st->select;
        if (!sel) {
            /* COPY t [(cols)] TO: SELECT cols FROM t */
            sel = RDB_ARENA_NEW(&a, ast_select_t);
            ast_from_t *f = RDB_ARENA_NEW(&a, ast_from_t);
            f->kind = AST_FROM_REL;
            f->schema = st->rel.schema;
            f->relname = st->rel.name;
            f->loc = st->rel.loc;
            sel->from = RDB_ARENA_NEWN(&a, ast_from_t *, 1);
            sel->from[0] = f;
            sel->nfrom = 1;
            int n = st->ncols ? st->ncols : 1;
            sel->targets = RDB_ARENA_NEWN(&a, ast_target_t, n);
            sel->ntargets = n;
            for (int i = 0; i < n; i++) {
                ast_expr_t *e = RDB_ARENA_NEW(&a, ast_expr_t);
                e->kind = AST_COLREF;
                e->loc = -1;
                if (st->ncols) {
                    e->names = RDB_ARENA_NEWN(&a, const char *, 1);
                    e->names[0] = st->cols[i].name;
                    e->nnames = 1;
                } else {
                    e->star = true;
                }
                sel->targets[i].expr = e;
            }
        }
        rc = sql_bind_select(&b, sel, &p, err);
    }
    uint64_t n = 0;
    if (rc == RDB_OK) {
        p = plan_optimize(&a, p);
        int16_t *fmts = RDB_ARENA_NEWN(&a, int16_t, p->ncols + 1);
        for (int i = 0; i < p->ncols; i++)
            fmts[i] = st->copy_binary;
        if (sink->copy_out_begin(sink->ctx, st->copy_binary, p->ncols, fmts))
            rc = rdb_err_set(err, RDB_CANCELLED, "57014", "client gone");
    }
    if (rc == RDB_OK) {
        ex_run_t r;
        eng_run_init(s, &r, t, snap, &a, err);
        ex_run_init_subs(&r, b.nsubs);
        ex_node_t *node = ex_open(&r, p);
        const sql_value_t *row;
        rdb_buf_t line = RDB_BUF_INIT, v = RDB_BUF_INIT;
        char delim = st->copy_delim;
        char quote = st->copy_quote && *st->copy_quote ? st->copy_quote[0] : '"';
        char escape = st->copy_escape && *st->copy_escape ? st->copy_escape[0] : quote;
        if (node && st->copy_csv && st->copy_header) {
            for (int i = 0; i < p->ncols; i++) {
                if (i)
                    rdb_buf_append_u8(&line, (uint8_t)delim);
                csv_escape(&line, p->names[i], strlen(p->names[i]), delim, quote, escape, st->copy_null);
            }
            rdb_buf_append_u8(&line, '\n');
            sink->copy_out_data(sink->ctx, line.data, line.len);
        }
        if (node && st->copy_binary) {
            rdb_buf_append(&line, copy_sig, sizeof copy_sig);
            rdb_buf_append_u32_be(&line, 0);    /* flags */
            rdb_buf_append_u32_be(&line, 0);    /* header extension */
        }
        while (node && (row = ex_next(node))) {
            if (st->copy_binary) {
                binary_row(&line, p, row);
                if (line.len >= 65536) {
                    if (sink->copy_out_data(sink->ctx, line.data, line.len)) {
                        rc = rdb_err_set(err, RDB_CANCELLED, "57014", "client gone");
                        break;
                    }
                    rdb_buf_reset(&line);
                }
                n++;
                continue;
            }
            rdb_buf_reset(&line);
            for (int i = 0; i < p->ncols; i++) {
                if (i)
                    rdb_buf_append_u8(&line, (uint8_t)delim);
                if (row[i].isnull) {
                    rdb_buf_append_str(&line, st->copy_null);
                    continue;
                }
                rdb_buf_reset(&v);
                sql_value_out(&s->fs, p->types[i], &row[i], &v);
                if (st->copy_csv)
                    csv_escape(&line, v.data, v.len, delim, quote, escape, st->copy_null);
                else
                    text_escape(&line, v.data, v.len, delim);
            }
            rdb_buf_append_u8(&line, '\n');
            if (sink->copy_out_data(sink->ctx, line.data, line.len)) {
                rc = rdb_err_set(err, RDB_CANCELLED, "57014", "client gone");
                break;
            }
            n++;
        }
        if (rc == RDB_OK && (!node || rdb_err_is_set(err)))
            rc = RDB_SQL;
        if (rc == RDB_OK && st->copy_binary) {
            rdb_buf_append_u16_be(&line, 0xFFFF);    /* trailer: field count -1 */
            if (sink->copy_out_data(sink->ctx, line.data, line.len))
                rc = rdb_err_set(err, RDB_CANCELLED, "57014", "client gone");
        }
        ex_close(node);
        rdb_buf_free(&line);
        rdb_buf_free(&v);
        if (rc == RDB_OK)
            sink->copy_out_end(sink->ctx);
    }
    if (snap)
        sql_catalog_release(snap);
    rdb_arena_destroy(&a);
    rc = eng_stmt_end(s, t, own, rc, err);
    if (rc == RDB_OK) {
        char tag[40];
        snprintf(tag, sizeof tag, "COPY %llu", (unsigned long long)n);
        sink->command_complete(sink->ctx, tag);
    }
    return rc;
}
