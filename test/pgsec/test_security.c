/*
 * test_security.c — the client-security snapshot of src/pgwire/security.c:
 * initialising a new data directory's first superuser (and refusing to
 * without a password), the snapshot built from options, and the role lookup
 * order (the engine's role_lookup first, then the roles file).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/config.h"
#include "common/error.h"
#include "pgwire/auth.h"
#include "pgwire/pgwire.h"
#include "pgwire/security.h"

static char dir[64];
static rdb_config_t *cfg;

static const rdb_opt_def_t dir_opts[] = {
    { "data-dir", RDB_OPT_STRING, NULL, "data", "DIR", false },
    { NULL, 0, NULL, NULL, NULL, false },
};
static const rdb_opt_def_t *const tables[] = { dir_opts, rdb_pgwire_options, NULL };

static void set(const char *name, const char *value)
{
    rdb_err_t err = RDB_ERR_INIT;
    ck_assert_msg(rdb_config_set(cfg, name, value, &err) == RDB_OK, "%s", err.msg);
}

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/pgsec_security_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    unsetenv("RINGDB_PASSWORD");
    cfg = rdb_config_new(tables);
    set("data-dir", dir);
}

static void teardown(void)
{
    rdb_config_free(cfg);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    ck_assert_int_eq(system(cmd), 0);
}

static char *file_text(const char *name)
{
    char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    static char buf[4096];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = 0;
    fclose(f);
    return buf;
}

START_TEST(test_fresh_dir_needs_password)
{
    rdb_err_t err = RDB_ERR_INIT;
    /* the default method is scram-sha-256 */
    ck_assert_int_eq(rdb_pgsec_init_datadir(cfg, &err), RDB_INVALID);
    ck_assert_str_eq(err.sqlstate, "F0000");
    ck_assert_ptr_nonnull(strstr(err.msg, "--password-file"));
    ck_assert_ptr_nonnull(strstr(err.msg, "RINGDB_PASSWORD"));
    rdb_err_clear(&err);
    ck_assert_ptr_null(file_text("roles"));
    set("auth", "md5");
    ck_assert_int_eq(rdb_pgsec_init_datadir(cfg, &err), RDB_INVALID);
    rdb_err_clear(&err);
    set("auth", "reject");
    ck_assert_int_eq(rdb_pgsec_init_datadir(cfg, &err), RDB_INVALID);
    ck_assert_ptr_nonnull(strstr(err.msg, "invalid value for --auth"));
    rdb_err_clear(&err);
    /* trust: a superuser without password */
    set("auth", "trust");
    set("superuser", "root");
    ck_assert_int_eq(rdb_pgsec_init_datadir(cfg, &err), RDB_OK);
    ck_assert_str_eq(file_text("roles"), "ringdb-roles 1\nroot\t1\t1\t0\t\n");
}
END_TEST

START_TEST(test_password_from_env_then_kept)
{
    rdb_err_t err = RDB_ERR_INIT;
    setenv("RINGDB_PASSWORD", "first", 1);
    ck_assert_int_eq(rdb_pgsec_init_datadir(cfg, &err), RDB_OK);
    char *t = file_text("roles");
    ck_assert_ptr_nonnull(strstr(t, "postgres\t1\t1\t0\tSCRAM-SHA-256$4096:"));
    ck_assert_ptr_null(strstr(t, "first"));
    char before[4096];
    snprintf(before, sizeof before, "%s", t);
    /* initialised: a new password changes nothing */
    setenv("RINGDB_PASSWORD", "second", 1);
    ck_assert_int_eq(rdb_pgsec_init_datadir(cfg, &err), RDB_OK);
    ck_assert_str_eq(file_text("roles"), before);
    unsetenv("RINGDB_PASSWORD");

    rdb_pgsec_t *sec;
    ck_assert_int_eq(rdb_pgsec_build(cfg, &sec, &err), RDB_OK);
    ck_assert_int_eq(sec->method, RDB_AUTH_SCRAM);
    ck_assert_ptr_null(sec->tls);
    ck_assert_int_eq(rdb_hba_nrules(sec->hba), 2);
    ck_assert_int_eq(sec->fail_delay_ms, 1000);
    rdb_pgsec_lookup_ctx_t lc = { NULL, sec };
    rdb_role_info_t ri;
    ck_assert_int_eq(rdb_pgsec_lookup(&lc, "postgres", &ri, &err), RDB_OK);
    ck_assert(rdb_auth_check_password(ri.password, "postgres", "first"));
    ck_assert(!rdb_auth_check_password(ri.password, "postgres", "second"));
    free(ri.password);
    ck_assert_int_eq(rdb_pgsec_lookup(&lc, "nobody", &ri, &err), RDB_NOTFOUND);
    /* the secret is kept: a second snapshot has the same */
    rdb_pgsec_t *sec2;
    ck_assert_int_eq(rdb_pgsec_build(cfg, &sec2, &err), RDB_OK);
    ck_assert(memcmp(sec->secret, sec2->secret, sizeof sec->secret) == 0);
    rdb_pgsec_unref(sec2);
    rdb_pgsec_unref(rdb_pgsec_ref(sec)); /* a reference taken and dropped */
    ck_assert_int_eq(rdb_hba_nrules(sec->hba), 2);
    rdb_pgsec_unref(sec);
}
END_TEST

