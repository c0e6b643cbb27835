#!/usr/bin/env bash
# HTTP benchmark of `tsunagi serve`: throughput and latency of the JSON API,
# the map clusters and the HTML search page against the ceiling of this
# machine (an actix handler returning a constant 1 KB JSON, `--bench-routes`),
# plus the bytes a browser downloads (map views, the search page's CSS/JS).
#
# usage: scripts/bench-http.sh
#        DURATION=30s REPEAT=3 NATIONAL_N=500000 scripts/bench-http.sh
#
#   1. scripts/setup.sh --release (Debian packages, vendored web libraries,
#      the IPADIC dictionary in var/dict/ipadic), then
#      `cargo build --release -p tsunagi`; the binary is copied into the work
#      dir so a rebuild by someone else during the run changes nothing.
#   2. Two fresh data dirs:
#        real      every CSV/XLSX under data/jichitai and data/mhlw;
#        national  `scripts/gen_data.py NATIONAL_N DIR --layout all --seed SEED`
#                  (file checksums recorded), every generated file imported.
#   3. Per dataset: `tsunagi serve --workers 1 --bench-routes` pinned to CPU 0
#      (`taskset -c 0`, stopped by PID), load generators pinned to CPU 1.
#      URL lists come from the served data (scripts/bench/http_queries.py):
#      400 seeded search URLs (keywords 訪問看護 歯科 内科 薬局 デイサービス …,
#      municipality names, name fragments, + &near=lat,lng, + &category=) and
#      100 zoom-13 viewports; every distinct URL is first fetched once and its
#      status checked.
#   4. Closed loop: `wrk -t1 -c{1,8,32} -d$DURATION --latency` through
#      scripts/bench/http_wrk.lua (requests rotate round-robin through a URL
#      list, formatted once) for
#        constant      /__bench/constant                      (the ceiling)
#        search        /api/v1/facilities?q=…&per_page=20     (rotating)
#        search_fresh  the same with Cache-Control: no-cache, so every answer
#                      is searched and made afresh (the server keeps answers
#                      for repeated URLs otherwise; see --response-cache-mb)
#        clusters_z5   /api/v1/clusters?zoom=5&bbox=122,20,154,46
#        clusters_z13  /api/v1/clusters?zoom=13&bbox=…        (rotating)
#        html_search   /?q=歯科
#      and, at the highest concurrency, constant_gzip / search_gzip with
#      Accept-Encoding: gzip (what browsers send). No Accept-Encoding
#      otherwise. Everything REPEAT times, interleaved (repetition → concurrency
#      → endpoint), medians reported; each endpoint is warmed for $WARMUP first.
#   5. Open loop for an honest p99: the search URLs, answered afresh
#      (Cache-Control: no-cache), at 50% of the highest closed-loop rate of
#      search_fresh. Debian's wrk 4.1 has no -R (wrk2), so
#      scripts/bench/http_openloop.py does it: constant arrival rate, a pool of
#      keep-alive HTTP/1.1 connections, latency measured from each request's
#      due time (no coordinated omission). When `wrk -R` works it is used instead.
#   6. Payloads: raw gzipped bytes (curl without --compressed, so the bytes on
#      the wire) and identity bytes of the cluster views at zoom 5 (Japan),
#      7, 10 and 13; the search page's HTML and every CSS/JS file it references,
#      as the server sends them with Accept-Encoding: gzip, and gzip -9 locally.
#   7. scripts/bench/http_report.py writes
#        $RESULTS_DIR/http-YYYY-MM-DD.csv  (system_dataset,endpoint,concurrency,metric,value)
#        $RESULTS_DIR/http-YYYY-MM-DD.md   (machine, tables, ratios, targets, problems)
#
# Env: DURATION (30s), CONCURRENCY ("1 8 32"), REPEAT (3), WARMUP (5s),
#      NATIONAL_N (500000), SEED (42), DATASETS ("real national"),
#      OPEN_DURATION (30, seconds), OPEN_WARMUP (5), OPEN_CONNECTIONS (64),
#      GZIP_EXTRA (1), RESULTS_DIR (bench/results), KEEP_TMP=1 keeps the work
#      dir, TSUNAGI_BIN=path skips the build.
set -euo pipefail

