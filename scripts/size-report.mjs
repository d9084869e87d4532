// What a page downloads before its first decision, and who owns every byte
// of it. The default entry is what a page that ships a compiled plan
// downloads: the page's wasm module (onstage_bg.wasm, no config compiler)
// and the bundled index.js; the compiler module (compiler.js and
// onstage_compiler_bg.wasm, loaded only for a raw config) is reported apart. Reads the package that scripts/build-wasm.sh wrote to www/pkg/ and
// the copy of the wasm with function names it keeps beside it
// (target/onstage-named.wasm: the same code, names not stripped).
//
//   node scripts/size-report.mjs            # the report, as text
//   node scripts/size-report.mjs --json     # the same, as JSON (bench.mjs)
//   node scripts/size-report.mjs --check    # exit 1 when the default entry is over its budget
//                                           # (or, while the budget is missed, over the pinned ceiling)
//
// Sizes are deterministic (same toolchain, same bytes), so --check is a
// test: scripts/test.sh runs it after the build (layer `build`).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const PKG = join(ROOT, 'dist');

/**
 * The files of the default entry: the wasm and every JS module `index.js`
 * loads, found by following its static `import ... from './x.js'`.
 */
export function defaultEntry(pkg = PKG) {
  const seen = new Set();
  const visit = (name) => {
    if (seen.has(name)) return;
    seen.add(name);
    const text = readFileSync(join(pkg, name), 'utf8');
    for (const m of text.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+'\.\/([^']+)'/gm)) visit(m[1]);
  };
  visit('index.js');
  return ['onstage_bg.wasm', ...[...seen].sort((a, b) => (a === 'index.js' ? -1 : b === 'index.js' ? 1 : a.localeCompare(b)))];
}
const BUDGETS = JSON.parse(readFileSync(join(ROOT, 'bench', 'budgets.json'), 'utf8'));
/** The budget of the default entry, brotli bytes (issue 11). */
export const BUDGET_BROTLI = BUDGETS.default_entry_brotli;
/**
 * What --check enforces: the budget, or while the entry is still over it,
 * the pinned ceiling (bench/budgets.json), so that growth fails either way.
 */
export const LIMIT_BROTLI = Math.max(BUDGET_BROTLI, BUDGETS.default_entry_brotli_ceiling ?? 0);

export function sizeOf(bytes) {
  return {
    raw: bytes.length,
    gzip: gzipSync(bytes, { level: 9 }).length,
    brotli: brotliCompressSync(bytes, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length },
    }).length,
  };
}

/** The files of the default entry with their sizes, and their sum. */
export function entrySizes(pkg = PKG, names = defaultEntry(pkg)) {
  const files = {};
  for (const name of names) {
    const path = join(pkg, name);
    if (!existsSync(path)) throw new Error(`${path} is missing: run 'bash scripts/build-wasm.sh' (npm run build)`);
    files[name] = sizeOf(readFileSync(path));
  }
  const total = { raw: 0, gzip: 0, brotli: 0 };
  for (const f of Object.values(files)) for (const k of Object.keys(total)) total[k] += f[k];
  return { files, total };
}

/** Who owns a function: its crate and first module (`onstage::config`), or what made it. */
export function ownerOf(name) {
  let n = shortName(name);
  if (/ shim/.test(n) || /^__wbg|^__wbindgen|^__externref/.test(n)) return 'wasm-bindgen glue (exports, imports)';
  // `<T as Trait>::f`: the owner is the type's path.
  const impl = n.match(/^<(.+?)(?: as .+)?>::/);
  if (impl) n = impl[1].replace(/^&(mut )?/, '');
  n = n.replace(/^(alloc|core|std)::(.+)$/, '$1::$2');
  const parts = n.split('::');
  if (parts[0] === 'onstage' || parts[0] === 'onstage_wasm') return parts.slice(0, 2).join('::');
  if (['core', 'alloc', 'std'].includes(parts[0])) {
    const sub = parts[1] ?? '';
    if (sub === 'num' && /flt2dec|dec2flt|fmt::float|diy_float|bignum/.test(n)) return `${parts[0]}::num (float text)`;
    return `${parts[0]}::${sub}`;
  }
  if (/^f(32|64)$/.test(parts[0])) return 'core::num (float text)';
  if (/^(str|char|u8|u16|u32|u64|usize|i32|i64|isize|T|\[T\])$/.test(parts[0])) return `core (methods of ${parts[0]})`;
  return parts[0] || 'unnamed';
}

