/*
 * builtin_backend.c — see builtin_backend.h.  Deliberately simple: a
 * statement is parsed by a hand-written scanner into a flat description.
 */
#include "pgwire/builtin_backend.h"

#include <ctype.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "common/buf.h"
#include "common/clock.h"
#include "common/config.h"

static int64_t rdb_clock_mono_ms(void) { return (int64_t)(rdb_now_ns() / 1000000u); }

#define OID_INT4 23
#define OID_INT8 20
#define OID_TEXT 25
#define OID_VOID 2278
#define MAX_ITEMS 16
#define MAX_GUCS 32

struct rdb_engine {
    pthread_mutex_t mu;
    rdb_buf_t       table; /* COPY table: lines, each ending in '\n' */
    int64_t         nrows;
};

enum kind { K_EMPTY, K_SELECT, K_BEGIN, K_COMMIT, K_ROLLBACK, K_SET, K_SHOW, K_COPY_IN, K_COPY_OUT };
enum item_kind { I_INT, I_TEXT, I_PARAM, I_SLEEP, I_SERIES, I_DIVZERO };

typedef struct item {
    enum item_kind kind;
    int64_t        ival;   /* I_INT value, I_SERIES upper bound, I_PARAM index */
    double         secs;   /* I_SLEEP */
    char          *text;   /* I_TEXT */
    uint32_t       type;
} item_t;

struct rdb_stmt {
    enum kind     kind;
    int           nitems;
    item_t        items[MAX_ITEMS];
    char          names[MAX_ITEMS][64];
    rdb_coldesc_t cols[MAX_ITEMS];
    int           nparams;
    uint32_t      ptypes[MAX_ITEMS];
    char          gname[64];
    char         *gvalue;
    bool          csv;
};

struct rdb_portal {
    rdb_stmt_t *st;
    char       *vals[MAX_ITEMS];
    int32_t     lens[MAX_ITEMS];
    int16_t     pfmt[MAX_ITEMS];
    rdb_coldesc_t cols[MAX_ITEMS];
    int64_t     pos;   /* rows already produced */
    bool        done;
};

struct rdb_session {
    rdb_engine_t *e;
    char          txn;
    int           nguc;
    char         *gname[MAX_GUCS];
    char         *gval[MAX_GUCS];
    atomic_int    cancel;
    char         *rest;      /* simple query text after a COPY FROM STDIN */
    rdb_buf_t     copybuf;   /* COPY FROM STDIN data being received */
    bool          in_copy;
    const char   *pnames[16];
    const char   *pvalues[16];
    char          pidbuf[16];
};

/* ---- GUCs ---- */

static const char *const reported[] = {
    "application_name", "client_encoding", "DateStyle", "default_transaction_read_only",
    "in_hot_standby", "integer_datetimes", "IntervalStyle", "is_superuser",
    "server_encoding", "server_version", "session_authorization",
    "standard_conforming_strings", "TimeZone", NULL,
};

static int guc_find(rdb_session_t *s, const char *name)
{
    for (int i = 0; i < s->nguc; i++)
        if (strcasecmp(s->gname[i], name) == 0)
            return i;
    return -1;
}

static const char *guc_get(rdb_session_t *s, const char *name)
{
    int i = guc_find(s, name);
    return i < 0 ? NULL : s->gval[i];
}

static int guc_set(rdb_session_t *s, const char *name, const char *value)
{
    int i = guc_find(s, name);
    if (i < 0) {
        if (s->nguc == MAX_GUCS)
            return -1;
        i = s->nguc++;
        s->gname[i] = strdup(name);
        s->gval[i] = NULL;
    }
    free(s->gval[i]);
    s->gval[i] = strdup(value);
    return 0;
}

static bool guc_reported(const char *name)
{
    for (int i = 0; reported[i]; i++)
        if (strcasecmp(reported[i], name) == 0)
            return true;
    return false;
}

/* ---- scanner ---- */

typedef struct scan {
    const char *p;
} scan_t;

static void skip_ws(scan_t *sc)
{
    while (isspace((unsigned char)*sc->p))
        sc->p++;
}

static bool kw(scan_t *sc, const char *word)
{
    skip_ws(sc);
    size_t n = strlen(word);
    if (strncasecmp(sc->p, word, n) != 0)
        return false;
    char c = sc->p[n];
    if (isalnum((unsigned char)c) || c == '_')
        return false;
    sc->p += n;
    return true;
}

static bool punct(scan_t *sc, const char *tok)
{
    skip_ws(sc);
    size_t n = strlen(tok);
    if (strncmp(sc->p, tok, n) != 0)
        return false;
    sc->p += n;
    return true;
}

static bool ident(scan_t *sc, char *out, size_t cap)
{
    skip_ws(sc);
    size_t n = 0;
    if (*sc->p == '"') {
        sc->p++;
        while (*sc->p && *sc->p != '"' && n + 1 < cap)
            out[n++] = *sc->p++;
        if (*sc->p != '"')
            return false;
        sc->p++;
        out[n] = 0;
        return n > 0;
    }
    while ((isalnum((unsigned char)*sc->p) || *sc->p == '_' || *sc->p == '.') && n + 1 < cap)
        out[n++] = *sc->p++;
    out[n] = 0;
    return n > 0;
}

