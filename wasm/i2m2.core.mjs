// i2m2.core.mjs: the loader and the model facade shared by the ES module
// (i2m2.mjs), the worker (i2m2.worker.mjs) and the classic-script build for
// file:// (i2m2.classic.js, made from this file by build-classic.mjs).
//
// Rules for this file: no imports and nothing module-only (the classic build is a
// plain script), no code from strings (CSP: script-src 'self'
// 'wasm-unsafe-eval'). It needs globalThis.Go from Go's wasm_exec.js.

const PREFIX = 'i2m2: ';
const MAX_WORKERS = 32;
const CACHE_NAME = 'i2m2-models';
const OPTIONS = ['model', 'wasm', 'sha256', 'manifest', 'integrity', 'cache', 'worker', 'workers', 'onProgress', 'path', 'signal', 'stallTimeout'];
// A download (model, manifest, wasm) that receives no bytes for this long is
// abandoned (ms; the stallTimeout option overrides it).
const STALL_MS = 30000;
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
    // A copy, made before the call returns: the engine reads it later (after
    // a macrotask, or in a worker), when the caller may have reused the array.
    // A view's copy is compact, so posting it never clones a larger buffer.
    out[k] = v == null ? v : v.slice();
  }
  return out;
}

// buffersOf lists the ArrayBuffers of a copied sample or batch, to transfer
// them to a worker instead of cloning them again.
function buffersOf(x) {
  const out = [];
  for (const s of Array.isArray(x) ? x : [x]) {
    for (const k of Object.keys(s)) if (s[k]) out.push(s[k].buffer);
  }
  return out;
}

