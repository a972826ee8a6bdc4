/* skiplist.c — see skiplist.h. */
#include "lsm/skiplist.h"

#include <pthread.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "common/coding.h"
#include "common/mem.h"
#include "lsm/ikey.h"

#define MAX_HEIGHT 12

/* A node is its header, internal key and value in one allocation,
 * with its next pointers just before it (next[l] at ((ptr *)n)[-1 - l]),
 * so that a search that compares a node's key reads one or two adjacent
 * cache lines, and the level-0 link sits next to the key. */
typedef struct node {
    uint32_t klen, vlen;
    char data[]; /* key then value */
} node_t;

typedef _Atomic(node_t *) link_t;

static inline link_t *links(node_t *n) { return (link_t *)n - 1; } /* [-l] */

/* The memtable's memory: 1 MiB chunks mapped with MAP_POPULATE, so that
 * filling a memtable costs one system call per MiB instead of a page
 * fault per 4 KiB; a large entry gets a mapping of its own. */
#define CHUNK_SIZE (1u << 20)

typedef struct chunk {
    struct chunk *next;
    size_t size;
} chunk_t;

struct lsm_mem {
    char *ptr, *end;  /* free room of the current chunk */
    chunk_t *chunks;
    node_t *head;
    atomic_int height;
    atomic_size_t usage; /* written by the writer only */
    atomic_size_t count;
    size_t steps;        /* the writer's: nodes its searches passed */
    atomic_int refs;
    uint64_t rnd;
    /* The writer's splice: after an insert of node last, splice[l] is the
     * last node of level l at or before it.  An insert of a larger key
     * starts its search there, so keys added in ascending order (a sorted
     * batch) cost a few comparisons of hot nodes instead of a descent
     * from the head through cold memory. */
    node_t *last;
    node_t *splice[MAX_HEIGHT];
};

static inline node_t *nxt(node_t *n, int l)
{
    return atomic_load_explicit(links(n) - l, memory_order_acquire);
}

static chunk_t *chunk_map(lsm_mem_t *m, size_t size)
{
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE,
                   -1, 0);
    if (p == MAP_FAILED)
        rdb_oom();
    chunk_t *c = p;
    c->next = m->chunks;
    c->size = size;
    m->chunks = c;
    return c;
}

/* 8-byte aligned: nodes hold pointers and 32-bit lengths */
static void *mem_alloc(lsm_mem_t *m, size_t n)
{
    n = (n + 7) & ~(size_t)7;
    if ((size_t)(m->end - m->ptr) >= n) {
        void *p = m->ptr;
        m->ptr += n;
        return p;
    }
    if (n > CHUNK_SIZE / 4) {
        size_t size = (sizeof(chunk_t) + n + 4095) & ~(size_t)4095;
        return chunk_map(m, size) + 1;
    }
    chunk_t *c = chunk_map(m, CHUNK_SIZE);
    m->ptr = (char *)(c + 1) + n;
    m->end = (char *)c + CHUNK_SIZE;
    return c + 1;
}

static node_t *node_new(lsm_mem_t *m, int h, const char *k, size_t kl, const void *v, size_t vl)
{
    size_t pre = sizeof(link_t) * (size_t)h;
    char *p = mem_alloc(m, pre + sizeof(node_t) + kl + vl);
    node_t *n = (node_t *)(p + pre);
    if (kl)
        memcpy(n->data, k, kl);
    if (vl)
        memcpy(n->data + kl, v, vl);
    n->klen = (uint32_t)kl;
    n->vlen = (uint32_t)vl;
    for (int i = 0; i < h; i++)
        atomic_store_explicit(links(n) - i, NULL, memory_order_relaxed);
    return n;
}

lsm_mem_t *lsm_mem_new(void)
{
    lsm_mem_t *m = rdb_calloc(1, sizeof(*m));
    m->head = node_new(m, MAX_HEIGHT, NULL, 0, NULL, 0);
    atomic_init(&m->height, 1);
    atomic_init(&m->refs, 1);
    m->rnd = 0x9e3779b97f4a7c15ULL;
    return m;
}