static bool number(scan_t *sc, double *out, bool *isint)
{
    skip_ws(sc);
    char *end;
    const char *start = sc->p;
    if (*start == '-' || *start == '+')
        start++;
    if (!isdigit((unsigned char)*start) && *start != '.')
        return false;
    double d = strtod(sc->p, &end);
    *isint = !memchr(sc->p, '.', (size_t)(end - sc->p)) && !memchr(sc->p, 'e', (size_t)(end - sc->p));
    sc->p = end;
    *out = d;
    return true;
}

/* A quoted string literal ('' escapes). */
static char *string_lit(scan_t *sc)
{
    skip_ws(sc);
    if (*sc->p != '\'')
        return NULL;
    sc->p++;
    rdb_buf_t b = RDB_BUF_INIT;
    for (;;) {
        if (!*sc->p) {
            rdb_buf_free(&b);
            return NULL;
        }
        if (*sc->p == '\'') {
            if (sc->p[1] == '\'') {
                rdb_buf_append_u8(&b, '\'');
                sc->p += 2;
                continue;
            }
            sc->p++;
            break;
        }
        rdb_buf_append_u8(&b, (uint8_t)*sc->p++);
    }
    rdb_buf_cstr(&b);
    if (!b.data)
        return strdup("");
    return b.data;
}

static uint32_t type_name(const char *n)
{
    if (!strcasecmp(n, "int") || !strcasecmp(n, "int4") || !strcasecmp(n, "integer"))
        return OID_INT4;
    if (!strcasecmp(n, "int8") || !strcasecmp(n, "bigint"))
        return OID_INT8;
    if (!strcasecmp(n, "text") || !strcasecmp(n, "varchar"))
        return OID_TEXT;
    return 0;
}

static void stmt_free_items(rdb_stmt_t *st)
{
    for (int i = 0; i < st->nitems; i++)
        free(st->items[i].text);
    free(st->gvalue);
}

static rdb_status_t syntax(rdb_err_t *err, const char *sql, const char *at)
{
    rdb_err_set(err, RDB_SQL, RDB_SQLSTATE_SYNTAX_ERROR, "syntax error at or near \"%.20s\"",
                *at ? at : "end of input");
    rdb_err_position(err, (int)(at - sql) + 1);
    return RDB_SQL;
}

static rdb_status_t parse_select_item(scan_t *sc, rdb_stmt_t *st, const char *sql, rdb_err_t *err)
{
    if (st->nitems == MAX_ITEMS)
        return syntax(err, sql, sc->p);
    item_t *it = &st->items[st->nitems];
    char *name = st->names[st->nitems];
    memset(it, 0, sizeof *it);
    strcpy(name, "?column?");
    double d;
    bool isint;
    char id[64];
    skip_ws(sc);
    if (*sc->p == '$') {
        sc->p++;
        long idx = strtol(sc->p, (char **)&sc->p, 10);
        if (idx < 1 || idx > MAX_ITEMS)
            return syntax(err, sql, sc->p);
        it->kind = I_PARAM;
        it->ival = idx - 1;
        if (idx > st->nparams)
            st->nparams = (int)idx;
        it->type = st->ptypes[idx - 1] ? st->ptypes[idx - 1] : OID_TEXT;
    } else if (*sc->p == '\'') {
        it->kind = I_TEXT;
        it->type = OID_TEXT;
        if (!(it->text = string_lit(sc)))
            return syntax(err, sql, sc->p);
    } else if (number(sc, &d, &isint)) {
        if (!isint)
            return rdb_err_set(err, RDB_SQL, RDB_SQLSTATE_FEATURE_NOT_SUPPORTED,
                               "the built-in backend only has integer literals");
        it->kind = I_INT;
        it->ival = (int64_t)d;
        it->type = (it->ival >= INT32_MIN && it->ival <= INT32_MAX) ? OID_INT4 : OID_INT8;
        if (punct(sc, "/")) {
            double d2;
            if (!number(sc, &d2, &isint))
                return syntax(err, sql, sc->p);
            if (d2 != 0)
                return rdb_err_set(err, RDB_SQL, RDB_SQLSTATE_FEATURE_NOT_SUPPORTED,
                                   "the built-in backend only divides by zero");
            it->kind = I_DIVZERO;
        }
    } else if (kw(sc, "pg_sleep")) {
        if (!punct(sc, "(") || !number(sc, &d, &isint) || !punct(sc, ")"))
            return syntax(err, sql, sc->p);
        it->kind = I_SLEEP;
        it->secs = d;
        it->type = OID_VOID;
        strcpy(name, "pg_sleep");
    } else if (kw(sc, "generate_series")) {
        if (!punct(sc, "(") || !number(sc, &d, &isint) || d != 1 || !punct(sc, ",") ||
            !number(sc, &d, &isint) || !punct(sc, ")"))
            return syntax(err, sql, sc->p);
        it->kind = I_SERIES;
        it->ival = (int64_t)d;
        it->type = OID_INT4;
        strcpy(name, "generate_series");
    } else {
        return syntax(err, sql, sc->p);
    }
    if (punct(sc, "::")) {
        if (!ident(sc, id, sizeof id) || !(it->type = type_name(id)))
            return syntax(err, sql, sc->p);
        if (it->kind == I_INT && it->type == OID_TEXT) {
            char tmp[32];
            snprintf(tmp, sizeof tmp, "%lld", (long long)it->ival);
            it->kind = I_TEXT;
            it->text = strdup(tmp);
        } else if (it->kind == I_TEXT && it->type != OID_TEXT) {
            char *end;
            long long v = strtoll(it->text, &end, 10);
            if (!it->text[0] || *end)
                return rdb_err_set(err, RDB_SQL, "22P02",
                                   "invalid input syntax for type integer: \"%s\"", it->text);
            free(it->text);
            it->text = NULL;
            it->kind = I_INT;
            it->ival = v;
        } else if (it->kind == I_PARAM) {
            st->ptypes[it->ival] = it->type;
        }
        if (strcmp(name, "?column?") == 0)
            snprintf(name, 64, "%s", id);
    }
    if (kw(sc, "as")) {
        if (!ident(sc, name, 64))
            return syntax(err, sql, sc->p);
    }
    st->nitems++;
    return RDB_OK;
}

