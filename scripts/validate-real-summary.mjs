// Summarises scripts/validate-real.sh's runs (<runs>/{audio,fine}/<speaker>-<name>/val.json) as
// markdown: per candidate, the validation accuracy for each held-out training speaker and the mean.
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const runs = process.argv[2];
if (!runs) throw new Error('usage: node scripts/validate-real-summary.mjs <runs dir>');
const speakers = ['george', 'jackson', 'yweweler'];

// collect(stage) -> Map(candidate -> Map(speaker -> val.json))
function collect(stage) {
  const out = new Map();
  const dir = join(runs, stage);
  if (!existsSync(dir)) return out;
  for (const d of readdirSync(dir).sort()) {
    const f = join(dir, d, 'val.json');
    const sp = speakers.find((s) => d.startsWith(s + '-'));
    if (!sp || !existsSync(f)) continue;
    const name = d.slice(sp.length + 1);
    if (!out.has(name)) out.set(name, new Map());
    out.get(name).set(sp, JSON.parse(readFileSync(f, 'utf8')));
  }
  return out;
}

const fmt = (v) => (v === undefined ? '-' : v.toFixed(2));
const mean = (xs) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : undefined);

function table(title, note, cands, cols) {
  const lines = [`## ${title}`, '', note, ''];
  const head = ['candidate'];
  for (const c of cols) head.push(...(c.per ? speakers.map((s) => `${c.name} ${s}`) : []), `${c.name} mean`);
  lines.push(`| ${head.join(' | ')} |`, `|${head.map(() => ' --- ').join('|')}|`);
  for (const [name, bySp] of cands) {
    const row = [name];
    for (const c of cols) {
      const vs = speakers.map((s) => (bySp.has(s) ? c.get(bySp.get(s)) : undefined));
      row.push(...(c.per ? vs.map(fmt) : []), fmt(mean(vs.filter((v) => v !== undefined))));
    }
    lines.push(`| ${row.join(' | ')} |`);
  }
  return lines.join('\n') + '\n';
}

let md = '# Validation: leave-one-speaker-out recipe choices\n\n' +
  'Accuracy in percent on validation only: the held-out training speaker\'s recordings (all 500, clean, unaugmented) ' +
  'paired with the 5,000 clean MNIST validation digits (`i2m2 train --val-speaker`); the other two speakers (and the ' +
  'synthetic voices, unless the candidate leaves them out) train. One seed per cell. Test speakers (lucas, theo) and MNIST test are not used. ' +
  'Made by `bash scripts/validate-real.sh`.\n\n';
const audio = collect('audio');
if (audio.size) {
  md += table('Audio recipes (audio expert alone)', 'The audio expert pre-trained alone (`--only audio`).', audio,
    [{ name: 'audio', per: true, get: (v) => v.audio_only.product.acc }]);
  md += '\n';
}
const fine = collect('fine');
if (fine.size) {
  md += table('Fine-tuning objective and learning rate (I2M2)', 'The whole pipeline; the I2M2 product and each of its experts alone ' +
    'after fine-tuning, means over the held-out speakers. lambda<l>: the previous audio recipe, lambda = weight of each expert\'s own NLL ' +
    'beside the product\'s NLL (0 = the paper\'s objective); l<l>-lr<r>: the current audio recipe (`--noisy-share 0.4 --no-aug synthetic`), ' +
    'lambda l and fine-tuning learning rate r (`--expert-nll`, `--fine-lr`; the paper: 0.01).', fine, [
    { name: 'product', get: (v) => v.i2m2.product.acc },
    { name: 'audio expert', per: true, get: (v) => v.i2m2.experts.audio.acc },
    { name: 'image expert', get: (v) => v.i2m2.experts.image.acc },
    { name: 'inter expert', get: (v) => v.i2m2.experts.inter.acc },
    { name: 'intra-only', get: (v) => v.intra_only.product.acc },
    { name: 'intra-only audio', get: (v) => v.intra_only.experts.audio.acc },
    { name: 'intra-only image', get: (v) => v.intra_only.experts.image.acc },
    { name: 'audio-only', get: (v) => v.audio_only.product.acc },
    { name: 'image-only', get: (v) => v.image_only.product.acc },
  ]);
}
process.stdout.write(md);
