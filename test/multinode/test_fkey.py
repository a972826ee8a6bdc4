#!/usr/bin/python3
"""FOREIGN KEY constraints on a 3-node cluster (RF 3): the constraint lives
in the referencing table's catalog record, so it replicates with it.

CREATE TABLE with REFERENCES on node 1; once the catalog reached them,
nodes 2 and 3 enforce it (23503 on an INSERT without its referenced row,
on a DELETE of a referenced row), run ON DELETE CASCADE, and see the
constraint dropped by ALTER TABLE ... DROP CONSTRAINT on node 1; the
replicas converge.

Usage: test_fkey.py RINGDB RINGDB_CTL
"""
import os
import sys

import psycopg2

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cluster import Checks, Cluster, merkle_agree  # noqa: E402
from sqlclient import connect, poll, query  # noqa: E402

RINGDB, CTL = sys.argv[1], sys.argv[2]
T = Checks("multinode-fkey")


def sqlstate(conn, sql):
    """The SQLSTATE a statement ends with ('00000' on success)."""
    try:
        query(conn, sql)
        return "00000"
    except psycopg2.Error as e:
        return e.pgcode


def main():
    c = Cluster(RINGDB, CTL, n=3, base_port=41200, rf=3)
    conns = []
    try:
        c.start()
        c.wait_up(timeout=20)
        conns = [connect(n) for n in c.nodes]
        c1, c2, c3 = conns
        query(c1, "CREATE TABLE fp (a integer PRIMARY KEY, n text)")
        query(c1, "CREATE TABLE fc (id integer PRIMARY KEY, x integer REFERENCES fp ON DELETE CASCADE)")
        query(c1, "CREATE TABLE fr (id integer PRIMARY KEY, y integer REFERENCES fp)")
        query(c1, "INSERT INTO fp VALUES (1, 'one'), (2, 'two'), (3, 'three')")
        # the constraint reached the other nodes with the catalog
        T.check(poll(lambda: sqlstate(c2, "INSERT INTO fc VALUES (1, 9)"), "23503") == "23503",
                "node 2: INSERT without a referenced row is 23503")
        T.check(poll(lambda: sqlstate(c3, "INSERT INTO fr VALUES (1, 7)"), "23503") == "23503",
                "node 3: INSERT without a referenced row is 23503")
        T.check(poll(lambda: query(c2, "SELECT count(*) FROM fp"), [(3,)]) == [(3,)],
                "node 2 has the referenced rows")
        T.check(sqlstate(c2, "INSERT INTO fc VALUES (1, 1), (2, 1), (3, 2)") == "00000",
                "node 2: rows with their referenced rows go in")
        T.check(poll(lambda: query(c3, "SELECT count(*) FROM fc"), [(3,)]) == [(3,)],
                "node 3 sees node 2's rows")
        T.check(sqlstate(c3, "INSERT INTO fr VALUES (1, 3)") == "00000", "node 3: a RESTRICTing row")
        T.check(poll(lambda: query(c1, "SELECT count(*) FROM fr"), [(1,)]) == [(1,)],
                "node 1 sees node 3's row")
        # NO ACTION on node 1 over node 3's row; CASCADE on node 3
        try:
            query(c1, "DELETE FROM fp WHERE a = 3")
            T.check(False, "node 1: DELETE of a referenced row must fail")
        except psycopg2.Error as e:
            T.check(e.pgcode == "23503" and 'on table "fr"' in e.pgerror,
                    "node 1: DELETE of a referenced row: %s %s" % (e.pgcode, e.pgerror))
        T.check(sqlstate(c3, "DELETE FROM fp WHERE a = 1") == "00000", "node 3: DELETE cascades")
        T.check(poll(lambda: query(c2, "SELECT id, x FROM fc ORDER BY id"), [(3, 2)]) == [(3, 2)],
                "node 2 sees the cascade's result")
        # DROP CONSTRAINT on node 1 reaches node 2
        query(c1, "ALTER TABLE fr DROP CONSTRAINT fr_y_fkey")
        T.check(poll(lambda: sqlstate(c2, "INSERT INTO fr VALUES (2, 99)"), "00000") == "00000",
                "node 2: after DROP CONSTRAINT on node 1 the row goes in")
        T.check(not c.wait_converged(), "replicas converge")
        T.check(merkle_agree(c.live()), "merkle roots agree")
    finally:
        return c.finish(T, conns)


if __name__ == "__main__":
    sys.exit(main())
