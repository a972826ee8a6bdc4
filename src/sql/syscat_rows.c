/*
 * syscat_rows.c — the rows of the pg_catalog relations (syscat.h), made
 * from one catalog snapshot.  One generator per relation; the relations
 * ringdb has no objects for (triggers, policies, rules, publications,
 * inheritance, extended statistics, ...) have no rows.
 *
 * Conventions of PostgreSQL 15 kept where clients look: relations have
 * relam heap (2) and indexes btree (403), reltuples is -1 until ANALYZE,
 * text columns carry the default collation (100), name columns "C" (950),
 * an index key column that is DESC has indoption 3 (DESC, NULLS FIRST).
 */
#include <stdio.h>
#include <string.h>

#include "common/buf.h"
#include "sql/array.h"
#include "sql/syscat_int.h"
#include "sql/tabstat.h"

#define S(col, v) sr_set(r, (col), (v))
#define PG_USEC_EPOCH_MS 946684800000LL /* 2000-01-01 in Unix ms */

static char typstorage(const sql_typeinfo_t *ti)
{
    if (ti->oid == SQL_OID_NUMERIC)
        return 'm';
    return ti->typlen == -1 ? 'x' : 'p';
}

static char typalign(const sql_typeinfo_t *ti)
{
    switch (ti->typlen) {
    case 8: case 16: return 'd';
    case 4: return 'i';
    case 2: return 's';
    case 1: case 64: return 'c';
    default: return ti->oid == SQL_OID_INTERVAL || (ti->elem_oid && ti->elem_oid != SQL_OID_INT4) ? 'd' : 'i';
    }
}

static uint32_t typcollation(uint32_t oid)
{
    switch (oid) {
    case SQL_OID_TEXT: case SQL_OID_VARCHAR: case SQL_OID_BPCHAR: return 100;
    case SQL_OID_NAME: return 950;
    default: return 0;
    }
}

static const sql_typeinfo_t *tinfo(uint32_t oid)
{
    const sql_typeinfo_t *ti = sql_type_by_oid(oid);
    return ti ? ti : sql_type_by_oid(SQL_OID_TEXT);
}

/* Every type of the type table: OIDs below 7000 cover PostgreSQL's. */
static void each_type(void (*fn)(syscat_rows_t *, const sql_typeinfo_t *), syscat_rows_t *r)
{
    for (uint32_t oid = 1; oid < 7000; oid++) {
        const sql_typeinfo_t *ti = sql_type_by_oid(oid);
        if (ti && ti->oid == oid)
            fn(r, ti);
    }
}

static void type_row(syscat_rows_t *r, const sql_typeinfo_t *ti)
{
    sr_new(r);
    S("oid", sql_int(ti->oid));
    S("typname", sv_text(ti->name));
    S("typnamespace", sql_int(SQL_SCHEMA_PG_CATALOG));
    S("typowner", sql_int(10));
    S("typlen", sql_int(ti->typlen));
    S("typbyval", sql_bool(ti->byval));
    S("typtype", sv_char(ti->category == 'P' || ti->oid == SQL_OID_UNKNOWN ? 'p' : 'b'));
    S("typcategory", sv_char(ti->category));
    S("typispreferred", sql_bool(ti->preferred));
    S("typisdefined", sql_bool(true));
    S("typdelim", sv_char(','));
    S("typelem", sql_int(ti->elem_oid));
    S("typarray", sql_int(ti->array_oid));
    S("typalign", sv_char(typalign(ti)));
    S("typstorage", sv_char(typstorage(ti)));
    S("typtypmod", sql_int(-1));
    S("typcollation", sql_int(typcollation(ti->elem_oid ? ti->elem_oid : ti->oid)));
}

/* --- relations --------------------------------------------------------- */

static uint32_t rel_owner(const sql_syscat_env_t *env, const sql_table_t *t)
{
    return syscat_owner_oid(env->snap, t->owner);
}

static void class_row(syscat_rows_t *r, uint32_t oid, const char *name, uint32_t nsp, uint32_t owner,
                      char kind, int natts, int nchecks, bool hasindex, double tuples)
{
    sr_new(r);
    S("oid", sql_int(oid));
    S("relname", sv_text(name));
    S("relnamespace", sql_int(nsp));
    S("relowner", sql_int(owner));
    S("relam", sql_int(kind == 'r' ? 2 : kind == 'i' ? 403 : 0));
    S("relfilenode", sql_int(kind == 'v' ? 0 : oid));
    S("reltuples", sql_float(tuples));
    S("relhasindex", sql_bool(hasindex));
    S("relpersistence", sv_char('p'));
    S("relkind", sv_char(kind));
    S("relnatts", sql_int(natts));
    S("relchecks", sql_int(nchecks));
    S("relispopulated", sql_bool(true));
    S("relreplident", sv_char(kind == 'r' ? 'd' : 'n'));
}

