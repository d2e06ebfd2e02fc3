// i2m2.model.mjs: the model facade load() resolves with: predict and
// predictBatch (inputs copied and type-checked here, names, lengths and values
// by the engine; a batch split over the workers), the packed results decoded
// (wasm/api.go, Stride), features, dispose. Rules: see i2m2.core.mjs.
import { PREFIX, fail, sampleFail, typeName } from './i2m2.core.mjs';
import { modalitySizes } from './i2m2.fast.mjs';
import { packSample } from './i2m2.protocol.mjs';

// plainInputs copies a sample {modality: Float32Array|null} into a plain
// object, reading every property here (a throwing getter or a Proxy fails in
// JS, never inside the Go runtime), and checks the value types. Names,
// lengths and values are checked by the Go side.
function plainInputs(x) {
  if (x === null || typeof x !== 'object' || Array.isArray(x) || ArrayBuffer.isView(x)) {
    throw fail(`bad input: inputs must be an object {modality: Float32Array}, got ${typeName(x)}`);
  }
  const out = {};
  let keys;
  try {
    keys = Object.keys(x);
  } catch (e) {
    throw fail(`bad input: cannot list the modalities: ${e && e.message}`);
  }
  for (const k of keys) {
    let v;
    try {
      v = x[k];
    } catch (e) {
      throw fail(`bad input: reading modality ${JSON.stringify(k)} threw: ${e && e.message}`);
    }
    if (v != null && !(v instanceof Float32Array)) {
      throw fail(`bad input: modality ${JSON.stringify(k)} must be a Float32Array, got ${typeName(v)}`);
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
    for (let i = 0; i < batch.length; i++) {
      try {
        out[i] = plainInputs(batch[i]);
      } catch (e) {
        throw sampleFail(i, e.message.slice(PREFIX.length));
      }
    }
    return out;
  }
  if (batch === null || typeof batch !== 'object' || ArrayBuffer.isView(batch)) {
    throw fail(`bad input: a batch must be an Array of inputs or an object {modality: Float32Array of n*size values}, got ${typeName(batch)}`);
  }
  return plainInputs(batch);
}

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
    // The inputs are copied (packSample or plainInputs) before the first
    // await, that is before the Promise is returned: the caller may reuse its
    // arrays at once.
    const mods = modalitySizes(info);
    this.predict = async (inputs) => {
      const be = use();
      // In worker mode a well-formed sample goes packed (i2m2.protocol.mjs).
      const packed = be.predictPacked ? packSample(inputs, mods) : null;
      if (packed) return decode(await be.predictPacked(rr++ % be.size, packed), info, 0);
      const x = plainInputs(inputs);
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
          throw typeof e.sample === 'number' ? sampleFail(e.sample + lo, e.reason) : e;
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
