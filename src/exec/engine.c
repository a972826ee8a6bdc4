/*
 * engine.c — the SQL engine behind backend.h: sessions, transactions, the
 * simple and extended query protocols.
 *
 * Statement life: parse (libpg_query) -> acquire the catalog snapshot for
 * the statement's transaction -> bind -> plan -> run -> release.  Every
 * statement runs in a txn_t: the session's BEGIN block, the extended
 * protocol's implicit transaction (from the first Execute to Sync), or its
 * own (autocommit: committed when the statement succeeds, aborted when it
 * fails, so a failed multi-row INSERT leaves nothing).  In a block, an
 * error marks the block failed: statements then fail with 25P02 until
 * ROLLBACK (COMMIT of a failed block rolls back, as in PostgreSQL).
 *
 * Prepared statements are bound once against the snapshot of the moment
 * and keep a reference to it; an Execute that finds a different snapshot
 * (DDL happened) binds again.  Portals keep their executor open between
 * Executes with a row limit (PortalSuspended).
 *
 * Off-loop execution: called on an event loop (RDB_EXEC_ON_LOOP), a
 * statement that may run long (any scan that is not a point lookup, DDL,
 * pg_sleep, generate_series) returns RDB_EXEC_OFFLOAD before doing
 * anything, and pgwire calls again from a pooled thread (common/tpool.h).
 * Point reads and writes (pgbench's statements), short key ranges and
 * LIMIT k over an ordered index scan run on the loop.
 */
#include "exec/engine.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include "cluster/node.h"
#include "common/clock.h"
#include "common/hash.h"
#include "common/log.h"
#include "exec/engine_int.h"
#include "exec/explain.h"
#include "exec/hashjoin.h"
#include "exec/nlbatch.h"
#include "exec/sysscan.h"
#include "exec/extsort.h"
#include "exec/fkey.h"
#include "exec/parallel.h"
#include "sql/ddl.h"
#include "sql/syscat.h"
#include "sql/table.h"
#include "sql/tabstat.h"

#define PG_EPOCH_USEC 946684800000000LL

static int64_t now_pg_usec(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000 - PG_EPOCH_USEC;
}

/* ---- prepared statements and portals -------------------------------- */

struct rdb_stmt {
    rdb_session_t *s;
    int            refs;        /* the name (session or pgwire) and each portal */
    char          *name;        /* the session's name for it; NULL: pgwire's (unnamed) */
    int64_t        execs;       /* runs started (pg_prepared_statements.generic_plans) */
    rdb_arena_t    a;
    char          *sql;
    ast_parse_t    parse;
    ast_stmt_t    *st;          /* NULL: empty query */
    int            nparams;
    sql_type_t     ptypes[SQL_MAX_PARAMS];
    uint32_t      *poids;
    bool           fixed[SQL_MAX_PARAMS];
    bool           bound_ok;
    sql_bound_t    bound;
    sql_catsnap_t *snap;
    int            nsubs;
    int            ncols;
    rdb_coldesc_t *cols;
};

struct rdb_portal {
    rdb_stmt_t    *stmt;
    rdb_arena_t    a;
    sql_value_t   *params;
    int16_t       *formats;     /* per result column */
    rdb_coldesc_t *cols;
    /* a suspended run */
    bool           running;
    ex_run_t       run;
    rdb_arena_t    runa;
    rdb_err_t      runerr;
    ex_node_t     *node;
    txn_t         *txn;
    bool           own;
    sql_catsnap_t *snap;
    uint64_t       count;
};

/* ---- session helpers ---------------------------------------------------- */

static const char *sess_value(void *ctx, ex_session_fn_t fn, const char *arg, const char *arg2,
                              rdb_err_t *err)
{
    rdb_session_t *s = ctx;
    static __thread char buf[256];
    switch (fn) {
    case EX_S_VERSION:
        return "PostgreSQL 15.4 (ringdb 0.1.0) on x86_64-pc-linux-gnu, compiled by gcc, 64-bit";
    case EX_S_CURRENT_DATABASE:
        return s->database;
    case EX_S_CURRENT_SCHEMA:
        return s->npath ? s->path[0] : NULL;
    case EX_S_CURRENT_USER:
    case EX_S_SESSION_USER:
        return s->user;
    case EX_S_BACKEND_PID:
        snprintf(buf, sizeof buf, "%d", s->pid);
        return buf;
    case EX_S_INET_CLIENT_ADDR: case EX_S_INET_CLIENT_PORT:
    case EX_S_INET_SERVER_ADDR: case EX_S_INET_SERVER_PORT:
        return s->inet[fn - EX_S_INET_CLIENT_ADDR];   /* NULL: SQL NULL */
    case EX_S_TXID:
        snprintf(buf, sizeof buf, "%llu", (unsigned long long)(s->txn ? txn_snapshot(s->txn) >> 16 : 0));
        return buf;
    case EX_S_CURRENT_SETTING: {
        const char *v = eng_guc_get(s, arg);
        if (!v && arg2 && arg2[0] == 't')
            return NULL; /* current_setting(name, missing_ok => true) */
        if (!v) {
            rdb_err_set(err, RDB_SQL, "42704", "unrecognized configuration parameter \"%s\"", arg);
            return NULL;
        }
        return v;
    }
    case EX_S_SET_CONFIG:
        if (eng_guc_set(s, arg, arg2, NULL, err) != RDB_OK)
            return NULL;
        return eng_guc_get(s, arg);
    case EX_S_RINGDB_SPLIT:
    case EX_S_RINGDB_MERGE:
    case EX_S_RINGDB_PARTITIONS:
    case EX_S_RINGDB_PLACEMENT:
        return eng_clu_partition_fn(s, fn, arg, arg2, err);
    default:
        rdb_err_set(err, RDB_SQL, "0A000", "this function is not supported");
        return NULL;
    }
}

static bool sess_seq_last(void *ctx, uint32_t id, bool set, int64_t *v)
{
    rdb_session_t *s = ctx;
    for (int i = 0; i < s->nseq; i++)
        if (s->seq_id[i] == id) {
            if (set)
                s->seq_val[i] = *v;
            else
                *v = s->seq_val[i];
            return true;
        }
    if (!set)
        return false;
    int i = s->nseq < 32 ? s->nseq++ : 31;
    s->seq_id[i] = id;
    s->seq_val[i] = *v;
    return true;
}

const ex_session_ops_t eng_session_ops = { NULL, sess_value, sess_seq_last };

void eng_txn_done(rdb_session_t *s)
{
    rowlock_release_all(s->e->locks, &s->locks);
    eng_guc_txn_end(s);
    ex_fk_deferred_free(s->fkdef);
    s->fkdef = NULL;
    sql_tabstat_end(&s->tabstat, false);   /* not committed (eng_commit settles a commit) */
}

rdb_status_t eng_fk_deferred_check(rdb_session_t *s, txn_t *t, rdb_err_t *err)
{
    if (!ex_fk_deferred_pending(s->fkdef))
        return RDB_OK;
    sql_catsnap_t *snap = sql_catalog_acquire(s->e->cat, t, err);
    if (!snap)
        return RDB_SQL;
    rdb_arena_t a;
    rdb_arena_init(&a, 0);
    ex_run_t r;
    eng_run_init(s, &r, t, snap, &a, err);
    rdb_status_t rc = ex_fk_deferred_run(&r, true);
    rdb_arena_destroy(&a);
    sql_catalog_release(snap);
    return rc;
}

static rdb_status_t serialization_failure(rdb_err_t *err)
{
    return rdb_err_set(err, RDB_SQL, "40001", "could not serialize access due to concurrent update");
}

static int lock_wait_stop(void *arg)
{
    return ex_check(arg) != RDB_OK;   /* cancel, statement_timeout: sets the run's error */
}

/* The lock on key (rowlock.h) for the session's transaction; *skipped
 * under EX_LOCK_SKIP when another holds it.  relname: for 55P03. */
static rdb_status_t lock_key(ex_run_t *r, const char *key, size_t klen, int mode, int policy,
                             const char *relname, bool *skipped)
{
    rdb_session_t *s = r->lock_ctx;
    rdb_err_t *err = r->err;
    *skipped = false;
    int got = rowlock_acquire(s->e->locks, &s->locks, key, klen, mode,
                              s->may_wait && policy == EX_LOCK_WAIT, lock_wait_stop, r);
    if (got == ROWLOCK_BUSY && policy == EX_LOCK_SKIP) {
        *skipped = true;
        return RDB_OK;
    }
    if (got == ROWLOCK_BUSY && policy == EX_LOCK_NOWAIT)
        return rdb_err_set(err, RDB_SQL, "55P03", "could not obtain lock on row in relation \"%s\"", relname);
    if (got == ROWLOCK_BUSY)
        return serialization_failure(err);
    if (got == ROWLOCK_DEADLOCK) {
        rdb_err_set(err, RDB_SQL, "40P01", "deadlock detected");
        rdb_err_detail(err, "Process %d waits for a row lock held by another transaction that waits for "
                       "this one.", s->pid);
        return RDB_SQL;
    }
    if (got == ROWLOCK_STOPPED)
        return rdb_err_is_set(err) ? RDB_SQL
                                   : rdb_err_set(err, RDB_CANCELLED, "57014", "canceling statement due to user request");
    return RDB_OK;
}

/* Row lock, then the row's newest committed version (rowlock.h). */
static rdb_status_t lock_row(ex_run_t *r, const sql_table_t *tab, const sql_value_t *row, int mode,
                             int policy, rdb_arena_t *a, sql_value_t **latest, bool *gone)
{
    rdb_session_t *s = r->lock_ctx;
    rdb_err_t *err = r->err;
    *latest = NULL;
    *gone = false;
    if (tab->npk == 0 && (!tab->has_rowid || row[tab->rowid_colid].isnull))
        return RDB_OK;
    rdb_buf_t k = RDB_BUF_INIT;
    rdb_buf_append_u32_be(&k, tab->id);
    sql_value_t pk[32];
    int npk = tab->npk < 32 ? tab->npk : 32;
    if (tab->npk == 0) {    /* the hidden row id (sql/catalog.h), by value */
        pk[0] = row[tab->rowid_colid];
        rdb_buf_append_u64_be(&k, (uint64_t)pk[0].u.iv.usec);
        rdb_buf_append_u16_be(&k, (uint16_t)pk[0].u.iv.days);
    }
    for (int i = 0; i < npk; i++) {
        uint16_t colid = tab->pk_colids[i];
        sql_type_t t = { SQL_OID_INT4, -1 };
        for (int c = 0; c < tab->ncols; c++)
            if (tab->cols[c].colid == colid)
                t = tab->cols[c].type;
        pk[i] = row[colid];
        sql_key_encode(&k, t, &row[colid], false);
    }
    rdb_status_t lrc = lock_key(r, k.data, k.len, mode, policy, tab->name, gone);
    rdb_buf_free(&k);
    if (lrc != RDB_OK || *gone)
        return lrc;
    /* the newest committed version, or this transaction's own */
    sql_value_t *cur = rdb_arena_calloc(a, sizeof(sql_value_t) * (tab->nrowcols + 1u));
    bool found = false;
    uint64_t snap = txn_set_snapshot(r->txn, txn_store_now(s->e->st));
    rdb_status_t rc = sql_table_get(r->txn, tab, pk, a, cur, &found, err);
    txn_set_snapshot(r->txn, snap);
    if (rc != RDB_OK)
        return rc;
    if (!found) {
        *gone = true;
        return RDB_OK;
    }
    for (int c = 0; c < tab->ncols; c++) {
        uint16_t id = tab->cols[c].colid;
        const sql_value_t *x = &row[id], *y = &cur[id];
        if (x->isnull != y->isnull || (!x->isnull && sql_value_cmp(tab->cols[c].type, x, y) != 0)) {
            *latest = cur;
            break;
        }
    }
    return RDB_OK;
}

