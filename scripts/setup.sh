#!/usr/bin/env bash
# Installs what tsunagi needs on a fresh Debian machine and builds it:
#   - Debian packages: mecab-ipadic (the dictionary source), and for the
#     browser tests chromium, chromium-driver, fonts-noto-cjk, poppler-utils;
#   - the front-end libraries, from npm, vendored into web/vendor;
#   - the tsunagi binary (debug by default, --release for the demo);
#   - the IPADIC dictionary, compiled offline into $TSUNAGI_DICTIONARY_DIR.
# Safe to run again: every step is skipped when its result is there.
set -euo pipefail
cd "$(dirname "$0")/.."

profile=debug
cargo_flags=()
for a in "$@"; do
  case "$a" in
    --release) profile=release; cargo_flags+=(--release) ;;
    *) echo "usage: $0 [--release]" >&2; exit 2 ;;
  esac
done

export TSUNAGI_DATA_DIR="${TSUNAGI_DATA_DIR:-$PWD/var}"
export TSUNAGI_DICTIONARY_DIR="${TSUNAGI_DICTIONARY_DIR:-$TSUNAGI_DATA_DIR/dict/ipadic}"

need=()
for pkg in mecab-ipadic chromium chromium-driver fonts-noto-cjk poppler-utils; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "==> installing Debian packages: ${need[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}"
fi

if [ -x scripts/vendor-web.sh ]; then
  scripts/vendor-web.sh
fi

echo "==> building tsunagi ($profile)"
cargo build -q -p tsunagi "${cargo_flags[@]}"

if [ ! -f "$TSUNAGI_DICTIONARY_DIR/metadata.json" ]; then
  echo "==> building the Japanese dictionary into $TSUNAGI_DICTIONARY_DIR"
  "target/$profile/tsunagi" dict build --dest "$TSUNAGI_DICTIONARY_DIR"
fi
echo "==> setup done"
