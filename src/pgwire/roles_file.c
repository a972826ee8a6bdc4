/*
 * roles_file.c — the interim roles file (see roles_file.h).
 */
#include "pgwire/roles_file.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/mem.h"
#include "pgwire/scram.h"

#define HEADER "ringdb-roles 1"
#define FILE_MAX (16u << 20)

typedef struct role {
    char   *name;
    bool    login, superuser;
    int64_t valid_until_ms;
    char   *verifier;   /* NULL = none */
} role_t;

struct rdb_roles_file {
    int     n;
    role_t *roles;
};

static rdb_status_t read_all(const char *path, rdb_buf_t *b, size_t max, rdb_err_t *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? RDB_NOTFOUND
                               : rdb_err_set(err, RDB_IOERROR, "58030", "could not open \"%s\": %s",
                                             path, strerror(errno));
    for (;;) {
        rdb_buf_reserve(b, 4096);
        ssize_t n = read(fd, b->data + b->len, b->cap - b->len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int e = errno;
            close(fd);
            return rdb_err_set(err, RDB_IOERROR, "58030", "could not read \"%s\": %s", path, strerror(e));
        }
        if (n == 0)
            break;
        b->len += (size_t)n;
        if (b->len > max) {
            close(fd);
            return rdb_err_set(err, RDB_INVALID, "54000", "file \"%s\" is too large", path);
        }
    }
    close(fd);
    return RDB_OK;
}

rdb_status_t rdb_roles_initial_password(const char *password_file, char **out, rdb_err_t *err)
{
    *out = NULL;
    if (password_file) {
        rdb_buf_t b = RDB_BUF_INIT;
        rdb_status_t st = read_all(password_file, &b, 4096, err);
        if (st == RDB_NOTFOUND)
            st = rdb_err_set(err, RDB_IOERROR, "58030", "could not open password file \"%s\": %s",
                             password_file, strerror(ENOENT));
        if (st != RDB_OK) {
            rdb_buf_free(&b);
            return st;
        }
        rdb_buf_cstr(&b);
        b.data[strcspn(b.data, "\r\n")] = '\0';  /* first line */
        if (b.data[0] == '\0' || strlen(b.data) != strcspn(b.data, "\r\n")) {
            rdb_buf_free(&b);
            return rdb_err_set(err, RDB_INVALID, "22023", "password file \"%s\" is empty",
                               password_file);
        }
        *out = rdb_strdup(b.data);
        memset(b.data, 0, b.len);
        rdb_buf_free(&b);
        return RDB_OK;
    }
    const char *env = getenv(RDB_ROLES_PASSWORD_ENV);
    if (env && env[0])
        *out = rdb_strdup(env);
    return RDB_OK;
}

static bool valid_name(const char *s)
{
    return s && s[0] && strpbrk(s, "\t\n\r") == NULL && strlen(s) < 64;
}

static void format_role(rdb_buf_t *b, const role_t *r)
{
    rdb_buf_printf(b, "%s\t%d\t%d\t%" PRId64 "\t%s\n", r->name, r->login, r->superuser,
                   r->valid_until_ms, r->verifier ? r->verifier : "");
}

