// The lab's task switch and its modality-, expert- and class-generic cards, in Debian's Chromium
// over http under the strict Content-Security-Policy (harness.mjs), axe-core on every state.
//   node e2e/ui/tasks.test.mjs          (scripts/test-60-ui.sh runs it)
// 1. Stand-in task models (a test fixture, never shipped: wasm/internal/standin -tasks writes
//    random-weight models of 10, 2 and 11 classes and one with a third modality into a copy of the
//    site, next to whatever the site ships): each renders and runs, the switch changes the model,
//    screenshots artifacts/standin-*.png.
// 2. The shipped tasks (data-driven from the site's weights/manifest.json and demo set): the switch
//    loads each task's model (sha256 from the manifest), and on "same" swapping the clip for another
//    digit flips the answer while neither intra expert moves; the same digit by another voice does
//    not flip it. Screenshots artifacts/task-*.png. Until the manifest lists trained tasks, this
//    part says so and records it in artifacts/tasks-metrics.json.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { art, check, ready, root, session, settled, staticServe, tabTo } from './harness.mjs';

const { dist, base, demo, metrics, test, open, axeCheck, finish } = await session('tasks-metrics.json');

// The stand-in site: a copy of the built one with stand-in task models in its manifest, and its
// file:// bundles (i2m2.classic.js inlines the tasks' models, ui-data.js the manifest) rebuilt.
const fixture = mkdtempSync(join(tmpdir(), 'i2m2-tasks-'));
cpSync(dist, fixture, { recursive: true });
execFileSync('go', ['run', './wasm/internal/standin', '-tasks', '-o', join(fixture, 'weights')], { cwd: root, stdio: 'inherit' });
{ // a results plot for one task, as the trainer's (manifest tasks.*.plot, relative to weights/), and
  // demo pairs for "same" in the trainer's tasks.json format (weights/demo/README.md): the demo
  // file's clips with a wave, each image with its own digit's clip (yes, with a flip and a keep clip)
  const p = join(fixture, 'weights/manifest.json');
  const m = JSON.parse(readFileSync(p, 'utf8'));
  m.tasks['digit-or-mismatch'].plot = 'results/tasks/standin-plot.svg';
  m.tasks.same.demo = 'demo/tasks.json';
  writeFileSync(p, JSON.stringify(m, null, 1));
  const clips = [...Array(demo.nw).keys()].map((k) => ({ demo_pair: k, digit: demo.labels[k], voice: demo.voices[k] }));
  const images = [...Array(10).keys()].map((k) => ({ digit: demo.labels[k], mnist_t10k: k, pixels: Buffer.from(demo.imageBytes(k)).toString('base64') }));
  const find = (d, v, same) => clips.findIndex((c) => c.digit === d && (c.voice === v) === same);
  const pairs = images.map((im, i) => ({ image: i, clip: i, label: 1, answer: 'yes', flip: find((im.digit + 1) % 10, clips[i].voice, true), keep: find(im.digit, clips[i].voice, false) }))
    .map((q) => Object.fromEntries(Object.entries(q).filter(([, v]) => v !== -1)));
  writeFileSync(join(fixture, 'weights/demo/tasks.json'), JSON.stringify({ format: 1, demo: 'avmnist-tts-demo.bin', images, clips, tasks: [{ task: 'same', pairs }] }));
  mkdirSync(join(fixture, 'weights/results/tasks'), { recursive: true });
  writeFileSync(join(fixture, 'weights/results/tasks/standin-plot.svg'), '<svg xmlns="http://www.w3.org/2000/svg" width="320" height="120"><rect width="320" height="120" fill="#eef"/><text x="10" y="60">stand-in plot</text></svg>\n');
}
execFileSync('node', [join(root, 'wasm/build-classic.mjs'), fixture], { stdio: 'ignore' });
execFileSync('node', [join(root, 'ui/web/data-bundle.mjs'), fixture]);
const standIn = await staticServe(fixture);
const fixtureManifest = JSON.parse(readFileSync(join(fixture, 'weights/manifest.json'), 'utf8'));

// shape reads what the lab shows: rows (id -> number of bars), modality cards, classes' labels.
const shape = (page) => page.evaluate(() => ({
  rows: Object.fromEntries([...document.querySelectorAll('.erow[id^=expert-]')].map((r) => [r.id, r.querySelectorAll('.bar').length])),
  mods: [...document.querySelectorAll('.mod')].map((m) => m.id),
  classes: [...document.querySelectorAll('#expert-i2m2 .digit-label')].map((e) => e.textContent),
  pressed: [...document.querySelectorAll('button.task[aria-pressed=true]')].map((b) => b.id),
}));

