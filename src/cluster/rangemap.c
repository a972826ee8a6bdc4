/*
 * rangemap.c — split points for range partitioning; see rangemap.h.
 * Invariant: s is strictly increasing under clu_key_cmp.
 */
#include "cluster/rangemap.h"

#include <stdlib.h>
#include <string.h>

#include "common/coding.h"
#include "common/mem.h"

#define RANGEMAP_MAX_SPLITS 1000000

int clu_key_cmp(const void *a, size_t alen, const void *b, size_t blen)
{
    int c = memcmp(a, b, alen < blen ? alen : blen);
    if (c)
        return c;
    return alen < blen ? -1 : alen > blen;
}

void clu_rangemap_init(clu_rangemap_t *m)
{
    memset(m, 0, sizeof *m);
}

void clu_rangemap_free(clu_rangemap_t *m)
{
    for (size_t i = 0; i < m->n; i++)
        free(m->s[i].key);
    free(m->s);
    memset(m, 0, sizeof *m);
}

/* First split >= key. */
static size_t rangemap_lower(const clu_rangemap_t *m, const void *key, size_t len)
{
    size_t lo = 0, hi = m->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (clu_key_cmp(m->s[mid].key, m->s[mid].len, key, len) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

bool clu_rangemap_split(clu_rangemap_t *m, const void *key, size_t len, uint64_t version)
{
    size_t i = rangemap_lower(m, key, len);
    if (i < m->n && clu_key_cmp(m->s[i].key, m->s[i].len, key, len) == 0)
        return false;
    m->s = rdb_realloc(m->s, (m->n + 1) * sizeof *m->s);
    memmove(&m->s[i + 1], &m->s[i], (m->n - i) * sizeof *m->s);
    m->s[i].key = rdb_malloc(len + 1);
    memcpy(m->s[i].key, key, len);
    m->s[i].len = len;
    m->n++;
    m->version = version;
    return true;
}

bool clu_rangemap_merge(clu_rangemap_t *m, const void *key, size_t len, uint64_t version)
{
    size_t i = rangemap_lower(m, key, len);
    if (i >= m->n || clu_key_cmp(m->s[i].key, m->s[i].len, key, len) != 0)
        return false;
    free(m->s[i].key);
    memmove(&m->s[i], &m->s[i + 1], (m->n - i - 1) * sizeof *m->s);
    m->n--;
    m->version = version;
    return true;
}

size_t clu_rangemap_find(const clu_rangemap_t *m, const void *key, size_t len)
{
    /* Number of splits <= key. */
    size_t lo = 0, hi = m->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (clu_key_cmp(m->s[mid].key, m->s[mid].len, key, len) <= 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

void clu_rangemap_encode(const clu_rangemap_t *m, rdb_buf_t *out)
{
    char tmp[RDB_MAX_VARINT64_LEN];
    rdb_buf_append(out, tmp, rdb_encode_varint64(tmp, m->version));
    rdb_buf_append(out, tmp, rdb_encode_varint64(tmp, m->n));
    for (size_t i = 0; i < m->n; i++) {
        rdb_buf_append(out, tmp, rdb_encode_varint64(tmp, m->s[i].len));
        rdb_buf_append(out, m->s[i].key, m->s[i].len);
    }
}

rdb_status_t clu_rangemap_decode(clu_rangemap_t *m, const void *data, size_t len,
                                 rdb_err_t *err)
{
    const char *p = data, *end = p + len;
    uint64_t version, n;
    clu_rangemap_init(m);
    if (!(p = rdb_decode_varint64(p, end, &version)) || !(p = rdb_decode_varint64(p, end, &n)) ||
        n > RANGEMAP_MAX_SPLITS)
        goto bad;
    for (uint64_t i = 0; i < n; i++) {
        uint64_t kl;
        if (!(p = rdb_decode_varint64(p, end, &kl)) || kl > (uint64_t)(end - p))
            goto bad;
        /* Splits must arrive strictly sorted: a duplicate or an inversion is corrupt. */
        if (m->n && clu_key_cmp(m->s[m->n - 1].key, m->s[m->n - 1].len, p, kl) >= 0)
            goto bad;
        clu_rangemap_split(m, p, kl, version);
        p += kl;
    }
    if (p != end)
        goto bad;
    m->version = version;
    return RDB_OK;
bad:
    clu_rangemap_free(m);
    return rdb_err_set(err, RDB_PROTOCOL, RDB_SQLSTATE_PROTOCOL_VIOLATION,
                       "malformed range partition map (%zu bytes)", len);
}
