#!/usr/bin/env bash
# The whole product on the bundled real data, on a fresh machine:
# installs and builds what is needed, imports every list in data/ into
# ./var, builds the search index and serves the map on http://127.0.0.1:8080
# (PORT=… to change). Stop it with Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
export TSUNAGI_DATA_DIR="${TSUNAGI_DATA_DIR:-$PWD/var}"
export TSUNAGI_DICTIONARY_DIR="${TSUNAGI_DICTIONARY_DIR:-$TSUNAGI_DATA_DIR/dict/ipadic}"
scripts/setup.sh --release
bin=target/release/tsunagi

echo "==> importing the bundled open data"
files=()
while IFS= read -r -d '' f; do files+=("$f"); done < <(find data/jichitai data/mhlw -type f \( -name '*.csv' -o -name '*.xlsx' \) -print0 | sort -z)
"$bin" import "${files[@]}"
"$bin" index check

echo "==> serving on http://127.0.0.1:${PORT:-8080}"
exec "$bin" serve --bind "127.0.0.1:${PORT:-8080}"
