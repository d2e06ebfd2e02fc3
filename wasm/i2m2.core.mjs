// i2m2.core.mjs: the loader and the model facade shared by the ES module
// (i2m2.mjs), the worker (i2m2.worker.mjs) and the classic-script build for
// file:// (i2m2.classic.js, made from this file by build-classic.mjs).
//
// Rules for this file: no imports but i2m2.kernels.mjs and i2m2.fast.mjs and
// nothing module-only (the classic build is a plain script: build-classic.mjs
// inlines those imports), no code from strings (CSP: script-src 'self' 'wasm-unsafe-eval').
// It needs globalThis.Go from Go's wasm_exec.js.
import { simdSupported } from './i2m2.kernels.mjs';
import { fastEngine } from './i2m2.fast.mjs';

const PREFIX = 'i2m2: ';
const MAX_WORKERS = 32;
const CACHE_NAME = 'i2m2-models';
const OPTIONS = ['model', 'wasm', 'sha256', 'manifest', 'cache', 'worker', 'workers', 'onProgress', 'path'];
const PATHS = ['int8', 'float32', 'reference'];

function fail(msg) {
  return new Error(PREFIX + msg);
}

function errorOf(e) {
  if (e instanceof Error) {
    return e.message.startsWith(PREFIX) || e.message.startsWith('features: ') ? e : new Error(PREFIX + e.message, { cause: e });
  }
  return fail(String(e));
}

function typeName(v) {
  if (v === null) return 'null';
  if (typeof v !== 'object') return typeof v;
  try {
    return (v.constructor && v.constructor.name) || 'object';
  } catch {
    return 'object';
  }
}

// plainInputs copies a sample {modality: Float32Array|null} into a plain
// object, reading every property here (a throwing getter or a Proxy fails in
// JS, never inside the Go runtime), and checks the value types. Names,
// lengths and values are checked by the Go side.
function plainInputs(x, where) {
  if (x === null || typeof x !== 'object' || Array.isArray(x) || ArrayBuffer.isView(x)) {
    throw fail(`bad input: ${where}inputs must be an object {modality: Float32Array}, got ${typeName(x)}`);
  }
  const out = {};
  let keys;
  try {
    keys = Object.keys(x);
  } catch (e) {
    throw fail(`bad input: ${where}cannot list the modalities: ${e && e.message}`);
  }
  for (const k of keys) {
    let v;
    try {
      v = x[k];
    } catch (e) {
      throw fail(`bad input: ${where}reading modality ${JSON.stringify(k)} threw: ${e && e.message}`);
    }
    if (v != null && !(v instanceof Float32Array)) {
      throw fail(`bad input: ${where}modality ${JSON.stringify(k)} must be a Float32Array, got ${typeName(v)}`);
    }
    out[k] = v;
  }
  return out;
}

// compactViews replaces views into larger buffers by copies, so that posting
// them to a worker does not clone the whole buffer.
function compactViews(x) {
  for (const k of Object.keys(x)) {
    const v = x[k];
    if (v && v.byteLength !== v.buffer.byteLength) x[k] = v.slice();
  }
  return x;
}

function plainBatch(batch) {
  if (Array.isArray(batch)) {
    const out = new Array(batch.length);
    for (let i = 0; i < batch.length; i++) out[i] = plainInputs(batch[i], `sample ${i}: `);
    return out;
  }
  if (batch === null || typeof batch !== 'object' || ArrayBuffer.isView(batch)) {
    throw fail(`bad input: a batch must be an Array of inputs or an object {modality: Float32Array of n*size values}, got ${typeName(batch)}`);
  }
  return plainInputs(batch, '');
}

// ---------------------------------------------------------------------------
// Fetching bytes (model, wasm, manifest), with the checks users expect.

function isNode() {
  return typeof globalThis.process === 'object' && globalThis.process !== null &&
    typeof globalThis.process.versions === 'object' && !!globalThis.process.versions && !!globalThis.process.versions.node;
}

