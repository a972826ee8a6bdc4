/*
 * syscat_info.c — the rows of the information_schema relations
 * (syscat.h) as PostgreSQL 15 computes them for a superuser: tables,
 * columns, schemata, views, sequences, table_constraints (NOT NULL
 * columns included as CHECK constraints named nsp_rel_attnum_not_null,
 * as PostgreSQL names them), key_column_usage, constraint_column_usage,
 * check_constraints; referential_constraints has no rows yet.
 */
#include <stdio.h>
#include <string.h>

#include "sql/syscat_int.h"
#include "sql/view_dml.h"

#define S(col, v) sr_set(r, (col), (v))

static sql_value_t yesno(bool b)
{
    return sv_text(b ? "YES" : "NO");
}

static const char *data_type(sql_type_t t, rdb_arena_t *a)
{
    const sql_typeinfo_t *ti = sql_type_by_oid(t.oid);
    if (ti && ti->elem_oid)
        return "ARRAY";
    sql_type_t bare = { t.oid, -1 };
    return syscat_format_type(bare, a);
}

static void table_rows(const sql_syscat_env_t *env, syscat_rows_t *r, const sql_table_t *t, char kind)
{
    sr_new(r);
    S("table_catalog", sv_text(env->database));
    S("table_schema", sv_text(t->schema));
    S("table_name", sv_text(t->name));
    S("table_type", sv_text(kind == 'v' ? "VIEW" : "BASE TABLE"));
    S("is_insertable_into", yesno(kind == 'r' || kind == 'V'));
    S("is_typed", yesno(false));
}

static void column_row(const sql_syscat_env_t *env, syscat_rows_t *r, const sql_table_t *t,
                       const sql_column_t *col, const char *name, sql_type_t type, int attnum)
{
    sr_new(r);
    S("table_catalog", sv_text(env->database));
    S("table_schema", sv_text(t->schema));
    S("table_name", sv_text(t->name));
    S("column_name", sv_text(name));
    S("ordinal_position", sql_int(attnum));
    S("column_default", col && col->default_json && !col->identity
                            ? sv_text(syscat_default_text(env, t, col, r->a)) : sql_null());
    S("is_nullable", yesno(!(col && col->not_null)));
    S("data_type", sv_text(data_type(type, r->a)));
    int prec = -1, radix = 0, scale = -1, dtprec = -1;
    int64_t maxlen = -1, octets = -1;
    switch (type.oid) {
    case SQL_OID_INT2: prec = 16; radix = 2; scale = 0; break;
    case SQL_OID_INT4: prec = 32; radix = 2; scale = 0; break;
    case SQL_OID_INT8: prec = 64; radix = 2; scale = 0; break;
    case SQL_OID_FLOAT4: prec = 24; radix = 2; break;
    case SQL_OID_FLOAT8: prec = 53; radix = 2; break;
    case SQL_OID_NUMERIC:
        radix = 10;
        if (type.typmod >= 4) {
            prec = ((type.typmod - 4) >> 16) & 0xffff;
            scale = (type.typmod - 4) & 0xffff;
        }
        break;
    case SQL_OID_VARCHAR: case SQL_OID_BPCHAR:
        if (type.typmod >= 4) {
            maxlen = type.typmod - 4;
            octets = maxlen * 4;
        } else {
            octets = 1073741824;
        }
        break;
    case SQL_OID_TEXT: octets = 1073741824; break;
    case SQL_OID_DATE: dtprec = 0; break;
    case SQL_OID_TIME: case SQL_OID_TIMESTAMP: case SQL_OID_TIMESTAMPTZ: case SQL_OID_INTERVAL:
        dtprec = 6;
        break;
    default: break;
    }
    S("character_maximum_length", maxlen >= 0 ? sql_int(maxlen) : sql_null());
    S("character_octet_length", octets >= 0 ? sql_int(octets) : sql_null());
    S("numeric_precision", prec >= 0 ? sql_int(prec) : sql_null());
    S("numeric_precision_radix", radix ? sql_int(radix) : sql_null());
    S("numeric_scale", scale >= 0 ? sql_int(scale) : sql_null());
    S("datetime_precision", dtprec >= 0 ? sql_int(dtprec) : sql_null());
    S("interval_precision", sql_null());
    S("maximum_cardinality", sql_null());
    const sql_typeinfo_t *ti = sql_type_by_oid(type.oid);
    if (type.oid == SQL_OID_TEXT || type.oid == SQL_OID_VARCHAR || type.oid == SQL_OID_BPCHAR) {
        S("collation_catalog", sql_null());
    }
    S("udt_catalog", sv_text(env->database));
    S("udt_schema", sv_text("pg_catalog"));
    S("udt_name", sv_text(ti ? ti->name : "?"));
    S("dtd_identifier", sv_dup(r->a, rdb_arena_sprintf(r->a, "%d", attnum)));
    S("is_self_referencing", yesno(false));
    S("is_identity", yesno(col && col->identity));
    S("identity_generation", col && col->identity ? sv_text(col->identity == 'a' ? "ALWAYS" : "BY DEFAULT")
                                                  : sql_null());
    S("identity_cycle", yesno(false));
    S("is_generated", sv_text("NEVER"));
    S("is_updatable", yesno(t->relkind == SQL_REL_TABLE));
}

