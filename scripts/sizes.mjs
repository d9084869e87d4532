// Prints raw, gzip and brotli sizes of the files given as arguments.
// Usage: node scripts/sizes.mjs FILE...
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { brotliCompressSync, gzipSync, constants } from 'node:zlib';

const kb = (n) => `${(n / 1024).toFixed(1)} KiB`.padStart(10);
const rows = process.argv.slice(2).map((file) => {
  const bytes = readFileSync(file);
  const gzip = gzipSync(bytes, { level: 9 }).length;
  const brotli = brotliCompressSync(bytes, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length },
  }).length;
  return { name: basename(file), raw: bytes.length, gzip, brotli };
});
const width = Math.max(...rows.map((r) => r.name.length), 4);
console.log(`${'file'.padEnd(width)}  ${'raw'.padStart(10)}  ${'gzip'.padStart(10)}  ${'brotli'.padStart(10)}`);
for (const r of rows) {
  console.log(`${r.name.padEnd(width)}  ${kb(r.raw)}  ${kb(r.gzip)}  ${kb(r.brotli)}   (${r.raw} / ${r.gzip} / ${r.brotli} bytes)`);
}
