/*
 * node_ctl.c — commands from control clients (ringdb-ctl, tests, the
 * benchmark) on the peer port.
 *
 *   CTL       [id, command, [arg...], consistency]
 *   CTL_REPLY [id, ok, payload]       payload: JSON text
 *
 * Commands: put KEY VALUE, del KEY, get KEY (at the given consistency),
 * scan [PREFIX [LIMIT]] (this node's live keys), dump (this node's newest
 * version of every key, tombstones included, with tokens: the convergence
 * checker's input), status, merkle, ae, drop-hints [NODE], leave [TIMEOUT_S],
 * cleanup, removenode ID [TIMEOUT_S] (node_remove.c; "rereplicate ID" is
 * its step on each member), hints-redirect ID [TIMEOUT_S] (node_hints.c:
 * answers once no hint for ID is left here), split / merge, partitions.
 * Keys and values travel as bytes; JSON shows them as text when they are
 * valid UTF-8 and always as hex.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cluster/node_int.h"
#include "common/log.h"
#include "common/mem.h"

void node_ctl_reply(clu_node_t *n, uint32_t client, uint64_t id, bool ok, const char *payload,
                    size_t len)
{
    rdb_buf_t f = RDB_BUF_INIT;
    msgpack_packer p;
    size_t st = clu_frame_start(&f, &p, CLU_MSG_CTL_REPLY, n->o.node_id, clu_hlc_peek(&n->hlc), 3);
    msgpack_pack_uint64(&p, id);
    msgpack_pack_int(&p, ok ? 1 : 0);
    msgpack_pack_bin(&p, len);
    msgpack_pack_bin_body(&p, payload, len);
    clu_frame_finish(&f, st);
    clu_net_reply(n->net, client, f.data, f.len);
    rdb_buf_free(&f);
}

void node_ctl_reply_err(clu_node_t *n, uint32_t client, uint64_t id, const rdb_err_t *err)
{
    json_t *j = json_object();
    json_object_set_new(j, "error", json_string(err->msg ? err->msg : "error"));
    json_object_set_new(j, "sqlstate", json_string(err->sqlstate));
    if (err->detail)
        json_object_set_new(j, "detail", json_string(err->detail));
    char *s = json_dumps(j, JSON_COMPACT);
    node_ctl_reply(n, client, id, false, s, strlen(s));
    free(s);
    json_decref(j);
}

static void reply_json(clu_node_t *n, uint32_t client, uint64_t id, json_t *j)
{
    char *s = json_dumps(j, JSON_COMPACT);
    node_ctl_reply(n, client, id, true, s, strlen(s));
    free(s);
    json_decref(j);
}

static void set_bytes(json_t *o, const char *name, const void *p, size_t len)
{
    char hn[32];
    snprintf(hn, sizeof hn, "%s_hex", name);
    json_object_set_new(o, hn, node_hex_json(p, len));
    json_t *s = json_stringn(p, len);
    if (s)
        json_object_set_new(o, name, s);
}

static json_t *version_json(lsm_version_t v)
{
    json_t *a = json_array();
    json_array_append_new(a, json_integer((json_int_t)v.hlc));
    json_array_append_new(a, json_integer(v.node_id));
    return a;
}

/* A write or read waiting to reply to its client. */
typedef struct ctl_wait {
    clu_node_t   *n;
    uint32_t      client;
    uint64_t      id;
    lsm_version_t v;
    rdb_buf_t     val;
    bool          found;
    clu_consistency_t cl;
} ctl_wait_t;

static void ctl_write_done(void *ctx, const rdb_err_t *err)
{
    ctl_wait_t *w = ctx;
    if (err) {
        node_ctl_reply_err(w->n, w->client, w->id, err);
    } else {
        json_t *j = json_object();
        json_object_set_new(j, "version", version_json(w->v));
        json_object_set_new(j, "consistency", json_string(clu_consistency_name(w->cl)));
        reply_json(w->n, w->client, w->id, j);
    }
    free(w);
}