void lsm_mem_ref(lsm_mem_t *m) { atomic_fetch_add(&m->refs, 1); }
void lsm_mem_unref(lsm_mem_t *m)
{
    if (m && atomic_fetch_sub(&m->refs, 1) == 1) {
        for (chunk_t *c = m->chunks, *nx; c; c = nx) {
            nx = c->next;
            munmap(c, c->size);
        }
        free(m);
    }
}
size_t lsm_mem_usage(const lsm_mem_t *m) { return atomic_load(&m->usage); }
size_t lsm_mem_count(const lsm_mem_t *m) { return atomic_load(&m->count); }
size_t lsm_mem_writer_steps(const lsm_mem_t *m) { return m->steps; }

static int random_height(lsm_mem_t *m)
{
    m->rnd ^= m->rnd << 13;
    m->rnd ^= m->rnd >> 7;
    m->rnd ^= m->rnd << 17;
    /* each level with probability 1/4: two bits per level */
    uint64_t r = m->rnd;
    int h = 1;
    while (h < MAX_HEIGHT && (r & 3) == 0) {
        h++;
        r >>= 2;
    }
    return h;
}

/* lsm_ikey_cmp without library calls: the searches of a memtable compare
 * one key against a score of nodes, most of them 16-40 byte keys. */
static inline int bytes_cmp(const char *a, const char *b, size_t n)
{
    while (n >= 8) {
        uint64_t x = rdb_get_u64_be(a), y = rdb_get_u64_be(b);
        if (x != y)
            return x < y ? -1 : 1;
        a += 8;
        b += 8;
        n -= 8;
    }
    for (; n; n--, a++, b++)
        if (*a != *b)
            return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
    return 0;
}

static inline int key_cmp(const node_t *n, const char *k, size_t kl)
{
    size_t an = n->klen - LSM_IKEY_TRAILER, bn = kl - LSM_IKEY_TRAILER;
    int c = bytes_cmp(n->data, k, an < bn ? an : bn);
    if (c)
        return c;
    if (an != bn)
        return an < bn ? -1 : 1;
    return bytes_cmp(n->data + an, k + bn, LSM_IKEY_TRAILER);
}

/* A descent compares key against n = x's successor at level l; if n is
 * not before key it goes on at x's successor one level down.  Loading that
 * one while n is compared overlaps the two cache misses (n's key and the
 * next candidate's), which on a memtable larger than the CPU's caches are
 * most of an insert's time. */
static inline void prefetch_down(node_t *x, int l)
{
    node_t *d = nxt(x, l - 1);
    if (d)
        __builtin_prefetch(d);
}

/* First node >= key; fills prev[] if given. */
static node_t *find_ge(lsm_mem_t *m, const char *k, size_t kl, node_t **prev)
{
    node_t *x = m->head;
    int l = atomic_load_explicit(&m->height, memory_order_relaxed) - 1;
    for (;;) {
        node_t *n = nxt(x, l);
        if (l)
            prefetch_down(x, l);
        if (n && key_cmp(n, k, kl) < 0) {
            x = n;
            if (prev)
                m->steps++;
        } else {
            if (prev)
                prev[l] = x;
            if (l == 0)
                return n;
            l--;
        }
    }
}

static node_t *find_lt(lsm_mem_t *m, const char *k, size_t kl)
{
    node_t *x = m->head;
    int l = atomic_load_explicit(&m->height, memory_order_relaxed) - 1;
    for (;;) {
        node_t *n = nxt(x, l);
        if (n && (!k || key_cmp(n, k, kl) < 0)) {
            x = n;
        } else {
            if (l == 0)
                return x == m->head ? NULL : x;
            l--;
        }
    }
}

/* find_ge for the writer, from the splice when ikey sorts after the last
 * insert (every splice node is then before ikey). */
static node_t *find_ge_splice(lsm_mem_t *m, const char *k, size_t kl, node_t **prev)
{
    if (!m->last || key_cmp(m->last, k, kl) >= 0)
        return find_ge(m, k, kl, prev);
    int l = atomic_load_explicit(&m->height, memory_order_relaxed) - 1;
    node_t *x = m->splice[l] ? m->splice[l] : m->head;
    for (;;) {
        node_t *n = nxt(x, l);
        if (l)
            prefetch_down(x, l);
        if (n && key_cmp(n, k, kl) < 0) {
            x = n;
            m->steps++;
            continue;
        }
        prev[l] = x;
        if (l == 0)
            return n;
        l--;
        /* the lower level's splice node may lie further right than x (the
         * head holds no key: it is never right of x, and key_cmp must not
         * read it) */
        node_t *sp = m->splice[l];
        if (sp && sp != x && sp != m->head &&
            (x == m->head || key_cmp(x, sp->data, sp->klen) < 0))
            x = sp;
    }
}

