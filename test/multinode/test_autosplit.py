#!/usr/bin/python3
"""Partition load counters, automatic splits and coordinated map changes
(real processes, psycopg2 clients).

(a) 3 nodes, RF 2, --auto-split-rate 25 --auto-split-cooldown 3s: a
    PARTITION BY RANGE table split once by hand at 1000000; writers insert
    into partition 0 on node 1 (QUORUM) as fast as they can.  Node 1's
    load counters (ringdb_partitions: load.writes, load.write_rate) show
    the writes; the hot partition splits by itself (the map gains split
    points that nobody asked for, inside the written key range), while the
    writers keep going (no writer error, rows acknowledged after the first
    automatic split).  Afterwards every acknowledged row is read back at
    QUORUM on another node, exactly once (count = acknowledged rows), and
    the convergence checker is clean.
(b) concurrent map changes: three splits at different points fired at the
    same moment at the three nodes all succeed (they are serialised through
    one coordinator) and every node ends with one map holding all three;
    two splits at one point at once: one succeeds, the other fails with
    22023; a split and a merge at once on different nodes also both land.
(c) cluster-wide rate: a second table split once by hand, written by
    throttled writers on nodes 2 and 3 only (about 15 writes a second
    each, below the split rate 25; node 1, the map coordinator, writes
    none): no node's own write rate reaches 25, but node 1's
    cluster_write_rate (its own plus the rates gossiped by the others)
    does, and the partition splits by itself at a key inside the written
    range (the split key comes from the writers' reported medians).
(d) a fresh PARTITION BY RANGE table, never split by hand (no map: one
    partition), written by writers on node 1 as in (a): it splits by
    itself (its first map appears, with split points inside the written
    range), with no writer error, and every acknowledged row reads back
    at QUORUM on another node.

Usage: test_autosplit.py RINGDB RINGDB_CTL
"""
import json
import os
import sys
import threading
import time

import psycopg2

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sqlclient import Workers, connect, one, poll, query  # noqa: E402
from cluster import Checks, Cluster, convergence, run_parallel  # noqa: E402

RINGDB, CTL = sys.argv[1], sys.argv[2]
T = Checks("multinode-autosplit")


def pmap(conn, table="r"):
    return json.loads(one(conn, "SELECT ringdb_partitions(%s)", (table,)))


def starts(m):
    return [p.get("start_value") for p in m["partitions"]]


def map_settled(conn, table, quiet=5.0, timeout=60):
    """Poll the table's map until its split points and move state have not
    changed for `quiet` seconds; False at timeout.  After the writers stop,
    the decaying write rate can still split again once the cooldown (3 s)
    passed, and a split running while the convergence checker dumps the
    nodes one after the other shows them different.  Checks run every
    second, so 5 quiet seconds mean one ran past the cooldown and found the
    rate below the threshold: it only falls from there."""
    last, since, deadline = None, time.time(), time.time() + timeout
    while time.time() < deadline:
        m = pmap(conn, table)
        parts = (m or {}).get("partitions") or []
        now = json.dumps([m and m.get("moving"), [p.get("start_value") for p in parts]])
        if now != last:
            last, since = now, time.time()
        elif time.time() - since >= quiet:
            return True
        time.sleep(0.3)
    return False


class Writers(Workers):
    """Threads inserting distinct ids at QUORUM on one node until stop()."""

    def __init__(self, node, nthreads, first, table="r"):
        self.node, self.acked, self.errors, self.table = node, [], [], table
        self.lock = threading.Lock()
        self.next = first
        Workers.__init__(self, *([self.run] * nthreads))

    def take(self):
        with self.lock:
            self.next += 1
            return self.next

    def run(self):
        conn = connect(self.node)
        query(conn, "SET ringdb.consistency = 'quorum'")
        while not self.stopping:
            i = self.take()
            try:
                query(conn, "INSERT INTO " + self.table + " VALUES (%s, %s)", (i, "w%d" % i))
                with self.lock:
                    self.acked.append((i, time.time()))
            except psycopg2.Error as e:
                self.errors.append("insert %d: %s %s" % (i, e.pgcode, str(e).strip()))
        conn.close()


