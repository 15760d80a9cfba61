// Config -> training job, pure (no GPU): the experiment's data set-up, its toy-model job, its SAE job of grid
// cells x realizations and the reference SAEs of the optimality gap. The runner trains what these build;
// tests and tools can build the same jobs without a device.
import type { ExperimentConfig } from '../config/schema';
import type { SaeJobSpec, ToyJobSpec } from '../core/job';
import { rngU32, STREAM } from '../core/rng';
import { defaultConfig, FLAG, paExponents, saeLayout, scheduleSteps, toyLayout, type GpuConfig, type Hyper, type RecGroups } from '../core/wire';
import { latentParamsOf, saeDimsOf, saeFlags, saeVariant, saeVariantWire } from '../variants';
import { jointTable, samplerTables, type DataSpec } from '../data/tables';
import { composedDirections, featureDirections, unit, type Vec } from '../metrics/analysis';
import { geometricMedian, initSae, initToy, sampleActivations } from '../models/init';
import { REFERENCE_BASES, type ReferenceBasis } from '../results/schema';

export function dataSpec(c: ExperimentConfig): DataSpec {
  return {
    sets: c.data.sets,
    joint: c.data.joint,
    setProbs: c.data.set_probs,
    rho: c.data.rho,
    pOnehot: c.data.p_onehot,
    onehotProbs: c.data.onehot_probs,
    boost: c.data.boost,
    zipfAlpha: c.data.zipf_alpha,
    hierarchy: c.data.hierarchy,
  };
}

/** Model seed from (experiment seed, grid cell, realization): independent of sharding and M. */
export function saeSeed(c: ExperimentConfig, iLr: number, iL1: number, r: number): number {
  return rngU32(c.seed, STREAM.saeInit, iLr, iL1, r);
}

/** What every stage needs to know of the data: the sampler tables and the model dims. */
export interface DataSetup {
  ds: DataSpec;
  tables: Float32Array;
  tableLen: number;
  dims: { N: number; D: number; S: number; nested?: RecGroups; xp?: number };
}

export function dataSetup(c: ExperimentConfig): DataSetup {
  const ds = dataSpec(c);
  const { tables, tableLen } = samplerTables(ds);
  return { ds, tables, tableLen, dims: { N: c.data.sets.reduce((a, b) => a + b, 0), D: c.toy.d, S: c.sae.s, ...saeDimsOf(c.sae) } };
}

/** Hidden activations h of the trained toy model on the experiment's data (b_dec init, PCA). */
export function hiddenSamples(c: ExperimentConfig, data: DataSetup, toyParams: Float32Array, seed: number, count: number): Float64Array {
  return sampleActivations(data.dims, c.data.sets, data.tables, data.tableLen, c.data.rho, c.data.p_onehot, toyParams, seed, count, c.data.p_set_empty);
}

/** The toy model's job: one model, its seed from the experiment seed and toy.seed (docs/science.md §2). */
export function toyJob(c: ExperimentConfig, data: DataSetup): ToyJobSpec {
  const { dims, tables, tableLen } = data;
  const toySeed = rngU32(c.seed, STREAM.toyInit, c.toy.seed, 0, 0);
  const toyHist = Math.ceil(c.toy.steps / c.log_every) + 1;
  return {
    dims,
    sets: c.data.sets,
    tables,
    importance: new Float32Array(dims.N).fill(1),
    toyParams: initToy(dims, [toySeed]),
    hyper: [{ lr: c.toy.lr, l1: 0, cos: 0, seed: toySeed }],
    cfg: defaultConfig({
      M: 1,
      B: c.toy.batch,
      T: c.toy.steps,
      toy_count: 1,
      table_len: tableLen,
      hist_len: Math.min(toyHist, 4096),
      log_every: c.log_every,
      beta1: c.toy.betas[0],
      beta2: c.toy.betas[1],
      eps: c.toy.eps,
      weight_decay: c.toy.weight_decay,
      rho: c.data.rho,
      p_onehot: c.data.p_onehot,
      p_set_empty: c.data.p_set_empty,
    }),
  };
}

/** One SAE of the job: its grid cell, realization and seed. */
export interface ModelSlot {
  cell: [number, number];
  r: number;
  seed: number;
}

