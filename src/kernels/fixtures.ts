// Fixtures: the shapes and small training jobs that the checks, the tests, the kernel lab and the
// benchmark share. Production code may import them (they build specs from the same core as the runner).
import { defaultConfig, toyLayout, type Dims, type GpuConfig, type Hyper, type RecGroups } from '../core/wire';
import type { SaeJobSpec, ToyJobSpec } from '../core/job';
import { samplerTables } from '../data/tables';
import { initSae, initToy } from '../models/init';
import { latentParamsOf, variantOf } from '../variants';

export interface KernelShape extends Dims {
  M: number;
  B: number;
  sets: number[];
}

export const KERNEL_SHAPES: KernelShape[] = [
  { N: 4, D: 2, S: 4, M: 1, B: 37, sets: [2, 2] },
  { N: 4, D: 2, S: 4, M: 125, B: 64, sets: [2, 2] },
  { N: 40, D: 16, S: 64, M: 1, B: 33, sets: [20, 20] },
  { N: 40, D: 16, S: 64, M: 125, B: 8, sets: [8, 8, 8, 8, 8] },
];

/** The study's shape: n = 4 features in two sets of two, d = 2, s = 4. */
export const STUDY_SHAPE = { N: 4, D: 2, S: 4, sets: [2, 2] };

export interface SaeCase {
  N: number;
  D: number;
  S: number;
  sets: number[];
  M: number;
  B: number;
  T: number;
  flags: number;
  cos?: number;
  rho?: number;
  p?: number;
  topk?: number;
  empty?: number;
  /** Matryoshka's nested reconstructions (with FLAG.MATRYOSHKA) */
  nested?: RecGroups;
  /** more Config fields (p-annealing's schedule) */
  cfg?: Partial<GpuConfig>;
}

export function saeTestSpec(o: SaeCase): SaeJobSpec {
  const blocks = latentParamsOf(variantOf({ flags: o.flags, topk: o.topk ?? 0 }));
  const dims = { N: o.N, D: o.D, S: o.S, nested: o.nested, xp: blocks.length };
  const { tables, tableLen } = samplerTables({ sets: o.sets, rho: o.rho ?? 1, pOnehot: o.p ?? 0 });
  const TL = toyLayout(dims);
  const hyper: Hyper[] = Array.from({ length: o.M }, (_, m) => ({ lr: [1e-3, 3e-3, 1e-2][m % 3], l1: [0.01, 0.3, 1][m % 3], cos: o.cos ?? 0, seed: 1000 + m }));
  const cfg = defaultConfig({
    M: o.M,
    B: o.B,
    T: o.T,
    warmup: Math.floor(o.T / 10),
    cooldown: Math.floor(o.T / 5),
    toy_count: 1,
    table_len: tableLen,
    flags: o.flags,
    dead_after: 3,
    ghost_cooldown: 10,
    hist_len: o.T,
    log_every: 1,
    act_stride: TL.REC,
    act_offset: 0,
    beta1: 0,
    beta2: 0.999,
    eps: 1e-8,
    rho: o.rho ?? 1,
    p_onehot: o.p ?? 0,
    topk: o.topk ?? 0,
    p_set_empty: o.empty ?? 0,
    jump_eps: 0.05,
    aux_k: 2,
    aux_coef: 1 / 32,
    ...o.cfg,
  });
  const saeParams = initSae(
    dims,
    hyper.map((h) => h.seed),
    () => Array.from({ length: o.D }, (_, j) => 0.01 * (j + 1)),
    undefined,
    blocks,
  );
  return { dims, sets: o.sets, cfg, hyper, tables, toyParams: initToy(dims, [7]), saeParams };
}

export function toyTestSpec(M = 3, T = 50): ToyJobSpec {
  const dims = { N: 4, D: 2 };
  const { tables, tableLen } = samplerTables({ sets: [2, 2], rho: 0, pOnehot: 0.25 });
  const hyper = Array.from({ length: M }, (_, m) => ({ lr: 1e-2, l1: 0, cos: 0, seed: 50 + m }));
  return {
    dims,
    sets: [2, 2],
    cfg: defaultConfig({ M, B: 100, T, toy_count: M, table_len: tableLen, hist_len: T, weight_decay: 0.01, p_onehot: 0.25 }),
    hyper,
    tables,
    importance: new Float32Array(4).fill(1),
    toyParams: initToy(
      dims,
      hyper.map((h) => h.seed),
    ),
  };
}
