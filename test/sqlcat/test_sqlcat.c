/*
 * test_sqlcat.c — the catalog, table storage and DDL (src/sql/catalog.c,
 * table.c, ddl*.c) over a real LSM store and txn store in a temp dir.
 * DDL comes in as SQL text parsed by libpg_query, as the query side hands
 * it over.  run_query / eval are small stubs where a test needs them.
 */
#include <check.h>
#include <jansson.h>
#include <pg_query.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/clock.h"
#include "pgwire/scram.h"
#include "sql/catalog_int.h"
#include "sql/ddl.h"
#include "sql/table.h"
#include "sql/types.h"

static char tmpdir[256], tmpdir2[256];
static lsm_db_t *db, *db2;
static clu_hlc_t hlc, hlc2;
static txn_store_t *st, *st2;
static sql_catalog_t *cat, *cat2;

static rdb_err_t last_err = RDB_ERR_INIT;
static char last_tag[64];
static char notices[4096];
static txn_t *open_txn; /* BEGIN ... COMMIT in tests */

static void open_store(void)
{
    lsm_options_t o;
    lsm_options_default(&o);
    o.sync_mode = LSM_SYNC_NONE;
    rdb_err_t err = RDB_ERR_INIT;
    ck_assert_int_eq(lsm_open(tmpdir, &o, &db, &err), RDB_OK);
    clu_hlc_init(&hlc, 0, NULL, NULL);
    ck_assert_int_eq(txn_store_open(db, 1, &hlc, &st, &err), RDB_OK);
    ck_assert_int_eq(sql_catalog_open(st, "admin", &cat, &err), RDB_OK);
}

static void close_store(void)
{
    sql_catalog_close(cat);
    txn_store_close(st);
    lsm_close(db);
    clu_hlc_destroy(&hlc);
}

static void setup(void)
{
    sql_types_init();
    snprintf(tmpdir, sizeof tmpdir, "/tmp/sqlcat.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
    open_store();
    open_txn = NULL;
}

static void teardown(void)
{
    close_store();
    rdb_err_clear(&last_err);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    ck_assert_int_eq(system(cmd), 0);
}

/* --- running DDL ------------------------------------------------------------ */

static char last_notice_detail[1024];

static void on_notice(void *arg, const rdb_err_t *n)
{
    (void)arg;
    snprintf(last_notice_detail, sizeof last_notice_detail, "%s", n->detail ? n->detail : "");
    size_t l = strlen(notices);
    snprintf(notices + l, sizeof notices - l, "%s%s", l ? "|" : "", n->msg);
}

typedef struct stub_rows {
    int ncols;
    const char *names[4];
    sql_type_t types[4];
    int nrows;
    int64_t vals[8][4];
} stub_rows_t;
static stub_rows_t *stub; /* what run_query returns */

static rdb_status_t stub_run_query(sql_ddl_ctx_t *ctx, json_t *select, sql_ddl_row_fn fn,
                                   void *arg, rdb_err_t *err)
{
    (void)ctx;
    (void)select;
    if (!stub)
        return rdb_err_set(err, RDB_SQL, "0A000", "no stub");
    rdb_status_t rc = fn(arg, stub->ncols, stub->names, stub->types, NULL, err);
    for (int r = 0; rc == RDB_OK && r < stub->nrows; r++) {
        sql_value_t row[4];
        for (int c = 0; c < stub->ncols; c++)
            row[c] = sql_int(stub->vals[r][c]);
        rc = fn(arg, stub->ncols, stub->names, stub->types, row, err);
    }
    return rc;
}

/* Evaluates integer constants, column references and "col > const". */
static rdb_status_t stub_eval(sql_ddl_ctx_t *ctx, const sql_table_t *tab, json_t *expr,
                              const sql_value_t *row, sql_type_t type, rdb_arena_t *a,
                              sql_value_t *out, rdb_err_t *err)
{
    (void)ctx;
    (void)type;
    (void)a;
    json_t *c = json_object_get(expr, "A_Const");
    if (c) {
        *out = sql_int(json_integer_value(json_object_get(json_object_get(c, "ival"), "ival")));
        return RDB_OK;
    }
    json_t *cr = json_object_get(expr, "ColumnRef");
    if (cr) {
        json_t *f = json_object_get(cr, "fields");
        const char *cn = json_string_value(json_object_get(json_object_get(json_array_get(f, 0), "String"), "sval"));
        const sql_column_t *col = sql_table_column(tab, cn);
        *out = col ? row[col->colid] : sql_null();
        return RDB_OK;
    }
    json_t *e = json_object_get(expr, "A_Expr");
    if (e) {
        json_t *f = json_object_get(json_object_get(json_object_get(e, "lexpr"), "ColumnRef"), "fields");
        const char *cn = json_string_value(json_object_get(json_object_get(json_array_get(f, 0), "String"), "sval"));
        const sql_column_t *col = sql_table_column(tab, cn);
        sql_value_t rhs;
        stub_eval(ctx, tab, json_object_get(e, "rexpr"), row, type, a, &rhs, err);
        if (!col || row[col->colid].isnull) {
            *out = sql_null();
            return RDB_OK;
        }
        *out = sql_bool(row[col->colid].u.i > rhs.u.i);
        return RDB_OK;
    }
    return rdb_err_set(err, RDB_SQL, "0A000", "stub eval");
}

/* Run every statement of sql (autocommit unless open_txn is set).  Returns
 * the status of the first failure; last_err / last_tag / notices tell. */
static rdb_status_t run_on(sql_catalog_t *c, txn_store_t *s, const char *sql)
{
    rdb_err_clear(&last_err);
    last_tag[0] = 0;
    notices[0] = 0;
    PgQueryParseResult pr = pg_query_parse(sql);
    ck_assert_msg(pr.error == NULL, "parse error: %s", pr.error ? pr.error->message : "");
    json_t *root = json_loads(pr.parse_tree, 0, NULL);
    pg_query_free_parse_result(pr);
    rdb_status_t rc = RDB_OK;
    json_t *rs;
    size_t i;
    json_array_foreach(json_object_get(root, "stmts"), i, rs) {
        json_t *stmt = json_object_get(rs, "stmt");
        const char *name = json_object_iter_key(json_object_iter(stmt));
        ck_assert_msg(sql_is_ddl(name), "%s is not DDL", name);
        txn_t *t = open_txn ? open_txn : txn_begin(s);
        sql_catsnap_t *snap = sql_catalog_acquire(c, t, &last_err);
        ck_assert_ptr_nonnull(snap);
        sql_ddl_ctx_t ctx = { .txn = t, .catalog = c, .snap = snap, .user = "admin", .sql = sql,
                              .run_query = stub_run_query, .eval = stub_eval };
        rc = sql_ddl_exec(&ctx, name, stmt, last_tag, on_notice, NULL, &last_err);
        sql_catalog_release(snap);
        if (!open_txn) {
            if (rc == RDB_OK)
                rc = txn_commit(t, &last_err);
            else
                txn_abort(t);
        }
        if (rc != RDB_OK)
            break;
    }
    json_decref(root);
    return rc;
}

static rdb_status_t run(const char *sql) { return run_on(cat, st, sql); }

#define OK(sql) ck_assert_msg(run(sql) == RDB_OK, "%s: %s %s", sql, last_err.sqlstate, \
                              last_err.msg ? last_err.msg : "")
#define FAILS(sql, state, message)                                                         \
    do {                                                                                   \
        ck_assert_msg(run(sql) != RDB_OK, "%s succeeded", sql);                            \
        ck_assert_str_eq(last_err.sqlstate, state);                                        \
        ck_assert_str_eq(last_err.msg, message);                                           \
    } while (0)

