/*
 * rowlock.h — row locks held until the end of a transaction, in
 * PostgreSQL's four strengths.
 *
 * Pessimistic concurrency control for one node (DESIGN.md §7): the locks
 * live in a table per node, so a session on another node does not see
 * them (cross-node conflicts are last-writer-wins).  A key (a row's
 * primary-key key, or table id and hidden row id without one) has any number of holders, each in one mode:
 *
 *   FOR KEY SHARE < FOR SHARE < FOR NO KEY UPDATE < FOR UPDATE
 *
 * with PostgreSQL's conflict table: KEY SHARE conflicts only with UPDATE;
 * SHARE with NO KEY UPDATE and UPDATE; NO KEY UPDATE with SHARE, NO KEY
 * UPDATE and UPDATE; UPDATE with all.  An owner asking again for a key it
 * holds keeps the stronger mode (an upgrade waits while another owner
 * holds a conflicting mode).  SELECT ... FOR <mode> takes its mode; UPDATE
 * takes NO KEY UPDATE, or UPDATE when it changes a key column; DELETE
 * takes UPDATE; a FOREIGN KEY check takes KEY SHARE on the referenced row.
 *
 * A statement running off the event loop waits for a conflicting lock
 * (calling stop() every few milliseconds: cancel, statement_timeout), and
 * fails with 40P01 when the wait would close a cycle of waiters (all
 * conflicting holders of every waited-for key are edges); one running on a
 * loop never waits.  After taking the lock the executor reads the row's
 * newest committed version and works on it, as PostgreSQL's READ
 * COMMITTED does, so read-modify-write statements never lose an update.
 *
 * Thread-safe: one table per node behind one mutex; an owner (a session)
 * is used by one thread at a time.
 */
#ifndef RDB_EXEC_ROWLOCK_H
#define RDB_EXEC_ROWLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"

typedef struct rowlocks rowlocks_t;

/* Modes, weakest first (the order is the strength order). */
#define ROWLOCK_KEY_SHARE     0
#define ROWLOCK_SHARE         1
#define ROWLOCK_NO_KEY_UPDATE 2
#define ROWLOCK_UPDATE        3

/* What one owner holds (embedded in the session; zeroed = holds nothing). */
typedef struct rowlock_owner {
    rdb_buf_t keys;   /* length-prefixed keys held, each once */
    int       n;
    /* the key waited for (under the table's mutex) */
    bool      waiting;
    int       wait_mode;
    uint64_t  wait_hash;
    rdb_buf_t wait_key;
} rowlock_owner_t;

#define ROWLOCK_NEW       0
#define ROWLOCK_HELD      1   /* o held it already in this mode or a stronger one */
#define ROWLOCK_BUSY     -1   /* another owner holds a conflicting mode (wait false) */
#define ROWLOCK_DEADLOCK -2
#define ROWLOCK_STOPPED  -3   /* stop(arg) returned non-zero while waiting */

/* Does mode a conflict with mode b (PostgreSQL's table)? */
bool rowlock_conflicts(int a, int b);
/* "FOR UPDATE", "FOR KEY SHARE", ... */
const char *rowlock_mode_name(int mode);

rowlocks_t *rowlocks_new(void);
void rowlocks_free(rowlocks_t *l);
/* Take the lock on key in mode for o (ROWLOCK_*; an upgrade of a lock o
 * holds gives ROWLOCK_NEW).  wait: block while another owner holds a
 * conflicting mode, calling stop(arg) every few milliseconds. */
int rowlock_acquire(rowlocks_t *l, rowlock_owner_t *o, const char *key, size_t klen, int mode, bool wait,
                    int (*stop)(void *arg), void *arg);
/* The mode o holds key in, -1 if none. */
int rowlock_held(rowlocks_t *l, const rowlock_owner_t *o, const char *key, size_t klen);
/* Release everything o holds (its transaction ended). */
void rowlock_release_all(rowlocks_t *l, rowlock_owner_t *o);
/* Free o's buffers (o holds nothing). */
void rowlock_owner_free(rowlock_owner_t *o);

#endif
