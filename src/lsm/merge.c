/* merge.c — merging iterator over internal iterators (iter.h), forward and
 * backward; on a change of direction every other child is re-positioned
 * around the current key, as LevelDB's MergingIterator does. */
#include <stdlib.h>

#include "common/mem.h"
#include "lsm/ikey.h"
#include "lsm/iter.h"

typedef struct merge_it {
    lsm_it_t base;
    lsm_it_t **c;
    int n;
    int cur;      /* index of current child or -1 */
    bool forward;
    bool failed;  /* a child is invalid with an error */
    /* each child's key while it is valid (NULL when not): a child's key
     * stays put until that child moves, so choosing the next entry after a
     * step compares these without calling into the children that did not
     * move */
    const char **k;
    size_t *kn;
    rdb_buf_t tmp;
} merge_it_t;

/* Note child i's position after it moved. */
static void refresh(merge_it_t *m, int i)
{
    lsm_it_t *c = m->c[i];
    if (c->ops->valid(c)) {
        m->k[i] = c->ops->key(c, &m->kn[i]);
        return;
    }
    m->k[i] = NULL;
    /* a child that failed ends the merge: skipping its keys would serve a
     * partial view as if it were whole */
    if (c->ops->status(c, NULL) != RDB_OK)
        m->failed = true;
}

static void refresh_all(merge_it_t *m)
{
    m->failed = false;
    for (int i = 0; i < m->n; i++)
        refresh(m, i);
}

static void pick_min(merge_it_t *m)
{
    int best = -1;
    if (!m->failed)
        for (int i = 0; i < m->n; i++)
            if (m->k[i] && (best < 0 || lsm_ikey_cmp(m->k[i], m->kn[i], m->k[best], m->kn[best]) < 0))
                best = i;
    m->cur = best;
}

static void pick_max(merge_it_t *m)
{
    int best = -1;
    if (!m->failed)
        for (int i = m->n - 1; i >= 0; i--)
            if (m->k[i] && (best < 0 || lsm_ikey_cmp(m->k[i], m->kn[i], m->k[best], m->kn[best]) > 0))
                best = i;
    m->cur = best;
}

static bool m_valid(lsm_it_t *it) { return ((merge_it_t *)it)->cur >= 0; }
static void m_first(lsm_it_t *it)
{
    merge_it_t *m = (merge_it_t *)it;
    for (int i = 0; i < m->n; i++)
        m->c[i]->ops->seek_first(m->c[i]);
    refresh_all(m);
    m->forward = true;
    pick_min(m);
}
static void m_last(lsm_it_t *it)
{
    merge_it_t *m = (merge_it_t *)it;
    for (int i = 0; i < m->n; i++)
        m->c[i]->ops->seek_last(m->c[i]);
    refresh_all(m);
    m->forward = false;
    pick_max(m);
}
static void m_seek(lsm_it_t *it, const char *k, size_t n)
{
    merge_it_t *m = (merge_it_t *)it;
    for (int i = 0; i < m->n; i++)
        m->c[i]->ops->seek(m->c[i], k, n);
    refresh_all(m);
    m->forward = true;
    pick_min(m);
}
static void m_next(lsm_it_t *it)
{
    merge_it_t *m = (merge_it_t *)it;
    lsm_it_t *cur = m->c[m->cur];
    if (!m->forward) {
        rdb_buf_reset(&m->tmp);
        rdb_buf_append(&m->tmp, m->k[m->cur], m->kn[m->cur]);
        for (int i = 0; i < m->n; i++) {
            if (i == m->cur)
                continue;
            lsm_it_t *c = m->c[i];
            size_t kn;
            c->ops->seek(c, m->tmp.data, m->tmp.len);
            if (c->ops->valid(c)) {
                const char *ck = c->ops->key(c, &kn);
                if (lsm_ikey_cmp(ck, kn, m->tmp.data, m->tmp.len) == 0)
                    c->ops->next(c);
            }
            refresh(m, i);
        }
        m->forward = true;
    }
    cur->ops->next(cur);
    refresh(m, m->cur);
    pick_min(m);
}
static void m_prev(lsm_it_t *it)
{
    merge_it_t *m = (merge_it_t *)it;
    lsm_it_t *cur = m->c[m->cur];
    if (m->forward) {
        rdb_buf_reset(&m->tmp);
        rdb_buf_append(&m->tmp, m->k[m->cur], m->kn[m->cur]);
        for (int i = 0; i < m->n; i++) {
            if (i == m->cur)
                continue;
            lsm_it_t *c = m->c[i];
            c->ops->seek(c, m->tmp.data, m->tmp.len);
            if (c->ops->valid(c))
                c->ops->prev(c);
            else
                c->ops->seek_last(c);
            refresh(m, i);
        }
        m->forward = false;
    }
    cur->ops->prev(cur);
    refresh(m, m->cur);
    pick_max(m);
}
static const char *m_key(lsm_it_t *it, size_t *n)
{
    merge_it_t *m = (merge_it_t *)it;
    *n = m->kn[m->cur];
    return m->k[m->cur];
}
static const char *m_value(lsm_it_t *it, size_t *n)
{
    merge_it_t *m = (merge_it_t *)it;
    return m->c[m->cur]->ops->value(m->c[m->cur], n);
}
static rdb_status_t m_status(lsm_it_t *it, rdb_err_t *err)
{
    merge_it_t *m = (merge_it_t *)it;
    for (int i = 0; i < m->n; i++) {
        rdb_status_t s = m->c[i]->ops->status(m->c[i], err);
        if (s != RDB_OK)
            return s;
    }
    return RDB_OK;
}
static void m_free(lsm_it_t *it)
{
    merge_it_t *m = (merge_it_t *)it;
    for (int i = 0; i < m->n; i++)
        m->c[i]->ops->free(m->c[i]);
    free(m->c);
    free(m->k);
    free(m->kn);
    rdb_buf_free(&m->tmp);
    free(m);
}

static const lsm_it_ops_t merge_ops = { m_valid, m_first, m_last, m_seek, m_next,
                                        m_prev, m_key, m_value, m_status, m_free };

lsm_it_t *lsm_merge_iter_new(lsm_it_t **children, int n)
{
    merge_it_t *m = rdb_calloc(1, sizeof(*m));
    m->base.ops = &merge_ops;
    m->c = children;
    m->n = n;
    m->cur = -1;
    m->forward = true;
    m->k = rdb_calloc(n ? (size_t)n : 1, sizeof(*m->k));
    m->kn = rdb_calloc(n ? (size_t)n : 1, sizeof(*m->kn));
    return &m->base;
}