static void gen_class(const sql_syscat_env_t *env, syscat_rows_t *r)
{
    int n = sql_cat_count(env->snap);
    for (int i = 0; i < n; i++) {
        const sql_table_t *t = sql_cat_at(env->snap, i);
        if (!syscat_rel_wanted(env, t))
            continue;
        uint32_t owner = rel_owner(env, t);
        int natts = t->relkind == SQL_REL_SEQUENCE ? 3 : t->ncols;
        double tuples = t->relkind == SQL_REL_TABLE ? (t->rowcount_est ? (double)t->rowcount_est : -1)
                      : t->relkind == SQL_REL_SEQUENCE ? 1 : 0;
        class_row(r, t->id, t->name, t->schema_id, owner, (char)t->relkind, natts, t->nchecks,
                  t->pk_index || t->nindexes, tuples);
        if (t->pk_index)
            class_row(r, t->pk_index->id, t->pk_index->name, t->schema_id, owner, 'i',
                      t->pk_index->ncols, 0, false, 0);
        for (int k = 0; k < t->nindexes; k++)
            class_row(r, t->indexes[k].id, t->indexes[k].name, t->schema_id, owner, 'i',
                      t->indexes[k].ncols, 0, false, 0);
    }
    uint32_t super = syscat_owner_oid(env->snap, NULL);
    for (int i = 0; i < syscat_count(); i++) {
        const sql_table_t *t = syscat_at(i);
        if (env->only_rel && env->only_rel != t->id)
            continue;
        class_row(r, t->id, t->name, t->schema_id, super, syscat_kind(t), t->ncols, 0, false,
                  syscat_kind(t) == 'r' ? -1 : 0);
    }
}

static void attr_row(syscat_rows_t *r, uint32_t rel, const char *name, sql_type_t type, int attnum,
                     bool notnull, bool hasdef, char identity)
{
    const sql_typeinfo_t *ti = tinfo(type.oid);
    sr_new(r);
    S("attrelid", sql_int(rel));
    S("attname", sv_text(name));
    S("atttypid", sql_int(type.oid));
    S("attstattarget", sql_int(-1));
    S("attlen", sql_int(ti->typlen));
    S("attnum", sql_int(attnum));
    S("attndims", sql_int(ti->elem_oid ? 1 : 0));
    S("attcacheoff", sql_int(-1));
    S("atttypmod", sql_int(type.typmod));
    S("attbyval", sql_bool(ti->byval));
    S("attalign", sv_char(typalign(ti)));
    S("attstorage", sv_char(typstorage(ti)));
    S("attcompression", sv_char(0));
    S("attnotnull", sql_bool(notnull));
    S("atthasdef", sql_bool(hasdef));
    S("attidentity", sv_char(identity));
    S("attgenerated", sv_char(0));
    S("attislocal", sql_bool(true));
    S("attcollation", sql_int(typcollation(ti->elem_oid ? ti->elem_oid : ti->oid)));
}

static void index_attrs(syscat_rows_t *r, const sql_table_t *t, const sql_index_t *ix)
{
    for (int c = 0; c < ix->ncols; c++) {
        const sql_column_t *col = sql_table_column_by_id(t, ix->colids[c]);
        if (col)
            attr_row(r, ix->id, col->name, col->type, c + 1, false, false, 0);
    }
}

static void gen_attribute(const sql_syscat_env_t *env, syscat_rows_t *r)
{
    int n = sql_cat_count(env->snap);
    static const sql_type_t i8 = { SQL_OID_INT8, -1 }, b = { SQL_OID_BOOL, -1 };
    for (int i = 0; i < n; i++) {
        const sql_table_t *t = sql_cat_at(env->snap, i);
        if (!syscat_rel_wanted(env, t))
            continue;
        if (t->relkind == SQL_REL_SEQUENCE) {
            attr_row(r, t->id, "last_value", i8, 1, true, false, 0);
            attr_row(r, t->id, "log_cnt", i8, 2, true, false, 0);
            attr_row(r, t->id, "is_called", b, 3, true, false, 0);
            continue;
        }
        if (t->relkind == SQL_REL_VIEW) {
            int nc;
            const char **names;
            sql_type_t *types;
            if (syscat_view_columns(env, t, r->a, &nc, &names, &types))
                for (int c = 0; c < nc; c++)
                    attr_row(r, t->id, names[c], types[c], c + 1, false, false, 0);
            continue;
        }
        for (int c = 0; c < t->ncols; c++) {
            const sql_column_t *col = &t->cols[c];
            attr_row(r, t->id, col->name, col->type, col->attnum, col->not_null,
                     col->default_json != NULL && !col->identity, col->identity);
        }
        if (t->pk_index)
            index_attrs(r, t, t->pk_index);
        for (int k = 0; k < t->nindexes; k++)
            index_attrs(r, t, &t->indexes[k]);
    }
    for (int i = 0; i < syscat_count(); i++) {
        const sql_table_t *t = syscat_at(i);
        if (env->only_rel && env->only_rel != t->id)
            continue;
        for (int c = 0; c < t->ncols; c++)
            attr_row(r, t->id, t->cols[c].name, t->cols[c].type, c + 1, false, false, 0);
    }
}

static void attnums(rdb_buf_t *b, const sql_table_t *t, const sql_index_t *ix, char sep)
{
    for (int c = 0; c < ix->ncols; c++) {
        const sql_column_t *col = sql_table_column_by_id(t, ix->colids[c]);
        rdb_buf_printf(b, "%s%d", c ? (char[]){ sep, 0 } : "", col ? col->attnum : 0);
    }
}