/* Parse one statement (no ';'). */
static rdb_status_t parse(const char *sql, const uint32_t *ptypes, int nptypes, rdb_stmt_t *st,
                          rdb_err_t *err)
{
    memset(st, 0, sizeof *st);
    for (int i = 0; i < nptypes && i < MAX_ITEMS; i++)
        st->ptypes[i] = ptypes[i];
    if (nptypes > st->nparams)
        st->nparams = nptypes > MAX_ITEMS ? MAX_ITEMS : nptypes;
    scan_t sc = { sql };
    skip_ws(&sc);
    if (!*sc.p) {
        st->kind = K_EMPTY;
        return RDB_OK;
    }
    rdb_status_t rc = RDB_OK;
    if (kw(&sc, "select")) {
        st->kind = K_SELECT;
        if (punct(&sc, "*")) {
            if (!kw(&sc, "from"))
                return syntax(err, sql, sc.p);
            rc = parse_select_item(&sc, st, sql, err);
            if (rc == RDB_OK && st->items[0].kind != I_SERIES)
                return syntax(err, sql, sql);
        } else {
            do {
                rc = parse_select_item(&sc, st, sql, err);
            } while (rc == RDB_OK && punct(&sc, ","));
        }
    } else if (kw(&sc, "begin") || (kw(&sc, "start") && kw(&sc, "transaction"))) {
        st->kind = K_BEGIN;
        (void)(kw(&sc, "transaction") || kw(&sc, "work"));
    } else if (kw(&sc, "commit") || kw(&sc, "end")) {
        st->kind = K_COMMIT;
        (void)(kw(&sc, "transaction") || kw(&sc, "work"));
    } else if (kw(&sc, "rollback") || kw(&sc, "abort")) {
        st->kind = K_ROLLBACK;
        (void)(kw(&sc, "transaction") || kw(&sc, "work"));
    } else if (kw(&sc, "set")) {
        st->kind = K_SET;
        kw(&sc, "session");
        if (!ident(&sc, st->gname, sizeof st->gname) || !(punct(&sc, "=") || kw(&sc, "to")))
            return syntax(err, sql, sc.p);
        skip_ws(&sc);
        if (*sc.p == '\'') {
            st->gvalue = string_lit(&sc);
        } else {
            const char *b = sc.p;
            while (*sc.p && !isspace((unsigned char)*sc.p))
                sc.p++;
            st->gvalue = strndup(b, (size_t)(sc.p - b));
        }
        if (!st->gvalue || !st->gvalue[0])
            return syntax(err, sql, sc.p);
    } else if (kw(&sc, "show")) {
        st->kind = K_SHOW;
        if (!ident(&sc, st->gname, sizeof st->gname))
            return syntax(err, sql, sc.p);
    } else if (kw(&sc, "copy")) {
        char tbl[64];
        if (!ident(&sc, tbl, sizeof tbl))
            return syntax(err, sql, sc.p);
        if (kw(&sc, "from") && kw(&sc, "stdin"))
            st->kind = K_COPY_IN;
        else if (kw(&sc, "to") && kw(&sc, "stdout"))
            st->kind = K_COPY_OUT;
        else
            return syntax(err, sql, sc.p);
        if (punct(&sc, "(")) {
            if (kw(&sc, "format"))
                st->csv = kw(&sc, "csv");
            if (!punct(&sc, ")"))
                return syntax(err, sql, sc.p);
        } else {
            kw(&sc, "with");
            st->csv = kw(&sc, "csv");
        }
    } else {
        return syntax(err, sql, sc.p);
    }
    if (rc != RDB_OK)
        return rc;
    skip_ws(&sc);
    if (*sc.p)
        return syntax(err, sql, sc.p);
    for (int i = 0; i < st->nitems; i++) {
        item_t *it = &st->items[i];
        if (it->kind == I_PARAM && st->ptypes[it->ival])
            it->type = st->ptypes[it->ival];
        st->cols[i] = (rdb_coldesc_t){ st->names[i], 0, 0, it->type,
                                       it->type == OID_INT4 ? 4 : it->type == OID_INT8 ? 8
                                       : it->type == OID_VOID ? 4 : -1, -1, 0 };
    }
    for (int i = 0; i < st->nparams; i++)
        if (!st->ptypes[i])
            st->ptypes[i] = OID_TEXT;
    if (st->kind == K_SHOW) {
        st->nitems = 0;
        st->cols[0] = (rdb_coldesc_t){ st->gname, 0, 0, OID_TEXT, -1, -1, 0 };
    }
    return RDB_OK;
}

