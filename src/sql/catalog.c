/*
 * catalog.c — the system catalog: records, the per-node cache, snapshots,
 * name lookup, id allocation, roles and sequences (sql/catalog.h).
 *
 * Records.  Every catalog object is one key under TXN_PREFIX_CATALOG (0x01)
 * with a MessagePack map as its value (maps, so that fields can be added
 * without a format change; readers ignore keys they do not know):
 *
 *   KEY                            VALUE
 *   01 'V'                         {"format": 1}; present once bootstrapped
 *   01 'D' name                    database {"id","name","owner"}
 *   01 'N' be32 id                 schema {"id","name","owner"}
 *   01 'R' be32 id                 relation: table, view, sequence; its
 *                                  columns, indexes (the primary key's too),
 *                                  checks, view text, sequence options
 *   01 'A' name                    role {"id","name","pw","login","super",...}
 *   01 'I' be16 node_id            id allocator high-water mark of a node
 *
 * A relation is one record with everything in it, so a DDL statement
 * rewrites one key and a reader never sees half a table.
 *
 * Cache and snapshots.  The node keeps one parsed snapshot (an arena holding
 * everything, reference-counted).  sql_catalog_acquire compares the store's
 * catalog generation with the one the cached snapshot was loaded at and
 * reloads when it moved (a commit here, or a replicated batch applied with
 * txn_store_apply).  The generation is read before the scan, so a commit
 * racing with the load only causes one more reload later.  The shared
 * snapshot reads the newest committed versions (not at an HLC stamp: a
 * replicated record may carry a stamp ahead of this node's clock).  A transaction
 * that wrote catalog records gets a private snapshot read through the
 * transaction (its own uncommitted DDL included), rebuilt per statement.
 *
 * Ids.  Tables, indexes, sequences, views, schemas and roles share one
 * 32-bit id space (their OIDs as clients see them).  An id is
 * counter << 10 | (node_id & 1023): each node allocates from its own
 * counter, so two nodes creating objects at the same time never collide
 * (clusters of up to 1024 nodes; 4 million objects per node).  The counter
 * starts at 16 (id >= 16384, PostgreSQL's FirstNormalObjectId) and its
 * high-water mark is written in the allocating transaction; on load the
 * counter also moves past every id of this node found in the catalog.
 *
 * Two nodes creating the same name at the same time both succeed (LWW has
 * no uniqueness); lookup then picks the lower id, on every node alike.
 *
 * Bootstrap writes its fixed records (schemas, postgres, the superuser
 * role) on any store without the 'V' record, all at one fixed version
 * (TXN_BOOTSTRAP_VERSION, older than any stamp): every node of a cluster
 * writes the same records at the same version, and any later change (an
 * ALTER ROLE's password) wins over a node that bootstraps after it, e.g.
 * one joining later.  Every node must bootstrap with the same superuser.
 *
 * Sequences.  A sequence's state is its single "row" at 0x02 ‖ seq_id
 * (outside the catalog prefix, so nextval does not reload catalogs):
 * MessagePack [last_value, is_called].  nextval is not transactional: each
 * node keeps the state in memory and writes a high-water mark 32 values
 * ahead in its own small transaction (PostgreSQL's SEQ_LOG_VALS), so a
 * crash skips at most 32 values and never repeats one.  Cluster safety is
 * not there yet: two nodes drawing from one sequence may hand out the same
 * values.  The intended scheme is block leases: a node claims a block of
 * values with a conditional write at the sequence row's primary replica
 * (first-committer-wins, the transactions issue) and serves it locally.
 *
 * Roles.  Passwords are stored as SCRAM-SHA-256 verifiers computed here
 * with OpenSSL (src/pgwire/scram.c sits above src/sql in the module order
 * and is not in a library), or as given when the client sends a verifier
 * or an md5 hash (as PostgreSQL does).
 */
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <msgpack.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/coding.h"
#include "common/hash.h"
#include "common/log.h"
#include "common/mem.h"
#include "sql/catalog_int.h"
#include "sql/types.h"

#define CAT_FORMAT       1
#define ID_NODE_BITS     10
#define ID_NODE_MASK     ((1u << ID_NODE_BITS) - 1)
#define ID_FIRST_COUNTER (SQL_FIRST_USER_ID >> ID_NODE_BITS)
#define SEQ_LOG_VALS     32

struct sql_catsnap {
    atomic_int      refs;
    uint64_t        gen;
    bool            private_;
    rdb_arena_t     a;
    sql_table_t   **rels;   /* sorted by id */
    int             nrels, caprels;
    sql_schema_t   *schemas;
    int             nschemas, capschemas;
    sql_role_t     *roles;
    int             nroles, caproles;
    sql_database_t *dbs;
    int             ndbs, capdbs;
    uint32_t       *ht;     /* (schema, name) -> rels index + 1 */
    uint32_t        htmask;
    uint32_t        id_counter_max; /* highest counter of this node seen */
};

typedef struct seq_state {
    uint32_t id;
    uint32_t rgen;
    int64_t  cur;
    bool     called;
    int64_t  reserved; /* values up to here are covered by the durable row */
} seq_state_t;

struct sql_catalog {
    txn_store_t     *st;
    uint16_t         node_id;
    pthread_mutex_t  mu;
    sql_catsnap_t   *cur;
    uint32_t         id_next;  /* next counter to hand out */
    pthread_mutex_t  seq_mu;
    seq_state_t     *seqs;
    int              nseqs, capseqs;
};

/* --- MessagePack helpers --------------------------------------------------- */

static int buf_write(void *data, const char *p, size_t n)
{
    rdb_buf_append((rdb_buf_t *)data, p, n);
    return 0;
}

static void pk_str(msgpack_packer *pk, const char *s)
{
    if (!s) {
        msgpack_pack_nil(pk);
        return;
    }
    size_t n = strlen(s);
    msgpack_pack_str(pk, n);
    msgpack_pack_str_body(pk, s, n);
}

static void pk_bool(msgpack_packer *pk, bool b)
{
    if (b)
        msgpack_pack_true(pk);
    else
        msgpack_pack_false(pk);
}

static const msgpack_object *mp_get(const msgpack_object *map, const char *key)
{
    if (!map || map->type != MSGPACK_OBJECT_MAP)
        return NULL;
    size_t kl = strlen(key);
    for (uint32_t i = 0; i < map->via.map.size; i++) {
        const msgpack_object *k = &map->via.map.ptr[i].key;
        if (k->type == MSGPACK_OBJECT_STR && k->via.str.size == kl &&
            memcmp(k->via.str.ptr, key, kl) == 0)
            return &map->via.map.ptr[i].val;
    }
    return NULL;
}

static char *mp_str(rdb_arena_t *a, const msgpack_object *o)
{
    if (!o || o->type != MSGPACK_OBJECT_STR)
        return NULL;
    return rdb_arena_strndup(a, o->via.str.ptr, o->via.str.size);
}

static int64_t mp_int(const msgpack_object *o, int64_t def)
{
    if (!o)
        return def;
    if (o->type == MSGPACK_OBJECT_POSITIVE_INTEGER)
        return (int64_t)o->via.u64;
    if (o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER)
        return o->via.i64;
    return def;
}

static double mp_float(const msgpack_object *o)
{
    if (o && (o->type == MSGPACK_OBJECT_FLOAT32 || o->type == MSGPACK_OBJECT_FLOAT64))
        return o->via.f64;
    return (double)mp_int(o, 0);
}

static bool mp_bool(const msgpack_object *o, bool def)
{
    return o && o->type == MSGPACK_OBJECT_BOOLEAN ? o->via.boolean : def;
}

static uint32_t mp_len(const msgpack_object *o)
{
    return o && o->type == MSGPACK_OBJECT_ARRAY ? o->via.array.size : 0;
}

static const msgpack_object *mp_at(const msgpack_object *o, uint32_t i)
{
    return &o->via.array.ptr[i];
}

/* --- keys ---------------------------------------------------------------- */

static void key_id(rdb_buf_t *k, char kind, uint32_t id)
{
    rdb_buf_reset(k);
    rdb_buf_append_u8(k, TXN_PREFIX_CATALOG);
    rdb_buf_append_u8(k, (uint8_t)kind);
    rdb_buf_append_u32_be(k, id);
}

static void key_name(rdb_buf_t *k, char kind, const char *name)
{
    rdb_buf_reset(k);
    rdb_buf_append_u8(k, TXN_PREFIX_CATALOG);
    rdb_buf_append_u8(k, (uint8_t)kind);
    rdb_buf_append_str(k, name);
}

