#!/usr/bin/python3
"""Integration tests of build/ringdb's wire protocol: psycopg2, psql and raw sockets.

Usage: test_pgwire.py RINGDB_BINARY
Starts the server on a free port with a temporary data dir and Unix socket dir.
"""
import os
import resource
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import traceback

import psycopg2
import psycopg2.extensions

from pgproto import error_fields, msg, startup_packet

RINGDB = sys.argv[1]
FAILS = []
COUNT = 0


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


class Server:
    def __init__(self, *extra):
        self.tmp = tempfile.mkdtemp(prefix="pgwire-test-")
        self.sockdir = os.path.join(self.tmp, "sock")
        os.mkdir(self.sockdir)
        for _ in range(20):
            self.port = free_port()
            self.proc = subprocess.Popen(
                [RINGDB, "--data-dir", os.path.join(self.tmp, "data"), "--port", str(self.port),
                 "--unix-socket-dir", self.sockdir, "--log-level", "warn", "--auth", "trust",
                 "--backend", "builtin"] + list(extra),
                stderr=subprocess.PIPE)
            deadline = time.time() + 10
            while time.time() < deadline:
                if self.proc.poll() is not None:
                    break
                try:
                    socket.create_connection(("127.0.0.1", self.port), 0.2).close()
                    return
                except OSError:
                    time.sleep(0.05)
            if self.proc.poll() is None:
                self.proc.kill()
            self.proc.wait()
        raise RuntimeError("server did not start: %s" % self.proc.stderr.read().decode())

    def connect(self, **kw):
        return psycopg2.connect(host="127.0.0.1", port=self.port, user="tester", dbname="postgres", **kw)

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        rc = self.proc.wait(timeout=20)
        shutil.rmtree(self.tmp, ignore_errors=True)
        return rc


def check(cond, what):
    global COUNT
    COUNT += 1
    if not cond:
        FAILS.append(what)
        print("FAIL:", what, flush=True)


def expect_error(cur, sql, sqlstate):
    try:
        cur.execute(sql)
    except psycopg2.Error as e:
        check(e.pgcode == sqlstate, "%s -> %s (got %s: %s)" % (sql, sqlstate, e.pgcode, e))
        return e
    check(False, "%s should fail with %s" % (sql, sqlstate))


# ---- raw protocol helpers ----

def read_msgs(sock, until=b"Z", timeout=5):
    """Read messages until one of type `until` (or EOF); returns list of (type, body)."""
    out = []
    buf = bytearray()
    pos = 0
    sock.settimeout(timeout)
    while True:
        while len(buf) - pos >= 5:
            t = bytes(buf[pos:pos + 1])
            n = struct.unpack_from("!I", buf, pos + 1)[0]
            if len(buf) - pos < 1 + n:
                break
            out.append((t, bytes(buf[pos + 5:pos + 1 + n])))
            pos += 1 + n
            if t == until:
                return out
        if pos > 1 << 20:
            del buf[:pos]
            pos = 0
        try:
            d = sock.recv(1 << 18)
        except (ConnectionResetError, socket.timeout):
            d = b""
        if not d:
            out.append((b"EOF", b""))
            return out
        buf += d


def raw_connect(srv):
    s = socket.create_connection(("127.0.0.1", srv.port))
    s.sendall(startup_packet({"user": "tester", "database": "postgres"}))
    m = read_msgs(s)
    return s, m


# ---- tests ----

def test_simple(srv):
    c = srv.connect()
    c.autocommit = True
    cur = c.cursor()
    cur.execute("SELECT 1")
    check(cur.fetchall() == [(1,)], "SELECT 1")
    cur.execute("SELECT 'a'::text, 2")
    check(cur.fetchall() == [("a", 2)], "SELECT 'a'::text, 2")
    check([d.name for d in cur.description] == ["text", "?column?"], "column names")
    cur.execute("SELECT generate_series(1,5)")
    check([r[0] for r in cur.fetchall()] == [1, 2, 3, 4, 5], "generate_series")
    cur.execute("SELECT 1; SELECT 2")  # multiple statements: last result
    check(cur.fetchall() == [(2,)], "multi-statement simple query")
    cur.execute("SHOW server_version")
    v = cur.fetchone()[0]
    check(v.startswith("15."), "server_version 15.x: " + v)
    check(c.server_version >= 150000 and c.server_version < 160000, "libpq sees 15.x")
    check(c.get_parameter_status("client_encoding") == "UTF8", "client_encoding reported")
    check(c.get_parameter_status("integer_datetimes") == "on", "integer_datetimes reported")
    check(c.get_parameter_status("standard_conforming_strings") == "on", "scs reported")
    cur.execute("SET application_name = 'pgw'")
    check(c.get_parameter_status("application_name") == "pgw", "ParameterStatus after SET")
    e = expect_error(cur, "SELECT 1/0", "22012")
    check(e is not None and e.diag.severity == "ERROR" and e.diag.message_primary == "division by zero",
          "error fields S/M")
    e = expect_error(cur, "SELEKT 1", "42601")
    check(e is not None and e.diag.statement_position == "1", "error position P")
    cur.execute("SELECT 1")
    check(cur.fetchone() == (1,), "session usable after error")
    # empty query
    c.close()
    s, _ = raw_connect(srv)
    s.sendall(msg(b"Q", b"  \0"))
    r = read_msgs(s)
    check(b"".join(t for t, _ in r) == b"IZ", "EmptyQueryResponse: %r" % r)
    s.close()


