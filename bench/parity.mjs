// Parity of the ONNX export (onnxruntime-web, wasm backend, one thread) and
// the TensorFlow.js graph (tfjs-backend-wasm) with the Go engine's float32
// Fast path, in Node. The Go side (bench/prep) writes cases.json at test time.
//
//   node bench/parity.mjs DIR [ort|tfjs ...]     (DIR as written by go run ./bench/prep)
//
// Checks, per fixed input, at batch 1 and with every case in one batch:
// the I2M2 probabilities, the intra-only probabilities and each expert's
// softmax, all within TOL of Go's; exits 1 on any mismatch.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { buildTfjsModel } from './web/tfjs-model.mjs';

const TOL = 1e-4; // absolute, on probabilities (the bound)
const require = createRequire(import.meta.url);
const dir = process.argv[2];
if (!dir) {
  console.error('usage: node bench/parity.mjs DIR [ort|tfjs ...]');
  process.exit(2);
}
const which = process.argv.length > 3 ? process.argv.slice(3) : ['ort', 'tfjs'];
const cases = JSON.parse(readFileSync(join(dir, 'cases.json'), 'utf8'));
const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8'));
const k = meta.classes.length;
const graph = JSON.parse(readFileSync(join(dir, 'tfjs.json'), 'utf8'));
const shapes = Object.fromEntries(graph.modalities.map((m) => [m.name, m.shape]));
const names = Object.keys(shapes);

const softmax = (z) => {
  const m = Math.max(...z);
  const e = z.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
};

// batch packs cases[from..to) into one input per modality.
function batch(from, to) {
  const out = {};
  for (const name of names) {
    const len = cases[0].inputs[name].length;
    const x = new Float32Array((to - from) * len);
    for (let i = from; i < to; i++) x.set(cases[i].inputs[name], (i - from) * len);
    out[name] = x;
  }
  return out;
}

let failures = 0;
// check compares one runtime's outputs for cases[from..to) with Go's.
function check(rt, from, to, out) {
  let worst = 0;
  for (let i = from; i < to; i++) {
    const c = cases[i];
    const row = (a) => Array.from(a.subarray((i - from) * k, (i - from + 1) * k));
    const pairs = [
      ['probs', row(out.log_probs).map(Math.exp), c.probs],
      ['intra_probs', row(out.intra_log_probs).map(Math.exp), c.intra_probs],
    ];
    for (const [e, z] of Object.entries(out.logits)) pairs.push([`${e}.probs`, softmax(row(z)), c.expert_probs[e]]);
    for (const [what, got, want] of pairs) {
      for (let j = 0; j < k; j++) {
        const d = Math.abs(got[j] - want[j]);
        worst = Math.max(worst, d);
        if (!(d <= TOL)) {
          failures++;
          console.error(`FAIL ${rt} batch ${to - from} case ${i} ${what}[${j}] = ${got[j]}, Go ${want[j]} (|diff| ${d})`);
        }
      }
    }
    const label = row(out.log_probs).reduce((b, v, j, a) => (v > a[b] ? j : b), 0);
    if (label !== c.label) {
      failures++;
      console.error(`FAIL ${rt} case ${i}: label ${label}, Go ${c.label}`);
    }
  }
  return worst;
}

async function runBoth(rt, predict) {
  let worst = 0;
  for (let i = 0; i < cases.length; i++) worst = Math.max(worst, check(rt, i, i + 1, await predict(batch(i, i + 1), 1)));
  worst = Math.max(worst, check(rt, 0, cases.length, await predict(batch(0, cases.length), cases.length)));
  console.log(`${rt}: ${cases.length} cases at batch 1 and batch ${cases.length}: max |prob diff| vs Go float32 = ${worst.toExponential(2)} (tolerance ${TOL})`);
}

if (which.includes('ort')) {
  const ort = await import('onnxruntime-web');
  ort.env.wasm.numThreads = 1;
  const session = await ort.InferenceSession.create(readFileSync(join(dir, 'model.onnx')), { executionProviders: ['wasm'] });
  const want = ['log_probs', 'intra_log_probs', ...session.outputNames.filter((n) => n.startsWith('logits_'))];
  for (const n of want) if (!session.outputNames.includes(n)) { failures++; console.error(`FAIL ort: no output ${n}`); }
  await runBoth('onnxruntime-web', async (x, n) => {
    const feeds = {};
    for (const name of names) feeds[name] = new ort.Tensor('float32', x[name], [n, ...shapes[name]]);
    const r = await session.run(feeds);
    const logits = {};
    for (const name of session.outputNames) if (name.startsWith('logits_')) logits[name.slice(7)] = r[name].data;
    return { log_probs: r.log_probs.data, intra_log_probs: r.intra_log_probs.data, logits };
  });
  await session.release();
}

if (which.includes('tfjs')) {
  const tf = await import('@tensorflow/tfjs-core');
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  wasm.setWasmPaths(join(require.resolve('@tensorflow/tfjs-backend-wasm'), '..') + '/');
  await tf.setBackend('wasm');
  await tf.ready();
  const bin = readFileSync(join(dir, 'tfjs.bin'));
  const m = buildTfjsModel(tf, graph, bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength));
  await runBoth(`tfjs-backend-wasm (${tf.getBackend()})`, (x, n) => m.predict(x, n));
  m.dispose();
}

if (failures) {
  console.error(`parity: ${failures} mismatches`);
  process.exit(1);
}
console.log(`parity: OK (${meta.label})`);
