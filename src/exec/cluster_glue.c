/*
 * cluster_glue.c — the SQL engine on a cluster node (DESIGN.md §4-5).
 *
 * When build/ringdb runs with --node-id, the server starts a cluster node
 * before the engine (cluster/node.h, IN THE SERVER) and the engine then
 * shares it: ONE store (the node's DATA_DIR/kv, owned by the node) and ONE
 * clock (the node's HLC, which every peer frame advances), and txn_store's
 * node id is --node-id.  So SQL commit versions follow what this node has
 * seen from its peers and LWW compares like with like everywhere.
 *
 * Writes.  Every SQL commit is applied locally by txn_commit (one atomic
 * lsm batch), then the commit hook here hands the batch to the node with
 * CLU_W_APPLIED at the session's ringdb.consistency (one, quorum, all):
 *   ONE     the local durable write is the acknowledgement; the node sends
 *           the records to the other replicas without anyone waiting.
 *   QUORUM  the committing thread waits until rf/2+1 replicas of every
 *   ALL     partition touched (all replicas) applied it, or the node's write
 *           timeout; failure is the node's 57P03.  The local write stays
 *           (LWW: nothing is rolled back) and reaches the others through
 *           hints and anti-entropy.
 * The level is passed from the session to the hook through a thread-local
 * (the hook runs on the committing thread, txn.h).  Sessions whose commits
 * may wait run their statements off the event loop (eng_clu_commit_waits),
 * except the extended protocol's Sync of an implicit transaction.
 *
 * Catalog.  Records that the node applies (peers' writes, hints, read
 * repair, anti-entropy) and that touch the catalog (0x01) bump the catalog
 * generation, so a table created on another node is seen here without a
 * restart.  Secondary index entries (0x03) travel in the same batch as
 * their rows.
 */
#include <ctype.h>
#include <jansson.h>
#include <pthread.h>
#include <string.h>

#include "cluster/node.h"
#include "cluster/ring.h"
#include "common/coding.h"
#include "common/hash.h"
#include "common/log.h"
#include "common/mem.h"
#include "exec/cluster_glue.h"
#include "exec/engine_int.h"
#include "lsm/batch.h"
#include "lsm/ikey.h"
#include "server/options.h"
#include "sql/catalog.h"
#include "sql/table.h"
#include "sql/tabstat.h"

/* The level of the commit running on this thread (0: ONE). */
static _Thread_local clu_consistency_t commit_cl;

uint64_t rdb_sql_key_token(const void *key, size_t klen, void *ctx)
{
    (void)ctx;
    const unsigned char *k = key;
    if (klen >= 13 && k[0] == TXN_PREFIX_ROW) {
        uint64_t t = 0;
        for (int i = 5; i < 13; i++)
            t = t << 8 | k[i];
        return t;
    }
    return clu_token(key, klen);
}

clu_node_t *eng_clu_node(void) { return rdb_server_node(); }

/* The space (0x02 ‖ table id) of a range-partitioned table's row key, for
 * the node's load counters (clu_node_set_range_space): a hash-partitioned
 * table's row key carries the hash of its primary key right after the id
 * (sql/table.c row_key), a range-partitioned one's does not. */
static size_t range_space(void *ctx, const void *key, size_t klen)
{
    (void)ctx;
    const unsigned char *k = key;
    if (klen <= 5 || k[0] != TXN_PREFIX_ROW)
        return 0;
    if (klen >= 13 && rdb_get_u64_be(k + 5) == rdb_hash64(k + 13, klen - 13, 0))
        return 0;
    return 5;
}

/* ---- commits ------------------------------------------------------------- */

typedef struct rec_acc {
    clu_record_t *r;
    size_t        n, cap;
} rec_acc_t;

static rdb_status_t collect(void *arg, int kind, const char *key, size_t klen, lsm_version_t v,
                            const char *val, size_t vlen)
{
    rec_acc_t *a = arg;
    if (klen == 0 || key[0] == TXN_PREFIX_LOCAL)
        return RDB_OK; /* node-local bookkeeping is never replicated */
    if (a->n == a->cap) {
        a->cap = a->cap ? a->cap * 2 : 16;
        a->r = rdb_realloc(a->r, a->cap * sizeof *a->r);
    }
    clu_record_t *r = &a->r[a->n++];
    memset(r, 0, sizeof *r);
    r->key = key;
    r->klen = klen;
    r->version = v;
    r->tombstone = kind == LSM_KIND_DELETE;
    r->value = r->tombstone ? NULL : val;
    r->vlen = r->tombstone ? 0 : vlen;
    return RDB_OK;
}

