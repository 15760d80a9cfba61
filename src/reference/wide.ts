// Twin of the wide SAE engine's step (src/kernels/wide): a ReLU SAE in SAELens's layout and loss, in f64.
//   x_c = x - b_dec;  pre = x_c W_enc + b_enc;  f = max(pre, 0);  xhat = f W_dec + b_dec;  e = xhat - x
//   loss = mean_b sum_j e_bj^2 + lambda mean_b sum_k f_bk |W_dec,k|
// (SAELens StandardTrainingSAE: the MSE summed over d and averaged over the batch, the L1 weighted by the decoder
// rows' norms.) Returns the loss terms per row and the gradient of the loss with respect to every parameter.
import { adamStep } from './adam';
import { NOT_DIVERGED, saeLayout, type GpuConfig } from '../core/wire';

export interface WideParams {
  w_enc: ArrayLike<number>; // [d][s]
  b_enc: ArrayLike<number>; // [s]
  w_dec: ArrayLike<number>; // [s][d]
  b_dec: ArrayLike<number>; // [d]
  /** JumpReLU: log thresholds [s] */
  log_threshold?: ArrayLike<number>;
}

export interface WideShape {
  B: number;
  d: number;
  s: number;
}

/** How the wide engine picks each row's active latents, and AuxK (variant records: SaeVariant.wide). */
export interface WideStepOptions {
  /** relu: pre > 0 (default); topk: the k largest pre of each row; batchtopk: the floor(k B) largest of the batch;
   * jumprelu: pre > theta_k = exp(log_threshold_k), with SAELens's step-mode L0 penalty lambda mean_b #{f_b > 0} in
   * place of the L1 and the straight-through threshold gradient (rectangle of width `bandwidth`) */
  select?: 'relu' | 'topk' | 'batchtopk' | 'jumprelu';
  bandwidth?: number;
  k?: number;
  /** batchtopk at inference (SAELens saves it as JumpReLU): this threshold instead of the batch's */
  threshold?: number;
  /** SAELens's AuxK: the k_aux largest pre-activations among the dead latents reconstruct the residual x - xhat
   * (detached), loss coef min(n_dead / k_aux, 1) mean_b |a W_dec + b_dec - (x - xhat)|^2 (a: those pre, 0 elsewhere);
   * residual: the detached x - xhat to use instead of this step's (finite-difference checks hold it fixed) */
  auxk?: { coef: number; kAux: number; dead: ArrayLike<boolean>; residual?: ArrayLike<number> };
  /** Matryoshka (the variant records' groups): the reconstruction term sum_i w_i mean_b |x - (b_dec + sum_{k < end_i}
   * f_k W_dec,k)|^2 over prefixes ends (rising to s) in place of mean_b |x - xhat|^2 */
  nested?: { ends: number[]; weights: number[] };
  /** SAELens's apply_b_dec_to_input (default true): the encoder reads x - b_dec; false: x itself (the study's) */
  preBias?: boolean;
  /** the study's per-sample FVU: each row's reconstruction (and AuxK) terms divided by den_b = |x_b|^2 (1 for a zero
   * row), the loss rows' mse, aux and rec too (default: SAELens's squared error summed over d) */
  perSampleFvu?: boolean;
}

export interface WideStepResult {
  loss: number;
  /** per row: [sum_j e^2, sum_k f n_k, #{f > 0}, AuxK's weighted squared error, the reconstruction term as trained
   * (sum_i w_i |e_i|^2; sum_j e^2 without nesting)] */
  rows: Float64Array;
  grads: { w_enc: Float64Array; b_enc: Float64Array; w_dec: Float64Array; b_dec: Float64Array; log_threshold: Float64Array };
  /** sum_b f_bk (which latents fired: AuxK's dead counts) */
  fsum: Float64Array;
  /** batchtopk: the batch's threshold (its floor(k B)-th largest pre-activation) */
  bthr: number;
  /** the pre-activations [B][s] and the residuals e = xhat - x [B][d] */
  pre: Float64Array;
  e: Float64Array;
}

