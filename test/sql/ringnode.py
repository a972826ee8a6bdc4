"""Start one throw-away ringdb node for a test (shared by the tests of
test/sql/ that need nothing more): a temporary data directory, the first
free TCP port of a range, --auth trust, stderr to <dir>/log."""
import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time


def start(ringdb, prefix, ports, log_level="warn"):
    """Returns (dir, port, process) once the node accepts connections."""
    d = tempfile.mkdtemp(prefix=prefix)
    for port in ports:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        break
    return d, port, launch(ringdb, d, port, log_level)


def launch(ringdb, d, port, log_level="warn"):
    """Start (or restart) the node of dir d on port; the process, once it
    accepts connections."""
    logf = open(os.path.join(d, "log"), "ab")
    proc = subprocess.Popen([ringdb, "--data-dir", os.path.join(d, "data"), "--port", str(port),
                             "--unix-socket-dir", d, "--log-level", log_level, "--auth", "trust"],
                            stderr=logf)
    logf.close()
    for _ in range(300):
        if proc.poll() is not None:
            raise RuntimeError("ringdb exited with %s" % proc.returncode)
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return proc
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("ringdb did not listen on %d" % port)

def stop(proc, timeout=20):
    """SIGTERM, then SIGKILL if the node does not exit within timeout."""
    proc.terminate()
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def connect(port, autocommit=True):
    """A psycopg2 connection to the node on port as postgres (autocommit by
    default)."""
    import psycopg2
    conn = psycopg2.connect(host="127.0.0.1", port=port, user="postgres", dbname="postgres")
    conn.autocommit = autocommit
    return conn


def rows(cur, q, sets=(), args=None):
    """The rows of q run after the SET statements sets, which are RESET
    afterwards (also when q fails)."""
    for s in sets:
        cur.execute(s)
    try:
        cur.execute(q, args)
        return cur.fetchall()
    finally:
        for s in sets:
            cur.execute("RESET " + s.split()[1])


def plan(cur, q, sets=()):
    """EXPLAIN (COSTS OFF) q under sets (as rows()): its lines without
    their indentation and "->  " arrows."""
    return [r[0].strip().replace("->  ", "") for r in rows(cur, "EXPLAIN (COSTS OFF) " + q, sets)]


class Checks:
    """Result checks over a psycopg2 cursor that count and collect failures;
    report() prints them and gives the exit status."""

    def __init__(self):
        self.count, self.failures = 0, []

    def ok(self, cond, what):
        self.count += 1
        if not cond:
            self.failures.append(what)
        return cond

    def check(self, cur, sql, expected, params=None):
        """The rows of sql (as tuples) equal expected."""
        import psycopg2
        try:
            cur.execute(sql, params)
            got = [tuple(r) for r in cur.fetchall()]
        except psycopg2.Error as e:
            return self.ok(False, "%s: error %s %s" % (sql, e.pgcode, e.pgerror))
        return self.ok(got == expected, "%s:\n  got      %r\n  expected %r" % (sql, got, expected))

    def check_err(self, cur, sql, code, text):
        """sql fails with SQLSTATE code and a message containing text."""
        import psycopg2
        try:
            cur.execute(sql)
        except psycopg2.Error as e:
            return self.ok(e.pgcode == code and text in e.pgerror,
                           "%s: got %s %s, expected %s %s" % (sql, e.pgcode, e.pgerror, code, text))
        return self.ok(False, "%s: no error (expected %s)" % (sql, code))

    def check_types(self, cur, sql, oids):
        """The result columns of sql have these type OIDs."""
        cur.execute(sql)
        cur.fetchall()
        got = [c.type_code for c in cur.description]
        return self.ok(got == oids, "%s: column types %r, expected %r" % (sql, got, oids))

    def report(self, name):
        for f in self.failures:
            print("FAIL:", f)
        print("%s: %d checks, %d failed" % (name, self.count, len(self.failures)))
        return 1 if self.failures else 0


def finish(T, name, proc, d):
    """The end of a one-node test: stop the node (a bad exit status is a
    failed check), print the report, remove d when every check passed.
    Returns the exit status."""
    stop(proc, 10)
    T.ok(proc.returncode in (0, -15), "ringdb exited with %s" % proc.returncode)
    rc = T.report(name)
    if not rc:
        shutil.rmtree(d, ignore_errors=True)
    return rc


class Libpq:
    """The extended protocol (Parse/Bind/Execute) through libpq's C API:
    psycopg2 sends parameters inline.  ok(cond, what) records a check."""

    def __init__(self, conninfo, ok):
        self.ok = ok
        import ctypes
        import ctypes.util
        self.c = ctypes
        lib = ctypes.CDLL(ctypes.util.find_library("pq") or "libpq.so.5")
        lib.PQconnectdb.restype = ctypes.c_void_p
        lib.PQconnectdb.argtypes = [ctypes.c_char_p]
        lib.PQprepare.restype = ctypes.c_void_p
        lib.PQprepare.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_int,
                                  ctypes.c_void_p]
        lib.PQexecPrepared.restype = ctypes.c_void_p
        lib.PQexecPrepared.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int,
                                       ctypes.POINTER(ctypes.c_char_p), ctypes.c_void_p,
                                       ctypes.c_void_p, ctypes.c_int]
        for f in ("PQresultStatus", "PQntuples", "PQnfields"):
            getattr(lib, f).argtypes = [ctypes.c_void_p]
        lib.PQgetvalue.restype = ctypes.c_char_p
        lib.PQgetvalue.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_int]
        lib.PQgetisnull.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_int]
        lib.PQclear.argtypes = [ctypes.c_void_p]
        lib.PQfinish.argtypes = [ctypes.c_void_p]
        self.lib = lib
        self.conn = lib.PQconnectdb(conninfo.encode())

    def prepare(self, name, sql):
        r = self.lib.PQprepare(self.conn, name.encode(), sql.encode(), 0, None)
        self.ok(self.lib.PQresultStatus(r) == 1, "prepare %s" % sql)   # PGRES_COMMAND_OK
        self.lib.PQclear(r)

    def run(self, name, params):
        """The rows (tuples of text or None), None on an error."""
        arr = (self.c.c_char_p * len(params))(*[None if p is None else p.encode() for p in params])
        r = self.lib.PQexecPrepared(self.conn, name.encode(), len(params), arr, None, None, 0)
        out = None
        if self.lib.PQresultStatus(r) == 2:   # PGRES_TUPLES_OK
            out = [tuple(None if self.lib.PQgetisnull(r, i, j) else self.lib.PQgetvalue(r, i, j).decode()
                         for j in range(self.lib.PQnfields(r)))
                   for i in range(self.lib.PQntuples(r))]
        self.lib.PQclear(r)
        return out

    def close(self):
        self.lib.PQfinish(self.conn)