DURATION=${DURATION:-30s}
CONCURRENCY=${CONCURRENCY:-"1 8 32"}
REPEAT=${REPEAT:-3}
WARMUP=${WARMUP:-5s}
NATIONAL_N=${NATIONAL_N:-500000}
SEED=${SEED:-42}
DATASETS=${DATASETS:-"real national"}
OPEN_DURATION=${OPEN_DURATION:-30}
OPEN_WARMUP=${OPEN_WARMUP:-5}
OPEN_CONNECTIONS=${OPEN_CONNECTIONS:-64}
GZIP_EXTRA=${GZIP_EXTRA:-1}
RESULTS_DIR=${RESULTS_DIR:-bench/results}
WRK_TIMEOUT=${WRK_TIMEOUT:-60s}
DRAIN_MAX=${DRAIN_MAX:-1800}

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
B="$ROOT/scripts/bench"

die() { echo "bench-http: $*" >&2; exit 1; }
log() { echo "[$(date +%T)] $*" >&2; }
[[ $REPEAT =~ ^[1-9][0-9]*$ ]] || die "REPEAT must be a positive number"
[[ $NATIONAL_N =~ ^[0-9]+$ ]] || die "NATIONAL_N must be a number"
for c in $CONCURRENCY; do [[ $c =~ ^[1-9][0-9]*$ ]] || die "CONCURRENCY must be numbers, got '$c'"; done
MAX_C=$(printf '%s\n' $CONCURRENCY | sort -n | tail -1)

