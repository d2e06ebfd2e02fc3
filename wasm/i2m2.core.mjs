// i2m2.core.mjs: the engine (one Go instance), its backends (this thread or
// dedicated workers) and the model facade, shared by the loader
// (i2m2.load.mjs), the worker (i2m2.worker.mjs) and the classic-script build
// for file:// (i2m2.classic.js, made from both files by build-classic.mjs).
//
// Rules for this file: no imports but i2m2.fast.mjs and nothing module-only
// (the classic build is a plain script: build-classic.mjs inlines the
// modules), no code from strings (CSP: script-src 'self' 'wasm-unsafe-eval').
// It needs globalThis.Go from Go's wasm_exec.js.
import { fastEngine } from './i2m2.fast.mjs';

export const PREFIX = 'i2m2: ';

export function fail(msg) {
  return new Error(PREFIX + msg);
}

export function errorOf(e) {
  if (e instanceof Error) {
    return e.message.startsWith(PREFIX) || e.message.startsWith('features: ') ? e : new Error(PREFIX + e.message, { cause: e });
  }
  return fail(String(e));
}

export function typeName(v) {
  if (v === null) return 'null';
  if (typeof v !== 'object') return typeof v;
  try {
    return (v.constructor && v.constructor.name) || 'object';
  } catch {
    return 'object';
  }
}

// plainInputs copies a sample {modality: Float32Array|null} into a plain
// object, reading every property here (a throwing getter or a Proxy fails in
// JS, never inside the Go runtime), and checks the value types. Names,
// lengths and values are checked by the Go side.
function plainInputs(x, where) {
  if (x === null || typeof x !== 'object' || Array.isArray(x) || ArrayBuffer.isView(x)) {
    throw fail(`bad input: ${where}inputs must be an object {modality: Float32Array}, got ${typeName(x)}`);
  }
  const out = {};
  let keys;
  try {
    keys = Object.keys(x);
  } catch (e) {
    throw fail(`bad input: ${where}cannot list the modalities: ${e && e.message}`);
  }
  for (const k of keys) {
    let v;
    try {
      v = x[k];
    } catch (e) {
      throw fail(`bad input: ${where}reading modality ${JSON.stringify(k)} threw: ${e && e.message}`);
    }
    if (v != null && !(v instanceof Float32Array)) {
      throw fail(`bad input: ${where}modality ${JSON.stringify(k)} must be a Float32Array, got ${typeName(v)}`);
    }
    // A copy, made before the call returns: the engine reads it later (after
    // a macrotask, or in a worker), when the caller may have reused the array.
    // A view's copy is compact, so posting it never clones a larger buffer.
    out[k] = v == null ? v : v.slice();
  }
  return out;
}

// buffersOf lists the ArrayBuffers of a copied sample or batch, to transfer
// them to a worker instead of cloning them again.
function buffersOf(x) {
  const out = [];
  for (const s of Array.isArray(x) ? x : [x]) {
    for (const k of Object.keys(s)) if (s[k]) out.push(s[k].buffer);
  }
  return out;
}

// copyArg copies a typed array argument (see plainInputs); anything else is
// passed as is for the engine to reject.
function copyArg(v) {
  return ArrayBuffer.isView(v) && !(v instanceof DataView) ? v.slice() : v;
}

function plainBatch(batch) {
  if (Array.isArray(batch)) {
    const out = new Array(batch.length);
    for (let i = 0; i < batch.length; i++) out[i] = plainInputs(batch[i], `sample ${i}: `);
    return out;
  }
  if (batch === null || typeof batch !== 'object' || ArrayBuffer.isView(batch)) {
    throw fail(`bad input: a batch must be an Array of inputs or an object {modality: Float32Array of n*size values}, got ${typeName(batch)}`);
  }
  return plainInputs(batch, '');
}

