#!/usr/bin/python3
"""Range partitions and data moves on real processes (psycopg2 clients).

(a) 3 nodes, RF 2: a PARTITION BY RANGE table split at 100 and 200
    (ringdb_split_partition); every node reports the same map
    (ringdb_partitions); ringdb_key_placement puts each key in the
    partition its split points say, with that partition's replicas; the
    nodes that did not coordinate the inserts hold exactly the rows of the
    partitions they replicate.
(b) split and merge while a writer inserts (QUORUM) and a reader reads
    acknowledged rows back (QUORUM, point reads and counts) without a
    pause: no error, no acknowledged row lost, the convergence checker
    clean afterwards, and placement again matches the stored rows.
(b2) compare-and-set of the map: splits of one key space issued at the
    same moment through two different nodes, each running the change itself
    as if it were the coordinator ("fwd": two nodes that each think they
    are the lowest up member), retried on 40001: every split that reported
    success is in the final map on every node (none overwritten by the
    other's record), the only failures are 40001, and the maps agree.
(c) RF 3: a 4th node joins (--join) while the writer goes on; the old
    members stream it its ranges (anti-entropy is off in the harness), so
    it ends with exactly the rows of a hash-partitioned and of the range-
    partitioned table whose replicas include it (checked per row with
    ringdb_key_placement), the writer never failing, convergence clean.

Usage: test_rangepart.py RINGDB RINGDB_CTL
"""
import json
import os
import random
import sys
import threading
import time

import psycopg2

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sqlclient import (Writer, connect, hash_and_range_tables, local_ids, one, owners,  # noqa: E402
                       placement, poll, query)
from cluster import Checks, Cluster, convergence  # noqa: E402

RINGDB, CTL = sys.argv[1], sys.argv[2]
T = Checks("multinode-rangepart")


class Load(Writer):
    """A writer inserting rows at QUORUM on one node (Writer) and a reader
    reading acknowledged rows back at QUORUM on another, until stop()."""

    def __init__(self, wnode, rnode, table, start):
        self.rnode, self.reads = rnode, 0
        Writer.__init__(self, wnode, table, start, self.read)

    def read(self):
        conn = connect(self.rnode)
        query(conn, "SET ringdb.consistency = 'quorum'")
        while not self.stopping:
            with self.lock:
                known = list(self.acked)
            if not known:
                time.sleep(0.02)
                continue
            try:
                i = random.choice(known)
                got = query(conn, "SELECT v FROM %s WHERE id = %%s" % self.table, (i,))
                if got != [("w%d" % i,)]:
                    self.errors.append("read %d: %r" % (i, got))
                n = one(conn, "SELECT count(*) FROM %s WHERE id >= %%s" % self.table,
                        (min(known),))
                if n < len(known):
                    self.errors.append("count %d < %d acknowledged" % (n, len(known)))
                self.reads += 2
            except psycopg2.Error as e:
                self.errors.append("read: %s %s" % (e.pgcode, str(e).strip()))
        conn.close()


def check_routing(conns, coord, table, ids, what):
    """Every node but the coordinator holds exactly the rows it replicates."""
    own = owners(conns[coord], table, ids)
    for nid, conn in conns.items():
        have = local_ids(conn, table) & set(ids)
        want = own.get(nid, set())
        if nid == coord:
            T.check(want <= have, "%s: node %d (coordinator) holds its partitions" % (what, nid))
        else:
            T.check(have == want, "%s: node %d holds exactly its partitions' rows (%d, want %d)"
                    % (what, nid, len(have), len(want)))


