/* table_builder.c — writing SSTables; see table.h. */
#include "lsm/table.h"

#include <errno.h>
#include <fcntl.h>
#include <lz4.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>

#include "common/coding.h"
#include "common/crc32c.h"
#include "common/mem.h"
#include "lsm/block.h"
#include "lsm/bloom.h"
#include "lsm/ikey.h"
#include "lsm/pages.h"

struct lsm_table_builder {
    int fd;
    char *path;
    lsm_options_t o;
    lsm_block_builder_t data, index;
    rdb_buf_t last_key;
    rdb_buf_t out;      /* pending bytes to write */
    rdb_buf_t cbuf;     /* compression scratch */
    uint64_t offset;    /* bytes written + pending */
    uint64_t entries;
    uint64_t *hashes;
    size_t nhash, caphash;
    uint64_t last_hash;
    bool have_hash;
    double ratio;       /* stored / raw bytes of recent data blocks */
    size_t last_entry;  /* raw bytes the last entry added */
};

/* Data blocks are cut so that each lies within one page where it can: a
 * block read from disk then costs one page in the kernel's copy, not two
 * (a pread that spans two pages of the page cache took ~40 % longer than
 * one within a page on the development VM, and a block of ~3 KiB at a
 * random offset spans two ~70 % of the time).  The builder aims each
 * block's stored bytes (compressed, with header and trailer) at the next
 * page boundary, estimating them from the raw size at the recent
 * compression ratio, and pads to the boundary with zeros when what is left
 * of a page is too small for a block.  Readers find blocks only by their
 * handles, so the gaps need nothing from them. */
#define FIT_PAGE 4096

/* Stored bytes the current data block aims at (the end of the page, or of
 * the last page it covers), or 0 for a plain cut at block_size raw bytes:
 * when blocks are small against pages, or when the rest of the page has
 * room for this block and more. */
static size_t fit_target(const lsm_table_builder_t *b)
{
    if (b->o.block_size < FIT_PAGE / 2)
        return 0;
    double s = (double)b->o.block_size * b->ratio; /* a plain block, stored */
    size_t end = FIT_PAGE - (size_t)(b->offset % FIT_PAGE);
    while (end + FIT_PAGE <= s * 1.25)
        end += FIT_PAGE;
    return end > s * 1.5 ? 0 : end;
}

lsm_table_builder_t *lsm_table_builder_new(const char *path, const lsm_options_t *o,
                                           rdb_err_t *err)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        rdb_err_set(err, RDB_IOERROR, NULL, "could not create \"%s\": %s", path, strerror(errno));
        return NULL;
    }
    lsm_table_builder_t *b = rdb_calloc(1, sizeof(*b));
    b->fd = fd;
    b->path = rdb_strdup(path);
    b->o = *o;
    lsm_block_builder_init(&b->data);
    lsm_block_builder_init(&b->index);
    /* every index entry a restart point: a seek binary-searches the index
     * without a linear walk (LevelDB's index_block_restart_interval) */
    b->index.restart_interval = 1;
    b->ratio = 1.0;
    return b;
}

static rdb_status_t flush_out(lsm_table_builder_t *b, rdb_err_t *err)
{
    const char *p = b->out.data;
    size_t n = b->out.len;
    while (n) {
        ssize_t k = write(b->fd, p, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0)
            return rdb_err_set(err, RDB_IOERROR, NULL, "could not write \"%s\": %s", b->path,
                               strerror(errno));
        p += k;
        n -= (size_t)k;
    }
    rdb_buf_reset(&b->out);
    return RDB_OK;
}

/* Append a block with trailer; handle gets offset and size (without trailer). */
static void emit_block(lsm_table_builder_t *b, const char *raw, size_t n, bool compress,
                       uint64_t *off, uint64_t *size)
{
    int type = LSM_COMPRESS_NONE;
    const char *body = raw;
    size_t blen = n;
    if (compress && b->o.compression != LSM_COMPRESS_NONE && n > 64) {
        rdb_buf_reset(&b->cbuf);
        size_t bound = b->o.compression == LSM_COMPRESS_LZ4 ? (size_t)LZ4_compressBound((int)n)
                                                            : ZSTD_compressBound(n);
        rdb_buf_reserve(&b->cbuf, bound + 5);
        size_t h = rdb_encode_varint32(b->cbuf.data, (uint32_t)n);
        size_t c = 0;
        if (b->o.compression == LSM_COMPRESS_LZ4) {
            int r = LZ4_compress_default(raw, b->cbuf.data + h, (int)n, (int)bound);
            c = r > 0 ? (size_t)r : 0;
        } else {
            size_t r = ZSTD_compress(b->cbuf.data + h, bound, raw, n, 1);
            c = ZSTD_isError(r) ? 0 : r;
        }
        if (c && h + c < n - n / 8) {
            type = b->o.compression;
            body = b->cbuf.data;
            blen = h + c;
        }
    }
    *off = b->offset;
    *size = blen;
    rdb_buf_append(&b->out, body, blen);
    char t[5];
    t[0] = (char)type;
    uint32_t crc = rdb_crc32c_extend(rdb_crc32c(body, blen), t, 1);
    rdb_put_u32_le(t + 1, rdb_crc32c_mask(crc));
    rdb_buf_append(&b->out, t, 5);
    b->offset += blen + 5;
}

