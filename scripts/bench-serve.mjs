// The static server of the bench pages, in its own process so that the
// benchmark driver (playwright, in scripts/bench.mjs) never delays a
// response: scripts/serve.mjs's startServer on a free port, with the
// headers of cross-origin isolation (performance.now() then has 5 µs
// resolution instead of 100 µs), and cacheable responses (max-age: a
// returning visitor's browser uses its HTTP cache, as with a real site;
// each cold start opens a fresh profile, so a first visit has none).
// Prints {"url": ...} as its first line;
// exits when its standard input closes.
//
//   node scripts/bench-serve.mjs ROOT
import { startServer } from './serve.mjs';

const root = process.argv[2];
if (!root) {
  console.error('usage: node scripts/bench-serve.mjs ROOT');
  process.exit(2);
}
const server = await startServer({ root, pkg: null, port: 0, cacheControl: 'max-age=3600' });
server.server.prependListener('request', (_req, res) => {
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
});
console.log(JSON.stringify({ url: server.url }));
process.stdin.resume();
process.stdin.on('end', () => server.close().then(() => process.exit(0)));
