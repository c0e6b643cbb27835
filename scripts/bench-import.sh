#!/usr/bin/env bash
# Benchmark of `tsunagi import` on generated 自治体標準 医療機関一覧 files.
#
# usage: scripts/bench-import.sh
#        SIZES="1000 30000 500000" SEED=42 scripts/bench-import.sh
#
# For every size N it generates N rows (scripts/gen_data.py --layout medical)
# and measures, one after another on the same file:
#   parse_floor  target/release/examples/parse_floor FILE      (read + decode + csv parse)
#   dry_run      tsunagi --data-dir <fresh> import --dry-run --json FILE   (read, convert, geocode)
#   import       tsunagi --data-dir <fresh> import --json FILE            (everything, into SQLite)
# each 3 times for N <= 30000 and once above (REPEAT_SMALL / REPEAT_LARGE override),
# pinned to CPU 0 with taskset when available. Wall time from `date +%s.%N`,
# peak RSS from `/usr/bin/time -v`, DB size = tsunagi.sqlite + tsunagi.sqlite-wal.
# Medians are reported. This measures; it asserts nothing about speed. It DOES
# fail loudly when the import report does not account for every row
# (rows == N and rows == imported + merged + skipped).
#
# Output: bench/results/import-YYYY-MM-DD.csv  (size,step,metric,value,runs)
#         bench/results/import-YYYY-MM-DD.md   (table with ratios to the parse floor)
# Env: SIZES, SEED, REPEAT_SMALL (3), REPEAT_LARGE (1), KEEP_TMP=1 keeps the temp dir,
#      SKIP_BUILD=1 measures the binaries already built (e.g. while the tree does not compile).
set -euo pipefail

SIZES=${SIZES:-"1000 30000 500000"}
SEED=${SEED:-42}
REPEAT_SMALL=${REPEAT_SMALL:-3}
REPEAT_LARGE=${REPEAT_LARGE:-1}

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

die() { echo "bench-import: $*" >&2; exit 1; }
for n in $SIZES; do [[ $n =~ ^[0-9]+$ ]] || die "SIZES must be numbers, got '$n'"; done
command -v python3 >/dev/null || die "python3 is required"
command -v cargo >/dev/null || die "cargo is required"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/tsunagi-bench.XXXXXX")
cleanup() {
    if [[ ${KEEP_TMP:-0} == 1 ]]; then echo "kept $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

# ---------------------------------------------------------------- tools
if [[ ! -x /usr/bin/time ]]; then
    echo "installing GNU time (for peak RSS)…" >&2
    SUDO=""
    [[ $(id -u) -ne 0 ]] && command -v sudo >/dev/null && SUDO=sudo
    { $SUDO apt-get install -y --no-install-recommends time >/dev/null 2>&1 ||
      { $SUDO apt-get update >/dev/null 2>&1 && $SUDO apt-get install -y --no-install-recommends time >/dev/null 2>&1; }; } ||
        echo "warning: could not install /usr/bin/time; peak RSS will be NA" >&2
fi
TIME=()
[[ -x /usr/bin/time ]] && TIME=(/usr/bin/time -v -o "$WORK/time.txt")
PIN=()
if command -v taskset >/dev/null && taskset -c 0 true 2>/dev/null; then PIN=(taskset -c 0); fi

# ---------------------------------------------------------------- build
# (equivalent to `cargo build --release -p tsunagi -p tsunagi-import --example parse_floor`
# but without restricting the tsunagi package to examples)
if [[ ${SKIP_BUILD:-0} == 1 ]]; then
    echo "SKIP_BUILD=1: using the binaries already in the target directory" >&2
else
    echo "building (release)…" >&2
    cargo build --release --quiet -p tsunagi
    cargo build --release --quiet -p tsunagi-import --example parse_floor
fi
TARGET_DIR=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
[[ -x $TARGET_DIR/release/tsunagi ]] || die "missing $TARGET_DIR/release/tsunagi"
[[ -x $TARGET_DIR/release/examples/parse_floor ]] || die "missing $TARGET_DIR/release/examples/parse_floor"
# private copies: a rebuild during the run must not change the program measured
mkdir -p "$WORK/bin"
cp "$TARGET_DIR/release/tsunagi" "$TARGET_DIR/release/examples/parse_floor" "$WORK/bin/"
TSUNAGI="$WORK/bin/tsunagi"
FLOOR="$WORK/bin/parse_floor"
export TSUNAGI_REFERENCE_DIR="${TSUNAGI_REFERENCE_DIR:-$ROOT/data/reference}"

RAW="$WORK/raw.csv"        # size,step,rep,metric,value
: >"$RAW"
record() { echo "$1,$2,$3,$4,$5" >>"$RAW"; }

# measure SIZE STEP REP OUT CMD... : run CMD (stdout to OUT), record wall time and peak RSS
measure() {
    local size=$1 step=$2 rep=$3 out=$4
    shift 4
    local t0 t1 rc=0 rss=NA
    rm -f "$WORK/time.txt"
    t0=$(date +%s.%N)
    ${TIME[@]+"${TIME[@]}"} ${PIN[@]+"${PIN[@]}"} "$@" >"$out" 2>"$WORK/stderr.txt" || rc=$?
    t1=$(date +%s.%N)
    if [[ $rc -ne 0 ]]; then
        echo "bench-import: FAILED ($step, N=$size, run $rep, exit $rc): $*" >&2
        tail -n 20 "$WORK/stderr.txt" >&2 || true
        head -c 2000 "$out" >&2 || true
        exit 1
    fi
    if [[ -f $WORK/time.txt ]]; then
        rss=$(awk -F: '/Maximum resident set size/ {gsub(/[^0-9]/, "", $2); print $2}' "$WORK/time.txt")
    fi
    record "$size" "$step" "$rep" wall_seconds "$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.6f", b - a}')"
    record "$size" "$step" "$rep" peak_rss_kb "${rss:-NA}"
}

