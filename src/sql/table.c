/*
 * table.c — rows and index entries of a table in the key/value store
 * (sql/table.h; the layout is DESIGN.md §3 and catalog.h's comment).
 *
 *   row key    02 ‖ be32 table_id ‖ [be64 token] ‖ pk
 *   row value  MessagePack array, element i = column with colid i (nil for
 *              dropped columns and the hidden row id)
 *   index key  03 ‖ be32 index_id ‖ indexed columns ‖ pk     value: empty
 *
 * pk is the concatenated order-preserving encoding (sql_key_encode,
 * ascending) of the primary-key columns, or the hidden row id: 10 bytes,
 * be64 HLC stamp ‖ be16 node id, unique across the cluster since the HLC
 * never repeats a stamp on a node.  In a row array the row id is held by
 * value (u.iv.usec = stamp, u.iv.days = node id, no pointer), so copies of
 * the row that know nothing of the hidden column keep it intact.  token = rdb_hash64(pk) for
 * hash-partitioned tables (the default).  Index entries end with pk, so an
 * entry finds its row (token recomputed from pk) and non-unique indexes
 * need no value.  The primary-key index has no entries: the row key is it.
 *
 * Uniqueness is checked by reading through the transaction (its snapshot
 * plus its own writes): a row key for the primary key, a prefix seek on
 * 03 ‖ index_id ‖ indexed columns for UNIQUE (skipped when one of them is
 * NULL, as in PostgreSQL).  Concurrent inserts of the same key in two
 * transactions are the transactions layer's to catch (first committer
 * wins); across nodes LWW keeps one row.  Every check of a statement runs
 * before its first write, so ON CONFLICT DO NOTHING leaves nothing behind.
 *
 * Scan bounds are given in index order.  A hash-partitioned table cannot
 * seek a pk range (rows are ordered by token): a range scan over it reads
 * the whole table and filters by comparing key encodings, except the
 * point case (all pk columns, lo == hi, inclusive), which is one seek.
 * Index range scans with only an upper bound skip NULL entries (NULL sorts
 * first ascending); with only a lower bound on a DESC column likewise.
 */
#include <assert.h>
#include <msgpack.h>
#include <stdlib.h>
#include <string.h>

#include "common/coding.h"
#include "common/hash.h"
#include "common/mem.h"
#include "sql/array.h"
#include "sql/table.h"
#include "sql/types.h"

#define ROWID_LEN 10

static const sql_type_t bytea_type = { SQL_OID_BYTEA, -1 };

static int buf_write(void *data, const char *p, size_t n)
{
    rdb_buf_append((rdb_buf_t *)data, p, n);
    return 0;
}

/* The hidden row id, by value in the row so that a shallow copy of the
 * row keeps it: u.iv.usec = HLC stamp, u.iv.days = node id. */
static sql_value_t rowid_new(txn_t *txn)
{
    txn_store_t *st = txn_store(txn);
    sql_value_t v = { .isnull = false };
    v.u.iv.usec = (int64_t)txn_store_now(st);
    v.u.iv.days = txn_store_node_id(st);
    return v;
}

static void rowid_encode(rdb_buf_t *out, const sql_value_t *v)
{
    rdb_buf_append_u64_be(out, (uint64_t)v->u.iv.usec);
    rdb_buf_append_u16_be(out, (uint16_t)v->u.iv.days);
}

static sql_type_t col_type(const sql_table_t *t, uint16_t colid)
{
    if (t->has_rowid && colid == t->rowid_colid)
        return bytea_type;
    const sql_column_t *c = sql_table_column_by_id(t, colid);
    return c ? c->type : bytea_type;
}

static void key_prefix(rdb_buf_t *k, uint8_t kind, uint32_t id)
{
    rdb_buf_reset(k);
    rdb_buf_append_u8(k, kind);
    rdb_buf_append_u32_be(k, id);
}

/* Smallest key greater than every key starting with k: increment the last
 * byte that is not 0xff and drop what follows; empty when none. */
static void key_succ(rdb_buf_t *k)
{
    while (k->len && (uint8_t)k->data[k->len - 1] == 0xff)
        k->len--;
    if (k->len)
        k->data[k->len - 1]++;
}

/* pk encoding of a row (or of the npk values in pk order when pk_only). */
static void pk_encode(rdb_buf_t *out, const sql_table_t *t, const sql_value_t *vals, bool pk_only)
{
    if (t->npk == 0) {
        rowid_encode(out, &vals[pk_only ? 0 : t->rowid_colid]);
        return;
    }
    for (int i = 0; i < t->npk; i++) {
        uint16_t colid = t->pk_colids[i];
        sql_key_encode(out, col_type(t, colid), &vals[pk_only ? i : colid], false);
    }
}

static void row_key(rdb_buf_t *k, const sql_table_t *t, const char *pk, size_t pklen)
{
    key_prefix(k, TXN_PREFIX_ROW, t->id);
    if (t->hash_partitioned)
        rdb_buf_append_u64_be(k, rdb_hash64(pk, pklen, 0));
    rdb_buf_append(k, pk, pklen);
}

static void index_cols(rdb_buf_t *k, const sql_table_t *t, const sql_index_t *ix,
                       const sql_value_t *row)
{
    key_prefix(k, TXN_PREFIX_INDEX, ix->id);
    for (int i = 0; i < ix->ncols; i++)
        sql_key_encode(k, col_type(t, ix->colids[i]), &row[ix->colids[i]], ix->desc && ix->desc[i]);
}

static bool index_has_null(const sql_index_t *ix, const sql_value_t *row)
{
    for (int i = 0; i < ix->ncols; i++)
        if (row[ix->colids[i]].isnull)
            return true;
    return false;
}

void sql_row_encode(rdb_buf_t *out, const sql_table_t *tab, const sql_value_t *row)
{
    msgpack_packer pk;
    msgpack_packer_init(&pk, out, buf_write);
    msgpack_pack_array(&pk, tab->nrowcols);
    int ci = 0;
    /* cols are in attnum order, not colid order: look each colid up. */
    for (uint16_t colid = 0; colid < tab->nrowcols; colid++) {
        const sql_column_t *c = NULL;
        if (ci < tab->ncols && tab->cols[ci].colid == colid)
            c = &tab->cols[ci++];
        else
            c = sql_table_column_by_id(tab, colid);
        if (c)
            sql_value_pack(&pk, c->type, &row[colid]);
        else
            msgpack_pack_nil(&pk);
    }
}

/* Decode with a caller's zone (scans keep one and clear it per row,
 * instead of a malloc'ed zone per row). */
static rdb_status_t row_decode_cols(rdb_arena_t *a, const sql_table_t *tab, const char *p,
                                    size_t len, sql_value_t *row, msgpack_zone *z,
                                    const bool *need, rdb_err_t *err)
{
    for (int i = 0; i < tab->nrowcols; i++)
        row[i] = sql_null();
    msgpack_object o;
    size_t off = 0;
    msgpack_zone_clear(z);
    msgpack_unpack_return r = msgpack_unpack(p, len, &off, z, &o);
    if ((r != MSGPACK_UNPACK_SUCCESS && r != MSGPACK_UNPACK_EXTRA_BYTES) ||
        o.type != MSGPACK_OBJECT_ARRAY)
        return rdb_err_set(err, RDB_CORRUPTION, RDB_SQLSTATE_DATA_CORRUPTED,
                           "row of table \"%s\" is not a MessagePack array", tab->name);
    uint32_t n = o.via.array.size;
    for (int i = 0; i < tab->ncols; i++) {
        const sql_column_t *c = &tab->cols[i];
        if (c->colid < n && (!need || need[c->colid])) {
            rdb_status_t rc = sql_value_unpack(a, c->type, &o.via.array.ptr[c->colid], &row[c->colid], err);
            if (rc != RDB_OK)
                return rc;
        }
    }
    return RDB_OK;
}

static rdb_status_t row_decode(rdb_arena_t *a, const sql_table_t *tab, const char *p, size_t len,
                               sql_value_t *row, msgpack_zone *z, rdb_err_t *err)
{
    return row_decode_cols(a, tab, p, len, row, z, NULL, err);
}

/* --- the fast path of row decoding ------------------------------------------
 *
 * Rows are flat MessagePack arrays of nil, booleans, integers, doubles, str
 * and bin (sql_value_pack).  Scans and point reads walk them in place:
 * one element at a time into a msgpack_object on the stack (str and bin
 * pointing into the input), handed to sql_value_unpack, so the types'
 * rules stay in one place; columns not needed are stepped over.  No zone,
 * no object tree.  Anything else (interval's nested array, maps, ext,
 * malformed input) sends the row through msgpack-c (row_decode_cols).  */