// toURL resolves a string or URL against the page (or, in Node, the working
// directory).
function toURL(src) {
  if (src instanceof URL) return src;
  try {
    if (globalThis.document && globalThis.document.baseURI) return new URL(src, globalThis.document.baseURI);
    if (globalThis.location && globalThis.location.href) return new URL(src, globalThis.location.href);
    if (isNode()) return new URL(src, 'file://' + globalThis.process.cwd().replace(/\\/g, '/') + '/');
    return new URL(src);
  } catch (e) {
    throw fail(`bad URL ${JSON.stringify(String(src))}: ${e.message}`);
  }
}

async function readNodeFile(url, what) {
  const name = 'node:fs/promises'; // a variable, so bundlers leave it alone
  try {
    const fs = await import(/* @vite-ignore */ name);
    return new Uint8Array(await fs.readFile(url));
  } catch (e) {
    throw fail(`reading the ${what} from ${url.href} failed: ${e.message}`);
  }
}

async function fetchResponse(url, what) {
  let res;
  try {
    res = await fetch(url.href);
  } catch (e) {
    const hint = globalThis.location && globalThis.location.protocol === 'file:'
      ? ' (browsers refuse fetch from file://: use i2m2.classic.js, whose model and wasm are inlined, or pass the bytes)'
      : '';
    throw fail(`fetching the ${what} from ${url.href} failed: ${e.message}${hint}`);
  }
  checkStatus(res, url.href, what);
  return res;
}

function checkStatus(res, where, what) {
  if (!res.ok) {
    throw fail(`fetching the ${what} from ${where} failed: HTTP ${res.status}${res.statusText ? ' ' + res.statusText : ''}`);
  }
}

// readBody reads a Response, reporting progress; total is the Content-Length
// when the body is not content-encoded, else null.
async function readBody(res, onProgress) {
  const enc = res.headers.get('content-encoding');
  const len = res.headers.get('content-length');
  const total = (!enc || enc === 'identity') && len !== null && /^\d+$/.test(len) ? Number(len) : null;
  if (!res.body || !res.body.getReader) {
    const b = new Uint8Array(await res.arrayBuffer());
    if (onProgress) onProgress({ loaded: b.length, total });
    return b;
  }
  const reader = res.body.getReader();
  const chunks = [];
  let loaded = 0;
  if (onProgress) onProgress({ loaded, total });
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.length;
    if (onProgress) onProgress({ loaded, total });
  }
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(loaded);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}

// bytesOf copies an ArrayBuffer or a view into a fresh Uint8Array (so that
// transferring it never detaches the caller's buffer).
function bytesOf(v) {
  if (v instanceof ArrayBuffer) return new Uint8Array(v.slice(0));
  if (ArrayBuffer.isView(v)) return new Uint8Array(v.buffer.slice(v.byteOffset, v.byteOffset + v.byteLength));
  return null;
}

function isResponse(v) {
  return typeof Response === 'function' && v instanceof Response;
}

// source describes where bytes come from: {url} or {bytes} or {response}.
function sourceOf(v, what) {
  if (typeof v === 'string' || v instanceof URL) return { url: toURL(v) };
  if (isResponse(v)) return { response: v, where: v.url || `the ${what} Response` };
  const b = bytesOf(v);
  if (b) return { bytes: b };
  throw fail(`${what} must be a URL, string, ArrayBuffer, typed array or Response, got ${typeName(v)}`);
}

async function loadBytes(src, what, onProgress) {
  if (src.bytes) {
    if (onProgress) onProgress({ loaded: src.bytes.length, total: src.bytes.length });
    return src.bytes;
  }
  if (src.url && src.url.protocol === 'file:' && isNode()) {
    const b = await readNodeFile(src.url, what);
    if (onProgress) onProgress({ loaded: b.length, total: b.length });
    return b;
  }
  const res = src.response || await fetchResponse(src.url, what);
  if (src.response) checkStatus(res, src.where, what);
  return readBody(res, onProgress);
}

