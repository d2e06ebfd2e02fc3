// End-to-end tests of the modality-swap lab in Debian's Chromium, against the built site
// (dist/, from ./build.sh build) served over http by scripts/staticserve and opened from file://.
//   node e2e/ui/lab.test.mjs            (scripts/test-60-ui.sh runs it; harness.mjs lists the env)
// Screenshots go to e2e/ui/artifacts/ (desktop 1280x800 and phone 390x844), with timings in
// artifacts/metrics.json. Over http the page runs under the strict Content-Security-Policy that
// scripts/staticserve sends; every state the tests visit is checked with axe-core (no violation of
// any impact), and the frame gaps during the shuffle experiment are printed (a benchmark).
// keyboard.test.mjs walks the lab with the keyboard only.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { art, check, ready, session, top } from './harness.mjs';

const { base, dist, demo, metrics, test, open, axeCheck, finish } = await session('metrics.json');

const probs = (page, id) => page.$$eval(`#expert-${id} .bar .fill`, (es) => es.map((e) => e.style.transform));
const curPair = (page) => page.$eval('#pair-index', (e) => +e.value);

// --- http, desktop --------------------------------------------------------------------------------
const { ctx: dctx, page } = await open({ width: 1280, height: 800 });

await test('loads over http and becomes interactive', async () => {
  const t = await ready(page, base);
  metrics.http = t;
  const info = await page.evaluate(async () => (await i2m2Boot.model).info.mode);
  metrics.http.engineMode = info;
  check(info === 'worker', `inference runs in mode ${info}, want a worker`);
  check((await page.textContent('#boot')) !== null && await page.$eval('#boot', (e) => e.hidden), 'the boot message must hide once the UI shows');
  // it runs under the strict policy: the page's own eval is refused
  const csp = (await (await fetch(base)).headers.get('content-security-policy')) || '';
  metrics.http.csp = csp;
  check(/script-src 'self' 'wasm-unsafe-eval'(;|$)/.test(csp) && !/unsafe-eval'|unsafe-inline/.test(csp.replace("'wasm-unsafe-eval'", '')), `served with Content-Security-Policy: ${csp}`);
  await axeCheck(page, 'http: loaded');
});

await test('pick a pair by digit, by index, at random, from the disagreement list', async () => {
  await page.click('.picker .digits button:has-text("3")');
  await page.waitForFunction(() => /digit 3/.test(document.querySelector('#pair-range').textContent));
  const i = await curPair(page);
  check(demo.labels[i] === 3, `picked pair ${i}, a ${demo.labels[i]}`);
  await page.fill('#pair-index', '7');
  await page.dispatchEvent('#pair-index', 'change');
  await page.waitForFunction(() => document.querySelector('#pair-index').value === '7');
  await page.waitForFunction((d) => new RegExp('digit ' + d).test(document.querySelector('#pair-range').textContent), demo.labels[7]);
  await page.click('#pick-random');
  await page.waitForFunction(() => document.querySelector('#pair-index').value !== '7');
  // the scan finishes in the background; its list of disagreements is clickable
  await page.waitForFunction(() => /\(\d+ of \d+ pairs\)/.test(document.querySelector('details.disagree summary').textContent), null, { timeout: 120000 });
  const chip = await page.$('.chip-btn');
  if (chip) {
    const want = +(await chip.textContent()).match(/#(\d+)/)[1];
    await chip.click();
    await page.waitForFunction((w) => document.querySelector('#pair-index').value === String(w), want);
  }
  await axeCheck(page, 'http: scan done, pair picked');
});

await test('keyboard: Tab reaches the controls and Enter activates them', async () => {
  await page.click('.brand h1');
  const seen = new Set();
  for (let k = 0; k < 12; k++) {
    await page.keyboard.press('Tab');
    seen.add(await page.evaluate(() => document.activeElement.id || document.activeElement.tagName));
    if (seen.has('pick-random')) break;
  }
  check(seen.has('pair-index') && seen.has('pick-random'), `Tab order ${[...seen]}`);
  const before = await curPair(page);
  await page.keyboard.press('Enter');
  await page.waitForFunction((b) => document.querySelector('#pair-index').value !== String(b), before);
});

await test('swap the audio for a clip of another digit: the audio expert follows it', async () => {
  await page.fill('#pair-index', '0');
  await page.dispatchEvent('#pair-index', 'change');
  await page.waitForFunction(() => document.querySelector('#pair-index').value === '0');
  const label = demo.labels[0];
  // a clip of another digit that the audio expert (through the same JS module) gets right
  const pick = await page.evaluate(async ({ cands }) => {
    const m = await i2m2Boot.model;
    for (const [i, d, a] of cands) {
      const r = await m.predict({ audio: new Float32Array(a) });
      if (r.experts.audio.label === d) return [i, d];
    }
    return null;
  }, { cands: [...Array(demo.n).keys()].filter((i) => demo.labels[i] !== label).slice(0, 60).map((i) => [i, demo.labels[i], demo.audio(i)]) });
  check(pick, 'no clip of another digit that the audio expert classifies correctly among the first 60');
  const [i, d] = pick;
  metrics.swapClip = { pair: 0, pairLabel: label, clip: i, clipDigit: d };
  const beforeImage = await probs(page, 'image');
  await page.fill('#from-pair', String(i));
  await page.dispatchEvent('#from-pair', 'change');
  await page.click('#use-audio');
  await page.waitForFunction(() => document.querySelectorAll('#expert-audio .before').length === 10);
  await page.waitForFunction((d) => +document.querySelector('#expert-audio .bar.pred .digit-label').textContent === d, d);
  check(await top(page, 'audio') === d, 'audio expert top class');
  check(JSON.stringify(await probs(page, 'image')) === JSON.stringify(beforeImage), 'the image expert must not change when only the clip is swapped');
  const reading = await page.textContent('#reading');
  check(/audio expert followed the new clip/.test(reading), `reading: ${reading}`);
  metrics.swapClip.reading = reading;
  // the distributions as text: top digits with percentages, and the intact pair's
  const ranks = await page.textContent('#expert-audio .ranks');
  check(new RegExp(`^Top: ${d} \\d+%, \\d \\S+, \\d \\S+; intact pair: \\d \\S+$`).test(ranks), `audio expert as text: ${ranks}`);
  metrics.swapClip.ranks = ranks;
  await axeCheck(page, 'http: clip swapped');
  await page.screenshot({ path: join(art, 'desktop-swap.png') });
  await page.click('#undo');
  await page.waitForFunction(() => document.querySelectorAll('#expert-audio .before').length === 0);
});

await test('draw a "1": the image expert output changes', async () => {
  const before = await probs(page, 'image');
  await page.click('#draw-toggle');
  const pad = await page.waitForSelector('#draw-pad');
  await pad.scrollIntoViewIfNeeded();
  const b = await pad.boundingBox();
  await page.mouse.move(b.x + b.width * 0.52, b.y + b.height * 0.15);
  await page.mouse.down();
  for (let k = 1; k <= 12; k++) await page.mouse.move(b.x + b.width * (0.52 - 0.04 * k / 12), b.y + b.height * (0.15 + 0.7 * k / 12));
  await page.mouse.up();
  await page.waitForFunction(() => /your drawing/.test(document.querySelector('.mods').textContent));
  await page.waitForFunction((b) => JSON.stringify([...document.querySelectorAll('#expert-image .bar .fill')].map((e) => e.style.transform)) !== b, JSON.stringify(before));
  // the stroke stays on the pad across the renders that followed it
  const ink = await page.$eval('#draw-pad', (c) => { const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++; return n; });
  check(ink > 500, `${ink} inked pixels left on the pad`);
  metrics.drawing = { inkedPixels: ink, imageExpertTop: await top(page, 'image'), reading: await page.textContent('#reading') };
  await axeCheck(page, 'http: drawing pad');
  await page.screenshot({ path: join(art, 'desktop-drawing.png') });
  await page.click('#restore');
  await page.click('#draw-toggle');
});

await test('listen: the clip plays without an error', async () => {
  await page.fill('#pair-index', '1');
  await page.dispatchEvent('#pair-index', 'change');
  await page.waitForSelector('#play');
  await page.evaluate(() => { window.__played = 0; const orig = HTMLMediaElement.prototype.play; HTMLMediaElement.prototype.play = function () { window.__played++; return orig.call(this); }; });
  await page.click('#play');
  await page.waitForFunction(() => window.__played === 1);
  await page.waitForTimeout(500);
  const err = await page.textContent('.errors');
  check(!err.trim(), `playing failed: ${err}`);
});

await test('record the (fake) microphone: the clip becomes "your voice"', async () => {
  await page.click('#record');
  await page.waitForFunction(() => /your voice/.test(document.querySelector('.mods').textContent) || document.querySelector('.errors').textContent, null, { timeout: 30000 });
  // Chromium's stand-in microphone plays a full-scale square-wave beep (flat at +-1): the lab uses
  // it and says it is clipped (ui/inputcheck.go); any other message is a failure.
  await page.waitForFunction(() => /your voice/.test(document.querySelector('.mods').textContent), null, { timeout: 30000 });
  const msgs = await page.$$eval('.errors .error span', (es) => es.map((e) => e.textContent));
  check(msgs.every((m) => /clipped/.test(m)), `recording failed: ${JSON.stringify(msgs)}`);
  for (let n = msgs.length; n > 0; n--) {
    await page.click('.errors .error button');
    await page.waitForFunction((k) => document.querySelectorAll('.errors .error').length < k, n);
  }
  await page.click('#restore');
});

await test('bad input is reported in words', async () => {
  await page.fill('#pair-index', '99999');
  await page.dispatchEvent('#pair-index', 'change');
  await page.waitForSelector('.errors .error');
  const msgs = await page.$$eval('.errors .error span', (es) => es.map((e) => e.textContent));
  check(msgs.length === 1 && /^Pair numbers go from 0 to \d+\.$/.test(msgs[0]), `errors shown: ${JSON.stringify(msgs)}`);
  await axeCheck(page, 'http: error shown');
  await page.click('.errors button');
  await page.waitForFunction(() => !document.querySelector('.errors .error'));
});

await test('shuffle experiment runs to completion; the page stays responsive', async () => {
  await page.evaluate(() => {
    window.__gaps = [];
    let last = performance.now();
    const tick = (t) => { window.__gaps.push(t - last); last = t; if (!window.__stop) requestAnimationFrame(tick); };
    requestAnimationFrame(tick);
    // What the renders change: live-region texts (what a screen reader announces) and, once the
    // pick below has settled, anything outside the shuffle card (nothing else changes then).
    window.__live = [];
    window.__outside = [];
    window.__mutations = 0;
    window.__obs = new MutationObserver((recs) => {
      for (const r of recs) {
        window.__mutations++;
        const el = r.target.nodeType === 1 ? r.target : r.target.parentElement;
        const live = el && el.closest('[aria-live]');
        if (live) {
          const l = window.__live, text = live.textContent;
          if (!l.length || l[l.length - 1][1] !== text || l[l.length - 1][0] !== live.id) l.push([live.id, text]);
        }
        if (window.__settled && el && !el.closest('.shuffle')) window.__outside.push(el.outerHTML.slice(0, 80));
      }
    });
    window.__obs.observe(document.getElementById('app') || document.body, { subtree: true, childList: true, attributes: true, characterData: true });
  });
  const t0 = Date.now();
  await page.click('#shuffle-run');
  await page.waitForSelector('#shuffle-stop');
  // interact while it runs
  await page.click('.picker .digits button:has-text("5")');
  await page.waitForFunction(() => /digit 5/.test(document.querySelector('#pair-range').textContent));
  await page.waitForFunction(() => document.querySelector('.lab').dataset.busy === 'false');
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  await page.evaluate(() => { window.__settled = true; });
  await page.waitForSelector('#shuffle-summary', { timeout: 600000 });
  const ms = Date.now() - t0;
  const gaps = await page.evaluate(() => { window.__stop = true; const g = window.__gaps.slice().sort((a, b) => a - b); return { frames: g.length, p50: g[g.length >> 1], p99: g[Math.floor(g.length * 0.99)], max: g[g.length - 1] }; });
  console.log(`frame gaps during the shuffle experiment (benchmark, no threshold): p50 ${gaps.p50.toFixed(1)} ms, p99 ${gaps.p99.toFixed(1)} ms, max ${gaps.max.toFixed(1)} ms over ${gaps.frames} frames`);
  const seen = await page.evaluate(() => { window.__obs.disconnect(); return { live: window.__live, outside: window.__outside, mutations: window.__mutations }; });
  check(seen.outside.length === 0, `renders during the shuffle changed the page outside the shuffle card: ${seen.outside.slice(0, 5).join(' | ')}`);
  const announced = seen.live.filter(([id]) => id === 'shuffle-announce').map(([, t]) => t);
  check(announced.length === 2 && /^Running/.test(announced[0]) && /^Shuffle experiment done\./.test(announced[1]), `the shuffle's live region said: ${JSON.stringify(announced)}`);
  check(seen.live.length <= 5, `live regions changed ${seen.live.length} times during the shuffle (chatty): ${JSON.stringify(seen.live)}`);
  const status = await page.textContent('#shuffle-status');
  check(/done: \d+ predictions/.test(status), status);
  const bars = await page.$$eval('.cbar', (e) => e.length);
  check(bars === 30, `${bars} chart bars`);
  metrics.shuffle = { ms, status, frameGapsMs: gaps, domMutations: seen.mutations, liveAnnouncements: seen.live, summary: await page.textContent('#shuffle-summary') };
  const accs = await page.$$eval('.chart:first-of-type .crow', (rows) => rows.map((r) => [r.querySelector('.cname').textContent, [...r.querySelectorAll('.cval')].map((v) => v.textContent)]));
  metrics.shuffle.accuracy = accs;
  await axeCheck(page, 'http: shuffle done');
  await page.screenshot({ path: join(art, 'desktop-1280x800.png') });
  await page.screenshot({ path: join(art, 'desktop-full.png'), fullPage: true });
});

await test('no console errors and no Content-Security-Policy violations over http', async () => {
  check(page.errors.length === 0, page.errors.join('\n'));
  const csp = await page.evaluate(() => window.__csp);
  check(csp.length === 0, `CSP violations: ${csp.join('; ')}`);
  // and the policy is in force: eval from the page's own code (a timer, not the test's evaluate, which
  // the browser lets through) is refused
  const evalRefused = await page.evaluate(() => new Promise((res) => setTimeout(() => {
    try { window.eval('1'); res(false); } catch (e) { res(e instanceof EvalError); }
  })));
  check(evalRefused, 'eval must be refused by the page\'s Content-Security-Policy');
});
await dctx.close();

// --- phone width ---------------------------------------------------------------------------------
await test('phone width 390x844: loads, no horizontal scrolling, swap works by touch', async () => {
  const { ctx, page } = await open({ width: 390, height: 844 }, { isMobile: true, hasTouch: true, deviceScaleFactor: 2, reducedMotion: 'reduce' });
  metrics.phone = await ready(page, base);
  const motion = await page.$eval('#expert-i2m2 .bar .fill', (e) => getComputedStyle(e).transitionDuration);
  check(motion === '0s', `with prefers-reduced-motion the bars must not animate (transition ${motion})`);
  await axeCheck(page, 'phone: loaded');
  const sw = await page.evaluate(() => document.documentElement.scrollWidth);
  check(sw <= 390, `page is ${sw} px wide at 390`);
  await page.tap('.inputs .mod:nth-child(2) .digits button:has-text("4")');
  await page.waitForFunction(() => document.querySelectorAll('#expert-audio .before').length === 10);
  await axeCheck(page, 'phone: clip swapped');
  await page.screenshot({ path: join(art, 'phone-swap.png') });
  check(await page.isVisible('.mini'), 'the pinned one-line result must show at phone width');
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(art, 'phone-390x844.png') });
  await page.screenshot({ path: join(art, 'phone-full.png'), fullPage: true });
  check(page.errors.length === 0, page.errors.join('\n'));
  await ctx.close();
});

