#!/usr/bin/env bash
# Search benchmark: tsunagi against the peers users would pick instead, side
# by side in one run, on identical rows and identical seeded queries.
#
# usage: scripts/bench-search.sh
#        SIZES="1000 30000 500000" SEED=42 QUERIES=1000 scripts/bench-search.sh
#
# For every size N:
#   1. python3 scripts/gen_data.py N DIR --layout medical --seed SEED (sha256 recorded);
#   2. tsunagi: import into a fresh data dir WITHOUT a dictionary (so the import
#      does not index: import rows/s alone), then `index rebuild` (index build
#      time alone); peak RSS of both with /usr/bin/time -v; `du -sb DIR/index`;
#   3. the database's facilities exported to one TSV (scripts/bench/export.py)
#      that every peer loads, so all systems hold the same rows and ids;
#   4. QUERIES seeded queries per class (scripts/bench/queries.py), identical
#      for every system, and a copy with limit 500 for the correctness gate;
#   5. one system after another: SQLite FTS5 trigram + R*Tree (in-process),
#      PostgreSQL 15 + pg_trgm + PostGIS, Groonga 13 (servers on loopback,
#      pinned to CPU 0 with taskset, clients on CPU 1, stopped by PID);
#      each first runs the gate file, then is warmed with 100 queries and
#      timed on the benchmark file (limit 10);
#   6. scripts/bench/gate.py: recall / false positives against a brute-force scan
#      (tsunagi writes every match, --all-ids: its whole set is compared).
# Finally scripts/bench/report.py writes
#   bench/results/search-YYYY-MM-DD.csv  (system,size,class,metric,value)
#   bench/results/search-YYYY-MM-DD.md   (machine, checksums, gate, latency tables, build)
# Rows of sizes not in SIZES already in today's CSV are kept (re-run one size).
#
# Installs what is missing: Debian postgresql-15-postgis-3, groonga-bin, time,
# mecab (readings for the gate's by-design check); pip psycopg2-binary, numpy.
# Env: SIZES, SEED, QUERIES (per class), WARMUP (100), PEERS ("sqlite postgres groonga"),
#      KEEP_TMP=1 keeps the work dir, PG_PORT (55432), GROONGA_PORT (10041),
#      TSUNAGI_BIN (use this binary, no build), BENCH_NOTE (a line for the report).
set -euo pipefail

SIZES=${SIZES:-"1000 30000 500000"}
SEED=${SEED:-42}
QUERIES=${QUERIES:-1000}
WARMUP=${WARMUP:-100}
PEERS=${PEERS:-"sqlite postgres groonga"}
PG_PORT=${PG_PORT:-55432}
GROONGA_PORT=${GROONGA_PORT:-10041}

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
B="$ROOT/scripts/bench"

