// A static file server for the module tests (node:http, loopback only).
// Prefixes: /_octet/<path> serves the file as application/octet-stream (wrong
// type for wasm), /_gzip/<path> gzips it (Content-Encoding: gzip, no length),
// /_html404/<path> answers 404 with an HTML page, /_noworker/<path> serves
// everything but i2m2.worker.mjs, /_nomanifest/<path> everything but
// manifest.json (404), /_stall/<path> the headers and the first 1,000 bytes,
// then nothing (the connection stays open). /_t/<mode>/<path> serves every
// .i2m2 file tampered (one byte changed, internal checksum recomputed, as
// tampered() makes it) and manifest.json as <mode> says: missing (404,
// text/plain), html404 (404, HTML), 500, html (200, an HTML page), noentry
// (no entry for any file), genuine (the real manifest, whose hash the
// tampered file does not match). With {csp}, every response
// carries Content-Security-Policy: script-src 'self' 'wasm-unsafe-eval'.
import http from 'node:http';
import { readFile } from 'node:fs/promises';
import { join, normalize, extname } from 'node:path';
import { gzipSync } from 'node:zlib';
import { createHash } from 'node:crypto';

// tampered returns a copy of a model file with the byte in its middle (in the
// tensor section) changed and its trailing sha256 recomputed: the file's own
// checksum passes, only an expected sha256 catches it.
export function tampered(b) {
  const c = new Uint8Array(b);
  const i = c.length >> 1;
  c[i] = c[i] === 0x81 ? 0x82 : c[i] ^ 1; // never 0x80 (-128 is invalid in int8 weights)
  c.set(createHash('sha256').update(c.subarray(0, c.length - 32)).digest(), c.length - 32);
  return c;
}

const MANIFEST = {
  missing: [404, 'text/plain', 'Not Found'],
  html404: [404, 'text/html', '<!doctype html><title>404</title><h1>Not Found</h1>'],
  500: [500, 'text/plain', 'Internal Server Error'],
  html: [200, 'text/html', '<!doctype html><title>app</title><div id=app></div>'],
  noentry: [200, 'application/json', '{"models":[]}'],
};

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
    let manifestMode = '';
    const m = /^\/_(octet|gzip|html404|noworker|nomanifest|stall)(\/.*)$/.exec(path);
    if (m) [, mode, path] = m;
    const t = /^\/_t\/(missing|html404|500|html|noentry|genuine)(\/.*)$/.exec(path);
    if (t) [, manifestMode, path] = t;
    if (mode === 'nomanifest' && path.endsWith('/manifest.json')) manifestMode = 'missing';
    log.push(path);
    const headers = { 'cache-control': 'no-store' };
    if (csp) headers['content-security-policy'] = CSP;
    if (path.endsWith('/')) path += 'index.html';
    if (MANIFEST[manifestMode] && path.endsWith('/manifest.json')) {
      const [status, type, text] = MANIFEST[manifestMode];
      res.writeHead(status, { ...headers, 'content-type': type });
      res.end(text);
      return;
    }
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
    if (manifestMode && file.endsWith('.i2m2')) body = tampered(body);
    headers['content-type'] = mode === 'octet' ? 'application/octet-stream' : TYPES[extname(file)] || 'application/octet-stream';
    if (mode === 'stall') {
      headers['content-length'] = body.length;
      res.writeHead(200, headers);
      res.write(body.subarray(0, 1000));
      return; // never ends; close() drops the connection
    }
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
  const close = () => {
    server.closeAllConnections(); // stalled responses never end by themselves
    return new Promise((r) => server.close(r));
  };
  return { url: `http://127.0.0.1:${port}/`, log, close };
}
