#!/usr/bin/python3
"""End-to-end authentication, pg_hba and TLS tests against build/ringdb.

    test_pgauth.py RINGDB_BINARY

Each case starts a real ringdb (its own data directory and Unix socket
directory, a free TCP port in 32000-32999) and logs in with psql, psycopg2
and a raw-socket client that speaks the cleartext, md5 and SCRAM-SHA-256
exchanges itself, so that SQLSTATEs of failed logins can be checked.
A test CA and server certificate are made with openssl here.
"""
import base64
import hashlib
import hmac
import os
import random
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import traceback

import psycopg2

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pgwire"))
from pgproto import error_fields, msg, startup_packet  # noqa: E402

RINGDB = os.path.abspath(sys.argv[1])
FAILS = []
COUNT = 0
PASSWORD = "s3cret pass"
ROOT = tempfile.mkdtemp(prefix="pgauth-test-")
SERVERS = []  # every ringdb started, killed at the end whatever happened


def check(cond, what):
    global COUNT
    COUNT += 1
    if not cond:
        FAILS.append(what)
        print("FAIL:", what, flush=True)


def free_port():
    for _ in range(200):
        p = random.randint(32000, 32999)
        s = socket.socket()
        try:
            s.bind(("127.0.0.1", p))
            return p
        except OSError:
            continue
        finally:
            s.close()
    raise RuntimeError("no free port in 32000-32999")


