/*
 * frame.c — peer-link frame codec; see frame.h for the layout.
 */
#include "cluster/frame.h"

#include "common/coding.h"
#include "common/crc32c.h"

static int frame_write(void *data, const char *buf, size_t len)
{
    rdb_buf_append((rdb_buf_t *)data, buf, len);
    return 0;
}

size_t clu_frame_start(rdb_buf_t *out, msgpack_packer *pk, clu_msg_type_t type,
                       uint16_t from, uint64_t hlc, size_t nfields)
{
    size_t start = out->len;
    static const char zero[CLU_FRAME_HDR];
    rdb_buf_append(out, zero, sizeof zero);
    msgpack_packer_init(pk, out, frame_write);
    msgpack_pack_array(pk, 3 + nfields);
    msgpack_pack_uint32(pk, (uint32_t)type);
    msgpack_pack_uint16(pk, from);
    msgpack_pack_uint64(pk, hlc);
    return start;
}

void clu_frame_finish(rdb_buf_t *out, size_t start)
{
    char *h = out->data + start;
    size_t n = out->len - start - CLU_FRAME_HDR;
    rdb_put_u32_be(h, (uint32_t)n);
    rdb_put_u32_be(h + 4, rdb_crc32c_mask(rdb_crc32c(h + CLU_FRAME_HDR, n)));
}

rdb_status_t clu_frame_parse(const void *data, size_t len, size_t *consumed, clu_frame_t *f,
                             rdb_err_t *err)
{
    const char *p = data;
    if (len < CLU_FRAME_HDR)
        return RDB_EOF;
    uint32_t n = rdb_get_u32_be(p);
    if (n == 0 || n > CLU_FRAME_MAX)
        return rdb_err_set(err, RDB_PROTOCOL, RDB_SQLSTATE_PROTOCOL_VIOLATION,
                           "invalid peer frame length %u", n);
    if (len - CLU_FRAME_HDR < n)
        return RDB_EOF;
    const char *body = p + CLU_FRAME_HDR;
    uint32_t want = rdb_crc32c_unmask(rdb_get_u32_be(p + 4));
    if (rdb_crc32c(body, n) != want)
        return rdb_err_set(err, RDB_PROTOCOL, RDB_SQLSTATE_PROTOCOL_VIOLATION,
                           "peer frame checksum mismatch");
    msgpack_unpacked_init(&f->up);
    size_t off = 0;
    if (msgpack_unpack_next(&f->up, body, n, &off) != MSGPACK_UNPACK_SUCCESS || off != n)
        goto bad;
    const msgpack_object *o = &f->up.data;
    if (o->type != MSGPACK_OBJECT_ARRAY || o->via.array.size < 3)
        goto bad;
    const msgpack_object *a = o->via.array.ptr;
    if (a[0].type != MSGPACK_OBJECT_POSITIVE_INTEGER || a[0].via.u64 == 0 ||
        a[0].via.u64 >= CLU_MSG_MAX_ ||
        a[1].type != MSGPACK_OBJECT_POSITIVE_INTEGER || a[1].via.u64 > UINT16_MAX ||
        a[2].type != MSGPACK_OBJECT_POSITIVE_INTEGER)
        goto bad;
    f->type = (uint32_t)a[0].via.u64;
    f->from = (uint16_t)a[1].via.u64;
    f->hlc = a[2].via.u64;
    f->fields = a + 3;
    f->nfields = o->via.array.size - 3;
    *consumed = CLU_FRAME_HDR + n;
    return RDB_OK;
bad:
    msgpack_unpacked_destroy(&f->up);
    return rdb_err_set(err, RDB_PROTOCOL, RDB_SQLSTATE_PROTOCOL_VIOLATION,
                       "malformed peer frame body (%u bytes)", n);
}

void clu_frame_release(clu_frame_t *f)
{
    msgpack_unpacked_destroy(&f->up);
}

bool clu_field_u64(const clu_frame_t *f, size_t i, uint64_t *v)
{
    if (i >= f->nfields || f->fields[i].type != MSGPACK_OBJECT_POSITIVE_INTEGER)
        return false;
    *v = f->fields[i].via.u64;
    return true;
}

bool clu_field_bin(const clu_frame_t *f, size_t i, const char **p, size_t *n)
{
    if (i >= f->nfields)
        return false;
    const msgpack_object *o = &f->fields[i];
    if (o->type == MSGPACK_OBJECT_BIN) {
        *p = o->via.bin.ptr;
        *n = o->via.bin.size;
        return true;
    }
    if (o->type == MSGPACK_OBJECT_STR) {
        *p = o->via.str.ptr;
        *n = o->via.str.size;
        return true;
    }
    return false;
}
