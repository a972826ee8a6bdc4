/*
 * slt.c — a runner for SQLite's sqllogictest format over libpq.
 *
 * It talks to any server that speaks the PostgreSQL protocol (ringdb or a
 * PostgreSQL used as the reference), so the same corpus measures both.
 *
 * Format (see ../shared/sqllogictest/README.md): records separated by blank
 * lines; `statement ok|error`, `query <types> [nosort|rowsort|valuesort]
 * [label]` with the expected values after `----`, `hash-threshold N`, `halt`,
 * and `skipif|onlyif <db>` before a record.  Our database name is
 * "postgresql".
 *
 * Value formatting follows the reference runner: NULL prints as "NULL", an
 * empty string as "(empty)", type I as a 64-bit integer, R with "%.3f", and
 * T with unprintable bytes replaced by '@'.  Results longer than the hash
 * threshold compare as "N values hashing to <md5 of each value + '\n'>".
 *
 * Every file runs in a fresh schema (`--reset schema`, default) or a fresh
 * database (`--reset database`), so tables of one file never leak into the
 * next.  Exit status: 0 when every executed record passed, 1 otherwise,
 * 2 on usage or connection errors.
 */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>
#include <openssl/evp.h>

#define DB_NAME "postgresql"

typedef struct str_vec {
    char  **v;
    size_t  n, cap;
} str_vec_t;

static void vec_push(str_vec_t *sv, char *s)
{
    if (sv->n == sv->cap) {
        sv->cap = sv->cap ? sv->cap * 2 : 64;
        sv->v = realloc(sv->v, sv->cap * sizeof(char *));
        if (!sv->v) {
            perror("realloc");
            exit(2);
        }
    }
    sv->v[sv->n++] = s;
}

static void vec_clear(str_vec_t *sv)
{
    for (size_t i = 0; i < sv->n; i++)
        free(sv->v[i]);
    sv->n = 0;
}

typedef struct runner {
    const char *conninfo;
    const char *reset;      /* "schema", "database" or "none" */
    PGconn     *conn;
    long        max_records; /* per file; 0 = all */
    bool        verbose;
    bool        stop_on_crash;
    int         hash_threshold;
    /* totals */
    long        passed, failed, skipped;
    long        conn_lost;
} runner_t;

typedef struct file_stats {
    long passed, failed, skipped;
} file_stats_t;

static char *xstrdup(const char *s)
{
    char *d = strdup(s);
    if (!d) {
        perror("strdup");
        exit(2);
    }
    return d;
}

/* ---- values ---------------------------------------------------------- */

static char *format_value(const PGresult *res, int row, int col, char type)
{
    if (PQgetisnull(res, row, col))
        return xstrdup("NULL");
    const char *s = PQgetvalue(res, row, col);
    char buf[64];
    switch (type) {
    case 'I': {
        /* PostgreSQL returns booleans as t/f; integer columns fetched as I
         * from a float or numeric value truncate, as the reference does. */
        long long v;
        if (strcmp(s, "t") == 0)
            v = 1;
        else if (strcmp(s, "f") == 0)
            v = 0;
        else if (strpbrk(s, ".eE"))
            v = (long long)strtod(s, NULL);
        else
            v = strtoll(s, NULL, 10);
        snprintf(buf, sizeof buf, "%lld", v);
        return xstrdup(buf);
    }
    case 'R': {
        double d = strtod(s, NULL);
        snprintf(buf, sizeof buf, "%.3f", d);
        if (strcmp(buf, "-0.000") == 0)
            strcpy(buf, "0.000");
        return xstrdup(buf);
    }
    default: {
        if (*s == '\0')
            return xstrdup("(empty)");
        char *d = xstrdup(s);
        for (char *p = d; *p; p++)
            if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
                *p = '@';
        return d;
    }
    }
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Rows are compared column by column, as the reference runner's rowsort. */
static int g_ncols;
static int cmp_row(const void *a, const void *b)
{
    char *const *ra = *(char **const *)a, *const *rb = *(char **const *)b;
    for (int i = 0; i < g_ncols; i++) {
        int c = strcmp(ra[i], rb[i]);
        if (c)
            return c;
    }
    return 0;
}

static void md5_values(const str_vec_t *vals, char out[33])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    EVP_DigestInit_ex(ctx, EVP_md5(), NULL);
    for (size_t i = 0; i < vals->n; i++) {
        EVP_DigestUpdate(ctx, vals->v[i], strlen(vals->v[i]));
        EVP_DigestUpdate(ctx, "\n", 1);
    }
    EVP_DigestFinal_ex(ctx, md, &mdlen);
    EVP_MD_CTX_free(ctx);
    for (unsigned i = 0; i < 16; i++)
        sprintf(out + 2 * i, "%02x", md[i]);
    out[32] = '\0';
}

