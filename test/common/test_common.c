/*
 * test_common.c — unit tests for src/common/.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>

#include "common/arena.h"
#include "common/buf.h"
#include "common/coding.h"
#include "common/config.h"
#include "common/crc32c.h"
#include "common/error.h"
#include "common/hash.h"
#include "common/mem.h"

START_TEST(test_arena_alloc_reset)
{
    rdb_arena_t a;
    rdb_arena_init(&a, 1024);
    char *prev = NULL;
    for (int i = 0; i < 1000; i++) {
        char *p = rdb_arena_alloc(&a, (size_t)(i % 50) + 1);
        ck_assert_ptr_nonnull(p);
        ck_assert_int_eq((uintptr_t)p % 16, 0);
        memset(p, 0xab, (size_t)(i % 50) + 1);
        ck_assert(p != prev);
        prev = p;
    }
    char *big = rdb_arena_alloc(&a, 100000); /* own block */
    memset(big, 1, 100000);
    char *s = rdb_arena_sprintf(&a, "%s-%d", "row", 42);
    ck_assert_str_eq(s, "row-42");
    ck_assert_uint_gt(rdb_arena_memory_usage(&a), 100000);
    rdb_arena_set_budget(&a, 50000);
    ck_assert(rdb_arena_over_budget(&a));
    rdb_arena_reset(&a);
    ck_assert_uint_le(rdb_arena_memory_usage(&a), 1024 + 64);
    ck_assert(!rdb_arena_over_budget(&a));
    ck_assert_str_eq(rdb_arena_strdup(&a, "after reset"), "after reset");
    rdb_arena_destroy(&a);
}
END_TEST

START_TEST(test_buf_appends)
{
    rdb_buf_t b = RDB_BUF_INIT;
    rdb_buf_append_u8(&b, 'Q');
    rdb_buf_append_u32_be(&b, 0x01020304);
    rdb_buf_append_u64_be(&b, 0x0102030405060708ull);
    rdb_buf_append_u16_be(&b, 0xbeef);
    ck_assert_uint_eq(b.len, 15);
    ck_assert_uint_eq(rdb_get_u32_be(b.data + 1), 0x01020304);
    ck_assert_uint_eq(rdb_get_u64_be(b.data + 5), 0x0102030405060708ull);
    ck_assert_uint_eq(rdb_get_u16_be(b.data + 13), 0xbeef);
    rdb_buf_reset(&b);
    for (int i = 0; i < 1000; i++)
        rdb_buf_printf(&b, "%d,", i);
    ck_assert(strncmp(rdb_buf_cstr(&b), "0,1,2,", 6) == 0);
    ck_assert_ptr_nonnull(strstr(b.data, ",999,"));
    rdb_buf_consume(&b, 2);
    ck_assert(strncmp(b.data, "1,2,", 4) == 0);
    rdb_buf_free(&b);
}
END_TEST

START_TEST(test_varint_roundtrip_and_truncation)
{
    uint64_t vals[] = { 0, 1, 127, 128, 300, 16383, 16384, 1u << 31, UINT32_MAX,
                        1ull << 35, 1ull << 63, UINT64_MAX };
    for (size_t i = 0; i < RDB_ARRAY_LEN(vals); i++) {
        char buf[RDB_MAX_VARINT64_LEN];
        size_t n = rdb_encode_varint64(buf, vals[i]);
        ck_assert_uint_eq(n, rdb_varint_length(vals[i]));
        uint64_t got;
        ck_assert_ptr_eq(rdb_decode_varint64(buf, buf + n, &got), buf + n);
        ck_assert_uint_eq(got, vals[i]);
        /* every truncation is refused */
        for (size_t k = 0; k < n; k++)
            ck_assert_ptr_null(rdb_decode_varint64(buf, buf + k, &got));
        if (vals[i] <= UINT32_MAX) {
            uint32_t g32;
            ck_assert_ptr_eq(rdb_decode_varint32(buf, buf + n, &g32), buf + n);
            ck_assert_uint_eq(g32, vals[i]);
        }
    }
    /* overlong / overflowing input */
    char bad[11];
    memset(bad, 0xff, sizeof(bad));
    uint64_t v;
    ck_assert_ptr_null(rdb_decode_varint64(bad, bad + sizeof(bad), &v));
    uint32_t v32;
    char big[RDB_MAX_VARINT64_LEN];
    size_t n = rdb_encode_varint64(big, 1ull << 33);
    ck_assert_ptr_null(rdb_decode_varint32(big, big + n, &v32));
    /* length-prefixed */
    rdb_buf_t b = RDB_BUF_INIT;
    rdb_buf_append_lenprefixed(&b, "hello", 5);
    const char *d;
    uint32_t len;
    ck_assert_ptr_eq(rdb_decode_lenprefixed(b.data, b.data + b.len, &d, &len), b.data + b.len);
    ck_assert_uint_eq(len, 5);
    ck_assert(memcmp(d, "hello", 5) == 0);
    ck_assert_ptr_null(rdb_decode_lenprefixed(b.data, b.data + b.len - 1, &d, &len));
    rdb_buf_free(&b);
    ck_assert_int_eq(rdb_zigzag_decode(rdb_zigzag_encode(-12345)), -12345);
}
END_TEST

