/*
 * fn_datetime.c — date/time functions as PostgreSQL 15 has them:
 * date_trunc, date_part / extract of every field, AT TIME ZONE
 * (timezone()), age, make_date/time/timestamp/timestamptz/interval,
 * justify_*, to_char / to_date / to_timestamp / to_number with PG's
 * template patterns, time and timestamptz arithmetic with intervals (the
 * latter in the session's zone, so that '1 day' crosses DST as in PG),
 * and OVERLAPS.
 *
 * Values are as value.h holds them: timestamps in µs since 2000-01-01 UTC
 * (timestamptz) or local (timestamp), dates in days since 2000-01-01.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sql/types/fn_reg.h"

#define USECS_PER_HOUR (INT64_C(3600) * USECS_PER_SEC)
#define USECS_PER_MIN (INT64_C(60) * USECS_PER_SEC)
#define TS_INF(x) ((x) == INT64_MAX || (x) == INT64_MIN)

static const char *zone_of(const sql_fn_ctx_t *ctx) { return ctx->settings ? ctx->settings->timezone : NULL; }

static bool is_leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }
static int mdays(int64_t y, int m)
{
    static const int dm[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    return m == 2 && is_leap(y) ? 29 : dm[m - 1];
}

/* Broken-down time: year is astronomical (0 = 1 BC). */
typedef struct {
    int64_t y;
    int m, d, h, mi, s;
    int64_t us;     /* microseconds within the second */
    int64_t days;   /* days since 2000-01-01 */
    int64_t tod;    /* µs since midnight */
} tm_t;

static void ts_split(int64_t ts, tm_t *t)
{
    t->days = ts / USECS_PER_DAY;
    t->tod = ts % USECS_PER_DAY;
    if (t->tod < 0) { t->tod += USECS_PER_DAY; t->days--; }
    sqlt_civil_from_days(t->days, &t->y, &t->m, &t->d);
    t->h = (int)(t->tod / USECS_PER_HOUR);
    t->mi = (int)(t->tod / USECS_PER_MIN % 60);
    t->s = (int)(t->tod / USECS_PER_SEC % 60);
    t->us = t->tod % USECS_PER_SEC;
}

static int64_t tm_join(int64_t y, int m, int d, int64_t tod) { return sqlt_days_from_civil(y, m, d) * USECS_PER_DAY + tod; }

/* A timestamp value of type oid as local wall time (timestamptz in the session zone). */
static int64_t to_local(const sql_fn_ctx_t *ctx, uint32_t oid, int64_t v)
{
    if (oid == SQL_OID_DATE) return v * USECS_PER_DAY;
    if (oid == SQL_OID_TIMESTAMPTZ) return v + (int64_t)sqlt_tz_offset(zone_of(ctx), v) * USECS_PER_SEC;
    return v;
}

static rdb_status_t ts_range(int64_t v, sql_value_t *res, rdb_err_t *err)
{
    if (v >= INT64_C(9223371331200000000) || v < INT64_C(-211813488000000000))
        return rdb_err_set(err, RDB_SQL, "22008", "timestamp out of range");
    *res = sql_int(v);
    return RDB_OK;
}

/* ---- units ---------------------------------------------------------- */

typedef enum {
    U_US, U_MS, U_SEC, U_MIN, U_HOUR, U_DAY, U_WEEK, U_MONTH, U_QUARTER, U_YEAR, U_DECADE, U_CENTURY,
    U_MILLENNIUM, U_DOW, U_DOY, U_EPOCH, U_ISODOW, U_ISOYEAR, U_JULIAN, U_TZ, U_TZ_H, U_TZ_M
} unit_t;

static int unit_of(const char *p, size_t n)
{
    static const struct { const char *name; unit_t u; } tab[] = {
        { "microsecond", U_US }, { "microseconds", U_US }, { "usec", U_US }, { "usecs", U_US }, { "us", U_US },
        { "millisecond", U_MS }, { "milliseconds", U_MS }, { "msec", U_MS }, { "msecs", U_MS }, { "ms", U_MS },
        { "second", U_SEC }, { "seconds", U_SEC }, { "sec", U_SEC }, { "secs", U_SEC }, { "s", U_SEC },
        { "minute", U_MIN }, { "minutes", U_MIN }, { "min", U_MIN }, { "mins", U_MIN }, { "m", U_MIN },
        { "hour", U_HOUR }, { "hours", U_HOUR }, { "hr", U_HOUR }, { "hrs", U_HOUR }, { "h", U_HOUR },
        { "day", U_DAY }, { "days", U_DAY }, { "d", U_DAY },
        { "week", U_WEEK }, { "weeks", U_WEEK }, { "w", U_WEEK },
        { "month", U_MONTH }, { "months", U_MONTH }, { "mon", U_MONTH }, { "mons", U_MONTH },
        { "quarter", U_QUARTER }, { "qtr", U_QUARTER },
        { "year", U_YEAR }, { "years", U_YEAR }, { "yr", U_YEAR }, { "yrs", U_YEAR }, { "y", U_YEAR },
        { "decade", U_DECADE }, { "decades", U_DECADE }, { "dec", U_DECADE }, { "decs", U_DECADE },
        { "century", U_CENTURY }, { "centuries", U_CENTURY }, { "c", U_CENTURY }, { "cent", U_CENTURY },
        { "millennium", U_MILLENNIUM }, { "millennia", U_MILLENNIUM }, { "mil", U_MILLENNIUM }, { "mils", U_MILLENNIUM },
        { "dow", U_DOW }, { "doy", U_DOY }, { "epoch", U_EPOCH }, { "isodow", U_ISODOW }, { "isoyear", U_ISOYEAR },
        { "julian", U_JULIAN }, { "j", U_JULIAN }, { "timezone", U_TZ }, { "timezone_hour", U_TZ_H },
        { "timezone_minute", U_TZ_M },
    };
    char tmp[32];
    if (n >= sizeof tmp) return -1;
    for (size_t i = 0; i < n; i++) tmp[i] = (char)tolower((unsigned char)p[i]);
    tmp[n] = 0;
    for (size_t i = 0; i < sizeof tab / sizeof tab[0]; i++)
        if (!strcmp(tab[i].name, tmp)) return (int)tab[i].u;
    return -1;
}

static const char *type_name(uint32_t oid) { return sqlt_sql_name(oid); }

static rdb_status_t unit_err(rdb_err_t *err, bool known, const sql_value_t *u, uint32_t oid)
{
    return rdb_err_set(err, RDB_SQL, known ? "0A000" : "22023", "unit \"%.*s\" %s for type %s", (int)u->u.v.len,
                       u->u.v.ptr, known ? "not supported" : "not recognized", type_name(oid));
}

/* ISO 8601 week-numbering year and week of a date. */
static void iso_week(int64_t days, int64_t *iyear, int *week)
{
    int64_t y; int m, d;
    sqlt_civil_from_days(days, &y, &m, &d);
    int isodow = (int)((((days + 5) % 7) + 7) % 7) + 1; /* 2000-01-01 was a Saturday (6) */
    /* Thursday of this week decides the year */
    int64_t thu = days - isodow + 4;
    int64_t ty; int tm, td;
    sqlt_civil_from_days(thu, &ty, &tm, &td);
    *iyear = ty;
    *week = (int)((thu - sqlt_days_from_civil(ty, 1, 1)) / 7 + 1);
}

/* ---- date_trunc ----------------------------------------------------- */

static rdb_status_t trunc_local(int u, int64_t v, int64_t *out)
{
    tm_t t;
    ts_split(v, &t);
    int64_t tod = t.tod;
    switch (u) {
    case U_MILLENNIUM: t.y = t.y > 0 ? (t.y - 1) / 1000 * 1000 + 1 : -((999 - (t.y - 1)) / 1000) * 1000 + 1; t.m = 1; t.d = 1; tod = 0; break;
    case U_CENTURY: t.y = t.y > 0 ? (t.y - 1) / 100 * 100 + 1 : -((99 - (t.y - 1)) / 100) * 100 + 1; t.m = 1; t.d = 1; tod = 0; break;
    case U_DECADE: t.y = t.y > 0 ? t.y / 10 * 10 : -((8 - (t.y - 1)) / 10) * 10; t.m = 1; t.d = 1; tod = 0; break;
    case U_YEAR: t.m = 1; t.d = 1; tod = 0; break;
    case U_QUARTER: t.m = (t.m - 1) / 3 * 3 + 1; t.d = 1; tod = 0; break;
    case U_MONTH: t.d = 1; tod = 0; break;
    case U_WEEK: {
        int isodow = (int)((((t.days + 5) % 7) + 7) % 7) + 1;
        *out = (t.days - isodow + 1) * USECS_PER_DAY;
        return RDB_OK;
    }
    case U_DAY: tod = 0; break;
    case U_HOUR: tod -= tod % USECS_PER_HOUR; break;
    case U_MIN: tod -= tod % USECS_PER_MIN; break;
    case U_SEC: tod -= tod % USECS_PER_SEC; break;
    case U_MS: tod -= tod % 1000; break;
    case U_US: break;
    default: return RDB_SQL;
    }
    *out = tm_join(t.y, t.m, t.d, tod);
    return RDB_OK;
}

