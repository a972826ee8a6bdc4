#!/bin/bash
# bench/sql/run.sh — one-node query benchmark: ringdb against PostgreSQL 15.
#
#   bench/sql/run.sh [BUILD_DIR] [ROWS] [SECONDS]     (as root: PostgreSQL runs
#                                                     as the postgres user)
#
# Starts a ringdb node and a PostgreSQL 15 (Debian's postgresql-15, default
# settings) in a temporary directory, loads the same data into both, and
# times each query with pgbench (one client, a custom script per query):
#
#   load      COPY of ROWS rows (default 1,000,000) into bench_acc
#   point     SELECT by primary key
#   range     1,000 consecutive primary keys
#   agg       count/sum/avg over the whole of bench_acc
#   join3     3-table join with GROUP BY (orders 100k x customers x products)
#   topn      ORDER BY a non-key column LIMIT 10
#   topn_idx  ORDER BY an indexed column LIMIT 10 (index on bench_acc(grp),
#             made after the load; both systems ANALYZEd)
#   joinbad   a join written in a bad order: bench_acc x orders x products
#             with a selective filter on products (the planner should start
#             from products and probe bench_acc's key)
#   joinwr    the same with SET join_collapse_limit = 1 (the written order)
#
# Each query runs three times for SECONDS (default 5); the median latency is
# printed for both systems with the ratio postgres/ringdb (above 1: ringdb is
# faster).  PostgreSQL gets a VACUUM ANALYZE after the load, as autovacuum
# would give it.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../../build}
rows=${2:-1000000}
secs=${3:-5}
. "$here/../lib/pgpair.sh"
pgpair_start sql-bench "$build"

# The data, generated once as CSV and loaded into both by COPY FROM STDIN.
norders=100000
awk -v n="$rows" 'BEGIN { srand(42); for (i = 1; i <= n; i++)
    printf "%d,%d,%.2f,%s\n", i, i % 1000, rand() * 100000, "pad-" i "-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" }' >"$tmp/acc.csv"
awk -v n="$norders" 'BEGIN { srand(7); for (i = 1; i <= n; i++)
    printf "%d,%d,%d,%d\n", i, 1 + int(rand() * 10000), 1 + int(rand() * 1000), 1 + int(rand() * 20) }' >"$tmp/orders.csv"
awk 'BEGIN { for (i = 1; i <= 10000; i++) printf "%d,region-%d\n", i, i % 17 }' >"$tmp/cust.csv"
awk 'BEGIN { for (i = 1; i <= 1000; i++) printf "%d,cat-%d\n", i, i % 23 }' >"$tmp/prod.csv"

sql() { psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$1" -U postgres postgres "${@:2}"; }
schema="
CREATE TABLE bench_acc (id integer PRIMARY KEY, grp integer NOT NULL, val numeric(12,2), pad text);
CREATE TABLE orders (o_id integer PRIMARY KEY, c_id integer, p_id integer, qty integer);
CREATE TABLE customers (c_id integer PRIMARY KEY, region text);
CREATE TABLE products (p_id integer PRIMARY KEY, cat text);"

now_ms() { date +%s%3N; }
load() { # port -> ms to COPY bench_acc ("-" on failure)
    sql "$1" -c "$schema" >&2 || { echo -; return; }
    local t0; t0=$(now_ms)
    sql "$1" -c "\\copy bench_acc FROM '$tmp/acc.csv' WITH (FORMAT csv)" >&2 || { echo -; return; }
    echo $(( $(now_ms) - t0 ))
    sql "$1" -c "\\copy orders FROM '$tmp/orders.csv' WITH (FORMAT csv)" \
             -c "\\copy customers FROM '$tmp/cust.csv' WITH (FORMAT csv)" \
             -c "\\copy products FROM '$tmp/prod.csv' WITH (FORMAT csv)" >&2 || true
}
rload=$(load "$rport")
pload=$(load "$pport")
sql "$pport" -c "VACUUM ANALYZE"
for port in "$rport" "$pport"; do
    sql "$port" -c "CREATE INDEX bench_acc_grp ON bench_acc (grp)" -c "ANALYZE bench_acc" \
        -c "ANALYZE orders" -c "ANALYZE customers" -c "ANALYZE products" >&2 || true
done

cat >"$tmp/point.sql" <<SQL
\set id random(1, $rows)
SELECT * FROM bench_acc WHERE id = :id;
SQL
cat >"$tmp/range.sql" <<SQL
\set lo random(1, $(( rows > 1000 ? rows - 999 : 1 )))
SELECT * FROM bench_acc WHERE id BETWEEN :lo AND :lo + 999;
SQL
cat >"$tmp/agg.sql" <<SQL
SELECT count(*), sum(val), avg(val) FROM bench_acc;
SQL
cat >"$tmp/join3.sql" <<SQL
SELECT c.region, p.cat, sum(o.qty) FROM orders o JOIN customers c ON c.c_id = o.c_id
  JOIN products p ON p.p_id = o.p_id GROUP BY c.region, p.cat ORDER BY 1, 2;
SQL
cat >"$tmp/topn.sql" <<SQL
SELECT * FROM bench_acc ORDER BY val DESC LIMIT 10;
SQL

cat >"$tmp/topn_idx.sql" <<SQL
SELECT * FROM bench_acc ORDER BY grp LIMIT 10;
SQL
cat >"$tmp/joinbad.sql" <<SQL
SELECT count(*), sum(a.val) FROM bench_acc a JOIN orders o ON o.o_id = a.id
  JOIN products p ON p.p_id = o.p_id WHERE p.cat = 'cat-5' AND p.p_id < 100;
SQL
{ echo "SET join_collapse_limit = 1;"; cat "$tmp/joinbad.sql"; } >"$tmp/joinwr.sql"

latency() { # port script -> median of three runs' average latency in ms ("-" on failure)
    local runs=() r
    for _ in 1 2 3; do
        r=$(pgbench -n -h 127.0.0.1 -p "$1" -U postgres postgres -f "$2" -M prepared \
                -c 1 -T "$secs" 2>/dev/null | sed -n 's/^latency average = \([0-9.]*\) ms/\1/p')
        [ -n "$r" ] || { echo -; return; }
        runs+=("$r")
    done
    printf '%s\n' "${runs[@]}" | sort -g | sed -n 2p
}
cpu_s() { # pid -> CPU seconds (user + system) so far
    awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$1/stat"
}
ratio() { awk -v r="$1" -v p="$2" 'BEGIN { if (r == "-" || p == "-" || r + 0 <= 0) print "-"; else printf "%.2f", p / r }'; }

echo "rows=$rows, ${secs}s x3 per query, median latency; ringdb_cpu_s: the ringdb server's CPU seconds over its 3 runs ($(( 3 * secs )) s wall)"
printf '%-8s %14s %14s %8s %12s\n' query ringdb_ms postgres_ms pg/ringdb ringdb_cpu_s
printf '%-8s %14s %14s %8s\n' load "$rload" "$pload" "$(ratio "$rload" "$pload")"
for q in point range agg join3 topn topn_idx joinbad joinwr; do
    c0=$(cpu_s "$rpid")
    r=$(latency "$rport" "$tmp/$q.sql")
    c1=$(cpu_s "$rpid")
    p=$(latency "$pport" "$tmp/$q.sql")
    printf '%-8s %14s %14s %8s %12s\n' "$q" "$r" "$p" "$(ratio "$r" "$p")" "$(awk -v a="$c0" -v b="$c1" 'BEGIN { printf "%.1f", b - a }')"
done