/** The r-th largest of values (r >= 1; ties count once each): the selection threshold of the wide engine. */
export function rankValue(values: ArrayLike<number>, r: number): number {
  return Float64Array.from(values).sort((a, b) => b - a)[r - 1];
}

/** SAELens's AuxK scale and size: k_aux = min(kAux, n_dead) latents, scaled by coef min(n_dead / kAux, 1). */
export function auxkScale(coef: number, kAux: number, nDead: number): { k: number; scale: number } {
  return { k: Math.min(kAux, nDead), scale: coef * Math.min(nDead / kAux, 1) };
}

export function wideStep(p: WideParams, x: ArrayLike<number>, sh: WideShape, lambda: number, opt: WideStepOptions = {}): WideStepResult {
  const { B, d, s } = sh;
  const select = opt.select ?? 'relu';
  const norms = new Float64Array(s);
  for (let k = 0; k < s; k++) {
    let q = 0;
    for (let j = 0; j < d; j++) q += p.w_dec[k * d + j] ** 2;
    norms[k] = Math.sqrt(q);
  }
  // every row's pre-activations first: BatchTopK's threshold needs the whole batch
  const xcAll = new Float64Array(B * d),
    preAll = new Float64Array(B * s);
  const preBias = opt.preBias !== false;
  for (let b = 0; b < B; b++) {
    for (let j = 0; j < d; j++) xcAll[b * d + j] = x[b * d + j] - (preBias ? p.b_dec[j] : 0);
    for (let k = 0; k < s; k++) {
      let a = p.b_enc[k];
      for (let j = 0; j < d; j++) a += xcAll[b * d + j] * p.w_enc[j * s + k];
      preAll[b * s + k] = a;
    }
  }
  const kOf = (what: string) => {
    const k = opt.k ?? 0;
    if (!(k > 0)) throw new Error(`wide SAE step: ${what} needs k > 0, got ${opt.k}`);
    return k;
  };
  let bthr = -Infinity;
  if (select === 'batchtopk') bthr = opt.threshold ?? rankValue(preAll, Math.floor(kOf('batchtopk') * B));
  const dead = opt.auxk?.dead;
  const nDead = dead ? Array.from({ length: s }, (_, k) => dead[k]).filter(Boolean).length : 0;
  const aux = opt.auxk ? auxkScale(opt.auxk.coef, opt.auxk.kAux, nDead) : { k: 0, scale: 0 };
  const levels = opt.nested ?? { ends: [s], weights: [1] };
  const G = levels.ends.length;
  const rows = new Float64Array(B * 5);
  const g = {
    w_enc: new Float64Array(d * s),
    b_enc: new Float64Array(s),
    w_dec: new Float64Array(s * d),
    b_dec: new Float64Array(d),
    log_threshold: new Float64Array(s),
  };
  const jump = select === 'jumprelu';
  const bw = opt.bandwidth ?? 0.05;
  const theta = Float64Array.from({ length: s }, (_, k) => (jump ? Math.exp(p.log_threshold?.[k] ?? Number.NaN) : 0));
  if (jump && theta.some((t) => !(t > 0))) throw new Error('wide SAE step: jumprelu needs log_threshold for every latent');
  const fsum = new Float64Array(s);
  const eAll = new Float64Array(B * d);
  let loss = 0;
  const f = new Float64Array(s),
    a = new Float64Array(s),
    e = new Float64Array(d),
    ei = new Float64Array(d),
    // dL/d(f_k w_k) for latent k: the sum of dr_i over the levels whose prefix holds k, per level end
    drLevel = Array.from({ length: G }, () => new Float64Array(d)),
    dra = new Float64Array(d),
    dpre = new Float64Array(s);
  for (let b = 0; b < B; b++) {
    const xc = xcAll.subarray(b * d, (b + 1) * d),
      pre = preAll.subarray(b * s, (b + 1) * s);
    const thr = select === 'topk' ? rankValue(pre, Math.min(kOf('topk'), s)) : select === 'batchtopk' ? bthr : -Infinity;
    let xx = 0;
    for (let j = 0; j < d; j++) xx += x[b * d + j] ** 2;
    const den = opt.perSampleFvu && xx > 0 ? xx : 1;
    for (let k = 0; k < s; k++) {
      f[k] = jump ? (pre[k] > theta[k] ? pre[k] : 0) : pre[k] > 0 && pre[k] >= thr ? pre[k] : 0;
      fsum[k] += f[k];
    }
    a.fill(0);
    if (aux.k > 0) {
      const athr = rankValue(
        Array.from(pre).filter((_, k) => dead![k]),
        aux.k,
      );
      for (let k = 0; k < s; k++) if (dead![k] && pre[k] >= athr) a[k] = pre[k];
    }
    let mse = 0,
      l1 = 0,
      l0 = 0,
      auxErr = 0,
      rec = 0;
    // each level's error e_i = b_dec + sum_{k < end_i} f_k W_dec,k - x; the last level (end s) is the SAE's own e
    for (let i = 0; i < G; i++) {
      let sq = 0;
      for (let j = 0; j < d; j++) {
        let r = p.b_dec[j];
        for (let k = 0; k < levels.ends[i]; k++) r += f[k] * p.w_dec[k * d + j];
        ei[j] = r - x[b * d + j];
        sq += ei[j] ** 2;
        drLevel[i][j] = (2 * levels.weights[i] * ei[j]) / (B * den);
      }
      rec += (levels.weights[i] * sq) / den;
      if (i === G - 1) {
        e.set(ei);
        mse = sq / den;
      }
    }
    // dr of a latent in level i's group (ends[i-1] <= k < ends[i]): the levels i..G-1 that contain it
    for (let i = G - 1; i >= 0; i--) for (let j = 0; j < d; j++) drLevel[i][j] += i < G - 1 ? drLevel[i + 1][j] : 0;
    for (let j = 0; j < d; j++) {
      // AuxK: a W_dec + b_dec against the detached residual x - xhat = -e
      let ra = p.b_dec[j] + (opt.auxk?.residual ? -opt.auxk.residual[b * d + j] : e[j]);
      for (let k = 0; k < s; k++) ra += a[k] * p.w_dec[k * d + j];
      auxErr += (aux.scale * ra ** 2) / den;
      dra[j] = (2 * aux.scale * ra) / (B * den);
    }
    for (let k = 0; k < s; k++) {
      l1 += f[k] * norms[k];
      if (f[k] > 0) l0++;
    }
    rows.set([mse, l1, l0, auxErr, rec], b * 5);
    eAll.set(e, b * d);
    // JumpReLU's penalty is the L0 (SAELens step mode), the others' the L1 weighted by decoder norms
    loss += (rec + lambda * (jump ? l0 : l1) + auxErr) / B;
    // backward: decoder, then the latents, then the encoder; b_dec through every path
    for (let k = 0, lv = 0; k < s; k++) {
      while (k >= levels.ends[lv]) lv++;
      const dr = drLevel[lv];
      let df = 0,
        dfa = 0;
      const l1 = jump ? 0 : lambda;
      for (let j = 0; j < d; j++) {
        g.w_dec[k * d + j] += f[k] * dr[j] + a[k] * dra[j] + (norms[k] > 0 ? ((l1 / B) * f[k] * p.w_dec[k * d + j]) / norms[k] : 0);
        df += dr[j] * p.w_dec[k * d + j];
        dfa += dra[j] * p.w_dec[k * d + j];
      }
      dpre[k] = (f[k] > 0 ? df + (l1 * norms[k]) / B : 0) + (a[k] !== 0 ? dfa : 0);
      // the straight-through threshold gradient: d f / d theta = -(theta / bw) K, d [pre > theta] / d theta = -K / bw
      // (K: pre within bw / 2 of theta), times theta for log theta
      if (jump && Math.abs(pre[k] - theta[k]) < 0.5 * bw) g.log_threshold[k] += theta[k] * (-(theta[k] / bw) * df - lambda / (bw * B));
      g.b_enc[k] += dpre[k];
      for (let j = 0; j < d; j++) g.w_enc[j * s + k] += xc[j] * dpre[k];
    }
    for (let j = 0; j < d; j++) {
      let dxc = 0;
      for (let k = 0; k < s; k++) dxc += dpre[k] * p.w_enc[j * s + k];
      // drLevel[0]: every level's dr summed (b_dec is in each reconstruction); through x_c with the pre-encoder bias
      g.b_dec[j] += drLevel[0][j] + dra[j] - (preBias ? dxc : 0);
    }
  }
  return { loss, rows, grads: g, fsum, bthr, pre: preAll, e: eAll };
}