/* One flat element at *pp into o; false for anything else. */
static bool mp_next(const char **pp, const char *end, msgpack_object *o)
{
    const uint8_t *p = (const uint8_t *)*pp, *e = (const uint8_t *)end;
    if (p >= e)
        return false;
    uint8_t b = *p++;
    size_t n = 0, w = 0;
    bool bin = false;
    int64_t iv = 0;
    if (b <= 0x7f) {
        iv = b;
        goto integer;
    }
    if (b >= 0xe0) {
        iv = (int8_t)b;
        goto integer;
    }
    if ((b & 0xe0) == 0xa0) {
        n = b & 0x1f;
        goto bytes;
    }
    switch (b) {
    case 0xc0: o->type = MSGPACK_OBJECT_NIL; break;
    case 0xc2: case 0xc3:
        o->type = MSGPACK_OBJECT_BOOLEAN;
        o->via.boolean = b == 0xc3;
        break;
    case 0xcc: case 0xd0: w = 1; break;
    case 0xcd: case 0xd1: w = 2; break;
    case 0xce: case 0xd2: case 0xca: w = 4; break;
    case 0xcf: case 0xd3: case 0xcb: w = 8; break;
    case 0xd9: case 0xc4: w = 1; break;
    case 0xda: case 0xc5: w = 2; break;
    case 0xdb: case 0xc6: w = 4; break;
    default: return false;
    }
    if (!w) {
        *pp = (const char *)p;
        return true;
    }
    if ((size_t)(e - p) < w)
        return false;
    uint64_t u = w == 1 ? p[0] : w == 2 ? rdb_get_u16_be(p) : w == 4 ? rdb_get_u32_be(p)
                                                                     : rdb_get_u64_be(p);
    p += w;
    switch (b) {
    case 0xcc: case 0xcd: case 0xce: case 0xcf:
        o->type = MSGPACK_OBJECT_POSITIVE_INTEGER;
        o->via.u64 = u;
        *pp = (const char *)p;
        return true;
    case 0xd0: iv = (int8_t)u; goto integer;
    case 0xd1: iv = (int16_t)u; goto integer;
    case 0xd2: iv = (int32_t)u; goto integer;
    case 0xd3: iv = (int64_t)u; goto integer;
    case 0xca: {
        uint32_t u32 = (uint32_t)u;
        float f;
        memcpy(&f, &u32, 4);
        o->type = MSGPACK_OBJECT_FLOAT32;
        o->via.f64 = f;
        *pp = (const char *)p;
        return true;
    }
    case 0xcb:
        o->type = MSGPACK_OBJECT_FLOAT64;
        memcpy(&o->via.f64, &u, 8);
        *pp = (const char *)p;
        return true;
    default: /* str / bin with a length */
        n = (size_t)u;
        bin = b == 0xc4 || b == 0xc5 || b == 0xc6;
        goto bytes;
    }
integer:
    *pp = (const char *)p;
    if (iv < 0) {
        o->type = MSGPACK_OBJECT_NEGATIVE_INTEGER;
        o->via.i64 = iv;
    } else {
        o->type = MSGPACK_OBJECT_POSITIVE_INTEGER;
        o->via.u64 = (uint64_t)iv;
    }
    return true;
bytes:
    if ((size_t)(e - p) < n)
        return false;
    if (bin) {
        o->type = MSGPACK_OBJECT_BIN;
        o->via.bin.ptr = (const char *)p;
        o->via.bin.size = (uint32_t)n;
    } else {
        o->type = MSGPACK_OBJECT_STR;
        o->via.str.ptr = (const char *)p;
        o->via.str.size = (uint32_t)n;
    }
    *pp = (const char *)(p + n);
    return true;
}

/* The type of every colid of t (oid 0: dropped, or the hidden row id). */
static void col_types(const sql_table_t *t, sql_type_t *out)
{
    for (int i = 0; i < t->nrowcols; i++)
        out[i] = (sql_type_t){ 0, -1 };
    for (int i = 0; i < t->ncols; i++)
        if (t->cols[i].colid < t->nrowcols)
            out[t->cols[i].colid] = t->cols[i].type;
}

/* The element count of the MessagePack array that starts at *pp (a flat
 * row), *pp moved past its header; false if no array starts there. */
static bool mp_array_head(const char **pp, const char *end, uint32_t *n)
{
    const char *p = *pp;
    if (p >= end)
        return false;
    uint8_t b = (uint8_t)*p++;
    if ((b & 0xf0) == 0x90) {
        *n = b & 0x0f;
    } else if (b == 0xdc && end - p >= 2) {
        *n = rdb_get_u16_be(p);
        p += 2;
    } else if (b == 0xdd && end - p >= 4) {
        *n = rdb_get_u32_be(p);
        p += 4;
    } else {
        return false;
    }
    *pp = p;
    return true;
}

/* 1: decoded; 0: not a flat row, use row_decode_cols; -1: error (err set). */
static int row_decode_fast(rdb_arena_t *a, const sql_table_t *tab, const sql_type_t *types,
                           const char *p, size_t len, sql_value_t *row, const bool *need,
                           rdb_err_t *err)
{
    const char *end = p + len;
    uint32_t n;
    if (!mp_array_head(&p, end, &n))
        return 0;
    for (int i = 0; i < tab->nrowcols; i++)
        row[i] = sql_null();
    for (uint32_t i = 0; i < n; i++) {
        msgpack_object o;
        if (!mp_next(&p, end, &o))
            return 0;
        if (i >= (uint32_t)tab->nrowcols || !types[i].oid || (need && !need[i]))
            continue;
        if (sql_value_unpack(a, types[i], &o, &row[i], err) != RDB_OK)
            return -1;
    }
    return 1;
}

/* --- a scan's decoding plan ---------------------------------------------------
 *
 * A scan reads many rows of one layout: per colid what to do is decided
 * once (scan_kinds) and row_decode_kinds follows it.  Integers (int2/4/8,
 * date, time, timestamps) and doubles, the values sql_value_pack writes
 * as MessagePack numbers, are read in place; other needed values go
 * through mp_next and sql_value_unpack as in row_decode_fast; columns
 * after the last needed one are not walked at all. */
enum { DK_SKIP, DK_INT, DK_FLOAT, DK_OTHER };

/* A MessagePack integer at *pp into *v; false (nothing read) otherwise. */
static inline bool mp_int(const char **pp, const char *end, int64_t *v)
{
    const uint8_t *p = (const uint8_t *)*pp, *e = (const uint8_t *)end;
    uint8_t b = *p;
    if (b <= 0x7f || b >= 0xe0) {
        *v = b <= 0x7f ? (int64_t)b : (int64_t)(int8_t)b;
        *pp += 1;
        return true;
    }
    size_t w = b == 0xcc || b == 0xd0 ? 1 : b == 0xcd || b == 0xd1 ? 2 : b == 0xce || b == 0xd2 ? 4
             : b == 0xcf || b == 0xd3 ? 8 : 0;
    if (!w || (size_t)(e - p) < w + 1)
        return false;
    p++;
    uint64_t u = w == 1 ? p[0] : w == 2 ? rdb_get_u16_be(p) : w == 4 ? rdb_get_u32_be(p) : rdb_get_u64_be(p);
    switch (b) {
    case 0xd0: *v = (int8_t)u; break;
    case 0xd1: *v = (int16_t)u; break;
    case 0xd2: *v = (int32_t)u; break;
    default: *v = (int64_t)u; break;   /* uint8..64 (as sql_value_unpack casts), int64 */
    }
    *pp = (const char *)(p + w);
    return true;
}

/* dk[colid] for the columns need asks for (NULL: all); the count of
 * colids up to the last one decoded. */
static int scan_kinds(const sql_table_t *t, const sql_type_t *types, const bool *need, uint8_t *dk)
{
    int last = 0;
    for (int i = 0; i < t->nrowcols; i++) {
        dk[i] = DK_SKIP;
        if (!types[i].oid || (need && !need[i]))
            continue;
        int how = sql_value_packed_as(types[i].oid);
        dk[i] = how == SQL_PACKED_INT ? DK_INT : how == SQL_PACKED_FLOAT ? DK_FLOAT : DK_OTHER;
        last = i + 1;
    }
    return last;
}

/* As row_decode_fast, following dk for the first ndk colids. */
static int row_decode_kinds(rdb_arena_t *a, const sql_table_t *tab, const sql_type_t *types,
                            const uint8_t *dk, int ndk, const char *p, size_t len, sql_value_t *row,
                            rdb_err_t *err)
{
    const char *end = p + len;
    uint32_t n;
    if (!mp_array_head(&p, end, &n))
        return 0;
    for (int i = 0; i < tab->nrowcols; i++)
        row[i] = sql_null();
    uint32_t stop = n < (uint32_t)ndk ? n : (uint32_t)ndk;
    for (uint32_t i = 0; i < stop; i++) {
        if (p >= end)
            return 0;
        uint8_t k = dk[i];
        if ((uint8_t)*p == 0xc0) {   /* nil: NULL */
            p++;
            continue;
        }
        if (k == DK_INT) {
            int64_t v;
            if (mp_int(&p, end, &v)) {
                row[i] = sql_int(v);
                continue;
            }
        } else if (k == DK_FLOAT && (uint8_t)*p == 0xcb && end - p >= 9) {
            uint64_t u = rdb_get_u64_be(p + 1);
            double f;
            memcpy(&f, &u, 8);
            row[i] = sql_float(f);
            p += 9;
            continue;
        }
        msgpack_object o;
        if (!mp_next(&p, end, &o))
            return 0;
        if (k == DK_SKIP)
            continue;
        if (sql_value_unpack(a, types[i], &o, &row[i], err) != RDB_OK)
            return -1;
    }
    return 1;
}

rdb_status_t sql_row_decode(rdb_arena_t *a, const sql_table_t *tab, const char *p, size_t len,
                            sql_value_t *row, rdb_err_t *err)
{
    msgpack_zone z;
    msgpack_zone_init(&z, 2048);
    rdb_status_t rc = row_decode(a, tab, p, len, row, &z, err);
    msgpack_zone_destroy(&z);
    return rc;
}

