// Frame gaps during the lab's shuffle experiment, for several builds of the site side by side in one
// run (a benchmark: nothing is asserted). Rounds alternate between the builds so that they share the
// machine's load; each round opens the page, runs the experiment over the whole demo set (picking a
// pair meanwhile, as e2e/ui/lab.test.mjs does) and records the time between animation frames from the
// click to the summary, and the main thread's work over that time from Chromium's Performance
// metrics (style recalculation, layout, script, all tasks: less sensitive to the machine's load than
// the gaps, which a busy machine stretches).
//   node e2e/ui/framegaps.mjs [-rounds N] [-reduced-motion] name=dist-folder [name=dist-folder ...]
// Env: I2M2_STATICSERVE (a built scripts/staticserve binary, else `go run`), CHROMIUM. Pages are served
// without a Content-Security-Policy, so that a build from before the strict-CSP work runs too.
import { resolve } from 'node:path';
import { launch, staticServe } from './harness.mjs';

const args = process.argv.slice(2);
let rounds = 3, reducedMotion = 'no-preference';
for (;;) {
  if (args[0] === '-rounds') { rounds = +args[1]; args.splice(0, 2); continue; }
  if (args[0] === '-reduced-motion') { reducedMotion = 'reduce'; args.shift(); continue; }
  break;
}
const builds = args.map((a) => { const i = a.indexOf('='); return { name: a.slice(0, i), dist: resolve(a.slice(i + 1)) }; });
if (!builds.length || builds.some((b) => !b.name) || !(rounds > 0)) {
  console.error('usage: node e2e/ui/framegaps.mjs [-rounds N] [-reduced-motion] name=dist-folder [name=dist-folder ...]');
  process.exit(2);
}

for (const b of builds) {
  b.server = await staticServe(b.dist, ['-csp', '']);
  b.url = b.server.url;
  b.runs = [];
}
const browser = await launch();

const pct = (g, q) => g[Math.min(g.length - 1, Math.floor(g.length * q))];
async function once(b) {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, reducedMotion });
  const page = await ctx.newPage();
  await page.goto(b.url);
  await page.waitForSelector('html[data-ready]', { timeout: 120000 });
  await page.waitForSelector('#expert-i2m2 .bar.pred');
  // let the background scan of the demo set finish, as a person reading the page would
  await page.waitForFunction(() => /\(\d+ of \d+ pairs\)/.test(document.querySelector('details.disagree summary').textContent), null, { timeout: 120000 });
  const cdp = await ctx.newCDPSession(page);
  await cdp.send('Performance.enable');
  const perf = async () => Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
  const p0 = await perf();
  await page.evaluate(() => {
    window.__gaps = [];
    let last = performance.now();
    const tick = (t) => { window.__gaps.push(t - last); last = t; if (!window.__stop) requestAnimationFrame(tick); };
    requestAnimationFrame(tick);
  });
  const t0 = Date.now();
  await page.click('#shuffle-run');
  await page.click('.picker .digits button:has-text("5")');
  await page.waitForSelector('#shuffle-summary', { timeout: 600000 });
  const ms = Date.now() - t0;
  const p1 = await perf();
  const d = (k) => p1[k] - p0[k];
  const g = await page.evaluate(() => { window.__stop = true; return window.__gaps.slice(1).sort((a, b) => a - b); });
  await ctx.close();
  return {
    ms, frames: g.length, p50: pct(g, 0.5), p99: pct(g, 0.99), max: g[g.length - 1], over50: g.filter((x) => x > 50).length,
    styleMs: 1000 * d('RecalcStyleDuration'), styleCount: d('RecalcStyleCount'), layoutMs: 1000 * d('LayoutDuration'), layoutCount: d('LayoutCount'),
    scriptMs: 1000 * d('ScriptDuration'), taskMs: 1000 * d('TaskDuration'),
  };
}

for (let r = 0; r < rounds; r++) {
  for (const b of r % 2 ? [...builds].reverse() : builds) {
    const x = await once(b);
    b.runs.push(x);
    console.log(`round ${r + 1} ${b.name}: ${x.ms} ms, ${x.frames} frames, gaps p50 ${x.p50.toFixed(1)} ms, p99 ${x.p99.toFixed(1)} ms, max ${x.max.toFixed(1)} ms, ${x.over50} over 50 ms; ` +
      `style ${x.styleMs.toFixed(0)} ms (${x.styleCount}), layout ${x.layoutMs.toFixed(0)} ms (${x.layoutCount}), script ${x.scriptMs.toFixed(0)} ms, tasks ${x.taskMs.toFixed(0)} ms`);
  }
}
await browser.close();
for (const b of builds) b.server.close();

const med = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[s.length >> 1]; };
console.log(`\nmedians over ${rounds} rounds (frame gaps during the shuffle experiment, ms):`);
console.log('| build | run (ms) | frames | p50 | p99 | max | gaps > 50 ms | style recalc ms (count) | layout ms (count) | script ms | all tasks ms |');
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
for (const b of builds) {
  const m = (k, f = 0) => med(b.runs.map((x) => x[k])).toFixed(f);
  console.log(`| ${b.name} | ${m('ms')} | ${m('frames')} | ${m('p50', 1)} | ${m('p99', 1)} | ${m('max', 1)} | ${m('over50')} | ${m('styleMs')} (${m('styleCount')}) | ${m('layoutMs')} (${m('layoutCount')}) | ${m('scriptMs')} | ${m('taskMs')} |`);
}
