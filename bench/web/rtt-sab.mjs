// SharedArrayBuffer echo for rtt.mjs (cross-origin-isolated pages only): the
// worker blocks in Atomics.wait instead of its event loop; a request is the
// inputs written into shared memory and ctl[0] = 1; the answer (stride
// float32s after the inputs) is ctl[1] = 1. spin: busy ms per request (the work).
self.onmessage = (ev) => {
  const { sab, inputs, stride, spin } = ev.data;
  const ctl = new Int32Array(sab, 0, 4);
  const data = new Float32Array(sab, 16);
  for (;;) {
    Atomics.wait(ctl, 0, 0);
    if (spin) for (const t = performance.now(); performance.now() - t < spin;);
    data.fill(data[0], inputs, inputs + stride);
    Atomics.store(ctl, 0, 0);
    Atomics.store(ctl, 1, 1);
    Atomics.notify(ctl, 1);
  }
};
