/*
 * log.h — CRC-framed record log, the format of WAL segments and MANIFESTs.
 *
 * Record: len (u32 le) | masked crc32c of the len field (u32) | masked
 * crc32c of the payload (u32) | payload.  The header checksum tells a torn
 * tail (a record cut short by a crash: recovery stops there cleanly) from
 * corruption inside the file (reported with file name and offset).
 * DO NOT CHANGE: embedded in the on-disk format.
 */
#ifndef RDB_LSM_LOG_H
#define RDB_LSM_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/error.h"

#define LSM_LOG_HEADER 12

typedef struct lsm_log_writer {
    int fd;
    char *path;
    uint64_t size;
} lsm_log_writer_t;

rdb_status_t lsm_log_create(lsm_log_writer_t *w, const char *path, rdb_err_t *err);
/* Frame payload (appended as one record) into out; then write out. */
void lsm_log_frame(rdb_buf_t *out, const void *payload, size_t n);
rdb_status_t lsm_log_write_raw(lsm_log_writer_t *w, const void *data, size_t n, rdb_err_t *err);
rdb_status_t lsm_log_add(lsm_log_writer_t *w, const void *payload, size_t n, rdb_err_t *err);
rdb_status_t lsm_log_sync(lsm_log_writer_t *w, rdb_err_t *err);
void lsm_log_close(lsm_log_writer_t *w);

/* Reads the whole file, calling fn per record.  A torn tail ends the read
 * with RDB_OK and *torn = true (torn may be NULL); fn returning non-OK stops. */
typedef rdb_status_t (*lsm_log_fn)(void *arg, const char *rec, size_t n, uint64_t off,
                                   rdb_err_t *err);
rdb_status_t lsm_log_read(const char *path, lsm_log_fn fn, void *arg, bool *torn,
                          uint64_t *valid_end, rdb_err_t *err);

#endif