FN(f_date_trunc)
{
    UNUSED_FN_ARGS;
    int u = unit_of(TXT(A0));
    uint32_t oid = argtypes[1].oid;
    if (oid == SQL_OID_INTERVAL) {
        if (u < 0) return unit_err(err, false, &A0, oid);
        sql_interval_t iv = A1.u.iv;
        int64_t us = iv.usec;
        switch (u) {
        case U_MILLENNIUM: iv.months = iv.months / 12000 * 12000; iv.days = 0; us = 0; break;
        case U_CENTURY: iv.months = iv.months / 1200 * 1200; iv.days = 0; us = 0; break;
        case U_DECADE: iv.months = iv.months / 120 * 120; iv.days = 0; us = 0; break;
        case U_YEAR: iv.months = iv.months / 12 * 12; iv.days = 0; us = 0; break;
        case U_QUARTER: iv.months = iv.months / 3 * 3; iv.days = 0; us = 0; break;
        case U_MONTH: iv.days = 0; us = 0; break;
        case U_DAY: us = 0; break;
        case U_HOUR: us -= us % USECS_PER_HOUR; break;
        case U_MIN: us -= us % USECS_PER_MIN; break;
        case U_SEC: us -= us % USECS_PER_SEC; break;
        case U_MS: us -= us % 1000; break;
        case U_US: break;
        default: return unit_err(err, true, &A0, oid);
        }
        iv.usec = us;
        res->isnull = false;
        res->u.iv = iv;
        return RDB_OK;
    }
    if (u < 0 || u > U_MILLENNIUM) return unit_err(err, u >= 0, &A0, oid);
    int64_t v = A1.u.i;
    if (TS_INF(v)) { *res = A1; return RDB_OK; }
    const char *zone = nargs > 2 ? rdb_arena_strndup(ctx->arena, TXT(args[2])) : zone_of(ctx);
    if (nargs > 2 && !sqlt_tz_known(zone) && strcasecmp(zone, "UTC") != 0)
        return rdb_err_set(err, RDB_SQL, "22023", "time zone \"%s\" not recognized", zone);
    bool tz = oid == SQL_OID_TIMESTAMPTZ;
    if (tz) v += (int64_t)sqlt_tz_offset(zone, v) * USECS_PER_SEC;
    int64_t r;
    trunc_local(u, v, &r);
    if (tz) r = sqlt_tz_local_to_utc(zone, r);
    *res = sql_int(r);
    return RDB_OK;
}

/* ---- date_part / extract -------------------------------------------- */

/* The field as an exact decimal string (PG 15's extract returns numeric). */
static rdb_status_t part_value(sql_fn_ctx_t *ctx, int u, uint32_t oid, const sql_value_t *v, const sql_value_t *unit,
                               char *buf, size_t bufn, rdb_err_t *err)
{
    if (oid == SQL_OID_INTERVAL) {
        const sql_interval_t *iv = &v->u.iv;
        int64_t us = iv->usec;
        int64_t secpart = us % USECS_PER_MIN; /* µs within the minute, signed */
        int64_t y = iv->months / 12, mo = iv->months % 12;
        switch (u) {
        case U_US: snprintf(buf, bufn, "%lld", (long long)secpart); return RDB_OK;
        case U_MS: snprintf(buf, bufn, "%s%lld.%03lld", secpart < 0 ? "-" : "", (long long)llabs(secpart) / 1000, (long long)llabs(secpart) % 1000); return RDB_OK;
        case U_SEC: snprintf(buf, bufn, "%s%lld.%06lld", secpart < 0 ? "-" : "", (long long)llabs(secpart) / 1000000, (long long)llabs(secpart) % 1000000); return RDB_OK;
        case U_MIN: snprintf(buf, bufn, "%lld", (long long)(us / USECS_PER_MIN % 60)); return RDB_OK;
        case U_HOUR: snprintf(buf, bufn, "%lld", (long long)(us / USECS_PER_HOUR)); return RDB_OK;
        case U_DAY: snprintf(buf, bufn, "%d", iv->days); return RDB_OK;
        case U_MONTH: snprintf(buf, bufn, "%lld", (long long)mo); return RDB_OK;
        case U_QUARTER: snprintf(buf, bufn, "%lld", (long long)(mo / 3 + 1)); return RDB_OK;
        case U_YEAR: snprintf(buf, bufn, "%lld", (long long)y); return RDB_OK;
        case U_DECADE: snprintf(buf, bufn, "%lld", (long long)(y / 10)); return RDB_OK;
        case U_CENTURY: snprintf(buf, bufn, "%lld", (long long)(y / 100)); return RDB_OK;
        case U_MILLENNIUM: snprintf(buf, bufn, "%lld", (long long)(y / 1000)); return RDB_OK;
        case U_EPOCH: {
            /* 365.25 days a year, 30 a month */
            __int128 tot = (__int128)us + ((__int128)y * 36525 * 864000000 + (__int128)mo * 30 * USECS_PER_DAY +
                                           (__int128)iv->days * USECS_PER_DAY);
            bool neg = tot < 0;
            if (neg) tot = -tot;
            snprintf(buf, bufn, "%s%lld.%06lld", neg ? "-" : "", (long long)(tot / 1000000), (long long)(tot % 1000000));
            return RDB_OK;
        }
        default: return unit_err(err, true, unit, oid);
        }
    }
    int64_t x = v->u.i;
    if (oid != SQL_OID_TIME && oid != SQL_OID_DATE && TS_INF(x)) {
        /* infinite timestamps: monotonic fields are +-Infinity, the others NULL */
        bool mono = u == U_YEAR || u == U_DECADE || u == U_CENTURY || u == U_MILLENNIUM || u == U_EPOCH ||
                    u == U_ISOYEAR || u == U_JULIAN;
        if (u < 0) return unit_err(err, false, unit, oid);
        snprintf(buf, bufn, "%s", mono ? (x > 0 ? "Infinity" : "-Infinity") : "");
        return RDB_OK;
    }
    if (oid == SQL_OID_DATE && (x == INT32_MAX || x == INT32_MIN)) {
        bool mono = u == U_YEAR || u == U_DECADE || u == U_CENTURY || u == U_MILLENNIUM || u == U_EPOCH ||
                    u == U_ISOYEAR || u == U_JULIAN;
        if (u >= U_US && u <= U_HOUR) return unit_err(err, true, unit, oid);
        snprintf(buf, bufn, "%s", mono ? (x > 0 ? "Infinity" : "-Infinity") : "");
        return RDB_OK;
    }
    if (oid == SQL_OID_TIME) {
        int64_t us = x % USECS_PER_MIN;
        switch (u) {
        case U_US: snprintf(buf, bufn, "%lld", (long long)us); return RDB_OK;
        case U_MS: snprintf(buf, bufn, "%lld.%03lld", (long long)us / 1000, (long long)us % 1000); return RDB_OK;
        case U_SEC: snprintf(buf, bufn, "%lld.%06lld", (long long)us / 1000000, (long long)us % 1000000); return RDB_OK;
        case U_MIN: snprintf(buf, bufn, "%lld", (long long)(x / USECS_PER_MIN % 60)); return RDB_OK;
        case U_HOUR: snprintf(buf, bufn, "%lld", (long long)(x / USECS_PER_HOUR)); return RDB_OK;
        case U_EPOCH: snprintf(buf, bufn, "%lld.%06lld", (long long)x / 1000000, (long long)x % 1000000); return RDB_OK;
        default: return unit_err(err, u >= 0, unit, oid);
        }
    }
    bool isdate = oid == SQL_OID_DATE;
    int64_t loc = to_local(ctx, oid, x);
    tm_t t;
    ts_split(loc, &t);
    int64_t secus = (int64_t)t.s * USECS_PER_SEC + t.us;
    int64_t yr = t.y > 0 ? t.y : t.y - 1; /* PG's year: no year 0 */
    if (isdate && u >= U_US && u <= U_HOUR) return unit_err(err, true, unit, oid);
    switch (u) {
    case U_US: snprintf(buf, bufn, "%lld", (long long)secus); return RDB_OK;
    case U_MS: snprintf(buf, bufn, "%lld.%03lld", (long long)secus / 1000, (long long)secus % 1000); return RDB_OK;
    case U_SEC: snprintf(buf, bufn, "%lld.%06lld", (long long)secus / 1000000, (long long)secus % 1000000); return RDB_OK;
    case U_MIN: snprintf(buf, bufn, "%d", t.mi); return RDB_OK;
    case U_HOUR: snprintf(buf, bufn, "%d", t.h); return RDB_OK;
    case U_DAY: snprintf(buf, bufn, "%d", t.d); return RDB_OK;
    case U_MONTH: snprintf(buf, bufn, "%d", t.m); return RDB_OK;
    case U_QUARTER: snprintf(buf, bufn, "%d", (t.m - 1) / 3 + 1); return RDB_OK;
    case U_YEAR: snprintf(buf, bufn, "%lld", (long long)yr); return RDB_OK;
    case U_DECADE: snprintf(buf, bufn, "%lld", (long long)(t.y >= 0 ? t.y / 10 : -((8 - (t.y - 1)) / 10))); return RDB_OK;
    case U_CENTURY: snprintf(buf, bufn, "%lld", (long long)(t.y > 0 ? (t.y + 99) / 100 : -((99 - (t.y - 1)) / 100))); return RDB_OK;
    case U_MILLENNIUM: snprintf(buf, bufn, "%lld", (long long)(t.y > 0 ? (t.y + 999) / 1000 : -((999 - (t.y - 1)) / 1000))); return RDB_OK;
    case U_DOW: snprintf(buf, bufn, "%lld", (long long)((((t.days + 6) % 7) + 7) % 7)); return RDB_OK;
    case U_ISODOW: snprintf(buf, bufn, "%lld", (long long)((((t.days + 5) % 7) + 7) % 7) + 1); return RDB_OK;
    case U_DOY: snprintf(buf, bufn, "%lld", (long long)(t.days - sqlt_days_from_civil(t.y, 1, 1) + 1)); return RDB_OK;
    case U_WEEK: case U_ISOYEAR: {
        int64_t iy; int w;
        iso_week(t.days, &iy, &w);
        if (u == U_WEEK) snprintf(buf, bufn, "%d", w);
        else snprintf(buf, bufn, "%lld", (long long)(iy > 0 ? iy : iy - 1));
        return RDB_OK;
    }
    case U_JULIAN: {
        int64_t j = t.days + 2451545;
        if (isdate) { snprintf(buf, bufn, "%lld", (long long)j); return RDB_OK; }
        /* j + tod / 86400 s, as PG's numeric division */
        sql_value_t a = sqlt_numeric_from_int(ctx->arena, t.tod), b = sqlt_numeric_from_int(ctx->arena, USECS_PER_DAY), r;
        sql_value_t jv = sqlt_numeric_from_int(ctx->arena, j);
        if (sqlt_numeric_arith(ctx->arena, '/', &a, &b, &r, err) != RDB_OK ||
            sqlt_numeric_arith(ctx->arena, '+', &jv, &r, &r, err) != RDB_OK) return RDB_SQL;
        rdb_buf_t o;
        rdb_buf_init(&o, 32);
        sqlt_numeric_out(&r, &o);
        snprintf(buf, bufn, "%.*s", (int)o.len, o.data);
        rdb_buf_free(&o);
        return RDB_OK;
    }
    case U_EPOCH: {
        int64_t e = isdate ? x * 86400 + INT64_C(946684800) : 0;
        if (isdate) { snprintf(buf, bufn, "%lld", (long long)e); return RDB_OK; }
        int64_t us = (oid == SQL_OID_TIMESTAMPTZ ? x : x) + INT64_C(946684800) * USECS_PER_SEC;
        bool neg = us < 0;
        uint64_t a = neg ? (uint64_t)0 - (uint64_t)us : (uint64_t)us;
        snprintf(buf, bufn, "%s%llu.%06llu", neg ? "-" : "", (unsigned long long)(a / 1000000), (unsigned long long)(a % 1000000));
        return RDB_OK;
    }
    case U_TZ: case U_TZ_H: case U_TZ_M: {
        if (oid != SQL_OID_TIMESTAMPTZ) return unit_err(err, true, unit, oid);
        int32_t off = sqlt_tz_offset(zone_of(ctx), x);
        snprintf(buf, bufn, "%d", u == U_TZ ? off : u == U_TZ_H ? off / 3600 : off / 60 % 60);
        return RDB_OK;
    }
    default: return unit_err(err, u >= 0, unit, oid);
    }
}

