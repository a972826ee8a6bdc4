/*
 * txn.c — snapshot reads and buffered, atomic writes over the LSM store.
 *
 * Decisions:
 *
 * - The write set is an append-only array of entries plus an open-addressing
 *   hash table from key to the entry that is current for it.  Overwriting a
 *   key appends a new entry and repoints the table; the old entry stays
 *   where it is.  So a bulk load (COPY of a million rows into one
 *   transaction) costs O(1) per row, and an iterator, which copies the list
 *   of current entries sorted by key when it is created, keeps seeing the
 *   write set exactly as it was then: an UPDATE that scans a table while
 *   writing to it never meets its own new rows (no Halloween problem).
 *   Key and value bytes live in the transaction's arena.
 *
 * - Bulk runs (txn_put_new, COPY FROM): records appended to large mapped
 *   chunks (tag | lengths | key | value) and entries that stay out of the
 *   hash table until something reads or writes the transaction otherwise.
 *   txn_check_new sorts a run that is the whole write set (bucketed by 16
 *   bits of the key after the prefix all keys share, then each bucket),
 *   which finds repeated keys side by side, and hands the sorted keys to
 *   the commit; a run mixed with other writes is hashed instead.  The
 *   commit frees the write set once its batch is built, so a big write set
 *   and the memtable that takes it are not in memory together.
 *
 * - Commit stamps every write with one version (a fresh HLC tick, this
 *   node's id), builds one lsm batch in write order and applies it with one
 *   lsm_write, so a crash leaves the transaction wholly there or absent.
 *
 * - Clock floor across restarts.  Versions must keep growing after a
 *   restart even if the wall clock went back.  The store keeps a durable
 *   ceiling (a node-local record under key 0x00 "txn.hlc_ceiling", never
 *   replicated) a few seconds ahead of the newest stamp it used; on open the
 *   HLC is floored at it.  It is rewritten (synchronously) only when stamps
 *   come within a second of it, i.e. about every four seconds of writing.
 */
#include "txn/txn.h"

#include <assert.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "common/arena.h"
#include "common/hash.h"
#include "common/mem.h"
#include "lsm/batch.h"

#define CEILING_AHEAD_MS 5000
#define CEILING_SLACK_MS 1000

static const char ceiling_key[] = "\x00txn.hlc_ceiling";
#define CEILING_KEY_LEN (sizeof(ceiling_key) - 1)

struct txn_store {
    lsm_db_t          *db;
    clu_hlc_t         *hlc;
    uint16_t           node_id;
    txn_commit_hook_fn hook;
    void              *hook_ctx;
    txn_commit_start_fn  start;  /* the hook in halves (hook_ctx), or NULL */
    txn_commit_finish_fn finish;
    _Atomic uint64_t   catalog_gen;
    pthread_mutex_t    ceiling_mu;
    uint64_t           ceiling_ms; /* durable: no stamp issued beyond it */
};

typedef struct ws_entry {
    const char *key;   /* txn_put_new: preceded by its 8-byte tag */
    const char *val;   /* NULL for a delete */
    uint32_t    klen : 31;
    uint32_t    isnew : 1;    /* written by txn_put_new */
    uint32_t    vlen : 31;
    uint32_t    pending : 1;  /* txn_put_new, not yet in the hash table */
} ws_entry_t;

struct txn {
    txn_store_t *st;
    uint64_t     snapshot;
    rdb_arena_t  arena;
    ws_entry_t  *ents;     /* every entry, in write order */
    size_t       nents, cap;
    uint32_t    *slots;    /* hash table: entry index + 1, 0 = empty */
    size_t       nslots;   /* power of two */
    size_t       nlive;    /* distinct keys written */
    /* txn_put_new (txn.h): entries [new_base, nents) that are isnew belong
     * to the current run; pending ones are not hashed yet (from pend_lo on).
     * dup_*: the earliest duplicate found by hashing them (dup_ent + 1, 0 =
     * none).  sorted: every current entry in key order, kept from
     * txn_check_new for the commit until the next write (NULL = none). */
    size_t       new_base, pend_lo, npending;
    bool         in_run;
    size_t       dup_ent;
    const char **sorted;   /* txn_put_new keys (see new_rec) */
    size_t       nsorted;
    size_t       wbytes;   /* key and value bytes of every entry, + 24 each */
    struct bulk_chunk *chunks; /* txn_put_new's bytes */
    char        *bptr, *bend;
    bool         wrote_catalog;
    const txn_reader_t *reader;
};

struct txn_iter {
    txn_t        *t;
    lsm_iter_t   *li;       /* the store, or rows (a reader's answer) */
    bool          use_rows;
    clu_rows_t    rows;
    size_t        rpos;
    uint32_t     *ws;      /* current entries in [lo, hi), sorted by key */
    size_t        nws, wpos;
    char         *lo, *hi;   /* copies of the bounds */
    size_t        lolen, hilen;
    bool          started;
    /* txn_iter_reverse: descending; the store's rows [0, rend) and the
     * write set's ws[0, wend) are still to come, the last of each next */
    bool          reverse;
    size_t        rend, wend;
    /* The position: from the store (li) or from the write set (ws[cur]). */
    bool          valid;
    bool          from_ws;
    size_t        cur;
    rdb_err_t     err;
};

/* --- the store --------------------------------------------------------- */

static rdb_status_t write_ceiling(txn_store_t *st, uint64_t ms, rdb_err_t *err)
{
    char v[8];
    for (int i = 0; i < 8; i++)
        v[i] = (char)(ms >> (56 - 8 * i));
    lsm_batch_t *b = lsm_batch_new();
    lsm_version_t ver = { .hlc = CLU_HLC_MAKE(ms, 0), .node_id = st->node_id };
    lsm_batch_put(b, ceiling_key, CEILING_KEY_LEN, ver, v, sizeof v);
    lsm_write_options_t wo = { .sync = true };
    rdb_status_t s = lsm_write(st->db, &wo, b, err);
    lsm_batch_free(b);
    if (s == RDB_OK)
        st->ceiling_ms = ms;
    return s;
}

