// The synchronous path to the engine (wasm/fast.go): inputs are written
// straight into the Go program's memory, one exported function runs the
// prediction with plain numbers, and the packed result (Stride float32s per
// sample, decoded by i2m2.core.mjs) is copied out once. No js.Value,
// Promise, goroutine or finalizer per call on the Go side. Whenever this
// path declines (an input it does not accept as is, a failure in the engine,
// an older wasm without the exports), it returns null and the caller uses the
// async API, whose errors say what is wrong.

const OK = 0;
const INPUT = 0, OUTPUT = 1, BATCH_INPUT = 2, BATCH_OUTPUT = 3; // i2m2_buffer kinds

// modalitySizes lists {name, size} of a model's modalities (info JSON).
export function modalitySizes(info) {
  return info.modalities.map((m) => ({ name: m.name, size: m.shape.reduce((a, b) => a * b, 1) }));
}

// fastEngine returns the fast path of one instance, or null if its wasm has
// none. yieldNow() resolves after the event loop ran; perYield is how many
// samples of a batch run between two yields, each slice one call of the
// engine's batch (Predictor.PredictBatch: layer by layer over the samples).
export function fastEngine(inst, yieldNow, perYield) {
  const x = inst.exports;
  if (typeof x.i2m2_predict !== 'function' || typeof x.i2m2_predict_batch !== 'function' || !x.mem) return null;
  let mods = null; // [{name, size}] of the loaded model
  let stride = 0;
  let batchBusy = false;
  const view = (ptr, n) => new Float32Array(x.mem.buffer, ptr, n);

  // maskOf returns the modality bit mask of sample s, or -1 unless every key
  // is a modality and every value null, undefined or a Float32Array of the
  // right length (the async API reports the rest).
  function maskOf(s) {
    if (s === null || typeof s !== 'object' || Array.isArray(s) || ArrayBuffer.isView(s)) return -1;
    let mask = 0;
    let keys = 0;
    for (let i = 0; i < mods.length; i++) {
      const v = s[mods[i].name];
      if (v === undefined && !Object.prototype.hasOwnProperty.call(s, mods[i].name)) continue;
      keys++;
      if (v === null || v === undefined) continue;
      if (!(v instanceof Float32Array) || v.length !== mods[i].size) return -1;
      mask |= 1 << i;
    }
    return keys === Object.keys(s).length && mask !== 0 ? mask : -1;
  }

  return {
    // attach takes the engine's info JSON after a load; detach after a dispose.
    attach(infoJSON) {
      const info = JSON.parse(infoJSON);
      mods = info.modalities.length <= 30 ? modalitySizes(info) : null;
      stride = info.stride;
    },
    detach() {
      mods = null;
    },
    // predict returns the packed result of one sample (in dst when given: a
    // Float32Array of Stride values), or null.
    predict(s, dst) {
      if (!mods) return null;
      const mask = maskOf(s);
      if (mask < 0) return null;
      const out = x.i2m2_buffer(OUTPUT, 0); // may allocate: before the input views
      if (!out) return null;
      for (let i = 0; i < mods.length; i++) {
        if (!(mask & (1 << i))) continue;
        const p = x.i2m2_buffer(INPUT, i);
        if (!p) return null;
        view(p, mods[i].size).set(s[mods[i].name]);
      }
      if (x.i2m2_predict(mask) !== OK) return null;
      if (!dst) return view(out, stride).slice();
      dst.set(view(out, stride));
      return dst;
    },
    // predictBatch resolves with the packed results of a batch (an Array of
    // samples with the same modalities, or {modality: n samples back to
    // back}), or null.
    async predictBatch(b) {
      if (!mods || batchBusy) return null;
      let n, mask;
      const arrays = Array.isArray(b);
      if (arrays) {
        n = b.length;
        if (n === 0) return null;
        mask = maskOf(b[0]);
        for (let i = 1; i < n && mask >= 0; i++) if (maskOf(b[i]) !== mask) mask = -1;
      } else {
        if (b === null || typeof b !== 'object' || ArrayBuffer.isView(b)) return null;
        n = -1;
        mask = 0;
        for (const k of Object.keys(b)) if (!mods.some((m) => m.name === k)) return null;
        for (let i = 0; i < mods.length; i++) {
          const v = b[mods[i].name];
          if (v == null) continue;
          if (!(v instanceof Float32Array) || v.length % mods[i].size !== 0 || (n >= 0 && v.length / mods[i].size !== n)) return null;
          n = v.length / mods[i].size;
          mask |= 1 << i;
        }
      }
      if (mask <= 0 || n < 1 || x.i2m2_reserve(n) !== OK) return null;
      for (let i = 0; i < mods.length; i++) {
        if (!(mask & (1 << i))) continue;
        const p = x.i2m2_buffer(BATCH_INPUT, i);
        if (!p) return null;
        const size = mods[i].size;
        const dst = view(p, n * size);
        if (arrays) for (let j = 0; j < n; j++) dst.set(b[j][mods[i].name], j * size);
        else dst.set(b[mods[i].name]);
      }
      batchBusy = true;
      try {
        for (let from = 0; from < n; from += perYield) {
          if (from > 0) await yieldNow();
          if (x.i2m2_predict_batch(from, Math.min(perYield, n - from), mask) !== OK) return null;
        }
        const out = x.i2m2_buffer(BATCH_OUTPUT, 0);
        return out ? view(out, n * stride).slice() : null;
      } finally {
        batchBusy = false;
      }
    },
  };
}
