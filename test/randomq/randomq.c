/*
 * randomq.c — the random-query test's client (issue #4, item 3).
 *
 * Loads gen.c's schema and data into two servers over libpq (a reference,
 * PostgreSQL 15, and a target, ringdb or a second PostgreSQL database), runs
 * N generated statements on both, and compares:
 *
 *  - results where both succeed: as multisets of rows, except that where the
 *    statement's ORDER BY defines an order, the ORDER BY keys must come in
 *    the same sequence (rows tied on the keys still compare as a multiset);
 *    double precision columns compare with a relative tolerance;
 *  - errors: SQLSTATE of both sides, and one-sided errors grouped by SQLSTATE
 *    and message;
 *  - after INSERT/UPDATE/DELETE also the written table's contents, after which
 *    both sides get the original rows back, so every statement sees the same
 *    data whatever ran before it (statement i can be re-run alone).
 *
 * It fails (whatever the comparison) if the target loses the connection or
 * its process dies (a crash, exit 3), if a statement does not finish even
 * after a cancel (a hang, exit 4), or if any error lacks a SQLSTATE (exit 1).
 * With --strict, every mismatch and one-sided error fails the run (the
 * PostgreSQL-vs-PostgreSQL sanity runs); with --min-equal N, fewer than N
 * equal results fail it.  Exit 77 when the target cannot create the schema.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "common/buf.h"
#include "common/mem.h"
#include "gen.h"

#define EXIT_FAIL   1
#define EXIT_SETUP  2
#define EXIT_CRASH  3
#define EXIT_HANG   4
#define EXIT_SKIP   77

#define FLOAT4OID 700
#define FLOAT8OID 701
#define TEXTOID 25

/* ---- one side's outcome ------------------------------------------------ */

typedef enum { OUT_OK, OUT_ERROR, OUT_LOST, OUT_HANG } out_status;

typedef struct outcome {
    out_status status;
    char       sqlstate[6];  /* "" when the error carried none */
    char      *msg;          /* error message (owned) */
    int        ncols, nrows;
    Oid       *types;
    char     **vals;         /* nrows * ncols, NULL for SQL NULL (owned) */
    char      *cmdstatus;    /* command tag (owned) */
} outcome_t;

static void outcome_free(outcome_t *o)
{
    free(o->msg);
    free(o->types);
    if (o->vals)
        for (long i = 0; i < (long)o->nrows * o->ncols; i++)
            free(o->vals[i]);
    free(o->vals);
    free(o->cmdstatus);
    memset(o, 0, sizeof *o);
}

static const char *val(const outcome_t *o, int r, int c) { return o->vals[(long)r * o->ncols + c]; }

typedef struct side {
    const char *name;      /* "reference" / "target" */
    const char *conninfo;
    PGconn     *conn;
    long        pid;       /* server process to watch, 0 if none */
    bool        perturb;   /* load other rows into t1 (the mismatch self-test) */
} side_t;

/* The rows of table t on side s. */
static char *side_rows(const side_t *s, int t, uint64_t seed)
{
    return rq_table_insert(t, s->perturb && t == 0 ? seed + 1 : seed);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void quiet_notice(void *arg, const char *msg) { (void)arg; (void)msg; }

static bool side_connect(side_t *s)
{
    s->conn = PQconnectdb(s->conninfo);
    if (PQstatus(s->conn) != CONNECTION_OK) {
        fprintf(stderr, "randomq: cannot connect to the %s (%s): %s", s->name, s->conninfo,
                PQerrorMessage(s->conn));
        return false;
    }
    PQsetNoticeProcessor(s->conn, quiet_notice, NULL);
    return true;
}

/* Errors without a SQLSTATE, any statement (set-up, restores) included. */
static long missing_sqlstate;

/* Wait until each of the n connections has a complete result (or has
 * failed: PQgetResult will say how) or the deadline passes.  done[i] and
 * fin[i] (the time it finished) are set for the ones that finished. */
static void wait_ready(PGconn **c, int n, bool *done, double *fin, double deadline)
{
    for (;;) {
        fd_set rf;
        FD_ZERO(&rf);
        int maxfd = -1;
        for (int i = 0; i < n; i++) {
            if (done[i])
                continue;
            int fd = PQsocket(c[i]);
            if (!PQisBusy(c[i]) || fd < 0) {
                done[i] = true;
                fin[i] = now_s();
                continue;
            }
            FD_SET(fd, &rf);
            maxfd = fd > maxfd ? fd : maxfd;
        }
        double left = deadline - now_s();
        if (maxfd < 0 || left <= 0)
            return;
        struct timeval tv = { (time_t)left, (suseconds_t)((left - (long)left) * 1e6) };
        if (select(maxfd + 1, &rf, NULL, NULL, &tv) < 0 && errno != EINTR)
            FD_ZERO(&rf);
        for (int i = 0; i < n; i++)
            if (!done[i] && FD_ISSET(PQsocket(c[i]), &rf) && !PQconsumeInput(c[i])) {
                done[i] = true; /* connection trouble: PQgetResult reports it */
                fin[i] = now_s();
            }
    }
}

/* Send sql on side s.  sig: a signal for the server process serving the
 * session once the statement is on its way (0, or SIGKILL / SIGSTOP for the
 * crash and hang self-tests).  False, with *o filled in, if it could not be
 * sent. */
static bool send_sql(side_t *s, const char *sql, int sig, outcome_t *o)
{
    memset(o, 0, sizeof *o);
    /* Signalled before the statement is sent.  A signal sent after it could
     * lose the race on a loaded machine: preempted between the send and the
     * kill, this process would find the answer already in the socket, and the
     * crash would show up only at the next statement (or at reading a table
     * back after DML), not at statement I. */
    if (sig)
        kill((pid_t)PQbackendPID(s->conn), sig);
    if (!PQsendQuery(s->conn, sql)) {
        o->status = PQstatus(s->conn) == CONNECTION_BAD ? OUT_LOST : OUT_ERROR;
        o->msg = rdb_strdup(PQerrorMessage(s->conn));
        return false;
    }
    return true;
}

/* Fill *o with the result of the statement sent on s.  ready: the result
 * has arrived (wait_ready); if not, cancel and wait grace seconds more. */
static void collect_sql(side_t *s, bool ready, double grace, outcome_t *o)
{
    if (!ready) {
        PGcancel *cn = PQgetCancel(s->conn);
        char eb[256];
        if (cn) {
            PQcancel(cn, eb, sizeof eb);
            PQfreeCancel(cn);
        }
        double fin;
        wait_ready(&s->conn, 1, &ready, &fin, now_s() + grace);
        if (!ready) {
            o->status = OUT_HANG;
            return;
        }
    }
    PGresult *res, *keep = NULL;
    while ((res = PQgetResult(s->conn)) != NULL) {
        /* One statement gives one result; keep the first error if any. */
        if (!keep || (PQresultStatus(keep) != PGRES_FATAL_ERROR &&
                      PQresultStatus(res) == PGRES_FATAL_ERROR)) {
            PQclear(keep);
            keep = res;
        } else {
            PQclear(res);
        }
    }
    if (PQstatus(s->conn) == CONNECTION_BAD) {
        o->status = OUT_LOST;
        o->msg = rdb_strdup(PQerrorMessage(s->conn));
        PQclear(keep);
        return;
    }
    if (!keep) {
        o->status = OUT_ERROR;
        o->msg = rdb_strdup("no result");
        return;
    }
    ExecStatusType st = PQresultStatus(keep);
    if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) {
        o->status = OUT_OK;
        o->cmdstatus = rdb_strdup(PQcmdStatus(keep));
        o->ncols = PQnfields(keep);
        o->nrows = PQntuples(keep);
        o->types = rdb_calloc((size_t)o->ncols + 1, sizeof(Oid));
        for (int c = 0; c < o->ncols; c++)
            o->types[c] = PQftype(keep, c);
        o->vals = rdb_calloc((size_t)o->nrows * (size_t)o->ncols + 1, sizeof(char *));
        for (int r = 0; r < o->nrows; r++)
            for (int c = 0; c < o->ncols; c++)
                if (!PQgetisnull(keep, r, c))
                    o->vals[(long)r * o->ncols + c] = rdb_strdup(PQgetvalue(keep, r, c));
    } else {
        o->status = OUT_ERROR;
        const char *ss = PQresultErrorField(keep, PG_DIAG_SQLSTATE);
        snprintf(o->sqlstate, sizeof o->sqlstate, "%s", ss ? ss : "");
        if (!o->sqlstate[0])
            missing_sqlstate++;
        const char *m = PQresultErrorField(keep, PG_DIAG_MESSAGE_PRIMARY);
        o->msg = rdb_strdup(m ? m : PQresultErrorMessage(keep));
        size_t n = strlen(o->msg);
        while (n && o->msg[n - 1] == '\n')
            o->msg[--n] = '\0';
    }
    PQclear(keep);
}

