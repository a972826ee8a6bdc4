#!/usr/bin/python3
"""psql-level tests of ringdb's DDL (catalog/DDL side, src/sql/catalog.c,
table.c, ddl*.c): a real build/ringdb on a temporary data directory, driven
by psycopg2, psql and pgbench.  Checks SQLSTATEs and PostgreSQL's wording,
NOTICEs, transactional DDL, persistence across a restart.

Usage: test_ddl.py RINGDB
"""
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback

import psycopg2

RINGDB = sys.argv[1]
PORTS = range(35100, 35999, 7)
SUPERUSER_PASSWORD = "su-secret"
failures = []
checks = 0


class Node:
    """One ringdb process; its data dir survives restart()."""

    def __init__(self, auth="trust"):
        self.auth = auth
        self.dir = tempfile.mkdtemp(prefix="ddl-test-")
        self.proc = None
        for port in PORTS:
            with socket.socket() as s:
                try:
                    s.bind(("127.0.0.1", port))
                except OSError:
                    continue
            self.port = port
            break
        self.launch()

    def launch(self):
        logf = open(os.path.join(self.dir, "log"), "ab")
        self.proc = subprocess.Popen(
            [RINGDB, "--data-dir", os.path.join(self.dir, "data"), "--port", str(self.port),
             "--unix-socket-dir", self.dir, "--log-level", "warn", "--auth", self.auth], stderr=logf,
            env=dict(os.environ, RINGDB_PASSWORD=SUPERUSER_PASSWORD))
        logf.close()
        for _ in range(300):
            if self.proc.poll() is not None:
                raise RuntimeError("ringdb exited with %s" % self.proc.returncode)
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("ringdb did not listen on %d" % self.port)

    def restart(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=60)
        self.launch()

    def conn(self, user="postgres", password=SUPERUSER_PASSWORD):
        c = psycopg2.connect(host="127.0.0.1", port=self.port, user=user, password=password,
                             dbname="postgres")
        c.autocommit = True
        return c

    def close(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


def check(cond, what):
    global checks
    checks += 1
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def q(c, sql, args=None):
    cur = c.cursor()
    cur.execute(sql, args)
    return cur.fetchall() if cur.description else cur.statusmessage


def err(c, sql, state, message, detail=None, hint=None):
    """sql must fail with SQLSTATE state and primary message (and detail)."""
    try:
        c.cursor().execute(sql)
    except psycopg2.Error as e:
        d = e.diag
        check(e.pgcode == state and d.message_primary == message,
              "%s: got %s %r, want %s %r" % (sql, e.pgcode, d.message_primary, state, message))
        if detail is not None:
            check(d.message_detail == detail, "%s: detail %r, want %r" % (sql, d.message_detail, detail))
        if hint is not None:
            check(d.message_hint == hint, "%s: hint %r, want %r" % (sql, d.message_hint, hint))
        if not c.autocommit:
            c.rollback()
        return
    check(False, "%s: succeeded, want %s" % (sql, state))


def notices_of(c, sql):
    del c.notices[:]
    q(c, sql)
    return [n.strip() for n in c.notices]


def test_create_types_and_errors(n):
    c = n.conn()
    check(q(c, "create table t (id int primary key, s varchar(5), n numeric(10,2), ts timestamptz, "
              "arr int[], b bool, big bigint, f float8, tx text not null default 'x')") == "CREATE TABLE",
          "CREATE TABLE tag")
    q(c, "insert into t (id, s, n, ts, b, big, f) values "
         "(1, 'abc', 1.5, '2024-01-02 03:04:05+00', true, 9000000000, 0.5)")
    row = q(c, "select id, s, n::text, arr, b, big, f, tx from t")[0]
    check(row == (1, 'abc', '1.50', None, True, 9000000000, 0.5, 'x'), "typed row round trip: %r" % (row,))
    err(c, "create table t (x int)", "42P07", 'relation "t" already exists')
    check(notices_of(c, "create table if not exists t (x int)") ==
          ['NOTICE:  relation "t" already exists, skipping'], "IF NOT EXISTS notice")
    err(c, "create table u (a int, a int)", "42701", 'column "a" specified more than once')
    err(c, "create table u (a nosuch)", "42704", 'type "nosuch" does not exist')
    err(c, "create table u (a int primary key, b int primary key)", "42P16",
        'multiple primary keys for table "u" are not allowed')
    err(c, "create table u (a int references nosuch(id))", "42P01", 'relation "nosuch" does not exist')
    err(c, "create table u (a int references t(nosuch))", "42703",
        'column "nosuch" referenced in foreign key constraint does not exist')
    err(c, "create table u (a varchar(0))", "22023", "length for type varchar must be at least 1")
    q(c, "create table pgb (aid int not null, filler char(84)) with (fillfactor=100)")
    err(c, "insert into t (id) values (1)", "23505", 'duplicate key value violates unique constraint "t_pkey"',
        detail="Key (id)=(1) already exists.")
    q(c, "insert into t (id) values (1) on conflict do nothing")
    check(q(c, "select count(*) from t") == [(1,)], "ON CONFLICT DO NOTHING inserts nothing")
    err(c, "select * from nosuch", "42P01", 'relation "nosuch" does not exist')
    c.close()


def test_drop_views_notices(n):
    c = n.conn()
    q(c, "create table a (x int, y int)")
    q(c, "insert into a values (1, 2), (3, 4)")
    check(q(c, "create view v as select x from a where y > 2") == "CREATE VIEW", "CREATE VIEW tag")
    check(q(c, "select * from v") == [(3,)], "view query")
    q(c, "create view va (n, m) as select x, y from a union select 0, 0")
    check(q(c, "select n, m from va order by n") == [(0, 0), (1, 2), (3, 4)], "view column aliases")
    q(c, "create or replace view va as select x as n, y as m from a")
    check(q(c, "select count(*) from va") == [(2,)], "CREATE OR REPLACE VIEW")
    q(c, "drop view va")
    err(c, "drop table a", "2BP01", "cannot drop table a because other objects depend on it",
        detail="view v depends on table a", hint="Use DROP ... CASCADE to drop the dependent objects too.")
    err(c, "alter table a drop column x", "2BP01",
        "cannot drop column x of table a because other objects depend on it")
    err(c, "drop table v", "42809", '"v" is not a table', hint="Use DROP VIEW to remove a view.")
    check(notices_of(c, "drop table if exists nosuch1, nosuch2") ==
          ['NOTICE:  table "nosuch1" does not exist, skipping',
           'NOTICE:  table "nosuch2" does not exist, skipping'], "DROP IF EXISTS notices")
    err(c, "drop table nosuch", "42P01", 'table "nosuch" does not exist')
    check(notices_of(c, "drop table a cascade") == ["NOTICE:  drop cascades to view v"], "CASCADE notice")
    err(c, "select * from v", "42P01", 'relation "v" does not exist')
    q(c, "create table a (x int)")
    check(q(c, "select count(*) from a") == [(0,)], "a re-created table does not see the dropped rows")
    c.close()


def test_alter_table(n):
    c = n.conn()
    q(c, "create table h (a int, b int)")
    q(c, "insert into h values (1, 10), (2, 20), (2, 30), (3, null)")
    err(c, "alter table h add primary key (a)", "23505", 'could not create unique index "h_pkey"',
        detail="Key (a)=(2) is duplicated.")
    err(c, "alter table h add primary key (b)", "23502", 'column "b" of relation "h" contains null values')
    err(c, "alter table h alter column b set not null", "23502",
        'column "b" of relation "h" contains null values')
    q(c, "delete from h where b = 30")
    check(q(c, "alter table h add primary key (a)") == "ALTER TABLE", "ADD PRIMARY KEY on a filled table")
    err(c, "insert into h values (2, 0)", "23505", 'duplicate key value violates unique constraint "h_pkey"',
        detail="Key (a)=(2) already exists.")
    check(q(c, "select a, b from h order by a") == [(1, 10), (2, 20), (3, None)], "rows survive re-keying")
    q(c, "alter table h add column c int default 7, add column d serial")
    check(q(c, "select a, c, d from h order by a") == [(1, 7, 1), (2, 7, 2), (3, 7, 3)] or
          sorted(r[2] for r in q(c, "select a, c, d from h")) == [1, 2, 3],
          "ADD COLUMN fills defaults and serials: %r" % (q(c, "select a, c, d from h order by a"),))
    err(c, "alter table h add column c int", "42701", 'column "c" of relation "h" already exists')
    err(c, "alter table h drop column zz", "42703", 'column "zz" of relation "h" does not exist')
    err(c, "alter table h add check (b > 15)", "23514",
        'check constraint "h_b_check" of relation "h" is violated by some row')
    q(c, "alter table h add constraint b_pos check (b > 0)")
    err(c, "insert into h (a, b) values (9, -1)", "23514",
        'new row for relation "h" violates check constraint "b_pos"')
    q(c, "alter table h alter column b type bigint")
    check(q(c, "select b from h where a = 2") == [(20,)], "ALTER COLUMN TYPE keeps values")
    err(c, "alter table h alter column a drop not null", "42P16", 'column "a" is in a primary key')
    q(c, "alter table h rename column b to bb")
    q(c, "alter table h rename to h2")
    check(q(c, "select bb from h2 where a = 1") == [(10,)], "renames")
    err(c, "alter table h add column x int", "42P01", 'relation "h" does not exist')
    check(notices_of(c, "alter table if exists h add column x int") ==
          ['NOTICE:  relation "h" does not exist, skipping'], "ALTER IF EXISTS notice")
    q(c, "create unique index h2_bb on h2 (bb)")
    err(c, "insert into h2 (a, bb) values (10, 10)", "23505",
        'duplicate key value violates unique constraint "h2_bb"', detail="Key (bb)=(10) already exists.")
    q(c, "alter table h2 drop constraint h_pkey")  # the index keeps its name
    q(c, "insert into h2 (a, bb) values (1, 11)")
    check(q(c, "select count(*) from h2 where a = 1") == [(2,)], "DROP CONSTRAINT pkey allows duplicates")
    q(c, "truncate table h2")
    check(q(c, "select count(*) from h2") == [(0,)], "TRUNCATE")
    c.close()


def test_transactional_ddl(n):
    c = n.conn()
    c.autocommit = False
    q(c, "create table tx (a int primary key)")
    q(c, "insert into tx values (1)")
    check(q(c, "select * from tx") == [(1,)], "own DDL visible in the transaction")
    c.rollback()
    c.autocommit = True
    err(c, "select * from tx", "42P01", 'relation "tx" does not exist')
    c.autocommit = False
    q(c, "create table tx (a int)")
    q(c, "create index tx_a on tx (a)")
    c.commit()
    c.autocommit = True
    check(q(c, "select count(*) from tx") == [(0,)], "committed DDL persists")
    c.close()


def test_ctas_sequences_roles(n):
    c = n.conn()
    q(c, "create table src (a int, b text)")
    q(c, "insert into src values (1, 'x'), (2, 'y'), (3, 'z')")
    cur = c.cursor()
    cur.execute("create table dst as select a, b from src where a > 1")
    check(cur.statusmessage == "SELECT 2", "CREATE TABLE AS tag: %r" % cur.statusmessage)
    check(q(c, "select a, b from dst order by a") == [(2, 'y'), (3, 'z')], "CREATE TABLE AS rows")
    q(c, "create sequence s start 10 increment 5")
    check(q(c, "select nextval('s'), nextval('s')") == [(10, 15)], "nextval")
    q(c, "create table ser (id serial primary key, v text)")
    q(c, "insert into ser (v) values ('a'), ('b')")
    check(q(c, "select id from ser order by id") == [(1,), (2,)], "serial")
    q(c, "create table ident (id int generated by default as identity, v text)")
    q(c, "insert into ident (v) values ('a')")
    check(q(c, "select id from ident") == [(1,)], "identity")
    err(c, "drop sequence ser_id_seq", "2BP01",
        "cannot drop sequence ser_id_seq because other objects depend on it",
        detail="default value for column id of table ser depends on sequence ser_id_seq")
    q(c, "create table ga (id int generated always as identity, v text)")
    q(c, "insert into ga (v) values ('a'), ('b')")
    check(q(c, "select id, v from ga order by id") == [(1, 'a'), (2, 'b')], "GENERATED ALWAYS AS IDENTITY")
    q(c, "create table ga2 (like ga including all, extra int default -3)")
    q(c, "insert into ga2 (v) values ('x')")
    check(q(c, "select id, v, extra from ga2") == [(1, 'x', -3)], "LIKE ... INCLUDING ALL, negative default")
    q(c, "begin")
    q(c, "create table short_lived (a int)")
    q(c, "insert into short_lived values (1)")
    q(c, "drop table short_lived")
    q(c, "commit")
    err(c, "select * from short_lived", "42P01", 'relation "short_lived" does not exist')
    check(q(c, "create role app login password 'pw'") == "CREATE ROLE", "CREATE ROLE")
    err(c, "create user app", "42710", 'role "app" already exists')
    check(q(c, "alter role app nologin") == "ALTER ROLE", "ALTER ROLE")
    check(q(c, "drop role app") == "DROP ROLE", "DROP ROLE")
    err(c, "drop role app", "42704", 'role "app" does not exist')
    q(c, "create schema s2")
    q(c, "create table s2.t (a int)")
    q(c, "insert into s2.t values (5)")
    check(q(c, "select a from s2.t") == [(5,)], "schema-qualified table")
    err(c, "drop schema s2", "2BP01", "cannot drop schema s2 because other objects depend on it")
    q(c, "drop schema s2 cascade")
    q(c, "comment on table src is 'source'")
    check(q(c, "vacuum analyze src") == "VACUUM", "VACUUM ANALYZE tag")
    err(c, "create database x", "0A000",
        'CREATE DATABASE is not supported: ringdb has the one database "postgres"')
    c.close()


def test_restart_persistence(n):
    c = n.conn()
    q(c, "create table keep (id serial primary key, v int unique)")
    q(c, "insert into keep (v) values (1), (2), (3)")
    c.close()
    n.restart()
    c = n.conn()
    check(q(c, "select id, v from keep order by id") == [(1, 1), (2, 2), (3, 3)], "rows after restart")
    q(c, "insert into keep (v) values (4)")
    ids = [r[0] for r in q(c, "select id from keep order by id")]
    check(len(set(ids)) == 4 and ids[-1] > 3, "serial does not repeat after restart: %r" % ids)
    err(c, "insert into keep (v) values (2)", "23505", 'duplicate key value violates unique constraint "keep_v_key"',
        detail="Key (v)=(2) already exists.")
    c.close()


def test_pgbench_init(n):
    r = subprocess.run(["pgbench", "-i", "-s", "1", "-h", "127.0.0.1", "-p", str(n.port), "-U", "postgres",
                        "postgres"], capture_output=True, text=True, timeout=300)
    check(r.returncode == 0, "pgbench -i: %s" % r.stderr[-500:])
    c = n.conn()
    check(q(c, "select count(*) from pgbench_accounts") == [(100000,)], "pgbench_accounts rows")
    err(c, "insert into pgbench_accounts (aid, bid, abalance) values (7, 1, 0)", "23505",
        'duplicate key value violates unique constraint "pgbench_accounts_pkey"',
        detail="Key (aid)=(7) already exists.")
    r = subprocess.run(["psql", "-X", "-h", "127.0.0.1", "-p", str(n.port), "-U", "postgres", "-d", "postgres",
                        "-c", "drop table if exists pgbench_history, nosuch_t"],
                       capture_output=True, text=True, timeout=60)
    check(r.returncode == 0 and "DROP TABLE" in r.stdout and
          'NOTICE:  table "nosuch_t" does not exist, skipping' in r.stderr,
          "psql DROP with NOTICE: %r %r" % (r.stdout, r.stderr))
    c.close()


def test_role_login():
    """Roles made with SQL log in with SCRAM-SHA-256 against the catalog's verifier."""
    n = Node(auth="scram-sha-256")
    try:
        c = n.conn()
        q(c, "create role app login password 'app-pw'")
        q(c, "create role nolog password 'x'")
        a = n.conn(user="app", password="app-pw")
        check(q(a, "select 1") == [(1,)], "login with the SQL-set password")
        a.close()
        for user, pw, state in (("app", "wrong", "28P01"), ("nolog", "x", "28000")):
            try:
                n.conn(user=user, password=pw).close()
                check(False, "%s/%s logged in" % (user, pw))
            except psycopg2.OperationalError as e:
                check(state in str(e) or ("password authentication failed" in str(e) if state == "28P01"
                                          else "not permitted to log in" in str(e)),
                      "%s/%s: %s" % (user, pw, e))
        q(c, "alter role app password 'new-pw'")
        n.conn(user="app", password="new-pw").close()
        check(True, "ALTER ROLE PASSWORD takes effect")
        q(c, "drop role app")
        try:
            n.conn(user="app", password="new-pw").close()
            check(False, "dropped role logged in")
        except psycopg2.OperationalError:
            check(True, "dropped role cannot log in")
        c.close()
    finally:
        n.close()


def main():
    t0 = time.time()
    try:
        test_role_login()
    except Exception:
        failures.append("test_role_login: " + traceback.format_exc())
        traceback.print_exc()
    print("%-32s %.2fs" % ("test_role_login", time.time() - t0))
    n = Node()
    try:
        for t in (test_create_types_and_errors, test_drop_views_notices, test_alter_table,
                  test_transactional_ddl, test_ctas_sequences_roles, test_restart_persistence,
                  test_pgbench_init):
            t0 = time.time()
            try:
                t(n)
            except Exception:
                failures.append(t.__name__ + ": " + traceback.format_exc())
                print("ERROR in", t.__name__)
                traceback.print_exc()
            print("%-32s %.2fs" % (t.__name__, time.time() - t0))
    finally:
        n.close()
    print("%d checks, %d failures" % (checks, len(failures)))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
