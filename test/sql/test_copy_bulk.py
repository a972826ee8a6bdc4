#!/usr/bin/python3
"""COPY FROM's bulk path (src/exec/copy.c, txn_put_new) against a real
build/ringdb: duplicates among a COPY's own rows are found at the end (or
when a later line fails) and reported as PostgreSQL does, for the earliest
bad line; a COPY stays one atomic statement (an error in its last row of
200,000 leaves the table as it was and the session usable); read-your-
writes inside a block; tables with plain and UNIQUE secondary indexes; and
a server killed (SIGKILL) in the middle of a large COPY comes back with
none of its rows, while an acknowledged COPY survives a SIGKILL.

Usage: test_copy_bulk.py RINGDB
"""
import io
import os
import shutil
import signal
import subprocess
import sys
import threading
import time

import psycopg2

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ringnode  # noqa: E402

RINGDB = sys.argv[1]
PORTS = range(41200, 41299)
failures = []
checks = 0


def ok(cond, what):
    global checks
    checks += 1
    if not cond:
        failures.append(what)
        print("FAIL:", what, flush=True)


def connect(port):
    c = psycopg2.connect(host="127.0.0.1", port=port, user="postgres", dbname="postgres")
    c.autocommit = True
    return c


def q(cur, sql):
    cur.execute(sql)
    return cur.fetchall()


def copy_err(cur, sql, data):
    """The error of a COPY that must fail: (pgcode, message, detail, context)."""
    try:
        cur.copy_expert(sql, io.StringIO(data))
    except psycopg2.Error as e:
        d = e.diag
        return e.pgcode, d.message_primary, d.message_detail, d.context
    return None


def rows(lo, hi, bad=None):
    out = []
    for i in range(lo, hi + 1):
        out.append(bad[i] if bad and i in bad else "%d,%d,%d.25,pad-%d" % (i, i % 7, i, i))
    return "\n".join(out) + "\n"


def test_duplicates(cur):
    cur.execute("CREATE TABLE acc (id integer PRIMARY KEY, grp integer NOT NULL, val numeric(12,2), pad text)")
    # a repeated key among the COPY's own rows: line 40 repeats line 7
    e = copy_err(cur, "COPY acc FROM STDIN WITH (FORMAT csv)", rows(1, 100, {40: "7,1,1.00,again"}))
    ok(e is not None and e[0] == "23505", "own duplicate: 23505, got %r" % (e,))
    ok(e is not None and e[1] == 'duplicate key value violates unique constraint "acc_pkey"',
       "own duplicate message %r" % (e,))
    ok(e is not None and e[2] == "Key (id)=(7) already exists.", "own duplicate detail %r" % (e,))
    ok(e is not None and e[3] is not None and "COPY acc, line 40" in e[3], "own duplicate context %r" % (e,))
    ok(q(cur, "SELECT count(*) FROM acc") == [(0,)], "own duplicate left rows")
    # the earliest bad line wins: a duplicate at line 10, a bad number at line 20
    e = copy_err(cur, "COPY acc FROM STDIN WITH (FORMAT csv)",
                 rows(1, 30, {10: "3,1,1.00,x", 20: "20,1,abc,x"}))
    ok(e is not None and e[0] == "23505" and e[3] and "line 10" in e[3], "duplicate before bad value %r" % (e,))
    e = copy_err(cur, "COPY acc FROM STDIN WITH (FORMAT csv)",
                 rows(1, 30, {5: "5,1,abc,x", 20: "3,1,1.00,x"}))
    ok(e is not None and e[0] == "22P02" and e[3] and "line 5" in e[3], "bad value before duplicate %r" % (e,))
    # three copies of one key and another pair: the first repeat is reported
    e = copy_err(cur, "COPY acc FROM STDIN WITH (FORMAT csv)",
                 rows(1, 50, {30: "9,1,1.00,x", 31: "9,1,1.00,y", 25: "12,1,1.00,z"}))
    ok(e is not None and e[2] == "Key (id)=(12) already exists." and "line 25" in (e[3] or ""),
       "earliest of several duplicates %r" % (e,))
    ok(q(cur, "SELECT count(*) FROM acc") == [(0,)], "failed COPYs left rows")
    # a key already in the table is found at its line
    cur.copy_expert("COPY acc FROM STDIN WITH (FORMAT csv)", io.StringIO(rows(1, 10)))
    e = copy_err(cur, "COPY acc FROM STDIN WITH (FORMAT csv)", rows(11, 30, {15: "4,1,1.00,x"}))
    ok(e is not None and e[0] == "23505" and e[2] == "Key (id)=(4) already exists." and "line 5" in (e[3] or ""),
       "duplicate of a stored row %r" % (e,))
    ok(q(cur, "SELECT count(*), sum(id) FROM acc") == [(10, 55)], "stored rows intact")
    # text format, header line counted
    e = copy_err(cur, "COPY acc FROM STDIN WITH (FORMAT csv, HEADER)",
                 "id,grp,val,pad\n" + rows(100, 110, {105: "101,1,1.00,x"}))
    ok(e is not None and e[0] == "23505" and "line 7" in (e[3] or ""), "header counts as a line %r" % (e,))
    e = copy_err(cur, "COPY acc FROM STDIN", "200\t1\t1.5\ta\n201\t1\t2.5\tb\n200\t2\t3.5\tc\n")
    ok(e is not None and e[0] == "23505" and "line 3" in (e[3] or ""), "text format duplicate %r" % (e,))
    ok(q(cur, "SELECT count(*) FROM acc") == [(10,)], "text duplicate left rows")


