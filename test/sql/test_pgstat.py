#!/usr/bin/python3
"""pg_stat_user_tables / pg_stat_all_tables / pg_stat_user_indexes
counters (issue 4) against a real build/ringdb: full scans and the rows
they read, primary-key and secondary-index scans, inserted / updated /
deleted rows (INSERT, COPY, UPDATE, DELETE, a failed statement counts
nothing), n_live_tup and n_dead_tup, ANALYZE's last_analyze and
analyze_count, counters seen from another session, pg_stat_reset(), and
that the counters are the node's (a restart starts from zero).  Also the
system columns: tableoid, and 42703 with a hint for ctid, xmin, ...

Usage: test_pgstat.py RINGDB
"""
import io
import os
import sys

import psycopg2

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ringnode  # noqa: E402

RINGDB = sys.argv[1]
PORTS = range(42100, 42199)
T = ringnode.Checks()
ok = T.ok

COLS = ("seq_scan, seq_tup_read, idx_scan, idx_tup_fetch, n_tup_ins, n_tup_upd, n_tup_del, "
        "n_live_tup, n_dead_tup")


def stats(cur, rel, view="pg_stat_user_tables"):
    cur.execute("SELECT %s FROM %s WHERE relname = %%s" % (COLS, view), (rel,))
    r = cur.fetchone()
    return dict(zip([c.strip() for c in COLS.split(",")], r)) if r else None


def delta(before, after):
    return {k: after[k] - before[k] for k in before}


def index_stats(cur, name):
    cur.execute("SELECT idx_scan, idx_tup_read, idx_tup_fetch FROM pg_stat_user_indexes"
                " WHERE indexrelname = %s", (name,))
    return cur.fetchone()


