/* log.c — see log.h. */
#include "lsm/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "common/coding.h"
#include "common/crc32c.h"
#include "common/mem.h"

rdb_status_t lsm_log_create(lsm_log_writer_t *w, const char *path, rdb_err_t *err)
{
    w->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (w->fd < 0)
        return rdb_err_set(err, RDB_IOERROR, NULL, "could not create \"%s\": %s", path,
                           strerror(errno));
    w->path = rdb_strdup(path);
    w->size = 0;
    return RDB_OK;
}

static void frame_header(char *h, const void *payload, size_t n)
{
    rdb_put_u32_le(h, (uint32_t)n);
    rdb_put_u32_le(h + 4, rdb_crc32c_mask(rdb_crc32c(h, 4)));
    rdb_put_u32_le(h + 8, rdb_crc32c_mask(rdb_crc32c(payload, n)));
}

void lsm_log_frame(rdb_buf_t *out, const void *payload, size_t n)
{
    char h[LSM_LOG_HEADER];
    frame_header(h, payload, n);
    rdb_buf_append(out, h, sizeof h);
    rdb_buf_append(out, payload, n);
}

rdb_status_t lsm_log_write_raw(lsm_log_writer_t *w, const void *data, size_t n, rdb_err_t *err)
{
    const char *p = data;
    while (n) {
        ssize_t k = write(w->fd, p, n);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            return rdb_err_set(err, RDB_IOERROR, NULL, "could not write \"%s\": %s", w->path,
                               strerror(errno));
        }
        p += k;
        n -= (size_t)k;
        w->size += (uint64_t)k;
    }
    return RDB_OK;
}

rdb_status_t lsm_log_add(lsm_log_writer_t *w, const void *payload, size_t n, rdb_err_t *err)
{
    /* header and payload written where they lie, in one system call: no
     * copy of a large payload (a torn record fails its CRC on replay either
     * way); a short write finishes with plain writes */
    char h[LSM_LOG_HEADER];
    frame_header(h, payload, n);
    struct iovec iov[2] = { { h, sizeof h }, { (void *)payload, n } };
    ssize_t k;
    do
        k = writev(w->fd, iov, 2);
    while (k < 0 && errno == EINTR);
    if (k < 0)
        return rdb_err_set(err, RDB_IOERROR, NULL, "could not write \"%s\": %s", w->path,
                           strerror(errno));
    size_t done = (size_t)k;
    w->size += done;
    if (done >= sizeof h + n)
        return RDB_OK;
    rdb_status_t s = RDB_OK;
    if (done < sizeof h) {
        s = lsm_log_write_raw(w, h + done, sizeof h - done, err);
        done = sizeof h;
    }
    return s == RDB_OK ? lsm_log_write_raw(w, (const char *)payload + (done - sizeof h),
                                           n - (done - sizeof h), err)
                       : s;
}

rdb_status_t lsm_log_sync(lsm_log_writer_t *w, rdb_err_t *err)
{
    if (fdatasync(w->fd) != 0)
        return rdb_err_set(err, RDB_IOERROR, NULL, "could not fsync \"%s\": %s", w->path,
                           strerror(errno));
    return RDB_OK;
}

void lsm_log_close(lsm_log_writer_t *w)
{
    if (w->fd >= 0)
        close(w->fd);
    w->fd = -1;
    free(w->path);
    w->path = NULL;
}

rdb_status_t lsm_log_read(const char *path, lsm_log_fn fn, void *arg, bool *torn,
                          uint64_t *valid_end, rdb_err_t *err)
{
    if (torn)
        *torn = false;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return rdb_err_set(err, RDB_IOERROR, NULL, "could not open \"%s\": %s", path,
                           strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0) {
        close(fd);
        return rdb_err_set(err, RDB_IOERROR, NULL, "could not stat \"%s\": %s", path,
                           strerror(errno));
    }
    size_t size = (size_t)st.st_size;
    char *data = rdb_malloc(size ? size : 1);
    size_t got = 0;
    while (got < size) {
        ssize_t k = pread(fd, data + got, size - got, (off_t)got);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0) {
            free(data);
            close(fd);
            return rdb_err_set(err, RDB_IOERROR, NULL, "could not read \"%s\": %s", path,
                               k < 0 ? strerror(errno) : "short read");
        }
        got += (size_t)k;
    }
    close(fd);
    rdb_status_t s = RDB_OK;
    size_t off = 0;
    while (off < size) {
        if (size - off < LSM_LOG_HEADER) {
            if (torn)
                *torn = true;
            break;
        }
        const char *h = data + off;
        uint32_t len = rdb_get_u32_le(h);
        if (rdb_crc32c_unmask(rdb_get_u32_le(h + 4)) != rdb_crc32c(h, 4)) {
            s = rdb_err_set(err, RDB_CORRUPTION, RDB_SQLSTATE_DATA_CORRUPTED,
                            "corrupt record header in \"%s\" at offset %zu", path, off);
            break;
        }
        if (len > size - off - LSM_LOG_HEADER) {
            if (torn)
                *torn = true;
            break;
        }
        if (rdb_crc32c_unmask(rdb_get_u32_le(h + 8)) != rdb_crc32c(h + LSM_LOG_HEADER, len)) {
            /* A record that ends exactly at end of file may be a torn write
             * whose length made it to disk before its payload did. */
            if (off + LSM_LOG_HEADER + len == size) {
                if (torn)
                    *torn = true;
                break;
            }
            s = rdb_err_set(err, RDB_CORRUPTION, RDB_SQLSTATE_DATA_CORRUPTED,
                            "checksum mismatch in \"%s\" at offset %zu", path, off);
            break;
        }
        s = fn(arg, h + LSM_LOG_HEADER, len, off, err);
        if (s != RDB_OK)
            break;
        off += LSM_LOG_HEADER + len;
    }
    if (valid_end)
        *valid_end = off;
    free(data);
    return s;
}
