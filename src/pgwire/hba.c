/*
 * hba.c — pg_hba.conf-style rules: parser and matcher (see hba.h).
 */
#include "pgwire/hba.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/mem.h"

#define HBA_FILE_MAX (1u << 20)

typedef enum { CT_LOCAL, CT_HOST, CT_HOSTSSL, CT_HOSTNOSSL } conntype_t;

typedef struct namelist {
    bool    all;
    int     n;
    char  **names;
} namelist_t;

typedef struct rule {
    conntype_t        type;
    namelist_t        dbs, users;
    bool              any_addr;
    int               family;        /* AF_INET / AF_INET6 */
    unsigned char     addr[16], mask[16];
    rdb_auth_method_t method;
    int               line;
} rule_t;

struct rdb_hba {
    int     n, cap;
    rule_t *rules;
};

/* ---- tokens --------------------------------------------------------- */

typedef struct token {
    char *text;      /* with quotes removed */
    bool  quoted;    /* some part was quoted */
} token_t;

typedef struct field {
    int      n;
    token_t *items;  /* comma-separated items of the field */
} field_t;

static void field_free(field_t *f)
{
    for (int i = 0; i < f->n; i++)
        free(f->items[i].text);
    free(f->items);
    f->n = 0;
    f->items = NULL;
}

/* Split one line into fields; each field into comma-separated items. */
static rdb_status_t split_line(const char *p, const char *end, const char *name, int lineno,
                               field_t **out, int *nout, rdb_err_t *err)
{
    field_t *fields = NULL;
    int nf = 0;
    while (p < end) {
        while (p < end && (*p == ' ' || *p == '\t' || *p == '\r'))
            p++;
        if (p >= end || *p == '#')
            break;
        fields = rdb_realloc(fields, sizeof *fields * (size_t)(nf + 1));
        field_t *f = &fields[nf++];
        f->n = 0;
        f->items = NULL;
        for (;;) {
            rdb_buf_t b = RDB_BUF_INIT;
            bool quoted = false;
            while (p < end && *p != ' ' && *p != '\t' && *p != '\r' && *p != ',' && *p != '#') {
                if (*p == '"') {
                    quoted = true;
                    p++;
                    while (p < end && *p != '"')
                        rdb_buf_append_u8(&b, (uint8_t)*p++);
                    if (p >= end) {
                        rdb_buf_free(&b);
                        *out = fields;
                        *nout = nf;
                        return rdb_err_set(err, RDB_INVALID, "F0000",
                                           "%s:%d: unterminated quoted string", name, lineno);
                    }
                    p++;
                } else {
                    rdb_buf_append_u8(&b, (uint8_t)*p++);
                }
            }
            f->items = rdb_realloc(f->items, sizeof *f->items * (size_t)(f->n + 1));
            f->items[f->n].quoted = quoted;
            rdb_buf_cstr(&b);
            f->items[f->n].text = b.data ? rdb_buf_detach(&b, NULL) : rdb_strdup("");
            f->n++;
            if (p < end && *p == ',') {
                p++;
                continue;
            }
            break;
        }
    }
    *out = fields;
    *nout = nf;
    return RDB_OK;
}

/* ---- fields --------------------------------------------------------- */

static rdb_status_t parse_names(const field_t *f, const char *what, const char *name, int lineno,
                                namelist_t *nl, rdb_err_t *err)
{
    nl->all = false;
    nl->n = 0;
    nl->names = rdb_calloc((size_t)f->n, sizeof *nl->names);
    for (int i = 0; i < f->n; i++) {
        const token_t *t = &f->items[i];
        if (t->text[0] == '\0')
            return rdb_err_set(err, RDB_INVALID, "F0000", "%s:%d: empty %s name", name, lineno, what);
        if (!t->quoted && strcmp(t->text, "all") == 0) {
            nl->all = true;
            continue;
        }
        if (!t->quoted && (t->text[0] == '+' || t->text[0] == '@'))
            return rdb_err_set(err, RDB_INVALID, "F0000",
                               "%s:%d: %s \"%s\": group (+) and file (@) references are not supported",
                               name, lineno, what, t->text);
        nl->names[nl->n++] = rdb_strdup(t->text);
    }
    return RDB_OK;
}

