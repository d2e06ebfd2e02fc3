// The I2M2 worker's entry module (wrangler.toml `main`, workerd.capnp).
// Based on github.com/syumai/workers v0.33.0 cmd/workers-assets-gen
// assets/common/worker.mjs, with one change: the stock module starts a fresh
// Go instance for every request (Go runtime start-up and model decoding paid
// each time); this one starts one instance per isolate, keeps it (the Go side
// sees context.i2m2KeepAlive and does not exit) and sends every request to
// it, starting a new one only if the previous has exited.
import "./wasm_exec.js";
import { createRuntimeContext, loadModule } from "./runtime.mjs";

globalThis.tryCatch = (fn) => {
  try {
    return { result: fn() };
  } catch (e) {
    return { error: e };
  }
};

let instance; // Promise<{go, binding}> of the live Go instance

async function start(env, ctx) {
  const mod = await loadModule();
  const go = new Go();
  const binding = {};
  let ready;
  const readyPromise = new Promise((resolve) => { ready = resolve; });
  const inst = new WebAssembly.Instance(mod, {
    ...go.importObject,
    workers: { ready: () => ready() },
  });
  const context = createRuntimeContext({ env, ctx, binding });
  context.i2m2KeepAlive = true;
  const exited = go.run(inst, context);
  // If Go exits before it is ready, fail this start instead of hanging.
  await Promise.race([readyPromise, exited.then(() => { throw new Error("i2m2 worker: the Go instance exited during start-up"); })]);
  return { go, binding };
}

async function fetch(req, env, ctx) {
  if (instance) {
    const live = await instance.catch(() => null);
    if (!live || live.go.exited) instance = undefined;
  }
  if (!instance) instance = start(env, ctx);
  const { binding } = await instance;
  return binding.handleRequest(req);
}

export default { fetch };