void lsm_mem_add(lsm_mem_t *m, const char *ikey, size_t klen, const void *val, size_t vlen)
{
    node_t *prev[MAX_HEIGHT];
    node_t *ge = find_ge_splice(m, ikey, klen, prev);
    if (ge && key_cmp(ge, ikey, klen) == 0)
        return;
    int h = random_height(m);
    int cur = atomic_load_explicit(&m->height, memory_order_relaxed);
    if (h > cur) {
        for (int i = cur; i < h; i++)
            prev[i] = m->head;
        atomic_store_explicit(&m->height, h, memory_order_relaxed);
    }
    node_t *n = node_new(m, h, ikey, klen, val, vlen);
    for (int i = 0; i < h; i++) {
        atomic_store_explicit(links(n) - i, nxt(prev[i], i), memory_order_relaxed);
        atomic_store_explicit(links(prev[i]) - i, n, memory_order_release);
    }
    int top = atomic_load_explicit(&m->height, memory_order_relaxed);
    for (int i = 0; i < top; i++)
        m->splice[i] = i < h ? n : prev[i];
    m->last = n;
    /* one writer: plain stores, no read-modify-write */
    size_t use = klen + vlen + sizeof(node_t) + sizeof(link_t) * (size_t)h;
    atomic_store_explicit(&m->usage, atomic_load_explicit(&m->usage, memory_order_relaxed) + use,
                          memory_order_relaxed);
    atomic_store_explicit(&m->count, atomic_load_explicit(&m->count, memory_order_relaxed) + 1,
                          memory_order_relaxed);
}

bool lsm_mem_seek(lsm_mem_t *m, const char *ikey, size_t n, const char **k, size_t *kn,
                  const char **v, size_t *vn)
{
    node_t *x = find_ge(m, ikey, n, NULL);
    if (!x)
        return false;
    *k = x->data;
    *kn = x->klen;
    *v = x->data + x->klen;
    *vn = x->vlen;
    return true;
}

/* --- iterator ------------------------------------------------------------- */

typedef struct mem_it {
    lsm_it_t base;
    lsm_mem_t *m;
    node_t *n;
} mem_it_t;

static bool mi_valid(lsm_it_t *it) { return ((mem_it_t *)it)->n != NULL; }
static void mi_first(lsm_it_t *it)
{
    mem_it_t *i = (mem_it_t *)it;
    i->n = nxt(i->m->head, 0);
}
static void mi_last(lsm_it_t *it)
{
    mem_it_t *i = (mem_it_t *)it;
    i->n = find_lt(i->m, NULL, 0);
}
static void mi_seek(lsm_it_t *it, const char *k, size_t n)
{
    mem_it_t *i = (mem_it_t *)it;
    i->n = find_ge(i->m, k, n, NULL);
}
static void mi_next(lsm_it_t *it)
{
    mem_it_t *i = (mem_it_t *)it;
    i->n = nxt(i->n, 0);
}
static void mi_prev(lsm_it_t *it)
{
    mem_it_t *i = (mem_it_t *)it;
    i->n = find_lt(i->m, i->n->data, i->n->klen);
}
static const char *mi_key(lsm_it_t *it, size_t *n)
{
    mem_it_t *i = (mem_it_t *)it;
    *n = i->n->klen;
    return i->n->data;
}
static const char *mi_value(lsm_it_t *it, size_t *n)
{
    mem_it_t *i = (mem_it_t *)it;
    *n = i->n->vlen;
    return i->n->data + i->n->klen;
}
static rdb_status_t mi_status(lsm_it_t *it, rdb_err_t *err) { return RDB_OK; }
static void mi_free(lsm_it_t *it)
{
    mem_it_t *i = (mem_it_t *)it;
    lsm_mem_unref(i->m);
    free(i);
}

static const lsm_it_ops_t mem_ops = { mi_valid, mi_first, mi_last, mi_seek, mi_next,
                                      mi_prev, mi_key, mi_value, mi_status, mi_free };

lsm_it_t *lsm_mem_iter(lsm_mem_t *m)
{
    mem_it_t *i = rdb_calloc(1, sizeof(*i));
    i->base.ops = &mem_ops;
    lsm_mem_ref(m);
    i->m = m;
    return &i->base;
}