static rdb_status_t write_file(const char *data_dir, const rdb_roles_file_t *rf, bool must_not_exist,
                               rdb_err_t *err)
{
    char path[4096], tmp[4096];
    snprintf(path, sizeof path, "%s/" RDB_ROLES_FILE_NAME, data_dir);
    snprintf(tmp, sizeof tmp, "%s/" RDB_ROLES_FILE_NAME ".tmp", data_dir);
    if (must_not_exist && access(path, F_OK) == 0)
        return rdb_err_set(err, RDB_INVALID, "42710", "roles file \"%s\" already exists", path);
    rdb_buf_t b = RDB_BUF_INIT;
    rdb_buf_append_str(&b, HEADER "\n");
    for (int i = 0; i < rf->n; i++)
        format_role(&b, &rf->roles[i]);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    rdb_status_t st = RDB_OK;
    if (fd < 0) {
        st = rdb_err_set(err, RDB_IOERROR, "58030", "could not create \"%s\": %s", tmp, strerror(errno));
    } else {
        size_t off = 0;
        while (off < b.len) {
            ssize_t n = write(fd, b.data + off, b.len - off);
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0) {
                st = rdb_err_set(err, RDB_IOERROR, "58030", "could not write \"%s\": %s", tmp,
                                 strerror(errno));
                break;
            }
            off += (size_t)n;
        }
        if (st == RDB_OK && fsync(fd) != 0)
            st = rdb_err_set(err, RDB_IOERROR, "58030", "could not fsync \"%s\": %s", tmp, strerror(errno));
        close(fd);
        if (st == RDB_OK && rename(tmp, path) != 0)
            st = rdb_err_set(err, RDB_IOERROR, "58030", "could not rename \"%s\": %s", tmp, strerror(errno));
        if (st != RDB_OK)
            unlink(tmp);
    }
    if (st == RDB_OK) {
        int dfd = open(data_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd >= 0) {
            (void)fsync(dfd);
            close(dfd);
        }
    }
    memset(b.data, 0, b.len);
    rdb_buf_free(&b);
    return st;
}

rdb_status_t rdb_roles_file_init(const char *data_dir, const char *superuser,
                                 const char *password, rdb_err_t *err)
{
    if (!valid_name(superuser))
        return rdb_err_set(err, RDB_INVALID, "42602", "invalid superuser name");
    role_t r = { .name = (char *)superuser, .login = true, .superuser = true };
    if (password && password[0]) {
        r.verifier = rdb_scram_make_verifier(password, RDB_SCRAM_ITERATIONS);
        if (!r.verifier)
            return rdb_err_set(err, RDB_IOERROR, "XX000", "could not compute password verifier");
    }
    rdb_roles_file_t rf = { .n = 1, .roles = &r };
    rdb_status_t st = write_file(data_dir, &rf, true, err);
    free(r.verifier);
    return st;
}

static bool parse_bool(const char *s, bool *out)
{
    if (strcmp(s, "0") == 0 || strcmp(s, "1") == 0) {
        *out = s[0] == '1';
        return true;
    }
    return false;
}

rdb_status_t rdb_roles_file_open(const char *data_dir, rdb_roles_file_t **out, rdb_err_t *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/" RDB_ROLES_FILE_NAME, data_dir);
    *out = NULL;
    rdb_buf_t b = RDB_BUF_INIT;
    rdb_status_t st = read_all(path, &b, FILE_MAX, err);
    if (st != RDB_OK) {
        rdb_buf_free(&b);
        return st;
    }
    rdb_buf_cstr(&b);
    if (memchr(b.data, '\0', b.len)) {
        rdb_buf_free(&b);
        return rdb_err_set(err, RDB_CORRUPTION, "XX001", "%s: file contains a NUL byte", path);
    }
    rdb_roles_file_t *rf = rdb_calloc(1, sizeof *rf);
    char *save = NULL, *line = strtok_r(b.data, "\n", &save);
    int lineno = 1;
    if (!line || strcmp(line, HEADER) != 0) {
        st = rdb_err_set(err, RDB_CORRUPTION, "XX001", "%s:1: not a ringdb roles file", path);
        goto done;
    }
    while ((line = strtok_r(NULL, "\n", &save)) != NULL) {
        lineno++;
        char *f[5];
        int nf = 0;
        char *p = line;
        while (nf < 5) {
            f[nf++] = p;
            char *tab = strchr(p, '\t');
            if (!tab || nf == 5)  /* the verifier keeps any further tab */
                break;
            *tab = '\0';
            p = tab + 1;
        }
        role_t r = { 0 };
        char *end;
        errno = 0;
        if (nf != 5 || strchr(f[4], '\t') || !valid_name(f[0]) || !parse_bool(f[1], &r.login) ||
            !parse_bool(f[2], &r.superuser) ||
            ((r.valid_until_ms = strtoll(f[3], &end, 10)), errno || *end || f[3][0] == '\0')) {
            st = rdb_err_set(err, RDB_CORRUPTION, "XX001", "%s:%d: malformed role entry", path, lineno);
            goto done;
        }
        for (int i = 0; i < rf->n; i++)
            if (strcmp(rf->roles[i].name, f[0]) == 0) {
                st = rdb_err_set(err, RDB_CORRUPTION, "XX001", "%s:%d: duplicate role \"%s\"", path,
                                 lineno, f[0]);
                goto done;
            }
        r.name = rdb_strdup(f[0]);
        r.verifier = f[4][0] ? rdb_strdup(f[4]) : NULL;
        rf->roles = rdb_realloc(rf->roles, sizeof *rf->roles * (size_t)(rf->n + 1));
        rf->roles[rf->n++] = r;
    }
done:
    memset(b.data, 0, b.len);
    rdb_buf_free(&b);
    if (st != RDB_OK) {
        rdb_roles_file_free(rf);
        return st;
    }
    *out = rf;
    return RDB_OK;
}