/* Fill the hidden row id from a row key (after prefix and token). */
static rdb_status_t rowid_from_key(rdb_arena_t *a, const sql_table_t *t, const char *key,
                                   size_t klen, sql_value_t *row, rdb_err_t *err)
{
    size_t skip = 5 + (t->hash_partitioned ? 8 : 0);
    if (klen < skip)
        return rdb_err_set(err, RDB_CORRUPTION, RDB_SQLSTATE_DATA_CORRUPTED,
                           "short row key in table \"%s\"", t->name);
    (void)a;
    if (klen - skip != ROWID_LEN)
        return rdb_err_set(err, RDB_CORRUPTION, RDB_SQLSTATE_DATA_CORRUPTED,
                           "bad row id in a key of table \"%s\"", t->name);
    sql_value_t *v = &row[t->rowid_colid];
    *v = sql_null();
    v->isnull = false;
    v->u.iv.usec = (int64_t)rdb_get_u64_be(key + skip);
    v->u.iv.days = rdb_get_u16_be(key + skip + 8);
    return RDB_OK;
}

/* --- errors ---------------------------------------------------------------- */

void sql_key_detail(rdb_buf_t *b, const sql_table_t *t, int ncols, const uint16_t *colids,
                    const sql_value_t *row)
{
    sql_format_settings_t fs;
    sql_format_settings_default(&fs);
    rdb_buf_append_str(b, "Key (");
    for (int i = 0; i < ncols; i++) {
        const sql_column_t *c = sql_table_column_by_id(t, colids[i]);
        rdb_buf_printf(b, "%s%s", i ? ", " : "", c ? c->name : "?");
    }
    rdb_buf_append_str(b, ")=(");
    for (int i = 0; i < ncols; i++) {
        if (i)
            rdb_buf_append_str(b, ", ");
        const sql_value_t *v = &row[colids[i]];
        if (v->isnull)
            rdb_buf_append_str(b, "null");
        else
            sql_value_out(&fs, col_type(t, colids[i]), v, b);
    }
    rdb_buf_append_str(b, ")");
}

static rdb_status_t dup_error(rdb_err_t *err, const sql_table_t *t, const sql_index_t *ix,
                              const sql_value_t *row)
{
    rdb_err_set(err, RDB_SQL, "23505", "duplicate key value violates unique constraint \"%s\"",
                ix ? ix->name : "rowid");
    if (ix) {
        rdb_buf_t b = RDB_BUF_INIT;
        sql_key_detail(&b, t, ix->ncols, ix->colids, row);
        rdb_buf_append_str(&b, " already exists.");
        rdb_err_detail(err, "%s", rdb_buf_cstr(&b));
        rdb_buf_free(&b);
    }
    return RDB_SQL;
}

/* --- uniqueness ------------------------------------------------------------ */

/* An index entry whose row is gone or holds other values now (concurrent
 * UPDATEs on two nodes: the loser's entry, see live_entry_exists): erase
 * it, at the version of the row that outdated it, so that every replica
 * drops it and the index's key count matches its rows again.  Only when
 * the stored entry is live and older than the stored row (rkey).  Best
 * effort: a failure leaves the entry for later. */
static bool erase_if_older(txn_store_t *st, const char *ekey, size_t eklen, lsm_version_t vr)
{
    lsm_version_t ve;
    bool tomb = false;
    rdb_err_t e = RDB_ERR_INIT;
    bool done = txn_store_version(st, ekey, eklen, &ve, &tomb, &e) == RDB_OK && !tomb &&
                lsm_version_cmp(ve, vr) < 0 &&
                txn_store_erase_at(st, ekey, eklen, vr, &e) == RDB_OK;
    rdb_err_clear(&e);
    return done;
}

static void erase_stale(txn_t *txn, const char *ekey, size_t eklen, const rdb_buf_t *rkey)
{
    if (txn_has_writes(txn))
        return; /* the row and entry read may be this transaction's own */
    txn_store_t *st = txn_store(txn);
    lsm_version_t vr;
    bool tomb = false;
    rdb_err_t e = RDB_ERR_INIT;
    if (txn_store_version(st, rkey->data, rkey->len, &vr, &tomb, &e) == RDB_OK)
        erase_if_older(st, ekey, eklen, vr);
    rdb_err_clear(&e);
}

/* sql_table_sweep_row: the entries every version of the row implied. */
typedef struct sweep {
    const sql_table_t *t;
    txn_store_t       *st;
    const char        *pk;
    size_t             pklen;
    bool               first;
    lsm_version_t      cur_v;
    rdb_buf_t         *cur;      /* per index: the current row's entry, empty if none */
    rdb_buf_t          key;
    sql_value_t       *row;
    rdb_arena_t        a;
    size_t             erased;
} sweep_t;

static bool sweep_version(void *ctx, const char *val, size_t vlen, lsm_version_t v, bool tomb)
{
    sweep_t *w = ctx;
    const sql_table_t *t = w->t;
    bool decoded = false;
    if (!tomb) {
        rdb_err_t e = RDB_ERR_INIT;
        rdb_arena_reset(&w->a);
        decoded = sql_row_decode(&w->a, t, val, vlen, w->row, &e) == RDB_OK;
        rdb_err_clear(&e);
    }
    for (int i = 0; i < t->nindexes; i++) {
        if (!decoded) {
            if (w->first)
                rdb_buf_reset(&w->cur[i]);
            continue;
        }
        index_cols(&w->key, t, &t->indexes[i], w->row);
        rdb_buf_append(&w->key, w->pk, w->pklen);
        if (w->first) {
            rdb_buf_reset(&w->cur[i]);
            rdb_buf_append(&w->cur[i], w->key.data, w->key.len);
        } else if (w->key.len != w->cur[i].len ||
                   memcmp(w->key.data, w->cur[i].data, w->key.len) != 0) {
            w->erased += erase_if_older(w->st, w->key.data, w->key.len, w->cur_v);
        }
    }
    if (w->first)
        w->cur_v = v;
    w->first = false;
    return true;
}

rdb_status_t sql_table_sweep_row(txn_store_t *st, const sql_table_t *t, const char *rowkey,
                                 size_t rklen, size_t *erased, rdb_err_t *err)
{
    size_t skip = 5 + (t->hash_partitioned ? 8 : 0);
    *erased = 0;
    if (t->nindexes == 0 || rklen <= skip)
        return RDB_OK;
    sweep_t w = { .t = t, .st = st, .pk = rowkey + skip, .pklen = rklen - skip, .first = true };
    w.cur = rdb_calloc((size_t)t->nindexes, sizeof *w.cur);
    w.row = rdb_calloc(t->nrowcols ? t->nrowcols : 1, sizeof *w.row);
    rdb_arena_init(&w.a, 0);
    rdb_status_t rc = txn_store_versions(st, rowkey, rklen, sweep_version, &w, err);
    for (int i = 0; i < t->nindexes; i++)
        rdb_buf_free(&w.cur[i]);
    free(w.cur);
    free(w.row);
    rdb_buf_free(&w.key);
    rdb_arena_destroy(&w.a);
    *erased = w.erased;
    return rc;
}

/* Is there an entry under prefix (ix's columns) whose row still holds
 * those values?  On a cluster, rows and index entries are separate keys
 * resolved by LWW one by one, so UPDATEs of one row on two nodes at once
 * leave the losing node's entry behind, pointing at a row that now holds
 * other values (docs/cluster.md): such an entry is stale, no duplicate. */
static rdb_status_t live_entry_count(txn_t *txn, const sql_table_t *t, const sql_index_t *ix,
                                     const rdb_buf_t *prefix, int max, int *count, rdb_err_t *err)
{
    rdb_buf_t hi = RDB_BUF_INIT, key = RDB_BUF_INIT, val = RDB_BUF_INIT, again = RDB_BUF_INIT;
    rdb_buf_append(&hi, prefix->data, prefix->len);
    key_succ(&hi);
    txn_iter_t *it = txn_iter_new(txn, prefix->data, prefix->len, hi.len ? hi.data : NULL, hi.len);
    sql_value_t *row = calloc(t->nrowcols ? t->nrowcols : 1, sizeof *row);
    rdb_arena_t a;
    rdb_arena_init(&a, 0);
    rdb_status_t rc = RDB_OK;
    *count = 0;
    while (*count < max && txn_iter_next(it)) {
        size_t klen;
        const char *k = txn_iter_key(it, &klen);
        bool found = false;
        rdb_buf_reset(&key);
        row_key(&key, t, k + prefix->len, klen - prefix->len);
        if ((rc = txn_get(txn, key.data, key.len, &val, &found, err)) != RDB_OK)
            break;
        if (!found) {
            erase_stale(txn, k, klen, &key);
            continue; /* the row is gone: a stale entry */
        }
        rdb_arena_reset(&a);
        if ((rc = sql_row_decode(&a, t, val.data, val.len, row, err)) != RDB_OK)
            break;
        rdb_buf_reset(&again);
        index_cols(&again, t, ix, row);
        bool live = again.len == prefix->len && memcmp(again.data, prefix->data, again.len) == 0;
        *count += live;
        if (!live)
            erase_stale(txn, k, klen, &key);
    }
    if (rc == RDB_OK)
        rc = txn_iter_status(it, err);
    txn_iter_free(it);
    rdb_arena_destroy(&a);
    free(row);
    rdb_buf_free(&hi);
    rdb_buf_free(&key);
    rdb_buf_free(&val);
    rdb_buf_free(&again);
    return rc;
}

static rdb_status_t live_entry_exists(txn_t *txn, const sql_table_t *t, const sql_index_t *ix,
                                      const rdb_buf_t *prefix, bool *exists, rdb_err_t *err)
{
    int n;
    rdb_status_t rc = live_entry_count(txn, t, ix, prefix, 1, &n, err);
    *exists = n > 0;
    return rc;
}

