#!/usr/bin/python3
"""Applied versus durable acknowledgements, with a replica killed by SIGKILL.

A replica makes a replicated write visible as soon as it applies it and
acknowledges it as durable only after its WAL fdatasync (node_apply.c);
only the durable acknowledgement counts for a consistency level and
deletes the coordinator's copy (in-flight frame or hint).  Writers on
nodes 1 and 2 put keys at ONE, QUORUM and ALL without pause while node 3
is killed with SIGKILL (so some of their writes are applied on node 3 but
not yet fsynced at that moment), and go on writing for a while.

(a) Node 3 restarted ALONE (nodes 1 and 2 stopped first, so nothing can
    be handed over to it): it holds every write acknowledged at ALL
    before the kill (it had acknowledged each as durable).
(b) Nodes 1 and 2 back: after hinted handoff (anti-entropy is off) every
    node holds every acknowledged write at every level, at its version or
    newer, and the replicas converge.
(c) status shows the two acknowledgement counters of each link:
    visible_seq >= acked_seq.

Usage: test_durable.py RINGDB RINGDB_CTL
"""
import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cluster import Checks, Cluster, CtlError, Node, convergence, merkle_agree  # noqa: E402

RINGDB, CTL = sys.argv[1], sys.argv[2]
T = Checks("multinode-durable")
LEVELS = ("ONE", "QUORUM", "ALL")


def missing_on(node, acked):
    d = node.dump()
    return [k for k, (ver, _) in acked.items()
            if k.encode().hex() not in d or tuple(d[k.encode().hex()][:2]) < ver]


def main():
    c = Cluster(RINGDB, CTL, n=3, base_port=36600, rf=3)
    try:
        c.start()
        c.wait_up(timeout=20)
        n1, n2, n3 = c.nodes
        acked = {cl: {} for cl in LEVELS}   # level -> key -> (version, value)
        killed = threading.Event()
        before_kill = {}                    # ALL writes acknowledged before the kill
        stop = threading.Event()
        errors = []
        lock = threading.Lock()

        def writer(node, cl):
            node = Node(c, node.id)  # a ringdb-ctl of its own (calls are not shared)
            i = 0
            while not stop.is_set():
                k, v = "d%d-%s-%06d" % (node.id, cl, i), "v%d" % i
                i += 1
                try:
                    ok, r = node.call("put", k, v, cl=cl)
                except CtlError as e:
                    errors.append(str(e))
                    break
                if ok:
                    with lock:
                        acked[cl][k] = (tuple(r["version"]), v)
                        if cl == "ALL" and not killed.is_set():
                            before_kill[k] = (tuple(r["version"]), v)
            node.close_batch()

        ts = [threading.Thread(target=writer, args=(n, cl)) for n in (n1, n2) for cl in LEVELS]
        for t in ts:
            t.start()
        time.sleep(1.0)
        killed.set()
        n3.kill()                  # SIGKILL while frames are applied, unsynced
        time.sleep(1.0)
        stop.set()
        for t in ts:
            t.join()
        T.check(not errors, "writers kept their links: %s" % errors[:1])
        counts = {cl: len(acked[cl]) for cl in LEVELS}
        print("acknowledged writes:", counts, "ALL before the kill:", len(before_kill))
        T.check(len(before_kill) > 20, "ALL writes were acknowledged before the kill: %d"
                % len(before_kill))
        T.check(counts["ONE"] > 0 and counts["QUORUM"] > 0, "ONE and QUORUM writes: %s" % counts)

        # (a) node 3 alone: what it acknowledged durable is in its store
        n1.stop()
        n2.stop()
        n3.start()
        deadline = time.time() + 20
        while True:
            try:
                n3.status()
                break
            except CtlError:
                if time.time() > deadline:
                    raise
                time.sleep(0.1)
        miss = missing_on(n3, before_kill)
        T.check(not miss, "node 3 restarted alone holds every ALL write acknowledged before "
                "its kill (%d acked, %d missing, e.g. %s)" % (len(before_kill), len(miss), miss[:3]))

        # (b) everyone back: handoff completes every acknowledged write everywhere
        n1.start()
        n2.start()
        c.wait_up(timeout=20)
        T.check(c.wait_hints_delivered(timeout=30), "hints delivered after the restarts")
        for node in c.nodes:
            for cl in LEVELS:
                miss = missing_on(node, acked[cl])
                T.check(not miss, "node %d holds every write acknowledged at %s (%d acked, "
                        "%d missing, e.g. %s)" % (node.id, cl, len(acked[cl]), len(miss),
                                                  miss[:3]))
        T.check(convergence(c.nodes) == [], "replicas identical after handoff")
        T.check(merkle_agree(c.nodes), "merkle roots agree")

        # (c) the two acknowledgement counters
        for node in c.nodes:
            for m in node.status()["members"]:
                if m["id"] != node.id and "visible_seq" in m:
                    T.check(m["visible_seq"] >= m["acked_seq"],
                            "node %d -> %d: visible_seq %d >= acked_seq %d" % (
                                node.id, m["id"], m["visible_seq"], m["acked_seq"]))
        st = n1.status()
        T.check(any("visible_seq" in m for m in st["members"]), "status shows visible_seq")
    finally:
        problems = c.stop(keep=bool(T.fails))
        for p in problems:
            T.check(False, p)
        if T.fails:
            print("logs kept in", c.tmp)
    return T.done()


if __name__ == "__main__":
    sys.exit(main())
