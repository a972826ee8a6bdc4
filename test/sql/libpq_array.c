/*
 * libpq_array.c — arrays in PostgreSQL's binary format through libpq
 * against a running ringdb: binary results (array_send's layout: ndim,
 * has-null flag, element OID, dimensions, length-prefixed elements) with
 * the array type OIDs in RowDescription, and binary array parameters
 * (array_recv), including the errors for a wrong element type.
 *
 * Usage: libpq_array CONNINFO.  Prints one line per failed check and a
 * summary; exit 1 if any check failed.
 */
#include <arpa/inet.h>
#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fails, checks;

#define CHECK(cond, ...)                                          \
    do {                                                          \
        checks++;                                                 \
        if (!(cond)) {                                            \
            fails++;                                              \
            printf("FAIL %s:%d: ", __FILE__, __LINE__);           \
            printf(__VA_ARGS__);                                  \
            printf("\n");                                         \
        }                                                         \
    } while (0)

static uint32_t be32(const char *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return ntohl(v);
}

static void put32(char **p, uint32_t v)
{
    v = htonl(v);
    memcpy(*p, &v, 4);
    *p += 4;
}

/* Check a binary one-dimensional int4[]/int8[] value against want (INT64_MIN = NULL). */
static void check_ints(const char *what, const char *p, int len, uint32_t elem, int n, const int64_t *want)
{
    bool hasnull = false;
    for (int i = 0; i < n; i++)
        hasnull |= want[i] == INT64_MIN;
    int esz = elem == 20 ? 8 : 4;
    if (n == 0) {
        CHECK(len == 12, "%s: empty array length %d", what, len);
        if (len >= 12)
            CHECK(be32(p) == 0 && be32(p + 4) == 0 && be32(p + 8) == elem, "%s: empty header", what);
        return;
    }
    CHECK(len >= 20, "%s: length %d", what, len);
    if (len < 20)
        return;
    CHECK(be32(p) == 1, "%s: ndim %u", what, be32(p));
    CHECK(be32(p + 4) == (hasnull ? 1u : 0u), "%s: has-null flag %u", what, be32(p + 4));
    CHECK(be32(p + 8) == elem, "%s: element oid %u", what, be32(p + 8));
    CHECK(be32(p + 12) == (uint32_t)n, "%s: dimension %u", what, be32(p + 12));
    CHECK(be32(p + 16) == 1, "%s: lower bound %u", what, be32(p + 16));
    const char *q = p + 20, *e = p + len;
    for (int i = 0; i < n && q + 4 <= e; i++) {
        int32_t l = (int32_t)be32(q);
        q += 4;
        if (want[i] == INT64_MIN) {
            CHECK(l == -1, "%s: element %d should be NULL (length %d)", what, i, l);
            continue;
        }
        CHECK(l == esz, "%s: element %d length %d", what, i, l);
        if (l != esz || q + esz > e)
            return;
        int64_t v = esz == 8 ? (int64_t)((uint64_t)be32(q) << 32 | be32(q + 4)) : (int32_t)be32(q);
        CHECK(v == want[i], "%s: element %d = %lld, want %lld", what, i, (long long)v, (long long)want[i]);
        q += esz;
    }
    CHECK(q == e, "%s: %ld trailing bytes", what, (long)(e - q));
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: libpq_array CONNINFO\n");
        return 2;
    }
    PGconn *c = PQconnectdb(argv[1]);
    if (PQstatus(c) != CONNECTION_OK) {
        printf("FAIL connect: %s\n", PQerrorMessage(c));
        return 1;
    }
    PGresult *r = PQexec(c, "drop table if exists la_t; create table la_t (id int primary key, a int4[], "
                            "b int8[], t text[]); insert into la_t values (1, '{1,NULL,-3}', '{9000000000}', "
                            "'{\"x y\",NULL,\"q\\\"\"}'), (2, '{}', NULL, '{}')");
    CHECK(PQresultStatus(r) == PGRES_COMMAND_OK, "setup: %s", PQresultErrorMessage(r));
    PQclear(r);

    /* binary results: RowDescription OIDs and array_send's layout */
    r = PQexecParams(c, "select a, b, t, array[7, 8]::int8[] from la_t order by id", 0, NULL, NULL, NULL,
                     NULL, 1);
    CHECK(PQresultStatus(r) == PGRES_TUPLES_OK, "select binary: %s", PQresultErrorMessage(r));
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 2) {
        CHECK(PQftype(r, 0) == 1007 && PQftype(r, 1) == 1016 && PQftype(r, 2) == 1009 && PQftype(r, 3) == 1016,
              "column types %u %u %u %u", PQftype(r, 0), PQftype(r, 1), PQftype(r, 2), PQftype(r, 3));
        CHECK(PQfformat(r, 0) == 1, "binary format");
        check_ints("int4[] row 1", PQgetvalue(r, 0, 0), PQgetlength(r, 0, 0), 23, 3,
                   (int64_t[]){ 1, INT64_MIN, -3 });
        check_ints("int8[] row 1", PQgetvalue(r, 0, 1), PQgetlength(r, 0, 1), 20, 1, (int64_t[]){ 9000000000 });
        check_ints("int8[] literal", PQgetvalue(r, 0, 3), PQgetlength(r, 0, 3), 20, 2, (int64_t[]){ 7, 8 });
        check_ints("empty int4[]", PQgetvalue(r, 1, 0), PQgetlength(r, 1, 0), 23, 0, NULL);
        CHECK(PQgetisnull(r, 1, 1), "NULL array is NULL");
        /* text[]: elements are the text's bytes */
        const char *p = PQgetvalue(r, 0, 2);
        int len = PQgetlength(r, 0, 2);
        CHECK(len == 20 + 4 + 3 + 4 + 4 + 2, "text[] length %d", len);
        if (len == 37) {
            CHECK(be32(p + 4) == 1 && be32(p + 8) == 25 && be32(p + 12) == 3, "text[] header");
            CHECK(be32(p + 20) == 3 && memcmp(p + 24, "x y", 3) == 0, "text[] element 1");
            CHECK(be32(p + 27) == UINT32_MAX, "text[] element 2 NULL");
            CHECK(be32(p + 31) == 2 && memcmp(p + 35, "q\"", 2) == 0, "text[] element 3");
        }
    } else {
        CHECK(0, "select binary rows %d", PQntuples(r));
    }
    PQclear(r);

    /* a binary int4[] parameter: {5,NULL,7} */
    char buf[64], *w = buf;
    put32(&w, 1);
    put32(&w, 1);
    put32(&w, 23);
    put32(&w, 3);
    put32(&w, 1);
    put32(&w, 4);
    put32(&w, 5);
    put32(&w, UINT32_MAX);
    put32(&w, 4);
    put32(&w, 7);
    const char *vals[1] = { buf };
    int lens[1] = { (int)(w - buf) }, fmts[1] = { 1 };
    Oid types[1] = { 1007 };
    r = PQexecParams(c, "select $1::int4[], array_length($1, 1), $1[3] + 1", 1, types, vals, lens, fmts, 0);
    CHECK(PQresultStatus(r) == PGRES_TUPLES_OK, "binary param: %s", PQresultErrorMessage(r));
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1) {
        CHECK(strcmp(PQgetvalue(r, 0, 0), "{5,NULL,7}") == 0, "param as text %s", PQgetvalue(r, 0, 0));
        CHECK(strcmp(PQgetvalue(r, 0, 1), "3") == 0, "array_length %s", PQgetvalue(r, 0, 1));
        CHECK(strcmp(PQgetvalue(r, 0, 2), "8") == 0, "subscript %s", PQgetvalue(r, 0, 2));
    }
    PQclear(r);

    /* round trip: insert a binary parameter, read it back in binary */
    r = PQexecParams(c, "insert into la_t (id, a) values (3, $1)", 1, types, vals, lens, fmts, 0);
    CHECK(PQresultStatus(r) == PGRES_COMMAND_OK, "insert binary: %s", PQresultErrorMessage(r));
    PQclear(r);
    r = PQexecParams(c, "select a from la_t where id = 3", 0, NULL, NULL, NULL, NULL, 1);
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
        check_ints("round trip", PQgetvalue(r, 0, 0), PQgetlength(r, 0, 0), 23, 3, (int64_t[]){ 5, INT64_MIN, 7 });
    else
        CHECK(0, "round trip select: %s", PQresultErrorMessage(r));
    PQclear(r);

    /* Describe: parameters whose array type comes from their use */
    r = PQprepare(c, "anyp", "select id from la_t where id = any($1) and a = $2", 0, NULL);
    CHECK(PQresultStatus(r) == PGRES_COMMAND_OK, "prepare: %s", PQresultErrorMessage(r));
    PQclear(r);
    r = PQdescribePrepared(c, "anyp");
    CHECK(PQresultStatus(r) == PGRES_COMMAND_OK && PQnparams(r) == 2 && PQparamtype(r, 0) == 1007 &&
          PQparamtype(r, 1) == 1007, "param types %u %u", PQparamtype(r, 0), PQparamtype(r, 1));
    CHECK(PQnfields(r) == 1 && PQftype(r, 0) == 23, "describe result");
    PQclear(r);
    const char *tv[2] = { "{1,2,3}", "{5,NULL,7}" };
    r = PQexecPrepared(c, "anyp", 2, tv, NULL, NULL, 0);
    CHECK(PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 && strcmp(PQgetvalue(r, 0, 0), "3") == 0,
          "execute prepared: %s", PQresultErrorMessage(r));
    PQclear(r);

    /* the wrong element type: 42804 */
    types[0] = 1016;   /* int8[] declared, int4 elements sent */
    r = PQexecParams(c, "select $1", 1, types, vals, lens, fmts, 0);
    CHECK(PQresultStatus(r) == PGRES_FATAL_ERROR &&
          strcmp(PQresultErrorField(r, PG_DIAG_SQLSTATE) ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : "", "42804") == 0,
          "wrong element type: %s", PQresultErrorMessage(r));
    PQclear(r);
    /* a truncated array: 22P03 */
    types[0] = 1007;
    lens[0] = 30;
    r = PQexecParams(c, "select $1", 1, types, vals, lens, fmts, 0);
    CHECK(PQresultStatus(r) == PGRES_FATAL_ERROR &&
          strcmp(PQresultErrorField(r, PG_DIAG_SQLSTATE) ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : "", "22P03") == 0,
          "truncated array: %s", PQresultErrorMessage(r));
    PQclear(r);
    r = PQexec(c, "select 1");
    CHECK(PQresultStatus(r) == PGRES_TUPLES_OK, "connection survives: %s", PQresultErrorMessage(r));
    PQclear(r);
    PQclear(PQexec(c, "drop table la_t"));
    PQfinish(c);
    printf("libpq_array: %d checks, %d failed\n", checks, fails);
    return fails ? 1 : 0;
}