/* A DEFERRABLE index is checked later (sql_table_unique_recheck), not here. */
static rdb_status_t check_unique(txn_t *txn, const sql_table_t *t, const sql_index_t *ix,
                                 const sql_value_t *row, bool *dup, rdb_err_t *err)
{
    *dup = false;
    if (!ix->unique || ix->deferrable || index_has_null(ix, row))
        return RDB_OK;
    rdb_buf_t k = RDB_BUF_INIT;
    index_cols(&k, t, ix, row);
    rdb_status_t rc = live_entry_exists(txn, t, ix, &k, dup, err);
    rdb_buf_free(&k);
    return rc;
}

rdb_status_t sql_table_unique_recheck(txn_t *txn, const sql_table_t *t, const sql_index_t *ix,
                                      const sql_value_t *row, rdb_err_t *err)
{
    if (!ix->unique || index_has_null(ix, row))
        return RDB_OK;
    rdb_buf_t k = RDB_BUF_INIT;
    index_cols(&k, t, ix, row);
    int n;
    rdb_status_t rc = live_entry_count(txn, t, ix, &k, 2, &n, err);
    rdb_buf_free(&k);
    if (rc == RDB_OK && n > 1)
        rc = dup_error(err, t, ix, row);
    return rc;
}

bool sql_table_unique_lock_key(rdb_buf_t *k, const sql_table_t *t, const sql_index_t *ix,
                               const sql_value_t *row)
{
    if (!ix->unique || index_has_null(ix, row))
        return false;
    rdb_buf_t e = RDB_BUF_INIT;
    index_cols(&e, t, ix, row);
    rdb_buf_append(k, e.data + 1, e.len - 1);   /* without the 0x03 prefix */
    rdb_buf_free(&e);
    return true;
}

static void index_put(txn_t *txn, const sql_table_t *t, const sql_index_t *ix,
                      const sql_value_t *row, const rdb_buf_t *pk, bool del)
{
    rdb_buf_t k = RDB_BUF_INIT;
    index_cols(&k, t, ix, row);
    rdb_buf_append(&k, pk->data, pk->len);
    if (del)
        txn_delete(txn, k.data, k.len);
    else
        txn_put(txn, k.data, k.len, "", 0);
    rdb_buf_free(&k);
}

/* --- writes ------------------------------------------------------------------ */

static rdb_status_t null_pk_error(const sql_table_t *t, const sql_value_t *row, rdb_err_t *err)
{
    for (int i = 0; i < t->npk; i++)
        if (row[t->pk_colids[i]].isnull) {
            const sql_column_t *c = sql_table_column_by_id(t, t->pk_colids[i]);
            return rdb_err_set(err, RDB_SQL, "23502",
                               "null value in column \"%s\" of relation \"%s\" violates not-null constraint",
                               c ? c->name : "?", t->name);
        }
    return RDB_OK;
}

/* Write a row at key (its pk encoding in pk) and its index entries. */
static void write_row(txn_t *txn, const sql_table_t *t, const sql_value_t *row, const rdb_buf_t *key,
                      const rdb_buf_t *pk, rdb_buf_t *val)
{
    rdb_buf_reset(val);
    sql_row_encode(val, t, row);
    txn_put(txn, key->data, key->len, val->data, val->len);
    for (int i = 0; i < t->nindexes; i++)
        index_put(txn, t, &t->indexes[i], row, pk, false);
}

/* Write a row without any uniqueness check (the caller made sure);
 * a NULL row id is drawn fresh. */
static void put_row(txn_t *txn, const sql_table_t *t, sql_value_t *row, rdb_buf_t *pk)
{
    rdb_buf_t key = RDB_BUF_INIT, val = RDB_BUF_INIT;
    if (t->npk == 0 && row[t->rowid_colid].isnull)
        row[t->rowid_colid] = rowid_new(txn);
    rdb_buf_reset(pk);
    pk_encode(pk, t, row, false);
    row_key(&key, t, pk->data, pk->len);
    write_row(txn, t, row, &key, pk, &val);
    rdb_buf_free(&key);
    rdb_buf_free(&val);
}

rdb_status_t sql_table_insert(txn_t *txn, const sql_table_t *t, const sql_value_t *row,
                              bool on_conflict_nothing, bool *inserted, rdb_err_t *err)
{
    return sql_table_insert_arbiter(txn, t, row, on_conflict_nothing, NULL, inserted, err);
}

rdb_status_t sql_table_insert_arbiter(txn_t *txn, const sql_table_t *t, const sql_value_t *row,
                                      bool on_conflict_nothing, const sql_index_t *arbiter,
                                      bool *inserted, rdb_err_t *err)
{
    rdb_buf_t pk = RDB_BUF_INIT, key = RDB_BUF_INIT, val = RDB_BUF_INIT;
    rdb_status_t rc = RDB_OK;
    bool dup = false;
    const sql_index_t *dup_ix = NULL;
    if (inserted)
        *inserted = false;
    if ((rc = null_pk_error(t, row, err)) != RDB_OK)
        return rc;
    for (int i = 0; on_conflict_nothing && i < t->nindexes; i++)
        if (t->indexes[i].deferrable && (!arbiter || arbiter->id == t->indexes[i].id))
            return rdb_err_set(err, RDB_SQL, "55000", "ON CONFLICT does not support deferrable unique "
                               "constraints/exclusion constraints as arbiters");
    if (t->npk == 0) {
        sql_value_t idv = row[t->rowid_colid];
        if (idv.isnull)
            idv = rowid_new(txn);
        rowid_encode(&pk, &idv);
    } else {
        pk_encode(&pk, t, row, false);
    }
    row_key(&key, t, pk.data, pk.len);
    if (on_conflict_nothing && arbiter && arbiter != t->pk_index) {
        /* the arbiter first: its conflict is no error, another index's is */
        if ((rc = check_unique(txn, t, arbiter, row, &dup, err)) != RDB_OK || dup)
            goto out;
    }
    if (t->npk) {
        rc = txn_get(txn, key.data, key.len, &val, &dup, err);
        if (rc != RDB_OK)
            goto out;
        if (dup)
            dup_ix = t->pk_index;
    }
    for (int i = 0; !dup && i < t->nindexes; i++) {
        if ((rc = check_unique(txn, t, &t->indexes[i], row, &dup, err)) != RDB_OK)
            goto out;
        if (dup)
            dup_ix = &t->indexes[i];
    }
    if (dup) {
        if (!on_conflict_nothing || (arbiter && dup_ix != arbiter))
            rc = dup_error(err, t, dup_ix, row);
        goto out;
    }
    write_row(txn, t, row, &key, &pk, &val);
    if (inserted)
        *inserted = true;
out:
    rdb_buf_free(&pk);
    rdb_buf_free(&key);
    rdb_buf_free(&val);
    return rc;
}

/* --- bulk inserts (COPY FROM) ----------------------------------------------- */

/* Index entries are tagged apart from rows: a duplicate entry implies a
 * duplicate row (the entry's key ends with the primary key), so the
 * smallest tag txn_check_new reports is always a row's. */
#define BULK_INDEX_TAG (UINT64_C(1) << 63)

bool sql_table_bulk_ok(const sql_table_t *t)
{
    for (int i = 0; i < t->nindexes; i++)
        if (t->indexes[i].unique)
            return false;
    return true;
}

void sql_bulk_free(sql_bulk_t *bk)
{
    rdb_buf_free(&bk->pk);
    rdb_buf_free(&bk->key);
    rdb_buf_free(&bk->val);
}

rdb_status_t sql_table_insert_new(txn_t *txn, const sql_table_t *t, const sql_value_t *row,
                                  uint64_t tag, sql_bulk_t *bk, rdb_err_t *err)
{
    rdb_status_t rc = null_pk_error(t, row, err);
    if (rc != RDB_OK)
        return rc;
    rdb_buf_reset(&bk->pk);
    if (t->npk == 0) {
        sql_value_t idv = row[t->rowid_colid];
        if (idv.isnull)
            idv = rowid_new(txn);
        rowid_encode(&bk->pk, &idv);
    } else {
        pk_encode(&bk->pk, t, row, false);
    }
    row_key(&bk->key, t, bk->pk.data, bk->pk.len);
    if (t->npk && bk->empty == 0) {
        /* A table without a row at the start (in the snapshot and the
         * transaction's writes) needs no lookup per row: only the bulk's
         * own rows can repeat a key, and txn_check_new finds those. */
        rdb_buf_t lo = RDB_BUF_INIT, hi = RDB_BUF_INIT;
        key_prefix(&lo, TXN_PREFIX_ROW, t->id);
        key_prefix(&hi, TXN_PREFIX_ROW, t->id);
        key_succ(&hi);
        txn_iter_t *it = txn_iter_new(txn, lo.data, lo.len, hi.data, hi.len);
        bool any = txn_iter_next(it);
        rc = txn_iter_status(it, err);
        txn_iter_free(it);
        rdb_buf_free(&lo);
        rdb_buf_free(&hi);
        if (rc != RDB_OK)
            return rc;
        bk->empty = any ? -1 : 1;
    }
    if (t->npk && bk->empty < 0) {
        bool dup;
        if ((rc = txn_get_before_new(txn, bk->key.data, bk->key.len, &bk->val, &dup, err)) != RDB_OK)
            return rc;
        if (dup)
            return dup_error(err, t, t->pk_index, row);
    }
    rdb_buf_reset(&bk->val);
    sql_row_encode(&bk->val, t, row);
    txn_put_new(txn, bk->key.data, bk->key.len, bk->val.data, bk->val.len, tag);
    for (int i = 0; i < t->nindexes; i++) {
        index_cols(&bk->key, t, &t->indexes[i], row);
        rdb_buf_append(&bk->key, bk->pk.data, bk->pk.len);
        txn_put_new(txn, bk->key.data, bk->key.len, "", 0, tag | BULK_INDEX_TAG);
    }
    return RDB_OK;
}