static const sql_table_t *find(sql_catsnap_t **snap, const char *name)
{
    rdb_err_t err = RDB_ERR_INIT;
    *snap = sql_catalog_acquire(cat, NULL, &err);
    ck_assert_ptr_nonnull(*snap);
    return sql_cat_find(*snap, NULL, name, NULL, 0);
}

/* --- table helpers ------------------------------------------------------------ */

static rdb_status_t ins(const sql_table_t *t, int64_t a, int64_t b, bool nothing, bool *inserted)
{
    txn_t *x = txn_begin(st);
    sql_value_t row[16];
    for (int i = 0; i < 16; i++)
        row[i] = sql_null();
    row[sql_table_column(t, "a")->colid] = sql_int(a);
    const sql_column_t *cb = sql_table_column(t, "b");
    if (cb)
        row[cb->colid] = b == INT64_MIN ? sql_null() : sql_int(b);
    rdb_status_t rc = sql_table_insert(x, t, row, nothing, inserted, &last_err);
    if (rc == RDB_OK)
        rc = txn_commit(x, &last_err);
    else
        txn_abort(x);
    return rc;
}

/* "a:b,a:b" of every row of t (in scan order; sorted by the caller's choice). */
static const char *rows_s(const sql_table_t *t, const sql_index_t *ix, const sql_scan_range_t *r)
{
    static char out[4096];
    out[0] = 0;
    txn_t *x = txn_begin(st);
    rdb_arena_t a;
    rdb_arena_init(&a, 0);
    sql_value_t row[16];
    sql_scan_t *s = ix ? sql_index_scan_open(x, t, ix, r) : sql_scan_open(x, t, r);
    const sql_column_t *ca = sql_table_column(t, "a"), *cb = sql_table_column(t, "b");
    while (sql_scan_next(s, &a, row)) {
        size_t l = strlen(out);
        char bs[32] = "null";
        if (cb && !row[cb->colid].isnull)
            snprintf(bs, sizeof bs, "%lld", (long long)row[cb->colid].u.i);
        snprintf(out + l, sizeof out - l, "%s%lld:%s", l ? "," : "", (long long)row[ca->colid].u.i, bs);
    }
    ck_assert_int_eq(sql_scan_status(s, &last_err), RDB_OK);
    sql_scan_close(s);
    rdb_arena_destroy(&a);
    txn_abort(x);
    return out;
}

/* Number of keys under a 5-byte prefix (kind ‖ be32 id). */
static int count_keys(uint8_t kind, uint32_t id)
{
    char lo[5] = { (char)kind, (char)(id >> 24), (char)(id >> 16), (char)(id >> 8), (char)id };
    char hi[5];
    memcpy(hi, lo, 5);
    hi[4]++;
    txn_t *x = txn_begin(st);
    txn_iter_t *it = txn_iter_new(x, lo, 5, hi, 5);
    int n = 0;
    while (txn_iter_next(it))
        n++;
    txn_iter_free(it);
    txn_abort(x);
    return n;
}

/* --- tests ---------------------------------------------------------------------- */

START_TEST(bootstrap_and_reopen)
{
    sql_catsnap_t *s;
    rdb_err_t err = RDB_ERR_INIT;
    s = sql_catalog_acquire(cat, NULL, &err);
    ck_assert(sql_cat_schema_exists(s, "public"));
    ck_assert(sql_cat_schema_exists(s, "pg_catalog"));
    ck_assert(sql_cat_schema_exists(s, "information_schema"));
    ck_assert(sql_cat_database_exists(s, "postgres"));
    ck_assert(!sql_cat_database_exists(s, "template1"));
    ck_assert(sql_cat_role(s, "admin")->superuser);
    sql_catalog_release(s);

    OK("create table t (id int primary key, name varchar(20) not null default 'x', "
       "amount numeric(10,2), at timestamptz, tags text[], big bigint, n int4, s smallint)");
    ck_assert_str_eq(last_tag, "CREATE TABLE");
    close_store();
    open_store();
    const sql_table_t *t = find(&s, "t");
    ck_assert_ptr_nonnull(t);
    ck_assert_int_ge(t->id, SQL_FIRST_USER_ID);
    ck_assert_str_eq(t->schema, "public");
    ck_assert_int_eq(t->ncols, 8);
    ck_assert_int_eq(t->npk, 1);
    ck_assert(!t->has_rowid);
    ck_assert_str_eq(t->pk_index->name, "t_pkey");
    ck_assert_int_eq(t->cols[0].type.oid, SQL_OID_INT4);
    ck_assert(t->cols[0].not_null);
    ck_assert_int_eq(t->cols[1].type.oid, SQL_OID_VARCHAR);
    ck_assert_int_eq(t->cols[1].type.typmod, 24);
    ck_assert_ptr_nonnull(strstr(t->cols[1].default_json, "\"sval\":\"x\""));
    ck_assert_int_eq(t->cols[2].type.oid, SQL_OID_NUMERIC);
    ck_assert_int_eq(t->cols[2].type.typmod, ((10 << 16) | 2) + 4);
    ck_assert_int_eq(t->cols[3].type.oid, SQL_OID_TIMESTAMPTZ);
    ck_assert_int_eq(t->cols[4].type.oid, SQL_OID_TEXT_ARRAY);
    ck_assert_int_eq(t->cols[5].type.oid, SQL_OID_INT8);
    ck_assert_int_eq(t->cols[7].type.oid, SQL_OID_INT2);
    ck_assert_int_eq(t->cols[7].attnum, 8);
    ck_assert_ptr_eq(sql_cat_by_id(s, t->id), t);
    ck_assert_ptr_eq(sql_cat_find(s, "public", "t", NULL, 0), t);
    ck_assert_ptr_null(sql_cat_find(s, "pg_catalog", "t", NULL, 0));
    sql_catalog_release(s);
    /* ids keep growing after a reopen */
    OK("create table u (a int)");
    t = find(&s, "t");
    ck_assert_int_gt(sql_cat_find(s, NULL, "u", NULL, 0)->id, t->pk_index->id);
    sql_catalog_release(s);
}
END_TEST

START_TEST(search_path_and_schemas)
{
    OK("create schema app");
    FAILS("create schema app", "42P06", "schema \"app\" already exists");
    OK("create schema if not exists app");
    ck_assert_str_eq(notices, "schema \"app\" already exists, skipping");
    OK("create table app.t (a int)");
    OK("create table t (a int, b int)");
    sql_catsnap_t *s;
    find(&s, "t");
    const char *path[] = { "app", "public" };
    const sql_table_t *t1 = sql_cat_find(s, NULL, "t", path, 2);
    const sql_table_t *t2 = sql_cat_find(s, NULL, "t", NULL, 0);
    ck_assert_str_eq(t1->schema, "app");
    ck_assert_str_eq(t2->schema, "public");
    ck_assert_int_eq(t1->ncols, 1);
    sql_catalog_release(s);
    FAILS("drop schema app", "2BP01", "cannot drop schema app because other objects depend on it");
    OK("drop schema app cascade");
    ck_assert_str_eq(notices, "drop cascades to table app.t");
    FAILS("create table nosuch.t (a int)", "3F000", "schema \"nosuch\" does not exist");
    FAILS("drop schema pg_catalog", "2BP01",
          "cannot drop schema pg_catalog because it is required by the database system");
}
END_TEST

/* A second node's commit replicated into this store through
 * txn_store_apply: the cache must reload. */
static rdb_status_t replicate_hook(void *ctx, lsm_batch_t *batch, lsm_version_t v, rdb_err_t *err)
{
    /* The receiver's clock is not moved past the sender's commit here: the
     * catalog must show the record anyway (it may be stamped ahead). */
    (void)v;
    return txn_store_apply((txn_store_t *)ctx, batch, true, err);
}