static void index_row(const sql_syscat_env_t *env, syscat_rows_t *r, const sql_table_t *t,
                      const sql_index_t *ix)
{
    (void)env;
    sr_new(r);
    S("indexrelid", sql_int(ix->id));
    S("indrelid", sql_int(t->id));
    S("indnatts", sql_int(ix->ncols));
    S("indnkeyatts", sql_int(ix->ncols));
    S("indisunique", sql_bool(ix->unique || ix->primary));
    S("indisprimary", sql_bool(ix->primary));
    S("indimmediate", sql_bool(!ix->deferrable));
    S("indisvalid", sql_bool(true));
    S("indisready", sql_bool(true));
    S("indislive", sql_bool(true));
    rdb_buf_t b = RDB_BUF_INIT;
    rdb_buf_append_u8(&b, '{');
    attnums(&b, t, ix, ',');
    rdb_buf_append_u8(&b, '}');
    S("indkey", sv_array(r->a, SQL_OID_INT2_ARRAY, rdb_buf_cstr(&b)));
    rdb_buf_reset(&b);
    rdb_buf_append_u8(&b, '{');
    for (int c = 0; c < ix->ncols; c++)
        rdb_buf_printf(&b, "%s%d", c ? "," : "", ix->desc && ix->desc[c] ? 3 : 0);
    rdb_buf_append_u8(&b, '}');
    S("indoption", sv_array(r->a, SQL_OID_INT2_ARRAY, rdb_buf_cstr(&b)));
    rdb_buf_free(&b);
}

static void gen_index(const sql_syscat_env_t *env, syscat_rows_t *r)
{
    int n = sql_cat_count(env->snap);
    for (int i = 0; i < n; i++) {
        const sql_table_t *t = sql_cat_at(env->snap, i);
        if (!syscat_rel_wanted(env, t))
            continue;
        if (t->pk_index)
            index_row(env, r, t, t->pk_index);
        for (int k = 0; k < t->nindexes; k++)
            index_row(env, r, t, &t->indexes[k]);
    }
}

static void con_row(syscat_rows_t *r, const sql_table_t *t, uint32_t oid, const char *name, char type,
                    uint32_t indid, const char *conkey, const char *conbin)
{
    sr_new(r);
    S("oid", sql_int(oid));
    S("conname", sv_text(name));
    S("connamespace", sql_int(t->schema_id));
    S("contype", sv_char(type));
    S("convalidated", sql_bool(true));
    S("conrelid", sql_int(t->id));
    S("conindid", sql_int(indid));
    S("confupdtype", sv_char(' '));
    S("confdeltype", sv_char(' '));
    S("confmatchtype", sv_char(' '));
    S("conislocal", sql_bool(true));
    S("connoinherit", sql_bool(false));
    S("condeferrable", sql_bool(false));
    S("condeferred", sql_bool(false));
    S("conkey", sv_array(r->a, SQL_OID_INT2_ARRAY, conkey));
    S("conbin", sv_text(conbin));
}

/* "{1,2}": the attnums of colids of t. */
static const char *attnum_array(syscat_rows_t *r, const sql_table_t *t, int n, const uint16_t *colids)
{
    rdb_buf_t b = RDB_BUF_INIT;
    rdb_buf_append_u8(&b, '{');
    for (int c = 0; c < n; c++) {
        const sql_column_t *col = t ? sql_table_column_by_id(t, colids[c]) : NULL;
        rdb_buf_printf(&b, "%s%d", c ? "," : "", col ? col->attnum : 0);
    }
    rdb_buf_append_u8(&b, '}');
    const char *s = rdb_arena_strdup(r->a, rdb_buf_cstr(&b));
    rdb_buf_free(&b);
    return s;
}

static void fkey_row(const sql_syscat_env_t *env, syscat_rows_t *r, const sql_table_t *t,
                     const sql_fkey_t *fk, int k)
{
    const sql_table_t *ref = sql_cat_by_id(env->snap, fk->ref_table);
    con_row(r, t, SYSCAT_FKEY_OID(t->id, k), fk->name, 'f', fk->ref_index,
            attnum_array(r, t, fk->ncols, fk->colids), NULL);
    S("confrelid", sql_int(fk->ref_table));
    S("confupdtype", sv_char(fk->on_update));
    S("confdeltype", sv_char(fk->on_delete));
    S("confmatchtype", sv_char(fk->match));
    S("condeferrable", sql_bool(fk->deferrable));
    S("condeferred", sql_bool(fk->initdeferred));
    S("confkey", sv_array(r->a, SQL_OID_INT2_ARRAY, attnum_array(r, ref, fk->ncols, fk->ref_colids)));
}

