#!/usr/bin/python3
"""SQL-level PREPARE / EXECUTE / DEALLOCATE sent through the extended
protocol (libpq's PQprepare / PQdescribePrepared / PQexecPrepared /
PQexecParams, through ctypes) against a real build/ringdb: Describe of an
EXECUTE gives the prepared statement's columns, rows come back in text,
errors carry their SQLSTATE, and the statements survive across Syncs.

Usage: test_prepare_proto.py RINGDB
"""
import ctypes
import os
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
        ok(r[3] == [("ins", "{integer,text}"), ("q", "{integer}")], "pg_prepared_statements: %r" % (r,))
        ok(c.exec_params("DEALLOCATE ALL")[0] == PGRES_COMMAND_OK, "DEALLOCATE ALL")
        r = c.exec("SELECT count(*) FROM pp")
        ok(r[3] == [("3",)], "3 rows: %r" % (r,))
        ok(c.exec_prepared("s1")[1] == "26000", "the protocol statement's EXECUTE q now fails with 26000")
        c.close()
    finally:
        rc = ringnode.finish(T, "test_prepare_proto", proc, d)
    return rc


if __name__ == "__main__":
    sys.exit(main())
