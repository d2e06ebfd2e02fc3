// Echo worker for rtt.mjs: answers {id, args: [{image, audio}], t} with a
// Float32Array of the packed-result size (wasm/result.go, Stride), without
// running anything: the floor of a worker round trip. t: transfer the reply's
// buffer (else it is cloned); a: answer from an async handler after an await
// (as serveWorker did). Also serves a MessagePort sent as {port: true}.
let stride = 107;
function serve(target) {
  return (ev) => {
    const m = ev.data;
    if (m.port) { const p = ev.ports[0]; p.onmessage = serve(p); return; }
    if (m.stride) { stride = m.stride; return; }
    const value = new Float32Array(stride);
    value[0] = m.args[0].image[0];
    if (m.t) target.postMessage({ id: m.id, ok: true, value }, [value.buffer]);
    else target.postMessage({ id: m.id, ok: true, value });
  };
}
self.onmessage = serve(self);
