// The floor of a dedicated-worker round trip in headless Chromium (the one
// bench/run.mjs launches): a bare echo worker (bench/web/rtt-echo.mjs; clone
// vs transfer, postMessage vs a MessageChannel) beside the module's predict
// in a worker and on the page's thread, interleaved in one page.
//
//   node bench/rtt.mjs [--site build/bench/site] [--base DIR] [--gen build/bench]
//     [--rounds 60] [--calls 20] [--isolated] [--variants a,b] [--idle N]
//
// --site: a folder built by scripts/build-10-wasm.sh (I2M2_DIST=...), served
// as /module/. --isolated: COOP/COEP headers (performance.now() to 5 us
// instead of 100 us). Prints JSON (ms per call: median and quartiles over rounds).
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const opt = (name, def) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : def; };
const SITE = path.resolve(ROOT, opt('--site', 'build/bench/site'));
const rounds = Number(opt('--rounds', 60)), calls = Number(opt('--calls', 20));
const variants = opt('--variants', '') ? opt('--variants').split(',').map((v) => v.trim()) : null;
const isolated = argv.includes('--isolated');
// --base: a second build (say, of main) served as /base/: its worker predict
// joins the interleaved rounds, an A/B in one page.
const BASE = opt('--base', '') && path.resolve(ROOT, opt('--base'));
// --gen: the folder bench-20-browser.sh prepares (model.onnx): onnxruntime-web
// (1 thread, graph optimisation all; bench/web/runtimes.mjs) joins the rounds.
const GEN = opt('--gen', '') && path.resolve(ROOT, opt('--gen'));
const ROUTES = [['/web/', path.join(ROOT, 'bench/web')], ['/module/', SITE], ...(BASE ? [['/base/', BASE]] : []),
  ...(GEN ? [['/gen/', GEN], ['/ort/', path.join(ROOT, 'node_modules/onnxruntime-web/dist')]] : [])];
const MIME = { '.html': 'text/html', '.mjs': 'text/javascript', '.js': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json' };
const server = http.createServer((req, res) => {
  const p = decodeURIComponent(new URL(req.url, 'http://x').pathname);
  for (const [prefix, dir] of ROUTES) {
    const f = path.join(dir, p.slice(prefix.length));
    if (p.startsWith(prefix) && f.startsWith(dir) && fs.existsSync(f) && fs.statSync(f).isFile()) {
      const h = { 'Content-Type': MIME[path.extname(f)] || 'application/octet-stream', 'Cache-Control': 'no-store' };
      if (isolated) Object.assign(h, { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' });
      res.writeHead(200, h);
      fs.createReadStream(f).pipe(res);
      return;
    }
  }
  res.writeHead(404);
  res.end();
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const load0 = os.loadavg()[0];
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: ARGS });
try {
  const page = await browser.newPage();
  page.setDefaultTimeout(300000);
  page.on('pageerror', (e) => console.error('page error:', e.message));
  page.on('console', (m) => { if (m.type() === 'error') console.error('page:', m.text()); });
  await page.goto(`http://127.0.0.1:${server.address().port}/web/rtt.html`);
  await page.waitForFunction(() => window.rttReady === true);
  const r = await page.evaluate((c) => window.runRtt(c), { rounds, calls, variants, base: !!BASE, ort: !!GEN, idle: Number(opt('--idle', 0)) });
  r.chromium = browser.version();
  r.load = [load0, os.loadavg()[0]];
  r.rounds = rounds;
  r.calls = calls;
  if (r.ms['ORT (1 thread)']) {
    const o = r.ms['ORT (1 thread)'].median;
    r.ratios = { worker_over_ort: r.ms['ours worker predict'].median / o, main_over_ort: r.ms['ours main-thread predict'].median / o };
  }
  const row = (k, s) => `${k.padEnd(40)} ${s.median.toFixed(3)}  (p25 ${s.p25.toFixed(3)}, p75 ${s.p75.toFixed(3)})`;
  for (const [k, s] of Object.entries(r.ms)) console.log(row(k, s));
  if (r.ratios) console.log(`ours worker / ORT ${r.ratios.worker_over_ort.toFixed(2)}, main thread / ORT ${r.ratios.main_over_ort.toFixed(2)}`);
  console.log(`load(): worker ${r.load_ms.worker.toFixed(0)} ms, then a second instance on this thread ${r.load_ms.main.toFixed(0)} ms`);
  for (const [k, b] of Object.entries(r.blocked)) console.log(`200 awaited predicts, ${k}: ${b.loop_ms.toFixed(0)} ms; the page's event loop ran no task for up to ${b.longest_without_a_task_ms.toFixed(1)} ms`);
  console.log(JSON.stringify({ chromium: r.chromium, load: r.load, rounds, calls, isolated: r.crossOriginIsolated }));
} finally {
  await browser.close();
  server.close();
}