rdb_status_t txn_store_open(lsm_db_t *db, uint16_t node_id, clu_hlc_t *hlc, txn_store_t **out,
                            rdb_err_t *err)
{
    txn_store_t *st = calloc(1, sizeof *st);
    if (!st)
        return rdb_err_set(err, RDB_NOMEM, "53200", "out of memory");
    st->db = db;
    st->hlc = hlc;
    st->node_id = node_id;
    pthread_mutex_init(&st->ceiling_mu, NULL);

    rdb_buf_t v;
    rdb_buf_init(&v, 16);
    rdb_status_t s = lsm_get(db, NULL, ceiling_key, CEILING_KEY_LEN, &v, NULL, err);
    if (s == RDB_OK && v.len == 8) {
        uint64_t ms = 0;
        for (int i = 0; i < 8; i++)
            ms = ms << 8 | (uint8_t)v.data[i];
        clu_hlc_floor(hlc, CLU_HLC_MAKE(ms, 0));
    } else if (s != RDB_OK && s != RDB_NOTFOUND) {
        rdb_buf_free(&v);
        pthread_mutex_destroy(&st->ceiling_mu);
        free(st);
        return s;
    }
    rdb_buf_free(&v);
    rdb_err_clear(err);
    s = write_ceiling(st, CLU_HLC_MS(clu_hlc_now(hlc)) + CEILING_AHEAD_MS, err);
    if (s != RDB_OK) {
        pthread_mutex_destroy(&st->ceiling_mu);
        free(st);
        return s;
    }
    *out = st;
    return RDB_OK;
}

void txn_store_close(txn_store_t *st)
{
    if (!st)
        return;
    pthread_mutex_destroy(&st->ceiling_mu);
    free(st);
}

void txn_store_set_commit_split(txn_store_t *st, txn_commit_start_fn start,
                                txn_commit_finish_fn finish)
{
    st->start = start;
    st->finish = finish;
}

void txn_store_set_commit_hook(txn_store_t *st, txn_commit_hook_fn fn, void *ctx)
{
    st->hook = fn;
    st->hook_ctx = ctx;
}

lsm_db_t *txn_store_db(txn_store_t *st) { return st->db; }
uint16_t txn_store_node_id(const txn_store_t *st) { return st->node_id; }
uint64_t txn_store_catalog_gen(txn_store_t *st) { return atomic_load(&st->catalog_gen); }

/* A stamp that stays below the durable ceiling, moving the ceiling first
 * when the clock comes close to it. */
static rdb_status_t stamp(txn_store_t *st, uint64_t *out, rdb_err_t *err)
{
    uint64_t ts = clu_hlc_now(st->hlc);
    pthread_mutex_lock(&st->ceiling_mu);
    rdb_status_t s = RDB_OK;
    if (CLU_HLC_MS(ts) + CEILING_SLACK_MS >= st->ceiling_ms)
        s = write_ceiling(st, CLU_HLC_MS(ts) + CEILING_AHEAD_MS, err);
    pthread_mutex_unlock(&st->ceiling_mu);
    *out = ts;
    return s;
}

uint64_t txn_store_now(txn_store_t *st)
{
    uint64_t ts;
    rdb_err_t err = RDB_ERR_INIT;
    if (stamp(st, &ts, &err) != RDB_OK) /* still a valid stamp; log and go on */
        RDB_LOG_WARN("txn", "cannot persist the clock ceiling: %s", err.msg);
    rdb_err_clear(&err);
    return ts;
}

rdb_status_t txn_store_apply(txn_store_t *st, lsm_batch_t *batch, bool has_catalog, rdb_err_t *err)
{
    rdb_status_t s = lsm_write(st->db, NULL, batch, err);
    if (s == RDB_OK && has_catalog)
        atomic_fetch_add(&st->catalog_gen, 1);
    return s;
}

rdb_status_t txn_store_version(txn_store_t *st, const void *key, size_t klen, lsm_version_t *v,
                               bool *tomb, rdb_err_t *err)
{
    rdb_buf_t val = RDB_BUF_INIT;
    rdb_status_t s = lsm_get_versioned(st->db, NULL, key, klen, &val, v, tomb, err);
    rdb_buf_free(&val);
    return s;
}

rdb_status_t txn_store_versions(txn_store_t *st, const void *key, size_t klen, txn_version_fn fn,
                                void *ctx, rdb_err_t *err)
{
    char *hi = malloc(klen + 1);
    if (!hi)
        abort();
    memcpy(hi, key, klen);
    hi[klen] = 0; /* the next key after exactly this one */
    lsm_read_options_t ro;
    lsm_read_options_default(&ro);
    ro.raw = true;
    ro.fill_cache = false;
    ro.lower_bound = key;
    ro.lower_len = klen;
    ro.upper_bound = hi;
    ro.upper_len = klen + 1;
    lsm_iter_t *it = lsm_iter_new(st->db, &ro);
    for (lsm_iter_seek(it, key, klen); lsm_iter_valid(it); lsm_iter_next(it)) {
        size_t kl, vl = 0;
        const char *k = lsm_iter_key(it, &kl);
        if (kl != klen || memcmp(k, key, klen) != 0)
            break;
        bool tomb = lsm_iter_is_tombstone(it);
        const char *v = tomb ? "" : lsm_iter_value(it, &vl);
        if (!fn(ctx, v, vl, lsm_iter_version(it), tomb))
            break;
    }
    rdb_status_t s = lsm_iter_status(it, err);
    lsm_iter_free(it);
    free(hi);
    return s;
}

