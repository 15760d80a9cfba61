// Wide SAEs on SynthSAEBench-class data (issue "SynthSAEBench-class data and wide SAEs"): a preset names the
// generator's configuration, the dictionary, the SAE and its training; runWide trains one SAE with the wide engine
// (src/train/wide.ts, rows drawn on the GPU each step) and evaluates it on fresh rows with SAELens's synthetic
// metrics: MCC and uniqueness of the decoder against the true dictionary (src/metrics/synth.ts), explained variance,
// L0, dead latents and shrinkage (src/metrics/wide.ts). So far the ReLU SAE with SAELens's L1 (the TopK family and
// the other variants' records join the wide engine next).
import type { GpuContext } from '../gpu/context';
import { buildSynth, type ComposedStructure, describeSynth, type SynthConfig, type SynthModel } from '../data/synth';
import { jointTable } from '../data/tables';
import { composedDirections, featureLabel } from '../metrics/analysis';
import { matchRecovery } from '../metrics/recovery';
import { randomDictionary } from '../data/dictionary';
import { defaultConfig, scheduleSteps } from '../core/wire';
import { rngUnit } from '../core/rng';
import { WideSaeTrainer } from '../train/wide';
import { orthogonaliseGpu } from '../data/dictionary-gpu';
import { type WideDecode, wideRows } from '../kernels/wide';
import { bestMatches, DetectorCounts, mccAbs, uniqueness } from '../metrics/synth';
import { batchCurvePoint, ReconstructionMetrics } from '../metrics/wide';
import { isSoftwareAdapter } from '../gpu/context';
import { SAE_VARIANTS, saeGroups, saeVariant } from '../variants';
import type { MatryoshkaSection } from '../variants/matryoshka-groups';
import { STUDY_OBJECTIVE, type WideTrainMode } from '../reference/wide';

export interface WidePreset {
  name: string;
  description: string;
  data: SynthConfig;
  d: number;
  /** the dictionary's orthogonalisation (SAELens: 100 Adam steps) and the bias's norm */
  orthoSteps: number;
  biasNorm: number;
  /** the variant (its record's wide recipe), width, L1 coefficient, TopK's k; AuxK's coefficient and dead window
   * (steps without firing; SAELens: dead_feature_window 1,000, aux coefficient 1, k_aux = d / 2) */
  sae: {
    variant: string;
    width: number;
    /** the L1 coefficient; JumpReLU's L0 coefficient */
    lambda: number;
    k?: number;
    auxk?: { coef: number; window: number };
    matryoshka?: MatryoshkaSection;
    /** JumpReLU: initial threshold and straight-through bandwidth (SAELens: 0.01 and 0.05) */
    jumprelu?: { initThreshold: number; bandwidth: number };
    /** the loss and decoder (default 'saelens': the summed squared error, the L1 weighted by free decoder rows' norms,
     * the pre-encoder bias; 'study': the study's per-sample FVU, unit decoder rows with the gradient projected, no
     * pre-encoder bias: STUDY_OBJECTIVE) */
    objective?: 'saelens' | 'study';
  };
  train: { samples: number; batch: number; lr: number; warmup: number; cooldown: number };
  evalRows: number;
  /** the SAE's seed: its initial decoder and its training stream (generator batches from seed x 1,000,000; the data
   * itself is data.seed's) */
  seed: number;
}

const CPU_DATA: SynthConfig = {
  features: 1024,
  zipf: { exponent: 0.5, pMax: 0.4, pMin: 5e-4 },
  magnitude: { meanStart: 5, meanEnd: 4, stdMean: 0.5, stdStd: 0.5 },
  correlation: { rank: 25, scale: 0.1 },
  hierarchy: { roots: 16, branching: 4, depth: 3, mutuallyExclusive: 1, compensate: true, scaleChildrenByParent: true },
  seed: 42,
};