void eng_bindenv_init(rdb_session_t *s, sql_bindenv_t *b, rdb_arena_t *a, const sql_catsnap_t *snap,
                      const char *sql, sql_type_t *ptypes)
{
    memset(b, 0, sizeof *b);
    b->a = a;
    b->cat = s->e->cat;
    b->snap = snap;
    b->path = (const char *const *)s->path;
    b->npath = s->npath;
    b->sql = sql;
    b->ptypes = ptypes;
    b->fs = &s->fs;
}

static __thread ex_session_ops_t tls_ops;

void eng_run_init(rdb_session_t *s, ex_run_t *r, txn_t *t, const sql_catsnap_t *snap, rdb_arena_t *a,
                  rdb_err_t *err)
{
    memset(r, 0, sizeof *r);
    r->a = a;
    r->txn = t;
    eng_clu_reads(s, t);
    r->cat = s->e->cat;
    r->snap = snap;
    r->fn.settings = &s->fs;
    r->fn.stmt_ts = now_pg_usec();
    r->fn.txn_ts = s->txn && s->txn == t ? s->txn_ts : r->fn.stmt_ts;
    r->fn.session = s;
    tls_ops = eng_session_ops;
    tls_ops.ctx = s;
    eng_syscat_session(s);
    ex_session_ops_t *ops = rdb_arena_alloc(a, sizeof *ops);
    *ops = tls_ops;
    r->sess = ops;
    r->err = err;
    r->cancel = &s->cancel;
    r->lock_row = lock_row;
    r->lock_key = lock_key;
    r->lock_ctx = s;
    r->fk_deferred = &s->fkdef;
    r->tabstat = &s->tabstat;
    if (s->statement_timeout_ms)
        r->deadline_ns = (int64_t)rdb_now_ns() + s->statement_timeout_ms * 1000000LL;
    int64_t lim = s->work_mem * 256;
    r->mem_limit = (size_t)(lim < 64LL * 1024 * 1024 ? 64LL * 1024 * 1024 : lim);
    if (s->work_mem < 1024 * 1024)
        r->mem_limit = (size_t)s->work_mem * 256;
    r->work_mem = (size_t)s->work_mem;
    if (s->query_mem_limit > 0) {   /* ringdb.query_mem_limit: work_mem at most a quarter of it */
        r->mem_limit = (size_t)s->query_mem_limit;
        if (r->work_mem > r->mem_limit / 4)
            r->work_mem = r->mem_limit / 4;
    }
    r->tmp_dir = s->e->tmp_dir;
}

txn_t *eng_stmt_txn(rdb_session_t *s, bool *own)
{
    if (s->txn) {
        *own = false;
        return s->txn;
    }
    *own = true;
    return txn_begin(s->e->st);
}

rdb_status_t eng_stmt_end(rdb_session_t *s, txn_t *t, bool own, rdb_status_t rc, rdb_err_t *err)
{
    if (own) {
        if (rc == RDB_OK)
            rc = eng_commit(s, t, err);
        else
            txn_abort(t);
        eng_txn_done(s);
        return rc;
    }
    if (rc != RDB_OK) {
        if (s->implicit) {
            txn_abort(s->txn);
            s->txn = NULL;
            s->implicit = false;
            eng_txn_done(s);
        } else if (s->state == 'T') {
            s->state = 'E';
        }
    }
    return rc;
}

static void notice_cb(void *arg, const rdb_err_t *n)
{
    rdb_sink_t *sink = arg;
    if (sink && sink->notice)
        sink->notice(sink->ctx, n);
}

/* Notices of a session's statement, as client_min_messages lets them through. */
typedef struct notice_ctx {
    rdb_sink_t    *sink;
    rdb_session_t *s;
} notice_ctx_t;

static void session_notice_cb(void *arg, const rdb_err_t *n)
{
    notice_ctx_t *c = arg;
    if (eng_guc_notice_wanted(c->s, n->severity))
        notice_cb(c->sink, n);
}

static void warn(rdb_sink_t *sink, const char *state, const char *msg)
{
    rdb_err_t n = RDB_ERR_INIT;
    rdb_err_set(&n, RDB_SQL, state, "%s", msg);
    n.severity = RDB_SEV_WARNING;
    notice_cb(sink, &n);
    rdb_err_clear(&n);
}

/* ---- formatting rows ---------------------------------------------------- */

typedef struct rowfmt {
    rdb_buf_t     buf;
    size_t       *off;
    const char  **vals;
    int32_t      *lens;
    int           cap;
} rowfmt_t;

static void rowfmt_free(rowfmt_t *f)
{
    rdb_buf_free(&f->buf);
    free(f->off);
    free(f->vals);
    free(f->lens);
}

static int send_row(rdb_session_t *s, rdb_sink_t *sink, rowfmt_t *f, int n, const sql_type_t *types,
                    const int16_t *formats, const sql_value_t *row)
{
    if (f->cap < n) {
        f->off = realloc(f->off, sizeof(size_t) * (size_t)n);
        f->vals = realloc(f->vals, sizeof(char *) * (size_t)n);
        f->lens = realloc(f->lens, sizeof(int32_t) * (size_t)n);
        f->cap = n;
    }
    rdb_buf_reset(&f->buf);
    rdb_buf_reserve(&f->buf, 64);   /* never a NULL data pointer: '' is not NULL */
    for (int i = 0; i < n; i++) {
        f->off[i] = f->buf.len;
        if (row[i].isnull) {
            f->lens[i] = -1;
            continue;
        }
        if (formats && formats[i] == 1)
            sql_value_send(types[i], &row[i], &f->buf);
        else
            sql_value_out(&s->fs, types[i], &row[i], &f->buf);
        f->lens[i] = (int32_t)(f->buf.len - f->off[i]);
    }
    for (int i = 0; i < n; i++)
        f->vals[i] = f->lens[i] < 0 ? NULL : f->buf.data ? f->buf.data + f->off[i] : "";  /* all '' so far: no buffer yet */
    return sink->data_row(sink->ctx, n, f->vals, f->lens);
}

static void describe_plan(rdb_arena_t *a, const plan_t *p, int *ncols, rdb_coldesc_t **cols)
{
    *ncols = p->ncols;
    *cols = RDB_ARENA_NEWN(a, rdb_coldesc_t, p->ncols + 1);
    for (int i = 0; i < p->ncols; i++) {
        rdb_coldesc_t *c = &(*cols)[i];
        const sql_typeinfo_t *ti = sql_type_by_oid(p->types[i].oid);
        c->name = p->names[i] ? p->names[i] : "?column?";
        c->table_oid = p->col_table[i];
        c->attnum = p->col_attnum[i];
        c->type_oid = p->types[i].oid;
        c->typlen = ti ? ti->typlen : -1;
        c->typmod = p->types[i].typmod;
        c->format = 0;
    }
}

/* ---- plans that may run long ------------------------------------------- */

/* What a cheap plan's key bounds are evaluated with (parameters bound). */
typedef struct cheap_ctx {
    rdb_session_t     *s;
    const sql_value_t *params;
    int                nparams;
} cheap_ctx_t;

/* A short integer key range of a hash-partitioned table runs as point
 * reads (exec.c scan_points): up to EX_SHORT_RANGE local keys are as quick
 * as a multi-row INSERT, and handing them to a thread costs more than they
 * do. */
#define EX_SHORT_RANGE 2048

/* Evaluate the key bounds or LIMIT expressions es[0..n) with the bound
 * parameters; false if one fails or is NULL. */
static bool cheap_eval(const cheap_ctx_t *c, int n, ex_expr_t *const *es, sql_value_t *out)
{
    ex_run_t r;
    memset(&r, 0, sizeof r);
    rdb_arena_t a;
    rdb_arena_init(&a, 0);
    rdb_err_t err = RDB_ERR_INIT;
    r.a = &a;
    r.params = c->params;
    r.nparams = c->nparams;
    r.fn.settings = &c->s->fs;
    r.err = &err;
    bool ok = true;
    for (int i = 0; ok && i < n; i++)
        ok = ex_eval(&r, es[i], NULL, &a, &out[i]) == RDB_OK && !out[i].isnull;
    rdb_err_clear(&err);
    rdb_arena_destroy(&a);
    return ok;
}

static bool range_short(const cheap_ctx_t *c, const plan_t *p)
{
    const sql_table_t *t = p->tab;
    /* on a cluster node reads may go to other nodes: never on the loop */
    if (!c || c->s->e->node || !t || sql_syscat_is(t) || !t->hash_partitioned || t->npk != 1 || p->nkey != 0 ||
        p->nlo != 1 || p->nhi != 1 || !p->lo_incl || !p->hi_incl)
        return false;
    uint32_t kt = p->types[t->pk_colids[0]].oid;
    if (kt != SQL_OID_INT2 && kt != SQL_OID_INT4 && kt != SQL_OID_INT8)
        return false;
    sql_value_t v[2];
    ex_expr_t *const es[2] = { p->lo[0], p->hi[0] };
    return cheap_eval(c, 2, es, v) &&
           (v[1].u.i < v[0].u.i || (uint64_t)v[1].u.i - (uint64_t)v[0].u.i < EX_SHORT_RANGE);
}

/* LIMIT k [OFFSET m] straight over an ordered scan with no filter of its
 * own (through projections) reads k + m rows, and the stale index entries
 * it meets: as short as a short range when k + m is. */
static bool limit_short(const cheap_ctx_t *c, const plan_t *p)
{
    if (!c || c->s->e->node || !p->limit || p->with_ties)
        return false;
    const plan_t *sc = p->left;
    while (sc && sc->kind == P_PROJECT)
        sc = sc->left;
    if (!sc || sc->kind != P_SCAN || !sc->ordered || sc->qual || sc->kset || !sc->tab || sql_syscat_is(sc->tab))
        return false;
    sql_value_t v[2] = { sql_int(0), sql_int(0) };
    ex_expr_t *const es[2] = { p->limit, p->offset };
    return cheap_eval(c, p->offset ? 2 : 1, es, v) && v[0].u.i >= 0 && v[1].u.i >= 0 &&
           v[0].u.i < EX_SHORT_RANGE && v[1].u.i < EX_SHORT_RANGE;
}

static bool expr_cheap(const ex_expr_t *e, const cheap_ctx_t *c);
static bool plan_cheap(const plan_t *p, const cheap_ctx_t *c)
{
    if (!p)
        return true;
    switch (p->kind) {
    case P_SCAN:
        if (!p->point && !range_short(c, p))
            return false;
        break;
    case P_LOCKROWS:
        return false;
    case P_LIMIT:
        if (limit_short(c, p)) {
            /* the scan's bounds and the projections are all there is */
            for (const plan_t *q = p->left; q; q = q->left) {
                for (int i = 0; i < q->nexprs; i++)
                    if (!expr_cheap(q->exprs[i], c))
                        return false;
                for (int i = 0; q->kind == P_SCAN && i < q->nlo; i++)
                    if (!expr_cheap(q->lo[i], c))
                        return false;
                for (int i = 0; q->kind == P_SCAN && i < q->nhi; i++)
                    if (!expr_cheap(q->hi[i], c))
                        return false;
            }
            return true;
        }
        break;
    case P_SERIES:
    case P_JOIN:
    case P_AGG:
    case P_SORT:
        if (p->kind == P_AGG && p->left && p->left->kind == P_SCAN && p->left->point)
            break;
        if (p->kind == P_SORT || p->kind == P_JOIN || p->kind == P_SERIES || p->kind == P_AGG)
            return false;
        break;
    default:
        break;
    }
    if (!expr_cheap(p->qual, c))
        return false;
    for (int i = 0; i < (p->kind == P_VALUES ? p->nrows * p->ncols : p->nexprs); i++)
        if (!expr_cheap(p->exprs[i], c))
            return false;
    return plan_cheap(p->left, c) && plan_cheap(p->right, c);
}

