// Module tests in real Chromium (Debian's /usr/bin/chromium through
// playwright-core): worker mode, main-thread mode, workers: 2, the Cache API,
// the file:// classic build, a page served with
// Content-Security-Policy: script-src 'self' 'wasm-unsafe-eval', and wrong wasm
// URLs. Every page must log no console error. Run by scripts/test-30-wasm.sh
// after the golden (dist/module-test-golden.js) is written.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { chromium } from 'playwright-core';
import { serve, CSP } from './server.mjs';
import { CHROMIUM, ARGS } from './chromium.mjs';

const DIST = resolve(process.env.I2M2_DIST || new URL('../../dist', import.meta.url).pathname);

let browser, plain, strict, profile, ctx;
before(async () => {
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  plain = await serve(DIST);
  strict = await serve(DIST, { csp: true });
  profile = await mkdtemp(join(tmpdir(), 'i2m2-chromium-'));
  // A persistent context for the Cache API test (caches survive a reload).
  ctx = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: ARGS });
});
after(async () => {
  await ctx?.close();
  await browser?.close();
  await plain?.close();
  await strict?.close();
  if (profile) await rm(profile, { recursive: true, force: true });
});

// open loads url in a fresh page, waits for the page's report and returns it
// with every console error and uncaught exception (of the page and its workers).
async function open(url, { context } = {}) {
  const page = await (context || browser).newPage();
  const errors = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push('pageerror: ' + e.message));
  page.on('worker', (w) => {
    if (typeof w.on === 'function') w.on('console', (m) => m.type() === 'error' && errors.push('worker: ' + m.text()));
  });
  try {
    await page.goto(url);
    await page.waitForFunction(() => globalThis.__i2m2test !== undefined, null, { timeout: 60000 });
    const report = await page.evaluate(() => globalThis.__i2m2test);
    return { report, errors, page };
  } catch (e) {
    await page.close();
    throw e;
  }
}

// kernels: Chromium validates WebAssembly SIMD, so the default binary is
// i2m2.simd.wasm; a page naming i2m2.wasm gets the scalar kernels.
function passes({ report, errors }, mode, workers, kernels = 'simd') {
  assert.deepEqual(report.failures, [], 'page checks');
  assert.equal(report.loadError, undefined);
  assert.equal(report.info.mode, mode);
  assert.equal(report.info.workers, workers);
  assert.equal(report.info.kernels, kernels);
  assert.equal(report.info.verified, true);
  assert.deepEqual(errors, [], 'no console errors');
  assert.ok(report.ok);
}

test('worker mode (the default): exact golden results, batch, features, errors', async () => {
  const r = await open(plain.url + 'module-test.html');
  passes(r, 'worker', 1);
  console.log(`# chromium worker: load->first ${r.report.timings.loadToFirstMs.toFixed(0)} ms, per sample ${r.report.timings.perSampleMs.toFixed(2)} ms`);
  await r.page.close();
});

test('main-thread mode (worker: false)', async () => {
  const r = await open(plain.url + 'module-test.html?worker=0');
  passes(r, 'main', 0);
  console.log(`# chromium main: load->first ${r.report.timings.loadToFirstMs.toFixed(0)} ms, per sample ${r.report.timings.perSampleMs.toFixed(2)} ms`);
  await r.page.close();
});

test('the scalar binary (i2m2.wasm) in a worker and on the main thread: the same exact golden results', async () => {
  for (const [q, mode, n] of [['', 'worker', 1], ['&worker=0', 'main', 0]]) {
    const r = await open(plain.url + 'module-test.html?wasm=i2m2.wasm' + q);
    passes(r, mode, n, 'scalar');
    await r.page.close();
  }
});

test('workers: 2 spreads predictBatch over two instances', async () => {
  const r = await open(plain.url + 'module-test.html?workers=2');
  passes(r, 'worker', 2);
  await r.page.close();
});

