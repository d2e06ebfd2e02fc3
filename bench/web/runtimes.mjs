// The runtimes the benchmark compares, behind one interface:
//   const rt = await RUNTIMES[id].create(io);  await rt.run(image, audio, n) -> Float32Array(n*10) log-probs
// io hides Node/browser differences (see bench/run.mjs and bench/web/page.mjs):
//   io.bytes(file)  -> ArrayBuffer of a file written by bench/prep (or ours.wasm)
//   io.url(file)    -> where that file is, as load() takes a model (URL string, or a path in Node)
//   io.go()         loads wasm_exec.js (globalThis.Go)
//   io.oursWasm()   -> ours.wasm as a URL (browser, streamed) or ArrayBuffer (Node)
//   io.urls         {wasm, exec} absolute URLs for workers (browser only)
//   io.ort()        -> onnxruntime-web module;  io.tf() -> tf with tfjs-backend-wasm set
//   io.i2m2()       -> the project's JS module { load }, or null
// Runtime-specific code is imported on demand, so a page that runs one
// runtime fetches only that runtime's files (bytes are counted per runtime).

const IMAGE = [1, 28, 28], AUDIO = [1, 40, 40], K = 10;

// ours through the project's JS module (wasm/i2m2.mjs), when it is built.
// o: {path, worker, workers, scalar}; undefined fields take the module's
// defaults (the int8 file's weights on the float32 kernels, SIMD where
// validated, a worker in browsers), i.e. what a user gets.
async function oursModule(io, o) {
  const mod = await io.i2m2();
  const file = o.file || 'model-int8.i2m2';
  // The benchmark's own copies of the model files: loaded unverified on purpose.
  // By URL, as a page passes it: load() fetches it while the wasm compiles.
  const model = await mod.load({ model: io.url(file), path: o.path, worker: o.worker, workers: o.workers, integrity: false, wasm: o.scalar ? io.scalarWasm() : undefined });
  const i = model.info;
  return {
    impl: `wasm/ JS module (i2m2.mjs), ${i.path} kernels (${i.kernels}), ${i.mode}, ${i.workers} worker(s)`,
    info: i,
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

async function ours(io, o) {
  if (!o.bridge && await io.i2m2()) return oursModule(io, o);
  const path = o.path || 'float32';
  const file = path === 'int8' ? 'model-int8.i2m2' : 'model-f32.i2m2';
  const model = await io.bytes(file);
  const { loadOursMin, OursWorkerPool } = await import('./ours-min.mjs');
  if (o.worker) {
    const pool = await OursWorkerPool.create({ workers: o.workers || 1, wasmUrl: io.urls.wasm, execUrl: io.urls.exec, model, path });
    return { impl: 'bench/ourwasm (minimal bridge), module workers', info: pool.info, run: (a, b, n) => pool.predict(a, b, n), dispose: () => pool.dispose() };
  }
  await io.go();
  const m = await loadOursMin({ wasm: await io.oursWasm(), model, path });
  return { impl: 'bench/ourwasm (minimal bridge), main thread', info: m.info, run: async (a, b, n) => m.predict(a, b, n), dispose() {}, memoryBytes: m.memoryBytes };
}

// onnxruntime-web with graph optimisation on ('all': constant folding, Conv
// + ReLU fusion, ...). threads > 1 needs SharedArrayBuffer, i.e. a
// cross-origin-isolated page (COOP/COEP headers); ORT's setting is global,
// so a page runs either the 1-thread or the multi-threaded form.
async function ortRuntime(io, threads = 1) {
  const ort = await io.ort();
  ort.env.wasm.numThreads = threads;
  ort.env.wasm.proxy = false;
  const session = await ort.InferenceSession.create(new Uint8Array(await io.bytes('model.onnx')), {
    executionProviders: ['wasm'], graphOptimizationLevel: 'all',
  });
  return {
    impl: `onnxruntime-web (wasm EP, numThreads ${threads}, SIMD build, graphOptimizationLevel all)`,
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
  // The module as a user gets it: defaults everywhere (worker in a browser).
  ours: { label: 'ours, defaults (float32 kernels on the int8 file, SIMD, worker)', create: (io) => ours(io, {}) },
  'ours-main': { label: 'ours, defaults on the main thread', create: (io) => ours(io, { worker: false }) },
  'ours-scalar': { label: 'ours, defaults with the scalar binary (i2m2.wasm)', create: (io) => ours(io, { scalar: true }) },
  'ours-workers2': { label: 'ours, defaults, 2 workers', browser: true, create: (io) => ours(io, { worker: true, workers: 2 }) },
  'ours-int8': { label: 'ours int8 kernels (main thread)', create: (io) => ours(io, { path: 'int8', worker: false }) },
  // The engine through bench/ourwasm's minimal synchronous bridge (log-probs
  // only, scalar kernels, float32 path): compare with ours-scalar on the main thread.
  'ours-bridge': { label: 'ours, minimal bridge (bench/ourwasm, scalar, main thread)', f32Weights: true, create: (io) => ours(io, { bridge: true }) },
  ort: { label: 'onnxruntime-web 1.30 (wasm, 1 thread, graph optimisation all)', f32Weights: true, create: (io) => ortRuntime(io, 1) },
  'ort-mt': { label: 'onnxruntime-web 1.30 (wasm, 2 threads; needs COOP/COEP)', browser: true, f32Weights: true, create: (io) => ortRuntime(io, 2) },
  tfjs: { label: 'tfjs-backend-wasm 4.22 (fused ops)', f32Weights: true, create: tfjsRuntime },
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
// runtime the ms per call at batch 1 (also split: a block's first call, and
// the mean of the others) and ms per sample at batch 64, plus each
// runtime's batch-64 log-probs to compare outputs.
export async function measure(rts, { rounds = 12, calls1 = 10, calls64 = 1, log = () => {} } = {}) {
  const x1 = inputs(1, 7), x64 = inputs(64, 11);
  const ids = Object.keys(rts);
  const res = Object.fromEntries(ids.map((id) => [id, { b1: [], first: [], rest: [], b64: [] }]));
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
      await rt.run(x1.image, x1.audio, 1);
      const t1 = now();
      for (let i = 1; i < calls1; i++) await rt.run(x1.image, x1.audio, 1);
      const t2 = now();
      res[id].b1.push((t2 - t) / calls1);
      // The block's first call comes after the other runtimes' turns (a
      // worker has idled through them); the rest follow one another.
      res[id].first.push(t1 - t);
      if (calls1 > 1) res[id].rest.push((t2 - t1) / (calls1 - 1));
      t = now();
      for (let i = 0; i < calls64; i++) await rt.run(x64.image, x64.audio, 64);
      res[id].b64.push((now() - t) / calls64 / 64);
    }
    log(`round ${r + 1}/${rounds}`);
  }
  return { latency: Object.fromEntries(ids.map((id) => [id, { b1_ms: stats(res[id].b1), b1_first_call_ms: stats(res[id].first), b1_other_calls_ms: stats(res[id].rest), b64_ms_per_sample: stats(res[id].b64) }])), outs };
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
