/*
 * gen.c — the random-query generator: schema, data, and a typed grammar of
 * SELECT / INSERT / UPDATE / DELETE statements (see gen.h for the contract).
 *
 * Expressions are generated top-down by type (integer, numeric, double,
 * text, boolean, date): each production asks for sub-expressions of the
 * types it needs, so every statement is well-typed for PostgreSQL and any
 * error it raises is a run-time error (division by zero, overflow, a bad
 * cast, a subquery returning two rows) that both engines should agree on.
 *
 * Scopes.  A scope lists the relations a SELECT level can see (base tables,
 * subqueries in FROM, CTEs), each under a unique alias (x1, x2, ... counted
 * per statement, so a correlated reference is never shadowed).  A grouped
 * scope (GROUP BY, or aggregates without it) may only use its group keys
 * and aggregates; an aggregate's argument is generated in the plain scope.
 *
 * Determinism rules (why results are comparable) are in gen.h.
 */
#include "gen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/mem.h"

/* ---- features ---------------------------------------------------------- */

static const char *const feature_names[RQF_COUNT_] = {
    [RQF_WHERE] = "where",       [RQF_JOIN] = "join",         [RQF_OUTER] = "outer",
    [RQF_USING] = "using",       [RQF_AGG] = "agg",           [RQF_GROUP] = "group",
    [RQF_HAVING] = "having",     [RQF_DISTINCT] = "distinct", [RQF_ORDER] = "order",
    [RQF_LIMIT] = "limit",       [RQF_SCALARSUB] = "scalarsub", [RQF_INSUB] = "insub",
    [RQF_EXISTS] = "exists",     [RQF_CORREL] = "correl",     [RQF_FROMSUB] = "fromsub",
    [RQF_CTE] = "cte",           [RQF_CASE] = "case",         [RQF_COALESCE] = "coalesce",
    [RQF_SETOP] = "setop",       [RQF_WINDOW] = "window",     [RQF_CAST] = "cast",
    [RQF_BETWEEN] = "between",   [RQF_INLIST] = "inlist",     [RQF_LIKE] = "like",
    [RQF_NULLTEST] = "nulltest", [RQF_ARITH] = "arith",       [RQF_NUMERIC] = "numeric",
    [RQF_FLOAT] = "float",       [RQF_STRFUNC] = "strfunc",   [RQF_DATE] = "date",
    [RQF_INSERT] = "insert",     [RQF_UPDATE] = "update",     [RQF_DELETE] = "delete",
    [RQF_RETURNING] = "returning", [RQF_VALUES] = "values",    [RQF_LATERAL] = "lateral",
};

const char *rq_feature_name(int f)
{
    return f >= 0 && f < RQF_COUNT_ ? feature_names[f] : "?";
}

bool rq_features_parse(const char *list, uint64_t *enabled, const char **bad)
{
    static char badword[64];
    const char *p = list;
    while (*p) {
        size_t n = strcspn(p, ",");
        char word[64];
        snprintf(word, sizeof word, "%.*s", (int)RDB_MIN(n, sizeof word - 1), p);
        bool off = word[0] == '-';
        const char *name = off ? word + 1 : word;
        uint64_t bits = 0;
        if (strcmp(name, "all") == 0)
            bits = RQF_ALL;
        for (int f = 0; f < RQF_COUNT_ && !bits; f++)
            if (strcmp(name, feature_names[f]) == 0)
                bits = RQF_BIT(f);
        if (!bits) {
            snprintf(badword, sizeof badword, "%s", word);
            *bad = badword;
            return false;
        }
        *enabled = off ? (*enabled & ~bits) : (*enabled | bits);
        p += n;
        if (*p == ',')
            p++;
    }
    return true;
}

/* ---- schema and data --------------------------------------------------- */

typedef enum { T_INT, T_NUM, T_FLT, T_TEXT, T_BOOL, T_DATE, T_NTYPES } rq_type;

/* How a column's values are drawn. */
typedef enum { V_PK, V_SMALL, V_INT, V_BIG, V_FK, V_TEXT, V_NUM, V_BOOL, V_DATE, V_FLT } vkind;

typedef struct col_def {
    const char *name;
    rq_type     type;
    vkind       v;
    int         null_pct;
} col_def;

#define MAXCOLS 12

typedef struct table_def {
    const char *name;
    int         nrows;
    int         pk;          /* column index of the primary key, -1 if none */
    int         ncols;
    col_def     cols[MAXCOLS];
    const char *ddl;
    const char *select_all;
} table_def;

static const table_def tables[] = {
    { "t1", 30, 0, 7,
      { { "id", T_INT, V_PK, 0 }, { "g", T_INT, V_SMALL, 10 }, { "i", T_INT, V_INT, 15 },
        { "s", T_TEXT, V_TEXT, 15 }, { "n", T_NUM, V_NUM, 15 }, { "b", T_BOOL, V_BOOL, 15 },
        { "d", T_DATE, V_DATE, 10 } },
      "CREATE TABLE t1 (id integer PRIMARY KEY, g integer, i integer, s text, "
      "n numeric(10,2), b boolean, d date)",
      "SELECT id, g, i, s, n, b, d FROM t1" },
    { "t2", 40, 0, 7,
      { { "id2", T_INT, V_PK, 0 }, { "t1id", T_INT, V_FK, 10 }, { "g", T_INT, V_SMALL, 10 },
        { "j", T_INT, V_BIG, 15 }, { "s2", T_TEXT, V_TEXT, 15 }, { "r", T_FLT, V_FLT, 15 },
        { "d2", T_DATE, V_DATE, 15 } },
      "CREATE TABLE t2 (id2 integer PRIMARY KEY, t1id integer, g integer, j bigint, "
      "s2 text, r double precision, d2 date)",
      "SELECT id2, t1id, g, j, s2, r, d2 FROM t2" },
    { "t3", 20, 0, 6,
      { { "id3", T_INT, V_PK, 0 }, { "g", T_INT, V_SMALL, 5 }, { "k", T_INT, V_INT, 20 },
        { "name", T_TEXT, V_TEXT, 10 }, { "amt", T_NUM, V_NUM, 20 },
        { "flag", T_BOOL, V_BOOL, 10 } },
      "CREATE TABLE t3 (id3 integer PRIMARY KEY, g integer, k integer, name varchar(12), "
      "amt numeric(12,3), flag boolean)",
      "SELECT id3, g, k, name, amt, flag FROM t3" },
    { "t4", 10, -1, 3,
      { { "x", T_INT, V_SMALL, 20 }, { "y", T_TEXT, V_TEXT, 20 }, { "z", T_NUM, V_NUM, 20 } },
      "CREATE TABLE t4 (x integer, y text, z numeric)",
      "SELECT x, y, z FROM t4" },
};
#define NTABLES ((int)RDB_ARRAY_LEN(tables))

int rq_table_count(void) { return NTABLES; }
const char *rq_table_name(int t) { return tables[t].name; }
const char *rq_table_ddl(int t) { return tables[t].ddl; }
const char *rq_table_select(int t) { return tables[t].select_all; }

int rq_table_find(const char *name)
{
    for (int t = 0; t < NTABLES; t++)
        if (strcmp(tables[t].name, name) == 0)
            return t;
    return -1;
}

/* ---- random numbers ---------------------------------------------------- */

typedef struct rng {
    uint64_t s;
} rng_t;

