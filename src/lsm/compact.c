/*
 * compact.c — leveled compaction.
 *
 * L0 holds whole flushed memtables (files overlap); L1..L6 are sorted runs
 * whose byte budgets grow tenfold per level from 4 * target_file_size.  A
 * level over budget (L0: 4 files or more) merges into the next: all of L0
 * with the L1 files it overlaps, or one file of Ln (round robin by key)
 * with the Ln+1 files it overlaps.  A file with no overlap below is moved
 * by a manifest edit alone.  Outputs split at target_file_size, only
 * between user keys, so a user key never spans two files of a level.
 *
 * Several threads compact at once (o.compaction_threads): a compaction
 * starts only if none of its input files is an input of a running one and
 * its output key range does not overlap the output range of a running one
 * into the same level, so the levels' invariants hold whatever order they
 * finish in.  Inputs are marked (lsm_file_t.compacting) and the running
 * compactions listed in db->running, all under db->mu.
 *
 * Garbage collection below the horizon H (lsm.h): per user key, versions
 * >= H stay; the newest version < H stays (a snapshot at H reads it) unless
 * it is a tombstone and no deeper level may hold the key; older ones go.
 */
#include <stdlib.h>

#include "common/mem.h"
#include "lsm/db_impl.h"
#include "lsm/ikey.h"

#define L0_TRIGGER 4

static uint64_t level_budget(const lsm_db_t *db, int level)
{
    uint64_t b = 4 * (uint64_t)db->o.target_file_size;
    for (int l = 1; l < level; l++)
        b *= 10;
    return b;
}

static uint64_t level_bytes(const lsm_vers_t *v, int level)
{
    uint64_t n = 0;
    for (int i = 0; i < v->nfiles[level]; i++)
        n += v->files[level][i]->size;
    return n;
}

static double score(const lsm_db_t *db, const lsm_vers_t *v, int level)
{
    if (level == 0) /* compact before writes would be slowed */
        return (double)v->nfiles[0] / RDB_MIN(L0_TRIGGER, RDB_MAX(1, db->o.l0_slowdown_trigger));
    return (double)level_bytes(v, level) / (double)level_budget(db, level);
}

bool lsm_compact_needed(lsm_db_t *db)
{
    for (int l = 0; l < LSM_MAX_LEVELS - 1; l++)
        if (score(db, db->cur, l) >= 1.0)
            return true;
    return false;
}

static const char *ukey(const rdb_buf_t *ik, size_t *n)
{
    *n = ik->len - LSM_IKEY_TRAILER;
    return ik->data;
}

/* Does f's user-key range intersect [lo, hi]? */
static bool overlaps(const lsm_file_t *f, const char *lo, size_t lon, const char *hi, size_t hin)
{
    size_t sn, ln;
    const char *s = ukey(&f->smallest, &sn), *l = ukey(&f->largest, &ln);
    return lsm_ukey_cmp(l, ln, lo, lon) >= 0 && lsm_ukey_cmp(s, sn, hi, hin) <= 0;
}

typedef struct inputs {
    int out_level;
    lsm_file_t **f; /* input files ... */
    int *lv;        /* ... and their levels */
    int n;
} inputs_t;

static void inputs_init(inputs_t *in, const lsm_vers_t *v, int out_level)
{
    int total = 0;
    for (int l = 0; l < LSM_MAX_LEVELS; l++)
        total += v->nfiles[l];
    in->out_level = out_level;
    in->f = rdb_calloc((size_t)total + 1, sizeof(lsm_file_t *));
    in->lv = rdb_calloc((size_t)total + 1, sizeof(int));
    in->n = 0;
}

static void inputs_add(inputs_t *in, lsm_file_t *f, int level)
{
    in->f[in->n] = f;
    in->lv[in->n++] = level;
}

static void inputs_free(inputs_t *in)
{
    free(in->f);
    free(in->lv);
}