/* Node 2's clock runs 300 ms ahead: its commits carry stamps above every
 * stamp node 1 can issue for a while. */
static uint64_t wall_ahead(void *ctx)
{
    (void)ctx;
    return rdb_wall_ms() + 300;
}

START_TEST(cache_reloads_on_replicated_write)
{
    snprintf(tmpdir2, sizeof tmpdir2, "/tmp/sqlcat2.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir2));
    lsm_options_t o;
    lsm_options_default(&o);
    o.sync_mode = LSM_SYNC_NONE;
    rdb_err_t err = RDB_ERR_INIT;
    ck_assert_int_eq(lsm_open(tmpdir2, &o, &db2, &err), RDB_OK);
    clu_hlc_init(&hlc2, 0, wall_ahead, NULL);
    ck_assert_int_eq(txn_store_open(db2, 2, &hlc2, &st2, &err), RDB_OK);
    ck_assert_int_eq(sql_catalog_open(st2, "admin", &cat2, &err), RDB_OK);

    sql_catsnap_t *before = sql_catalog_acquire(cat, NULL, &err);
    uint64_t gen = txn_store_catalog_gen(st);
    txn_store_set_commit_hook(st2, replicate_hook, st);
    ck_assert_int_eq(run_on(cat2, st2, "create table remote (a int primary key, b text)"), RDB_OK);
    ck_assert_uint_gt(txn_store_catalog_gen(st), gen);
    /* the old snapshot is immutable; a new acquire sees the table */
    ck_assert_ptr_null(sql_cat_find(before, NULL, "remote", NULL, 0));
    sql_catsnap_t *after = sql_catalog_acquire(cat, NULL, &err);
    ck_assert_ptr_ne(before, after);
    const sql_table_t *t = sql_cat_find(after, NULL, "remote", NULL, 0);
    ck_assert_ptr_nonnull(t);
    /* ids made on node 2 never collide with ids made here */
    ck_assert_int_eq(t->id & 1023, 2);
    sql_catalog_release(before);
    sql_catalog_release(after);
    OK("create table local (a int)");
    sql_catsnap_t *s;
    const sql_table_t *l = find(&s, "local");
    ck_assert_int_eq(l->id & 1023, 1);
    ck_assert_int_ne(l->id, sql_cat_find(s, NULL, "remote", NULL, 0)->id);
    sql_catalog_release(s);
    /* an unchanged generation hands out the same cached snapshot */
    sql_catsnap_t *s1 = sql_catalog_acquire(cat, NULL, &err), *s2 = sql_catalog_acquire(cat, NULL, &err);
    ck_assert_ptr_eq(s1, s2);
    sql_catalog_release(s1);
    sql_catalog_release(s2);

    sql_catalog_close(cat2);
    txn_store_close(st2);
    lsm_close(db2);
    clu_hlc_destroy(&hlc2);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir2);
    ck_assert_int_eq(system(cmd), 0);
}
END_TEST

START_TEST(private_snapshot_in_transaction)
{
    open_txn = txn_begin(st);
    OK("create table t (a int)");
    rdb_err_t err = RDB_ERR_INIT;
    sql_catsnap_t *priv = sql_catalog_acquire(cat, open_txn, &err);
    sql_catsnap_t *pub = sql_catalog_acquire(cat, NULL, &err);
    ck_assert_ptr_nonnull(sql_cat_find(priv, NULL, "t", NULL, 0));
    ck_assert_ptr_null(sql_cat_find(pub, NULL, "t", NULL, 0));
    OK("create index t_a on t (a)"); /* sees its own CREATE TABLE */
    sql_catalog_release(priv);
    sql_catalog_release(pub);
    txn_abort(open_txn);
    open_txn = NULL;
    sql_catsnap_t *s;
    ck_assert_ptr_null(find(&s, "t"));
    sql_catalog_release(s);
}
END_TEST

START_TEST(create_table_errors)
{
    OK("create table t (a int, b int)");
    FAILS("create table t (x int)", "42P07", "relation \"t\" already exists");
    OK("create table if not exists t (x int)");
    ck_assert_str_eq(notices, "relation \"t\" already exists, skipping");
    FAILS("create table u (a int, a int)", "42701", "column \"a\" specified more than once");
    FAILS("create table u (a nosuchtype)", "42704", "type \"nosuchtype\" does not exist");
    FAILS("create table u (a int primary key, b int primary key)", "42P16",
          "multiple primary keys for table \"u\" are not allowed");
    FAILS("create table u (a int, primary key (zz))", "42703", "column \"zz\" named in key does not exist");
    /* foreign keys exist now: PostgreSQL 15's errors */
    FAILS("create table u (a int references t(nosuch))", "42703",
          "column \"nosuch\" referenced in foreign key constraint does not exist");
    FAILS("create table u (a int, foreign key (a) references t(a))", "42830",
          "there is no unique constraint matching given keys for referenced table \"t\"");
    FAILS("create table u (a int references t(a))", "42830",
          "there is no unique constraint matching given keys for referenced table \"t\"");
    FAILS("create table u (a int, foreign key (a) references t)", "42704",
          "there is no primary key for referenced table \"t\"");
    FAILS("create temp table u (a int)", "0A000", "CREATE TEMPORARY TABLE is not supported");
    FAILS("create table u (a int) with (fillfactor=5)", "22023",
          "value 5 out of bounds for option \"fillfactor\"");
    FAILS("create table u (a int) with (bogus=1)", "22023", "unrecognized parameter \"bogus\"");
    OK("create table u (a int) with (fillfactor=90)");
    OK("alter table u set (fillfactor=70)");
    FAILS("alter table u set (fillfactor=7)", "22023", "value 7 out of bounds for option \"fillfactor\"");
    OK("create table a23456789012345678901234567890123456789012345678901234567890 ("
       "b23456789012345678901234567890123456789012345678901234567890 int unique)");
    sql_catsnap_t *ls;
    const sql_table_t *lt = find(&ls, "a23456789012345678901234567890123456789012345678901234567890");
    ck_assert_int_le((int)strlen(lt->indexes[0].name), 63);
    ck_assert_ptr_nonnull(strstr(lt->indexes[0].name, "_key"));
    sql_catalog_release(ls);
    FAILS("create table v (a varchar(0))", "22023", "length for type varchar must be at least 1");
    OK("create table src (id serial primary key, v int not null default 3 check (v > 0), w int unique)");
    OK("create table cp (like src)");
    OK("create table cp2 (x int, like src including all, y int)");
    sql_catsnap_t *sl;
    const sql_table_t *cp = find(&sl, "cp"), *cp2 = sql_cat_find(sl, NULL, "cp2", NULL, 0);
    ck_assert_int_eq(cp->ncols, 3);
    ck_assert(cp->has_rowid);
    ck_assert(sql_table_column(cp, "v")->not_null);
    ck_assert_ptr_null(sql_table_column(cp, "v")->default_json);
    ck_assert_int_eq(cp->nchecks, 0);
    ck_assert_int_eq(cp2->ncols, 5);
    ck_assert_str_eq(cp2->cols[1].name, "id");
    ck_assert_str_eq(cp2->cols[4].name, "y");
    ck_assert_str_eq(cp2->pk_index->name, "cp2_pkey");
    ck_assert_int_eq(cp2->nindexes, 1);
    ck_assert_str_eq(cp2->indexes[0].name, "cp2_w_key");
    ck_assert_int_eq(cp2->nchecks, 1);
    ck_assert_ptr_nonnull(sql_table_column(cp2, "v")->default_json);
    sql_catalog_release(sl);
    FAILS("create table t_pkey2 (a int primary key, constraint t_pkey2 unique (a))", "42P07",
          "relation \"t_pkey2\" already exists");
    /* a failed CREATE leaves nothing */
    sql_catsnap_t *s;
    ck_assert_ptr_null(find(&s, "t_pkey2"));
    sql_catalog_release(s);
}
END_TEST