static rdb_status_t date_part_common(sql_fn_ctx_t *ctx, const sql_value_t *args, const sql_type_t *argtypes,
                                     bool numeric, sql_value_t *res, rdb_err_t *err)
{
    int u = unit_of(TXT(A0));
    uint32_t oid = argtypes[1].oid;
    if (u < 0) return unit_err(err, false, &A0, oid);
    char buf[96];
    if (part_value(ctx, u, oid, &A1, &A0, buf, sizeof buf, err) != RDB_OK) return RDB_SQL;
    if (!buf[0]) { *res = sql_null(); return RDB_OK; }
    if (numeric) return sqlt_numeric_in(ctx->arena, buf, strlen(buf), res, err);
    *res = sql_float(strtod(buf, NULL));
    return RDB_OK;
}
FN(f_date_part) { UNUSED_FN_ARGS; return date_part_common(ctx, args, argtypes, false, res, err); }
FN(f_extract) { UNUSED_FN_ARGS; return date_part_common(ctx, args, argtypes, true, res, err); }

/* ---- AT TIME ZONE --------------------------------------------------- */

/* The zone argument: a tz database name, or a POSIX-ish fixed offset
 * ('+05', '-03:30', 'UTC+3' is not supported). *fixed gets seconds east. */
static rdb_status_t zone_arg(sql_fn_ctx_t *ctx, const sql_value_t *z, const char **name, bool *isfixed, int32_t *fixed,
                             rdb_err_t *err)
{
    char *n = rdb_arena_strndup(ctx->arena, TXT(*z));
    *isfixed = false;
    if (!strcasecmp(n, "utc") || !strcasecmp(n, "gmt") || !strcasecmp(n, "z") || !strcasecmp(n, "zulu")) {
        *isfixed = true;
        *fixed = 0;
        return RDB_OK;
    }
    if ((n[0] == '+' || n[0] == '-') && isdigit((unsigned char)n[1])) {
        int h = 0, m = 0;
        sscanf(n + 1, "%d:%d", &h, &m);
        *isfixed = true;
        /* POSIX sign convention, as PG: '+05' is five hours west of Greenwich */
        *fixed = (n[0] == '-' ? 1 : -1) * (h * 3600 + m * 60);
        return RDB_OK;
    }
    if (!sqlt_tz_known(n)) return rdb_err_set(err, RDB_SQL, "22023", "time zone \"%s\" not recognized", n);
    *name = n;
    return RDB_OK;
}

FN(f_timezone)
{
    UNUSED_FN_ARGS;
    int64_t v = A1.u.i;
    if (TS_INF(v)) { *res = A1; return RDB_OK; }
    const char *name = NULL;
    bool isfixed;
    int32_t fixed = 0;
    if (argtypes[0].oid == SQL_OID_INTERVAL) {
        isfixed = true;
        fixed = (int32_t)(A0.u.iv.usec / USECS_PER_SEC + (int64_t)A0.u.iv.days * 86400);
    } else if (zone_arg(ctx, &A0, &name, &isfixed, &fixed, err) != RDB_OK) {
        return RDB_SQL;
    }
    if (argtypes[1].oid == SQL_OID_TIMESTAMPTZ) /* -> timestamp: the wall time there */
        return ts_range(v + (isfixed ? fixed : sqlt_tz_offset(name, v)) * USECS_PER_SEC, res, err);
    /* timestamp -> timestamptz: the wall time read in that zone */
    return ts_range(isfixed ? v - (int64_t)fixed * USECS_PER_SEC : sqlt_tz_local_to_utc(name, v), res, err);
}

/* ---- arithmetic ----------------------------------------------------- */

static rdb_status_t tstz_plus_iv(sql_fn_ctx_t *ctx, int64_t ts, const sql_interval_t *iv, int sg, sql_value_t *res,
                                 rdb_err_t *err)
{
    if (TS_INF(ts)) { *res = sql_int(ts); return RDB_OK; }
    const char *zone = zone_of(ctx);
    if (iv->months || iv->days) {
        /* months and days move the local wall time, as PG's timestamptz_pl_interval */
        int64_t loc = ts + (int64_t)sqlt_tz_offset(zone, ts) * USECS_PER_SEC;
        sql_interval_t md = { 0, iv->days, iv->months };
        sql_value_t r;
        if (sqlt_ts_plus_iv(loc, &md, sg, &r, err) != RDB_OK) return RDB_SQL;
        ts = sqlt_tz_local_to_utc(zone, r.u.i);
    }
    int64_t out;
    if (__builtin_add_overflow(ts, sg * iv->usec, &out)) return rdb_err_set(err, RDB_SQL, "22008", "timestamp out of range");
    return ts_range(out, res, err);
}
FN(f_tz_pl_iv) { UNUSED_FN_ARGS; return tstz_plus_iv(ctx, A0.u.i, &A1.u.iv, 1, res, err); }
FN(f_iv_pl_tz) { UNUSED_FN_ARGS; return tstz_plus_iv(ctx, A1.u.i, &A0.u.iv, 1, res, err); }
FN(f_tz_mi_iv) { UNUSED_FN_ARGS; return tstz_plus_iv(ctx, A0.u.i, &A1.u.iv, -1, res, err); }

static int64_t time_wrap(int64_t t)
{
    t %= USECS_PER_DAY;
    return t < 0 ? t + USECS_PER_DAY : t;
}
FN(f_time_pl_iv) { UNUSED_FN_ARGS; *res = sql_int(time_wrap(A0.u.i + A1.u.iv.usec % USECS_PER_DAY)); return RDB_OK; }
FN(f_iv_pl_time) { UNUSED_FN_ARGS; *res = sql_int(time_wrap(A1.u.i + A0.u.iv.usec % USECS_PER_DAY)); return RDB_OK; }
FN(f_time_mi_iv) { UNUSED_FN_ARGS; *res = sql_int(time_wrap(A0.u.i - A1.u.iv.usec % USECS_PER_DAY)); return RDB_OK; }
FN(f_time_mi_time)
{
    UNUSED_FN_ARGS;
    res->isnull = false;
    res->u.iv = (sql_interval_t){ A0.u.i - A1.u.i, 0, 0 };
    return RDB_OK;
}
FN(f_date_pl_time)
{
    UNUSED_FN_ARGS;
    int64_t d = argtypes[0].oid == SQL_OID_DATE ? A0.u.i : A1.u.i, t = argtypes[0].oid == SQL_OID_DATE ? A1.u.i : A0.u.i;
    if (d == INT32_MAX || d == INT32_MIN) { *res = sql_int(d == INT32_MAX ? INT64_MAX : INT64_MIN); return RDB_OK; }
    return ts_range(d * USECS_PER_DAY + t, res, err);
}

