/*
 * frame.h — the peer-link frame (DESIGN.md §5): length + CRC32C + MessagePack.
 *
 *   OFFSET SIZE DESCRIPTION
 *   0      4    body length n, big endian (1 <= n <= CLU_FRAME_MAX)
 *   4      4    masked CRC32C of the body, big endian
 *   8      n    body: a MessagePack array [type, from_node, hlc, field...]
 *
 * Every frame carries the sender's node id and HLC stamp; the receiver
 * advances its clock past it (clu_hlc_update) before acting on the frame.
 * The length and CRC are checked before the body is parsed; any failure
 * (oversize, bad CRC, malformed MessagePack, wrong shape) is RDB_PROTOCOL and
 * the link is closed, since the frame boundary can no longer be trusted.
 */
#ifndef RDB_CLUSTER_FRAME_H
#define RDB_CLUSTER_FRAME_H

#include <msgpack.h>
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/error.h"

#define CLU_FRAME_HDR 8
#define CLU_FRAME_MAX (32u << 20)

/* DO NOT CHANGE: message type numbers are part of the peer protocol. */
typedef enum clu_msg_type {
    CLU_MSG_CHALLENGE   = 1,  /* server -> client: nonce, node id          */
    CLU_MSG_AUTH        = 2,  /* client -> server: nonce, hmac            */
    CLU_MSG_AUTH_OK     = 3,  /* server -> client: hmac over client nonce  */
    CLU_MSG_PING        = 4,
    CLU_MSG_PONG        = 5,
    CLU_MSG_GOSSIP      = 6,  /* membership + partition map               */
    CLU_MSG_WRITE       = 7,  /* replicated write                          */
    CLU_MSG_WRITE_ACK   = 8,
    CLU_MSG_READ        = 9,
    CLU_MSG_READ_REPLY  = 10,
    CLU_MSG_MERKLE_REQ  = 11,
    CLU_MSG_MERKLE      = 12,
    CLU_MSG_RANGE_REQ   = 13,
    CLU_MSG_RANGE_DATA  = 14,
    CLU_MSG_ERROR       = 15,
    CLU_MSG_ADVANCE     = 16, /* origin -> replica: vv may skip to seq      */
    CLU_MSG_AE_DONE     = 17, /* anti-entropy push fully applied            */
    CLU_MSG_CTL         = 18, /* control client -> node: command            */
    CLU_MSG_CTL_REPLY   = 19, /* node -> control client                     */
    CLU_MSG_SCAN        = 20, /* coordinated range read: newest versions    */
    CLU_MSG_SCAN_REPLY  = 21,
    CLU_MSG_MAX_
} clu_msg_type_t;

/* A parsed frame.  fields point into the unpacked zone, owned by the frame
 * until clu_frame_release. */
typedef struct clu_frame {
    msgpack_unpacked      up;
    uint32_t              type;
    uint16_t              from;
    uint64_t              hlc;
    const msgpack_object *fields;
    size_t                nfields;
} clu_frame_t;

/* Start a frame in out: header placeholder, then [type, from, hlc, ...] with
 * room for nfields further items that the caller packs with *pk.  Returns the
 * frame's start offset for clu_frame_finish. */
size_t clu_frame_start(rdb_buf_t *out, msgpack_packer *pk, clu_msg_type_t type,
                       uint16_t from, uint64_t hlc, size_t nfields);
/* Fill in length and CRC once the body is packed. */
void   clu_frame_finish(rdb_buf_t *out, size_t start);
/* Parse one frame from the front of data.  RDB_OK: *f is filled and
 * *consumed set; RDB_EOF: need more bytes (nothing consumed); RDB_PROTOCOL:
 * the stream is corrupt (err says why). */
rdb_status_t clu_frame_parse(const void *data, size_t len, size_t *consumed, clu_frame_t *f,
                             rdb_err_t *err);
void   clu_frame_release(clu_frame_t *f);

/* Field accessors: false when the field is absent or of the wrong type. */
bool clu_field_u64(const clu_frame_t *f, size_t i, uint64_t *v);
bool clu_field_bin(const clu_frame_t *f, size_t i, const char **p, size_t *n);

#endif
