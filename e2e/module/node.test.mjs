// Module tests in Node (node:test): the built dist/ (I2M2_DIST) against the
// native Go engine's golden (module-test-golden.json, written by
// e2e/module/golden at test time). Run by scripts/test-30-wasm.sh.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile, mkdtemp, copyFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { pathToFileURL } from 'node:url';
import { gzipSync, gunzipSync } from 'node:zlib';
import { serve } from './server.mjs';

const DIST = resolve(process.env.I2M2_DIST || new URL('../../dist', import.meta.url).pathname);
const { load } = await import(pathToFileURL(join(DIST, 'i2m2.mjs')).href);
const { startEngine } = await import(pathToFileURL(join(DIST, 'i2m2.engine.mjs')).href);
const G = JSON.parse(await readFile(join(DIST, 'module-test-golden.json'), 'utf8'));
const W = (f) => join(DIST, 'weights', f);
// Both models run on the default (float32) kernels; tell them apart by file.
const INT8 = G.models.find((m) => m.file.includes('int8'));
const F32 = G.models.find((m) => !m.file.includes('int8'));

function inputs(s) {
  const x = {};
  if (s.image) x.image = new Float32Array(s.image);
  if (s.audio) x.audio = new Float32Array(s.audio);
  return x;
}
const samples = G.samples.map(inputs);

// f32 compares float32 arrays bit for bit with the golden's JSON numbers.
function f32(got, want, what) {
  assert.ok(got instanceof Float32Array, `${what}: not a Float32Array`);
  assert.deepEqual(Array.from(got), want.map(Math.fround), what);
}

function sameResult(r, g, what) {
  assert.equal(r.label, g.label, `${what} label`);
  f32(r.probs, g.probs, `${what} probs`);
  f32(r.logProbs, g.logProbs, `${what} logProbs`);
  assert.deepEqual(r.used, g.used, `${what} used`);
  if (g.intraOnly === null) assert.equal(r.intraOnly, null, `${what} intraOnly`);
  else {
    assert.equal(r.intraOnly.label, g.intraOnly.label);
    f32(r.intraOnly.probs, g.intraOnly.probs, `${what} intraOnly.probs`);
    f32(r.intraOnly.logProbs, g.intraOnly.logProbs, `${what} intraOnly.logProbs`);
  }
  assert.deepEqual(Object.keys(r.experts).sort(), Object.keys(g.experts).sort());
  for (const [name, e] of Object.entries(g.experts)) {
    const x = r.experts[name];
    assert.equal(x.used, e.used, `${what} ${name}.used`);
    assert.equal(x.label, e.label, `${what} ${name}.label`);
    if (e.used) {
      f32(x.probs, e.probs, `${what} ${name}.probs`);
      f32(x.logProbs, e.logProbs, `${what} ${name}.logProbs`);
      f32(x.logits, e.logits, `${what} ${name}.logits`);
    } else {
      assert.equal(x.probs, null);
    }
  }
}

let model;
let server;
before(async () => {
  model = await load({ model: W(INT8.file) });
  server = await serve(DIST);
});
after(async () => {
  model.dispose();
  await server.close();
});

