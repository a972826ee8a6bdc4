/*
 * hashjoin.c — hash join with grace partitioning, and nested loop
 * (hashjoin.h).
 *
 * Rows kept or written are "wide": the child's row followed by its join
 * key values (evaluated once), so a partition file row carries its keys.
 *
 * The hash join is a small state machine, one step per call of next:
 *   PROBE      read an outer row (the child's, or the current partition
 *              file's) and walk its bucket, emitting matches;
 *   UNMATCHED  RIGHT / FULL: the unmatched inner rows of the table;
 *   LEFTOVER   after the last block of a partition joined in several
 *              blocks: the outer rows no block matched (LEFT, FULL, anti);
 *   RNULL      RIGHT / FULL: the inner rows with a NULL key;
 * between them next_step loads the next block or partition pair.
 */
#include "exec/hashjoin.h"
#include "exec/mergejoin.h"

#include <stdlib.h>
#include <string.h>

#include "common/mem.h"
#include "exec/aggspill.h"
#include "exec/explain.h"
#include "exec/extsort.h"
#include "exec/tstore.h"

uint64_t ex_key_hash(const sql_type_t *types, int n, const sql_value_t *k)
{
    uint64_t h = 0x9E3779B97F4A7C15ull;
    for (int i = 0; i < n; i++) {
        uint64_t x = k[i].isnull ? 0x5bd1e995u : sql_value_hash(types[i], &k[i]);
        h = (h ^ x) * 0x100000001b3ull;
        h ^= h >> 29;
    }
    return h;
}

bool ex_key_eq(const sql_type_t *types, int n, const sql_value_t *a, const sql_value_t *b)
{
    for (int i = 0; i < n; i++) {
        if (a[i].isnull || b[i].isnull) {
            if (a[i].isnull != b[i].isnull)
                return false;
            continue;
        }
        if (sql_value_cmp(types[i], &a[i], &b[i]) != 0)
            return false;
    }
    return true;
}

typedef struct hj_entry {
    struct hj_entry *next;     /* bucket */
    struct hj_entry *chain;    /* insertion order */
    uint64_t         hash;
    sql_value_t     *row;      /* wide inner row */
    bool             matched;
} hj_entry_t;

typedef struct hj_pair {
    ex_tmpfile_t r, l;         /* wide rows; path NULL: none written */
    int          level;
    bool         nosplit;      /* splitting it again would not divide it */
} hj_pair_t;

enum { S_START, S_PROBE, S_UNMATCHED, S_LEFTOVER, S_RNULL, S_DONE };

struct ex_join {
    ex_run_t     *r;
    const plan_t *p;
    ex_node_t    *lc, *rc;
    sql_value_t  *out;
    int           wl, wr, nk;
    sql_type_t   *lt, *rt;         /* wide row types */
    bool          keep_left, keep_right, semi, anti;
    size_t        hash_mem;
    int           state;
    /* the hash table: entries and rows in ha */
    rdb_arena_t   ha;
    hj_entry_t  **b;
    size_t        nb, n;
    hj_entry_t   *first, *last;
    /* spilling */
    bool          spilled;
    ex_rowfmt_t   lfmt, rfmt;
    ex_tmpfile_t  rw[EX_HJ_FANOUT], lw[EX_HJ_FANOUT];  /* being written */
    hj_pair_t    *stack;
    int           nstack, capstack;
    hj_pair_t     cur;
    bool          from_file;       /* outer rows come from cur.l */
    bool          multi;           /* cur is joined in several blocks */
    uint8_t      *lbits;           /* multi: outer rows matched so far */
    ex_tstore_t  *rnull;           /* inner rows with a NULL key (RIGHT, FULL) */
    /* probing */
    const sql_value_t *lrow;       /* wide outer row */
    int64_t       lord;
    bool          lmatched;
    uint64_t      lhash;
    hj_entry_t   *probe, *it;
    rdb_arena_t   ka;              /* an outer row's keys */
    rdb_arena_t   ra;              /* per output row */
    sql_value_t  *wide;
    /* nested loop */
    ex_tstore_t  *inner;
    uint8_t      *rbits;
    /* EXPLAIN ANALYZE */
    ex_instr_t   *in;
    int64_t       nparts;
    struct ex_mjoin *mj;           /* a merge join instead (plan.h merge) */
    /* runtime key filter (rf_offer): inner rows whose values at rf_cols
     * match no key of rf's table (the join above, its table complete) are
     * dropped at the build */
    const struct ex_join *rf;
    int           rf_cols[EX_HJ_RF_MAXK];
    sql_value_t   rf_vals[EX_HJ_RF_MAXK];
};

