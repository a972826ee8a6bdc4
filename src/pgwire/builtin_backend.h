/*
 * builtin_backend.h — a tiny engine implementing backend.h, so that every
 * wire-protocol feature can be exercised before the SQL engine lands.
 *
 * It understands: SELECT of integer/string literals (with ::int, ::text,
 * AS name) and parameters ($n), SELECT pg_sleep(s) (offloaded, cancellable,
 * honours statement_timeout), SELECT generate_series(1,n) and
 * SELECT * FROM generate_series(1,n), SELECT 1/0 (22012), BEGIN / COMMIT /
 * ROLLBACK, SET / SHOW, and COPY t FROM STDIN / TO STDOUT [CSV] on one
 * in-memory table of lines per engine.  Anything else is 42601.
 */
#ifndef RDB_PGWIRE_BUILTIN_BACKEND_H
#define RDB_PGWIRE_BUILTIN_BACKEND_H

#include "common/backend.h"

/* Fill *out with a new built-in engine; free with rdb_builtin_backend_free. */
void rdb_builtin_backend_init(rdb_backend_t *out);
void rdb_builtin_backend_free(rdb_backend_t *b);

#endif