const SYNTH_CPU: WidePreset = {
  name: 'synth-cpu',
  description: 'SynthSAEBench-16k scaled for a CPU: 1,024 features (Zipf, hierarchy, rank-25 copula; mean L0 8.9) in d = 64, a ReLU SAE of width 256',
  data: CPU_DATA,
  d: 64,
  orthoSteps: 0,
  biasNorm: 0.5,
  sae: { variant: 'relu', width: 256, lambda: 5 },
  // lr 3e-3, not SynthSAEBench's 3e-4: with 65x fewer samples, 3e-4 left it far from converged (MCC 0.49, L0 21)
  train: { samples: 3_000_000, batch: 1024, lr: 3e-3, warmup: 0, cooldown: 0.2 },
  evalRows: 100_000,
  seed: 42,
};

/** synth-cpu with a TopK-family variant at k = 8, near the data's L0 (8.9) and the ReLU SAE's (8.2), with AuxK */
function topkFamily(variant: 'topk' | 'batchtopk'): WidePreset {
  return {
    ...SYNTH_CPU,
    name: `synth-cpu-${variant}`,
    description: `${SYNTH_CPU.description.replace('a ReLU SAE', `a ${variant === 'topk' ? 'TopK' : 'BatchTopK'} SAE (k = 8, AuxK)`)}`,
    sae: { variant, width: 256, lambda: 0, k: 8, auxk: { coef: 1, window: 1000 } },
  };
}

/** synth-cpu-batchtopk with Matryoshka's nested reconstructions: prefixes of 32, 64, 128 and 256 latents, each
 * reconstruction weighted 1 (SAELens's matryoshka_batchtopk: the full loss plus the unweighted inner ones) */
const SYNTH_CPU_MATRYOSHKA: WidePreset = {
  ...topkFamily('batchtopk'),
  name: 'synth-cpu-matryoshka-batchtopk',
  description: SYNTH_CPU.description.replace('a ReLU SAE', 'a Matryoshka BatchTopK SAE (k = 8, prefixes 32/64/128/256, AuxK)'),
  sae: {
    variant: 'matryoshka-batchtopk',
    width: 256,
    lambda: 0,
    k: 8,
    auxk: { coef: 1, window: 1000 },
    matryoshka: { widths: [32, 64, 128, 256], weights: 'sum' },
  },
};

/** SynthSAEBench-16k (SAELens docs/synth_sae_bench.md, v2): the benchmark's data and training recipe; a BatchTopK SAE
 * at k = 25 (the published table's L0 25). Sized for a GPU: 200M samples. */
const SYNTH_16K: WidePreset = {
  name: 'synth-16k',
  description:
    'SynthSAEBench-16k: 16,384 features (Zipf, hierarchy of 128 roots, rank-25 copula; mean L0 about 34) in d = 768, a BatchTopK SAE (k = 25, AuxK) of width 4,096, 200M samples (a GPU preset)',
  data: {
    features: 16384,
    zipf: { exponent: 0.5, pMax: 0.4, pMin: 5e-4 },
    magnitude: { meanStart: 5, meanEnd: 4, stdMean: 0.5, stdStd: 0.5 },
    correlation: { rank: 25, scale: 0.1 },
    hierarchy: { roots: 128, branching: 4, depth: 3, mutuallyExclusive: 1, compensate: true, scaleChildrenByParent: true },
    seed: 42,
  },
  d: 768,
  orthoSteps: 100,
  biasNorm: 0.5,
  sae: { variant: 'batchtopk', width: 4096, lambda: 0, k: 25, auxk: { coef: 1, window: 1000 } },
  train: { samples: 200_000_000, batch: 1024, lr: 3e-4, warmup: 0, cooldown: 0 },
  evalRows: 500_000,
  seed: 42,
};

/** synth-cpu with JumpReLU: SAELens's step-mode L0 penalty (coefficient 2), thresholds from 1 with a bandwidth of 0.5
 * (SAELens's 0.01 and 0.05 left L0 at 125 after 200 steps here; these gave 23 and falling: one look, not a sweep) */
const SYNTH_CPU_JUMPRELU: WidePreset = {
  ...SYNTH_CPU,
  name: 'synth-cpu-jumprelu',
  description: SYNTH_CPU.description.replace('a ReLU SAE', 'a JumpReLU SAE (L0 coefficient 2)'),
  sae: { variant: 'jumprelu', width: 256, lambda: 2, jumprelu: { initThreshold: 1, bandwidth: 0.5 } },
};

