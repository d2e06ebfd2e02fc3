// The browser benchmark: ours (int8, float32; main thread, worker) vs
// onnxruntime-web 1.30 (wasm, 1 thread) vs tfjs-backend-wasm 4.22 on the same
// I2M2 model, in Node and in headless Chromium, in one run.
//
//   node bench/run.mjs [--gen build/bench] [--quick]
//
// Needs the folder written by scripts/bench-20-browser.sh (bench/prep output,
// ours.wasm, wasm_exec.js). Writes bench/results.json, bench/results.md and
// the browser section of bench/README.md.
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';
import { nodeIO, nodeWorker } from './node-io.mjs';
import { RUNTIMES, measure } from './web/runtimes.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const opt = (name, def) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : def; };
const quick = argv.includes('--quick');
const GEN = path.resolve(ROOT, opt('--gen', 'build/bench'));
const DIST = path.join(GEN, 'module'); // the wasm/ JS module, built by scripts/bench-20-browser.sh
const ROUNDS = Number(opt('--rounds', quick ? 3 : 12));
// Cold starts spread widely on a shared machine (one runtime's 5 runs: 283-403 ms): 9 each.
const COLD = Number(opt('--cold', quick ? 1 : 9));
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const t0 = Date.now();
const load0 = os.loadavg();
const log = (...a) => console.error(`[bench ${((Date.now() - t0) / 1000).toFixed(0)}s]`, ...a);

// Ours is the project's JS module (built from wasm/ into GEN/module) when present,
// else bench/ourwasm through bench/web/ours-min.mjs. BENCH_OURS=min forces the latter.
const useModule = fs.existsSync(path.join(DIST, 'i2m2.mjs')) && process.env.BENCH_OURS !== 'min';
const meta = JSON.parse(fs.readFileSync(path.join(GEN, 'meta.json'), 'utf8'));