def test_transactions(srv):
    c = srv.connect()
    cur = c.cursor()  # psycopg2 issues BEGIN implicitly
    cur.execute("SELECT 1")
    check(c.get_transaction_status() == psycopg2.extensions.TRANSACTION_STATUS_INTRANS, "status T")
    expect_error(cur, "SELECT 1/0", "22012")
    check(c.get_transaction_status() == psycopg2.extensions.TRANSACTION_STATUS_INERROR, "status E")
    expect_error(cur, "SELECT 1", "25P02")
    c.rollback()
    check(c.get_transaction_status() == psycopg2.extensions.TRANSACTION_STATUS_IDLE, "status I")
    c.close()


def test_cancel(srv):
    c = srv.connect()
    c.autocommit = True
    cur = c.cursor()
    other = srv.connect()
    other.autocommit = True
    done = {}

    def run():
        try:
            cur.execute("SELECT pg_sleep(30)")
            done["err"] = None
        except psycopg2.Error as e:
            done["err"] = e

    t = threading.Thread(target=run)
    start = time.time()
    t.start()
    time.sleep(0.3)
    # another session on the server keeps answering while the sleep runs
    oc = other.cursor()
    for _ in range(20):
        oc.execute("SELECT 1")
        check(oc.fetchone() == (1,), "other session answers during pg_sleep")
    c.cancel()
    t.join(10)
    check(not t.is_alive(), "cancelled statement returned")
    check(done.get("err") is not None and done["err"].pgcode == "57014", "cancel -> 57014")
    check(time.time() - start < 10, "cancel was prompt")
    cur.execute("SELECT 2")
    check(cur.fetchone() == (2,), "session usable after cancel")
    # a cancel request with the wrong secret does nothing
    pid = c.get_backend_pid()
    s = socket.create_connection(("127.0.0.1", srv.port))
    s.sendall(struct.pack("!IIII", 16, 80877102, pid, 12345))
    s.close()
    try:
        cur.execute("SELECT pg_sleep(0.3)")
        check(cur.fetchone() == ("",), "pg_sleep returns void (empty text, as PostgreSQL)")
    except psycopg2.Error as e:
        check(False, "wrong-secret cancel must be ignored: %s" % e)
    c.close()
    other.close()


def test_statement_timeout(srv):
    c = srv.connect(options="-c statement_timeout=100")
    c.autocommit = True
    cur = c.cursor()
    e = expect_error(cur, "SELECT pg_sleep(5)", "57014")
    check(e is not None and "statement timeout" in str(e), "timeout message")
    cur.execute("SET statement_timeout = 0")
    cur.execute("SELECT pg_sleep(0.2)")
    check(cur.rowcount == 1, "no timeout when 0")
    c.close()


