// i2m2.load.mjs: load(): its options, integrity (fail closed: the sha256
// option, the default model's pinned hash, a manifest entry), the Cache API,
// and starting the engine (i2m2.engine.mjs) in this thread or in workers
// (i2m2.protocol.mjs) with the bytes i2m2.fetch.mjs gets, behind the model
// facade (i2m2.model.mjs). The classic-script build inlines it last. Rules:
// see i2m2.core.mjs.
import { PREFIX, fail, errorOf, typeName } from './i2m2.core.mjs';
import { startEngine } from './i2m2.engine.mjs';
import { LocalBackend, WorkerBackend } from './i2m2.protocol.mjs';
import { Model } from './i2m2.model.mjs';
import { toURL, loadContext, sourceOf, loadBytes, compileWasm, readManifest, taskModel, namedModel } from './i2m2.fetch.mjs';
import { simdSupported } from './i2m2.kernels.mjs';

const MAX_WORKERS = 32;
const CACHE_NAME = 'i2m2-models';
const OPTIONS = ['model', 'task', 'name', 'wasm', 'sha256', 'manifest', 'integrity', 'cache', 'worker', 'workers', 'onProgress', 'path', 'signal', 'stallTimeout'];
const PATHS = ['int8', 'float32', 'reference'];

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
  const { man, where } = await readManifest(src, ctx);
  // its models, baselines and every task's models
  const list = (v) => (Array.isArray(v) ? v : []);
  const tasks = man && man.tasks && typeof man.tasks === 'object' ? Object.values(man.tasks) : [];
  const models = [].concat(list(man && man.models), list(man && man.baselines), ...tasks.map((t) => list(t && t.models)));
  const entry = models.find((m) => m && m.file === file);
  if (!entry) throw fail(`${where} has no entry for ${JSON.stringify(file)}`);
  return checkHex(entry.sha256, `the sha256 for ${file} in ${where}`);
}

// manifestOptions turns options.task (a task of the manifest) or options.name
// (a model of the manifest by its name) into the options of that model: the
// file from the manifest (options.manifest, else the build's), next to the
// manifest (or, in the classic build, inlined), with the manifest's sha256.
async function manifestOptions(env, options, ctx) {
  const key = options.task != null ? 'task' : 'name';
  const v = options[key];
  if (typeof v !== 'string' || v === '') throw fail(`${key} must be ${key === 'task' ? 'a task name (a key of the manifest\'s tasks)' : 'a model name (a models[].name of the manifest)'}, got ${typeName(v)}`);
  if (options.task != null && options.name != null) throw fail('give task or name, not both');
  if (options.model != null) throw fail(`give model or ${key}, not both`);
  if (options.sha256 != null) throw fail(`the sha256 of a ${key === 'task' ? 'task\'s model' : 'named model'} comes from the manifest: give ${key} without sha256`);
  if (options.integrity === false) throw fail(`a ${key === 'task' ? 'task\'s model' : 'named model'} is always checked against the manifest: integrity: false is not allowed with ${key}`);
  const src = options.manifest != null && options.manifest !== false ? options.manifest : env.defaultManifest && env.defaultManifest();
  if (!src) throw fail(`this build has no manifest to look the ${key} up in: pass manifest`);
  const { man, url, where } = await readManifest(src, ctx);
  const e = key === 'task' ? taskModel(man, v, where) : namedModel(man, v, where);
  const what = `${key} ${JSON.stringify(v)}`;
  const sha256 = checkHex(e.sha256, `the sha256 of ${what}'s ${e.file} in ${where}`);
  const inlined = env.modelFile ? env.modelFile(e.file) : null;
  if (!inlined && !url) throw fail(`${what}: ${where} was given as an object, so ${e.file} has no URL; pass the manifest's URL`);
  const o = { ...options, model: inlined || new URL(e.file, url), sha256, task: undefined, name: undefined, manifest: undefined };
  if (key === 'task') o.taskName = v;
  return o;
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
  const wasmP = compileWasm(options.wasm != null ? options.wasm : env.defaultWasmSimd && simdSupported() ? env.defaultWasmSimd() : env.defaultWasm(), ctx);
  wasmP.catch(() => {});
  if (options.task != null || options.name != null) options = await manifestOptions(env, options, ctx);

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
  // The file's sha256 and that of all but its last 32 bytes (what the file's
  // own checksum covers): the engine then hashes nothing (wasm/digest.go).
  // null without crypto.subtle: the engine hashes instead.
  const [digest, content] = await Promise.all([sha256(bytes), bytes.length >= 32 ? sha256(bytes.subarray(0, bytes.length - 32)) : null]);
  const sums = { file: digest, content };
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
      inits.push(wb.call(i, 'init', [module, b, options.path, sums], [b.buffer]));
    }
    infoJSON = (await Promise.all(inits))[0];
  } else {
    const engine = await startEngine(module);
    backend = new LocalBackend(engine);
    try {
      infoJSON = await engine.call('load', bytes, options.path, sums);
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
  if (options.taskName) info.task = options.taskName;
  info.cached = fromCache;
  info.mode = wb ? 'worker' : 'main';
  info.workers = wb ? wb.size : 0;
  return new Model(backend, Object.freeze(info));
}
