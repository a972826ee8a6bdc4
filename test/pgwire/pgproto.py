"""PostgreSQL v3 message helpers for the raw-socket parts of the Python tests
(test/pgwire, test/pgauth)."""
import struct


def startup_packet(params, version=196608):
    body = struct.pack("!I", version)
    for k, v in params.items():
        body += k.encode() + b"\0" + v.encode() + b"\0"
    body += b"\0"
    return struct.pack("!I", len(body) + 4) + body


def msg(t, body=b""):
    return t + struct.pack("!I", len(body) + 4) + body


def error_fields(body):
    f = {}
    for part in body.split(b"\0"):
        if part:
            f[chr(part[0])] = part[1:].decode()
    return f