export interface SaeJobPlan {
  spec: SaeJobSpec;
  cells: [number, number][];
  models: ModelSlot[];
}

/** Stage 2: the SAE job of this shard's grid cells x realizations (shapes, flags, schedule, initial parameters). */
/**
 * The Config fields an experiment's `sae` section sets: batch, schedule, optimiser, the variant's and the
 * options' flags, the dead-latent rules. One mapping for the study's jobs (saeJobPlan) and for replay,
 * whose config is translated into such a section (src/train/replay.ts).
 */
export function saeWire(sae: ExperimentConfig['sae']): Partial<GpuConfig> {
  return {
    B: sae.batch,
    ...scheduleSteps(sae.steps, sae.warmup_frac, sae.cooldown_frac),
    flags: saeFlags(sae),
    dead_after: sae.dead_after,
    ghost_cooldown: sae.ghost_cooldown,
    beta1: sae.betas[0],
    beta2: sae.betas[1],
    eps: sae.eps,
    topk: saeVariant(sae.variant).needsK ? sae.k! : 0,
    jump_eps: sae.jump_eps,
    aux_k: sae.auxk?.k ?? 0,
    aux_coef: sae.auxk?.coef ?? 0,
    ...saeVariantWire(sae),
  };
}

export function saeJobPlan(c: ExperimentConfig, data: DataSetup, toyParams: Float32Array, only?: { index: number; count: number } | null): SaeJobPlan {
  const shard = only ?? { index: 0, count: 1 }; // null from the harness page's JSON means no shard
  const { dims, tables, tableLen } = data;
  const TL = toyLayout(dims);
  const cells: [number, number][] = [];
  c.grid.lr.forEach((_, i) =>
    c.grid.l1.forEach((__, j) => {
      if ((i * c.grid.l1.length + j) % shard.count === shard.index) cells.push([i, j]);
    }),
  );
  const models: ModelSlot[] = [];
  for (const cell of cells) for (let r = 0; r < c.realizations; r++) models.push({ cell, r, seed: saeSeed(c, cell[0], cell[1], r) });
  const M = models.length;
  if (M === 0) throw new Error(`experiment '${c.name}': shard ${shard.index}/${shard.count} has no grid cells`);
  const cosCoef = c.sae.cos.variant === 'none' ? 0 : c.sae.cos.coef;
  // the kernels draw data (and the evaluation its samples) from hyper.seed; initialisation uses the model's own seed
  const dataSeed = (m: ModelSlot) => (c.data.shared_stream ? rngU32(c.seed, STREAM.data, 0, 0, 0) : m.seed);
  const hyper: Hyper[] = models.map((m) => ({ lr: c.grid.lr[m.cell[0]], l1: c.grid.l1[m.cell[1]], cos: cosCoef, seed: dataSeed(m) }));
  const bDec = (m: number) =>
    c.sae.b_dec_init === 'zeros'
      ? new Array(dims.D).fill(0)
      : Array.from(geometricMedian(hiddenSamples(c, data, toyParams, rngU32(models[m].seed, STREAM.medianSample, 0, 0, 0), 5000), 5000, dims.D));
  const spec: SaeJobSpec = {
    dims,
    sets: c.data.sets,
    tables,
    toyParams,
    hyper,
    saeParams: initSae(
      dims,
      models.map((m) => m.seed),
      bDec,
      c.sae.init_threshold,
      latentParamsOf(saeVariant(c.sae.variant)),
    ),
    cfg: defaultConfig({
      M,
      ...saeWire(c.sae),
      toy_count: 1,
      table_len: tableLen,
      hist_len: Math.min(Math.ceil(c.sae.steps / c.log_every) + 1, 4096),
      log_every: c.log_every,
      act_stride: TL.REC,
      act_offset: TL.H,
      weight_decay: 0,
      rho: c.data.rho,
      p_onehot: c.data.p_onehot,
      p_set_empty: c.data.p_set_empty,
    }),
  };
  return { spec, cells, models };
}

/**
 * What a valid config cannot show, said before any training, naming the experiment: matched recovery
 * (metrics/recovery.ts) covers each target direction with its own latent, so with fewer latents than
 * occurring composed directions no SAE can be judged composed, and with fewer than n features none true.
 */
