/*
 * merkle.c — Merkle trees over token ranges; see merkle.h.
 *
 * Layout: an implicit binary heap of 2L slots (L = 2^depth leaves); slot 1
 * is the root, slots [L, 2L) the leaves.  Inner nodes are recomputed lazily
 * (dirty flag) when the root or a diff is asked for.
 */
#include "cluster/merkle.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "common/coding.h"
#include "common/hash.h"
#include "common/mem.h"

#define MERKLE_SEED 0x6d65726b6c65ULL

void clu_merkle_init(clu_merkle_t *m, uint64_t lo, uint64_t hi, unsigned depth)
{
    assert(depth <= CLU_MERKLE_MAX_DEPTH);
    size_t leaves = (size_t)1 << depth;
    m->lo = lo;
    m->hi = hi;
    m->depth = depth;
    m->node = rdb_calloc(2 * leaves, sizeof *m->node);
    m->count = rdb_calloc(leaves, sizeof *m->count);
    m->dirty = true;
}

void clu_merkle_free(clu_merkle_t *m)
{
    free(m->node);
    free(m->count);
    memset(m, 0, sizeof *m);
}

/* Width of (lo, hi] as a 65-bit quantity. */
static unsigned __int128 merkle_span(const clu_merkle_t *m)
{
    if (m->lo == m->hi)
        return (unsigned __int128)1 << 64;
    return (uint64_t)(m->hi - m->lo);
}

bool clu_merkle_covers(const clu_merkle_t *m, uint64_t token)
{
    if (m->lo == m->hi)
        return true;
    uint64_t off = token - m->lo; /* wraps */
    return off >= 1 && off <= (uint64_t)(m->hi - m->lo);
}

size_t clu_merkle_leaf_of(const clu_merkle_t *m, uint64_t token)
{
    assert(clu_merkle_covers(m, token));
    unsigned __int128 off = (uint64_t)(token - m->lo - 1);
    return (size_t)((off << m->depth) / merkle_span(m));
}

/* First offset (0-based from lo+1) that maps to leaf i. */
static unsigned __int128 merkle_leaf_start(const clu_merkle_t *m, size_t i)
{
    unsigned __int128 span = merkle_span(m);
    /* smallest off with off * L / span >= i  ->  ceil(i * span / L) */
    unsigned __int128 num = (unsigned __int128)i * span;
    unsigned __int128 l = (unsigned __int128)1 << m->depth;
    return (num + l - 1) >> m->depth;
}

clu_token_range_t clu_merkle_leaf_range(const clu_merkle_t *m, size_t i)
{
    size_t leaves = (size_t)1 << m->depth;
    assert(i < leaves);
    clu_token_range_t r;
    /* Leaf i holds offsets [start(i), start(i+1)), tokens lo+1+off. */
    r.lo = m->lo + (uint64_t)merkle_leaf_start(m, i);
    r.hi = i + 1 == leaves ? m->hi : m->lo + (uint64_t)merkle_leaf_start(m, i + 1);
    return r;
}

static uint64_t merkle_entry_hash(const void *key, size_t klen, lsm_version_t v, bool tomb)
{
    unsigned char tail[11];
    rdb_put_u64_be(tail, v.hlc);
    rdb_put_u16_be(tail + 8, v.node_id);
    tail[10] = tomb ? 1 : 0;
    uint64_t h = rdb_hash64(key, klen, MERKLE_SEED);
    return rdb_hash64(tail, sizeof tail, h) ^ rdb_hash_u64(klen);
}

void clu_merkle_add(clu_merkle_t *m, uint64_t token, const void *key, size_t klen,
                    lsm_version_t v, bool tombstone)
{
    size_t leaf = clu_merkle_leaf_of(m, token);
    m->node[((size_t)1 << m->depth) + leaf] += merkle_entry_hash(key, klen, v, tombstone);
    m->count[leaf]++;
    m->dirty = true;
}

void clu_merkle_remove(clu_merkle_t *m, uint64_t token, const void *key, size_t klen,
                       lsm_version_t v, bool tombstone)
{
    size_t leaf = clu_merkle_leaf_of(m, token);
    m->node[((size_t)1 << m->depth) + leaf] -= merkle_entry_hash(key, klen, v, tombstone);
    m->count[leaf]--;
    m->dirty = true;
}

