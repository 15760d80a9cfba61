// Initial parameters (docs/science.md §2-3), drawn on the host from the counter-based RNG so the GPU and the
// reference start from the same f32 values.
import { defaultConfig, saeLayout, toyLayout, type Dims } from '../core/wire';
import { LOG_THRESHOLD, type LatentParamBlock } from '../variants/variant';
import { sampleData } from '../core/sampler';
import { rngUnit, STREAM } from '../core/rng';

/** Toy model: W ~ U(-1/sqrt(n), 1/sqrt(n)), b = 0; one block per seed. */
export function initToy(dims: Pick<Dims, 'N' | 'D'>, seeds: number[]): Float32Array {
  const L = toyLayout(dims);
  const out = new Float32Array(seeds.length * L.P);
  const bound = 1 / Math.sqrt(dims.N);
  seeds.forEach((seed, m) => {
    for (let i = 0; i < dims.N; i++)
      for (let j = 0; j < dims.D; j++) {
        out[m * L.P + i * dims.D + j] = (2 * rngUnit(seed, STREAM.toyInit, 0, i, j) - 1) * bound;
      }
  });
  return out;
}

/** Geometric median (Weiszfeld iterations) of rows of a [count][D] array. */
export function geometricMedian(points: ArrayLike<number>, count: number, D: number, iters = 100, tol = 1e-7): Float64Array {
  const y = new Float64Array(D);
  for (let b = 0; b < count; b++) for (let j = 0; j < D; j++) y[j] += points[b * D + j] / count;
  for (let it = 0; it < iters; it++) {
    const num = new Float64Array(D);
    let den = 0;
    for (let b = 0; b < count; b++) {
      let d = 0;
      for (let j = 0; j < D; j++) d += (points[b * D + j] - y[j]) ** 2;
      const w = 1 / Math.max(Math.sqrt(d), 1e-12);
      den += w;
      for (let j = 0; j < D; j++) num[j] += w * points[b * D + j];
    }
    let move = 0;
    for (let j = 0; j < D; j++) {
      const nj = num[j] / den;
      move += (nj - y[j]) ** 2;
      y[j] = nj;
    }
    if (Math.sqrt(move) < tol) break;
  }
  return y;
}

/** Hidden activations h = W^T x of `count` fresh samples through toy model `toy` (for the b_dec init). */
export function sampleActivations(
  dims: Pick<Dims, 'N' | 'D'>,
  sets: number[],
  tables: Float32Array,
  tableLen: number,
  rho: number,
  pOnehot: number,
  toyParams: ArrayLike<number>,
  seed: number,
  count: number,
  pSetEmpty = 0,
): Float64Array {
  const cfg = defaultConfig({ M: 1, B: count, table_len: tableLen, rho, p_onehot: pOnehot, p_set_empty: pSetEmpty });
  const x = sampleData(cfg, [{ lr: 1, l1: 0, cos: 0, seed }], 0, sets, tables);
  const h = new Float64Array(count * dims.D);
  for (let b = 0; b < count; b++)
    for (let j = 0; j < dims.D; j++) {
      let acc = 0;
      for (let i = 0; i < dims.N; i++) acc += toyParams[i * dims.D + j] * x[b * dims.N + i];
      h[b * dims.D + j] = acc;
    }
  return h;
}

/**
 * SAE: W_enc, W_dec ~ U(-sqrt(6/(d s)), sqrt(6/(d s))) (PyTorch's Kaiming-uniform on the study's
 * instance-stacked tensors), b_enc = 0, b_dec given per model (geometric median or zeros),
 * decoder rows normalised, the variant's extra per-latent blocks at their initial values (by default JumpReLU's
 * log-thresholds ln(threshold)).
 */
export function initSae(
  dims: Pick<Dims, 'D' | 'S'>,
  seeds: number[],
  bDec?: (m: number) => ArrayLike<number>,
  threshold = 0.001,
  blocks: readonly LatentParamBlock[] = LOG_THRESHOLD,
): Float32Array {
  const L = saeLayout({ ...dims, xp: blocks.length });
  const { D, S } = dims;
  const out = new Float32Array(seeds.length * L.P);
  const bound = Math.sqrt(6 / (D * S));
  seeds.forEach((seed, m) => {
    const p = m * L.P;
    for (let k = 0; k < S; k++) {
      let sq = 0;
      const row = new Float64Array(D);
      for (let j = 0; j < D; j++) {
        out[p + L.WE + k * D + j] = (2 * rngUnit(seed, STREAM.saeInit, 0, k, j) - 1) * bound;
        row[j] = (2 * rngUnit(seed, STREAM.saeInit, 1, k, j) - 1) * bound;
        sq += row[j] ** 2;
      }
      const inv = sq > 0 ? 1 / Math.sqrt(sq) : 1;
      for (let j = 0; j < D; j++) out[p + L.WD + k * D + j] = row[j] * inv;
    }
    const bd = bDec?.(m);
    if (bd) for (let j = 0; j < D; j++) out[p + L.BD + j] = bd[j];
    blocks.forEach((b, i) => out.fill(b.init(threshold), p + L.XP + i * S, p + L.XP + (i + 1) * S));
  });
  return out;
}
