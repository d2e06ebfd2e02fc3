// i2m2.engine.mjs: one Go instance in this thread: instantiating the wasm,
// running the Go program, and its raw API (wasm/api.go) wrapped so that calls
// after an exit or a dispose reject; predict and predictBatch try the
// synchronous path (i2m2.fast.mjs) first. Needs globalThis.Go from Go's
// wasm_exec.js. Rules: see i2m2.core.mjs.
import { fail, errorOf } from './i2m2.core.mjs';
import { fastEngine } from './i2m2.fast.mjs';

// macrotask returns a function running a callback in a later macrotask, so the
// page stays responsive between calls (and between the samples of a batch).
function macrotask() {
  if (typeof globalThis.setImmediate === 'function') return (f) => globalThis.setImmediate(f);
  if (typeof MessageChannel === 'function') {
    const ch = new MessageChannel();
    const queue = [];
    ch.port1.onmessage = () => queue.shift()();
    return (f) => {
      queue.push(f);
      ch.port2.postMessage(0);
    };
  }
  return (f) => setTimeout(f, 0);
}

let instances = 0;

// startEngine instantiates the Go program and resolves with its raw API
// (load, info, predict, predictBatch, audioFromPCM, imageFromRGBA, dispose; each
// returns a Promise) wrapped so that calls after an exit reject, and predictNow
// (the synchronous path alone, for serveWorker).
// perYield: samples of a batch between two yields to the event loop (8 on a
// page's main thread: one call of the engine's batch, a few ms with the SIMD
// kernels; a worker passes Infinity).
export async function startEngine(module, schedule = macrotask(), perYield = 8) {
  if (typeof globalThis.Go !== 'function') throw fail("Go's wasm_exec.js is not loaded (globalThis.Go is missing)");
  const go = new globalThis.Go();
  const key = `__i2m2_${++instances}_${Math.random().toString(36).slice(2)}`;
  let ready;
  const api = new Promise((resolve) => (ready = resolve));
  globalThis[key] = { schedule, ready };
  go.argv = ['i2m2', key];
  // GOGC 400: at Go's default (100, a first collection at a 4 MB heap) the
  // runtime collects two or three times while load reads a model (its float32
  // weights and their packed copies are a few MB), in a fresh instance on V8's
  // baseline code: tens of ms of a cold start (bench/README.md). At 400 the
  // first collection comes at 16 MB, after the load; predictions allocate
  // nothing (model/'s zero-allocation tests), so the heap stays the model's.
  // (An environment variable, as the runtime reads it at start: runtime/debug
  // would link fmt into the engine.)
  go.env = { ...go.env, GOGC: '400' };
  // On exit, drop the runtime's pending timers: wasm_exec.js would otherwise
  // resume the exited program from a setTimeout and throw "Go program has
  // already exited" as an uncaught exception.
  let exitCode = 0;
  go.exit = (code) => {
    exitCode = code;
    if (go._scheduledTimeouts) {
      for (const t of go._scheduledTimeouts.values()) clearTimeout(t);
      go._scheduledTimeouts.clear();
    }
    if (code !== 0) console.warn(`i2m2: the Go program exited with code ${code}`);
  };
  let exited = false;
  try {
    const inst = await WebAssembly.instantiate(module, go.importObject);
    const run = go.run(inst).then(() => (exited = true), () => (exited = true));
    const raw = await Promise.race([api, run.then(() => { throw fail('the Go program exited during start-up'); })]);
    let disposed = false;
    const gone = () => fail(disposed ? 'the model was disposed' : `the engine stopped (the Go program exited with code ${exitCode}); load the model again`);
    const slow = (name, args) => {
      if (exited || disposed) return Promise.reject(gone());
      try {
        return raw[name](...args).catch((e) => { throw errorOf(e); });
      } catch (e) {
        // wasm_exec.js throws "Go program has already exited" after an exit.
        return Promise.reject(/already exited/.test(e && e.message) ? gone() : errorOf(e));
      }
    };
    // predict and predictBatch try the synchronous path first (i2m2.fast.mjs);
    // it declines (null) whatever the async API must answer or explain.
    const fast = fastEngine(inst, () => new Promise((r) => schedule(r)), perYield);
    // predictNow: the packed result of one sample from the synchronous path
    // (into dst when given), or null where the async API must answer.
    const predictNow = (x, dst) => {
      if (!fast || exited || disposed) return null;
      try {
        return fast.predict(x, dst);
      } catch {
        return null; // a throwing getter: the async API reports it
      }
    };
    const call = (name, ...args) => {
      if (exited || disposed) return Promise.reject(gone());
      if (name === 'dispose') {
        if (fast) fast.detach();
        const p = slow(name, args);
        disposed = true;
        return p;
      }
      if (name === 'predict') {
        const r = predictNow(args[0]);
        if (r) return Promise.resolve(r);
      }
      if (fast && name === 'predictBatch') return fast.predictBatch(args[0]).catch(() => null).then((r) => r || slow(name, args));
      const p = slow(name, args);
      if (fast && name === 'load') return p.then((info) => (fast.attach(info), info), (e) => { fast.detach(); throw e; });
      return p;
    };
    return { call, predictNow, exited: () => exited, run, fast, slow }; // fast, slow: for the tests
  } finally {
    delete globalThis[key];
  }
}
