/*
 * syscat.c — the system relations as relations (syscat.h): built once per
 * process from syscat_defs, found by name and OID; and the lookups the
 * catalog functions need (regclass and regtype input, visibility, role
 * names, relations and indexes by OID).
 *
 * The relations are immutable after the first call (pthread_once), so
 * every thread reads them without locks; a statement's plan may point to
 * them for as long as the process lives.
 */
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/mem.h"
#include "sql/syscat_int.h"

static pthread_once_t once = PTHREAD_ONCE_INIT;
static sql_table_t *rels;
static int nrels;
static rdb_arena_t defs_arena;

static void build(void)
{
    rdb_arena_init(&defs_arena, 16384);
    rdb_arena_t *a = &defs_arena;
    rels = RDB_ARENA_NEWN(a, sql_table_t, syscat_ndefs);
    for (int i = 0; i < syscat_ndefs; i++) {
        const syscat_def_t *d = &syscat_defs[i];
        sql_table_t *t = &rels[i];
        t->id = d->oid;
        t->schema_id = d->schema;
        t->schema = d->schema == SQL_SCHEMA_PG_CATALOG ? "pg_catalog" : "information_schema";
        t->name = rdb_arena_strdup(a, d->name);
        t->relkind = SQL_REL_TABLE;
        t->owner = NULL;
        int n = 1;
        for (const char *p = d->cols; *p; p++)
            n += *p == ',';
        t->ncols = n;
        t->nrowcols = (uint16_t)n;
        t->cols = RDB_ARENA_NEWN(a, sql_column_t, n);
        char *spec = rdb_arena_strdup(a, d->cols), *save = NULL;
        int k = 0;
        for (char *item = strtok_r(spec, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
            char *sp = strchr(item, ' ');
            *sp = 0;
            /* "char" columns resolve to character(1) (bpchar): the type
             * library has no operators for the one-byte "char" type yet */
            const sql_typeinfo_t *ti = sql_type_by_name(sp + 1);
            sql_column_t *c = &t->cols[k];
            c->name = item;
            c->colid = (uint16_t)k;
            c->attnum = (int16_t)(k + 1);
            c->type.oid = ti ? ti->oid : SQL_OID_TEXT;
            c->type.typmod = -1;
            k++;
        }
    }
    nrels = syscat_ndefs;
}

int syscat_count(void)
{
    pthread_once(&once, build);
    return nrels;
}

const sql_table_t *syscat_at(int i)
{
    pthread_once(&once, build);
    return &rels[i];
}

char syscat_kind(const sql_table_t *t)
{
    return syscat_defs[t - rels].kind;
}

const sql_table_t *sql_syscat_find(const char *schema, const char *name, const char *const *path,
                                   int npath)
{
    pthread_once(&once, build);
    bool info = schema && strcmp(schema, "information_schema") == 0;
    if (schema && !info && strcmp(schema, "pg_catalog") != 0)
        return NULL;
    if (!schema)
        for (int i = 0; i < npath; i++)
            info |= strcmp(path[i], "information_schema") == 0;
    for (int pass = 0; pass < 2; pass++) {
        uint32_t want = pass == 0 ? SQL_SCHEMA_PG_CATALOG : SQL_SCHEMA_INFO;
        if (want == SQL_SCHEMA_INFO ? !info : (schema && info))
            continue;
        for (int i = 0; i < nrels; i++)
            if (rels[i].schema_id == want && strcmp(rels[i].name, name) == 0)
                return &rels[i];
    }
    return NULL;
}

const sql_table_t *sql_syscat_lookup(const sql_catsnap_t *s, const char *schema, const char *name,
                                     const char *const *path, int npath)
{
    bool listed = false;
    for (int i = 0; i < npath; i++)
        listed |= strcmp(path[i], "pg_catalog") == 0;
    const sql_table_t *t = !schema && !listed ? sql_syscat_find("pg_catalog", name, NULL, 0) : NULL;
    if (!t)
        t = sql_cat_find(s, schema, name, path, npath);
    return t ? t : sql_syscat_find(schema, name, path, npath);
}

const sql_table_t *sql_syscat_by_id(uint32_t oid)
{
    pthread_once(&once, build);
    for (int i = 0; i < nrels; i++)
        if (rels[i].id == oid)
            return &rels[i];
    return NULL;
}

int sql_syscat_filter_cols(const sql_table_t *t, int cols[2])
{
    static const struct { uint32_t rel; const char *a, *b; } f[] = {
        { 1259, "oid", NULL }, { 1249, "attrelid", NULL }, { 2604, "adrelid", NULL },
        { 2610, "indrelid", "indexrelid" }, { 2606, "conrelid", NULL }, { 2609, "objoid", NULL },
        { 2224, "seqrelid", NULL },
    };
    int n = 0;
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
        if (f[i].rel != t->id)
            continue;
        const sql_column_t *a = sql_table_column(t, f[i].a), *b = f[i].b ? sql_table_column(t, f[i].b) : NULL;
        if (a)
            cols[n++] = a->colid;
        if (b)
            cols[n++] = b->colid;
    }
    return n;
}

