#!/usr/bin/python3
"""UNIQUE under concurrent transactions (issue 4), against one real ringdb
node with several psycopg2 connections in threads, as PostgreSQL 15 at
READ COMMITTED behaves:

  - DEFERRABLE INITIALLY DEFERRED UNIQUE: two transactions insert the same
    value and COMMIT at the same moment, many rounds: exactly one commits,
    the other fails with 23505 and PostgreSQL's message and detail, and the
    table holds the value once;
  - the same with SET CONSTRAINTS ... IMMEDIATE in one of them (its check
    holds the value's lock): the other's COMMIT waits, then fails if the
    first committed, or commits if the first rolled back;
  - DEFERRABLE INITIALLY IMMEDIATE (checked at the statement's end): the
    second INSERT waits for the first transaction;
  - a plain UNIQUE: the second INSERT (or UPDATE to the value) waits for
    the first transaction and fails with 23505 once it commits, succeeds
    once it rolls back; many rounds of concurrent inserts leave each value
    once; a NULL never waits; ON CONFLICT DO NOTHING waits and then does
    nothing;
  - an UPDATE that leaves the unique column alone takes no value lock.

A check that something waits sees the statement still running after a
while and then finishing once the holder ends.

Usage: test_unique_race.py RINGDB        (ports 24000-24099)
"""
import os
import sys
import threading

import psycopg2

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ringnode  # noqa: E402

RINGDB = sys.argv[1]
C = ringnode.Checks()
PORT = None
ROUNDS = int(os.environ.get("ROUNDS", "40"))


def conn(autocommit=True):
    c = psycopg2.connect(host="127.0.0.1", port=PORT, user="postgres", dbname="postgres")
    c.autocommit = autocommit
    return c


def q(c, sql, params=None):
    cur = c.cursor()
    cur.execute(sql, params)
    return cur.fetchall() if cur.description else None


class Bg:
    """sql run on connection c in a thread: result rows or the error."""

    def __init__(self, c, sql, params=None):
        self.c, self.rows, self.code, self.msg, self.detail = c, None, None, None, None
        self.t = threading.Thread(target=self.run, args=(sql, params))
        self.t.start()

    def run(self, sql, params):
        try:
            if sql == "COMMIT":
                self.c.commit()
            else:
                self.rows = q(self.c, sql, params)
        except psycopg2.Error as e:
            self.code, self.msg = e.pgcode, e.pgerror
            self.detail = e.diag.message_detail

    def blocked(self, secs=0.5):
        self.t.join(secs)
        return self.t.is_alive()

    def wait(self, secs=60):
        self.t.join(secs)
        return not self.t.is_alive()


def setup(c):
    for t in ("d", "di", "p"):
        q(c, "DROP TABLE IF EXISTS %s" % t)
    q(c, "CREATE TABLE d (id serial PRIMARY KEY, u int UNIQUE DEFERRABLE INITIALLY DEFERRED, note text)")
    q(c, "CREATE TABLE di (id serial PRIMARY KEY, u int UNIQUE DEFERRABLE INITIALLY IMMEDIATE)")
    q(c, "CREATE TABLE p (id serial PRIMARY KEY, u int UNIQUE, note text)")


def dup_ok(what, code, msg, detail, table, v):
    C.ok(code == "23505" and ('violates unique constraint "%s_u_key"' % table) in (msg or "")
         and detail == "Key (u)=(%d) already exists." % v,
         "%s: %s %r %r" % (what, code, msg, detail))


