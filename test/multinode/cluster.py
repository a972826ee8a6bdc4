#!/usr/bin/python3
"""Multi-node test harness for ringdb: real `ringdb` processes on loopback,
driven through `ringdb-ctl` on their peer ports, and a convergence checker
that any test can reuse.

    from cluster import Cluster, convergence
    c = Cluster(ringdb, ctl, n=3, base_port=30200)
    c.start(); c.wait_up()
    c.nodes[0].ctl("put", "k", "v")
    diffs = convergence(c.live())      # [] when every replica agrees
    c.stop()

Node i (1-based) listens for SQL on base_port + i, for peers on
base_port + 50 + i.  RINGDB_MULTINODE_PORTS=SQLBASE:PEERBASE in the
environment puts node i on SQLBASE + i and PEERBASE + i instead (a
developer's own port ranges).  With per_node_ip=True node i uses 127.0.0.(10+i) for
its peer port and as the source of the links it dials, so a test can cut
links between two nodes with iptables by address.
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

SECRET = "multinode-secret"


def covers(lo, hi, t):
    """True if token t lies in the ring range (lo, hi]."""
    if lo == hi:
        return True
    if lo < hi:
        return lo < t <= hi
    return t > lo or t <= hi


def ports_free(base):
    """True if the ports a cluster at base uses (base+1..+9, base+51..+59)
    can be bound now."""
    for p in list(range(base + 1, base + 10)) + list(range(base + 51, base + 60)):
        s = socket.socket()
        try:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("", p))
        except OSError:
            return False
        finally:
            s.close()
    return True


def pick_base(preferred):
    """preferred if its ports are free, else another block of this task's
    port range (30000-30999), so two runs at once (build, build-san) do not
    collide."""
    for base in [preferred] + list(range(30000, 30900, 100)):
        if ports_free(base):
            return base
    return preferred


class CtlError(Exception):
    def __init__(self, rc, out, err):
        Exception.__init__(self, "ringdb-ctl exit %d: %s %s" % (rc, out.strip(), err.strip()))
        self.rc, self.out, self.err = rc, out, err


class Node:
    def __init__(self, cluster, i):
        self.c = cluster
        self.id = i
        self.host = "127.0.0.%d" % (10 + i) if cluster.per_node_ip else "127.0.0.1"
        self.port = cluster.base_port + i
        self.pport = cluster.peer_base + i
        self.addr = "%s:%d" % (self.host, self.pport)
        self.dir = os.path.join(cluster.tmp, "n%d" % i)
        self.log = os.path.join(cluster.tmp, "n%d.log" % i)
        self.proc = None
        self.secret = SECRET
        self.batch = None

    def args(self):
        peers = ",".join(n.addr for n in self.c.nodes if n is not self)
        return [self.c.ringdb, "--node-id", str(self.id), "--data-dir", self.dir,
                "--port", str(self.port), "--unix-socket-dir", "", "--auth", "trust",
                "--peer-host", self.host, "--peer-port", str(self.pport),
                "--peers", peers, "--cluster-secret", self.secret,
                "--replication-factor", str(self.c.rf),
                "--heartbeat-interval", "100ms", "--failure-timeout", "500ms",
                "--write-timeout", "1s", "--anti-entropy-interval", "0",
                "--log-level", "info"] + self.c.extra

    def start(self):
        logf = open(self.log, "a")
        self.proc = subprocess.Popen(self.args(), stdout=logf, stderr=logf)
        logf.close()

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def kill(self, sig=signal.SIGKILL):
        self.close_batch()
        if self.alive():
            self.proc.send_signal(sig)
            self.proc.wait(timeout=20)

    def stop(self):
        self.kill(signal.SIGTERM)

    def ctl_raw(self, *args, cl=None, secret=None, timeout=30):
        cmd = [self.c.ctl, "--host", self.host, "--port", str(self.pport),
               "--secret", secret or self.secret]
        if cl:
            cmd += ["--cl", cl]
        p = subprocess.run(cmd + [str(a) for a in args], capture_output=True, text=True,
                           timeout=timeout)
        return p.returncode, p.stdout, p.stderr

    def ctl(self, *args, cl=None):
        """Run one command; the node's JSON answer, or CtlError."""
        rc, out, err = self.ctl_raw(*args, cl=cl)
        if rc != 0:
            raise CtlError(rc, out, err)
        return json.loads(out)

    # A persistent ringdb-ctl in batch mode, for many commands.
    def call(self, *args, cl=None):
        """(ok, json) over one connection; raises CtlError if it broke."""
        if self.batch is None or self.batch.poll() is not None:
            self.batch = subprocess.Popen(
                [self.c.ctl, "--host", self.host, "--port", str(self.pport),
                 "--secret", self.secret, "-"],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                text=True, bufsize=1)
        line = ("@%s " % cl if cl else "") + " ".join(str(a) for a in args) + "\n"
        try:
            self.batch.stdin.write(line)
            self.batch.stdin.flush()
            out = self.batch.stdout.readline()
        except (BrokenPipeError, OSError):
            out = ""
        if not out:
            self.close_batch()
            raise CtlError(3, "", "connection lost")
        tag, _, body = out.partition(" ")
        return tag == "OK", json.loads(body)

    def close_batch(self):
        if self.batch is not None:
            try:
                self.batch.stdin.close()
            except OSError:
                pass
            try:
                self.batch.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.batch.kill()
            self.batch = None

    def status(self):
        return self.ctl("status")

    def dump(self):
        """{key_hex: (hlc, node, tombstone, value_hex, token)} of this node."""
        out = {}
        for r in self.ctl("dump"):
            out[r["key_hex"]] = (r["version"][0], r["version"][1], r["tombstone"],
                                 r.get("value_hex"), int(r["token"], 16))
        return out

    def merkle(self):
        return {(p["lo"], p["hi"]): p["root"] for p in self.ctl("merkle")["partitions"]}

    def log_text(self):
        with open(self.log, errors="replace") as f:
            return f.read()


