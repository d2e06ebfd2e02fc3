// io for bench/web/runtimes.mjs under Node: files from the prep folder,
// onnxruntime-web's Node build (wasm), tfjs-core + tfjs-backend-wasm.
import { readFileSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import vm from 'node:vm';

const require = createRequire(import.meta.url);

export function nodeIO(gen, distDir) {
  const bytes = (f) => { const b = readFileSync(join(gen, f)); return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength); };
  let tfp = null;
  return {
    bytes: async (f) => bytes(f),
    url: (f) => join(gen, f), // a model as load() takes it by location (a path in Node)
    go: async () => { if (!globalThis.Go) vm.runInThisContext(readFileSync(join(gen, 'wasm_exec.js'), 'utf8')); },
    oursWasm: async () => bytes('ours.wasm'),
    ort: () => import('onnxruntime-web'),
    tf: () => (tfp ??= (async () => {
      const tf = await import('@tensorflow/tfjs-core');
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      wasm.setWasmPaths(dirname(require.resolve('@tensorflow/tfjs-backend-wasm')) + '/');
      tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
      await tf.setBackend('wasm');
      await tf.ready();
      return tf;
    })()),
    scalarWasm: () => join(distDir, 'i2m2.wasm'),
    i2m2: async () => {
      const f = distDir && join(distDir, 'i2m2.mjs');
      return f && existsSync(f) && process.env.BENCH_OURS !== 'min' ? import(pathToFileURL(f).href) : null;
    },
  };
}

// nodeWorker runs ours (bench/ourwasm) in a worker_thread: the Node
// counterpart of the browser's worker mode, for the same messaging cost.
export async function nodeWorker(gen, path) {
  const { Worker } = await import('node:worker_threads');
  const file = path === 'int8' ? 'model-int8.i2m2' : 'model-f32.i2m2';
  const w = new Worker(new URL('./node-worker.mjs', import.meta.url), { workerData: { gen, path, file } });
  const pending = new Map();
  let next = 0;
  const info = await new Promise((resolve, reject) => {
    w.once('error', reject);
    w.once('message', (m) => resolve(m.info));
  });
  w.on('message', (m) => {
    const p = pending.get(m.id);
    pending.delete(m.id);
    if (m.error) p.reject(new Error(m.error)); else p.resolve(m.out);
  });
  return {
    impl: 'bench/ourwasm (minimal bridge) in a Node worker_thread',
    info,
    run: (image, audio, n) => new Promise((resolve, reject) => {
      const id = ++next;
      pending.set(id, { resolve, reject });
      w.postMessage({ id, image, audio, n }); // copied (structured clone), as the browser pool slices
    }),
    dispose: () => w.terminate(),
  };
}