rdb_status_t txn_store_erase_at(txn_store_t *st, const void *key, size_t klen, lsm_version_t v,
                                rdb_err_t *err)
{
    lsm_batch_t *b = lsm_batch_new();
    lsm_batch_delete(b, key, klen, v);
    rdb_status_t s = lsm_write(st->db, NULL, b, err);
    if (s == RDB_OK && st->hook)
        s = st->hook(st->hook_ctx, b, v, err);
    lsm_batch_free(b);
    return s;
}

void txn_store_catalog_changed(txn_store_t *st) { atomic_fetch_add(&st->catalog_gen, 1); }

/* --- transactions ------------------------------------------------------ */

txn_t *txn_begin(txn_store_t *st)
{
    txn_t *t = calloc(1, sizeof *t);
    if (!t)
        abort();
    t->st = st;
    t->snapshot = txn_store_now(st);
    t->new_base = SIZE_MAX;
    rdb_arena_init(&t->arena, 64 * 1024);
    return t;
}

uint64_t txn_snapshot(const txn_t *t) { return t->snapshot; }
uint64_t txn_set_snapshot(txn_t *t, uint64_t snap)
{
    uint64_t old = t->snapshot;
    t->snapshot = snap;
    return old;
}
txn_store_t *txn_store(const txn_t *t) { return t->st; }
bool txn_store_replicated(const txn_store_t *st) { return st->hook != NULL; }
bool txn_has_writes(const txn_t *t) { return t->nlive > 0; }
bool txn_wrote_catalog(const txn_t *t) { return t->wrote_catalog; }
size_t txn_write_count(const txn_t *t) { return t->nlive; }

static uint64_t key_hash(const void *key, size_t klen) { return rdb_hash64(key, klen, 0x7478); }

/* The slot holding key, or the empty slot where it would go. */
static size_t find_slot(const txn_t *t, const void *key, size_t klen)
{
    size_t mask = t->nslots - 1;
    size_t i = key_hash(key, klen) & mask;
    for (;;) {
        uint32_t e = t->slots[i];
        if (e == 0)
            return i;
        const ws_entry_t *en = &t->ents[e - 1];
        if (en->klen == klen && memcmp(en->key, key, klen) == 0)
            return i;
        i = (i + 1) & mask;
    }
}

static void grow_slots(txn_t *t)
{
    size_t old_n = t->nslots;
    uint32_t *old = t->slots;
    t->nslots = old_n ? old_n * 2 : 64;
    t->slots = calloc(t->nslots, sizeof *t->slots);
    if (!t->slots)
        abort();
    for (size_t i = 0; i < old_n; i++) {
        if (old[i]) {
            const ws_entry_t *en = &t->ents[old[i] - 1];
            t->slots[find_slot(t, en->key, en->klen)] = old[i];
        }
    }
    free(old);
}

static const ws_entry_t *ws_lookup(const txn_t *t, const void *key, size_t klen)
{
    if (!t->nslots)
        return NULL;
    uint32_t e = t->slots[find_slot(t, key, klen)];
    return e ? &t->ents[e - 1] : NULL;
}

/* Ask for transparent huge pages (madvise mode) on the 2 MB-aligned
 * interior of a large block: a million-row COPY touches hundreds of
 * megabytes, and page faults by 4 kB cost more than the copying on
 * virtual machines. */
static void huge_hint(void *p, size_t n)
{
    const uintptr_t h = (uintptr_t)2 << 20;
    uintptr_t lo = ((uintptr_t)p + h - 1) & ~(h - 1), hi = ((uintptr_t)p + n) & ~(h - 1);
    if (hi > lo)
        (void)madvise((void *)lo, hi - lo, MADV_HUGEPAGE);
}

static void ws_reserve(txn_t *t)
{
    if (t->nents == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 64;
        t->ents = realloc(t->ents, t->cap * sizeof *t->ents);
        if (!t->ents)
            abort();
        huge_hint(t->ents, t->cap * sizeof *t->ents);
    }
}

static void drop_sorted(txn_t *t)
{
    free(t->sorted);
    t->sorted = NULL;
    t->nsorted = 0;
}

/* txn_put_new's bytes live in large chunks mapped apart, in huge pages
 * where the kernel allows (huge_hint). */
#define BULK_CHUNK (8u << 20)

typedef struct bulk_chunk {
    struct bulk_chunk *next;
    size_t             size;
} bulk_chunk_t;

static char *bulk_alloc(txn_t *t, size_t n)
{
    n = (n + 7) & ~(size_t)7;
    if ((size_t)(t->bend - t->bptr) < n) {
        size_t size = n + sizeof(bulk_chunk_t) > BULK_CHUNK ? n + sizeof(bulk_chunk_t) : BULK_CHUNK;
        void *m = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (m == MAP_FAILED)
            abort();
        (void)madvise(m, size, MADV_HUGEPAGE);
        bulk_chunk_t *c = m;
        c->next = t->chunks;
        c->size = size;
        t->chunks = c;
        t->bptr = (char *)(c + 1);
        t->bend = (char *)m + size;
    }
    char *p = t->bptr;
    t->bptr += n;
    return p;
}

/* A txn_put_new record: tag (u64) | klen (u32) | vlen (u32) | key | value;
 * its entry's key points at the key.  A sorted run handed from
 * txn_check_new to the commit is a list of such keys, read in one pass. */
#define NEW_HDR 16

static uint64_t ent_tag(const ws_entry_t *en)
{
    uint64_t tag;
    memcpy(&tag, en->key - NEW_HDR, 8);
    return tag;
}

static void new_rec(const char *key, size_t *klen, const char **val, size_t *vlen)
{
    uint32_t kl, vl;
    memcpy(&kl, key - 8, 4);
    memcpy(&vl, key - 4, 4);
    *klen = kl;
    *vlen = vl;
    *val = key + kl;
}

