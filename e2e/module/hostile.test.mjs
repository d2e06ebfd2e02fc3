// Hostile models, fail-closed integrity, no NaN, bounded waits and the input
// race, in Node (node:test; main-thread mode): the checks of
// page/module-test-hostile.mjs against e2e/module/server.mjs, plus the
// default model's pinned sha256. Run by scripts/test-30-wasm.sh after
// internal/hostile/write has written I2M2_DIST/hostile.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir, mkdtemp, mkdir, copyFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { createHash } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { serve, tampered } from './server.mjs';
import { hostileChecks } from './page/module-test-hostile.mjs';
import { checkOptions, FILE } from './hostile-options.mjs';

const DIST = resolve(process.env.I2M2_DIST || new URL('../../dist', import.meta.url).pathname);
const { load } = await import(pathToFileURL(join(DIST, 'i2m2.mjs')).href);
const GM = JSON.parse(await readFile(join(DIST, 'module-test-golden.json'), 'utf8')).models.find((m) => m.file === FILE);
const sha = (b) => createHash('sha256').update(b).digest('hex');

let server;
before(async () => {
  server = await serve(DIST);
});
after(async () => {
  await server.close();
});

test('integrity matrix, no NaN, input race, hostile corpus, stalls and aborts (Node, main thread)', async () => {
  const o = await checkOptions();
  assert.equal(o.genuine, GM.sha256);
  const failures = await hostileChecks(load, { ...o, base: server.url });
  assert.deepEqual(failures, []);
});

test("the default model verifies against the build's pinned sha256, without a manifest", async () => {
  const src = await readFile(join(DIST, 'i2m2.mjs'), 'utf8');
  const bytes = await readFile(join(DIST, 'weights', FILE));
  assert.match(src, new RegExp(`defaultSha256: '${sha(bytes)}'`), 'i2m2.mjs pins the sha256 of the shipped default model');
  for (const [name, model, ok] of [['genuine', bytes, true], ['tampered', tampered(bytes), false]]) {
    const dir = await mkdtemp(join(tmpdir(), 'i2m2-pin-'));
    await mkdir(join(dir, 'weights'));
    for (const f of [...(await readdir(DIST)).filter((f) => /^i2m2.*\.mjs$/.test(f)), 'wasm_exec.js', 'i2m2.wasm', 'i2m2.simd.wasm', 'i2m2.simd.wasm.gz']) await copyFile(join(DIST, f), join(dir, f));
    await writeFile(join(dir, 'weights', FILE), model); // and no manifest.json
    const mod = await import(pathToFileURL(join(dir, 'i2m2.mjs')).href);
    if (ok) {
      const m = await mod.load();
      assert.equal(m.info.verified, true, name);
      m.dispose();
      const m2 = await mod.load({ manifest: false });
      assert.equal(m2.info.verified, true, 'manifest: false does not skip the pinned hash');
      m2.dispose();
    } else {
      await assert.rejects(mod.load(), new RegExp(`integrity check failed .*${FILE}: sha256 is ${sha(model)}, expected ${sha(bytes)}`));
      await assert.rejects(mod.load({ integrity: false }), /integrity check failed/, 'the pinned hash is always checked');
    }
  }
});
