#!/usr/bin/python3
"""End-to-end tests of the SQL engine: a real build/ringdb on a temporary
data directory, driven by psycopg2, psql, pgbench and a libpq program.

Usage: test_sql.py RINGDB [LIBPQ_SQL]
"""
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback

import psycopg2
import psycopg2.errors

RINGDB = sys.argv[1]
LIBPQ_SQL = sys.argv[2] if len(sys.argv) > 2 else None
FAILS = []
CHECKS = 0


def port_free(p):
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", p))
        return True
    except OSError:
        return False
    finally:
        s.close()


class Server:
    PORTS = (34100, 34999)   # a test file may choose its own range

    def __init__(self, datadir=None):
        self.tmp = tempfile.mkdtemp(prefix="sql-test-")
        self.data = datadir or os.path.join(self.tmp, "data")
        self.start()

    def start(self):
        for _ in range(50):
            self.port = random.randint(*self.PORTS)
            if not port_free(self.port):
                continue
            self.log = open(os.path.join(self.tmp, "server.log"), "ab")
            self.proc = subprocess.Popen(
                [RINGDB, "--data-dir", self.data, "--port", str(self.port),
                 "--unix-socket-dir", self.tmp, "--log-level", "warn", "--auth", "trust"],
                stderr=self.log)
            deadline = time.time() + 15
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
        raise RuntimeError("server did not start")

    def stop(self, sig=signal.SIGTERM):
        self.proc.send_signal(sig)
        self.proc.wait(timeout=30)
        self.log.close()

    def connect(self, **kw):
        return psycopg2.connect(host="127.0.0.1", port=self.port, user="postgres", dbname="postgres", **kw)

    def dsn(self):
        return "host=127.0.0.1 port=%d user=postgres dbname=postgres" % self.port

    def cleanup(self):
        if self.proc.poll() is None:
            self.stop()
        if self.proc.returncode != 0:
            # a crash or a sanitizer report: show the node's log before it goes
            self.log.close()
            with open(os.path.join(self.tmp, "server.log"), "rb") as f:
                tail = f.read()[-20000:].decode("utf-8", "replace")
            sys.stderr.write("ringdb exited with status %s; its log ends:\n%s\n" % (self.proc.returncode, tail))
        shutil.rmtree(self.tmp, ignore_errors=True)


def check(cond, msg):
    global CHECKS
    CHECKS += 1
    if not cond:
        FAILS.append(msg)
        print("FAIL:", msg)


def q(conn, sql, args=None):
    cur = conn.cursor()
    cur.execute(sql, args)
    rows = cur.fetchall() if cur.description else None
    cur.close()
    return rows


def expect_error(conn, sql, state, msg_part=None, position=None):
    cur = conn.cursor()
    try:
        cur.execute(sql)
        check(False, "%r should fail with %s" % (sql, state))
    except psycopg2.Error as e:
        check(e.pgcode == state, "%r: SQLSTATE %s, wanted %s (%s)" % (sql, e.pgcode, state, e.pgerror))
        if msg_part:
            check(msg_part in (e.pgerror or ""), "%r: message %r lacks %r" % (sql, e.pgerror, msg_part))
        if position is not None:
            got = e.diag.statement_position
            check(got == str(position), "%r: position %s, wanted %s" % (sql, got, position))
        return e
    finally:
        cur.close()


