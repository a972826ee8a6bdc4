/* table.c — reading SSTables; see table.h. */
#include "lsm/table.h"

#include <errno.h>
#include <fcntl.h>
#include <lz4.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include "common/coding.h"
#include "common/crc32c.h"
#include "common/mem.h"
#include "lsm/block.h"
#include "lsm/bloom.h"
#include "lsm/ikey.h"

/* The index searched in memory: for each index entry (restart interval 1),
 * 8 bytes of its user key from the offset where the keys of the table stop
 * sharing a prefix (cp), big-endian and zero-padded, as one integer.  These
 * rise with the keys (not strictly), so a binary search over a dense array
 * of integers finds the entry, and only entries whose 8 bytes equal the
 * target's need a comparison of whole keys.  A second array holds every
 * IX_GROUP-th integer: it is small enough to stay in the CPU's caches, and
 * the search ends in one group of the first.  A third array holds each
 * entry's block handle decoded, so that a point read finds its block in the
 * line it prefetched with the group instead of in the index block (two
 * more memory misses: the restart offset, then the entry).  Built at open;
 * NULL (and the block iterator used instead) when the index is not one
 * entry per restart or a handle in it does not decode. */
#define IX_GROUP 16

typedef struct bhandle {
    uint64_t off, size;
} bhandle_t;

typedef struct ix_summary {
    lsm_block_flat_t flat;
    uint64_t *sum;
    bhandle_t *bh;  /* entry i's block */
    uint64_t *top;  /* sum[IX_GROUP * j]: a search touches few cache lines */
    uint32_t ntop;
    const char *cp; /* the shared prefix: inside the first index key */
    size_t cpn;
} ix_summary_t;

struct lsm_table {
    int fd;
    char *path;
    uint64_t number, size;
    char *index;
    size_t index_len;
    uint64_t index_off;
    ix_summary_t ix;
    char *filter;
    size_t filter_len;
    lsm_cache_t *cache;
    size_t charged; /* index, filter and summary bytes charged to the cache */
    atomic_int refs;
    uint64_t *hits, *misses;
};

static rdb_status_t corrupt(const char *path, uint64_t off, const char *why, rdb_err_t *err)
{
    return rdb_err_set(err, RDB_CORRUPTION, RDB_SQLSTATE_DATA_CORRUPTED,
                       "%s in \"%s\" at offset %llu", why, path, (unsigned long long)off);
}

static rdb_status_t pread_all(lsm_table_t *t, char *buf, size_t n, uint64_t off, rdb_err_t *err)
{
    size_t got = 0;
    while (got < n) {
        ssize_t k = pread(t->fd, buf + got, n - got, (off_t)(off + got));
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0)
            return rdb_err_set(err, RDB_IOERROR, NULL, "could not read \"%s\" at offset %llu: %s",
                               t->path, (unsigned long long)off, strerror(errno));
        if (k == 0)
            return corrupt(t->path, off, "truncated block", err);
        got += (size_t)k;
    }
    return RDB_OK;
}

#define READ_SCRATCH 16384

/* Where the block at off goes: a buffer the block cache can take whole
 * (lsm_cache_buf_get: often an evicted block's), or a plain malloc. */
static char *out_new(lsm_table_t *t, bool cachebuf, uint64_t off, size_t n)
{
    return cachebuf ? lsm_cache_buf_get(t->cache, t->number, off, n) : rdb_malloc(n ? n : 1);
}
static void out_free(bool cachebuf, char *p)
{
    if (cachebuf)
        lsm_cache_buf_free(p);
    else
        free(p);
}

/* Read, verify and decompress the block at (off, size) into *out (from
 * out_new(cachebuf)).  The raw bytes are read into a scratch buffer on the
 * stack when they fit, so a block costs one allocation, the one kept. */
