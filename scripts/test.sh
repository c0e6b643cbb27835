#!/usr/bin/env bash
# Every check CI runs, in the order a person wants them: formatting,
# lints, the dependency direction, then all tests (unit, data-driven on
# data/, end-to-end with the real binary, server and browser).
set -euo pipefail
cd "$(dirname "$0")/.."
export TSUNAGI_DATA_DIR="${TSUNAGI_DATA_DIR:-$PWD/var}"
export TSUNAGI_DICTIONARY_DIR="${TSUNAGI_DICTIONARY_DIR:-$TSUNAGI_DATA_DIR/dict/ipadic}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
scripts/setup.sh

echo "==> cargo fmt --check"
cargo fmt --all -- --check

echo "==> clippy"
cargo clippy -q --workspace --all-targets -- -D warnings

echo "==> dependency direction (the domain crate stays free of I/O crates)"
if cargo tree -p tsunagi-domain -e normal --prefix none | grep -qE '^(diesel|tantivy|lindera|actix-web|maud|csv|calamine|encoding_rs) '; then
  echo "tsunagi-domain depends on an I/O crate" >&2
  exit 1
fi

echo "==> tests"
# One process per test binary, so the imported fixtures are shared.
cargo test --workspace --no-fail-fast

echo "==> browser tests (headless chromium)"
cargo build -q -p tsunagi
scripts/test-browser.sh
echo "==> all checks passed"