/* ---- age, justify, make_* ------------------------------------------- */

static rdb_status_t age_of(int64_t a, int64_t b, sql_value_t *res, rdb_err_t *err)
{
    if (TS_INF(a) || TS_INF(b)) return rdb_err_set(err, RDB_SQL, "22008", "cannot subtract infinite timestamps");
    tm_t t1, t2;
    ts_split(a, &t1);
    ts_split(b, &t2);
    int64_t us = t1.us - t2.us, sec = t1.s - t2.s, mi = t1.mi - t2.mi, h = t1.h - t2.h;
    int64_t d = t1.d - t2.d, mo = t1.m - t2.m, y = t1.y - t2.y;
    bool flip = a < b;
    if (flip) { us = -us; sec = -sec; mi = -mi; h = -h; d = -d; mo = -mo; y = -y; }
    while (us < 0) { us += USECS_PER_SEC; sec--; }
    while (sec < 0) { sec += 60; mi--; }
    while (mi < 0) { mi += 60; h--; }
    while (h < 0) { h += 24; d--; }
    while (d < 0) {
        if (flip) d += mdays(t1.y, t1.m);
        else d += mdays(t2.y, t2.m);
        mo--;
    }
    while (mo < 0) { mo += 12; y--; }
    if (flip) { us = -us; sec = -sec; mi = -mi; h = -h; d = -d; mo = -mo; y = -y; }
    return sqlt_iv_make(y * 12 + mo, d, ((h * 60 + mi) * 60 + sec) * USECS_PER_SEC + us, res, err);
}
FN(f_age2)
{
    UNUSED_FN_ARGS;
    return age_of(to_local(ctx, argtypes[0].oid, A0.u.i), to_local(ctx, argtypes[1].oid, A1.u.i), res, err);
}
FN(f_age1)
{
    UNUSED_FN_ARGS;
    /* against midnight of the current date */
    int64_t now = ctx->txn_ts + (int64_t)sqlt_tz_offset(zone_of(ctx), ctx->txn_ts) * USECS_PER_SEC;
    int64_t mid = (now / USECS_PER_DAY - (now % USECS_PER_DAY < 0)) * USECS_PER_DAY;
    return age_of(mid, to_local(ctx, argtypes[0].oid, A0.u.i), res, err);
}

FN(f_justify_interval)
{
    UNUSED_FN_ARGS;
    int64_t mo = A0.u.iv.months, d = A0.u.iv.days, us = A0.u.iv.usec;
    d += us / USECS_PER_DAY;
    us %= USECS_PER_DAY;
    mo += d / 30;
    d %= 30;
    if (mo > 0 && (d < 0 || (d == 0 && us < 0))) { d += 30; mo--; }
    else if (mo < 0 && (d > 0 || (d == 0 && us > 0))) { d -= 30; mo++; }
    if (d > 0 && us < 0) { us += USECS_PER_DAY; d--; }
    else if (d < 0 && us > 0) { us -= USECS_PER_DAY; d++; }
    return sqlt_iv_make(mo, d, us, res, err);
}
FN(f_justify_days)
{
    UNUSED_FN_ARGS;
    int64_t mo = A0.u.iv.months + A0.u.iv.days / 30, d = A0.u.iv.days % 30;
    if (mo > 0 && d < 0) { d += 30; mo--; }
    else if (mo < 0 && d > 0) { d -= 30; mo++; }
    return sqlt_iv_make(mo, d, A0.u.iv.usec, res, err);
}
FN(f_justify_hours)
{
    UNUSED_FN_ARGS;
    int64_t d = A0.u.iv.days + A0.u.iv.usec / USECS_PER_DAY, us = A0.u.iv.usec % USECS_PER_DAY;
    if (d > 0 && us < 0) { us += USECS_PER_DAY; d--; }
    else if (d < 0 && us > 0) { us -= USECS_PER_DAY; d++; }
    return sqlt_iv_make(A0.u.iv.months, d, us, res, err);
}

static rdb_status_t make_tod(int64_t h, int64_t mi, double sec, int64_t *tod, rdb_err_t *err)
{
    if (h < 0 || mi < 0 || mi > 59 || sec < 0 || sec > 60 || h > 24 || (h == 24 && (mi > 0 || sec > 0)))
        return rdb_err_set(err, RDB_SQL, "22008", "time field value out of range: %lld:%02lld:%02g", (long long)h,
                           (long long)mi, sec);
    *tod = (h * 60 + mi) * 60 * USECS_PER_SEC + (int64_t)llrint(sec * 1e6);
    return RDB_OK;
}
static rdb_status_t make_day(int64_t y, int64_t m, int64_t d, int64_t *days, rdb_err_t *err)
{
    int64_t yy = y < 0 ? y + 1 : y;
    if (y == 0 || m < 1 || m > 12 || d < 1 || d > mdays(yy, (int)m))
        return rdb_err_set(err, RDB_SQL, "22008", "date field value out of range: %lld-%02lld-%02lld", (long long)y,
                           (long long)m, (long long)d);
    *days = sqlt_days_from_civil(yy, (int)m, (int)d);
    return RDB_OK;
}
FN(f_make_date)
{
    UNUSED_FN_ARGS;
    int64_t days = 0;
    if (make_day(A0.u.i, A1.u.i, A2.u.i, &days, err) != RDB_OK) return RDB_SQL;
    if (days < -2451545 || days > 2147483494LL - 2451545) return rdb_err_set(err, RDB_SQL, "22008", "date out of range");
    *res = sql_int(days);
    return RDB_OK;
}
FN(f_make_time)
{
    UNUSED_FN_ARGS;
    int64_t tod = 0;
    if (make_tod(A0.u.i, A1.u.i, A2.u.f, &tod, err) != RDB_OK) return RDB_SQL;
    *res = sql_int(tod);
    return RDB_OK;
}
FN(f_make_timestamp)
{
    UNUSED_FN_ARGS;
    int64_t days = 0, tod = 0;
    if (make_day(A0.u.i, A1.u.i, A2.u.i, &days, err) != RDB_OK ||
        make_tod(args[3].u.i, args[4].u.i, args[5].u.f, &tod, err) != RDB_OK)
        return RDB_SQL;
    int64_t v = days * USECS_PER_DAY + tod;
    if (rettype.oid == SQL_OID_TIMESTAMPTZ) {
        const char *zone = zone_of(ctx);
        if (nargs > 6) {
            bool isfixed;
            int32_t fixed;
            const char *name = NULL;
            if (zone_arg(ctx, &args[6], &name, &isfixed, &fixed, err) != RDB_OK) return RDB_SQL;
            if (isfixed) return ts_range(v - (int64_t)fixed * USECS_PER_SEC, res, err);
            zone = name;
        }
        v = sqlt_tz_local_to_utc(zone, v);
    }
    return ts_range(v, res, err);
}
FN(f_make_interval)
{
    UNUSED_FN_ARGS;
    int64_t mo = A0.u.i * 12 + A1.u.i, d = A2.u.i * 7 + args[3].u.i;
    double us = ((double)args[4].u.i * 3600 + (double)args[5].u.i * 60 + args[6].u.f) * 1e6;
    if (isnan(us) || isinf(us) || fabs(us) > 9.2e18) return rdb_err_set(err, RDB_SQL, "22008", "interval out of range");
    return sqlt_iv_make(mo, d, (int64_t)llrint(us), res, err);
}

FN(f_current_time)
{
    UNUSED_FN_ARGS;
    int32_t off = sqlt_tz_offset(zone_of(ctx), ctx->txn_ts);
    int64_t loc = ctx->txn_ts + (int64_t)off * USECS_PER_SEC;
    int64_t tod = ((loc % USECS_PER_DAY) + USECS_PER_DAY) % USECS_PER_DAY;
    *res = sql_int(rettype.oid == SQL_OID_TIMETZ ? sqlt_timetz_pack(tod, off) : tod);
    return RDB_OK;
}

FN(f_to_timestamp_epoch)
{
    UNUSED_FN_ARGS;
    double s = A0.u.f;
    if (isnan(s)) return rdb_err_set(err, RDB_SQL, "22008", "timestamp cannot be NaN");
    if (isinf(s)) { *res = sql_int(s > 0 ? INT64_MAX : INT64_MIN); return RDB_OK; }
    double us = (s - 946684800.0) * 1e6;
    if (us >= 9223371331200000000.0 || us < -211813488000000000.0)
        return rdb_err_set(err, RDB_SQL, "22008", "timestamp out of range: \"%g\"", s);
    *res = sql_int((int64_t)llrint(us));
    return RDB_OK;
}