static void put_record(txn_t *t, rdb_buf_t *key, rdb_buf_t *val)
{
    txn_put(t, key->data, key->len, val->data, val->len);
    rdb_buf_free(key);
    rdb_buf_free(val);
}

/* --- relation records ---------------------------------------------------- */

static void pack_index(msgpack_packer *pk, const sql_index_t *ix)
{
    msgpack_pack_map(pk, ix->deferrable ? 8 : 7);
    pk_str(pk, "id"); msgpack_pack_uint32(pk, ix->id);
    pk_str(pk, "name"); pk_str(pk, ix->name);
    pk_str(pk, "uniq"); pk_bool(pk, ix->unique);
    pk_str(pk, "prim"); pk_bool(pk, ix->primary);
    pk_str(pk, "cons"); pk_bool(pk, ix->is_constraint);
    pk_str(pk, "cols");
    msgpack_pack_array(pk, (size_t)ix->ncols);
    for (int i = 0; i < ix->ncols; i++)
        msgpack_pack_uint16(pk, ix->colids[i]);
    pk_str(pk, "desc");
    msgpack_pack_array(pk, (size_t)ix->ncols);
    for (int i = 0; i < ix->ncols; i++)
        pk_bool(pk, ix->desc && ix->desc[i]);
    if (ix->deferrable) {
        /* as a foreign key's: 1 DEFERRABLE INITIALLY IMMEDIATE, 2 INITIALLY DEFERRED */
        pk_str(pk, "dfr"); msgpack_pack_uint8(pk, ix->initdeferred ? 2 : 1);
    }
}

static void unpack_index(rdb_arena_t *a, const msgpack_object *o, uint32_t table_id, sql_index_t *ix)
{
    ix->id = (uint32_t)mp_int(mp_get(o, "id"), 0);
    ix->table_id = table_id;
    ix->name = mp_str(a, mp_get(o, "name"));
    ix->unique = mp_bool(mp_get(o, "uniq"), false);
    ix->primary = mp_bool(mp_get(o, "prim"), false);
    ix->is_constraint = mp_bool(mp_get(o, "cons"), false);
    int64_t dfr = mp_int(mp_get(o, "dfr"), 0);
    ix->deferrable = dfr > 0;
    ix->initdeferred = dfr == 2;
    const msgpack_object *cols = mp_get(o, "cols"), *desc = mp_get(o, "desc");
    ix->ncols = (int)mp_len(cols);
    ix->colids = RDB_ARENA_NEWN(a, uint16_t, ix->ncols + 1);
    ix->desc = RDB_ARENA_NEWN(a, bool, ix->ncols + 1);
    for (int i = 0; i < ix->ncols; i++) {
        ix->colids[i] = (uint16_t)mp_int(mp_at(cols, (uint32_t)i), 0);
        ix->desc[i] = (uint32_t)i < mp_len(desc) && mp_bool(mp_at(desc, (uint32_t)i), false);
    }
}

static void pack_values(msgpack_packer *pk, sql_type_t t, const sql_value_t *v, int n)
{
    msgpack_pack_array(pk, (size_t)n);
    for (int i = 0; i < n; i++)
        sql_value_pack(pk, t, &v[i]);
}

/* n values of type t from array o into a (copied); 0 if o is no array or
 * a value does not decode (statistics are only estimates: dropped). */
static int unpack_values(rdb_arena_t *a, sql_type_t t, const msgpack_object *o, sql_value_t **out)
{
    uint32_t n = mp_len(o);
    *out = NULL;
    if (n == 0)
        return 0;
    sql_value_t *v = RDB_ARENA_NEWN(a, sql_value_t, n);
    rdb_err_t err = { 0 };
    for (uint32_t i = 0; i < n; i++) {
        sql_value_t x;
        if (sql_value_unpack(a, t, mp_at(o, i), &x, &err) != RDB_OK || x.isnull) {
            rdb_err_clear(&err);
            return 0;
        }
        v[i] = sql_value_copy(a, t, x);
    }
    *out = v;
    return (int)n;
}

static void pack_table(rdb_buf_t *out, const sql_table_t *t)
{
    msgpack_packer pkr, *pk = &pkr;
    msgpack_packer_init(pk, out, buf_write);
    msgpack_pack_map(pk, 22);
    pk_str(pk, "id"); msgpack_pack_uint32(pk, t->id);
    pk_str(pk, "schema"); msgpack_pack_uint32(pk, t->schema_id);
    pk_str(pk, "name"); pk_str(pk, t->name);
    pk_str(pk, "kind"); msgpack_pack_uint8(pk, (uint8_t)t->relkind);
    pk_str(pk, "owner"); pk_str(pk, t->owner);
    pk_str(pk, "comment"); pk_str(pk, t->comment);
    pk_str(pk, "nrowcols"); msgpack_pack_uint16(pk, t->nrowcols);
    pk_str(pk, "cols");
    msgpack_pack_array(pk, (size_t)t->ncols);
    for (int i = 0; i < t->ncols; i++) {
        const sql_column_t *c = &t->cols[i];
        msgpack_pack_map(pk, 15);
        pk_str(pk, "name"); pk_str(pk, c->name);
        pk_str(pk, "cor");
        if (c->has_correlation)
            msgpack_pack_float(pk, c->correlation);
        else
            msgpack_pack_nil(pk);
        pk_str(pk, "nf"); msgpack_pack_float(pk, c->null_frac);
        pk_str(pk, "nd"); msgpack_pack_double(pk, c->n_distinct);
        /* ANALYZE's distribution (colstats.h) */
        pk_str(pk, "mcv"); pack_values(pk, c->type, c->mcv, c->nmcv);
        pk_str(pk, "mcf");
        msgpack_pack_array(pk, (size_t)c->nmcv);
        for (int k = 0; k < c->nmcv; k++)
            msgpack_pack_float(pk, c->mcv_freq[k]);
        pk_str(pk, "hist"); pack_values(pk, c->type, c->hist, c->nhist);
        pk_str(pk, "aw"); msgpack_pack_int32(pk, c->avg_width);
        pk_str(pk, "colid"); msgpack_pack_uint16(pk, c->colid);
        pk_str(pk, "oid"); msgpack_pack_uint32(pk, c->type.oid);
        pk_str(pk, "typmod"); msgpack_pack_int32(pk, c->type.typmod);
        pk_str(pk, "nn"); pk_bool(pk, c->not_null);
        pk_str(pk, "def"); pk_str(pk, c->default_json);
        pk_str(pk, "ident"); msgpack_pack_uint8(pk, (uint8_t)c->identity);
        pk_str(pk, "iseq"); msgpack_pack_uint32(pk, c->identity_seq);
    }
    pk_str(pk, "pk");
    msgpack_pack_array(pk, (size_t)t->npk);
    for (int i = 0; i < t->npk; i++)
        msgpack_pack_uint16(pk, t->pk_colids[i]);
    pk_str(pk, "pkix");
    if (t->pk_index)
        pack_index(pk, t->pk_index);
    else
        msgpack_pack_nil(pk);
    pk_str(pk, "hash"); pk_bool(pk, t->hash_partitioned);
    pk_str(pk, "rowid"); msgpack_pack_int32(pk, t->has_rowid ? t->rowid_colid : -1);
    pk_str(pk, "ix");
    msgpack_pack_array(pk, (size_t)t->nindexes);
    for (int i = 0; i < t->nindexes; i++)
        pack_index(pk, &t->indexes[i]);
    pk_str(pk, "ck");
    msgpack_pack_array(pk, (size_t)t->nchecks);
    for (int i = 0; i < t->nchecks; i++) {
        msgpack_pack_array(pk, 2);
        pk_str(pk, t->checks[i].name);
        pk_str(pk, t->checks[i].expr_json);
    }
    pk_str(pk, "vjson"); pk_str(pk, t->view_json);
    pk_str(pk, "vsql"); pk_str(pk, t->view_sql);
    pk_str(pk, "vchk"); msgpack_pack_uint8(pk, (uint8_t)t->view_check);
    pk_str(pk, "seq");
    if (t->seq) {
        const sql_sequence_t *s = t->seq;
        msgpack_pack_map(pk, 11);
        pk_str(pk, "start"); msgpack_pack_int64(pk, s->start);
        pk_str(pk, "inc"); msgpack_pack_int64(pk, s->increment);
        pk_str(pk, "min"); msgpack_pack_int64(pk, s->minvalue);
        pk_str(pk, "max"); msgpack_pack_int64(pk, s->maxvalue);
        pk_str(pk, "cache"); msgpack_pack_int64(pk, s->cache);
        pk_str(pk, "cycle"); pk_bool(pk, s->cycle);
        pk_str(pk, "oid"); msgpack_pack_uint32(pk, s->type.oid);
        pk_str(pk, "otab"); msgpack_pack_uint32(pk, s->owned_by_table);
        pk_str(pk, "ocol"); msgpack_pack_uint16(pk, s->owned_by_colid);
        pk_str(pk, "rgen"); msgpack_pack_uint32(pk, s->restart_gen);
        pk_str(pk, "v"); msgpack_pack_uint8(pk, 1);
    } else {
        msgpack_pack_nil(pk);
    }
    pk_str(pk, "rows"); msgpack_pack_uint64(pk, t->rowcount_est);
    pk_str(pk, "deps");
    msgpack_pack_array(pk, (size_t)t->ndeps);
    for (int i = 0; i < t->ndeps; i++)
        msgpack_pack_uint32(pk, t->deps[i]);
    pk_str(pk, "fk");
    msgpack_pack_array(pk, (size_t)t->nfkeys);
    for (int i = 0; i < t->nfkeys; i++) {
        const sql_fkey_t *f = &t->fkeys[i];
        msgpack_pack_map(pk, 9);
        pk_str(pk, "name"); pk_str(pk, f->name);
        pk_str(pk, "rt"); msgpack_pack_uint32(pk, f->ref_table);
        pk_str(pk, "rix"); msgpack_pack_uint32(pk, f->ref_index);
        pk_str(pk, "cols");
        msgpack_pack_array(pk, (size_t)f->ncols);
        for (int k = 0; k < f->ncols; k++)
            msgpack_pack_uint16(pk, f->colids[k]);
        pk_str(pk, "rcols");
        msgpack_pack_array(pk, (size_t)f->ncols);
        for (int k = 0; k < f->ncols; k++)
            msgpack_pack_uint16(pk, f->ref_colids[k]);
        pk_str(pk, "upd"); msgpack_pack_uint8(pk, (uint8_t)f->on_update);
        pk_str(pk, "del"); msgpack_pack_uint8(pk, (uint8_t)f->on_delete);
        pk_str(pk, "match"); msgpack_pack_uint8(pk, (uint8_t)f->match);
        /* 0 NOT DEFERRABLE, 1 DEFERRABLE INITIALLY IMMEDIATE, 2 INITIALLY DEFERRED */
        pk_str(pk, "dfr"); msgpack_pack_uint8(pk, (uint8_t)(f->initdeferred ? 2 : f->deferrable));
    }
    pk_str(pk, "ccom");
    int ncc = 0;
    for (int i = 0; t->col_comments && i < t->nrowcols; i++)
        ncc += t->col_comments[i] != NULL;
    msgpack_pack_array(pk, (size_t)ncc);
    for (int i = 0; t->col_comments && i < t->nrowcols; i++) {
        if (!t->col_comments[i])
            continue;
        msgpack_pack_array(pk, 2);
        msgpack_pack_uint16(pk, (uint16_t)i);
        pk_str(pk, t->col_comments[i]);
    }
}

