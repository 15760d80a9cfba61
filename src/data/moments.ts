// Exact second moments of the composed-feature data (docs/science.md §1), from the probability tables and
// the amplitude law rather than from samples: E[x x^T] over features and E[h h^T] = sum_ij E[x_i x_j] w_i w_j^T
// for a toy model whose feature i sits at w_i in the hidden space. Claim 6 of the report uses it.
//
// Amplitudes (core/sampler.ts): a_0 = u_0 for the first set, a_j = (1 - rho) u_j + rho u_0 for the others,
// u ~ U[0, 1) independent; a one-hot draw has amplitude u_0; each set is left empty with probability p_empty.
import { featureCount, jointTable, onehotTable, type DataSpec } from './tables';

/** E[a_s a_t] for sets s, t (s = t: the second moment of one set's amplitude). */
export function amplitudeMoment(s: number, t: number, rho: number): number {
  const q = 1 - rho;
  if (s === 0 && t === 0) return 1 / 3;
  if (s === t) return (q * q) / 3 + (2 * q * rho) / 4 + (rho * rho) / 3;
  if (s === 0 || t === 0) return q / 4 + rho / 3;
  return (q * q) / 4 + (2 * q * rho) / 4 + (rho * rho) / 3;
}

/** E[x x^T] (n x n, f64) of the data distribution `spec`, with each set left empty w.p. `pSetEmpty`. */
export function featureSecondMoment(spec: DataSpec, pSetEmpty = 0): number[][] {
  const n = featureCount(spec.sets),
    m = spec.sets.length;
  const E = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  const offsets = spec.sets.map((_, j) => spec.sets.slice(0, j).reduce((a, b) => a + b, 0));
  const joint = jointTable(spec);
  const keep = 1 - pSetEmpty;
  const multi = 1 - spec.pOnehot;
  // one joint entry = one feature per set; first set slowest
  joint.forEach((p, c) => {
    if (!p) return;
    const idx = new Array<number>(m);
    let r = c;
    for (let j = m - 1; j >= 0; j--) {
      idx[j] = offsets[j] + (r % spec.sets[j]);
      r = Math.floor(r / spec.sets[j]);
    }
    for (let s = 0; s < m; s++)
      for (let t = 0; t < m; t++) {
        const present = s === t ? keep : keep * keep;
        E[idx[s]][idx[t]] += multi * p * present * amplitudeMoment(s, t, spec.rho);
      }
  });
  onehotTable(spec).forEach((p, i) => {
    E[i][i] += spec.pOnehot * p * (1 / 3);
  });
  return E;
}

/** E[h h^T] (d x d) for h = sum_i x_i w_i, given E[x x^T] and the feature directions w_i (rows of W, n x d). */
export function hiddenSecondMoment(W: number[][], Exx: number[][]): number[][] {
  const d = W[0]?.length ?? 0;
  const H = Array.from({ length: d }, () => new Array<number>(d).fill(0));
  for (let i = 0; i < W.length; i++)
    for (let j = 0; j < W.length; j++) {
      const e = Exx[i][j];
      if (!e) continue;
      for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) H[a][b] += e * W[i][a] * W[j][b];
    }
  return H;
}
