// Measures the module (not a test; no thresholds): wasm size raw and gzip,
// time from load() to the first prediction, and per-sample latency in the
// worker vs on the main thread, in Chromium and Node. Needs a built dist/
// (./build.sh build); writes the golden inputs if missing.
//   node e2e/module/measure.mjs [runs]
import { readFile, readdir, access } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { serve } from './server.mjs';
import { CHROMIUM, ARGS } from './chromium.mjs';

const ROOT = new URL('../../', import.meta.url).pathname;
const DIST = resolve(process.env.I2M2_DIST || join(ROOT, 'dist'));
const RUNS = Number(process.argv[2] || 3);
const median = (a) => a.slice().sort((x, y) => x - y)[a.length >> 1];
const kb = (n) => `${(n / 1024).toFixed(0)} KiB`;

try {
  await access(join(DIST, 'module-test-golden.js'));
} catch {
  execFileSync('go', ['run', './e2e/module/golden', '-weights', join(DIST, 'weights'), '-demo', 'weights/demo', '-o', join(DIST, 'module-test-golden')], { cwd: ROOT, stdio: 'inherit' });
}

console.log('## Sizes');
const files = ['i2m2.wasm', 'i2m2.simd.wasm', 'i2m2.classic.js', ...(await readdir(DIST)).filter((f) => /^i2m2\.[a-z]+\.mjs$/.test(f)), 'wasm_exec.js', 'weights/avmnist-tts-int8.i2m2', 'weights/avmnist-tts-f32.i2m2'];
files.push(...(await readdir(DIST)).filter((f) => f.endsWith('.tgz')));
console.log('| file | raw | gzip -9 |\n| --- | --- | --- |');
for (const f of files) {
  const b = await readFile(join(DIST, f)).catch(() => null);
  if (b) console.log(`| ${f} | ${b.length} B (${kb(b.length)}) | ${gzipSync(b, { level: 9 }).length} B (${kb(gzipSync(b, { level: 9 }).length)}) |`);
}

const G = JSON.parse(await readFile(join(DIST, 'module-test-golden.json'), 'utf8'));
const sample = { image: new Float32Array(G.samples[0].image), audio: new Float32Array(G.samples[0].audio) };

console.log(`\n## Node ${process.version} (main thread), ${RUNS} runs`);
const { load } = await import(pathToFileURL(join(DIST, 'i2m2.mjs')).href);
{
  const first = [];
  const per = [];
  for (let r = 0; r < RUNS; r++) {
    const t0 = performance.now();
    const m = await load({ model: join(DIST, 'weights', 'avmnist-tts-int8.i2m2') });
    await m.predict(sample);
    first.push(performance.now() - t0);
    const ts = [];
    for (let i = 0; i < 100; i++) {
      const t = performance.now();
      await m.predict(sample);
      ts.push(performance.now() - t);
    }
    per.push(median(ts));
    m.dispose();
  }
  console.log(`load() -> first prediction: median ${median(first).toFixed(0)} ms; per sample (median of 100): ${median(per).toFixed(2)} ms`);
}

console.log(`\n## Chromium (${CHROMIUM}), fresh context per run, ${RUNS} runs, medians; model ${G.models[0].file}`);
const server = await serve(DIST);
const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
// testPage opens a module test page in a fresh context (no cache) and waits for its report.
async function testPage(url) {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await page.goto(url);
  await page.waitForFunction(() => globalThis.__i2m2test !== undefined, null, { timeout: 120000 });
  return { ctx, page, rep: await page.evaluate(() => globalThis.__i2m2test) };
}
const modes = [
  ['worker (default)', server.url + 'module-test.html?bench=1'],
  ['main thread', server.url + 'module-test.html?bench=1&worker=0'],
  ['workers: 2', server.url + 'module-test.html?bench=1&workers=2'],
  ['file:// classic (main thread)', 'file://' + join(DIST, 'module-test-file.html')],
];
console.log('| mode | load() -> first prediction | per sample, batch 1 (median of 200; 20 for file://) | predictBatch(64), per sample |\n| --- | --- | --- | --- |');
for (const [name, url] of modes) {
  const first = [];
  const per = [];
  const batch = [];
  for (let r = 0; r < RUNS; r++) {
    const { ctx, rep } = await testPage(url);
    if (!rep.ok) throw new Error(`${name}: ${JSON.stringify(rep.failures || rep.loadError)}`);
    first.push(rep.timings.loadToFirstMs);
    per.push(rep.timings.perSampleMs);
    batch.push(rep.timings.batch64PerSampleMs);
    await ctx.close();
  }
  console.log(`| ${name} | ${median(first).toFixed(0)} ms | ${median(per).toFixed(2)} ms | ${median(batch).toFixed(2)} ms |`);
}