static void one_done(void *ctx, const rdb_err_t *err)
{
    (void)ctx;
    if (err && err->code != RDB_OK)
        RDB_LOG_WARN("sql", "replicating a commit: %s", err->msg);
}

static rdb_status_t commit_hook(void *ctx, lsm_batch_t *b, lsm_version_t v, rdb_err_t *err)
{
    (void)v;
    rdb_engine_t *e = ctx;
    rec_acc_t a = { 0 };
    rdb_status_t st = lsm_batch_iterate(b->rep.data, b->rep.len, collect, &a, err);
    clu_consistency_t cl = commit_cl ? commit_cl : CLU_CL_ONE;
    if (st == RDB_OK && a.n) {
        if (cl == CLU_CL_ONE)
            st = clu_node_commit_batch(e->node, a.r, a.n, cl, CLU_W_APPLIED, one_done, NULL);
        else
            st = clu_node_write(e->node, a.r, a.n, cl, CLU_W_APPLIED, NULL, err);
    }
    free(a.r);
    return st;
}

static clu_consistency_t session_cl(rdb_session_t *s)
{
    const char *v = eng_guc_get(s, "ringdb.consistency");
    clu_consistency_t cl = CLU_CL_ONE;
    rdb_err_t e = RDB_ERR_INIT;
    if (v && clu_consistency_parse(v, &cl, &e) != RDB_OK)
        cl = CLU_CL_ONE; /* guc.c validated it; defensive */
    rdb_err_clear(&e);
    return cl;
}

rdb_status_t eng_commit(rdb_session_t *s, txn_t *t, rdb_err_t *err)
{
    if (eng_fk_deferred_check(s, t, err) != RDB_OK) {
        txn_abort(t);
        return RDB_SQL;
    }
    commit_cl = s->e->node ? session_cl(s) : CLU_CL_ONE;
    rdb_status_t st = txn_commit(t, err);
    commit_cl = 0;
    if (st == RDB_OK)
        sql_tabstat_end(&s->tabstat, true);
    return st;
}

bool eng_clu_commit_waits(rdb_session_t *s)
{
    return s->e->node && session_cl(s) != CLU_CL_ONE;
}

/* ---- reads ----------------------------------------------------------------- */

/* The readers of txn.h, one per level (ctx: the level). */
static rdb_status_t reader_get(void *ctx, const void *key, size_t klen, rdb_buf_t *val,
                               bool *found, bool *handled, rdb_err_t *err)
{
    clu_consistency_t cl = *(const clu_consistency_t *)ctx;
    clu_node_t *n = eng_clu_node();
    if (cl == CLU_CL_ONE) {
        clu_node_note_read(n, key, klen);
        if (clu_node_repair_due(n))
            clu_node_repair_key(n, key, klen);
        *handled = false;
        return RDB_OK;
    }
    *handled = true;
    return clu_node_read(n, key, klen, cl, val, NULL, found, err);
}

static rdb_status_t reader_scan(void *ctx, const void *lo, size_t lolen, const void *hi,
                                size_t hilen, clu_rows_t *rows, bool *handled, rdb_err_t *err)
{
    clu_consistency_t cl = *(const clu_consistency_t *)ctx;
    if (cl == CLU_CL_ONE) { /* local; point reads repair now and then */
        *handled = false;
        return RDB_OK;
    }
    *handled = true;
    return clu_node_scan(eng_clu_node(), lo, lolen, hi, hilen, cl, rows, err);
}

static const clu_consistency_t levels[] = { CLU_CL_ONE, CLU_CL_QUORUM, CLU_CL_ALL };
static const txn_reader_t readers[] = {
    { reader_get, reader_scan, (void *)&levels[0] },
    { reader_get, reader_scan, (void *)&levels[1] },
    { reader_get, reader_scan, (void *)&levels[2] },
};

void eng_clu_reads(rdb_session_t *s, txn_t *t)
{
    if (!s->e->node || !t)
        return;
    clu_consistency_t cl = session_cl(s);
    txn_set_reader(t, &readers[cl == CLU_CL_ALL ? 2 : cl == CLU_CL_QUORUM ? 1 : 0]);
}

/* ---- range partitions --------------------------------------------------------- */