static void merkle_rebuild(clu_merkle_t *m)
{
    if (!m->dirty)
        return;
    for (size_t i = ((size_t)1 << m->depth) - 1; i >= 1; i--) {
        uint64_t pair[2] = { m->node[2 * i], m->node[2 * i + 1] };
        m->node[i] = rdb_hash64(pair, sizeof pair, MERKLE_SEED);
    }
    m->dirty = false;
}

uint64_t clu_merkle_root(clu_merkle_t *m)
{
    merkle_rebuild(m);
    return m->node[1];
}

typedef struct diff_out {
    clu_token_range_t *r;
    size_t             n, cap;
} diff_out_t;

static void diff_emit(diff_out_t *o, clu_token_range_t r)
{
    if (o->n && o->r[o->n - 1].hi == r.lo) {
        o->r[o->n - 1].hi = r.hi;
        return;
    }
    if (o->n == o->cap) {
        o->cap = o->cap ? o->cap * 2 : 8;
        o->r = rdb_realloc(o->r, o->cap * sizeof *o->r);
    }
    o->r[o->n++] = r;
}

static void diff_walk(const clu_merkle_t *a, const clu_merkle_t *b, size_t i, diff_out_t *o)
{
    size_t leaves = (size_t)1 << a->depth;
    if (a->node[i] == b->node[i])
        return;
    if (i >= leaves) {
        diff_emit(o, clu_merkle_leaf_range(a, i - leaves));
        return;
    }
    diff_walk(a, b, 2 * i, o);
    diff_walk(a, b, 2 * i + 1, o);
}

rdb_status_t clu_merkle_diff(clu_merkle_t *a, clu_merkle_t *b, clu_token_range_t **out,
                             size_t *n, rdb_err_t *err)
{
    *out = NULL;
    *n = 0;
    if (a->lo != b->lo || a->hi != b->hi || a->depth != b->depth)
        return rdb_err_set(err, RDB_INVALID, RDB_SQLSTATE_INVALID_PARAMETER,
                           "merkle trees of different shape cannot be compared");
    merkle_rebuild(a);
    merkle_rebuild(b);
    diff_out_t o = { NULL, 0, 0 };
    diff_walk(a, b, 1, &o);
    *out = o.r;
    *n = o.n;
    return RDB_OK;
}

void clu_merkle_encode(const clu_merkle_t *m, rdb_buf_t *out)
{
    char tmp[RDB_MAX_VARINT64_LEN];
    size_t leaves = (size_t)1 << m->depth;
    rdb_buf_append(out, tmp, rdb_encode_varint64(tmp, m->lo));
    rdb_buf_append(out, tmp, rdb_encode_varint64(tmp, m->hi));
    rdb_buf_append(out, tmp, rdb_encode_varint64(tmp, m->depth));
    for (size_t i = 0; i < leaves; i++) {
        rdb_buf_append(out, tmp, rdb_encode_varint64(tmp, m->node[leaves + i]));
        rdb_buf_append(out, tmp, rdb_encode_varint64(tmp, m->count[i]));
    }
}

rdb_status_t clu_merkle_decode(clu_merkle_t *m, const void *data, size_t len, rdb_err_t *err)
{
    const char *p = data, *end = p + len;
    uint64_t lo, hi, depth;
    if (!(p = rdb_decode_varint64(p, end, &lo)) || !(p = rdb_decode_varint64(p, end, &hi)) ||
        !(p = rdb_decode_varint64(p, end, &depth)) || depth > CLU_MERKLE_MAX_DEPTH)
        goto bad;
    clu_merkle_init(m, lo, hi, (unsigned)depth);
    size_t leaves = (size_t)1 << depth;
    for (size_t i = 0; i < leaves; i++) {
        if (!(p = rdb_decode_varint64(p, end, &m->node[leaves + i])) ||
            !(p = rdb_decode_varint64(p, end, &m->count[i]))) {
            clu_merkle_free(m);
            goto bad;
        }
    }
    if (p != end) {
        clu_merkle_free(m);
        goto bad;
    }
    m->dirty = true;
    return RDB_OK;
bad:
    return rdb_err_set(err, RDB_PROTOCOL, RDB_SQLSTATE_PROTOCOL_VIOLATION,
                       "malformed merkle tree (%zu bytes)", len);
}