/** The study's question at a width its per-model kernels do not serve: two sets of 16 features that always fire
 * together (one of each; 256 composed directions), amplitudes equal (rho 1, the study's default), in d = 16 through a
 * random unit dictionary orthogonalised as SAELens does; a TopK SAE with one latent per true feature (width 32) at
 * k = 2, the active features of every draw. MCC against the true dictionary says whether it found them. At 2M samples
 * it has converged to within 0.01 (lavapipe, seed 42: MCC 0.855, explained variance 0.957, F1 0.876; at 10M: 0.861,
 * 0.960, 0.881). */
const SYNTH_COMPOSED: WidePreset = {
  name: 'synth-composed',
  description:
    "the study's composed sets at width: sets [16, 16] (one feature of each in every draw, equal amplitudes) in d = 16, a TopK SAE (k = 2, AuxK) of width 32",
  data: { features: 32, composed: { sets: [16, 16], rho: 1, pOnehot: 0 }, seed: 42 },
  d: 16,
  orthoSteps: 100,
  biasNorm: 0,
  sae: { variant: 'topk', width: 32, lambda: 0, k: 2, auxk: { coef: 1, window: 1000 } },
  train: { samples: 2_048_000, batch: 1024, lr: 3e-3, warmup: 0, cooldown: 0.2 },
  evalRows: 100_000,
  seed: 42,
};

export const WIDE_PRESETS: Record<string, WidePreset> = {
  'synth-cpu': SYNTH_CPU,
  'synth-cpu-topk': topkFamily('topk'),
  'synth-cpu-batchtopk': topkFamily('batchtopk'),
  'synth-cpu-matryoshka-batchtopk': SYNTH_CPU_MATRYOSHKA,
  'synth-cpu-jumprelu': SYNTH_CPU_JUMPRELU,
  'synth-16k': SYNTH_16K,
  'synth-composed': SYNTH_COMPOSED,
  // synth-cpu for 200 steps
  'synth-cpu-quick': {
    ...SYNTH_CPU,
    name: 'synth-cpu-quick',
    description: 'the same data, 200 steps: a look at the wide engine in about a minute on lavapipe (not converged)',
    train: { ...SYNTH_CPU.train, samples: 204_800 },
    evalRows: 10_240,
  },
};

export function getWidePreset(name: string): WidePreset {
  const p = WIDE_PRESETS[name];
  if (!p) throw new Error(`unknown wide preset '${name}' (known: ${Object.keys(WIDE_PRESETS).join(', ')})`);
  return p;
}

export interface WideResult {
  preset: string;
  config: WidePreset;
  adapter: string;
  gemm: string;
  /** the decoder's products: 'dense' GEMMs or 'sparse' from f's nonzeros (the TopK family; absent in results
   * written before it: dense) */
  decode?: WideDecode;
  steps: number;
  timing: { setup_s: number; train_s: number; eval_s: number; samples_per_s: number };
  /** every log point: step, the batch's explained variance and L0 (training rows, before the step's update) */
  /** per logged step: the training batch's explained variance and L0; with live metrics (runWide's `live`) also MCC and
   * F1 (latents against their best-matching features on one fresh batch) */
  curve: { step: number; explained_variance: number; l0: number; mcc?: number; f1?: number }[];
  /** on fresh rows; f1, precision, recall: means over latents as detectors of their best-matching feature (SAELens) */
  final: {
    mcc: number;
    uniqueness: number;
    f1: number;
    precision: number;
    recall: number;
    explained_variance: number;
    l0: number;
    dead: number;
    shrinkage: number;
    rows: number;
    /** the study's composed sets as the data: the shares of the true and of the composed directions (unit sums of one
     * feature per set, every combination that occurs) covered by a live latent at cosine >= 0.95, one-to-one (the
     * future-work bench's definition, src/metrics/recovery.ts matchRecovery) */
    coverage?: { true: number; composed: number; true_targets: number; composed_targets: number };
  };
  /** the generator rows drawn for training and for evaluation, [start, end) modulo 2^32 (wide compare refuses to pool
   * seeds whose training rows overlap) */
  streams?: { train: [number, number]; eval: [number, number] };
  /** latents dead at the end of training (no firing within AuxK's window, or over the last 1,000 steps) and
   * BatchTopK's inference threshold */
  training: { dead: number; threshold: number };
}

