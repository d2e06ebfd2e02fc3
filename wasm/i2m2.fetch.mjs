// i2m2.fetch.mjs: getting bytes for load() (i2m2.load.mjs): from a URL (fetch,
// or fs in Node), a Response or a buffer, with the HTTP status and content
// type checked, progress reported, a stall timeout and the caller's
// AbortSignal applied to every read; and compiling the wasm (streaming when
// served as application/wasm). The classic-script build (build-classic.mjs)
// inlines it, dropping the import below.
//
// Rules for this file: the one import below and nothing else module-only, no
// code from strings (CSP: script-src 'self' 'wasm-unsafe-eval').
import { PREFIX, fail, errorOf, typeName } from './i2m2.core.mjs';

// A download (model, manifest, wasm) that receives no bytes for this long is
// abandoned (ms; the stallTimeout option overrides it).
const STALL_MS = 30000;
// ---------------------------------------------------------------------------
// Fetching bytes (model, wasm, manifest), with the checks users expect.

function isNode() {
  return typeof globalThis.process === 'object' && globalThis.process !== null &&
    typeof globalThis.process.versions === 'object' && !!globalThis.process.versions && !!globalThis.process.versions.node;
}

// toURL resolves a string or URL against the page (or, in Node, the working
// directory).
export function toURL(src) {
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
export function loadContext(options) {
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
export function sourceOf(v, what) {
  if (typeof v === 'string' || v instanceof URL) return { url: toURL(v) };
  if (isResponse(v)) return { response: v, where: v.url || `the ${what} Response` };
  const b = bytesOf(v);
  if (b) return { bytes: b };
  throw fail(`${what} must be a URL, string, ArrayBuffer, typed array or Response, got ${typeName(v)}`);
}

export async function loadBytes(src, what, onProgress, ctx) {
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
// WebAssembly.

function isWasm(b) {
  return b.length >= 4 && b[0] === 0 && b[1] === 0x61 && b[2] === 0x73 && b[3] === 0x6d;
}

// The build ships i2m2.simd.wasm gzip-compressed too (i2m2.mjs loads that copy
// where DecompressionStream exists): a static host that does not compress
// .wasm then sends 0.8 MB instead of 2.8 (bench/README.md, "Cold start").
// The bytes say which it is, whatever the file name or content type.
function isGzip(b) {
  return b.length >= 3 && b[0] === 0x1f && b[1] === 0x8b && b[2] === 8;
}

// A wasm that inflates beyond this is refused (ours is under 3 MB).
const MAX_WASM_BYTES = 64 << 20;

// gunzip returns body inflated, failing once the output passes MAX_WASM_BYTES.
function gunzip(body, where) {
  if (typeof DecompressionStream !== 'function') {
    throw fail(`${where} is gzip-compressed and this environment has no DecompressionStream: pass the uncompressed .wasm as the wasm option`);
  }
  let n = 0;
  return body.pipeThrough(new DecompressionStream('gzip')).pipeThrough(new TransformStream({
    transform(chunk, c) {
      if ((n += chunk.length) > MAX_WASM_BYTES) throw fail(`${where} inflates to more than ${MAX_WASM_BYTES} bytes: not a wasm of this package`);
      c.enqueue(chunk);
    },
  }));
}

// peek returns the first n bytes of body (fewer if it is shorter) and a
// stream of the whole body.
async function peek(body, n) {
  const [p, rest] = body.tee();
  const reader = p.getReader();
  let head = new Uint8Array(0);
  while (head.length < n) {
    const { done, value } = await reader.read();
    if (done) break;
    const h = new Uint8Array(head.length + value.length);
    h.set(head);
    h.set(value, head.length);
    head = h;
  }
  reader.cancel().catch(() => {});
  return [head, rest];
}

function notWasm(where, b) {
  const head = Array.from(b.subarray(0, 16)).map((c) => (c >= 32 && c < 127 ? String.fromCharCode(c) : '.')).join('');
  return fail(`${where} is not WebAssembly (no \\0asm magic; it starts with ${JSON.stringify(head)}): check the wasm URL`);
}

async function compileBytes(b, where) {
  if (isGzip(b)) {
    try {
      b = new Uint8Array(await new Response(gunzip(new Blob([b]).stream(), where)).arrayBuffer());
    } catch (e) {
      throw fail(`inflating the gzip-compressed wasm from ${where} failed: ${errorOf(e).message.replace(PREFIX, '')}`);
    }
  }
  if (!isWasm(b)) throw notWasm(where, b);
  try {
    return await WebAssembly.compile(b);
  } catch (e) {
    throw fail(`compiling the wasm from ${where} failed: ${e.message}`);
  }
}

// compileWasm returns a WebAssembly.Module from a URL, Response, bytes or
// Module, plain or gzip-compressed. It checks the HTTP status and the magic,
// compiles while the body streams in where the engine can, and names the URL
// in every error.
export async function compileWasm(v, ctx) {
  if (v instanceof WebAssembly.Module) return v;
  const src = sourceOf(v, 'wasm');
  if (src.bytes) return compileBytes(src.bytes, 'the wasm bytes');
  const where = src.url ? src.url.href : src.where;
  if (src.url && src.url.protocol === 'file:' && isNode()) return compileBytes(await readNodeFile(src.url, 'wasm', ctx), where);
  const res = src.response || await fetchResponse(src.url, 'wasm', ctx);
  if (src.response) checkStatus(res, where, 'wasm');
  const type = (res.headers.get('content-type') || '').split(';')[0].trim().toLowerCase();
  const served = type === 'application/wasm' ? where : `${where} (served as ${JSON.stringify(type || 'no content type')})`;
  if (typeof WebAssembly.compileStreaming !== 'function' || !res.body) return compileBytes(await readBody(res, null, ctx, where, 'wasm'), served);
  // The stream is handed to compileStreaming as application/wasm whatever the
  // server called it: the magic decides.
  let [head, body] = await peek(guardStream(res.body, ctx, where, 'wasm'), 4);
  const gz = isGzip(head);
  try {
    if (gz) [head, body] = await peek(gunzip(body, where), 4);
  } catch (e) {
    body.cancel().catch(() => {});
    throw ctx.error() || fail(`inflating the gzip-compressed wasm from ${where} failed: ${errorOf(e).message.replace(PREFIX, '')}`);
  }
  if (!isWasm(head)) {
    body.cancel().catch(() => {});
    throw notWasm(served, head);
  }
  try {
    return await WebAssembly.compileStreaming(new Response(body, { headers: { 'content-type': 'application/wasm' } }));
  } catch (e) {
    throw ctx.error() || fail(`${gz ? 'inflating and compiling' : 'compiling'} the wasm from ${where} failed: ${errorOf(e).message.replace(PREFIX, '')}`);
  }
}


// ---------------------------------------------------------------------------
// Manifests (weights/manifest.json): reading one, and finding a task's model.

// readManifest reads a manifest given as an object, or by URL (string or
// URL). It returns {man, url (null for an object), where (for messages)}.
export async function readManifest(src, ctx) {
  if (src && typeof src === 'object' && !(src instanceof URL)) return { man: src, url: null, where: 'the manifest' };
  const url = toURL(src);
  const where = `the manifest ${url.href}`;
  let b;
  try {
    b = await loadBytes({ url }, 'manifest', null, ctx);
  } catch (e) {
    throw ctx.error() || fail(`reading ${where} failed: ${errorOf(e).message.replace(PREFIX, '')}`);
  }
  let man;
  try {
    man = JSON.parse(new TextDecoder().decode(b));
  } catch (e) {
    throw fail(`${where} is not JSON (${e.message})`);
  }
  if (man === null || typeof man !== 'object' || Array.isArray(man)) throw fail(`${where} is not a JSON object`);
  return { man, url, where };
}

// taskModel returns the manifest entry of the model that task name runs
// (ui/tasks.go picks the same): among tasks[name].models, the
// file named by its default, else the entry flagged default, else its I2M2
// (kind "i2m2"), else its first int8 entry, else its first. An unknown task
// rejects, listing the manifest's tasks.
export function taskModel(man, name, where) {
  const tasks = man.tasks && typeof man.tasks === 'object' && !Array.isArray(man.tasks) ? man.tasks : {};
  const t = Object.prototype.hasOwnProperty.call(tasks, name) ? tasks[name] : null;
  if (!t || typeof t !== 'object') {
    const known = Object.keys(tasks);
    throw fail(`${where} has no task ${JSON.stringify(name)} (${known.length ? 'its tasks: ' + known.join(', ') : 'it lists no tasks'})`);
  }
  const files = (Array.isArray(t.models) ? t.models : []).filter((f) => f && typeof f.file === 'string');
  let e;
  if (typeof t.default === 'string' && t.default !== '') {
    e = files.find((f) => f.file === t.default);
    if (!e) throw fail(`task ${JSON.stringify(name)} in ${where}: its default ${JSON.stringify(t.default)} is not among its files`);
  } else {
    e = files.find((f) => f.default === true) || files.find((f) => f.kind === 'i2m2') || files.find((f) => f.quantization === 'int8') || files[0];
  }
  if (!e) throw fail(`task ${JSON.stringify(name)} in ${where} lists no model files`);
  if (!/^[^/\\]+$/.test(e.file) || e.file === '.' || e.file === '..') throw fail(`task ${JSON.stringify(name)} in ${where}: bad file name ${JSON.stringify(e.file)}`);
  return e;
}

// namedModel returns the manifest entry of the model called name (its
// models[].name, as "avmnist-tts"): the one flagged default, else its int8
// file, else its first. An unknown name rejects, listing the names.
export function namedModel(man, name, where) {
  const models = Array.isArray(man.models) ? man.models.filter((m) => m && typeof m.file === 'string') : [];
  const all = models.filter((m) => m.name === name);
  const e = all.find((m) => m.default === true) || all.find((m) => m.quantization === 'int8') || all[0];
  if (!e) {
    const known = [...new Set(models.map((m) => m.name).filter((n) => typeof n === 'string'))];
    throw fail(`${where} has no model named ${JSON.stringify(name)} (${known.length ? 'its models: ' + known.join(', ') : 'its models have no names'})`);
  }
  if (!/^[^/\\]+$/.test(e.file) || e.file === '.' || e.file === '..') throw fail(`model ${JSON.stringify(name)} in ${where}: bad file name ${JSON.stringify(e.file)}`);
  return e;
}
