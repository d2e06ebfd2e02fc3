// The worker protocol (wasm/i2m2.protocol.mjs) over a real MessageChannel in
// one thread: WorkerBackend on one port, serveWorker and the built engine on
// the other, the Model facade in front. Results must equal the main-thread
// engine's bit for bit; a well-formed sample must travel as one ArrayBuffer
// each way, everything else as the object messages, with the same errors.
// Run by scripts/test-30-wasm.sh against I2M2_DIST.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const DIST = resolve(process.env.I2M2_DIST || new URL('../../dist', import.meta.url).pathname);
const mod = (f) => import(pathToFileURL(join(DIST, f)).href);
const { load } = await mod('i2m2.mjs'); // also loads wasm_exec.js (globalThis.Go)
const { WorkerBackend, serveWorker } = await mod('i2m2.protocol.mjs');
const { Model } = await mod('i2m2.model.mjs');
const G = JSON.parse(await readFile(join(DIST, 'module-test-golden.json'), 'utf8'));
const INT8 = G.models.find((m) => m.file.includes('int8'));
const W = join(DIST, 'weights', INT8.file);
const samples = G.samples.map((s) => {
  const x = {};
  if (s.image) x.image = new Float32Array(s.image);
  if (s.audio) x.audio = new Float32Array(s.audio);
  return x;
});

// plain turns a result into plain arrays and values, to compare two results exactly.
const plain = (v) => (v instanceof Float32Array ? Array.from(v) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)])) : v);

let ref; // the same model on this thread (LocalBackend)
let model; // over the channel
let be;
const sent = []; // per message to the "worker": 'buffer' or its op
const got = []; // per message back: 'buffer' or 'object'
before(async () => {
  ref = await load({ model: W, integrity: false });
  const { port1, port2 } = new MessageChannel();
  serveWorker(port2);
  port1.terminate = () => port1.close();
  const post = port1.postMessage.bind(port1);
  port1.postMessage = (m, t) => {
    sent.push(m instanceof ArrayBuffer ? 'buffer' : m.op);
    post(m, t);
  };
  be = new WorkerBackend([port1]);
  const onmessage = port1.onmessage;
  port1.onmessage = (ev) => {
    got.push(ev.data instanceof ArrayBuffer ? 'buffer' : 'object');
    onmessage(ev);
  };
  const wasm = await WebAssembly.compile(await readFile(join(DIST, 'i2m2.simd.wasm')));
  const bytes = new Uint8Array(await readFile(W));
  const info = JSON.parse(await be.call(0, 'init', [wasm, bytes, undefined, null], [bytes.buffer]));
  model = new Model(be, Object.freeze(info));
});
after(() => {
  ref.dispose();
  model.dispose();
});

test('a sample goes as one buffer each way; results equal the main thread', async () => {
  sent.length = got.length = 0;
  for (let i = 0; i < samples.length; i++) {
    assert.deepEqual(plain(await model.predict(samples[i])), plain(await ref.predict(samples[i])), `sample ${i}`);
  }
  assert.ok(samples.some((s) => !s.image || !s.audio), 'the golden has samples with a missing modality');
  assert.deepEqual(sent, samples.map(() => 'buffer'));
  assert.deepEqual(got, samples.map(() => 'buffer'));
  // A view into a larger buffer, and null for a missing modality.
  const big = new Float32Array(784 * 3);
  big.set(samples[0].image, 784);
  const x = { image: big.subarray(784, 1568), audio: null };
  assert.deepEqual(plain(await model.predict(x)), plain(await ref.predict(x)));
});

test('what the synchronous path declines comes back as an object with the same error', async () => {
  const nan = new Float32Array(784);
  nan[5] = NaN;
  for (const [what, x, how] of [
    ['NaN (packed, declined by the engine)', { image: nan }, ['buffer', 'object']],
    ['a wrong length (not packed)', { image: new Float32Array(3) }, ['predict', 'object']],
    ['an unknown modality (not packed)', { image: samples[0].image, video: new Float32Array(1) }, ['predict', 'object']],
  ]) {
    sent.length = got.length = 0;
    const want = await ref.predict(x).then(() => null, (e) => e.message);
    assert.ok(want, `${what}: the main thread rejects it`);
    await assert.rejects(model.predict(x), (e) => e.message === want, what);
    assert.deepEqual([sent[0], got[0]], how, what);
  }
  const getter = { get image() { throw new Error('boom'); } };
  await assert.rejects(model.predict(getter), /reading modality "image" threw: boom/);
  assert.deepEqual(plain(await model.predict(samples[0])), plain(await ref.predict(samples[0])), 'after the errors');
});

test('call ids wrap at 2^31 - 1 (a packed message carries its id as an int32)', async () => {
  be.next = 0x7fffffff;
  const [a, b] = await Promise.all([model.predict(samples[0]), model.predict(samples[1])]);
  assert.equal(be.next, 2);
  assert.deepEqual(plain(a), plain(await ref.predict(samples[0])));
  assert.deepEqual(plain(b), plain(await ref.predict(samples[1])));
});