die() { echo "bench-search: $*" >&2; exit 1; }
log() { echo "[$(date +%T)] $*" >&2; }
for n in $SIZES; do [[ $n =~ ^[0-9]+$ ]] || die "SIZES must be numbers, got '$n'"; done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/tsunagi-bench-search.XXXXXX")
chmod 755 "$WORK"
PG_DIR="" GROONGA_PID=""
stop_servers() {
    if [[ -n $GROONGA_PID ]] && kill -0 "$GROONGA_PID" 2>/dev/null; then
        kill "$GROONGA_PID" 2>/dev/null || true
        wait "$GROONGA_PID" 2>/dev/null || true
    fi
    GROONGA_PID=""
    if [[ -n $PG_DIR && -f $PG_DIR/data/postmaster.pid ]]; then
        runuser -u postgres -- /usr/lib/postgresql/15/bin/pg_ctl -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1 || {
            pid=$(head -1 "$PG_DIR/data/postmaster.pid" 2>/dev/null || true)
            [[ -n $pid ]] && kill "$pid" 2>/dev/null || true
        }
    fi
    PG_DIR=""
}
cleanup() {
    stop_servers
    if [[ ${KEEP_TMP:-0} == 1 ]]; then echo "kept $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- tools
SUDO=""
[[ $(id -u) -ne 0 ]] && command -v sudo >/dev/null && SUDO=sudo
need=()
[[ -x /usr/bin/time ]] || need+=(time)
[[ $PEERS == *postgres* && ! -f /usr/share/postgresql/15/extension/postgis.control ]] &&
    need+=(postgresql-15 postgresql-contrib postgresql-15-postgis-3 postgresql-15-postgis-3-scripts)
[[ $PEERS == *groonga* ]] && ! command -v groonga >/dev/null && need+=(groonga-bin)
command -v mecab >/dev/null || need+=(mecab mecab-ipadic-utf8)
if [[ ${#need[@]} -gt 0 ]]; then
    log "installing Debian packages: ${need[*]}"
    $SUDO apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
python3 -c 'import numpy' 2>/dev/null || python3 -m pip install -q numpy
if [[ $PEERS == *postgres* ]]; then
    python3 -c 'import psycopg2' 2>/dev/null || python3 -m pip install -q psycopg2-binary
fi
python3 - <<'EOF' || die "python3's sqlite3 lacks FTS5 trigram (needs SQLite ≥ 3.34)"
import sqlite3
c = sqlite3.connect(":memory:")
c.execute("create virtual table t using fts5(x, tokenize='trigram')")
c.execute("select sin(1)")
EOF
PIN0=() PIN1=()
if command -v taskset >/dev/null && taskset -c 1 true 2>/dev/null; then PIN0=(taskset -c 0) PIN1=(taskset -c 1); fi

# ---------------------------------------------------------------- build
# The binary is copied into the work dir, so a rebuild by someone else during
# the run cannot change what is measured. TSUNAGI_BIN=path skips the build.
TARGET_DIR=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
BUILT="$TARGET_DIR/release/tsunagi"
BINARY_NOTE="built from the working tree by scripts/setup.sh --release"
if [[ -n ${TSUNAGI_BIN:-} ]]; then
    BUILT=$TSUNAGI_BIN
    BINARY_NOTE="given as TSUNAGI_BIN"
else
    log "building tsunagi (release) and the dictionary (scripts/setup.sh --release)…"
    if ! scripts/setup.sh --release >"$WORK/setup.log" 2>&1; then
        tail -20 "$WORK/setup.log" >&2
        [[ -x $BUILT ]] || die "scripts/setup.sh --release failed and there is no earlier $BUILT"
        BINARY_NOTE="the working tree did not build; the earlier binary of $(date -r "$BUILT" '+%F %T') was used"
        log "warning: $BINARY_NOTE"
    fi
fi
[[ -x $BUILT ]] || die "missing $BUILT"
mkdir -p "$WORK/bin"
cp "$BUILT" "$WORK/bin/tsunagi"
TSUNAGI="$WORK/bin/tsunagi"
# Once: the report is written after every size.
BINARY_NOTE="$BINARY_NOTE (sha256 $(sha256sum "$TSUNAGI" | cut -c1-12))"
DICT="${TSUNAGI_DICTIONARY_DIR:-$ROOT/var/dict/ipadic}"
if [[ ! -f $DICT/metadata.json ]]; then
    log "building the dictionary into $DICT…"
    "$TSUNAGI" dict build --dest "$DICT" >/dev/null
fi

RAW="$WORK/raw.csv"   # system,size,class,metric,value
: >"$RAW"
record() { echo "$1,$2,$3,$4,$5" >>"$RAW"; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.3f", b - a}'; }
peak_rss() { awk -F: '/Maximum resident set size/ {gsub(/[^0-9]/, "", $2); print $2}' "$1"; }

# run_timed NAME CMD… : wall time into $T_WALL, peak RSS (kB) into $T_RSS; output in $WORK/NAME.out
run_timed() {
    local name=$1; shift
    local t0 t1
    t0=$(date +%s.%N)
    /usr/bin/time -v -o "$WORK/$name.time" "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" || {
        tail -20 "$WORK/$name.err" >&2; die "$name failed: $*"; }
    t1=$(date +%s.%N)
    T_WALL=$(elapsed "$t0" "$t1")
    T_RSS=$(peak_rss "$WORK/$name.time")
}

# records the per-class p50/p99/p99.9 of a results JSONL
record_latency() {  # SYSTEM SIZE RESULTS.jsonl
    python3 - "$@" >>"$RAW" <<'EOF'
import json, sys
sys.path.insert(0, "scripts/bench")
import common
system, size, path = sys.argv[1:4]
t = {}
for r in common.read_jsonl(path):
    t.setdefault(r["class"], []).append(r["micros"])
for cls, v in sorted(t.items()):
    v.sort()
    for m, q in (("p50_us", 0.5), ("p99_us", 0.99), ("p999_us", 0.999)):
        print(f"{system},{size},{cls},{m},{common.quantile(v, q):.1f}")
    print(f"{system},{size},{cls},n,{len(v)}")
EOF
}

pg_start() {  # DIR
    PG_DIR=$1
    mkdir -p "$PG_DIR/sock"
    chown -R postgres:postgres "$PG_DIR"
    runuser -u postgres -- /usr/lib/postgresql/15/bin/initdb -D "$PG_DIR/data" -E UTF8 --locale=C.UTF-8 -A trust -U postgres >"$WORK/initdb.log" 2>&1
    ${PIN0[@]+"${PIN0[@]}"} runuser -u postgres -- /usr/lib/postgresql/15/bin/pg_ctl -D "$PG_DIR/data" -l "$PG_DIR/server.log" \
        -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_DIR/sock -c shared_buffers=1GB -c max_parallel_workers_per_gather=0 -c jit=off -c fsync=off -c maintenance_work_mem=512MB" \
        -w start >/dev/null
}

# ---------------------------------------------------------------- results
write_report() {  # after every size, so finished sizes are on disk even if a later one fails
    DATE=$(date +%F)
    mkdir -p bench/results
    MODEL=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo 2>/dev/null || true)
    export DATE SEED QUERIES WARMUP NPROC="$(nproc)" MODEL="${MODEL:-unknown}" \
        MEM_KB="$(awk '/^MemTotal/ {print $2}' /proc/meminfo)" KERNEL="$(uname -sr)" \
        RUSTC="$(rustc --version 2>/dev/null || echo unknown)" \
        COMMIT="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD -- crates 2>/dev/null || echo '+dirty')" \
        SQLITE_VERSION="$(python3 -c 'import sqlite3; print(sqlite3.sqlite_version)')" \
        PG_VERSION="$(/usr/lib/postgresql/15/bin/postgres --version 2>/dev/null | awk '{print $3}') + PostGIS $(dpkg-query -W -f='${Version}' postgresql-15-postgis-3 2>/dev/null | cut -d+ -f1)" \
        GROONGA_VERSION="$(groonga --version 2>/dev/null | head -1 | awk '{print $2}')" \
        PINNED="${PIN0[*]:-no}" BENCH_NOTE="${BENCH_NOTE:-}" BINARY_NOTE
    python3 "$B/report.py" "$RAW" "bench/results/search-$DATE.csv" "bench/results/search-$DATE.md" $DONE
    log "wrote bench/results/search-$DATE.csv and bench/results/search-$DATE.md"
}

# ---------------------------------------------------------------- runs
DONE=""
for N in $SIZES; do
    D="$WORK/$N"
    mkdir -p "$D"
    log "N=$N: generating…"
    python3 scripts/gen_data.py "$N" "$D/data" --seed "$SEED" --layout medical >"$D/gen.txt"
    FILE="$D/data/medical.csv"
    record dataset "$N" - sha256 "$(awk -F'\t' 'NR == 1 {print $3}' "$D/gen.txt")"
    record dataset "$N" - file_bytes "$(stat -c %s "$FILE")"

    log "N=$N: tsunagi import (no dictionary: database only)…"
    VAR="$D/tsunagi"
    run_timed "import-$N" ${PIN0[@]+"${PIN0[@]}"} "$TSUNAGI" --data-dir "$VAR" --dictionary-dir "$D/no-dictionary" import --json "$FILE"
    record tsunagi "$N" build import_s "$T_WALL"
    record tsunagi "$N" build import_rows_per_s "$(awk -v n="$N" -v s="$T_WALL" 'BEGIN {printf "%.0f", n / s}')"
    record tsunagi "$N" build import_peak_rss_kb "$T_RSS"
    log "N=$N: tsunagi index rebuild…"
    run_timed "index-$N" ${PIN0[@]+"${PIN0[@]}"} "$TSUNAGI" --data-dir "$VAR" --dictionary-dir "$DICT" index rebuild
    secs=$(sed -n 's/.* in \([0-9.]*\)s$/\1/p' "$WORK/index-$N.out")
    record tsunagi "$N" build index_s "${secs:-$T_WALL}"
    record tsunagi "$N" build index_wall_s "$T_WALL"
    record tsunagi "$N" build index_peak_rss_kb "$T_RSS"
    record tsunagi "$N" build index_bytes "$(du -sb "$VAR/index" | cut -f1)"
    # The issue's build target is for the 2-core machine: the same rebuild,
    # not pinned (its analysis runs on two threads).
    log "N=$N: tsunagi index rebuild on both cores…"
    run_timed "index2-$N" "$TSUNAGI" --data-dir "$VAR" --dictionary-dir "$DICT" index rebuild
    secs=$(sed -n 's/.* in \([0-9.]*\)s$/\1/p' "$WORK/index2-$N.out")
    record tsunagi "$N" build index_2cores_s "${secs:-$T_WALL}"
    record tsunagi "$N" build db_bytes "$(du -cb "$VAR"/tsunagi.sqlite* | tail -1 | cut -f1)"

    log "N=$N: export, queries…"
    ROWS="$D/rows.tsv"
    record dataset "$N" - rows "$(python3 "$B/export.py" "$VAR/tsunagi.sqlite" "$ROWS")"
    python3 "$B/queries.py" "$ROWS" data/reference/localgovjp/localgovjp-utf8.csv "$D/queries.jsonl" --n "$QUERIES" --seed "$SEED"
    python3 - "$D/queries.jsonl" "$D/gate.jsonl" <<'EOF'
import json, sys
with open(sys.argv[1], encoding="utf-8") as f, open(sys.argv[2], "w", encoding="utf-8") as g:
    for line in f:
        q = json.loads(line)
        q["limit"] = 500
        g.write(json.dumps(q, ensure_ascii=False) + "\n")
EOF
    GATE_ARGS=()

    log "N=$N: tsunagi gate + timing…"
    "$TSUNAGI" --data-dir "$VAR" --dictionary-dir "$DICT" bench queries "$D/gate.jsonl" --out "$D/gate-tsunagi.jsonl" --warmup 0 --all-ids >/dev/null
    GATE_ARGS+=("tsunagi=$D/gate-tsunagi.jsonl")
    run_timed "serve-tsunagi-$N" ${PIN0[@]+"${PIN0[@]}"} "$TSUNAGI" --data-dir "$VAR" --dictionary-dir "$DICT" \
        bench queries "$D/queries.jsonl" --out "$D/time-tsunagi.jsonl" --warmup "$WARMUP"
    record tsunagi "$N" build serve_peak_rss_kb "$T_RSS"
    record_latency tsunagi "$N" "$D/time-tsunagi.jsonl"

    for P in $PEERS; do
        case $P in
        sqlite)
            log "N=$N: SQLite $(python3 -c 'import sqlite3; print(sqlite3.sqlite_version)') load…"
            db="$D/sqlite.db"
            run_timed "sqlite-load-$N" ${PIN0[@]+"${PIN0[@]}"} python3 "$B/peers.py" sqlite load "$ROWS" --db "$db"
            python3 - "$WORK/sqlite-load-$N.out" sqlite "$N" >>"$RAW" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1])); s, n = sys.argv[2:4]