/* ---- helpers ------------------------------------------------------------ */

static bool bit_get(const uint8_t *b, int64_t i)
{
    return (b[i >> 3] >> (i & 7)) & 1;
}

static void bit_set(uint8_t *b, int64_t i)
{
    b[i >> 3] |= (uint8_t)(1u << (i & 7));
}

static const sql_value_t *emit(ex_join_t *j, const sql_value_t *l, const sql_value_t *rr)
{
    for (int i = 0; i < j->wl; i++)
        j->out[i] = l ? l[i] : sql_null();
    for (int i = 0; i < j->wr; i++)
        j->out[j->wl + i] = rr ? rr[i] : sql_null();
    return j->out;
}

/* Widen a child row: its columns, then keys over it (in ka).  *hasnull:
 * a key is NULL. */
static rdb_status_t widen(ex_join_t *j, const sql_value_t *row, int w, ex_expr_t **keys, bool *hasnull)
{
    rdb_arena_reset(&j->ka);
    memcpy(j->wide, row, sizeof(sql_value_t) * (size_t)w);
    *hasnull = false;
    for (int i = 0; i < j->nk; i++) {
        if (keys[i]->kind == EX_COL)    /* the common case, without a call */
            j->wide[w + i] = row[keys[i]->idx];
        else if (ex_eval(j->r, keys[i], row, &j->ka, &j->wide[w + i]) != RDB_OK)
            return RDB_SQL;
        *hasnull |= j->wide[w + i].isnull;
    }
    return RDB_OK;
}

static bool has_null_key(const ex_join_t *j, const sql_value_t *row, int w)
{
    for (int i = 0; i < j->nk; i++)
        if (row[w + i].isnull)
            return true;
    return false;
}

static size_t table_mem(const ex_join_t *j)
{
    return rdb_arena_memory_usage(&j->ha);
}

/* EXPLAIN ANALYZE: the most buckets and memory a table held, the batches
 * (inner partitions written; 1 when it did not spill) and disk used. */
static void note_instr(ex_join_t *j)
{
    if (!j->in || !j->nk)
        return;
    ex_instr_t *in = j->in;
    int64_t kb = (int64_t)(table_mem(j) + 1023) / 1024;
    if (kb > in->hj_mem_kb)
        in->hj_mem_kb = kb;
    if ((int64_t)j->nb > in->hj_buckets)
        in->hj_buckets = (int64_t)j->nb;
    in->hj_batches = j->spilled ? j->nparts : 1;
    in->hj_disk_kb = j->spilled ? (j->lfmt.disk_bytes + j->rfmt.disk_bytes + 1023) / 1024 : 0;
}

static void table_reset(ex_join_t *j)
{
    note_instr(j);
    rdb_arena_reset(&j->ha);
    j->nb = 1024;
    j->b = rdb_arena_calloc(&j->ha, sizeof *j->b * j->nb);
    j->n = 0;
    j->first = j->last = NULL;
}

static void table_add(ex_join_t *j, const sql_value_t *wide, uint64_t h)
{
    if (j->n >= j->nb) {
        size_t nb = j->nb * 2;
        hj_entry_t **b = rdb_arena_calloc(&j->ha, sizeof *b * nb);
        for (hj_entry_t *e = j->first; e; e = e->chain) {
            e->next = b[e->hash & (nb - 1)];
            b[e->hash & (nb - 1)] = e;
        }
        j->b = b;
        j->nb = nb;
    }
    hj_entry_t *e = RDB_ARENA_NEW(&j->ha, hj_entry_t);
    e->hash = h;
    e->row = ex_copy_row(&j->ha, j->rt, j->wr + j->nk, wide);
    e->matched = false;
    e->chain = NULL;
    e->next = j->b[h & (j->nb - 1)];
    j->b[h & (j->nb - 1)] = e;
    if (j->last)
        j->last->chain = e;
    else
        j->first = e;
    j->last = e;
    j->n++;
}

