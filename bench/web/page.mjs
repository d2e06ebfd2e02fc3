// Browser side of the benchmark (bench.html): the io object for
// runtimes.mjs, and the entry points bench/run.mjs calls through Playwright.
import { RUNTIMES, measure, throughput, maxProbDiff, inputs } from './runtimes.mjs';

const abs = (p) => new URL(p, location.href).href;
const params = new URLSearchParams(location.search);

function loadScript(src) {
  return new Promise((resolve, reject) => {
    const s = document.createElement('script');
    s.src = src;
    s.onload = resolve;
    s.onerror = () => reject(new Error(`cannot load ${src}`));
    document.head.appendChild(s);
  });
}

let tfp = null;
export const io = {
  async bytes(f) {
    const r = await fetch(`/gen/${f}`);
    if (!r.ok) throw new Error(`/gen/${f}: HTTP ${r.status}`);
    return r.arrayBuffer();
  },
  url: (f) => abs(`/gen/${f}`),
  go: () => import('/gen/wasm_exec.js'),
  oursWasm: async () => abs('/gen/ours.wasm'),
  urls: { wasm: abs('/gen/ours.wasm'), exec: abs('/gen/wasm_exec.js') },
  async ort() {
    const ort = await import('/ort/ort.wasm.min.mjs');
    ort.env.wasm.wasmPaths = abs('/ort/');
    return ort;
  },
  tf: () => (tfp ??= (async () => {
    await loadScript('/tfjs-core/tf-core.min.js');
    await loadScript('/tfjs-wasm/tf-backend-wasm.min.js');
    const tf = globalThis.tf;
    tf.wasm.setWasmPaths(abs('/tfjs-wasm/'));
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false); // threads off (no cross-origin isolation anyway)
    await tf.setBackend('wasm');
    await tf.ready();
    return tf;
  })()),
  i2m2: async () => (params.get('ours') === 'module' ? import('/module/i2m2.mjs') : null),
  scalarWasm: () => abs('/module/i2m2.wasm'),
};

// runLatency creates the runtimes (in order) and measures them interleaved.
window.runLatency = async ({ ids, rounds, calls1, calls64, workerCompare, throughputRounds }) => {
  const rts = {};
  const created = {};
  for (const id of ids) {
    const t = performance.now();
    rts[id] = await RUNTIMES[id].create(io);
    created[id] = { create_ms: performance.now() - t, impl: rts[id].impl };
  }
  const m = await measure(rts, { rounds, calls1, calls64 });
  // Each against a run with the same weights: ours on the int8 file, the
  // others (and the minimal bridge) on the float32 weights they were exported from.
  const refOf = (id) => (RUNTIMES[id].f32Weights ? m.outs['ours-bridge'] || m.outs.tfjs : m.outs.ours) || m.outs[ids[0]];
  const agree = {};
  for (const id of ids) agree[id] = maxProbDiff(m.outs[id], refOf(id));
  for (const id of ids) await rts[id].dispose();
  let tp = null;
  if (workerCompare) { // batch throughput of our worker pools, workers 1 vs 2
    const pools = {};
    for (const id of workerCompare) pools[id] = await RUNTIMES[id].create(io);
    tp = await throughput(pools, { n: 128, rounds: throughputRounds });
    for (const id of workerCompare) await pools[id].dispose();
  }
  return { latency: m.latency, created, max_prob_diff_vs_ours: agree, crossOriginIsolated: globalThis.crossOriginIsolated === true, throughput: tp, hardwareConcurrency: navigator.hardwareConcurrency, userAgent: navigator.userAgent };
};

// bench.html?rt=ID: page load (navigation start = performance.now() origin)
// to the first prediction, then more predictions so peak memory includes a
// batch of 64.
window.runCold = async (id) => {
  const x = inputs(1, 3);
  const rt = await RUNTIMES[id].create(io);
  const ready = performance.now();
  const out = await rt.run(x.image, x.audio, 1);
  const first = performance.now();
  for (let i = 0; i < 20; i++) await rt.run(x.image, x.audio, 1);
  const x64 = inputs(64, 5);
  await rt.run(x64.image, x64.audio, 64);
  return { ready_ms: ready, first_prediction_ms: first, label: out.indexOf(Math.max(...out)), impl: rt.impl, wasm_memory_bytes: rt.memoryBytes ? rt.memoryBytes() : null };
};
// bench.html?rt=ID (a cold start) starts at once (no round trip to the driver first).
if (params.get('rt')) window.__cold = window.runCold(params.get('rt')).catch((e) => ({ error: String(e && e.message || e) }));
window.benchReady = true;
