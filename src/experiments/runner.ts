// The study runner: train the toy model, then every SAE of the grid x realizations in one batched GPU
// job, evaluate them, analyse them on the host and return one result object per experiment.
// Data flows one way: config -> sampler -> toy model -> activations -> SAE sweep -> metrics -> results.
import { isSoftwareAdapter, type AdapterReport, type GpuContext } from '../gpu/context';
import { jointTable } from '../data/tables';
import { defaultConfig, detWidth, FLAG, MET, NOT_DIVERGED, saeLayout, toyLayout } from '../core/wire';
import { sampleData } from '../core/sampler';
import { rngU32, STREAM } from '../core/rng';
import {
  angleDeg,
  composedDirections,
  convergence,
  expectedL1TwoByTwo,
  featureDirections,
  featureLabel,
  figureRotation,
  latentsFiring,
  median,
  pickLowest,
  principalComponents,
  rotate2,
  type NearestVerdict,
  type SelectionRule,
  type Vec,
} from '../metrics/analysis';
import { analyseSae, toyValidity, VERDICTS, type Verdict } from '../metrics/recovery';
import { absorptionFromCounts, bestMatches, detectorFromCounts } from '../metrics/synth';
import { evaluateSaes, type EvalKernel } from '../train/evaluate';
import { annealedSpec } from '../jobs/experiment';
import { variantOf } from '../variants';
import { GpuSaeTrainer, type SaePath } from '../train/sae';
import { GpuToyTrainer, type ToyKernel } from '../train/toy';
import { randomDictionary } from '../data/dictionary';
import { chooseSaeKernel, chooseToyKernel, type KernelRequest } from '../train/choose';
import { JobCheckpoints, restoreJob, type CheckpointPolicy } from '../train/checkpoint';
import { parseExperiment, type ExperimentConfig } from '../config/schema';
import { checkGapShape, dataSetup, hiddenSamples, referencePlan, saeJobPlan, toyJob, type DataSetup, type SaeJobPlan } from '../jobs/experiment';
import { REFERENCE_BASES, type CellResult, type ExperimentResult, type ReferenceBasis, type ReferenceSae, type SaeResult } from '../results/schema';

export interface StageProgress {
  experiment: string;
  stage: 'toy' | 'sae' | 'eval' | 'ref';
  step: number;
  total: number;
  models: number;
  loss: number;
  diverged: number;
  /** at the training-curve evaluations: median over live SAEs of the batch-FVU selection loss on fresh samples */
  batch_loss?: number;
}

/** Evaluations on fresh samples during SAE training (for the batch-FVU curve): about this many, of CURVE_SAMPLES samples each. */
export const CURVE_EVALS = 50;
export const CURVE_SAMPLES = 1024;

export interface RunOptions {
  onProgress?: (p: StageProgress) => void;
  /** run only grid cells with index % count == index */
  shard?: { index: number; count: number };
  path?: SaePath;
  /** steps per fused dispatch */
  kSteps?: number;
  /** fused SAE kernel version: v1, v2 or auto (default: chosen per adapter, src/train/choose.ts) */
  kernel?: KernelRequest;
  /** toy-model kernel: modular, fused or auto (default auto) */
  toyKernel?: ToyKernel | 'auto';
  /** one-line notes for the run log (the kernel choices) */
  onNote?: (line: string) => void;
  /** awaited after every training chunk with the SAE job (live views read parameters; pause awaits; stop throws) */
  onSaeChunk?: (job: GpuSaeTrainer, models: { lr: number; l1: number; realization: number }[]) => Promise<void> | void;
  /** models per evaluation dispatch (default: as many as the adapter's limits allow; tests force groups) */
  evalModelsPerDispatch?: number;
  /** awaited after every toy-model training chunk (pause / stop) */
  onToyChunk?: () => Promise<void> | void;
  /** awaited after every chunk of the reference SAEs (optimality_gap; pause / stop) */
  onRefChunk?: () => Promise<void> | void;
  /** mid-training checkpoints of the toy and SAE stages (keys `<experiment>/toy`, `<experiment>/sae`): a stopped experiment resumes from the latest */
  checkpoint?: CheckpointPolicy;
}