/* How long to wait for an answer after a cancel. */
static double grace(double timeout) { return timeout / 2 < 10 ? timeout / 2 : 10; }

/* Run sql on side s alone and fill *o. */
static void run_sql(side_t *s, const char *sql, double timeout, outcome_t *o)
{
    if (!send_sql(s, sql, 0, o))
        return;
    bool done = false;
    double fin;
    wait_ready(&s->conn, 1, &done, &fin, now_s() + timeout);
    collect_sql(s, done, grace(timeout), o);
}

/* Run sql on both sides at once; *ta / *tb get each side's time. */
static void run_both(side_t *ref, side_t *tgt, const char *sql, double timeout, int sig_tgt,
                     outcome_t *a, outcome_t *b, double *ta, double *tb)
{
    double t0 = now_s();
    bool sa = send_sql(ref, sql, 0, a), sb = send_sql(tgt, sql, sig_tgt, b);
    PGconn *c[2] = { ref->conn, tgt->conn };
    bool done[2] = { !sa, !sb };
    double fin[2] = { t0, t0 };
    wait_ready(c, 2, done, fin, t0 + timeout);
    if (sa)
        collect_sql(ref, done[0], grace(timeout), a);
    if (sb)
        collect_sql(tgt, done[1], grace(timeout), b);
    *ta = fin[0] - t0;
    *tb = fin[1] - t0;
}

/* ---- comparing results ------------------------------------------------- */

typedef struct cmpctx {
    const outcome_t *o;
    const bool      *flt;   /* per column: compare as double */
} cmpctx_t;

/* --float-text: text values that both parse as numbers also compare within
 * the float tolerance (a float cast to text prints as many digits as the
 * server's extra_float_digits says). */
static bool float_text;

static bool is_float_col(const outcome_t *a, const outcome_t *b, int c)
{
    if (float_text && (a->types[c] == TEXTOID || b->types[c] == TEXTOID))
        return true;
    return a->types[c] == FLOAT4OID || a->types[c] == FLOAT8OID || b->types[c] == FLOAT4OID ||
           b->types[c] == FLOAT8OID;
}

static bool parse_double(const char *s, double *d)
{
    char *end;
    errno = 0;
    *d = strtod(s, &end);
    return *s && *end == '\0';
}

/* Set when a comparison needed the float tolerance (reset per statement). */
static bool used_tolerance;

static bool doubles_close(double a, double b)
{
    return fabs(a - b) <= 1e-9 * fmax(fabs(a), fabs(b)) + 1e-12;
}

/* --float-text: texts equal but for the numbers in them ("x-56.1666666666667"
 * against "x-56.166666666666664", a float concatenated to a string), which
 * compare within the tolerance. */
static bool numbers_in_text_close(const char *x, const char *y)
{
    while (*x && *y) {
        if (isdigit((unsigned char)*x) && isdigit((unsigned char)*y)) {
            char *ex, *ey;
            double a = strtod(x, &ex), b = strtod(y, &ey);
            if (!isfinite(a) || !isfinite(b) || !doubles_close(a, b))
                return false;
            x = ex;
            y = ey;
            continue;
        }
        if (*x++ != *y++)
            return false;
    }
    return *x == *y;
}

