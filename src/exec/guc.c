/*
 * guc.c — session settings: SET / SHOW / RESET and ParameterStatus.
 *
 * A fixed table of the parameters clients set and read, with their
 * defaults and whether the server reports them (PostgreSQL 15's
 * GUC_REPORT list).  Values that change how the engine works are parsed
 * into the session (DateStyle, TimeZone, IntervalStyle, extra_float_digits,
 * bytea_output, search_path, statement_timeout, work_mem); the rest are
 * kept as text.  Custom "x.y" names are accepted as PostgreSQL does;
 * other unknown names are 42704.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/config.h"
#include "cluster/consistency.h"
#include "exec/engine_int.h"
#include "exec/planner.h"
#include "sql/types/types_int.h" /* sqlt_tz_known: the zone names the type library reads */

typedef struct gdef {
    const char *name;
    const char *def;
    bool        report;
    const char *desc;
} gdef_t;

static const gdef_t gdefs[] = {
    { "application_name", "", true, "Sets the application name to be reported in statistics and logs." },
    { "client_encoding", "UTF8", true, "Sets the client's character set encoding." },
    { "DateStyle", "ISO, MDY", true, "Sets the display format for date and time values." },
    { "default_transaction_read_only", "off", true, "Sets the default read-only status of new transactions." },
    { "in_hot_standby", "off", true, "Shows whether hot standby is currently active." },
    { "integer_datetimes", "on", true, "Shows whether datetimes are integer based." },
    { "IntervalStyle", "postgres", true, "Sets the display format for interval values." },
    { "is_superuser", "on", true, "Shows whether the current user is a superuser." },
    { "server_encoding", "UTF8", true, "Shows the server (database) character set encoding." },
    { "server_version", "15.4 (ringdb 0.1.0)", true, "Shows the server version." },
    { "session_authorization", "", true, "Sets the session user name." },
    { "standard_conforming_strings", "on", true, "Causes '...' strings to treat backslashes literally." },
    { "TimeZone", "UTC", true, "Sets the time zone for displaying and interpreting time stamps." },
    { "search_path", "\"$user\", public", false, "Sets the schema search order for names that are not schema-qualified." },
    { "extra_float_digits", "1", false, "Sets the number of digits displayed for floating-point values." },
    { "statement_timeout", "0", false, "Sets the maximum allowed duration of any statement." },
    { "lock_timeout", "0", false, "Sets the maximum allowed duration of any wait for a lock." },
    { "idle_in_transaction_session_timeout", "0", false, "Sets the maximum allowed idle time between queries, when in a transaction." },
    { "work_mem", "4MB", false, "Sets the maximum memory to be used for query workspaces." },
    { "bytea_output", "hex", false, "Sets the output format for bytea." },
    { "transaction_isolation", "read committed", false, "Sets the current transaction's isolation level." },
    { "default_transaction_isolation", "read committed", false, "Sets the transaction isolation level of each new transaction." },
    { "synchronous_commit", "on", false, "Sets the current transaction's synchronization level." },
    { "client_min_messages", "notice", false, "Sets the message levels that are sent to the client." },
    { "max_parallel_workers_per_gather", "2", false, "Sets the maximum number of parallel processes per executor node." },
    { "max_identifier_length", "63", false, "Shows the maximum identifier length." },
    { "server_version_num", "150004", false, "Shows the server version as an integer." },
    { "row_security", "on", false, "Enable row security." },
    { "timezone_abbreviations", "Default", false, "Selects a file of time zone abbreviations." },
    { "lc_messages", "C", false, "Sets the language in which messages are displayed." },
    { "lc_monetary", "C", false, "Sets the locale for formatting monetary amounts." },
    { "lc_numeric", "C", false, "Sets the locale for formatting numbers." },
    { "lc_time", "C", false, "Sets the locale for formatting date and time values." },
    { "jit", "off", false, "Allow JIT compilation." },
    { "enable_indexscan", "on", false, "Enables the planner's use of index-scan plans." },
    { "enable_seqscan", "on", false, "Enables the planner's use of sequential-scan plans." },
    { "enable_sort", "on", false, "Enables the planner's use of explicit sort steps." },
    { "enable_hashjoin", "on", false, "Enables the planner's use of hash join plans." },
    { "enable_mergejoin", "on", false, "Enables the planner's use of merge join plans." },
    { "enable_nestloop", "on", false, "Enables the planner's use of nested-loop join plans." },
    { "join_collapse_limit", "8", false, "Sets the FROM-list size beyond which JOIN constructs are not flattened." },
    { "ringdb.consistency", "one", false, "Consistency level of reads and writes (one, quorum, all)." },
    { "ringdb.join_key_filter", "on", false, "Lets a hash join's table filter the joins below it and read their outer table by key." },
    { "ringdb.lock_strategy", "optimistic", false, "Transaction locking (optimistic or 2pl)." },
    { "ringdb.nestloop_batch", "on", false, "Runs an index nested loop over a primary key in batches of outer rows." },
    { "ringdb.query_mem_limit", "0", false, "Sets the most memory one query may hold (0: 256 x work_mem, at least 64MB)." },
};
#define NGDEFS (sizeof gdefs / sizeof gdefs[0])