// ---------------------------------------------------------------------------
// Integrity (sha256) and caching.

function hex(buf) {
  const b = new Uint8Array(buf);
  let s = '';
  for (let i = 0; i < b.length; i++) s += b[i].toString(16).padStart(2, '0');
  return s;
}

// sha256 returns the hex digest, or null when crypto.subtle is unavailable
// (an insecure context); the Go side then checks the hash after loading.
async function sha256(bytes) {
  const subtle = globalThis.crypto && globalThis.crypto.subtle;
  if (!subtle) return null;
  return hex(await subtle.digest('SHA-256', bytes));
}

function checkHex(h, what) {
  if (typeof h !== 'string' || !/^[0-9a-fA-F]{64}$/.test(h)) {
    throw fail(`${what} must be 64 hex digits, got ${typeof h === 'string' ? JSON.stringify(h.slice(0, 80)) : typeName(h)}`);
  }
  return h.toLowerCase();
}

function integrityError(where, got, want) {
  return fail(`integrity check failed for the model from ${where}: sha256 is ${got}, expected ${want}`);
}

function baseName(url) {
  const p = url.pathname;
  return decodeURIComponent(p.slice(p.lastIndexOf('/') + 1));
}

async function readManifest(src, explicit) {
  if (src && typeof src === 'object' && !(src instanceof URL)) return src;
  const url = toURL(src);
  try {
    const b = await loadBytes({ url }, 'manifest');
    return JSON.parse(new TextDecoder().decode(b));
  } catch (e) {
    if (explicit) throw fail(`reading the manifest ${url.href} failed: ${errorOf(e).message.replace(PREFIX, '')}`);
    return null; // no manifest next to the model: no expected hash
  }
}

function manifestHash(man, file, explicit) {
  const models = man && Array.isArray(man.models) ? man.models : [];
  const entry = models.find((m) => m && m.file === file);
  if (!entry) {
    if (explicit) throw fail(`the manifest has no entry for ${JSON.stringify(file)}`);
    return null;
  }
  return checkHex(entry.sha256, `the manifest's sha256 for ${file}`);
}

function cacheKey(h) {
  return 'https://i2m2.invalid/sha256/' + h;
}

async function openCache() {
  try {
    return globalThis.caches ? await globalThis.caches.open(CACHE_NAME) : null;
  } catch {
    return null; // no Cache API here (insecure context, file://, Node): caching is an optimisation
  }
}

// ---------------------------------------------------------------------------
// WebAssembly.

function isWasm(b) {
  return b.length >= 4 && b[0] === 0 && b[1] === 0x61 && b[2] === 0x73 && b[3] === 0x6d;
}

function notWasm(where, b) {
  const head = Array.from(b.subarray(0, 16)).map((c) => (c >= 32 && c < 127 ? String.fromCharCode(c) : '.')).join('');
  return fail(`${where} is not WebAssembly (no \\0asm magic; it starts with ${JSON.stringify(head)}): check the wasm URL`);
}

async function compileBytes(b, where) {
  if (!isWasm(b)) throw notWasm(where, b);
  try {
    return await WebAssembly.compile(b);
  } catch (e) {
    throw fail(`compiling the wasm from ${where} failed: ${e.message}`);
  }
}