/* The table named by text (schema-qualified or on the search path). */
static const sql_table_t *part_table(rdb_session_t *s, sql_catsnap_t *snap, const char *text,
                                     rdb_err_t *err)
{
    char *copy = rdb_strdup(text), *schema = NULL, *rel = copy;
    char *dot = strchr(copy, '.');
    if (dot) {
        *dot = 0;
        schema = copy;
        rel = dot + 1;
    }
    for (char *part = schema ? schema : rel; part; part = part == schema ? rel : NULL) {
        size_t len = strlen(part);
        if (len >= 2 && part[0] == '"' && part[len - 1] == '"') {
            memmove(part, part + 1, len - 2);
            part[len - 2] = 0;
        } else {
            for (char *q = part; *q; q++)
                *q = (char)tolower((unsigned char)*q);
        }
    }
    const sql_table_t *t = sql_cat_find(snap, schema, rel, (const char *const *)s->path, s->npath);
    if (!t || t->relkind != SQL_REL_TABLE)
        rdb_err_set(err, RDB_SQL, "42P01", "relation \"%s\" does not exist", text);
    free(copy);
    return t && t->relkind == SQL_REL_TABLE ? t : NULL;
}

static sql_type_t lead_type(const sql_table_t *t)
{
    for (int c = 0; c < t->ncols; c++)
        if (t->cols[c].colid == t->pk_colids[0])
            return t->cols[c].type;
    return (sql_type_t){ SQL_OID_INT4, -1 };
}

/* The key bytes of the leading primary-key value given as text. */
static rdb_status_t part_key(rdb_session_t *s, const sql_table_t *t, const char *text,
                             rdb_buf_t *out, rdb_err_t *err)
{
    rdb_arena_t a;
    rdb_arena_init(&a, 1024);
    sql_value_t v;
    rdb_status_t st = sql_value_in(&a, &s->fs, lead_type(t), text, strlen(text), &v, err);
    if (st == RDB_OK && v.isnull)
        st = rdb_err_set(err, RDB_SQL, "22004", "a partition key cannot be null");
    if (st == RDB_OK)
        sql_key_encode(out, lead_type(t), &v, false);
    rdb_arena_destroy(&a);
    return st;
}

/* Add "<field>_value" (the key decoded as the leading column's text) next
 * to each hex key field of the node's JSON. */
static void decode_field(rdb_session_t *s, const sql_table_t *t, json_t *o, const char *field)
{
    const char *hex = json_string_value(json_object_get(o, field));
    if (!hex)
        return;
    size_t n = strlen(hex) / 2;
    char *bytes = rdb_malloc(n + 1);
    for (size_t i = 0; i < n; i++) {
        unsigned hi = (unsigned)(isdigit((unsigned char)hex[2 * i]) ? hex[2 * i] - '0' : hex[2 * i] - 'a' + 10);
        unsigned lo = (unsigned)(isdigit((unsigned char)hex[2 * i + 1]) ? hex[2 * i + 1] - '0'
                                                                        : hex[2 * i + 1] - 'a' + 10);
        bytes[i] = (char)(hi << 4 | lo);
    }
    rdb_arena_t a;
    rdb_arena_init(&a, 1024);
    sql_value_t v;
    const char *p = bytes;
    rdb_err_t e = RDB_ERR_INIT;
    char name[64];
    snprintf(name, sizeof name, "%s_value", field);
    if (sql_key_decode(&a, lead_type(t), false, &p, bytes + n, &v, &e) == RDB_OK) {
        rdb_buf_t b = RDB_BUF_INIT;
        sql_value_out(&s->fs, lead_type(t), &v, &b);
        json_object_set_new(o, name, json_stringn(b.data ? b.data : "", b.len));
        rdb_buf_free(&b);
    }
    rdb_err_clear(&e);
    rdb_arena_destroy(&a);
    free(bytes);
}

static void decode_parts(rdb_session_t *s, const sql_table_t *t, json_t *parts)
{
    size_t i;
    json_t *p;
    json_array_foreach(parts, i, p) {
        decode_field(s, t, p, "start");
        decode_field(s, t, p, "end");
    }
}

static const char *partitions_text(rdb_session_t *s, const sql_table_t *t, const char *space,
                                   rdb_buf_t *out)
{
    rdb_buf_t raw = RDB_BUF_INIT;
    clu_node_partitions_json(s->e->node, space, 5, &raw);
    json_t *j = json_loadb(raw.data, raw.len, 0, NULL);
    rdb_buf_free(&raw);
    if (!j || !json_is_object(j)) {
        json_decref(j);
        rdb_buf_append_str(out, "null");
        return out->data;
    }
    json_object_set_new(j, "table", json_string(t->name));
    decode_parts(s, t, json_object_get(j, "partitions"));
    decode_parts(s, t, json_object_get(j, "next_partitions"));
    char *d = json_dumps(j, JSON_COMPACT);
    rdb_buf_append_str(out, d);
    free(d);
    json_decref(j);
    return out->data;
}