// ---- static server on 127.0.0.1 (records every path it serves) ----
const ROUTES = [
  ['/web/', path.join(ROOT, 'bench/web')],
  ['/gen/', GEN],
  ['/ort/', path.join(ROOT, 'node_modules/onnxruntime-web/dist')],
  ['/tfjs-core/', path.join(ROOT, 'node_modules/@tensorflow/tfjs-core/dist')],
  ['/tfjs-wasm/', path.join(ROOT, 'node_modules/@tensorflow/tfjs-backend-wasm/dist')],
  ['/module/', DIST],
];
const MIME = { '.html': 'text/html', '.mjs': 'text/javascript', '.js': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json' };
let served = [];
function resolveUrl(u) {
  const p = decodeURIComponent(new URL(u, 'http://x').pathname);
  for (const [prefix, dir] of ROUTES) {
    if (p.startsWith(prefix)) {
      const f = path.join(dir, p.slice(prefix.length));
      if (f.startsWith(dir) && fs.existsSync(f) && fs.statSync(f).isFile()) return f;
    }
  }
  return null;
}
// isolated: every response carries COOP/COEP (a cross-origin-isolated page,
// which onnxruntime-web's threads need; this package's module does not).
const handler = (isolated) => (req, res) => {
  const f = resolveUrl(req.url);
  if (!f) {
    if (!req.url.startsWith('/favicon')) log(`404 ${req.url}`);
    res.writeHead(404); res.end('not found'); return;
  }
  served.push(f);
  const h = { 'Content-Type': MIME[path.extname(f)] || 'application/octet-stream', 'Cache-Control': 'no-store' };
  if (isolated) Object.assign(h, { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' });
  res.writeHead(200, h);
  fs.createReadStream(f).pipe(res);
};
const server = http.createServer(handler(false));
const isoServer = http.createServer(handler(true));
await new Promise((r) => server.listen(0, '127.0.0.1', r));
await new Promise((r) => isoServer.listen(0, '127.0.0.1', r));
const BASE = `http://127.0.0.1:${server.address().port}`;
const ISO_BASE = `http://127.0.0.1:${isoServer.address().port}`;
const loadNow = () => Math.round(os.loadavg()[0] * 10) / 10;
log(`serving on ${BASE}; ours = ${useModule ? 'wasm/ JS module' : 'bench/ourwasm'}; model: ${meta.label}`);

// ---- sizes: raw, gzip -9, brotli q11 of each served file ----
// Compressing the 12 MB ORT wasm at brotli q11 takes minutes: sizes are
// computed after the measurements, files in parallel on libuv's thread pool,
// and cached by path, size and mtime in the prep folder.
const SIZE_CACHE = path.join(GEN, 'sizes-cache.json');
const sizeCache = new Map(fs.existsSync(SIZE_CACHE) ? Object.entries(JSON.parse(fs.readFileSync(SIZE_CACHE, 'utf8'))) : []);
const sizeKey = (f) => { const st = fs.statSync(f); return `${f}:${st.size}:${st.mtimeMs}`; };
async function computeSizes(files) {
  const gzip = promisify(zlib.gzip), brotli = promisify(zlib.brotliCompress);
  await Promise.all([...new Set(files)].filter((f) => !sizeCache.has(sizeKey(f))).map(async (f) => {
    const b = fs.readFileSync(f);
    const [g, br] = await Promise.all([
      gzip(b, { level: 9 }),
      brotli(b, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: b.length } }),
    ]);
    sizeCache.set(sizeKey(f), { raw: b.length, gzip: g.length, brotli: br.length });
  }));
  fs.writeFileSync(SIZE_CACHE, JSON.stringify(Object.fromEntries(sizeCache)));
}
const sizes = (f) => sizeCache.get(sizeKey(f));
function category(f) {
  const b = path.basename(f);
  if (b.endsWith('.wasm')) return 'wasm';
  if (/\.(i2m2|onnx)$/.test(b) || b === 'tfjs.bin' || b === 'tfjs.json') return 'weights';
  return 'glue';
}
function bytesOf(files, exclude) {
  const out = { files: [] };
  for (const c of ['wasm', 'glue', 'weights', 'total']) out[c] = { raw: 0, gzip: 0, brotli: 0 };
  for (const f of new Set(files)) {
    if (exclude.has(f)) continue;
    const s = sizes(f), c = category(f);
    for (const k of ['raw', 'gzip', 'brotli']) { out[c][k] += s[k]; out.total[k] += s[k]; }
    out.files.push(path.relative(ROOT, f));
  }
  return out;
}

// ---- process memory from /proc: the renderers of one browser ----
function procs() {
  const out = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const cmd = fs.readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0');
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      out.push({ pid: Number(d), ppid, cmd });
    } catch { /* gone */ }
  }
  return out;
}
// Chromium rewrites its children's argv into one space-separated string, so
// match on the joined command line. The page renderers carry the profile's
// --user-data-dir; the --top-chrome-webui renderer is the browser's own UI.
function rendererMemory(userDataDir) {
  let best = null;
  for (const p of procs()) {
    const c = p.cmd.join(' ');
    if (!c.includes('--type=renderer') || c.includes('--top-chrome-webui') || !c.includes(`--user-data-dir=${userDataDir}`)) continue;
    try {
      const st = fs.readFileSync(`/proc/${p.pid}/status`, 'utf8');
      const kb = (key) => Number((st.match(new RegExp(`${key}:\\s+(\\d+)`)) || [0, 0])[1]);
      const m = { pid: p.pid, vm_hwm_kb: kb('VmHWM'), vm_rss_kb: kb('VmRSS') };
      if (!best || m.vm_hwm_kb > best.vm_hwm_kb) best = m;
    } catch { /* gone */ }
  }
  return best;
}

