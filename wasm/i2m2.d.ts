// Types of the i2m2 package (i2m2.mjs). Every function returns a Promise; every
// failure rejects with an Error whose message starts with "i2m2: " (or
// "features: " for the preprocessing functions).

/** Where bytes come from: a URL (resolved against the page), bytes, or a fetch Response. */
export type Source = string | URL | ArrayBuffer | ArrayBufferView | Response;

export interface Progress {
  /** Bytes of the model received so far. */
  loaded: number;
  /** Content-Length, or null when unknown or when the body is content-encoded (compressed). */
  total: number | null;
}

export interface LoadOptions {
  /** The model file (.i2m2). Default: the package's weights/avmnist-real-int8.i2m2 (the real-input model; weights/manifest.json marks it default). */
  model?: Source;
  /**
   * A task of the manifest (its `tasks` member: "digit", "same", "digit-or-mismatch", ...): loads the model that
   * task runs (the file its `default` names, else its entry flagged default, else its I2M2, else its first int8
   * file), from next to the manifest, checked against the manifest's sha256. The manifest is `manifest` when given
   * (by URL), else the package's weights/manifest.json (the classic build inlines it and the tasks' models). Not
   * with `model`, `sha256` or `integrity: false`. An unknown task rejects, listing the manifest's tasks.
   */
  task?: string;
  /**
   * A model of the manifest by its name (`models[].name`, as "avmnist-tts"): its file flagged default, else its
   * int8 file, else its first, checked against the manifest's sha256, as for `task`. Not with `task`, `model`,
   * `sha256` or `integrity: false`.
   */
  name?: string;
  /**
   * The engine, plain or gzip-compressed (told apart by its first bytes). Default: i2m2.simd.wasm.gz next to
   * the module where the engine validates SIMD and DecompressionStream exists, i2m2.simd.wasm where only
   * SIMD does, else i2m2.wasm. A WebAssembly.Module is used as is.
   */
  wasm?: Source | WebAssembly.Module;
  /** Expected sha256 (hex) of the whole model file; the load fails when it differs. */
  sha256?: string;
  /**
   * A manifest ({models: [{file, sha256}]}) or its URL, giving the expected sha256 by file name. Default: the
   * manifest.json next to a model loaded by URL. false: no manifest lookup. The default model's sha256 is pinned
   * in the package, so it needs no manifest.
   */
  manifest?: string | URL | { models: { file: string; sha256: string }[] } | false;
  /**
   * Fails closed by default (true): a model whose sha256 cannot be checked (no sha256 option, and the manifest is
   * missing, unreadable, not JSON or has no entry for the file; or bytes / a Response without sha256) is rejected.
   * false loads such a model unverified (info.verified is then false); a sha256 or manifest that is given is still
   * checked.
   */
  integrity?: boolean;
  /** Aborts the load: the downloads stop, the workers are terminated and the Promise rejects ("i2m2: load aborted"). */
  signal?: AbortSignal;
  /**
   * A download (model, manifest, wasm) that receives no bytes for this many milliseconds is abandoned and load()
   * rejects naming the URL. Default 30000; 0 disables it.
   */
  stallTimeout?: number;
  /** Keep the model in the Cache API, keyed by its expected sha256 (needs sha256 or a manifest entry). */
  cache?: boolean;
  /** Run in a dedicated Web Worker (default: true where Web Workers exist; false in Node). */
  worker?: boolean;
  /** Number of workers (instances) predictBatch spreads over. Default 1. */
  workers?: number;
  /** Called while the model downloads. */
  onProgress?: (p: Progress) => void;
  /** Kernels: 'float32' (default, for int8 and float32 files alike: measured faster in wasm; an int8 file is dequantised at load), 'int8' (int8 kernels, int8 files only), 'reference' (plain loops). */
  path?: 'int8' | 'float32' | 'reference';
}

export interface ModalityInfo {
  name: string;
  /** [C, H, W]; an input holds C*H*W float32 values, row-major. */
  shape: [number, number, number];
}

export interface ExpertInfo {
  name: string;
  inputs: string[];
  /** true for an intra-modality (single input) expert. */
  intra: boolean;
}

