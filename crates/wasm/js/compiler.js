// onstage/compiler: a config to its compiled plan, in its own wasm module
// (onstage_compiler_bg.wasm; the page's module, onstage_bg.wasm, reads only
// plans and holds no config compiler: issue 11, the bytes a page downloads).
//
// A page that ships a plan (compiled ahead of time by `onstage compile` or
// `npx onstage-compile`) never loads this module. The default entry loads
// it on demand (a dynamic import) when `init` is given a raw config;
// editors, the inspector and Node tools import it directly.
import initWasm, { compileConfig as wasmCompile, validateConfig as wasmValidate } from './onstage_compiler.js';
import { coded, isPlan, wasmSource } from './wasm-source.js';

let loading = null;
let loaded = false;

/**
 * Loads and instantiates the compiler module once (later calls return the
 * same promise). `wasm` says where it comes from, as for `load()`: a URL,
 * a `Response`, its bytes or a compiled `WebAssembly.Module`; by default
 * `onstage_compiler_bg.wasm` next to this file (fetched in a browser, read
 * from disk in Node). A failure rejects with code `wasm_load_failed`, and
 * a later call tries again.
 */
export function loadCompiler(wasm) {
  const fallback = new URL('./onstage_compiler_bg.wasm', import.meta.url);
  loading ??= wasmSource(wasm, fallback)
    .then((source) => initWasm({ module_or_path: source }))
    .then(
      () => {
        loaded = true;
      },
      (err) => {
        loading = null;
        const where = wasm === undefined || typeof wasm === 'string' || wasm instanceof URL ? String(wasm ?? fallback) : 'the module given';
        const e = coded('wasm_load_failed', `the compiler module could not be loaded from ${where}: ${err?.message ?? err}`);
        e.cause = err;
        throw e;
      },
    );
  return loading;
}

/** Whether `loadCompiler()` has finished: `compileConfig` and `validateConfig` work. */
export function compilerLoaded() {
  return loaded;
}

/** What compileConfig and validateConfig say of a compiled plan given in place of a config. */
const PLAN_GIVEN =
  'a compiled plan, not a config: a plan is already checked and compiled (give it to init or setConfig as it is); validate or compile the config it was made from';

function needCompiler(what) {
  if (!loaded) {
    throw coded(
      'compiler_not_loaded',
      `${what} needs the config compiler, which is not loaded: await loadCompiler() first (from 'onstage' or 'onstage/compiler'), or give a compiled plan (onstage compile CONFIG, or npx onstage-compile CONFIG)`,
    );
  }
}

/**
 * A config's JSON text: text as given (read in wasm, where a key given
 * twice is a `duplicate_key` problem: `JSON.parse` would hide it), an
 * object as `JSON.stringify` writes it.
 */
function configText(config) {
  if (typeof config === 'string') return config;
  let text;
  try {
    // Values JSON cannot hold are refused, not dropped as JSON.stringify would.
    text = JSON.stringify(config, (key, value) => {
      const type = typeof value;
      if (type === 'function' || type === 'symbol' || type === 'bigint') {
        throw new TypeError(`${key === '' ? 'the config' : `"${key}"`} is a ${type}: only JSON values are accepted`);
      }
      return value;
    });
  } catch (err) {
    throw coded('invalid_config', `the config cannot be read as JSON: ${err?.message ?? err}`);
  }
  // undefined: no config at all; the compiler says what it needs.
  return text ?? 'null';
}

/**
 * Compiles a config (object or JSON text) to `{plan, warnings}`: the plan's
 * text (what `onstage compile` writes; give it, or `JSON.parse` of it, as
 * `init`'s `config`) and the config's warnings
 * (`[{severity, code, path, message}]`). An invalid config throws code
 * `invalid_config` with `problems`, and so does a compiled plan given in
 * place of a config. Needs `loadCompiler()` first.
 */
export function compileConfig(config) {
  needCompiler('compileConfig');
  if (isPlan(config)) throw coded('invalid_config', `compileConfig was given ${PLAN_GIVEN}`);
  const out = wasmCompile(configText(config));
  return { plan: out.plan, warnings: JSON.parse(out.warnings) };
}

/**
 * Every problem of a config (errors and warnings), each with its JSON path
 * and a stable code; a compiled plan given in its place is one problem
 * saying so. Needs `loadCompiler()` first.
 */
export function validateConfig(config) {
  needCompiler('validateConfig');
  // A plan read as a config would list its header as unknown fields.
  if (isPlan(config)) return [{ severity: 'error', code: 'invalid_config', path: '$', message: `this is ${PLAN_GIVEN}` }];
  return JSON.parse(wasmValidate(configText(config)));
}

export { isPlan };