def test_roundtrip(srv):
    c = srv.connect()
    c.autocommit = True
    q(c, "create table items (id int primary key, name varchar(20) not null, price numeric(8,2) "
         "default 9.99, tags text, created date default '2020-02-02', check (price >= 0))")
    q(c, "insert into items (id, name, price) values (1, 'apple', 1.25), (2, 'pear', 2.5), (3, 'fig', default)")
    rows = q(c, "insert into items (id, name) values (4, 'kiwi') returning id, price, created")
    check(rows == [(4, __import__('decimal').Decimal('9.99'), __import__('datetime').date(2020, 2, 2))],
          "insert returning: %r" % rows)
    check(q(c, "select id, name from items where id = 2") == [(2, 'pear')], "point select")
    check(q(c, "select id from items where id between 2 and 3 order by id desc") == [(3,), (2,)], "range")
    q(c, "update items set price = price * 2, tags = 'x' where id <= 2")
    check(q(c, "select sum(price) from items")[0][0] == __import__('decimal').Decimal('27.48'), "sum after update")
    rows = q(c, "delete from items where name like 'k%' returning name")
    check(rows == [('kiwi',)], "delete returning %r" % rows)
    check(q(c, "select count(*) from items") == [(3,)], "count after delete")
    # joins, grouping, set operations, subqueries
    q(c, "create table orders (oid int primary key, item int, qty int)")
    q(c, "insert into orders select g, g % 3 + 1, g from generate_series(1, 30) g")
    rows = q(c, "select i.name, count(*), sum(o.qty) from items i join orders o on o.item = i.id "
                "group by i.name order by 2 desc, 1")
    check(rows == [('apple', 10, 165), ('fig', 10, 155), ('pear', 10, 145)], "join group %r" % rows)
    rows = q(c, "select i.id, o.oid from items i left join orders o on o.item = i.id and o.qty > 28 "
                "order by 1, 2 nulls first")
    check(rows == [(1, 30), (2, None), (3, 29)], "left join %r" % rows)
    rows = q(c, "select name from items where id in (select item from orders where qty > 28) order by 1")
    check(rows == [('apple',), ('fig',)], "in subquery %r" % rows)
    rows = q(c, "select id from items i where exists (select 1 from orders o where o.item = i.id and o.qty = 2)")
    check(rows == [(3,)], "correlated exists %r" % rows)
    rows = q(c, "select id from items union select item from orders except select 3 order by 1")
    check(rows == [(1,), (2,)], "union/except %r" % rows)
    rows = q(c, "select distinct item from orders order by item desc limit 2 offset 1")
    check(rows == [(2,), (1,)], "distinct limit offset %r" % rows)
    rows = q(c, "select a.id, b.id from items a full join (values (1), (7)) b(id) using (id) order by 1 nulls last")
    check(len(rows) == 4 and rows[-1] == (None, 7), "full join using %r" % (rows,))
    rows = q(c, "select oid from orders where oid > 10 and oid <= 13")
    check(rows == [(11,), (12,), (13,)], "integer key range %r" % rows)
    rows = q(c, "select item, qty, row_number() over (partition by item order by qty desc), "
                "sum(qty) over (partition by item), lag(qty) over (partition by item order by qty) "
                "from orders where qty > 26 order by item, qty")
    check(rows == [(1, 27, 2, 57, None), (1, 30, 1, 57, 27), (2, 28, 1, 28, None), (3, 29, 1, 29, None)],
          "window functions %r" % rows)
    rows = q(c, "select x, sum(x) over (order by x rows between 1 preceding and 1 following) "
                "from generate_series(1, 4) x")
    check(rows == [(1, 3), (2, 6), (3, 9), (4, 7)], "ROWS frame with offsets %r" % rows)
    check(q(c, "select '', true::text") == [("", "true")], "empty string is not NULL; bool to text")
    rows = q(c, "select i.id, s.n from items i, lateral (select count(*) n from orders o where o.item = i.id "
                "and o.qty > 27) s order by 1")
    check(rows == [(1, 1), (2, 1), (3, 1)], "lateral %r" % rows)
    rows = q(c, "select generate_series(1, 3), 'x'")
    check(rows == [(1, 'x'), (2, 'x'), (3, 'x')], "generate_series in the select list %r" % rows)
    rows = q(c, "select oid, qty from orders order by qty desc nulls last limit 3")
    check(rows == [(30, 30), (29, 29), (28, 28)], "top-n %r" % rows)
    rows = q(c, "select (select max(qty) from orders), coalesce(null, 2), greatest(1, 5, 3), "
                "case when 1 > 2 then 'a' else 'b' end, nullif(3, 3)")
    check(rows == [(30, 2, 5, 'b', None)], "scalars %r" % rows)
    q(c, "create table seqt (id serial primary key, v text)")
    q(c, "insert into seqt (v) values ('a'), ('b')")
    check(q(c, "select id from seqt order by id") == [(1,), (2,)], "serial")
    rows = q(c, "insert into seqt (id, v) values (1, 'x'), (7, 'y') on conflict (id) do update "
                "set v = seqt.v || excluded.v returning id, v")
    check(sorted(rows) == [(1, 'ax'), (7, 'y')], "on conflict do update %r" % rows)
    q(c, "update orders set qty = orders.qty + i.id * 100 from items i where i.id = orders.item and orders.oid <= 3")
    check(q(c, "select oid, qty from orders where oid <= 3 order by oid") == [(1, 201), (2, 302), (3, 103)],
          "update ... from")
    rows = q(c, "delete from orders using items i where i.id = orders.item and i.name = 'fig' and orders.qty > 300 "
                "returning oid")
    check(rows == [(2,)], "delete ... using %r" % rows)
    q(c, "insert into items values (10, 'dup', 1) on conflict do nothing")
    rows = q(c, "insert into items values (10, 'dup2', 1) on conflict do nothing returning id")
    check(rows == [], "on conflict do nothing %r" % rows)
    c.close()