static const gdef_t *gdef_find(const char *name)
{
    for (size_t i = 0; i < NGDEFS; i++)
        if (strcasecmp(gdefs[i].name, name) == 0)
            return &gdefs[i];
    return NULL;
}

static int slot(rdb_session_t *s, const char *name)
{
    for (int i = 0; i < s->nguc; i++)
        if (strcasecmp(s->guc[i].name, name) == 0)
            return i;
    return -1;
}

const char *eng_guc_get(rdb_session_t *s, const char *name)
{
    int i = slot(s, name);
    return i < 0 ? NULL : s->guc[i].value;
}

static bool guc_on(rdb_session_t *s, const char *name)
{
    const char *v = eng_guc_get(s, name);
    bool b = true;
    return !v || rdb_parse_bool(v, &b) != 0 || b;
}

void eng_plan_opts(rdb_session_t *s, plan_opts_t *o)
{
    *o = plan_opts_default;
    o->indexscan = guc_on(s, "enable_indexscan");
    o->sort = guc_on(s, "enable_sort");
    o->hashjoin = guc_on(s, "enable_hashjoin");
    o->mergejoin = guc_on(s, "enable_mergejoin");
    o->nestloop = guc_on(s, "enable_nestloop");
    o->seqscan = guc_on(s, "enable_seqscan");
    o->work_mem = (size_t)s->work_mem;
    const char *j = eng_guc_get(s, "join_collapse_limit");
    if (j && atoi(j) > 0)
        o->join_collapse_limit = atoi(j);
}

static void parse_path(rdb_session_t *s, const char *v)
{
    for (int i = 0; i < s->npath; i++)
        free(s->path[i]);
    s->npath = 0;
    const char *p = v;
    while (*p && s->npath < ENG_MAX_PATH) {
        while (*p == ' ' || *p == ',')
            p++;
        if (!*p)
            break;
        char buf[128];
        size_t n = 0;
        if (*p == '"') {
            p++;
            while (*p && *p != '"' && n < sizeof buf - 1)
                buf[n++] = *p++;
            if (*p == '"')
                p++;
        } else {
            while (*p && *p != ',' && *p != ' ' && n < sizeof buf - 1) {
                buf[n++] = (char)tolower((unsigned char)*p);
                p++;
            }
        }
        buf[n] = 0;
        if (strcmp(buf, "$user") == 0)
            continue;   /* no per-user schemas */
        s->path[s->npath++] = strdup(buf);
    }
}

/* The parameters a session cannot set (PGC_INTERNAL ones). */
static bool fixed(const char *name)
{
    return gdef_find(name) && (strncmp(name, "server_", 7) == 0 || !strcasecmp(name, "integer_datetimes") ||
                               !strcasecmp(name, "in_hot_standby") || !strcasecmp(name, "is_superuser") ||
                               !strcasecmp(name, "max_identifier_length"));
}

/* A time in ms or a size in kB as SHOW prints it: in the largest unit
 * that divides it ("2500ms", "1min", "2MB"), malloc'ed. */
static char *unit_text(int64_t v, bool kb)
{
    static const struct { const char *u; int64_t n; } tu[] = {
        { "d", 86400000 }, { "h", 3600000 }, { "min", 60000 }, { "s", 1000 }, { "ms", 1 },
    }, su[] = { { "TB", 1LL << 30 }, { "GB", 1 << 20 }, { "MB", 1 << 10 }, { "kB", 1 } };
    const __typeof__(tu[0]) *t = kb ? su : tu;
    size_t n = kb ? sizeof su / sizeof su[0] : sizeof tu / sizeof tu[0];
    char buf[64];
    if (v == 0) {
        snprintf(buf, sizeof buf, kb ? "0kB" : "0");
        return strdup(buf);
    }
    for (size_t i = 0; i < n; i++)
        if (v % t[i].n == 0) {
            snprintf(buf, sizeof buf, "%lld%s", (long long)(v / t[i].n), t[i].u);
            break;
        }
    return strdup(buf);
}

