// i2m2.protocol.mjs: the backends a model runs on: the Go instance in this
// thread, or n dedicated workers driven by messages {id, op, args} and
// answering {id, ok, value} or {id, ok: false, message, sample?, reason?} (the
// worker side is serveWorker). Rules: see i2m2.core.mjs.
import { PREFIX, fail, errorOf, sampleFail } from './i2m2.core.mjs';
import { startEngine } from './i2m2.engine.mjs';

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
      const err = errorOf(e);
      scope.postMessage({ id, ok: false, message: err.message, sample: err.sample, reason: err.reason });
    }
  };
}