static rdb_status_t check(ex_join_t *j)
{
    if ((++j->r->tick & 255) == 0)
        return ex_check_mem(j->r, table_mem(j));
    return RDB_OK;
}

/* Write a wide row to partition file f (created on its first row). */
static rdb_status_t part_put(ex_join_t *j, ex_rowfmt_t *fmt, ex_tmpfile_t *f, const sql_value_t *wide, bool inner)
{
    if (!f->path) {
        if (inner)
            j->nparts++;
        if (ex_tmpfile_create(fmt, f) != RDB_OK)
            return RDB_IOERROR;
    }
    return ex_tmpfile_put(fmt, f, wide);
}

/* Push the partitions written at level (children of a pair, or the first
 * level) onto the stack, paired by number. */
static rdb_status_t push_written(ex_join_t *j, int level, const int64_t *parent_rows)
{
    for (int i = EX_HJ_FANOUT - 1; i >= 0; i--) {
        if (!j->rw[i].path && !j->lw[i].path)
            continue;
        if (j->nstack == j->capstack) {
            j->capstack = j->capstack ? j->capstack * 2 : 64;
            j->stack = rdb_realloc(j->stack, sizeof *j->stack * (size_t)j->capstack);
        }
        hj_pair_t *pp = &j->stack[j->nstack++];
        memset(pp, 0, sizeof *pp);
        pp->r = j->rw[i];
        pp->l = j->lw[i];
        pp->level = level;
        pp->nosplit = parent_rows && pp->r.nrows == *parent_rows;
        memset(&j->rw[i], 0, sizeof j->rw[i]);
        memset(&j->lw[i], 0, sizeof j->lw[i]);
        if ((pp->r.path && ex_tmpfile_rewind(&j->rfmt, &pp->r) != RDB_OK) ||
            (pp->l.path && ex_tmpfile_rewind(&j->lfmt, &pp->l) != RDB_OK))
            return RDB_IOERROR;
    }
    return RDB_OK;
}

/* ---- runtime key filters ------------------------------------------------
 *
 * Sideways information from a hash table complete in memory to the
 * operators under the join's outer side, before they run:
 *
 *   rf_offer   the join whose table it is (inner, or right or semi: its
 *              outer rows without a match go nowhere) lets the hash join
 *              right below it on its outer side drop the inner rows whose
 *              columns that feed these keys match no key of the table:
 *              every joined row they would make is one this join drops.
 *              (PostgreSQL has no such filter; joins written in a bad
 *              order with join_collapse_limit = 1 are where it pays.)
 *   rf_points  a hash join whose table holds few distinct keys, compared
 *              with the rows its outer side (a full scan, keyed on the
 *              table's one-column primary key) would read, reads the
 *              outer rows by primary key instead (ex_node_scan_keys): the
 *              other rows would find no match.
 *
 * Both need the table whole: not when it spilled. */

void ex_plan_key_filter_off(plan_t *p)
{
    if (!p)
        return;
    if (p->kind == P_JOIN)
        p->no_key_filter = true;
    ex_plan_key_filter_off(p->left);
    ex_plan_key_filter_off(p->right);
}

/* Does the key vals (rf's key types) match a key of rf's table? */
static bool rf_match(const ex_join_t *rf, const sql_value_t *vals)
{
    uint64_t h = ex_key_hash(rf->p->keytypes, rf->nk, vals);
    for (const hj_entry_t *e = rf->b[h & (rf->nb - 1)]; e; e = e->next)
        if (e->hash == h && ex_key_eq(rf->p->keytypes, rf->nk, e->row + rf->wr, vals))
            return true;
    return false;
}

/* Is inner row row (j's right child's) one to keep under j->rf? */
static bool rf_keep(ex_join_t *j, const sql_value_t *row)
{
    for (int i = 0; i < j->rf->nk; i++) {
        j->rf_vals[i] = row[j->rf_cols[i]];
        if (j->rf_vals[i].isnull)
            return false;   /* a NULL key never matches */
    }
    return rf_match(j->rf, j->rf_vals);
}

static bool drops_unmatched_outer(const ex_join_t *j)
{
    return !j->keep_left && !j->anti;
}