static rdb_status_t unpack_table(rdb_arena_t *a, const msgpack_object *o, sql_table_t *t,
                                 rdb_err_t *err)
{
    if (o->type != MSGPACK_OBJECT_MAP)
        return rdb_err_set(err, RDB_CORRUPTION, RDB_SQLSTATE_DATA_CORRUPTED,
                           "catalog relation record is not a map");
    t->id = (uint32_t)mp_int(mp_get(o, "id"), 0);
    t->schema_id = (uint32_t)mp_int(mp_get(o, "schema"), SQL_SCHEMA_PUBLIC);
    t->name = mp_str(a, mp_get(o, "name"));
    t->relkind = (sql_relkind_t)mp_int(mp_get(o, "kind"), SQL_REL_TABLE);
    t->owner = mp_str(a, mp_get(o, "owner"));
    t->comment = mp_str(a, mp_get(o, "comment"));
    t->nrowcols = (uint16_t)mp_int(mp_get(o, "nrowcols"), 0);
    if (!t->name || !t->id)
        return rdb_err_set(err, RDB_CORRUPTION, RDB_SQLSTATE_DATA_CORRUPTED,
                           "catalog relation record without id or name");
    const msgpack_object *cols = mp_get(o, "cols");
    t->ncols = (int)mp_len(cols);
    t->cols = RDB_ARENA_NEWN(a, sql_column_t, t->ncols + 1);
    for (int i = 0; i < t->ncols; i++) {
        const msgpack_object *co = mp_at(cols, (uint32_t)i);
        sql_column_t *c = &t->cols[i];
        c->name = mp_str(a, mp_get(co, "name"));
        c->colid = (uint16_t)mp_int(mp_get(co, "colid"), 0);
        c->attnum = (int16_t)(i + 1);
        c->type.oid = (uint32_t)mp_int(mp_get(co, "oid"), SQL_OID_TEXT);
        c->type.typmod = (int32_t)mp_int(mp_get(co, "typmod"), -1);
        c->not_null = mp_bool(mp_get(co, "nn"), false);
        c->default_json = mp_str(a, mp_get(co, "def"));
        c->identity = (char)mp_int(mp_get(co, "ident"), 0);
        c->identity_seq = (uint32_t)mp_int(mp_get(co, "iseq"), 0);
        c->null_frac = (float)mp_float(mp_get(co, "nf"));
        c->n_distinct = mp_float(mp_get(co, "nd"));
        c->nmcv = unpack_values(a, c->type, mp_get(co, "mcv"), &c->mcv);
        if (c->nmcv && mp_len(mp_get(co, "mcf")) == (uint32_t)c->nmcv) {
            c->mcv_freq = RDB_ARENA_NEWN(a, float, c->nmcv);
            for (int k = 0; k < c->nmcv; k++)
                c->mcv_freq[k] = (float)mp_float(mp_at(mp_get(co, "mcf"), (uint32_t)k));
        } else {
            c->nmcv = 0;
        }
        c->nhist = unpack_values(a, c->type, mp_get(co, "hist"), &c->hist);
        c->avg_width = (int)mp_int(mp_get(co, "aw"), 0);
        const msgpack_object *cor = mp_get(co, "cor");   /* absent before it existed */
        c->has_correlation = cor && (cor->type == MSGPACK_OBJECT_FLOAT32 || cor->type == MSGPACK_OBJECT_FLOAT64);
        c->correlation = c->has_correlation ? (float)cor->via.f64 : 0;
        if (!c->name || c->colid >= t->nrowcols)
            return rdb_err_set(err, RDB_CORRUPTION, RDB_SQLSTATE_DATA_CORRUPTED,
                               "catalog relation %u: bad column %d", t->id, i);
    }
    const msgpack_object *pkc = mp_get(o, "pk");
    t->npk = (int)mp_len(pkc);
    t->pk_colids = RDB_ARENA_NEWN(a, uint16_t, t->npk + 1);
    for (int i = 0; i < t->npk; i++)
        t->pk_colids[i] = (uint16_t)mp_int(mp_at(pkc, (uint32_t)i), 0);
    const msgpack_object *pkix = mp_get(o, "pkix");
    if (pkix && pkix->type == MSGPACK_OBJECT_MAP) {
        t->pk_index = RDB_ARENA_NEW(a, sql_index_t);
        unpack_index(a, pkix, t->id, t->pk_index);
        t->pk_index_id = t->pk_index->id;
    }
    t->hash_partitioned = mp_bool(mp_get(o, "hash"), true);
    int64_t rowid = mp_int(mp_get(o, "rowid"), -1);
    t->has_rowid = rowid >= 0;
    t->rowid_colid = t->has_rowid ? (uint16_t)rowid : 0;
    const msgpack_object *ixs = mp_get(o, "ix");
    t->nindexes = (int)mp_len(ixs);
    t->indexes = RDB_ARENA_NEWN(a, sql_index_t, t->nindexes + 1);
    for (int i = 0; i < t->nindexes; i++)
        unpack_index(a, mp_at(ixs, (uint32_t)i), t->id, &t->indexes[i]);
    const msgpack_object *cks = mp_get(o, "ck");
    t->nchecks = (int)mp_len(cks);
    t->checks = RDB_ARENA_NEWN(a, sql_check_t, t->nchecks + 1);
    for (int i = 0; i < t->nchecks; i++) {
        const msgpack_object *ck = mp_at(cks, (uint32_t)i);
        if (mp_len(ck) == 2) {
            t->checks[i].name = mp_str(a, mp_at(ck, 0));
            t->checks[i].expr_json = mp_str(a, mp_at(ck, 1));
        }
    }
    t->view_json = mp_str(a, mp_get(o, "vjson"));
    t->view_sql = mp_str(a, mp_get(o, "vsql"));
    t->view_check = (char)mp_int(mp_get(o, "vchk"), 0);
    const msgpack_object *so = mp_get(o, "seq");
    if (so && so->type == MSGPACK_OBJECT_MAP) {
        sql_sequence_t *s = t->seq = RDB_ARENA_NEW(a, sql_sequence_t);
        s->start = mp_int(mp_get(so, "start"), 1);
        s->increment = mp_int(mp_get(so, "inc"), 1);
        s->minvalue = mp_int(mp_get(so, "min"), 1);
        s->maxvalue = mp_int(mp_get(so, "max"), INT64_MAX);
        s->cache = mp_int(mp_get(so, "cache"), 1);
        s->cycle = mp_bool(mp_get(so, "cycle"), false);
        s->type.oid = (uint32_t)mp_int(mp_get(so, "oid"), SQL_OID_INT8);
        s->type.typmod = -1;
        s->owned_by_table = (uint32_t)mp_int(mp_get(so, "otab"), 0);
        s->owned_by_colid = (uint16_t)mp_int(mp_get(so, "ocol"), 0);
        s->restart_gen = (uint32_t)mp_int(mp_get(so, "rgen"), 0);
    }
    t->rowcount_est = (uint64_t)mp_int(mp_get(o, "rows"), 0);
    const msgpack_object *deps = mp_get(o, "deps");
    t->ndeps = (int)mp_len(deps);
    t->deps = RDB_ARENA_NEWN(a, uint32_t, t->ndeps + 1);
    for (int i = 0; i < t->ndeps; i++)
        t->deps[i] = (uint32_t)mp_int(mp_at(deps, (uint32_t)i), 0);
    const msgpack_object *fks = mp_get(o, "fk");
    t->nfkeys = (int)mp_len(fks);
    t->fkeys = RDB_ARENA_NEWN(a, sql_fkey_t, t->nfkeys + 1);
    for (int i = 0; i < t->nfkeys; i++) {
        const msgpack_object *fo = mp_at(fks, (uint32_t)i);
        sql_fkey_t *f = &t->fkeys[i];
        const msgpack_object *fc = mp_get(fo, "cols"), *rc = mp_get(fo, "rcols");
        f->name = mp_str(a, mp_get(fo, "name"));
        f->ref_table = (uint32_t)mp_int(mp_get(fo, "rt"), 0);
        f->ref_index = (uint32_t)mp_int(mp_get(fo, "rix"), 0);
        f->ncols = (int)mp_len(fc);
        f->colids = RDB_ARENA_NEWN(a, uint16_t, f->ncols + 1);
        f->ref_colids = RDB_ARENA_NEWN(a, uint16_t, f->ncols + 1);
        for (int k = 0; k < f->ncols; k++) {
            f->colids[k] = (uint16_t)mp_int(mp_at(fc, (uint32_t)k), 0);
            f->ref_colids[k] = (uint16_t)mp_int(mp_at(rc, (uint32_t)k), 0);
        }
        f->on_update = (char)mp_int(mp_get(fo, "upd"), SQL_FK_NO_ACTION);
        f->on_delete = (char)mp_int(mp_get(fo, "del"), SQL_FK_NO_ACTION);
        f->match = (char)mp_int(mp_get(fo, "match"), 's');
        int64_t dfr = mp_int(mp_get(fo, "dfr"), 0);
        f->deferrable = dfr > 0;
        f->initdeferred = dfr == 2;
        if (!f->name || !f->ncols || mp_len(rc) != (uint32_t)f->ncols)
            return rdb_err_set(err, RDB_CORRUPTION, RDB_SQLSTATE_DATA_CORRUPTED,
                               "catalog relation %u: bad foreign key %d", t->id, i);
    }
    const msgpack_object *cc = mp_get(o, "ccom");
    if (mp_len(cc) && t->nrowcols) {
        t->col_comments = RDB_ARENA_NEWN(a, char *, t->nrowcols);
        for (uint32_t i = 0; i < mp_len(cc); i++) {
            const msgpack_object *e = mp_at(cc, i);
            int64_t colid = mp_len(e) == 2 ? mp_int(mp_at(e, 0), -1) : -1;
            if (colid >= 0 && colid < t->nrowcols)
                t->col_comments[colid] = mp_str(a, mp_at(e, 1));
        }
    }
    return RDB_OK;
}

