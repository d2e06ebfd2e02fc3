// The lab's "your model" card (ui/your-model.vugu) in Debian's Chromium, against the built site
// (I2M2_DIST, with the imported files in I2M2_DIST/imported/; scripts/test-45-import.sh sets both up):
// a file chosen with the file input or dropped on the card loads from its bytes as "your file, not
// verified", its experts and classes come from the file, and it runs on the lab's current pair.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { launch, ready, staticServe } from './harness.mjs';

const DIST = resolve(process.env.I2M2_DIST || new URL('../../dist', import.meta.url).pathname);
let browser, server, page;
const errors = [];

before(async () => { // the lab as e2e/ui/harness.mjs serves it (scripts/staticserve: the strict CSP)
  [browser, server] = await Promise.all([launch(), staticServe(DIST)]);
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push('pageerror: ' + e.message));
  await ready(page, server.url);
});
after(async () => {
  await browser?.close();
  server?.close();
});

// card returns what the card shows once a run is in: integrity chip, classes, and the table rows.
async function card() {
  await page.waitForFunction(() => {
    const rows = [...document.querySelectorAll('#yours-experts tbody tr')];
    return rows.length > 0 && rows.every((r) => !/^–$/.test(r.cells[2].textContent.trim())) && !document.querySelector('.yours [role=status]');
  }, null, { timeout: 60000 });
  return page.evaluate(() => ({
    integrity: document.querySelector('#yours-integrity').textContent.trim(),
    classes: document.querySelector('#yours-classes').textContent.trim(),
    info: document.querySelector('#yours-info .kv').textContent,
    note: document.querySelector('#yours-note').textContent,
    rows: [...document.querySelectorAll('#yours-experts tbody tr')].map((r) => [...r.cells].map((c) => c.textContent.trim())),
  }));
}

const labTop = (id) => page.$eval(`#expert-${id} .bar.pred .digit-label`, (e) => e.textContent.trim());

test('the shipped model chosen as your file: not verified, and it says what the lab says', async () => {
  // the lab's own model: the manifest's default file (which model that is, is the manifest's business)
  const man = JSON.parse(readFileSync(resolve(DIST, 'weights/manifest.json'), 'utf8'));
  await page.setInputFiles('#yours-file', resolve(DIST, 'weights', man.models.find((m) => m.default).file));
  const c = await card();
  assert.equal(c.integrity, 'your file, not verified');
  assert.equal(c.classes, '0, 1, 2, 3, 4, 5, 6, 7, 8, 9');
  assert.deepEqual(c.rows.map((r) => r.slice(0, 2)), [['image', 'image'], ['audio', 'audio'], ['inter', 'image + audio'], ['I2M2 product', 'experts that ran']]);
  // The same file and kernels as the lab's own model: the same top class per expert.
  for (const [i, id] of ['image', 'audio', 'inter', 'i2m2'].entries()) {
    assert.equal(c.rows[i][2].split(' ')[0], await labTop(id), `${id}: card ${c.rows[i][2]}`);
  }
});

test('a model imported from PyTorch, dropped on the card, is described from the file and runs', async () => {
  await page.evaluate(async () => {
    const bytes = await (await fetch('/imported/imported-f32.i2m2')).arrayBuffer();
    const dt = new DataTransfer();
    dt.items.add(new File([bytes], 'imported-f32.i2m2'));
    const zone = document.querySelector('#yours-drop');
    zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
    zone.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  });
  await page.waitForFunction(() => /avmnist-pytorch/.test(document.querySelector('#yours-info')?.textContent || ''), null, { timeout: 60000 });
  const c = await card();
  assert.equal(c.integrity, 'your file, not verified');
  assert.match(c.info, /imported from ONNX/);
  assert.match(c.info, /image \[1 28 28\], audio \[1 40 40\]/);
  assert.match(c.note, /image ← the lab's image, audio ← the lab's audio/);
  assert.equal(c.rows.length, 4);
  for (const r of c.rows) assert.match(r[2], /^\d \([<>]?\d+(\.\d+)?%\)$/, `row ${r}`);
});

test('a file that is not a model is refused with a message; the lab keeps working', async () => {
  await page.setInputFiles('#yours-file', { name: 'notes.i2m2', mimeType: 'application/octet-stream', buffer: Buffer.from('not a model at all') });
  await page.waitForSelector('#yours-error');
  assert.match(await page.textContent('#yours-error'), /notes\.i2m2 is not a model this page can run: .*magic/);
  assert.equal(await page.$('#yours-info'), null);
  await page.click('#expert-i2m2'); // still there and responsive
  assert.ok(await labTop('i2m2'));
  assert.deepEqual(errors, []);
});