rdb_status_t sql_table_check_new(txn_t *txn, const sql_table_t *t, rdb_arena_t *a, uint64_t *tag,
                                  rdb_err_t *err)
{
    const char *val;
    size_t vlen;
    if (!txn_check_new(txn, tag, &val, &vlen))
        return RDB_OK;
    sql_value_t *row = rdb_arena_calloc(a, sizeof *row * (t->nrowcols + 1u));
    if (sql_row_decode(a, t, val, vlen, row, err) != RDB_OK)
        return RDB_SQL;
    return dup_error(err, t, t->pk_index, row);
}

static bool index_changed(const sql_table_t *t, const sql_index_t *ix, const sql_value_t *a,
                          const sql_value_t *b)
{
    for (int i = 0; i < ix->ncols; i++) {
        uint16_t c = ix->colids[i];
        if (a[c].isnull != b[c].isnull)
            return true;
        if (!a[c].isnull && sql_value_cmp(col_type(t, c), &a[c], &b[c]) != 0)
            return true;
    }
    return false;
}

rdb_status_t sql_table_update(txn_t *txn, const sql_table_t *t, const sql_value_t *oldrow,
                              const sql_value_t *newrow, rdb_err_t *err)
{
    rdb_buf_t opk = RDB_BUF_INIT, npk = RDB_BUF_INIT, okey = RDB_BUF_INIT, nkey = RDB_BUF_INIT;
    rdb_buf_t val = RDB_BUF_INIT;
    rdb_status_t rc = RDB_OK;
    if ((rc = null_pk_error(t, newrow, err)) != RDB_OK)
        return rc;
    pk_encode(&opk, t, oldrow, false);
    if (t->npk == 0)
        rowid_encode(&npk, &oldrow[t->rowid_colid]); /* the row id never changes */
    else
        pk_encode(&npk, t, newrow, false);
    row_key(&okey, t, opk.data, opk.len);
    row_key(&nkey, t, npk.data, npk.len);
    bool pk_moved = opk.len != npk.len || memcmp(opk.data, npk.data, opk.len) != 0;
    if (pk_moved) {
        bool dup = false;
        if ((rc = txn_get(txn, nkey.data, nkey.len, &val, &dup, err)) != RDB_OK)
            goto out;
        if (dup) {
            rc = dup_error(err, t, t->pk_index, newrow);
            goto out;
        }
    }
    for (int i = 0; i < t->nindexes; i++) {
        const sql_index_t *ix = &t->indexes[i];
        bool dup = false;
        if (!index_changed(t, ix, oldrow, newrow))
            continue;
        if ((rc = check_unique(txn, t, ix, newrow, &dup, err)) != RDB_OK)
            goto out;
        if (dup) {
            rc = dup_error(err, t, ix, newrow);
            goto out;
        }
    }
    if (pk_moved)
        txn_delete(txn, okey.data, okey.len);
    /* Replicated, an entry the update leaves alone is written again all the
     * same, at this commit's version: a concurrent UPDATE on another node
     * that changed the column tombstones this entry at ITS version, and
     * when this row version wins by LWW its entry must win too, or the row
     * would lack it on every node (docs/cluster.md, test_sqlindex.py).
     * The losers' new entries are the sweeper's (cluster_glue.c). */
    bool replicated = txn_store_replicated(txn_store(txn));
    for (int i = 0; i < t->nindexes; i++) {
        const sql_index_t *ix = &t->indexes[i];
        if (!pk_moved && !index_changed(t, ix, oldrow, newrow)) {
            if (replicated)
                index_put(txn, t, ix, newrow, &npk, false);
            continue;
        }
        index_put(txn, t, ix, oldrow, &opk, true);
        index_put(txn, t, ix, newrow, &npk, false);
    }
    rdb_buf_reset(&val);
    sql_row_encode(&val, t, newrow);
    txn_put(txn, nkey.data, nkey.len, val.data, val.len);
out:
    rdb_buf_free(&opk);
    rdb_buf_free(&npk);
    rdb_buf_free(&okey);
    rdb_buf_free(&nkey);
    rdb_buf_free(&val);
    return rc;
}

rdb_status_t sql_table_delete(txn_t *txn, const sql_table_t *t, const sql_value_t *row,
                              rdb_err_t *err)
{
    rdb_buf_t pk = RDB_BUF_INIT, key = RDB_BUF_INIT;
    pk_encode(&pk, t, row, false);
    row_key(&key, t, pk.data, pk.len);
    txn_delete(txn, key.data, key.len);
    for (int i = 0; i < t->nindexes; i++)
        index_put(txn, t, &t->indexes[i], row, &pk, true);
    rdb_buf_free(&pk);
    rdb_buf_free(&key);
    return RDB_OK;
}

/* Delete every key in [prefix, succ(prefix)). */
static rdb_status_t delete_prefix(txn_t *txn, uint8_t kind, uint32_t id, rdb_err_t *err)
{
    rdb_buf_t lo = RDB_BUF_INIT, hi = RDB_BUF_INIT;
    key_prefix(&lo, kind, id);
    key_prefix(&hi, kind, id);
    key_succ(&hi);
    txn_iter_t *it = txn_iter_new(txn, lo.data, lo.len, hi.data, hi.len);
    while (txn_iter_next(it)) {
        size_t klen;
        const char *k = txn_iter_key(it, &klen);
        txn_delete(txn, k, klen);
    }
    rdb_status_t rc = txn_iter_status(it, err);
    txn_iter_free(it);
    rdb_buf_free(&lo);
    rdb_buf_free(&hi);
    return rc;
}

rdb_status_t sql_table_truncate(txn_t *txn, const sql_table_t *t, rdb_err_t *err)
{
    rdb_status_t rc = delete_prefix(txn, TXN_PREFIX_ROW, t->id, err);
    for (int i = 0; rc == RDB_OK && i < t->nindexes; i++)
        rc = delete_prefix(txn, TXN_PREFIX_INDEX, t->indexes[i].id, err);
    return rc;
}

rdb_status_t sql_index_delete_entries(txn_t *txn, const sql_index_t *ix, rdb_err_t *err)
{
    return delete_prefix(txn, TXN_PREFIX_INDEX, ix->id, err);
}

/* Decode a row read by key (sql_table_get's tail). */
static rdb_status_t got_row(rdb_arena_t *a, const sql_table_t *t, const sql_type_t *types, const char *key,
                            size_t klen, const char *v, size_t vn, sql_value_t *row, rdb_err_t *err)
{
    int fast = types ? row_decode_fast(a, t, types, v, vn, row, NULL, err) : 0;
    rdb_status_t rc = fast > 0 ? RDB_OK : fast < 0 ? RDB_CORRUPTION : sql_row_decode(a, t, v, vn, row, err);
    if (rc == RDB_OK && t->npk == 0)
        rc = rowid_from_key(a, t, key, klen, row, err);
    return rc;
}

rdb_status_t sql_table_get(txn_t *txn, const sql_table_t *t, const sql_value_t *pkv,
                           rdb_arena_t *a, sql_value_t *row, bool *found, rdb_err_t *err)
{
    rdb_buf_t pk = RDB_BUF_INIT, key = RDB_BUF_INIT, val = RDB_BUF_INIT;
    pk_encode(&pk, t, pkv, true);
    row_key(&key, t, pk.data, pk.len);
    rdb_status_t rc = txn_get(txn, key.data, key.len, &val, found, err);
    if (rc == RDB_OK && *found) {
        sql_type_t types[64];
        if (t->nrowcols <= 64)
            col_types(t, types);
        rc = got_row(a, t, t->nrowcols <= 64 ? types : NULL, key.data, key.len, val.data, val.len, row, err);
    }
    rdb_buf_free(&pk);
    rdb_buf_free(&key);
    rdb_buf_free(&val);
    return rc;
}

rdb_status_t sql_table_get_many(txn_t *txn, const sql_table_t *t, int n, const sql_value_t *pkv,
                                rdb_arena_t *a, sql_value_t *rows, bool *found, rdb_err_t *err)
{
    if (n <= 0)
        return RDB_OK;
    int npk = t->npk ? t->npk : 1, w = t->nrowcols ? t->nrowcols : 1;
    rdb_buf_t pk = RDB_BUF_INIT, keys = RDB_BUF_INIT, vals = RDB_BUF_INIT;
    size_t *off = rdb_malloc(sizeof(*off) * (size_t)(n + 1));
    const void **kp = rdb_malloc(sizeof(*kp) * (size_t)n);
    size_t *kl = rdb_malloc(sizeof(*kl) * (size_t)n);
    lsm_get_result_t *res = rdb_malloc(sizeof(*res) * (size_t)n);
    rdb_buf_t key = RDB_BUF_INIT;
    for (int i = 0; i < n; i++) {
        off[i] = keys.len;
        rdb_buf_reset(&pk);
        pk_encode(&pk, t, pkv + (size_t)i * npk, true);
        row_key(&key, t, pk.data, pk.len); /* (it resets key) */
        rdb_buf_append(&keys, key.data, key.len);
    }
    rdb_buf_free(&key);
    off[n] = keys.len;
    for (int i = 0; i < n; i++) {
        kp[i] = keys.data + off[i];
        kl[i] = off[i + 1] - off[i];
    }
    rdb_status_t rc = txn_get_many(txn, n, kp, kl, res, &vals, err);
    sql_type_t types[64];
    if (rc == RDB_OK && t->nrowcols <= 64)
        col_types(t, types);
    for (int i = 0; i < n && rc == RDB_OK; i++) {
        found[i] = res[i].found;
        if (found[i])
            rc = got_row(a, t, t->nrowcols <= 64 ? types : NULL, kp[i], kl[i], vals.data + res[i].voff,
                         res[i].vlen, rows + (size_t)i * w, err);
    }
    rdb_buf_free(&pk);
    rdb_buf_free(&keys);
    rdb_buf_free(&vals);
    free(off);
    free(kp);
    free(kl);
    free(res);
    return rc;
}

