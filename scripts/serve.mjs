// A tiny static file server for www/ (the demo page) and, under /pkg/, the
// package that scripts/build-wasm.sh builds into dist/.
//
//   node scripts/serve.mjs            # http://127.0.0.1:8080
//   PORT=9000 node scripts/serve.mjs  # another port (HOST overrides the address)
//
// The end-to-end tests import startServer() and listen on a free port.
import { createServer } from 'node:http';
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const WWW = fileURLToPath(new URL('../www/', import.meta.url));
/** The built package (npm run build), served as /pkg/. */
export const DIST = fileURLToPath(new URL('../dist/', import.meta.url));

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.ts': 'text/plain; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * Resolves a URL path to a file under root (an absolute path ending in a
 * separator), or null when it would escape root.
 */
function fileFor(root, urlPath) {
  let path;
  try {
    path = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (path.includes('\0')) return null;
  const file = resolve(root, `.${path}`);
  return file + sep === root || file.startsWith(root) ? file : null;
}

async function handle(roots, req, res, cacheControl) {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { Allow: 'GET, HEAD' }).end();
    return;
  }
  const url = new URL(req.url, 'http://localhost');
  const pkg = roots.pkg !== null && url.pathname.startsWith('/pkg/');
  let file = pkg ? fileFor(roots.pkg, url.pathname.slice('/pkg'.length)) : fileFor(roots.root, url.pathname);
  if (!file) {
    res.writeHead(400, { 'Content-Type': 'text/plain' }).end('bad path\n');
    return;
  }
  try {
    if ((await stat(file)).isDirectory()) file = join(file, 'index.html');
    const body = await readFile(file);
    res.writeHead(200, {
      'Content-Type': MIME[extname(file).toLowerCase()] ?? 'application/octet-stream',
      'Content-Length': body.length,
      // A development server: always serve the latest build (the bench's
      // cold starts ask for a cacheable one, as a site would serve it).
      'Cache-Control': cacheControl,
      'X-Content-Type-Options': 'nosniff',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  } catch (err) {
    const missing = err.code === 'ENOENT' || err.code === 'ENOTDIR' || err.code === 'EISDIR';
    res.writeHead(missing ? 404 : 500, { 'Content-Type': 'text/plain' });
    res.end(missing ? 'not found\n' : 'server error\n');
    if (!missing) console.error(`serve: ${req.url}: ${err.message}`);
  }
}

/**
 * Starts the server. `port: 0` picks a free port. `pkg`: the directory
 * served as /pkg/ (default dist/; null serves /pkg/ from `root` like any
 * other path). `headers`: extra response headers (e.g. a CSP).
 * `cacheControl`: the Cache-Control of every response.
 * Resolves to { server, url, close() }.
 */
export function startServer({ root = WWW, pkg = DIST, port = 8080, host = '127.0.0.1', headers = {}, cacheControl = 'no-store' } = {}) {
  const roots = { root: resolve(root) + sep, pkg: pkg === null ? null : resolve(pkg) + sep };
  const server = createServer((req, res) => {
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    handle(roots, req, res, cacheControl).catch((err) => {
      console.error(`serve: ${req.url}: ${err.message}`);
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  return new Promise((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const { port: actual } = server.address();
      resolvePromise({
        server,
        url: `http://${host}:${actual}/`,
        close: () => new Promise((done) => server.close(() => done())),
      });
    });
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (!existsSync(join(DIST, 'onstage_bg.wasm'))) {
    console.warn('warning: dist/ is not built yet; run `npm run build` (or `npm start`, which builds it).');
  }
  const port = Number(process.env.PORT ?? 8080);
  const host = process.env.HOST ?? '127.0.0.1';
  startServer({ port, host })
    .then(({ url }) => console.log(`onstage demo: serving www/ at ${url} (Ctrl-C to stop)`))
    .catch((err) => {
      console.error(`could not listen on ${host}:${port}: ${err.message}${err.code === 'EADDRINUSE' ? ' (set PORT to use another port)' : ''}`);
      process.exit(1);
    });
}