WORK=$(mktemp -d "${TMPDIR:-/tmp}/tsunagi-bench-http.XXXXXX")
SERVER_PID=""
stop_server() {
    if [[ -n $SERVER_PID ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    SERVER_PID=""
}
cleanup() {
    stop_server
    if [[ ${KEEP_TMP:-0} == 1 ]]; then echo "kept $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- tools
for t in wrk taskset curl python3 gzip; do command -v "$t" >/dev/null || die "needs $t (apt-get install wrk util-linux curl)"; done
PIN0=(taskset -c 0) PIN1=(taskset -c 1)
taskset -c 1 true 2>/dev/null || { PIN0=() PIN1=(); log "warning: fewer than 2 CPUs, nothing pinned"; }
PINNED="${PIN0[*]:-no}"

RAW="$WORK/raw.csv"          # system_dataset,endpoint,concurrency,metric,value,run
PROBLEMS="$WORK/problems.txt" # one product problem per line (Markdown)
: >"$RAW"
: >"$PROBLEMS"
record() { echo "$1,$2,$3,$4,$5,${6:-}" >>"$RAW"; }
problem() { echo "$*" >>"$PROBLEMS"; log "PROBLEM: $*"; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.3f", b - a}'; }
loadavg() { cut -d' ' -f1 /proc/loadavg; }
top_cpu() { ps -eo pcpu=,comm= --sort=-pcpu | head -8 | awk '{printf "%s%s %s%%", (NR > 1 ? ", " : ""), $2, $1}'; }
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
TOP_START=$(top_cpu)

# ---------------------------------------------------------------- build
DICT="${TSUNAGI_DICTIONARY_DIR:-$ROOT/var/dict/ipadic}"
TARGET_DIR=$(cargo metadata --format-version 1 --no-deps 2>/dev/null |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])' 2>/dev/null || echo "$ROOT/target")
BUILT="$TARGET_DIR/release/tsunagi"
BINARY_NOTE="built from the working tree (scripts/setup.sh --release, cargo build --release -p tsunagi)"
if [[ -n ${TSUNAGI_BIN:-} ]]; then
    BUILT=$TSUNAGI_BIN
    BINARY_NOTE="given as TSUNAGI_BIN"
else
    log "scripts/setup.sh --release (packages, web vendor, release build, dictionary in $DICT)…"
    if ! TSUNAGI_DICTIONARY_DIR="$DICT" scripts/setup.sh --release >"$WORK/setup.log" 2>&1 ||
        ! cargo build --release -p tsunagi >>"$WORK/setup.log" 2>&1; then
        tail -20 "$WORK/setup.log" >&2
        [[ -x $BUILT ]] || die "the release build failed and there is no earlier $BUILT"
        BINARY_NOTE="the working tree did not build; the earlier binary of $(date -r "$BUILT" '+%F %T') was used"
        log "warning: $BINARY_NOTE"
    fi
fi
[[ -x $BUILT ]] || die "missing $BUILT"
mkdir -p "$WORK/bin"
cp "$BUILT" "$WORK/bin/tsunagi"
TSUNAGI="$WORK/bin/tsunagi"
if [[ ! -f $DICT/metadata.json ]]; then
    log "building the dictionary into $DICT…"
    "$TSUNAGI" dict build --dest "$DICT" >/dev/null
fi
tsunagi() { "$TSUNAGI" --dictionary-dir "$DICT" "$@"; }

# ---------------------------------------------------------------- datasets
TIME=()
[[ -x /usr/bin/time ]] && TIME=(/usr/bin/time -v -o)
import_into() {  # NAME DATA_DIR FILES…
    local name=$1 dir=$2; shift 2
    local t0 t1 rc=0
    log "$name: importing $# files into a fresh data dir…"
    t0=$(date +%s.%N)
    if [[ ${#TIME[@]} -gt 0 ]]; then
        "${TIME[@]}" "$WORK/import-$name.time" "$TSUNAGI" --dictionary-dir "$DICT" --data-dir "$dir" import "$@" \
            >"$WORK/import-$name.out" 2>"$WORK/import-$name.err" || rc=$?
    else
        tsunagi --data-dir "$dir" import "$@" >"$WORK/import-$name.out" 2>"$WORK/import-$name.err" || rc=$?
    fi
    t1=$(date +%s.%N)
    record "tsunagi/$name" import - wall_s "$(elapsed "$t0" "$t1")"
    record "tsunagi/$name" import - files "$#"
    if [[ -f $WORK/import-$name.time ]]; then
        record "tsunagi/$name" import - peak_rss_mb \
            "$(awk -F: '/Maximum resident set size/ {gsub(/[^0-9]/, "", $2); printf "%.1f", $2 / 1024}' "$WORK/import-$name.time")"
    fi
    if [[ $rc -ne 0 ]]; then
        problem "\`tsunagi import\` of the $name data exited with $rc: $(tail -3 "$WORK/import-$name.err" | tr '\n' ' ' | cut -c1-400)"
    fi
    local n
    n=$(tsunagi --data-dir "$dir" status --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["facilities"])')
    record "tsunagi/$name" import - facilities "$n"
    [[ $n -gt 0 ]] || die "$name: no facilities after the import"
    log "$name: $n facilities"
}

declare -A DATA_DIR
for ds in $DATASETS; do
    case $ds in
        real)
            mapfile -d '' files < <(find data/jichitai data/mhlw -type f \( -name '*.csv' -o -name '*.xlsx' \) -print0 | sort -z)
            [[ ${#files[@]} -gt 0 ]] || die "no files under data/jichitai data/mhlw"
            printf '%s\n' "${files[@]}" >"$WORK/real-files.txt"
            DATA_DIR[real]="$WORK/data-real"
            import_into real "${DATA_DIR[real]}" "${files[@]}"
            ;;
        national)
            log "national: python3 scripts/gen_data.py $NATIONAL_N … --layout all --seed $SEED"
            t0=$(date +%s.%N)
            python3 scripts/gen_data.py "$NATIONAL_N" "$WORK/gen" --layout all --seed "$SEED" >"$WORK/gen.txt"
            record tsunagi/national generate - wall_s "$(elapsed "$t0" "$(date +%s.%N)")"
            record tsunagi/national generate - rows "$NATIONAL_N"
            while IFS=$'\t' read -r path rows sum; do
                [[ $path == total ]] && continue
                record tsunagi/national "generate:$(basename "$path")" - rows "$rows"
                record tsunagi/national "generate:$(basename "$path")" - sha256 "$sum"
            done <"$WORK/gen.txt"
            DATA_DIR[national]="$WORK/data-national"
            import_into national "${DATA_DIR[national]}" "$WORK"/gen/*.csv
            ;;
        *) die "unknown dataset '$ds' (real, national)" ;;
    esac
done

# ---------------------------------------------------------------- server
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
PORT="" BASE=""
start_server() {  # DATASET
    local ds=$1
    PORT=$(free_port)
    BASE="http://127.0.0.1:$PORT"
    ${PIN0[@]+"${PIN0[@]}"} "$TSUNAGI" --data-dir "${DATA_DIR[$ds]}" --dictionary-dir "$DICT" \
        serve --bind "127.0.0.1:$PORT" --workers 1 --bench-routes >>"$WORK/serve-$ds.log" 2>&1 &
    SERVER_PID=$!
    local i
    for i in $(seq 1 600); do
        curl -sf -o /dev/null "$BASE/healthz" && return 0
        kill -0 "$SERVER_PID" 2>/dev/null || { tail -5 "$WORK/serve-$ds.log" >&2; die "$ds: the server exited at start"; }
        sleep 0.5
    done
    die "$ds: the server did not answer /healthz within 300 s"
}
check_alive() {  # DATASET WHAT
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
        wait "$SERVER_PID" 2>/dev/null && rc=0 || rc=$?
        problem "the $1 server exited (status $rc) during $2; last log lines: $(tail -3 "$WORK/serve-$1.log" | tr '\n' ' ' | cut -c1-400)"
        SERVER_PID=""
        start_server "$1"
    fi
}
server_rss() {  # DATASET LABEL
    local kb hwm
    kb=$(awk '/^VmRSS/ {print $2}' "/proc/$SERVER_PID/status" 2>/dev/null || echo 0)
    hwm=$(awk '/^VmHWM/ {print $2}' "/proc/$SERVER_PID/status" 2>/dev/null || echo 0)
    record "tsunagi/$1" server - "rss_mb_$2" "$(awk -v k="$kb" 'BEGIN {printf "%.1f", k / 1024}')"
    record "tsunagi/$1" server - "peak_rss_mb_$2" "$(awk -v k="$hwm" 'BEGIN {printf "%.1f", k / 1024}')"
}

# ---------------------------------------------------------------- load
WRK_VERSION=$( (wrk -v 2>&1 || true) | head -1 | awk '{print $1, $2}')
# CPU time the server's threads ran and waited for a CPU (ns, summed over
# threads, /proc/PID/task/*/schedstat): on a shared machine the server's CPU
# time per request is steadier than its requests per second.
sched_sum() { cat /proc/"$SERVER_PID"/task/*/schedstat 2>/dev/null | awk '{r += $1; w += $2} END {printf "%.0f %.0f", r, w}'; }
# After a run, wait until the server is idle again: it finishes the requests
# whose clients have gone (wrk stops with requests in flight), and those must
# not be charged to the next run. Idle = /__bench/constant answers 200 within
# 0.2 s twice in a row. Prints the seconds waited.
drain() {
    local t0 n=0 r i
    t0=$(date +%s.%N)
    for i in $(seq 1 $((DRAIN_MAX * 2))); do
        r=$(curl -s -o /dev/null -m 2 -w '%{http_code} %{time_total}' "$BASE/__bench/constant" || true)
        if [[ $r == "200 0."* ]] && awk -v t="${r#* }" 'BEGIN {exit !(t < 0.2)}'; then
            n=$((n + 1))
            [[ $n -ge 2 ]] && break
        else
            n=0
            sleep 0.5
        fi
    done
    elapsed "$t0" "$(date +%s.%N)"
}

run_wrk() {  # DATASET ENDPOINT PATHS CONCURRENCY DURATION RUN [ACCEPT_ENCODING]
    local ds=$1 ep=$2 paths=$3 c=$4 dur=$5 run=$6 ae=${7:-}
    local out="$WORK/wrk-$ds-$ep-c$c-$run.txt" la rc=0
    local s0 s1
    la=$(loadavg)
    s0=$(sched_sum)
    local count=1 fresh=0
    [[ $ep == constant* ]] && count=0  # the ceiling without a response() callback in wrk
    [[ $ep == *_fresh ]] && fresh=1
    WRK_PATHS=$paths WRK_ACCEPT_ENCODING=$ae WRK_COUNT_STATUS=$count WRK_NO_CACHE=$fresh ${PIN1[@]+"${PIN1[@]}"} \
        wrk -t1 -c"$c" -d"$dur" --latency --timeout "$WRK_TIMEOUT" -s "$B/http_wrk.lua" "$BASE" >"$out" 2>&1 || rc=$?
    s1=$(sched_sum)
    check_alive "$ds" "$ep c=$c ($run)"
    local drained
    drained=$(drain)
    [[ $run == warmup ]] && return 0
    record "tsunagi/$ds" "$ep" "$c" drain_s "$drained" "$run"
    local line
    line=$(grep '^RESULT ' "$out" || true)
    if [[ $rc -ne 0 || -z $line ]]; then
        problem "wrk failed on $ds $ep c=$c ($run): $(tail -3 "$out" | tr '\n' ' ' | cut -c1-300)"
        return 0
    fi
    local status
    status=$(grep '^STATUS ' "$out" || true)
    python3 - "$ds" "$ep" "$c" "$run" "$la" "$line" "$s0" "$s1" "$status" >>"$RAW" <<'EOF'
import sys
ds, ep, c, run, la, line, s0, s1, status = sys.argv[1:10]
v = dict(kv.split("=") for kv in line.split()[1:])
n, dur = int(v["requests"]), int(v["duration_us"])
bad = int(v["err_status"])
rows = [("rps", n / (dur / 1e6)), ("ok_rps", (n - bad) / (dur / 1e6)), ("requests", n),
        ("bytes_per_response", int(v["bytes"]) / max(n, 1))]
for k in ("p50", "p90", "p99", "p999", "max"):
    rows.append((f"{k}_ms", int(v[f"lat_{k}_us"]) / 1000))
rows.append(("mean_ms", float(v["lat_mean_us"]) / 1000))
for k in ("connect", "read", "write", "timeout", "status"):
    rows.append((f"err_{k}", int(v[f"err_{k}"])))
rows.append(("loadavg1_before", float(la)))
for kv in status.split()[1:]:
    code, count = kv.split("=")
    rows.append((f"status_{code}", int(count)))
(r0, w0), (r1, w1) = map(int, s0.split()), map(int, s1.split())
if r1 > r0 and n:
    rows.append(("server_cpu_us_per_req", (r1 - r0) / 1e3 / n))
    rows.append(("server_cpu_share", (r1 - r0) / 1e3 / dur))
    rows.append(("server_runqueue_wait_share", (w1 - w0) / 1e3 / dur))
for m, x in rows:
    print(f"tsunagi/{ds},{ep},{c},{m},{x:.6g},{run}" if isinstance(x, float) else f"tsunagi/{ds},{ep},{c},{m},{x},{run}")
EOF
}

WRK_HAS_RATE=0
open_loop() {  # DATASET PATHS RATE RUN
    local ds=$1 paths=$2 rate=$3 run=$4 out="$WORK/open-$ds-$4.json" la
    la=$(loadavg)
    if [[ $WRK_HAS_RATE == 1 ]]; then  # wrk2: corrected latencies from its own histogram
        WRK_PATHS=$paths WRK_NO_CACHE=1 ${PIN1[@]+"${PIN1[@]}"} wrk -t1 -c"$OPEN_CONNECTIONS" -d"${OPEN_DURATION}s" -R "$rate" \
            --latency --timeout "$WRK_TIMEOUT" -s "$B/http_wrk.lua" "$BASE" >"$out.txt" 2>&1 || true
        python3 - "$out.txt" "$rate" "$OPEN_DURATION" >"$out" <<'EOF'
import json, sys
line = next(l for l in open(sys.argv[1]) if l.startswith("RESULT "))
v = dict(kv.split("=") for kv in line.split()[1:])
n = int(v["requests"])
print(json.dumps({"target_rate": float(sys.argv[2]), "achieved_rate": n / (int(v["duration_us"]) / 1e6),
                  "completed": n, "non_2xx_3xx": int(v["err_status"]), "timeouts": int(v["err_timeout"]),
                  **{f"lat_{k}_us": int(v[f"lat_{k}_us"]) for k in ("p50", "p90", "p99", "p999", "max")}}))
EOF
    else
        ${PIN1[@]+"${PIN1[@]}"} python3 "$B/http_openloop.py" 127.0.0.1 "$PORT" "$paths" --rate "$rate" \
            --duration "$OPEN_DURATION" --warmup "$OPEN_WARMUP" --connections "$OPEN_CONNECTIONS" --timeout "${WRK_TIMEOUT%s}" --header 'Cache-Control: no-cache' >"$out" 2>"$out.err" ||
            { problem "the open-loop generator failed on $ds ($run): $(tail -3 "$out.err" | tr '\n' ' ')"; return 0; }
    fi
    python3 - "$ds" "$run" "$la" "$out" >>"$RAW" <<'EOF'
import json, sys
ds, run, la, path = sys.argv[1:5]
j = json.load(open(path))
for k, v in j.items():
    if isinstance(v, (int, float)) and v is not None:
        if k.endswith("_us"):
            k, v = k[:-3] + "_ms", v / 1000
        print(f"tsunagi/{ds},search_open_loop,-,{k},{v:.6g},{run}")
print(f"tsunagi/{ds},search_open_loop,-,loadavg1_before,{la},{run}")
EOF
    python3 - "$out" <<'EOF' || problem "$ds open loop ($run): $(cat "$out" | cut -c1-300)"
import json, sys
j = json.load(open(sys.argv[1]))
sys.exit(1 if j.get("non_2xx_3xx", 0) or j.get("timeouts", 0) or j.get("lost_with_connection", 0) else 0)
EOF
    check_alive "$ds" "the open loop"
    record "tsunagi/$ds" search_open_loop - drain_s "$(drain)" "$run"
}

# ---------------------------------------------------------------- payloads
measure() {  # DATASET ENDPOINT PATH → rows gzip_bytes identity_bytes local_gzip9_bytes gzip_served (+ clusters)
    local ds=$1 ep=$2 path=$3 d="$WORK/payload"
    mkdir -p "$d"
    local gz id code ce
    local t
    read -r code gz < <(curl -s -m 900 -H 'Accept-Encoding: gzip' -D "$d/h" -o "$d/gz" -w '%{http_code} %{size_download}\n' "$BASE$path" || true)
    read -r id t < <(curl -s -m 900 -o "$d/id" -w '%{size_download} %{time_total}\n' "$BASE$path" || true)
    record "tsunagi/$ds" "$ep" - time_s "$t"
    ce=$(awk -F': *' 'tolower($1) == "content-encoding" {print $2}' "$d/h" | tr -d '\r\n')
    [[ $code == 200 ]] || problem "$ds: GET $path answered $code"
    record "tsunagi/$ds" "$ep" - status "$code"
    record "tsunagi/$ds" "$ep" - gzip_bytes "$gz"
    record "tsunagi/$ds" "$ep" - identity_bytes "$id"
    record "tsunagi/$ds" "$ep" - local_gzip9_bytes "$(gzip -9 -c "$d/id" | wc -c)"
    record "tsunagi/$ds" "$ep" - gzip_served "$([[ $ce == gzip ]] && echo 1 || echo 0)"
    if [[ $path == /api/v1/clusters* ]]; then
        python3 - "$d/id" "$ds" "$ep" >>"$RAW" <<'EOF'
import json, sys
j = json.load(open(sys.argv[1]))
print(f"tsunagi/{sys.argv[2]},{sys.argv[3]},-,clusters,{len(j['clusters'])},")
print(f"tsunagi/{sys.argv[2]},{sys.argv[3]},-,facilities_in_view,{j['total']},")
EOF
    fi
    [[ $ce == gzip || $path != /static/* ]] || problem "$ds: $path is not gzipped by the server (Content-Encoding: ${ce:-none}) although the request had Accept-Encoding: gzip"
}

probe() {  # DATASET ENDPOINT PATH: one plain GET, its status, size and time
    local ds=$1 ep=$2 path=$3 code size t
    read -r code size t < <(curl -s -m 900 -o /dev/null -w '%{http_code} %{size_download} %{time_total}\n' "$BASE$path" || echo "000 0 900")
    record "tsunagi/$ds" "$ep" - status "$code"
    record "tsunagi/$ds" "$ep" - identity_bytes "$size"
    record "tsunagi/$ds" "$ep" - time_s "$t"
    [[ $code == 200 ]] || problem "$ds: GET $path answered $code after $t s"
}

payloads() {  # DATASET
    local ds=$1 c7 c10 c13
    case $ds in
        national) c7="139.767 35.681" c10="139.767 35.681" c13="139.767 35.681" ;;  # 東京駅
        *) c7="132.8 34.0" c10="134.046 34.340" c13="134.046 34.340" ;;            # 中国・四国 / 高松
    esac
    record "tsunagi/$ds" clusters_z5_view - bbox "122;20;154;46"
    measure "$ds" clusters_z5_view "/api/v1/clusters?zoom=5&bbox=122,20,154,46"
    local z centre bb
    for z in 7 10 13; do
        eval "centre=\$c$z"
        # shellcheck disable=SC2086
        bb=$(python3 "$B/http_queries.py" bbox $centre "$z")
        record "tsunagi/$ds" "clusters_z${z}_view" - bbox "${bb//,/;}"
        measure "$ds" "clusters_z${z}_view" "/api/v1/clusters?zoom=$z&bbox=$bb"
    done
    # the search page and what it references
    measure "$ds" "page:html" "/?q=%E6%AD%AF%E7%A7%91"
    cp "$WORK/payload/id" "$WORK/page-$ds.html"
    local asset assets
    mapfile -t assets < <(python3 - "$WORK/page-$ds.html" <<'EOF'
import re, sys
html = open(sys.argv[1], encoding="utf-8").read()
refs = re.findall(r'<link[^>]*rel="stylesheet"[^>]*href="([^"]+)"', html) + re.findall(r'<script[^>]*src="([^"]+)"', html)
for r in dict.fromkeys(refs):
    if r.startswith("/"):
        print(r)
EOF
)
    [[ ${#assets[@]} -gt 0 ]] || problem "$ds: the search page references no CSS/JS file"
    for asset in "${assets[@]}"; do
        measure "$ds" "page:$asset" "$asset"
    done
    # single requests to endpoints outside the load matrix that the site uses
    probe "$ds" "probe:/healthz" "/healthz"
    probe "$ds" "probe:/api/v1/areas" "/api/v1/areas"
    probe "$ds" "probe:/areas" "/areas"
    probe "$ds" "probe:/api/v1/facilities?per_page=20" "/api/v1/facilities?per_page=20"
}

# ---------------------------------------------------------------- runs
WRK_HELP=$(wrk --help 2>&1 || true)   # wrk2 lists -R, --rate; Debian's wrk 4.1 rejects -R
if grep -q -- '--rate' <<<"$WRK_HELP"; then WRK_HAS_RATE=1; else WRK_HAS_RATE=0; fi
for ds in $DATASETS; do
    log "$ds: starting the server (workers 1, ${PIN0[*]:-unpinned})…"
    start_server "$ds"
    Q="$WORK/q-$ds"
    mkdir -p "$Q"
    python3 "$B/http_queries.py" build "$BASE" "$Q" --seed "$SEED"
    echo "/__bench/constant" >"$Q/constant.paths"
    echo "/api/v1/clusters?zoom=5&bbox=122,20,154,46" >"$Q/clusters_z5.paths"
    echo "/?q=%E6%AD%AF%E7%A7%91" >"$Q/html_search.paths"
    cp "$Q/z13.paths" "$Q/clusters_z13.paths"
    cp "$Q/build.json" "$WORK/queries-$ds.json"
    for ep in constant search clusters_z5 clusters_z13 html_search; do
        python3 "$B/http_queries.py" check "$BASE" "$Q/$ep.paths" "$Q/check-$ep.json" >/dev/null
        python3 - "$ds" "$ep" "$Q/check-$ep.json" "$PROBLEMS" >>"$RAW" <<'EOF'
import json, sys
ds, ep, path, problems = sys.argv[1:5]
j = json.load(open(path))
print(f"tsunagi/{ds},{ep},-,urls,{j['urls']},")
print(f"tsunagi/{ds},{ep},-,distinct_urls,{j['distinct']},")
print(f"tsunagi/{ds},{ep},-,non_200_urls,{j['non_200']},")
if j["median_total"] is not None:
    print(f"tsunagi/{ds},{ep},-,zero_hit_urls,{j['zero_hits']},")
    print(f"tsunagi/{ds},{ep},-,median_total_items,{j['median_total']},")
with open(problems, "a") as f:
    for b in j["bad"]:
        f.write(f"{ds}: GET {b['path']} answered {b['status']}: {b['body'][:200]!r}\n")
EOF
    done
    server_rss "$ds" start
    log "$ds: warming every endpoint for $WARMUP…"
    for ep in constant search search_fresh clusters_z5 clusters_z13 html_search; do
        run_wrk "$ds" "$ep" "$Q/${ep%_fresh}.paths" 8 "$WARMUP" warmup
    done
    for run in $(seq 1 "$REPEAT"); do
        for c in $CONCURRENCY; do
            for ep in constant search search_fresh clusters_z5 clusters_z13 html_search; do
                log "$ds: run $run/$REPEAT, $ep, c=$c, $DURATION…"
                run_wrk "$ds" "$ep" "$Q/${ep%_fresh}.paths" "$c" "$DURATION" "run$run"
            done
        done
        if [[ $GZIP_EXTRA == 1 ]]; then
            for ep in constant search; do
                log "$ds: run $run/$REPEAT, ${ep}_gzip, c=$MAX_C, $DURATION…"
                run_wrk "$ds" "${ep}_gzip" "$Q/$ep.paths" "$MAX_C" "$DURATION" "run$run" gzip
            done
        fi
    done
    server_rss "$ds" after_closed_loop
    # open loop at half the best closed-loop rate of answers made afresh
    # (median over runs), every request with Cache-Control: no-cache
    RATE=$(python3 - "$RAW" "tsunagi/$ds" <<'EOF'
import csv, statistics, sys
by_c = {}
for r in csv.reader(open(sys.argv[1])):
    if r[0] == sys.argv[2] and r[1] == "search_fresh" and r[3] == "rps":
        by_c.setdefault(r[2], []).append(float(r[4]))
best = max((statistics.median(v) for v in by_c.values()), default=0)
print(f"{best / 2:.1f}")
EOF
)
    record "tsunagi/$ds" search_open_loop - rate_basis "$(echo "$RATE" | awk '{printf "%.1f", $1 * 2}')"
    if awk -v r="$RATE" 'BEGIN {exit !(r > 0)}'; then
        for run in $(seq 1 "$REPEAT"); do
            log "$ds: open loop run $run/$REPEAT at $RATE req/s for ${OPEN_DURATION}s (+${OPEN_WARMUP}s warm-up)…"
            open_loop "$ds" "$Q/search.paths" "$RATE" "run$run"
        done
    else
        problem "$ds: no closed-loop search rate, so no open-loop run"
    fi
    log "$ds: payloads and page weight…"
    payloads "$ds"
    server_rss "$ds" end
    stop_server
done

# ---------------------------------------------------------------- report
DATE=$(date +%F)
mkdir -p "$RESULTS_DIR"
MODEL=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo 2>/dev/null || true)
export DATE SEED NATIONAL_N DURATION REPEAT WARMUP CONCURRENCY OPEN_DURATION OPEN_WARMUP OPEN_CONNECTIONS \
    NPROC="$(nproc)" MODEL="${MODEL:-unknown}" MEM_KB="$(awk '/^MemTotal/ {print $2}' /proc/meminfo)" \
    KERNEL="$(uname -sr)" RUSTC="$(rustc --version 2>/dev/null || echo unknown)" \
    COMMIT="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD -- crates web 2>/dev/null || echo '+dirty')" \
    PINNED WRK_VERSION WRK_HAS_RATE PYTHON_VERSION="$(python3 -V 2>&1)" \
    BINARY_NOTE="$BINARY_NOTE (sha256 $(sha256sum "$TSUNAGI" | cut -c1-12))" \
    LOAD_START LOAD_END="$(cut -d' ' -f1-3 /proc/loadavg)" TOP_START TOP_END="$(top_cpu)" \
    REAL_FILES="$( [[ -f $WORK/real-files.txt ]] && wc -l <"$WORK/real-files.txt" || echo 0)"
python3 "$B/http_report.py" "$RAW" "$PROBLEMS" "$RESULTS_DIR/http-$DATE.csv" "$RESULTS_DIR/http-$DATE.md"
log "wrote $RESULTS_DIR/http-$DATE.csv and $RESULTS_DIR/http-$DATE.md"