/* ---- value output ---- */

static void be32(char *p, uint32_t v)
{
    p[0] = (char)(v >> 24); p[1] = (char)(v >> 16); p[2] = (char)(v >> 8); p[3] = (char)v;
}

/* Format integer v of type t in format fmt into out (>= 24 bytes). */
static int32_t fmt_int(int64_t v, uint32_t t, int16_t fmt, char *out)
{
    if (fmt == 1) {
        if (t == OID_INT8) {
            be32(out, (uint32_t)((uint64_t)v >> 32));
            be32(out + 4, (uint32_t)v);
            return 8;
        }
        be32(out, (uint32_t)v);
        return 4;
    }
    return (int32_t)snprintf(out, 24, "%lld", (long long)v);
}

static int16_t col_format(int nresult, const int16_t *rf, int i)
{
    if (nresult == 0)
        return 0;
    return nresult == 1 ? rf[0] : rf[i];
}

/* ---- statement execution ---- */

static rdb_status_t check_cancel(rdb_session_t *s, int64_t deadline, rdb_err_t *err)
{
    if (atomic_exchange(&s->cancel, 0))
        return rdb_err_set(err, RDB_CANCELLED, RDB_SQLSTATE_QUERY_CANCELED,
                           "canceling statement due to user request");
    if (deadline && rdb_clock_mono_ms() >= deadline)
        return rdb_err_set(err, RDB_CANCELLED, RDB_SQLSTATE_QUERY_CANCELED,
                           "canceling statement due to statement timeout");
    return RDB_OK;
}

static bool has_kind(const rdb_stmt_t *st, enum item_kind k)
{
    for (int i = 0; i < st->nitems; i++)
        if (st->items[i].kind == k)
            return true;
    return false;
}

static bool big_series(const rdb_stmt_t *st)
{
    for (int i = 0; i < st->nitems; i++)
        if (st->items[i].kind == I_SERIES && st->items[i].ival > 10000)
            return true;
    return false;
}

static int sink_err(rdb_err_t *err)
{
    rdb_err_set(err, RDB_CANCELLED, RDB_SQLSTATE_QUERY_CANCELED, "client went away");
    return -1;
}

