// i2m2: I2M2 multi-modal classifiers (Madaan et al., NeurIPS 2024) in
// WebAssembly. See README.md and i2m2.d.ts.
//
//   import { load } from 'i2m2';
//   const model = await load();                       // the default (real-input) model
//   const r = await model.predict({ image, audio });  // Float32Array(784), Float32Array(1600)
import './wasm_exec.js';
import { createLoad } from './i2m2.load.mjs';

// The URLs are written as new URL('literal', import.meta.url) so that bundlers
// (Vite, webpack, Rollup) find and emit the files.
export const load = createLoad({
  defaultModel: () => new URL('./weights/avmnist-real-int8.i2m2', import.meta.url),
  defaultModelFile: 'avmnist-real-int8.i2m2',
  // Written by the build (wasm/pin-default.mjs) from the default model file and
  // weights/manifest.json, so the default model verifies without a manifest.
  defaultSha256: '__I2M2_DEFAULT_SHA256__',
  defaultManifest: () => new URL('./weights/manifest.json', import.meta.url), // where load({task}) looks tasks up
  defaultWasm: () => new URL('./i2m2.wasm', import.meta.url),
  // The gzip-compressed copy where it can be inflated (i2m2.fetch.mjs): a
  // quarter of the bytes from a host that does not compress .wasm itself.
  defaultWasmSimd: () => (typeof DecompressionStream === 'function' ? new URL('./i2m2.simd.wasm.gz', import.meta.url) : new URL('./i2m2.simd.wasm', import.meta.url)),
  makeWorker: () => new Worker(new URL('./i2m2.worker.mjs', import.meta.url), { type: 'module' }),
});

export default load;
