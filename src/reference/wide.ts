// Twin of the wide SAE engine's step (src/kernels/wide): a ReLU SAE in SAELens's layout and loss, in f64.
//   x_c = x - b_dec;  pre = x_c W_enc + b_enc;  f = max(pre, 0);  xhat = f W_dec + b_dec;  e = xhat - x
//   loss = mean_b sum_j e_bj^2 + lambda mean_b sum_k f_bk |W_dec,k|
// (SAELens StandardTrainingSAE: the MSE summed over d and averaged over the batch, the L1 weighted by the decoder
// rows' norms.) Returns the loss terms per row and the gradient of the loss with respect to every parameter.
import { adamStep } from './adam';
import { NOT_DIVERGED, type GpuConfig } from '../core/wire';

export interface WideParams {
  w_enc: ArrayLike<number>; // [d][s]
  b_enc: ArrayLike<number>; // [s]
  w_dec: ArrayLike<number>; // [s][d]
  b_dec: ArrayLike<number>; // [d]
}

export interface WideShape {
  B: number;
  d: number;
  s: number;
}

export interface WideStepResult {
  loss: number;
  /** per row: [sum_j e^2, sum_k f n_k, #{f > 0}] */
  rows: Float64Array;
  grads: { w_enc: Float64Array; b_enc: Float64Array; w_dec: Float64Array; b_dec: Float64Array };
}

export function wideStep(p: WideParams, x: ArrayLike<number>, sh: WideShape, lambda: number): WideStepResult {
  const { B, d, s } = sh;
  const norms = new Float64Array(s);
  for (let k = 0; k < s; k++) {
    let q = 0;
    for (let j = 0; j < d; j++) q += p.w_dec[k * d + j] ** 2;
    norms[k] = Math.sqrt(q);
  }
  const rows = new Float64Array(B * 3);
  const g = { w_enc: new Float64Array(d * s), b_enc: new Float64Array(s), w_dec: new Float64Array(s * d), b_dec: new Float64Array(d) };
  let loss = 0;
  const xc = new Float64Array(d),
    pre = new Float64Array(s),
    f = new Float64Array(s),
    e = new Float64Array(d),
    dr = new Float64Array(d),
    dpre = new Float64Array(s);
  for (let b = 0; b < B; b++) {
    for (let j = 0; j < d; j++) xc[j] = x[b * d + j] - p.b_dec[j];
    for (let k = 0; k < s; k++) {
      let a = p.b_enc[k];
      for (let j = 0; j < d; j++) a += xc[j] * p.w_enc[j * s + k];
      pre[k] = a;
      f[k] = Math.max(a, 0);
    }
    let mse = 0,
      l1 = 0,
      l0 = 0;
    for (let j = 0; j < d; j++) {
      let r = p.b_dec[j];
      for (let k = 0; k < s; k++) r += f[k] * p.w_dec[k * d + j];
      e[j] = r - x[b * d + j];
      mse += e[j] ** 2;
      dr[j] = (2 * e[j]) / B;
    }
    for (let k = 0; k < s; k++) {
      l1 += f[k] * norms[k];
      if (f[k] > 0) l0++;
    }
    rows.set([mse, l1, l0], b * 3);
    loss += (mse + lambda * l1) / B;
    // backward: decoder, then the latents, then the encoder; b_dec through both paths
    for (let k = 0; k < s; k++) {
      let df = 0;
      for (let j = 0; j < d; j++) {
        g.w_dec[k * d + j] += f[k] * dr[j] + (norms[k] > 0 ? ((lambda / B) * f[k] * p.w_dec[k * d + j]) / norms[k] : 0);
        df += dr[j] * p.w_dec[k * d + j];
      }
      dpre[k] = f[k] > 0 ? df + (lambda * norms[k]) / B : 0;
      g.b_enc[k] += dpre[k];
      for (let j = 0; j < d; j++) g.w_enc[j * s + k] += xc[j] * dpre[k];
    }
    for (let j = 0; j < d; j++) {
      let dxc = 0;
      for (let k = 0; k < s; k++) dxc += dpre[k] * p.w_enc[j * s + k];
      g.b_dec[j] += dr[j] - dxc;
    }
  }
  return { loss, rows, grads: g };
}

/** The wide SAE's parameter blocks in the order the trainer keeps and reads them. */
export const WIDE_BLOCKS = ['w_enc', 'b_enc', 'w_dec', 'b_dec'] as const;

/** Twin of the wide trainer (src/train/wide.ts): `batches.length` steps of wideStep then Adam (adamStep, one model
 * whose parameters are the four blocks end to end), in f64. Returns the parameters and the loss of each step. */
export function wideTrain(
  p0: WideParams,
  batches: ArrayLike<number>[],
  sh: WideShape,
  lambda: number,
  cfg: GpuConfig,
  lr: number,
): { params: Record<(typeof WIDE_BLOCKS)[number], Float64Array>; losses: number[] } {
  const p = Object.fromEntries(WIDE_BLOCKS.map((b) => [b, Float64Array.from(p0[b])])) as Record<(typeof WIDE_BLOCKS)[number], Float64Array>;
  const sizes = WIDE_BLOCKS.map((b) => p[b].length);
  const P = sizes.reduce((a, b) => a + b, 0);
  const m1 = new Float64Array(P),
    v = new Float64Array(P);
  const losses: number[] = [];
  const one: GpuConfig = { ...cfg, M: 1 };
  for (const [t, x] of batches.entries()) {
    const r = wideStep(p, x, sh, lambda);
    losses.push(r.loss);
    const flat = new Float64Array(P),
      grads = new Float64Array(P);
    let o = 0;
    for (const b of WIDE_BLOCKS) {
      flat.set(p[b], o);
      grads.set(r.grads[b], o);
      o += p[b].length;
    }
    adamStep(one, [{ lr, l1: lambda, cos: 0, seed: 0 }], t, new Uint32Array([NOT_DIVERGED]), P, grads, flat, m1, v);
    o = 0;
    for (const b of WIDE_BLOCKS) {
      p[b].set(flat.subarray(o, o + p[b].length));
      o += p[b].length;
    }
  }
  return { params: p, losses };
}