def test_errors(srv):
    c = srv.connect()
    c.autocommit = True
    q(c, "create table e (id int primary key, n int not null, s text, check (n > 0))")
    q(c, "insert into e values (1, 1, 'a')")
    expect_error(c, "selec 1", "42601", "syntax error at or near \"selec\"", 1)
    expect_error(c, "select * from e where", "42601", "syntax error at end of input", 22)
    expect_error(c, "select * from nosuch", "42P01", 'relation "nosuch" does not exist', 15)
    expect_error(c, "select nope from e", "42703", 'column "nope" does not exist', 8)
    expect_error(c, "select 1 + true", "42883", "operator does not exist: integer + boolean")
    expect_error(c, "select nosuchfn(1)", "42883", "function nosuchfn(integer) does not exist")
    expect_error(c, "insert into e (id, n) values (2, 'x'::text)", "42804",
                 'column "n" is of type integer but expression is of type text')
    expect_error(c, "select id, count(*) from e", "42803",
                 'column "e.id" must appear in the GROUP BY clause')
    expect_error(c, "select id from e a, e b", "42702", 'column reference "id" is ambiguous')
    expect_error(c, "select * from e full join lateral (select 1) s on true", "0A000", "LATERAL")
    expect_error(c, "select count(*) over (groups between 1 preceding and current row) from e", "42P20",
                 "GROUPS mode requires an ORDER BY clause")
    expect_error(c, "insert into e values (1, 1, 'dup')", "23505",
                 'duplicate key value violates unique constraint "e_pkey"')
    e = expect_error(c, "insert into e (id, n) values (2, null)", "23502",
                     'null value in column "n" of relation "e" violates not-null constraint')
    check(e is not None and e.diag.message_detail == "Failing row contains (2, null, null).",
          "23502 detail %r" % (e and e.diag.message_detail))
    expect_error(c, "insert into e values (3, -1, 'x')", "23514",
                 'new row for relation "e" violates check constraint')
    expect_error(c, "update e set n = 0 where id = 1", "23514")
    expect_error(c, "select 1/0", "22012", "division by zero")
    expect_error(c, "select 'abc'::int", "22P02", 'invalid input syntax for type integer: "abc"')
    expect_error(c, "select (select id from (values (1), (2)) v(id))", "21000")
    expect_error(c, "select 1 where 1", "42804", "argument of WHERE must be type boolean")
    q(c, "set statement_timeout = '200ms'")
    t0 = time.time()
    expect_error(c, "select pg_sleep(5)", "57014", "statement timeout")
    check(time.time() - t0 < 3, "statement_timeout took %.1fs" % (time.time() - t0))
    q(c, "set statement_timeout = 0")
    q(c, "set work_mem = '64kB'")
    # a sort and one window partition spill to disk beyond work_mem, but an
    # aggregate's state must fit the per-query limit (256 x work_mem)
    check(q(c, "select count(*) from (select g from generate_series(1, 300000) g order by g desc) s")
          == [(300000,)], "a sort beyond work_mem spills")
    check(q(c, "select count(*), max(r) from (select row_number() over (order by g) r "
               "from generate_series(1, 300000) g) s") == [(300000, 300000)], "a window partition spills")
    expect_error(c, "select array_agg(g) from generate_series(1, 3000000) g", "53200", "out of memory")
    q(c, "reset work_mem")
    check(q(c, "select count(*) from e") == [(1,)], "connection usable after errors")
    # cancel a running query from another thread
    import threading
    c2 = srv.connect()
    c2.autocommit = True
    threading.Timer(0.3, c2.cancel).start()
    expect_error(c2, "select pg_sleep(10)", "57014", "canceling statement due to user request")
    c2.close()
    c.close()