// openAt opens a page (1280x800 unless told) at url and waits until the lab is ready;
// closeClean checks that it logged no error and closes it.
async function openAt(url, viewport = { width: 1280, height: 800 }, opts = {}) {
  const { ctx, page } = await open(viewport, opts);
  await ready(page, url);
  return { ctx, page };
}
async function closeClean(ctx, page) {
  check(page.errors.length === 0, page.errors.join('\n'));
  await ctx.close();
}

// waitModel waits until the lab shows a model with n classes and a prediction.
async function waitModel(page, n) {
  await page.waitForFunction((n) => document.querySelectorAll('#expert-i2m2 .bar').length === n && document.querySelector('#expert-i2m2 .bar.pred'), n, { timeout: 60000 });
  await settled(page);
}

await test('stand-in models of 10, 2 and 11 classes and of three modalities render and run (?task=)', async () => {
  const { ctx, page } = await open({ width: 1280, height: 800 });
  metrics.standIn = {};
  for (const [key, t] of Object.entries(fixtureManifest.tasks)) {
    await ready(page, `${standIn.url}?task=${key}`);
    const n = t.classes.length;
    await waitModel(page, n);
    const s = await shape(page);
    const mods = t.models[0].modalities.map((m) => 'mod-' + m.name);
    check(JSON.stringify(s.classes) === JSON.stringify(t.classes), `${key}: classes shown ${s.classes}`);
    check(JSON.stringify(s.mods) === JSON.stringify(mods), `${key}: modality cards ${s.mods}, want ${mods}`);
    check(Object.values(s.rows).every((b) => b === n), `${key}: bars per row ${JSON.stringify(s.rows)}`);
    check(Object.keys(s.rows).length === mods.length + 3, `${key}: rows ${Object.keys(s.rows)} (an expert per modality, inter, intra-only, I2M2)`);
    check(s.pressed.length === 1 && s.pressed[0] === 'task-' + key, `${key}: pressed ${s.pressed}`);
    check(await page.isVisible('.standin'), `${key}: the stand-in banner must show`);
    // every modality can be swapped; the reading follows
    for (const m of mods) {
      await page.click(`#${m} .swaps button:has-text("Noise")`);
      await page.waitForFunction((m) => document.querySelector('#' + m).classList.contains('swapped'), m);
      await settled(page);
    }
    const reading = await page.textContent('#reading');
    check(/expert/.test(reading) && /combination/.test(reading), `${key}: reading ${reading}`);
    metrics.standIn[key] = { classes: n, modalities: mods.length, rows: Object.keys(s.rows), reading };
    await axeCheck(page, `stand-in ${key}: every modality swapped`);
    await page.screenshot({ path: join(art, `standin-${key}.png`), fullPage: true });
  }
  await closeClean(ctx, page);
});

await test('the task switch changes the model (pointer and keyboard); the shuffle runs per task', async () => {
  const { ctx, page } = await openAt(`${standIn.url}?task=digit`);
  await waitModel(page, 10);
  await page.click('#task-same');
  await waitModel(page, 2);
  check((await shape(page)).pressed[0] === 'task-same', 'the switch shows "same" pressed');
  check(await page.evaluate(() => new URLSearchParams(location.search).get('task')) === 'same', 'the address names the task (a reload opens it)');
  const info = await page.evaluate(() => document.querySelector('#facts-classes').textContent);
  check(/^2: no, yes$/.test(info), `model card classes: ${info}`);
  await axeCheck(page, 'stand-in: switched to same');
  // keyboard: Tab to "Digit or mismatch?" and press Enter
  await tabTo(page, '#task-digit-or-mismatch');
  await page.keyboard.press('Enter');
  await waitModel(page, 11);
  check(await page.evaluate(() => document.activeElement.id) === 'task-digit-or-mismatch', 'the focus stays on the switch');
  // the task's results plot (an image under the strict CSP: img-src 'self')
  await page.waitForFunction(() => { const i = document.querySelector('#task-plot'); return i && i.complete && i.naturalWidth > 0; });
  // the shuffle experiment on this task: intact + one condition per modality, every row
  await page.click('#shuffle-run');
  await page.waitForSelector('#shuffle-summary', { timeout: 600000 });
  const bars = await page.$$eval('.chart:first-of-type .cbar', (e) => e.length);
  check(bars === 5 * 3, `${bars} accuracy bars, want 5 rows x 3 conditions`);
  await axeCheck(page, 'stand-in: digit-or-mismatch, shuffle done');
  await page.screenshot({ path: join(art, 'standin-switch-shuffle.png'), fullPage: true });
  // a switch drops the previous task's shuffle
  await page.click('#task-three-inputs');
  await waitModel(page, 10);
  check(!(await page.$('#shuffle-summary')), 'the shuffle result of another model must not stay');
  await closeClean(ctx, page);
});

