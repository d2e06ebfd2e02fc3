// The I2M2 model as a TensorFlow.js graph of tf ops, built from the weights
// that bench/prep exports (tfjs.json + tfjs.bin, package model's layouts).
// Works in Node and in the browser: the caller passes the tf namespace with
// a backend already set (bench uses tfjs-backend-wasm).
//
// Our tensors are NCHW; tf.conv2d wants NHWC and filters [KH][KW][InC][OutC],
// so each branch transposes its input once, runs NHWC, and transposes back to
// NCHW before flattening so the flattened order matches ours (and ONNX's).

export function buildTfjsModel(tf, graph, bin) {
  const f32 = new Float32Array(bin);
  const slice = ([off, len]) => f32.subarray(off, off + len);
  const prep = (ls) => ls.map((l) => {
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
      return { kind: 'conv2d', filter, bias: tf.keep(tf.tensor1d(slice(l.b))), stride, pad: p, padFirst };
    }
    if (l.kind === 'dense') {
      const [inN, outN] = l.geom;
      const w = tf.tensor2d(slice(l.w), [outN, inN]);
      const wt = tf.keep(tf.transpose(w)); // [In][Out]
      w.dispose();
      return { kind: 'dense', w: wt, bias: tf.keep(tf.tensor1d(slice(l.b))) };
    }
    if (l.kind === 'maxpool2d') {
      const [kh, kw, stride] = l.geom;
      return { kind: 'maxpool2d', kh, kw, stride };
    }
    return { kind: l.kind };
  });
  const experts = graph.experts.map((e) => ({
    name: e.name, inputs: e.inputs, intra: e.intra,
    branches: e.branches.map(prep), head: prep(e.head),
  }));
  const shapes = Object.fromEntries(graph.modalities.map((m) => [m.name, m.shape]));
  const k = graph.classes.length;

  // run applies layers; x is NHWC (rank 4) or [N,F] (rank 2).
  function run(ls, x) {
    for (const l of ls) {
      switch (l.kind) {
        case 'conv2d':
          if (l.padFirst) x = tf.pad(x, [[0, 0], [l.padFirst, l.padFirst], [l.padFirst, l.padFirst], [0, 0]]);
          x = tf.add(tf.conv2d(x, l.filter, l.stride, l.pad), l.bias);
          break;
        case 'relu':
          x = tf.relu(x);
          break;
        case 'maxpool2d':
          x = tf.maxPool(x, [l.kh, l.kw], l.stride, 'valid');
          break;
        case 'flatten':
          x = flat(x);
          break;
        case 'dense':
          x = tf.add(tf.matMul(flat(x), l.w), l.bias);
          break;
      }
    }
    return x;
  }
  // flat turns NHWC into [N, C*H*W] in NCHW order.
  function flat(x) {
    if (x.rank !== 4) return x;
    return tf.reshape(tf.transpose(x, [0, 3, 1, 2]), [x.shape[0], -1]);
  }

  // predict runs n samples; inputs[name] holds n samples back to back.
  // Returns typed arrays of n*k values: log_probs, intra_log_probs and each
  // expert's logits.
  async function predict(inputs, n) {
    const outs = tf.tidy(() => {
      const nhwc = {};
      for (const [name, [c, h, w]] of Object.entries(shapes)) {
        nhwc[name] = tf.transpose(tf.tensor4d(inputs[name], [n, c, h, w]), [0, 2, 3, 1]);
      }
      const logits = {};
      let all = null, intra = null;
      for (const e of experts) {
        const feats = e.branches.map((br, i) => flat(run(br, nhwc[e.inputs[i]])));
        const z = run(e.head, feats.length > 1 ? tf.concat(feats, 1) : feats[0]);
        logits[e.name] = z;
        all = all ? tf.add(all, z) : z;
        if (e.intra) intra = intra ? tf.add(intra, z) : z;
      }
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
    const out = tf.tidy(() => {
      let all = null;
      const nhwc = {};
      for (const [name, [c, h, w]] of Object.entries(shapes)) {
        nhwc[name] = tf.transpose(tf.tensor4d(inputs[name], [n, c, h, w]), [0, 2, 3, 1]);
      }
      for (const e of experts) {
        const feats = e.branches.map((br, i) => flat(run(br, nhwc[e.inputs[i]])));
        const z = run(e.head, feats.length > 1 ? tf.concat(feats, 1) : feats[0]);
        all = all ? tf.add(all, z) : z;
      }
      return tf.logSoftmax(all);
    });
    const d = await out.data();
    out.dispose();
    return d;
  }

  function dispose() {
    for (const e of experts) for (const ls of [...e.branches, e.head]) for (const l of ls) {
      for (const t of [l.filter, l.bias, l.w]) if (t) t.dispose();
    }
  }
  return { predict, predictLogProbs, dispose, classes: k };
}