// ---------------------------------------------------------------------------
// One Go instance (in this thread).

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
// returns a Promise) wrapped so that calls after an exit reject.
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
    const call = (name, ...args) => {
      if (exited || disposed) return Promise.reject(gone());
      if (name === 'dispose') {
        if (fast) fast.detach();
        const p = slow(name, args);
        disposed = true;
        return p;
      }
      if (fast && name === 'predict') {
        let r = null;
        try {
          r = fast.predict(args[0]);
        } catch { /* a throwing getter: the async API reports it */ }
        if (r) return Promise.resolve(r);
      }
      if (fast && name === 'predictBatch') return fast.predictBatch(args[0]).catch(() => null).then((r) => r || slow(name, args));
      const p = slow(name, args);
      if (fast && name === 'load') return p.then((info) => (fast.attach(info), info), (e) => { fast.detach(); throw e; });
      return p;
    };
    return { call, exited: () => exited, run, fast, slow }; // fast, slow: for the tests
  } finally {
    delete globalThis[key];
  }
}

// ---------------------------------------------------------------------------
// Results.

// decode turns the packed result of one sample (wasm/api.go, Stride) into the
// result object. The arrays are Float32Array views of f.
function decode(f, info, off) {
  const k = info.classes.length;
  let i = off;
  const take = () => f.subarray(i, (i += k));
  const label = f[i++];
  const probs = take();
  const logProbs = take();
  const hasIntra = f[i++] === 1;
  const intraLabel = f[i++];
  const intraProbs = take();
  const intraLogProbs = take();
  const experts = {};
  const used = [];
  for (const e of info.experts) {
    const u = f[i++] === 1;
    const l = f[i++];
    const logits = take();
    const p = take();
    const lp = take();
    experts[e.name] = u
      ? { label: l, probs: p, logProbs: lp, logits, used: true }
      : { label: -1, probs: null, logProbs: null, logits: null, used: false };
    if (u) used.push(e.name);
  }
  return {
    label,
    probs,
    logProbs,
    used,
    experts,
    intraOnly: hasIntra ? { label: intraLabel, probs: intraProbs, logProbs: intraLogProbs } : null,
  };
}

function decodeBatch(f, info) {
  const out = [];
  for (let off = 0; off < f.length; off += info.stride) out.push(decode(f, info, off));
  return out;
}

// ---------------------------------------------------------------------------
// Backends: the Go instance in this thread, or n dedicated workers.

export class LocalBackend {
  constructor(engine) {
    this.engine = engine;
    this.size = 1;
  }
  call(i, op, args) {
    return this.engine.call(op, ...args);
  }
  dispose() {
    return this.engine.call('dispose');
  }
}

export class WorkerBackend {
  constructor(workers) {
    this.workers = workers.map((w) => ({ w, pending: new Map(), dead: null }));
    this.size = workers.length;
    this.next = 1;
    for (const s of this.workers) {
      s.w.onmessage = (ev) => {
        const m = ev.data;
        const p = s.pending.get(m.id);
        if (!p) return;
        s.pending.delete(m.id);
        if (m.ok) p.resolve(m.value);
        else p.reject(fail(m.message.replace(PREFIX, '')));
      };
      const die = (msg) => {
        s.dead = fail(msg);
        for (const p of s.pending.values()) p.reject(s.dead);
        s.pending.clear();
      };
      s.w.onerror = (ev) => {
        if (ev.preventDefault) ev.preventDefault();
        die(ev.message
          ? `the worker failed: ${ev.message}${ev.filename ? ` (${ev.filename}:${ev.lineno})` : ''}`
          : 'the worker failed to start (is i2m2.worker.mjs served next to i2m2.mjs, with wasm_exec.js and i2m2.core.mjs? see the console)');
      };
      s.w.onmessageerror = () => die('a message from the worker could not be deserialised');
    }
  }
  call(i, op, args, transfer = []) {
    const s = this.workers[i % this.size];
    if (s.dead) return Promise.reject(s.dead);
    const id = this.next++;
    return new Promise((resolve, reject) => {
      s.pending.set(id, { resolve, reject });
      try {
        s.w.postMessage({ id, op, args }, transfer);
      } catch (e) {
        s.pending.delete(id);
        reject(fail(`the arguments of ${op} cannot be sent to the worker: ${e.message}`));
      }
    });
  }
  dispose() {
    for (const s of this.workers) {
      s.w.terminate();
      s.dead = fail('the model was disposed');
      for (const p of s.pending.values()) p.reject(s.dead);
      s.pending.clear();
    }
    return Promise.resolve();
  }
}