def part_a(c):
    n1, n2, n3 = c.nodes
    a, b = connect(n1), connect(n2)
    query(a, "CREATE TABLE r (id int PRIMARY KEY, v text) PARTITION BY RANGE (id)")
    T.check(poll(lambda: query(b, "SELECT count(*) FROM r"), [(0,)]) == [(0,)],
            "the table reaches node 2")
    query(a, "SELECT ringdb_split_partition('r', '1000000')")
    m0 = pmap(a)
    T.check(starts(m0) == [None, "1000000"], "one split by hand: %r" % starts(m0))
    T.check(all("load" in p and p["load"]["writes"] == 0 for p in m0["partitions"]),
            "every partition has load counters, at 0: %r" % [p.get("load") for p in m0["partitions"]])
    w = Writers(n1, 4, 0)
    w.start()
    t_start = time.time()
    split_at = None
    deadline = time.time() + 90
    seen_load = None
    peak = 0
    while time.time() < deadline:
        m = pmap(a)
        peak = max([peak] + [p["load"]["write_rate"] for p in m["partitions"]])
        if seen_load is None and m["partitions"][0]["load"]["writes"] > 0:
            seen_load = m["partitions"][0]["load"]
        if len(m["partitions"]) > 2 and not m["moving"]:
            split_at = time.time()
            break
        time.sleep(0.3)
    T.check(seen_load is not None and seen_load["write_rate"] >= 0,
            "node 1 counts the writes of partition 0: %r" % seen_load)
    T.check(split_at is not None, "the hot partition split by itself within 90 s (%d rows written)"
            % len(w.acked))
    if split_at:
        print("first automatic split %.1fs after the writers started (%d rows acknowledged, "
              "peak write rate seen %.0f/s)" % (split_at - t_start, len(w.acked), peak), flush=True)
    time.sleep(1.5)   # writes go on after the split
    w.stop()
    m = pmap(b)
    new = [s for s in starts(m) if s not in (None, "1000000")]
    ids = [i for i, _ in w.acked]
    T.check(new and all(0 < int(s) <= max(ids) for s in new),
            "automatic split points lie inside the written range: %r" % starts(m))
    T.check(not w.errors, "no writer error during the automatic split(s): %s" % w.errors[:5])
    after = [i for i, t in w.acked if split_at and t > split_at]
    T.check(len(after) > 0, "writes acknowledged after the split: %d" % len(after))
    text = "".join(n.log_text() for n in c.nodes)
    T.check("automatic split" in text, "a node logged the automatic split")
    T.check(c.wait_hints_delivered(), "replication settles")
    query(b, "SET ringdb.consistency = 'quorum'")
    got = query(b, "SELECT id FROM r")
    T.check(len(got) == len(ids) and {r[0] for r in got} == set(ids),
            "node 2 reads every acknowledged row exactly once at QUORUM (%d rows, %d acked)"
            % (len(got), len(ids)))
    T.check(one(b, "SELECT count(*) FROM r") == len(ids), "count(*) at QUORUM matches")
    T.check(map_settled(b, "r"), "the map settles once the writers stopped")
    T.check(c.wait_converged() == [], "replicas converge after the automatic split")
    maps = [pmap(connect(n)) for n in c.nodes]
    T.check(len({json.dumps(starts(x)) for x in maps}) == 1, "every node has the same map")
    a.close()
    b.close()


def same_points(m, want):
    """m's split points are want, plus perhaps automatic splits of the
    range the writers of part (a) wrote (the hot partition's halves may
    split again once the cooldown passed)."""
    got = set(starts(m)[1:])
    return want <= got and all(int(x) < 1000000 for x in got - want)


