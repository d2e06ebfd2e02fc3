// i2m2.protocol.mjs: the backends a model runs on: the Go instance in this
// thread, or n dedicated workers driven by messages {id, op, args} and
// answering {id, ok, value} or {id, ok: false, message, sample?, reason?} (the
// worker side is serveWorker). A single sample whose every value has its
// modality's length goes as one transferred ArrayBuffer instead (packSample:
// int32 id, int32 modality mask, then the present modalities' values in the
// model's order), and its result comes back the same way (int32 id, then the
// Stride float32s of wasm/api.go) when the synchronous path answers; anything
// else is answered with the object messages above. A bare buffer each way
// costs less than objects around typed arrays (bench/README.md, "Batch 1 in a
// worker"). Rules: see i2m2.core.mjs.
import { PREFIX, fail, errorOf, sampleFail } from './i2m2.core.mjs';
import { startEngine } from './i2m2.engine.mjs';
import { modalitySizes } from './i2m2.fast.mjs';

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

const HEAD = 8; // bytes before a packed sample's values: id, mask

// packSample copies a sample into a packed request (see above), or returns
// null unless every key is a modality and every value null, undefined or a
// Float32Array of its length (plainInputs and the engine explain the rest).
// Each property is read once; a throwing read also returns null.
export function packSample(x, mods) {
  if (x === null || typeof x !== 'object' || Array.isArray(x) || ArrayBuffer.isView(x) || mods.length > 30) return null;
  const vals = new Array(mods.length);
  let mask = 0;
  let n = 0;
  try {
    for (const k of Object.keys(x)) {
      const i = mods.findIndex((m) => m.name === k);
      if (i < 0) return null;
      const v = x[k];
      if (v == null) continue;
      if (!(v instanceof Float32Array) || v.length !== mods[i].size) return null;
      vals[i] = v;
      mask |= 1 << i;
      n += v.length;
    }
  } catch {
    return null;
  }
  if (mask === 0) return null;
  const buf = new ArrayBuffer(HEAD + 4 * n);
  new Int32Array(buf, 4, 1)[0] = mask;
  let off = HEAD;
  for (const v of vals) {
    if (!v) continue;
    new Float32Array(buf, off, v.length).set(v);
    off += 4 * v.length;
  }
  return buf;
}

// unpackSample is packSample's inverse: the id and the sample, its arrays
// views of buf.
function unpackSample(buf, mods) {
  const [id, mask] = new Int32Array(buf, 0, 2);
  const x = {};
  let off = HEAD;
  for (let i = 0; i < mods.length; i++) {
    if (!(mask & (1 << i))) continue;
    x[mods[i].name] = new Float32Array(buf, off, mods[i].size);
    off += 4 * mods[i].size;
  }
  return { id, x };
}

export class WorkerBackend {
  constructor(workers) {
    this.workers = workers.map((w) => ({ w, pending: new Map(), dead: null }));
    this.size = workers.length;
    this.next = 1;
    for (const s of this.workers) {
      s.w.onmessage = (ev) => {
        const m = ev.data;
        if (m instanceof ArrayBuffer) { // a packed result: int32 id, then the result
          const id = new Int32Array(m, 0, 1)[0];
          const p = s.pending.get(id);
          if (!p) return;
          s.pending.delete(id);
          p.resolve(new Float32Array(m, 4));
          return;
        }
        const p = s.pending.get(m.id);
        if (!p) return;
        s.pending.delete(m.id);
        if (m.ok) p.resolve(m.value);
        else p.reject(typeof m.sample === 'number' ? sampleFail(m.sample, m.reason) : fail(m.message.replace(PREFIX, '')));
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
  // id returns the next call id (an int32: packed messages carry it as one).
  id() {
    const id = this.next;
    this.next = id >= 0x7fffffff ? 1 : id + 1;
    return id;
  }
  // predictPacked sends a packed sample (packSample) to worker i and resolves
  // with its packed result.
  predictPacked(i, buf) {
    const s = this.workers[i % this.size];
    if (s.dead) return Promise.reject(s.dead);
    const id = this.id();
    new Int32Array(buf, 0, 1)[0] = id;
    return new Promise((resolve, reject) => {
      s.pending.set(id, { resolve, reject });
      s.w.postMessage(buf, [buf]);
    });
  }
  call(i, op, args, transfer = []) {
    const s = this.workers[i % this.size];
    if (s.dead) return Promise.reject(s.dead);
    const id = this.id();
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
// messages {id, op, args} (replies {id, ok, value|message}) and by packed
// samples (packSample; a packed reply when the synchronous path answers).
export function serveWorker(scope) {
  let engine = null;
  let starting = null;
  let mods = null; // modalitySizes of the loaded model
  let stride = 0;
  scope.onmessage = (ev) => {
    const m = ev.data;
    if (!(m instanceof ArrayBuffer)) {
      serve(m || {});
      return;
    }
    // A packed sample: answered from this handler by the synchronous path,
    // else by the async API (whose errors say what is wrong).
    const { id, x } = unpackSample(m, mods || []);
    if (engine && mods) {
      const out = new ArrayBuffer(4 + 4 * stride);
      if (engine.predictNow(x, new Float32Array(out, 4))) {
        new Int32Array(out, 0, 1)[0] = id;
        scope.postMessage(out, [out]);
        return;
      }
    }
    serve({ id, op: 'predict', args: [x] });
  };
  const serve = async ({ id, op, args }) => {
    try {
      let value;
      if (op === 'init') {
        const [module, model, path, sums] = args; // sums: the file's digests (wasm/digest.go)
        starting = startEngine(module, (f) => queueMicrotask(f), Infinity); // a batch in one go: nothing else runs here
        engine = await starting;
        value = await engine.call('load', model, path, sums);
        const info = JSON.parse(value);
        mods = modalitySizes(info);
        stride = info.stride;
      } else {
        if (!engine) engine = await starting;
        if (!engine) throw fail('the worker was not initialised');
        value = await engine.call(op, ...args);
      }
      const transfer = ArrayBuffer.isView(value) ? [value.buffer] : [];
      scope.postMessage({ id, ok: true, value }, transfer);
    } catch (e) {
      const err = errorOf(e);
      scope.postMessage({ id, ok: false, message: err.message, sample: err.sample, reason: err.reason });
    }
  };
}
