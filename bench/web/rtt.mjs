// Browser side of bench/rtt.mjs: the floor of a dedicated-worker round trip
// (an echo that runs nothing, rtt-echo.mjs) beside the module's predict in a
// worker and on this thread, interleaved call by call in one page.
import { inputs, stats } from './runtimes.mjs';

const IMAGE = 784, AUDIO = 1600;

function echoVariant(w, target, { transferIn, transferOut }) {
  let next = 1;
  const pending = new Map();
  target.onmessage = (ev) => {
    const p = pending.get(ev.data.id);
    pending.delete(ev.data.id);
    p(ev.data.value);
  };
  return (x) => new Promise((resolve) => {
    const id = next++;
    pending.set(id, resolve);
    const image = x.image.slice(), audio = x.audio.slice(); // as the module copies its inputs
    const msg = { id, op: 'predict', args: [{ image, audio }], t: transferOut };
    if (transferIn) target.postMessage(msg, [image.buffer, audio.buffer]);
    else target.postMessage(msg);
  });
}

window.runRtt = async ({ rounds, calls, variants }) => {
  const { load } = await import('/module/i2m2.mjs');
  const worker = await load({ worker: true });
  const main = await load({ worker: false });
  const stride = worker.info.stride;
  const x = inputs(1, 7);
  const echo = (o) => {
    const w = new Worker('./rtt-echo.mjs', { type: 'module' });
    w.postMessage({ stride });
    if (!o.channel) return echoVariant(w, w, o);
    const ch = new MessageChannel();
    w.postMessage({ port: true }, [ch.port2]);
    return echoVariant(w, ch.port1, o);
  };
  const all = {
    'echo clone/clone': echo({ transferIn: false, transferOut: false }),
    'echo transfer/transfer': echo({ transferIn: true, transferOut: true }),
    'echo clone in/transfer out': echo({ transferIn: false, transferOut: true }),
    'echo MessageChannel transfer/transfer': echo({ transferIn: true, transferOut: true, channel: true }),
    'echo MessageChannel clone/clone': echo({ transferIn: false, transferOut: false, channel: true }),
    'ours worker predict': (s) => worker.predict(s),
    'ours main-thread predict': (s) => main.predict(s),
  };
  const run = variants ? Object.fromEntries(variants.map((k) => [k, all[k]])) : all;
  const ids = Object.keys(run);
  const t = Object.fromEntries(ids.map((id) => [id, []]));
  for (const id of ids) for (let i = 0; i < 50; i++) await run[id](x); // warm-up
  for (let r = 0; r < rounds; r++) {
    for (let j = 0; j < ids.length; j++) {
      const id = ids[(j + r) % ids.length];
      // A block of calls per sample: performance.now() is coarsened (100 us)
      // in a page that is not cross-origin isolated.
      const t0 = performance.now();
      for (let i = 0; i < calls; i++) await run[id](x);
      t[id].push((performance.now() - t0) / calls);
    }
  }
  worker.dispose();
  main.dispose();
  const out = {};
  for (const id of ids) out[id] = stats(t[id]);
  return { stride, ms: out, userAgent: navigator.userAgent, crossOriginIsolated };
};
window.rttReady = true;