def test_transactions(srv):
    c = srv.connect()
    c.autocommit = True
    q(c, "create table tx (id int primary key, v int)")
    c.autocommit = False
    q(c, "insert into tx values (1, 1)")
    c.commit()
    q(c, "insert into tx values (2, 2)")
    c.rollback()
    check(q(c, "select id from tx order by id") == [(1,)], "commit/rollback")
    c.rollback()
    # 25P02 in a failed block, then ROLLBACK clears it
    q(c, "insert into tx values (3, 3)")
    expect_error(c, "insert into tx values (1, 1)", "23505")
    expect_error(c, "select 1", "25P02", "current transaction is aborted")
    c.rollback()
    check(q(c, "select count(*) from tx") == [(1,)], "failed block rolled back")
    c.rollback()
    c.autocommit = True
    # atomicity of a failed multi-row INSERT in autocommit
    expect_error(c, "insert into tx values (10, 1), (11, 1), (1, 1)", "23505")
    check(q(c, "select count(*) from tx where id >= 10") == [(0,)], "multi-row insert atomic")
    # read your own writes and isolation from another session
    c.autocommit = False
    q(c, "update tx set v = 100 where id = 1")
    o = srv.connect()
    o.autocommit = True
    check(q(o, "select v from tx where id = 1") == [(1,)], "uncommitted write invisible")
    check(q(c, "select v from tx where id = 1") == [(100,)], "own write visible")
    c.commit()
    check(q(o, "select v from tx where id = 1") == [(100,)], "committed write visible")
    o.close()
    # row locks: a second writer waits for the first, then works on its
    # committed row (no lost update); crossing writers get 40P01
    import threading
    c.commit()
    c.autocommit = True
    q(c, "insert into tx values (60, 0), (61, 0)")
    c.autocommit = False
    w = srv.connect()
    q(c, "update tx set v = v + 1 where id = 60")
    done = []
    def second():
        try:
            q(w, "update tx set v = v + 10 where id = 60")
            w.commit()
            done.append("ok")
        except psycopg2.Error as e:
            done.append(e.pgcode)
    th = threading.Thread(target=second)
    th.start()
    time.sleep(0.3)
    check(done == [], "second writer waits for the row lock")
    c.commit()
    th.join(10)
    check(done == ["ok"], "second writer finished after commit: %r" % done)
    c.autocommit = True
    check(q(c, "select v from tx where id = 60") == [(11,)], "no lost update")
    c.autocommit = False
    q(c, "update tx set v = 1 where id = 60")
    q(w, "update tx set v = 2 where id = 61")
    res = []
    def crossing():
        try:
            q(w, "update tx set v = 2 where id = 60")
            res.append("ok")
        except psycopg2.Error as e:
            res.append(e.pgcode)
    th = threading.Thread(target=crossing)
    th.start()
    time.sleep(0.3)
    try:
        q(c, "update tx set v = 1 where id = 61")
        res.append("ok")
    except psycopg2.Error as e:
        res.append(e.pgcode)
    c.rollback()
    th.join(10)
    w.rollback()
    check(sorted(res) == ["40P01", "ok"], "deadlock detected: %r" % res)
    w.close()
    # psql: BEGIN/COMMIT in one simple-query string; COMMIT of a failed block
    out = subprocess.run(["psql", "-X", "-q", "-d", srv.dsn(), "-c",
                          "begin; insert into tx values (50, 5); commit;"], capture_output=True, text=True)
    check(out.returncode == 0, "psql multi-statement: %s" % out.stderr)
    c.autocommit = True
    check(q(c, "select v from tx where id = 50") == [(5,)], "multi-statement commit")
    c.close()


