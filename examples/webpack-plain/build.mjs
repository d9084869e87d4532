// Builds the page two ways, into dist/:
//   dist/            src/index.js bundled by webpack 5 (its Node API; no
//                    webpack-cli), with index.html and the config
//   dist/plain/      no bundler: src/index.js as it is, the installed
//                    package's files copied beside it, and an import map
//                    that points "onstage" at them (plain.html)
// Nothing here is specific to onstage: webpack emits the wasm file because
// the package locates it with `new URL('./onstage_bg.wasm', import.meta.url)`.
import { copyFileSync, cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import webpack from 'webpack';

const here = (path) => new URL(path, import.meta.url).pathname;
const CONFIG = here('../../www/saas.json');

const config = {
  mode: 'production',
  context: here('.'),
  entry: './src/index.js',
  output: { path: here('dist'), filename: 'main.[contenthash:8].js', publicPath: 'auto', clean: true },
  target: 'web',
  devtool: false,
  performance: { hints: false },
};

const stats = await new Promise((resolve, reject) => {
  webpack(config, (err, result) => (err ? reject(err) : resolve(result)));
});
if (stats.hasErrors()) {
  console.error(stats.toString({ colors: false, all: false, errors: true }));
  process.exit(1);
}
if (stats.hasWarnings()) console.warn(stats.toString({ colors: false, all: false, warnings: true }));
const { entrypoints } = stats.toJson({ all: false, entrypoints: true });
const main = entrypoints.main.assets[0].name;
writeFileSync(here('dist/index.html'), readFileSync(here('index.html'), 'utf8').replace('main.js', main));
copyFileSync(CONFIG, here('dist/saas.json'));
for (const asset of stats.compilation.getAssets()) console.log(`webpack: ${asset.name}  ${asset.source.size()} bytes`);

// The same page without a bundler.
const packageDir = dirname(createRequire(import.meta.url).resolve('onstage/package.json'));
mkdirSync(here('dist/plain'), { recursive: true });
cpSync(`${packageDir}/dist`, here('dist/plain/onstage'), { recursive: true });
copyFileSync(here('src/index.js'), here('dist/plain/app.js'));
copyFileSync(here('plain.html'), here('dist/plain/index.html'));
copyFileSync(CONFIG, here('dist/plain/saas.json'));
console.log('plain: dist/plain/ (index.html, app.js, onstage/)');
