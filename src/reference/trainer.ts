// CPU reference trainers: the same step order as the GPU trainers (docs/science.md §3 "order of one step"),
// built from the kernels' twins, in f64. The ground truth the GPU path is compared with.
import { FLAG, NOT_DIVERGED, saeLayout, toyLayout, type GpuConfig, type Hyper } from '../core/wire';
import { adamStep } from './adam';
import { copyStep, sampleData } from './data';
import {
  saeAnneal,
  saeBatchStats,
  saeBatchTopkThreshold,
  saeCosGrad,
  saeDead,
  saeFiring,
  saeForward,
  saeGrad,
  saeLoss,
  saeNormalize,
  saeProjectGrad,
} from './sae';
import { toyForward, toyGrad, toyLoss } from './toy';
import { checkSaeSpec, checkSpec, type SaeJobSpec, type ToyJobSpec } from '../core/job';

export class RefSaeTrainer {
  readonly params: Float64Array;
  readonly adamM: Float64Array;
  readonly adamV: Float64Array;
  readonly lat: Uint32Array;
  readonly status: Uint32Array;
  /** p-annealing's queue sums [M][2] (lib/p_anneal_step.wgsl) */
  readonly anneal: Float64Array;
  readonly history: { step: number; rows: Float64Array }[] = [];
  lastWork: Float64Array = new Float64Array(0);
  step = 0;
  readonly cfg: GpuConfig;
  readonly hyper: Hyper[];

  constructor(readonly spec: SaeJobSpec) {
    checkSaeSpec(spec);
    this.cfg = spec.cfg;
    // a copy: p-annealing rescales lambda as training goes
    this.hyper = spec.hyper.map((h) => ({ ...h }));
    const L = saeLayout(spec.dims);
    this.anneal = new Float64Array(this.cfg.M * 2);
    this.params = Float64Array.from(spec.saeParams);
    this.adamM = new Float64Array(this.cfg.M * L.P);
    this.adamV = new Float64Array(this.cfg.M * L.P);
    this.lat = new Uint32Array(this.cfg.M * spec.dims.S * L.LAT_W);
    this.status = new Uint32Array(this.cfg.M).fill(NOT_DIVERGED);
  }

  /** The SAE inputs of step t, laid out as acts (rows of act_stride floats). */
  acts(t: number): Float64Array | Float32Array {
    const { cfg, spec } = this;
    if (spec.batches) return copyStep(cfg, t, spec.dims.D, spec.batches);
    const x = sampleData(cfg, this.hyper, t, spec.sets, spec.tables);
    return toyForward(cfg, spec.dims, x, spec.toyParams, new Float32Array(spec.dims.N).fill(1));
  }

  /** called in each step with its inputs, after the decoder normalisation (src/checks/conditioning.ts) */
  probe?: (t: number, acts: ArrayLike<number>, bthr: ArrayLike<number> | undefined) => void;

  doStep(): void {
    const { cfg, spec } = this;
    const t = this.step;
    const dims = spec.dims;
    const acts = this.acts(t);
    const norm = spec.normalizeDecoder !== false;
    if (norm) saeNormalize(cfg, dims, this.params);
    saeDead(cfg, dims, this.lat);
    const bstat = (cfg.flags & FLAG.BATCH_FVU) !== 0 ? saeBatchStats(cfg, dims, acts) : undefined;
    const bthr = (cfg.flags & FLAG.BATCH_TOPK) !== 0 ? saeBatchTopkThreshold(cfg, dims, acts, this.params) : undefined;
    this.probe?.(t, acts, bthr);
    const work = saeForward(cfg, dims, this.hyper, acts, this.params, this.lat, bstat, bthr, t);
    saeFiring(cfg, dims, work, this.lat);
    const grads = saeGrad(cfg, dims, this.params, work);
    const aux = saeCosGrad(cfg, dims, this.hyper, this.params, grads);
    if (norm) saeProjectGrad(cfg, dims, this.params, grads);
    const rows = saeLoss(cfg, dims, this.hyper, t, work, aux, this.status);
    if (t % cfg.log_every === 0) this.history.push({ step: t, rows });
    saeAnneal(cfg, dims, this.hyper, t, work, this.anneal);
    adamStep(cfg, this.hyper, t, this.status, saeLayout(dims).P, grads, this.params, this.adamM, this.adamV);
    this.lastWork = work;
    this.step++;
  }

  train(steps: number): void {
    const end = Math.min(this.cfg.T, this.step + steps);
    while (this.step < end) this.doStep();
  }
}

export class RefToyTrainer {
  readonly params: Float64Array;
  readonly adamM: Float64Array;
  readonly adamV: Float64Array;
  readonly status: Uint32Array;
  readonly history: { step: number; loss: Float64Array }[] = [];
  step = 0;
  readonly cfg: GpuConfig;

  constructor(readonly spec: ToyJobSpec) {
    checkSpec('toy', spec.cfg, spec.hyper);
    this.cfg = spec.cfg;
    const P = toyLayout(spec.dims).P;
    this.params = Float64Array.from(spec.toyParams);
    this.adamM = new Float64Array(this.cfg.M * P);
    this.adamV = new Float64Array(this.cfg.M * P);
    this.status = new Uint32Array(this.cfg.M).fill(NOT_DIVERGED);
  }

  inputs(t: number): Float32Array {
    const { cfg, spec } = this;
    return spec.batches ? copyStep(cfg, t, spec.dims.N, spec.batches) : sampleData(cfg, spec.hyper, t, spec.sets, spec.tables);
  }

  doStep(): void {
    const { cfg, spec } = this;
    const t = this.step;
    const x = this.inputs(t);
    const work = toyForward(cfg, spec.dims, x, this.params, spec.importance);
    const loss = toyLoss(cfg, spec.dims, t, work, this.status);
    if (t % cfg.log_every === 0) this.history.push({ step: t, loss });
    const grads = toyGrad(cfg, spec.dims, x, work);
    adamStep(cfg, spec.hyper, t, this.status, toyLayout(spec.dims).P, grads, this.params, this.adamM, this.adamV);
    this.step++;
  }

  train(steps: number): void {
    const end = Math.min(this.cfg.T, this.step + steps);
    while (this.step < end) this.doStep();
  }
}
