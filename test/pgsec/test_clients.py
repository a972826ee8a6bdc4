#!/usr/bin/python3
"""Real libpq clients (psycopg2) against auth_server, which is built from
the pgsec pieces only: every auth method with right and wrong passwords,
unknown users, hostssl/hostnossl rules, TLS with sslmode=require and
verify-ca, and SCRAM channel binding (channel_binding=require).

    test_clients.py AUTH_SERVER MAKE_CERT
"""
import os
import subprocess
import sys
import tempfile

import psycopg2

ALICE = "SCRAM-SHA-256$4096:3VDQX2IewjmvRHhmoWZxog==$WMPz3oMmz5tbB3awUuiST7SL06uFZ9evAo/hr/riCSA=:aAnoeYUdOOxciWvgBkCCJgc2J0rO0yKE8EXGRd6ASDc="
BOB = "md58cc7ff7afbc8551bd526b65944c17b36"

HBA = """
host      all all_trust  127.0.0.1/32 trust
host      all bob        127.0.0.1/32 md5
hostssl   all carol      127.0.0.1/32 password
hostnossl all carol      127.0.0.1/32 reject
hostnossl all sslonly    127.0.0.1/32 reject
host      all all        127.0.0.1/32 scram-sha-256
"""

failures = 0


def check(name, ok, detail=""):
    global failures
    print(("ok   " if ok else "FAIL ") + name + (" -- " + detail if detail and not ok else ""))
    if not ok:
        failures += 1


def connect(port, user, password=None, **kw):
    args = dict(host="127.0.0.1", port=port, user=user, dbname="postgres", connect_timeout=10)
    args.setdefault("sslmode", "disable")
    args.update(kw)
    if password is not None:
        args["password"] = password
    conn = psycopg2.connect(**args)
    try:
        cur = conn.cursor()
        ssl = conn.info.ssl_in_use
        cur.close()
    finally:
        conn.close()
    return ssl


def expect_ok(name, port, user, password=None, want_ssl=None, **kw):
    try:
        ssl = connect(port, user, password, **kw)
        check(name, want_ssl is None or ssl == want_ssl, "ssl_in_use=%s" % ssl)
    except psycopg2.Error as e:
        check(name, False, str(e).strip())


def expect_fail(name, port, user, password, text, **kw):
    try:
        connect(port, user, password, **kw)
        check(name, False, "connected")
    except psycopg2.Error as e:
        check(name, text in str(e), str(e).strip())


def main():
    server, make_cert = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory(prefix="pgsec_clients_") as d:
        certs, other = os.path.join(d, "certs"), os.path.join(d, "other")
        subprocess.run([make_cert, certs], check=True, stdout=subprocess.DEVNULL)
        subprocess.run([make_cert, other], check=True, stdout=subprocess.DEVNULL)
        with open(os.path.join(d, "hba"), "w") as f:
            f.write(HBA)
        with open(os.path.join(d, "roles"), "w") as f:
            f.write("ringdb-roles 1\n")
            for name, v in (("alice", ALICE), ("bob", BOB), ("carol", "plain secret"),
                            ("sslonly", ALICE), ("all_trust", "")):
                f.write("%s\t1\t0\t0\t%s\n" % (name, v))
        p = subprocess.Popen([server, certs, os.path.join(d, "hba"), d], stdout=subprocess.PIPE)
        try:
            port = int(p.stdout.readline())
            pw = "Wonder land!1"
            fail = 'password authentication failed for user "%s"'
            # SCRAM
            expect_ok("scram right password", port, "alice", pw, want_ssl=False)
            expect_fail("scram wrong password", port, "alice", "nope", fail % "alice")
            expect_fail("scram unknown user", port, "nobody", pw, fail % "nobody")
            expect_ok("scram over TLS (sslmode=require)", port, "alice", pw, want_ssl=True,
                      sslmode="require")
            expect_ok("scram channel_binding=require", port, "alice", pw, want_ssl=True,
                      sslmode="require", channel_binding="require")
            expect_fail("channel_binding=require without TLS", port, "alice", pw,
                        "channel binding", channel_binding="require")
            expect_fail("channel binding wrong password", port, "alice", "x", fail % "alice",
                        sslmode="require", channel_binding="require")
            # TLS verification
            expect_ok("sslmode=verify-ca with the CA", port, "alice", pw, want_ssl=True,
                      sslmode="verify-ca", sslrootcert=os.path.join(certs, "ca.crt"))
            expect_ok("sslmode=verify-full localhost", port, "alice", pw, want_ssl=True,
                      sslmode="verify-full", sslrootcert=os.path.join(certs, "ca.crt"),
                      host="localhost")
            expect_fail("sslmode=verify-ca with another CA", port, "alice", pw,
                        "certificate verify failed", sslmode="verify-ca",
                        sslrootcert=os.path.join(other, "ca.crt"))
            # md5
            expect_ok("md5 right password", port, "bob", "builder")
            expect_fail("md5 wrong password", port, "bob", "builder2", fail % "bob")
            # cleartext: only by the hostssl rule
            expect_ok("password over TLS", port, "carol", "plain secret", want_ssl=True,
                      sslmode="require")
            expect_fail("password wrong over TLS", port, "carol", "plain", fail % "carol",
                        sslmode="require")
            expect_fail("hostnossl reject", port, "carol", "plain secret",
                        "pg_hba.conf rejects connection", sslmode="disable")
            expect_fail("hostnossl reject (sslonly)", port, "sslonly", pw,
                        "pg_hba.conf rejects connection", sslmode="disable")
            expect_ok("hostssl passes sslonly over TLS", port, "sslonly", pw, sslmode="require")
            # trust
            expect_ok("trust", port, "all_trust", None)
        finally:
            p.kill()
            p.wait()
    print("%d failure(s)" % failures)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
