// Browser side of bench/rtt.mjs: the floor of a dedicated-worker round trip
// (an echo that runs nothing, rtt-echo.mjs) beside the module's predict in a
// worker and on this thread, interleaved call by call in one page.
import { RUNTIMES, inputs, stats } from './runtimes.mjs';

const inWorker = {}; // ms inside the worker's handler, per variant
const hops = {}; // per variant: [to the worker, in the worker, back] ms per call
const hopsFirst = {}; // the same for the first call of each block
let blockFirst = false; // a block's first call is in flight
function echoVariant(w, target, { transferIn, transferOut, spin = 0, hot = 0, packed = false, bare = false, raw = false, name }) {
  let next = 1;
  const pending = new Map();
  const spent = (inWorker[name] = []);
  const hop = (hops[name] = [[], [], []]);
  const hopFirst = (hopsFirst[name] = [[], [], []]);
  let sent = 0;
  target.onmessage = (ev) => {
    const got = performance.timeOrigin + performance.now();
    if (ev.data.w !== undefined) spent.push(ev.data.w);
    if (typeof ev.data.at === 'number' && name) {
      const split = [ev.data.at - sent, ev.data.and - ev.data.at, got - ev.data.and];
      split.forEach((v, i) => hop[i].push(v));
      if (blockFirst) split.forEach((v, i) => hopFirst[i].push(v));
    }
    if (bare || raw) return pending.get(0)(ev.data);
    const p = pending.get(ev.data.id);
    pending.delete(ev.data.id);
    p(ev.data.value);
  };
  return (x) => new Promise((resolve) => {
    if (bare) {
      pending.set(0, resolve);
      target.postMessage(1);
      return;
    }
    if (raw) { // one bare Float32Array each way, no object around it
      pending.set(0, resolve);
      const b = new Float32Array(1 + x.image.length + x.audio.length);
      b[0] = transferOut ? 1 : 0;
      b.set(x.image, 1);
      b.set(x.audio, 1 + x.image.length);
      if (transferIn) target.postMessage(b, [b.buffer]);
      else target.postMessage(b);
      return;
    }
    const id = next++;
    pending.set(id, resolve);
    if (packed) { // both inputs in one buffer, as one array
      const b = new Float32Array(x.image.length + x.audio.length);
      b.set(x.image);
      b.set(x.audio, x.image.length);
      sent = performance.timeOrigin + performance.now();
      target.postMessage({ id, op: 'predict', packed: b, t: transferOut }, [b.buffer]);
      return;
    }
    const image = x.image.slice(), audio = x.audio.slice(); // as the module copies its inputs
    const msg = { id, op: 'predict', args: [{ image, audio }], t: transferOut, spin, hot };
    sent = performance.timeOrigin + performance.now();
    if (transferIn) target.postMessage(msg, [image.buffer, audio.buffer]);
    else target.postMessage(msg);
  });
}

// hot(call, post) keeps this thread's event loop busy while a call is pending
// (a chain of tasks, each posting the next), so that it is awake when the
// worker's answer arrives.
function hot(call, post) {
  return (x) => {
    let done = false;
    const p = call(x).finally(() => (done = true));
    const tick = () => { if (!done) post(tick); };
    post(tick);
    return p;
  };
}
const ch = new MessageChannel();
const chq = [];
ch.port1.onmessage = () => chq.shift()();
const viaChannel = (f) => { chq.push(f); ch.port2.postMessage(0); };
const viaPostTask = (f) => globalThis.scheduler.postTask(f);

