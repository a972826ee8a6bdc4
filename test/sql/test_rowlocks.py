#!/usr/bin/python3
"""Row locks through real clients (issue 4): SELECT ... FOR UPDATE / NO KEY
UPDATE / SHARE / KEY SHARE [OF] [NOWAIT | SKIP LOCKED], the locks UPDATE
and DELETE take, and FOREIGN KEY checks (FOR KEY SHARE on the referenced
row), against one real ringdb node with several psycopg2 connections in
threads, as PostgreSQL 15 behaves at READ COMMITTED:

  - N threads x M read-modify-write increments through SELECT ... FOR
    UPDATE + UPDATE in a transaction give exactly N*M;
  - FOR SHARE blocks UPDATE but not another FOR SHARE; FOR KEY SHARE does
    not block a non-key UPDATE but blocks a key UPDATE and a DELETE;
  - NOWAIT fails with 55P03; SKIP LOCKED hands workers distinct rows and
    ORDER BY ... LIMIT 1 locks only the row returned;
  - FOR UPDATE waits for a concurrent writer and returns the newest
    version, re-checking WHERE (a row no longer qualifying or deleted is
    skipped);
  - UPDATE ... FROM over three tables (reordered by the join planner)
    waits for a concurrent writer and re-checks its WHERE clause over the
    newest target row and the same FROM rows;
  - two transactions locking in opposite orders: one fails with 40P01;
  - locks go at COMMIT and ROLLBACK, and stay while a failed transaction
    has not rolled back;
  - statement_timeout and cancel interrupt a lock wait (57014);
  - a child INSERT and a concurrent DELETE of its parent: exactly one
    commits, never an orphan; the INSERT waits for an uncommitted DELETE
    and fails with 23503, or succeeds if the DELETE rolls back.

A check that something waits sees the statement still running after a
while and then finishing once the holder ends (a wrong "waits" verdict
cannot come from a slow machine: a statement that should have blocked but
did not is seen as finished).

Usage: test_rowlocks.py RINGDB [TEST...]    (ports 43500-43599)
"""
import os
import random
import sys
import threading
import time

import psycopg2
import psycopg2.extensions

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ringnode  # noqa: E402

RINGDB = sys.argv[1]
C = ringnode.Checks()
PORT = None


def conn(autocommit=True):
    c = psycopg2.connect(host="127.0.0.1", port=PORT, user="postgres", dbname="postgres")
    c.autocommit = autocommit
    return c


def q(c, sql, params=None):
    cur = c.cursor()
    cur.execute(sql, params)
    return cur.fetchall() if cur.description else None


def err_of(c, sql, params=None):
    """The SQLSTATE sql fails with (None: it succeeded)."""
    try:
        q(c, sql, params)
        return None
    except psycopg2.Error as e:
        return e.pgcode


class Bg:
    """sql run on connection c in a thread: result rows or the SQLSTATE."""

    def __init__(self, c, sql, params=None):
        self.c, self.rows, self.code, self.msg = c, None, None, None
        self.t = threading.Thread(target=self.run, args=(sql, params))
        self.t.start()

    def run(self, sql, params):
        try:
            self.rows = q(self.c, sql, params)
        except psycopg2.Error as e:
            self.code, self.msg = e.pgcode, e.pgerror

    def blocked(self, secs=0.4):
        self.t.join(secs)
        return self.t.is_alive()

    def wait(self, secs=30):
        self.t.join(secs)
        return not self.t.is_alive()


def setup(c):
    q(c, "DROP TABLE IF EXISTS child")
    q(c, "DROP TABLE IF EXISTS parent")
    q(c, "DROP TABLE IF EXISTS acc")
    q(c, "DROP TABLE IF EXISTS jobs")
    q(c, "CREATE TABLE acc (id int PRIMARY KEY, balance int, note text)")
    q(c, "INSERT INTO acc SELECT g, 0, 'n' || g FROM generate_series(1, 10) g")
    q(c, "CREATE TABLE jobs (id int PRIMARY KEY, done bool NOT NULL DEFAULT false, worker int)")
    q(c, "CREATE TABLE parent (id int PRIMARY KEY, name text)")
    q(c, "CREATE TABLE child (id int PRIMARY KEY, pid int REFERENCES parent (id))")


