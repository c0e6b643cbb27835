#!/usr/bin/env bash
# Real-browser end-to-end tests (tests/browser/run.mjs): Debian's chromium,
# driven by playwright-core, against `tsunagi serve` on a throwaway
# database made from every bundled list in data/jichitai and data/mhlw.
#
#   scripts/test-browser.sh             # all scenarios
#   ONLY=a,d scripts/test-browser.sh    # some of them
#
# Builds nothing when target/debug/tsunagi is there. Needs node, npm and
# chromium; installs poppler-utils (pdfinfo, pdftotext) when it is missing.
# Screenshots and PDFs are left in tests/browser/artifacts/.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)

BIN="${TSUNAGI_BIN:-target/debug/tsunagi}"
DICT="${TSUNAGI_DICTIONARY_DIR:-var/dict/ipadic}"
export CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"

if [ ! -x "$BIN" ]; then
  echo "==> building tsunagi (debug)"
  cargo build -q -p tsunagi
fi
if [ ! -f "$DICT/metadata.json" ]; then
  echo "==> building the Japanese dictionary into $DICT"
  "$BIN" dict build --dest "$DICT"
fi

need=()
command -v pdftotext >/dev/null 2>&1 && command -v pdfinfo >/dev/null 2>&1 || need+=(poppler-utils)
[ -x "$CHROMIUM" ] || need+=(chromium)
if [ ${#need[@]} -gt 0 ]; then
  echo "==> installing Debian packages: ${need[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}"
fi

if [ ! -d tests/browser/node_modules/playwright-core ] || [ ! -d tests/browser/node_modules/axe-core ]; then
  echo "==> npm ci (tests/browser)"
  (cd tests/browser && npm ci --silent --no-audit --no-fund)
fi

tmp="$(mktemp -d "${TMPDIR:-/tmp}/tsunagi-browser.XXXXXX")"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mapfile -d '' files < <(find data/jichitai data/mhlw -type f \( -name '*.csv' -o -name '*.xlsx' \) -print0 | sort -z)
if [ ${#files[@]} -eq 0 ]; then
  echo "no bundled lists found under data/jichitai and data/mhlw" >&2
  exit 1
fi
echo "==> importing ${#files[@]} bundled files into $tmp"
if ! "$BIN" --data-dir "$tmp" --dictionary-dir "$DICT" import "${files[@]}" >"$tmp/import.log" 2>&1; then
  cat "$tmp/import.log" >&2
  echo "import failed" >&2
  exit 1
fi
tail -n 1 "$tmp/import.log"

port="${TSUNAGI_TEST_PORT:-$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')}"
base="http://127.0.0.1:$port"
echo "==> tsunagi serve on $base"
"$BIN" --data-dir "$tmp" --dictionary-dir "$DICT" serve --bind "127.0.0.1:$port" >"$tmp/server.log" 2>&1 &
server_pid=$!

healthy=""
for _ in $(seq 1 150); do
  if ! kill -0 "$server_pid" 2>/dev/null; then
    cat "$tmp/server.log" >&2
    echo "the server exited before answering /healthz" >&2
    exit 1
  fi
  if node -e 'fetch(process.argv[1]).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))' "$base/healthz" 2>/dev/null; then
    healthy=1
    break
  fi
  sleep 0.2
done
if [ -z "$healthy" ]; then
  cat "$tmp/server.log" >&2
  echo "no answer from $base/healthz after 30 s" >&2
  exit 1
fi

echo "==> browser tests (tests/browser/run.mjs)"
rc=0
BASE_URL="$base" node tests/browser/run.mjs || rc=$?
if [ "$rc" -ne 0 ] && [ -s "$tmp/server.log" ]; then
  echo "--- server log (last 20 lines) ---"
  tail -n 20 "$tmp/server.log"
fi
echo "==> scripts/test-browser.sh took $(($(date +%s) - started)) s"
exit "$rc"
