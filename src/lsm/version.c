/* version.c — see version.h. */
#include "lsm/version.h"

#include <stdlib.h>

#include "common/coding.h"
#include "common/mem.h"
#include "lsm/ikey.h"

void lsm_file_unref(lsm_file_t *f)
{
    if (f && atomic_fetch_sub(&f->refs, 1) == 1) {
        if (atomic_load(&f->obsolete) && f->on_obsolete)
            f->on_obsolete(f->ctx, f->number);
        rdb_buf_free(&f->smallest);
        rdb_buf_free(&f->largest);
        free(f);
    }
}

lsm_vers_t *lsm_vers_new(void)
{
    lsm_vers_t *v = rdb_calloc(1, sizeof(*v));
    atomic_init(&v->refs, 1);
    return v;
}
void lsm_vers_ref(lsm_vers_t *v) { atomic_fetch_add(&v->refs, 1); }
void lsm_vers_unref(lsm_vers_t *v)
{
    if (v && atomic_fetch_sub(&v->refs, 1) == 1) {
        for (int l = 0; l < LSM_MAX_LEVELS; l++) {
            for (int i = 0; i < v->nfiles[l]; i++)
                lsm_file_unref(v->files[l][i]);
            free(v->files[l]);
        }
        free(v);
    }
}

void lsm_edit_encode(const lsm_edit_t *e, rdb_buf_t *out)
{
    if (e->has_log) {
        rdb_buf_append_varint32(out, 1);
        rdb_buf_append_varint64(out, e->log_number);
    }
    if (e->has_next) {
        rdb_buf_append_varint32(out, 2);
        rdb_buf_append_varint64(out, e->next_file);
    }
    for (int i = 0; i < e->ndel; i++) {
        rdb_buf_append_varint32(out, 4);
        rdb_buf_append_varint32(out, (uint32_t)e->del[i].level);
        rdb_buf_append_varint64(out, e->del[i].number);
    }
    for (int i = 0; i < e->nadd; i++) {
        lsm_file_t *f = e->add[i].f;
        rdb_buf_append_varint32(out, 3);
        rdb_buf_append_varint32(out, (uint32_t)e->add[i].level);
        rdb_buf_append_varint64(out, f->number);
        rdb_buf_append_varint64(out, f->size);
        rdb_buf_append_lenprefixed(out, f->smallest.data, f->smallest.len);
        rdb_buf_append_lenprefixed(out, f->largest.data, f->largest.len);
    }
}

rdb_status_t lsm_edit_decode(lsm_edit_t *e, const char *p, size_t n, rdb_err_t *err)
{
    const char *end = p + n;
    memset(e, 0, sizeof(*e));
    while (p && p < end) {
        uint32_t tag, level;
        p = rdb_decode_varint32(p, end, &tag);
        if (!p)
            break;
        if (tag == 1) {
            p = rdb_decode_varint64(p, end, &e->log_number);
            e->has_log = true;
        } else if (tag == 2) {
            p = rdb_decode_varint64(p, end, &e->next_file);
            e->has_next = true;
        } else if (tag == 4) {
            uint64_t num;
            p = rdb_decode_varint32(p, end, &level);
            if (p)
                p = rdb_decode_varint64(p, end, &num);
            if (!p || level >= LSM_MAX_LEVELS || e->ndel >= (int)RDB_ARRAY_LEN(e->del)) {
                p = NULL;
                break;
            }
            e->del[e->ndel].level = (int)level;
            e->del[e->ndel++].number = num;
        } else if (tag == 3) {
            uint64_t num, size;
            const char *s, *l;
            uint32_t sn, ln;
            if (!(p = rdb_decode_varint32(p, end, &level)) ||
                !(p = rdb_decode_varint64(p, end, &num)) ||
                !(p = rdb_decode_varint64(p, end, &size)) ||
                !(p = rdb_decode_lenprefixed(p, end, &s, &sn)) ||
                !(p = rdb_decode_lenprefixed(p, end, &l, &ln)) || level >= LSM_MAX_LEVELS ||
                sn < LSM_IKEY_TRAILER || ln < LSM_IKEY_TRAILER ||
                e->nadd >= (int)RDB_ARRAY_LEN(e->add)) {
                p = NULL;
                break;
            }
            lsm_file_t *f = rdb_calloc(1, sizeof(*f));
            atomic_init(&f->refs, 1);
            f->number = num;
            f->size = size;
            rdb_buf_append(&f->smallest, s, sn);
            rdb_buf_append(&f->largest, l, ln);
            e->add[e->nadd].level = (int)level;
            e->add[e->nadd++].f = f;
        } else {
            p = NULL;
        }
    }
    if (!p) {
        for (int i = 0; i < e->nadd; i++)
            lsm_file_unref(e->add[i].f);
        e->nadd = 0;
        return rdb_err_set(err, RDB_CORRUPTION, RDB_SQLSTATE_DATA_CORRUPTED,
                           "malformed version edit");
    }
    return RDB_OK;
}

static int cmp_smallest(const void *a, const void *b)
{
    const lsm_file_t *x = *(lsm_file_t *const *)a, *y = *(lsm_file_t *const *)b;
    return lsm_ikey_cmp(x->smallest.data, x->smallest.len, y->smallest.data, y->smallest.len);
}
static int cmp_newest(const void *a, const void *b)
{
    const lsm_file_t *x = *(lsm_file_t *const *)a, *y = *(lsm_file_t *const *)b;
    return x->number < y->number ? 1 : x->number > y->number ? -1 : 0;
}

lsm_vers_t *lsm_vers_apply(const lsm_vers_t *base, const lsm_edit_t *e)
{
    lsm_vers_t *v = lsm_vers_new();
    for (int l = 0; l < LSM_MAX_LEVELS; l++) {
        int cap = (base ? base->nfiles[l] : 0) + e->nadd;
        v->files[l] = rdb_calloc((size_t)cap + 1, sizeof(lsm_file_t *));
        for (int i = 0; base && i < base->nfiles[l]; i++) {
            lsm_file_t *f = base->files[l][i];
            bool deleted = false;
            for (int d = 0; d < e->ndel; d++)
                if (e->del[d].level == l && e->del[d].number == f->number)
                    deleted = true;
            if (deleted)
                continue;
            atomic_fetch_add(&f->refs, 1);
            v->files[l][v->nfiles[l]++] = f;
        }
        for (int i = 0; i < e->nadd; i++)
            if (e->add[i].level == l) {
                atomic_fetch_add(&e->add[i].f->refs, 1);
                v->files[l][v->nfiles[l]++] = e->add[i].f;
            }
        qsort(v->files[l], (size_t)v->nfiles[l], sizeof(lsm_file_t *),
              l == 0 ? cmp_newest : cmp_smallest);
    }
    return v;
}