def test_extended(srv):
    c = srv.connect()
    c.autocommit = True
    cur = c.cursor()
    # psycopg2 interpolates client side; use raw extended messages instead.
    s, m = raw_connect(srv)
    check(m[-1] == (b"Z", b"I"), "raw startup ReadyForQuery")
    kinds = [t for t, _ in m]
    check(b"K" in kinds and kinds.count(b"S") >= 10, "BackendKeyData and ParameterStatus list")
    # named statement with a parameter, binary result, row limit
    s.sendall(msg(b"P", b"s1\0SELECT generate_series(1,5)\0" + struct.pack("!h", 0)) +
              msg(b"D", b"Ss1\0") +
              msg(b"B", b"p1\0s1\0" + struct.pack("!hh", 0, 0) + struct.pack("!hh", 1, 1)) +
              msg(b"E", b"p1\0" + struct.pack("!i", 2)) +
              msg(b"E", b"p1\0" + struct.pack("!i", 2)) +
              msg(b"E", b"p1\0" + struct.pack("!i", 0)) +
              msg(b"C", b"Pp1\0") + msg(b"C", b"Ss1\0") + msg(b"S"))
    r = read_msgs(s)
    types = b"".join(t for t, _ in r)
    check(types == b"1tT2DDsDDsDC33Z", "extended row limit sequence: %r" % types)
    rows = [struct.unpack("!hii", b)[2] for t, b in r if t == b"D"]
    check(rows == [1, 2, 3, 4, 5], "binary int4 rows %r" % rows)
    # parameters: text in, binary out
    s.sendall(msg(b"P", b"\0SELECT $1::int, $2\0" + struct.pack("!hII", 2, 23, 25)) +
              msg(b"B", b"\0\0" + struct.pack("!hh", 1, 0) + struct.pack("!h", 2) +
                  struct.pack("!i", 2) + b"42" + struct.pack("!i", -1) + struct.pack("!hh", 1, 1)) +
              msg(b"D", b"P\0") + msg(b"E", b"\0\0\0\0\0") + msg(b"S"))
    r = read_msgs(s)
    d = [b for t, b in r if t == b"D"]
    check(len(d) == 1 and d[0] == struct.pack("!hii", 2, 4, 42) + struct.pack("!i", -1),
          "param echo binary + NULL: %r" % r)
    # error in the middle of a batch: skipped until Sync
    s.sendall(msg(b"P", b"\0SELECT 1/0\0\0\0") + msg(b"B", b"\0\0\0\0\0\0\0\0") +
              msg(b"E", b"\0\0\0\0\0") + msg(b"P", b"\0SELECT 1\0\0\0") + msg(b"S"))
    r = read_msgs(s)
    types = b"".join(t for t, _ in r)
    check(types == b"12EZ", "error then skip to Sync: %r" % types)
    check(error_fields(r[2][1]).get("C") == "22012", "execute error code")
    s.sendall(msg(b"P", b"\0SELECT 7\0\0\0") + msg(b"B", b"\0\0\0\0\0\0\0\0") +
              msg(b"E", b"\0\0\0\0\0") + msg(b"S"))
    r = read_msgs(s)
    types = b"".join(t for t, _ in r)
    check(types == b"12DCZ", "batch after Sync runs: %r" % types)
    # unknown statement, duplicate name, bad bind count
    s.sendall(msg(b"B", b"\0nope\0\0\0\0\0\0\0") + msg(b"S"))
    r = read_msgs(s)
    check(r[0][0] == b"E" and error_fields(r[0][1])["C"] == "26000", "unknown statement 26000")
    s.sendall(msg(b"P", b"x\0SELECT 1\0\0\0") + msg(b"P", b"x\0SELECT 1\0\0\0") + msg(b"S"))
    r = read_msgs(s)
    check(r[1][0] == b"E" and error_fields(r[1][1])["C"] == "42P05", "duplicate statement 42P05")
    s.sendall(msg(b"P", b"\0SELECT $1\0\0\0") + msg(b"B", b"\0\0\0\0\0\0\0\0") + msg(b"S"))
    r = read_msgs(s)
    check(r[1][0] == b"E" and error_fields(r[1][1])["C"] == "08P01", "bind count mismatch 08P01")
    # Describe of a no-row statement -> NoData; Flush returns output without Sync
    s.sendall(msg(b"P", b"b\0BEGIN\0\0\0") + msg(b"D", b"Sb\0") + msg(b"H"))
    r = read_msgs(s, until=b"n")
    check(b"".join(t for t, _ in r) == b"1tn", "NoData after Flush: %r" % r)
    s.sendall(msg(b"X"))
    s.close()
    c.close()