static void rf_offer(ex_join_t *j)
{
    const plan_t *p = j->p;
    if (j->spilled || !drops_unmatched_outer(j) || j->nk > EX_HJ_RF_MAXK || p->no_key_filter)
        return;
    ex_join_t *c = ex_node_hashjoin(j->lc);
    if (!c || c->mj || c->state != S_START || c->rf || c->keep_left || c->keep_right ||
        c->semi || c->anti)
        return;
    int cols[EX_HJ_RF_MAXK];
    for (int i = 0; i < j->nk; i++) {
        const ex_expr_t *k = p->lkeys[i];
        if (k->kind != EX_COL || k->levelsup != 0 || k->idx < c->wl || k->idx >= c->wl + c->wr ||
            c->p->types[k->idx].oid != p->keytypes[i].oid)
            return;
        cols[i] = k->idx - c->wl;
    }
    memcpy(c->rf_cols, cols, sizeof cols);
    c->rf = j;
}

/* Few keys: at most one in EX_HJ_POINTS_RATIO of the outer scan's rows. */
static void rf_points(ex_join_t *j)
{
    const plan_t *p = j->p;
    if (j->spilled || !drops_unmatched_outer(j) || j->nk != 1 || p->no_key_filter)
        return;
    const ex_expr_t *k = p->lkeys[0];
    if (k->kind != EX_COL || k->levelsup != 0 || p->left->kind != P_SCAN ||
        (double)j->n * EX_HJ_POINTS_RATIO > p->left->est_rows)
        return;
    /* the distinct keys: an entry counts when it is the first of its key
     * in its bucket */
    sql_value_t *keys = rdb_malloc(sizeof(sql_value_t) * (j->n ? j->n : 1));
    int64_t m = 0;
    for (hj_entry_t *e = j->first; e; e = e->chain) {
        hj_entry_t *x = j->b[e->hash & (j->nb - 1)];
        while (x != e && !(x->hash == e->hash && ex_key_eq(p->keytypes, 1, x->row + j->wr, e->row + j->wr)))
            x = x->next;
        if (x == e)
            keys[m++] = e->row[j->wr];
    }
    ex_node_scan_keys(j->lc, k->idx, p->keytypes[0], keys, m);
    free(keys);
}

/* ---- build -------------------------------------------------------------- */

/* The table outgrew hash memory: move its rows to level-0 partitions. */
static rdb_status_t start_spill(ex_join_t *j)
{
    j->spilled = true;
    for (hj_entry_t *e = j->first; e; e = e->chain)
        if (part_put(j, &j->rfmt, &j->rw[ex_hspill_part(e->hash, 0)], e->row, true) != RDB_OK)
            return RDB_IOERROR;
    table_reset(j);
    return RDB_OK;
}

static rdb_status_t build(ex_join_t *j)
{
    const plan_t *p = j->p;
    const sql_value_t *row;
    table_reset(j);
    while ((row = ex_next(j->rc))) {
        bool hasnull;
        if (j->rf && !rf_keep(j, row)) {
            if (check(j) != RDB_OK)
                return RDB_SQL;
            continue;
        }
        if (widen(j, row, j->wr, p->rkeys, &hasnull) != RDB_OK)
            return RDB_SQL;
        if (hasnull) {      /* never matches */
            if (j->keep_right && ex_tstore_put(j->rnull, j->wide) != RDB_OK)
                return RDB_SQL;
        } else {
            uint64_t h = ex_key_hash(p->keytypes, j->nk, j->wide + j->wr);
            if (j->spilled) {
                if (part_put(j, &j->rfmt, &j->rw[ex_hspill_part(h, 0)], j->wide, true) != RDB_OK)
                    return RDB_IOERROR;
            } else {
                table_add(j, j->wide, h);
                if (table_mem(j) > j->hash_mem && start_spill(j) != RDB_OK)
                    return RDB_IOERROR;
            }
        }
        if (check(j) != RDB_OK)
            return RDB_SQL;
    }
    if (rdb_err_is_set(j->r->err))
        return RDB_SQL;
    if (!j->spilled)
        return RDB_OK;
    /* the outer side, partitioned the same way; outer rows that can match
     * nothing and need not come out are dropped here */
    bool keep_unmatched = j->keep_left || j->anti;
    while ((row = ex_next(j->lc))) {
        bool hasnull;
        if (widen(j, row, j->wl, p->lkeys, &hasnull) != RDB_OK)
            return RDB_SQL;
        uint64_t h = ex_key_hash(p->keytypes, j->nk, j->wide + j->wl);
        int k = ex_hspill_part(h, 0);
        if ((hasnull || !j->rw[k].path) && !keep_unmatched)
            continue;
        if (part_put(j, &j->lfmt, &j->lw[k], j->wide, false) != RDB_OK || check(j) != RDB_OK)
            return RDB_SQL;
    }
    if (rdb_err_is_set(j->r->err))
        return RDB_SQL;
    return push_written(j, 0, NULL);
}