static void ctl_read_done(void *ctx, const rdb_err_t *err)
{
    ctl_wait_t *w = ctx;
    if (err) {
        node_ctl_reply_err(w->n, w->client, w->id, err);
    } else {
        json_t *j = json_object();
        json_object_set_new(j, "found", json_boolean(w->found));
        if (w->found) {
            set_bytes(j, "value", w->val.data ? w->val.data : "", w->val.len);
            json_object_set_new(j, "version", version_json(w->v));
        }
        reply_json(w->n, w->client, w->id, j);
    }
    rdb_buf_free(&w->val);
    free(w);
}

/* scan / dump run on the background thread: a walk of the whole store
 * must not stall the loop. */
typedef struct scan_ctx {
    json_t     *arr;
    char       *prefix;   /* owned */
    size_t      plen;
    size_t      limit, count;
    bool        dump;
} scan_ctx_t;

static void scan_ctx_free(void *arg)
{
    scan_ctx_t *s = arg;
    json_decref(s->arr);
    free(s->prefix);
    free(s);
}

static bool scan_fn(const clu_record_t *r, uint64_t token, void *ctx)
{
    scan_ctx_t *s = ctx;
    if (s->plen && (r->klen < s->plen || memcmp(r->key, s->prefix, s->plen) != 0))
        return true;
    if (!s->dump && r->tombstone)
        return true;
    json_t *e = json_object();
    set_bytes(e, "key", r->key, r->klen);
    if (!r->tombstone)
        set_bytes(e, "value", r->value, r->vlen);
    json_object_set_new(e, "version", version_json(r->version));
    if (s->dump) {
        char t[24];
        snprintf(t, sizeof t, "%016llx", (unsigned long long)token);
        json_object_set_new(e, "token", json_string(t));
        json_object_set_new(e, "tombstone", json_boolean(r->tombstone));
    }
    json_array_append_new(s->arr, e);
    return ++s->count < s->limit;
}

static void scan_run(clu_node_t *n, ae_job_t *j)
{
    clu_replica_walk(&n->rep, scan_fn, j->arg, &j->err);
}

static void scan_done(clu_node_t *n, ae_job_t *j)
{
    scan_ctx_t *s = j->arg;
    if (j->err.code != RDB_OK) {
        node_ctl_reply_err(n, j->client, j->ctl_id, &j->err);
        return;
    }
    char *out = json_dumps(s->arr, JSON_COMPACT);
    node_ctl_reply(n, j->client, j->ctl_id, true, out, strlen(out));
    free(out);
}

static uint64_t ctl_leave(clu_node_t *n)
{
    const clu_member_t *me = clu_members_get(&n->mem, n->o.node_id);
    uint64_t ver = clu_hlc_now(&n->hlc);
    if (me && me->version >= ver)
        ver = me->version + 1;
    clu_members_merge(&n->mem, n->o.node_id, n->addr, ver, true);
    node_members_changed(n);
    RDB_LOG_INFO("node", "node %u is leaving the cluster", n->o.node_id);
    node_gossip_now(n);
    return ver;
}

/* split / merge: clu_node_partition_change blocks on writes the node
 * thread coordinates, so it runs on a thread of its own, which hands the
 * answer back to the node thread. */
typedef struct ctl_part {
    clu_node_t  *n;
    uint32_t     client;
    uint64_t     id;
    char        *space, *key;
    size_t       slen, klen;
    bool         split;
    unsigned     flags;
    rdb_status_t st;
    rdb_buf_t    report;
    rdb_err_t    err;
} ctl_part_t;

static void ctl_part_reply(clu_node_t *n, void *arg)
{
    ctl_part_t *c = arg;
    if (c->st == RDB_OK)
        node_ctl_reply(n, c->client, c->id, true, c->report.data, c->report.len);
    else
        node_ctl_reply_err(n, c->client, c->id, &c->err);
}

static void *ctl_part_main(void *arg)
{
    ctl_part_t *c = arg;
    c->st = node_part_change(c->n, c->space, c->slen, c->key, c->klen, c->split, c->flags,
                             &c->report, &c->err);
    node_call_sync(c->n, ctl_part_reply, c);
    free(c->space);
    free(c->key);
    rdb_buf_free(&c->report);
    rdb_err_clear(&c->err);
    free(c);
    return NULL;
}