START_TEST(create_table_constraints_and_serial)
{
    OK("create table t (id serial primary key, code varchar(5) unique, qty int check (qty > 0), "
       "big bigserial, ident int generated always as identity, constraint t_code_chk check (code <> ''),"
       " unique (qty, code))");
    sql_catsnap_t *s;
    const sql_table_t *t = find(&s, "t");
    ck_assert_str_eq(t->pk_index->name, "t_pkey");
    ck_assert_int_eq(t->nindexes, 2);
    ck_assert_str_eq(t->indexes[0].name, "t_code_key");
    ck_assert_str_eq(t->indexes[1].name, "t_qty_code_key");
    ck_assert(t->indexes[0].unique && t->indexes[0].is_constraint);
    ck_assert_int_eq(t->nchecks, 2);
    ck_assert_str_eq(t->checks[0].name, "t_qty_check");
    ck_assert_str_eq(t->checks[1].name, "t_code_chk");
    const sql_column_t *id = sql_table_column(t, "id");
    ck_assert_ptr_nonnull(strstr(id->default_json, "nextval"));
    ck_assert_ptr_nonnull(strstr(id->default_json, "public.t_id_seq"));
    ck_assert(id->not_null);
    const sql_table_t *seq = sql_cat_find(s, NULL, "t_id_seq", NULL, 0);
    ck_assert_ptr_nonnull(seq);
    ck_assert_int_eq(seq->relkind, SQL_REL_SEQUENCE);
    ck_assert_int_eq(seq->seq->owned_by_table, t->id);
    ck_assert_int_eq(seq->seq->maxvalue, INT32_MAX);
    ck_assert_int_eq(sql_cat_find(s, NULL, "t_big_seq", NULL, 0)->seq->maxvalue, INT64_MAX);
    ck_assert_int_eq(sql_table_column(t, "ident")->identity, 'a');
    ck_assert_int_eq(sql_table_column(t, "big")->type.oid, SQL_OID_INT8);
    int64_t v;
    rdb_err_t err = RDB_ERR_INIT;
    ck_assert_int_eq(sql_seq_nextval(cat, seq, &v, &err), RDB_OK);
    ck_assert_int_eq(v, 1);
    ck_assert_int_eq(sql_seq_nextval(cat, seq, &v, &err), RDB_OK);
    ck_assert_int_eq(v, 2);
    sql_catalog_release(s);
    /* the owned sequences go with the table; the sequence cannot go alone */
    FAILS("drop sequence t_id_seq", "2BP01", "cannot drop sequence t_id_seq because other objects depend on it");
    OK("drop table t");
    ck_assert_ptr_null(find(&s, "t_id_seq"));
    sql_catalog_release(s);
}
END_TEST

START_TEST(table_rows_indexes_unique)
{
    OK("create table t (a int primary key, b int unique)");
    sql_catsnap_t *s;
    const sql_table_t *t = find(&s, "t");
    bool ins_ok;
    ck_assert_int_eq(ins(t, 1, 10, false, &ins_ok), RDB_OK);
    ck_assert_int_eq(ins(t, 2, 20, false, &ins_ok), RDB_OK);
    ck_assert_int_eq(ins(t, 3, INT64_MIN, false, &ins_ok), RDB_OK);
    ck_assert_int_eq(ins(t, 4, INT64_MIN, false, &ins_ok), RDB_OK); /* NULLs never clash */
    ck_assert_int_eq(ins(t, 1, 99, false, &ins_ok), RDB_SQL);
    ck_assert_str_eq(last_err.sqlstate, "23505");
    ck_assert_str_eq(last_err.msg, "duplicate key value violates unique constraint \"t_pkey\"");
    ck_assert_str_eq(last_err.detail, "Key (a)=(1) already exists.");
    ck_assert_int_eq(ins(t, 5, 20, false, &ins_ok), RDB_SQL);
    ck_assert_str_eq(last_err.msg, "duplicate key value violates unique constraint \"t_b_key\"");
    ck_assert_str_eq(last_err.detail, "Key (b)=(20) already exists.");
    /* ON CONFLICT DO NOTHING: no error, nothing written */
    ck_assert_int_eq(ins(t, 5, 20, true, &ins_ok), RDB_OK);
    ck_assert(!ins_ok);
    ck_assert_int_eq(ins(t, 6, 60, true, &ins_ok), RDB_OK);
    ck_assert(ins_ok);
    ck_assert_int_eq(count_keys(TXN_PREFIX_ROW, t->id), 5);
    ck_assert_int_eq(count_keys(TXN_PREFIX_INDEX, t->indexes[0].id), 5);

    /* point get, update (incl. pk change), delete */
    txn_t *x = txn_begin(st);
    rdb_arena_t a;
    rdb_arena_init(&a, 0);
    sql_value_t pk = sql_int(2), row[4], nr[4];
    bool found;
    ck_assert_int_eq(sql_table_get(x, t, &pk, &a, row, &found, &last_err), RDB_OK);
    ck_assert(found);
    ck_assert_int_eq(row[1].u.i, 20);
    memcpy(nr, row, sizeof row);
    nr[1] = sql_int(10);
    ck_assert_int_eq(sql_table_update(x, t, row, nr, &last_err), RDB_SQL);
    ck_assert_str_eq(last_err.detail, "Key (b)=(10) already exists.");
    nr[0] = sql_int(1);
    nr[1] = sql_int(21);
    rdb_err_clear(&last_err);
    ck_assert_int_eq(sql_table_update(x, t, row, nr, &last_err), RDB_SQL);
    ck_assert_str_eq(last_err.msg, "duplicate key value violates unique constraint \"t_pkey\"");
    nr[0] = sql_int(7);
    ck_assert_int_eq(sql_table_update(x, t, row, nr, &last_err), RDB_OK);
    pk = sql_int(2);
    ck_assert_int_eq(sql_table_get(x, t, &pk, &a, row, &found, &last_err), RDB_OK);
    ck_assert(!found);
    pk = sql_int(6);
    ck_assert_int_eq(sql_table_get(x, t, &pk, &a, row, &found, &last_err), RDB_OK);
    ck_assert_int_eq(sql_table_delete(x, t, row, &last_err), RDB_OK);
    ck_assert_int_eq(txn_commit(x, &last_err), RDB_OK);
    rdb_arena_destroy(&a);
    /* index order: NULLs first, then by b */
    ck_assert_str_eq(rows_s(t, &t->indexes[0], NULL), "3:null,4:null,1:10,7:21");
    sql_value_t lo = sql_int(10), hi = sql_int(21);
    sql_scan_range_t r = { 1, 1, &lo, &hi, false, true };
    ck_assert_str_eq(rows_s(t, &t->indexes[0], &r), "7:21");
    sql_scan_range_t upto = { 0, 1, NULL, &hi, false, false };
    ck_assert_str_eq(rows_s(t, &t->indexes[0], &upto), "1:10"); /* NULLs skipped */
    /* primary-key point and range scans on a hash-partitioned table */
    sql_value_t k = sql_int(7);
    sql_scan_range_t pt = { 1, 1, &k, &k, true, true };
    ck_assert_str_eq(rows_s(t, NULL, &pt), "7:21");
    sql_value_t k3 = sql_int(3);
    sql_scan_range_t ge3 = { 1, 0, &k3, NULL, true, false };
    const char *got = rows_s(t, NULL, &ge3);
    ck_assert_int_eq((int)strlen(got), (int)strlen("3:null,4:null,7:21"));
    ck_assert_ptr_null(strstr(got, "1:"));
    ck_assert_int_eq(count_keys(TXN_PREFIX_INDEX, t->indexes[0].id), 4);
    sql_catalog_release(s);

    OK("truncate table t");
    ck_assert_str_eq(last_tag, "TRUNCATE TABLE");
    t = find(&s, "t");
    ck_assert_int_eq(count_keys(TXN_PREFIX_ROW, t->id), 0);
    ck_assert_int_eq(count_keys(TXN_PREFIX_INDEX, t->indexes[0].id), 0);
    ck_assert_int_eq(ins(t, 1, 10, false, &ins_ok), RDB_OK);
    uint32_t id = t->id, ixid = t->indexes[0].id;
    sql_catalog_release(s);
    OK("drop table t");
    ck_assert_int_eq(count_keys(TXN_PREFIX_ROW, id), 0);
    ck_assert_int_eq(count_keys(TXN_PREFIX_INDEX, ixid), 0);
}
END_TEST