class Cluster:
    def __init__(self, ringdb, ctl, n=3, base_port=30200, rf=3, per_node_ip=False, extra=None):
        self.ringdb, self.ctl = ringdb, ctl
        self.base_port, self.rf, self.per_node_ip = pick_base(base_port), rf, per_node_ip
        self.peer_base = self.base_port + 50
        if os.environ.get("RINGDB_MULTINODE_PORTS"):
            sql, peer = os.environ["RINGDB_MULTINODE_PORTS"].split(":")
            self.base_port, self.peer_base = int(sql), int(peer)
        self.extra = extra or []
        self.tmp = tempfile.mkdtemp(prefix="ringdb-multinode-")
        self.nodes = []
        self.nodes = [Node(self, i) for i in range(1, n + 1)]

    def start(self):
        for n in self.nodes:
            n.start()

    def start_joining(self, node, via):
        """Start node with --join via (a running member) instead of --peers."""
        args = node.args()
        i = args.index("--peers")
        args[i:i + 2] = ["--join", via.addr]
        with open(node.log, "a") as logf:
            node.proc = subprocess.Popen(args, stdout=logf, stderr=logf)

    def live(self):
        return [n for n in self.nodes if n.alive()]

    def wait_up(self, nodes=None, timeout=15):
        """Wait until every given node sees every other given node up."""
        nodes = nodes or self.live()
        ids = {n.id for n in nodes}
        deadline = time.time() + timeout
        last = None
        while time.time() < deadline:
            try:
                ok = True
                for n in nodes:
                    st = n.status()
                    up = {m["id"] for m in st["members"] if m["state"] == "up" and
                          (m["id"] == n.id or m.get("link"))}
                    if not ids <= up:
                        ok = False
                        last = (n.id, up)
                        break
                if ok:
                    return
            except (CtlError, ValueError) as e:
                last = e
            time.sleep(0.1)
        raise RuntimeError("cluster did not come up: %s" % (last,))

    def wait_hints_delivered(self, timeout=15):
        deadline = time.time() + timeout
        while time.time() < deadline:
            pending = 0
            for n in self.live():
                for m in n.status()["members"]:
                    if "hints" in m:
                        pending += m["hints"]["count"] + m["unacked_frames"]
            if pending == 0:
                return True
            time.sleep(0.1)
        return False

    def wait_converged(self, timeout=10):
        """Poll the convergence checker over the live nodes until every
        replica agrees or timeout passes; the differences left ([] when
        converged), printed."""
        deadline = time.time() + timeout
        while convergence(self.live(), verbose=False) and time.time() < deadline:
            time.sleep(0.2)
        return convergence(self.live())

    def finish(self, T, conns=()):
        """The end of a test: close conns, stop every node (keeping the logs
        when a check failed), count a bad exit or a sanitizer report as a
        failed check, print the summary.  Returns the exit status."""
        for conn in conns:
            try:
                conn.close()
            except Exception:  # noqa: BLE001 - a connection to a killed node
                pass
        for p in self.stop(keep=bool(T.fails)):
            T.check(False, p)
        if T.fails:
            print("logs kept in", self.tmp)
        return T.done()

    def run(self, T, tests):
        """Start the cluster, run each test(c) in turn (printing its time),
        turn an exception into a failed check, finish.  The exit status."""
        try:
            self.start()
            self.wait_up()
            for t in tests:
                t0 = time.time()
                t(self)
                print("%s: %.1fs" % (t.__name__, time.time() - t0), flush=True)
        except Exception as e:  # noqa: BLE001
            import traceback
            traceback.print_exc()
            T.check(False, "exception: %s" % e)
        return self.finish(T)

    def stop(self, keep=False):
        """SIGTERM every node.  Returns the problems seen: a node that did not
        exit 0 on SIGTERM, or a sanitizer report in a log."""
        problems = []
        for n in self.nodes:
            was_alive = n.alive()
            n.kill(signal.SIGTERM)
            if was_alive and n.proc.returncode != 0:
                problems.append("node %d exited %d on SIGTERM" % (n.id, n.proc.returncode))
            if os.path.exists(n.log):
                text = n.log_text()
                for bad in ("Sanitizer", "runtime error:"):
                    if bad in text:
                        problems.append("node %d log reports %r" % (n.id, bad))
        if not keep and not problems:
            shutil.rmtree(self.tmp, ignore_errors=True)
        return problems