/** The generator numbers its rows batch x B + b in 32 bits (synth_sample.wgsl, sampleSynth), so streams wrap. */
const ROW_SPACE = 2 ** 32;
/** The first generator batch of a preset's training stream (seed x 1,000,000) and of its evaluation (1e9). */
export const EVAL_BATCH0 = 1_000_000_000;
export const trainBatch0 = (seed: number) => seed * 1_000_000;

/** The generator rows a run draws, [start, end) modulo 2^32 (end may pass 2^32: the stream wraps). */
export function wideStreams(p: Pick<WidePreset, 'seed' | 'evalRows' | 'train'>): { train: [number, number]; eval: [number, number] } {
  const B = p.train.batch;
  const rows = Math.ceil(p.train.samples / B) * B;
  const at = (batch: number) => (batch * B) % ROW_SPACE;
  const t0 = at(trainBatch0(p.seed)),
    e0 = at(EVAL_BATCH0);
  return { train: [t0, t0 + rows], eval: [e0, e0 + Math.ceil(p.evalRows / B) * B] };
}

/** Do two row ranges modulo 2^32 share a row? */
export function streamsOverlap(a: [number, number], b: [number, number]): boolean {
  const parts = (r: [number, number]): [number, number][] => {
    if (r[1] - r[0] >= ROW_SPACE) return [[0, ROW_SPACE]];
    const s = r[0] % ROW_SPACE,
      e = s + (r[1] - r[0]);
    return e <= ROW_SPACE
      ? [[s, e]]
      : [
          [s, ROW_SPACE],
          [0, e - ROW_SPACE],
        ];
  };
  return parts(a).some(([a0, a1]) => parts(b).some(([b0, b1]) => a0 < b1 && b0 < a1));
}

/** SAELens's orthogonalisation rate (feature_dictionary: 100 Adam steps at lr 3e-4) */
export const ORTHO_LR = 3e-4;

/**
 * Every buffer of a wide run that one storage binding must hold, against the adapter's limits: a shape past them is
 * a named error before any work (the buffer, its size, the limit).
 */
export function checkWideLimits(p: WidePreset, limits: Pick<GPUSupportedLimits, 'maxStorageBufferBindingSize' | 'maxBufferSize'>): void {
  const limit = Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize);
  const B = p.train.batch,
    d = p.d,
    s = p.sae.width,
    n = p.data.features;
  const rows = wideRows({ B, d, s }, wideMode(p));
  const need: [string, number][] = [
    ['the synthetic feature activations (batch x features)', B * n * 4],
    ['the true dictionary (features x d)', n * d * 4],
    ['the encoder W_enc (d x width)', d * s * 4],
    ["Adam's moments of W_enc (2 x d x width)", 2 * d * s * 4],
    ['the pre-activations (batch x width)', B * s * 4],
    [`the activations of every row block (${rows / B} x batch x width)`, rows * s * 4],
    ...(p.orthoSteps > 0 ? ([["a 64-row block of the orthogonalisation's Gram matrix (64 x features)", 64 * n * 4]] as [string, number][]) : []),
  ];
  const over = need.filter(([, bytes]) => bytes > limit);
  if (over.length)
    throw new Error(
      `wide preset ${p.name} does not fit this adapter: ${over.map(([what, bytes]) => `${what} needs ${(bytes / 2 ** 20).toFixed(1)} MiB`).join('; ')}; one storage binding holds ${(limit / 2 ** 20).toFixed(1)} MiB (a smaller batch or width fits)`,
    );
}