START_TEST(rowid_table_and_add_primary_key)
{
    OK("create table h (a int, b int)");
    sql_catsnap_t *s;
    const sql_table_t *t = find(&s, "h");
    ck_assert(t->has_rowid);
    ck_assert_int_eq(t->rowid_colid, 0);
    ck_assert_int_eq(sql_table_column(t, "a")->colid, 1);
    bool ok;
    for (int i = 1; i <= 5; i++)
        ck_assert_int_eq(ins(t, i, i * 10, false, &ok), RDB_OK);
    ck_assert_int_eq(ins(t, 1, 10, false, &ok), RDB_OK); /* duplicates allowed without a key */
    ck_assert_int_eq(count_keys(TXN_PREFIX_ROW, t->id), 6);
    /* delete by the row id a scan returned */
    txn_t *x = txn_begin(st);
    rdb_arena_t a;
    rdb_arena_init(&a, 0);
    sql_value_t row[4];
    sql_scan_t *sc = sql_scan_open(x, t, NULL);
    int deleted = 0;
    while (sql_scan_next(sc, &a, row))
        if (row[1].u.i == 1 && !deleted++) {
            ck_assert_int_eq(row[0].u.iv.days, 1); /* node id */
            ck_assert_int_eq(sql_table_delete(x, t, row, &last_err), RDB_OK);
        }
    sql_scan_close(sc);
    ck_assert_int_eq(txn_commit(x, &last_err), RDB_OK);
    rdb_arena_destroy(&a);
    ck_assert_int_eq(count_keys(TXN_PREFIX_ROW, t->id), 5);
    sql_catalog_release(s);
    OK("create index h_b on h (b)");
    OK("alter table h add primary key (a)");
    t = find(&s, "h");
    ck_assert(!t->has_rowid);
    ck_assert_str_eq(t->pk_index->name, "h_pkey");
    ck_assert(sql_table_column(t, "a")->not_null);
    ck_assert_int_eq(count_keys(TXN_PREFIX_ROW, t->id), 5);
    ck_assert_int_eq(count_keys(TXN_PREFIX_INDEX, t->indexes[0].id), 5);
    x = txn_begin(st);
    rdb_arena_init(&a, 0);
    sql_value_t pk = sql_int(4);
    bool found;
    ck_assert_int_eq(sql_table_get(x, t, &pk, &a, row, &found, &last_err), RDB_OK);
    ck_assert(found);
    ck_assert_int_eq(row[2].u.i, 40);
    txn_abort(x);
    rdb_arena_destroy(&a);
    ck_assert_str_eq(rows_s(t, &t->indexes[0], NULL), "1:10,2:20,3:30,4:40,5:50");
    ck_assert_int_eq(ins(t, 4, 1, false, &ok), RDB_SQL);
    ck_assert_str_eq(last_err.msg, "duplicate key value violates unique constraint \"h_pkey\"");
    sql_catalog_release(s);
    /* and back: dropping the key gives the rows fresh row ids */
    OK("alter table h drop constraint h_pkey");
    t = find(&s, "h");
    ck_assert(t->has_rowid);
    ck_assert_int_eq(t->rowid_colid, 3);
    ck_assert_int_eq(count_keys(TXN_PREFIX_ROW, t->id), 5);
    ck_assert_int_eq(ins(t, 4, 1, false, &ok), RDB_OK);
    sql_catalog_release(s);
    /* duplicates stop ADD PRIMARY KEY, leaving the table as it was */
    FAILS("alter table h add primary key (a)", "23505", "could not create unique index \"h_pkey\"");
    ck_assert_str_eq(last_err.detail, "Key (a)=(4) is duplicated.");
    t = find(&s, "h");
    ck_assert(t->has_rowid);
    ck_assert_int_eq(count_keys(TXN_PREFIX_ROW, t->id), 6);
    ck_assert_int_eq(ins(t, INT64_MIN, 1, false, &ok), RDB_OK);
    sql_catalog_release(s);
}
END_TEST

START_TEST(add_pk_null_and_unique_index_build)
{
    OK("create table h (a int, b int)");
    sql_catsnap_t *s;
    const sql_table_t *t = find(&s, "h");
    bool ok;
    ck_assert_int_eq(ins(t, 1, INT64_MIN, false, &ok), RDB_OK);
    ck_assert_int_eq(ins(t, 2, 7, false, &ok), RDB_OK);
    ck_assert_int_eq(ins(t, 3, 7, false, &ok), RDB_OK);
    sql_catalog_release(s);
    /* as PostgreSQL 15: the duplicate is found first (the index is built
     * before NOT NULL is checked); NULLs alone are 23502 */
    FAILS("alter table h add primary key (b)", "23505", "could not create unique index \"h_pkey\"");
    ck_assert_str_eq(last_err.detail, "Key (b)=(7) is duplicated.");
    FAILS("alter table h add primary key (a, b)", "23502", "column \"b\" of relation \"h\" contains null values");
    FAILS("alter table h alter column b set not null", "23502", "column \"b\" of relation \"h\" contains null values");
    FAILS("create unique index hb on h (b)", "23505", "could not create unique index \"hb\"");
    ck_assert_str_eq(last_err.detail, "Key (b)=(7) is duplicated.");
    FAILS("alter table h add unique (b)", "23505", "could not create unique index \"h_b_key\"");
    OK("create unique index ha on h (a)");
    OK("create unique index if not exists ha on h (a)");
    ck_assert_str_eq(notices, "relation \"ha\" already exists, skipping");
    OK("alter table h alter column a set not null");
    t = find(&s, "h");
    ck_assert(sql_table_column(t, "a")->not_null);
    ck_assert_int_eq(ins(t, 1, 5, false, &ok), RDB_SQL);
    ck_assert_str_eq(last_err.msg, "duplicate key value violates unique constraint \"ha\"");
    sql_catalog_release(s);
    OK("drop index ha");
    FAILS("drop index ha", "42704", "index \"ha\" does not exist");
    OK("drop index if exists ha");
    ck_assert_str_eq(notices, "index \"ha\" does not exist, skipping");
    OK("alter table h add constraint hu unique (a)");
    FAILS("drop index hu", "2BP01", "cannot drop index hu because constraint hu on table h requires it");
}
END_TEST

