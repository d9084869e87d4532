// The default entry as one module: index.js with everything it imports
// (the wasm-bindgen glue, storage, sync, ...) bundled and minified by
// esbuild, so a page makes two requests (index.js, onstage_bg.wasm) and
// downloads the fewest bytes (docs/architecture.md, "What the page
// downloads"). The other entries (react.js, inspector.js, ...) import
// './index.js' and share it. The modules folded into index.js are removed
// from the package, except the glue (onstage.js), kept for tools that drive
// the binding alone (the bench's raw-binding timings). The compiler entry
// (compiler.js, its glue folded in) is bundled the same way, and stays out
// of index.js: index.js imports it only dynamically, when given a raw config.
//
//   node scripts/bundle.mjs DIR    # rewrites DIR/index.js in place
import { buildSync } from 'esbuild';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node scripts/bundle.mjs DIR');
  process.exit(2);
}
// bundle(NAME, external): DIR/NAME with what it imports, in place; the
// names of the modules folded into it.
function bundle(name, external) {
  const entry = join(dir, name);
  const result = buildSync({
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    minify: true,
    target: 'es2022',
    legalComments: 'none',
    metafile: true,
    write: false,
    logLevel: 'warning',
    external,
  });
  const [out] = result.outputFiles;
  writeFileSync(entry, out.contents);
  console.log(`${name}: ${Object.keys(result.metafile.inputs).length} modules, ${out.contents.length} bytes`);
  return Object.keys(result.metafile.inputs).map((p) => basename(p));
}
// The compiler entry is loaded by index.js on demand (a dynamic import):
// external, so that none of it is in the default entry's bytes.
const folded = bundle('index.js', ['./compiler.js']);
if (folded.includes('compiler.js') || folded.includes('onstage_compiler.js')) {
  console.error('bundle.mjs: the compiler was folded into index.js (it must stay a separate module)');
  process.exit(1);
}
// The compiler entry as one module too (its glue folded in).
const foldedCompiler = bundle('compiler.js', []);
for (const name of new Set([...folded, ...foldedCompiler])) {
  if (name !== 'index.js' && name !== 'compiler.js' && name !== 'onstage.js') rmSync(join(dir, name), { force: true });
}
// Every other module of the package must reach the default entry only
// through './index.js' (a second copy of a module would hold its own state).
for (const name of ['react.js', 'inspector.js', 'openfeature.js', 'testing.js', 'compiler.js']) {
  let text;
  try {
    text = readFileSync(join(dir, name), 'utf8');
  } catch {
    continue;
  }
  for (const m of text.matchAll(/from\s+'\.\/([^']+)'/g)) {
    if (m[1] !== 'index.js' && folded.includes(m[1])) {
      console.error(`bundle.mjs: ${name} imports ./${m[1]}, which is folded into index.js`);
      process.exit(1);
    }
  }
}
