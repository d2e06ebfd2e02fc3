// Module worker for OursWorkerPool: one Go instance of bench/ourwasm.
import { loadOursMin } from './ours-min.mjs';

let inst = null;
self.onmessage = async (e) => {
  const { id, op } = e.data;
  try {
    if (op === 'init') {
      await import(e.data.execUrl); // wasm_exec.js: defines globalThis.Go
      inst = await loadOursMin({ wasm: e.data.wasmUrl, model: e.data.model, path: e.data.path, classes: e.data.classes });
      self.postMessage({ id, info: inst.info });
    } else if (op === 'predict') {
      const out = inst.predict(e.data.image, e.data.audio, e.data.n);
      self.postMessage({ id, out }, [out.buffer]);
    }
  } catch (err) {
    self.postMessage({ id, error: String(err && err.message || err) });
  }
};