// compileWasm returns a WebAssembly.Module from a URL, Response, bytes or
// Module. It checks the HTTP status, the content type (application/wasm for
// streaming compilation; any other type falls back to arrayBuffer) and the
// magic, and names the URL in every error.
async function compileWasm(v) {
  if (v instanceof WebAssembly.Module) return v;
  const src = sourceOf(v, 'wasm');
  if (src.bytes) return compileBytes(src.bytes, 'the wasm bytes');
  const where = src.url ? src.url.href : src.where;
  if (src.url && src.url.protocol === 'file:' && isNode()) return compileBytes(await readNodeFile(src.url, 'wasm'), where);
  const res = src.response || await fetchResponse(src.url, 'wasm');
  if (src.response) checkStatus(res, where, 'wasm');
  const type = (res.headers.get('content-type') || '').split(';')[0].trim().toLowerCase();
  if (type === 'application/wasm' && typeof WebAssembly.compileStreaming === 'function' && res.body) {
    const [peek, main] = res.body.tee();
    const reader = peek.getReader();
    let head = new Uint8Array(0);
    while (head.length < 4) {
      const { done, value } = await reader.read();
      if (done) break;
      const h = new Uint8Array(head.length + value.length);
      h.set(head);
      h.set(value, head.length);
      head = h;
    }
    reader.cancel().catch(() => {});
    if (!isWasm(head)) {
      main.cancel().catch(() => {});
      throw notWasm(where, head);
    }
    try {
      return await WebAssembly.compileStreaming(new Response(main, { headers: { 'content-type': 'application/wasm' } }));
    } catch (e) {
      throw fail(`compiling the wasm from ${where} failed: ${e.message}`);
    }
  }
  return compileBytes(new Uint8Array(await res.arrayBuffer()), `${where} (served as ${JSON.stringify(type || 'no content type')})`);
}

// ---------------------------------------------------------------------------
// One Go instance (in this thread).

// macrotask returns a function running a callback in a later macrotask, so the
// page stays responsive between calls (and between the samples of a batch).
function macrotask() {
  if (typeof globalThis.setImmediate === 'function') return (f) => globalThis.setImmediate(f);
  if (typeof MessageChannel === 'function') {
    const ch = new MessageChannel();
    const queue = [];
    ch.port1.onmessage = () => queue.shift()();
    return (f) => {
      queue.push(f);
      ch.port2.postMessage(0);
    };
  }
  return (f) => setTimeout(f, 0);
}

let instances = 0;

// startEngine instantiates the Go program and resolves with its raw API
// (load, info, predict, predictBatch, audioFromPCM, imageFromRGBA, dispose; each
// returns a Promise) wrapped so that calls after an exit reject.
// perYield: samples of a batch between two yields to the event loop (1 on a
// page's main thread; a worker passes Infinity).
export async function startEngine(module, schedule = macrotask(), perYield = 1) {
  if (typeof globalThis.Go !== 'function') throw fail("Go's wasm_exec.js is not loaded (globalThis.Go is missing)");
  const go = new globalThis.Go();
  const key = `__i2m2_${++instances}_${Math.random().toString(36).slice(2)}`;
  let ready;
  const api = new Promise((resolve) => (ready = resolve));
  globalThis[key] = { schedule, ready };
  go.argv = ['i2m2', key];
  // On exit, drop the runtime's pending timers: wasm_exec.js would otherwise
  // resume the exited program from a setTimeout and throw "Go program has
  // already exited" as an uncaught exception.
  let exitCode = 0;
  go.exit = (code) => {
    exitCode = code;
    if (go._scheduledTimeouts) {
      for (const t of go._scheduledTimeouts.values()) clearTimeout(t);
      go._scheduledTimeouts.clear();
    }
    if (code !== 0) console.warn(`i2m2: the Go program exited with code ${code}`);
  };
  let exited = false;
  try {
    const inst = await WebAssembly.instantiate(module, go.importObject);
    const run = go.run(inst).then(() => (exited = true), () => (exited = true));
    const raw = await Promise.race([api, run.then(() => { throw fail('the Go program exited during start-up'); })]);
    let disposed = false;
    const gone = () => fail(disposed ? 'the model was disposed' : `the engine stopped (the Go program exited with code ${exitCode}); load the model again`);
    const slow = (name, args) => {
      if (exited || disposed) return Promise.reject(gone());
      try {
        return raw[name](...args).catch((e) => { throw errorOf(e); });
      } catch (e) {
        // wasm_exec.js throws "Go program has already exited" after an exit.
        return Promise.reject(/already exited/.test(e && e.message) ? gone() : errorOf(e));
      }
    };
    // predict and predictBatch try the synchronous path first (i2m2.fast.mjs);
    // it declines (null) whatever the async API must answer or explain.
    const fast = fastEngine(inst, () => new Promise((r) => schedule(r)), perYield);
    const call = (name, ...args) => {
      if (exited || disposed) return Promise.reject(gone());
      if (name === 'dispose') {
        if (fast) fast.detach();
        const p = slow(name, args);
        disposed = true;
        return p;
      }
      if (fast && name === 'predict') {
        let r = null;
        try {
          r = fast.predict(args[0]);
        } catch { /* a throwing getter: the async API reports it */ }
        if (r) return Promise.resolve(r);
      }
      if (fast && name === 'predictBatch') return fast.predictBatch(args[0]).catch(() => null).then((r) => r || slow(name, args));
      const p = slow(name, args);
      if (fast && name === 'load') return p.then((info) => (fast.attach(info), info), (e) => { fast.detach(); throw e; });
      return p;
    };
    return { call, exited: () => exited, run, fast, slow }; // fast, slow: for the tests
  } finally {
    delete globalThis[key];
  }
}

