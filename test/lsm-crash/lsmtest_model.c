/*
 * lsmtest_model.c — see lsmtest_model.h.
 */
#include "lsmtest_model.h"

#include <stdio.h>
#include <string.h>

#include "common/crc32c.h"
#include "common/hash.h"

uint64_t lt_hash(uint64_t id, uint64_t salt)
{
    return rdb_hash_u64(id * 0x9e3779b97f4a7c15ULL ^ rdb_hash_u64(salt + 0x51ed27));
}

int lt_batch_keys(uint64_t id)
{
    return 1 + (int)(lt_hash(id, 1) % 6);
}

int lt_batch_hot(uint64_t id)
{
    return (int)(lt_hash(id, 2) % (LT_MAX_HOT + 1));
}

void lt_batch_hot_op(uint64_t id, int j, int *hot_key, bool *is_delete)
{
    /* 17 is odd, so j = 0, 1 pick two different keys. */
    *hot_key = (int)((lt_hash(id, 3) + (uint64_t)j * 17) % LT_HOT_KEYS);
    *is_delete = lt_hash(id, 4 + (uint64_t)j) % 4 == 0;
}

size_t lt_own_key(uint64_t id, int i, char *out)
{
    return (size_t)snprintf(out, LT_KEY_MAX, "b/%016llx/%02d", (unsigned long long)id, i);
}

size_t lt_hot_key(int k, char *out)
{
    return (size_t)snprintf(out, LT_KEY_MAX, "h/%03d", k);
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

bool lt_parse_own_key(const char *key, size_t klen, uint64_t *id, int *i)
{
    uint64_t v = 0;
    if (klen != 21 || key[0] != 'b' || key[1] != '/' || key[18] != '/')
        return false;
    for (int p = 2; p < 18; p++) {
        int h = hexval(key[p]);
        if (h < 0)
            return false;
        v = v << 4 | (uint64_t)h;
    }
    if (key[19] < '0' || key[19] > '9' || key[20] < '0' || key[20] > '9')
        return false;
    *id = v;
    *i = (key[19] - '0') * 10 + (key[20] - '0');
    return true;
}

void lt_value(uint64_t id, int i, rdb_buf_t *out)
{
    uint64_t h = lt_hash(id, 1000 + (uint64_t)i);
    size_t filler = 24 + h % 277;
    if ((h >> 20) % 32 == 0)
        filler = 2000 + (h >> 30) % 4000;
    rdb_buf_reset(out);
    rdb_buf_printf(out, "id=%016llx i=%02d n=%02d|", (unsigned long long)id, i,
                   lt_batch_keys(id));
    rdb_buf_reserve(out, filler);
    uint64_t s = h;
    for (size_t p = 0; p < filler; p++) {
        if (p % 8 == 0)
            s = rdb_hash_u64(s + p);
        out->data[out->len++] = (char)('!' + (s >> (p % 8 * 8)) % 90);
    }
    uint32_t crc = rdb_crc32c(out->data, out->len);
    rdb_buf_printf(out, "|crc=%08x", crc);
}

void lt_batch_fill(lsm_batch_t *b, uint64_t id)
{
    char key[LT_KEY_MAX];
    rdb_buf_t v = RDB_BUF_INIT;
    lsm_version_t ver = { id, LT_NODE_ID };
    lsm_batch_clear(b);
    for (int i = 0, n = lt_batch_keys(id); i < n; i++) {
        size_t kl = lt_own_key(id, i, key);
        lt_value(id, i, &v);
        lsm_batch_put(b, key, kl, ver, v.data, v.len);
    }
    for (int j = 0, n = lt_batch_hot(id); j < n; j++) {
        int k;
        bool del;
        lt_batch_hot_op(id, j, &k, &del);
        size_t kl = lt_hot_key(k, key);
        if (del) {
            lsm_batch_delete(b, key, kl, ver);
        } else {
            lt_value(id, 100 + j, &v);
            lsm_batch_put(b, key, kl, ver, v.data, v.len);
        }
    }
    rdb_buf_free(&v);
}