static bool expr_cheap(const ex_expr_t *e, const cheap_ctx_t *c)
{
    if (!e)
        return true;
    if (e->kind == EX_SESSION && (e->flag == EX_S_PG_SLEEP || e->flag >= EX_S_RINGDB_SPLIT))
        return false; /* sleeps, or waits on the cluster */
    if (e->kind == EX_SUBLINK && !plan_cheap(e->sub, NULL))
        return false;
    for (int i = 0; i < e->nargs; i++)
        if (!expr_cheap(e->args[i], c))
            return false;
    return true;
}

static bool bound_cheap(const sql_bound_t *b, const cheap_ctx_t *c)
{
    /* UPDATE and DELETE may wait for row locks, and so may a FOREIGN KEY
     * check (FOR KEY SHARE) and SELECT ... FOR UPDATE (P_LOCKROWS, not
     * cheap below): never on the loop */
    if (b->kind == AST_S_UPDATE || b->kind == AST_S_DELETE || (b->dml && b->dml->tab && b->dml->tab->nfkeys) ||
        (b->dml && b->dml->on_conflict_update))
        return false;
    /* nor a COMMIT or SET CONSTRAINTS running checks deferred to it
     * (they lock rows and UNIQUE values) */
    if ((b->kind == AST_S_COMMIT || b->kind == AST_S_SET_CONSTRAINTS) && c && c->s &&
        ex_fk_deferred_pending(c->s->fkdef))
        return false;
    /* nor an INSERT that locks a UNIQUE value (dml.h's ex_unique_lock) */
    for (int i = 0; b->dml && b->dml->tab && i < b->dml->tab->nindexes; i++)
        if (b->dml->tab->indexes[i].unique)
            return false;
    if (b->dml)
        return plan_cheap(b->dml->src, c) && (!b->plan || plan_cheap(b->plan, c));
    return plan_cheap(b->plan, c);
}

/* ---- running a bound statement ----------------------------------------- */

typedef struct retctx {
    rdb_session_t *s;
    rdb_sink_t    *sink;
    rowfmt_t      *f;
    const plan_t  *ret;
    const int16_t *formats;
} retctx_t;

static rdb_status_t ret_row(void *arg, const sql_value_t *row, rdb_err_t *err)
{
    retctx_t *rc = arg;
    if (send_row(rc->s, rc->sink, rc->f, rc->ret->ncols, rc->ret->types, rc->formats, row))
        return rdb_err_set(err, RDB_CANCELLED, "57014", "canceling statement: client gone");
    return RDB_OK;
}

static uint64_t table_rows(void *ctx, const sql_table_t *t)
{
    return sql_table_estimate_rows(((rdb_session_t *)ctx)->e->st, t);
}

/* Bind st; pvalues (npvalues of them, NULL: none) make a custom plan,
 * with $n bound as constants (EXPLAIN EXECUTE). */
static rdb_status_t do_bind_custom(rdb_session_t *s, rdb_arena_t *a, ast_stmt_t *st, const char *sql,
                                   const sql_catsnap_t *snap, sql_type_t *ptypes, int *nparams,
                                   const sql_value_t *pvalues, int npvalues, sql_bound_t *out, int *nsubs,
                                   int *first_unknown, rdb_err_t *err)
{
    sql_bindenv_t b;
    eng_bindenv_init(s, &b, a, snap, sql, ptypes);
    b.nparams = *nparams;
    b.pvalues = pvalues;
    b.npvalues = npvalues;
    if (sql_bind_stmt(&b, st, out, err) != RDB_OK)
        return RDB_SQL;
    *nparams = b.nparams;
    *nsubs = b.nsubs;
    plan_opts_t po;
    eng_plan_opts(s, &po);
    po.table_rows = table_rows;
    po.rows_ctx = s;
    if (first_unknown)
        *first_unknown = b.first_unknown;
    if (out->plan && out->kind == AST_S_SELECT) {
        out->plan = plan_optimize_opts(a, out->plan, &po);
        const char *w = eng_guc_get(s, "max_parallel_workers_per_gather");
        int workers = w ? atoi(w) : 0;
        ex_plan_parallel(out->plan, workers > 8 ? 8 : workers, table_rows, s);
        const char *nb = eng_guc_get(s, "ringdb.nestloop_batch");
        bool on = true;
        if (!nb || rdb_parse_bool(nb, &on) != 0 || on)
            ex_plan_nlbatch(out->plan);
        const char *kf = eng_guc_get(s, "ringdb.join_key_filter");
        if (kf && rdb_parse_bool(kf, &on) == 0 && !on)
            ex_plan_key_filter_off(out->plan);
    }
    if (out->dml) {
        /* a DML source without FROM items keeps its join order: READ
         * COMMITTED's re-check (dml.c) reads the conditions down its left
         * spine over the target's row; with FROM items it re-checks the
         * WHERE clause (sql_dml_t recheck) over the source row, whose
         * column order the join planner keeps */
        if (!out->dml->recheck)
            po.join_collapse_limit = 1;
        out->dml->src = plan_optimize_opts(a, out->dml->src, &po);
    }
    return RDB_OK;
}

static rdb_status_t do_bind(rdb_session_t *s, rdb_arena_t *a, ast_stmt_t *st, const char *sql,
                            const sql_catsnap_t *snap, sql_type_t *ptypes, int *nparams,
                            sql_bound_t *out, int *nsubs, rdb_err_t *err)
{
    return do_bind_custom(s, a, st, sql, snap, ptypes, nparams, NULL, 0, out, nsubs, NULL, err);
}

/* Run a bound SELECT or DML to the end or to max_rows.  For a SELECT the
 * portal (if any) keeps the open executor on suspension. */
static rdb_status_t run_bound(rdb_session_t *s, sql_bound_t *b, ex_run_t *r, rdb_sink_t *sink,
                              const int16_t *formats, ex_node_t **nodep, int64_t max_rows,
                              uint64_t *count, rdb_exec_state_t *state, rdb_err_t *err)
{
    rowfmt_t f = { 0 };
    rdb_status_t rc = RDB_OK;
    *state = RDB_EXEC_DONE;
    if (b->kind == AST_S_SELECT) {
        ex_node_t *n = nodep && *nodep ? *nodep : ex_open(r, b->plan);
        if (!n) {
            rowfmt_free(&f);
            return RDB_SQL;
        }
        const sql_value_t *row;
        int64_t sent = 0;
        while ((max_rows == 0 || sent < max_rows) && (row = ex_next(n))) {
            if (send_row(s, sink, &f, b->plan->ncols, b->plan->types, formats, row)) {
                rc = rdb_err_set(err, RDB_CANCELLED, "57014", "canceling statement: client gone");
                break;
            }
            sent++;
            (*count)++;
        }
        if (rc == RDB_OK && rdb_err_is_set(err))
            rc = err->code ? err->code : RDB_SQL;
        if (rc == RDB_OK && max_rows && sent == max_rows) {
            /* more rows may follow: keep the executor */
            if (nodep) {
                *nodep = n;
                *state = RDB_EXEC_SUSPENDED;
                rowfmt_free(&f);
                return RDB_OK;
            }
        }
        ex_close(n);
        if (nodep)
            *nodep = NULL;
        if (rc == RDB_OK) {
            char tag[48];
            snprintf(tag, sizeof tag, "SELECT %llu", (unsigned long long)*count);
            sink->command_complete(sink->ctx, tag);
        }
        rowfmt_free(&f);
        return rc;
    }
    retctx_t rctx = { s, sink, &f, b->plan, formats };
    rc = ex_dml_run(r, b, ret_row, &rctx, count);
    rowfmt_free(&f);
    if (rc != RDB_OK)
        return rc;
    char tag[48];
    if (b->kind == AST_S_INSERT)
        snprintf(tag, sizeof tag, "INSERT 0 %llu", (unsigned long long)*count);
    else
        snprintf(tag, sizeof tag, "%s %llu", b->kind == AST_S_UPDATE ? "UPDATE" : "DELETE",
                 (unsigned long long)*count);
    sink->command_complete(sink->ctx, tag);
    return RDB_OK;
}

/* ---- DDL ------------------------------------------------------------------ */

typedef struct ddlq {
    rdb_session_t *s;
} ddlq_t;

static rdb_status_t ddl_run_query(sql_ddl_ctx_t *ctx, json_t *select, sql_ddl_row_fn fn, void *arg,
                                  rdb_err_t *err)
{
    rdb_session_t *s = ctx->engine;
    rdb_arena_t a;
    rdb_arena_init(&a, 0);
    ast_select_t *sel;
    plan_t *p;
    sql_type_t ptypes[4] = { { 0, -1 } };
    sql_bindenv_t b;
    rdb_status_t rc = sql_parse_select_json(&a, select, &sel, err);
    if (rc == RDB_OK) {
        eng_bindenv_init(s, &b, &a, ctx->snap, ctx->sql, ptypes);
        rc = sql_bind_select(&b, sel, &p, err);
    }
    if (rc == RDB_OK) {
        p = plan_optimize(&a, p);
        rc = fn(arg, p->ncols, p->names, p->types, NULL, err);
    }
    if (rc == RDB_OK) {
        ex_run_t r;
        eng_run_init(s, &r, ctx->txn, ctx->snap, &a, err);
        ex_run_init_subs(&r, b.nsubs);
        ex_node_t *n = ex_open(&r, p);
        const sql_value_t *row;
        while (n && (row = ex_next(n)))
            if ((rc = fn(arg, p->ncols, p->names, p->types, row, err)) != RDB_OK)
                break;
        if (rc == RDB_OK && rdb_err_is_set(err))
            rc = RDB_SQL;
        if (!n)
            rc = RDB_SQL;
        ex_close(n);
    }
    rdb_arena_destroy(&a);
    return rc;
}

static rdb_status_t ddl_eval(sql_ddl_ctx_t *ctx, const sql_table_t *tab, json_t *expr,
                             const sql_value_t *row, sql_type_t type, rdb_arena_t *out_a,
                             sql_value_t *out, rdb_err_t *err)
{
    rdb_session_t *s = ctx->engine;
    rdb_arena_t a;
    rdb_arena_init(&a, 0);
    ast_expr_t *ae;
    ex_expr_t *e;
    sql_type_t ptypes[4] = { { 0, -1 } };
    sql_bindenv_t b;
    rdb_status_t rc = sql_parse_expr_json(&a, expr, &ae, err);
    if (rc == RDB_OK) {
        eng_bindenv_init(s, &b, &a, ctx->snap, NULL, ptypes);
        rc = sql_bind_row_expr(&b, row ? tab : NULL, ae, type, &e, err);
    }
    if (rc == RDB_OK) {
        ex_run_t r;
        eng_run_init(s, &r, ctx->txn, ctx->snap, &a, err);
        ex_run_init_subs(&r, b.nsubs);
        sql_value_t v;
        rc = ex_eval(&r, e, row, &a, &v);
        if (rc == RDB_OK)
            *out = v.isnull ? v : sql_value_copy(out_a, type.oid ? type : e->type, v);
    }
    rdb_arena_destroy(&a);
    return rc;
}

static rdb_status_t run_ddl(rdb_session_t *s, ast_stmt_t *st, const char *sql, rdb_sink_t *sink,
                            rdb_err_t *err)
{
    bool own;
    txn_t *t = eng_stmt_txn(s, &own);
    sql_catsnap_t *snap = sql_catalog_acquire(s->e->cat, t, err);
    rdb_status_t rc = snap ? RDB_OK : RDB_SQL;
    char tag[64] = "";
    if (rc == RDB_OK) {
        sql_ddl_ctx_t ctx = { 0 };
        ctx.txn = t;
        ctx.catalog = s->e->cat;
        ctx.snap = snap;
        ctx.user = s->user;
        ctx.search_path = (const char *const *)s->path;
        ctx.npath = s->npath;
        ctx.sql = sql;
        ctx.run_query = ddl_run_query;
        ctx.eval = ddl_eval;
        ctx.engine = s;
        notice_ctx_t nc = { sink, s };
        rc = sql_ddl_exec(&ctx, st->node_name, st->node, tag, session_notice_cb, &nc, err);
        sql_catalog_release(snap);
    }
    rc = eng_stmt_end(s, t, own, rc, err);
    if (rc == RDB_OK)
        sink->command_complete(sink->ctx, tag);
    return rc;
}