/* Hash the pending entries of txn_put_new so that lookups see them.  Two
 * equal keys of the current run are a duplicate: the first write stays
 * current and the earliest duplicate is kept for txn_check_new. */
static void ws_hash_pending(txn_t *t)
{
    if (!t->npending)
        return;
    while ((t->nlive + 1) * 2 > t->nslots)
        grow_slots(t);
    for (size_t i = t->pend_lo; i < t->nents; i++) {
        ws_entry_t *en = &t->ents[i];
        if (!en->pending)
            continue;
        en->pending = 0;
        size_t slot = find_slot(t, en->key, en->klen);
        uint32_t e = t->slots[slot];
        if (!e) {
            t->slots[slot] = (uint32_t)(i + 1);
            continue;
        }
        t->nlive--; /* counted as a new key by txn_put_new */
        if (t->ents[e - 1].isnew && e - 1 >= t->new_base) {
            if (!t->dup_ent || ent_tag(en) < ent_tag(&t->ents[t->dup_ent - 1]))
                t->dup_ent = i + 1;
        } else {
            t->slots[slot] = (uint32_t)(i + 1);
        }
    }
    t->npending = 0;
    t->pend_lo = t->nents;
}

static void ws_add(txn_t *t, const void *key, size_t klen, const void *val, size_t vlen,
                   bool is_delete)
{
    ws_hash_pending(t);
    drop_sorted(t);
    if ((t->nlive + 1) * 2 > t->nslots)
        grow_slots(t);
    ws_reserve(t);
    size_t slot = find_slot(t, key, klen);
    ws_entry_t *en = &t->ents[t->nents];
    if (klen > INT32_MAX || vlen > INT32_MAX)
        abort(); /* far beyond any protocol message */
    en->isnew = 0;
    en->pending = 0;
    if (t->slots[slot]) {
        en->key = t->ents[t->slots[slot] - 1].key; /* same bytes */
    } else {
        en->key = rdb_arena_memdup(&t->arena, key, klen ? klen : 1);
        t->nlive++;
    }
    en->klen = (uint32_t)klen;
    en->val = is_delete ? NULL : rdb_arena_memdup(&t->arena, vlen ? val : "", vlen ? vlen : 1);
    en->vlen = is_delete ? 0 : (uint32_t)vlen;
    t->slots[slot] = (uint32_t)++t->nents;
    t->wbytes += klen + vlen + 24;
    if (klen && ((const uint8_t *)key)[0] == TXN_PREFIX_CATALOG)
        t->wrote_catalog = true;
}

void txn_put(txn_t *t, const void *key, size_t klen, const void *val, size_t vlen)
{
    ws_add(t, key, klen, val, vlen, false);
}

void txn_delete(txn_t *t, const void *key, size_t klen) { ws_add(t, key, klen, NULL, 0, true); }

void txn_put_new(txn_t *t, const void *key, size_t klen, const void *val, size_t vlen, uint64_t tag)
{
    if (t->new_base == SIZE_MAX) {
        /* a new run: earlier runs' keys are ordinary writes from now on */
        ws_hash_pending(t);
        t->new_base = t->nents;
        t->dup_ent = 0;
    }
    drop_sorted(t);
    ws_reserve(t);
    if (klen > INT32_MAX || vlen > INT32_MAX)
        abort();
    char *p = bulk_alloc(t, NEW_HDR + klen + vlen);
    uint32_t kl = (uint32_t)klen, vl = (uint32_t)vlen;
    memcpy(p, &tag, 8);
    memcpy(p + 8, &kl, 4);
    memcpy(p + 12, &vl, 4);
    p += NEW_HDR;
    memcpy(p, key, klen);
    if (vlen)
        memcpy(p + klen, val, vlen);
    ws_entry_t *en = &t->ents[t->nents];
    en->key = p;
    en->klen = (uint32_t)klen;
    en->val = p + klen;
    en->vlen = (uint32_t)vlen;
    en->isnew = 1;
    en->pending = 1;
    if (!t->npending)
        t->pend_lo = t->nents;
    t->npending++;
    t->nlive++;
    t->nents++;
    t->wbytes += klen + vlen + 24;
    if (klen && ((const uint8_t *)key)[0] == TXN_PREFIX_CATALOG)
        t->wrote_catalog = true;
}

void txn_set_reader(txn_t *t, const txn_reader_t *r) { t->reader = r; }
bool txn_has_reader(const txn_t *t) { return t->reader != NULL; }

/* Is key user data that a reader answers for? */
static bool reader_key(const txn_t *t, const void *key, size_t klen)
{
    if (!t->reader || klen == 0)
        return false;
    uint8_t k0 = ((const uint8_t *)key)[0];
    return k0 == TXN_PREFIX_ROW || k0 == TXN_PREFIX_INDEX;
}

rdb_status_t txn_get(txn_t *t, const void *key, size_t klen, rdb_buf_t *val, bool *found,
                     rdb_err_t *err)
{
    ws_hash_pending(t);
    return txn_get_before_new(t, key, klen, val, found, err);
}

rdb_status_t txn_get_before_new(txn_t *t, const void *key, size_t klen, rdb_buf_t *val, bool *found,
                                rdb_err_t *err)
{
    rdb_buf_reset(val);
    const ws_entry_t *en = ws_lookup(t, key, klen);
    if (en) {
        *found = en->val != NULL;
        if (en->val)
            rdb_buf_append(val, en->val, en->vlen);
        return RDB_OK;
    }
    if (reader_key(t, key, klen) && t->reader->get) {
        bool handled = false;
        rdb_status_t s = t->reader->get(t->reader->ctx, key, klen, val, found, &handled, err);
        if (s != RDB_OK || handled)
            return s;
        rdb_buf_reset(val);
    }
    lsm_read_options_t ro;
    lsm_read_options_default(&ro);
    ro.snapshot = t->snapshot;
    rdb_status_t s = lsm_get(t->st->db, &ro, key, klen, val, NULL, err);
    if (s == RDB_NOTFOUND) {
        rdb_err_clear(err);
        *found = false;
        return RDB_OK;
    }
    *found = s == RDB_OK;
    return s;
}