/**
 * Every function of the wasm in the module's order, with the bytes of its
 * body in the code section and its name from the name section, and the
 * bytes of the data segments. Read from the binary directly:
 * (`wasm-opt --func-metrics` counts the same bodies, a few bytes more
 * each, but took three minutes here.)
 */
export function functionMetrics(named = join(ROOT, 'target', 'onstage-named.wasm')) {
  if (!existsSync(named)) throw new Error(`${named} is missing: run 'bash scripts/build-wasm.sh'`);
  const bytes = readFileSync(named);
  let at = 8;
  const leb = () => {
    let value = 0;
    let shift = 0;
    for (;;) {
      const byte = bytes[at++];
      value += (byte & 0x7f) * 2 ** shift;
      shift += 7;
      if (byte < 0x80) return value;
    }
  };
  const name = () => {
    const length = leb();
    at += length;
    return bytes.toString('utf8', at - length, at);
  };
  let imported = 0;
  const sizes = [];
  const names = new Map();
  let data = 0;
  while (at < bytes.length) {
    const id = bytes[at++];
    const size = leb();
    const end = at + size;
    if (id === 2) {
      for (let n = leb(); n > 0; n--) {
        name();
        name();
        const kind = bytes[at++];
        if (kind === 0) imported++;
        // Skips the import's type: a function's index, a table's, a memory's or a global's limits.
        if (kind === 0) leb();
        else if (kind === 1) (at++, bytes[at++] & 1 ? (leb(), leb()) : leb());
        else if (kind === 2) (bytes[at++] & 1 ? (leb(), leb()) : leb());
        else if (kind === 3) at += 2;
        else throw new Error(`${named}: an import of kind ${kind}, which this reader does not know`);
      }
    } else if (id === 10) {
      for (let n = leb(); n > 0; n--) {
        const body = leb();
        sizes.push(body);
        at += body;
      }
    } else if (id === 11) {
      data = size;
    } else if (id === 0 && name() === 'name') {
      while (at < end) {
        const sub = bytes[at++];
        const length = leb();
        const next = at + length;
        if (sub === 1) for (let n = leb(); n > 0; n--) names.set(leb(), name());
        at = next;
      }
    }
    at = end;
  }
  const functions = sizes.map((size, i) => ({ name: names.get(imported + i) ?? `function ${imported + i}`, bytes: size }));
  return { functions, data };
}

/** Strips a symbol's hash (`::h0123…`, `[0123…]`). */
export function shortName(name) {
  return name.replace(/::h[0-9a-f]{16}$/, '').replace(/\[[0-9a-f]{16}\]/g, '');
}

/** Per function binary bytes grouped by owner, and the data segments. */
export function breakdown(named) {
  const { functions, data } = functionMetrics(named);
  const owners = new Map();
  for (const f of functions) {
    const owner = ownerOf(f.name);
    const o = owners.get(owner) ?? { owner, bytes: 0, functions: 0, largest: [] };
    o.bytes += f.bytes;
    o.functions += 1;
    o.largest.push(f);
    owners.set(owner, o);
  }
  const list = [...owners.values()].sort((a, b) => b.bytes - a.bytes);
  for (const o of list) {
    o.largest = o.largest
      .sort((a, b) => b.bytes - a.bytes)
      .slice(0, 3)
      .map((f) => ({ name: shortName(f.name), bytes: f.bytes }));
  }
  const code = functions.reduce((a, f) => a + f.bytes, 0);
  return { code_bytes: code, data_bytes: data, functions: functions.length, owners: list };
}

/** The compiler module's files: loaded by a page only when it is given a raw config. */
export const COMPILER_FILES = ['onstage_compiler_bg.wasm', 'compiler.js'];

/**
 * Functions of the config compiler (the JSON-to-model reader, its checks,
 * the condition and regex compilers) found in the page's module, by name:
 * there must be none (issue 11: the page reads plans only).
 */
