// What the lab's end-to-end scripts share (lab.test.mjs, keyboard.test.mjs, framegaps.mjs): the built
// site served by scripts/staticserve, Debian's Chromium, pages that record errors and CSP violations,
// a small test runner, axe-core, keyboard walking and the demo set as the page has it.
// Env: I2M2_DIST (default dist), I2M2_STATICSERVE (a built scripts/staticserve binary, else `go run`),
// CHROMIUM, I2M2_UI_ONLY (run only the tests whose name contains it).
import { chromium } from 'playwright-core';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, existsSync, writeFileSync } from 'node:fs';
import { resolve, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import net from 'node:net';

export const here = dirname(fileURLToPath(import.meta.url));
export const root = resolve(here, '../..');
export const art = join(here, 'artifacts');

export function check(cond, msg) {
  if (!cond) throw new Error(msg);
}

// staticServe serves dist on a free loopback port with scripts/staticserve (args: more flags, such
// as ['-csp', ''] for no policy) and resolves once it answers.
export async function staticServe(dist, args = []) {
  const port = await new Promise((res) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => res(p)); });
  });
  const a = ['-dir', dist, '-addr', `127.0.0.1:${port}`, ...args];
  const proc = process.env.I2M2_STATICSERVE ? spawn(process.env.I2M2_STATICSERVE, a, { stdio: 'ignore' })
    : spawn('go', ['run', './scripts/staticserve', ...a], { cwd: root, stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}/`;
  for (let i = 0; ; i++) {
    try { if ((await fetch(url)).ok) break; } catch {}
    if (i > 300) throw new Error(`static server for ${dist} did not start`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, close: () => proc.kill() };
}

// launch starts Debian's Chromium with a fake microphone (a beep, or what extraArgs say, such as
// --use-file-for-fake-audio-capture=FILE).
export const launch = (extraArgs = []) => chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
    '--autoplay-policy=no-user-gesture-required', ...extraArgs],
});

// runner runs named tests one after another, logging "ok"/"FAIL" lines and counting failures; with
// the environment variable onlyVar set, only the tests whose name contains its value run.
export function runner(onlyVar) {
  let failures = 0;
  return {
    get failures() { return failures; },
    async test(name, fn) {
      if (process.env[onlyVar] && !name.includes(process.env[onlyVar])) return;
      const t0 = Date.now();
      try {
        await fn();
        console.log(`ok   ${name} (${Date.now() - t0} ms)`);
      } catch (e) {
        failures++;
        console.log(`FAIL ${name}: ${e.stack || e}`);
      }
    },
  };
}

// ready loads url and waits for the first prediction; it returns the load timings (ms since
// navigation start: UI wasm running, model loaded, first prediction shown).
export async function ready(page, url) {
  const t0 = Date.now();
  await page.goto(url);
  await page.waitForSelector('html[data-ready]', { timeout: 120000 });
  await page.waitForSelector('#expert-i2m2 .bar.pred');
  const wall = Date.now() - t0;
  await page.waitForFunction(() => i2m2Boot.shownAt > 0);
  return { wall, ...(await page.evaluate(() => ({
    domContentLoaded: Math.round(performance.getEntriesByType('navigation')[0]?.domContentLoadedEventEnd),
    uiStartAt: Math.round(i2m2Boot.uiStartAt), modelReadyAt: Math.round(i2m2Boot.readyAt), firstPredictionAt: Math.round(i2m2Boot.shownAt),
  }))) };
}

// The demo set as the page has it (weights/demo/README.md layout): labels, voices, spectrograms, and the
// first pairs' clips as 16-bit WAV files (G.711 mu-law decoded as that README says).
export function readDemo(dist) {
  const b = readFileSync(join(dist, 'weights/demo/avmnist-tts-demo.bin'));
  let p = 8;
  const n = b.readUInt32LE(p), nw = b.readUInt32LE(p + 4), rate = b.readUInt32LE(p + 8), wlen = b.readUInt32LE(p + 12); p += 16;
  const nv = b.readUInt16LE(p); p += 2;
  const names = [];
  for (let i = 0; i < nv; i++) { const l = b.readUInt16LE(p); names.push(b.toString('utf8', p + 2, p + 2 + l)); p += 2 + l; }
  const labels = [], voices = [];
  for (let i = 0; i < n; i++) { labels.push(b[p + 12 * i]); voices.push(names[b.readUInt16LE(p + 12 * i + 2)]); }
  const aud0 = p + 12 * n + 784 * n;
  const wav0 = aud0 + 1600 * n;
  const wav = (i) => {
    const out = Buffer.alloc(44 + 2 * wlen);
    out.write('RIFF', 0); out.writeUInt32LE(36 + 2 * wlen, 4); out.write('WAVEfmt ', 8); out.writeUInt32LE(16, 16);
    out.writeUInt16LE(1, 20); out.writeUInt16LE(1, 22); out.writeUInt32LE(rate, 24); out.writeUInt32LE(2 * rate, 28);
    out.writeUInt16LE(2, 32); out.writeUInt16LE(16, 34); out.write('data', 36); out.writeUInt32LE(2 * wlen, 40);
    for (let k = 0; k < wlen; k++) {
      const u = ~b[wav0 + wlen * i + k] & 0xff, e = (u >> 4) & 7, m = u & 15;
      let v = (((m << 3) + 0x84) << e) - 0x84;
      if (u & 0x80) v = -v;
      out.writeInt16LE(Math.max(-32768, Math.min(32767, v)), 44 + 2 * k);
    }
    return out;
  };
  const img0 = p + 12 * n;
  return { n, nw, labels, voices, wav, audio: (i) => Array.from(b.subarray(aud0 + 1600 * i, aud0 + 1600 * (i + 1)), (v) => v / 255),
    imageBytes: (i) => b.subarray(img0 + 784 * i, img0 + 784 * (i + 1)) };
}

// Tab (Shift+Tab with back) until the focused element matches selector; it must show a focus ring
// (its own, or its label's for the visually hidden file input).
export async function tabTo(page, selector, { back = false, max = 150 } = {}) {
  for (let k = 0; k < max; k++) {
    const ring = await page.evaluate((s) => {
      const a = document.activeElement;
      if (!a || !a.matches(s)) return null;
      const st = getComputedStyle(a.closest('.file-btn') || a);
      return { style: st.outlineStyle, width: parseFloat(st.outlineWidth) };
    }, selector);
    if (ring) {
      check(ring.style !== 'none' && ring.width >= 2, `${selector} has no visible focus ring: ${JSON.stringify(ring)}`);
      return;
    }
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
  }
  throw new Error(`Tab never reached ${selector}`);
}

// Renders follow state changes at the next animation frame: wait two, then for nothing in flight.
export async function settled(page) {
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  await page.waitForFunction(() => document.querySelector('.lab').dataset.busy === 'false');
}

export const top = (page, id) => page.$eval(`#expert-${id} .bar.pred .digit-label`, (e) => +e.textContent);

const axeSource = readFileSync(join(root, 'node_modules/axe-core/axe.min.js'), 'utf8');

// session sets up one script's run: the site's files checked, served over http under the strict
// CSP, a browser; it returns the runner and helpers bound to them. finish() closes everything,
// writes artifacts/<metricsFile> and exits non-zero if a test failed.
export async function session(metricsFile) {
  const dist = resolve(root, process.env.I2M2_DIST || 'dist');
  for (const f of ['index.html', 'ui.wasm', 'ui-boot.js', 'ui-wasm.js', 'ui-data.js', 'i2m2.mjs', 'i2m2.classic.js', 'weights/manifest.json', 'weights/demo/avmnist-tts-demo.bin']) {
    if (!existsSync(join(dist, f))) {
      console.error(`e2e/ui: ${join(dist, f)} is missing: run ./build.sh build first`);
      process.exit(1);
    }
  }
  mkdirSync(art, { recursive: true });
  const server = await staticServe(dist);
  const browser = await launch();
  const metrics = { axe: {} };
  const run = runner('I2M2_UI_ONLY');
  return {
    dist, base: server.url, browser, metrics, demo: readDemo(dist),
    test: run.test,
    // A page that records console errors, uncaught exceptions and CSP violations (window.__csp).
    async open(viewport, opts = {}) {
      const ctx = await browser.newContext({ viewport, ...opts });
      const page = await ctx.newPage();
      page.errors = [];
      page.on('console', (m) => { if (m.type() === 'error') page.errors.push('console: ' + m.text()); });
      page.on('pageerror', (e) => page.errors.push('pageerror: ' + e.message));
      await ctx.addInitScript(() => {
        window.__csp = [];
        document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
      });
      return { ctx, page };
    },
    // axe-core on the page as it is now: no violations of any impact; all go to metrics.
    async axeCheck(page, state) {
      if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(axeSource);
      const vs = await page.evaluate(async () => (await axe.run(document, { resultTypes: ['violations'] })).violations
        .map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length, where: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) })));
      metrics.axe[state] = vs.map((v) => `${v.impact}: ${v.id} (${v.nodes})`);
      check(vs.length === 0, `axe-core, ${state}: ${JSON.stringify(vs)}`);
    },
    async finish() {
      await browser.close();
      server.close();
      writeFileSync(join(art, metricsFile), JSON.stringify(metrics, null, 2));
      console.log(JSON.stringify(metrics, null, 2));
      if (run.failures) {
        console.log(`e2e/ui: ${run.failures} failed`);
        process.exit(1);
      }
      console.log('e2e/ui: all passed; screenshots in e2e/ui/artifacts/');
    },
  };
}