static rdb_status_t read_block(lsm_table_t *t, uint64_t off, uint64_t size, bool cachebuf,
                               char **out, size_t *outn, rdb_err_t *err)
{
    if (off > t->size || size > t->size || off + size + 5 > t->size)
        return corrupt(t->path, off, "block handle out of range", err);
    char scratch[READ_SCRATCH];
    char *raw = size + 5 <= sizeof scratch ? scratch : rdb_malloc(size + 5);
    char *u = NULL;
    uint32_t ulen = 0;
    const char *why = NULL;
    rdb_status_t s = pread_all(t, raw, size + 5, off, err);
    if (s != RDB_OK)
        goto done;
    if (rdb_crc32c(raw, size + 1) != rdb_crc32c_unmask(rdb_get_u32_le(raw + size + 1))) {
        why = "block checksum mismatch";
        goto done;
    }
    int type = (unsigned char)raw[size];
    if (type == LSM_COMPRESS_NONE) {
        ulen = (uint32_t)size;
        u = out_new(t, cachebuf, off, size);
        memcpy(u, raw, size);
        goto done;
    }
    const char *p = rdb_decode_varint32(raw, raw + size, &ulen);
    if (!p || ulen > 1u << 30 || (type != LSM_COMPRESS_LZ4 && type != LSM_COMPRESS_ZSTD)) {
        why = "bad block compression header";
        goto done;
    }
    u = out_new(t, cachebuf, off, ulen);
    size_t clen = size - (size_t)(p - raw);
    bool ok;
    if (type == LSM_COMPRESS_LZ4) {
        int r = LZ4_decompress_safe(p, u, (int)clen, (int)ulen);
        ok = r == (int)ulen;
    } else {
        size_t r = ZSTD_decompress(u, ulen, p, clen);
        ok = !ZSTD_isError(r) && r == ulen;
    }
    if (!ok) {
        out_free(cachebuf, u);
        u = NULL;
        why = "block decompression failed";
    }
done:
    if (raw != scratch)
        free(raw);
    if (why)
        return corrupt(t->path, off, why, err);
    if (s != RDB_OK)
        return s;
    *out = u;
    *outn = ulen;
    return RDB_OK;
}

/* 8 bytes from p (n of them, zero-padded) as a big-endian integer. */
static inline uint64_t load8(const char *p, size_t n)
{
    if (n >= 8)
        return rdb_get_u64_be(p);
    unsigned char b[8] = { 0 };
    memcpy(b, p, n);
    return rdb_get_u64_be(b);
}

static void ix_build(lsm_table_t *t)
{
    ix_summary_t *x = &t->ix;
    if (!lsm_block_flat_init(&x->flat, t->index, t->index_len))
        return;
    uint32_t n = x->flat.n;
    const char *k0, *kl, *v;
    size_t k0n, kln, vn;
    lsm_block_flat_entry(&x->flat, 0, &k0, &k0n, &v, &vn);
    lsm_block_flat_entry(&x->flat, n - 1, &kl, &kln, &v, &vn);
    size_t m = RDB_MIN(k0n, kln) - LSM_IKEY_TRAILER, cp = 0;
    while (cp < m && k0[cp] == kl[cp])
        cp++;
    uint64_t *sum = rdb_malloc((size_t)n * sizeof(*sum));
    for (uint32_t i = 0; i < n; i++) {
        const char *k;
        size_t kn;
        lsm_block_flat_entry(&x->flat, i, &k, &kn, &v, &vn);
        size_t un = kn - LSM_IKEY_TRAILER;
        if (un < cp || memcmp(k, k0, cp) != 0 || (i && load8(k + cp, un - cp) < sum[i - 1])) {
            free(sum); /* out of order: no summary, the block iterator still works */
            return;
        }
        sum[i] = load8(k + cp, un - cp);
    }
    bhandle_t *bh = rdb_malloc((size_t)n * sizeof(*bh));
    for (uint32_t i = 0; i < n; i++) {
        const char *k, *p;
        size_t kn;
        lsm_block_flat_entry(&x->flat, i, &k, &kn, &v, &vn);
        if (!(p = rdb_decode_varint64(v, v + vn, &bh[i].off)) ||
            !rdb_decode_varint64(p, v + vn, &bh[i].size)) {
            free(bh); /* the block iterator reports it when a read gets there */
            free(sum);
            return;
        }
    }
    x->bh = bh;
    x->ntop = (n + IX_GROUP - 1) / IX_GROUP;
    x->top = rdb_malloc((size_t)x->ntop * sizeof(*x->top));
    for (uint32_t j = 0; j < x->ntop; j++)
        x->top[j] = sum[(size_t)j * IX_GROUP];
    x->sum = sum;
    x->cp = k0;
    x->cpn = cp;
}

/* A search of the summary in two steps, so that point reads can overlap
 * the cache misses of the bloom filter's probes with this one's: ix_start
 * finds the group in the small array and prefetches it (or settles the
 * answer when the key lies outside the table's shared prefix), ix_finish
 * scans it. */
