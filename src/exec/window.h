/*
 * window.h — window functions: the P_WINDOW plan node's description
 * (built by sql/analyze.c) and its operator (window.c, run by exec.c).
 *
 * A P_WINDOW node passes its child's rows with one column appended per
 * window function call.  All calls of one node share the partitioning and
 * the ordering; each has its own frame.  The node sorts its input by
 * (partition keys, order keys), buffers one partition at a time (on disk
 * beyond work_mem) and computes every call for every row, as
 * PostgreSQL's WindowAgg does over its sorted input.
 */
#ifndef RDB_EXEC_WINDOW_H
#define RDB_EXEC_WINDOW_H

#include "exec/plan.h"

/* PostgreSQL's FRAMEOPTION_* bits (parsenodes.h), as libpg_query gives them */
enum {
    WIN_F_NONDEFAULT = 0x1, WIN_F_RANGE = 0x2, WIN_F_ROWS = 0x4, WIN_F_GROUPS = 0x8,
    WIN_F_BETWEEN = 0x10,
    WIN_F_START_UNB_PREC = 0x20, WIN_F_END_UNB_PREC = 0x40,
    WIN_F_START_UNB_FOLL = 0x80, WIN_F_END_UNB_FOLL = 0x100,
    WIN_F_START_CUR = 0x200, WIN_F_END_CUR = 0x400,
    WIN_F_START_OFF_PREC = 0x800, WIN_F_END_OFF_PREC = 0x1000,
    WIN_F_START_OFF_FOLL = 0x2000, WIN_F_END_OFF_FOLL = 0x4000,
    WIN_F_EXCL_CUR = 0x8000, WIN_F_EXCL_GROUP = 0x10000, WIN_F_EXCL_TIES = 0x20000,
};
#define WIN_F_DEFAULT (WIN_F_RANGE | WIN_F_START_UNB_PREC | WIN_F_END_CUR)

typedef enum win_fn {
    WF_ROW_NUMBER, WF_RANK, WF_DENSE_RANK, WF_PERCENT_RANK, WF_CUME_DIST, WF_NTILE,
    WF_LAG, WF_LEAD, WF_FIRST_VALUE, WF_LAST_VALUE, WF_NTH_VALUE,
    WF_AGG,   /* an aggregate over the frame: agg.agg, agg.args, agg.filter */
} win_fn_t;

typedef struct plan_winfn {
    win_fn_t     fn;
    sql_type_t   type;        /* result */
    int          nargs;
    ex_expr_t   *args[3];     /* over the child's row */
    plan_agg_t   agg;         /* WF_AGG */
    int          frameopts;   /* WIN_F_* */
    ex_expr_t   *start_off, *end_off;  /* ROWS offsets (int8), constant */
    ex_expr_t   *start_bound, *end_bound; /* RANGE offsets: order key -/+ offset, over
                                           * the child's row, of the order key's type */
} plan_winfn_t;

typedef struct plan_window {
    int             npart;
    ex_expr_t     **part;     /* over the child's row */
    int             norder;
    ex_expr_t     **order;
    plan_sortkey_t *okeys;    /* direction / nulls of order[i]; col unused */
    int             nfns;
    plan_winfn_t   *fns;      /* output column child ncols + i */
} plan_window_t;

#ifdef RDB_EXEC_EXEC_H
typedef struct ex_window ex_window_t;
/* REQUIRES: p->kind == P_WINDOW; child is p->left's open node (not owned). */
ex_window_t *ex_window_open(ex_run_t *r, const plan_t *p, ex_node_t *child);
const sql_value_t *ex_window_next(ex_window_t *w);
void ex_window_close(ex_window_t *w);
#endif

#endif
