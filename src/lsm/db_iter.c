/* db_iter.c — lsm_iter: the user-facing iterator at a snapshot, over a
 * merge of the memtables and every table of a pinned version.
 *
 * Default mode yields, per user key, the newest version <= snapshot and
 * skips keys whose visible version is a tombstone.  Raw mode yields every
 * version <= snapshot, tombstones included.  Bounds apply to user keys. */
#include <stdlib.h>

#include "common/mem.h"
#include "lsm/db_impl.h"
#include "lsm/ikey.h"

struct lsm_iter {
    lsm_it_t *m;
    lsm_vers_t *v;
    uint64_t snap;
    bool raw;
    rdb_buf_t lo, hi;
    bool has_lo, has_hi;
    bool valid;
    bool fwd;   /* the merge sits on the current entry (last move forward) */
    /* current entry, copied (prev needs to step past it); the value only
     * when the merge has moved off it (fwd false): while fwd, the merge
     * still sits on the entry and lsm_iter_value reads it there */
    rdb_buf_t key;  /* user key */
    rdb_buf_t val;
    lsm_version_t ver;
    bool tomb;
    rdb_buf_t seek;
    rdb_err_t err;
};

/* Can keys of [smallest, largest] (ikeys) fall within ro's bounds?  The
 * iterator never shows a key outside them (seeks clamp to the lower bound,
 * both directions stop at the bounds), so a table that cannot is left out
 * of the merge instead of being compared at every step. */
static bool in_bounds(const rdb_buf_t *smallest, const rdb_buf_t *largest,
                      const lsm_read_options_t *ro)
{
    if (ro->lower_bound && largest->len >= LSM_IKEY_TRAILER &&
        lsm_ukey_cmp(largest->data, largest->len - LSM_IKEY_TRAILER, ro->lower_bound, ro->lower_len) < 0)
        return false;
    if (ro->upper_bound && smallest->len >= LSM_IKEY_TRAILER &&
        lsm_ukey_cmp(smallest->data, smallest->len - LSM_IKEY_TRAILER, ro->upper_bound, ro->upper_len) >= 0)
        return false;
    return true;
}

lsm_iter_t *lsm_iter_new(lsm_db_t *db, const lsm_read_options_t *ro)
{
    lsm_read_options_t def;
    if (!ro) {
        lsm_read_options_default(&def);
        ro = &def;
    }
    lsm_iter_t *it = rdb_calloc(1, sizeof(*it));
    rdb_err_t e0 = RDB_ERR_INIT;
    it->err = e0;
    lsm_mem_t *mem, *imm;
    lsm_db_pin(db, &mem, &imm, &it->v);
    int n = 2 + LSM_MAX_LEVELS + it->v->nfiles[0];
    lsm_it_t **kids = rdb_calloc((size_t)n, sizeof(*kids));
    int k = 0;
    kids[k++] = lsm_mem_iter(mem);
    lsm_mem_unref(mem);
    if (imm) {
        kids[k++] = lsm_mem_iter(imm);
        lsm_mem_unref(imm);
    }
    /* L0 files overlap: one child each; a deeper level is one child */
    for (int i = 0; i < it->v->nfiles[0]; i++) {
        const lsm_file_t *f = it->v->files[0][i];
        if (in_bounds(&f->smallest, &f->largest, ro))
            kids[k++] = lsm_tcache_iter(db->tcache, f->number, ro->fill_cache);
    }
    for (int l = 1; l < LSM_MAX_LEVELS; l++) {
        int nf = it->v->nfiles[l];
        /* a level's files are sorted and disjoint: its first and last bound it */
        if (nf && in_bounds(&it->v->files[l][0]->smallest, &it->v->files[l][nf - 1]->largest, ro))
            kids[k++] = lsm_level_iter_new(db->tcache, it->v->files[l], nf, ro->fill_cache);
    }
    it->m = lsm_merge_iter_new(kids, k);
    it->snap = ro->snapshot;
    it->raw = ro->raw;
    if (ro->lower_bound) {
        it->has_lo = true;
        rdb_buf_append(&it->lo, ro->lower_bound, ro->lower_len);
    }
    if (ro->upper_bound) {
        it->has_hi = true;
        rdb_buf_append(&it->hi, ro->upper_bound, ro->upper_len);
    }
    return it;
}

void lsm_iter_free(lsm_iter_t *it)
{
    if (!it)
        return;
    it->m->ops->free(it->m);
    lsm_vers_unref(it->v);
    rdb_buf_free(&it->lo);
    rdb_buf_free(&it->hi);
    rdb_buf_free(&it->key);
    rdb_buf_free(&it->val);
    rdb_buf_free(&it->seek);
    rdb_err_clear(&it->err);
    free(it);
}

static bool m_ok(lsm_iter_t *it)
{
    if (it->m->ops->valid(it->m))
        return true;
    if (!rdb_err_is_set(&it->err))
        it->m->ops->status(it->m, &it->err);
    return false;
}

