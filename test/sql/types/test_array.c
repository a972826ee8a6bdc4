/*
 * test_array.c — arrays and json in the type system: array_in/array_out
 * (expected strings as PostgreSQL 15 prints them), errors with their
 * SQLSTATE and detail, binary send/recv and MessagePack round trips, key
 * encoding order == sql_value_cmp order (randomized), polymorphic
 * operator resolution, the collecting aggregates' partial states, jsonb
 * normalization and ordering.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "sql/array.h"
#include "sql/types.h"

static rdb_arena_t A;
static sql_format_settings_t FS;

static void setup(void) { rdb_arena_init(&A, 4096); sql_format_settings_default(&FS); sql_types_init(); }
static void teardown(void) { rdb_arena_destroy(&A); }

static sql_type_t T(uint32_t oid) { return (sql_type_t){ oid, -1 }; }

static const char *out(sql_type_t t, const sql_value_t *v)
{
    rdb_buf_t b = RDB_BUF_INIT;
    sql_value_out(&FS, t, v, &b);
    char *r = rdb_arena_strndup(&A, b.data ? b.data : "", b.len);
    rdb_buf_free(&b);
    return r;
}

/* parse s as t and print it back, or "ERROR state msg / detail" */
static const char *rt(sql_type_t t, const char *s)
{
    sql_value_t v;
    rdb_err_t err = RDB_ERR_INIT;
    if (sql_value_in(&A, &FS, t, s, strlen(s), &v, &err) != RDB_OK) {
        char *m = rdb_arena_sprintf(&A, "ERROR %s %s / %s", err.sqlstate, err.msg, err.detail ? err.detail : "");
        rdb_err_clear(&err);
        return m;
    }
    return out(t, &v);
}

static sql_value_t in(sql_type_t t, const char *s)
{
    sql_value_t v;
    rdb_err_t err = RDB_ERR_INIT;
    ck_assert_int_eq(sql_value_in(&A, &FS, t, s, strlen(s), &v, &err), RDB_OK);
    return v;
}

START_TEST(test_array_text)
{
    sql_type_t i4a = T(SQL_OID_INT4_ARRAY), ta = T(SQL_OID_TEXT_ARRAY);
    ck_assert_str_eq(rt(i4a, "{1,2,NULL}"), "{1,2,NULL}");
    ck_assert_str_eq(rt(i4a, " { 1 , -2 } "), "{1,-2}");
    ck_assert_str_eq(rt(i4a, "{}"), "{}");
    ck_assert_str_eq(rt(i4a, "[0:1]={7,8}"), "[0:1]={7,8}");
    ck_assert_str_eq(rt(ta, "{\"a b\",\"c,d\",\"e\\\"f\",\"g\\\\h\",\"NULL\",NULL,\"\",x}"),
                     "{\"a b\",\"c,d\",\"e\\\"f\",\"g\\\\h\",\"NULL\",NULL,\"\",x}");
    ck_assert_str_eq(rt(ta, "{  a  b  ,c\\ }"), "{\"a  b\",\"c \"}");
    ck_assert_str_eq(rt(T(SQL_OID_BOOL_ARRAY), "{t,false,NULL}"), "{t,f,NULL}");
    ck_assert_str_eq(rt(T(SQL_OID_NUMERIC_ARRAY), "{1.50,-0.001}"), "{1.50,-0.001}");
    ck_assert_str_eq(rt(T(SQL_OID_INTERVAL_ARRAY), "{\"1 day\"}"), "{\"1 day\"}");
    ck_assert_str_eq(rt(T(SQL_OID_JSONB_ARRAY), "{\"{\\\"b\\\":1,\\\"a\\\":2}\"}"), "{\"{\\\"a\\\": 2, \\\"b\\\": 1}\"}");
    ck_assert_str_eq(rt(i4a, "{1,2"), "ERROR 22P02 malformed array literal: \"{1,2\" / Unexpected end of input.");
    ck_assert_str_eq(rt(i4a, "1,2"), "ERROR 22P02 malformed array literal: \"1,2\" / Array value must start with \"{\" or dimension information.");
    ck_assert_str_eq(rt(i4a, "{1}x"), "ERROR 22P02 malformed array literal: \"{1}x\" / Junk after closing right brace.");
    ck_assert_str_eq(rt(i4a, "{a}"), "ERROR 22P02 invalid input syntax for type integer: \"a\" / ");
    ck_assert_str_eq(rt(i4a, "[1:3]={1}"), "ERROR 22P02 malformed array literal: \"[1:3]={1}\" / Specified array dimensions do not match array contents.");
    ck_assert_str_eq(rt(i4a, "{{1},{2}}"), "{{1},{2}}");   /* two dimensions */
    /* varchar(2)[]: the element typmod applies */
    ck_assert(strncmp(rt((sql_type_t){ SQL_OID_VARCHAR_ARRAY, 6 }, "{abc}"), "ERROR 22001", 11) == 0);
    rdb_buf_t b = RDB_BUF_INIT;
    sql_type_format((sql_type_t){ SQL_OID_VARCHAR_ARRAY, 6 }, &b);
    ck_assert_str_eq(rdb_buf_cstr(&b), "character varying(2)[]");
    rdb_buf_free(&b);
}
END_TEST