export function experimentWarnings(c: ExperimentConfig): string[] {
  if (c.data.sets.length < 2) return []; // one set: no composed directions
  const n = c.data.sets.reduce((a, b) => a + b, 0);
  const composed = jointTable(dataSpec(c)).filter((p) => p > 0).length;
  const s = c.sae.s;
  const below = [
    s < composed ? { what: 'composed', n: `the ${composed} occurring composed directions` } : null,
    s < n ? { what: 'true', n: `the ${n} features` } : null,
  ].filter((x) => x !== null);
  if (!below.length) return [];
  return [
    `experiment '${c.name}': sae.s = ${s} latents is below ${below.map((b) => b.n).join(' and ')}: no SAE can be judged ${below.map((b) => b.what).join(' or ')} (matched recovery gives each direction its own latent)`,
  ];
}

/** The reference SAEs' rule, checked before any training: one decoder row per true and per occurring composed direction. */
export function checkGapShape(c: ExperimentConfig, data: DataSetup): void {
  if (!c.optimality_gap) return;
  const count: Record<ReferenceBasis, number> = { true: data.dims.N, composed: jointTable(data.ds).filter((p) => p > 0).length };
  for (const b of REFERENCE_BASES)
    if (count[b] !== data.dims.S)
      throw new Error(`experiment '${c.name}': optimality_gap needs s = ${data.dims.S} latents to equal the number of ${b} directions (${count[b]})`);
}

/**
 * The reference SAEs of the optimality gap (config.optimality_gap): per grid cell one SAE whose decoder is
 * fixed to the unit true directions and one fixed to the occurring composed directions, in the order of
 * REFERENCE_BASES. The encoder rows start on the same directions; biases, data stream and evaluation samples
 * are those of the cell's first realization (with a shared stream, every realization's).
 */
export function referencePlan(c: ExperimentConfig, data: DataSetup, plan: SaeJobPlan, toyParams: Float32Array): SaeJobPlan {
  const { N, D } = data.dims;
  const raw = featureDirections(toyParams, N, D);
  const bases: Record<ReferenceBasis, Vec[]> = {
    true: raw.map(unit),
    composed: composedDirections(raw, c.data.sets, jointTable(data.ds)).map((x) => x.dir),
  };
  checkGapShape(c, data);
  const L = saeLayout(data.dims);
  const models: ModelSlot[] = [];
  const hyper: Hyper[] = [];
  const params = new Float32Array(plan.cells.length * REFERENCE_BASES.length * L.P);
  plan.cells.forEach((cell) => {
    const src = plan.models.findIndex((m) => m.cell[0] === cell[0] && m.cell[1] === cell[1]);
    for (const [r, basis] of REFERENCE_BASES.entries()) {
      const p = params.subarray(models.length * L.P, (models.length + 1) * L.P);
      p.set(plan.spec.saeParams.subarray(src * L.P, (src + 1) * L.P));
      bases[basis].forEach((w, k) =>
        w.forEach((v, j) => {
          p[L.WD + k * D + j] = v;
          p[L.WE + k * D + j] = v;
        }),
      );
      models.push({ cell, r, seed: plan.models[src].seed });
      hyper.push(plan.spec.hyper[src]);
    }
  });
  const cfg = { ...plan.spec.cfg, M: models.length, flags: plan.spec.cfg.flags | FLAG.FIXED_DEC };
  return { cells: plan.cells, models, spec: { ...plan.spec, cfg, hyper, saeParams: params } };
}

/**
 * A p-annealing job's spec as its objective stands at `step`: each model's lambda then (read from the trainer) and
 * the exponent pair fixed (pa_n = 0, p_start / p_end = this step's p and the next), for evaluations outside training.
 */
export function annealedSpec(spec: SaeJobSpec, step: number, lambda: ArrayLike<number>): SaeJobSpec {
  const { p, next } = paExponents(spec.cfg, step);
  return { ...spec, hyper: spec.hyper.map((h, m) => ({ ...h, l1: lambda[m] })), cfg: { ...spec.cfg, pa_n: 0, p_start: p, p_end: next } };
}