static void take(lsm_iter_t *it, const char *k, size_t kn)
{
    rdb_buf_reset(&it->key);
    rdb_buf_append(&it->key, k, kn - LSM_IKEY_TRAILER);
    rdb_buf_reset(&it->val);
    if (!it->fwd) {
        size_t vn;
        const char *v = it->m->ops->value(it->m, &vn);
        rdb_buf_append(&it->val, v, vn);
    }
    it->ver = lsm_ikey_version(k, kn);
    it->tomb = lsm_ikey_kind(k, kn) == LSM_KIND_DELETE;
    it->valid = true;
}

/* Forward from the merge position: the first entry to show. */
static void settle_fwd(lsm_iter_t *it)
{
    it->valid = false;
    it->fwd = true;
    while (m_ok(it)) {
        size_t kn;
        const char *k = it->m->ops->key(it->m, &kn);
        size_t ukl = kn - LSM_IKEY_TRAILER;
        if (it->has_hi && lsm_ukey_cmp(k, ukl, it->hi.data, it->hi.len) >= 0)
            return;
        lsm_version_t v = lsm_ikey_version(k, kn);
        if (v.hlc > it->snap) {
            it->m->ops->next(it->m);
            continue;
        }
        if (it->raw) {
            take(it, k, kn);
            return;
        }
        take(it, k, kn);
        if (!it->tomb)
            return;
        /* tombstone: skip every older version of this key */
        it->valid = false;
        rdb_buf_reset(&it->seek);
        rdb_buf_reserve(&it->seek, it->key.len + LSM_IKEY_TRAILER);
        it->seek.len = lsm_ikey_seek(it->seek.data, it->key.data, it->key.len, 0);
        it->m->ops->seek(it->m, it->seek.data, it->seek.len);
        while (m_ok(it)) {
            k = it->m->ops->key(it->m, &kn);
            if (lsm_ukey_cmp(k, kn - LSM_IKEY_TRAILER, it->key.data, it->key.len) != 0)
                break;
            it->m->ops->next(it->m);
        }
    }
}

/* Backward from the merge position: the last entry to show. */
static void settle_back(lsm_iter_t *it)
{
    it->valid = false;
    it->fwd = false;
    if (it->raw) {
        while (m_ok(it)) {
            size_t kn;
            const char *k = it->m->ops->key(it->m, &kn);
            if (it->has_lo &&
                lsm_ukey_cmp(k, kn - LSM_IKEY_TRAILER, it->lo.data, it->lo.len) < 0)
                return;
            if (lsm_ikey_version(k, kn).hlc <= it->snap) {
                take(it, k, kn);
                return;
            }
            it->m->ops->prev(it->m);
        }
        return;
    }
    /* Walking backwards, versions of a key come oldest first: the last one
     * <= snapshot before the key changes is the visible one. */
    bool have = false;
    while (m_ok(it)) {
        size_t kn;
        const char *k = it->m->ops->key(it->m, &kn);
        size_t ukl = kn - LSM_IKEY_TRAILER;
        if (have && lsm_ukey_cmp(k, ukl, it->key.data, it->key.len) != 0) {
            if (!it->tomb) {
                it->valid = true;
                return;
            }
            have = false;
        }
        if (it->has_lo && lsm_ukey_cmp(k, ukl, it->lo.data, it->lo.len) < 0)
            break;
        if (lsm_ikey_version(k, kn).hlc <= it->snap) {
            take(it, k, kn);
            have = true;
        }
        it->m->ops->prev(it->m);
    }
    it->valid = have && !it->tomb;
}

void lsm_iter_seek_first(lsm_iter_t *it)
{
    if (it->has_lo) {
        lsm_iter_seek(it, it->lo.data, it->lo.len);
        return;
    }
    it->m->ops->seek_first(it->m);
    settle_fwd(it);
}

void lsm_iter_seek(lsm_iter_t *it, const void *key, size_t klen)
{
    if (it->has_lo && lsm_ukey_cmp(key, klen, it->lo.data, it->lo.len) < 0) {
        key = it->lo.data;
        klen = it->lo.len;
    }
    rdb_buf_reset(&it->seek);
    rdb_buf_reserve(&it->seek, klen + LSM_IKEY_TRAILER);
    it->seek.len = lsm_ikey_seek(it->seek.data, key, klen, LSM_SNAPSHOT_LATEST);
    it->m->ops->seek(it->m, it->seek.data, it->seek.len);
    settle_fwd(it);
}

void lsm_iter_seek_last(lsm_iter_t *it)
{
    if (it->has_hi) {
        rdb_buf_t s = RDB_BUF_INIT;
        rdb_buf_reserve(&s, it->hi.len + LSM_IKEY_TRAILER);
        s.len = lsm_ikey_seek(s.data, it->hi.data, it->hi.len, LSM_SNAPSHOT_LATEST);
        it->m->ops->seek(it->m, s.data, s.len);
        rdb_buf_free(&s);
        if (m_ok(it))
            it->m->ops->prev(it->m);
        else
            it->m->ops->seek_last(it->m);
    } else {
        it->m->ops->seek_last(it->m);
    }
    settle_back(it);
}