// ---------------------------------------------------------------------------
// Results.

// decode turns the packed result of one sample (wasm/api.go, Stride) into the
// result object. The arrays are Float32Array views of f.
function decode(f, info, off) {
  const k = info.classes.length;
  let i = off;
  const take = () => f.subarray(i, (i += k));
  const label = f[i++];
  const probs = take();
  const logProbs = take();
  const hasIntra = f[i++] === 1;
  const intraLabel = f[i++];
  const intraProbs = take();
  const intraLogProbs = take();
  const experts = {};
  const used = [];
  for (const e of info.experts) {
    const u = f[i++] === 1;
    const l = f[i++];
    const logits = take();
    const p = take();
    const lp = take();
    experts[e.name] = u
      ? { label: l, probs: p, logProbs: lp, logits, used: true }
      : { label: -1, probs: null, logProbs: null, logits: null, used: false };
    if (u) used.push(e.name);
  }
  return {
    label,
    probs,
    logProbs,
    used,
    experts,
    intraOnly: hasIntra ? { label: intraLabel, probs: intraProbs, logProbs: intraLogProbs } : null,
  };
}

function decodeBatch(f, info) {
  const out = [];
  for (let off = 0; off < f.length; off += info.stride) out.push(decode(f, info, off));
  return out;
}

// ---------------------------------------------------------------------------
// Backends: the Go instance in this thread, or n dedicated workers.

class LocalBackend {
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

class WorkerBackend {
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
        else p.reject(fail(m.message.replace(PREFIX, '')));
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
      scope.postMessage({ id, ok: false, message: errorOf(e).message });
    }
  };
}

// ---------------------------------------------------------------------------
// The model facade.

function batchCount(batch, info) {
  if (Array.isArray(batch)) return batch.length;
  // Unknown names: not split, so that the engine reports them.
  if (Object.keys(batch).some((k) => !info.modalities.some((md) => md.name === k))) return -1;
  let n = -1;
  for (const md of info.modalities) {
    const v = batch[md.name];
    if (v == null || !(v instanceof Float32Array)) continue;
    const size = md.shape[0] * md.shape[1] * md.shape[2];
    if (v.length % size !== 0 || (n >= 0 && v.length / size !== n)) return -1;
    n = v.length / size;
  }
  return n;
}

function sliceBatch(batch, info, a, b) {
  if (Array.isArray(batch)) return batch.slice(a, b).map(compactViews);
  const out = {};
  for (const md of info.modalities) {
    const v = batch[md.name];
    if (v == null) continue;
    const size = md.shape[0] * md.shape[1] * md.shape[2];
    out[md.name] = v.slice(a * size, b * size); // a copy: posting a view would clone its whole buffer
  }
  return out;
}

