// Runs the page checks with the ES module. Query: worker=0|1, workers=n, wasm=url, model=url.
import { load } from './i2m2.mjs';

const q = new URLSearchParams(location.search);
const opts = {};
if (q.has('worker')) opts.worker = q.get('worker') === '1';
if (q.has('workers')) opts.workers = Number(q.get('workers'));
if (q.has('wasm')) opts.wasm = q.get('wasm');
if (q.has('model')) opts.model = q.get('model');
if (q.has('cache')) opts.cache = true;
globalThis.__i2m2test = globalThis.I2M2Test.run(load, opts, { bench: q.get('bench') === '1' });
