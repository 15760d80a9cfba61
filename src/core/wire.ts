// Shared definitions of the training kernels' twins: the Config uniform, the per-model Hyper table,
// buffer layouts and the learning-rate schedule (twin of shaders/lib/common.wgsl and the layout files).

export const FLAG = {
  PRE_BIAS: 1,
  GHOST: 2,
  GHOST_QUIRK: 4,
  COS_ABS: 8,
  COS_PAIRS: 16,
  COS_SQ: 32,
  BATCH_FVU: 64,
  /** the variant bits: they name the SAE variant on the wire (src/variants); no kernel branches on them */
  JUMPRELU: 128,
  BATCH_TOPK: 256,
  AUXK: 512,
  /** reference SAEs: the decoder stays at its initial rows (zero gradient; needs the unit-row projection) */
  FIXED_DEC: 1024,
  /** a variant bit: Matryoshka's nested reconstructions (the groups themselves are compile-time, Dims.nested) */
  MATRYOSHKA: 2048,
  /** a variant bit: the Gated SAE (gate and magnitude paths, its auxiliary reconstruction) */
  GATED: 4096,
  /** a variant bit: p-annealing (its schedule rides on Config.pa_*) */
  PANNEAL: 8192,
} as const;
export const NOT_DIVERGED = 0xffffffff;

/** The decoder cosine penalty's forms (docs/science.md §4): none, |S|, signed S, S^2 (orthogonality). */
export const COS_VARIANTS = ['none', 'abs', 'signed', 'ortho'] as const;

/** The SAE's options as configs name them (experiment configs and replay configs share this mapping). */
export interface SaeFlagOptions {
  pre_encoder_bias?: boolean;
  ghost?: boolean;
  ghost_quirk?: boolean;
  auxk?: unknown;
  cos?: { variant: (typeof COS_VARIANTS)[number]; norm?: 'code' | 'pairs' };
  fvu?: 'per-sample' | 'batch';
  /** reference SAEs with a fixed decoder (the optimality gap) */
  fixed_decoder?: boolean;
}

/** The runtime-option bits of an SAE job's Config.flags (src/variants saeFlags adds the variant's bit). AuxK replaces ghost grads. */
export function optionFlags(o: SaeFlagOptions): number {
  let f = 0;
  if (o.pre_encoder_bias) f |= FLAG.PRE_BIAS;
  if (o.auxk) f |= FLAG.AUXK;
  else if (o.ghost) f |= FLAG.GHOST;
  if (o.ghost_quirk) f |= FLAG.GHOST_QUIRK;
  if (o.cos?.variant === 'abs') f |= FLAG.COS_ABS;
  if (o.cos?.variant === 'ortho') f |= FLAG.COS_SQ;
  if (o.cos?.norm === 'pairs') f |= FLAG.COS_PAIRS;
  if (o.fvu === 'batch') f |= FLAG.BATCH_FVU;
  if (o.fixed_decoder) f |= FLAG.FIXED_DEC;
  return f;
}

/** Member names and order as in WGSL `struct Config` (packed by reflection). */
export interface GpuConfig {
  M: number;
  B: number;
  T: number;
  warmup: number;
  cooldown: number;
  toy_count: number;
  table_len: number;
  flags: number;
  dead_after: number;
  ghost_cooldown: number;
  hist_len: number;
  log_every: number;
  act_stride: number;
  act_offset: number;
  beta1: number;
  beta2: number;
  eps: number;
  weight_decay: number;
  rho: number;
  p_onehot: number;
  p_set_empty: number;
  topk: number;
  jump_eps: number;
  aux_k: number;
  aux_coef: number;
  /** p-annealing (docs/science.md §8.2): pa_n updates of p (0: none) at steps pa_start .. pa_end, lambda rescaled over pa_queue steps */
  pa_n: number;
  pa_start: number;
  pa_end: number;
  pa_queue: number;
  p_start: number;
  p_end: number;
}

export interface Hyper {
  lr: number;
  l1: number;
  cos: number;
  seed: number;
}

export function defaultConfig(over: Partial<GpuConfig>): GpuConfig {
  return {
    M: 1,
    B: 1,
    T: 1,
    warmup: 0,
    cooldown: 0,
    toy_count: 1,
    table_len: 1,
    flags: 0,
    dead_after: 400,
    ghost_cooldown: 1000,
    hist_len: 1,
    log_every: 1,
    act_stride: 1,
    act_offset: 0,
    beta1: 0.9,
    beta2: 0.999,
    eps: 1e-8,
    weight_decay: 0,
    rho: 0,
    p_onehot: 0,
    p_set_empty: 0,
    topk: 0,
    jump_eps: 0.001,
    aux_k: 0,
    aux_coef: 0,
    pa_n: 0,
    pa_start: 0,
    pa_end: 0,
    pa_queue: 0,
    p_start: 1,
    p_end: 1,
    ...over,
  };
}

type PaCfg = Pick<GpuConfig, 'pa_n' | 'pa_start' | 'pa_end' | 'pa_queue' | 'p_start' | 'p_end'>;

/** p-annealing's update i (0 .. pa_n - 1): its step pa_start + floor(i (pa_end - pa_start) / (pa_n - 1)) (twin of lib/p_anneal.wgsl pa_update). */
export function paUpdate(c: PaCfg, i: number): number {
  return c.pa_n > 1 ? c.pa_start + Math.floor((i * (c.pa_end - c.pa_start)) / (c.pa_n - 1)) : c.pa_start;
}