const median = (v) => { const s = [...v].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const oursQuery = useModule ? '?ours=module' : '';

// ---- 1. Node ----
log('Node: loading runtimes');
const nodeRes = {};
const nodeIds = ['ours', 'ours-scalar', 'ours-int8', 'ours-bridge', 'ort', 'tfjs'];
const phaseLoad = { node: [loadNow()] };
{
  const io = nodeIO(GEN, DIST);
  const rts = {};
  for (const id of nodeIds) {
    const t = performance.now();
    rts[id] = await RUNTIMES[id].create(io);
    nodeRes[id] = { create_ms: performance.now() - t, impl: rts[id].impl };
  }
  {
    const t = performance.now();
    rts['ours-worker-thread'] = await nodeWorker(GEN, 'float32');
    nodeRes['ours-worker-thread'] = { create_ms: performance.now() - t, impl: rts['ours-worker-thread'].impl };
  }
  const m = await measure(rts, { rounds: Math.max(3, Math.round(ROUNDS * 0.75)), log: (s) => log('Node', s) });
  for (const id of Object.keys(rts)) { Object.assign(nodeRes[id], m.latency[id]); await rts[id].dispose(); }
}
phaseLoad.node.push(loadNow());

// ---- 2. Chromium: latency (all runtimes in one page, interleaved) + worker throughput ----
async function latencyPage(base, cfg) {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  try {
    const page = await browser.newPage();
    page.setDefaultTimeout(180000); // a loaded 2-core machine is slow, not broken
    page.on('console', (m) => { if (m.type() === 'error') log('page:', m.text()); });
    page.on('pageerror', (e) => log('page error:', e.message));
    await page.goto(`${base}/web/bench.html${oursQuery}`);
    await page.waitForFunction(() => window.benchReady === true);
    const r = await page.evaluate((c) => window.runLatency(c), cfg);
    r.version = browser.version();
    return r;
  } finally {
    await browser.close();
  }
}
const chromeIds = ['ours', 'ours-main', 'ours-scalar', 'ours-int8', 'ours-bridge', 'ort', 'tfjs'];
log('Chromium: latency and throughput');
phaseLoad.chromium = [loadNow()];
const chrome = await latencyPage(BASE, {
  ids: chromeIds, rounds: ROUNDS, calls1: 10, calls64: 1,
  workerCompare: ['ours', 'ours-workers2'], throughputRounds: quick ? 2 : 5,
});
phaseLoad.chromium.push(loadNow());
// onnxruntime-web multi-threaded, in a cross-origin-isolated page (COOP/COEP),
// beside ours and tfjs again so that the ratios come from one page.
log('Chromium: onnxruntime-web multi-threaded (cross-origin-isolated page)');
phaseLoad.isolated = [loadNow()];
const iso = await latencyPage(ISO_BASE, { ids: ['ours', 'ort-mt', 'tfjs'], rounds: Math.max(3, Math.round(ROUNDS / 2)), calls1: 10, calls64: 1 });
phaseLoad.isolated.push(loadNow());
if (!iso.crossOriginIsolated) throw new Error('the COOP/COEP page is not cross-origin isolated');

// ---- 3. Chromium: cold start, bytes, memory (a fresh browser per run) ----
async function coldRun(id) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'i2m2-cold-'));
  const ctx = await chromium.launchPersistentContext(dir, { executablePath: CHROMIUM, args: ARGS, headless: true });
  try {
    const page = ctx.pages()[0] || await ctx.newPage();
    page.setDefaultTimeout(180000);
    served = [];
    const q = id ? `?rt=${id}${useModule ? '&ours=module' : ''}` : '';
    await page.goto(`${BASE}/web/bench.html${q}`);
    let r = { first_prediction_ms: null };
    if (id) {
      await page.waitForFunction(() => window.__cold !== undefined);
      r = await page.evaluate(() => window.__cold);
      if (r.error) throw new Error(`${id} cold start: ${r.error}`);
    } else {
      await page.waitForFunction(() => window.benchReady === true);
    }
    const cdp = await ctx.newCDPSession(page);
    await cdp.send('Performance.enable');
    const { metrics } = await cdp.send('Performance.getMetrics');
    const mt = Object.fromEntries(metrics.map((x) => [x.name, x.value]));
    r.js_heap_used_bytes = mt.JSHeapUsedSize;
    r.renderer = rendererMemory(dir);
    r.files = [...served];
    return r;
  } finally {
    await ctx.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const coldIds = ['ours', 'ours-main', 'ort', 'tfjs'];
phaseLoad.cold = [loadNow()];
log('Chromium: baseline page (harness only)');
const base = await coldRun(null);
const harness = new Set(base.files);
const cold = Object.fromEntries(coldIds.map((id) => [id, []]));
for (let rep = 0; rep < COLD; rep++) {
  for (let j = 0; j < coldIds.length; j++) {
    const id = coldIds[(j + rep) % coldIds.length];
    cold[id].push(await coldRun(id));
  }
  log(`cold start round ${rep + 1}/${COLD}`);
}
server.close();
isoServer.close();
phaseLoad.cold.push(loadNow());

// ---- results ----
log('compressing the files each runtime fetched (gzip -9, brotli q11)');
await computeSizes(Object.values(cold).flatMap((runs) => runs[0].files));
const L = chrome.latency;
const coldSummary = Object.fromEntries(coldIds.map((id) => {
  const runs = cold[id];
  const first = runs.map((r) => r.first_prediction_ms);
  return [id, {
    first_prediction_ms: { median: median(first), min: Math.min(...first), max: Math.max(...first), n: first.length },
    ready_ms_median: median(runs.map((r) => r.ready_ms)),
    renderer_peak_rss_kb_median: median(runs.map((r) => r.renderer?.vm_hwm_kb ?? NaN)),
    js_heap_used_bytes_median: median(runs.map((r) => r.js_heap_used_bytes)),
    wasm_memory_bytes: runs[0].wasm_memory_bytes,
    impl: runs[0].impl,
    bytes: bytesOf(runs[0].files, harness),
  }];
}));
const cpu = (fs.readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/) || [])[1];
const r3 = (x) => (x == null || Number.isNaN(x) ? null : Math.round(x * 1000) / 1000);
const I = iso.latency;
const pageFile = path.join(GEN, 'page.json');
const page = fs.existsSync(pageFile) ? JSON.parse(fs.readFileSync(pageFile, 'utf8')) : null;
const b1Split = (k) => Object.fromEntries(['ours', 'ours-main', 'ort', 'tfjs'].filter((id) => L[id]).map((id) => [id, r3(L[id][k].median)]));
const results = {
  date: new Date().toISOString(),
  machine: { cpu, cores: os.cpus().length, nice: os.getPriority(), loadavg_1min_start_end: [load0[0], os.loadavg()[0]].map((x) => Math.round(x * 10) / 10), loadavg_1min_per_phase: phaseLoad, os: `${os.type()} ${os.release()}`, node: process.version, chromium: chrome.version, go: execFileSync('go', ['version']).toString().trim() },
  model: { ...meta, classes: undefined },
  ours_impl: useModule ? 'the wasm/ JS module (i2m2.mjs, built from the current tree), defaults: int8 file on the float32 kernels, SIMD binary, worker' : 'bench/ourwasm (minimal bridge; the wasm/ JS module was not available)',
  // The keys the issue asks for: ours = the module's defaults as a user gets them (worker).
  ours_b1_ms: r3(L.ours.b1_ms.median),
  ort_b1_ms: r3(L.ort.b1_ms.median),
  tfjs_b1_ms: r3(L.tfjs.b1_ms.median),
  ours_b64_ms_per_sample: r3(L.ours.b64_ms_per_sample.median),
  ort_b64_ms_per_sample: r3(L.ort.b64_ms_per_sample.median),
  tfjs_b64_ms_per_sample: r3(L.tfjs.b64_ms_per_sample.median),
  ours_cold_start_ms: r3(coldSummary.ours.first_prediction_ms.median),
  ort_cold_start_ms: r3(coldSummary.ort.first_prediction_ms.median),
  ours_bytes_gzip: coldSummary.ours.bytes.total.gzip,
  ort_bytes_gzip: coldSummary.ort.bytes.total.gzip,
  // The lab page, by bench/page.mjs in the same run (scripts/bench-20-browser.sh).
  page_first_prediction_ms: page ? page.page_first_prediction_ms : null,
  page_bytes_gzip: page ? page.page_bytes_gzip : null,
  page_lab_first_prediction_ms: page ? page.lab_first_prediction_ms : null,
  page_lab_bytes_gzip: page ? page.lab_bytes_gzip : null,
  // More of the same run.
  ours_main_b1_ms: r3(L['ours-main'].b1_ms.median),
  ours_scalar_b1_ms: r3(L['ours-scalar'].b1_ms.median),
  ours_int8_b1_ms: r3(L['ours-int8'].b1_ms.median),
  ours_bridge_b1_ms: r3(L['ours-bridge'].b1_ms.median),
  ours_main_b64_ms_per_sample: r3(L['ours-main'].b64_ms_per_sample.median),
  ours_scalar_b64_ms_per_sample: r3(L['ours-scalar'].b64_ms_per_sample.median),
  ours_main_cold_start_ms: r3(coldSummary['ours-main'].first_prediction_ms.median),
  tfjs_cold_start_ms: r3(coldSummary.tfjs.first_prediction_ms.median),
  tfjs_bytes_gzip: coldSummary.tfjs.bytes.total.gzip,
  ours_bytes_brotli: coldSummary.ours.bytes.total.brotli,
  ort_bytes_brotli: coldSummary.ort.bytes.total.brotli,
  tfjs_bytes_brotli: coldSummary.tfjs.bytes.total.brotli,
  ort_mt_b1_ms: r3(I['ort-mt'].b1_ms.median),
  ort_mt_b64_ms_per_sample: r3(I['ort-mt'].b64_ms_per_sample.median),
  ours_throughput_workers1_per_s: r3(chrome.throughput.ours.samples_per_s.median),
  ours_throughput_workers2_per_s: r3(chrome.throughput['ours-workers2'].samples_per_s.median),
  memory_method: 'peak RSS (VmHWM from /proc/PID/status) of the largest renderer of a fresh Chromium per cold run, after the first prediction, 20 more at batch 1 and one at batch 64; also CDP Performance.getMetrics JSHeapUsedSize (JS heap only: wasm memories are outside it)',
  baseline_page: { renderer_peak_rss_kb: base.renderer?.vm_hwm_kb ?? null, js_heap_used_bytes: base.js_heap_used_bytes, harness_files: base.files.map((f) => path.relative(ROOT, f)) },
  chromium: { latency: L, created: chrome.created, max_prob_diff_vs_ours: chrome.max_prob_diff_vs_ours, throughput: chrome.throughput, cold: coldSummary, hardwareConcurrency: chrome.hardwareConcurrency, userAgent: chrome.userAgent },
  chromium_isolated: { note: 'a second page served with COOP/COEP (cross-origin isolated), which onnxruntime-web threads need and this package does not', latency: I, created: iso.created, max_prob_diff_vs_ours: iso.max_prob_diff_vs_ours },
  node: nodeRes,
  page,
  // Batch 1 split (medians): a block's first call, after the other
  // runtimes' turns, and the mean of its other calls.
  b1_first_call_ms: b1Split('b1_first_call_ms'),
  b1_other_calls_ms: b1Split('b1_other_calls_ms'),
  settings: { rounds: ROUNDS, calls_per_b1_sample: 10, cold_repeats: COLD, batch_throughput: 128, interleaving: 'runtime order rotates every round; cold runs rotate too' },
  wall_s: null,
};
const ratio = (a, b) => (a != null && b ? Math.round((a / b) * 100) / 100 : null);
const minOf = (lat, id, k) => lat[id][k].min;
results.ratios = {
  b1_ours_over_ort: ratio(results.ours_b1_ms, results.ort_b1_ms),
  b1_ours_over_tfjs: ratio(results.ours_b1_ms, results.tfjs_b1_ms),
  b64_ours_over_ort: ratio(results.ours_b64_ms_per_sample, results.ort_b64_ms_per_sample),
  b64_ours_over_tfjs: ratio(results.ours_b64_ms_per_sample, results.tfjs_b64_ms_per_sample),
  cold_ours_over_ort: ratio(results.ours_cold_start_ms, results.ort_cold_start_ms),
  cold_ours_over_tfjs: ratio(results.ours_cold_start_ms, results.tfjs_cold_start_ms),
  bytes_gzip_ours_over_ort: ratio(results.ours_bytes_gzip, results.ort_bytes_gzip),
  bytes_gzip_ours_over_tfjs: ratio(results.ours_bytes_gzip, results.tfjs_bytes_gzip),
  b1_main_over_ort: ratio(results.ours_main_b1_ms, results.ort_b1_ms),
  b1_scalar_over_simd: ratio(results.ours_scalar_b1_ms, results.ours_b1_ms),
  b64_scalar_over_simd: ratio(results.ours_scalar_b64_ms_per_sample, results.ours_b64_ms_per_sample),
  b1_ours_over_ort_mt_isolated_page: ratio(I.ours.b1_ms.median, I['ort-mt'].b1_ms.median),
  b64_ours_over_ort_mt_isolated_page: ratio(I.ours.b64_ms_per_sample.median, I['ort-mt'].b64_ms_per_sample.median),
  workers2_over_workers1: ratio(results.ours_throughput_workers2_per_s, results.ours_throughput_workers1_per_s),
  // the same from each runtime's fastest round (least disturbed by other load)
  b1_min_ours_over_ort: ratio(minOf(L, 'ours', 'b1_ms'), minOf(L, 'ort', 'b1_ms')),
  b1_min_ours_over_tfjs: ratio(minOf(L, 'ours', 'b1_ms'), minOf(L, 'tfjs', 'b1_ms')),
  b1_min_main_over_ort: ratio(minOf(L, 'ours-main', 'b1_ms'), minOf(L, 'ort', 'b1_ms')),
  b64_min_ours_over_ort: ratio(minOf(L, 'ours', 'b64_ms_per_sample'), minOf(L, 'ort', 'b64_ms_per_sample')),
  b64_min_ours_over_tfjs: ratio(minOf(L, 'ours', 'b64_ms_per_sample'), minOf(L, 'tfjs', 'b64_ms_per_sample')),
  cold_min_ours_over_ort: ratio(coldSummary.ours.first_prediction_ms.min, coldSummary.ort.first_prediction_ms.min),
  cold_min_ours_over_tfjs: ratio(coldSummary.ours.first_prediction_ms.min, coldSummary.tfjs.first_prediction_ms.min),
};
const profFile = path.join(GEN, 'profile.json');
results.profile = fs.existsSync(profFile) ? JSON.parse(fs.readFileSync(profFile, 'utf8')) : null;
results.wall_s = Math.round((Date.now() - t0) / 1000);