def test_copy(srv):
    tmp = os.path.join(srv.tmp, "in.csv")
    with open(tmp, "w") as f:
        for i in range(1000):
            f.write("%d,row %d\n" % (i, i))
    env = dict(os.environ, PGCONNECT_TIMEOUT="5")
    base = ["psql", "-X", "-q", "-h", srv.sockdir, "-p", str(srv.port), "-U", "tester", "-d", "postgres",
            "-v", "ON_ERROR_STOP=1"]
    r = subprocess.run(base + ["-c", "\\copy t from '%s' csv" % tmp], capture_output=True, env=env, timeout=30)
    check(r.returncode == 0, "psql \\copy from over Unix socket: %s" % r.stderr)
    out = os.path.join(srv.tmp, "out.csv")
    r = subprocess.run(base + ["-c", "\\copy t to '%s' csv" % out], capture_output=True, env=env, timeout=30)
    check(r.returncode == 0, "psql \\copy to: %s" % r.stderr)
    check(open(out).read() == open(tmp).read(), "COPY round trip")
    # psycopg2 copy_expert, and CopyFail
    c = srv.connect()
    c.autocommit = True
    cur = c.cursor()
    import io
    buf = io.StringIO()
    cur.copy_expert("COPY t TO STDOUT", buf)
    check(buf.getvalue() == open(tmp).read(), "copy_expert TO STDOUT")

    class Failing(io.StringIO):
        def read(self, n=-1):
            raise IOError("boom")
    try:
        cur.copy_expert("COPY t FROM STDIN", Failing())
        check(False, "CopyFail should error")
    except psycopg2.Error as e:
        check(e.pgcode == "57014" and "COPY from stdin failed" in str(e), "CopyFail -> 57014: %s" % e)
    except IOError:
        check(False, "CopyFail not sent")
    cur.execute("SELECT 1")
    check(cur.fetchone() == (1,), "usable after CopyFail")
    c.close()


def test_backpressure(srv):
    """A client that does not read: the server keeps serving others and its
    output buffer stays bounded (the statement pauses)."""
    s, _ = raw_connect(srv)
    s.sendall(msg(b"Q", b"SELECT generate_series(1,1000000)\0"))
    time.sleep(0.5)
    c = srv.connect()
    c.autocommit = True
    cur = c.cursor()
    cur.execute("SELECT 5")
    check(cur.fetchone() == (5,), "server answers while a client does not read")
    # the whole result still arrives intact once the client reads
    r = read_msgs(s, timeout=60)
    rows = sum(1 for t, _ in r if t == b"D")
    check(rows == 1000000 and r[-1][0] == b"Z", "all rows after back-pressure: %d" % rows)
    s.close()
    c.close()


def test_protocol_violations(srv):
    def fatal_code(data, startup=True):
        s = socket.create_connection(("127.0.0.1", srv.port))
        if not startup:
            s.sendall(startup_packet({"user": "tester"}))
            read_msgs(s)
        s.sendall(data)
        r = read_msgs(s, until=b"EOF")
        s.close()
        errs = [error_fields(b) for t, b in r if t == b"E"]
        return errs[0].get("C") if errs else None, r[-1][0] == b"EOF", errs

    code, closed, _ = fatal_code(struct.pack("!I", 0x7fffffff) + struct.pack("!I", 196608))
    check(code == "08P01" and closed, "2 GB startup length -> 08P01 + close")
    code, closed, _ = fatal_code(b"Q" + struct.pack("!I", 0x80000000), startup=False)
    check(code == "08P01" and closed, "2 GB message length -> 08P01 + close")
    code, closed, _ = fatal_code(b"Q" + struct.pack("!I", 2), startup=False)
    check(code == "08P01" and closed, "length < 4 -> 08P01")
    code, closed, _ = fatal_code(msg(b"\x01", b"xyz"), startup=False)
    check(code == "08P01" and closed, "garbage type byte -> 08P01")
    code, closed, _ = fatal_code(msg(b"Q", b"SELECT 1"), startup=False)  # no NUL
    check(code == "08P01" and closed, "unterminated query string -> 08P01")
    code, closed, _ = fatal_code(msg(b"B", b"\0\0\xff\xff"), startup=False)  # negative count
    check(code == "08P01" and closed, "malformed Bind -> 08P01")
    code, closed, _ = fatal_code(msg(b"Q", b"SELECT 1\0"))  # message before startup
    check(code == "08P01" and closed, "message before startup -> 08P01")
    code, closed, _ = fatal_code(startup_packet({"user": "x"}, version=(2 << 16)))
    check(code == "0A000" and closed, "protocol 2.0 rejected")
    code, closed, _ = fatal_code(startup_packet({"database": "postgres"}))
    check(code == "28000", "no user -> 28000")
    code, closed, _ = fatal_code(startup_packet({"user": "u", "database": "nosuch"}))
    check(code == "3D000", "unknown database -> 3D000")
    # truncated message then EOF: server just closes, stays up
    s = socket.create_connection(("127.0.0.1", srv.port))
    s.sendall(startup_packet({"user": "tester"}))
    read_msgs(s)
    s.sendall(b"Q\0\0\0\x20SELE")
    s.close()
    # SSLRequest and GSSENCRequest are declined with 'N'
    for code_ in (80877103, 80877104):
        s = socket.create_connection(("127.0.0.1", srv.port))
        s.sendall(struct.pack("!II", 8, code_))
        s.settimeout(5)
        check(s.recv(1) == b"N", "request %d declined with N" % code_)
        s.sendall(startup_packet({"user": "tester"}))
        r = read_msgs(s)
        check(r[-1] == (b"Z", b"I"), "startup after N")
        s.close()
    # NegotiateProtocolVersion for 3.1 and _pq_ options
    s = socket.create_connection(("127.0.0.1", srv.port))
    s.sendall(startup_packet({"user": "tester", "_pq_.foo": "1"}, version=(3 << 16) | 1))
    r = read_msgs(s)
    check(r[0][0] == b"v" and r[0][1] == struct.pack("!II", 0, 1) + b"_pq_.foo\0",
          "NegotiateProtocolVersion: %r" % (r[0],))
    check(r[-1] == (b"Z", b"I"), "session after negotiation")
    s.close()
    # the server still works
    c = srv.connect()
    cur = c.cursor()
    cur.execute("SELECT 3")
    check(cur.fetchone() == (3,), "server alive after violations")
    c.close()