class Server:
    """A ringdb node.  data: a data directory to reuse (else a new one).
    backend: the auth machinery is tested against the built-in engine, which
    knows every role name; "sql" runs the SQL engine (roles made with SQL)."""

    def __init__(self, *args, env_password=None, data=None, expect_fail=False, backend="builtin"):
        self.tmp = tempfile.mkdtemp(prefix="srv-", dir=ROOT)
        self.sock = os.path.join(self.tmp, "s")
        os.mkdir(self.sock)
        self.data = data or os.path.join(self.tmp, "data")
        self.log = os.path.join(self.tmp, "log")
        env = dict(os.environ)
        env.pop("RINGDB_PASSWORD", None)
        if env_password is not None:
            env["RINGDB_PASSWORD"] = env_password
        for _ in range(10):
            self.port = free_port()
            self.proc = subprocess.Popen(
                [RINGDB, "--data-dir", self.data, "--port", str(self.port),
                 "--unix-socket-dir", self.sock, "--log-level", "debug", "--log-file", self.log,
                 "--auth-failure-delay", "50ms", "--backend", backend] + list(args),
                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            SERVERS.append(self.proc)
            if expect_fail:
                try:
                    self.rc = self.proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait()
                    self.rc = None
                self.stderr = self.proc.stderr.read().decode() + self.logtext()
                return
            deadline = time.time() + 15
            while time.time() < deadline and self.proc.poll() is None:
                try:
                    socket.create_connection(("127.0.0.1", self.port), 0.2).close()
                    return
                except OSError:
                    time.sleep(0.05)
            if self.proc.poll() is None:
                self.proc.kill()
            self.proc.wait()
            err = self.proc.stderr.read().decode() + self.logtext()
            if "could not listen" not in err:
                raise RuntimeError("ringdb did not start: " + err)
        raise RuntimeError("ringdb did not start")

    def logtext(self):
        try:
            with open(self.log) as f:
                return f.read()
        except OSError:
            return ""

    def signal(self, sig):
        self.proc.send_signal(sig)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                check(False, "ringdb did not stop on SIGTERM")
            err = self.proc.stderr.read().decode()
            check(self.proc.returncode == 0,
                  "ringdb exit code %r on SIGTERM: %s" % (self.proc.returncode, err[-3000:]))
        return self.proc.returncode


def wait_for_log(srv, text, timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if text in srv.logtext():
            return True
        time.sleep(0.05)
    return False


# ---- clients ----

def pg_connect(srv, user="postgres", password=None, unix=False, **kw):
    args = dict(host=srv.sock if unix else "127.0.0.1", port=srv.port, user=user,
                dbname="postgres", connect_timeout=10)
    if not unix:
        args["sslmode"] = "disable"
    args.update(kw)
    if password is not None:
        args["password"] = password
    return psycopg2.connect(**args)


def pg_ok(srv, what, **kw):
    """Log in with psycopg2, run a query; True if it worked."""
    try:
        c = pg_connect(srv, **kw)
        cur = c.cursor()
        cur.execute("SELECT 1")
        ok = cur.fetchone() == (1,)
        ssl = c.info.ssl_in_use
        c.close()
        check(ok, what + ": SELECT 1")
        return ssl
    except psycopg2.Error as e:
        check(False, "%s: %s" % (what, str(e).strip()))
        return None


def pg_fails(srv, what, text, **kw):
    try:
        c = pg_connect(srv, **kw)
        c.close()
        check(False, what + ": connected, should fail with " + text)
    except psycopg2.OperationalError as e:
        check(text in str(e), "%s: want %r, got %r" % (what, text, str(e).strip()))


def psql(srv, user="postgres", password=None, unix=False, conninfo=""):
    env = dict(os.environ)
    env.pop("PGPASSWORD", None)
    if password is not None:
        env["PGPASSWORD"] = password
    host = srv.sock if unix else "127.0.0.1"
    cs = "host=%s port=%d user=%s dbname=postgres connect_timeout=10 %s" % (host, srv.port, user,
                                                                              conninfo)
    p = subprocess.run(["psql", "-X", "-w", "-At", "-d", cs, "-c", "SELECT 42"], env=env,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=30)
    return p.returncode, p.stdout.decode().strip(), p.stderr.decode().strip()


def psql_ok(srv, what, **kw):
    rc, out, err = psql(srv, **kw)
    check(rc == 0 and out == "42", "%s: psql rc=%d out=%r err=%r" % (what, rc, out, err))


def psql_fails(srv, what, text, **kw):
    rc, out, err = psql(srv, **kw)
    check(rc != 0 and text in err, "%s: psql rc=%d want %r in %r" % (what, rc, text, err))


class Raw:
    """A raw protocol connection with a message reader."""

    def __init__(self, srv, unix=False):
        if unix:
            self.s = socket.socket(socket.AF_UNIX)
            self.s.connect(os.path.join(srv.sock, ".s.PGSQL.%d" % srv.port))
        else:
            self.s = socket.create_connection(("127.0.0.1", srv.port))
        self.s.settimeout(10)
        self.buf = b""

    def send(self, b):
        self.s.sendall(b)

    def read(self):
        """One message (type, body); (b'EOF', b'') at end of stream."""
        while True:
            if len(self.buf) >= 5:
                n = struct.unpack_from("!I", self.buf, 1)[0]
                if len(self.buf) >= 1 + n:
                    t, body = self.buf[:1], self.buf[5:1 + n]
                    self.buf = self.buf[1 + n:]
                    return t, body
            try:
                d = self.s.recv(65536)
            except (ConnectionResetError, socket.timeout):
                d = b""
            if not d:
                return b"EOF", b""
            self.buf += d

    def read_byte(self):
        return self.s.recv(1)

    def close(self):
        self.s.close()


def hi(password, salt, i):
    return hashlib.pbkdf2_hmac("sha256", password.encode(), salt, i)


def raw_login(srv, user, password, unix=False, database="postgres"):
    """Log in speaking the exchange ourselves.  Returns (methods, result):
    methods lists the authentication request codes seen; result is 'ok' or
    the ErrorResponse fields."""
    r = Raw(srv, unix)
    r.send(startup_packet({"user": user, "database": database}))
    seen = []
    nonce = cfm_bare = salted = auth_msg = None
    try:
        while True:
            t, body = r.read()
            if t == b"EOF":
                return seen, {"C": "EOF", "M": "connection closed"}
            if t == b"E":
                return seen, error_fields(body)
            if t == b"Z":
                r.send(msg(b"X"))
                return seen, "ok"
            if t != b"R":
                continue
            code = struct.unpack_from("!I", body)[0]
            seen.append(code)
            if code == 3:
                r.send(msg(b"p", password.encode() + b"\0"))
            elif code == 5:
                inner = hashlib.md5((password + user).encode()).hexdigest()
                outer = hashlib.md5(inner.encode() + body[4:8]).hexdigest()
                r.send(msg(b"p", b"md5" + outer.encode() + b"\0"))
            elif code == 10:
                nonce = base64.b64encode(os.urandom(18)).decode()
                cfm_bare = "n=,r=" + nonce
                first = ("n,," + cfm_bare).encode()
                r.send(msg(b"p", b"SCRAM-SHA-256\0" + struct.pack("!i", len(first)) + first))
            elif code == 11:
                sfirst = body[4:].decode()
                attrs = dict(kv.split("=", 1) for kv in sfirst.split(","))
                salted = hi(password, base64.b64decode(attrs["s"]), int(attrs["i"]))
                ckey = hmac.new(salted, b"Client Key", "sha256").digest()
                stored = hashlib.sha256(ckey).digest()
                wo_proof = "c=biws,r=" + attrs["r"]
                auth_msg = ",".join([cfm_bare, sfirst, wo_proof]).encode()
                sig = hmac.new(stored, auth_msg, "sha256").digest()
                proof = bytes(a ^ b for a, b in zip(ckey, sig))
                r.send(msg(b"p", (wo_proof + ",p=" + base64.b64encode(proof).decode()).encode()))
            elif code == 12:
                skey = hmac.new(salted, b"Server Key", "sha256").digest()
                want = base64.b64encode(hmac.new(skey, auth_msg, "sha256").digest()).decode()
                if body[4:].decode() != "v=" + want:
                    return seen, {"C": "client", "M": "bad server signature"}
    finally:
        r.close()


def login_fails(srv, what, user, password, sqlstate, text, **kw):
    seen, res = raw_login(srv, user, password, **kw)
    check(res != "ok" and res.get("C") == sqlstate and res.get("M") == text and
          res.get("S") == "FATAL",
          "%s: want %s %r, got %r (requests %r)" % (what, sqlstate, text, res, seen))
    return seen


def login_ok(srv, what, user, password, methods=None, **kw):
    seen, res = raw_login(srv, user, password, **kw)
    check(res == "ok", "%s: %r" % (what, res))
    if methods is not None:
        check(seen == methods, "%s: auth requests %r, want %r" % (what, seen, methods))


def add_role(srv, name, verifier, login=1, superuser=0):
    """Append a role to the roles file (the interim catalog of roles)."""
    with open(os.path.join(srv.data, "roles"), "a") as f:
        f.write("%s\t%d\t%d\t0\t%s\n" % (name, login, superuser, verifier))


def md5_verifier(user, password):
    return "md5" + hashlib.md5((password + user).encode()).hexdigest()


def reload(srv):
    n = srv.logtext().count("reloaded authentication settings")
    srv.signal(signal.SIGHUP)
    deadline = time.time() + 10
    while time.time() < deadline:
        if srv.logtext().count("reloaded authentication settings") > n:
            return True
        time.sleep(0.05)
    return False


# ---- certificates ----

def openssl(*args):
    subprocess.run(["openssl"] + list(args), check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)


def make_ca(d, name):
    os.makedirs(d, exist_ok=True)
    ca_key, ca_crt = os.path.join(d, name + ".key"), os.path.join(d, name + ".crt")
    openssl("req", "-x509", "-new", "-newkey", "rsa:2048", "-nodes", "-sha256", "-days", "30",
            "-subj", "/CN=pgauth test " + name, "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign", "-keyout", ca_key, "-out", ca_crt)
    return ca_key, ca_crt


def make_certs():
    d = os.path.join(ROOT, "certs")
    ca_key, ca_crt = make_ca(d, "ca")
    _, other_ca = make_ca(d, "other-ca")
    key, csr, crt = (os.path.join(d, "server." + x) for x in ("key", "csr", "crt"))
    openssl("req", "-new", "-newkey", "rsa:2048", "-nodes", "-sha256", "-subj", "/CN=localhost",
            "-keyout", key, "-out", csr)
    ext = os.path.join(d, "ext")
    with open(ext, "w") as f:
        f.write("basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n"
                "extendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n")
    openssl("x509", "-req", "-in", csr, "-CA", ca_crt, "-CAkey", ca_key, "-CAcreateserial",
            "-days", "30", "-sha256", "-extfile", ext, "-out", crt)
    os.chmod(key, 0o600)
    return {"crt": crt, "key": key, "ca": ca_crt, "other_ca": other_ca}


# ---- tests ----

def test_fresh_dir_needs_password():
    for method in ("scram-sha-256", "md5", "password"):
        s = Server("--auth", method, expect_fail=True)
        check(s.rc not in (0, None), "--auth %s without password: exit code %r" % (method, s.rc))
        check("RINGDB_PASSWORD" in s.stderr and "--password-file" in s.stderr and
              'no password for superuser "postgres"' in s.stderr,
              "--auth %s without password: clear message: %r" % (method, s.stderr))
        check(not os.path.exists(os.path.join(s.data, "roles")),
              "--auth %s without password: no roles file left" % method)
    s = Server(expect_fail=True)  # the default is scram-sha-256
    check(s.rc not in (0, None) and "scram-sha-256" in s.stderr,
          "default --auth needs a password: %r %r" % (s.rc, s.stderr))
    s = Server("--auth", "kerberos", expect_fail=True)
    check(s.rc not in (0, None) and "invalid value for --auth" in s.stderr,
          "unknown --auth refused: %r" % s.stderr)
    pf = os.path.join(ROOT, "empty-password")
    open(pf, "w").close()
    s = Server("--password-file", pf, expect_fail=True)
    check(s.rc not in (0, None) and "is empty" in s.stderr, "empty password file refused: %r" % s.stderr)


def test_password_file_and_restart():
    pf = os.path.join(ROOT, "pwfile")
    with open(pf, "w") as f:
        f.write(PASSWORD + "\n")
    s = Server("--password-file", pf, "--superuser", "admin")
    with open(os.path.join(s.data, "roles")) as f:
        roles = f.read()
    check("admin\t1\t1\t0\tSCRAM-SHA-256$4096:" in roles and PASSWORD not in roles,
          "roles file holds the SCRAM verifier of the superuser: %r" % roles)
    check(os.stat(os.path.join(s.data, "roles")).st_mode & 0o077 == 0, "roles file is 0600")
    login_ok(s, "superuser --superuser admin, scram", "admin", PASSWORD, methods=[10, 11, 12, 0])
    login_fails(s, "postgres does not exist here", "postgres", PASSWORD, "28P01",
                'password authentication failed for user "postgres"')
    data = s.data
    s.stop()
    # later starts need no password, and a new one does not replace the old
    s = Server("--password-file", pf.replace("pwfile", "nonexistent"), data=data)
    login_ok(s, "restart without password: old password", "admin", PASSWORD)
    s.stop()
    s = Server(data=data, env_password="another")
    login_ok(s, "RINGDB_PASSWORD ignored on an initialised dir", "admin", PASSWORD)
    login_fails(s, "RINGDB_PASSWORD does not change the password", "admin", "another", "28P01",
                'password authentication failed for user "admin"')
    s.stop()


def test_scram():
    s = Server(env_password=PASSWORD)  # default --auth scram-sha-256
    login_ok(s, "scram right password", "postgres", PASSWORD, methods=[10, 11, 12, 0])
    login_fails(s, "scram wrong password", "postgres", "wrong", "28P01",
                'password authentication failed for user "postgres"')
    # Unknown user and a user without password get the same SCRAM exchange
    # and the same error (the built-in backend knows every role, without
    # password; the roles file holds postgres's verifier).
    seen = login_fails(s, "scram unknown user", "nobody", "x", "28P01",
                       'password authentication failed for user "nobody"')
    check(seen == [10, 11], "unknown user gets a SCRAM exchange: %r" % seen)
    login_ok(s, "scram over the Unix socket", "postgres", PASSWORD, unix=True)
    c = pg_connect(s, password=PASSWORD)
    check(c.get_parameter_status("is_superuser") == "on" and
          c.get_parameter_status("session_authorization") == "postgres",
          "superuser postgres: is_superuser on")
    c.close()
    pg_ok(s, "psycopg2 scram", password=PASSWORD)
    pg_fails(s, "psycopg2 scram wrong", 'password authentication failed for user "postgres"',
             password="nope")
    pg_ok(s, "psycopg2 scram, unix socket", password=PASSWORD, unix=True)
    psql_ok(s, "psql scram", password=PASSWORD)
    psql_ok(s, "psql scram, unix socket", password=PASSWORD, unix=True)
    psql_fails(s, "psql scram wrong", 'password authentication failed for user "postgres"',
               password="nope")
    psql_fails(s, "psql scram no password", "no password supplied")
    # the failed login's error waits auth-failure-delay
    t0 = time.time()
    login_fails(s, "delayed failure", "postgres", "wrong", "28P01",
                'password authentication failed for user "postgres"')
    check(time.time() - t0 >= 0.045, "failed login delayed by auth-failure-delay")
    s.stop()


def test_md5():
    s = Server("--auth", "md5", env_password=PASSWORD)
    add_role(s, "md5user", md5_verifier("md5user", "md5pass"))
    check(reload(s), "SIGHUP reload after adding a role")
    login_ok(s, "md5 challenge for an md5 verifier", "md5user", "md5pass", methods=[5, 0])
    login_fails(s, "md5 wrong password", "md5user", "wrong", "28P01",
                'password authentication failed for user "md5user"')
    # a SCRAM verifier cannot answer md5: SCRAM instead, as PostgreSQL does
    login_ok(s, "md5 rule with a SCRAM verifier uses SCRAM", "postgres", PASSWORD,
             methods=[10, 11, 12, 0])
    pg_ok(s, "psycopg2 md5", user="md5user", password="md5pass")
    c = pg_connect(s, user="md5user", password="md5pass")
    check(c.get_parameter_status("is_superuser") == "off", "md5user: is_superuser off")
    c.close()
    pg_fails(s, "psycopg2 md5 wrong", 'password authentication failed for user "md5user"',
             user="md5user", password="x")
    psql_ok(s, "psql md5", user="md5user", password="md5pass")
    psql_fails(s, "psql md5 wrong", 'password authentication failed for user "md5user"',
               user="md5user", password="x")
    psql_ok(s, "psql md5 rule, scram verifier", password=PASSWORD)
    check("(md5)" in s.logtext(), "log names the md5 method")
    s.stop()


def test_password(certs):
    s = Server("--auth", "password", "--ssl-cert", certs["crt"], "--ssl-key", certs["key"],
               env_password=PASSWORD)
    login_fails(s, "cleartext refused without TLS", "postgres", PASSWORD, "28000",
                "password authentication over an unencrypted connection is not allowed")
    login_ok(s, "cleartext over the Unix socket", "postgres", PASSWORD, methods=[3, 0], unix=True)
    login_fails(s, "cleartext wrong password", "postgres", "bad", "28P01",
                'password authentication failed for user "postgres"', unix=True)
    ssl = pg_ok(s, "psycopg2 password over TLS", password=PASSWORD, sslmode="require")
    check(ssl is True, "password login used TLS")
    pg_fails(s, "psycopg2 password over TLS, wrong",
             'password authentication failed for user "postgres"', password="bad",
             sslmode="require")
    psql_ok(s, "psql password over TLS", password=PASSWORD, conninfo="sslmode=require")
    psql_fails(s, "psql password wrong", 'password authentication failed for user "postgres"',
               password="bad", conninfo="sslmode=require")
    s.stop()
    s = Server("--auth", "password", "--password-without-tls", "on", env_password=PASSWORD)
    login_ok(s, "cleartext without TLS when allowed", "postgres", PASSWORD, methods=[3, 0])
    psql_ok(s, "psql password without TLS when allowed", password=PASSWORD)
    s.stop()


def test_trust():
    s = Server("--auth", "trust")
    login_ok(s, "trust, no password asked", "postgres", "", methods=[0])
    login_ok(s, "trust, any user the engine knows", "tester", "", methods=[0])
    pg_ok(s, "psycopg2 trust")
    pg_ok(s, "psycopg2 trust ignores a wrong password", password="whatever")
    psql_ok(s, "psql trust")
    psql_ok(s, "psql trust, unix socket", unix=True)
    check(open(os.path.join(s.data, "roles")).read().startswith("ringdb-roles 1\npostgres\t1\t1\t0\t\n"),
          "trust init: superuser without password")
    s.stop()
    # trust with a password at initialisation keeps it for a later scram start
    s = Server("--auth", "trust", env_password=PASSWORD)
    data = s.data
    login_ok(s, "trust, password given", "postgres", "", methods=[0])
    s.stop()
    s = Server("--auth", "scram-sha-256", data=data)
    login_ok(s, "scram after a trust initialisation with password", "postgres", PASSWORD,
             methods=[10, 11, 12, 0])
    s.stop()


def test_hba(certs):
    s = Server("--auth", "trust")
    data = s.data
    s.stop()
    add_role(s, "ssluser", md5_verifier("ssluser", "sslpass"))
    hba = os.path.join(ROOT, "hba.conf")
    with open(hba, "w") as f:
        f.write("# test rules\n"
                "local     all  all                   trust\n"
                "host      all  rejected  all         reject\n"
                "hostssl   all  ssluser   127.0.0.1/32 md5\n"
                "hostnossl all  plainonly all         trust\n"
                "host      all  postgres,tester 127.0.0.1/32 scram-sha-256\n")
    pf = os.path.join(ROOT, "pw2")
    with open(pf, "w") as f:
        f.write(PASSWORD)
    s = Server("--hba-file", hba, "--ssl-cert", certs["crt"], "--ssl-key", certs["key"],
               data=data)
    login_ok(s, "hba local trust", "anyone", "", methods=[0], unix=True)
    login_fails(s, "hba reject", "rejected", "x", "28000",
                'pg_hba.conf rejects connection for host "127.0.0.1", user "rejected", '
                'database "postgres"')
    login_fails(s, "hba no entry", "someone", "x", "28000",
                'no pg_hba.conf entry for host "127.0.0.1", user "someone", database "postgres", '
                "no encryption")
    login_fails(s, "hostssl rule needs TLS", "ssluser", "sslpass", "28000",
                'no pg_hba.conf entry for host "127.0.0.1", user "ssluser", database "postgres", '
                "no encryption")
    pg_fails(s, "psycopg2 hostssl without TLS", "no pg_hba.conf entry", user="ssluser",
             password="sslpass", sslmode="disable")
    ssl = pg_ok(s, "psycopg2 hostssl with TLS", user="ssluser", password="sslpass",
                sslmode="require")
    check(ssl is True, "hostssl login used TLS")
    psql_ok(s, "psql hostssl with TLS", user="ssluser", password="sslpass",
            conninfo="sslmode=require")
    psql_fails(s, "psql hostssl without TLS", "no pg_hba.conf entry", user="ssluser",
               password="sslpass", conninfo="sslmode=disable")
    pg_ok(s, "hostnossl without TLS", user="plainonly", sslmode="disable")
    pg_fails(s, "hostnossl with TLS", 'no pg_hba.conf entry for host "127.0.0.1", user "plainonly", '
             'database "postgres", SSL encryption', user="plainonly", sslmode="require")
    login_fails(s, "scram rule, roles file user without verifier", "postgres", PASSWORD,
                "28P01", 'password authentication failed for user "postgres"')
    psql_fails(s, "psql hba reject", "pg_hba.conf rejects connection", user="rejected",
               password="x")

    # SIGHUP: the new rules decide the next logins
    with open(hba, "w") as f:
        f.write("local all all trust\n"
                "host all rejected all trust\n"
                "host all all all reject\n")
    check(reload(s), "SIGHUP reload logged")
    login_ok(s, "after reload: rejected is trusted", "rejected", "", methods=[0])
    login_fails(s, "after reload: ssluser rejected", "ssluser", "sslpass", "28000",
                'pg_hba.conf rejects connection for host "127.0.0.1", user "ssluser", '
                'database "postgres"')
    # a broken file on reload keeps the rules in effect
    with open(hba, "w") as f:
        f.write("host all all 127.0.0.1/33 trust\n")
    s.signal(signal.SIGHUP)
    check(wait_for_log(s, "previous authentication settings stay in effect"),
          "bad hba on reload reported")
    check("invalid" in s.logtext() and "hba.conf:1" in s.logtext(), "error names file and line")
    login_ok(s, "bad reload keeps old rules", "rejected", "", methods=[0])
    s.stop()
    # a broken hba file at start-up refuses to start
    s = Server("--hba-file", hba, data=data, expect_fail=True)
    check(s.rc not in (0, None) and "hba.conf:1" in s.stderr, "bad hba refuses start: %r" % s.stderr)
    s = Server("--hba-file", os.path.join(ROOT, "missing.conf"), data=data, expect_fail=True)
    check(s.rc not in (0, None) and "missing.conf" in s.stderr, "missing hba refuses start: %r" % s.stderr)


def test_config_file_and_reload(certs):
    """ssl_cert/ssl_key/hba_file from a --config file, and SIGHUP re-reading it."""
    d = os.path.join(ROOT, "cfg")
    os.makedirs(d)
    hba1, hba2, conf = (os.path.join(d, n) for n in ("hba1", "hba2", "ringdb.conf"))
    with open(hba1, "w") as f:
        f.write("host all all all trust\n")
    with open(hba2, "w") as f:
        f.write("host all all all reject\n")
    with open(conf, "w") as f:
        f.write("auth = trust\nhba_file = %s\nssl_cert = %s\nssl_key = %s\n" %
                (hba1, certs["crt"], certs["key"]))
    s = Server("--config", conf)
    check(pg_ok(s, "config file: TLS on", sslmode="require") is True, "config file ssl_cert works")
    with open(conf, "w") as f:
        f.write("auth = trust\nhba_file = %s\nssl_cert = ''\nssl_key = ''\n" % hba2)
    check(reload(s), "config reload")
    login_fails(s, "config reload switched hba_file", "postgres", "", "28000",
                'pg_hba.conf rejects connection for host "127.0.0.1", user "postgres", '
                'database "postgres"')
    r = Raw(s)
    r.send(struct.pack("!II", 8, 80877103))
    check(r.read_byte() == b"N", "config reload without ssl_cert: SSLRequest answered N")
    r.close()
    s.stop()


def test_tls(certs):
    s = Server("--auth", "trust")
    r = Raw(s)
    r.send(struct.pack("!II", 8, 80877103))
    check(r.read_byte() == b"N", "no certificate: SSLRequest answered N")
    r.send(startup_packet({"user": "postgres"}))
    t = None
    while t not in (b"Z", b"E", b"EOF"):
        t, _ = r.read()
    check(t == b"Z", "plain start-up after N")
    r.close()
    pg_fails(s, "sslmode=require without a certificate", "server does not support SSL",
             sslmode="require")
    s.stop()

    s = Server("--ssl-cert", certs["crt"], "--ssl-key", certs["key"], env_password=PASSWORD)
    r = Raw(s)
    r.send(struct.pack("!II", 8, 80877103))
    check(r.read_byte() == b"S", "certificate: SSLRequest answered S")
    r.close()
    # bytes pipelined after SSLRequest were not encrypted: refused
    r = Raw(s)
    r.send(struct.pack("!II", 8, 80877103) + startup_packet({"user": "postgres"}))
    b = r.read_byte()
    t, body = r.read()
    check(b == b"S" and t == b"E" and error_fields(body).get("C") == "08P01" and
          "unencrypted data after SSL request" in error_fields(body).get("M", ""),
          "data after SSLRequest: %r %r %r" % (b, t, body))
    r.close()
    ssl = pg_ok(s, "psycopg2 sslmode=require", password=PASSWORD, sslmode="require")
    check(ssl is True, "sslmode=require uses TLS")
    ssl = pg_ok(s, "psycopg2 sslmode=verify-ca", password=PASSWORD, sslmode="verify-ca",
                sslrootcert=certs["ca"])
    check(ssl is True, "verify-ca uses TLS")
    pg_ok(s, "psycopg2 sslmode=verify-full", password=PASSWORD, sslmode="verify-full",
          sslrootcert=certs["ca"], host="localhost")
    pg_fails(s, "verify-ca with another CA", "certificate verify failed", password=PASSWORD,
             sslmode="verify-ca", sslrootcert=certs["other_ca"])
    pg_ok(s, "SCRAM-SHA-256-PLUS: channel_binding=require", password=PASSWORD, sslmode="require",
          channel_binding="require")
    pg_fails(s, "channel binding, wrong password", "password authentication failed",
             password="bad", sslmode="require", channel_binding="require")
    psql_ok(s, "psql sslmode=require", password=PASSWORD, conninfo="sslmode=require")
    psql_ok(s, "psql sslmode=verify-ca", password=PASSWORD,
            conninfo="sslmode=verify-ca sslrootcert=" + certs["ca"])
    psql_fails(s, "psql verify-ca with another CA", "certificate verify failed", password=PASSWORD,
               conninfo="sslmode=verify-ca sslrootcert=" + certs["other_ca"])
    # large results through TLS (records, partial writes, back-pressure)
    c = pg_connect(s, password=PASSWORD, sslmode="require")
    cur = c.cursor()
    cur.execute("SELECT generate_series(1, 200000)")
    rows = cur.fetchall()
    check(len(rows) == 200000 and rows[-1] == (200000,), "200000 rows over TLS")
    big = "x" * 3000000
    cur.execute("SELECT %s", (big,))
    check(cur.fetchone()[0] == big, "3 MB value both ways over TLS")
    # cancel a running statement of a TLS session (CancelRequest comes in clear)
    timer = threading.Timer(0.5, c.cancel)
    timer.start()
    t0 = time.time()
    try:
        cur.execute("SELECT pg_sleep(20)")
        check(False, "pg_sleep over TLS should be cancelled")
    except psycopg2.Error as e:
        check(e.pgcode == "57014", "cancel over TLS: 57014, got %s" % e.pgcode)
    timer.join()
    check(time.time() - t0 < 10, "cancel over TLS was prompt")
    c.rollback()
    cur.execute("SELECT 7")
    check(cur.fetchone() == (7,), "TLS session usable after cancel")
    c.close()
    # a client that gives up in the middle of the handshake
    r = Raw(s)
    r.send(struct.pack("!II", 8, 80877103))
    r.read_byte()
    r.send(b"\x16\x03\x01\x00\x05hello")
    r.close()
    pg_ok(s, "server fine after a broken handshake", password=PASSWORD, sslmode="require")
    s.stop()
    s = Server("--ssl-cert", certs["crt"], env_password=PASSWORD, expect_fail=True)
    check(s.rc not in (0, None) and "--ssl-key" in s.stderr, "--ssl-cert alone refused: %r" % s.stderr)
    s = Server("--ssl-cert", certs["crt"], "--ssl-key", certs["other_ca"], env_password=PASSWORD,
               expect_fail=True)
    check(s.rc not in (0, None) and "private key" in s.stderr, "bad key refused: %r" % s.stderr)


def test_sql_roles():
    """Roles made with SQL (the SQL engine's role_lookup) log in."""
    s = Server("--auth", "scram-sha-256", env_password=PASSWORD, backend="sql")
    c = pg_connect(s, password=PASSWORD)
    c.autocommit = True
    cur = c.cursor()
    cur.execute("CREATE ROLE alice LOGIN PASSWORD 'alicepw'")
    cur.execute("CREATE ROLE bob PASSWORD 'bobpw'")  # NOLOGIN by default
    login_ok(s, "sql role, scram", "alice", "alicepw", methods=[10, 11, 12, 0])
    pg_ok(s, "sql role, psycopg2", user="alice", password="alicepw")
    psql_ok(s, "sql role, psql", user="alice", password="alicepw")
    login_fails(s, "sql role, wrong password", "alice", "nope", "28P01",
                'password authentication failed for user "alice"')
    login_fails(s, "sql role without LOGIN", "bob", "bobpw", "28000",
                'role "bob" is not permitted to log in')
    cur.execute("ALTER ROLE alice PASSWORD 'newpw'")
    login_fails(s, "sql role, old password after ALTER", "alice", "alicepw", "28P01",
                'password authentication failed for user "alice"')
    login_ok(s, "sql role, new password after ALTER", "alice", "newpw")
    cur.execute("DROP ROLE alice")
    login_fails(s, "dropped sql role", "alice", "newpw", "28P01",
                'password authentication failed for user "alice"')
    c.close()
    s.stop()


def test_max_connections():
    s = Server("--max-connections", "3", env_password=PASSWORD)
    held = [pg_connect(s, password=PASSWORD) for _ in range(3)]
    r = Raw(s)
    r.send(startup_packet({"user": "postgres"}))
    t, body = r.read()
    f = error_fields(body) if t == b"E" else {}
    check(f.get("C") == "53300" and f.get("M") == "sorry, too many clients already" and
          f.get("S") == "FATAL", "4th connection: 53300, got %r %r" % (t, body))
    r.close()
    pg_fails(s, "psycopg2 past max_connections", "sorry, too many clients already",
             password=PASSWORD)
    psql_fails(s, "psql past max_connections", "sorry, too many clients already",
               password=PASSWORD)
    held.pop().close()
    time.sleep(0.2)
    # failed logins give their slot back
    for i in range(5):
        login_fails(s, "wrong password %d at the limit" % i, "postgres", "bad", "28P01",
                    'password authentication failed for user "postgres"')
    c = None
    for _ in range(50):
        try:
            c = pg_connect(s, password=PASSWORD)
            break
        except psycopg2.OperationalError:
            time.sleep(0.1)
    check(c is not None, "a slot is free again after failed logins")
    if c:
        c.close()
    for h in held:
        h.close()
    s.stop()


def test_protocol_during_auth():
    s = Server("--authentication-timeout", "700ms", env_password=PASSWORD)
    def refused(what, payload):
        """A bad message after the SASL request: 08P01, connection closed."""
        r = Raw(s)
        r.send(startup_packet({"user": "postgres"}))
        t, body = r.read()
        check(t == b"R" and struct.unpack_from("!I", body)[0] == 10, what + ": SASL request")
        r.send(payload)
        t, body = r.read()
        check(t == b"E" and error_fields(body).get("C") == "08P01", "%s: 08P01 %r" % (what, body))
        check(r.read()[0] == b"EOF", what + ": connection closed")
        r.close()

    refused("query during auth", msg(b"Q", b"SELECT 1\0"))
    # an oversized password message is refused before it is buffered
    refused("huge auth message", b"p" + struct.pack("!I", 100000000))
    refused("malformed SASLInitialResponse",
            msg(b"p", b"SCRAM-SHA-256\0" + struct.pack("!i", 50) + b"n,,n=,r=x"))
    refused("unknown SASL mechanism",
            msg(b"p", b"SCRAM-SHA-1\0" + struct.pack("!i", 9) + b"n,,n=,r=x"))
    # silence until authentication-timeout: the server hangs up
    r = Raw(s)
    r.send(startup_packet({"user": "postgres"}))
    r.read()
    t0 = time.time()
    t, _ = r.read()
    check(t == b"EOF" and time.time() - t0 < 8, "authentication-timeout closes the connection")
    r.close()
    # random garbage at each stage (fixed seed): answered or dropped, never a crash
    rnd = random.Random(20261128)
    for i in range(150):
        r = Raw(s)
        junk = bytes(rnd.randrange(256) for _ in range(rnd.randrange(1, 300)))
        stage = i % 3
        try:
            if stage == 0:  # after the SASL request
                r.send(startup_packet({"user": rnd.choice(["postgres", "x"])}))
                r.read()
                r.send(msg(b"p", junk) if i % 2 else junk)
            elif stage == 1:  # instead of a TLS ClientHello
                r.send(struct.pack("!II", 8, 80877103))
                r.read_byte()
                r.send(junk)
            else:  # instead of a start-up packet
                r.send(struct.pack("!I", len(junk) + 4) + junk)
            r.s.settimeout(3)
            r.read()
        except OSError:
            pass
        r.close()
    pg_ok(s, "server fine after bad clients", password=PASSWORD)
    s.stop()


def test_concurrent_logins_and_reloads(certs):
    """Logins on both loops while SIGHUP swaps the settings under them."""
    hba = os.path.join(ROOT, "hba-concurrent.conf")
    with open(hba, "w") as f:
        f.write("local all all trust\nhost all all all scram-sha-256\n")
    s = Server("--hba-file", hba, "--ssl-cert", certs["crt"], "--ssl-key", certs["key"],
               "--threads", "2", env_password=PASSWORD)
    results = []

    def worker(k):
        for i in range(12):
            ssl = "require" if (i + k) % 2 else "disable"
            good = i % 3 != 0
            try:
                c = pg_connect(s, password=PASSWORD if good else "bad", sslmode=ssl)
                cur = c.cursor()
                cur.execute("SELECT %s", (i,))
                results.append((good, cur.fetchone() == (i,)))
                c.close()
            except psycopg2.OperationalError as e:
                results.append((good, "password authentication failed" in str(e)))

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    reloads = 0
    while any(t.is_alive() for t in threads):
        s.signal(signal.SIGHUP)
        reloads += 1
        time.sleep(0.05)
    for t in threads:
        t.join()
    good_ok = sum(1 for g, ok in results if g and ok)
    bad_ok = sum(1 for g, ok in results if not g and ok)
    check(len(results) == 48 and good_ok == 32 and bad_ok == 16,
          "48 concurrent logins under %d reloads: %d/32 right, %d/16 refused" %
          (reloads, good_ok, bad_ok))
    check(reloads > 1 and wait_for_log(s, "reloaded authentication settings"), "reloads happened")
    s.stop()


def main():
    certs = make_certs()
    tests = [("fresh dir needs a password", test_fresh_dir_needs_password, ()),
             ("password file and restart", test_password_file_and_restart, ()),
             ("scram-sha-256", test_scram, ()),
             ("md5", test_md5, ()),
             ("password", test_password, (certs,)),
             ("trust", test_trust, ()),
             ("hba", test_hba, (certs,)),
             ("config file", test_config_file_and_reload, (certs,)),
             ("tls", test_tls, (certs,)),
             ("max_connections", test_max_connections, ()),
             ("roles made with SQL", test_sql_roles, ()),
             ("concurrent logins, reloads", test_concurrent_logins_and_reloads, (certs,)),
             ("protocol during auth", test_protocol_during_auth, ())]
    only = os.environ.get("PGAUTH_ONLY")
    for name, fn, args in tests:
        if only and only not in name:
            continue
        t0 = time.time()
        try:
            fn(*args)
        except Exception:
            traceback.print_exc()
            FAILS.append(name + ": exception")
        print("%-28s %.1fs" % (name, time.time() - t0), flush=True)
    for p in SERVERS:
        if p.poll() is None:
            p.kill()
            p.wait()
    print("%d checks, %d failed" % (COUNT, len(FAILS)))
    for f in FAILS:
        print("  FAIL:", f)
    if not FAILS:
        shutil.rmtree(ROOT, ignore_errors=True)
    else:
        print("kept", ROOT)
    sys.exit(1 if FAILS else 0)


if __name__ == "__main__":
    main()