def run_threads(target, args_list):
    """Run target(*args) in one thread per entry of args_list and wait for all."""
    ts = [threading.Thread(target=target, args=a) for a in args_list]
    for t in ts:
        t.start()
    for t in ts:
        t.join()


def locked_increments(select_sql, update_sql, n, m):
    """n threads each do m times: read a counter with a locking SELECT, write it
    back plus one, commit.  Returns the SQLSTATEs of the errors met."""
    errors = []

    def worker():
        c = conn(False)
        for _ in range(m):
            try:
                (v,), = q(c, select_sql)
                q(c, update_sql, (v + 1,))
                c.commit()
            except psycopg2.Error as e:
                errors.append(e.pgcode)
                c.rollback()
        c.close()

    run_threads(worker, [()] * n)
    return errors


def lost_update():
    n, m = 4, 25
    setup_c = conn()
    q(setup_c, "UPDATE acc SET balance = 0 WHERE id = 1")
    errors = locked_increments("SELECT balance FROM acc WHERE id = 1 FOR UPDATE",
                               "UPDATE acc SET balance = %s WHERE id = 1", n, m)
    (b,), = q(setup_c, "SELECT balance FROM acc WHERE id = 1")
    C.ok(not errors, "lost update: errors %r" % errors)
    C.ok(b == n * m, "lost update: %d threads x %d increments through FOR UPDATE gave %d" % (n, m, b))
    # FOR NO KEY UPDATE serialises the same way
    q(setup_c, "UPDATE acc SET balance = 0 WHERE id = 2")
    errors = locked_increments("SELECT balance FROM acc WHERE id = 2 FOR NO KEY UPDATE",
                               "UPDATE acc SET balance = %s WHERE id = 2", n, m)
    (b,), = q(setup_c, "SELECT balance FROM acc WHERE id = 2")
    C.ok(not errors and b == n * m,
         "FOR NO KEY UPDATE increments gave %d, expected %d (errors %r)" % (b, n * m, errors))
    setup_c.close()

def share_modes():
    a, b, c = conn(False), conn(False), conn(True)
    C.ok(q(a, "SELECT id FROM acc WHERE id = 3 FOR SHARE") == [(3,)], "FOR SHARE returns the row")
    bg = Bg(b, "SELECT id FROM acc WHERE id = 3 FOR SHARE")
    C.ok(bg.wait(10) and bg.rows == [(3,)], "a second FOR SHARE does not wait: %r %r" % (bg.rows, bg.code))
    up = Bg(c, "UPDATE acc SET balance = 7 WHERE id = 3")
    C.ok(up.blocked(), "UPDATE waits for FOR SHARE")
    a.commit()
    C.ok(up.blocked(), "UPDATE waits for the second FOR SHARE")
    b.commit()
    C.ok(up.wait() and up.code is None, "UPDATE goes on once both shares end: %r" % up.code)
    # FOR SHARE NOWAIT vs NO KEY UPDATE
    q(a, "UPDATE acc SET balance = 8 WHERE id = 3")
    C.ok(err_of(b, "SELECT id FROM acc WHERE id = 3 FOR SHARE NOWAIT") == "55P03",
         "FOR SHARE NOWAIT conflicts with an UPDATE's lock")
    b.rollback()
    C.ok(q(b, "SELECT id FROM acc WHERE id = 3 FOR KEY SHARE NOWAIT") == [(3,)],
         "FOR KEY SHARE goes with a non-key UPDATE's lock")
    b.rollback()
    a.rollback()
    # FOR KEY SHARE: non-key UPDATE passes, key UPDATE and DELETE wait
    q(a, "SELECT id FROM acc WHERE id = 4 FOR KEY SHARE")
    up = Bg(c, "UPDATE acc SET balance = balance + 1, note = 'x' WHERE id = 4")
    C.ok(up.wait(10) and up.code is None, "FOR KEY SHARE does not block a non-key UPDATE: %r" % up.code)
    up = Bg(c, "UPDATE acc SET id = 40 WHERE id = 4")
    C.ok(up.blocked(), "FOR KEY SHARE blocks an UPDATE of the key")
    a.rollback()
    C.ok(up.wait() and up.code is None, "the key UPDATE goes on after ROLLBACK: %r" % up.code)
    q(c, "UPDATE acc SET id = 4 WHERE id = 40")
    q(a, "SELECT id FROM acc WHERE id = 4 FOR KEY SHARE")
    d = Bg(c, "DELETE FROM acc WHERE id = 4")
    C.ok(d.blocked(), "FOR KEY SHARE blocks a DELETE")
    a.commit()
    C.ok(d.wait() and d.code is None, "the DELETE goes on after COMMIT: %r" % d.code)
    q(c, "INSERT INTO acc VALUES (4, 0, 'n4')")
    for x in (a, b, c):
        x.close()


