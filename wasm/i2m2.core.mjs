// i2m2.core.mjs: what every other module of the package shares: the error
// convention (messages start with "i2m2: "; an error about one sample of a
// batch also carries its index as error.sample and the sample's own message as
// error.reason) and naming a value's type in messages. The modules, in the
// order the classic-script build (build-classic.mjs) concatenates them:
//   i2m2.kernels.mjs   the SIMD probe and binary patch
//   i2m2.fast.mjs      the synchronous path into the wasm
//   i2m2.core.mjs      this file
//   i2m2.engine.mjs    starting one Go instance (wasm start)
//   i2m2.protocol.mjs  backends: this thread, or dedicated workers (worker protocol)
//   i2m2.model.mjs     the model facade: inputs, results, batches
//   i2m2.fetch.mjs     getting bytes (fetch, progress, stalls, aborts), compiling the wasm
//   i2m2.load.mjs      load(): options, integrity, the Cache API
//
// Rules for every module: no imports but its sibling modules and nothing
// module-only (the classic build is a plain script: build-classic.mjs inlines
// the modules), no code from strings (CSP: script-src 'self' 'wasm-unsafe-eval').
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

// sampleFail is the error of sample i of a batch: reason is the sample's own
// message without the prefix (the engine's error.reason).
export function sampleFail(i, reason) {
  const e = fail(`sample ${i}: ${reason}`);
  e.sample = i;
  e.reason = reason;
  return e;
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
