// Checks the packed tarball as npm would publish it (scripts/examples.sh
// runs it after `npm pack`): its package.json has an exports map with
// types for every entry, "sideEffects": false, `files`, optional peer
// dependencies, no install-time scripts, and every file the map names is in
// the tarball, with nothing else but the built package; the onstage-compile
// bin is in it too.
//
//   node tests/package/check-tarball.mjs target/npm/onstage.tgz
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';

const tarball = process.argv[2];
if (!tarball) {
  console.error('usage: node tests/package/check-tarball.mjs TARBALL');
  process.exit(2);
}

const files = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' })
  .split('\n')
  .filter(Boolean)
  .map((f) => f.replace(/^package\//, ''));
const pkg = JSON.parse(execFileSync('tar', ['-xzOf', tarball, 'package/package.json'], { encoding: 'utf8' }));
const has = (path) => files.includes(path.replace(/^\.\//, ''));

assert.equal(pkg.name, 'onstage');
assert.notEqual(pkg.private, true, 'the package is publishable');
assert.equal(pkg.type, 'module');
assert.equal(pkg.sideEffects, false);
assert.ok(Array.isArray(pkg.files) && pkg.files.length > 0, 'files is listed');

const ENTRIES = ['.', './react', './openfeature', './inspector', './testing', './compiler'];
for (const entry of ENTRIES) {
  const target = pkg.exports[entry];
  assert.ok(target, `exports has ${entry}`);
  assert.ok(target.types && target.default, `${entry} has types and default`);
  assert.ok(Object.keys(target)[0] === 'types', `${entry}: "types" comes first (TypeScript reads conditions in order)`);
  assert.ok(has(target.types), `${entry}: ${target.types} is in the tarball`);
  assert.ok(has(target.default), `${entry}: ${target.default} is in the tarball`);
}
for (const [entry, target] of Object.entries(pkg.exports)) {
  const paths = typeof target === 'string' ? [target] : Object.values(target);
  for (const path of paths) assert.ok(has(path), `${entry}: ${path} is in the tarball`);
}
assert.ok(has(pkg.types), 'top-level types');
assert.ok(has('dist/onstage_bg.wasm'), 'the wasm module');
assert.ok(has('dist/onstage_compiler_bg.wasm'), "the compiler's wasm module");
for (const [name, path] of Object.entries(pkg.bin ?? {})) assert.ok(has(path), `bin ${name}: ${path} is in the tarball`);
assert.ok(pkg.bin?.['onstage-compile'], 'the onstage-compile bin');

// Every relative import of the package's modules resolves inside the tarball.
for (const file of files.filter((f) => f.startsWith('dist/') && f.endsWith('.js'))) {
  const text = execFileSync('tar', ['-xzOf', tarball, `package/${file}`], { encoding: 'utf8' });
  // Static and dynamic imports, either quote (esbuild writes "…").
  for (const [, spec] of text.matchAll(/(?:from|import)\s*\(?\s*['"](\.\/[^'"]+)['"]/g)) {
    assert.ok(has(`dist/${spec.slice(2)}`), `${file} imports ${spec}, which is in the tarball`);
  }
}

for (const peer of ['react', '@openfeature/web-sdk']) {
  assert.ok(pkg.peerDependencies?.[peer], `${peer} is a peer dependency`);
  assert.equal(pkg.peerDependenciesMeta?.[peer]?.optional, true, `${peer} is optional`);
}
assert.deepEqual(pkg.dependencies ?? {}, {}, 'no runtime dependencies');
for (const script of ['preinstall', 'install', 'postinstall', 'prepare', 'prepack', 'postpack']) {
  assert.equal(pkg.scripts?.[script], undefined, `no ${script} script`);
}
const unexpected = files.filter((f) => !/^(package\.json|README\.md|LICENSE[^/]*|dist\/[^/]+\.(js|d\.ts|wasm))$/.test(f));
assert.deepEqual(unexpected, [], 'only the built package is packed');
console.log(`${tarball}: ${files.length} files, exports ${Object.keys(pkg.exports).join(' ')}: OK`);