def part_a_b(c):
    n1, n2, n3 = c.nodes
    conns = {n.id: connect(n) for n in c.nodes}
    a, b = conns[1], conns[2]
    query(a, "CREATE TABLE r (id int PRIMARY KEY, v text) PARTITION BY RANGE (id)")
    T.check(poll(lambda: query(b, "SELECT count(*) FROM r"), [(0,)]) == [(0,)],
            "the range-partitioned table reaches node 2")
    try:
        query(a, "CREATE TABLE h (id int PRIMARY KEY, v text)")
        query(a, "SELECT ringdb_partitions('h')")
        T.check(False, "ringdb_partitions on a hash-partitioned table fails")
    except psycopg2.Error as e:
        T.check(e.pgcode == "42809", "ringdb_partitions on a hash table: 42809 (%s)" % e.pgcode)
    for k in ("100", "200"):
        rep = json.loads(one(a, "SELECT ringdb_split_partition('r', %s)", (k,)))
        T.check("version" in rep, "split at %s: %r" % (k, rep))
    try:
        query(a, "SELECT ringdb_split_partition('r', '100')")
        T.check(False, "splitting at an existing split point fails")
    except psycopg2.Error as e:
        T.check(e.pgcode == "22023", "split at an existing split point: 22023 (%s)" % e.pgcode)
    maps = [json.loads(one(conns[i], "SELECT ringdb_partitions('r')")) for i in (1, 2, 3)]
    T.check(len({m["version"] for m in maps}) == 1, "every node has the same map version")
    m = maps[1]
    T.check([p.get("start_value") for p in m["partitions"]] == [None, "100", "200"],
            "three partitions starting at -inf, 100, 200: %r" % m["partitions"])
    T.check(all(len(p["replicas"]) == 2 for p in m["partitions"]), "RF 2 replicas each")
    T.check(not m["moving"], "no move in progress")
    for i in range(300):
        query(a, "INSERT INTO r VALUES (%s, %s)", (i, "v%d" % i))
    T.check(c.wait_hints_delivered(), "replication settles")
    for key, part in ((0, 0), (99, 0), (100, 1), (199, 1), (200, 2), (299, 2), (-5, 0)):
        p = placement(b, "r", key)
        T.check(p.get("partition") == part and
                sorted(p["replicas"]) == sorted(m["partitions"][part]["replicas"]),
                "key %d: partition %d with its replicas (%r)" % (key, part, p))
    time.sleep(0.5)
    check_routing(conns, 1, "r", range(300), "after splits")

    # The same through ringdb-ctl, on a key space of the key/value API.
    try:
        rep = n2.ctl("split", "kv:", "m")
        T.check("records_streamed" in rep, "ringdb-ctl split: %r" % rep)
    except Exception as e:  # noqa: BLE001 - reported as a failed check
        T.check(False, "ringdb-ctl split: %s" % e)
    for k in ("kv:a", "kv:q", "kv:z"):
        ok, r = n1.call("put", k, "v", cl="ALL")
        T.check(ok, "put %s at ALL: %r" % (k, r))
    maps = {m["space"]: m for m in n3.ctl("partitions")}
    kvm = maps.get(b"kv:".hex())
    T.check(kvm is not None and [p["start"] for p in kvm["partitions"]] == [None, b"m".hex()],
            "ringdb-ctl partitions shows the kv: map: %r" % kvm)
    d = {}
    for n in c.nodes:
        d.update(n.dump())
    T.check(kvm is not None and
            d[b"kv:q".hex()][4] == int(kvm["partitions"][1]["token"], 16) and
            d[b"kv:a".hex()][4] == int(kvm["partitions"][0]["token"], 16),
            "kv keys carry their partition's token")
    rc, out, err = n2.ctl_raw("split", "kv:", "m")
    T.check(rc == 1 and "22023" in out + err, "ringdb-ctl split at an existing point fails: %s %s"
            % (out, err))
    try:
        rep = n1.ctl("merge", "kv:", "m")
        T.check(rep.get("partitions") == 1, "ringdb-ctl merge: %r" % rep)
    except Exception as e:  # noqa: BLE001
        T.check(False, "ringdb-ctl merge: %s" % e)

    cas_splits(c)

    # (b) split and merge under load.
    load = Load(n1, n2, "r", 300)
    load.start()
    time.sleep(1.0)
    steps = [("split", "350"), ("split", "150"), ("merge", "100"), ("split", "500"),
             ("merge", "350")]
    for op, k in steps:
        fn = "ringdb_split_partition" if op == "split" else "ringdb_merge_partitions"
        try:
            rep = json.loads(one(conns[3], "SELECT %s('r', %%s)" % fn, (k,)))
            T.check("records_streamed" in rep, "%s at %s under load: %r" % (op, k, rep))
        except psycopg2.Error as e:
            T.check(False, "%s at %s under load: %s %s" % (op, k, e.pgcode, str(e).strip()))
        time.sleep(0.7)
    load.stop()
    T.check(not load.errors, "no writer or reader error during the moves (%d acked, %d reads): %s"
            % (len(load.acked), load.reads, load.errors[:5]))
    T.check(len(load.acked) > 50 and load.reads > 50, "the load ran (%d writes, %d reads)"
            % (len(load.acked), load.reads))
    m = json.loads(one(b, "SELECT ringdb_partitions('r')"))
    T.check([p.get("start_value") for p in m["partitions"]] == [None, "150", "200", "500"],
            "splits after the moves: %r" % [p.get("start_value") for p in m["partitions"]])
    T.check(c.wait_hints_delivered(), "replication settles after the moves")
    ids = list(range(300)) + load.acked
    for i, conn in conns.items():
        query(conn, "SET ringdb.consistency = 'quorum'")
        got = {r[0] for r in query(conn, "SELECT id FROM r")}
        T.check(set(ids) <= got, "node %d reads every acknowledged row at QUORUM (%d missing)"
                % (i, len(set(ids) - got)))
        query(conn, "SET ringdb.consistency = 'one'")
    T.check(convergence(c.nodes) == [], "replicas converge after split/merge under load")
    own = owners(b, "r", ids)
    for nid in (2, 3):
        have = local_ids(conns[nid], "r")
        T.check(own.get(nid, set()) <= have,
                "node %d holds every row of the partitions it now replicates" % nid)
    for conn in conns.values():
        conn.close()