def test_copy(srv):
    import io
    c = srv.connect()
    c.autocommit = True
    q(c, "create table cp (id int primary key, name text, amount numeric, note text default 'n')")
    data = "1\talpha\t1.5\n2\tbe\\tta\t\\N\n3\tgamma\t3\n"
    cur = c.cursor()
    cur.copy_expert("copy cp (id, name, amount) from stdin", io.StringIO(data))
    check(cur.rowcount == 3, "copy rowcount %d" % cur.rowcount)
    check(q(c, "select name, amount, note from cp where id = 2") == [("be\tta", None, "n")], "copy text escapes")
    csv = 'id,name,amount\n4,"d, with comma",4.5\n5,"quote ""x""",\n'
    cur.copy_expert("copy cp (id, name, amount) from stdin with (format csv, header true)", io.StringIO(csv))
    check(q(c, "select name, amount from cp where id = 5") == [('quote "x"', None)], "copy csv quotes")
    out = io.StringIO()
    cur.copy_expert("copy cp to stdout", out)
    lines = sorted(out.getvalue().splitlines())
    check(len(lines) == 5 and lines[1] == "2\tbe\\tta\t\\N\tn", "copy to stdout %r" % lines[:2])
    out = io.StringIO()
    cur.copy_expert("copy (select id, name from cp where id >= 4 order by id) to stdout with (format csv, header)", out)
    check(out.getvalue() == 'id,name\n4,"d, with comma"\n5,"quote ""x"""\n', "copy query csv %r" % out.getvalue())
    # a bad row makes the whole COPY fail and leaves nothing
    try:
        cur.copy_expert("copy cp (id, name) from stdin", io.StringIO("10\tok\nxx\tbad\n"))
        check(False, "bad copy should fail")
    except psycopg2.Error as e:
        check(e.pgcode == "22P02", "bad copy SQLSTATE %s" % e.pgcode)
    check(q(c, "select count(*) from cp") == [(5,)], "failed copy left nothing")
    # psql \copy
    path = os.path.join(srv.tmp, "in.csv")
    with open(path, "w") as f:
        for i in range(100, 1100):
            f.write("%d,row%d,%d\n" % (i, i, i))
    out = subprocess.run(["psql", "-X", "-q", "-d", srv.dsn(), "-c",
                          "\\copy cp (id, name, amount) from '%s' with (format csv)" % path],
                         capture_output=True, text=True)
    check(out.returncode == 0, "psql \\copy: %s" % out.stderr)
    check(q(c, "select count(*), sum(amount) from cp where id >= 100") == [(1000, 599500)], "\\copy rows")
    cur.close()
    c.close()


def test_session(srv):
    c = srv.connect()
    c.autocommit = True
    check(q(c, "show server_version")[0][0].startswith("15"), "server_version")
    q(c, "set application_name = 'sqltest'")
    check(q(c, "show application_name") == [("sqltest",)], "application_name")
    check(c.get_parameter_status("application_name") == "sqltest", "ParameterStatus application_name")
    q(c, "set datestyle = 'german,dmy'")
    check(q(c, "show datestyle") == [("German, DMY",)], "DateStyle canonical")
    check(c.get_parameter_status("DateStyle") == "German, DMY", "ParameterStatus DateStyle")
    q(c, "reset datestyle")
    check(q(c, "show datestyle") == [("ISO, MDY",)], "RESET DateStyle")
    check(q(c, "select 1 in (1, 2), 3 not in (1, null), 2 between symmetric 3 and 1") == [(True, None, True)],
          "IN lists and BETWEEN")
    q(c, "set extra_float_digits = 0")
    check(q(c, "select 0.1::float8::text") == [("0.1",)], "extra_float_digits")
    expect_error(c, "set nosuch_param = 1", "42704")
    q(c, "create schema s2")
    q(c, "create table s2.only_here (x int)")
    q(c, "set search_path = s2, public")
    check(q(c, "select current_schema()") == [("s2",)], "current_schema")
    q(c, "insert into only_here values (1)")
    check(q(c, "select count(*) from only_here") == [(1,)], "search_path lookup")
    rows = q(c, "select current_user, session_user, current_database(), pg_backend_pid() > 0, "
                "version() like 'PostgreSQL 15%'")
    check(rows == [("postgres", "postgres", "postgres", True, True)], "session functions %r" % rows)
    c.close()
    # idle_in_transaction_session_timeout: a session idle in a block that
    # long is closed with FATAL 25P03 (psql prints PostgreSQL's lines); one
    # idle outside a block, or busy in one, is not
    script = ("set idle_in_transaction_session_timeout = '300ms';\n"
              "begin;\nselect 1 as a;\nselect pg_sleep(0.5);\nselect 2 as b;\n"
              "\\! sleep 1\nselect 3 as c;\n")
    out = subprocess.run(["psql", "-X", "-q", "-A", "-t", "-d", srv.dsn()], input=script,
                         capture_output=True, text=True, timeout=60)
    check(out.stdout.split() == ["1", "", "2"] or out.stdout.split() == ["1", "2"],
          "idle timeout: work in the block before it: %r" % out.stdout)
    check("FATAL:  terminating connection due to idle-in-transaction timeout" in out.stderr and
          "3" not in out.stdout.split(), "idle timeout closes the session: %r %r" % (out.stdout, out.stderr))
    c = srv.connect()
    c.autocommit = True
    q(c, "set idle_in_transaction_session_timeout = '200ms'")
    time.sleep(0.5)
    check(q(c, "select 4") == [(4,)], "idle timeout does not apply outside a block")
    c.close()


