/*
 * libpq_sql.c — extended-protocol checks against a running ringdb:
 * prepared statements with inferred parameter types, Describe
 * (ParameterDescription / RowDescription), text and binary parameters and
 * results, an error inside a prepared statement.
 *
 * Usage: libpq_sql CONNINFO.  Prints one line per failed check; exit 1 if any.
 */
#include <arpa/inet.h>
#include <libpq-fe.h>
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

static PGresult *ok(PGconn *c, PGresult *r, ExecStatusType want, const char *what)
{
    CHECK(PQresultStatus(r) == want, "%s: %s %s", what, PQresStatus(PQresultStatus(r)),
          PQresultErrorMessage(r));
    (void)c;
    return r;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: libpq_sql CONNINFO\n");
        return 2;
    }
    PGconn *c = PQconnectdb(argv[1]);
    if (PQstatus(c) != CONNECTION_OK) {
        printf("FAIL connect: %s\n", PQerrorMessage(c));
        return 1;
    }
    PQclear(ok(c, PQexec(c, "drop table if exists ext; create table ext (id int primary key, name text, "
                            "v bigint, f float8)"), PGRES_COMMAND_OK, "create"));

    /* INSERT with four parameters whose types come from the columns */
    PGresult *r = ok(c, PQprepare(c, "ins", "insert into ext values ($1, $2, $3, $4)", 0, NULL),
                     PGRES_COMMAND_OK, "prepare ins");
    PQclear(r);
    r = ok(c, PQdescribePrepared(c, "ins"), PGRES_COMMAND_OK, "describe ins");
    CHECK(PQnparams(r) == 4, "ins nparams %d", PQnparams(r));
    if (PQnparams(r) == 4) {
        CHECK(PQparamtype(r, 0) == 23, "param 1 type %u", PQparamtype(r, 0));
        CHECK(PQparamtype(r, 1) == 25, "param 2 type %u", PQparamtype(r, 1));
        CHECK(PQparamtype(r, 2) == 20, "param 3 type %u", PQparamtype(r, 2));
        CHECK(PQparamtype(r, 3) == 701, "param 4 type %u", PQparamtype(r, 3));
    }
    CHECK(PQnfields(r) == 0, "ins returns no columns");
    PQclear(r);
    for (int i = 1; i <= 5; i++) {
        char id[16], v[32];
        snprintf(id, sizeof id, "%d", i);
        snprintf(v, sizeof v, "%lld", (long long)i * 1000000000000LL);
        const char *vals[4] = { id, i == 3 ? NULL : "name", v, "1.5" };
        r = ok(c, PQexecPrepared(c, "ins", 4, vals, NULL, NULL, 0), PGRES_COMMAND_OK, "exec ins");
        CHECK(strcmp(PQcmdStatus(r), "INSERT 0 1") == 0, "tag %s", PQcmdStatus(r));
        PQclear(r);
    }

    /* SELECT with a parameter compared to the primary key; Describe */
    r = ok(c, PQprepare(c, "sel", "select id, name, v, f * 2 as g from ext where id = $1", 0, NULL),
           PGRES_COMMAND_OK, "prepare sel");
    PQclear(r);
    r = ok(c, PQdescribePrepared(c, "sel"), PGRES_COMMAND_OK, "describe sel");
    CHECK(PQnparams(r) == 1 && PQparamtype(r, 0) == 23, "sel param type");
    CHECK(PQnfields(r) == 4, "sel nfields %d", PQnfields(r));
    if (PQnfields(r) == 4) {
        CHECK(strcmp(PQfname(r, 3), "g") == 0, "fname %s", PQfname(r, 3));
        CHECK(PQftype(r, 2) == 20 && PQftype(r, 3) == 701, "ftypes %u %u", PQftype(r, 2), PQftype(r, 3));
        CHECK(PQftable(r, 0) != 0 && PQftablecol(r, 0) == 1, "ftable/ftablecol");
    }
    PQclear(r);
    const char *p2[1] = { "2" };
    r = ok(c, PQexecPrepared(c, "sel", 1, p2, NULL, NULL, 0), PGRES_TUPLES_OK, "exec sel text");
    CHECK(PQntuples(r) == 1 && strcmp(PQgetvalue(r, 0, 2), "2000000000000") == 0 &&
          strcmp(PQgetvalue(r, 0, 3), "3") == 0, "sel text values");
    PQclear(r);

    /* binary parameter and binary results */
    uint32_t be = htonl(4);
    const char *pb[1] = { (const char *)&be };
    int lens[1] = { 4 }, fmts[1] = { 1 };
    r = ok(c, PQexecPrepared(c, "sel", 1, pb, lens, fmts, 1), PGRES_TUPLES_OK, "exec sel binary");
    if (PQntuples(r) == 1) {
        CHECK(PQgetlength(r, 0, 0) == 4 && ntohl(*(uint32_t *)PQgetvalue(r, 0, 0)) == 4, "binary int4");
        CHECK(PQgetlength(r, 0, 2) == 8, "binary int8 length %d", PQgetlength(r, 0, 2));
        CHECK(PQfformat(r, 1) == 1 && memcmp(PQgetvalue(r, 0, 1), "name", 4) == 0, "binary text");
    } else {
        CHECK(0, "binary sel rows %d", PQntuples(r));
    }
    PQclear(r);

    /* NULL parameter and NULL result */
    const char *p3[1] = { "3" };
    r = ok(c, PQexecPrepared(c, "sel", 1, p3, NULL, NULL, 0), PGRES_TUPLES_OK, "exec sel null");
    CHECK(PQntuples(r) == 1 && PQgetisnull(r, 0, 1), "null name");
    PQclear(r);

    /* parameter in an expression, typed by the other operand; range scan */
    r = ok(c, PQexecParams(c, "select count(*), sum(v) from ext where id > $1 and name = $2", 2, NULL,
                           (const char *[]){ "1", "name" }, NULL, NULL, 0), PGRES_TUPLES_OK, "execParams");
    CHECK(PQntuples(r) == 1 && strcmp(PQgetvalue(r, 0, 0), "3") == 0, "count %s", PQgetvalue(r, 0, 0));
    PQclear(r);

    /* UPDATE ... RETURNING with parameters */
    r = ok(c, PQexecParams(c, "update ext set v = v + $1 where id = $2 returning v", 2, NULL,
                           (const char *[]){ "5", "1" }, NULL, NULL, 0), PGRES_TUPLES_OK, "update returning");
    CHECK(PQntuples(r) == 1 && strcmp(PQgetvalue(r, 0, 0), "1000000000005") == 0, "returning %s",
          PQntuples(r) ? PQgetvalue(r, 0, 0) : "-");
    PQclear(r);

    /* an error from a prepared statement, then the session goes on */
    r = PQexecParams(c, "select 1 / $1::int", 1, NULL, (const char *[]){ "0" }, NULL, NULL, 0);
    CHECK(PQresultStatus(r) == PGRES_FATAL_ERROR &&
          strcmp(PQresultErrorField(r, PG_DIAG_SQLSTATE), "22012") == 0, "division by zero");
    PQclear(r);
    r = PQexecParams(c, "select $1::int", 1, NULL, (const char *[]){ "abc" }, NULL, NULL, 0);
    CHECK(PQresultStatus(r) == PGRES_FATAL_ERROR &&
          strcmp(PQresultErrorField(r, PG_DIAG_SQLSTATE), "22P02") == 0, "bad int parameter");
    PQclear(r);
    r = ok(c, PQexec(c, "select count(*) from ext"), PGRES_TUPLES_OK, "after errors");
    CHECK(PQntuples(r) == 1 && strcmp(PQgetvalue(r, 0, 0), "5") == 0, "count after errors");
    PQclear(r);

    /* a prepared statement survives DDL on its table (re-bound) */
    PQclear(ok(c, PQexec(c, "alter table ext add column extra int default 7"), PGRES_COMMAND_OK, "alter"));
    r = ok(c, PQexecPrepared(c, "sel", 1, p2, NULL, NULL, 0), PGRES_TUPLES_OK, "exec sel after alter");
    CHECK(PQntuples(r) == 1, "rows after alter");
    PQclear(r);

    PQfinish(c);
    printf("%d checks, %d failed\n", checks, fails);
    return fails ? 1 : 0;
}
