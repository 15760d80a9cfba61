// What a batched training job is: shapes, the Config uniform, per-model hyper-parameters, data and
// initial parameters. The GPU trainers and the reference trainers take the same spec.
import { FLAG, type Dims, type GpuConfig, type Hyper } from './wire';

export interface SaeJobSpec {
  dims: Dims;
  /** feature-set sizes (for the sampler) */
  sets: number[];
  cfg: GpuConfig;
  hyper: Hyper[];
  /** sampler tables (joint CDF then one-hot CDF), see data/tables.ts */
  tables: Float32Array;
  /** [toy_count][P_TOY] trained toy models feeding the SAEs */
  toyParams: Float32Array;
  /** [M][P_SAE] initial SAE parameters */
  saeParams: Float32Array;
  /** replay: given activations [T][B][D] instead of sampling (same batch for every model) */
  batches?: Float32Array;
  /** unit-norm decoder rows and tangent gradients (docs/science.md §3); default true */
  normalizeDecoder?: boolean;
}

export interface ToyJobSpec {
  dims: Pick<Dims, 'N' | 'D'>;
  sets: number[];
  cfg: GpuConfig;
  hyper: Hyper[];
  tables: Float32Array;
  importance: Float32Array;
  /** [M][P_TOY] initial toy parameters */
  toyParams: Float32Array;
  /** replay: given inputs [T][B][N] instead of sampling */
  batches?: Float32Array;
}

export interface Progress {
  step: number;
  total: number;
  /** median over live models of the latest logged total loss (a mean is dominated by one model's spike) */
  loss: number;
  diverged: number;
}

export function checkSpec(kind: string, cfg: GpuConfig, hyper: Hyper[]): void {
  const bad = (what: string) => {
    throw new Error(`${kind} job: ${what}`);
  };
  if (!Number.isInteger(cfg.M) || cfg.M < 1) bad(`M = ${cfg.M} models, need a positive integer`);
  if (!Number.isInteger(cfg.B) || cfg.B < 1) bad(`batch size B = ${cfg.B}, need a positive integer`);
  if (!Number.isInteger(cfg.T) || cfg.T < 1) bad(`total steps T = ${cfg.T}, need a positive integer`);
  if (hyper.length !== cfg.M) bad(`${hyper.length} hyper-parameter rows for M = ${cfg.M} models`);
  hyper.forEach((h, m) => {
    if (!(h.lr > 0) || !Number.isFinite(h.lr)) bad(`model ${m}: learning rate ${h.lr} must be > 0`);
    if (!(h.l1 >= 0)) bad(`model ${m}: L1 coefficient ${h.l1} must be >= 0`);
  });
}

/** checkSpec plus the SAE job's own rules. */
export function checkSaeSpec(spec: SaeJobSpec): void {
  checkSpec('SAE', spec.cfg, spec.hyper);
  if ((spec.cfg.flags & FLAG.FIXED_DEC) !== 0 && spec.normalizeDecoder === false)
    throw new Error('SAE job: a fixed decoder (reference SAEs) needs the unit-row projection; normalizeDecoder is false');
}