static void finish_data_block(lsm_table_builder_t *b)
{
    if (b->data.entries == 0)
        return;
    lsm_block_finish(&b->data);
    uint64_t off, size;
    emit_block(b, b->data.buf.data, b->data.buf.len, true, &off, &size);
    b->ratio = 0.75 * b->ratio + 0.25 * (double)(size + 5) / (double)b->data.buf.len;
    char h[20];
    size_t n = rdb_encode_varint64(h, off);
    n += rdb_encode_varint64(h + n, size);
    lsm_block_add(&b->index, b->last_key.data, b->last_key.len, h, n);
    lsm_block_builder_reset(&b->data);
}

rdb_status_t lsm_table_builder_add(lsm_table_builder_t *b, const char *k, size_t kn,
                                   const char *v, size_t vn, rdb_err_t *err)
{
    size_t before = lsm_block_size_estimate(&b->data);
    lsm_block_add(&b->data, k, kn, v, vn);
    size_t est = lsm_block_size_estimate(&b->data);
    b->last_entry = est - before;
    rdb_buf_reset(&b->last_key);
    rdb_buf_append(&b->last_key, k, kn);
    b->entries++;
    if (b->o.bloom_bits_per_key > 0) {
        uint64_t h = lsm_bloom_hash(k, kn - LSM_IKEY_TRAILER);
        if (!b->have_hash || h != b->last_hash) {
            if (b->nhash == b->caphash) {
                size_t cap = b->caphash ? b->caphash * 2 : 1024;
                b->hashes = lsm_pages_realloc(b->hashes, b->caphash * sizeof(uint64_t),
                                              cap * sizeof(uint64_t));
                b->caphash = cap;
            }
            b->hashes[b->nhash++] = h;
            b->last_hash = h;
            b->have_hash = true;
        }
    }
    size_t target = fit_target(b);
    bool cut;
    if (target) /* cut before one more entry like this one would overflow */
        cut = (double)(est + b->last_entry) * b->ratio + 16 + (double)target * 3 / 64 >=
                  (double)target ||
              est >= 2 * b->o.block_size;
    else
        cut = est >= b->o.block_size;
    if (cut) {
        finish_data_block(b);
        size_t left = FIT_PAGE - (size_t)(b->offset % FIT_PAGE);
        if (b->o.block_size >= FIT_PAGE / 2 && left < FIT_PAGE &&
            (double)left < (double)b->o.block_size * b->ratio / 4) {
            static const char zeros[FIT_PAGE];
            rdb_buf_append(&b->out, zeros, left);
            b->offset += left;
        }
        if (b->out.len >= 256 * 1024)
            return flush_out(b, err);
    }
    return RDB_OK;
}

uint64_t lsm_table_builder_size(const lsm_table_builder_t *b)
{
    return b->offset + lsm_block_size_estimate(&b->data);
}
uint64_t lsm_table_builder_entries(const lsm_table_builder_t *b) { return b->entries; }

static void builder_free(lsm_table_builder_t *b)
{
    if (b->fd >= 0)
        close(b->fd);
    lsm_block_builder_free(&b->data);
    lsm_block_builder_free(&b->index);
    rdb_buf_free(&b->last_key);
    rdb_buf_free(&b->out);
    rdb_buf_free(&b->cbuf);
    lsm_pages_free(b->hashes, b->caphash * sizeof(uint64_t));
    free(b->path);
    free(b);
}

rdb_status_t lsm_table_builder_finish(lsm_table_builder_t *b, rdb_err_t *err)
{
    finish_data_block(b);
    rdb_buf_t f = RDB_BUF_INIT;
    if (b->o.bloom_bits_per_key > 0)
        lsm_bloom_build(b->hashes, b->nhash, b->o.bloom_bits_per_key, &f);
    uint64_t foff = 0, fsize = 0, ioff, isize;
    if (f.len)
        emit_block(b, f.data, f.len, false, &foff, &fsize);
    rdb_buf_free(&f);
    lsm_block_finish(&b->index);
    emit_block(b, b->index.buf.data, b->index.buf.len, false, &ioff, &isize);
    char ft[LSM_FOOTER_SIZE];
    rdb_put_u64_le(ft, foff);
    rdb_put_u64_le(ft + 8, fsize);
    rdb_put_u64_le(ft + 16, ioff);
    rdb_put_u64_le(ft + 24, isize);
    rdb_put_u32_le(ft + 32, rdb_crc32c_mask(rdb_crc32c(ft, 32)));
    rdb_put_u32_le(ft + 36, 0);
    rdb_put_u64_le(ft + 40, LSM_TABLE_MAGIC);
    rdb_buf_append(&b->out, ft, sizeof ft);
    b->offset += sizeof ft;
    rdb_status_t s = flush_out(b, err);
    if (s == RDB_OK && fdatasync(b->fd) != 0)
        s = rdb_err_set(err, RDB_IOERROR, NULL, "could not fsync \"%s\": %s", b->path,
                        strerror(errno));
    builder_free(b);
    return s;
}

void lsm_table_builder_abandon(lsm_table_builder_t *b)
{
    unlink(b->path);
    builder_free(b);
}