/* ---- one statement of the simple protocol ------------------------------- */

static rdb_status_t txn_control(rdb_session_t *s, ast_stmt_t *st, rdb_sink_t *sink, rdb_err_t *err)
{
    switch (st->kind) {
    case AST_S_BEGIN:
        if (s->state != 'I' && !s->implicit) {
            warn(sink, "25001", "there is already a transaction in progress");
        } else {
            if (!s->txn) {
                s->txn = txn_begin(s->e->st);
                s->txn_ts = now_pg_usec();
            }
            s->implicit = false;
            s->state = 'T';
        }
        sink->command_complete(sink->ctx, "BEGIN");
        return RDB_OK;
    case AST_S_COMMIT: {
        const char *tag = "COMMIT";
        rdb_status_t rc = RDB_OK;
        if (s->state == 'I') {
            warn(sink, "25P01", "there is no transaction in progress");
        } else if (s->state == 'E') {
            txn_abort(s->txn);
            tag = "ROLLBACK";
        } else {
            rc = eng_commit(s, s->txn, err);
        }
        s->txn = NULL;
        s->state = 'I';
        s->implicit = false;
        eng_txn_done(s);
        if (rc == RDB_OK)
            sink->command_complete(sink->ctx, tag);
        return rc;
    }
    case AST_S_ROLLBACK:
        if (s->state == 'I')
            warn(sink, "25P01", "there is no transaction in progress");
        else
            txn_abort(s->txn);
        s->txn = NULL;
        s->state = 'I';
        s->implicit = false;
        eng_txn_done(s);
        sink->command_complete(sink->ctx, "ROLLBACK");
        return RDB_OK;
    default:
        return RDB_OK;
    }
}

/* SET CONSTRAINTS: outside a block PostgreSQL warns, checks the names and
 * changes nothing that lasts. */
static rdb_status_t run_set_constraints(rdb_session_t *s, ast_stmt_t *st, rdb_sink_t *sink, rdb_err_t *err)
{
    if (s->state == 'I' || s->implicit)
        warn(sink, "25P01", "SET CONSTRAINTS can only be used in transaction blocks");
    bool own;
    txn_t *t = eng_stmt_txn(s, &own);
    sql_catsnap_t *snap = sql_catalog_acquire(s->e->cat, t, err);
    rdb_status_t rc = snap ? RDB_OK : RDB_SQL;
    if (rc == RDB_OK) {
        rdb_arena_t a;
        rdb_arena_init(&a, 0);
        ex_run_t r;
        eng_run_init(s, &r, t, snap, &a, err);
        rc = ex_fk_set_constraints(&r, st->nvalues, st->values, st->set_deferred);
        rdb_arena_destroy(&a);
        sql_catalog_release(snap);
    }
    rc = eng_stmt_end(s, t, own, rc, err);
    if (rc == RDB_OK)
        sink->command_complete(sink->ctx, "SET CONSTRAINTS");
    return rc;
}

/* SQL-level PREPARE / EXECUTE / DEALLOCATE (below, after the extended protocol). */
static void prep_free_all(rdb_session_t *s);
static rdb_status_t run_prepare(rdb_session_t *s, ast_stmt_t *st, const char *sql, rdb_sink_t *sink,
                                rdb_err_t *err);
static rdb_status_t run_execute(rdb_session_t *s, ast_stmt_t *st, const char *sql, rdb_sink_t *sink,
                                bool describe, rdb_err_t *err);
static rdb_status_t run_deallocate(rdb_session_t *s, ast_stmt_t *st, rdb_sink_t *sink, rdb_err_t *err);
typedef struct simple_stmt simple_stmt_t;
static rdb_status_t explain_execute_begin(rdb_session_t *s, ast_stmt_t *st, simple_stmt_t *x, rdb_err_t *err);

static rdb_status_t run_utility(rdb_session_t *s, ast_stmt_t *st, rdb_sink_t *sink, bool describe,
                                rdb_err_t *err)
{
    switch (st->kind) {
    case AST_S_SET: {
        rdb_buf_t v = RDB_BUF_INIT;
        for (int i = 0; i < st->nvalues; i++) {
            if (i)
                rdb_buf_append_str(&v, ", ");
            rdb_buf_append_str(&v, st->values[i]);
        }
        rdb_status_t rc;
        if (st->is_local && s->state == 'I') {
            if (eng_guc_notice_wanted(s, RDB_SEV_WARNING))
                warn(sink, "25P01", "SET LOCAL can only be used in transaction blocks");
            rc = RDB_OK;
        } else {
            rc = (st->is_local ? eng_guc_set_local : eng_guc_set)(s, st->name, rdb_buf_cstr(&v), sink, err);
        }
        rdb_buf_free(&v);
        if (rc == RDB_OK)
            sink->command_complete(sink->ctx, "SET");
        return rc;
    }
    case AST_S_RESET: {
        rdb_status_t rc = eng_guc_set(s, st->name, NULL, sink, err);
        if (rc == RDB_OK)
            sink->command_complete(sink->ctx, st->name ? "RESET" : "RESET");
        return rc;
    }
    case AST_S_SHOW:
        return eng_guc_show(s, st->name, sink, describe, err);
    case AST_S_DEALLOCATE:
        return run_deallocate(s, st, sink, err);
    case AST_S_SET_CONSTRAINTS:
        return run_set_constraints(s, st, sink, err);
    case AST_S_DISCARD:
        if (strcmp(st->tag, "DISCARD ALL") == 0)
            prep_free_all(s);
        /* fall through */
    case AST_S_NOOP:
        sink->command_complete(sink->ctx, st->tag ? st->tag : "SET");
        return RDB_OK;
    default:
        return rdb_err_set(err, RDB_SQL, "XX000", "unexpected statement kind %d", st->kind);
    }
}

/* A statement of the simple protocol (no parameters): its transaction,
 * arena, catalog snapshot and bound form.  simple_end releases them and
 * ends the statement's transaction with rc. */
struct simple_stmt {
    bool           own;
    txn_t         *t;
    rdb_arena_t    a;
    sql_catsnap_t *snap;
    int            nsubs;
    sql_bound_t    b;
};

static rdb_status_t simple_begin(rdb_session_t *s, ast_stmt_t *st, const char *sql, simple_stmt_t *x,
                                 rdb_err_t *err)
{
    x->t = eng_stmt_txn(s, &x->own);
    rdb_arena_init(&x->a, 0);
    x->nsubs = 0;
    x->snap = sql_catalog_acquire(s->e->cat, x->t, err);
    if (!x->snap)
        return RDB_SQL;
    sql_type_t ptypes[SQL_MAX_PARAMS];
    memset(ptypes, 0, sizeof ptypes);
    int nparams = 0;
    if (do_bind(s, &x->a, st, sql, x->snap, ptypes, &nparams, &x->b, &x->nsubs, err) != RDB_OK)
        return RDB_SQL;
    if (nparams > 0)
        return rdb_err_set(err, RDB_SQL, "42P02", "there is no parameter $1");
    return RDB_OK;
}

static rdb_status_t simple_end(rdb_session_t *s, simple_stmt_t *x, rdb_status_t rc, rdb_err_t *err)
{
    if (x->snap)
        sql_catalog_release(x->snap);
    rdb_arena_destroy(&x->a);
    return eng_stmt_end(s, x->t, x->own, rc, err);
}

/* Run a SELECT/DML statement in the simple protocol. */
static rdb_status_t run_query_stmt(rdb_session_t *s, ast_stmt_t *st, const char *sql, rdb_sink_t *sink,
                                   rdb_err_t *err)
{
    simple_stmt_t x;
    rdb_status_t rc = simple_begin(s, st, sql, &x, err);
    if (rc == RDB_OK) {
        const plan_t *desc = x.b.plan;
        if (desc) {
            int ncols;
            rdb_coldesc_t *cols;
            describe_plan(&x.a, desc, &ncols, &cols);
            sink->row_desc(sink->ctx, ncols, cols);
        }
        ex_run_t r;
        eng_run_init(s, &r, x.t, x.snap, &x.a, err);
        ex_run_init_subs(&r, x.nsubs);
        uint64_t count = 0;
        rdb_exec_state_t state;
        rc = run_bound(s, &x.b, &r, sink, NULL, NULL, 0, &count, &state, err);
    }
    return simple_end(s, &x, rc, err);
}

static rdb_status_t discard_row(void *arg, const sql_value_t *row, rdb_err_t *err)
{
    (void)arg, (void)row, (void)err;
    return RDB_OK;
}

/* EXPLAIN [ANALYZE] of a SELECT or DML statement (explain.h).  ANALYZE
 * runs the statement (DML changes the data, as in PostgreSQL) with
 * counters on, discarding its rows. */
static rdb_status_t run_explain(rdb_session_t *s, ast_stmt_t *st, const char *sql, rdb_sink_t *sink,
                                bool describe, rdb_err_t *err)
{
    simple_stmt_t x;
    uint64_t t0 = rdb_now_ns();
    rdb_status_t rc = st->inner->kind == AST_S_EXECUTE ? explain_execute_begin(s, st->inner, &x, err)
                                                       : simple_begin(s, st->inner, sql, &x, err);
    sql_bound_t *b = &x.b;
    ex_explain_t o = { .analyze = st->explain_analyze, .costs = st->explain_opts & AST_EXPLAIN_COSTS,
                       .timing = st->explain_opts & AST_EXPLAIN_TIMING,
                       .summary = st->explain_opts & AST_EXPLAIN_SUMMARY,
                       .json = st->explain_opts & AST_EXPLAIN_JSON,
                       .verbose = st->explain_opts & AST_EXPLAIN_VERBOSE };
    o.plan_ms = (double)(rdb_now_ns() - t0) / 1e6;
    const plan_t *shown = NULL;
    if (rc == RDB_OK) {
        shown = b->kind == AST_S_SELECT ? b->plan : b->dml->src;
        if (b->kind != AST_S_SELECT) {
            o.dml = b->kind == AST_S_INSERT ? "Insert" : b->kind == AST_S_UPDATE ? "Update" : "Delete";
            o.dml_tab = b->dml->tab;
        }
    }
    if (rc == RDB_OK && o.analyze) {
        ex_run_t r;
        eng_run_init(s, &r, x.t, x.snap, &x.a, err);
        ex_run_init_subs(&r, x.nsubs);
        ex_instr_map_t *m = ex_instr_new(&x.a, o.timing);
        r.instr = m;
        o.instr = m;
        uint64_t t1 = rdb_now_ns();
        if (b->kind == AST_S_SELECT) {
            ex_node_t *n = ex_open(&r, b->plan);
            if (n) {
                while (ex_next(n))
                    ;
                ex_close(n);
            }
            if (rdb_err_is_set(err))
                rc = err->code ? err->code : RDB_SQL;
        } else {
            rc = ex_dml_run(&r, b, discard_row, NULL, &o.dml_rows);
                }
        o.exec_ms = (double)(rdb_now_ns() - t1) / 1e6;
    }
    if (rc == RDB_OK) {
        int nlines;
        const char **lines;
        ex_explain_render(&x.a, shown, &o, &nlines, &lines);
        if (describe) {
            rdb_coldesc_t col = { "QUERY PLAN", 0, 0, o.json ? SQL_OID_JSON : SQL_OID_TEXT, -1, -1, 0 };
            sink->row_desc(sink->ctx, 1, &col);
        }
        for (int i = 0; i < nlines && rc == RDB_OK; i++) {
            int32_t len = (int32_t)strlen(lines[i]);
            if (sink->data_row(sink->ctx, 1, &lines[i], &len))
                rc = rdb_err_set(err, RDB_CANCELLED, "57014", "canceling statement: client gone");
        }
        if (rc == RDB_OK)
            sink->command_complete(sink->ctx, "EXPLAIN");
    }
    return simple_end(s, &x, rc, err);
}

