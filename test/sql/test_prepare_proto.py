#!/usr/bin/python3
"""SQL-level PREPARE / EXECUTE / DEALLOCATE sent through the extended
protocol (libpq's PQprepare / PQdescribePrepared / PQexecPrepared /
PQexecParams, through ctypes) against a real build/ringdb: Describe of an
EXECUTE gives the prepared statement's columns, rows come back in text,
errors carry their SQLSTATE, and the statements survive across Syncs.
Protocol statements (Parse "s1") and SQL PREPARE share one name space, as in
PostgreSQL: EXECUTE runs a Parse'd statement, DEALLOCATE [ALL] and Close drop
either kind, a name taken either way is 42P05, pg_prepared_statements lists
both (from_sql), and a portal outlives the DEALLOCATE of its statement.

Usage: test_prepare_proto.py RINGDB
"""
import ctypes
import os
import socket
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ringnode  # noqa: E402

RINGDB = sys.argv[1]
PORTS = range(42200, 42299)
T = ringnode.Checks()
ok = T.ok

PGRES_COMMAND_OK, PGRES_TUPLES_OK = 1, 2


class PQ:
    def __init__(self, port):
        pq = ctypes.CDLL("libpq.so.5")
        pq.PQconnectdb.restype = ctypes.c_void_p
        for f in ("PQexec", "PQprepare", "PQdescribePrepared", "PQexecPrepared", "PQexecParams"):
            getattr(pq, f).restype = ctypes.c_void_p
        pq.PQgetvalue.restype = ctypes.c_char_p
        pq.PQfname.restype = ctypes.c_char_p
        pq.PQresultErrorField.restype = ctypes.c_char_p
        pq.PQerrorMessage.restype = ctypes.c_char_p
        self.pq = pq
        self.c = ctypes.c_void_p(pq.PQconnectdb(
            ("host=127.0.0.1 port=%d user=postgres dbname=postgres" % port).encode()))

    def result(self, r):
        """(status, sqlstate or None, column names, rows) and clear r."""
        pq, r = self.pq, ctypes.c_void_p(r)
        st = pq.PQresultStatus(r)
        code = pq.PQresultErrorField(r, ord("C"))
        names = [pq.PQfname(r, i).decode() for i in range(pq.PQnfields(r))]
        rows = [tuple(None if pq.PQgetisnull(r, i, j) else pq.PQgetvalue(r, i, j).decode()
                      for j in range(pq.PQnfields(r))) for i in range(pq.PQntuples(r))]
        pq.PQclear(r)
        return st, code.decode() if code else None, names, rows

    def exec(self, sql):
        return self.result(self.pq.PQexec(self.c, sql.encode()))

    def prepare(self, name, sql):
        return self.result(self.pq.PQprepare(self.c, name.encode(), sql.encode(), 0, None))

    def describe(self, name):
        return self.result(self.pq.PQdescribePrepared(self.c, name.encode()))

    def exec_prepared(self, name):
        return self.result(self.pq.PQexecPrepared(self.c, name.encode(), 0, None, None, None, 0))

    def exec_params(self, sql):
        return self.result(self.pq.PQexecParams(self.c, sql.encode(), 0, None, None, None, None, 0))

    def close(self):
        self.pq.PQfinish(self.c)