static void gen_constraint(const sql_syscat_env_t *env, syscat_rows_t *r)
{
    int n = sql_cat_count(env->snap);
    for (int i = 0; i < n; i++) {
        const sql_table_t *t = sql_cat_at(env->snap, i);
        if (!syscat_rel_wanted(env, t))
            continue;
        if (t->relkind != SQL_REL_TABLE)
            continue;
        const sql_index_t *ixs[1 + 256];
        int nix = 0;
        if (t->pk_index)
            ixs[nix++] = t->pk_index;
        for (int k = 0; k < t->nindexes && nix < 257; k++)
            if (t->indexes[k].is_constraint)
                ixs[nix++] = &t->indexes[k];
        for (int k = 0; k < nix; k++) {
            rdb_buf_t b = RDB_BUF_INIT;
            rdb_buf_append_u8(&b, '{');
            attnums(&b, t, ixs[k], ',');
            rdb_buf_append_u8(&b, '}');
            con_row(r, t, ixs[k]->id, ixs[k]->name, ixs[k]->primary ? 'p' : 'u', ixs[k]->id,
                    rdb_arena_strdup(r->a, rdb_buf_cstr(&b)), NULL);
            S("condeferrable", sql_bool(ixs[k]->deferrable));
            S("condeferred", sql_bool(ixs[k]->initdeferred));
            rdb_buf_free(&b);
        }
        for (int k = 0; k < t->nchecks && k < 256; k++)
            con_row(r, t, SYSCAT_CHECK_OID(t->id, k), t->checks[k].name, 'c', 0, NULL,
                    syscat_check_text(env, t, &t->checks[k], false, r->a));
        for (int k = 0; k < t->nfkeys && k + t->nchecks < 256; k++)
            fkey_row(env, r, t, &t->fkeys[k], k);
    }
}

static void gen_attrdef(const sql_syscat_env_t *env, syscat_rows_t *r)
{
    int n = sql_cat_count(env->snap);
    for (int i = 0; i < n; i++) {
        const sql_table_t *t = sql_cat_at(env->snap, i);
        if (!syscat_rel_wanted(env, t))
            continue;
        if (t->relkind != SQL_REL_TABLE)
            continue;
        for (int c = 0; c < t->ncols; c++) {
            const sql_column_t *col = &t->cols[c];
            if (!col->default_json || col->identity)
                continue;
            sr_new(r);
            S("oid", sql_int(SYSCAT_ATTRDEF_OID(t->id, col->colid)));
            S("adrelid", sql_int(t->id));
            S("adnum", sql_int(col->attnum));
            S("adbin", sv_text(syscat_default_text(env, t, col, r->a)));
        }
    }
}

static void desc_row(syscat_rows_t *r, uint32_t oid, uint32_t classoid, int sub, const char *text)
{
    sr_new(r);
    S("objoid", sql_int(oid));
    S("classoid", sql_int(classoid));
    S("objsubid", sql_int(sub));
    S("description", sv_text(text));
}

static void gen_description(const sql_syscat_env_t *env, syscat_rows_t *r)
{
    int n = sql_cat_count(env->snap);
    for (int i = 0; i < n; i++) {
        const sql_table_t *t = sql_cat_at(env->snap, i);
        if (!syscat_rel_wanted(env, t))
            continue;
        if (t->comment)
            desc_row(r, t->id, SYSCAT_OID_PG_CLASS, 0, t->comment);
        if (t->col_comments)
            for (int c = 0; c < t->ncols; c++)
                if (t->cols[c].colid < t->nrowcols && t->col_comments[t->cols[c].colid])
                    desc_row(r, t->id, SYSCAT_OID_PG_CLASS, t->cols[c].attnum,
                             t->col_comments[t->cols[c].colid]);
    }
    const sql_pgproc_t *ps;     /* the built-in functions' (PostgreSQL's) */
    size_t np;
    syscat_procs(&ps, &np);
    for (size_t i = 0; i < np; i++)
        if (ps[i].desc && (!env->only_rel || env->only_rel == ps[i].oid))
            desc_row(r, ps[i].oid, 1255, 0, ps[i].desc);
}

static void gen_namespace(const sql_syscat_env_t *env, syscat_rows_t *r)
{
    for (int i = 0; i < sql_cat_schema_count(env->snap); i++) {
        const sql_schema_t *sc = sql_cat_schema_at(env->snap, i);
        sr_new(r);
        S("oid", sql_int(sc->id));
        S("nspname", sv_text(sc->name));
        S("nspowner", sql_int(syscat_owner_oid(env->snap, sc->owner)));
    }
}

static sql_value_t valid_until(const sql_role_t *ro)
{
    if (!ro->valid_until_ms)
        return sql_null();
    return sql_int((ro->valid_until_ms - PG_USEC_EPOCH_MS) * 1000);
}

