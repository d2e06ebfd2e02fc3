// Checks run inside the test pages (module-test.html, module-test-file.html).
// run(load, options) resolves with a report {ok, failures, info, timings} that
// the Chromium test reads; it compares every probability with the native Go
// engine's golden (module-test-golden.js, generated at test time) bit for bit.
(function () {
  'use strict';

  const violations = [];
  document.addEventListener('securitypolicyviolation', (e) => violations.push(`${e.violatedDirective} ${e.blockedURI}`));

  function sameF32(got, want) {
    if (!got || got.length !== want.length) return false;
    for (let i = 0; i < want.length; i++) {
      if (!Object.is(got[i], Math.fround(want[i]))) return false;
    }
    return true;
  }

  function sameResult(got, want) {
    const bad = [];
    if (got.label !== want.label) bad.push('label');
    if (!sameF32(got.probs, want.probs)) bad.push('probs');
    if (!sameF32(got.logProbs, want.logProbs)) bad.push('logProbs');
    if (JSON.stringify(got.used) !== JSON.stringify(want.used)) bad.push('used');
    if ((got.intraOnly === null) !== (want.intraOnly === null)) bad.push('intraOnly');
    else if (want.intraOnly && (!sameF32(got.intraOnly.probs, want.intraOnly.probs) || got.intraOnly.label !== want.intraOnly.label)) bad.push('intraOnly');
    for (const [name, e] of Object.entries(want.experts)) {
      const g = got.experts[name];
      if (!g || g.used !== e.used || g.label !== e.label) bad.push('experts.' + name);
      else if (e.used && (!sameF32(g.probs, e.probs) || !sameF32(g.logits, e.logits) || !sameF32(g.logProbs, e.logProbs))) bad.push('experts.' + name);
    }
    return bad;
  }

  function inputsOf(s) {
    const x = {};
    if (s.image) x.image = new Float32Array(s.image);
    if (s.audio) x.audio = new Float32Array(s.audio);
    return x;
  }

  function median(a) {
    const s = a.slice().sort((x, y) => x - y);
    return s[s.length >> 1];
  }

  function b64(s) {
    const bin = atob(s);
    const b = new Uint8ClampedArray(bin.length);
    for (let i = 0; i < bin.length; i++) b[i] = bin.charCodeAt(i);
    return b;
  }

  async function run(load, options, { bench } = {}) {
    const G = globalThis.I2M2_GOLDEN;
    const failures = [];
    const report = { ok: false, failures, timings: {} };
    const out = document.getElementById('out') || {};
    try {
      const t0 = performance.now();
      let model;
      try {
        model = await load(options);
      } catch (e) {
        report.loadError = e.message;
        report.loadErrorIsError = e instanceof Error;
        out.textContent = 'load error: ' + e.message;
        return report;
      }
      const samples = G.samples.map(inputsOf);
      const first = await model.predict(samples[0]);
      report.timings.loadToFirstMs = performance.now() - t0;
      report.info = JSON.parse(JSON.stringify(model.info));
      const gm = G.models.find((m) => m.sha256 === model.info.sha256);
      if (!gm) {
        failures.push('no golden for model ' + model.info.sha256);
      } else {
        const b0 = sameResult(first, gm.results[0]);
        if (b0.length) failures.push('sample 0: ' + b0.join(','));
        for (let i = 1; i < samples.length; i++) {
          const bad = sameResult(await model.predict(samples[i]), gm.results[i]);
          if (bad.length) failures.push(`sample ${i}: ${bad.join(',')}`);
        }
        const batch = await model.predictBatch(samples);
        batch.forEach((r, i) => {
          const bad = sameResult(r, gm.results[i]);
          if (bad.length) failures.push(`batch sample ${i}: ${bad.join(',')}`);
        });
      }
      if (gm) {
        // Packed batch (split over the workers when there are several), and a view into a larger buffer.
        const full = G.samples.filter((x) => x.image && x.audio);
        const packed = { image: new Float32Array(full.length * 784), audio: new Float32Array(full.length * 1600) };
        full.forEach((x, i) => { packed.image.set(x.image, i * 784); packed.audio.set(x.audio, i * 1600); });
        (await model.predictBatch(packed)).forEach((r, i) => {
          const bad = sameResult(r, gm.results[i]);
          if (bad.length) failures.push(`packed sample ${i}: ${bad.join(',')}`);
        });
        const big = new Float32Array(784 * 3);
        big.set(G.samples[0].image, 784);
        const bad = sameResult(await model.predict({ image: big.subarray(784, 1568) }), gm.results[G.samples.length - 2]);
        if (bad.length) failures.push('view input: ' + bad.join(','));
        // A bad last sample: the error names it by its index in the whole batch (error.sample), also
        // when the batch was split over the workers, in both batch forms.
        const k = samples.length;
        for (const [form, batch, reason] of [
          ['array', [...samples, { image: new Float32Array(3) }], /^bad input: modality "image" has 3 values, want 784/],
          ['packed', { image: (() => { const x = new Float32Array((full.length + 1) * 784); x.set(packed.image); x[full.length * 784 + 5] = NaN; return x; })() }, /^bad input: modality "image" value 5 is NaN/],
        ]) {
          const at = form === 'array' ? k : full.length;
          try {
            await model.predictBatch(batch);
            failures.push(`a bad sample in a ${form} batch was accepted`);
          } catch (e) {
            if (e.sample !== at || !reason.test(e.reason) || e.message !== `i2m2: sample ${at}: ${e.reason}`) {
              failures.push(`${form} batch error: sample ${e.sample}, reason ${e.reason}, message ${e.message}`);
            }
          }
        }
        try {
          await model.predictBatch({ image: packed.image, video: new Float32Array(3) });
          failures.push('an unknown modality in a packed batch was accepted');
        } catch (e) {
          if (!/unknown modality "video"/.test(e.message)) failures.push('unclear error: ' + e.message);
        }
      }
      const audio = await model.features.audioFromPCM(new Float32Array(G.audio.pcm), G.audio.rate);
      if (!sameF32(audio, G.audio.want)) failures.push('audioFromPCM differs from native');
      const image = await model.features.imageFromRGBA(b64(G.image.rgba), G.image.width, G.image.height);
      if (!sameF32(image, G.image.want)) failures.push('imageFromRGBA differs from native');
      try {
        await model.predict({ image: new Float32Array(3) });
        failures.push('a wrong length was accepted');
      } catch (e) {
        if (!/want 784/.test(e.message)) failures.push('unclear error: ' + e.message);
      }
      try { // the right length, so in a worker it goes packed and the engine declines it
        const nan = samples[0].image.slice();
        nan[5] = NaN;
        await model.predict({ image: nan });
        failures.push('a NaN was accepted');
      } catch (e) {
        if (!/modality "image" value 5 is NaN/.test(e.message)) failures.push('unclear error: ' + e.message);
      }
      const again = await model.predict(samples[0]);
      if (gm && sameResult(again, gm.results[0]).length) failures.push('the call after an error differs');
      const n = bench ? 200 : 20;
      const times = [];
      for (let i = 0; i < n; i++) {
        const t = performance.now();
        await model.predict(samples[i % samples.length]);
        times.push(performance.now() - t);
      }
      report.timings.perSampleMs = median(times);
      const tb = performance.now();
      await model.predictBatch(Array.from({ length: 64 }, (_, i) => samples[i % (samples.length - 2)]));
      report.timings.batch64PerSampleMs = (performance.now() - tb) / 64;
      model.dispose();
      try {
        await model.predict(samples[0]);
        failures.push('predict after dispose resolved');
      } catch (e) {
        if (!/disposed/.test(e.message)) failures.push('unclear error after dispose: ' + e.message);
      }
    } catch (e) {
      failures.push('exception: ' + (e && e.message));
    }
    report.cspViolations = violations;
    if (violations.length) failures.push('CSP violations: ' + violations.join('; '));
    report.ok = failures.length === 0;
    out.textContent = JSON.stringify(report, null, 1);
    return report;
  }

  globalThis.I2M2Test = { run };
})();
