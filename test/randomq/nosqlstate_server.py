#!/usr/bin/python3
"""A PostgreSQL-protocol server that breaks the SQLSTATE rule, for randomq's self-test.

Usage: nosqlstate_server.py PORT

Speaks just enough of the v3 protocol for libpq: trust start-up, then every
simple Query gets CommandComplete if it is DROP/CREATE/INSERT/DELETE (so the
schema "loads"), else an ErrorResponse with a message but no SQLSTATE ('C')
field.  One thread per connection; runs until killed.
"""
import socket
import struct
import sys
import threading


def msg(kind, body=b""):
    return kind + struct.pack("!I", len(body) + 4) + body


def read_exact(conn, n):
    data = b""
    while len(data) < n:
        chunk = conn.recv(n - len(data))
        if not chunk:
            raise EOFError
        data += chunk
    return data


def serve(conn):
    try:
        (length,) = struct.unpack("!I", read_exact(conn, 4))
        body = read_exact(conn, length - 4)
        if struct.unpack("!I", body[:4])[0] == 80877103:  # SSLRequest: no
            conn.sendall(b"N")
            (length,) = struct.unpack("!I", read_exact(conn, 4))
            read_exact(conn, length - 4)
        conn.sendall(msg(b"R", struct.pack("!I", 0))
                     + msg(b"S", b"server_version\x0015.0\x00")
                     + msg(b"S", b"client_encoding\x00UTF8\x00")
                     + msg(b"K", struct.pack("!II", 1, 2))
                     + msg(b"Z", b"I"))
        while True:
            kind = read_exact(conn, 1)
            (length,) = struct.unpack("!I", read_exact(conn, 4))
            body = read_exact(conn, length - 4)
            if kind == b"X":
                return
            if kind != b"Q":
                continue
            word = body.split(None, 1)[0].upper() if body.strip(b"\x00") else b""
            if word in (b"DROP", b"CREATE", b"INSERT", b"DELETE"):
                out = msg(b"C", word + b"\x00")
            else:  # severity and message, no code
                out = msg(b"E", b"SERROR\x00VERROR\x00Mthis error has no SQLSTATE\x00\x00")
            conn.sendall(out + msg(b"Z", b"I"))
    except (EOFError, OSError):
        pass
    finally:
        conn.close()


def main():
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", int(sys.argv[1])))
    srv.listen(8)
    while True:
        conn, _ = srv.accept()
        threading.Thread(target=serve, args=(conn,), daemon=True).start()


if __name__ == "__main__":
    main()
