/*
 * aggspill.c — spill partitions of hash aggregation and DISTINCT (aggspill.h).
 *
 * State: the files being written (one per partition of the current level,
 * created when their first row comes), the file being read, and a stack of
 * written files waiting to be read, each with its level.  Moving to the
 * next partition pushes the files written meanwhile (so they are read
 * next: depth first), then pops one.
 */
#include "exec/aggspill.h"

#include <stdlib.h>
#include <string.h>

#include "common/mem.h"
#include "exec/extsort.h"

typedef struct part {
    ex_tmpfile_t f;
    int          level;
} part_t;

struct ex_hspill {
    ex_run_t     *r;
    ex_rowfmt_t   fmt;
    int           level;                     /* of the files being written */
    ex_tmpfile_t  out[EX_HSPILL_FANOUT];     /* path NULL: not created */
    part_t       *stack;
    int           nstack, capstack;
    part_t        cur;                       /* being read (path NULL: none) */
    int64_t       nbatches;
};

ex_hspill_t *ex_hspill_new(ex_run_t *r, const sql_type_t *types, int ncols)
{
    ex_hspill_t *s = rdb_calloc(1, sizeof *s);
    s->r = r;
    ex_rowfmt_init(&s->fmt, r, types, ncols);
    return s;
}

bool ex_hspill_can_spill(const ex_hspill_t *s)
{
    return s->level < EX_HSPILL_MAXDEPTH;
}

/* The partition of a hash at a level: 5 bits per level from the top of a
 * remixed hash (the hash tables use the low bits: a partition's groups
 * still spread over all buckets). */
int ex_hspill_part(uint64_t h, int level)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 33;
    return (int)((h >> (59 - 5 * level)) & (EX_HSPILL_FANOUT - 1));
}

rdb_status_t ex_hspill_put(ex_hspill_t *s, uint64_t hash, const sql_value_t *row)
{
    ex_tmpfile_t *f = &s->out[ex_hspill_part(hash, s->level)];
    if (!f->path) {
        s->nbatches++;
        if (ex_tmpfile_create(&s->fmt, f) != RDB_OK)
            return RDB_IOERROR;
    }
    return ex_tmpfile_put(&s->fmt, f, row);
}

bool ex_hspill_next_part(ex_hspill_t *s)
{
    ex_tmpfile_drop(&s->cur.f);
    memset(&s->cur, 0, sizeof s->cur);
    for (int i = EX_HSPILL_FANOUT - 1; i >= 0; i--) {
        ex_tmpfile_t *f = &s->out[i];
        if (!f->path)
            continue;
        if (s->nstack == s->capstack) {
            s->capstack = s->capstack ? s->capstack * 2 : 64;
            s->stack = rdb_realloc(s->stack, sizeof *s->stack * (size_t)s->capstack);
        }
        part_t *p = &s->stack[s->nstack++];
        p->f = *f;
        p->level = s->level;
        memset(f, 0, sizeof *f);
        if (ex_tmpfile_rewind(&s->fmt, &p->f) != RDB_OK)
            return false;
    }
    if (s->nstack == 0)
        return false;
    s->cur = s->stack[--s->nstack];
    s->level = s->cur.level + 1;
    return ex_check(s->r) == RDB_OK;
}

const sql_value_t *ex_hspill_read(ex_hspill_t *s)
{
    if (!s->cur.f.path || ex_tmpfile_read(&s->fmt, &s->cur.f) != RDB_OK)
        return NULL;
    return s->cur.f.row;
}

int64_t ex_hspill_batches(const ex_hspill_t *s, int64_t *disk_kb)
{
    if (disk_kb)
        *disk_kb = (s->fmt.disk_bytes + 1023) / 1024;
    return s->nbatches;
}

void ex_hspill_free(ex_hspill_t *s)
{
    if (!s)
        return;
    for (int i = 0; i < EX_HSPILL_FANOUT; i++)
        ex_tmpfile_drop(&s->out[i]);
    for (int i = 0; i < s->nstack; i++)
        ex_tmpfile_drop(&s->stack[i].f);
    ex_tmpfile_drop(&s->cur.f);
    free(s->stack);
    ex_rowfmt_destroy(&s->fmt);
    free(s);
}