void lsm_iter_seek_for_prev(lsm_iter_t *it, const void *key, size_t klen)
{
    /* position on the last internal key whose user key <= key: seek past
     * every version of key (the all-0xff trailer sorts after them all) */
    rdb_buf_reset(&it->seek);
    rdb_buf_reserve(&it->seek, klen + LSM_IKEY_TRAILER);
    memcpy(it->seek.data, key, klen);
    memset(it->seek.data + klen, 0xff, LSM_IKEY_TRAILER);
    it->seek.len = klen + LSM_IKEY_TRAILER;
    it->m->ops->seek(it->m, it->seek.data, it->seek.len);
    if (m_ok(it))
        it->m->ops->prev(it->m);
    else if (!rdb_err_is_set(&it->err))
        it->m->ops->seek_last(it->m);
    if (it->has_hi) {
        /* the upper bound is exclusive: step back below it */
        while (m_ok(it)) {
            size_t kn;
            const char *k = it->m->ops->key(it->m, &kn);
            if (lsm_ukey_cmp(k, kn - LSM_IKEY_TRAILER, it->hi.data, it->hi.len) < 0)
                break;
            it->m->ops->prev(it->m);
        }
    }
    settle_back(it);
}

void lsm_iter_next(lsm_iter_t *it)
{
    if (!it->valid)
        return;
    if (it->fwd) {
        /* the merge is on the current entry: step past it (and, in the
         * default mode, past the older versions of its key) */
        it->m->ops->next(it->m);
        while (!it->raw && m_ok(it)) {
            size_t kn;
            const char *k = it->m->ops->key(it->m, &kn);
            if (lsm_ukey_cmp(k, kn - LSM_IKEY_TRAILER, it->key.data, it->key.len) != 0)
                break;
            it->m->ops->next(it->m);
        }
        settle_fwd(it);
        return;
    }
    /* position after the current entry */
    rdb_buf_reset(&it->seek);
    rdb_buf_reserve(&it->seek, it->key.len + LSM_IKEY_TRAILER);
    memcpy(it->seek.data, it->key.data, it->key.len);
    if (it->raw) {
        lsm_ikey_trailer(it->seek.data + it->key.len, it->ver,
                         it->tomb ? LSM_KIND_DELETE : LSM_KIND_PUT);
        it->seek.len = it->key.len + LSM_IKEY_TRAILER;
        it->m->ops->seek(it->m, it->seek.data, it->seek.len);
        if (m_ok(it))
            it->m->ops->next(it->m);
    } else {
        memset(it->seek.data + it->key.len, 0xff, LSM_IKEY_TRAILER);
        it->seek.len = it->key.len + LSM_IKEY_TRAILER;
        it->m->ops->seek(it->m, it->seek.data, it->seek.len);
        while (m_ok(it)) { /* the all-0xff trailer is a real (version 0) key */
            size_t kn;
            const char *k = it->m->ops->key(it->m, &kn);
            if (lsm_ukey_cmp(k, kn - LSM_IKEY_TRAILER, it->key.data, it->key.len) != 0)
                break;
            it->m->ops->next(it->m);
        }
    }
    settle_fwd(it);
}

void lsm_iter_prev(lsm_iter_t *it)
{
    if (!it->valid)
        return;
    rdb_buf_reset(&it->seek);
    rdb_buf_reserve(&it->seek, it->key.len + LSM_IKEY_TRAILER);
    memcpy(it->seek.data, it->key.data, it->key.len);
    if (it->raw)
        lsm_ikey_trailer(it->seek.data + it->key.len, it->ver,
                         it->tomb ? LSM_KIND_DELETE : LSM_KIND_PUT);
    else
        memset(it->seek.data + it->key.len, 0, LSM_IKEY_TRAILER);
    it->seek.len = it->key.len + LSM_IKEY_TRAILER;
    /* first entry >= seek, then step back to the last entry < seek */
    it->m->ops->seek(it->m, it->seek.data, it->seek.len);
    if (m_ok(it))
        it->m->ops->prev(it->m);
    else if (!rdb_err_is_set(&it->err))
        it->m->ops->seek_last(it->m);
    settle_back(it);
}

bool lsm_iter_valid(const lsm_iter_t *it) { return it->valid; }
const char *lsm_iter_key(const lsm_iter_t *it, size_t *klen)
{
    *klen = it->key.len;
    return it->key.data ? it->key.data : "";
}
const char *lsm_iter_value(const lsm_iter_t *it, size_t *vlen)
{
    if (it->valid && it->fwd)
        return it->m->ops->value(it->m, vlen);
    *vlen = it->val.len;
    return it->val.data ? it->val.data : "";
}
lsm_version_t lsm_iter_version(const lsm_iter_t *it) { return it->ver; }
bool lsm_iter_is_tombstone(const lsm_iter_t *it) { return it->tomb; }
rdb_status_t lsm_iter_status(const lsm_iter_t *it, rdb_err_t *err)
{
    if (!rdb_err_is_set(&it->err))
        return RDB_OK;
    return rdb_err_set(err, it->err.code, it->err.sqlstate, "%s", it->err.msg);
}
