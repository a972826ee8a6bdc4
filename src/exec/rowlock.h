/*
 * rowlock.h — write locks on rows held until the end of a transaction.
 *
 * Interim concurrency control for one node until src/txn/ detects
 * write-write conflicts itself (first committer wins, DESIGN.md §7).
 * UPDATE and DELETE lock each row they change; a row locked by another
 * transaction is a serialization failure at once (40001), never a wait,
 * since a wait would block an event loop.  After taking the lock the
 * executor also checks that the row's newest committed version is the one
 * its snapshot read, so a transaction that started before a concurrent
 * change committed cannot overwrite it (the lost update PostgreSQL avoids
 * by re-reading the row).
 *
 * Thread-safe: one table per node behind one mutex; an owner (a session)
 * is used by one thread at a time.
 */
#ifndef RDB_EXEC_ROWLOCK_H
#define RDB_EXEC_ROWLOCK_H

#include <stdbool.h>
#include <stddef.h>

#include "common/buf.h"

typedef struct rowlocks rowlocks_t;

/* What one owner holds (embedded in the session). */
typedef struct rowlock_owner {
    rdb_buf_t keys;   /* length-prefixed keys held */
    int       n;
} rowlock_owner_t;

rowlocks_t *rowlocks_new(void);
void rowlocks_free(rowlocks_t *l);
/* Take the lock on key for o: 0 newly taken, 1 o held it already, -1
 * another owner holds it. */
int rowlock_acquire(rowlocks_t *l, rowlock_owner_t *o, const char *key, size_t klen);
/* Release everything o holds. */
void rowlock_release_all(rowlocks_t *l, rowlock_owner_t *o);

#endif