START_TEST(test_build_errors)
{
    rdb_err_t err = RDB_ERR_INIT;
    set("auth", "trust");
    ck_assert_int_eq(rdb_pgsec_init_datadir(cfg, &err), RDB_OK);
    rdb_pgsec_t *sec;
    set("ssl-cert", "/nonexistent.crt");
    ck_assert_int_eq(rdb_pgsec_build(cfg, &sec, &err), RDB_INVALID);
    ck_assert_ptr_nonnull(strstr(err.msg, "--ssl-key"));
    rdb_err_clear(&err);
    set("ssl-key", "/nonexistent.key");
    ck_assert_int_eq(rdb_pgsec_build(cfg, &sec, &err), RDB_INVALID);
    ck_assert_ptr_nonnull(strstr(err.msg, "/nonexistent.crt"));
    rdb_err_clear(&err);
    set("ssl-cert", "");
    set("ssl-key", "");
    char hba[128];
    snprintf(hba, sizeof hba, "%s/hba.conf", dir);
    FILE *f = fopen(hba, "w");
    fputs("local all all trust\nhost all all 10.0.0.0/8 reject\nhost all x all md6\n", f);
    fclose(f);
    set("hba-file", hba);
    ck_assert_int_eq(rdb_pgsec_build(cfg, &sec, &err), RDB_INVALID);
    ck_assert_ptr_nonnull(strstr(err.msg, "hba.conf:3"));
    rdb_err_clear(&err);
    f = fopen(hba, "w");
    fputs("local all all trust\nhost all all 10.0.0.0/8 reject\n", f);
    fclose(f);
    ck_assert_int_eq(rdb_pgsec_build(cfg, &sec, &err), RDB_OK);
    ck_assert_int_eq(rdb_hba_nrules(sec->hba), 2);
    rdb_pgsec_unref(sec);
}
END_TEST

/* ---- the lookup order, with a fake engine ---- */

static int engine_calls;

static rdb_status_t fake_lookup(rdb_engine_t *e, const char *user, rdb_role_info_t *out,
                                rdb_err_t *err)
{
    engine_calls++;
    memset(out, 0, sizeof *out);
    if (strcmp(user, "sqlrole") == 0) { /* CREATE ROLE sqlrole LOGIN PASSWORD 'sqlpw' */
        out->password = rdb_auth_make_verifier(RDB_AUTH_SCRAM, user, "sqlpw", 4096);
        out->can_login = true;
        return RDB_OK;
    }
    if (strcmp(user, "postgres") == 0) { /* the catalog's superuser, password in the file */
        out->can_login = true;
        out->superuser = false;
        return RDB_OK;
    }
    if (strcmp(user, "nopass") == 0) { /* CREATE ROLE nopass NOLOGIN */
        out->superuser = true;
        return RDB_OK;
    }
    if (strcmp(user, "shadow") == 0) { /* in both: the catalog's password wins */
        out->password = rdb_auth_make_verifier(RDB_AUTH_MD5, user, "catalog", 0);
        out->can_login = false;
        return RDB_OK;
    }
    if (strcmp(user, "broken") == 0)
        return rdb_err_set(err, RDB_IOERROR, "58030", "catalog read failed");
    return rdb_err_set(err, RDB_NOTFOUND, "42704", "role \"%s\" does not exist", user);
}

