#!/usr/bin/python3
"""Binary COPY round trips between PostgreSQL 15 and ringdb (issue 4).

Run under test/sqllogictest/with-pg, which starts a throw-away PostgreSQL 15
and exports PGHOST/PGPORT.  A table of every type with binary I/O is filled
in PostgreSQL, exported with psql's \\copy ... (format binary), imported into
ringdb, exported from ringdb and imported into PostgreSQL again: the rows
(as text) must be equal at every step and ringdb's file must be
byte-identical to PostgreSQL's.  The table survives a restart of ringdb.
Then malformed binary COPY data gets the same SQLSTATE and message from
both servers (psycopg2's copy_expert), and the connection survives.

Usage: with-pg test_copy_binary.py RINGDB
"""
import io
import os
import subprocess
import sys
import tempfile

import psycopg2

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ringnode  # noqa: E402

RINGDB = sys.argv[1]
PORTS = range(43300, 43400)
T = ringnode.Checks()

COLUMNS = """id int PRIMARY KEY, i2 smallint, i4 int, i8 bigint, f4 real, f8 double precision,
    num numeric, num2 numeric(10,3), t text, vc varchar(10), bp char(5), by bytea, b boolean,
    d date, tm time, ts timestamp, tz timestamptz, iv interval, u uuid, j json, jb jsonb,
    ai int[], at text[], a2 int[], an numeric[], ip inet, cd cidr"""

ROWS = [
    "(1, 1, 2, 3, 1.5, 2.25, 123.456, 1.5, 'hello', 'vc', 'ab', '\\x00ff10', true, '2024-02-29',"
    " '12:34:56.789', '2001-02-03 04:05:06.5', '2001-02-03 04:05:06+00', '1 year 2 mons 3 days 04:05:06',"
    " 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{\"a\": [1, 2]}', '{\"b\": {\"c\": null}, \"a\": 1}',"
    " '{1,NULL,3}', '{\"x y\",\"\",NULL}', '{{1,2},{3,4}}', '{1.5,-2}', '192.168.1.5/24', '10.0.0.0/8')",
    "(2, -32768, -2147483648, -9223372036854775808, 'NaN', '-Infinity', '-0.000001', -9999999.999,"
    " '', '', '', '', false, '-infinity', '00:00', 'infinity', '1970-01-01 00:00:00+00', '-1 days -00:00:01',"
    " '00000000-0000-0000-0000-000000000000', 'null', '[]', '{}', '{}', '[0:1][-1:0]={{5,6},{7,8}}', '{}',"
    " '::1', '2001:db8::/32')",
    "(3, 32767, 2147483647, 9223372036854775807, 'Infinity', 1e300, 'NaN', 0, 'é ünïcode\\ttab',"
    " 'x', 'abcde', '\\x', NULL, '1999-12-31', '23:59:59.999999', '2000-01-01', '2100-06-30 12:00:00+00',"
    " '0', NULL, '\"s\"', '3.5', '{-1}', '{{a,b},{c,d}}', '{{{1}},{{2}}}', '{NaN}', '0.0.0.0/0', '0.0.0.0/0')",
    "(4, NULL, NULL, NULL, NULL, NULL, 12345678901234567890.123456789, NULL, NULL, NULL, NULL, NULL,"
    " NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)",
]


def psql(host, port, *cmds):
    """Run psql commands (-c each); returns (exit status, stdout, stderr)."""
    args = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", str(host), "-p", str(port),
            "-U", "postgres", "-d", "postgres"]
    for c in cmds:
        args += ["-c", c]
    env = dict(os.environ, PGOPTIONS="-c TimeZone=UTC -c DateStyle=ISO,MDY -c extra_float_digits=1")
    p = subprocess.run(args, capture_output=True, text=True, env=env)
    return p.returncode, p.stdout, p.stderr


def rows_text(cur, table):
    """Every row of table as text, column by column, in id order."""
    cur.execute("SELECT * FROM %s ORDER BY id" % table)
    ncol = len(cur.description)
    names = [c.name for c in cur.description]
    cur.execute("SELECT %s FROM %s ORDER BY id" % (", ".join("%s::text" % n for n in names), table))
    rows = cur.fetchall()
    T.ok(all(len(r) == ncol for r in rows), "column count")
    return rows


def compare(what, got, want):
    if got == want:
        return T.ok(True, what)
    lines = []
    for g, w in zip(got, want):
        for i, (x, y) in enumerate(zip(g, w)):
            if x != y:
                lines.append("row id %s column %d: got %r expected %r" % (w[0], i, x, y))
    if len(got) != len(want):
        lines.append("%d rows, expected %d" % (len(got), len(want)))
    return T.ok(False, "%s:\n  %s" % (what, "\n  ".join(lines)))


