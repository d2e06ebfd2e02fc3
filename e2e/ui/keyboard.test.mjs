// The lab walked with the keyboard only, in Debian's Chromium, over http under the strict
// Content-Security-Policy (harness.mjs): it draws (typing digits on the pad), records (a sound file
// through the file chooser), swaps in a stored clip, runs the shuffle experiment and loads a model
// file on the "your model" card; axe-core checks each state, and every control reached shows a
// focus ring. How well the image expert reads the typed digits goes to artifacts/keyboard-metrics.json.
//   node e2e/ui/keyboard.test.mjs       (scripts/test-60-ui.sh runs it)
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { art, check, ready, session, settled, tabTo, top } from './harness.mjs';

const { base, dist, demo, metrics, test, open, axeCheck, finish } = await session('keyboard-metrics.json');
const tmp = mkdtempSync(join(tmpdir(), 'i2m2-ui-'));

// chooseByKeyboard tabs to the file input and presses Space, which opens its chooser. About one
// press in three goes unseen by the test with the focus on the input: Playwright turns on
// file-chooser interception asynchronously when waitForEvent starts, and the press can win that race
// (the dialog then opens uncaught). A second press, with interception on, is caught; misses are logged.
async function chooseByKeyboard(page, selector, opts) {
  for (let attempt = 1; ; attempt++) {
    await tabTo(page, selector, opts);
    try {
      const [chooser] = await Promise.all([page.waitForEvent('filechooser', { timeout: 10000 }), page.keyboard.press('Space')]);
      return chooser;
    } catch (e) {
      if (attempt === 3) throw e;
      console.log(`keyboard: Space on ${selector} opened no chooser (attempt ${attempt})`);
    }
  }
}

await test('keyboard only: draw by typing digits, record from a sound file, swap, run the shuffle', async () => {
  const { ctx, page } = await open({ width: 1280, height: 800 });
  await ready(page, base);
  // draw: open the pad (it takes the focus) and type digits; each is drawn stroke by stroke
  await tabTo(page, '#draw-toggle');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.activeElement && document.activeElement.id === 'draw-pad');
  const typed = {};
  for (let d = 0; d < 10; d++) {
    await page.keyboard.press(String(d));
    // the pad is aria-busy while it draws; then the last stroke's prediction comes in
    await page.waitForFunction(() => !document.querySelector('#draw-pad').hasAttribute('aria-busy'));
    await settled(page);
    check(/your drawing/.test(await page.textContent('.mods')), 'the image is the drawing');
    const ink = await page.$eval('#draw-pad', (c) => { const x = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let n = 0; for (let i = 3; i < x.length; i += 4) if (x[i] > 0) n++; return n; });
    check(ink > 1500, `typing ${d} left ${ink} inked pixels`);
    typed[d] = await top(page, 'image');
  }
  metrics.keyboard = { typedDigitReadAs: typed, typedRight: Object.entries(typed).filter(([d, r]) => +d === r).length };
  await axeCheck(page, 'keyboard: typed drawing');
  await page.screenshot({ path: join(art, 'keyboard-drawing.png') });
  // record: the sound-file input (behind its label) opens the file chooser from the keyboard
  const k = [...Array(demo.nw).keys()].find((i) => demo.labels[i] === 5);
  writeFileSync(join(tmp, 'five.wav'), demo.wav(k));
  writeFileSync(join(tmp, 'not-audio.wav'), 'this is not a sound file\n');
  let chooser = await chooseByKeyboard(page, '#sound-file');
  await chooser.setFiles(join(tmp, 'five.wav'));
  await page.waitForFunction(() => /your sound file/.test(document.querySelector('.mods').textContent), null, { timeout: 30000 });
  await settled(page);
  metrics.keyboard.soundFile = { pair: k, audioExpert: await page.textContent('#expert-audio .ranks') };
  check(!(await page.textContent('.errors')).trim(), await page.textContent('.errors'));
  // a file that is not audio is refused in words; the message is dismissed from the keyboard
  chooser = await chooseByKeyboard(page, '#sound-file');
  await chooser.setFiles(join(tmp, 'not-audio.wav'));
  await page.waitForSelector('.errors .error');
  const err = await page.textContent('.errors .error span');
  check(/^Could not use not-audio\.wav: .+/.test(err), err);
  metrics.keyboard.notAudioMessage = err;
  await axeCheck(page, 'keyboard: sound file refused');
  await tabTo(page, '.errors button');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => !document.querySelector('.errors .error'));
  // swap: a stored clip of a 3
  await tabTo(page, 'button[aria-label="Swap in a clip of 3"]');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => /swapped in: pair #\d+'s, a 3/.test(document.querySelector('.mods').textContent));
  await settled(page);
  await axeCheck(page, 'keyboard: clip swapped');
  // the shuffle: the run button becomes the stop button and back, keeping the focus
  await tabTo(page, '#shuffle-run');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#shuffle-summary', { timeout: 600000 });
  check(await page.evaluate(() => document.activeElement.id) === 'shuffle-run', 'the focus must stay on the run button');
  check(/^Shuffle experiment done\./.test(await page.textContent('#shuffle-announce')), 'the end of the run is announced');
  await axeCheck(page, 'keyboard: shuffle done');
  check(page.errors.length === 0, page.errors.join('\n'));
  await ctx.close();
});

await test('keyboard only: your model file loads and runs under the strict CSP', async () => {
  const { ctx, page } = await open({ width: 1280, height: 800 });
  await ready(page, base);
  await settled(page);
  const chooser = await chooseByKeyboard(page, '#yours-file', { back: true }); // the last card: backwards from the top
  await chooser.setFiles(join(dist, 'weights/avmnist-tts-int8.i2m2'));
  await page.waitForSelector('#yours-info', { timeout: 60000 });
  await tabTo(page, '#yours-info button');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => {
    const rows = [...document.querySelectorAll('#yours-experts tbody tr')];
    return rows.length > 0 && rows.every((r) => /^\d \(/.test(r.cells[2].textContent.trim()));
  }, null, { timeout: 60000 });
  const refused = await page.$('#yours-error');
  check(!refused, refused && await refused.textContent());
  await axeCheck(page, 'keyboard: your model run');
  check(page.errors.length === 0, page.errors.join('\n'));
  const csp = await page.evaluate(() => window.__csp);
  check(csp.length === 0, `CSP violations: ${csp.join('; ')}`);
  await ctx.close();
});

rmSync(tmp, { recursive: true, force: true });
await finish();