START_TEST(test_array_binary_and_pack)
{
    const struct { uint32_t oid; const char *s; } cases[] = {
        { SQL_OID_INT4_ARRAY, "{1,NULL,-3}" }, { SQL_OID_INT8_ARRAY, "{9000000000}" },
        { SQL_OID_TEXT_ARRAY, "{\"a b\",NULL,\"\"}" }, { SQL_OID_FLOAT8_ARRAY, "{1.5,-Infinity}" },
        { SQL_OID_NUMERIC_ARRAY, "{1.50,NaN}" }, { SQL_OID_DATE_ARRAY, "{2024-02-29}" },
        { SQL_OID_UUID_ARRAY, "{0f0e0d0c-0b0a-0908-0706-050403020100}" },
        { SQL_OID_INTERVAL_ARRAY, "{\"1 mon 2 days 00:00:03\"}" }, { SQL_OID_INT4_ARRAY, "{}" },
        { SQL_OID_INT4_ARRAY, "[-2:-1]={5,6}" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sql_type_t t = T(cases[i].oid);
        sql_value_t v = in(t, cases[i].s), w;
        rdb_buf_t b = RDB_BUF_INIT;
        sql_value_send(t, &v, &b);
        rdb_err_t err = RDB_ERR_INIT;
        ck_assert_int_eq(sql_value_recv(&A, t, b.data, b.len, &w, &err), RDB_OK);
        ck_assert_str_eq(out(t, &w), cases[i].s);
        ck_assert_int_eq(sql_value_cmp(t, &v, &w), 0);
        rdb_buf_free(&b);
        msgpack_sbuffer sb;
        msgpack_sbuffer_init(&sb);
        msgpack_packer pk;
        msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
        sql_value_pack(&pk, t, &v);
        msgpack_zone z;
        msgpack_zone_init(&z, 1024);
        msgpack_object o;
        size_t off = 0;
        ck_assert_int_eq(msgpack_unpack(sb.data, sb.size, &off, &z, &o), MSGPACK_UNPACK_SUCCESS);
        ck_assert(o.type == MSGPACK_OBJECT_ARRAY);
        ck_assert_int_eq(sql_value_unpack(&A, t, &o, &w, &err), RDB_OK);
        ck_assert_str_eq(out(t, &w), cases[i].s);
        msgpack_zone_destroy(&z);
        msgpack_sbuffer_destroy(&sb);
    }
    /* the binary form is PG's: ndim 1, has-null 1, element oid 23, dim 2, lb 1 */
    sql_value_t v = in(T(SQL_OID_INT4_ARRAY), "{7,NULL}");
    rdb_buf_t b = RDB_BUF_INIT;
    sql_value_send(T(SQL_OID_INT4_ARRAY), &v, &b);
    static const unsigned char want[] = { 0,0,0,1, 0,0,0,1, 0,0,0,23, 0,0,0,2, 0,0,0,1, 0,0,0,4, 0,0,0,7, 0xff,0xff,0xff,0xff };
    ck_assert_uint_eq(b.len, sizeof want);
    ck_assert(memcmp(b.data, want, sizeof want) == 0);
    /* a damaged or mistyped binary array is an error, not a crash */
    rdb_err_t err = RDB_ERR_INIT;
    sql_value_t w;
    for (size_t n = 0; n < b.len; n++) {
        rdb_status_t st = sql_value_recv(&A, T(SQL_OID_INT4_ARRAY), b.data, n, &w, &err);
        ck_assert_int_ne(st, RDB_OK);
        rdb_err_clear(&err);
    }
    ck_assert_int_ne(sql_value_recv(&A, T(SQL_OID_INT8_ARRAY), b.data, b.len, &w, &err), RDB_OK);
    ck_assert_str_eq(err.sqlstate, "42804");
    rdb_err_clear(&err);
    rdb_buf_free(&b);
}
END_TEST

START_TEST(test_array_key_order)
{
    sql_type_t t = T(SQL_OID_INT4_ARRAY);
    srand(42);
    enum { N = 200 };
    sql_value_t v[N];
    rdb_buf_t k[N];
    for (int i = 0; i < N; i++) {
        int n = rand() % 4;
        sql_value_t e[4];
        for (int j = 0; j < n; j++) {
            e[j] = rand() % 7 == 0 ? sql_null() : sql_int(rand() % 5 - 2);
        }
        v[i] = sql_array_encode(&A, T(SQL_OID_INT4), 1, n, e);
        rdb_buf_init(&k[i], 32);
        sql_key_encode(&k[i], t, &v[i], false);
        const char *p = k[i].data;
        sql_value_t d;
        rdb_err_t err = RDB_ERR_INIT;
        ck_assert_int_eq(sql_key_decode(&A, t, false, &p, k[i].data + k[i].len, &d, &err), RDB_OK);
        ck_assert_int_eq(sql_value_cmp(t, &v[i], &d), 0);
    }
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            int c = sql_value_cmp(t, &v[i], &v[j]);
            size_t m = k[i].len < k[j].len ? k[i].len : k[j].len;
            int kc = memcmp(k[i].data, k[j].data, m);
            if (!kc) kc = (k[i].len > k[j].len) - (k[i].len < k[j].len);
            ck_assert_int_eq(c == 0, kc == 0);
            ck_assert_int_eq(c < 0, kc < 0);
            if (c == 0)
                ck_assert_uint_eq(sql_value_hash(t, &v[i]), sql_value_hash(t, &v[j]));
        }
    for (int i = 0; i < N; i++)
        rdb_buf_free(&k[i]);
}
END_TEST

