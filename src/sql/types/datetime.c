/*
 * datetime.c — date, time, timestamp, timestamptz and interval text I/O
 * (ISO input forms; DateStyle ISO output; IntervalStyle postgres).
 * timestamptz prints in the session TimeZone (tz.c) and reads explicit
 * numeric offsets, or else interprets the wall time in the session zone.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "sql/types/types_int.h"

/* Howard Hinnant's civil-date algorithms, epoch 2000-01-01. */
int64_t sqlt_days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468 - 10957;
}

void sqlt_civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468 + 10957;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

static int days_in_month(int64_t y, int m)
{
    static const int dm[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : dm[m - 1];
}

static int rd_num(const char **p, const char *e, int maxd, int64_t *v)
{
    int n = 0;
    *v = 0;
    while (*p < e && isdigit((unsigned char)**p) && n < maxd) { *v = *v * 10 + (**p - '0'); (*p)++; n++; }
    return n;
}

/* hh:mm[:ss[.ffffff]] -> usec; returns false on bad syntax */
static bool parse_time(const char **p, const char *e, int64_t *us)
{
    int64_t h, mi, s = 0, frac = 0;
    if (!rd_num(p, e, 2, &h) || *p >= e || **p != ':') return false;
    (*p)++;
    if (rd_num(p, e, 2, &mi) != 2) return false;
    if (*p < e && **p == ':') {
        (*p)++;
        if (rd_num(p, e, 2, &s) != 2) return false;
        if (*p < e && **p == '.') {
            (*p)++;
            int n = 0;
            while (*p < e && isdigit((unsigned char)**p)) {
                if (n < 7) { frac = frac * 10 + (**p - '0'); n++; }
                (*p)++;
            }
            while (n < 7) { frac *= 10; n++; }
            frac = (frac + 5) / 10; /* round to µs */
        }
    }
    if (h > 24 || mi > 59 || s > 60) return false;
    *us = ((h * 60 + mi) * 60 + s) * USECS_PER_SEC + frac;
    return *us <= USECS_PER_DAY;
}

rdb_status_t sqlt_dt_in(const sql_format_settings_t *fs, uint32_t oid, const char *s, size_t len,
                        sql_value_t *out, rdb_err_t *err)
{
    const char *p = s, *e = s + len;
    while (p < e && isspace((unsigned char)*p)) p++;
    while (e > p && isspace((unsigned char)e[-1])) e--;
    size_t n = (size_t)(e - p);
    bool isdate = oid == SQL_OID_DATE;
    if (oid != SQL_OID_TIME) {
        if ((n == 8 && strncasecmp(p, "infinity", 8) == 0) || (n == 9 && strncasecmp(p, "+infinity", 9) == 0)) {
            *out = sql_int(isdate ? INT32_MAX : INT64_MAX);
            return RDB_OK;
        }
        if (n == 9 && strncasecmp(p, "-infinity", 9) == 0) {
            *out = sql_int(isdate ? INT32_MIN : INT64_MIN);
            return RDB_OK;
        }
        if (n == 5 && strncasecmp(p, "epoch", 5) == 0) {
            *out = sql_int(isdate ? -10957 : -10957 * USECS_PER_DAY);
            return RDB_OK;
        }
    }
    if (oid == SQL_OID_TIME) {
        int64_t us;
        if (!parse_time(&p, e, &us) || p != e) goto bad;
        *out = sql_int(us);
        return RDB_OK;
    }
    int64_t y, mo, d;
    if (rd_num(&p, e, 9, &y) < 1 || p >= e || *p != '-') goto bad;
    p++;
    if (!rd_num(&p, e, 2, &mo) || p >= e || *p != '-') goto bad;
    p++;
    if (!rd_num(&p, e, 2, &d)) goto bad;
    bool bc = false;
    if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, (int)mo)) {
        rdb_err_set(err, RDB_SQL, "22008", "date/time field value out of range: \"%.*s\"", (int)len, s);
        return RDB_SQL;
    }
    int64_t days = sqlt_days_from_civil(y, (int)mo, (int)d);
    int64_t us = 0, off = 0;
    bool have_off = false;
    if (p < e && (*p == ' ' || *p == 'T' || *p == 't')) {
        p++;
        while (p < e && *p == ' ') p++;
        if (p < e && isdigit((unsigned char)*p)) {
            if (!parse_time(&p, e, &us)) goto bad;
        }
        while (p < e && *p == ' ') p++;
        if (p < e && (*p == '+' || *p == '-' || *p == 'Z' || *p == 'z')) {
            have_off = true;
            if (*p == 'Z' || *p == 'z') p++;
            else {
                int sg = *p == '-' ? -1 : 1;
                p++;
                int64_t oh, om = 0;
                if (!rd_num(&p, e, 2, &oh)) goto bad;
                if (p < e && *p == ':') p++;
                rd_num(&p, e, 2, &om);
                off = sg * (oh * 3600 + om * 60) * USECS_PER_SEC;
            }
        } else if (e - p >= 3 && strncasecmp(p, "UTC", 3) == 0) { p += 3; have_off = true; }
        if (p < e && e - p == 2 && strncasecmp(p, "BC", 2) == 0) { bc = true; p = e; }
    }
    if (p != e) goto bad;
    (void)bc;
    (void)fs;
    if (isdate) {
        if (days < -2451545 || days > 2147483494LL - 2451545) goto range;
        *out = sql_int(days);
        return RDB_OK;
    }
    if (days < -2451545 || days > 106741026) goto range; /* 4714 BC .. 294276 AD */
    int64_t ts = days * USECS_PER_DAY + us;
    if (oid == SQL_OID_TIMESTAMPTZ)
        ts = have_off ? ts - off : sqlt_tz_local_to_utc(fs ? fs->timezone : NULL, ts);
    *out = sql_int(ts);
    return RDB_OK;
