// A fixed random feature dictionary in place of the trained toy model (SAELens's synthetic models,
// sae_lens/synthetic/feature_dictionary.py): n Gaussian directions in d dims scaled to unit norm, optionally
// orthogonalised by Adam on sum_{i != j} (e_i . e_j - t)^2 + n sum_i (|e_i|^2 - 1)^2 and renormalised.
// The SAE question can then be asked without the toy model's own failures (cross-set pairs, features it
// does not store). Draws come from the kit's counter-based RNG (core/rng.ts), so a seed gives one dictionary.
import { rngUnit, STREAM } from '../core/rng';

export interface DictionaryOptions {
  /** Adam steps of the orthogonalisation (0: the random unit vectors as drawn) */
  orthoSteps?: number;
  orthoLr?: number;
  /** target pairwise dot product (SAELens's target_cos_sim) */
  targetCos?: number;
}

/** A stream tag apart from the toy model's own initialisation draws (same STREAM.toyInit, other counters). */
const DICT_TAG = 0xd1c7;

/** n x d standard normal draws (Box-Muller on two counter-based uniforms per entry). */
function gaussians(n: number, d: number, seed: number): number[][] {
  return Array.from({ length: n }, (_, i) =>
    Array.from({ length: d }, (_, j) => {
      const u1 = rngUnit(seed, STREAM.toyInit, DICT_TAG, i * d + j, 0),
        u2 = rngUnit(seed, STREAM.toyInit, DICT_TAG, i * d + j, 1);
      return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
    }),
  );
}

const unitRows = (E: number[][]) =>
  E.map((r) => {
    const n = Math.hypot(...r);
    return n > 0 ? r.map((v) => v / n) : r;
  });

/**
 * The orthogonalisation objective L = sum_ij w_ij (G_ij - c_ij)^2 (G = E E^T; w, c: n and 1 on the diagonal, 1 and
 * the target off it) and its gradient dL/dE = 4 R E, R_ij = w_ij (G_ij - c_ij) (symmetric).
 */
export function orthoLoss(E: number[][], target = 0): { loss: number; grad: number[][] } {
  const n = E.length,
    d = E[0]?.length ?? 0;
  const R = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  let loss = 0;
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let g = 0;
      for (let q = 0; q < d; q++) g += E[i][q] * E[j][q];
      const w = i === j ? n : 1,
        c = i === j ? 1 : target;
      loss += w * (g - c) ** 2;
      R[i][j] = w * (g - c);
    }
  const grad = E.map((_, i) => Array.from({ length: d }, (_, q) => 4 * R[i].reduce((s, r, j) => s + r * E[j][q], 0)));
  return { loss, grad };
}

/** n unit feature directions in d dims (rows), from `seed`; orthogonalised when opts.orthoSteps > 0. */
export function randomDictionary(n: number, d: number, seed: number, opts: DictionaryOptions = {}): number[][] {
  if (!Number.isInteger(n) || n < 1 || !Number.isInteger(d) || d < 1) throw new Error(`random dictionary: n = ${n} and d = ${d} must be positive integers`);
  const steps = opts.orthoSteps ?? 0,
    lr = opts.orthoLr ?? 0.01;
  if (!Number.isInteger(steps) || steps < 0) throw new Error(`random dictionary: orthoSteps = ${steps} must be an integer >= 0`);
  if (!(lr > 0)) throw new Error(`random dictionary: orthoLr = ${lr} must be > 0`);
  let E = unitRows(gaussians(n, d, seed));
  if (!steps) return E;
  // Adam (torch defaults: betas 0.9, 0.999, eps 1e-8)
  const m = E.map((r) => r.map(() => 0)),
    v = E.map((r) => r.map(() => 0));
  for (let t = 1; t <= steps; t++) {
    const { grad } = orthoLoss(E, opts.targetCos ?? 0);
    const b1 = 1 - 0.9 ** t,
      b2 = 1 - 0.999 ** t;
    E = E.map((row, i) =>
      row.map((x, q) => {
        m[i][q] = 0.9 * m[i][q] + 0.1 * grad[i][q];
        v[i][q] = 0.999 * v[i][q] + 0.001 * grad[i][q] ** 2;
        return x - (lr * (m[i][q] / b1)) / (Math.sqrt(v[i][q] / b2) + 1e-8);
      }),
    );
  }
  return unitRows(E);
}
