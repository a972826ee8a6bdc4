/*
 * mergejoin.c — merge join (mergejoin.h).
 *
 * States: M_NEXT compares the current outer and inner rows and moves the
 * side with the smaller key (emitting it unmatched where the join type
 * keeps it); on equal keys it reads the inner group of that key into the
 * store and goes to M_GROUP, which joins the outer row with each group
 * row; M_NEXTL moves to the next outer row and restores the group when
 * its key is the same; M_GROUPLEFT emits the group's unmatched rows
 * (RIGHT, FULL); M_RTAIL the inner rows left after the outer side ended.
 * A row handed out stays valid until the next call, so a side whose row
 * was emitted moves at the start of the next call (ladv / radv).  SEMI
 * and ANTI joins hand out the outer row itself (semi_next).
 */
#include <stdlib.h>
#include <string.h>

#include "exec/mergejoin.h"
#include "common/mem.h"
#include "exec/tstore.h"

enum { M_START, M_NEXT, M_GROUP, M_NEXTL, M_GROUPLEFT, M_RTAIL, M_DONE };

struct ex_mjoin {
    ex_run_t     *r;
    const plan_t *p;
    ex_node_t    *lc, *rc;
    sql_value_t  *out;
    int           wl, wr, nk;
    bool          keep_left, keep_right;
    bool          semi, anti;       /* J_SEMI, J_ANTI: the outer row alone (semi_next) */
    int           state;
    bool          ladv, radv;       /* move that side first */
    /* the current outer row and its keys */
    const sql_value_t *lrow;
    sql_value_t  *lkey;
    bool          lnull, lmatched;
    rdb_arena_t   lka;
    /* the current inner row (NULL: the inner side ended) and its keys */
    const sql_value_t *rrow;
    sql_value_t  *rkey;
    bool          rnull;
    rdb_arena_t   rka;
    /* the group: inner rows of key gkey */
    ex_tstore_t  *grp;
    sql_value_t  *gkey;
    rdb_arena_t   gka;
    int64_t       ngrp;
    uint8_t      *gbits;            /* RIGHT, FULL: matched group rows */
    size_t        gbits_cap;        /* bytes */
    rdb_arena_t   ra;               /* per joined row (the join filter) */
    int64_t       tick;
};

static const sql_value_t *emit(ex_mjoin_t *m, const sql_value_t *l, const sql_value_t *rr)
{
    for (int i = 0; i < m->wl; i++)
        m->out[i] = l ? l[i] : sql_null();
    for (int i = 0; i < m->wr; i++)
        m->out[m->wl + i] = rr ? rr[i] : sql_null();
    return m->out;
}

/* The keys of row (keys over it) into key, in a; *hasnull: one is NULL. */
static rdb_status_t eval_keys(ex_mjoin_t *m, ex_expr_t **keys, const sql_value_t *row, rdb_arena_t *a,
                              sql_value_t *key, bool *hasnull)
{
    rdb_arena_reset(a);
    *hasnull = false;
    for (int i = 0; i < m->nk; i++) {
        if (ex_eval(m->r, keys[i], row, a, &key[i]) != RDB_OK)
            return RDB_SQL;
        *hasnull |= key[i].isnull;
    }
    return RDB_OK;
}

static int key_cmp(const ex_mjoin_t *m, const sql_value_t *a, const sql_value_t *b)
{
    for (int i = 0; i < m->nk; i++) {
        int c = sql_value_cmp(m->p->keytypes[i], &a[i], &b[i]);
        if (c)
            return c;
    }
    return 0;
}

static rdb_status_t every_so_often(ex_mjoin_t *m)
{
    return (++m->tick & 1023) == 0 ? ex_check(m->r) : RDB_OK;
}

/* Move to the next outer row (lrow NULL at the end). */
static rdb_status_t adv_left(ex_mjoin_t *m)
{
    m->ladv = false;
    m->lrow = ex_next(m->lc);
    if (!m->lrow)
        return rdb_err_is_set(m->r->err) ? RDB_SQL : RDB_OK;
    if (every_so_often(m) != RDB_OK)
        return RDB_SQL;
    return eval_keys(m, m->p->lkeys, m->lrow, &m->lka, m->lkey, &m->lnull);
}