await test('a task\'s own demo pairs (tasks.json): the picker shows them; flip and keep clips swap in', async () => {
  const { ctx, page } = await openAt(`${standIn.url}?task=same`);
  await waitModel(page, 2);
  // the task's conventional models run beside I2M2 (intra-only, inter-only: the manifest's same files)
  await page.waitForFunction(() => ['#compare-intra-only', '#compare-inter-only'].every((id) => document.querySelectorAll(id + ' .bar').length === 2 && document.querySelector(id + ' .bar.pred')), null, { timeout: 60000 });
  const range = await page.textContent('#pair-range');
  check(/^of 0–9 · image \d · clip \d · voice \S+ · answer yes( · clip playable)?$/.test(range), `picker: ${range}`);
  await page.click('#swap-flip');
  await page.waitForFunction(() => document.querySelector('#mod-audio').classList.contains('swapped'));
  await settled(page);
  const flipped = await page.textContent('#mod-audio .mod-head');
  check(/swapped in: a \d, voice/.test(flipped), `flip clip: ${flipped}`);
  check(/answer|expert/.test(await page.textContent('#reading')), 'a reading');
  await page.click('#restore');
  await page.click('#swap-keep');
  await page.waitForFunction(() => document.querySelector('#mod-audio').classList.contains('swapped'));
  await settled(page);
  await page.waitForFunction(() => document.querySelectorAll('#compare-inter-only .before').length === 2);
  await axeCheck(page, 'stand-in same: keep clip');
  // the shuffle experiment on the task's pairs, the compared models in its chart
  await page.click('#shuffle-run');
  await page.waitForSelector('#shuffle-summary', { timeout: 600000 });
  const rows = await page.$$eval('.chart:first-of-type .crow .cname', (e) => e.map((x) => x.textContent));
  check(rows.length === 7 && rows[5] === 'Intra-only model' && rows[6] === 'Inter-only model', `shuffle chart rows ${rows}`);
  await axeCheck(page, 'stand-in same: shuffle with the compared models');
  await page.screenshot({ path: join(art, 'standin-same-compare.png'), fullPage: true });
  // another task has no demo pairs of its own: the demo file's pairs
  await page.click('#task-digit');
  await waitModel(page, 10);
  check(/^of 0–\d+ · digit \d/.test(await page.textContent('#pair-range')), 'digit shows the demo file\'s pairs');
  await closeClean(ctx, page);
});

