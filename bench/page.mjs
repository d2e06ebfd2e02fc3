// The lab page's cold start: navigation to its first prediction on the screen,
// and what it fetched before it, in fresh Chromium contexts (no HTTP cache).
//
//   node bench/page.mjs --dist build/bench/site [--runs 5] [--out build/bench/page.json]
//
// The site is a built dist/ (./build.sh build, or I2M2_DIST=dir with
// scripts/build-10-wasm.sh and build-20-ui.sh), served by scripts/staticserve.
// Time: i2m2Boot.shownAt, which the lab sets when the first prediction is
// drawn (ms since navigation start). Bytes: every file any request of the page
// or its workers fetched before then, counted as gzip -9 of the served file
// (what a server compressing its responses sends), and raw.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { staticServe, launch } from '../e2e/ui/harness.mjs';

const argv = process.argv.slice(2);
const opt = (name, def) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : def; };
const dist = path.resolve(opt('--dist', 'build/bench/site'));
const runs = Number(opt('--runs', 5));
const out = opt('--out', 'build/bench/page.json');
if (!fs.existsSync(path.join(dist, 'index.html'))) {
  console.error(`bench/page: ${dist}/index.html is missing (build the site first)`);
  process.exit(2);
}

const median = (v) => { const s = [...v].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const gz = new Map();
function sizes(rel) {
  if (!gz.has(rel)) {
    const b = fs.readFileSync(path.join(dist, rel));
    gz.set(rel, { raw: b.length, gzip: zlib.gzipSync(b, { level: 9 }).length });
  }
  return gz.get(rel);
}

const srv = await staticServe(dist);
const browser = await launch();
const results = [];
try {
  for (let r = 0; r < runs; r++) {
    const ctx = await browser.newContext(); // a fresh profile: nothing cached
    const fetched = new Set();
    let done = false;
    ctx.on('requestfinished', (req) => {
      if (done) return;
      const u = new URL(req.url());
      if (u.origin + '/' !== srv.url) return;
      const rel = decodeURIComponent(u.pathname).replace(/^\/+/, '') || 'index.html';
      if (fs.existsSync(path.join(dist, rel)) && fs.statSync(path.join(dist, rel)).isFile()) fetched.add(rel);
    });
    const page = await ctx.newPage();
    await page.goto(srv.url);
    await page.waitForFunction(() => globalThis.i2m2Boot && i2m2Boot.shownAt > 0, null, { timeout: 120000, polling: 10 });
    done = true;
    const t = await page.evaluate(() => ({
      uiStartAt: i2m2Boot.uiStartAt, modelReadyAt: i2m2Boot.readyAt, firstPredictionAt: i2m2Boot.shownAt,
      domContentLoaded: performance.getEntriesByType('navigation')[0]?.domContentLoadedEventEnd,
    }));
    const files = [...fetched].sort().map((f) => ({ file: f, ...sizes(f) }));
    results.push({ ...t, files, gzip: files.reduce((a, f) => a + f.gzip, 0), raw: files.reduce((a, f) => a + f.raw, 0) });
    console.error(`bench/page: run ${r + 1}/${runs}: first prediction at ${t.firstPredictionAt.toFixed(0)} ms after ${(results.at(-1).gzip / 1024).toFixed(0)} KiB gzip`);
    await ctx.close();
  }
} finally {
  await browser.close();
  srv.close();
}
const last = results.at(-1);
const res = {
  page_first_prediction_ms: Math.round(median(results.map((x) => x.firstPredictionAt))),
  page_bytes_gzip: median(results.map((x) => x.gzip)),
  page_bytes_raw: median(results.map((x) => x.raw)),
  ui_start_ms: Math.round(median(results.map((x) => x.uiStartAt))),
  model_ready_ms: Math.round(median(results.map((x) => x.modelReadyAt))),
  runs: results.map((x) => Math.round(x.firstPredictionAt)),
  files: last.files,
  method: 'fresh Chromium context per run (no cache), scripts/staticserve on loopback; time = i2m2Boot.shownAt (navigation start -> first prediction drawn); bytes = gzip -9 of every file fetched before it (page and workers)',
};
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(out, JSON.stringify(res, null, 2) + '\n');
console.log(JSON.stringify({ page_first_prediction_ms: res.page_first_prediction_ms, page_bytes_gzip: res.page_bytes_gzip, runs: res.runs }));
