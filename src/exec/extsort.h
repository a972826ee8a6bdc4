/*
 * extsort.h — a sort that spills to disk beyond work_mem (external merge).
 *
 * Rows go in one by one; while the rows held fit in work_mem they stay in
 * memory (one quicksort at the end, PostgreSQL's "Sort Method: quicksort").
 * Beyond it the rows held are sorted and written out as a sorted run, and
 * at the end the runs are merged, at most EXS_FANIN at a time (several
 * passes if there are more runs), PostgreSQL's "external merge".
 *
 * Temporary files live in the run's tmp_dir (the node's data directory
 * /tmp), one per run, named rdbtmp.<pid>.<n>; each is removed as soon as
 * it has been merged, and ex_sort_free removes whatever is left, so they
 * are gone at the end of the statement whatever way it ends (the engine
 * also empties the folder when it starts, after a crash).
 *
 * Rows are copied in (deep copies, the row types given); the row
 * ex_sort_next returns stays valid until the next call.
 */
#ifndef RDB_EXEC_EXTSORT_H
#define RDB_EXEC_EXTSORT_H

#include <stdio.h>

#include "common/buf.h"
#include "exec/exec.h"

#define EXS_FANIN 64

typedef struct ex_sort ex_sort_t;
/* qsort_r-style comparison of two (sql_value_t *) elements. */
typedef int (*ex_sort_cmp_fn)(const void *x, const void *y, void *arg);

/* types: ncols column types (borrowed, must outlive the sort). */
ex_sort_t *ex_sort_new(ex_run_t *r, const sql_type_t *types, int ncols, ex_sort_cmp_fn cmp,
                       void *arg);
/* Hold at most bytes in memory instead of work_mem (before any add). */
void ex_sort_set_mem(ex_sort_t *s, size_t bytes);
/* RDB_OK, or an error in r->err (I/O: 58030 naming the file). */
rdb_status_t ex_sort_add(ex_sort_t *s, const sql_value_t *row);
/* No more rows: sort, and merge runs down to at most EXS_FANIN. */
rdb_status_t ex_sort_done(ex_sort_t *s);
/* The next row in order; NULL at the end or on error (r->err set). */
const sql_value_t *ex_sort_next(ex_sort_t *s);
/* Did it write to disk?  *kb: the disk space it wrote, or the memory it
 * held when it did not (EXPLAIN ANALYZE's Sort Method line). */
bool ex_sort_spilled(const ex_sort_t *s, int64_t *kb);
/* Frees s and removes its files; NULL is fine. */
void ex_sort_free(ex_sort_t *s);

/* Remove leftover temporary files in dir (engine start). */
void ex_sort_clean_dir(const char *dir);

/* ---- temporary row files (the sort's runs; also aggspill.c) --------------
 * A row format (column types, and whether each is by reference, learnt
 * from its first non-NULL value) shared by the files written with it, and
 * files of rows in that format, written once, rewound, read once.  Files
 * live in the run's tmp_dir under the name ex_sort_clean_dir removes. */
typedef struct ex_rowfmt {
    ex_run_t         *r;
    const sql_type_t *types;       /* borrowed */
    int               ncols;
    signed char      *byref;       /* per column: -1 unknown, 0, 1 */
    rdb_arena_t       scratch;
    rdb_buf_t         w;
    int64_t           disk_bytes;  /* written through this format */
} ex_rowfmt_t;

typedef struct ex_tmpfile {
    char        *path;
    FILE        *f;
    int64_t      nrows, left;
    int64_t      bytes;
    rdb_arena_t  a;        /* the current row's values */
    sql_value_t *row;      /* current row (ex_tmpfile_read), NULL at the end */
    char        *rec;
    size_t       reccap;
} ex_tmpfile_t;

void ex_rowfmt_init(ex_rowfmt_t *fmt, ex_run_t *r, const sql_type_t *types, int ncols);
void ex_rowfmt_destroy(ex_rowfmt_t *fmt);
/* Create an empty file t (zeroed first); 58030 in r->err on failure. */
rdb_status_t ex_tmpfile_create(ex_rowfmt_t *fmt, ex_tmpfile_t *t);
rdb_status_t ex_tmpfile_put(ex_rowfmt_t *fmt, ex_tmpfile_t *t, const sql_value_t *row);
/* Done writing: rewind for reading. */
rdb_status_t ex_tmpfile_rewind(ex_rowfmt_t *fmt, ex_tmpfile_t *t);
/* Read the next row into t->row (NULL at the end); it stays valid until
 * the next read. */
rdb_status_t ex_tmpfile_read(ex_rowfmt_t *fmt, ex_tmpfile_t *t);
/* Random access: the n rows written at byte offsets [off, off + bytes)
 * of t (t->bytes before the first of them was put), read into buf (at
 * least bytes long) and decoded into rows[0..n) (each in a; by-reference
 * values point into buf, so they live as long as both).  The file may
 * still be written after (puts and random reads interleave). */
rdb_status_t ex_tmpfile_pread(ex_rowfmt_t *fmt, ex_tmpfile_t *t, int64_t off, size_t bytes, int n,
                              char *buf, rdb_arena_t *a, sql_value_t **rows);
/* Close and remove the file, free what t holds; a zeroed t is fine. */
void ex_tmpfile_drop(ex_tmpfile_t *t);

/* ---- a row file read back by position --------------------------------------
 * Rows put in order, any row read back by its position (0-based): the
 * file's byte offset of every EX_BF_BLOCK-th row is kept in memory, and a
 * read loads that row's whole block (pread) into one of EX_BF_CACHE
 * cached blocks (least recently used replaced).  Puts and reads may
 * interleave. */
#define EX_BF_BLOCK 64
#define EX_BF_CACHE 4

typedef struct ex_bfile {
    ex_tmpfile_t  t;         /* path NULL until the first put */
    int64_t       nrows;
    int64_t      *off;       /* off[b]: offset of row b * EX_BF_BLOCK */
    int64_t       capoff;
    struct ex_bf_block {
        int64_t       b;     /* -1: empty */
        unsigned      used;
        sql_value_t **rows;  /* EX_BF_BLOCK */
        char         *buf;
        size_t        cap;
        rdb_arena_t   a;
    } c[EX_BF_CACHE];
    unsigned      clock;
    int64_t       reads;     /* blocks read */
} ex_bfile_t;

/* bf zeroed first; 58030 in r->err on failure. */
rdb_status_t ex_bfile_put(ex_rowfmt_t *fmt, ex_bfile_t *bf, const sql_value_t *row);
/* Row pos (< bf->nrows): valid until EX_BF_CACHE other blocks are read;
 * NULL on error (r->err set). */
const sql_value_t *ex_bfile_get(ex_rowfmt_t *fmt, ex_bfile_t *bf, int64_t pos);
/* Remove the file, free everything; bf is zeroed (and can be put again). */
void ex_bfile_drop(ex_bfile_t *bf);

#endif