/** What a checkpoint must match to be resumed: the experiment, the shard, the kernel that trains it and the adapter (bit-identical results). */
function fingerprint(ctx: GpuContext, c: ExperimentConfig, stage: string, describe: string, shard: RunOptions['shard']): string {
  const a = ctx.adapter;
  // the toy and SAE jobs do not depend on optimality_gap (the reference SAEs are a job of their own): left out, so
  // checkpoints written before the option existed still resume
  const config = stage === 'ref' ? c : { ...c, optimality_gap: undefined };
  return JSON.stringify({ v: 1, stage, config, shard: shard ?? null, kernel: describe, adapter: [a.vendor, a.architecture, a.device, a.description] });
}

/**
 * Fresh evaluation samples for this adapter: eval_samples_hardware on a hardware adapter when given, else
 * eval_samples (the full presets: 1,000,000 everywhere, since the CPU-shaped evaluation takes seconds on a
 * software adapter too).
 */
export function evalSamplesFor(c: ExperimentConfig, adapter: AdapterReport | null | undefined): number {
  return !isSoftwareAdapter(adapter) && c.eval_samples_hardware ? c.eval_samples_hardware : c.eval_samples;
}

/** Trained toy models by (data, toy config, seed): experiments that differ only in the SAE reuse one (deterministic anyway). */
const toyCache = new Map<string, { params: Float32Array; curve: { step: number[]; loss: number[] }; trainedBy: string }>();

/** Forget the toy models trained in this process (tests that must train one again). */
export function forgetToyModels(): void {
  toyCache.clear();
}

const seconds = () => performance.now() / 1000;

/** The batch-FVU selection loss from a model's evaluation metrics: batch FVU (1 - EV_h) + lambda mean sum|f|, lambda as the kernels hold it (f32). */
/** The batch-FVU rule's selection loss: 1 - EV(h) + lambda x the variant's penalty (L1: mean sum f; JumpReLU: mean L0). */
const batchSelectionLoss = (met: ArrayLike<number>, l1: number) => 1 - met[MET.EV_H] + Math.fround(l1) * met[MET.PEN];

type Report = (p: Omit<StageProgress, 'experiment'>) => void;

export interface ToyStage {
  params: Float32Array;
  curve: { step: number[]; loss: number[] };
  kernel: NonNullable<ExperimentResult['kernels']>['toy'];
  seconds: number;
}