static bool stmt_allowed_in_failed(const ast_stmt_t *st)
{
    return st->kind == AST_S_COMMIT || st->kind == AST_S_ROLLBACK;
}

static rdb_status_t failed_block(rdb_err_t *err)
{
    return rdb_err_set(err, RDB_SQL, "25P02",
                       "current transaction is aborted, commands ignored until end of transaction block");
}

/* Run statements [from, n) of p; stop at a COPY FROM (state COPY_IN). */
static rdb_status_t run_stmts(rdb_session_t *s, ast_parse_t *p, int from, const char *sql,
                              rdb_sink_t *sink, rdb_exec_state_t *state, rdb_err_t *err)
{
    *state = RDB_EXEC_DONE;
    for (int i = from; i < p->nstmts; i++) {
        ast_stmt_t *st = p->stmts[i];
        atomic_store(&s->cancel, 0);
        if (s->state == 'E' && !stmt_allowed_in_failed(st))
            return failed_block(err);
        rdb_status_t rc;
        switch (st->kind) {
        case AST_S_SELECT:
        case AST_S_INSERT:
        case AST_S_UPDATE:
        case AST_S_DELETE:
            rc = run_query_stmt(s, st, sql, sink, err);
            break;
        case AST_S_DDL:
            rc = run_ddl(s, st, sql, sink, err);
            break;
        case AST_S_BEGIN:
        case AST_S_COMMIT:
        case AST_S_ROLLBACK:
            rc = txn_control(s, st, sink, err);
            break;
        case AST_S_COPY:
            if (st->copy_from) {
                rc = eng_copy_begin(s, st, sink, state, err);
                if (rc == RDB_OK && *state == RDB_EXEC_COPY_IN) {
                    s->rest_next = i + 1;
                    return RDB_OK;
                }
            } else {
                rc = eng_copy_out(s, st, sink, err);
            }
            break;
        case AST_S_EXPLAIN:
            rc = run_explain(s, st, sql, sink, true, err);
            break;
        case AST_S_PREPARE:
            rc = run_prepare(s, st, sql, sink, err);
            break;
        case AST_S_EXECUTE:
            rc = run_execute(s, st, sql, sink, true, err);
            break;
        default:
            rc = run_utility(s, st, sink, true, err);
            break;
        }
        if (rc != RDB_OK) {
            if (s->state == 'T' && st->kind != AST_S_COMMIT)
                s->state = 'E';
            return rc;
        }
    }
    return RDB_OK;
}

static bool parse_cheap(rdb_session_t *s, ast_parse_t *p, const char *sql)
{
    for (int i = 0; i < p->nstmts; i++) {
        ast_stmt_t *st = p->stmts[i];
        if (st->kind == AST_S_DDL || st->kind == AST_S_COPY || st->kind == AST_S_EXECUTE ||
            st->kind == AST_S_PREPARE)
            return false;
        /* the checks deferred to COMMIT (or to SET CONSTRAINTS ...
         * IMMEDIATE) lock rows and UNIQUE values: they may wait */
        if ((st->kind == AST_S_COMMIT || st->kind == AST_S_SET_CONSTRAINTS) && ex_fk_deferred_pending(s->fkdef))
            return false;
        if (st->kind != AST_S_SELECT && st->kind != AST_S_INSERT && st->kind != AST_S_UPDATE &&
            st->kind != AST_S_DELETE)
            continue;
        /* bind without side effects to see the plan */
        rdb_arena_t a;
        rdb_arena_init(&a, 0);
        rdb_err_t e2 = RDB_ERR_INIT;
        sql_catsnap_t *snap = sql_catalog_acquire(s->e->cat, s->txn, &e2);
        bool cheap = false;
        if (snap) {
            sql_type_t ptypes[SQL_MAX_PARAMS];
            memset(ptypes, 0, sizeof ptypes);
            int np = 0, nsubs = 0;
            sql_bound_t b;
            if (do_bind(s, &a, st, sql, snap, ptypes, &np, &b, &nsubs, &e2) == RDB_OK)
                cheap = bound_cheap(&b, &(cheap_ctx_t){ s, NULL, 0 });
            else
                cheap = true;   /* it will fail quickly */
            sql_catalog_release(snap);
        }
        rdb_err_clear(&e2);
        rdb_arena_destroy(&a);
        if (!cheap)
            return false;
    }
    return true;
}

/* ---- simple query ------------------------------------------------------- */

/* Only statements whose tree is read, never consumed, by execution are kept
 * for reuse; the rest (DDL, COPY, utility) are parsed again when repeated. */
#define ENG_PARSE_KEEP_MAX 16384

static bool parse_reusable(const ast_parse_t *p)
{
    for (int i = 0; i < p->nstmts; i++)
        switch (p->stmts[i]->kind) {
        case AST_S_SELECT:
        case AST_S_INSERT:
        case AST_S_UPDATE:
        case AST_S_DELETE:
        case AST_S_BEGIN:
        case AST_S_COMMIT:
        case AST_S_ROLLBACK:
            break;
        default:
            return false;
        }
    return true;
}

static void parsed_drop(eng_parsed_t *q)
{
    if (!q->sql)
        return;
    sql_parse_free(&q->parse);
    rdb_arena_reset(&q->arena);
    free(q->sql);
    q->sql = NULL;
    q->pinned = false;
}

static void parsed_free_all(rdb_session_t *s)
{
    for (int i = 0; i < ENG_PARSE_CACHE; i++) {
        eng_parsed_t *q = &s->parsed[i];
        parsed_drop(q);
        if (q->arena_ok)
            rdb_arena_destroy(&q->arena);
        q->arena_ok = false;
    }
}

/* The parse of sql: the kept one, or a new one in the least recently used
 * unpinned slot.  Pins the result.  NULL (err set) on a syntax error. */
static eng_parsed_t *parsed_get(rdb_session_t *s, const char *sql, rdb_err_t *err)
{
    size_t len = strlen(sql);
    uint64_t h = rdb_hash64(sql, len, 0);
    eng_parsed_t *hit = NULL, *victim = NULL;
    s->parsed_tick++;
    for (int i = 0; i < ENG_PARSE_CACHE; i++) {
        eng_parsed_t *q = &s->parsed[i];
        if (q->sql && !hit && q->hash == h && q->len == len && memcmp(q->sql, sql, len) == 0) {
            hit = q;
            continue;
        }
        if (q->pinned)
            continue;
        if (q->sql && q->once)
            parsed_drop(q);     /* kept only to be picked up by a worker */
        if (!victim || !q->sql || (victim->sql && q->used < victim->used))
            victim = q;
    }
    if (hit) {
        hit->used = s->parsed_tick;
        hit->pinned = true;
        return hit;
    }
    if (!victim) {
        rdb_err_set(err, RDB_SQL, "54000", "too many query strings in progress");
        return NULL;
    }
    parsed_drop(victim);
    if (!victim->arena_ok) {
        rdb_arena_init(&victim->arena, 0);
        victim->arena_ok = true;
    }
    victim->sql = malloc(len + 1);
    memcpy(victim->sql, sql, len + 1);
    if (sql_parse(&victim->arena, victim->sql, &victim->parse, err) != RDB_OK) {
        sql_parse_free(&victim->parse);
        rdb_arena_reset(&victim->arena);
        free(victim->sql);
        victim->sql = NULL;
        return NULL;
    }
    victim->len = len;
    victim->hash = h;
    victim->used = s->parsed_tick;
    victim->once = len > ENG_PARSE_KEEP_MAX || !parse_reusable(&victim->parse);
    victim->pinned = true;
    return victim;
}

/* The query string in s->rest is finished (or handed on): unpin it. */
static void rest_clear(rdb_session_t *s)
{
    if (s->rest) {
        s->rest->pinned = false;
        s->rest = NULL;
    }
}

static rdb_status_t e_simple_query(rdb_session_t *s, const char *sql, int flags, rdb_sink_t *sink,
                                   rdb_exec_state_t *state, rdb_err_t *err)
{
    *state = RDB_EXEC_DONE;
    s->may_wait = !(flags & RDB_EXEC_ON_LOOP);
    eng_syscat_session(s); /* a pooled thread's may name a closed session */
    rest_clear(s);
    eng_parsed_t *q = parsed_get(s, sql, err);
    if (!q) {
        if (s->state == 'T')
            s->state = 'E';
        return rdb_err_is_set(err) ? err->code : RDB_SQL;
    }
    s->rest = q;
    if (q->parse.nstmts == 0) {
        sink->empty_query(sink->ctx);
        rest_clear(s);
        return RDB_OK;
    }
    if ((flags & RDB_EXEC_ON_LOOP) && s->state != 'E' &&
        (eng_clu_commit_waits(s) || !parse_cheap(s, &q->parse, q->sql))) {
        *state = RDB_EXEC_OFFLOAD;     /* the worker finds the parse kept */
        rest_clear(s);
        return RDB_OK;
    }
    rdb_status_t rc = run_stmts(s, &q->parse, 0, q->sql, sink, state, err);
    if (*state != RDB_EXEC_COPY_IN)
        rest_clear(s);
    return rc;
}

static rdb_status_t e_simple_query_resume(rdb_session_t *s, rdb_sink_t *sink, rdb_exec_state_t *state,
                                          rdb_err_t *err)
{
    *state = RDB_EXEC_DONE;
    s->may_wait = false;   /* resumed on the loop after COPY data */
    if (!s->rest)
        return RDB_OK;
    rdb_status_t rc = run_stmts(s, &s->rest->parse, s->rest_next, s->rest->sql, sink, state, err);
    if (*state != RDB_EXEC_COPY_IN)
        rest_clear(s);
    return rc;
}

/* ---- COPY FROM STDIN passthrough ------------------------------------------ */

static rdb_status_t e_copy_in_data(rdb_session_t *s, const char *data, size_t len, rdb_err_t *err)
{
    return eng_copy_data(s, data, len, err);
}

static rdb_status_t e_copy_in_done(rdb_session_t *s, rdb_sink_t *sink, rdb_err_t *err)
{
    uint64_t rows = 0;
    rdb_status_t rc = eng_copy_done(s, sink, &rows, err);
    if (rc != RDB_OK && s->state == 'T')
        s->state = 'E';
    if (rc != RDB_OK)
        rest_clear(s);
    return rc;
}

static void e_copy_in_fail(rdb_session_t *s, const char *msg)
{
    (void)msg;
    eng_copy_free(s);
    if (s->state == 'T')
        s->state = 'E';
    rest_clear(s);
}

/* ---- extended protocol ------------------------------------------------------ */

static rdb_status_t stmt_bind_now(rdb_stmt_t *ps, txn_t *t, rdb_err_t *err)
{
    rdb_session_t *s = ps->s;
    sql_catsnap_t *snap = sql_catalog_acquire(s->e->cat, t, err);
    if (!snap)
        return RDB_SQL;
    if (ps->snap == snap && ps->bound_ok) {
        sql_catalog_release(snap);
        return RDB_OK;
    }
    for (int i = 0; i < SQL_MAX_PARAMS; i++)
        if (!ps->fixed[i])
            ps->ptypes[i] = (sql_type_t){ 0, -1 };
    int np = ps->nparams;
    sql_bound_t b;
    int nsubs;
    if (do_bind(s, &ps->a, ps->st, ps->sql, snap, ps->ptypes, &np, &b, &nsubs, err) != RDB_OK) {
        sql_catalog_release(snap);
        return RDB_SQL;
    }
    if (ps->snap)
        sql_catalog_release(ps->snap);
    ps->snap = snap;
    ps->bound = b;
    ps->bound_ok = true;
    ps->nsubs = nsubs;
    if (np > ps->nparams)
        ps->nparams = np;
    return RDB_OK;
}

