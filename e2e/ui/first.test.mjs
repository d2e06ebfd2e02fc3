// The lab's first answer before its UI (ui/web/first.js, boot.js), in Debian's Chromium over http:
//   node e2e/ui/first.test.mjs          (scripts/test-60-ui.sh runs it; harness.mjs lists the env)
// The answer on the page must be the engine's genuine prediction for the demo set's first pair
// (the same bits the model gives for that pair of the full demo set), come before the UI wasm and
// the demo set are asked for, and the UI must take over on the same pair with the same answer.
import { check, session, top } from './harness.mjs';

const { base, demo, metrics, test, open, axeCheck, finish } = await session('first-metrics.json');

await test('the first answer: before the UI, genuine, and the UI takes over on the same pair', async () => {
  const { ctx, page } = await open({ width: 1280, height: 800 });
  // When the answer became visible and when the boot box hid, as they happen (the UI's start-up can
  // hold the page's thread past the moment a poll from here would look).
  await ctx.addInitScript(() => {
    const seen = (window.__seen = {});
    new MutationObserver(() => {
      const box = document.getElementById('boot');
      const first = document.getElementById('boot-first');
      if (box && first && !box.hidden && !first.hidden && seen.answerShown === undefined) seen.answerShown = performance.now();
      if (box && box.hidden && seen.bootHidden === undefined) seen.bootHidden = performance.now();
    }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['hidden'] });
  });
  const asked = [];
  page.on('request', (r) => asked.push([new URL(r.url()).pathname, Date.now()]));
  await page.goto(base);
  await page.waitForFunction(() => globalThis.i2m2Boot && i2m2Boot.firstAnswerAt > 0, null, { timeout: 120000 });
  const early = await page.evaluate(() => ({
    at: i2m2Boot.firstAnswerAt, origin: performance.timeOrigin, answer: i2m2Boot.firstAnswer,
    seen: window.__seen,
    text: document.getElementById('boot-first').textContent, uiStartAt: i2m2Boot.uiStartAt,
  }));
  metrics.firstAnswer = { at: Math.round(early.at), label: early.answer.label, text: early.text };
  check(early.seen.answerShown !== undefined, 'the first answer must be on the page');
  check(!(early.seen.bootHidden <= early.seen.answerShown), `the boot box hid (${early.seen.bootHidden} ms) before the answer showed (${early.seen.answerShown} ms)`);
  check(!(early.uiStartAt <= early.at), `the UI must not run before the first answer (UI at ${early.uiStartAt} ms, answer at ${early.at} ms)`);
  check(early.answer.pair === 0 && early.text.includes(`says ${early.answer.label} with`), `the page must say the answer: ${early.text}`);
  const before = asked.filter(([, t]) => t <= early.origin + early.at).map(([p]) => p);
  for (const late of ['/ui.wasm', '/weights/demo/avmnist-tts-demo.bin']) check(!before.includes(late), `${late} was asked for before the first answer`);
  await axeCheck(page, 'http: first answer');

  // The same model on the full demo set's first pair gives the same bits.
  const again = await page.evaluate(async ({ image, audio }) => {
    const m = await i2m2Boot.model;
    const r = await m.predict({ image: new Float32Array(image), audio: new Float32Array(audio) });
    return { label: r.label, probs: Array.from(r.probs) };
  }, { image: Array.from(demo.imageBytes(0), (v) => v / 255), audio: demo.audio(0) });
  check(again.label === early.answer.label && again.probs.every((p, i) => p === early.answer.probs[i]),
    `the first answer ${JSON.stringify(early.answer)} is not the model's for demo pair 0 ${JSON.stringify(again)}`);

  // The UI takes over: same pair, same answer; the early one is gone.
  await page.waitForSelector('html[data-ready]', { timeout: 120000 });
  await page.waitForFunction(() => i2m2Boot.shownAt > 0);
  check(await page.$eval('#boot', (e) => e.hidden), 'the boot message (and the first answer) must hide once the lab is ready');
  const ui = await page.evaluate(() => ({ start: i2m2Boot.uiStartAt, hidden: window.__seen.bootHidden }));
  check(ui.hidden > ui.start, `the first answer must stay until the UI runs (hidden at ${ui.hidden} ms, UI started at ${ui.start} ms)`);
  check(await page.$eval('#pair-index', (e) => +e.value) === 0, 'the lab must open on the first pair');
  const labTop = await top(page, 'i2m2');
  check(labTop === early.answer.label, `the lab says ${labTop}, the first answer said ${early.answer.label}`);
  check(page.errors.length === 0 && (await page.evaluate(() => window.__csp)).length === 0, `errors: ${page.errors.concat(await page.evaluate(() => window.__csp))}`);
  await ctx.close();
});

await test('on a task\'s page there is no early answer (the lab shows the task\'s own pairs)', async () => {
  const { ctx, page } = await open({ width: 1280, height: 800 });
  await page.goto(base + '?task=digit');
  await page.waitForSelector('html[data-ready]', { timeout: 120000 });
  await page.waitForFunction(() => i2m2Boot.shownAt > 0);
  check(!(await page.evaluate(() => i2m2Boot.firstAnswerAt)), 'a task page must not show the default pair\'s answer');
  await ctx.close();
});

await finish();
