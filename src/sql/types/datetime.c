/*
 * datetime.c — date, time, timestamp, timestamptz and interval text I/O
 * (ISO input forms; DateStyle ISO output; IntervalStyle postgres).
 * timestamptz prints in the session TimeZone (tz.c) and reads explicit
 * numeric offsets, or else interprets the wall time in the session zone.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

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

static const char *const month_names[] = { "january", "february", "march", "april", "may", "june", "july",
                                             "august", "september", "october", "november", "december" };
static const char *const day_names[] = { "sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday" };

/* A month or day name, full or abbreviated to 3+ letters ("sept" too). */
static int name_index(const char *w, size_t n, const char *const *tab, int ntab)
{
    if (n < 3) return -1;
    for (int i = 0; i < ntab; i++)
        if (n <= strlen(tab[i]) && strncasecmp(tab[i], w, n) == 0 && (n == 3 || n == strlen(tab[i]) || (i == 8 && n == 4)))
            return i;
    return -1;
}

typedef struct {
    int64_t y; int m, d;       /* date fields, 0 = not given */
    bool have_date, have_time, bc, pm, am, textmonth;
    int64_t us;                /* time of day */
    bool have_tz;
    int64_t tzoff;             /* seconds east of UTC */
    const char *zone;          /* named zone */
    int nloose;
    int64_t loose[4];
    int loose_len[4];
} dtparse_t;

enum { DT_OK = 0, DT_BAD = 1, DT_RANGE = 2, DT_RANGE_HINT = 3 };

/* hh:mm[:ss[.ffffff]] at *p (hours up to 24, checked by the caller). */
static int rd_clock(const char **p, const char *e, int64_t *h, int64_t *mi, int64_t *sec, int64_t *frac)
{
    *sec = *frac = 0;
    if (!rd_num(p, e, 9, h) || *p >= e || **p != ':') return DT_BAD;
    (*p)++;
    if (!rd_num(p, e, 2, mi)) return DT_BAD;
    if (*p < e && **p == ':') {
        (*p)++;
        if (!rd_num(p, e, 2, sec)) return DT_BAD;
    }
    if (*p < e && **p == '.') {
        (*p)++;
        int n = 0;
        int64_t f = 0;
        bool more = false;
        while (*p < e && isdigit((unsigned char)**p)) {
            if (n < 7) { f = f * 10 + (**p - '0'); n++; }
            else if (**p != '0') more = true;
            (*p)++;
        }
        while (n < 7) { f *= 10; n++; }
        /* to µs as PG's rint(): an exact half goes to the even neighbour */
        *frac = f % 10 == 5 && !more ? (f / 10 + ((f / 10) & 1)) : (f + 5) / 10;
    }
    return DT_OK;
}

/* +hh[:mm] / -hhmm / +h after a time */
static int rd_offset(const char **p, const char *e, int64_t *off)
{
    int sg = **p == '-' ? -1 : 1;
    (*p)++;
    int64_t h, m = 0, sec = 0;
    const char *st = *p;
    if (!rd_num(p, e, 9, &h)) return DT_BAD;
    if (*p - st == 4) { m = h % 100; h /= 100; }
    else if (*p < e && **p == ':') {
        (*p)++;
        if (rd_num(p, e, 2, &m) != 2) return DT_BAD;
        if (*p < e && **p == ':') { (*p)++; if (rd_num(p, e, 2, &sec) != 2) return DT_BAD; }
    }
    if (h > 15 * 24 || m > 59 || sec > 59) return DT_RANGE;
    *off = sg * (h * 3600 + m * 60 + sec);
    return DT_OK;
}