/** Stage 1: the toy model (trained once per data/toy config/seed in this process). */
export async function trainToyStage(ctx: GpuContext, c: ExperimentConfig, data: DataSetup, opts: RunOptions, report: Report): Promise<ToyStage> {
  const t0 = seconds();
  if (c.toy.model === 'dictionary') {
    // no training: the toy model's W is a fixed random unit dictionary, b = 0 (so h = W^T x as in SAELens's synthetic models)
    const { N, D } = data.dims;
    const dict = randomDictionary(N, D, rngU32(c.seed, STREAM.toyInit, c.toy.seed, 1, 0), { orthoSteps: c.toy.ortho_steps, orthoLr: c.toy.ortho_lr });
    const params = new Float32Array(toyLayout(data.dims).P);
    dict.forEach((row, i) => params.set(row, i * D));
    const how = c.toy.ortho_steps ? `orthogonalised by ${c.toy.ortho_steps} Adam steps (lr ${c.toy.ortho_lr ?? 0.01})` : 'as drawn';
    opts.onNote?.(`[${c.name}] toy model: a fixed random unit dictionary of ${N} features in ${D} dims, ${how}; not trained`);
    return {
      params,
      curve: { step: [], loss: [] },
      kernel: { kernel: 'dictionary', why: `toy.model = dictionary: random unit directions, ${how}` },
      seconds: seconds() - t0,
    };
  }
  const toySpec = toyJob(c, data);
  const choice = await chooseToyKernel(ctx, toySpec, opts.toyKernel ?? 'auto');
  const key = JSON.stringify([c.data, c.toy, c.seed, c.log_every, ctx.adapter.description, choice.kernel]);
  const cached = toyCache.get(key);
  if (cached) {
    opts.onNote?.(`[${c.name}] toy model: the same data, toy config and seed as ${cached.trainedBy}'s, trained earlier in this run: reused`);
    return {
      params: cached.params,
      curve: cached.curve,
      kernel: { kernel: 'cached', why: `the same toy model was trained earlier in this process (${choice.kernel}, by ${cached.trainedBy})` },
      seconds: seconds() - t0,
    };
  }
  const toy = await GpuToyTrainer.create(ctx, toySpec, { kernel: choice.kernel });
  opts.onNote?.(`[${c.name}] toy model: ${toy.describe()} (${choice.why})`);
  const note = (l: string) => opts.onNote?.(`[${c.name}] toy model: ${l}`);
  const ck = opts.checkpoint ? new JobCheckpoints(opts.checkpoint, `${c.name}/toy`, fingerprint(ctx, c, 'toy', toy.describe(), undefined), note) : null;
  try {
    const saved = ck?.load();
    if (saved) {
      restoreJob(toy, saved);
      note(saved.step >= c.toy.steps ? 'trained before the stop: taken from its checkpoint' : `resuming from the checkpoint at step ${saved.step}`);
    }
    await toy.train(c.toy.steps - toy.step, {
      onProgress: (p) => report({ stage: 'toy', step: p.step, total: p.total, models: 1, loss: p.loss, diverged: p.diverged }),
      onChunk: async () => {
        if (toy.step < c.toy.steps && (await ck?.maybeSave(toy)) && ck!.saves === 1)
          note(
            `checkpoint at step ${toy.step} in ${ck!.policy.store.where(ck!.key)} (every ${ck!.policy.everySeconds} s; a stopped run resumes from the latest)`,
          );
        await opts.onToyChunk?.();
      },
    });
    if (ck && !(saved && saved.step >= c.toy.steps)) await ck.maybeSave(toy, undefined, true); // the trained toy model: a stop during the SAEs keeps it
    const params = await toy.readParams();
    const curve = toy.lossCurve(0);
    if ((await toy.readStatus())[0] !== NOT_DIVERGED) throw new Error(`experiment '${c.name}': the toy model diverged (NaN/Inf loss); lower toy.lr`);
    toyCache.set(key, { params, curve, trainedBy: c.name });
    return { params, curve, kernel: { kernel: choice.kernel, why: choice.why, measured: choice.measured }, seconds: seconds() - t0 };
  } finally {
    toy.destroy();
  }
}

export interface SaeStage {
  params: Float32Array;
  status: Uint32Array;
  /** p-annealing: each model's lambda at the end of training (rescaled at each step of p); absent otherwise */
  lambda?: Float32Array;
  curves: ExperimentResult['curves'];
  path: SaePath;
  kernel: NonNullable<ExperimentResult['kernels']>['sae'];
  seconds: number;
}

/**
 * Stage 3: train every SAE of the plan in one batched job, with the batch-FVU curve beside it. `kind` 'ref':
 * the reference SAEs of referencePlan (no curve, no live views, checkpoints under `<experiment>/ref`).
 */