static bool values_equal(const char *x, const char *y, bool flt)
{
    if (!x || !y)
        return x == y;
    if (strcmp(x, y) == 0)
        return true;
    double a, b;
    bool eq;
    if (!flt)
        return false;
    if (parse_double(x, &a) && parse_double(y, &b))
        eq = isfinite(a) && isfinite(b) && doubles_close(a, b);
    else
        eq = float_text && numbers_in_text_close(x, y);
    used_tolerance |= eq;
    return eq;
}

/* Order used to line rows up: NULL first, floats by value rounded to 10
 * significant digits (so that values equal within the tolerance sort
 * together), the rest by bytes. */
static int value_order(const char *x, const char *y, bool flt)
{
    if (!x || !y)
        return (x != NULL) - (y != NULL);
    double a, b;
    if (flt && parse_double(x, &a) && parse_double(y, &b)) {
        char ba[32], bb[32];
        snprintf(ba, sizeof ba, "%.9e", a);
        snprintf(bb, sizeof bb, "%.9e", b);
        a = strtod(ba, NULL);
        b = strtod(bb, NULL);
        if (a != b)
            return a < b ? -1 : 1;
        return 0;
    }
    return strcmp(x, y);
}

static const cmpctx_t *sort_ctx; /* qsort has no context argument */

static int row_order(const void *pa, const void *pb)
{
    int ra = *(const int *)pa, rb = *(const int *)pb;
    const outcome_t *o = sort_ctx->o;
    for (int c = 0; c < o->ncols; c++) {
        int d = value_order(val(o, ra, c), val(o, rb, c), sort_ctx->flt[c]);
        if (d)
            return d;
    }
    return 0;
}

static bool rows_equal(const outcome_t *a, int ra, const outcome_t *b, int rb, const bool *flt)
{
    for (int c = 0; c < a->ncols; c++)
        if (!values_equal(val(a, ra, c), val(b, rb, c), flt[c]))
            return false;
    return true;
}

/* Compare rows [lo, hi) of a and b as multisets. */
static bool range_equal_multiset(const outcome_t *a, const outcome_t *b, int lo, int hi,
                                 const bool *flt)
{
    int n = hi - lo;
    if (n <= 0)
        return true;
    int *ia = rdb_malloc(sizeof(int) * (size_t)n), *ib = rdb_malloc(sizeof(int) * (size_t)n);
    for (int i = 0; i < n; i++)
        ia[i] = ib[i] = lo + i;
    cmpctx_t ca = { a, flt }, cb = { b, flt };
    sort_ctx = &ca;
    qsort(ia, (size_t)n, sizeof(int), row_order);
    sort_ctx = &cb;
    qsort(ib, (size_t)n, sizeof(int), row_order);
    bool eq = true;
    for (int i = 0; i < n && eq; i++)
        eq = rows_equal(a, ia[i], b, ib[i], flt);
    free(ia);
    free(ib);
    return eq;
}

/* Are two successful results the same, given the statement's ORDER BY? */
static bool results_equal(const outcome_t *a, const outcome_t *b, const rq_stmt_t *st,
                          char *why, size_t whylen)
{
    if (a->ncols != b->ncols) {
        snprintf(why, whylen, "%d columns vs %d", a->ncols, b->ncols);
        return false;
    }
    if (a->nrows != b->nrows) {
        snprintf(why, whylen, "%d rows vs %d", a->nrows, b->nrows);
        return false;
    }
    bool flt[64] = { 0 };
    for (int c = 0; c < a->ncols && c < 64; c++)
        flt[c] = is_float_col(a, b, c);
    if (a->ncols > 64) {
        snprintf(why, whylen, "too many columns");
        return false;
    }
    if (st->norder == 0) {
        if (!range_equal_multiset(a, b, 0, a->nrows, flt)) {
            snprintf(why, whylen, "different rows");
            return false;
        }
        return true;
    }
    /* ORDER BY keys row by row; rows tied on every key as a multiset. */
    int lo = 0;
    for (int r = 0; r < a->nrows; r++) {
        for (int k = 0; k < st->norder; k++) {
            int c = st->order_cols[k];
            if (c < a->ncols && !values_equal(val(a, r, c), val(b, r, c), flt[c])) {
                snprintf(why, whylen, "ORDER BY key %d (column %d) differs at row %d", k + 1,
                         c + 1, r + 1);
                return false;
            }
        }
        bool last = r + 1 == a->nrows;
        bool tie = false;
        if (!last) {
            tie = true;
            for (int k = 0; k < st->norder && tie; k++) {
                int c = st->order_cols[k];
                if (c < a->ncols)
                    tie = values_equal(val(a, r, c), val(a, r + 1, c), flt[c]);
            }
        }
        if (!tie) {
            if (!range_equal_multiset(a, b, lo, r + 1, flt)) {
                snprintf(why, whylen, "different rows among rows %d-%d (tied on ORDER BY)",
                         lo + 1, r + 1);
                return false;
            }
            lo = r + 1;
        }
    }
    return true;
}

/* ---- report ------------------------------------------------------------ */

enum cat { C_EQUAL, C_MISMATCH, C_BOTH_ERR, C_TARGET_ERR, C_REF_ERR, C_NCATS };
static const char *const cat_names[C_NCATS] = {
    "equal (both ok)", "mismatch (both ok)", "both error", "error only on target",
    "error only on reference",
};

typedef struct errgroup {
    char *key;     /* "side sqlstate message" (normalised) */
    long  count;
    long  first;   /* statement index of the first occurrence */
} errgroup_t;

typedef struct errgroups {
    errgroup_t *v;
    size_t      n, cap;
} errgroups_t;

static bool is_word_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* Numbers in messages vary from statement to statement: fold them (not the
 * digits of a word such as int8). */