/** The wide SAE's parameter blocks in the order the trainer keeps and reads them. */
export const WIDE_BLOCKS = ['w_enc', 'b_enc', 'w_dec', 'b_dec'] as const;
/** ... and JumpReLU's log thresholds after them */
export const JUMP_BLOCKS = [...WIDE_BLOCKS, 'log_threshold'] as const;
export type WideBlock = (typeof JUMP_BLOCKS)[number];

/** The parameter blocks a mode trains (JumpReLU adds its log thresholds). */
export function wideBlocksOf(mode: { select?: string }): readonly WideBlock[] {
  return mode.select === 'jumprelu' ? JUMP_BLOCKS : WIDE_BLOCKS;
}

/** A wide SAE's variant as the trainer runs it: the selection, k, AuxK's coefficient, k_aux and dead window
 * (SAELens: a latent is dead after more than `window` steps without firing), BatchTopK's threshold EMA rate. */
export interface WideTrainMode {
  select?: WideStepOptions['select'];
  k?: number;
  bandwidth?: number;
  nested?: WideStepOptions['nested'];
  auxk?: { coef: number; kAux: number; window: number };
  /** SAELens's topk_threshold_lr: threshold += lr (batch threshold - threshold) on steps whose threshold is > 0 */
  emaLr?: number;
  preBias?: boolean;
  perSampleFvu?: boolean;
  /** the decoder's rows rescaled to unit norm before each step and the part of their gradient along them removed
   * after the backward pass (the study's order; without it SAELens's free decoder rows) */
  unitDecoder?: boolean;
}

