#!/usr/bin/python3
"""Peak RSS and time of a query that spills (work_mem 4MB) and of the
same query in memory (work_mem 1GB), each on a fresh ringdb node so that
its VmHWM is the query's peak.

Usage: bench/sql/spill.py RINGDB [ROWS] [RUNS] [PORT] [QUERY]
  (defaults: 2000000 rows, 3 runs per mode, port 42800, QUERY join)

QUERY join: ROWS x ROWS rows from generate_series, every key matching once:
  SELECT count(*), sum(a.g), sum(b.h) FROM (SELECT g FROM generate_series(1, ROWS) g) a
  JOIN (SELECT g, g * 2 AS h FROM generate_series(1, ROWS) g) b ON a.g = b.g
QUERY window: one partition of ROWS rows (lag, a sliding ROWS frame, a
  RANGE frame with offsets, GROUPS);
QUERY notin: ROWS / 2 probes NOT IN a subquery of ROWS text values;
QUERY recursive: WITH RECURSIVE ... UNION reaching ROWS distinct rows,
  1000 new rows a round.
Prints per run: wall seconds, the node's CPU seconds (user + system, from
/proc/PID/stat), its peak RSS (VmHWM) and its RSS before the query; then
the medians per mode.
"""
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import psycopg2

RINGDB = sys.argv[1]
ROWS = int(sys.argv[2]) if len(sys.argv) > 2 else 2000000
RUNS = int(sys.argv[3]) if len(sys.argv) > 3 else 3
PORT = int(sys.argv[4]) if len(sys.argv) > 4 else 42800
QUERY = sys.argv[5] if len(sys.argv) > 5 else "join"
QUERIES = {
    "join": ("""SELECT count(*), sum(a.g), sum(b.h) FROM (SELECT g FROM generate_series(1, %d) g) a
       JOIN (SELECT g, g * 2 AS h FROM generate_series(1, %d) g) b ON a.g = b.g""" % (ROWS, ROWS),
             (ROWS, ROWS * (ROWS + 1) // 2, ROWS * (ROWS + 1))),
    "window": ("""SELECT count(*), sum(l), sum(s), sum(r), sum(c) FROM (SELECT lag(g, 10) OVER (ORDER BY g) l,
       sum(g) OVER (ORDER BY g ROWS BETWEEN 3 PRECEDING AND 3 FOLLOWING) s,
       count(*) OVER (ORDER BY g RANGE BETWEEN 5 PRECEDING AND 5 FOLLOWING) r,
       count(*) OVER (ORDER BY g / 4 GROUPS BETWEEN 1 PRECEDING AND CURRENT ROW) c
       FROM generate_series(1, %d) g) x""" % ROWS, None),
    "notin": ("""SELECT count(*) FROM (SELECT md5(g::text) m FROM generate_series(1, %d) g) s
       WHERE m NOT IN (SELECT md5((x * 2)::text) FROM generate_series(1, %d) x)""" % (ROWS // 2, ROWS),
              (ROWS // 4,)),
    "recursive": ("""WITH RECURSIVE r(n) AS (SELECT g FROM generate_series(1, 1000) g
       UNION SELECT n + 1000 FROM r WHERE n <= %d) SELECT count(*), sum(n) FROM r""" % (ROWS - 1000),
                  (ROWS, ROWS * (ROWS + 1) // 2)),
}
Q, EXPECT = QUERIES[QUERY]


def status_kb(pid, field):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def cpu_s(pid):
    with open("/proc/%d/stat" % pid) as f:
        parts = f.read().rsplit(")", 1)[1].split()
    return (int(parts[11]) + int(parts[12])) / os.sysconf("SC_CLK_TCK")


def one(work_mem):
    d = tempfile.mkdtemp(prefix="spill-bench-")
    proc = subprocess.Popen([RINGDB, "--data-dir", os.path.join(d, "data"), "--port", str(PORT),
                             "--unix-socket-dir", d, "--auth", "trust", "--log-level", "warn"])
    try:
        for _ in range(200):
            try:
                conn = psycopg2.connect(host="127.0.0.1", port=PORT, user="postgres", dbname="postgres")
                break
            except psycopg2.OperationalError:
                time.sleep(0.1)
        conn.autocommit = True
        cur = conn.cursor()
        cur.execute("SET work_mem = '%s'" % work_mem)
        cur.execute("SET max_parallel_workers_per_gather = 0")
        rss0 = status_kb(proc.pid, "VmRSS")
        c0, t0 = cpu_s(proc.pid), time.time()
        cur.execute(Q)
        res = cur.fetchone()
        wall, cpu = time.time() - t0, cpu_s(proc.pid) - c0
        hwm = status_kb(proc.pid, "VmHWM")
        assert EXPECT is None or res == EXPECT, res
        conn.close()
        return res, wall, cpu, hwm / 1024, rss0 / 1024
    finally:
        proc.terminate()
        proc.wait()
        shutil.rmtree(d, ignore_errors=True)


def main():
    res = {"4MB": [], "1GB": []}
    answers = set()
    for i in range(RUNS):
        for wm in ("4MB", "1GB"):       # alternating
            answer, *r = one(wm)
            answers.add(answer)
            assert len(answers) == 1, answers     # spilling or not, one answer
            res[wm].append(r)
            print("work_mem=%-4s run %d: wall %.2f s  cpu %.2f s  peak_rss %.1f MiB  (rss before %.1f MiB)"
                  % ((wm, i + 1) + tuple(r)), flush=True)
    for wm, rs in res.items():
        print("work_mem=%-4s median: wall %.2f s  cpu %.2f s  peak_rss %.1f MiB"
              % (wm, statistics.median(r[0] for r in rs), statistics.median(r[1] for r in rs),
                 statistics.median(r[2] for r in rs)))


if __name__ == "__main__":
    main()