def part_c(c):
    n1, n2, n3, n4 = c.nodes
    conns = {n.id: connect(n) for n in (n1, n2, n3)}
    a = conns[1]
    hash_and_range_tables(a)
    T.check(c.wait_hints_delivered(), "3-node replication settles")
    load = Load(n1, n2, "h", 5000)
    load.start()
    time.sleep(0.5)
    c.start_joining(n4, n1)
    c.wait_up(c.nodes)
    conns[4] = connect(n4)
    T.check(all(n.status()["ring"]["nodes"] == [1, 2, 3, 4] for n in c.nodes),
            "every ring has the new node")
    time.sleep(1.5)
    load.stop()
    T.check(not load.errors, "the writer and reader never failed during the join: %s"
            % load.errors[:5])
    T.check(c.wait_hints_delivered(), "replication settles after the join")
    hids = list(range(400)) + load.acked
    for table, ids in (("h", hids), ("r", list(range(400)))):
        own = owners(a, table, ids)
        want = own.get(4, set())
        got = poll(lambda: len(local_ids(conns[4], table)), len(want), timeout=20)
        have = local_ids(conns[4], table)
        T.check(have == want, "node 4 holds exactly its share of %s: %d rows, placement says %d"
                % (table, len(have), len(want)))
        # a hash table spreads over every ring range; the range table has
        # four partitions, of which node 4 may replicate any number
        T.check(0 < len(want) and (table == "r" or len(want) < len(ids)),
                "node 4's share of %s: %d of %d [%r]" % (table, len(want), len(ids), got))
        for nid in (1, 2, 3):
            T.check(own.get(nid, set()) <= local_ids(conns[nid], table),
                    "node %d holds its share of %s" % (nid, table))
    text = n1.log_text() + n2.log_text() + n3.log_text()
    T.check("new member 4: streaming it" in text, "the old members streamed node 4 its ranges")
    T.check(convergence(c.nodes) == [], "replicas converge after the join")
    for conn in conns.values():
        conn.close()