rdb_status_t sql_table_exists(txn_t *txn, const sql_table_t *t, const sql_value_t *pkv, bool *found,
                              rdb_err_t *err)
{
    rdb_buf_t pk = RDB_BUF_INIT, key = RDB_BUF_INIT, val = RDB_BUF_INIT;
    pk_encode(&pk, t, pkv, true);
    row_key(&key, t, pk.data, pk.len);
    rdb_status_t rc = txn_get(txn, key.data, key.len, &val, found, err);
    rdb_buf_free(&pk);
    rdb_buf_free(&key);
    rdb_buf_free(&val);
    return rc;
}

/* --- scans ------------------------------------------------------------------ */

struct sql_scan {
    txn_t             *txn;
    const sql_table_t *t;
    const sql_index_t *ix;       /* index scan */
    txn_iter_t        *it;
    bool               filter;   /* compare the pk tail against lo / hi */
    rdb_buf_t          lo, hi;   /* filter bounds (pk encodings)        */
    bool               lo_incl, hi_incl;
    rdb_buf_t          key, val; /* index scans: the row key and value  */
    rdb_arena_t        scratch;
    msgpack_zone       zone;
    bool               borrow;   /* sql_scan_set_borrow */
    bool               borrow_a; /* ... but a needed column (an array) is built in a */
    bool              *need;
    sql_type_t        *types;    /* col_types */
    uint8_t           *dk;       /* scan_kinds of need */
    int                ndk;
    rdb_status_t       rc;
    rdb_err_t          err;
    /* index scans: entries read ahead, their rows read together
     * (txn_get_many); first batch `first` (sql_scan_set_ahead), doubling
     * up to IX_AHEAD_MAX */
    int                first, next_n, n, pos;
    bool               eof;
    rdb_buf_t          ek, rk, vals;   /* entry keys, row keys: back to back */
    size_t            *eoff, *roff;    /* IX_AHEAD_MAX + 1 each */
    size_t            *clen;           /* an entry's indexed columns' length */
    lsm_get_result_t  *res;
};

#define IX_AHEAD_MAX   64
#define IX_AHEAD_FIRST 4

static void encode_bound(rdb_buf_t *out, const sql_table_t *t, const uint16_t *colids,
                         const bool *desc, int n, const sql_value_t *vals)
{
    for (int i = 0; i < n; i++)
        sql_key_encode(out, col_type(t, colids[i]), &vals[i], desc && desc[i]);
}

/* Compare the leading columns of tail (an encoded tuple) with bound. */
static int tail_cmp(const char *tail, size_t tlen, const rdb_buf_t *bound)
{
    size_t n = tlen < bound->len ? tlen : bound->len;
    int c = memcmp(tail, bound->data, n);
    if (c)
        return c;
    return tlen < bound->len ? -1 : 0;
}

static const uint16_t *scan_pk_colids(const sql_table_t *t)
{
    return t->npk ? t->pk_colids : &t->rowid_colid;
}

/* Bounds [lo, hi) for a key space prefix ‖ encoded leading columns. */
static void range_bounds(const sql_table_t *t, const rdb_buf_t *prefix, const uint16_t *colids,
                         const bool *desc, const sql_scan_range_t *r, rdb_buf_t *lo, rdb_buf_t *hi)
{
    rdb_buf_append(lo, prefix->data, prefix->len);
    rdb_buf_append(hi, prefix->data, prefix->len);
    bool d0 = desc && desc[0];
    if (r && r->nlo) {
        encode_bound(lo, t, colids, desc, r->nlo, r->lo);
        if (!r->lo_incl)
            key_succ(lo);
    } else if (r && r->nhi && !d0) {
        sql_value_t nul = sql_null();
        sql_key_encode(lo, col_type(t, colids[0]), &nul, false);
        key_succ(lo); /* skip NULLs */
    }
    if (r && r->nhi) {
        encode_bound(hi, t, colids, desc, r->nhi, r->hi);
        if (r->hi_incl)
            key_succ(hi);
    } else if (r && r->nlo && d0) {
        sql_value_t nul = sql_null();
        sql_key_encode(hi, col_type(t, colids[0]), &nul, true); /* NULLs sort last */
    } else {
        key_succ(hi);
    }
}

static sql_scan_t *scan_new(txn_t *txn, const sql_table_t *t)
{
    sql_scan_t *s = rdb_calloc(1, sizeof *s);
    s->txn = txn;
    s->t = t;
    rdb_arena_init(&s->scratch, 0);
    msgpack_zone_init(&s->zone, 4096);
    s->err = (rdb_err_t)RDB_ERR_INIT;
    s->types = rdb_malloc(sizeof(sql_type_t) * (size_t)(t->nrowcols ? t->nrowcols : 1));
    col_types(t, s->types);
    s->dk = rdb_malloc((size_t)(t->nrowcols ? t->nrowcols : 1));
    s->ndk = scan_kinds(t, s->types, NULL, s->dk);
    return s;
}

sql_scan_t *sql_scan_open(txn_t *txn, const sql_table_t *t, const sql_scan_range_t *range)
{
    sql_scan_t *s = scan_new(txn, t);
    rdb_buf_t prefix = RDB_BUF_INIT, lo = RDB_BUF_INIT, hi = RDB_BUF_INIT;
    key_prefix(&prefix, TXN_PREFIX_ROW, t->id);
    int npk = t->npk ? t->npk : 1;
    bool ranged = range && (range->nlo || range->nhi);
    if (!ranged || !t->hash_partitioned) {
        if (ranged)
            range_bounds(t, &prefix, scan_pk_colids(t), NULL, range, &lo, &hi);
        else {
            rdb_buf_append(&lo, prefix.data, prefix.len);
            rdb_buf_append(&hi, prefix.data, prefix.len);
            key_succ(&hi);
        }
    } else {
        bool point = range->nlo == npk && range->nhi == npk && range->lo_incl && range->hi_incl;
        rdb_buf_t a = RDB_BUF_INIT, b = RDB_BUF_INIT;
        encode_bound(&a, t, scan_pk_colids(t), NULL, range->nlo, range->lo);
        encode_bound(&b, t, scan_pk_colids(t), NULL, range->nhi, range->hi);
        point = point && a.len == b.len && memcmp(a.data, b.data, a.len) == 0;
        if (point) {
            row_key(&lo, t, a.data, a.len);
            rdb_buf_append(&hi, lo.data, lo.len);
            rdb_buf_append_u8(&hi, 0); /* the next key after exactly this one */
        } else {
            rdb_buf_append(&lo, prefix.data, prefix.len);
            rdb_buf_append(&hi, prefix.data, prefix.len);
            key_succ(&hi);
            s->filter = true;
            s->lo = a;
            s->hi = b;
            a = (rdb_buf_t)RDB_BUF_INIT;
            b = (rdb_buf_t)RDB_BUF_INIT;
            s->lo_incl = range->lo_incl;
            s->hi_incl = range->hi_incl;
        }
        rdb_buf_free(&a);
        rdb_buf_free(&b);
    }
    s->it = txn_iter_new(txn, lo.data, lo.len, hi.len ? hi.data : NULL, hi.len);
    rdb_buf_free(&prefix);
    rdb_buf_free(&lo);
    rdb_buf_free(&hi);
    return s;
}

sql_scan_t *sql_scan_open_part(txn_t *txn, const sql_table_t *t, int part, int nparts)
{
    assert(t->hash_partitioned && nparts > 0 && part >= 0 && part < nparts);
    sql_scan_t *s = scan_new(txn, t);
    rdb_buf_t lo = RDB_BUF_INIT, hi = RDB_BUF_INIT;
    /* token slice [part * 2^64 / nparts, (part + 1) * 2^64 / nparts) */
    unsigned __int128 span = ((unsigned __int128)1 << 64) / (unsigned)nparts;
    key_prefix(&lo, TXN_PREFIX_ROW, t->id);
    key_prefix(&hi, TXN_PREFIX_ROW, t->id);
    if (part > 0)
        rdb_buf_append_u64_be(&lo, (uint64_t)(span * (unsigned)part));
    if (part < nparts - 1)
        rdb_buf_append_u64_be(&hi, (uint64_t)(span * (unsigned)(part + 1)));
    else
        key_succ(&hi);
    s->it = txn_iter_new(txn, lo.data, lo.len, hi.data, hi.len);
    rdb_buf_free(&lo);
    rdb_buf_free(&hi);
    return s;
}