/* pg_authid (full), pg_roles (password hidden) and pg_user. */
static void gen_roles(const sql_syscat_env_t *env, syscat_rows_t *r, int which)
{
    for (int i = 0; i < sql_cat_role_count(env->snap); i++) {
        const sql_role_t *ro = sql_cat_role_at(env->snap, i);
        sr_new(r);
        if (which == 2) {
            if (!ro->login) {
                r->n--;
                continue;
            }
            S("usename", sv_text(ro->name));
            S("usesysid", sql_int(ro->id));
            S("usecreatedb", sql_bool(ro->createdb || ro->superuser));
            S("usesuper", sql_bool(ro->superuser));
            S("userepl", sql_bool(ro->superuser));
            S("usebypassrls", sql_bool(ro->superuser));
            S("passwd", sv_text("********"));
            S("valuntil", valid_until(ro));
            continue;
        }
        S("oid", sql_int(ro->id));
        S("rolname", sv_text(ro->name));
        S("rolsuper", sql_bool(ro->superuser));
        S("rolinherit", sql_bool(true));
        S("rolcreaterole", sql_bool(ro->createrole || ro->superuser));
        S("rolcreatedb", sql_bool(ro->createdb || ro->superuser));
        S("rolcanlogin", sql_bool(ro->login));
        S("rolreplication", sql_bool(ro->superuser));
        S("rolbypassrls", sql_bool(ro->superuser));
        S("rolconnlimit", sql_int(-1));
        S("rolpassword", which == 0 ? sv_text(ro->password) : sv_text("********"));
        S("rolvaliduntil", valid_until(ro));
    }
}

static void gen_database(const sql_syscat_env_t *env, syscat_rows_t *r)
{
    for (int i = 0; i < sql_cat_database_count(env->snap); i++) {
        const sql_database_t *d = sql_cat_database_at(env->snap, i);
        sr_new(r);
        S("oid", sql_int(d->id));
        S("datname", sv_text(d->name));
        S("datdba", sql_int(syscat_owner_oid(env->snap, d->owner)));
        S("encoding", sql_int(6));
        S("datlocprovider", sv_char('c'));
        S("datallowconn", sql_bool(true));
        S("datconnlimit", sql_int(-1));
        S("datminmxid", sql_int(1));
        S("dattablespace", sql_int(1663));
        S("datcollate", sv_text("C"));
        S("datctype", sv_text("C"));
    }
}

static void gen_settings(const sql_syscat_env_t *env, syscat_rows_t *r)
{
    if (!env->setting)
        return;
    const char *name, *value, *desc;
    for (int i = 0; (name = env->setting(env->ctx, i, &value, &desc)); i++) {
        sr_new(r);
        S("name", sv_text(name));
        S("setting", sv_dup(r->a, value));
        S("category", sv_text("Client Connection Defaults"));
        S("short_desc", sv_text(desc));
        S("context", sv_text(strchr(name, '.') ? "user" : "user"));
        S("vartype", sv_text("string"));
        S("source", sv_text("default"));
        S("boot_val", sv_dup(r->a, value));
        S("reset_val", sv_dup(r->a, value));
        S("pending_restart", sql_bool(false));
    }
}

static void gen_sequence(const sql_syscat_env_t *env, syscat_rows_t *r, bool view)
{
    int n = sql_cat_count(env->snap);
    for (int i = 0; i < n; i++) {
        const sql_table_t *t = sql_cat_at(env->snap, i);
        if (!syscat_rel_wanted(env, t))
            continue;
        if (t->relkind != SQL_REL_SEQUENCE || !t->seq)
            continue;
        const sql_sequence_t *q = t->seq;
        sr_new(r);
        if (view) {
            S("schemaname", sv_text(t->schema));
            S("sequencename", sv_text(t->name));
            S("sequenceowner", sv_text(sql_syscat_username(env->snap, rel_owner(env, t), r->a)));
            S("data_type", sql_int(q->type.oid));
            S("start_value", sql_int(q->start));
            S("min_value", sql_int(q->minvalue));
            S("max_value", sql_int(q->maxvalue));
            S("increment_by", sql_int(q->increment));
            S("cycle", sql_bool(q->cycle));
            S("cache_size", sql_int(q->cache));
            S("last_value", sql_null());
            continue;
        }
        S("seqrelid", sql_int(t->id));
        S("seqtypid", sql_int(q->type.oid));
        S("seqstart", sql_int(q->start));
        S("seqincrement", sql_int(q->increment));
        S("seqmax", sql_int(q->maxvalue));
        S("seqmin", sql_int(q->minvalue));
        S("seqcache", sql_int(q->cache));
        S("seqcycle", sql_bool(q->cycle));
    }
}

static void gen_depend(const sql_syscat_env_t *env, syscat_rows_t *r)
{
    int n = sql_cat_count(env->snap);
    for (int i = 0; i < n; i++) {
        const sql_table_t *t = sql_cat_at(env->snap, i);
        if (t->relkind != SQL_REL_SEQUENCE || !t->seq || !t->seq->owned_by_table)
            continue;
        const sql_table_t *owner = sql_cat_by_id(env->snap, t->seq->owned_by_table);
        const sql_column_t *col = owner ? sql_table_column_by_id(owner, t->seq->owned_by_colid) : NULL;
        if (!col)
            continue;
        sr_new(r);
        S("classid", sql_int(SYSCAT_OID_PG_CLASS));
        S("objid", sql_int(t->id));
        S("refclassid", sql_int(SYSCAT_OID_PG_CLASS));
        S("refobjid", sql_int(owner->id));
        S("refobjsubid", sql_int(col->attnum));
        S("deptype", sv_char(col->identity ? 'i' : 'a'));
    }
}

