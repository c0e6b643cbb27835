#!/usr/bin/env bash
# Vendors the front-end libraries from the npm registry into web/vendor/
# (nothing is loaded from a CDN at run time). Pinned versions; the
# files are committed, so this only needs running to upgrade them.
set -euo pipefail
cd "$(dirname "$0")/.."
LEAFLET=1.9.4
dest=web/vendor/leaflet
if [ -f "$dest/leaflet.js" ] && grep -q "$LEAFLET" "$dest/VERSION" 2>/dev/null; then
  exit 0
fi
echo "==> vendoring leaflet@$LEAFLET from npm into $dest"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "leaflet@$LEAFLET" >/dev/null && tar xzf leaflet-*.tgz)
rm -rf "$dest"
mkdir -p "$dest/images"
cp "$tmp/package/dist/leaflet.js" "$tmp/package/dist/leaflet.css" "$dest/"
cp "$tmp/package/dist/images/"*.png "$dest/images/"
cp "$tmp/package/LICENSE" "$dest/LICENSE"
echo "$LEAFLET" > "$dest/VERSION"