// ---- markdown ----
const f = (x, d = 2) => (x == null || Number.isNaN(x) ? 'n/a' : x.toFixed(d));
const spread = (s) => `${f(s.median)} (${f(s.p25)}–${f(s.p75)})`;
const kb = (n) => (n == null ? 'n/a' : `${(n / 1024).toFixed(0)} KiB`);
const mb = (k) => (k == null || Number.isNaN(k) ? 'n/a' : `${(k / 1024).toFixed(0)} MiB`);
const PL = results.machine.loadavg_1min_per_phase;
let md = `Measured ${results.date.slice(0, 16).replace('T', ' ')} UTC on ${cpu} (${results.machine.cores} cores), ${results.machine.os}; `
  + `Chromium ${chrome.version} headless, Node ${process.version}, ${results.machine.go}; run at nice ${results.machine.nice}. `
  + `Load average (1 min) at the start and end of each phase: Node ${PL.node.join(' → ')}, Chromium latency ${PL.chromium.join(' → ')}, isolated page ${PL.isolated.join(' → ')}, cold starts ${PL.cold.join(' → ')} (shared machine: spreads are wide).\n`
  + `Model: ${meta.label}; ${meta.macs} multiply-adds per sample (all three experts). Ours: ${results.ours_impl}.\n\n`
  + '| runtime (Chromium) | batch 1, ms | batch 64, ms/sample | cold start, ms | download gzip (wasm + glue + weights) | brotli | raw | peak renderer RSS |\n'
  + '| --- | --- | --- | --- | --- | --- | --- | --- |\n';