/* ---- connection --------------------------------------------------------- */

static bool connect_db(runner_t *r, const char *dbname)
{
    if (r->conn)
        PQfinish(r->conn);
    if (dbname) {
        /* a later dbname in a conninfo string overrides an earlier one */
        char info[4096];
        snprintf(info, sizeof info, "%s dbname=%s", r->conninfo, dbname);
        r->conn = PQconnectdb(info);
    } else {
        r->conn = PQconnectdb(r->conninfo);
    }
    if (PQstatus(r->conn) != CONNECTION_OK) {
        fprintf(stderr, "slt: connection failed: %s", PQerrorMessage(r->conn));
        return false;
    }
    PQsetNoticeProcessor(r->conn, NULL, NULL);
    return true;
}

static PGresult *exec_sql(runner_t *r, const char *sql)
{
    return PQexec(r->conn, sql);
}

static bool exec_ok(runner_t *r, const char *sql)
{
    PGresult *res = exec_sql(r, sql);
    ExecStatusType st = PQresultStatus(res);
    bool ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
    if (!ok)
        fprintf(stderr, "slt: %s: %s", sql, PQresultErrorMessage(res));
    PQclear(res);
    return ok;
}

static bool reset_for_file(runner_t *r, int fileno)
{
    if (strcmp(r->reset, "none") == 0)
        return r->conn || connect_db(r, NULL);
    if (strcmp(r->reset, "schema") == 0) {
        if (!r->conn && !connect_db(r, NULL))
            return false;
        return exec_ok(r, "SET client_min_messages = warning") &&
               exec_ok(r, "DROP SCHEMA IF EXISTS slt CASCADE") &&
               exec_ok(r, "CREATE SCHEMA slt") &&
               exec_ok(r, "SET search_path = slt, public");
    }
    /* database: drop and recreate slt_db from a maintenance connection */
    char sql[128], name[32];
    snprintf(name, sizeof name, "slt_db_%d", fileno % 2);
    if (!connect_db(r, NULL))
        return false;
    snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s", name);
    if (!exec_ok(r, sql))
        return false;
    snprintf(sql, sizeof sql, "CREATE DATABASE %s", name);
    if (!exec_ok(r, sql))
        return false;
    return connect_db(r, name);
}

/* ---- parsing ------------------------------------------------------------ */

typedef struct reader {
    FILE       *f;
    const char *path;
    long        lineno;
    char       *line;
    size_t      cap;
} reader_t;

/* Next line without its newline, or NULL at end of file. */
static char *next_line(reader_t *rd)
{
    ssize_t n = getline(&rd->line, &rd->cap, rd->f);
    if (n < 0)
        return NULL;
    rd->lineno++;
    while (n > 0 && (rd->line[n - 1] == '\n' || rd->line[n - 1] == '\r'))
        rd->line[--n] = '\0';
    return rd->line;
}

static bool is_blank(const char *s)
{
    while (*s && isspace((unsigned char)*s))
        s++;
    return *s == '\0';
}

typedef struct record {
    enum { REC_STATEMENT, REC_QUERY, REC_HASH_THRESHOLD, REC_HALT, REC_OTHER } kind;
    long      line;
    bool      skip;
    bool      expect_error;
    char      types[64];
    char      sort[16];
    char     *sql;       /* malloc'd */
    str_vec_t expected;  /* lines after ---- */
    bool      has_expected;
    int       threshold;
} record_t;

