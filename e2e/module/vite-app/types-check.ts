// Type-checks the package's declarations as a consumer sees them (resolved
// through the exports map, types first): `tsc --noEmit -p .`.
import load, { load as namedLoad, type Model, type Result, type LoadOptions, type Progress } from 'i2m2';

const opts: LoadOptions = {
  model: new URL('https://example.invalid/m.i2m2'),
  sha256: '0'.repeat(64),
  cache: true,
  workers: 2,
  path: 'int8',
  onProgress: (p: Progress) => console.log(p.loaded, p.total ?? 'unknown'),
};

export async function demo(): Promise<number> {
  const model: Model = await load(opts);
  const m2 = await namedLoad({ worker: false, manifest: false, signal: AbortSignal.timeout(60000), stallTimeout: 5000 });
  const m3 = await load({ model: new Uint8Array(8), integrity: false });
  const r: Result = await model.predict({ image: new Float32Array(784), audio: null });
  const p: Float32Array = r.probs;
  const inter = r.experts.inter.probs?.[0] ?? 0;
  const intra = r.intraOnly?.label ?? -1;
  const batch = await model.predictBatch({ image: new Float32Array(784 * 2) });
  const spec: Float32Array = await model.features.audioFromPCM(new Float32Array(16000), 16000);
  const img: Float32Array = await model.features.imageFromRGBA(new Uint8ClampedArray(16), 2, 2);
  const name: string = model.info.classes[r.label] + model.info.modalities[0].shape.join('x');
  model.dispose();
  m2.dispose();
  m3.dispose();
  return p[0] + inter + intra + batch.length + spec.length + img.length + name.length;
}

// The classic build's global, for pages that also open from disk.
export const classicLoad: typeof load | undefined = globalThis.I2M2?.load;
