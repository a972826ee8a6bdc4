#!/usr/bin/python3
"""SQL reads at ringdb.consistency QUORUM / ALL, and read repair, on a
3-node cluster (RF 3), real processes, psycopg2 clients.

The links between node 1 and node 3 are cut with iptables (each node has
its own loopback address), so a write at ONE on node 1 reaches node 2 but
not node 3 (node 1 keeps a hint).  Then on node 3:
(a) a point read (WHERE id = k) at ONE shows the old row; at QUORUM the
    new one; afterwards node 3's local copy is repaired (ONE shows it);
(b) a scan (whole table, and an index range scan) at QUORUM shows rows
    that only node 2 had, and a deleted row is gone; afterwards node 3's
    local copy is repaired;
(c) at ALL, with node 1 unreachable from node 3, reads fail with 57P03
    and return no rows; with node 2 stopped (SIGSTOP) too, QUORUM fails
    with 57P03 after the timeout, and works again after SIGCONT;
(d) at ONE, with --read-repair-chance 100 (node 3; 0 on the others), a
    point read answers from the local copy and repairs it in the
    background.  (Scans at ONE never repair, so the checks of node 3's
    local copy use scans.)
After healing, the convergence checker is clean.

Skipped (exit 77) when iptables cannot be used (not root, no netfilter).

Usage: test_sqlread.py RINGDB RINGDB_CTL
"""
import os
import signal
import sys
import time

import psycopg2

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sqlclient import connect, poll, query  # noqa: E402
from cluster import Checks, Cluster  # noqa: E402
from test_partition import cut, heal, iptables_usable, wait_state  # noqa: E402

RINGDB, CTL = sys.argv[1], sys.argv[2]
T = Checks("multinode-sqlread")


def at(conn, level, sql, args=None):
    """Run sql at a consistency level: rows, or ('error', sqlstate)."""
    query(conn, "SET ringdb.consistency = '%s'" % level)
    try:
        return query(conn, sql, args)
    except psycopg2.Error as e:
        return ("error", e.pgcode, str(e).strip())
    finally:
        query(conn, "SET ringdb.consistency = 'one'")