static bool names_match(const namelist_t *nl, const char *s)
{
    if (nl->all)
        return true;
    for (int i = 0; i < nl->n; i++)
        if (strcmp(nl->names[i], s) == 0)
            return true;
    return false;
}

static void prefix_mask(unsigned char *mask, int bytes, int bits)
{
    memset(mask, 0, 16);
    for (int i = 0; i < bytes; i++) {
        int b = bits - 8 * i;
        mask[i] = b >= 8 ? 0xff : b <= 0 ? 0 : (unsigned char)(0xff << (8 - b));
    }
}

static bool parse_ip(const char *s, int *family, unsigned char addr[16])
{
    memset(addr, 0, 16);
    if (inet_pton(AF_INET, s, addr) == 1) {
        *family = AF_INET;
        return true;
    }
    if (inet_pton(AF_INET6, s, addr) == 1) {
        *family = AF_INET6;
        return true;
    }
    return false;
}

/* Address field (+ an optional netmask field); *used says how many fields. */
static rdb_status_t parse_address(rule_t *r, const field_t *f, const field_t *next,
                                  const char *name, int lineno, int *used, rdb_err_t *err)
{
    *used = 1;
    if (f->n != 1)
        return rdb_err_set(err, RDB_INVALID, "F0000", "%s:%d: multiple values in IP address field",
                           name, lineno);
    const char *s = f->items[0].text;
    if (strcmp(s, "all") == 0) {
        r->any_addr = true;
        return RDB_OK;
    }
    char ip[64];
    const char *slash = strchr(s, '/');
    size_t iplen = slash ? (size_t)(slash - s) : strlen(s);
    if (iplen >= sizeof ip)
        return rdb_err_set(err, RDB_INVALID, "F0000", "%s:%d: invalid IP address \"%s\"", name, lineno, s);
    memcpy(ip, s, iplen);
    ip[iplen] = 0;
    if (!parse_ip(ip, &r->family, r->addr))
        return rdb_err_set(err, RDB_INVALID, "F0000",
                           "%s:%d: invalid IP address \"%s\" (host names, samehost and samenet "
                           "are not supported)", name, lineno, s);
    int bytes = r->family == AF_INET ? 4 : 16;
    if (slash) {
        char *e;
        errno = 0;
        long bits = strtol(slash + 1, &e, 10);
        if (slash[1] == '\0' || *e || errno || bits < 0 || bits > bytes * 8)
            return rdb_err_set(err, RDB_INVALID, "F0000", "%s:%d: invalid CIDR mask in address \"%s\"",
                               name, lineno, s);
        prefix_mask(r->mask, bytes, (int)bits);
    } else {
        /* a separate netmask field, as in "host all all 10.0.0.0 255.0.0.0 md5" */
        int mfam;
        if (!next || next->n != 1 || !parse_ip(next->items[0].text, &mfam, r->mask))
            return rdb_err_set(err, RDB_INVALID, "F0000",
                               "%s:%d: specify an address range in CIDR notation, or provide a "
                               "separate netmask", name, lineno);
        if (mfam != r->family)
            return rdb_err_set(err, RDB_INVALID, "F0000",
                               "%s:%d: IP address and mask do not match", name, lineno);
        *used = 2;
    }
    for (int i = 0; i < bytes; i++)
        r->addr[i] &= r->mask[i];
    return RDB_OK;
}

static void rule_free(rule_t *r)
{
    for (int i = 0; i < r->dbs.n; i++)
        free(r->dbs.names[i]);
    for (int i = 0; i < r->users.n; i++)
        free(r->users.names[i]);
    free(r->dbs.names);
    free(r->users.names);
}