/* Run st; p is NULL in the simple protocol. */
static rdb_status_t run(rdb_session_t *s, rdb_stmt_t *st, rdb_portal_t *p, int64_t max_rows,
                        int flags, bool describe, rdb_sink_t *k, rdb_exec_state_t *state,
                        rdb_err_t *err)
{
    *state = RDB_EXEC_DONE;
    if (s->txn == 'E' && st->kind != K_COMMIT && st->kind != K_ROLLBACK && st->kind != K_EMPTY)
        return rdb_err_set(err, RDB_SQL, "25P02",
                           "current transaction is aborted, commands ignored until end of transaction block");
    rdb_engine_t *e = s->e;
    char tag[64];
    switch (st->kind) {
    case K_EMPTY:
        if (!p && k->empty_query(k->ctx))
            return sink_err(err);
        return RDB_OK;
    case K_BEGIN:
        if (s->txn == 'T' && k->notice) {
            rdb_err_t w = RDB_ERR_INIT;
            rdb_err_set(&w, RDB_SQL, "25001", "there is already a transaction in progress");
            w.severity = RDB_SEV_WARNING;
            k->notice(k->ctx, &w);
            rdb_err_clear(&w);
        }
        s->txn = 'T';
        return k->command_complete(k->ctx, "BEGIN") ? sink_err(err) : RDB_OK;
    case K_COMMIT:
    case K_ROLLBACK: {
        bool failed = s->txn == 'E';
        s->txn = 'I';
        return k->command_complete(k->ctx, failed || st->kind == K_ROLLBACK ? "ROLLBACK" : "COMMIT")
                   ? sink_err(err) : RDB_OK;
    }
    case K_SET:
        if (!strcasecmp(st->gname, "statement_timeout") ||
            !strcasecmp(st->gname, "idle_in_transaction_session_timeout")) {
            int64_t ms;
            if (rdb_parse_duration_ms(st->gvalue, &ms) != 0 || ms < 0)
                return rdb_err_set(err, RDB_SQL, RDB_SQLSTATE_INVALID_PARAMETER,
                                   "invalid value for parameter \"%s\": \"%s\"", st->gname, st->gvalue);
        }
        if (guc_set(s, st->gname, st->gvalue) != 0)
            return rdb_err_set(err, RDB_SQL, "53000", "too many parameters set");
        if (guc_reported(st->gname) && k->parameter_status(k->ctx, st->gname, st->gvalue))
            return sink_err(err);
        return k->command_complete(k->ctx, "SET") ? sink_err(err) : RDB_OK;
    case K_SHOW: {
        const char *v = guc_get(s, st->gname);
        if (!v)
            return rdb_err_set(err, RDB_SQL, "42704", "unrecognized configuration parameter \"%s\"",
                               st->gname);
        rdb_coldesc_t c = st->cols[0];
        if (p)
            c.format = p->cols[0].format;
        if (!p && k->row_desc(k->ctx, 1, &c))
            return sink_err(err);
        const char *vals[1] = { v };
        int32_t lens[1] = { (int32_t)strlen(v) };
        if (k->data_row(k->ctx, 1, vals, lens) || k->command_complete(k->ctx, "SHOW"))
            return sink_err(err);
        return RDB_OK;
    }
    case K_COPY_IN:
        if (p)
            return rdb_err_set(err, RDB_SQL, RDB_SQLSTATE_FEATURE_NOT_SUPPORTED,
                               "COPY in the extended protocol is not supported by the built-in backend");
        if (k->copy_in_begin(k->ctx, 0, 1, (int16_t[]){ 0 }))
            return sink_err(err);
        s->in_copy = true;
        rdb_buf_reset(&s->copybuf);
        *state = RDB_EXEC_COPY_IN;
        return RDB_OK;
    case K_COPY_OUT: {
        if (k->copy_out_begin(k->ctx, 0, 1, (int16_t[]){ 0 }))
            return sink_err(err);
        pthread_mutex_lock(&e->mu);
        int rc = e->table.len ? k->copy_out_data(k->ctx, e->table.data, e->table.len) : 0;
        int64_t n = e->nrows;
        pthread_mutex_unlock(&e->mu);
        snprintf(tag, sizeof tag, "COPY %lld", (long long)n);
        if (rc || k->copy_out_end(k->ctx) || k->command_complete(k->ctx, tag))
            return sink_err(err);
        return RDB_OK;
    }
    case K_SELECT:
        break;
    }

    /* SELECT */
    if ((has_kind(st, I_SLEEP) || big_series(st)) && (flags & RDB_EXEC_ON_LOOP)) {
        *state = RDB_EXEC_OFFLOAD;
        return RDB_OK;
    }
    const char *to = guc_get(s, "statement_timeout");
    int64_t tms = 0;
    if (to)
        rdb_parse_duration_ms(to, &tms);
    int64_t deadline = tms > 0 ? rdb_clock_mono_ms() + tms : 0;
    int n = st->nitems;
    const rdb_coldesc_t *cols = p ? p->cols : st->cols;
    if (!p && describe && k->row_desc(k->ctx, n, cols))
        return sink_err(err);
    int64_t nrows = 1;
    for (int i = 0; i < n; i++)
        if (st->items[i].kind == I_SERIES)
            nrows = st->items[i].ival < 0 ? 0 : st->items[i].ival;
    int64_t pos = p ? p->pos : 0;
    char bufs[MAX_ITEMS][24];
    const char *vals[MAX_ITEMS];
    int32_t lens[MAX_ITEMS];
    int64_t sent = 0;
    for (; pos < nrows; pos++) {
        if (max_rows > 0 && sent == max_rows) {
            p->pos = pos;
            *state = RDB_EXEC_SUSPENDED;
            return RDB_OK;
        }
        if ((pos & 1023) == 0) {
            rdb_status_t rc = check_cancel(s, deadline, err);
            if (rc != RDB_OK)
                return rc;
        }
        for (int i = 0; i < n; i++) {
            const item_t *it = &st->items[i];
            int16_t f = cols[i].format;
            switch (it->kind) {
            case I_INT:
                lens[i] = fmt_int(it->ival, it->type, f, bufs[i]);
                vals[i] = bufs[i];
                break;
            case I_SERIES:
                lens[i] = fmt_int(pos + 1, it->type, f, bufs[i]);
                vals[i] = bufs[i];
                break;
            case I_TEXT:
                vals[i] = it->text;
                lens[i] = (int32_t)strlen(it->text);
                break;
            case I_DIVZERO:
                return rdb_err_set(err, RDB_SQL, "22012", "division by zero");
            case I_SLEEP: {
                int64_t end = rdb_clock_mono_ms() + (int64_t)(it->secs * 1000);
                for (;;) {
                    rdb_status_t rc = check_cancel(s, deadline, err);
                    if (rc != RDB_OK)
                        return rc;
                    int64_t now = rdb_clock_mono_ms();
                    if (now >= end)
                        break;
                    int64_t step = end - now < 10 ? end - now : 10;
                    struct timespec ts = { 0, (long)step * 1000000L };
                    nanosleep(&ts, NULL);
                }
                vals[i] = "";
                lens[i] = 0;
                break;
            }
            case I_PARAM: {
                int idx = (int)it->ival;
                if (!p) {
                    return rdb_err_set(err, RDB_SQL, "42P02", "there is no parameter $%d", idx + 1);
                }
                vals[i] = p->vals[idx];
                lens[i] = p->lens[idx];
                if (vals[i] && it->type == OID_INT4 && p->pfmt[idx] != f) {
                    int64_t v;
                    if (p->pfmt[idx] == 1) {
                        const unsigned char *u = (const unsigned char *)vals[i];
                        v = (int32_t)(((uint32_t)u[0] << 24) | ((uint32_t)u[1] << 16) |
                                      ((uint32_t)u[2] << 8) | u[3]);
                    } else {
                        v = strtoll(vals[i], NULL, 10);
                    }
                    lens[i] = fmt_int(v, OID_INT4, f, bufs[i]);
                    vals[i] = bufs[i];
                }
                break;
            }
            }
        }
        if (k->data_row(k->ctx, n, vals, lens))
            return sink_err(err);
        sent++;
    }
    if (p) {
        p->pos = pos;
        p->done = true;
    }
    snprintf(tag, sizeof tag, "SELECT %lld", (long long)(p ? sent : nrows));
    return k->command_complete(k->ctx, tag) ? sink_err(err) : RDB_OK;
}