/* ---- partitions ------------------------------------------------------------ */

/* Would cur's inner side overflow hash memory?  An estimate: its bytes on
 * disk and per row an entry and the values. */
static bool too_big(const ex_join_t *j, const hj_pair_t *pp)
{
    size_t est = (size_t)pp->r.bytes + (size_t)pp->r.nrows *
                 (sizeof(hj_entry_t) + 2 * sizeof(hj_entry_t *) + sizeof(sql_value_t) * (size_t)(j->wr + j->nk));
    return est > j->hash_mem;
}

/* Split pair pp one level deeper (both sides), pushing the children. */
static rdb_status_t split(ex_join_t *j, hj_pair_t *pp)
{
    const plan_t *p = j->p;
    int level = pp->level + 1;
    for (;;) {
        if (ex_tmpfile_read(&j->rfmt, &pp->r) != RDB_OK)
            return RDB_IOERROR;
        if (!pp->r.row)
            break;
        uint64_t h = ex_key_hash(p->keytypes, j->nk, pp->r.row + j->wr);
        if (part_put(j, &j->rfmt, &j->rw[ex_hspill_part(h, level)], pp->r.row, true) != RDB_OK || check(j) != RDB_OK)
            return RDB_SQL;
    }
    bool keep_unmatched = j->keep_left || j->anti;
    for (;;) {
        if (!pp->l.path)
            break;
        if (ex_tmpfile_read(&j->lfmt, &pp->l) != RDB_OK)
            return RDB_IOERROR;
        if (!pp->l.row)
            break;
        const sql_value_t *w = pp->l.row;
        uint64_t h = ex_key_hash(p->keytypes, j->nk, w + j->wl);
        int k = ex_hspill_part(h, level);
        if ((has_null_key(j, w, j->wl) || !j->rw[k].path) && !keep_unmatched)
            continue;
        if (part_put(j, &j->lfmt, &j->lw[k], w, false) != RDB_OK || check(j) != RDB_OK)
            return RDB_SQL;
    }
    int64_t parent = pp->r.nrows;
    return push_written(j, level, &parent);
}

/* Load the next block of cur's inner side: until its end, or hash memory
 * is full when cur cannot be split. */
static rdb_status_t load_block(ex_join_t *j)
{
    const plan_t *p = j->p;
    table_reset(j);
    while (j->cur.r.path) {
        if (ex_tmpfile_read(&j->rfmt, &j->cur.r) != RDB_OK)
            return RDB_IOERROR;
        if (!j->cur.r.row)
            break;
        table_add(j, j->cur.r.row, ex_key_hash(p->keytypes, j->nk, j->cur.r.row + j->wr));
        if (check(j) != RDB_OK)
            return RDB_SQL;
        if (table_mem(j) > j->hash_mem && j->cur.r.left > 0) {
            if (!j->multi) {
                j->multi = true;
                int64_t nl = j->cur.l.nrows;
                j->lbits = rdb_calloc((size_t)(nl / 8 + 1), 1);
            }
            break;
        }
    }
    return RDB_OK;
}

static void drop_pair(hj_pair_t *pp)
{
    ex_tmpfile_drop(&pp->r);
    ex_tmpfile_drop(&pp->l);
    memset(pp, 0, sizeof *pp);
}

/* Start joining the next partition pair; false when there is none (or
 * on error, r->err set). */
