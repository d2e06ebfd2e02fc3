// The lab's first answer before its UI (a classic script; ui-boot.js calls globalThis.i2m2First).
// Over http on the default model, the page fetches the demo set's first pair alone
// (weights/demo/first-pair.bin: the demo file format of weights/demo/README.md with that one pair,
// written by scripts/build-10-wasm.sh), has the engine predict it as soon as the model is in, and shows
// the image and the model's answer in #boot-first. The UI, which opens on the same pair of the full
// demo set, hides it when it is ready to show that pair itself (ui/browser_js.go).
(function () {
  'use strict';
  var MAGIC = 'AVMDEMO1';

  // firstPair decodes the first pair of a demo file: its digit, voice and uint8 levels.
  function firstPair(b, mods) {
    for (var i = 0; i < MAGIC.length; i++) if (b[i] !== MAGIC.charCodeAt(i)) throw new Error('first-pair.bin is not a demo file');
    var dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
    var n = dv.getUint32(8, true);
    var nVoice = dv.getUint16(24, true);
    var p = 26;
    var voices = [];
    for (var v = 0; v < nVoice; v++) {
      var l = dv.getUint16(p, true);
      voices.push(new TextDecoder().decode(b.subarray(p + 2, p + 2 + l)));
      p += 2 + l;
    }
    // records (12 bytes a pair), then every pair's image, then every pair's spectrogram
    var at = p + 12 * n;
    var pair = { label: b[p], voice: voices[dv.getUint16(p + 2, true)] || '' };
    for (var m = 0; m < mods.length; m++) {
      pair[mods[m].name] = b.subarray(at, at + mods[m].size);
      at += mods[m].size * n;
    }
    if (n < 1 || at > b.length) throw new Error('first-pair.bin is truncated');
    return pair;
  }

  // levels turns stored levels into feature values (level/255, as ui.Levels).
  function levels(q) {
    var out = new Float32Array(q.length);
    for (var i = 0; i < q.length; i++) out[i] = q[i] / 255;
    return out;
  }

  function el(tag, text) {
    var e = document.createElement(tag);
    if (text) e.textContent = text;
    return e;
  }

  function pct(p) { return (100 * p).toFixed(p > 0.999 || p < 0.001 ? 2 : 1) + '%'; }

  function show(pair, r, info) {
    var box = document.getElementById('boot-first');
    if (!box) return;
    var cls = function (i) { return info.classes[i]; };
    var c = el('canvas');
    c.width = c.height = 28;
    c.setAttribute('role', 'img');
    c.setAttribute('aria-label', 'the handwritten digit of the first demo pair');
    c.style.width = c.style.height = '112px';
    c.style.imageRendering = 'pixelated';
    c.style.border = '1px solid #e3e6ec';
    var g = c.getContext('2d');
    var img = g.createImageData(28, 28);
    for (var i = 0; i < 784; i++) {
      var v = 255 - pair.image[i];
      img.data[4 * i] = img.data[4 * i + 1] = img.data[4 * i + 2] = v;
      img.data[4 * i + 3] = 255;
    }
    g.putImageData(img, 0, 0);
    var lines = [];
    for (var k = 0; k < info.experts.length; k++) {
      var e = info.experts[k];
      var x = r.experts[e.name];
      if (!x || !x.probs) continue;
      lines.push((e.intra ? 'the ' + e.inputs[0] + ' expert' : 'the inter-modality expert') + ' ' + cls(x.label) + ' (' + pct(x.probs[x.label]) + ')');
    }
    box.replaceChildren(el('h2', 'First answer'), c,
      el('p', 'Demo pair 0: this handwritten digit and the spoken digit ' + cls(pair.label) + (pair.voice ? ' (voice: ' + pair.voice + ')' : '') + '.'),
      el('p', 'The model (I2M2, all experts) says ' + cls(r.label) + ' with ' + pct(r.probs[r.label]) + '; ' + lines.join(', ') + '.'),
      el('p', 'Loading the rest of the lab, where you can swap the image or the sound…'));
    box.hidden = false;
  }

  // i2m2First(boot, get) resolves once the first answer is on the page (boot.firstAnswerAt, ms
  // since navigation), with {pair: 0, label, probs}; it rejects when any step fails, and the lab
  // then shows its first answer itself.
  globalThis.i2m2First = async function (boot, get) {
    var bytes = get('weights/demo/first-pair.bin', 'bytes');
    bytes.catch(function () {});
    var model = await boot.model;
    var info = model.info;
    var mods = info.modalities.map(function (m) { return { name: m.name, size: m.shape.reduce(function (a, b) { return a * b; }, 1) }; });
    if (mods.length !== 2 || mods[0].name !== 'image' || mods[0].size !== 784 || mods[1].name !== 'audio' || mods[1].size !== 1600) {
      throw new Error('the model does not take the demo set\'s image and audio');
    }
    var pair = firstPair(await bytes, mods);
    var r = await model.predict({ image: levels(pair.image), audio: levels(pair.audio) });
    show(pair, r, info);
    boot.firstAnswerAt = performance.now();
    return (boot.firstAnswer = { pair: 0, label: r.label, probs: Array.from(r.probs) });
  };
})();