// Where the cold start goes (main thread, fresh context): fetch+compile of the
// wasm, Go start-up, model load (read + validate), first prediction.
console.log('\n## Chromium, cold-start breakdown (main thread, raw engine), medians');
{
  const rows = [];
  for (let r = 0; r < RUNS; r++) {
    await (await testPage(server.url + 'module-test.html?worker=0')).ctx.close(); // warms the HTTP server
    const ctx2 = await browser.newContext();
    const p2 = await ctx2.newPage();
    await p2.goto(server.url + 'module-test-golden.js'); // same origin, nothing loaded yet
    rows.push(await p2.evaluate(async () => {
      const t0 = performance.now();
      await import('./wasm_exec.js');
      const { startEngine } = await import('./i2m2.engine.mjs');
      const mod = await WebAssembly.compileStreaming(fetch('./i2m2.wasm'));
      const t1 = performance.now();
      const eng = await startEngine(mod);
      const t2 = performance.now();
      const bytes = new Uint8Array(await (await fetch('./weights/avmnist-tts-int8.i2m2')).arrayBuffer());
      await eng.call('load', bytes);
      const t3 = performance.now();
      await eng.call('predict', { image: new Float32Array(784), audio: new Float32Array(1600) });
      const t4 = performance.now();
      return [t1 - t0, t2 - t1, t3 - t2, t4 - t3];
    }));
    await ctx2.close();
  }
  const col = (i) => median(rows.map((x) => x[i])).toFixed(0);
  console.log(`fetch + compile wasm ${col(0)} ms, Go start ${col(1)} ms, fetch + read model ${col(2)} ms, first prediction ${col(3)} ms`);
}

// Side by side in one page: a worker model and a main-thread model, called
// alternately, so that the machine's load drifts equally over both.
console.log('\n## Chromium, side by side in one page (alternating calls, 300 each), per-sample latency');
for (let r = 0; r < RUNS; r++) {
  const { ctx, page } = await testPage(server.url + 'module-test.html?worker=0');
  const res = await page.evaluate(async () => {
    const { load } = await import('./i2m2.mjs');
    const G = globalThis.I2M2_GOLDEN;
    const x = { image: new Float32Array(G.samples[0].image), audio: new Float32Array(G.samples[0].audio) };
    const w = await load({ worker: true });
    const m = await load({ worker: false });
    const tw = [];
    const tm = [];
    for (let i = 0; i < 20; i++) { await w.predict(x); await m.predict(x); } // warm-up
    for (let i = 0; i < 300; i++) {
      let t = performance.now();
      await w.predict(x);
      tw.push(performance.now() - t);
      t = performance.now();
      await m.predict(x);
      tm.push(performance.now() - t);
    }
    const med = (a) => a.slice().sort((p, q) => p - q)[a.length >> 1];
    const p10 = (a) => a.slice().sort((p, q) => p - q)[Math.floor(a.length / 10)];
    w.dispose();
    m.dispose();
    return { worker: [med(tw), p10(tw)], main: [med(tm), p10(tm)] };
  });
  console.log(`run ${r + 1}: worker median ${res.worker[0].toFixed(2)} ms (p10 ${res.worker[1].toFixed(2)}), main thread median ${res.main[0].toFixed(2)} ms (p10 ${res.main[1].toFixed(2)}); main/worker ${(res.main[0] / res.worker[0]).toFixed(2)}`);
  await ctx.close();
}
await browser.close();
await server.close();