static char *normalise_msg(const char *msg)
{
    rdb_buf_t b = RDB_BUF_INIT;
    for (const char *p = msg; *p && b.len < 120; p++) {
        if (*p >= '0' && *p <= '9' && (p == msg || !is_word_char(p[-1]))) {
            while ((p[1] >= '0' && p[1] <= '9') || p[1] == '.')
                p++;
            rdb_buf_append_u8(&b, '#');
        } else if (*p == '\n') {
            break;
        } else {
            rdb_buf_append_u8(&b, (uint8_t)*p);
        }
    }
    rdb_buf_cstr(&b);
    return rdb_buf_detach(&b, NULL);
}

/* Count one occurrence; sqlstate NULL for a group that is not an error.
 * prefix (not folded) goes before the message. */
static void errgroup_add(errgroups_t *g, const char *sqlstate, const char *prefix,
                         const char *msg, long index)
{
    rdb_buf_t k = RDB_BUF_INIT;
    if (sqlstate) {
        char *nm = normalise_msg(msg ? msg : "");
        rdb_buf_printf(&k, "%-5s  %s%s", sqlstate[0] ? sqlstate : "-----", prefix, nm);
        free(nm);
    } else { /* not an error: the text as it is */
        rdb_buf_append_str(&k, msg);
    }
    rdb_buf_cstr(&k);
    for (size_t i = 0; i < g->n; i++)
        if (strcmp(g->v[i].key, k.data) == 0) {
            g->v[i].count++;
            rdb_buf_free(&k);
            return;
        }
    if (g->n == g->cap) {
        g->cap = g->cap ? g->cap * 2 : 32;
        g->v = rdb_realloc(g->v, g->cap * sizeof *g->v);
    }
    g->v[g->n++] = (errgroup_t){ rdb_buf_detach(&k, NULL), 1, index };
}

static int errgroup_cmp(const void *a, const void *b)
{
    const errgroup_t *x = a, *y = b;
    return (x->count < y->count) - (x->count > y->count);
}

static void errgroups_print(errgroups_t *g, const char *title, int limit)
{
    if (g->n == 0)
        return;
    qsort(g->v, g->n, sizeof *g->v, errgroup_cmp);
    printf("%s (%zu kinds):\n  %7s  %-8s %s\n", title, g->n, "count", "first", "sqlstate message");
    for (size_t i = 0; i < g->n && (int)i < limit; i++)
        printf("  %7ld  #%-7ld %s\n", g->v[i].count, g->v[i].first, g->v[i].key);
    if ((int)g->n > limit)
        printf("  ... %zu more\n", g->n - (size_t)limit);
}

static void errgroups_free(errgroups_t *g)
{
    for (size_t i = 0; i < g->n; i++)
        free(g->v[i].key);
    free(g->v);
}

static void print_outcome(const char *label, const outcome_t *o, int maxrows)
{
    switch (o->status) {
    case OUT_ERROR:
        printf("  %s: ERROR %s: %s\n", label, o->sqlstate[0] ? o->sqlstate : "(no SQLSTATE)",
               o->msg ? o->msg : "");
        return;
    case OUT_LOST:
        printf("  %s: connection lost: %s", label, o->msg ? o->msg : "\n");
        return;
    case OUT_HANG:
        printf("  %s: no answer, even after a cancel\n", label);
        return;
    case OUT_OK:
        break;
    }
    printf("  %s: %s, %d rows\n", label, o->cmdstatus ? o->cmdstatus : "", o->nrows);
    for (int r = 0; r < o->nrows && r < maxrows; r++) {
        printf("    ");
        for (int c = 0; c < o->ncols; c++) {
            const char *v = val(o, r, c);
            printf("%s%s", c ? " | " : "", !v ? "NULL" : !*v ? "(empty)" : v);
        }
        printf("\n");
    }
    if (o->nrows > maxrows)
        printf("    ... %d more rows\n", o->nrows - maxrows);
}

/* ---- options ----------------------------------------------------------- */

typedef struct opts {
    const char *ref, *target;
    long        n, start;
    uint64_t    seed;
    bool        seed_set;
    uint64_t    features;
    int         dml_pct;
    bool        strict;
    long        min_equal;
    int         show_mismatches;
    long        show;       /* -1, or print statement i and exit */
    long        kill_at;    /* -1, or SIGKILL the target's backend at i */
    long        stop_at;    /* -1, or SIGSTOP the target's backend at i */
    bool        perturb;
    bool        verbose;
    long        target_pid;
    double      timeout;
    double      slow_ms;    /* print statements slower than this, 0 = no */
    const char *ref_sql, *target_sql; /* run after loading the data */
} opts_t;

static void usage(void)
{
    fprintf(stderr,
            "usage: randomq --ref CONNINFO --target CONNINFO [options]\n"
            "       randomq --show I [--seed S] [--features LIST]\n"
            "  -n N                 statements to run (10000)\n"
            "  --seed S             seed (default: from the clock; printed)\n"
            "  --start I            first statement index (0); with -n 1 -v re-runs one\n"
            "  --features LIST      e.g. -window,-setop or -all,where,join (default all)\n"
            "  --dml PCT            share of INSERT/UPDATE/DELETE (6)\n"
            "  --strict             any mismatch or one-sided error fails\n"
            "  --float-text         numbers in text columns compare within the float tolerance\n"
            "  --min-equal N        fewer than N equal results fail\n"
            "  --show-mismatches K  print the first K mismatches in full (5)\n"
            "  --timeout SEC        per statement, before a cancel (20)\n"
            "  --ref-sql SQL        run on the reference after loading (e.g. ANALYZE)\n"
            "  --target-sql SQL     run on the target after loading\n"
            "  --slow-ms MS         print statements slower than MS on the reference\n"
            "  --target-pid PID     the target's server process, checked after a lost connection\n"
            "  --perturb            load other rows into the target's t1 (self-test)\n"
            "  --kill-target-backend-at I  SIGKILL the target's backend during statement I\n"
            "  --stop-target-backend-at I  SIGSTOP it instead (a hang; SIGKILLed afterwards)\n"
            "  -v                   print every statement and both outcomes\n"
            "features:");
    for (int f = 0; f < RQF_COUNT_; f++)
        fprintf(stderr, " %s", rq_feature_name(f));
    fprintf(stderr, "\n");
    exit(EXIT_SETUP);
}

