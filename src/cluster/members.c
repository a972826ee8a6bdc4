/*
 * members.c — membership table, liveness and persistence; see members.h.
 *
 * File format: u32 BE length n, u32 BE masked CRC32C, n bytes of the
 * encoded table.  Written to PATH.tmp, fsynced, renamed over PATH.
 */
#include "cluster/members.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/coding.h"
#include "common/crc32c.h"
#include "common/mem.h"

const char *clu_mstate_name(clu_mstate_t s)
{
    switch (s) {
    case CLU_M_JOINING: return "joining";
    case CLU_M_UP:      return "up";
    case CLU_M_SUSPECT: return "suspect";
    case CLU_M_DOWN:    return "down";
    case CLU_M_LEAVING: return "leaving";
    case CLU_M_REMOVED: return "removed";
    }
    return "?";
}

void clu_members_init(clu_members_t *ms, uint16_t self, uint64_t suspect_ms)
{
    memset(ms, 0, sizeof *ms);
    ms->self = self;
    ms->suspect_ms = suspect_ms ? suspect_ms : 2000;
}

void clu_members_free(clu_members_t *ms)
{
    free(ms->m);
    memset(ms, 0, sizeof *ms);
}

static size_t members_lower(const clu_members_t *ms, uint16_t id)
{
    size_t lo = 0, hi = ms->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (ms->m[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

const clu_member_t *clu_members_get(const clu_members_t *ms, uint16_t id)
{
    size_t i = members_lower(ms, id);
    return i < ms->n && ms->m[i].id == id ? &ms->m[i] : NULL;
}

static bool merge_entry(clu_members_t *ms, uint16_t id, const char *addr, uint64_t version,
                        bool leaving, bool removed)
{
    if (strlen(addr) >= CLU_ADDR_MAX || id == 0)
        return false;
    size_t i = members_lower(ms, id);
    if (i < ms->n && ms->m[i].id == id) {
        clu_member_t *m = &ms->m[i];
        if (m->removed)
            return false;   /* sticky: the removed node's own entry never undoes it */
        if (version <= m->version && !removed)
            return false;
        strcpy(m->addr, addr);
        if (version > m->version)
            m->version = version;
        m->leaving = leaving || removed;
        m->removed = removed;
        return true;
    }
    ms->m = rdb_realloc(ms->m, (ms->n + 1) * sizeof *ms->m);
    memmove(&ms->m[i + 1], &ms->m[i], (ms->n - i) * sizeof *ms->m);
    clu_member_t *m = &ms->m[i];
    memset(m, 0, sizeof *m);
    m->id = id;
    strcpy(m->addr, addr);
    m->version = version;
    m->leaving = leaving || removed;
    m->removed = removed;
    m->state = id == ms->self ? CLU_M_UP : CLU_M_JOINING;
    ms->n++;
    return true;
}

bool clu_members_merge(clu_members_t *ms, uint16_t id, const char *addr, uint64_t version,
                       bool leaving)
{
    return merge_entry(ms, id, addr, version, leaving, false);
}

bool clu_members_remove(clu_members_t *ms, uint16_t id, uint64_t version)
{
    const clu_member_t *m = clu_members_get(ms, id);
    if (!m || m->removed)
        return false;
    char addr[CLU_ADDR_MAX];
    strcpy(addr, m->addr);
    return merge_entry(ms, id, addr, version, true, true);
}

void clu_members_heard(clu_members_t *ms, uint16_t id, uint64_t now_ms)
{
    size_t i = members_lower(ms, id);
    if (i < ms->n && ms->m[i].id == id && now_ms > ms->m[i].last_heard_ms)
        ms->m[i].last_heard_ms = now_ms;
}

size_t clu_members_tick(clu_members_t *ms, uint64_t now_ms)
{
    size_t changed = 0;
    for (size_t i = 0; i < ms->n; i++) {
        clu_member_t *m = &ms->m[i];
        clu_mstate_t s;
        if (m->removed)
            s = CLU_M_REMOVED;
        else if (m->leaving)
            s = CLU_M_LEAVING;
        else if (m->id == ms->self)
            s = CLU_M_UP;
        else if (m->last_heard_ms == 0)
            s = m->state == CLU_M_JOINING ? CLU_M_JOINING : CLU_M_DOWN;
        else if (now_ms - m->last_heard_ms <= ms->suspect_ms)
            s = CLU_M_UP;
        else if (now_ms - m->last_heard_ms <= 2 * ms->suspect_ms)
            s = CLU_M_SUSPECT;
        else
            s = CLU_M_DOWN;
        if (s != m->state) {
            m->state = s;
            changed++;
        }
    }
    return changed;
}

bool clu_members_is_up(const clu_members_t *ms, uint16_t id)
{
    const clu_member_t *m = clu_members_get(ms, id);
    /* SUSPECT still takes writes: only DOWN members get hints instead. */
    return m && (m->state == CLU_M_UP || m->state == CLU_M_SUSPECT);
}

void clu_members_encode(const clu_members_t *ms, rdb_buf_t *out)
{
    char t[RDB_MAX_VARINT64_LEN];
    rdb_buf_append(out, t, rdb_encode_varint64(t, ms->n));
    for (size_t i = 0; i < ms->n; i++) {
        const clu_member_t *m = &ms->m[i];
        size_t al = strlen(m->addr);
        rdb_buf_append(out, t, rdb_encode_varint64(t, m->id));
        rdb_buf_append(out, t, rdb_encode_varint64(t, al));
        rdb_buf_append(out, m->addr, al);
        rdb_buf_append(out, t, rdb_encode_varint64(t, m->version));
        rdb_buf_append_u8(out, m->removed ? CLU_MF_REMOVED : m->leaving ? CLU_MF_LEAVING : 0);
    }
}

rdb_status_t clu_members_merge_encoded(clu_members_t *ms, const void *data, size_t len,
                                       size_t *changed, rdb_err_t *err)
{
    const char *p = data, *end = p + len;
    uint64_t n;
    *changed = 0;
    if (!(p = rdb_decode_varint64(p, end, &n)) || n > 65535)
        goto bad;
    for (uint64_t i = 0; i < n; i++) {
        uint64_t id, al, ver;
        char addr[CLU_ADDR_MAX];
        if (!(p = rdb_decode_varint64(p, end, &id)) || id == 0 || id > UINT16_MAX ||
            !(p = rdb_decode_varint64(p, end, &al)) || al >= CLU_ADDR_MAX ||
            al > (uint64_t)(end - p))
            goto bad;
        memcpy(addr, p, al);
        addr[al] = 0;
        p += al;
        if (!(p = rdb_decode_varint64(p, end, &ver)) || p >= end)
            goto bad;
        unsigned char fl = (unsigned char)*p++;
        if (fl & CLU_MF_EXT) {   /* fields of a newer version: skipped */
            uint64_t xl;
            if (!(p = rdb_decode_varint64(p, end, &xl)) || xl > (uint64_t)(end - p))
                goto bad;
            p += xl;
        }
        /* Unknown flag bits (states of a newer version) are ignored: the
         * entry is merged with what this version understands. */
        *changed += merge_entry(ms, (uint16_t)id, addr, ver, (fl & CLU_MF_LEAVING) != 0,
                                (fl & CLU_MF_REMOVED) != 0);
    }
    if (p != end)
        goto bad;
    return RDB_OK;
bad:
    return rdb_err_set(err, RDB_PROTOCOL, RDB_SQLSTATE_PROTOCOL_VIOLATION,
                       "malformed membership table (%zu bytes)", len);
}

bool clu_members_peek_encoded(const void *data, size_t len, uint16_t id, clu_member_t *out)
{
    clu_members_t t;
    clu_members_init(&t, 0, 0);
    size_t changed;
    rdb_err_t e = RDB_ERR_INIT;
    const clu_member_t *m = NULL;
    if (clu_members_merge_encoded(&t, data, len, &changed, &e) == RDB_OK &&
        (m = clu_members_get(&t, id)) != NULL)
        *out = *m;
    rdb_err_clear(&e);
    bool found = m != NULL;
    clu_members_free(&t);
    return found;
}

rdb_status_t clu_members_save(const clu_members_t *ms, const char *path, rdb_err_t *err)
{
    rdb_buf_t b = RDB_BUF_INIT;
    clu_members_encode(ms, &b);
    char hdr[8];
    rdb_put_u32_be(hdr, (uint32_t)b.len);
    rdb_put_u32_be(hdr + 4, rdb_crc32c_mask(rdb_crc32c(b.data, b.len)));
    size_t pl = strlen(path);
    char *tmp = rdb_malloc(pl + 5);
    memcpy(tmp, path, pl);
    memcpy(tmp + pl, ".tmp", 5);
    rdb_status_t st = RDB_OK;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || write(fd, hdr, 8) != 8 || write(fd, b.data, b.len) != (ssize_t)b.len ||
        fsync(fd) != 0 || rename(tmp, path) != 0)
        st = rdb_err_set(err, RDB_IOERROR, RDB_SQLSTATE_IO_ERROR,
                         "could not write membership file \"%s\": %s", path, strerror(errno));
    if (fd >= 0)
        close(fd);
    free(tmp);
    rdb_buf_free(&b);
    return st;
}

rdb_status_t clu_members_load(clu_members_t *ms, const char *path, rdb_err_t *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (errno == ENOENT)
            return RDB_NOTFOUND;
        return rdb_err_set(err, RDB_IOERROR, RDB_SQLSTATE_IO_ERROR,
                           "could not open membership file \"%s\": %s", path, strerror(errno));
    }
    rdb_buf_t b = RDB_BUF_INIT;
    char chunk[4096];
    size_t r;
    while ((r = fread(chunk, 1, sizeof chunk, f)) > 0)
        rdb_buf_append(&b, chunk, r);
    fclose(f);
    rdb_status_t st = RDB_OK;
    size_t changed;
    if (b.len < 8 || rdb_get_u32_be(b.data) != b.len - 8 ||
        rdb_crc32c_unmask(rdb_get_u32_be(b.data + 4)) != rdb_crc32c(b.data + 8, b.len - 8)) {
        st = rdb_err_set(err, RDB_CORRUPTION, RDB_SQLSTATE_DATA_CORRUPTED,
                         "membership file \"%s\" is corrupt", path);
    } else if (clu_members_merge_encoded(ms, b.data + 8, b.len - 8, &changed, err) != RDB_OK) {
        rdb_err_clear(err);
        st = rdb_err_set(err, RDB_CORRUPTION, RDB_SQLSTATE_DATA_CORRUPTED,
                         "membership file \"%s\" is corrupt", path);
    }
    rdb_buf_free(&b);
    return st;
}