class Model {
  constructor(backend, info) {
    this.info = info;
    let b = backend;
    let rr = 0;
    const use = () => {
      if (!b) throw fail('the model was disposed');
      return b;
    };
    const call = async (op, args) => {
      const be = use();
      return be.call(rr++ % be.size, op, args);
    };
    this.predict = async (inputs) => {
      const be = use();
      const x = plainInputs(inputs, '');
      if (be instanceof WorkerBackend) compactViews(x);
      return decode(await call('predict', [x]), info, 0);
    };
    this.predictBatch = async (batch) => {
      const be = use();
      batch = plainBatch(batch);
      const n = batch !== null && typeof batch === 'object' ? batchCount(batch, info) : -1;
      if (be.size === 1 || n < 2) {
        if (be instanceof WorkerBackend) (Array.isArray(batch) ? batch : [batch]).forEach(compactViews);
        return decodeBatch(await be.call(0, 'predictBatch', [batch]), info);
      }
      const parts = Math.min(be.size, n);
      const jobs = [];
      for (let w = 0; w < parts; w++) {
        const lo = Math.floor((n * w) / parts);
        const hi = Math.floor((n * (w + 1)) / parts);
        jobs.push(be.call(w, 'predictBatch', [sliceBatch(batch, info, lo, hi)]).catch((e) => {
          throw /sample \d+/.test(e.message) ? fail(e.message.replace(PREFIX, '').replace(/sample (\d+)/, (_, d) => `sample ${Number(d) + lo}`)) : e;
        }));
      }
      return (await Promise.all(jobs)).flatMap((f) => decodeBatch(f, info));
    };
    this.features = Object.freeze({
      audioFromPCM: (pcm, sampleRate) => call('audioFromPCM', [pcm, sampleRate]),
      imageFromRGBA: (rgba, width, height) => call('imageFromRGBA', [rgba, width, height]),
    });
    this.dispose = () => {
      if (!b) return;
      const be = b;
      b = null;
      be.dispose().catch(() => {});
    };
    Object.freeze(this);
  }
}

// ---------------------------------------------------------------------------
// load.

function checkOptions(o) {
  if (o === null || typeof o !== 'object' || Array.isArray(o)) throw fail(`load options must be an object, got ${typeName(o)}`);
  for (const k of Object.keys(o)) {
    if (!OPTIONS.includes(k)) throw fail(`unknown load option ${JSON.stringify(k)} (known: ${OPTIONS.join(', ')})`);
  }
  if (o.onProgress != null && typeof o.onProgress !== 'function') throw fail('onProgress must be a function');
  if (o.path != null && !PATHS.includes(o.path)) throw fail(`path must be one of ${PATHS.join(', ')}, got ${JSON.stringify(o.path)}`);
  if (o.workers != null && !(Number.isInteger(o.workers) && o.workers >= 1 && o.workers <= MAX_WORKERS)) {
    throw fail(`workers must be an integer from 1 to ${MAX_WORKERS}, got ${JSON.stringify(o.workers)}`);
  }
}

// createLoad makes the public load() for one build. env:
//   defaultModel()      URL or bytes of the default model
//   defaultModelFile    its name in the manifest
//   defaultManifest()   URL (or object) of the default manifest, or null
//   defaultWasm()       URL or bytes of i2m2.wasm
//   defaultWasmSimd()   URL or bytes of i2m2.simd.wasm (SIMD kernels), used where simdSupported()
//   makeWorker()        a new dedicated Worker running i2m2.worker.mjs, or null
export function createLoad(env) {
  return async function load(options = {}) {
    checkOptions(options);
    const onProgress = options.onProgress || null;
    const canWork = !!env.makeWorker && typeof Worker === 'function';
    const useWorker = options.worker == null ? canWork : !!options.worker;
    if (useWorker && !canWork) {
      throw fail(env.makeWorker ? 'worker: true needs Web Workers, which this environment lacks (use worker: false)' : 'this build runs on the main thread only (worker: true is not available; use worker: false)');
    }
    const nWorkers = options.workers || 1;
    if (nWorkers > 1 && !useWorker) throw fail('workers > 1 needs worker mode (worker: true)');

    // Start the workers (they fetch their scripts) and compile the wasm while the model downloads.
    const workers = [];
    if (useWorker) for (let i = 0; i < nWorkers; i++) workers.push(env.makeWorker());
    const wb = useWorker ? new WorkerBackend(workers) : null;
    try {
      return await loadWith(env, options, wb, onProgress);
    } catch (e) {
      if (wb) wb.dispose();
      throw errorOf(e);
    }
  };
}