void rdb_roles_file_free(rdb_roles_file_t *rf)
{
    if (!rf)
        return;
    for (int i = 0; i < rf->n; i++) {
        free(rf->roles[i].name);
        if (rf->roles[i].verifier) {
            memset(rf->roles[i].verifier, 0, strlen(rf->roles[i].verifier));
            free(rf->roles[i].verifier);
        }
    }
    free(rf->roles);
    free(rf);
}

int rdb_roles_file_count(const rdb_roles_file_t *rf) { return rf->n; }

rdb_status_t rdb_roles_file_lookup(void *ctx, const char *user, rdb_role_info_t *out,
                                   rdb_err_t *err)
{
    const rdb_roles_file_t *rf = ctx;
    for (int i = 0; i < rf->n; i++)
        if (strcmp(rf->roles[i].name, user) == 0) {
            out->password = rf->roles[i].verifier ? rdb_strdup(rf->roles[i].verifier) : NULL;
            out->can_login = rf->roles[i].login;
            out->superuser = rf->roles[i].superuser;
            out->valid_until_ms = rf->roles[i].valid_until_ms;
            return RDB_OK;
        }
    return RDB_NOTFOUND;
}

rdb_status_t rdb_roles_file_set(const char *data_dir, const char *name, bool login,
                                bool superuser, const char *verifier, rdb_err_t *err)
{
    if (!valid_name(name))
        return rdb_err_set(err, RDB_INVALID, "42602", "invalid role name");
    if (verifier && strpbrk(verifier, "\t\n\r"))
        return rdb_err_set(err, RDB_INVALID, "22023", "invalid password verifier");
    rdb_roles_file_t *rf = NULL;
    rdb_status_t st = rdb_roles_file_open(data_dir, &rf, err);
    if (st == RDB_NOTFOUND) {
        rf = rdb_calloc(1, sizeof *rf);
        st = RDB_OK;
    }
    if (st != RDB_OK)
        return st;
    int i;
    for (i = 0; i < rf->n; i++)
        if (strcmp(rf->roles[i].name, name) == 0)
            break;
    if (i == rf->n) {
        rf->roles = rdb_realloc(rf->roles, sizeof *rf->roles * (size_t)(rf->n + 1));
        rf->roles[rf->n++] = (role_t){ .name = rdb_strdup(name) };
    }
    role_t *r = &rf->roles[i];
    r->login = login;
    r->superuser = superuser;
    free(r->verifier);
    r->verifier = verifier && verifier[0] ? rdb_strdup(verifier) : NULL;
    st = write_file(data_dir, rf, false, err);
    rdb_roles_file_free(rf);
    return st;
}