def commit_race(table):
    """Both insert v, then both COMMIT at once: one commits, one 23505."""
    a, b, s = conn(False), conn(False), conn()
    bad = []
    for v in range(1000, 1000 + ROUNDS):
        q(a, "INSERT INTO %s (u) VALUES (%%s)" % table, (v,))
        q(b, "INSERT INTO %s (u) VALUES (%%s)" % table, (v,))
        go = threading.Barrier(2)
        res = [None, None]

        def fin(i, c):
            go.wait()
            try:
                c.commit()
                res[i] = ("ok", None, None)
            except psycopg2.Error as e:
                res[i] = (e.pgcode, e.pgerror, e.diag.message_detail)
                c.rollback()
        ts = [threading.Thread(target=fin, args=(0, a)), threading.Thread(target=fin, args=(1, b))]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        (n,), = q(s, "SELECT count(*) FROM %s WHERE u = %%s" % table, (v,))
        oks = [r for r in res if r[0] == "ok"]
        errs = [r for r in res if r[0] != "ok"]
        if n != 1 or len(oks) != 1:
            bad.append((v, n, res))
            continue
        e = errs[0]
        if not (e[0] == "23505" and 'violates unique constraint "%s_u_key"' % table in (e[1] or "")
                and e[2] == "Key (u)=(%d) already exists." % v):
            bad.append((v, n, res))
    C.ok(not bad, "%s: concurrent COMMITs of one value, %d rounds: exactly one commits (bad: %r)"
         % (table, ROUNDS, bad[:3]))
    (n,), = q(s, "SELECT count(*) FROM (SELECT u FROM %s GROUP BY u HAVING count(*) > 1) x" % table)
    C.ok(n == 0, "%s: no value twice after the races (%d)" % (table, n))
    for c in (a, b, s):
        c.close()


def deferred_waits():
    a, b = conn(False), conn(False)
    # a checks now (SET CONSTRAINTS ... IMMEDIATE) and holds the value
    q(a, "INSERT INTO d (u) VALUES (5000)")
    q(b, "INSERT INTO d (u) VALUES (5000)")
    q(a, "SET CONSTRAINTS d_u_key IMMEDIATE")
    bg = Bg(b, "COMMIT")
    C.ok(bg.blocked(), "deferred: COMMIT waits for a transaction that checked the same value")
    a.commit()
    C.ok(bg.wait(), "deferred: the waiting COMMIT ends")
    dup_ok("deferred: COMMIT after the other committed", bg.code, bg.msg, bg.detail, "d", 5000)
    b.rollback()
    # the holder rolls back: the waiting COMMIT goes through
    q(a, "INSERT INTO d (u) VALUES (5001)")
    q(b, "INSERT INTO d (u) VALUES (5001)")
    q(a, "SET CONSTRAINTS ALL IMMEDIATE")
    bg = Bg(b, "COMMIT")
    C.ok(bg.blocked(), "deferred: COMMIT waits (SET CONSTRAINTS ALL)")
    a.rollback()
    C.ok(bg.wait() and bg.code is None, "deferred: COMMIT passes after the other rolled back: %r %r"
         % (bg.code, bg.msg))
    s = conn()
    C.ok(q(s, "SELECT count(*) FROM d WHERE u IN (5000, 5001)") == [(2,)], "deferred: 5000 and 5001 once each")
    # a single statement outside a block checks at its own commit
    q(a, "INSERT INTO d (u) VALUES (5002)")
    q(a, "SET CONSTRAINTS d_u_key IMMEDIATE")
    bg = Bg(s, "INSERT INTO d (u) VALUES (5002)")
    C.ok(bg.blocked(), "deferred: an autocommit INSERT waits at its commit")
    a.commit()
    C.ok(bg.wait(), "deferred: the autocommit INSERT ends")
    dup_ok("deferred: autocommit INSERT after the other committed", bg.code, bg.msg, bg.detail, "d", 5002)
    for c in (a, b, s):
        c.close()


def immediate_deferrable():
    a, b = conn(False), conn(False)
    q(a, "INSERT INTO di (u) VALUES (7)")
    bg = Bg(b, "INSERT INTO di (u) VALUES (7)")
    C.ok(bg.blocked(), "DEFERRABLE INITIALLY IMMEDIATE: the second INSERT waits")
    a.commit()
    C.ok(bg.wait(), "DEFERRABLE INITIALLY IMMEDIATE: the second INSERT ends")
    dup_ok("DEFERRABLE INITIALLY IMMEDIATE", bg.code, bg.msg, bg.detail, "di", 7)
    b.rollback()
    # UPDATE u = u + 1 over every row still passes (checked at the end)
    s = conn()
    q(s, "INSERT INTO di (u) VALUES (8), (9)")
    q(s, "UPDATE di SET u = u + 1")
    C.ok(q(s, "SELECT u FROM di ORDER BY u") == [(8,), (9,), (10,)], "di: UPDATE u = u + 1")
    for c in (a, b, s):
        c.close()