void sql_catw_table(txn_t *t, const sql_table_t *tab)
{
    rdb_buf_t k = RDB_BUF_INIT, v = RDB_BUF_INIT;
    key_id(&k, SQL_CATREC_REL, tab->id);
    pack_table(&v, tab);
    put_record(t, &k, &v);
}

void sql_catw_table_delete(txn_t *t, uint32_t id)
{
    rdb_buf_t k = RDB_BUF_INIT;
    key_id(&k, SQL_CATREC_REL, id);
    txn_delete(t, k.data, k.len);
    rdb_buf_free(&k);
}

void sql_catw_schema(txn_t *t, const sql_schema_t *s)
{
    rdb_buf_t k = RDB_BUF_INIT, v = RDB_BUF_INIT;
    msgpack_packer pk;
    msgpack_packer_init(&pk, &v, buf_write);
    msgpack_pack_map(&pk, 3);
    pk_str(&pk, "id"); msgpack_pack_uint32(&pk, s->id);
    pk_str(&pk, "name"); pk_str(&pk, s->name);
    pk_str(&pk, "owner"); pk_str(&pk, s->owner);
    key_id(&k, SQL_CATREC_SCHEMA, s->id);
    put_record(t, &k, &v);
}

void sql_catw_schema_delete(txn_t *t, uint32_t id)
{
    rdb_buf_t k = RDB_BUF_INIT;
    key_id(&k, SQL_CATREC_SCHEMA, id);
    txn_delete(t, k.data, k.len);
    rdb_buf_free(&k);
}

void sql_catw_role(txn_t *t, const sql_role_t *r)
{
    rdb_buf_t k = RDB_BUF_INIT, v = RDB_BUF_INIT;
    msgpack_packer pk;
    msgpack_packer_init(&pk, &v, buf_write);
    msgpack_pack_map(&pk, 8);
    pk_str(&pk, "id"); msgpack_pack_uint32(&pk, r->id);
    pk_str(&pk, "name"); pk_str(&pk, r->name);
    pk_str(&pk, "pw"); pk_str(&pk, r->password);
    pk_str(&pk, "login"); pk_bool(&pk, r->login);
    pk_str(&pk, "super"); pk_bool(&pk, r->superuser);
    pk_str(&pk, "createdb"); pk_bool(&pk, r->createdb);
    pk_str(&pk, "createrole"); pk_bool(&pk, r->createrole);
    pk_str(&pk, "until"); msgpack_pack_int64(&pk, r->valid_until_ms);
    key_name(&k, SQL_CATREC_ROLE, r->name);
    put_record(t, &k, &v);
}

void sql_catw_role_delete(txn_t *t, const char *name)
{
    rdb_buf_t k = RDB_BUF_INIT;
    key_name(&k, SQL_CATREC_ROLE, name);
    txn_delete(t, k.data, k.len);
    rdb_buf_free(&k);
}

static void catw_database(txn_t *t, uint32_t id, const char *name, const char *owner)
{
    rdb_buf_t k = RDB_BUF_INIT, v = RDB_BUF_INIT;
    msgpack_packer pk;
    msgpack_packer_init(&pk, &v, buf_write);
    msgpack_pack_map(&pk, 3);
    pk_str(&pk, "id"); msgpack_pack_uint32(&pk, id);
    pk_str(&pk, "name"); pk_str(&pk, name);
    pk_str(&pk, "owner"); pk_str(&pk, owner);
    key_name(&k, SQL_CATREC_DATABASE, name);
    put_record(t, &k, &v);
}

/* --- copying ------------------------------------------------------------- */

static char *dupn(rdb_arena_t *a, const char *s) { return s ? rdb_arena_strdup(a, s) : NULL; }

static void clone_index(rdb_arena_t *a, sql_index_t *d, const sql_index_t *s)
{
    *d = *s;
    d->name = dupn(a, s->name);
    d->colids = rdb_arena_memdup(a, s->colids, sizeof(uint16_t) * (size_t)(s->ncols + 1));
    d->desc = RDB_ARENA_NEWN(a, bool, s->ncols + 1);
    if (s->desc)
        memcpy(d->desc, s->desc, sizeof(bool) * (size_t)s->ncols);
}