static void prep_describe(rdb_stmt_t *ps);
static void e_stmt_free(rdb_stmt_t *ps);

/* A new statement for both ways of preparing one (the protocol's Parse and
 * SQL PREPARE): one reference (the caller's), its own copy of sql parsed
 * into its own arena, every parameter type unknown.  On failure *out is
 * NULL and nothing is kept. */
static rdb_status_t stmt_new(rdb_session_t *s, const char *sql, rdb_stmt_t **out, rdb_err_t *err)
{
    rdb_stmt_t *ps = calloc(1, sizeof *ps);
    ps->s = s;
    ps->refs = 1;
    rdb_arena_init(&ps->a, 0);
    ps->sql = strdup(sql);
    for (int i = 0; i < SQL_MAX_PARAMS; i++)
        ps->ptypes[i] = (sql_type_t){ 0, -1 };
    if (sql_parse(&ps->a, ps->sql, &ps->parse, err) != RDB_OK) {
        e_stmt_free(ps);
        *out = NULL;
        return RDB_SQL;
    }
    *out = ps;
    return RDB_OK;
}

/* The parameter type oids Describe reports (ps->poids), once ps->nparams
 * and ps->ptypes are final: a type nothing fixed is reported as text. */
static void stmt_set_poids(rdb_stmt_t *ps)
{
    ps->poids = RDB_ARENA_NEWN(&ps->a, uint32_t, ps->nparams + 1);
    for (int i = 0; i < ps->nparams; i++)
        ps->poids[i] = ps->ptypes[i].oid ? ps->ptypes[i].oid : SQL_OID_TEXT;
}

static rdb_status_t e_prepare(rdb_session_t *s, const char *sql, int nparams, const uint32_t *param_types,
                              rdb_stmt_t **out, rdb_err_t *err)
{
    rdb_stmt_t *ps;
    rdb_status_t rc = stmt_new(s, sql, &ps, err);
    if (rc != RDB_OK)
        return rc;
    if (nparams > SQL_MAX_PARAMS)
        nparams = SQL_MAX_PARAMS;
    for (int i = 0; i < nparams; i++)
        if (param_types[i]) {
            ps->ptypes[i] = (sql_type_t){ param_types[i], -1 };
            ps->fixed[i] = true;
        }
    ps->nparams = nparams;
    if (ps->parse.nstmts > 1)
        rc = rdb_err_set(err, RDB_SQL, "42601", "cannot insert multiple commands into a prepared statement");
    if (rc == RDB_OK && ps->parse.nstmts == 1) {
        ps->st = ps->parse.stmts[0];
        switch (ps->st->kind) {
        case AST_S_SELECT:
        case AST_S_INSERT:
        case AST_S_UPDATE:
        case AST_S_DELETE:
            if (s->state == 'E')
                rc = failed_block(err);
            else
                rc = stmt_bind_now(ps, s->txn, err);
            if (rc == RDB_OK && ps->bound.plan)
                describe_plan(&ps->a, ps->bound.plan, &ps->ncols, &ps->cols);
            break;
        case AST_S_EXPLAIN:
            ps->ncols = 1;
            ps->cols = RDB_ARENA_NEWN(&ps->a, rdb_coldesc_t, 1);
            ps->cols[0] = (rdb_coldesc_t){ "QUERY PLAN", 0, 0,
                                           ps->st->explain_opts & AST_EXPLAIN_JSON ? SQL_OID_JSON : SQL_OID_TEXT,
                                           -1, -1, 0 };
            break;
        case AST_S_EXECUTE:
            prep_describe(ps);
            break;
        case AST_S_SHOW: {
            ps->ncols = 1;
            ps->cols = RDB_ARENA_NEWN(&ps->a, rdb_coldesc_t, 1);
            ps->cols[0] = (rdb_coldesc_t){ ps->st->name, 0, 0, SQL_OID_TEXT, -1, -1, 0 };
            break;
        }
        default:
            break;
        }
    }
    if (rc != RDB_OK) {
        e_stmt_free(ps);
        return rc;
    }
    stmt_set_poids(ps);
    *out = ps;
    return RDB_OK;
}

static void e_stmt_describe(rdb_stmt_t *ps, int *nparams, const uint32_t **param_types, int *ncols,
                            const rdb_coldesc_t **cols)
{
    *nparams = ps->nparams;
    *param_types = ps->poids;
    *ncols = ps->ncols;
    *cols = ps->ncols ? ps->cols : NULL;
}

/* Drop one reference: the statement lives while a name or a portal has it. */
static void e_stmt_free(rdb_stmt_t *ps)
{
    if (!ps || --ps->refs > 0)
        return;
    sql_parse_free(&ps->parse);
    if (ps->snap)
        sql_catalog_release(ps->snap);
    rdb_arena_destroy(&ps->a);
    free(ps->sql);
    free(ps->name);
    free(ps);
}

static void portal_stop(rdb_portal_t *p)
{
    if (!p->running)
        return;
    ex_close(p->node);
    p->node = NULL;
    if (p->snap)
        sql_catalog_release(p->snap);
    p->snap = NULL;
    rdb_arena_destroy(&p->runa);
    rdb_err_clear(&p->runerr);
    p->running = false;
}

static void e_portal_free(rdb_portal_t *p)
{
    if (!p)
        return;
    portal_stop(p);
    e_stmt_free(p->stmt);
    rdb_arena_destroy(&p->a);
    free(p);
}

static rdb_status_t e_bind(rdb_session_t *s, rdb_stmt_t *ps, int nparams, const int16_t *formats,
                           const char *const *values, const int32_t *lens, int nresult,
                           const int16_t *result_formats, rdb_portal_t **out, rdb_err_t *err)
{
    if (nparams != ps->nparams)
        return rdb_err_set(err, RDB_PROTOCOL, "08P01",
                           "bind message supplies %d parameters, but prepared statement \"%s\" requires %d",
                           nparams, ps->name ? ps->name : "", ps->nparams);
    rdb_portal_t *p = calloc(1, sizeof *p);
    p->stmt = ps;
    ps->refs++;
    rdb_arena_init(&p->a, 0);
    p->params = RDB_ARENA_NEWN(&p->a, sql_value_t, nparams + 1);
    for (int i = 0; i < nparams; i++) {
        sql_type_t t = { ps->poids[i], -1 };
        if (lens[i] < 0) {
            p->params[i] = sql_null();
            continue;
        }
        rdb_status_t rc = formats[i] == 1
            ? sql_value_recv(&p->a, t, values[i], (size_t)lens[i], &p->params[i], err)
            : sql_value_in(&p->a, &s->fs, t, values[i], (size_t)lens[i], &p->params[i], err);
        if (rc != RDB_OK) {
            e_portal_free(p);
            return rc;
        }
    }
    int nc = ps->ncols;
    p->formats = RDB_ARENA_NEWN(&p->a, int16_t, nc + 1);
    p->cols = RDB_ARENA_NEWN(&p->a, rdb_coldesc_t, nc + 1);
    if (nresult > 1 && nresult != nc) {
        e_portal_free(p);
        return rdb_err_set(err, RDB_PROTOCOL, "08P01", "bind message has %d result formats but query has %d columns",
                           nresult, nc);
    }
    for (int i = 0; i < nc; i++) {
        p->formats[i] = nresult == 0 ? 0 : nresult == 1 ? result_formats[0] : result_formats[i];
        p->cols[i] = ps->cols[i];
        p->cols[i].format = p->formats[i];
    }
    *out = p;
    return RDB_OK;
}

static void e_portal_describe(rdb_portal_t *p, int *ncols, const rdb_coldesc_t **cols)
{
    *ncols = p->stmt->ncols;
    *cols = p->stmt->ncols ? p->cols : NULL;
}

static rdb_status_t e_execute(rdb_session_t *s, rdb_portal_t *p, int64_t max_rows, int flags,
                              rdb_sink_t *sink, rdb_exec_state_t *state, rdb_err_t *err)
{
    rdb_stmt_t *ps = p->stmt;
    ast_stmt_t *st = ps->st;
    *state = RDB_EXEC_DONE;
    s->may_wait = !(flags & RDB_EXEC_ON_LOOP);
    eng_syscat_session(s); /* a pooled thread's may name a closed session */
    atomic_store(&s->cancel, 0);
    if (!st) {
        sink->empty_query(sink->ctx);
        return RDB_OK;
    }
    if (s->state == 'E' && !stmt_allowed_in_failed(st))
        return failed_block(err);
    switch (st->kind) {
    case AST_S_BEGIN:
    case AST_S_COMMIT:
    case AST_S_ROLLBACK:
        return txn_control(s, st, sink, err);
    case AST_S_DDL:
        if (flags & RDB_EXEC_ON_LOOP) {
            *state = RDB_EXEC_OFFLOAD;
            return RDB_OK;
        }
        return run_ddl(s, st, ps->sql, sink, err);
    case AST_S_COPY:
        if (st->copy_from)
            return eng_copy_begin(s, st, sink, state, err);
        return eng_copy_out(s, st, sink, err);
    case AST_S_SELECT:
    case AST_S_INSERT:
    case AST_S_UPDATE:
    case AST_S_DELETE:
        break;
    case AST_S_EXPLAIN:
        if (flags & RDB_EXEC_ON_LOOP) {
            *state = RDB_EXEC_OFFLOAD;
            return RDB_OK;
        }
        return run_explain(s, st, ps->sql, sink, false, err);
    case AST_S_PREPARE:
    case AST_S_EXECUTE:
        if (flags & RDB_EXEC_ON_LOOP) {
            *state = RDB_EXEC_OFFLOAD;
            return RDB_OK;
        }
        return st->kind == AST_S_PREPARE ? run_prepare(s, st, ps->sql, sink, err)
                                         : run_execute(s, st, ps->sql, sink, false, err);
    default:
        return run_utility(s, st, sink, false, err);
    }
    if (p->running) {
        /* continue a suspended portal */
        rdb_status_t rc = run_bound(s, &ps->bound, &p->run, sink, p->formats, &p->node, max_rows,
                                    &p->count, state, err);
        if (*state != RDB_EXEC_SUSPENDED)
            portal_stop(p);
        return rc;
    }
    if ((flags & RDB_EXEC_ON_LOOP) && ps->bound_ok &&
        (eng_clu_commit_waits(s) || !bound_cheap(&ps->bound, &(cheap_ctx_t){ s, p->params, ps->nparams }))) {
        *state = RDB_EXEC_OFFLOAD;
        return RDB_OK;
    }
    /* the extended protocol's implicit transaction */
    if (!s->txn) {
        s->txn = txn_begin(s->e->st);
        s->txn_ts = now_pg_usec();
        s->implicit = true;
    }
    txn_t *t = s->txn;
    if (stmt_bind_now(ps, t, err) != RDB_OK)
        return eng_stmt_end(s, t, false, RDB_SQL, err);
    if (ps->ncols != (ps->bound.plan ? ps->bound.plan->ncols : 0))
        return eng_stmt_end(s, t, false, rdb_err_set(err, RDB_SQL, "0A000",
                            "cached plan must not change result type"), err);
    p->running = true;
    ps->execs++;
    rdb_arena_init(&p->runa, 0);
    eng_run_init(s, &p->run, t, ps->snap, &p->runa, err);
    p->run.nparams = ps->nparams;
    p->run.params = p->params;
    ex_run_init_subs(&p->run, ps->nsubs);
    p->count = 0;
    rdb_status_t rc = run_bound(s, &ps->bound, &p->run, sink, p->formats,
                                ps->bound.kind == AST_S_SELECT ? &p->node : NULL, max_rows, &p->count,
                                state, err);
    if (*state != RDB_EXEC_SUSPENDED)
        portal_stop(p);
    return eng_stmt_end(s, t, false, rc, err);
}

