// A lean engine worker for rtt.mjs: the module's engine (i2m2.engine.mjs,
// fast path) answering synchronously from onmessage, the smallest protocol
// around the same work. Each answer carries the handler's own time (w, ms).
import '/module/wasm_exec.js';
import { startEngine } from '/module/i2m2.engine.mjs';

let fast = null;
self.onmessage = async (ev) => {
  const m = ev.data;
  if (m.init) {
    const e = await startEngine(m.module, (f) => queueMicrotask(f), Infinity);
    await e.call('load', m.model, undefined, null);
    fast = e.fast;
    self.postMessage({ init: true });
    return;
  }
  const t = performance.now();
  const value = fast.predict(m.args[0]);
  const w = performance.now() - t;
  // at: arrival, and: the reply, in ms since the epoch (performance.timeOrigin based), to split the round trip into hops
  self.postMessage({ id: m.id, ok: true, value, w, at: performance.timeOrigin + t, and: performance.timeOrigin + performance.now() }, [value.buffer]);
};