export async function trainSaeStage(
  ctx: GpuContext,
  c: ExperimentConfig,
  plan: SaeJobPlan,
  opts: RunOptions,
  report: Report,
  kind: 'sae' | 'ref' = 'sae',
): Promise<SaeStage> {
  const t0 = seconds();
  const withCurve = kind === 'sae';
  const { spec, models } = plan;
  const { hyper } = spec;
  const M = models.length;
  const choice =
    opts.path === 'modular'
      ? { path: 'modular' as const, kernel: null, why: '--path modular forced' }
      : await chooseSaeKernel(ctx, spec, opts.kernel ?? 'auto');
  // --path fused with a version that does not fit still fails with the reason (as before)
  const job = await GpuSaeTrainer.create(ctx, spec, { path: opts.path ?? choice.path, kernel: choice.kernel ?? 'v1', kSteps: opts.kSteps });
  const kernel: SaeStage['kernel'] = {
    path: job.path,
    kernel: job.path === 'fused' ? job.kernel : null,
    threads: job.path === 'fused' ? job.threads : null,
    describe: job.describe(),
    why: choice.why,
    ...('measured' in choice && choice.measured ? { measured: choice.measured } : {}),
    ...('skipped' in choice && choice.skipped && Object.keys(choice.skipped).length ? { skipped: choice.skipped } : {}),
  };
  const what = kind === 'sae' ? 'SAEs' : 'reference SAEs (fixed decoders)';
  opts.onNote?.(`[${c.name}] ${what}: ${job.describe()} (${choice.why})`);
  // the batch-FVU curve: the current parameters evaluated on fresh samples every `evalEvery` steps (own
  // buffers and seeds: training is unchanged); the per-step history holds only the study's loss terms
  const evalCurve = { step: [] as number[], batch: models.map(() => [] as number[]), per_sample: models.map(() => [] as number[]) };
  const evalEvery = Math.max(1, Math.ceil(c.sae.steps / CURVE_EVALS));
  let nextEval = 0;
  const L = saeLayout(spec.dims);
  const curvePoint = async (p: Float32Array, step: number) => {
    // p-annealing: the objective of that step (its exponent and lambda)
    const at = spec.cfg.pa_n ? annealedSpec(spec, step, await job.readLambda()) : spec;
    const r = await evaluateSaes(ctx, at, p, Math.min(CURVE_SAMPLES, c.eval_samples), (0x0c0e0000 + evalCurve.step.length) >>> 0, {
      modelsPerDispatch: opts.evalModelsPerDispatch,
    });
    evalCurve.step.push(step);
    const live: number[] = [];
    for (let m = 0; m < M; m++) {
      const met = r.metrics.subarray(m * L.MET_W, (m + 1) * L.MET_W);
      const b = batchSelectionLoss(met, at.hyper[m].l1);
      evalCurve.batch[m].push(b);
      evalCurve.per_sample[m].push(met[MET.SEL]);
      if (Number.isFinite(b)) live.push(b);
    }
    report({ stage: 'sae', step, total: c.sae.steps, models: M, loss: NaN, diverged: 0, batch_loss: live.length ? median(live) : NaN });
    nextEval = step + evalEvery;
  };
  if (!withCurve) nextEval = Infinity;
  const note = (l: string) => opts.onNote?.(`[${c.name}] ${what}: ${l}`);
  const ck = opts.checkpoint ? new JobCheckpoints(opts.checkpoint, `${c.name}/${kind}`, fingerprint(ctx, c, kind, job.describe(), opts.shard), note) : null;
  // the checkpoint keeps the curve beside the job's state: [M][points] per curve, flattened
  const curveState = () => ({
    meta: { evalSteps: evalCurve.step, nextEval },
    arrays: { eval_batch: Float64Array.from(evalCurve.batch.flat()), eval_per_sample: Float64Array.from(evalCurve.per_sample.flat()) },
  });
  try {
    const modelInfo = models.map((m, i) => ({ lr: hyper[i].lr, l1: hyper[i].l1, realization: m.r }));
    const saved = ck?.load();
    if (saved) {
      restoreJob(job, saved);
      const meta = saved.meta as { evalSteps: number[]; nextEval: number };
      const k = meta.evalSteps.length;
      evalCurve.step.push(...meta.evalSteps);
      for (let m = 0; m < M; m++) {
        evalCurve.batch[m].push(...saved.arrays.eval_batch.subarray(m * k, (m + 1) * k));
        evalCurve.per_sample[m].push(...saved.arrays.eval_per_sample.subarray(m * k, (m + 1) * k));
      }
      nextEval = withCurve ? meta.nextEval : Infinity;
      note(`resuming from the checkpoint at step ${saved.step} of ${c.sae.steps}`);
    } else if (withCurve) await curvePoint(spec.saeParams, 0);
    // train up to each curve evaluation exactly (its steps then depend on neither the chunk sizes nor a stop)
    while (job.step < c.sae.steps) {
      const target = Math.min(c.sae.steps, nextEval);
      await job.train(target - job.step, {
        onProgress: (p) => report({ stage: kind, step: p.step, total: p.total, models: M, loss: p.loss, diverged: p.diverged }),
        onChunk: async () => {
          if (withCurve && job.step >= target) await curvePoint(await job.readParams(), job.step);
          if (job.step < c.sae.steps && (await ck?.maybeSave(job, curveState)) && ck!.saves === 1)
            note(
              `checkpoint at step ${job.step} in ${ck!.policy.store.where(ck!.key)} (every ${ck!.policy.everySeconds} s; a stopped run resumes from the latest)`,
            );
          if (withCurve && opts.onSaeChunk) await opts.onSaeChunk(job, modelInfo);
          if (!withCurve) await opts.onRefChunk?.();
        },
      });
    }
    // the trained SAEs, when reference SAEs train after them: a stop during those keeps this stage's work
    if (ck && kind === 'sae' && c.optimality_gap && !(saved && saved.step >= c.sae.steps)) await ck.maybeSave(job, curveState, true);
    const params = await job.readParams();
    const status = await job.readStatus();
    const lambda = spec.cfg.pa_n ? await job.readLambda() : undefined;
    const curves = {
      step: job.history.map((r) => r.step),
      total: models.map((_, m) => job.history.map((r) => r.values[m * L.HIST_W])),
      ...(withCurve ? { eval: evalCurve } : {}),
    };
    return { params, status, ...(lambda ? { lambda } : {}), curves, path: job.path, kernel, seconds: seconds() - t0 };
  } finally {
    job.destroy();
  }
}

