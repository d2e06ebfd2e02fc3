// Where our time goes in wasm: runs the engine (bench/ourwasm built without
// -s, so the wasm keeps its function names) under V8's sampling profiler in
// Node, at batch 1, and prints self time by Go function for each path.
//
//   node bench/profile.mjs DIR [calls]    (DIR with ours-prof.wasm, wasm_exec.js, model-*.i2m2)
//
// Writes DIR/profile.json; prints a markdown table.
import { Session } from 'node:inspector/promises';
import { readFileSync, writeFileSync } from 'node:fs';
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
for (const [path, file] of [['int8', 'model-int8.i2m2'], ['float32', 'model-f32.i2m2']]) {
  const m = await loadOursMin({ wasm: bytes('ours-prof.wasm'), model: bytes(file), path });
  const x = inputs(1, 9);
  for (let i = 0; i < 30; i++) m.predict(x.image, x.audio, 1); // warm-up (tier-up)
  await session.post('Profiler.start');
  const t = performance.now();
  for (let i = 0; i < calls; i++) m.predict(x.image, x.audio, 1);
  const ms = (performance.now() - t) / calls;
  const { profile } = await session.post('Profiler.stop');
  // Self time per function: samples are node ids, timeDeltas their durations.
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] || 0;
    const name = byId.get(id).callFrame.functionName || '(anonymous)';
    self.set(name, (self.get(name) || 0) + dt);
    total += dt;
  });
  const top = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 12)
    .map(([name, us]) => ({ name, share: us / total }));
  out[path] = { ms_per_call: ms, calls, top };
  md += `\n${path} path, batch 1, ${ms.toFixed(2)} ms per call (Node ${process.version}, ${calls} calls, sampling profiler):\n\n| function | self time |\n| --- | --- |\n`;
  for (const r of top) md += `| ${r.name.replace(/\|/g, '\\|')} | ${(100 * r.share).toFixed(1)}% |\n`;
}
out.kernels = process.env.BENCH_PROFILE_KERNELS || 'scalar'; // set by scripts/bench-20-browser.sh
writeFileSync(join(dir, 'profile.json'), JSON.stringify(out, null, 2));
console.log(md);
process.exit(0);
