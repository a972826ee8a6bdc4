/*
 * pgjson.h — repairs to libpg_query's JSON parse trees.
 *
 * libpg_query 15.4 (Debian's libpg-query-dev) drops the value of negative
 * integer constants from its JSON output: `SELECT -1` gives
 * {"A_Const": {"ival": {}, "location": 7}}, as `SELECT 0` does, and
 * `CREATE SEQUENCE s INCREMENT BY -1` gives a DefElem whose arg is
 * {"Integer": {}} (upstream issue pganalyze/libpg_query#243, fixed by #249
 * in later releases).  The value is still in the query text at the node's
 * location, so it can be read back from there.
 *
 * Call sql_pgjson_fix() on every tree right after json_loads() of
 * pg_query_parse()'s output, with the same query string.  It is idempotent
 * and leaves every other node alone.
 */
#ifndef RDB_SQL_PGJSON_H
#define RDB_SQL_PGJSON_H

#include <jansson.h>

/* Restore the values of integer constants in the tree (any node of it);
 * sql is the whole string given to pg_query_parse (locations index it). */
void sql_pgjson_fix(json_t *tree, const char *sql);

#endif
