#!/usr/bin/python3
"""Three nodes, RF 3: replication, LWW convergence of conflicting writes,
consistency levels with nodes down, and peers without the secret.

Usage: test_basic.py RINGDB RINGDB_CTL
"""
import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cluster import Checks, Cluster, convergence, merkle_agree, run_parallel  # noqa: E402

RINGDB, CTL = sys.argv[1], sys.argv[2]
T = Checks("multinode-basic")


def wait_value(node, key, want, timeout=5.0):
    deadline = time.time() + timeout
    got = None
    while time.time() < deadline:
        ok, got = node.call("get", key)
        if ok and got.get("found") and got.get("value") == want:
            return True
        time.sleep(0.05)
    print("  node %d: %s = %s, want %s" % (node.id, key, got, want))
    return False


def test_write_anywhere_read_everywhere(c):
    # (a) a write on any node is readable on every node.
    for n in c.nodes:
        for j in range(5):
            ok, r = n.call("put", "w%d-%d" % (n.id, j), "from%d-%d" % (n.id, j))
            T.check(ok and r["version"][1] == n.id, "put on node %d: %s" % (n.id, r))
    for n in c.nodes:
        for src in c.nodes:
            for j in range(5):
                T.check(wait_value(n, "w%d-%d" % (src.id, j), "from%d-%d" % (src.id, j)),
                        "node %d reads node %d's write %d" % (n.id, src.id, j))
    # A delete replicates as a tombstone.
    ok, _ = c.nodes[0].call("del", "w2-0")
    T.check(ok, "delete")
    deadline = time.time() + 5
    while time.time() < deadline:
        if all(not n.call("get", "w2-0")[1]["found"] for n in c.nodes):
            break
        time.sleep(0.05)
    T.check(all(not n.call("get", "w2-0")[1]["found"] for n in c.nodes),
            "the delete is visible on every node")


def test_conflicts_converge(c):
    # (a) concurrent conflicting writes on different nodes converge to the
    # highest version everywhere.
    keys = ["conflict%d" % i for i in range(20)]

    def writer(n):
        def f():
            vs = {}
            for k in keys:
                ok, r = n.call("put", k, "node%d" % n.id)
                if ok:
                    vs[k] = (tuple(r["version"]), "node%d" % n.id)
            return vs
        return f

    results = run_parallel([writer(n) for n in c.nodes])
    for k in keys:
        cands = [r[k] for r in results if k in r]
        T.check(len(cands) == 3, "all three conflicting writes of %s acknowledged" % k)
        want = max(cands)[1]
        for n in c.nodes:
            T.check(wait_value(n, k, want), "node %d holds the highest-version %s" % (n.id, k))
    T.check(convergence(c.nodes) == [], "convergence checker finds no difference")
    T.check(merkle_agree(c.nodes), "Merkle roots agree on every partition")


def test_quorum(c):
    # (e) QUORUM with one of three down succeeds, with two down fails clearly.
    n1, n2, n3 = c.nodes
    n3.kill()
    ok, r = n1.call("put", "q1", "quorum-one-down", cl="QUORUM")
    T.check(ok, "QUORUM write with one node down succeeds: %s" % r)
    ok, r = n2.call("get", "q1", cl="QUORUM")
    T.check(ok and r.get("value") == "quorum-one-down",
            "QUORUM read after QUORUM write sees it: %s" % r)
    ok, r = n1.call("put", "q-all", "x", cl="ALL")
    T.check(not ok and r.get("sqlstate") == "57P03" and "ALL not reached" in r["error"],
            "ALL with one node down fails clearly: %s" % r)
    n2.kill()
    time.sleep(0.3)
    rc, out, err = n1.ctl_raw("put", "q2", "x", cl="QUORUM")
    T.check(rc == 1 and "57P03" in err and "QUORUM not reached: 1 of 2" in err,
            "QUORUM write with two nodes down fails with 57P03: rc %d %r" % (rc, err))
    ok, r = n1.call("get", "q1", cl="QUORUM")
    T.check(not ok and r.get("sqlstate") == "57P03", "QUORUM read with two down fails: %s" % r)
    ok, r = n1.call("get", "q1", cl="ONE")
    T.check(ok and r.get("found"), "ONE read with two down still answers")
    n2.start()
    n3.start()
    c.wait_up()
    c.wait_hints_delivered()
    for n in c.nodes:
        ok, r = n.call("get", "q1", cl="QUORUM")
        T.check(ok and r.get("value") == "quorum-one-down",
                "QUORUM read on node %d after restart: %s" % (n.id, r))


def test_hung_replica_times_out(c):
    # A replica that stops answering (SIGSTOP: its link stays open) makes a
    # QUORUM write with another replica down wait for the write timeout and
    # fail with 57P03; the failure detector then turns its link into hints,
    # and after it resumes the write that failed its level is everywhere
    # (it was not rolled back: docs/cluster.md).
    n1, n2, n3 = c.nodes
    n2.kill()
    n3.proc.send_signal(signal.SIGSTOP)
    try:
        t0 = time.time()
        ok, r = n1.call("put", "hung", "h", cl="QUORUM")
        took = time.time() - t0
        T.check(not ok and r.get("sqlstate") == "57P03" and "QUORUM not reached: 1 of 2" in r["error"],
                "QUORUM write with one replica hung and one down fails: %s" % r)
        T.check(0.8 <= took < 5, "it failed after the write timeout (%.2fs)" % took)
        deadline = time.time() + 5
        while time.time() < deadline and [m["state"] for m in n1.status()["members"]
                                          if m["id"] == 3] != ["down"]:
            time.sleep(0.1)
        T.check([m["state"] for m in n1.status()["members"] if m["id"] == 3] == ["down"],
                "the hung replica is marked down")
    finally:
        n3.proc.send_signal(signal.SIGCONT)
    n2.start()
    c.wait_up()
    T.check(c.wait_hints_delivered(), "hints delivered after the replica resumed")
    for n in c.nodes:
        ok, r = n.call("get", "hung")
        T.check(ok and r.get("value") == "h", "node %d holds the write that failed its level" % n.id)


def test_wrong_secret(c):
    # (f) a peer without the secret is refused and logged.
    n1 = c.nodes[0]
    before = n1.status()["counters"]["auth_failures"]
    bad = subprocess.Popen(
        [RINGDB, "--node-id", "9", "--data-dir", os.path.join(c.tmp, "bad"),
         "--port", str(c.base_port + 9), "--unix-socket-dir", "",
         "--peer-port", str(c.peer_base + 9), "--peers", n1.addr,
         "--cluster-secret", "not-the-secret", "--log-level", "warn", "--auth", "trust"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 5
    while time.time() < deadline and n1.status()["counters"]["auth_failures"] == before:
        time.sleep(0.1)
    st = n1.status()
    bad.send_signal(signal.SIGTERM)
    bad.wait(timeout=20)
    T.check(st["counters"]["auth_failures"] > before, "the wrong secret is counted")
    T.check(9 not in [m["id"] for m in st["members"]], "node 9 did not become a member")
    T.check("peer authentication failed" in n1.log_text(), "the refusal is logged")
    rc, out, err = n1.ctl_raw("status", secret="wrong")
    T.check(rc == 3 and "secret" in err, "ringdb-ctl with a wrong secret is refused: %r" % err)


def main():
    c = Cluster(RINGDB, CTL, n=3, base_port=30200)
    return c.run(T, (test_write_anywhere_read_everywhere, test_conflicts_converge, test_quorum,
                  test_hung_replica_times_out, test_wrong_secret))


if __name__ == "__main__":
    sys.exit(main())