static void gen_tables(const sql_syscat_env_t *env, syscat_rows_t *r, char kind)
{
    int n = sql_cat_count(env->snap);
    for (int i = 0; i < n; i++) {
        const sql_table_t *t = sql_cat_at(env->snap, i);
        if (kind == 'i') {
            const sql_index_t *ixs[1 + 1024];
            int nix = 0;
            if (t->pk_index)
                ixs[nix++] = t->pk_index;
            for (int k = 0; k < t->nindexes && nix < 1025; k++)
                ixs[nix++] = &t->indexes[k];
            for (int k = 0; k < nix; k++) {
                sr_new(r);
                S("schemaname", sv_text(t->schema));
                S("tablename", sv_text(t->name));
                S("indexname", sv_text(ixs[k]->name));
                S("tablespace", sql_null());
                S("indexdef", sv_text(sql_syscat_indexdef(env, ixs[k]->id, 0, r->a)));
            }
            continue;
        }
        if ((char)t->relkind != kind)
            continue;
        const char *owner = sql_syscat_username(env->snap, rel_owner(env, t), r->a);
        sr_new(r);
        S("schemaname", sv_text(t->schema));
        if (kind == 'v') {
            S("viewname", sv_text(t->name));
            S("viewowner", sv_text(owner));
            S("definition", sv_text(sql_syscat_viewdef(env->snap, t->id, r->a)));
            continue;
        }
        S("tablename", sv_text(t->name));
        S("tableowner", sv_text(owner));
        S("tablespace", sql_null());
        S("hasindexes", sql_bool(t->pk_index || t->nindexes));
    }
    if (kind == 'i')
        return;
    const char *super = sql_syscat_username(env->snap, syscat_owner_oid(env->snap, NULL), r->a);
    for (int i = 0; i < syscat_count(); i++) {
        const sql_table_t *t = syscat_at(i);
        if (syscat_kind(t) != kind)
            continue;
        sr_new(r);
        S("schemaname", sv_text(t->schema));
        if (kind == 'v') {
            S("viewname", sv_text(t->name));
            S("viewowner", sv_text(super));
            continue;
        }
        S("tablename", sv_text(t->name));
        S("tableowner", sv_text(super));
        S("tablespace", sql_null());
    }
}

/* A counter of sql/tabstat.h as int8. */
#define TSV(id, c) sql_int(sql_tabstat_get((id), (c)))

/* pg_stat_user_tables / pg_stat_all_tables ('t'), pg_statio_user_tables
 * ('o') and pg_stat_user_indexes ('i'): the node's counters (tabstat.h).
 * ringdb has no VACUUM: its columns stay NULL / 0; n_dead_tup counts the
 * versions updates and deletes left for compaction to drop.  pg_statio's
 * block counts are not kept (NULL). */
static void gen_stat(const sql_syscat_env_t *env, syscat_rows_t *r, char kind)
{
    int n = sql_cat_count(env->snap);
    for (int i = 0; i < n; i++) {
        const sql_table_t *t = sql_cat_at(env->snap, i);
        if (t->relkind != SQL_REL_TABLE)
            continue;
        for (int k = kind == 'i' ? -1 : -2; k < (kind == 'i' ? t->nindexes : -1); k++) {
            const sql_index_t *ix = k == -1 ? t->pk_index : k >= 0 ? &t->indexes[k] : NULL;
            if (kind == 'i' && !ix)
                continue;
            sr_new(r);
            S("relid", sql_int(t->id));
            S("schemaname", sv_text(t->schema));
            S("relname", sv_text(t->name));
            if (ix) {
                S("indexrelid", sql_int(ix->id));
                S("indexrelname", sv_text(ix->name));
                S("idx_scan", TSV(ix->id, TS_IDX_SCAN));
                S("idx_tup_read", TSV(ix->id, TS_IDX_TUP_READ));
                S("idx_tup_fetch", TSV(ix->id, TS_IDX_TUP_FETCH));
            } else if (kind == 't') {
                S("seq_scan", TSV(t->id, TS_SEQ_SCAN));
                S("seq_tup_read", TSV(t->id, TS_SEQ_TUP_READ));
                S("idx_scan", TSV(t->id, TS_IDX_SCAN));
                S("idx_tup_fetch", TSV(t->id, TS_IDX_TUP_FETCH));
                S("n_tup_ins", TSV(t->id, TS_TUP_INS));
                S("n_tup_upd", TSV(t->id, TS_TUP_UPD));
                S("n_tup_del", TSV(t->id, TS_TUP_DEL));
                S("n_tup_hot_upd", sql_int(0));
                int64_t live = sql_tabstat_get(t->id, TS_LIVE_TUP);
                S("n_live_tup", sql_int(live > 0 ? live : 0));
                S("n_dead_tup", TSV(t->id, TS_DEAD_TUP));
                S("n_mod_since_analyze", TSV(t->id, TS_MOD_SINCE_ANALYZE));
                S("n_ins_since_vacuum", TSV(t->id, TS_INS_SINCE_VACUUM));
                int64_t last = sql_tabstat_get(t->id, TS_LAST_ANALYZE);
                S("last_analyze", last ? sql_int(last) : sql_null());
                S("vacuum_count", sql_int(0));
                S("autovacuum_count", sql_int(0));
                S("analyze_count", TSV(t->id, TS_ANALYZE_COUNT));
                S("autoanalyze_count", sql_int(0));
            }
        }
    }
}

