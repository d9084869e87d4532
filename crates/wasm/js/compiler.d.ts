// onstage/compiler: a config to its compiled plan, in its own WebAssembly
// module (onstage_compiler_bg.wasm). A page that ships a plan never loads it.
import type { Json, Plan, Problem, WasmSource } from './index.js';

/**
 * Loads the compiler's WebAssembly module once (default:
 * `onstage_compiler_bg.wasm` next to this module; read from disk in Node).
 * Rejects with code "wasm_load_failed"; a later call tries again.
 */
export function loadCompiler(wasm?: WasmSource): Promise<void>;

/** Whether `loadCompiler()` has finished. */
export function compilerLoaded(): boolean;

/** What `compileConfig` returns. */
export interface CompiledPlan {
  /** The plan's text (what `onstage compile` writes): give it, or `JSON.parse(plan)`, as `init`'s `config`. */
  plan: string;
  /** The config's warnings (it compiled: none is an error). */
  warnings: Problem[];
}

/**
 * Compiles a config (object or JSON text) to its plan. An invalid config
 * throws code "invalid_config" with `problems`, as does a compiled plan
 * given in place of a config; before `loadCompiler()` it throws
 * "compiler_not_loaded".
 */
export function compileConfig(config: Json | string): CompiledPlan;

/**
 * Every problem of a config (errors and warnings); a compiled plan given
 * in its place is one problem saying so. Needs `loadCompiler()` first.
 */
export function validateConfig(config: Json | string): Problem[];

/** Whether a value is a compiled plan (its text, or the object parsed from it). */
export function isPlan(config: unknown): config is Plan | string;