static rdb_status_t e_sync(rdb_session_t *s, rdb_err_t *err)
{
    if (s->implicit && s->txn) {
        txn_t *t = s->txn;
        s->txn = NULL;
        s->implicit = false;
        rdb_status_t rc = eng_commit(s, t, err);
        eng_txn_done(s);
        return rc;
    }
    return RDB_OK;
}

static int64_t e_idle_in_txn_timeout_ms(rdb_session_t *s)
{
    return s->idle_in_txn_timeout_ms;
}

static char e_txn_status(rdb_session_t *s)
{
    return s->implicit ? 'I' : s->state;
}

static void e_cancel(rdb_session_t *s)
{
    atomic_store(&s->cancel, 1);
}

/* ---- SQL-level prepared statements ---------------------------------------------
 *
 * PREPARE name [(types)] AS stmt makes an rdb_stmt_t as the protocol's Parse
 * does (the same binding, re-bound after DDL, the same run), kept by name
 * in the session; EXECUTE name [(args)] evaluates the arguments, coerces
 * them to the parameter types (assignment rules, as PostgreSQL's
 * EvaluateParams) and runs it; EXPLAIN EXECUTE binds a custom plan with
 * the arguments as constants, as PostgreSQL's first executions do.
 *
 * One name space, as in PostgreSQL: the protocol's named statements (Parse
 * "s1") are kept here too, through the backend's stmt_store / stmt_find /
 * stmt_close, so EXECUTE runs them, DEALLOCATE drops them, a name taken
 * either way is 42P05 and pg_prepared_statements lists them (from_sql
 * false).  Only the unnamed statement stays in pgwire.  A portal holds a
 * reference to its statement, so DEALLOCATE does not end a portal. */

typedef struct eng_prep {
    char            *name;
    int64_t          time;      /* prepare_time, PostgreSQL microseconds */
    rdb_stmt_t      *ps;        /* ps->sql: the query string that made it */
    bool             from_sql;  /* PREPARE (true) or the protocol's Parse */
    struct eng_prep *next;
} eng_prep_t;

static eng_prep_t *prep_find(rdb_session_t *s, const char *name, eng_prep_t ***link)
{
    for (eng_prep_t **l = &s->preps; *l; l = &(*l)->next)
        if (strcmp((*l)->name, name) == 0) {
            if (link)
                *link = l;
            return *l;
        }
    return NULL;
}

static void prep_free(eng_prep_t *p)
{
    e_stmt_free(p->ps);
    free(p->name);
    free(p);
}

static void prep_free_all(rdb_session_t *s)
{
    while (s->preps) {
        eng_prep_t *p = s->preps;
        s->preps = p->next;
        prep_free(p);
    }
}

static void prep_add(rdb_session_t *s, const char *name, rdb_stmt_t *ps, bool from_sql)
{
    eng_prep_t *p = calloc(1, sizeof *p);
    p->name = strdup(name);
    p->time = s->txn ? s->txn_ts : now_pg_usec();
    p->ps = ps;
    p->from_sql = from_sql;
    free(ps->name);
    ps->name = strdup(name);
    p->next = s->preps;
    s->preps = p;
}

/* EXECUTE runs a plan: PREPARE makes only those, the protocol's Parse
 * may have prepared anything. */
static bool prep_runs_plan(const rdb_stmt_t *ps)
{
    if (!ps->st)
        return false;
    switch (ps->st->kind) {
    case AST_S_SELECT: case AST_S_INSERT: case AST_S_UPDATE: case AST_S_DELETE:
        return true;
    default:
        return false;
    }
}

static rdb_status_t prep_not_found(const char *name, rdb_err_t *err)
{
    return rdb_err_set(err, RDB_SQL, "26000", "prepared statement \"%s\" does not exist", name);
}

/* The extended protocol's Parse of "EXECUTE name": its result columns. */
static void prep_describe(rdb_stmt_t *ps)
{
    eng_prep_t *p = prep_find(ps->s, ps->st->name, NULL);
    if (!p || !p->ps->ncols)
        return;
    ps->ncols = p->ps->ncols;
    ps->cols = RDB_ARENA_NEWN(&ps->a, rdb_coldesc_t, ps->ncols);
    memcpy(ps->cols, p->ps->cols, sizeof *ps->cols * (size_t)ps->ncols);
    /* the names live in the prepared statement, which DEALLOCATE may free first */
    for (int i = 0; i < ps->ncols; i++)
        ps->cols[i].name = rdb_arena_strdup(&ps->a, ps->cols[i].name);
}

const char *eng_prepared_at(rdb_session_t *s, int i, const char **text, int64_t *time, int *nparams,
                            const uint32_t **ptypes, int64_t *execs, bool *from_sql)
{
    eng_prep_t *p = s->preps;
    for (; p && i > 0; i--)
        p = p->next;
    if (!p)
        return NULL;
    *text = p->ps->sql;
    *time = p->time;
    *nparams = p->ps->nparams;
    *ptypes = p->ps->poids;
    *execs = p->ps->execs;
    *from_sql = p->from_sql;
    return p->name;
}

/* ps is the query string parsed again (stmt_new) so that the statement owns
 * its tree: take the PREPARE at st's loc, resolve the given types and bind
 * at t's snapshot. */
static rdb_status_t prep_make(rdb_session_t *s, ast_stmt_t *st, txn_t *t, rdb_stmt_t *ps, rdb_err_t *err)
{
    for (int i = 0; i < ps->parse.nstmts && !ps->st; i++)
        if (ps->parse.stmts[i]->kind == AST_S_PREPARE && ps->parse.stmts[i]->loc == st->loc)
            ps->st = ps->parse.stmts[i];
    if (!ps->st)
        return rdb_err_set(err, RDB_SQL, "XX000", "PREPARE statement not found in its query string");
    ast_stmt_t *pst = ps->st;
    ps->st = pst->inner;
    if (pst->nprep_types > SQL_MAX_PARAMS)
        return rdb_err_set(err, RDB_SQL, "54023", "too many parameters");
    sql_catsnap_t *snap = sql_catalog_acquire(s->e->cat, t, err);
    if (!snap)
        return RDB_SQL;
    sql_bindenv_t b;
    eng_bindenv_init(s, &b, &ps->a, snap, ps->sql, ps->ptypes);
    rdb_status_t rc = RDB_OK;
    for (int i = 0; i < pst->nprep_types && rc == RDB_OK; i++) {
        rc = sql_bind_typename(&b, pst->prep_types[i], &ps->ptypes[i], err);
        ps->fixed[i] = true;
    }
    int np = pst->nprep_types, unknown = 0;
    if (rc == RDB_OK)
        rc = do_bind_custom(s, &ps->a, ps->st, ps->sql, snap, ps->ptypes, &np, NULL, 0, &ps->bound, &ps->nsubs,
                            &unknown, err);
    if (rc != RDB_OK) {
        sql_catalog_release(snap);
        return rc;
    }
    ps->snap = snap;    /* the statement's reference now */
    ps->bound_ok = true;
    ps->nparams = np;
    if (unknown)
        return rdb_err_set(err, RDB_SQL, "42P18", "could not determine data type of parameter $%d", unknown);
    for (int i = 0; i < ps->nparams; i++)
        ps->fixed[i] = true;
    if (ps->bound.plan)
        describe_plan(&ps->a, ps->bound.plan, &ps->ncols, &ps->cols);
    stmt_set_poids(ps);     /* every type is known here */
    return RDB_OK;
}

static rdb_status_t run_prepare(rdb_session_t *s, ast_stmt_t *st, const char *sql, rdb_sink_t *sink,
                                rdb_err_t *err)
{
    if (prep_find(s, st->name, NULL))
        return rdb_err_set(err, RDB_SQL, "42P05", "prepared statement \"%s\" already exists", st->name);
    bool own;
    txn_t *t = eng_stmt_txn(s, &own);
    rdb_stmt_t *ps;
    rdb_status_t rc = stmt_new(s, sql, &ps, err);
    if (rc == RDB_OK)
        rc = prep_make(s, st, t, ps, err);
    rc = eng_stmt_end(s, t, own, rc, err);
    if (rc != RDB_OK) {
        e_stmt_free(ps);
        return rc;
    }
    prep_add(s, st->name, ps, true);
    sink->command_complete(sink->ctx, "PREPARE");
    return RDB_OK;
}

/* The backend's stmt_store: Parse of a named statement. */
static rdb_status_t e_stmt_store(rdb_session_t *s, const char *name, rdb_stmt_t *ps, rdb_err_t *err)
{
    if (prep_find(s, name, NULL))
        return rdb_err_set(err, RDB_SQL, "42P05", "prepared statement \"%s\" already exists", name);
    prep_add(s, name, ps, false);
    return RDB_OK;
}

static rdb_stmt_t *e_stmt_find(rdb_session_t *s, const char *name)
{
    eng_prep_t *p = prep_find(s, name, NULL);
    return p ? p->ps : NULL;
}

static void e_stmt_close(rdb_session_t *s, const char *name)
{
    eng_prep_t **link, *p = prep_find(s, name, &link);
    if (p) {
        *link = p->next;
        prep_free(p);
    }
}

/* EXECUTE's arguments: count checked, bound against snap, coerced to the
 * statement's parameter types and evaluated into *out (in a). */
static rdb_status_t exec_args(rdb_session_t *s, const char *name, rdb_stmt_t *ps, ast_stmt_t *st,
                              const char *sql, txn_t *t, const sql_catsnap_t *snap, rdb_arena_t *a,
                              sql_value_t **out, rdb_err_t *err)
{
    if (ps->nparams == 0) {
        /* PostgreSQL ignores the arguments of a statement without parameters */
        *out = NULL;
        return RDB_OK;
    }
    if (st->nexec_args != ps->nparams) {
        rdb_err_set(err, RDB_SQL, "42601", "wrong number of parameters for prepared statement \"%s\"", name);
        rdb_err_detail(err, "Expected %d parameters but got %d.", ps->nparams, st->nexec_args);
        return RDB_SQL;
    }
    int n = ps->nparams;
    sql_value_t *v = RDB_ARENA_NEWN(a, sql_value_t, n + 1);
    ex_expr_t **e = RDB_ARENA_NEWN(a, ex_expr_t *, n + 1);
    sql_type_t *ptypes = RDB_ARENA_NEWN(a, sql_type_t, SQL_MAX_PARAMS);
    sql_bindenv_t b;
    eng_bindenv_init(s, &b, a, snap, sql, ptypes);
    for (int i = 0; i < n; i++) {
        /* a protocol statement's parameter that nothing typed is text, as in Bind */
        sql_type_t pt = ps->ptypes[i].oid ? ps->ptypes[i] : (sql_type_t){ ps->poids[i], -1 };
        if (sql_bind_param_arg(&b, st->exec_args[i], i + 1, pt, &e[i], err) != RDB_OK)
            return RDB_SQL;
    }
    if (b.nparams > 0)
        return rdb_err_set(err, RDB_SQL, "42P02", "there is no parameter $1");
    ex_run_t r;
    eng_run_init(s, &r, t, snap, a, err);
    ex_run_init_subs(&r, b.nsubs);
    for (int i = 0; i < n; i++)
        if (ex_eval(&r, e[i], NULL, a, &v[i]) != RDB_OK)
            return RDB_SQL;
    *out = v;
    return RDB_OK;
}

