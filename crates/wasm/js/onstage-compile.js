#!/usr/bin/env node
// npx onstage-compile CONFIG [-o OUT]: a config compiled to its plan by the
// package's compiler module (onstage_compiler_bg.wasm), without Rust: the
// same bytes as the native `onstage compile CONFIG [-o OUT]` (the plan's
// text and a newline; warnings to standard error). Ship the plan: a page
// that gives it to `init` never downloads the config compiler.
//
// Exit codes as the native CLI's: 0 compiled, 1 the config is refused
// (every problem on standard error), 2 a file could not be read or
// written, or the arguments are not understood.
import { readFileSync, writeFileSync } from 'node:fs';
import { compileConfig, isPlan, loadCompiler } from './compiler.js';

const USAGE = 'usage: onstage-compile CONFIG [-o OUT]   (the plan goes to OUT, or standard output)';

/** `error[code] at path: message`, as the native CLI prints a problem. */
const line = (p) => `${p.severity}[${p.code}] at ${p.path}: ${p.message}`;

function main(argv) {
  const positional = [];
  let out = null;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-o' || a === '--out') {
      out = argv[++i] ?? null;
      if (out === null) return fail(2, USAGE);
    } else if (a === '-h' || a === '--help') {
      console.log(USAGE);
      return 0;
    } else {
      positional.push(a);
    }
  }
  if (positional.length !== 1) return fail(2, USAGE);
  const [path] = positional;
  let text;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    return fail(2, `onstage-compile: cannot read ${path}: ${err.message}`);
  }
  if (isPlan(text)) return fail(1, `onstage-compile: ${path} is already a compiled plan`);
  let compiled;
  try {
    compiled = compileConfig(text);
  } catch (err) {
    if (err?.code !== 'invalid_config') throw err;
    console.error(`onstage: ${path} is not a valid config:`);
    for (const p of err.problems ?? []) console.error(`  ${line(p)}`);
    return 1;
  }
  for (const p of compiled.warnings) console.error(line(p));
  const plan = `${compiled.plan}\n`;
  try {
    if (out === null) process.stdout.write(plan);
    else writeFileSync(out, plan);
  } catch (err) {
    return fail(2, `onstage-compile: cannot write ${out}: ${err.message}`);
  }
  return 0;
}

function fail(code, message) {
  console.error(message);
  return code;
}

await loadCompiler();
process.exitCode = main(process.argv.slice(2));
