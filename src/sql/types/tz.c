/*
 * tz.c — time zones from the system tz database (/usr/share/zoneinfo,
 * TZif v2+ 64-bit data), without touching the C library's global TZ.
 *
 * sqlt_tz_offset(name, utc_usec) gives the UTC offset in seconds at an
 * instant; sqlt_tz_local_to_utc resolves a local wall time (gaps and
 * overlaps as PG: the offset in effect before the transition).  Zones are
 * loaded once and cached for the life of the process (a mutex guards the
 * cache; lookups on a loaded zone take it only to find the zone).
 * Instants past the last transition use the last type (the POSIX TZ
 * footer rule is not evaluated: correct through 2037 for current data).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sql/types/types_int.h"

typedef struct tz_zone {
    struct tz_zone *next;
    char           *name;
    int             ntrans;
    int64_t        *trans;  /* UTC seconds since 1970 */
    uint8_t        *idx;    /* type index per transition */
    int             ntypes;
    int32_t        *utoff;
    uint8_t        *abbrind; /* per type: index into abbrs */
    char           *abbrs;   /* NUL-separated abbreviations ("EST\0EDT\0") */
    uint32_t        nabbrs;
    bool            ok;
} tz_zone_t;

static pthread_mutex_t tz_lock = PTHREAD_MUTEX_INITIALIZER;
static tz_zone_t *tz_cache;

static uint32_t be32(const unsigned char *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }
static int64_t be64(const unsigned char *p) { return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4)); }

static bool tz_parse(tz_zone_t *z, const unsigned char *d, size_t n)
{
    if (n < 44 || memcmp(d, "TZif", 4) != 0) return false;
    uint32_t isutc = be32(d + 20), isstd = be32(d + 24), leap = be32(d + 28), timecnt = be32(d + 32),
             typecnt = be32(d + 36), charcnt = be32(d + 40);
    size_t v1 = (size_t)timecnt * 5 + (size_t)typecnt * 6 + charcnt + (size_t)leap * 8 + isstd + isutc;
    if (d[4] < '2' || 44 + v1 + 44 > n) return false;
    const unsigned char *h = d + 44 + v1;
    if (memcmp(h, "TZif", 4) != 0) return false;
    isutc = be32(h + 20); isstd = be32(h + 24); leap = be32(h + 28); timecnt = be32(h + 32);
    typecnt = be32(h + 36); charcnt = be32(h + 40);
    const unsigned char *p = h + 44;
    size_t need = (size_t)timecnt * 9 + (size_t)typecnt * 6;
    if (typecnt == 0 || typecnt > 256 || timecnt > 100000 || (size_t)(d + n - p) < need) return false;
    z->ntrans = (int)timecnt;
    z->trans = calloc(timecnt + 1, sizeof *z->trans);
    z->idx = calloc(timecnt + 1, 1);
    z->ntypes = (int)typecnt;
    z->utoff = calloc(typecnt, sizeof *z->utoff);
    for (uint32_t i = 0; i < timecnt; i++) z->trans[i] = be64(p + 8 * i);
    p += 8 * (size_t)timecnt;
    for (uint32_t i = 0; i < timecnt; i++) {
        if (p[i] >= typecnt) return false;
        z->idx[i] = p[i];
    }
    p += timecnt;
    for (uint32_t i = 0; i < typecnt; i++) z->utoff[i] = (int32_t)be32(p + 6 * i);
    z->abbrind = calloc(typecnt, 1);
    for (uint32_t i = 0; i < typecnt; i++) z->abbrind[i] = p[6 * i + 5];
    p += 6 * (size_t)typecnt;
    if ((size_t)(d + n - p) >= charcnt) {
        z->abbrs = calloc(charcnt + 1, 1);
        memcpy(z->abbrs, p, charcnt);
        z->nabbrs = charcnt;
    }
    return true;
}

static const tz_zone_t *tz_get(const char *name)
{
    pthread_mutex_lock(&tz_lock);
    tz_zone_t *z;
    for (z = tz_cache; z; z = z->next)
        if (strcmp(z->name, name) == 0) break;
    if (!z) {
        z = calloc(1, sizeof *z);
        z->name = strdup(name);
        /* refuse path tricks: names are IANA identifiers */
        if (!strstr(name, "..") && name[0] != '/' && strlen(name) < 200) {
            char path[256];
            snprintf(path, sizeof path, "/usr/share/zoneinfo/%s", name);
            FILE *f = fopen(path, "rb");
            if (f) {
                unsigned char *buf = malloc(1 << 20);
                size_t n = fread(buf, 1, 1 << 20, f);
                fclose(f);
                z->ok = tz_parse(z, buf, n);
                free(buf);
            }
        }
        z->next = tz_cache;
        tz_cache = z;
    }
    pthread_mutex_unlock(&tz_lock);
    return z->ok ? z : NULL;
}