def test_libpq(srv):
    if len(sys.argv) < 3:
        print("libpq client not built: skipped")
        return
    r = subprocess.run([sys.argv[2], str(srv.port)], capture_output=True, timeout=60)
    sys.stderr.write(r.stderr.decode())
    check(r.returncode == 0, "libpq pipeline/prepared checks")


def test_signals():
    """SIGHUP reloads and the server keeps serving; SIGTERM with idle worker
    loops (never given a connection) exits cleanly."""
    srv = Server("--threads", "4")
    try:
        srv.proc.send_signal(signal.SIGHUP)
        time.sleep(0.2)
        c = srv.connect()
        cur = c.cursor()
        cur.execute("SELECT 4")
        check(cur.fetchone() == (4,), "answers after SIGHUP")
        c.close()
    finally:
        check(srv.stop() == 0, "clean SIGTERM exit with idle loops")


def test_max_connections():
    srv = Server("--max-connections", "3")
    try:
        conns = [srv.connect() for _ in range(3)]
        try:
            srv.connect()
            check(False, "4th connection should fail")
        except psycopg2.OperationalError as e:
            check("too many clients" in str(e), "max_connections error: %s" % e)
        s = socket.create_connection(("127.0.0.1", srv.port))
        s.sendall(startup_packet({"user": "tester"}))
        r = read_msgs(s, until=b"EOF")
        errs = [error_fields(b) for t, b in r if t == b"E"]
        check(errs and errs[0]["C"] == "53300" and errs[0]["S"] == "FATAL", "53300 FATAL")
        conns[0].close()
        time.sleep(0.2)
        c = srv.connect()  # a slot freed
        c.close()
        for x in conns[1:]:
            x.close()
    finally:
        check(srv.stop() == 0, "clean SIGTERM exit (max-connections server)")


def test_many_connections(srv):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = min(hard, 4096)
    resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    n = 1000 if want >= 2100 else want // 2 - 50
    socks = []
    for i in range(n):
        s = socket.create_connection(("127.0.0.1", srv.port))
        s.sendall(startup_packet({"user": "tester"}))
        socks.append(s)
    ok = 0
    for s in socks:
        r = read_msgs(s, timeout=20)
        ok += r[-1] == (b"Z", b"I")
    check(ok == n, "%d of %d connections established" % (ok, n))
    c = srv.connect()
    cur = c.cursor()
    cur.execute("SELECT 9")
    check(cur.fetchone() == (9,), "server answers with %d connections open" % n)
    for s in socks[::97]:
        s.sendall(msg(b"Q", b"SELECT 1\0"))
        r = read_msgs(s)
        check(r[-1] == (b"Z", b"I"), "held connection answers")
    for s in socks:
        s.close()
    c.close()


def main():
    srv = Server("--threads", "2", "--max-connections", "1100")
    try:
        for t in (test_simple, test_transactions, test_extended, test_copy, test_cancel,
                  test_statement_timeout, test_libpq, test_backpressure, test_protocol_violations,
                  test_many_connections):
            t0 = time.time()
            try:
                t(srv)
            except Exception:
                traceback.print_exc()
                FAILS.append(t.__name__ + " raised")
            print("ok" if not FAILS else "..", t.__name__, "%.1fs" % (time.time() - t0), flush=True)
        test_max_connections()
        test_signals()
    finally:
        rc = srv.stop()
        check(rc == 0, "clean SIGTERM exit (rc %s)" % rc)
    print("%d checks, %d failed" % (COUNT, len(FAILS)))
    sys.exit(1 if FAILS else 0)


if __name__ == "__main__":
    main()