// --- file:// --------------------------------------------------------------------------------------
await test('works from file:// (classic scripts, inference on the page thread)', async () => {
  const { ctx, page } = await open({ width: 1280, height: 800 });
  metrics.file = await ready(page, pathToFileURL(join(dist, 'index.html')).href);
  const mode = await page.evaluate(async () => (await i2m2Boot.model).info.mode);
  check(mode === 'main', `mode ${mode}`);
  await page.click('.inputs .mod:nth-child(2) .digits button:has-text("2")');
  await page.waitForFunction(() => document.querySelectorAll('#expert-audio .before').length === 10);
  await page.click('#use-image');
  await page.waitForFunction(() => document.querySelectorAll('.mod.swapped').length === 2 || document.querySelectorAll('.mod.swapped').length === 1);
  check(page.errors.length === 0, page.errors.join('\n'));
  await axeCheck(page, 'file://: image and clip swapped');
  await page.screenshot({ path: join(art, 'file-desktop.png') });
  await ctx.close();
});

// --- failures are shown in words -----------------------------------------------------------------
await test('a tampered model file: the page says so', async () => {
  const { ctx, page } = await open({ width: 1280, height: 800 });
  await page.route('**/weights/*.i2m2', async (r) => {
    const resp = await r.fetch();
    const body = Buffer.from(await resp.body());
    body[body.length >> 1] ^= 0xff;
    await r.fulfill({ response: resp, body });
  });
  await page.goto(base);
  await page.waitForSelector('.errors .error', { timeout: 60000 });
  const msg = await page.textContent('.errors');
  check(/Could not load the model: .+/.test(msg), msg);
  metrics.tamperedModelMessage = (await page.textContent('.errors .error span')).trim();
  await axeCheck(page, 'http: tampered model');
  await ctx.close();
});

await test('a missing ui.wasm: the page says so', async () => {
  const { ctx, page } = await open({ width: 1280, height: 800 });
  await page.route('**/ui.wasm', (r) => r.fulfill({ status: 404, contentType: 'text/html', body: '<h1>Not found</h1>' }));
  await page.goto(base);
  await page.waitForFunction(() => /could not start/.test(document.querySelector('#boot-status').textContent), null, { timeout: 60000 });
  await page.evaluate(() => i2m2Boot.model); // the model keeps loading meanwhile: its progress must not hide the error
  await page.waitForTimeout(300);
  metrics.missingWasmMessage = await page.textContent('#boot-status');
  check(/could not start: could not fetch ui\.wasm: HTTP 404/.test(metrics.missingWasmMessage), metrics.missingWasmMessage);
  check(await page.getAttribute('#boot-status', 'role') === 'alert', 'the failure must be announced');
  await axeCheck(page, 'http: ui.wasm missing');
  await ctx.close();
});

await finish();