typedef struct ix_probe {
    uint64_t q;
    uint32_t lo, end;
    bool done; /* lo is the answer */
} ix_probe_t;

static void ix_start(const ix_summary_t *x, const char *k, size_t n, ix_probe_t *pr)
{
    size_t ukn = n - LSM_IKEY_TRAILER;
    int c = memcmp(k, x->cp, RDB_MIN(ukn, x->cpn));
    pr->done = true;
    if (c < 0 || (c == 0 && ukn < x->cpn)) {
        pr->lo = 0;
        return;
    }
    if (c > 0) {
        pr->lo = x->flat.n;
        return;
    }
    uint64_t q = load8(k + x->cpn, ukn - x->cpn);
    uint32_t j = 0, jh = x->ntop;
    while (j < jh) { /* first group head >= q */
        uint32_t mid = j + (jh - j) / 2;
        if (x->top[mid] < q)
            j = mid + 1;
        else
            jh = mid;
    }
    /* the first entry with sum >= q is past group j - 1's head and at most
     * group j's head */
    pr->done = false;
    pr->q = q;
    pr->lo = j ? (j - 1) * IX_GROUP + 1 : 0;
    pr->end = (uint32_t)RDB_MIN((uint64_t)j * IX_GROUP, (uint64_t)x->flat.n);
    /* the group's integers, and where its index entries start */
    __builtin_prefetch(x->sum + pr->lo);
    __builtin_prefetch(x->sum + pr->lo + IX_GROUP / 2);
    __builtin_prefetch(x->bh + pr->lo);
}

/* The first index entry whose key is >= ikey k (n bytes), or the number of
 * entries if none is. */