def tmp_files(d):
    """The files in the node's temporary folder (<dir>/data/tmp), sorted;
    None when there is none."""
    t = os.path.join(d, "data", "tmp")
    return sorted(os.listdir(t)) if os.path.isdir(t) else None


def spilled(d):
    """How many temporary files the node (started with log level debug)
    has removed so far: its log names each one."""
    import re
    with open(os.path.join(d, "log"), errors="replace") as f:
        return len(re.findall(r"temporary file: path \"[^\"]*/tmp/rdbtmp\.", f.read()))


def spill_pair(T, cur, d, what, sql, exp, sort=False, must_spill=True, small="64kB"):
    """sql at work_mem small (spilling) and at 1GB (in memory) both return
    exp (sorted first if sort); at small the node (log level debug) wrote
    temporary files (if must_spill), at 1GB none, and none is left.
    Returns the rows at small, or None if it failed."""
    import psycopg2
    t0 = time.time()
    cur.execute("SET work_mem = '%s'" % small)
    before = spilled(d)
    try:
        cur.execute(sql)
        lo = [tuple(r) for r in cur.fetchall()]
    except psycopg2.Error as e:
        T.ok(False, "%s at %s: %s %s" % (what, small, e.pgcode, e.pgerror))
        return None
    wrote = spilled(d) > before
    cur.execute("SET work_mem = '1GB'")
    before = spilled(d)
    cur.execute(sql)
    big = [tuple(r) for r in cur.fetchall()]
    none = spilled(d) == before
    if sort:
        lo, big = sorted(lo), sorted(big)
    T.ok(lo == exp, "%s spilling: got %r expected %r" % (what, lo[:5], exp[:5]))
    T.ok(big == exp, "%s in memory: got %r expected %r" % (what, big[:5], exp[:5]))
    if must_spill:
        T.ok(wrote, "%s at %s wrote temporary files" % (what, small))
    T.ok(none, "%s at 1GB wrote no temporary file" % what)
    T.ok(tmp_files(d) == [], "%s: temporary files left: %r" % (what, tmp_files(d)))
    print("%s: %.1fs" % (what, time.time() - t0))
    return lo


def spill_error(T, cur, d, sql, written, code="22012"):
    """sql fails with SQLSTATE code after it wrote temporary files (the node
    runs at log level debug; written says what they were) and leaves none
    behind."""
    import psycopg2
    before = spilled(d)
    try:
        cur.execute(sql)
        T.ok(False, "%s expected: %s" % (code, sql))
    except psycopg2.Error as e:
        T.ok(e.pgcode == code, "error code %s, expected %s: %s" % (e.pgcode, code, sql))
    T.ok(spilled(d) > before, "%s were written before the error" % written)
    T.ok(tmp_files(d) == [], "temporary files left after an error: %r" % tmp_files(d))


@contextlib.contextmanager
def scratch(ringdb, prefix, ports):
    """A fresh node for part of a test: yields (process, cursor of an
    autocommit connection); the node is stopped and its directory removed
    at the end, whatever happened."""
    d, port, proc = start(ringdb, prefix, ports)
    try:
        conn = connect(port)
        yield proc, conn.cursor()
        conn.close()
    finally:
        stop(proc)
        shutil.rmtree(d, ignore_errors=True)


def hwm_kb(pid):
    """The process's peak RSS (VmHWM), kB."""
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def sanitized(ringdb):
    """Is ringdb built with AddressSanitizer (whose quarantine holds freed
    memory, so peak RSS says nothing about the operators under it)?"""
    with open(ringdb, "rb") as f:
        return b"__asan_init" in f.read()


def rss_pair(T, cur, pid, what, q, exp):
    """Peak RSS growth of node pid over q at work_mem 64kB (spilling), then
    at 1GB (VmHWM only grows), each result checked against exp; returns
    (spilling kB, in memory kB)."""
    h0 = hwm_kb(pid)
    cur.execute("SET work_mem = '64kB'")
    cur.execute(q)
    T.ok(cur.fetchone() == exp, "RSS %s spilling: result" % what)
    h1 = hwm_kb(pid)
    cur.execute("SET work_mem = '1GB'")
    cur.execute(q)
    T.ok(cur.fetchone() == exp, "RSS %s in memory: result" % what)
    h2 = hwm_kb(pid)
    print("%s: peak RSS growth spilling %d kB, in memory %d kB" % (what, h1 - h0, h2 - h0))
    return h1 - h0, h2 - h0
