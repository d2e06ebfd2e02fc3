// Minimal loader for bench/ourwasm (the engine without the project's JS
// module): one Go instance per model, synchronous predict, and a pool of
// module workers each running its own instance. globalThis.Go
// (wasm_exec.js from the Go that built the wasm) must be loaded first.

let seq = 0;

// loadOursMin instantiates ours.wasm (an ArrayBuffer or a URL) with a model
// file (ArrayBuffer) on one kernel path ('int8' | 'float32' | 'reference').
export async function loadOursMin({ wasm, model, path, classes = 10 }) {
  const go = new globalThis.Go();
  const name = `__i2m2bench${++seq}`;
  go.argv = ['ourwasm', name];
  const { instance } = (typeof wasm === 'string' || wasm instanceof URL)
    ? await WebAssembly.instantiateStreaming(fetch(wasm), go.importObject)
    : await WebAssembly.instantiate(wasm, go.importObject);
  go.run(instance); // main registers globalThis[name], then blocks in select{}
  const api = globalThis[name];
  const info = api.load(new Uint8Array(model), path);
  if (info.error) throw new Error(`ourwasm: ${info.error}`);
  const u8 = (a) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  return {
    info,
    memoryBytes: () => instance.exports.mem.buffer.byteLength,
    predict(image, audio, n) {
      const out = new Float32Array(n * classes);
      const err = api.predict(u8(image), u8(audio), n, u8(out));
      if (err) throw new Error(`ourwasm: ${err}`);
      return out;
    },
  };
}

// OursWorkerPool runs n module workers (ours-min-worker.mjs), each with its
// own instance; a batch is split into contiguous chunks, one per worker.
export class OursWorkerPool {
  static async create({ workers = 1, wasmUrl, execUrl, model, path, classes = 10 }) {
    const pool = new OursWorkerPool();
    pool.classes = classes;
    pool.next = 0;
    pool.pending = new Map();
    pool.workers = [];
    const inits = [];
    for (let i = 0; i < workers; i++) {
      const w = new Worker(new URL('./ours-min-worker.mjs', import.meta.url), { type: 'module' });
      w.onmessage = (e) => {
        const p = pool.pending.get(e.data.id);
        pool.pending.delete(e.data.id);
        if (e.data.error) p.reject(new Error(e.data.error)); else p.resolve(e.data);
      };
      w.onerror = (e) => { for (const p of pool.pending.values()) p.reject(new Error(`worker: ${e.message}`)); pool.pending.clear(); };
      pool.workers.push(w);
      inits.push(pool.call(w, { op: 'init', wasmUrl, execUrl, model: model.slice(0), path, classes }));
    }
    const infos = await Promise.all(inits);
    pool.info = infos[0].info;
    return pool;
  }

  call(w, msg, transfer = []) {
    const id = ++this.next;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      w.postMessage({ ...msg, id }, transfer);
    });
  }

  async predict(image, audio, n) {
    const nw = Math.min(this.workers.length, n);
    const ni = image.length / n, na = audio.length / n, k = this.classes;
    const jobs = [];
    let from = 0;
    for (let i = 0; i < nw; i++) {
      const cnt = Math.floor(n / nw) + (i < n % nw ? 1 : 0);
      const img = image.slice(from * ni, (from + cnt) * ni);
      const aud = audio.slice(from * na, (from + cnt) * na);
      const off = from * k;
      jobs.push(this.call(this.workers[i], { op: 'predict', image: img, audio: aud, n: cnt }, [img.buffer, aud.buffer]).then((r) => [off, r.out]));
      from += cnt;
    }
    const out = new Float32Array(n * k);
    for (const [off, o] of await Promise.all(jobs)) out.set(o, off);
    return out;
  }

  dispose() { for (const w of this.workers) w.terminate(); }
}
