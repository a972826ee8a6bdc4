/*
 * gen.h — a seeded, grammar-based generator of SQL statements for the
 * random-query test (issue #4, item 3).
 *
 * The generator knows one fixed schema of four tables (rq_schema) and fills
 * them with rows drawn from a seed (rq_data_insert).  Statement number i of
 * a run is a pure function of (seed, i, enabled features): each statement
 * draws from its own random stream, so one statement can be printed and
 * re-run alone (`randomq --seed S --show I`) and switching a feature off
 * changes only the statements that would have used it.
 *
 * Results must be comparable between two engines, so the generator avoids
 * what is not deterministic in PostgreSQL itself: LIMIT/OFFSET and DISTINCT ON
 * always come with an ORDER BY over every output column, order-sensitive
 * window functions and aggregates (row_number, lag, string_agg...) order by a
 * key that ends with the table's primary key, and no volatile functions are
 * used.  An ORDER BY is always by output position, and rq_stmt_t lists those
 * positions so the comparer can check order where it is defined and compare
 * the rest as a multiset.
 */
#ifndef RDB_TEST_RANDOMQ_GEN_H
#define RDB_TEST_RANDOMQ_GEN_H

#include <stdbool.h>
#include <stdint.h>

/* Features a statement may use; each can be switched off on its own, and
 * the report counts outcomes per feature.  Bit numbers are only used within
 * one run (nothing stores them). */
enum rq_feature {
    RQF_WHERE,      /* WHERE clause                                   */
    RQF_JOIN,       /* inner / cross joins, several FROM items        */
    RQF_OUTER,      /* LEFT / RIGHT / FULL joins                      */
    RQF_USING,      /* JOIN ... USING, NATURAL JOIN                   */
    RQF_AGG,        /* aggregates without GROUP BY                    */
    RQF_GROUP,      /* GROUP BY                                       */
    RQF_HAVING,     /* HAVING                                         */
    RQF_DISTINCT,   /* DISTINCT, DISTINCT ON, count(DISTINCT)         */
    RQF_ORDER,      /* ORDER BY                                       */
    RQF_LIMIT,      /* LIMIT / OFFSET / FETCH FIRST                   */
    RQF_SCALARSUB,  /* scalar subqueries                              */
    RQF_INSUB,      /* IN (subquery), = ANY / ALL                     */
    RQF_EXISTS,     /* EXISTS (subquery)                              */
    RQF_CORREL,     /* subqueries referring to outer columns          */
    RQF_FROMSUB,    /* subqueries in FROM                             */
    RQF_CTE,        /* WITH, WITH RECURSIVE                           */
    RQF_CASE,       /* CASE                                           */
    RQF_COALESCE,   /* COALESCE, NULLIF, GREATEST, LEAST              */
    RQF_SETOP,      /* UNION / INTERSECT / EXCEPT [ALL]               */
    RQF_WINDOW,     /* window functions                               */
    RQF_CAST,       /* CAST / ::                                      */
    RQF_BETWEEN,    /* BETWEEN                                        */
    RQF_INLIST,     /* IN (list), possibly with NULLs                 */
    RQF_LIKE,       /* LIKE / ILIKE, ~ / ~*, SIMILAR TO               */
    RQF_NULLTEST,   /* IS [NOT] NULL, IS [NOT] DISTINCT FROM, IS TRUE */
    RQF_ARITH,      /* + - * / % on integers                          */
    RQF_NUMERIC,    /* numeric arithmetic and round()                 */
    RQF_FLOAT,      /* double precision                               */
    RQF_STRFUNC,    /* string functions and ||                        */
    RQF_DATE,       /* date arithmetic and extract                    */
    RQF_INSERT,     /* INSERT statements                              */
    RQF_UPDATE,     /* UPDATE statements                              */
    RQF_DELETE,     /* DELETE statements                              */
    RQF_RETURNING,  /* RETURNING on DML                               */
    RQF_VALUES,     /* VALUES lists and generate_series in FROM       */
    RQF_LATERAL,    /* LATERAL subqueries in FROM                     */
    RQF_COUNT_
};

#define RQF_ALL ((UINT64_C(1) << RQF_COUNT_) - 1)
#define RQF_BIT(f) (UINT64_C(1) << (f))

/* Name of a feature ("where", "join", ...). */
const char *rq_feature_name(int f);
/* Apply a comma-separated list to *enabled: "name" turns a feature on,
 * "-name" off, "all" / "-all" every feature.  Returns false and names the
 * offending word in *bad on an unknown name. */
bool rq_features_parse(const char *list, uint64_t *enabled, const char **bad);

enum rq_kind { RQ_SELECT, RQ_INSERT, RQ_UPDATE, RQ_DELETE };

#define RQ_MAX_ORDER 16

/* One generated statement.  sql is owned by the struct (rq_stmt_free). */
typedef struct rq_stmt {
    char       *sql;
    enum rq_kind kind;
    const char *table;       /* DML: the table written (static string)   */
    uint64_t    features;    /* RQF bits the statement uses              */
    int         norder;      /* ORDER BY keys: 0 = rows are a multiset   */
    int         order_cols[RQ_MAX_ORDER]; /* 0-based output columns      */
} rq_stmt_t;

/* Statement number index of the run with this seed, using only enabled
 * features (plain SELECTs of columns are always possible).  dml_pct is the
 * share of INSERT/UPDATE/DELETE, 0-100. */
void rq_gen_statement(uint64_t seed, uint64_t index, uint64_t enabled, int dml_pct,
                      rq_stmt_t *out);
void rq_stmt_free(rq_stmt_t *st);

/* The schema. */
int rq_table_count(void);
const char *rq_table_name(int t);
/* CREATE TABLE statement of table t (static string). */
const char *rq_table_ddl(int t);
/* One INSERT ... VALUES statement holding every row of table t for this
 * seed; the caller frees it (free()).  The same seed gives the same rows. */
char *rq_table_insert(int t, uint64_t seed);
/* A SELECT of every column of table t (for comparing a table's contents
 * after DML), static string. */
const char *rq_table_select(int t);
/* Index of the table with this name, or -1. */
int rq_table_find(const char *name);

#endif