class Raw:
    """The extended protocol message by message over a socket (what libpq
    cannot do: Close of a statement, a suspended portal across a DEALLOCATE)."""

    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port))
        body = struct.pack("!I", 196608) + b"user\0postgres\0database\0postgres\0\0"
        self.s.sendall(struct.pack("!I", len(body) + 4) + body)
        self.until(b"Z")

    def send(self, *msgs):
        self.s.sendall(b"".join(t + struct.pack("!I", len(b) + 4) + b for t, b in msgs))

    def read(self):
        hdr = b""
        while len(hdr) < 5:
            hdr += self.s.recv(5 - len(hdr))
        n = struct.unpack("!I", hdr[1:])[0] - 4
        body = b""
        while len(body) < n:
            body += self.s.recv(n - len(body))
        return hdr[:1], body

    def until(self, t):
        """Messages up to and including the first of type t: [(type, body)]."""
        out = []
        while True:
            m = self.read()
            out.append(m)
            if m[0] == t:
                return out

    @staticmethod
    def parse(name, sql):
        return b"P", name.encode() + b"\0" + sql.encode() + b"\0" + struct.pack("!H", 0)

    @staticmethod
    def bind(portal, stmt, params=()):
        b = portal.encode() + b"\0" + stmt.encode() + b"\0" + struct.pack("!HH", 0, len(params))
        for p in params:
            b += struct.pack("!I", len(p)) + p.encode()
        return b"B", b + struct.pack("!H", 0)

    @staticmethod
    def execute(portal, max_rows=0):
        return b"E", portal.encode() + b"\0" + struct.pack("!I", max_rows)

    @staticmethod
    def summary(msgs):
        """Types, with DataRow's first value and ErrorResponse's SQLSTATE."""
        out = []
        for t, b in msgs:
            if t == b"D":
                n = struct.unpack("!I", b[2:6])[0]
                out.append("D" + b[6:6 + n].decode())
            elif t == b"E":
                f = dict((chr(x[0]), x[1:].decode()) for x in b.split(b"\0") if x)
                out.append("E" + f["C"] + ":" + f["M"])
            else:
                out.append(t.decode())
        return out

    def close(self):
        self.send((b"X", b""))
        self.s.close()


