# bench/lib/pgpair.sh — sourced by the benchmarks that run ringdb and
# PostgreSQL 15 side by side (bench/pgwire/run.sh, bench/sql/run.sh).
#
#   pgpair_start NAME BUILD_DIR
#
# makes a temporary directory /tmp/NAME.XXXXXX ($tmp), starts BUILD_DIR/ringdb
# in it (--auth trust, pid $rpid, port $rport) and a PostgreSQL 15 cluster
# (initdb as the postgres user, trust, port $pport), both on 127.0.0.1 and
# free ports, waits until ringdb accepts connections, and stops both and
# removes $tmp when the calling script exits.  Run as root: PostgreSQL
# runs as the postgres user.

pgbin=/usr/lib/postgresql/15/bin

free_port() { /usr/bin/python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }

pgpair_cleanup() {
    [ -n "${rpid:-}" ] && kill "$rpid" 2>/dev/null && wait "$rpid" 2>/dev/null || true
    runuser -u postgres -- "$pgbin/pg_ctl" -D "$tmp/pg" -m fast stop >/dev/null 2>&1 || true
    rm -rf "$tmp"
}

pgpair_start() { # name build_dir
    tmp=$(mktemp -d "/tmp/$1.XXXXXX")
    chmod 755 "$tmp"
    rport=$(free_port); pport=$(free_port)
    trap pgpair_cleanup EXIT
    "$2/ringdb" --data-dir "$tmp/ringdb" --port "$rport" --unix-socket-dir "$tmp" \
        --auth trust --log-level warn &
    rpid=$!
    install -d -o postgres "$tmp/pg" "$tmp/pgsock"
    runuser -u postgres -- "$pgbin/initdb" -D "$tmp/pg" -A trust -U postgres >/dev/null
    runuser -u postgres -- "$pgbin/pg_ctl" -D "$tmp/pg" -l "$tmp/pgsock/log" -w \
        -o "-p $pport -k $tmp/pgsock -c listen_addresses=127.0.0.1" start >/dev/null
    for _ in $(seq 100); do
        pg_isready -q -h 127.0.0.1 -p "$rport" && break
        sleep 0.1
    done
}