bool syscat_rel_wanted(const sql_syscat_env_t *env, const sql_table_t *t)
{
    uint32_t o = env->only_rel;
    if (!o || t->id == o || (t->pk_index && t->pk_index->id == o))
        return true;
    for (int k = 0; k < t->nindexes; k++)
        if (t->indexes[k].id == o)
            return true;
    return false;
}

/* --- rows under construction --------------------------------------------- */

void sr_new(syscat_rows_t *r)
{
    if (r->n == r->cap) {
        int cap = r->cap ? r->cap * 2 : 64;
        r->rows = rdb_arena_grow(r->a, r->rows, (size_t)r->n, (size_t)cap, sizeof *r->rows);
        r->cap = cap;
    }
    const sql_table_t *t = r->t;
    sql_value_t *row = rdb_arena_alloc(r->a, sizeof(sql_value_t) * (size_t)t->nrowcols);
    for (int i = 0; i < t->ncols; i++) {
        switch (t->cols[i].type.oid) {
        case SQL_OID_BOOL: row[i] = sql_bool(false); break;
        case SQL_OID_INT2: case SQL_OID_INT4: case SQL_OID_INT8: case SQL_OID_OID:
        case SQL_OID_REGTYPE: row[i] = sql_int(0); break;
        case SQL_OID_FLOAT4: case SQL_OID_FLOAT8: row[i] = sql_float(0); break;
        default: row[i] = sql_null(); break;
        }
    }
    r->rows[r->n++] = row;
    r->cur = row;
}

void sr_set(syscat_rows_t *r, const char *col, sql_value_t v)
{
    const sql_table_t *t = r->t;
    for (int i = 0; i < t->ncols; i++)
        if (strcmp(t->cols[i].name, col) == 0) {
            r->cur[i] = v;
            return;
        }
    /* a generator naming a column its relation lacks is a bug */
    fprintf(stderr, "syscat: %s has no column %s\n", t->name, col);
    abort();
}

sql_value_t sv_text(const char *s)
{
    return s ? sql_bytes(s, (uint32_t)strlen(s)) : sql_null();
}

sql_value_t sv_dup(rdb_arena_t *a, const char *s)
{
    return s ? sv_text(rdb_arena_strdup(a, s)) : sql_null();
}

sql_value_t sv_char(char c)
{
    static const char chars[256] = {
#define X16(b) b, b + 1, b + 2, b + 3, b + 4, b + 5, b + 6, b + 7, b + 8, b + 9, b + 10, b + 11, \
               b + 12, b + 13, b + 14, b + 15
        X16(0), X16(16), X16(32), X16(48), X16(64), X16(80), X16(96), X16(112),
        X16(-128), X16(-112), X16(-96), X16(-80), X16(-64), X16(-48), X16(-32), X16(-16)
#undef X16
    };
    return sql_bytes(&chars[(unsigned char)c], c ? 1 : 0);
}

sql_value_t sv_array(rdb_arena_t *a, uint32_t arrayoid, const char *text)
{
    if (!text)
        return sql_null();
    sql_format_settings_t fs;
    sql_format_settings_default(&fs);
    sql_value_t v;
    rdb_err_t err = RDB_ERR_INIT;
    sql_type_t t = { arrayoid, -1 };
    if (sql_value_in(a, &fs, t, text, strlen(text), &v, &err) != RDB_OK) {
        rdb_err_clear(&err);
        return sql_null();
    }
    return v;
}

/* --- lookups -------------------------------------------------------------- */

const char *syscat_schema_name(const sql_catsnap_t *s, uint32_t id)
{
    const sql_schema_t *sc = sql_cat_schema_by_id(s, id);
    return sc ? sc->name : "?";
}

uint32_t sql_syscat_roleid(const sql_catsnap_t *s, const char *name)
{
    const sql_role_t *r = name ? sql_cat_role(s, name) : NULL;
    return r ? r->id : 0;
}

