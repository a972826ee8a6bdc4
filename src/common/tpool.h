/*
 * tpool.h — reusable threads for short jobs: statements run off the event
 * loop (pgwire/conn.c) and the slices of a parallel scan (exec/parallel.c).
 *
 * Starting a thread per job costs a clone, a new stack's page faults and
 * an exit (tens of microseconds on a VM, as much as a point read's whole
 * statement); a thread that has finished a job waits here for the next
 * one instead.  The pool never queues: a job runs at once, on an idle
 * thread or on a new one, so it behaves as a thread of its own (a job may
 * block, and jobs never wait for one another).
 *
 * Idle threads: at most RDB_TPOOL_MAX_IDLE are kept, each for at most
 * RDB_TPOOL_IDLE_MS, then it exits.  A job must leave no thread-local
 * state behind that the next job (another session's) could read.
 */
#ifndef RDB_COMMON_TPOOL_H
#define RDB_COMMON_TPOOL_H

#define RDB_TPOOL_MAX_IDLE 16
#define RDB_TPOOL_IDLE_MS  10000

/* Run fn(arg) on a pooled thread.  Returns 0, or -1 when no thread can be
 * had (then fn was not called: the caller runs it itself).  The caller
 * learns of fn's end through fn (the pool has no join). */
int rdb_tpool_run(void (*fn)(void *arg), void *arg);

/* How many pooled threads are idle now (tests). */
int rdb_tpool_idle(void);

#endif
