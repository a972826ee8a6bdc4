/*
 * config.c — option tables, getopt_long parsing and the config file.
 *
 * Every option has a slot holding its current string value and its parsed
 * integer (for INT/BOOL/SIZE/DURATION).  Values are parsed when set, so the
 * getters never fail.  The config file format is PostgreSQL's: one
 * `name = value` per line, '#' comments, values optionally single-quoted.
 */
#include "common/config.h"

#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/mem.h"

typedef struct opt_slot {
    const rdb_opt_def_t *def;
    char    *value;       /* current value (owned), NULL = unset */
    int64_t  num;         /* parsed value for numeric types      */
    bool     from_argv;   /* set on the command line: file cannot override */
} opt_slot_t;

struct rdb_config {
    opt_slot_t *slots;
    int         nslots;
    char       *file;     /* --config path, for reload */
};

static const rdb_opt_def_t builtin_opts[] = {
    { "config", RDB_OPT_STRING, NULL, "read options from FILE (command line wins)", "FILE", false },
    { "help", RDB_OPT_FLAG, NULL, "print this help and exit", NULL, false },
    { NULL, 0, NULL, NULL, NULL, false },
};

/* Compare option names treating '-' and '_' alike. */
static bool name_eq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        char ca = *a == '_' ? '-' : (char)tolower((unsigned char)*a);
        char cb = *b == '_' ? '-' : (char)tolower((unsigned char)*b);
        if (ca != cb)
            return false;
    }
    return *a == *b;
}

static opt_slot_t *find_slot(const rdb_config_t *cfg, const char *name)
{
    for (int i = 0; i < cfg->nslots; i++)
        if (name_eq(cfg->slots[i].def->name, name))
            return &cfg->slots[i];
    return NULL;
}

int rdb_parse_int64(const char *s, int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 0);
    if (errno || end == s)
        return -1;
    while (isspace((unsigned char)*end))
        end++;
    if (*end)
        return -1;
    *out = v;
    return 0;
}

int rdb_parse_bool(const char *s, bool *out)
{
    static const char *const yes[] = { "on", "true", "yes", "1", "t", "y" };
    static const char *const no[] = { "off", "false", "no", "0", "f", "n" };
    for (size_t i = 0; i < RDB_ARRAY_LEN(yes); i++) {
        if (strcasecmp(s, yes[i]) == 0) {
            *out = true;
            return 0;
        }
        if (strcasecmp(s, no[i]) == 0) {
            *out = false;
            return 0;
        }
    }
    return -1;
}

/* Number with a unit suffix from units[] (case-insensitive). */
static int parse_with_unit(const char *s, int64_t *out,
                           const char *const *names, const int64_t *mult, size_t nunits,
                           int64_t default_mult)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || v < 0)
        return -1;
    while (isspace((unsigned char)*end))
        end++;
    int64_t m = default_mult;
    if (*end) {
        size_t i;
        for (i = 0; i < nunits; i++)
            if (strcasecmp(end, names[i]) == 0)
                break;
        if (i == nunits)
            return -1;
        m = mult[i];
    }
    double r = v * (double)m;
    if (r > 9.2e18)
        return -1;
    *out = (int64_t)r;
    return 0;
}

int rdb_parse_size(const char *s, int64_t *out)
{
    static const char *const names[] = { "b", "k", "kb", "m", "mb", "g", "gb", "t", "tb" };
    static const int64_t mult[] = { 1, 1LL << 10, 1LL << 10, 1LL << 20, 1LL << 20,
                                    1LL << 30, 1LL << 30, 1LL << 40, 1LL << 40 };
    return parse_with_unit(s, out, names, mult, RDB_ARRAY_LEN(names), 1);
}

int rdb_parse_duration_ms(const char *s, int64_t *out)
{
    static const char *const names[] = { "us", "ms", "s", "min", "h", "d" };
    static const int64_t mult[] = { 0, 1, 1000, 60000, 3600000, 86400000 };
    if (parse_with_unit(s, out, names + 1, mult + 1, RDB_ARRAY_LEN(names) - 1, 1) == 0)
        return 0;
    return -1;
}

