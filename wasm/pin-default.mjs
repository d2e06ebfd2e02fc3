// Pins the default model's sha256 into a built i2m2.mjs:
//   node wasm/pin-default.mjs <dist>
// The one source is the default model file itself (<dist>/weights/<file>):
// its sha256 must equal weights/manifest.json's entry for it (the manifest
// entry marked default) and replaces the placeholder in <dist>/i2m2.mjs, so
// that load() with no options verifies the default model without fetching a
// manifest. Run by scripts/build-10-wasm.sh; e2e/module/node.test.mjs checks
// the result against the file.
import { readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';

const PLACEHOLDER = "'__I2M2_DEFAULT_SHA256__'";
const dist = process.argv[2];
if (!dist) throw new Error('usage: node wasm/pin-default.mjs <dist>');
const manifest = JSON.parse(readFileSync(join(dist, 'weights', 'manifest.json'), 'utf8'));
const entry = manifest.models.find((m) => m.default) || manifest.models[0];
const mjs = join(dist, 'i2m2.mjs');
let src = readFileSync(mjs, 'utf8');
const file = /defaultModelFile: '([^']+)'/.exec(src);
if (!file || file[1] !== entry.file) throw new Error(`i2m2.mjs's defaultModelFile is ${file && file[1]}, the manifest's default is ${entry.file}`);
const sum = createHash('sha256').update(readFileSync(join(dist, 'weights', entry.file))).digest('hex');
if (sum !== entry.sha256) throw new Error(`${entry.file}: sha256 ${sum}, manifest says ${entry.sha256}`);
if (src.split(PLACEHOLDER).length !== 2) throw new Error(`i2m2.mjs must hold the placeholder ${PLACEHOLDER} exactly once`);
src = src.replace(PLACEHOLDER, `'${sum}'`);
writeFileSync(mjs, src);
console.log(`pinned the sha256 of ${entry.file} (${sum}) into ${mjs}`);