async function loadWith(env, options, wb, onProgress) {
  const wasmP = compileWasm(options.wasm != null ? options.wasm : env.defaultWasmSimd && simdSupported() ? env.defaultWasmSimd() : env.defaultWasm());
  wasmP.catch(() => {});

  const isDefault = options.model == null;
  const src = sourceOf(isDefault ? env.defaultModel() : options.model, 'model');
  const where = src.url ? src.url.href : src.where || 'the given bytes';

  // Expected hash: options.sha256, else the manifest entry.
  let expected = options.sha256 != null ? checkHex(options.sha256, 'sha256') : null;
  if (!expected && options.manifest !== false) {
    let man = null;
    let file = null;
    const explicit = options.manifest != null;
    if (explicit) {
      man = await readManifest(options.manifest, true);
      file = src.url ? baseName(src.url) : isDefault ? env.defaultModelFile : null;
      if (!file) throw fail('a manifest needs the model given by URL, to know its file name');
    } else if (isDefault && env.defaultSha256) {
      expected = env.defaultSha256;
    } else if (isDefault && env.defaultManifest) {
      man = await readManifest(env.defaultManifest(), false);
      file = env.defaultModelFile;
    } else if (src.url && src.url.protocol !== 'data:' && src.url.protocol !== 'blob:') {
      man = await readManifest(new URL('manifest.json', src.url), false);
      file = baseName(src.url);
    }
    if (man) expected = manifestHash(man, file, explicit);
  }

  const cache = options.cache && expected ? await openCache() : null;
  let bytes = null;
  if (cache) {
    const hit = await cache.match(cacheKey(expected)).catch(() => null);
    if (hit) {
      const b = new Uint8Array(await hit.arrayBuffer());
      if ((await sha256(b)) === expected) {
        bytes = b;
        if (onProgress) onProgress({ loaded: b.length, total: b.length });
      } else {
        await cache.delete(cacheKey(expected)).catch(() => {});
      }
    }
  }
  let fromCache = !!bytes;
  if (!bytes) bytes = await loadBytes(src, 'model', onProgress);
  const digest = await sha256(bytes); // null without crypto.subtle: the engine hashes instead
  if (expected && digest !== null && digest !== expected) throw integrityError(where, digest, expected);
  if (cache && !fromCache) {
    await cache.put(cacheKey(expected), new Response(bytes, { headers: { 'content-type': 'application/octet-stream' } })).catch(() => {});
  }

  const module = await wasmP;
  let backend;
  let infoJSON;
  if (wb) {
    backend = wb;
    const inits = [];
    for (let i = 0; i < wb.size; i++) {
      const b = i === wb.size - 1 ? bytes : bytes.slice();
      inits.push(wb.call(i, 'init', [module, b, options.path, digest], [b.buffer]));
    }
    infoJSON = (await Promise.all(inits))[0];
  } else {
    const engine = await startEngine(module);
    backend = new LocalBackend(engine);
    try {
      infoJSON = await engine.call('load', bytes, options.path, digest);
    } catch (e) {
      backend.dispose();
      throw e;
    }
  }
  const info = JSON.parse(infoJSON);
  if (expected && info.sha256 !== expected) {
    backend.dispose();
    throw integrityError(where, info.sha256, expected);
  }
  info.verified = !!expected;
  info.cached = fromCache;
  info.mode = wb ? 'worker' : 'main';
  info.workers = wb ? wb.size : 0;
  return new Model(backend, Object.freeze(info));
}