rdb_status_t txn_get_many(txn_t *t, int n, const void *const *keys, const size_t *klens,
                          lsm_get_result_t *res, rdb_buf_t *vals, rdb_err_t *err)
{
    ws_hash_pending(t);
    if (n <= 0)
        return RDB_OK;
    /* the keys neither the write set nor a reader answers go to the LSM
     * together */
    const void **lk = rdb_malloc(sizeof(*lk) * (size_t)n);
    size_t *ll = rdb_malloc(sizeof(*ll) * (size_t)n);
    int *li = rdb_malloc(sizeof(*li) * (size_t)n);
    lsm_get_result_t *lr = rdb_malloc(sizeof(*lr) * (size_t)n);
    int nl = 0;
    rdb_buf_t one = RDB_BUF_INIT;
    rdb_status_t s = RDB_OK;
    for (int i = 0; i < n && s == RDB_OK; i++) {
        const ws_entry_t *en = ws_lookup(t, keys[i], klens[i]);
        res[i] = (lsm_get_result_t){ false, 0, 0 };
        if (en) {
            res[i].found = en->val != NULL;
            res[i].voff = vals->len;
            res[i].vlen = en->val ? en->vlen : 0;
            if (en->val)
                rdb_buf_append(vals, en->val, en->vlen);
        } else if (reader_key(t, keys[i], klens[i]) && t->reader->get) {
            bool found;
            s = txn_get_before_new(t, keys[i], klens[i], &one, &found, err);
            res[i].found = s == RDB_OK && found;
            res[i].voff = vals->len;
            res[i].vlen = res[i].found ? one.len : 0;
            if (res[i].found)
                rdb_buf_append(vals, one.data, one.len);
        } else {
            lk[nl] = keys[i];
            ll[nl] = klens[i];
            li[nl++] = i;
        }
    }
    if (s == RDB_OK && nl) {
        lsm_read_options_t ro;
        lsm_read_options_default(&ro);
        ro.snapshot = t->snapshot;
        s = lsm_get_many(t->st->db, &ro, nl, lk, ll, lr, vals, err);
        for (int j = 0; s == RDB_OK && j < nl; j++)
            res[li[j]] = lr[j];
    }
    rdb_buf_free(&one);
    free(lk);
    free(ll);
    free(li);
    free(lr);
    return s;
}

/* Free the write set (the transaction itself stays). */
static void ws_release(txn_t *t)
{
    rdb_arena_destroy(&t->arena);
    free(t->ents);
    free(t->slots);
    free(t->sorted);
    for (bulk_chunk_t *c = t->chunks, *nx; c; c = nx) {
        nx = c->next;
        munmap(c, c->size);
    }
    t->ents = NULL;
    t->slots = NULL;
    t->sorted = NULL;
    t->chunks = NULL;
    t->bptr = t->bend = NULL;
    t->nents = t->cap = t->nslots = t->nlive = t->npending = t->nsorted = t->wbytes = 0;
}

void txn_abort(txn_t *t)
{
    if (!t)
        return;
    ws_release(t);
    free(t);
}

/* Sorting the write set: the first 16 key bytes, big-endian, decide most
 * comparisons without touching the keys (a row key's first 8 are the
 * prefix and table id and 3 bytes of the token, shared by many keys). */
typedef struct ws_sortent {
    uint64_t p0, p1;
    uint32_t ent;     /* entry index + 1 */
} ws_sortent_t;

static uint64_t key_prefix8(const char *k, size_t n)
{
    if (n >= 8) {
        uint64_t p;
        memcpy(&p, k, 8);
        return __builtin_bswap64(p);
    }
    uint64_t p = 0;
    for (size_t i = 0; i < 8; i++)
        p = p << 8 | (i < n ? (uint8_t)k[i] : 0);
    return p;
}

static void sortent_set(ws_sortent_t *se, const ws_entry_t *en, uint32_t ent)
{
    se->p0 = key_prefix8(en->key, en->klen);
    se->p1 = en->klen > 8 ? key_prefix8(en->key + 8, en->klen - 8) : 0;
    se->ent = ent;
}

static int key_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
    int c = memcmp(a, b, alen < blen ? alen : blen);
    if (c)
        return c;
    return alen < blen ? -1 : alen > blen;
}

/* By key, then (equal keys of txn_put_new) in write order. */
static int ws_sortent_cmp(const void *x, const void *y, void *arg)
{
    const ws_sortent_t *a = x, *b = y;
    if (a->p0 != b->p0)
        return a->p0 < b->p0 ? -1 : 1;
    if (a->p1 != b->p1)
        return a->p1 < b->p1 ? -1 : 1;
    const txn_t *t = arg;
    const ws_entry_t *ea = &t->ents[a->ent - 1], *eb = &t->ents[b->ent - 1];
    int c = key_cmp(ea->key, ea->klen, eb->key, eb->klen);
    return c ? c : a->ent < b->ent ? -1 : a->ent > b->ent;
}

/* Sort se[0..n) with ws_sortent_cmp.  Large sets are first distributed by
 * the 16 bits of p0 that follow the prefix all of them share (a row key's
 * token: uniform), in order, then each bucket is sorted on its own. */
