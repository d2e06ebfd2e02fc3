// The inputs of page/module-test-hostile.mjs's checks, read from the built
// dist/ (I2M2_DIST): shared by hostile.test.mjs and browser-hostile.test.mjs.
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createHash } from 'node:crypto';
import { tampered } from './server.mjs';

const DIST = resolve(process.env.I2M2_DIST || new URL('../../dist', import.meta.url).pathname);
export const FILE = 'avmnist-tts-int8.i2m2';
const sha = (b) => createHash('sha256').update(b).digest('hex');

export async function checkOptions() {
  const G = JSON.parse(await readFile(join(DIST, 'module-test-golden.json'), 'utf8'));
  const bytes = await readFile(join(DIST, 'weights', FILE));
  return {
    file: FILE,
    genuine: sha(bytes),
    tampered: sha(tampered(bytes)),
    golden: G.models.find((m) => m.file === FILE),
    sample: G.samples[0],
    hostile: JSON.parse(await readFile(join(DIST, 'hostile', 'index.json'), 'utf8')),
  };
}
