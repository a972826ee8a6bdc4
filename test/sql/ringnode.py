"""Start one throw-away ringdb node for a test (shared by the tests of
test/sql/ that need nothing more): a temporary data directory, the first
free TCP port of a range, --auth trust, stderr to <dir>/log."""
import os
import socket
import subprocess
import tempfile
import time


def start(ringdb, prefix, ports, log_level="warn"):
    """Returns (dir, port, process) once the node accepts connections."""
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
                             "--unix-socket-dir", d, "--log-level", log_level, "--auth", "trust"],
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
