// A static file server for the module tests (node:http, loopback only).
// Prefixes: /_octet/<path> serves the file as application/octet-stream (wrong
// type for wasm), /_gzip/<path> gzips it (Content-Encoding: gzip, no length),
// /_html404/<path> answers 404 with an HTML page, /_noworker/<path> serves
// everything but i2m2.worker.mjs. With {csp}, every response
// carries Content-Security-Policy: script-src 'self' 'wasm-unsafe-eval'.
import http from 'node:http';
import { readFile } from 'node:fs/promises';
import { join, normalize, extname } from 'node:path';
import { gzipSync } from 'node:zlib';

export const CSP = "script-src 'self' 'wasm-unsafe-eval'";

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.mjs': 'text/javascript',
  '.js': 'text/javascript',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.i2m2': 'application/octet-stream',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
};

export async function serve(dir, { csp = false } = {}) {
  const log = [];
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, 'http://x');
    let path = decodeURIComponent(url.pathname);
    let mode = '';
    const m = /^\/_(octet|gzip|html404|noworker)(\/.*)$/.exec(path);
    if (m) [, mode, path] = m;
    log.push(path);
    const headers = { 'cache-control': 'no-store' };
    if (csp) headers['content-security-policy'] = CSP;
    if (path.endsWith('/')) path += 'index.html';
    const file = join(dir, normalize(path).replace(/^(\.\.[/\\])+/, ''));
    let body;
    try {
      if (mode === 'html404' || (mode === 'noworker' && path.endsWith('/i2m2.worker.mjs'))) throw new Error('404');
      body = await readFile(file);
    } catch {
      res.writeHead(404, { ...headers, 'content-type': 'text/html' });
      res.end('<!doctype html><title>404</title><h1>Not Found</h1>');
      return;
    }
    headers['content-type'] = mode === 'octet' ? 'application/octet-stream' : TYPES[extname(file)] || 'application/octet-stream';
    if (mode === 'gzip') {
      headers['content-encoding'] = 'gzip';
      res.writeHead(200, headers);
      res.end(gzipSync(body));
      return;
    }
    headers['content-length'] = body.length;
    res.writeHead(200, headers);
    res.end(body);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}/`, log, close: () => new Promise((r) => server.close(r)) };
}