static void constraint_row(const sql_syscat_env_t *env, syscat_rows_t *r, const sql_table_t *t,
                           const char *name, const char *type)
{
    sr_new(r);
    S("constraint_catalog", sv_text(env->database));
    S("constraint_schema", sv_text(t->schema));
    S("constraint_name", sv_text(name));
    S("table_catalog", sv_text(env->database));
    S("table_schema", sv_text(t->schema));
    S("table_name", sv_text(t->name));
    S("constraint_type", sv_text(type));
    S("is_deferrable", yesno(false));
    S("initially_deferred", yesno(false));
    S("enforced", yesno(true));
    S("nulls_distinct", strcmp(type, "UNIQUE") == 0 ? yesno(true) : sql_null());
}

static const char *notnull_name(const sql_table_t *t, const sql_column_t *c, rdb_arena_t *a)
{
    return rdb_arena_sprintf(a, "%u_%u_%d_not_null", t->schema_id, t->id, c->attnum);
}

/* is_updatable / is_insertable_into: automatically updatable (view_dml.h). */
static bool view_updatable(rdb_arena_t *a, const sql_table_t *t)
{
    json_t *j = t->view_json ? json_loads(t->view_json, 0, NULL) : NULL;
    ast_select_t *q;
    rdb_err_t err = RDB_ERR_INIT;
    bool ok = j && sql_parse_select_json(a, j, &q, &err) == RDB_OK && !sql_view_not_updatable(q, true);
    json_decref(j);
    rdb_err_clear(&err);
    return ok;
}

static int key_indexes(const sql_table_t *t, const sql_index_t **ixs, int max)
{
    int n = 0;
    if (t->pk_index && n < max)
        ixs[n++] = t->pk_index;
    for (int k = 0; k < t->nindexes && n < max; k++)
        if (t->indexes[k].is_constraint)
            ixs[n++] = &t->indexes[k];
    return n;
}

