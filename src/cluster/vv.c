/*
 * vv.c — version vectors; see vv.h.
 *
 * Invariant per entry: pending is strictly increasing and every element is
 * > contig + 1 (otherwise it would have been folded into contig).
 */
#include "cluster/vv.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "common/coding.h"
#include "common/mem.h"

void clu_vv_init(clu_vv_t *vv)
{
    memset(vv, 0, sizeof *vv);
}

void clu_vv_free(clu_vv_t *vv)
{
    for (size_t i = 0; i < vv->n; i++)
        free(vv->e[i].pending);
    free(vv->e);
    memset(vv, 0, sizeof *vv);
}

static size_t vv_lower(const clu_vv_t *vv, uint16_t node)
{
    size_t lo = 0, hi = vv->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (vv->e[mid].node < node)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static const clu_vv_entry_t *vv_find(const clu_vv_t *vv, uint16_t node)
{
    size_t i = vv_lower(vv, node);
    return i < vv->n && vv->e[i].node == node ? &vv->e[i] : NULL;
}

static clu_vv_entry_t *vv_get(clu_vv_t *vv, uint16_t node)
{
    size_t i = vv_lower(vv, node);
    if (i < vv->n && vv->e[i].node == node)
        return &vv->e[i];
    if (vv->n == vv->cap) {
        vv->cap = vv->cap ? vv->cap * 2 : 8;
        vv->e = rdb_realloc(vv->e, vv->cap * sizeof *vv->e);
    }
    memmove(&vv->e[i + 1], &vv->e[i], (vv->n - i) * sizeof *vv->e);
    memset(&vv->e[i], 0, sizeof vv->e[i]);
    vv->e[i].node = node;
    vv->n++;
    return &vv->e[i];
}

/* Fold pending seqs that now follow contig. */
static void vv_fold(clu_vv_entry_t *e)
{
    size_t k = 0;
    while (k < e->npending && e->pending[k] <= e->contig + 1) {
        if (e->pending[k] == e->contig + 1)
            e->contig++;
        k++;
    }
    if (k) {
        memmove(e->pending, e->pending + k, (e->npending - k) * sizeof *e->pending);
        e->npending -= k;
    }
}

bool clu_vv_apply(clu_vv_t *vv, uint16_t origin, uint64_t seq)
{
    assert(seq > 0);
    clu_vv_entry_t *e = vv_get(vv, origin);
    if (seq <= e->contig)
        return false;
    if (seq == e->contig + 1) {
        e->contig++;
        vv_fold(e);
        return true;
    }
    /* Out of order: insert into the sorted pending set. */
    size_t lo = 0, hi = e->npending;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (e->pending[mid] < seq)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < e->npending && e->pending[lo] == seq)
        return false;
    if (e->npending == e->cappending) {
        e->cappending = e->cappending ? e->cappending * 2 : 8;
        e->pending = rdb_realloc(e->pending, e->cappending * sizeof *e->pending);
    }
    memmove(&e->pending[lo + 1], &e->pending[lo], (e->npending - lo) * sizeof *e->pending);
    e->pending[lo] = seq;
    e->npending++;
    return true;
}

bool clu_vv_has(const clu_vv_t *vv, uint16_t origin, uint64_t seq)
{
    const clu_vv_entry_t *e = vv_find(vv, origin);
    if (!e)
        return false;
    if (seq <= e->contig)
        return true;
    for (size_t i = 0; i < e->npending; i++)
        if (e->pending[i] == seq)
            return true;
    return false;
}

uint64_t clu_vv_contig(const clu_vv_t *vv, uint16_t origin)
{
    const clu_vv_entry_t *e = vv_find(vv, origin);
    return e ? e->contig : 0;
}

void clu_vv_advance(clu_vv_t *vv, uint16_t origin, uint64_t seq)
{
    clu_vv_entry_t *e = vv_get(vv, origin);
    if (seq > e->contig) {
        e->contig = seq;
        vv_fold(e);
    }
}

clu_vv_order_t clu_vv_compare(const clu_vv_t *a, const clu_vv_t *b)
{
    bool a_more = false, b_more = false;
    size_t i = 0, j = 0;
    while (i < a->n || j < b->n) {
        uint64_t av = 0, bv = 0;
        if (j >= b->n || (i < a->n && a->e[i].node < b->e[j].node)) {
            av = a->e[i++].contig;
        } else if (i >= a->n || b->e[j].node < a->e[i].node) {
            bv = b->e[j++].contig;
        } else {
            av = a->e[i++].contig;
            bv = b->e[j++].contig;
        }
        if (av > bv)
            a_more = true;
        else if (bv > av)
            b_more = true;
    }
    if (a_more && b_more)
        return CLU_VV_CONCURRENT;
    if (a_more)
        return CLU_VV_AFTER;
    if (b_more)
        return CLU_VV_BEFORE;
    return CLU_VV_EQUAL;
}

void clu_vv_encode(const clu_vv_t *vv, rdb_buf_t *out)
{
    char tmp[RDB_MAX_VARINT64_LEN];
    rdb_buf_append(out, tmp, rdb_encode_varint64(tmp, vv->n));
    for (size_t i = 0; i < vv->n; i++) {
        rdb_buf_append(out, tmp, rdb_encode_varint64(tmp, vv->e[i].node));
        rdb_buf_append(out, tmp, rdb_encode_varint64(tmp, vv->e[i].contig));
    }
}

rdb_status_t clu_vv_decode(clu_vv_t *vv, const void *data, size_t len, rdb_err_t *err)
{
    const char *p = data, *end = p + len;
    uint64_t n;
    clu_vv_init(vv);
    if (!(p = rdb_decode_varint64(p, end, &n)) || n > 65536)
        goto bad;
    for (uint64_t i = 0; i < n; i++) {
        uint64_t node, contig;
        if (!(p = rdb_decode_varint64(p, end, &node)) || node > UINT16_MAX)
            goto bad;
        if (!(p = rdb_decode_varint64(p, end, &contig)))
            goto bad;
        if (vv->n && vv->e[vv->n - 1].node >= node)
            goto bad; /* must be strictly sorted */
        vv_get(vv, (uint16_t)node)->contig = contig;
    }
    if (p != end)
        goto bad;
    return RDB_OK;
bad:
    clu_vv_free(vv);
    return rdb_err_set(err, RDB_PROTOCOL, RDB_SQLSTATE_PROTOCOL_VIOLATION,
                       "malformed version vector (%zu bytes)", len);
}
