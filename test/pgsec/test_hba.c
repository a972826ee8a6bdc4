/*
 * test_hba.c — hba rules: parsing, first-match-wins matching, CIDR v4/v6,
 * hostssl/hostnossl, and parse errors with line numbers.
 */
#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/error.h"
#include "pgwire/hba.h"

static const char rules[] =
    "# comment line\n"
    "\n"
    "local   all        postgres                 trust\n"
    "local   all        all                      scram-sha-256   # trailing comment\n"
    "hostssl all        alice    0.0.0.0/0       password\n"
    "hostnossl app,\"all\" bob   10.1.0.0/16     md5\n"
    "host    all        bob      10.0.0.0 255.0.0.0 reject\n"
    "host    all        all      192.168.1.7/32  trust\n"
    "host    all        all      ::1/128         md5\r\n"
    "host    all        all      fe80::/10       reject\n"
    "host    all        all      all             scram-sha-256\n";

static struct sockaddr_storage v4(const char *ip)
{
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    struct sockaddr_in *s = (struct sockaddr_in *)&ss;
    s->sin_family = AF_INET;
    ck_assert_int_eq(inet_pton(AF_INET, ip, &s->sin_addr), 1);
    return ss;
}

static struct sockaddr_storage v6(const char *ip)
{
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    struct sockaddr_in6 *s = (struct sockaddr_in6 *)&ss;
    s->sin6_family = AF_INET6;
    ck_assert_int_eq(inet_pton(AF_INET6, ip, &s->sin6_addr), 1);
    return ss;
}

static int match(const rdb_hba_t *h, bool local, struct sockaddr_storage *ss, bool tls,
                 const char *db, const char *user, rdb_auth_method_t *m)
{
    rdb_err_t err = RDB_ERR_INIT;
    rdb_hba_client_t c = { .local = local, .addr = (struct sockaddr *)ss, .tls = tls,
                           .database = db, .user = user };
    int line = -1;
    rdb_status_t st = rdb_hba_match(h, &c, m, &line, &err);
    if (st != RDB_OK) {
        ck_assert_str_eq(err.sqlstate, "28000");
        ck_assert(strstr(err.msg, "no pg_hba.conf entry") != NULL);
        rdb_err_clear(&err);
        return 0;
    }
    return line;
}

START_TEST(test_hba_match)
{
    rdb_hba_t *h;
    rdb_err_t err = RDB_ERR_INIT;
    ck_assert_int_eq(rdb_hba_parse(rules, strlen(rules), "pg_hba.conf", &h, &err), RDB_OK);
    ck_assert_int_eq(rdb_hba_nrules(h), 9);
    rdb_auth_method_t m;
    struct sockaddr_storage a;

    ck_assert_int_eq(match(h, true, NULL, false, "x", "postgres", &m), 3);
    ck_assert_int_eq(m, RDB_AUTH_TRUST);
    ck_assert_int_eq(match(h, true, NULL, false, "x", "alice", &m), 4);
    ck_assert_int_eq(m, RDB_AUTH_SCRAM);

    a = v4("8.8.8.8");
    ck_assert_int_eq(match(h, false, &a, true, "db", "alice", &m), 5);    /* hostssl */
    ck_assert_int_eq(m, RDB_AUTH_PASSWORD);
    ck_assert_int_eq(match(h, false, &a, false, "db", "alice", &m), 11);  /* not ssl */
    ck_assert_int_eq(m, RDB_AUTH_SCRAM);

    a = v4("10.1.2.3");
    ck_assert_int_eq(match(h, false, &a, false, "app", "bob", &m), 6);
    ck_assert_int_eq(m, RDB_AUTH_MD5);
    ck_assert_int_eq(match(h, false, &a, false, "all", "bob", &m), 6);   /* quoted "all" is a name */
    ck_assert_int_eq(match(h, false, &a, false, "other", "bob", &m), 7); /* netmask rule */
    ck_assert_int_eq(m, RDB_AUTH_REJECT);
    ck_assert_int_eq(match(h, false, &a, true, "app", "bob", &m), 7);    /* hostnossl skipped */
    a = v4("11.1.2.3");
    ck_assert_int_eq(match(h, false, &a, false, "app", "bob", &m), 11);

    a = v4("192.168.1.7");
    ck_assert_int_eq(match(h, false, &a, false, "d", "u", &m), 8);
    a = v4("192.168.1.8");
    ck_assert_int_eq(match(h, false, &a, false, "d", "u", &m), 11);
    a = v6("::ffff:192.168.1.7");                                         /* v4-mapped */
    ck_assert_int_eq(match(h, false, &a, false, "d", "u", &m), 8);

    a = v6("::1");
    ck_assert_int_eq(match(h, false, &a, false, "d", "u", &m), 9);
    ck_assert_int_eq(m, RDB_AUTH_MD5);
    a = v6("fe80::1234");
    ck_assert_int_eq(match(h, false, &a, false, "d", "u", &m), 10);
    a = v6("fec0::1");
    ck_assert_int_eq(match(h, false, &a, false, "d", "u", &m), 11);
    rdb_hba_free(h);

    /* No match: 28000 naming host, user, database */
    const char *only = "hostssl all all 127.0.0.1/32 trust\n";
    ck_assert_int_eq(rdb_hba_parse(only, strlen(only), "x", &h, &err), RDB_OK);
    a = v4("127.0.0.1");
    ck_assert_int_eq(match(h, false, &a, false, "d", "u", &m), 0);
    ck_assert_int_eq(match(h, true, NULL, false, "d", "u", &m), 0);
    ck_assert_int_eq(match(h, false, &a, true, "d", "u", &m), 1);
    rdb_hba_client_t c = { .addr = (struct sockaddr *)&a, .database = "d", .user = "u" };
    ck_assert_int_eq(rdb_hba_match(h, &c, &m, NULL, &err), RDB_NOTFOUND);
    ck_assert_str_eq(err.msg, "no pg_hba.conf entry for host \"127.0.0.1\", user \"u\", "
                              "database \"d\", no encryption");
    rdb_err_clear(&err);
    rdb_hba_free(h);

    /* default rules */
    h = rdb_hba_default(RDB_AUTH_MD5);
    ck_assert_int_eq(rdb_hba_nrules(h), 2);
    ck_assert_int_eq(match(h, true, NULL, false, "d", "u", &m), 1);
    ck_assert_int_eq(match(h, false, &a, true, "d", "u", &m), 2);
    ck_assert_int_eq(m, RDB_AUTH_MD5);
    rdb_hba_free(h);

    /* empty file: nothing matches */
    ck_assert_int_eq(rdb_hba_parse("", 0, "x", &h, &err), RDB_OK);
    ck_assert_int_eq(match(h, true, NULL, false, "d", "u", &m), 0);
    rdb_hba_free(h);
}
END_TEST