static int dt_word(dtparse_t *st, const char *w, size_t n)
{
    char lw[64];
    if (n >= sizeof lw) return DT_BAD;
    for (size_t i = 0; i < n; i++) lw[i] = (char)tolower((unsigned char)w[i]);
    lw[n] = 0;
    int mi = name_index(lw, n, month_names, 12);
    if (mi >= 0 && !st->textmonth) { st->m = mi + 1; st->textmonth = true; return DT_OK; }
    if (name_index(lw, n, day_names, 7) >= 0) return DT_OK;
    if (!strcmp(lw, "bc")) { st->bc = true; return DT_OK; }
    if (!strcmp(lw, "ad")) return DT_OK;
    if (!strcmp(lw, "am")) { st->am = true; return DT_OK; }
    if (!strcmp(lw, "pm")) { st->pm = true; return DT_OK; }
    if (!strcmp(lw, "z") || !strcmp(lw, "utc") || !strcmp(lw, "gmt") || !strcmp(lw, "zulu") || !strcmp(lw, "ut")) {
        st->have_tz = true; st->tzoff = 0; return DT_OK;
    }
    if (!strcmp(lw, "allballs")) { st->have_time = true; st->us = 0; return DT_OK; }
    /* a named zone from the tz database */
    char *z = strndup(w, n);
    if (z && sqlt_tz_known(z)) {
        static __thread char zbuf[64];
        snprintf(zbuf, sizeof zbuf, "%s", z);
        st->zone = zbuf;
        free(z);
        return DT_OK;
    }
    free(z);
    return DT_BAD;
}

/* One whitespace-separated field. */
static int dt_field(dtparse_t *st, const char *p, const char *e, sql_dateorder_t order)
{
    while (p < e) {
        if (isalpha((unsigned char)*p)) {
            const char *q = p;
            while (q < e && (isalpha((unsigned char)*q) || *q == '/' || *q == '_' ||
                             (q > p && q[-1] == '/' && isalpha((unsigned char)*q)))) q++;
            /* "T" between a date and a time */
            if (q - p == 1 && (*p == 'T' || *p == 't') && q < e && isdigit((unsigned char)*q) && st->have_date) { p = q; continue; }
            int r = dt_word(st, p, (size_t)(q - p));
            if (r) return r;
            p = q;
            continue;
        }
        if ((*p == '+' || *p == '-') && (st->have_time || st->have_date) && p + 1 < e && isdigit((unsigned char)p[1])) {
            int64_t off;
            int r = rd_offset(&p, e, &off);
            if (r) return r;
            st->have_tz = true;
            st->tzoff = off;
            continue;
        }
        if (!isdigit((unsigned char)*p)) {
            if (*p == ',' || *p == '.') { p++; continue; }
            return DT_BAD;
        }
        /* a numeric run: look at what separates its parts */
        const char *q = p;
        while (q < e && isdigit((unsigned char)*q)) q++;
        if (q < e && *q == ':') {
            int64_t h, mi, sec, frac;
            const char *r0 = p;
            if (rd_clock(&r0, e, &h, &mi, &sec, &frac)) return DT_BAD;
            if (st->have_time) return DT_BAD;
            st->have_time = true;
            if (h > 24 || mi > 59 || sec > 60 || (h == 24 && (mi || sec || frac))) return DT_RANGE;
            st->us = ((h * 60 + mi) * 60 + sec) * USECS_PER_SEC + frac;
            p = r0;
            continue;
        }
        if (q < e && (*q == '-' || *q == '/' || *q == '.') && q + 1 < e && (isdigit((unsigned char)q[1]) || isalpha((unsigned char)q[1]))) {
            /* a date: three parts separated by - / . (a part may be a month name) */
            char sep = *q;
            int64_t part[3];
            int plen[3], np = 0;
            const char *r = p;
            bool textpart[3] = { false, false, false };
            while (np < 3 && r < e) {
                if (isdigit((unsigned char)*r)) {
                    const char *r0 = r;
                    rd_num(&r, e, 9, &part[np]);
                    plen[np] = (int)(r - r0);
                } else if (isalpha((unsigned char)*r)) {
                    const char *r0 = r;
                    while (r < e && isalpha((unsigned char)*r)) r++;
                    int mi = name_index(r0, (size_t)(r - r0), month_names, 12);
                    if (mi < 0) return DT_BAD;
                    part[np] = mi + 1;
                    plen[np] = 2;
                    textpart[np] = true;
                } else break;
                np++;
                if (np < 3) {
                    if (r >= e || *r != sep) break;
                    r++;
                }
            }
            if (np != 3 || st->have_date) return DT_BAD;
            st->have_date = true;
            if (textpart[1]) { st->d = (int)part[0]; st->m = (int)part[1]; st->y = part[2]; if (plen[0] > 2) { st->y = part[0]; st->d = (int)part[2]; } }
            else if (textpart[0]) { st->m = (int)part[0]; st->d = (int)part[1]; st->y = part[2]; }
            else if (plen[0] > 2 || order == SQL_DATEORDER_YMD) { st->y = part[0]; st->m = (int)part[1]; st->d = (int)part[2]; }
            else if (order == SQL_DATEORDER_DMY) { st->d = (int)part[0]; st->m = (int)part[1]; st->y = part[2]; }
            else { st->m = (int)part[0]; st->d = (int)part[1]; st->y = part[2]; }
            if (plen[0] <= 2 && !textpart[0] && plen[2] <= 2 && !(plen[0] > 2)) { if (st->y < 70) st->y += 2000; else if (st->y < 100) st->y += 1900; }
            p = r;
            continue;
        }
        /* a plain number */
        int64_t v;
        const char *r = p;
        rd_num(&r, e, 18, &v);
        int len = (int)(r - p);
        if (!st->have_date && !st->textmonth && (len == 8 || len == 6) && st->nloose == 0) {
            st->have_date = true;
            if (len == 8) { st->y = v / 10000; st->m = (int)(v / 100 % 100); st->d = (int)(v % 100); }
            else { st->y = 2000 + v / 10000; st->m = (int)(v / 100 % 100); st->d = (int)(v % 100); }
            p = r;
            continue;
        }
        if (st->have_date && !st->have_time && !st->textmonth && (len == 6 || len == 4)) {
            int64_t hh = len == 6 ? v / 10000 : v / 100, mm = len == 6 ? v / 100 % 100 : v % 100, ss = len == 6 ? v % 100 : 0;
            if (hh > 24 || mm > 59 || ss > 60) return DT_RANGE;
            st->have_time = true;
            st->us = ((hh * 60 + mm) * 60 + ss) * USECS_PER_SEC;
            p = r;
            continue;
        }
        if (st->nloose >= 4) return DT_BAD;
        st->loose[st->nloose] = v;
        st->loose_len[st->nloose++] = len;
        p = r;
    }
    return DT_OK;
}