START_TEST(alter_table_columns)
{
    OK("create table t (a int primary key, b int)");
    sql_catsnap_t *s;
    const sql_table_t *t = find(&s, "t");
    bool ok;
    ck_assert_int_eq(ins(t, 1, 1, false, &ok), RDB_OK);
    ck_assert_int_eq(ins(t, 2, 2, false, &ok), RDB_OK);
    sql_catalog_release(s);
    FAILS("alter table t add column b int", "42701", "column \"b\" of relation \"t\" already exists");
    OK("alter table t add column if not exists b int");
    ck_assert_str_eq(notices, "column \"b\" of relation \"t\" already exists, skipping");
    FAILS("alter table t add column c int not null", "23502", "column \"c\" of relation \"t\" contains null values");
    OK("alter table t add column c int not null default 7, add column d serial");
    t = find(&s, "t");
    const sql_column_t *c = sql_table_column(t, "c"), *dcol = sql_table_column(t, "d");
    ck_assert_int_eq(c->colid, 2);
    txn_t *x = txn_begin(st);
    rdb_arena_t a;
    rdb_arena_init(&a, 0);
    sql_value_t pk = sql_int(2), row[8];
    bool found;
    ck_assert_int_eq(sql_table_get(x, t, &pk, &a, row, &found, &last_err), RDB_OK);
    ck_assert_int_eq(row[c->colid].u.i, 7);
    ck_assert(!row[dcol->colid].isnull);
    ck_assert_int_ge(row[dcol->colid].u.i, 1);
    txn_abort(x);
    rdb_arena_destroy(&a);
    sql_catalog_release(s);
    FAILS("alter table t add check (b > 1)", "23514", "check constraint \"t_b_check\" of relation \"t\" is violated by some row");
    OK("alter table t add check (b > 0)");
    FAILS("alter table t drop column zz", "42703", "column \"zz\" of relation \"t\" does not exist");
    OK("alter table t drop column if exists zz");
    OK("alter table t alter column b set default 5, alter column b drop not null");
    t = find(&s, "t");
    ck_assert_ptr_nonnull(sql_table_column(t, "b")->default_json);
    sql_catalog_release(s);
    OK("alter table t alter column b drop default");
    FAILS("alter table t alter column a drop not null", "42P16", "column \"a\" is in a primary key");
    OK("alter table t rename column b to bb");
    FAILS("alter table t rename column zz to y", "42703", "column \"zz\" does not exist");
    OK("alter table t drop column bb");
    t = find(&s, "t");
    ck_assert_int_eq(t->ncols, 3);
    ck_assert_int_eq(t->nchecks, 0); /* the check on bb went with it */
    ck_assert_int_eq(t->nrowcols, 4);
    ck_assert_int_eq(sql_table_column(t, "c")->attnum, 2);
    sql_catalog_release(s);
    OK("alter table t rename to t2");
    FAILS("alter table t add column x int", "42P01", "relation \"t\" does not exist");
    OK("alter table if exists t add column x int");
    ck_assert_str_eq(notices, "relation \"t\" does not exist, skipping");
    OK("alter table t2 alter column a type bigint, alter column c type bigint using c");
    t = find(&s, "t2");
    ck_assert_int_eq(sql_table_column(t, "a")->type.oid, SQL_OID_INT8);
    ck_assert_int_eq(count_keys(TXN_PREFIX_ROW, t->id), 2);
    x = txn_begin(st);
    rdb_arena_init(&a, 0);
    pk = sql_int(2);
    ck_assert_int_eq(sql_table_get(x, t, &pk, &a, row, &found, &last_err), RDB_OK);
    ck_assert(found);
    ck_assert_int_eq(row[sql_table_column(t, "c")->colid].u.i, 7);
    txn_abort(x);
    rdb_arena_destroy(&a);
    sql_catalog_release(s);
    FAILS("alter table t2 alter column a type serial", "42704", "type \"serial\" does not exist");
    FAILS("alter table t2 owner to nobody", "42704", "role \"nobody\" does not exist");
    OK("alter table t2 owner to admin");
    OK("create table idt (id int not null, n int)");
    FAILS("alter table idt alter column n add generated always as identity", "55000",
          "column \"n\" of relation \"idt\" must be declared NOT NULL before identity can be added");
    OK("alter table idt alter column id add generated always as identity (sequence name idt_seq start with 5)");
    t = find(&s, "idt");
    ck_assert_int_eq(sql_table_column(t, "id")->identity, 'a');
    const sql_table_t *iseq = sql_cat_find(s, NULL, "idt_seq", NULL, 0);
    ck_assert_ptr_nonnull(iseq);
    ck_assert_int_eq(iseq->seq->start, 5);
    sql_catalog_release(s);
    OK("alter table idt alter column id set generated by default");
    t = find(&s, "idt");
    ck_assert_int_eq(sql_table_column(t, "id")->identity, 'd');
    sql_catalog_release(s);
    OK("alter table idt alter column id drop identity");
    t = find(&s, "idt");
    ck_assert_int_eq(sql_table_column(t, "id")->identity, 0);
    ck_assert_ptr_null(sql_cat_find(s, NULL, "idt_seq", NULL, 0));
    sql_catalog_release(s);
    OK("alter table idt alter column id drop identity if exists");
    ck_assert_str_eq(notices, "column \"id\" of relation \"idt\" is not an identity column, skipping");
    /* a foreign key is part of the table's record; the referenced side
     * learns of it when the snapshot loads */
    OK("alter table t2 add constraint fk foreign key (a) references t2(a) on delete cascade");
    t = find(&s, "t2");
    ck_assert_int_eq(t->nfkeys, 1);
    ck_assert_str_eq(t->fkeys[0].name, "fk");
    ck_assert_int_eq(t->fkeys[0].ref_table, t->id);
    ck_assert_int_eq(t->fkeys[0].on_delete, SQL_FK_CASCADE);
    ck_assert_int_eq(t->fkeys[0].on_update, SQL_FK_NO_ACTION);
    ck_assert_int_eq(t->nrefby, 1);
    sql_catalog_release(s);
    FAILS("alter table t2 add constraint fk foreign key (a) references t2(a)", "42710",
          "constraint \"fk\" for relation \"t2\" already exists");
    OK("alter table t2 drop constraint fk");
    t = find(&s, "t2");
    ck_assert_int_eq(t->nfkeys, 0);
    ck_assert_int_eq(t->nrefby, 0);
    sql_catalog_release(s);
}
END_TEST

START_TEST(drop_and_views)
{
    stub_rows_t r = { .ncols = 1, .names = { "x" }, .types = { { SQL_OID_INT4, -1 } } };
    stub = &r;
    OK("create table a (x int)");
    OK("create table b (x int)");
    OK("create table c (x int)");
    OK("create view v as select x from a");
    ck_assert_str_eq(last_tag, "CREATE VIEW");
    sql_catsnap_t *s;
    const sql_table_t *v = find(&s, "v");
    ck_assert_int_eq(v->relkind, SQL_REL_VIEW);
    ck_assert_str_eq(v->view_sql, "select x from a");
    ck_assert_ptr_nonnull(strstr(v->view_json, "SelectStmt"));
    ck_assert_int_eq(v->ndeps, 1);
    sql_catalog_release(s);
    FAILS("drop table a", "2BP01", "cannot drop table a because other objects depend on it");
    ck_assert_str_eq(last_err.detail, "view v depends on table a");
    FAILS("drop table v", "42809", "\"v\" is not a table");
    ck_assert_str_eq(last_err.hint, "Use DROP VIEW to remove a view.");
    FAILS("drop table nosuch", "42P01", "table \"nosuch\" does not exist");
    OK("drop table if exists nosuch, c");
    ck_assert_str_eq(notices, "table \"nosuch\" does not exist, skipping");
    ck_assert_str_eq(last_tag, "DROP TABLE");
    OK("create view v2 as select * from v");
    OK("create view v3 as select x from b");
    OK("drop table a, b cascade");
    ck_assert_str_eq(notices, "drop cascades to 3 other objects");
    ck_assert_str_eq(last_notice_detail, "drop cascades to view v\ndrop cascades to view v2\n"
                                         "drop cascades to view v3");
    ck_assert_ptr_null(find(&s, "v"));
    sql_catalog_release(s);
    FAILS("drop view v", "42P01", "view \"v\" does not exist");
    stub = NULL;
}
END_TEST