/** The p that update i sets: p_start + (p_end - p_start) i / (pa_n - 1). */
export function paValue(c: PaCfg, i: number): number {
  return c.pa_n > 1 ? c.p_start + ((c.p_end - c.p_start) * i) / (c.pa_n - 1) : c.p_start;
}

/**
 * The exponent of step t and the next one of the schedule: p of the updates before t (p_start before the first), and
 * the next update's (p_end after the last); queued: step t is in the queue of update done >= 1 (its penalty at `next` is summed).
 */
export function paExponents(c: PaCfg, t: number): { p: number; next: number; queued: boolean } {
  let done = 0;
  for (let i = 0; i < c.pa_n; i++) if (paUpdate(c, i) < t) done++;
  return {
    p: done > 0 ? paValue(c, done - 1) : c.p_start,
    next: done < c.pa_n ? paValue(c, done) : c.p_end,
    queued: done >= 1 && done < c.pa_n && t + c.pa_queue > paUpdate(c, done),
  };
}

/** Schedule lengths from fractions of the run (science.md §3): warmup floor(w T) steps, cooldown floor(c T). */
export function scheduleSteps(steps: number, warmupFrac: number, cooldownFrac: number): Pick<GpuConfig, 'T' | 'warmup' | 'cooldown'> {
  return { T: steps, warmup: Math.floor(warmupFrac * steps), cooldown: Math.floor(cooldownFrac * steps) };
}

export function lrFactor(t: number, T: number, warmup: number, cooldown: number): number {
  let f = 1;
  if (warmup > 0) f = Math.min(f, (t + 1) / warmup);
  if (cooldown > 0 && t + cooldown >= T) f = Math.min(f, 1 - (t - (T - cooldown)) / cooldown);
  return f;
}

/**
 * The SAE's nested reconstructions (Matryoshka, docs/science.md §8): reconstruction i uses the latents
 * k < ends[i] and enters the loss with weight weights[i]; ends rise and the last is S. Absent: one
 * reconstruction of all S latents with weight 1 (every other variant). Compile-time: REC_G, REC_ENDS, REC_W.
 */
export interface RecGroups {
  ends: number[];
  weights: number[];
}

export interface Dims {
  N: number;
  D: number;
  S: number;
  nested?: RecGroups;
  /**
   * the SAE's extra per-latent parameter blocks after b_dec (its variant's `latentParams`; absent: 1, JumpReLU's
   * log_threshold, unused by the variants without one). Compile-time: XP_N.
   */
  xp?: number;
}

/** The number of extra per-latent parameter blocks of an SAE shape (Dims.xp, default 1). */
export const xpBlocks = (d: Pick<Dims, 'xp'>): number => d.xp ?? 1;

/** The nested reconstructions of an SAE shape (one of all S latents, weight 1, when it has none). */
export function recGroups(d: Pick<Dims, 'S' | 'nested'>): RecGroups {
  return d.nested ?? { ends: [d.S], weights: [1] };
}

export function saeLayout(d: Pick<Dims, 'D' | 'S' | 'nested' | 'xp'>) {
  const { S, D } = d;
  const XP_N = xpBlocks(d);
  const P = 2 * S * D + S + D + XP_N * S;
  const LOSS_N = 8;
  const G = recGroups(d).ends.length;
  return {
    P,
    WE: 0,
    BE: S * D,
    WD: S * D + S,
    BD: 2 * S * D + S,
    /** the extra per-latent parameter blocks, XP_N of S each (block i of latent k at XP + i S + k) */
    XP: 2 * S * D + S + D,
    XP_N,
    F: 0,
    DPRE: S,
    A: 2 * S,
    DH: 3 * S,
    G: 3 * S + D,
    HIN: 3 * S + 2 * D,
    E: 3 * S + 3 * D,
    LOSS: 3 * S + 4 * D,
    LOSS_N,
    /** this sample's gradient terms of the extra parameter blocks, XP_N of S (JumpReLU's straight-through dth) */
    DXP: 3 * S + 4 * D + LOSS_N,
    /** dL/dhhat of nested reconstructions 1 .. G-1 as latents of those groups see it (group 0's is DH) */
    DHX: (3 + XP_N) * S + 4 * D + LOSS_N,
    GROUPS: G,
    REC: (3 + XP_N) * S + 4 * D + LOSS_N + (G - 1) * D,
    HIST_W: 8,
    MET_W: 10,
    LAT_W: 3,
  };
}
export type SaeLayout = ReturnType<typeof saeLayout>;

export function toyLayout(d: Pick<Dims, 'N' | 'D'>) {
  const { N, D } = d;
  return { P: N * D + N, B: N * D, H: 0, XHAT: D, DELTA: D + N, G: D + 2 * N, LOSS: 2 * D + 2 * N, REC: 2 * D + 2 * N + 1 };
}
export type ToyLayout = ReturnType<typeof toyLayout>;

/** SEL: the variant's own objective on the evaluation batch (rec + lambda PEN); PEN: its penalty's mean, sum_k act_penalised(f_k) (L1: sum f; JumpReLU: L0) */
export const MET = { MONO: 0, DEAD_PROBE: 1, FVU: 2, L1: 3, L0: 4, DEAD_BATCH: 5, EV_H: 6, EV_OUT: 7, SEL: 8, PEN: 9 } as const;
export const HIST = { TOTAL: 0, FVU: 1, L1_TERM: 2, L1_RAW: 3, GHOST: 4, COS: 5, L0: 6, STEP: 7 } as const;

/** The detector record's width per model (kernels/sae_eval/detect.wgsl): fired [S], active [N], both [S][N], shrinkage sum and count. */
export const detWidth = (dims: { N: number; S: number }) => dims.S + dims.N + dims.S * dims.N + 2;