START_TEST(test_array_resolution)
{
    sql_resolved_fn_t fn;
    rdb_err_t err = RDB_ERR_INIT;
    ck_assert_int_eq(sql_oper_resolve("||", T(SQL_OID_INT4_ARRAY), T(SQL_OID_INT4), &fn, &err), RDB_OK);
    ck_assert_uint_eq(fn.rettype.oid, SQL_OID_INT4_ARRAY);
    ck_assert_int_eq(sql_oper_resolve("||", T(SQL_OID_NUMERIC_ARRAY), T(SQL_OID_INT4), &fn, &err), RDB_OK);
    ck_assert_uint_eq(fn.argtypes[1].oid, SQL_OID_NUMERIC);
    ck_assert_int_eq(sql_oper_resolve("||", T(SQL_OID_UNKNOWN), T(SQL_OID_INT4), &fn, &err), RDB_OK);
    ck_assert_uint_eq(fn.rettype.oid, SQL_OID_TEXT);
    ck_assert_int_eq(sql_oper_resolve("||", T(SQL_OID_INT4_ARRAY), T(SQL_OID_UNKNOWN), &fn, &err), RDB_OK);
    ck_assert_uint_eq(fn.argtypes[1].oid, SQL_OID_INT4_ARRAY);
    ck_assert_int_ne(sql_oper_resolve("||", T(SQL_OID_INT4_ARRAY), T(SQL_OID_TEXT_ARRAY), &fn, &err), RDB_OK);
    ck_assert_str_eq(err.sqlstate, "42883");
    ck_assert_str_eq(err.msg, "operator does not exist: integer[] || text[]");
    rdb_err_clear(&err);
    sql_type_t at[2] = { T(SQL_OID_TEXT_ARRAY), T(SQL_OID_UNKNOWN) };
    ck_assert_int_eq(sql_func_resolve("array_position", 2, at, &fn, &err), RDB_OK);
    ck_assert_uint_eq(fn.argtypes[1].oid, SQL_OID_TEXT);
    at[0] = T(SQL_OID_INT4);
    at[1] = T(SQL_OID_INT4);
    ck_assert_int_ne(sql_func_resolve("array_length", 2, at, &fn, &err), RDB_OK);
    ck_assert_str_eq(err.msg, "function array_length(integer, integer) does not exist");
    rdb_err_clear(&err);
}
END_TEST