static uint64_t rng_next(rng_t *r)
{
    /* splitmix64 */
    uint64_t z = (r->s += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

static int rng_int(rng_t *r, int n) { return n > 0 ? (int)(rng_next(r) % (uint64_t)n) : 0; }
static bool rng_pct(rng_t *r, int pct) { return rng_int(r, 100) < pct; }
static int rng_range(rng_t *r, int lo, int hi) { return lo + rng_int(r, hi - lo + 1); }

/* ---- literals (shared by data and expressions) ------------------------- */

static const char *const words[] = {
    "apple", "Banana", "cherry", "date", "Elder", "fig", "grape", "", "a b", "x%y",
    "under_score", "it's", "Zeta", "apple pie", "banana", "  pad", "Ω-mega", "12", "-7", "0.5",
};

static void put_quoted(rdb_buf_t *b, const char *s)
{
    rdb_buf_append_u8(b, '\'');
    for (; *s; s++) {
        if (*s == '\'')
            rdb_buf_append_u8(b, '\'');
        rdb_buf_append_u8(b, (uint8_t)*s);
    }
    rdb_buf_append_u8(b, '\'');
}

/* Civil date from days since 1970-01-01 (Howard Hinnant's algorithm). */
static void put_date(rdb_buf_t *b, long days)
{
    days += 719468;
    long era = (days >= 0 ? days : days - 146096) / 146097;
    long doe = days - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long y = yoe + era * 400;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    long d = doy - (153 * mp + 2) / 5 + 1;
    long m = mp < 10 ? mp + 3 : mp - 9;
    rdb_buf_printf(b, "%04ld-%02ld-%02ld", y + (m <= 2), m, d);
}

#define DATE_BASE 18262 /* 2020-01-01 */

static void put_value(rdb_buf_t *b, rng_t *r, vkind v, int row)
{
    switch (v) {
    case V_PK:
        rdb_buf_printf(b, "%d", row + 1);
        break;
    case V_SMALL:
        rdb_buf_printf(b, "%d", rng_int(r, 5));
        break;
    case V_INT:
        if (rng_pct(r, 4))
            rdb_buf_printf(b, "%d", rng_pct(r, 50) ? 2000000000 : -2000000000);
        else
            rdb_buf_printf(b, "%d", rng_range(r, -50, 100));
        break;
    case V_BIG:
        if (rng_pct(r, 10))
            rdb_buf_printf(b, "%lld", (long long)(rng_next(r) % UINT64_C(2000000000000)) - 1000000000000LL);
        else
            rdb_buf_printf(b, "%d", rng_range(r, -1000, 1000));
        break;
    case V_FK:
        rdb_buf_printf(b, "%d", rng_range(r, 1, 34));
        break;
    case V_TEXT:
        put_quoted(b, words[rng_int(r, RDB_ARRAY_LEN(words))]);
        break;
    case V_NUM: {
        int cents = rng_range(r, -99999, 99999);
        if (rng_pct(r, 30))
            cents = rng_range(r, -500, 500) * 10;
        rdb_buf_printf(b, "%s%d.%02d", cents < 0 ? "-" : "", abs(cents) / 100, abs(cents) % 100);
        break;
    }
    case V_BOOL:
        rdb_buf_append_str(b, rng_pct(r, 50) ? "true" : "false");
        break;
    case V_DATE:
        rdb_buf_append_u8(b, '\'');
        put_date(b, DATE_BASE + rng_range(r, 0, 1500));
        rdb_buf_append_u8(b, '\'');
        break;
    case V_FLT: {
        /* Mostly exact binary fractions, some decimal ones that are not. */
        int k = rng_range(r, -400, 400);
        if (rng_pct(r, 60))
            rdb_buf_printf(b, "%g", k / 8.0);
        else
            rdb_buf_printf(b, "%d.%d", k / 10, abs(k % 10));
        break;
    }
    }
}

char *rq_table_insert(int t, uint64_t seed)
{
    const table_def *td = &tables[t];
    rng_t r = { seed * 31 + (uint64_t)t * 1000003 + 17 };
    rdb_buf_t b = RDB_BUF_INIT;
    rdb_buf_printf(&b, "INSERT INTO %s VALUES ", td->name);
    /* Rows in a shuffled key order, so no engine returns them sorted by
     * accident of insertion order. */
    int order[256];
    for (int i = 0; i < td->nrows; i++)
        order[i] = i;
    for (int i = td->nrows - 1; i > 0; i--) {
        int j = rng_int(&r, i + 1), tmp = order[i];
        order[i] = order[j];
        order[j] = tmp;
    }
    for (int i = 0; i < td->nrows; i++) {
        rdb_buf_append_str(&b, i ? ", (" : "(");
        for (int c = 0; c < td->ncols; c++) {
            if (c)
                rdb_buf_append_str(&b, ", ");
            if (rng_pct(&r, td->cols[c].null_pct))
                rdb_buf_append_str(&b, "NULL");
            else
                put_value(&b, &r, td->cols[c].v, order[i]);
        }
        rdb_buf_append_u8(&b, ')');
    }
    rdb_buf_cstr(&b);
    return b.data;
}

/* ---- generator state --------------------------------------------------- */

/* A relation visible in a scope: a base table, a subquery or a CTE. */
typedef struct rel {
    char    alias[16];
    int     ncols;
    char    colname[MAXCOLS][16];
    rq_type type[MAXCOLS];
    int     pk;      /* unique column, -1 if none known */
    int     table;   /* base table index, -1 for a subquery or CTE */
} rel_t;

/* Subqueries run once per row of a level (if correlated): none over a
 * large join. */
#define MAX_ROWS_FOR_SUBQ 800
#define MAX_CORREL_WORK 6000

#define MAXRELS 6
#define MAXKEYS 4

typedef struct scope {
    rel_t               rels[MAXRELS];
    int                 nrels;
    const struct scope *outer;   /* enclosing query level, for correlation */
    long                est_rows; /* rough size of the FROM product */
    int                 correl_pct; /* chance a column comes from outer */
    bool                grouped; /* only group keys and aggregates allowed */
    int                 nkeys;
    char               *key[MAXKEYS];
    rq_type             keytype[MAXKEYS];
} scope_t;

typedef struct cte {
    char    name[16];
    int     ncols;
    rq_type type[MAXCOLS];
} cte_t;

typedef struct gen {
    rng_t    r;
    uint64_t enabled;
    uint64_t used;
    int      alias_seq;
    int      subq_level;  /* nesting of subqueries, bounded */
    int      selects;     /* SELECT bodies so far: the statement's size budget */
    bool     lateral;     /* the next SELECT body is a LATERAL subquery */
    int      ncte;
    cte_t    cte[2];
} gen_t;

static int R(gen_t *g, int n) { return rng_int(&g->r, n); }
static bool P(gen_t *g, int pct) { return rng_pct(&g->r, pct); }

/* Draw a chance for feature f; true (and the feature counted as used) only
 * when the draw succeeds and f is enabled.  The draw is taken either way so
 * that switching one feature off disturbs the random stream little. */
static bool want(gen_t *g, int f, int pct)
{
    bool hit = P(g, pct);
    if (!hit || !(g->enabled & RQF_BIT(f)))
        return false;
    g->used |= RQF_BIT(f);
    return true;
}

static bool enabled(const gen_t *g, int f) { return (g->enabled & RQF_BIT(f)) != 0; }
static void mark(gen_t *g, int f) { g->used |= RQF_BIT(f); }

static void gen_expr(gen_t *g, rdb_buf_t *b, const scope_t *sc, rq_type t, int depth);
static void rel_from_table(rel_t *rl, int tab, int seq);
static void gen_bool(gen_t *g, rdb_buf_t *b, const scope_t *sc, int depth);
static void gen_select(gen_t *g, rdb_buf_t *b, const scope_t *outer, int want_ncols,
                       const rq_type *want_types, int *ncols, rq_type *types, rq_stmt_t *top);

static rq_type random_type(gen_t *g)
{
    static const rq_type weighted[] = { T_INT, T_INT, T_INT, T_NUM, T_FLT, T_TEXT, T_TEXT,
                                        T_BOOL, T_DATE };
    rq_type t = weighted[R(g, RDB_ARRAY_LEN(weighted))];
    if (t == T_FLT && !enabled(g, RQF_FLOAT))
        t = T_INT;
    return t;
}

/* ---- leaves ------------------------------------------------------------ */

static void gen_literal(gen_t *g, rdb_buf_t *b, rq_type t)
{
    switch (t) {
    case T_INT: {
        static const int ints[] = { 0, 1, 2, 3, 5, 7, 10, 42, 100, -1, -3, 2147483647 };
        int v = P(g, 60) ? R(g, 10) : ints[R(g, RDB_ARRAY_LEN(ints))];
        rdb_buf_printf(b, v < 0 ? "(%d)" : "%d", v);
        break;
    }
    case T_NUM: {
        static const char *const nums[] = { "0.5", "1.25", "100.00", "0.001", "-2.5", "3.14159",
                                            "99999.99", "0" };
        const char *v = nums[R(g, RDB_ARRAY_LEN(nums))];
        rdb_buf_printf(b, v[0] == '-' ? "(%s)" : "%s", v);
        break;
    }
    case T_FLT: {
        static const char *const flts[] = { "0.5", "1.5", "-2.25", "0.1", "1e3", "3" };
        mark(g, RQF_FLOAT);
        rdb_buf_printf(b, "(%s::float8)", flts[R(g, RDB_ARRAY_LEN(flts))]);
        break;
    }
    case T_TEXT:
        put_quoted(b, words[R(g, RDB_ARRAY_LEN(words))]);
        break;
    case T_BOOL:
        rdb_buf_append_str(b, P(g, 50) ? "true" : "false");
        break;
    case T_DATE:
        rdb_buf_append_str(b, "DATE '");
        put_date(b, DATE_BASE + R(g, 1500));
        rdb_buf_append_u8(b, '\'');
        break;
    default:
        break;
    }
}

static const char *type_sql(rq_type t)
{
    switch (t) {
    case T_INT: return "integer";
    case T_NUM: return "numeric";
    case T_FLT: return "double precision";
    case T_TEXT: return "text";
    case T_BOOL: return "boolean";
    case T_DATE: return "date";
    default: return "?";
    }
}

/* A column of type t visible from sc (or, for correlation, an outer level
 * that is not grouped).  Returns false when there is none. */
static bool pick_column(gen_t *g, rdb_buf_t *b, const scope_t *sc, rq_type t)
{
    const scope_t *s = sc;
    if (sc->outer && !sc->outer->grouped &&
        sc->outer->est_rows * RDB_MAX(sc->est_rows, 1) <= MAX_CORREL_WORK &&
        want(g, RQF_CORREL, sc->correl_pct))
        s = sc->outer;
    for (int tries = 0; tries < 2; tries++, s = sc) {
        int n = 0;
        for (int i = 0; i < s->nrels; i++)
            for (int c = 0; c < s->rels[i].ncols; c++)
                n += s->rels[i].type[c] == t;
        if (n == 0)
            continue;
        int k = R(g, n);
        for (int i = 0; i < s->nrels; i++)
            for (int c = 0; c < s->rels[i].ncols; c++)
                if (s->rels[i].type[c] == t && k-- == 0) {
                    rdb_buf_printf(b, "%s.%s", s->rels[i].alias, s->rels[i].colname[c]);
                    return true;
                }
    }
    return false;
}

/* An aggregate call of type t; its argument is generated in plain. */
static bool gen_aggregate(gen_t *g, rdb_buf_t *b, const scope_t *grouped, rq_type t)
{
    scope_t plain = *grouped;
    plain.grouped = false;
    plain.nkeys = 0;
    /* No outer references in an argument: an aggregate over outer columns
     * only would belong to the outer query (and often nest there). */
    plain.outer = NULL;
    if (!enabled(g, RQF_AGG))
        return false;
    mark(g, RQF_AGG);
    int choice = R(g, 10);
    switch (t) {
    case T_INT:
        if (choice < 3) {
            rdb_buf_append_str(b, "count(*)");
            if (P(g, 15)) {
                rdb_buf_append_str(b, " FILTER (WHERE ");
                gen_bool(g, b, &plain, 1);
                rdb_buf_append_u8(b, ')');
            }
        } else if (choice < 5) {
            rq_type at = random_type(g);
            rdb_buf_append_str(b, "count(");
            if (want(g, RQF_DISTINCT, 30))
                rdb_buf_append_str(b, "DISTINCT ");
            gen_expr(g, b, &plain, at, 1);
            rdb_buf_append_u8(b, ')');
        } else {
            static const char *const f[] = { "sum", "min", "max", "sum", "max" };
            rdb_buf_printf(b, "%s(", f[R(g, RDB_ARRAY_LEN(f))]);
            gen_expr(g, b, &plain, T_INT, 1);
            rdb_buf_append_u8(b, ')');
        }
        return true;
    case T_NUM: {
        static const char *const f[] = { "sum", "avg", "min", "max", "avg" };
        const char *fn = f[R(g, RDB_ARRAY_LEN(f))];
        rdb_buf_printf(b, "%s(", fn);
        if (strcmp(fn, "avg") == 0 && P(g, 50) && want(g, RQF_DISTINCT, 20))
            rdb_buf_append_str(b, "DISTINCT ");
        gen_expr(g, b, &plain, P(g, 40) && strcmp(fn, "avg") == 0 ? T_INT : T_NUM, 1);
        rdb_buf_append_u8(b, ')');
        return true;
    }
    case T_FLT: {
        static const char *const f[] = { "sum", "avg", "min", "max", "stddev", "variance" };
        mark(g, RQF_FLOAT);
        rdb_buf_printf(b, "%s(", f[R(g, RDB_ARRAY_LEN(f))]);
        gen_expr(g, b, &plain, T_FLT, 1);
        rdb_buf_append_u8(b, ')');
        return true;
    }
    case T_TEXT:
        if (choice < 4 && enabled(g, RQF_STRFUNC)) {
            /* Ordered by its own argument: deterministic. */
            mark(g, RQF_STRFUNC);
            rdb_buf_t arg = RDB_BUF_INIT;
            gen_expr(g, &arg, &plain, T_TEXT, 1);
            const char *a = rdb_buf_cstr(&arg); /* may move arg.data: call it first */
            rdb_buf_printf(b, "string_agg(%s, ',' ORDER BY %s)", a, a);
            rdb_buf_free(&arg);
        } else {
            rdb_buf_append_str(b, P(g, 50) ? "min(" : "max(");
            gen_expr(g, b, &plain, T_TEXT, 1);
            rdb_buf_append_u8(b, ')');
        }
        return true;
    case T_BOOL:
        rdb_buf_append_str(b, P(g, 50) ? "bool_and(" : "bool_or(");
        gen_bool(g, b, &plain, 1);
        rdb_buf_append_u8(b, ')');
        return true;
    case T_DATE:
        rdb_buf_append_str(b, P(g, 50) ? "min(" : "max(");
        gen_expr(g, b, &plain, T_DATE, 1);
        rdb_buf_append_u8(b, ')');
        return true;
    default:
        return false;
    }
}

static void gen_leaf(gen_t *g, rdb_buf_t *b, const scope_t *sc, rq_type t)
{
    if (sc->grouped) {
        if (P(g, 50)) {
            int cand[MAXKEYS], n = 0;
            for (int k = 0; k < sc->nkeys; k++)
                if (sc->keytype[k] == t)
                    cand[n++] = k;
            if (n) {
                rdb_buf_append_str(b, sc->key[cand[R(g, n)]]);
                return;
            }
        }
        if (P(g, 75) && gen_aggregate(g, b, sc, t))
            return;
        gen_literal(g, b, t);
        return;
    }
    if (P(g, 80) && pick_column(g, b, sc, t))
        return;
    gen_literal(g, b, t);
}

/* ---- subqueries -------------------------------------------------------- */

/* A one-column subquery of type t: "SELECT ... FROM ...". */
static void gen_subquery(gen_t *g, rdb_buf_t *b, const scope_t *sc, rq_type t, bool scalar)
{
    int nc;
    rq_type types[MAXCOLS];
    g->subq_level++;
    rdb_buf_append_u8(b, '(');
    if (scalar && P(g, 70)) {
        /* An aggregate over a filtered table, usually correlated. */
        scope_t in = { .outer = sc, .nrels = 1 };
        int tab = R(g, NTABLES);
        rel_t *rl = &in.rels[0];
        rel_from_table(rl, tab, ++g->alias_seq);
        in.est_rows = tables[tab].nrows;
        in.correl_pct = 15;
        scope_t grp = in;
        grp.grouped = true;
        rdb_buf_append_str(b, "SELECT ");
        if (!gen_aggregate(g, b, &grp, t))
            gen_expr(g, b, &in, t, 1);
        rdb_buf_printf(b, " FROM %s %s", tables[tab].name, rl->alias);
        if (P(g, 80)) {
            rdb_buf_append_str(b, " WHERE ");
            gen_bool(g, b, &in, 2);
        }
    } else if (scalar && P(g, 60) && enabled(g, RQF_ORDER) && enabled(g, RQF_LIMIT)) {
        /* At most one row: the smallest or largest value. */
        int seq = ++g->alias_seq;
        mark(g, RQF_ORDER);
        mark(g, RQF_LIMIT);
        rdb_buf_printf(b, "SELECT x%d.c1 FROM (", seq);
        gen_select(g, b, sc, 1, &t, &nc, types, NULL);
        rdb_buf_printf(b, ") AS x%d ORDER BY 1%s LIMIT 1", seq, P(g, 50) ? " DESC" : "");
    } else {
        gen_select(g, b, sc, 1, &t, &nc, types, NULL);
    }
    rdb_buf_append_u8(b, ')');
    g->subq_level--;
}

#define MAX_SELECTS 3

/* Room for one more SELECT?  Bounds the size (and run time) of a statement. */
static bool room(const gen_t *g) { return g->subq_level < 2 && g->selects < MAX_SELECTS; }
static bool subq_ok(const gen_t *g, const scope_t *sc, int depth)
{
    return depth > 0 && room(g) && sc->est_rows <= MAX_ROWS_FOR_SUBQ;
}

/* ---- typed expressions ------------------------------------------------- */

static void gen_case(gen_t *g, rdb_buf_t *b, const scope_t *sc, rq_type t, int depth)
{
    if (P(g, 30)) {
        /* Simple CASE over an integer. */
        rdb_buf_append_str(b, "CASE ");
        gen_expr(g, b, sc, T_INT, depth - 1);
        int n = 1 + R(g, 3);
        for (int i = 0; i < n; i++) {
            rdb_buf_append_str(b, " WHEN ");
            gen_literal(g, b, T_INT);
            rdb_buf_append_str(b, " THEN ");
            gen_expr(g, b, sc, t, depth - 1);
        }
    } else {
        rdb_buf_append_str(b, "CASE");
        int n = 1 + R(g, 2);
        for (int i = 0; i < n; i++) {
            rdb_buf_append_str(b, " WHEN ");
            gen_bool(g, b, sc, depth - 1);
            rdb_buf_append_str(b, " THEN ");
            gen_expr(g, b, sc, t, depth - 1);
        }
    }
    if (P(g, 70)) {
        rdb_buf_append_str(b, " ELSE ");
        if (P(g, 20))
            rdb_buf_append_str(b, "NULL");
        else
            gen_expr(g, b, sc, t, depth - 1);
    }
    rdb_buf_append_str(b, " END");
}

static void gen_coalesce(gen_t *g, rdb_buf_t *b, const scope_t *sc, rq_type t, int depth)
{
    int k = R(g, 4);
    if (k == 1 && t != T_BOOL) {
        rdb_buf_append_str(b, P(g, 50) ? "GREATEST(" : "LEAST(");
    } else if (k == 2) {
        rdb_buf_append_str(b, "NULLIF(");
        gen_expr(g, b, sc, t, depth - 1);
        rdb_buf_append_str(b, ", ");
        gen_expr(g, b, sc, t, depth - 1);
        rdb_buf_append_u8(b, ')');
        return;
    } else {
        rdb_buf_append_str(b, "COALESCE(");
    }
    int n = 2 + R(g, 2);
    for (int i = 0; i < n; i++) {
        if (i)
            rdb_buf_append_str(b, ", ");
        if (i > 0 && P(g, 10))
            rdb_buf_append_str(b, "NULL");
        else
            gen_expr(g, b, sc, t, depth - 1);
    }
    rdb_buf_append_u8(b, ')');
}

/* Productions shared by every type: CASE, COALESCE family, scalar
 * subquery, and a typed NULL.  Returns true if it produced something. */
static bool gen_common(gen_t *g, rdb_buf_t *b, const scope_t *sc, rq_type t, int depth)
{
    int k = R(g, 100);
    if (k < 10 && want(g, RQF_CASE, 100)) {
        gen_case(g, b, sc, t, depth);
        return true;
    }
    if (k < 18 && want(g, RQF_COALESCE, 100)) {
        gen_coalesce(g, b, sc, t, depth);
        return true;
    }
    if (k < 23 && subq_ok(g, sc, depth) && want(g, RQF_SCALARSUB, 100)) {
        gen_subquery(g, b, sc, t, true);
        return true;
    }
    if (k < 25 && want(g, RQF_CAST, 100)) {
        rdb_buf_printf(b, "CAST(NULL AS %s)", type_sql(t));
        return true;
    }
    return false;
}

static void gen_int(gen_t *g, rdb_buf_t *b, const scope_t *sc, int depth)
{
    if (depth <= 0 || P(g, 35)) {
        gen_leaf(g, b, sc, T_INT);
        return;
    }
    if (gen_common(g, b, sc, T_INT, depth))
        return;
    int k = R(g, 10);
    if (k < 4 && want(g, RQF_ARITH, 100)) {
        static const char *const ops[] = { "+", "-", "*", "+", "-", "/", "%" };
        const char *op = ops[R(g, RDB_ARRAY_LEN(ops))];
        rdb_buf_append_u8(b, '(');
        gen_int(g, b, sc, depth - 1);
        rdb_buf_printf(b, " %s ", op);
        if (op[0] == '/' || op[0] == '%') {
            /* Half the divisors guarded, as careful SQL does. */
            bool guard = P(g, 50);
            if (guard)
                rdb_buf_append_str(b, "NULLIF(");
            gen_int(g, b, sc, depth - 1);
            if (guard)
                rdb_buf_append_str(b, ", 0)");
        } else {
            gen_int(g, b, sc, depth - 1);
        }
        rdb_buf_append_u8(b, ')');
    } else if (k < 5 && want(g, RQF_ARITH, 100)) {
        rdb_buf_append_str(b, P(g, 50) ? "abs(" : "(- ");
        gen_int(g, b, sc, depth - 1);
        rdb_buf_append_u8(b, ')');
    } else if (k < 6 && want(g, RQF_STRFUNC, 100)) {
        bool pos = P(g, 40);
        rdb_buf_append_str(b, pos ? "strpos(" : "length(");
        gen_expr(g, b, sc, T_TEXT, depth - 1);
        if (pos)
            rdb_buf_printf(b, ", '%c'", "aeB "[R(g, 4)]);
        rdb_buf_append_u8(b, ')');
    } else if (k < 7 && want(g, RQF_DATE, 100)) {
        rdb_buf_append_u8(b, '(');
        gen_expr(g, b, sc, T_DATE, depth - 1);
        rdb_buf_append_str(b, " - ");
        gen_expr(g, b, sc, T_DATE, depth - 1);
        rdb_buf_append_u8(b, ')');
    } else if (k < 9 && want(g, RQF_CAST, 100)) {
        static const rq_type from[] = { T_NUM, T_FLT, T_TEXT, T_NUM, T_BOOL, T_INT };
        rq_type f = from[R(g, RDB_ARRAY_LEN(from))];
        if (f == T_FLT && !enabled(g, RQF_FLOAT))
            f = T_NUM;
        if (f == T_TEXT && P(g, 85)) {
            rdb_buf_append_str(b, "CAST(");
            put_quoted(b, P(g, 80) ? "42" : "4x2");
            rdb_buf_append_str(b, " AS integer)");
        } else if (P(g, 50)) {
            /* boolean casts to integer only, not to bigint */
            rdb_buf_append_str(b, "CAST(");
            gen_expr(g, b, sc, f, depth - 1);
            rdb_buf_append_str(b, P(g, 70) || f == T_BOOL ? " AS integer)" : " AS bigint)");
        } else {
            rdb_buf_append_u8(b, '(');
            gen_expr(g, b, sc, f, depth - 1);
            rdb_buf_append_str(b, ")::int");
        }
    } else {
        gen_leaf(g, b, sc, T_INT);
    }
}

static void gen_num(gen_t *g, rdb_buf_t *b, const scope_t *sc, int depth)
{
    if (depth <= 0 || P(g, 35)) {
        gen_leaf(g, b, sc, T_NUM);
        return;
    }
    if (gen_common(g, b, sc, T_NUM, depth))
        return;
    int k = R(g, 10);
    if (k < 4 && want(g, RQF_NUMERIC, 100)) {
        static const char *const ops[] = { "+", "-", "*", "/", "+", "*" };
        rdb_buf_append_u8(b, '(');
        gen_expr(g, b, sc, P(g, 30) ? T_INT : T_NUM, depth - 1);
        rdb_buf_printf(b, " %s ", ops[R(g, RDB_ARRAY_LEN(ops))]);
        gen_num(g, b, sc, depth - 1);
        rdb_buf_append_u8(b, ')');
    } else if (k < 6 && want(g, RQF_NUMERIC, 100)) {
        static const char *const f[] = { "round", "trunc", "abs", "ceil", "floor" };
        const char *fn = f[R(g, RDB_ARRAY_LEN(f))];
        rdb_buf_printf(b, "%s(", fn);
        gen_num(g, b, sc, depth - 1);
        if ((strcmp(fn, "round") == 0 || strcmp(fn, "trunc") == 0) && P(g, 60))
            rdb_buf_printf(b, ", %d", R(g, 4) - 1);
        rdb_buf_append_u8(b, ')');
    } else if (k < 7 && want(g, RQF_DATE, 100)) {
        static const char *const fields[] = { "year", "month", "day", "dow", "doy" };
        rdb_buf_printf(b, "EXTRACT(%s FROM ", fields[R(g, RDB_ARRAY_LEN(fields))]);
        gen_expr(g, b, sc, T_DATE, depth - 1);
        rdb_buf_append_u8(b, ')');
    } else if (k < 9 && want(g, RQF_CAST, 100)) {
        rdb_buf_append_str(b, "CAST(");
        gen_expr(g, b, sc, P(g, 60) ? T_INT : T_NUM, depth - 1);
        rdb_buf_append_str(b, P(g, 50) ? " AS numeric(8,2))" : " AS numeric)");
    } else {
        gen_leaf(g, b, sc, T_NUM);
    }
}

static void gen_flt(gen_t *g, rdb_buf_t *b, const scope_t *sc, int depth)
{
    mark(g, RQF_FLOAT);
    if (depth <= 0 || P(g, 35)) {
        gen_leaf(g, b, sc, T_FLT);
        return;
    }
    if (gen_common(g, b, sc, T_FLT, depth))
        return;
    int k = R(g, 10);
    if (k < 4) {
        static const char *const ops[] = { "+", "-", "*", "/" };
        rdb_buf_append_u8(b, '(');
        gen_flt(g, b, sc, depth - 1);
        rdb_buf_printf(b, " %s ", ops[R(g, RDB_ARRAY_LEN(ops))]);
        gen_expr(g, b, sc, P(g, 50) ? T_FLT : T_INT, depth - 1);
        rdb_buf_append_u8(b, ')');
    } else if (k < 6) {
        static const char *const f[] = { "abs", "floor", "ceil", "round" };
        rdb_buf_printf(b, "%s(", f[R(g, RDB_ARRAY_LEN(f))]);
        gen_flt(g, b, sc, depth - 1);
        rdb_buf_append_u8(b, ')');
    } else if (k < 8 && want(g, RQF_CAST, 100)) {
        rdb_buf_append_str(b, "CAST(");
        gen_expr(g, b, sc, P(g, 50) ? T_INT : T_NUM, depth - 1);
        rdb_buf_append_str(b, " AS double precision)");
    } else {
        gen_leaf(g, b, sc, T_FLT);
    }
}

static void gen_text(gen_t *g, rdb_buf_t *b, const scope_t *sc, int depth)
{
    if (depth <= 0 || P(g, 35)) {
        gen_leaf(g, b, sc, T_TEXT);
        return;
    }
    if (gen_common(g, b, sc, T_TEXT, depth))
        return;
    int k = R(g, 10);
    if (k < 2 && want(g, RQF_STRFUNC, 100)) {
        rdb_buf_append_u8(b, '(');
        gen_text(g, b, sc, depth - 1);
        rdb_buf_append_str(b, " || ");
        gen_expr(g, b, sc, P(g, 70) ? T_TEXT : T_INT, depth - 1);
        rdb_buf_append_u8(b, ')');
    } else if (k < 6 && want(g, RQF_STRFUNC, 100)) {
        int f = R(g, 7);
        static const char *const fn[] = { "upper", "lower", "substr", "replace", "trim", "left",
                                          "concat" };
        rdb_buf_printf(b, "%s(", fn[f]);
        gen_text(g, b, sc, depth - 1);
        switch (f) {
        case 2:
            rdb_buf_printf(b, ", %d, %d", R(g, 4), R(g, 5));
            break;
        case 3:
            rdb_buf_printf(b, ", '%c', '%s'", "aeiA "[R(g, 5)], P(g, 50) ? "o" : "");
            break;
        case 5:
            rdb_buf_printf(b, ", %d", R(g, 5) - 1);
            break;
        case 6:
            rdb_buf_append_str(b, ", ");
            gen_expr(g, b, sc, random_type(g), depth - 1);
            break;
        default:
            break;
        }
        rdb_buf_append_u8(b, ')');
    } else if (k < 8 && want(g, RQF_CAST, 100)) {
        static const rq_type from[] = { T_INT, T_NUM, T_DATE, T_BOOL };
        rdb_buf_append_str(b, "CAST(");
        gen_expr(g, b, sc, from[R(g, RDB_ARRAY_LEN(from))], depth - 1);
        rdb_buf_append_str(b, P(g, 80) ? " AS text)" : " AS varchar(3))");
    } else {
        gen_leaf(g, b, sc, T_TEXT);
    }
}

static void gen_date(gen_t *g, rdb_buf_t *b, const scope_t *sc, int depth)
{
    if (depth <= 0 || P(g, 40)) {
        gen_leaf(g, b, sc, T_DATE);
        return;
    }
    if (gen_common(g, b, sc, T_DATE, depth))
        return;
    if (want(g, RQF_DATE, 70)) {
        rdb_buf_append_u8(b, '(');
        gen_date(g, b, sc, depth - 1);
        rdb_buf_append_str(b, P(g, 50) ? " + " : " - ");
        gen_literal(g, b, T_INT);
        rdb_buf_append_u8(b, ')');
    } else if (want(g, RQF_CAST, 50)) {
        rdb_buf_append_str(b, "CAST(");
        put_quoted(b, P(g, 90) ? "2021-02-28" : "2021-02-30");
        rdb_buf_append_str(b, " AS date)");
    } else {
        gen_leaf(g, b, sc, T_DATE);
    }
}

static rq_type comparable_type(gen_t *g)
{
    static const rq_type ts[] = { T_INT, T_INT, T_INT, T_NUM, T_TEXT, T_TEXT, T_DATE, T_FLT,
                                  T_BOOL };
    rq_type t = ts[R(g, RDB_ARRAY_LEN(ts))];
    if (t == T_FLT && !enabled(g, RQF_FLOAT))
        t = T_NUM;
    return t;
}

static void gen_bool_inner(gen_t *g, rdb_buf_t *b, const scope_t *sc, int depth);

/* Always parenthesised: "a <> b IN (...)" would parse as "a <> (b IN ...)". */
static void gen_bool(gen_t *g, rdb_buf_t *b, const scope_t *sc, int depth)
{
    size_t at = b->len;
    gen_bool_inner(g, b, sc, depth);
    /* A bare column or literal needs no parentheses. */
    bool simple = true;
    for (size_t i = at; i < b->len && simple; i++)
        simple = b->data[i] != ' ' && b->data[i] != '(';
    if (!simple) {
        size_t n = b->len - at;
        rdb_buf_reserve(b, 2);
        memmove(b->data + at + 1, b->data + at, n);
        b->data[at] = '(';
        b->data[at + 1 + n] = ')';
        b->len += 2;
    }
}

static void gen_bool_inner(gen_t *g, rdb_buf_t *b, const scope_t *sc, int depth)
{
    if (depth <= 0) {
        if (P(g, 60)) {
            static const char *const ops[] = { "=", "<>", "<", "<=", ">", ">=" };
            rq_type t = comparable_type(g);
            gen_leaf(g, b, sc, t);
            rdb_buf_printf(b, " %s ", ops[R(g, RDB_ARRAY_LEN(ops))]);
            gen_leaf(g, b, sc, t);
        } else {
            gen_leaf(g, b, sc, T_BOOL);
        }
        return;
    }
    int k = R(g, 100);
    if (k < 30) {
        static const char *const ops[] = { "=", "<>", "<", "<=", ">", ">=", "=" };
        rq_type t = comparable_type(g);
        gen_expr(g, b, sc, t, depth - 1);
        rdb_buf_printf(b, " %s ", ops[R(g, RDB_ARRAY_LEN(ops))]);
        gen_expr(g, b, sc, t, depth - 1);
    } else if (k < 45) {
        rdb_buf_append_u8(b, '(');
        gen_bool(g, b, sc, depth - 1);
        rdb_buf_append_str(b, P(g, 55) ? " AND " : " OR ");
        gen_bool(g, b, sc, depth - 1);
        rdb_buf_append_u8(b, ')');
    } else if (k < 49) {
        rdb_buf_append_str(b, "NOT (");
        gen_bool(g, b, sc, depth - 1);
        rdb_buf_append_u8(b, ')');
    } else if (k < 55 && want(g, RQF_NULLTEST, 100)) {
        int f = R(g, 4);
        if (f == 0) {
            rq_type t = comparable_type(g);
            gen_expr(g, b, sc, t, depth - 1);
            rdb_buf_append_str(b, P(g, 50) ? " IS DISTINCT FROM " : " IS NOT DISTINCT FROM ");
            gen_expr(g, b, sc, t, depth - 1);
        } else if (f == 1) {
            static const char *const is[] = { " IS TRUE", " IS NOT FALSE", " IS UNKNOWN" };
            rdb_buf_append_u8(b, '(');
            gen_bool(g, b, sc, depth - 1);
            rdb_buf_printf(b, ")%s", is[R(g, 3)]);
        } else {
            gen_expr(g, b, sc, random_type(g), depth - 1);
            rdb_buf_append_str(b, P(g, 50) ? " IS NULL" : " IS NOT NULL");
        }
    } else if (k < 61 && want(g, RQF_BETWEEN, 100)) {
        rq_type t = comparable_type(g);
        if (t == T_BOOL)
            t = T_INT;
        gen_expr(g, b, sc, t, depth - 1);
        rdb_buf_append_str(b, P(g, 25) ? " NOT BETWEEN " : " BETWEEN ");
        if (P(g, 15))
            rdb_buf_append_str(b, "SYMMETRIC ");
        gen_expr(g, b, sc, t, depth - 1);
        rdb_buf_append_str(b, " AND ");
        gen_expr(g, b, sc, t, depth - 1);
    } else if (k < 68 && want(g, RQF_INLIST, 100)) {
        rq_type t = comparable_type(g);
        gen_expr(g, b, sc, t, depth - 1);
        rdb_buf_append_str(b, P(g, 30) ? " NOT IN (" : " IN (");
        int n = 1 + R(g, 4);
        for (int i = 0; i < n; i++) {
            if (i)
                rdb_buf_append_str(b, ", ");
            if (P(g, 15))
                rdb_buf_append_str(b, "NULL");
            else if (P(g, 70))
                gen_literal(g, b, t);
            else
                gen_expr(g, b, sc, t, depth - 1);
        }
        rdb_buf_append_u8(b, ')');
    } else if (k < 74 && want(g, RQF_LIKE, 100)) {
        static const char *const pats[] = { "a%", "%e%", "_a%", "B%", "%", "%\\_%", "%'%",
                                            "", "%a", "__" };
        gen_text(g, b, sc, depth - 1);
        if (P(g, 70)) {
            static const char *const ops[] = { " LIKE ", " NOT LIKE ", " ILIKE ", " NOT ILIKE " };
            rdb_buf_append_str(b, ops[R(g, 4)]);
            put_quoted(b, pats[R(g, RDB_ARRAY_LEN(pats))]);
        } else {
            /* Regular expressions and SIMILAR TO. */
            static const char *const ops[] = { " ~ ", " !~ ", " ~* ", " !~* ", " SIMILAR TO ",
                                               " NOT SIMILAR TO " };
            static const char *const re[] = { "^a", "e$", "[0-9]", "^(a|B)", "an+", ".", "^$" };
            static const char *const sim[] = { "%(a|e)%", "_a%", "[A-Z]%", "%", "(apple|fig)" };
            int oi = R(g, 6);
            rdb_buf_append_str(b, ops[oi]);
            put_quoted(b, oi < 4 ? re[R(g, RDB_ARRAY_LEN(re))] : sim[R(g, RDB_ARRAY_LEN(sim))]);
        }
    } else if (k < 79 && subq_ok(g, sc, depth) && want(g, RQF_EXISTS, 100)) {
        rq_type t = random_type(g);
        rdb_buf_append_str(b, P(g, 30) ? "NOT EXISTS " : "EXISTS ");
        gen_subquery(g, b, sc, t, false);
    } else if (k < 85 && subq_ok(g, sc, depth) && want(g, RQF_INSUB, 100)) {
        rq_type t = comparable_type(g);
        gen_expr(g, b, sc, t, depth - 1);
        int f = R(g, 4);
        if (f == 0)
            rdb_buf_append_str(b, " NOT IN ");
        else if (f == 1)
            rdb_buf_append_str(b, " IN ");
        else
            rdb_buf_printf(b, " %s %s ", f == 2 ? "=" : (P(g, 50) ? "<" : ">="),
                           P(g, 50) ? "ANY" : "ALL");
        gen_subquery(g, b, sc, t, false);
    } else if (k < 95) {
        gen_leaf(g, b, sc, T_BOOL);
    } else {
        rdb_buf_append_u8(b, '(');
        gen_leaf(g, b, sc, T_BOOL);
        rdb_buf_append_u8(b, ')');
    }
}

static void gen_expr(gen_t *g, rdb_buf_t *b, const scope_t *sc, rq_type t, int depth)
{
    switch (t) {
    case T_INT: gen_int(g, b, sc, depth); break;
    case T_NUM: gen_num(g, b, sc, depth); break;
    case T_FLT: gen_flt(g, b, sc, depth); break;
    case T_TEXT: gen_text(g, b, sc, depth); break;
    case T_BOOL:
        if (depth > 0 && !sc->grouped && P(g, 10))
            gen_bool(g, b, sc, depth - 1);
        else if (P(g, 50))
            gen_leaf(g, b, sc, T_BOOL);
        else
            gen_bool(g, b, sc, depth - 1);
        break;
    case T_DATE: gen_date(g, b, sc, depth); break;
    default: break;
    }
}

/* ---- FROM -------------------------------------------------------------- */

static void rel_from_table(rel_t *rl, int tab, int seq)
{
    snprintf(rl->alias, sizeof rl->alias, "x%d", seq);
    rl->ncols = tables[tab].ncols;
    for (int c = 0; c < rl->ncols; c++) {
        snprintf(rl->colname[c], sizeof rl->colname[c], "%s", tables[tab].cols[c].name);
        rl->type[c] = tables[tab].cols[c].type;
    }
    rl->pk = tables[tab].pk;
    rl->table = tab;
}

/* Describe a subquery, CTE or VALUES item xSEQ with columns c1..cN. */
static void rel_from_select(rel_t *rl, int seq, int nc, const rq_type *types)
{
    snprintf(rl->alias, sizeof rl->alias, "x%d", seq);
    rl->ncols = nc;
    for (int i = 0; i < nc; i++) {
        snprintf(rl->colname[i], sizeof rl->colname[i], "c%d", i + 1);
        rl->type[i] = types[i];
    }
    rl->pk = -1;
    rl->table = -1;
}

/* "(SELECT ...)" into b, the SELECT seeing outer (NULL: nothing). */
static void gen_derived(gen_t *g, rdb_buf_t *b, const scope_t *outer, int *nc, rq_type *types)
{
    g->subq_level++;
    rdb_buf_append_u8(b, '(');
    gen_select(g, b, outer, 0, NULL, nc, types, NULL);
    rdb_buf_append_u8(b, ')');
    g->subq_level--;
}

/* One FROM item appended to b and described in *rl. */
static void gen_from_item(gen_t *g, rdb_buf_t *b, rel_t *rl)
{
    int seq = ++g->alias_seq;
    if (g->ncte && P(g, 40)) {
        const cte_t *c = &g->cte[R(g, g->ncte)];
        rel_from_select(rl, seq, c->ncols, c->type);
        rdb_buf_printf(b, "%s %s", c->name, rl->alias);
        return;
    }
    if (want(g, RQF_VALUES, 5)) {
        /* A VALUES list or generate_series as a FROM item. */
        rq_type types[MAXCOLS] = { T_INT };
        if (P(g, 40)) {
            rel_from_select(rl, seq, 1, types);
            rdb_buf_printf(b, "generate_series(%d, %d) AS %s(c1)", R(g, 3) - 1, R(g, 12),
                           rl->alias);
            return;
        }
        int nc = 1 + R(g, 3);
        for (int i = 0; i < nc; i++)
            types[i] = random_type(g);
        rel_from_select(rl, seq, nc, types);
        rdb_buf_append_str(b, "(VALUES ");
        int nrows = 1 + R(g, 5);
        for (int r = 0; r < nrows; r++) {
            rdb_buf_append_str(b, r ? ", (" : "(");
            for (int i = 0; i < rl->ncols; i++) {
                if (i)
                    rdb_buf_append_str(b, ", ");
                /* The first row fixes the column's type: no bare NULL there. */
                if (r > 0 && P(g, 15))
                    rdb_buf_append_str(b, "NULL");
                else
                    gen_literal(g, b, rl->type[i]);
            }
            rdb_buf_append_u8(b, ')');
        }
        rdb_buf_printf(b, ") AS %s(", rl->alias);
        for (int i = 0; i < rl->ncols; i++)
            rdb_buf_printf(b, "%sc%d", i ? ", " : "", i + 1);
        rdb_buf_append_u8(b, ')');
        return;
    }
    if (room(g) && want(g, RQF_FROMSUB, 15)) {
        int nc;
        rq_type types[MAXCOLS];
        gen_derived(g, b, NULL, &nc, types);
        rdb_buf_printf(b, " AS x%d", seq);
        rel_from_select(rl, seq, nc, types);
        return;
    }
    int tab = R(g, NTABLES);
    rel_from_table(rl, tab, seq);
    rdb_buf_printf(b, "%s %s", tables[tab].name, rl->alias);
}

/* An equality between a column of the new relation and one before it. */
static bool gen_equijoin(gen_t *g, rdb_buf_t *b, const scope_t *sc, const rel_t *nr)
{
    /* REQUIRES: nr is sc->rels[sc->nrels - 1]; the other side is before it. */
    for (int tries = 0; tries < 6; tries++) {
        int c = R(g, nr->ncols);
        const rel_t *o = &sc->rels[R(g, sc->nrels - 1)];
        int cand[MAXCOLS], n = 0;
        for (int oc = 0; oc < o->ncols; oc++)
            if (o->type[oc] == nr->type[c] && nr->type[c] != T_BOOL)
                cand[n++] = oc;
        if (n) {
            int oc = cand[R(g, n)];
            rdb_buf_printf(b, "%s.%s = %s.%s", o->alias, o->colname[oc], nr->alias, nr->colname[c]);
            return true;
        }
    }
    return false;
}

static long rel_rows(const rel_t *rl) { return rl->table >= 0 ? tables[rl->table].nrows : 30; }

static bool has_col(const rel_t *rl, const char *name)
{
    for (int c = 0; c < rl->ncols; c++)
        if (strcmp(rl->colname[c], name) == 0)
            return true;
    return false;
}

static void gen_from(gen_t *g, rdb_buf_t *b, scope_t *sc)
{
    rdb_buf_append_str(b, " FROM ");
    gen_from_item(g, b, &sc->rels[0]);
    sc->nrels = 1;
    sc->est_rows = rel_rows(&sc->rels[0]);
    int extra = 0;
    if (want(g, RQF_JOIN, g->subq_level ? 20 : 45))
        extra = P(g, 85) || g->subq_level > 0 ? 1 : 2;
    /* Three-way joins are costly enough without per-row subqueries. */
    if (extra == 2)
        g->selects = MAX_SELECTS;
    for (int i = 0; i < extra; i++) {
        rdb_buf_t item = RDB_BUF_INIT;
        rel_t *nr = &sc->rels[sc->nrels];
        if (room(g) && want(g, RQF_LATERAL, 8)) {
            /* A subquery that sees the items before it. */
            int seq = ++g->alias_seq, nc;
            rq_type types[MAXCOLS];
            rdb_buf_append_str(&item, "LATERAL ");
            g->lateral = true;
            gen_derived(g, &item, sc, &nc, types);
            rdb_buf_printf(&item, " AS x%d", seq);
            rel_from_select(nr, seq, nc, types);
            /* Only INNER and LEFT joins may refer to the left side. */
            rdb_buf_printf(b, P(g, 50) ? " CROSS JOIN %s" : " LEFT JOIN %s ON true",
                           rdb_buf_cstr(&item));
            sc->nrels++;
            sc->est_rows *= rel_rows(nr);
            rdb_buf_free(&item);
            continue;
        }
        gen_from_item(g, &item, nr);
        int k = R(g, 10);
        /* USING (g) / NATURAL: only between two base tables (the left side
         * a single one, or "g" would be ambiguous). */
        if (k < 2 && sc->nrels == 1 && sc->rels[0].table >= 0 && nr->table >= 0 &&
            has_col(&sc->rels[0], "g") && has_col(nr, "g") && want(g, RQF_USING, 100)) {
            if (P(g, 50))
                rdb_buf_printf(b, " JOIN %s USING (g)", rdb_buf_cstr(&item));
            else
                rdb_buf_printf(b, " NATURAL %sJOIN %s", P(g, 50) ? "LEFT " : "",
                               rdb_buf_cstr(&item));
        } else if (k < 3 && sc->est_rows * rel_rows(nr) <= 600) {
            /* A comma binds looser than JOIN: a later ON could not see the
             * items before it, so a comma only for the last item. */
            rdb_buf_printf(b, P(g, 50) && i == extra - 1 ? ", %s" : " CROSS JOIN %s",
                           rdb_buf_cstr(&item));
        } else {
            const char *jt = " JOIN ";
            bool full = false;
            if (want(g, RQF_OUTER, 40)) {
                static const char *const o[] = { " LEFT JOIN ", " RIGHT JOIN ", " FULL JOIN ",
                                                 " LEFT OUTER JOIN " };
                int oi = R(g, 4);
                jt = o[oi];
                full = oi == 2;
            }
            rdb_buf_printf(b, "%s%s ON ", jt, rdb_buf_cstr(&item));
            sc->nrels++;
            long before = sc->est_rows;
            sc->est_rows *= rel_rows(nr);
            rdb_buf_t on = RDB_BUF_INIT;
            /* A FULL JOIN needs a merge- or hash-joinable condition. */
            /* Mostly equi-joins: a big join result costs more to compare
             * than to compute.  The third item always. */
            if (full || i > 0 || P(g, 75)) {
                if (!gen_equijoin(g, &on, sc, nr)) {
                    rdb_buf_reset(&on);
                    rdb_buf_append_str(&on, "true");
                }
                if (full) {
                    if (P(g, 30)) {
                        rdb_buf_append_str(&on, " AND ");
                        if (!gen_equijoin(g, &on, sc, nr))
                            rdb_buf_append_str(&on, "true");
                    }
                } else if (P(g, 30)) {
                    rdb_buf_append_str(&on, " AND ");
                    gen_bool(g, &on, sc, 1);
                }
            } else {
                gen_bool(g, &on, sc, 1 + R(g, 2));
            }
            rdb_buf_append(b, on.data, on.len);
            rdb_buf_free(&on);
            sc->nrels--;
            sc->est_rows = before;
        }
        sc->nrels++;
        sc->est_rows *= rel_rows(nr);
        rdb_buf_free(&item);
    }
}

/* ---- window functions -------------------------------------------------- */

/* A window function of type t over the single base relation rl, or false.
 * Order-sensitive functions order by a key that ends with the primary key. */
static bool gen_window(gen_t *g, rdb_buf_t *b, const scope_t *sc, rq_type t)
{
    const rel_t *rl = &sc->rels[0];
    if (sc->nrels != 1 || rl->table < 0)
        return false;
    bool have_pk = rl->pk >= 0;
    rdb_buf_t fn = RDB_BUF_INIT;
    bool order_sensitive = false, ordered = true;
    int k = R(g, 10);
    if (t == T_INT && k < 3) {
        static const char *const f[] = { "row_number()", "rank()", "dense_rank()", "ntile(3)" };
        int fi = R(g, 4);
        rdb_buf_append_str(&fn, f[fi]);
        order_sensitive = fi == 0 || fi == 3;
    } else if (k < 6 && t != T_BOOL) {
        static const char *const f[] = { "lag", "lead", "first_value", "last_value" };
        int fi = R(g, 4);
        rdb_buf_printf(&fn, "%s(", f[fi]);
        /* These take anyelement: a bare string literal would be of unknown
         * type (42804), so text is made explicit. */
        if (t == T_TEXT)
            rdb_buf_append_u8(&fn, '(');
        gen_expr(g, &fn, sc, t, 1);
        if (t == T_TEXT)
            rdb_buf_append_str(&fn, ")::text");
        if (fi < 2 && P(g, 40))
            rdb_buf_printf(&fn, ", %d", 1 + R(g, 2));
        rdb_buf_append_u8(&fn, ')');
        order_sensitive = true;
    } else if (t == T_INT || t == T_NUM || (t == T_FLT && enabled(g, RQF_FLOAT))) {
        static const char *const f[] = { "sum", "min", "max", "count", "avg" };
        int fi = t == T_NUM ? (P(g, 50) ? 4 : R(g, 3)) : R(g, 4);
        rdb_buf_printf(&fn, "%s(", f[fi]);
        gen_expr(g, &fn, sc, fi == 4 && P(g, 50) ? T_INT : t, 1);
        rdb_buf_append_u8(&fn, ')');
        ordered = P(g, 60);
    } else {
        rdb_buf_free(&fn);
        return false;
    }
    if (order_sensitive && !have_pk) {
        rdb_buf_free(&fn);
        return false;
    }
    mark(g, RQF_WINDOW);
    rdb_buf_printf(b, "%s OVER (", rdb_buf_cstr(&fn));
    rdb_buf_free(&fn);
    bool part = P(g, 60);
    if (part) {
        rdb_buf_append_str(b, "PARTITION BY ");
        gen_leaf(g, b, sc, P(g, 70) ? T_INT : T_TEXT);
    }
    if (ordered || order_sensitive) {
        rdb_buf_append_str(b, part ? " ORDER BY " : "ORDER BY ");
        gen_leaf(g, b, sc, comparable_type(g));
        if (P(g, 40))
            rdb_buf_append_str(b, " DESC");
        if (have_pk)
            rdb_buf_printf(b, ", %s.%s", rl->alias, rl->colname[rl->pk]);
        if (have_pk && P(g, 30)) {
            static const char *const fr[] = {
                " ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING",
                " ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW",
                " ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING",
                " ROWS 2 PRECEDING",
            };
            rdb_buf_append_str(b, fr[R(g, 4)]);
        }
    }
    rdb_buf_append_u8(b, ')');
    return true;
}

/* ---- SELECT ------------------------------------------------------------ */

static void gen_order_by(gen_t *g, rdb_buf_t *b, int ncols, bool all, rq_stmt_t *top,
                         int first)
{
    int perm[MAXCOLS];
    for (int i = 0; i < ncols; i++)
        perm[i] = i;
    for (int i = ncols - 1; i > 0; i--) {
        int j = R(g, i + 1), tmp = perm[i];
        perm[i] = perm[j];
        perm[j] = tmp;
    }
    if (first >= 0) { /* DISTINCT ON (first) must lead the ORDER BY */
        for (int i = 0; i < ncols; i++)
            if (perm[i] == first) {
                perm[i] = perm[0];
                perm[0] = first;
            }
    }
    int n = all ? ncols : 1 + R(g, ncols);
    rdb_buf_append_str(b, " ORDER BY ");
    for (int i = 0; i < n; i++) {
        /* By position, or by the output name (the same column). */
        rdb_buf_printf(b, P(g, 20) ? "%sc%d" : "%s%d", i ? ", " : "", perm[i] + 1);
        if (P(g, 35))
            rdb_buf_append_str(b, " DESC");
        if (P(g, 25))
            rdb_buf_append_str(b, P(g, 50) ? " NULLS FIRST" : " NULLS LAST");
        if (top && top->norder < RQ_MAX_ORDER)
            top->order_cols[top->norder++] = perm[i];
    }
}

/* One SELECT (no ORDER BY / LIMIT) into b; *ncols/types get its output. */
static void gen_simple_select(gen_t *g, rdb_buf_t *b, const scope_t *outer, int want_ncols,
                              const rq_type *want_types, int *ncols, rq_type *types,
                              bool *distinct_on_ok, bool allow_window)
{
    scope_t sc;
    memset(&sc, 0, sizeof sc);
    sc.outer = outer;
    sc.correl_pct = g->lateral ? 50 : 15;
    g->lateral = false;
    g->selects++;
    rdb_buf_t from = RDB_BUF_INIT, where = RDB_BUF_INIT, tail = RDB_BUF_INIT;
    gen_from(g, &from, &sc);
    if (want(g, RQF_WHERE, 65)) {
        rdb_buf_append_str(&where, " WHERE ");
        gen_bool(g, &where, &sc, 1 + R(g, 2));
    }
    int n = want_ncols ? want_ncols : 1 + R(g, 3);
    for (int i = 0; i < n; i++)
        types[i] = want_types ? want_types[i] : random_type(g);
    *ncols = n;

    /* Shape: grouped, aggregate-only, or plain. */
    scope_t out = sc;
    bool grouped = false;
    if (want(g, RQF_GROUP, 25)) {
        grouped = true;
        int nk = 1 + R(g, 2);
        scope_t local = sc;
        local.outer = NULL;
        for (int k = 0; k < nk; k++) {
            /* A column, or an expression over one: a constant would be a
             * position or an error ("non-integer constant in GROUP BY"). */
            rdb_buf_t kb = RDB_BUF_INIT;
            rq_type kt = comparable_type(g);
            for (int tries = 0; tries < 6 && !pick_column(g, &kb, &local, kt); tries++)
                kt = comparable_type(g);
            if (kb.len == 0) {
                rdb_buf_free(&kb);
                continue;
            }
            if (P(g, 20)) {
                rdb_buf_t e = RDB_BUF_INIT;
                if (kt == T_INT)
                    rdb_buf_printf(&e, "(%s %% 3)", rdb_buf_cstr(&kb));
                else if (kt == T_TEXT && enabled(g, RQF_STRFUNC))
                    rdb_buf_printf(&e, "upper(%s)", rdb_buf_cstr(&kb));
                else if (kt == T_NUM && enabled(g, RQF_NUMERIC))
                    rdb_buf_printf(&e, "round(%s)", rdb_buf_cstr(&kb));
                if (e.len) {
                    rdb_buf_free(&kb);
                    kb = e;
                }
            }
            out.key[out.nkeys] = rdb_strdup(rdb_buf_cstr(&kb));
            out.keytype[out.nkeys++] = kt;
            rdb_buf_printf(&tail, "%s%s", out.nkeys == 1 ? " GROUP BY " : ", ", kb.data);
            rdb_buf_free(&kb);
        }
        out.grouped = true;
        if (want(g, RQF_HAVING, 40)) {
            rdb_buf_append_str(&tail, " HAVING ");
            gen_bool(g, &tail, &out, 2);
        }
    } else if (want(g, RQF_AGG, 12)) {
        grouped = true;
        out.grouped = true;
    }

    bool distinct = want(g, RQF_DISTINCT, 10);
    *distinct_on_ok = !distinct && !grouped;
    rdb_buf_append_str(b, distinct ? "SELECT DISTINCT " : "SELECT ");
    for (int i = 0; i < n; i++) {
        if (i)
            rdb_buf_append_str(b, ", ");
        if (!grouped && allow_window && enabled(g, RQF_WINDOW) && P(g, 25) &&
            gen_window(g, b, &sc, types[i])) {
            ;
        } else if (grouped && out.nkeys && P(g, 40)) {
            /* A group key of the right type, if there is one. */
            int hit = -1;
            for (int k = 0; k < out.nkeys; k++)
                if (out.keytype[k] == types[i])
                    hit = k;
            if (hit >= 0)
                rdb_buf_append_str(b, out.key[hit]);
            else
                gen_expr(g, b, &out, types[i], 1 + R(g, 2));
        } else {
            gen_expr(g, b, grouped ? &out : &sc, types[i], R(g, 3));
        }
        rdb_buf_printf(b, " AS c%d", i + 1);
    }
    rdb_buf_append(b, from.data, from.len);
    rdb_buf_append(b, where.data, where.len);
    rdb_buf_append(b, tail.data, tail.len);
    for (int k = 0; k < out.nkeys; k++)
        free(out.key[k]);
    rdb_buf_free(&from);
    rdb_buf_free(&where);
    rdb_buf_free(&tail);
}

static void gen_select(gen_t *g, rdb_buf_t *b, const scope_t *outer, int want_ncols,
                       const rq_type *want_types, int *ncols, rq_type *types, rq_stmt_t *top)
{
    bool don_ok;
    bool setop = room(g) && want(g, RQF_SETOP, top ? 15 : 5);
    rdb_buf_t first = RDB_BUF_INIT;
    gen_simple_select(g, &first, outer, want_ncols, want_types, ncols, types, &don_ok,
                      !setop && top != NULL);
    bool limit = want(g, RQF_LIMIT, top ? 20 : 8);
    bool order = limit || want(g, RQF_ORDER, top ? 40 : 0);
    if (limit)
        mark(g, RQF_ORDER);
    /* DISTINCT ON (1) ... ORDER BY 1, every other column. */
    bool don = order && !setop && don_ok && *ncols > 1 && want(g, RQF_DISTINCT, 10);
    if (don) {
        rdb_buf_append_str(b, "SELECT DISTINCT ON (1) ");
        rdb_buf_append(b, first.data + strlen("SELECT "), first.len - strlen("SELECT "));
    } else {
        rdb_buf_append(b, first.data, first.len);
    }
    rdb_buf_free(&first);
    if (setop) {
        static const char *const ops[] = { " UNION ", " UNION ALL ", " INTERSECT ",
                                           " INTERSECT ALL ", " EXCEPT ", " EXCEPT ALL " };
        int nc2;
        rq_type t2[MAXCOLS];
        rdb_buf_append_str(b, ops[R(g, RDB_ARRAY_LEN(ops))]);
        rq_type want2[MAXCOLS];
        memcpy(want2, types, sizeof(rq_type) * (size_t)*ncols);
        gen_simple_select(g, b, outer, *ncols, want2, &nc2, t2, &don_ok, false);
    }
    if (order)
        gen_order_by(g, b, *ncols, limit || don, top, don ? 0 : -1);
    if (limit) {
        if (P(g, 20)) {
            if (P(g, 40))
                rdb_buf_printf(b, " OFFSET %d ROWS", R(g, 6));
            rdb_buf_printf(b, " FETCH FIRST %d ROWS ONLY", 1 + R(g, 7));
        } else {
            rdb_buf_printf(b, " LIMIT %d", R(g, 8));
            if (P(g, 40))
                rdb_buf_printf(b, " OFFSET %d", R(g, 6));
        }
    }
}

/* ---- DML --------------------------------------------------------------- */

static void gen_returning(gen_t *g, rdb_buf_t *b, const scope_t *sc)
{
    if (!want(g, RQF_RETURNING, 40))
        return;
    if (P(g, 30)) {
        rdb_buf_append_str(b, " RETURNING *");
        return;
    }
    int n = 1 + R(g, 3);
    rdb_buf_append_str(b, " RETURNING ");
    for (int i = 0; i < n; i++) {
        if (i)
            rdb_buf_append_str(b, ", ");
        gen_expr(g, b, sc, random_type(g), 1);
    }
}

static void gen_dml(gen_t *g, rdb_buf_t *b, rq_stmt_t *st)
{
    int kinds[3], nk = 0;
    if (enabled(g, RQF_INSERT))
        kinds[nk++] = RQ_INSERT;
    if (enabled(g, RQF_UPDATE))
        kinds[nk++] = RQ_UPDATE;
    if (enabled(g, RQF_DELETE))
        kinds[nk++] = RQ_DELETE;
    int tab = R(g, NTABLES);
    const table_def *td = &tables[tab];
    st->kind = kinds[R(g, nk)];
    st->table = td->name;
    scope_t sc;
    memset(&sc, 0, sizeof sc);
    sc.nrels = 1;
    rel_from_table(&sc.rels[0], tab, ++g->alias_seq);
    sc.est_rows = td->nrows;
    /* Unqualified single-table scope for INSERT's RETURNING. */
    if (st->kind == RQ_INSERT) {
        mark(g, RQF_INSERT);
        rdb_buf_printf(b, "INSERT INTO %s AS %s ", td->name, sc.rels[0].alias);
        if (P(g, 70)) {
            rdb_buf_append_str(b, "VALUES ");
            rng_t *r = &g->r;
            int n = 1 + R(g, 3);
            for (int i = 0; i < n; i++) {
                rdb_buf_append_str(b, i ? ", (" : "(");
                for (int c = 0; c < td->ncols; c++) {
                    if (c)
                        rdb_buf_append_str(b, ", ");
                    if (c == td->pk)
                        rdb_buf_printf(b, "%d", td->nrows - 3 + R(g, 10));
                    else if (P(g, 15))
                        rdb_buf_append_str(b, "NULL");
                    else if (P(g, 15))
                        rdb_buf_append_str(b, "DEFAULT");
                    else if (P(g, 85))
                        put_value(b, r, td->cols[c].v, R(g, 100));
                    else
                        gen_literal(g, b, td->cols[c].type);
                }
                rdb_buf_append_u8(b, ')');
            }
        } else {
            /* INSERT ... SELECT, the key shifted clear of existing rows
             * unless the statement is meant to collide. */
            int nc;
            rq_type types[MAXCOLS];
            for (int c = 0; c < td->ncols; c++)
                types[c] = td->cols[c].type;
            g->subq_level++;
            rdb_buf_t sel = RDB_BUF_INIT;
            gen_select(g, &sel, NULL, td->ncols, types, &nc, types, NULL);
            g->subq_level--;
            if (td->pk >= 0) {
                rdb_buf_printf(b, "SELECT %s", P(g, 70) ? "c1 + 1000" : "c1");
                for (int c = 1; c < td->ncols; c++)
                    rdb_buf_printf(b, ", c%d", c + 1);
                rdb_buf_printf(b, " FROM (%s) AS ins", rdb_buf_cstr(&sel));
            } else {
                rdb_buf_append(b, sel.data, sel.len);
            }
            rdb_buf_free(&sel);
        }
        if (td->pk >= 0 && P(g, 30))
            rdb_buf_append_str(b, " ON CONFLICT DO NOTHING");
        gen_returning(g, b, &sc);
        return;
    }
    if (st->kind == RQ_UPDATE) {
        mark(g, RQF_UPDATE);
        rdb_buf_printf(b, "UPDATE %s AS %s SET ", td->name, sc.rels[0].alias);
        int n = 1 + R(g, 2);
        int used = 0;
        for (int i = 0; i < n; i++) {
            int c = R(g, td->ncols);
            if (used & (1 << c))
                continue;
            if (used)
                rdb_buf_append_str(b, ", ");
            used |= 1 << c;
            if (c == td->pk) /* clear of every existing key: no transient clash */
                rdb_buf_printf(b, "%s = %s + 1000", td->cols[c].name, td->cols[c].name);
            else if (P(g, 10))
                rdb_buf_printf(b, "%s = DEFAULT", td->cols[c].name);
            else {
                rdb_buf_printf(b, "%s = ", td->cols[c].name);
                gen_expr(g, b, &sc, td->cols[c].type, 2);
            }
        }
    } else {
        mark(g, RQF_DELETE);
        rdb_buf_printf(b, "DELETE FROM %s AS %s", td->name, sc.rels[0].alias);
    }
    if (P(g, 90)) {
        rdb_buf_append_str(b, " WHERE ");
        gen_bool(g, b, &sc, 2);
    }
    gen_returning(g, b, &sc);
}

/* ---- statements -------------------------------------------------------- */

void rq_gen_statement(uint64_t seed, uint64_t index, uint64_t enabled_mask, int dml_pct,
                      rq_stmt_t *out)
{
    gen_t g;
    memset(&g, 0, sizeof g);
    g.r.s = seed ^ (index * UINT64_C(0x9E3779B97F4A7C15) + UINT64_C(0x632BE59BD9B4E019));
    rng_next(&g.r);
    g.enabled = enabled_mask;
    memset(out, 0, sizeof *out);
    rdb_buf_t b = RDB_BUF_INIT;
    bool dml = enabled_mask & (RQF_BIT(RQF_INSERT) | RQF_BIT(RQF_UPDATE) | RQF_BIT(RQF_DELETE));
    if (dml && P(&g, dml_pct)) {
        gen_dml(&g, &b, out);
    } else {
        out->kind = RQ_SELECT;
        if (want(&g, RQF_CTE, 10)) {
            bool recursive = P(&g, 25);
            rdb_buf_append_str(&b, recursive ? "WITH RECURSIVE " : "WITH ");
            g.ncte = 1 + P(&g, 30);
            for (int i = 0; i < g.ncte; i++) {
                cte_t *c = &g.cte[i];
                snprintf(c->name, sizeof c->name, "w%d", i + 1);
                if (recursive && i == 0) {
                    /* A counter: w1(c1) from a to b. */
                    int from = R(&g, 5) - 2;
                    c->ncols = 1;
                    c->type[0] = T_INT;
                    rdb_buf_printf(&b, "w1(c1) AS (SELECT %d UNION ALL SELECT c1 + %d FROM w1 "
                                       "WHERE c1 < %d) ",
                                   from, 1 + R(&g, 2), from + R(&g, 12));
                    continue;
                }
                rdb_buf_printf(&b, "%s%s AS (", i ? ", " : "", c->name);
                /* A later CTE may read an earlier one. */
                int saved = g.ncte;
                g.ncte = i;
                g.subq_level++;
                gen_select(&g, &b, NULL, 0, NULL, &c->ncols, c->type, NULL);
                g.subq_level--;
                g.ncte = saved;
                rdb_buf_append_str(&b, ") ");
            }
        }
        int nc;
        rq_type types[MAXCOLS];
        gen_select(&g, &b, NULL, 0, NULL, &nc, types, out);
    }
    out->features = g.used;
    rdb_buf_cstr(&b);
    out->sql = rdb_buf_detach(&b, NULL);
}

void rq_stmt_free(rq_stmt_t *st)
{
    free(st->sql);
    st->sql = NULL;
}