static rdb_status_t adv_right(ex_mjoin_t *m)
{
    m->radv = false;
    m->rrow = ex_next(m->rc);
    if (!m->rrow)
        return rdb_err_is_set(m->r->err) ? RDB_SQL : RDB_OK;
    if (every_so_often(m) != RDB_OK)
        return RDB_SQL;
    return eval_keys(m, m->p->rkeys, m->rrow, &m->rka, m->rkey, &m->rnull);
}

static bool bit_get(const uint8_t *b, int64_t i)
{
    return (b[i >> 3] >> (i & 7)) & 1;
}

/* Read the inner rows of the current inner row's key into the group. */
static rdb_status_t load_group(ex_mjoin_t *m)
{
    ex_tstore_clear(m->grp);
    rdb_arena_reset(&m->gka);
    for (int i = 0; i < m->nk; i++)
        m->gkey[i] = sql_value_copy(&m->gka, m->p->keytypes[i], m->rkey[i]);
    m->ngrp = 0;
    do {
        if (ex_tstore_put(m->grp, m->rrow) != RDB_OK)
            return RDB_SQL;
        m->ngrp++;
        if (adv_right(m) != RDB_OK)
            return RDB_SQL;
    } while (m->rrow && !m->rnull && key_cmp(m, m->rkey, m->gkey) == 0);
    if (m->keep_right) {
        size_t need = (size_t)(m->ngrp / 8 + 1);
        if (need > m->gbits_cap) {
            free(m->gbits);
            m->gbits_cap = need * 2;
            m->gbits = rdb_malloc(m->gbits_cap);
        }
        memset(m->gbits, 0, need);
    }
    return ex_tstore_rewind(m->grp);
}

/* SEMI / ANTI (no join filter: a key match decides, plan_merge.c): the
 * outer row goes out, once, when the inner side has its key (SEMI) or
 * has not (ANTI).  The inner side only moves forward: past rows whose key
 * is smaller than the outer row's or has a NULL (they match no later
 * outer row either); an outer row with a NULL key matches nothing. */
static const sql_value_t *semi_next(ex_mjoin_t *m)
{
    if (m->state == M_DONE)
        return NULL;
    if (m->state == M_START) {
        if (adv_right(m) != RDB_OK)
            return NULL;
        m->state = M_NEXT;
        m->ladv = true;
    }
    for (;;) {
        if (m->ladv && adv_left(m) != RDB_OK)
            return NULL;
        m->ladv = true;
        if (!m->lrow) {
            m->state = M_DONE;
            return NULL;
        }
        int c = 1;
        if (!m->lnull)
            while (m->rrow && (m->rnull || (c = key_cmp(m, m->lkey, m->rkey)) > 0))
                if (adv_right(m) != RDB_OK)
                    return NULL;
        bool match = !m->lnull && m->rrow && c == 0;
        if (match == m->semi)
            return m->lrow;
    }
}