sql_table_t *sql_table_clone(rdb_arena_t *a, const sql_table_t *t)
{
    sql_table_t *d = RDB_ARENA_NEW(a, sql_table_t);
    *d = *t;
    d->schema = dupn(a, t->schema);
    d->name = dupn(a, t->name);
    d->owner = dupn(a, t->owner);
    d->comment = dupn(a, t->comment);
    d->cols = RDB_ARENA_NEWN(a, sql_column_t, t->ncols + 1);
    for (int i = 0; i < t->ncols; i++) {
        d->cols[i] = t->cols[i];
        d->cols[i].name = dupn(a, t->cols[i].name);
        d->cols[i].default_json = dupn(a, t->cols[i].default_json);
    }
    d->pk_colids = RDB_ARENA_NEWN(a, uint16_t, t->npk + 1);
    if (t->npk)
        memcpy(d->pk_colids, t->pk_colids, sizeof(uint16_t) * (size_t)t->npk);
    if (t->pk_index) {
        d->pk_index = RDB_ARENA_NEW(a, sql_index_t);
        clone_index(a, d->pk_index, t->pk_index);
    }
    d->indexes = RDB_ARENA_NEWN(a, sql_index_t, t->nindexes + 1);
    for (int i = 0; i < t->nindexes; i++)
        clone_index(a, &d->indexes[i], &t->indexes[i]);
    d->checks = RDB_ARENA_NEWN(a, sql_check_t, t->nchecks + 1);
    for (int i = 0; i < t->nchecks; i++) {
        d->checks[i].name = dupn(a, t->checks[i].name);
        d->checks[i].expr_json = dupn(a, t->checks[i].expr_json);
    }
    d->view_json = dupn(a, t->view_json);
    d->view_sql = dupn(a, t->view_sql);
    if (t->seq)
        d->seq = rdb_arena_memdup(a, t->seq, sizeof *t->seq);
    d->deps = RDB_ARENA_NEWN(a, uint32_t, t->ndeps + 1);
    if (t->ndeps)
        memcpy(d->deps, t->deps, sizeof(uint32_t) * (size_t)t->ndeps);
    d->fkeys = RDB_ARENA_NEWN(a, sql_fkey_t, t->nfkeys + 1);
    for (int i = 0; i < t->nfkeys; i++) {
        const sql_fkey_t *f = &t->fkeys[i];
        d->fkeys[i] = *f;
        d->fkeys[i].name = dupn(a, f->name);
        d->fkeys[i].colids = rdb_arena_memdup(a, f->colids, sizeof(uint16_t) * (size_t)f->ncols);
        d->fkeys[i].ref_colids = rdb_arena_memdup(a, f->ref_colids, sizeof(uint16_t) * (size_t)f->ncols);
    }
    if (t->col_comments) {
        d->col_comments = RDB_ARENA_NEWN(a, char *, t->nrowcols + 1);
        for (int i = 0; i < t->nrowcols; i++)
            d->col_comments[i] = dupn(a, t->col_comments[i]);
    }
    return d;
}

/* --- snapshots ----------------------------------------------------------- */

#define GROW(arr, n, cap)                                                          \
    do {                                                                           \
        if ((n) == (cap)) {                                                        \
            (cap) = (cap) ? (cap) * 2 : 16;                                        \
            (arr) = rdb_realloc((arr), sizeof *(arr) * (size_t)(cap));             \
        }                                                                          \
    } while (0)

static void snap_free(sql_catsnap_t *s)
{
    free(s->rels);
    free(s->schemas);
    free(s->roles);
    free(s->dbs);
    free(s->ht);
    rdb_arena_destroy(&s->a);
    free(s);
}

static uint64_t name_hash(uint32_t schema_id, const char *name)
{
    return rdb_hash64(name, strlen(name), schema_id);
}

static int rel_cmp(const void *a, const void *b)
{
    const sql_table_t *x = *(sql_table_t *const *)a, *y = *(sql_table_t *const *)b;
    return x->id < y->id ? -1 : x->id > y->id;
}

static void snap_index(sql_catsnap_t *s)
{
    if (s->nrels)
        qsort(s->rels, (size_t)s->nrels, sizeof *s->rels, rel_cmp);
    uint32_t cap = 16;
    while (cap < (uint32_t)s->nrels * 2 + 2)
        cap *= 2;
    s->ht = rdb_calloc(cap, sizeof *s->ht);
    s->htmask = cap - 1;
    for (int i = 0; i < s->nrels; i++) {
        sql_table_t *t = s->rels[i];
        const sql_schema_t *sc = sql_cat_schema_by_id(s, t->schema_id);
        t->schema = sc ? sc->name : "?";
        /* Lowest id wins a name clash: rels are sorted, keep the first. */
        uint32_t h = (uint32_t)name_hash(t->schema_id, t->name) & s->htmask;
        bool dup = false;
        while (s->ht[h]) {
            const sql_table_t *o = s->rels[s->ht[h] - 1];
            if (o->schema_id == t->schema_id && strcmp(o->name, t->name) == 0)
                dup = true;
            h = (h + 1) & s->htmask;
        }
        if (!dup)
            s->ht[h] = (uint32_t)i + 1;
    }
    /* Who references whom (a foreign key to a table that is gone is
     * ignored: DROP removes the constraint with the table). */
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < s->nrels; i++) {
            const sql_table_t *t = s->rels[i];
            for (int k = 0; k < t->nfkeys; k++) {
                sql_table_t *p = (sql_table_t *)sql_cat_by_id(s, t->fkeys[k].ref_table);
                if (!p)
                    continue;
                if (pass == 0) {
                    p->nrefby++;
                    continue;
                }
                if (!p->refby) {
                    p->refby = RDB_ARENA_NEWN(&s->a, sql_fkref_t, p->nrefby);
                    p->nrefby = 0;
                }
                p->refby[p->nrefby++] = (sql_fkref_t){ t->id, k };
            }
        }
}

static rdb_status_t snap_add(sql_catsnap_t *s, uint16_t node_id, const char *k, size_t klen,
                             const char *v, size_t vlen, rdb_err_t *err)
{
    if (klen < 2)
        return RDB_OK;
    char kind = k[1];
    if (kind == SQL_CATREC_META)
        return RDB_OK;
    msgpack_unpacked up;
    msgpack_unpacked_init(&up);
    size_t off = 0;
    rdb_status_t rc = RDB_OK;
    if (msgpack_unpack_next(&up, v, vlen, &off) != MSGPACK_UNPACK_SUCCESS) {
        rc = rdb_err_set(err, RDB_CORRUPTION, RDB_SQLSTATE_DATA_CORRUPTED,
                         "catalog record '%c' is not valid MessagePack", kind);
        goto out;
    }
    const msgpack_object *o = &up.data;
    rdb_arena_t *a = &s->a;
    switch (kind) {
    case SQL_CATREC_REL: {
        sql_table_t *t = RDB_ARENA_NEW(a, sql_table_t);
        if ((rc = unpack_table(a, o, t, err)) != RDB_OK)
            goto out;
        GROW(s->rels, s->nrels, s->caprels);
        s->rels[s->nrels++] = t;
        uint32_t ids[64];
        int nids = 0;
        ids[nids++] = t->id;
        if (t->pk_index)
            ids[nids++] = t->pk_index->id;
        for (int i = 0; i < t->nindexes && nids < 64; i++)
            ids[nids++] = t->indexes[i].id;
        for (int i = 0; i < nids; i++)
            if (ids[i] >= SQL_FIRST_USER_ID && (ids[i] & ID_NODE_MASK) == (node_id & ID_NODE_MASK) &&
                (ids[i] >> ID_NODE_BITS) > s->id_counter_max)
                s->id_counter_max = ids[i] >> ID_NODE_BITS;
        break;
    }
    case SQL_CATREC_SCHEMA: {
        GROW(s->schemas, s->nschemas, s->capschemas);
        sql_schema_t *sc = &s->schemas[s->nschemas++];
        sc->id = (uint32_t)mp_int(mp_get(o, "id"), 0);
        sc->name = mp_str(a, mp_get(o, "name"));
        sc->owner = mp_str(a, mp_get(o, "owner"));
        if (!sc->name)
            s->nschemas--;
        break;
    }
    case SQL_CATREC_ROLE: {
        GROW(s->roles, s->nroles, s->caproles);
        sql_role_t *r = &s->roles[s->nroles++];
        r->id = (uint32_t)mp_int(mp_get(o, "id"), 0);
        r->name = mp_str(a, mp_get(o, "name"));
        r->password = mp_str(a, mp_get(o, "pw"));
        r->login = mp_bool(mp_get(o, "login"), false);
        r->superuser = mp_bool(mp_get(o, "super"), false);
        r->createdb = mp_bool(mp_get(o, "createdb"), false);
        r->createrole = mp_bool(mp_get(o, "createrole"), false);
        r->valid_until_ms = mp_int(mp_get(o, "until"), 0);
        if (!r->name)
            s->nroles--;
        break;
    }
    case SQL_CATREC_DATABASE: {
        GROW(s->dbs, s->ndbs, s->capdbs);
        sql_database_t *d = &s->dbs[s->ndbs++];
        d->id = (uint32_t)mp_int(mp_get(o, "id"), 0);
        d->name = mp_str(a, mp_get(o, "name"));
        d->owner = mp_str(a, mp_get(o, "owner"));
        if (!d->name)
            s->ndbs--;
        break;
    }
    case SQL_CATREC_IDS:
        if (klen == 4 && rdb_get_u16_be(k + 2) == node_id) {
            uint32_t next = (uint32_t)mp_int(mp_get(o, "next"), 0);
            if (next && next - 1 > s->id_counter_max)
                s->id_counter_max = next - 1;
        }
        break;
    default:
        break; /* a newer kind: ignore */
    }
out:
    msgpack_unpacked_destroy(&up);
    return rc;
}

