#!/usr/bin/env bash
# Packs the npm package and builds the example apps from the tarball, as a
# user's project would (the package layer of npm test; needs `npm run build`
# first):
#   1. npm pack            -> target/npm/onstage.tgz, then its contents are
#                             checked (tests/package/check-tarball.mjs)
#   2. each examples/*/    -> its dependencies from the npm registry, once
#                             (npm ci when node_modules is missing or older
#                             than its package-lock.json), then the tarball
#                             (npm install --no-save, every run)
#   3. npm run build       -> examples/react-vite/dist/ and dist-react18/
#                             (Vite 7, React 19 and 18), examples/webpack-plain/dist/
#                             (webpack 5, and dist/plain/ without a bundler)
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

[ -f "$PKG_DIR/index.js" ] && [ -f "$PKG_DIR/onstage_bg.wasm" ] || die "dist/ is not built: run 'npm run build' first."

PACK_DIR="$ROOT/target/npm"
TARBALL="$PACK_DIR/onstage.tgz"
mkdir -p "$PACK_DIR"
say "npm pack"
name="$(npm pack --silent --pack-destination "$PACK_DIR" | tail -n 1)"
mv -f "$PACK_DIR/$name" "$TARBALL"
node tests/package/check-tarball.mjs "$TARBALL"

for dir in examples/*/; do
  dir="${dir%/}"
  [ -f "$dir/package.json" ] || continue
  (
    cd "$dir"
    if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
      say "$dir: npm ci (its dependencies, from the npm registry)"
      npm ci --no-audit --no-fund
    fi
    say "$dir: npm install the packed tarball"
    npm install --no-save --no-audit --no-fund "$TARBALL"
    # npm may keep an installed copy it considers up to date: the example
    # must run exactly this build.
    if ! diff -rq "$PKG_DIR" node_modules/onstage/dist >/dev/null; then
      rm -rf node_modules/onstage
      npm install --no-save --no-audit --no-fund "$TARBALL"
      diff -rq "$PKG_DIR" node_modules/onstage/dist || die "$dir: node_modules/onstage is not the packed build"
    fi
    say "$dir: npm run build"
    npm run --silent build
  )
done
