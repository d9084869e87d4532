#!/usr/bin/env bash
# Builds the npm package's files into dist/ (gitignored): what `npm pack`
# packs (package.json `files`), and what the demo page and the end-to-end
# tests import (scripts/serve.mjs serves dist/ as /pkg/):
#   1. cargo build -p onstage-wasm --release --target wasm32-unknown-unknown, twice:
#      the page's module (feature `engine`: engines from a compiled plan) and
#      the compiler's (feature `compiler`: a config to its plan; no engine)
#   2. wasm-bindgen --target web  -> dist/onstage.js + onstage_bg.wasm (the page's),
#      onstage_compiler.js + onstage_compiler_bg.wasm (the compiler's; its glue
#      is folded into dist/compiler.js by scripts/bundle.mjs)
#   3. wasm-opt -Os --converge ... (npm binaryen, flags below) in place on each
#   4. prints the sizes: raw, gzip, brotli
# Needs what scripts/setup.sh installs (run it first, or use npm run build).
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

want="$(locked_wasm_bindgen_version)"
have="$(installed_wasm_bindgen_version)"
[ "$have" = "$want" ] || die "wasm-bindgen CLI ${have:-not found}, Cargo.lock wants $want: run 'bash scripts/setup.sh'."
WASM_OPT="$ROOT/node_modules/.bin/wasm-opt"
[ -x "$WASM_OPT" ] || die "node_modules/.bin/wasm-opt not found: run 'bash scripts/setup.sh' (npm ci)."

# Cargo.toml's release profile has `strip = true` (right for the native CLI).
# For wasm that also strips the `target_features` section, and wasm-bindgen
# then cannot see that multi-value and reference types are on, and emits
# bigger glue. Strip only debug info here; wasm-opt drops the names section.
target_dir="$(cargo metadata --format-version 1 --no-deps | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).target_directory))')"
wasm_out="$target_dir/$WASM_TARGET/release/onstage_wasm.wasm"

# Build into a fresh directory, then swap it in, so a failed build never
# leaves a half-written package behind for the server.
tmp="$ROOT/.dist-tmp"
rm -rf "$tmp"
mkdir -p "$tmp"

# build_module FEATURES OUT_NAME: one module of the crate (its features
# alone), bound by wasm-bindgen into $tmp/OUT_NAME.js + OUT_NAME_bg.wasm.
# The two builds share the core's compiled crates; each links (LTO) anew.
build_module() {
  local features=$1 name=$2
  say "cargo build -p onstage-wasm --no-default-features --features $features --release --target $WASM_TARGET"
  CARGO_PROFILE_RELEASE_STRIP=debuginfo CARGO_PROFILE_RELEASE_OPT_LEVEL=${WASM_OPT_LEVEL:-z} CARGO_PROFILE_RELEASE_PANIC=abort \
    cargo build -p onstage-wasm --lib --release --target "$WASM_TARGET" --no-default-features --features "$features"
  say "wasm-bindgen --target web ($name)"
  wasm-bindgen --target web --keep-debug --out-dir "$tmp" --out-name "$name" "$wasm_out"
}
build_module engine onstage
build_module compiler onstage_compiler

# The features rustc's wasm32 output uses by default (Rust 1.95); wasm-opt
# refuses the module with a validation error if one is missing here.
# Optimized once, keeping the function names (-g) in a copy for
# scripts/size-report.mjs; the shipped file is that copy with the names
# and other custom sections stripped, so the report describes its code.
# Measured 2026-12-06 (brotli of the wasm, docs/architecture.md "Where the
# bytes go"): -Os compresses 0.26 KB smaller than -Oz; --converge runs the
# passes again while the module shrinks (-0.5 KB); --low-memory-unused lets
# wasm-opt fold constant offsets into loads and stores, assuming no valid
# address lies in the first 1 KB of memory: rustc lays the wasm out stack
# first (data at 1 MiB), so that is the far end of the 1 MiB stack, reached
# only by an overflow, which traps either way (-0.9 KB).
# --one-caller-inline-max-function-size=40: wasm-opt inlines a function
# that has one caller only when it is that small; inlining the larger ones
# (its default) made the file 7.6 KB smaller raw but 5.4 KB larger brotli
# (tried: 0, 20, 30, 40, 60, 100, 200, 300, 1000; 20-40 are the smallest).
FEATURES=(--enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext
  --enable-mutable-globals --enable-reference-types --enable-multivalue)
# optimize NAME: $tmp/NAME_bg.wasm optimized in place, its named copy kept
# in the target directory as NAME-named.wasm.
optimize() {
  local name=$1
  say "wasm-opt -Os --converge --low-memory-unused --one-caller-inline-max-function-size=40 ($name)"
  local named="$target_dir/$name-named.wasm"
  "$WASM_OPT" -Os --converge --low-memory-unused --one-caller-inline-max-function-size=40 -g \
    "${FEATURES[@]}" "$tmp/${name}_bg.wasm" -o "$named"
  "$WASM_OPT" --strip-debug --strip-producers --strip-target-features \
    "${FEATURES[@]}" "$named" -o "$tmp/${name}_bg.wasm"
}
# The two optimize at once (a core each).
optimize onstage &
page_opt=$!
optimize onstage_compiler
wait "$page_opt"

# A trap (a bug in the engine) leaves the instance unusable: the package
# then instantiates the module afresh and rebuilds its engines from their
# last saved state (crates/wasm/js/index.js, "Traps"). The glue keeps the
# module in `wasmModule` and returns early from `initSync` while `wasm` is
# set: this export starts it over. Checked here, so a new wasm-bindgen that
# renames them fails the build instead of the recovery.
for name in 'let wasmModule, wasmInstance, wasm;' 'function initSync(module)'; do
  grep -qF "$name" "$tmp/onstage.js" || die "the wasm-bindgen glue has no '$name': update the trap recovery in scripts/build-wasm.sh"
done
cat >> "$tmp/onstage.js" <<'JS'

/** A new instance of the module, fresh memory (onstage: after a trap). */
export function __reinstantiate() {
    const module = wasmModule;
    wasm = undefined;
    return initSync({ module });
}
JS

# The package's public surface: the thin wrapper, the other entries and their
# hand-checked types. The glue's generated types are not part of it.
rm -f "$tmp"/*.d.ts
cp "$ROOT"/crates/wasm/js/*.js "$ROOT"/crates/wasm/js/*.d.ts "$tmp/"
say "esbuild: the default entry as one module (scripts/bundle.mjs)"
node "$ROOT/scripts/bundle.mjs" "$tmp"

rm -rf "$PKG_DIR"
mv "$tmp" "$PKG_DIR"
node "$ROOT/scripts/sizes.mjs" "$PKG_DIR/onstage_bg.wasm" "$PKG_DIR/index.js" "$PKG_DIR/onstage_compiler_bg.wasm" "$PKG_DIR/compiler.js"