for (const id of chromeIds) {
  const c = coldSummary[id] || null;
  md += `| ${RUNTIMES[id].label} | ${spread(L[id].b1_ms)} | ${spread(L[id].b64_ms_per_sample)} | ${c ? f(c.first_prediction_ms.median, 0) : '—'} | `
    + `${c ? `${kb(c.bytes.total.gzip)} (${kb(c.bytes.wasm.gzip)} + ${kb(c.bytes.glue.gzip)} + ${kb(c.bytes.weights.gzip)})` : '—'} | ${c ? kb(c.bytes.total.brotli) : '—'} | ${c ? kb(c.bytes.total.raw) : '—'} | ${c ? mb(c.renderer_peak_rss_kb_median) : '—'} |\n`;
}
const FC = results.b1_first_call_ms, OC = results.b1_other_calls_ms;
md += `\nMedians over ${ROUNDS} interleaved rounds (p25–p75 in brackets); batch 1 = mean of 10 calls per round`
  + ` (of which the first, after the other runtimes' turns, and the mean of the other 9, ms: ours ${f(FC.ours, 3)} / ${f(OC.ours, 3)}, on the main thread ${f(FC['ours-main'], 3)} / ${f(OC['ours-main'], 3)}, ORT ${f(FC.ort, 3)} / ${f(OC.ort, 3)}, tfjs ${f(FC.tfjs, 3)} / ${f(OC.tfjs, 3)}; the first calls timed to 0.1 ms, the resolution of performance.now() on a page that is not cross-origin isolated). Cold start: page navigation to the first prediction (batch 1) in a fresh browser profile, median of ${COLD} runs. `
  + `Bytes: every file the cold page fetched beyond the harness page, compressed here with gzip -9 and brotli q11. Memory: ${results.memory_method}; the harness page alone: ${mb(results.baseline_page.renderer_peak_rss_kb)}.\n\n`;