uint32_t syscat_owner_oid(const sql_catsnap_t *s, const char *owner)
{
    uint32_t id = sql_syscat_roleid(s, owner);
    if (id)
        return id;
    /* the bootstrap superuser: the first superuser role */
    for (int i = 0; i < sql_cat_role_count(s); i++)
        if (sql_cat_role_at(s, i)->superuser)
            return sql_cat_role_at(s, i)->id;
    return 10;
}

const char *sql_syscat_username(const sql_catsnap_t *s, uint32_t oid, rdb_arena_t *a)
{
    for (int i = 0; i < sql_cat_role_count(s); i++)
        if (sql_cat_role_at(s, i)->id == oid)
            return sql_cat_role_at(s, i)->name;
    return rdb_arena_sprintf(a, "unknown (OID=%u)", oid);
}

const sql_table_t *sql_syscat_rel(const sql_catsnap_t *s, uint32_t oid)
{
    if (oid < SQL_FIRST_USER_ID)
        return sql_syscat_by_id(oid);
    return sql_cat_by_id(s, oid);
}

const sql_index_t *sql_syscat_index(const sql_catsnap_t *s, uint32_t oid, const sql_table_t **tab)
{
    if (oid < SQL_FIRST_USER_ID)
        return NULL;
    int n = sql_cat_count(s);
    for (int i = 0; i < n; i++) {
        const sql_table_t *t = sql_cat_at(s, i);
        if (t->pk_index && t->pk_index->id == oid) {
            *tab = t;
            return t->pk_index;
        }
        for (int k = 0; k < t->nindexes; k++)
            if (t->indexes[k].id == oid) {
                *tab = t;
                return &t->indexes[k];
            }
    }
    return NULL;
}

/* Split "a.b" / "\"A\".b" into lower-cased or quoted parts. */
static int split_name(const char *text, char parts[3][128])
{
    int n = 0;
    const char *p = text;
    while (*p && n < 3) {
        while (isspace((unsigned char)*p))
            p++;
        size_t k = 0;
        if (*p == '"') {
            p++;
            while (*p && !(*p == '"' && p[1] != '"')) {
                if (*p == '"')
                    p++;
                if (k < 127)
                    parts[n][k++] = *p;
                p++;
            }
            if (*p == '"')
                p++;
        } else {
            while (*p && *p != '.' && !isspace((unsigned char)*p)) {
                if (k < 127)
                    parts[n][k++] = (char)tolower((unsigned char)*p);
                p++;
            }
        }
        parts[n][k] = 0;
        n++;
        while (isspace((unsigned char)*p))
            p++;
        if (*p != '.')
            break;
        p++;
    }
    return *p ? -1 : n;
}

rdb_status_t sql_syscat_regclass_in(const sql_catsnap_t *s, const char *const *path, int npath,
                                    const char *text, uint32_t *oid, rdb_err_t *err)
{
    char parts[3][128];
    bool numeric = *text != 0;
    for (const char *p = text; *p; p++)
        numeric &= isdigit((unsigned char)*p) != 0;
    if (numeric) {
        *oid = (uint32_t)strtoul(text, NULL, 10);
        return RDB_OK;
    }
    int n = split_name(text, parts);
    if (n < 1 || n > 2)
        return rdb_err_set(err, RDB_SQL, "42602", "invalid name syntax");
    const char *schema = n == 2 ? parts[0] : NULL, *name = parts[n - 1];
    const sql_table_t *t = sql_syscat_lookup(s, schema, name, path, npath);
    if (t) {
        *oid = t->id;
        return RDB_OK;
    }
    const sql_table_t *tab;
    const sql_index_t *ix = sql_cat_find_index(s, schema, name, path, npath, &tab);
    if (ix) {
        *oid = ix->id;
        return RDB_OK;
    }
    return rdb_err_set(err, RDB_SQL, "42P01", "relation \"%s\" does not exist", text);
}

