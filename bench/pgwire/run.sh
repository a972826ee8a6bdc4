#!/bin/bash
# bench/pgwire/run.sh — pgbench SELECT 1 against ringdb and PostgreSQL 15.
# Usage: bench/pgwire/run.sh [BUILD_DIR] [SECONDS]   (run as root: PostgreSQL
# runs as the postgres user).  Prints TPS for 1, 8, 64 clients in simple
# and prepared modes and the ringdb/PostgreSQL ratio.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../../build}
secs=${2:-5}
. "$here/../lib/pgpair.sh"
pgpair_start pgwire-bench "$build"

tps() { # port mode clients
    pgbench -n -h 127.0.0.1 -p "$1" -U postgres postgres -f "$here/select1.sql" \
        -M "$2" -c "$3" -j "$(( $3 < 4 ? $3 : 4 ))" -T "$secs" 2>/dev/null |
        sed -n 's/^tps = \([0-9.]*\) .*/\1/p'
}
printf '%-9s %7s %12s %12s %7s\n' mode clients ringdb postgres ratio
for mode in simple prepared; do
    for c in 1 8 64; do
        r=$(tps "$rport" "$mode" "$c"); p=$(tps "$pport" "$mode" "$c")
        printf '%-9s %7d %12.0f %12.0f %7.2f\n' "$mode" "$c" "$r" "$p" \
            "$(awk -v r="$r" -v p="$p" 'BEGIN { print (p > 0 ? r / p : 0) }')"
    done
done