START_TEST(test_lookup_order)
{
    rdb_err_t err = RDB_ERR_INIT;
    setenv("RINGDB_PASSWORD", "filepw", 1);
    ck_assert_int_eq(rdb_pgsec_init_datadir(cfg, &err), RDB_OK);
    unsetenv("RINGDB_PASSWORD");
    FILE *f = fopen(strcat(strcpy((char[128]){ 0 }, dir), "/roles"), "a");
    fprintf(f, "fileonly\t1\t0\t0\tmd5%s\n", "00000000000000000000000000000000");
    fprintf(f, "shadow\t1\t1\t0\tplainfile\n");
    fclose(f);
    rdb_pgsec_t *sec;
    ck_assert_int_eq(rdb_pgsec_build(cfg, &sec, &err), RDB_OK);
    rdb_backend_t be = { 0 };
    be.role_lookup = fake_lookup;
    rdb_pgsec_lookup_ctx_t lc = { &be, sec };
    rdb_role_info_t ri;

    engine_calls = 0;
    ck_assert_int_eq(rdb_pgsec_lookup(&lc, "sqlrole", &ri, &err), RDB_OK);
    ck_assert_int_eq(engine_calls, 1);
    ck_assert(rdb_auth_check_password(ri.password, "sqlrole", "sqlpw"));
    ck_assert(ri.can_login && !ri.superuser);
    free(ri.password);

    /* catalog role without password, in the roles file: the file's entry */
    ck_assert_int_eq(rdb_pgsec_lookup(&lc, "postgres", &ri, &err), RDB_OK);
    ck_assert(rdb_auth_check_password(ri.password, "postgres", "filepw"));
    ck_assert(ri.superuser && ri.can_login);
    free(ri.password);
    /* catalog role without password, not in the file: the catalog's */
    ck_assert_int_eq(rdb_pgsec_lookup(&lc, "nopass", &ri, &err), RDB_OK);
    ck_assert_ptr_null(ri.password);
    ck_assert(ri.superuser && !ri.can_login);

    ck_assert_int_eq(rdb_pgsec_lookup(&lc, "shadow", &ri, &err), RDB_OK);
    ck_assert(rdb_auth_check_password(ri.password, "shadow", "catalog"));
    ck_assert(!ri.can_login);
    free(ri.password);

    /* unknown to the engine: the roles file */
    ck_assert_int_eq(rdb_pgsec_lookup(&lc, "fileonly", &ri, &err), RDB_OK);
    ck_assert_str_eq(ri.password, "md500000000000000000000000000000000");
    ck_assert(ri.can_login && !ri.superuser);
    free(ri.password);
    ck_assert_ptr_null(err.msg);

    ck_assert_int_eq(rdb_pgsec_lookup(&lc, "nobody", &ri, &err), RDB_NOTFOUND);
    ck_assert_ptr_null(ri.password);
    rdb_err_clear(&err);

    /* an engine failure is reported, not papered over by the file */
    ck_assert_int_eq(rdb_pgsec_lookup(&lc, "broken", &ri, &err), RDB_IOERROR);
    ck_assert_str_eq(err.sqlstate, "58030");
    rdb_err_clear(&err);

    /* an engine without role_lookup: the file alone */
    be.role_lookup = NULL;
    ck_assert_int_eq(rdb_pgsec_lookup(&lc, "postgres", &ri, &err), RDB_OK);
    ck_assert(rdb_auth_check_password(ri.password, "postgres", "filepw"));
    free(ri.password);
    ck_assert_int_eq(rdb_pgsec_lookup(&lc, "sqlrole", &ri, &err), RDB_NOTFOUND);
    rdb_err_clear(&err);
    rdb_pgsec_unref(sec);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("pgsec-security");
    TCase *tc = tcase_create("security");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_fresh_dir_needs_password);
    tcase_add_test(tc, test_password_from_env_then_kept);
    tcase_add_test(tc, test_build_errors);
    tcase_add_test(tc, test_lookup_order);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