await test('phone width 390x844: the switch wraps, no horizontal scrolling, a swap by touch', async () => {
  const { ctx, page } = await openAt(`${standIn.url}?task=digit-or-mismatch`, { width: 390, height: 844 }, { isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
  await waitModel(page, 11);
  const sw = await page.evaluate(() => document.documentElement.scrollWidth);
  check(sw <= 390, `page is ${sw} px wide at 390`);
  await page.tap('#task-same');
  await waitModel(page, 2);
  await page.tap('#mod-audio .digits button[aria-label="Swap in a clip of 4"]');
  await page.waitForFunction(() => document.querySelector('#mod-audio').classList.contains('swapped'));
  await settled(page);
  await axeCheck(page, 'phone: stand-in same, clip swapped');
  await page.screenshot({ path: join(art, 'standin-phone-same.png'), fullPage: true });
  await closeClean(ctx, page);
});

await test('the task switch from file:// (tasks\' models inlined in i2m2.classic.js)', async () => {
  const { ctx, page } = await openAt(pathToFileURL(join(fixture, 'index.html')).href + '?task=same');
  await waitModel(page, 2);
  await page.click('#task-digit-or-mismatch');
  await waitModel(page, 11);
  check(page.errors.length === 0, page.errors.join('\n'));
  await axeCheck(page, 'file://: stand-in task switched');
  await ctx.close();
});

await test('the start-up rule: a switch while the default model still loads wins over it', async () => {
  const { ctx, page } = await open({ width: 1280, height: 800 });
  const def = (fixtureManifest.models.find((m) => m.default) || fixtureManifest.models[0]).file;
  let release;
  const held = new Promise((r) => { release = r; });
  await page.route(`**/weights/${def}`, async (r) => { await held; await r.continue(); });
  await page.goto(standIn.url);
  await page.waitForSelector('#task-same');
  await page.click('#task-same');
  await waitModel(page, 2); // the task's model is shown while the default model is held back
  check(!(await page.evaluate(() => i2m2Boot.readyAt)), 'the default model was held back');
  release();
  await page.waitForFunction(() => i2m2Boot.model && i2m2Boot.shownAt > 0);
  await page.evaluate(() => i2m2Boot.model.catch(() => {}));
  await settled(page);
  const s = await shape(page);
  check(JSON.stringify(s.pressed) === '["task-same"]' && JSON.stringify(s.classes) === '["no","yes"]', `after the default model arrived: ${JSON.stringify(s)}`);
  check(await page.evaluate(() => new URLSearchParams(location.search).get('task')) === 'same', 'the address names the task');
  await closeClean(ctx, page);
});

await test('a tampered task model is refused in words', async () => {
  const { ctx, page } = await openAt(`${standIn.url}?task=digit`);
  await page.route('**/standin-task-same-i2m2-int8.i2m2', async (r) => {
    const resp = await r.fetch();
    const body = Buffer.from(await resp.body());
    body[body.length >> 1] ^= 0xff;
    await r.fulfill({ response: resp, body });
  });
  await page.click('#task-same');
  await page.waitForSelector('.errors .error', { timeout: 60000 });
  const msg = await page.textContent('.errors .error span');
  check(/Could not load the model of “Same digit\?”: .*integrity check failed/.test(msg), msg);
  metrics.tamperedTaskMessage = msg;
  await axeCheck(page, 'stand-in: tampered task model');
  await ctx.close();
});

// --- the shipped tasks -------------------------------------------------------------------------------
const shipped = JSON.parse(readFileSync(join(dist, 'weights/manifest.json'), 'utf8'));
const tasks = Object.entries(shipped.tasks || {}).filter(([, t]) => !t.standIn);
metrics.shippedTasks = tasks.map(([k]) => k);
if (tasks.length === 0) console.log('tasks: the manifest lists no trained tasks yet; the switch and the flip on "same" are checked once it does');

// The start-up rule (ui/README.md): the page opened on the default model is in the task that lists
// that file (the shipped default model is the digit task's), its button pressed; pressing it loads
// nothing.
const defaultModel = shipped.models.find((m) => m.default) || shipped.models[0];
const startTask = (tasks.find(([, t]) => (t.models || []).some((f) => f.sha256 === defaultModel.sha256)) || [''])[0];
for (const [key, t] of tasks) {
  await test(`shipped task ${key}: loads by the switch, verified against the manifest`, async () => {
    const { ctx, page } = await openAt(base);
    const start = await shape(page);
    check(JSON.stringify(start.pressed) === JSON.stringify(startTask ? [`task-${startTask}`] : []), `at start: pressed ${start.pressed}, want the task of the default model (${startTask || 'none'})`);
    const fetched = [];
    page.on('request', (r) => { if (r.url().endsWith('.i2m2')) fetched.push(r.url()); });
    const pair = await page.inputValue('#pair-index');
    await page.click(`#task-${key}`);
    if (key === startTask) { // the task shown: a no-op (no load, the same pair), however often
      await page.click(`#task-${key}`);
      await settled(page);
      check(fetched.length === 0 && await page.inputValue('#pair-index') === pair && !(await page.$('.modelbar')),
        `pressing the task shown (${key}) must load nothing: fetched ${fetched}, pair ${await page.inputValue('#pair-index')} (was ${pair})`);
    }
    await waitModel(page, t.classes.length);
    if (t.plot) await page.waitForFunction(() => { const i = document.querySelector('#task-plot'); return i && i.complete && i.naturalWidth > 0; });
    // its conventional models, when it ships them, run beside I2M2
    const files = t.models || [];
    for (const kind of ['intra_only', 'inter_only']) {
      if (!files.some((f) => f.kind === kind || (f.name || '').includes(kind) || f.file.includes(kind.replace('_', '-')))) continue;
      const id = '#compare-' + kind.replace('_', '-');
      await page.waitForFunction(([id, n]) => document.querySelectorAll(id + ' .bar').length === n && document.querySelector(id + ' .bar.pred'), [id, t.classes.length], { timeout: 60000 });
    }
    const info = await page.evaluate(async (k) => { const m = await i2m2Boot.lib.load({ task: k }); const i = m.info; m.dispose(); return i; }, key);
    check(info.verified && info.task === key, `load({task: ${key}}): ${JSON.stringify({ verified: info.verified, task: info.task })}`);
    await axeCheck(page, `shipped ${key}`);
    await page.screenshot({ path: join(art, `task-${key}.png`), fullPage: true });
    await closeClean(ctx, page);
  });
}

if (shipped.tasks && shipped.tasks.same && !shipped.tasks.same.standIn) {
  await test('same: another digit\'s clip flips the answer, the intra experts stay; another voice does not', async () => {
    const { ctx, page } = await openAt(`${base}?task=same`, { width: 1280, height: 900 });
    await waitModel(page, 2);
    // The pairs to try: the task's own demo pairs (tasks.json: a "yes" pair with its flip and keep
    // clips), else the demo file's pairs (all "yes") with a clip of another digit and the same digit
    // by another voice from its digit buttons.
    const td = shipped.tasks.same.demo ? JSON.parse(readFileSync(join(dist, 'weights', shipped.tasks.same.demo), 'utf8')) : null;
    const tdSame = td && td.tasks.find((t) => t.task === 'same');
    const tries = tdSame
      ? tdSame.pairs.map((p, i) => [i, p]).filter(([, p]) => p.answer === 'yes' && p.flip != null && p.keep != null).map(([i]) => ({ pair: i, flip: '#swap-flip', keep: '#swap-keep' }))
      : [...Array(demo.n).keys()].sort((a, b) => (demo.voices[b].startsWith('fsdd:') ? 1 : 0) - (demo.voices[a].startsWith('fsdd:') ? 1 : 0))
        .map((i) => ({ pair: i, flip: `#mod-audio .digits button[aria-label="Swap in a clip of ${(demo.labels[i] + 1 + (i % 9)) % 10}"]`, keep: '#mod-audio .swaps button:has-text("another voice")' }));
    metrics.sameFrom = tdSame ? shipped.tasks.same.demo : 'weights/demo/avmnist-tts-demo.bin';
    const flips = [];
    let shown = false;
    const swap = async (sel) => {
      await page.click(sel);
      await page.waitForFunction(() => document.querySelector('#mod-audio').classList.contains('swapped'));
      await settled(page);
      return { clip: await page.textContent('#mod-audio .mod-head'), i2m2: await page.textContent('#expert-i2m2 .top'), reading: await page.textContent('#reading') };
    };
    for (const t of tries.slice(0, 12)) {
      await page.fill('#pair-index', String(t.pair));
      await page.dispatchEvent('#pair-index', 'change');
      await page.waitForFunction((i) => document.querySelector('#pair-index').value === String(i), t.pair);
      await settled(page);
      const intact = await page.textContent('#expert-i2m2 .top');
      if (!/^yes/.test(intact)) { flips.push({ pair: t.pair, intact, skipped: 'I2M2 does not say yes to the intact pair' }); continue; }
      const other = await swap(t.flip);
      await page.click('#restore');
      await settled(page);
      const voice = await swap(t.keep);
      flips.push({ pair: t.pair, ...other, voice });
      // the pair the screenshots show: the flip, told as the issue asks, and the voice kept
      if (!shown && /→ no/.test(other.i2m2) && /^yes/.test(voice.i2m2) && /[Nn]either intra expert moved \(each sees one modality\)/.test(other.reading) && /inter expert flipped from yes to no/.test(other.reading)) {
        shown = true;
        metrics.sameShown = { pair: t.pair };
        await axeCheck(page, 'same: another voice');
        await page.screenshot({ path: join(art, 'task-same-voice.png'), fullPage: true });
        await page.click('#restore');
        await swap(t.flip);
        await axeCheck(page, 'same: flipped');
        await page.screenshot({ path: join(art, 'task-same-flip.png'), fullPage: true });
      }
      await page.click('#restore');
      await settled(page);
    }
    metrics.sameFlip = flips;
    const tried = flips.filter((f) => !f.skipped);
    const flipped = tried.filter((f) => /→ no/.test(f.i2m2));
    const still = tried.filter((f) => /^yes/.test(f.voice.i2m2));
    metrics.sameRates = { tried: tried.length, flipped: flipped.length, voiceKept: still.length };
    console.log(`same (${metrics.sameFrom}): another digit's clip flipped I2M2 yes -> no on ${flipped.length} of ${tried.length} pairs; the same digit by another voice kept yes on ${still.length} of ${tried.length}`);
    check(shown, `no pair showed the flip (intra experts still, inter expert flipped) and the kept answer with another voice: ${JSON.stringify(flips, null, 1)}`);
    await closeClean(ctx, page);
  });
}

standIn.close();
rmSync(fixture, { recursive: true, force: true });
await finish();