/* (s1, e1) OVERLAPS (s2, e2), with PG's handling of reversed ends. */
FN(f_overlaps)
{
    UNUSED_FN_ARGS;
    int64_t s1 = A0.u.i, e1 = A1.u.i, s2 = A2.u.i, e2 = args[3].u.i;
    if (argtypes[1].oid == SQL_OID_INTERVAL || argtypes[3].oid == SQL_OID_INTERVAL) {
        sql_value_t r;
        if (argtypes[1].oid == SQL_OID_INTERVAL) { if (sqlt_ts_plus_iv(s1, &A1.u.iv, 1, &r, err)) return RDB_SQL; e1 = r.u.i; }
        if (argtypes[3].oid == SQL_OID_INTERVAL) { if (sqlt_ts_plus_iv(s2, &args[3].u.iv, 1, &r, err)) return RDB_SQL; e2 = r.u.i; }
    }
    if (s1 > e1) { int64_t t = s1; s1 = e1; e1 = t; }
    if (s2 > e2) { int64_t t = s2; s2 = e2; e2 = t; }
    if (s1 > s2) *res = sql_bool(s1 < e2);
    else if (s2 > s1) *res = sql_bool(s2 < e1);
    else *res = sql_bool(true);
    return RDB_OK;
}

/* ---- to_char and friends (formatting.c's patterns) -------------------- */

static const char *const mon_full[] = { "January", "February", "March", "April", "May", "June", "July", "August",
                                        "September", "October", "November", "December" };
static const char *const day_full[] = { "Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday" };

typedef struct {
    int64_t y; int m, d, h, mi, s; int64_t us;
    int64_t days;          /* for day-of-week etc. (timestamps) */
    bool interval;
    int64_t iv_hours;      /* intervals: total hours of the time part */
    int32_t tzoff; bool has_tz;
    const char *tzname;
} fmt_tm_t;

static void put_case(rdb_buf_t *b, const char *s, int mode, int pad, bool fm)
{
    /* mode 0: as is (Capitalized), 1: UPPER, 2: lower */
    size_t n = strlen(s);
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (mode == 1) c = (char)toupper((unsigned char)c);
        else if (mode == 2) c = (char)tolower((unsigned char)c);
        rdb_buf_append_u8(b, (uint8_t)c);
    }
    if (!fm) for (size_t i = n; i < (size_t)pad; i++) rdb_buf_append_u8(b, ' ');
}

static const char *ordsuffix(int64_t n)
{
    int64_t a = n < 0 ? -n : n;
    if (a % 100 >= 11 && a % 100 <= 13) return "th";
    switch (a % 10) { case 1: return "st"; case 2: return "nd"; case 3: return "rd"; default: return "th"; }
}

static bool kw(const char *f, size_t i, size_t n, const char *k)
{
    size_t kn = strlen(k);
    return i + kn <= n && strncmp(f + i, k, kn) == 0;
}
static bool kwi(const char *f, size_t i, size_t n, const char *k)
{
    size_t kn = strlen(k);
    return i + kn <= n && strncasecmp(f + i, k, kn) == 0;
}

/* case mode of a name pattern from its first two letters: MONTH / Month / month */
static int name_mode(const char *f, size_t i)
{
    if (isupper((unsigned char)f[i]) && isupper((unsigned char)f[i + 1])) return 1;
    if (isupper((unsigned char)f[i])) return 0;
    return 2;
}

static void dt_format(const fmt_tm_t *t, const char *f, size_t n, rdb_buf_t *b)
{
    for (size_t i = 0; i < n;) {
        bool fm = false;
        if (kw(f, i, n, "FM")) { fm = true; i += 2; if (i >= n) break; }
        int64_t num = 0;
        int width = 0;
        size_t adv = 0;
        bool isnum = true;
        if (kwi(f, i, n, "HH24")) { num = t->interval ? t->iv_hours : t->h; width = 2; adv = 4; }
        else if (kwi(f, i, n, "HH12")) { num = t->h % 12 == 0 ? 12 : t->h % 12; width = 2; adv = 4; }
        else if (kwi(f, i, n, "HH")) { num = t->h % 12 == 0 ? 12 : t->h % 12; width = 2; adv = 2; }
        else if (kwi(f, i, n, "MI")) { num = t->mi; width = 2; adv = 2; }
        else if (kwi(f, i, n, "SSSSS") || kwi(f, i, n, "SSSS")) { num = (int64_t)t->h * 3600 + t->mi * 60 + t->s; width = 0; adv = kwi(f, i, n, "SSSSS") ? 5 : 4; }
        else if (kwi(f, i, n, "SS")) { num = t->s; width = 2; adv = 2; }
        else if (kwi(f, i, n, "MS")) { num = t->us / 1000; width = 3; adv = 2; }
        else if (kwi(f, i, n, "US")) { num = t->us; width = 6; adv = 2; }
        else if (f[i] == 'F' && i + 2 < n && f[i + 1] == 'F' && f[i + 2] >= '1' && f[i + 2] <= '6') {
            int k = f[i + 2] - '0';
            int64_t v = t->us;
            for (int q = k; q < 6; q++) v /= 10;
            num = v; width = k; adv = 3;
        }
        else if (kw(f, i, n, "AM") || kw(f, i, n, "PM")) { rdb_buf_append_str(b, t->h >= 12 ? "PM" : "AM"); i += 2; continue; }
        else if (kw(f, i, n, "am") || kw(f, i, n, "pm")) { rdb_buf_append_str(b, t->h >= 12 ? "pm" : "am"); i += 2; continue; }
        else if (kw(f, i, n, "A.M.") || kw(f, i, n, "P.M.")) { rdb_buf_append_str(b, t->h >= 12 ? "P.M." : "A.M."); i += 4; continue; }
        else if (kw(f, i, n, "a.m.") || kw(f, i, n, "p.m.")) { rdb_buf_append_str(b, t->h >= 12 ? "p.m." : "a.m."); i += 4; continue; }
        else if (kwi(f, i, n, "Y,YYY")) {
            int64_t y = t->y > 0 ? t->y : 1 - t->y;
            rdb_buf_printf(b, "%lld,%03lld", (long long)(y / 1000), (long long)(y % 1000));
            i += 5;
            continue;
        }
        else if (kwi(f, i, n, "YYYY")) { num = t->interval ? t->y : (t->y > 0 ? t->y : 1 - t->y); width = 4; adv = 4; }
        else if (kwi(f, i, n, "YYY")) { num = (t->y > 0 ? t->y : 1 - t->y) % 1000; width = 3; adv = 3; }
        else if (kwi(f, i, n, "YY")) { num = (t->y > 0 ? t->y : 1 - t->y) % 100; width = 2; adv = 2; }
        else if (kwi(f, i, n, "IYYY") || kwi(f, i, n, "IYY") || kwi(f, i, n, "IY") || kwi(f, i, n, "IW")) {
            int64_t iy; int w;
            iso_week(t->days, &iy, &w);
            if (kwi(f, i, n, "IW")) { num = w; width = 2; adv = 2; }
            else if (kwi(f, i, n, "IYYY")) { num = iy; width = 4; adv = 4; }
            else if (kwi(f, i, n, "IYY")) { num = iy % 1000; width = 3; adv = 3; }
            else { num = iy % 100; width = 2; adv = 2; }
        }
        else if (kwi(f, i, n, "ID")) { num = (((t->days + 5) % 7) + 7) % 7 + 1; width = 1; adv = 2; }
        else if (kwi(f, i, n, "Y")) { num = (t->y > 0 ? t->y : 1 - t->y) % 10; width = 1; adv = 1; }
        else if (kw(f, i, n, "BC") || kw(f, i, n, "AD") || kw(f, i, n, "bc") || kw(f, i, n, "ad")) {
            bool up = isupper((unsigned char)f[i]);
            rdb_buf_append_str(b, t->y > 0 ? (up ? "AD" : "ad") : (up ? "BC" : "bc"));
            i += 2;
            continue;
        }
        else if (kwi(f, i, n, "MONTH")) { put_case(b, mon_full[t->m - 1], name_mode(f, i), 9, fm); i += 5; continue; }
        else if (kwi(f, i, n, "MON")) {
            char ab[4];
            snprintf(ab, sizeof ab, "%.3s", mon_full[t->m - 1]);
            put_case(b, ab, name_mode(f, i), 3, fm);
            i += 3;
            continue;
        }
        else if (kwi(f, i, n, "MM")) { num = t->m; width = 2; adv = 2; }
        else if (kwi(f, i, n, "DAY")) { put_case(b, day_full[(((t->days + 6) % 7) + 7) % 7], name_mode(f, i), 9, fm); i += 3; continue; }
        else if (kwi(f, i, n, "DY")) {
            char ab[4];
            snprintf(ab, sizeof ab, "%.3s", day_full[(((t->days + 6) % 7) + 7) % 7]);
            put_case(b, ab, name_mode(f, i), 3, fm);
            i += 2;
            continue;
        }
        else if (kwi(f, i, n, "DDD")) { num = t->days - sqlt_days_from_civil(t->y, 1, 1) + 1; width = 3; adv = 3; }
        else if (kwi(f, i, n, "DD")) { num = t->d; width = 2; adv = 2; }
        else if (kwi(f, i, n, "D")) { num = (((t->days + 6) % 7) + 7) % 7 + 1; width = 1; adv = 1; }
        else if (kwi(f, i, n, "WW")) { num = (t->days - sqlt_days_from_civil(t->y, 1, 1)) / 7 + 1; width = 2; adv = 2; }
        else if (kwi(f, i, n, "W")) { num = (t->d - 1) / 7 + 1; width = 1; adv = 1; }
        else if (kwi(f, i, n, "Q")) { num = (t->m - 1) / 3 + 1; width = 1; adv = 1; }
        else if (kwi(f, i, n, "CC")) { num = t->y > 0 ? (t->y + 99) / 100 : -((99 - (t->y - 1)) / 100); width = 2; adv = 2; }
        else if (kwi(f, i, n, "J")) { num = t->days + 2451545; width = 0; adv = 1; }
        else if (kw(f, i, n, "TZH")) {
            int32_t o = t->tzoff;
            rdb_buf_printf(b, "%c%02d", o < 0 ? '-' : '+', abs(o) / 3600);
            i += 3;
            continue;
        }
        else if (kw(f, i, n, "TZM")) { rdb_buf_printf(b, "%02d", abs(t->tzoff) / 60 % 60); i += 3; continue; }
        else if (kwi(f, i, n, "TZ")) {
            if (t->has_tz) {
                int32_t o = t->tzoff;
                if (t->tzname && t->tzname[0] != '+' && t->tzname[0] != '-') {
                    for (const char *q = t->tzname; *q; q++)
                        rdb_buf_append_u8(b, (uint8_t)(isupper((unsigned char)f[i]) ? *q : tolower((unsigned char)*q)));
                } else if (o == 0) rdb_buf_append_str(b, isupper((unsigned char)f[i]) ? "UTC" : "utc");
                else {
                    rdb_buf_printf(b, "%c%02d", o < 0 ? '-' : '+', abs(o) / 3600);
                    if (abs(o) % 3600) rdb_buf_printf(b, "%02d", abs(o) / 60 % 60);
                }
            }
            i += 2;
            continue;
        }
        else if (kw(f, i, n, "OF")) {
            int32_t o = t->tzoff;
            rdb_buf_printf(b, "%c%02d", o < 0 ? '-' : '+', abs(o) / 3600);
            if (abs(o) % 3600) rdb_buf_printf(b, ":%02d", abs(o) / 60 % 60);
            i += 2;
            continue;
        }
        else isnum = false;
        if (isnum) {
            bool neg = num < 0;
            if (fm || width == 0) rdb_buf_printf(b, "%lld", (long long)num);
            else rdb_buf_printf(b, "%s%0*lld", neg ? "-" : "", neg ? width - 1 : width, (long long)(neg ? -num : num));
            i += adv;
            if (kw(f, i, n, "TH")) { put_case(b, ordsuffix(num), 1, 0, true); i += 2; }
            else if (kw(f, i, n, "th")) { rdb_buf_append_str(b, ordsuffix(num)); i += 2; }
            continue;
        }
        if (f[i] == '"') {
            i++;
            while (i < n && f[i] != '"') {
                if (f[i] == '\\' && i + 1 < n) i++;
                rdb_buf_append_u8(b, (uint8_t)f[i++]);
            }
            i++;
            continue;
        }
        if (f[i] == '\\' && i + 1 < n) { rdb_buf_append_u8(b, (uint8_t)f[i + 1]); i += 2; continue; }
        rdb_buf_append_u8(b, (uint8_t)f[i++]);
    }
}