static void sort_ents(txn_t *t, ws_sortent_t *se, size_t n)
{
    uint64_t diff = 0;
    for (size_t i = 1; i < n; i++)
        diff |= se[i].p0 ^ se[0].p0;
    if (n < 4096 || !diff) {
        qsort_r(se, n, sizeof *se, ws_sortent_cmp, t);
        return;
    }
    int lz = __builtin_clzll(diff);
#define BUCKET(e) ((uint32_t)(((e).p0 << lz) >> 48))
    uint32_t *start = calloc(65537, sizeof *start);
    ws_sortent_t *tmp = malloc(n * sizeof *tmp);
    if (!start || !tmp)
        abort();
    huge_hint(tmp, n * sizeof *tmp);
    for (size_t i = 0; i < n; i++)
        start[BUCKET(se[i]) + 1]++;
    for (size_t b = 1; b <= 65536; b++)
        start[b] += start[b - 1];
    for (size_t i = 0; i < n; i++)
        tmp[start[BUCKET(se[i])]++] = se[i];
#undef BUCKET
    /* start[b] is now the end of bucket b */
    for (size_t b = 0, lo = 0; b < 65536; lo = start[b++]) {
        size_t hi = start[b];
        if (hi - lo > 32) {
            qsort_r(tmp + lo, hi - lo, sizeof *tmp, ws_sortent_cmp, t);
            continue;
        }
        for (size_t i = lo + 1; i < hi; i++) {
            ws_sortent_t x = tmp[i];
            size_t j = i;
            for (; j > lo && ws_sortent_cmp(&tmp[j - 1], &x, t) > 0; j--)
                tmp[j] = tmp[j - 1];
            tmp[j] = x;
        }
    }
    memcpy(se, tmp, n * sizeof *se);
    free(tmp);
    free(start);
}

static bool in_bounds(const ws_entry_t *en, const void *lo, size_t lolen, const void *hi,
                      size_t hilen)
{
    if (lo && key_cmp(en->key, en->klen, lo, lolen) < 0)
        return false;
    if (hi && key_cmp(en->key, en->klen, hi, hilen) >= 0)
        return false;
    return true;
}

/* The current entries (index + 1) with keys in [lo, hi) (NULL: open),
 * sorted by key; malloc'ed, NULL when there are none. */
static uint32_t *ws_sorted(txn_t *t, const void *lo, size_t lolen, const void *hi,
                           size_t hilen, size_t *nout)
{
    size_t n = 0;
    *nout = 0;
    ws_hash_pending(t);
    if (!t->nlive)
        return NULL;
    ws_sortent_t *se = malloc(t->nlive * sizeof *se);
    if (!se)
        abort();
    for (size_t i = 0; i < t->nslots; i++) {
        uint32_t e = t->slots[i];
        if (e && in_bounds(&t->ents[e - 1], lo, lolen, hi, hilen))
            sortent_set(&se[n++], &t->ents[e - 1], e);
    }
    sort_ents(t, se, n);
    uint32_t *out = (uint32_t *)se; /* compact in place: out[i] is before se[i] */
    for (size_t i = 0; i < n; i++)
        out[i] = se[i].ent;
    *nout = n;
    return out;
}

static bool same_key(const txn_t *t, const ws_sortent_t *a, const ws_sortent_t *b)
{
    if (a->p0 != b->p0 || a->p1 != b->p1)
        return false;
    const ws_entry_t *ea = &t->ents[a->ent - 1], *eb = &t->ents[b->ent - 1];
    return key_cmp(ea->key, ea->klen, eb->key, eb->klen) == 0;
}

bool txn_check_new(txn_t *t, uint64_t *tag, const char **val, size_t *vlen)
{
    if (t->new_base == SIZE_MAX)
        return false;
    t->new_base = SIZE_MAX;
    const ws_entry_t *dup = NULL;
    if (t->npending && t->npending == t->nents) {
        /* The write set is this run alone (a COPY in its own transaction):
         * sort it, which finds equal keys next to each other, and keep the
         * order for the commit instead of hashing every key. */
        size_t n = t->nents;
        ws_sortent_t *se = malloc(n * sizeof *se);
        if (!se)
            abort();
        huge_hint(se, n * sizeof *se);
        for (size_t i = 0; i < n; i++)
            sortent_set(&se[i], &t->ents[i], (uint32_t)(i + 1));
        sort_ents(t, se, n);
        for (size_t i = 1; i < n; i++)
            if (same_key(t, &se[i - 1], &se[i])) {
                const ws_entry_t *en = &t->ents[se[i].ent - 1];
                if (!dup || ent_tag(en) < ent_tag(dup))
                    dup = en;
            }
        if (dup) {
            free(se);
        } else {
            const char **out = (const char **)se; /* compact in place */
            for (size_t i = 0; i < n; i++) {
                if (i + 16 < n)
                    __builtin_prefetch(&t->ents[se[i + 16].ent - 1]);
                out[i] = t->ents[se[i].ent - 1].key; /* se[i] read before out[i] overlaps it */
            }
            t->sorted = out;
            t->nsorted = n;
        }
    } else {
        ws_hash_pending(t);
        if (t->dup_ent)
            dup = &t->ents[t->dup_ent - 1];
        t->dup_ent = 0;
    }
    if (!dup)
        return false;
    *tag = ent_tag(dup);
    *val = dup->val;
    *vlen = dup->vlen;
    return true;
}

