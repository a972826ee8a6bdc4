/*
 * fn_datetime.c
 */
#include "sql/types/fn_reg.h"

const fdef_t sqlt_fn_datetime[] = {
    { NULL, 0, { 0 }, 0, NULL, 0 },
};
