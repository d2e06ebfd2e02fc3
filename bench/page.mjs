// The lab page's cold start: navigation to its first prediction on the screen,
// and what it fetched before it, in fresh Chromium contexts (no HTTP cache).
//
//   node bench/page.mjs --dist build/bench/site [--runs 5] [--out build/bench/page.json]
//
// The site is a built dist/ (./build.sh build, or I2M2_DIST=dir with
// scripts/build-10-wasm.sh and build-20-ui.sh), served by scripts/staticserve.
// Time: the first prediction on the screen, in ms since navigation start:
// i2m2Boot.firstAnswerAt, which ui/web/first.js sets when it has drawn the
// engine's answer for the first demo pair before the UI runs, or (without it)
// i2m2Boot.shownAt, which the lab sets when it draws its first prediction;
// shownAt is reported as well (the lab interactive). Bytes: every file any
// request of the page or its workers asked for before then (requests started
// before that moment, finished or not), counted as gzip -9 of the served file
// (what a server compressing its responses sends), and raw; and everything
// fetched until the lab's own first prediction.
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
    const requested = []; // [file, wall-clock ms the request started]
    ctx.on('request', (req) => {
      const u = new URL(req.url());
      if (u.origin + '/' !== srv.url) return;
      const rel = decodeURIComponent(u.pathname).replace(/^\/+/, '') || 'index.html';
      if (fs.existsSync(path.join(dist, rel)) && fs.statSync(path.join(dist, rel)).isFile()) requested.push([rel, Date.now()]);
    });
    const page = await ctx.newPage();
    await page.goto(srv.url);
    await page.waitForFunction(() => globalThis.i2m2Boot && i2m2Boot.shownAt > 0, null, { timeout: 120000, polling: 10 });
    const t = await page.evaluate(() => ({
      uiStartAt: i2m2Boot.uiStartAt, modelReadyAt: i2m2Boot.readyAt, labFirstPredictionAt: i2m2Boot.shownAt,
      firstPredictionAt: Math.min(i2m2Boot.firstAnswerAt || Infinity, i2m2Boot.shownAt), earlyAnswer: !!i2m2Boot.firstAnswerAt,
      domContentLoaded: performance.getEntriesByType('navigation')[0]?.domContentLoadedEventEnd, origin: performance.timeOrigin,
    }));
    const upTo = (ms) => [...new Set(requested.filter(([, at]) => at <= t.origin + ms).map(([f]) => f))].sort().map((f) => ({ file: f, ...sizes(f) }));
    const sum = (files, k) => files.reduce((a, f) => a + f[k], 0);
    const files = upTo(t.firstPredictionAt);
    const labFiles = upTo(t.labFirstPredictionAt + 1000); // all the lab fetched to show its first prediction
    results.push({ ...t, files, gzip: sum(files, 'gzip'), raw: sum(files, 'raw'), labGzip: sum(labFiles, 'gzip') });
    console.error(`bench/page: run ${r + 1}/${runs}: first prediction at ${t.firstPredictionAt.toFixed(0)} ms after ${(results.at(-1).gzip / 1024).toFixed(0)} KiB gzip${t.earlyAnswer ? ` (before the UI; the lab's own at ${t.labFirstPredictionAt.toFixed(0)} ms)` : ''}`);
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
  lab_first_prediction_ms: Math.round(median(results.map((x) => x.labFirstPredictionAt))),
  lab_bytes_gzip: median(results.map((x) => x.labGzip)),
  early_answer: results.every((x) => x.earlyAnswer),
  ui_start_ms: Math.round(median(results.map((x) => x.uiStartAt))),
  model_ready_ms: Math.round(median(results.map((x) => x.modelReadyAt))),
  runs: results.map((x) => Math.round(x.firstPredictionAt)),
  lab_runs: results.map((x) => Math.round(x.labFirstPredictionAt)),
  files: last.files,
  method: 'fresh Chromium context per run (no cache), scripts/staticserve on loopback; time = navigation start -> the first prediction drawn (i2m2Boot.firstAnswerAt: the engine\'s answer for the first demo pair, drawn by ui/web/first.js before the UI runs; else i2m2Boot.shownAt, the lab\'s own); lab = i2m2Boot.shownAt; bytes = gzip -9 of every file requested before that moment (page and workers)',
};
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(out, JSON.stringify(res, null, 2) + '\n');
console.log(JSON.stringify({ page_first_prediction_ms: res.page_first_prediction_ms, page_bytes_gzip: res.page_bytes_gzip, runs: res.runs }));