/* values of type t as an array's text form ({a,b,...}), in r->a; NULL
 * when none or the type has no array type */
static sql_value_t stats_array(syscat_rows_t *r, sql_type_t t, const sql_value_t *v, int n)
{
    uint32_t arr = sql_array_oid_of(t.oid);
    if (n == 0 || !arr)
        return sql_null();
    sql_value_t a = sql_array_encode(r->a, t, 1, n, v);
    rdb_buf_t b = RDB_BUF_INIT;
    sql_value_out(NULL, (sql_type_t){ arr, t.typmod }, &a, &b);
    sql_value_t out = sv_dup(r->a, rdb_buf_cstr(&b));
    rdb_buf_free(&b);
    return out;
}

/* pg_stats: ANALYZE's statistics of each column of an analyzed table
 * (catalog.h, colstats.h).  n_distinct as PostgreSQL stores it: negative
 * (minus the fraction of rows) beyond a tenth of the rows; correlation
 * of the storage (key) order.  The element statistics are not computed
 * (NULL). */
static void gen_pg_stats(const sql_syscat_env_t *env, syscat_rows_t *r)
{
    int n = sql_cat_count(env->snap);
    for (int i = 0; i < n; i++) {
        const sql_table_t *t = sql_cat_at(env->snap, i);
        if (t->relkind != SQL_REL_TABLE || !t->rowcount_est || !syscat_rel_wanted(env, t))
            continue;
        double rows = (double)t->rowcount_est;
        for (int k = 0; k < t->ncols; k++) {
            const sql_column_t *c = &t->cols[k];
            sr_new(r);
            S("schemaname", sv_text(t->schema));
            S("tablename", sv_text(t->name));
            S("attname", sv_text(c->name));
            S("inherited", sql_bool(false));
            S("null_frac", sql_float((float)c->null_frac));
            S("avg_width", sql_int(c->avg_width));
            double nd = c->n_distinct > 0.1 * rows ? -(c->n_distinct / rows) : c->n_distinct;
            S("n_distinct", sql_float((float)nd));
            S("most_common_vals", stats_array(r, c->type, c->mcv, c->nmcv));
            if (c->nmcv) {
                sql_value_t *f = RDB_ARENA_NEWN(r->a, sql_value_t, c->nmcv);
                for (int m = 0; m < c->nmcv; m++)
                    f[m] = sql_float(c->mcv_freq[m]);
                S("most_common_freqs", sql_array_encode(r->a, (sql_type_t){ SQL_OID_FLOAT4, -1 }, 1, c->nmcv, f));
            } else {
                S("most_common_freqs", sql_null());
            }
            S("histogram_bounds", stats_array(r, c->type, c->hist, c->nhist));
            S("correlation", c->has_correlation ? sql_float(c->correlation) : sql_null());
        }
    }
}

static void gen_prepared(const sql_syscat_env_t *env, syscat_rows_t *r)
{
    if (!env->prepared)
        return;
    const char *name, *text;
    int64_t time, execs;
    bool from_sql;
    int np;
    const uint32_t *pt;
    for (int i = 0; (name = env->prepared(env->ctx, i, &text, &time, &np, &pt, &execs, &from_sql)); i++) {
        rdb_buf_t b = RDB_BUF_INIT;
        rdb_buf_append_u8(&b, '{');
        for (int k = 0; k < np; k++)
            rdb_buf_printf(&b, "%s%u", k ? "," : "", pt[k]);
        rdb_buf_append_u8(&b, '}');
        sr_new(r);
        S("name", sv_dup(r->a, name));
        S("statement", sv_dup(r->a, text));
        S("prepare_time", sql_int(time));
        /* regtype[] holds OIDs as oid[] does: read as oid[], shown as names */
        S("parameter_types", sv_array(r->a, SQL_OID_OID_ARRAY, rdb_buf_cstr(&b)));
        S("from_sql", sql_bool(from_sql));
        S("generic_plans", sql_int(execs));
        S("custom_plans", sql_int(0));
        rdb_buf_free(&b);
    }
}

static void gen_stat_database(const sql_syscat_env_t *env, syscat_rows_t *r)
{
    for (int i = 0; i < sql_cat_database_count(env->snap); i++) {
        const sql_database_t *d = sql_cat_database_at(env->snap, i);
        sr_new(r);
        S("datid", sql_int(d->id));
        S("datname", sv_text(d->name));
        S("numbackends", sql_int(env->database && strcmp(env->database, d->name) == 0));
    }
}