/* run an aggregate over vals; with split, as two partial states combined
 * after a serialize / deserialize round trip */
static const char *agg(const char *name, sql_type_t t, int n, const char **vals, bool split)
{
    sql_resolved_agg_t ag;
    rdb_err_t err = RDB_ERR_INIT;
    ck_assert_int_eq(sql_agg_resolve(name, 1, &t, &ag, &err), RDB_OK);
    sql_fn_ctx_t ctx = { .arena = &A, .settings = &FS };
    void *s1 = ag.init(&A, &ag), *s2 = ag.init(&A, &ag);
    for (int i = 0; i < n; i++) {
        sql_value_t v = vals[i] ? in(t, vals[i]) : sql_null();
        ck_assert_int_eq(ag.trans(&ctx, split && i >= n / 2 ? s2 : s1, &v, &err), RDB_OK);
    }
    if (split) {
        rdb_buf_t b = RDB_BUF_INIT;
        ag.serialize(s2, &b);
        void *s3;
        ck_assert_int_eq(ag.deserialize(&A, &ag, b.data, b.len, &s3, &err), RDB_OK);
        ck_assert_int_eq(ag.combine(&ctx, s1, s3, &err), RDB_OK);
        rdb_buf_free(&b);
    }
    sql_value_t r;
    ck_assert_int_eq(ag.final(&ctx, s1, &r, &err), RDB_OK);
    return r.isnull ? "NULL" : out(ag.rettype, &r);
}

START_TEST(test_collect_aggregates)
{
    const char *v[] = { "3", NULL, "1", "2" };
    for (int split = 0; split < 2; split++) {
        ck_assert_str_eq(agg("array_agg", T(SQL_OID_INT4), 4, v, split), "{3,NULL,1,2}");
        ck_assert_str_eq(agg("json_agg", T(SQL_OID_INT4), 4, v, split), "[3, null, 1, 2]");
        ck_assert_str_eq(agg("jsonb_agg", T(SQL_OID_INT4), 4, v, split), "[3, null, 1, 2]");
        ck_assert_str_eq(agg("array_agg", T(SQL_OID_INT4), 0, v, split), "NULL");
        const char *s[] = { "a b", "c\"" };
        ck_assert_str_eq(agg("array_agg", T(SQL_OID_TEXT), 2, s, split), "{\"a b\",\"c\\\"\"}");
        ck_assert_str_eq(agg("json_agg", T(SQL_OID_TEXT), 2, s, split), "[\"a b\", \"c\\\"\"]");
        const char *n[] = { "10", "20", "20", "40" };
        ck_assert_str_eq(agg("stddev", T(SQL_OID_INT4), 4, n, split), "12.5830573921179162");
        ck_assert_str_eq(agg("var_pop", T(SQL_OID_INT8), 4, n, split), "118.7500000000000000");
        ck_assert_str_eq(agg("stddev_pop", T(SQL_OID_NUMERIC), 2, (const char *[]){ "1", "1" }, split), "0");
    }
}
END_TEST

