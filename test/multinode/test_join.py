#!/usr/bin/python3
"""Membership: a node joins a running cluster through one member (--join),
is gossiped to everyone, takes its share of the ring and receives its data
by anti-entropy; restarted without --join or --peers it rejoins from its
persisted member table; `leave` takes it out of every ring.  Read repair:
a QUORUM read brings a stale replica up to date.

Usage: test_join.py RINGDB RINGDB_CTL
"""
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cluster import Checks, Cluster, convergence  # noqa: E402

RINGDB, CTL = sys.argv[1], sys.argv[2]
T = Checks("multinode-join")


def ring_nodes(node):
    return node.status()["ring"]["nodes"]


def wait_for(pred, timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if pred():
            return True
        time.sleep(0.1)
    return False


def main():
    # Three nodes at RF 2, but node 3 starts later and only knows node 1.
    c = Cluster(RINGDB, CTL, n=3, base_port=30500, rf=2)
    n1, n2, n3 = c.nodes
    try:
        n1.start()
        n2.start()
        c.wait_up([n1, n2])
        for i in range(200):
            ok, _ = (n1 if i % 2 else n2).call("put", "j%03d" % i, "v%d" % i, cl="ALL")
            T.check(ok, "write j%03d at ALL on two nodes" % i)
        # node 3: --join only (args() would list every peer: override),
        # and the secret from a file.
        args = n3.args()
        i = args.index("--peers")
        args[i:i + 2] = ["--join", n1.addr]
        secret_file = os.path.join(c.tmp, "secret")
        with open(secret_file, "w") as f:
            f.write(n3.secret + "\n")
        i = args.index("--cluster-secret")
        args[i:i + 2] = ["--cluster-secret-file", secret_file]
        with open(n3.log, "a") as logf:
            n3.proc = subprocess.Popen(args, stdout=logf, stderr=logf)
        c.wait_up([n1, n2, n3])
        T.check(all(ring_nodes(n) == [1, 2, 3] for n in c.nodes),
                "every node's ring has the joined node")
        rc, out, err = n3.ctl_raw("status")
        T.check(rc == 0, "ringdb-ctl reaches the node started with a secret file")
        p = subprocess.run([CTL, "--host", n3.host, "--port", str(n3.pport), "--secret-file",
                            secret_file, "status"], capture_output=True, text=True)
        T.check(p.returncode == 0 and '"node":3' in p.stdout, "ringdb-ctl --secret-file")
        for n in (n1, n2):
            ok, r = n.call("ae")
            T.check(ok, "anti-entropy from node %d: %s" % (n.id, r))
        T.check(convergence(c.nodes) == [], "the joined node holds its partitions' data")
        d3 = n3.dump()
        T.check(0 < len(d3) < 200, "node 3 holds a share of the keys, not all (%d)" % len(d3))
        # Restart node 3 with neither --join nor --peers: the member table
        # in its data directory is enough.
        n3.kill()
        args = [a for a in args]
        i = args.index("--join")
        del args[i:i + 2]
        with open(n3.log, "a") as logf:
            n3.proc = subprocess.Popen(args, stdout=logf, stderr=logf)
        c.wait_up([n1, n2, n3])
        T.check(ring_nodes(n3) == [1, 2, 3], "restarted node 3 rejoined from its member table")
        # Read repair: a stale replica is brought up to date by a QUORUM read.
        n2.kill()
        for i in range(20):
            T.check(n1.call("put", "rr%02d" % i, "fresh")[0], "write rr%02d" % i)
        n1.call("drop-hints")
        n3.call("drop-hints")
        n2.start()
        c.wait_up()
        stale_before = sum(1 for i in range(20) if ("rr%02d" % i).encode().hex() not in n2.dump())
        for i in range(20):
            ok, r = n2.call("get", "rr%02d" % i, cl="QUORUM")
            T.check(ok and r.get("value") == "fresh", "QUORUM read of rr%02d: %s" % (i, r))
        T.check(wait_for(lambda: convergence(c.nodes, verbose=False) == []),
                "read repair brought every replica up to date (%d were stale)" % stale_before)
        T.check(stale_before > 0, "some replica of node 2 was stale before the reads")
        # Catalog keys (0x01...) live on every member, even at RF 2, and
        # anti-entropy repairs them on every member.
        cat = "\x01catalog-%d"
        T.check(n1.call("put", cat % 0, "def0", cl="ALL")[0], "catalog write at ALL")
        T.check(all(("01" + ("catalog-0").encode().hex()) in n.dump() for n in c.nodes),
                "the catalog key is on all three nodes")
        n2.kill()
        for i in range(1, 6):
            T.check(n1.call("put", cat % i, "def%d" % i)[0], "catalog write %d" % i)
        n1.call("drop-hints")
        n3.call("drop-hints")
        n2.start()
        c.wait_up()
        missing = [i for i in range(1, 6) if ("01" + ("catalog-%d" % i).encode().hex())
                   not in n2.dump()]
        T.check(len(missing) == 5, "node 2 missed the catalog writes (hints dropped)")
        ok, r = n1.call("ae")
        T.check(ok, "anti-entropy: %s" % r)
        missing = [i for i in range(1, 6) if ("01" + ("catalog-%d" % i).encode().hex())
                   not in n2.dump()]
        T.check(not missing, "anti-entropy repaired the catalog on node 2 (missing %s)" % missing)
        T.check(convergence(c.nodes) == [], "replicas agree, catalog included")
        # Leave: node 3 leaves; every ring drops it.
        ok, r = n3.call("leave")
        T.check(ok, "leave")
        T.check(wait_for(lambda: all(ring_nodes(n) == [1, 2] for n in c.nodes)),
                "every ring dropped the leaving node")
        st = n1.status()
        T.check([m["state"] for m in st["members"] if m["id"] == 3] == ["leaving"],
                "node 3 shows as leaving")
    except Exception as e:  # noqa: BLE001
        import traceback
        traceback.print_exc()
        T.check(False, "exception: %s" % e)
    finally:
        return c.finish(T)


if __name__ == "__main__":
    sys.exit(main())