test('info describes the model', () => {
  const i = model.info;
  assert.deepEqual(i.modalities, [{ name: 'image', shape: [1, 28, 28] }, { name: 'audio', shape: [1, 40, 40] }]);
  assert.deepEqual(i.classes, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
  assert.deepEqual(i.experts.map((e) => [e.name, e.intra]), [['image', true], ['audio', true], ['inter', false]]);
  assert.equal(i.quantization, 'int8');
  assert.equal(i.path, 'float32', 'the default path is the float32 kernels (model.DefaultPath), also for int8 files');
  assert.equal(i.sha256, INT8.sha256);
  assert.equal(i.verified, true, 'the manifest next to the model gives the expected sha256');
  assert.equal(i.mode, 'main', 'Node has no Web Workers: main thread by default');
  assert.ok(i.macs > 1e6 && i.bytes > 1000);
});

for (const gm of G.models) {
  test(`predict equals the native Go engine exactly: ${gm.file} (${gm.path}), ${G.source} samples`, async () => {
    const m = gm === INT8 ? model : await load({ model: W(gm.file) });
    try {
      assert.equal(m.info.path, gm.path);
      for (let i = 0; i < samples.length; i++) sameResult(await m.predict(samples[i]), gm.results[i], `sample ${i}`);
    } finally {
      if (m !== model) m.dispose();
    }
  });
}

test('kernels: SIMD where the engine validates it, and the scalar binary gives the same exact results', async () => {
  assert.equal(model.info.kernels, 'simd', "Node 20's V8 has WebAssembly SIMD: the default is i2m2.simd.wasm");
  const scalar = await load({ model: W(INT8.file), wasm: join(DIST, 'i2m2.wasm') });
  try {
    assert.equal(scalar.info.kernels, 'scalar');
    for (let i = 0; i < samples.length; i++) sameResult(await scalar.predict(samples[i]), INT8.results[i], `scalar sample ${i}`);
    // The int8 kernels have SIMD bodies too: both binaries agree exactly on that path.
    const [a, b] = await Promise.all([load({ model: W(INT8.file), path: 'int8' }), load({ model: W(INT8.file), path: 'int8', wasm: join(DIST, 'i2m2.wasm') })]);
    try {
      assert.deepEqual([a.info.kernels, b.info.kernels], ['simd', 'scalar']);
      for (let i = 0; i < samples.length; i++) {
        const [ra, rb] = [await a.predict(samples[i]), await b.predict(samples[i])];
        assert.deepEqual(Array.from(ra.logProbs), Array.from(rb.logProbs), `int8 path sample ${i}`);
      }
    } finally {
      a.dispose();
      b.dispose();
    }
  } finally {
    scalar.dispose();
  }
});

test('an engine without WebAssembly SIMD gets the scalar binary (the probe fails, load() still works)', async () => {
  // A Node whose WebAssembly.validate rejects everything stands in for an
  // engine without SIMD (V8 has no switch to turn SIMD off).
  const script = `WebAssembly.validate = () => false;
    const { load } = await import(${JSON.stringify(pathToFileURL(join(DIST, 'i2m2.mjs')).href)});
    const m = await load();
    const s = ${JSON.stringify(G.samples[0])};
    const r = await m.predict(Object.fromEntries(Object.entries(s).filter(([, v]) => v).map(([k, v]) => [k, new Float32Array(v)])));
    console.log(JSON.stringify({ kernels: m.info.kernels, label: r.label }));
    m.dispose();`;
  const { execFile } = await import('node:child_process');
  const out = await new Promise((res, rej) => execFile(process.execPath, ['--input-type=module', '-e', script], (e, so, se) => (e ? rej(new Error(se || e.message)) : res(so))));
  assert.deepEqual(JSON.parse(out.trim().split('\n').pop()), { kernels: 'scalar', label: INT8.results[0].label });
});

test("load() with no options: the default model next to the module, checked against the build's pinned sha256", async () => {
  const m = await load();
  try {
    assert.equal(m.info.sha256, INT8.sha256);
    assert.equal(m.info.verified, true);
    sameResult(await m.predict(samples[0]), INT8.results[0], 'default');
  } finally {
    m.dispose();
  }
});

test('a missing modality drops the experts that need it', async () => {
  const r = await model.predict({ image: samples[0].image });
  assert.deepEqual(r.used, ['image']);
  assert.equal(r.experts.inter.used, false);
  assert.equal(r.experts.inter.label, -1);
  const r2 = await model.predict({ image: null, audio: samples[0].audio });
  assert.deepEqual(r2.used, ['audio']);
});

test('predictBatch equals one-by-one (array and packed forms)', async () => {
  const one = [];
  for (const s of samples) one.push(await model.predict(s));
  const batch = await model.predictBatch(samples);
  assert.equal(batch.length, samples.length);
  batch.forEach((r, i) => sameResult(r, INT8.results[i], `batch ${i}`));
  batch.forEach((r, i) => assert.deepEqual(Array.from(r.probs), Array.from(one[i].probs)));
  const full = samples.filter((s) => s.image && s.audio);
  const packed = {
    image: new Float32Array(full.flatMap((s) => Array.from(s.image))),
    audio: new Float32Array(full.flatMap((s) => Array.from(s.audio))),
  };
  const pb = await model.predictBatch(packed);
  assert.equal(pb.length, full.length);
  pb.forEach((r, i) => sameResult(r, INT8.results[i], `packed ${i}`));
  assert.deepEqual(await model.predictBatch([]), []);
});

test('a batch lets the event loop run between samples', async () => {
  let ticks = 0;
  const t = setInterval(() => ticks++, 0);
  const rs = await model.predictBatch(samples);
  clearInterval(t);
  assert.equal(rs.length, samples.length);
  assert.ok(ticks > 0, `timers ran ${ticks} times during a batch of ${samples.length}`);
});

test('concurrent calls all resolve with their own result', async () => {
  const rs = await Promise.all(samples.map((s) => model.predict(s)));
  rs.forEach((r, i) => sameResult(r, INT8.results[i], `concurrent ${i}`));
});

test('features equal the native Go functions exactly', async () => {
  f32(await model.features.audioFromPCM(new Float32Array(G.audio.pcm), G.audio.rate), G.audio.want, 'audioFromPCM');
  const rgba = new Uint8ClampedArray(Buffer.from(G.image.rgba, 'base64'));
  f32(await model.features.imageFromRGBA(rgba, G.image.width, G.image.height), G.image.want, 'imageFromRGBA');
});

const img = () => new Float32Array(samples[0].image);
const withBad = (v) => {
  const x = img();
  x[100] = v;
  return x;
};
const BAD = [
  ['unknown modality', () => model.predict({ image: img(), video: new Float32Array(4) }), /unknown modality "video" \(model has image\[1 28 28\], audio\[1 40 40\]\)/],
  ['no modality', () => model.predict({}), /no modality given/],
  ['all modalities null', () => model.predict({ image: null, audio: undefined }), /no modality given/],
  ['wrong length', () => model.predict({ image: new Float32Array(783) }), /modality "image" has 783 values, want 784 \(shape \[1 28 28\]\)/],
  ['NaN', () => model.predict({ image: withBad(NaN) }), /modality "image" value 100 is NaN/],
  ['+Inf', () => model.predict({ image: withBad(Infinity) }), /value 100 is \+Inf/],
  ['-Inf', () => model.predict({ audio: new Float32Array(1600).fill(-Infinity) }), /modality "audio" value 0 is -Inf/],
  ['plain Array', () => model.predict({ image: Array.from(img()) }), /modality "image" must be a Float32Array, got Array/],
  ['Float64Array', () => model.predict({ image: new Float64Array(784) }), /must be a Float32Array, got Float64Array/],
  ['a number', () => model.predict({ image: 3 }), /must be a Float32Array, got number/],
  ['inputs not an object', () => model.predict('image'), /inputs must be an object/],
  ['inputs an array', () => model.predict([img()]), /inputs must be an object .* got Array/],
  ['nothing', () => model.predict(), /inputs must be an object .* got undefined/],
  ['batch size mismatch (packed)', () => model.predictBatch({ image: new Float32Array(784 * 3), audio: new Float32Array(1600 * 2) }), /batch size mismatch: modality "audio" has 2 samples, "image" has 3/],
  ['packed length not a multiple', () => model.predictBatch({ image: new Float32Array(784 * 2 + 1) }), /batch size mismatch: modality "image" has 1569 values, not a multiple of 784/],
  ['bad sample in a batch', () => model.predictBatch([samples[0], { image: new Float32Array(2) }]), /sample 1: .*modality "image" has 2 values/],
  ['batch not an array or object', () => model.predictBatch(7), /a batch must be an Array of inputs or an object/],
  ['pcm not a Float32Array', () => model.features.audioFromPCM([0.1, 0.2], 16000), /pcm must be a Float32Array, got Array/],
  ['sample rate NaN', () => model.features.audioFromPCM(new Float32Array(100), NaN), /sampleRate must be an integer/],
  ['sample rate missing', () => model.features.audioFromPCM(new Float32Array(100)), /sampleRate must be a number, got undefined/],
  ['sample rate too low', () => model.features.audioFromPCM(new Float32Array(100), 100), /sample rate 100 Hz out of range/],
  ['empty pcm', () => model.features.audioFromPCM(new Float32Array(0), 16000), /empty audio/],
  ['pcm NaN', () => model.features.audioFromPCM(new Float32Array([0, NaN]), 16000), /sample 1 is NaN/],
  ['audio too long', () => model.features.audioFromPCM(new Float32Array(31 * 8000), 8000), /audio too long/],
  ['rgba wrong length', () => model.features.imageFromRGBA(new Uint8ClampedArray(10), 2, 2), /RGBA length 10, want 4\*2\*2 = 16/],
  ['rgba width 0', () => model.features.imageFromRGBA(new Uint8ClampedArray(0), 0, 5), /image size 0x5 out of range/],
  ['rgba huge', () => model.features.imageFromRGBA(new Uint8ClampedArray(4), 1e6, 1e6), /out of range/],
  ['rgba Float32Array', () => model.features.imageFromRGBA(new Float32Array(16), 2, 2), /rgba must be a Uint8Array, Uint8ClampedArray or ArrayBuffer, got Float32Array/],
  ['hostile getter', () => model.predict({ get image() { throw new Error('boom'); } }), /reading modality "image" threw: boom/],
  ['hostile getter in a batch', () => model.predictBatch([samples[0], { get audio() { throw new Error('bang'); } }]), /sample 1: bad input: reading modality "audio" threw: bang/],
  ['a Proxy that throws', () => model.predict(new Proxy({}, { ownKeys() { throw new Error('nope'); } })), /cannot list the modalities: nope/],
];
// A batch's error names the sample (error.sample, its index in the batch) and gives the sample's
// own message (error.reason), whether the module (a value's type) or the engine (a length, a
// value, the model's output) rejected it.
test('batch errors carry the sample and its reason', async () => {
  const big = new Float32Array(784).fill(3.4e38);
  for (const [batch, at, reason] of [
    [[samples[0], samples[1], { image: new Float32Array(2) }], 2, /^bad input: modality "image" has 2 values, want 784/],
    [[samples[0], { image: [1, 2] }], 1, /^bad input: modality "image" must be a Float32Array, got Array$/],
    [[samples[0], { image: big }], 1, /^non-finite output: expert "(image|inter)": /],
    [{ image: new Float32Array(784 * 3).fill(NaN, 784 * 2 + 7, 784 * 2 + 8) }, 2, /^bad input: modality "image" value 7 is NaN$/],
  ]) {
    await assert.rejects(model.predictBatch(batch), (e) => {
      assert.equal(e.sample, at);
      assert.match(e.reason, reason);
      assert.equal(e.message, `i2m2: sample ${at}: ${e.reason}`);
      return true;
    });
  }
  await assert.rejects(model.predict({ image: new Float32Array(2) }), (e) => e.sample === undefined && e.reason === undefined);
});

for (const [name, call, re] of BAD) {
  test(`bad input rejects with a clear Error, and the next call works: ${name}`, async () => {
    await assert.rejects(call(), (e) => {
      assert.ok(e instanceof Error, 'an Error');
      assert.match(e.message, re);
      return true;
    });
    sameResult(await model.predict(samples[0]), INT8.results[0], 'after the error');
  });
}

test('load options are checked', async () => {
  await assert.rejects(load({ modle: 'x' }), /unknown load option "modle"/);
  await assert.rejects(load({ path: 'fp16' }), /path must be one of int8, float32, reference/);
  await assert.rejects(load({ workers: 0 }), /workers must be an integer from 1 to 32/);
  await assert.rejects(load({ worker: true }), /needs Web Workers/);
  await assert.rejects(load({ workers: 2, worker: false }), /workers > 1 needs worker mode/);
  await assert.rejects(load({ sha256: 'abc' }), /sha256 must be 64 hex digits/);
  await assert.rejects(load({ model: 42 }), /model must be a URL, string, ArrayBuffer, typed array or Response, got number/);
  await assert.rejects(load(null), /load options must be an object/);
  const f32 = F32;
  await assert.rejects(load({ model: W(f32.file), path: 'int8' }), /the int8 path needs int8 weights/);
  const ref = await load({ model: W(INT8.file), path: 'reference' });
  assert.equal(ref.info.path, 'reference');
  ref.dispose();
});

test('tampered, truncated and foreign model bytes fail', async () => {
  const good = await readFile(W(INT8.file));
  const bad = new Uint8Array(good);
  bad[bad.length >> 1] ^= 0x40;
  await assert.rejects(load({ model: bad, sha256: INT8.sha256 }), /integrity check failed .* expected 2?[0-9a-f]{64}/);
  await assert.rejects(load({ model: bad.buffer, integrity: false }), /checksum mismatch/, 'unverified, the file checksum still catches it');
  await assert.rejects(load({ model: good.subarray(0, 1000), integrity: false }), /truncated/);
  await assert.rejects(load({ model: new TextEncoder().encode('<!doctype html>'), integrity: false }), /bad magic/);
  // A tampered copy next to the real manifest: the manifest entry catches it.
  const dir = await mkdtemp(join(tmpdir(), 'i2m2-'));
  await copyFile(W('manifest.json'), join(dir, 'manifest.json'));
  await writeFile(join(dir, INT8.file), bad);
  await assert.rejects(load({ model: join(dir, INT8.file) }), new RegExp(`integrity check failed for the model from file://.*${INT8.file}: sha256 is [0-9a-f]{64}, expected ${INT8.sha256}`));
  await assert.rejects(load({ model: good, sha256: '0'.repeat(64) }), /integrity check failed/);
  const m = await load({ model: good, sha256: INT8.sha256.toUpperCase() });
  assert.equal(m.info.verified, true);
  m.dispose();
});

test('a wrong wasm source gives a clear error naming it', async () => {
  await assert.rejects(load({ wasm: join(DIST, 'nope.wasm') }), /reading the wasm from file:\/\/.*\/nope\.wasm failed/);
  await assert.rejects(load({ wasm: join(DIST, 'weights', 'manifest.json') }), /file:\/\/.*manifest\.json is not WebAssembly \(no \\0asm magic; it starts with "\{/);
  await assert.rejects(load({ wasm: server.url + 'missing.wasm' }), /fetching the wasm from http:\/\/127\.0\.0\.1:\d+\/missing\.wasm failed: HTTP 404/);
  await assert.rejects(load({ wasm: server.url + 'module-test.html' }), /module-test\.html \(served as "text\/html"\) is not WebAssembly .*starts with "<!doctype html>/);
  await assert.rejects(load({ wasm: new Uint8Array([0, 0x61, 0x73, 0x6d, 9, 9, 9, 9]) }), /compiling the wasm from the wasm bytes failed/);
});

test('the gzip-compressed wasm (the default where DecompressionStream exists) loads from a file, bytes and HTTP; damaged, it is a clear error', async () => {
  const gz = await readFile(join(DIST, 'i2m2.simd.wasm.gz'));
  assert.deepEqual(new Uint8Array(gunzipSync(gz)), new Uint8Array(await readFile(join(DIST, 'i2m2.simd.wasm'))), 'i2m2.simd.wasm.gz is i2m2.simd.wasm');
  for (const wasm of [join(DIST, 'i2m2.simd.wasm.gz'), new Uint8Array(gz), server.url + 'i2m2.simd.wasm.gz', server.url + '_octet/i2m2.simd.wasm.gz']) {
    const m = await load({ model: W(INT8.file), wasm });
    assert.equal(m.info.kernels, 'simd', String(wasm));
    sameResult(await m.predict(samples[0]), INT8.results[0], String(wasm));
    m.dispose();
  }
  const wasm = (b) => load({ model: W(INT8.file), wasm: b });
  await assert.rejects(wasm(new Uint8Array(gz.subarray(0, gz.length >> 1))), /^Error: i2m2: inflating the gzip-compressed wasm from the wasm bytes failed: /);
  await assert.rejects(wasm(new Uint8Array([0x1f, 0x8b, 8, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10])), /inflating the gzip-compressed wasm from the wasm bytes failed/);
  await assert.rejects(wasm(new Uint8Array(gzipSync(Buffer.from('<!doctype html><p>not wasm')))), /the wasm bytes is not WebAssembly \(no \\0asm magic; it starts with "<!doctype html>/);
  await assert.rejects(load({ model: W(INT8.file), wasm: server.url + '_stall/i2m2.simd.wasm.gz', stallTimeout: 300 }), /the download of the wasm from http:.*i2m2\.simd\.wasm\.gz stalled/);
  const big = await mkdtemp(join(tmpdir(), 'i2m2-gz-'));
  await writeFile(join(big, 'big.wasm.gz'), gzipSync(Buffer.concat([Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]), Buffer.alloc(65 << 20)])));
  await assert.rejects(wasm(join(big, 'big.wasm.gz')), /big\.wasm\.gz failed: .*inflates to more than 67108864 bytes/);
});

test('over HTTP: progress with Content-Length, manifest integrity, wrong wasm type falls back', async () => {
  const ev = [];
  const m = await load({ model: server.url + 'weights/' + INT8.file, wasm: server.url + '_octet/i2m2.wasm', onProgress: (p) => ev.push(p) });
  assert.equal(m.info.verified, true);
  const last = ev.at(-1);
  assert.equal(last.loaded, INT8.results ? m.info.bytes : 0);
  assert.equal(last.total, m.info.bytes);
  for (let i = 1; i < ev.length; i++) assert.ok(ev[i].loaded >= ev[i - 1].loaded);
  sameResult(await m.predict(samples[0]), INT8.results[0], 'http');
  m.dispose();
  const ev2 = [];
  const m2 = await load({ model: server.url + '_gzip/weights/' + INT8.file, manifest: server.url + 'weights/manifest.json', onProgress: (p) => ev2.push(p) });
  assert.equal(ev2.at(-1).total, null, 'compressed: total unknown');
  assert.equal(ev2.at(-1).loaded, m2.info.bytes);
  assert.equal(m2.info.verified, true);
  m2.dispose();
  await assert.rejects(load({ model: server.url + 'weights/nope.i2m2' }), /cannot verify the model from .*nope\.i2m2: the manifest .* has no entry for "nope\.i2m2"/);
  await assert.rejects(load({ model: server.url + 'weights/nope.i2m2', integrity: false }), /fetching the model from http:\/\/127\.0\.0\.1:\d+\/weights\/nope\.i2m2 failed: HTTP 404/);
  await assert.rejects(load({ model: new Response('x', { status: 500 }), integrity: false }), /HTTP 500/);
  const r = await load({ model: new Response(await readFile(W(INT8.file))), sha256: INT8.sha256 });
  r.dispose();
});

test('the synchronous path: equal to the async API, used for well-formed calls, declines the rest', async () => {
  const eng = await startEngine(await WebAssembly.compile(await readFile(join(DIST, 'i2m2.simd.wasm'))));
  try {
    assert.ok(eng.fast, 'the wasm exports the synchronous path');
    assert.equal(eng.fast.predict(samples[0]), null, 'no model loaded: declines');
    const info = JSON.parse(await eng.call('load', new Uint8Array(await readFile(W(INT8.file)))));
    for (let i = 0; i < samples.length; i++) {
      const got = eng.fast.predict(samples[i]);
      assert.ok(got instanceof Float32Array && got.length === info.stride, `sample ${i}: the synchronous path answered`);
      assert.deepEqual(Array.from(got), Array.from(await eng.slow('predict', [samples[i]])), `sample ${i}`);
    }
    const full = samples.filter((s) => s.image && s.audio);
    const packed = { image: new Float32Array(full.flatMap((s) => Array.from(s.image))), audio: new Float32Array(full.flatMap((s) => Array.from(s.audio))) };
    const want = await eng.slow('predictBatch', [packed]);
    assert.deepEqual(Array.from(await eng.fast.predictBatch(packed)), Array.from(want), 'packed batch');
    assert.deepEqual(Array.from(await eng.fast.predictBatch(full)), Array.from(want), 'array batch');
    // What it declines, the async API answers (with the error message).
    const img = samples[0].image;
    const nan = new Float32Array(img);
    nan[3] = NaN;
    for (const [what, x] of [['wrong length', { image: img.subarray(1) }], ['unknown modality', { image: img, depth: img }],
      ['plain Array', { image: Array.from(img) }], ['NaN (the engine fails)', { image: nan }], ['no modality', {}]]) {
      assert.equal(eng.fast.predict(x), null, what);
      await assert.rejects(eng.call('predict', x), /i2m2: /, what);
    }
    assert.equal(await eng.fast.predictBatch([samples[0], { audio: samples[0].audio }]), null, 'mixed modalities in one batch');
    assert.notEqual(eng.fast.predict(samples[0]), null, 'still answers after the declined calls');
    await eng.call('dispose');
    assert.equal(eng.fast.predict(samples[0]), null, 'disposed: declines');
  } finally {
    if (!eng.exited()) await eng.call('dispose').catch(() => {});
  }
});

test('the raw Go API: not loaded, bad model, then a good one', async () => {
  const wasm = await WebAssembly.compile(await readFile(join(DIST, 'i2m2.wasm')));
  const eng = await startEngine(wasm);
  await assert.rejects(eng.call('predict', samples[0]), /no model loaded \(call load first\)/);
  await assert.rejects(eng.call('info'), /no model loaded/);
  await assert.rejects(eng.call('load', 'not bytes'), /the model must be a Uint8Array, Uint8ClampedArray or ArrayBuffer, got string/);
  await assert.rejects(eng.call('load', new Uint8Array(10)), /bad magic/);
  await assert.rejects(eng.call('load', await readFile(W(INT8.file)), 42), /path must be a string/);
  const info = JSON.parse(await eng.call('load', new Uint8Array(await readFile(W(INT8.file)))));
  assert.equal(info.sha256, INT8.sha256);
  const p = eng.call('predict', samples[0]);
  assert.ok(p instanceof Promise, 'returns a Promise');
  const packed = await p;
  assert.equal(packed.length, info.stride);
  await eng.call('dispose');
  await assert.rejects(eng.call('predict', samples[0]), /disposed/);
});

test('no timer of the exited Go runtime fires after dispose', async () => {
  // Loads allocate enough for the Go runtime to keep timers (GC, scavenger);
  // wasm_exec.js would resume the exited program from them and throw.
  const wasm = await WebAssembly.compile(await readFile(join(DIST, 'i2m2.wasm')));
  const eng = await startEngine(wasm);
  const b = new Uint8Array(await readFile(W(INT8.file)));
  const f = new Uint8Array(await readFile(W(F32.file)));
  for (let i = 0; i < 4; i++) {
    await eng.call('load', b);
    await eng.call('load', f);
  }
  const uncaught = [];
  const on = (e) => uncaught.push(e);
  process.on('uncaughtException', on);
  await eng.call('dispose');
  await new Promise((r) => setTimeout(r, 1500));
  process.off('uncaughtException', on);
  assert.deepEqual(uncaught.map(String), []);
});

test('dispose: later calls reject, dispose twice is harmless', async () => {
  const m = await load({ model: W(INT8.file) });
  m.dispose();
  m.dispose();
  await assert.rejects(m.predict(samples[0]), /the model was disposed/);
  await assert.rejects(m.predictBatch(samples), /the model was disposed/);
  await assert.rejects(m.features.audioFromPCM(new Float32Array(10), 16000), /the model was disposed/);
});