FN(f_to_char_ts)
{
    UNUSED_FN_ARGS;
    uint32_t oid = argtypes[0].oid;
    fmt_tm_t t;
    memset(&t, 0, sizeof t);
    if (oid == SQL_OID_INTERVAL) {
        const sql_interval_t *iv = &A0.u.iv;
        t.interval = true;
        t.y = iv->months / 12;
        t.m = iv->months % 12;
        t.d = iv->days;
        int64_t us = iv->usec;
        t.iv_hours = us / USECS_PER_HOUR;
        t.h = (int)(t.iv_hours % 24);
        t.mi = (int)(us / USECS_PER_MIN % 60);
        t.s = (int)(us / USECS_PER_SEC % 60);
        t.us = us % USECS_PER_SEC;
        t.days = t.d;
        if (t.m == 0) t.m = 1; /* names need a month; PG prints the month field as is */
    } else {
        int64_t v = A0.u.i;
        if ((oid != SQL_OID_DATE && TS_INF(v))) { *res = sql_null(); return RDB_OK; }
        int64_t loc = to_local(ctx, oid, v);
        tm_t tm;
        ts_split(loc, &tm);
        t.y = tm.y; t.m = tm.m; t.d = tm.d; t.h = tm.h; t.mi = tm.mi; t.s = tm.s; t.us = tm.us; t.days = tm.days;
        if (oid == SQL_OID_TIMESTAMPTZ) {
            t.has_tz = true;
            t.tzoff = sqlt_tz_offset(zone_of(ctx), v);
            t.tzname = sqlt_tz_abbrev(zone_of(ctx), v);
        }
    }
    rdb_buf_t b;
    rdb_buf_init(&b, A1.u.v.len * 2 + 16);
    dt_format(&t, TXT(A1), &b);
    *res = sqlt_text_result(ctx->arena, b.data, b.len);
    rdb_buf_free(&b);
    return RDB_OK;
}