static void parse_opts(int argc, char **argv, opts_t *o)
{
    *o = (opts_t){ .n = 10000, .features = RQF_ALL, .dml_pct = 6, .show_mismatches = 5,
                   .show = -1, .kill_at = -1, .stop_at = -1, .timeout = 20 };
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
#define ARG(name) (strcmp(a, name) == 0 && (v ? (i++, true) : (usage(), false)))
        if (ARG("--ref"))
            o->ref = v;
        else if (ARG("--target"))
            o->target = v;
        else if (ARG("-n"))
            o->n = atol(v);
        else if (ARG("--start"))
            o->start = atol(v);
        else if (ARG("--seed")) {
            o->seed = strtoull(v, NULL, 10);
            o->seed_set = true;
        } else if (ARG("--features")) {
            const char *bad;
            if (!rq_features_parse(v, &o->features, &bad)) {
                fprintf(stderr, "randomq: unknown feature '%s'; features:", bad);
                for (int f = 0; f < RQF_COUNT_; f++)
                    fprintf(stderr, " %s", rq_feature_name(f));
                fprintf(stderr, "\n");
                exit(EXIT_SETUP);
            }
        } else if (ARG("--dml"))
            o->dml_pct = atoi(v);
        else if (ARG("--min-equal"))
            o->min_equal = atol(v);
        else if (ARG("--show-mismatches"))
            o->show_mismatches = atoi(v);
        else if (ARG("--show"))
            o->show = atol(v);
        else if (ARG("--kill-target-backend-at"))
            o->kill_at = atol(v);
        else if (ARG("--stop-target-backend-at"))
            o->stop_at = atol(v);
        else if (ARG("--target-pid"))
            o->target_pid = atol(v);
        else if (ARG("--ref-sql"))
            o->ref_sql = v;
        else if (ARG("--target-sql"))
            o->target_sql = v;
        else if (ARG("--slow-ms"))
            o->slow_ms = atof(v);
        else if (ARG("--timeout"))
            o->timeout = atof(v);
        else if (strcmp(a, "--strict") == 0)
            o->strict = true;
        else if (strcmp(a, "--float-text") == 0)
            float_text = true;
        else if (strcmp(a, "--perturb") == 0)
            o->perturb = true;
        else if (strcmp(a, "-v") == 0)
            o->verbose = true;
        else
            usage();
#undef ARG
    }
    if (!o->seed_set)
        o->seed = ((uint64_t)time(NULL) * 1000003u) ^ (uint64_t)getpid();
}

/* ---- setup ------------------------------------------------------------- */

/* Run a setup or restore statement; false (and *o kept for the caller)
 * when it did not succeed. */
static bool setup_sql(side_t *s, const char *sql, double timeout, outcome_t *o)
{
    run_sql(s, sql, timeout, o);
    return o->status == OUT_OK;
}

/* Is the side's server process (if we know it) still running?  A process
 * that died but is not yet reaped is a zombie ('Z' in /proc/PID/stat); give
 * a dying one a moment to get there. */
static bool side_alive(const side_t *s)
{
    if (s->pid <= 0)
        return true;
    for (int tries = 0; tries < 5; tries++) {
        char path[64], buf[256];
        snprintf(path, sizeof path, "/proc/%ld/stat", s->pid);
        FILE *f = fopen(path, "r");
        if (!f)
            return kill((pid_t)s->pid, 0) == 0;
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        buf[n] = '\0';
        const char *st = strrchr(buf, ')'); /* "pid (comm) S ..." */
        if (st && (st[2] == 'Z' || st[2] == 'X'))
            return false;
        usleep(20000);
    }
    return true;
}

static int report_lost(const side_t *s, const char *what, const outcome_t *o)
{
    bool target = strcmp(s->name, "target") == 0;
    printf("randomq: FAIL: the %s %s during %s: %s", s->name,
           o->status == OUT_HANG ? "did not answer (even after a cancel)"
           : side_alive(s)       ? "closed the connection"
                                 : "server process died",
           what, o->msg ? o->msg : "\n");
    if (!target)
        return EXIT_SETUP;
    return o->status == OUT_HANG ? EXIT_HANG : EXIT_CRASH;
}

/* Create and fill the schema on one side.  Returns 0, or an exit code. */
static int load_schema(side_t *s, uint64_t seed, double timeout)
{
    bool target = strcmp(s->name, "target") == 0;
    for (int t = 0; t < rq_table_count(); t++) {
        char drop[64];
        snprintf(drop, sizeof drop, "DROP TABLE IF EXISTS %s", rq_table_name(t));
        char *ins = side_rows(s, t, seed);
        const char *stmts[] = { drop, rq_table_ddl(t), ins };
        for (int i = 0; i < 3; i++) {
            outcome_t o;
            /* A fresh node has no tables to drop: a DROP it does not know
             * is no reason to skip. */
            if (setup_sql(s, stmts[i], timeout, &o) || (i == 0 && o.status == OUT_ERROR)) {
                outcome_free(&o);
                continue;
            }
            int rc;
            if (o.status == OUT_LOST || o.status == OUT_HANG) {
                rc = report_lost(s, "the schema set-up", &o);
            } else {
                printf("randomq: the %s cannot create the schema: %.200s%s\n  ERROR %s: %s\n",
                       s->name, stmts[i], strlen(stmts[i]) > 200 ? "..." : "",
                       o.sqlstate[0] ? o.sqlstate : "(no SQLSTATE)", o.msg);
                rc = target ? (o.sqlstate[0] ? EXIT_SKIP : EXIT_FAIL) : EXIT_SETUP;
            }
            outcome_free(&o);
            free(ins);
            return rc;
        }
        free(ins);
    }
    return 0;
}