/** A preset's generator, its true dictionary (rows) and its bias. */
export function wideData(p: WidePreset): { model: SynthModel; dictionary: number[][]; bias: Float32Array } {
  const seed = p.data.seed;
  const dictionary = randomDictionary(p.data.features, p.d, seed, { orthoSteps: p.orthoSteps, orthoLr: ORTHO_LR });
  const raw = Array.from({ length: p.d }, (_, j) => rngUnit(seed, 0, 0xb1a5, j, 0) - 0.5);
  const norm = Math.hypot(...raw);
  return { model: buildSynth(p.data), dictionary, bias: Float32Array.from(raw, (v) => (p.biasNorm * v) / norm) };
}

/** The wide engine's mode of a preset's SAE: its variant's wide recipe with the preset's k and AuxK (k_aux = d / 2,
 * SAELens's). A variant without a recipe, or a TopK-family SAE without k, is a named error. */
export function wideMode(p: Pick<WidePreset, 'd' | 'sae'>): WideTrainMode {
  const v = saeVariant(p.sae.variant);
  if (!v.wide)
    throw new Error(
      `wide SAE: variant '${v.name}' does not run on the wide engine yet (it runs: ${SAE_VARIANTS.filter((r) => r.wide)
        .map((r) => r.name)
        .join(', ')})`,
    );
  if ((v.wide.select === 'topk' || v.wide.select === 'batchtopk') && !(p.sae.k && p.sae.k > 0))
    throw new Error(`wide SAE: variant '${v.name}' needs sae.k > 0`);
  const auxk = v.wide.auxk && p.sae.auxk ? { coef: p.sae.auxk.coef, kAux: Math.max(1, Math.floor(p.d / 2)), window: p.sae.auxk.window } : undefined;
  // the record's nested reconstructions (Matryoshka) from its config section
  const nested = saeGroups({ ...p.sae, s: p.sae.width });
  const bandwidth = v.wide.select === 'jumprelu' ? (p.sae.jumprelu?.bandwidth ?? 0.05) : undefined;
  const objective = p.sae.objective ?? 'saelens';
  if (objective !== 'saelens' && objective !== 'study') throw new Error(`wide SAE: sae.objective must be 'saelens' or 'study', got '${objective}'`);
  return { select: v.wide.select, k: p.sae.k, auxk, nested, bandwidth, ...(objective === 'study' ? STUDY_OBJECTIVE : {}) };
}

/** The SAE's initial parameters: unit decoder rows from the seed, W_enc = W_dec^T, zero biases (SAELens's init). */
export function wideInit(p: Pick<WidePreset, 'd' | 'seed'> & { sae: Pick<WidePreset['sae'], 'width' | 'jumprelu'> }): {
  w_enc: Float32Array;
  b_enc: Float32Array;
  w_dec: Float32Array;
  b_dec: Float32Array;
  log_threshold: Float32Array;
} {
  const { d } = p,
    s = p.sae.width;
  const w_dec = new Float32Array(s * d),
    w_enc = new Float32Array(d * s);
  for (let k = 0; k < s; k++) {
    const row = Array.from({ length: d }, (_, j) => rngUnit(p.seed, 0, 0x5ae0, k, j) - 0.5);
    const n = Math.hypot(...row);
    for (let j = 0; j < d; j++) {
      w_dec[k * d + j] = row[j] / n;
      w_enc[j * s + k] = row[j] / n;
    }
  }
  // JumpReLU's thresholds (the others leave them unused): SAELens's jumprelu_init_threshold, 0.01
  const log_threshold = new Float32Array(s).fill(Math.log(p.sae.jumprelu?.initThreshold ?? 0.01));
  return { w_enc, b_enc: new Float32Array(s), w_dec, b_dec: new Float32Array(d), log_threshold };
}

/** Live MCC is skipped above this many latents x features (the exact assignment takes seconds at SynthSAEBench-16k's). */
export const LIVE_MCC_MAX = 1 << 20;

/** SAELens's detector scores from the wide detector's counts (tp, fp, fn per latent) over its rows. */
function detectorScores(det: { counts: Uint32Array; rows: number }, best: number[], s: number) {
  const counts = new DetectorCounts(best);
  for (let k = 0; k < s; k++) {
    counts.tp[k] = det.counts[k * 3];
    counts.fp[k] = det.counts[k * 3 + 1];
    counts.fn[k] = det.counts[k * 3 + 2];
    counts.tn[k] = det.rows - counts.tp[k] - counts.fp[k] - counts.fn[k];
  }
  return counts.scores().mean;
}

