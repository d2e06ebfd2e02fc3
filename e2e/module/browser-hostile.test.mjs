// The checks of page/module-test-hostile.mjs in real Chromium, in worker mode
// (the default) and main-thread mode, and the default model's pinned sha256
// over HTTP: loaded from a folder without manifest.json it verifies; a
// tampered default model is refused. Run by scripts/test-30-wasm.sh.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { serve } from './server.mjs';
import { CHROMIUM, ARGS } from './chromium.mjs';
import { checkOptions } from './hostile-options.mjs';

const DIST = resolve(process.env.I2M2_DIST || new URL('../../dist', import.meta.url).pathname);

let browser, server, page;
const errors = [];
before(async () => {
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  server = await serve(DIST);
  page = await browser.newPage();
  page.on('pageerror', (e) => errors.push('pageerror: ' + e.message));
  await page.goto(server.url + 'module-test-blank.html');
});
after(async () => {
  await browser?.close();
  await server?.close();
});

for (const mode of ['worker', 'main']) {
  test(`integrity matrix, no NaN, input race, hostile corpus, stalls and aborts (Chromium, ${mode})`, async () => {
    const o = { ...(await checkOptions()), base: server.url, options: mode === 'main' ? { worker: false } : {} };
    const failures = await page.evaluate(async (o) => {
      const { load } = await import('/i2m2.mjs');
      const { hostileChecks } = await import('/module-test-hostile.mjs');
      return hostileChecks(load, o);
    }, o);
    assert.deepEqual(failures, []);
    assert.deepEqual(errors, [], 'no uncaught page errors');
  });
}

test("the default model verifies with the pinned sha256 when no manifest is served, and a tampered one is refused", async () => {
  const got = await page.evaluate(async () => {
    const out = {};
    const ok = await (await import('/_nomanifest/i2m2.mjs')).load();
    out.verified = ok.info.verified;
    ok.dispose();
    try {
      (await (await import('/_t/genuine/i2m2.mjs')).load()).dispose();
      out.tampered = 'loaded';
    } catch (e) {
      out.tampered = e.message;
    }
    return out;
  });
  assert.equal(got.verified, true);
  assert.match(got.tampered, /^i2m2: integrity check failed for the model from .*\/_t\/genuine\/weights\/avmnist-tts-int8\.i2m2/);
  assert.ok(server.log.includes('/weights/avmnist-tts-int8.i2m2'));
});
