// A wide SAE on a researcher's own activations (`npm start -- wide --activations FILE`): rows streamed from a .npy
// or .safetensors file through a seeded shuffle buffer (src/io/activations.ts: never the whole file in memory), the
// last rows held out for evaluation. Before anything trains or is written, the whole file is scanned once: a NaN
// or infinite row is a named error, and the mean norm gives SAELens's expected_average_only_in scaling
// (x sqrt(d) / E|x|) when asked. The engine is the wide one for every shape: the per-model engine trains grids of
// small SAEs on data it draws itself, not on rows from a file. The trained SAE is written in SAELens's layout
// with the scaling folded in, so it reads raw activations (toSaeLens; BatchTopK as JumpReLU with its EMA
// threshold, as SAELens saves it).
import type { GpuContext } from '../gpu/context';
import { isSoftwareAdapter } from '../gpu/context';
import { defaultConfig, scheduleSteps } from '../core/wire';
import { type ActivationsFile, ActivationsError, ShuffleBuffer, scanActivations } from '../io/activations';
import { WideSaeTrainer } from '../train/wide';
import type { WideDecode } from '../kernels/wide';
import { batchCurvePoint, ReconstructionMetrics } from '../metrics/wide';
import { checkWideLimits, type WidePreset, wideInit, wideMode } from './wide';
import { saeVariant } from '../variants';
import type { KitSae, KitVariant } from '../io/saelens';

export interface ActivationsConfig {
  sae: WidePreset['sae'];
  train: WidePreset['train'];
  /** rows at the end of the file held out for evaluation */
  evalRows: number;
  /** SAELens's normalize_activations: none, or expected_average_only_in (x sqrt(d) / E|x| over the training rows) */
  normalize: 'none' | 'expected_average_only_in';
  /** rows the shuffle buffer holds */
  buffer: number;
  seed: number;
}

export interface ActivationsResult {
  kind: 'activations';
  file: { path: string; rows: number; d: number; dtype: string };
  config: ActivationsConfig;
  /** the factor applied to every row (1 without normalisation) and the training rows' mean norm */
  scale: number;
  meanNorm: number;
  adapter: string;
  gemm: string;
  /** the decoder's products (the trainer's default for the adapter: wideDecodeFor) */
  decode: WideDecode;
  steps: number;
  epochs: number;
  timing: { scan_s: number; train_s: number; eval_s: number; samples_per_s: number };
  curve: { step: number; explained_variance: number; l0: number }[];
  /** on the held-out rows, in the scaled space the SAE was trained in */
  final: { rows: number; explained_variance: number; l0: number; dead: number; shrinkage: number };
  training: { dead: number; threshold: number };
}

/** The config's problems before any work: the held-out rows must leave rows to train on. */
export function checkActivationsConfig(f: ActivationsFile, c: ActivationsConfig): void {
  if (!(Number.isInteger(c.evalRows) && c.evalRows >= 1 && c.evalRows <= f.rows / 2))
    throw new ActivationsError(`${f.path}: --eval-rows ${c.evalRows} must be an integer from 1 to half the file's ${f.rows} rows`);
  if (!(Number.isInteger(c.buffer) && c.buffer >= c.train.batch))
    throw new ActivationsError(`the shuffle buffer (${c.buffer} rows) must hold at least one batch (${c.train.batch})`);
}

/** What a user may set; everything else takes the defaults below. */
export interface ActivationsOptions {
  variant: string;
  k?: number;
  lambda?: number;
  width?: number;
  batch?: number;
  samples?: number;
  evalRows?: number;
  lr?: number;
  seed: number;
  normalize: ActivationsConfig['normalize'];
  buffer?: number;
}

/**
 * A run's config from the user's options and the file's shape (the CLI's flags and the browser page's form):
 * width 4 d, k = min(32, width / 8) for the TopK family, SAELens's lr 3e-4 without warmup, one epoch of the training
 * rows, a tenth of the rows (at most 100,000) held out. The L1 and JumpReLU variants need their lambda.
 */
export function activationsConfig(f: Pick<ActivationsFile, 'rows' | 'd'>, o: ActivationsOptions): ActivationsConfig {
  const rec = saeVariant(o.variant).wide;
  if (!rec) throw new ActivationsError(`variant ${o.variant} does not run on the wide engine yet`);
  const width = o.width ?? 4 * f.d;
  const evalRows = o.evalRows ?? Math.max(1, Math.min(100_000, Math.floor(f.rows / 10)));
  const trainRows = f.rows - evalRows;
  const batch = o.batch ?? Math.min(1024, Math.max(1, trainRows));
  const topkFamily = saeVariant(o.variant).needsK;
  if (!topkFamily && o.lambda === undefined)
    throw new ActivationsError(
      `variant ${o.variant} on activations needs lambda, its ${rec.select === 'jumprelu' ? 'L0' : 'L1'} coefficient (--lambda; the page's lambda field)`,
    );
  return {
    sae: {
      variant: o.variant,
      width,
      lambda: o.lambda ?? 0,
      k: topkFamily ? (o.k ?? Math.max(1, Math.min(32, Math.floor(width / 8)))) : undefined,
      auxk: rec.auxk ? { coef: 1, window: 1000 } : undefined,
    },
    // SAELens's defaults: lr 3e-4, no warmup; one epoch of the training rows unless samples is given
    train: { samples: o.samples ?? Math.max(batch, trainRows), batch, lr: o.lr ?? 3e-4, warmup: 0, cooldown: 0.2 },
    evalRows,
    normalize: o.normalize,
    buffer: o.buffer ?? Math.min(trainRows, Math.max(batch, 65536)),
    seed: o.seed,
  };
}