/** MCC of the current decoder and F1 of its latents on one fresh batch (the detector re-armed with today's best matches). */
async function liveMetrics(tr: WideSaeTrainer, dictionary: number[][], s: number, d: number, batch: number): Promise<{ mcc?: number; f1: number }> {
  const params = await tr.params();
  const dec = Array.from({ length: s }, (_, k) => Array.from(params.w_dec.subarray(k * d, (k + 1) * d)));
  const best = bestMatches(dec, dictionary);
  await tr.armDetector(best);
  await tr.evalStats(batch);
  const f1 = detectorScores(await tr.detectorCounts(), best, s).f1;
  return { ...(s * dictionary.length <= LIVE_MCC_MAX ? { mcc: mccAbs(dec, dictionary) } : {}), f1 };
}

export async function runWide(
  ctx: GpuContext,
  p: WidePreset,
  opts: {
    gemm?: string;
    /** default: the adapter's (wideDecodeFor) */
    decode?: WideDecode;
    onProgress?: (line: string) => void;
    logPoints?: number;
    /** MCC and F1 at every logged step (the browser page's live metrics): MCC from the decoder where latents x features
     * <= LIVE_MCC_MAX, F1 on one fresh batch past the evaluation's rows; training is unchanged */
    live?: boolean;
    onPoint?: (pt: WideResult['curve'][number]) => void;
  } = {},
): Promise<WideResult> {
  const t0 = performance.now();
  const gemm = opts.gemm ?? (isSoftwareAdapter(ctx.adapter) ? 'lanes' : 'blocked');
  const B = p.train.batch,
    d = p.d,
    s = p.sae.width;
  const steps = Math.ceil(p.train.samples / B);
  const mode = wideMode(p);
  checkWideLimits(p, ctx.device.limits);
  const streams = wideStreams(p);
  if (streamsOverlap(streams.train, streams.eval))
    throw new Error(
      `wide preset ${p.name} at seed ${p.seed}: its training rows [${streams.train.join(', ')}) share generator rows with the evaluation rows [${streams.eval.join(', ')}) (row numbers wrap at 2^32); pick another seed`,
    );
  // the dictionary's orthogonalisation runs on the GPU (its Gram matrix is 1 GiB at SynthSAEBench-16k); the rest on the host
  const { model, dictionary: drawn, bias } = wideData({ ...p, orthoSteps: 0 });
  let dictionary = drawn;
  if (p.orthoSteps > 0) {
    opts.onProgress?.(`[${p.name}] orthogonalising the ${p.data.features} x ${p.d} dictionary: ${p.orthoSteps} Adam steps on the GPU`);
    const n = p.data.features;
    const t = performance.now();
    const E = await orthogonaliseGpu(ctx, Float32Array.from(drawn.flat()), n, d, {
      steps: p.orthoSteps,
      lr: ORTHO_LR,
      gemm,
      onProgress: (k) => {
        const el = (performance.now() - t) / 1000;
        if (k === 1 || k % 10 === 0 || k === p.orthoSteps)
          opts.onProgress?.(`[${p.name}] orthogonalisation step ${k}/${p.orthoSteps} ETA ${((el / k) * (p.orthoSteps - k)).toFixed(0)} s`);
      },
    });
    dictionary = Array.from({ length: n }, (_, i) => Array.from(E.subarray(i * d, (i + 1) * d)));
  }
  const cfg = defaultConfig({ ...scheduleSteps(steps, p.train.warmup, p.train.cooldown), beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0 });
  const tr = await WideSaeTrainer.create(ctx, {
    shape: { B, d, s },
    lambda: p.sae.lambda,
    lr: p.train.lr,
    cfg,
    gemm,
    init: wideInit(p),
    data: { model, dictionary: Float32Array.from(dictionary.flat()), bias },
    firstBatch: trainBatch0(p.seed),
    mode,
    decode: opts.decode,
  });
  try {
    const setup = (performance.now() - t0) / 1000;
    const every = Math.max(1, Math.floor(steps / (opts.logPoints ?? 20)));
    const curve: WideResult['curve'] = [];
    const t1 = performance.now();
    for (let t = 0; t < steps; t++) {
      await tr.step();
      if (t % every === 0 || t === steps - 1) {
        await tr.checkData();
        const x = await tr.rowsX();
        const pt: WideResult['curve'][number] = { step: t, ...batchCurvePoint(await tr.rows(), x, B, d) };
        if (opts.live) Object.assign(pt, await liveMetrics(tr, dictionary, s, d, EVAL_BATCH0 + Math.ceil(p.evalRows / B) + curve.length));
        curve.push(pt);
        opts.onPoint?.(pt);
        const el = (performance.now() - t1) / 1000;
        const live = pt.f1 !== undefined ? `${pt.mcc !== undefined ? ` MCC ${pt.mcc.toFixed(3)}` : ''} F1 ${pt.f1.toFixed(3)} (one fresh batch)` : '';
        opts.onProgress?.(
          `[${p.name}] step ${t + 1}/${steps} explained variance ${pt.explained_variance.toFixed(3)} L0 ${pt.l0.toFixed(1)} (training batch)${live} ${((B * (t + 1)) / el).toFixed(0)} samples/s ETA ${((el / (t + 1)) * (steps - t - 1)).toFixed(0)} s`,
        );
      }
    }
    const train = (performance.now() - t1) / 1000;
    const t2 = performance.now();
    // fresh rows: generator batches far past the training stream
    const m = new ReconstructionMetrics(d, s);
    const params = await tr.params();
    const dec = Array.from({ length: s }, (_, k) => Array.from(params.w_dec.subarray(k * d, (k + 1) * d)));
    const best = bestMatches(dec, dictionary);
    await tr.armDetector(best);
    const evalBatches = Math.ceil(p.evalRows / B);
    for (let i = 0; i < evalBatches; i++) {
      m.addRows(await tr.evalStats(EVAL_BATCH0 + i));
    }
    await tr.checkData();
    const rec = m.result();
    const detection = detectorScores(await tr.detectorCounts(), best, s);
    const st = await tr.trainState();
    const window = p.sae.auxk?.window ?? 1000;
    const evalS = (performance.now() - t2) / 1000;
    return {
      preset: p.name,
      config: p,
      adapter: ctx.adapter.description || [ctx.adapter.vendor, ctx.adapter.architecture].filter(Boolean).join(' '),
      gemm,
      decode: tr.decode,
      steps,
      timing: { setup_s: setup, train_s: train, eval_s: evalS, samples_per_s: (steps * B) / train },
      curve,
      final: {
        mcc: mccAbs(dec, dictionary),
        uniqueness: uniqueness(dec, dictionary),
        f1: detection.f1,
        precision: detection.precision,
        recall: detection.recall,
        ...rec,
        ...(model.composed
          ? {
              coverage: composedCoverage(
                dec,
                Array.from(st.since, (n) => n <= window),
                dictionary,
                model.composed.spec,
              ),
            }
          : {}),
      },
      training: { dead: st.since.filter((n) => n > window).length, threshold: st.threshold },
      streams,
    };
  } finally {
    tr.destroy();
  }
}

