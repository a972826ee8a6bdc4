/*
 * ring.c — consistent-hash ring with virtual nodes; see ring.h.
 *
 * Invariants: nodes sorted and unique; vn sorted by (token, node) and holds
 * exactly vnodes_per_node entries per member.
 */
#include "cluster/ring.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "common/coding.h"
#include "common/hash.h"
#include "common/mem.h"

void clu_ring_init(clu_ring_t *r, uint32_t vnodes_per_node, uint32_t rf)
{
    memset(r, 0, sizeof *r);
    r->vnodes_per_node = vnodes_per_node ? vnodes_per_node : CLU_RING_DEFAULT_VNODES;
    r->rf = rf ? rf : CLU_RING_DEFAULT_RF;
}

void clu_ring_free(clu_ring_t *r)
{
    free(r->nodes);
    free(r->vn);
    memset(r, 0, sizeof *r);
}

void clu_ring_copy(clu_ring_t *dst, const clu_ring_t *src)
{
    *dst = *src;
    dst->nodes = rdb_malloc((src->nnodes + 1) * sizeof *dst->nodes);
    memcpy(dst->nodes, src->nodes, src->nnodes * sizeof *dst->nodes);
    dst->vn = rdb_malloc((src->nvn + 1) * sizeof *dst->vn);
    memcpy(dst->vn, src->vn, src->nvn * sizeof *dst->vn);
}

uint64_t clu_token(const void *key, size_t len)
{
    return rdb_hash64(key, len, 0);
}

static uint64_t ring_vnode_token(uint16_t node, uint32_t i)
{
    unsigned char b[6];
    rdb_put_u16_be(b, node);
    rdb_put_u32_be(b + 2, i);
    return rdb_hash64(b, sizeof b, CLU_RING_TOKEN_SEED);
}

static int vnode_cmp(const void *a, const void *b)
{
    const clu_vnode_t *x = a, *y = b;
    if (x->token != y->token)
        return x->token < y->token ? -1 : 1;
    return (int)x->node - (int)y->node;
}

static void ring_rebuild(clu_ring_t *r)
{
    free(r->vn);
    r->nvn = r->nnodes * r->vnodes_per_node;
    r->vn = rdb_malloc((r->nvn + 1) * sizeof *r->vn);
    size_t k = 0;
    for (size_t n = 0; n < r->nnodes; n++)
        for (uint32_t i = 0; i < r->vnodes_per_node; i++) {
            r->vn[k].token = ring_vnode_token(r->nodes[n], i);
            r->vn[k].node = r->nodes[n];
            k++;
        }
    qsort(r->vn, r->nvn, sizeof *r->vn, vnode_cmp);
}

bool clu_ring_has(const clu_ring_t *r, uint16_t node)
{
    for (size_t i = 0; i < r->nnodes; i++)
        if (r->nodes[i] == node)
            return true;
    return false;
}

bool clu_ring_add(clu_ring_t *r, uint16_t node, uint64_t version)
{
    if (clu_ring_has(r, node) || r->nnodes >= CLU_RING_MAX_NODES)
        return false;
    r->nodes = rdb_realloc(r->nodes, (r->nnodes + 1) * sizeof *r->nodes);
    size_t i = r->nnodes;
    while (i > 0 && r->nodes[i - 1] > node) {
        r->nodes[i] = r->nodes[i - 1];
        i--;
    }
    r->nodes[i] = node;
    r->nnodes++;
    r->version = version;
    ring_rebuild(r);
    return true;
}

bool clu_ring_remove(clu_ring_t *r, uint16_t node, uint64_t version)
{
    for (size_t i = 0; i < r->nnodes; i++) {
        if (r->nodes[i] != node)
            continue;
        memmove(&r->nodes[i], &r->nodes[i + 1], (r->nnodes - i - 1) * sizeof *r->nodes);
        r->nnodes--;
        r->version = version;
        ring_rebuild(r);
        return true;
    }
    return false;
}

size_t clu_ring_vnode_of(const clu_ring_t *r, uint64_t token)
{
    assert(r->nvn > 0);
    size_t lo = 0, hi = r->nvn;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (r->vn[mid].token < token)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo == r->nvn ? 0 : lo;
}

