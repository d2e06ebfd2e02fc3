// The runtimes the benchmark compares, behind one interface:
//   const rt = await RUNTIMES[id].create(io);  await rt.run(image, audio, n) -> Float32Array(n*10) log-probs
// io hides Node/browser differences (see bench/run.mjs and bench/web/page.mjs):
//   io.bytes(file)  -> ArrayBuffer of a file written by bench/prep (or ours.wasm)
//   io.go()         loads wasm_exec.js (globalThis.Go)
//   io.oursWasm()   -> ours.wasm as a URL (browser, streamed) or ArrayBuffer (Node)
//   io.urls         {wasm, exec} absolute URLs for workers (browser only)
//   io.ort()        -> onnxruntime-web module;  io.tf() -> tf with tfjs-backend-wasm set
//   io.i2m2()       -> the project's JS module { load }, or null
// Runtime-specific code is imported on demand, so a page that runs one
// runtime fetches only that runtime's files (bytes are counted per runtime).

const IMAGE = [1, 28, 28], AUDIO = [1, 40, 40], K = 10;

// ours through the project's JS module (wasm/i2m2.mjs), when it is built.
async function oursModule(io, path, worker, workers) {
  const mod = await io.i2m2();
  const file = path === 'int8' ? 'model-int8.i2m2' : 'model-f32.i2m2';
  // The benchmark's own copies of the model files: loaded unverified on purpose.
  const model = await mod.load({ model: await io.bytes(file), path, worker, workers, integrity: false });
  return {
    impl: `wasm/ JS module (i2m2.mjs), ${model.info.mode}, ${model.info.workers} worker(s)`,
    info: model.info,
    async run(image, audio, n) {
      if (n === 1) return (await model.predict({ image, audio })).logProbs;
      const rs = await model.predictBatch({ image, audio }); // packed: n samples back to back
      const out = new Float32Array(n * K);
      rs.forEach((r, i) => out.set(r.logProbs, i * K));
      return out;
    },
    dispose: () => model.dispose(),
  };
}

async function ours(io, path, worker, workers = 1, bridge = false) {
  if (!bridge && await io.i2m2()) return oursModule(io, path, worker, workers);
  const file = path === 'int8' ? 'model-int8.i2m2' : 'model-f32.i2m2';
  const model = await io.bytes(file);
  const { loadOursMin, OursWorkerPool } = await import('./ours-min.mjs');
  if (worker) {
    const pool = await OursWorkerPool.create({ workers, wasmUrl: io.urls.wasm, execUrl: io.urls.exec, model, path });
    return { impl: 'bench/ourwasm (minimal bridge), module workers', info: pool.info, run: (a, b, n) => pool.predict(a, b, n), dispose: () => pool.dispose() };
  }
  await io.go();
  const m = await loadOursMin({ wasm: await io.oursWasm(), model, path });
  return { impl: 'bench/ourwasm (minimal bridge), main thread', info: m.info, run: async (a, b, n) => m.predict(a, b, n), dispose() {}, memoryBytes: m.memoryBytes };
}

async function ortRuntime(io) {
  const ort = await io.ort();
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.proxy = false;
  const session = await ort.InferenceSession.create(new Uint8Array(await io.bytes('model.onnx')), {
    executionProviders: ['wasm'], graphOptimizationLevel: 'all',
  });
  return {
    impl: 'onnxruntime-web (wasm EP, numThreads 1, SIMD build)',
    info: { inputs: session.inputNames, outputs: session.outputNames },
    async run(image, audio, n) {
      const r = await session.run({ image: new ort.Tensor('float32', image, [n, ...IMAGE]), audio: new ort.Tensor('float32', audio, [n, ...AUDIO]) }, ['log_probs']);
      return r.log_probs.data;
    },
    dispose: () => session.release(),
  };
}

async function tfjsRuntime(io) {
  const tf = await io.tf();
  const { buildTfjsModel } = await import('./tfjs-model.mjs');
  const graph = JSON.parse(new TextDecoder().decode(await io.bytes('tfjs.json')));
  const m = buildTfjsModel(tf, graph, await io.bytes('tfjs.bin'));
  return {
    impl: `tfjs-core + tfjs-backend-wasm (${tf.getBackend()}, SIMD ${tf.env().getBool('WASM_HAS_SIMD_SUPPORT')}, threads ${tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT')})`,
    info: {},
    run: (image, audio, n) => m.predictLogProbs({ image, audio }, n),
    dispose: () => m.dispose(),
  };
}