/* Put table t back to its original rows on one side. */
static bool restore_table(side_t *s, int t, uint64_t seed, double timeout, outcome_t *o)
{
    char sql[64];
    snprintf(sql, sizeof sql, "DELETE FROM %s", rq_table_name(t));
    if (!setup_sql(s, sql, timeout, o)) {
        /* Without DELETE: drop and create the table again. */
        if (o->status != OUT_ERROR)
            return false;
        outcome_free(o);
        snprintf(sql, sizeof sql, "DROP TABLE %s", rq_table_name(t));
        if (!setup_sql(s, sql, timeout, o))
            return false;
        outcome_free(o);
        if (!setup_sql(s, rq_table_ddl(t), timeout, o))
            return false;
    }
    outcome_free(o);
    char *ins = side_rows(s, t, seed);
    bool ok = setup_sql(s, ins, timeout, o);
    free(ins);
    if (ok)
        outcome_free(o);
    return ok;
}

/* A successful DML statement whose command tag counts no row. */
static bool wrote_nothing(const outcome_t *o)
{
    if (o->status != OUT_OK || !o->cmdstatus)
        return false;
    const char *sp = strrchr(o->cmdstatus, ' ');
    return sp && strcmp(sp, " 0") == 0;
}

/* ---- main -------------------------------------------------------------- */

typedef struct stats {
    long cat[C_NCATS];
    long same_state;              /* both error with the same SQLSTATE */
    long kinds[4];
    long feat[RQF_COUNT_][C_NCATS];
    long restore_failed;
    long type_diff;               /* equal values, other column types */
    long float_tol;               /* equal only within the float tolerance */
    double time_ref, time_tgt;     /* seconds spent in statements */
    struct slow {
        long   index;
        double ref, tgt;
    } slow[5];                     /* slowest statements, by the sum */
    long hist[5];                  /* statements by the slower side's time */
} stats_t;

static const double hist_ms[] = { 1, 5, 20, 100, 1e300 };

static void note_slow(stats_t *s, long i, double ref, double tgt)
{
    for (size_t h = 0; h < RDB_ARRAY_LEN(hist_ms); h++)
        if (fmax(ref, tgt) * 1e3 < hist_ms[h]) {
            s->hist[h]++;
            break;
        }
    int n = (int)RDB_ARRAY_LEN(s->slow), at = n;
    while (at > 0 && (s->slow[at - 1].index < 0 || ref + tgt > s->slow[at - 1].ref + s->slow[at - 1].tgt))
        at--;
    if (at == n)
        return;
    memmove(&s->slow[at + 1], &s->slow[at], sizeof s->slow[0] * (size_t)(n - at - 1));
    s->slow[at] = (struct slow){ i, ref, tgt };
}

static void show_statement(const opts_t *o, long i)
{
    rq_stmt_t st;
    rq_gen_statement(o->seed, (uint64_t)i, o->features, o->dml_pct, &st);
    printf("-- randomq --seed %" PRIu64 " statement %ld; features:", o->seed, i);
    for (int f = 0; f < RQF_COUNT_; f++)
        if (st.features & RQF_BIT(f))
            printf(" %s", rq_feature_name(f));
    if (st.norder) {
        printf("; ordered by output columns");
        for (int k = 0; k < st.norder; k++)
            printf(" %d", st.order_cols[k] + 1);
    }
    printf("\n%s;\n", st.sql);
    rq_stmt_free(&st);
}