static rdb_status_t set_slot(opt_slot_t *slot, const char *value, rdb_err_t *err)
{
    int64_t num = 0;
    bool b;
    int rc = 0;
    switch (slot->def->type) {
    case RDB_OPT_STRING:
        break;
    case RDB_OPT_INT:
        rc = rdb_parse_int64(value, &num);
        break;
    case RDB_OPT_BOOL:
    case RDB_OPT_FLAG:
        rc = rdb_parse_bool(value, &b);
        num = b;
        break;
    case RDB_OPT_SIZE:
        rc = rdb_parse_size(value, &num);
        break;
    case RDB_OPT_DURATION:
        rc = rdb_parse_duration_ms(value, &num);
        break;
    }
    if (rc != 0)
        return rdb_err_set(err, RDB_INVALID, "22023",
                           "invalid value for option \"%s\": \"%s\"", slot->def->name, value);
    free(slot->value);
    slot->value = rdb_strdup(value);
    slot->num = num;
    return RDB_OK;
}

rdb_config_t *rdb_config_new(const rdb_opt_def_t *const *tables)
{
    rdb_config_t *cfg = rdb_calloc(1, sizeof(*cfg));
    int n = 0;
    for (const rdb_opt_def_t *d = builtin_opts; d->name; d++)
        n++;
    for (int t = 0; tables && tables[t]; t++)
        for (const rdb_opt_def_t *d = tables[t]; d->name; d++)
            n++;
    cfg->slots = rdb_calloc((size_t)n, sizeof(opt_slot_t));
    const rdb_opt_def_t *const builtin[] = { builtin_opts, NULL };
    for (int pass = 0; pass < 2; pass++) {
        const rdb_opt_def_t *const *tabs = pass == 0 ? builtin : tables;
        for (int t = 0; tabs && tabs[t]; t++) {
            for (const rdb_opt_def_t *d = tabs[t]; d->name; d++) {
                assert(!find_slot(cfg, d->name) && "option defined twice");
                opt_slot_t *s = &cfg->slots[cfg->nslots++];
                s->def = d;
                if (d->defval) {
                    rdb_err_t e = RDB_ERR_INIT;
                    rdb_status_t st = set_slot(s, d->defval, &e);
                    assert(st == RDB_OK && "bad default in an option table");
                    (void)st;
                    rdb_err_clear(&e);
                }
            }
        }
    }
    return cfg;
}

void rdb_config_free(rdb_config_t *cfg)
{
    if (!cfg)
        return;
    for (int i = 0; i < cfg->nslots; i++)
        free(cfg->slots[i].value);
    free(cfg->slots);
    free(cfg->file);
    free(cfg);
}

rdb_status_t rdb_config_set(rdb_config_t *cfg, const char *name, const char *value, rdb_err_t *err)
{
    opt_slot_t *s = find_slot(cfg, name);
    if (!s)
        return rdb_err_set(err, RDB_INVALID, "42704", "unrecognized option \"%s\"", name);
    return set_slot(s, value, err);
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = '\0';
    return s;
}

/* Load the file; reloading=true skips non-reloadable options that changed. */
static rdb_status_t load_file(rdb_config_t *cfg, const char *path, bool reloading, rdb_err_t *err)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return rdb_err_set(err, RDB_IOERROR, "58P01", "could not open configuration file \"%s\": %s",
                           path, strerror(errno));
    char line[4096];
    int lineno = 0;
    rdb_status_t st = RDB_OK;
    while (fgets(line, sizeof(line), f)) {
        lineno++;
        char *p = line;
        /* strip comments outside quotes */
        bool inq = false;
        for (char *c = p; *c; c++) {
            if (*c == '\'')
                inq = !inq;
            else if (*c == '#' && !inq) {
                *c = '\0';
                break;
            }
        }
        p = trim(p);
        if (!*p)
            continue;
        char *eq = strchr(p, '=');
        char *name, *value;
        if (eq) {
            *eq = '\0';
            name = trim(p);
            value = trim(eq + 1);
        } else {
            /* PostgreSQL also allows "name value" */
            name = p;
            value = p + strcspn(p, " \t");
            if (*value)
                *value++ = '\0';
            value = trim(value);
        }
        size_t vl = strlen(value);
        if (vl >= 2 && value[0] == '\'' && value[vl - 1] == '\'') {
            value[vl - 1] = '\0';
            value++;
        }
        opt_slot_t *s = find_slot(cfg, name);
        if (!s || name_eq(name, "config") || name_eq(name, "help")) {
            st = rdb_err_set(err, RDB_INVALID, "42704",
                             "unrecognized configuration parameter \"%s\" in file \"%s\" line %d",
                             name, path, lineno);
            break;
        }
        if (s->from_argv)
            continue;
        if (reloading && !s->def->reloadable) {
            if (!s->value || strcmp(s->value, value) != 0)
                fprintf(stderr, "ringdb: parameter \"%s\" cannot be changed without restarting\n", name);
            continue;
        }
        st = set_slot(s, value, err);
        if (st != RDB_OK) {
            rdb_err_prefix(err, "%s:%d", path, lineno);
            break;
        }
    }
    fclose(f);
    return st;
}

