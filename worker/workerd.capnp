# workerd configuration for running the I2M2 worker locally in the real
# Workers runtime (npm `workerd`):
#
#   bash scripts/build-30-worker.sh
#   node_modules/@cloudflare/workerd-linux-64/bin/workerd serve worker/workerd.capnp
#
# Paths are relative to this file. Two sockets serve the same wasm:
#   http  (127.0.0.1:8787) worker/js/worker.mjs: one Go instance per isolate,
#         reused across requests (what wrangler.toml deploys);
#   fresh (127.0.0.1:8788) syumai/workers' stock worker.mjs: a new Go instance
#         per request (kept to measure instance start-up; scalar app.wasm).
# worker.mjs runs app.simd.wasm (SIMD kernels) where WebAssembly SIMD
# validates, else app.wasm.
# Override an address with --socket-addr http=127.0.0.1:PORT.
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "i2m2", worker = .i2m2),
    (name = "i2m2-fresh", worker = .i2m2Fresh),
  ],
  sockets = [
    (name = "http", address = "127.0.0.1:8787", http = (), service = "i2m2"),
    (name = "fresh", address = "127.0.0.1:8788", http = (), service = "i2m2-fresh"),
  ],
);

const i2m2 :Workerd.Worker = (
  modules = [
    (name = "worker.mjs", esModule = embed "build/worker.mjs"),
    (name = "runtime.mjs", esModule = embed "build/runtime.mjs"),
    (name = "wasm_exec.js", esModule = embed "build/wasm_exec.js"),
    (name = "i2m2.kernels.mjs", esModule = embed "build/i2m2.kernels.mjs"),
    (name = "app.wasm", wasm = embed "build/app.wasm"),
    (name = "app.simd.wasm", wasm = embed "build/app.simd.wasm"),
  ],
  compatibilityDate = "2025-01-01",
);

const i2m2Fresh :Workerd.Worker = (
  modules = [
    (name = "worker.mjs", esModule = embed "build/worker-fresh.mjs"),
    (name = "runtime.mjs", esModule = embed "build/runtime.mjs"),
    (name = "wasm_exec.js", esModule = embed "build/wasm_exec.js"),
    (name = "app.wasm", wasm = embed "build/app.wasm"),
  ],
  compatibilityDate = "2025-01-01",
);