def copy_in(cur, sql, data):
    """COPY ... FROM STDIN with data; returns (sqlstate, message) or None."""
    try:
        cur.copy_expert(sql, io.BytesIO(data))
        return None
    except psycopg2.Error as e:
        return (e.pgcode, (e.pgerror or "").split("\n")[0])


def header(flags=0, ext=b""):
    return b"PGCOPY\n\xff\r\n\x00" + flags.to_bytes(4, "big") + len(ext).to_bytes(4, "big") + ext


def tup(*fields):
    out = len(fields).to_bytes(2, "big", signed=True)
    for f in fields:
        out += (-1).to_bytes(4, "big", signed=True) if f is None else len(f).to_bytes(4, "big") + f
    return out


TRAILER = (-1).to_bytes(2, "big", signed=True)
I4 = lambda v: v.to_bytes(4, "big", signed=True)  # noqa: E731

BAD = [
    ("signature", b"PGCOPY\nXX\r\n\x00" + bytes(8) + TRAILER),
    ("short signature", b"PGCO"),
    ("missing flags", b"PGCOPY\n\xff\r\n\x00\x00\x00"),
    ("WITH OIDS", header(1 << 16) + TRAILER),
    ("critical flag", header(1 << 20) + TRAILER),
    ("missing length", header()[:17]),
    ("wrong length", header()[:15] + (100).to_bytes(4, "big") + b"abc"),
    ("field count", header() + tup(I4(1)) + TRAILER),
    ("truncated tuple", header() + tup(I4(1), b"abc")[:-2]),
    ("data after trailer", header() + tup(I4(1), b"x") + TRAILER + b"\x00"),
    ("int4 too short", header() + tup(b"\x00\x01", b"x") + TRAILER),
    ("int4 too long", header() + tup(b"\x00\x00\x00\x00\x01", b"x") + TRAILER),
    ("invalid field size", header() + (2).to_bytes(2, "big") + (-5).to_bytes(4, "big", signed=True) + TRAILER),
    ("duplicate key", header() + tup(I4(7), b"a") + tup(I4(7), b"b") + TRAILER),
    ("null in primary key", header() + tup(None, b"a") + TRAILER),
]