/* ---- vtable ---- */

static rdb_status_t b_session_open(rdb_engine_t *e, const rdb_startup_t *st, rdb_session_t **out,
                                   rdb_err_t *err)
{
    if (st->database && strcmp(st->database, "postgres") != 0 && strcmp(st->database, "ringdb") != 0 &&
        strcmp(st->database, st->user ? st->user : "") != 0)
        return rdb_err_set(err, RDB_SQL, "3D000", "database \"%s\" does not exist", st->database);
    rdb_session_t *s = calloc(1, sizeof *s);
    s->e = e;
    s->txn = 'I';
    guc_set(s, "server_version", "15.4 (ringdb 0.1.0)");
    guc_set(s, "server_encoding", "UTF8");
    guc_set(s, "client_encoding", "UTF8");
    guc_set(s, "DateStyle", "ISO, MDY");
    guc_set(s, "TimeZone", "UTC");
    guc_set(s, "integer_datetimes", "on");
    guc_set(s, "IntervalStyle", "postgres");
    guc_set(s, "is_superuser", st->superuser ? "on" : "off");
    guc_set(s, "session_authorization", st->user ? st->user : "");
    guc_set(s, "application_name", st->application_name ? st->application_name : "");
    guc_set(s, "standard_conforming_strings", "on");
    guc_set(s, "default_transaction_read_only", "off");
    guc_set(s, "in_hot_standby", "off");
    guc_set(s, "statement_timeout", "0");
    guc_set(s, "idle_in_transaction_session_timeout", "0");
    for (int i = 0; i < st->nguc; i++)
        guc_set(s, st->guc_names[i], st->guc_values[i]);
    *out = s;
    return RDB_OK;
}

static void b_session_close(rdb_session_t *s)
{
    for (int i = 0; i < s->nguc; i++) {
        free(s->gname[i]);
        free(s->gval[i]);
    }
    free(s->rest);
    rdb_buf_free(&s->copybuf);
    free(s);
}

static int b_session_params(rdb_session_t *s, const char *const **names, const char *const **values)
{
    int n = 0;
    for (int i = 0; reported[i] && n < 16; i++) {
        const char *v = guc_get(s, reported[i]);
        if (v) {
            s->pnames[n] = reported[i];
            s->pvalues[n] = v;
            n++;
        }
    }
    *names = s->pnames;
    *values = s->pvalues;
    return n;
}

static rdb_status_t b_role_lookup(rdb_engine_t *e, const char *user, rdb_role_info_t *out,
                                  rdb_err_t *err)
{
    memset(out, 0, sizeof *out);
    out->can_login = true;
    out->superuser = true;
    return RDB_OK;
}

/* Next statement of a simple query: [*pos, end) split at ';' outside quotes. */
static char *next_stmt(const char **pos)
{
    const char *p = *pos, *b = p;
    char q = 0;
    for (; *p; p++) {
        if (q) {
            if (*p == q)
                q = 0;
        } else if (*p == '\'' || *p == '"') {
            q = *p;
        } else if (*p == ';') {
            break;
        }
    }
    char *s = strndup(b, (size_t)(p - b));
    *pos = *p ? p + 1 : p;
    return s;
}

static bool only_ws(const char *p)
{
    while (isspace((unsigned char)*p))
        p++;
    return !*p;
}