static void range_of(lsm_file_t **fs, int n, rdb_buf_t *lo, rdb_buf_t *hi)
{
    for (int i = 0; i < n; i++) {
        size_t sn, ln, cn;
        const char *s = ukey(&fs[i]->smallest, &sn), *l = ukey(&fs[i]->largest, &ln);
        if (!lo->len || lsm_ukey_cmp(s, sn, lo->data, (cn = lo->len)) < 0) {
            rdb_buf_reset(lo);
            rdb_buf_append(lo, s, sn);
        }
        if (!hi->len || lsm_ukey_cmp(l, ln, hi->data, hi->len) > 0) {
            rdb_buf_reset(hi);
            rdb_buf_append(hi, l, ln);
        }
    }
}

/* Add the files of out_level overlapping the inputs so far. */
static void add_overlaps(const lsm_vers_t *v, inputs_t *in)
{
    rdb_buf_t lo = RDB_BUF_INIT, hi = RDB_BUF_INIT;
    range_of(in->f, in->n, &lo, &hi);
    int nl = in->out_level;
    for (int i = 0; i < v->nfiles[nl]; i++)
        if (overlaps(v->files[nl][i], lo.data ? lo.data : "", lo.len, hi.data ? hi.data : "",
                     hi.len))
            inputs_add(in, v->files[nl][i], nl);
    rdb_buf_free(&lo);
    rdb_buf_free(&hi);
}

/* Could anything outside the compaction's inputs hold a version of ukey?
 *
 * Not only deeper levels: versions arrive in any order (replication applies
 * old versions late), so an OLDER version of a key may sit in a shallower
 * level or a memtable while its newer tombstone compacts down.  Dropping the
 * tombstone would resurrect that version; the crash test caught exactly
 * this.  So every file not among the inputs, and both memtables, count. */
static bool others_may_hold(const lsm_vers_t *v, const inputs_t *in, lsm_mem_t *const *mems,
                            int nmem, const char *k, size_t kn)
{
    for (int l = 0; l < LSM_MAX_LEVELS; l++)
        for (int i = 0; i < v->nfiles[l]; i++) {
            lsm_file_t *f = v->files[l][i];
            bool input = false;
            for (int j = 0; j < in->n && !input; j++)
                input = in->f[j] == f;
            if (!input && overlaps(f, k, kn, k, kn))
                return true;
        }
    if (nmem == 0)
        return false;
    char stackbuf[256];
    char *seek = kn + LSM_IKEY_TRAILER <= sizeof(stackbuf) ? stackbuf
                                                           : rdb_malloc(kn + LSM_IKEY_TRAILER);
    size_t sn = lsm_ikey_seek(seek, k, kn, UINT64_MAX);
    bool found = false;
    for (int m = 0; m < nmem && !found; m++) {
        const char *fk, *fv;
        size_t fkn, fvn;
        if (lsm_mem_seek(mems[m], seek, sn, &fk, &fkn, &fv, &fvn) && fkn >= LSM_IKEY_TRAILER &&
            lsm_ukey_cmp(fk, fkn - LSM_IKEY_TRAILER, k, kn) == 0)
            found = true;
    }
    if (seek != stackbuf)
        free(seek);
    return found;
}

/* A running compaction: its output level and user-key range. */
typedef struct lsm_running {
    int out_level;
    rdb_buf_t lo, hi;
    bool used;
} lsm_running_t;

#define MAX_RUNNING 16 /* >= the thread limit lsm_open enforces */

/* Could in run now, next to the compactions already running?  Holds mu. */
static bool busy(lsm_db_t *db, const inputs_t *in)
{
    for (int i = 0; i < in->n; i++)
        if (in->f[i]->compacting)
            return true;
    if (db->nrunning == 0)
        return false;
    rdb_buf_t lo = RDB_BUF_INIT, hi = RDB_BUF_INIT;
    range_of(in->f, in->n, &lo, &hi);
    bool b = false;
    for (int r = 0; r < MAX_RUNNING && !b && db->running; r++) {
        lsm_running_t *x = &db->running[r];
        b = x->used && x->out_level == in->out_level &&
            lsm_ukey_cmp(x->hi.data, x->hi.len, lo.data, lo.len) >= 0 &&
            lsm_ukey_cmp(x->lo.data, x->lo.len, hi.data, hi.len) <= 0;
    }
    rdb_buf_free(&lo);
    rdb_buf_free(&hi);
    return b;
}

