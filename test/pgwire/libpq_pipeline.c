/*
 * libpq_pipeline.c — libpq client checks run by test_pgwire.py against a
 * live server: pipeline mode with binary results, an error inside a
 * pipeline, and prepared statements.  Usage: libpq_pipeline PORT.
 * Exit 0 when every check passed.
 */
#include <arpa/inet.h>
#include <libpq-fe.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fails;
#define CHECK(c, what)                                      \
    do {                                                    \
        if (!(c)) {                                         \
            fprintf(stderr, "FAIL: %s (%s:%d)\n", what, __FILE__, __LINE__); \
            fails++;                                        \
        }                                                   \
    } while (0)

static PGresult *next(PGconn *c)
{
    PGresult *r = PQgetResult(c);
    return r;
}

int main(int argc, char **argv)
{
    if (argc != 2)
        return 2;
    char conninfo[128];
    snprintf(conninfo, sizeof conninfo, "host=127.0.0.1 port=%s user=tester dbname=postgres", argv[1]);
    PGconn *c = PQconnectdb(conninfo);
    if (PQstatus(c) != CONNECTION_OK) {
        fprintf(stderr, "connect: %s", PQerrorMessage(c));
        return 1;
    }
    CHECK(PQserverVersion(c) / 10000 == 15, "server version 15");

    /* Pipeline: three statements, binary results, then a failing one. */
    CHECK(PQenterPipelineMode(c) == 1, "enter pipeline");
    const char *p1[1] = { "41" };
    CHECK(PQsendQueryParams(c, "SELECT $1::int", 1, NULL, p1, NULL, NULL, 1), "send 1");
    CHECK(PQsendQueryParams(c, "SELECT generate_series(1,3)", 0, NULL, NULL, NULL, NULL, 1), "send 2");
    CHECK(PQpipelineSync(c), "sync 1");
    CHECK(PQsendQueryParams(c, "SELECT 1/0", 0, NULL, NULL, NULL, NULL, 0), "send 3");
    CHECK(PQsendQueryParams(c, "SELECT 2", 0, NULL, NULL, NULL, NULL, 0), "send 4");
    CHECK(PQpipelineSync(c), "sync 2");
    CHECK(PQsendQueryParams(c, "SELECT 'x'::text", 0, NULL, NULL, NULL, NULL, 0), "send 5");
    CHECK(PQpipelineSync(c), "sync 3");

    PGresult *r = next(c);
    CHECK(PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 && PQfformat(r, 0) == 1 &&
              PQftype(r, 0) == 23 && PQgetlength(r, 0, 0) == 4,
          "binary int4 result");
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQgetlength(r, 0, 0) == 4) {
        uint32_t v;
        memcpy(&v, PQgetvalue(r, 0, 0), 4);
        CHECK(ntohl(v) == 41, "value 41");
    }
    PQclear(r);
    CHECK(next(c) == NULL, "end of result 1");
    r = next(c);
    CHECK(PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 3, "3 rows");
    PQclear(r);
    CHECK(next(c) == NULL, "end of result 2");
    r = next(c);
    CHECK(PQresultStatus(r) == PGRES_PIPELINE_SYNC, "sync 1 result");
    PQclear(r);
    r = next(c);
    CHECK(PQresultStatus(r) == PGRES_FATAL_ERROR &&
              strcmp(PQresultErrorField(r, PG_DIAG_SQLSTATE), "22012") == 0, "22012 in pipeline");
    PQclear(r);
    CHECK(next(c) == NULL, "end of error result");
    r = next(c);
    CHECK(PQresultStatus(r) == PGRES_PIPELINE_ABORTED, "statement after error aborted");
    PQclear(r);
    CHECK(next(c) == NULL, "end of aborted result");
    r = next(c);
    CHECK(PQresultStatus(r) == PGRES_PIPELINE_SYNC, "sync 2 result");
    PQclear(r);
    r = next(c);
    CHECK(PQresultStatus(r) == PGRES_TUPLES_OK && strcmp(PQgetvalue(r, 0, 0), "x") == 0,
          "pipeline continues after sync");
    PQclear(r);
    CHECK(next(c) == NULL, "end of result 5");
    r = next(c);
    CHECK(PQresultStatus(r) == PGRES_PIPELINE_SYNC, "sync 3 result");
    PQclear(r);
    CHECK(PQexitPipelineMode(c) == 1, "exit pipeline");

    /* Named prepared statement, executed twice. */
    r = PQprepare(c, "q", "SELECT $1::int, $2::text", 2, NULL);
    CHECK(PQresultStatus(r) == PGRES_COMMAND_OK, "prepare");
    PQclear(r);
    r = PQdescribePrepared(c, "q");
    CHECK(PQnparams(r) == 2 && PQparamtype(r, 0) == 23 && PQnfields(r) == 2, "describe prepared");
    PQclear(r);
    for (int i = 0; i < 2; i++) {
        const char *v[2] = { i ? "7" : "-3", "hi" };
        r = PQexecPrepared(c, "q", 2, v, NULL, NULL, 0);
        CHECK(PQresultStatus(r) == PGRES_TUPLES_OK && strcmp(PQgetvalue(r, 0, 0), v[0]) == 0 &&
                  strcmp(PQgetvalue(r, 0, 1), "hi") == 0,
              "exec prepared");
        PQclear(r);
    }
    const char *bad[2] = { "abc", "x" };
    r = PQexecPrepared(c, "q", 2, bad, NULL, NULL, 0);
    CHECK(PQresultStatus(r) == PGRES_FATAL_ERROR &&
              strcmp(PQresultErrorField(r, PG_DIAG_SQLSTATE), "22P02") == 0, "bad int param 22P02");
    PQclear(r);
    PQfinish(c);
    printf("libpq checks: %d failed\n", fails);
    return fails ? 1 : 0;
}