uint64_t sql_table_estimate_rows(txn_store_t *st, const sql_table_t *t)
{
    assert(t->hash_partitioned);
    /* the rows of the first 1/1024 of the token space, times 1024 */
    enum { SHIFT = 10, CAP = 1024 };
    rdb_buf_t lo = RDB_BUF_INIT, hi = RDB_BUF_INIT;
    key_prefix(&lo, TXN_PREFIX_ROW, t->id);
    key_prefix(&hi, TXN_PREFIX_ROW, t->id);
    rdb_buf_append_u64_be(&hi, UINT64_C(1) << (64 - SHIFT));
    txn_t *txn = txn_begin(st);
    txn_iter_t *it = txn_iter_new(txn, lo.data, lo.len, hi.data, hi.len);
    uint64_t n = 0;
    while (n < CAP && txn_iter_next(it))
        n++;
    txn_iter_free(it);
    txn_abort(txn);
    rdb_buf_free(&lo);
    rdb_buf_free(&hi);
    return n << SHIFT;
}

sql_scan_t *sql_index_scan_open(txn_t *txn, const sql_table_t *t, const sql_index_t *ix,
                                const sql_scan_range_t *range)
{
    if (ix == t->pk_index || ix->id == t->pk_index_id)
        return sql_scan_open(txn, t, range);
    sql_scan_t *s = scan_new(txn, t);
    s->ix = ix;
    rdb_buf_t prefix = RDB_BUF_INIT, lo = RDB_BUF_INIT, hi = RDB_BUF_INIT;
    key_prefix(&prefix, TXN_PREFIX_INDEX, ix->id);
    range_bounds(t, &prefix, ix->colids, ix->desc, range, &lo, &hi);
    s->it = txn_iter_new(txn, lo.data, lo.len, hi.len ? hi.data : NULL, hi.len);
    rdb_buf_free(&prefix);
    rdb_buf_free(&lo);
    rdb_buf_free(&hi);
    return s;
}

void sql_scan_set_ahead(sql_scan_t *s, int n)
{
    s->first = n;
}

void sql_scan_reverse(sql_scan_t *s)
{
    txn_iter_reverse(s->it);
}

static bool scan_fail(sql_scan_t *s, rdb_status_t rc)
{
    s->rc = rc;
    return false;
}

/* Read the next entries of an index scan and their rows; false at the
 * end (s->eof) or on error (s->rc). */
static bool ix_fill(sql_scan_t *s)
{
    const sql_table_t *t = s->t;
    if (!s->eoff) {
        s->eoff = rdb_malloc(sizeof(size_t) * (IX_AHEAD_MAX + 1));
        s->roff = rdb_malloc(sizeof(size_t) * (IX_AHEAD_MAX + 1));
        s->res = rdb_malloc(sizeof(lsm_get_result_t) * IX_AHEAD_MAX);
        s->clen = rdb_malloc(sizeof(size_t) * IX_AHEAD_MAX);
        s->next_n = s->first > 0 ? RDB_MIN(s->first, IX_AHEAD_MAX) : IX_AHEAD_FIRST;
    }
    rdb_buf_reset(&s->ek);
    rdb_buf_reset(&s->rk);
    rdb_buf_reset(&s->vals);
    s->n = s->pos = 0;
    while (s->n < s->next_n && txn_iter_next(s->it)) {
        size_t klen;
        const char *k = txn_iter_key(s->it, &klen);
        /* Skip the indexed columns; the rest is the pk encoding. */
        const char *p = k + 5, *end = k + klen;
        rdb_arena_reset(&s->scratch);
        for (int i = 0; i < s->ix->ncols; i++) {
            sql_value_t tmp;
            rdb_status_t rc = sql_key_decode(&s->scratch, col_type(t, s->ix->colids[i]),
                                             s->ix->desc && s->ix->desc[i], &p, end, &tmp, &s->err);
            if (rc != RDB_OK)
                return scan_fail(s, rc);
        }
        s->eoff[s->n] = s->ek.len;
        s->roff[s->n] = s->rk.len;
        s->clen[s->n] = (size_t)(p - k);
        rdb_buf_append(&s->ek, k, klen);
        row_key(&s->key, t, p, (size_t)(end - p));
        rdb_buf_append(&s->rk, s->key.data, s->key.len);
        s->n++;
    }
    s->eoff[s->n] = s->ek.len;
    s->roff[s->n] = s->rk.len;
    s->next_n = RDB_MIN(s->next_n * 2, IX_AHEAD_MAX);
    if (s->n == 0) {
        s->eof = true;
        s->rc = txn_iter_status(s->it, &s->err);
        return false;
    }
    const void *kp[IX_AHEAD_MAX];
    size_t kl[IX_AHEAD_MAX];
    for (int i = 0; i < s->n; i++) {
        kp[i] = s->rk.data + s->roff[i];
        kl[i] = s->roff[i + 1] - s->roff[i];
    }
    rdb_status_t rc = txn_get_many(s->txn, s->n, kp, kl, s->res, &s->vals, &s->err);
    if (rc != RDB_OK)
        return scan_fail(s, rc);
    return true;
}

/* The next row of an index scan: entries whose row is gone or has moved
 * on (a stale entry, see live_entry_exists) are skipped. */
static bool ix_next(sql_scan_t *s, rdb_arena_t *a, sql_value_t *row)
{
    const sql_table_t *t = s->t;
    for (;;) {
        if (s->pos >= s->n && (s->eof || !ix_fill(s)))
            return false;
        int i = s->pos++;
        const char *k = s->ek.data + s->eoff[i];
        size_t klen = s->eoff[i + 1] - s->eoff[i];
        rdb_buf_reset(&s->key);
        rdb_buf_append(&s->key, s->rk.data + s->roff[i], s->roff[i + 1] - s->roff[i]);
        if (!s->res[i].found) {
            erase_stale(s->txn, k, klen, &s->key);
            continue; /* an entry whose row is gone: not ours to show */
        }
        const char *v = s->vals.data + s->res[i].voff;
        size_t vlen = s->res[i].vlen;
        int fast = row_decode_fast(a, t, s->types, v, vlen, row, NULL, &s->err);
        rdb_status_t rc = fast > 0 ? RDB_OK : fast < 0 ? RDB_CORRUPTION
                        : row_decode(a, t, v, vlen, row, &s->zone, &s->err);
        if (rc == RDB_OK && t->npk == 0)
            rc = rowid_from_key(a, t, s->key.data, s->key.len, row, &s->err);
        if (rc != RDB_OK)
            return scan_fail(s, rc);
        rdb_buf_t cols = RDB_BUF_INIT;
        index_cols(&cols, t, s->ix, row);
        bool stale = cols.len != s->clen[i] || memcmp(cols.data, k, cols.len) != 0;
        rdb_buf_free(&cols);
        if (stale) {
            erase_stale(s->txn, k, klen, &s->key);
            continue;
        }
        return true;
    }
}

bool sql_scan_next(sql_scan_t *s, rdb_arena_t *a, sql_value_t *row)
{
    const sql_table_t *t = s->t;
    if (s->rc != RDB_OK)
        return false;
    if (s->ix)
        return ix_next(s, a, row);
    while (txn_iter_next(s->it)) {
        size_t klen, vlen;
        const char *k = txn_iter_key(s->it, &klen);
        if (s->filter) {
            size_t skip = 5 + (t->hash_partitioned ? 8 : 0);
            if (klen < skip)
                continue;
            const char *tail = k + skip;
            size_t tlen = klen - skip;
            if (s->lo.len) {
                int c = tail_cmp(tail, tlen, &s->lo);
                if (c < 0 || (c == 0 && !s->lo_incl))
                    continue;
            }
            if (s->hi.len) {
                int c = tail_cmp(tail, tlen, &s->hi);
                if (c > 0 || (c == 0 && !s->hi_incl))
                    continue;
            }
        }
        const char *v = txn_iter_value(s->it, &vlen);
        rdb_arena_t *va = s->borrow && !s->borrow_a ? NULL : a;
        int fast = row_decode_kinds(va, t, s->types, s->dk, s->ndk, v, vlen, row, &s->err);
        /* the slow path copies into a: nested values (arrays) need an arena */
        rdb_status_t rc = fast > 0 ? RDB_OK : fast < 0 ? RDB_CORRUPTION
                        : row_decode_cols(a, t, v, vlen, row, &s->zone, s->need, &s->err);
        if (rc == RDB_OK && t->npk == 0)
            rc = rowid_from_key(a, t, k, klen, row, &s->err);
        if (rc != RDB_OK)
            return scan_fail(s, rc);
        return true;
    }
    s->rc = txn_iter_status(s->it, &s->err);
    return false;
}

rdb_status_t sql_scan_status(const sql_scan_t *s, rdb_err_t *err)
{
    if (s->rc != RDB_OK && err) {
        rdb_err_clear(err);
        rdb_err_set(err, s->err.code ? s->err.code : s->rc, s->err.sqlstate, "%s",
                    s->err.msg ? s->err.msg : rdb_status_name(s->rc));
        if (s->err.detail)
            rdb_err_detail(err, "%s", s->err.detail);
    }
    return s->rc;
}

void sql_scan_set_borrow(sql_scan_t *s, const bool *need)
{
    s->borrow = true;
    free(s->need);
    s->need = NULL;
    if (need) {
        s->need = rdb_malloc(sizeof(bool) * (size_t)(s->t->nrowcols ? s->t->nrowcols : 1));
        memcpy(s->need, need, sizeof(bool) * (size_t)s->t->nrowcols);
    }
    s->ndk = scan_kinds(s->t, s->types, s->need, s->dk);
    /* an array's stored form is not its value's: it is rebuilt, in an arena */
    s->borrow_a = false;
    for (int i = 0; i < s->t->ncols; i++) {
        const sql_column_t *c = &s->t->cols[i];
        if (sql_type_is_array(c->type.oid) && (!need || need[c->colid]))
            s->borrow_a = true;
    }
}