static sql_catsnap_t *snap_new(void)
{
    sql_catsnap_t *s = rdb_calloc(1, sizeof *s);
    atomic_init(&s->refs, 1);
    rdb_arena_init(&s->a, 32 * 1024);
    return s;
}

static rdb_status_t snap_done(sql_catsnap_t *s, rdb_status_t rc, sql_catsnap_t **out)
{
    if (rc != RDB_OK) {
        snap_free(s);
        return rc;
    }
    snap_index(s);
    *out = s;
    return RDB_OK;
}

/* Every catalog record visible to t (its snapshot and its own writes). */
static rdb_status_t snap_load(txn_t *t, uint16_t node_id, sql_catsnap_t **out, rdb_err_t *err)
{
    sql_catsnap_t *s = snap_new();
    const char lo[1] = { TXN_PREFIX_CATALOG }, hi[1] = { TXN_PREFIX_CATALOG + 1 };
    txn_iter_t *it = txn_iter_new(t, lo, 1, hi, 1);
    rdb_status_t rc = RDB_OK;
    while (rc == RDB_OK && txn_iter_next(it)) {
        size_t klen, vlen;
        const char *k = txn_iter_key(it, &klen);
        const char *v = txn_iter_value(it, &vlen);
        rc = snap_add(s, node_id, k, klen, v, vlen, err);
    }
    if (rc == RDB_OK)
        rc = txn_iter_status(it, err);
    txn_iter_free(it);
    return snap_done(s, rc, out);
}

/* Every committed catalog record, newest versions (the shared cache):
 * read at LSM_SNAPSHOT_LATEST rather than at a fresh HLC stamp, so that a
 * replicated record stamped ahead of this node's clock is seen as soon as
 * it bumped the catalog generation. */
static rdb_status_t snap_load_latest(lsm_db_t *db, uint16_t node_id, sql_catsnap_t **out,
                                     rdb_err_t *err)
{
    sql_catsnap_t *s = snap_new();
    const char lo[1] = { TXN_PREFIX_CATALOG }, hi[1] = { TXN_PREFIX_CATALOG + 1 };
    lsm_read_options_t ro;
    lsm_read_options_default(&ro);
    ro.snapshot = LSM_SNAPSHOT_LATEST;
    ro.lower_bound = lo;
    ro.lower_len = 1;
    ro.upper_bound = hi;
    ro.upper_len = 1;
    lsm_iter_t *it = lsm_iter_new(db, &ro);
    rdb_status_t rc = RDB_OK;
    for (lsm_iter_seek_first(it); rc == RDB_OK && lsm_iter_valid(it); lsm_iter_next(it)) {
        size_t klen, vlen;
        const char *k = lsm_iter_key(it, &klen);
        const char *v = lsm_iter_value(it, &vlen);
        rc = snap_add(s, node_id, k, klen, v, vlen, err);
    }
    if (rc == RDB_OK)
        rc = lsm_iter_status(it, err);
    lsm_iter_free(it);
    return snap_done(s, rc, out);
}

static void note_counter(sql_catalog_t *c, const sql_catsnap_t *s)
{
    /* c->mu held */
    if (s->id_counter_max + 1 > c->id_next)
        c->id_next = s->id_counter_max + 1;
}

static rdb_status_t reload_locked(sql_catalog_t *c, rdb_err_t *err)
{
    uint64_t gen = txn_store_catalog_gen(c->st);
    if (c->cur && c->cur->gen == gen)
        return RDB_OK;
    sql_catsnap_t *s;
    rdb_status_t rc = snap_load_latest(txn_store_db(c->st), c->node_id, &s, err);
    if (rc != RDB_OK)
        return rc;
    s->gen = gen;
    note_counter(c, s);
    if (c->cur)
        sql_catalog_release(c->cur);
    c->cur = s;
    return RDB_OK;
}

sql_catsnap_t *sql_catalog_acquire(sql_catalog_t *c, txn_t *t, rdb_err_t *err)
{
    sql_catsnap_t *s = NULL;
    if (t && txn_wrote_catalog(t)) {
        if (snap_load(t, c->node_id, &s, err) != RDB_OK)
            return NULL;
        s->private_ = true;
        s->gen = UINT64_MAX;
        pthread_mutex_lock(&c->mu);
        note_counter(c, s);
        pthread_mutex_unlock(&c->mu);
        return s;
    }
    pthread_mutex_lock(&c->mu);
    if (reload_locked(c, err) == RDB_OK) {
        s = c->cur;
        atomic_fetch_add(&s->refs, 1);
    }
    pthread_mutex_unlock(&c->mu);
    return s;
}

void sql_catalog_release(sql_catsnap_t *s)
{
    if (s && atomic_fetch_sub(&s->refs, 1) == 1)
        snap_free(s);
}

uint64_t sql_catsnap_gen(const sql_catsnap_t *s) { return s->gen; }
txn_store_t *sql_catalog_store(sql_catalog_t *c) { return c->st; }

uint32_t sql_catalog_alloc_id(sql_catalog_t *c, txn_t *t)
{
    pthread_mutex_lock(&c->mu);
    if (c->id_next < ID_FIRST_COUNTER)
        c->id_next = ID_FIRST_COUNTER;
    uint32_t counter = c->id_next++;
    pthread_mutex_unlock(&c->mu);
    rdb_buf_t k = RDB_BUF_INIT, v = RDB_BUF_INIT;
    rdb_buf_append_u8(&k, TXN_PREFIX_CATALOG);
    rdb_buf_append_u8(&k, SQL_CATREC_IDS);
    rdb_buf_append_u16_be(&k, c->node_id);
    msgpack_packer pk;
    msgpack_packer_init(&pk, &v, buf_write);
    msgpack_pack_map(&pk, 1);
    pk_str(&pk, "next");
    msgpack_pack_uint32(&pk, counter + 1);
    put_record(t, &k, &v);
    return counter << ID_NODE_BITS | (c->node_id & ID_NODE_MASK);
}

/* --- open / bootstrap ---------------------------------------------------- */

static rdb_status_t bootstrap(sql_catalog_t *c, const char *superuser, rdb_err_t *err)
{
    txn_t *t = txn_begin(c->st);
    rdb_buf_t k = RDB_BUF_INIT, v = RDB_BUF_INIT;
    bool found = false;
    rdb_buf_append_u8(&k, TXN_PREFIX_CATALOG);
    rdb_buf_append_u8(&k, SQL_CATREC_META);
    rdb_status_t rc = txn_get(t, k.data, k.len, &v, &found, err);
    if (rc != RDB_OK || found) {
        rdb_buf_free(&k);
        rdb_buf_free(&v);
        txn_abort(t);
        return rc;
    }
    rdb_buf_reset(&v);
    msgpack_packer pk;
    msgpack_packer_init(&pk, &v, buf_write);
    msgpack_pack_map(&pk, 1);
    pk_str(&pk, "format");
    msgpack_pack_uint32(&pk, CAT_FORMAT);
    put_record(t, &k, &v);

    sql_schema_t schemas[] = {
        { SQL_SCHEMA_PG_CATALOG, (char *)"pg_catalog", (char *)superuser },
        { SQL_SCHEMA_PUBLIC, (char *)"public", (char *)superuser },
        { SQL_SCHEMA_INFO, (char *)"information_schema", (char *)superuser },
    };
    for (size_t i = 0; i < sizeof schemas / sizeof schemas[0]; i++)
        sql_catw_schema(t, &schemas[i]);
    catw_database(t, 5, "postgres", superuser);
    sql_role_t su = { .id = 10, .name = (char *)superuser, .login = true, .superuser = true,
                      .createdb = true, .createrole = true };
    sql_catw_role(t, &su);
    RDB_LOG_INFO("sql", "catalog bootstrapped (superuser \"%s\")", superuser);
    /* the same records at the same version on every node of a cluster */
    return txn_commit_at(t, TXN_BOOTSTRAP_VERSION, err);
}