static rdb_status_t parse_rule(field_t *f, int nf, const char *name, int lineno, rule_t *r,
                               rdb_err_t *err)
{
    memset(r, 0, sizeof *r);
    r->line = lineno;
    for (int i = 0; i < nf; i++)
        if (f[i].n != 1 && i != 1 && i != 2)
            return rdb_err_set(err, RDB_INVALID, "F0000", "%s:%d: unexpected comma in field %d",
                               name, lineno, i + 1);
    const char *type = f[0].items[0].text;
    if (strcmp(type, "local") == 0) r->type = CT_LOCAL;
    else if (strcmp(type, "host") == 0) r->type = CT_HOST;
    else if (strcmp(type, "hostssl") == 0) r->type = CT_HOSTSSL;
    else if (strcmp(type, "hostnossl") == 0) r->type = CT_HOSTNOSSL;
    else
        return rdb_err_set(err, RDB_INVALID, "F0000", "%s:%d: invalid connection type \"%s\"",
                           name, lineno, type);
    int need = r->type == CT_LOCAL ? 4 : 5;
    if (nf < need)
        return rdb_err_set(err, RDB_INVALID, "F0000", "%s:%d: end-of-line before %s", name, lineno,
                           nf < 2 ? "database specification" : nf < 3 ? "role specification"
                           : r->type != CT_LOCAL && nf < 4 ? "IP address specification"
                           : "authentication method");
    if (parse_names(&f[1], "database", name, lineno, &r->dbs, err) != RDB_OK ||
        parse_names(&f[2], "role", name, lineno, &r->users, err) != RDB_OK)
        return RDB_INVALID;
    int at = 3;
    if (r->type != CT_LOCAL) {
        int used;
        if (parse_address(r, &f[3], nf > 4 ? &f[4] : NULL, name, lineno, &used, err) != RDB_OK)
            return RDB_INVALID;
        at += used;
    }
    if (at >= nf)
        return rdb_err_set(err, RDB_INVALID, "F0000", "%s:%d: end-of-line before authentication method",
                           name, lineno);
    const char *m = f[at].items[0].text;
    if (!rdb_auth_method_parse(m, &r->method))
        return rdb_err_set(err, RDB_INVALID, "F0000", "%s:%d: invalid authentication method \"%s\"",
                           name, lineno, m);
    if (at + 1 < nf)
        return rdb_err_set(err, RDB_INVALID, "F0000",
                           "%s:%d: unsupported authentication option \"%s\"", name, lineno,
                           f[at + 1].items[0].text);
    return RDB_OK;
}

/* ---- public --------------------------------------------------------- */

rdb_status_t rdb_hba_parse(const char *text, size_t len, const char *name,
                           rdb_hba_t **out, rdb_err_t *err)
{
    rdb_hba_t *h = rdb_calloc(1, sizeof *h);
    const char *p = text, *end = text + len;
    int lineno = 0;
    *out = NULL;
    if (memchr(text, '\0', len)) {
        rdb_hba_free(h);
        return rdb_err_set(err, RDB_INVALID, "F0000", "%s: file contains a NUL byte", name);
    }
    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol)
            eol = end;
        lineno++;
        field_t *f;
        int nf;
        rdb_status_t st = split_line(p, eol, name, lineno, &f, &nf, err);
        if (st == RDB_OK && nf > 0) {
            rule_t r;
            st = parse_rule(f, nf, name, lineno, &r, err);
            if (st == RDB_OK) {
                if (h->n == h->cap) {
                    h->cap = h->cap ? 2 * h->cap : 8;
                    h->rules = rdb_realloc(h->rules, sizeof *h->rules * (size_t)h->cap);
                }
                h->rules[h->n++] = r;
            } else {
                rule_free(&r);
            }
        }
        for (int i = 0; i < nf; i++)
            field_free(&f[i]);
        free(f);
        if (st != RDB_OK) {
            rdb_hba_free(h);
            return st;
        }
        p = eol < end ? eol + 1 : end;
    }
    *out = h;
    return RDB_OK;
}

