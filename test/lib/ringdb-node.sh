# test/lib/ringdb-node.sh — start and stop a throw-away build/ringdb node from
# a bash test script (sourced by regress/run and test/sqllogictest/with-ringdb).
#
#   node_start BIN DIR   starts BIN with its data, Unix socket and log under DIR
#                        (TCP off, so no port can clash; --auth trust); sets NODE_PID,
#                        NODE_HOST (the socket directory) and NODE_PORT; waits
#                        until it accepts connections.  Returns 1 on failure
#                        (the log's tail goes to stderr).
#   node_alive           true while the node's process runs.
#   node_stop            SIGTERM, wait (SIGKILL after 30 s); returns 0 only if
#                        the node was still running, exited 0, and its log
#                        holds no sanitizer report.  Prints why otherwise.
#   node_log             the file that gets the node's stderr.
#
# It must be sourced and node_start called in the shell that later calls
# node_stop (not in a subshell), so that `wait` can collect the exit status.
# NODE_PORT is taken from RINGDB_TEST_PORT, else 33000 + (PID mod 1000); the
# socket lives in a private directory, so the number only names it.

NODE_PID= NODE_HOST= NODE_PORT= NODE_DIR=

node_log() { echo "$NODE_DIR/ringdb.log"; }

node_start() {
  local bin=$1 dir=$2 i
  NODE_DIR=$dir
  NODE_HOST=$dir/sock
  NODE_PORT=${RINGDB_TEST_PORT:-$((33000 + $$ % 1000))}
  mkdir -p "$NODE_HOST" "$dir/data"
  "$bin" --data-dir "$dir/data" --port "$NODE_PORT" --listen '' \
    --unix-socket-dir "$NODE_HOST" --auth trust --log-level warn >>"$dir/ringdb.log" 2>&1 &
  NODE_PID=$!
  for ((i = 0; i < 300; i++)); do        # 30 s: a sanitizer build starts slowly
    if ! kill -0 "$NODE_PID" 2>/dev/null; then
      wait "$NODE_PID" 2>/dev/null
      echo "ringdb-node: $bin exited during start-up; log:" >&2
      tail -n 30 "$dir/ringdb.log" >&2
      NODE_PID=
      return 1
    fi
    pg_isready -q -h "$NODE_HOST" -p "$NODE_PORT" -U postgres && return 0
    sleep 0.1
  done
  echo "ringdb-node: $bin did not accept connections within 30 s; log:" >&2
  tail -n 30 "$dir/ringdb.log" >&2
  kill -KILL "$NODE_PID" 2>/dev/null
  wait "$NODE_PID" 2>/dev/null
  NODE_PID=
  return 1
}

node_alive() { [ -n "$NODE_PID" ] && kill -0 "$NODE_PID" 2>/dev/null; }

# True when the node's log holds a sanitizer report.
node_sanitizer_report() {
  grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$NODE_DIR/ringdb.log" 2>/dev/null
}

node_stop() {
  [ -n "$NODE_PID" ] || return 0
  local pid=$NODE_PID rc alive=1 i
  NODE_PID=
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null
    for ((i = 0; i < 300; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
      echo "ringdb-node: node did not stop within 30 s of SIGTERM; killed" >&2
      kill -KILL "$pid" 2>/dev/null
      alive=0
    fi
  else
    alive=0
    echo "ringdb-node: the node was no longer running (crashed)" >&2
  fi
  wait "$pid" 2>/dev/null
  rc=$?
  if [ $alive -eq 1 ] && [ $rc -ne 0 ]; then
    echo "ringdb-node: node exited with status $rc after SIGTERM" >&2
    alive=0
  fi
  if node_sanitizer_report; then
    echo "ringdb-node: sanitizer report in the node's log:" >&2
    grep -m 5 -A 12 -E 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' \
      "$NODE_DIR/ringdb.log" >&2
    alive=0
  fi
  if [ $alive -eq 0 ]; then
    tail -n 20 "$NODE_DIR/ringdb.log" >&2
    return 1
  fi
  return 0
}
