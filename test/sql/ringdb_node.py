"""Helpers of the SQL end-to-end tests.

start: a throw-away build/ringdb, its data and Unix socket in a temporary
directory, the first free TCP port of a range, --auth trust.  Returns
(directory, port, process); the caller terminates the process and removes the
directory.

Checks: a count of checks and the list of failures, with check_err (a
statement must fail with a SQLSTATE and a message part)."""
import os
import socket
import subprocess
import tempfile
import time

import psycopg2


def start(ringdb, ports, prefix):
    d = tempfile.mkdtemp(prefix=prefix)
    for port in ports:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        break
    logf = open(os.path.join(d, "log"), "ab")
    proc = subprocess.Popen([ringdb, "--data-dir", os.path.join(d, "data"), "--port", str(port),
                             "--unix-socket-dir", d, "--log-level", "warn", "--auth", "trust"],
                            stderr=logf)
    logf.close()
    for _ in range(300):
        if proc.poll() is not None:
            raise RuntimeError("ringdb exited with %s" % proc.returncode)
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return d, port, proc
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("ringdb did not listen on %d" % port)


class Checks:
    def __init__(self):
        self.n = 0
        self.failures = []

    def check_err(self, cur, sql, code, text):
        self.n += 1
        try:
            cur.execute(sql)
            self.failures.append("%s: no error (expected %s)" % (sql, code))
        except psycopg2.Error as e:
            if e.pgcode != code or text not in e.pgerror:
                self.failures.append("%s: got %s %s, expected %s %s" % (sql, e.pgcode, e.pgerror, code, text))
