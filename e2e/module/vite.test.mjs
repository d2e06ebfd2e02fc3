// A consumer project: the minimal Vite app in e2e/module/vite-app, copied to a
// temporary folder, installs vite from its lock file and the packed package
// (dist/i2m2-*.tgz), type-checks against i2m2.d.ts (tsc), builds, and predicts in Chromium with the default model
// and the worker, matching the native Go engine's probabilities.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cp, mkdtemp, readdir, rm, mkdir, copyFile, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { chromium } from 'playwright-core';
import { serve } from './server.mjs';
import { CHROMIUM, ARGS } from './chromium.mjs';

const DIST = resolve(process.env.I2M2_DIST || new URL('../../dist', import.meta.url).pathname);
const APP = new URL('./vite-app/', import.meta.url).pathname;

function run(cmd, args, cwd) {
  console.log(`# ${cwd}$ ${cmd} ${args.join(' ')}`);
  execFileSync(cmd, args, { cwd, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, npm_config_update_notifier: 'false' } });
}

test('a Vite 7 app using the packed package type-checks, builds and predicts in Chromium', async () => {
  const tgz = (await readdir(DIST)).filter((f) => /^i2m2-.*\.tgz$/.test(f));
  assert.equal(tgz.length, 1, 'one packed tarball in dist/');
  const dir = await mkdtemp(join(tmpdir(), 'i2m2-vite-'));
  let server, browser;
  try {
    await cp(APP, dir, { recursive: true, filter: (s) => !/node_modules|[/\\]dist$|public$/.test(s) });
    run('npm', ['ci', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], dir);
    run('npm', ['install', '--no-save', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', join(DIST, tgz[0])], dir);
    const pkg = JSON.parse(await readFile(join(dir, 'node_modules', 'i2m2', 'package.json'), 'utf8'));
    assert.equal(pkg.exports['.'].types, './i2m2.d.ts', 'types first in the exports map');
    run('npx', ['tsc', '-p', '.'], dir); // the declarations type-check for a consumer (types-check.ts)
    await mkdir(join(dir, 'public'));
    await copyFile(join(DIST, 'module-test-golden.json'), join(dir, 'public', 'golden.json'));
    run('npx', ['vite', 'build', '--logLevel', 'warn'], dir);
    const assets = await readdir(join(dir, 'dist', 'assets'));
    assert.ok(assets.some((f) => f.endsWith('.wasm')), 'Vite emitted the wasm');
    assert.ok(assets.some((f) => f.endsWith('.i2m2')), 'Vite emitted the default model');
    assert.ok(assets.some((f) => /worker/.test(f)), 'Vite emitted the worker');
    server = await serve(join(dir, 'dist'));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    const page = await browser.newPage();
    const errors = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(server.url);
    await page.waitForFunction(() => globalThis.__vite !== undefined, null, { timeout: 60000 });
    const res = await page.evaluate(() => globalThis.__vite);
    assert.deepEqual(res, { ok: true, label: res.label, mode: 'worker', verified: true });
    assert.deepEqual(errors, []);
  } finally {
    await browser?.close();
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  }
});