START_TEST(create_table_as_and_view_columns)
{
    stub_rows_t r = { .ncols = 2, .names = { "x", "y" },
                      .types = { { SQL_OID_INT4, -1 }, { SQL_OID_INT8, -1 } },
                      .nrows = 3, .vals = { { 1, 10 }, { 2, 20 }, { 3, 30 } } };
    stub = &r;
    OK("create table c as select 1 as x, 2::bigint as y");
    ck_assert_str_eq(last_tag, "SELECT 3");
    sql_catsnap_t *s;
    const sql_table_t *t = find(&s, "c");
    ck_assert_int_eq(t->ncols, 2);
    ck_assert_int_eq(t->cols[1].type.oid, SQL_OID_INT8);
    ck_assert_int_eq(count_keys(TXN_PREFIX_ROW, t->id), 3);
    sql_catalog_release(s);
    OK("create view cv (p) as select x, y from c");
    const sql_table_t *v = find(&s, "cv");
    ck_assert_int_eq(v->ncols, 2);
    ck_assert_str_eq(v->cols[0].name, "p");
    ck_assert_str_eq(v->cols[1].name, "y");
    ck_assert_ptr_nonnull(strstr(v->view_json, "\"name\":\"p\""));
    sql_catalog_release(s);
    OK("create view cv2 (q) as select x from c union select y from c");
    v = find(&s, "cv2");
    ck_assert_ptr_nonnull(strstr(v->view_json, "\"name\":\"q\""));
    sql_catalog_release(s);
    stub = NULL;
}
END_TEST

START_TEST(negative_constants)
{
    /* libpg_query 15.4 loses negative integers in its JSON; ddl reads them
     * back from the query text (src/sql/pgjson.c). */
    OK("create table n (a int default -1, b int check (b > -5), c int default - 7, d int default 0)");
    sql_catsnap_t *s;
    const sql_table_t *t = find(&s, "n");
    ck_assert_ptr_nonnull(strstr(sql_table_column(t, "a")->default_json, "\"ival\":-1"));
    ck_assert_ptr_nonnull(strstr(t->checks[0].expr_json, "\"ival\":-5"));
    ck_assert_ptr_nonnull(strstr(sql_table_column(t, "c")->default_json, "\"ival\":-7"));
    ck_assert_ptr_null(strstr(sql_table_column(t, "d")->default_json, "\"ival\":-"));
    sql_catalog_release(s);
    OK("create sequence down increment by -1 start with -3 minvalue -10 maxvalue -1");
    const sql_table_t *q = find(&s, "down");
    ck_assert_int_eq(q->seq->increment, -1);
    ck_assert_int_eq(q->seq->start, -3);
    ck_assert_int_eq(q->seq->minvalue, -10);
    ck_assert_int_eq(q->seq->maxvalue, -1);
    int64_t v;
    rdb_err_t err = RDB_ERR_INIT;
    ck_assert_int_eq(sql_seq_nextval(cat, q, &v, &err), RDB_OK);
    ck_assert_int_eq(v, -3);
    ck_assert_int_eq(sql_seq_nextval(cat, q, &v, &err), RDB_OK);
    ck_assert_int_eq(v, -4);
    sql_catalog_release(s);
}
END_TEST

START_TEST(sequences)
{
    OK("create sequence s start 5 increment by 2 maxvalue 9");
    FAILS("create sequence s", "42P07", "relation \"s\" already exists");
    FAILS("create sequence z increment 0", "22023", "INCREMENT must not be zero");
    FAILS("create sequence z minvalue 10 maxvalue 5", "22023", "MINVALUE (10) must be less than MAXVALUE (5)");
    sql_catsnap_t *snap;
    const sql_table_t *s = find(&snap, "s");
    int64_t v;
    rdb_err_t err = RDB_ERR_INIT;
    ck_assert_int_eq(sql_seq_nextval(cat, s, &v, &err), RDB_OK);
    ck_assert_int_eq(v, 5);
    ck_assert_int_eq(sql_seq_nextval(cat, s, &v, &err), RDB_OK);
    ck_assert_int_eq(v, 7);
    ck_assert_int_eq(sql_seq_nextval(cat, s, &v, &err), RDB_OK);
    ck_assert_int_eq(v, 9);
    ck_assert_int_eq(sql_seq_nextval(cat, s, &v, &err), RDB_SQL);
    ck_assert_str_eq(err.sqlstate, "2200H");
    ck_assert_str_eq(err.msg, "nextval: reached maximum value of sequence \"s\" (9)");
    rdb_err_clear(&err);
    ck_assert_int_eq(sql_seq_setval(cat, s, 100, true, &err), RDB_SQL);
    ck_assert_str_eq(err.msg, "setval: value 100 is out of bounds for sequence \"s\" (1..9)");
    rdb_err_clear(&err);
    ck_assert_int_eq(sql_seq_setval(cat, s, 6, false, &err), RDB_OK);
    ck_assert_int_eq(sql_seq_nextval(cat, s, &v, &err), RDB_OK);
    ck_assert_int_eq(v, 6);
    sql_catalog_release(snap);
    /* a plain sequence: values never repeat across a restart */
    OK("create sequence q");
    s = find(&snap, "q");
    for (int i = 1; i <= 40; i++) {
        ck_assert_int_eq(sql_seq_nextval(cat, s, &v, &err), RDB_OK);
        ck_assert_int_eq(v, i);
    }
    sql_catalog_release(snap);
    close_store();
    open_store();
    s = find(&snap, "q");
    ck_assert_int_eq(sql_seq_nextval(cat, s, &v, &err), RDB_OK);
    ck_assert_int_gt(v, 40);
    ck_assert_int_le(v, 40 + 33);
    sql_catalog_release(snap);
    OK("alter sequence q restart with 3");
    s = find(&snap, "q");
    ck_assert_int_eq(sql_seq_nextval(cat, s, &v, &err), RDB_OK);
    ck_assert_int_eq(v, 3);
    sql_catalog_release(snap);
    OK("drop sequence q");
    FAILS("drop sequence q", "42P01", "sequence \"q\" does not exist");
}
END_TEST