def test_large_atomic(cur):
    cur.execute("TRUNCATE acc")
    n = 200000
    data = rows(1, n, {n: "%d,1,not-a-number,x" % n})
    e = copy_err(cur, "COPY acc FROM STDIN WITH (FORMAT csv)", data)
    ok(e is not None and e[0] == "22P02" and "line %d" % n in (e[3] or ""), "last-row error %r" % (e,))
    ok(q(cur, "SELECT count(*) FROM acc") == [(0,)], "last-row error left rows")
    data = rows(1, n, {n: "17,1,1.00,x"})
    e = copy_err(cur, "COPY acc FROM STDIN WITH (FORMAT csv)", data)
    ok(e is not None and e[0] == "23505" and "line %d" % n in (e[3] or ""), "last-row duplicate %r" % (e,))
    ok(q(cur, "SELECT count(*) FROM acc") == [(0,)], "last-row duplicate left rows")
    # the session goes on, and the same data loads
    ok(q(cur, "SELECT 1") == [(1,)], "session usable")
    cur.copy_expert("COPY acc FROM STDIN WITH (FORMAT csv)", io.StringIO(rows(1, n)))
    ok(cur.rowcount == n, "rowcount %d" % cur.rowcount)
    ok(q(cur, "SELECT count(*), sum(id), sum(val) FROM acc") ==
       [(n, n * (n + 1) // 2, sum(i + 0.25 for i in range(1, n + 1)))] or
       q(cur, "SELECT count(*), sum(id) FROM acc") == [(n, n * (n + 1) // 2)], "large COPY content")
    ok(q(cur, "SELECT pad FROM acc WHERE id = 123456") == [("pad-123456",)], "point read after COPY")


def test_block(cur):
    cur.execute("CREATE TABLE blk (id integer PRIMARY KEY, v text)")
    cur.execute("BEGIN")
    cur.execute("INSERT INTO blk VALUES (5, 'inserted')")
    e = copy_err(cur, "COPY blk FROM STDIN", "4\ta\n5\tb\n")
    ok(e is not None and e[0] == "23505" and "line 2" in (e[3] or ""), "block: key of an earlier INSERT %r" % (e,))
    cur.execute("ROLLBACK")
    cur.execute("BEGIN")
    cur.copy_expert("COPY blk FROM STDIN", io.StringIO("1\ta\n2\tb\n3\tc\n"))
    ok(q(cur, "SELECT count(*) FROM blk") == [(3,)], "block: reads see the COPY")
    cur.execute("UPDATE blk SET v = 'B' WHERE id = 2")
    cur.copy_expert("COPY blk FROM STDIN", io.StringIO("10\tx\n11\ty\n"))
    e = copy_err(cur, "COPY blk FROM STDIN", "12\tz\n3\tagain\n")
    ok(e is not None and e[0] == "23505" and e[2] == "Key (id)=(3) already exists.",
       "block: second COPY repeats the first's key %r" % (e,))
    cur.execute("ROLLBACK")
    ok(q(cur, "SELECT count(*) FROM blk") == [(0,)], "block rolled back")
    cur.execute("BEGIN")
    cur.copy_expert("COPY blk FROM STDIN", io.StringIO("1\ta\n2\tb\n3\tc\n"))
    cur.execute("DELETE FROM blk WHERE id = 1")
    cur.copy_expert("COPY blk FROM STDIN", io.StringIO("1\tagain\n4\td\n"))
    cur.execute("COMMIT")
    ok(q(cur, "SELECT id, v FROM blk ORDER BY id") == [(1, "again"), (2, "b"), (3, "c"), (4, "d")],
       "block: COPY, DELETE, COPY of the deleted key")


def test_indexes(cur):
    cur.execute("CREATE TABLE ix (id integer PRIMARY KEY, g integer, u text)")
    cur.execute("CREATE INDEX ix_g ON ix (g)")
    cur.copy_expert("COPY ix FROM STDIN WITH (FORMAT csv)",
                    io.StringIO("".join("%d,%d,u%d\n" % (i, i % 10, i) for i in range(1, 5001))))
    ok(q(cur, "SELECT count(*) FROM ix WHERE g = 3") == [(500,)], "plain index after COPY")
    e = copy_err(cur, "COPY ix FROM STDIN WITH (FORMAT csv)", "6001,1,a\n6002,1,b\n6001,2,c\n")
    ok(e is not None and e[0] == "23505" and "line 3" in (e[3] or ""), "indexed table duplicate %r" % (e,))
    ok(q(cur, "SELECT count(*) FROM ix WHERE g = 1") == [(500,)], "index entries of failed COPY gone")
    cur.execute("CREATE UNIQUE INDEX ix_u ON ix (u)")
    e = copy_err(cur, "COPY ix FROM STDIN WITH (FORMAT csv)", "7001,1,new\n7002,1,u5\n")
    ok(e is not None and e[0] == "23505" and e[1] == 'duplicate key value violates unique constraint "ix_u"',
       "unique index duplicate %r" % (e,))
    cur.copy_expert("COPY ix FROM STDIN WITH (FORMAT csv)", io.StringIO("7001,1,new\n7002,1,newer\n"))
    ok(q(cur, "SELECT count(*) FROM ix") == [(5002,)], "unique-index table COPY")
    # no primary key: hidden row ids
    cur.execute("CREATE TABLE nopk (a integer, b text)")
    cur.copy_expert("COPY nopk FROM STDIN", io.StringIO("1\tx\n1\tx\n2\ty\n"))
    ok(q(cur, "SELECT a, b, count(*) FROM nopk GROUP BY a, b ORDER BY a") == [(1, "x", 2), (2, "y", 1)],
       "table without primary key keeps repeated rows")


def start_at(d, port):
    logf = open(os.path.join(d, "log"), "ab")
    proc = subprocess.Popen([RINGDB, "--data-dir", os.path.join(d, "data"), "--port", str(port),
                             "--unix-socket-dir", d, "--log-level", "warn", "--auth", "trust"], stderr=logf)
    logf.close()
    for _ in range(300):
        try:
            connect(port).close()
            return proc
        except psycopg2.OperationalError:
            time.sleep(0.1)
    raise RuntimeError("ringdb did not restart")


class Slow(io.RawIOBase):
    """COPY data handed out slowly after `fast` rows, so that the server can
    be killed in the middle of the COPY."""

    def __init__(self, n, fast, started):
        self.i, self.n, self.fast, self.started = 0, n, fast, started
        self.pending = b""

    def readable(self):
        return True

    def readinto(self, b):
        if not self.pending:
            if self.i >= self.n:
                return 0
            if self.i >= self.fast:
                self.started.set()
                time.sleep(0.05)
            k = min(self.i + 5000, self.n)
            self.pending = "".join("%d,%d,1.00,p\n" % (j, j % 7) for j in range(self.i + 1, k + 1)).encode()
            self.i = k
        m = min(len(b), len(self.pending))
        b[:m] = self.pending[:m]
        self.pending = self.pending[m:]
        return m


def test_kill(d, port, proc):
    cur = connect(port).cursor()
    cur.execute("CREATE TABLE killed (id integer PRIMARY KEY, grp integer, val numeric(12,2), pad text)")
    cur.execute("CREATE TABLE kept (id integer PRIMARY KEY, v text)")
    cur.copy_expert("COPY kept FROM STDIN", io.StringIO("".join("%d\tk%d\n" % (i, i) for i in range(1, 50001))))
    started = threading.Event()
    result = {}

    def run():
        try:
            c = connect(port)
            c.cursor().copy_expert("COPY killed FROM STDIN WITH (FORMAT csv)", Slow(10**7, 300000, started))
            result["done"] = True
        except psycopg2.Error as e:
            result["error"] = str(e)

    th = threading.Thread(target=run)
    th.start()
    ok(started.wait(120), "slow COPY reached 300,000 rows")
    time.sleep(0.5)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    th.join(60)
    ok("error" in result, "killed COPY failed for the client: %r" % (result,))
    proc = start_at(d, port)
    cur = connect(port).cursor()
    ok(q(cur, "SELECT count(*) FROM killed") == [(0,)], "no row of the killed COPY after restart")
    ok(q(cur, "SELECT count(*), sum(id) FROM kept") == [(50000, 50000 * 50001 // 2)],
       "acknowledged COPY survived SIGKILL")
    cur.copy_expert("COPY killed FROM STDIN WITH (FORMAT csv)", io.StringIO(rows(1, 1000)))
    ok(q(cur, "SELECT count(*) FROM killed") == [(1000,)], "table usable after restart")
    return proc


def main():
    d, port, proc = ringnode.start(RINGDB, "copy-bulk-test-", PORTS)
    try:
        cur = connect(port).cursor()
        for t in (test_duplicates, test_large_atomic, test_block, test_indexes):
            t0 = time.time()
            t(cur)
            print("%s: %.1fs" % (t.__name__, time.time() - t0), flush=True)
        cur.connection.close()
        t0 = time.time()
        proc = test_kill(d, port, proc)
        print("test_kill: %.1fs" % (time.time() - t0), flush=True)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            rc = proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            rc = proc.wait()
        ok(rc == 0, "ringdb exit status %s" % rc)
        if not failures:
            shutil.rmtree(d, ignore_errors=True)
        else:
            print("data and log kept in", d)
    print("%d checks, %d failed" % (checks, len(failures)))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
