/*
 * rowlock.h — write locks on rows held until the end of a transaction.
 *
 * Interim concurrency control for one node until src/txn/ detects
 * write-write conflicts itself (first committer wins, DESIGN.md §7).
 * UPDATE and DELETE lock each row they change.  A statement running off
 * the event loop waits for a row locked by another transaction (checking
 * cancel and statement_timeout, and failing with 40P01 when the wait
 * would close a cycle of waiters); one running on a loop never waits and
 * fails with 40001 instead.  After taking the lock the executor reads the
 * row's newest committed version and works on it, as PostgreSQL's READ
 * COMMITTED UPDATE does (re-checking the WHERE clause), so concurrent
 * read-modify-write statements never lose an update.
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
    struct rowlock_owner *waiting_for;   /* under the table's mutex */
} rowlock_owner_t;

#define ROWLOCK_NEW       0
#define ROWLOCK_HELD      1   /* o held it already */
#define ROWLOCK_BUSY     -1   /* another owner holds it (wait false) */
#define ROWLOCK_DEADLOCK -2
#define ROWLOCK_STOPPED  -3   /* stop(arg) returned non-zero while waiting */

rowlocks_t *rowlocks_new(void);
void rowlocks_free(rowlocks_t *l);
/* Take the lock on key for o (ROWLOCK_*).  wait: block while another owner
 * holds it, calling stop(arg) every few milliseconds. */
int rowlock_acquire(rowlocks_t *l, rowlock_owner_t *o, const char *key, size_t klen, bool wait,
                    int (*stop)(void *arg), void *arg);
/* Release everything o holds. */
void rowlock_release_all(rowlocks_t *l, rowlock_owner_t *o);

#endif