def nowait_and_release():
    a, b = conn(False), conn(False)
    q(a, "SELECT * FROM acc WHERE id = 5 FOR UPDATE")
    try:
        q(b, "SELECT * FROM acc WHERE id = 5 FOR UPDATE NOWAIT")
        C.ok(False, "NOWAIT on a locked row succeeded")
    except psycopg2.Error as e:
        C.ok(e.pgcode == "55P03" and 'could not obtain lock on row in relation "acc"' in e.pgerror,
             "NOWAIT: %s %s" % (e.pgcode, e.pgerror))
    b.rollback()
    C.ok(q(b, "SELECT id FROM acc WHERE id = 6 FOR UPDATE NOWAIT") == [(6,)], "NOWAIT on another row")
    b.rollback()
    a.commit()
    C.ok(err_of(b, "SELECT id FROM acc WHERE id = 5 FOR UPDATE NOWAIT") is None, "lock released at COMMIT")
    b.rollback()
    q(a, "SELECT * FROM acc WHERE id = 5 FOR UPDATE")
    a.rollback()
    C.ok(err_of(b, "SELECT id FROM acc WHERE id = 5 FOR UPDATE NOWAIT") is None, "lock released at ROLLBACK")
    b.rollback()
    q(a, "SELECT * FROM acc WHERE id = 5 FOR UPDATE")
    C.ok(err_of(a, "SELECT 1 / 0") == "22012", "the transaction fails")
    C.ok(err_of(b, "SELECT id FROM acc WHERE id = 5 FOR UPDATE NOWAIT") == "55P03",
         "a failed transaction keeps its locks until ROLLBACK")
    b.rollback()
    a.rollback()
    C.ok(err_of(b, "SELECT id FROM acc WHERE id = 5 FOR UPDATE NOWAIT") is None,
         "the failed transaction's locks go at its ROLLBACK")
    b.rollback()
    # an UPDATE's lock, and a lock waited for ends with the holder
    q(a, "UPDATE acc SET note = 'held' WHERE id = 5")
    bg = Bg(b, "SELECT note FROM acc WHERE id = 5 FOR UPDATE")
    C.ok(bg.blocked(), "FOR UPDATE waits for an UPDATE's lock")
    a.commit()
    C.ok(bg.wait() and bg.rows == [("held",)], "then returns the committed version: %r" % bg.rows)
    b.commit()
    a.close()
    b.close()