static void append_sql(char **sql, size_t *len, const char *line)
{
    size_t l = strlen(line);
    char *n = realloc(*sql, *len + l + 2);
    if (!n) {
        perror("realloc");
        exit(2);
    }
    if (*len)
        n[(*len)++] = '\n';
    memcpy(n + *len, line, l + 1);
    *len += l;
    *sql = n;
}

/* Reads one record; false at end of file. */
static bool read_record(reader_t *rd, record_t *rec)
{
    char *l;
    memset(rec, 0, sizeof *rec);
    /* skip blank lines and comments; collect conditions */
    for (;;) {
        l = next_line(rd);
        if (!l)
            return false;
        if (is_blank(l) || l[0] == '#')
            continue;
        if (strncmp(l, "skipif ", 7) == 0) {
            char db[64] = "";
            sscanf(l + 7, "%63s", db);
            if (strcmp(db, DB_NAME) == 0)
                rec->skip = true;
            continue;
        }
        if (strncmp(l, "onlyif ", 7) == 0) {
            char db[64] = "";
            sscanf(l + 7, "%63s", db);
            if (strcmp(db, DB_NAME) != 0)
                rec->skip = true;
            continue;
        }
        break;
    }
    rec->line = rd->lineno;
    size_t sqllen = 0;
    if (strncmp(l, "statement", 9) == 0) {
        rec->kind = REC_STATEMENT;
        rec->expect_error = strstr(l + 9, "error") != NULL;
        while ((l = next_line(rd)) && !is_blank(l))
            append_sql(&rec->sql, &sqllen, l);
        return true;
    }
    if (strncmp(l, "query", 5) == 0) {
        rec->kind = REC_QUERY;
        strcpy(rec->sort, "nosort");
        sscanf(l + 5, "%63s %15s", rec->types, rec->sort);
        while ((l = next_line(rd)) && !is_blank(l)) {
            if (strcmp(l, "----") == 0) {
                rec->has_expected = true;
                while ((l = next_line(rd)) && !is_blank(l))
                    vec_push(&rec->expected, xstrdup(l));
                break;
            }
            append_sql(&rec->sql, &sqllen, l);
        }
        return true;
    }
    if (strncmp(l, "hash-threshold", 14) == 0) {
        rec->kind = REC_HASH_THRESHOLD;
        rec->threshold = atoi(l + 14);
        return true;
    }
    if (strncmp(l, "halt", 4) == 0) {
        rec->kind = REC_HALT;
        return true;
    }
    /* unknown directive: skip to the end of the record */
    rec->kind = REC_OTHER;
    while ((l = next_line(rd)) && !is_blank(l))
        ;
    return true;
}

static void record_free(record_t *rec)
{
    free(rec->sql);
    vec_clear(&rec->expected);
    free(rec->expected.v);
}

/* ---- execution ---------------------------------------------------------- */

static void report_failure(runner_t *r, const reader_t *rd, const record_t *rec,
                           const char *why, const char *detail)
{
    if (!r->verbose)
        return;
    fprintf(stderr, "FAIL %s:%ld: %s\n  sql: %s\n", rd->path, rec->line, why,
            rec->sql ? rec->sql : "");
    if (detail && *detail)
        fprintf(stderr, "  %s\n", detail);
}

static bool connection_lost(runner_t *r)
{
    return PQstatus(r->conn) == CONNECTION_BAD;
}

/* Compares the formatted values with the expected lines.  Expected values
 * are one per line; files that put a whole row on one line (values separated
 * by single spaces) are accepted too. */