/* Apply a value that changes behaviour; err on a bad value. */
static rdb_status_t apply(rdb_session_t *s, const char *name, const char *v, bool startup, char **canon,
                          rdb_err_t *err)
{
    *canon = NULL;
    if (strcasecmp(name, "DateStyle") == 0) {
        sql_datestyle_t ds = s->fs.datestyle;
        sql_dateorder_t ord = s->fs.dateorder;
        char *copy = strdup(v), *save = NULL;
        for (char *tok = strtok_r(copy, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
            if (!strcasecmp(tok, "ISO")) ds = SQL_DATESTYLE_ISO;
            else if (!strcasecmp(tok, "Postgres")) ds = SQL_DATESTYLE_POSTGRES;
            else if (!strcasecmp(tok, "SQL")) ds = SQL_DATESTYLE_SQL;
            else if (!strcasecmp(tok, "German")) ds = SQL_DATESTYLE_GERMAN;
            else if (!strcasecmp(tok, "MDY") || !strcasecmp(tok, "US") || !strcasecmp(tok, "NonEuropean")) ord = SQL_DATEORDER_MDY;
            else if (!strcasecmp(tok, "DMY") || !strcasecmp(tok, "European")) ord = SQL_DATEORDER_DMY;
            else if (!strcasecmp(tok, "YMD")) ord = SQL_DATEORDER_YMD;
            else {
                for (char *p = tok; *p; p++)
                    *p = (char)tolower((unsigned char)*p);
                rdb_err_set(err, RDB_SQL, "22023", "invalid value for parameter \"DateStyle\": \"%s\"", v);
                rdb_err_detail(err, "Unrecognized key word: \"%s\".", tok);
                free(copy);
                return RDB_SQL;
            }
        }
        free(copy);
        s->fs.datestyle = ds;
        s->fs.dateorder = ord;
        static const char *dsn[] = { "ISO", "Postgres", "SQL", "German" };
        static const char *on[] = { "MDY", "DMY", "YMD" };
        char buf[64];
        snprintf(buf, sizeof buf, "%s, %s", dsn[ds], on[ord]);
        *canon = strdup(buf);
    } else if (strcasecmp(name, "TimeZone") == 0) {
        if (!startup && !sqlt_tz_known(v))
            return rdb_err_set(err, RDB_SQL, "22023", "invalid value for parameter \"TimeZone\": \"%s\"", v);
        free((char *)s->fs.timezone);
        s->fs.timezone = strdup(v);
        s->fs.tz_offset_hint = 0;
    } else if (strcasecmp(name, "IntervalStyle") == 0) {
        if (!strcasecmp(v, "postgres")) s->fs.intervalstyle = SQL_INTERVAL_POSTGRES;
        else if (!strcasecmp(v, "postgres_verbose")) s->fs.intervalstyle = SQL_INTERVAL_POSTGRES_VERBOSE;
        else if (!strcasecmp(v, "sql_standard")) s->fs.intervalstyle = SQL_INTERVAL_SQL_STANDARD;
        else if (!strcasecmp(v, "iso_8601")) s->fs.intervalstyle = SQL_INTERVAL_ISO_8601;
        else
            return rdb_err_set(err, RDB_SQL, "22023", "invalid value for parameter \"IntervalStyle\": \"%s\"", v);
    } else if (strcasecmp(name, "extra_float_digits") == 0) {
        int64_t n;
        if (rdb_parse_int64(v, &n) != 0)
            return rdb_err_set(err, RDB_SQL, "22023", "invalid value for parameter \"extra_float_digits\": \"%s\"", v);
        if (n < -15 || n > 3)
            return rdb_err_set(err, RDB_SQL, "22023", "%lld is outside the valid range for parameter "
                               "\"extra_float_digits\" (-15 .. 3)", (long long)n);
        s->fs.extra_float_digits = (int)n;
    } else if (strcasecmp(name, "bytea_output") == 0) {
        if (strcasecmp(v, "hex") && strcasecmp(v, "escape"))
            return rdb_err_set(err, RDB_SQL, "22023", "invalid value for parameter \"bytea_output\": \"%s\"", v);
        s->fs.bytea_hex = !strcasecmp(v, "hex");
    } else if (strcasecmp(name, "ringdb.consistency") == 0) {
        clu_consistency_t cl;
        rdb_err_t e2 = RDB_ERR_INIT;
        bool bad = clu_consistency_parse(v, &cl, &e2) != RDB_OK;
        rdb_err_clear(&e2);
        if (bad)
            return rdb_err_set(err, RDB_SQL, "22023", "invalid value for parameter \"%s\": \"%s\"", name, v);
        *canon = strdup(clu_consistency_name(cl));
    } else if (strcasecmp(name, "search_path") == 0) {
        parse_path(s, v);
    } else if (strcasecmp(name, "statement_timeout") == 0 || strcasecmp(name, "lock_timeout") == 0 ||
               strcasecmp(name, "idle_in_transaction_session_timeout") == 0) {
        int64_t ms;
        if (rdb_parse_duration_ms(v, &ms) != 0 || ms < 0)
            return rdb_err_set(err, RDB_SQL, "22023", "invalid value for parameter \"%s\": \"%s\"", name, v);
        if (strcasecmp(name, "statement_timeout") == 0)
            s->statement_timeout_ms = ms;
        else if (strcasecmp(name, "idle_in_transaction_session_timeout") == 0)
            s->idle_in_txn_timeout_ms = ms;
        *canon = unit_text(ms, false);
    } else if (strcasecmp(name, "work_mem") == 0) {
        int64_t b;
        char *end;
        long long kb = strtoll(v, &end, 10);
        if (*end == 0)
            b = kb * 1024;   /* a bare number is kB */
        else if (rdb_parse_size(v, &b) != 0)
            return rdb_err_set(err, RDB_SQL, "22023", "invalid value for parameter \"work_mem\": \"%s\"", v);
        if (b < 64 * 1024)
            return rdb_err_set(err, RDB_SQL, "22023", "%lld kB is outside the valid range for parameter "
                               "\"work_mem\" (64 .. 2147483647)", (long long)(b / 1024));
        s->work_mem = b;
        *canon = unit_text(b / 1024, true);
    } else if (strcasecmp(name, "ringdb.query_mem_limit") == 0) {
        int64_t b;
        char *end;
        long long kb = strtoll(v, &end, 10);
        if (*end == 0)
            b = kb * 1024;   /* a bare number is kB, as work_mem */
        else if (rdb_parse_size(v, &b) != 0)
            return rdb_err_set(err, RDB_SQL, "22023", "invalid value for parameter \"%s\": \"%s\"", name, v);
        if (b != 0 && b < 1024 * 1024)
            return rdb_err_set(err, RDB_SQL, "22023", "%lld kB is outside the valid range for parameter "
                               "\"%s\" (0, or 1024 .. 2147483647)", (long long)(b / 1024), name);
        s->query_mem_limit = b;
        *canon = b ? unit_text(b / 1024, true) : strdup("0");
    } else if (strcasecmp(name, "client_encoding") == 0) {
        if (strcasecmp(v, "UTF8") && strcasecmp(v, "UTF-8") && strcasecmp(v, "unicode") &&
            strcasecmp(v, "SQL_ASCII"))
            return rdb_err_set(err, RDB_SQL, "0A000", "conversion between %s and UTF8 is not supported", v);
        *canon = strdup(strcasecmp(v, "SQL_ASCII") ? "UTF8" : "SQL_ASCII");
    } else if (strncasecmp(name, "enable_", 7) == 0 || strcasecmp(name, "ringdb.nestloop_batch") == 0 ||
               strcasecmp(name, "ringdb.join_key_filter") == 0) {
        bool b;
        if (rdb_parse_bool(v, &b) != 0)
            return rdb_err_set(err, RDB_SQL, "22023", "parameter \"%s\" requires a Boolean value", name);
        *canon = strdup(b ? "on" : "off");
    } else if (strcasecmp(name, "join_collapse_limit") == 0) {
        char *end;
        long n = strtol(v, &end, 10);
        if (*end || end == v)
            return rdb_err_set(err, RDB_SQL, "22023", "invalid value for parameter \"%s\": \"%s\"", name, v);
        if (n < 1 || n > 2147483647L)
            return rdb_err_set(err, RDB_SQL, "22023", "%ld is outside the valid range for parameter "
                               "\"join_collapse_limit\" (1 .. 2147483647)", n);
    } else if (strcasecmp(name, "standard_conforming_strings") == 0) {
        bool b;
        if (rdb_parse_bool(v, &b) != 0 || !b)
            return rdb_err_set(err, RDB_SQL, "0A000", "standard_conforming_strings can only be on");
    } else if (!startup && fixed(name)) {
        return rdb_err_set(err, RDB_SQL, "55P02", "parameter \"%s\" cannot be changed", name);
    }
    return RDB_OK;
}

static rdb_status_t set_one(rdb_session_t *s, const char *name, const char *value, bool startup,
                            rdb_sink_t *sink, rdb_err_t *err)
{
    const gdef_t *d = gdef_find(name);
    if (!d && !strchr(name, '.'))
        return rdb_err_set(err, RDB_SQL, "42704", "unrecognized configuration parameter \"%s\"", name);
    const char *cname = d ? d->name : name;
    int i = slot(s, cname);
    if (!value)
        value = i >= 0 && s->guc[i].reset ? s->guc[i].reset : d ? d->def : "";
    char *canon;
    if (apply(s, cname, value, startup, &canon, err) != RDB_OK)
        return RDB_SQL;
    if (i < 0) {
        if (s->nguc == ENG_MAX_GUCS) {
            free(canon);
            return rdb_err_set(err, RDB_SQL, "53000", "too many session parameters");
        }
        i = s->nguc++;
        s->guc[i].name = strdup(cname);
        s->guc[i].value = NULL;
        s->guc[i].reset = NULL;
        s->guc[i].local_saved = NULL;
    }
    free(s->guc[i].value);
    s->guc[i].value = canon ? canon : strdup(value);
    if (startup) {
        free(s->guc[i].reset);
        s->guc[i].reset = strdup(s->guc[i].value);
    }
    if (d && d->report && sink && sink->parameter_status)
        sink->parameter_status(sink->ctx, d->name, s->guc[i].value);
    return RDB_OK;
}

void eng_guc_init(rdb_session_t *s, const rdb_startup_t *st)
{
    sql_format_settings_default(&s->fs);
    s->fs.timezone = strdup("UTC");
    s->work_mem = 4 * 1024 * 1024;
    rdb_err_t err = RDB_ERR_INIT;
    for (size_t i = 0; i < NGDEFS; i++)
        set_one(s, gdefs[i].name, gdefs[i].def, true, NULL, &err);
    rdb_err_clear(&err);
    set_one(s, "session_authorization", st->user ? st->user : "", true, NULL, &err);
    set_one(s, "application_name", st->application_name ? st->application_name : "", true, NULL, &err);
    for (int i = 0; i < st->nguc; i++) {
        if (set_one(s, st->guc_names[i], st->guc_values[i], true, NULL, &err) != RDB_OK)
            rdb_err_clear(&err);
    }
}

void eng_guc_free(rdb_session_t *s)
{
    for (int i = 0; i < s->nguc; i++) {
        free(s->guc[i].name);
        free(s->guc[i].value);
        free(s->guc[i].reset);
        free(s->guc[i].local_saved);
    }
    for (int i = 0; i < s->npath; i++)
        free(s->path[i]);
    free((char *)s->fs.timezone);
}

rdb_status_t eng_guc_set(rdb_session_t *s, const char *name, const char *value, rdb_sink_t *sink,
                         rdb_err_t *err)
{
    if (name)
        return set_one(s, name, value, false, sink, err);
    for (int i = 0; i < s->nguc; i++) {
        if (fixed(s->guc[i].name))
            continue; /* RESET ALL leaves what cannot be set */
        if (set_one(s, s->guc[i].name, NULL, false, sink, err) != RDB_OK)
            return RDB_SQL;
    }
    return RDB_OK;
}

rdb_status_t eng_guc_set_local(rdb_session_t *s, const char *name, const char *value, rdb_sink_t *sink,
                               rdb_err_t *err)
{
    const gdef_t *d = name ? gdef_find(name) : NULL;
    int i = slot(s, d ? d->name : name ? name : "");
    char *saved = i >= 0 ? strdup(s->guc[i].value) : NULL;
    if (eng_guc_set(s, name, value, sink, err) != RDB_OK) {
        free(saved);
        return RDB_SQL;
    }
    i = slot(s, d ? d->name : name);
    if (i >= 0 && !s->guc[i].local_saved)
        s->guc[i].local_saved = saved ? saved : strdup("");
    else
        free(saved);
    return RDB_OK;
}

void eng_guc_txn_end(rdb_session_t *s)
{
    for (int i = 0; i < s->nguc; i++) {
        char *v = s->guc[i].local_saved;
        if (!v)
            continue;
        s->guc[i].local_saved = NULL;
        rdb_err_t err = RDB_ERR_INIT;
        set_one(s, s->guc[i].name, v, false, NULL, &err);
        rdb_err_clear(&err);
        free(v);
    }
}

bool eng_guc_notice_wanted(rdb_session_t *s, int severity)
{
    static const char *const levels[] = { "debug5", "debug4", "debug3", "debug2", "debug1", "log",
                                          "notice", "warning", "error" };
    const char *v = eng_guc_get(s, "client_min_messages");
    int min = 6, lvl = severity == RDB_SEV_WARNING ? 7 : severity == RDB_SEV_NOTICE ? 6 : 6;
    for (int i = 0; v && i < 9; i++)
        if (strcasecmp(v, levels[i]) == 0)
            min = i;
    return lvl >= min;
}

rdb_status_t eng_guc_show(rdb_session_t *s, const char *name, rdb_sink_t *sink, bool describe,
                          rdb_err_t *err)
{
    bool all = strcasecmp(name, "all") == 0;
    const char *v = NULL;
    const gdef_t *d = NULL;
    if (!all) {
        if (!strcasecmp(name, "transaction isolation level"))
            name = "transaction_isolation";
        if (!strcasecmp(name, "time zone") || !strcasecmp(name, "timezone"))
            name = "TimeZone";
        d = gdef_find(name);
        v = eng_guc_get(s, name);
        if (!v)
            return rdb_err_set(err, RDB_SQL, "42704", "unrecognized configuration parameter \"%s\"", name);
    }
    rdb_coldesc_t cols[3] = {
        { all ? "name" : d ? d->name : name, 0, 0, SQL_OID_TEXT, -1, -1, 0 },
        { "setting", 0, 0, SQL_OID_TEXT, -1, -1, 0 },
        { "description", 0, 0, SQL_OID_TEXT, -1, -1, 0 },
    };
    if (d)
        cols[0].name = d->name;
    if (describe && sink->row_desc && sink->row_desc(sink->ctx, all ? 3 : 1, cols))
        return rdb_err_set(err, RDB_CANCELLED, "57014", "client gone");
    int n = 0;
    if (!all) {
        const char *vals[1] = { v };
        int32_t lens[1] = { (int32_t)strlen(v) };
        if (sink->data_row(sink->ctx, 1, vals, lens))
            return rdb_err_set(err, RDB_CANCELLED, "57014", "client gone");
        n = 1;
    } else {
        for (size_t i = 0; i < NGDEFS; i++) {
            const char *gv = eng_guc_get(s, gdefs[i].name);
            const char *vals[3] = { gdefs[i].name, gv ? gv : "", gdefs[i].desc };
            int32_t lens[3] = { (int32_t)strlen(vals[0]), (int32_t)strlen(vals[1]), (int32_t)strlen(vals[2]) };
            if (sink->data_row(sink->ctx, 3, vals, lens))
                return rdb_err_set(err, RDB_CANCELLED, "57014", "client gone");
            n++;
        }
    }
    char tag[32];
    snprintf(tag, sizeof tag, "SHOW");
    (void)n;
    if (sink->command_complete(sink->ctx, tag))
        return rdb_err_set(err, RDB_CANCELLED, "57014", "client gone");
    return RDB_OK;
}

int eng_guc_reported(rdb_session_t *s, const char *const **names, const char *const **values)
{
    int n = 0;
    for (size_t i = 0; i < NGDEFS; i++) {
        if (!gdefs[i].report)
            continue;
        const char *v = eng_guc_get(s, gdefs[i].name);
        if (!v)
            continue;
        s->pnames[n] = gdefs[i].name;
        s->pvalues[n] = v;
        n++;
    }
    *names = s->pnames;
    *values = s->pvalues;
    return n;
}

const char *eng_guc_def_at(int i, const char **desc)
{
    if (i < 0 || (size_t)i >= NGDEFS)
        return NULL;
    *desc = gdefs[i].desc;
    return gdefs[i].name;
}