export interface EvalStage {
  metrics: Float32Array;
  probe: Float32Array;
  /** the detector counts per model (kernels/sae_eval/detect.wgsl), null where its kernel does not fit the SAEs */
  detect: Float32Array | null;
  kernel: EvalKernel;
  samples: number;
  seconds: number;
}

/** Stage 4: the trained SAEs on fresh samples and the one-hot probes. */
export async function evaluateStage(
  ctx: GpuContext,
  c: ExperimentConfig,
  plan: SaeJobPlan,
  params: Float32Array,
  opts: RunOptions,
  report: Report,
): Promise<EvalStage> {
  const t0 = seconds();
  report({ stage: 'eval', step: 0, total: 1, models: plan.models.length, loss: NaN, diverged: 0 });
  const samples = evalSamplesFor(c, ctx.adapter);
  const ev = await evaluateSaes(ctx, plan.spec, params, samples, EVAL_SALT, { modelsPerDispatch: opts.evalModelsPerDispatch });
  return { ...ev, samples, seconds: seconds() - t0 };
}

/** Mixed into each SAE's data seed for its evaluation samples (the same for the reference SAEs: the same samples). */
const EVAL_SALT = 0x5eed0e7a;

export interface ReferenceStage {
  /** per cell of the plan, in its order */
  cells: Record<ReferenceBasis, ReferenceSae>[];
  kernel: SaeStage['kernel'];
  seconds: number;
}

/** Stage 4b (config.optimality_gap): train the reference SAEs at the cells' budget and evaluate them on the cells' samples. */
export async function referenceStage(
  ctx: GpuContext,
  c: ExperimentConfig,
  data: DataSetup,
  plan: SaeJobPlan,
  toyParams: Float32Array,
  opts: RunOptions,
  report: Report,
): Promise<ReferenceStage> {
  const t0 = seconds();
  const ref = referencePlan(c, data, plan, toyParams);
  const sae = await trainSaeStage(ctx, c, ref, opts, report, 'ref');
  const ev = await evaluateSaes(ctx, ref.spec, sae.params, evalSamplesFor(c, ctx.adapter), EVAL_SALT, { modelsPerDispatch: opts.evalModelsPerDispatch });
  const L = saeLayout(data.dims);
  const cells = ref.cells.map((_, ci) => {
    const one = (m: number): ReferenceSae => {
      const met = ev.metrics.subarray(m * L.MET_W, (m + 1) * L.MET_W);
      const live = sae.status[m] === NOT_DIVERGED;
      return {
        final_loss: met[MET.SEL],
        final_loss_batch: batchSelectionLoss(met, ref.spec.hyper[m].l1),
        per_sample_fvu: met[MET.FVU],
        l1_term: met[MET.L1],
        l0: met[MET.L0],
        dead: met[MET.DEAD_BATCH],
        diverged: live ? null : sae.status[m],
        converged: live ? convergence(sae.curves.step, sae.curves.total[m], c.sae.steps).converged : false,
      };
    };
    return Object.fromEntries(REFERENCE_BASES.map((b, r) => [b, one(ci * REFERENCE_BASES.length + r)])) as Record<ReferenceBasis, ReferenceSae>;
  });
  return { cells, kernel: sae.kernel, seconds: seconds() - t0 };
}