def newest_version_and_recheck():
    a, b, w = conn(False), conn(False), conn(True)
    q(w, "UPDATE acc SET balance = 10 WHERE id BETWEEN 7 AND 9")
    q(a, "SELECT 1")   # a's snapshot is older than b's changes
    q(b, "UPDATE acc SET balance = 500 WHERE id = 7")
    q(b, "UPDATE acc SET balance = 1000 WHERE id = 8")
    q(b, "DELETE FROM acc WHERE id = 9")
    bg = Bg(a, "SELECT id, balance FROM acc WHERE id BETWEEN 7 AND 9 AND balance < 600 ORDER BY id FOR UPDATE")
    C.ok(bg.blocked(), "FOR UPDATE waits for the writer")
    b.commit()
    C.ok(bg.wait() and bg.rows == [(7, 500)],
         "FOR UPDATE returns the newest version, re-checks WHERE, skips the deleted row: %r %r"
         % (bg.rows, bg.code))
    a.commit()
    q(w, "INSERT INTO acc VALUES (9, 0, 'n9')")
    # a join: OF names the locked table only
    q(w, "DROP TABLE IF EXISTS tag")
    q(w, "CREATE TABLE tag (id int PRIMARY KEY, acc_id int, label text)")
    q(w, "INSERT INTO tag VALUES (1, 7, 'x'), (2, 8, 'y')")
    rows = q(a, "SELECT a.id, t.label FROM acc a JOIN tag t ON t.acc_id = a.id ORDER BY a.id FOR UPDATE OF a")
    C.ok(rows == [(7, "x"), (8, "y")], "join FOR UPDATE OF a: %r" % rows)
    C.ok(err_of(b, "SELECT id FROM acc WHERE id = 7 FOR UPDATE NOWAIT") == "55P03", "OF a locked acc's rows")
    b.rollback()
    C.ok(err_of(b, "SELECT id FROM tag WHERE id = 1 FOR UPDATE NOWAIT") is None, "OF a left tag's rows alone")
    b.rollback()
    a.rollback()
    q(w, "CREATE OR REPLACE VIEW acc_v AS SELECT id, balance FROM acc WHERE balance >= 0")
    rows = q(a, "SELECT id FROM acc_v WHERE id = 7 FOR UPDATE")
    C.ok(rows == [(7,)], "FOR UPDATE through a view: %r" % rows)
    C.ok(err_of(b, "SELECT id FROM acc WHERE id = 7 FOR UPDATE NOWAIT") == "55P03", "the view locked acc's row")
    b.rollback()
    a.rollback()
    rows = q(a, "SELECT s.id FROM (SELECT id FROM acc WHERE id = 8) s FOR SHARE")
    C.ok(err_of(b, "SELECT id FROM acc WHERE id = 8 FOR UPDATE NOWAIT") == "55P03",
         "a subquery in FROM locked acc's row")
    b.rollback()
    a.rollback()
    q(a, "SELECT a.id FROM acc a, tag t WHERE t.acc_id = a.id AND t.id = 2 FOR SHARE")
    C.ok(err_of(b, "SELECT id FROM tag WHERE id = 2 FOR UPDATE NOWAIT") == "55P03",
         "FOR SHARE without OF locks every table of the join")
    b.rollback()
    a.rollback()
    for x in (a, b, w):
        x.close()


def update_from_recheck():
    a, b, w = conn(False), conn(False), conn(True)
    q(w, "DROP TABLE IF EXISTS lvl")
    q(w, "DROP TABLE IF EXISTS tag2")
    q(w, "CREATE TABLE tag2 (id int PRIMARY KEY, acc_id int)")
    q(w, "CREATE TABLE lvl (id int PRIMARY KEY, lim int)")
    q(w, "INSERT INTO tag2 VALUES (1, 1), (2, 2), (3, 3)")
    q(w, "INSERT INTO lvl VALUES (1, 100), (2, 100), (3, 100)")
    q(w, "UPDATE acc SET balance = 0, note = 'n' WHERE id <= 3")
    q(a, "SELECT 1")   # a's snapshot is older than b's changes
    q(b, "UPDATE acc SET balance = 50 WHERE id = 1")    # still below lim
    q(b, "UPDATE acc SET balance = 500 WHERE id = 2")   # no longer
    bg = Bg(a, "UPDATE acc SET note = 'hit' || acc.balance FROM tag2 t, lvl l "
               "WHERE t.acc_id = acc.id AND l.id = t.id AND acc.balance < l.lim")
    C.ok(bg.blocked(), "UPDATE ... FROM waits for the writer")
    b.commit()
    C.ok(bg.wait() and bg.code is None, "UPDATE ... FROM done: %r" % bg.code)
    a.commit()
    rows = q(w, "SELECT id, balance, note FROM acc WHERE id <= 3 ORDER BY id")
    C.ok(rows == [(1, 50, "hit50"), (2, 500, "n"), (3, 0, "hit0")],
         "UPDATE ... FROM re-checked WHERE over the newest rows: %r" % rows)
    q(w, "UPDATE acc SET balance = 0 WHERE id <= 3")
    for x in (a, b, w):
        x.close()