md += `Cross-origin-isolated page (COOP/COEP; onnxruntime-web's threads need it, this package does not), ${Math.max(3, Math.round(ROUNDS / 2))} interleaved rounds:\n\n| runtime | batch 1, ms | batch 64, ms/sample |\n| --- | --- | --- |\n`;
for (const id of Object.keys(I)) md += `| ${RUNTIMES[id].label} | ${spread(I[id].b1_ms)} | ${spread(I[id].b64_ms_per_sample)} |\n`;
md += '\n| Node ' + process.version + ' | batch 1, ms | batch 64, ms/sample |\n| --- | --- | --- |\n';
for (const id of Object.keys(nodeRes)) {
  const label = id === 'ours' ? 'ours, defaults (float32 kernels on the int8 file, SIMD; main thread: no worker mode in Node)'
    : RUNTIMES[id] ? RUNTIMES[id].label : 'ours, bench/ourwasm (scalar, float32) in a worker_thread';
  md += `| ${label} | ${spread(nodeRes[id].b1_ms)} | ${spread(nodeRes[id].b64_ms_per_sample)} |\n`;
}
const tp = chrome.throughput;
md += `\nOur batch throughput in Chromium (batch of 128 split over module workers, each with its own instance; defaults): ${f(tp.ours.samples_per_s.median, 0)}/s with 1 worker, ${f(tp['ours-workers2'].samples_per_s.median, 0)}/s with 2 (navigator.hardwareConcurrency ${chrome.hardwareConcurrency}).\n\n`;
const R = results.ratios;
md += `Ratios (ours with its defaults, in a worker / other; below 1 is better for us): batch 1 ${R.b1_ours_over_ort}× ORT, ${R.b1_ours_over_tfjs}× tfjs (main thread: ${R.b1_main_over_ort}× ORT); batch 64 ${R.b64_ours_over_ort}× ORT, ${R.b64_ours_over_tfjs}× tfjs; `
  + `cold start ${R.cold_ours_over_ort}× ORT, ${R.cold_ours_over_tfjs}× tfjs; gzip bytes ${R.bytes_gzip_ours_over_ort}× ORT, ${R.bytes_gzip_ours_over_tfjs}× tfjs. `
  + `From each runtime's fastest round instead of the median: batch 1 ${R.b1_min_ours_over_ort}× ORT (main thread ${R.b1_min_main_over_ort}×), ${R.b1_min_ours_over_tfjs}× tfjs; batch 64 ${R.b64_min_ours_over_ort}× ORT, ${R.b64_min_ours_over_tfjs}× tfjs; cold start ${R.cold_min_ours_over_ort}× ORT, ${R.cold_min_ours_over_tfjs}× tfjs. `
  + `SIMD: the scalar binary takes ${R.b1_scalar_over_simd}× the SIMD one's time at batch 1, ${R.b64_scalar_over_simd}× at batch 64. Against ORT with 2 threads (isolated page): batch 1 ${R.b1_ours_over_ort_mt_isolated_page}×, batch 64 ${R.b64_ours_over_ort_mt_isolated_page}×.\n`;