// copyArg copies a typed array argument (see plainInputs); anything else is
// passed as is for the engine to reject.
function copyArg(v) {
  return ArrayBuffer.isView(v) && !(v instanceof DataView) ? v.slice() : v;
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

async function readNodeFile(url, what, ctx) {
  const name = 'node:fs/promises'; // a variable, so bundlers leave it alone
  try {
    const fs = await import(/* @vite-ignore */ name);
    return new Uint8Array(await fs.readFile(url, { signal: ctx.signal }));
  } catch (e) {
    throw ctx.error() || fail(`reading the ${what} from ${url.href} failed: ${e.message}`);
  }
}

// loadContext holds what bounds the waits of one load(): the caller's
// AbortSignal and the stall timeout. Its signal aborts the fetches when
// either fires; error() is the reason, or null.
function loadContext(options) {
  const ctl = new AbortController();
  const stallMs = options.stallTimeout != null ? options.stallTimeout : STALL_MS;
  let reason = null;
  let rejectAbort;
  const aborted = new Promise((_, reject) => (rejectAbort = reject));
  aborted.catch(() => {});
  const stop = (err) => {
    if (reason) return;
    reason = err;
    ctl.abort(err);
    rejectAbort(err);
  };
  const user = options.signal;
  const onAbort = () => {
    const r = user.reason;
    stop(new Error(PREFIX + `load aborted${r instanceof Error ? ': ' + r.message : r !== undefined ? ': ' + String(r) : ''}`, { cause: r }));
  };
  if (user) {
    if (user.aborted) onAbort();
    else user.addEventListener('abort', onAbort, { once: true });
  }
  return {
    signal: ctl.signal,
    aborted, // rejects when the load is aborted or stalls
    error: () => reason,
    done: () => user && user.removeEventListener('abort', onAbort),
    // stall resolves with p, or rejects (and aborts the load) when p takes
    // longer than the stall timeout or the load is aborted.
    stall(p, where, what) {
      if (reason) {
        p.catch(() => {}); // p fails too (its signal is aborted): only reason is reported
        return Promise.reject(reason);
      }
      if (!(stallMs > 0 && stallMs < Infinity)) return Promise.race([p, aborted]);
      let timer;
      const t = new Promise((_, reject) => {
        timer = setTimeout(() => {
          stop(fail(`the download of the ${what} from ${where} stalled: no bytes for ${stallMs / 1000} s (option stallTimeout)`));
          reject(reason);
        }, stallMs);
      });
      return Promise.race([p, t, aborted]).finally(() => clearTimeout(timer));
    },
  };
}

async function fetchResponse(url, what, ctx) {
  let res;
  try {
    res = await ctx.stall(fetch(url.href, { signal: ctx.signal }), url.href, what);
  } catch (e) {
    if (ctx.error()) throw ctx.error();
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
// when the body is not content-encoded, else null. A body that stalls, or an
// abort, cancels the read and rejects.
async function readBody(res, onProgress, ctx, where, what) {
  const enc = res.headers.get('content-encoding');
  const len = res.headers.get('content-length');
  const total = (!enc || enc === 'identity') && len !== null && /^\d+$/.test(len) ? Number(len) : null;
  if (!res.body || !res.body.getReader) {
    const b = new Uint8Array(await ctx.stall(res.arrayBuffer(), where, what));
    if (onProgress) onProgress({ loaded: b.length, total });
    return b;
  }
  const reader = res.body.getReader();
  const chunks = [];
  let loaded = 0;
  if (onProgress) onProgress({ loaded, total });
  for (;;) {
    let r;
    try {
      r = await ctx.stall(reader.read(), where, what);
    } catch (e) {
      reader.cancel().catch(() => {});
      throw e;
    }
    const { done, value } = r;
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

async function loadBytes(src, what, onProgress, ctx) {
  if (src.bytes) {
    if (onProgress) onProgress({ loaded: src.bytes.length, total: src.bytes.length });
    return src.bytes;
  }
  if (src.url && src.url.protocol === 'file:' && isNode()) {
    const b = await readNodeFile(src.url, what, ctx);
    if (onProgress) onProgress({ loaded: b.length, total: b.length });
    return b;
  }
  const res = src.response || await fetchResponse(src.url, what, ctx);
  if (src.response) checkStatus(res, src.where, what);
  return readBody(res, onProgress, ctx, src.url ? src.url.href : src.where, what);
}

// guardStream passes a body through, applying the load's stall timeout and
// abort to every read.
function guardStream(body, ctx, where, what) {
  const reader = body.getReader();
  return new ReadableStream({
    async pull(c) {
      try {
        const { done, value } = await ctx.stall(reader.read(), where, what);
        if (done) c.close();
        else c.enqueue(value);
      } catch (e) {
        reader.cancel().catch(() => {});
        c.error(e);
      }
    },
    cancel(r) {
      return reader.cancel(r);
    },
  });
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

// manifestHash reads a manifest (an object or its URL) and returns the
// sha256 it lists for file. It throws when the manifest cannot be read or
// parsed or has no usable entry; load() decides whether that is fatal.
async function manifestHash(src, file, ctx) {
  let man = src;
  let where = 'the manifest';
  if (!(src && typeof src === 'object' && !(src instanceof URL))) {
    const url = toURL(src);
    where = `the manifest ${url.href}`;
    let b;
    try {
      b = await loadBytes({ url }, 'manifest', null, ctx);
    } catch (e) {
      throw ctx.error() || fail(`reading ${where} failed: ${errorOf(e).message.replace(PREFIX, '')}`);
    }
    try {
      man = JSON.parse(new TextDecoder().decode(b));
    } catch (e) {
      throw fail(`${where} is not JSON (${e.message})`);
    }
  }
  const models = man && Array.isArray(man.models) ? man.models : [];
  const entry = models.find((m) => m && m.file === file);
  if (!entry) throw fail(`${where} has no entry for ${JSON.stringify(file)}`);
  return checkHex(entry.sha256, `the sha256 for ${file} in ${where}`);
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
async function compileWasm(v, ctx) {
  if (v instanceof WebAssembly.Module) return v;
  const src = sourceOf(v, 'wasm');
  if (src.bytes) return compileBytes(src.bytes, 'the wasm bytes');
  const where = src.url ? src.url.href : src.where;
  if (src.url && src.url.protocol === 'file:' && isNode()) return compileBytes(await readNodeFile(src.url, 'wasm', ctx), where);
  const res = src.response || await fetchResponse(src.url, 'wasm', ctx);
  if (src.response) checkStatus(res, where, 'wasm');
  const type = (res.headers.get('content-type') || '').split(';')[0].trim().toLowerCase();
  if (type === 'application/wasm' && typeof WebAssembly.compileStreaming === 'function' && res.body) {
    const [peek, main] = guardStream(res.body, ctx, where, 'wasm').tee();
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
      throw ctx.error() || fail(`compiling the wasm from ${where} failed: ${e.message}`);
    }
  }
  return compileBytes(await readBody(res, null, ctx, where, 'wasm'), `${where} (served as ${JSON.stringify(type || 'no content type')})`);
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
export async function startEngine(module, schedule = macrotask()) {
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
    const call = (name, ...args) => {
      if (exited || disposed) return Promise.reject(gone());
      if (name === 'dispose') disposed = true;
      try {
        return raw[name](...args).catch((e) => { throw errorOf(e); });
      } catch (e) {
        // wasm_exec.js throws "Go program has already exited" after an exit.
        return Promise.reject(/already exited/.test(e && e.message) ? gone() : errorOf(e));
      }
    };
    return { call, exited: () => exited, run };
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
        starting = startEngine(module, (f) => queueMicrotask(f));
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
  if (Array.isArray(batch)) return batch.slice(a, b);
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
    // The inputs are copied (plainInputs) before the first await, that is
    // before the Promise is returned: the caller may reuse its arrays at once.
    this.predict = async (inputs) => {
      const be = use();
      const x = plainInputs(inputs, '');
      return decode(await be.call(rr++ % be.size, 'predict', [x], buffersOf(x)), info, 0);
    };
    this.predictBatch = async (batch) => predictBatch(use(), plainBatch(batch));
    const predictBatch = async (be, batch) => {
      const n = batch !== null && typeof batch === 'object' ? batchCount(batch, info) : -1;
      if (be.size === 1 || n < 2) {
        return decodeBatch(await be.call(0, 'predictBatch', [batch], buffersOf(batch)), info);
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
      audioFromPCM: (pcm, sampleRate) => call('audioFromPCM', [copyArg(pcm), sampleRate]),
      imageFromRGBA: (rgba, width, height) => call('imageFromRGBA', [copyArg(rgba), width, height]),
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
  if (o.integrity != null && typeof o.integrity !== 'boolean') throw fail(`integrity must be true or false, got ${typeName(o.integrity)}`);
  if (o.stallTimeout != null && !(typeof o.stallTimeout === 'number' && o.stallTimeout >= 0)) {
    throw fail(`stallTimeout must be a number of milliseconds >= 0 (0: none), got ${JSON.stringify(o.stallTimeout)}`);
  }
  if (o.signal != null && !(typeof AbortSignal === 'function' && o.signal instanceof AbortSignal)) throw fail(`signal must be an AbortSignal, got ${typeName(o.signal)}`);
}

// createLoad makes the public load() for one build. env:
//   defaultModel()      URL or bytes of the default model
//   defaultModelFile    its name in the manifest
//   defaultSha256       its sha256, pinned by the build (wasm/pin-default.mjs)
//   defaultWasm()       URL or bytes of i2m2.wasm
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

    const ctx = loadContext(options);
    // Start the workers (they fetch their scripts) and compile the wasm while the model downloads.
    const workers = [];
    if (useWorker && !ctx.error()) for (let i = 0; i < nWorkers; i++) workers.push(env.makeWorker());
    const wb = useWorker ? new WorkerBackend(workers) : null;
    const loading = loadWith(env, options, wb, onProgress, ctx);
    // A model that arrives after an abort is freed at once.
    loading.then((m) => ctx.error() && m.dispose(), () => {});
    try {
      return await Promise.race([loading, ctx.aborted]);
    } catch (e) {
      if (wb) wb.dispose();
      throw errorOf(e);
    } finally {
      ctx.done();
    }
  };
}

// expectedHash returns the sha256 the model must have: options.sha256, the
// build's pinned hash of the default model, or the entry of a manifest (the
// one given, else the manifest.json next to a model loaded by URL). It fails
// closed: no usable hash rejects, unless options.integrity is false.
async function expectedHash(env, options, src, isDefault, where, ctx) {
  if (options.sha256 != null) return checkHex(options.sha256, 'sha256');
  const file = src.url ? baseName(src.url) : isDefault ? env.defaultModelFile : null;
  if (options.manifest != null && options.manifest !== false) {
    if (!file) throw fail('a manifest needs the model given by URL, to know its file name');
    return manifestHash(options.manifest, file, ctx); // given explicitly: any failure is fatal
  }
  if (isDefault) return checkHex(env.defaultSha256, 'the pinned sha256 of the default model (set by the build: wasm/pin-default.mjs)');
  const optOut = options.integrity === false;
  let why;
  if (options.manifest === false) {
    why = 'manifest: false and no sha256 option';
  } else if (optOut) {
    return null; // opted out: no lookup
  } else if (src.url && src.url.protocol !== 'data:' && src.url.protocol !== 'blob:') {
    try {
      return await manifestHash(new URL('manifest.json', src.url), file, ctx);
    } catch (e) {
      if (ctx.error()) throw ctx.error();
      why = errorOf(e).message.replace(PREFIX, '');
    }
  } else {
    why = 'the model was given as bytes, a Response or a data:/blob: URL, without a sha256 option';
  }
  if (optOut) return null;
  throw fail(`cannot verify the model from ${where}: ${why}. Pass sha256 (of the whole file), a manifest listing the file, or integrity: false to load it unverified`);
}

async function loadWith(env, options, wb, onProgress, ctx) {
  const wasmP = compileWasm(options.wasm != null ? options.wasm : env.defaultWasm(), ctx);
  wasmP.catch(() => {});

  const isDefault = options.model == null;
  const src = sourceOf(isDefault ? env.defaultModel() : options.model, 'model');
  const where = src.url ? src.url.href : src.where || 'the given bytes';
  const expected = await expectedHash(env, options, src, isDefault, where, ctx);

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
  if (!bytes) bytes = await loadBytes(src, 'model', onProgress, ctx);
  const digest = await sha256(bytes); // null without crypto.subtle: the engine hashes instead
  if (expected && digest !== null && digest !== expected) throw integrityError(where, digest, expected);
  if (cache && !fromCache) {
    await cache.put(cacheKey(expected), new Response(bytes, { headers: { 'content-type': 'application/octet-stream' } })).catch(() => {});
  }

  const module = await wasmP;
  if (ctx.error()) throw ctx.error();
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