START_TEST(test_crc32c_vectors)
{
    /* RFC 3720 / iSCSI test vectors */
    ck_assert_uint_eq(rdb_crc32c("123456789", 9), 0xe3069283u);
    char zeros[32] = { 0 };
    ck_assert_uint_eq(rdb_crc32c(zeros, 32), 0x8a9136aau);
    char ones[32];
    memset(ones, 0xff, 32);
    ck_assert_uint_eq(rdb_crc32c(ones, 32), 0x62a8ab43u);
    /* hardware and software agree at every alignment and length */
    char data[1000];
    for (int i = 0; i < 1000; i++)
        data[i] = (char)(i * 7 + 3);
    for (int off = 0; off < 9; off++)
        for (int len = 0; len < 200; len += 13)
            ck_assert_uint_eq(rdb_crc32c(data + off, (size_t)len),
                              rdb_crc32c_extend_sw(0, data + off, (size_t)len));
    /* long inputs (the hardware path's three interleaved streams) too */
    char *big = rdb_malloc(20000);
    for (int i = 0; i < 20000; i++)
        big[i] = (char)(i * 131 + (i >> 8));
    for (int off = 0; off < 9; off += 3)
        for (int len = 700; len < 19000; len += 377)
            ck_assert_uint_eq(rdb_crc32c(big + off, (size_t)len),
                              rdb_crc32c_extend_sw(0, big + off, (size_t)len));
    free(big);
    /* extend is concatenation */
    ck_assert_uint_eq(rdb_crc32c_extend(rdb_crc32c(data, 100), data + 100, 900), rdb_crc32c(data, 1000));
    uint32_t c = rdb_crc32c("foo", 3);
    ck_assert_uint_ne(rdb_crc32c_mask(c), c);
    ck_assert_uint_eq(rdb_crc32c_unmask(rdb_crc32c_mask(c)), c);
}
END_TEST

START_TEST(test_hash_stable)
{
    /* Partition tokens are stored on disk: the hash must never change. */
    ck_assert_uint_eq(rdb_hash64("", 0, 0), 0x2d06800538d394c2ull);
    ck_assert_uint_ne(rdb_hash64("a", 1, 0), rdb_hash64("b", 1, 0));
    ck_assert_uint_ne(rdb_hash64("a", 1, 0), rdb_hash64("a", 1, 1));
    ck_assert_uint_ne(rdb_hash_u64(1), rdb_hash_u64(2));
}
END_TEST

START_TEST(test_error_keeps_first)
{
    rdb_err_t e = RDB_ERR_INIT;
    ck_assert(!rdb_err_is_set(&e));
    ck_assert_int_eq(rdb_err_set(&e, RDB_SQL, "42P01", "relation \"%s\" does not exist", "t"), RDB_SQL);
    rdb_err_set(&e, RDB_IOERROR, NULL, "second");
    ck_assert_str_eq(e.msg, "relation \"t\" does not exist");
    ck_assert_str_eq(e.sqlstate, "42P01");
    rdb_err_detail(&e, "key (%d)", 1);
    rdb_err_hint(&e, "hint");
    rdb_err_prefix(&e, "file %s", "x");
    ck_assert_str_eq(e.msg, "file x: relation \"t\" does not exist");
    ck_assert_str_eq(e.detail, "key (1)");
    rdb_err_t e2 = RDB_ERR_INIT;
    rdb_err_move(&e2, &e);
    ck_assert(!rdb_err_is_set(&e));
    ck_assert_str_eq(e2.sqlstate, "42P01");
    rdb_err_clear(&e2);
    rdb_err_set(&e2, RDB_CORRUPTION, NULL, "bad block");
    ck_assert_str_eq(e2.sqlstate, "XX001");
    rdb_err_clear(&e2);
    ck_assert_int_eq(rdb_err_set(NULL, RDB_INVALID, NULL, "dropped"), RDB_INVALID);
}
END_TEST

