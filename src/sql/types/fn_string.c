/*
 * fn_string.c
 */
#include "sql/types/fn_reg.h"

const fdef_t sqlt_fn_string[] = {
    { NULL, 0, { 0 }, 0, NULL, 0 },
};