/* Mark in's files and list it as running (begin) or undo that.  Holds mu. */
static lsm_running_t *running_begin(lsm_db_t *db, const inputs_t *in)
{
    if (!db->running)
        db->running = rdb_calloc(MAX_RUNNING, sizeof(lsm_running_t));
    lsm_running_t *x = NULL;
    for (int r = 0; r < MAX_RUNNING && !x; r++)
        if (!db->running[r].used)
            x = &db->running[r];
    if (!x)
        return NULL; /* defensive: more compactions than threads */
    x->used = true;
    x->out_level = in->out_level;
    rdb_buf_reset(&x->lo);
    rdb_buf_reset(&x->hi);
    range_of(in->f, in->n, &x->lo, &x->hi);
    for (int i = 0; i < in->n; i++)
        in->f[i]->compacting = true;
    if (++db->nrunning > db->max_running)
        db->max_running = db->nrunning;
    return x;
}

static void running_end(lsm_db_t *db, const inputs_t *in, lsm_running_t *x)
{
    for (int i = 0; i < in->n; i++)
        in->f[i]->compacting = false;
    x->used = false;
    db->nrunning--;
}

void lsm_compact_free_running(lsm_db_t *db)
{
    for (int r = 0; db->running && r < MAX_RUNNING; r++) {
        rdb_buf_free(&db->running[r].lo);
        rdb_buf_free(&db->running[r].hi);
    }
    free(db->running);
    db->running = NULL;
}