/** The study's objective on the wide engine (the per-model engine's default): no pre-encoder bias, the per-sample
 * FVU, unit decoder rows with the gradient projected. Its L1 weighted by the rows' norms equals the study's plain L1
 * (the norms are 1 at the forward pass, and the weighting's W_dec gradient lies along the rows: projected away). */
export const STUDY_OBJECTIVE: Pick<WideTrainMode, 'preBias' | 'perSampleFvu' | 'unitDecoder'> = { preBias: false, perSampleFvu: true, unitDecoder: true };

/** Each of the s rows of w [s][d] rescaled to unit norm (a zero row stays 0): twin of kernels/wide/wdec_unit.wgsl. */
export function unitRows(w: Float64Array, s: number, d: number): void {
  for (let k = 0; k < s; k++) {
    let q = 0;
    for (let j = 0; j < d; j++) q += w[k * d + j] ** 2;
    if (q > 0) for (let j = 0; j < d; j++) w[k * d + j] /= Math.sqrt(q);
  }
}

/** g_k -= (g_k . w_k) w_k for each unit row w_k of w [s][d]: twin of kernels/wide/wdec_project.wgsl. */
export function projectRows(g: Float64Array, w: ArrayLike<number>, s: number, d: number): void {
  for (let k = 0; k < s; k++) {
    let dot = 0;
    for (let j = 0; j < d; j++) dot += g[k * d + j] * w[k * d + j];
    for (let j = 0; j < d; j++) g[k * d + j] -= dot * w[k * d + j];
  }
}

/** Model m of the per-model engine's parameter block (core/wire saeLayout: W_enc and W_dec [S][D]) in the wide
 * engine's layout (W_enc [d][s], W_dec [s][d]), so one SAE can train on both engines. */