/* Commit with the version *fixed, or a fresh stamp when fixed is NULL. */
static rdb_status_t commit_with(txn_t *t, const lsm_version_t *fixed, rdb_err_t *err)
{
    rdb_status_t s = RDB_OK;
    if (t->nlive == 0)
        goto out;
    lsm_version_t v = { .node_id = t->st->node_id };
    if (fixed)
        v = *fixed;
    else if ((s = stamp(t->st, &v.hlc, err)) != RDB_OK)
        goto out;
    /* The current entries in key order: the memtable then takes them as
     * an ascending run (skiplist.c's splice), and the batch is sized once. */
    lsm_batch_t *b = lsm_batch_new();
    lsm_batch_reserve(b, t->wbytes);
    huge_hint(b->rep.data, t->wbytes);
    if (t->sorted) {
        /* a run sorted by txn_check_new: one pass over its keys */
        for (size_t i = 0; i < t->nsorted; i++) {
            if (i + 8 < t->nsorted) {
                __builtin_prefetch(t->sorted[i + 8] - NEW_HDR);
                __builtin_prefetch(t->sorted[i + 8] + 48);
            }
            const char *val;
            size_t klen, vlen;
            new_rec(t->sorted[i], &klen, &val, &vlen);
            lsm_batch_put(b, t->sorted[i], klen, v, val, vlen);
        }
    } else {
        size_t n;
        uint32_t *order = ws_sorted(t, NULL, 0, NULL, 0, &n);
        for (size_t i = 0; i < n; i++) {
            const ws_entry_t *en = &t->ents[order[i] - 1];
            if (en->val)
                lsm_batch_put(b, en->key, en->klen, v, en->val, en->vlen);
            else
                lsm_batch_delete(b, en->key, en->klen, v);
        }
        free(order);
    }
    /* the batch holds it all now: a large write set need not stay beside
     * the memtable it goes into */
    ws_release(t);
    txn_store_t *st = t->st;
    void *pending = NULL;
    bool split = st->hook && st->start && st->finish;
    /* the replicas get the batch while it is written and fsynced here */
    if (split)
        s = st->start(st->hook_ctx, b, v, &pending, err);
    if (s == RDB_OK) {
        s = lsm_write(st->db, NULL, b, err);
        if (s == RDB_OK && t->wrote_catalog)
            atomic_fetch_add(&st->catalog_gen, 1);
        if (split) {
            rdb_err_t e2 = RDB_ERR_INIT;
            rdb_status_t s2 = st->finish(st->hook_ctx, pending, &e2);
            if (s == RDB_OK && s2 != RDB_OK) {
                s = s2;
                if (err)
                    rdb_err_move(err, &e2);
            }
            rdb_err_clear(&e2);
        } else if (s == RDB_OK && st->hook) {
            s = st->hook(st->hook_ctx, b, v, err);
        }
    }
    lsm_batch_free(b);
out:
    txn_abort(t);
    return s;
}

rdb_status_t txn_commit(txn_t *t, rdb_err_t *err) { return commit_with(t, NULL, err); }

rdb_status_t txn_commit_at(txn_t *t, lsm_version_t v, rdb_err_t *err)
{
    return commit_with(t, &v, err);
}

/* --- iterators --------------------------------------------------------- */

txn_iter_t *txn_iter_new(txn_t *t, const void *lo, size_t lolen, const void *hi, size_t hilen)
{
    txn_iter_t *it = calloc(1, sizeof *it);
    if (!it)
        abort();
    it->t = t;
    it->err = (rdb_err_t)RDB_ERR_INIT;
    if (lo) {
        it->lo = malloc(lolen ? lolen : 1);
        memcpy(it->lo, lo, lolen);
        it->lolen = lolen;
    }
    if (hi) {
        it->hi = malloc(hilen ? hilen : 1);
        memcpy(it->hi, hi, hilen);
        it->hilen = hilen;
    }
    /* The current entries within bounds, sorted. */
    it->ws = ws_sorted(t, lo, lolen, hi, hilen, &it->nws);
    if (reader_key(t, lo, lolen) && hi && hilen && t->reader->scan) {
        bool handled = false;
        if (t->reader->scan(t->reader->ctx, lo, lolen, hi, hilen, &it->rows, &handled,
                            &it->err) != RDB_OK) {
            it->use_rows = true; /* no rows; settle reports the error */
            return it;
        }
        if (handled) {
            it->use_rows = true;
            return it;
        }
        clu_rows_free(&it->rows);
    }
    lsm_read_options_t ro;
    lsm_read_options_default(&ro);
    ro.snapshot = t->snapshot;
    ro.lower_bound = it->lo;
    ro.lower_len = it->lolen;
    ro.upper_bound = it->hi;
    ro.upper_len = it->hilen;
    it->li = lsm_iter_new(t->st->db, &ro);
    if (lo)
        lsm_iter_seek(it->li, lo, lolen);
    else
        lsm_iter_seek_first(it->li);
    return it;
}

/* The store side of an iterator: the lsm iterator, or a reader's rows
 * (tombstones skipped). */
static bool src_valid(txn_iter_t *it)
{
    if (!it->use_rows)
        return lsm_iter_valid(it->li);
    while (it->rpos < it->rows.n && it->rows.r[it->rpos].tombstone)
        it->rpos++;
    return it->rpos < it->rows.n;
}

static rdb_status_t src_status(txn_iter_t *it)
{
    if (!it->use_rows)
        return lsm_iter_status(it->li, &it->err);
    return it->err.code;
}

static const char *src_key(const txn_iter_t *it, size_t *klen)
{
    if (!it->use_rows)
        return lsm_iter_key(it->li, klen);
    const clu_row_t *r = &it->rows.r[it->rpos];
    *klen = r->klen;
    return it->rows.store.data + r->koff;
}

static void src_next(txn_iter_t *it)
{
    if (it->use_rows)
        it->rpos++;
    else
        lsm_iter_next(it->li);
}