rdb_status_t rdb_hba_load(const char *path, rdb_hba_t **out, rdb_err_t *err)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return rdb_err_set(err, RDB_IOERROR, "58030", "could not open hba file \"%s\": %s", path,
                           strerror(errno));
    rdb_buf_t b = RDB_BUF_INIT;
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0) {
        rdb_buf_append(&b, chunk, n);
        if (b.len > HBA_FILE_MAX) {
            fclose(fp);
            rdb_buf_free(&b);
            return rdb_err_set(err, RDB_INVALID, "F0000", "hba file \"%s\" is too large", path);
        }
    }
    bool bad = ferror(fp);
    fclose(fp);
    if (bad) {
        rdb_buf_free(&b);
        return rdb_err_set(err, RDB_IOERROR, "58030", "could not read hba file \"%s\"", path);
    }
    rdb_status_t st = rdb_hba_parse(b.data ? b.data : "", b.len, path, out, err);
    rdb_buf_free(&b);
    return st;
}

rdb_hba_t *rdb_hba_default(rdb_auth_method_t m)
{
    char text[128];
    rdb_hba_t *h = NULL;
    rdb_err_t err = RDB_ERR_INIT;
    snprintf(text, sizeof text, "local all all %s\nhost all all all %s\n",
             rdb_auth_method_name(m), rdb_auth_method_name(m));
    rdb_status_t st = rdb_hba_parse(text, strlen(text), "default", &h, &err);
    (void)st;
    rdb_err_clear(&err);
    return h;
}

void rdb_hba_free(rdb_hba_t *h)
{
    if (!h)
        return;
    for (int i = 0; i < h->n; i++)
        rule_free(&h->rules[i]);
    free(h->rules);
    free(h);
}

int rdb_hba_nrules(const rdb_hba_t *h) { return h->n; }

static bool addr_match(const rule_t *r, const struct sockaddr *sa)
{
    if (r->any_addr)
        return true;
    const unsigned char *a;
    int fam;
    if (sa->sa_family == AF_INET) {
        a = (const unsigned char *)&((const struct sockaddr_in *)sa)->sin_addr;
        fam = AF_INET;
    } else if (sa->sa_family == AF_INET6) {
        const struct in6_addr *a6 = &((const struct sockaddr_in6 *)sa)->sin6_addr;
        a = (const unsigned char *)a6;
        fam = AF_INET6;
        if (r->family == AF_INET && IN6_IS_ADDR_V4MAPPED(a6)) {
            a += 12;
            fam = AF_INET;
        }
    } else {
        return false;
    }
    if (fam != r->family)
        return false;
    int bytes = fam == AF_INET ? 4 : 16;
    for (int i = 0; i < bytes; i++)
        if ((a[i] & r->mask[i]) != r->addr[i])
            return false;
    return true;
}

rdb_status_t rdb_hba_match(const rdb_hba_t *h, const rdb_hba_client_t *c,
                           rdb_auth_method_t *method, int *line, rdb_err_t *err)
{
    for (int i = 0; i < h->n; i++) {
        const rule_t *r = &h->rules[i];
        if (c->local != (r->type == CT_LOCAL))
            continue;
        if ((r->type == CT_HOSTSSL && !c->tls) || (r->type == CT_HOSTNOSSL && c->tls))
            continue;
        if (!c->local && (!c->addr || !addr_match(r, c->addr)))
            continue;
        if (!names_match(&r->dbs, c->database) || !names_match(&r->users, c->user))
            continue;
        *method = r->method;
        if (line)
            *line = r->line;
        return RDB_OK;
    }
    char host[INET6_ADDRSTRLEN] = "[local]";
    if (!c->local && c->addr) {
        if (c->addr->sa_family == AF_INET)
            inet_ntop(AF_INET, &((const struct sockaddr_in *)c->addr)->sin_addr, host, sizeof host);
        else if (c->addr->sa_family == AF_INET6)
            inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)c->addr)->sin6_addr, host, sizeof host);
    }
    if (c->local)
        rdb_err_set(err, RDB_NOTFOUND, "28000",
                    "no pg_hba.conf entry for host \"[local]\", user \"%s\", database \"%s\"",
                    c->user, c->database);
    else
        rdb_err_set(err, RDB_NOTFOUND, "28000",
                    "no pg_hba.conf entry for host \"%s\", user \"%s\", database \"%s\", %s",
                    host, c->user, c->database, c->tls ? "SSL encryption" : "no encryption");
    return RDB_NOTFOUND;
}