def main():
    pghost, pgport = os.environ.get("PGHOST"), os.environ.get("PGPORT")
    if not pghost or not pgport:
        print("test_copy_binary: run under test/sqllogictest/with-pg")
        return 77
    d, port, proc = ringnode.start(RINGDB, "copy-binary-test-", PORTS)
    work = tempfile.mkdtemp(prefix="copy-binary-files-")
    f_pg, f_rdb = os.path.join(work, "pg.bin"), os.path.join(work, "ringdb.bin")
    try:
        pg = psycopg2.connect(host=pghost, port=pgport, user="postgres", dbname="postgres")
        rdb = psycopg2.connect(host="127.0.0.1", port=port, user="postgres", dbname="postgres")
        for c in (pg, rdb):
            c.autocommit = True
            c.cursor().execute("SET TimeZone = 'UTC'")
        pcur, rcur = pg.cursor(), rdb.cursor()
        pcur.execute("CREATE TABLE ty (%s)" % COLUMNS)
        pcur.execute("INSERT INTO ty VALUES %s" % ", ".join(ROWS))
        want = rows_text(pcur, "ty")

        # PostgreSQL -> file -> ringdb (in id order: ringdb's table order is
        # its hash partitioning's)
        rc, _, err = psql(pghost, pgport, "\\copy (SELECT * FROM ty ORDER BY id) to '%s' (format binary)" % f_pg)
        T.ok(rc == 0, "psql \\copy to from PostgreSQL: %s" % err)
        rcur.execute("CREATE TABLE ty (%s)" % COLUMNS)
        rc, out, err = psql("127.0.0.1", port, "\\copy ty from '%s' (format binary)" % f_pg)
        T.ok(rc == 0, "psql \\copy from into ringdb: %s" % err)
        compare("ringdb rows after binary import", rows_text(rcur, "ty"), want)

        # ringdb -> file -> PostgreSQL
        rc, _, err = psql("127.0.0.1", port, "\\copy (SELECT * FROM ty ORDER BY id) to '%s' (format binary)" % f_rdb)
        T.ok(rc == 0, "psql \\copy to from ringdb: %s" % err)
        with open(f_pg, "rb") as a, open(f_rdb, "rb") as b:
            pa, pb = a.read(), b.read()
        T.ok(pa == pb, "ringdb's binary file equals PostgreSQL's (%d vs %d bytes, first difference at %s)"
             % (len(pb), len(pa), next((i for i in range(min(len(pa), len(pb))) if pa[i] != pb[i]), "end")))
        pcur.execute("CREATE TABLE ty2 (%s)" % COLUMNS)
        rc, _, err = psql(pghost, pgport, "\\copy ty2 from '%s' (format binary)" % f_rdb)
        T.ok(rc == 0, "psql \\copy from into PostgreSQL: %s" % err)
        compare("PostgreSQL rows after importing ringdb's file", rows_text(pcur, "ty2"), want)

        # COPY table TO (ringdb's row order) into PostgreSQL
        b = io.BytesIO()
        rcur.copy_expert("COPY ty TO STDOUT (FORMAT binary)", b)
        pcur.execute("CREATE TABLE ty3 (%s)" % COLUMNS)
        T.ok(copy_in(pcur, "COPY ty3 FROM STDIN (FORMAT binary)", b.getvalue()) is None, "COPY ty TO -> PostgreSQL")
        compare("PostgreSQL rows after COPY ty TO from ringdb", rows_text(pcur, "ty3"), want)

        # a column list, COPY (query) TO, and an empty table
        for c in (pcur, rcur):
            c.execute("CREATE TABLE sub (id int PRIMARY KEY, a2 int[], cd cidr, t text)")
        buf = {}
        for name, c in (("pg", pcur), ("ringdb", rcur)):
            b = io.BytesIO()
            c.copy_expert("COPY (SELECT id, a2, cd FROM ty WHERE id < 4 ORDER BY id) TO STDOUT (FORMAT binary)", b)
            buf[name] = b.getvalue()
        T.ok(buf["pg"] == buf["ringdb"], "COPY (query) TO binary: same bytes")
        T.ok(copy_in(rcur, "COPY sub (id, a2, cd) FROM STDIN (FORMAT binary)", buf["pg"]) is None,
             "COPY sub (cols) FROM binary")
        rcur.execute("SELECT id, a2::text, cd::text, t FROM sub ORDER BY id")
        pcur.execute("SELECT id, a2::text, cd::text, NULL::text FROM ty WHERE id < 4 ORDER BY id")
        compare("column list import", rcur.fetchall(), pcur.fetchall())
        for name, c in (("pg", pcur), ("ringdb", rcur)):
            b = io.BytesIO()
            c.copy_expert("COPY (SELECT * FROM sub WHERE false) TO STDOUT (FORMAT binary)", b)
            buf[name] = b.getvalue()
        T.ok(buf["pg"] == buf["ringdb"] == header() + TRAILER, "empty binary COPY TO: header and trailer")

        # restart: the rows (multidimensional arrays, cidr) were stored
        rdb.close()
        ringnode.stop(proc)
        proc = ringnode.launch(RINGDB, d, port)
        rdb = psycopg2.connect(host="127.0.0.1", port=port, user="postgres", dbname="postgres")
        rdb.autocommit = True
        rcur = rdb.cursor()
        rcur.execute("SET TimeZone = 'UTC'")
        compare("ringdb rows after a restart", rows_text(rcur, "ty"), want)

        # malformed data: the same error from both servers, nothing loaded
        for c in (pcur, rcur):
            c.execute("CREATE TABLE bad (id int PRIMARY KEY, t text)")
        for what, data in BAD:
            e_pg = copy_in(pcur, "COPY bad FROM STDIN (FORMAT binary)", data)
            e_rdb = copy_in(rcur, "COPY bad FROM STDIN (FORMAT binary)", data)
            T.ok(e_pg is not None and e_pg == e_rdb, "%s: PostgreSQL %r, ringdb %r" % (what, e_pg, e_rdb))
        rcur.execute("SELECT count(*) FROM bad")
        T.ok(rcur.fetchone()[0] == 0, "no rows loaded by the failed COPYs")
        for opt in ("DELIMITER ','", "NULL 'x'", "HEADER", "QUOTE '\"'"):
            sql = "COPY bad FROM STDIN (FORMAT binary, %s)" % opt
            T.ok(copy_in(pcur, sql, b"") == copy_in(rcur, sql, b""), "option %s in binary mode" % opt)
        ok = copy_in(rcur, "COPY bad FROM STDIN (FORMAT binary)", header() + tup(I4(1), b"one") + TRAILER)
        rcur.execute("SELECT id, t FROM bad")
        T.ok(ok is None and rcur.fetchall() == [(1, "one")], "the session works after the errors")
        pg.close()
        rdb.close()
    except Exception as e:  # noqa: BLE001 - report, then fail
        T.ok(False, "exception: %r" % e)
    finally:
        for f in (f_pg, f_rdb):
            if os.path.exists(f):
                os.unlink(f)
        os.rmdir(work)
    return ringnode.finish(T, "test_copy_binary", proc, d)


if __name__ == "__main__":
    sys.exit(main())