static bool next_pair(ex_join_t *j)
{
    bool keep_unmatched = j->keep_left || j->anti;
    drop_pair(&j->cur);
    free(j->lbits);
    j->lbits = NULL;
    j->multi = false;
    while (j->nstack > 0) {
        hj_pair_t pp = j->stack[--j->nstack];
        bool useless = (pp.r.nrows == 0 && (!keep_unmatched || pp.l.nrows == 0)) ||
                       (pp.l.nrows == 0 && !j->keep_right);
        if (useless) {
            drop_pair(&pp);
            continue;
        }
        if (pp.r.nrows > 0 && too_big(j, &pp) && !pp.nosplit && pp.level + 1 < EX_HJ_MAXDEPTH) {
            rdb_status_t rc = split(j, &pp);
            drop_pair(&pp);
            if (rc != RDB_OK)
                return false;
            continue;
        }
        j->cur = pp;
        j->from_file = true;
        if (load_block(j) != RDB_OK)
            return false;
        return ex_check(j->r) == RDB_OK;
    }
    return false;
}

/* ---- the hash join's steps ------------------------------------------------- */

/* The next outer row in j->lrow (wide), its hash and first bucket entry;
 * false at the end of the outer side (or on error). */
static bool next_outer(ex_join_t *j)
{
    const plan_t *p = j->p;
    bool hasnull;
    if (j->from_file) {
        if (!j->cur.l.path || ex_tmpfile_read(&j->lfmt, &j->cur.l) != RDB_OK || !j->cur.l.row)
            return false;
        j->lrow = j->cur.l.row;
        j->lord = j->cur.l.nrows - j->cur.l.left - 1;
        hasnull = has_null_key(j, j->lrow, j->wl);
    } else {
        const sql_value_t *row = ex_next(j->lc);
        if (!row)
            return false;
        if (widen(j, row, j->wl, p->lkeys, &hasnull) != RDB_OK)
            return false;
        j->lrow = j->wide;
        j->lord = 0;
    }
    j->lmatched = false;
    j->lhash = ex_key_hash(p->keytypes, j->nk, j->lrow + j->wl);
    j->probe = hasnull ? NULL : j->b[j->lhash & (j->nb - 1)];
    if (j->multi && (j->semi || j->anti) && bit_get(j->lbits, j->lord))
        j->probe = NULL;   /* decided by an earlier block */
    return true;
}

/* The outer rows of cur no block matched (LEFT, FULL, anti). */
static const sql_value_t *leftover(ex_join_t *j)
{
    for (;;) {
        if (ex_tmpfile_read(&j->lfmt, &j->cur.l) != RDB_OK || !j->cur.l.row)
            return NULL;
        int64_t ord = j->cur.l.nrows - j->cur.l.left - 1;
        if (bit_get(j->lbits, ord))
            continue;
        return j->anti ? j->cur.l.row : emit(j, j->cur.l.row, NULL);
    }
}

/* The outer side of the current table is done: what comes next. */
static void next_step(ex_join_t *j)
{
    if (j->state == S_PROBE && j->keep_right) {
        j->state = S_UNMATCHED;
        j->it = j->first;
        return;
    }
    if (j->state != S_LEFTOVER && j->from_file && j->cur.r.left > 0) {   /* next block */
        if (load_block(j) != RDB_OK || ex_tmpfile_rewind(&j->lfmt, &j->cur.l) != RDB_OK)
            return;
        j->state = S_PROBE;
        return;
    }
    if (j->state != S_LEFTOVER && j->multi && (j->keep_left || j->anti)) {
        if (ex_tmpfile_rewind(&j->lfmt, &j->cur.l) != RDB_OK)
            return;
        j->state = S_LEFTOVER;
        return;
    }
    if (next_pair(j)) {
        j->state = S_PROBE;
        return;
    }
    if (rdb_err_is_set(j->r->err))
        return;
    j->state = S_RNULL;
    if (ex_tstore_rewind(j->rnull) != RDB_OK)
        return;
}