static void gen_activity(const sql_syscat_env_t *env, syscat_rows_t *r)
{
    sr_new(r);
    const sql_database_t *db = NULL;
    for (int i = 0; i < sql_cat_database_count(env->snap); i++)
        if (env->database && strcmp(sql_cat_database_at(env->snap, i)->name, env->database) == 0)
            db = sql_cat_database_at(env->snap, i);
    S("datid", sql_int(db ? db->id : 0));
    S("datname", sv_text(env->database));
    S("pid", sql_int(env->backend_pid));
    S("leader_pid", sql_null());
    S("usesysid", sql_int(sql_syscat_roleid(env->snap, env->user)));
    S("usename", sv_text(env->user));
    S("application_name", sv_text(env->application_name ? env->application_name : ""));
    S("client_port", sql_int(-1));
    S("state", sv_text("active"));
    S("backend_xid", sql_null());
    S("backend_xmin", sql_null());
    S("query_id", sql_null());
    S("backend_type", sv_text("client backend"));
}

static void fixed_rows(syscat_rows_t *r, uint32_t relid)
{
    switch (relid) {
    case 2601: { /* pg_am */
        static const struct { uint32_t oid; const char *name; char type; } am[] = {
            { 2, "heap", 't' }, { 403, "btree", 'i' }, { 405, "hash", 'i' },
        };
        for (size_t i = 0; i < sizeof am / sizeof am[0]; i++) {
            sr_new(r);
            S("oid", sql_int(am[i].oid));
            S("amname", sv_text(am[i].name));
            S("amtype", sv_char(am[i].type));
        }
        break;
    }
    case 3456: { /* pg_collation */
        static const struct { uint32_t oid; const char *name; char prov; } co[] = {
            { 100, "default", 'd' }, { 950, "C", 'c' }, { 951, "POSIX", 'c' },
        };
        for (size_t i = 0; i < sizeof co / sizeof co[0]; i++) {
            sr_new(r);
            S("oid", sql_int(co[i].oid));
            S("collname", sv_text(co[i].name));
            S("collnamespace", sql_int(SQL_SCHEMA_PG_CATALOG));
            S("collowner", sql_int(10));
            S("collprovider", sv_char(co[i].prov));
            S("collisdeterministic", sql_bool(true));
            S("collencoding", sql_int(-1));
            S("collcollate", co[i].prov == 'c' ? sv_text(co[i].name) : sql_null());
            S("collctype", co[i].prov == 'c' ? sv_text(co[i].name) : sql_null());
        }
        break;
    }
    case 1213: { /* pg_tablespace */
        sr_new(r);
        S("oid", sql_int(1663));
        S("spcname", sv_text("pg_default"));
        S("spcowner", sql_int(10));
        sr_new(r);
        S("oid", sql_int(1664));
        S("spcname", sv_text("pg_global"));
        S("spcowner", sql_int(10));
        break;
    }
    case 2612: { /* pg_language */
        static const struct { uint32_t oid; const char *name; } la[] = {
            { 12, "internal" }, { 13, "c" }, { 14, "sql" },
        };
        for (size_t i = 0; i < sizeof la / sizeof la[0]; i++) {
            sr_new(r);
            S("oid", sql_int(la[i].oid));
            S("lanname", sv_text(la[i].name));
            S("lanowner", sql_int(10));
            S("lanpltrusted", sql_bool(la[i].oid == 14));
        }
        break;
    }
    default:
        break;
    }
}

rdb_status_t sql_syscat_rows(const sql_syscat_env_t *env, const sql_table_t *t, rdb_arena_t *a,
                             sql_value_t ***rows, int *nrows, rdb_err_t *err)
{
    syscat_rows_t rr = { a, t, NULL, 0, 0, NULL }, *r = &rr;
    rdb_status_t rc = RDB_OK;
    if (t->schema_id == SQL_SCHEMA_INFO) {
        rc = syscat_info_rows(env, r, err);
    } else {
        switch (t->id) {
        case 1259: gen_class(env, r); break;
        case 1249: gen_attribute(env, r); break;
        case 1247: each_type(type_row, r); break;
        case 1255: syscat_gen_proc(r); break;
        case 2610: gen_index(env, r); break;
        case 2606: gen_constraint(env, r); break;
        case 2604: gen_attrdef(env, r); break;
        case 2609: gen_description(env, r); break;
        case 2615: gen_namespace(env, r); break;
        case 1260: gen_roles(env, r, 0); break;
        case 12000: gen_roles(env, r, 1); break;
        case 12014: gen_roles(env, r, 2); break;
        case 1262: gen_database(env, r); break;
        case 12104: gen_settings(env, r); break;
        case 2224: gen_sequence(env, r, false); break;
        case 12048: gen_sequence(env, r, true); break;
        case 2608: gen_depend(env, r); break;
        case 12033: gen_tables(env, r, 'r'); break;
        case 12028: gen_tables(env, r, 'v'); break;
        case 12043: gen_tables(env, r, 'i'); break;
        case 12222: gen_activity(env, r); break;
        case 12161: case 12142: gen_stat(env, r, 't'); break;
        case 12179: gen_stat(env, r, 'o'); break;
        case 12192: gen_stat(env, r, 'i'); break;
        case 12266: gen_stat_database(env, r); break;
        case 12053: gen_pg_stats(env, r); break;
        case 12095: gen_prepared(env, r); break;
        default: fixed_rows(r, t->id); break;
        }
    }
    *rows = r->rows;
    *nrows = r->n;
    return rc;
}