const sql_value_t *ex_mjoin_next(ex_mjoin_t *m)
{
    ex_run_t *r = m->r;
    if (m->semi || m->anti)
        return semi_next(m);
    for (;;) {
        switch (m->state) {
        case M_START:
            if (adv_left(m) != RDB_OK || adv_right(m) != RDB_OK)
                return NULL;
            m->state = M_NEXT;
            continue;
        case M_NEXT: {
            if ((m->ladv && adv_left(m) != RDB_OK) || (m->radv && adv_right(m) != RDB_OK))
                return NULL;
            if (!m->lrow) {
                m->state = m->keep_right && m->rrow ? M_RTAIL : M_DONE;
                continue;
            }
            if (m->lnull || !m->rrow) {
                if (!m->rrow && !m->keep_left) {
                    m->state = M_DONE;
                    continue;
                }
                m->ladv = true;
                if (m->keep_left)
                    return emit(m, m->lrow, NULL);
                continue;
            }
            int c = m->rnull ? 1 : key_cmp(m, m->lkey, m->rkey);
            if (c < 0) {
                m->ladv = true;
                if (m->keep_left)
                    return emit(m, m->lrow, NULL);
                continue;
            }
            if (c > 0) {
                m->radv = true;
                if (m->keep_right)
                    return emit(m, NULL, m->rrow);
                continue;
            }
            if (load_group(m) != RDB_OK)
                return NULL;
            m->lmatched = false;
            m->state = M_GROUP;
            continue;
        }
        case M_GROUP: {
            int64_t ord;
            const sql_value_t *rr = ex_tstore_read(m->grp, &ord);
            if (rr) {
                const sql_value_t *row = emit(m, m->lrow, rr);
                bool pass = true;
                if (m->p->qual) {
                    rdb_arena_reset(&m->ra);
                    if (ex_qual(r, m->p->qual, row, &m->ra, &pass) != RDB_OK)
                        return NULL;
                }
                if (every_so_often(m) != RDB_OK)
                    return NULL;
                if (!pass)
                    continue;
                m->lmatched = true;
                if (m->gbits)
                    m->gbits[ord >> 3] |= (uint8_t)(1u << (ord & 7));
                return row;
            }
            if (rdb_err_is_set(r->err))
                return NULL;
            m->state = M_NEXTL;
            if (m->keep_left && !m->lmatched)
                return emit(m, m->lrow, NULL);
            continue;
        }
        case M_NEXTL:
            if (adv_left(m) != RDB_OK)
                return NULL;
            if (m->lrow && !m->lnull && key_cmp(m, m->lkey, m->gkey) == 0) {
                /* restore: the same group again */
                if (ex_tstore_rewind(m->grp) != RDB_OK)
                    return NULL;
                m->lmatched = false;
                m->state = M_GROUP;
                continue;
            }
            if (m->keep_right) {
                if (ex_tstore_rewind(m->grp) != RDB_OK)
                    return NULL;
                m->state = M_GROUPLEFT;
                continue;
            }
            m->state = M_NEXT;
            continue;
        case M_GROUPLEFT: {
            int64_t ord;
            const sql_value_t *rr;
            while ((rr = ex_tstore_read(m->grp, &ord)))
                if (!bit_get(m->gbits, ord))
                    return emit(m, NULL, rr);
            if (rdb_err_is_set(r->err))
                return NULL;
            m->state = M_NEXT;
            continue;
        }
        case M_RTAIL:
            if (m->radv && adv_right(m) != RDB_OK)
                return NULL;
            if (!m->rrow) {
                m->state = M_DONE;
                continue;
            }
            m->radv = true;
            return emit(m, NULL, m->rrow);
        default:
            return NULL;
        }
    }
}

ex_mjoin_t *ex_mjoin_new(ex_run_t *r, const plan_t *p, ex_node_t *left, ex_node_t *right, sql_value_t *out)
{
    ex_mjoin_t *m = rdb_calloc(1, sizeof *m);
    m->r = r;
    m->p = p;
    m->lc = left;
    m->rc = right;
    m->out = out;
    m->wl = p->left->ncols;
    m->wr = p->right->ncols;
    m->nk = p->nkeys;
    m->keep_left = p->jointype == J_LEFT || p->jointype == J_FULL;
    m->keep_right = p->jointype == J_RIGHT || p->jointype == J_FULL;
    m->semi = p->jointype == J_SEMI;
    m->anti = p->jointype == J_ANTI;
    m->lkey = rdb_calloc((size_t)m->nk + 1, sizeof(sql_value_t));
    m->rkey = rdb_calloc((size_t)m->nk + 1, sizeof(sql_value_t));
    m->gkey = rdb_calloc((size_t)m->nk + 1, sizeof(sql_value_t));
    rdb_arena_init(&m->lka, 0);
    rdb_arena_init(&m->rka, 0);
    rdb_arena_init(&m->gka, 0);
    rdb_arena_init(&m->ra, 0);
    m->grp = ex_tstore_new(r, p->right->types, m->wr, 0);
    return m;
}

void ex_mjoin_free(ex_mjoin_t *m)
{
    if (!m)
        return;
    ex_tstore_free(m->grp);
    rdb_arena_destroy(&m->lka);
    rdb_arena_destroy(&m->rka);
    rdb_arena_destroy(&m->gka);
    rdb_arena_destroy(&m->ra);
    free(m->lkey);
    free(m->rkey);
    free(m->gkey);
    free(m->gbits);
    free(m);
}