static const sql_value_t *hash_next(ex_join_t *j)
{
    const plan_t *p = j->p;
    ex_run_t *r = j->r;
    for (;;) {
        if (rdb_err_is_set(r->err))
            return NULL;
        switch (j->state) {
        case S_START:
            if (build(j) != RDB_OK)
                return NULL;
            if (j->spilled) {
                j->state = S_LEFTOVER;   /* nothing to finish: straight to the pairs */
                next_step(j);
            } else {
                j->state = S_PROBE;
                rf_offer(j);
                rf_points(j);
            }
            continue;
        case S_UNMATCHED:
            while (j->it) {
                hj_entry_t *e = j->it;
                j->it = e->chain;
                if (!e->matched)
                    return emit(j, NULL, e->row);
            }
            next_step(j);
            continue;
        case S_LEFTOVER: {
            const sql_value_t *row = leftover(j);
            if (row)
                return row;
            next_step(j);
            continue;
        }
        case S_RNULL: {
            const sql_value_t *row = j->keep_right ? ex_tstore_read(j->rnull, NULL) : NULL;
            if (row)
                return emit(j, NULL, row);
            note_instr(j);
            j->state = S_DONE;
            continue;
        }
        case S_DONE:
            return NULL;
        case S_PROBE:
            break;
        }
        if (!j->lrow && !next_outer(j)) {
            if (rdb_err_is_set(r->err))
                return NULL;
            next_step(j);
            continue;
        }
        while (j->probe) {
            hj_entry_t *e = j->probe;
            j->probe = e->next;
            if (e->hash != j->lhash || !ex_key_eq(p->keytypes, j->nk, e->row + j->wr, j->lrow + j->wl))
                continue;
            if (j->semi || j->anti) {
                /* a key match decides (a semi or anti join has no residual
                 * condition, planner.c) */
                j->lmatched = true;
                j->probe = NULL;
                break;
            }
            const sql_value_t *row = emit(j, j->lrow, e->row);
            bool pass;
            rdb_arena_reset(&j->ra);
            if (ex_qual(r, p->qual, row, &j->ra, &pass) != RDB_OK)
                return NULL;
            if (!pass)
                continue;
            j->lmatched = true;
            e->matched = true;
            if (check(j) != RDB_OK)
                return NULL;
            return row;
        }
        const sql_value_t *l = j->lrow;
        j->lrow = NULL;
        if (j->multi) {
            bool before = bit_get(j->lbits, j->lord);
            if (j->lmatched)
                bit_set(j->lbits, j->lord);
            if (j->semi && j->lmatched && !before)
                return l;
            continue;   /* unmatched ones: LEFTOVER */
        }
        if (j->semi && j->lmatched)
            return l;
        if (j->anti && !j->lmatched)
            return l;
        if (j->keep_left && !j->lmatched)
            return emit(j, l, NULL);
    }
}

/* ---- nested loop ------------------------------------------------------------ */

static const sql_value_t *nl_next(ex_join_t *j)
{
    const plan_t *p = j->p;
    ex_run_t *r = j->r;
    if (j->state == S_START) {
        const sql_value_t *row;
        while ((row = ex_next(j->rc)))
            if (ex_tstore_put(j->inner, row) != RDB_OK || check(j) != RDB_OK)
                return NULL;
        if (rdb_err_is_set(r->err))
            return NULL;
        if (j->keep_right)
            j->rbits = rdb_calloc((size_t)(ex_tstore_rows(j->inner) / 8 + 1), 1);
        j->state = S_PROBE;
    }
    for (;;) {
        if (j->state == S_UNMATCHED) {
            int64_t ord;
            const sql_value_t *rr;
            while ((rr = ex_tstore_read(j->inner, &ord)))
                if (!bit_get(j->rbits, ord))
                    return emit(j, NULL, rr);
            return NULL;
        }
        if (!j->lrow) {
            j->lrow = ex_next(j->lc);
            if (!j->lrow) {
                if (rdb_err_is_set(r->err) || !j->keep_right || ex_tstore_rewind(j->inner) != RDB_OK)
                    return NULL;
                j->state = S_UNMATCHED;
                continue;
            }
            j->lmatched = false;
            if (ex_tstore_rewind(j->inner) != RDB_OK)
                return NULL;
        }
        int64_t ord;
        const sql_value_t *rr;
        while ((rr = ex_tstore_read(j->inner, &ord))) {
            if (j->semi || j->anti) {
                j->lmatched = true;
                break;
            }
            const sql_value_t *row = emit(j, j->lrow, rr);
            bool pass;
            rdb_arena_reset(&j->ra);
            if (ex_qual(r, p->qual, row, &j->ra, &pass) != RDB_OK)
                return NULL;
            if (check(j) != RDB_OK)
                return NULL;
            if (!pass)
                continue;
            j->lmatched = true;
            if (j->rbits)
                bit_set(j->rbits, ord);
            return row;
        }
        if (rdb_err_is_set(r->err))
            return NULL;
        const sql_value_t *l = j->lrow;
        j->lrow = NULL;
        if (j->semi ? j->lmatched : j->anti ? !j->lmatched : false)
            return l;
        if (j->keep_left && !j->lmatched)
            return emit(j, l, NULL);
    }
}

