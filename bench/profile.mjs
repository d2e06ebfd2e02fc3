// Where our time goes in wasm: runs the engine (the module's wasm, or
// bench/ourwasm, built without -s, so the wasm keeps its function names)
// under V8's sampling profiler in Node, at batch 1, and prints self time by
// function (Go and JS) for each path.
//
//   node bench/profile.mjs DIR [calls]    (DIR with ours-prof.wasm, wasm_exec.js, model-*.i2m2)
//
// Writes DIR/profile.json; prints a markdown table.
import { Session } from 'node:inspector/promises';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import vm from 'node:vm';
import { loadOursMin } from './web/ours-min.mjs';
import { inputs } from './web/runtimes.mjs';

const dir = process.argv[2];
const calls = Number(process.argv[3] || 300);
if (!dir) {
  console.error('usage: node bench/profile.mjs DIR [calls]');
  process.exit(2);
}
vm.runInThisContext(readFileSync(join(dir, 'wasm_exec.js'), 'utf8'));
const bytes = (f) => { const b = readFileSync(join(dir, f)); return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength); };

const session = new Session();
session.connect();
await session.post('Profiler.enable');
await session.post('Profiler.setSamplingInterval', { interval: 100 }); // µs

const out = {};
let md = '';
// With DIR/module/i2m2.mjs and DIR/module-prof.wasm (the module's engine
// with function names): the module as users call it (await model.predict on
// the main thread, the int8 file); else bench/ourwasm's minimal bridge.
const modDir = join(dir, 'module');
const viaModule = existsSync(join(modDir, 'i2m2.mjs')) && existsSync(join(dir, 'module-prof.wasm'));
const { load } = viaModule ? await import(pathToFileURL(join(modDir, 'i2m2.mjs')).href) : {};
for (const [path, file] of [['int8', 'model-int8.i2m2'], ['float32', viaModule ? 'model-int8.i2m2' : 'model-f32.i2m2']]) {
  const x = inputs(1, 9);
  let predict;
  if (viaModule) {
    const model = await load({ model: bytes(file), path, wasm: bytes('module-prof.wasm'), worker: false, integrity: false });
    predict = () => model.predict({ image: x.image, audio: x.audio });
  } else {
    const m = await loadOursMin({ wasm: bytes('ours-prof.wasm'), model: bytes(file), path });
    predict = async () => m.predict(x.image, x.audio, 1);
  }
  for (let i = 0; i < 30; i++) await predict(); // warm-up (tier-up)
  await session.post('Profiler.start');
  const t = performance.now();
  for (let i = 0; i < calls; i++) await predict();
  const ms = (performance.now() - t) / calls;
  const { profile } = await session.post('Profiler.stop');
  // Self time per function: samples are node ids, timeDeltas their durations.
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  // The profiler's own session (node:inspector's post, whose native
  // "dispatch" stops the profile) is not the engine's time: its samples are
  // left out.
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children || []) parent.set(c, n.id);
  const inspector = (id) => {
    for (let n = id; n !== undefined; n = parent.get(n)) if (byId.get(n).callFrame.url === 'node:inspector') return true;
    return false;
  };
  const self = new Map();
  let total = 0;
  let bridge = 0; // JavaScript (the module, wasm_exec.js) and Go's syscall/js: the call's cost outside the engine
  profile.samples.forEach((id, i) => {
    if (inspector(id)) return;
    const dt = profile.timeDeltas[i] || 0;
    const f = byId.get(id).callFrame;
    const name = f.functionName || '(anonymous)';
    self.set(name, (self.get(name) || 0) + dt);
    total += dt;
    if (/\.m?js$/.test(f.url || '') || name.startsWith('syscall/js.')) bridge += dt;
  });
  const top = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 12)
    .map(([name, us]) => ({ name, share: us / total }));
  out[path] = { ms_per_call: ms, calls, top, bridge_share: bridge / total };
  md += `\n${path} path, batch 1, ${ms.toFixed(2)} ms per call (Node ${process.version}, ${calls} calls, sampling profiler); JavaScript and syscall/js: ${(100 * bridge / total).toFixed(1)}% of the samples:\n\n| function | self time |\n| --- | --- |\n`;
  for (const r of top) md += `| ${r.name.replace(/\|/g, '\\|')} | ${(100 * r.share).toFixed(1)}% |\n`;
}
out.kernels = process.env.BENCH_PROFILE_KERNELS || 'scalar'; // set by scripts/bench-20-browser.sh
out.subject = viaModule ? 'the wasm/ JS module (await model.predict, main thread, int8 file)' : 'bench/ourwasm (minimal bridge)';
writeFileSync(join(dir, 'profile.json'), JSON.stringify(out, null, 2));
console.log(md);
process.exit(0);
