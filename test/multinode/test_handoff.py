#!/usr/bin/python3
"""Hinted handoff and anti-entropy with real processes.

(b) A node killed with SIGKILL while writes continue at ONE on the others:
    after its restart it holds every acknowledged write, delivered by
    hinted handoff alone (periodic anti-entropy is off).
(d) The hints for a down node are dropped on purpose: after its restart it
    misses those writes until an anti-entropy round, which alone repairs it
    (same Merkle roots, convergence checker clean).

Usage: test_handoff.py RINGDB RINGDB_CTL
"""
import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cluster import Checks, Cluster, CtlError, convergence, merkle_agree  # noqa: E402

RINGDB, CTL = sys.argv[1], sys.argv[2]
T = Checks("multinode-handoff")


def hint_counts(node, peer):
    for m in node.status()["members"]:
        if m["id"] == peer:
            return m["hints"]
    return None


def test_sigkill_handoff(c):
    n1, n2, n3 = c.nodes
    acked = {}          # key -> (version, value)
    stop = threading.Event()
    errors = []

    def writer(node, prefix):
        i = 0
        while not stop.is_set():
            k, v = "%s%05d" % (prefix, i), "v%d" % i
            try:
                ok, r = node.call("put", k, v)
            except CtlError as e:
                errors.append(str(e))
                return
            if ok:
                acked[k] = (tuple(r["version"]), v)
            i += 1

    ts = [threading.Thread(target=writer, args=(n, "h%d-" % n.id)) for n in (n1, n2)]
    for t in ts:
        t.start()
    time.sleep(0.7)
    n3.kill()                       # SIGKILL in the middle of the stream
    killed_at = len(acked)
    time.sleep(1.5)
    stop.set()
    for t in ts:
        t.join()
    T.check(not errors, "writers kept going: %s" % errors[:1])
    T.check(len(acked) > killed_at + 20, "writes continued at ONE after the kill (%d -> %d)"
            % (killed_at, len(acked)))
    h = hint_counts(n1, 3)
    T.check(h and h["count"] > 0, "node 1 holds hints for node 3 while it is down: %s" % h)
    n3.start()
    c.wait_up()
    T.check(c.wait_hints_delivered(), "hints delivered after the restart")
    h = hint_counts(n1, 3)
    T.check(h and h["count"] == 0 and h["delivered"] > 0, "node 1's hints delivered: %s" % h)
    d3 = n3.dump()
    missing = [k for k, (ver, v) in acked.items()
               if k.encode().hex() not in d3 or tuple(d3[k.encode().hex()][:2]) < ver]
    T.check(not missing, "node 3 has every acknowledged write (%d acked, %d missing, e.g. %s)"
            % (len(acked), len(missing), missing[:3]))
    vv = n3.status()["vv"]
    T.check(int(vv.get("1", 0)) > 0 and int(vv.get("2", 0)) > 0,
            "node 3's version vector covers nodes 1 and 2: %s" % vv)
    T.check(convergence(c.nodes) == [], "replicas identical after handoff (no anti-entropy)")


def test_dropped_hints_ae(c):
    n1, n2, n3 = c.nodes
    n3.kill()
    keys = ["ae%04d" % i for i in range(300)]
    for i, k in enumerate(keys):
        ok, r = (n1 if i % 2 else n2).call("put", k, "val%d" % i)
        T.check(ok, "write %s: %s" % (k, r))
    ok1, r1 = n1.call("drop-hints", 3)
    ok2, r2 = n2.call("drop-hints", 3)
    T.check(ok1 and ok2 and r1["dropped"] + r2["dropped"] >= len(keys),
            "hints for node 3 dropped on purpose: %s %s" % (r1, r2))
    n3.start()
    c.wait_up()
    time.sleep(0.5)
    d3 = n3.dump()
    have = sum(1 for k in keys if k.encode().hex() in d3)
    T.check(have == 0, "node 3 lacks the writes whose hints were dropped (%d present)" % have)
    T.check(convergence(c.nodes, verbose=False) != [], "the checker sees the divergence")
    T.check(not merkle_agree(c.nodes, verbose=False), "Merkle roots differ before repair")
    ok, r = n3.call("ae")
    T.check(ok and all(p["ok"] for p in r["peers"]), "anti-entropy round on node 3: %s" % r)
    T.check(sum(p["records_received"] for p in r["peers"]) >= len(keys),
            "anti-entropy streamed the missing records")
    T.check(sum(p["ranges_differing"] for p in r["peers"]) > 0, "only differing ranges streamed")
    d3 = n3.dump()
    have = sum(1 for k in keys if k.encode().hex() in d3)
    T.check(have == len(keys), "node 3 repaired by anti-entropy alone (%d of %d)" % (have, len(keys)))
    T.check(merkle_agree(c.nodes), "same Merkle roots on every replica after repair")
    T.check(convergence(c.nodes) == [], "convergence checker clean after repair")
    ok, r = n1.call("ae")
    T.check(ok and sum(p["ranges_differing"] for p in r["peers"]) == 0,
            "a second round finds nothing to repair: %s" % r)


def main():
    c = Cluster(RINGDB, CTL, n=3, base_port=30300)
    return c.run(T, (test_sigkill_handoff, test_dropped_hints_ae))


if __name__ == "__main__":
    sys.exit(main())