export const RUNTIMES = {
  'ours-int8': { label: 'ours int8 (main thread)', create: (io) => ours(io, 'int8', false) },
  'ours-f32': { label: 'ours float32 (main thread)', create: (io) => ours(io, 'float32', false) },
  'ours-int8-worker': { label: 'ours int8 (worker)', browser: true, create: (io) => ours(io, 'int8', true, 1) },
  'ours-f32-worker': { label: 'ours float32 (worker)', browser: true, create: (io) => ours(io, 'float32', true, 1) },
  'ours-int8-workers2': { label: 'ours int8 (2 workers)', browser: true, create: (io) => ours(io, 'int8', true, 2) },
  'ours-f32-workers2': { label: 'ours float32 (2 workers)', browser: true, create: (io) => ours(io, 'float32', true, 2) },
  // The engine through bench/ourwasm's minimal synchronous bridge (log-probs
  // only): the difference to ours-int8 is the JS module's API cost.
  'ours-int8-bridge': { label: 'ours int8, minimal bridge (main thread)', create: (io) => ours(io, 'int8', false, 1, true) },
  ort: { label: 'onnxruntime-web 1.30 (wasm, 1 thread)', create: ortRuntime },
  tfjs: { label: 'tfjs-backend-wasm 4.22', create: tfjsRuntime },
};

// inputs returns n deterministic samples in [0,1] per modality.
export function inputs(n, seed = 1) {
  let s = seed >>> 0;
  const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
  const image = new Float32Array(n * 784), audio = new Float32Array(n * 1600);
  for (let i = 0; i < image.length; i++) image[i] = rnd();
  for (let i = 0; i < audio.length; i++) audio[i] = rnd();
  return { image, audio };
}

const median = (v) => { const s = [...v].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const quantile = (v, q) => { const s = [...v].sort((a, b) => a - b); const p = (s.length - 1) * q; const lo = Math.floor(p); return s[lo] + (s[Math.min(lo + 1, s.length - 1)] - s[lo]) * (p - lo); };
export const stats = (v) => ({ median: median(v), p25: quantile(v, 0.25), p75: quantile(v, 0.75), min: Math.min(...v), max: Math.max(...v), n: v.length });

// measure runs `rounds` rounds; in each, every runtime (in an order that
// rotates from round to round, so they share the machine's noise) times
// `calls1` calls at batch 1 and `calls64` calls at batch 64. Returns per
// runtime the ms per call at batch 1 and ms per sample at batch 64, plus
// each runtime's batch-64 log-probs to compare outputs.
export async function measure(rts, { rounds = 12, calls1 = 10, calls64 = 1, log = () => {} } = {}) {
  const x1 = inputs(1, 7), x64 = inputs(64, 11);
  const ids = Object.keys(rts);
  const res = Object.fromEntries(ids.map((id) => [id, { b1: [], b64: [] }]));
  const outs = {};
  for (const id of ids) { // warm-up (JIT tiers, buffers)
    for (let i = 0; i < 5; i++) await rts[id].run(x1.image, x1.audio, 1);
    outs[id] = await rts[id].run(x64.image, x64.audio, 64);
  }
  const now = () => performance.now();
  for (let r = 0; r < rounds; r++) {
    for (let j = 0; j < ids.length; j++) {
      const id = ids[(j + r) % ids.length];
      const rt = rts[id];
      let t = now();
      for (let i = 0; i < calls1; i++) await rt.run(x1.image, x1.audio, 1);
      res[id].b1.push((now() - t) / calls1);
      t = now();
      for (let i = 0; i < calls64; i++) await rt.run(x64.image, x64.audio, 64);
      res[id].b64.push((now() - t) / calls64 / 64);
    }
    log(`round ${r + 1}/${rounds}`);
  }
  return { latency: Object.fromEntries(ids.map((id) => [id, { b1_ms: stats(res[id].b1), b64_ms_per_sample: stats(res[id].b64) }])), outs };
}

// throughput compares worker pools on one batch of `n`, alternating.
export async function throughput(pools, { n = 256, rounds = 6 } = {}) {
  const x = inputs(n, 13);
  const ids = Object.keys(pools);
  const res = Object.fromEntries(ids.map((id) => [id, []]));
  for (const id of ids) await pools[id].run(x.image, x.audio, n);
  for (let r = 0; r < rounds; r++) {
    for (let j = 0; j < ids.length; j++) {
      const id = ids[(j + r) % ids.length];
      const t = performance.now();
      await pools[id].run(x.image, x.audio, n);
      res[id].push(n / ((performance.now() - t) / 1000));
    }
  }
  return Object.fromEntries(ids.map((id) => [id, { samples_per_s: stats(res[id]), batch: n }]));
}

// maxProbDiff compares two runtimes' log-prob outputs as probabilities.
export function maxProbDiff(a, b) {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(Math.exp(a[i]) - Math.exp(b[i])));
  return d;
}
