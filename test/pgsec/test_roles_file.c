/*
 * test_roles_file.c — the interim roles file: initialisation with the first
 * superuser, the initial password sources, lookups, updates and damaged files.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/error.h"
#include "pgwire/auth.h"
#include "pgwire/roles_file.h"

static char dir[64];

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/pgsec_roles_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    ck_assert_int_eq(system(cmd), 0);
}

static void write_text(const char *name, const char *text, size_t n)
{
    char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(fwrite(text, 1, n, f), n);
    fclose(f);
}

START_TEST(test_init_and_lookup)
{
    rdb_err_t err = RDB_ERR_INIT;
    ck_assert_int_eq(rdb_roles_file_init(dir, "postgres", "s3cret pw", &err), RDB_OK);
    char path[128];
    struct stat st;
    snprintf(path, sizeof path, "%s/roles", dir);
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_int_eq(st.st_mode & 0777, 0600);
    /* a second initialisation is refused */
    ck_assert_int_eq(rdb_roles_file_init(dir, "postgres", "x", &err), RDB_INVALID);
    ck_assert_str_eq(err.sqlstate, "42710");
    rdb_err_clear(&err);

    rdb_roles_file_t *rf;
    ck_assert_int_eq(rdb_roles_file_open(dir, &rf, &err), RDB_OK);
    ck_assert_int_eq(rdb_roles_file_count(rf), 1);
    rdb_role_info_t ri = { 0 };
    ck_assert_int_eq(rdb_roles_file_lookup(rf, "postgres", &ri, &err), RDB_OK);
    ck_assert(ri.can_login && ri.superuser);
    ck_assert(strncmp(ri.password, "SCRAM-SHA-256$4096:", 19) == 0);
    ck_assert(rdb_auth_check_password(ri.password, "postgres", "s3cret pw"));
    ck_assert(!rdb_auth_check_password(ri.password, "postgres", "s3cret"));
    free(ri.password);
    ck_assert_int_eq(rdb_roles_file_lookup(rf, "nobody", &ri, &err), RDB_NOTFOUND);
    rdb_roles_file_free(rf);

    /* add a role, change it, look it up after reopening */
    char *v = rdb_auth_make_verifier(RDB_AUTH_MD5, "bob", "builder", 0);
    ck_assert_int_eq(rdb_roles_file_set(dir, "bob", true, false, v, &err), RDB_OK);
    ck_assert_int_eq(rdb_roles_file_set(dir, "bob", false, false, v, &err), RDB_OK);
    free(v);
    ck_assert_int_eq(rdb_roles_file_set(dir, "bad\tname", true, false, NULL, &err), RDB_INVALID);
    rdb_err_clear(&err);
    ck_assert_int_eq(rdb_roles_file_open(dir, &rf, &err), RDB_OK);
    ck_assert_int_eq(rdb_roles_file_count(rf), 2);
    ck_assert_int_eq(rdb_roles_file_lookup(rf, "bob", &ri, &err), RDB_OK);
    ck_assert(!ri.can_login && !ri.superuser);
    ck_assert_str_eq(ri.password, "md58cc7ff7afbc8551bd526b65944c17b36");
    free(ri.password);
    ck_assert_int_eq(rdb_roles_file_lookup(rf, "postgres", &ri, &err), RDB_OK);
    ck_assert(rdb_auth_check_password(ri.password, "postgres", "s3cret pw"));
    free(ri.password);
    rdb_roles_file_free(rf);
}
END_TEST

START_TEST(test_no_password)
{
    rdb_err_t err = RDB_ERR_INIT;
    ck_assert_int_eq(rdb_roles_file_init(dir, "admin", NULL, &err), RDB_OK);
    rdb_roles_file_t *rf;
    ck_assert_int_eq(rdb_roles_file_open(dir, &rf, &err), RDB_OK);
    rdb_role_info_t ri = { 0 };
    ck_assert_int_eq(rdb_roles_file_lookup(rf, "admin", &ri, &err), RDB_OK);
    ck_assert_ptr_null(ri.password);
    rdb_roles_file_free(rf);
    ck_assert_int_eq(rdb_roles_file_init(dir, "", NULL, &err), RDB_INVALID);
    rdb_err_clear(&err);
}
END_TEST

