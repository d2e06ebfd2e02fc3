// Echo worker for rtt.mjs: answers {id, args: [{image, audio}], t} with a
// Float32Array of the packed-result size (wasm/result.go, Stride), without
// running anything: the floor of a worker round trip. t: transfer the reply's
// buffer (else it is cloned); spin: busy for that many ms first (the work;
// exact only where performance.now() is, in a cross-origin-isolated page).
// hot: see below.
// Also serves a MessagePort sent as {port: true}.
let stride = 107;
// hot: after answering, keep this thread's event loop busy for that many ms
// (a chain of tasks), so that it is awake when the next request comes.
let until = 0;
const post = globalThis.scheduler && globalThis.scheduler.postTask ? (f) => globalThis.scheduler.postTask(f) : (f) => setTimeout(f, 0);
const tick = () => { if (performance.now() < until) post(tick); };
function serve(target) {
  return (ev) => {
    const m = ev.data;
    if (typeof m === 'number') { target.postMessage(m); return; } // the bare minimum: a number each way
    if (m instanceof Float32Array) { // raw: [mode, inputs...] in, [result...] out; mode 1: transfer the reply
      const value = new Float32Array(stride);
      value[0] = m[1];
      if (m[0] === 1) target.postMessage(value, [value.buffer]);
      else target.postMessage(value);
      return;
    }
    if (m.port) { const p = ev.ports[0]; p.onmessage = serve(p); return; }
    if (m.stride) { stride = m.stride; return; }
    until = 0;
    const at = performance.timeOrigin + performance.now();
    if (m.spin) for (const t = performance.now(); performance.now() - t < m.spin;); // stands for the work
    const value = new Float32Array(stride);
    value[0] = m.packed ? m.packed[0] : m.args[0].image[0];
    const and = performance.timeOrigin + performance.now(); // arrival and reply: to split the round trip into hops
    if (m.t) target.postMessage({ id: m.id, ok: true, value, at, and }, [value.buffer]);
    else target.postMessage({ id: m.id, ok: true, value, at, and });
    if (m.hot) {
      until = performance.now() + m.hot;
      post(tick);
    }
  };
}
self.onmessage = serve(self);