/* Merge in's files into level+1.  Holds mu; releases it while merging. */
static rdb_status_t run(lsm_db_t *db, lsm_vers_t *v, inputs_t *in, rdb_err_t *err)
{
    int out_level = in->out_level;
    lsm_edit_t *e = rdb_calloc(1, sizeof(*e));
    rdb_status_t s = RDB_OK;
    uint64_t in_bytes = 0, out_bytes = 0;
    if (in->n == 1 && in->lv[0] > 0 && in->lv[0] == out_level - 1) {
        /* trivial move */
        lsm_file_t *f = in->f[0];
        atomic_fetch_add(&f->refs, 1);
        e->add[e->nadd].level = out_level;
        e->add[e->nadd++].f = f;
        e->del[e->ndel].level = in->lv[0];
        e->del[e->ndel++].number = f->number;
        s = lsm_db_log_and_apply(db, e, err);
        goto done;
    }
    uint64_t horizon = atomic_load(&db->horizon);
    /* the memtables as of now; later writes carry versions above the
     * horizon (lsm_set_gc_horizon's contract) */
    lsm_mem_t *mems[2];
    int nmem = 0;
    if (horizon) {
        lsm_mem_ref(db->mem);
        mems[nmem++] = db->mem;
        if (db->imm) {
            lsm_mem_ref(db->imm);
            mems[nmem++] = db->imm;
        }
    }
    db->pending_from = db->next_file;
    pthread_mutex_unlock(&db->mu);
    pthread_rwlock_rdlock(&db->drop_mu);
    lsm_drop_fn drop = db->drop_fn;
    int n = in->n;
    lsm_it_t **kids = rdb_calloc((size_t)n + 1, sizeof(*kids));
    for (int i = 0; i < n; i++) {
        kids[i] = lsm_tcache_iter(db->tcache, in->f[i]->number, false);
        in_bytes += in->f[i]->size;
    }
    lsm_it_t *it = lsm_merge_iter_new(kids, n);
    lsm_out_table_t o = { 0 };
    bool open_out = false, have_key = false, below_seen = false;
    rdb_buf_t cur = RDB_BUF_INIT;
    for (it->ops->seek_first(it); s == RDB_OK && it->ops->valid(it); it->ops->next(it)) {
        if (atomic_load_explicit(&db->imm_pending, memory_order_relaxed)) {
            /* a full memtable is waiting (writers may stall): flush it first */
            pthread_mutex_lock(&db->mu);
            if (db->imm && !db->flushing)
                s = lsm_db_flush_imm(db, err);
            pthread_mutex_unlock(&db->mu);
            if (s != RDB_OK)
                break;
        }
        size_t kn, vn;
        const char *key = it->ops->key(it, &kn), *val = it->ops->value(it, &vn);
        size_t ukl = kn - LSM_IKEY_TRAILER;
        if (!have_key || lsm_ukey_cmp(key, ukl, cur.data, cur.len) != 0) {
            rdb_buf_reset(&cur);
            rdb_buf_append(&cur, key, ukl);
            have_key = true;
            below_seen = false;
            if (open_out && lsm_table_builder_size(o.b) >= db->o.target_file_size) {
                s = lsm_db_out_finish(db, &o, s, err);
                open_out = false;
                if (s != RDB_OK)
                    break;
                out_bytes += o.f->size;
                e->add[e->nadd].level = out_level;
                e->add[e->nadd++].f = o.f;
                if (e->nadd >= (int)RDB_ARRAY_LEN(e->add) - 1) {
                    s = rdb_err_set(err, RDB_INVALID, NULL, "compaction output exceeds %zu files",
                                    RDB_ARRAY_LEN(e->add));
                    break;
                }
            }
        }
        if (drop && drop(db->drop_ctx, key, ukl, lsm_ikey_version(key, kn)))
            continue; /* not ours to keep (lsm_set_drop_filter) */
        if (lsm_ikey_version(key, kn).hlc < horizon) {
            if (below_seen)
                continue; /* shadowed, both below the horizon */
            below_seen = true;
            if (lsm_ikey_kind(key, kn) == LSM_KIND_DELETE &&
                !others_may_hold(v, in, mems, nmem, key, ukl))
                continue; /* nothing older can resurface */
        }
        if (!open_out) {
            pthread_mutex_lock(&db->mu);
            uint64_t num = db->next_file++;
            pthread_mutex_unlock(&db->mu);
            if ((s = lsm_db_out_open(db, num, &o, err)) != RDB_OK)
                break;
            open_out = true;
        }
        lsm_db_out_add(&o, key, kn, val, vn, &s, err);
    }
    if (s == RDB_OK)
        s = it->ops->status(it, err);
    if (open_out) {
        s = lsm_db_out_finish(db, &o, s, err);
        if (s == RDB_OK) {
            out_bytes += o.f->size;
            e->add[e->nadd].level = out_level;
            e->add[e->nadd++].f = o.f;
        }
    }
    it->ops->free(it);
    pthread_rwlock_unlock(&db->drop_mu);
    for (int m = 0; m < nmem; m++)
        lsm_mem_unref(mems[m]);
    rdb_buf_free(&cur);
    pthread_mutex_lock(&db->mu);
    db->pending_from = UINT64_MAX;
    if (s == RDB_OK) {
        for (int i = 0; i < in->n && s == RDB_OK; i++) {
            if (e->ndel >= (int)RDB_ARRAY_LEN(e->del)) {
                s = rdb_err_set(err, RDB_INVALID, NULL, "compaction input exceeds %zu files",
                                RDB_ARRAY_LEN(e->del));
                break;
            }
            e->del[e->ndel].level = in->lv[i];
            e->del[e->ndel++].number = in->f[i]->number;
        }
        if (s == RDB_OK)
            s = lsm_db_log_and_apply(db, e, err);
    }
done:
    for (int i = 0; i < e->nadd; i++)
        lsm_file_unref(e->add[i].f);
    free(e);
    if (s == RDB_OK) {
        db->compactions++;
        db->cbytes_read += in_bytes;
        db->cbytes_written += out_bytes;
        lsm_db_delete_obsolete(db);
    }
    return s;
}