def part_b(c):
    conns = [connect(n) for n in c.nodes]
    before = starts(pmap(conns[0]))

    def split(conn, k):
        def f():
            try:
                return ("ok", json.loads(one(conn, "SELECT ringdb_split_partition('r', %s)", (k,))))
            except psycopg2.Error as e:
                return ("err", e.pgcode, str(e).strip())
        return f

    def merge(conn, k):
        def f():
            try:
                return ("ok", json.loads(one(conn, "SELECT ringdb_merge_partitions('r', %s)", (k,))))
            except psycopg2.Error as e:
                return ("err", e.pgcode, str(e).strip())
        return f

    res = run_parallel([split(conns[0], "5000000"), split(conns[1], "6000000"),
                        split(conns[2], "7000000")])
    T.check(all(r[0] == "ok" for r in res), "three concurrent splits on three nodes: %r" % (res,))
    maps = [pmap(x) for x in conns]
    want = set(before[1:]) | {"5000000", "6000000", "7000000"}
    T.check(all(same_points(m, want) and not m["moving"] for m in maps),
            "every node's map has all three split points: %r" % [starts(m) for m in maps])
    T.check(len({m["version"] for m in maps}) == 1, "one map version everywhere")
    res = run_parallel([split(conns[1], "8000000"), split(conns[2], "8000000")])
    oks = [r for r in res if r[0] == "ok"]
    errs = [r for r in res if r[0] == "err"]
    T.check(len(oks) == 1 and len(errs) == 1 and errs[0][1] == "22023",
            "the same split twice at once: one succeeds, one 22023: %r" % (res,))
    res = run_parallel([merge(conns[0], "6000000"), split(conns[2], "9000000")])
    T.check(all(r[0] == "ok" for r in res), "a merge and a split at once: %r" % (res,))
    maps = [pmap(x) for x in conns]
    want = (want | {"8000000", "9000000"}) - {"6000000"}
    T.check(all(same_points(m, want) and not m["moving"] for m in maps) and
            len({json.dumps(starts(m)) for m in maps}) == 1,
            "every node's map: %r (want %r)" % ([starts(m) for m in maps], sorted(want, key=int)))
    text = "".join(n.log_text() for n in c.nodes)
    T.check(text.count("partition map split") + text.count("partition map merge") >= 6,
            "the coordinator logged every change")
    for x in conns:
        x.close()


class Throttled(Workers):
    """One thread inserting distinct ids into table r2 on node at about
    rate rows a second, until stop()."""

    def __init__(self, node, rate, ids):
        self.node, self.rate, self.ids = node, rate, iter(ids)
        self.acked, self.errors = [], []
        Workers.__init__(self, self.run)

    def run(self):
        conn = connect(self.node)
        t = time.time()
        while not self.stopping:
            i = next(self.ids)
            try:
                query(conn, "INSERT INTO r2 VALUES (%s, %s)", (i, "t%d" % i))
                self.acked.append(i)
            except psycopg2.Error as e:
                self.errors.append("insert %d: %s %s" % (i, e.pgcode, str(e).strip()))
            t = max(t + 1.0 / self.rate, time.time() - 0.2)   # no catch-up bursts
            time.sleep(max(0.0, t - time.time()))
        conn.close()