range:
    rdb_err_set(err, RDB_SQL, "22008", "%s out of range: \"%.*s\"", isdate ? "date" : "timestamp",
                (int)len, s);
    return RDB_SQL;
bad:
    return sqlt_err_syntax(err, oid, s, len);
}

static void out_time(int64_t us, rdb_buf_t *out)
{
    int64_t s = us / USECS_PER_SEC, f = us % USECS_PER_SEC;
    rdb_buf_printf(out, "%02d:%02d:%02d", (int)(s / 3600), (int)(s / 60 % 60), (int)(s % 60));
    if (f) {
        char tmp[8];
        snprintf(tmp, sizeof tmp, "%06d", (int)f);
        int n = 6;
        while (n > 0 && tmp[n - 1] == '0') n--;
        rdb_buf_printf(out, ".%.*s", n, tmp);
    }
}

static void out_date(int64_t days, rdb_buf_t *out)
{
    int64_t y; int m, d;
    sqlt_civil_from_days(days, &y, &m, &d);
    if (y <= 0) rdb_buf_printf(out, "%04lld-%02d-%02d BC", (long long)(1 - y), m, d);
    else rdb_buf_printf(out, "%04lld-%02d-%02d", (long long)y, m, d);
}

void sqlt_dt_out(const sql_format_settings_t *fs, uint32_t oid, const sql_value_t *v,
                 rdb_buf_t *out)
{
    int64_t x = v->u.i;
    if (oid == SQL_OID_TIME) { out_time(x, out); return; }
    if (oid == SQL_OID_DATE) {
        if (x == INT32_MAX) { rdb_buf_append_str(out, "infinity"); return; }
        if (x == INT32_MIN) { rdb_buf_append_str(out, "-infinity"); return; }
        out_date(x, out);
        return;
    }
    if (x == INT64_MAX) { rdb_buf_append_str(out, "infinity"); return; }
    if (x == INT64_MIN) { rdb_buf_append_str(out, "-infinity"); return; }
    int32_t off = oid == SQL_OID_TIMESTAMPTZ ? sqlt_tz_offset(fs ? fs->timezone : NULL, x) : 0;
    x += (int64_t)off * USECS_PER_SEC;
    int64_t days = x / USECS_PER_DAY, us = x % USECS_PER_DAY;
    if (us < 0) { us += USECS_PER_DAY; days--; }
    int64_t y; int m, d;
    sqlt_civil_from_days(days, &y, &m, &d);
    rdb_buf_printf(out, "%04lld-%02d-%02d ", (long long)(y <= 0 ? 1 - y : y), m, d);
    out_time(us, out);
    if (oid == SQL_OID_TIMESTAMPTZ) {
        int32_t a = off < 0 ? -off : off;
        rdb_buf_printf(out, "%c%02d", off < 0 ? '-' : '+', a / 3600);
        if (a % 3600) rdb_buf_printf(out, ":%02d", a / 60 % 60);
        if (a % 60) rdb_buf_printf(out, ":%02d", a % 60);
    }
    if (y <= 0) rdb_buf_append_str(out, " BC");
}

static const struct { const char *name; int kind; int64_t mult; } iv_units[] = {
    { "microsecond", 0, 1 }, { "us", 0, 1 }, { "millisecond", 0, 1000 }, { "ms", 0, 1000 },
    { "second", 0, USECS_PER_SEC }, { "sec", 0, USECS_PER_SEC }, { "s", 0, USECS_PER_SEC },
    { "minute", 0, 60 * USECS_PER_SEC }, { "min", 0, 60 * USECS_PER_SEC }, { "m", 0, 60 * USECS_PER_SEC },
    { "hour", 0, 3600 * USECS_PER_SEC }, { "hr", 0, 3600 * USECS_PER_SEC }, { "h", 0, 3600 * USECS_PER_SEC },
    { "day", 1, 1 }, { "d", 1, 1 }, { "week", 1, 7 }, { "w", 1, 7 },
    { "month", 2, 1 }, { "mon", 2, 1 }, { "year", 2, 12 }, { "y", 2, 12 },
    { "decade", 2, 120 }, { "century", 2, 1200 },
};