export type Analysis = Pick<ExperimentResult, 'toy' | 'composed' | 'saes' | 'cells' | 'pca' | 'expected_l1'>;

/** Stage 5 (host): directions, verdicts, selections, PCA and the expected-L1 comparison. */
export function analyseStage(
  c: ExperimentConfig,
  data: DataSetup,
  toy: ToyStage,
  plan: SaeJobPlan,
  sae: SaeStage,
  ev: EvalStage,
  ref?: ReferenceStage,
): Analysis {
  const { dims, tables, tableLen, ds } = data;
  const { N, D, S } = dims;
  const { params, status, curves } = sae;
  const { hyper } = plan.spec;
  const L = saeLayout(dims),
    TL = toyLayout(dims);
  const features = featureDirections(toy.params, N, D);
  const composed = composedDirections(features, c.data.sets, jointTable(ds));
  const theta = D === 2 ? figureRotation(features) : 0;
  const labels = features.map((_, i) => featureLabel(i, c.data.sets));
  const validity = toyValidity(features, c.data.sets, composed);
  const hs = hiddenSamples(c, data, toy.params, rngU32(c.seed, STREAM.evalData, 0, 0, 0), 10000);
  const pcs = principalComponents(hs, 10000, D);
  // the figure plane: the hidden plane itself (d = 2, rotated so x1 is on +x) or the top-2 principal components of h
  const [e1, e2] = pcs.second_moment.vectors;
  const toPlane = (v: Vec): Vec => (D === 2 ? rotate2(v, theta) : [v.reduce((s, x, j) => s + x * e1[j], 0), v.reduce((s, x, j) => s + x * (e2?.[j] ?? 0), 0)]);
  const jobCfg = plan.spec.cfg;
  const firesOnData =
    c.sae.variant === 'topk'
      ? (p: Float32Array) =>
          latentsFiring(
            {
              W: p.subarray(L.WE, L.WE + S * D),
              b: p.subarray(L.BE, L.BE + S),
              bDec: p.subarray(L.BD, L.BD + D),
              preBias: (jobCfg.flags & FLAG.PRE_BIAS) !== 0,
            },
            S,
            D,
            hs,
            hs.length / D,
            (pre) => variantOf(jobCfg).twin.activation(jobCfg, pre, [], 0),
          )
      : null;
  const DW = detWidth({ N, S });
  // a hierarchy's children per parent (feature indices: parents first, then set 1's children)
  const h = c.data.hierarchy;
  const kids = h ? Array.from({ length: c.data.sets[0] }, (_, p) => Array.from({ length: h.children }, (_, j) => c.data.sets[0] + p * h.children + j)) : null;
  // satisfies, not a type annotation: the fields old results may lack are all present here
  const saes = plan.models.map((mdl, m) => {
    const p = params.subarray(m * L.P, (m + 1) * L.P);
    const decoder: Vec[] = Array.from({ length: S }, (_, k) => Array.from(p.subarray(L.WD + k * D, L.WD + (k + 1) * D)));
    const met = ev.metrics.subarray(m * L.MET_W, (m + 1) * L.MET_W);
    // alive: fires on some one-hot probe; TopK latents also when they fire on the data's samples (latentsFiring: a
    // latent on a composed direction can win the top k on composed samples and on no single-feature probe)
    const onData = firesOnData ? firesOnData(p) : null;
    const alive = decoder.map((_, k) => Array.from({ length: N }, (_, i) => ev.probe[(m * N + i) * S + k]).some((a) => a > 1e-6) || (onData?.[k] ?? false));
    const a = analyseSae(decoder, alive, features, composed, c.data.sets);
    const lastTotal = curves.total[m][curves.total[m].length - 1];
    const conv = convergence(curves.step, curves.total[m], c.sae.steps);
    const batchFvu = 1 - met[MET.EV_H];
    return {
      index: m,
      cell: mdl.cell,
      lr: hyper[m].lr,
      l1: hyper[m].l1,
      realization: mdl.r,
      seed: mdl.seed,
      final_loss: met[MET.SEL],
      final_loss_batch: batchSelectionLoss(met, sae.lambda?.[m] ?? hyper[m].l1),
      per_sample_fvu: met[MET.FVU],
      batch_fvu: batchFvu,
      l1_term: met[MET.L1],
      train_loss: lastTotal ?? NaN,
      converged: status[m] === NOT_DIVERGED ? conv.converged : false,
      late_drop: conv.drop,
      monosemanticity: met[MET.MONO],
      l0: met[MET.L0],
      dead: met[MET.DEAD_BATCH],
      dead_probe: met[MET.DEAD_PROBE],
      ev_h: met[MET.EV_H],
      ev_out: met[MET.EV_OUT],
      decoder,
      angles_deg: decoder.map((w) => angleDeg(toPlane(w))),
      latents: a.latents,
      verdict: a.verdict,
      verdict_nearest: a.verdict_nearest,
      verdict_flagged: !validity.valid,
      recovery: a.recovery,
      mmcs: a.mmcs,
      recovered: a.recovered,
      collapsed_pairs: a.collapsed_pairs,
      composed_fraction: a.composed_fraction,
      synth: a.synth,
      ...(ev.detect ? { detector: detectorFromCounts(bestMatches(decoder, features), ev.detect.subarray(m * DW, (m + 1) * DW), N, ev.samples) } : {}),
      ...(ev.detect && kids ? { absorption: absorptionFromCounts(decoder, features, kids, ev.detect.subarray(m * DW, (m + 1) * DW)) } : {}),
      dead_fraction: met[MET.DEAD_BATCH] / S,
      diverged: status[m] === NOT_DIVERGED ? null : status[m],
    } satisfies SaeResult;
  });
  const cells: CellResult[] = plan.cells.map((cell, ci) => {
    const idx = saes.filter((s) => s.cell[0] === cell[0] && s.cell[1] === cell[1]).map((s) => s.index);
    const diverged = (i: number) => saes[i].diverged !== null;
    const verdicts = Object.fromEntries(VERDICTS.map((v) => [v, 0])) as Record<Verdict, number>;
    idx.forEach((i) => verdicts[saes[i].verdict]++);
    const verdictsNearest: Record<NearestVerdict, number> = { true: 0, composed: 0, mixed: 0, dead: 0 };
    idx.forEach((i) => verdictsNearest[saes[i].verdict_nearest]++);
    const lowestBy: Record<SelectionRule, number> = {
      per_sample_fvu: pickLowest(
        idx,
        saes.map((s) => s.final_loss),
        diverged,
      ),
      batch_fvu: pickLowest(
        idx,
        saes.map((s) => s.final_loss_batch),
        diverged,
      ),
    };
    const known = idx.filter((i) => saes[i].converged !== null);
    return {
      cell,
      lr: c.grid.lr[cell[0]],
      l1: c.grid.l1[cell[1]],
      models: idx,
      lowest_loss: lowestBy[c.selection],
      lowest_by: lowestBy,
      most_monosemantic: pickLowest(
        idx,
        saes.map((s) => -s.monosemanticity),
        diverged,
      ),
      verdicts,
      verdicts_nearest: verdictsNearest,
      converged: known.length ? known.filter((i) => saes[i].converged).length * 2 >= known.length : null,
      ...(ref ? { reference: ref.cells[ci] } : {}),
    };
  });
  let expectedL1 = null;
  if (c.data.sets.length === 2 && c.data.sets[0] === 2 && c.data.sets[1] === 2) {
    const cfgX = defaultConfig({ M: 1, B: 100000, table_len: tableLen, rho: c.data.rho, p_onehot: c.data.p_onehot, p_set_empty: c.data.p_set_empty });
    expectedL1 = expectedL1TwoByTwo(
      sampleData(cfgX, [{ lr: 1, l1: 0, cos: 0, seed: rngU32(c.seed, STREAM.evalData, 1, 0, 0) }], 0, c.data.sets, tables),
      100000,
    );
  }
  const pair = (a: number, b: number) =>
    features[a].reduce((s, v, j) => s + v * features[b][j], 0) / Math.max(1e-12, Math.hypot(...features[a]) * Math.hypot(...features[b]));
  const pairCos: Record<string, number> = {};
  for (let a = 0; a < N; a++) for (let b = 0; b < a; b++) pairCos[`${labels[b]}-${labels[a]}`] = pair(a, b);
  const ev0 = pcs.second_moment.values;
  return {
    toy: {
      W: features,
      b: Array.from(toy.params.subarray(TL.B, TL.P)),
      final_loss: toy.curve.loss[toy.curve.loss.length - 1] ?? NaN,
      rotation_deg: (theta * 180) / Math.PI,
      projection: D === 2 ? 'exact-2d' : 'top-2-pcs',
      features_rotated: features.map(toPlane),
      labels,
      pair_cosines: pairCos,
      validity,
      loss_curve: toy.curve,
    },
    composed: composed.map((x) => ({ label: x.label, dir_rotated: toPlane(x.dir) })),
    saes,
    cells,
    pca: {
      second_moment_eigenvalues: ev0,
      covariance_eigenvalues: pcs.covariance.values,
      second_moment_axes_deg: D === 2 ? pcs.second_moment.vectors.map((v) => angleDeg(rotate2(v, theta))) : [],
      eigenvalue_ratio: ev0[ev0.length - 1] > 0 ? ev0[0] / ev0[ev0.length - 1] : Infinity,
    },
    expected_l1: expectedL1,
  };
}