static bool compare_values(const str_vec_t *got, const record_t *rec, int ncols,
                           int threshold, char *why, size_t whylen)
{
    if (rec->expected.n == 1 && strstr(rec->expected.v[0], "values hashing to")) {
        char md5[33];
        md5_values(got, md5);
        char line[128];
        snprintf(line, sizeof line, "%zu values hashing to %s", got->n, md5);
        if (strcmp(line, rec->expected.v[0]) == 0)
            return true;
        snprintf(why, whylen, "expected \"%s\", got \"%s\"", rec->expected.v[0], line);
        return false;
    }
    if (threshold > 0 && got->n > (size_t)threshold) {
        /* expected is listed in full although we would hash: compare anyway */
    }
    if (got->n == rec->expected.n) {
        size_t i;
        for (i = 0; i < got->n; i++)
            if (strcmp(got->v[i], rec->expected.v[i]) != 0)
                break;
        if (i == got->n)
            return true;
        snprintf(why, whylen, "value %zu: expected \"%.400s\", got \"%.400s\"", i + 1,
                 rec->expected.v[i], got->v[i]);
        return false;
    }
    /* row-per-line layout */
    if (ncols > 1 && got->n == rec->expected.n * (size_t)ncols) {
        for (size_t row = 0; row < rec->expected.n; row++) {
            char buf[8192];
            size_t off = 0;
            for (int c = 0; c < ncols; c++) {
                int w = snprintf(buf + off, sizeof buf - off, "%s%s", c ? " " : "",
                                 got->v[row * ncols + c]);
                if (w < 0 || (size_t)w >= sizeof buf - off)
                    return false;
                off += (size_t)w;
            }
            if (strcmp(buf, rec->expected.v[row]) != 0) {
                snprintf(why, whylen, "row %zu: expected \"%.400s\", got \"%.400s\"", row + 1,
                         rec->expected.v[row], buf);
                return false;
            }
        }
        return true;
    }
    snprintf(why, whylen, "expected %zu values, got %zu", rec->expected.n, got->n);
    return false;
}

static bool run_query(runner_t *r, const reader_t *rd, const record_t *rec)
{
    PGresult *res = exec_sql(r, rec->sql);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        char detail[512];
        const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
        snprintf(detail, sizeof detail, "error %s: %s", state ? state : "?",
                 PQresultErrorMessage(res));
        report_failure(r, rd, rec, "query failed", detail);
        PQclear(res);
        return false;
    }
    int ncols = PQnfields(res), nrows = PQntuples(res);
    int ntypes = (int)strlen(rec->types);
    if (ncols != ntypes) {
        char detail[128];
        snprintf(detail, sizeof detail, "%d columns, %d types", ncols, ntypes);
        report_failure(r, rd, rec, "wrong number of columns", detail);
        PQclear(res);
        return false;
    }
    str_vec_t vals = { 0 };
    char ***rows = calloc((size_t)nrows + 1, sizeof(char **));
    for (int i = 0; i < nrows; i++) {
        rows[i] = calloc((size_t)ncols + 1, sizeof(char *));
        for (int c = 0; c < ncols; c++)
            rows[i][c] = format_value(res, i, c, rec->types[c]);
    }
    PQclear(res);
    if (strcmp(rec->sort, "rowsort") == 0) {
        g_ncols = ncols;
        qsort(rows, (size_t)nrows, sizeof(char **), cmp_row);
    }
    for (int i = 0; i < nrows; i++) {
        for (int c = 0; c < ncols; c++)
            vec_push(&vals, rows[i][c]);
        free(rows[i]);
    }
    free(rows);
    if (strcmp(rec->sort, "valuesort") == 0)
        qsort(vals.v, vals.n, sizeof(char *), cmp_str);

    bool ok = true;
    char why[1024] = "";
    if (rec->has_expected)
        ok = compare_values(&vals, rec, ncols, r->hash_threshold, why, sizeof why);
    if (!ok)
        report_failure(r, rd, rec, "wrong result", why);
    vec_clear(&vals);
    free(vals.v);
    return ok;
}

static bool run_statement(runner_t *r, const reader_t *rd, const record_t *rec)
{
    PGresult *res = exec_sql(r, rec->sql);
    ExecStatusType st = PQresultStatus(res);
    bool succeeded = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
    bool ok = succeeded != rec->expect_error;
    if (!ok) {
        char detail[512];
        if (succeeded)
            snprintf(detail, sizeof detail, "statement succeeded");
        else {
            const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
            snprintf(detail, sizeof detail, "error %s: %s", state ? state : "?",
                     PQresultErrorMessage(res));
        }
        report_failure(r, rd, rec, rec->expect_error ? "expected an error" : "statement failed",
                       detail);
    }
    PQclear(res);
    return ok;
}