/** Coverage of the true and the composed directions by a decoder's live latents (WideResult final.coverage). */
export function composedCoverage(
  dec: number[][],
  alive: boolean[],
  dictionary: number[][],
  spec: ComposedStructure,
): NonNullable<WideResult['final']['coverage']> {
  const composed = composedDirections(dictionary, spec.sets, jointTable(spec));
  const t = matchRecovery(
    dec,
    alive,
    dictionary,
    dictionary.map((_, i) => featureLabel(i, spec.sets)),
  );
  const c = matchRecovery(
    dec,
    alive,
    composed.map((x) => x.dir),
    composed.map((x) => x.label),
  );
  return { true: t.covered / t.targets, composed: c.covered / c.targets, true_targets: t.targets, composed_targets: c.targets };
}

function saeLine(c: WidePreset): string {
  const v = c.sae.variant;
  const aux = c.sae.auxk ? `, AuxK (coefficient ${c.sae.auxk.coef}, k_aux ${Math.floor(c.d / 2)}, dead after ${c.sae.auxk.window} steps)` : '';
  if (c.sae.objective === 'study')
    return `${v}, width ${c.sae.width}${c.sae.k ? `, k = ${c.sae.k}` : ''}${c.sae.lambda ? `, L1 coefficient ${c.sae.lambda}` : ''}${aux}; the study's objective (per-sample FVU, unit decoder rows with the gradient projected, no pre-encoder bias)`;
  if (v === 'relu') return `ReLU, width ${c.sae.width}, L1 coefficient ${c.sae.lambda} (SAELens's L1 weighted by decoder norms)`;
  if (v === 'jumprelu')
    return `JumpReLU, width ${c.sae.width}, L0 coefficient ${c.sae.lambda} (SAELens's step mode), thresholds from ${c.sae.jumprelu?.initThreshold ?? 0.01}, straight-through bandwidth ${c.sae.jumprelu?.bandwidth ?? 0.05}`;
  const m = c.sae.matryoshka;
  const nested = m
    ? `, nested prefixes ${m.widths ? m.widths.join('/') : `of fractions ${m.group_fractions?.join('/')}`} weighted ${Array.isArray(m.weights) ? m.weights.join('/') : m.weights}`
    : '';
  return `${v}, width ${c.sae.width}, k = ${c.sae.k}${c.sae.lambda ? `, L1 ${c.sae.lambda}` : ''}${nested}${aux}${v.endsWith('batchtopk') ? '; evaluated with its EMA threshold (JumpReLU form, as SAELens saves it)' : ''}`;
}