START_TEST(test_collect_many)
{
    /* more inputs than the state's first vector holds, through a partial state */
    sql_resolved_agg_t ag;
    rdb_err_t err = RDB_ERR_INIT;
    sql_type_t t = T(SQL_OID_INT4);
    ck_assert_int_eq(sql_agg_resolve("array_agg", 1, &t, &ag, &err), RDB_OK);
    sql_fn_ctx_t ctx = { .arena = &A, .settings = &FS };
    void *s1 = ag.init(&A, &ag), *s2 = ag.init(&A, &ag);
    for (int i = 0; i < 5000; i++) {
        sql_value_t v = i % 97 == 5 ? sql_null() : sql_int(i);
        ck_assert_int_eq(ag.trans(&ctx, i < 2100 ? s1 : s2, &v, &err), RDB_OK);
    }
    rdb_buf_t b = RDB_BUF_INIT;
    ag.serialize(s2, &b);
    void *s3;
    ck_assert_int_eq(ag.deserialize(&A, &ag, b.data, b.len, &s3, &err), RDB_OK);
    ck_assert_int_eq(ag.combine(&ctx, s1, s3, &err), RDB_OK);
    rdb_buf_free(&b);
    sql_value_t r;
    ck_assert_int_eq(ag.final(&ctx, s1, &r, &err), RDB_OK);
    sql_array_t x;
    ck_assert_int_eq(sql_array_decode(&A, ag.rettype, &r, &x, &err), RDB_OK);
    ck_assert_int_eq(x.n, 5000);
    for (int i = 0; i < 5000; i++) {
        ck_assert_int_eq(x.v[i].isnull, i % 97 == 5);
        if (!x.v[i].isnull)
            ck_assert_int_eq(x.v[i].u.i, i);
    }
}
END_TEST

START_TEST(test_jsonb)
{
    sql_type_t jb = T(SQL_OID_JSONB), js = T(SQL_OID_JSON);
    ck_assert_str_eq(rt(jb, " {\"b\":1, \"a\":[1, 2.50, \"x\", null, true], \"aa\": {}}"),
                     "{\"a\": [1, 2.50, \"x\", null, true], \"b\": 1, \"aa\": {}}");
    ck_assert_str_eq(rt(jb, "{\"a\": 1, \"a\": 2}"), "{\"a\": 2}");
    ck_assert_str_eq(rt(js, "{\"a\": 1, \"a\": 2}"), "{\"a\": 1, \"a\": 2}");
    ck_assert_str_eq(rt(jb, "[1e2, -0, 1.0E-2]"), "[100, 0, 0.010]");
    ck_assert_str_eq(rt(jb, "\"\\u00e9\\n\\ud83d\\ude00\""), "\"\xc3\xa9\\n\xf0\x9f\x98\x80\"");
    ck_assert_str_eq(rt(jb, "{\"a\": }"), "ERROR 22P02 invalid input syntax for type json / Expected JSON value, but found \"}\".");
    ck_assert_str_eq(rt(jb, "[1,2"), "ERROR 22P02 invalid input syntax for type json / The input string ended unexpectedly.");
    ck_assert_str_eq(rt(jb, "tru"), "ERROR 22P02 invalid input syntax for type json / Token \"tru\" is invalid.");
    ck_assert_str_eq(rt(jb, "{1:2}"), "ERROR 22P02 invalid input syntax for type json / Expected string or \"}\", but found \"1\".");
    ck_assert_str_eq(rt(jb, "\"\\u0000\""), "ERROR 22P05 unsupported Unicode escape sequence / \\u0000 cannot be converted to text.");
    /* jsonb order: null < string < number < boolean < array < object; numbers by value */
    const char *ord[] = { "null", "\"a\"", "\"b\"", "1", "1.5", "false", "true", "[1, 2]", "{\"a\": 1}", "{\"a\": 1, \"b\": 1}" };
    for (size_t i = 0; i + 1 < sizeof ord / sizeof ord[0]; i++) {
        sql_value_t x = in(jb, ord[i]), y = in(jb, ord[i + 1]);
        ck_assert_msg(sql_value_cmp(jb, &x, &y) < 0, "%s < %s", ord[i], ord[i + 1]);
    }
    sql_value_t x = in(jb, "[1.0, {\"a\": 2.50}]"), y = in(jb, "[1, {\"a\": 2.5}]");
    ck_assert_int_eq(sql_value_cmp(jb, &x, &y), 0);
    ck_assert_uint_eq(sql_value_hash(jb, &x), sql_value_hash(jb, &y));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("sqlarray");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_array_text);
    tcase_add_test(tc, test_array_binary_and_pack);
    tcase_add_test(tc, test_array_key_order);
    tcase_add_test(tc, test_array_resolution);
    tcase_add_test(tc, test_collect_aggregates);
    tcase_add_test(tc, test_collect_many);
    tcase_add_test(tc, test_jsonb);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int nf = srunner_ntests_failed(sr);
    srunner_free(sr);
    return nf ? 1 : 0;
}