static void ctl_part_start(clu_node_t *n, uint32_t client, uint64_t id, const char *space,
                           size_t slen, const char *key, size_t klen, bool split,
                           unsigned flags)
{
    ctl_part_t *c = rdb_calloc(1, sizeof *c);
    c->n = n;
    c->client = client;
    c->id = id;
    c->space = rdb_memdup(space, slen + 1);
    c->slen = slen;
    c->key = rdb_memdup(key, klen + 1);
    c->klen = klen;
    c->split = split;
    c->flags = flags;
    if (!node_ctl_thread(n, client, id, ctl_part_main, c)) {
        free(c->space);
        free(c->key);
        free(c);
    }
}

typedef struct ctl_thread {
    clu_node_t *n;
    void      *(*fn)(void *);
    void       *arg;
} ctl_thread_t;

static void *ctl_thread_main(void *arg)
{
    ctl_thread_t t = *(ctl_thread_t *)arg;
    free(arg);
    t.fn(t.arg);
    atomic_fetch_sub(&t.n->ctl_threads, 1);
    return NULL;
}

bool node_ctl_thread(clu_node_t *n, uint32_t client, uint64_t id, void *(*fn)(void *), void *arg)
{
    ctl_thread_t *ct = rdb_malloc(sizeof *ct);
    *ct = (ctl_thread_t){ n, fn, arg };
    atomic_fetch_add(&n->ctl_threads, 1);
    pthread_t t;
    pthread_attr_t at;
    pthread_attr_init(&at);
    pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
    bool ok = pthread_create(&t, &at, ctl_thread_main, ct) == 0;
    pthread_attr_destroy(&at);
    if (!ok) {
        atomic_fetch_sub(&n->ctl_threads, 1);
        free(ct);
        rdb_err_t e = RDB_ERR_INIT;
        rdb_err_set(&e, RDB_IOERROR, RDB_SQLSTATE_IO_ERROR, "could not start a thread");
        node_ctl_reply_err(n, client, id, &e);
        rdb_err_clear(&e);
    }
    return ok;
}