/* The functions' results: one buffer per thread, freed when it exits. */
static pthread_key_t part_out_key;
static pthread_once_t part_out_once = PTHREAD_ONCE_INIT;

static void part_out_free(void *p)
{
    rdb_buf_free(p);
    free(p);
}

static void part_out_init(void) { pthread_key_create(&part_out_key, part_out_free); }

static rdb_buf_t *part_out(void)
{
    pthread_once(&part_out_once, part_out_init);
    rdb_buf_t *b = pthread_getspecific(part_out_key);
    if (!b) {
        b = rdb_calloc(1, sizeof *b);
        pthread_setspecific(part_out_key, b);
    }
    rdb_buf_reset(b);
    return b;
}

const char *eng_clu_partition_fn(rdb_session_t *s, int fn, const char *table, const char *key,
                                 rdb_err_t *err)
{
    rdb_buf_t *o = part_out();
    if (!s->e->node) {
        rdb_err_set(err, RDB_SQL, RDB_SQLSTATE_FEATURE_NOT_SUPPORTED,
                    "partition maps need a cluster node (--node-id)");
        return NULL;
    }
    txn_t *t = txn_begin(s->e->st);
    sql_catsnap_t *snap = sql_catalog_acquire(s->e->cat, t, err);
    const sql_table_t *tab = snap ? part_table(s, snap, table, err) : NULL;
    const char *res = NULL;
    char space[5];
    rdb_buf_t k = RDB_BUF_INIT;
    if (!tab)
        goto out;
    space[0] = TXN_PREFIX_ROW;
    rdb_put_u32_be(space + 1, tab->id);
    bool ranged = !tab->hash_partitioned && tab->npk > 0;
    if (fn == EX_S_RINGDB_PLACEMENT) {
        rdb_buf_append(&k, space, 5);
        if (tab->npk == 0 || (!ranged && tab->npk != 1)) {
            rdb_err_set(err, RDB_SQL, RDB_SQLSTATE_FEATURE_NOT_SUPPORTED,
                        "ringdb_key_placement needs a range-partitioned table or a "
                        "one-column primary key");
            goto out;
        }
        rdb_buf_t pk = RDB_BUF_INIT;
        rdb_status_t st = part_key(s, tab, key, &pk, err);
        if (st == RDB_OK && !ranged)
            rdb_buf_append_u64_be(&k, rdb_hash64(pk.data, pk.len, 0));
        rdb_buf_append(&k, pk.data, pk.len);
        rdb_buf_free(&pk);
        if (st != RDB_OK)
            goto out;
        clu_node_key_placement_json(s->e->node, k.data, k.len, o);
        res = o->data;
        goto out;
    }
    if (!ranged) {
        rdb_err_set(err, RDB_SQL, "42809", "table \"%s\" is not partitioned by range", tab->name);
        goto out;
    }
    if (fn == EX_S_RINGDB_PARTITIONS) {
        res = partitions_text(s, tab, space, o);
        goto out;
    }
    if (part_key(s, tab, key, &k, err) != RDB_OK)
        goto out;
    if (clu_node_partition_change(s->e->node, space, 5, k.data, k.len, fn == EX_S_RINGDB_SPLIT,
                                  o, err) == RDB_OK)
        res = o->len ? o->data : "{}";
out:
    if (res && res == o->data) { /* the caller takes a C string */
        rdb_buf_append(o, "", 1);
        res = o->data;
    }
    rdb_buf_free(&k);
    if (snap)
        sql_catalog_release(snap);
    txn_abort(t);
    return res;
}

/* ---- records applied by the node ------------------------------------------ */

/* Stale index entries.  Concurrent UPDATEs of an indexed column of one row
 * on two nodes leave the loser's entry behind (rows and entries are LWW
 * keys of their own).  Every row key of an applied batch that carries index
 * entries is queued; a sweeper thread then compares the entries that the
 * row's older versions implied with those of its newest version and
 * erases the outdated ones (sql_table_sweep_row), replicated, so the
 * index's key count matches its rows on every node.  The queue is bounded:
 * beyond SWEEP_MAX keys are dropped (counted) and the entries stay, ignored
 * by reads, until a later change of the row queues it again. */
#define SWEEP_MAX (1u << 20)

static struct {
    pthread_mutex_t mu;
    pthread_cond_t  cv;
    pthread_t       thr;
    bool            started, stop;
    rdb_buf_t       keys;      /* u32 length ‖ key, ...          */
    size_t          n;
    uint64_t        dropped, erased;
} sweep = { .mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER };

static void sweep_keys(rdb_engine_t *e, const rdb_buf_t *keys)
{
    if (!e->cat)
        return;
    txn_t *t = txn_begin(e->st);
    rdb_err_t err = RDB_ERR_INIT;
    sql_catsnap_t *snap = sql_catalog_acquire(e->cat, t, &err);
    for (size_t off = 0; snap && off + 4 <= keys->len;) {
        uint32_t kl = rdb_get_u32_be(keys->data + off);
        const char *k = keys->data + off + 4;
        off += 4 + kl;
        if (kl < 5)
            continue;
        const sql_table_t *tab = sql_cat_by_id(snap, rdb_get_u32_be(k + 1));
        size_t erased = 0;
        if (tab && tab->nindexes &&
            sql_table_sweep_row(e->st, tab, k, kl, &erased, &err) != RDB_OK) {
            RDB_LOG_WARN("sql", "sweeping stale index entries: %s", err.msg);
            rdb_err_clear(&err);
        }
        sweep.erased += erased;
    }
    if (snap)
        sql_catalog_release(snap);
    rdb_err_clear(&err);
    txn_abort(t);
}

static void *sweep_main(void *arg)
{
    rdb_engine_t *e = arg;
    rdb_buf_t mine = RDB_BUF_INIT;
    pthread_mutex_lock(&sweep.mu);
    while (!sweep.stop) {
        if (sweep.n == 0) {
            pthread_cond_wait(&sweep.cv, &sweep.mu);
            continue;
        }
        rdb_buf_t tmp = sweep.keys;
        sweep.keys = mine;
        mine = tmp;
        sweep.n = 0;
        pthread_mutex_unlock(&sweep.mu);
        sweep_keys(e, &mine);
        rdb_buf_reset(&mine);
        pthread_mutex_lock(&sweep.mu);
    }
    pthread_mutex_unlock(&sweep.mu);
    rdb_buf_free(&mine);
    return NULL;
}

static void applied_hook(void *ctx, const clu_record_t *recs, size_t n)
{
    rdb_engine_t *e = ctx;
    bool catalog = false, index = false;
    for (size_t i = 0; i < n; i++) {
        unsigned char k0 = recs[i].klen ? ((const unsigned char *)recs[i].key)[0] : 0;
        catalog |= k0 == TXN_PREFIX_CATALOG;
        index |= k0 == TXN_PREFIX_INDEX;
    }
    if (catalog)
        txn_store_catalog_changed(e->st);
    if (!index || !sweep.started)
        return;
    pthread_mutex_lock(&sweep.mu);
    for (size_t i = 0; i < n; i++) {
        if (!recs[i].klen || ((const unsigned char *)recs[i].key)[0] != TXN_PREFIX_ROW)
            continue;
        if (sweep.n >= SWEEP_MAX) {
            sweep.dropped++;
            continue;
        }
        rdb_buf_append_u32_be(&sweep.keys, (uint32_t)recs[i].klen);
        rdb_buf_append(&sweep.keys, recs[i].key, recs[i].klen);
        sweep.n++;
    }
    pthread_cond_signal(&sweep.cv);
    pthread_mutex_unlock(&sweep.mu);
}

void eng_clu_attach(rdb_engine_t *e)
{
    if (!e->node)
        return;
    txn_store_set_commit_hook(e->st, commit_hook, e);
    sweep.stop = false;
    sweep.started = pthread_create(&sweep.thr, NULL, sweep_main, e) == 0;
    clu_node_set_applied_hook(e->node, applied_hook, e);
    clu_node_set_range_space(e->node, range_space, NULL);
    RDB_LOG_INFO("sql", "engine shares the store and clock of cluster node %u",
                 clu_node_id(e->node));
}

void eng_clu_detach(rdb_engine_t *e)
{
    if (e->node && e->st) {
        clu_node_set_applied_hook(e->node, NULL, NULL);
        clu_node_set_range_space(e->node, NULL, NULL);
    }
    if (sweep.started) {
        pthread_mutex_lock(&sweep.mu);
        sweep.stop = true;
        pthread_cond_signal(&sweep.cv);
        pthread_mutex_unlock(&sweep.mu);
        pthread_join(sweep.thr, NULL);
        sweep.started = false;
        rdb_buf_free(&sweep.keys);
        sweep.n = 0;
        if (sweep.erased || sweep.dropped)
            RDB_LOG_INFO("sql", "stale index entries erased: %llu (rows not swept: %llu)",
                         (unsigned long long)sweep.erased, (unsigned long long)sweep.dropped);
    }
}
