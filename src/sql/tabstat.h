/*
 * tabstat.h — the node's activity counters per table and index, behind
 * pg_stat_all_tables, pg_stat_user_tables, pg_stat_user_indexes and
 * pg_statio_user_tables (PostgreSQL's cumulative statistics).
 *
 * Counters are per node: each node counts the scans and row changes its
 * own sessions run (a row replicated from a peer is not counted here), in
 * memory, from the node's start or the last pg_stat_reset().  Each is a
 * 64-bit atomic in a fixed open-addressing table keyed by relation OID
 * (SQL_TABSTAT_SLOTS entries; relations past that are not counted), so a
 * count is one relaxed atomic add, done once per scan or per statement by
 * the executor, never per row.
 */
#ifndef RDB_SQL_TABSTAT_H
#define RDB_SQL_TABSTAT_H

#include <stdbool.h>
#include <stdint.h>

#define SQL_TABSTAT_SLOTS 8192

typedef enum sql_tabstat_counter {
    TS_SEQ_SCAN, TS_SEQ_TUP_READ,     /* full scans, the rows they read        */
    TS_IDX_SCAN, TS_IDX_TUP_FETCH,    /* key / index scans (table and index)  */
    TS_IDX_TUP_READ,                  /* index: entries read                   */
    TS_TUP_INS, TS_TUP_UPD, TS_TUP_DEL,
    TS_LIVE_TUP, TS_DEAD_TUP,         /* estimates, see sql_tabstat_changed    */
    TS_MOD_SINCE_ANALYZE, TS_INS_SINCE_VACUUM,
    TS_ANALYZE_COUNT, TS_LAST_ANALYZE, /* last: PostgreSQL microseconds, 0 = never */
    TS_NCOUNTERS
} sql_tabstat_counter_t;

/* Add delta to counter c of relation (table or index) relid. */
void sql_tabstat_add(uint32_t relid, sql_tabstat_counter_t c, int64_t delta);
/* A statement changed rows of table relid: ins / upd / del rows.  The
 * n_tup_* and n_mod_since_analyze counters move at once (as PostgreSQL's
 * count rolled-back rows too); n_live_tup and n_dead_tup wait in *pend
 * for the transaction's end (sql_tabstat_end).  pend NULL: at once. */
typedef struct sql_tabstat_pending sql_tabstat_pending_t;
void sql_tabstat_changed(sql_tabstat_pending_t **pend, uint32_t relid, int64_t ins, int64_t upd,
                         int64_t del);
/* The transaction ended: committed, live += ins - del and dead += upd +
 * del; rolled back, dead += ins (the rows it wrote are dead).  Frees
 * *pend. */
void sql_tabstat_end(sql_tabstat_pending_t **pend, bool committed);
/* ANALYZE of relid counted rows, at time now (PostgreSQL microseconds). */
void sql_tabstat_analyzed(uint32_t relid, int64_t rows, int64_t now);
/* The value of counter c of relid (0 if never counted). */
int64_t sql_tabstat_get(uint32_t relid, sql_tabstat_counter_t c);
/* pg_stat_reset(): every counter back to 0. */
void sql_tabstat_reset(void);

#endif