START_TEST(test_hba_errors)
{
    static const struct { const char *text, *msg; } cases[] = {
        { "local all all trust\nhots all all all md5\n", "f:2: invalid connection type \"hots\"" },
        { "host all all 10.0.0.0/33 md5\n", "f:1: invalid CIDR mask in address \"10.0.0.0/33\"" },
        { "host all all ::/129 md5\n", "f:1: invalid CIDR mask in address \"::/129\"" },
        { "host all all 10.0.0.0/ md5\n", "f:1: invalid CIDR mask in address \"10.0.0.0/\"" },
        { "host all all 10.0.0.0/8x md5\n", "f:1: invalid CIDR mask in address \"10.0.0.0/8x\"" },
        { "\n\n\nhost all all example.com md5\n", "f:4: invalid IP address \"example.com\" (host names, samehost and samenet are not supported)" },
        { "host all all 10.0.0.0 md5\n", "f:1: specify an address range in CIDR notation, or provide a separate netmask" },
        { "host all all 10.0.0.0 ffff:: md5\n", "f:1: IP address and mask do not match" },
        { "local all all ident\n", "f:1: invalid authentication method \"ident\"" },
        { "local all all\n", "f:1: end-of-line before authentication method" },
        { "local all\n", "f:1: end-of-line before role specification" },
        { "host\n", "f:1: end-of-line before database specification" },
        { "host all all 10.0.0.0/8\n", "f:1: end-of-line before authentication method" },
        { "local all all md5 clientcert=verify-ca\n", "f:1: unsupported authentication option \"clientcert=verify-ca\"" },
        { "local \"all all md5\n", "f:1: unterminated quoted string" },
        { "local +grp all md5\n", "f:1: database \"+grp\": group (+) and file (@) references are not supported" },
        { "local all a,,b md5\n", "f:1: empty role name" },
        { "host,local all all md5\n", "f:1: unexpected comma in field 1" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        rdb_hba_t *h = (rdb_hba_t *)1;
        rdb_err_t err = RDB_ERR_INIT;
        ck_assert_int_eq(rdb_hba_parse(cases[i].text, strlen(cases[i].text), "f", &h, &err), RDB_INVALID);
        ck_assert_ptr_null(h);
        ck_assert_str_eq(err.sqlstate, "F0000");
        ck_assert_str_eq(err.msg, cases[i].msg);
        rdb_err_clear(&err);
    }
    rdb_hba_t *h;
    rdb_err_t err = RDB_ERR_INIT;
    ck_assert_int_eq(rdb_hba_parse("local all all md5\0", 18, "f", &h, &err), RDB_INVALID);
    rdb_err_clear(&err);
}
END_TEST

START_TEST(test_hba_load)
{
    char path[] = "/tmp/pgsec_hba_XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    const char *t = "local all all trust\n";
    ck_assert_int_eq(write(fd, t, strlen(t)), (ssize_t)strlen(t));
    close(fd);
    rdb_hba_t *h;
    rdb_err_t err = RDB_ERR_INIT;
    ck_assert_int_eq(rdb_hba_load(path, &h, &err), RDB_OK);
    ck_assert_int_eq(rdb_hba_nrules(h), 1);
    rdb_hba_free(h);
    unlink(path);
    ck_assert_int_eq(rdb_hba_load(path, &h, &err), RDB_IOERROR);
    ck_assert(strstr(err.msg, path) != NULL);
    rdb_err_clear(&err);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("pgsec-hba");
    TCase *tc = tcase_create("hba");
    tcase_add_test(tc, test_hba_match);
    tcase_add_test(tc, test_hba_errors);
    tcase_add_test(tc, test_hba_load);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
