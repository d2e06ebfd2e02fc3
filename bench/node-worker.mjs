// Node worker_threads worker running one instance of bench/ourwasm (the
// project's JS module has no worker mode under Node). Used by nodeWorker().
import { parentPort, workerData } from 'node:worker_threads';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import vm from 'node:vm';
import { loadOursMin } from './web/ours-min.mjs';

const { gen, path, file } = workerData;
vm.runInThisContext(readFileSync(join(gen, 'wasm_exec.js'), 'utf8'));
const buf = (f) => { const b = readFileSync(join(gen, f)); return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength); };
const m = await loadOursMin({ wasm: buf('ours.wasm'), model: buf(file), path });
parentPort.on('message', ({ id, image, audio, n }) => {
  try {
    const out = m.predict(image, audio, n);
    parentPort.postMessage({ id, out }, [out.buffer]);
  } catch (e) {
    parentPort.postMessage({ id, error: String(e.message || e) });
  }
});
parentPort.postMessage({ ready: true, info: m.info });