def plain_unique():
    a, b, s = conn(False), conn(False), conn()
    q(a, "INSERT INTO p (u) VALUES (1)")
    bg = Bg(b, "INSERT INTO p (u) VALUES (1)")
    C.ok(bg.blocked(), "UNIQUE: the second INSERT waits for the first transaction")
    a.commit()
    C.ok(bg.wait(), "UNIQUE: the second INSERT ends")
    dup_ok("UNIQUE: INSERT after the other committed", bg.code, bg.msg, bg.detail, "p", 1)
    b.rollback()
    q(a, "INSERT INTO p (u) VALUES (2)")
    bg = Bg(b, "INSERT INTO p (u) VALUES (2)")
    C.ok(bg.blocked(), "UNIQUE: INSERT waits (2)")
    a.rollback()
    C.ok(bg.wait() and bg.code is None, "UNIQUE: INSERT passes after the other rolled back: %r" % bg.code)
    b.commit()
    # UPDATE to a value another transaction inserted
    q(a, "INSERT INTO p (u) VALUES (3)")
    bg = Bg(b, "UPDATE p SET u = 3 WHERE u = 2")
    C.ok(bg.blocked(), "UNIQUE: UPDATE to the value waits")
    a.commit()
    C.ok(bg.wait(), "UNIQUE: the UPDATE ends")
    dup_ok("UNIQUE: UPDATE after the other committed", bg.code, bg.msg, bg.detail, "p", 3)
    b.rollback()
    # ON CONFLICT DO NOTHING waits, then does nothing
    q(a, "INSERT INTO p (u) VALUES (4)")
    bg = Bg(b, "INSERT INTO p (u) VALUES (4) ON CONFLICT DO NOTHING RETURNING u")
    C.ok(bg.blocked(), "UNIQUE: ON CONFLICT DO NOTHING waits")
    a.commit()
    C.ok(bg.wait() and bg.code is None and bg.rows == [], "ON CONFLICT DO NOTHING after the commit: %r %r"
         % (bg.rows, bg.code))
    b.commit()
    # NULLs never conflict, so never wait
    q(a, "INSERT INTO p (u) VALUES (NULL)")
    bg = Bg(b, "INSERT INTO p (u) VALUES (NULL)")
    C.ok(bg.wait(10) and bg.code is None, "UNIQUE: a NULL does not wait: %r" % bg.code)
    a.commit()
    b.commit()
    # an UPDATE of another column takes no value lock
    q(a, "UPDATE p SET note = 'x' WHERE u = 1")
    bg = Bg(b, "UPDATE p SET note = 'y' WHERE u = 3")
    C.ok(bg.wait(10) and bg.code is None, "UNIQUE: UPDATE of another column, another row: no wait")
    a.commit()
    b.commit()
    for c in (a, b, s):
        c.close()


def insert_race():
    """Many rounds: two autocommit-off sessions insert the same value in
    threads and commit; each value ends once."""
    a, b, s = conn(False), conn(False), conn()
    bad = []
    for v in range(100, 100 + ROUNDS):
        go = threading.Barrier(2)
        res = [None, None]

        def one(i, c):
            go.wait()
            try:
                q(c, "INSERT INTO p (u) VALUES (%s)", (v,))
                c.commit()
                res[i] = "ok"
            except psycopg2.Error as e:
                res[i] = e.pgcode
                c.rollback()
        ts = [threading.Thread(target=one, args=(0, a)), threading.Thread(target=one, args=(1, b))]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        (n,), = q(s, "SELECT count(*) FROM p WHERE u = %s", (v,))
        if n != 1 or sorted(res) != ["23505", "ok"]:
            bad.append((v, n, res))
    C.ok(not bad, "UNIQUE: concurrent INSERTs of one value, %d rounds (bad: %r)" % (ROUNDS, bad[:3]))
    for c in (a, b, s):
        c.close()


def main():
    global PORT
    d, PORT, proc = ringnode.start(RINGDB, "unique-race-", range(24000, 24100))
    try:
        setup(conn())
        commit_race("d")
        deferred_waits()
        immediate_deferrable()
        plain_unique()
        insert_race()
    finally:
        rc = ringnode.finish(C, "test_unique_race", proc, d)
    sys.exit(rc)


main()