void node_on_ctl(clu_net_t *net, uint32_t client, clu_frame_t *f, void *ctx)
{
    clu_node_t *n = ctx;
    uint64_t id, clv = CLU_CL_ONE;
    const char *cmd;
    size_t cl;
    if (f->type != CLU_MSG_CTL || !clu_field_u64(f, 0, &id) || !clu_field_bin(f, 1, &cmd, &cl) ||
        f->nfields < 3 || f->fields[2].type != MSGPACK_OBJECT_ARRAY) {
        clu_net_drop_client(net, client);
        return;
    }
    clu_field_u64(f, 3, &clv);
    if (clv < CLU_CL_ONE || clv > CLU_CL_ALL)
        clv = CLU_CL_ONE;
    const msgpack_object_array *args = &f->fields[2].via.array;
    const char *a[4] = { NULL };
    size_t al[4] = { 0 };
    size_t na = args->size < 4 ? args->size : 4;
    for (size_t i = 0; i < na; i++) {
        const msgpack_object *o = &args->ptr[i];
        if (o->type == MSGPACK_OBJECT_BIN) {
            a[i] = o->via.bin.ptr;
            al[i] = o->via.bin.size;
        } else if (o->type == MSGPACK_OBJECT_STR) {
            a[i] = o->via.str.ptr;
            al[i] = o->via.str.size;
        }
    }
#define IS(s) (cl == strlen(s) && memcmp(cmd, s, cl) == 0)
    rdb_err_t e = RDB_ERR_INIT;
    if ((IS("put") && a[0] && a[1]) || (IS("del") && a[0])) {
        ctl_wait_t *w = rdb_calloc(1, sizeof *w);
        w->n = n;
        w->client = client;
        w->id = id;
        w->cl = (clu_consistency_t)clv;
        w->v = (lsm_version_t){ clu_hlc_now(&n->hlc), n->o.node_id };
        clu_record_t r = { .key = a[0], .klen = al[0], .version = w->v };
        if (IS("put")) {
            r.value = a[1];
            r.vlen = al[1];
        } else {
            r.tombstone = true;
        }
        node_write_start(n, node_wreq_new(n, &r, 1, w->cl, 0, ctl_write_done, w));
    } else if (IS("get") && a[0]) {
        ctl_wait_t *w = rdb_calloc(1, sizeof *w);
        w->n = n;
        w->client = client;
        w->id = id;
        rreq_t *r = node_rreq_new(n, a[0], al[0], (clu_consistency_t)clv);
        r->cb = ctl_read_done;
        r->ctx = w;
        r->out_val = &w->val;
        r->out_ver = &w->v;
        r->out_found = &w->found;
        node_read_start(n, r);
    } else if (IS("scan") || IS("dump")) {
        scan_ctx_t *sc = rdb_calloc(1, sizeof *sc);
        sc->arr = json_array();
        sc->prefix = a[0] ? rdb_memdup(a[0], al[0] ? al[0] : 1) : NULL;
        sc->plen = a[0] ? al[0] : 0;
        sc->limit = SIZE_MAX;
        sc->dump = IS("dump");
        if (a[1]) {
            char b[32] = "";
            memcpy(b, a[1], al[1] < 31 ? al[1] : 31);
            sc->limit = (size_t)strtoull(b, NULL, 10);
            if (sc->limit == 0)
                sc->limit = SIZE_MAX;
        }
        ae_job_t *j = rdb_calloc(1, sizeof *j);
        j->run = scan_run;
        j->done = scan_done;
        j->client = client;
        j->ctl_id = id;
        j->arg = sc;
        j->free_arg = scan_ctx_free;
        node_ae_post(n, j);
    } else if (IS("status")) {
        rdb_buf_t b = RDB_BUF_INIT;
        node_status_json(n, &b);
        node_ctl_reply(n, client, id, true, b.data, b.len);
        rdb_buf_free(&b);
    } else if ((IS("split") || IS("merge")) && a[0] && a[1] && al[0]) {
        /* a third argument "fwd" / "fwd-auto": forwarded by a member to
         * this node as the maps' coordinator (node_part.c) */
        unsigned flags = 0;
        if (a[2] && al[2] >= 3 && memcmp(a[2], "fwd", 3) == 0)
            flags = PART_FWD | (al[2] == 8 && memcmp(a[2], "fwd-auto", 8) == 0 ? PART_AUTO : 0);
        ctl_part_start(n, client, id, a[0], al[0], a[1], al[1], IS("split"), flags);
    } else if (IS("pmap-promise") && a[0] && a[1] && a[2]) {
        node_part_promise_ctl(n, client, id, a[0], al[0], a[1], al[1], a[2], al[2]);
    } else if (IS("partitions")) {
        json_t *j = json_object();
        node_part_status_json(n, j);
        json_t *maps = json_incref(json_object_get(j, "partition_maps"));
        json_decref(j);
        reply_json(n, client, id, maps);
    } else if (IS("merkle")) {
        node_ae_merkle_ctl(n, client, id);
    } else if (IS("ae")) {
        node_ae_round(n, client, id);
    } else if (IS("drop-hints")) {
        uint16_t peer = 0;
        if (a[0]) {
            char b[16] = "";
            memcpy(b, a[0], al[0] < 15 ? al[0] : 15);
            peer = (uint16_t)atoi(b);
        }
        json_t *j = json_object();
        json_object_set_new(j, "dropped", json_integer((json_int_t)node_drop_hints(n, peer)));
        reply_json(n, client, id, j);
    } else if (IS("leave")) {
        uint64_t tmo = 0;
        if (a[0]) {
            char b[24] = "";
            memcpy(b, a[0], al[0] < 23 ? al[0] : 23);
            tmo = strtoull(b, NULL, 10) * 1000;
        }
        uint64_t ver = ctl_leave(n);
        node_move_ctl(n, client, id, true, ver, tmo);   /* answers once handed off */
    } else if (IS("cleanup")) {
        node_move_ctl(n, client, id, false, 0, 0);
    } else if (IS("hints-redirect") && a[0]) {
        node_hints_ctl(n, client, id, a[0], al[0], a[1], al[1]);
    } else if ((IS("removenode") || IS("rereplicate")) && a[0]) {
        node_remove_ctl(n, client, id, a[0], al[0], a[1], al[1], IS("removenode"));
    } else {
        rdb_err_set(&e, RDB_INVALID, RDB_SQLSTATE_SYNTAX_ERROR,
                    "unknown or incomplete command \"%.*s\"", (int)cl, cmd);
        node_ctl_reply_err(n, client, id, &e);
    }
#undef IS
    rdb_err_clear(&e);
}