export function wideParamsOfModel(
  dims: { D: number; S: number; xp?: number },
  params: ArrayLike<number>,
  m: number,
): Record<'w_enc' | 'b_enc' | 'w_dec' | 'b_dec', Float64Array> {
  const { D, S } = dims;
  const L = saeLayout(dims);
  const p = m * L.P;
  const w_enc = new Float64Array(D * S);
  for (let k = 0; k < S; k++) for (let j = 0; j < D; j++) w_enc[j * S + k] = params[p + L.WE + k * D + j];
  const slice = (o: number, n: number) => Float64Array.from({ length: n }, (_, i) => params[p + o + i]);
  return { w_enc, b_enc: slice(L.BE, S), w_dec: slice(L.WD, S * D), b_dec: slice(L.BD, D) };
}

/** One training step's forward and backward pass as the wide engine runs it (kernels/wide encodeWideStep): with
 * unitDecoder, p.w_dec's rows are set to unit norm first (in place, as the kernels do) and the decoder gradient
 * projected after. auxk: AuxK with this step's dead latents. */
export function wideTrainStep(
  p: WideParams & { w_dec: Float64Array },
  x: ArrayLike<number>,
  sh: WideShape,
  lambda: number,
  mode: WideTrainMode,
  auxk?: WideStepOptions['auxk'],
): WideStepResult {
  if (mode.unitDecoder) unitRows(p.w_dec, sh.s, sh.d);
  const r = wideStep(p, x, sh, lambda, {
    select: mode.select,
    k: mode.k,
    auxk,
    nested: mode.nested,
    bandwidth: mode.bandwidth,
    preBias: mode.preBias,
    perSampleFvu: mode.perSampleFvu,
  });
  if (mode.unitDecoder) projectRows(r.grads.w_dec, p.w_dec, sh.s, sh.d);
  return r;
}

/** Twin of the wide trainer (src/train/wide.ts): `batches.length` steps of wideStep then Adam (adamStep, one model
 * whose parameters are the four blocks end to end), in f64. Returns the parameters, the loss of each step, the
 * steps since each latent last fired and BatchTopK's inference threshold. */
export function wideTrain(
  p0: WideParams,
  batches: ArrayLike<number>[],
  sh: WideShape,
  lambda: number,
  cfg: GpuConfig,
  lr: number,
  mode: WideTrainMode = {},
): {
  params: Partial<Record<WideBlock, Float64Array>> & Record<(typeof WIDE_BLOCKS)[number], Float64Array>;
  losses: number[];
  since: Uint32Array;
  threshold: number;
} {
  const blocks = wideBlocksOf(mode);
  const p = Object.fromEntries(
    blocks.map((b) => {
      const v = p0[b];
      if (!v) throw new Error(`wide trainer twin: ${b} has no initial value`);
      return [b, Float64Array.from(v)];
    }),
  ) as Record<WideBlock, Float64Array>;
  const sizes = blocks.map((b) => p[b].length);
  const P = sizes.reduce((a, b) => a + b, 0);
  const m1 = new Float64Array(P),
    v = new Float64Array(P);
  const losses: number[] = [];
  const one: GpuConfig = { ...cfg, M: 1 };
  const since = new Uint32Array(sh.s);
  let threshold = 0;
  for (const [t, x] of batches.entries()) {
    const auxk = mode.auxk && { coef: mode.auxk.coef, kAux: mode.auxk.kAux, dead: Array.from(since, (n) => n > mode.auxk!.window) };
    const r = wideTrainStep(p, x, sh, lambda, mode, auxk);
    losses.push(r.loss);
    for (let k = 0; k < sh.s; k++) since[k] = r.fsum[k] > 0 ? 0 : since[k] + 1;
    if (mode.select === 'batchtopk' && r.bthr > 0) threshold += (mode.emaLr ?? 0.01) * (r.bthr - threshold);
    const flat = new Float64Array(P),
      grads = new Float64Array(P);
    let o = 0;
    for (const b of blocks) {
      flat.set(p[b], o);
      grads.set(r.grads[b], o);
      o += p[b].length;
    }
    adamStep(one, [{ lr, l1: lambda, cos: 0, seed: 0 }], t, new Uint32Array([NOT_DIVERGED]), P, grads, flat, m1, v);
    o = 0;
    for (const b of blocks) {
      p[b].set(flat.subarray(o, o + p[b].length));
      o += p[b].length;
    }
  }
  return { params: p, losses, since, threshold };
}