START_TEST(roles)
{
    OK("create role app with login password 'secret'");
    ck_assert_str_eq(last_tag, "CREATE ROLE");
    FAILS("create user app", "42710", "role \"app\" already exists");
    FAILS("create role pg_x", "42939", "role name \"pg_x\" is reserved");
    rdb_role_info_t ri = { 0 };
    rdb_err_t err = RDB_ERR_INIT;
    ck_assert_int_eq(sql_cat_role_lookup(cat, "app", &ri, &err), RDB_OK);
    ck_assert(ri.can_login);
    ck_assert(!ri.superuser);
    ck_assert_ptr_nonnull(ri.password);
    ck_assert_int_eq(strncmp(ri.password, "SCRAM-SHA-256$4096:", 19), 0);
    rdb_scram_verifier_t sv;
    ck_assert(rdb_scram_parse_verifier(ri.password, &sv));
    ck_assert(rdb_scram_verify_password(&sv, "secret"));
    ck_assert(!rdb_scram_verify_password(&sv, "Secret"));
    free(ri.password);
    ck_assert_int_eq(sql_cat_role_lookup(cat, "nobody", &ri, &err), RDB_NOTFOUND);
    OK("alter user app with password null nologin superuser");
    ck_assert_int_eq(sql_cat_role_lookup(cat, "app", &ri, &err), RDB_OK);
    ck_assert(!ri.can_login);
    ck_assert(ri.superuser);
    ck_assert_ptr_null(ri.password);
    OK("create user u2 password 'md5aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' valid until '2030-01-01 00:00:00+00'");
    ck_assert_int_eq(sql_cat_role_lookup(cat, "u2", &ri, &err), RDB_OK);
    ck_assert(ri.can_login);
    ck_assert_str_eq(ri.password, "md5aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
    ck_assert_int_eq(ri.valid_until_ms, INT64_C(1893456000000));
    free(ri.password);
    FAILS("drop role admin", "55006", "current user cannot be dropped");
    OK("drop role app, u2");
    FAILS("drop role app", "42704", "role \"app\" does not exist");
    OK("drop role if exists app");
    ck_assert_str_eq(notices, "role \"app\" does not exist, skipping");
    FAILS("alter role nobody login", "42704", "role \"nobody\" does not exist");
}
END_TEST

START_TEST(misc_statements)
{
    OK("create table t (a int, b int)");
    OK("comment on table t is 'the table'");
    OK("comment on column t.b is 'bee'");
    ck_assert_str_eq(last_tag, "COMMENT");
    sql_catsnap_t *s;
    const sql_table_t *t = find(&s, "t");
    ck_assert_str_eq(t->comment, "the table");
    ck_assert_str_eq(t->col_comments[sql_table_column(t, "b")->colid], "bee");
    bool ok;
    ck_assert_int_eq(ins(t, 1, 1, false, &ok), RDB_OK);
    ck_assert_int_eq(ins(t, 2, 1, false, &ok), RDB_OK);
    sql_catalog_release(s);
    OK("vacuum analyze t");
    ck_assert_str_eq(last_tag, "VACUUM");
    t = find(&s, "t");
    ck_assert_int_eq(t->rowcount_est, 2);
    ck_assert_double_eq(sql_table_column(t, "a")->n_distinct, 2);
    ck_assert_double_eq(sql_table_column(t, "b")->n_distinct, 1);
    ck_assert_float_eq(sql_table_column(t, "a")->null_frac, 0);
    sql_catalog_release(s);
    OK("vacuum");
    OK("analyze");
    ck_assert_str_eq(last_tag, "ANALYZE");
    FAILS("create database d", "0A000",
          "CREATE DATABASE is not supported: ringdb has the one database \"postgres\"");
    FAILS("create database postgres", "42P04", "database \"postgres\" already exists");
    FAILS("truncate nosuch", "42P01", "relation \"nosuch\" does not exist");
    FAILS("create table r (a int) partition by range (a)", "0A000",
          "PARTITION BY RANGE must name the leading primary-key columns");
    OK("create table r (a int, b int, primary key (a, b)) partition by range (a)");
    t = find(&s, "r");
    ck_assert(!t->hash_partitioned);
    ck_assert_int_eq(ins(t, 5, 1, false, &ok), RDB_OK);
    ck_assert_int_eq(ins(t, 3, 1, false, &ok), RDB_OK);
    ck_assert_int_eq(ins(t, 9, 2, false, &ok), RDB_OK);
    ck_assert_str_eq(rows_s(t, NULL, NULL), "3:1,5:1,9:2"); /* key order */
    sql_value_t lo = sql_int(3), hi = sql_int(9);
    sql_scan_range_t r = { 1, 1, &lo, &hi, false, false };
    ck_assert_str_eq(rows_s(t, NULL, &r), "5:1");
    sql_catalog_release(s);
}
END_TEST

/* pgbench -i's pattern at a small scale: load a table without a key in one
 * transaction, then ADD PRIMARY KEY and an index over the filled table. */
#define BULK_ROWS 50000
START_TEST(bulk_load_then_add_primary_key)
{
    OK("create table acc (a int not null, b int, filler char(20)) with (fillfactor=100)");
    sql_catsnap_t *s;
    const sql_table_t *t = find(&s, "acc");
    txn_t *x = txn_begin(st);
    sql_value_t row[8];
    for (int i = 0; i < 8; i++)
        row[i] = sql_null();
    for (int i = 0; i < BULK_ROWS; i++) {
        row[1] = sql_int(BULK_ROWS - i);
        row[2] = sql_int(i % 100);
        bool ok;
        ck_assert_int_eq(sql_table_insert(x, t, row, false, &ok, &last_err), RDB_OK);
    }
    ck_assert_int_eq(txn_commit(x, &last_err), RDB_OK);
    sql_catalog_release(s);
    OK("vacuum analyze acc");
    OK("alter table acc add primary key (a)");
    OK("create index acc_b on acc (b)");
    t = find(&s, "acc");
    ck_assert_int_eq(t->rowcount_est, BULK_ROWS);
    ck_assert_double_eq(sql_table_column(t, "a")->n_distinct, BULK_ROWS);
    ck_assert_double_eq(sql_table_column(t, "b")->n_distinct, 100);
    ck_assert_float_eq(sql_table_column(t, "filler")->null_frac, 1);
    ck_assert_int_eq(count_keys(TXN_PREFIX_ROW, t->id), BULK_ROWS);
    ck_assert_int_eq(count_keys(TXN_PREFIX_INDEX, t->indexes[0].id), BULK_ROWS);
    bool ok;
    ck_assert_int_eq(ins(t, 777, 1, false, &ok), RDB_SQL);
    ck_assert_str_eq(last_err.detail, "Key (a)=(777) already exists.");
    sql_value_t v = sql_int(42);
    sql_scan_range_t eq = { 1, 1, &v, &v, true, true };
    txn_t *y = txn_begin(st);
    rdb_arena_t a;
    rdb_arena_init(&a, 0);
    sql_scan_t *sc = sql_index_scan_open(y, t, &t->indexes[0], &eq);
    int n = 0;
    while (sql_scan_next(sc, &a, row)) {
        ck_assert_int_eq(row[2].u.i, 42);
        n++;
    }
    sql_scan_close(sc);
    rdb_arena_destroy(&a);
    txn_abort(y);
    ck_assert_int_eq(n, BULK_ROWS / 100);
    sql_catalog_release(s);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("sqlcat");
    TCase *tc = tcase_create("all");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, bootstrap_and_reopen);
    tcase_add_test(tc, search_path_and_schemas);
    tcase_add_test(tc, cache_reloads_on_replicated_write);
    tcase_add_test(tc, private_snapshot_in_transaction);
    tcase_add_test(tc, create_table_errors);
    tcase_add_test(tc, create_table_constraints_and_serial);
    tcase_add_test(tc, table_rows_indexes_unique);
    tcase_add_test(tc, rowid_table_and_add_primary_key);
    tcase_add_test(tc, add_pk_null_and_unique_index_build);
    tcase_add_test(tc, alter_table_columns);
    tcase_add_test(tc, drop_and_views);
    tcase_add_test(tc, create_table_as_and_view_columns);
    tcase_add_test(tc, sequences);
    tcase_add_test(tc, negative_constants);
    tcase_add_test(tc, roles);
    tcase_add_test(tc, misc_statements);
    suite_add_tcase(s, tc);
    TCase *bulk = tcase_create("bulk");
    tcase_add_checked_fixture(bulk, setup, teardown);
    tcase_set_timeout(bulk, 300);
    tcase_add_test(bulk, bulk_load_then_add_primary_key);
    suite_add_tcase(s, bulk);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