/* Numeric templates: 9 0 . , D G S MI PL SG PR FM EEEE and literals. */
FN(f_to_char_num)
{
    UNUSED_FN_ARGS;
    const char *f = A1.u.v.ptr;
    size_t n = A1.u.v.len;
    bool fm = false, explicit_sign = false, pr = false, eeee = false, lead_s = false;
    int nint = 0, nfrac = 0, first_zero = -1;
    bool seen_point = false;
    for (size_t i = 0; i < n; i++) {
        char c = f[i];
        if (kw(f, i, n, "FM")) { fm = true; i++; continue; }
        if (kwi(f, i, n, "EEEE")) { eeee = true; i += 3; continue; }
        if (kwi(f, i, n, "MI") || kwi(f, i, n, "SG")) { explicit_sign = true; i++; continue; }
        if (kwi(f, i, n, "PL")) { i++; continue; } /* '+' at its place, the sign slot stays */
        if (kwi(f, i, n, "PR")) { pr = true; i++; continue; }
        if (c == 'S' || c == 's') {
            /* a leading S signs the number where it starts, a trailing one after it */
            if (nint == 0 && !seen_point) lead_s = true;
            else explicit_sign = true;
            continue;
        }
        if (c == '9' || c == '0') {
            if (seen_point) nfrac++;
            else { if (c == '0' && first_zero < 0) first_zero = nint; nint++; }
        } else if (c == '.' || c == 'D' || c == 'd') seen_point = true;
    }
    /* the value as a rounded decimal string */
    sql_value_t num;
    uint32_t oid = argtypes[0].oid;
    if (oid == SQL_OID_NUMERIC) num = A0;
    else if (oid == SQL_OID_FLOAT4 || oid == SQL_OID_FLOAT8) {
        if (sqlt_numeric_from_double(ctx->arena, A0.u.f, &num, err) != RDB_OK) return RDB_SQL;
    } else num = sqlt_numeric_from_int(ctx->arena, A0.u.i);
    rdb_buf_t b, ds;
    rdb_buf_init(&b, n + 16);
    rdb_buf_init(&ds, 32);
    if (eeee) {
        double d = oid == SQL_OID_NUMERIC ? sqlt_numeric_to_double(&num) : (oid == SQL_OID_FLOAT4 || oid == SQL_OID_FLOAT8) ? A0.u.f : (double)A0.u.i;
        rdb_buf_printf(&b, "%s%.*e", d < 0 ? "" : " ", nfrac, d);
        /* PG prints the exponent with at least two digits: e+03 */
        *res = sqlt_text_result(ctx->arena, b.data, b.len);
        rdb_buf_free(&b);
        rdb_buf_free(&ds);
        return RDB_OK;
    }
    if (sqlt_numeric_special(&num)) {
        rdb_buf_free(&ds);
        for (size_t i = 0; i < (size_t)(nint + nfrac + (seen_point ? 1 : 0) + 1); i++) rdb_buf_append_u8(&b, '#');
        *res = sqlt_text_result(ctx->arena, b.data, b.len);
        rdb_buf_free(&b);
        return RDB_OK;
    }
    sql_value_t r;
    if (sqlt_numeric_round(ctx->arena, &num, nfrac, false, &r, err) != RDB_OK) { rdb_buf_free(&b); rdb_buf_free(&ds); return RDB_SQL; }
    sqlt_numeric_out(&r, &ds);
    const char *p = ds.data;
    size_t pn = ds.len;
    bool neg = pn && p[0] == '-';
    if (neg) { p++; pn--; }
    const char *dot = memchr(p, '.', pn);
    size_t il = dot ? (size_t)(dot - p) : pn;
    const char *ip = p, *fp = dot ? dot + 1 : "";
    size_t fl = dot ? pn - il - 1 : 0;
    if (il == 1 && ip[0] == '0' && seen_point) il = 0; /* 0.5 with 9.99: the integer 9s print blank */
    bool overflow = (int)il > nint;
    /* trailing zeros of 9-positions are dropped in FM mode */
    int keep_frac = nfrac;
    if (fm) {
        int k = nfrac;
        /* walk the fraction template from its end */
        int fi = nfrac;
        for (size_t i = n; i-- > 0 && fi > 0;) {
            if (f[i] == '9' || f[i] == '0') {
                if (f[i] == '0') break;
                if ((size_t)(fi - 1) < fl && fp[fi - 1] != '0') break;
                k--;
                fi--;
            } else if (f[i] == '.' || f[i] == 'D' || f[i] == 'd') break;
        }
        keep_frac = k;
    }
    int ipos = 0, fpos = 0;
    bool started = false, sign_done = explicit_sign;
    seen_point = false;
    for (size_t i = 0; i < n; i++) {
        char c = f[i];
        if (kw(f, i, n, "FM")) { i++; continue; }
        if (kwi(f, i, n, "MI")) { rdb_buf_append_u8(&b, neg ? '-' : (fm ? 0 : ' ')); if (!neg && fm) b.len--; i++; continue; }
        if (kwi(f, i, n, "PL")) { if (!neg) rdb_buf_append_u8(&b, '+'); else if (!fm) rdb_buf_append_u8(&b, ' '); i++; continue; }
        if (kwi(f, i, n, "SG")) { rdb_buf_append_u8(&b, neg ? '-' : '+'); i++; continue; }
        if (kwi(f, i, n, "PR")) { i++; continue; }
        if (c == 'S' || c == 's') {
            if (!lead_s) rdb_buf_append_u8(&b, neg ? '-' : '+');
            continue;
        }
        if (c == 'L' || c == 'l') { rdb_buf_append_u8(&b, ' '); continue; } /* C locale: no currency symbol */
        if (c == '9' || c == '0') {
            if (!seen_point) {
                int lead = nint - (int)il; /* positions before the first digit */
                if (overflow) {
                    if (ipos == 0 && !explicit_sign && !fm) rdb_buf_append_u8(&b, ' ');
                    rdb_buf_append_u8(&b, '#');
                    ipos++;
                    continue;
                }
                if (ipos < lead) {
                    bool zero = first_zero >= 0 && ipos >= first_zero;
                    if (zero) {
                        if (!sign_done) { rdb_buf_append_u8(&b, neg ? '-' : lead_s ? '+' : ' '); if (fm && !neg && !lead_s) b.len--; sign_done = true; }
                        rdb_buf_append_u8(&b, '0');
                        started = true;
                    } else if (!fm) {
                        rdb_buf_append_u8(&b, ' ');
                    }
                } else {
                    if (!sign_done) {
                        if (pr && neg) rdb_buf_append_u8(&b, '<');
                        else { rdb_buf_append_u8(&b, neg ? '-' : lead_s ? '+' : ' '); if (fm && !neg && !lead_s) b.len--; }
                        sign_done = true;
                    }
                    rdb_buf_append_u8(&b, (uint8_t)ip[ipos - lead]);
                    started = true;
                }
                ipos++;
            } else {
                if (overflow) { rdb_buf_append_u8(&b, '#'); fpos++; continue; }
                if (fpos < keep_frac) rdb_buf_append_u8(&b, (uint8_t)((size_t)fpos < fl ? fp[fpos] : '0'));
                fpos++;
            }
            continue;
        }
        if (c == '.' || c == 'D' || c == 'd') {
            if (!sign_done) { rdb_buf_append_u8(&b, neg ? '-' : lead_s ? '+' : ' '); if (fm && !neg && !lead_s) b.len--; sign_done = true; }
            seen_point = true;
            rdb_buf_append_u8(&b, overflow ? '#' : '.');
            continue;
        }
        if (c == ',' || c == 'G' || c == 'g') {
            if (started) rdb_buf_append_u8(&b, ',');
            else if (!fm) rdb_buf_append_u8(&b, ' ');
            continue;
        }
        if (c == '"') {
            i++;
            while (i < n && f[i] != '"') rdb_buf_append_u8(&b, (uint8_t)f[i++]);
            continue;
        }
        if (kwi(f, i, n, "TH")) { /* ordinal suffix of the integer part */
            int64_t iv = 0;
            for (size_t q = 0; q < il; q++) iv = iv * 10 + (ip[q] - '0');
            const char *sfx = ordsuffix(iv);
            for (int q = 0; q < 2; q++) rdb_buf_append_u8(&b, (uint8_t)(f[i] == 'T' ? toupper((unsigned char)sfx[q]) : sfx[q]));
            i++;
            continue;
        }
        rdb_buf_append_u8(&b, (uint8_t)c);
    }
    if (pr && neg) rdb_buf_append_u8(&b, '>');
    else if (pr && !fm) rdb_buf_append_u8(&b, ' ');
    *res = sqlt_text_result(ctx->arena, b.data, b.len);
    rdb_buf_free(&b);
    rdb_buf_free(&ds);
    return RDB_OK;
}

/* to_date / to_timestamp(text, template): read the fields the template names. */
static rdb_status_t parse_by_template(sql_fn_ctx_t *ctx, const sql_value_t *sv, const sql_value_t *fv, bool want_tz,
                                      int64_t *out, rdb_err_t *err)
{
    const char *s = sv->u.v.ptr, *f = fv->u.v.ptr;
    size_t sn = sv->u.v.len, fn = fv->u.v.len, si = 0;
    int64_t y = 1, m = 1, d = 1, h = 0, mi = 0, sec = 0, us = 0;
    bool pm = false, am = false, bc = false, have_y = false, h12 = false;
    int32_t tzoff = 0;
    bool have_tz = false;
    for (size_t i = 0; i < fn;) {
        if (kw(f, i, fn, "FM")) { i += 2; continue; }
        int64_t *dst = NULL;
        int maxd = 0;
        size_t adv = 0;
        if (kwi(f, i, fn, "YYYY")) { dst = &y; maxd = i + 4 < fn && isalnum((unsigned char)f[i + 4]) ? 4 : 9; adv = 4; have_y = true; }
        else if (kwi(f, i, fn, "YYY")) { dst = &y; maxd = 3; adv = 3; have_y = true; }
        else if (kwi(f, i, fn, "YY")) { dst = &y; maxd = 2; adv = 2; have_y = true; }
        else if (kwi(f, i, fn, "HH24")) { dst = &h; maxd = 2; adv = 4; }
        else if (kwi(f, i, fn, "HH12")) { dst = &h; maxd = 2; adv = 4; h12 = true; }
        else if (kwi(f, i, fn, "HH")) { dst = &h; maxd = 2; adv = 2; h12 = true; }
        else if (kwi(f, i, fn, "MI")) { dst = &mi; maxd = 2; adv = 2; }
        else if (kwi(f, i, fn, "SS")) { dst = &sec; maxd = 2; adv = 2; }
        else if (kwi(f, i, fn, "MS")) { dst = &us; maxd = 3; adv = 2; }
        else if (kwi(f, i, fn, "US")) { dst = &us; maxd = 6; adv = 2; }
        else if (kwi(f, i, fn, "MM")) { dst = &m; maxd = 2; adv = 2; }
        else if (kwi(f, i, fn, "DDD")) { dst = &d; maxd = 3; adv = 3; }
        else if (kwi(f, i, fn, "DD")) { dst = &d; maxd = 2; adv = 2; }
        else if (kwi(f, i, fn, "MONTH") || kwi(f, i, fn, "MON")) {
            while (si < sn && isspace((unsigned char)s[si])) si++;
            int found = -1;
            size_t flen = 0;
            for (int k = 0; k < 12; k++) {
                size_t full = strlen(mon_full[k]);
                if (kwi(f, i, fn, "MONTH") && si + full <= sn && strncasecmp(s + si, mon_full[k], full) == 0) { found = k; flen = full; break; }
                if (si + 3 <= sn && strncasecmp(s + si, mon_full[k], 3) == 0) { found = k; flen = 3; break; }
            }
            if (found < 0)
                return rdb_err_set(err, RDB_SQL, "22007", "invalid value \"%.*s\" for \"%s\"", (int)(sn - si > 3 ? 3 : sn - si),
                                   s + si, kwi(f, i, fn, "MONTH") ? "Month" : "Mon");
            m = found + 1;
            si += flen;
            i += kwi(f, i, fn, "MONTH") ? 5 : 3;
            continue;
        }
        else if (kwi(f, i, fn, "DAY") || kwi(f, i, fn, "DY")) {
            while (si < sn && isalpha((unsigned char)s[si])) si++;
            i += kwi(f, i, fn, "DAY") ? 3 : 2;
            continue;
        }
        else if (kwi(f, i, fn, "AM") || kwi(f, i, fn, "PM")) {
            if (si + 2 <= sn) { pm = strncasecmp(s + si, "pm", 2) == 0; am = !pm; si += 2; }
            i += 2;
            continue;
        }
        else if (kwi(f, i, fn, "BC") || kwi(f, i, fn, "AD")) {
            if (si + 2 <= sn) { bc = strncasecmp(s + si, "bc", 2) == 0; si += 2; }
            i += 2;
            continue;
        }
        else if (kwi(f, i, fn, "TZH")) {
            while (si < sn && isspace((unsigned char)s[si])) si++;
            int sg = 1;
            if (si < sn && (s[si] == '+' || s[si] == '-')) sg = s[si++] == '-' ? -1 : 1;
            int64_t v = 0;
            while (si < sn && isdigit((unsigned char)s[si])) v = v * 10 + (s[si++] - '0');
            tzoff += sg * (int32_t)v * 3600;
            have_tz = true;
            i += 3;
            continue;
        }
        if (dst) {
            while (si < sn && isspace((unsigned char)s[si])) si++;
            int sg = 1;
            if (dst == &y && si < sn && s[si] == '-') { sg = -1; si++; }
            int64_t v = 0;
            int k = 0;
            size_t st0 = si;
            while (si < sn && isdigit((unsigned char)s[si]) && k < maxd) { v = v * 10 + (s[si++] - '0'); k++; }
            if (si == st0)
                return rdb_err_set(err, RDB_SQL, "22007", "invalid value \"%.*s\" for \"%.*s\"", (int)(sn - si > 4 ? 4 : sn - si),
                                   s + si, (int)adv, f + i);
            if (dst == &us && adv == 2 && kwi(f, i, fn, "MS")) { for (int q = k; q < 3; q++) v *= 10; v *= 1000; }
            else if (dst == &us) { for (int q = k; q < 6; q++) v *= 10; }
            if (dst == &y && adv == 2 && k <= 2) v += v < 70 ? 2000 : 1900;
            *dst = sg * v;
            i += adv;
            continue;
        }
        /* separators: any non-alphanumeric in the template skips one in the input */
        if (!isalnum((unsigned char)f[i])) {
            if (si < sn && !isalnum((unsigned char)s[si])) si++;
            else if (si < sn && f[i] == ' ') { /* a space matches nothing */ }
            i++;
            continue;
        }
        i++;
        if (si < sn) si++;
    }
    (void)have_y;
    if (h12) {
        if (h < 1 || h > 12)
            return rdb_err_set(err, RDB_SQL, "22008", "hour \"%lld\" is invalid for the 12-hour clock", (long long)h);
        if (pm && h != 12) h += 12;
        if (am && h == 12) h = 0;
    } else if (pm && h < 12) h += 12;
    if (bc) y = 1 - y;
    if (m < 1 || m > 12 || d < 1 || d > mdays(y, (int)m))
        return rdb_err_set(err, RDB_SQL, "22008", "date/time field value out of range: \"%.*s\"", (int)sn, s);
    if (h > 24 || mi > 59 || sec > 60)
        return rdb_err_set(err, RDB_SQL, "22008", "date/time field value out of range: \"%.*s\"", (int)sn, s);
    int64_t v = tm_join(y, (int)m, (int)d, ((h * 60 + mi) * 60 + sec) * USECS_PER_SEC + us);
    if (want_tz) v = have_tz ? v - (int64_t)tzoff * USECS_PER_SEC : sqlt_tz_local_to_utc(zone_of(ctx), v);
    *out = v;
    return RDB_OK;
}
FN(f_to_date)
{
    UNUSED_FN_ARGS;
    int64_t v;
    if (parse_by_template(ctx, &A0, &A1, false, &v, err) != RDB_OK) return RDB_SQL;
    *res = sql_int(v / USECS_PER_DAY - (v % USECS_PER_DAY < 0));
    return RDB_OK;
}
FN(f_to_timestamp_fmt)
{
    UNUSED_FN_ARGS;
    int64_t v;
    if (parse_by_template(ctx, &A0, &A1, true, &v, err) != RDB_OK) return RDB_SQL;
    return ts_range(v, res, err);
}
FN(f_to_number)
{
    UNUSED_FN_ARGS;
    rdb_buf_t b;
    rdb_buf_init(&b, A0.u.v.len + 2);
    const char *s = A0.u.v.ptr;
    bool neg = false;
    for (uint32_t i = 0; i < A0.u.v.len; i++) {
        char c = s[i];
        if (isdigit((unsigned char)c) || c == '.') rdb_buf_append_u8(&b, (uint8_t)c);
        else if (c == '-' || c == '<') neg = true;
    }
    if (b.len == 0) {
        rdb_buf_free(&b);
        return rdb_err_set(err, RDB_SQL, "22P02", "invalid input syntax for type numeric: \" \"");
    }
    rdb_status_t st = sqlt_numeric_in(ctx->arena, b.data, b.len, res, err);
    rdb_buf_free(&b);
    if (st == RDB_OK && neg) *res = sqlt_numeric_neg(ctx->arena, res);
    return st;
}

