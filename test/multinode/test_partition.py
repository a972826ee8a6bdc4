#!/usr/bin/python3
"""(c) A network partition splitting node 3 from nodes 1 and 2, made by
dropping the packets between their peer addresses with iptables (each node
has its own loopback address, 127.0.0.11-13).  Both sides take writes at
ONE, including conflicting writes of the same keys; QUORUM fails on the
minority side and succeeds on the majority.  After healing, every replica is
identical (same Merkle roots, convergence checker clean) and every key holds
the highest-version write from either side.

Skipped (exit 77) when iptables cannot be used (not root, no netfilter).

Usage: test_partition.py RINGDB RINGDB_CTL
"""
import os
import shlex
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cluster import Checks, Cluster, convergence, merkle_agree  # noqa: E402

RINGDB, CTL = sys.argv[1], sys.argv[2]
T = Checks("multinode-partition")
RULES = []


def ipt(*args):
    return subprocess.run(["iptables", "-w", "5"] + list(args), capture_output=True, text=True)


# Every rule carries this comment, so that a run killed before heal() does
# not leave the next run's nodes cut off: the next run removes its rules.
TAG = ["-m", "comment", "--comment", "ringdb-test-partition"]


def remove_stale_rules():
    for line in ipt("-S", "INPUT").stdout.splitlines():
        if line.startswith("-A INPUT ") and "ringdb-test-partition" in line:
            ipt("-D", *shlex.split(line)[1:])


def iptables_usable():
    if not shutil.which("iptables") or os.geteuid() != 0:
        return False
    probe = ["-s", "127.0.0.19", "-d", "127.0.0.18"] + TAG + ["-j", "DROP"]
    if ipt("-I", "INPUT", *probe).returncode != 0:
        return False
    ipt("-D", "INPUT", *probe)
    remove_stale_rules()
    return True


def cut(a, b):
    for s, d in ((a, b), (b, a)):
        rule = ["-s", s.host, "-d", d.host] + TAG + ["-j", "DROP"]
        if ipt("-I", "INPUT", *rule).returncode == 0:
            RULES.append(rule)


def heal():
    while RULES:
        ipt("-D", "INPUT", *RULES.pop())


def member_state(node, peer):
    for m in node.status()["members"]:
        if m["id"] == peer:
            return m["state"]
    return None


def wait_state(node, peer, want, timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if member_state(node, peer) == want:
            return True
        time.sleep(0.1)
    return False


def main():
    if not iptables_usable():
        print("iptables is not usable here: skipping")
        return 77
    c = Cluster(RINGDB, CTL, n=3, base_port=30400, per_node_ip=True)
    try:
        c.start()
        c.wait_up()
        n1, n2, n3 = c.nodes
        for i in range(20):
            T.check(n1.call("put", "pre%d" % i, "before")[0], "write before the partition")
        t0 = time.time()
        cut(n3, n1)
        cut(n3, n2)
        T.check(len(RULES) == 4, "iptables rules installed")
        T.check(wait_state(n1, 3, "down") and wait_state(n3, 1, "down"),
                "both sides see the other as down")
        print("partition detected in %.1fs" % (time.time() - t0), flush=True)
        acked = {}

        def put(node, k, v, cl=None):
            ok, r = node.call("put", k, v, cl=cl)
            if ok:
                acked.setdefault(k, []).append((tuple(r["version"]), v))
            return ok, r

        # Conflicting writes on both sides; which one wins depends on the
        # versions, not on which side healed first.
        for i in range(40):
            put(n3 if i % 2 else n1, "both%d" % i, "minority%d" % i if i % 2 else "majority%d" % i)
        for i in range(40):
            put(n1 if i % 2 else n3, "both%d" % i, "majority%d" % i if i % 2 else "minority%d" % i)
        for i in range(30):
            put(n3, "min%d" % i, "m%d" % i)
            put(n2, "maj%d" % i, "M%d" % i)
        put(n3, "pre0", "rewritten-by-minority")
        ok, r = n2.call("del", "pre1")
        T.check(ok, "delete on the majority side")
        acked["pre1"] = [(tuple(r["version"]), None)]
        ok, r = put(n1, "qmaj", "x", cl="QUORUM")
        T.check(ok, "QUORUM write on the majority side succeeds: %s" % r)
        ok, r = n3.call("put", "qmin", "x", cl="QUORUM")
        T.check(not ok and r.get("sqlstate") == "57P03",
                "QUORUM write on the minority side fails: %s" % r)
        T.check(convergence(c.nodes, verbose=False) != [], "replicas diverge during the partition")
        heal()
        t0 = time.time()
        c.wait_up(timeout=20)
        T.check(c.wait_hints_delivered(timeout=20), "hints delivered after healing")
        print("healed and handed off in %.1fs" % (time.time() - t0), flush=True)
        for n in c.nodes:
            ok, r = n.call("ae")
            T.check(ok, "anti-entropy on node %d: %s" % (n.id, r))
        T.check(merkle_agree(c.nodes), "all replicas have the same Merkle roots")
        T.check(convergence(c.nodes) == [], "convergence checker clean")
        dumps = {n.id: n.dump() for n in c.nodes}
        wrong = []
        for k, vs in acked.items():
            ver, val = max(vs)
            for nid, d in dumps.items():
                got = d.get(k.encode().hex())
                if got is None or tuple(got[:2]) != ver or \
                        (val is None) != got[2] or \
                        (val is not None and got[3] != val.encode().hex()):
                    wrong.append((k, nid, got, ver, val))
        T.check(not wrong, "every key holds its highest-version write on every node "
                "(%d keys, %d wrong, e.g. %s)" % (len(acked), len(wrong), wrong[:2]))
    except Exception as e:  # noqa: BLE001
        import traceback
        traceback.print_exc()
        T.check(False, "exception: %s" % e)
    finally:
        heal()
        return c.finish(T)


if __name__ == "__main__":
    sys.exit(main())