rdb_status_t sqlt_dt_in(const sql_format_settings_t *fs, uint32_t oid, const char *s, size_t len,
                        sql_value_t *out, rdb_err_t *err)
{
    const char *p = s, *e = s + len;
    while (p < e && isspace((unsigned char)*p)) p++;
    while (e > p && isspace((unsigned char)e[-1])) e--;
    size_t n = (size_t)(e - p);
    bool isdate = oid == SQL_OID_DATE;
    const char *zone = fs ? fs->timezone : NULL;
    if (oid != SQL_OID_TIME && oid != SQL_OID_TIMETZ) {
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
    if (n > 1 && (*p == 'J' || *p == 'j') && isdigit((unsigned char)p[1]) && oid != SQL_OID_TIME && oid != SQL_OID_TIMETZ) {
        const char *q = p + 1;
        int64_t jd;
        rd_num(&q, e, 9, &jd);
        if (q == e) {
            int64_t days = jd - 2451545;
            *out = sql_int(isdate ? days : days * USECS_PER_DAY);
            if (oid == SQL_OID_TIMESTAMPTZ) *out = sql_int(sqlt_tz_local_to_utc(zone, days * USECS_PER_DAY));
            return RDB_OK;
        }
    }
    dtparse_t st;
    memset(&st, 0, sizeof st);
    sql_dateorder_t order = fs ? fs->dateorder : SQL_DATEORDER_MDY;
    int rc = DT_OK;
    /* today / tomorrow / yesterday / now */
    {
        static const char *const rel[] = { "now", "today", "tomorrow", "yesterday" };
        for (int i = 0; i < 4; i++)
            if (n == strlen(rel[i]) && strncasecmp(p, rel[i], n) == 0) {
                struct timespec ts;
                clock_gettime(CLOCK_REALTIME, &ts);
                int64_t now = ((int64_t)ts.tv_sec - INT64_C(946684800)) * USECS_PER_SEC + ts.tv_nsec / 1000;
                int64_t loc = now + (oid == SQL_OID_TIMESTAMP || isdate || oid == SQL_OID_TIME || i ? (int64_t)sqlt_tz_offset(zone, now) * USECS_PER_SEC : 0);
                if (i == 0) {
                    if (oid == SQL_OID_TIMESTAMPTZ) *out = sql_int(now);
                    else if (isdate) *out = sql_int(loc / USECS_PER_DAY - (loc % USECS_PER_DAY < 0));
                    else if (oid == SQL_OID_TIME) *out = sql_int((loc % USECS_PER_DAY + USECS_PER_DAY) % USECS_PER_DAY);
                    else *out = sql_int(loc);
                    return RDB_OK;
                }
                int64_t day = loc / USECS_PER_DAY - (loc % USECS_PER_DAY < 0) + (i == 2 ? 1 : i == 3 ? -1 : 0);
                if (isdate) *out = sql_int(day);
                else if (oid == SQL_OID_TIME) *out = sql_int(0);
                else if (oid == SQL_OID_TIMESTAMPTZ) *out = sql_int(sqlt_tz_local_to_utc(zone, day * USECS_PER_DAY));
                else *out = sql_int(day * USECS_PER_DAY);
                return RDB_OK;
            }
    }
    while (p < e && !rc) {
        while (p < e && (isspace((unsigned char)*p) || *p == ',')) p++;
        const char *q = p;
        while (q < e && !isspace((unsigned char)*q) && *q != ',') q++;
        if (q > p) rc = dt_field(&st, p, q, order);
        p = q;
    }
    if (!rc) {
        /* loose numbers: with a month name, the year (3+ digits or > 31) and the day */
        if (!st.have_date && st.textmonth) {
            if (st.nloose != 2) rc = DT_BAD;
            else {
                int yi = st.loose_len[0] > 2 ? 0 : st.loose_len[1] > 2 ? 1 : (st.loose[0] > 31 ? 0 : 1);
                st.y = st.loose[yi];
                st.d = (int)st.loose[1 - yi];
                if (st.loose_len[yi] <= 2) st.y += st.y < 70 ? 2000 : 1900;
                st.have_date = true;
            }
        } else if (st.nloose) {
            rc = DT_BAD;
        }
    }
    if (!rc && (st.am || st.pm)) {
        if (!st.have_time) rc = DT_BAD;
        else {
            int64_t h = st.us / (3600 * USECS_PER_SEC);
            if (h > 12 || h == 0) rc = DT_RANGE;
            else if (st.pm && h != 12) st.us += 12 * 3600 * USECS_PER_SEC;
            else if (st.am && h == 12) st.us -= 12 * 3600 * USECS_PER_SEC;
        }
    }
    if (!rc && (oid == SQL_OID_TIME || oid == SQL_OID_TIMETZ)) {
        if (!st.have_time) rc = DT_BAD;
    } else if (!rc) {
        if (!st.have_date) rc = DT_BAD;
        else if (st.m < 1 || st.m > 12) rc = DT_RANGE_HINT;
        else if (st.y == 0 && !st.bc) rc = DT_RANGE; /* year 0 does not exist */
        else {
            int64_t y = st.bc ? 1 - st.y : st.y;
            if (st.d < 1 || st.d > days_in_month(y, st.m)) rc = DT_RANGE;
            else st.y = y;
        }
    }
    if (rc == DT_BAD) return sqlt_err_syntax(err, oid, s, len);
    if (rc) {
        rdb_err_set(err, RDB_SQL, "22008", "date/time field value out of range: \"%.*s\"", (int)len, s);
        if (rc == DT_RANGE_HINT) rdb_err_hint(err, "Perhaps you need a different \"datestyle\" setting.");
        return RDB_SQL;
    }
    if (oid == SQL_OID_TIME) {
        *out = sql_int(st.us);
        return RDB_OK;
    }
    if (oid == SQL_OID_TIMETZ) {
        int32_t off = st.have_tz ? (int32_t)st.tzoff : 0;
        if (!st.have_tz) {
            struct timespec now;
            clock_gettime(CLOCK_REALTIME, &now);
            off = sqlt_tz_offset(st.zone ? st.zone : zone, ((int64_t)now.tv_sec - INT64_C(946684800)) * USECS_PER_SEC);
        }
        *out = sql_int(sqlt_timetz_pack(st.us, off));
        return RDB_OK;
    }
    int64_t days = sqlt_days_from_civil(st.y, st.m, st.d);
    if (isdate) {
        if (days < -2451545 || days > 2147483494LL - 2451545) goto range;
        *out = sql_int(days);
        return RDB_OK;
    }
    if (days < -2451545 || days >= 106751983) goto range; /* 4714-11-24 BC .. 294276-12-31 AD */
    int64_t ts = days * USECS_PER_DAY + st.us;
    if (oid == SQL_OID_TIMESTAMPTZ) {
        if (st.have_tz) ts -= st.tzoff * USECS_PER_SEC;
        else ts = sqlt_tz_local_to_utc(st.zone ? st.zone : zone, ts);
    }
    if (ts >= INT64_C(9223371331200000000) || ts < INT64_C(-211813488000000000)) goto range;
    *out = sql_int(ts);
    return RDB_OK;
range:
    rdb_err_set(err, RDB_SQL, "22008", "%s out of range: \"%.*s\"", isdate ? "date" : "timestamp",
                (int)len, s);
    return RDB_SQL;
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

/* The date part in the session's DateStyle (PG's EncodeDateOnly). */
static void put_date(const sql_format_settings_t *fs, int64_t y, int m, int d, rdb_buf_t *out)
{
    long long yy = (long long)(y <= 0 ? 1 - y : y);
    bool dmy = fs && fs->dateorder == SQL_DATEORDER_DMY;
    switch (fs ? fs->datestyle : SQL_DATESTYLE_ISO) {
    case SQL_DATESTYLE_SQL:
        if (dmy) rdb_buf_printf(out, "%02d/%02d/%04lld", d, m, yy);
        else rdb_buf_printf(out, "%02d/%02d/%04lld", m, d, yy);
        break;
    case SQL_DATESTYLE_GERMAN: rdb_buf_printf(out, "%02d.%02d.%04lld", d, m, yy); break;
    case SQL_DATESTYLE_POSTGRES:
        if (dmy) rdb_buf_printf(out, "%02d-%02d-%04lld", d, m, yy);
        else rdb_buf_printf(out, "%02d-%02d-%04lld", m, d, yy);
        break;
    default: rdb_buf_printf(out, "%04lld-%02d-%02d", yy, m, d); break;
    }
}

static void out_date(const sql_format_settings_t *fs, int64_t days, rdb_buf_t *out)
{
    int64_t y; int m, d;
    sqlt_civil_from_days(days, &y, &m, &d);
    put_date(fs, y, m, d, out);
    if (y <= 0) rdb_buf_append_str(out, " BC");
}

void sqlt_dt_out(const sql_format_settings_t *fs, uint32_t oid, const sql_value_t *v,
                 rdb_buf_t *out)
{
    int64_t x = v->u.i;
    if (oid == SQL_OID_TIME) { out_time(x, out); return; }
    if (oid == SQL_OID_TIMETZ) {
        out_time(sqlt_timetz_tod(x), out);
        int32_t o = sqlt_timetz_off(x), a = o < 0 ? -o : o;
        rdb_buf_printf(out, "%c%02d", o < 0 ? '-' : '+', a / 3600);
        if (a % 3600) rdb_buf_printf(out, ":%02d", a / 60 % 60);
        return;
    }
    if (oid == SQL_OID_DATE) {
        if (x == INT32_MAX) { rdb_buf_append_str(out, "infinity"); return; }
        if (x == INT32_MIN) { rdb_buf_append_str(out, "-infinity"); return; }
        out_date(fs, x, out);
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
    sql_datestyle_t ds = fs ? fs->datestyle : SQL_DATESTYLE_ISO;
    if (ds == SQL_DATESTYLE_POSTGRES) { /* Fri Jul 05 10:11:12 2024 */
        static const char *const dn[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
        static const char *const mn[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
        const char *dname = dn[(((days + 6) % 7) + 7) % 7];
        if (fs->dateorder == SQL_DATEORDER_DMY) rdb_buf_printf(out, "%s %02d %s ", dname, d, mn[m - 1]);
        else rdb_buf_printf(out, "%s %s %02d ", dname, mn[m - 1], d);
        out_time(us, out);
        rdb_buf_printf(out, " %04lld", (long long)(y <= 0 ? 1 - y : y));
    } else {
        put_date(fs, y, m, d, out);
        rdb_buf_append_u8(out, ' ');
        out_time(us, out);
    }
    if (oid == SQL_OID_TIMESTAMPTZ && ds != SQL_DATESTYLE_ISO) {
        /* other styles print the zone's abbreviation, else the offset */
        const char *ab = sqlt_tz_abbrev(fs ? fs->timezone : NULL, v->u.i);
        if (ab && ab[0] != '+' && ab[0] != '-') rdb_buf_printf(out, " %s", ab);
        else {
            int32_t a = off < 0 ? -off : off;
            rdb_buf_printf(out, " %c%02d", off < 0 ? '-' : '+', a / 3600);
            if (a % 3600) rdb_buf_printf(out, ":%02d", a / 60 % 60);
        }
    } else if (oid == SQL_OID_TIMESTAMPTZ) {
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
    { "decade", 2, 120 }, { "dec", 2, 120 }, { "century", 2, 1200 }, { "centurie", 2, 1200 }, { "cent", 2, 1200 },
    { "c", 2, 1200 }, { "millennium", 2, 12000 }, { "millennia", 2, 12000 }, { "mil", 2, 12000 },
    { "hour", 0, 3600 * USECS_PER_SEC }, { "msec", 0, 1000 }, { "usec", 0, 1 }, { "yr", 2, 12 },
    { "mins", 0, 60 * USECS_PER_SEC }, { "secs", 0, USECS_PER_SEC }, { "hrs", 0, 3600 * USECS_PER_SEC },
    { "mons", 2, 1 }, { "yrs", 2, 12 }, { "millisecon", 0, 1000 }, { "microsecon", 0, 1 },
};

/* interval typmod range bits (PG's INTERVAL_MASK) */
#define IVR_MONTH (1 << 1)
#define IVR_YEAR (1 << 2)
#define IVR_DAY (1 << 3)
#define IVR_HOUR (1 << 10)
#define IVR_MINUTE (1 << 11)
#define IVR_SECOND (1 << 12)

/* ISO 8601 "format with designators": P1Y2M3DT4H5M6S, P2W */
static bool iso_interval(const char *p, const char *e, sql_interval_t *iv)
{
    bool t = false, any = false;
    p++; /* 'P' */
    while (p < e) {
        if (*p == 'T' || *p == 't') { t = true; p++; continue; }
        char tmp[48];
        size_t tn = 0;
        if (*p == '-' || *p == '+') tmp[tn++] = *p++;
        while (p < e && (isdigit((unsigned char)*p) || *p == '.') && tn < sizeof tmp - 1) tmp[tn++] = *p++;
        tmp[tn] = 0;
        if (tn == 0 || p >= e) return false;
        double v = strtod(tmp, NULL);
        char u = (char)toupper((unsigned char)*p++);
        double mo = 0, d = 0, us = 0;
        if (!t && u == 'Y') mo = v * 12;
        else if (!t && u == 'M') mo = v;
        else if (!t && u == 'W') d = v * 7;
        else if (!t && u == 'D') d = v;
        else if (t && u == 'H') us = v * 3600e6;
        else if (t && u == 'M') us = v * 60e6;
        else if (t && u == 'S') us = v * 1e6;
        else return false;
        int32_t im = (int32_t)mo;
        iv->months += im;
        d += (mo - im) * 30;
        int32_t id = (int32_t)d;
        iv->days += id;
        iv->usec += (int64_t)llround(us + (d - id) * (double)USECS_PER_DAY);
        any = true;
    }
    return any;
}

rdb_status_t sqlt_interval_in(const char *s, size_t len, int32_t typmod, sql_value_t *out, rdb_err_t *err)
{
    const char *p = s, *e = s + len;
    sql_interval_t iv = { 0, 0, 0 };
    bool any = false;
    int range = typmod >= 0 ? (typmod >> 16) & 0x7FFF : 0x7FFF;
    while (p < e && isspace((unsigned char)*p)) p++;
    while (e > p && isspace((unsigned char)e[-1])) e--;
    if (p < e && (*p == 'P' || *p == 'p')) {
        if (!iso_interval(p, e, &iv)) goto bad;
        p = e;
        any = true;
    }
    /* SQL standard year-month: [-]Y-M */
    {
        const char *q = p;
        int sg = 1;
        if (q < e && (*q == '-' || *q == '+')) sg = *q++ == '-' ? -1 : 1;
        int64_t y, m;
        const char *q0 = q;
        if (rd_num(&q, e, 9, &y) && q < e && *q == '-' && q > q0) {
            q++;
            const char *q1 = q;
            if (rd_num(&q, e, 9, &m) && q > q1 && (q == e || isspace((unsigned char)*q))) {
                if (m > 11) goto range;
                iv.months = (int32_t)(sg * (y * 12 + m));
                p = q;
                any = true;
            }
        }
    }
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
        bool before_time = false;
        if (un == 0) { /* before a time field a bare number is days (PG reads fields right to left) */
            const char *r = p;
            if (r < e && (*r == '-' || *r == '+')) r++;
            while (r < e && isdigit((unsigned char)*r)) r++;
            before_time = r < e && *r == ':' && r > p;
        }
        if (un == 0 && before_time) found = 13;
        else if (un == 0) { /* a bare number: the range's last field, else seconds */
            found = (range & IVR_SECOND) || range == 0x7FFF ? 4 : (range & IVR_MINUTE) ? 7 : (range & IVR_HOUR) ? 10
                  : (range & IVR_DAY) ? 13 : (range & IVR_MONTH) ? 17 : (range & IVR_YEAR) ? 19 : 4;
        }
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
        if (p < e && !isspace((unsigned char)*p) && un) goto bad;
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
    if (range != 0x7FFF) { /* drop the fields below the range (PG's AdjustIntervalForTypmod) */
        if (range == IVR_YEAR) { iv.months = iv.months / 12 * 12; iv.days = 0; iv.usec = 0; }
        else if (!(range & (IVR_DAY | IVR_HOUR | IVR_MINUTE | IVR_SECOND))) { iv.days = 0; iv.usec = 0; }
        else if (!(range & (IVR_HOUR | IVR_MINUTE | IVR_SECOND))) iv.usec = 0;
        else if (!(range & (IVR_MINUTE | IVR_SECOND))) iv.usec -= iv.usec % (3600 * USECS_PER_SEC);
        else if (!(range & IVR_SECOND)) iv.usec -= iv.usec % (60 * USECS_PER_SEC);
    }
    out->isnull = false;
    out->u.iv = iv;
    return RDB_OK;
bad:
    return sqlt_err_syntax(err, SQL_OID_INTERVAL, s, len);
range:
    rdb_err_set(err, RDB_SQL, "22015", "interval field value out of range: \"%.*s\"", (int)len, s);
    return RDB_SQL;
}

void sqlt_interval_out(const sql_value_t *v, rdb_buf_t *out)
{
    sql_interval_t iv = v->u.iv;
    bool any = false;
    int32_t y = iv.months / 12, mo = iv.months % 12;
    bool neg_before = false; /* PG's is_before: a later positive field gets a '+' */
    if (y) { rdb_buf_printf(out, "%d year%s", y, y == 1 ? "" : "s"); any = true; neg_before = y < 0; }
    if (mo) {
        rdb_buf_printf(out, "%s%s%d mon%s", any ? " " : "", neg_before && mo > 0 ? "+" : "", mo, mo == 1 ? "" : "s");
        any = true;
        neg_before |= mo < 0;
    }
    if (iv.days) {
        rdb_buf_printf(out, "%s%s%d day%s", any ? " " : "", neg_before && iv.days > 0 ? "+" : "", iv.days,
                       iv.days == 1 ? "" : "s");
        any = true;
        neg_before |= iv.days < 0;
    }
    if (iv.usec || !any) {
        if (any) rdb_buf_append_u8(out, ' ');
        int64_t u = iv.usec;
        if (u < 0) { rdb_buf_append_u8(out, '-'); u = -u; }
        else if (any && neg_before) rdb_buf_append_u8(out, '+');
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