static uint32_t ix_finish(const ix_summary_t *x, const char *k, size_t n, const ix_probe_t *pr)
{
    if (pr->done)
        return pr->lo;
    const uint64_t *sum = x->sum;
    uint64_t q = pr->q;
    uint32_t lo = pr->lo, end = pr->end;
    while (lo < end && sum[lo] < q)
        lo++;
    uint32_t hi = lo;
    if (hi < x->flat.n && sum[hi] == q) { /* first with sum > q */
        uint32_t h2 = x->flat.n;
        hi++;
        while (hi < h2) {
            uint32_t mid = hi + (h2 - hi) / 2;
            if (sum[mid] == q)
                hi = mid + 1;
            else
                h2 = mid;
        }
    }
    while (lo < hi) { /* entries whose 8 bytes tie: compare whole keys */
        uint32_t mid = lo + (hi - lo) / 2;
        const char *ek, *v;
        size_t ekn, vn;
        lsm_block_flat_entry(&x->flat, mid, &ek, &ekn, &v, &vn);
        if (lsm_ikey_cmp(ek, ekn, k, n) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static uint32_t ix_find(const ix_summary_t *x, const char *k, size_t n)
{
    ix_probe_t pr;
    ix_start(x, k, n, &pr);
    return ix_finish(x, k, n, &pr);
}

rdb_status_t lsm_table_open(const char *path, uint64_t number, lsm_cache_t *cache,
                            lsm_table_t **out, rdb_err_t *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return rdb_err_set(err, RDB_IOERROR, NULL, "could not open \"%s\": %s", path,
                           strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0) {
        close(fd);
        return rdb_err_set(err, RDB_IOERROR, NULL, "could not stat \"%s\": %s", path,
                           strerror(errno));
    }
    lsm_table_t *t = rdb_calloc(1, sizeof(*t));
    t->fd = fd;
    t->path = rdb_strdup(path);
    t->number = number;
    t->size = (uint64_t)st.st_size;
    t->cache = cache;
    atomic_init(&t->refs, 1);
    rdb_status_t s;
    char ft[LSM_FOOTER_SIZE];
    if (t->size < LSM_FOOTER_SIZE) {
        s = corrupt(path, 0, "file too short for a table footer", err);
        goto fail;
    }
    uint64_t fo = t->size - LSM_FOOTER_SIZE;
    if ((s = pread_all(t, ft, sizeof ft, fo, err)) != RDB_OK)
        goto fail;
    if (rdb_get_u64_le(ft + 40) != LSM_TABLE_MAGIC) {
        s = corrupt(path, fo + 40, "bad table magic", err);
        goto fail;
    }
    if (rdb_crc32c_unmask(rdb_get_u32_le(ft + 32)) != rdb_crc32c(ft, 32)) {
        s = corrupt(path, fo, "footer checksum mismatch", err);
        goto fail;
    }
    uint64_t foff = rdb_get_u64_le(ft), fsize = rdb_get_u64_le(ft + 8);
    uint64_t ioff = rdb_get_u64_le(ft + 16), isize = rdb_get_u64_le(ft + 24);
    t->index_off = ioff;
    if ((s = read_block(t, ioff, isize, false, &t->index, &t->index_len, err)) != RDB_OK)
        goto fail;
    if (fsize && (s = read_block(t, foff, fsize, false, &t->filter, &t->filter_len, err)) != RDB_OK)
        goto fail;
    ix_build(t);
    /* What the open table holds in memory counts against the block cache,
     * so that memory stays within the cache's budget at any data size. */
    t->charged = sizeof(*t) + strlen(t->path) + 1 + t->index_len + t->filter_len +
                 (t->ix.sum ? (size_t)t->ix.flat.n * (sizeof(*t->ix.sum) + sizeof(*t->ix.bh)) +
                                  (size_t)t->ix.ntop * sizeof(*t->ix.top)
                            : 0);
    if (t->cache)
        lsm_cache_charge(t->cache, t->charged);
    else
        t->charged = 0;
    *out = t;
    return RDB_OK;
fail:
    lsm_table_unref(t);
    return s;
}

void lsm_table_ref(lsm_table_t *t) { atomic_fetch_add(&t->refs, 1); }
void lsm_table_unref(lsm_table_t *t)
{
    if (t && atomic_fetch_sub(&t->refs, 1) == 1) {
        if (t->charged)
            lsm_cache_uncharge(t->cache, t->charged);
        close(t->fd);
        free(t->index);
        free(t->ix.sum);
        free(t->ix.bh);
        free(t->ix.top);
        free(t->filter);
        free(t->path);
        free(t);
    }
}
uint64_t lsm_table_file_size(const lsm_table_t *t) { return t->size; }
size_t lsm_table_charge(const lsm_table_t *t) { return t->charged; }
void lsm_table_set_counters(lsm_table_t *t, uint64_t *hits, uint64_t *misses)
{
    t->hits = hits;
    t->misses = misses;
}

/* A data block held by a reader: pinned in the cache, or owned when it
 * was read without filling the cache. */
typedef struct block_pin {
    lsm_cache_handle_t *h;
    char *owned;
} block_pin_t;

static void unpin(lsm_table_t *t, block_pin_t *p)
{
    if (p->h)
        lsm_cache_release(t->cache, p->h);
    free(p->owned);
    p->h = NULL;
    p->owned = NULL;
}

/* The data block at (off, size), pinned in *pin (which must be empty):
 * its bytes in *datap, *np.  false with err set on failure. */
static bool pin_block_at(lsm_table_t *t, uint64_t off, uint64_t size, bool fill, block_pin_t *pin,
                         const char **datap, size_t *np, bool *hit, rdb_err_t *err)
{
    const char *data;
    size_t n;
    if (t->cache && (pin->h = lsm_cache_lookup(t->cache, t->number, off))) {
        data = lsm_cache_data(pin->h, &n);
        if (hit)
            *hit = true;
        if (t->hits)
            __atomic_fetch_add(t->hits, 1, __ATOMIC_RELAXED);
    } else {
        char *blk;
        if (t->misses && t->cache)
            __atomic_fetch_add(t->misses, 1, __ATOMIC_RELAXED);
        bool cached = fill && t->cache;
        if (read_block(t, off, size, cached, &blk, &n, err) != RDB_OK)
            return false;
        if (cached)
            pin->h = lsm_cache_insert_buf(t->cache, t->number, off, blk, n);
        else
            pin->owned = blk;
        data = blk;
    }
    *datap = data;
    *np = n;
    return true;
}

/* pin_block_at for the block whose index value (handle) is v. */
static bool pin_block(lsm_table_t *t, const char *v, size_t vn, bool fill, block_pin_t *pin,
                      const char **datap, size_t *np, uint64_t *offp, bool *hit, rdb_err_t *err)
{
    uint64_t size;
    const char *p = rdb_decode_varint64(v, v + vn, offp);
    if (!p || !rdb_decode_varint64(p, v + vn, &size)) {
        corrupt(t->path, 0, "bad block handle in index", err);
        return false;
    }
    return pin_block_at(t, *offp, size, fill, pin, datap, np, hit, err);
}

static bool load_block(lsm_table_t *t, const char *v, size_t vn, bool fill, block_pin_t *pin,
                       lsm_block_it_t *bi, bool *hit, rdb_err_t *err)
{
    const char *data;
    size_t n;
    uint64_t off;
    if (!pin_block(t, v, vn, fill, pin, &data, &n, &off, hit, err))
        return false;
    lsm_block_it_init(bi, data, n, t->path, off);
    return true;
}

rdb_status_t lsm_table_get(lsm_table_t *t, const char *seek, size_t sn, bool fill_cache,
                           bool *found, int *kind, lsm_version_t *ver, rdb_buf_t *value,
                           const lsm_version_t *newer_than, bool *bloom_skip, bool *cache_hit,
                           rdb_err_t *err)
{
    *found = false;
    *bloom_skip = false;
    size_t ukl = sn - LSM_IKEY_TRAILER;
    /* the filter's probes and the summary's group load at once */
    uint32_t pos[LSM_BLOOM_MAX_PROBES];
    int nprobe = t->filter ? lsm_bloom_prefetch(t->filter, t->filter_len,
                                                lsm_bloom_hash(seek, ukl), pos)
                           : 0;
    ix_probe_t pr;
    if (t->ix.sum)
        ix_start(&t->ix, seek, sn, &pr);
    if (nprobe && !lsm_bloom_check(t->filter, pos, nprobe)) {
        *bloom_skip = true;
        return RDB_OK;
    }
    /* both block readers live on the stack: a point read allocates nothing
     * unless it reads a block from disk */
    lsm_block_it_t bib = { 0 };
    lsm_it_t *bi = &bib.base;
    block_pin_t pin = { NULL, NULL };
    rdb_status_t s = RDB_OK;
    size_t vn;
    const char *v;
    bool ok;
    if (t->ix.sum) {
        uint32_t idx = ix_finish(&t->ix, seek, sn, &pr);
        if (idx >= t->ix.flat.n)
            return RDB_OK;
        const bhandle_t *b = &t->ix.bh[idx];
        const char *data;
        size_t n;
        ok = pin_block_at(t, b->off, b->size, fill_cache, &pin, &data, &n, cache_hit, err);
        if (ok)
            lsm_block_it_init(&bib, data, n, t->path, b->off);
    } else {
        lsm_block_it_t ixb = { 0 };
        lsm_it_t *ix = &ixb.base;
        lsm_block_it_init(&ixb, t->index, t->index_len, t->path, t->index_off);
        ix->ops->seek(ix, seek, sn);
        if (!ix->ops->valid(ix)) {
            s = ix->ops->status(ix, err);
            lsm_block_it_destroy(&ixb);
            return s;
        }
        v = ix->ops->value(ix, &vn);
        ok = load_block(t, v, vn, fill_cache, &pin, &bib, cache_hit, err);
        lsm_block_it_destroy(&ixb);
    }
    if (!ok) {
        lsm_block_it_destroy(&bib);
        return err ? err->code : RDB_CORRUPTION;
    }
    bi->ops->seek(bi, seek, sn);
    if (bi->ops->valid(bi)) {
        size_t kn;
        const char *k = bi->ops->key(bi, &kn);
        if (lsm_ukey_cmp(k, kn - LSM_IKEY_TRAILER, seek, ukl) == 0) {
            *found = true;
            *kind = lsm_ikey_kind(k, kn);
            *ver = lsm_ikey_version(k, kn);
            if (value && (!newer_than || lsm_version_cmp(*ver, *newer_than) > 0)) {
                const char *val = bi->ops->value(bi, &vn);
                rdb_buf_reset(value);
                rdb_buf_append(value, val, vn);
            }
        }
    } else {
        s = bi->ops->status(bi, err);
    }
    lsm_block_it_destroy(&bib);
    unpin(t, &pin);
    return s;
}

/* Several point reads at once (lsm_table_get_many): the reads go through
 * their steps side by side, GET_MANY_WIDTH at a time, each step starting
 * the cache misses of the next one (bloom probes and index summary group,
 * then the block cache bucket, then the block) for every read before the
 * first of them waits for one, so that the misses of different keys
 * overlap instead of queueing one after the other. */
#define GET_MANY_WIDTH 16
#define GET_MANY_PREFETCH_MAX (8u << 10) /* bytes of a block prefetched whole */

static rdb_status_t get_many_one(lsm_table_probe_t *p, const char *data, size_t n, uint64_t off,
                                 rdb_buf_t *vals, rdb_err_t *err)
{
    lsm_table_t *t = p->t;
    lsm_block_it_t bib = { 0 };
    lsm_it_t *bi = &bib.base;
    rdb_status_t s = RDB_OK;
    lsm_block_it_init(&bib, data, n, t->path, off);
    bi->ops->seek(bi, p->seek, p->sn);
    if (bi->ops->valid(bi)) {
        size_t kn, vn;
        const char *k = bi->ops->key(bi, &kn);
        if (lsm_ukey_cmp(k, kn - LSM_IKEY_TRAILER, p->seek, p->sn - LSM_IKEY_TRAILER) == 0) {
            p->found = true;
            p->kind = lsm_ikey_kind(k, kn);
            p->ver = lsm_ikey_version(k, kn);
            if (!p->has_newer || lsm_version_cmp(p->ver, p->newer) > 0) {
                const char *val = bi->ops->value(bi, &vn);
                p->copied = true;
                p->voff = vals->len;
                p->vlen = vn;
                rdb_buf_append(vals, val, vn);
            }
        }
    } else {
        s = bi->ops->status(bi, err);
    }
    lsm_block_it_destroy(&bib);
    return s;
}

rdb_status_t lsm_table_get_many(lsm_table_probe_t *pr, int n, bool fill_cache, rdb_buf_t *vals,
                                rdb_err_t *err)
{
    uint32_t pos[GET_MANY_WIDTH][LSM_BLOOM_MAX_PROBES];
    int nprobe[GET_MANY_WIDTH];
    ix_probe_t ixp[GET_MANY_WIDTH];
    const bhandle_t *bh[GET_MANY_WIDTH]; /* the block, NULL = none */
    block_pin_t pin[GET_MANY_WIDTH];
    const char *bdata[GET_MANY_WIDTH];
    size_t bn[GET_MANY_WIDTH];
    uint64_t boff[GET_MANY_WIDTH];
    rdb_status_t s = RDB_OK;
    for (int base = 0; base < n && s == RDB_OK; base += GET_MANY_WIDTH) {
        int w = RDB_MIN(GET_MANY_WIDTH, n - base);
        lsm_table_probe_t *p = pr + base;
        /* 1: the bloom filter's bits and the index summary's group */
        for (int i = 0; i < w; i++) {
            lsm_table_t *t = p[i].t;
            size_t ukl = p[i].sn - LSM_IKEY_TRAILER;
            p[i].found = p[i].copied = p[i].bloom_skip = false;
            nprobe[i] = t->filter ? lsm_bloom_prefetch(t->filter, t->filter_len,
                                                       lsm_bloom_hash(p[i].seek, ukl), pos[i])
                                  : 0;
            if (t->ix.sum)
                ix_start(&t->ix, p[i].seek, p[i].sn, &ixp[i]);
        }
        /* 2: the filter's answer, the block from the index */
        for (int i = 0; i < w; i++) {
            lsm_table_t *t = p[i].t;
            bh[i] = NULL;
            pin[i] = (block_pin_t){ NULL, NULL };
            if (nprobe[i] && !lsm_bloom_check(t->filter, pos[i], nprobe[i])) {
                p[i].bloom_skip = true;
                continue;
            }
            if (!t->ix.sum) { /* no summary: the one-key path */
                bool hit;
                rdb_buf_t v = RDB_BUF_INIT;
                s = lsm_table_get(t, p[i].seek, p[i].sn, fill_cache, &p[i].found, &p[i].kind, &p[i].ver,
                                  &v, p[i].has_newer ? &p[i].newer : NULL, &p[i].bloom_skip, &hit, err);
                if (s == RDB_OK && p[i].found && (!p[i].has_newer || lsm_version_cmp(p[i].ver, p[i].newer) > 0)) {
                    p[i].copied = true;
                    p[i].voff = vals->len;
                    p[i].vlen = v.len;
                    rdb_buf_append(vals, v.data, v.len);
                }
                rdb_buf_free(&v);
                if (s != RDB_OK)
                    break;
                continue;
            }
            uint32_t idx = ix_finish(&t->ix, p[i].seek, p[i].sn, &ixp[i]);
            if (idx >= t->ix.flat.n)
                continue;
            bh[i] = &t->ix.bh[idx];
            __builtin_prefetch(bh[i]);
        }
        /* 2a: the cache slots of the blocks */
        for (int i = 0; i < w; i++)
            if (bh[i] && p[i].t->cache)
                lsm_cache_prefetch(p[i].t->cache, p[i].t->number, bh[i]->off);
        /* 2b: the cache entries the slots point to */
        for (int i = 0; i < w; i++)
            if (bh[i] && p[i].t->cache)
                lsm_cache_prefetch_entry(p[i].t->cache, p[i].t->number, bh[i]->off);
        /* 3: pin the blocks (cache entries), start loading them: every
         * line of a block of the usual size (the seek's binary search and
         * scan would otherwise miss on line after line), of a bigger one
         * (a big value) its start, middle and restarts */
        for (int i = 0; i < w && s == RDB_OK; i++) {
            if (!bh[i])
                continue;
            boff[i] = bh[i]->off;
            if (!pin_block_at(p[i].t, bh[i]->off, bh[i]->size, fill_cache, &pin[i], &bdata[i], &bn[i],
                              NULL, err)) {
                s = err ? err->code : RDB_CORRUPTION;
                bh[i] = NULL;
                break;
            }
            if (bn[i] <= GET_MANY_PREFETCH_MAX) {
                for (size_t o = 0; o < bn[i]; o += 64)
                    __builtin_prefetch(bdata[i] + o);
            } else {
                __builtin_prefetch(bdata[i] + bn[i] - 4);
                __builtin_prefetch(bdata[i]);
                __builtin_prefetch(bdata[i] + bn[i] / 2);
            }
        }
        /* 4: seek in the blocks */
        for (int i = 0; i < w; i++) {
            if (!bh[i])
                continue;
            if (s == RDB_OK)
                s = get_many_one(&p[i], bdata[i], bn[i], boff[i], vals, err);
            unpin(p[i].t, &pin[i]);
        }
    }
    return s;
}

uint64_t lsm_table_offset_of(lsm_table_t *t, const char *ikey, size_t n)
{
    lsm_block_it_t ixb = { 0 };
    lsm_it_t *ix = &ixb.base;
    lsm_block_it_init(&ixb, t->index, t->index_len, t->path, t->index_off);
    ix->ops->seek(ix, ikey, n);
    uint64_t off = t->size;
    if (ix->ops->valid(ix)) {
        size_t vn;
        const char *v = ix->ops->value(ix, &vn);
        if (!rdb_decode_varint64(v, v + vn, &off))
            off = 0;
    }
    lsm_block_it_destroy(&ixb);
    return off;
}

/* --- two-level iterator --------------------------------------------------- */

/* The index and data block readers are embedded: moving to another block
 * re-points the data reader and allocates nothing. */
typedef struct table_it {
    lsm_it_t base;
    lsm_table_t *t;
    lsm_block_it_t ixb, blk;
    lsm_it_t *ix, *data;     /* &ixb.base; &blk.base or NULL when no block */
    block_pin_t pin;
    size_t data_handle_len;  /* index value of the block in data */
    char handle_buf[24];
    bool fill;
    rdb_err_t err;
} table_it_t;

static void drop_data(table_it_t *i)
{
    if (!i->data)
        return;
    if (rdb_err_is_set(&i->blk.err) && !rdb_err_is_set(&i->err))
        i->data->ops->status(i->data, &i->err);
    unpin(i->t, &i->pin);
    i->data = NULL;
}

static void set_data(table_it_t *i)
{
    size_t vn = 0;
    const char *v = i->ix->ops->valid(i->ix) ? i->ix->ops->value(i->ix, &vn) : NULL;
    /* the same block again (seeks nearby): keep it */
    if (v && i->data && vn == i->data_handle_len && memcmp(v, i->handle_buf, vn) == 0)
        return;
    drop_data(i);
    if (!v)
        return;
    if (!load_block(i->t, v, vn, i->fill, &i->pin, &i->blk, NULL, &i->err))
        return;
    i->data = &i->blk.base;
    if (vn <= sizeof i->handle_buf) {
        memcpy(i->handle_buf, v, vn);
        i->data_handle_len = vn;
    } else {
        i->data_handle_len = 0;
    }
}

static bool ti_valid(lsm_it_t *it)
{
    table_it_t *i = (table_it_t *)it;
    return i->data && i->data->ops->valid(i->data);
}

static bool stop(table_it_t *i)
{
    if (rdb_err_is_set(&i->err))
        return true;
    if (i->data && i->data->ops->status(i->data, &i->err) != RDB_OK)
        return true;
    if (i->ix->ops->status(i->ix, &i->err) != RDB_OK)
        return true;
    return false;
}

static void skip_fwd(table_it_t *i)
{
    while (!ti_valid(&i->base)) {
        if (stop(i) || !i->ix->ops->valid(i->ix)) {
            drop_data(i);
            return;
        }
        i->ix->ops->next(i->ix);
        set_data(i);
        if (i->data)
            i->data->ops->seek_first(i->data);
    }
}

static void skip_back(table_it_t *i)
{
    while (!ti_valid(&i->base)) {
        if (stop(i) || !i->ix->ops->valid(i->ix)) {
            drop_data(i);
            return;
        }
        i->ix->ops->prev(i->ix);
        set_data(i);
        if (i->data)
            i->data->ops->seek_last(i->data);
    }
}

static void ti_first(lsm_it_t *it)
{
    table_it_t *i = (table_it_t *)it;
    i->ix->ops->seek_first(i->ix);
    set_data(i);
    if (i->data)
        i->data->ops->seek_first(i->data);
    skip_fwd(i);
}
static void ti_last(lsm_it_t *it)
{
    table_it_t *i = (table_it_t *)it;
    i->ix->ops->seek_last(i->ix);
    set_data(i);
    if (i->data)
        i->data->ops->seek_last(i->data);
    skip_back(i);
}
static void ti_seek(lsm_it_t *it, const char *k, size_t n)
{
    table_it_t *i = (table_it_t *)it;
    if (i->t->ix.sum)
        lsm_block_it_seek_entry(&i->ixb, ix_find(&i->t->ix, k, n));
    else
        i->ix->ops->seek(i->ix, k, n);
    set_data(i);
    if (i->data)
        i->data->ops->seek(i->data, k, n);
    skip_fwd(i);
}
static void ti_next(lsm_it_t *it)
{
    table_it_t *i = (table_it_t *)it;
    i->data->ops->next(i->data);
    skip_fwd(i);
}
static void ti_prev(lsm_it_t *it)
{
    table_it_t *i = (table_it_t *)it;
    i->data->ops->prev(i->data);
    skip_back(i);
}
static const char *ti_key(lsm_it_t *it, size_t *n)
{
    table_it_t *i = (table_it_t *)it;
    return i->data->ops->key(i->data, n);
}
static const char *ti_value(lsm_it_t *it, size_t *n)
{
    table_it_t *i = (table_it_t *)it;
    return i->data->ops->value(i->data, n);
}
static rdb_status_t ti_status(lsm_it_t *it, rdb_err_t *err)
{
    table_it_t *i = (table_it_t *)it;
    stop(i);
    if (!rdb_err_is_set(&i->err))
        return RDB_OK;
    return rdb_err_set(err, i->err.code, i->err.sqlstate, "%s", i->err.msg);
}
static void ti_free(lsm_it_t *it)
{
    table_it_t *i = (table_it_t *)it;
    drop_data(i);
    lsm_block_it_destroy(&i->blk);
    lsm_block_it_destroy(&i->ixb);
    lsm_table_unref(i->t);
    rdb_err_clear(&i->err);
    free(i);
}

static const lsm_it_ops_t table_ops = { ti_valid, ti_first, ti_last, ti_seek, ti_next,
                                        ti_prev, ti_key, ti_value, ti_status, ti_free };

lsm_it_t *lsm_table_iter(lsm_table_t *t, bool fill_cache)
{
    table_it_t *i = rdb_calloc(1, sizeof(*i));
    rdb_err_t e = RDB_ERR_INIT;
    i->err = e;
    i->base.ops = &table_ops;
    lsm_table_ref(t);
    i->t = t;
    i->fill = fill_cache;
    lsm_block_it_init(&i->ixb, t->index, t->index_len, t->path, t->index_off);
    i->ix = &i->ixb.base;
    return &i->base;
}