/** The preset-shaped view of a config (wideMode, wideInit read it). */
const asPreset = (d: number, c: ActivationsConfig) => ({ d, sae: c.sae, seed: c.seed }) as WidePreset;

export async function runActivations(
  ctx: GpuContext,
  f: ActivationsFile,
  c: ActivationsConfig,
  opts: { gemm?: string; onProgress?: (line: string) => void; logPoints?: number; scan?: { meanNorm: number; scale: number; seconds: number } } = {},
): Promise<{ result: ActivationsResult; sae: () => KitSae }> {
  checkActivationsConfig(f, c);
  const d = f.d,
    s = c.sae.width,
    B = c.train.batch;
  const trainRows = f.rows - c.evalRows;
  // the same binding checks as the synthetic presets (no synthetic rows, no dictionary here)
  checkWideLimits({ ...asPreset(d, c), name: `on ${f.path}`, train: c.train, data: { features: 0 } as WidePreset['data'], orthoSteps: 0 }, ctx.device.limits);
  const t0 = performance.now();
  const scan = opts.scan ?? { ...scanActivations(f, { normRows: trainRows }), seconds: 0 };
  const scanS = opts.scan?.seconds ?? (performance.now() - t0) / 1000;
  const scale = c.normalize === 'expected_average_only_in' ? scan.scale : 1;
  const p = asPreset(d, c);
  const mode = wideMode(p);
  const gemm = opts.gemm ?? (isSoftwareAdapter(ctx.adapter) ? 'lanes' : 'blocked');
  const steps = Math.ceil(c.train.samples / B);
  const cfg = defaultConfig({ ...scheduleSteps(steps, c.train.warmup, c.train.cooldown), beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0 });
  const tr = await WideSaeTrainer.create(ctx, { shape: { B, d, s }, lambda: c.sae.lambda, lr: c.train.lr, cfg, gemm, init: wideInit(p), mode });
  try {
    const buffer = new ShuffleBuffer(f, 0, trainRows, c.buffer, c.seed);
    const scaled = (x: Float32Array) => (scale === 1 ? x : x.map((v) => v * scale));
    const every = Math.max(1, Math.floor(steps / (opts.logPoints ?? 20)));
    const curve: ActivationsResult['curve'] = [];
    const t1 = performance.now();
    for (let t = 0; t < steps; t++) {
      const x = scaled(buffer.batch(B));
      await tr.step(x);
      if (t % every === 0 || t === steps - 1) {
        const pt = batchCurvePoint(await tr.rows(), x, B, d);
        curve.push({ step: t, ...pt });
        const el = (performance.now() - t1) / 1000;
        opts.onProgress?.(
          `[activations] step ${t + 1}/${steps} explained variance ${pt.explained_variance.toFixed(3)} L0 ${pt.l0.toFixed(1)} (training batch) epoch ${buffer.epoch} ${((B * (t + 1)) / el).toFixed(0)} samples/s ETA ${((el / (t + 1)) * (steps - t - 1)).toFixed(0)} s`,
        );
      }
    }
    const train = (performance.now() - t1) / 1000;
    // the held-out tail, B rows at a time (the last batch padded with zeros, which the metrics skip)
    const t2 = performance.now();
    const m = new ReconstructionMetrics(d, s);
    for (let start = trainRows; start < f.rows; start += B) {
      const n = Math.min(B, f.rows - start);
      const x = new Float32Array(B * d);
      x.set(scaled(f.read(start, n)));
      const r = await tr.evaluate(x);
      m.add(x.subarray(0, n * d), r.e.subarray(0, n * d), r.f.subarray(0, n * s));
    }
    const st = await tr.trainState();
    const params = await tr.params();
    const window = c.sae.auxk?.window ?? 1000;
    const result: ActivationsResult = {
      kind: 'activations',
      file: { path: f.path, rows: f.rows, d, dtype: f.dtype },
      config: c,
      scale,
      meanNorm: scan.meanNorm,
      adapter: ctx.adapter.description || [ctx.adapter.vendor, ctx.adapter.architecture].filter(Boolean).join(' '),
      gemm,
      decode: tr.decode,
      steps,
      epochs: (steps * B) / trainRows,
      timing: { scan_s: scanS, train_s: train, eval_s: (performance.now() - t2) / 1000, samples_per_s: (steps * B) / train },
      curve,
      final: m.result(),
      training: { dead: st.since.filter((n) => n > window).length, threshold: st.threshold },
    };
    return { result, sae: () => wideKitSae(params, c.sae, d, st.threshold, scale) };
  } finally {
    tr.destroy();
  }
}