def main():
    if not iptables_usable():
        print("iptables is not usable here: skipping")
        return 77
    c = Cluster(RINGDB, CTL, n=3, base_port=36200, per_node_ip=True)
    for n, pct in zip(c.nodes, ("0", "0", "100")):
        n.args = (lambda f, pct: lambda: f() + ["--read-repair-chance", pct])(n.args, pct)
    conns = []
    try:
        c.start()
        c.wait_up(timeout=20)
        n1, n2, n3 = c.nodes
        c1, c2, c3 = conns = [connect(n) for n in c.nodes]
        query(c1, "CREATE TABLE r (id int PRIMARY KEY, v text, n int)")
        query(c1, "CREATE INDEX r_n ON r (n)")
        query(c1, "INSERT INTO r SELECT g, 'old', g FROM generate_series(1, 20) g")
        base = [(i, "old", i) for i in range(1, 21)]
        T.check(poll(lambda: query(c3, "SELECT * FROM r ORDER BY id"), base) == base,
                "node 3 has the rows before the cut")

        cut(n1, n3)
        T.check(wait_state(n1, 3, "down") and wait_state(n3, 1, "down"),
                "nodes 1 and 3 see each other down")
        query(c1, "UPDATE r SET v = 'new' WHERE id <= 5")
        query(c1, "INSERT INTO r VALUES (21, 'only12', 100), (22, 'only12', 101)")
        query(c1, "DELETE FROM r WHERE id = 20")
        want_all = query(c1, "SELECT * FROM r ORDER BY id")
        T.check(poll(lambda: query(c2, "SELECT * FROM r ORDER BY id"), want_all) == want_all,
                "node 2 has node 1's writes")
        T.check(query(c3, "SELECT * FROM r ORDER BY id") == base,
                "node 3 missed them (links to node 1 cut)")

        # (a) point reads
        pt = "SELECT v FROM r WHERE id = %s"
        local = "SELECT v FROM r WHERE id + 0 = %s"   # a scan: no repair at ONE
        T.check(at(c3, "one", local, (1,)) == [("old",)], "node 3's copy is stale")
        got = at(c3, "quorum", pt, (1,))
        T.check(got == [("new",)], "QUORUM point read on node 3 sees the new value: %r" % (got,))
        T.check(poll(lambda: at(c3, "one", local, (1,)), [("new",)], 5) == [("new",)],
                "node 3's copy of the row was repaired by the QUORUM read")
        T.check(at(c3, "quorum", pt, (20,)) == [], "QUORUM point read of a deleted row")
        T.check(at(c3, "quorum", pt, (21,)) == [("only12",)],
                "QUORUM point read of a row node 3 never had")

        # (b) scans
        got = at(c3, "quorum", "SELECT * FROM r ORDER BY id")
        T.check(got == want_all, "QUORUM scan on node 3 equals node 1: %r" % (got,))
        got = at(c3, "quorum", "SELECT id, n FROM r WHERE n >= 100 ORDER BY n")
        T.check(got == [(21, 100), (22, 101)], "QUORUM index range scan on node 3: %r" % (got,))
        got = poll(lambda: query(c3, "SELECT * FROM r ORDER BY id"), want_all, 5)
        T.check(got == want_all, "node 3's copy repaired by the QUORUM scan (ONE read equals "
                "node 1): %r" % (got,))
        got = query(c3, "SELECT id FROM r WHERE n >= 100 ORDER BY n")
        T.check(got == [(21,), (22,)], "node 3's index entries repaired too: %r" % (got,))

        # (c) levels that cannot be met
        for sql, what in ((pt % 3, "point read"), ("SELECT count(*) FROM r", "scan")):
            got = at(c3, "all", sql)
            T.check(isinstance(got, tuple) and got[1] == "57P03",
                    "ALL %s with node 1 unreachable is 57P03: %r" % (what, got))
        T.check(at(c3, "quorum", "SELECT count(*) FROM r") == [(21,)],
                "QUORUM still works with 2 of 3")
        n2.proc.send_signal(signal.SIGSTOP)
        try:
            t0 = time.time()
            time.sleep(0.1)
            for sql, what in ((pt % 3, "point read"), ("SELECT * FROM r", "scan")):
                t1 = time.time()
                got = at(c3, "quorum", sql)
                if not isinstance(got, tuple):
                    print("unexpected answer after %.3fs; node 2 state %s" % (
                        time.time() - t1, open("/proc/%d/stat" % n2.proc.pid).read().split()[2]))
                T.check(isinstance(got, tuple) and got[1] == "57P03" and
                        "QUORUM not reached" in got[2],
                        "QUORUM %s with node 2 stopped and node 1 cut is 57P03: %r" % (what, got))
            T.check(time.time() - t0 < 10, "the failures came within the write timeout")
        finally:
            n2.proc.send_signal(signal.SIGCONT)
        T.check(poll(lambda: at(c3, "quorum", "SELECT count(*) FROM r"), [(21,)]) == [(21,)],
                "QUORUM scan works again after SIGCONT")

        # (d) read repair at ONE with probability 100 % on node 3
        query(c1, "UPDATE r SET v = 'newer' WHERE id = 7")
        T.check(poll(lambda: query(c2, pt, (7,)), [("newer",)]) == [("newer",)],
                "node 2 has the newer row")
        T.check(query(c3, local, (7,)) == [("new",)] or query(c3, local, (7,)) == [("old",)],
                "node 3's copy of row 7 is stale")
        T.check(query(c3, pt, (7,)) != [("newer",)], "a ONE point read answers locally")
        got = poll(lambda: query(c3, local, (7,)), [("newer",)], 5)
        T.check(got == [("newer",)], "the ONE point read repaired node 3's copy: %r" % (got,))
        heal()
        T.check(wait_state(n1, 3, "up") and wait_state(n3, 1, "up"), "healed")
        c.wait_hints_delivered(timeout=15)
        got = poll(lambda: query(c3, "SELECT * FROM r ORDER BY id"),
                   query(c1, "SELECT * FROM r ORDER BY id"))
        T.check(got == query(c1, "SELECT * FROM r ORDER BY id"), "node 3 caught up after healing")
        T.check(not c.wait_converged(), "replicas converge")
    finally:
        heal()
        for n in c.nodes:
            if n.alive():
                n.proc.send_signal(signal.SIGCONT)
        return c.finish(T, conns)


if __name__ == "__main__":
    sys.exit(main())