/* ---- interface ------------------------------------------------------------- */

ex_join_t *ex_join_new(ex_run_t *r, const plan_t *p, ex_node_t *left, ex_node_t *right, sql_value_t *out)
{
    ex_join_t *j = rdb_calloc(1, sizeof *j);
    j->r = r;
    j->p = p;
    j->lc = left;
    j->rc = right;
    j->out = out;
    if (p->merge) {
        j->mj = ex_mjoin_new(r, p, left, right, out);
        return j;
    }
    j->wl = p->left->ncols;
    j->wr = p->right->ncols;
    j->nk = p->nkeys;
    j->keep_left = p->jointype == J_LEFT || p->jointype == J_FULL;
    j->keep_right = p->jointype == J_RIGHT || p->jointype == J_FULL;
    j->semi = p->jointype == J_SEMI;
    j->anti = p->jointype == J_ANTI;
    size_t wm = ex_work_mem(r);
    j->hash_mem = ex_hash_mem(r);
    rdb_arena_init(&j->ha, 0);
    rdb_arena_init(&j->ka, 0);
    rdb_arena_init(&j->ra, 0);
    int ww = (j->wl > j->wr ? j->wl : j->wr) + j->nk + 1;
    j->wide = rdb_calloc((size_t)ww, sizeof(sql_value_t));
    j->lt = rdb_calloc((size_t)(j->wl + j->nk + 1), sizeof(sql_type_t));
    j->rt = rdb_calloc((size_t)(j->wr + j->nk + 1), sizeof(sql_type_t));
    memcpy(j->lt, p->left->types, sizeof(sql_type_t) * (size_t)j->wl);
    memcpy(j->rt, p->right->types, sizeof(sql_type_t) * (size_t)j->wr);
    for (int i = 0; i < j->nk; i++)
        j->lt[j->wl + i] = j->rt[j->wr + i] = p->keytypes[i];
    ex_rowfmt_init(&j->lfmt, r, j->lt, j->wl + j->nk);
    ex_rowfmt_init(&j->rfmt, r, j->rt, j->wr + j->nk);
    if (j->nk == 0)
        j->inner = ex_tstore_new(r, j->rt, j->wr, wm);
    else
        j->rnull = ex_tstore_new(r, j->rt, j->wr + j->nk, wm);
    if (r->instr)
        j->in = ex_instr_get(r->instr, p);
    return j;
}

const sql_value_t *ex_join_next(ex_join_t *j)
{
    return j->mj ? ex_mjoin_next(j->mj) : j->nk ? hash_next(j) : nl_next(j);
}

void ex_join_free(ex_join_t *j)
{
    if (!j)
        return;
    if (j->mj) {
        ex_mjoin_free(j->mj);
        free(j);
        return;
    }
    note_instr(j);
    for (int i = 0; i < EX_HJ_FANOUT; i++) {
        ex_tmpfile_drop(&j->rw[i]);
        ex_tmpfile_drop(&j->lw[i]);
    }
    for (int i = 0; i < j->nstack; i++)
        drop_pair(&j->stack[i]);
    drop_pair(&j->cur);
    free(j->stack);
    free(j->lbits);
    free(j->rbits);
    ex_tstore_free(j->rnull);
    ex_tstore_free(j->inner);
    ex_rowfmt_destroy(&j->lfmt);
    ex_rowfmt_destroy(&j->rfmt);
    rdb_arena_destroy(&j->ha);
    rdb_arena_destroy(&j->ka);
    rdb_arena_destroy(&j->ra);
    free(j->wide);
    free(j->lt);
    free(j->rt);
    free(j);
}