rdb_status_t sqlt_interval_in(const char *s, size_t len, sql_value_t *out, rdb_err_t *err)
{
    const char *p = s, *e = s + len;
    sql_interval_t iv = { 0, 0, 0 };
    bool any = false;
    while (p < e) {
        while (p < e && isspace((unsigned char)*p)) p++;
        if (p >= e) break;
        if (*p == '@') { p++; continue; }
        int sg = 1;
        const char *st = p;
        if (*p == '-' || *p == '+') { sg = *p == '-' ? -1 : 1; p++; }
        /* time field? */
        const char *q = p;
        while (q < e && isdigit((unsigned char)*q)) q++;
        if (q < e && *q == ':') {
            int64_t us;
            if (!parse_time(&p, e, &us)) {
                /* allow hours > 24 */
                p = st + (sg == -1 || *st == '+');
                int64_t h, mi, sec = 0;
                rd_num(&p, e, 9, &h);
                if (p >= e || *p != ':') goto bad;
                p++;
                if (rd_num(&p, e, 2, &mi) != 2) goto bad;
                if (p < e && *p == ':') { p++; rd_num(&p, e, 2, &sec); }
                us = ((h * 60 + mi) * 60 + sec) * USECS_PER_SEC;
            }
            iv.usec += sg * us;
            any = true;
            continue;
        }
        char *endp;
        char tmp[64];
        size_t tn = 0;
        while (p < e && (isdigit((unsigned char)*p) || *p == '.') && tn < sizeof tmp - 1) tmp[tn++] = *p++;
        tmp[tn] = 0;
        if (tn == 0) goto bad;
        double val = strtod(tmp, &endp) * sg;
        while (p < e && isspace((unsigned char)*p)) p++;
        const char *u = p;
        while (p < e && isalpha((unsigned char)*p)) p++;
        size_t un = (size_t)(p - u);
        if (un > 1 && (u[un - 1] == 's' || u[un - 1] == 'S')) un--;
        int found = -1;
        for (size_t i = 0; i < sizeof iv_units / sizeof iv_units[0]; i++)
            if (strlen(iv_units[i].name) == un && strncasecmp(iv_units[i].name, u, un) == 0) { found = (int)i; break; }
        if (un == 0) found = 4; /* bare number = seconds */
        if (found < 0) goto bad;
        if (iv_units[found].kind == 0) iv.usec += (int64_t)(val * (double)iv_units[found].mult);
        else if (iv_units[found].kind == 1) {
            double dd = val * (double)iv_units[found].mult;
            iv.days += (int32_t)dd;
            iv.usec += (int64_t)((dd - (int32_t)dd) * (double)USECS_PER_DAY);
        } else {
            double mm = val * (double)iv_units[found].mult;
            iv.months += (int32_t)mm;
            double fd = (mm - (int32_t)mm) * 30;
            iv.days += (int32_t)fd;
            iv.usec += (int64_t)((fd - (int32_t)fd) * (double)USECS_PER_DAY);
        }
        any = true;
        if (p < e && !isspace((unsigned char)*p)) goto bad;
        if (p < e) { /* "ago" */
            const char *r = p;
            while (r < e && isspace((unsigned char)*r)) r++;
            if (e - r == 3 && strncasecmp(r, "ago", 3) == 0) {
                iv.usec = -iv.usec; iv.days = -iv.days; iv.months = -iv.months;
                p = e;
            }
        }
    }
    if (!any) goto bad;
    out->isnull = false;
    out->u.iv = iv;
    return RDB_OK;
bad:
    return sqlt_err_syntax(err, SQL_OID_INTERVAL, s, len);
}

void sqlt_interval_out(const sql_value_t *v, rdb_buf_t *out)
{
    sql_interval_t iv = v->u.iv;
    bool any = false;
    int32_t y = iv.months / 12, mo = iv.months % 12;
    if (y) { rdb_buf_printf(out, "%d year%s", y, y == 1 ? "" : "s"); any = true; }
    if (mo) { rdb_buf_printf(out, "%s%d mon%s", any ? " " : "", mo, mo == 1 ? "" : "s"); any = true; }
    if (iv.days) { rdb_buf_printf(out, "%s%d day%s", any ? " " : "", iv.days, iv.days == 1 ? "" : "s"); any = true; }
    if (iv.usec || !any) {
        if (any) rdb_buf_append_u8(out, ' ');
        int64_t u = iv.usec;
        if (u < 0) { rdb_buf_append_u8(out, '-'); u = -u; }
        else if (any && (iv.days < 0 || iv.months < 0)) rdb_buf_append_u8(out, '+');
        int64_t h = u / (3600 * USECS_PER_SEC);
        int64_t r = u - h * 3600 * USECS_PER_SEC;
        rdb_buf_printf(out, "%02lld:%02d:%02d", (long long)h, (int)(r / (60 * USECS_PER_SEC)),
                       (int)(r / USECS_PER_SEC % 60));
        int f = (int)(r % USECS_PER_SEC);
        if (f) {
            char tmp[8];
            snprintf(tmp, sizeof tmp, "%06d", f);
            int n = 6;
            while (n > 0 && tmp[n - 1] == '0') n--;
            rdb_buf_printf(out, ".%.*s", n, tmp);
        }
    }
}