/* Load both sides, run the statements, print the report; the exit code. */
static int run(const opts_t *op, side_t *refp, side_t *tgtp)
{
    /* Copies; the connections stay the caller's. */
    const opts_t o = *op;
    side_t ref = *refp, tgt = *tgtp;
    stats_t stt;
    memset(&stt, 0, sizeof stt);
    for (size_t k = 0; k < RDB_ARRAY_LEN(stt.slow); k++)
        stt.slow[k].index = -1;
    outcome_t so;
    if (!setup_sql(&ref, "SET statement_timeout = '10s'", o.timeout, &so)) {
        fprintf(stderr, "randomq: reference: %s\n", so.msg);
        outcome_free(&so);
        return EXIT_SETUP;
    }
    outcome_free(&so);
    int rc = load_schema(&ref, o.seed, o.timeout);
    if (rc == 0)
        rc = load_schema(&tgt, o.seed, o.timeout);
    if (rc)
        return rc;
    for (int k = 0; k < 2; k++) {
        const char *sql = k ? o.target_sql : o.ref_sql;
        side_t *sd = k ? &tgt : &ref;
        if (!sql)
            continue;
        if (!setup_sql(sd, sql, o.timeout, &so)) {
            fprintf(stderr, "randomq: %s: %s: %s\n", sd->name, sql, so.msg);
            outcome_free(&so);
            return EXIT_SETUP;
        }
        outcome_free(&so);
    }
    if (o.perturb)
        printf("randomq: the target's t1 holds other rows (self-test: mismatches expected)\n");

    errgroups_t tgt_err = { 0 }, ref_err = { 0 }, both_diff = { 0 }, type_diff = { 0 };
    int shown = 0, nosqlstate_shown = 0;
    bool dml_ok = true;
    double t0 = now_s();
    long done = 0;
    rc = 0;
    for (long i = o.start; i < o.start + o.n && rc == 0; i++) {
        done++; /* statements sent, the last one included if it crashed */
        rq_stmt_t st;
        uint64_t feats = o.features;
        if (!dml_ok)
            feats &= ~(RQF_BIT(RQF_INSERT) | RQF_BIT(RQF_UPDATE) | RQF_BIT(RQF_DELETE));
        rq_gen_statement(o.seed, (uint64_t)i, feats, o.dml_pct, &st);
        stt.kinds[st.kind]++;
        outcome_t a, b;
        double tref, ttgt;
        int sig = i == o.kill_at ? SIGKILL : i == o.stop_at ? SIGSTOP : 0;
        int backend = PQbackendPID(tgt.conn);
        run_both(&ref, &tgt, st.sql, o.timeout, sig, &a, &b, &tref, &ttgt);
        if (sig == SIGSTOP) /* the hang self-test: do not leave it stopped */
            kill((pid_t)backend, SIGKILL);
        stt.time_ref += tref;
        stt.time_tgt += ttgt;
        note_slow(&stt, i, tref, ttgt);
        if (o.slow_ms > 0 && tref * 1e3 > o.slow_ms)
            printf("-- #%ld slow: %.1f ms on the reference, %.1f on the target\n%s;\n", i,
                   tref * 1e3, ttgt * 1e3, st.sql);
        if (b.status == OUT_LOST || b.status == OUT_HANG) {
            printf("statement #%ld (reproduce: randomq --seed %" PRIu64 " --show %ld):\n%s\n", i,
                   o.seed, i, st.sql);
            rc = report_lost(&tgt, "a statement", &b);
            outcome_free(&a);
            outcome_free(&b);
            rq_stmt_free(&st);
            break;
        }
        if (a.status == OUT_LOST || a.status == OUT_HANG) {
            printf("statement #%ld: %s\n", i, st.sql);
            rc = report_lost(&ref, "a statement", &a);
            outcome_free(&a);
            outcome_free(&b);
            rq_stmt_free(&st);
            break;
        }
        for (int s = 0; s < 2; s++) {
            const outcome_t *x = s ? &b : &a;
            if (x->status == OUT_ERROR && !x->sqlstate[0] && ++nosqlstate_shown <= 5) {
                printf("randomq: FAIL: %s error without a SQLSTATE at #%ld: %s\n  %s\n",
                       s ? "target" : "reference", i, x->msg ? x->msg : "", st.sql);
            }
        }
        char why[320] = "";
        enum cat c;
        if (a.status == OUT_OK && b.status == OUT_OK) {
            used_tolerance = false;
            c = results_equal(&a, &b, &st, why, sizeof why) ? C_EQUAL : C_MISMATCH;
            stt.float_tol += c == C_EQUAL && used_tolerance;
            /* Same values in other types (say int8 for numeric): reported,
             * since drivers read the type. */
            if (c == C_EQUAL)
                for (int k = 0; k < a.ncols; k++)
                    if (a.types[k] != b.types[k]) {
                        char m[64];
                        snprintf(m, sizeof m, "reference type %u, target type %u", a.types[k],
                                 b.types[k]);
                        errgroup_add(&type_diff, NULL, "", m, i);
                        stt.type_diff++;
                        break;
                    }
            if (c == C_EQUAL && st.kind != RQ_SELECT && strcmp(a.cmdstatus, b.cmdstatus) != 0) {
                snprintf(why, sizeof why, "command tag %s vs %s", a.cmdstatus, b.cmdstatus);
                c = C_MISMATCH;
            }
        } else if (a.status == OUT_ERROR && b.status == OUT_ERROR) {
            c = C_BOTH_ERR;
            if (strcmp(a.sqlstate, b.sqlstate) == 0) {
                stt.same_state++;
            } else {
                char pre[32];
                snprintf(pre, sizeof pre, "(reference %s) ", a.sqlstate);
                errgroup_add(&both_diff, b.sqlstate, pre, b.msg, i);
            }
        } else if (b.status == OUT_ERROR) {
            c = C_TARGET_ERR;
            errgroup_add(&tgt_err, b.sqlstate, "", b.msg, i);
        } else {
            c = C_REF_ERR;
            errgroup_add(&ref_err, a.sqlstate, "", a.msg, i);
        }

        /* After DML: the written table must match too; then both sides get
         * the original rows back. */
        if (st.kind != RQ_SELECT) {
            int t = rq_table_find(st.table);
            outcome_t ta, tb;
            bool tables_agree = false;
            double t1, t2;
            run_both(&ref, &tgt, rq_table_select(t), o.timeout, false, &ta, &tb, &t1, &t2);
            if (tb.status == OUT_LOST || tb.status == OUT_HANG) {
                rc = report_lost(&tgt, "reading a table back", &tb);
            } else if (ta.status == OUT_OK && tb.status == OUT_OK) {
                rq_stmt_t all = { .norder = 0 };
                char w2[160];
                tables_agree = results_equal(&ta, &tb, &all, w2, sizeof w2);
                if (!tables_agree && c == C_EQUAL) {
                    snprintf(why, sizeof why, "table %s afterwards: %s", st.table, w2);
                    c = C_MISMATCH;
                } else if (!tables_agree && c == C_BOTH_ERR) {
                    /* A failed statement must leave no trace. */
                    snprintf(why, sizeof why, "table %s differs after both failed: %s",
                             st.table, w2);
                    c = C_MISMATCH;
                    if (strcmp(a.sqlstate, b.sqlstate) == 0)
                        stt.same_state--;
                }
            }
            /* Untouched only if both wrote no row and agree. */
            bool changed = !(c == C_EQUAL && wrote_nothing(&a) && wrote_nothing(&b)) &&
                           !(a.status == OUT_ERROR && b.status == OUT_ERROR && rc == 0 &&
                             tables_agree);
            if (rc == 0 && changed) {
                outcome_t ro;
                if (!restore_table(&ref, t, o.seed, o.timeout, &ro)) {
                    printf("randomq: restoring %s on the reference failed: %s\n", st.table,
                           ro.msg);
                    rc = EXIT_SETUP;
                    outcome_free(&ro);
                } else if (!restore_table(&tgt, t, o.seed, o.timeout, &ro)) {
                    if (ro.status == OUT_LOST || ro.status == OUT_HANG) {
                        rc = report_lost(&tgt, "restoring a table", &ro);
                    } else {
                        stt.restore_failed++;
                        printf("randomq: restoring %s on the target failed (%s: %s); "
                               "no more DML this run\n",
                               st.table, ro.sqlstate, ro.msg);
                        dml_ok = false;
                    }
                    outcome_free(&ro);
                }
            }
            outcome_free(&ta);
            outcome_free(&tb);
        }

        stt.cat[c]++;
        for (int f = 0; f < RQF_COUNT_; f++)
            if (st.features & RQF_BIT(f))
                stt.feat[f][c]++;
        if (o.verbose || (c == C_MISMATCH && shown < o.show_mismatches)) {
            if (c == C_MISMATCH)
                shown++;
            printf("-- #%ld %s%s%s\n%s;\n", i, cat_names[c], why[0] ? ": " : "", why, st.sql);
            print_outcome("reference", &a, 20);
            print_outcome("target", &b, 20);
        }
        outcome_free(&a);
        outcome_free(&b);
        rq_stmt_free(&st);
    }
    double el = now_s() - t0;

    /* The report. */
    printf("\nrandomq: seed %" PRIu64 ": %ld statements (%ld SELECT, %ld INSERT, %ld UPDATE, "
           "%ld DELETE) in %.1f s\n",
           o.seed, done, stt.kinds[RQ_SELECT], stt.kinds[RQ_INSERT], stt.kinds[RQ_UPDATE],
           stt.kinds[RQ_DELETE], el);
    for (int c = 0; c < C_NCATS; c++) {
        printf("  %-26s %7ld", cat_names[c], stt.cat[c]);
        if (c == C_BOTH_ERR)
            printf("  (same SQLSTATE %ld)", stt.same_state);
        printf("\n");
    }
    printf("  %-26s %7ld\n", "errors without SQLSTATE", missing_sqlstate);
    printf("time in statements: reference %.2f s, target %.2f s; slowest:", stt.time_ref,
           stt.time_tgt);
    for (size_t k = 0; k < RDB_ARRAY_LEN(stt.slow) && stt.slow[k].index >= 0; k++)
        printf(" #%ld (%.0f/%.0f ms)", stt.slow[k].index, stt.slow[k].ref * 1e3,
               stt.slow[k].tgt * 1e3);
    printf("\n  statements under 1/5/20/100 ms and over: %ld %ld %ld %ld %ld\n", stt.hist[0],
           stt.hist[1], stt.hist[2], stt.hist[3], stt.hist[4]);
    printf("  %-26s %7ld\n", "equal, other column types", stt.type_diff);
    printf("  %-26s %7ld\n", "equal within float toler.", stt.float_tol);
    if (stt.restore_failed)
        printf("  %-26s %7ld\n", "table restores failed", stt.restore_failed);
    errgroups_print(&tgt_err, "errors only on the target, by SQLSTATE and message", 25);
    errgroups_print(&ref_err, "errors only on the reference, by SQLSTATE and message", 25);
    errgroups_print(&both_diff, "both error, different SQLSTATE (target's error shown)", 15);
    errgroups_print(&type_diff, "equal values in other column types (first column that differs)",
                    15);
    printf("per feature:\n  %-10s %7s %7s %8s %7s %8s %8s\n", "feature", "stmts", "equal",
           "mismatch", "botherr", "tgt-err", "ref-err");
    for (int f = 0; f < RQF_COUNT_; f++) {
        long tot = 0;
        for (int c = 0; c < C_NCATS; c++)
            tot += stt.feat[f][c];
        if (!(o.features & RQF_BIT(f)))
            printf("  %-10s (off)\n", rq_feature_name(f));
        else
            printf("  %-10s %7ld %7ld %8ld %7ld %8ld %8ld\n", rq_feature_name(f), tot,
                   stt.feat[f][C_EQUAL], stt.feat[f][C_MISMATCH], stt.feat[f][C_BOTH_ERR],
                   stt.feat[f][C_TARGET_ERR], stt.feat[f][C_REF_ERR]);
    }
    errgroups_free(&tgt_err);
    errgroups_free(&ref_err);
    errgroups_free(&both_diff);
    errgroups_free(&type_diff);

    if (rc == 0 && tgt.pid > 0 && !side_alive(&tgt)) {
        printf("randomq: FAIL: the target's server process %ld is gone\n", tgt.pid);
        rc = EXIT_CRASH;
    }
    if (rc == 0 && missing_sqlstate) {
        printf("randomq: FAIL: %ld errors without a SQLSTATE\n", missing_sqlstate);
        rc = EXIT_FAIL;
    }
    if (rc == 0 && o.strict) {
        long bad = stt.cat[C_MISMATCH] + stt.cat[C_TARGET_ERR] + stt.cat[C_REF_ERR] +
                   (stt.cat[C_BOTH_ERR] - stt.same_state);
        if (bad) {
            printf("randomq: FAIL (strict): %ld statements differ\n", bad);
            rc = EXIT_FAIL;
        }
    }
    if (rc == 0 && stt.cat[C_EQUAL] < o.min_equal) {
        printf("randomq: FAIL: %ld equal results, the baseline wants at least %ld\n",
               stt.cat[C_EQUAL], o.min_equal);
        rc = EXIT_FAIL;
    }
    printf("randomq: %s (seed %" PRIu64 ")\n", rc == 0 ? "PASS" : "FAIL", o.seed);
    return rc;
}

int main(int argc, char **argv)
{
    opts_t o;
    parse_opts(argc, argv, &o);
    if (o.show >= 0) {
        show_statement(&o, o.show);
        return 0;
    }
    if (!o.ref || !o.target)
        usage();
    printf("randomq: seed %" PRIu64 ", statements %ld-%ld\n", o.seed, o.start,
           o.start + o.n - 1);
    fflush(stdout);

    side_t ref = { "reference", o.ref, NULL, 0, false };
    side_t tgt = { "target", o.target, NULL, o.target_pid, o.perturb };
    int rc = EXIT_SETUP;
    if (side_connect(&ref) && side_connect(&tgt))
        rc = run(&o, &ref, &tgt);
    PQfinish(ref.conn);
    PQfinish(tgt.conn);
    return rc;
}