static const rdb_opt_def_t test_opts[] = {
    { "port", RDB_OPT_INT, "5432", "port", "PORT", false },
    { "data-dir", RDB_OPT_STRING, NULL, "dir", "DIR", false },
    { "cache-size", RDB_OPT_SIZE, "8MB", "cache", NULL, false },
    { "statement-timeout", RDB_OPT_DURATION, "0", "timeout", NULL, true },
    { "fsync", RDB_OPT_BOOL, "on", "fsync", NULL, true },
    { "trust", RDB_OPT_FLAG, NULL, "trust", NULL, false },
    { NULL, 0, NULL, NULL, NULL, false },
};

START_TEST(test_config_args_and_file)
{
    const rdb_opt_def_t *const tables[] = { test_opts, NULL };
    char path[] = "/tmp/rdb_cfg_XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    const char *text = "# comment\nport = 7000\ncache_size = '64MB'  # trailing\n"
                       "statement_timeout = 2s\nfsync off\n";
    ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);

    rdb_config_t *cfg = rdb_config_new(tables);
    ck_assert_int_eq(rdb_config_int(cfg, "port"), 5432);
    ck_assert_int_eq(rdb_config_size(cfg, "cache-size"), 8 << 20);
    ck_assert(!rdb_config_is_set(cfg, "data-dir"));
    char *argv[] = { "ringdb", "--port=6000", "--config", path, "--data-dir", "/x", "--trust", NULL };
    rdb_err_t e = RDB_ERR_INIT;
    ck_assert_int_eq(rdb_config_parse_args(cfg, 7, argv, &e), RDB_OK);
    ck_assert_int_eq(rdb_config_int(cfg, "port"), 6000); /* argv wins over file */
    ck_assert_int_eq(rdb_config_size(cfg, "cache_size"), 64 << 20);
    ck_assert_int_eq(rdb_config_ms(cfg, "statement-timeout"), 2000);
    ck_assert(!rdb_config_bool(cfg, "fsync"));
    ck_assert(rdb_config_bool(cfg, "trust"));
    ck_assert_str_eq(rdb_config_str(cfg, "data-dir"), "/x");
    rdb_config_free(cfg);

    /* bad values and unknown options are reported by name */
    cfg = rdb_config_new(tables);
    char *bad1[] = { "ringdb", "--port", "many", NULL };
    ck_assert_int_eq(rdb_config_parse_args(cfg, 3, bad1, &e), RDB_INVALID);
    ck_assert_ptr_nonnull(strstr(e.msg, "port"));
    rdb_err_clear(&e);
    char *bad2[] = { "ringdb", "--no-such-option", "1", NULL };
    ck_assert_int_eq(rdb_config_parse_args(cfg, 3, bad2, &e), RDB_INVALID);
    ck_assert_ptr_nonnull(strstr(e.msg, "no-such-option"));
    rdb_err_clear(&e);
    ck_assert_int_eq(rdb_config_set(cfg, "cache-size", "12 parsecs", &e), RDB_INVALID);
    rdb_err_clear(&e);
    rdb_config_free(cfg);

    fd = open(path, O_WRONLY | O_TRUNC);
    ck_assert_int_eq(write(fd, "bogus = 1\n", 10), 10);
    close(fd);
    cfg = rdb_config_new(tables);
    ck_assert_int_eq(rdb_config_load_file(cfg, path, &e), RDB_INVALID);
    ck_assert_ptr_nonnull(strstr(e.msg, "bogus"));
    rdb_err_clear(&e);
    rdb_config_free(cfg);
    unlink(path);
}
END_TEST

static Suite *common_suite(void)
{
    Suite *s = suite_create("common");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_arena_alloc_reset);
    tcase_add_test(tc, test_buf_appends);
    tcase_add_test(tc, test_varint_roundtrip_and_truncation);
    tcase_add_test(tc, test_crc32c_vectors);
    tcase_add_test(tc, test_hash_stable);
    tcase_add_test(tc, test_error_keeps_first);
    tcase_add_test(tc, test_config_args_and_file);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(common_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
