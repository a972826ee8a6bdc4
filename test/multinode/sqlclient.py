#!/usr/bin/python3
"""psycopg2 helpers shared by the multinode SQL tests."""
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


def poll(fn, want, timeout=10):
    """fn() until it returns want (or timeout); the last value.  A SQL error
    is returned as a string."""
    deadline = time.time() + timeout
    while True:
        try:
            got = fn()
        except psycopg2.Error as e:
            got = "error %s: %s" % (e.pgcode, str(e).strip())
        if got == want or time.time() > deadline:
            return got
        time.sleep(0.1)