rdb_status_t rdb_config_load_file(rdb_config_t *cfg, const char *path, rdb_err_t *err)
{
    free(cfg->file);
    cfg->file = rdb_strdup(path);
    return load_file(cfg, path, false, err);
}

rdb_status_t rdb_config_reload(rdb_config_t *cfg, rdb_err_t *err)
{
    if (!cfg->file)
        return RDB_OK;
    return load_file(cfg, cfg->file, true, err);
}

rdb_status_t rdb_config_parse_args(rdb_config_t *cfg, int argc, char **argv, rdb_err_t *err)
{
    struct option *longopts = rdb_calloc((size_t)cfg->nslots + 1, sizeof(struct option));
    for (int i = 0; i < cfg->nslots; i++) {
        longopts[i].name = cfg->slots[i].def->name;
        longopts[i].has_arg = cfg->slots[i].def->type == RDB_OPT_FLAG ? no_argument : required_argument;
        longopts[i].val = 0x100 + i;
    }
    rdb_status_t st = RDB_OK;
    const char *config_file = NULL;
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        if (c == 'h' || (c >= 0x100 && name_eq(cfg->slots[c - 0x100].def->name, "help"))) {
            rdb_config_print_help(cfg, argv[0]);
            st = RDB_EOF;
            goto out;
        }
        if (c == '?' || c == ':') {
            const char *bad = argv[optind - 1];
            st = rdb_err_set(err, RDB_INVALID, "42704",
                             c == ':' ? "option \"%s\" needs a value" : "unrecognized option \"%s\"", bad);
            rdb_err_hint(err, "Try \"%s --help\" for more information.", argv[0]);
            goto out;
        }
        opt_slot_t *s = &cfg->slots[c - 0x100];
        if (name_eq(s->def->name, "config")) {
            config_file = optarg;
            continue;
        }
        st = set_slot(s, s->def->type == RDB_OPT_FLAG ? "on" : optarg, err);
        if (st != RDB_OK)
            goto out;
        s->from_argv = true;
    }
    if (optind < argc) {
        st = rdb_err_set(err, RDB_INVALID, "42704", "unexpected argument \"%s\"", argv[optind]);
        goto out;
    }
    if (config_file) {
        opt_slot_t *s = find_slot(cfg, "config");
        set_slot(s, config_file, err);
        st = rdb_config_load_file(cfg, config_file, err);
    }
out:
    free(longopts);
    return st;
}

void rdb_config_print_help(const rdb_config_t *cfg, const char *progname)
{
    printf("Usage: %s [OPTION]...\n\nOptions (also accepted as \"name = value\" in the --config file):\n",
           progname);
    for (int i = 0; i < cfg->nslots; i++) {
        const rdb_opt_def_t *d = cfg->slots[i].def;
        char left[64];
        snprintf(left, sizeof(left), "--%s%s%s", d->name, d->type == RDB_OPT_FLAG ? "" : " ",
                 d->type == RDB_OPT_FLAG ? "" : (d->metavar ? d->metavar : "VALUE"));
        printf("  %-30s %s", left, d->help ? d->help : "");
        if (d->defval)
            printf(" (default %s)", d->defval);
        printf("\n");
    }
}

static const opt_slot_t *get_slot(const rdb_config_t *cfg, const char *name)
{
    const opt_slot_t *s = find_slot(cfg, name);
    assert(s && "asked for an option that no table defines");
    return s;
}

const char *rdb_config_str(const rdb_config_t *cfg, const char *name)
{
    const opt_slot_t *s = get_slot(cfg, name);
    return s ? s->value : NULL;
}

int64_t rdb_config_int(const rdb_config_t *cfg, const char *name)
{
    const opt_slot_t *s = get_slot(cfg, name);
    return s && s->value ? s->num : 0;
}

bool rdb_config_bool(const rdb_config_t *cfg, const char *name)
{
    return rdb_config_int(cfg, name) != 0;
}

bool rdb_config_is_set(const rdb_config_t *cfg, const char *name)
{
    const opt_slot_t *s = get_slot(cfg, name);
    return s && s->value;
}