print(f"{s},{n},build,load_s,{d['load_s']:.3f}"); print(f"{s},{n},build,index_s,{d['index_s']:.3f}")
EOF
            record sqlite "$N" build load_peak_rss_kb "$T_RSS"
            record sqlite "$N" build index_bytes "$(stat -c %s "$db")"
            log "N=$N: SQLite gate + timing…"
            ${PIN0[@]+"${PIN0[@]}"} python3 "$B/peers.py" sqlite run "$D/gate.jsonl" --db "$db" --out "$D/gate-sqlite.jsonl" --gate
            GATE_ARGS+=("sqlite=$D/gate-sqlite.jsonl")
            ${PIN0[@]+"${PIN0[@]}"} python3 "$B/peers.py" sqlite floor --db "$db" --out "$D/floor-sqlite.json" >/dev/null
            run_timed "serve-sqlite-$N" ${PIN0[@]+"${PIN0[@]}"} python3 "$B/peers.py" sqlite run "$D/queries.jsonl" --db "$db" \
                --out "$D/time-sqlite.jsonl" --warmup "$WARMUP"
            record sqlite "$N" build serve_peak_rss_kb "$T_RSS"
            record_latency sqlite "$N" "$D/time-sqlite.jsonl"
            rm -f "$db"
            ;;
        postgres)
            log "N=$N: PostgreSQL load…"
            pg_start "$D/pg"
            dsn="host=127.0.0.1 port=$PG_PORT user=postgres dbname=postgres"
            ${PIN1[@]+"${PIN1[@]}"} python3 "$B/peers.py" postgres load "$ROWS" --dsn "$dsn" >"$WORK/pg-load-$N.out"
            python3 - "$WORK/pg-load-$N.out" postgres "$N" >>"$RAW" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1])); s, n = sys.argv[2:4]