// serveWorker runs inside a dedicated worker: one Go instance, driven by
// messages {id, op, args}; replies {id, ok, value|message}.
export function serveWorker(scope) {
  let engine = null;
  let starting = null;
  scope.onmessage = async (ev) => {
    const { id, op, args } = ev.data || {};
    try {
      let value;
      if (op === 'init') {
        const [module, model, path, digest] = args;
        starting = startEngine(module, (f) => queueMicrotask(f), Infinity); // a batch in one go: nothing else runs here
        engine = await starting;
        value = await engine.call('load', model, path, digest);
      } else {
        if (!engine) engine = await starting;
        if (!engine) throw fail('the worker was not initialised');
        value = await engine.call(op, ...args);
      }
      const transfer = ArrayBuffer.isView(value) ? [value.buffer] : [];
      scope.postMessage({ id, ok: true, value }, transfer);
    } catch (e) {
      scope.postMessage({ id, ok: false, message: errorOf(e).message });
    }
  };
}

// ---------------------------------------------------------------------------
// The model facade.

function batchCount(batch, info) {
  if (Array.isArray(batch)) return batch.length;
  // Unknown names: not split, so that the engine reports them.
  if (Object.keys(batch).some((k) => !info.modalities.some((md) => md.name === k))) return -1;
  let n = -1;
  for (const md of info.modalities) {
    const v = batch[md.name];
    if (v == null || !(v instanceof Float32Array)) continue;
    const size = md.shape[0] * md.shape[1] * md.shape[2];
    if (v.length % size !== 0 || (n >= 0 && v.length / size !== n)) return -1;
    n = v.length / size;
  }
  return n;
}

function sliceBatch(batch, info, a, b) {
  if (Array.isArray(batch)) return batch.slice(a, b);
  const out = {};
  for (const md of info.modalities) {
    const v = batch[md.name];
    if (v == null) continue;
    const size = md.shape[0] * md.shape[1] * md.shape[2];
    out[md.name] = v.slice(a * size, b * size); // a copy: posting a view would clone its whole buffer
  }
  return out;
}

export class Model {
  constructor(backend, info) {
    this.info = info;
    let b = backend;
    let rr = 0;
    const use = () => {
      if (!b) throw fail('the model was disposed');
      return b;
    };
    const call = async (op, args) => {
      const be = use();
      return be.call(rr++ % be.size, op, args);
    };
    // The inputs are copied (plainInputs) before the first await, that is
    // before the Promise is returned: the caller may reuse its arrays at once.
    this.predict = async (inputs) => {
      const be = use();
      const x = plainInputs(inputs, '');
      return decode(await be.call(rr++ % be.size, 'predict', [x], buffersOf(x)), info, 0);
    };
    this.predictBatch = async (batch) => predictBatch(use(), plainBatch(batch));
    const predictBatch = async (be, batch) => {
      const n = batch !== null && typeof batch === 'object' ? batchCount(batch, info) : -1;
      if (be.size === 1 || n < 2) {
        return decodeBatch(await be.call(0, 'predictBatch', [batch], buffersOf(batch)), info);
      }
      const parts = Math.min(be.size, n);
      const jobs = [];
      for (let w = 0; w < parts; w++) {
        const lo = Math.floor((n * w) / parts);
        const hi = Math.floor((n * (w + 1)) / parts);
        jobs.push(be.call(w, 'predictBatch', [sliceBatch(batch, info, lo, hi)]).catch((e) => {
          throw /sample \d+/.test(e.message) ? fail(e.message.replace(PREFIX, '').replace(/sample (\d+)/, (_, d) => `sample ${Number(d) + lo}`)) : e;
        }));
      }
      return (await Promise.all(jobs)).flatMap((f) => decodeBatch(f, info));
    };
    this.features = Object.freeze({
      audioFromPCM: (pcm, sampleRate) => call('audioFromPCM', [copyArg(pcm), sampleRate]),
      imageFromRGBA: (rgba, width, height) => call('imageFromRGBA', [copyArg(rgba), width, height]),
    });
    this.dispose = () => {
      if (!b) return;
      const be = b;
      b = null;
      be.dispose().catch(() => {});
    };
    Object.freeze(this);
  }
}