static int run_file(runner_t *r, const char *path, int fileno, file_stats_t *fs)
{
    reader_t rd = { .path = path };
    rd.f = fopen(path, "r");
    if (!rd.f) {
        fprintf(stderr, "slt: %s: %s\n", path, strerror(errno));
        return -1;
    }
    if (!reset_for_file(r, fileno)) {
        fclose(rd.f);
        return -1;
    }
    r->hash_threshold = 0;
    long executed = 0;
    record_t rec;
    while (read_record(&rd, &rec)) {
        bool halt = false;
        switch (rec.kind) {
        case REC_HASH_THRESHOLD:
            r->hash_threshold = rec.threshold;
            break;
        case REC_HALT:
            halt = !rec.skip;
            break;
        case REC_OTHER:
            break;
        case REC_STATEMENT:
        case REC_QUERY:
            if (rec.skip || (r->max_records && executed >= r->max_records)) {
                fs->skipped++;
                break;
            }
            executed++;
            if (rec.kind == REC_STATEMENT ? run_statement(r, &rd, &rec)
                                          : run_query(r, &rd, &rec))
                fs->passed++;
            else
                fs->failed++;
            if (connection_lost(r)) {
                fprintf(stderr, "slt: %s:%ld: connection lost (server crashed?)\n", path,
                        rec.line);
                r->conn_lost++;
                record_free(&rec);
                fclose(rd.f);
                free(rd.line);
                return -2;
            }
            break;
        }
        record_free(&rec);
        if (halt)
            break;
    }
    fclose(rd.f);
    free(rd.line);
    return 0;
}

static void usage(void)
{
    fprintf(stderr,
            "usage: slt [options] FILE.test...\n"
            "  -d, --conninfo STR     libpq connection string (default: \"\", the libpq defaults)\n"
            "  --reset schema|database|none   fresh namespace per file (default schema)\n"
            "  --max-records N        execute at most N records per file (rest count as skipped)\n"
            "  -v, --verbose          print each failure with file:line\n"
            "Prints passed/failed/skipped per file and in total; exit 1 if any record failed,\n"
            "3 if the server connection was lost (a crash), 2 on usage/connection errors.\n");
}

int main(int argc, char **argv)
{
    runner_t r = { .conninfo = "", .reset = "schema" };
    int first = argc;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if ((strcmp(a, "-d") == 0 || strcmp(a, "--conninfo") == 0) && i + 1 < argc)
            r.conninfo = argv[++i];
        else if (strcmp(a, "--reset") == 0 && i + 1 < argc)
            r.reset = argv[++i];
        else if (strcmp(a, "--max-records") == 0 && i + 1 < argc)
            r.max_records = atol(argv[++i]);
        else if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0)
            r.verbose = true;
        else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage();
            return 0;
        } else if (a[0] == '-') {
            usage();
            return 2;
        } else {
            first = i;
            break;
        }
    }
    if (first >= argc || (strcmp(r.reset, "schema") && strcmp(r.reset, "database") &&
                          strcmp(r.reset, "none"))) {
        usage();
        return 2;
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc = 0;
    for (int i = first; i < argc; i++) {
        file_stats_t fs = { 0 };
        int frc = run_file(&r, argv[i], i - first, &fs);
        printf("%-60s passed %6ld  failed %6ld  skipped %6ld%s\n", argv[i], fs.passed,
               fs.failed, fs.skipped,
               frc == -2 ? "  CONNECTION LOST" : frc < 0 ? "  ERROR" : "");
        fflush(stdout);
        r.passed += fs.passed;
        r.failed += fs.failed;
        r.skipped += fs.skipped;
        if (frc == -1)
            rc = 2;
        if (frc == -2) {
            rc = 3;
            PQfinish(r.conn);
            r.conn = NULL;
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("total: passed %ld  failed %ld  skipped %ld  (%.1f s)\n", r.passed, r.failed,
           r.skipped, secs);
    if (r.conn)
        PQfinish(r.conn);
    if (rc == 0 && r.failed)
        rc = 1;
    return rc;
}