rdb_status_t sql_catalog_open(txn_store_t *st, const char *superuser, sql_catalog_t **out,
                              rdb_err_t *err)
{
    sql_catalog_t *c = rdb_calloc(1, sizeof *c);
    c->st = st;
    c->node_id = txn_store_node_id(st);
    c->id_next = ID_FIRST_COUNTER;
    pthread_mutex_init(&c->mu, NULL);
    pthread_mutex_init(&c->seq_mu, NULL);
    rdb_status_t rc = bootstrap(c, superuser ? superuser : "postgres", err);
    if (rc == RDB_OK) {
        pthread_mutex_lock(&c->mu);
        rc = reload_locked(c, err);
        pthread_mutex_unlock(&c->mu);
    }
    if (rc != RDB_OK) {
        sql_catalog_close(c);
        return rc;
    }
    *out = c;
    return RDB_OK;
}

void sql_catalog_close(sql_catalog_t *c)
{
    if (!c)
        return;
    if (c->cur)
        sql_catalog_release(c->cur);
    pthread_mutex_destroy(&c->mu);
    pthread_mutex_destroy(&c->seq_mu);
    free(c->seqs);
    free(c);
}

/* --- lookup -------------------------------------------------------------- */

const sql_schema_t *sql_cat_schema(const sql_catsnap_t *s, const char *name)
{
    for (int i = 0; i < s->nschemas; i++)
        if (strcmp(s->schemas[i].name, name) == 0)
            return &s->schemas[i];
    return NULL;
}

const sql_schema_t *sql_cat_schema_by_id(const sql_catsnap_t *s, uint32_t id)
{
    for (int i = 0; i < s->nschemas; i++)
        if (s->schemas[i].id == id)
            return &s->schemas[i];
    return NULL;
}

int sql_cat_schema_count(const sql_catsnap_t *s) { return s->nschemas; }
const sql_schema_t *sql_cat_schema_at(const sql_catsnap_t *s, int i) { return &s->schemas[i]; }

bool sql_cat_schema_exists(const sql_catsnap_t *s, const char *schema)
{
    return sql_cat_schema(s, schema) != NULL;
}

bool sql_cat_database_exists(const sql_catsnap_t *s, const char *db)
{
    for (int i = 0; i < s->ndbs; i++)
        if (strcmp(s->dbs[i].name, db) == 0)
            return true;
    return false;
}

int sql_cat_database_count(const sql_catsnap_t *s) { return s->ndbs; }
const sql_database_t *sql_cat_database_at(const sql_catsnap_t *s, int i) { return &s->dbs[i]; }

static const sql_table_t *find_in(const sql_catsnap_t *s, uint32_t schema_id, const char *name)
{
    uint32_t h = (uint32_t)name_hash(schema_id, name) & s->htmask;
    while (s->ht[h]) {
        const sql_table_t *t = s->rels[s->ht[h] - 1];
        if (t->schema_id == schema_id && strcmp(t->name, name) == 0)
            return t;
        h = (h + 1) & s->htmask;
    }
    return NULL;
}

const sql_table_t *sql_cat_find(const sql_catsnap_t *s, const char *schema, const char *name,
                                const char *const *search_path, int npath)
{
    if (schema) {
        const sql_schema_t *sc = sql_cat_schema(s, schema);
        return sc ? find_in(s, sc->id, name) : NULL;
    }
    static const char *const default_path[] = { "public" };
    if (!search_path) {
        search_path = default_path;
        npath = 1;
    }
    bool pgcat_listed = false;
    for (int i = 0; i < npath; i++) {
        const sql_schema_t *sc = sql_cat_schema(s, search_path[i]);
        if (!sc)
            continue;
        pgcat_listed |= sc->id == SQL_SCHEMA_PG_CATALOG;
        const sql_table_t *t = find_in(s, sc->id, name);
        if (t)
            return t;
    }
    return pgcat_listed ? NULL : find_in(s, SQL_SCHEMA_PG_CATALOG, name);
}

const sql_table_t *sql_cat_by_id(const sql_catsnap_t *s, uint32_t id)
{
    int lo = 0, hi = s->nrels - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        uint32_t m = s->rels[mid]->id;
        if (m == id)
            return s->rels[mid];
        if (m < id)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return NULL;
}

int sql_cat_count(const sql_catsnap_t *s) { return s->nrels; }
const sql_table_t *sql_cat_at(const sql_catsnap_t *s, int i) { return s->rels[i]; }

static const sql_index_t *index_in(const sql_catsnap_t *s, uint32_t schema_id, const char *name,
                                   const sql_table_t **tab)
{
    for (int i = 0; i < s->nrels; i++) {
        const sql_table_t *t = s->rels[i];
        if (t->schema_id != schema_id)
            continue;
        if (t->pk_index && strcmp(t->pk_index->name, name) == 0) {
            *tab = t;
            return t->pk_index;
        }
        for (int j = 0; j < t->nindexes; j++)
            if (strcmp(t->indexes[j].name, name) == 0) {
                *tab = t;
                return &t->indexes[j];
            }
    }
    return NULL;
}

const sql_index_t *sql_cat_find_index(const sql_catsnap_t *s, const char *schema,
                                      const char *name, const char *const *search_path,
                                      int npath, const sql_table_t **tab)
{
    if (schema) {
        const sql_schema_t *sc = sql_cat_schema(s, schema);
        return sc ? index_in(s, sc->id, name, tab) : NULL;
    }
    static const char *const default_path[] = { "public" };
    if (!search_path) {
        search_path = default_path;
        npath = 1;
    }
    for (int i = 0; i < npath; i++) {
        const sql_schema_t *sc = sql_cat_schema(s, search_path[i]);
        const sql_index_t *ix = sc ? index_in(s, sc->id, name, tab) : NULL;
        if (ix)
            return ix;
    }
    return NULL;
}

const sql_column_t *sql_table_column(const sql_table_t *t, const char *name)
{
    for (int i = 0; i < t->ncols; i++)
        if (strcmp(t->cols[i].name, name) == 0)
            return &t->cols[i];
    return NULL;
}

const sql_column_t *sql_table_column_by_id(const sql_table_t *t, uint16_t colid)
{
    for (int i = 0; i < t->ncols; i++)
        if (t->cols[i].colid == colid)
            return &t->cols[i];
    return NULL;
}

/* --- roles --------------------------------------------------------------- */

const sql_role_t *sql_cat_role(const sql_catsnap_t *s, const char *name)
{
    for (int i = 0; i < s->nroles; i++)
        if (strcmp(s->roles[i].name, name) == 0)
            return &s->roles[i];
    return NULL;
}

int sql_cat_role_count(const sql_catsnap_t *s) { return s->nroles; }
const sql_role_t *sql_cat_role_at(const sql_catsnap_t *s, int i) { return &s->roles[i]; }

rdb_status_t sql_cat_role_lookup(sql_catalog_t *c, const char *name, rdb_role_info_t *out,
                                 rdb_err_t *err)
{
    sql_catsnap_t *s = sql_catalog_acquire(c, NULL, err);
    if (!s)
        return err ? err->code : RDB_IOERROR;
    const sql_role_t *r = sql_cat_role(s, name);
    rdb_status_t rc = RDB_NOTFOUND;
    if (r) {
        out->password = r->password ? rdb_strdup(r->password) : NULL;
        out->can_login = r->login;
        out->superuser = r->superuser;
        out->valid_until_ms = r->valid_until_ms;
        rc = RDB_OK;
    }
    sql_catalog_release(s);
    return rc;
}