static rdb_status_t simple_from(rdb_session_t *s, const char *sql, int flags, rdb_sink_t *k,
                                rdb_exec_state_t *state, rdb_err_t *err)
{
    const char *pos = sql;
    bool any = false;
    *state = RDB_EXEC_DONE;
    while (*pos) {
        if (any && only_ws(pos))
            break;
        const char *start = pos;
        char *one = next_stmt(&pos);
        rdb_stmt_t st;
        rdb_status_t rc = parse(one, NULL, 0, &st, err);
        if (rc == RDB_OK && st.kind == K_EMPTY && (any || *pos)) {
            free(one);
            stmt_free_items(&st);
            any = true;
            continue;
        }
        any = true;
        if (rc == RDB_OK) {
            if (st.nparams)
                rc = rdb_err_set(err, RDB_SQL, "42P02", "there is no parameter $1");
            else
                rc = run(s, &st, NULL, 0, flags, true, k, state, err);
        }
        if (err->position)
            err->position += (int)(start - sql);
        stmt_free_items(&st);
        free(one);
        if (rc != RDB_OK) {
            if (s->txn == 'T')
                s->txn = 'E';
            return rc;
        }
        if (*state == RDB_EXEC_OFFLOAD) {
            /* re-issue from this statement: nothing after it has run */
            free(s->rest);
            s->rest = strdup(start);
            return RDB_OK;
        }
        if (*state == RDB_EXEC_COPY_IN) {
            free(s->rest);
            s->rest = strdup(pos);
            return RDB_OK;
        }
    }
    if (!any && k->empty_query(k->ctx))
        return sink_err(err);
    return RDB_OK;
}

static rdb_status_t b_simple_query(rdb_session_t *s, const char *sql, int flags, rdb_sink_t *k,
                                   rdb_exec_state_t *state, rdb_err_t *err)
{
    return simple_from(s, sql, flags, k, state, err);
}

static rdb_status_t b_simple_query_resume(rdb_session_t *s, rdb_sink_t *k, rdb_exec_state_t *state,
                                          rdb_err_t *err)
{
    char *rest = s->rest;
    s->rest = NULL;
    *state = RDB_EXEC_DONE;
    if (!rest)
        return RDB_OK;
    rdb_status_t rc = only_ws(rest) ? RDB_OK : simple_from(s, rest, 0, k, state, err);
    free(rest);
    return rc;
}

static rdb_status_t b_prepare(rdb_session_t *s, const char *sql, int nparams, const uint32_t *ptypes,
                              rdb_stmt_t **out, rdb_err_t *err)
{
    rdb_stmt_t *st = malloc(sizeof *st);
    const char *pos = sql;
    char *one = next_stmt(&pos);
    rdb_status_t rc = only_ws(pos) ? parse(one, ptypes, nparams, st, err)
                                   : rdb_err_set(err, RDB_SQL, RDB_SQLSTATE_SYNTAX_ERROR,
                                                 "cannot insert multiple commands into a prepared statement");
    free(one);
    if (rc != RDB_OK) {
        stmt_free_items(st);
        free(st);
        return rc;
    }
    *out = st;
    return RDB_OK;
}

static void b_stmt_describe(rdb_stmt_t *st, int *nparams, const uint32_t **ptypes, int *ncols,
                            const rdb_coldesc_t **cols)
{
    *nparams = st->nparams;
    *ptypes = st->ptypes;
    int n = st->kind == K_SELECT ? st->nitems : st->kind == K_SHOW ? 1 : 0;
    *ncols = n;
    *cols = n ? st->cols : NULL;
}

static void b_stmt_free(rdb_stmt_t *st)
{
    stmt_free_items(st);
    free(st);
}

static rdb_status_t b_bind(rdb_session_t *s, rdb_stmt_t *st, int nparams, const int16_t *formats,
                           const char *const *values, const int32_t *lens, int nresult,
                           const int16_t *rf, rdb_portal_t **out, rdb_err_t *err)
{
    if (nparams != st->nparams)
        return rdb_err_set(err, RDB_PROTOCOL, RDB_SQLSTATE_PROTOCOL_VIOLATION,
                           "bind message supplies %d parameters, but prepared statement requires %d",
                           nparams, st->nparams);
    int ncols = st->kind == K_SHOW ? 1 : st->nitems;
    if (nresult > 1 && nresult != ncols)
        return rdb_err_set(err, RDB_PROTOCOL, RDB_SQLSTATE_PROTOCOL_VIOLATION,
                           "bind message has %d result formats but query has %d columns", nresult, ncols);
    for (int i = 0; i < nresult; i++)
        if (rf[i] != 0 && rf[i] != 1)
            return rdb_err_set(err, RDB_PROTOCOL, RDB_SQLSTATE_PROTOCOL_VIOLATION,
                               "unsupported format code: %d", rf[i]);
    for (int i = 0; i < nparams; i++) {
        if (formats[i] == 1 && values[i] && st->ptypes[i] == OID_INT4 && lens[i] != 4)
            return rdb_err_set(err, RDB_SQL, "22P03",
                               "incorrect binary data format in bind parameter %d", i + 1);
        if (formats[i] == 0 && values[i] && st->ptypes[i] == OID_INT4) {
            char *end;
            char tmp[32];
            int32_t n = lens[i] < 31 ? lens[i] : 31;
            memcpy(tmp, values[i], (size_t)n);
            tmp[n] = 0;
            strtol(tmp, &end, 10);
            if (!tmp[0] || *end)
                return rdb_err_set(err, RDB_SQL, "22P02",
                                   "invalid input syntax for type integer: \"%s\"", tmp);
        }
    }
    rdb_portal_t *p = calloc(1, sizeof *p);
    p->st = st;
    for (int i = 0; i < nparams; i++) {
        p->pfmt[i] = formats[i];
        p->lens[i] = lens[i];
        if (values[i]) {
            p->vals[i] = malloc((size_t)lens[i] + 1);
            memcpy(p->vals[i], values[i], (size_t)lens[i]);
            p->vals[i][lens[i]] = 0;
        }
    }
    for (int i = 0; i < ncols; i++) {
        p->cols[i] = st->cols[i];
        p->cols[i].format = col_format(nresult, rf, i);
        if (st->kind == K_SELECT && st->items[i].kind == I_PARAM && st->items[i].type == OID_TEXT)
            p->cols[i].format = p->cols[i].format; /* text bytes are the same in both formats */
    }
    *out = p;
    return RDB_OK;
}