window.runRtt = async ({ rounds, calls, variants, base, ort, idle = 0 }) => {
  const { load } = await import('/module/i2m2.mjs');
  let t0 = performance.now();
  const worker = await load({ worker: true });
  const loadMs = { worker: performance.now() - t0 };
  t0 = performance.now();
  const main = await load({ worker: false }); // a second instance, on this thread
  loadMs.main = performance.now() - t0;
  const stride = worker.info.stride;
  // idle: more worker-mode models that are loaded and never called (the bench page has one, ours-scalar)
  const idlers = [];
  for (let i = 0; i < idle; i++) idlers.push(await load({ worker: true, wasm: '/module/i2m2.wasm' }));
  const before = base ? await (await import('/base/i2m2.mjs')).load({ worker: true }) : null;
  const beforeMain = base ? await (await import('/base/i2m2.mjs')).load({ worker: false }) : null;
  const x = inputs(1, 7);
  const echo = (o, name) => {
    o = { ...o, name };
    const w = new Worker('./rtt-echo.mjs', { type: 'module' });
    w.postMessage({ stride });
    if (!o.channel) return echoVariant(w, w, o);
    const ch = new MessageChannel();
    w.postMessage({ port: true }, [ch.port2]);
    return echoVariant(w, ch.port1, o);
  };
  const lean = new Worker('./rtt-lean.mjs', { type: 'module' });
  {
    const module = await WebAssembly.compileStreaming(fetch('/module/i2m2.simd.wasm'));
    const model = new Uint8Array(await (await fetch('/module/weights/avmnist-real-int8.i2m2')).arrayBuffer());
    await new Promise((resolve, reject) => {
      lean.onmessage = resolve;
      lean.onerror = (e) => reject(new Error(e.message));
      lean.postMessage({ init: true, module, model });
    });
  }
  // The same engine on this thread, timed like the lean worker's handler.
  await import('/module/wasm_exec.js');
  const { startEngine } = await import('/module/i2m2.engine.mjs');
  const mainEngine = await startEngine(await WebAssembly.compileStreaming(fetch('/module/i2m2.simd.wasm')));
  await mainEngine.call('load', new Uint8Array(await (await fetch('/module/weights/avmnist-real-int8.i2m2')).arrayBuffer()), undefined, null);
  const mainSpent = (inWorker['lean engine on this thread'] = []);
  const ortRt = ort ? await RUNTIMES.ort.create({
    bytes: async (f) => (await fetch(`/gen/${f}`)).arrayBuffer(),
    async ort() {
      const m = await import('/ort/ort.wasm.min.mjs');
      m.env.wasm.wasmPaths = new URL('/ort/', location.href).href;
      return m;
    },
  }) : null;
  // A SharedArrayBuffer + Atomics round trip (needs cross-origin isolation,
  // which this package does not ask of a page): Atomics.wait in the worker,
  // Atomics.waitAsync here.
  const sabEcho = (spin) => {
    const n = 784 + 1600;
    const sab = new SharedArrayBuffer(16 + 4 * (n + stride));
    const ctl = new Int32Array(sab, 0, 4);
    const data = new Float32Array(sab, 16);
    new Worker('./rtt-sab.mjs').postMessage({ sab, inputs: n, stride, spin });
    return async (s) => {
      data.set(s.image, 0);
      data.set(s.audio, 784);
      Atomics.store(ctl, 1, 0);
      Atomics.store(ctl, 0, 1);
      Atomics.notify(ctl, 0);
      const r = Atomics.waitAsync(ctl, 1, 0);
      if (r.async) await r.value;
      return data.slice(n, n + stride);
    };
  };
  const all = {
    ...(globalThis.crossOriginIsolated ? { 'SAB+Atomics echo': sabEcho(0), 'SAB+Atomics echo + 0.4 ms busy': sabEcho(0.4) } : {}),
    ...(ortRt ? { 'ORT (1 thread)': (s) => ortRt.run(s.image, s.audio, 1) } : {}),
    'lean engine on this thread': async (s) => {
      const x = { image: s.image.slice(), audio: s.audio.slice() };
      const t0 = performance.now();
      const v = mainEngine.fast.predict(x);
      mainSpent.push(performance.now() - t0);
      return v;
    },
    'lean engine worker (sync reply)': echoVariant(lean, lean, { transferIn: true, transferOut: true, name: 'lean engine worker (sync reply)' }),
    'echo bare number': echo({ bare: true }, 'echo bare number'),
    'echo packed transfer/transfer': echo({ transferIn: true, transferOut: true, packed: true }, 'echo packed transfer/transfer'),
    'echo raw transfer/transfer': echo({ raw: true, transferIn: true, transferOut: true }, 'echo raw transfer/transfer'),
    'echo raw clone/clone': echo({ raw: true }, 'echo raw clone/clone'),
    'echo raw transfer/clone': echo({ raw: true, transferIn: true }, 'echo raw transfer/clone'),
    'echo transfer/clone': echo({ transferIn: true, transferOut: false }, 'echo transfer/clone'),
    'echo clone/clone': echo({ transferIn: false, transferOut: false }, 'echo clone/clone'),
    'echo transfer/transfer': echo({ transferIn: true, transferOut: true }, 'echo transfer/transfer'),
    'echo clone in/transfer out': echo({ transferIn: false, transferOut: true }, 'echo clone in/transfer out'),
    'echo MessageChannel transfer/transfer': echo({ transferIn: true, transferOut: true, channel: true }, 'echo MessageChannel transfer/transfer'),
    'echo MessageChannel clone/clone': echo({ transferIn: false, transferOut: false, channel: true }, 'echo MessageChannel clone/clone'),
    'echo transfer/transfer + 0.4 ms busy': echo({ transferIn: true, transferOut: true, spin: 0.4 }, 'echo transfer/transfer + 0.4 ms busy'),
    'echo + 0.4 ms busy; hot wait (MessageChannel)': hot(echo({ transferIn: true, transferOut: true, spin: 0.4 }, 'echo + 0.4 ms busy; hot wait (MessageChannel)'), viaChannel),
    'echo + 0.4 ms busy; hot wait (postTask)': hot(echo({ transferIn: true, transferOut: true, spin: 0.4 }, 'echo + 0.4 ms busy; hot wait (postTask)'), viaPostTask),
    'echo + 0.4 ms busy; hot worker': echo({ transferIn: true, transferOut: true, spin: 0.4, hot: 0.3 }, 'echo + 0.4 ms busy; hot worker'),
    'echo + 0.4 ms busy; hot both': hot(echo({ transferIn: true, transferOut: true, spin: 0.4, hot: 0.3 }, 'echo + 0.4 ms busy; hot both'), viaPostTask),
    'idle 5 ms': () => new Promise((r) => setTimeout(r, 5)),
    'main thread 5 ms busy': async () => { for (const t = performance.now(); performance.now() - t < 5;); },
    'main thread 0.4 ms busy': async () => { for (const t = performance.now(); performance.now() - t < 0.4;); },
    'ours worker predict': (s) => worker.predict(s),
    'ours worker predict, hot wait (postTask)': hot((s) => worker.predict(s), viaPostTask),
    'ours main-thread predict': (s) => main.predict(s),
    ...(before ? { 'base worker predict': (s) => before.predict(s), 'base main-thread predict': (s) => beforeMain.predict(s) } : {}),
  };
  const run = variants ? Object.fromEntries(variants.map((k) => [k, all[k]])) : all;
  const ids = Object.keys(run);
  const t = Object.fromEntries(ids.map((id) => [id, []]));
  const first = {};
  for (const id of ids) for (let i = 0; i < 50; i++) await run[id](x); // warm-up
  for (let r = 0; r < rounds; r++) {
    for (let j = 0; j < ids.length; j++) {
      const id = ids[(j + r) % ids.length];
      // A block of calls per sample: performance.now() is coarsened (100 us)
      // in a page that is not cross-origin isolated.
      const t0 = performance.now();
      blockFirst = true;
      await run[id](x);
      blockFirst = false;
      const t1 = performance.now();
      for (let i = 1; i < calls; i++) await run[id](x);
      t[id].push((performance.now() - t0) / calls);
      (first[id] ??= []).push(t1 - t0); // the block's first call: after the other variants' turns
    }
  }
  // Responsiveness: the longest the event loop went without running a task
  // (a MessageChannel heartbeat) while 200 awaited predicts ran, per mode.
  const blocked = {};
  for (const [id, m] of [['worker', worker], ['main thread', main]]) {
    const hb = new MessageChannel();
    let last = performance.now(), worst = 0, on = true;
    hb.port1.onmessage = () => {
      const t = performance.now();
      worst = Math.max(worst, t - last);
      last = t;
      if (on) hb.port2.postMessage(0);
    };
    hb.port2.postMessage(0);
    await new Promise((r) => setTimeout(r, 20));
    const t0 = performance.now();
    for (let i = 0; i < 200; i++) await m.predict(x);
    const ms = performance.now() - t0;
    await new Promise((r) => setTimeout(r, 20));
    on = false;
    worst = Math.max(worst, performance.now() - last);
    blocked[id] = { loop_ms: ms, longest_without_a_task_ms: worst };
  }
  worker.dispose();
  main.dispose();
  if (before) before.dispose(), beforeMain.dispose();
  await mainEngine.call('dispose');
  if (ortRt) await ortRt.dispose();
  for (const m of idlers) m.dispose();
  lean.terminate();
  const out = {};
  for (const id of ids) out[id] = stats(t[id]);
  for (const id of ids) out[`  ${id}: the first call of a block`] = stats(first[id]);
  for (const [id, v] of Object.entries(inWorker)) if (v.length) out[`  (in the handler: ${id})`] = stats(v);
  for (const [id, h] of Object.entries(hops)) {
    if (!h[0].length) continue;
    out[`  ${id}: to the worker`] = stats(h[0]);
    out[`  ${id}: in the worker`] = stats(h[1]);
    out[`  ${id}: back`] = stats(h[2]);
    const f = hopsFirst[id];
    out[`  ${id}: a block's first call: to the worker`] = stats(f[0]);
    out[`  ${id}: a block's first call: in the worker`] = stats(f[1]);
    out[`  ${id}: a block's first call: back`] = stats(f[2]);
  }
  return { stride, ms: out, load_ms: loadMs, blocked, userAgent: navigator.userAgent, crossOriginIsolated };
};
window.rttReady = true;
