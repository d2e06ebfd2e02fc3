// A consumer of the packed i2m2 package: the default model and wasm come from
// the package, found and emitted by Vite through new URL(..., import.meta.url).
// public/golden.json (copied in by the test) holds inputs and the native Go
// engine's probabilities.
import { load } from 'i2m2';

const out = document.getElementById('out');

async function main() {
  const G = await (await fetch('./golden.json')).json();
  const model = await load();
  const s = G.samples[0];
  const r = await model.predict({ image: new Float32Array(s.image), audio: new Float32Array(s.audio) });
  const want = G.models.find((m) => m.sha256 === model.info.sha256).results[0];
  const same = r.label === want.label && want.probs.every((p, i) => Object.is(Math.fround(p), r.probs[i]));
  return { ok: same, label: r.label, mode: model.info.mode, verified: model.info.verified };
}

main()
  .catch((e) => ({ ok: false, error: String(e && e.message) }))
  .then((res) => {
    globalThis.__vite = res;
    out.textContent = JSON.stringify(res);
  });