# check_report JSON N STEP REP : every row accounted for; problem kinds recorded
check_report() {
    python3 - "$@" >>"$RAW" <<'EOF'
import collections, json, sys
path, n, step, rep = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
with open(path, encoding="utf-8") as f:
    report = json.load(f)
files = report.get("files", [])
if len(files) != 1:
    sys.exit(f"bench-import: {step}: expected 1 file in the report, got {len(files)}")
r = files[0]
if r.get("error"):
    sys.exit(f"bench-import: {step}: import failed: {r['error']}")
rows, imp, mer, skp = (int(r.get(k, -1)) for k in ("rows", "imported", "merged", "skipped"))
if rows != n or rows != imp + mer + skp:
    sys.exit(f"bench-import: {step} N={n}: rows={rows} imported={imp} merged={mer} skipped={skp}: "
             f"NOT every record is accounted for (want rows == {n} == imported + merged + skipped)")
size = n
print(f"{size},{step},{rep},imported,{imp}")
print(f"{size},{step},{rep},merged,{mer}")
print(f"{size},{step},{rep},skipped,{skp}")
kinds = collections.Counter(p["kind"] for p in r.get("problems", []))
for k, c in sorted(kinds.items()):
    print(f"{size},{step},{rep},problems.{k},{c}")
EOF
}