def convergence(nodes, verbose=True):
    """Compare every replica's content of every partition.

    Returns a list of differences (partition, key, {node: version/value});
    prints them when verbose.  An empty list means every partition's replicas
    hold the same newest version of every key (tombstones included)."""
    status = nodes[0].status()
    parts = [(int(p["lo"], 16), int(p["hi"], 16), p["replicas"]) for p in
             status["ring"]["partitions"]]
    dumps = {n.id: n.dump() for n in nodes}
    live = set(dumps)
    diffs = []
    keys = set()
    for d in dumps.values():
        keys.update(d.keys())
    for k in sorted(keys):
        token = next(d[k][4] for d in dumps.values() if k in d)
        reps = None
        for lo, hi, r in parts:
            if covers(lo, hi, token):
                reps = r
                break
        if reps is None:
            reps = list(live)
        if k.startswith("01"):  # catalog keys live on every member
            reps = list(live)
        seen = {}
        for nid in reps:
            if nid not in live:
                continue
            v = dumps[nid].get(k)
            seen[nid] = None if v is None else v[:4]
        if len(set(seen.values())) > 1:
            diffs.append((token, k, seen))
    if verbose:
        for token, k, seen in diffs:
            print("  differs: key %s (token %016x): %s" % (
                bytes.fromhex(k).decode(errors="replace"), token,
                ", ".join("node %d=%s" % (nid, v) for nid, v in sorted(seen.items()))),
                flush=True)
    return diffs


def merkle_agree(nodes, verbose=True):
    """True when every partition's Merkle root is the same on all its live
    replicas (each node reports the partitions it replicates)."""
    roots = {}
    for n in nodes:
        for rng, root in n.merkle().items():
            roots.setdefault(rng, {})[n.id] = root
    bad = {rng: r for rng, r in roots.items() if len(set(r.values())) > 1}
    if verbose:
        for rng, r in sorted(bad.items()):
            print("  merkle differs on (%s, %s]: %s" % (rng[0], rng[1], r), flush=True)
    return not bad


class Checks:
    """Counting assertions: a test prints each failure and exits 1 at the end."""

    def __init__(self, name):
        self.name, self.count, self.fails = name, 0, []
        self.t0 = time.time()

    def check(self, cond, what):
        self.count += 1
        if not cond:
            self.fails.append(what)
            print("FAIL:", what, flush=True)
        return cond

    def done(self):
        print("%s: %d checks, %d failed, %.1fs" % (self.name, self.count, len(self.fails),
                                                    time.time() - self.t0), flush=True)
        return 1 if self.fails else 0


def run_parallel(fns):
    """Run callables at once (threads); returns their results in order."""
    res = [None] * len(fns)
    errs = []

    def wrap(i, f):
        try:
            res[i] = f()
        except Exception as e:  # noqa: BLE001 - reported to the caller
            errs.append(e)

    ts = [threading.Thread(target=wrap, args=(i, f)) for i, f in enumerate(fns)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    if errs:
        raise errs[0]
    return res


if __name__ == "__main__":
    # Check a running cluster: cluster.py CTL SECRET HOST:PPORT...
    ctl, secret, addrs = sys.argv[1], sys.argv[2], sys.argv[3:]

    class _C:  # a minimal stand-in for Cluster
        pass

    fake = _C()
    fake.ctl, fake.per_node_ip, fake.base_port, fake.tmp = ctl, False, 0, "/tmp"
    ns = []
    for i, a in enumerate(addrs):
        n = Node.__new__(Node)
        n.c, n.id, n.secret, n.batch = fake, i + 1, secret, None
        n.host, p = a.rsplit(":", 1)
        n.pport = int(p)
        ns.append(n)
    for n in ns:
        n.id = n.status()["node"]
    d = convergence(ns)
    print("%d differences" % len(d))
    sys.exit(1 if d else 0)
