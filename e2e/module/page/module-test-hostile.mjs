// Checks shared by the Node and Chromium module tests (node.test.mjs,
// browser.test.mjs): the integrity matrix, no NaN out of predict(), the
// input race, the hostile model corpus, stalled downloads and aborts. The
// server (e2e/module/server.mjs) provides the /_t/<mode>/, /_stall/ and
// /_nomanifest/ prefixes. hostileChecks resolves with a list of failures
// (empty: all passed).
//   o.base        the server's URL, ending in '/'
//   o.file        the default model's file name in weights/
//   o.genuine     its sha256
//   o.tampered    the sha256 of the tampered copy the server makes
//   o.golden      {results} of that model on o.sample (module-test-golden.json)
//   o.sample      {image: number[], audio: number[]}
//   o.hostile     internal/hostile/write's index.json, files under o.base + 'hostile/'
//   o.options     extra load options (e.g. {worker: false})
export async function hostileChecks(load, o) {
  const failures = [];
  const opts = o.options || {};
  const tamperedURL = (mode) => `${o.base}_t/${mode}/weights/${o.file}`;
  const genuineURL = `${o.base}weights/${o.file}`;
  const esc = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

  async function rejects(name, p, re) {
    try {
      const m = await p;
      if (m && m.dispose) m.dispose();
      failures.push(`${name}: resolved, want a rejection matching ${re}`);
    } catch (e) {
      if (!(e instanceof Error) || !re.test(e.message)) failures.push(`${name}: rejected with ${e && e.message}, want ${re}`);
    }
  }
  async function loads(name, p, verified) {
    try {
      const m = await p;
      if (m.info.verified !== verified) failures.push(`${name}: verified is ${m.info.verified}, want ${verified}`);
      return m;
    } catch (e) {
      failures.push(`${name}: ${e.message}`);
      return null;
    }
  }

  // 1. Integrity fails closed: the tampered file (its own checksum valid)
  // with every kind of unusable manifest.
  for (const [mode, why] of [
    ['missing', 'manifest\\.json failed: fetching the manifest .* HTTP 404'],
    ['html404', 'HTTP 404'],
    ['500', 'HTTP 500'],
    ['html', 'manifest\\.json is not JSON'],
    ['noentry', `has no entry for "${esc(o.file)}"`],
  ]) {
    const re = new RegExp(`^i2m2: cannot verify the model from ${esc(tamperedURL(mode))}: .*${why}.*integrity: false`);
    await rejects(`manifest ${mode}`, load({ ...opts, model: tamperedURL(mode) }), re);
  }
  await rejects('manifest lists the genuine hash', load({ ...opts, model: tamperedURL('genuine') }),
    new RegExp(`integrity check failed for the model from ${esc(tamperedURL('genuine'))}: sha256 is ${o.tampered}, expected ${o.genuine}`));
  await rejects('explicit sha256 of the genuine file', load({ ...opts, model: tamperedURL('missing'), sha256: o.genuine }), /integrity check failed/);
  await rejects('explicit sha256 and integrity: false still checks', load({ ...opts, model: tamperedURL('missing'), sha256: o.genuine, integrity: false }), /integrity check failed/);
  (await loads('explicit sha256 of the tampered file (the caller vouches for it)', load({ ...opts, model: tamperedURL('missing'), sha256: o.tampered }), true))?.dispose();
  (await loads('integrity: false loads it unverified', load({ ...opts, model: tamperedURL('missing'), integrity: false }), false))?.dispose();
  const bytes = new Uint8Array(await (await fetch(genuineURL)).arrayBuffer());
  await rejects('bytes without sha256', load({ ...opts, model: bytes }), /cannot verify the model from the given bytes: .*given as bytes/);
  await rejects('a Response without sha256', load({ ...opts, model: new Response(bytes) }), /cannot verify the model/);
  await rejects('manifest: false without sha256', load({ ...opts, model: genuineURL, manifest: false }), /cannot verify .*manifest: false/);
  (await loads('bytes with integrity: false', load({ ...opts, model: bytes, integrity: false }), false))?.dispose();
  (await loads('the genuine file by URL (manifest next to it)', load({ ...opts, model: genuineURL }), true))?.dispose();

  // 2. No NaN: an input that overflows float32 in the model rejects naming
  // the expert; the instance keeps working.
  const m = await loads('genuine model', load({ ...opts, model: genuineURL }), true);
  if (m) {
    const sample = () => ({ image: Float32Array.from(o.sample.image), audio: Float32Array.from(o.sample.audio) });
    const big = { image: new Float32Array(784).fill(3.4e38), audio: new Float32Array(1600).fill(3.4e38) };
    await rejects('3.4e38 inputs', m.predict(big), /^i2m2: non-finite output: expert "(image|audio|inter)": /);
    await rejects('3.4e38 inputs in a batch', m.predictBatch([sample(), big]), /sample 1: .*non-finite output: expert "/);
    const want = o.golden.results[0];
    const same = (r) => r.label === want.label && Array.from(r.probs).every((v, i) => v === Math.fround(want.probs[i]));
    if (!same(await m.predict(sample()))) failures.push('after a non-finite rejection, predict does not give the golden result');

    // 3. The input race: the caller zeroes its arrays right after the call.
    const x = sample();
    const p = m.predict(x);
    x.image.fill(0);
    x.audio.fill(0);
    if (!same(await p)) failures.push('predict read the inputs after it returned (zeroing them changed the answer)');
    const xs = [sample(), sample()];
    const pb = m.predictBatch(xs);
    xs.forEach((s) => (s.image.fill(0), s.audio.fill(0)));
    if (!(await pb).every(same)) failures.push('predictBatch read the inputs after it returned');
    const packed = { image: new Float32Array([...o.sample.image, ...o.sample.image]), audio: new Float32Array([...o.sample.audio, ...o.sample.audio]) };
    const pp = m.predictBatch(packed);
    packed.image.fill(0);
    packed.audio.fill(0);
    if (!(await pp).every(same)) failures.push('predictBatch (packed) read the inputs after it returned');
    m.dispose();
  }

  // 4. The hostile corpus: rejected by the reader with its error, or loads
  // and predicts (finite outputs, or a non-finite rejection).
  for (const c of o.hostile) {
    const url = `${o.base}hostile/${c.file}`;
    if (c.error) {
      await rejects(`hostile ${c.name}`, load({ ...opts, model: url, integrity: false }), new RegExp(esc(c.error)));
      continue;
    }
    const hm = await loads(`hostile ${c.name}`, load({ ...opts, model: url, integrity: false }), false);
    if (!hm) continue;
    const inputs = {};
    for (const md of hm.info.modalities) inputs[md.name] = new Float32Array(md.shape[0] * md.shape[1] * md.shape[2]).fill(0.5);
    if (c.nonFinite) {
      await rejects(`hostile ${c.name}: predict`, hm.predict(inputs), /non-finite output: expert "/);
    } else {
      try {
        const r = await hm.predict(inputs);
        if (!Array.from(r.probs).every(Number.isFinite)) failures.push(`hostile ${c.name}: non-finite probabilities resolved`);
      } catch (e) {
        failures.push(`hostile ${c.name}: predict: ${e.message}`);
      }
    }
    hm.dispose();
  }

  // 5. Waits that end: a download that stalls, an abort, an aborted signal.
  const stalled = `${o.base}_stall/weights/${o.file}`;
  await rejects('stalled model download', load({ ...opts, model: stalled, integrity: false, stallTimeout: 500 }),
    new RegExp(`^i2m2: the download of the model from ${esc(stalled)} stalled: no bytes for 0\\.5 s`));
  await rejects('stalled wasm download', load({ ...opts, model: bytes, sha256: o.genuine, wasm: `${o.base}_stall/i2m2.wasm`, stallTimeout: 500 }),
    /the download of the wasm from .*_stall\/i2m2\.wasm stalled/);
  await rejects('stalled manifest', load({ ...opts, model: genuineURL, manifest: `${o.base}_stall/weights/manifest.json`, stallTimeout: 500 }),
    /the download of the manifest from .*_stall\/weights\/manifest\.json stalled/);
  const ac = new AbortController();
  const aborted = load({ ...opts, model: stalled, integrity: false, stallTimeout: 0, signal: ac.signal });
  setTimeout(() => ac.abort(new Error('the user gave up')), 300);
  await rejects('abort during a stalled download', aborted, /^i2m2: load aborted: the user gave up/);
  await rejects('an already aborted signal', load({ ...opts, signal: AbortSignal.abort('no') }), /^i2m2: load aborted: no/);
  await rejects('a bad signal', load({ ...opts, signal: {} }), /signal must be an AbortSignal/);
  await rejects('a bad stallTimeout', load({ ...opts, stallTimeout: -1 }), /stallTimeout must be a number/);
  await rejects('a bad integrity', load({ ...opts, integrity: 'no' }), /integrity must be true or false/);
  return failures;
}