const fdef_t sqlt_fn_datetime[] = {
    { "date_trunc", 2, { TX, TS }, TS, f_date_trunc, 0 }, { "date_trunc", 2, { TX, TZ }, TZ, f_date_trunc, F_STABLE },
    { "date_trunc", 3, { TX, TZ, TX }, TZ, f_date_trunc, 0 }, { "date_trunc", 2, { TX, IV }, IV, f_date_trunc, 0 },
    { "date_part", 2, { TX, TS }, F8, f_date_part, 0 }, { "date_part", 2, { TX, TZ }, F8, f_date_part, F_STABLE },
    { "date_part", 2, { TX, DA }, F8, f_date_part, 0 }, { "date_part", 2, { TX, IV }, F8, f_date_part, 0 },
    { "date_part", 2, { TX, TM }, F8, f_date_part, 0 },
    { "extract", 2, { TX, TS }, NU, f_extract, 0 }, { "extract", 2, { TX, TZ }, NU, f_extract, F_STABLE },
    { "extract", 2, { TX, DA }, NU, f_extract, 0 }, { "extract", 2, { TX, IV }, NU, f_extract, 0 },
    { "extract", 2, { TX, TM }, NU, f_extract, 0 },
    { "timezone", 2, { TX, TS }, TZ, f_timezone, 0 }, { "timezone", 2, { TX, TZ }, TS, f_timezone, 0 },
    { "timezone", 2, { IV, TS }, TZ, f_timezone, 0 }, { "timezone", 2, { IV, TZ }, TS, f_timezone, 0 },
    { "age", 2, { TS, TS }, IV, f_age2, 0 }, { "age", 2, { TZ, TZ }, IV, f_age2, F_STABLE },
    { "age", 1, { TS }, IV, f_age1, F_STABLE }, { "age", 1, { TZ }, IV, f_age1, F_STABLE },
    { "justify_interval", 1, { IV }, IV, f_justify_interval, 0 },
    { "justify_days", 1, { IV }, IV, f_justify_days, 0 }, { "justify_hours", 1, { IV }, IV, f_justify_hours, 0 },
    { "make_date", 3, { I4, I4, I4 }, DA, f_make_date, 0 },
    { "make_time", 3, { I4, I4, F8 }, TM, f_make_time, 0 },
    { "make_timestamp", 6, { I4, I4, I4, I4, I4, F8 }, TS, f_make_timestamp, 0 },
    { "make_timestamptz", 6, { I4, I4, I4, I4, I4, F8 }, TZ, f_make_timestamp, F_STABLE },
    { "make_timestamptz", 7, { I4, I4, I4, I4, I4, F8, TX }, TZ, f_make_timestamp, F_STABLE },
    { "make_interval", 7, { I4, I4, I4, I4, I4, I4, F8 }, IV, f_make_interval, 0 },
    { "to_timestamp", 1, { F8 }, TZ, f_to_timestamp_epoch, 0 },
    { "current_time", 0, { 0 }, SQL_OID_TIMETZ, f_current_time, F_STABLE },
    { "localtime", 0, { 0 }, TM, f_current_time, F_STABLE },
    { "to_timestamp", 2, { TX, TX }, TZ, f_to_timestamp_fmt, F_STABLE },
    { "to_date", 2, { TX, TX }, DA, f_to_date, F_STABLE },
    { "to_number", 2, { TX, TX }, NU, f_to_number, 0 },
    { "to_char", 2, { TS, TX }, TX, f_to_char_ts, F_STABLE }, { "to_char", 2, { TZ, TX }, TX, f_to_char_ts, F_STABLE },
    { "to_char", 2, { IV, TX }, TX, f_to_char_ts, F_STABLE },
    { "to_char", 2, { NU, TX }, TX, f_to_char_num, F_STABLE }, { "to_char", 2, { I4, TX }, TX, f_to_char_num, F_STABLE },
    { "to_char", 2, { I8, TX }, TX, f_to_char_num, F_STABLE }, { "to_char", 2, { F8, TX }, TX, f_to_char_num, F_STABLE },
    { "to_char", 2, { F4, TX }, TX, f_to_char_num, F_STABLE },
    { "overlaps", 4, { TS, TS, TS, TS }, BO, f_overlaps, 0 }, { "overlaps", 4, { TZ, TZ, TZ, TZ }, BO, f_overlaps, 0 },
    { "overlaps", 4, { TM, TM, TM, TM }, BO, f_overlaps, 0 }, { "overlaps", 4, { TS, IV, TS, IV }, BO, f_overlaps, 0 },
    { NULL, 0, { 0 }, 0, NULL, 0 },
};

const fdef_t sqlt_op_datetime[] = {
    { "+", 2, { TZ, IV }, TZ, f_tz_pl_iv, F_STABLE }, { "+", 2, { IV, TZ }, TZ, f_iv_pl_tz, F_STABLE },
    { "-", 2, { TZ, IV }, TZ, f_tz_mi_iv, F_STABLE },
    { "+", 2, { TM, IV }, TM, f_time_pl_iv, 0 }, { "+", 2, { IV, TM }, TM, f_iv_pl_time, 0 },
    { "-", 2, { TM, IV }, TM, f_time_mi_iv, 0 }, { "-", 2, { TM, TM }, IV, f_time_mi_time, 0 },
    { "+", 2, { DA, TM }, TS, f_date_pl_time, 0 }, { "+", 2, { TM, DA }, TS, f_date_pl_time, 0 },
    { NULL, 0, { 0 }, 0, NULL, 0 },
};