void sql_scan_close(sql_scan_t *s)
{
    if (!s)
        return;
    free(s->need);
    free(s->types);
    free(s->dk);
    txn_iter_free(s->it);
    rdb_buf_free(&s->lo);
    rdb_buf_free(&s->hi);
    rdb_buf_free(&s->key);
    rdb_buf_free(&s->val);
    rdb_buf_free(&s->ek);
    rdb_buf_free(&s->rk);
    rdb_buf_free(&s->vals);
    free(s->eoff);
    free(s->roff);
    free(s->clen);
    free(s->res);
    rdb_arena_destroy(&s->scratch);
    msgpack_zone_destroy(&s->zone);
    rdb_err_clear(&s->err);
    free(s);
}

/* --- whole-table work for DDL ----------------------------------------------- */

static rdb_status_t build_dup_error(rdb_err_t *err, const sql_table_t *t, const sql_index_t *ix,
                                    const sql_value_t *row)
{
    rdb_err_set(err, RDB_SQL, "23505", "could not create unique index \"%s\"", ix->name);
    rdb_buf_t b = RDB_BUF_INIT;
    sql_key_detail(&b, t, ix->ncols, ix->colids, row);
    rdb_buf_append_str(&b, " is duplicated.");
    rdb_err_detail(err, "%s", rdb_buf_cstr(&b));
    rdb_buf_free(&b);
    return RDB_SQL;
}

typedef struct enc_ref {
    const char *p;
    size_t      len;
    size_t      row;
} enc_ref_t;

static int enc_ref_cmp(const void *x, const void *y)
{
    const enc_ref_t *a = x, *b = y;
    int c = memcmp(a->p, b->p, a->len < b->len ? a->len : b->len);
    if (c)
        return c;
    return a->len < b->len ? -1 : a->len > b->len;
}

/* 23505 as an index build reports it if two rows share the key of ix.
 * Sorting the encodings beats a lookup per row by far on big tables. */
static rdb_status_t check_sorted_unique(const sql_table_t *t, const sql_index_t *ix,
                                        sql_value_t **rows, size_t n, rdb_arena_t *a,
                                        rdb_err_t *err)
{
    enc_ref_t *refs = rdb_malloc(sizeof *refs * (n + 1));
    size_t m = 0;
    rdb_buf_t b = RDB_BUF_INIT;
    for (size_t i = 0; i < n; i++) {
        if (index_has_null(ix, rows[i]))
            continue;
        rdb_buf_reset(&b);
        for (int k = 0; k < ix->ncols; k++)
            sql_key_encode(&b, col_type(t, ix->colids[k]), &rows[i][ix->colids[k]], false);
        refs[m].p = rdb_arena_memdup(a, b.data, b.len);
        refs[m].len = b.len;
        refs[m].row = i;
        m++;
    }
    rdb_buf_free(&b);
    if (m > 1)
        qsort(refs, m, sizeof *refs, enc_ref_cmp);
    rdb_status_t rc = RDB_OK;
    for (size_t i = 1; i < m && rc == RDB_OK; i++)
        if (enc_ref_cmp(&refs[i - 1], &refs[i]) == 0)
            rc = build_dup_error(err, t, ix, rows[refs[i].row]);
    free(refs);
    return rc;
}

rdb_status_t sql_index_build(txn_t *txn, const sql_table_t *t, const sql_index_t *ix,
                             rdb_err_t *err)
{
    rdb_arena_t a;
    rdb_arena_init(&a, 64 * 1024);
    size_t n = 0, cap = 0;
    sql_value_t **rows = NULL;
    sql_scan_t *s = sql_scan_open(txn, t, NULL);
    for (;;) {
        sql_value_t *row = RDB_ARENA_NEWN(&a, sql_value_t, t->nrowcols + 1);
        if (!sql_scan_next(s, &a, row))
            break;
        if (n == cap) {
            cap = cap ? cap * 2 : 1024;
            rows = rdb_realloc(rows, cap * sizeof *rows);
        }
        rows[n++] = row;
    }
    rdb_status_t rc = sql_scan_status(s, err);
    sql_scan_close(s);
    if (rc == RDB_OK && ix->unique)
        rc = check_sorted_unique(t, ix, rows, n, &a, err);
    rdb_buf_t pk = RDB_BUF_INIT;
    for (size_t i = 0; rc == RDB_OK && i < n; i++) {
        rdb_buf_reset(&pk);
        pk_encode(&pk, t, rows[i], false);
        index_put(txn, t, ix, rows[i], &pk, false);
    }
    rdb_buf_free(&pk);
    free(rows);
    rdb_arena_destroy(&a);
    return rc;
}

rdb_status_t sql_table_rewrite(txn_t *txn, const sql_table_t *from, const sql_table_t *to,
                               rdb_err_t *err)
{
    return sql_table_rewrite_map(txn, from, to, NULL, NULL, err);
}

rdb_status_t sql_table_rewrite_map(txn_t *txn, const sql_table_t *from, const sql_table_t *to,
                                   sql_row_map_fn fn, void *arg, rdb_err_t *err)
{
    /* Read everything first: the new keys land in the key range being
     * scanned, and an open iterator may or may not see them. */
    rdb_arena_t a;
    rdb_arena_init(&a, 64 * 1024);
    size_t n = 0, cap = 0;
    sql_value_t **rows = NULL;
    uint16_t width = from->nrowcols > to->nrowcols ? from->nrowcols : to->nrowcols;
    rdb_status_t rc = RDB_OK;
    sql_scan_t *s = sql_scan_open(txn, from, NULL);
    for (;;) {
        sql_value_t *row = RDB_ARENA_NEWN(&a, sql_value_t, width + 1);
        for (int i = 0; i < width; i++)
            row[i] = sql_null();
        if (!sql_scan_next(s, &a, row))
            break;
        if (n == cap) {
            cap = cap ? cap * 2 : 1024;
            rows = rdb_realloc(rows, cap * sizeof *rows);
        }
        rows[n++] = row;
    }
    rc = sql_scan_status(s, err);
    sql_scan_close(s);
    for (size_t i = 0; rc == RDB_OK && i < n; i++)
        rc = sql_table_delete(txn, from, rows[i], err);
    /* A key column holding NULL is 23502 as for SET NOT NULL, but, as in
     * PostgreSQL (which builds the index before it checks NOT NULL),
     * only once the other rows' keys are known to be unique. */
    const sql_column_t *nullcol = NULL;
    size_t nkeyed = 0;
    for (size_t i = 0; rc == RDB_OK && i < n; i++) {
        sql_value_t *row = rows[i];
        if (fn && (rc = fn(arg, row, &a, err)) != RDB_OK)
            break;
        if (to->has_rowid && !from->has_rowid)
            row[to->rowid_colid] = sql_null(); /* a fresh row id */
        const sql_column_t *c = NULL;
        for (int j = 0; to->npk && !to->has_rowid && j < to->npk && !c; j++)
            if (row[to->pk_colids[j]].isnull)
                c = sql_table_column_by_id(to, to->pk_colids[j]);
        if (c && !nullcol)
            nullcol = c;
        if (!c) { /* rows with a whole key first */
            rows[i] = rows[nkeyed];
            rows[nkeyed++] = row;
        }
    }
    /* Uniqueness by sorting the new keys: no lookup per row. */
    if (rc == RDB_OK && to->npk && to->pk_index)
        rc = check_sorted_unique(to, to->pk_index, rows, nkeyed, &a, err);
    if (rc == RDB_OK && nullcol)
        rc = rdb_err_set(err, RDB_SQL, "23502", "column \"%s\" of relation \"%s\" contains null values",
                         nullcol->name, to->name);
    for (int j = 0; rc == RDB_OK && j < to->nindexes; j++)
        if (to->indexes[j].unique)
            rc = check_sorted_unique(to, &to->indexes[j], rows, n, &a, err);
    rdb_buf_t pk = RDB_BUF_INIT;
    for (size_t i = 0; rc == RDB_OK && i < n; i++)
        put_row(txn, to, rows[i], &pk);
    rdb_buf_free(&pk);
    free(rows);
    rdb_arena_destroy(&a);
    return rc;
}

rdb_status_t sql_table_check_not_null(txn_t *txn, const sql_table_t *t, uint16_t colid,
                                      rdb_err_t *err)
{
    rdb_arena_t a;
    rdb_arena_init(&a, 0);
    sql_value_t *row = rdb_calloc((size_t)t->nrowcols + 1, sizeof *row);
    rdb_status_t rc = RDB_OK;
    sql_scan_t *s = sql_scan_open(txn, t, NULL);
    while (sql_scan_next(s, &a, row)) {
        if (row[colid].isnull) {
            const sql_column_t *c = sql_table_column_by_id(t, colid);
            rc = rdb_err_set(err, RDB_SQL, "23502",
                             "column \"%s\" of relation \"%s\" contains null values",
                             c ? c->name : "?", t->name);
            break;
        }
        rdb_arena_reset(&a);
    }
    if (rc == RDB_OK)
        rc = sql_scan_status(s, err);
    sql_scan_close(s);
    free(row);
    rdb_arena_destroy(&a);
    return rc;
}