def unified(c, port):
    """One name space for Parse and PREPARE."""
    r = c.prepare("ps1", "SELECT $1::int + 1 AS n")
    ok(r[0] == PGRES_COMMAND_OK, "Parse ps1: %r" % (r,))
    r = c.exec("EXECUTE ps1(41)")
    ok(r[0] == PGRES_TUPLES_OK and r[2] == ["n"] and r[3] == [("42",)], "SQL EXECUTE of Parse'd ps1: %r" % (r,))
    r = c.exec("EXECUTE ps1('x')")
    ok(r[1] == "22P02", "EXECUTE ps1('x') coerces to int: %r" % (r,))
    r = c.exec("EXECUTE ps1(1, 2)")
    ok(r[1] == "42601", "wrong count for ps1: %r" % (r,))
    r = c.exec("SELECT name, statement, parameter_types::text, from_sql, generic_plans "
               "FROM pg_prepared_statements WHERE name = 'ps1'")
    ok(r[3] == [("ps1", "SELECT $1::int + 1 AS n", "{integer}", "f", "1")],
       "pg_prepared_statements lists ps1, from_sql false: %r" % (r,))
    r = c.exec("PREPARE ps1 AS SELECT 2")
    ok(r[1] == "42P05", "PREPARE of a Parse'd name is 42P05: %r" % (r,))
    r = c.exec("PREPARE sq AS SELECT 7 AS seven")
    ok(r[0] == PGRES_COMMAND_OK, "PREPARE sq: %r" % (r,))
    r = c.prepare("sq", "SELECT 3")
    ok(r[1] == "42P05", "Parse of a PREPAREd name is 42P05: %r" % (r,))
    r = c.describe("sq")
    ok(r[0] == PGRES_COMMAND_OK and r[2] == ["seven"], "Describe of the SQL statement sq: %r" % (r,))
    r = c.exec_prepared("sq")
    ok(r[3] == [("7",)], "Bind/Execute of the SQL statement sq: %r" % (r,))
    r = c.exec("SELECT name, from_sql FROM pg_prepared_statements WHERE name IN ('ps1', 'sq') ORDER BY name")
    ok(r[3] == [("ps1", "f"), ("sq", "t")], "both kinds listed: %r" % (r,))
    ok(c.exec("DEALLOCATE ps1")[0] == PGRES_COMMAND_OK, "DEALLOCATE ps1 (a protocol statement)")
    r = c.exec_prepared("ps1")
    ok(r[1] == "26000", "ps1 is gone for Bind: %r" % (r,))
    r = c.prepare("ps1", "SELECT 'again'")
    ok(r[0] == PGRES_COMMAND_OK, "the name is free again: %r" % (r,))
    r = c.exec_prepared("ps1")
    ok(r[3] == [("again",)], "the new ps1: %r" % (r,))
    r = c.prepare("ps2", "CREATE TABLE nope (a int)")
    ok(r[0] == PGRES_COMMAND_OK, "Parse of a utility statement: %r" % (r,))
    r = c.exec("EXECUTE ps2")
    ok(r[0] == PGRES_COMMAND_OK, "EXECUTE of a utility statement prepared by the protocol: %r" % (r,))
    ok(c.exec("SELECT count(*) FROM nope")[3] == [("0",)], "EXECUTE ps2 created the table")
    ok(c.exec("EXECUTE ps2")[1] == "42P07", "EXECUTE ps2 again: 42P07")
    ok(c.prepare("ps3", "SHOW DateStyle")[0] == PGRES_COMMAND_OK, "Parse of SHOW")
    r = c.exec("EXECUTE ps3")
    ok(r[0] == PGRES_TUPLES_OK and r[2] == ["DateStyle"] and len(r[3]) == 1, "EXECUTE of a SHOW: %r" % (r,))
    ok(c.prepare("loop", "EXECUTE loop")[0] == PGRES_COMMAND_OK, "Parse of EXECUTE itself")
    r = c.exec("EXECUTE loop")
    ok(r[1] == "54001", "an EXECUTE that runs itself stops with 54001: %r" % (r,))
    ok(c.prepare("dall", "DEALLOCATE ALL")[0] == PGRES_COMMAND_OK, "Parse of DEALLOCATE ALL")
    r = c.exec("EXECUTE dall")
    ok(r[0] == PGRES_COMMAND_OK, "EXECUTE of a Parse'd DEALLOCATE ALL (frees itself): %r" % (r,))
    ok(c.exec("SELECT count(*) FROM pg_prepared_statements")[3] == [("0",)], "all gone after EXECUTE dall")
    ok(c.prepare("ps2", "CREATE TABLE nope (a int)")[0] == PGRES_COMMAND_OK, "Parse ps2 again")
    ok(c.exec("DEALLOCATE ALL")[0] == PGRES_COMMAND_OK, "DEALLOCATE ALL")
    r = c.exec("SELECT count(*) FROM pg_prepared_statements")
    ok(r[3] == [("0",)], "DEALLOCATE ALL drops protocol statements too: %r" % (r,))
    ok(c.exec_prepared("ps1")[1] == "26000", "ps1 gone after DEALLOCATE ALL")
    ok(c.exec_prepared("sq")[1] == "26000", "sq gone after DEALLOCATE ALL")

    w = Raw(port)
    # a portal outlives the DEALLOCATE of its statement; Close drops an SQL one
    w.send(Raw.parse("g", "SELECT x FROM generate_series(1, 3) x"), Raw.bind("p1", "g"),
           Raw.execute("p1", 1), Raw.parse("", "DEALLOCATE g"), Raw.bind("", ""), Raw.execute(""),
           Raw.execute("p1"), (b"S", b""))
    got = Raw.summary(w.until(b"Z"))
    ok(got == ["1", "2", "D1", "s", "1", "2", "C", "D2", "D3", "C", "Z"],
       "portal p1 runs on after DEALLOCATE g: %r" % (got,))
    w.send((b"Q", b"PREPARE sq2 AS SELECT 1\0"))
    w.until(b"Z")
    w.send((b"C", b"Ssq2\0"), (b"S", b""))
    got = Raw.summary(w.until(b"Z"))
    ok(got == ["3", "Z"], "Close of the SQL statement sq2: %r" % (got,))
    w.send((b"Q", b"EXECUTE sq2\0"))
    got = Raw.summary(w.until(b"Z"))
    ok(got[0].startswith("E26000"), "sq2 gone after Close: %r" % (got,))
    w.send(Raw.parse("two", "SELECT $1::int, $2::int"), Raw.bind("", "two", ["1"]), (b"S", b""))
    got = Raw.summary(w.until(b"Z"))
    ok(got == ["1", "E08P01:bind message supplies 1 parameters, but prepared statement \"two\" requires 2", "Z"],
       "Bind count error names the statement: %r" % (got,))
    w.send(Raw.parse("two", "SELECT 1"), (b"S", b""))
    got = Raw.summary(w.until(b"Z"))
    ok(got == ["E42P05:prepared statement \"two\" already exists", "Z"], "duplicate Parse: %r" % (got,))
    w.close()