const agree = Object.entries(chrome.max_prob_diff_vs_ours).map(([k, v]) => `${k} ${v.toExponential(1)}`).join(', ');
if (page) {
  const kib = (b) => `${Math.round(b / 1024)} KiB`;
  md += `\nThe lab page (bench/page.mjs, ${page.runs.length} cold loads in fresh contexts, median): first prediction ${page.page_first_prediction_ms} ms after navigation${page.early_answer ? ' (the engine\'s answer for the first demo pair, drawn before the UI runs: ui/web/first.js)' : ''}, after ${kib(page.page_bytes_gzip)} gzip requested before it (${kib(page.page_bytes_raw)} raw): `
    + page.files.filter((x) => x.gzip > 20000).map((x) => `${x.file} ${kib(x.gzip)}`).join(', ') + `, the rest ${kib(page.files.filter((x) => x.gzip <= 20000).reduce((a, x) => a + x.gzip, 0))}. `
    + `The lab's own first prediction (the UI running, the same pair and answer) at ${page.lab_first_prediction_ms} ms (UI wasm running at ${page.ui_start_ms} ms, model ready for it at ${page.model_ready_ms} ms), after ${kib(page.lab_bytes_gzip)} gzip in all.\n`;
}
md += `Outputs agree (max |prob diff| on the batch of 64, against ours with the same weights: the int8 file for ours, the float32 weights for ORT, tfjs and the minimal bridge): ${agree}.\n`;
if (results.profile) {
  const short = (n) => n.replace(/^github\.com_i2m2_wasm_i2m2_/, '').replace(/_go\.shape\.(\w+)_$/, '[$1]');
  md += `\nWhere our time goes (bench/profile.mjs: V8 sampling profiler in Node, ${results.profile.subject || 'bench/ourwasm'}, ${results.profile.kernels || 'scalar'} kernels, batch 1, self time; top 10; ${f(results.profile.float32.ms_per_call)} ms per call on the default path, of which ${f(100 * (results.profile.float32.bridge_share || 0), 1)}% in JavaScript and syscall/js, i.e. the bridge and decoding):\n\n| int8 path | self | float32 path (the default) | self |\n| --- | --- | --- | --- |\n`;
  const a = results.profile.int8.top, b = results.profile.float32.top;
  for (let i = 0; i < 10; i++) md += `| ${a[i] ? short(a[i].name) : ''} | ${a[i] ? (100 * a[i].share).toFixed(1) + '%' : ''} | ${b[i] ? short(b[i].name) : ''} | ${b[i] ? (100 * b[i].share).toFixed(1) + '%' : ''} |\n`;
}

fs.writeFileSync(path.join(ROOT, 'bench/results.json'), JSON.stringify(results, null, 2) + '\n');
fs.writeFileSync(path.join(ROOT, 'bench/results.md'), md);
const readme = path.join(ROOT, 'bench/README.md');
const START = '<!-- section: browser (owner: bench/) -->', END = '<!-- end section: browser -->';
const txt = fs.readFileSync(readme, 'utf8');
const a = txt.indexOf(START), b = txt.indexOf(END);
if (a >= 0 && b > a) {
  const head = '\n## In the browser: ours vs onnxruntime-web vs TensorFlow.js\n\nRun: `./build.sh bench` (scripts/bench-20-browser.sh → bench/run.mjs). Raw figures: bench/results.json.\n\n';
  const keep = txt.slice(a + START.length, b);
  const notesAt = keep.indexOf('<!-- notes -->');
  const notes = notesAt >= 0 ? keep.slice(notesAt) : '';
  fs.writeFileSync(readme, txt.slice(0, a + START.length) + head + md + '\n' + notes + txt.slice(b));
}
console.log(md);
log(`done in ${results.wall_s} s`);
process.exit(0);
