/*
 * pgjson.c — see pgjson.h: reading integer constants that libpg_query's
 * JSON output lost back from the query text.
 *
 * An A_Const with an empty "ival" and a location: the text there is the
 * literal, possibly after a unary minus the grammar folded into it
 * ("-1", "- 1", "-(1)").  A DefElem whose arg is an empty Integer (sequence
 * and table options): the location is the option's first keyword, and the
 * number is the first signed integer after it before any ',' ')' or ';'.
 * Anything that does not read as an integer is left as it was (0).
 */
#include <ctype.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "sql/pgjson.h"

/* A signed integer at p, after any of "-+ \t\n(".  false if none. */
static bool read_int(const char *p, long long *out)
{
    int sign = 1;
    while (*p == '-' || *p == '+' || *p == '(' || isspace((unsigned char)*p)) {
        if (*p == '-')
            sign = -sign;
        p++;
    }
    if (!isdigit((unsigned char)*p))
        return false;
    char *end;
    long long v = strtoll(p, &end, 10);
    if (isalpha((unsigned char)*end) || *end == '.' || v > INT_MAX)
        return false;
    *out = sign * v;
    return true;
}

static long long location(json_t *o, size_t len)
{
    json_t *l = json_object_get(o, "location");
    long long loc = json_is_integer(l) ? json_integer_value(l) : -1;
    return loc >= 0 && (size_t)loc < len ? loc : -1;
}

static void fix_const(json_t *c, const char *sql, size_t len)
{
    json_t *ival = json_object_get(c, "ival");
    long long loc = location(c, len), v;
    if (!json_is_object(ival) || json_object_get(ival, "ival") || loc < 0)
        return;
    if (read_int(sql + loc, &v) && v != 0)
        json_object_set_new(ival, "ival", json_integer(v));
}

static void fix_defelem(json_t *de, const char *sql, size_t len)
{
    json_t *in = json_object_get(json_object_get(de, "arg"), "Integer");
    long long loc = location(de, len), v;
    if (!json_is_object(in) || json_object_get(in, "ival") || loc < 0)
        return;
    for (const char *p = sql + loc; *p && *p != ',' && *p != ')' && *p != ';'; p++)
        if (*p == '-' || isdigit((unsigned char)*p)) {
            if (read_int(p, &v) && v != 0)
                json_object_set_new(in, "ival", json_integer(v));
            return;
        }
}

static void walk(json_t *t, const char *sql, size_t len)
{
    if (json_is_object(t)) {
        const char *k;
        json_t *v;
        json_object_foreach(t, k, v) {
            if (strcmp(k, "A_Const") == 0)
                fix_const(v, sql, len);
            else if (strcmp(k, "DefElem") == 0)
                fix_defelem(v, sql, len);
            walk(v, sql, len);
        }
    } else if (json_is_array(t)) {
        size_t i;
        json_t *v;
        json_array_foreach(t, i, v)
            walk(v, sql, len);
    }
}

void sql_pgjson_fix(json_t *tree, const char *sql)
{
    if (tree && sql)
        walk(tree, sql, strlen(sql));
}