def main():
    d, port, proc = ringnode.start(RINGDB, "prepare-proto-test-", PORTS)
    try:
        c = PQ(port)
        ok(c.exec("CREATE TABLE pp (id int PRIMARY KEY, name text)")[0] == PGRES_COMMAND_OK, "create")
        ok(c.exec("INSERT INTO pp VALUES (1, 'one'), (2, 'two')")[0] == PGRES_COMMAND_OK, "insert")
        # PREPARE itself through the extended protocol
        r = c.exec_params("PREPARE q(int) AS SELECT id, name FROM pp WHERE id = $1")
        ok(r[0] == PGRES_COMMAND_OK, "PREPARE through Parse/Bind/Execute: %r" % (r,))
        # EXECUTE through the extended protocol, with Describe
        r = c.prepare("s1", "EXECUTE q(2)")
        ok(r[0] == PGRES_COMMAND_OK, "Parse of EXECUTE: %r" % (r,))
        r = c.describe("s1")
        ok(r[2] == ["id", "name"], "Describe of EXECUTE gives q's columns: %r" % (r,))
        r = c.exec_prepared("s1")
        ok(r[0] == PGRES_TUPLES_OK and r[2] == ["id", "name"] and r[3] == [("2", "two")],
           "rows of EXECUTE q(2): %r" % (r,))
        r = c.exec_params("EXECUTE q(1)")
        ok(r[3] == [("1", "one")], "EXECUTE q(1) through PQexecParams: %r" % (r,))
        # errors keep their SQLSTATE
        ok(c.exec_params("EXECUTE nosuch(1)")[1] == "26000", "26000 through the extended protocol")
        ok(c.exec_params("EXECUTE q(1, 2)")[1] == "42601", "42601 wrong count")
        ok(c.exec_params("EXECUTE q(true)")[1] == "42804", "42804 bad type")
        ok(c.exec_params("PREPARE q AS SELECT 1")[1] == "42P05", "42P05 already exists")
        # DML through EXECUTE, then the statement list and DEALLOCATE
        ok(c.exec_params("PREPARE ins(int, text) AS INSERT INTO pp VALUES ($1, $2)")[0] == PGRES_COMMAND_OK,
           "PREPARE ins")
        ok(c.exec_params("EXECUTE ins(3, 'three')")[0] == PGRES_COMMAND_OK, "EXECUTE ins")
        r = c.exec("SELECT name, parameter_types::text FROM pg_prepared_statements ORDER BY name")
        ok(r[3] == [("ins", "{integer,text}"), ("q", "{integer}"), ("s1", "{}")],
           "pg_prepared_statements: %r" % (r,))
        ok(c.exec_params("DEALLOCATE ALL")[0] == PGRES_COMMAND_OK, "DEALLOCATE ALL")
        r = c.exec("SELECT count(*) FROM pp")
        ok(r[3] == [("3",)], "3 rows: %r" % (r,))
        ok(c.exec_prepared("s1")[1] == "26000", "DEALLOCATE ALL dropped the protocol statement s1 too")
        unified(c, port)
        c.close()
    finally:
        rc = ringnode.finish(T, "test_prepare_proto", proc, d)
    return rc


if __name__ == "__main__":
    sys.exit(main())