/** One experiment: toy model -> SAE job -> train -> evaluate -> (reference SAEs) -> analyse -> result (each stage above is usable on its own). */
export async function runExperiment(ctx: GpuContext, c: ExperimentConfig, opts: RunOptions = {}): Promise<ExperimentResult> {
  parseExperiment(c, ctx.device.limits); // shapes against this adapter's limits, before any GPU work
  const report: Report = (p) => opts.onProgress?.({ experiment: c.name, ...p });
  const data = dataSetup(c);
  checkGapShape(c, data); // before any training: a reference SAE must have one row per direction
  const toy = await trainToyStage(ctx, c, data, opts, report);
  const t0 = seconds();
  const plan = saeJobPlan(c, data, toy.params, opts.shard);
  const sae = await trainSaeStage(ctx, c, plan, opts, report);
  const saeS = seconds() - t0; // the plan (b_dec init) counts to the SAE stage, as before
  // p-annealing: evaluated with the last exponent and lambda (the variant's own objective at the end)
  const ev = await evaluateStage(ctx, c, sae.lambda ? { ...plan, spec: annealedSpec(plan.spec, c.sae.steps, sae.lambda) } : plan, sae.params, opts, report);
  const ref = c.optimality_gap ? await referenceStage(ctx, c, data, plan, toy.params, opts, report) : undefined;
  const t1 = seconds();
  const analysis = analyseStage(c, data, toy, plan, sae, ev, ref);
  return {
    name: c.name,
    description: c.description,
    config: c,
    shard: opts.shard ?? null,
    ...analysis,
    curves: sae.curves,
    evaluation: { samples: ev.samples, selection: c.selection, software_adapter: isSoftwareAdapter(ctx.adapter) },
    sae_path: sae.path,
    kernels: { toy: toy.kernel, sae: sae.kernel, eval: ev.kernel, ...(ref ? { reference: ref.kernel } : {}) },
    timing: { toy_s: toy.seconds, sae_s: saeS, eval_s: ev.seconds, analysis_s: seconds() - t1, ...(ref ? { ref_s: ref.seconds } : {}) },
    weights: { toy: toy.params, saes: sae.params },
  };
}