/* EXECUTE of a statement the protocol's Parse made that is no SELECT,
 * INSERT, UPDATE or DELETE (PREPARE makes none): run it as the simple
 * protocol would.  It holds a reference to ps meanwhile (a DEALLOCATE ALL
 * it runs frees the name, not the statement); EXECUTE chains stop at a
 * depth of 32 with PostgreSQL's 54001. */
static rdb_status_t run_prepared_utility(rdb_session_t *s, rdb_stmt_t *ps, rdb_sink_t *sink, bool describe,
                                         rdb_err_t *err)
{
    static __thread int depth;
    ast_stmt_t *st = ps->st;
    if (!st) {
        sink->empty_query(sink->ctx);
        return RDB_OK;
    }
    if (depth >= 32) {
        rdb_err_set(err, RDB_SQL, "54001", "stack depth limit exceeded");
        rdb_err_hint(err, "Increase the configuration parameter \"max_stack_depth\" (currently 2048kB), "
                          "after ensuring the platform's stack depth limit is adequate.");
        return RDB_SQL;
    }
    ps->refs++;
    depth++;
    rdb_status_t rc;
    switch (st->kind) {
    case AST_S_BEGIN:
    case AST_S_COMMIT:
    case AST_S_ROLLBACK:
        rc = txn_control(s, st, sink, err);
        break;
    case AST_S_DDL:
        rc = run_ddl(s, st, ps->sql, sink, err);
        break;
    case AST_S_COPY:
        rc = rdb_err_set(err, RDB_SQL, "0A000", "EXECUTE of a COPY statement is not supported");
        break;
    case AST_S_EXPLAIN:
        rc = run_explain(s, st, ps->sql, sink, describe, err);
        break;
    case AST_S_PREPARE:
        rc = run_prepare(s, st, ps->sql, sink, err);
        break;
    case AST_S_EXECUTE:
        rc = run_execute(s, st, ps->sql, sink, describe, err);
        break;
    default:
        rc = run_utility(s, st, sink, describe, err);
        break;
    }
    depth--;
    e_stmt_free(ps);
    return rc;
}

static rdb_status_t run_execute(rdb_session_t *s, ast_stmt_t *st, const char *sql, rdb_sink_t *sink,
                                bool describe, rdb_err_t *err)
{
    eng_prep_t *p = prep_find(s, st->name, NULL);
    if (!p)
        return prep_not_found(st->name, err);
    rdb_stmt_t *ps = p->ps;
    if (!prep_runs_plan(ps)) {
        p->ps->execs++;
        return run_prepared_utility(s, ps, sink, describe, err);
    }
    bool own;
    txn_t *t = eng_stmt_txn(s, &own);
    rdb_arena_t a;
    rdb_arena_init(&a, 0);
    sql_value_t *params = NULL;
    rdb_status_t rc = stmt_bind_now(ps, t, err);
    if (rc == RDB_OK && ps->ncols != (ps->bound.plan ? ps->bound.plan->ncols : 0))
        rc = rdb_err_set(err, RDB_SQL, "0A000", "cached plan must not change result type");
    if (rc == RDB_OK)
        rc = exec_args(s, st->name, ps, st, sql, t, ps->snap, &a, &params, err);
    if (rc == RDB_OK) {
        if (describe && ps->ncols)
            sink->row_desc(sink->ctx, ps->ncols, ps->cols);
        ex_run_t r;
        eng_run_init(s, &r, t, ps->snap, &a, err);
        r.nparams = ps->nparams;
        r.params = params;
        ex_run_init_subs(&r, ps->nsubs);
        uint64_t count = 0;
        rdb_exec_state_t state;
        ps->execs++;
        rc = run_bound(s, &ps->bound, &r, sink, NULL, NULL, 0, &count, &state, err);
    }
    rdb_arena_destroy(&a);
    return eng_stmt_end(s, t, own, rc, err);
}

/* EXPLAIN EXECUTE: x as simple_begin fills it, with the prepared
 * statement bound as a custom plan for the arguments. */
static rdb_status_t explain_execute_begin(rdb_session_t *s, ast_stmt_t *st, simple_stmt_t *x, rdb_err_t *err)
{
    x->t = eng_stmt_txn(s, &x->own);
    rdb_arena_init(&x->a, 0);
    x->nsubs = 0;
    x->snap = NULL;
    eng_prep_t *p = prep_find(s, st->name, NULL);
    if (!p)
        return prep_not_found(st->name, err);
    rdb_stmt_t *ps = p->ps;
    if (!prep_runs_plan(ps))
        return rdb_err_set(err, RDB_SQL, "0A000", "EXPLAIN EXECUTE of a statement prepared by the protocol "
                           "that is not SELECT, INSERT, UPDATE or DELETE is not supported");
    x->snap = sql_catalog_acquire(s->e->cat, x->t, err);
    if (!x->snap)
        return RDB_SQL;
    sql_value_t *params;
    if (exec_args(s, st->name, ps, st, NULL, x->t, x->snap, &x->a, &params, err) != RDB_OK)
        return RDB_SQL;
    sql_type_t *ptypes = RDB_ARENA_NEWN(&x->a, sql_type_t, SQL_MAX_PARAMS);
    memcpy(ptypes, ps->ptypes, sizeof *ptypes * SQL_MAX_PARAMS);
    int np = ps->nparams;
    return do_bind_custom(s, &x->a, ps->st, ps->sql, x->snap, ptypes, &np, params, ps->nparams, &x->b,
                          &x->nsubs, NULL, err);
}

static rdb_status_t run_deallocate(rdb_session_t *s, ast_stmt_t *st, rdb_sink_t *sink, rdb_err_t *err)
{
    if (!st->name) {
        prep_free_all(s);
    } else {
        eng_prep_t **link, *p = prep_find(s, st->name, &link);
        if (!p)
            return prep_not_found(st->name, err);
        *link = p->next;
        prep_free(p);
    }
    sink->command_complete(sink->ctx, st->tag);
    return RDB_OK;
}

/* ---- sessions ----------------------------------------------------------------- */

static rdb_status_t e_session_open(rdb_engine_t *e, const rdb_startup_t *st, rdb_session_t **out,
                                   rdb_err_t *err)
{
    const char *db = st->database && *st->database ? st->database : st->user;
    sql_catsnap_t *snap = sql_catalog_acquire(e->cat, NULL, err);
    if (!snap)
        return RDB_SQL;
    bool ok = sql_cat_database_exists(snap, db);
    sql_catalog_release(snap);
    if (!ok)
        return rdb_err_set(err, RDB_SQL, "3D000", "database \"%s\" does not exist", db);
    rdb_session_t *s = calloc(1, sizeof *s);
    s->e = e;
    s->user = strdup(st->user ? st->user : "");
    s->database = strdup(db);
    s->pid = st->backend_pid;
    const char *inet[4] = { st->client_addr, st->client_port, st->server_addr, st->server_port };
    for (int i = 0; i < 4; i++)
        s->inet[i] = inet[i] ? strdup(inet[i]) : NULL;
    s->state = 'I';
    eng_guc_init(s, st);
    *out = s;
    return RDB_OK;
}

static void e_session_close(rdb_session_t *s)
{
    if (!s)
        return;
    eng_copy_free(s);
    rest_clear(s);
    prep_free_all(s);
    eng_syscat_session_gone(s);
    if (s->txn)
        txn_abort(s->txn);
    eng_txn_done(s);
    rowlock_owner_free(&s->locks);
    eng_guc_free(s);
    parsed_free_all(s);
    free(s->user);
    free(s->database);
    for (int i = 0; i < 4; i++)
        free(s->inet[i]);
    free(s);
}

static int e_session_params(rdb_session_t *s, const char *const **names, const char *const **values)
{
    return eng_guc_reported(s, names, values);
}

static rdb_status_t e_role_lookup(rdb_engine_t *e, const char *user, rdb_role_info_t *out, rdb_err_t *err)
{
    return sql_cat_role_lookup(e->cat, user, out, err);
}

/* ---- the engine ------------------------------------------------------------------ */

rdb_status_t rdb_sql_engine_init(const rdb_config_t *cfg, rdb_backend_t *out, rdb_err_t *err)
{
    rdb_engine_t *e = calloc(1, sizeof *e);
    const char *dir = rdb_config_str(cfg, "data-dir");
    size_t n = strlen(dir) + 4;
    e->data_dir = malloc(n);
    snprintf(e->data_dir, n, "%s/db", dir);
    e->tmp_dir = malloc(n + 1);
    snprintf(e->tmp_dir, n + 1, "%s/tmp", dir);
    if (mkdir(e->tmp_dir, 0700) != 0 && errno != EEXIST)
        RDB_LOG_WARN("sql", "cannot create %s: %s", e->tmp_dir, strerror(errno));
    ex_sort_clean_dir(e->tmp_dir); /* what a crash left behind */
    lsm_options_t opts;
    lsm_options_default(&opts);
    /* PostgreSQL's shared_buffers default: a one-node server caches as much */
    opts.block_cache_size = (size_t)128 << 20;
    clu_hlc_init(&e->hlc, 0, NULL, NULL);
    /* On a cluster node: the node's store, clock and id (cluster_glue.c). */
    e->node = eng_clu_node();
    if (e->node)
        e->db = clu_node_db(e->node);
    else if (lsm_open(e->data_dir, &opts, &e->db, err) != RDB_OK)
        goto fail;
    if (txn_store_open(e->db, e->node ? clu_node_id(e->node) : 1,
                       e->node ? clu_node_hlc(e->node) : &e->hlc, &e->st, err) != RDB_OK)
        goto fail;
    eng_clu_attach(e);
    const char *su = getenv("USER");
    if (sql_catalog_open(e->st, su && *su ? su : "postgres", &e->cat, err) != RDB_OK)
        goto fail;
    eng_syscat_init();
    e->locks = rowlocks_new();
    memset(out, 0, sizeof *out);
    out->engine = e;
    out->session_open = e_session_open;
    out->session_close = e_session_close;
    out->session_params = e_session_params;
    out->role_lookup = e_role_lookup;
    out->simple_query = e_simple_query;
    out->simple_query_resume = e_simple_query_resume;
    out->prepare = e_prepare;
    out->stmt_describe = e_stmt_describe;
    out->stmt_free = e_stmt_free;
    out->stmt_store = e_stmt_store;
    out->stmt_find = e_stmt_find;
    out->stmt_close = e_stmt_close;
    out->bind = e_bind;
    out->portal_describe = e_portal_describe;
    out->execute = e_execute;
    out->portal_free = e_portal_free;
    out->sync = e_sync;
    out->copy_in_data = e_copy_in_data;
    out->copy_in_done = e_copy_in_done;
    out->copy_in_fail = e_copy_in_fail;
    out->txn_status = e_txn_status;
    out->idle_in_txn_timeout_ms = e_idle_in_txn_timeout_ms;
    out->cancel = e_cancel;
    RDB_LOG_INFO("sql", "engine ready on %s", e->data_dir);
    return RDB_OK;
fail:
    if (e->cat)
        sql_catalog_close(e->cat);
    eng_clu_detach(e);
    if (e->st)
        txn_store_close(e->st);
    if (e->db && !e->node)
        lsm_close(e->db);
    clu_hlc_destroy(&e->hlc);
    free(e->data_dir);
    free(e->tmp_dir);
    free(e);
    return RDB_SQL;
}

void rdb_sql_engine_free(rdb_backend_t *b)
{
    rdb_engine_t *e = b->engine;
    if (!e)
        return;
    eng_clu_detach(e);
    sql_catalog_close(e->cat);
    txn_store_close(e->st);
    if (!e->node)
        lsm_close(e->db);
    clu_hlc_destroy(&e->hlc);
    rowlocks_free(e->locks);
    free(e->data_dir);
    free(e->tmp_dir);
    free(e);
    b->engine = NULL;
}