print(f"{s},{n},build,load_s,{d['load_s']:.3f}"); print(f"{s},{n},build,index_s,{d['index_s']:.3f}")
print(f"{s},{n},build,index_bytes,{d['size_bytes']}")
EOF
            log "N=$N: PostgreSQL gate + timing…"
            ${PIN1[@]+"${PIN1[@]}"} python3 "$B/peers.py" postgres run "$D/gate.jsonl" --dsn "$dsn" --out "$D/gate-postgres.jsonl" --gate
            GATE_ARGS+=("postgres=$D/gate-postgres.jsonl")
            ${PIN1[@]+"${PIN1[@]}"} python3 "$B/peers.py" postgres floor --dsn "$dsn" --out "$D/floor-postgres.json" >/dev/null
            ${PIN1[@]+"${PIN1[@]}"} python3 "$B/peers.py" postgres run "$D/queries.jsonl" --dsn "$dsn" \
                --out "$D/time-postgres.jsonl" --warmup "$WARMUP"
            rss=$(ps -o rss= -u postgres | awk '{s += $1} END {print s + 0}')
            record postgres "$N" build serve_rss_kb "$rss"
            record_latency postgres "$N" "$D/time-postgres.jsonl"
            stop_servers
            rm -rf "$D/pg"
            ;;
        groonga)
            log "N=$N: Groonga $(groonga --version | head -1 | awk '{print $2}') load…"
            gdir="$D/groonga"
            mkdir -p "$gdir"
            python3 "$B/peers.py" groonga-file load "$ROWS" --out "$gdir/load.grn"
            t0=$(date +%s.%N)
            ${PIN0[@]+"${PIN0[@]}"} groonga -n "$gdir/fac.db" <"$gdir/load.grn" >"$gdir/load.log"
            t1=$(date +%s.%N)
            ${PIN0[@]+"${PIN0[@]}"} groonga "$gdir/fac.db" <"$gdir/load.grn.index" >"$gdir/index.log"
            t2=$(date +%s.%N)
            grep -q '"loaded"\|^\[\[0' "$gdir/load.log" || true
            record groonga "$N" build load_s "$(elapsed "$t0" "$t1")"
            record groonga "$N" build index_s "$(elapsed "$t1" "$t2")"
            record groonga "$N" build index_bytes "$(du -cb "$gdir"/fac.db* | tail -1 | cut -f1)"
            ${PIN0[@]+"${PIN0[@]}"} groonga -s --protocol http --bind-address 127.0.0.1 --port "$GROONGA_PORT" "$gdir/fac.db" \
                >"$gdir/server.log" 2>&1 &
            GROONGA_PID=$!
            for _ in $(seq 1 100); do
                python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$GROONGA_PORT/d/status')" 2>/dev/null && break
                sleep 0.2
            done
            url="http://127.0.0.1:$GROONGA_PORT"
            log "N=$N: Groonga gate + timing…"
            ${PIN1[@]+"${PIN1[@]}"} python3 "$B/peers.py" groonga run "$D/gate.jsonl" --url "$url" --out "$D/gate-groonga.jsonl" --gate
            GATE_ARGS+=("groonga=$D/gate-groonga.jsonl")
            ${PIN1[@]+"${PIN1[@]}"} python3 "$B/peers.py" groonga floor --url "$url" --out "$D/floor-groonga.json" >/dev/null
            ${PIN1[@]+"${PIN1[@]}"} python3 "$B/peers.py" groonga run "$D/queries.jsonl" --url "$url" \
                --out "$D/time-groonga.jsonl" --warmup "$WARMUP"
            record groonga "$N" build serve_rss_kb "$(ps -o rss= -p "$GROONGA_PID" | tr -d ' ')"
            record_latency groonga "$N" "$D/time-groonga.jsonl"
            stop_servers
            rm -rf "$gdir"
            ;;
        *) die "unknown peer $P" ;;
        esac
        if [[ -f $D/floor-$P.json ]]; then
            python3 - "$D/floor-$P.json" "$P" "$N" >>"$RAW" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1])); s, n = sys.argv[2:4]
print(f"{s},{n},client-floor,p50_us,{d['p50_us']:.1f}"); print(f"{s},{n},client-floor,p99_us,{d['p99_us']:.1f}")
EOF
        fi
    done

    log "N=$N: correctness gate…"
    python3 "$B/gate.py" "$ROWS" "$D/gate.jsonl" "$D/gate.json" "${GATE_ARGS[@]}"
    python3 - "$D/gate.json" "$N" >>"$RAW" <<'EOF'
import csv, json, sys
g = json.load(open(sys.argv[1], encoding="utf-8")); n = sys.argv[2]
w = csv.writer(sys.stdout, lineterminator="\n")
for s in g["summary"]:
    for m in ("queries", "recall_mean", "recall_min", "queries_below_1", "fp", "fp_queries", "fp_by_design", "estimated", "missing", "total_mismatch"):
        w.writerow([s["system"], n, s["class"], "gate_" + m, s[m]])
for f in g["failures"]:
    w.writerow([f["system"], n, f["class"], "example", json.dumps(f, ensure_ascii=False)])
EOF
    rm -rf "$D/data" "$VAR"
    DONE="$DONE $N"
    write_report
done