export interface ModelInfo {
  name: string;
  modalities: ModalityInfo[];
  classes: string[];
  experts: ExpertInfo[];
  quantization: 'int8' | 'float32';
  /** The kernels in use. */
  path: 'int8' | 'float32' | 'reference';
  /** How the inner loops run: 128-bit WebAssembly SIMD (i2m2.simd.wasm, chosen where the engine
   * validates SIMD) or scalar (i2m2.wasm). Same sums in the same order either way. */
  kernels: 'simd' | 'scalar';
  /** sha256 (hex) of the whole model file. */
  sha256: string;
  /** Size of the model file. */
  bytes: number;
  /** Multiply-adds of one prediction with every expert. */
  macs: number;
  /** Floats per sample in the packed result (internal). */
  stride: number;
  provenance: { data?: string; seed?: number; created?: string; metrics?: Record<string, number> };
  /** true when the sha256 was checked (options.sha256, a manifest, or the default model's pinned hash); false only with integrity: false. */
  verified: boolean;
  /** The task it was loaded for (load({task})), else absent. */
  task?: string;
  /** true when the model came from the Cache API. */
  cached: boolean;
  mode: 'worker' | 'main';
  workers: number;
}

/**
 * One sample: a Float32Array per modality (length C*H*W, finite values). A modality that is absent or null is
 * missing: the experts needing it are dropped from the product.
 */
export type Inputs = Record<string, Float32Array | null | undefined>;

/** A distribution over the classes. Arrays are Float32Array views (exact float32 values); label is a class index. */
export interface Dist {
  label: number;
  probs: Float32Array;
  logProbs: Float32Array;
}

export interface ExpertResult {
  /** -1 when the expert was not used. */
  label: number;
  probs: Float32Array | null;
  logProbs: Float32Array | null;
  /** The expert's raw scores. */
  logits: Float32Array | null;
  used: boolean;
}

export interface Result extends Dist {
  /** Names of the experts in the product, in model order. */
  used: string[];
  /** Every expert of the model by name (image, audio, inter for AV-MNIST). */
  experts: Record<string, ExpertResult>;
  /** Product of the intra experts alone (the paper's intra-modality baseline); null if none was used. */
  intraOnly: Dist | null;
}

/**
 * A batch: an array of samples, or packed: one Float32Array per modality holding n samples back to back
 * (every present modality must hold the same n).
 */
export type Batch = Inputs[] | Record<string, Float32Array | null | undefined>;

export interface Features {
  /** Mono PCM (nominally in [-1, 1]) at sampleRate Hz -> the audio modality (40 mel bands x 40 frames). */
  audioFromPCM(pcm: Float32Array, sampleRate: number): Promise<Float32Array>;
  /** Canvas pixels (getImageData().data) -> the image modality (28x28, centred as MNIST digits). */
  imageFromRGBA(rgba: Uint8ClampedArray | Uint8Array, width: number, height: number): Promise<Float32Array>;
}

/**
 * The rejection of predictBatch when one sample is at fault: message "i2m2: sample <sample>: <reason>", also when
 * the batch was split over several workers (sample is the index in the whole batch).
 */
export interface BatchError extends Error {
  /** Index of the sample in the batch. */
  sample: number;
  /** The sample's own error, without the "i2m2: " prefix (as predict would reject it). */
  reason: string;
}

export interface Model {
  readonly info: Readonly<ModelInfo>;
  /**
   * The inputs are copied before the Promise is returned (the caller may reuse its arrays at once). Rejects on
   * bad inputs, and when the model produces a non-finite logit or probability ("i2m2: non-finite output: expert
   * ..."): no NaN is ever resolved.
   */
  predict(inputs: Inputs): Promise<Result>;
  /**
   * As predict, for many samples (copied before the Promise is returned). An error about one sample rejects with a
   * BatchError naming it.
   */
  predictBatch(batch: Batch): Promise<Result[]>;
  readonly features: Features;
  /** Frees the instance (terminates the workers); later calls reject. */
  dispose(): void;
}

export function load(options?: LoadOptions): Promise<Model>;
export default load;

declare global {
  /** Defined by i2m2.classic.js (the classic-script build for pages opened from file://). */
  var I2M2: { load: typeof load; classic: true } | undefined;
}