def main():
    d, port, proc = ringnode.start(RINGDB, "pgstat-test-", PORTS)
    try:
        conn = ringnode.connect(port)
        cur = conn.cursor()
        cur.execute("CREATE TABLE st (id int PRIMARY KEY, a int, b text)")
        cur.execute("CREATE INDEX st_a ON st (a)")
        s0 = stats(cur, "st")
        ok(s0 == dict.fromkeys(s0, 0), "a new table has zero counters: %r" % s0)

        # --- inserts
        cur.execute("INSERT INTO st SELECT g, g % 10, 'v' || g FROM generate_series(1, 100) g")
        cur.execute("INSERT INTO st VALUES (101, 1, 'x'), (102, 2, 'y')")
        s1 = stats(cur, "st")
        ok(s1["n_tup_ins"] == 102 and s1["n_live_tup"] == 102,
           "102 rows inserted and live: %r" % s1)
        # a statement that fails counts nothing
        try:
            cur.execute("INSERT INTO st VALUES (103, 3, 'z'), (1, 1, 'dup')")
        except psycopg2.Error as e:
            ok(e.pgcode == "23505", "duplicate key: %s" % e.pgcode)
        ok(stats(cur, "st")["n_tup_ins"] == 102, "a failed INSERT adds no n_tup_ins")
        # COPY FROM
        cur.copy_expert("COPY st FROM STDIN", io.StringIO("201\t1\tc1\n202\t2\tc2\n203\t3\tc3\n"))
        s2 = stats(cur, "st")
        ok(s2["n_tup_ins"] == 105 and s2["n_live_tup"] == 105, "COPY counts its 3 rows: %r" % s2)

        # --- a rolled-back transaction: its rows count in n_tup_ins, not in n_live_tup
        b = stats(cur, "st")
        conn.autocommit = False
        cur.execute("INSERT INTO st VALUES (301, 1, 'r1'), (302, 2, 'r2')")
        cur.execute("DELETE FROM st WHERE id = 201")
        ok(stats(cur, "st")["n_live_tup"] == b["n_live_tup"], "live rows wait for the commit")
        conn.rollback()
        conn.autocommit = True
        dl = delta(b, stats(cur, "st"))
        ok(dl["n_tup_ins"] == 2 and dl["n_tup_del"] == 1 and dl["n_live_tup"] == 0 and dl["n_dead_tup"] == 2,
           "a rollback: ins 2, del 1, live 0, dead 2: %r" % dl)
        b = stats(cur, "st")
        conn.autocommit = False
        cur.execute("INSERT INTO st VALUES (301, 1, 'r1'), (302, 2, 'r2')")
        cur.execute("DELETE FROM st WHERE id IN (301, 302)")
        conn.commit()
        conn.autocommit = True
        dl = delta(b, stats(cur, "st"))
        ok(dl["n_tup_ins"] == 2 and dl["n_tup_del"] == 2 and dl["n_live_tup"] == 0 and dl["n_dead_tup"] == 2,
           "a commit of 2 inserted and deleted rows: %r" % dl)

        # --- a full scan reads every row once
        b = stats(cur, "st")
        cur.execute("SELECT count(*) FROM st")
        cur.fetchall()
        dl = delta(b, stats(cur, "st"))
        ok(dl["seq_scan"] == 1 and dl["seq_tup_read"] == 105 and dl["idx_scan"] == 0,
           "one full scan of 105 rows: %r" % dl)
        cur.execute("SELECT * FROM st WHERE b = 'v5'")
        cur.fetchall()
        cur.execute("SELECT * FROM st WHERE b LIKE 'c%'")
        cur.fetchall()
        dl = delta(b, stats(cur, "st"))
        ok(dl["seq_scan"] == 3 and dl["seq_tup_read"] == 315, "three full scans: %r" % dl)

        # --- primary-key point lookups
        b = stats(cur, "st")
        pk0 = index_stats(cur, "st_pkey")
        for k in (5, 6, 7, 9999):
            cur.execute("SELECT b FROM st WHERE id = %s", (k,))
            cur.fetchall()
        dl = delta(b, stats(cur, "st"))
        ok(dl["idx_scan"] == 4 and dl["idx_tup_fetch"] == 3 and dl["seq_scan"] == 0,
           "4 key lookups, 3 rows found: %r" % dl)
        pk1 = index_stats(cur, "st_pkey")
        ok(pk1[0] - pk0[0] == 4 and pk1[2] - pk0[2] == 3, "st_pkey: 4 scans, 3 rows: %r %r" % (pk0, pk1))

        # --- secondary index scan
        cur.execute("ANALYZE st")
        b = stats(cur, "st")
        ix0 = index_stats(cur, "st_a")
        cur.execute("SELECT id FROM st WHERE a = 7")
        nrows = len(cur.fetchall())
        cur.execute("EXPLAIN SELECT id FROM st WHERE a = 7")
        plan = "\n".join(r[0] for r in cur.fetchall())
        dl = delta(b, stats(cur, "st"))
        ix1 = index_stats(cur, "st_a")
        if ok("st_a" in plan, "the plan reads st_a: %s" % plan):
            ok(dl["idx_scan"] == 1 and dl["idx_tup_fetch"] == nrows and dl["seq_scan"] == 0,
               "one index scan of %d rows: %r" % (nrows, dl))
            ok(ix1[0] - ix0[0] == 1 and ix1[1] - ix0[1] == nrows, "st_a counters: %r -> %r" % (ix0, ix1))

        # --- updates and deletes
        b = stats(cur, "st")
        cur.execute("UPDATE st SET b = 'u' WHERE id <= 10")
        cur.execute("UPDATE st SET b = 'none' WHERE id < 0")
        cur.execute("DELETE FROM st WHERE id > 200")
        dl = delta(b, stats(cur, "st"))
        ok(dl["n_tup_upd"] == 10 and dl["n_tup_del"] == 3 and dl["n_tup_ins"] == 0,
           "10 updated, 3 deleted: %r" % dl)
        ok(dl["n_live_tup"] == -3 and dl["n_dead_tup"] == 13, "live -3, dead +13: %r" % dl)

        # --- ANALYZE
        cur.execute("SELECT last_analyze IS NOT NULL, analyze_count, n_mod_since_analyze"
                    " FROM pg_stat_user_tables WHERE relname = 'st'")
        la = cur.fetchone()
        ok(la[0] and la[1] == 1 and la[2] == 13, "one ANALYZE, 13 changes since: %r" % (la,))
        cur.execute("ANALYZE st")
        cur.execute("SELECT last_analyze > now() - interval '1 minute', analyze_count, n_mod_since_analyze,"
                    " n_live_tup FROM pg_stat_user_tables WHERE relname = 'st'")
        la = cur.fetchone()
        ok(la == (True, 2, 0, 102), "after a second ANALYZE: %r" % (la,))

        # --- another session sees the same counters (per node, not per session)
        conn2 = ringnode.connect(port)
        cur2 = conn2.cursor()
        b = stats(cur, "st")
        ok(stats(cur2, "st") == b, "a second session sees the node's counters")
        cur2.execute("SELECT count(*) FROM st")
        cur2.fetchall()
        dl = delta(b, stats(cur, "st"))
        ok(dl["seq_scan"] == 1 and dl["seq_tup_read"] == 102,
           "a scan of the other session counts: %r" % dl)
        ok(stats(cur, "st", "pg_stat_all_tables") == stats(cur, "st"), "pg_stat_all_tables agrees")

        # --- system columns other than tableoid: 42703 with a hint saying why
        for sql in ("SELECT ctid FROM st", "SELECT st.xmin FROM st", "SELECT cmax FROM st WHERE id = 1"):
            try:
                cur.execute(sql)
                ok(False, "%s: no error" % sql)
            except psycopg2.Error as e:
                ok(e.pgcode == "42703" and "no system column" in (e.diag.message_hint or ""),
                   "%s: %s %s hint %r" % (sql, e.pgcode, e.pgerror, e.diag.message_hint))
        cur.execute("SELECT DISTINCT tableoid::regclass::text FROM st")
        ok(cur.fetchall() == [("st",)], "tableoid names the table")

        # --- pg_stat_reset
        cur.execute("SELECT pg_stat_reset()")
        s = stats(cur, "st")
        ok(s == dict.fromkeys(s, 0), "pg_stat_reset zeroes the counters: %r" % s)
        ok(index_stats(cur, "st_pkey") == (0, 0, 0), "and the index counters")
        cur.execute("SELECT count(*) FROM st")
        ok(stats(cur, "st")["seq_scan"] == 1, "counting goes on after the reset")
        conn2.close()
        conn.close()

        # --- per node, in memory: a restart starts from zero
        ringnode.stop(proc)
        proc = ringnode.launch(RINGDB, d, port)
        conn = ringnode.connect(port)
        cur = conn.cursor()
        s = stats(cur, "st")
        ok(s == dict.fromkeys(s, 0), "after a restart the counters start at zero: %r" % s)
        conn.close()
    finally:
        rc = ringnode.finish(T, "test_pgstat", proc, d)
    return rc


if __name__ == "__main__":
    sys.exit(main())