def cas_splits(c):
    n1, n2, n3 = c.nodes[0], c.nodes[1], c.nodes[2]
    rc, out, err = n1.ctl_raw("split", "cas:", "m")
    T.check(rc == 0, "first split of cas: %s %s" % (out, err))
    done, conflicts, other = ["m"], [0], []
    lock = threading.Lock()

    def split_retrying(node, key):
        for attempt in range(40):
            rc, out, err = node.ctl_raw("split", "cas:", key, "fwd")
            if rc == 0:
                with lock:
                    done.append(key)
                return
            if attempt and "22023" in err:
                # another coordinator's move took this split along (it
                # resumed the moving map that held it) and finished it
                with lock:
                    done.append(key)
                return
            if "40001" not in err:
                with lock:
                    other.append((key, err.strip()))
                return
            with lock:
                conflicts[0] += 1
            time.sleep(random.uniform(0.05, 0.4))
        with lock:
            other.append((key, "still 40001 after 40 tries"))

    for r in range(5):
        ts = [threading.Thread(target=split_retrying, args=(n1, "c%d" % r)),
              threading.Thread(target=split_retrying, args=(n2, "e%d" % r))]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
    print("concurrent splits: %d done, %d conflicts (40001) retried" % (len(done), conflicts[0]),
          flush=True)
    T.check(other == [], "concurrent splits fail only with 40001: %r" % other)
    T.check(conflicts[0] > 0, "concurrent splits through two nodes did conflict (%d)"
            % conflicts[0])
    time.sleep(1.0)
    # The compare half on one member, directly: one promise per version.
    m = {x["space"]: x for x in n1.ctl("partitions")}[b"cas:".hex()]
    cur = "%d:%d" % (m["version"], m["version_node"])
    stale = "%d:%d" % (m["version"] - 1, m["version_node"])
    nxt1, nxt2 = "%d:7" % (m["version"] + 100), "%d:8" % (m["version"] + 200)
    rc1, o1, e1 = n2.ctl_raw("pmap-promise", "cas:", cur, nxt1)
    rc2, o2, e2 = n2.ctl_raw("pmap-promise", "cas:", cur, nxt2)
    rc3, o3, e3 = n2.ctl_raw("pmap-promise", "cas:", cur, nxt1)
    rc4, o4, e4 = n3.ctl_raw("pmap-promise", "cas:", stale, nxt2)
    T.check(rc1 == 0 and rc3 == 0 and rc2 == 1 and "40001" in e2,
            "a member promises a map version to one successor only: %r"
            % [(rc1, e1), (rc2, e2), (rc3, e3)])
    T.check(rc4 == 1 and "40001" in e4, "and refuses a version it does not hold: %s" % e4)
    want = sorted(k.encode().hex() for k in done)
    for n in c.nodes:
        maps = {m["space"]: m for m in n.ctl("partitions")}
        m = maps.get(b"cas:".hex())
        got = sorted(p["start"] for p in m["partitions"] if p["start"]) if m else None
        T.check(got == want and not m.get("moving"),
                "node %d's cas: map holds every successful split, and only those: %r vs %r"
                % (n.id, got, want))


def main():
    c = Cluster(RINGDB, CTL, n=3, base_port=30700, rf=2)
    try:
        c.start()
        c.wait_up()
        part_a_b(c)
    finally:
        problems = c.stop()
        T.check(not problems, "clean shutdown (a, b): %s" % problems)
    c = Cluster(RINGDB, CTL, n=4, base_port=30700, rf=3)
    n4 = c.nodes[3]
    try:
        c.nodes = c.nodes[:3]   # the first three know only each other
        c.start()
        c.wait_up()
        c.nodes.append(n4)
        part_c(c)
    finally:
        problems = c.stop()
        T.check(not problems, "clean shutdown (c): %s" % problems)
    return T.done()


if __name__ == "__main__":
    sys.exit(main())