/** summary.md of a wide run. */
export function wideSummary(r: WideResult): string {
  const f = r.final;
  const c = r.config;
  return [
    `# ${r.preset}: a wide SAE on ${c.data.composed ? "the study's composed sets" : 'SynthSAEBench-class data'}`,
    '',
    c.description,
    '',
    `- Data: ${c.data.features} features in d = ${c.d}; ${describeSynth(c.data)}; random unit dictionary${c.orthoSteps ? `, orthogonalised ${c.orthoSteps} steps` : ''}, bias norm ${c.biasNorm}.`,
    `- SAE: ${saeLine(c)}, seed ${c.seed}; ${r.steps} steps of ${c.train.batch} rows (${(r.steps * c.train.batch).toLocaleString('en-US')} samples), Adam lr ${c.train.lr}, cooldown ${c.train.cooldown}.`,
    `- Ran on ${r.adapter}, GEMM version ${r.gemm}, ${r.decode ?? 'dense'} decode: training ${r.timing.train_s.toFixed(1)} s (${r.timing.samples_per_s.toFixed(0)} samples/s), evaluation ${r.timing.eval_s.toFixed(1)} s.`,
    '',
    `Evaluated on ${f.rows.toLocaleString('en-US')} fresh rows (SAELens's synthetic-eval definitions):`,
    '',
    '| F1 | precision | recall | MCC | uniqueness | explained variance | L0 | dead latents | shrinkage |',
    '|---|---|---|---|---|---|---|---|---|',
    `| ${f.f1.toFixed(3)} | ${f.precision.toFixed(3)} | ${f.recall.toFixed(3)} | ${f.mcc.toFixed(3)} | ${f.uniqueness.toFixed(3)} | ${f.explained_variance.toFixed(3)} | ${f.l0.toFixed(2)} | ${f.dead} of ${c.sae.width} | ${f.shrinkage.toFixed(3)} |`,
    '',
    ...(f.coverage
      ? [
          `Covered by a live latent at cosine >= 0.95 (one latent per direction): ${(100 * f.coverage.true).toFixed(0)} % of the ${f.coverage.true_targets} true features, ${(100 * f.coverage.composed).toFixed(0)} % of the ${f.coverage.composed_targets} composed directions.`,
          '',
        ]
      : []),
    `One SAE and one seed: no interval. The training curve (explained variance and L0 of the training batches) is in results.json.`,
    '',
  ].join('\n');
}
