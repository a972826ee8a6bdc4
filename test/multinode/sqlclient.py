#!/usr/bin/python3
"""psycopg2 helpers shared by the multinode SQL tests."""
import json
import threading
import time

import psycopg2


def connect(node, timeout=15):
    """An autocommit connection to node's SQL port, retried until it is up."""
    deadline = time.time() + timeout
    while True:
        try:
            conn = psycopg2.connect(host="127.0.0.1", port=node.port, user="postgres",
                                    dbname="postgres", connect_timeout=3)
            conn.autocommit = True
            return conn
        except psycopg2.OperationalError:
            if time.time() > deadline:
                raise
            time.sleep(0.1)


def query(conn, sql, args=None):
    """The rows of sql, or None for a statement without a result."""
    with conn.cursor() as cur:
        cur.execute(sql, args)
        return cur.fetchall() if cur.description else None


def poll(fn, want, timeout=10, interval=0.1):
    """fn() every interval seconds until it returns want (or timeout); the
    last value.  A SQL error is returned as a string."""
    deadline = time.time() + timeout
    while True:
        try:
            got = fn()
        except psycopg2.Error as e:
            got = "error %s: %s" % (e.pgcode, str(e).strip())
        if got == want or time.time() > deadline:
            return got
        time.sleep(interval)


def one(conn, sql, args=None):
    """The single value of sql's first row."""
    return query(conn, sql, args)[0][0]


def local_ids(conn, table):
    """The ids in this node's own store (a scan at ONE reads locally)."""
    query(conn, "SET ringdb.consistency = 'one'")
    return {r[0] for r in query(conn, "SELECT id FROM %s" % table)}


def placement(conn, table, key):
    """ringdb_key_placement of key: partition, token, replicas."""
    return json.loads(one(conn, "SELECT ringdb_key_placement(%s, %s)", (table, str(key))))


def owners(conn, table, ids):
    """{node: set of ids it replicates} from ringdb_key_placement."""
    own = {}
    for i in ids:
        for nid in placement(conn, table, i)["replicas"]:
            own.setdefault(nid, set()).add(i)
    return own


def hash_and_range_tables(conn, splits=("100", "200", "300"), rows=400):
    """Tables h (hash-partitioned) and r (range-partitioned, split at
    splits), with ids 0..rows-1 in each."""
    query(conn, "CREATE TABLE h (id int PRIMARY KEY, v text)")
    query(conn, "CREATE TABLE r (id int PRIMARY KEY, v text) PARTITION BY RANGE (id)")
    for k in splits:
        query(conn, "SELECT ringdb_split_partition('r', %s)", (k,))
    query(conn, "INSERT INTO h SELECT g, 'h' || g FROM generate_series(0, %s) g", (rows - 1,))
    query(conn, "INSERT INTO r SELECT g, 'r' || g FROM generate_series(0, %s) g", (rows - 1,))


class Workers:
    """Threads running the given methods until stop() (set self.stopping)."""

    def __init__(self, *targets):
        self.stopping = False
        self.threads = [threading.Thread(target=t) for t in targets]

    def start(self):
        for t in self.threads:
            t.start()

    def stop(self):
        self.stopping = True
        for t in self.threads:
            t.join()


class Writer(Workers):
    """A thread inserting (i, 'w<i>') into table at QUORUM on node, i
    counting up from start, every 10 ms until stop(): acked holds the ids
    acknowledged (appended under lock), errors what failed.  more: other
    methods to run beside it, on threads of their own."""

    def __init__(self, node, table, start, *more):
        self.node, self.table, self.next = node, table, start
        self.acked, self.errors = [], []
        self.lock = threading.Lock()
        Workers.__init__(self, self.write, *more)

    def write(self):
        conn = connect(self.node)
        query(conn, "SET ringdb.consistency = 'quorum'")
        while not self.stopping:
            i = self.next
            self.next += 1
            try:
                query(conn, "INSERT INTO %s VALUES (%%s, %%s)" % self.table, (i, "w%d" % i))
                with self.lock:
                    self.acked.append(i)
            except psycopg2.Error as e:
                self.errors.append("insert %d: %s %s" % (i, e.pgcode, str(e).strip()))
            time.sleep(0.01)
        conn.close()