rdb_status_t syscat_info_rows(const sql_syscat_env_t *env, syscat_rows_t *r, rdb_err_t *err)
{
    (void)err;
    const sql_catsnap_t *s = env->snap;
    uint32_t id = r->t->id;
    if (id == 13382) { /* schemata */
        for (int i = 0; i < sql_cat_schema_count(s); i++) {
            const sql_schema_t *sc = sql_cat_schema_at(s, i);
            sr_new(r);
            S("catalog_name", sv_text(env->database));
            S("schema_name", sv_text(sc->name));
            S("schema_owner", sv_text(sc->owner));
        }
        return RDB_OK;
    }
    if (id == 13425) { /* tables: the system relations too, as PostgreSQL lists them */
        for (int i = 0; i < syscat_count(); i++)
            table_rows(env, r, syscat_at(i), syscat_kind(syscat_at(i)) == 'v' ? 'v' : 's');
    }
    int n = sql_cat_count(s);
    for (int i = 0; i < n; i++) {
        const sql_table_t *t = sql_cat_at(s, i);
        const sql_index_t *ixs[257];
        int nix = t->relkind == SQL_REL_TABLE ? key_indexes(t, ixs, 257) : 0;
        switch (id) {
        case 13425: /* tables */
            if (t->relkind == SQL_REL_TABLE || t->relkind == SQL_REL_VIEW)
                table_rows(env, r, t, t->relkind == SQL_REL_TABLE ? 'r' : 'v');
            break;
        case 13295: /* columns */
            if (t->relkind == SQL_REL_TABLE) {
                for (int c = 0; c < t->ncols; c++)
                    column_row(env, r, t, &t->cols[c], t->cols[c].name, t->cols[c].type,
                               t->cols[c].attnum);
            } else if (t->relkind == SQL_REL_VIEW) {
                int nc;
                const char **names;
                sql_type_t *types;
                if (syscat_view_columns(env, t, r->a, &nc, &names, &types))
                    for (int c = 0; c < nc; c++)
                        column_row(env, r, t, NULL, names[c], types[c], c + 1);
            }
            break;
        case 13483: /* views */
            if (t->relkind == SQL_REL_VIEW) {
                sr_new(r);
                S("table_catalog", sv_text(env->database));
                S("table_schema", sv_text(t->schema));
                S("table_name", sv_text(t->name));
                S("view_definition", sv_text(sql_syscat_viewdef(s, t->id, r->a)));
                S("check_option", sv_text(t->view_check == 'c' ? "CASCADED"
                                          : t->view_check == 'l' ? "LOCAL" : "NONE"));
                bool upd = view_updatable(r->a, t);
                S("is_updatable", yesno(upd));
                S("is_insertable_into", yesno(upd));
                S("is_trigger_updatable", yesno(false));
                S("is_trigger_deletable", yesno(false));
                S("is_trigger_insertable_into", yesno(false));
            }
            break;
        case 13386: /* sequences */
            if (t->relkind == SQL_REL_SEQUENCE && t->seq) {
                const sql_sequence_t *q = t->seq;
                sr_new(r);
                S("sequence_catalog", sv_text(env->database));
                S("sequence_schema", sv_text(t->schema));
                S("sequence_name", sv_text(t->name));
                S("data_type", sv_text(data_type(q->type, r->a)));
                S("numeric_precision", sql_int(q->type.oid == SQL_OID_INT2 ? 16 : q->type.oid == SQL_OID_INT4 ? 32 : 64));
                S("numeric_precision_radix", sql_int(2));
                S("numeric_scale", sql_int(0));
                S("start_value", sv_dup(r->a, rdb_arena_sprintf(r->a, "%lld", (long long)q->start)));
                S("minimum_value", sv_dup(r->a, rdb_arena_sprintf(r->a, "%lld", (long long)q->minvalue)));
                S("maximum_value", sv_dup(r->a, rdb_arena_sprintf(r->a, "%lld", (long long)q->maxvalue)));
                S("increment", sv_dup(r->a, rdb_arena_sprintf(r->a, "%lld", (long long)q->increment)));
                S("cycle_option", yesno(q->cycle));
            }
            break;
        case 13411: /* table_constraints */
            if (t->relkind != SQL_REL_TABLE)
                break;
            for (int k = 0; k < t->nchecks; k++)
                constraint_row(env, r, t, t->checks[k].name, "CHECK");
            for (int k = 0; k < nix; k++) {
                constraint_row(env, r, t, ixs[k]->name, ixs[k]->primary ? "PRIMARY KEY" : "UNIQUE");
                S("is_deferrable", yesno(ixs[k]->deferrable));
                S("initially_deferred", yesno(ixs[k]->initdeferred));
            }
            for (int c = 0; c < t->ncols; c++)
                if (t->cols[c].not_null)
                    constraint_row(env, r, t, notnull_name(t, &t->cols[c], r->a), "CHECK");
            break;
        case 13329: /* key_column_usage */
        case 13300: /* constraint_column_usage */
            for (int k = 0; k < nix; k++)
                for (int c = 0; c < ixs[k]->ncols; c++) {
                    const sql_column_t *col = sql_table_column_by_id(t, ixs[k]->colids[c]);
                    if (!col)
                        continue;
                    sr_new(r);
                    S("constraint_catalog", sv_text(env->database));
                    S("constraint_schema", sv_text(t->schema));
                    S("constraint_name", sv_text(ixs[k]->name));
                    S("table_catalog", sv_text(env->database));
                    S("table_schema", sv_text(t->schema));
                    S("table_name", sv_text(t->name));
                    S("column_name", sv_text(col->name));
                    if (id == 13329) {
                        S("ordinal_position", sql_int(c + 1));
                        S("position_in_unique_constraint", sql_null());
                    }
                }
            break;
        case 13260: /* check_constraints */
            if (t->relkind != SQL_REL_TABLE)
                break;
            for (int k = 0; k < t->nchecks; k++) {
                const char *x = syscat_check_text(env, t, &t->checks[k], false, r->a);
                sr_new(r);
                S("constraint_catalog", sv_text(env->database));
                S("constraint_schema", sv_text(t->schema));
                S("constraint_name", sv_text(t->checks[k].name));
                S("check_clause", x ? sv_dup(r->a, rdb_arena_sprintf(r->a, "(%s)", x)) : sql_null());
            }
            for (int c = 0; c < t->ncols; c++)
                if (t->cols[c].not_null) {
                    sr_new(r);
                    S("constraint_catalog", sv_text(env->database));
                    S("constraint_schema", sv_text(t->schema));
                    S("constraint_name", sv_text(notnull_name(t, &t->cols[c], r->a)));
                    S("check_clause", sv_dup(r->a, rdb_arena_sprintf(r->a, "%s IS NOT NULL", t->cols[c].name)));
                }
            break;
        default:
            break;
        }
    }
    return RDB_OK;
}