def test_restart(srv):
    c = srv.connect()
    c.autocommit = True
    q(c, "create table keep (id int primary key, v text)")
    q(c, "insert into keep select g, 'v' || g from generate_series(1, 500) g")
    c.close()
    srv.stop(signal.SIGTERM)
    srv.start()
    c = srv.connect()
    c.autocommit = True
    check(q(c, "select count(*), max(v) from keep where id > 0") == [(500, "v99")], "data after restart")
    q(c, "insert into keep values (501, 'after')")
    c.close()
    srv.stop(signal.SIGKILL)
    srv.start()
    c = srv.connect()
    c.autocommit = True
    check(q(c, "select v from keep where id = 501") == [("after",)], "committed data after kill -9")
    c.close()


def pgbench(srv, *args):
    return subprocess.run(["pgbench", "-h", "127.0.0.1", "-p", str(srv.port), "-U", "postgres"] +
                          list(args) + ["postgres"], capture_output=True, text=True, timeout=300)


def balances(c):
    return q(c, "select (select sum(abalance) from pgbench_accounts), (select sum(tbalance) from "
                "pgbench_tellers), (select sum(bbalance) from pgbench_branches), "
                "(select coalesce(sum(delta), 0) from pgbench_history), (select count(*) from pgbench_history)")[0]


def test_pgbench(srv):
    out = pgbench(srv, "-i", "-s", "1", "-q")
    check(out.returncode == 0, "pgbench -i: %s" % out.stderr[-500:])
    c = srv.connect()
    c.autocommit = True
    check(q(c, "select count(*) from pgbench_accounts") == [(100000,)], "pgbench_accounts rows")
    check(balances(c)[:4] == (0, 0, 0, 0), "initial balances")
    for mode in ("simple", "prepared"):
        out = pgbench(srv, "-n", "-T", "3", "-c", "1", "-M", mode)
        check(out.returncode == 0 and "failed transactions: 0 " in out.stdout,
              "pgbench -M %s: %s %s" % (mode, out.stdout[-300:], out.stderr[-300:]))
    a, t, b, h, n = balances(c)
    check(n > 0 and a == t == b == h, "pgbench balances consistent: %r" % ((a, t, b, h, n),))
    # four clients on one branch row: conflicts are serialization failures
    # (40001, counted by pgbench as failed), never lost updates
    out = pgbench(srv, "-n", "-T", "3", "-c", "4")
    check(out.returncode == 0 and "number of transactions actually processed" in out.stdout,
          "pgbench -c 4: %s %s" % (out.stdout[-300:], out.stderr[-300:]))
    a2, t2, b2, h2, n2 = balances(c)
    check(n2 > n and a2 == t2 == b2 == h2, "pgbench -c 4 balances consistent: %r" % ((a2, t2, b2, h2, n2),))
    c.close()


def run_tests(tests, after=None):
    """Run each test function against a fresh Server (only SQL_TEST_ONLY's,
    when set), then after(only) if given; print the tally and exit."""
    only = os.environ.get("SQL_TEST_ONLY")
    for t in tests:
        if only and t.__name__ != only:
            continue
        srv = Server()
        t0 = time.time()
        try:
            t(srv)
        except Exception:
            FAILS.append("%s raised" % t.__name__)
            traceback.print_exc()
        finally:
            srv.cleanup()
        print("%s: %.1fs" % (t.__name__, time.time() - t0))
    if after:
        after(only)
    print("%d checks, %d failed" % (CHECKS, len(FAILS)))
    sys.exit(1 if FAILS else 0)


def libpq_checks(only):
    if not LIBPQ_SQL or only:
        return
    srv = Server()
    try:
        out = subprocess.run([LIBPQ_SQL, srv.dsn()], capture_output=True, text=True, timeout=120)
        print(out.stdout, end="")
        check(out.returncode == 0, "libpq extended-protocol checks failed")
    finally:
        srv.cleanup()


def main():
    run_tests([test_roundtrip, test_errors, test_transactions, test_copy, test_session, test_restart,
               test_pgbench], libpq_checks)


if __name__ == "__main__":
    main()
