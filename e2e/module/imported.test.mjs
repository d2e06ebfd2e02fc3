// A model imported from PyTorch (scripts/test-45-import.sh: `i2m2 import-onnx`
// on onnx/testdata/import, made by scripts/onnx-fixtures/make.py) in the JS
// module, in Node and in real Chromium (worker mode): it loads from bytes as
// "not verified" (no sha256, no manifest entry), describes its experts, and its
// log-probabilities match PyTorch's (1e-4 for float32 weights; the int8 file
// within the int8 bound on probabilities, as onnx/import_test.go).
// I2M2_DIST: the built module; I2M2_IMPORTED: a folder with imported-f32.i2m2,
// imported-int8.i2m2 and avmnist.json (PyTorch's reference).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { serve } from './server.mjs';
import { CHROMIUM, ARGS } from './chromium.mjs';

const DIST = resolve(process.env.I2M2_DIST || new URL('../../dist', import.meta.url).pathname);
const DIR = process.env.I2M2_IMPORTED;
if (!DIR) throw new Error('I2M2_IMPORTED not set (scripts/test-45-import.sh runs this test)');
const { load } = await import(pathToFileURL(join(DIST, 'i2m2.mjs')).href);
const REF = JSON.parse(await readFile(join(DIR, 'avmnist.json'), 'utf8'));
const TOL_F32 = 1e-4;
const TOL_INT8_PROBS = 3e-2;

function inputs(s) {
  return { image: new Float32Array(s.inputs.image), audio: new Float32Array(s.inputs.audio) };
}

// compare checks one prediction (plain arrays) against PyTorch's sample.
function compare(r, s, int8, what) {
  const pairs = [['product', r.logProbs, s.product], ['intra-only', r.intraOnly.logProbs, s.intra_only]];
  for (const [name, want] of Object.entries(s.experts)) pairs.push([name, r.experts[name].logProbs, want]);
  let worst = 0;
  for (const [name, got, want] of pairs) {
    assert.equal(got.length, want.length, `${what} ${name}`);
    for (let i = 0; i < want.length; i++) {
      const d = int8 ? Math.abs(Math.exp(got[i]) - Math.exp(want[i])) : Math.abs(got[i] - want[i]);
      worst = Math.max(worst, d);
      assert.ok(d <= (int8 ? TOL_INT8_PROBS : TOL_F32), `${what} ${name}[${i}]: ${got[i]} vs PyTorch ${want[i]}`);
    }
  }
  return worst;
}

function describes(info, quantization) {
  assert.equal(info.verified, false, 'bytes loaded with integrity: false: not verified');
  assert.deepEqual(info.experts.map((e) => [e.name, e.intra]), [['image', true], ['audio', true], ['inter', false]]);
  assert.deepEqual(info.modalities, REF.modalities);
  assert.deepEqual(info.classes, REF.classes);
  assert.equal(info.quantization, quantization);
  assert.match(info.provenance.data, /imported from ONNX/);
}

for (const [file, q] of [['imported-f32.i2m2', 'float32'], ['imported-int8.i2m2', 'int8']]) {
  test(`Node: ${file} loads from bytes and matches PyTorch`, async () => {
    const bytes = await readFile(join(DIR, file));
    const model = await load({ model: bytes, integrity: false }); // the caller's own file: nothing to verify it against
    try {
      describes(model.info, q);
      let worst = 0;
      for (const [i, s] of REF.samples.entries()) {
        worst = Math.max(worst, compare(await model.predict(inputs(s)), s, q === 'int8', `sample ${i}`));
      }
      console.log(`# Node ${file}: max |${q === 'int8' ? 'prob' : 'log-prob'} - PyTorch| = ${worst.toExponential(2)}`);
    } finally {
      model.dispose();
    }
  });
}

let browser, server;
before(async () => {
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  // The stage copies the imported files into DIST/imported/; an empty page
  // there gives the test its origin.
  await writeFile(join(DIST, 'imported', 'index.html'), '<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>imported</title>');
  server = await serve(DIST);
});
after(async () => {
  await browser?.close();
  await server?.close();
});

test('Chromium (worker mode): the imported model loads from bytes and matches PyTorch', async () => {
  const page = await browser.newPage();
  const errors = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push('pageerror: ' + e.message));
  try {
    await page.goto(server.url + 'imported/');
    const out = await page.evaluate(async (samples) => {
      const { load } = await import('/i2m2.mjs');
      const bytes = new Uint8Array(await (await fetch('/imported/imported-f32.i2m2')).arrayBuffer());
      const model = await load({ model: bytes, integrity: false }); // the caller's own file: nothing to verify it against
      const results = [];
      for (const s of samples) {
        const r = await model.predict({ image: new Float32Array(s.inputs.image), audio: new Float32Array(s.inputs.audio) });
        const plain = (d) => ({ logProbs: Array.from(d.logProbs) });
        results.push({ ...plain(r), intraOnly: plain(r.intraOnly),
          experts: Object.fromEntries(Object.entries(r.experts).map(([k, v]) => [k, plain(v)])) });
      }
      const info = { ...model.info };
      model.dispose();
      return { info, results };
    }, REF.samples);
    assert.equal(out.info.mode, 'worker');
    describes(out.info, 'float32');
    let worst = 0;
    for (const [i, s] of REF.samples.entries()) worst = Math.max(worst, compare(out.results[i], s, false, `sample ${i}`));
    console.log(`# Chromium imported-f32.i2m2: max |log-prob - PyTorch| = ${worst.toExponential(2)}`);
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
  }
});