def skip_locked():
    w = conn()
    q(w, "DELETE FROM jobs")
    q(w, "INSERT INTO jobs (id) SELECT g FROM generate_series(1, 40) g")
    plan = [r[0].strip() for r in q(w, "EXPLAIN (COSTS OFF) SELECT id FROM jobs WHERE NOT done ORDER BY id "
                                      "LIMIT 1 FOR UPDATE SKIP LOCKED")]
    C.ok(len(plan) >= 3 and plan[0] == "Limit" and plan[1] == "->  LockRows",
         "EXPLAIN: Limit above LockRows above the rest: %r" % plan)
    plan = [r[0].strip() for r in q(w, "EXPLAIN SELECT * FROM jobs WHERE id = 1 FOR SHARE")]
    C.ok(plan[0].startswith("LockRows  (cost="), "EXPLAIN shows LockRows with costs: %r" % plan)
    a, b, c = conn(False), conn(False), conn(False)
    ra = q(a, "SELECT id FROM jobs WHERE NOT done ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED")
    rb = q(b, "SELECT id FROM jobs WHERE NOT done ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED")
    C.ok(ra == [(1,)] and rb == [(2,)], "SKIP LOCKED: distinct rows %r %r" % (ra, rb))
    C.ok(q(c, "SELECT id FROM jobs WHERE id = 3 FOR UPDATE NOWAIT") == [(3,)],
         "LIMIT 1 FOR UPDATE locked only the row it returned")
    c.rollback()
    rc = q(c, "SELECT id FROM jobs WHERE NOT done ORDER BY id FOR UPDATE SKIP LOCKED LIMIT 3")
    C.ok(rc == [(3,), (4,), (5,)], "SKIP LOCKED skips the locked rows: %r" % rc)
    for x in (a, b, c):
        x.rollback()
    # workers drain the queue: every job once
    taken = []
    lock = threading.Lock()
    errors = []

    def worker(wid):
        cn = conn(False)
        while True:
            try:
                r = q(cn, "SELECT id FROM jobs WHERE NOT done ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED")
                if not r:
                    cn.commit()
                    break
                q(cn, "UPDATE jobs SET done = true, worker = %s WHERE id = %s", (wid, r[0][0]))
                cn.commit()
                with lock:
                    taken.append(r[0][0])
            except psycopg2.Error as e:
                errors.append(e.pgcode)
                cn.rollback()
        cn.close()

    run_threads(worker, [(i,) for i in range(4)])
    C.ok(not errors, "job queue errors: %r" % errors)
    C.ok(sorted(taken) == list(range(1, 41)), "each job taken once: %r" % sorted(taken))
    C.ok(q(w, "SELECT count(*) FROM jobs WHERE done") == [(40,)], "every job done")
    for x in (a, b, c, w):
        x.close()


def deadlock():
    a, b = conn(False), conn(False)
    q(a, "SELECT id FROM acc WHERE id = 1 FOR UPDATE")
    q(b, "SELECT id FROM acc WHERE id = 2 FOR UPDATE")
    bg = Bg(a, "SELECT id FROM acc WHERE id = 2 FOR UPDATE")
    C.ok(bg.blocked(), "a waits for b")
    code = err_of(b, "SELECT id FROM acc WHERE id = 1 FOR UPDATE")
    C.ok(code == "40P01", "deadlock detected: %r" % code)
    b.rollback()
    C.ok(bg.wait() and bg.code is None and bg.rows == [(2,)], "the survivor goes on: %r" % bg.code)
    a.commit()
    # UPDATEs in opposite orders
    q(a, "UPDATE acc SET note = 'a' WHERE id = 1")
    q(b, "UPDATE acc SET note = 'b' WHERE id = 2")
    bg = Bg(a, "UPDATE acc SET note = 'a' WHERE id = 2")
    C.ok(bg.blocked(), "UPDATE waits")
    code = err_of(b, "UPDATE acc SET note = 'b' WHERE id = 1")
    C.ok(code == "40P01", "UPDATE deadlock detected: %r" % code)
    b.rollback()
    C.ok(bg.wait() and bg.code is None, "the other UPDATE goes on: %r" % bg.code)
    a.commit()
    a.close()
    b.close()