/* Candidate inputs for compacting level into level+1: all of L0, or the
 * first file of Ln after the round-robin pointer that no running
 * compaction holds; plus what they overlap below.  false if none. */
static bool pick(lsm_db_t *db, const lsm_vers_t *v, int level, inputs_t *in)
{
    inputs_init(in, v, level + 1);
    if (level == 0) {
        for (int i = 0; i < v->nfiles[0]; i++)
            inputs_add(in, v->files[0][i], 0);
        add_overlaps(v, in);
        if (!busy(db, in))
            return true;
        inputs_free(in);
        return false;
    }
    rdb_buf_t *p = &db->compact_ptr[level];
    int nf = v->nfiles[level], start = 0;
    for (int i = 0; p->len && i < nf; i++) {
        size_t sn;
        const char *sk = ukey(&v->files[level][i]->smallest, &sn);
        if (lsm_ukey_cmp(sk, sn, p->data, p->len) > 0) {
            start = i;
            break;
        }
    }
    for (int k = 0; k < nf; k++) {
        lsm_file_t *f = v->files[level][(start + k) % nf];
        in->n = 0;
        inputs_add(in, f, level);
        add_overlaps(v, in);
        if (busy(db, in))
            continue;
        size_t ln;
        const char *l = ukey(&f->largest, &ln);
        rdb_buf_reset(p);
        rdb_buf_append(p, l, ln);
        return true;
    }
    inputs_free(in);
    return false;
}

rdb_status_t lsm_compact_some(lsm_db_t *db, bool *did, rdb_err_t *err)
{
    lsm_vers_t *v = db->cur;
    *did = false;
    /* levels over budget, most over first */
    double sc[LSM_MAX_LEVELS];
    for (int l = 0; l < LSM_MAX_LEVELS - 1; l++)
        sc[l] = v->nfiles[l] ? score(db, v, l) : 0;
    for (;;) {
        int best = -1;
        for (int l = 0; l < LSM_MAX_LEVELS - 1; l++)
            if (sc[l] >= 1.0 && (best < 0 || sc[l] > sc[best]))
                best = l;
        if (best < 0)
            return RDB_OK;
        sc[best] = 0;
        inputs_t in;
        if (!pick(db, v, best, &in))
            continue;
        lsm_running_t *x = running_begin(db, &in);
        if (!x) {
            inputs_free(&in);
            return RDB_OK;
        }
        lsm_vers_ref(v);
        rdb_status_t s = run(db, v, &in, err);
        running_end(db, &in, x);
        inputs_free(&in);
        lsm_db_vers_unref_unlocked(db, v);
        *did = true;
        return s;
    }
}

/* Everything into one run at the deepest non-empty level (at least L1),
 * so that garbage collection sees every version of every key. */
rdb_status_t lsm_compact_all(lsm_db_t *db, rdb_err_t *err)
{
    lsm_vers_t *v = db->cur;
    int out = 1;
    for (int l = 1; l < LSM_MAX_LEVELS; l++)
        if (v->nfiles[l])
            out = l;
    lsm_vers_ref(v);
    inputs_t in;
    inputs_init(&in, v, out);
    for (int l = 0; l < LSM_MAX_LEVELS; l++)
        for (int i = 0; i < v->nfiles[l]; i++)
            inputs_add(&in, v->files[l][i], l);
    rdb_status_t s = RDB_OK;
    pthread_rwlock_rdlock(&db->drop_mu);
    bool filter = db->drop_fn != NULL;   /* a filter makes even one file worth rewriting */
    pthread_rwlock_unlock(&db->drop_mu);
    if (in.n > 0 && !(in.n == 1 && in.lv[0] == out && atomic_load(&db->horizon) == 0 && !filter))
        s = run(db, v, &in, err);
    inputs_free(&in);
    lsm_db_vers_unref_unlocked(db, v);
    return s;
}