test('the Cache API keeps the model, keyed by its sha256', async () => {
  const first = await open(plain.url + 'module-test.html?cache=1', { context: ctx });
  passes(first, 'worker', 1);
  assert.equal(first.report.info.cached, false);
  await first.page.close();
  const second = await open(plain.url + 'module-test.html?cache=1', { context: ctx });
  passes(second, 'worker', 1);
  assert.equal(second.report.info.cached, true, 'second load from the cache');
  await second.page.close();
});

test(`under Content-Security-Policy: ${CSP}`, async () => {
  for (const q of ['', '?worker=0']) {
    const r = await open(strict.url + 'module-test.html' + q);
    passes(r, q ? 'main' : 'worker', q ? 0 : 1);
    // The policy is in force: an inline script is refused.
    const blocked = await r.page.evaluate(() => new Promise((res) => {
      document.addEventListener('securitypolicyviolation', (e) => res(e.violatedDirective), { once: true });
      const s = document.createElement('script');
      s.textContent = 'globalThis.inlineRan = true';
      document.head.append(s);
      setTimeout(() => res(globalThis.inlineRan ? 'ran' : 'no event'), 2000);
    }));
    assert.match(blocked, /^script-src/);
    await r.page.close();
  }
});

test('file:// : the page opened from disk uses the classic build; served, the same page uses the module', async () => {
  const served = await open(strict.url + 'module-test-file.html');
  passes(served, 'worker', 1);
  assert.equal(await served.page.evaluate(() => globalThis.I2M2), undefined, 'served: the classic build is not loaded');
  await served.page.close();
  const r = await open('file://' + join(DIST, 'module-test-file.html'));
  passes(r, 'main', 0);
  assert.equal(await r.page.evaluate(() => location.protocol), 'file:');
  assert.equal(await r.page.evaluate(() => globalThis.I2M2.classic), true);
  console.log(`# chromium file:// classic: load->first ${r.report.timings.loadToFirstMs.toFixed(0)} ms, per sample ${r.report.timings.perSampleMs.toFixed(2)} ms`);
  await r.page.close();
});

test('a wrong wasm URL rejects load() with an Error naming the URL', async () => {
  const cases = [
    ['nope.wasm', /^i2m2: fetching the wasm from http:\/\/127\.0\.0\.1:\d+\/nope\.wasm failed: HTTP 404/, /404/],
    ['module-test.html', /^i2m2: http:\/\/127\.0\.0\.1:\d+\/module-test\.html \(served as "text\/html"\) is not WebAssembly \(no \\0asm magic; it starts with "<!doctype html>/, null],
    ['_html404/i2m2.wasm', /fetching the wasm from http:\/\/127\.0\.0\.1:\d+\/_html404\/i2m2\.wasm failed: HTTP 404/, /404/],
    ['_octet/i2m2.wasm', null, null], // wrong content type but real wasm: falls back and works
  ];
  for (const [wasm, re, allowed] of cases) {
    const r = await open(plain.url + 'module-test.html?wasm=' + encodeURIComponent(wasm));
    if (!re) {
      passes(r, 'worker', 1, 'scalar'); // the URL names the scalar binary
    } else {
      assert.match(r.report.loadError || '', re, wasm);
      assert.equal(r.report.loadErrorIsError, true);
      // The only console error allowed is the browser's own note about the failed request.
      for (const e of r.errors) assert.match(e, allowed || /^$/, `unexpected console error for ${wasm}: ${e}`);
    }
    await r.page.close();
  }
});

test('a worker that cannot start rejects load() (no hang)', async () => {
  const r = await open(plain.url + '_noworker/module-test.html');
  assert.match(r.report.loadError || '', /^i2m2: the worker failed/);
  for (const e of r.errors) assert.match(e, /404|i2m2\.worker\.mjs/, `unexpected console error: ${e}`);
  await r.page.close();
});
