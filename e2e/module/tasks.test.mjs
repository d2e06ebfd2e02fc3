// load({task}) in Node (node:test): a task's model is found in the manifest (the one next to the
// module, or the one given), loaded from next to it and checked against its sha256. Against a copy
// of the built site (I2M2_DIST) with stand-in task models added (wasm/internal/standin -tasks: a
// test fixture, random weights), and the tasks the site itself ships (data-driven from its
// manifest). Run by scripts/test-30-wasm.sh.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { execFileSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';

const DIST = resolve(process.env.I2M2_DIST || new URL('../../dist', import.meta.url).pathname);
const ROOT = resolve(new URL('../..', import.meta.url).pathname);
let site, load, man;

before(async () => {
  site = mkdtempSync(join(tmpdir(), 'i2m2-module-tasks-'));
  cpSync(DIST, site, { recursive: true, filter: (src) => !/\/(pkg|hostile|node_modules)(\/|$)|\.tgz$/.test(src) });
  execFileSync('go', ['run', './wasm/internal/standin', '-tasks', '-o', join(site, 'weights')], { cwd: ROOT, stdio: 'inherit' });
  man = JSON.parse(readFileSync(join(site, 'weights/manifest.json'), 'utf8'));
  ({ load } = await import(pathToFileURL(join(site, 'i2m2.mjs')).href));
});
after(() => rmSync(site, { recursive: true, force: true }));

test('load({task}) finds the task in the manifest next to the module, verified', async () => {
  for (const [name, t] of Object.entries(man.tasks)) {
    const m = await load({ task: name, worker: false });
    try {
      assert.equal(m.info.task, name);
      assert.equal(m.info.verified, true);
      assert.deepEqual(m.info.classes, t.classes);
      assert.equal(m.info.sha256, t.models[0].sha256);
      const x = {};
      for (const md of m.info.modalities) x[md.name] = new Float32Array(md.shape.reduce((a, b) => a * b, 1)).fill(0.5);
      const r = await m.predict(x);
      assert.equal(r.probs.length, t.classes.length);
      assert.deepEqual(r.used, m.info.experts.map((e) => e.name));
    } finally {
      m.dispose();
    }
  }
});

test('load({task}) with a manifest given by URL; its files load from next to it', async () => {
  const m = await load({ task: 'same', manifest: pathToFileURL(join(site, 'weights/manifest.json')), worker: false });
  assert.deepEqual(m.info.classes, ['no', 'yes']);
  m.dispose();
});

test('load({task}) refuses in words: unknown task, contradicting options, tampered or missing file', async () => {
  await assert.rejects(load({ task: 'colour', worker: false }), /has no task "colour" \(its tasks: digit, digit-or-mismatch, same, three-inputs\)/);
  await assert.rejects(load({ task: '', worker: false }), /task must be a task name/);
  await assert.rejects(load({ task: 7, worker: false }), /task must be a task name/);
  await assert.rejects(load({ task: 'same', model: join(site, 'weights/x.i2m2'), worker: false }), /give model or task, not both/);
  await assert.rejects(load({ task: 'same', integrity: false, worker: false }), /integrity: false is not allowed with task/);
  await assert.rejects(load({ task: 'same', sha256: 'a'.repeat(64), worker: false }), /the sha256 of a task's model comes from the manifest/);
  await assert.rejects(load({ task: 'same', manifest: man, worker: false }), /given as an object, so .* has no URL/);
  // a manifest whose task points outside its folder, or at no file
  const bad = structuredClone(man);
  bad.tasks.same.default = '../manifest.json';
  await assert.rejects(load({ task: 'same', manifest: bad, worker: false }), /its default "\.\.\/manifest\.json" is not among its files/);
  bad.tasks.same.models[0].file = '../escape.i2m2';
  bad.tasks.same.default = '../escape.i2m2';
  writeFileSync(join(site, 'weights/bad-manifest.json'), JSON.stringify(bad));
  await assert.rejects(load({ task: 'same', manifest: pathToFileURL(join(site, 'weights/bad-manifest.json')), worker: false }), /bad file name "\.\.\/escape\.i2m2"/);
  // the file differs from its sha256: refused
  const f = join(site, 'weights', man.tasks.same.models[0].file);
  const b = readFileSync(f);
  b[b.length >> 1] ^= 0xff;
  writeFileSync(f, b);
  await assert.rejects(load({ task: 'same', worker: false }), /integrity check failed .* expected [0-9a-f]{64}/);
  rmSync(f);
  await assert.rejects(load({ task: 'same', worker: false }), /reading the model from .* failed/);
});

test('load({name}) loads a model of the manifest by its name, verified; an unknown name lists them', async () => {
  const def = man.models.find((m) => m.default);
  const m = await load({ name: def.name, worker: false });
  assert.equal(m.info.verified, true);
  assert.equal(m.info.sha256, def.sha256);
  m.dispose();
  await assert.rejects(load({ name: 'nope', worker: false }), new RegExp(`has no model named "nope" \\(its models: ${def.name}`));
  await assert.rejects(load({ name: def.name, task: 'same', worker: false }), /give task or name, not both/);
  await assert.rejects(load({ name: def.name, integrity: false, worker: false }), /integrity: false is not allowed with name/);
});

// The tasks the site ships (none until the trainer writes them into weights/manifest.json).
const shipped = JSON.parse(readFileSync(join(DIST, 'weights/manifest.json'), 'utf8')).tasks || {};
for (const name of Object.keys(shipped)) {
  test(`shipped task ${name}: load({task}) verifies its model`, async () => {
    const { load: shippedLoad } = await import(pathToFileURL(join(DIST, 'i2m2.mjs')).href);
    const m = await shippedLoad({ task: name, worker: false });
    assert.equal(m.info.verified, true);
    assert.deepEqual(m.info.classes, shipped[name].classes);
    m.dispose();
  });
}
