// The I2M2 worker's entry module (wrangler.toml `main`, workerd.capnp).
// Based on github.com/syumai/workers v0.33.0 cmd/workers-assets-gen
// assets/common/worker.mjs. The stock module starts a fresh Go instance for
// every request (Go runtime start-up and model decoding paid each time); this
// one keeps a Go instance per isolate and sends it every request (the Go side
// sees context.i2m2KeepAlive and stays up).
//
// syumai/workers v0.33.0 leaks a js.Func per awaited promise (~1.5 KB of live
// Go heap per request; worker/patches/ fixes it in this build). As a bound on
// whatever else may grow, after REQUESTS_PER_INSTANCE requests new requests
// go to a new instance; the old one finishes what it has in flight and,
// unreferenced, is collected with its memory (worker/README.md).
import "./wasm_exec.js";
import { createRuntimeContext } from "./runtime.mjs";
import { simdSupported } from "./i2m2.kernels.mjs";
import scalarModule from "./app.wasm";
import simdModule from "./app.simd.wasm";

// The same program with SIMD or scalar kernels (scripts/build-30-worker.sh):
// an engine without WebAssembly SIMD rejects app.simd.wasm, so ask first.
const loadModule = async () => (simdSupported() ? simdModule : scalarModule);

const REQUESTS_PER_INSTANCE = 1000;

globalThis.tryCatch = (fn) => {
  try {
    return { result: fn() };
  } catch (e) {
    return { error: e };
  }
};

let current; // {ready: Promise<binding>, served, dead}: the instance new requests go to

function start(env, ctx) {
  const inst = { served: 0, dead: false };
  inst.ready = (async () => {
    const mod = await loadModule();
    const go = new Go();
    const binding = {};
    let ready;
    const readyPromise = new Promise((resolve) => { ready = resolve; });
    const wasm = new WebAssembly.Instance(mod, {
      ...go.importObject,
      workers: { ready: () => ready() },
    });
    const context = createRuntimeContext({ env, ctx, binding });
    context.i2m2KeepAlive = true;
    const exited = go.run(wasm, context).finally(() => { inst.dead = true; });
    // If Go exits before it is ready, fail this start instead of hanging.
    await Promise.race([readyPromise, exited.then(() => { throw new Error("i2m2 worker: the Go instance exited during start-up"); })]);
    return binding;
  })();
  inst.ready.catch(() => { inst.dead = true; });
  return inst;
}

function jsonError(status, error, headers = {}) {
  return new Response(JSON.stringify({ error }) + "\n", {
    status,
    headers: { "content-type": "application/json; charset=utf-8", "access-control-allow-origin": "*", "cache-control": "no-store", ...headers },
  });
}

async function fetch(req, env, ctx) {
  // syumai/workers v0.33.0 converts the request with Go's url.Parse(request.url),
  // which fails on what workerd gives for "OPTIONS *" with a port in Host
  // ("http://127.0.0.1:8787*"), and the request then ends in a bare 500
  // (worker/README.md, "Upstream bugs"). Answer any target that is not a path here.
  if (/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*\*$/i.test(req.url)) { // "scheme://host[:port]*": no path at all
    return jsonError(400, `${req.method} *: the request target must be a path such as /predict (OPTIONS * is not supported; ask OPTIONS /predict)`, { allow: "GET, HEAD, POST, OPTIONS" });
  }
  if (current && (current.dead || current.served >= REQUESTS_PER_INSTANCE)) current = undefined;
  if (!current) current = start(env, ctx);
  const inst = current;
  inst.served++;
  try {
    const binding = await inst.ready;
    return await binding.handleRequest(req);
  } catch (e) {
    // A failure outside the Go handler (conversion, instance start): JSON too.
    return jsonError(500, `internal error: ${e && e.message ? e.message : String(e)}`);
  }
}

export default { fetch };