void txn_iter_seek(txn_iter_t *it, const void *key, size_t klen)
{
    if (it->use_rows) {
        size_t lo = 0, hi = it->rows.n;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            const clu_row_t *r = &it->rows.r[mid];
            if (key_cmp(it->rows.store.data + r->koff, r->klen, key, klen) < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        it->rpos = lo;
    } else {
        lsm_iter_seek(it->li, key, klen);
    }
    /* first write-set entry >= key */
    size_t lo = 0, hi = it->nws;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        const ws_entry_t *en = &it->t->ents[it->ws[mid] - 1];
        if (key_cmp(en->key, en->klen, key, klen) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    it->wpos = lo;
    it->started = false;
    it->valid = false;
}

/* Position on the smaller of the store's and the write set's next keys,
 * skipping deletes; lsm and ws are both at their next unconsumed entry. */
static bool settle(txn_iter_t *it)
{
    for (;;) {
        bool lv = src_valid(it);
        bool wv = it->wpos < it->nws;
        if (!lv && src_status(it) != RDB_OK) {
            it->valid = false;
            return false;
        }
        if (!lv && !wv) {
            it->valid = false;
            return false;
        }
        int c;
        if (!wv) {
            c = -1;
        } else if (!lv) {
            c = 1;
        } else {
            size_t lk;
            const char *k = src_key(it, &lk);
            const ws_entry_t *en = &it->t->ents[it->ws[it->wpos] - 1];
            c = key_cmp(k, lk, en->key, en->klen);
        }
        if (c < 0) {
            it->from_ws = false;
            it->valid = true;
            return true;
        }
        /* The write set wins over the store for an equal key. */
        if (c == 0)
            src_next(it);
        const ws_entry_t *en = &it->t->ents[it->ws[it->wpos] - 1];
        if (en->val) {
            it->from_ws = true;
            it->cur = it->wpos;
            it->valid = true;
            return true;
        }
        it->wpos++; /* deleted in this transaction */
    }
}

/* --- descending iteration (txn_iter_reverse) --- */

static bool src_valid_rev(txn_iter_t *it)
{
    if (!it->use_rows)
        return lsm_iter_valid(it->li);
    while (it->rend > 0 && it->rows.r[it->rend - 1].tombstone)
        it->rend--;
    if (it->rend == 0)
        return false;
    it->rpos = it->rend - 1; /* what src_key and txn_iter_value read */
    return true;
}

static void src_prev(txn_iter_t *it)
{
    if (it->use_rows)
        it->rend--;
    else
        lsm_iter_prev(it->li);
}

void txn_iter_reverse(txn_iter_t *it)
{
    assert(!it->started);
    it->reverse = true;
    it->rend = it->use_rows ? it->rows.n : 0;
    it->wend = it->nws;
    if (it->use_rows)
        return;
    if (it->hi) {
        lsm_iter_seek_for_prev(it->li, it->hi, it->hilen);
        size_t kl;
        if (lsm_iter_valid(it->li) && key_cmp(lsm_iter_key(it->li, &kl), kl, it->hi, it->hilen) >= 0)
            lsm_iter_prev(it->li); /* hi is exclusive */
    } else {
        lsm_iter_seek_last(it->li);
    }
}

/* settle, descending: the larger of the two sources' last keys. */
static bool settle_rev(txn_iter_t *it)
{
    for (;;) {
        bool lv = src_valid_rev(it);
        bool wv = it->wend > 0;
        if ((!lv && src_status(it) != RDB_OK) || (!lv && !wv)) {
            it->valid = false;
            return false;
        }
        int c;
        if (!wv) {
            c = 1;
        } else if (!lv) {
            c = -1;
        } else {
            size_t lk;
            const char *k = src_key(it, &lk);
            const ws_entry_t *en = &it->t->ents[it->ws[it->wend - 1] - 1];
            c = key_cmp(k, lk, en->key, en->klen);
        }
        if (c > 0) {
            it->from_ws = false;
            it->valid = true;
            return true;
        }
        if (c == 0)
            src_prev(it);
        const ws_entry_t *en = &it->t->ents[it->ws[it->wend - 1] - 1];
        if (en->val) {
            it->from_ws = true;
            it->cur = it->wend - 1;
            it->valid = true;
            return true;
        }
        it->wend--; /* deleted in this transaction */
    }
}

static bool next_rev(txn_iter_t *it)
{
    if (!it->started) {
        it->started = true;
    } else if (it->valid) {
        if (it->from_ws)
            it->wend--;
        else
            src_prev(it);
    } else {
        return false;
    }
    return settle_rev(it);
}

bool txn_iter_next(txn_iter_t *it)
{
    if (it->reverse)
        return next_rev(it);
    if (!it->started) {
        it->started = true;
    } else if (it->valid) {
        if (it->from_ws)
            it->wpos++;
        else
            src_next(it);
    } else {
        return false;
    }
    return settle(it);
}

const char *txn_iter_key(const txn_iter_t *it, size_t *klen)
{
    if (it->from_ws) {
        const ws_entry_t *en = &it->t->ents[it->ws[it->cur] - 1];
        *klen = en->klen;
        return en->key;
    }
    return src_key(it, klen);
}

const char *txn_iter_value(const txn_iter_t *it, size_t *vlen)
{
    if (it->from_ws) {
        const ws_entry_t *en = &it->t->ents[it->ws[it->cur] - 1];
        *vlen = en->vlen;
        return en->val;
    }
    if (it->use_rows) {
        const clu_row_t *r = &it->rows.r[it->rpos];
        *vlen = r->vlen;
        return it->rows.store.data + r->voff;
    }
    return lsm_iter_value(it->li, vlen);
}

rdb_status_t txn_iter_status(const txn_iter_t *it, rdb_err_t *err)
{
    if (it->err.code == RDB_OK)
        return RDB_OK;
    rdb_err_set(err, it->err.code, it->err.sqlstate, "%s", it->err.msg ? it->err.msg : "");
    return it->err.code;
}

void txn_iter_free(txn_iter_t *it)
{
    if (!it)
        return;
    lsm_iter_free(it->li);
    clu_rows_free(&it->rows);
    rdb_err_clear(&it->err);
    free(it->ws);
    free(it->lo);
    free(it->hi);
    free(it);
}
