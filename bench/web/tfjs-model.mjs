// The I2M2 model as a TensorFlow.js graph, built from the weights that
// bench/prep exports (tfjs.json + tfjs.bin, package model's layouts), in the
// fastest form tfjs offers (what tf.layers lowers Conv2D/Dense with a ReLU
// activation to): tf.fused.conv2d and tf.fused.matMul with the bias and the
// ReLU fused in, NHWC throughout, and no transposes on the way:
//  - an input with one channel is NCHW and NHWC at once (a reshape);
//  - where a map is flattened, the flattened order is NHWC, so the Dense
//    weights that read it get their rows permuted once (to the NCHW order
//    of our and ONNX's flatten) instead of transposing the map every call.
// Works in Node and in the browser: the caller passes the tf namespace with
// a backend already set (bench uses tfjs-backend-wasm).

export function buildTfjsModel(tf, graph, bin) {
  const f32 = new Float32Array(bin);
  const slice = ([off, len]) => f32.subarray(off, off + len);
  const prep = (ls) => {
    const out = [];
    for (const l of ls) {
      if (l.kind === 'relu' && out.length && (out.at(-1).kind === 'conv2d' || out.at(-1).kind === 'dense') && !out.at(-1).relu) {
        out.at(-1).relu = true; // fused into the conv / matMul
        continue;
      }
      if (l.kind === 'conv2d') {
        const [inC, outC, kh, kw, stride, pad] = l.geom;
        // [OutC][InC][KH][KW] -> [KH][KW][InC][OutC]
        const w = tf.tensor4d(slice(l.w), [outC, inC, kh, kw]);
        const filter = tf.keep(tf.transpose(w, [2, 3, 1, 0]));
        w.dispose();
        // tfjs-backend-wasm 4.22 reads out of bounds on conv2d with a numeric
        // pad (even 0) and a non-square kernel (e.g. 5x3): use 'valid' there,
        // after an explicit tf.pad when padding is needed.
        const padFirst = pad > 0 && kh !== kw ? pad : 0;
        const p = pad === 0 || padFirst ? 'valid' : pad;
        out.push({ kind: 'conv2d', filter, bias: tf.keep(tf.tensor1d(slice(l.b))), stride, pad: p, padFirst, relu: false });
      } else if (l.kind === 'dense') {
        const [inN, outN] = l.geom;
        const w = tf.tensor2d(slice(l.w), [outN, inN]);
        const wt = tf.keep(tf.transpose(w)); // [In][Out], rows in NCHW-flatten order
        w.dispose();
        out.push({ kind: 'dense', w: wt, permuted: null, bias: tf.keep(tf.tensor1d(slice(l.b))), relu: false });
      } else if (l.kind === 'maxpool2d') {
        const [kh, kw, stride] = l.geom;
        out.push({ kind: 'maxpool2d', kh, kw, stride });
      } else {
        out.push({ kind: l.kind });
      }
    }
    return out;
  };
  const experts = graph.experts.map((e) => ({
    name: e.name, inputs: e.inputs, intra: e.intra,
    branches: e.branches.map(prep), head: prep(e.head),
  }));
  const shapes = Object.fromEntries(graph.modalities.map((m) => [m.name, m.shape]));
  const k = graph.classes.length;

  // A value is {t, perm}: t a tensor (NHWC, or [N, F] flattened); perm, for a
  // flattened t, maps each position to its index in NCHW-flatten order (null:
  // already in that order).
  function flatten(v) {
    if (v.t.rank !== 4) return v;
    const [n, h, w, c] = v.t.shape;
    const t = tf.reshape(v.t, [n, h * w * c]);
    if (c === 1) return { t, perm: null };
    const perm = new Int32Array(h * w * c);
    let j = 0;
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let ch = 0; ch < c; ch++) perm[j++] = ch * h * w + y * w + x;
    return { t, perm };
  }
  function concat(vs) {
    if (vs.length === 1) return vs[0];
    const t = tf.concat(vs.map((v) => v.t), 1);
    if (vs.every((v) => !v.perm)) return { t, perm: null };
    const perm = new Int32Array(t.shape[1]);
    let off = 0;
    for (const v of vs) {
      const len = v.t.shape[1];
      for (let i = 0; i < len; i++) perm[off + i] = off + (v.perm ? v.perm[i] : i);
      off += len;
    }
    return { t, perm };
  }
  // weights returns the Dense weights for input order perm (permuted once,
  // kept: the graph's shapes do not depend on the batch size).
  function weights(l, perm) {
    if (!perm) return l.w;
    if (!l.permuted) l.permuted = tf.keep(tf.gather(l.w, tf.tensor1d(perm, 'int32'), 0));
    return l.permuted;
  }
  function run(ls, v) {
    for (const l of ls) {
      switch (l.kind) {
        case 'conv2d': {
          let x = v.t;
          if (l.padFirst) x = tf.pad(x, [[0, 0], [l.padFirst, l.padFirst], [l.padFirst, l.padFirst], [0, 0]]);
          v = { t: tf.fused.conv2d({ x, filter: l.filter, strides: l.stride, pad: l.pad, bias: l.bias, activation: l.relu ? 'relu' : 'linear' }), perm: null };
          break;
        }
        case 'relu':
          v = { t: tf.relu(v.t), perm: v.perm };
          break;
        case 'maxpool2d':
          v = { t: tf.maxPool(v.t, [l.kh, l.kw], l.stride, 'valid'), perm: null };
          break;
        case 'flatten':
          v = flatten(v);
          break;
        case 'dense': {
          const f = flatten(v);
          v = { t: tf.fused.matMul({ a: f.t, b: weights(l, f.perm), bias: l.bias, activation: l.relu ? 'relu' : 'linear' }), perm: null };
          break;
        }
      }
    }
    return v;
  }
  // forward returns each expert's logits for n samples (inputs[name]: n
  // samples back to back, NCHW).
  function forward(inputs, n) {
    const x = {};
    for (const [name, [c, h, w]] of Object.entries(shapes)) {
      const t = tf.tensor4d(inputs[name], [n, c, h, w]);
      x[name] = c === 1 ? tf.reshape(t, [n, h, w, 1]) : tf.transpose(t, [0, 2, 3, 1]);
    }
    return experts.map((e) => run(e.head, concat(e.branches.map((br, i) => flatten(run(br, { t: x[e.inputs[i]], perm: null }))))).t);
  }

  // predict runs n samples; returns typed arrays of n*k values: log_probs,
  // intra_log_probs and each expert's logits.
  async function predict(inputs, n) {
    const outs = tf.tidy(() => {
      const zs = forward(inputs, n);
      const logits = {};
      let all = null, intra = null;
      experts.forEach((e, i) => {
        logits[e.name] = zs[i];
        all = all ? tf.add(all, zs[i]) : zs[i];
        if (e.intra) intra = intra ? tf.add(intra, zs[i]) : zs[i];
      });
      return { log_probs: tf.logSoftmax(all), intra_log_probs: intra ? tf.logSoftmax(intra) : null, logits };
    });
    const res = { log_probs: await outs.log_probs.data(), logits: {} };
    res.intra_log_probs = outs.intra_log_probs ? await outs.intra_log_probs.data() : null;
    for (const [name, t] of Object.entries(outs.logits)) res.logits[name] = await t.data();
    tf.dispose([outs.log_probs, outs.intra_log_probs, ...Object.values(outs.logits)].filter(Boolean));
    return res;
  }

  // predictLogProbs is the benchmark call: only the I2M2 log-probs are read back.
  async function predictLogProbs(inputs, n) {
    const out = tf.tidy(() => tf.logSoftmax(forward(inputs, n).reduce((a, z) => tf.add(a, z))));
    const d = await out.data();
    out.dispose();
    return d;
  }

  function dispose() {
    for (const e of experts) for (const ls of [...e.branches, e.head]) for (const l of ls) {
      for (const t of [l.filter, l.bias, l.w, l.permuted]) if (t) t.dispose();
    }
  }
  return { predict, predictLogProbs, dispose, classes: k };
}
