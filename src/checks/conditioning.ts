// Where a training trajectory stops being comparable between f32 kernels and the f64 reference: a step in
// which some sample's pre-activation sits within rounding of a decision the variant makes (ReLU's 0,
// JumpReLU's threshold, a TopK / BatchTopK tie, the firing test f > 1e-6). There the two may decide
// differently, and Adam turns that into a parameter jump of about the learning rate (seen on lavapipe: a
// latent's encoder row off by 1.6e-3 after step 4 (0-based) of the d = 8 check, every step before within 2e-6).
// The probe moves every pre-activation by +-REL of its own scale (|b_enc| + sum_j |W_enc[k,j] hin_j|) in
// sign patterns that oppose every pair of latents in at least one pattern (the bits of k), and reports the
// first sample whose active set or firing set changes. Not covered: AuxK's choice among dead latents.
import { saeLayout, type Dims, type GpuConfig } from '../core/wire';
import { forwardSample } from '../reference/sae';
import { variantOf } from '../variants';

/** f32 rounding of a short dot product is a few 1e-7 of its terms' scale: 1e-5 leaves a margin. */
export const BOUNDARY_REL = 1e-5;

export interface BoundaryHit {
  m: number;
  b: number;
  /** the latent whose decision moved */
  k: number;
}

const key = (f: ArrayLike<number>, k: number) => (f[k] > 0 ? 1 : 0) + (f[k] > 1e-6 ? 2 : 0);

/** The first (model, sample, latent) of a step's batch within REL of a decision boundary, or null. */
export function nearBoundary(
  cfg: GpuConfig,
  dims: Pick<Dims, 'D' | 'S' | 'nested' | 'xp'>,
  params: ArrayLike<number>,
  acts: ArrayLike<number>,
  bthr?: ArrayLike<number>,
  rel = BOUNDARY_REL,
): BoundaryHit | null {
  const { D, S } = dims;
  const L = saeLayout(dims);
  const vt = variantOf(cfg).twin;
  const bits = Math.max(1, Math.ceil(Math.log2(S)));
  for (let m = 0; m < cfg.M; m++) {
    const p = m * L.P;
    for (let b = 0; b < cfg.B; b++) {
      const row = m * cfg.B + b;
      const s = forwardSample(cfg, dims, params, p, acts, row, bthr?.[m] ?? 0);
      // (a pre-activation of exact zeros, scale 0, is exact in both: it does not move)
      const scale = s.pre.map((_, k) => Math.abs(params[p + L.BE + k]) + s.hin.reduce((a, v, j) => a + Math.abs(params[p + L.WE + k * D + j] * v), 0));
      for (let bit = 0; bit < bits; bit++)
        for (const sign of [1, -1]) {
          const moved = s.pre.map((v, k) => v + sign * (((k >> bit) & 1) * 2 - 1) * rel * scale[k]);
          const f = vt.activation(cfg, moved, s.lp, bthr?.[m] ?? 0);
          // (BatchTopK's threshold is one of the batch's own values: that sample sits on it in both by construction)
          for (let k = 0; k < S; k++) if (key(f, k) !== key(s.f, k) && s.pre[k] !== bthr?.[m]) return { m, b, k };
        }
    }
  }
  return null;
}
