/*
 * syscat_proc.c — pg_proc: ringdb's functions as PostgreSQL describes them.
 *
 * The rows come from what the engine can call: the type library's
 * registry (sql_func_each), the catalog functions (syscat_fns.c), the
 * aggregates (sql_is_agg_name) and what the binder handles itself
 * (window, set-returning and session functions: sql_binder_fn_kind).
 * Each gets PostgreSQL 15's row (OID, argument and result types,
 * volatility, prosrc: syscat_pgproc.c) when PostgreSQL has that function:
 * the one with the same argument types, else the only one of that name
 * and arity.  Aggregates, window and binder functions are listed with all
 * of PostgreSQL's signatures of their names.  A function PostgreSQL does
 * not have gets an OID of its own from 14000 on (in registry order, so
 * stable for a given build; below FirstNormalObjectId 16384).
 *
 * Built once per process; read-only afterwards.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "common/mem.h"
#include "sql/analyze.h"
#include "sql/syscat_int.h"

#define OWN_OID_BASE 14000

static sql_pgproc_t *procs;        /* sorted by OID once built */
static size_t nprocs, capprocs;
static uint32_t nown;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static bool have_oid(uint32_t oid)
{
    for (size_t i = 0; i < nprocs; i++)
        if (procs[i].oid == oid)
            return true;
    return false;
}

static void add(const sql_pgproc_t *p)
{
    if (have_oid(p->oid))
        return;
    if (nprocs == capprocs) {
        capprocs = capprocs ? capprocs * 2 : 512;
        procs = rdb_realloc(procs, sizeof *procs * capprocs);
    }
    procs[nprocs++] = *p;
}

/* PostgreSQL's rows of a name: [*lo, *hi). */
static void pg_range(const char *name, size_t *lo, size_t *hi)
{
    size_t l = 0, h = sql_npgproc;
    while (l < h) {
        size_t m = (l + h) / 2;
        if (strcmp(sql_pgproc[m].name, name) < 0)
            l = m + 1;
        else
            h = m;
    }
    *lo = l;
    while (h < sql_npgproc && strcmp(sql_pgproc[h].name, name) == 0)
        h++;
    *hi = h < l ? l : h;
}

static void reg_fn(void *arg, const char *name, int nargs, const uint32_t *args, uint32_t ret,
                   char vol, bool strict)
{
    (void)arg;
    size_t lo, hi;
    pg_range(name, &lo, &hi);
    const sql_pgproc_t *same = NULL, *only = NULL;
    int narity = 0;
    for (size_t i = lo; i < hi; i++) {
        const sql_pgproc_t *p = &sql_pgproc[i];
        if (p->kind != 'f' || p->nargs != nargs)
            continue;
        narity++;
        only = p;
        if (memcmp(p->args, args, sizeof *args * (size_t)nargs) == 0)
            same = p;
    }
    if (same || narity == 1) {
        add(same ? same : only);
        return;
    }
    /* "any" arguments stand for PostgreSQL's overloads of that arity */
    bool any = false;
    for (int k = 0; k < nargs; k++)
        any |= args[k] == SQL_OID_ANY;
    if (any && narity) {
        for (size_t i = lo; i < hi; i++)
            if (sql_pgproc[i].kind == 'f' && sql_pgproc[i].nargs == nargs)
                add(&sql_pgproc[i]);
        return;
    }
    /* not PostgreSQL's: once per name and argument types */
    for (size_t i = 0; i < nprocs; i++)
        if (procs[i].oid >= OWN_OID_BASE && strcmp(procs[i].name, name) == 0 &&
            procs[i].nargs == nargs && memcmp(procs[i].args, args, sizeof *args * (size_t)nargs) == 0)
            return;
    if (nargs > 8)
        return;
    sql_pgproc_t p = { .oid = OWN_OID_BASE + nown++, .name = name, .nargs = nargs, .kind = 'f',
                       .ret = ret, .strict = strict, .vol = vol, .src = name };
    memcpy(p.args, args, sizeof *args * (size_t)nargs);
    add(&p);
}

static int by_oid(const void *x, const void *y)
{
    const sql_pgproc_t *a = x, *b = y;
    return a->oid < b->oid ? -1 : a->oid > b->oid;
}

static void build(void)
{
    for (size_t i = 0; i < sql_npgproc; i++) {
        const sql_pgproc_t *p = &sql_pgproc[i];
        char b = sql_binder_fn_kind(p->name);
        if ((p->kind == 'a' && sql_is_agg_name(p->name)) || (p->kind == 'w' && b == 'w') ||
            (p->kind == 'f' && (b == 's' || b == 'f')))
            add(p);
    }
    sql_func_each(reg_fn, NULL);
    syscat_fns_each(reg_fn, NULL);
    qsort(procs, nprocs, sizeof *procs, by_oid);
}

void syscat_procs(const sql_pgproc_t **rows, size_t *n)
{
    pthread_once(&once, build);
    *rows = procs;
    *n = nprocs;
}

const sql_pgproc_t *syscat_proc_by_oid(uint32_t oid)
{
    pthread_once(&once, build);
    sql_pgproc_t key = { .oid = oid };
    return bsearch(&key, procs, nprocs, sizeof *procs, by_oid);
}

#define S(col, v) sr_set(r, (col), (v))

void syscat_gen_proc(syscat_rows_t *r)
{
    const sql_pgproc_t *ps;
    size_t n;
    syscat_procs(&ps, &n);
    for (size_t i = 0; i < n; i++) {
        const sql_pgproc_t *p = &ps[i];
        rdb_buf_t b;
        rdb_buf_init(&b, 64);
        rdb_buf_append_str(&b, "{");
        for (int k = 0; k < p->nargs; k++)
            rdb_buf_printf(&b, "%s%u", k ? "," : "", p->args[k]);
        rdb_buf_append_str(&b, "}");
        rdb_buf_append(&b, "", 1);
        sr_new(r);
        S("oid", sql_int(p->oid));
        S("proname", sv_text(p->name));
        S("pronamespace", sql_int(SQL_SCHEMA_PG_CATALOG));
        S("proowner", sql_int(10));
        S("prolang", sql_int(12));                 /* internal */
        S("procost", sql_float(1));
        S("prorows", sql_float(p->retset ? 1000 : 0));
        S("provariadic", sql_int(p->variadic));
        S("prosupport", sql_int(0));
        S("prokind", sv_char(p->kind));
        S("proisstrict", sql_bool(p->strict));
        S("proretset", sql_bool(p->retset));
        S("provolatile", sv_char(p->vol));
        S("proparallel", sv_char('s'));
        S("pronargs", sql_int(p->nargs));
        S("pronargdefaults", sql_int(0));
        S("prorettype", sql_int(p->ret));
        S("proargtypes", sv_array(r->a, SQL_OID_OID_ARRAY, b.data));
        S("prosrc", sv_text(p->src));
        rdb_buf_free(&b);
    }
}