/**
 * A trained wide SAE as the kit's SAELens form, the input scaling folded in (SAELens's
 * fold_activation_norm_scaling_factor: W_enc x scale, W_dec / scale, b_dec / scale), so it reads raw activations.
 * Thresholds stay as trained: on raw x the folded encoder gives the scaled pre-activations,
 * (x - b_dec / c)(c W_enc) + b_enc = (c x - b_dec) W_enc + b_enc. Matryoshka runs as its base; BatchTopK as JumpReLU
 * with its EMA threshold, which must be > 0 (an SAE trained too briefly to move it is a named error).
 */
export function wideKitSae(
  p: { w_enc: Float32Array; b_enc: Float32Array; w_dec: Float32Array; b_dec: Float32Array; log_threshold?: Float32Array },
  sae: WidePreset['sae'],
  d: number,
  threshold: number,
  scale: number,
): KitSae {
  const v = saeVariant(sae.variant);
  const base = v.wide!.select;
  if (base === 'batchtopk' && !(threshold > 0))
    throw new Error(
      `the ${sae.variant} SAE's inference threshold is ${threshold} (its EMA never moved: train longer); SAELens's JumpReLU form needs a threshold > 0`,
    );
  const variant: KitVariant = base === 'batchtopk' ? 'jumprelu' : base;
  const s = sae.width;
  return {
    variant,
    d,
    s,
    k: base === 'topk' ? (sae.k ?? null) : null,
    preEncoderBias: true,
    W_enc: p.w_enc.map((x) => x * scale),
    b_enc: p.b_enc.slice(),
    W_dec: p.w_dec.map((x) => x / scale),
    b_dec: p.b_dec.map((x) => x / scale),
    log_threshold: base === 'jumprelu' && p.log_threshold ? p.log_threshold.slice() : new Float32Array(s).fill(base === 'batchtopk' ? Math.log(threshold) : 0),
    ...(variant !== sae.variant ? { trainedAs: sae.variant } : {}),
    provenance: null,
  };
}

/** summary.md of a run on activations. */
export function activationsSummary(r: ActivationsResult): string {
  const f = r.final;
  const c = r.config;
  return [
    `# A wide SAE on ${r.file.path}`,
    '',
    `- Data: ${r.file.rows.toLocaleString('en-US')} rows of d = ${r.file.d} (${r.file.dtype}); the last ${c.evalRows.toLocaleString('en-US')} held out for evaluation; ${c.normalize === 'none' ? 'no normalisation' : `scaled by ${r.scale.toPrecision(5)} = sqrt(d) / mean norm ${r.meanNorm.toPrecision(5)} (SAELens expected_average_only_in)`}; shuffle buffer of ${c.buffer.toLocaleString('en-US')} rows, seed ${c.seed}.`,
    `- SAE: ${c.sae.variant}, width ${c.sae.width}${c.sae.k ? `, k = ${c.sae.k}` : ''}${c.sae.lambda ? `, L1 coefficient ${c.sae.lambda}` : ''}${c.sae.auxk ? `, AuxK (coefficient ${c.sae.auxk.coef}, dead after ${c.sae.auxk.window} steps)` : ''}; ${r.steps} steps of ${c.train.batch} rows (${r.epochs.toFixed(2)} epochs of the training rows), Adam lr ${c.train.lr}.`,
    `- Ran on ${r.adapter}, GEMM version ${r.gemm}, ${r.decode ?? 'dense'} decode: scan ${r.timing.scan_s.toFixed(1)} s, training ${r.timing.train_s.toFixed(1)} s (${r.timing.samples_per_s.toFixed(0)} samples/s), evaluation ${r.timing.eval_s.toFixed(1)} s.`,
    '',
    `On the ${f.rows.toLocaleString('en-US')} held-out rows (in the space the SAE trained in):`,
    '',
    '| explained variance | L0 | dead latents | shrinkage |',
    '|---|---|---|---|',
    `| ${f.explained_variance.toFixed(3)} | ${f.l0.toFixed(2)} | ${f.dead} of ${c.sae.width} | ${f.shrinkage.toFixed(3)} |`,
    '',
    'The SAE is in sae/ in SAELens\'s layout (cfg.json, sae_weights.safetensors), the scaling folded in: `SAE.load_from_disk("sae")`.',
    '',
  ].join('\n');
}