# ---------------------------------------------------------------- runs
for N in $SIZES; do
    reps=$REPEAT_SMALL
    (( N > 30000 )) && reps=$REPEAT_LARGE
    DATA="$WORK/data-$N"
    echo "N=$N: generating…" >&2
    t0=$(date +%s.%N)
    python3 scripts/gen_data.py "$N" "$DATA" --seed "$SEED" --layout medical >"$WORK/gen-$N.txt"
    t1=$(date +%s.%N)
    FILE="$DATA/medical.csv"
    [[ -f $FILE ]] || die "generator wrote no $FILE"
    record "$N" generate 1 wall_seconds "$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.6f", b - a}')"
    record "$N" generate 1 file_bytes "$(stat -c %s "$FILE")"
    record "$N" generate 1 sha256 "$(awk -F'\t' 'NR == 1 {print $3}' "$WORK/gen-$N.txt")"

    for rep in $(seq 1 "$reps"); do
        echo "N=$N run $rep/$reps: parse floor…" >&2
        measure "$N" parse_floor "$rep" "$WORK/floor.txt" "$FLOOR" "$FILE"
        got=$(sed -n 's/^records=\([0-9]*\) .*/\1/p' "$WORK/floor.txt")
        [[ $got == "$N" ]] || die "parse floor counted ${got:-nothing} records in $FILE, want $N"
        record "$N" parse_floor "$rep" self_seconds "$(sed -n 's/.*seconds=\([0-9.]*\).*/\1/p' "$WORK/floor.txt")"

        echo "N=$N run $rep/$reps: import --dry-run…" >&2
        VAR="$WORK/var-dry-$N-$rep"
        measure "$N" dry_run "$rep" "$WORK/dry-$N-$rep.json" "$TSUNAGI" --data-dir "$VAR" import --dry-run --json "$FILE"
        check_report "$WORK/dry-$N-$rep.json" "$N" dry_run "$rep"
        rm -rf "$VAR" "$WORK/dry-$N-$rep.json"

        echo "N=$N run $rep/$reps: import…" >&2
        VAR="$WORK/var-$N-$rep"
        measure "$N" import "$rep" "$WORK/import-$N-$rep.json" "$TSUNAGI" --data-dir "$VAR" import --json "$FILE"
        check_report "$WORK/import-$N-$rep.json" "$N" import "$rep"
        # a fresh data dir has no Japanese dictionary, so normally no search index
        # is built: anything beside tsunagi.sqlite* in the data dir counts as one
        idx=0
        if find "$VAR" -mindepth 1 -maxdepth 1 ! -name 'tsunagi.sqlite*' | grep -q .; then idx=1; fi
        record "$N" import "$rep" search_index_built "$idx"
        db=0
        for f in "$VAR/tsunagi.sqlite" "$VAR/tsunagi.sqlite-wal"; do
            [[ -f $f ]] && db=$((db + $(stat -c %s "$f")))
        done
        record "$N" import "$rep" db_bytes "$db"
        record "$N" import "$rep" data_dir_bytes "$(du -sb "$VAR" | cut -f1)"
        rm -rf "$VAR" "$WORK/import-$N-$rep.json"
    done
    rm -rf "$DATA"
done

# ---------------------------------------------------------------- results
DATE=$(date +%F)
mkdir -p bench/results
OUT_CSV="bench/results/import-$DATE.csv"
OUT_MD="bench/results/import-$DATE.md"
MODEL=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo 2>/dev/null || true)
MEM_KB=$(awk '/^MemTotal/ {print $2}' /proc/meminfo 2>/dev/null || echo 0)
export DATE SEED NPROC="$(nproc)" MODEL="${MODEL:-unknown}" MEM_KB KERNEL="$(uname -sr)"
export RUSTC="$(rustc --version 2>/dev/null || echo unknown)"
export COMMIT="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD -- 2>/dev/null || echo '+dirty')"
export PINNED="${PIN[*]:-no}" REPEAT_SMALL REPEAT_LARGE
python3 - "$RAW" "$OUT_CSV" "$OUT_MD" <<'EOF'
import collections, csv, os, statistics, sys
raw, out_csv, out_md = sys.argv[1:4]
vals = collections.defaultdict(list)       # (size, step, metric) -> [values]
order = []
with open(raw, encoding="utf-8") as f:
    for line in f:
        size, step, rep, metric, value = line.rstrip("\n").split(",", 4)
        key = (int(size), step, metric)
        if key not in vals:
            order.append(key)
        vals[key].append(value)

def median(key):
    v = [float(x) for x in vals.get(key, []) if x not in ("", "NA")]
    return statistics.median(v) if v else None

rows = []
for key in order:
    size, step, metric = key
    v = vals[key]
    if metric == "sha256":
        rows.append((size, step, metric, v[0], len(v)))
        continue
    m = median(key)
    if m is None:
        shown = "NA"
    elif "seconds" in metric:
        shown = f"{m:.6f}"
    elif float(m).is_integer():
        shown = str(int(m))
    else:
        shown = f"{m:.1f}"
    rows.append((size, step, metric, shown, len(v)))
    if metric == "wall_seconds" and step != "generate" and m:
        rows.append((size, step, "rows_per_s", f"{size / m:.1f}", len(v)))