static bool in_list(const uint16_t *l, size_t n, uint16_t x)
{
    for (size_t i = 0; i < n; i++)
        if (l[i] == x)
            return true;
    return false;
}

size_t clu_ring_replicas(const clu_ring_t *r, uint64_t token, uint16_t *out)
{
    if (r->nvn == 0)
        return 0;
    size_t want = r->rf < r->nnodes ? r->rf : r->nnodes, n = 0;
    size_t v = clu_ring_vnode_of(r, token);
    for (size_t step = 0; step < r->nvn && n < want; step++) {
        uint16_t node = r->vn[(v + step) % r->nvn].node;
        if (!in_list(out, n, node))
            out[n++] = node;
    }
    return n;
}

size_t clu_ring_preference(const clu_ring_t *r, uint64_t token, clu_node_up_fn up,
                           void *ctx, uint16_t *out, uint16_t *down_out, size_t *ndown)
{
    uint16_t natural[CLU_RING_MAX_NODES];
    size_t nn = clu_ring_replicas(r, token, natural), n = 0, nd = 0;
    for (size_t i = 0; i < nn; i++) {
        if (up(natural[i], ctx))
            out[n++] = natural[i];
        else if (down_out)
            down_out[nd++] = natural[i];
    }
    /* Sloppy quorum: stand-ins beyond the natural replicas. */
    if (n < nn) {
        size_t v = clu_ring_vnode_of(r, token);
        for (size_t step = 0; step < r->nvn && n < nn; step++) {
            uint16_t node = r->vn[(v + step) % r->nvn].node;
            if (!in_list(natural, nn, node) && !in_list(out, n, node) && up(node, ctx))
                out[n++] = node;
        }
    }
    if (ndown)
        *ndown = nd;
    return n;
}

void clu_ring_vnode_range(const clu_ring_t *r, size_t i, uint64_t *lo, uint64_t *hi)
{
    assert(i < r->nvn);
    *hi = r->vn[i].token;
    *lo = r->vn[(i + r->nvn - 1) % r->nvn].token;
}

void clu_ring_encode(const clu_ring_t *r, rdb_buf_t *out)
{
    char tmp[RDB_MAX_VARINT64_LEN];
    rdb_buf_append(out, tmp, rdb_encode_varint64(tmp, r->version));
    rdb_buf_append(out, tmp, rdb_encode_varint64(tmp, r->vnodes_per_node));
    rdb_buf_append(out, tmp, rdb_encode_varint64(tmp, r->rf));
    rdb_buf_append(out, tmp, rdb_encode_varint64(tmp, r->nnodes));
    for (size_t i = 0; i < r->nnodes; i++)
        rdb_buf_append(out, tmp, rdb_encode_varint64(tmp, r->nodes[i]));
}

rdb_status_t clu_ring_decode(clu_ring_t *r, const void *data, size_t len, rdb_err_t *err)
{
    const char *p = data, *end = p + len;
    uint64_t version, vnodes, rf, n;
    if (!(p = rdb_decode_varint64(p, end, &version)) ||
        !(p = rdb_decode_varint64(p, end, &vnodes)) ||
        !(p = rdb_decode_varint64(p, end, &rf)) ||
        !(p = rdb_decode_varint64(p, end, &n)))
        goto bad;
    if (vnodes == 0 || vnodes > CLU_RING_MAX_VNODES || rf == 0 || rf > CLU_RING_MAX_NODES ||
        n > CLU_RING_MAX_NODES)
        goto bad;
    clu_ring_init(r, (uint32_t)vnodes, (uint32_t)rf);
    for (uint64_t i = 0; i < n; i++) {
        uint64_t node;
        if (!(p = rdb_decode_varint64(p, end, &node)) || node > UINT16_MAX ||
            !clu_ring_add(r, (uint16_t)node, version)) {
            clu_ring_free(r);
            goto bad;
        }
    }
    r->version = version;
    if (p != end) {
        clu_ring_free(r);
        goto bad;
    }
    return RDB_OK;
bad:
    return rdb_err_set(err, RDB_PROTOCOL, RDB_SQLSTATE_PROTOCOL_VIOLATION,
                       "malformed partition map record (%zu bytes)", len);
}