def interrupt_wait():
    a, b = conn(False), conn(False)
    q(a, "SELECT id FROM acc WHERE id = 3 FOR UPDATE")
    q(b, "SET statement_timeout = '300ms'")
    try:
        q(b, "SELECT id FROM acc WHERE id = 3 FOR UPDATE")
        C.ok(False, "statement_timeout did not end the lock wait")
    except psycopg2.Error as e:
        C.ok(e.pgcode == "57014" and "statement timeout" in e.pgerror, "timeout: %s %s" % (e.pgcode, e.pgerror))
    b.rollback()
    q(b, "SET statement_timeout = 0")
    b.commit()
    bg = Bg(b, "SELECT id FROM acc WHERE id = 3 FOR UPDATE")
    C.ok(bg.blocked(), "waiting for the lock")
    b.cancel()
    C.ok(bg.wait() and bg.code == "57014", "cancel ends the lock wait: %r %r" % (bg.code, bg.msg))
    b.rollback()
    bg = Bg(b, "UPDATE acc SET note = 'z' WHERE id = 3")
    C.ok(bg.blocked(), "UPDATE waiting for the lock")
    b.cancel()
    C.ok(bg.wait() and bg.code == "57014", "cancel ends an UPDATE's lock wait: %r" % bg.code)
    b.rollback()
    a.rollback()
    a.close()
    b.close()


def fkey():
    w = conn()
    q(w, "DELETE FROM child")
    q(w, "DELETE FROM parent")
    q(w, "INSERT INTO parent SELECT g, 'p' || g FROM generate_series(1, 200) g")
    a, b = conn(False), conn(False)
    # a child INSERT waits for an uncommitted DELETE of its parent
    q(a, "DELETE FROM parent WHERE id = 1")
    bg = Bg(b, "INSERT INTO child VALUES (1, 1)")
    C.ok(bg.blocked(), "child INSERT waits for the parent's DELETE")
    a.commit()
    C.ok(bg.wait() and bg.code == "23503", "then fails with 23503: %r %r" % (bg.code, bg.msg))
    b.rollback()
    q(a, "DELETE FROM parent WHERE id = 2")
    bg = Bg(b, "INSERT INTO child VALUES (2, 2)")
    C.ok(bg.blocked(), "child INSERT waits for the parent's DELETE (2)")
    a.rollback()
    C.ok(bg.wait() and bg.code is None, "and succeeds when it rolls back: %r" % bg.code)
    b.commit()
    # a parent DELETE waits for an uncommitted child INSERT, then fails
    q(a, "INSERT INTO child VALUES (3, 3)")
    bg = Bg(b, "DELETE FROM parent WHERE id = 3")
    C.ok(bg.blocked(), "parent DELETE waits for the child INSERT's KEY SHARE")
    a.commit()
    C.ok(bg.wait() and bg.code == "23503", "then fails with 23503 (still referenced): %r" % bg.code)
    b.rollback()
    # ... or succeeds when the child INSERT rolls back
    q(a, "INSERT INTO child VALUES (4, 4)")
    bg = Bg(b, "DELETE FROM parent WHERE id = 4")
    C.ok(bg.blocked(), "parent DELETE waits (2)")
    a.rollback()
    C.ok(bg.wait() and bg.code is None, "and succeeds when the INSERT rolls back: %r" % bg.code)
    b.commit()
    # the KEY SHARE does not block a non-key UPDATE of the parent
    q(a, "INSERT INTO child VALUES (5, 5)")
    bg = Bg(b, "UPDATE parent SET name = 'renamed' WHERE id = 5")
    C.ok(bg.wait(10) and bg.code is None, "non-key parent UPDATE passes the KEY SHARE: %r" % bg.code)
    a.commit()
    b.commit()
    # a child row committed after the deleter's snapshot still counts
    q(b, "SELECT 1")
    q(w, "INSERT INTO child VALUES (6, 6)")
    C.ok(err_of(b, "DELETE FROM parent WHERE id = 6") == "23503",
         "DELETE sees a child committed after its transaction's snapshot")
    b.rollback()
    # the race: many rounds of a child INSERT against its parent's DELETE
    results = {"ins": 0, "del": 0, "other": []}
    lock = threading.Lock()

    def side(kind, key, barrier):
        cn = conn(False)
        try:
            barrier.wait()
            if kind == "ins":
                q(cn, "INSERT INTO child VALUES (%s, %s)", (1000 + key, key))
            else:
                q(cn, "DELETE FROM parent WHERE id = %s", (key,))
            time.sleep(random.random() * 0.01)
            cn.commit()
            with lock:
                results[kind] += 1
        except psycopg2.Error as e:
            cn.rollback()
            if e.pgcode != "23503":
                with lock:
                    results["other"].append(e.pgcode)
        cn.close()

    rounds = 40
    for key in range(100, 100 + rounds):
        bar = threading.Barrier(2)
        run_threads(side, [(k, key, bar) for k in ("ins", "del")])
    C.ok(not results["other"], "race: unexpected errors %r" % results["other"])
    C.ok(results["ins"] + results["del"] == rounds,
         "race: exactly one side commits per round: %r" % {k: results[k] for k in ("ins", "del")})
    orphans = q(w, "SELECT count(*) FROM child c WHERE NOT EXISTS (SELECT 1 FROM parent p WHERE p.id = c.pid)")
    C.ok(orphans == [(0,)], "no orphan child rows: %r" % orphans)
    for x in (a, b, w):
        x.close()