START_TEST(test_initial_password)
{
    rdb_err_t err = RDB_ERR_INIT;
    char *pw, path[128];
    write_text("pw", "hunter2\nignored\n", 16);
    snprintf(path, sizeof path, "%s/pw", dir);
    setenv(RDB_ROLES_PASSWORD_ENV, "from-env", 1);
    ck_assert_int_eq(rdb_roles_initial_password(path, &pw, &err), RDB_OK);
    ck_assert_str_eq(pw, "hunter2");   /* the file wins over the environment */
    free(pw);
    ck_assert_int_eq(rdb_roles_initial_password(NULL, &pw, &err), RDB_OK);
    ck_assert_str_eq(pw, "from-env");
    free(pw);
    unsetenv(RDB_ROLES_PASSWORD_ENV);
    ck_assert_int_eq(rdb_roles_initial_password(NULL, &pw, &err), RDB_OK);
    ck_assert_ptr_null(pw);
    write_text("empty", "\n", 1);
    snprintf(path, sizeof path, "%s/empty", dir);
    ck_assert_int_eq(rdb_roles_initial_password(path, &pw, &err), RDB_INVALID);
    ck_assert(strstr(err.msg, "is empty") != NULL);
    rdb_err_clear(&err);
    snprintf(path, sizeof path, "%s/missing", dir);
    ck_assert_int_eq(rdb_roles_initial_password(path, &pw, &err), RDB_IOERROR);
    ck_assert(strstr(err.msg, "missing") != NULL);
    rdb_err_clear(&err);
}
END_TEST

START_TEST(test_damaged_file)
{
    static const struct { const char *text; size_t n; const char *msg; } cases[] = {
        { "", 0, ":1: not a ringdb roles file" },
        { "ringdb-roles 2\n", 15, ":1: not a ringdb roles file" },
        { "ringdb-roles 1\npostgres\t1\t1\t0\n", 30, ":2: malformed role entry" },
        { "ringdb-roles 1\npostgres\t2\t1\t0\t\n", 31, ":2: malformed role entry" },
        { "ringdb-roles 1\npostgres\t1\t1\tx\t\n", 31, ":2: malformed role entry" },
        { "ringdb-roles 1\npostgres\t1\t1\t0\ta\tb\n", 34, ":2: malformed role entry" },
        { "ringdb-roles 1\na\t1\t1\t0\t\na\t1\t1\t0\t\n", 33, ":3: duplicate role \"a\"" },
        { "ringdb-roles 1\na\t1\t1\t0\t\0\n", 25, ": file contains a NUL byte" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        write_text("roles", cases[i].text, cases[i].n);
        rdb_roles_file_t *rf = (rdb_roles_file_t *)1;
        rdb_err_t err = RDB_ERR_INIT;
        ck_assert_msg(rdb_roles_file_open(dir, &rf, &err) == RDB_CORRUPTION, "case %zu accepted", i);
        ck_assert_ptr_null(rf);
        ck_assert_str_eq(err.sqlstate, "XX001");
        ck_assert_msg(strstr(err.msg, cases[i].msg) != NULL, "case %zu: %s", i, err.msg);
        rdb_err_clear(&err);
    }
    char path[128];
    snprintf(path, sizeof path, "%s/roles", dir);
    unlink(path);
    rdb_roles_file_t *rf;
    rdb_err_t err = RDB_ERR_INIT;
    ck_assert_int_eq(rdb_roles_file_open(dir, &rf, &err), RDB_NOTFOUND);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("pgsec-roles");
    TCase *tc = tcase_create("roles");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_init_and_lookup);
    tcase_add_test(tc, test_no_password);
    tcase_add_test(tc, test_initial_password);
    tcase_add_test(tc, test_damaged_file);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