static void b_portal_describe(rdb_portal_t *p, int *ncols, const rdb_coldesc_t **cols)
{
    int n = p->st->kind == K_SELECT ? p->st->nitems : p->st->kind == K_SHOW ? 1 : 0;
    *ncols = n;
    *cols = n ? p->cols : NULL;
}

static rdb_status_t b_execute(rdb_session_t *s, rdb_portal_t *p, int64_t max_rows, int flags,
                              rdb_sink_t *k, rdb_exec_state_t *state, rdb_err_t *err)
{
    if (p->done && p->st->kind == K_SELECT) {
        *state = RDB_EXEC_DONE;
        return k->command_complete(k->ctx, "SELECT 0") ? sink_err(err) : RDB_OK;
    }
    rdb_status_t rc = run(s, p->st, p, max_rows, flags, false, k, state, err);
    if (rc != RDB_OK && s->txn == 'T')
        s->txn = 'E';
    return rc;
}

static void b_portal_free(rdb_portal_t *p)
{
    for (int i = 0; i < MAX_ITEMS; i++)
        free(p->vals[i]);
    free(p);
}

static rdb_status_t b_sync(rdb_session_t *s, rdb_err_t *err) { return RDB_OK; }

static rdb_status_t b_copy_in_data(rdb_session_t *s, const char *data, size_t len, rdb_err_t *err)
{
    rdb_buf_append(&s->copybuf, data, len);
    return RDB_OK;
}

static rdb_status_t b_copy_in_done(rdb_session_t *s, rdb_sink_t *k, rdb_err_t *err)
{
    rdb_engine_t *e = s->e;
    s->in_copy = false;
    /* Text format: rows end in '\n'; a final "\\.\n" line ends the data. */
    int64_t n = 0;
    const char *p = s->copybuf.data, *end = p + s->copybuf.len;
    pthread_mutex_lock(&e->mu);
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        if (le - p == 2 && p[0] == '\\' && p[1] == '.')
            break;
        rdb_buf_append(&e->table, p, (size_t)(le - p));
        rdb_buf_append_u8(&e->table, '\n');
        n++;
        p = nl ? nl + 1 : end;
    }
    e->nrows += n;
    pthread_mutex_unlock(&e->mu);
    rdb_buf_reset(&s->copybuf);
    char tag[32];
    snprintf(tag, sizeof tag, "COPY %lld", (long long)n);
    return k->command_complete(k->ctx, tag) ? sink_err(err) : RDB_OK;
}

static void b_copy_in_fail(rdb_session_t *s, const char *msg)
{
    s->in_copy = false;
    rdb_buf_reset(&s->copybuf);
    free(s->rest);
    s->rest = NULL;
    if (s->txn == 'T')
        s->txn = 'E';
}

static char b_txn_status(rdb_session_t *s) { return s->txn; }
static void b_cancel(rdb_session_t *s) { atomic_store(&s->cancel, 1); }

void rdb_builtin_backend_init(rdb_backend_t *b)
{
    rdb_engine_t *e = calloc(1, sizeof *e);
    pthread_mutex_init(&e->mu, NULL);
    *b = (rdb_backend_t){
        .engine = e,
        .session_open = b_session_open,
        .session_close = b_session_close,
        .session_params = b_session_params,
        .role_lookup = b_role_lookup,
        .simple_query = b_simple_query,
        .simple_query_resume = b_simple_query_resume,
        .prepare = b_prepare,
        .stmt_describe = b_stmt_describe,
        .stmt_free = b_stmt_free,
        .bind = b_bind,
        .portal_describe = b_portal_describe,
        .execute = b_execute,
        .portal_free = b_portal_free,
        .sync = b_sync,
        .copy_in_data = b_copy_in_data,
        .copy_in_done = b_copy_in_done,
        .copy_in_fail = b_copy_in_fail,
        .txn_status = b_txn_status,
        .cancel = b_cancel,
    };
}

void rdb_builtin_backend_free(rdb_backend_t *b)
{
    if (!b->engine)
        return;
    rdb_buf_free(&b->engine->table);
    pthread_mutex_destroy(&b->engine->mu);
    free(b->engine);
    b->engine = NULL;
}