rdb_status_t sql_syscat_regtype_in(const char *text, uint32_t *oid, rdb_err_t *err)
{
    char buf[128];
    const char *p = text;
    while (isspace((unsigned char)*p))
        p++;
    if (strncmp(p, "pg_catalog.", 11) == 0)
        p += 11;
    size_t k = 0;
    bool quoted = *p == '"';
    for (const char *q = p + quoted; *q && k < sizeof buf - 1; q++) {
        if (quoted && *q == '"')
            continue;
        buf[k++] = quoted ? *q : (char)tolower((unsigned char)*q);
    }
    while (k && isspace((unsigned char)buf[k - 1]))
        k--;
    buf[k] = 0;
    bool array = k > 2 && strcmp(buf + k - 2, "[]") == 0;
    if (array)
        buf[k - 2] = 0;
    /* drop a type modifier: varchar(10) */
    char *paren = strchr(buf, '(');
    if (paren) {
        char *close = strchr(paren, ')');
        if (close)
            memmove(paren, close + 1, strlen(close + 1) + 1);
        k = strlen(buf);
        while (k && isspace((unsigned char)buf[k - 1]))
            buf[--k] = 0;
    }
    const sql_typeinfo_t *ti = sql_type_by_name(buf);
    if (!ti) {
        /* format_type names sql_type_by_name may not know */
        static const struct { const char *a, *b; } alias[] = {
            { "double precision", "float8" }, { "character varying", "varchar" },
            { "character", "bpchar" }, { "timestamp without time zone", "timestamp" },
            { "timestamp with time zone", "timestamptz" }, { "time without time zone", "time" },
            { "\"char\"", "char" },
        };
        for (size_t i = 0; i < sizeof alias / sizeof alias[0] && !ti; i++)
            if (strcmp(buf, alias[i].a) == 0)
                ti = sql_type_by_name(alias[i].b);
    }
    if (!ti || (array && !ti->array_oid))
        return rdb_err_set(err, RDB_SQL, "42704", "type \"%s\" does not exist", text);
    *oid = array ? ti->array_oid : ti->oid;
    return RDB_OK;
}

static bool on_path(const sql_syscat_env_t *env, const char *schema)
{
    for (int i = 0; i < env->npath; i++)
        if (strcmp(env->path[i], schema) == 0)
            return true;
    return strcmp(schema, "pg_catalog") == 0;
}

/* Schema and name of a relation or index; *rel: the relation (NULL for
 * an index).  False if oid names neither. */
static bool rel_or_index(const sql_catsnap_t *s, uint32_t oid, const sql_table_t **rel,
                         const char **schema, const char **name)
{
    const sql_table_t *t = sql_syscat_rel(s, oid), *tab = NULL;
    *rel = t;
    if (t) {
        *schema = t->schema;
        *name = t->name;
        return true;
    }
    const sql_index_t *ix = sql_syscat_index(s, oid, &tab);
    if (!ix)
        return false;
    *schema = tab->schema;
    *name = ix->name;
    return true;
}

bool sql_syscat_table_visible(const sql_syscat_env_t *env, uint32_t oid)
{
    const sql_table_t *t;
    const char *schema, *name;
    if (!rel_or_index(env->snap, oid, &t, &schema, &name))
        return false;
    if (!on_path(env, schema))
        return false;
    if (t) {
        const sql_table_t *first = sql_cat_find(env->snap, NULL, name, env->path, env->npath);
        if (!first)
            first = sql_syscat_find(NULL, name, env->path, env->npath);
        return first == t;
    }
    const sql_table_t *ft;
    const sql_index_t *fi = sql_cat_find_index(env->snap, NULL, name, env->path, env->npath, &ft);
    return fi && fi->id == oid;
}

const char *sql_syscat_relname(const sql_syscat_env_t *env, uint32_t oid, rdb_arena_t *a)
{
    const sql_table_t *t;
    const char *schema, *name;
    if (!rel_or_index(env->snap, oid, &t, &schema, &name))
        return NULL;
    if (sql_syscat_table_visible(env, oid))
        return name;
    return rdb_arena_sprintf(a, "%s.%s", schema, name);
}

const char *sql_syscat_description(const sql_catsnap_t *s, uint32_t oid, int attnum)
{
    const sql_table_t *t = oid >= SQL_FIRST_USER_ID ? sql_cat_by_id(s, oid) : NULL;
    if (!t)
        return NULL;
    if (attnum == 0)
        return t->comment;
    if (!t->col_comments)
        return NULL;
    for (int i = 0; i < t->ncols; i++)
        if (t->cols[i].attnum == attnum)
            return t->col_comments[t->cols[i].colid];
    return NULL;
}

const char *sql_syscat_viewdef(const sql_catsnap_t *s, uint32_t oid, rdb_arena_t *a)
{
    const sql_table_t *t = oid >= SQL_FIRST_USER_ID ? sql_cat_by_id(s, oid) : NULL;
    if (!t || t->relkind != SQL_REL_VIEW || !t->view_sql)
        return NULL;
    /* PostgreSQL prints the query on a new line, indented, ending in ';' */
    const char *q = t->view_sql;
    while (isspace((unsigned char)*q))
        q++;
    size_t n = strlen(q);
    while (n && (isspace((unsigned char)q[n - 1]) || q[n - 1] == ';'))
        n--;
    return rdb_arena_sprintf(a, " %.*s;", (int)n, q);
}