export const COMPILER_ONLY = [/^onstage::config::(compile|validate|parse)/, /regex.*Parser/, /Compiler.*::value_test/, /^onstage_wasm::compiler::/];
export function compilerInPage(named) {
  return functionMetrics(named)
    .functions.map((f) => shortName(f.name))
    .filter((n) => COMPILER_ONLY.some((re) => re.test(n.replace(/^<(.+?)(?: as .+)?>::/, '$1::'))));
}

export function report() {
  const entry = entrySizes();
  const b = breakdown();
  const compiler = entrySizes(PKG, COMPILER_FILES);
  return { budget_brotli: BUDGET_BROTLI, entry, breakdown: b, compiler, compiler_in_page: compilerInPage() };
}

function kb(n) {
  return `${(n / 1000).toFixed(1)} KB`;
}

/** The report as text (also printed by `npm run bench`). */
export function print(r) {
  const out = [];
  out.push('Bytes to first decision (the default entry), each file compressed alone:');
  for (const [name, s] of Object.entries(r.entry.files)) {
    out.push(`  ${name.padEnd(18)} ${String(s.raw).padStart(8)} raw ${String(s.gzip).padStart(8)} gzip ${String(s.brotli).padStart(8)} brotli`);
  }
  const t = r.entry.total;
  out.push(`  ${'total'.padEnd(18)} ${String(t.raw).padStart(8)} raw ${String(t.gzip).padStart(8)} gzip ${String(t.brotli).padStart(8)} brotli (budget ${kb(r.budget_brotli)}: ${t.brotli <= r.budget_brotli ? 'met' : 'MISSED'})`);
  out.push('The compiler module (loaded only for a raw config: onstage/compiler, loadCompiler):');
  for (const [name, s] of Object.entries(r.compiler.files)) {
    out.push(`  ${name.padEnd(24)} ${String(s.raw).padStart(8)} raw ${String(s.gzip).padStart(8)} gzip ${String(s.brotli).padStart(8)} brotli`);
  }
  const c = r.compiler.total;
  out.push(`  ${'total'.padEnd(24)} ${String(c.raw).padStart(8)} raw ${String(c.gzip).padStart(8)} gzip ${String(c.brotli).padStart(8)} brotli`);
  out.push(`Config compiler functions in onstage_bg.wasm: ${r.compiler_in_page.length ? r.compiler_in_page.slice(0, 5).join(', ') : 'none'}`);
  const b = r.breakdown;
  out.push('');
  out.push(`onstage_bg.wasm by owner (raw bytes of code: ${b.code_bytes} in ${b.functions} functions; data segments: ${b.data_bytes}):`);
  for (const o of b.owners.filter((o) => o.bytes >= 400)) {
    const share = ((100 * o.bytes) / (b.code_bytes + b.data_bytes)).toFixed(1);
    const largest = o.largest.map((f) => `${f.name.split('::').slice(-2).join('::')} ${f.bytes}`).join(', ');
    out.push(`  ${String(o.bytes).padStart(7)} ${share.padStart(5)}%  ${o.owner}  [${largest}]`);
  }
  const small = b.owners.filter((o) => o.bytes < 400);
  out.push(`  ${String(small.reduce((a, o) => a + o.bytes, 0)).padStart(7)}         ${small.length} owners under 400 bytes each`);
  out.push(`  ${String(b.data_bytes).padStart(7)}         data segments (string literals, tables)`);
  return out.join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  if (args.includes('--check')) {
    const { total } = entrySizes();
    const ok = total.brotli <= LIMIT_BROTLI;
    const budget = total.brotli <= BUDGET_BROTLI ? 'met' : `missed, pinned at the ceiling ${LIMIT_BROTLI}`;
    console.log(`default entry: ${total.brotli} bytes brotli; budget ${BUDGET_BROTLI} ${budget}: ${ok ? 'within' : 'OVER'}`);
    if (!ok) console.error('the default entry grew: see `node scripts/size-report.mjs` for who owns the bytes');
    const found = compilerInPage();
    if (found.length > 0) console.error(`onstage_bg.wasm holds ${found.length} functions of the config compiler (it must read plans only): ${found.slice(0, 8).join(', ')}`);
    process.exit(ok && found.length === 0 ? 0 : 1);
  }
  const r = report();
  console.log(args.includes('--json') ? JSON.stringify(r, null, 2) : print(r));
}
