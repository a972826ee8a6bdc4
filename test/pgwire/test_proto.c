/*
 * test_proto.c — unit tests of the message framing and field readers.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "pgwire/proto.h"

static size_t put32(char *p, uint32_t v)
{
    p[0] = (char)(v >> 24); p[1] = (char)(v >> 16); p[2] = (char)(v >> 8); p[3] = (char)v;
    return 4;
}

START_TEST(frame_complete_and_partial)
{
    char b[32];
    b[0] = 'Q';
    put32(b + 1, 4 + 9);
    memcpy(b + 5, "SELECT 1", 9);
    rdb_pgmsg_t m;
    size_t used;
    rdb_err_t err = RDB_ERR_INIT;
    for (size_t n = 0; n < 14; n++)
        ck_assert_int_eq(rdb_pg_frame(b, n, false, 1 << 20, &m, &used, &err), 0);
    ck_assert_int_eq(rdb_pg_frame(b, 14, false, 1 << 20, &m, &used, &err), 1);
    ck_assert_int_eq(m.type, 'Q');
    ck_assert_uint_eq(m.len, 9);
    ck_assert_uint_eq(used, 14);
    ck_assert_str_eq(m.body, "SELECT 1");
}
END_TEST

START_TEST(frame_rejects_bad_lengths)
{
    char b[8] = { 'Q' };
    rdb_pgmsg_t m;
    size_t used;
    uint32_t bad[] = { 0, 3, 0x7fffffffu, 0x80000000u, 0xffffffffu, (1u << 20) + 1 };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        rdb_err_t err = RDB_ERR_INIT;
        put32(b + 1, bad[i]);
        /* Rejected from the header alone, before any body arrives. */
        ck_assert_int_eq(rdb_pg_frame(b, 5, false, 1 << 20, &m, &used, &err), -1);
        ck_assert_str_eq(err.sqlstate, "08P01");
        rdb_err_clear(&err);
    }
    rdb_err_t err = RDB_ERR_INIT;
    put32(b, 0x7fffffffu);
    ck_assert_int_eq(rdb_pg_frame(b, 4, true, 1 << 20, &m, &used, &err), -1);
    ck_assert_str_eq(err.sqlstate, "08P01");
    rdb_err_clear(&err);
    put32(b, 7); /* a start-up packet needs at least the version */
    ck_assert_int_eq(rdb_pg_frame(b, 4, true, 1 << 20, &m, &used, &err), -1);
    rdb_err_clear(&err);
}
END_TEST

START_TEST(readers_stop_at_end)
{
    const char body[] = { 0, 1, 0, 0, 0, 2, 'a', 'b', 0, 'c' };
    rdb_pgmsg_t m = { 'X', body, sizeof body };
    rdb_pgrd_t rd;
    rdb_pgrd_init(&rd, &m);
    ck_assert_int_eq(rdb_pgrd_i16(&rd), 1);
    ck_assert_int_eq(rdb_pgrd_i32(&rd), 2);
    ck_assert_str_eq(rdb_pgrd_str(&rd), "ab");
    ck_assert(!rd.bad);
    ck_assert_str_eq(rdb_pgrd_str(&rd), ""); /* "c" has no terminator */
    ck_assert(rd.bad);
    rdb_pgrd_init(&rd, &m);
    ck_assert_ptr_null(rdb_pgrd_bytes(&rd, 11));
    ck_assert(rd.bad);
    rdb_pgrd_init(&rd, &m);
    rdb_pgrd_bytes(&rd, 8);
    rdb_pgrd_i32(&rd);
    ck_assert(rd.bad);
}
END_TEST

START_TEST(startup_params)
{
    char b[128];
    size_t n = put32(b, 196608);
    const char kv[] = "user\0alice\0database\0db\0\0";
    memcpy(b + n, kv, sizeof kv - 1);
    n += sizeof kv - 1;
    rdb_pgmsg_t m = { 0, b, (uint32_t)n };
    rdb_pgstartup_t su;
    rdb_err_t err = RDB_ERR_INIT;
    ck_assert_int_eq(rdb_pg_parse_startup(&m, &su, &err), RDB_OK);
    ck_assert_uint_eq(su.version, 196608);
    ck_assert_int_eq(su.nparams, 2);
    ck_assert_str_eq(su.names[0], "user");
    ck_assert_str_eq(su.values[0], "alice");
    ck_assert_str_eq(su.values[1], "db");
    /* missing final terminator / value without NUL */
    m.len = (uint32_t)n - 1;
    ck_assert_int_eq(rdb_pg_parse_startup(&m, &su, &err), RDB_PROTOCOL);
    ck_assert_str_eq(err.sqlstate, "08P01");
    rdb_err_clear(&err);
    m.len = 4 + 7; /* "user\0al" */
    ck_assert_int_eq(rdb_pg_parse_startup(&m, &su, &err), RDB_PROTOCOL);
    rdb_err_clear(&err);
}
END_TEST

START_TEST(error_response_fields)
{
    rdb_buf_t b = RDB_BUF_INIT;
    rdb_err_t e = RDB_ERR_INIT;
    rdb_err_set(&e, RDB_SQL, "42601", "syntax error");
    rdb_err_detail(&e, "d");
    rdb_err_hint(&e, "h");
    rdb_err_position(&e, 7);
    rdb_pgw_error(&b, 'E', &e);
    const char want[] = "E\0\0\0\0SERROR\0VERROR\0C42601\0Msyntax error\0Dd\0Hh\0P7\0";
    ck_assert_uint_eq(b.len, sizeof want);
    ck_assert_int_eq(b.data[4], (char)(sizeof want - 1));
    ck_assert(memcmp(b.data + 5, want + 5, sizeof want - 5) == 0);
    rdb_err_clear(&e);
    rdb_buf_free(&b);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("pgwire-proto");
    TCase *tc = tcase_create("proto");
    tcase_add_test(tc, frame_complete_and_partial);
    tcase_add_test(tc, frame_rejects_bad_lengths);
    tcase_add_test(tc, readers_stop_at_end);
    tcase_add_test(tc, startup_params);
    tcase_add_test(tc, error_response_fields);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
