// Where a wasm module comes from, for the glue's init: what the host gave
// (URL, Response, bytes, WebAssembly.Module), or `fallback` (a URL next to
// the package's files). Node's fetch cannot read file: URLs: in Node such a
// URL is read from disk instead. Shared by the page's module (index.js)
// and the compiler's (compiler.js); each bundle has its own copy (stateless).
export async function wasmSource(wasm, fallback) {
  const source = wasm ?? fallback;
  if (isFileUrl(source) && typeof process === 'object' && process?.versions?.node) {
    const fs = 'node:fs/promises';
    const { readFile } = await import(/* webpackIgnore: true */ /* @vite-ignore */ fs);
    return readFile(new URL(source));
  }
  return source;
}

function isFileUrl(source) {
  return (source instanceof URL && source.protocol === 'file:') || (typeof source === 'string' && source.startsWith('file:'));
}

/** An Error with a stable `code` (the package's errors all have one). */
export function coded(code, message) {
  const err = new Error(`onstage: ${message}`);
  err.code = code;
  return err;
}

/**
 * Whether `config` is a compiled plan (`onstage compile`, or the compiler
 * entry's `compileConfig`): its text, or that text parsed (an object with
 * an `onstage_plan` key). Anything else is a config to compile.
 */
export function isPlan(config) {
  if (typeof config === 'string') return /^\s*\{\s*"onstage_plan"\s*:/.test(config);
  return config !== null && typeof config === 'object' && !Array.isArray(config) && Object.hasOwn(config, 'onstage_plan');
}