with open(out_csv, "w", encoding="utf-8", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["size", "step", "metric", "value", "runs"])
    w.writerows(rows)

def fmt(x, unit=1, nd=2):
    return "NA" if x is None else f"{x / unit:.{nd}f}"

def ratio(a, b):
    return "NA" if a is None or not b else f"{a / b:.1f}×"

e = os.environ
sizes = sorted({k[0] for k in order})
md = [f"# Import benchmark — {e['DATE']}", "",
      f"- Machine: {e['NPROC']} CPUs, {e['MODEL']}, {int(e['MEM_KB']) / 1048576:.1f} GiB RAM, {e['KERNEL']}",
      f"- Build: {e['RUSTC']}, release profile, commit {e['COMMIT']}",
      f"- Pinned: {e['PINNED']}; runs per step: {e['REPEAT_SMALL']} for N ≤ 30k, {e['REPEAT_LARGE']} above; medians shown",
      f"- Data: `python3 scripts/gen_data.py N DIR --seed {e['SEED']} --layout medical` (自治体標準 医療機関一覧, UTF-8 BOM, CRLF)",
      "- Steps: **floor** = `parse_floor` (read + decode + csv parse into `Vec<String>`), "
      "**dry-run** = `tsunagi import --dry-run --json` (read, convert, geocode, no DB), "
      "**import** = `tsunagi import --json` into a fresh data dir. Times are process wall times "
      "(start-up and reference loading included; they dominate at 1k rows).",
      "- Search index: " + ("built during import" if all(median((n, "import", "search_index_built")) for n in
        sorted({k[0] for k in order})) else "NOT built (a fresh data dir has no Japanese dictionary), so **import** = "
        "database only") + ".",
      "- The machine is shared and noisy: compare ratios from the same run, not absolute times across days.",
      "",
      "| rows | file MB | floor s | dry-run s | import s | dry-run ÷ floor | import ÷ floor | import rows/s | peak RSS floor / dry-run / import MB | DB MB |",
      "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
for n in sizes:
    fl, dr, im = (median((n, s, "wall_seconds")) for s in ("parse_floor", "dry_run", "import"))
    rss = " / ".join(fmt(median((n, s, "peak_rss_kb")), 1024, 0) for s in ("parse_floor", "dry_run", "import"))
    md.append(f"| {n:,} | {fmt(median((n, 'generate', 'file_bytes')), 1e6, 1)} | {fmt(fl, 1, 3)} | {fmt(dr, 1, 3)} | "
              f"{fmt(im, 1, 3)} | {ratio(dr, fl)} | {ratio(im, fl)} | "
              f"{'NA' if not im else f'{n / im:,.0f}'} | {rss} | {fmt(median((n, 'import', 'db_bytes')), 1e6, 1)} |")
md += ["", "Records accounted for (import, median run) and problems reported, by kind:", "",
       "| rows | imported | merged | skipped | problems |", "|---:|---:|---:|---:|---|"]
for n in sizes:
    probs = sorted(((k[2].split(".", 1)[1], median(k)) for k in order if k[0] == n and k[1] == "import"
                    and k[2].startswith("problems.")), key=lambda kv: -kv[1])
    p = ", ".join(f"{k} {v:,.0f}" for k, v in probs) or "none"
    md.append(f"| {n:,} | {fmt(median((n, 'import', 'imported')), 1, 0)} | {fmt(median((n, 'import', 'merged')), 1, 0)} | "
              f"{fmt(median((n, 'import', 'skipped')), 1, 0)} | {p} |")
md += ["", f"Raw medians: `{os.path.basename(out_csv)}` (one row per size, step, metric).", ""]
with open(out_md, "w", encoding="utf-8") as f:
    f.write("\n".join(md))
EOF
echo "wrote $OUT_CSV and $OUT_MD" >&2
cat "$OUT_MD"