/* A POSIX-style numeric zone ("+02:00", "-5"): hours WEST of Greenwich
 * for a positive sign, as PG reads SET TimeZone = '+02:00'. */
static bool fixed_zone(const char *name, int32_t *off)
{
    const char *p = name;
    int sg = 1;
    if (*p == '+' || *p == '-') sg = *p++ == '-' ? -1 : 1;
    if (!(*p >= '0' && *p <= '9')) return false;
    int h = 0, m = 0, n = 0;
    while (*p >= '0' && *p <= '9' && n < 2) { h = h * 10 + (*p++ - '0'); n++; }
    if (*p == ':') {
        p++;
        if (!(p[0] >= '0' && p[0] <= '9' && p[1] >= '0' && p[1] <= '9')) return false;
        m = (p[0] - '0') * 10 + (p[1] - '0');
        p += 2;
    }
    if (*p || h > 15 || m > 59) return false;
    *off = -sg * (h * 3600 + m * 60);
    return true;
}

bool sqlt_tz_known(const char *name)
{
    int32_t off;
    if (!name || !strcasecmp(name, "UTC") || !strcasecmp(name, "GMT") || fixed_zone(name, &off)) return true;
    return tz_get(name) != NULL;
}

/* The local time type in effect at unix_s. */
static int zone_type(const tz_zone_t *z, int64_t unix_s)
{
    if (z->ntrans == 0 || unix_s < z->trans[0]) {
        return 0; /* before the first transition: the first type */
    }
    int lo = 0, hi = z->ntrans - 1;
    while (lo < hi) {
        int mid = (lo + hi + 1) / 2;
        if (z->trans[mid] <= unix_s) lo = mid;
        else hi = mid - 1;
    }
    return z->idx[lo];
}

static int32_t zone_off(const tz_zone_t *z, int64_t unix_s) { return z->utoff[zone_type(z, unix_s)]; }

#define UNIX_EPOCH_OFF INT64_C(946684800) /* seconds from 1970 to 2000 */

int32_t sqlt_tz_offset(const char *name, int64_t utc_usec)
{
    if (!name || !strcasecmp(name, "UTC") || !strcasecmp(name, "GMT")) return 0;
    int32_t fixed;
    if (fixed_zone(name, &fixed)) return fixed;
    const tz_zone_t *z = tz_get(name);
    if (!z) return 0;
    int64_t s = utc_usec / USECS_PER_SEC;
    if (utc_usec % USECS_PER_SEC < 0) s--;
    return zone_off(z, s + UNIX_EPOCH_OFF);
}

int64_t sqlt_tz_local_to_utc(const char *name, int64_t local_usec)
{
    if (!name || !strcasecmp(name, "UTC") || !strcasecmp(name, "GMT")) return local_usec;
    int32_t fixed;
    if (fixed_zone(name, &fixed)) return local_usec - (int64_t)fixed * USECS_PER_SEC;
    const tz_zone_t *z = tz_get(name);
    if (!z) return local_usec;
    int64_t ls = local_usec / USECS_PER_SEC + UNIX_EPOCH_OFF;
    /* PG's DetermineTimeZoneOffset: try the offset before and after */
    int32_t o1 = zone_off(z, ls - 86400), o2 = zone_off(z, ls + 86400);
    if (o1 == o2) return local_usec - (int64_t)o1 * USECS_PER_SEC;
    int64_t u1 = ls - o1, u2 = ls - o2;
    bool ok1 = zone_off(z, u1) == o1, ok2 = zone_off(z, u2) == o2;
    /* PG (datetime docs, B.1): an ambiguous time takes the offset in effect
     * just after the transition, a nonexistent one the offset just before */
    int32_t use;
    if (ok1 && ok2) use = o2;
    else if (ok1) use = o1;
    else if (ok2) use = o2;
    else use = o1;
    return local_usec - (int64_t)use * USECS_PER_SEC;
}

const char *sqlt_tz_abbrev(const char *name, int64_t utc_usec)
{
    if (!name || !strcasecmp(name, "UTC") || !strcasecmp(name, "GMT")) return "UTC";
    int32_t fixed;
    if (fixed_zone(name, &fixed)) return NULL;
    const tz_zone_t *z = tz_get(name);
    if (!z || !z->abbrs) return NULL;
    int64_t s = utc_usec / USECS_PER_SEC;
    if (utc_usec % USECS_PER_SEC < 0) s--;
    uint8_t ai = z->abbrind[zone_type(z, s + UNIX_EPOCH_OFF)];
    return ai < z->nabbrs ? z->abbrs + ai : NULL;
}