static void b64(rdb_buf_t *out, const unsigned char *p, int n)
{
    rdb_buf_reserve(out, (size_t)(4 * ((n + 2) / 3) + 1));
    int len = EVP_EncodeBlock((unsigned char *)out->data + out->len, p, n);
    out->len += (size_t)len;
}

char *sql_scram_verifier(const char *password)
{
    unsigned char salt[16], salted[32], ckey[32], skey[32], stored[32];
    unsigned int l = 0;
    const int iters = 4096;
    if (RAND_bytes(salt, sizeof salt) != 1 ||
        PKCS5_PBKDF2_HMAC(password, (int)strlen(password), salt, sizeof salt, iters, EVP_sha256(),
                          sizeof salted, salted) != 1 ||
        !HMAC(EVP_sha256(), salted, sizeof salted, (const unsigned char *)"Client Key", 10, ckey, &l) ||
        !HMAC(EVP_sha256(), salted, sizeof salted, (const unsigned char *)"Server Key", 10, skey, &l))
        return NULL;
    SHA256(ckey, sizeof ckey, stored);
    rdb_buf_t b = RDB_BUF_INIT;
    rdb_buf_printf(&b, "SCRAM-SHA-256$%d:", iters);
    b64(&b, salt, sizeof salt);
    rdb_buf_append_u8(&b, '$');
    b64(&b, stored, sizeof stored);
    rdb_buf_append_u8(&b, ':');
    b64(&b, skey, sizeof skey);
    rdb_buf_cstr(&b);
    size_t n;
    return rdb_buf_detach(&b, &n);
}

/* --- sequences ----------------------------------------------------------- */

static void seq_key(rdb_buf_t *k, uint32_t id)
{
    rdb_buf_reset(k);
    rdb_buf_append_u8(k, TXN_PREFIX_ROW);
    rdb_buf_append_u32_be(k, id);
}

static void seq_value(rdb_buf_t *v, int64_t last, bool called)
{
    msgpack_packer pk;
    msgpack_packer_init(&pk, v, buf_write);
    msgpack_pack_array(&pk, 2);
    msgpack_pack_int64(&pk, last);
    pk_bool(&pk, called);
}

void sql_seq_state_put(txn_t *t, uint32_t seq_id, int64_t last_value, bool is_called)
{
    rdb_buf_t k = RDB_BUF_INIT, v = RDB_BUF_INIT;
    seq_key(&k, seq_id);
    seq_value(&v, last_value, is_called);
    put_record(t, &k, &v);
}

void sql_seq_state_delete(txn_t *t, uint32_t seq_id)
{
    rdb_buf_t k = RDB_BUF_INIT;
    seq_key(&k, seq_id);
    txn_delete(t, k.data, k.len);
    rdb_buf_free(&k);
}

/* Write the durable state in a transaction of its own. */
static rdb_status_t seq_write(sql_catalog_t *c, uint32_t id, int64_t last, bool called,
                              rdb_err_t *err)
{
    txn_t *t = txn_begin(c->st);
    sql_seq_state_put(t, id, last, called);
    return txn_commit(t, err);
}

static rdb_status_t seq_state(sql_catalog_t *c, const sql_table_t *rel, seq_state_t **out,
                              rdb_err_t *err)
{
    /* c->seq_mu held */
    const sql_sequence_t *sq = rel->seq;
    seq_state_t *st = NULL;
    for (int i = 0; i < c->nseqs; i++)
        if (c->seqs[i].id == rel->id)
            st = &c->seqs[i];
    if (st && st->rgen == sq->restart_gen) {
        *out = st;
        return RDB_OK;
    }
    if (!st) {
        GROW(c->seqs, c->nseqs, c->capseqs);
        st = &c->seqs[c->nseqs++];
        st->id = 0; /* filled below, once loaded */
    }
    rdb_buf_t k = RDB_BUF_INIT, v = RDB_BUF_INIT;
    bool found = false;
    seq_key(&k, rel->id);
    /* The newest version, whatever its stamp (see snap_load_latest). */
    rdb_status_t rc = lsm_get(txn_store_db(c->st), NULL, k.data, k.len, &v, NULL, err);
    found = rc == RDB_OK;
    if (rc == RDB_NOTFOUND)
        rc = RDB_OK;
    int64_t last = sq->start;
    bool called = false;
    if (rc == RDB_OK && found) {
        msgpack_unpacked up;
        msgpack_unpacked_init(&up);
        size_t off = 0;
        if (msgpack_unpack_next(&up, v.data, v.len, &off) == MSGPACK_UNPACK_SUCCESS &&
            mp_len(&up.data) == 2) {
            last = mp_int(mp_at(&up.data, 0), sq->start);
            called = mp_bool(mp_at(&up.data, 1), false);
        } else {
            rc = rdb_err_set(err, RDB_CORRUPTION, RDB_SQLSTATE_DATA_CORRUPTED,
                             "sequence \"%s\": bad state record", rel->name);
        }
        msgpack_unpacked_destroy(&up);
    }
    rdb_buf_free(&k);
    rdb_buf_free(&v);
    if (rc != RDB_OK) {
        c->nseqs--;
        return rc;
    }
    st->id = rel->id;
    st->rgen = sq->restart_gen;
    st->cur = last;
    st->called = called;
    /* Nothing beyond the durable row is reserved yet. */
    st->reserved = called ? last : (sq->increment > 0 ? last - 1 : last + 1);
    *out = st;
    return RDB_OK;
}

rdb_status_t sql_seq_nextval(sql_catalog_t *c, const sql_table_t *rel, int64_t *out,
                             rdb_err_t *err)
{
    if (!rel->seq)
        return rdb_err_set(err, RDB_SQL, "42809", "\"%s\" is not a sequence", rel->name);
    const sql_sequence_t *sq = rel->seq;
    pthread_mutex_lock(&c->seq_mu);
    seq_state_t *st;
    rdb_status_t rc = seq_state(c, rel, &st, err);
    if (rc != RDB_OK)
        goto out;
    int64_t next = st->cur;
    if (st->called) {
        bool ovf = __builtin_add_overflow(st->cur, sq->increment, &next);
        if (ovf || next > sq->maxvalue || next < sq->minvalue) {
            bool up = sq->increment > 0;
            if (!sq->cycle) {
                rc = rdb_err_set(err, RDB_SQL, "2200H",
                                 "nextval: reached %s value of sequence \"%s\" (%lld)",
                                 up ? "maximum" : "minimum", rel->name,
                                 (long long)(up ? sq->maxvalue : sq->minvalue));
                goto out;
            }
            next = up ? sq->minvalue : sq->maxvalue;
            st->reserved = up ? next - 1 : next + 1; /* wrapped: reserve afresh */
        }
    }
    bool need = sq->increment > 0 ? next > st->reserved : next < st->reserved;
    if (need) {
        int64_t res, span;
        if (__builtin_mul_overflow(sq->increment, (int64_t)SEQ_LOG_VALS, &span) ||
            __builtin_add_overflow(next, span, &res))
            res = sq->increment > 0 ? sq->maxvalue : sq->minvalue;
        if (res > sq->maxvalue)
            res = sq->maxvalue;
        if (res < sq->minvalue)
            res = sq->minvalue;
        if ((rc = seq_write(c, rel->id, res, true, err)) != RDB_OK)
            goto out;
        st->reserved = res;
    }
    st->cur = next;
    st->called = true;
    *out = next;
out:
    pthread_mutex_unlock(&c->seq_mu);
    return rc;
}

rdb_status_t sql_seq_setval(sql_catalog_t *c, const sql_table_t *rel, int64_t v, bool is_called,
                            rdb_err_t *err)
{
    if (!rel->seq)
        return rdb_err_set(err, RDB_SQL, "42809", "\"%s\" is not a sequence", rel->name);
    const sql_sequence_t *sq = rel->seq;
    if (v < sq->minvalue || v > sq->maxvalue)
        return rdb_err_set(err, RDB_SQL, "22003",
                           "setval: value %lld is out of bounds for sequence \"%s\" (%lld..%lld)",
                           (long long)v, rel->name, (long long)sq->minvalue,
                           (long long)sq->maxvalue);
    pthread_mutex_lock(&c->seq_mu);
    seq_state_t *st;
    rdb_status_t rc = seq_state(c, rel, &st, err);
    if (rc == RDB_OK)
        rc = seq_write(c, rel->id, v, is_called, err);
    if (rc == RDB_OK) {
        st->cur = v;
        st->called = is_called;
        st->reserved = is_called ? v : (sq->increment > 0 ? v - 1 : v + 1);
    }
    pthread_mutex_unlock(&c->seq_mu);
    return rc;
}