def no_primary_key():
    """Rows of a table without a primary key are locked by their hidden row id."""
    c = conn()
    q(c, "DROP TABLE IF EXISTS nopk")
    q(c, "CREATE TABLE nopk (a int, b int)")
    q(c, "INSERT INTO nopk SELECT g, 0 FROM generate_series(1, 5) g")
    q(c, "INSERT INTO nopk VALUES (9, 0), (9, 0)")
    n, m = 3, 10
    errors = locked_increments("SELECT b FROM nopk WHERE a = 1 FOR UPDATE",
                               "UPDATE nopk SET b = %s WHERE a = 1", n, m)
    C.ok(not errors and q(c, "SELECT b FROM nopk WHERE a = 1") == [(n * m,)],
         "no primary key: %d x %d increments through FOR UPDATE: %r %r"
         % (n, m, q(c, "SELECT b FROM nopk WHERE a = 1"), errors))
    a, b = conn(False), conn(False)
    q(a, "SELECT * FROM nopk WHERE a = 2 FOR UPDATE")
    C.ok(err_of(b, "SELECT * FROM nopk WHERE a = 2 FOR UPDATE NOWAIT") == "55P03", "no primary key: NOWAIT")
    b.rollback()
    C.ok(q(b, "SELECT a FROM nopk WHERE a = 3 FOR UPDATE NOWAIT") == [(3,)], "no primary key: another row")
    b.rollback()
    a.rollback()
    # two equal rows are two rows: SKIP LOCKED returns the other one
    C.ok(len(q(a, "SELECT a FROM nopk WHERE a = 9 LIMIT 1 FOR UPDATE")) == 1, "no primary key: lock one of two")
    C.ok(q(b, "SELECT a, b FROM nopk WHERE a = 9 FOR UPDATE SKIP LOCKED") == [(9, 0)],
         "no primary key: SKIP LOCKED skips only the locked duplicate")
    b.rollback()
    a.rollback()
    # an UPDATE waits for the lock, then works on the committed version
    q(a, "SELECT * FROM nopk WHERE a = 4 FOR UPDATE")
    bg = Bg(b, "UPDATE nopk SET b = b + 1 WHERE a = 4")
    C.ok(bg.blocked(), "no primary key: UPDATE waits for FOR UPDATE")
    q(a, "UPDATE nopk SET b = 10 WHERE a = 4")
    a.commit()
    C.ok(bg.wait() and bg.code is None, "no primary key: the UPDATE ends: %s" % bg.msg)
    b.commit()
    C.ok(q(c, "SELECT b FROM nopk WHERE a = 4") == [(11,)], "no primary key: no lost update: %r"
         % q(c, "SELECT b FROM nopk WHERE a = 4"))
    for x in (a, b, c):
        x.close()


def main():
    global PORT
    d, PORT, proc = ringnode.start(RINGDB, "rowlocks-test-", range(43500, 43600))
    try:
        c = conn()
        setup(c)
        c.close()
        only = sys.argv[2:]
        for t in (lost_update, share_modes, nowait_and_release, newest_version_and_recheck, update_from_recheck,
                  skip_locked,
                  deadlock, interrupt_wait, fkey, no_primary_key):
            if only and t.__name__ not in only:
                continue
            print("--", t.__name__, flush=True)
            try:
                t()
            except Exception as e:  # noqa: BLE001 - report and go on
                C.ok(False, "%s raised %r" % (t.__name__, e))
    finally:
        ringnode.stop(proc)
    if proc.returncode not in (0, -15):
        C.ok(False, "ringdb exited with %s" % proc.returncode)
    sys.exit(C.report("test_rowlocks"))


if __name__ == "__main__":
    main()