def part_c(c):
    n1, n2, n3 = c.nodes
    a = connect(n1)
    conns = {2: connect(n2), 3: connect(n3)}
    query(a, "CREATE TABLE r2 (id int PRIMARY KEY, v text) PARTITION BY RANGE (id)")
    for x in conns.values():
        poll(lambda: query(x, "SELECT count(*) FROM r2"), [(0,)])
    query(a, "SELECT ringdb_split_partition('r2', '1000000')")
    time.sleep(3.5)   # the cooldown of that split
    ws = [Throttled(n2, 15, range(0, 1000000, 2)), Throttled(n3, 15, range(1, 1000000, 2))]
    for w in ws:
        w.start()
    split = None
    local_peak = {2: 0.0, 3: 0.0}
    cluster_peak = 0.0
    deadline = time.time() + 60
    while time.time() < deadline and split is None:
        for nid, x in conns.items():
            m = pmap(x, "r2")
            local_peak[nid] = max([local_peak[nid]] +
                                  [p["load"]["write_rate"] for p in m["partitions"]])
        m = pmap(a, "r2")
        cluster_peak = max([cluster_peak] +
                           [p["load"]["cluster_write_rate"] for p in m["partitions"]])
        if len(m["partitions"]) > 2 and not m["moving"]:
            split = starts(m)
        time.sleep(0.3)
    for w in ws:
        w.stop()
    acked = ws[0].acked + ws[1].acked
    print("cluster-wide rate: local peaks %r, node 1's cluster rate peak %.1f, %d rows, map %r"
          % (local_peak, cluster_peak, len(acked), split), flush=True)
    T.check(not ws[0].errors and not ws[1].errors, "no throttled writer error: %s"
            % (ws[0].errors + ws[1].errors)[:5])
    T.check(all(v < 25 for v in local_peak.values()),
            "no node's own write rate reached the split rate: %r" % local_peak)
    T.check(cluster_peak >= 25, "node 1's cluster-wide rate did: %.1f" % cluster_peak)
    new = [s for s in (split or []) if s not in (None, "1000000")]
    T.check(split is not None and new and all(0 < int(s) <= max(acked) for s in new),
            "the partition split by itself, inside the written range: %r" % split)
    T.check(c.wait_hints_delivered(), "replication settles (c)")
    query(a, "SET ringdb.consistency = 'quorum'")
    T.check(one(a, "SELECT count(*) FROM r2") == len(acked),
            "every acknowledged row of r2 reads at QUORUM")
    a.close()
    for x in conns.values():
        x.close()


def part_d(c):
    n1, n2, n3 = c.nodes
    a, b = connect(n1), connect(n2)
    query(a, "CREATE TABLE r3 (id int PRIMARY KEY, v text) PARTITION BY RANGE (id)")
    T.check(poll(lambda: query(b, "SELECT count(*) FROM r3"), [(0,)]) == [(0,)],
            "(d) the table reaches node 2")
    T.check(pmap(a, "r3") is None, "(d) a fresh table has no map")
    w = Writers(n1, 4, 0, table="r3")
    w.start()
    t_start = time.time()
    split_at, m = None, None
    deadline = time.time() + 90
    try:
        while time.time() < deadline:
            m = pmap(a, "r3")   # partitions null while the first map moves
            if m and len(m.get("partitions") or []) > 1 and not m["moving"]:
                split_at = time.time()
                break
            time.sleep(0.3)
    except Exception:
        w.stop()
        raise
    T.check(split_at is not None, "(d) the table split by itself from its single partition "
            "within 90 s (%d rows written)" % len(w.acked))
    if split_at:
        print("first automatic split of a fresh table %.1fs after the writers started (%d rows "
              "acknowledged): %r" % (split_at - t_start, len(w.acked), starts(m)), flush=True)
    time.sleep(1.5)   # writes go on after the split
    w.stop()
    ids = [i for i, _ in w.acked]
    m = pmap(b, "r3")
    new = [s for s in starts(m) if s is not None] if m else []
    T.check(new and all(0 < int(s) <= max(ids) for s in new),
            "(d) split points inside the written range: %r" % (starts(m) if m else None))
    T.check(not w.errors, "(d) no writer error during the automatic split: %s" % w.errors[:5])
    T.check(c.wait_hints_delivered(), "(d) replication settles")
    query(b, "SET ringdb.consistency = 'quorum'")
    got = query(b, "SELECT id FROM r3")
    T.check(len(got) == len(ids) and {r[0] for r in got} == set(ids),
            "(d) node 2 reads every acknowledged row exactly once at QUORUM (%d rows, %d acked)"
            % (len(got), len(ids)))
    T.check(map_settled(b, "r3"), "(d) the map settles once the writers stopped")
    T.check(c.wait_converged() == [], "(d) replicas converge")
    a.close()
    b.close()


def main():
    c = Cluster(RINGDB, CTL, n=3, base_port=30400, rf=2,
                extra=["--auto-split-rate", "25", "--auto-split-cooldown", "3s"])
    return c.run(T, [part_a, part_b, part_c, part_d])


if __name__ == "__main__":
    sys.exit(main())
